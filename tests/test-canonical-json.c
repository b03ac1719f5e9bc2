/* test-canonical-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "intake-canonical-json.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_canonical (const char *input,
                  const char *expected)
{
  g_autoptr(JsonNode) node = parse (input);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gsize len = 0;

  out = intake_canonical_json_serialize (node, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpuint (len, ==, strlen (expected));
}

static void
test_key_order (void)
{
  assert_canonical ("{\"b\": 1, \"a\": 2, \"ab\": 3, \"B\": 4, \"_\": 5}",
                    "{\"B\":4,\"_\":5,\"a\":2,\"ab\":3,\"b\":1}");
  /* UTF-8 byte order, not UTF-16: U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80),
   * and "é" (C3 A9) after every ASCII key. */
  assert_canonical ("{\"\xf0\x9f\x98\x80\": 1, \"\xef\xbf\xbd\": 2, \"\xc3\xa9\": 3, \"z\": 4}",
                    "{\"z\":4,\"\xc3\xa9\":3,\"\xef\xbf\xbd\":2,\"\xf0\x9f\x98\x80\":1}");
}

static void
test_whitespace (void)
{
  assert_canonical ("  {\n  \"a\" :\t[ 1 , 2 ,\n 3 ] ,\r\n \"b\" : { } , \"c\": [ ] }  ",
                    "{\"a\":[1,2,3],\"b\":{},\"c\":[]}");
}

static void
test_escaping (void)
{
  /* Quotes, backslash, the five short escapes, other controls as \u00XX, DEL,
   * slash and non-ASCII raw. */
  assert_canonical ("[\"a\\\"b\\\\c\\/d\", \"\\b\\f\\n\\r\\t\", \"\\u0001\\u001f\\u007f\", "
                    "\"\\u00e9\\u0627\\ud83d\\ude00\", \"\\u2028\"]",
                    "[\"a\\\"b\\\\c/d\",\"\\b\\f\\n\\r\\t\",\"\\u0001\\u001f\x7f\","
                    "\"\xc3\xa9\xd8\xa7\xf0\x9f\x98\x80\",\"\xe2\x80\xa8\"]");
}

static void
test_write_string (void)
{
  char buf[32];
  gsize n;

  n = intake_canonical_json_write_string ("a\"\n\x01", NULL);
  g_assert_cmpuint (n, ==, strlen ("\"a\\\"\\n\\u0001\""));
  memset (buf, 0, sizeof buf);
  g_assert_cmpuint (intake_canonical_json_write_string ("a\"\n\x01", buf), ==, n);
  g_assert_cmpstr (buf, ==, "\"a\\\"\\n\\u0001\"");
}

static void
test_numbers (void)
{
  assert_canonical ("[0, -0, 1, -1, 9223372036854775807, -9223372036854775807, 007, true, false, null]",
                    "[0,0,1,-1,9223372036854775807,-9223372036854775807,7,true,false,null]");
}

static void
test_integral_double (void)
{
  g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), 42.0);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = intake_canonical_json_serialize (node, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "42");
}

static void
test_reject_double (void)
{
  const char *inputs[] = { "1.5", "[1, {\"a\": -0.25}]", "{\"x\": 1e-3}", "1e300" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(JsonNode) node = parse (inputs[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = intake_canonical_json_serialize (node, NULL, &error);

      g_assert_error (error, INTAKE_CANONICAL_JSON_ERROR, INTAKE_CANONICAL_JSON_ERROR_NOT_INTEGER);
      g_assert_null (out);
      g_assert_nonnull (strstr (error->message, "integer"));
    }
}

static void
test_reject_invalid_utf8 (void)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), "a\xff");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = intake_canonical_json_serialize (node, NULL, &error);

  g_assert_error (error, INTAKE_CANONICAL_JSON_ERROR, INTAKE_CANONICAL_JSON_ERROR_INVALID_UTF8);
  g_assert_null (out);
}

static void
test_nested (void)
{
  assert_canonical ("{\"z\": [{\"b\": [[], {}], \"a\": {\"d\": null, \"c\": \"x\"}}], "
                    "\"a\": {\"y\": {\"x\": {\"w\": [1, [2, [3]]]}}}}",
                    "{\"a\":{\"y\":{\"x\":{\"w\":[1,[2,[3]]]}}},"
                    "\"z\":[{\"a\":{\"c\":\"x\",\"d\":null},\"b\":[[],{}]}]}");
}

/* Known answer: the canonical text and its SHA-256 computed independently
 * (Python: json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)). */
static void
test_known_answer (void)
{
  static const char input[] =
    "{\n  \"version\": 1,\n  \"id\": \"kat\",\n  \"title\": {\"nl\": \"Café \\\"De Kroon\\\"\\n\","
    " \"ar\": \"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\"},\n  \"list\": [true, false, null, -12]\n}";
  static const char expected[] =
    "{\"id\":\"kat\",\"list\":[true,false,null,-12],\"title\":{\"ar\":\"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\","
    "\"nl\":\"Caf\xc3\xa9 \\\"De Kroon\\\"\\n\"},\"version\":1}";
  static const char expected_sha256[] =
    "d646746fea8ec506c353457b3ad228b67a374c1c923a142a8cadd9ee4f7116c0";
  g_autoptr(JsonNode) node = parse (input);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  guint8 hash[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  gsize len;

  out = intake_canonical_json_serialize (node, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected);

  crypto_hash_sha256 (hash, (const guchar *) out, len);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  g_assert_cmpstr (hex, ==, expected_sha256);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/canonical-json/key-order", test_key_order);
  g_test_add_func ("/canonical-json/whitespace", test_whitespace);
  g_test_add_func ("/canonical-json/escaping", test_escaping);
  g_test_add_func ("/canonical-json/write-string", test_write_string);
  g_test_add_func ("/canonical-json/numbers", test_numbers);
  g_test_add_func ("/canonical-json/integral-double", test_integral_double);
  g_test_add_func ("/canonical-json/reject/double", test_reject_double);
  g_test_add_func ("/canonical-json/reject/invalid-utf8", test_reject_invalid_utf8);
  g_test_add_func ("/canonical-json/nested", test_nested);
  g_test_add_func ("/canonical-json/known-answer", test_known_answer);

  return g_test_run ();
}

/* test-protocol.c: request signatures, receipts and bundles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "intake-bundle.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-signed-questionnaire.h"
#include "intake-test-util.h"

static GBytes *
body (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
test_request_string (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autofree char *s = intake_protocol_request_string ("GET", "/v1/questionnaire", "1795000000",
                                                       "00112233445566778899aabbccddeeff", empty);

  /* SHA-256 of the empty string ends the string. */
  g_assert_cmpstr (s, ==, "GET\n/v1/questionnaire\n1795000000\n00112233445566778899aabbccddeeff\n"
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_request_round_trip (void)
{
  g_autoptr(IntakeDeviceKey) device = intake_device_key_generate (NULL);
  g_autoptr(IntakeDeviceKey) other = intake_device_key_generate (NULL);
  g_autoptr(GBytes) payload = body ("{\"envelopes\":[]}");
  g_autoptr(GBytes) changed = body ("{\"envelopes\":[1]}");
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic pub, other_pub;
  IntakeRequestAuth auth;
  const gint64 now = 1795000000;

  intake_device_key_get_public (device, &pub);
  intake_device_key_get_public (other, &other_pub);
  intake_protocol_sign_request (device, "POST", "/v1/envelopes", payload, now, &auth);
  g_assert_cmpuint (strlen (auth.device_id), ==, 32);
  g_assert_cmpuint (strlen (auth.nonce), ==, 32);

  g_assert_true (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                 auth.timestamp, auth.nonce, auth.signature, now + 10, &error));
  g_assert_no_error (error);

  /* Every signed part matters. */
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", changed,
                                                  auth.timestamp, auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "PUT", "/v1/envelopes", payload,
                                                  auth.timestamp, auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/enroll", payload,
                                                  auth.timestamp, auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  "1795000001", auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&other_pub, "POST", "/v1/envelopes", payload,
                                                  auth.timestamp, auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* A valid signature outside the window is stale. */
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  auth.timestamp, auth.nonce, auth.signature,
                                                  now + INTAKE_PROTOCOL_TIMESTAMP_WINDOW + 1, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  auth.timestamp, auth.nonce, auth.signature,
                                                  now - INTAKE_PROTOCOL_TIMESTAMP_WINDOW - 1, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP);
  g_clear_error (&error);

  /* Missing and malformed headers. */
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  NULL, auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  "soon", auth.nonce, auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  auth.timestamp, "XYZ", auth.signature, now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);
  g_assert_false (intake_protocol_verify_request (&pub, "POST", "/v1/envelopes", payload,
                                                  auth.timestamp, auth.nonce, "c2hvcnQ=", now, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED);
  g_clear_error (&error);

  intake_request_auth_clear (&auth);
}

static GArray *
sample_items (void)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  IntakeReceiptItem a = { "00112233445566778899aabbccddeeff",
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" };

  g_array_append_val (items, a);
  return items;
}

static void
test_receipt (void)
{
  g_autoptr(IntakeDeviceKey) server = intake_device_key_generate (NULL);
  g_autoptr(IntakeDeviceKey) impostor = intake_device_key_generate (NULL);
  g_autoptr(GArray) items = sample_items ();
  g_autoptr(GArray) verified = NULL;
  g_autoptr(GBytes) receipt = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *text = NULL;
  IntakeDevicePublic server_pub;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  guint8 bad[INTAKE_SIGNATURE_BYTES];
  const char *device = "ffeeddccbbaa99887766554433221100";

  intake_device_key_get_public (server, &server_pub);
  key_id = intake_server_key_id_hex (server_pub.sign_pk);
  g_assert_cmpuint (strlen (key_id), ==, 16);

  receipt = intake_receipt_build (device, 1795000000, key_id, items);
  text = g_strndup (g_bytes_get_data (receipt, NULL), g_bytes_get_size (receipt));
  g_assert_true (g_str_has_prefix (text, "{\"device_id\":\"ffeeddccbbaa99887766554433221100\",\"format\":1,"
                                         "\"issued_at\":1795000000,\"items\":[{\"sha256\":\"e3b0"));

  intake_device_key_sign (server, "receipt", receipt, signature);
  verified = intake_receipt_verify (receipt, signature, server_pub.sign_pk, device, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (verified->len, ==, 1);
  g_assert_cmpstr (g_array_index (verified, IntakeReceiptItem, 0).submission_id, ==,
                   "00112233445566778899aabbccddeeff");

  /* Another key, another context, another device, another byte: refused. */
  intake_device_key_sign (impostor, "receipt", receipt, bad);
  g_assert_null (intake_receipt_verify (receipt, bad, server_pub.sign_pk, device, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  intake_device_key_sign (server, "request", receipt, bad);
  g_assert_null (intake_receipt_verify (receipt, bad, server_pub.sign_pk, device, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_null (intake_receipt_verify (receipt, signature, server_pub.sign_pk,
                                        "00000000000000000000000000000000", &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH);
  g_clear_error (&error);

  text[strlen (text) - 3] ^= 1;
  tampered = g_bytes_new (text, strlen (text));
  g_assert_null (intake_receipt_verify (tampered, signature, server_pub.sign_pk, device, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE);
}

static void
test_receipt_malformed (void)
{
  g_autoptr(IntakeDeviceKey) server = intake_device_key_generate (NULL);
  IntakeDevicePublic server_pub;
  const char *device = "ffeeddccbbaa99887766554433221100";
  struct {
    const char *json;
    int code;
  } cases[] = {
    { "[1]", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"device_id\":\"ffeeddccbbaa99887766554433221100\",\"format\":2,\"items\":[]}", INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION },
    { "{\"format\":1,\"items\":[]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"device_id\":\"ffeeddccbbaa99887766554433221100\",\"format\":1}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"device_id\":\"ffeeddccbbaa99887766554433221100\",\"format\":1,\"items\":[{\"submission_id\":\"xyz\",\"sha256\":\"00\"}]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
  };

  intake_device_key_get_public (server, &server_pub);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) receipt = body (cases[i].json);
      g_autoptr(GError) error = NULL;
      guint8 signature[INTAKE_SIGNATURE_BYTES];

      /* Properly signed, so only the content is at fault. */
      intake_device_key_sign (server, "receipt", receipt, signature);
      g_assert_null (intake_receipt_verify (receipt, signature, server_pub.sign_pk, device, &error));
      g_assert_error (error, INTAKE_PROTOCOL_ERROR, cases[i].code);
    }
}

static GPtrArray *
some_envelopes (guint n)
{
  GPtrArray *envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (envelopes, g_bytes_new_take (g_strdup_printf ("envelope number %u", i),
                                                  strlen ("envelope number ") + (i < 10 ? 1 : 2)));
  return envelopes;
}

static void
test_bundle_round_trip (void)
{
  g_autoptr(IntakeDeviceKey) device = intake_device_key_generate (NULL);
  g_autoptr(GPtrArray) envelopes = some_envelopes (12);
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) none = some_envelopes (0);
  g_autoptr(GPtrArray) parsed_none = NULL;
  g_autoptr(GBytes) bundle = intake_bundle_build (device, 1795000123, envelopes);
  g_autoptr(GBytes) empty = intake_bundle_build (device, 1, none);
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic expected, got;
  gint64 created = 0;

  intake_device_key_get_public (device, &expected);
  parsed = intake_bundle_parse (bundle, &got, &created, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 12);
  for (guint i = 0; i < 12; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (parsed, i), g_ptr_array_index (envelopes, i)));
  g_assert_cmpmem (got.device_id, 16, expected.device_id, 16);
  g_assert_cmpint (created, ==, 1795000123);

  parsed_none = intake_bundle_parse (empty, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed_none->len, ==, 0);
}

static void
test_bundle_tamper (void)
{
  g_autoptr(IntakeDeviceKey) device = intake_device_key_generate (NULL);
  g_autoptr(GPtrArray) envelopes = some_envelopes (3);
  g_autoptr(GBytes) bundle = intake_bundle_build (device, 5, envelopes);
  gsize len;
  const guint8 *data = g_bytes_get_data (bundle, &len);

  /* Every single-byte change and every truncation is refused. */
  for (gsize i = 0; i < len; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) changed = NULL;
      g_autoptr(GBytes) cut = g_bytes_new (data, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) result = NULL;
      g_autoptr(GPtrArray) result_cut = NULL;

      copy[i] ^= 0x01;
      changed = g_bytes_new (copy, len);
      result = intake_bundle_parse (changed, NULL, NULL, &error);
      g_assert_null (result);
      g_assert_nonnull (error);
      g_assert_true (error->domain == INTAKE_PROTOCOL_ERROR);
      g_clear_error (&error);

      result_cut = intake_bundle_parse (cut, NULL, NULL, &error);
      g_assert_null (result_cut);
      g_assert_nonnull (error);
    }
}

static void
test_bundle_errors (void)
{
  g_autoptr(GBytes) junk = body ("PK\003\004 not a bundle at all, really not");
  g_autoptr(GBytes) tiny = body ("IK");
  g_autoptr(GBytes) magic_only = body ("IKBU");
  g_autoptr(GBytes) future = body ("IKBU\002 and the rest");
  g_autoptr(GError) error = NULL;

  g_assert_null (intake_bundle_parse (junk, NULL, NULL, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (intake_bundle_parse (tiny, NULL, NULL, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TRUNCATED);
  g_clear_error (&error);
  /* The right magic and nothing else is cut short, not a foreign file. */
  g_assert_null (intake_bundle_parse (magic_only, NULL, NULL, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_null (intake_bundle_parse (future, NULL, NULL, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION);
}

/* An endless bundle: a valid header that announces 100,000 envelopes,
 * then one length of 1 MiB and 1 MiB of zeros after another, for ever. */
#define HEADER_BYTES 65

struct _TestEndlessStream
{
  GInputStream parent_instance;
  guint8       header[HEADER_BYTES];
  guint64      offset;              /* bytes handed out so far */
};

#define TEST_TYPE_ENDLESS_STREAM (test_endless_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestEndlessStream, test_endless_stream, TEST, ENDLESS_STREAM, GInputStream)
G_DEFINE_FINAL_TYPE (TestEndlessStream, test_endless_stream, G_TYPE_INPUT_STREAM)

static gssize
endless_read (GInputStream  *stream,
              void          *buffer,
              gsize          count,
              GCancellable  *cancellable,
              GError       **error)
{
  TestEndlessStream *self = TEST_ENDLESS_STREAM (stream);
  static const guint8 length[4] = { 0x00, 0x00, 0x10, 0x00 };      /* 1 MiB, little-endian */
  guint8 *out = buffer;

  for (gsize i = 0; i < count; i++, self->offset++)
    {
      guint64 k;

      if (self->offset < HEADER_BYTES)
        out[i] = self->header[self->offset];
      else if ((k = (self->offset - HEADER_BYTES) % (4 + 1024 * 1024)) < 4)
        out[i] = length[k];
      else
        out[i] = 0;
    }
  return (gssize)count;
}

static void
test_endless_stream_class_init (TestEndlessStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = endless_read;
}

static void
test_endless_stream_init (TestEndlessStream *self)
{
}

/* Bundles are read as streams within a limit: a round trip, a bundle over
 * the limit, and an endless one, of which no more than the limit is read. */
static void
test_bundle_read_limits (void)
{
  g_autoptr(IntakeDeviceKey) device = intake_device_key_generate (NULL);
  g_autoptr(GPtrArray) envelopes = some_envelopes (12);
  g_autoptr(GPtrArray) none = some_envelopes (0);
  g_autoptr(GBytes) bundle = intake_bundle_build (device, 1795000123, envelopes);
  g_autoptr(GBytes) empty = intake_bundle_build (device, 1, none);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bundle);
    g_autoptr(GPtrArray) parsed = intake_bundle_read (in, INTAKE_BUNDLE_DEFAULT_MAX_SIZE, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (parsed->len, ==, 12);
    for (guint i = 0; i < 12; i++)
      g_assert_true (g_bytes_equal (g_ptr_array_index (parsed, i), g_ptr_array_index (envelopes, i)));
  }
  {
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bundle);
    gsize limit = g_bytes_get_size (bundle) - 1;
    g_autoptr(GPtrArray) parsed = intake_bundle_read (in, limit, NULL, NULL, NULL, &error);

    g_assert_null (parsed);
    g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE);
    g_assert_cmpint (g_seekable_tell (G_SEEKABLE (in)), <=, (goffset)limit);
    g_clear_error (&error);
  }
  {
    g_autoptr(TestEndlessStream) endless = g_object_new (TEST_TYPE_ENDLESS_STREAM, NULL);
    g_autoptr(GPtrArray) parsed = NULL;
    guint32 count = INTAKE_BUNDLE_MAX_ENVELOPES;

    g_assert_cmpuint (g_bytes_get_size (empty), ==, HEADER_BYTES + INTAKE_SIGNATURE_BYTES);
    memcpy (endless->header, g_bytes_get_data (empty, NULL), HEADER_BYTES);
    for (guint i = 0; i < 4; i++)
      endless->header[HEADER_BYTES - 4 + i] = (count >> (8 * i)) & 0xff;
    parsed = intake_bundle_read (G_INPUT_STREAM (endless), 16 * 1024 * 1024, NULL, NULL, NULL, &error);
    g_assert_null (parsed);
    g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE);
    g_assert_cmpuint (endless->offset, <=, 16 * 1024 * 1024);
  }
}

static IntakeSignedQuestionnaire *
reparse (const char  *json,
         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return intake_signed_questionnaire_new_from_json (json_node_get_object (json_parser_get_root (parser)), error);
}

static void
test_signed_questionnaire (void)
{
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) secret = NULL;
  g_autoptr(IntakeOfficePublic) other = NULL;
  g_autoptr(IntakeOfficeSecret) other_secret = NULL;
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (NULL);
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
  g_autoptr(IntakeSignedQuestionnaire) read_back = NULL;
  g_autoptr(IntakeQuestionnaire) verified = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "signed.json", NULL);
  GStatBuf st;

  g_assert_nonnull (builtin);
  g_assert_true (intake_office_generate (&office, &secret, NULL));
  g_assert_true (intake_office_generate (&other, &other_secret, NULL));

  /* Sign, write as JSON, read back, verify: the same questionnaire. */
  signed_q = intake_signed_questionnaire_sign (builtin, secret);
  g_assert_cmpstr (signed_q->hash, ==, intake_questionnaire_get_hash (builtin));
  node = intake_signed_questionnaire_to_json (signed_q);
  json = json_to_string (node, FALSE);
  read_back = reparse (json, &error);
  g_assert_no_error (error);
  g_assert_null (read_back->id);
  verified = intake_signed_questionnaire_verify (read_back, office, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_hash (verified), ==, intake_questionnaire_get_hash (builtin));
  g_assert_cmpstr (read_back->id, ==, intake_questionnaire_get_id (builtin));
  g_assert_cmpuint (read_back->version, ==, intake_questionnaire_get_version (builtin));
  g_clear_object (&verified);

  /* Another office's key: refused with its own code. */
  g_assert_null (intake_signed_questionnaire_verify (read_back, other, "test", &error));
  g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Saved files: the mode asked for; read back and verified in one call. */
  g_assert_true (intake_signed_questionnaire_save (signed_q, path, 0600, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_clear_pointer (&read_back, intake_signed_questionnaire_free);
  read_back = intake_signed_questionnaire_load (path, office, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_back->hash, ==, signed_q->hash);
  g_assert_null (intake_signed_questionnaire_load (path, other, &error));
  g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* Malformed objects and files: each refused as malformed, the file named. */
  {
    const char *bad[] = {
      "{}",
      "{\"canonical\":\"e30=\"}",
      "{\"canonical\":\"e30=\",\"signature\":\"AAAA\"}",                     /* 3 bytes */
      "{\"canonical\":\"e30\",\"signature\":\"AAAA\"}",                      /* no padding */
      "{\"canonical\":\"e3 0=\",\"signature\":\"AAAA\"}",                    /* whitespace */
      "{\"canonical\":\"e30=\\n\",\"signature\":\"AAAA\"}",                  /* newline */
      "{\"canonical\":\"e-_=\",\"signature\":\"AAAA\"}",                     /* URL alphabet */
      "{\"canonical\":\"e3=0\",\"signature\":\"AAAA\"}",                     /* padding inside */
      "{\"canonical\":5,\"signature\":\"AAAA\"}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(IntakeSignedQuestionnaire) q = reparse (bad[i], &error);

        g_assert_null (q);
        g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED);
        g_clear_error (&error);
      }
    intake_test_write_file (path, "[1, 2]");
    g_assert_null (intake_signed_questionnaire_new_from_file (path, &error));
    g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, path));
    g_clear_error (&error);
    g_assert_cmpint (g_unlink (path), ==, 0);
    g_assert_null (intake_signed_questionnaire_new_from_file (path, &error));
    g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_IO);
    g_clear_error (&error);
  }

  /* Signed bytes that are not a questionnaire: the loader's own error. */
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("{\"id\":1}", 8);
    guint8 signature[INTAKE_SIGNATURE_BYTES];
    g_autoptr(IntakeSignedQuestionnaire) q = NULL;

    intake_office_secret_sign (secret, "questionnaire", junk, signature);
    q = intake_signed_questionnaire_new (junk, signature);
    g_assert_null (intake_signed_questionnaire_verify (q, office, "junk", &error));
    g_assert_true (error->domain == INTAKE_QUESTIONNAIRE_ERROR);
    g_clear_error (&error);
  }
  intake_test_rm_rf (dir);
}

static void
test_base64_strict (void)
{
  gsize len = 99;
  g_autofree guint8 *ok = intake_base64_decode_strict ("aGk=", &len);

  g_assert_cmpmem (ok, len, "hi", 2);
  g_assert_null (intake_base64_decode_strict (NULL, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_null (intake_base64_decode_strict ("", &len));
  g_assert_null (intake_base64_decode_strict ("aGk", &len));
  g_assert_null (intake_base64_decode_strict ("a=Gk", &len));
  g_assert_null (intake_base64_decode_strict ("aG k", &len));
  g_assert_null (intake_base64_decode_strict ("aGk=aGk=", &len));
}

/* The receipts file: built and parsed back; every refusal of the strict
 * reader is its own error, and no refusal hands back anything. */
static void
test_receipts_file (void)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_signed_receipt_free);
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  const struct {
    const char *text;
    gint        code;
  } bad[] = {
    { "", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "[]", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":2,\"receipts\":[]}", INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION },
    { "{\"format\":1,\"receipts\":[],\"x\":1}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[],}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":{}}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[1]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[{\"receipt\":\"e30=\"}]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[{\"receipt\":\"e30=\",\"signature\":\"AAAA\"}]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[{\"receipt\":\"e30\",\"signature\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"}]}",
      INTAKE_PROTOCOL_ERROR_MALFORMED },
    { "{\"format\":1,\"receipts\":[[[[1]]]]}", INTAKE_PROTOCOL_ERROR_MALFORMED },
  };

  for (guint i = 0; i < 2; i++)
    {
      IntakeSignedReceipt *r = g_new0 (IntakeSignedReceipt, 1);

      r->receipt = g_bytes_new_take (g_strdup_printf ("{\"n\":%u}", i), 7);
      memset (r->signature, 'a' + i, sizeof r->signature);
      g_ptr_array_add (receipts, r);
    }
  file = intake_receipts_file_build (receipts);
  parsed = intake_receipts_file_parse (g_bytes_get_data (file, NULL), g_bytes_get_size (file), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      IntakeSignedReceipt *a = g_ptr_array_index (receipts, i);
      IntakeSignedReceipt *b = g_ptr_array_index (parsed, i);

      g_assert_true (g_bytes_equal (a->receipt, b->receipt));
      g_assert_cmpmem (a->signature, sizeof a->signature, b->signature, sizeof b->signature);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) none = intake_receipts_file_parse (bad[i].text, strlen (bad[i].text), &error);

      g_test_message ("%s", bad[i].text);
      g_assert_null (none);
      g_assert_error (error, INTAKE_PROTOCOL_ERROR, bad[i].code);
      g_clear_error (&error);
    }

  big = g_malloc0 (INTAKE_RECEIPTS_FILE_MAX_SIZE + 1);
  g_assert_null (intake_receipts_file_parse (big, INTAKE_RECEIPTS_FILE_MAX_SIZE + 1, &error));
  g_assert_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (intake_crypto_init (NULL));

  g_test_add_func ("/protocol/request/string", test_request_string);
  g_test_add_func ("/protocol/request/round-trip-and-refusals", test_request_round_trip);
  g_test_add_func ("/protocol/receipt/sign-verify-refuse", test_receipt);
  g_test_add_func ("/protocol/receipt/malformed", test_receipt_malformed);
  g_test_add_func ("/protocol/receipts-file/round-trip-and-refusals", test_receipts_file);
  g_test_add_func ("/protocol/bundle/round-trip", test_bundle_round_trip);
  g_test_add_func ("/protocol/bundle/every-byte-and-truncation", test_bundle_tamper);
  g_test_add_func ("/protocol/bundle/read-limits", test_bundle_read_limits);
  g_test_add_func ("/protocol/bundle/errors", test_bundle_errors);
  g_test_add_func ("/protocol/signed-questionnaire/round-trip-and-refusals", test_signed_questionnaire);
  g_test_add_func ("/protocol/base64/strict", test_base64_strict);

  return g_test_run ();
}

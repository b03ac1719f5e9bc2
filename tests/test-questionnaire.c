/* test-questionnaire.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "intake-answer.h"
#include "intake-canonical-json.h"
#include "intake-questionnaire.h"
#include "intake-session.h"
#include "intake-test-util.h"

/* Independently computed (Python json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) and hashlib.sha256) from tests/data/questionnaire-valid.json. */
#define VALID_HASH "f384a941aa48e922195949d9c77e7cf98a3d1175dd4daa511cdc572d3a834c26"

static char *
read_valid (gsize *len)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static IntakeQuestionnaire *
load_text (const char  *text,
           GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return intake_questionnaire_new_from_bytes (bytes, "mutant.json", error);
}

static IntakeQuestionnaire *
load_valid (void)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (q);
  return q;
}

static void
test_new_destroy (void)
{
  IntakeQuestionnaire *q = load_valid ();

  g_assert_true (INTAKE_IS_QUESTIONNAIRE (q));
  g_assert_finalize_object (q);
}

static void
test_identity (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  g_autoptr(GBytes) canonical = intake_questionnaire_dup_canonical (q);
  const guint8 *raw = intake_questionnaire_get_hash_bytes (q);
  const char *hash = intake_questionnaire_get_hash (q);

  g_assert_cmpstr (intake_questionnaire_get_id (q), ==, "test-intake");
  g_assert_cmpuint (intake_questionnaire_get_version (q), ==, 3);
  g_assert_cmpuint (strlen (hash), ==, 64);
  for (const char *p = hash; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
  g_assert_cmpstr (hash, ==, VALID_HASH);
  for (guint i = 0; i < 32; i++)
    {
      char pair[3];

      g_snprintf (pair, sizeof pair, "%02x", raw[i]);
      g_assert_cmpint (strncmp (hash + 2 * i, pair, 2), ==, 0);
    }
  g_assert_cmpuint (g_bytes_get_size (canonical), ==, 11580);
}

static void
test_counts (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  const IntakeLanguage *nl, *en, *ar;

  g_assert_cmpstr (intake_questionnaire_get_source_language (q), ==, "nl");
  g_assert_cmpuint (intake_questionnaire_get_n_languages (q), ==, 3);
  nl = intake_questionnaire_get_language (q, 0);
  en = intake_questionnaire_get_language (q, 2);
  ar = intake_questionnaire_get_language (q, 1);
  /* Source first, then sorted by code. */
  g_assert_cmpstr (nl->code, ==, "nl");
  g_assert_cmpstr (ar->code, ==, "ar");
  g_assert_cmpstr (en->code, ==, "en");
  g_assert_true (nl->reviewed && !nl->rtl);
  g_assert_true (!en->reviewed && !en->rtl);
  g_assert_true (!ar->reviewed && ar->rtl);
  g_assert_cmpstr (ar->name, ==, "العربية");
  g_assert_true (intake_questionnaire_lookup_language (q, "ar") == ar);
  g_assert_null (intake_questionnaire_lookup_language (q, "fr"));

  g_assert_cmpuint (intake_questionnaire_get_n_sections (q), ==, 5);
  g_assert_cmpuint (intake_questionnaire_get_n_questions (q), ==, 21);
  g_assert_cmpuint (intake_questionnaire_count_texts (q), ==, 73);
  g_assert_cmpuint (intake_questionnaire_count_strings (q, "nl"), ==, 73);
  g_assert_cmpuint (intake_questionnaire_count_strings (q, "ar"), ==, 73);
  g_assert_cmpuint (intake_questionnaire_count_strings (q, "fr"), ==, 0);

  g_assert_cmpstr (intake_questionnaire_get_title (q, "en"), ==, "Getting to know you: work and income");
  g_assert_cmpstr (intake_questionnaire_get_title (q, "ar"), ==, "التعارف: العمل والدخل");
  g_assert_nonnull (intake_questionnaire_get_introduction (q, "nl"));
  g_assert_null (intake_questionnaire_get_title (q, "fr"));
}

static void
test_structure (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  const IntakeSection *work = intake_questionnaire_get_section (q, 1);
  const IntakeSection *support = intake_questionnaire_get_section (q, 4);
  const IntakeQuestion *birth = intake_questionnaire_lookup_question (q, "birth_date");
  const IntakeQuestion *sectors = intake_questionnaire_lookup_question (q, "sectors_wanted");
  const IntakeQuestion *confidence = intake_questionnaire_lookup_question (q, "work_confidence");
  const IntakeQuestion *phone = intake_questionnaire_lookup_question (q, "phone");
  const IntakeQuestion *hours = intake_questionnaire_lookup_question (q, "hours_per_week");
  const IntakeQuestion *ladder = intake_questionnaire_lookup_question (q, "ladder_now");
  const IntakeQuestion *health = intake_questionnaire_lookup_question (q, "health_limits");
  const IntakeQuestion *digital = intake_questionnaire_lookup_question (q, "digital_skills");

  g_assert_cmpstr (work->code, ==, "work");
  g_assert_cmpuint (work->first_question, ==, 5);
  g_assert_cmpuint (work->n_questions, ==, 9);
  g_assert_null (work->visible_if);
  g_assert_nonnull (support->visible_if);
  g_assert_cmpstr (intake_text_get (support->title, "en"), ==, "Support");

  g_assert_true (intake_questionnaire_get_question (q, 0) == birth);
  g_assert_cmpint (birth->type, ==, INTAKE_QUESTION_TYPE_DATE);
  g_assert_true (birth->required);
  g_assert_cmpstr (birth->date_min, ==, "today-120y");
  g_assert_cmpstr (birth->date_max, ==, "today-16y");
  g_assert_cmpstr (intake_text_get (birth->help, "nl"), ==, "Dit staat op uw ID-kaart.");

  g_assert_cmpint (sectors->type, ==, INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE);
  g_assert_cmpuint (sectors->section, ==, 1);
  g_assert_cmpuint (sectors->index, ==, 7);
  g_assert_cmpuint (sectors->n_options, ==, 6);
  g_assert_cmpuint (sectors->min_selected, ==, 1);
  g_assert_cmpuint (sectors->max_selected, ==, 3);
  g_assert_cmpstr (sectors->options[5].code, ==, "none");
  g_assert_true (sectors->options[5].exclusive);
  g_assert_false (sectors->options[0].exclusive);
  g_assert_cmpstr (intake_text_get (sectors->options[3].label, "ar"), ==, "الرعاية المنزلية");
  g_assert_true (intake_question_lookup_option (sectors, "logistics") == &sectors->options[1]);
  g_assert_null (intake_question_lookup_option (sectors, "metal"));
  g_assert_cmpstr (sectors->tag_zrm, ==, "work_education");

  g_assert_cmpint (confidence->type, ==, INTAKE_QUESTION_TYPE_SCALE);
  g_assert_cmpint (confidence->min, ==, 0);
  g_assert_cmpint (confidence->max, ==, 10);
  g_assert_cmpstr (intake_text_get (confidence->max_label, "en"), ==, "Very confident");
  g_assert_cmpstr (confidence->tag_pg, ==, "participation");
  g_assert_nonnull (confidence->visible_if);
  g_assert_cmpstr (digital->tag_esco, ==, "T1");

  g_assert_cmpint (phone->type, ==, INTAKE_QUESTION_TYPE_SHORT_TEXT);
  g_assert_cmpint (phone->text_kind, ==, INTAKE_TEXT_KIND_PHONE);
  g_assert_cmpuint (phone->max_length, ==, 20);
  g_assert_null (phone->visible_if);

  g_assert_cmpint (hours->type, ==, INTAKE_QUESTION_TYPE_NUMBER);
  g_assert_cmpstr (intake_text_get (hours->unit, "nl"), ==, "uur per week");

  g_assert_cmpint (ladder->type, ==, INTAKE_QUESTION_TYPE_LADDER);
  g_assert_cmpint (ladder->min, ==, 1);
  g_assert_cmpint (ladder->max, ==, 6);
  g_assert_cmpstr (ladder->tag_ladder, ==, "current");
  for (guint i = 0; i < INTAKE_LADDER_RUNGS; i++)
    g_assert_nonnull (intake_text_get (ladder->rungs[i], "ar"));

  g_assert_true (health->rather_not_say);
  g_assert_cmpstr (health->tag_zrm, ==, "physical_health");
  g_assert_cmpstr (health->tag_pg, ==, "daily_functioning");

  g_assert_cmpstr (intake_question_type_to_string (INTAKE_QUESTION_TYPE_YES_NO), ==, "yes_no");
  g_assert_cmpstr (intake_question_type_to_string (INTAKE_QUESTION_TYPE_LADDER), ==, "ladder");
  g_assert_null (intake_questionnaire_lookup_question (q, "nope"));
}

/* Rewrites every object with its members in reverse order. */
static JsonNode *
reverse_keys (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = g_list_reverse (json_object_get_members (object));
      JsonObject *reversed = json_object_new ();

      for (GList *m = members; m != NULL; m = m->next)
        json_object_set_member (reversed, m->data, reverse_keys (json_object_get_member (object, m->data)));
      JsonNode *result = json_node_new (JSON_NODE_OBJECT);

      json_node_take_object (result, reversed);
      return result;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, reverse_keys (json_array_get_element (array, i)));
      JsonNode *result = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (result, copy);
      return result;
    }
  return json_node_copy (node);
}

static char *
generate (JsonNode *node,
          gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 7);
  return json_generator_to_data (generator, NULL);
}

static void
test_hash_ignores_formatting (void)
{
  g_autofree char *text = read_valid (NULL);
  g_autoptr(JsonNode) root = parse_json (text);
  g_autoptr(JsonNode) reversed = reverse_keys (root);
  g_autofree char *compact = generate (root, FALSE);
  g_autofree char *pretty_reversed = generate (reversed, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) a = NULL;
  g_autoptr(IntakeQuestionnaire) b = NULL;

  g_assert_cmpstr (compact, !=, text);
  g_assert_cmpstr (pretty_reversed, !=, text);
  a = load_text (compact, &error);
  g_assert_no_error (error);
  b = load_text (pretty_reversed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_hash (a), ==, VALID_HASH);
  g_assert_cmpstr (intake_questionnaire_get_hash (b), ==, VALID_HASH);
}

static void
test_hash_follows_content (void)
{
  g_autofree char *text = read_valid (NULL);
  const char *edits[][2] = {
    { "Wat is uw geboortedatum?", "Wat is uw geboortedatum ?" },
    { "\"version\": 3", "\"version\": 4" },
    { "\"max_length\": 12", "\"max_length\": 13" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GString) changed = g_string_new (text);
      g_autoptr(IntakeQuestionnaire) q = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (g_string_replace (changed, edits[i][0], edits[i][1], 1), ==, 1);
      q = load_text (changed->str, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (intake_questionnaire_get_hash (q), !=, VALID_HASH);
    }
}

static void
test_canonical_matches (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  g_autoptr(GBytes) canonical = intake_questionnaire_dup_canonical (q);
  g_autofree char *text = read_valid (NULL);
  g_autoptr(JsonNode) root = parse_json (text);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gsize len;

  expected = intake_canonical_json_serialize (root, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (canonical, NULL), g_bytes_get_size (canonical), expected, len);
}

static void
test_date_expressions (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2024, 2, 29, 12, 0, 0);
  struct {
    const char *expression;
    const char *expected;  /* NULL: invalid */
  } cases[] = {
    { "2000-01-31", "2000-01-31" },
    { "today", "2024-02-29" },
    { "today-1y", "2023-02-28" },
    { "today+4y", "2028-02-29" },
    { "today-120y", "1904-02-29" },
    { "today-1m", "2024-01-29" },
    { "today+1m", "2024-03-29" },
    { "today+1d", "2024-03-01" },
    { "today-60d", "2023-12-31" },
    { "today-0d", "2024-02-29" },
    { "2023-02-29", NULL },
    { "2024-2-29", NULL },
    { "0000-01-01", NULL },
    { "today-", NULL },
    { "today-1", NULL },
    { "today-1w", NULL },
    { "today - 1y", NULL },
    { "today-1y ", NULL },
    { "today-123456d", NULL },
    { "today-3000y", NULL },
    { "today+8000y", NULL },
    { "yesterday", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GDate date;
      char text[16];

      if (cases[i].expected == NULL)
        {
          g_assert_false (intake_date_expression_evaluate (cases[i].expression, now, &date));
          continue;
        }
      g_assert_true (intake_date_expression_evaluate (cases[i].expression, now, &date));
      g_date_strftime (text, sizeof text, "%Y-%m-%d", &date);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* ------------------------------------------------------------------ */
/* Broken questionnaires                                                */

typedef enum {
  SET,      /* set the member/element at path to the JSON value */
  REMOVE,   /* remove the member/element at path */
  REPLACE,  /* replace the first occurrence of path (a text) in the compact file by value */
  RAW,      /* the whole file is value */
} Op;

typedef struct {
  const char               *name;
  Op                        op;
  const char               *target;
  const char               *value;
  IntakeQuestionnaireError  code;
  const char               *error_path;
} Mutation;


static const Mutation mutations[] = {
  { "syntax", RAW, NULL, "{\n  \"format\": 1,\n  \"id\" \"x\"\n}", INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$.id" },
  { "empty-file", RAW, NULL, "", INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$" },
  { "only-whitespace", RAW, NULL, "  \n ", INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$" },
  { "not-utf8", RAW, NULL, "{\"format\": 1, \"id\": \"\xff\"}", INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$" },
  { "root-array", RAW, NULL, "[1, 2]", INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$" },
  { "format-2", SET, "$.format", "2", INTAKE_QUESTIONNAIRE_ERROR_UNSUPPORTED_FORMAT, "$.format" },
  { "format-missing", REMOVE, "$.format", NULL, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$" },
  { "unknown-key/top", SET, "$.colour", "\"blue\"", INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.colour" },
  { "unknown-key/question", SET, "$.sections[0].questions[1].placeholder", "\"123\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[0].questions[1].placeholder" },
  { "unknown-key/option", SET, "$.sections[1].questions[1].options[0].colour", "\"red\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[1].questions[1].options[0].colour" },
  { "unknown-key/type-specific", SET, "$.sections[0].questions[4].options", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[0].questions[4].options" },
  { "unknown-key/exclusive-on-single-choice", SET, "$.sections[1].questions[1].options[3].exclusive", "true",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[1].questions[1].options[3].exclusive" },
  { "unknown-key/language", SET, "$.languages.en.flag", "\"gb\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.languages.en.flag" },
  { "unknown-key/condition", SET, "$.sections[0].questions[3].visible_if.equal", "true",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[0].questions[3].visible_if.equal" },
  { "missing-key/id", REMOVE, "$.id", NULL, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$" },
  { "missing-key/question-text", REMOVE, "$.sections[0].questions[0].text", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[0].questions[0]" },
  { "missing-key/scale-label", REMOVE, "$.sections[1].questions[6].max_label", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[1].questions[6]" },
  { "missing-key/max-length", REMOVE, "$.sections[0].questions[2].max_length", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[0].questions[2]" },
  { "missing-key/comparison", REMOVE, "$.sections[0].questions[3].visible_if.answered", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[0].questions[3].visible_if" },
  { "duplicate-key", REPLACE, "\"version\":3", "\"version\":3,\"version\":4",
    INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_KEY, "$.version" },
  /* json-glib 1.6 reads these too (tests/test-json.c); the loader does not. */
  { "strict/block-comment", REPLACE, "\"version\":3", "\"version\":3 /* draft */",
    INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$.version" },
  { "strict/single-quotes", REPLACE, "\"version\":3", "\"version\":'3'",
    INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$.version" },
  { "strict/hex-number", REPLACE, "\"version\":3", "\"version\":0x3",
    INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$.version" },
  { "strict/second-value", REPLACE, "\"version\":3", "\"version\":3}{\"a\":1",
    INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$" },
  /* json-glib decodes an unpaired surrogate escape to bytes that are not UTF-8, cuts a
   * string at an escaped NUL, and turns integers beyond 64 bits into others (this one into -1). */
  { "invalid-text/unpaired-surrogate", REPLACE, "Kennismaken met werk en inkomen",
    "Kennismaken met werk en inkomen \\ud800xx", INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.title.nl" },
  { "invalid-text/unpaired-surrogate-key", REPLACE, "\"version\":3", "\"version\":3,\"\\ud800xx\":1",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$" },
  { "invalid-text/escaped-nul", REPLACE, "Kennismaken met werk en inkomen",
    "Kennismaken\\u0000 met werk en inkomen", INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.title.nl" },
  { "invalid-value/integer-beyond-64-bits", REPLACE, "\"version\":3", "\"version\":18446744073709551619",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.version" },
  { "wrong-type/version-string", SET, "$.version", "\"3\"", INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.version" },
  { "wrong-type/required", SET, "$.sections[0].questions[4].required", "\"yes\"",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[0].questions[4].required" },
  { "wrong-type/text-is-string", SET, "$.title", "\"Intake\"", INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.title" },
  { "wrong-type/null", SET, "$.sections[0].questions[0].help", "null",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[0].questions[0].help" },
  { "wrong-type/non-integer", SET, "$.sections[1].questions[3].max", "40.5",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[1].questions[3].max" },
  { "wrong-type/integral-double", SET, "$.sections[1].questions[3].min", "0.0",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[1].questions[3].min" },
  { "wrong-type/exponent-in-text", SET, "$.title.en", "1e3", INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.title.en" },
  { "bad-id", SET, "$.id", "\"Test Intake\"", INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.id" },
  { "bad-version", SET, "$.version", "0", INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.version" },
  { "bad-code/question", SET, "$.sections[0].questions[0].code", "\"Birth-Date\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[0].questions[0].code" },
  { "bad-code/section", SET, "$.sections[2].code", "\"2health\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[2].code" },
  { "bad-code/option", SET, "$.sections[3].questions[2].options[0].code", "\"_rented\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[3].questions[2].options[0].code" },
  { "bad-code/too-long", SET, "$.sections[0].questions[1].code",
    "\"a123456789012345678901234567890123456789012345678\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[0].questions[1].code" },
  { "duplicate-code/question", SET, "$.sections[2].questions[1].code", "\"phone\"",
    INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, "$.sections[2].questions[1].code" },
  { "duplicate-code/option", SET, "$.sections[1].questions[2].options[2].code", "\"hospitality\"",
    INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, "$.sections[1].questions[2].options[2].code" },
  { "duplicate-code/section", SET, "$.sections[3].code", "\"work\"",
    INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, "$.sections[3].code" },
  { "language/undeclared-in-text", SET, "$.sections[2].title.fr", "\"Sant\xc3\xa9\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, "$.sections[2].title.fr" },
  { "language/missing-translation", REMOVE, "$.sections[1].questions[2].options[4].label.ar", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_TRANSLATION, "$.sections[1].questions[2].options[4].label" },
  { "language/empty-text", SET, "$.introduction.en", "\"\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.introduction.en" },
  { "language/source-undeclared", SET, "$.source_language", "\"fr\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, "$.source_language" },
  { "language/source-draft", SET, "$.languages.nl.status", "\"draft\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.languages.nl.status" },
  { "language/bad-status", SET, "$.languages.en.status", "\"approved\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.languages.en.status" },
  { "language/bad-direction", SET, "$.languages.ar.direction", "\"right\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.languages.ar.direction" },
  { "language/bad-code", SET, "$.languages.eng", "{\"name\": \"English\", \"direction\": \"ltr\", \"status\": \"draft\"}",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.languages.eng" },
  { "language/none", SET, "$.languages", "{}", INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.languages" },
  { "unknown-question-type", SET, "$.sections[0].questions[4].type", "\"slider\"",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_QUESTION_TYPE, "$.sections[0].questions[4].type" },
  { "options/too-few", SET, "$.sections[3].questions[2].options",
    "[{\"code\": \"rented\", \"label\": {\"nl\": \"Huur\", \"en\": \"Rent\", \"ar\": \"\xd8\xa5\xd9\x8a\xd8\xac\xd8\xa7\xd8\xb1\"}}]",
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_OPTIONS, "$.sections[3].questions[2].options" },
  { "options/missing", REMOVE, "$.sections[3].questions[1].options", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[3].questions[1]" },
  { "range/selected", SET, "$.sections[1].questions[2].min_selected", "4",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[2].min_selected" },
  /* Six options, one exclusive: six cannot be chosen together (found by
   * fuzz/fuzz-questionnaire, whose random answers could not answer it). */
  { "range/min-selected-above-combinable", REPLACE, "\"min_selected\":1,\"max_selected\":3",
    "\"min_selected\":6,\"max_selected\":6",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[2].min_selected" },
  { "range/max-selected-above-options", SET, "$.sections[1].questions[2].max_selected", "7",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[2].max_selected" },
  { "range/scale-min-not-below-max", SET, "$.sections[1].questions[7].min", "5",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[7].max" },
  { "range/scale-too-many-steps", SET, "$.sections[1].questions[6].max", "11",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[6].max" },
  { "range/number-min-above-max", SET, "$.sections[1].questions[3].min", "41",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[1].questions[3].max" },
  { "range/date-min-after-max", SET, "$.sections[0].questions[0].max", "\"today-130y\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, "$.sections[0].questions[0].max" },
  { "wrong-type/options", SET, "$.sections[3].questions[1].options", "0",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[3].questions[1].options" },
  { "short-text/max-length-too-big", SET, "$.sections[4].questions[1].max_length", "501",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[4].questions[1].max_length" },
  { "short-text/bad-kind", SET, "$.sections[0].questions[1].text_kind", "\"number\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[0].questions[1].text_kind" },
  { "date/allow-unknown-not-boolean", SET, "$.sections[0].questions[0].allow_unknown", "\"yes\"",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[0].questions[0].allow_unknown" },
  { "unknown-key/allow-unknown-on-text", SET, "$.sections[0].questions[1].allow_unknown", "true",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[0].questions[1].allow_unknown" },
  { "short-text/none-option-not-text", SET, "$.sections[0].questions[1].none_option", "\"Geen\"",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[0].questions[1].none_option" },
  { "short-text/none-option-untranslated", SET, "$.sections[0].questions[1].none_option", "{\"nl\": \"Geen\"}",
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_TRANSLATION, "$.sections[0].questions[1].none_option" },
  { "unknown-key/none-option-on-date", SET, "$.sections[0].questions[0].none_option", "{\"nl\": \"Geen\"}",
    INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, "$.sections[0].questions[0].none_option" },
  { "date/bad-expression", SET, "$.sections[0].questions[0].min", "\"120 years ago\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[0].questions[0].min" },
  { "date/impossible-date", SET, "$.sections[0].questions[0].min", "\"1900-02-29\"",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[0].questions[0].min" },
  { "ladder/five-rungs", REMOVE, "$.sections[1].questions[4].rungs[5]", NULL,
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[1].questions[4].rungs" },
  { "ladder/rung-not-text", SET, "$.sections[1].questions[5].rungs[2]", "\"Activiteit\"",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[1].questions[5].rungs[2]" },
  { "tag/unknown-key", SET, "$.sections[2].questions[0].tags.icf", "\"d850\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, "$.sections[2].questions[0].tags.icf" },
  { "tag/bad-zrm", SET, "$.sections[3].questions[0].tags.zrm", "\"money\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, "$.sections[3].questions[0].tags.zrm" },
  { "tag/bad-esco", SET, "$.sections[1].questions[7].tags.esco", "\"t1\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, "$.sections[1].questions[7].tags.esco" },
  { "tag/bad-ladder-value", SET, "$.sections[1].questions[5].tags.ladder", "\"goal\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, "$.sections[1].questions[5].tags.ladder" },
  { "tag/ladder-on-scale", SET, "$.sections[2].questions[0].tags.ladder", "\"current\"",
    INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, "$.sections[2].questions[0].tags.ladder" },
  { "tag/not-string", SET, "$.sections[2].questions[1].tags.pg", "3",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[2].questions[1].tags.pg" },
  { "condition/forward", SET, "$.sections[0].questions[3].visible_if.question", "\"worked_before\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD, "$.sections[0].questions[3].visible_if.question" },
  { "condition/forward-nested", SET, "$.sections[1].questions[6].visible_if.any[1].question", "\"digital_skills\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD, "$.sections[1].questions[6].visible_if.any[1].question" },
  { "condition/section-own-question", SET, "$.sections[4].visible_if.any[1]",
    "{\"question\": \"support_wanted\", \"answered\": true}",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD, "$.sections[4].visible_if.any[1].question" },
  { "condition/self", SET, "$.sections[0].questions[3].visible_if.question", "\"email\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_CYCLE, "$.sections[0].questions[3].visible_if.question" },
  { "condition/unknown-code", SET, "$.sections[0].questions[3].visible_if.question", "\"phnoe\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_UNKNOWN, "$.sections[0].questions[3].visible_if.question" },
  { "condition/value-type", SET, "$.sections[1].questions[1].visible_if.equals", "\"yes\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[1].questions[1].visible_if.equals" },
  { "condition/unknown-option", SET, "$.sections[1].questions[3].visible_if.not.equals", "\"nothing\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[1].questions[3].visible_if.not.equals" },
  { "condition/unknown-option-in-one-of", SET, "$.sections[1].questions[6].visible_if.any[1].one_of[2]", "\"metal\"",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[1].questions[6].visible_if.any[1].one_of[2]" },
  { "condition/out-of-range", SET, "$.sections[1].questions[5].visible_if.at_most", "7",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[1].questions[5].visible_if.at_most" },
  { "condition/equals-on-short-text", SET, "$.sections[0].questions[3].visible_if",
    "{\"question\": \"phone\", \"equals\": \"0612345678\"}",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[0].questions[3].visible_if.equals" },
  { "condition/at-least-on-yes-no", SET, "$.sections[3].questions[1].visible_if",
    "{\"question\": \"debts\", \"at_least\": 1}",
    INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, "$.sections[3].questions[1].visible_if.at_least" },
  { "condition/two-comparisons", SET, "$.sections[3].questions[1].visible_if.answered", "true",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[3].questions[1].visible_if.answered" },
  { "condition/two-forms", SET, "$.sections[1].questions[3].visible_if.any", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.sections[1].questions[3].visible_if.any" },
  { "condition/empty-all", SET, "$.sections[4].questions[1].visible_if.all", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections[4].questions[1].visible_if.all" },
  { "condition/empty-any", SET, "$.sections[4].visible_if.any", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections[4].visible_if.any" },
  { "condition/empty-one-of", SET, "$.sections[1].questions[6].visible_if.any[1].one_of", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections[1].questions[6].visible_if.any[1].one_of" },
  { "condition/empty-object", SET, "$.sections[1].questions[8].visible_if", "{}",
    INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, "$.sections[1].questions[8].visible_if" },
  { "condition/not-object", SET, "$.sections[1].questions[8].visible_if", "\"hours_per_week > 0\"",
    INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, "$.sections[1].questions[8].visible_if" },
  { "empty/sections", SET, "$.sections", "[]", INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections" },
  { "empty/questions", SET, "$.sections[2].questions", "[]",
    INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections[2].questions" },
};

/* Finds the parent of the last step of @path ("$.a.b[2].c") in @root. */
static void
resolve (JsonNode    *root,
         const char  *path,
         JsonNode   **parent,
         char       **key,
         int         *index)
{
  JsonNode *node = root;
  const char *p = path;

  g_assert_true (g_str_has_prefix (p, "$"));
  p++;
  *parent = NULL;
  *key = NULL;
  *index = -1;

  while (*p != '\0')
    {
      if (node == NULL)
        g_error ("path %s goes through a missing node", path);
      *parent = node;
      g_clear_pointer (key, g_free);
      *index = -1;
      if (*p == '.')
        {
          gsize n = strcspn (p + 1, ".[");

          *key = g_strndup (p + 1, n);
          p += 1 + n;
          node = json_object_get_member (json_node_get_object (*parent), *key);
        }
      else if (*p == '[')
        {
          char *end;

          *index = (int) g_ascii_strtoll (p + 1, &end, 10);
          g_assert_true (*end == ']');
          p = end + 1;
          node = json_array_get_element (json_node_get_array (*parent), *index);
        }
      else
        g_error ("bad path %s", path);
    }
}

static char *
apply_mutation (const Mutation *m)
{
  g_autofree char *text = read_valid (NULL);
  g_autoptr(JsonNode) root = parse_json (text);
  JsonNode *parent;
  g_autofree char *key = NULL;
  int index;

  switch (m->op)
    {
    case RAW:
      return g_strdup (m->value);

    case REPLACE:
      {
        g_autofree char *compact = generate (root, FALSE);
        GString *changed = g_string_new (compact);

        g_assert_cmpuint (g_string_replace (changed, m->target, m->value, 1), ==, 1);
        return g_string_free (changed, FALSE);
      }

    case SET:
    case REMOVE:
      resolve (root, m->target, &parent, &key, &index);
      if (key != NULL)
        {
          JsonObject *object = json_node_get_object (parent);

          if (m->op == SET)
            json_object_set_member (object, key, parse_json (m->value));
          else
            {
              g_assert_true (json_object_has_member (object, key));
              json_object_remove_member (object, key);
            }
        }
      else
        {
          JsonArray *array = json_node_get_array (parent);

          g_assert_cmpint (index, <, (int) json_array_get_length (array));
          if (m->op == REMOVE)
            json_array_remove_element (array, index);
          else
            {
              /* JsonArray has no setter: rebuild it. */
              JsonArray *copy = json_array_new ();

              for (guint i = 0; i < json_array_get_length (array); i++)
                json_array_add_element (copy, (int) i == index
                                        ? parse_json (m->value)
                                        : json_node_copy (json_array_get_element (array, i)));
              json_node_take_array (parent, copy);
            }
        }
      return generate (root, TRUE);

    default:
      g_assert_not_reached ();
    }
}

static void
test_reject (gconstpointer data)
{
  const Mutation *m = data;
  g_autofree char *text = apply_mutation (m);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;
  g_autofree char *prefix = g_strdup_printf ("mutant.json: %s: ", m->error_path);

  q = load_text (text, &error);
  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, (int) m->code);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("message \"%s\" does not start with \"%s\"", error->message, prefix);
}

static void
test_reject_syntax_position (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = load_text ("{\n  \"format\": 1,\n  \"id\" \"x\"\n}", &error);

  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_assert_nonnull (strstr (error->message, "column"));
}

static void
test_reject_from_file (void)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "broken-intake.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *text = read_valid (NULL);
  g_autoptr(GString) changed = g_string_new (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s: $.sections[0].questions[3].visible_if.question: ", path);

  g_assert_cmpuint (g_string_replace (changed, "\"question\": \"phone\"", "\"question\": \"needs_interpreter\"", 1), ==, 1);
  intake_test_write_file (path, changed->str);
  q = intake_questionnaire_new_from_file (path, &error);
  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, "needs_interpreter"));
  g_clear_error (&error);

  q = intake_questionnaire_new_from_file (missing, &error);
  g_assert_null (q);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  intake_test_rm_rf (dir);
}

static void
test_reject_too_large (void)
{
  gsize size = INTAKE_QUESTIONNAIRE_MAX_SIZE + 1;
  g_autofree char *big = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;

  memset (big, ' ', size);
  big[0] = '{';
  big[size - 1] = '}';
  bytes = g_bytes_new_take (g_steal_pointer (&big), size);
  q = intake_questionnaire_new_from_bytes (bytes, "big.json", &error);
  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "big.json: $: "));
}

/* json-glib's parser recurses once per level: deep nesting well within the
 * size limit must be refused before it is parsed, not overflow the stack. */
static void
test_reject_deep_nesting (void)
{
  const guint depth = 300000;
  g_autoptr(GString) text = g_string_new ("{\"format\": 1, \"x\": ");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  g_assert_cmpuint (text->len, <, INTAKE_QUESTIONNAIRE_MAX_SIZE);

  bytes = g_bytes_new (text->str, text->len);
  q = intake_questionnaire_new_from_bytes (bytes, "deep.json", &error);
  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "deep.json: $.x[0][0][0]"));
  g_assert_nonnull (strstr (error->message, "nested more than 1024 levels deep"));
}

/* ------------------------------------------------------------------ */
/* Conditions, evaluated directly                                       */

typedef struct {
  IntakeQuestionnaire *q;
  IntakeAnswer       **answers;
} Answers;

static const IntakeAnswer *
lookup_cb (guint    question_index,
           gpointer user_data)
{
  Answers *a = user_data;

  return a->answers[question_index];
}

static void
test_condition_evaluate (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  g_autofree IntakeAnswer **answers = g_new0 (IntakeAnswer *, intake_questionnaire_get_n_questions (q));
  Answers a = { q, answers };
  const IntakeQuestion *email = intake_questionnaire_lookup_question (q, "email");
  const IntakeQuestion *phone = intake_questionnaire_lookup_question (q, "phone");
  const IntakeQuestion *hours = intake_questionnaire_lookup_question (q, "hours_per_week");
  const IntakeQuestion *sectors = intake_questionnaire_lookup_question (q, "sectors_wanted");
  const IntakeQuestion *confidence = intake_questionnaire_lookup_question (q, "work_confidence");
  const IntakeQuestion *worked = intake_questionnaire_lookup_question (q, "worked_before");
  const char *none[] = { "none", NULL };
  const char *two[] = { "logistics", "home_care", NULL };

  /* answered: false */
  g_assert_true (intake_condition_evaluate (email->visible_if, lookup_cb, &a));
  answers[phone->index] = intake_answer_new_text ("0612345678");
  g_assert_false (intake_condition_evaluate (email->visible_if, lookup_cb, &a));
  g_clear_pointer (&answers[phone->index], intake_answer_free);

  /* not equals: holds while unanswered */
  g_assert_true (intake_condition_evaluate (hours->visible_if, lookup_cb, &a));
  answers[sectors->index] = intake_answer_new_choices (none);
  g_assert_false (intake_condition_evaluate (hours->visible_if, lookup_cb, &a));
  g_clear_pointer (&answers[sectors->index], intake_answer_free);
  answers[sectors->index] = intake_answer_new_choices (two);
  g_assert_true (intake_condition_evaluate (hours->visible_if, lookup_cb, &a));

  /* any [equals true, one_of]: logistics is chosen */
  g_assert_true (intake_condition_evaluate (confidence->visible_if, lookup_cb, &a));
  g_clear_pointer (&answers[sectors->index], intake_answer_free);
  g_assert_false (intake_condition_evaluate (confidence->visible_if, lookup_cb, &a));
  answers[worked->index] = intake_answer_new_boolean (TRUE);
  g_assert_true (intake_condition_evaluate (confidence->visible_if, lookup_cb, &a));
  g_clear_pointer (&answers[worked->index], intake_answer_free);
  answers[worked->index] = intake_answer_new_declined ();
  g_assert_false (intake_condition_evaluate (confidence->visible_if, lookup_cb, &a));

  for (guint i = 0; i < intake_questionnaire_get_n_questions (q); i++)
    g_clear_pointer (&answers[i], intake_answer_free);
}

/* ------------------------------------------------------------------ */
/* Answers                                                              */

static void
test_answer_json (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  const char *codes[] = { "logistics", "cleaning", NULL };
  struct {
    const char   *question;
    IntakeAnswer *answer;
    const char   *json;
  } cases[] = {
    { "last_sector", intake_answer_new_choice ("cleaning"), "\"cleaning\"" },
    { "sectors_wanted", intake_answer_new_choices (codes), "[\"cleaning\",\"logistics\"]" },
    { "hours_per_week", intake_answer_new_integer (24), "24" },
    { "needs_interpreter", intake_answer_new_boolean (FALSE), "false" },
    { "support_notes", intake_answer_new_text ("Hulp \"graag\"\n"), "\"Hulp \\\"graag\\\"\\n\"" },
    { "birth_date", intake_answer_new_date ("1980-05-17"), "\"1980-05-17\"" },
    { "debts", intake_answer_new_declined (), "null" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const IntakeQuestion *question = intake_questionnaire_lookup_question (q, cases[i].question);
      g_autoptr(IntakeAnswer) answer = cases[i].answer;
      g_autoptr(IntakeAnswer) copy = intake_answer_copy (answer);
      g_autoptr(IntakeAnswer) back = NULL;
      g_autoptr(JsonNode) node = intake_answer_to_json (answer);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = intake_canonical_json_serialize (node, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, cases[i].json);
      g_assert_true (intake_answer_equal (answer, copy));
      back = intake_answer_new_from_json (question, node, &error);
      g_assert_no_error (error);
      g_assert_true (intake_answer_equal (answer, back));
    }
}

static void
test_answer_equal (void)
{
  const char *ab[] = { "a", "b", NULL };
  const char *ba[] = { "b", "a", NULL };
  const char *abc[] = { "a", "b", "c", NULL };
  g_autoptr(IntakeAnswer) x = intake_answer_new_choices (ab);
  g_autoptr(IntakeAnswer) y = intake_answer_new_choices (ba);
  g_autoptr(IntakeAnswer) z = intake_answer_new_choices (abc);
  g_autoptr(IntakeAnswer) one = intake_answer_new_integer (1);
  g_autoptr(IntakeAnswer) yes = intake_answer_new_boolean (TRUE);
  g_autoptr(IntakeAnswer) text = intake_answer_new_text ("a");
  g_autoptr(IntakeAnswer) choice = intake_answer_new_choice ("a");

  g_assert_true (intake_answer_equal (x, y));
  g_assert_false (intake_answer_equal (x, z));
  g_assert_false (intake_answer_equal (one, yes));
  g_assert_false (intake_answer_equal (text, choice));
  g_assert_cmpstr (intake_answer_get_choices (y)[0], ==, "a");
  g_assert_true (intake_answer_has_choice (z, "c"));
  g_assert_false (intake_answer_has_choice (x, "c"));
  g_assert_true (G_TYPE_IS_BOXED (INTAKE_TYPE_ANSWER));
}

static void
test_answer_from_json_wrong_type (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_valid ();
  struct {
    const char *question;
    const char *json;
  } cases[] = {
    { "last_sector", "[\"cleaning\"]" },
    { "sectors_wanted", "\"cleaning\"" },
    { "sectors_wanted", "[\"cleaning\", 3]" },
    { "hours_per_week", "\"24\"" },
    { "needs_interpreter", "1" },
    { "support_notes", "true" },
    { "birth_date", "19800517" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const IntakeQuestion *question = intake_questionnaire_lookup_question (q, cases[i].question);
      g_autoptr(JsonNode) node = parse_json (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeAnswer) answer = intake_answer_new_from_json (question, node, &error);

      g_assert_null (answer);
      g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_WRONG_TYPE);
    }
}


/* ---- Recorded audio ------------------------------------------------------ */

static void
write_wav (const char *path,
           guint       rate,
           guint       channels,
           guint       bits,
           guint       n_samples)
{
  g_autoptr(GByteArray) wav = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint data_size = n_samples * channels * bits / 8;
  g_autofree char *dir = g_path_get_dirname (path);

#define LE32(v) do { guint32 x_ = (v); guint8 b_[4] = { x_, x_ >> 8, x_ >> 16, x_ >> 24 }; g_byte_array_append (wav, b_, 4); } while (0)
#define LE16(v) do { guint16 x_ = (v); guint8 b_[2] = { x_, x_ >> 8 }; g_byte_array_append (wav, b_, 2); } while (0)
  g_byte_array_append (wav, (const guint8 *) "RIFF", 4);
  LE32 (36 + data_size);
  g_byte_array_append (wav, (const guint8 *) "WAVEfmt ", 8);
  LE32 (16);
  LE16 (1);
  LE16 (channels);
  LE32 (rate);
  LE32 (rate * channels * bits / 8);
  LE16 (channels * bits / 8);
  LE16 (bits);
  g_byte_array_append (wav, (const guint8 *) "data", 4);
  LE32 (data_size);
  for (guint i = 0; i < data_size; i++)
    g_byte_array_append (wav, (const guint8 *) (i % 2 ? "\x10" : "\x00"), 1);
#undef LE32
#undef LE16

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, (const char *) wav->data, wav->len, &error);
  g_assert_no_error (error);
}

/* The recording sox made at build time (tests/meson.build). */
static void
copy_recording (const char *to)
{
  const char *from = g_getenv ("INTAKE_TEST_RECORDING");
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname (to);
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_nonnull (from);
  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
}

/* questionnaire-valid.json with recordings: the Arabic title, the first
 * question in Dutch and Arabic, the Arabic name, one Arabic UI string;
 * @title_audio replaces the title's path. */
static char *
write_audio_questionnaire (const char *dir,
                           const char *title_audio)
{
  g_autofree char *text = read_valid (NULL);
  g_autoptr(JsonNode) root = parse_json (text);
  JsonObject *object = json_node_get_object (root);
  JsonObject *first = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (object, "sections"), 0),
                                  "questions"), 0);
  g_autofree char *json = NULL;
  char *path = g_build_filename (dir, "questionnaire.json", NULL);
  g_autoptr(GError) error = NULL;

  g_autofree char *title_json = g_strdup_printf ("{\"ar\": \"%s\"}", title_audio);

  json_object_set_member (json_object_get_object_member (object, "title"), "audio", parse_json (title_json));
  json_object_set_member (json_object_get_object_member (first, "text"), "audio",
                          parse_json ("{\"nl\": \"audio/nl/birth_date.wav\", \"ar\": \"audio/ar/birth_date.wav\"}"));
  json_object_set_string_member (json_object_get_object_member (json_object_get_object_member (object, "languages"), "ar"),
                                 "audio", "audio/ar/name.wav");
  json_object_set_member (object, "interface_audio",
                          parse_json ("{\"ar\": {\"Please check the date.\": \"audio/ar/ui/check-date.wav\"}}"));
  json = generate (root, TRUE);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
write_audio_files (const char *dir)
{
  static const char *const files[] = {
    "audio/ar/title.wav", "audio/nl/birth_date.wav", "audio/ar/birth_date.wav",
    "audio/ar/name.wav", "audio/ar/ui/check-date.wav",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      copy_recording (path);
    }
}

static void
test_audio (void)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = write_audio_questionnaire (dir, "audio/ar/title.wav");
  g_autofree char *recording_path = g_build_filename (dir, "audio/ar/title.wav", NULL);
  g_autofree char *recording = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;
  g_autoptr(IntakeQuestionnaire) unbundled = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GError) error = NULL;
  const IntakeQuestion *first;
  IntakeAudioInfo info = { 0 };
  gsize length;

  write_audio_files (dir);
  q = intake_questionnaire_new_from_file (path, &error);
  g_assert_no_error (error);
  first = intake_questionnaire_get_question (q, 0);

  /* The paths, per text and language. */
  g_assert_cmpstr (intake_text_get_audio (first->text, "nl"), ==, "audio/nl/birth_date.wav");
  g_assert_cmpstr (intake_text_get_audio (first->text, "ar"), ==, "audio/ar/birth_date.wav");
  g_assert_null (intake_text_get_audio (first->text, "en"));
  g_assert_null (intake_text_get_audio (first->help, "ar"));
  g_assert_cmpstr (intake_questionnaire_lookup_language (q, "ar")->audio, ==, "audio/ar/name.wav");
  g_assert_null (intake_questionnaire_lookup_language (q, "nl")->audio);
  g_assert_cmpuint (intake_questionnaire_count_audio (q, "ar"), ==, 2);
  g_assert_cmpuint (intake_questionnaire_count_audio (q, "nl"), ==, 1);
  g_assert_cmpuint (intake_questionnaire_count_audio (q, "en"), ==, 0);
  g_assert_cmpuint (intake_questionnaire_count_interface_audio (q, "ar"), ==, 1);
  /* The texts themselves are unchanged. */
  g_assert_cmpstr (intake_text_get (first->text, "nl"), ==, "Wat is uw geboortedatum?");

  /* The bytes, from the bundle. */
  g_file_get_contents (recording_path, &recording, &length, &error);
  g_assert_no_error (error);
  bytes = intake_questionnaire_dup_audio (q, first->text, "ar");
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), recording, length);
  g_assert_true (intake_audio_check_wav (bytes, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.rate, ==, 16000);
  g_assert_cmpuint (info.n_samples, ==, 6400);  /* 0.4 s */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = intake_questionnaire_dup_language_audio (q, "ar");
  g_assert_nonnull (bytes);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = intake_questionnaire_dup_interface_audio (q, "ar", "Please check the date.");
  g_assert_nonnull (bytes);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_null (intake_questionnaire_dup_interface_audio (q, "ar", "Next"));
  g_assert_null (intake_questionnaire_dup_interface_audio (q, "nl", "Please check the date."));
  g_assert_null (intake_questionnaire_dup_audio (q, first->text, "en"));
  g_assert_null (intake_questionnaire_dup_language_audio (q, "nl"));

  /* A file that went after loading is not played. */
  {
    g_autofree char *gone = g_build_filename (dir, "audio/ar/birth_date.wav", NULL);

    g_assert_cmpint (g_remove (gone), ==, 0);
    g_assert_null (intake_questionnaire_dup_audio (q, first->text, "ar"));
    g_assert_nonnull ((bytes = intake_questionnaire_dup_audio (q, first->text, "nl")));
    g_clear_pointer (&bytes, g_bytes_unref);
  }

  /* Without a bundle (bytes alone, as a signed questionnaire arrives) the
   * paths are checked, not the files, and nothing is played. */
  g_clear_pointer (&recording, g_free);
  g_file_get_contents (path, &recording, &length, &error);
  g_assert_no_error (error);
  json = g_bytes_new_take (g_steal_pointer (&recording), length);
  unbundled = intake_questionnaire_new_from_bytes (json, "signed.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_hash (unbundled), ==, intake_questionnaire_get_hash (q));
  g_assert_null (intake_questionnaire_dup_audio (unbundled, intake_questionnaire_get_question (unbundled, 0)->text, "ar"));
}

static void
assert_audio_error (const char               *dir,
                    const char               *path,
                    IntakeQuestionnaireError  code,
                    const char               *json_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_from_file (path, &error);
  g_autofree char *prefix = g_strdup_printf ("%s: %s: ", path, json_path);

  g_assert_null (q);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, (int) code);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("message \"%s\" does not start with \"%s\"", error->message, prefix);
}

static void
test_audio_reject (void)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *outside_dir = intake_test_tmpdir_new ();
  g_autofree char *outside = g_build_filename (outside_dir, "outside.wav", NULL);
  g_autofree char *title = g_build_filename (dir, "audio/ar/title.wav", NULL);
  static const char *const bad_paths[] = {
    "../outside.wav", "/etc/outside.wav", "audio\\\\ar\\\\title.wav", "audio/ar/title.mp3",
    "audio//title.wav", "audio/./title.wav", "audio/ar/tit le.wav", "",
  };

  write_audio_files (dir);

  /* Each its own code, with the JSON path. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_autofree char *path = write_audio_questionnaire (dir, bad_paths[i]);

      assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH, "$.title.audio.ar");
    }

  /* A link that leads out of the bundle. */
  {
    g_autofree char *path = write_audio_questionnaire (dir, "audio/ar/title.wav");

    write_wav (outside, 16000, 1, 16, 800);
    g_assert_cmpint (g_remove (title), ==, 0);
    g_assert_cmpint (symlink (outside, title), ==, 0);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH, "$.title.audio.ar");
    g_assert_cmpint (g_remove (title), ==, 0);

    /* Missing. */
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING, "$.title.audio.ar");

    /* Wrong formats. */
    write_wav (title, 16000, 2, 16, 800);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");
    write_wav (title, 16000, 1, 8, 800);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");
    write_wav (title, 4000, 1, 16, 800);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");
    write_wav (title, 16000, 1, 16, 0);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");
    g_file_set_contents (title, "ID3 this is an mp3 file", -1, NULL);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");
    /* Cut short. */
    write_wav (title, 16000, 1, 16, 800);
    g_assert_cmpint (truncate (title, 30), ==, 0);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, "$.title.audio.ar");

    /* A good one loads again. */
    write_wav (title, 22050, 1, 16, 800);
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_from_file (path, &error);

      g_assert_no_error (error);
    }
  }

  /* The language and the UI strings are checked the same way. */
  {
    g_autofree char *name = g_build_filename (dir, "audio/ar/name.wav", NULL);
    g_autofree char *ui = g_build_filename (dir, "audio/ar/ui/check-date.wav", NULL);
    g_autofree char *path = write_audio_questionnaire (dir, "audio/ar/title.wav");

    g_assert_cmpint (g_remove (name), ==, 0);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING, "$.languages.ar.audio");
    write_wav (name, 16000, 1, 16, 800);
    write_wav (ui, 16000, 2, 16, 800);
    assert_audio_error (dir, path, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                        "$.interface_audio.ar[\"Please check the date.\"]");
  }
}

/* The recordings of a questionnaire compiled into a resource, as the
 * built-in one is. */
static void
test_audio_resource (void)
{
  const char *bundle_path = g_getenv ("INTAKE_TEST_AUDIO_BUNDLE");
  g_autoptr(GResource) resource = NULL;
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = NULL;
  g_autoptr(IntakeQuestionnaire) elsewhere = NULL;

  g_assert_nonnull (bundle_path);
  resource = g_resource_load (bundle_path, &error);
  g_assert_no_error (error);
  json = g_resource_lookup_data (resource, "/org/intakekiosk/test/bundle/questionnaire.json",
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  q = intake_questionnaire_new_from_bundle (json, "questionnaire.json", NULL, resource,
                                            "/org/intakekiosk/test/bundle", &error);
  g_assert_no_error (error);
  bytes = intake_questionnaire_dup_audio (q, intake_questionnaire_get_question (q, 0)->text, "ar");
  g_assert_nonnull (bytes);
  g_assert_true (intake_audio_check_wav (bytes, NULL, NULL));
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = intake_questionnaire_dup_interface_audio (q, "ar", "Next");
  g_assert_nonnull (bytes);

  /* The same document in another folder of the resource lacks the files. */
  elsewhere = intake_questionnaire_new_from_bundle (json, "questionnaire.json", NULL, resource,
                                                    "/org/intakekiosk/test/elsewhere", &error);
  g_assert_null (elsewhere);
  g_assert_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING);
  g_assert_true (g_str_has_prefix (error->message, "questionnaire.json: $.languages.ar.audio: "));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/questionnaire/new-destroy", test_new_destroy);
  g_test_add_func ("/questionnaire/load/identity", test_identity);
  g_test_add_func ("/questionnaire/load/counts", test_counts);
  g_test_add_func ("/questionnaire/load/structure", test_structure);
  g_test_add_func ("/questionnaire/load/canonical", test_canonical_matches);
  g_test_add_func ("/questionnaire/hash/ignores-formatting", test_hash_ignores_formatting);
  g_test_add_func ("/questionnaire/hash/follows-content", test_hash_follows_content);
  g_test_add_func ("/questionnaire/date-expressions", test_date_expressions);
  g_test_add_func ("/questionnaire/condition/evaluate", test_condition_evaluate);
  g_test_add_func ("/questionnaire/load/reject/syntax-position", test_reject_syntax_position);
  g_test_add_func ("/questionnaire/load/reject/from-file", test_reject_from_file);
  g_test_add_func ("/questionnaire/load/reject/too-large", test_reject_too_large);
  g_test_add_func ("/questionnaire/load/reject/deep-nesting", test_reject_deep_nesting);
  for (guint i = 0; i < G_N_ELEMENTS (mutations); i++)
    {
      g_autofree char *path = g_strdup_printf ("/questionnaire/load/reject/%s", mutations[i].name);

      g_test_add_data_func (path, &mutations[i], test_reject);
    }
  g_test_add_func ("/questionnaire/audio/load", test_audio);
  g_test_add_func ("/questionnaire/audio/reject", test_audio_reject);
  g_test_add_func ("/questionnaire/audio/resource", test_audio_resource);
  g_test_add_func ("/questionnaire/answer/json", test_answer_json);
  g_test_add_func ("/questionnaire/answer/equal", test_answer_equal);
  g_test_add_func ("/questionnaire/answer/from-json-wrong-type", test_answer_from_json_wrong_type);

  return g_test_run ();
}

/* test-submission.c: reading submissions back, rendering them in Dutch, questionnaire sets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-questionnaire-set.h"
#include "intake-random-answers.h"
#include "intake-rendering.h"
#include "intake-session.h"
#include "intake-submission.h"
#include "intake-test-submission.h"
#include "intake-test-util.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Version 1 of the shipped questionnaire, as it was published: the
 * submissions made with it must stay readable after version 2
 * (resources/questionnaires/history/). */
static IntakeQuestionnaire *
load_intake (void)
{
  g_autofree char *path = intake_test_source_path ("resources/questionnaires/history/intake-v1.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  return q;
}

/* The current version. */
static IntakeQuestionnaire *
load_intake_current (void)
{
  g_autofree char *path = intake_test_source_path ("resources/questionnaires/intake.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  return q;
}

/* Questionnaire JSON written with ' for " (none of the texts has an apostrophe). */
static IntakeQuestionnaire *
load_inline (const char *single_quoted)
{
  g_autofree char *json = g_strdelimit (g_strdup (single_quoted), "'", '"');
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_bytes (bytes, "inline.json", &error);

  g_assert_no_error (error);
  return q;
}

#define LANGS "'languages':{'nl':{'name':'Nederlands','direction':'ltr','status':'reviewed'}," \
              "'ar':{'name':'العربية','direction':'rtl','status':'draft'}},"
#define T(nl, ar) "{'nl':'" nl "','ar':'" ar "'}"

/* Version 1 and 2 of a small questionnaire: v2 relabels option "x" of
 * "colour", drops "pets" and adds "hours". */
static const char v1_json[] =
  "{'format':1,'id':'review-test','version':1,'source_language':'nl'," LANGS
  "'title':" T ("Proef", "تجربة") ","
  "'sections':[{'code':'main','title':" T ("Algemeen", "عام") ",'questions':["
  "{'code':'colour','type':'single_choice','text':" T ("Welke kleur?", "أي لون؟") ","
  " 'options':[{'code':'x','label':" T ("Oud label", "قديم") "},{'code':'y','label':" T ("Geel", "أصفر") "}]},"
  "{'code':'pets','type':'yes_no','text':" T ("Heeft u huisdieren?", "هل لديك حيوانات؟") "},"
  "{'code':'note','type':'short_text','max_length':100,'text':" T ("Nog iets?", "شيء آخر؟") "}"
  "]}]}";

static const char v2_json[] =
  "{'format':1,'id':'review-test','version':2,'source_language':'nl'," LANGS
  "'title':" T ("Proef", "تجربة") ","
  "'sections':[{'code':'main','title':" T ("Algemeen", "عام") ",'questions':["
  "{'code':'colour','type':'single_choice','text':" T ("Welke kleur?", "أي لون؟") ","
  " 'options':[{'code':'x','label':" T ("Nieuw label", "جديد") "},{'code':'y','label':" T ("Geel", "أصفر") "}]},"
  "{'code':'hours','type':'number','min':0,'max':40,'unit':" T ("uur", "ساعة") ",'text':" T ("Hoeveel uur?", "كم ساعة؟") "},"
  "{'code':'note','type':'short_text','max_length':100,'text':" T ("Nog iets?", "شيء آخر؟") "}"
  "]}]}";



static IntakeSubmission *
parse_string (const char  *json,
              GError     **error)
{
  return intake_submission_new_from_data ((const guint8 *) json, strlen (json), error);
}

static const IntakeRenderedRow *
find_row (const IntakeRendering *rendering,
          const char            *code)
{
  for (guint i = 0; i < rendering->n_rows; i++)
    if (strcmp (rendering->rows[i].code, code) == 0)
      return &rendering->rows[i];
  return NULL;
}

static const IntakeRenderedRow *
require_row (const IntakeRendering *rendering,
             const char            *code)
{
  const IntakeRenderedRow *row = find_row (rendering, code);

  if (row == NULL)
    g_error ("no row for question %s", code);
  return row;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                              */

#define VALID_SESSION \
  "{\"answers\":{\"age\":30,\"name\":\"Ali \\\"A\\\"\\n\",\"sectors\":[\"hospitality\",\"logistics\"],\"works\":true}," \
  "\"declined\":[\"debts\"],\"finished_at\":\"2026-11-22T10:31:07Z\",\"format\":1,\"language\":\"ar\"," \
  "\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"szmh-intake\",\"version\":1}," \
  "\"skipped\":[\"email\",\"phone\"],\"started_at\":\"2026-11-22T10:20:55Z\"}"

static void
test_parse_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GPtrArray) codes = NULL;
  IntakeSubmission *submission = parse_string (VALID_SESSION, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (intake_submission_get_questionnaire_id (submission), ==, "szmh-intake");
  g_assert_cmpuint (intake_submission_get_questionnaire_version (submission), ==, 1);
  g_assert_cmpstr (intake_submission_get_questionnaire_hash (submission), ==, H64);
  g_assert_cmpstr (intake_submission_get_language (submission), ==, "ar");
  g_assert_cmpstr (intake_submission_get_started_at_string (submission), ==, "2026-11-22T10:20:55Z");
  g_assert_cmpint (g_date_time_get_minute (intake_submission_get_finished_at (submission)), ==, 31);

  codes = intake_submission_list_codes (submission);
  g_assert_cmpuint (codes->len, ==, 7);
  g_assert_cmpstr (g_ptr_array_index (codes, 0), ==, "age");
  g_assert_cmpstr (g_ptr_array_index (codes, 6), ==, "works");

  g_assert_cmpint (intake_submission_get_state (submission, "age"), ==, INTAKE_SUBMISSION_ANSWERED);
  g_assert_cmpint (intake_submission_get_state (submission, "debts"), ==, INTAKE_SUBMISSION_DECLINED);
  g_assert_cmpint (intake_submission_get_state (submission, "phone"), ==, INTAKE_SUBMISSION_SKIPPED);
  g_assert_cmpint (intake_submission_get_state (submission, "other"), ==, INTAKE_SUBMISSION_NOT_SHOWN);

  g_assert_true (intake_submission_append_value_text (submission, "age", value));
  g_assert_cmpstr (value->str, ==, "30");
  g_string_truncate (value, 0);
  g_assert_false (intake_submission_append_value_text (submission, "name", value));
  g_assert_cmpstr (value->str, ==, "Ali \"A\"\n");
  g_string_truncate (value, 0);
  intake_submission_append_value_text (submission, "sectors", value);
  g_assert_cmpstr (value->str, ==, "hospitality;logistics");
  g_string_truncate (value, 0);
  intake_submission_append_value_text (submission, "works", value);
  g_assert_cmpstr (value->str, ==, "true");
  g_string_truncate (value, 0);
  intake_submission_append_value_text (submission, "debts", value);
  g_assert_cmpstr (value->str, ==, "");
  intake_submission_append_value_json (submission, "name", value);
  g_assert_cmpstr (value->str, ==, "\"Ali \\\"A\\\"\\n\"");
  g_string_truncate (value, 0);
  intake_submission_append_value_json (submission, "debts", value);
  g_assert_cmpstr (value->str, ==, "null");

  g_assert_finalize_object (submission);
}

typedef struct {
  const char            *name;
  const char            *json;
  IntakeSubmissionError  code;
} Malformed;

#define Q "\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"szmh-intake\",\"version\":1}"
#define TIMES_F "\"finished_at\":\"2026-11-22T10:31:07Z\",\"format\":1"
#define S_AT "\"started_at\":\"2026-11-22T10:20:55Z\""
/* A session with @answers (an object body) and the rest valid. */
#define WITH_ANSWERS(a) "{\"answers\":{" a "},\"declined\":[]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[]," S_AT "}"
#define WITH_LISTS(d, s) "{\"answers\":{},\"declined\":[" d "]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[" s "]," S_AT "}"

static const Malformed malformed[] = {
  { "empty", "", INTAKE_SUBMISSION_ERROR_PARSE },
  { "not-json", "hello", INTAKE_SUBMISSION_ERROR_PARSE },
  { "truncated", "{\"answers\":{\"age\":3", INTAKE_SUBMISSION_ERROR_PARSE },
  { "trailing-bytes", WITH_ANSWERS ("") "x", INTAKE_SUBMISSION_ERROR_PARSE },
  { "trailing-newline", WITH_ANSWERS ("") "\n", INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "not-utf8", "{\"answers\":{\"a\":\"\xff\"}}", INTAKE_SUBMISSION_ERROR_PARSE },
  { "control-char-raw", WITH_ANSWERS ("\"a\":\"x\ty\""), INTAKE_SUBMISSION_ERROR_PARSE },
  { "nul-escape", WITH_ANSWERS ("\"a\":\"x\\u0000\""), INTAKE_SUBMISSION_ERROR_PARSE },
  { "leading-zero", WITH_ANSWERS ("\"a\":01"), INTAKE_SUBMISSION_ERROR_PARSE },
  { "too-deep", WITH_ANSWERS ("\"a\":[[[[[[[[[[\"x\"]]]]]]]]]]"), INTAKE_SUBMISSION_ERROR_PARSE },
  { "white-space", "{\"answers\": {}}", INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "keys-unsorted", "{\"declined\":[],\"answers\":{}}", INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "escape-slash", WITH_ANSWERS ("\"a\":\"1\\/2\""), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "escape-not-minimal", WITH_ANSWERS ("\"a\":\"\\u0041\""), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "escape-uppercase-hex", WITH_ANSWERS ("\"a\":\"\\u001F\""), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "minus-zero", WITH_ANSWERS ("\"a\":-0"), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "choices-unsorted", WITH_ANSWERS ("\"a\":[\"b\",\"a\"]"), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "declined-unsorted", WITH_LISTS ("\"b\",\"a\"", ""), INTAKE_SUBMISSION_ERROR_NOT_CANONICAL },
  { "duplicate-key", "{\"answers\":{},\"answers\":{}}", INTAKE_SUBMISSION_ERROR_DUPLICATE_KEY },
  { "format-2", "{\"answers\":{},\"format\":2,\"future\":true}", INTAKE_SUBMISSION_ERROR_UNSUPPORTED_FORMAT },
  { "format-string", "{\"format\":\"1\"}", INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "format-fraction", "{\"format\":1.0}", INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "format-missing", "{\"answers\":{}}", INTAKE_SUBMISSION_ERROR_MISSING_KEY },
  { "root-array", "[1]", INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "unknown-key", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"name\":\"x\"," Q ",\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_UNKNOWN_KEY },
  { "language-missing", "{\"answers\":{},\"declined\":[]," TIMES_F "," Q ",\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_MISSING_KEY },
  { "hash-missing", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"questionnaire\":{\"id\":\"szmh-intake\",\"version\":1},\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_MISSING_KEY },
  { "version-zero", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"szmh-intake\",\"version\":0},\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "version-string", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"szmh-intake\",\"version\":\"1\"},\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "hash-uppercase", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"questionnaire\":{\"hash\":\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\",\"id\":\"szmh-intake\",\"version\":1},\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "id-invalid", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\",\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"SZMH intake\",\"version\":1},\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "language-invalid", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ara\"," Q ",\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "integer-overflow", WITH_ANSWERS ("\"a\":99999999999999999999"), INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "question-code-invalid", WITH_ANSWERS ("\"Name\":\"x\""), INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "option-code-invalid", WITH_ANSWERS ("\"a\":[\"Bad code\"]"), INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "choices-empty", WITH_ANSWERS ("\"a\":[]"), INTAKE_SUBMISSION_ERROR_INVALID_VALUE },
  { "answer-null", WITH_ANSWERS ("\"a\":null"), INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "answer-object", WITH_ANSWERS ("\"a\":{}"), INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "answer-fraction", WITH_ANSWERS ("\"a\":2.5"), INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "choices-not-strings", WITH_ANSWERS ("\"a\":[1]"), INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "declined-not-array", "{\"answers\":{},\"declined\":\"a\"," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_WRONG_TYPE },
  { "choices-duplicate", WITH_ANSWERS ("\"a\":[\"x\",\"x\"]"), INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE },
  { "skipped-duplicate", WITH_LISTS ("", "\"a\",\"a\""), INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE },
  { "declined-and-skipped", WITH_LISTS ("\"a\"", "\"a\""), INTAKE_SUBMISSION_ERROR_CONFLICT },
  { "answered-and-declined", "{\"answers\":{\"a\":1},\"declined\":[\"a\"]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[]," S_AT "}",
    INTAKE_SUBMISSION_ERROR_CONFLICT },
  { "time-format", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[],\"started_at\":\"2026-11-22 10:20:55\"}",
    INTAKE_SUBMISSION_ERROR_INVALID_TIME },
  { "time-not-a-date", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[],\"started_at\":\"2026-02-30T10:20:55Z\"}",
    INTAKE_SUBMISSION_ERROR_INVALID_TIME },
  { "time-not-utc", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[],\"started_at\":\"2026-11-22T10:20:55+01:00\"}",
    INTAKE_SUBMISSION_ERROR_INVALID_TIME },
  { "finished-before-started", "{\"answers\":{},\"declined\":[]," TIMES_F ",\"language\":\"ar\"," Q ",\"skipped\":[],\"started_at\":\"2026-11-22T11:00:00Z\"}",
    INTAKE_SUBMISSION_ERROR_INVALID_TIME },
};

static void
test_parse_malformed (gconstpointer data)
{
  const Malformed *m = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSubmission) submission = parse_string (m->json, &error);

  g_assert_null (submission);
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, (int) m->code);
  g_test_message ("%s", error->message);
  /* In Dutch, as staff read it (LANGUAGE=nl, tests/meson.build). */
  g_assert_true (g_str_has_prefix (error->message, "canonieke sessie: "));
}

static void
test_parse_sample_round_trip (void)
{
  /* The sample of docs/questionnaire.md, with a full hash, parses. */
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSubmission) submission = parse_string (
    "{\"answers\":{\"age_ok\":true,\"sectors\":[\"hospitality\",\"logistics\"]},\"declined\":[\"debts\"],"
    "\"finished_at\":\"2026-11-22T10:31:07Z\",\"format\":1,\"language\":\"ar\","
    "\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"szmh-intake\",\"version\":1},"
    "\"skipped\":[\"phone\"],\"started_at\":\"2026-11-22T10:20:55Z\"}", &error);

  g_assert_no_error (error);
  g_assert_nonnull (submission);
}

static void
test_parse_secure_and_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buffer = intake_secure_buffer_new_copy (VALID_SESSION, strlen (VALID_SESSION));
  g_autoptr(GBytes) bytes = g_bytes_new_static (VALID_SESSION, strlen (VALID_SESSION));
  IntakeSubmission *a = intake_submission_new_from_secure (buffer, &error);
  IntakeSubmission *b;

  g_assert_no_error (error);
  b = intake_submission_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_submission_get_language (a), ==, intake_submission_get_language (b));
  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
}

/* ------------------------------------------------------------------ */
/* Checking against the questionnaire                                   */

static const IntakeTestSpec arabic_session[] = {
  { "first_name", "سارة" },
  { "last_name", "Haddad" },
  { "birth_date", "1990-03-15" },
  { "client_number", "12345" },
  { "preferred_language", "ar" },
  { "dutch_speaking", "a_little" },
  { "dutch_reading", "not_yet" },
  { "interpreter_wanted", "true" },
  { "ladder_now", "2" },
  { "ladder_aim", "5" },
  { "main_goal", "paid_job" },
  { "work_importance", "8" },
  { "work_confidence", "4" },
  { "what_helps", "<declined>" },
  { "schooling", "mbo2_4" },
  { "schooling_abroad", "true" },
  { "diploma_recognised", "no" },
  { "worked_before", "true" },
  { "past_sectors", "logistics;hospitality" },
  { "last_job", "طباخ في مطعم، \"الشام\"" },
  { "work_years", "from_5_to_10" },
  { "driving_licence", "false" },
  { "transport", "bike;public_transport" },
  { "skill_on_time", "3" },
  { "skill_teamwork", "5" },
  { "skill_manual_work", "5" },
  { "skill_know_strengths", "4" },
  { "strengths", "أنا جيد في الطبخ والعمل مع الناس" },
  { "hours_possible", "24" },
  { "work_limits", "lifting;noise" },
  { "energy", "2" },
  { "stress_coping", "<declined>" },
  { "health_talk", "<declined>" },
  { "housing", "shelter" },
  { "money_worries", "yes" },
  { "debt_help", "no_but_wanted" },
  { "care_for_others", "false" },
  { "support_people", "several" },
  { "sector_wish", "hospitality;logistics" },
  { "hours_wanted", "32" },
  { "support_wanted", "interpreter;language_course" },
};

static void
test_check_valid (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ar", arabic_session, G_N_ELEMENTS (arabic_session), NULL);
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_submission_check (submission, q, &error));
  g_assert_no_error (error);
  answers = intake_submission_dup_answers (submission, q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (answers->len, ==, intake_questionnaire_get_n_questions (q));
  g_assert_cmpint (intake_answer_get_integer (g_ptr_array_index (answers, intake_questionnaire_lookup_question (q, "ladder_now")->index)), ==, 2);
  g_assert_null (g_ptr_array_index (answers, intake_questionnaire_lookup_question (q, "phone")->index));
  g_assert_true (intake_answer_is_declined (g_ptr_array_index (answers, intake_questionnaire_lookup_question (q, "what_helps")->index)));
}

typedef struct {
  const char            *name;
  const char            *answers;   /* object body */
  const char            *declined;
  const char            *skipped;
  const char            *language;
  const char            *drop;      /* a code to leave out of @skipped, or NULL */
  IntakeSubmissionError  code;
} Inconsistent;

/* The visible questions of intake.json when only the three required ones are
 * answered with preferred_language skipped, except those the case changes. */
#define MIN_ANSWERS "\"birth_date\":\"1990-03-15\",\"first_name\":\"Sara\",\"last_name\":\"Haddad\""
#define MIN_SKIPPED "\"anything_else\",\"client_number\",\"driving_licence\",\"dutch_reading\",\"dutch_speaking\"," \
  "\"email\",\"energy\",\"health_talk\",\"hours_possible\",\"hours_wanted\",\"housing\",\"interpreter_wanted\"," \
  "\"ladder_aim\",\"ladder_now\",\"main_goal\",\"money_worries\",\"phone\",\"preferred_language\"," \
  "\"schooling\",\"sector_wish\",\"skill_daily_rhythm\",\"skill_employee_role\",\"skill_instructions\"," \
  "\"skill_know_hours\",\"skill_know_strengths\",\"skill_manual_work\",\"skill_on_time\",\"skill_teamwork\"," \
  "\"start_when\",\"strengths\",\"stress_coping\",\"support_people\",\"support_wanted\",\"transport\"," \
  "\"travel_distance\",\"what_helps\",\"work_confidence\",\"work_importance\",\"work_limits\",\"worked_before\"," \
  "\"digital_email\",\"digital_forms\",\"digital_smartphone\",\"care_for_others\""

static int
compare_strv_items (const void *a,
                    const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char *
session_json (IntakeQuestionnaire *q,
              const Inconsistent  *c)
{
  g_auto(GStrv) all = g_strsplit (c->skipped, ",", -1);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new ();
  g_autofree char *dropped = c->drop != NULL ? g_strdup_printf ("\"%s\"", c->drop) : NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) members = g_strsplit (c->answers, ",", -1);
  g_autofree char *answers = NULL;

  /* Canonical order; no value in these cases has a comma. */
  qsort (members, g_strv_length (members), sizeof (char *), compare_strv_items);
  answers = g_strjoinv (",", members);
  for (guint i = 0; all[i] != NULL; i++)
    if (all[i][0] != '\0' && g_strcmp0 (all[i], dropped) != 0)
      g_ptr_array_add (skipped, all[i]);
  g_ptr_array_sort (skipped, compare_strv_items);
  g_ptr_array_add (skipped, NULL);
  joined = g_strjoinv (",", (char **) skipped->pdata);
  return g_strdup_printf ("{\"answers\":{%s},\"declined\":[%s]," TIMES_F ",\"language\":\"%s\","
                          "\"questionnaire\":{\"hash\":\"%s\",\"id\":\"%s\",\"version\":%u},"
                          "\"skipped\":[%s]," S_AT "}",
                          answers, c->declined, c->language,
                          intake_questionnaire_get_hash (q), intake_questionnaire_get_id (q),
                          intake_questionnaire_get_version (q), joined);
}

static const Inconsistent inconsistent[] = {
  { "hidden-answered", MIN_ANSWERS ",\"preferred_language_other\":\"Somali\"", "", MIN_SKIPPED, "ar", NULL,
    INTAKE_SUBMISSION_ERROR_INCONSISTENT },
  { "shown-missing", MIN_ANSWERS, "", MIN_SKIPPED, "ar", "phone", INTAKE_SUBMISSION_ERROR_INCONSISTENT },
  { "required-skipped", "\"birth_date\":\"1990-03-15\",\"first_name\":\"Sara\"", "", MIN_SKIPPED ",\"last_name\"", "ar", NULL,
    INTAKE_SUBMISSION_ERROR_INCONSISTENT },
  { "unknown-option", MIN_ANSWERS ",\"housing\":\"castle\"", "", MIN_SKIPPED, "ar", "housing", INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "wrong-type", MIN_ANSWERS ",\"energy\":\"high\"", "", MIN_SKIPPED, "ar", "energy", INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "out-of-range", MIN_ANSWERS ",\"energy\":9", "", MIN_SKIPPED, "ar", "energy", INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  /* The empty string ("I have none") only where a question offers it. */
  { "empty-text", "\"birth_date\":\"1990-03-15\",\"first_name\":\"Sara\",\"last_name\":\"\"", "", MIN_SKIPPED, "ar", NULL,
    INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "bad-date", "\"birth_date\":\"1990-02-30\",\"first_name\":\"Sara\",\"last_name\":\"Haddad\"", "", MIN_SKIPPED, "ar", NULL,
    INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "too-young", "\"birth_date\":\"2020-01-01\",\"first_name\":\"Sara\",\"last_name\":\"Haddad\"", "", MIN_SKIPPED, "ar", NULL,
    INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "decline-not-offered", MIN_ANSWERS, "\"phone\"", MIN_SKIPPED, "ar", "phone", INTAKE_SUBMISSION_ERROR_INVALID_ANSWER },
  { "unknown-question", MIN_ANSWERS ",\"shoe_size\":44", "", MIN_SKIPPED, "ar", NULL, INTAKE_SUBMISSION_ERROR_UNKNOWN_QUESTION },
  { "unknown-language", MIN_ANSWERS, "", MIN_SKIPPED, "de", NULL, INTAKE_SUBMISSION_ERROR_UNKNOWN_LANGUAGE },
};

static void
test_check_inconsistent (gconstpointer data)
{
  const Inconsistent *c = data;
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autofree char *json = session_json (q, c);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSubmission) submission = NULL;
  g_autoptr(IntakeRendering) rendering = NULL;

  /* Each case differs from the consistent base (check/minimal) in one point. */
  submission = parse_string (json, &error);
  g_assert_no_error (error);
  g_assert_false (intake_submission_check (submission, q, &error));
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, (int) c->code);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Rendering refuses it too; the raw rendering always works. */
  rendering = intake_submission_render (submission, q, "nl", &error);
  g_assert_null (rendering);
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, (int) c->code);
  rendering = intake_submission_render_raw (submission, "nl");
  g_assert_true (rendering->raw);
  g_assert_cmpuint (rendering->n_rows, >, 0);
}

static void
test_check_minimal_consistent (void)
{
  /* The base of the inconsistent cases is itself consistent. */
  static const Inconsistent base = { "base", MIN_ANSWERS, "", MIN_SKIPPED, "ar", NULL, 0 };
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autofree char *json = session_json (q, &base);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSubmission) submission = parse_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (intake_submission_check (submission, q, &error));
  g_assert_no_error (error);
}

static void
test_check_mismatch (void)
{
  g_autoptr(IntakeQuestionnaire) v1 = load_inline (v1_json);
  g_autoptr(IntakeQuestionnaire) v2 = load_inline (v2_json);
  static const IntakeTestSpec specs[] = { { "colour", "x" } };
  g_autoptr(IntakeSubmission) submission = intake_test_submit (v1, "ar", specs, G_N_ELEMENTS (specs), NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_submission_check (submission, v2, &error));
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_QUESTIONNAIRE_MISMATCH);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

static void
assert_row (const IntakeRendering *rendering,
            const char            *code,
            IntakeRowState         state,
            const char            *answer_text)
{
  const IntakeRenderedRow *row = require_row (rendering, code);

  if (row == NULL)
    g_error ("no row for %s", code);
  g_assert_cmpint (row->state, ==, state);
  g_assert_cmpstr (row->answer_text, ==, answer_text);
}

static void
test_render_arabic_session (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ar", arabic_session, G_N_ELEMENTS (arabic_session), NULL);
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(IntakeRendering) copy = NULL;
  g_autoptr(GError) error = NULL;
  const IntakeRenderedRow *row;
  guint n_types[INTAKE_QUESTION_TYPE_LADDER + 1] = { 0 };
  int previous_index = -1;

  rendering = intake_submission_render (submission, q, NULL, &error);
  g_assert_no_error (error);

  /* Header. */
  g_assert_false (rendering->raw);
  g_assert_cmpstr (rendering->staff_language, ==, "nl");
  g_assert_cmpstr (rendering->questionnaire_title, ==, "Vragen voor uw gesprek over werk");
  g_assert_cmpstr (rendering->questionnaire_id, ==, "szmh-intake");
  g_assert_cmpuint (rendering->questionnaire_version, ==, 1);
  g_assert_cmpstr (rendering->language, ==, "ar");
  g_assert_cmpstr (rendering->language_name, ==, "Arabisch");
  g_assert_cmpstr (rendering->language_autonym, ==, "العربية");
  g_assert_true (rendering->language_draft);
  g_assert_cmpstr (rendering->started_at, ==, "22-11-2026 10:20");
  g_assert_cmpstr (rendering->finished_at, ==, "22-11-2026 10:31");

  /* Every type, in Dutch. */
  row = require_row (rendering, "first_name");
  g_assert_cmpstr (row->section_title, ==, "Hoe we u kunnen bereiken");
  g_assert_cmpstr (row->question_text, ==, "Wat is uw voornaam?");
  g_assert_cmpstr (row->answer_text, ==, "سارة");
  g_assert_cmpstr (row->text_language, ==, "ar");
  g_assert_cmpstr (row->text_language_name, ==, "Arabisch");
  assert_row (rendering, "birth_date", INTAKE_ROW_ANSWERED, "15-03-1990");
  assert_row (rendering, "client_number", INTAKE_ROW_ANSWERED, "12345");
  g_assert_null (require_row (rendering, "client_number")->text_language);  /* digits: no language */
  assert_row (rendering, "phone", INTAKE_ROW_SKIPPED, "Overgeslagen");
  assert_row (rendering, "preferred_language", INTAKE_ROW_ANSWERED, "Arabisch (العربية)");
  assert_row (rendering, "dutch_speaking", INTAKE_ROW_ANSWERED, "Een beetje");
  assert_row (rendering, "interpreter_wanted", INTAKE_ROW_ANSWERED, "Ja");
  assert_row (rendering, "driving_licence", INTAKE_ROW_ANSWERED, "Nee");
  assert_row (rendering, "ladder_now", INTAKE_ROW_ANSWERED,
              "Trede 2: Ik heb elke week contact met mensen buiten mijn huis");
  assert_row (rendering, "ladder_aim", INTAKE_ROW_ANSWERED,
              "Trede 5: Betaald werk hebben, met begeleiding");
  assert_row (rendering, "work_importance", INTAKE_ROW_ANSWERED,
              "8 (van 0 'Helemaal niet belangrijk' tot 10 'Heel belangrijk')");
  assert_row (rendering, "skill_teamwork", INTAKE_ROW_ANSWERED,
              "5 (van 1 'Liever niet' tot 5 'Ja, heel graag')");
  assert_row (rendering, "what_helps", INTAKE_ROW_DECLINED, "Wil ik liever niet zeggen");
  assert_row (rendering, "stress_coping", INTAKE_ROW_DECLINED, "Wil ik liever niet zeggen");
  assert_row (rendering, "hours_possible", INTAKE_ROW_ANSWERED, "24 uur per week");
  assert_row (rendering, "transport", INTAKE_ROW_ANSWERED, "Fiets; Bus of trein");
  /* Multiple choice in option order, not code order. */
  row = require_row (rendering, "past_sectors");
  g_assert_cmpstr (row->answer_text, ==,
                   "Logistiek: magazijn, inpakken, bezorgen; Horeca: restaurant, hotel, keuken");
  g_assert_cmpuint (g_strv_length (row->answer_items), ==, 2);
  g_assert_cmpstr (row->answer_items[1], ==, "Horeca: restaurant, hotel, keuken");
  /* Free text exactly as written, with its language. */
  row = require_row (rendering, "last_job");
  g_assert_cmpstr (row->answer_text, ==, "طباخ في مطعم، \"الشام\"");
  g_assert_cmpstr (row->text_language_name, ==, "Arabisch");
  row = require_row (rendering, "strengths");
  g_assert_cmpstr (row->question_text, ==, "Waar bent u goed in?");
  g_assert_cmpstr (row->answer_text, ==, "أنا جيد في الطبخ والعمل مع الناس");
  assert_row (rendering, "anything_else", INTAKE_ROW_SKIPPED, "Overgeslagen");

  /* Hidden questions are not rows; the rows are in questionnaire order. */
  g_assert_null (find_row (rendering, "preferred_language_other"));
  assert_row (rendering, "work_last", INTAKE_ROW_SKIPPED, "Overgeslagen");  /* shown: worked_before */
  g_assert_null (find_row (rendering, "care_arranged"));
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      const IntakeQuestion *question = intake_questionnaire_lookup_question (q, rendering->rows[i].code);

      g_assert_cmpint ((int) question->index, >, previous_index);
      previous_index = (int) question->index;
      g_assert_nonnull (rendering->rows[i].answer_text);
      n_types[question->type]++;
    }
  for (guint t = 0; t <= INTAKE_QUESTION_TYPE_LADDER; t++)
    g_assert_cmpuint (n_types[t], >, 0);
  {
    g_autoptr(GPtrArray) codes = intake_submission_list_codes (submission);

    g_assert_cmpuint (rendering->n_rows, ==, codes->len);
  }

  copy = intake_rendering_copy (rendering);
  g_assert_cmpuint (copy->n_rows, ==, rendering->n_rows);
  g_assert_cmpstr (copy->rows[3].answer_text, ==, rendering->rows[3].answer_text);
}

/* The questionnaire's texts come in the language asked for, when the
 * questionnaire has it; the words around them are the staff's (gettext). */
static void
test_render_staff_language (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ar", arabic_session, G_N_ELEMENTS (arabic_session), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeRendering) english = NULL;
  g_autoptr(IntakeRendering) german = NULL;

  english = intake_submission_render (submission, q, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (english->staff_language, ==, "en");
  g_assert_cmpstr (require_row (english, "strengths")->question_text, ==,
                   intake_text_get (intake_questionnaire_lookup_question (q, "strengths")->text, "en"));
  g_assert_cmpstr (require_row (english, "interpreter_wanted")->answer_text, ==, "Ja");
  g_assert_cmpstr (require_row (english, "phone")->answer_text, ==, "Overgeslagen");

  german = intake_submission_render (submission, q, "de", &error);
  g_assert_null (german);
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE);
}

static void
test_render_random_sessions (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();

  for (guint seed = 1; seed <= 40; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      const char *language = intake_questionnaire_get_language (q, seed % intake_questionnaire_get_n_languages (q))->code;
      g_autoptr(IntakeSession) session = intake_session_new (q, language);
      g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;
      g_autoptr(IntakeSubmission) submission = NULL;
      g_autoptr(IntakeRendering) rendering = NULL;
      g_autoptr(GPtrArray) visible = NULL;
      g_autoptr(GError) error = NULL;

      intake_session_set_now (session, now);
      g_assert_true (intake_random_answers_fill (session, rand, &error));
      g_assert_no_error (error);
      visible = intake_session_list_visible (session);
      plaintext = intake_session_serialize (session, &error);
      g_assert_no_error (error);
      submission = intake_submission_new_from_secure (plaintext, &error);
      g_assert_no_error (error);
      rendering = intake_submission_render (submission, q, "nl", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rendering->n_rows, ==, visible->len);
      for (guint i = 0; i < rendering->n_rows; i++)
        {
          g_assert_cmpstr (rendering->rows[i].code, ==, ((const IntakeQuestion *) g_ptr_array_index (visible, i))->code);
          g_assert_true (g_utf8_validate (rendering->rows[i].answer_text, -1, NULL));
          g_assert_cmpuint (strlen (rendering->rows[i].answer_text), >, 0);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Versions                                                             */

/* The shipped versions, both compiled in: a submission made with version 1
 * and one made with version 2 (a birth date with an unknown day and month,
 * no first name on the ID, the merged help question) are each found, checked
 * and shown in Dutch with their own version. */
static const IntakeTestSpec registered_session[] = {
  { "first_name", "" },
  { "last_name", "Tesfay" },
  { "birth_date", "1985-00-00" },
  { "preferred_language", "ti" },
  { "ladder_now", "3" },
  { "digital_skills", "phone_apps;email" },
  { "support_wanted", "language_course;work_experience" },
};

static void
test_versions_shipped (void)
{
  g_autoptr(IntakeQuestionnaire) v1 = load_intake ();
  g_autoptr(IntakeQuestionnaire) v2 = load_intake_current ();
  g_autoptr(IntakeQuestionnaireSet) set = intake_questionnaire_set_new ();
  g_autoptr(IntakeSubmission) old_submission = intake_test_submit (v1, "ar", arabic_session, G_N_ELEMENTS (arabic_session), NULL);
  g_autoptr(IntakeSubmission) new_submission = NULL;
  g_autoptr(IntakeRendering) old_rendering = NULL;
  g_autoptr(IntakeRendering) new_rendering = NULL;
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *found;

  g_assert_cmpuint (intake_questionnaire_get_version (v1), ==, 1);
  g_assert_cmpuint (intake_questionnaire_get_version (v2), ==, 2);
  g_assert_true (intake_questionnaire_set_add_builtin (set, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_questionnaire_set_get_n_questionnaires (set), ==, 2);

  found = intake_questionnaire_set_lookup_for_submission (set, old_submission, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_hash (found), ==, intake_questionnaire_get_hash (v1));
  old_rendering = intake_submission_render (old_submission, found, "nl", &error);
  g_assert_no_error (error);
  assert_row (old_rendering, "what_helps", INTAKE_ROW_DECLINED, "Wil ik liever niet zeggen");
  assert_row (old_rendering, "birth_date", INTAKE_ROW_ANSWERED, "15-03-1990");

  /* Version 2: the session is skipped where the spec says nothing. */
  {
    g_autoptr(IntakeSession) session = intake_session_new (v2, "ti");
    g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
    g_autoptr(IntakeSecureBuffer) plaintext = NULL;
    const IntakeQuestion *question;

    intake_session_set_now (session, now);
    g_assert_true (intake_session_go_first (session));
    while ((question = intake_session_get_current (session)) != NULL)
      {
        const char *value = NULL;

        for (guint i = 0; i < G_N_ELEMENTS (registered_session); i++)
          if (g_str_equal (registered_session[i].code, question->code))
            value = registered_session[i].value;
        if (value != NULL)
          intake_session_set_answer (session, question->code,
                                     intake_test_answer_from_spec (question, value), &error);
        else
          intake_session_skip (session, question->code, &error);
        g_assert_no_error (error);
        if (!intake_session_go_next (session))
          break;
      }
    plaintext = intake_session_serialize (session, &error);
    g_assert_no_error (error);
    new_submission = intake_submission_new_from_secure (plaintext, &error);
    g_assert_no_error (error);
  }
  found = intake_questionnaire_set_lookup_for_submission (set, new_submission, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_hash (found), ==, intake_questionnaire_get_hash (v2));
  g_assert_true (intake_submission_check (new_submission, found, &error));
  g_assert_no_error (error);
  new_rendering = intake_submission_render (new_submission, found, "nl", &error);
  g_assert_no_error (error);
  assert_row (new_rendering, "first_name", INTAKE_ROW_ANSWERED, "Er staat geen voornaam op mijn identiteitsbewijs");
  assert_row (new_rendering, "birth_date", INTAKE_ROW_ANSWERED, "00-00-1985");
  assert_row (new_rendering, "digital_skills", INTAKE_ROW_ANSWERED,
              "Bellen, berichten sturen en apps gebruiken; Een e-mail lezen en versturen");
  assert_row (new_rendering, "support_wanted", INTAKE_ROW_ANSWERED,
              "Een cursus Nederlands; Een plek om werkervaring op te doen");
  g_assert_null (find_row (new_rendering, "what_helps"));

  /* Version 1 had no unknown day or month, nor "no first name". */
  {
    static const IntakeTestSpec v1_brp[] = {
      { "first_name", "Sara" }, { "last_name", "Haddad" }, { "birth_date", "1990-03-15" },
    };
    g_autofree char *json = NULL;
    g_autoptr(IntakeSubmission) submission = intake_test_submit (v1, "ar", v1_brp, G_N_ELEMENTS (v1_brp), &json);
    g_autoptr(GString) changed = g_string_new (json);
    g_autoptr(IntakeSubmission) brp = NULL;

    /* The same session with a BRP date, as a kiosk of version 1 never wrote it. */
    g_assert_true (intake_submission_check (submission, v1, &error));
    g_assert_cmpuint (g_string_replace (changed, "\"1990-03-15\"", "\"1985-00-00\"", 1), ==, 1);
    brp = parse_string (changed->str, &error);
    g_assert_no_error (error);
    g_assert_false (intake_submission_check (brp, v1, &error));
    g_assert_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INVALID_ANSWER);
  }
}

static void
test_versions_render (void)
{
  g_autoptr(IntakeQuestionnaire) v1 = load_inline (v1_json);
  g_autoptr(IntakeQuestionnaire) v2 = load_inline (v2_json);
  static const IntakeTestSpec old_specs[] = { { "colour", "x" }, { "pets", "true" }, { "note", "مرحبا" } };
  static const IntakeTestSpec new_specs[] = { { "colour", "x" }, { "hours", "12" } };
  g_autoptr(IntakeSubmission) old_submission = intake_test_submit (v1, "ar", old_specs, G_N_ELEMENTS (old_specs), NULL);
  g_autoptr(IntakeSubmission) new_submission = intake_test_submit (v2, "nl", new_specs, G_N_ELEMENTS (new_specs), NULL);
  g_autoptr(IntakeQuestionnaireSet) set = intake_questionnaire_set_new ();
  g_autoptr(IntakeRendering) old_rendering = NULL;
  g_autoptr(IntakeRendering) new_rendering = NULL;
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *found;

  g_assert_true (intake_questionnaire_set_add (set, v2, &error));
  g_assert_true (intake_questionnaire_set_add (set, v1, &error));
  g_assert_true (intake_questionnaire_set_add (set, v1, &error));  /* again: no-op */
  g_assert_no_error (error);
  g_assert_cmpuint (intake_questionnaire_set_get_n_questionnaires (set), ==, 2);

  found = intake_questionnaire_set_lookup_for_submission (set, old_submission, &error);
  g_assert_no_error (error);
  g_assert_true (found == v1);
  old_rendering = intake_submission_render (old_submission, found, "nl", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (old_rendering->n_rows, ==, 3);
  assert_row (old_rendering, "colour", INTAKE_ROW_ANSWERED, "Oud label");
  assert_row (old_rendering, "pets", INTAKE_ROW_ANSWERED, "Ja");
  assert_row (old_rendering, "note", INTAKE_ROW_ANSWERED, "مرحبا");
  g_assert_cmpstr (require_row (old_rendering, "note")->text_language_name, ==, "Arabisch");

  found = intake_questionnaire_set_lookup_for_submission (set, new_submission, &error);
  g_assert_no_error (error);
  g_assert_true (found == v2);
  new_rendering = intake_submission_render (new_submission, found, "nl", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (new_rendering->n_rows, ==, 3);
  assert_row (new_rendering, "colour", INTAKE_ROW_ANSWERED, "Nieuw label");
  assert_row (new_rendering, "hours", INTAKE_ROW_ANSWERED, "12 uur");
  assert_row (new_rendering, "note", INTAKE_ROW_SKIPPED, "Overgeslagen");
  g_assert_null (find_row (new_rendering, "pets"));
  g_assert_cmpstr (new_rendering->language_name, ==, "Nederlands");
  g_assert_false (new_rendering->language_draft);
}

static void
test_versions_lookup_errors (void)
{
  g_autoptr(IntakeQuestionnaire) v1 = load_inline (v1_json);
  g_autoptr(IntakeQuestionnaire) v2 = load_inline (v2_json);
  g_autofree char *v1_changed_json = g_strdup (v1_json);
  g_autoptr(IntakeQuestionnaire) v1_changed = NULL;
  g_autoptr(IntakeQuestionnaireSet) set = intake_questionnaire_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  static const IntakeTestSpec specs[] = { { "colour", "y" } };
  g_autoptr(IntakeSubmission) submission = intake_test_submit (v2, "nl", specs, G_N_ELEMENTS (specs), NULL);
  g_autoptr(IntakeRendering) raw = NULL;
  char *at;

  /* The same id and version with other content. */
  at = strstr (v1_changed_json, "Oud label");
  memcpy (at, "Ons label", 9);
  v1_changed = load_inline (v1_changed_json);

  g_assert_null (intake_questionnaire_set_lookup (set, "review-test", 1, intake_questionnaire_get_hash (v1), &error));
  g_assert_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID);
  g_clear_error (&error);

  g_assert_true (intake_questionnaire_set_add (set, v1, &error));
  g_assert_false (intake_questionnaire_set_add (set, v1_changed, &error));
  g_assert_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT);
  g_clear_error (&error);

  /* A submission made with version 2 while only version 1 is loaded. */
  g_assert_null (intake_questionnaire_set_lookup_for_submission (set, submission, &error));
  g_assert_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION);
  g_assert_nonnull (strstr (error->message, "versie 2 is niet geladen (geladen: 1)"));
  g_clear_error (&error);

  g_assert_null (intake_questionnaire_set_lookup (set, "review-test", 1, intake_questionnaire_get_hash (v1_changed), &error));
  g_assert_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH);
  g_clear_error (&error);

  /* What the review app shows then: the raw codes. */
  raw = intake_submission_render_raw (submission, NULL);
  g_assert_true (raw->raw);
  g_assert_null (raw->questionnaire_title);
  g_assert_cmpuint (raw->n_rows, ==, 3);
  g_assert_cmpstr (raw->rows[0].code, ==, "colour");
  g_assert_cmpstr (raw->rows[0].question_text, ==, "colour");
  g_assert_cmpstr (raw->rows[0].answer_text, ==, "y");
  g_assert_cmpstr (raw->rows[1].code, ==, "hours");
  g_assert_cmpstr (raw->rows[1].answer_text, ==, "Overgeslagen");
  g_assert_cmpstr (raw->language_name, ==, "Nederlands");

  versions = intake_questionnaire_set_list_versions (set, "review-test");
  g_assert_cmpuint (versions->len, ==, 1);
}

static void
test_objects_finalize (void)
{
  IntakeQuestionnaireSet *set = intake_questionnaire_set_new ();
  IntakeQuestionnaire *q = load_intake ();
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_questionnaire_set_add (set, q, &error));
  g_assert_finalize_object (set);
  g_assert_finalize_object (q);
}

int
main (int   argc,
      char *argv[])
{
  /* Times in the header are local; pin the zone so the expected strings hold. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();

  g_test_add_func ("/review/submission/parse/valid", test_parse_valid);
  g_test_add_func ("/review/submission/parse/docs-sample", test_parse_sample_round_trip);
  g_test_add_func ("/review/submission/parse/secure-and-bytes", test_parse_secure_and_bytes);
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *path = g_strdup_printf ("/review/submission/parse/malformed/%s", malformed[i].name);

      g_test_add_data_func (path, &malformed[i], test_parse_malformed);
    }
  g_test_add_func ("/review/submission/check/valid", test_check_valid);
  g_test_add_func ("/review/submission/check/minimal", test_check_minimal_consistent);
  g_test_add_func ("/review/submission/check/mismatch", test_check_mismatch);
  for (guint i = 0; i < G_N_ELEMENTS (inconsistent); i++)
    {
      g_autofree char *path = g_strdup_printf ("/review/submission/check/bad/%s", inconsistent[i].name);

      g_test_add_data_func (path, &inconsistent[i], test_check_inconsistent);
    }
  g_test_add_func ("/review/submission/render/arabic", test_render_arabic_session);
  g_test_add_func ("/review/submission/render/staff-language", test_render_staff_language);
  g_test_add_func ("/review/submission/render/random", test_render_random_sessions);
  g_test_add_func ("/review/submission/versions/render", test_versions_render);
  g_test_add_func ("/review/submission/versions/shipped", test_versions_shipped);
  g_test_add_func ("/review/submission/versions/lookup-errors", test_versions_lookup_errors);
  g_test_add_func ("/review/submission/finalize", test_objects_finalize);

  return g_test_run ();
}

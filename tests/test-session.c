/* test-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-answer-format.h"
#include "intake-canonical-json.h"
#include "intake-session.h"
#include "intake-test-util.h"

#define VALID_HASH "f384a941aa48e922195949d9c77e7cf98a3d1175dd4daa511cdc572d3a834c26"

typedef struct {
  IntakeQuestionnaire *questionnaire;
  IntakeSession       *session;
  GDateTime           *start;
  GDateTime           *finish;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;

  f->questionnaire = intake_questionnaire_new_from_file (path, &error);
  g_assert_no_error (error);
  f->session = intake_session_new (f->questionnaire, data != NULL ? data : "nl");
  f->start = g_date_time_new_utc (2026, 11, 22, 10, 20, 55);
  f->finish = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
  intake_session_set_now (f->session, f->start);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->session);
  g_assert_finalize_object (f->questionnaire);
  g_date_time_unref (f->start);
  g_date_time_unref (f->finish);
}

static void
answer_to (IntakeSession *session,
           const char    *code,
           IntakeAnswer  *a)
{
  g_autoptr(GError) error = NULL;

  intake_session_set_answer (session, code, a, &error);
  g_assert_no_error (error);
}

static void
answer (Fixture      *f,
        const char   *code,
        IntakeAnswer *a)
{
  g_autoptr(GError) error = NULL;

  intake_session_set_answer (f->session, code, a, &error);
  g_assert_no_error (error);
}

static void
assert_current (Fixture    *f,
                const char *code)
{
  const IntakeQuestion *q = intake_session_get_current (f->session);

  if (code == NULL)
    {
      g_assert_null (q);
      return;
    }
  g_assert_nonnull (q);
  g_assert_cmpstr (q->code, ==, code);
}

static char *
visible_codes (Fixture *f)
{
  g_autoptr(GPtrArray) list = intake_session_list_visible (f->session);
  GString *codes = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const IntakeQuestion *q = g_ptr_array_index (list, i);

      g_string_append_printf (codes, "%s%s", i > 0 ? " " : "", q->code);
    }
  g_assert_cmpuint (list->len, ==, intake_session_get_n_visible (f->session));
  return g_string_free (codes, FALSE);
}

static void
test_new_destroy (void)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);
  IntakeSession *session;
  g_autoptr(IntakeQuestionnaire) from_property = NULL;
  g_autofree char *language = NULL;

  g_assert_no_error (error);
  session = intake_session_new (q, "ar");
  g_assert_true (intake_session_get_questionnaire (session) == q);
  g_assert_cmpstr (intake_session_get_language (session), ==, "ar");
  g_object_get (session, "questionnaire", &from_property, "language", &language, NULL);
  g_assert_true (from_property == q);
  g_assert_cmpstr (language, ==, "ar");
  g_clear_object (&from_property);
  g_assert_null (intake_session_get_started_at (session));

  g_assert_finalize_object (session);
  g_assert_finalize_object (q);
}

static void
test_new_undeclared_language (void)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_from_file (path, NULL);

  g_test_expect_message ("intake-core", G_LOG_LEVEL_CRITICAL, "*lookup_language*");
  g_assert_null (intake_session_new (q, "fr"));
  g_test_assert_expected_messages ();
}

static void
test_navigation_start (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *codes = visible_codes (f);

  g_assert_cmpstr (codes, ==,
                   "birth_date client_number phone email needs_interpreter worked_before "
                   "sectors_wanted hours_per_week ladder_now digital_skills health_limits mood "
                   "debts housing");
  assert_current (f, NULL);
  g_assert_false (intake_session_is_at_end (f->session));
  g_assert_cmpuint (intake_session_get_position (f->session), ==, 0);
  g_assert_false (intake_session_go_previous (f->session));

  g_assert_true (intake_session_go_next (f->session));
  assert_current (f, "birth_date");
  g_assert_cmpuint (intake_session_get_position (f->session), ==, 1);
  g_assert_true (intake_session_get_started_at (f->session) != NULL);
  g_assert_true (g_date_time_equal (intake_session_get_started_at (f->session), f->start));
  g_assert_false (intake_session_go_previous (f->session));
  assert_current (f, "birth_date");

  /* Walking without answers passes every visible question once. */
  for (guint i = 2; i <= 14; i++)
    {
      g_assert_true (intake_session_go_next (f->session));
      g_assert_cmpuint (intake_session_get_position (f->session), ==, i);
    }
  assert_current (f, "housing");
  g_assert_false (intake_session_go_next (f->session));
  assert_current (f, NULL);
  g_assert_true (intake_session_is_at_end (f->session));
  g_assert_cmpuint (intake_session_get_position (f->session), ==, 0);
  g_assert_false (intake_session_go_next (f->session));

  /* Back from the review screen: the last visible question. */
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "housing");
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "debts");
  g_assert_true (intake_session_go_first (f->session));
  assert_current (f, "birth_date");
}

static void
test_navigation_conditions (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *logistics[] = { "logistics", NULL };
  const char *none[] = { "none", NULL };
  const char *coach[] = { "coach", NULL };

  /* equals true reveals the next question; go_next lands on it. */
  g_assert_false (intake_session_is_visible (f->session, "last_sector"));
  g_assert_true (intake_session_go_to (f->session, "worked_before", &error));
  g_assert_no_error (error);
  answer (f, "worked_before", intake_answer_new_boolean (TRUE));
  g_assert_true (intake_session_is_visible (f->session, "last_sector"));
  g_assert_true (intake_session_go_next (f->session));
  assert_current (f, "last_sector");

  /* any[equals, one_of] */
  g_assert_true (intake_session_is_visible (f->session, "work_confidence"));
  answer (f, "worked_before", intake_answer_new_boolean (FALSE));
  g_assert_false (intake_session_is_visible (f->session, "last_sector"));
  g_assert_false (intake_session_is_visible (f->session, "work_confidence"));
  answer (f, "sectors_wanted", intake_answer_new_choices (logistics));
  g_assert_true (intake_session_is_visible (f->session, "work_confidence"));

  /* at_least: punctuality only when hours >= 1 */
  answer (f, "hours_per_week", intake_answer_new_integer (0));
  g_assert_false (intake_session_is_visible (f->session, "punctuality"));
  answer (f, "hours_per_week", intake_answer_new_integer (1));
  g_assert_true (intake_session_is_visible (f->session, "punctuality"));

  /* at_most: the aim only when not at the top rung */
  answer (f, "ladder_now", intake_answer_new_integer (6));
  g_assert_false (intake_session_is_visible (f->session, "ladder_aim"));
  answer (f, "ladder_now", intake_answer_new_integer (5));
  g_assert_true (intake_session_is_visible (f->session, "ladder_aim"));

  /* not: "none of these" hides the hours (and with them punctuality) */
  answer (f, "sectors_wanted", intake_answer_new_choices (none));
  g_assert_false (intake_session_is_visible (f->session, "hours_per_week"));
  g_assert_false (intake_session_is_visible (f->session, "punctuality"));

  /* answered: false */
  g_assert_true (intake_session_is_visible (f->session, "email"));
  answer (f, "phone", intake_answer_new_text ("06 1234 5678"));
  g_assert_false (intake_session_is_visible (f->session, "email"));

  /* Section condition: support only after a low score; a declined score is no answer. */
  g_assert_false (intake_session_is_visible (f->session, "support_wanted"));
  answer (f, "health_limits", intake_answer_new_declined ());
  g_assert_false (intake_session_is_visible (f->session, "support_wanted"));
  answer (f, "mood", intake_answer_new_integer (4));
  g_assert_true (intake_session_is_visible (f->session, "support_wanted"));
  /* all[answered, not equals]: notes only once some real helper is chosen */
  g_assert_false (intake_session_is_visible (f->session, "support_notes"));
  answer (f, "support_wanted", intake_answer_new_choices (none));
  g_assert_false (intake_session_is_visible (f->session, "support_notes"));
  answer (f, "support_wanted", intake_answer_new_choices (coach));
  g_assert_true (intake_session_is_visible (f->session, "support_notes"));
  answer (f, "mood", intake_answer_new_integer (5));
  g_assert_false (intake_session_is_visible (f->session, "support_wanted"));
  g_assert_false (intake_session_is_visible (f->session, "support_notes"));

  /* previous goes back over hidden questions */
  answer (f, "debts", intake_answer_new_boolean (FALSE));
  g_assert_true (intake_session_go_to (f->session, "housing", &error));
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "debts");
  answer (f, "debts", intake_answer_new_boolean (TRUE));
  g_assert_true (intake_session_go_next (f->session));
  assert_current (f, "debt_help");
  g_assert_true (intake_session_go_to (f->session, "health_limits", &error));
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "digital_skills");
  /* work_confidence is hidden (no chosen sector in one_of, worked_before false) */
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "ladder_aim");
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "ladder_now");
  g_assert_true (intake_session_go_previous (f->session));
  assert_current (f, "sectors_wanted");
  g_assert_no_error (error);
}

static void
test_go_to_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_session_go_to (f->session, "debt_help", &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_NOT_VISIBLE);
  g_clear_error (&error);
  g_assert_false (intake_session_go_to (f->session, "nope", &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_UNKNOWN_QUESTION);
  g_clear_error (&error);
  assert_current (f, NULL);
  g_assert_false (intake_session_is_visible (f->session, "nope"));
}

static void
test_changed_answer_clears_hidden (Fixture       *f,
                                   gconstpointer  data)
{
  const char *two[] = { "cleaning", "home_care", NULL };
  const char *none[] = { "none", NULL };

  answer (f, "worked_before", intake_answer_new_boolean (TRUE));
  answer (f, "last_sector", intake_answer_new_choice ("cleaning"));
  answer (f, "sectors_wanted", intake_answer_new_choices (two));
  answer (f, "hours_per_week", intake_answer_new_integer (20));
  answer (f, "punctuality", intake_answer_new_boolean (TRUE));
  answer (f, "work_confidence", intake_answer_new_integer (8));
  g_assert_true (intake_session_has_answer (f->session, "punctuality"));

  /* Hiding hours also hides punctuality, which depended on it. */
  answer (f, "sectors_wanted", intake_answer_new_choices (none));
  g_assert_null (intake_session_get_answer (f->session, "hours_per_week"));
  g_assert_null (intake_session_get_answer (f->session, "punctuality"));
  g_assert_nonnull (intake_session_get_answer (f->session, "work_confidence"));

  answer (f, "worked_before", intake_answer_new_boolean (FALSE));
  g_assert_null (intake_session_get_answer (f->session, "last_sector"));
  /* work_confidence is now hidden too (no one_of sector, worked_before false). */
  g_assert_null (intake_session_get_answer (f->session, "work_confidence"));
  g_assert_true (intake_session_has_answer (f->session, "sectors_wanted"));
  g_assert_true (intake_answer_get_boolean (intake_session_get_answer (f->session, "worked_before")) == FALSE);

  /* Skipping an answer hides what depended on it as well. */
  answer (f, "worked_before", intake_answer_new_boolean (TRUE));
  answer (f, "last_sector", intake_answer_new_choice ("other"));
  g_assert_true (intake_session_skip (f->session, "worked_before", NULL) == FALSE);
  answer (f, "phone", intake_answer_new_text ("0612345678"));
  g_assert_false (intake_session_is_visible (f->session, "email"));
  g_assert_true (intake_session_skip (f->session, "phone", NULL));
  g_assert_true (intake_session_is_visible (f->session, "email"));
  answer (f, "email", intake_answer_new_text ("a@example.nl"));
  answer (f, "phone", intake_answer_new_text ("0612345678"));
  g_assert_null (intake_session_get_answer (f->session, "email"));
}

typedef struct {
  const char         *question;
  IntakeAnswer      *(*make) (void);
  IntakeSessionError  code;
} BadAnswer;

static IntakeAnswer *make_text_for_number (void) { return intake_answer_new_text ("12"); }
static IntakeAnswer *make_empty (void) { return intake_answer_new_text (""); }
static IntakeAnswer *make_blank (void) { return intake_answer_new_text ("   "); }
static IntakeAnswer *make_too_long (void) { return intake_answer_new_text ("1234567890123"); }
static IntakeAnswer *make_newline (void) { return intake_answer_new_text ("line\nbreak"); }
static IntakeAnswer *make_bad_email (void) { return intake_answer_new_text ("name at example.nl"); }
static IntakeAnswer *make_bad_email2 (void) { return intake_answer_new_text ("name@example"); }
static IntakeAnswer *make_bad_phone (void) { return intake_answer_new_text ("06-CALL-ME"); }
static IntakeAnswer *make_short_phone (void) { return intake_answer_new_text ("112"); }
static IntakeAnswer *make_bad_digits (void) { return intake_answer_new_text ("12 34"); }
static IntakeAnswer *make_41 (void) { return intake_answer_new_integer (41); }
static IntakeAnswer *make_minus1 (void) { return intake_answer_new_integer (-1); }
static IntakeAnswer *make_7 (void) { return intake_answer_new_integer (7); }
static IntakeAnswer *make_unknown_choice (void) { return intake_answer_new_choice ("metal"); }
static IntakeAnswer *
make_unknown_choices (void)
{
  const char *codes[] = { "cleaning", "metal", NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *
make_duplicate_choices (void)
{
  const char *codes[] = { "cleaning", "logistics", "cleaning", NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *
make_no_choices (void)
{
  const char *codes[] = { NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *
make_four_choices (void)
{
  const char *codes[] = { "cleaning", "logistics", "hospitality", "home_care", NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *
make_exclusive_combined (void)
{
  const char *codes[] = { "none", "logistics", NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *make_bad_date (void) { return intake_answer_new_date ("1980-02-30"); }
static IntakeAnswer *make_dutch_date (void) { return intake_answer_new_date ("17-05-1980"); }
static IntakeAnswer *make_today (void) { return intake_answer_new_date ("today"); }
static IntakeAnswer *make_too_young (void) { return intake_answer_new_date ("2010-11-23"); }
static IntakeAnswer *make_too_old (void) { return intake_answer_new_date ("1906-11-21"); }
static IntakeAnswer *make_declined (void) { return intake_answer_new_declined (); }
static IntakeAnswer *make_boolean (void) { return intake_answer_new_boolean (TRUE); }

static const BadAnswer bad_answers[] = {
  { "hours_per_week", make_text_for_number, INTAKE_SESSION_ERROR_WRONG_TYPE },
  { "needs_interpreter", make_7, INTAKE_SESSION_ERROR_WRONG_TYPE },
  { "birth_date", make_boolean, INTAKE_SESSION_ERROR_WRONG_TYPE },
  { "client_number", make_empty, INTAKE_SESSION_ERROR_EMPTY },
  { "client_number", make_blank, INTAKE_SESSION_ERROR_EMPTY },
  { "client_number", make_too_long, INTAKE_SESSION_ERROR_TOO_LONG },
  { "phone", make_newline, INTAKE_SESSION_ERROR_INVALID_TEXT },
  { "email", make_bad_email, INTAKE_SESSION_ERROR_INVALID_EMAIL },
  { "email", make_bad_email2, INTAKE_SESSION_ERROR_INVALID_EMAIL },
  { "phone", make_bad_phone, INTAKE_SESSION_ERROR_INVALID_PHONE },
  { "phone", make_short_phone, INTAKE_SESSION_ERROR_INVALID_PHONE },
  { "client_number", make_bad_digits, INTAKE_SESSION_ERROR_INVALID_DIGITS },
  { "hours_per_week", make_41, INTAKE_SESSION_ERROR_OUT_OF_RANGE },
  { "hours_per_week", make_minus1, INTAKE_SESSION_ERROR_OUT_OF_RANGE },
  { "ladder_now", make_7, INTAKE_SESSION_ERROR_OUT_OF_RANGE },
  { "digital_skills", make_7, INTAKE_SESSION_ERROR_OUT_OF_RANGE },
  { "housing", make_unknown_choice, INTAKE_SESSION_ERROR_UNKNOWN_OPTION },
  { "sectors_wanted", make_unknown_choices, INTAKE_SESSION_ERROR_UNKNOWN_OPTION },
  { "sectors_wanted", make_duplicate_choices, INTAKE_SESSION_ERROR_DUPLICATE_OPTION },
  { "sectors_wanted", make_no_choices, INTAKE_SESSION_ERROR_TOO_FEW_SELECTED },
  { "sectors_wanted", make_four_choices, INTAKE_SESSION_ERROR_TOO_MANY_SELECTED },
  { "sectors_wanted", make_exclusive_combined, INTAKE_SESSION_ERROR_EXCLUSIVE_COMBINED },
  { "birth_date", make_bad_date, INTAKE_SESSION_ERROR_INVALID_DATE },
  { "birth_date", make_dutch_date, INTAKE_SESSION_ERROR_INVALID_DATE },
  { "birth_date", make_today, INTAKE_SESSION_ERROR_INVALID_DATE },
  { "birth_date", make_too_young, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE },
  { "birth_date", make_too_old, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE },
  { "birth_date", make_declined, INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED },
  { "needs_interpreter", make_declined, INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED },
};

static void
test_validation_errors (Fixture       *f,
                        gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_answers); i++)
    {
      const IntakeQuestion *q = intake_questionnaire_lookup_question (f->questionnaire, bad_answers[i].question);
      g_autoptr(IntakeAnswer) a = bad_answers[i].make ();
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, bad_answers[i].question);
      g_assert_false (intake_session_validate_answer (f->session, q, a, &error));
      g_assert_error (error, INTAKE_SESSION_ERROR, (int) bad_answers[i].code);
      g_assert_nonnull (strstr (error->message, q->code));
      g_clear_error (&error);

      /* set_answer refuses it the same way, taking the answer anyway. */
      g_assert_false (intake_session_set_answer (f->session, q->code, g_steal_pointer (&a), &error));
      g_assert_error (error, INTAKE_SESSION_ERROR, (int) bad_answers[i].code);
      g_assert_false (intake_session_has_answer (f->session, q->code));
    }
}

static void
test_validation_accepts (Fixture       *f,
                         gconstpointer  data)
{
  const char *none[] = { "none", NULL };
  const char *three[] = { "public_space", "cleaning", "logistics", NULL };
  struct {
    const char   *question;
    IntakeAnswer *answer;
  } good[] = {
    { "birth_date", intake_answer_new_date ("2010-11-22") },
    { "birth_date", intake_answer_new_date ("1906-11-22") },
    { "client_number", intake_answer_new_text ("000123456789") },
    { "phone", intake_answer_new_text ("+31 (0)6-1234 5678") },
    { "support_notes", intake_answer_new_text ("\xd8\xb5\xd8\xa8\xd8\xa7\xd8\xad\xd8\xa7 \"vroeg\"") },
    { "sectors_wanted", intake_answer_new_choices (none) },
    { "sectors_wanted", intake_answer_new_choices (three) },
    { "hours_per_week", intake_answer_new_integer (0) },
    { "hours_per_week", intake_answer_new_integer (40) },
    { "health_limits", intake_answer_new_declined () },
    { "email", intake_answer_new_text ("r.de.vries+intake@gemeente.example.nl") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      const IntakeQuestion *q = intake_questionnaire_lookup_question (f->questionnaire, good[i].question);
      g_autoptr(IntakeAnswer) a = good[i].answer;
      g_autoptr(GError) error = NULL;

      intake_session_validate_answer (f->session, q, a, &error);
      g_assert_no_error (error);
    }
}

/* As on the ID: a birth date with an unknown day or month (the BRP writes
 * 00-07-1990, 00-00-1985) and no first name at all, where the question
 * allows it; refused where it does not. */
static const char registered_questionnaire[] =
  "{\"format\": 1, \"id\": \"brp\", \"version\": 2, \"source_language\": \"nl\","
  " \"languages\": {\"nl\": {\"name\": \"Nederlands\", \"direction\": \"ltr\", \"status\": \"reviewed\"}},"
  " \"title\": {\"nl\": \"T\"},"
  " \"sections\": [{\"code\": \"s\", \"title\": {\"nl\": \"S\"}, \"questions\": ["
  "  {\"code\": \"first_name\", \"type\": \"short_text\", \"text\": {\"nl\": \"Voornaam?\"},"
  "   \"required\": true, \"max_length\": 80,"
  "   \"none_option\": {\"nl\": \"Ik heb geen voornaam\"}},"
  "  {\"code\": \"last_name\", \"type\": \"short_text\", \"text\": {\"nl\": \"Achternaam?\"},"
  "   \"required\": true, \"max_length\": 80},"
  "  {\"code\": \"birth_date\", \"type\": \"date\", \"text\": {\"nl\": \"Geboren?\"},"
  "   \"required\": true, \"min\": \"today-120y\", \"max\": \"today-15y\", \"allow_unknown\": true},"
  "  {\"code\": \"start_date\", \"type\": \"date\", \"text\": {\"nl\": \"Start?\"},"
  "   \"min\": \"2020-01-01\", \"max\": \"2030-12-31\"}"
  " ]}]}";

static void
test_registered_forms (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (registered_questionnaire, strlen (registered_questionnaire));
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_from_bytes (bytes, "brp.json", &error);
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 10, 0, 0);
  IntakeSecureBuffer *json = NULL;
  const IntakeQuestion *birth, *first, *last, *start;
  struct {
    const char *date;
    gboolean    birth_ok;   /* on birth_date, which allows unknown parts */
    gboolean    start_ok;   /* on start_date, which does not */
  } dates[] = {
    { "1985-00-00", TRUE, FALSE },
    { "1990-07-00", TRUE, FALSE },
    { "1990-07-14", TRUE, FALSE },       /* before start_date's range */
    { "2025-00-00", FALSE, FALSE },      /* unknown day and month, but too young */
    { "1906-00-00", TRUE, FALSE },       /* 1906 reaches into the range: 22-11-1906 is 120 years back */
    { "1990-00-14", FALSE, FALSE },      /* a day without a month is not a BRP form */
    { "1990-13-00", FALSE, FALSE },
    { "0000-00-00", FALSE, FALSE },
    { "1990-02-30", FALSE, FALSE },
    { "2024-05-00", FALSE, FALSE },      /* start_date does not allow an unknown day */
    { "2024-05-17", FALSE, TRUE },
  };

  g_assert_no_error (error);
  birth = intake_questionnaire_lookup_question (questionnaire, "birth_date");
  start = intake_questionnaire_lookup_question (questionnaire, "start_date");
  first = intake_questionnaire_lookup_question (questionnaire, "first_name");
  last = intake_questionnaire_lookup_question (questionnaire, "last_name");
  g_assert_true (birth->allow_unknown);
  g_assert_false (start->allow_unknown);
  g_assert_nonnull (first->none_option);
  g_assert_null (last->none_option);
  g_assert_cmpstr (intake_text_get (first->none_option, "nl"), ==, "Ik heb geen voornaam");

  session = intake_session_new (questionnaire, "nl");
  intake_session_set_now (session, now);
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autoptr(IntakeAnswer) a = intake_answer_new_date (dates[i].date);

      g_test_message ("date %s", dates[i].date);
      g_assert_cmpint (intake_session_validate_answer (session, birth, a, NULL), ==, dates[i].birth_ok);
      g_assert_cmpint (intake_session_validate_answer (session, start, a, NULL), ==, dates[i].start_ok);
    }
  {
    g_autoptr(IntakeAnswer) a = intake_answer_new_date ("1905-00-00");

    g_assert_false (intake_session_validate_answer (session, birth, a, &error));
    g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE);
    g_clear_error (&error);
  }

  /* The empty string is "I have none", only where offered. */
  {
    g_autoptr(IntakeAnswer) none = intake_answer_new_text ("");

    g_assert_true (intake_session_validate_answer (session, first, none, &error));
    g_assert_no_error (error);
    g_assert_false (intake_session_validate_answer (session, last, none, &error));
    g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_EMPTY);
    g_clear_error (&error);
  }

  /* Worded as on the ID: 00 for what is unknown, the question's own words
   * for "I have none". */
  {
    IntakeAnswerWords words = { .yes = "ja", .no = "nee", .declined = "zeg ik liever niet" };
    g_autoptr(IntakeAnswer) none = intake_answer_new_text ("");
    g_autoptr(IntakeAnswer) year = intake_answer_new_date ("1985-00-00");
    g_autoptr(IntakeAnswer) month = intake_answer_new_date ("1990-07-00");
    g_autofree char *none_text = intake_answer_format (first, none, "nl", &words);
    g_autofree char *year_text = intake_answer_format (birth, year, "nl", &words);
    g_autofree char *month_text = intake_answer_format (birth, month, "nl", &words);

    g_assert_cmpstr (none_text, ==, "Ik heb geen voornaam");
    g_assert_cmpstr (year_text, ==, "00-00-1985");
    g_assert_cmpstr (month_text, ==, "00-07-1990");
  }

  /* Carried as such in the finished session. */
  g_assert_true (intake_session_go_first (session));
  answer_to (session, "first_name", intake_answer_new_text (""));
  answer_to (session, "last_name", intake_answer_new_text ("Haile"));
  answer_to (session, "birth_date", intake_answer_new_date ("1985-00-00"));
  g_assert_true (intake_session_skip (session, "start_date", &error));
  g_assert_no_error (error);
  json = intake_session_serialize (session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len ((const char *) json->data, json->len,
                                  "\"answers\":{\"birth_date\":\"1985-00-00\",\"first_name\":\"\",\"last_name\":\"Haile\"}"));
  intake_secure_buffer_free (json);
}

/* The progress only grows as the resident goes on: a question behind a
 * condition counts once its condition has been decided; and in parts. */
static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  IntakeSessionProgress p;
  guint start_total;

  /* Unconditional questions in unconditional sections: 12 of 23. */
  g_assert_true (intake_session_go_first (f->session));
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.position, ==, 1);
  g_assert_cmpuint (p.section, ==, 1);
  g_assert_cmpuint (p.n_sections, ==, 4);
  start_total = p.total;
  g_assert_cmpuint (start_total, ==, 12);

  answer (f, "birth_date", intake_answer_new_date ("1980-05-17"));
  g_assert_true (intake_session_go_next (f->session));       /* client_number */
  g_assert_true (intake_session_go_next (f->session));       /* phone */
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.total, ==, start_total);                /* email not yet decided */
  g_assert_true (intake_session_go_next (f->session));       /* email: phone skipped, so shown */
  assert_current (f, "email");
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.total, ==, start_total + 1);
  g_assert_cmpuint (p.position, ==, 4);

  /* Going back never makes it smaller. */
  g_assert_true (intake_session_go_previous (f->session));
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.total, ==, start_total + 1);
  g_assert_cmpuint (p.position, ==, 3);

  /* A branch opened by an answer counts once it is passed. */
  g_assert_true (intake_session_go_to (f->session, "worked_before", NULL));
  answer (f, "worked_before", intake_answer_new_boolean (TRUE));
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.section, ==, 2);
  g_assert_true (intake_session_go_next (f->session));
  assert_current (f, "last_sector");
  intake_session_get_progress (f->session, &p);
  /* email, last_sector; not yet work_confidence, which also looks at sectors_wanted */
  g_assert_cmpuint (p.total, ==, start_total + 2);

  /* Closing it again (a changed answer) is the one way it shrinks. */
  answer (f, "worked_before", intake_answer_new_boolean (FALSE));
  intake_session_get_progress (f->session, &p);
  g_assert_cmpuint (p.total, ==, start_total + 1);
}

static void
test_relative_dates_follow_clock (Fixture       *f,
                                  gconstpointer  data)
{
  const IntakeQuestion *q = intake_questionnaire_lookup_question (f->questionnaire, "birth_date");
  g_autoptr(IntakeAnswer) a = intake_answer_new_date ("2010-11-23");
  g_autoptr(GDateTime) later = g_date_time_new_utc (2026, 11, 23, 12, 0, 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_session_validate_answer (f->session, q, a, &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE);
  g_clear_error (&error);
  intake_session_set_now (f->session, later);
  g_assert_true (intake_session_validate_answer (f->session, q, a, &error));
  g_assert_no_error (error);
}

static void
test_answer_hidden_refused (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_session_set_answer (f->session, "debt_help",
                                             intake_answer_new_choice ("wanted"), &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_NOT_VISIBLE);
  g_clear_error (&error);
  g_assert_false (intake_session_set_answer (f->session, "nope", intake_answer_new_boolean (TRUE), &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_UNKNOWN_QUESTION);
  g_assert_null (intake_session_get_answer (f->session, "debt_help"));
}

static void
test_skip (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  answer (f, "needs_interpreter", intake_answer_new_boolean (TRUE));
  g_assert_false (intake_session_skip (f->session, "needs_interpreter", &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_REQUIRED);
  g_assert_true (intake_session_has_answer (f->session, "needs_interpreter"));
  g_clear_error (&error);

  /* A required question with "rather not say" may be declined but not skipped. */
  g_assert_false (intake_session_skip (f->session, "debts", &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_REQUIRED);
  g_assert_nonnull (strstr (error->message, "rather not say"));
  g_clear_error (&error);
  answer (f, "debts", intake_answer_new_declined ());
  g_assert_true (intake_answer_is_declined (intake_session_get_answer (f->session, "debts")));

  answer (f, "client_number", intake_answer_new_text ("12345"));
  g_assert_true (intake_session_skip (f->session, "client_number", &error));
  g_assert_no_error (error);
  g_assert_false (intake_session_has_answer (f->session, "client_number"));

  g_assert_false (intake_session_skip (f->session, "debt_help", &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_NOT_VISIBLE);
}

static void
test_check_complete (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buffer = NULL;

  g_assert_false (intake_session_check_complete (f->session, &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INCOMPLETE);
  g_assert_nonnull (strstr (error->message, "\"birth_date\""));
  g_clear_error (&error);

  answer (f, "birth_date", intake_answer_new_date ("1980-05-17"));
  answer (f, "needs_interpreter", intake_answer_new_boolean (FALSE));
  answer (f, "worked_before", intake_answer_new_boolean (FALSE));
  answer (f, "ladder_now", intake_answer_new_integer (2));
  answer (f, "health_limits", intake_answer_new_integer (8));
  g_assert_false (intake_session_check_complete (f->session, &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INCOMPLETE);
  g_assert_nonnull (strstr (error->message, "\"debts\""));
  g_clear_error (&error);

  buffer = intake_session_serialize (f->session, &error);
  g_assert_null (buffer);
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INCOMPLETE);
  g_clear_error (&error);

  answer (f, "debts", intake_answer_new_declined ());
  g_assert_true (intake_session_check_complete (f->session, &error));
  g_assert_no_error (error);
}

static void
test_serialize (Fixture       *f,
                gconstpointer  data)
{
  static const char expected[] =
    "{\"answers\":{"
    "\"birth_date\":\"1980-05-17\","
    "\"hours_per_week\":24,"
    "\"housing\":\"rented\","
    "\"ladder_aim\":5,"
    "\"ladder_now\":3,"
    "\"last_sector\":\"hospitality\","
    "\"mood\":4,"
    "\"needs_interpreter\":false,"
    "\"phone\":\"+31 6 1234 5678\","
    "\"punctuality\":true,"
    "\"sectors_wanted\":[\"hospitality\",\"logistics\"],"
    "\"support_notes\":\"\xd8\xb5\xd8\xa8\xd8\xa7\xd8\xad\xd8\xa7 \\\"vroeg\\\" \\\\ ok\","
    "\"support_wanted\":[\"coach\",\"social_team\"],"
    "\"work_confidence\":7,"
    "\"worked_before\":true},"
    "\"declined\":[\"debts\",\"health_limits\"],"
    "\"finished_at\":\"2026-11-22T10:31:07Z\","
    "\"format\":1,"
    "\"language\":\"ar\","
    "\"questionnaire\":{\"hash\":\"" VALID_HASH "\",\"id\":\"test-intake\",\"version\":3},"
    "\"skipped\":[\"client_number\",\"digital_skills\"],"
    "\"started_at\":\"2026-11-22T10:20:55Z\"}";
  const char *sectors[] = { "logistics", "hospitality", NULL };
  const char *support[] = { "social_team", "coach", NULL };
  g_autoptr(IntakeSecureBuffer) buffer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *again = NULL;
  gsize again_len;

  g_assert_true (intake_session_go_first (f->session));
  answer (f, "birth_date", intake_answer_new_date ("1980-05-17"));
  answer (f, "phone", intake_answer_new_text ("+31 6 1234 5678"));
  answer (f, "needs_interpreter", intake_answer_new_boolean (FALSE));
  answer (f, "worked_before", intake_answer_new_boolean (TRUE));
  answer (f, "last_sector", intake_answer_new_choice ("hospitality"));
  answer (f, "sectors_wanted", intake_answer_new_choices (sectors));
  answer (f, "hours_per_week", intake_answer_new_integer (24));
  answer (f, "ladder_now", intake_answer_new_integer (3));
  answer (f, "ladder_aim", intake_answer_new_integer (5));
  answer (f, "work_confidence", intake_answer_new_integer (7));
  answer (f, "punctuality", intake_answer_new_boolean (TRUE));
  answer (f, "health_limits", intake_answer_new_declined ());
  answer (f, "mood", intake_answer_new_integer (4));
  answer (f, "debts", intake_answer_new_declined ());
  answer (f, "housing", intake_answer_new_choice ("rented"));
  answer (f, "support_wanted", intake_answer_new_choices (support));
  answer (f, "support_notes", intake_answer_new_text ("\xd8\xb5\xd8\xa8\xd8\xa7\xd8\xad\xd8\xa7 \"vroeg\" \\ ok"));

  intake_session_set_now (f->session, f->finish);
  buffer = intake_session_serialize (f->session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buffer);
  g_assert_cmpmem (buffer->data, buffer->len, expected, strlen (expected));

  /* It is canonical: re-serializing the parsed output gives the same bytes. */
  json_parser_load_from_data (parser, (const char *) buffer->data, buffer->len, &error);
  g_assert_no_error (error);
  again = intake_canonical_json_serialize (json_parser_get_root (parser), &again_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (again, again_len, buffer->data, buffer->len);
}

static void
test_serialize_minimal (Fixture       *f,
                        gconstpointer  data)
{
  static const char expected[] =
    "{\"answers\":{\"birth_date\":\"2000-01-01\",\"health_limits\":9,\"ladder_now\":6,"
    "\"needs_interpreter\":true,\"worked_before\":false},"
    "\"declined\":[\"debts\"],"
    "\"finished_at\":\"2026-11-22T10:31:07Z\",\"format\":1,\"language\":\"nl\","
    "\"questionnaire\":{\"hash\":\"" VALID_HASH "\",\"id\":\"test-intake\",\"version\":3},"
    "\"skipped\":[\"client_number\",\"digital_skills\",\"email\",\"hours_per_week\",\"housing\","
    "\"mood\",\"phone\",\"sectors_wanted\"],"
    "\"started_at\":\"2026-11-22T10:20:55Z\"}";
  g_autoptr(IntakeSecureBuffer) buffer = NULL;
  g_autoptr(GError) error = NULL;

  answer (f, "birth_date", intake_answer_new_date ("2000-01-01"));
  answer (f, "needs_interpreter", intake_answer_new_boolean (TRUE));
  answer (f, "worked_before", intake_answer_new_boolean (FALSE));
  answer (f, "ladder_now", intake_answer_new_integer (6));
  answer (f, "health_limits", intake_answer_new_integer (9));
  answer (f, "debts", intake_answer_new_declined ());

  intake_session_set_now (f->session, f->finish);
  buffer = intake_session_serialize (f->session, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer->data, buffer->len, expected, strlen (expected));
}

static void
test_wipe (Fixture       *f,
           gconstpointer  data)
{
  g_assert_true (intake_session_go_first (f->session));
  answer (f, "birth_date", intake_answer_new_date ("1980-05-17"));
  answer (f, "phone", intake_answer_new_text ("0612345678"));
  answer (f, "health_limits", intake_answer_new_declined ());
  g_assert_true (intake_session_go_next (f->session));

  intake_session_wipe (f->session);

  for (guint i = 0; i < intake_questionnaire_get_n_questions (f->questionnaire); i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (f->questionnaire, i);

      g_assert_null (intake_session_get_answer (f->session, q->code));
    }
  assert_current (f, NULL);
  g_assert_false (intake_session_is_at_end (f->session));
  g_assert_null (intake_session_get_started_at (f->session));
  g_assert_true (intake_session_is_visible (f->session, "email"));
}

static void
changed_cb (IntakeSession *session,
            guint         *count)
{
  (*count)++;
}

static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  guint count = 0;

  g_signal_connect (f->session, "changed", G_CALLBACK (changed_cb), &count);
  intake_session_go_first (f->session);
  g_assert_cmpuint (count, ==, 1);
  answer (f, "birth_date", intake_answer_new_date ("1980-05-17"));
  g_assert_cmpuint (count, ==, 2);
  g_assert_false (intake_session_set_answer (f->session, "birth_date", intake_answer_new_date ("x"), NULL));
  g_assert_cmpuint (count, ==, 2);
  intake_session_skip (f->session, "phone", NULL);
  g_assert_cmpuint (count, ==, 3);
  intake_session_wipe (f->session);
  g_assert_cmpuint (count, ==, 4);
  g_signal_handlers_disconnect_by_func (f->session, changed_cb, &count);
}

int
main (int    argc,
      char **argv)
{
  /* Relative dates use the local time zone; pin it so the fixed clock means one day. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/new-destroy", test_new_destroy);
  g_test_add_func ("/session/new-undeclared-language", test_new_undeclared_language);
  g_test_add_func ("/session/answers/registered-forms", test_registered_forms);
#define ADD(path, func, lang) \
  g_test_add ("/session/" path, Fixture, lang, fixture_set_up, func, fixture_tear_down)
  ADD ("navigation/start", test_navigation_start, NULL);
  ADD ("navigation/conditions", test_navigation_conditions, NULL);
  ADD ("navigation/go-to-errors", test_go_to_errors, NULL);
  ADD ("answers/changed-answer-clears-hidden", test_changed_answer_clears_hidden, NULL);
  ADD ("answers/validation-errors", test_validation_errors, NULL);
  ADD ("answers/validation-accepts", test_validation_accepts, NULL);
  ADD ("answers/relative-dates-follow-clock", test_relative_dates_follow_clock, NULL);
  ADD ("navigation/progress", test_progress, NULL);
  ADD ("answers/hidden-refused", test_answer_hidden_refused, NULL);
  ADD ("answers/skip", test_skip, NULL);
  ADD ("finish/check-complete", test_check_complete, NULL);
  ADD ("finish/serialize", test_serialize, "ar");
  ADD ("finish/serialize-minimal", test_serialize_minimal, NULL);
  ADD ("wipe", test_wipe, NULL);
  ADD ("changed-signal", test_changed_signal, NULL);
#undef ADD

  return g_test_run ();
}

/* test-answer-format.c: one answer formatter for the kiosk's review screen and for staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every question type is worded both ways: with the staff's Dutch words
 * (the review app) and with the plain form the kiosk's answers-review screen
 * uses. The random-session cases compare with copies of the two formatters
 * intake_answer_format() replaced, so the kiosk can switch to it without a
 * visible change.
 */
#include "config.h"

#include <string.h>

#include "intake-answer-format.h"
#include "intake-random-answers.h"
#include "intake-session.h"
#include "intake-test-util.h"

/* The review app's words (Dutch staff). */
static const IntakeAnswerWords staff_words = {
  .yes = "Ja",
  .no = "Nee",
  .declined = "Wil ik liever niet zeggen",
  .not_answered = "Overgeslagen",
  .list_separator = "; ",
  .scale_format = "%s (van %s '%s' tot %s '%s')",
  .rung_format = "Trede %s: %s",
};

/* The kiosk's answers-review screen: its catalog's words (English here, as
 * the msgids), a line per chosen option, the plain scale and rung. */
static const IntakeAnswerWords kiosk_words = {
  .yes = "Yes",
  .no = "No",
  .declined = "You chose not to say",
  .not_answered = "Not answered",
  .list_separator = NULL,
  .scale_format = NULL,
  .rung_format = NULL,
};

static IntakeQuestionnaire *
load_questionnaire (void)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  return q;
}

static IntakeQuestionnaire *
load_builtin (void)
{
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_builtin (&error);

  g_assert_no_error (error);
  return q;
}

typedef struct {
  const char *code;
  IntakeAnswer *(*make) (void);
  const char *language;
  const char *staff;   /* with staff_words */
  const char *kiosk;   /* with kiosk_words */
} Case;

static IntakeAnswer *make_choice (void) { return intake_answer_new_choice ("logistics"); }
static IntakeAnswer *make_choice_unknown (void) { return intake_answer_new_choice ("gone_option"); }
static IntakeAnswer *
make_choices (void)
{
  /* Sorted by code; shown in the question's order. */
  static const char * const codes[] = { "cleaning", "hospitality", "public_space", NULL };

  return intake_answer_new_choices (codes);
}
static IntakeAnswer *make_scale (void) { return intake_answer_new_integer (7); }
static IntakeAnswer *make_scale_low (void) { return intake_answer_new_integer (1); }
static IntakeAnswer *make_yes (void) { return intake_answer_new_boolean (TRUE); }
static IntakeAnswer *make_no (void) { return intake_answer_new_boolean (FALSE); }
static IntakeAnswer *make_number (void) { return intake_answer_new_integer (24); }
static IntakeAnswer *make_date (void) { return intake_answer_new_date ("1990-03-15"); }
static IntakeAnswer *make_rung (void) { return intake_answer_new_integer (3); }
static IntakeAnswer *make_rung_out_of_range (void) { return intake_answer_new_integer (7); }
static IntakeAnswer *make_text (void) { return intake_answer_new_text ("أنا طباخ، \"الشام\""); }
static IntakeAnswer *make_declined (void) { return intake_answer_new_declined (); }
static IntakeAnswer *make_none (void) { return NULL; }

static const Case cases[] = {
  /* single_choice: the option's label; an unknown code as it is. */
  { "last_sector", make_choice, "nl", "Logistiek", "Logistiek" },
  { "last_sector", make_choice, "en", "Logistics", "Logistics" },
  { "last_sector", make_choice_unknown, "nl", "gone_option", "gone_option" },
  /* multiple_choice: question order; "; " for staff, a line each on the kiosk. */
  { "sectors_wanted", make_choices, "nl", "Horeca; Schoonmaak; Groen en openbare ruimte",
    "Horeca\nSchoonmaak\nGroen en openbare ruimte" },
  { "sectors_wanted", make_choices, "ar", "الفنادق والمطاعم; التنظيف; الحدائق والأماكن العامة",
    "الفنادق والمطاعم\nالتنظيف\nالحدائق والأماكن العامة" },
  /* scale: with its end labels for staff, the plain range on the kiosk. */
  { "work_confidence", make_scale, "nl", "7 (van 0 'Geen vertrouwen' tot 10 'Veel vertrouwen')", "7 (0–10)" },
  { "digital_skills", make_scale_low, "en", "1 (van 1 'Not at all' tot 5 'Very well')", "1 (1–5)" },
  /* yes_no */
  { "needs_interpreter", make_yes, "nl", "Ja", "Yes" },
  { "needs_interpreter", make_no, "nl", "Nee", "No" },
  /* number: with its unit in the language asked for. */
  { "hours_per_week", make_number, "nl", "24 uur per week", "24 uur per week" },
  { "hours_per_week", make_number, "en", "24 hours a week", "24 hours a week" },
  /* date: day-month-year. */
  { "birth_date", make_date, "nl", "15-03-1990", "15-03-1990" },
  /* ladder: "Trede 3: ..." for staff, the rung's text alone on the kiosk. */
  { "ladder_now", make_rung, "nl", "Trede 3: Ik doe elke week mee aan een activiteit",
    "Ik doe elke week mee aan een activiteit" },
  { "ladder_now", make_rung, "en", "Trede 3: I take part in an activity every week",
    "I take part in an activity every week" },
  { "ladder_now", make_rung_out_of_range, "nl", "7", "7" },
  /* short_text: exactly as written. */
  { "support_notes", make_text, "nl", "أنا طباخ، \"الشام\"", "أنا طباخ، \"الشام\"" },
  /* declined and not answered, for any type. */
  { "debts", make_declined, "nl", "Wil ik liever niet zeggen", "You chose not to say" },
  { "work_confidence", make_declined, "nl", "Wil ik liever niet zeggen", "You chose not to say" },
  { "ladder_aim", make_none, "nl", "Overgeslagen", "Not answered" },
  { "sectors_wanted", make_none, "nl", "Overgeslagen", "Not answered" },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  const IntakeQuestion *q = intake_questionnaire_lookup_question (questionnaire, c->code);
  g_autoptr(IntakeAnswer) answer = c->make ();
  g_autofree char *staff = NULL;
  g_autofree char *kiosk = NULL;

  g_assert_nonnull (q);
  staff = intake_answer_format (q, answer, c->language, &staff_words);
  kiosk = intake_answer_format (q, answer, c->language, &kiosk_words);
  g_assert_cmpstr (staff, ==, c->staff);
  g_assert_cmpstr (kiosk, ==, c->kiosk);
}

/* Every question type is covered above, both ways. */
static void
test_every_type (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  gboolean seen[INTAKE_QUESTION_TYPE_LADDER + 1] = { FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    seen[intake_questionnaire_lookup_question (questionnaire, cases[i].code)->type] = TRUE;
  for (guint t = 0; t <= INTAKE_QUESTION_TYPE_LADDER; t++)
    g_assert_true (seen[t]);
}

static void
test_not_answered_plain (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  const IntakeQuestion *q = intake_questionnaire_lookup_question (questionnaire, "phone");
  IntakeAnswerWords words = kiosk_words;
  g_autofree char *text = NULL;

  words.not_answered = NULL;
  text = intake_answer_format (q, NULL, "nl", &words);
  g_assert_cmpstr (text, ==, "");
}

/* A translator may reorder with positional directives. */
static void
test_positional_formats (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  IntakeAnswerWords words = staff_words;
  g_autoptr(IntakeAnswer) seven = intake_answer_new_integer (7);
  g_autoptr(IntakeAnswer) three = intake_answer_new_integer (3);
  g_autofree char *scale = NULL;
  g_autofree char *rung = NULL;

  words.scale_format = "%3$s (%2$s) … %5$s (%4$s): %1$s";
  words.rung_format = "%2$s (%1$s)";
  scale = intake_answer_format (intake_questionnaire_lookup_question (questionnaire, "work_confidence"),
                                seven, "nl", &words);
  rung = intake_answer_format (intake_questionnaire_lookup_question (questionnaire, "ladder_now"),
                               three, "nl", &words);
  g_assert_cmpstr (scale, ==, "Geen vertrouwen (0) … Veel vertrouwen (10): 7");
  g_assert_cmpstr (rung, ==, "Ik doe elke week mee aan een activiteit (3)");
}

/* A format that would read other arguments than the strings it is given is
 * refused with a critical, and the plain form written instead. */
static void
test_bad_formats (void)
{
  static const char * const bad_scale[] = {
    "%d (van %s '%s' tot %s '%s')", "%s (van %s '%s' tot %s)", "%s %s %s %s %s %s", "%1$s %s %s %s %s",
    "%6$s", "%s (%n)", "%", "%-5s %s %s %s %s",
  };
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  const IntakeQuestion *scale_q = intake_questionnaire_lookup_question (questionnaire, "work_confidence");
  const IntakeQuestion *ladder_q = intake_questionnaire_lookup_question (questionnaire, "ladder_now");
  g_autoptr(IntakeAnswer) seven = intake_answer_new_integer (7);
  g_autoptr(IntakeAnswer) three = intake_answer_new_integer (3);

  for (guint i = 0; i < G_N_ELEMENTS (bad_scale); i++)
    {
      IntakeAnswerWords words = staff_words;
      g_autofree char *text = NULL;

      words.scale_format = bad_scale[i];
      g_test_expect_message ("intake-core", G_LOG_LEVEL_CRITICAL, "*does not take exactly five strings*");
      text = intake_answer_format (scale_q, seven, "nl", &words);
      g_test_assert_expected_messages ();
      g_assert_cmpstr (text, ==, "7 (0–10)");
    }
  {
    IntakeAnswerWords words = staff_words;
    g_autofree char *text = NULL;

    words.rung_format = "Trede %d: %s";
    g_test_expect_message ("intake-core", G_LOG_LEVEL_CRITICAL, "*does not take exactly two strings*");
    text = intake_answer_format (ladder_q, three, "nl", &words);
    g_test_assert_expected_messages ();
    g_assert_cmpstr (text, ==, "Ik doe elke week mee aan een activiteit");
  }
}

static void
test_guards (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = load_questionnaire ();
  const IntakeQuestion *q = intake_questionnaire_lookup_question (questionnaire, "debts");
  g_autoptr(IntakeAnswer) yes = intake_answer_new_boolean (TRUE);
  IntakeAnswerWords words = kiosk_words;

  g_test_expect_message ("intake-core", G_LOG_LEVEL_CRITICAL, "*words != NULL*");
  g_assert_null (intake_answer_format (q, yes, "nl", NULL));
  g_test_assert_expected_messages ();
  words.yes = NULL;
  g_test_expect_message ("intake-core", G_LOG_LEVEL_CRITICAL, "*words->yes != NULL*");
  g_assert_null (intake_answer_format (q, yes, "nl", &words));
  g_test_assert_expected_messages ();
}

/* ------------------------------------------------------------------ */
/* The two formatters it replaced                                       */

/* format_answer() of ui/kiosk/intake-kiosk-window.c (commit 7ac3e6f), with
 * its catalog lookups as parameters: the kiosk's answers-review screen. */
static char *
kiosk_format_answer (const IntakeQuestion *question,
                     const IntakeAnswer   *answer,
                     const char           *language)
{
  if (answer == NULL)
    return g_strdup (kiosk_words.not_answered);

  switch (intake_answer_get_kind (answer))
    {
    case INTAKE_ANSWER_DECLINED:
      return g_strdup (kiosk_words.declined);
    case INTAKE_ANSWER_CHOICE:
      {
        const IntakeOption *option = intake_question_lookup_option (question,
                                                                    intake_answer_get_string (answer));
        return g_strdup (option != NULL ? intake_text_get (option->label, language)
                                        : intake_answer_get_string (answer));
      }
    case INTAKE_ANSWER_CHOICES:
      {
        GString *text = g_string_new (NULL);

        for (guint i = 0; i < question->n_options; i++)
          if (intake_answer_has_choice (answer, question->options[i].code))
            {
              if (text->len > 0)
                g_string_append (text, "\n");
              g_string_append (text, intake_text_get (question->options[i].label, language));
            }
        return g_string_free (text, FALSE);
      }
    case INTAKE_ANSWER_INTEGER:
      {
        gint64 value = intake_answer_get_integer (answer);

        if (question->type == INTAKE_QUESTION_TYPE_LADDER &&
            value >= 1 && value <= INTAKE_LADDER_RUNGS && question->rungs[value - 1] != NULL)
          return g_strdup (intake_text_get (question->rungs[value - 1], language));
        if (question->type == INTAKE_QUESTION_TYPE_NUMBER && question->unit != NULL)
          return g_strdup_printf ("%" G_GINT64_FORMAT " %s", value,
                                  intake_text_get (question->unit, language));
        if (question->type == INTAKE_QUESTION_TYPE_SCALE)
          return g_strdup_printf ("%" G_GINT64_FORMAT " (%" G_GINT64_FORMAT "–%" G_GINT64_FORMAT ")",
                                  value, question->min, question->max);
        return g_strdup_printf ("%" G_GINT64_FORMAT, value);
      }
    case INTAKE_ANSWER_BOOLEAN:
      return g_strdup (intake_answer_get_boolean (answer) ? kiosk_words.yes : kiosk_words.no);
    case INTAKE_ANSWER_TEXT:
      /* Since questionnaire version 2: "I have none" in the question's words. */
      if (*intake_answer_get_string (answer) == '\0' && question->none_option != NULL)
        return g_strdup (intake_text_get (question->none_option, language));
      return g_strdup (intake_answer_get_string (answer));
    case INTAKE_ANSWER_DATE:
      {
        const char *date = intake_answer_get_string (answer);

        if (strlen (date) == 10)
          return g_strdup_printf ("%.2s-%.2s-%.4s", date + 8, date + 5, date);
        return g_strdup (date);
      }
    default:
      return g_strdup ("");
    }
}

/* intake_submission_format_answer() of app/review (commit 7ac3e6f) with its
 * Dutch staff words, for answered and declined questions. */
static char *
staff_format_answer (const IntakeQuestion *q,
                     const IntakeAnswer   *answer)
{
  const char *lang = "nl";
  GString *out = g_string_new (NULL);

  if (intake_answer_is_declined (answer))
    {
      g_string_append (out, "Wil ik liever niet zeggen");
      return g_string_free (out, FALSE);
    }
  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      {
        const IntakeOption *option = intake_question_lookup_option (q, intake_answer_get_string (answer));

        g_string_append (out, option != NULL ? intake_text_get (option->label, lang)
                                             : intake_answer_get_string (answer));
        break;
      }
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        gboolean first = TRUE;

        for (guint i = 0; i < q->n_options; i++)
          if (intake_answer_has_choice (answer, q->options[i].code))
            {
              if (!first)
                g_string_append (out, "; ");
              g_string_append (out, intake_text_get (q->options[i].label, lang));
              first = FALSE;
            }
        break;
      }
    case INTAKE_QUESTION_TYPE_SCALE:
      g_string_append_printf (out, "%" G_GINT64_FORMAT " (van %" G_GINT64_FORMAT " '%s' tot %"
                              G_GINT64_FORMAT " '%s')", intake_answer_get_integer (answer),
                              q->min, intake_text_get (q->min_label, lang),
                              q->max, intake_text_get (q->max_label, lang));
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      g_string_append (out, intake_answer_get_boolean (answer) ? "Ja" : "Nee");
      break;
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      if (*intake_answer_get_string (answer) == '\0' && q->none_option != NULL)
        g_string_append (out, intake_text_get (q->none_option, lang));
      else
        g_string_append (out, intake_answer_get_string (answer));
      break;
    case INTAKE_QUESTION_TYPE_NUMBER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, intake_answer_get_integer (answer));
      if (q->unit != NULL)
        g_string_append_printf (out, " %s", intake_text_get (q->unit, lang));
      break;
    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *iso = intake_answer_get_string (answer);

        if (strlen (iso) == 10)
          g_string_append_printf (out, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
        else
          g_string_append (out, iso);
        break;
      }
    case INTAKE_QUESTION_TYPE_LADDER:
      {
        gint64 rung = intake_answer_get_integer (answer);

        if (rung >= 1 && rung <= INTAKE_LADDER_RUNGS)
          g_string_append_printf (out, "Trede %" G_GINT64_FORMAT ": %s", rung,
                                  intake_text_get (q->rungs[rung - 1], lang));
        else
          g_string_append_printf (out, "Trede %" G_GINT64_FORMAT, rung);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  return g_string_free (out, FALSE);
}

/* Random complete sessions of the shipped questionnaire in every language:
 * the kiosk's screen and the staff's words come out exactly as before. */
static void
test_same_as_before (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = load_builtin ();
  guint compared = 0, declined = 0, not_answered = 0;

  for (guint seed = 1; seed <= 64; seed++)
    {
      const char *language = intake_questionnaire_get_language (questionnaire,
                                                                seed % intake_questionnaire_get_n_languages (questionnaire))->code;
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(IntakeSession) session = intake_session_new (questionnaire, language);
      g_autoptr(GPtrArray) visible = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (intake_random_answers_fill (session, rand, &error));
      g_assert_no_error (error);
      visible = intake_session_list_visible (session);
      for (guint i = 0; i < visible->len; i++)
        {
          const IntakeQuestion *q = g_ptr_array_index (visible, i);
          const IntakeAnswer *answer = intake_session_get_answer (session, q->code);
          g_autofree char *kiosk_before = kiosk_format_answer (q, answer, language);
          g_autofree char *kiosk_now = intake_answer_format (q, answer, language, &kiosk_words);

          g_assert_cmpstr (kiosk_now, ==, kiosk_before);
          if (answer != NULL)
            {
              g_autofree char *staff_before = staff_format_answer (q, answer);
              g_autofree char *staff_now = intake_answer_format (q, answer, "nl", &staff_words);

              g_assert_cmpstr (staff_now, ==, staff_before);
              declined += intake_answer_is_declined (answer);
            }
          else
            not_answered++;
          compared++;
        }
    }
  /* The sessions met every kind of answer, declined and skipped included. */
  g_assert_cmpuint (compared, >, 1000);
  g_assert_cmpuint (declined, >, 0);
  g_assert_cmpuint (not_answered, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/answer-format/%s/%u", cases[i].code, i);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/core/answer-format/every-type", test_every_type);
  g_test_add_func ("/core/answer-format/not-answered-plain", test_not_answered_plain);
  g_test_add_func ("/core/answer-format/positional", test_positional_formats);
  g_test_add_func ("/core/answer-format/bad-formats", test_bad_formats);
  g_test_add_func ("/core/answer-format/guards", test_guards);
  g_test_add_func ("/core/answer-format/same-as-before", test_same_as_before);

  return g_test_run ();
}

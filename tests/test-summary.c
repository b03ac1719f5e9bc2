/* test-summary.c: the caseworker summary and its rules table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-random-answers.h"
#include "intake-session.h"
#include "intake-summary.h"
#include "intake-test-submission.h"
#include "intake-test-util.h"

/* ------------------------------------------------------------------ */
/* Helpers (as in test-submission.c)                                    */

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



/* ------------------------------------------------------------------ */
/* A hand-made session                                                  */

static const IntakeTestSpec session_specs[] = {
  { "first_name", "Sara" },
  { "last_name", "Haddad" },
  { "birth_date", "1990-03-15" },
  { "preferred_language", "ar" },
  { "dutch_speaking", "a_little" },
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
  { "transport", "bike;public_transport" },
  { "skill_on_time", "3" },
  { "skill_teamwork", "5" },
  { "skill_manual_work", "5" },
  { "skill_know_strengths", "4" },
  { "strengths", "أنا جيد في الطبخ" },
  { "digital_smartphone", "4" },
  { "hours_possible", "<declined>" },
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
  { "support_wanted", "interpreter;language_course" },
};

typedef struct {
  IntakeSummaryTopic  topic;
  const char         *zrm;
  const char         *label;
  const char         *text;
  const char         *sources;  /* comma-separated */
} ExpectedLine;

static const ExpectedLine expected_lines[] = {
  { INTAKE_SUMMARY_LADDER_NOW, NULL, "Participatieladder nu",
    "Trede 2: Ik heb elke week contact met mensen buiten mijn huis", "ladder_now" },
  { INTAKE_SUMMARY_LADDER_AIM, NULL, "Participatieladder: wil bereiken",
    "Trede 5: Betaald werk hebben, met begeleiding", "ladder_aim" },
  { INTAKE_SUMMARY_MOTIVATION, NULL, "Motivatie",
    "Wat wilt u het liefst in het komende jaar? — Betaald werk vinden; "
    "Hoe belangrijk is werk nu voor u? — 8 (van 0 'Helemaal niet belangrijk' tot 10 'Heel belangrijk')",
    "main_goal,work_importance" },
  { INTAKE_SUMMARY_CONFIDENCE, NULL, "Vertrouwen",
    "Hoeveel vertrouwen heeft u dat u werk gaat vinden? — 4 (van 0 'Geen vertrouwen' tot 10 'Veel vertrouwen')",
    "work_confidence" },
  { INTAKE_SUMMARY_STRENGTHS, NULL, "Sterke punten (eigen inschatting)",
    "Werkt u graag samen met anderen? — 5 (van 1 'Liever niet' tot 5 'Ja, heel graag'); "
    "Werkt u graag met uw handen? — 5 (van 1 'Liever niet' tot 5 'Ja, heel graag')",
    "skill_teamwork,skill_manual_work" },
  { INTAKE_SUMMARY_OWN_WORDS, NULL, "Sterke punten in eigen woorden", "أنا جيد في الطبخ", "strengths" },
  { INTAKE_SUMMARY_SECTORS, NULL, "Interesse in werk",
    "Logistiek: magazijn, inpakken, bezorgen; Horeca: restaurant, hotel, keuken", "sector_wish" },
  { INTAKE_SUMMARY_SUPPORT, NULL, "Gevraagde hulp",
    "Wat zou u het meest helpen om verder te komen? — wil liever niet zeggen; "
    "Welke hulp wilt u graag krijgen? — Een cursus Nederlands; Een tolk bij afspraken",
    "what_helps,support_wanted" },
  { INTAKE_SUMMARY_INTERPRETER, NULL, "Tolk en taal van het gesprek",
    "In welke taal wilt u het gesprek met de werkcoach voeren? — Arabisch (العربية); "
    "Wilt u een tolk bij het gesprek? — Ja; "
    "Welke hulp wilt u graag krijgen? — Een tolk bij afspraken",
    "preferred_language,interpreter_wanted,support_wanted" },
  /* The realistic labour-market perspective: each answer beside its question. */
  { INTAKE_SUMMARY_EDUCATION, NULL, "Opleiding en erkenning",
    "Wat is de hoogste opleiding die u heeft gedaan? — Beroepsopleiding (mbo niveau 2, 3 of 4); "
    "Heeft u deze opleiding in een ander land gedaan? — Ja; "
    "Is uw diploma uit het buitenland erkend in Nederland? — Nee, nog niet",
    "schooling,schooling_abroad,diploma_recognised" },
  { INTAKE_SUMMARY_MOBILITY, NULL, "Rijbewijs en vervoer",
    "Hoe kunt u naar uw werk reizen? — Fiets; Bus of trein", "transport" },
  { INTAKE_SUMMARY_HOURS, NULL, "Uren: kan en wil werken",
    "Hoeveel uur per week kunt u nu werken, denkt u? — wil liever niet zeggen", "hours_possible" },
  { INTAKE_SUMMARY_DUTCH, NULL, "Nederlands spreken en lezen",
    "Hoe goed spreekt u Nederlands? — Een beetje", "dutch_speaking" },
  { INTAKE_SUMMARY_BARRIERS, "finances", "Financiën",
    "Maakt u zich zorgen over geld of schulden? — Ja; "
    "Krijgt u al hulp bij geld of schulden? — Nee, maar ik wil wel hulp",
    "money_worries,debt_help" },
  { INTAKE_SUMMARY_BARRIERS, "work_education", "Werk en opleiding",
    "Is uw diploma uit het buitenland erkend in Nederland? — Nee, nog niet", "diploma_recognised" },
  { INTAKE_SUMMARY_BARRIERS, "housing", "Huisvesting",
    "Waar woont u nu? — In een opvang of azc", "housing" },
  { INTAKE_SUMMARY_BARRIERS, "physical_health", "Lichamelijke gezondheid",
    "Is een van deze dingen zwaar voor u in werk? — Zwaar tillen; Lawaai; "
    "Hoeveel energie heeft u op de meeste dagen? — 2 (van 1 'Weinig energie' tot 5 'Veel energie')",
    "work_limits,energy" },
  { INTAKE_SUMMARY_NOT_SAID, "mental_health", "Geestelijke gezondheid",
    "Hoe goed lukt het u om met spanning of stress om te gaan? — wil liever niet zeggen", "stress_coping" },
  { INTAKE_SUMMARY_NOT_SAID, "physical_health", "Lichamelijke gezondheid",
    "Hoeveel uur per week kunt u nu werken, denkt u? — wil liever niet zeggen; "
    "Wilt u in het gesprek praten over uw gezondheid? — wil liever niet zeggen",
    "hours_possible,health_talk" },
};

static void
test_summary_lines (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ar", session_specs, G_N_ELEMENTS (session_specs), NULL);
  g_autoptr(GError) error = NULL;
  IntakeSummary *summary = intake_summary_new (submission, q, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (intake_summary_get_heading (summary), ==,
                   "Hulpmiddel voor het gesprek — geen besluit en geen score over de persoon");

  for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
    {
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
      g_autofree char *sources = g_strjoinv (",", line->sources);

      g_test_message ("%u %s [%s]: %s (from %s)", line->topic, line->label,
                      line->zrm_domain ? line->zrm_domain : "", line->text, sources);
    }

  /* Exactly the expected lines, in this order. */
  g_assert_cmpuint (intake_summary_get_n_lines (summary), ==, G_N_ELEMENTS (expected_lines));
  for (guint i = 0; i < G_N_ELEMENTS (expected_lines); i++)
    {
      const ExpectedLine *e = &expected_lines[i];
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
      g_autofree char *sources = g_strjoinv (",", line->sources);

      g_assert_cmpint (line->topic, ==, e->topic);
      g_assert_cmpstr (line->zrm_domain, ==, e->zrm);
      g_assert_cmpstr (line->label, ==, e->label);
      g_assert_cmpstr (line->text, ==, e->text);
      g_assert_cmpstr (sources, ==, e->sources);
      g_assert_true (intake_summary_find_line (summary, e->topic, e->zrm) == line ||
                     e->zrm == NULL);
    }

  /* The own words keep their language; the items are the line's parts. */
  g_assert_cmpstr (intake_summary_find_line (summary, INTAKE_SUMMARY_OWN_WORDS, NULL)->text_language_name, ==, "Arabisch");
  g_assert_cmpuint (g_strv_length (intake_summary_find_line (summary, INTAKE_SUMMARY_SUPPORT, NULL)->items), ==, 2);

  /* Nothing supports these: no line (transport without "none", social network
   * with people to ask, care not asked because there is no one to care for). */
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_BARRIERS, "instrumental_adl"));
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_BARRIERS, "social_network"));
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_BARRIERS, "domestic_relations"));
  /* A declined answer is never a barrier. */
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_BARRIERS, "mental_health"));

  g_assert_finalize_object (summary);
}

static void
test_summary_nothing_answered (void)
{
  /* Only the required questions answered: no line at all, just the heading. */
  static const IntakeTestSpec minimal[] = {
    { "first_name", "Sara" }, { "last_name", "Haddad" }, { "birth_date", "1990-03-15" },
  };
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "nl", minimal, G_N_ELEMENTS (minimal), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSummary) summary = intake_summary_new (submission, q, "nl", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (intake_summary_get_n_lines (summary), ==, 0);
  g_assert_cmpstr (intake_summary_get_heading (summary), ==,
                   "Hulpmiddel voor het gesprek — geen besluit en geen score over de persoon");
}

static void
test_summary_no_barrier_answers (void)
{
  /* Answers on every barrier question that do not count: no barrier line. */
  static const IntakeTestSpec calm[] = {
    { "first_name", "Sara" }, { "last_name", "Haddad" }, { "birth_date", "1990-03-15" },
    { "preferred_language", "nl" }, { "dutch_speaking", "reasonably" },
    { "interpreter_wanted", "false" },
    { "schooling", "havo_vwo" }, { "schooling_abroad", "true" }, { "diploma_recognised", "yes" },
    { "transport", "car" }, { "work_limits", "none" }, { "energy", "3" }, { "stress_coping", "4" },
    { "health_talk", "false" }, { "housing", "own_home" }, { "money_worries", "no" },
    { "care_for_others", "true" }, { "care_arranged", "yes" }, { "support_people", "one" },
    { "skill_teamwork", "4" },
  };
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "nl", calm, G_N_ELEMENTS (calm), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSummary) summary = intake_summary_new (submission, q, NULL, &error);
  const IntakeSummaryLine *line;

  g_assert_no_error (error);
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_BARRIERS, NULL));
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_NOT_SAID, NULL));
  g_assert_null (intake_summary_find_line (summary, INTAKE_SUMMARY_STRENGTHS, NULL));
  /* "Dutch, no interpreter" is still an answer worth showing. */
  line = intake_summary_find_line (summary, INTAKE_SUMMARY_INTERPRETER, NULL);
  g_assert_nonnull (line);
  g_assert_cmpstr (line->text, ==, "Wilt u een tolk bij het gesprek? — Nee");
  g_assert_cmpstr (line->sources[0], ==, "interpreter_wanted");
  g_assert_null (line->sources[1]);
  /* The labour-market perspective shows the answers as given, barrier or not. */
  g_assert_nonnull (intake_summary_find_line (summary, INTAKE_SUMMARY_EDUCATION, NULL));
  line = intake_summary_find_line (summary, INTAKE_SUMMARY_MOBILITY, NULL);
  g_assert_nonnull (line);
  g_assert_cmpstr (line->sources[0], ==, "transport");
  g_assert_nonnull (intake_summary_find_line (summary, INTAKE_SUMMARY_DUTCH, NULL));
  g_assert_cmpuint (intake_summary_get_n_lines (summary), ==, 4);
}

static void
test_summary_no_scores_or_tracks (void)
{
  /* Over many random sessions: every line names its sources, every source is
   * a question the resident saw, and no line scores or decides. */
  g_autoptr(IntakeQuestionnaire) q = load_intake ();

  for (guint seed = 1; seed <= 60; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autoptr(IntakeSession) session = intake_session_new (q, seed % 2 ? "ar" : "tr");
      g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;
      g_autoptr(IntakeSubmission) submission = NULL;
      g_autoptr(IntakeSummary) summary = NULL;
      g_autoptr(GError) error = NULL;

      intake_session_set_now (session, now);
      g_assert_true (intake_random_answers_fill (session, rand, &error));
      plaintext = intake_session_serialize (session, &error);
      g_assert_no_error (error);
      submission = intake_submission_new_from_secure (plaintext, &error);
      g_assert_no_error (error);
      summary = intake_summary_new (submission, q, NULL, &error);
      g_assert_no_error (error);

      for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
        {
          const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
          g_autofree char *lower = g_utf8_strdown (line->text, -1);

          g_assert_nonnull (line->sources[0]);
          for (guint k = 0; line->sources[k] != NULL; k++)
            g_assert_cmpint (intake_submission_get_state (submission, line->sources[k]), !=,
                             INTAKE_SUBMISSION_NOT_SHOWN);
          g_assert_cmpuint (g_strv_length (line->items), >=, 1);
          g_assert_null (strstr (lower, "score"));
          g_assert_null (strstr (lower, "traject"));
          g_assert_null (strstr (lower, "advies"));
          if (line->topic == INTAKE_SUMMARY_BARRIERS)
            g_assert_null (strstr (line->text, "wil liever niet zeggen"));
        }
    }
}

static void
test_summary_rules_match_intake (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_summary_check_rules (q, &error));
  g_assert_no_error (error);
}

/* Version 2 lost main_goal and what_helps; their rules stay for the
 * submissions made with version 1, and the rules fit version 2. */
static void
test_summary_rules_match_current (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake_current ();
  g_autoptr(GError) error = NULL;
  static const IntakeTestSpec specs[] = {
    { "first_name", "" }, { "last_name", "Tesfay" }, { "birth_date", "1985-00-00" },
    { "work_importance", "9" }, { "support_wanted", "work_experience;health" },
  };
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ti", specs, G_N_ELEMENTS (specs), NULL);
  g_autoptr(IntakeSummary) summary = NULL;
  gboolean motivation = FALSE, support = FALSE;

  g_assert_null (intake_questionnaire_lookup_question (q, "main_goal"));
  g_assert_true (intake_summary_check_rules (q, &error));
  g_assert_no_error (error);

  summary = intake_summary_new (submission, q, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
    {
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);

      if (line->topic == INTAKE_SUMMARY_MOTIVATION)
        motivation = g_str_equal (line->text, "Hoe belangrijk is werk nu voor u? — 9 (van 0 'Helemaal niet belangrijk' tot 10 'Heel belangrijk')");
      if (line->topic == INTAKE_SUMMARY_SUPPORT)
        support = g_str_equal (line->text, "Welke hulp wilt u graag krijgen? — Een plek om werkervaring op te doen; Steun voor mijn gezondheid");
    }
  g_assert_true (motivation);
  g_assert_true (support);
}

static void
test_summary_rules_mismatch (void)
{
  /* The rules name intake.json's codes; another questionnaire lacks them. */
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_false (intake_summary_check_rules (q, &error));
  g_assert_error (error, INTAKE_SUMMARY_ERROR, INTAKE_SUMMARY_ERROR_RULE_MISMATCH);
  g_test_message ("%s", error->message);
}

static void
test_summary_errors (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) submission = intake_test_submit (q, "ar", session_specs, G_N_ELEMENTS (session_specs), NULL);
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(IntakeQuestionnaire) other = intake_questionnaire_new_from_file (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSummary) summary = NULL;

  /* The questionnaire has no German texts. */
  summary = intake_summary_new (submission, q, "de", &error);
  g_assert_null (summary);
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE);
  g_clear_error (&error);

  /* English question texts, the staff's (Dutch) words around them. */
  summary = intake_summary_new (submission, q, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (intake_summary_find_line (summary, INTAKE_SUMMARY_LADDER_NOW, NULL)->label, ==, "Participatieladder nu");
  g_assert_true (g_str_has_prefix (intake_summary_find_line (summary, INTAKE_SUMMARY_LADDER_NOW, NULL)->text, "Trede "));
  g_clear_object (&summary);

  summary = intake_summary_new (submission, other, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_QUESTIONNAIRE_MISMATCH);
}

/* Free text is labelled with its language only where that is known: an
 * Arabic session's Arabic words are, Latin letters typed on it are not, and
 * Dutch (the staff's own language) never is. */
static void
test_summary_language_only_where_known (void)
{
  static const IntakeTestSpec latin_on_arabic[] = {
    { "first_name", "Sara" }, { "last_name", "Haddad" }, { "birth_date", "1990-03-15" },
    { "strengths", "koken en schoonmaken" },
  };
  static const IntakeTestSpec dutch[] = {
    { "first_name", "Sara" }, { "last_name", "Haddad" }, { "birth_date", "1990-03-15" },
    { "strengths", "koken en schoonmaken" },
  };
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeSubmission) latin = intake_test_submit (q, "ar", latin_on_arabic, G_N_ELEMENTS (latin_on_arabic),
                                                          NULL);
  g_autoptr(IntakeSubmission) nl = intake_test_submit (q, "nl", dutch, G_N_ELEMENTS (dutch), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSummary) latin_summary = intake_summary_new (latin, q, "nl", &error);
  g_autoptr(IntakeSummary) nl_summary = NULL;
  const IntakeSummaryLine *line;

  g_assert_no_error (error);
  line = intake_summary_find_line (latin_summary, INTAKE_SUMMARY_OWN_WORDS, NULL);
  g_assert_nonnull (line);
  g_assert_cmpstr (line->text, ==, "koken en schoonmaken");
  g_assert_null (line->text_language_name);
  nl_summary = intake_summary_new (nl, q, "nl", &error);
  g_assert_no_error (error);
  line = intake_summary_find_line (nl_summary, INTAKE_SUMMARY_OWN_WORDS, NULL);
  g_assert_nonnull (line);
  g_assert_null (line->text_language_name);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();

  g_test_add_func ("/review/summary/language-only-where-known", test_summary_language_only_where_known);
  g_test_add_func ("/review/summary/lines", test_summary_lines);
  g_test_add_func ("/review/summary/nothing-answered", test_summary_nothing_answered);
  g_test_add_func ("/review/summary/no-barrier-answers", test_summary_no_barrier_answers);
  g_test_add_func ("/review/summary/no-scores-or-tracks", test_summary_no_scores_or_tracks);
  g_test_add_func ("/review/summary/rules/match-intake", test_summary_rules_match_intake);
  g_test_add_func ("/review/summary/rules/match-current", test_summary_rules_match_current);
  g_test_add_func ("/review/summary/rules/mismatch", test_summary_rules_mismatch);
  g_test_add_func ("/review/summary/errors", test_summary_errors);

  return g_test_run ();
}

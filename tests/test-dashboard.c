/* test-dashboard.c: the counts of the review app's overview (app/intake-dashboard.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-dashboard.h"
#include "intake-test-util.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static IntakeQuestionnaire *
load_intake (void)
{
  g_autofree char *path = intake_test_source_path ("resources/questionnaires/intake.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  return q;
}

/* A hand-made decrypted submission: @answers is the body of the answers object. */
static IntakeSubmission *
submission (const char *questionnaire_id,
            const char *language,
            const char *answers,
            const char *declined)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{\"answers\":{%s},\"declined\":[%s],\"finished_at\":\"2026-11-22T10:31:07Z\",\"format\":1,"
    "\"language\":\"%s\",\"questionnaire\":{\"hash\":\"" H64 "\",\"id\":\"%s\",\"version\":1},"
    "\"skipped\":[],\"started_at\":\"2026-11-22T10:20:55Z\"}",
    answers, declined, language, questionnaire_id);
  IntakeSubmission *s = intake_submission_new_from_data ((const guint8 *) json, strlen (json), &error);

  g_assert_no_error (error);
  return s;
}

static gint64
local_time (int y, int m, int d, int hour)
{
  g_autoptr(GDateTime) t = g_date_time_new_local (y, m, d, hour, 0, 0);

  return g_date_time_to_unix (t);
}

static void
test_new_destroy (void)
{
  IntakeDashboard *dashboard = intake_dashboard_new ();

  g_assert_cmpuint (intake_dashboard_get_total (dashboard), ==, 0);
  g_assert_finalize_object (dashboard);
}

static void
test_weeks_and_locations (void)
{
  g_autoptr(IntakeDashboard) dashboard = intake_dashboard_new ();
  g_autoptr(GPtrArray) weeks = NULL;
  g_autoptr(GPtrArray) locations = NULL;
  g_autofree char *words = NULL;

  /* Monday 16 and Sunday 22 November 2026 are week 47; Monday 23 is week 48;
   * Friday 1 January 2027 still belongs to week 53 of 2026. */
  for (int i = 0; i < 6; i++)
    intake_dashboard_add_meta (dashboard, local_time (2026, 11, 16, 9), "Vaals");
  intake_dashboard_add_meta (dashboard, local_time (2026, 11, 22, 23), "Gulpen-Wittem");
  intake_dashboard_add_meta (dashboard, local_time (2026, 11, 23, 0), "Vaals");
  intake_dashboard_add_meta (dashboard, local_time (2027, 1, 1, 12), NULL);

  g_assert_cmpuint (intake_dashboard_get_total (dashboard), ==, 9);
  weeks = intake_dashboard_list_keys (dashboard, INTAKE_DASHBOARD_WEEKS);
  g_assert_cmpuint (weeks->len, ==, 3);
  g_assert_cmpstr (weeks->pdata[0], ==, "2026-W47");
  g_assert_cmpstr (weeks->pdata[1], ==, "2026-W48");
  g_assert_cmpstr (weeks->pdata[2], ==, "2026-W53");
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_WEEKS, "2026-W47"), ==, 7);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_WEEKS, "2026-W48"), ==, 1);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_WEEKS, "2026-W53"), ==, 1);
  g_assert_cmpstr (intake_dashboard_get_label (dashboard, INTAKE_DASHBOARD_WEEKS, "2026-W47"), ==, "week 47 (2026)");

  g_assert_cmpuint (intake_dashboard_get_week_location (dashboard, "2026-W47", "Vaals"), ==, 6);
  g_assert_cmpuint (intake_dashboard_get_week_location (dashboard, "2026-W47", "Gulpen-Wittem"), ==, 1);
  g_assert_cmpuint (intake_dashboard_get_week_location (dashboard, "2026-W48", "Vaals"), ==, 1);
  g_assert_cmpuint (intake_dashboard_get_week_location (dashboard, "2026-W48", "Gulpen-Wittem"), ==, 0);
  g_assert_cmpuint (intake_dashboard_get_week_location (dashboard, "2026-W53", NULL), ==, 1);

  locations = intake_dashboard_list_keys (dashboard, INTAKE_DASHBOARD_LOCATIONS);
  g_assert_cmpuint (locations->len, ==, 3);
  g_assert_cmpstr (locations->pdata[0], ==, "Vaals");   /* largest first */
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LOCATIONS, "Vaals"), ==, 7);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LOCATIONS, "onbekend"), ==, 1);

  /* In words, through the small-cell rule: 7 stays, 6 stays, 1 is "< 5". */
  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_WEEKS);
  g_assert_cmpstr (words, ==,
                   "Aanmeldingen per week: week 47 (2026): 7 (Vaals 6, Gulpen-Wittem < 5); "
                   "week 48 (2026): < 5 (Vaals < 5); week 53 (2026): < 5 (onbekend < 5).");
  g_clear_pointer (&words, g_free);
  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_LOCATIONS);
  g_assert_cmpstr (words, ==, "Aanmeldingen per locatie: Vaals: 7; Gulpen-Wittem: < 5; onbekend: < 5.");
}

static void
test_languages_and_sectors (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_intake ();
  g_autoptr(IntakeDashboard) dashboard = intake_dashboard_new ();
  g_autoptr(GPtrArray) sectors = NULL;
  g_autoptr(GPtrArray) languages = NULL;
  g_autofree char *words = NULL;

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(IntakeSubmission) s = submission ("szmh-intake", "nl", "\"sector_wish\":[\"cleaning\"]", "");

      intake_dashboard_add_submission (dashboard, s, q);
    }
  {
    g_autoptr(IntakeSubmission) s = submission ("szmh-intake", "ar",
                                                "\"sector_wish\":[\"cleaning\",\"logistics\"]", "");
    intake_dashboard_add_submission (dashboard, s, q);
  }
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(IntakeSubmission) s = submission ("szmh-intake", "uk", "", "\"sector_wish\"");

      intake_dashboard_add_submission (dashboard, s, q);
    }
  {
    /* Declined: counts its language, no sector. */
    g_autoptr(IntakeSubmission) s = submission ("szmh-intake", "ti", "", "\"sector_wish\"");
    intake_dashboard_add_submission (dashboard, s, q);
  }
  {
    /* Another questionnaire's sector_wish is not this question. */
    g_autoptr(IntakeSubmission) s = submission ("other-intake", "ar", "\"sector_wish\":[\"care\"]", "");
    intake_dashboard_add_submission (dashboard, s, NULL);
  }

  g_assert_cmpuint (intake_dashboard_get_total (dashboard), ==, 0);  /* no metadata added */
  languages = intake_dashboard_list_keys (dashboard, INTAKE_DASHBOARD_LANGUAGES);
  g_assert_cmpuint (languages->len, ==, 4);
  g_assert_cmpstr (languages->pdata[0], ==, "nl");
  /* Small cells rank alike, then by name: the order does not tell that
   * Ukrainian (3) is more than Arabic (2). */
  g_assert_cmpstr (languages->pdata[1], ==, "ar");
  g_assert_cmpstr (languages->pdata[2], ==, "uk");
  g_assert_cmpstr (languages->pdata[3], ==, "ti");
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LANGUAGES, "uk"), ==, 3);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LANGUAGES, "nl"), ==, 5);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LANGUAGES, "ar"), ==, 2);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_LANGUAGES, "ti"), ==, 1);
  g_assert_cmpstr (intake_dashboard_get_label (dashboard, INTAKE_DASHBOARD_LANGUAGES, "ar"), ==, "Arabisch");

  sectors = intake_dashboard_list_keys (dashboard, INTAKE_DASHBOARD_SECTORS);
  g_assert_cmpuint (sectors->len, ==, 2);
  g_assert_cmpstr (sectors->pdata[0], ==, "cleaning");
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_SECTORS, "cleaning"), ==, 6);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_SECTORS, "logistics"), ==, 1);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_SECTORS, "care"), ==, 0);
  g_assert_cmpstr (intake_dashboard_get_label (dashboard, INTAKE_DASHBOARD_SECTORS, "cleaning"), ==, "Schoonmaak");

  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_SECTORS);
  g_assert_cmpstr (words, ==, "Gewenste sectoren: Schoonmaak: 6; Logistiek: magazijn, inpakken, bezorgen: < 5.");
  g_clear_pointer (&words, g_free);
  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_LANGUAGES);
  g_assert_nonnull (strstr (words, "Nederlands: 5"));
  g_assert_nonnull (strstr (words, "Arabisch: < 5"));
  /* The exact small count is never in the words. */
  g_assert_null (strstr (words, "Arabisch: 2"));
}

static void
test_help_requests (void)
{
  g_autoptr(IntakeDashboard) dashboard = intake_dashboard_new ();
  g_autoptr(GPtrArray) weeks = NULL;
  g_autofree char *words = NULL;

  g_assert_true (intake_dashboard_add_help_requests (dashboard, "2026-11-16", "ar", 3));
  g_assert_true (intake_dashboard_add_help_requests (dashboard, "2026-11-20", "ar", 4));
  g_assert_true (intake_dashboard_add_help_requests (dashboard, "2026-11-24", "uk", 2));
  g_assert_false (intake_dashboard_add_help_requests (dashboard, "16-11-2026", "ar", 9));
  g_assert_false (intake_dashboard_add_help_requests (dashboard, "2026-02-30", "ar", 9));
  g_assert_false (intake_dashboard_add_help_requests (dashboard, NULL, "ar", 9));

  g_assert_cmpuint (intake_dashboard_get_help_total (dashboard), ==, 9);
  weeks = intake_dashboard_list_keys (dashboard, INTAKE_DASHBOARD_HELP_WEEKS);
  g_assert_cmpuint (weeks->len, ==, 2);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_HELP_WEEKS, "2026-W47"), ==, 7);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_HELP_WEEKS, "2026-W48"), ==, 2);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_HELP_LANGUAGES, "ar"), ==, 7);
  g_assert_cmpuint (intake_dashboard_get_count (dashboard, INTAKE_DASHBOARD_HELP_LANGUAGES, "uk"), ==, 2);

  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_HELP_WEEKS);
  g_assert_cmpstr (words, ==, "Hulpvragen per week: week 47 (2026): 7; week 48 (2026): < 5.");
  g_clear_pointer (&words, g_free);
  words = intake_dashboard_describe (dashboard, INTAKE_DASHBOARD_SECTORS);
  g_assert_cmpstr (words, ==, "Gewenste sectoren: geen gegevens.");
}

static void
test_small_cells (void)
{
  static const struct { guint n; const char *shown; } cases[] = {
    { 0, "0" }, { 1, "< 5" }, { 2, "< 5" }, { 4, "< 5" }, { 5, "5" }, { 6, "6" }, { 120, "120" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = intake_dashboard_format_count (cases[i].n);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();

  g_test_add_func ("/dashboard/new-destroy", test_new_destroy);
  g_test_add_func ("/dashboard/weeks-and-locations", test_weeks_and_locations);
  g_test_add_func ("/dashboard/languages-and-sectors", test_languages_and_sectors);
  g_test_add_func ("/dashboard/help-requests", test_help_requests);
  g_test_add_func ("/dashboard/small-cells", test_small_cells);

  return g_test_run ();
}

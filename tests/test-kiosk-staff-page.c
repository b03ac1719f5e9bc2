/* test-kiosk-staff-page.c: IntakeKioskStaffPage on its own, with a real kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "intake-kiosk-staff-page.h"
#include "intake-outbox-private.h"
#include "intake-random-answers.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

/* Whether @page has a visible row with @title (any when NULL) showing @value. */
static gboolean
has_row (GtkWidget  *page,
         const char *title,
         const char *value)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (ADW_IS_ACTION_ROW (widget) && gtk_widget_is_visible (widget) &&
          (title == NULL || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0) &&
          g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
count_cb (GtkWidget *page,
          guint     *count)
{
  (*count)++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_new_destroy (KioskFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  GtkWidget *page = g_object_ref_sink (intake_kiosk_staff_page_new (f->kiosk, catalog));
  IntakeKioskStaffPage *staff = INTAKE_KIOSK_STAFF_PAGE (page);
  const char *device_id = intake_kiosk_get_device_id (f->kiosk);
  g_autofree char *fingerprint = intake_office_public_dup_fingerprint (intake_kiosk_get_office (f->kiosk));
  g_autoptr(IntakeSync) sync = intake_sync_new (f->kiosk);
  guint unlocked_notified = 0, closed = 0, exited = 0, cancelled = 0;

#define NL(msgid) intake_catalog_lookup (catalog, "nl", msgid)

  g_assert_true (intake_kiosk_staff_page_get_kiosk (staff) == f->kiosk);
  g_assert_true (intake_kiosk_staff_page_get_catalog (staff) == catalog);
  g_assert_null (intake_kiosk_staff_page_get_sync (staff));
  g_assert_false (intake_kiosk_staff_page_get_unlocked (staff));
  intake_kiosk_staff_page_set_language (staff, "nl");
  g_object_set (page, "location-name", "Gulpen", NULL);
  g_assert_cmpstr (intake_kiosk_staff_page_get_location_name (staff), ==, "Gulpen");

  g_signal_connect (page, "notify::unlocked", G_CALLBACK (notify_cb), &unlocked_notified);
  g_signal_connect (page, "close", G_CALLBACK (count_cb), &closed);
  g_signal_connect (page, "exit", G_CALLBACK (count_cb), &exited);
  g_signal_connect (page, "cancel", G_CALLBACK (count_cb), &cancelled);

  /* No PIN yet: the page says how to set one. */
  intake_kiosk_staff_page_ask_pin (staff);
  g_assert_false (intake_kiosk_staff_page_get_unlocked (staff));
  g_assert_nonnull (kiosk_test_find_text (page, NL ("No staff PIN set: run intake-kiosk --set-pin")));
  g_assert_true (intake_kiosk_staff_page_get_default_widget (staff) != NULL);
  /* Locked: closing and exiting are not possible; cancelling is. */
  gtk_widget_activate_action (page, "staff.close", NULL);
  gtk_widget_activate_action (page, "staff.exit", NULL);
  gtk_widget_activate_action (page, "staff.cancel", NULL);
  g_assert_cmpuint (closed + exited, ==, 0);
  g_assert_cmpuint (cancelled, ==, 1);

  intake_kiosk_staff_page_show_status (staff);
  g_assert_true (intake_kiosk_staff_page_get_unlocked (staff));
  g_assert_cmpuint (unlocked_notified, ==, 1);
  g_assert_null (intake_kiosk_staff_page_get_default_widget (staff));
  g_assert_true (has_row (page, NL ("Device id"), device_id));
  g_assert_true (has_row (page, NL ("Location"), "Gulpen"));
  g_assert_true (has_row (page, NL ("Office key fingerprint"), fingerprint));
  g_assert_true (has_row (page, NL ("Connection with the office"), NL ("Not enrolled")));
  g_assert_true (has_row (page, NL ("Waiting to be sent"), "0"));
  g_assert_true (has_row (page, NL ("No open help requests"), ""));
  /* Without an engine there is nothing to send with. */
  gtk_widget_activate_action (page, "staff.sync-now", NULL);
  g_assert_false (has_row (page, NL ("Send now"), NL ("Sending to the office…")));

  /* An engine: the page rebuilds what it shows and can send. */
  intake_kiosk_staff_page_set_sync (staff, sync);
  g_assert_true (intake_kiosk_staff_page_get_sync (staff) == sync);
  g_assert_true (intake_kiosk_staff_page_get_unlocked (staff));
  g_assert_true (has_row (page, NL ("Current status"),
                          intake_sync_status_to_string (INTAKE_SYNC_STATUS_NOT_ENROLLED, "nl")));

  /* "Send now" cannot send for a kiosk that is not enrolled, and says so. */
  gtk_widget_activate_action (page, "staff.sync-now", NULL);
  g_assert_true (has_row (page, NL ("Send now"), NL ("Sending to the office…")));
  for (guint waited = 0; waited < 5000 &&
       !has_row (page, NL ("Send now"), NL ("Not sent. The current status above says why.")); waited += 10)
    kiosk_test_spin (10);
  g_assert_true (has_row (page, NL ("Send now"), NL ("Not sent. The current status above says why.")));

  gtk_widget_activate_action (page, "staff.close", NULL);
  gtk_widget_activate_action (page, "staff.exit", NULL);
  g_assert_cmpuint (closed, ==, 1);
  g_assert_cmpuint (exited, ==, 1);

  /* Cleared: back to the PIN entry, and no staff information stays. */
  intake_kiosk_staff_page_clear (staff);
  g_assert_false (intake_kiosk_staff_page_get_unlocked (staff));
  g_assert_cmpuint (unlocked_notified, ==, 2);
  g_assert_false (has_row (page, NULL, device_id));
  g_assert_false (has_row (page, NULL, fingerprint));
  g_assert_false (has_row (page, NL ("No open help requests"), ""));

  intake_kiosk_staff_page_set_sync (staff, NULL);
  g_assert_finalize_object (page);
  g_assert_finalize_object (g_steal_pointer (&sync));
#undef NL
}

/* The subtitle of the visible row titled @title, or NULL. */
static const char *
row_value (GtkWidget  *page,
           const char *title)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (ADW_IS_ACTION_ROW (widget) && gtk_widget_is_visible (widget) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
        return adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
    }
  return NULL;
}

/* When the kiosk's own disk refuses a submission, the log says so and
 * the staff screen says it plainly, in the staff language, under
 * "Outbox"; once a submission is stored again, it is gone. */
static void
test_disk_problem (KioskFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  GtkWidget *page = g_object_ref_sink (intake_kiosk_staff_page_new (f->kiosk, catalog));
  IntakeKioskStaffPage *staff = INTAKE_KIOSK_STAFF_PAGE (page);
  sqlite3 *db = intake_outbox_get_db (intake_kiosk_get_outbox (f->kiosk));
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const char *sentence = intake_catalog_lookup (catalog, "nl", "This kiosk cannot store new submissions on its "
                                                                "own disk (full or failing). Free space or call "
                                                                "support.");
  const char *outbox = intake_catalog_lookup (catalog, "nl", "Outbox");
  const char *value;

  g_assert_false (g_str_has_prefix (sentence, "This kiosk"));
  intake_kiosk_staff_page_set_language (staff, "nl");
  intake_kiosk_staff_page_show_status (staff);
  g_assert_null (row_value (page, outbox));

  /* The outbox can grow no more, as on a full disk. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(IntakeSession) session = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *reference = NULL;

      if (attempt == 1)
        g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL), ==, SQLITE_OK);
      session = intake_kiosk_new_session (f->kiosk, "nl", &error);
      g_assert_no_error (error);
      g_assert_true (intake_random_answers_fill (session, rand, &error));
      if (attempt == 0)
        g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING,
                               "A submission could not be stored because of this kiosk's own disk: *");
      reference = intake_kiosk_submit (f->kiosk, session, &error);
      g_test_assert_expected_messages ();
      intake_session_wipe (session);
      intake_kiosk_staff_page_show_status (staff);
      value = row_value (page, outbox);
      if (attempt == 0)
        {
          g_assert_null (reference);
          g_assert_nonnull (value);
          g_test_message ("%s: %s", outbox, value);
          g_assert_true (g_str_has_prefix (value, sentence));
          g_assert_nonnull (strstr (value, "full"));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_nonnull (reference);
          g_assert_null (value);
        }
    }

  intake_kiosk_staff_page_clear (staff);
  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

  g_test_add ("/kiosk/staff-page/new-destroy", KioskFixture, NULL,
              kiosk_fixture_setup, test_new_destroy, kiosk_fixture_teardown);
  g_test_add ("/kiosk/staff-page/disk-problem", KioskFixture, NULL,
              kiosk_fixture_setup, test_disk_problem, kiosk_fixture_teardown);

  return g_test_run ();
}

/* test-kiosk-staff-page.c: IntakeKioskStaffPage on its own, with a real kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests against a real server start intake-server (INTAKE_SERVER) on
 * loopback with a throwaway store and use the real intake-admin
 * (INTAKE_ADMIN) for enrollment codes and import-bundle; the "USB stick"
 * is a temporary directory offered through
 * intake_kiosk_staff_page_set_drives_func().
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-bundle.h"
#include "intake-enroll.h"
#include "intake-kiosk-staff-page.h"
#include "intake-kiosk-tour.h"
#include "intake-kiosk-utils.h"
#include "intake-outbox-private.h"
#include "intake-random-answers.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"
#include "test-server-util.h"

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

/* ---- Against a real server --------------------------------------------- */

/* The staff page of a kiosk that seals to the test server's office key,
 * with its sync engine, in a window, and a "USB stick" that is a
 * temporary directory. */
typedef struct {
  KioskFixture   k;
  TestServer    *server;
  char          *state_dir;
  char          *stick;
  IntakeKiosk   *kiosk;
  IntakeSync    *sync;
  IntakeCatalog *catalog;
  GtkWindow     *window;
  GtkWidget     *page;
} ServerFixture;

#define NL(msgid) intake_catalog_lookup (f->catalog, "nl", msgid)
#define ACT(f, name) gtk_widget_activate_action ((f)->page, (name), NULL)

static GPtrArray *
test_stick_cb (gpointer user_data)
{
  ServerFixture *f = user_data;
  GPtrArray *drives = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GFile) root = g_file_new_for_path (f->stick);

  g_ptr_array_add (drives, intake_kiosk_drive_new ("TEST STICK", root));
  return drives;
}

static void
server_fixture_setup (ServerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  kiosk_fixture_setup (&f->k, data);
  f->server = test_server_new (FALSE);
  g_assert_true (test_server_start (f->server, NULL, NULL));

  f->state_dir = g_build_filename (f->k.tmp, "enroll-state", NULL);
  f->stick = g_build_filename (f->k.tmp, "stick", NULL);
  g_assert_cmpint (g_mkdir (f->stick, 0700), ==, 0);
  f->kiosk = intake_kiosk_new (f->state_dir, f->server->office_pub, f->k.questionnaire_path, &error);
  g_assert_no_error (error);
  f->sync = intake_sync_new (f->kiosk);
  intake_sync_set_language (f->sync, "nl");
  intake_sync_set_backoff (f->sync, 20, 500);
  intake_sync_set_interval (f->sync, 3600);

  f->catalog = intake_kiosk_catalog_new_default ();
  f->page = g_object_ref_sink (intake_kiosk_staff_page_new (f->kiosk, f->catalog));
  intake_kiosk_staff_page_set_language (INTAKE_KIOSK_STAFF_PAGE (f->page), "nl");
  intake_kiosk_staff_page_set_sync (INTAKE_KIOSK_STAFF_PAGE (f->page), f->sync);
  intake_kiosk_staff_page_set_drives_func (INTAKE_KIOSK_STAFF_PAGE (f->page), test_stick_cb, f, NULL);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1000, 900);
  /* The kiosk window's style (style.css): big buttons, visible focus. */
  gtk_widget_add_css_class (GTK_WIDGET (f->window), "kiosk");
  gtk_window_set_child (f->window, f->page);
  gtk_window_present (f->window);
  intake_kiosk_staff_page_show_status (INTAKE_KIOSK_STAFF_PAGE (f->page));
  kiosk_test_spin (50);
}

static void
server_fixture_teardown (ServerFixture *f,
                         gconstpointer  data)
{
  GtkWidget *page = f->page;

  intake_kiosk_staff_page_clear (INTAKE_KIOSK_STAFF_PAGE (f->page));
  gtk_window_destroy (f->window);
  f->window = NULL;
  intake_kiosk_staff_page_set_sync (INTAKE_KIOSK_STAFF_PAGE (page), NULL);
  g_clear_pointer (&f->page, g_object_unref);
  kiosk_test_spin (20);
  g_assert_finalize_object (f->sync);
  g_assert_finalize_object (f->kiosk);
  g_clear_object (&f->catalog);
  test_server_free (f->server);
  g_free (f->state_dir);
  g_free (f->stick);
  kiosk_fixture_teardown (&f->k, data);
}

/* Whether the visible row titled @title has @needle in its value. */
static gboolean
row_contains (GtkWidget  *page,
              const char *title,
              const char *needle)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      const char *value;

      if (!ADW_IS_ACTION_ROW (widget) || !gtk_widget_is_visible (widget) ||
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) != 0)
        continue;
      value = adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
      if (value != NULL && strstr (value, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Spins the main loop (never sleeps) until a "Result" row holds @needle. */
static void
wait_for_result (ServerFixture *f,
                 const char    *needle)
{
  for (guint waited = 0; waited < 20000 && !row_contains (f->page, NL ("Result"), needle); waited += 10)
    kiosk_test_spin (10);
  if (!row_contains (f->page, NL ("Result"), needle))
    {
      g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

      kiosk_test_collect_widgets (f->page, widgets);
      for (guint i = 0; i < widgets->len; i++)
        if (ADW_IS_ACTION_ROW (g_ptr_array_index (widgets, i)) && gtk_widget_is_visible (g_ptr_array_index (widgets, i)))
          g_test_message ("row: %s = %s",
                          adw_preferences_row_get_title (g_ptr_array_index (widgets, i)),
                          adw_action_row_get_subtitle (g_ptr_array_index (widgets, i)));
      g_error ("no result row with \"%s\"", needle);
    }
}

static GtkEditable *
entry_titled (ServerFixture *f,
              const char    *title)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (f->page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (ADW_IS_ENTRY_ROW (widget) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
        return GTK_EDITABLE (widget);
    }
  g_error ("no entry titled \"%s\"", title);
}

static void
enroll_with (ServerFixture *f,
             const char    *url,
             const char    *code,
             const char    *expected)
{
  gtk_editable_set_text (entry_titled (f, NL ("Server address")), url);
  gtk_editable_set_text (entry_titled (f, NL ("Enrollment code")), code);
  ACT (f, "staff.enroll");
  wait_for_result (f, expected);
}

static void
save_screenshot (ServerFixture *f,
                 const char    *name)
{
  g_autofree char *dir = kiosk_test_artifacts_dir ("kiosk");
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  GtkWidget *content = NULL;

  /* The whole staff information, not only what fits on the screen: the
   * scrolled window's content is allocated at its full height. */
  kiosk_test_collect_widgets (f->page, widgets);
  for (guint i = 0; i < widgets->len && content == NULL; i++)
    if (GTK_IS_SCROLLED_WINDOW (g_ptr_array_index (widgets, i)) &&
        gtk_widget_is_visible (g_ptr_array_index (widgets, i)))
      content = gtk_scrolled_window_get_child (g_ptr_array_index (widgets, i));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  g_assert_nonnull (content);
  intake_kiosk_save_screenshot (content, path, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* Enrolling from the staff screen against a real intake-server: each
 * failure has its own line in Dutch; the office key fingerprint shows
 * after success; a kiosk that refuses the offered office key says that
 * the code is used up (the server consumed it before answering). */
static void
test_enroll (ServerFixture *f,
             gconstpointer  data)
{
  g_autofree char *code = test_server_new_code (f->server, "Vaals");
  g_autofree char *expected = intake_office_public_dup_fingerprint (f->server->office);
  g_autofree char *office_path = g_build_filename (f->state_dir, "office.pub", NULL);
  g_autofree char *server_json = g_build_filename (f->state_dir, "server.json", NULL);
  g_autoptr(IntakeOfficePublic) other_public = NULL;
  g_autoptr(IntakeOfficeSecret) other_secret = NULL;
  g_autofree char *other_code = NULL;

  g_assert_true (has_row (f->page, NL ("Connection with the office"), NL ("Not enrolled")));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (entry_titled (f, NL ("Enrollment code")))));

  /* Nothing typed: says what is missing. */
  ACT (f, "staff.enroll");
  g_assert_true (has_row (f->page, NL ("Result"), NL ("Fill in the server address and the code from the office.")));

  /* A wrong code, then nothing listening, then a bad address. */
  enroll_with (f, f->server->url, "ACEF-HJKM-NPRT-UVWX",
               NL ("The office server does not know this code. Check the code, or ask the office for a new one."));
  enroll_with (f, "http://127.0.0.1:1", code,
               NL ("The office server cannot be reached. Check the address and the network, then try again."));
  g_assert_false (g_file_test (server_json, G_FILE_TEST_EXISTS));
  save_screenshot (f, "staff-page-enroll-error-nl");

  /* Each field is named for assistive technology. */
  {
    GtkEditable *code_entry = entry_titled (f, NL ("Enrollment code"));
    GtkEditable *url_entry = entry_titled (f, NL ("Server address"));

    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (code_entry)),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL, NL ("Enrollment code"));
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (url_entry)),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL, NL ("Server address"));

    /* The right code, with Enter in the code field (the keyboard path):
     * connected, and the fingerprint to compare. */
    gtk_editable_set_text (url_entry, f->server->url);
    gtk_editable_set_text (code_entry, code);
    g_signal_emit_by_name (gtk_editable_get_delegate (code_entry), "activate");
    wait_for_result (f, expected);
  }
  g_assert_true (row_contains (f->page, NL ("Result"),
                               NL ("Connected with the office. Compare this office key fingerprint with the one "
                                   "the office wrote down. If they differ, do not use this kiosk and call the office:")));
  g_assert_true (has_row (f->page, NL ("Office key fingerprint"), expected));
  g_assert_true (has_row (f->page, NL ("Connection with the office"), NL ("Enrolled")));
  g_assert_true (has_row (f->page, NL ("Location known to the office"), "Vaals"));
  g_assert_true (intake_sync_is_enrolled (f->sync));
  /* The code field is emptied; the address stays. */
  g_assert_cmpstr (gtk_editable_get_text (entry_titled (f, NL ("Enrollment code"))), ==, "");
  save_screenshot (f, "staff-page-enrolled-nl");

  /* The same code again: used. */
  enroll_with (f, f->server->url, code, NL ("This code has already been used. Ask the office for a new one."));

  /* This kiosk seals to another office key than the server offers: it
   * refuses, keeps its key, and tells staff the code is used up. */
  g_assert_true (intake_office_generate (&other_public, &other_secret, NULL));
  g_assert_true (intake_office_public_save (other_public, office_path, NULL) ||
                 (g_unlink (office_path) == 0 && intake_office_public_save (other_public, office_path, NULL)));
  other_code = test_server_new_code (f->server, "Vaals");
  enroll_with (f, f->server->url, other_code,
               NL ("The office server offers another office key than the one this kiosk uses. "
                   "The kiosk kept its own key. Call the office. This code is now used up: "
                   "the next try needs a new code."));
  {
    g_autoptr(IntakeOfficePublic) now = intake_office_public_load (office_path, NULL);

    g_assert_nonnull (now);
    g_assert_cmpmem (now->key_id, 8, other_public->key_id, 8);
  }
  /* As the message says: the server consumed that code. */
  enroll_with (f, f->server->url, other_code, NL ("This code has already been used. Ask the office for a new one."));

  /* Cleared: nothing typed stays behind the PIN entry. */
  intake_kiosk_staff_page_clear (INTAKE_KIOSK_STAFF_PAGE (f->page));
  g_assert_cmpstr (gtk_editable_get_text (entry_titled (f, NL ("Server address"))), ==, "");
  g_assert_false (row_contains (f->page, NL ("Result"), ""));
}

static gint64
pending_of (IntakeKiosk *kiosk)
{
  IntakeOutboxCounts counts = { 0 };

  g_assert_true (intake_outbox_get_counts (intake_kiosk_get_outbox (kiosk), &counts, NULL));
  return counts.pending;
}

/* The one file in the stick ending in @suffix. */
static char *
stick_file (ServerFixture *f,
            const char    *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (f->stick, 0, NULL);
  char *found = NULL;
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, suffix))
      {
        g_assert_null (found);
        found = g_build_filename (f->stick, name, NULL);
      }
  return found;
}

/* An offline site's round trip from the staff screen: the bundle is
 * written to the stick (named after the device, checked, "ejected"), the
 * real intake-admin import-bundle writes the receipts file, and the staff
 * screen reads it back: nothing is waiting any more. */
static void
test_usb_round_trip (ServerFixture *f,
                     gconstpointer  data)
{
  g_autofree char *code = test_server_new_code (f->server, "Gulpen");
  g_autofree char *fingerprint = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *receipts = NULL;
  g_autofree char *receipts_name = NULL;
  g_autofree char *written = NULL;
  g_autofree char *confirmed = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *bad = g_build_filename (f->stick, "a-damaged.receipts", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  IntakeDevicePublic signer;
  gint64 numbers[3] = { 3, 0, 0 };

  fingerprint = intake_enroll_blocking (f->state_dir, f->server->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (intake_sync_reload (f->sync, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (f->kiosk, 3, 11, &error), ==, 3);
  g_assert_no_error (error);

  intake_kiosk_staff_page_show_status (INTAKE_KIOSK_STAFF_PAGE (f->page));
  g_assert_true (has_row (f->page, NL ("Waiting to be sent"), "3"));
  g_assert_false (has_row (f->page, NL ("Oldest waiting since"), "—"));
  g_assert_true (row_contains (f->page, NL ("Oldest waiting since"), "-20"));
  g_assert_true (has_row (f->page, NL ("Confirmations from the office"), NL ("None on this stick")));

  /* Reading with nothing on the stick says so. */
  ACT (f, "staff.read-receipts");
  wait_for_result (f, NL ("There is no confirmations file (.receipts) on this stick. "
                          "The office writes it when it reads your submissions."));

  /* Write: the file is there, parses, holds the three, signed by this kiosk. */
  ACT (f, "staff.write-bundle");
  written = intake_kiosk_format_numbers (NL ("Written and checked. Submissions on the stick: %d. "
                                             "You can remove the stick now."), 1, numbers);
  wait_for_result (f, written);
  bundle = stick_file (f, ".ikb");
  g_assert_nonnull (bundle);
  prefix = g_strdup_printf ("intake-bundle-%s-", intake_kiosk_get_device_id (f->kiosk));
  g_assert_true (g_str_has_prefix (strrchr (bundle, '/') + 1, prefix));
  envelopes = intake_bundle_load (bundle, INTAKE_BUNDLE_DEFAULT_MAX_SIZE, &signer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (envelopes->len, ==, 3);
  g_assert_true (row_contains (f->page, NL ("Submissions for the office"), strrchr (bundle, '/') + 1));
  /* Still waiting until the office confirms. */
  g_assert_cmpint (pending_of (f->kiosk), ==, 3);

  /* At the office: the real import, receipts onto the stick (the
   * convention: the bundle's name with .receipts). */
  receipts_name = g_strdup_printf ("%.*s.receipts", (int)(strrchr (bundle, '.') - bundle), bundle);
  {
    const char *args[] = { "import-bundle", "--receipts-out", receipts_name, bundle, NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (test_admin (f->server, args, 1, &out, NULL), ==, 0);
    g_test_message ("import-bundle: %s", out);
  }
  g_assert_true (g_file_test (receipts_name, G_FILE_TEST_IS_REGULAR));
  /* And a damaged file beside it, which must change nothing. */
  intake_test_write_file (bad, "{\"not\": \"receipts\"}");

  /* Back at the village hall: the screen lists the files and reads them. */
  ACT (f, "staff.find-drives");
  g_assert_true (row_contains (f->page, NL ("Confirmations from the office"), strrchr (receipts_name, '/') + 1));
  g_assert_true (row_contains (f->page, NL ("Confirmations from the office"), "a-damaged.receipts"));
  ACT (f, "staff.read-receipts");
  numbers[0] = 3;
  numbers[1] = 0;
  numbers[2] = 0;
  confirmed = intake_kiosk_format_numbers (NL ("Confirmed now: %d. Confirmed before: %d. Still waiting: %d."),
                                           3, numbers);
  wait_for_result (f, confirmed);
  g_assert_true (row_contains (f->page, NL ("Result"), "a-damaged.receipts"));
  g_assert_true (row_contains (f->page, NL ("Result"),
                               NL ("not read: this file is damaged or is not from the office this kiosk "
                                   "is connected with. Nothing in it was marked as sent.")));
  g_assert_cmpint (pending_of (f->kiosk), ==, 0);
  g_assert_true (has_row (f->page, NL ("Waiting to be sent"), "0"));
  g_assert_true (has_row (f->page, NL ("Oldest waiting since"), "—"));
  save_screenshot (f, "staff-page-stick-nl");

  /* Reading again is harmless: confirmed before. */
  ACT (f, "staff.read-receipts");
  numbers[0] = 0;
  numbers[1] = 3;
  g_clear_pointer (&confirmed, g_free);
  confirmed = intake_kiosk_format_numbers (NL ("Confirmed now: %d. Confirmed before: %d. Still waiting: %d."),
                                           3, numbers);
  wait_for_result (f, confirmed);

  /* "Send now" is there, with its result. */
  ACT (f, "staff.sync-now");
  for (guint waited = 0; waited < 10000 && !has_row (f->page, NL ("Send now"), NL ("Everything has been sent.")); waited += 10)
    kiosk_test_spin (10);
  g_assert_true (has_row (f->page, NL ("Send now"), NL ("Everything has been sent.")));
}

/* The same screen in Arabic, right to left, for the layout. */
static void
test_screenshot_rtl (ServerFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (intake_kiosk_demo_submissions (f->kiosk, 2, 5, &error), ==, 2);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  gtk_widget_set_direction (GTK_WIDGET (f->window), GTK_TEXT_DIR_RTL);
  intake_kiosk_staff_page_set_language (INTAKE_KIOSK_STAFF_PAGE (f->page), "ar");
  intake_sync_set_language (f->sync, "en");
  intake_kiosk_staff_page_show_status (INTAKE_KIOSK_STAFF_PAGE (f->page));
  g_assert_true (has_row (f->page, intake_catalog_lookup (f->catalog, "ar", "Waiting to be sent"), "2"));
  g_assert_nonnull (kiosk_test_find_text (f->page, intake_catalog_lookup (f->catalog, "ar", "Write to the stick")));
  save_screenshot (f, "staff-page-ar");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  gtk_widget_set_direction (GTK_WIDGET (f->window), GTK_TEXT_DIR_LTR);
}

/* GIO's volume monitor: listing the removable drives works here too
 * (usually none under Xvfb), and the page shows either the list or
 * "No USB stick found". */
static void
test_volume_monitor (KioskFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GVolumeMonitor) monitor = g_volume_monitor_get ();
  g_autoptr(GPtrArray) drives = intake_kiosk_drive_list_removable (monitor);
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  g_autoptr(IntakeSync) sync = intake_sync_new (f->kiosk);
  GtkWidget *page = g_object_ref_sink (intake_kiosk_staff_page_new (f->kiosk, catalog));
  g_autoptr(GFile) dir = g_file_new_for_path (f->tmp);
  g_autoptr(IntakeKioskDrive) plain = intake_kiosk_drive_new ("Plain", dir);

  g_assert_nonnull (drives);
  g_test_message ("removable drives: %u", drives->len);
  for (guint i = 0; i < drives->len; i++)
    {
      IntakeKioskDrive *drive = g_ptr_array_index (drives, i);

      g_assert_nonnull (intake_kiosk_drive_get_name (drive));
      g_assert_true (G_IS_MOUNT (intake_kiosk_drive_get_mount (drive)));
      g_assert_true (g_file_is_native (intake_kiosk_drive_get_root (drive)));
    }
  g_assert_null (intake_kiosk_drive_get_mount (plain));
  g_assert_cmpstr (intake_kiosk_drive_get_name (plain), ==, "Plain");

  intake_kiosk_staff_page_set_language (INTAKE_KIOSK_STAFF_PAGE (page), "nl");
  intake_kiosk_staff_page_set_sync (INTAKE_KIOSK_STAFF_PAGE (page), sync);
  intake_kiosk_staff_page_show_status (INTAKE_KIOSK_STAFF_PAGE (page));
  if (drives->len == 0)
    g_assert_true (has_row (page, intake_catalog_lookup (catalog, "nl", "No USB stick found. Put one in and press \"Look again\"."), ""));
  gtk_widget_activate_action (page, "staff.find-drives", NULL);

  intake_kiosk_staff_page_clear (INTAKE_KIOSK_STAFF_PAGE (page));
  intake_kiosk_staff_page_set_sync (INTAKE_KIOSK_STAFF_PAGE (page), NULL);
  g_assert_finalize_object (page);
  g_assert_finalize_object (g_steal_pointer (&plain));
}
#undef NL
#undef ACT

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
  g_test_add ("/kiosk/staff-page/volume-monitor", KioskFixture, NULL,
              kiosk_fixture_setup, test_volume_monitor, kiosk_fixture_teardown);
  g_test_add ("/kiosk/staff-page/enroll", ServerFixture, NULL,
              server_fixture_setup, test_enroll, server_fixture_teardown);
  g_test_add ("/kiosk/staff-page/usb-round-trip", ServerFixture, NULL,
              server_fixture_setup, test_usb_round_trip, server_fixture_teardown);
  g_test_add ("/kiosk/staff-page/screenshot-rtl", ServerFixture, NULL,
              server_fixture_setup, test_screenshot_rtl, server_fixture_teardown);

  return g_test_run ();
}

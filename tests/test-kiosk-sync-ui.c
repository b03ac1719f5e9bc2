/* test-kiosk-sync-ui.c: the kiosk window with its sync engine, against a real intake-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real intake-server process on loopback (INTAKE_SERVER) with a throwaway
 * --data directory; the kiosk is enrolled with a one-time code from the real
 * intake-admin (INTAKE_ADMIN), as in tests/test-sync.c. A resident completes
 * an intake through the window's actions; the test waits with the main loop
 * (never sleeps) until the engine has delivered it, and reads the staff
 * screen's "Sending" section.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-kiosk-tour.h"
#include "intake-enroll.h"
#include "intake-sync.h"
#include "intake-test-util.h"
#include "intake-kiosk-window-private.h"
#include "test-kiosk-util.h"

#define ACT(f, name) gtk_widget_activate_action (GTK_WIDGET ((f)->window), (name), NULL)
#define PIN "480215"

typedef struct {
  KioskFixture        k;
  char               *office_pub;
  IntakeOfficePublic *office;
  char               *data_dir;
  char               *log_path;
  char               *url;
  GSubprocess        *server;
  IntakeSync         *sync;
  IntakeCatalog      *catalog;
} Fixture;

/* ---- The server -------------------------------------------------------- */

static const char *
program (const char *variable)
{
  const char *path = g_getenv (variable);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s does not name the program (%s): this test needs the real one",
             variable, path != NULL ? path : "unset");
  return path;
}

static void
server_start (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "listening on ";
  int fd;

  /* The server logs to stderr: kept in a file for when the test fails. */
  fd = g_open (f->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_stderr_fd (launcher, fd);
  f->server = g_subprocess_launcher_spawn (launcher, &error, program ("INTAKE_SERVER"),
                                           "--data", f->data_dir,
                                           "--office-public", f->office_pub,
                                           "--listen", "127.0.0.1:0",
                                           NULL);
  g_assert_no_error (error);

  /* Its first line on stdout says where it listens. */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (f->log_path, &log, NULL, NULL);
      g_error ("intake-server did not start (first line \"%s\"); its log:\n%s",
               line != NULL ? line : "", log != NULL ? log : "");
    }
  f->url = g_strdup (g_strstrip (line) + strlen (prefix));
}

/* A one-time code: the last line of `intake-admin enroll-code`. */
static char *
enroll_code (Fixture    *f,
             const char *location)
{
  const char *argv[] = { program ("INTAKE_ADMIN"), "enroll-code", "--data", f->data_dir,
                         "--location", location, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  status = intake_test_run (argv, NULL, &out, &err);
  if (status != 0)
    g_error ("intake-admin enroll-code exited with %d: %s", status, err);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 0);
  return g_strstrip (g_strdup (lines[g_strv_length (lines) - 1]));
}

static guint server_count (Fixture *f, const char *table);

/* Envelopes the server stored, read from its SQLite file beside it. */
static guint
server_envelope_count (Fixture *f)
{
  return server_count (f, "envelopes");
}

static guint
server_count (Fixture    *f,
              const char *table)
{
  g_autoptr(GDir) dir = g_dir_open (f->data_dir, 0, NULL);
  g_autofree char *path = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *name;
  guint count;

  g_assert_nonnull (dir);
  while (path == NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".db") || g_str_has_suffix (name, ".sqlite"))
      path = g_build_filename (f->data_dir, name, NULL);
  g_assert_nonnull (path);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

    g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  }
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

/* ---- Fixture ----------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(IntakeOfficeSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *office_dir = NULL;

  f->k.tmp = intake_test_tmpdir_new ();
  f->k.state_dir = g_build_filename (f->k.tmp, "state", NULL);
  office_dir = g_build_filename (f->k.tmp, "office", NULL);
  f->office_pub = g_build_filename (office_dir, "office.pub", NULL);
  f->data_dir = g_build_filename (f->k.tmp, "server", NULL);
  f->log_path = g_build_filename (f->k.tmp, "server.log", NULL);
  g_assert_cmpint (g_mkdir (office_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->data_dir, 0700), ==, 0);

  g_assert_true (intake_office_generate (&f->office, &secret, &error));
  g_assert_true (intake_office_public_save (f->office, f->office_pub, &error));
  g_assert_no_error (error);
  f->k.secret = g_steal_pointer (&secret);

  server_start (f);

  /* Enrollment writes office.pub and server.json into the state directory. */
  code = enroll_code (f, "Vaals");
  fingerprint = intake_enroll_blocking (f->k.state_dir, f->url, code, INTAKE_ENROLL_NONE,
                                             NULL, &error);
  g_assert_no_error (error);
  expected = intake_office_public_dup_fingerprint (f->office);
  g_assert_cmpstr (fingerprint, ==, expected);

  f->k.questionnaire_path = kiosk_test_questionnaire_path (f->k.tmp, TRUE, &f->k.full_questionnaire);
  f->k.kiosk = intake_kiosk_new (f->k.state_dir, NULL, f->k.questionnaire_path, &error);
  g_assert_no_error (error);
  g_assert_true (intake_kiosk_is_enrolled (f->k.kiosk));
  intake_kiosk_set_pin (f->k.state_dir, PIN, &error);
  g_assert_no_error (error);

  /* What the application does in the running kiosk, with a long interval
   * so that only submissions and "Send now" start a run. */
  f->sync = intake_sync_new (f->k.kiosk);
  intake_sync_set_backoff (f->sync, 20, 500);
  intake_sync_set_interval (f->sync, 3600);
  intake_sync_set_language (f->sync, "nl");

  f->k.window = intake_kiosk_window_new (NULL, f->k.kiosk, NULL);
  g_object_set (f->k.window, "languages", kiosk_test_languages, "sync", f->sync, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->k.window), 1280, 900);
  gtk_window_present (GTK_WINDOW (f->k.window));
  intake_kiosk_wait_for_frames (GTK_WIDGET (f->k.window), 1);

  f->catalog = intake_kiosk_catalog_new_default ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *window = GTK_WIDGET (f->k.window);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (f->k.window));
  f->k.window = NULL;
  for (guint i = 0; i < 100 && window != NULL; i++)
    kiosk_test_spin (10);
  g_assert_null (window);

  intake_sync_stop (f->sync);
  g_assert_finalize_object (f->sync);
  g_assert_finalize_object (f->k.kiosk);

  if (f->server != NULL)
    {
      g_subprocess_send_signal (f->server, SIGTERM);
      g_subprocess_wait (f->server, NULL, NULL);
      g_clear_object (&f->server);
    }
  g_clear_object (&f->catalog);
  g_clear_pointer (&f->office, intake_office_public_free);
  g_clear_pointer (&f->k.secret, intake_office_secret_free);
  intake_test_rm_rf (f->k.tmp);
  g_clear_pointer (&f->k.tmp, g_free);
  g_clear_pointer (&f->k.state_dir, g_free);
  g_clear_pointer (&f->k.questionnaire_path, g_free);
  g_clear_pointer (&f->office_pub, g_free);
  g_clear_pointer (&f->data_dir, g_free);
  g_clear_pointer (&f->log_path, g_free);
  g_clear_pointer (&f->url, g_free);
}

/* ---- Helpers ----------------------------------------------------------- */

static const char *
nl (Fixture    *f,
    const char *msgid)
{
  return intake_catalog_lookup (f->catalog, "nl", msgid);
}

static IntakeOutboxCounts
counts_of (Fixture *f)
{
  IntakeOutboxCounts counts = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_outbox_get_counts (intake_kiosk_get_outbox (f->k.kiosk), &counts, &error));
  g_assert_no_error (error);
  return counts;
}

/* The subtitle of the visible row titled @title (the last one, should
 * there be several); NULL when there is none. */
static const char *
row_value (Fixture    *f,
           const char *title)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  const char *value = NULL;

  kiosk_test_collect_widgets (GTK_WIDGET (f->k.window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (ADW_IS_ACTION_ROW (widget) && gtk_widget_is_visible (widget) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
        value = adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
    }
  return value;
}

typedef gboolean (*Condition) (Fixture *f);

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (the engine's HTTP and the widgets go on) until
 * @condition holds; FALSE after @timeout_ms. */
static gboolean
wait_until (Fixture   *f,
            Condition  condition,
            guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  while (!condition (f) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  return condition (f);
}

static gboolean
one_delivered (Fixture *f)
{
  IntakeOutboxCounts counts = counts_of (f);

  return counts.delivered == 1 && counts.pending == 0;
}

/* Delivery is marked as each receipt verifies; the pass then goes on (a
 * questionnaire check) before the engine is idle again. */
static gboolean
engine_idle (Fixture *f)
{
  return intake_sync_get_status (f->sync) == INTAKE_SYNC_STATUS_IDLE;
}

static gboolean
staff_shows_none_pending (Fixture *f)
{
  return g_strcmp0 (row_value (f, nl (f, "Waiting to be sent")), "0") == 0;
}

static gboolean
send_now_finished (Fixture *f)
{
  return g_strcmp0 (row_value (f, nl (f, "Send now")), nl (f, "Everything has been sent.")) == 0;
}

/* A whole intake in Dutch through the window's actions and real widgets. */
static void
complete_intake (Fixture *f)
{
  KioskFixture *k = &f->k;
  guint n = 0;

  g_assert_cmpstr (intake_kiosk_window_get_screen (k->window), ==, "welcome");
  gtk_widget_activate_action (GTK_WIDGET (k->window), "kiosk.choose-language", "s", "nl");
  g_assert_cmpstr (intake_kiosk_window_get_screen (k->window), ==, "explanation");
  ACT (k, "kiosk.start");
  while (g_str_equal (intake_kiosk_window_get_screen (k->window), "question"))
    {
      IntakeSession *session = intake_kiosk_window_get_session (k->window);
      const IntakeQuestion *question = intake_session_get_current (session);
      g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, n);

      g_assert_cmpuint (n++, <, 200);
      kiosk_test_give_answer (k, question, answer);
      ACT (k, "kiosk.next");
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (k->window), ==, "review");
  ACT (k, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (k->window), ==, "thanks");
  g_assert_nonnull (intake_kiosk_window_get_reference (k->window));
}

static void
open_staff (Fixture *f)
{
  g_autoptr(GPtrArray) pin_entries = NULL;

  ACT (&f->k, "kiosk.staff");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->k.window), ==, "staff-pin");
  pin_entries = kiosk_test_find_by_class (GTK_WIDGET (f->k.window), "kiosk-pin");
  g_assert_cmpuint (pin_entries->len, ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (pin_entries, 0)), PIN);
  ACT (&f->k, "kiosk.staff-open");
  g_assert_true (kiosk_test_wait_screen (&f->k, "staff", 15000));
}

static void
assert_enrolled_section (Fixture *f)
{
  g_autofree char *fingerprint = intake_office_public_dup_fingerprint (f->office);

  g_assert_cmpstr (row_value (f, nl (f, "Connection with the office")), ==, nl (f, "Enrolled"));
  g_assert_cmpstr (row_value (f, nl (f, "Server address")), ==, f->url);
  g_assert_cmpstr (row_value (f, nl (f, "Location known to the office")), ==, "Vaals");
  g_assert_cmpstr (row_value (f, nl (f, "Office key fingerprint")), ==, fingerprint);
}

/* ---- Tests ------------------------------------------------------------- */

/* The running engine delivers a submission made through the window. */
static void
test_deliver (Fixture       *f,
              gconstpointer  data)
{
  intake_sync_start (f->sync);

  complete_intake (f);
  /* The window poked the engine; the thank-you screen did not wait for it. */
  g_assert_true (wait_until (f, one_delivered, 30000));
  g_assert_cmpuint (server_envelope_count (f), ==, 1);
  g_assert_true (wait_until (f, engine_idle, 30000));
  g_assert_null (intake_sync_get_last_error (f->sync));
  ACT (&f->k, "kiosk.done");

  open_staff (f);
  g_assert_true (wait_until (f, staff_shows_none_pending, 5000));
  assert_enrolled_section (f);
  g_assert_cmpstr (row_value (f, nl (f, "Current status")), ==,
                   intake_sync_status_to_string (INTAKE_SYNC_STATUS_IDLE, "nl"));
  g_assert_cmpstr (row_value (f, nl (f, "Last successful contact")), !=, nl (f, "Never"));
  g_assert_null (row_value (f, nl (f, "Last problem")));
  g_assert_cmpstr (row_value (f, nl (f, "Sent")), ==, "1");
  kiosk_test_screenshot (&f->k, "staff-sync-delivered");

  ACT (&f->k, "kiosk.staff-close");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->k.window), ==, "welcome");
}

/* The staff screen follows the engine live: a submission waits while the
 * engine is stopped, "Send now" sends it, and the count drops to 0 on the
 * screen that is already shown. */
static void
test_send_now (Fixture       *f,
               gconstpointer  data)
{
  complete_intake (f);
  ACT (&f->k, "kiosk.done");
  g_assert_cmpuint (counts_of (f).pending, ==, 1);

  open_staff (f);
  assert_enrolled_section (f);
  g_assert_cmpstr (row_value (f, nl (f, "Waiting to be sent")), ==, "1");
  g_assert_cmpstr (row_value (f, nl (f, "Last successful contact")), ==, nl (f, "Never"));
  g_assert_null (row_value (f, nl (f, "Send now")));

  ACT (&f->k, "kiosk.staff-sync-now");
  g_assert_cmpstr (row_value (f, nl (f, "Send now")), ==, nl (f, "Sending to the office…"));
  g_assert_true (wait_until (f, staff_shows_none_pending, 30000));
  g_assert_true (wait_until (f, send_now_finished, 30000));
  g_assert_true (one_delivered (f));
  g_assert_cmpuint (server_envelope_count (f), ==, 1);
  g_assert_cmpstr (row_value (f, nl (f, "Current status")), ==,
                   intake_sync_status_to_string (INTAKE_SYNC_STATUS_IDLE, "nl"));
  g_assert_cmpstr (row_value (f, nl (f, "Last successful contact")), !=, nl (f, "Never"));
  kiosk_test_screenshot (&f->k, "staff-sync-send-now");

  ACT (&f->k, "kiosk.staff-close");
}

/* The server goes away: the staff screen says so in plain words, and the
 * submission stays waiting on the kiosk. */
static gboolean
shows_offline (Fixture *f)
{
  return g_strcmp0 (row_value (f, nl (f, "Current status")),
                    intake_sync_status_to_string (INTAKE_SYNC_STATUS_OFFLINE, "nl")) == 0 &&
         g_strcmp0 (row_value (f, nl (f, "Send now")),
                    nl (f, "Not sent. The current status above says why.")) == 0;
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_subprocess_send_signal (f->server, SIGKILL);
  g_assert_true (g_subprocess_wait (f->server, NULL, NULL));
  g_clear_object (&f->server);

  complete_intake (f);
  ACT (&f->k, "kiosk.done");
  open_staff (f);
  ACT (&f->k, "kiosk.staff-sync-now");
  g_assert_true (wait_until (f, shows_offline, 30000));
  g_assert_cmpstr (row_value (f, nl (f, "Waiting to be sent")), ==, "1");
  g_assert_cmpuint (counts_of (f).pending, ==, 1);
  kiosk_test_screenshot (&f->k, "staff-sync-offline");
}

/* ---- Help that arrives ---------------------------------------------------- */

static gboolean
help_settled (Fixture *f)
{
  IntakeHelpState state = intake_kiosk_window_get_help_state (f->k.window);

  return state == INTAKE_HELP_SENT || state == INTAKE_HELP_NOT_SENT;
}

static const char *
help_status_text (Fixture *f)
{
  return gtk_label_get_text (f->k.window->help_told);
}

/* A resident presses help: the request reaches the office server at once,
 * not with the next pass (the engine is not even running), and the screen
 * says so only once it is true. Pressing help again makes no second one. */
static void
test_help_at_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GArray) requests = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_activate_action (GTK_WIDGET (f->k.window), "kiosk.choose-language", "s", "nl");
  ACT (&f->k, "kiosk.start");
  ACT (&f->k, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->k.window), ==, "help");
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->k.window), ==, INTAKE_HELP_SENDING);
  g_assert_cmpstr (help_status_text (f), ==, nl (f, "We are letting the staff know that you would like help."));
  g_assert_true (wait_until (f, help_settled, 15000));
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->k.window), ==, INTAKE_HELP_SENT);
  g_assert_cmpstr (help_status_text (f), ==, nl (f, "We have told the staff that you would like help."));
  g_assert_cmpuint (server_count (f, "help_requests"), ==, 1);
  kiosk_test_screenshot (&f->k, "help-sent");

  /* Back to the questions, help again: the same request. */
  ACT (&f->k, "kiosk.help-done");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->k.window), ==, "question");
  ACT (&f->k, "kiosk.help");
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->k.window), ==, INTAKE_HELP_SENT);
  kiosk_test_spin (300);
  g_assert_cmpuint (server_count (f, "help_requests"), ==, 1);
  requests = intake_outbox_list_help_requests (intake_kiosk_get_outbox (f->k.kiosk), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpint (g_array_index (requests, IntakeHelpRequest, 0).sent_at, >, 0);

  /* The next resident's help is a request of their own. */
  intake_kiosk_window_reset (f->k.window);
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->k.window), ==, INTAKE_HELP_NONE);
  ACT (&f->k, "kiosk.help");
  g_assert_true (wait_until (f, help_settled, 15000));
  g_assert_cmpuint (server_count (f, "help_requests"), ==, 2);
}

/* Offline the screen says honestly that the request did not go, and the
 * kiosk's own staff screen shows it. */
static void
test_help_offline (Fixture       *f,
                   gconstpointer  data)
{
  const char *value;

  g_subprocess_send_signal (f->server, SIGKILL);
  g_assert_true (g_subprocess_wait (f->server, NULL, NULL));
  g_clear_object (&f->server);

  gtk_widget_activate_action (GTK_WIDGET (f->k.window), "kiosk.choose-language", "s", "nl");
  ACT (&f->k, "kiosk.start");
  ACT (&f->k, "kiosk.help");
  g_assert_true (wait_until (f, help_settled, 30000));
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->k.window), ==, INTAKE_HELP_NOT_SENT);
  g_assert_cmpstr (help_status_text (f), ==,
                   nl (f, "This kiosk cannot send your request now. Please go to the counter and say that you would like help."));
  kiosk_test_screenshot (&f->k, "help-offline");

  open_staff (f);
  value = NULL;
  {
    g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

    kiosk_test_collect_widgets (GTK_WIDGET (f->k.window), widgets);
    for (guint i = 0; i < widgets->len; i++)
      {
        GtkWidget *widget = g_ptr_array_index (widgets, i);

        if (ADW_IS_ACTION_ROW (widget) && gtk_widget_is_visible (widget) &&
            g_str_has_suffix (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)),
                              nl (f, "not sent yet: only this kiosk shows it")))
          value = adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
      }
  }
  g_assert_nonnull (value);
  g_assert_true (g_str_has_prefix (value, "Nederlands"));
  kiosk_test_screenshot (&f->k, "help-offline-staff");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();
  g_assert_true (intake_crypto_init (NULL));

  g_test_add ("/kiosk/sync-ui/deliver", Fixture, NULL, fixture_setup, test_deliver, fixture_teardown);
  g_test_add ("/kiosk/sync-ui/send-now", Fixture, NULL, fixture_setup, test_send_now, fixture_teardown);
  g_test_add ("/kiosk/sync-ui/offline", Fixture, NULL, fixture_setup, test_offline, fixture_teardown);
  g_test_add ("/kiosk/sync-ui/help-at-once", Fixture, NULL, fixture_setup, test_help_at_once, fixture_teardown);
  g_test_add ("/kiosk/sync-ui/help-offline", Fixture, NULL, fixture_setup, test_help_offline, fixture_teardown);

  return g_test_run ();
}

/* bench-kiosk.c: the kiosk's start-up, memory and backlog, as ratios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every figure next to a baseline measured in the same run:
 *   - start: process start (fork/exec) to the first painted frame of the
 *     kiosk's welcome screen (GdkFrameClock::after-paint of its window),
 *     against the same for a minimal libadwaita window (one AdwStatusPage);
 *     both run as a child process of this program, the kiosk as the real
 *     IntakeKioskApplication (the intake-kiosk program without main());
 *   - the same start with PENDING (default 100,000) envelopes pending in
 *     the outbox against an empty outbox;
 *   - resident memory (VmRSS) after start and after 1, 2 and 20 complete sessions
 *     (language, every question answered, review, submit, thanks, reset),
 *     against the minimal window's;
 *   - draining the PENDING envelopes to a local intake-server (SQLite
 *     store) with `intake-kiosk --sync-now` against the server's own ingest
 *     rate: the same server, one uploader sending batches of 100 pre-sealed
 *     envelopes back to back.
 *
 * usage: bench-kiosk INTAKE_KIOSK INTAKE_SERVER INTAKE_ADMIN [PENDING] [RUNS]
 * Needs a display (xvfb-run -a). Method and results: docs/performance.md.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-kiosk-application.h"
#include "intake-kiosk-tour.h"
#include "intake-kiosk-window-private.h"
#include "intake-kiosk.h"
#include "intake-outbox-private.h"
#include "intake-outbox.h"
#include "intake-protocol.h"
#include "intake-random-answers.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || !(line = strstr (status, "VmRSS:")))
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* The child side -------------------------------------------------------- */

typedef struct {
  gint64        started_us;     /* the parent's monotonic time just before spawning */
  guint         sessions;
  gboolean      painted;
  GApplication *app;
  GtkWidget    *window;
} Child;

static Child child;

static void
run_sessions (IntakeKioskWindow *window,
              guint              n)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (window->kiosk);

  for (guint s = 0; s < n; s++)
    {
      gtk_widget_activate_action (widget, "kiosk.choose-language", "s", s % 2 ? "ar" : "nl");
      intake_kiosk_wait_for_frames (widget, 1);
      gtk_widget_activate_action (widget, "kiosk.start", NULL);
      intake_kiosk_wait_for_frames (widget, 1);
      for (guint guard = 0; guard < 4 * intake_questionnaire_get_n_questions (questionnaire) + 4; guard++)
        {
          const IntakeQuestion *question;
          IntakeAnswer *answer;

          if (!g_str_equal (intake_kiosk_window_get_screen (window), "question"))
            break;
          question = intake_session_get_current (window->session);
          answer = intake_random_answer_new (window->session, question, rand);
          if (answer == NULL || !intake_session_set_answer (window->session, question->code, answer, NULL))
            intake_session_skip (window->session, question->code, NULL);
          if (intake_session_go_next (window->session))
            intake_kiosk_window_show_question_now (window);
          else
            intake_kiosk_window_show_review (window);
          intake_kiosk_wait_for_frames (widget, 1);
        }
      if (!g_str_equal (intake_kiosk_window_get_screen (window), "review"))
        g_error ("session %u: ended on screen %s, not review", s, intake_kiosk_window_get_screen (window));
      gtk_widget_activate_action (widget, "kiosk.submit", NULL);
      intake_kiosk_wait_for_frames (widget, 1);
      if (!g_str_equal (intake_kiosk_window_get_screen (window), "thanks"))
        g_error ("session %u: not thanked (screen %s)", s, intake_kiosk_window_get_screen (window));
      intake_kiosk_window_reset (window);
      intake_kiosk_wait_for_frames (widget, 1);
      if (s <= 1 || s + 1 == n)
        printf ("rss-after-session-%u-kib %" G_GUINT64_FORMAT "\n", s + 1, rss_kib ());
    }
}

static gboolean
report_cb (gpointer user_data)
{
  if (child.sessions > 0 && INTAKE_IS_KIOSK_WINDOW (child.window))
    {
      /* Settle first: what start-up left to idles is part of "after start". */
      intake_kiosk_wait_for_frames (child.window, 3);
      printf ("rss-start-kib %" G_GUINT64_FORMAT "\n", rss_kib ());
      run_sessions (INTAKE_KIOSK_WINDOW (child.window), child.sessions);
    }
  else
    {
      intake_kiosk_wait_for_frames (child.window, 3);
      printf ("rss-start-kib %" G_GUINT64_FORMAT "\n", rss_kib ());
    }
  fflush (stdout);
  gtk_window_destroy (GTK_WINDOW (child.window));
  g_application_quit (child.app);
  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (child.painted)
    return;
  child.painted = TRUE;
  printf ("first-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time () - child.started_us);
  if (INTAKE_IS_KIOSK_WINDOW (child.window))
    printf ("screen %s\n", intake_kiosk_window_get_screen (INTAKE_KIOSK_WINDOW (child.window)));
  fflush (stdout);
  g_idle_add (report_cb, NULL);
}

static void
realize_cb (GtkWidget *window,
            gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb), NULL);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (child.window != NULL)
    return;
  child.window = GTK_WIDGET (window);
  g_signal_connect_after (window, "realize", G_CALLBACK (realize_cb), NULL);
}

static void
adw_activate_cb (GApplication *app,
                 gpointer      user_data)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (page), "Welkom");
  adw_status_page_set_description (ADW_STATUS_PAGE (page), "Kies uw taal om te beginnen");
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
}

static int
child_main (int    argc,
            char **argv)
{
  g_autoptr(GApplication) app = NULL;
  int status;

  child.started_us = g_ascii_strtoll (argv[2], NULL, 10);
  if (g_str_equal (argv[1], "child-adw"))
    {
      app = G_APPLICATION (adw_application_new ("org.example.BenchMinimal", G_APPLICATION_NON_UNIQUE));
      g_signal_connect (app, "activate", G_CALLBACK (adw_activate_cb), NULL);
      child.app = app;
      g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
      {
        char *args[] = { argv[0], NULL };

        status = g_application_run (app, 1, args);
      }
    }
  else
    {
      /* child-kiosk START STATE_DIR SESSIONS */
      char *args[] = { argv[0], "--state-dir", argv[3], "--windowed", NULL };

      child.sessions = (guint)g_ascii_strtoull (argv[4], NULL, 10);
      app = G_APPLICATION (intake_kiosk_application_new ());
      child.app = app;
      g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
      status = g_application_run (app, 4, args);
    }
  if (!child.painted)
    g_error ("no frame was painted");
  return status;
}

/* The parent side --------------------------------------------------------- */

typedef struct {
  double   first_frame_ms;
  guint64  rss_start;
  guint64  rss_session_1;
  guint64  rss_session_2;
  guint64  rss_session_n;
} ChildResult;

static ChildResult
run_child (const char *self_path,
           const char *mode,
           const char *state_dir,
           guint       sessions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *start = NULL;
  g_autofree char *n = g_strdup_printf ("%u", sessions);
  g_auto(GStrv) lines = NULL;
  ChildResult result = { 0 };

  start = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_path, mode, start, state_dir, n, NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error))
    g_error ("%s: %s", mode, error->message);
  if (!g_subprocess_get_successful (proc))
    g_error ("%s failed: %s", mode, out);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      if (g_str_has_prefix (l, "first-frame-us "))
        result.first_frame_ms = g_ascii_strtod (l + 15, NULL) / 1000.0;
      else if (g_str_has_prefix (l, "rss-start-kib "))
        result.rss_start = g_ascii_strtoull (l + 14, NULL, 10);
      else if (g_str_has_prefix (l, "rss-after-session-1-kib "))
        result.rss_session_1 = g_ascii_strtoull (l + 24, NULL, 10);
      else if (g_str_has_prefix (l, "rss-after-session-2-kib ") && result.rss_session_2 == 0)
        result.rss_session_2 = result.rss_session_n = g_ascii_strtoull (l + 24, NULL, 10);
      else if (g_str_has_prefix (l, "rss-after-session-"))
        result.rss_session_n = g_ascii_strtoull (strstr (l, "-kib ") + 5, NULL, 10);
      else if (g_str_has_prefix (l, "screen ") && !g_str_equal (l, "screen welcome"))
        g_error ("the kiosk's first frame showed %s, not the welcome screen", l);
    }
  return result;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median_of (double *values,
           guint   n)
{
  qsort (values, n, sizeof *values, (int (*) (const void *, const void *))compare_double);
  return values[n / 2];
}

static char *
run_capture (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autofree char *out = NULL;

  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error) ||
      !g_subprocess_get_successful (proc))
    g_error ("%s failed: %s", argv[0], error != NULL ? error->message : out);
  return g_strdup (g_strstrip (out));
}

static GSubprocess *
start_server (const char *server_path,
              const char *office_pub,
              const char *data_dir,
              const char *listen,
              char      **out_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { server_path, "--office-public", office_pub, "--data", data_dir, "--listen", listen, NULL };
  GSubprocess *proc;

  if (!(proc = g_subprocess_launcher_spawnv (launcher, argv, &error)))
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  if (!(line = g_data_input_stream_read_line (out, NULL, NULL, &error)) || !g_str_has_prefix (line, "listening on "))
    g_error ("intake-server did not start");
  *out_url = g_strdup (line + strlen ("listening on "));
  return proc;
}

static void
stop_server (GSubprocess *proc)
{
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
}

static GBytes *
seal_one (const IntakeOfficePublic *office,
          const IntakeDeviceKey    *key,
          const char               *text,
          guint8                   *out_id)
{
  IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "bench", .questionnaire_version = 1 };
  GBytes *envelope;

  intake_envelope_new_submission_id (info.submission_id);
  envelope = intake_envelope_seal (office, key, &info, (const guint8 *)text, strlen (text), NULL);
  memcpy (out_id, info.submission_id, sizeof info.submission_id);
  return envelope;
}

/* @n real envelopes, sealed with the kiosk's own key, put straight into
 * its outbox in one transaction (the API's one durable transaction per
 * submission would take minutes for 100,000). */
static void
fill_outbox (const char               *state_dir,
             const IntakeOfficePublic *office,
             guint                     n,
             const char               *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeDeviceKey) key = intake_kiosk_load_device_key (state_dir, &error);
  g_autofree char *path = g_build_filename (state_dir, "outbox.db", NULL);
  g_autoptr(IntakeOutbox) outbox = intake_outbox_open (path, &error);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (key == NULL || outbox == NULL)
    g_error ("%s", error->message);
  db = intake_outbox_get_db (outbox);
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO envelopes (submission_id, reference, envelope, created_at)"
                              " VALUES (?1, 'AAAA-AAAA', ?2, ?3)", -1, &stmt, NULL) != SQLITE_OK)
    g_error ("outbox: %s", sqlite3_errmsg (db));
  for (guint i = 0; i < n; i++)
    {
      guint8 id[INTAKE_SUBMISSION_ID_BYTES];
      g_autoptr(GBytes) envelope = seal_one (office, key, text, id);
      g_autofree char *hex = intake_hex_encode (id, sizeof id);
      gsize len;
      const void *data = g_bytes_get_data (envelope, &len);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, hex, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (stmt, 2, data, (int)len, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, now - n + i);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("outbox: %s", sqlite3_errmsg (db));
    }
  sqlite3_finalize (stmt);
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_error ("outbox: %s", sqlite3_errmsg (db));
}

static guint64
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64)st.st_size : 0;
}

static guint
count_pending (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, "outbox.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  if (sqlite3_open (path, &db) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM envelopes WHERE state = 0", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint)sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* The server's own ingest rate: batches of 100 envelopes of @state_dir's
 * kiosk, signed and sent back to back on one connection. */
static double
ingest_baseline (const char               *url_base,
                 const char               *state_dir,
                 const IntakeOfficePublic *office,
                 guint                     n,
                 const char               *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeDeviceKey) key = intake_kiosk_load_device_key (state_dir, &error);
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, NULL);
  g_autofree char *url = g_strconcat (url_base, "/v1/envelopes", NULL);
  double t0;

  for (guint b = 0; b < n / INTAKE_PROTOCOL_MAX_BATCH; b++)
    {
      GString *body = g_string_new ("{\"envelopes\":[");

      for (guint i = 0; i < INTAKE_PROTOCOL_MAX_BATCH; i++)
        {
          guint8 id[INTAKE_SUBMISSION_ID_BYTES];
          g_autoptr(GBytes) envelope = seal_one (office, key, text, id);
          g_autofree char *b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

          g_string_append_printf (body, "%s\"%s\"", i > 0 ? "," : "", b64);
        }
      g_string_append (body, "]}");
      g_ptr_array_add (bodies, g_string_free_to_bytes (body));
    }

  t0 = now_s ();
  for (guint i = 0; i < bodies->len; i++)
    {
      GBytes *body = g_ptr_array_index (bodies, i);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) reply = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
      IntakeRequestAuth auth;

      intake_protocol_sign_request (key, "POST", "/v1/envelopes", body, g_get_real_time () / G_USEC_PER_SEC, &auth);
      soup_message_headers_replace (headers, INTAKE_HEADER_DEVICE, auth.device_id);
      soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
      soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
      soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
      intake_request_auth_clear (&auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL || soup_message_get_status (msg) != 200)
        g_error ("baseline upload failed: %s", error != NULL ? error->message : "HTTP error");
    }
  return bodies->len * INTAKE_PROTOCOL_MAX_BATCH / (now_s () - t0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *office_pub = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *full_dir = NULL;
  g_autofree char *empty_dir = NULL;
  g_autofree char *url = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *text = g_strnfill (1500, 'x');   /* a typical session JSON */
  guint pending, runs, drained_before;
  guint64 size_before, size_after;
  double adw[16], kiosk[16], kiosk_full[16];
  double t0, drain_s, ingest_rate;
  ChildResult sessions, adw_rss;

  if (argc > 2 && g_str_has_prefix (argv[1], "child-"))
    return child_main (argc, argv);
  if (argc < 4)
    {
      g_printerr ("usage: bench-kiosk INTAKE_KIOSK INTAKE_SERVER INTAKE_ADMIN [PENDING] [RUNS]\n");
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-kiosk: needs a display: xvfb-run -a ...\n");
      return 1;
    }
  pending = argc > 4 ? (guint)g_ascii_strtoull (argv[4], NULL, 10) : 100000;
  runs = argc > 5 ? CLAMP ((guint)g_ascii_strtoull (argv[5], NULL, 10), 1, 15) : 5;
  self_path = g_file_read_link ("/proc/self/exe", NULL);

  if (!intake_crypto_init (&error) || !intake_office_generate (&office, &office_secret, &error))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-kiosk-XXXXXX", &error);
  office_pub = g_build_filename (dir, "office.pub", NULL);
  data_dir = g_build_filename (dir, "server", NULL);
  full_dir = g_build_filename (dir, "kiosk-full", NULL);
  empty_dir = g_build_filename (dir, "kiosk-empty", NULL);
  if (!intake_office_public_save (office, office_pub, &error))
    g_error ("%s", error->message);

  /* A server, two enrolled kiosks; the server stops while the kiosks
   * start (a backlog builds up while the office is unreachable). */
  server = start_server (argv[2], office_pub, data_dir, "127.0.0.1:0", &url);
  listen = g_strdup (url + strlen ("http://"));
  for (guint k = 0; k < 2; k++)
    {
      const char *code_argv[] = { argv[3], "enroll-code", "--data", data_dir, "--location", "Bench", NULL };
      g_autofree char *out = run_capture (code_argv);
      const char *code = strrchr (out, '\n') != NULL ? strrchr (out, '\n') + 1 : out;
      const char *enroll_argv[] = { argv[1], "--state-dir", k == 0 ? full_dir : empty_dir, "--enroll", url, code, NULL };

      g_free (run_capture (enroll_argv));
    }
  stop_server (server);
  g_clear_object (&server);

  t0 = now_s ();
  fill_outbox (full_dir, office, pending, text);
  g_printerr ("filled the outbox with %u sealed envelopes in %.1f s\n", pending, now_s () - t0);

  /* Start-up: alternating, so that load from elsewhere hits all three. */
  for (guint r = 0; r < runs; r++)
    {
      adw[r] = run_child (self_path, "child-adw", "-", 0).first_frame_ms;
      kiosk[r] = run_child (self_path, "child-kiosk", empty_dir, 0).first_frame_ms;
      kiosk_full[r] = run_child (self_path, "child-kiosk", full_dir, 0).first_frame_ms;
    }
  adw_rss = run_child (self_path, "child-adw", "-", 0);
  sessions = run_child (self_path, "child-kiosk", empty_dir, 20);

  /* The backlog drained by the kiosk's own sync, then the server's rate. */
  server = start_server (argv[2], office_pub, data_dir, listen, &url);
  drained_before = count_pending (full_dir);
  size_before = file_size (full_dir, "outbox.db") + file_size (full_dir, "outbox.db-wal");
  {
    const char *sync_argv[] = { argv[1], "--state-dir", full_dir, "--sync-now", NULL };

    t0 = now_s ();
    g_free (run_capture (sync_argv));
    drain_s = now_s () - t0;
  }
  size_after = file_size (full_dir, "outbox.db") + file_size (full_dir, "outbox.db-wal");
  if (count_pending (full_dir) != 0)
    g_error ("%u envelopes still pending after --sync-now", count_pending (full_dir));
  ingest_rate = ingest_baseline (url, empty_dir, office, MAX (pending / 10, 1000), text);
  stop_server (server);

  printf ("start to first painted frame (median of %u, warm page cache):\n", runs);
  printf ("  minimal libadwaita window:        %7.1f ms\n", median_of (adw, runs));
  printf ("  kiosk welcome screen, empty outbox: %5.1f ms   ratio %.2f\n", median_of (kiosk, runs),
          median_of (kiosk, runs) / median_of (adw, runs));
  printf ("  kiosk, %u pending envelopes:   %5.1f ms   ratio to empty outbox %.2f\n", pending,
          median_of (kiosk_full, runs), median_of (kiosk_full, runs) / median_of (kiosk, runs));
  printf ("resident memory (VmRSS):\n");
  printf ("  minimal libadwaita window after start: %6" G_GUINT64_FORMAT " KiB\n", adw_rss.rss_start);
  printf ("  kiosk after start:                     %6" G_GUINT64_FORMAT " KiB   ratio %.2f\n", sessions.rss_start,
          (double)sessions.rss_start / adw_rss.rss_start);
  printf ("  kiosk after 1 session:                 %6" G_GUINT64_FORMAT " KiB\n", sessions.rss_session_1);
  printf ("  kiosk after 2 sessions (nl, then ar):  %6" G_GUINT64_FORMAT " KiB\n", sessions.rss_session_2);
  printf ("  kiosk after 20 sessions:               %6" G_GUINT64_FORMAT " KiB   ratio to after 1 session %.3f,"
          " to after 2 %.3f\n", sessions.rss_session_n, (double)sessions.rss_session_n / sessions.rss_session_1,
          (double)sessions.rss_session_n / sessions.rss_session_2);
  printf ("backlog:\n");
  printf ("  kiosk --sync-now, %u pending:      %7.0f envelopes/s (%.1f s)\n", drained_before,
          drained_before / drain_s, drain_s);
  printf ("  outbox file (with WAL) before the drain %.1f MiB, after %.1f MiB (%.1f KiB more per envelope)\n",
          size_before / 1048576.0, size_after / 1048576.0,
          ((double)size_after - (double)size_before) / 1024.0 / MAX (drained_before, 1));
  printf ("  server ingest, 1 uploader, batches of 100: %7.0f envelopes/s   ratio %.2f\n", ingest_rate,
          drained_before / drain_s / ingest_rate);

  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_free (run_capture (rm));
  }
  return 0;
}

/* bench-review.c: listing and scrolling 100,000 submissions in the review app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real intake-server (SQLite store in a temporary directory) is seeded
 * with 100,000 real sealed envelopes through its own upload path, a
 * reviewer is added and unlocked, and then the review side is measured,
 * each figure beside a baseline measured in the same run:
 *
 *  (a) the first page of the lazy IntakeReviewListModel (HTTP, request
 *      signature, audit event, JSON) vs the same page from the store in
 *      this process (intake_store_list_submissions);
 *  (b) every page of 100 through the model to the end vs the same pages
 *      straight from the store;
 *  (c) a GtkColumnView over the model, scrolled screen by screen, vs the
 *      same column view over a plain GListStore holding the same items;
 *  (d) opening the envelopes of one screen of rows (what the language
 *      column costs) vs verifying their signatures;
 *  (e) the first screen of the work queue ("to do", newest first) with
 *      the residents' names and dates of birth shown: the list request
 *      and the screen's envelopes fetched and opened, vs the store's
 *      descending query alone (and vs that query plus opening the same
 *      envelopes locally);
 *  (f) opening a detail: fetch (envelope, notes), open, the Dutch
 *      rendering and the summary, vs the same without HTTP.
 *
 * (c) needs a display: run it under xvfb-run.
 *
 * usage: bench-review INTAKE_SERVER [SUBMISSIONS] [SCREENS]
 * Method and results: docs/performance.md.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-kiosk.h"
#include "intake-protocol.h"
#include "intake-random-answers.h"
#include "intake-review-client.h"
#include "intake-review-item.h"
#include "intake-roles.h"
#include "intake-review-list-model.h"
#include "intake-rendering.h"
#include "intake-submission.h"
#include "intake-summary.h"
#include "intake-server-util.h"
#include "intake-session.h"
#include "intake-store.h"

#define N_DEVICES        4
#define FIRST_PAGE_RUNS  20
#define SCREEN_ROWS      30      /* rows of one screen whose envelopes are opened */
#define SCREEN_RUNS      9       /* screens opened for (d); medians reported */
#define DECRYPTS_AT_ONCE 4       /* as MAX_DECRYPTS in intake-review-window.c */
#define QUEUE_ROWS       10      /* rows on the queue's first screen (1200x800 window, three lines a row) */
#define QUEUE_RUNS       9
#define DETAIL_RUNS      9
#include "bench-review-util.h"

typedef struct {
  GListModel *model;
  guint       n;
} NItems;

static gboolean
has_n_items (gpointer data)
{
  NItems *wait = data;

  return g_list_model_get_n_items (wait->model) >= wait->n;
}

static gboolean
page_settled (gpointer data)
{
  IntakeReviewListModel *model = data;

  if (intake_review_list_model_get_error (model) != NULL)
    g_error ("a page failed: %s", intake_review_list_model_get_error (model));
  return !intake_review_list_model_get_loading (model);
}

/* ---- (c) The column view --------------------------------------------- */

typedef struct {
  GtkWidget     *window;
  GtkAdjustment *adjustment;
  GListModel    *model;        /* borrowed */
  guint          binds;
  guint          frames;
  double         target;
} View;

enum { COL_RECEIVED, COL_LOCATION, COL_LANGUAGE, COL_STATE, COL_UNIT, COL_REFERENCE, N_COLS };

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (list_item, label);
}

/* The same texts as the app's cells (intake-review-window.c, cell_text()). */
static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  View *view = user_data;
  IntakeReviewItem *item = gtk_list_item_get_item (list_item);
  const IntakeReviewMeta *meta = intake_review_item_get_meta (item);
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "column"));
  g_autofree char *text = NULL;

  switch (column)
    {
    case COL_RECEIVED:
      {
        g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (meta->received_at);

        text = g_date_time_format (time, "%d-%m-%Y %H:%M");
      }
      break;
    case COL_LOCATION:
      text = g_strdup (meta->location ? meta->location : "");
      break;
    case COL_LANGUAGE:
      text = g_strdup (intake_review_item_get_language (item) ? intake_review_item_get_language (item) : "…");
      break;
    case COL_STATE:
      text = g_strdup (intake_review_state_label (meta->state));
      break;
    case COL_UNIT:
      text = g_strdup (meta->unit ? meta->unit : "");
      break;
    default:
      text = g_strdup (meta->reference ? meta->reference : "");
    }
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
  if (column == COL_RECEIVED)
    view->binds++;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  ((View *)user_data)->frames++;
}

static View *
view_new (GListModel *model)
{
  static const char *titles[N_COLS] = { "Ontvangen", "Locatie", "Taal", "Status", "Afdeling", "Referentie" };
  View *view = g_new0 (View, 1);
  GtkWidget *column_view = gtk_column_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (model))));
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  for (int i = 0; i < N_COLS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (i));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), view);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), view);
      column = gtk_column_view_column_new (titles[i], factory);
      gtk_column_view_column_set_expand (column, i == COL_LOCATION || i == COL_UNIT);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (column_view), column);
      g_object_unref (column);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), column_view);
  view->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (view->window), 1000, 1100);
  gtk_window_set_child (GTK_WINDOW (view->window), scrolled);
  view->model = model;
  view->adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
  gtk_window_present (GTK_WINDOW (view->window));
  g_signal_connect (gtk_widget_get_frame_clock (view->window), "after-paint", G_CALLBACK (after_paint_cb), view);
  return view;
}

static void
view_free (View *view)
{
  gtk_window_destroy (GTK_WINDOW (view->window));
  g_free (view);
}

static gboolean
view_ready (gpointer data)
{
  View *view = data;

  return view->frames > 0 && gtk_adjustment_get_page_size (view->adjustment) > 0 &&
         gtk_adjustment_get_upper (view->adjustment) > 2 * gtk_adjustment_get_page_size (view->adjustment);
}

typedef struct {
  View  *view;
  guint  frames;
} FrameWait;

/* The target screen can be shown (the model has its rows) and a frame was
 * painted after the value was set. */
static gboolean
screen_shown (gpointer data)
{
  FrameWait *wait = data;
  View *view = wait->view;
  GtkAdjustment *adj = view->adjustment;

  if (gtk_adjustment_get_value (adj) < view->target)
    {
      double reachable = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

      if (reachable > gtk_adjustment_get_value (adj))
        {
          gtk_adjustment_set_value (adj, MIN (view->target, reachable));
          wait->frames = view->frames;
        }
      return FALSE;
    }
  return view->frames > wait->frames;
}

/* Scrolls @screens screens down, one page_size at a time; returns seconds. */
static double
scroll_screens (View  *view,
                guint  screens,
                guint *out_binds,
                guint *out_frames,
                double *out_rows_per_screen,
                double *out_worst)
{
  double t0, page = gtk_adjustment_get_page_size (view->adjustment);
  guint binds0 = view->binds, frames0 = view->frames;
  guint n_items = g_list_model_get_n_items (view->model);

  *out_rows_per_screen = page / (gtk_adjustment_get_upper (view->adjustment) / MAX (n_items, 1));
  t0 = now_s ();
  for (guint i = 1; i <= screens; i++)
    {
      FrameWait wait = { view, view->frames };
      double s0 = now_s ();

      view->target = gtk_adjustment_get_value (view->adjustment) + page;
      wait_until (screen_shown, &wait, "a screen of rows");
      *out_worst = MAX (*out_worst, now_s () - s0);
    }
  *out_binds = view->binds - binds0;
  *out_frames = view->frames - frames0;
  return now_s () - t0;
}

/* ---- main ------------------------------------------------------------ */

static char *
run_capture (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autofree char *out = NULL;

  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error) ||
      !g_subprocess_get_successful (proc))
    g_error ("%s failed: %s", argv[0], error != NULL ? error->message : "non-zero exit");
  return g_strdup (g_strstrip (out));
}

int
main (int    argc,
      char **argv)
{
  static const char *languages[N_DEVICES] = { "nl", "en", "ar", "nl" };
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(IntakeReviewClient) client = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autofree char *dir = NULL;
  g_autofree char *office_pub = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *workstation_key = NULL;
  g_autofree char *server_key = NULL;
  g_autofree char *line = NULL;
  g_autofree double *page_times = NULL;
  const char *url;
  Device devices[N_DEVICES] = { 0 };
  guint n_submissions, screens, stored = 0, failed = 0, n_pages = 0;
  gsize plaintext_size = 0;
  double t0, seal_s, upload_s;
  double model_first[FIRST_PAGE_RUNS], store_first[FIRST_PAGE_RUNS], audited_first[FIRST_PAGE_RUNS];
  double model_first_ms, store_first_ms, audited_first_ms;
  double model_all_s, store_all_s;
  double store_page_start = 0, store_page_end = 0;

  if (argc < 2)
    {
      g_printerr ("usage: bench-review INTAKE_SERVER [SUBMISSIONS] [SCREENS]\n");
      return 2;
    }
  n_submissions = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 100000;
  screens = argc > 3 ? (guint)g_ascii_strtoull (argv[3], NULL, 10) : 200;
  n_submissions -= n_submissions % (N_DEVICES * INTAKE_PROTOCOL_MAX_BATCH);
  if (n_submissions == 0)
    g_error ("SUBMISSIONS must be at least %u", N_DEVICES * INTAKE_PROTOCOL_MAX_BATCH);

  if (!gtk_init_check ())
    {
      g_printerr ("bench-review needs a display for its GtkColumnView part: run it under xvfb-run -a\n");
      return 1;
    }
  if (!intake_crypto_init (&error) || !intake_office_generate (&office, &office_secret, &error) ||
      !(questionnaire = intake_questionnaire_new_builtin (&error)))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-review-XXXXXX", &error);
  office_pub = g_build_filename (dir, "office.pub", NULL);
  data_dir = g_build_filename (dir, "sqlite", NULL);
  server_key = g_build_filename (data_dir, "server.secret", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  /* The server key first, as a server's first start makes it: a store
   * with devices and no key is refused (docs/server.md, "Keys"). */
  if (!intake_office_public_save (office, office_pub, &error) ||
      !(store = intake_store_open_from_options (data_dir, NULL, &error)))
    g_error ("%s", error->message);
  {
    g_autoptr(IntakeDeviceKey) key = intake_server_key_load_or_create (server_key, NULL, NULL, &error);

    if (key == NULL)
      g_error ("%s", error->message);
  }

  /* ---- Seed: one real session per device, sealed N/4 times with fresh
   * submission ids, uploaded in batches of 100 by one thread per device. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autoptr(IntakeSession) session = intake_session_new (questionnaire, languages[d]);
      g_autofree char *location = g_strdup_printf ("Locatie %u", d + 1);
      IntakeDevicePublic pub;

      if (!intake_random_answers_fill (session, rand, &error) ||
          !(devices[d].plaintext = intake_session_serialize (session, &error)) ||
          !(devices[d].key = intake_device_key_generate (&error)))
        g_error ("%s", error->message);
      plaintext_size += devices[d].plaintext->len;
      devices[d].office = office;
      devices[d].questionnaire = questionnaire;
      devices[d].n = n_submissions / N_DEVICES;
      devices[d].envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      devices[d].bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      intake_device_key_get_public (devices[d].key, &pub);
      if (!intake_store_register_device (store, &pub, location, g_get_real_time () / G_USEC_PER_SEC, &error))
        g_error ("%s", error->message);
    }
  t0 = now_s ();
  for (guint d = 0; d < N_DEVICES; d++)
    g_ptr_array_add (threads, g_thread_new ("seal", seal_thread, &devices[d]));
  for (guint d = 0; d < N_DEVICES; d++)
    g_thread_join (g_ptr_array_index (threads, d));
  g_ptr_array_set_size (threads, 0);
  seal_s = now_s () - t0;

  passphrase = intake_secure_buffer_new_copy (REVIEWER_PASS, strlen (REVIEWER_PASS));
  workstation_key = g_build_filename (dir, "workstation.key", NULL);
  add_reviewer (store, office_secret, passphrase, workstation_key);

  {
    const char *server_argv[] = { argv[1], "--office-public", office_pub, "--data", data_dir,
                                  "--server-key", server_key, "--listen", "127.0.0.1:0", NULL };

    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
    if (!(proc = g_subprocess_launcher_spawnv (launcher, server_argv, &error)))
      g_error ("%s", error->message);
  }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  if (!(line = g_data_input_stream_read_line (out, NULL, NULL, &error)) ||
      !g_str_has_prefix (line, "listening on "))
    g_error ("intake-server did not start");
  url = line + strlen ("listening on ");

  t0 = now_s ();
  for (guint d = 0; d < N_DEVICES; d++)
    {
      devices[d].url = url;
      g_ptr_array_add (threads, g_thread_new ("upload", upload_thread, &devices[d]));
    }
  for (guint d = 0; d < N_DEVICES; d++)
    g_thread_join (g_ptr_array_index (threads, d));
  upload_s = now_s () - t0;
  for (guint d = 0; d < N_DEVICES; d++)
    {
      stored += devices[d].stored;
      failed += devices[d].failed;
      g_clear_pointer (&devices[d].bodies, g_ptr_array_unref);
    }
  if (stored != n_submissions || failed != 0)
    g_error ("stored %u of %u envelopes, %u failed requests", stored, n_submissions, failed);

  /* ---- Unlock: challenge, Argon2id (256 MiB), signature, blob (median of 3). */
  client = intake_review_client_new (url);
  intake_review_client_set_workstation_key_file (client, workstation_key);
  {
    double unlocks[3];

    for (guint r = 0; r < G_N_ELEMENTS (unlocks); r++)
      {
        AsyncWait wait = { NULL };

        t0 = now_s ();
        intake_review_client_unlock_async (client, REVIEWER_NAME, passphrase, NULL, async_cb, &wait);
        wait_until (async_done, &wait, "unlock");
        if (!intake_review_client_unlock_finish (client, wait.result, &error))
          g_error ("unlock: %s", error->message);
        unlocks[r] = now_s () - t0;
        g_object_unref (wait.result);
      }
    printf ("unlock (start, Argon2id 256 MiB, signature, finish, open): median %.2f s of %u\n",
            median (unlocks, G_N_ELEMENTS (unlocks)), (guint) G_N_ELEMENTS (unlocks));
  }

  /* ---- (a) First page: "list requested" to "first 100 rows available". */
  for (guint r = 0; r < FIRST_PAGE_RUNS; r++)
    {
      g_autoptr(IntakeReviewListModel) model = intake_review_list_model_new (client, NULL);
      NItems wait = { G_LIST_MODEL (model), INTAKE_REVIEW_LIST_PAGE_SIZE };
      IntakeSubmissionFilter filter = { .after_seq = 0, .limit = INTAKE_REVIEW_LIST_PAGE_SIZE };
      g_autoptr(GPtrArray) page = NULL;

      t0 = now_s ();
      intake_review_list_model_load_more (model);
      wait_until (has_n_items, &wait, "the first page");
      model_first[r] = now_s () - t0;

      t0 = now_s ();
      if (!(page = intake_store_list_submissions (store, &filter, &error)) || page->len != INTAKE_REVIEW_LIST_PAGE_SIZE)
        g_error ("store page: %s", error ? error->message : "short");
      store_first[r] = now_s () - t0;

      /* The least the server must do: the query plus its durable "list"
       * audit event, appended before the answer is sent (docs/protocol.md). */
      {
        g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, REVIEWER_NAME,
                                                                    "list", "bench baseline", "ok", "bench");
        g_autoptr(GPtrArray) again = NULL;

        t0 = now_s ();
        if (!(again = intake_store_list_submissions (store, &filter, &error)) ||
            !intake_store_append_audit (store, event, &error))
          g_error ("store page + audit: %s", error ? error->message : "?");
        audited_first[r] = now_s () - t0;
      }
    }
  model_first_ms = median (model_first, FIRST_PAGE_RUNS) * 1e3;
  store_first_ms = median (store_first, FIRST_PAGE_RUNS) * 1e3;
  audited_first_ms = median (audited_first, FIRST_PAGE_RUNS) * 1e3;

  /* ---- (b) Every page through the lazy model, driven as a list view
   * drives it: asking for its last row schedules the next page. */
  g_autoptr(IntakeReviewListModel) full = intake_review_list_model_new (client, NULL);
  page_times = g_new0 (double, n_submissions / INTAKE_REVIEW_LIST_PAGE_SIZE + 1);
  t0 = now_s ();
  intake_review_list_model_load_more (full);
  wait_until (page_settled, full, "a page");
  page_times[n_pages++] = now_s () - t0;
  while (!intake_review_list_model_get_complete (full))
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (full));
      double p0 = now_s ();

      g_object_unref (g_list_model_get_item (G_LIST_MODEL (full), n - 1));
      wait_until (page_settled, full, "a page");
      /* The idle may not have run yet: wait for it to start and finish. */
      while (g_list_model_get_n_items (G_LIST_MODEL (full)) == n && !intake_review_list_model_get_complete (full))
        {
          g_main_context_iteration (NULL, TRUE);
          wait_until (page_settled, full, "a page");
        }
      page_times[n_pages++] = now_s () - p0;
    }
  model_all_s = now_s () - t0;
  if (g_list_model_get_n_items (G_LIST_MODEL (full)) != n_submissions)
    g_error ("the model listed %u of %u", g_list_model_get_n_items (G_LIST_MODEL (full)), n_submissions);

  {
    IntakeSubmissionFilter filter = { .after_seq = 0, .limit = INTAKE_REVIEW_LIST_PAGE_SIZE };
    guint listed = 0, page_no = 0;

    t0 = now_s ();
    for (;;)
      {
        double p0 = now_s ();
        g_autoptr(GPtrArray) page = intake_store_list_submissions (store, &filter, &error);

        if (page == NULL)
          g_error ("%s", error->message);
        if (page_no < 10)
          store_page_start += now_s () - p0;
        else if (page_no >= n_submissions / INTAKE_REVIEW_LIST_PAGE_SIZE - 10)
          store_page_end += now_s () - p0;
        page_no++;
        listed += page->len;
        if (page->len < INTAKE_REVIEW_LIST_PAGE_SIZE)
          break;
        filter.after_seq = ((IntakeStoreSubmission *)g_ptr_array_index (page, page->len - 1))->envelope.seq;
      }
    store_all_s = now_s () - t0;
    if (listed != n_submissions)
      g_error ("the store listed %u of %u", listed, n_submissions);
  }

  /* ---- (c) A GtkColumnView scrolled screen by screen: over a fresh lazy
   * model (pages load as rows near the end are bound), then over a plain
   * GListStore already holding the same items. */
  double lazy_s, plain_s, lazy_rows, plain_rows, lazy_worst = 0, plain_worst = 0;
  guint lazy_binds, lazy_frames, plain_binds, plain_frames;
  {
    g_autoptr(IntakeReviewListModel) model = intake_review_list_model_new (client, NULL);
    NItems wait = { G_LIST_MODEL (model), INTAKE_REVIEW_LIST_PAGE_SIZE };
    View *view;

    intake_review_list_model_load_more (model);
    wait_until (has_n_items, &wait, "the first page");
    view = view_new (G_LIST_MODEL (model));
    wait_until (view_ready, view, "the window");
    lazy_s = scroll_screens (view, screens, &lazy_binds, &lazy_frames, &lazy_rows, &lazy_worst);
    view_free (view);
  }
  {
    g_autoptr(GListStore) plain = g_list_store_new (INTAKE_TYPE_REVIEW_ITEM);
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
    View *view;

    for (guint i = 0; i < n_submissions; i++)
      g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (full), i));
    g_list_store_splice (plain, 0, 0, items->pdata, items->len);
    view = view_new (G_LIST_MODEL (plain));
    wait_until (view_ready, view, "the window");
    plain_s = scroll_screens (view, screens, &plain_binds, &plain_frames, &plain_rows, &plain_worst);
    view_free (view);
  }

  /* ---- (d) One screen's envelopes opened (the language column), vs
   * verifying their signatures; several screens, medians. */
  double fetch_s, open_s, verify_s;
  {
    double fetch_runs[SCREEN_RUNS], open_runs[SCREEN_RUNS], verify_runs[SCREEN_RUNS];

    for (guint run = 0; run < SCREEN_RUNS; run++)
      {
        g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
        g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
        AsyncWait waits[SCREEN_ROWS] = { { NULL } };
        guint next = 0, done = 0, first = (n_submissions - SCREEN_ROWS) / SCREEN_RUNS * run;

        /* A screen of rows nobody has opened yet, spread over the list. */
        for (guint i = 0; i < SCREEN_ROWS; i++)
          {
            g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (full), first + i);
            const IntakeReviewMeta *meta = intake_review_item_get_meta (item);
            GBytes *envelope = intake_store_dup_envelope (store, meta->device_id, meta->submission_id, NULL, &error);

            if (envelope == NULL)
              g_error ("no envelope for %s", intake_review_item_get_id (item));
            g_ptr_array_add (envelopes, envelope);
            g_ptr_array_add (ids, g_strdup (intake_review_item_get_id (item)));
          }

        /* As the window does: GET each submission, open it here, at most four at once. */
        t0 = now_s ();
        while (done < SCREEN_ROWS)
          {
            while (next < SCREEN_ROWS && next - done < DECRYPTS_AT_ONCE)
              {
                intake_review_client_fetch_async (client, g_ptr_array_index (ids, next), NULL, async_cb, &waits[next]);
                next++;
              }
            wait_until (async_done, &waits[done], "a fetch");
            {
              g_autoptr(IntakeSubmission) submission = intake_review_client_fetch_finish (client, waits[done].result,
                                                                                         NULL, NULL, &error);
              if (submission == NULL || intake_submission_get_language (submission) == NULL)
                g_error ("fetch: %s", error ? error->message : "no language");
            }
            g_clear_object (&waits[done].result);
            done++;
          }
        fetch_runs[run] = now_s () - t0;

        t0 = now_s ();
        for (guint i = 0; i < SCREEN_ROWS; i++)
          {
            g_autoptr(IntakeSubmission) submission = intake_review_client_open_envelope (client,
                                                                                        g_ptr_array_index (envelopes, i),
                                                                                        &error);
            if (submission == NULL)
              g_error ("open: %s", error->message);
          }
        open_runs[run] = now_s () - t0;

        t0 = now_s ();
        for (guint i = 0; i < SCREEN_ROWS; i++)
          {
            IntakeEnvelopeHeader header;

            if (!intake_envelope_verify (g_ptr_array_index (envelopes, i), &header, &error))
              g_error ("verify: %s", error->message);
          }
        verify_runs[run] = now_s () - t0;
      }
    fetch_s = median (fetch_runs, SCREEN_RUNS);
    open_s = median (open_runs, SCREEN_RUNS);
    verify_s = median (verify_runs, SCREEN_RUNS);
  }

  /* ---- (e) The queue's first screen: "to do", newest first, with names.
   * From "list requested" to the first QUEUE_ROWS rows' names and dates of
   * birth decrypted here (the window fetches the rows on screen, four at once). */
  double queue_s, queue_list_s, queue_store_s, queue_local_s, queue_counts_s;
  {
    double runs[QUEUE_RUNS], list_runs[QUEUE_RUNS], store_runs[QUEUE_RUNS], local_runs[QUEUE_RUNS];
    double counts_runs[QUEUE_RUNS];

    for (guint run = 0; run < QUEUE_RUNS; run++)
      {
        IntakeReviewFilter queue_filter = { .newest_first = TRUE, .view = INTAKE_REVIEW_VIEW_TODO,
                                            .limit = INTAKE_REVIEW_LIST_PAGE_SIZE };
        g_autoptr(IntakeReviewListModel) model = intake_review_list_model_new (client, &queue_filter);
        NItems wait = { G_LIST_MODEL (model), QUEUE_ROWS };
        AsyncWait waits[QUEUE_ROWS] = { { NULL } };
        guint next = 0, done = 0;
        gint64 newest = G_MAXINT64;

        t0 = now_s ();
        intake_review_list_model_load_more (model);
        wait_until (has_n_items, &wait, "the queue's first page");
        list_runs[run] = now_s () - t0;
        while (done < QUEUE_ROWS)
          {
            while (next < QUEUE_ROWS && next - done < DECRYPTS_AT_ONCE)
              {
                g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (model), next);

                if (intake_review_item_get_meta (item)->seq > newest)
                  g_error ("the queue is not newest first");
                newest = intake_review_item_get_meta (item)->seq;
                intake_review_client_fetch_async (client, intake_review_item_get_id (item), NULL, async_cb,
                                                  &waits[next]);
                next++;
              }
            wait_until (async_done, &waits[done], "a fetch");
            {
              g_autoptr(IntakeSubmission) submission = intake_review_client_fetch_finish (client, waits[done].result,
                                                                                         NULL, NULL, &error);
              g_autofree char *name = NULL;
              g_autofree char *birth = NULL;

              if (submission == NULL)
                g_error ("fetch: %s", error->message);
              name = intake_submission_dup_display_name (submission);
              birth = intake_submission_dup_birth_date (submission);
              if (name == NULL || birth == NULL)
                g_error ("no name or date of birth");
              intake_secure_wipe (name, strlen (name));
            }
            g_clear_object (&waits[done].result);
            done++;
          }
        runs[run] = now_s () - t0;

        /* Baseline: the store's descending "to do" query of the same page. */
        {
          IntakeSubmissionFilter filter = { .limit = INTAKE_REVIEW_LIST_PAGE_SIZE, .descending = TRUE,
                                            .view = INTAKE_SUBMISSION_VIEW_TODO, .me = REVIEWER_NAME };
          g_autoptr(GPtrArray) page = NULL;

          t0 = now_s ();
          if (!(page = intake_store_list_submissions (store, &filter, &error)) ||
              page->len != INTAKE_REVIEW_LIST_PAGE_SIZE)
            g_error ("store queue page: %s", error ? error->message : "short");
          store_runs[run] = now_s () - t0;

          /* Second baseline: the query plus the same rows' envelopes read
           * and opened in this process (no HTTP, no audit). */
          t0 = now_s ();
          {
            g_autoptr(GPtrArray) again = intake_store_list_submissions (store, &filter, &error);

            for (guint i = 0; again != NULL && i < QUEUE_ROWS; i++)
              {
                const IntakeStoreSubmission *row = g_ptr_array_index (again, i);
                g_autoptr(GBytes) envelope = intake_store_dup_envelope (store, row->envelope.device_id,
                                                                        row->envelope.submission_id, NULL, &error);
                g_autoptr(IntakeSubmission) submission = NULL;
                g_autofree char *name = NULL;

                if (envelope == NULL || !(submission = intake_review_client_open_envelope (client, envelope, &error)))
                  g_error ("local open: %s", error ? error->message : "?");
                name = intake_submission_dup_display_name (submission);
                intake_secure_wipe (name, strlen (name));
              }
          }
          local_runs[run] = now_s () - t0;
        }
      }
    /* The poll that makes new intakes appear: GET /v1/review/counts. */
    for (guint run = 0; run < QUEUE_RUNS; run++)
      {
        IntakeReviewFilter counts_filter = { .newest_first = TRUE, .view = INTAKE_REVIEW_VIEW_TODO };
        AsyncWait wait = { NULL };
        g_autoptr(IntakeReviewCounts) counts = NULL;

        t0 = now_s ();
        intake_review_client_counts_async (client, &counts_filter, NULL, async_cb, &wait);
        wait_until (async_done, &wait, "the counts");
        if (!(counts = intake_review_client_counts_finish (client, wait.result, &error)) ||
            counts->total != n_submissions)
          g_error ("counts: %s", error ? error->message : "wrong total");
        counts_runs[run] = now_s () - t0;
        g_clear_object (&wait.result);
      }
    queue_counts_s = median (counts_runs, QUEUE_RUNS);
    queue_s = median (runs, QUEUE_RUNS);
    queue_list_s = median (list_runs, QUEUE_RUNS);
    queue_store_s = median (store_runs, QUEUE_RUNS);
    queue_local_s = median (local_runs, QUEUE_RUNS);
  }

  /* ---- (f) Opening a detail: the GET (envelope, notes), the envelope
   * opened here, the Dutch rendering and the summary; vs the same from
   * the envelope already in memory. Submissions spread over the list. */
  double detail_s, detail_local_s;
  {
    double runs[DETAIL_RUNS], local_runs[DETAIL_RUNS];

    for (guint run = 0; run < DETAIL_RUNS; run++)
      {
        g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (full),
                                                                  (n_submissions - 1) / DETAIL_RUNS * run + 7);
        const IntakeReviewMeta *meta = intake_review_item_get_meta (item);
        g_autoptr(GBytes) envelope = intake_store_dup_envelope (store, meta->device_id, meta->submission_id, NULL,
                                                                &error);
        AsyncWait wait = { NULL };

        if (envelope == NULL)
          g_error ("no envelope for %s", intake_review_item_get_id (item));
        t0 = now_s ();
        intake_review_client_fetch_async (client, intake_review_item_get_id (item), NULL, async_cb, &wait);
        wait_until (async_done, &wait, "a detail");
        {
          g_autoptr(IntakeSubmission) submission = intake_review_client_fetch_finish (client, wait.result, NULL, NULL,
                                                                                     &error);
          g_autoptr(IntakeRendering) rendering = NULL;
          g_autoptr(IntakeSummary) summary = NULL;

          if (submission == NULL ||
              !(rendering = intake_submission_render (submission, questionnaire, "nl", &error)) ||
              !(summary = intake_summary_new (submission, questionnaire, "nl", &error)))
            g_error ("detail: %s", error->message);
        }
        runs[run] = now_s () - t0;
        g_clear_object (&wait.result);

        t0 = now_s ();
        {
          g_autoptr(IntakeSubmission) submission = intake_review_client_open_envelope (client, envelope, &error);
          g_autoptr(IntakeRendering) rendering = NULL;
          g_autoptr(IntakeSummary) summary = NULL;

          if (submission == NULL ||
              !(rendering = intake_submission_render (submission, questionnaire, "nl", &error)) ||
              !(summary = intake_summary_new (submission, questionnaire, "nl", &error)))
            g_error ("local detail: %s", error->message);
        }
        local_runs[run] = now_s () - t0;
      }
    detail_s = median (runs, DETAIL_RUNS);
    detail_local_s = median (local_runs, DETAIL_RUNS);
  }

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);

  {
    guint pages = n_pages, k = MIN (10, pages / 3);
    double start = 0, middle = 0, end = 0;

    for (guint i = 0; i < k; i++)
      {
        start += page_times[i];
        middle += page_times[pages / 2 - k / 2 + i];
        end += page_times[pages - k + i];
      }

    printf ("submissions: %u (%u devices, real sealed envelopes of %zu bytes of session JSON on average)\n",
            n_submissions, N_DEVICES, plaintext_size / N_DEVICES);
    printf ("seeding: sealed in %.1f s (%u threads), uploaded in %.1f s (%.0f envelopes/s, batches of %u)\n",
            seal_s, N_DEVICES, upload_s, n_submissions / upload_s, INTAKE_PROTOCOL_MAX_BATCH);
    printf ("(a) first page of 100 (median of %u): model %7.2f ms   baseline store query %7.3f ms   ratio %.0f\n",
            FIRST_PAGE_RUNS, model_first_ms, store_first_ms, model_first_ms / store_first_ms);
    printf ("    second baseline, store query + durable audit event: %7.3f ms   ratio %.1f\n",
            audited_first_ms, model_first_ms / audited_first_ms);
    printf ("(b) all %u pages through the model: %6.2f s   baseline store paging %6.3f s   ratio %.0f\n",
            pages, model_all_s, store_all_s, model_all_s / store_all_s);
    printf ("    per page, model: first %u %.2f ms, middle %u %.2f ms, last %u %.2f ms\n",
            k, start / k * 1e3, k, middle / k * 1e3, k, end / k * 1e3);
    printf ("    per page, store: first 10 %.3f ms, last 10 %.3f ms\n",
            store_page_start / 10 * 1e3, store_page_end / 10 * 1e3);
    printf ("    rows per second through the model: %.0f   rows needing the whole list loaded first: the end, %.1f s\n",
            n_submissions / model_all_s, model_all_s);
    printf ("(c) GtkColumnView, %u screens (~%.0f rows each):\n", screens, lazy_rows);
    printf ("    lazy model: %6.2f s  %6.1f screens/s  %7.0f rows bound/s  %u frames (%.1f/s)  slowest screen %.1f ms\n",
            lazy_s, screens / lazy_s, lazy_binds / lazy_s, lazy_frames, lazy_frames / lazy_s, lazy_worst * 1e3);
    printf ("    GListStore: %6.2f s  %6.1f screens/s  %7.0f rows bound/s  %u frames (%.1f/s)  slowest screen %.1f ms\n",
            plain_s, screens / plain_s, plain_binds / plain_s, plain_frames, plain_frames / plain_s, plain_worst * 1e3);
    printf ("    ratio (screens per second, lazy / plain): %.2f\n", plain_s / lazy_s);
    printf ("    ratio (rows bound per second, lazy / plain): %.2f\n",
            (lazy_binds / lazy_s) / (plain_binds / plain_s));
    printf ("(d) one screen of %u rows opened for the language column (median of %u screens):\n",
            SCREEN_ROWS, SCREEN_RUNS);
    printf ("    fetch + open (HTTP, %u at once): %7.2f ms   open only %6.2f ms   baseline verify only %6.2f ms\n",
            DECRYPTS_AT_ONCE, fetch_s * 1e3, open_s * 1e3, verify_s * 1e3);
    printf ("    ratios to verify: fetch + open %.1f   open %.2f\n", fetch_s / verify_s, open_s / verify_s);
    printf ("(e) the queue's first screen, to do, newest first, %u rows with name and date of birth (median of %u):\n",
            QUEUE_ROWS, QUEUE_RUNS);
    printf ("    list + fetch + open: %7.2f ms (of which the first page %6.2f ms)   baseline store query alone %6.3f ms"
            "   ratio %.0f\n", queue_s * 1e3, queue_list_s * 1e3, queue_store_s * 1e3, queue_s / queue_store_s);
    printf ("    second baseline, store query + the %u envelopes read and opened here: %6.2f ms   ratio %.1f\n",
            QUEUE_ROWS, queue_local_s * 1e3, queue_s / queue_local_s);
    printf ("    the poll (GET /v1/review/counts, %u intakes counted per state, unit and assignee): %6.2f ms\n",
            n_submissions, queue_counts_s * 1e3);
    printf ("(f) opening a detail (fetch, open, rendering, summary; median of %u): %6.2f ms   without HTTP %6.2f ms"
            "   ratio %.1f\n", DETAIL_RUNS, detail_s * 1e3, detail_local_s * 1e3, detail_s / detail_local_s);
  }

  for (guint d = 0; d < N_DEVICES; d++)
    {
      intake_device_key_free (devices[d].key);
      intake_secure_buffer_free (devices[d].plaintext);
      g_ptr_array_unref (devices[d].envelopes);
    }
  g_clear_object (&client);
  g_clear_object (&store);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_free (run_capture (rm));
  }
  return 0;
}

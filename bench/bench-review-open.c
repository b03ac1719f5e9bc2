/* bench-review-open.c: unlocking, opening a detail and the dashboard in the review app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real intake-server (SQLite store in a temporary directory) is seeded
 * through its own upload path with SUBMISSIONS (default 10,000) real sealed
 * envelopes of four devices, as bench-review.c seeds it, and a reviewer is
 * added with the real Argon2id limits. Each figure beside its floor,
 * measured in the same run:
 *
 *  - unlock (intake_review_client_unlock_async: start, Argon2id in a
 *    thread, signed challenge, finish, blob opened) vs one bare Argon2id
 *    (crypto_pwhash, the reviewer's limits: opslimit 3, 256 MiB);
 *  - opening a detail (intake_review_client_fetch_async: GET, the server's
 *    audit event, verify + decrypt + parse here) vs opening the same kind of
 *    envelope locally (intake_review_client_open_envelope);
 *  - the dashboard over every submission (IntakeReviewDashboard's load:
 *    every page listed, every submission fetched and opened here, counted)
 *    vs opening all of them locally.
 *
 * usage: bench-review-open INTAKE_SERVER [SUBMISSIONS]
 * Needs a display for the dashboard widget (xvfb-run -a).
 * Method and results: docs/performance.md.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-dashboard.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-protocol.h"
#include "intake-questionnaire-set.h"
#include "intake-random-answers.h"
#include "intake-review-client.h"
#include "intake-review-dashboard.h"
#include "intake-roles.h"
#include "intake-server-util.h"
#include "intake-session.h"
#include "intake-store.h"

#define N_DEVICES        4
#define DETAIL_RUNS      21
#include "bench-review-util.h"

static gboolean
dashboard_loaded (gpointer data)
{
  return !intake_review_dashboard_get_loading (data);
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
  g_autoptr(IntakeQuestionnaireSet) questionnaires = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(IntakeReviewClient) client = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GPtrArray) metas = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *office_pub = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *workstation_key = NULL;
  g_autofree char *server_key = NULL;
  g_autofree char *line = NULL;
  const char *url;
  Device devices[N_DEVICES] = { 0 };
  guint n_submissions, stored = 0, failed = 0;
  double t0, unlocks[3], argon[3], details[DETAIL_RUNS], opens[DETAIL_RUNS], dashboard_s, open_all_s;
  double dashboard_again_s = 0;
  g_autoptr(GHashTable) facts = NULL;
  GtkWidget *dashboard;

  if (argc < 2)
    {
      g_printerr ("usage: bench-review-open INTAKE_SERVER [SUBMISSIONS]\n");
      return 2;
    }
  n_submissions = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 10000;
  n_submissions -= n_submissions % (N_DEVICES * INTAKE_PROTOCOL_MAX_BATCH);
  if (n_submissions < DETAIL_RUNS)
    g_error ("SUBMISSIONS must be at least %u", N_DEVICES * INTAKE_PROTOCOL_MAX_BATCH);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-review-open needs a display for the dashboard widget: run it under xvfb-run -a\n");
      return 1;
    }
  if (!intake_crypto_init (&error) || !intake_office_generate (&office, &office_secret, &error) ||
      !(questionnaire = intake_questionnaire_new_builtin (&error)))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-review-open-XXXXXX", &error);
  office_pub = g_build_filename (dir, "office.pub", NULL);
  data_dir = g_build_filename (dir, "sqlite", NULL);
  server_key = g_build_filename (data_dir, "server.secret", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  if (!intake_office_public_save (office, office_pub, &error) ||
      !(store = intake_store_open_from_options (data_dir, NULL, &error)))
    g_error ("%s", error->message);
  {
    g_autoptr(IntakeDeviceKey) key = intake_server_key_load_or_create (server_key, NULL, NULL, &error);

    if (key == NULL)
      g_error ("%s", error->message);
  }

  /* Seed as bench-review.c does: one real session per device, sealed N/4
   * times with fresh submission ids, uploaded in batches of 100. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autoptr(IntakeSession) session = intake_session_new (questionnaire, languages[d]);
      g_autofree char *location = g_strdup_printf ("Locatie %u", d + 1);
      IntakeDevicePublic pub;

      if (!intake_random_answers_fill (session, rand, &error) ||
          !(devices[d].plaintext = intake_session_serialize (session, &error)) ||
          !(devices[d].key = intake_device_key_generate (&error)))
        g_error ("%s", error->message);
      devices[d].office = office;
      devices[d].questionnaire = questionnaire;
      devices[d].n = n_submissions / N_DEVICES;
      devices[d].envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      devices[d].bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      intake_device_key_get_public (devices[d].key, &pub);
      if (!intake_store_register_device (store, &pub, location, g_get_real_time () / G_USEC_PER_SEC, &error))
        g_error ("%s", error->message);
    }
  for (guint d = 0; d < N_DEVICES; d++)
    g_ptr_array_add (threads, g_thread_new ("seal", seal_thread, &devices[d]));
  for (guint d = 0; d < N_DEVICES; d++)
    g_thread_join (g_ptr_array_index (threads, d));
  g_ptr_array_set_size (threads, 0);

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

  for (guint d = 0; d < N_DEVICES; d++)
    {
      devices[d].url = url;
      g_ptr_array_add (threads, g_thread_new ("upload", upload_thread, &devices[d]));
    }
  for (guint d = 0; d < N_DEVICES; d++)
    g_thread_join (g_ptr_array_index (threads, d));
  for (guint d = 0; d < N_DEVICES; d++)
    {
      stored += devices[d].stored;
      failed += devices[d].failed;
      g_clear_pointer (&devices[d].bodies, g_ptr_array_unref);
    }
  if (stored != n_submissions || failed != 0)
    g_error ("stored %u of %u envelopes, %u failed requests", stored, n_submissions, failed);

  /* ---- Unlock vs bare Argon2id, alternating. */
  client = intake_review_client_new (url);
  intake_review_client_set_workstation_key_file (client, workstation_key);
  for (guint r = 0; r < G_N_ELEMENTS (unlocks); r++)
    {
      AsyncWait wait = { NULL };
      guint8 key[32], salt[crypto_pwhash_SALTBYTES];

      t0 = now_s ();
      intake_review_client_unlock_async (client, REVIEWER_NAME, passphrase, NULL, async_cb, &wait);
      wait_until (async_done, &wait, "unlock");
      if (!intake_review_client_unlock_finish (client, wait.result, &error))
        g_error ("unlock: %s", error->message);
      unlocks[r] = now_s () - t0;
      g_object_unref (wait.result);

      randombytes_buf (salt, sizeof salt);
      t0 = now_s ();
      if (crypto_pwhash (key, sizeof key, REVIEWER_PASS, strlen (REVIEWER_PASS), salt,
                         INTAKE_REVIEWER_KDF_OPSLIMIT, INTAKE_REVIEWER_KDF_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
        g_error ("Argon2id: out of memory");
      argon[r] = now_s () - t0;
      sodium_memzero (key, sizeof key);
    }

  /* ---- A detail: the first page's submissions one by one, vs opening
   * an envelope of the same session locally. */
  {
    IntakeReviewFilter filter = { .limit = DETAIL_RUNS };
    AsyncWait wait = { NULL };

    intake_review_client_list_async (client, &filter, NULL, async_cb, &wait);
    wait_until (async_done, &wait, "the list");
    if (!(metas = intake_review_client_list_finish (client, wait.result, NULL, &error)) || metas->len < DETAIL_RUNS)
      g_error ("list: %s", error != NULL ? error->message : "short");
    g_object_unref (wait.result);
  }
  for (guint r = 0; r < DETAIL_RUNS; r++)
    {
      const IntakeReviewMeta *meta = g_ptr_array_index (metas, r);
      GBytes *envelope = g_ptr_array_index (devices[r % N_DEVICES].envelopes, r);
      g_autoptr(IntakeSubmission) fetched = NULL;
      g_autoptr(IntakeSubmission) opened = NULL;
      AsyncWait wait = { NULL };

      t0 = now_s ();
      intake_review_client_fetch_async (client, meta->key, NULL, async_cb, &wait);
      wait_until (async_done, &wait, "a detail");
      if (!(fetched = intake_review_client_fetch_finish (client, wait.result, NULL, NULL, &error)))
        g_error ("fetch: %s", error->message);
      details[r] = now_s () - t0;
      g_object_unref (wait.result);

      t0 = now_s ();
      if (!(opened = intake_review_client_open_envelope (client, envelope, &error)))
        g_error ("open: %s", error->message);
      opens[r] = now_s () - t0;
    }

  /* ---- The dashboard over every submission vs opening them all here. */
  questionnaires = intake_questionnaire_set_new ();
  if (!intake_questionnaire_set_add (questionnaires, questionnaire, &error))
    g_error ("%s", error->message);
  dashboard = g_object_ref_sink (intake_review_dashboard_new ());
  /* The window's facts (key -> what the distributions need), kept until it
   * locks: the first visit decrypts every submission, later ones none. */
  facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)intake_dashboard_facts_free);
  for (guint visit = 0; visit < 2; visit++)
  {
    IntakeReviewFilter filter = { 0 };
    gint64 deadline = g_get_monotonic_time () + 1200 * G_USEC_PER_SEC;

    t0 = now_s ();
    intake_review_dashboard_load (INTAKE_REVIEW_DASHBOARD (dashboard), client, questionnaires, &filter, facts);
    while (!dashboard_loaded (dashboard))
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("the dashboard did not load within 20 minutes");
        g_main_context_iteration (NULL, TRUE);
      }
    if (visit == 0)
      dashboard_s = now_s () - t0;
    else
      dashboard_again_s = now_s () - t0;
    if (intake_review_dashboard_get_model (INTAKE_REVIEW_DASHBOARD (dashboard)) == NULL ||
        intake_dashboard_get_total (intake_review_dashboard_get_model (INTAKE_REVIEW_DASHBOARD (dashboard))) !=
          n_submissions)
      g_error ("the dashboard counted %u of %u submissions",
               intake_review_dashboard_get_model (INTAKE_REVIEW_DASHBOARD (dashboard)) != NULL
                 ? intake_dashboard_get_total (intake_review_dashboard_get_model (INTAKE_REVIEW_DASHBOARD (dashboard)))
                 : 0,
               n_submissions);
  }
  t0 = now_s ();
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint i = 0; i < devices[d].envelopes->len; i++)
      {
        g_autoptr(IntakeSubmission) opened = intake_review_client_open_envelope (client, g_ptr_array_index (devices[d].envelopes, i),
                                                                                &error);

        if (opened == NULL)
          g_error ("open: %s", error->message);
      }
  open_all_s = now_s () - t0;

  printf ("submissions: %u (4 devices, real sealed sessions)\n", n_submissions);
  printf ("unlock (median of 3):                  %7.3f s   floor: Argon2id alone %7.3f s   ratio %.2f"
          "   (Argon2id is %.0f%% of the unlock)\n",
          median (unlocks, 3), median (argon, 3), median (unlocks, 3) / median (argon, 3),
          100.0 * median (argon, 3) / median (unlocks, 3));
  printf ("open a detail (median of %u):          %7.2f ms  floor: open locally %7.2f ms      ratio %.1f\n",
          DETAIL_RUNS, median (details, DETAIL_RUNS) * 1e3, median (opens, DETAIL_RUNS) * 1e3,
          median (details, DETAIL_RUNS) / median (opens, DETAIL_RUNS));
  printf ("dashboard over %u:                  %7.2f s   floor: open all locally %6.2f s    ratio %.1f\n",
          n_submissions, dashboard_s, open_all_s, dashboard_s / open_all_s);
  printf ("dashboard again, same unlock:          %7.3f s   floor: open all locally %6.2f s    ratio %.3f\n",
          dashboard_again_s, open_all_s, dashboard_again_s / open_all_s);

  g_object_unref (dashboard);
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
  for (guint d = 0; d < N_DEVICES; d++)
    {
      intake_device_key_free (devices[d].key);
      intake_secure_buffer_free (devices[d].plaintext);
      g_ptr_array_unref (devices[d].envelopes);
    }
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "rm", "-rf", dir, NULL);

    if (rm != NULL)
      g_subprocess_wait (rm, NULL, NULL);
  }
  return 0;
}

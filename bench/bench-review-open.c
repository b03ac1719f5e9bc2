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
#define REVIEWER_NAME    "Bench Reviewer"
#define REVIEWER_PASS    "a long benchmark passphrase"

typedef struct {
  IntakeDeviceKey    *key;
  IntakeOfficePublic *office;
  IntakeQuestionnaire *questionnaire;
  IntakeSecureBuffer *plaintext;   /* one real session per device */
  guint               n;
  GPtrArray          *envelopes;   /* GBytes */
  GPtrArray          *bodies;      /* GBytes: one upload body of 100 per batch */
  const char         *url;
  guint               stored;
  guint               failed;
} Device;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Iterates the default main context until @done says so; a hang is an error. */
static void
wait_until (gboolean (*done) (gpointer),
            gpointer  data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ---- Seeding -------------------------------------------------------- */

static GBytes *
upload_body (GPtrArray *envelopes,
             guint      from,
             guint      to)
{
  GString *text = g_string_new ("{\"envelopes\":[");

  for (guint i = from; i < to; i++)
    {
      GBytes *envelope = g_ptr_array_index (envelopes, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

      g_string_append_printf (text, "%s\"%s\"", i > from ? "," : "", b64);
    }
  g_string_append (text, "]}");
  return g_string_free_to_bytes (text);
}

/* Seals the device's one session @n times, each with a fresh submission id. */
static gpointer
seal_thread (gpointer data)
{
  Device *device = data;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < device->n; i++)
    {
      IntakeEnvelopeInfo info = { 0 };
      g_autoptr(GError) error = NULL;
      GBytes *envelope;

      intake_envelope_new_submission_id (info.submission_id);
      info.created_at = now - (device->n - i) * 60;
      info.questionnaire_id = intake_questionnaire_get_id (device->questionnaire);
      info.questionnaire_version = intake_questionnaire_get_version (device->questionnaire);
      memcpy (info.questionnaire_hash, intake_questionnaire_get_hash_bytes (device->questionnaire),
              sizeof info.questionnaire_hash);
      envelope = intake_envelope_seal (device->office, device->key, &info,
                                       device->plaintext->data,
                                       device->plaintext->len, &error);
      if (envelope == NULL)
        g_error ("%s", error->message);
      g_ptr_array_add (device->envelopes, envelope);
    }
  for (guint i = 0; i < device->n; i += INTAKE_PROTOCOL_MAX_BATCH)
    g_ptr_array_add (device->bodies, upload_body (device->envelopes, i,
                                                  MIN (device->n, i + INTAKE_PROTOCOL_MAX_BATCH)));
  return NULL;
}

static guint
count_stored (GBytes *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *results;
  guint stored = 0;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize)g_bytes_get_size (reply), NULL))
    return 0;
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (results, i), "status"), "stored"))
      stored++;
  return stored;
}

/* One kiosk uploading its batches: own main context and session, blocking calls. */
static gpointer
upload_thread (gpointer data)
{
  Device *device = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = g_strconcat (device->url, "/v1/envelopes", NULL);

  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("timeout", 120, NULL);
  for (guint i = 0; i < device->bodies->len; i++)
    {
      GBytes *body = g_ptr_array_index (device->bodies, i);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
      IntakeRequestAuth auth;

      intake_protocol_sign_request (device->key, "POST", "/v1/envelopes", body,
                                    g_get_real_time () / G_USEC_PER_SEC, &auth);
      soup_message_headers_replace (headers, INTAKE_HEADER_DEVICE, auth.device_id);
      soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
      soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
      soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
      intake_request_auth_clear (&auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL || soup_message_get_status (msg) != 200)
        device->failed++;
      else
        device->stored += count_stored (reply);
    }
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* What an activation leaves in the store (docs/protocol.md, "Activation"),
 * with the real Argon2id limits; the workstation key goes to @key_path. */
static void
add_reviewer (IntakeStore              *store,
              const IntakeOfficeSecret *office_secret,
              const IntakeSecureBuffer *passphrase,
              const char               *key_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeReviewerKey) reviewer = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autofree char *reviewer_id = NULL;
  IntakeStoreReviewer record = { 0 };
  IntakeReviewerPublic pub;

  if (!(reviewer = intake_reviewer_key_generate (office_secret, &error)) ||
      !(workstation = intake_workstation_key_generate (&error)) ||
      !intake_workstation_key_save (workstation, key_path, "bench workstation key", &error) ||
      !(credentials = intake_credentials_new_reviewer (passphrase, workstation, NULL, 0, 0, &error)) ||
      !(record.blob = intake_reviewer_key_seal (reviewer, credentials, &error)))
    g_error ("%s", error->message);
  intake_reviewer_key_get_public (reviewer, &pub);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = (char *)REVIEWER_NAME;
  memcpy (record.sign_pk, pub.sign_pk, sizeof record.sign_pk);
  record.created_at = g_get_real_time () / G_USEC_PER_SEC;
  record.roles = INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD;
  event = intake_audit_event_new (record.created_at, "admin", "reviewer_add", REVIEWER_NAME, "ok", "cli");
  if (!intake_store_add_reviewer (store, &record, event, &error))
    g_error ("%s", error->message);
  g_bytes_unref (record.blob);
}

/* ---- Waiting on the client and the model ----------------------------- */

typedef struct {
  GAsyncResult *result;
} AsyncWait;

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ((AsyncWait *)user_data)->result = g_object_ref (result);
}

static gboolean
async_done (gpointer data)
{
  return ((AsyncWait *)data)->result != NULL;
}

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

/* bench-server.c: envelopes stored per second by one intake-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several simulated kiosks (one thread and one HTTP connection each)
 * upload pre-sealed envelopes in batches to a real intake-server process on
 * loopback, first with the SQLite store, then with PostgreSQL (a throwaway
 * cluster from tests/pg-cluster.sh). The baseline, measured in the same
 * run, is the bare cost of verifying the same envelopes' signatures in one
 * process: the ratio says what HTTP, JSON, request signatures, durable
 * storage and receipts add on top of the one check the server cannot skip.
 *
 * Two more baselines measured in the same run say which bound the server
 * is near: the disk's own durable-commit rate (single-row commits in a
 * SQLite WAL database with synchronous=FULL in the same directory as the
 * server's store; single-row autocommit INSERTs on the same PostgreSQL
 * cluster) and, for latency, a single-envelope request's p50 against one
 * such commit plus 1 ms.
 *
 * usage: bench-server INTAKE_SERVER PG_CLUSTER_SH [KIOSKS] [BATCHES] [BATCH_SIZE]
 * Method and results: docs/performance.md.
 */
#include "config.h"

#include <libpq-fe.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-protocol.h"
#include "intake-server-util.h"
#include "intake-store.h"

typedef struct {
  IntakeDeviceKey *key;
  GPtrArray       *bodies;      /* GBytes: one upload body per batch */
  const char      *url;
  guint            stored;
  guint            failed;
} Kiosk;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static GBytes *
upload_body (GPtrArray *envelopes)
{
  GString *text = g_string_new ("{\"envelopes\":[");

  for (guint i = 0; i < envelopes->len; i++)
    {
      GBytes *envelope = g_ptr_array_index (envelopes, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

      g_string_append_printf (text, "%s\"%s\"", i > 0 ? "," : "", b64);
    }
  g_string_append (text, "]}");
  return g_string_free_to_bytes (text);
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

/* A signed upload of @body, kept-alive as the kiosk's are (intake-http.c):
 * libsoup opens a new connection for every POST not marked idempotent. */
static SoupMessage *
signed_upload_new (IntakeDeviceKey *key,
                   const char      *url,
                   GBytes          *body)
{
  SoupMessage *msg = soup_message_new ("POST", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  IntakeRequestAuth auth;

  intake_protocol_sign_request (key, "POST", "/v1/envelopes", body, g_get_real_time () / G_USEC_PER_SEC, &auth);
  soup_message_headers_replace (headers, INTAKE_HEADER_DEVICE, auth.device_id);
  soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
  soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
  soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
  intake_request_auth_clear (&auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

/* One kiosk: its own main context and session, blocking calls. */
static gpointer
kiosk_thread (gpointer data)
{
  Kiosk *kiosk = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = g_strconcat (kiosk->url, "/v1/envelopes", NULL);

  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("timeout", 120, NULL);
  for (guint i = 0; i < kiosk->bodies->len; i++)
    {
      g_autoptr(SoupMessage) msg = signed_upload_new (kiosk->key, url, g_ptr_array_index (kiosk->bodies, i));
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL || soup_message_get_status (msg) != 200)
        kiosk->failed++;
      else
        kiosk->stored += count_stored (reply);
    }
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

/* The disk's durable-commit time: @n single-row commits in a WAL database
 * with synchronous=FULL in @dir, as the server's SQLite store commits.
 * Returns the median in seconds; *@out_rate is commits per second. */
static double
sqlite_commit_baseline (const char *dir,
                        guint       n,
                        double     *out_rate)
{
  g_autofree char *path = g_build_filename (dir, "commit-baseline.db", NULL);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  double t0, total;

  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                        "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO t (v) VALUES (randomblob(200))", -1, &insert, NULL) != SQLITE_OK)
    g_error ("commit baseline: %s", sqlite3_errmsg (db));
  t0 = now_s ();
  for (guint i = 0; i < n; i++)
    {
      double t = now_s ();

      if (sqlite3_step (insert) != SQLITE_DONE)
        g_error ("commit baseline: %s", sqlite3_errmsg (db));
      sqlite3_reset (insert);
      t = now_s () - t;
      g_array_append_val (times, t);
    }
  total = now_s () - t0;
  sqlite3_finalize (insert);
  sqlite3_close (db);
  g_unlink (path);
  *out_rate = n / total;
  return median (times);
}

/* The same on the PostgreSQL cluster: single-row autocommit INSERTs
 * (fsync=on, synchronous_commit=on) over its Unix socket. */
static double
pg_commit_baseline (const char *conninfo,
                    guint       n,
                    double     *out_rate)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;
  double t0, total;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("commit baseline: %s", PQerrorMessage (conn));
  res = PQexec (conn, "CREATE TABLE commit_baseline (id BIGINT GENERATED ALWAYS AS IDENTITY, v BYTEA)");
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("commit baseline: %s", PQerrorMessage (conn));
  PQclear (res);
  res = PQprepare (conn, "ins", "INSERT INTO commit_baseline (v) VALUES (gen_random_uuid ()::text::bytea)", 0, NULL);
  PQclear (res);
  t0 = now_s ();
  for (guint i = 0; i < n; i++)
    {
      double t = now_s ();

      res = PQexecPrepared (conn, "ins", 0, NULL, NULL, NULL, 0);
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        g_error ("commit baseline: %s", PQerrorMessage (conn));
      PQclear (res);
      t = now_s () - t;
      g_array_append_val (times, t);
    }
  total = now_s () - t0;
  PQclear (PQexec (conn, "DROP TABLE commit_baseline"));
  PQfinish (conn);
  *out_rate = n / total;
  return median (times);
}

/* A single-envelope request's latency: @n signed uploads of one envelope,
 * one after the other on one keep-alive connection; returns the p50 (s). */
static double
single_request_p50 (const char      *url_base,
                    IntakeDeviceKey *key,
                    GPtrArray       *singles)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *url = g_strconcat (url_base, "/v1/envelopes", NULL);

  for (guint i = 0; i < singles->len; i++)
    {
      double t = now_s ();
      g_autoptr(SoupMessage) msg = signed_upload_new (key, url, g_ptr_array_index (singles, i));
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL || soup_message_get_status (msg) != 200 || count_stored (reply) != 1)
        g_error ("single upload failed: %s", error != NULL ? error->message : "not stored");
      t = now_s () - t;
      /* The first request opens the connection. */
      if (i > 0)
        g_array_append_val (times, t);
    }
  return median (times);
}

typedef struct {
  double rate;          /* envelopes/s, all kiosks */
  double single_p50;    /* s */
  double commit_p50;    /* s: the store's own single-row durable commit */
  double commit_rate;   /* commits/s */
  gint64 commits;       /* the server's upload commits (/metrics), the throughput part */
  gint64 requests;      /* the upload requests they stored */
} BackendResult;

/* A counter from the server's /metrics, or -1. */
static gint64
metric (const char *url_base,
        const char *name)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (url_base, "/metrics", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autofree char *text = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)) : NULL;
  g_autofree char *needle = g_strconcat ("\n", name, " ", NULL);
  const char *at = text != NULL ? strstr (text, needle) : NULL;

  return at != NULL ? g_ascii_strtoll (at + strlen (needle), NULL, 10) : -1;
}

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

static BackendResult
run_backend (const char          *server_path,
             const char          *dir,
             const char          *office_pub,
             const char          *conninfo,
             Kiosk               *kiosks,
             guint                n_kiosks,
             guint                expected,
             IntakeDeviceKey     *single_key,
             GPtrArray           *singles)
{
  BackendResult result = { 0 };
  g_autofree char *data_dir = g_build_filename (dir, conninfo != NULL ? "pg-key" : "sqlite", NULL);
  g_autofree char *server_key = g_build_filename (data_dir, "server.secret", NULL);
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint stored = 0, failed = 0;
  double t0, elapsed;
  const char *argv[] = { server_path, "--office-public", office_pub,
                         conninfo != NULL ? "--postgres" : "--data", conninfo != NULL ? conninfo : data_dir,
                         "--server-key", server_key, "--listen", "127.0.0.1:0", NULL };

  g_mkdir_with_parents (data_dir, 0700);
  /* The disk's bound, same directory (SQLite) or same cluster (PostgreSQL),
   * just before the server runs. */
  if (conninfo != NULL)
    result.commit_p50 = pg_commit_baseline (conninfo, 500, &result.commit_rate);
  else
    result.commit_p50 = sqlite_commit_baseline (data_dir, 500, &result.commit_rate);

  /* Register the kiosks straight in the store (enrollment is not
   * measured), after making the server key as a server's first start
   * does: a store with devices and no key is refused. */
  if (!(store = intake_store_open_from_options (conninfo != NULL ? NULL : data_dir, conninfo, &error)))
    g_error ("%s", error->message);
  {
    g_autoptr(IntakeDeviceKey) key = intake_server_key_load_or_create (server_key, NULL, NULL, &error);

    if (key == NULL)
      g_error ("%s", error->message);
  }
  for (guint i = 0; i < n_kiosks; i++)
    {
      IntakeDevicePublic pub;

      intake_device_key_get_public (kiosks[i].key, &pub);
      if (!intake_store_register_device (store, &pub, "bench", 1, &error))
        g_error ("%s", error->message);
      kiosks[i].stored = kiosks[i].failed = 0;
    }
  {
    IntakeDevicePublic pub;

    intake_device_key_get_public (single_key, &pub);
    if (!intake_store_register_device (store, &pub, "bench", 1, &error))
      g_error ("%s", error->message);
  }

  if (!(proc = g_subprocess_launcher_spawnv (launcher, argv, &error)))
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  if (!(line = g_data_input_stream_read_line (out, NULL, NULL, &error)) ||
      !g_str_has_prefix (line, "listening on "))
    g_error ("intake-server did not start");
  for (guint i = 0; i < n_kiosks; i++)
    kiosks[i].url = line + strlen ("listening on ");

  t0 = now_s ();
  for (guint i = 0; i < n_kiosks; i++)
    g_ptr_array_add (threads, g_thread_new ("kiosk", kiosk_thread, &kiosks[i]));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  elapsed = now_s () - t0;
  result.commits = metric (kiosks[0].url, "intake_upload_commits_total");
  result.requests = metric (kiosks[0].url, "intake_upload_commit_requests_total");

  /* Latency on an otherwise idle server. */
  result.single_p50 = single_request_p50 (line + strlen ("listening on "), single_key, singles);

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);

  for (guint i = 0; i < n_kiosks; i++)
    {
      stored += kiosks[i].stored;
      failed += kiosks[i].failed;
    }
  if (stored != expected || failed != 0)
    g_error ("stored %u of %u envelopes, %u failed requests", stored, expected, failed);
  result.rate = stored / elapsed;
  return result;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autofree char *dir = NULL;
  g_autofree char *office_pub = NULL;
  g_autofree char *pg_dir = NULL;
  g_autofree char *conninfo = NULL;
  static const char text[] = "{\"answers\":{\"a\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},\"format\":1}";
  GString *plaintext = g_string_new (NULL);
  guint n_kiosks, batches, batch_size, total;
  Kiosk *kiosks;
  g_autoptr(IntakeDeviceKey) single_key = NULL;
  g_autoptr(GPtrArray) singles = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  BackendResult sqlite, pg;
  double t0, verify_rate, verify_p50;

  if (argc < 3)
    {
      g_printerr ("usage: bench-server INTAKE_SERVER PG_CLUSTER_SH [KIOSKS] [BATCHES] [BATCH_SIZE]\n");
      return 2;
    }
  n_kiosks = argc > 3 ? (guint)g_ascii_strtoull (argv[3], NULL, 10) : 4;
  batches = argc > 4 ? (guint)g_ascii_strtoull (argv[4], NULL, 10) : 10;
  batch_size = argc > 5 ? (guint)g_ascii_strtoull (argv[5], NULL, 10) : 50;
  total = n_kiosks * batches * batch_size;

  if (!intake_crypto_init (&error) || !intake_office_generate (&office, &office_secret, &error))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-server-XXXXXX", &error);
  office_pub = g_build_filename (dir, "office.pub", NULL);
  if (!intake_office_public_save (office, office_pub, &error))
    g_error ("%s", error->message);

  /* A typical full intake is about 1,500 bytes of session JSON. */
  while (plaintext->len < 1500)
    g_string_append (plaintext, text);

  kiosks = g_new0 (Kiosk, n_kiosks);
  for (guint k = 0; k < n_kiosks; k++)
    {
      kiosks[k].key = intake_device_key_generate (&error);
      kiosks[k].bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      for (guint b = 0; b < batches; b++)
        {
          g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

          for (guint i = 0; i < batch_size; i++)
            {
              IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "bench", .questionnaire_version = 1 };
              GBytes *envelope;

              intake_envelope_new_submission_id (info.submission_id);
              envelope = intake_envelope_seal (office, kiosks[k].key, &info, (const guint8 *)plaintext->str,
                                               plaintext->len, &error);
              g_ptr_array_add (batch, envelope);
              g_ptr_array_add (all, g_bytes_ref (envelope));
            }
          g_ptr_array_add (kiosks[k].bodies, upload_body (batch));
        }
    }

  /* Single-envelope requests for the latency figure. */
  single_key = intake_device_key_generate (&error);
  for (guint i = 0; i < 201; i++)
    {
      IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "bench", .questionnaire_version = 1 };
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

      intake_envelope_new_submission_id (info.submission_id);
      g_ptr_array_add (one, intake_envelope_seal (office, single_key, &info, (const guint8 *)plaintext->str,
                                                  plaintext->len, &error));
      g_ptr_array_add (singles, upload_body (one));
    }

  /* Baseline: verify every envelope once, one thread. */
  t0 = now_s ();
  for (guint i = 0; i < all->len; i++)
    {
      IntakeEnvelopeHeader header;

      if (!intake_envelope_verify (g_ptr_array_index (all, i), &header, &error))
        g_error ("%s", error->message);
    }
  verify_rate = all->len / (now_s () - t0);
  verify_p50 = 1.0 / verify_rate;

  sqlite = run_backend (argv[1], dir, office_pub, NULL, kiosks, n_kiosks, total, single_key, singles);

  /* A short path: the cluster's Unix socket lives in it. */
  pg_dir = g_strdup_printf ("/tmp/bench-pg.%u", g_random_int ());
  {
    const char *start[] = { argv[2], "start", pg_dir, NULL };
    const char *stop[] = { argv[2], "stop", pg_dir, NULL };

    conninfo = run_capture (start);
    pg = run_backend (argv[1], dir, office_pub, conninfo, kiosks, n_kiosks, total, single_key, singles);
    g_free (run_capture (stop));
  }

  printf ("envelopes: %u (%u kiosks x %u batches of %u, %zu-byte session JSON)\n",
          total, n_kiosks, batches, batch_size, plaintext->len);
  printf ("verify only (1 thread):              %8.0f envelopes/s  (%.1f us each)\n", verify_rate, verify_p50 * 1e6);
  printf ("disk, SQLite WAL FULL 1-row commit:  %8.0f commits/s    (p50 %.2f ms)\n",
          sqlite.commit_rate, sqlite.commit_p50 * 1e3);
  printf ("disk, PostgreSQL 1-row commit:       %8.0f commits/s    (p50 %.2f ms)\n", pg.commit_rate, pg.commit_p50 * 1e3);
  printf ("intake-server, SQLite store:         %8.0f envelopes/s  ratio to verify %.3f   envelopes per disk commit %.1f\n",
          sqlite.rate, sqlite.rate / verify_rate, sqlite.rate / sqlite.commit_rate);
  printf ("intake-server, PostgreSQL store:     %8.0f envelopes/s  ratio to verify %.3f   envelopes per disk commit %.1f\n",
          pg.rate, pg.rate / verify_rate, pg.rate / pg.commit_rate);
  printf ("server's upload commits: SQLite %" G_GINT64_FORMAT " for %" G_GINT64_FORMAT " requests,"
          " PostgreSQL %" G_GINT64_FORMAT " for %" G_GINT64_FORMAT " requests (%.0f and %.0f envelopes per commit)\n",
          sqlite.commits, sqlite.requests, pg.commits, pg.requests,
          (double)total / MAX (sqlite.commits, 1), (double)total / MAX (pg.commits, 1));
  printf ("single-envelope request p50, SQLite:     %6.2f ms   bound (commit p50 + 1 ms) %6.2f ms   ratio %.2f\n",
          sqlite.single_p50 * 1e3, (sqlite.commit_p50 + 1e-3) * 1e3, sqlite.single_p50 / (sqlite.commit_p50 + 1e-3));
  printf ("single-envelope request p50, PostgreSQL: %6.2f ms   bound (commit p50 + 1 ms) %6.2f ms   ratio %.2f\n",
          pg.single_p50 * 1e3, (pg.commit_p50 + 1e-3) * 1e3, pg.single_p50 / (pg.commit_p50 + 1e-3));

  for (guint k = 0; k < n_kiosks; k++)
    {
      intake_device_key_free (kiosks[k].key);
      g_ptr_array_unref (kiosks[k].bodies);
    }
  g_free (kiosks);
  g_string_free (plaintext, TRUE);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_free (run_capture (rm));
  }
  return 0;
}

/* test-server-retention.c: retention and erasure, enforced by the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs twice (tests/meson.build): against SQLite, and through
 * tests/pg-cluster.sh against a throwaway PostgreSQL cluster. The
 * envelopes here are stored through the store interface with bytes of
 * the test's choosing (the server never looks inside an envelope): each
 * holds a canary, a byte pattern found nowhere else, so that a scan of
 * the SQLite files after a purge or an erasure shows whether anything of
 * it is left. docs/privacy.md and docs/security.md name these tests.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "intake-protocol.h"
#include "intake-test-util.h"
#include "test-server-util.h"

#define DAY (24 * 60 * 60)

typedef struct {
  char   submission_id[33];
  char   reference[16];
  char  *canary;          /* in the envelope */
  char  *note_canary;     /* in its note, or NULL */
} Stored;

static void
stored_free (Stored *stored)
{
  g_free (stored->canary);
  g_free (stored->note_canary);
  g_free (stored);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stored, stored_free)

static char *
random_hex_id (void)
{
  return g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (), g_random_int (), g_random_int ());
}

/* 12 KiB: the pattern repeated, so the row spans SQLite overflow pages. */
static GBytes *
canary_bytes (const char *canary)
{
  GString *text = g_string_new (NULL);

  while (text->len < 12 * 1024)
    g_string_append (text, canary);
  return g_string_free_to_bytes (text);
}

/* A kiosk registered in the store (not enrolled over HTTP). */
static TestKiosk *
register_kiosk (IntakeStore *store)
{
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic device;

  intake_device_key_get_public (kiosk->key, &device);
  g_assert_true (intake_store_register_device (store, &device, "Vaals", g_get_real_time () / G_USEC_PER_SEC,
                                               &error));
  g_assert_no_error (error);
  return g_steal_pointer (&kiosk);
}

/* Stores an envelope received at @received_at holding the canary @tag;
 * with @closed_at, closes it then; with @note, adds a note (holding its
 * own canary) before. */
static Stored *
put_submission_with_id (IntakeStore *store,
                        TestKiosk   *kiosk,
                        const char  *tag,
                        gint64       received_at,
                        gint64       closed_at,
                        gboolean     note,
                        const char  *submission_id)
{
  g_autoptr(Stored) stored = g_new0 (Stored, 1);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *id = submission_id != NULL ? g_strdup (submission_id) : random_hex_id ();
  g_autofree char *sha256 = NULL;
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;
  IntakeStoreEnvelope meta = { 0 };
  IntakeStorePutResult result;
  gint64 version = 1;

  stored->canary = g_strdup_printf ("<canary %s %s>", tag, id);
  bytes = canary_bytes (stored->canary);
  sha256 = intake_sha256_hex (bytes);
  g_strlcpy (meta.submission_id, id, sizeof meta.submission_id);
  g_strlcpy (meta.device_id, kiosk->device_id, sizeof meta.device_id);
  g_strlcpy (meta.sha256, sha256, sizeof meta.sha256);
  meta.size = (gint64)g_bytes_get_size (bytes);
  meta.created_at = received_at - 60;
  g_strlcpy (meta.questionnaire_id, "intake", sizeof meta.questionnaire_id);
  meta.questionnaire_version = 1;
  g_strlcpy (meta.questionnaire_hash, sha256, sizeof meta.questionnaire_hash);
  g_strlcpy (meta.office_key_id, "0123456789abcdef", sizeof meta.office_key_id);
  meta.received_at = received_at;
  meta.source = INTAKE_ENVELOPE_SOURCE_UPLOAD;
  g_assert_true (intake_store_put_envelope (store, &meta, bytes, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, INTAKE_STORE_PUT_STORED);
  g_strlcpy (stored->submission_id, id, sizeof stored->submission_id);

  if (note)
    {
      g_autofree char *reviewer_id = random_hex_id ();
      g_autoptr(GBytes) note_bytes = NULL;
      g_autoptr(IntakeAuditEvent) audit = intake_audit_event_new (closed_at > 0 ? closed_at - 60 : received_at,
                                                                  "anna", "note", id, NULL, "127.0.0.1");

      stored->note_canary = g_strdup_printf ("<note canary %s %s>", tag, id);
      note_bytes = canary_bytes (stored->note_canary);
      g_assert_true (intake_store_add_note (store, kiosk->device_id, id, note_bytes, reviewer_id, "anna", version,
                                            closed_at > 0 ? closed_at - 60 : received_at, audit, NULL, NULL,
                                            &error));
      g_assert_no_error (error);
      version++;
    }
  if (closed_at > 0)
    {
      IntakeStoreWorkflow workflow = { .state = "closed", .assignee = "anna" };
      g_autoptr(IntakeAuditEvent) audit = intake_audit_event_new (closed_at, "anna", "state_change", id, NULL,
                                                                  "127.0.0.1");
      gboolean conflict = TRUE;

      g_assert_true (intake_store_update_workflow (store, kiosk->device_id, id, &workflow, version, "anna",
                                                   closed_at, audit, NULL, &conflict, &error));
      g_assert_no_error (error);
      g_assert_false (conflict);
    }
  submission = intake_store_get_submission (store, kiosk->device_id, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (submission);
  g_strlcpy (stored->reference, submission->reference, sizeof stored->reference);
  return g_steal_pointer (&stored);
}

static Stored *
put_submission (IntakeStore *store,
                TestKiosk   *kiosk,
                const char  *tag,
                gint64       received_at,
                gint64       closed_at,
                gboolean     note)
{
  return put_submission_with_id (store, kiosk, tag, received_at, closed_at, note, NULL);
}

static gboolean
is_stored (IntakeStore *store,
           TestKiosk   *kiosk,
           Stored      *stored)
{
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) error = NULL;

  submission = intake_store_get_submission (store, kiosk->device_id, stored->submission_id, &error);
  g_assert_no_error (error);
  bytes = intake_store_dup_envelope (store, kiosk->device_id, stored->submission_id, NULL, &error);
  g_assert_no_error (error);
  notes = intake_store_list_notes (store, kiosk->device_id, stored->submission_id, &error);
  g_assert_no_error (error);
  /* All of it or nothing of it. */
  g_assert_true ((submission != NULL) == (bytes != NULL));
  if (submission == NULL)
    g_assert_cmpuint (notes->len, ==, 0);
  return submission != NULL;
}

static guint
count_help_requests (IntakeStore *store)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GError) error = NULL;

  requests = intake_store_list_help_requests (store, 0, G_MAXINT64, &error);
  g_assert_no_error (error);
  return requests->len;
}

static void
put_help_request (IntakeStore *store,
                  TestKiosk   *kiosk,
                  gint64       received_at)
{
  g_autofree char *key = random_hex_id ();
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_store_put_help_request (store, kiosk->device_id, key, received_at - 5, "nl", received_at,
                                                NULL, &error));
  g_assert_no_error (error);
}

/* How often @needle occurs in the store's files (SQLite: the database,
 * its -wal and -shm), read as raw bytes. */
static guint
scan_store_files (TestServer *server,
                  const char *needle)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  gsize needle_len = strlen (needle);
  guint found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat ("intake.db", suffixes[i], NULL);
      g_autofree char *path = g_build_filename (server->data_dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &data, &len, NULL))
        continue;
      for (const char *p = data; p != NULL && (gsize)(p - data) + needle_len <= len;)
        {
          p = memmem (p, len - (gsize)(p - data), needle, needle_len);
          if (p != NULL)
            {
              found++;
              p += needle_len;
            }
        }
    }
  return found;
}

/* PostgreSQL: whether @table was vacuumed by hand (not autovacuum) since
 * the statistics were reset; waits up to 5 s for the statistics. */
static gboolean
pg_vacuumed (TestServer *server,
             const char *table)
{
  PGconn *conn = PQconnectdb (server->conninfo);
  const char *params[] = { table };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean vacuumed = FALSE;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  while (!vacuumed && g_get_monotonic_time () < deadline)
    {
      PGresult *res = PQexecParams (conn,
                                    "SELECT pg_stat_clear_snapshot (), "
                                    "(SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = $1)",
                                    1, NULL, params, NULL, NULL, 0);

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      vacuumed = atoi (PQgetvalue (res, 0, 1)) > 0;
      PQclear (res);
      if (!vacuumed)
        g_usleep (100 * 1000);
    }
  PQfinish (conn);
  return vacuumed;
}

/* Every audit event of @action, as "object|result" lines. */
static char *
audit_lines (IntakeStore *store,
             const char  *action)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  GString *lines = g_string_new (NULL);

  events = intake_store_list_audit (store, NULL, 0, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->action, action))
        g_string_append_printf (lines, "%s|%s|%s|%s\n", event->actor, event->object, event->result, event->origin);
    }
  return g_string_free (lines, FALSE);
}

static void
assert_audit_intact (TestServer *server)
{
  const char *args[] = { "audit", "verify", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (test_admin (server, args, 2, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "audit chain intact"));
}

/* The three rules with their defaults: a closed submission 95 days after
 * closing goes, one closed 5 days ago stays; an open one of 100 days
 * stays, one received 11 years ago goes although it was never closed;
 * help requests go after 30 days. --dry-run counts and changes nothing;
 * then the purge removes exactly those, with one audit event per rule
 * holding counts only, and (SQLite) no byte of the removed envelopes or
 * their notes is left in the database, its WAL or its shared memory. */
static void
test_purge (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Stored) closed_old = put_submission (store, kiosk, "closed-old", now - 100 * DAY, now - 95 * DAY, TRUE);
  g_autoptr(Stored) closed_new = put_submission (store, kiosk, "closed-new", now - 10 * DAY, now - 5 * DAY, TRUE);
  g_autoptr(Stored) open_old = put_submission (store, kiosk, "open-old", now - 100 * DAY, 0, FALSE);
  g_autoptr(Stored) ancient = put_submission (store, kiosk, "ancient", now - 4018 * DAY, 0, TRUE);
  g_autoptr(Stored) ancient_closed = put_submission (store, kiosk, "ancient-closed", now - 4018 * DAY,
                                                     now - 4000 * DAY, FALSE);
  g_autoptr(IntakeStore) holder = NULL;
  const char *dry[] = { "purge", "--dry-run", NULL };
  const char *purge[] = { "purge", NULL };
  g_autofree char *out = NULL;
  g_autofree char *purges = NULL;

  put_help_request (store, kiosk, now - 40 * DAY);
  put_help_request (store, kiosk, now - 1 * DAY);
  g_clear_object (&store);
  if (!test_server_use_postgres ())
    {
      g_assert_cmpuint (scan_store_files (server, closed_old->canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, ancient->note_canary), >, 0);
    }

  /* The closed rule counts the old closed one (ancient-closed too: it
   * goes first by the rule that comes first); the maximum the rest. */
  g_assert_cmpint (test_admin (server, dry, 1, &out, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_cmpstr (out, ==, "RULE\tDAYS\tWOULD_REMOVE\nclosed\t90\t2\nmaximum\t3653\t1\nhelp\t30\t1\n");
  g_clear_pointer (&out, g_free);
  store = test_server_open_store (server);
  g_assert_true (is_stored (store, kiosk, closed_old));
  g_assert_true (is_stored (store, kiosk, ancient));
  g_assert_cmpuint (count_help_requests (store), ==, 2);
  purges = audit_lines (store, "purge");
  g_assert_cmpstr (purges, ==, "");
  if (test_server_use_postgres ())
    g_assert_false (pg_vacuumed (server, "envelopes"));
  g_clear_pointer (&purges, g_free);
  g_clear_object (&store);

  /* A connection stays open, as a running server's does: SQLite keeps
   * the WAL file then (the last one to close would checkpoint and remove
   * it), so the scan below also shows the purge's own checkpoint. */
  holder = test_server_open_store (server);
  g_assert_cmpint (test_admin (server, purge, 1, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "RULE\tDAYS\tREMOVED\nclosed\t90\t2\nmaximum\t3653\t1\nhelp\t30\t1\n");
  g_clear_pointer (&out, g_free);
  if (!test_server_use_postgres ())
    {
      g_assert_cmpuint (scan_store_files (server, closed_old->canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, closed_old->note_canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, ancient->canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, closed_new->canary), >, 0);
    }
  g_clear_object (&holder);
  /* PostgreSQL: the space is handed back by VACUUM, not left to autovacuum. */
  if (test_server_use_postgres ())
    {
      g_assert_true (pg_vacuumed (server, "envelopes"));
      g_assert_true (pg_vacuumed (server, "notes"));
    }

  store = test_server_open_store (server);
  g_assert_false (is_stored (store, kiosk, closed_old));
  g_assert_false (is_stored (store, kiosk, ancient));
  g_assert_false (is_stored (store, kiosk, ancient_closed));
  g_assert_true (is_stored (store, kiosk, closed_new));
  g_assert_true (is_stored (store, kiosk, open_old));
  g_assert_cmpuint (count_help_requests (store), ==, 1);
  purges = audit_lines (store, "purge");
  g_assert_cmpstr (purges, ==,
                   "admin|rule=closed days=90|ok removed=2|cli\n"
                   "admin|rule=maximum days=3653|ok removed=1|cli\n"
                   "admin|rule=help days=30|ok removed=1|cli\n");
  g_clear_pointer (&purges, g_free);
  g_clear_object (&store);
  assert_audit_intact (server);

  /* Nothing is left to purge. */
  g_assert_cmpint (test_admin (server, dry, 1, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "RULE\tDAYS\tWOULD_REMOVE\nclosed\t90\t0\nmaximum\t3653\t0\nhelp\t30\t0\n");
  g_clear_pointer (&out, g_free);

  if (!test_server_use_postgres ())
    {
      /* The scan finds what is kept (it can see), and nothing of the rest. */
      g_assert_cmpuint (scan_store_files (server, closed_new->canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, closed_new->note_canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, open_old->canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, closed_old->canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, closed_old->note_canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, ancient->canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, ancient->note_canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, ancient_closed->canary), ==, 0);
    }
}

/* Other values: the closed rule off keeps closed submissions to the
 * maximum; shorter periods remove more. */
static void
test_purge_options (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Stored) closed = put_submission (store, kiosk, "closed", now - 400 * DAY, now - 300 * DAY, FALSE);
  g_autoptr(Stored) open = put_submission (store, kiosk, "open", now - 400 * DAY, 0, FALSE);
  const char *off[] = { "purge", "--retain-closed-days", "0", "--dry-run", NULL };
  const char *short_max[] = { "purge", "--retain-closed-days", "0", "--retain-max-days", "365",
                              "--retain-help-days", "1", NULL };
  g_autofree char *out = NULL;

  g_clear_object (&store);
  g_assert_cmpint (test_admin (server, off, 1, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "RULE\tDAYS\tWOULD_REMOVE\nclosed\toff\t0\nmaximum\t3653\t0\nhelp\t30\t0\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (test_admin (server, short_max, 1, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "RULE\tDAYS\tREMOVED\nclosed\toff\t0\nmaximum\t365\t2\nhelp\t1\t0\n");
  store = test_server_open_store (server);
  g_assert_false (is_stored (store, kiosk, closed));
  g_assert_false (is_stored (store, kiosk, open));
}

/* Negative, garbage and out-of-range retention values are refused with a
 * message naming the option, by intake-admin purge and by intake-server
 * (which then does not start); nothing is removed. */
static void
test_bad_values (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Stored) ancient = put_submission (store, kiosk, "ancient", now - 4018 * DAY, 0, FALSE);
  static const char * const bad[][2] = {
    { "--retain-closed-days", "-1" },
    { "--retain-closed-days", "ninety" },
    { "--retain-max-days", "0" },
    { "--retain-max-days", "-3653" },
    { "--retain-max-days", "3653x" },
    { "--retain-max-days", "99999999" },
    { "--retain-help-days", "0" },
    { "--retain-help-days", "" },
  };

  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { "purge", bad[i][0], bad[i][1], NULL };
      g_autofree char *err = NULL;
      g_autofree char *log = NULL;
      const char *extra[] = { bad[i][0], bad[i][1], NULL };
      int status = 0;

      g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
      g_test_message ("purge %s %s: %s", bad[i][0], bad[i][1], err);
      g_assert_nonnull (strstr (err, bad[i][0]));

      g_assert_false (test_server_start (server, extra, &status));
      g_assert_cmpint (status, ==, 2);
      log = test_server_read_log (server);
      g_test_message ("intake-server %s %s: %s", bad[i][0], bad[i][1], log);
      g_assert_nonnull (strstr (log, bad[i][0]));
    }
  {
    const char *extra[] = { "--retention-interval", "0", NULL };
    g_autofree char *log = NULL;
    int status = 0;

    g_assert_false (test_server_start (server, extra, &status));
    g_assert_cmpint (status, ==, 2);
    log = test_server_read_log (server);
    g_assert_nonnull (strstr (log, "--retention-interval"));
  }
  store = test_server_open_store (server);
  g_assert_true (is_stored (store, kiosk, ancient));
}

/* The server applies the rules at start, before it serves, and then every
 * --retention-interval seconds (1 here): a submission that reaches its
 * end while the server runs is gone within a few seconds. Each run that
 * removed something is one log line and audit events by "server". */
static TestServer *
served_server (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);

  /* A store a server has run on (its key pinned). */
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);
  return g_steal_pointer (&server);
}

static void
test_server_schedule (void)
{
  g_autoptr(TestServer) server = served_server ();
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Stored) closed_old = put_submission (store, kiosk, "closed-old", now - 100 * DAY, now - 95 * DAY, FALSE);
  g_autoptr(Stored) later = NULL;
  g_autoptr(Stored) kept = put_submission (store, kiosk, "kept", now - 100 * DAY, 0, FALSE);
  const char *extra[] = { "--retention-interval", "1", NULL };
  g_autofree char *log = NULL;
  g_autofree char *purges = NULL;
  gint64 deadline;
  int status = 0;

  if (!test_server_start (server, extra, &status))
    g_error ("intake-server exited with %d: %s", status, test_server_read_log (server));
  g_assert_false (is_stored (store, kiosk, closed_old));
  g_assert_true (is_stored (store, kiosk, kept));

  /* Closed 91 days ago by a reviewer of the running server. */
  later = put_submission (store, kiosk, "later", now - 100 * DAY, now - 91 * DAY, FALSE);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (is_stored (store, kiosk, later))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  g_assert_true (is_stored (store, kiosk, kept));
  test_server_stop (server);

  log = test_server_read_log (server);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "msg=purge closed=1 maximum=0 help=0 closed_days=90 max_days=3653 help_days=30"));
  purges = audit_lines (store, "purge");
  g_assert_cmpstr (purges, ==,
                   "server|rule=closed days=90|ok removed=1|schedule\n"
                   "server|rule=closed days=90|ok removed=1|schedule\n");
}

/* intake-admin erase: one submission by its reference code, with its
 * note and workflow, an audit event naming the reason category (never
 * free text), and (SQLite) no byte of it left in the files. Bad input
 * changes nothing: an unknown code, a missing or free-text reason, a
 * code that cannot be one. */
static void
test_erase (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(Stored) test_intake = put_submission (store, kiosk, "test-intake", now - DAY, now - 60, TRUE);
  g_autoptr(Stored) other = put_submission (store, kiosk, "other", now - DAY, 0, TRUE);
  g_autoptr(IntakeStore) holder = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *out = NULL;
  g_autofree char *erases = NULL;
  g_autofree char *expected = NULL;

  g_clear_object (&store);
  /* An unknown code: the alphabet's first symbols, unless that is ours. */
  unknown = g_strdup (g_str_equal (test_intake->reference, "AAAA-AAAA") ||
                      g_str_equal (other->reference, "AAAA-AAAA") ? "CCCC-CCCC" : "AAAA-AAAA");
  {
    const char *args[] = { "erase", "--reference", unknown, "--reason", "test-intake", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no submission has reference code"));
    g_assert_nonnull (strstr (err, "nothing was erased"));
  }
  {
    const char *args[] = { "erase", "--reference", test_intake->reference, NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--reason is required"));
  }
  {
    const char *args[] = { "erase", "--reference", test_intake->reference, "--reason", "asked by J. Jansen", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "not free text"));
  }
  {
    const char *args[] = { "erase", "--reference", "0000-0000", "--reason", "test-intake", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--reference"));
  }
  {
    const char *args[] = { "erase", "--reason", "test-intake", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--reference CODE is required"));
  }
  store = test_server_open_store (server);
  g_assert_true (is_stored (store, kiosk, test_intake));
  g_assert_true (is_stored (store, kiosk, other));
  erases = audit_lines (store, "erase");
  g_assert_cmpstr (erases, ==, "");
  g_clear_pointer (&erases, g_free);
  g_clear_object (&store);

  {
    /* As staff type it: lower case, no dash. */
    g_autofree char *typed = g_ascii_strdown (test_intake->reference, -1);
    const char *args[] = { "erase", "--reference", typed, "--reason", "test-intake", NULL };

    memmove (typed + 4, typed + 5, strlen (typed + 5) + 1);
    holder = test_server_open_store (server);
    g_assert_cmpint (test_admin (server, args, 1, &out, NULL), ==, 0);
    if (!test_server_use_postgres ())
      {
        g_assert_cmpuint (scan_store_files (server, test_intake->canary), ==, 0);
        g_assert_cmpuint (scan_store_files (server, test_intake->note_canary), ==, 0);
        g_assert_cmpuint (scan_store_files (server, other->canary), >, 0);
      }
    g_clear_object (&holder);
    g_test_message ("%s", out);
    g_assert_true (g_str_has_prefix (out, "erased "));
    g_assert_nonnull (strstr (out, test_intake->reference));
    g_assert_nonnull (strstr (out, "1 note"));
  }
  store = test_server_open_store (server);
  g_assert_false (is_stored (store, kiosk, test_intake));
  g_assert_true (is_stored (store, kiosk, other));
  erases = audit_lines (store, "erase");
  expected = g_strdup_printf ("admin|%s|ok reason=test-intake|cli\n", test_intake->submission_id);
  g_assert_cmpstr (erases, ==, expected);
  g_clear_object (&store);
  assert_audit_intact (server);

  /* Erasing it again: it is gone. */
  {
    const char *args[] = { "erase", "--reference", test_intake->reference, "--reason", "test-intake", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "no submission has reference code"));
  }

  if (!test_server_use_postgres ())
    {
      g_assert_cmpuint (scan_store_files (server, other->canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, other->note_canary), >, 0);
      g_assert_cmpuint (scan_store_files (server, test_intake->canary), ==, 0);
      g_assert_cmpuint (scan_store_files (server, test_intake->note_canary), ==, 0);
    }
}

/* Two kiosks' submissions with one reference code (a submission id is
 * scoped to its device, so two kiosks may use the same one): erase refuses
 * to choose and names --device; with it, only that kiosk's goes. */
static void
test_erase_shared_code (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) first = register_kiosk (store);
  g_autoptr(TestKiosk) second = register_kiosk (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *id = random_hex_id ();
  g_autoptr(Stored) a = put_submission_with_id (store, first, "first", now - DAY, 0, FALSE, id);
  g_autoptr(Stored) b = put_submission_with_id (store, second, "second", now - DAY, 0, FALSE, id);
  const char *ambiguous[] = { "erase", "--reference", a->reference, "--reason", "mistake", NULL };
  const char *chosen[] = { "erase", "--reference", a->reference, "--reason", "mistake",
                           "--device", second->device_id, NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpstr (a->reference, ==, b->reference);
  g_clear_object (&store);
  g_assert_cmpint (test_admin (server, ambiguous, 1, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--device DEVICE_ID"));
  g_assert_nonnull (strstr (err, "nothing was erased"));
  g_assert_cmpint (test_admin (server, chosen, 1, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "and 0 notes"));
  store = test_server_open_store (server);
  g_assert_true (is_stored (store, first, a));
  g_assert_false (is_stored (store, second, b));
}

static void
pg_run (const char *conninfo,
        const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

/* PostgreSQL with the roles of docs/server.md: a server running as the
 * runtime role (rows only, not the tables' owner) removes what the rules
 * say; the VACUUM that only the owner may run is skipped by PostgreSQL
 * with a warning, which is not an error of the purge. */
static void
test_pg_runtime_role (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(Stored) closed_old = NULL;
  g_autoptr(Stored) kept = NULL;
  g_autofree char *admin_conninfo = g_strdup (server->conninfo);
  g_autofree char *suffix = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *owner = g_strconcat ("intake_owner_", suffix, NULL);
  g_autofree char *runtime = g_strconcat ("intake_runtime_", suffix, NULL);
  g_autofree char *owner_conninfo = g_strdup_printf ("%s user=%s", admin_conninfo, owner);
  g_autofree char *runtime_conninfo = g_strdup_printf ("%s user=%s", admin_conninfo, runtime);
  g_autofree char *log = NULL;
  g_autofree char *purges = NULL;
  const char *migrate[] = { "db", "migrate", NULL };
  const char *grant[] = { "db", "grant", "--role", runtime, NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  {
    PGconn *conn = PQconnectdb (admin_conninfo);
    g_autofree char *sql = NULL;

    g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
    sql = g_strdup_printf ("CREATE ROLE %s LOGIN; CREATE ROLE %s LOGIN; ALTER DATABASE \"%s\" OWNER TO %s",
                           owner, runtime, PQdb (conn), owner);
    PQfinish (conn);
    pg_run (admin_conninfo, sql);
  }
  g_free (server->conninfo);
  server->conninfo = g_strdup (owner_conninfo);
  g_assert_cmpint (test_admin (server, migrate, 2, NULL, NULL), ==, 0);
  g_assert_cmpint (test_admin (server, grant, 2, NULL, NULL), ==, 0);

  /* Served once (the server key pinned), then given an expired submission. */
  g_free (server->conninfo);
  server->conninfo = g_strdup (runtime_conninfo);
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);
  store = test_server_open_store (server);
  kiosk = register_kiosk (store);
  closed_old = put_submission (store, kiosk, "closed-old", now - 100 * DAY, now - 95 * DAY, TRUE);
  kept = put_submission (store, kiosk, "kept", now - 100 * DAY, 0, TRUE);

  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);
  log = test_server_read_log (server);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "level=info msg=purge closed=1 maximum=0 help=0"));
  g_assert_null (strstr (log, "level=error"));
  g_assert_false (is_stored (store, kiosk, closed_old));
  g_assert_true (is_stored (store, kiosk, kept));
  purges = audit_lines (store, "purge");
  g_assert_cmpstr (purges, ==, "server|rule=closed days=90|ok removed=1|schedule\n");

  g_clear_object (&store);
  g_free (server->conninfo);
  server->conninfo = g_steal_pointer (&admin_conninfo);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/retention/purge", test_purge);
  g_test_add_func ("/retention/purge-options", test_purge_options);
  g_test_add_func ("/retention/bad-values", test_bad_values);
  g_test_add_func ("/retention/server-schedule", test_server_schedule);
  g_test_add_func ("/retention/erase", test_erase);
  g_test_add_func ("/retention/erase-shared-code", test_erase_shared_code);
  if (test_server_use_postgres ())
    g_test_add_func ("/retention/postgres/runtime-role", test_pg_runtime_role);
  return g_test_run ();
}

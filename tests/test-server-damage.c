/* test-server-damage.c: a damaged, lost or unwritable store is loud
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs twice (tests/meson.build): against SQLite, and through
 * tests/pg-cluster.sh against a throwaway PostgreSQL cluster; each test
 * is registered for the backends it is about. docs/security.md, "Front
 * door", names these tests for its claims.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "intake-bundle.h"
#include "intake-office-rotation.h"
#include "intake-server-util.h"
#include "intake-test-util.h"
#include "test-server-util.h"

static char *
db_path (TestServer *server)
{
  return g_build_filename (server->data_dir, "intake.db", NULL);
}

static char *
key_path (TestServer *server)
{
  return server->server_key != NULL ? g_strdup (server->server_key)
                                    : g_build_filename (server->data_dir, "server.secret", NULL);
}

/* Starting fails with exit status 1 and one line on stderr holding each
 * of @needles (NULL-terminated). */
static void
assert_start_refused (TestServer         *server,
                      const char * const *args,
                      const char * const *needles)
{
  g_autofree char *log = NULL;
  int status = 0;

  g_assert_false (test_server_start (server, args, &status));
  g_assert_cmpint (status, ==, 1);
  log = test_server_read_log (server);
  g_test_message ("refused: %s", log);
  g_assert_true (g_str_has_prefix (log, "intake-server: "));
  g_assert_true (strchr (log, '\n') == log + strlen (log) - 1);
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (log, needles[i]) == NULL)
      g_error ("\"%s\" missing in: %s", needles[i], log);
}

/* A server that has run: a kiosk enrolled and @n envelopes stored. */
static TestKiosk *
populate (TestServer *server,
          guint       n)
{
  g_autoptr(TestKiosk) kiosk = NULL;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < n; i += 10)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      g_autoptr(TestResponse) response = NULL;

      for (guint j = i; j < n && j < i + 10; j++)
        g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
      response = test_kiosk_upload (kiosk, server, batch);
      g_assert_cmpuint (response->status, ==, 200);
    }
  test_server_stop (server);
  return g_steal_pointer (&kiosk);
}

static TestResponse *
get_healthz (TestServer *server)
{
  g_autoptr(SoupSession) session = test_server_new_session (server);
  g_autofree char *url = g_strconcat (server->url, "/healthz", NULL);

  return test_http (session, "GET", url, NULL, NULL);
}

/* Polls /healthz until it answers @status with error @code (NULL for
 * none), for at most @timeout_s seconds. */
static void
wait_healthz (TestServer *server,
              guint       status,
              const char *code,
              guint       timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  g_autoptr(TestResponse) last = NULL;

  for (;;)
    {
      g_clear_pointer (&last, test_response_free);
      last = get_healthz (server);
      g_assert_no_error (last->error);
      if (last->status == status && g_strcmp0 (test_response_error_code (last), code) == 0)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("/healthz answered %u %s, not %u %s", last->status,
                 last->body != NULL ? (const char *)g_bytes_get_data (last->body, NULL) : "", status, code);
      g_usleep (100000);
    }
  if (code != NULL)
    {
      JsonObject *object = json_node_get_object (last->json);

      g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "unavailable");
      g_assert_nonnull (json_object_get_string_member_with_default (object, "message", NULL));
      g_test_message ("/healthz: %s: %s", code, json_object_get_string_member (object, "message"));
    }
}

/* Writes 0xff over the first bytes of every third page from page 3 on:
 * b-tree page headers that SQLite's checks cannot miss. */
static void
damage_pages (const char *path)
{
  g_autoptr(GError) error = NULL;
  guint8 junk[32];
  gsize size;
  int fd;

  memset (junk, 0xff, sizeof junk);
  {
    g_autofree char *contents = NULL;

    g_file_get_contents (path, &contents, &size, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (size, >=, 8 * 4096);
  fd = g_open (path, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  for (gsize page = 2; (page + 1) * 4096 <= size; page += 3)
    g_assert_cmpint (pwrite (fd, junk, sizeof junk, (off_t)(page * 4096)), ==, sizeof junk);
  fsync (fd);
  close (fd);
}

/* ---- SQLite ------------------------------------------------------------- */

/* A 0-byte intake.db is a lost store, not a new one: the server and
 * intake-admin refuse it. A missing intake.db beside the server key too.
 * Before, both started a new, empty store (devices, reviewers and audit
 * log gone) without a word. */
static void
test_empty_store (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autofree char *path = db_path (server);
  g_autofree char *err = NULL;
  const char *empty[] = { "intake.db is empty (0 bytes)", "restore it from the latest backup", NULL };
  const char *missing[] = { "intake.db is missing", "server.secret is there", "restore", NULL };

  kiosk = populate (server, 3);

  /* Emptied (a failed copy, a truncating restore script, ...). */
  intake_test_write_file (path, "");
  assert_start_refused (server, NULL, empty);
  {
    const char *args[] = { "enroll-code", "--location", "Vaals", NULL };

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "is empty (0 bytes)"));
  }

  /* Gone, while the server key stays. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  assert_start_refused (server, NULL, missing);

  /* A new installation: an empty directory still starts, and leaves no
   * temporary file behind. */
  {
    g_autoptr(TestServer) fresh = test_server_new (FALSE);
    g_autoptr(GDir) dir = NULL;
    const char *name;

    g_assert_true (test_server_start (fresh, NULL, NULL));
    test_server_stop (fresh);
    dir = g_dir_open (fresh->data_dir, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_null (strstr (name, ".new-"));
  }
}

/* A store with damaged pages: the server refuses to start (SQLite's quick
 * check at start), and a running server's /healthz turns 503
 * store_damaged within the check interval, with an error line in the
 * log. Before, /healthz said ok. */
static void
test_damaged_pages (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = db_path (server);
  g_autofree char *copy = g_build_filename (server->dir, "intact.db", NULL);
  g_autofree char *log = NULL;
  const char *needles[] = { "intake.db", "damaged", "restore the latest backup", NULL };
  const char *fast[] = { "--store-check-interval", "1", NULL };

  kiosk = populate (server, 60);
  {
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_file_get_contents (path, &contents, &len, &error);
    g_assert_no_error (error);
    g_file_set_contents (copy, contents, (gssize)len, &error);
    g_assert_no_error (error);
  }

  damage_pages (path);
  assert_start_refused (server, NULL, needles);

  /* Damaged under a running server. */
  g_assert_cmpint (g_rename (copy, path), ==, 0);
  g_assert_true (test_server_start (server, fast, NULL));
  wait_healthz (server, 200, NULL, 5);
  damage_pages (path);
  wait_healthz (server, 503, "store_damaged", 10);
  test_server_stop (server);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "level=error msg=health error=store_damaged"));
}

/* Free space under --min-free-disk: /healthz answers 503 disk_low, and
 * /metrics shows the free bytes. Before, /healthz said ok on a full
 * disk. (A real full disk needs a filesystem of its own; the threshold is
 * what the server compares, so it is what the test moves.) */
static void
test_disk_low (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  const char *huge[] = { "--min-free-disk", "1048576", NULL };

  g_assert_true (test_server_start (server, huge, NULL));
  wait_healthz (server, 503, "disk_low", 5);
  g_assert_cmpint (test_server_metric (server, "intake_store_free_disk_bytes"), >, 0);
  test_server_stop (server);

  g_assert_true (test_server_start (server, NULL, NULL));
  wait_healthz (server, 200, NULL, 5);
  test_server_stop (server);
}

/* The write probe: when nothing can be written beside the store, /healthz
 * answers 503 store_not_writable. The probe's file name is taken by a
 * directory here (the tests run as root, for whom permissions do not
 * stop a write); EROFS, ENOSPC or EIO take the same path. */
static void
test_not_writable (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autofree char *probe = NULL;
  g_autofree char *name = NULL;
  const char *fast[] = { "--store-check-interval", "1", NULL };

  g_assert_true (test_server_start (server, fast, NULL));
  wait_healthz (server, 200, NULL, 5);
  name = g_strdup_printf (".intake-write-probe-%s", g_subprocess_get_identifier (server->proc));
  probe = g_build_filename (server->data_dir, name, NULL);
  g_assert_cmpint (g_mkdir (probe, 0700), ==, 0);
  wait_healthz (server, 503, "store_not_writable", 10);
  g_assert_cmpint (g_rmdir (probe), ==, 0);
  wait_healthz (server, 200, NULL, 10);
  test_server_stop (server);
}

/* ---- Both backends ------------------------------------------------------ */

/* A missing server key beside a store that has been served is refused
 * (kiosks check every receipt against it), and so is a different key;
 * --new-server-key replaces it on purpose, loudly. Before, a missing key
 * was silently made anew. */
static void
test_missing_server_key (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeDeviceKey) other = NULL;
  g_autofree char *path = key_path (server);
  g_autofree char *moved = g_strconcat (path, ".away", NULL);
  g_autofree char *log = NULL;
  const char *missing[] = { "server key", "is missing", "restore", "--new-server-key", NULL };
  const char *different[] = { "holds server key", "is pinned to server key", "--new-server-key", NULL };
  const char *replace[] = { "--new-server-key", NULL };

  kiosk = populate (server, 2);
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  assert_start_refused (server, NULL, missing);

  /* Another key in its place. */
  other = intake_device_key_generate (&error);
  g_assert_no_error (error);
  intake_device_key_save (other, path, &error);
  g_assert_no_error (error);
  assert_start_refused (server, NULL, different);

  /* The right key back: it starts. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rename (moved, path), ==, 0);
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);

  /* Lost for good: replaced on purpose. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (test_server_start (server, replace, NULL));
  test_server_stop (server);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "level=warning msg=server_key_replaced"));
  g_assert_nonnull (strstr (log, " server_key=created"));
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);
}

/* SQL on the test's store, on either backend. */
static void
store_exec (TestServer *server,
            const char *sql)
{
  if (server->conninfo != NULL)
    {
      PGconn *conn = PQconnectdb (server->conninfo);
      PGresult *res;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      res = PQexec (conn, sql);
      if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
        g_error ("%s: %s", sql, PQerrorMessage (conn));
      PQclear (res);
      PQfinish (conn);
    }
  else
    {
      g_autofree char *path = db_path (server);
      sqlite3 *db = NULL;
      char *message = NULL;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
        g_error ("%s: %s", sql, message);
      sqlite3_close (db);
    }
}

/* The key id of the server key pinned in the store (setting
 * "server_public", schema 8), or NULL. */
static char *
pinned_key_id (TestServer *server)
{
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *b64 = intake_store_ensure_setting (store, "server_public", NULL, &error);
  g_autofree guint8 *pk = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  if (b64 == NULL)
    return NULL;
  pk = g_base64_decode (b64, &len);
  g_assert_cmpuint (len, ==, INTAKE_SIGN_PUBLIC_BYTES);
  return intake_server_key_id_hex (pk);
}

/* Schema 8 pins the server's whole public key in the store. A store
 * upgraded from schema 7 is pinned to the key of its first start after
 * the upgrade; then a server started with another key is refused with one
 * line naming both keys' fingerprints and what to do, on both backends
 * (several PostgreSQL instances with different keys were the case that
 * ran silently while every kiosk rejected its receipts). */
static void
test_server_key_pinned (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(IntakeDeviceKey) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = key_path (server);
  g_autofree char *moved = g_strconcat (path, ".away", NULL);
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *pinned = NULL;
  IntakeDevicePublic other_pub;

  kiosk = populate (server, 2);
  ours = intake_server_key_id_hex (kiosk->server_pk);
  pinned = pinned_key_id (server);
  g_assert_cmpstr (pinned, ==, ours);
  g_clear_pointer (&pinned, g_free);

  /* As schema 7 left it: no pinned key, no generation, no office key seals. */
  store_exec (server, "DELETE FROM settings WHERE name IN ('server_public', 'store_generation');"
                      "DROP TABLE office_key_seals;"
                      "ALTER TABLE devices DROP COLUMN last_seen_at;"
                      "ALTER TABLE devices DROP COLUMN reported_pending;"
                      "ALTER TABLE devices DROP COLUMN oldest_pending_at;"
                      "ALTER TABLE devices DROP COLUMN questionnaire;"
                      "ALTER TABLE devices DROP COLUMN app_version;"
                      "ALTER TABLE devices DROP COLUMN last_error;"
                      "DELETE FROM schema_version WHERE version >= 8;");
  g_assert_null (pinned_key_id (server));
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);
  pinned = pinned_key_id (server);
  g_assert_cmpstr (pinned, ==, ours);
  {
    g_autoptr(IntakeStore) store = test_server_open_store (server);
    g_autofree char *generation = intake_store_dup_generation (store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (intake_store_get_schema_version (store), ==, INTAKE_STORE_SCHEMA_VERSION);
    g_assert_cmpuint (strlen (generation), ==, 32);
  }

  /* Another key: refused by the pinned public key, even without the older
   * "server_key_id" setting, naming both fingerprints. */
  store_exec (server, "DELETE FROM settings WHERE name = 'server_key_id';");
  other = intake_device_key_generate (&error);
  g_assert_no_error (error);
  intake_device_key_get_public (other, &other_pub);
  theirs = intake_server_key_id_hex (other_pub.sign_pk);
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  intake_device_key_save (other, path, &error);
  g_assert_no_error (error);
  {
    const char *needles[] = { "holds server key", theirs, "is pinned to server key", ours, "--new-server-key", NULL };

    assert_start_refused (server, NULL, needles);
  }

  /* The right key back: it starts. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rename (moved, path), ==, 0);
  g_assert_true (test_server_start (server, NULL, NULL));
  test_server_stop (server);

  /* A planned rollover (issue 11, point 2): the store is pinned to the new
   * key at once, the key file is the new key, the old one is kept beside
   * it; kiosks get a statement from the key they enrolled with to the new
   * one; the old key file no longer starts a server. */
  {
    const char *roll_sqlite[] = { "server-key", "roll", NULL };
    const char *roll_pg[] = { "server-key", "roll", "--server-key", path, NULL };
    g_autofree char *out = NULL;
    g_autofree char *kept = g_strdup_printf ("%.*s-%s.secret", (int)(strlen (path) - strlen (".secret")), path, ours);
    g_autofree char *new_id = NULL;
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(TestResponse) keys = NULL;
    g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_server_key_rotation_free);
    JsonArray *statements;
    guint8 newest[INTAKE_SIGN_PUBLIC_BYTES];
    GStatBuf st;
    const char *line;

    g_assert_cmpint (test_admin (server, server->data_dir != NULL ? roll_sqlite : roll_pg, 2, &out, NULL), ==, 0);
    g_assert_nonnull ((line = strstr (out, "new server key id: ")));
    new_id = g_strndup (line + strlen ("new server key id: "), 16);
    g_assert_cmpstr (new_id, !=, ours);
    pinned = pinned_key_id (server);
    g_assert_cmpstr (pinned, ==, new_id);
    g_clear_pointer (&pinned, g_free);
    g_assert_cmpint (g_stat (kept, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);

    g_assert_true (test_server_start (server, NULL, NULL));
    msg = test_kiosk_message_new (kiosk, server, "GET", "/v1/office-keys", NULL, 0);
    keys = test_send (server->session, msg);
    g_assert_cmpuint (keys->status, ==, 200);
    statements = json_object_get_array_member (json_node_get_object (keys->json), "server_rotations");
    g_assert_cmpuint (json_array_get_length (statements), ==, 1);
    {
      gsize len = 0;
      guchar *raw = g_base64_decode (json_array_get_string_element (statements, 0), &len);
      g_autoptr(GBytes) blob = g_bytes_new_take (raw, len);

      g_ptr_array_add (rotations, intake_server_key_rotation_new_from_bytes (blob, "statement", &error));
      g_assert_no_error (error);
    }
    g_assert_true (intake_server_key_chain_follow (kiosk->server_pk, rotations, newest, &error));
    {
      g_autofree char *followed = intake_server_key_id_hex (newest);

      g_assert_cmpstr (followed, ==, new_id);
    }
    test_server_stop (server);

    {
      const char *args[] = { "--server-key", kept, NULL };
      const char *needles[] = { "holds server key", ours, "was rolled over", "is pinned to server key", new_id, NULL };

      assert_start_refused (server, args, needles);
    }
  }
}

/* Every file the server writes is 0600 (issue 11, point 6): the store and
 * its WAL files, the server key and its public half; and so is a backup. */
static void
test_files_private (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autofree char *key = key_path (server);
  g_autofree char *pub = g_strconcat (server->server_key != NULL ? server->server_key : key, NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (g_str_has_suffix (pub, ".secret"));
  strcpy (pub + strlen (pub) - strlen (".secret"), ".pub");
  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  g_ptr_array_add (files, g_strdup (key));
  g_ptr_array_add (files, g_strdup (pub));
  if (server->data_dir != NULL)
    {
      g_autofree char *backup = g_build_filename (server->dir, "backup.db", NULL);
      const char *args[] = { "backup", "--out", backup, NULL };
      g_autofree char *db = db_path (server);

      /* While it runs: the WAL and its index exist. */
      g_ptr_array_add (files, g_strdup (db));
      g_ptr_array_add (files, g_strconcat (db, "-wal", NULL));
      g_ptr_array_add (files, g_strconcat (db, "-shm", NULL));
      g_assert_cmpint (test_admin (server, args, 1, NULL, NULL), ==, 0);
      g_ptr_array_add (files, g_steal_pointer (&backup));
    }
  for (guint i = 0; i < files->len; i++)
    {
      GStatBuf st;

      g_assert_cmpint (g_stat (g_ptr_array_index (files, i), &st), ==, 0);
      if ((st.st_mode & 0777) != 0600)
        g_error ("%s has mode %o, not 0600", (const char *)g_ptr_array_index (files, i), st.st_mode & 0777);
    }
  test_server_stop (server);
}

/* The Intake-Store-Generation header of an answer. */
static char *
generation_of (TestServer *server)
{
  g_autoptr(SoupSession) session = test_server_new_session (server);
  g_autofree char *url = g_strconcat (server->url, "/healthz", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(TestResponse) response = test_send (session, msg);
  const char *generation;

  g_assert_cmpuint (response->status, ==, 200);
  generation = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Intake-Store-Generation");
  g_assert_nonnull (generation);
  g_assert_cmpuint (strlen (generation), ==, 32);
  return g_strdup (generation);
}

static const char *
pg_tool (const char *name)
{
  static char path[256];
  g_autoptr(GDir) dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  const char *version;
  guint best = 0;

  g_assert_nonnull (dir);
  while ((version = g_dir_read_name (dir)) != NULL)
    if ((guint)atoi (version) > best)
      best = (guint)atoi (version);
  g_snprintf (path, sizeof path, "/usr/lib/postgresql/%u/bin/%s", best, name);
  return path;
}

/* Counts the upload's results by status. */
static void
upload_counts (TestKiosk  *kiosk,
               TestServer *server,
               GPtrArray  *envelopes,
               guint      *out_stored,
               guint      *out_duplicate)
{
  g_autoptr(TestResponse) response = test_kiosk_upload (kiosk, server, envelopes);
  JsonArray *results;

  g_assert_cmpuint (response->status, ==, 200);
  results = json_object_get_array_member (json_node_get_object (response->json), "results");
  *out_stored = *out_duplicate = 0;
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      const char *status = json_object_get_string_member (json_array_get_object_element (results, i), "status");

      if (g_str_equal (status, "stored"))
        (*out_stored)++;
      else if (g_str_equal (status, "duplicate"))
        (*out_duplicate)++;
    }
}

/* Restore without loss on both backends, as the runbook in docs/server.md
 * says: SQLite with intake-admin backup and restore, PostgreSQL with
 * pg_dump, pg_restore and intake-admin restore --bump-generation. After
 * the restore the server names a new generation, and the envelopes sent
 * again are stored (the three after the backup) or duplicate (the rest):
 * each intake once. (The kiosk's side: /sync/e2e/restore.) */
static void
test_restore (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GPtrArray) later = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autofree char *backup = g_build_filename (server->dir, "backup", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint stored = 0, duplicate = 0;
  IntakeStoreCounts counts;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (all, test_kiosk_seal (kiosk, server->office));
  upload_counts (kiosk, server, all, &stored, &duplicate);
  g_assert_cmpuint (stored, ==, 5);
  before = generation_of (server);

  /* The backup, while the server runs. */
  if (server->conninfo != NULL)
    {
      const char *argv[] = { pg_tool ("pg_dump"), "--format=custom", "--file", backup, "--dbname",
                             server->conninfo, NULL };

      g_assert_cmpint (intake_test_run (argv, NULL, NULL, &err), ==, 0);
      g_assert_cmpint (g_chmod (backup, 0600), ==, 0);
    }
  else
    {
      const char *args[] = { "backup", "--out", backup, NULL };

      g_assert_cmpint (test_admin (server, args, 1, NULL, NULL), ==, 0);
    }

  /* Three more after it. */
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (later, test_kiosk_seal (kiosk, server->office));
  upload_counts (kiosk, server, later, &stored, &duplicate);
  g_assert_cmpuint (stored, ==, 3);
  for (guint i = 0; i < later->len; i++)
    g_ptr_array_add (all, g_bytes_ref (g_ptr_array_index (later, i)));
  test_server_stop (server);

  /* The restore, the server stopped. */
  if (server->conninfo != NULL)
    {
      const char *argv[] = { pg_tool ("pg_restore"), "--clean", "--if-exists", "--single-transaction",
                             "--dbname", server->conninfo, backup, NULL };
      const char *bump[] = { "restore", "--bump-generation", NULL };

      g_clear_pointer (&err, g_free);
      if (intake_test_run (argv, NULL, NULL, &err) != 0)
        g_error ("pg_restore: %s", err);
      g_assert_cmpint (test_admin (server, bump, 1, &out, NULL), ==, 0);
    }
  else
    {
      const char *args[] = { "restore", "--in", backup, NULL };

      g_assert_cmpint (test_admin (server, args, 1, &out, NULL), ==, 0);
    }
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "new store generation"));
  {
    g_autoptr(IntakeStore) store = test_server_open_store (server);

    g_assert_true (intake_store_get_counts (store, &counts, NULL));
    g_assert_cmpint (counts.envelopes, ==, 5);
  }

  /* A new generation; everything sent again is stored once. */
  g_assert_true (test_server_start (server, NULL, NULL));
  after = generation_of (server);
  g_assert_cmpstr (after, !=, before);
  upload_counts (kiosk, server, all, &stored, &duplicate);
  g_assert_cmpuint (stored, ==, 3);
  g_assert_cmpuint (duplicate, ==, 5);
  test_server_stop (server);
  {
    g_autoptr(IntakeStore) store = test_server_open_store (server);
    g_autoptr(GError) error = NULL;

    g_assert_true (intake_store_get_counts (store, &counts, &error));
    g_assert_no_error (error);
    g_assert_cmpint (counts.envelopes, ==, 8);
  }
}

/* A bundle file larger than the limit is refused from its size, before
 * any of it is read (a sparse 1 GiB file here; reading it took 1 GiB of
 * memory before); --max-size moves the limit. */
static void
test_huge_bundle (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autofree char *path = g_build_filename (server->dir, "huge.ikbu", NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "import-bundle", path, NULL };
  const char *small[] = { "import-bundle", "--max-size", "1", path, NULL };
  gint64 start;
  int fd;

  kiosk = populate (server, 1);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "IKBU\001", 5), ==, 5);
  g_assert_cmpint (ftruncate (fd, (off_t)1024 * 1024 * 1024), ==, 0);
  close (fd);

  start = g_get_monotonic_time ();
  g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "1024 MiB, larger than the limit of 256 MiB; it was not read"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_clear_pointer (&err, g_free);

  /* A real bundle over a lower limit. */
  {
    g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
    g_autoptr(GBytes) bundle = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < 2; i++)
      g_ptr_array_add (envelopes, g_bytes_new_take (g_malloc0 (1024 * 1024), 1024 * 1024));
    bundle = intake_bundle_build (kiosk->key, g_get_real_time () / G_USEC_PER_SEC, envelopes);
    g_file_set_contents (path, g_bytes_get_data (bundle, NULL), (gssize)g_bytes_get_size (bundle), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (test_admin (server, small, 1, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "2 MiB, larger than the limit of 1 MiB"));
}

/* ---- PostgreSQL --------------------------------------------------------- */

static void
pg_exec (const char *sql)
{
  PGconn *conn = PQconnectdb (g_getenv ("INTAKE_TEST_POSTGRES"));
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);
}

/* A read-only database (as a standby is) answers queries but takes no
 * envelope: /healthz answers 503 store_not_writable until it takes
 * writes again. */
static void
test_pg_read_only (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  const char *dbname = strrchr (server->conninfo, '=') + 1;
  g_autofree char *on = g_strdup_printf ("ALTER DATABASE %s SET default_transaction_read_only = on", dbname);
  g_autofree char *off = g_strdup_printf ("ALTER DATABASE %s SET default_transaction_read_only = off", dbname);
  g_autofree char *kick = g_strdup_printf ("SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                                           "WHERE datname = '%s'", dbname);

  g_assert_true (test_server_start (server, NULL, NULL));
  wait_healthz (server, 200, NULL, 5);
  /* The setting applies to new sessions: cut the server's, it reconnects. */
  pg_exec (on);
  pg_exec (kick);
  wait_healthz (server, 503, "store_not_writable", 10);
  pg_exec (off);
  pg_exec (kick);
  wait_healthz (server, 200, NULL, 10);
  test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/damage/missing-server-key", test_missing_server_key);
  g_test_add_func ("/damage/server-key-pinned", test_server_key_pinned);
  g_test_add_func ("/damage/files-private", test_files_private);
  g_test_add_func ("/damage/restore", test_restore);
  g_test_add_func ("/damage/huge-bundle", test_huge_bundle);
  if (test_server_use_postgres ())
    g_test_add_func ("/damage/postgres/read-only", test_pg_read_only);
  else
    {
      g_test_add_func ("/damage/sqlite/empty-store", test_empty_store);
      g_test_add_func ("/damage/sqlite/damaged-pages", test_damaged_pages);
      g_test_add_func ("/damage/sqlite/disk-low", test_disk_low);
      g_test_add_func ("/damage/sqlite/not-writable", test_not_writable);
    }
  return g_test_run ();
}

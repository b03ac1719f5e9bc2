/* test-server-store.c: the IntakeStore interface, against SQLite or PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same assertions run against both backends (tests/meson.build runs
 * this program plainly and through tests/pg-cluster.sh).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "intake-accept.h"
#include "intake-envelope.h"
#include "intake-server-util.h"
#include "intake-store-sqlite.h"
#include "intake-test-util.h"
#include "test-server-util.h"

static void
device_public_of (TestKiosk          *kiosk,
                  IntakeDevicePublic *out)
{
  intake_device_key_get_public (kiosk->key, out);
}

static char *
new_code_hash (void)
{
  g_autofree char *code = intake_enroll_code_generate ();

  return intake_enroll_code_hash (code);
}

static void
test_new_destroy (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  IntakeStore *store = test_server_open_store (server);

  g_assert_true (INTAKE_IS_STORE (store));
  g_assert_cmpint (intake_store_get_schema_version (store), ==, INTAKE_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (intake_store_get_backend_name (store), ==,
                   test_server_use_postgres () ? "postgresql" : "sqlite");
  g_assert_true (intake_store_check_health (store, NULL));
  g_assert_finalize_object (store);
}

static void
test_enroll_codes (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(TestKiosk) second = test_kiosk_new ();
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = new_code_hash ();
  g_autofree char *expired = new_code_hash ();
  g_autofree char *location = NULL;
  g_autofree char *again = NULL;
  IntakeDevicePublic pub, pub2;
  gint64 now = 1800000000;

  device_public_of (kiosk, &pub);
  device_public_of (second, &pub2);

  g_assert_true (intake_store_create_enroll_code (store, hash, "Kerkrade", now, now + 60, &error));
  g_assert_no_error (error);
  g_assert_false (intake_store_create_enroll_code (store, hash, "Kerkrade", now, now + 60, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXISTS);
  g_clear_error (&error);

  location = intake_store_consume_enroll_code (store, hash, &pub, now + 59, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (location, ==, "Kerkrade");
  device = intake_store_get_device (store, kiosk->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (device->status, ==, INTAKE_DEVICE_STATUS_ACTIVE);
  g_assert_cmpint (device->enrolled_at, ==, now + 59);
  g_assert_cmpmem (device->sign_pk, 32, pub.sign_pk, 32);

  again = intake_store_consume_enroll_code (store, hash, &pub2, now + 1, NULL, &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED);
  g_assert_null (again);
  g_clear_error (&error);

  g_assert_true (intake_store_create_enroll_code (store, expired, "Kerkrade", now, now + 60, &error));
  g_assert_null (intake_store_consume_enroll_code (store, expired, &pub2, now + 60, NULL, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXPIRED);
  g_clear_error (&error);

  {
    g_autofree char *unknown = new_code_hash ();

    g_assert_null (intake_store_consume_enroll_code (store, unknown, &pub2, now, NULL, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE);
    g_clear_error (&error);
  }

  /* A revoked device cannot use a fresh code, and the code stays usable. */
  {
    g_autofree char *fresh = new_code_hash ();
    g_autofree char *taken = NULL;

    g_assert_true (intake_store_revoke_device (store, kiosk->device_id, now + 100, &error));
    g_assert_true (intake_store_create_enroll_code (store, fresh, "Simpelveld", now, now + 600, &error));
    g_assert_null (intake_store_consume_enroll_code (store, fresh, &pub, now + 200, NULL, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED);
    g_clear_error (&error);
    taken = intake_store_consume_enroll_code (store, fresh, &pub2, now + 201, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (taken, ==, "Simpelveld");
  }

  /* Bad arguments are refused before the backend sees them. */
  g_assert_false (intake_store_create_enroll_code (store, "ABC", "Kerkrade", now, now, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
}

static void
test_devices (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) a = test_kiosk_new ();
  g_autoptr(TestKiosk) b = test_kiosk_new ();
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(IntakeStoreDevice) revoked = NULL;
  g_autoptr(GError) error = NULL;
  IntakeStoreCounts counts;
  IntakeDevicePublic pa, pb;

  device_public_of (a, &pa);
  device_public_of (b, &pb);
  g_assert_true (intake_store_register_device (store, &pa, "Vaals", 100, &error));
  g_assert_true (intake_store_register_device (store, &pb, "Epen", 200, &error));
  g_assert_true (intake_store_register_device (store, &pa, "Elsewhere", 300, &error));
  g_assert_no_error (error);

  devices = intake_store_list_devices (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 2);
  g_assert_cmpstr (((IntakeStoreDevice *)devices->pdata[0])->device_id, ==, a->device_id);
  g_assert_cmpstr (((IntakeStoreDevice *)devices->pdata[0])->location, ==, "Vaals");
  g_assert_cmpstr (((IntakeStoreDevice *)devices->pdata[1])->device_id, ==, b->device_id);

  g_assert_true (intake_store_revoke_device (store, b->device_id, 400, &error));
  g_assert_true (intake_store_revoke_device (store, b->device_id, 500, &error));
  g_assert_no_error (error);
  revoked = intake_store_get_device (store, b->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (revoked->status, ==, INTAKE_DEVICE_STATUS_REVOKED);
  g_assert_cmpint (revoked->revoked_at, ==, 400);
  g_assert_false (intake_store_register_device (store, &pb, "Epen", 600, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED);
  g_clear_error (&error);

  g_assert_null (intake_store_get_device (store, "00000000000000000000000000000000", &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE);
  g_clear_error (&error);
  g_assert_false (intake_store_revoke_device (store, "00000000000000000000000000000000", 1, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE);
  g_clear_error (&error);

  g_assert_true (intake_store_get_counts (store, &counts, &error));
  g_assert_cmpint (counts.devices_active, ==, 1);
  g_assert_cmpint (counts.devices_revoked, ==, 1);
}

static void
meta_for (GBytes              *envelope,
          IntakeStoreEnvelope *meta,
          gint64               received_at)
{
  IntakeEnvelopeHeader header;

  g_assert_true (intake_envelope_verify (envelope, &header, NULL));
  intake_store_envelope_init (meta, &header, envelope, received_at, INTAKE_ENVELOPE_SOURCE_UPLOAD);
}

static void
test_put_envelope (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) page1 = NULL;
  g_autoptr(GArray) page2 = NULL;
  g_autoptr(GBytes) copy = NULL;
  g_autoptr(GBytes) other = NULL;
  IntakeStoreEnvelope meta, stored_meta;
  IntakeStorePutResult result;
  IntakeStoreCounts counts;
  IntakeDevicePublic pub;

  device_public_of (kiosk, &pub);
  g_assert_true (intake_store_register_device (store, &pub, "Vaals", 1, &error));

  for (guint i = 0; i < 5; i++)
    {
      GBytes *envelope = test_kiosk_seal (kiosk, server->office);

      g_ptr_array_add (envelopes, envelope);
      meta_for (envelope, &meta, 1000 + i);
      g_assert_true (intake_store_put_envelope (store, &meta, envelope, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, INTAKE_STORE_PUT_STORED);
    }

  meta_for (g_ptr_array_index (envelopes, 0), &meta, 2000);
  g_assert_true (intake_store_put_envelope (store, &meta, g_ptr_array_index (envelopes, 0), &result, &error));
  g_assert_cmpint (result, ==, INTAKE_STORE_PUT_DUPLICATE);

  /* Other bytes under the first envelope's submission id: twice, logged once. */
  {
    IntakeEnvelopeHeader header;
    IntakeEnvelopeInfo info = { .created_at = 5, .questionnaire_id = "other", .questionnaire_version = 3 };

    g_assert_true (intake_envelope_parse_header (g_ptr_array_index (envelopes, 0), &header, NULL));
    memcpy (info.submission_id, header.submission_id, sizeof info.submission_id);
    other = intake_envelope_seal (server->office, kiosk->key, &info, (const guint8 *)"{}", 2, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 2; i++)
    {
      meta_for (other, &meta, 3000 + i);
      g_assert_true (intake_store_put_envelope (store, &meta, other, &result, &error));
      g_assert_cmpint (result, ==, INTAKE_STORE_PUT_CONFLICT);
    }

  g_assert_true (intake_store_get_counts (store, &counts, &error));
  g_assert_cmpint (counts.envelopes, ==, 5);
  g_assert_cmpint (counts.conflicts, ==, 1);

  meta_for (g_ptr_array_index (envelopes, 0), &meta, 1000);
  copy = intake_store_dup_envelope (store, meta.device_id, meta.submission_id, &stored_meta, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (copy, g_ptr_array_index (envelopes, 0)));
  g_assert_cmpstr (stored_meta.sha256, ==, meta.sha256);
  g_assert_cmpstr (stored_meta.questionnaire_id, ==, "intake-test");
  g_assert_cmpint (stored_meta.questionnaire_version, ==, 1);
  g_assert_cmpstr (stored_meta.office_key_id, ==, meta.office_key_id);
  g_assert_cmpint (stored_meta.received_at, ==, 1000);
  g_assert_cmpint (stored_meta.size, ==, (gint64)g_bytes_get_size (copy));
  g_assert_null (intake_store_dup_envelope (store, meta.device_id, "0123456789abcdef0123456789abcdef", NULL, &error));
  g_assert_no_error (error);

  page1 = intake_store_list_envelopes (store, 0, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page1->len, ==, 3);
  page2 = intake_store_list_envelopes (store, g_array_index (page1, IntakeStoreEnvelope, 2).seq, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page2->len, ==, 2);
  for (guint i = 0; i < 5; i++)
    {
      IntakeStoreEnvelope *listed = i < 3 ? &g_array_index (page1, IntakeStoreEnvelope, i)
                                          : &g_array_index (page2, IntakeStoreEnvelope, i - 3);

      meta_for (g_ptr_array_index (envelopes, i), &meta, 0);
      g_assert_cmpstr (listed->submission_id, ==, meta.submission_id);
    }

  /* Metadata that does not describe the bytes is refused. */
  meta_for (g_ptr_array_index (envelopes, 1), &meta, 0);
  meta.size++;
  g_assert_false (intake_store_put_envelope (store, &meta, g_ptr_array_index (envelopes, 1), &result, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
}

/* The same accept path as uploads and bundles, straight on the store. */
static void
test_accept (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeKeys) keys = intake_office_keys_new_single (server->office);
  char *retired[] = { NULL, NULL };
  IntakeOfficeKeySet other = { .accepted = (char *[]) { (char *)"0000000000000000", NULL }, .retired = retired };
  IntakeAcceptResult result;
  IntakeDevicePublic pub;

  device_public_of (kiosk, &pub);
  g_assert_true (intake_store_register_device (store, &pub, "Vaals", 1, &error));
  device = intake_store_get_device (store, kiosk->device_id, &error);
  g_assert_no_error (error);

  envelope = test_kiosk_seal (kiosk, server->office);
  g_assert_true (intake_server_accept_envelope (store, &keys->set, device, envelope, INTAKE_ENVELOPE_SOURCE_BUNDLE,
                                                42, &result, &error));
  g_assert_cmpint (result.status, ==, INTAKE_ACCEPT_STORED);
  g_assert_true (intake_server_accept_envelope (store, &keys->set, device, envelope, INTAKE_ENVELOPE_SOURCE_UPLOAD,
                                                43, &result, &error));
  g_assert_cmpint (result.status, ==, INTAKE_ACCEPT_DUPLICATE);
  g_assert_true (intake_server_accept_envelope (store, &other, device, envelope,
                                                INTAKE_ENVELOPE_SOURCE_UPLOAD, 43, &result, &error));
  g_assert_cmpint (result.status, ==, INTAKE_ACCEPT_REJECTED);
  g_assert_cmpint (result.reason, ==, INTAKE_REJECT_WRONG_OFFICE_KEY);
  /* A retired key is named as such, not as an unknown one. */
  retired[0] = keys->set.accepted[0];
  other.accepted = keys->set.accepted;
  g_assert_true (intake_server_accept_envelope (store, &other, device, envelope,
                                                INTAKE_ENVELOPE_SOURCE_UPLOAD, 43, &result, &error));
  g_assert_cmpint (result.status, ==, INTAKE_ACCEPT_REJECTED);
  g_assert_cmpint (result.reason, ==, INTAKE_REJECT_RETIRED_OFFICE_KEY);

  huge = g_bytes_new_take (g_malloc0 (INTAKE_ACCEPT_MAX_ENVELOPE + 1), INTAKE_ACCEPT_MAX_ENVELOPE + 1);
  g_assert_true (intake_server_accept_envelope (store, &keys->set, device, huge, INTAKE_ENVELOPE_SOURCE_UPLOAD,
                                                43, &result, &error));
  g_assert_cmpint (result.status, ==, INTAKE_ACCEPT_REJECTED);
  g_assert_cmpint (result.reason, ==, INTAKE_REJECT_TOO_LARGE);
  g_assert_false (result.has_submission_id);
  g_assert_no_error (error);
}

static void
test_settings_and_office (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(IntakeStore) second = test_server_open_store (server);
  g_autoptr(IntakeOfficePublic) other = NULL;
  g_autoptr(IntakeOfficeSecret) other_secret = NULL;
  g_autoptr(IntakeOfficePublic) recorded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unset = NULL;
  g_autofree char *first = NULL;
  g_autofree char *later = NULL;

  unset = intake_store_ensure_setting (store, "nothing", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (unset);
  first = intake_store_ensure_setting (store, "x", "one", &error);
  later = intake_store_ensure_setting (second, "x", "two", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "one");
  g_assert_cmpstr (later, ==, "one");

  recorded = intake_store_dup_office (store, &error);
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (intake_store_bind_office (store, server->office, &error));
  g_assert_true (intake_store_bind_office (second, server->office, &error));
  g_assert_no_error (error);
  recorded = intake_store_dup_office (store, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (recorded->key_id, 8, server->office->key_id, 8);

  intake_office_generate (&other, &other_secret, &error);
  g_assert_no_error (error);
  g_assert_false (intake_store_bind_office (store, other, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID);
}

/* SQLite only: file mode, reopening, and a schema from the future. */
static void
test_sqlite_file (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  IntakeStore *store;
  GStatBuf st;
  sqlite3 *db = NULL;

  server = test_server_new (FALSE);
  store = test_server_open_store (server);
  g_object_unref (store);
  path = g_build_filename (server->data_dir, "intake.db", NULL);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (server->data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_null (intake_store_sqlite_open (path, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_SCHEMA_TOO_NEW);
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;

  if (test_server_use_postgres ())
    g_assert_null (intake_store_open_from_options (NULL, "host=/nonexistent port=1 dbname=x connect_timeout=2", &error));
  else
    g_assert_null (intake_store_open_from_options ("/proc/intake-cannot-be-here", NULL, &error));
  g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN);
}

typedef struct {
  const char  *conninfo;
  IntakeStore *store;
  GError      *error;
  gint64       elapsed;                 /* microseconds */
  gboolean     done;
  GMutex       mutex;
  GCond        cond;
} ConnectAttempt;

static gpointer
connect_thread (gpointer user_data)
{
  ConnectAttempt *attempt = user_data;
  gint64 started = g_get_monotonic_time ();
  IntakeStore *store = intake_store_open_from_options (NULL, attempt->conninfo, &attempt->error);

  g_mutex_lock (&attempt->mutex);
  attempt->store = store;
  attempt->elapsed = g_get_monotonic_time () - started;
  attempt->done = TRUE;
  g_cond_signal (&attempt->cond);
  g_mutex_unlock (&attempt->mutex);
  return NULL;
}

/* Opens the store in a thread and waits at most @bound seconds for the
 * answer; returns how long it took. */
static gint64
connect_within (const char *conninfo,
                gint64      bound)
{
  ConnectAttempt attempt = { .conninfo = conninfo };
  gint64 deadline = g_get_monotonic_time () + bound * G_USEC_PER_SEC;
  GThread *thread;

  g_mutex_init (&attempt.mutex);
  g_cond_init (&attempt.cond);
  thread = g_thread_new ("connect", connect_thread, &attempt);
  g_mutex_lock (&attempt.mutex);
  while (!attempt.done)
    if (!g_cond_wait_until (&attempt.cond, &attempt.mutex, deadline))
      g_error ("connecting to a server that never answers took over %" G_GINT64_FORMAT " s", bound);
  g_mutex_unlock (&attempt.mutex);
  g_thread_join (thread);
  g_mutex_clear (&attempt.mutex);
  g_cond_clear (&attempt.cond);

  g_assert_null (attempt.store);
  g_assert_error (attempt.error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN);
  g_test_message ("%s: %s after %.1f s", conninfo, attempt.error->message, attempt.elapsed / 1e6);
  g_error_free (attempt.error);
  return attempt.elapsed;
}

/* A database that accepts the TCP connection and then says nothing (a
 * hung server, a stateful firewall dropping the rest): connecting gives up
 * after 10 s, or after the conninfo's own connect_timeout. */
static void
test_pg_connect_timeout (void)
{
  g_autoptr(GSocket) silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *with_default = NULL;
  g_autofree char *with_own = NULL;
  guint port;

  g_assert_nonnull (silent);
  g_socket_bind (silent, any_port, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (silent, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (silent, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  g_unsetenv ("PGCONNECT_TIMEOUT");
  with_own = g_strdup_printf ("host=127.0.0.1 port=%u user=intake dbname=x connect_timeout=2", port);
  g_assert_cmpint (connect_within (with_own, 30), <, 8 * G_USEC_PER_SEC);
  with_default = g_strdup_printf ("host=127.0.0.1 port=%u user=intake dbname=x", port);
  g_assert_cmpint (connect_within (with_default, 30), >=, 9 * G_USEC_PER_SEC);
}

/* A store written before protocol 2 (schema 2, tests/data/store-schema-2.*.sql)
 * is migrated in place: nothing is lost, and envelopes are now identified
 * by (device id, submission id). */
static void
load_fixture (TestServer *server)
{
  g_autofree char *path = intake_test_data_path (test_server_use_postgres () ? "store-schema-2.pg.sql"
                                                                             : "store-schema-2.sqlite.sql");
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &sql, NULL, &error);
  g_assert_no_error (error);
  if (test_server_use_postgres ())
    {
      PGconn *conn = PQconnectdb (server->conninfo);
      PGresult *res;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      res = PQexec (conn, sql);
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        g_error ("loading %s: %s", path, PQerrorMessage (conn));
      PQclear (res);
      PQfinish (conn);
    }
  else
    {
      g_autofree char *db_path = g_build_filename (server->data_dir, "intake.db", NULL);
      sqlite3 *db = NULL;
      char *message = NULL;

      g_assert_cmpint (g_mkdir_with_parents (server->data_dir, 0700), ==, 0);
      g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
      if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
        g_error ("loading %s: %s", path, message);
      sqlite3_close (db);
    }
}

static void
test_migrates_from_schema_2 (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeStoreSubmission) first = NULL;
  g_autoptr(IntakeStoreSubmission) second = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) reviewers = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  const char *s1 = "11111111111111111111111111111111", *s2 = "22222222222222222222222222222222";
  IntakeStoreCounts counts;
  IntakeAuditVerifier verifier;

  load_fixture (server);
  store = test_server_open_store (server);
  g_assert_cmpint (intake_store_get_schema_version (store), ==, INTAKE_STORE_SCHEMA_VERSION);

  /* Migration 8: a generation (a restore replaces it); the server key is
   * pinned by the first server start after it, not by the migration. */
  {
    g_autofree char *generation = intake_store_dup_generation (store, &error);
    g_autofree char *pinned = intake_store_ensure_setting (store, "server_public", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (strlen (generation), ==, 32);
    g_assert_null (pinned);
  }

  /* The review state, the note and the conflict survive, now under (device, submission). */
  first = intake_store_get_submission (store, a, s1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpstr (first->state, ==, "in_review");
  g_assert_cmpstr (first->unit, ==, "Team Werk");
  g_assert_cmpint (first->version, ==, 3);
  g_assert_cmpint (first->notes, ==, 1);
  g_assert_cmpstr (first->envelope.device_id, ==, a);
  notes = intake_store_list_notes (store, a, s1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (((IntakeStoreNote *)g_ptr_array_index (notes, 0))->reviewer, ==, "anna");
  /* The second one's reference code was filled in when the store opened. */
  second = intake_store_get_submission (store, a, s2, &error);
  g_assert_nonnull (second);
  g_assert_cmpuint (strlen (second->reference), ==, 9);
  bytes = intake_store_dup_envelope (store, a, s2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "IKEN\x02\x02", 6);
  g_assert_null (intake_store_get_submission (store, b, s1, &error));
  g_assert_no_error (error);
  g_assert_true (intake_store_get_counts (store, &counts, &error));
  g_assert_cmpint (counts.envelopes, ==, 2);
  g_assert_cmpint (counts.conflicts, ==, 1);
  reviewers = intake_store_list_reviewers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reviewers->len, ==, 1);

  /* Another device may now use the same submission id: a new envelope, not a conflict. */
  {
    IntakeDevicePublic other = { 0 };
    IntakeStoreEnvelope meta = { 0 };
    IntakeStorePutResult result;
    g_autoptr(GBytes) envelope = g_bytes_new_static ("other bytes", 11);
    g_autofree char *sha = intake_sha256_hex (envelope);

    g_assert_true (intake_hex_decode (b, other.device_id, sizeof other.device_id));
    g_assert_true (intake_store_register_device (store, &other, "Heerlen", 1790000500, &error));
    g_assert_no_error (error);
    g_strlcpy (meta.submission_id, s1, sizeof meta.submission_id);
    g_strlcpy (meta.device_id, b, sizeof meta.device_id);
    g_strlcpy (meta.sha256, sha, sizeof meta.sha256);
    meta.size = 11;
    g_strlcpy (meta.questionnaire_id, "intake-test", sizeof meta.questionnaire_id);
    meta.questionnaire_version = 1;
    g_strlcpy (meta.questionnaire_hash, "ffff", sizeof meta.questionnaire_hash);
    g_strlcpy (meta.office_key_id, "0000000000000000", sizeof meta.office_key_id);
    meta.received_at = 1790000600;
    g_assert_true (intake_store_put_envelope (store, &meta, envelope, &result, &error));
    g_assert_no_error (error);
    g_assert_cmpint (result, ==, INTAKE_STORE_PUT_STORED);
  }

  /* Migration 6: the help request from before was only counted, so it
   * starts handled (by nobody); one that arrives now is open until staff
   * at its location mark it, in the transaction of its audit event. */
  {
    g_autoptr(GPtrArray) all = intake_store_list_help_requests (store, 0, G_MAXINT64, &error);
    g_autoptr(GPtrArray) open = intake_store_list_open_help_requests (store, 10, &error);
    g_autoptr(GPtrArray) open_after = NULL;
    g_autoptr(IntakeStoreHelpRequest) handled = NULL;
    g_autoptr(IntakeAuditEvent) refused = intake_audit_event_new (1790000900, "cees", "help_handled", "help_request",
                                                                  "ok", "test");
    g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (1790000900, "anna", "help_handled", "help_request",
                                                                "ok", "test");
    const char * const heerlen[] = { "Heerlen", NULL };
    const char * const vaals[] = { "Vaals", NULL };
    const IntakeStoreHelpRequest *old, *fresh;
    gboolean is_new = FALSE, already = TRUE;

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, 1);
    old = g_ptr_array_index (all, 0);
    g_assert_cmpstr (old->language, ==, "ar");
    g_assert_cmpuint (open->len, ==, 0);

    g_assert_true (intake_store_put_help_request (store, a, "id:2:1790000800:ti", 1790000800, "ti", 1790000801,
                                                  &is_new, &error));
    g_assert_no_error (error);
    g_assert_true (is_new);
    open_after = intake_store_list_open_help_requests (store, 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (open_after->len, ==, 1);
    fresh = g_ptr_array_index (open_after, 0);
    g_assert_cmpstr (fresh->location, ==, "Vaals");
    g_assert_cmpint (fresh->handled_at, ==, 0);

    g_assert_false (intake_store_handle_help_request (store, fresh->id, heerlen, "cees", 1790000900, refused, NULL,
                                                      NULL, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OUT_OF_SCOPE);
    g_clear_error (&error);
    g_assert_false (intake_store_handle_help_request (store, fresh->id + 1000, NULL, "anna", 1790000900, refused,
                                                      NULL, NULL, &error));
    g_assert_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST);
    g_clear_error (&error);
    g_assert_true (intake_store_handle_help_request (store, fresh->id, vaals, "anna", 1790000900, event, &handled,
                                                     &already, &error));
    g_assert_no_error (error);
    g_assert_false (already);
    g_assert_cmpint (handled->handled_at, ==, 1790000900);
    g_assert_cmpstr (handled->handled_by, ==, "anna");
  }

  intake_audit_verifier_init (&verifier);
  g_assert_true (intake_store_verify_audit (store, &verifier, &error));
  g_assert_cmpint (verifier.problem, ==, INTAKE_AUDIT_PROBLEM_NONE);
  intake_audit_verifier_clear (&verifier);
}

/* A second connection (the server's upload connection) stores what the
 * first one reads at once. On SQLite it does not copy its log into the
 * database after its commits (the server's checkpoint thread does, with
 * intake_store_checkpoint() on a third connection), so no commit pays for
 * that copy: the log grows past SQLite's automatic checkpoint size (1,000
 * pages) until the checkpoint copies it into the database file. */
static void
test_another_connection (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(IntakeStore) another = NULL;
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(GError) error = NULL;
  IntakeStoreEnvelope meta, stored_meta;
  IntakeStorePutResult result;
  IntakeDevicePublic pub;
  g_autofree char *db_path = NULL;
  g_autofree char *wal_path = NULL;
  GStatBuf db_before, wal_before, db_after;
  const guint n = test_server_use_postgres () ? 5 : 200;

  device_public_of (kiosk, &pub);
  g_assert_true (intake_store_register_device (store, &pub, "Vaals", 1, &error));
  another = intake_store_open_another (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (another);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) envelope = test_kiosk_seal (kiosk, server->office);
      g_autoptr(GBytes) copy = NULL;

      meta_for (envelope, &meta, 1000 + i);
      g_assert_true (intake_store_put_envelope (another, &meta, envelope, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, INTAKE_STORE_PUT_STORED);
      copy = intake_store_dup_envelope (store, meta.device_id, meta.submission_id, &stored_meta, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (copy, envelope));
    }
  /* And the other way round: the last one, again on the first connection,
   * is a duplicate. */
  {
    g_autoptr(GBytes) last = intake_store_dup_envelope (store, meta.device_id, meta.submission_id, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (intake_store_put_envelope (store, &meta, last, &result, &error));
    g_assert_no_error (error);
    g_assert_cmpint (result, ==, INTAKE_STORE_PUT_DUPLICATE);
  }

  if (test_server_use_postgres ())
    {
      PGconn *conn = PQconnectdb (server->conninfo);
      PGresult *res;

      /* Nothing to copy (PostgreSQL checkpoints on its own). */
      g_assert_true (intake_store_checkpoint (store, &error));
      g_assert_no_error (error);
      /* Schema 11: a 3 KiB envelope (a long intake) stays in its heap page;
       * with PostgreSQL's default target of 2 KiB it went into TOAST. */
      {
        g_autofree char *text = g_strnfill (3000, 'x');
        g_autofree char *answers = g_strdup_printf ("{\"answers\":{\"motivation\":\"%s\"},\"format\":1}", text);
        IntakeEnvelopeInfo info = { .created_at = 5, .questionnaire_id = "intake-test", .questionnaire_version = 1 };
        g_autoptr(GBytes) large = NULL;

        intake_envelope_new_submission_id (info.submission_id);
        large = intake_envelope_seal (server->office, kiosk->key, &info, (const guint8 *)answers, strlen (answers),
                                      &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_bytes_get_size (large), >, 3000);
        meta_for (large, &meta, 5000);
        g_assert_true (intake_store_put_envelope (another, &meta, large, &result, &error));
        g_assert_no_error (error);
        g_assert_cmpint (result, ==, INTAKE_STORE_PUT_STORED);
      }
      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      res = PQexec (conn, "SELECT array_to_string (reloptions, ','), pg_relation_size (reltoastrelid)"
                          " FROM pg_class WHERE relname = 'envelopes'");
      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "toast_tuple_target=8160");
      g_assert_cmpstr (PQgetvalue (res, 0, 1), ==, "0");
      PQclear (res);
      PQfinish (conn);
      return;
    }

  db_path = g_build_filename (server->data_dir, "intake.db", NULL);
  wal_path = g_build_filename (server->data_dir, "intake.db-wal", NULL);
  g_assert_cmpint (g_stat (db_path, &db_before), ==, 0);
  g_assert_cmpint (g_stat (wal_path, &wal_before), ==, 0);
  g_test_message ("after %u commits: database %" G_GINT64_FORMAT " bytes, log %" G_GINT64_FORMAT " bytes", n,
                  (gint64)db_before.st_size, (gint64)wal_before.st_size);
  g_assert_cmpint (wal_before.st_size, >, 1500 * 4096);

  g_assert_true (intake_store_checkpoint (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (db_path, &db_after), ==, 0);
  g_assert_cmpint (db_after.st_size, >, db_before.st_size + n * 512);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/new-destroy", test_new_destroy);
  g_test_add_func ("/store/enroll-codes", test_enroll_codes);
  g_test_add_func ("/store/devices", test_devices);
  g_test_add_func ("/store/put-envelope", test_put_envelope);
  g_test_add_func ("/store/accept", test_accept);
  g_test_add_func ("/store/another-connection", test_another_connection);
  g_test_add_func ("/store/settings-and-office", test_settings_and_office);
  g_test_add_func ("/store/migrates-from-schema-2", test_migrates_from_schema_2);
  /* Only the SQLite backend has a file of its own to check. */
  if (!test_server_use_postgres ())
    g_test_add_func ("/store/sqlite-file", test_sqlite_file);
  g_test_add_func ("/store/unreachable", test_unreachable);
  if (test_server_use_postgres ())
    g_test_add_func ("/store/postgres/connect-timeout", test_pg_connect_timeout);

  return g_test_run ();
}

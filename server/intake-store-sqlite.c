/* intake-store-sqlite.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection, prepared statements kept for the life of the store, WAL
 * with synchronous=FULL (a receipt is only signed after the envelope is on
 * disk), and BEGIN IMMEDIATE around every write so that intake-admin can
 * work on the same file while the server runs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "intake-store-sql.h"
#include "intake-store-sqlite.h"

struct _IntakeStoreSqlite
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
  int           schema_version;
};

static void intake_store_sqlite_iface_init (IntakeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IntakeStoreSqlite, intake_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (INTAKE_TYPE_STORE, intake_store_sqlite_iface_init))

/* Append-only: never edit a migration that has shipped, add one. Each runs
 * in one transaction with its row in schema_version. Tables the review
 * application will add later (reviewers, workflow state, encrypted notes,
 * the hash-chained audit log) come as new migrations keyed on envelopes.seq
 * or submission_id; see docs/server.md. */
static const char * const migrations[] = {
  /* 1 */
  "CREATE TABLE enroll_codes ("
  "  code_hash   TEXT PRIMARY KEY NOT NULL,"
  "  location    TEXT NOT NULL,"
  "  created_at  INTEGER NOT NULL,"
  "  expires_at  INTEGER NOT NULL,"
  "  used_at     INTEGER,"
  "  used_by     TEXT"
  ");"
  "CREATE TABLE devices ("
  "  device_id   TEXT PRIMARY KEY NOT NULL,"
  "  sign_pk     BLOB NOT NULL CHECK (length (sign_pk) = 32),"
  "  location    TEXT NOT NULL,"
  "  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),"
  "  enrolled_at INTEGER NOT NULL,"
  "  revoked_at  INTEGER"
  ");"
  "CREATE TABLE envelopes ("
  "  seq                   INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  submission_id         TEXT NOT NULL UNIQUE,"
  "  device_id             TEXT NOT NULL REFERENCES devices (device_id),"
  "  envelope              BLOB NOT NULL,"
  "  sha256                TEXT NOT NULL,"
  "  size                  INTEGER NOT NULL,"
  "  created_at            INTEGER NOT NULL,"
  "  questionnaire_id      TEXT NOT NULL,"
  "  questionnaire_version INTEGER NOT NULL,"
  "  questionnaire_hash    TEXT NOT NULL,"
  "  office_key_id         TEXT NOT NULL,"
  "  received_at           INTEGER NOT NULL,"
  "  source                TEXT NOT NULL CHECK (source IN ('upload', 'bundle'))"
  ");"
  "CREATE INDEX envelopes_by_device ON envelopes (device_id, seq);"
  "CREATE TABLE conflicts ("
  "  submission_id TEXT NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  device_id     TEXT NOT NULL,"
  "  stored_sha256 TEXT NOT NULL,"
  "  source        TEXT NOT NULL,"
  "  first_seen    INTEGER NOT NULL,"
  "  last_seen     INTEGER NOT NULL,"
  "  attempts      INTEGER NOT NULL,"
  "  PRIMARY KEY (submission_id, sha256)"
  ");"
  "CREATE TABLE settings ("
  "  name  TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == INTAKE_STORE_SCHEMA_VERSION);

static gboolean
set_db_error (IntakeStoreSqlite  *self,
              int                 rc,
              const char         *what,
              GError            **error)
{
  int primary = rc & 0xff;

  if (primary == SQLITE_FULL)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                 "%s: the disk holding %s is full; free space and retry", what, self->path);
  else if (primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_CANTOPEN)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                 "%s: %s cannot be written (check its owner and mode)", what, self->path);
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                 "%s: %s stayed locked by another process; retry", what, self->path);
  else
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                 "%s: %s (%s)", what, sqlite3_errmsg (self->db), self->path);
  return FALSE;
}

static sqlite3_stmt *
stmt (IntakeStoreSqlite *self,
      IntakeStoreStmt    which)
{
  sqlite3_stmt *s = self->stmts[which];

  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  return s;
}

static gboolean
exec (IntakeStoreSqlite  *self,
      const char         *sql,
      GError            **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_db_error (self, rc, "the store refused a statement", error);
  return TRUE;
}

static gboolean
begin (IntakeStoreSqlite  *self,
       GError            **error)
{
  return exec (self, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (IntakeStoreSqlite  *self,
        GError            **error)
{
  if (!exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
rollback (IntakeStoreSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Steps a statement that returns no row. */
static gboolean
step_done (IntakeStoreSqlite  *self,
           sqlite3_stmt       *s,
           const char         *what,
           GError            **error)
{
  int rc = sqlite3_step (s);

  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, what, error);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *s,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (s, index, text, -1, SQLITE_TRANSIENT);
}

static const char *
column_text (sqlite3_stmt *s,
             int           index)
{
  const char *text = (const char *)sqlite3_column_text (s, index);

  return text != NULL ? text : "";
}

static IntakeStoreDevice *
read_device (sqlite3_stmt *s)
{
  IntakeStoreDevice *device = g_new0 (IntakeStoreDevice, 1);
  const void *pk = sqlite3_column_blob (s, 1);

  g_strlcpy (device->device_id, column_text (s, 0), sizeof device->device_id);
  if (pk != NULL && sqlite3_column_bytes (s, 1) == INTAKE_SIGN_PUBLIC_BYTES)
    memcpy (device->sign_pk, pk, INTAKE_SIGN_PUBLIC_BYTES);
  device->location = g_strdup (column_text (s, 2));
  device->status = g_str_equal (column_text (s, 3), "revoked") ? INTAKE_DEVICE_STATUS_REVOKED
                                                               : INTAKE_DEVICE_STATUS_ACTIVE;
  device->enrolled_at = sqlite3_column_int64 (s, 4);
  device->revoked_at = sqlite3_column_int64 (s, 5);
  return device;
}

/* Columns in the order of INTAKE_STORE_ENVELOPE_COLUMNS. */
static void
read_envelope_meta (sqlite3_stmt        *s,
                    IntakeStoreEnvelope *meta)
{
  memset (meta, 0, sizeof *meta);
  meta->seq = sqlite3_column_int64 (s, 0);
  g_strlcpy (meta->submission_id, column_text (s, 1), sizeof meta->submission_id);
  g_strlcpy (meta->device_id, column_text (s, 2), sizeof meta->device_id);
  g_strlcpy (meta->sha256, column_text (s, 3), sizeof meta->sha256);
  meta->size = sqlite3_column_int64 (s, 4);
  meta->created_at = sqlite3_column_int64 (s, 5);
  g_strlcpy (meta->questionnaire_id, column_text (s, 6), sizeof meta->questionnaire_id);
  meta->questionnaire_version = sqlite3_column_int64 (s, 7);
  g_strlcpy (meta->questionnaire_hash, column_text (s, 8), sizeof meta->questionnaire_hash);
  g_strlcpy (meta->office_key_id, column_text (s, 9), sizeof meta->office_key_id);
  meta->received_at = sqlite3_column_int64 (s, 10);
  intake_envelope_source_from_string (column_text (s, 11), &meta->source);
}

static gboolean
sqlite_create_enroll_code (IntakeStore  *store,
                           const char   *code_hash,
                           const char   *location,
                           gint64        created_at,
                           gint64        expires_at,
                           GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_CODE_INSERT);
  int rc;

  bind_text (s, 1, code_hash);
  bind_text (s, 2, location);
  sqlite3_bind_int64 (s, 3, created_at);
  sqlite3_bind_int64 (s, 4, expires_at);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXISTS,
                           "this enrollment code exists already; make a new one");
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot store the enrollment code", error);
  return TRUE;
}

/* Inside a transaction: the device row, or NULL (no error) if none. */
static IntakeStoreDevice *
lookup_device (IntakeStoreSqlite  *self,
               const char         *device_id,
               GError            **error)
{
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_GET);
  IntakeStoreDevice *device = NULL;
  int rc;

  bind_text (s, 1, device_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    device = read_device (s);
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the device", error);
  sqlite3_reset (s);
  return device;
}

static gboolean
insert_device (IntakeStoreSqlite        *self,
               const IntakeDevicePublic *device,
               const char               *device_id,
               const char               *location,
               gint64                    enrolled_at,
               GError                  **error)
{
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_INSERT);

  bind_text (s, 1, device_id);
  sqlite3_bind_blob (s, 2, device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, SQLITE_TRANSIENT);
  bind_text (s, 3, location);
  sqlite3_bind_int64 (s, 4, enrolled_at);
  return step_done (self, s, "cannot register the device", error);
}

static char *
sqlite_consume_enroll_code (IntakeStore              *store,
                            const char               *code_hash,
                            const IntakeDevicePublic *device,
                            gint64                    now,
                            GError                  **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autofree char *device_id = intake_hex_encode (device->device_id, sizeof device->device_id);
  g_autofree char *location = NULL;
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *s;
  gint64 expires_at;
  gboolean used;
  int rc;

  if (!begin (self, error))
    return NULL;

  s = stmt (self, STMT_CODE_GET);
  bind_text (s, 1, code_hash);
  rc = sqlite3_step (s);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (s);
      rollback (self);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE,
                           "unknown enrollment code; check it or ask staff for a new one");
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc, "cannot read the enrollment code", error);
      sqlite3_reset (s);
      rollback (self);
      return NULL;
    }
  location = g_strdup (column_text (s, 0));
  expires_at = sqlite3_column_int64 (s, 1);
  used = sqlite3_column_type (s, 2) != SQLITE_NULL;
  sqlite3_reset (s);

  if (used)
    {
      rollback (self);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED,
                           "this enrollment code was used already; ask staff for a new one");
      return NULL;
    }
  if (now >= expires_at)
    {
      rollback (self);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXPIRED,
                           "this enrollment code has expired; ask staff for a new one");
      return NULL;
    }

  existing = lookup_device (self, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return rollback (self), NULL;
    }
  if (existing != NULL && existing->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      rollback (self);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s is revoked and cannot enroll again; give the kiosk a new device key",
                   device_id);
      return NULL;
    }

  s = stmt (self, STMT_CODE_USE);
  bind_text (s, 1, code_hash);
  sqlite3_bind_int64 (s, 2, now);
  bind_text (s, 3, device_id);
  if (!step_done (self, s, "cannot consume the enrollment code", error))
    return rollback (self), NULL;

  if (existing == NULL)
    {
      if (!insert_device (self, device, device_id, location, now, error))
        return rollback (self), NULL;
    }
  else
    {
      s = stmt (self, STMT_DEVICE_SET_LOCATION);
      bind_text (s, 1, device_id);
      bind_text (s, 2, location);
      if (!step_done (self, s, "cannot update the device", error))
        return rollback (self), NULL;
    }

  if (!commit (self, error))
    return NULL;
  return g_steal_pointer (&location);
}

static gboolean
sqlite_register_device (IntakeStore              *store,
                        const IntakeDevicePublic *device,
                        const char               *location,
                        gint64                    enrolled_at,
                        GError                  **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autofree char *device_id = intake_hex_encode (device->device_id, sizeof device->device_id);
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!begin (self, error))
    return FALSE;
  existing = lookup_device (self, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return rollback (self);
    }
  if (existing != NULL && existing->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s is revoked and cannot be registered again", device_id);
      return rollback (self);
    }
  if (existing == NULL && !insert_device (self, device, device_id, location, enrolled_at, error))
    return rollback (self);
  return commit (self, error);
}

static IntakeStoreDevice *
sqlite_get_device (IntakeStore  *store,
                   const char   *device_id,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GError) local_error = NULL;
  IntakeStoreDevice *device = lookup_device (self, device_id, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (device == NULL)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                 "no device with id %s; see intake-admin device list", device_id);
  return device;
}

static GPtrArray *
sqlite_list_devices (IntakeStore  *store,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_device_free);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_LIST);
  int rc;

  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (devices, read_device (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list devices", error), NULL;
  return g_steal_pointer (&devices);
}

static gboolean
sqlite_revoke_device (IntakeStore  *store,
                      const char   *device_id,
                      gint64        now,
                      GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *s;

  if (!begin (self, error))
    return FALSE;
  existing = lookup_device (self, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return rollback (self);
    }
  if (existing == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                   "no device with id %s; see intake-admin device list", device_id);
      return rollback (self);
    }
  s = stmt (self, STMT_DEVICE_REVOKE);
  bind_text (s, 1, device_id);
  sqlite3_bind_int64 (s, 2, now);
  if (!step_done (self, s, "cannot revoke the device", error))
    return rollback (self);
  return commit (self, error);
}

static gboolean
sqlite_put_envelope (IntakeStore               *store,
                     const IntakeStoreEnvelope *meta,
                     GBytes                    *envelope,
                     IntakeStorePutResult      *out_result,
                     GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  const char *source = intake_envelope_source_to_string (meta->source);
  gsize len;
  const guint8 *data = g_bytes_get_data (envelope, &len);
  g_autofree char *stored_sha256 = NULL;
  gboolean same;
  sqlite3_stmt *s;
  int rc;

  if (!begin (self, error))
    return FALSE;

  s = stmt (self, STMT_ENVELOPE_INSERT);
  bind_text (s, 1, meta->submission_id);
  bind_text (s, 2, meta->device_id);
  sqlite3_bind_blob64 (s, 3, data != NULL ? (const void *)data : "", len, SQLITE_STATIC);
  bind_text (s, 4, meta->sha256);
  sqlite3_bind_int64 (s, 5, meta->size);
  sqlite3_bind_int64 (s, 6, meta->created_at);
  bind_text (s, 7, meta->questionnaire_id);
  sqlite3_bind_int64 (s, 8, meta->questionnaire_version);
  bind_text (s, 9, meta->questionnaire_hash);
  bind_text (s, 10, meta->office_key_id);
  sqlite3_bind_int64 (s, 11, meta->received_at);
  bind_text (s, 12, source);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, rc, "cannot store the envelope", error);
      return rollback (self);
    }

  if (sqlite3_changes (self->db) == 1)
    {
      *out_result = INTAKE_STORE_PUT_STORED;
      return commit (self, error);
    }

  /* The submission id is taken: the same bytes are a harmless repeat (a
   * kiosk that lost our receipt), other bytes a conflict. */
  s = stmt (self, STMT_ENVELOPE_GET_BYTES);
  bind_text (s, 1, meta->submission_id);
  rc = sqlite3_step (s);
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "cannot read the stored envelope", error);
      sqlite3_reset (s);
      return rollback (self);
    }
  same = (gsize)sqlite3_column_bytes (s, 0) == len &&
         (len == 0 || memcmp (sqlite3_column_blob (s, 0), data, len) == 0);
  stored_sha256 = g_strdup (column_text (s, 1));
  sqlite3_reset (s);

  if (same)
    {
      *out_result = INTAKE_STORE_PUT_DUPLICATE;
      rollback (self);
      return TRUE;
    }

  s = stmt (self, STMT_CONFLICT_LOG);
  bind_text (s, 1, meta->submission_id);
  bind_text (s, 2, meta->sha256);
  bind_text (s, 3, meta->device_id);
  bind_text (s, 4, stored_sha256);
  bind_text (s, 5, source);
  sqlite3_bind_int64 (s, 6, meta->received_at);
  if (!step_done (self, s, "cannot log the conflict", error))
    return rollback (self);
  *out_result = INTAKE_STORE_PUT_CONFLICT;
  return commit (self, error);
}

static GBytes *
sqlite_dup_envelope (IntakeStore         *store,
                     const char          *submission_id,
                     IntakeStoreEnvelope *out_meta,
                     GError             **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_ENVELOPE_DUP);
  GBytes *bytes = NULL;
  int rc;

  bind_text (s, 1, submission_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    {
      if (out_meta != NULL)
        read_envelope_meta (s, out_meta);
      bytes = g_bytes_new (sqlite3_column_blob (s, 12), sqlite3_column_bytes (s, 12));
    }
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the envelope", error);
  sqlite3_reset (s);
  return bytes;
}

static GArray *
sqlite_list_envelopes (IntakeStore  *store,
                       gint64        after_seq,
                       guint         limit,
                       GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (IntakeStoreEnvelope));
  sqlite3_stmt *s = stmt (self, STMT_ENVELOPE_LIST);
  int rc;

  sqlite3_bind_int64 (s, 1, after_seq);
  sqlite3_bind_int64 (s, 2, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreEnvelope meta;

      read_envelope_meta (s, &meta);
      g_array_append_val (list, meta);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list envelopes", error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
count_one (IntakeStoreSqlite  *self,
           IntakeStoreStmt     which,
           gint64             *out,
           GError            **error)
{
  sqlite3_stmt *s = stmt (self, which);
  int rc = sqlite3_step (s);

  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (s, 0);
  sqlite3_reset (s);
  if (rc != SQLITE_ROW)
    return set_db_error (self, rc, "cannot count", error);
  return TRUE;
}

static gboolean
sqlite_get_counts (IntakeStore       *store,
                   IntakeStoreCounts *out_counts,
                   GError           **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s;
  int rc;

  if (!count_one (self, STMT_COUNT_ENVELOPES, &out_counts->envelopes, error) ||
      !count_one (self, STMT_COUNT_CONFLICTS, &out_counts->conflicts, error))
    return FALSE;

  s = stmt (self, STMT_COUNT_DEVICES);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      if (g_str_equal (column_text (s, 0), "revoked"))
        out_counts->devices_revoked = sqlite3_column_int64 (s, 1);
      else
        out_counts->devices_active = sqlite3_column_int64 (s, 1);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot count devices", error);
  return TRUE;
}

static gboolean
sqlite_check_health (IntakeStore  *store,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  gint64 version = 0;

  return count_one (self, STMT_HEALTH, &version, error);
}

static char *
sqlite_ensure_setting (IntakeStore  *store,
                       const char   *name,
                       const char   *value,
                       GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s;
  char *stored = NULL;
  int rc;

  if (value != NULL)
    {
      s = stmt (self, STMT_SETTING_INSERT);
      bind_text (s, 1, name);
      bind_text (s, 2, value);
      if (!step_done (self, s, "cannot store a setting", error))
        return NULL;
    }
  s = stmt (self, STMT_SETTING_GET);
  bind_text (s, 1, name);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    stored = g_strdup (column_text (s, 0));
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read a setting", error);
  sqlite3_reset (s);
  return stored;
}

static int
sqlite_get_schema_version (IntakeStore *store)
{
  return INTAKE_STORE_SQLITE (store)->schema_version;
}

static const char *
sqlite_get_backend_name (IntakeStore *store)
{
  return "sqlite";
}

static void
intake_store_sqlite_iface_init (IntakeStoreInterface *iface)
{
  iface->create_enroll_code = sqlite_create_enroll_code;
  iface->consume_enroll_code = sqlite_consume_enroll_code;
  iface->register_device = sqlite_register_device;
  iface->get_device = sqlite_get_device;
  iface->list_devices = sqlite_list_devices;
  iface->revoke_device = sqlite_revoke_device;
  iface->put_envelope = sqlite_put_envelope;
  iface->dup_envelope = sqlite_dup_envelope;
  iface->list_envelopes = sqlite_list_envelopes;
  iface->get_counts = sqlite_get_counts;
  iface->check_health = sqlite_check_health;
  iface->ensure_setting = sqlite_ensure_setting;
  iface->get_schema_version = sqlite_get_schema_version;
  iface->get_backend_name = sqlite_get_backend_name;
}

static void
intake_store_sqlite_finalize (GObject *object)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (object);

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);

  G_OBJECT_CLASS (intake_store_sqlite_parent_class)->finalize (object);
}

static void
intake_store_sqlite_class_init (IntakeStoreSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_store_sqlite_finalize;
}

static void
intake_store_sqlite_init (IntakeStoreSqlite *self)
{
}

static gboolean
read_version (IntakeStoreSqlite  *self,
              int                *out_version,
              GError            **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT coalesce (max (version), 0) FROM schema_version", -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (s)) == SQLITE_ROW)
    *out_version = sqlite3_column_int (s, 0);
  sqlite3_finalize (s);
  if (rc != SQLITE_ROW)
    return set_db_error (self, rc, "cannot read the schema version", error);
  return TRUE;
}

static gboolean
migrate (IntakeStoreSqlite  *self,
         GError            **error)
{
  int version = 0;

  if (!exec (self,
             "CREATE TABLE IF NOT EXISTS schema_version ("
             "  version    INTEGER PRIMARY KEY NOT NULL,"
             "  applied_at INTEGER NOT NULL)", error))
    return FALSE;

  for (;;)
    {
      g_autofree char *record = NULL;

      /* Re-read inside the write lock: intake-admin may migrate the same
       * file at the same moment. */
      if (!begin (self, error))
        return FALSE;
      if (!read_version (self, &version, error))
        return rollback (self);
      if (version > INTAKE_STORE_SCHEMA_VERSION)
        {
          rollback (self);
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_SCHEMA_TOO_NEW,
                       "%s has schema version %d, newer than this program's %d; "
                       "run the newer intake-server", self->path, version, INTAKE_STORE_SCHEMA_VERSION);
          return FALSE;
        }
      if (version == INTAKE_STORE_SCHEMA_VERSION)
        {
          rollback (self);
          break;
        }
      record = g_strdup_printf ("INSERT INTO schema_version (version, applied_at) VALUES (%d, %" G_GINT64_FORMAT ")",
                                version + 1, g_get_real_time () / G_USEC_PER_SEC);
      if (!exec (self, migrations[version], error) || !exec (self, record, error))
        {
          g_prefix_error (error, "schema migration %d failed: ", version + 1);
          return rollback (self);
        }
      if (!commit (self, error))
        return FALSE;
    }

  self->schema_version = version;
  return TRUE;
}

IntakeStore *
intake_store_sqlite_open (const char  *path,
                          GError     **error)
{
  g_autoptr(IntakeStoreSqlite) self = NULL;
  int rc;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Create the file with mode 0600 ourselves: sqlite3_open_v2 would use
   * the umask. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot open the store %s: %s", path, g_strerror (saved));
      return NULL;
    }
  close (fd);

  self = g_object_new (INTAKE_TYPE_STORE_SQLITE, NULL);
  self->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot open the store %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  rc = sqlite3_exec (self->db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA cell_size_check = ON;", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "%s is not a usable SQLite database: %s", path, sqlite3_errmsg (self->db));
      return NULL;
    }

  if (!migrate (self, error))
    return NULL;

  for (guint i = 0; i < N_STMTS; i++)
    {
      rc = sqlite3_prepare_v3 (self->db, intake_store_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &self->stmts[i], NULL);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                       "%s is not an intake store: %s", path, sqlite3_errmsg (self->db));
          return NULL;
        }
    }

  return INTAKE_STORE (g_steal_pointer (&self));
}

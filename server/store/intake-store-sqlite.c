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
#include <sys/stat.h>
#include <unistd.h>

#include "intake-protocol.h"
#include "intake-store-common.h"
#include "intake-store-sql.h"
#include "intake-store-sqlite.h"

struct _IntakeStoreSqlite
{
  GObject       parent_instance;

  char         *path;
  char         *dir;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
  int           schema_version;
};

static void intake_store_sqlite_iface_init (IntakeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IntakeStoreSqlite, intake_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (INTAKE_TYPE_STORE, intake_store_sqlite_iface_init))

/* Append-only: never edit a migration that has shipped, add one. Each runs
 * in one transaction with its row in schema_version. See docs/server.md. */
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
  /* 2: review. Reviewers, the workflow per submission (with the location
   * of its kiosk when it arrived and its reference code, for filtering),
   * encrypted notes, the hash-chained audit log and its head row, help
   * requests from kiosks, and every signed questionnaire seen. References
   * of envelopes stored before this migration are filled in by
   * fill_references() when the store opens. */
  "CREATE TABLE submissions ("
  "  seq           INTEGER PRIMARY KEY NOT NULL REFERENCES envelopes (seq),"
  "  submission_id TEXT NOT NULL UNIQUE,"
  "  location      TEXT NOT NULL,"
  "  reference     TEXT NOT NULL,"
  "  created_at    INTEGER NOT NULL,"
  "  received_at   INTEGER NOT NULL,"
  "  state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_review',"
  "                  'conversation_planned', 'closed', 'needs_follow_up')),"
  "  unit          TEXT NOT NULL DEFAULT '',"
  "  version       INTEGER NOT NULL DEFAULT 1,"
  "  updated_at    INTEGER NOT NULL DEFAULT 0,"
  "  updated_by    TEXT NOT NULL DEFAULT '',"
  "  notes         INTEGER NOT NULL DEFAULT 0"
  ");"
  "INSERT INTO submissions (seq, submission_id, location, reference, created_at, received_at)"
  "  SELECT e.seq, e.submission_id, coalesce (d.location, ''), '', e.created_at, e.received_at"
  "  FROM envelopes e LEFT JOIN devices d ON d.device_id = e.device_id;"
  "CREATE INDEX submissions_state ON submissions (state, seq);"
  "CREATE INDEX submissions_location ON submissions (location, seq);"
  "CREATE INDEX submissions_reference ON submissions (reference);"
  "CREATE INDEX submissions_created ON submissions (created_at);"
  "CREATE TABLE notes ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  submission_id TEXT NOT NULL REFERENCES submissions (submission_id),"
  "  envelope      BLOB NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  reviewer_id   TEXT NOT NULL,"
  "  reviewer      TEXT NOT NULL,"
  "  created_at    INTEGER NOT NULL"
  ");"
  "CREATE INDEX notes_by_submission ON notes (submission_id, id);"
  "CREATE TABLE reviewers ("
  "  reviewer_id TEXT PRIMARY KEY NOT NULL,"
  "  name        TEXT NOT NULL,"
  "  sign_pk     BLOB NOT NULL CHECK (length (sign_pk) = 32),"
  "  blob        BLOB NOT NULL,"
  "  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),"
  "  created_at  INTEGER NOT NULL,"
  "  revoked_at  INTEGER"
  ");"
  "CREATE UNIQUE INDEX reviewers_active_name ON reviewers (name) WHERE status = 'active';"
  "CREATE INDEX reviewers_by_name ON reviewers (name, created_at);"
  "CREATE TABLE audit_log ("
  "  seq    INTEGER PRIMARY KEY NOT NULL,"
  "  time   INTEGER NOT NULL,"
  "  actor  TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  object TEXT NOT NULL,"
  "  result TEXT NOT NULL,"
  "  origin TEXT NOT NULL,"
  "  prev   TEXT NOT NULL,"
  "  hash   TEXT NOT NULL"
  ");"
  "CREATE INDEX audit_by_object ON audit_log (object, seq);"
  "CREATE TABLE audit_head ("
  "  id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),"
  "  seq  INTEGER NOT NULL,"
  "  hash TEXT NOT NULL"
  ");"
  "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" INTAKE_AUDIT_ZERO_HASH "');"
  "CREATE TABLE help_requests ("
  "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  device_id   TEXT NOT NULL,"
  "  client_key  TEXT NOT NULL,"
  "  created_at  INTEGER NOT NULL,"
  "  language    TEXT NOT NULL,"
  "  location    TEXT NOT NULL,"
  "  received_at INTEGER NOT NULL,"
  "  UNIQUE (device_id, client_key)"
  ");"
  "CREATE INDEX help_requests_created ON help_requests (created_at);"
  "CREATE TABLE questionnaires ("
  "  id         TEXT NOT NULL,"
  "  version    INTEGER NOT NULL,"
  "  hash       TEXT NOT NULL,"
  "  canonical  BLOB NOT NULL,"
  "  signature  BLOB NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  PRIMARY KEY (id, version, hash)"
  ");",
  /* 3: replay. Every signed request's nonce, per signer, until its
   * timestamp leaves the window (docs/protocol.md, "Signed requests"). */
  "CREATE TABLE request_nonces ("
  "  signer     TEXT NOT NULL,"
  "  nonce      TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  PRIMARY KEY (signer, nonce)"
  ") WITHOUT ROWID;"
  "CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);",
  /* 4: an envelope is identified by (device id, submission id), so that a
   * device cannot take another kiosk's submission id first. SQLite cannot
   * drop a UNIQUE constraint, so envelopes, submissions, notes and
   * conflicts are rebuilt; migrate() turns foreign keys off around it and
   * checks them before the commit. */
  "CREATE TABLE envelopes_4 ("
  "  seq                   INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  submission_id         TEXT NOT NULL,"
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
  "  source                TEXT NOT NULL CHECK (source IN ('upload', 'bundle')),"
  "  UNIQUE (device_id, submission_id)"
  ");"
  "INSERT INTO envelopes_4 (seq, submission_id, device_id, envelope, sha256, size, created_at, questionnaire_id,"
  "  questionnaire_version, questionnaire_hash, office_key_id, received_at, source)"
  "  SELECT seq, submission_id, device_id, envelope, sha256, size, created_at, questionnaire_id,"
  "  questionnaire_version, questionnaire_hash, office_key_id, received_at, source FROM envelopes;"
  "DROP TABLE envelopes;"
  "ALTER TABLE envelopes_4 RENAME TO envelopes;"
  "CREATE INDEX envelopes_by_device ON envelopes (device_id, seq);"
  "CREATE TABLE submissions_4 ("
  "  seq           INTEGER PRIMARY KEY NOT NULL REFERENCES envelopes (seq),"
  "  device_id     TEXT NOT NULL,"
  "  submission_id TEXT NOT NULL,"
  "  location      TEXT NOT NULL,"
  "  reference     TEXT NOT NULL,"
  "  created_at    INTEGER NOT NULL,"
  "  received_at   INTEGER NOT NULL,"
  "  state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_review',"
  "                  'conversation_planned', 'closed', 'needs_follow_up')),"
  "  unit          TEXT NOT NULL DEFAULT '',"
  "  version       INTEGER NOT NULL DEFAULT 1,"
  "  updated_at    INTEGER NOT NULL DEFAULT 0,"
  "  updated_by    TEXT NOT NULL DEFAULT '',"
  "  notes         INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (device_id, submission_id)"
  ");"
  "INSERT INTO submissions_4 (seq, device_id, submission_id, location, reference, created_at, received_at, state,"
  "  unit, version, updated_at, updated_by, notes)"
  "  SELECT s.seq, e.device_id, s.submission_id, s.location, s.reference, s.created_at, s.received_at, s.state,"
  "  s.unit, s.version, s.updated_at, s.updated_by, s.notes FROM submissions s JOIN envelopes e ON e.seq = s.seq;"
  "DROP TABLE submissions;"
  "ALTER TABLE submissions_4 RENAME TO submissions;"
  "CREATE INDEX submissions_state ON submissions (state, seq);"
  "CREATE INDEX submissions_location ON submissions (location, seq);"
  "CREATE INDEX submissions_reference ON submissions (reference);"
  "CREATE INDEX submissions_created ON submissions (created_at);"
  "CREATE TABLE notes_4 ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  device_id     TEXT NOT NULL,"
  "  submission_id TEXT NOT NULL,"
  "  envelope      BLOB NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  reviewer_id   TEXT NOT NULL,"
  "  reviewer      TEXT NOT NULL,"
  "  created_at    INTEGER NOT NULL,"
  "  FOREIGN KEY (device_id, submission_id) REFERENCES submissions (device_id, submission_id)"
  ");"
  "INSERT INTO notes_4 (id, device_id, submission_id, envelope, sha256, reviewer_id, reviewer, created_at)"
  "  SELECT n.id, s.device_id, n.submission_id, n.envelope, n.sha256, n.reviewer_id, n.reviewer, n.created_at"
  "  FROM notes n JOIN submissions s ON s.submission_id = n.submission_id;"
  "DROP TABLE notes;"
  "ALTER TABLE notes_4 RENAME TO notes;"
  "CREATE INDEX notes_by_submission ON notes (device_id, submission_id, id);"
  "CREATE TABLE conflicts_4 ("
  "  submission_id TEXT NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  device_id     TEXT NOT NULL,"
  "  stored_sha256 TEXT NOT NULL,"
  "  source        TEXT NOT NULL,"
  "  first_seen    INTEGER NOT NULL,"
  "  last_seen     INTEGER NOT NULL,"
  "  attempts      INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, submission_id, sha256)"
  ");"
  "INSERT INTO conflicts_4 SELECT submission_id, sha256, device_id, stored_sha256, source, first_seen, last_seen,"
  "  attempts FROM conflicts;"
  "DROP TABLE conflicts;"
  "ALTER TABLE conflicts_4 RENAME TO conflicts;",
  /* 5: staff access. Roles (reviewers from before keep what they could do:
   * everything but administration) and scope per reviewer, pending
   * activations (the office secret sealed with a one-time code) with the
   * access they will grant, and failed unlocks per name. */
  "ALTER TABLE reviewers ADD COLUMN roles TEXT NOT NULL DEFAULT 'caseworker,team_lead,privacy_officer';"
  "CREATE TABLE reviewer_scopes ("
  "  reviewer_id TEXT NOT NULL REFERENCES reviewers (reviewer_id),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('location', 'unit')),"
  "  value       TEXT NOT NULL,"
  "  PRIMARY KEY (reviewer_id, kind, value)"
  ");"
  "CREATE TABLE reviewer_setups ("
  "  name       TEXT PRIMARY KEY NOT NULL,"
  "  blob       BLOB NOT NULL,"
  "  roles      TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  created_by TEXT NOT NULL"
  ");"
  "CREATE TABLE setup_scopes ("
  "  name  TEXT NOT NULL REFERENCES reviewer_setups (name),"
  "  kind  TEXT NOT NULL CHECK (kind IN ('location', 'unit')),"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (name, kind, value)"
  ");"
  "CREATE TABLE unlock_throttle ("
  "  name_key     TEXT PRIMARY KEY NOT NULL,"
  "  failures     INTEGER NOT NULL,"
  "  last_failure INTEGER NOT NULL,"
  "  locked_until INTEGER NOT NULL"
  ");",
  /* 6: staff mark help requests handled. Those from before were only
   * counted (nobody could act on them one by one): they start handled. */
  "ALTER TABLE help_requests ADD COLUMN handled_at INTEGER;"
  "ALTER TABLE help_requests ADD COLUMN handled_by TEXT;"
  "UPDATE help_requests SET handled_at = received_at, handled_by = '';"
  "CREATE INDEX help_requests_open ON help_requests (handled_at, created_at);",
  /* 7: the queue. Who a submission is assigned to (a reviewer's name), the
   * planned conversation, and the audit seq of its last workflow change or
   * note (a clock the review app polls, docs/protocol.md, "The queue");
   * indexes for the views (assignee), the changes and the counts (state,
   * unit, assignee: counted from the index alone). */
  "ALTER TABLE submissions ADD COLUMN assignee TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE submissions ADD COLUMN appointment_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX submissions_assignee ON submissions (assignee, seq);"
  "CREATE INDEX submissions_changes ON submissions (change_seq);"
  "CREATE INDEX submissions_queue ON submissions (state, unit, assignee, change_seq);",
  /* 8: the store's generation, a random id that intake-admin restore
   * replaces: kiosks that see it change send again what they delivered
   * (docs/server.md, "Backup and restore"). The server's public key is
   * pinned in the setting "server_public" by the first start after this
   * migration (server/main.c), so no SQL here. */
  "INSERT INTO settings (name, value) VALUES ('store_generation', lower (hex (randomblob (16))));",
  /* 9: office key rotation (docs/server.md, "Rotating the office key"):
   * each office secret sealed to its successor and to the reviewers who
   * held access at the rotation. The statements, the key served and the
   * retired keys are settings ("office_rotations", "office_public",
   * "office_retired"). */
  "CREATE TABLE office_key_seals ("
  "  office_key_id  TEXT NOT NULL,"
  "  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('office', 'reviewer')),"
  "  recipient_id   TEXT NOT NULL,"
  "  blob           BLOB NOT NULL,"
  "  created_at     INTEGER NOT NULL,"
  "  PRIMARY KEY (office_key_id, recipient_kind, recipient_id)"
  ");",
  /* 10: what each kiosk reports at check-in (docs/protocol.md, "Check-in"),
   * for intake-admin device list and /metrics. */
  "ALTER TABLE devices ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN reported_pending INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN oldest_pending_at INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN questionnaire TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE devices ADD COLUMN app_version TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE devices ADD COLUMN last_error TEXT NOT NULL DEFAULT '';",
  /* 11: PostgreSQL keeps envelope rows out of TOAST; nothing here (a
   * row is stored in its page, or its overflow pages, as it is). */
  "SELECT 1;",
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
  else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                 "%s: %s is damaged (%s); stop the server and restore the latest backup", what, self->path,
                 sqlite3_errmsg (self->db));
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
  device->last_seen_at = sqlite3_column_int64 (s, 6);
  device->reported_pending = sqlite3_column_int64 (s, 7);
  device->oldest_pending_at = sqlite3_column_int64 (s, 8);
  device->questionnaire = g_strdup (column_text (s, 9));
  device->app_version = g_strdup (column_text (s, 10));
  device->last_error = g_strdup (column_text (s, 11));
  if (sqlite3_column_count (s) > 12)
    device->last_upload_at = sqlite3_column_int64 (s, 12);
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
insert_enroll_code (IntakeStore  *store,
                    const char   *code_hash,
                    const char   *location,
                    gint64        created_at,
                    gint64        expires_at,
                    gboolean     *out_exists,
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
  *out_exists = (rc & 0xff) == SQLITE_CONSTRAINT;
  if (!*out_exists && rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot store the enrollment code", error);
  return TRUE;
}

/* Inside a transaction: the device row, or NULL (no error) if none. */
static IntakeStoreDevice *
lookup_device (IntakeStore  *store,
               const char   *device_id,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
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

/* SQLite's writer holds the whole database: the row cannot change
 * before the commit. */
static gboolean
device_active (IntakeStore  *store,
               const char   *device_id,
               gboolean     *out_active,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_ACTIVE);
  int rc;

  bind_text (s, 1, device_id);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read the device", error);
  *out_active = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
insert_device (IntakeStore              *store,
               const IntakeDevicePublic *device,
               const char               *device_id,
               const char               *location,
               gint64                    enrolled_at,
               GError                  **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_INSERT);

  bind_text (s, 1, device_id);
  sqlite3_bind_blob (s, 2, device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, SQLITE_TRANSIENT);
  bind_text (s, 3, location);
  sqlite3_bind_int64 (s, 4, enrolled_at);
  return step_done (self, s, "cannot register the device", error);
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

static GBytes *
sqlite_dup_envelope (IntakeStore         *store,
                     const char          *device_id,
                     const char          *submission_id,
                     IntakeStoreEnvelope *out_meta,
                     GError             **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_ENVELOPE_DUP);
  GBytes *bytes = NULL;
  int rc;

  bind_text (s, 1, submission_id);
  bind_text (s, 2, device_id);
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

/* The quick check reads every page, which takes a while on a big store,
 * so it runs on a connection of its own (safe from another thread: only
 * self->path and self->dir are read, and they never change). */
static gboolean
quick_check (const char  *path,
             GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_autofree char *first = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 5000);
      rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check(1)", -1, &s, NULL);
    }
  if (rc == SQLITE_OK && (rc = sqlite3_step (s)) == SQLITE_ROW)
    first = g_strdup ((const char *)sqlite3_column_text (s, 0));
  if (rc != SQLITE_ROW || first == NULL || !g_str_equal (first, "ok"))
    {
      int primary = rc & 0xff;
      g_autofree char *why = g_strdup (first != NULL ? first : db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));

      g_strdelimit (why, "\n", ' ');
      if (rc == SQLITE_ROW || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                     "%s is damaged (SQLite's quick_check: %s); stop the server and restore the latest backup "
                     "(docs/server.md, \"Backups\"), leaving the damaged file as it is for inspection", path, why);
      else
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                     "cannot check %s: %s", path, why);
    }
  sqlite3_finalize (s);
  sqlite3_close (db);
  return error == NULL || *error == NULL;
}

/* Writes, syncs and removes a small file beside the database: a full
 * disk, a read-only remount or a failing disk shows here before a
 * resident's envelope does. */
static gboolean
write_probe (const char  *dir,
             GError     **error)
{
  g_autofree char *name = g_strdup_printf (".intake-write-probe-%d", (int)getpid ());
  g_autofree char *probe = g_build_filename (dir, name, NULL);
  char block[4096];
  int fd, saved = 0;

  memset (block, 0, sizeof block);
  fd = g_open (probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, block, sizeof block) != (ssize_t)sizeof block || fsync (fd) != 0)
    saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (probe);
  if (saved != 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_WRITABLE,
                   "cannot write to %s (%s)%s", dir, g_strerror (saved),
                   saved == ENOSPC ? ": the disk is full; free space" : ": check the disk, its mount and the owner");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_check_files (IntakeStore  *store,
                    GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);

  return quick_check (self->path, error) && write_probe (self->dir, error);
}

static const char *
sqlite_get_directory (IntakeStore *store)
{
  return INTAKE_STORE_SQLITE (store)->dir;
}

static IntakeStore *open_existing (const char  *path,
                                   GError     **error);

static IntakeStore *
sqlite_open_another (IntakeStore  *store,
                     GError      **error)
{
  g_autoptr(IntakeStore) another = open_existing (INTAKE_STORE_SQLITE (store)->path, error);

  if (another == NULL)
    return NULL;
  /* Its commits only append to the log; intake_store_checkpoint() on
   * another connection copies it, so a commit never waits for that. */
  sqlite3_wal_autocheckpoint (INTAKE_STORE_SQLITE (another)->db, 0);
  return g_steal_pointer (&another);
}

static gboolean
sqlite_checkpoint (IntakeStore  *store,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  /* BUSY: another checkpoint (intake-admin's, say) is running; it does the same. */
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                   "cannot checkpoint the store %s: %s", self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_set_setting (IntakeStore  *store,
                    const char   *name,
                    const char   *value,
                    GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SETTING_SET);

  bind_text (s, 1, name);
  bind_text (s, 2, value);
  return step_done (self, s, "cannot store a setting", error);
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

/* Review ------------------------------------------------------------------ */

static IntakeStoreReviewer *
read_reviewer (sqlite3_stmt *s)
{
  IntakeStoreReviewer *reviewer = g_new0 (IntakeStoreReviewer, 1);
  const void *pk = sqlite3_column_blob (s, 2);

  g_strlcpy (reviewer->reviewer_id, column_text (s, 0), sizeof reviewer->reviewer_id);
  reviewer->name = g_strdup (column_text (s, 1));
  if (pk != NULL && sqlite3_column_bytes (s, 2) == INTAKE_SIGN_PUBLIC_BYTES)
    memcpy (reviewer->sign_pk, pk, INTAKE_SIGN_PUBLIC_BYTES);
  reviewer->blob = g_bytes_new (sqlite3_column_blob (s, 3), sqlite3_column_bytes (s, 3));
  reviewer->status = g_str_equal (column_text (s, 4), "revoked") ? INTAKE_REVIEWER_STATUS_REVOKED
                                                                 : INTAKE_REVIEWER_STATUS_ACTIVE;
  reviewer->created_at = sqlite3_column_int64 (s, 5);
  reviewer->revoked_at = sqlite3_column_int64 (s, 6);
  reviewer->roles = intake_store_roles_from_text (column_text (s, 7));
  return reviewer;
}

static gboolean read_scopes (IntakeStore  *store,
                             gboolean      is_setup,
                             const char   *owner,
                             char       ***out_locations,
                             char       ***out_units,
                             GError      **error);

static IntakeStoreSubmission *
read_submission (sqlite3_stmt *s)
{
  IntakeStoreSubmission *submission = g_new0 (IntakeStoreSubmission, 1);

  read_envelope_meta (s, &submission->envelope);
  submission->location = g_strdup (column_text (s, 12));
  g_strlcpy (submission->reference, column_text (s, 13), sizeof submission->reference);
  submission->state = g_strdup (column_text (s, 14));
  submission->unit = g_strdup (column_text (s, 15));
  submission->version = sqlite3_column_int64 (s, 16);
  submission->updated_at = sqlite3_column_int64 (s, 17);
  submission->updated_by = g_strdup (column_text (s, 18));
  submission->notes = sqlite3_column_int64 (s, 19);
  submission->assignee = g_strdup (column_text (s, 20));
  submission->appointment_at = sqlite3_column_int64 (s, 21);
  submission->change_seq = sqlite3_column_int64 (s, 22);
  return submission;
}

static IntakeAuditEvent *
read_audit (sqlite3_stmt *s)
{
  IntakeAuditEvent *event = g_new0 (IntakeAuditEvent, 1);

  event->seq = sqlite3_column_int64 (s, 0);
  event->time = sqlite3_column_int64 (s, 1);
  event->actor = g_strdup (column_text (s, 2));
  event->action = g_strdup (column_text (s, 3));
  event->object = g_strdup (column_text (s, 4));
  event->result = g_strdup (column_text (s, 5));
  event->origin = g_strdup (column_text (s, 6));
  g_strlcpy (event->prev, column_text (s, 7), sizeof event->prev);
  g_strlcpy (event->hash, column_text (s, 8), sizeof event->hash);
  return event;
}

static IntakeStoreReviewer *
sqlite_get_reviewer (IntakeStore  *store,
                     const char   *reviewer_id,
                     const char   *name,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, reviewer_id != NULL ? STMT_REVIEWER_GET_ID : STMT_REVIEWER_GET_NAME);
  IntakeStoreReviewer *reviewer = NULL;
  int rc;

  bind_text (s, 1, reviewer_id != NULL ? reviewer_id : name);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    reviewer = read_reviewer (s);
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the reviewer", error);
  else
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                 "no reviewer %s; see intake-admin reviewer list", reviewer_id != NULL ? reviewer_id : name);
  sqlite3_reset (s);
  if (reviewer != NULL &&
      !read_scopes (store, FALSE, reviewer->reviewer_id, &reviewer->locations, &reviewer->units, error))
    g_clear_pointer (&reviewer, intake_store_reviewer_free);
  return reviewer;
}

static GPtrArray *
sqlite_list_reviewers (IntakeStore  *store,
                       GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_reviewer_free);
  sqlite3_stmt *s = stmt (self, STMT_REVIEWER_LIST);
  int rc;

  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, read_reviewer (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list reviewers", error), NULL;
  for (guint i = 0; i < list->len; i++)
    {
      IntakeStoreReviewer *reviewer = g_ptr_array_index (list, i);

      if (!read_scopes (store, FALSE, reviewer->reviewer_id, &reviewer->locations, &reviewer->units, error))
        return NULL;
    }
  return g_steal_pointer (&list);
}

/* The submission row, NULL (and no error) if none. */
static IntakeStoreSubmission *
lookup_submission (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SUBMISSION_GET);
  IntakeStoreSubmission *submission = NULL;
  int rc;

  bind_text (s, 1, submission_id);
  bind_text (s, 2, device_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    submission = read_submission (s);
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the submission", error);
  sqlite3_reset (s);
  return submission;
}

static GPtrArray *
sqlite_list_submissions (IntakeStore                  *store,
                         const IntakeSubmissionFilter *filter,
                         GError                      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_submission_free);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  sqlite3_stmt *s = NULL;
  int n = 0;
  int rc;

  sql = intake_store_list_submissions_sql (filter, params, &n);
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &s, NULL);
  if (rc != SQLITE_OK)
    return set_db_error (self, rc, "cannot list submissions", error), NULL;
  for (int i = 0; i < n; i++)
    {
      if (params[i].is_text)
        bind_text (s, i + 1, params[i].text);
      else
        sqlite3_bind_int64 (s, i + 1, params[i].value);
    }
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, read_submission (s));
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list submissions", error), NULL;
  return g_steal_pointer (&list);
}

static sqlite3_stmt *
prepare_with_params (IntakeStoreSqlite    *self,
                     const char           *sql,
                     const IntakeSqlParam *params,
                     int                   n,
                     const char           *what,
                     GError              **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &s, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (self, rc, what, error);
      return NULL;
    }
  for (int i = 0; i < n; i++)
    {
      if (params[i].is_text)
        bind_text (s, i + 1, params[i].text);
      else
        sqlite3_bind_int64 (s, i + 1, params[i].value);
    }
  return s;
}

static gboolean
sqlite_count_submissions (IntakeStore                  *store,
                          const IntakeSubmissionFilter *filter,
                          GPtrArray                   **out_cells,
                          IntakeStoreCountMarks        *out_marks,
                          GError                      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_count_cell_free);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  sqlite3_stmt *s;
  int n = 0;
  int rc;

  sql = intake_store_count_submissions_sql (filter, params, &n);
  if (!(s = prepare_with_params (self, sql, params, n, "cannot count submissions", error)))
    return FALSE;
  *out_marks = (IntakeStoreCountMarks) { 0 };
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreCountCell *cell = g_new0 (IntakeStoreCountCell, 1);

      cell->state = g_strdup (column_text (s, 0));
      cell->unit = g_strdup (column_text (s, 1));
      cell->assignee = sqlite3_column_int (s, 2);
      cell->count = sqlite3_column_int64 (s, 3);
      out_marks->latest_seq = MAX (out_marks->latest_seq, sqlite3_column_int64 (s, 4));
      out_marks->latest_change = MAX (out_marks->latest_change, sqlite3_column_int64 (s, 5));
      g_ptr_array_add (cells, cell);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot count submissions", error);
  *out_cells = g_steal_pointer (&cells);
  return TRUE;
}

static gboolean
sqlite_foreach_fact (IntakeStore                  *store,
                     const IntakeSubmissionFilter *filter,
                     IntakeStoreFactFunc           func,
                     gpointer                      user_data,
                     GError                      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  sqlite3_stmt *s;
  int n = 0;
  int rc;

  sql = intake_store_facts_sql (filter, params, &n);
  if (!(s = prepare_with_params (self, sql, params, n, "cannot read submissions", error)))
    return FALSE;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreFact fact = {
        .created_at = sqlite3_column_int64 (s, 0),
        .received_at = sqlite3_column_int64 (s, 1),
        .location = column_text (s, 2),
        .state = column_text (s, 3),
        .unit = column_text (s, 4),
        .assignee = column_text (s, 5),
      };

      func (&fact, user_data);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read submissions", error);
  return TRUE;
}

static GPtrArray *
sqlite_list_notes (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_note_free);
  sqlite3_stmt *s = stmt (self, STMT_NOTE_LIST);
  int rc;

  bind_text (s, 1, submission_id);
  bind_text (s, 2, device_id);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreNote *note = g_new0 (IntakeStoreNote, 1);

      note->envelope = g_bytes_new (sqlite3_column_blob (s, 0), sqlite3_column_bytes (s, 0));
      note->reviewer = g_strdup (column_text (s, 1));
      g_strlcpy (note->reviewer_id, column_text (s, 2), sizeof note->reviewer_id);
      note->created_at = sqlite3_column_int64 (s, 3);
      g_ptr_array_add (list, note);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list notes", error), NULL;
  return g_steal_pointer (&list);
}

static GPtrArray *
sqlite_list_audit (IntakeStore  *store,
                   const char   *object,
                   gint64        after_seq,
                   guint         limit,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  sqlite3_stmt *s = stmt (self, object != NULL ? STMT_AUDIT_LIST_OBJECT : STMT_AUDIT_LIST);
  int rc;

  sqlite3_bind_int64 (s, 1, after_seq);
  sqlite3_bind_int64 (s, 2, limit);
  if (object != NULL)
    bind_text (s, 3, object);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, read_audit (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read the audit log", error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
sqlite_get_audit_head (IntakeStore  *store,
                       gint64       *out_seq,
                       char         *out_hash,
                       GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_AUDIT_HEAD);
  int rc = sqlite3_step (s);

  *out_seq = 0;
  g_strlcpy (out_hash, INTAKE_AUDIT_ZERO_HASH, INTAKE_AUDIT_HASH_HEX_LEN + 1);
  if (rc == SQLITE_ROW)
    {
      *out_seq = sqlite3_column_int64 (s, 0);
      g_strlcpy (out_hash, column_text (s, 1), INTAKE_AUDIT_HASH_HEX_LEN + 1);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read the audit log's head", error);
  return TRUE;
}

static gboolean
sqlite_put_help_request (IntakeStore  *store,
                         const char   *device_id,
                         const char   *client_key,
                         gint64        created_at,
                         const char   *language,
                         gint64        received_at,
                         gboolean     *out_new,
                         GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_HELP_INSERT);

  bind_text (s, 1, device_id);
  bind_text (s, 2, client_key);
  sqlite3_bind_int64 (s, 3, created_at);
  bind_text (s, 4, language);
  sqlite3_bind_int64 (s, 5, received_at);
  if (!step_done (self, s, "cannot store the help request", error))
    return FALSE;
  *out_new = sqlite3_changes (self->db) == 1;
  return TRUE;
}

static GPtrArray *
sqlite_list_help_requests (IntakeStore  *store,
                           gint64        from,
                           gint64        to,
                           GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_help_request_free);
  sqlite3_stmt *s = stmt (self, STMT_HELP_LIST);
  int rc;

  sqlite3_bind_int64 (s, 1, from);
  sqlite3_bind_int64 (s, 2, to);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreHelpRequest *request = g_new0 (IntakeStoreHelpRequest, 1);

      g_strlcpy (request->device_id, column_text (s, 0), sizeof request->device_id);
      request->location = g_strdup (column_text (s, 1));
      g_strlcpy (request->language, column_text (s, 2), sizeof request->language);
      request->created_at = sqlite3_column_int64 (s, 3);
      request->received_at = sqlite3_column_int64 (s, 4);
      g_ptr_array_add (list, request);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list help requests", error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
sqlite_put_questionnaire (IntakeStore                    *store,
                          const IntakeStoreQuestionnaire *questionnaire,
                          GError                        **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_QUESTIONNAIRE_INSERT);

  bind_text (s, 1, questionnaire->id);
  sqlite3_bind_int64 (s, 2, questionnaire->version);
  bind_text (s, 3, questionnaire->hash);
  sqlite3_bind_blob64 (s, 4, g_bytes_get_data (questionnaire->canonical, NULL),
                       g_bytes_get_size (questionnaire->canonical), SQLITE_TRANSIENT);
  sqlite3_bind_blob (s, 5, questionnaire->signature, INTAKE_SIGNATURE_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 6, questionnaire->first_seen);
  return step_done (self, s, "cannot store the questionnaire", error);
}

static GPtrArray *
sqlite_list_questionnaires (IntakeStore  *store,
                            GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_questionnaire_free);
  sqlite3_stmt *s = stmt (self, STMT_QUESTIONNAIRE_LIST);
  int rc;

  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      IntakeStoreQuestionnaire *q = g_new0 (IntakeStoreQuestionnaire, 1);

      q->id = g_strdup (column_text (s, 0));
      q->version = sqlite3_column_int64 (s, 1);
      g_strlcpy (q->hash, column_text (s, 2), sizeof q->hash);
      q->canonical = g_bytes_new (sqlite3_column_blob (s, 3), sqlite3_column_bytes (s, 3));
      if (sqlite3_column_bytes (s, 4) == INTAKE_SIGNATURE_BYTES)
        memcpy (q->signature, sqlite3_column_blob (s, 4), INTAKE_SIGNATURE_BYTES);
      q->first_seen = sqlite3_column_int64 (s, 5);
      g_ptr_array_add (list, q);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list questionnaires", error), NULL;
  return g_steal_pointer (&list);
}

/* The operations intake-store-common.c builds on --------------------------
 *
 * BEGIN IMMEDIATE takes SQLite's write lock at the start of every write
 * transaction, so the reads below (the device, the enrollment code, the
 * audit head) cannot change under us until COMMIT or ROLLBACK. */

static gboolean
backend_begin (IntakeStore  *store,
               GError      **error)
{
  return begin (INTAKE_STORE_SQLITE (store), error);
}

static gboolean
backend_commit (IntakeStore  *store,
                GError      **error)
{
  return commit (INTAKE_STORE_SQLITE (store), error);
}

static void
backend_rollback (IntakeStore *store)
{
  rollback (INTAKE_STORE_SQLITE (store));
}

static gboolean
get_enroll_code (IntakeStore  *store,
                 const char   *code_hash,
                 char        **out_location,
                 gint64       *out_expires_at,
                 gboolean     *out_used,
                 GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_CODE_GET);
  int rc;

  bind_text (s, 1, code_hash);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    {
      *out_location = g_strdup (column_text (s, 0));
      *out_expires_at = sqlite3_column_int64 (s, 1);
      *out_used = sqlite3_column_type (s, 2) != SQLITE_NULL;
    }
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the enrollment code", error);
  sqlite3_reset (s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static gboolean
use_enroll_code (IntakeStore  *store,
                 const char   *code_hash,
                 gint64        now,
                 const char   *device_id,
                 int          *out_rows,
                 GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_CODE_USE);

  bind_text (s, 1, code_hash);
  sqlite3_bind_int64 (s, 2, now);
  bind_text (s, 3, device_id);
  if (!step_done (self, s, "cannot consume the enrollment code", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
set_device_location (IntakeStore  *store,
                     const char   *device_id,
                     const char   *location,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_SET_LOCATION);

  bind_text (s, 1, device_id);
  bind_text (s, 2, location);
  return step_done (self, s, "cannot update the device", error);
}

static gboolean
revoke_device (IntakeStore  *store,
               const char   *device_id,
               gint64        now,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_REVOKE);

  bind_text (s, 1, device_id);
  sqlite3_bind_int64 (s, 2, now);
  return step_done (self, s, "cannot revoke the device", error);
}

static gboolean
insert_envelope (IntakeStore               *store,
                 const IntakeStoreEnvelope *meta,
                 GBytes                    *envelope,
                 gboolean                  *out_inserted,
                 GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_ENVELOPE_INSERT);
  gsize len;
  const guint8 *data = g_bytes_get_data (envelope, &len);
  int rc;

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
  bind_text (s, 12, intake_envelope_source_to_string (meta->source));
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  /* The envelope was bound SQLITE_STATIC: do not keep a pointer to it. */
  sqlite3_clear_bindings (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot store the envelope", error);
  *out_inserted = sqlite3_changes (self->db) == 1;
  return TRUE;
}

static gboolean
insert_submission (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   const char   *reference,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SUBMISSION_INSERT);

  bind_text (s, 1, submission_id);
  bind_text (s, 2, reference);
  bind_text (s, 3, device_id);
  return step_done (self, s, "cannot record the submission for review", error);
}

static gboolean
insert_envelopes (IntakeStore               *store,
                  guint                      n,
                  const IntakeStoreEnvelope *metas,
                  GBytes * const            *envelopes,
                  char * const              *references,
                  gboolean                  *out_inserted,
                  GError                   **error)
{
  /* In-process: one statement after the other costs no round trip. */
  for (guint i = 0; i < n; i++)
    {
      if (!insert_envelope (store, &metas[i], envelopes[i], &out_inserted[i], error))
        return FALSE;
      if (out_inserted[i] &&
          !insert_submission (store, metas[i].device_id, metas[i].submission_id, references[i], error))
        return FALSE;
    }
  return TRUE;
}

static GBytes *
get_stored_envelope (IntakeStore  *store,
                     const char   *device_id,
                     const char   *submission_id,
                     char        **out_sha256,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_ENVELOPE_GET_BYTES);
  GBytes *bytes;
  int rc;

  bind_text (s, 1, submission_id);
  bind_text (s, 2, device_id);
  rc = sqlite3_step (s);
  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "cannot read the stored envelope", error);
      sqlite3_reset (s);
      return NULL;
    }
  bytes = g_bytes_new (sqlite3_column_blob (s, 0), sqlite3_column_bytes (s, 0));
  *out_sha256 = g_strdup (column_text (s, 1));
  sqlite3_reset (s);
  return bytes;
}

static gboolean
log_conflict (IntakeStore               *store,
              const IntakeStoreEnvelope *meta,
              const char                *stored_sha256,
              GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_CONFLICT_LOG);

  bind_text (s, 1, meta->submission_id);
  bind_text (s, 2, meta->sha256);
  bind_text (s, 3, meta->device_id);
  bind_text (s, 4, stored_sha256);
  bind_text (s, 5, intake_envelope_source_to_string (meta->source));
  sqlite3_bind_int64 (s, 6, meta->received_at);
  return step_done (self, s, "cannot log the conflict", error);
}

/* Inside a write transaction: BEGIN IMMEDIATE serializes writers, so the
 * head row needs no lock of its own. */
static gboolean
lock_audit_head (IntakeStore  *store,
                 gint64       *out_seq,
                 char        **out_hash,
                 GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_AUDIT_HEAD_LOCK);
  g_autofree char *hash = NULL;
  int rc = sqlite3_step (s);

  if (rc != SQLITE_ROW)
    {
      set_db_error (self, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "cannot read the audit log's head", error);
      sqlite3_reset (s);
      return FALSE;
    }
  *out_seq = sqlite3_column_int64 (s, 0);
  hash = g_strdup (column_text (s, 1));
  sqlite3_reset (s);
  if (strlen (hash) != INTAKE_AUDIT_HASH_HEX_LEN)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                   "the audit log's head row is damaged (%s); run intake-admin audit verify", self->path);
      return FALSE;
    }
  *out_hash = g_steal_pointer (&hash);
  return TRUE;
}

static gboolean
insert_audit (IntakeStore             *store,
              const IntakeAuditEvent  *event,
              GError                 **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_AUDIT_INSERT);

  sqlite3_bind_int64 (s, 1, event->seq);
  sqlite3_bind_int64 (s, 2, event->time);
  bind_text (s, 3, event->actor);
  bind_text (s, 4, event->action);
  bind_text (s, 5, event->object);
  bind_text (s, 6, event->result);
  bind_text (s, 7, event->origin);
  bind_text (s, 8, event->prev);
  bind_text (s, 9, event->hash);
  return step_done (self, s, "cannot append to the audit log", error);
}

static gboolean
set_audit_head (IntakeStore  *store,
                gint64        seq,
                const char   *hash,
                GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_AUDIT_HEAD_SET);

  sqlite3_bind_int64 (s, 1, seq);
  bind_text (s, 2, hash);
  return step_done (self, s, "cannot move the audit log's head", error);
}

static gboolean
insert_reviewer (IntakeStore               *store,
                 const IntakeStoreReviewer *reviewer,
                 gboolean                  *out_exists,
                 GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_REVIEWER_INSERT);
  int rc;

  bind_text (s, 1, reviewer->reviewer_id);
  bind_text (s, 2, reviewer->name);
  sqlite3_bind_blob (s, 3, reviewer->sign_pk, INTAKE_SIGN_PUBLIC_BYTES, SQLITE_TRANSIENT);
  sqlite3_bind_blob (s, 4, g_bytes_get_data (reviewer->blob, NULL), (int)g_bytes_get_size (reviewer->blob),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 5, reviewer->created_at);
  {
    g_autofree char *roles = intake_store_roles_to_text (reviewer->roles);

    bind_text (s, 6, roles);
    rc = sqlite3_step (s);
  }
  sqlite3_reset (s);
  *out_exists = (rc & 0xff) == SQLITE_CONSTRAINT;
  if (!*out_exists && rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot register the reviewer", error);
  return TRUE;
}

static gboolean
revoke_reviewer (IntakeStore  *store,
                 const char   *name,
                 gint64        now,
                 int          *out_rows,
                 GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_REVIEWER_REVOKE);

  bind_text (s, 1, name);
  sqlite3_bind_int64 (s, 2, now);
  if (!step_done (self, s, "cannot revoke the reviewer", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
set_workflow (IntakeStore               *store,
              const char                *device_id,
              const char                *submission_id,
              const IntakeStoreWorkflow *workflow,
              gint64                     now,
              const char                *updated_by,
              gint64                     expected_version,
              gint64                     change_seq,
              int                       *out_rows,
              GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_WORKFLOW_SET);

  bind_text (s, 1, submission_id);
  bind_text (s, 2, workflow->state);
  bind_text (s, 3, workflow->unit != NULL ? workflow->unit : "");
  sqlite3_bind_int64 (s, 4, now);
  bind_text (s, 5, updated_by);
  sqlite3_bind_int64 (s, 6, expected_version);
  bind_text (s, 7, device_id);
  bind_text (s, 8, workflow->assignee != NULL ? workflow->assignee : "");
  sqlite3_bind_int64 (s, 9, workflow->appointment_at);
  sqlite3_bind_int64 (s, 10, change_seq);
  if (!step_done (self, s, "cannot change the workflow", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
bump_note (IntakeStore  *store,
           const char   *device_id,
           const char   *submission_id,
           gint64        now,
           const char   *reviewer_name,
           gint64        expected_version,
           gint64        change_seq,
           int          *out_rows,
           GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_NOTE_BUMP);

  bind_text (s, 1, submission_id);
  sqlite3_bind_int64 (s, 2, now);
  bind_text (s, 3, reviewer_name);
  sqlite3_bind_int64 (s, 4, expected_version);
  bind_text (s, 5, device_id);
  sqlite3_bind_int64 (s, 6, change_seq);
  if (!step_done (self, s, "cannot add the note", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
insert_note (IntakeStore  *store,
             const char   *device_id,
             const char   *submission_id,
             GBytes       *note,
             const char   *sha256,
             const char   *reviewer_id,
             const char   *reviewer_name,
             gint64        now,
             GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_NOTE_INSERT);

  bind_text (s, 1, submission_id);
  sqlite3_bind_blob64 (s, 2, g_bytes_get_data (note, NULL), g_bytes_get_size (note), SQLITE_TRANSIENT);
  bind_text (s, 3, sha256);
  bind_text (s, 4, reviewer_id);
  bind_text (s, 5, reviewer_name);
  sqlite3_bind_int64 (s, 6, now);
  bind_text (s, 7, device_id);
  return step_done (self, s, "cannot store the note", error);
}

/* One statement in autocommit: on disk before the request is answered. */
static gboolean
insert_nonce (IntakeStore  *store,
                  const char   *signer,
                  const char   *nonce,
                  gint64        expires_at,
                  gboolean     *out_fresh,
                  GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_NONCE_INSERT);

  bind_text (s, 1, signer);
  bind_text (s, 2, nonce);
  sqlite3_bind_int64 (s, 3, expires_at);
  if (!step_done (self, s, "cannot record the request nonce", error))
    return FALSE;
  *out_fresh = sqlite3_changes (self->db) == 1;
  return TRUE;
}

static gboolean
sqlite_prune_nonces (IntakeStore  *store,
                     gint64        now,
                     guint        *out_removed,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_NONCE_PRUNE);

  sqlite3_bind_int64 (s, 1, now);
  if (!step_done (self, s, "cannot forget expired request nonces", error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = (guint) sqlite3_changes (self->db);
  /* Failed unlocks a day old, of names no longer locked, are forgotten too. */
  s = stmt (self, STMT_THROTTLE_PRUNE);
  sqlite3_bind_int64 (s, 1, now - INTAKE_STORE_THROTTLE_KEEP);
  sqlite3_bind_int64 (s, 2, now);
  return step_done (self, s, "cannot forget old failed unlocks", error);
}

/* Staff access ---------------------------------------------------------------- */

static gboolean
insert_scope (IntakeStore  *store,
              gboolean      is_setup,
              const char   *owner,
              const char   *kind,
              const char   *value,
              GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, is_setup ? STMT_SETUP_SCOPE_INSERT : STMT_SCOPE_INSERT);

  bind_text (s, 1, owner);
  bind_text (s, 2, kind);
  bind_text (s, 3, value);
  return step_done (self, s, "cannot store the reviewer's scope", error);
}

static gboolean
delete_scopes (IntakeStore  *store,
               gboolean      is_setup,
               const char   *owner,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, is_setup ? STMT_SETUP_SCOPE_DELETE : STMT_SCOPE_DELETE);

  bind_text (s, 1, owner);
  return step_done (self, s, "cannot change the reviewer's scope", error);
}

static gboolean
read_scopes (IntakeStore  *store,
             gboolean      is_setup,
             const char   *owner,
             char       ***out_locations,
             char       ***out_units,
             GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) locations = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *s = stmt (self, is_setup ? STMT_SETUP_SCOPE_LIST : STMT_SCOPE_LIST);
  int rc;

  bind_text (s, 1, owner);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (g_str_equal (column_text (s, 0), "location") ? locations : units,
                     g_strdup (column_text (s, 1)));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read the reviewer's scope", error);
  *out_locations = intake_store_scope_take (g_steal_pointer (&locations));
  *out_units = intake_store_scope_take (g_steal_pointer (&units));
  return TRUE;
}

static gboolean
set_reviewer_blob (IntakeStore  *store,
                   const char   *reviewer_id,
                   GBytes       *blob,
                   int          *out_rows,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_REVIEWER_SET_BLOB);

  bind_text (s, 1, reviewer_id);
  sqlite3_bind_blob (s, 2, g_bytes_get_data (blob, NULL), (int)g_bytes_get_size (blob), SQLITE_TRANSIENT);
  if (!step_done (self, s, "cannot store the reviewer's new key", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
set_reviewer_roles (IntakeStore  *store,
                    const char   *reviewer_id,
                    const char   *roles,
                    int          *out_rows,
                    GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_REVIEWER_SET_ROLES);

  bind_text (s, 1, reviewer_id);
  bind_text (s, 2, roles);
  if (!step_done (self, s, "cannot change the reviewer's roles", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
upsert_setup (IntakeStore                    *store,
              const IntakeStoreReviewerSetup *setup,
              const char                     *roles,
              GError                        **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SETUP_UPSERT);

  bind_text (s, 1, setup->name);
  sqlite3_bind_blob (s, 2, g_bytes_get_data (setup->blob, NULL), (int)g_bytes_get_size (setup->blob),
                     SQLITE_TRANSIENT);
  bind_text (s, 3, roles);
  sqlite3_bind_int64 (s, 4, setup->created_at);
  sqlite3_bind_int64 (s, 5, setup->expires_at);
  bind_text (s, 6, setup->created_by);
  return step_done (self, s, "cannot store the activation", error);
}

static IntakeStoreReviewerSetup *
read_setup (sqlite3_stmt *s)
{
  IntakeStoreReviewerSetup *setup = g_new0 (IntakeStoreReviewerSetup, 1);

  setup->name = g_strdup (column_text (s, 0));
  setup->blob = g_bytes_new (sqlite3_column_blob (s, 1), sqlite3_column_bytes (s, 1));
  setup->roles = intake_store_roles_from_text (column_text (s, 2));
  setup->created_at = sqlite3_column_int64 (s, 3);
  setup->expires_at = sqlite3_column_int64 (s, 4);
  setup->created_by = g_strdup (column_text (s, 5));
  return setup;
}

static IntakeStoreReviewerSetup *
lookup_setup (IntakeStore  *store,
              const char   *name,
              GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SETUP_GET);
  IntakeStoreReviewerSetup *setup = NULL;
  int rc;

  bind_text (s, 1, name);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    setup = read_setup (s);
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the activation", error);
  sqlite3_reset (s);
  return setup;
}

static GPtrArray *
sqlite_list_reviewer_setups (IntakeStore  *store,
                             GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_reviewer_setup_free);
  sqlite3_stmt *s = stmt (self, STMT_SETUP_LIST);
  int rc;

  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, read_setup (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list activations", error), NULL;
  for (guint i = 0; i < list->len; i++)
    {
      IntakeStoreReviewerSetup *setup = g_ptr_array_index (list, i);

      if (!read_scopes (store, TRUE, setup->name, &setup->locations, &setup->units, error))
        return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
sqlite_record_check_in (IntakeStore               *store,
                        const char                *device_id,
                        const IntakeStoreCheckIn  *report,
                        gint64                     now,
                        GError                   **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_DEVICE_CHECK_IN);

  bind_text (s, 1, device_id);
  sqlite3_bind_int64 (s, 2, now);
  sqlite3_bind_int64 (s, 3, report->pending);
  sqlite3_bind_int64 (s, 4, report->oldest_pending_at);
  bind_text (s, 5, report->questionnaire != NULL ? report->questionnaire : "");
  bind_text (s, 6, report->app_version != NULL ? report->app_version : "");
  bind_text (s, 7, report->last_error != NULL ? report->last_error : "");
  return step_done (self, s, "cannot record a check-in", error);
}

static GPtrArray *
sqlite_list_office_key_seals (IntakeStore  *store,
                              const char   *reviewer_id,
                              GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  sqlite3_stmt *s = stmt (self, STMT_OFFICE_SEAL_LIST);
  int rc;

  bind_text (s, 1, reviewer_id);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, g_bytes_new (sqlite3_column_blob (s, 0), sqlite3_column_bytes (s, 0)));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list the sealed office keys", error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
insert_office_key_seal (IntakeStore                    *store,
                        const IntakeStoreOfficeKeySeal *seal,
                        gint64                          now,
                        GError                        **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_OFFICE_SEAL_PUT);
  gsize len = 0;
  const void *data = g_bytes_get_data (seal->blob, &len);

  bind_text (s, 1, seal->office_key_id);
  bind_text (s, 2, seal->to_reviewer ? "reviewer" : "office");
  bind_text (s, 3, seal->recipient_id);
  sqlite3_bind_blob (s, 4, data, (int)len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (s, 5, now);
  return step_done (self, s, "cannot store a sealed office key", error);
}

static gboolean
delete_office_key_seals (IntakeStore  *store,
                         const char   *office_key_id,
                         GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_OFFICE_SEAL_DELETE);

  bind_text (s, 1, office_key_id);
  return step_done (self, s, "cannot delete the sealed office keys", error);
}

static gboolean
count_office_key_uses (IntakeStore  *store,
                       const char   *office_key_id,
                       gint64       *out_count,
                       GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_OFFICE_KEY_USES);
  guint8 raw[INTAKE_OFFICE_KEY_ID_BYTES];
  int rc;

  if (!intake_hex_decode (office_key_id, raw, sizeof raw))
    return FALSE;
  bind_text (s, 1, office_key_id);
  sqlite3_bind_blob (s, 2, raw, sizeof raw, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *out_count = sqlite3_column_int64 (s, 0);
  sqlite3_reset (s);
  if (rc != SQLITE_ROW)
    return set_db_error (self, rc, "cannot count what is sealed for an office key", error);
  return TRUE;
}

static gboolean
delete_setup (IntakeStore  *store,
              const char   *name,
              GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_SETUP_DELETE);

  bind_text (s, 1, name);
  return step_done (self, s, "cannot remove the activation", error);
}

static gboolean
lookup_throttle (IntakeStore          *store,
                 const char           *name_key,
                 IntakeStoreThrottle  *out_throttle,
                 GError              **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_THROTTLE_GET);
  int rc;

  memset (out_throttle, 0, sizeof *out_throttle);
  bind_text (s, 1, name_key);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    {
      out_throttle->failures = sqlite3_column_int64 (s, 0);
      out_throttle->last_failure = sqlite3_column_int64 (s, 1);
      out_throttle->locked_until = sqlite3_column_int64 (s, 2);
    }
  sqlite3_reset (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot read failed unlocks", error);
  return TRUE;
}

static gboolean
throttle_fail (IntakeStore  *store,
               const char   *name_key,
               gint64        now,
               gint64        stale_before,
               gint64       *out_failures,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_THROTTLE_FAIL);
  int rc;

  bind_text (s, 1, name_key);
  sqlite3_bind_int64 (s, 2, now);
  sqlite3_bind_int64 (s, 3, stale_before);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *out_failures = sqlite3_column_int64 (s, 0);
  if (rc == SQLITE_ROW)
    rc = sqlite3_step (s);
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot count the failed unlock", error);
  return TRUE;
}

static gboolean
throttle_lock (IntakeStore  *store,
               const char   *name_key,
               gint64        until,
               GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_THROTTLE_LOCK);

  bind_text (s, 1, name_key);
  sqlite3_bind_int64 (s, 2, until);
  return step_done (self, s, "cannot lock the name", error);
}

static gboolean
throttle_clear (IntakeStore  *store,
                const char   *name_key,
                GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_THROTTLE_CLEAR);

  bind_text (s, 1, name_key);
  return step_done (self, s, "cannot forget failed unlocks", error);
}

/* Columns in the order of INTAKE_STORE_HELP_COLUMNS. */
static IntakeStoreHelpRequest *
read_help_request (sqlite3_stmt *s)
{
  IntakeStoreHelpRequest *request = g_new0 (IntakeStoreHelpRequest, 1);

  request->id = sqlite3_column_int64 (s, 0);
  g_strlcpy (request->device_id, column_text (s, 1), sizeof request->device_id);
  request->location = g_strdup (column_text (s, 2));
  g_strlcpy (request->language, column_text (s, 3), sizeof request->language);
  request->created_at = sqlite3_column_int64 (s, 4);
  request->received_at = sqlite3_column_int64 (s, 5);
  request->handled_at = sqlite3_column_int64 (s, 6);
  request->handled_by = g_strdup (column_text (s, 7));
  return request;
}

static IntakeStoreHelpRequest *
lookup_help_request (IntakeStore  *store,
                     gint64        id,
                     GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_HELP_GET);
  IntakeStoreHelpRequest *request = NULL;
  int rc;

  sqlite3_bind_int64 (s, 1, id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    request = read_help_request (s);
  else if (rc != SQLITE_DONE)
    set_db_error (self, rc, "cannot read the help request", error);
  sqlite3_reset (s);
  return request;
}

static gboolean
set_help_handled (IntakeStore  *store,
                  gint64        id,
                  gint64        now,
                  const char   *handled_by,
                  int          *out_rows,
                  GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_HELP_HANDLE);

  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_int64 (s, 2, now);
  bind_text (s, 3, handled_by);
  if (!step_done (self, s, "cannot mark the help request handled", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static GPtrArray *
sqlite_list_open_help_requests (IntakeStore  *store,
                                guint         limit,
                                GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_help_request_free);
  sqlite3_stmt *s = stmt (self, STMT_HELP_LIST_OPEN);
  int rc;

  sqlite3_bind_int64 (s, 1, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (list, read_help_request (s));
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list open help requests", error), NULL;
  return g_steal_pointer (&list);
}

/* Retention and erasure -------------------------------------------------------- */

static gboolean
list_expired (IntakeStore          *store,
              IntakeRetentionRule   rule,
              gint64                cutoff,
              guint                 limit,
              GPtrArray           **out_ids,
              GError              **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_assert (rule == INTAKE_RETENTION_CLOSED || rule == INTAKE_RETENTION_MAXIMUM);
  s = stmt (self, rule == INTAKE_RETENTION_CLOSED ? STMT_EXPIRED_CLOSED : STMT_EXPIRED_MAXIMUM);
  sqlite3_bind_int64 (s, 1, cutoff);
  sqlite3_bind_int64 (s, 2, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      g_ptr_array_add (ids, g_strdup (column_text (s, 0)));
      g_ptr_array_add (ids, g_strdup (column_text (s, 1)));
    }
  sqlite3_reset (s);
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot list the submissions past their retention", error);
  *out_ids = g_steal_pointer (&ids);
  return TRUE;
}

static gboolean
count_expired (IntakeStore          *store,
               IntakeRetentionRule   rule,
               gint64                cutoff,
               gint64                closed_cutoff,
               gint64               *out_count,
               GError              **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  static const IntakeStoreStmt which[INTAKE_RETENTION_N_RULES] = {
    [INTAKE_RETENTION_CLOSED] = STMT_COUNT_EXPIRED_CLOSED,
    [INTAKE_RETENTION_MAXIMUM] = STMT_COUNT_EXPIRED_MAXIMUM,
    [INTAKE_RETENTION_HELP] = STMT_COUNT_EXPIRED_HELP,
  };
  sqlite3_stmt *s = stmt (self, which[rule]);
  int rc;

  sqlite3_bind_int64 (s, 1, cutoff);
  if (rule == INTAKE_RETENTION_MAXIMUM)
    sqlite3_bind_int64 (s, 2, closed_cutoff);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *out_count = sqlite3_column_int64 (s, 0);
  sqlite3_reset (s);
  if (rc != SQLITE_ROW)
    return set_db_error (self, rc, "cannot count what retention would remove", error);
  return TRUE;
}

static gboolean
delete_submission (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   int          *out_rows,
                   GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  /* Children first: notes and the workflow row refer to the envelope. */
  static const IntakeStoreStmt order[] = {
    STMT_ERASE_NOTES, STMT_ERASE_CONFLICTS, STMT_ERASE_SUBMISSION, STMT_ERASE_ENVELOPE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      sqlite3_stmt *s = stmt (self, order[i]);

      bind_text (s, 1, submission_id);
      bind_text (s, 2, device_id);
      if (!step_done (self, s, "cannot remove the submission", error))
        return FALSE;
    }
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

static gboolean
delete_help_requests (IntakeStore  *store,
                      gint64        cutoff,
                      int          *out_rows,
                      GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  sqlite3_stmt *s = stmt (self, STMT_HELP_PURGE);

  sqlite3_bind_int64 (s, 1, cutoff);
  if (!step_done (self, s, "cannot remove old help requests", error))
    return FALSE;
  *out_rows = sqlite3_changes (self->db);
  return TRUE;
}

/* secure_delete (set at open) zeroed the freed pages, but the WAL still
 * holds the frames that wrote the rows, and the pages as they were before
 * the deletion: copy the WAL into the database and truncate it to zero
 * bytes. It waits for readers (busy_timeout); a reader that stays longer
 * leaves the WAL for the next purge or checkpoint. */
static gboolean
reclaim (IntakeStore  *store,
         GError      **error)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (store);
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_db_error (self, rc, "cannot checkpoint the WAL", error);
  return TRUE;
}

INTAKE_STORE_DEFINE_BACKEND (sqlite_backend, NULL, NULL);

/* Envelopes stored before schema 2 get their reference codes here (SQL
 * cannot compute them), in short transactions. Not shared with the
 * PostgreSQL backend: here each batch holds the write lock (BEGIN
 * IMMEDIATE) so that intake-admin can work in between; there each UPDATE
 * commits on its own. */
static gboolean
fill_references (IntakeStoreSqlite  *self,
                 GError            **error)
{
  for (;;)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      sqlite3_stmt *s;
      int rc;

      if (!begin (self, error))
        return FALSE;
      s = stmt (self, STMT_SUBMISSION_MISSING_REF);
      while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup (column_text (s, 0)));
      sqlite3_reset (s);
      if (rc != SQLITE_DONE)
        {
          set_db_error (self, rc, "cannot read submissions", error);
          return rollback (self);
        }
      for (guint i = 0; i < ids->len; i++)
        {
          g_autofree char *reference = intake_store_reference_for (g_ptr_array_index (ids, i));

          s = stmt (self, STMT_SUBMISSION_SET_REF);
          bind_text (s, 1, g_ptr_array_index (ids, i));
          bind_text (s, 2, reference);
          if (!step_done (self, s, "cannot set a reference code", error))
            return rollback (self);
        }
      if (!commit (self, error))
        return FALSE;
      if (ids->len == 0)
        return TRUE;
    }
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
  /* The decisions shared with the PostgreSQL backend, on sqlite_backend. */
  intake_store_common_iface_init (iface);
  iface->list_devices = sqlite_list_devices;
  iface->dup_envelope = sqlite_dup_envelope;
  iface->list_envelopes = sqlite_list_envelopes;
  iface->get_counts = sqlite_get_counts;
  iface->check_health = sqlite_check_health;
  iface->ensure_setting = sqlite_ensure_setting;
  iface->set_setting = sqlite_set_setting;
  iface->check_files = sqlite_check_files;
  iface->get_directory = sqlite_get_directory;
  iface->get_schema_version = sqlite_get_schema_version;
  iface->open_another = sqlite_open_another;
  iface->checkpoint = sqlite_checkpoint;
  iface->get_backend_name = sqlite_get_backend_name;
  iface->get_reviewer = sqlite_get_reviewer;
  iface->list_reviewers = sqlite_list_reviewers;
  iface->list_submissions = sqlite_list_submissions;
  iface->count_submissions = sqlite_count_submissions;
  iface->foreach_fact = sqlite_foreach_fact;
  iface->list_notes = sqlite_list_notes;
  iface->list_audit = sqlite_list_audit;
  iface->get_audit_head = sqlite_get_audit_head;
  iface->put_help_request = sqlite_put_help_request;
  iface->list_help_requests = sqlite_list_help_requests;
  iface->put_questionnaire = sqlite_put_questionnaire;
  iface->list_questionnaires = sqlite_list_questionnaires;
  iface->prune_nonces = sqlite_prune_nonces;
  iface->list_open_help_requests = sqlite_list_open_help_requests;
  iface->list_reviewer_setups = sqlite_list_reviewer_setups;
  iface->list_office_key_seals = sqlite_list_office_key_seals;
  iface->record_check_in = sqlite_record_check_in;
}

static void
intake_store_sqlite_finalize (GObject *object)
{
  IntakeStoreSqlite *self = INTAKE_STORE_SQLITE (object);

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_free (self->dir);

  G_OBJECT_CLASS (intake_store_sqlite_parent_class)->finalize (object);
}

static void
intake_store_sqlite_class_init (IntakeStoreSqliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_store_sqlite_finalize;
  intake_store_backend_install (INTAKE_TYPE_STORE_SQLITE, &sqlite_backend);
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

/* Fails when a row points at nothing: a migration that rebuilt a table
 * (with foreign keys off) must leave every reference intact. */
static gboolean
check_foreign_keys (IntakeStoreSqlite  *self,
                    GError            **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &s, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (s);
  sqlite3_finalize (s);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                   "%s has rows whose references point at nothing; restore the latest backup", self->path);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_db_error (self, rc, "cannot check the store's references", error);
  return TRUE;
}

static gboolean migrate_locked (IntakeStoreSqlite  *self,
                                GError            **error);

static gboolean
migrate (IntakeStoreSqlite  *self,
         GError            **error)
{
  gboolean ok;

  /* Foreign keys cannot be turned off inside a transaction, and a table
   * that others refer to can only be rebuilt with them off (SQLite's
   * "ALTER TABLE" procedure); each migration checks them before it
   * commits instead. */
  if (!exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  ok = migrate_locked (self, error);
  if (!exec (self, "PRAGMA foreign_keys = ON", ok ? error : NULL))
    return FALSE;
  return ok;
}

static gboolean
migrate_locked (IntakeStoreSqlite  *self,
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
      if (!exec (self, migrations[version], error) || !exec (self, record, error) ||
          !check_foreign_keys (self, error))
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

static IntakeStore *
open_existing (const char  *path,
               GError     **error)
{
  g_autoptr(IntakeStoreSqlite) self = NULL;
  int rc;

  self = g_object_new (INTAKE_TYPE_STORE_SQLITE, NULL);
  self->path = g_strdup (path);
  self->dir = g_path_get_dirname (path);
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
                     /* Deleted rows (a purge, an erasure) are overwritten
                      * with zeros, not left in free pages (docs/privacy.md). */
                     "PRAGMA secure_delete = ON;"
                     "PRAGMA cell_size_check = ON;", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, INTAKE_STORE_ERROR, (rc & 0xff) == SQLITE_NOTADB ? INTAKE_STORE_ERROR_DAMAGED
                                                                            : INTAKE_STORE_ERROR_OPEN,
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

  if (!fill_references (self, error))
    return NULL;

  return INTAKE_STORE (g_steal_pointer (&self));
}

static void
sync_path (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* A new store is built under a temporary name and linked into place
 * complete, so that @path never names an empty or half-made store: an
 * empty intake.db can then only mean a lost one (intake_store_sqlite_open()
 * refuses it). Two processes creating it at once: the first link wins and
 * both open that one. */
static gboolean
create_new (const char  *path,
            GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".new-XXXXXX", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(IntakeStore) store = NULL;
  int fd, saved = 0;

  /* Mode 0600: sqlite3_open_v2 would use the umask. */
  if ((fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      saved = errno;
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot create the store %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  if ((store = open_existing (tmp, error)) != NULL)
    {
      /* Closing checkpoints the WAL into the file and removes it. */
      g_clear_object (&store);
      sync_path (tmp);
      if (link (tmp, path) != 0 && errno != EEXIST)
        saved = errno;
    }
  g_unlink (tmp);
  {
    g_autofree char *wal = g_strconcat (tmp, "-wal", NULL);
    g_autofree char *shm = g_strconcat (tmp, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  if (error != NULL && *error != NULL)
    return FALSE;
  if (saved != 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot create the store %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  sync_path (dir);
  return TRUE;
}

IntakeStore *
intake_store_sqlite_open (const char  *path,
                          GError     **error)
{
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved != ENOENT)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                       "cannot open the store %s: %s", path, g_strerror (saved));
          return NULL;
        }
      if (!create_new (path, error))
        return NULL;
    }
  else if (st.st_size == 0)
    {
      /* SQLite would take it for a new, empty database. */
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                   "%s is empty (0 bytes) where a store was expected (its devices, reviewers and audit log "
                   "would be gone): restore it from the latest backup; only if this is a new installation with "
                   "nothing in it yet, delete the file and start again", path);
      return NULL;
    }
  return open_existing (path, error);
}

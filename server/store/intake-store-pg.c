/* intake-store-pg.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One libpq connection per server process. Statements are prepared once
 * per connection (again after a reconnect); parameters go as text except
 * envelope bytes and keys, which go as binary bytea; results come back in
 * binary. Every multi-statement change runs in an explicit transaction.
 * The schema is migrated on connect under pg_advisory_lock, so several
 * server instances can start against the same database at once.
 *
 * The server answers every request on one main loop, and libpq's calls
 * block: a statement that waits (on a lock someone else holds, say) would
 * stop every other request with it. So connecting gives up after
 * connect_timeout, and each connection runs with a statement_timeout and
 * a shorter lock_timeout: the statement is cancelled by the database, the
 * caller gets an error (the server's 503), the transaction is rolled back
 * and the connection stays usable.
 */
#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include "intake-protocol.h"
#include "intake-store-common.h"
#include "intake-store-pg.h"
#include "intake-store-sql.h"

/* Any fixed number: it only has to be the same in every instance. */
#define MIGRATION_LOCK_KEY "7595718147998050664"
#define MAX_PARAMS 12
/* Seconds; libpq's default is to wait as long as TCP does (minutes). */
#define DEFAULT_CONNECT_TIMEOUT "10"

struct _IntakeStorePg
{
  GObject   parent_instance;

  PGconn   *conn;
  char     *conninfo;
  gboolean  prepared;
  gboolean  timeouts_set;
  int       schema_version;
  guint     statement_timeout_ms;
};

static void intake_store_pg_iface_init (IntakeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IntakeStorePg, intake_store_pg, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (INTAKE_TYPE_STORE, intake_store_pg_iface_init))

/* Append-only, like the SQLite list; the same tables with PostgreSQL types. */
static const char * const migrations[] = {
  /* 1 */
  "CREATE TABLE enroll_codes ("
  "  code_hash   TEXT PRIMARY KEY,"
  "  location    TEXT NOT NULL,"
  "  created_at  BIGINT NOT NULL,"
  "  expires_at  BIGINT NOT NULL,"
  "  used_at     BIGINT,"
  "  used_by     TEXT"
  ");"
  "CREATE TABLE devices ("
  "  device_id   TEXT PRIMARY KEY,"
  "  sign_pk     BYTEA NOT NULL CHECK (length (sign_pk) = 32),"
  "  location    TEXT NOT NULL,"
  "  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),"
  "  enrolled_at BIGINT NOT NULL,"
  "  revoked_at  BIGINT"
  ");"
  "CREATE TABLE envelopes ("
  "  seq                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  submission_id         TEXT NOT NULL UNIQUE,"
  "  device_id             TEXT NOT NULL REFERENCES devices (device_id),"
  "  envelope              BYTEA NOT NULL,"
  "  sha256                TEXT NOT NULL,"
  "  size                  BIGINT NOT NULL,"
  "  created_at            BIGINT NOT NULL,"
  "  questionnaire_id      TEXT NOT NULL,"
  "  questionnaire_version BIGINT NOT NULL,"
  "  questionnaire_hash    TEXT NOT NULL,"
  "  office_key_id         TEXT NOT NULL,"
  "  received_at           BIGINT NOT NULL,"
  "  source                TEXT NOT NULL CHECK (source IN ('upload', 'bundle'))"
  ");"
  "CREATE INDEX envelopes_by_device ON envelopes (device_id, seq);"
  "CREATE TABLE conflicts ("
  "  submission_id TEXT NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  device_id     TEXT NOT NULL,"
  "  stored_sha256 TEXT NOT NULL,"
  "  source        TEXT NOT NULL,"
  "  first_seen    BIGINT NOT NULL,"
  "  last_seen     BIGINT NOT NULL,"
  "  attempts      BIGINT NOT NULL,"
  "  PRIMARY KEY (submission_id, sha256)"
  ");"
  "CREATE TABLE settings ("
  "  name  TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");",
  /* 2: review, as in the SQLite list. */
  "CREATE TABLE submissions ("
  "  seq           BIGINT PRIMARY KEY REFERENCES envelopes (seq),"
  "  submission_id TEXT NOT NULL UNIQUE,"
  "  location      TEXT NOT NULL,"
  "  reference     TEXT NOT NULL,"
  "  created_at    BIGINT NOT NULL,"
  "  received_at   BIGINT NOT NULL,"
  "  state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_review',"
  "                  'conversation_planned', 'closed', 'needs_follow_up')),"
  "  unit          TEXT NOT NULL DEFAULT '',"
  "  version       BIGINT NOT NULL DEFAULT 1,"
  "  updated_at    BIGINT NOT NULL DEFAULT 0,"
  "  updated_by    TEXT NOT NULL DEFAULT '',"
  "  notes         BIGINT NOT NULL DEFAULT 0"
  ");"
  "INSERT INTO submissions (seq, submission_id, location, reference, created_at, received_at)"
  "  SELECT e.seq, e.submission_id, coalesce (d.location, ''), '', e.created_at, e.received_at"
  "  FROM envelopes e LEFT JOIN devices d ON d.device_id = e.device_id;"
  "CREATE INDEX submissions_state ON submissions (state, seq);"
  "CREATE INDEX submissions_location ON submissions (location, seq);"
  "CREATE INDEX submissions_reference ON submissions (reference);"
  "CREATE INDEX submissions_created ON submissions (created_at);"
  "CREATE TABLE notes ("
  "  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  submission_id TEXT NOT NULL REFERENCES submissions (submission_id),"
  "  envelope      BYTEA NOT NULL,"
  "  sha256        TEXT NOT NULL,"
  "  reviewer_id   TEXT NOT NULL,"
  "  reviewer      TEXT NOT NULL,"
  "  created_at    BIGINT NOT NULL"
  ");"
  "CREATE INDEX notes_by_submission ON notes (submission_id, id);"
  "CREATE TABLE reviewers ("
  "  reviewer_id TEXT PRIMARY KEY,"
  "  name        TEXT NOT NULL,"
  "  sign_pk     BYTEA NOT NULL CHECK (length (sign_pk) = 32),"
  "  blob        BYTEA NOT NULL,"
  "  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),"
  "  created_at  BIGINT NOT NULL,"
  "  revoked_at  BIGINT"
  ");"
  "CREATE UNIQUE INDEX reviewers_active_name ON reviewers (name) WHERE status = 'active';"
  "CREATE INDEX reviewers_by_name ON reviewers (name, created_at);"
  "CREATE TABLE audit_log ("
  "  seq    BIGINT PRIMARY KEY,"
  "  time   BIGINT NOT NULL,"
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
  "  id   BIGINT PRIMARY KEY CHECK (id = 1),"
  "  seq  BIGINT NOT NULL,"
  "  hash TEXT NOT NULL"
  ");"
  "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" INTAKE_AUDIT_ZERO_HASH "');"
  "CREATE TABLE help_requests ("
  "  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  device_id   TEXT NOT NULL,"
  "  client_key  TEXT NOT NULL,"
  "  created_at  BIGINT NOT NULL,"
  "  language    TEXT NOT NULL,"
  "  location    TEXT NOT NULL,"
  "  received_at BIGINT NOT NULL,"
  "  UNIQUE (device_id, client_key)"
  ");"
  "CREATE INDEX help_requests_created ON help_requests (created_at);"
  "CREATE TABLE questionnaires ("
  "  id         TEXT NOT NULL,"
  "  version    BIGINT NOT NULL,"
  "  hash       TEXT NOT NULL,"
  "  canonical  BYTEA NOT NULL,"
  "  signature  BYTEA NOT NULL,"
  "  first_seen BIGINT NOT NULL,"
  "  PRIMARY KEY (id, version, hash)"
  ");",
  /* 3: replay, as in the SQLite list. */
  "CREATE TABLE request_nonces ("
  "  signer     TEXT NOT NULL,"
  "  nonce      TEXT NOT NULL,"
  "  expires_at BIGINT NOT NULL,"
  "  PRIMARY KEY (signer, nonce)"
  ");"
  "CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);",
  /* 4: an envelope is identified by (device id, submission id), as in the
   * SQLite list. */
  "ALTER TABLE envelopes DROP CONSTRAINT envelopes_submission_id_key;"
  "ALTER TABLE envelopes ADD CONSTRAINT envelopes_device_submission_key UNIQUE (device_id, submission_id);"
  "ALTER TABLE submissions ADD COLUMN device_id TEXT;"
  "UPDATE submissions s SET device_id = e.device_id FROM envelopes e WHERE e.seq = s.seq;"
  "ALTER TABLE submissions ALTER COLUMN device_id SET NOT NULL;"
  "ALTER TABLE notes DROP CONSTRAINT notes_submission_id_fkey;"
  "ALTER TABLE submissions DROP CONSTRAINT submissions_submission_id_key;"
  "ALTER TABLE submissions ADD CONSTRAINT submissions_device_submission_key UNIQUE (device_id, submission_id);"
  "ALTER TABLE notes ADD COLUMN device_id TEXT;"
  "UPDATE notes n SET device_id = s.device_id FROM submissions s WHERE s.submission_id = n.submission_id;"
  "ALTER TABLE notes ALTER COLUMN device_id SET NOT NULL;"
  "ALTER TABLE notes ADD CONSTRAINT notes_submission_fkey FOREIGN KEY (device_id, submission_id)"
  "  REFERENCES submissions (device_id, submission_id);"
  "DROP INDEX notes_by_submission;"
  "CREATE INDEX notes_by_submission ON notes (device_id, submission_id, id);"
  "ALTER TABLE conflicts DROP CONSTRAINT conflicts_pkey;"
  "ALTER TABLE conflicts ADD PRIMARY KEY (device_id, submission_id, sha256);",
  /* 5: staff access, as in the SQLite list. */
  "ALTER TABLE reviewers ADD COLUMN roles TEXT NOT NULL DEFAULT 'caseworker,team_lead,privacy_officer';"
  "CREATE TABLE reviewer_scopes ("
  "  reviewer_id TEXT NOT NULL REFERENCES reviewers (reviewer_id),"
  "  kind        TEXT NOT NULL CHECK (kind IN ('location', 'unit')),"
  "  value       TEXT NOT NULL,"
  "  PRIMARY KEY (reviewer_id, kind, value)"
  ");"
  "CREATE TABLE reviewer_setups ("
  "  name       TEXT PRIMARY KEY,"
  "  blob       BYTEA NOT NULL,"
  "  roles      TEXT NOT NULL,"
  "  created_at BIGINT NOT NULL,"
  "  expires_at BIGINT NOT NULL,"
  "  created_by TEXT NOT NULL"
  ");"
  "CREATE TABLE setup_scopes ("
  "  name  TEXT NOT NULL REFERENCES reviewer_setups (name),"
  "  kind  TEXT NOT NULL CHECK (kind IN ('location', 'unit')),"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (name, kind, value)"
  ");"
  "CREATE TABLE unlock_throttle ("
  "  name_key     TEXT PRIMARY KEY,"
  "  failures     BIGINT NOT NULL,"
  "  last_failure BIGINT NOT NULL,"
  "  locked_until BIGINT NOT NULL"
  ");",
  /* 6: staff mark help requests handled, as in the SQLite list. */
  "ALTER TABLE help_requests ADD COLUMN handled_at BIGINT;"
  "ALTER TABLE help_requests ADD COLUMN handled_by TEXT;"
  "UPDATE help_requests SET handled_at = received_at, handled_by = '';"
  "CREATE INDEX help_requests_open ON help_requests (handled_at, created_at);",
  /* 7: the queue, as in the SQLite list. */
  "ALTER TABLE submissions ADD COLUMN assignee TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE submissions ADD COLUMN appointment_at BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE submissions ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;"
  "CREATE INDEX submissions_assignee ON submissions (assignee, seq);"
  "CREATE INDEX submissions_changes ON submissions (change_seq);"
  "CREATE INDEX submissions_queue ON submissions (state, unit, assignee, change_seq);",
  /* 8: the store's generation, as in the SQLite list. */
  "INSERT INTO settings (name, value) VALUES ('store_generation', replace (gen_random_uuid ()::text, '-', ''));",
  /* 9: office key rotation, as in the SQLite list. */
  "CREATE TABLE office_key_seals ("
  "  office_key_id  TEXT NOT NULL,"
  "  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('office', 'reviewer')),"
  "  recipient_id   TEXT NOT NULL,"
  "  blob           BYTEA NOT NULL,"
  "  created_at     BIGINT NOT NULL,"
  "  PRIMARY KEY (office_key_id, recipient_kind, recipient_id)"
  ");",
  /* 10: check-in reports, as in the SQLite list. */
  "ALTER TABLE devices ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN reported_pending BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN oldest_pending_at BIGINT NOT NULL DEFAULT 0;"
  "ALTER TABLE devices ADD COLUMN questionnaire TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE devices ADD COLUMN app_version TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE devices ADD COLUMN last_error TEXT NOT NULL DEFAULT '';",
  /* 11: an envelope row (about 2 KiB of sealed, incompressible bytes)
   * stays in its heap page. Above the default target (2 KiB) PostgreSQL
   * tried to compress each one, failed, and moved it into the TOAST table:
   * one more heap row and index entry per envelope, and the CPU of the
   * failed compression. Rows written before stay where they are. */
  "ALTER TABLE envelopes SET (toast_tuple_target = 8160);",
};


G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == INTAKE_STORE_SCHEMA_VERSION);

typedef struct {
  int         n;
  const char *values[MAX_PARAMS];
  int         lengths[MAX_PARAMS];
  int         formats[MAX_PARAMS];
  char        ints[MAX_PARAMS][24];
} Params;

static void
param_text (Params     *p,
            const char *text)
{
  g_assert (p->n < MAX_PARAMS);
  p->values[p->n] = text;
  p->lengths[p->n] = 0;
  p->formats[p->n] = 0;
  p->n++;
}

static void
param_int (Params *p,
           gint64  value)
{
  g_assert (p->n < MAX_PARAMS);
  g_snprintf (p->ints[p->n], sizeof p->ints[p->n], "%" G_GINT64_FORMAT, value);
  param_text (p, p->ints[p->n]);
}

static void
param_bytes (Params       *p,
             const guint8 *data,
             gsize         len)
{
  g_assert (p->n < MAX_PARAMS);
  g_assert (len <= G_MAXINT);
  p->values[p->n] = data != NULL ? (const char *)data : "";
  p->lengths[p->n] = (int)len;
  p->formats[p->n] = 1;
  p->n++;
}

static gint64
get_int (const PGresult *res,
         int             row,
         int             column)
{
  const guint8 *data;
  int len;

  if (PQgetisnull (res, row, column))
    return 0;
  data = (const guint8 *)PQgetvalue (res, row, column);
  len = PQgetlength (res, row, column);
  if (len == 8)
    {
      guint64 be;

      memcpy (&be, data, 8);
      return (gint64)GUINT64_FROM_BE (be);
    }
  if (len == 4)
    {
      guint32 be;

      memcpy (&be, data, 4);
      return (gint32)GUINT32_FROM_BE (be);
    }
  g_assert_not_reached ();
}

/* Binary text columns are the bytes themselves; libpq adds the NUL. */
static const char *
get_text (const PGresult *res,
          int             row,
          int             column)
{
  return PQgetisnull (res, row, column) ? "" : PQgetvalue (res, row, column);
}

static gboolean
set_pg_error (IntakeStorePg   *self,
              const PGresult  *res,
              const char      *what,
              GError         **error)
{
  g_autofree char *message = g_strdup (res != NULL && *PQresultErrorMessage (res) != '\0'
                                       ? PQresultErrorMessage (res)
                                       : PQerrorMessage (self->conn));

  g_strstrip (g_strdelimit (message, "\n", ' '));
  g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "%s: %s", what, message);
  return FALSE;
}

static const char *
sqlstate (const PGresult *res)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;

  return state != NULL ? state : "";
}

static char *
stmt_name (IntakeStoreStmt which)
{
  return g_strdup_printf ("intake_%d", (int)which);
}

/* "?12" -> "$12": the shared statements use SQLite's numbered parameters;
 * and INTAKE_STORE_PG_ONLY()'s clauses lose their comment marks. */
static char *
to_pg_sql (const char *sql)
{
  static const char open_mark[] = "/*pg ";
  GString *out = g_string_new (NULL);

  for (const char *p = sql; *p != '\0'; p++)
    {
      const char *close;

      if (g_str_has_prefix (p, open_mark) && (close = strstr (p, "*/")) != NULL)
        {
          g_string_append_len (out, p + strlen (open_mark), close - p - strlen (open_mark));
          p = close + 1;
          continue;
        }
      g_string_append_c (out, *p == '?' ? '$' : *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
exec_simple (IntakeStorePg  *self,
             const char     *sql,
             GError        **error)
{
  PGresult *res = PQexec (self->conn, sql);
  ExecStatusType status = PQresultStatus (res);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    set_pg_error (self, res, "the store refused a statement", error);
  PQclear (res);
  return ok;
}

static gboolean
prepare_all (IntakeStorePg  *self,
             GError        **error)
{
  for (guint i = 0; i < N_STMTS; i++)
    {
      g_autofree char *name = stmt_name (i);
      g_autofree char *sql = to_pg_sql (intake_store_sql[i]);
      PGresult *res = PQprepare (self->conn, name, sql, 0, NULL);

      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        {
          set_pg_error (self, res, "cannot prepare the store's statements", error);
          PQclear (res);
          return FALSE;
        }
      PQclear (res);
    }
  self->prepared = TRUE;
  return TRUE;
}

/* Session settings belong to the connection, so they are set again after
 * every reconnect, and outside a transaction (a rollback would undo them).
 * A lock wait gives up before the statement does, so the error (and the
 * server's log line) says which of the two it was. */
static gboolean
set_timeouts (IntakeStorePg  *self,
              GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SET statement_timeout = %u; SET lock_timeout = %u",
                                          self->statement_timeout_ms, self->statement_timeout_ms / 2);

  self->timeouts_set = exec_simple (self, sql, error);
  return self->timeouts_set;
}

/* A lost connection (database restart, failover) is retried once per
 * operation; the caller's request then fails and the kiosk retries. */
static gboolean
ensure_connected (IntakeStorePg  *self,
                  GError        **error)
{
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      PQreset (self->conn);
      self->prepared = FALSE;
      self->timeouts_set = FALSE;
      if (PQstatus (self->conn) != CONNECTION_OK)
        {
          g_autofree char *message = g_strdup (PQerrorMessage (self->conn));

          g_strstrip (g_strdelimit (message, "\n", ' '));
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                       "the PostgreSQL store is unreachable: %s", message);
          return FALSE;
        }
    }
  if (PQtransactionStatus (self->conn) == PQTRANS_INERROR)
    exec_simple (self, "ROLLBACK", NULL);
  if (!self->timeouts_set && !set_timeouts (self, error))
    return FALSE;
  if (!self->prepared)
    return prepare_all (self, error);
  return TRUE;
}

static PGresult *
run (IntakeStorePg    *self,
     IntakeStoreStmt   which,
     Params           *p,
     const char       *what,
     GError          **error)
{
  g_autofree char *name = stmt_name (which);
  PGresult *res;
  ExecStatusType status;

  res = PQexecPrepared (self->conn, name, p->n, p->values, p->lengths, p->formats, 1);
  status = PQresultStatus (res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;
  set_pg_error (self, res, what, error);
  PQclear (res);
  return NULL;
}

static gboolean
begin (IntakeStorePg  *self,
       GError        **error)
{
  return ensure_connected (self, error) && exec_simple (self, "BEGIN", error);
}

static gboolean
commit (IntakeStorePg  *self,
        GError        **error)
{
  return exec_simple (self, "COMMIT", error);
}

static gboolean
rollback (IntakeStorePg *self)
{
  if (PQtransactionStatus (self->conn) != PQTRANS_IDLE)
    exec_simple (self, "ROLLBACK", NULL);
  return FALSE;
}

static IntakeStoreDevice *
read_device (const PGresult *res,
             int             row)
{
  IntakeStoreDevice *device = g_new0 (IntakeStoreDevice, 1);

  g_strlcpy (device->device_id, get_text (res, row, 0), sizeof device->device_id);
  if (PQgetlength (res, row, 1) == INTAKE_SIGN_PUBLIC_BYTES)
    memcpy (device->sign_pk, PQgetvalue (res, row, 1), INTAKE_SIGN_PUBLIC_BYTES);
  device->location = g_strdup (get_text (res, row, 2));
  device->status = g_str_equal (get_text (res, row, 3), "revoked") ? INTAKE_DEVICE_STATUS_REVOKED
                                                                   : INTAKE_DEVICE_STATUS_ACTIVE;
  device->enrolled_at = get_int (res, row, 4);
  device->revoked_at = get_int (res, row, 5);
  device->last_seen_at = get_int (res, row, 6);
  device->reported_pending = get_int (res, row, 7);
  device->oldest_pending_at = get_int (res, row, 8);
  device->questionnaire = g_strdup (get_text (res, row, 9));
  device->app_version = g_strdup (get_text (res, row, 10));
  device->last_error = g_strdup (get_text (res, row, 11));
  if (PQnfields (res) > 12)
    device->last_upload_at = get_int (res, row, 12);
  return device;
}

static void
read_envelope_meta (const PGresult      *res,
                    int                  row,
                    IntakeStoreEnvelope *meta)
{
  memset (meta, 0, sizeof *meta);
  meta->seq = get_int (res, row, 0);
  g_strlcpy (meta->submission_id, get_text (res, row, 1), sizeof meta->submission_id);
  g_strlcpy (meta->device_id, get_text (res, row, 2), sizeof meta->device_id);
  g_strlcpy (meta->sha256, get_text (res, row, 3), sizeof meta->sha256);
  meta->size = get_int (res, row, 4);
  meta->created_at = get_int (res, row, 5);
  g_strlcpy (meta->questionnaire_id, get_text (res, row, 6), sizeof meta->questionnaire_id);
  meta->questionnaire_version = get_int (res, row, 7);
  g_strlcpy (meta->questionnaire_hash, get_text (res, row, 8), sizeof meta->questionnaire_hash);
  g_strlcpy (meta->office_key_id, get_text (res, row, 9), sizeof meta->office_key_id);
  meta->received_at = get_int (res, row, 10);
  intake_envelope_source_from_string (get_text (res, row, 11), &meta->source);
}

/* After ensure_ready, outside a transaction. */
static gboolean
insert_enroll_code (IntakeStore  *store,
                    const char   *code_hash,
                    const char   *location,
                    gint64        created_at,
                    gint64        expires_at,
                    gboolean     *out_exists,
                    GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *name = stmt_name (STMT_CODE_INSERT);
  Params p = { 0 };
  PGresult *res;
  gboolean ok;

  param_text (&p, code_hash);
  param_text (&p, location);
  param_int (&p, created_at);
  param_int (&p, expires_at);
  res = PQexecPrepared (self->conn, name, p.n, p.values, p.lengths, p.formats, 1);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK;
  /* 23505: unique_violation. */
  *out_exists = !ok && g_str_equal (sqlstate (res), "23505");
  if (!ok && !*out_exists)
    set_pg_error (self, res, "cannot store the enrollment code", error);
  PQclear (res);
  return ok || *out_exists;
}

/* Inside a transaction: the device row, or NULL (no error) if none. */
static IntakeStoreDevice *
lookup_device (IntakeStore  *store,
               const char   *device_id,
               GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;
  IntakeStoreDevice *device = NULL;

  param_text (&p, device_id);
  if (!(res = run (self, STMT_DEVICE_GET, &p, "cannot read the device", error)))
    return NULL;
  if (PQntuples (res) == 1)
    device = read_device (res, 0);
  PQclear (res);
  return device;
}

static gboolean
device_active (IntakeStore  *store,
               const char   *device_id,
               gboolean     *out_active,
               GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  param_text (&p, device_id);
  if (!(res = run (self, STMT_DEVICE_ACTIVE, &p, "cannot read the device", error)))
    return FALSE;
  *out_active = PQntuples (res) == 1;
  PQclear (res);
  return TRUE;
}

static gboolean
run_command (IntakeStorePg    *self,
             IntakeStoreStmt   which,
             Params           *p,
             const char       *what,
             int              *out_rows,
             GError          **error)
{
  PGresult *res = run (self, which, p, what, error);

  if (res == NULL)
    return FALSE;
  if (out_rows != NULL)
    *out_rows = atoi (PQcmdTuples (res));
  PQclear (res);
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
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };

  param_text (&p, device_id);
  param_bytes (&p, device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  param_text (&p, location);
  param_int (&p, enrolled_at);
  return run_command (self, STMT_DEVICE_INSERT, &p, "cannot register the device", NULL, error);
}

static GPtrArray *
pg_list_devices (IntakeStore  *store,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *devices;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_DEVICE_LIST, &p, "cannot list devices", error)))
    return NULL;
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_device_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (devices, read_device (res, i));
  PQclear (res);
  return devices;
}

static GBytes *
pg_dup_envelope (IntakeStore         *store,
                 const char          *device_id,
                 const char          *submission_id,
                 IntakeStoreEnvelope *out_meta,
                 GError             **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;
  GBytes *bytes = NULL;

  if (!ensure_connected (self, error))
    return NULL;
  param_text (&p, submission_id);
  param_text (&p, device_id);
  if (!(res = run (self, STMT_ENVELOPE_DUP, &p, "cannot read the envelope", error)))
    return NULL;
  if (PQntuples (res) == 1)
    {
      if (out_meta != NULL)
        read_envelope_meta (res, 0, out_meta);
      bytes = g_bytes_new (PQgetvalue (res, 0, 12), PQgetlength (res, 0, 12));
    }
  PQclear (res);
  return bytes;
}

static GArray *
pg_list_envelopes (IntakeStore  *store,
                   gint64        after_seq,
                   guint         limit,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_int (&p, after_seq);
  param_int (&p, limit);
  if (!(res = run (self, STMT_ENVELOPE_LIST, &p, "cannot list envelopes", error)))
    return NULL;
  list = g_array_sized_new (FALSE, TRUE, sizeof (IntakeStoreEnvelope), PQntuples (res));
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreEnvelope meta;

      read_envelope_meta (res, i, &meta);
      g_array_append_val (list, meta);
    }
  PQclear (res);
  return list;
}

static gboolean
count_one (IntakeStorePg    *self,
           IntakeStoreStmt   which,
           gint64           *out,
           GError          **error)
{
  Params p = { 0 };
  PGresult *res = run (self, which, &p, "cannot count", error);

  if (res == NULL)
    return FALSE;
  *out = PQntuples (res) == 1 ? get_int (res, 0, 0) : 0;
  PQclear (res);
  return TRUE;
}

static gboolean
pg_get_counts (IntakeStore       *store,
               IntakeStoreCounts *out_counts,
               GError           **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error) ||
      !count_one (self, STMT_COUNT_ENVELOPES, &out_counts->envelopes, error) ||
      !count_one (self, STMT_COUNT_CONFLICTS, &out_counts->conflicts, error) ||
      !(res = run (self, STMT_COUNT_DEVICES, &p, "cannot count devices", error)))
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    {
      if (g_str_equal (get_text (res, i, 0), "revoked"))
        out_counts->devices_revoked = get_int (res, i, 1);
      else
        out_counts->devices_active = get_int (res, i, 1);
    }
  PQclear (res);
  return TRUE;
}

static gboolean
pg_check_health (IntakeStore  *store,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  gint64 version = 0;

  PGresult *res;
  gboolean writable;

  if (!ensure_connected (self, error) || !count_one (self, STMT_HEALTH, &version, error))
    return FALSE;
  /* A standby, or a database set read-only, answers queries but takes no
   * envelope. */
  res = PQexec (self->conn, "SELECT current_setting('transaction_read_only') = 'off' AND NOT pg_is_in_recovery()");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      set_pg_error (self, res, "cannot ask the database whether it takes writes", error);
      PQclear (res);
      return FALSE;
    }
  writable = PQntuples (res) == 1 && g_str_equal (PQgetvalue (res, 0, 0), "t");
  PQclear (res);
  if (!writable)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_WRITABLE,
                           "the PostgreSQL store is read-only (a standby, or default_transaction_read_only is on)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_set_setting (IntakeStore  *store,
                const char   *name,
                const char   *value,
                GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };

  if (!ensure_connected (self, error))
    return FALSE;
  param_text (&p, name);
  param_text (&p, value);
  return run_command (self, STMT_SETTING_SET, &p, "cannot store a setting", NULL, error);
}

static char *
pg_ensure_setting (IntakeStore  *store,
                   const char   *name,
                   const char   *value,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;
  char *stored = NULL;

  if (!ensure_connected (self, error))
    return NULL;
  param_text (&p, name);
  if (value != NULL)
    {
      param_text (&p, value);
      if (!run_command (self, STMT_SETTING_INSERT, &p, "cannot store a setting", NULL, error))
        return NULL;
      p.n = 1;
    }
  if (!(res = run (self, STMT_SETTING_GET, &p, "cannot read a setting", error)))
    return NULL;
  if (PQntuples (res) == 1)
    stored = g_strdup (get_text (res, 0, 0));
  PQclear (res);
  return stored;
}

/* Review ------------------------------------------------------------------ */

static GBytes *
get_bytes (const PGresult *res,
           int             row,
           int             column)
{
  return g_bytes_new (PQgetvalue (res, row, column), PQgetlength (res, row, column));
}

static IntakeStoreReviewer *
read_reviewer (const PGresult *res,
               int             row)
{
  IntakeStoreReviewer *reviewer = g_new0 (IntakeStoreReviewer, 1);

  g_strlcpy (reviewer->reviewer_id, get_text (res, row, 0), sizeof reviewer->reviewer_id);
  reviewer->name = g_strdup (get_text (res, row, 1));
  if (PQgetlength (res, row, 2) == INTAKE_SIGN_PUBLIC_BYTES)
    memcpy (reviewer->sign_pk, PQgetvalue (res, row, 2), INTAKE_SIGN_PUBLIC_BYTES);
  reviewer->blob = get_bytes (res, row, 3);
  reviewer->status = g_str_equal (get_text (res, row, 4), "revoked") ? INTAKE_REVIEWER_STATUS_REVOKED
                                                                     : INTAKE_REVIEWER_STATUS_ACTIVE;
  reviewer->created_at = get_int (res, row, 5);
  reviewer->revoked_at = get_int (res, row, 6);
  reviewer->roles = intake_store_roles_from_text (get_text (res, row, 7));
  return reviewer;
}

static gboolean read_scopes (IntakeStore  *store,
                             gboolean      is_setup,
                             const char   *owner,
                             char       ***out_locations,
                             char       ***out_units,
                             GError      **error);

static IntakeStoreSubmission *
read_submission (const PGresult *res,
                 int             row)
{
  IntakeStoreSubmission *submission = g_new0 (IntakeStoreSubmission, 1);

  read_envelope_meta (res, row, &submission->envelope);
  submission->location = g_strdup (get_text (res, row, 12));
  g_strlcpy (submission->reference, get_text (res, row, 13), sizeof submission->reference);
  submission->state = g_strdup (get_text (res, row, 14));
  submission->unit = g_strdup (get_text (res, row, 15));
  submission->version = get_int (res, row, 16);
  submission->updated_at = get_int (res, row, 17);
  submission->updated_by = g_strdup (get_text (res, row, 18));
  submission->notes = get_int (res, row, 19);
  submission->assignee = g_strdup (get_text (res, row, 20));
  submission->appointment_at = get_int (res, row, 21);
  submission->change_seq = get_int (res, row, 22);
  return submission;
}

static IntakeAuditEvent *
read_audit (const PGresult *res,
            int             row)
{
  IntakeAuditEvent *event = g_new0 (IntakeAuditEvent, 1);

  event->seq = get_int (res, row, 0);
  event->time = get_int (res, row, 1);
  event->actor = g_strdup (get_text (res, row, 2));
  event->action = g_strdup (get_text (res, row, 3));
  event->object = g_strdup (get_text (res, row, 4));
  event->result = g_strdup (get_text (res, row, 5));
  event->origin = g_strdup (get_text (res, row, 6));
  g_strlcpy (event->prev, get_text (res, row, 7), sizeof event->prev);
  g_strlcpy (event->hash, get_text (res, row, 8), sizeof event->hash);
  return event;
}

static IntakeStoreReviewer *
pg_get_reviewer (IntakeStore  *store,
                 const char   *reviewer_id,
                 const char   *name,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeStoreReviewer *reviewer = NULL;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_text (&p, reviewer_id != NULL ? reviewer_id : name);
  if (!(res = run (self, reviewer_id != NULL ? STMT_REVIEWER_GET_ID : STMT_REVIEWER_GET_NAME, &p,
                   "cannot read the reviewer", error)))
    return NULL;
  if (PQntuples (res) == 1)
    reviewer = read_reviewer (res, 0);
  else
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                 "no reviewer %s; see intake-admin reviewer list", reviewer_id != NULL ? reviewer_id : name);
  PQclear (res);
  if (reviewer != NULL &&
      !read_scopes (store, FALSE, reviewer->reviewer_id, &reviewer->locations, &reviewer->units, error))
    g_clear_pointer (&reviewer, intake_store_reviewer_free);
  return reviewer;
}

static GPtrArray *
pg_list_reviewers (IntakeStore  *store,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_REVIEWER_LIST, &p, "cannot list reviewers", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_reviewer_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, read_reviewer (res, i));
  PQclear (res);
  for (guint i = 0; i < list->len; i++)
    {
      IntakeStoreReviewer *reviewer = g_ptr_array_index (list, i);

      if (!read_scopes (store, FALSE, reviewer->reviewer_id, &reviewer->locations, &reviewer->units, error))
        {
          g_ptr_array_unref (list);
          return NULL;
        }
    }
  return list;
}

static IntakeStoreSubmission *
lookup_submission (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeStoreSubmission *submission = NULL;
  Params p = { 0 };
  PGresult *res;

  param_text (&p, submission_id);
  param_text (&p, device_id);
  if (!(res = run (self, STMT_SUBMISSION_GET, &p, "cannot read the submission", error)))
    return NULL;
  if (PQntuples (res) == 1)
    submission = read_submission (res, 0);
  PQclear (res);
  return submission;
}

/* A statement built at run time (intake-store-sql.h), its parameters as text. */
static PGresult *
exec_built (IntakeStorePg        *self,
            const char           *sql,
            const IntakeSqlParam *params,
            int                   n,
            const char           *what,
            GError              **error)
{
  g_autofree char *pg_sql = to_pg_sql (sql);
  char ints[INTAKE_LIST_MAX_PARAMS][24];
  const char *values[INTAKE_LIST_MAX_PARAMS];
  PGresult *res;

  for (int i = 0; i < n; i++)
    {
      if (params[i].is_text)
        values[i] = params[i].text;
      else
        {
          g_snprintf (ints[i], sizeof ints[i], "%" G_GINT64_FORMAT, params[i].value);
          values[i] = ints[i];
        }
    }
  res = PQexecParams (self->conn, pg_sql, n, NULL, values, NULL, NULL, 1);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      set_pg_error (self, res, what, error);
      PQclear (res);
      return NULL;
    }
  return res;
}

static GPtrArray *
pg_list_submissions (IntakeStore                  *store,
                     const IntakeSubmissionFilter *filter,
                     GError                      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  GPtrArray *list;
  PGresult *res;
  int n = 0;

  if (!ensure_connected (self, error))
    return NULL;
  sql = intake_store_list_submissions_sql (filter, params, &n);
  if (!(res = exec_built (self, sql, params, n, "cannot list submissions", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_submission_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, read_submission (res, i));
  PQclear (res);
  return list;
}

static gboolean
pg_count_submissions (IntakeStore                  *store,
                      const IntakeSubmissionFilter *filter,
                      GPtrArray                   **out_cells,
                      IntakeStoreCountMarks        *out_marks,
                      GError                      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  GPtrArray *cells;
  PGresult *res;
  int n = 0;

  if (!ensure_connected (self, error))
    return FALSE;
  sql = intake_store_count_submissions_sql (filter, params, &n);
  if (!(res = exec_built (self, sql, params, n, "cannot count submissions", error)))
    return FALSE;
  *out_marks = (IntakeStoreCountMarks) { 0 };
  cells = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_count_cell_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreCountCell *cell = g_new0 (IntakeStoreCountCell, 1);

      cell->state = g_strdup (get_text (res, i, 0));
      cell->unit = g_strdup (get_text (res, i, 1));
      cell->assignee = (int)get_int (res, i, 2);
      cell->count = get_int (res, i, 3);
      out_marks->latest_seq = MAX (out_marks->latest_seq, get_int (res, i, 4));
      out_marks->latest_change = MAX (out_marks->latest_change, get_int (res, i, 5));
      g_ptr_array_add (cells, cell);
    }
  PQclear (res);
  *out_cells = cells;
  return TRUE;
}

static gboolean
pg_foreach_fact (IntakeStore                  *store,
                 const IntakeSubmissionFilter *filter,
                 IntakeStoreFactFunc           func,
                 gpointer                      user_data,
                 GError                      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeSqlParam params[INTAKE_LIST_MAX_PARAMS];
  g_autofree char *sql = NULL;
  PGresult *res;
  int n = 0;

  if (!ensure_connected (self, error))
    return FALSE;
  sql = intake_store_facts_sql (filter, params, &n);
  if (!(res = exec_built (self, sql, params, n, "cannot read submissions", error)))
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreFact fact = {
        .created_at = get_int (res, i, 0),
        .received_at = get_int (res, i, 1),
        .location = get_text (res, i, 2),
        .state = get_text (res, i, 3),
        .unit = get_text (res, i, 4),
        .assignee = get_text (res, i, 5),
      };

      func (&fact, user_data);
    }
  PQclear (res);
  return TRUE;
}

static GPtrArray *
pg_list_notes (IntakeStore  *store,
               const char   *device_id,
               const char   *submission_id,
               GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_text (&p, submission_id);
  param_text (&p, device_id);
  if (!(res = run (self, STMT_NOTE_LIST, &p, "cannot list notes", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_note_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreNote *note = g_new0 (IntakeStoreNote, 1);

      note->envelope = get_bytes (res, i, 0);
      note->reviewer = g_strdup (get_text (res, i, 1));
      g_strlcpy (note->reviewer_id, get_text (res, i, 2), sizeof note->reviewer_id);
      note->created_at = get_int (res, i, 3);
      g_ptr_array_add (list, note);
    }
  PQclear (res);
  return list;
}

static GPtrArray *
pg_list_audit (IntakeStore  *store,
               const char   *object,
               gint64        after_seq,
               guint         limit,
               GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_int (&p, after_seq);
  param_int (&p, limit);
  if (object != NULL)
    param_text (&p, object);
  if (!(res = run (self, object != NULL ? STMT_AUDIT_LIST_OBJECT : STMT_AUDIT_LIST, &p,
                   "cannot read the audit log", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, read_audit (res, i));
  PQclear (res);
  return list;
}

static gboolean
pg_get_audit_head (IntakeStore  *store,
                   gint64       *out_seq,
                   char         *out_hash,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  *out_seq = 0;
  g_strlcpy (out_hash, INTAKE_AUDIT_ZERO_HASH, INTAKE_AUDIT_HASH_HEX_LEN + 1);
  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_AUDIT_HEAD, &p, "cannot read the audit log's head", error)))
    return FALSE;
  if (PQntuples (res) == 1)
    {
      *out_seq = get_int (res, 0, 0);
      g_strlcpy (out_hash, get_text (res, 0, 1), INTAKE_AUDIT_HASH_HEX_LEN + 1);
    }
  PQclear (res);
  return TRUE;
}

static gboolean
pg_put_help_request (IntakeStore  *store,
                     const char   *device_id,
                     const char   *client_key,
                     gint64        created_at,
                     const char   *language,
                     gint64        received_at,
                     gboolean     *out_new,
                     GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  int rows = 0;

  if (!ensure_connected (self, error))
    return FALSE;
  param_text (&p, device_id);
  param_text (&p, client_key);
  param_int (&p, created_at);
  param_text (&p, language);
  param_int (&p, received_at);
  if (!run_command (self, STMT_HELP_INSERT, &p, "cannot store the help request", &rows, error))
    return FALSE;
  *out_new = rows == 1;
  return TRUE;
}

static GPtrArray *
pg_list_help_requests (IntakeStore  *store,
                       gint64        from,
                       gint64        to,
                       GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_int (&p, from);
  param_int (&p, to);
  if (!(res = run (self, STMT_HELP_LIST, &p, "cannot list help requests", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_help_request_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreHelpRequest *request = g_new0 (IntakeStoreHelpRequest, 1);

      g_strlcpy (request->device_id, get_text (res, i, 0), sizeof request->device_id);
      request->location = g_strdup (get_text (res, i, 1));
      g_strlcpy (request->language, get_text (res, i, 2), sizeof request->language);
      request->created_at = get_int (res, i, 3);
      request->received_at = get_int (res, i, 4);
      g_ptr_array_add (list, request);
    }
  PQclear (res);
  return list;
}

static gboolean
pg_put_questionnaire (IntakeStore                    *store,
                      const IntakeStoreQuestionnaire *questionnaire,
                      GError                        **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (questionnaire->canonical, &len);
  Params p = { 0 };

  if (!ensure_connected (self, error))
    return FALSE;
  param_text (&p, questionnaire->id);
  param_int (&p, questionnaire->version);
  param_text (&p, questionnaire->hash);
  param_bytes (&p, data, len);
  param_bytes (&p, questionnaire->signature, INTAKE_SIGNATURE_BYTES);
  param_int (&p, questionnaire->first_seen);
  return run_command (self, STMT_QUESTIONNAIRE_INSERT, &p, "cannot store the questionnaire", NULL, error);
}

static GPtrArray *
pg_list_questionnaires (IntakeStore  *store,
                        GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_QUESTIONNAIRE_LIST, &p, "cannot list questionnaires", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_questionnaire_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      IntakeStoreQuestionnaire *q = g_new0 (IntakeStoreQuestionnaire, 1);

      q->id = g_strdup (get_text (res, i, 0));
      q->version = get_int (res, i, 1);
      g_strlcpy (q->hash, get_text (res, i, 2), sizeof q->hash);
      q->canonical = get_bytes (res, i, 3);
      if (PQgetlength (res, i, 4) == INTAKE_SIGNATURE_BYTES)
        memcpy (q->signature, PQgetvalue (res, i, 4), INTAKE_SIGNATURE_BYTES);
      q->first_seen = get_int (res, i, 5);
      g_ptr_array_add (list, q);
    }
  PQclear (res);
  return list;
}

/* The operations intake-store-common.c builds on --------------------------
 *
 * READ COMMITTED transactions: the enrollment code and the workflow
 * compare-and-set rely on UPDATE ... WHERE re-checking the committed row,
 * the envelope on the UNIQUE constraint, and the audit chain on
 * SELECT ... FOR UPDATE of its head row. */

static gboolean
backend_ensure_ready (IntakeStore  *store,
                      GError      **error)
{
  return ensure_connected (INTAKE_STORE_PG (store), error);
}

static gboolean
backend_begin (IntakeStore  *store,
               GError      **error)
{
  return begin (INTAKE_STORE_PG (store), error);
}

static gboolean
backend_commit (IntakeStore  *store,
                GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);

  return commit (self, error) || rollback (self);
}

static void
backend_rollback (IntakeStore *store)
{
  rollback (INTAKE_STORE_PG (store));
}

static gboolean
get_enroll_code (IntakeStore  *store,
                 const char   *code_hash,
                 char        **out_location,
                 gint64       *out_expires_at,
                 gboolean     *out_used,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  param_text (&p, code_hash);
  if (!(res = run (self, STMT_CODE_GET, &p, "cannot read the enrollment code", error)))
    return FALSE;
  if (PQntuples (res) == 1)
    {
      *out_location = g_strdup (get_text (res, 0, 0));
      *out_expires_at = get_int (res, 0, 1);
      *out_used = !PQgetisnull (res, 0, 2);
    }
  PQclear (res);
  return TRUE;
}

static gboolean
use_enroll_code (IntakeStore  *store,
                 const char   *code_hash,
                 gint64        now,
                 const char   *device_id,
                 int          *out_rows,
                 GError      **error)
{
  Params p = { 0 };

  param_text (&p, code_hash);
  param_int (&p, now);
  param_text (&p, device_id);
  return run_command (INTAKE_STORE_PG (store), STMT_CODE_USE, &p, "cannot consume the enrollment code",
                      out_rows, error);
}

static gboolean
set_device_location (IntakeStore  *store,
                     const char   *device_id,
                     const char   *location,
                     GError      **error)
{
  Params p = { 0 };

  param_text (&p, device_id);
  param_text (&p, location);
  return run_command (INTAKE_STORE_PG (store), STMT_DEVICE_SET_LOCATION, &p, "cannot update the device",
                      NULL, error);
}

static gboolean
revoke_device (IntakeStore  *store,
               const char   *device_id,
               gint64        now,
               GError      **error)
{
  Params p = { 0 };

  param_text (&p, device_id);
  param_int (&p, now);
  return run_command (INTAKE_STORE_PG (store), STMT_DEVICE_REVOKE, &p, "cannot revoke the device", NULL, error);
}

static void
params_for_envelope (Params                    *p,
                     const IntakeStoreEnvelope *meta,
                     GBytes                    *envelope)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (envelope, &len);

  param_text (p, meta->submission_id);
  param_text (p, meta->device_id);
  param_bytes (p, data, len);
  param_text (p, meta->sha256);
  param_int (p, meta->size);
  param_int (p, meta->created_at);
  param_text (p, meta->questionnaire_id);
  param_int (p, meta->questionnaire_version);
  param_text (p, meta->questionnaire_hash);
  param_text (p, meta->office_key_id);
  param_int (p, meta->received_at);
  param_text (p, intake_envelope_source_to_string (meta->source));
}

static gboolean
send_prepared (IntakeStorePg   *self,
               IntakeStoreStmt  which,
               Params          *p)
{
  g_autofree char *name = stmt_name (which);

  return PQsendQueryPrepared (self->conn, name, p->n, p->values, p->lengths, p->formats, 1) == 1;
}

/* Each envelope's INSERT and its review row's, all in one libpq pipeline:
 * one round trip to the database for the request instead of two per
 * envelope (the server's one thread waits for each). The review row's
 * INSERT ... SELECT finds the envelope's row whether it was new or taken;
 * for a taken one its own ON CONFLICT leaves the existing row. */
static gboolean
insert_envelopes (IntakeStore               *store,
                  guint                      n,
                  const IntakeStoreEnvelope *metas,
                  GBytes * const            *envelopes,
                  char * const              *references,
                  gboolean                  *out_inserted,
                  GError                   **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *failure = NULL;
  gboolean sent = TRUE;
  PGresult *res;

  if (n == 0)
    return TRUE;
  if (PQenterPipelineMode (self->conn) != 1)
    return set_pg_error (self, NULL, "cannot start a pipeline", error);
  for (guint i = 0; i < n && sent; i++)
    {
      Params envelope = { 0 };
      Params review = { 0 };

      params_for_envelope (&envelope, &metas[i], envelopes[i]);
      param_text (&review, metas[i].submission_id);
      param_text (&review, references[i]);
      param_text (&review, metas[i].device_id);
      sent = send_prepared (self, STMT_ENVELOPE_INSERT, &envelope) && send_prepared (self, STMT_SUBMISSION_INSERT, &review);
    }
  if (!sent || PQpipelineSync (self->conn) != 1)
    failure = g_strdup (PQerrorMessage (self->conn));

  /* Every result is read, also after a failure, up to the sync point:
   * the connection must leave pipeline mode clean. After a failed
   * statement the rest come as PGRES_PIPELINE_ABORTED. Each statement's
   * results end with a NULL; the sync point is its own result. */
  if (sent)
    {
      guint statement = 0;

      for (;;)
        {
          ExecStatusType status;

          if ((res = PQgetResult (self->conn)) == NULL)
            {
              if (PQstatus (self->conn) == CONNECTION_BAD)
                break;
              continue;
            }
          status = PQresultStatus (res);
          if (status == PGRES_PIPELINE_SYNC)
            {
              PQclear (res);
              break;
            }
          if (status != PGRES_COMMAND_OK)
            {
              if (failure == NULL)
                failure = g_strdup (status == PGRES_PIPELINE_ABORTED ? "aborted" : PQresultErrorMessage (res));
            }
          else if (statement % 2 == 0 && statement / 2 < n)
            out_inserted[statement / 2] = atoi (PQcmdTuples (res)) == 1;
          statement++;
          PQclear (res);
        }
    }
  if (PQexitPipelineMode (self->conn) != 1 && failure == NULL)
    failure = g_strdup (PQerrorMessage (self->conn));
  if (failure != NULL)
    {
      g_strstrip (g_strdelimit (failure, "\n", ' '));
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "cannot store the envelopes: %s", failure);
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_text (IntakeStorePg *self,
           const char    *sql)
{
  return PQsendQueryParams (self->conn, sql, 0, NULL, NULL, NULL, NULL, 1) == 1;
}

/* BEGIN, every upload's nonce (a plain INSERT, which fails on a nonce seen
 * before or a device no longer active) and envelopes with their review
 * rows, and COMMIT: one pipeline, one round trip and one WAL flush for the
 * whole group commit where the step-by-step way takes four round trips for
 * a single upload. */
static gboolean
put_uploads_at_once (IntakeStore        *store,
                     IntakeStoreUpload  *uploads,
                     guint               n_uploads,
                     char * const * const *references,
                     gboolean * const   *inserted,
                     gboolean           *out_done,
                     GError            **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *failure = NULL;
  /* What each statement sent was: an envelope's INSERT (upload u,
   * envelope i), a nonce's (u = NONCE), anything else (u = OTHER). */
  typedef struct { int u; int i; } Sent;
  enum { OTHER = -1, NONCE = -2 };
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (Sent));
  gboolean sent, replayed = FALSE, committed = FALSE;
  PGresult *res;

  *out_done = FALSE;
  if (!ensure_connected (self, error))
    return FALSE;
  if (PQenterPipelineMode (self->conn) != 1)
    return set_pg_error (self, NULL, "cannot start a pipeline", error);

  sent = send_text (self, "BEGIN");
  g_array_append_val (kinds, ((Sent){ OTHER, 0 }));
  for (guint u = 0; u < n_uploads && sent; u++)
    {
      IntakeStoreUpload *upload = &uploads[u];

      if (upload->nonce != NULL)
        {
          Params nonce = { 0 };

          param_text (&nonce, upload->nonce->signer);
          param_text (&nonce, upload->nonce->nonce);
          param_int (&nonce, upload->nonce->expires_at);
          sent = send_prepared (self, STMT_NONCE_INSERT_NEW, &nonce);
          g_array_append_val (kinds, ((Sent){ NONCE, 0 }));
        }
      for (guint i = 0; i < upload->n && sent; i++)
        {
          Params envelope = { 0 };
          Params review = { 0 };

          params_for_envelope (&envelope, &upload->metas[i], upload->envelopes[i]);
          param_text (&review, upload->metas[i].submission_id);
          param_text (&review, references[u][i]);
          param_text (&review, upload->metas[i].device_id);
          sent = send_prepared (self, STMT_ENVELOPE_INSERT, &envelope) &&
                 send_prepared (self, STMT_SUBMISSION_INSERT, &review);
          g_array_append_val (kinds, ((Sent){ (int)u, (int)i }));
          g_array_append_val (kinds, ((Sent){ OTHER, 0 }));
        }
    }
  sent = sent && send_text (self, "COMMIT");
  g_array_append_val (kinds, ((Sent){ OTHER, 0 }));
  if (!sent || PQpipelineSync (self->conn) != 1)
    failure = g_strdup (PQerrorMessage (self->conn));

  /* Every result is read up to the sync point, also after a failure (the
   * rest come as PGRES_PIPELINE_ABORTED), so that the connection leaves
   * pipeline mode clean. */
  if (sent)
    {
      guint statement = 0;

      for (;;)
        {
          ExecStatusType status;
          Sent kind = { OTHER, 0 };

          if ((res = PQgetResult (self->conn)) == NULL)
            {
              if (PQstatus (self->conn) == CONNECTION_BAD)
                break;
              continue;
            }
          status = PQresultStatus (res);
          if (status == PGRES_PIPELINE_SYNC)
            {
              PQclear (res);
              break;
            }
          if (statement < kinds->len)
            kind = g_array_index (kinds, Sent, statement);
          if (status != PGRES_COMMAND_OK)
            {
              /* A nonce seen before (the primary key refuses it), or a
               * device no longer active (NOT NULL refuses its NULL
               * expiry): step by step, which tells whose. */
              if (kind.u == NONCE &&
                  (g_str_equal (sqlstate (res), "23505") || g_str_equal (sqlstate (res), "23502")))
                replayed = TRUE;
              else if (failure == NULL && !replayed)
                failure = g_strdup (status == PGRES_PIPELINE_ABORTED ? "aborted" : PQresultErrorMessage (res));
            }
          else if (kind.u >= 0)
            inserted[kind.u][kind.i] = atoi (PQcmdTuples (res)) == 1;
          else if (statement == kinds->len - 1)
            committed = TRUE;
          statement++;
          PQclear (res);
        }
    }
  if (PQexitPipelineMode (self->conn) != 1 && failure == NULL)
    failure = g_strdup (PQerrorMessage (self->conn));
  /* After a failed statement the transaction is aborted, not ended. */
  if (!committed)
    rollback (self);
  if (failure != NULL)
    {
      g_strstrip (g_strdelimit (failure, "\n", ' '));
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "cannot store the envelopes: %s", failure);
      return FALSE;
    }
  *out_done = committed;
  return TRUE;
}

static GBytes *
get_stored_envelope (IntakeStore  *store,
                     const char   *device_id,
                     const char   *submission_id,
                     char        **out_sha256,
                     GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;
  GBytes *bytes;

  param_text (&p, submission_id);
  param_text (&p, device_id);
  if (!(res = run (self, STMT_ENVELOPE_GET_BYTES, &p, "cannot read the stored envelope", error)))
    return NULL;
  if (PQntuples (res) != 1)
    {
      PQclear (res);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                   "submission %s is neither new nor stored; retry", submission_id);
      return NULL;
    }
  bytes = get_bytes (res, 0, 0);
  *out_sha256 = g_strdup (get_text (res, 0, 1));
  PQclear (res);
  return bytes;
}

static gboolean
log_conflict (IntakeStore               *store,
              const IntakeStoreEnvelope *meta,
              const char                *stored_sha256,
              GError                   **error)
{
  Params p = { 0 };

  param_text (&p, meta->submission_id);
  param_text (&p, meta->sha256);
  param_text (&p, meta->device_id);
  param_text (&p, stored_sha256);
  param_text (&p, intake_envelope_source_to_string (meta->source));
  param_int (&p, meta->received_at);
  return run_command (INTAKE_STORE_PG (store), STMT_CONFLICT_LOG, &p, "cannot log the conflict", NULL, error);
}

/* Inside a transaction. SELECT ... FOR UPDATE on the single head row makes
 * concurrent appenders (several server instances, intake-admin) wait for
 * each other until the transaction ends. */
static gboolean
lock_audit_head (IntakeStore  *store,
                 gint64       *out_seq,
                 char        **out_hash,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  if (!(res = run (self, STMT_AUDIT_HEAD_LOCK, &p, "cannot lock the audit log's head", error)))
    return FALSE;
  if (PQntuples (res) != 1 || PQgetlength (res, 0, 1) != INTAKE_AUDIT_HASH_HEX_LEN)
    {
      PQclear (res);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                           "the audit log's head row is missing or damaged; run intake-admin audit verify");
      return FALSE;
    }
  *out_seq = get_int (res, 0, 0);
  *out_hash = g_strdup (get_text (res, 0, 1));
  PQclear (res);
  return TRUE;
}

static gboolean
insert_audit (IntakeStore             *store,
              const IntakeAuditEvent  *event,
              GError                 **error)
{
  Params p = { 0 };

  param_int (&p, event->seq);
  param_int (&p, event->time);
  param_text (&p, event->actor);
  param_text (&p, event->action);
  param_text (&p, event->object);
  param_text (&p, event->result);
  param_text (&p, event->origin);
  param_text (&p, event->prev);
  param_text (&p, event->hash);
  return run_command (INTAKE_STORE_PG (store), STMT_AUDIT_INSERT, &p, "cannot append to the audit log", NULL, error);
}

static gboolean
set_audit_head (IntakeStore  *store,
                gint64        seq,
                const char   *hash,
                GError      **error)
{
  Params p = { 0 };

  param_int (&p, seq);
  param_text (&p, hash);
  return run_command (INTAKE_STORE_PG (store), STMT_AUDIT_HEAD_SET, &p, "cannot move the audit log's head",
                      NULL, error);
}

static gboolean
insert_reviewer (IntakeStore               *store,
                 const IntakeStoreReviewer *reviewer,
                 gboolean                  *out_exists,
                 GError                   **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *name = stmt_name (STMT_REVIEWER_INSERT);
  g_autofree char *roles = NULL;
  gsize blob_len = 0;
  const guint8 *blob = g_bytes_get_data (reviewer->blob, &blob_len);
  Params p = { 0 };
  PGresult *res;
  gboolean ok;

  param_text (&p, reviewer->reviewer_id);
  param_text (&p, reviewer->name);
  param_bytes (&p, reviewer->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  param_bytes (&p, blob, blob_len);
  param_int (&p, reviewer->created_at);
  roles = intake_store_roles_to_text (reviewer->roles);
  param_text (&p, roles);
  res = PQexecPrepared (self->conn, name, p.n, p.values, p.lengths, p.formats, 1);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK;
  /* A unique violation: the name among active reviewers, or the key. */
  *out_exists = !ok && g_str_equal (sqlstate (res), "23505");
  if (!ok && !*out_exists)
    set_pg_error (self, res, "cannot register the reviewer", error);
  PQclear (res);
  return ok || *out_exists;
}

static gboolean
revoke_reviewer (IntakeStore  *store,
                 const char   *name,
                 gint64        now,
                 int          *out_rows,
                 GError      **error)
{
  Params p = { 0 };

  param_text (&p, name);
  param_int (&p, now);
  return run_command (INTAKE_STORE_PG (store), STMT_REVIEWER_REVOKE, &p, "cannot revoke the reviewer",
                      out_rows, error);
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
  Params p = { 0 };

  param_text (&p, submission_id);
  param_text (&p, workflow->state);
  param_text (&p, workflow->unit != NULL ? workflow->unit : "");
  param_int (&p, now);
  param_text (&p, updated_by);
  param_int (&p, expected_version);
  param_text (&p, device_id);
  param_text (&p, workflow->assignee != NULL ? workflow->assignee : "");
  param_int (&p, workflow->appointment_at);
  param_int (&p, change_seq);
  return run_command (INTAKE_STORE_PG (store), STMT_WORKFLOW_SET, &p, "cannot change the workflow",
                      out_rows, error);
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
  Params p = { 0 };

  param_text (&p, submission_id);
  param_int (&p, now);
  param_text (&p, reviewer_name);
  param_int (&p, expected_version);
  param_text (&p, device_id);
  param_int (&p, change_seq);
  return run_command (INTAKE_STORE_PG (store), STMT_NOTE_BUMP, &p, "cannot add the note", out_rows, error);
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
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (note, &len);
  Params p = { 0 };

  param_text (&p, submission_id);
  param_bytes (&p, data, len);
  param_text (&p, sha256);
  param_text (&p, reviewer_id);
  param_text (&p, reviewer_name);
  param_int (&p, now);
  param_text (&p, device_id);
  return run_command (INTAKE_STORE_PG (store), STMT_NOTE_INSERT, &p, "cannot store the note", NULL, error);
}

/* One statement in autocommit; of two instances inserting the same pair
 * at once, the primary key lets exactly one insert a row. */
static gboolean
insert_nonce (IntakeStore  *store,
              const char   *signer,
              const char   *nonce,
              gint64        expires_at,
              gboolean     *out_fresh,
              GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  int rows = 0;

  param_text (&p, signer);
  param_text (&p, nonce);
  param_int (&p, expires_at);
  if (!run_command (self, STMT_NONCE_INSERT, &p, "cannot record the request nonce", &rows, error))
    return FALSE;
  *out_fresh = rows == 1;
  return TRUE;
}

static gboolean
pg_prune_nonces (IntakeStore  *store,
                 gint64        now,
                 guint        *out_removed,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  int rows = 0;

  if (!ensure_connected (self, error))
    return FALSE;
  param_int (&p, now);
  if (!run_command (self, STMT_NONCE_PRUNE, &p, "cannot forget expired request nonces", &rows, error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = (guint) rows;
  /* Failed unlocks a day old, of names no longer locked, are forgotten too. */
  {
    Params q = { 0 };

    param_int (&q, now - INTAKE_STORE_THROTTLE_KEEP);
    param_int (&q, now);
    return run_command (self, STMT_THROTTLE_PRUNE, &q, "cannot forget old failed unlocks", NULL, error);
  }
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
  Params p = { 0 };

  param_text (&p, owner);
  param_text (&p, kind);
  param_text (&p, value);
  return run_command (INTAKE_STORE_PG (store), is_setup ? STMT_SETUP_SCOPE_INSERT : STMT_SCOPE_INSERT, &p,
                      "cannot store the reviewer's scope", NULL, error);
}

static gboolean
delete_scopes (IntakeStore  *store,
               gboolean      is_setup,
               const char   *owner,
               GError      **error)
{
  Params p = { 0 };

  param_text (&p, owner);
  return run_command (INTAKE_STORE_PG (store), is_setup ? STMT_SETUP_SCOPE_DELETE : STMT_SCOPE_DELETE, &p,
                      "cannot change the reviewer's scope", NULL, error);
}

static gboolean
read_scopes (IntakeStore  *store,
             gboolean      is_setup,
             const char   *owner,
             char       ***out_locations,
             char       ***out_units,
             GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autoptr(GPtrArray) locations = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  Params p = { 0 };
  PGresult *res;

  param_text (&p, owner);
  if (!(res = run (self, is_setup ? STMT_SETUP_SCOPE_LIST : STMT_SCOPE_LIST, &p,
                   "cannot read the reviewer's scope", error)))
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (g_str_equal (get_text (res, i, 0), "location") ? locations : units,
                     g_strdup (get_text (res, i, 1)));
  PQclear (res);
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
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (blob, &len);
  Params p = { 0 };

  param_text (&p, reviewer_id);
  param_bytes (&p, data, len);
  return run_command (INTAKE_STORE_PG (store), STMT_REVIEWER_SET_BLOB, &p, "cannot store the reviewer's new key",
                      out_rows, error);
}

static gboolean
set_reviewer_roles (IntakeStore  *store,
                    const char   *reviewer_id,
                    const char   *roles,
                    int          *out_rows,
                    GError      **error)
{
  Params p = { 0 };

  param_text (&p, reviewer_id);
  param_text (&p, roles);
  return run_command (INTAKE_STORE_PG (store), STMT_REVIEWER_SET_ROLES, &p, "cannot change the reviewer's roles",
                      out_rows, error);
}

static gboolean
upsert_setup (IntakeStore                    *store,
              const IntakeStoreReviewerSetup *setup,
              const char                     *roles,
              GError                        **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (setup->blob, &len);
  Params p = { 0 };

  param_text (&p, setup->name);
  param_bytes (&p, data, len);
  param_text (&p, roles);
  param_int (&p, setup->created_at);
  param_int (&p, setup->expires_at);
  param_text (&p, setup->created_by);
  return run_command (INTAKE_STORE_PG (store), STMT_SETUP_UPSERT, &p, "cannot store the activation", NULL, error);
}

static IntakeStoreReviewerSetup *
read_setup (const PGresult *res,
            int             row)
{
  IntakeStoreReviewerSetup *setup = g_new0 (IntakeStoreReviewerSetup, 1);

  setup->name = g_strdup (get_text (res, row, 0));
  setup->blob = get_bytes (res, row, 1);
  setup->roles = intake_store_roles_from_text (get_text (res, row, 2));
  setup->created_at = get_int (res, row, 3);
  setup->expires_at = get_int (res, row, 4);
  setup->created_by = g_strdup (get_text (res, row, 5));
  return setup;
}

static IntakeStoreReviewerSetup *
lookup_setup (IntakeStore  *store,
              const char   *name,
              GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeStoreReviewerSetup *setup = NULL;
  Params p = { 0 };
  PGresult *res;

  param_text (&p, name);
  if (!(res = run (self, STMT_SETUP_GET, &p, "cannot read the activation", error)))
    return NULL;
  if (PQntuples (res) == 1)
    setup = read_setup (res, 0);
  PQclear (res);
  return setup;
}

static GPtrArray *
pg_list_reviewer_setups (IntakeStore  *store,
                         GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autoptr(GPtrArray) list = NULL;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_SETUP_LIST, &p, "cannot list activations", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_reviewer_setup_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, read_setup (res, i));
  PQclear (res);
  for (guint i = 0; i < list->len; i++)
    {
      IntakeStoreReviewerSetup *setup = g_ptr_array_index (list, i);

      if (!read_scopes (store, TRUE, setup->name, &setup->locations, &setup->units, error))
        return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
pg_record_check_in (IntakeStore               *store,
                    const char                *device_id,
                    const IntakeStoreCheckIn  *report,
                    gint64                     now,
                    GError                   **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };

  param_text (&p, device_id);
  param_int (&p, now);
  param_int (&p, report->pending);
  param_int (&p, report->oldest_pending_at);
  param_text (&p, report->questionnaire != NULL ? report->questionnaire : "");
  param_text (&p, report->app_version != NULL ? report->app_version : "");
  param_text (&p, report->last_error != NULL ? report->last_error : "");
  return ensure_connected (self, error) &&
         run_command (self, STMT_DEVICE_CHECK_IN, &p, "cannot record a check-in", NULL, error);
}

static GPtrArray *
pg_list_office_key_seals (IntakeStore  *store,
                          const char   *reviewer_id,
                          GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autoptr(GPtrArray) list = NULL;
  Params p = { 0 };
  PGresult *res;

  param_text (&p, reviewer_id);
  if (!ensure_connected (self, error) ||
      !(res = run (self, STMT_OFFICE_SEAL_LIST, &p, "cannot list the sealed office keys", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, get_bytes (res, i, 0));
  PQclear (res);
  return g_steal_pointer (&list);
}

static gboolean
insert_office_key_seal (IntakeStore                    *store,
                        const IntakeStoreOfficeKeySeal *seal,
                        gint64                          now,
                        GError                        **error)
{
  Params p = { 0 };
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (seal->blob, &len);

  param_text (&p, seal->office_key_id);
  param_text (&p, seal->to_reviewer ? "reviewer" : "office");
  param_text (&p, seal->recipient_id);
  param_bytes (&p, data, len);
  param_int (&p, now);
  return run_command (INTAKE_STORE_PG (store), STMT_OFFICE_SEAL_PUT, &p, "cannot store a sealed office key",
                      NULL, error);
}

static gboolean
delete_office_key_seals (IntakeStore  *store,
                         const char   *office_key_id,
                         GError      **error)
{
  Params p = { 0 };

  param_text (&p, office_key_id);
  return run_command (INTAKE_STORE_PG (store), STMT_OFFICE_SEAL_DELETE, &p,
                      "cannot delete the sealed office keys", NULL, error);
}

static gboolean
count_office_key_uses (IntakeStore  *store,
                       const char   *office_key_id,
                       gint64       *out_count,
                       GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  guint8 raw[INTAKE_OFFICE_KEY_ID_BYTES];
  Params p = { 0 };
  PGresult *res;

  if (!intake_hex_decode (office_key_id, raw, sizeof raw))
    return FALSE;
  param_text (&p, office_key_id);
  param_bytes (&p, raw, sizeof raw);
  if (!(res = run (self, STMT_OFFICE_KEY_USES, &p, "cannot count what is sealed for an office key", error)))
    return FALSE;
  *out_count = get_int (res, 0, 0);
  PQclear (res);
  return TRUE;
}

static gboolean
delete_setup (IntakeStore  *store,
              const char   *name,
              GError      **error)
{
  Params p = { 0 };

  param_text (&p, name);
  return run_command (INTAKE_STORE_PG (store), STMT_SETUP_DELETE, &p, "cannot remove the activation", NULL, error);
}

static gboolean
lookup_throttle (IntakeStore          *store,
                 const char           *name_key,
                 IntakeStoreThrottle  *out_throttle,
                 GError              **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  memset (out_throttle, 0, sizeof *out_throttle);
  param_text (&p, name_key);
  if (!(res = run (self, STMT_THROTTLE_GET, &p, "cannot read failed unlocks", error)))
    return FALSE;
  if (PQntuples (res) == 1)
    {
      out_throttle->failures = get_int (res, 0, 0);
      out_throttle->last_failure = get_int (res, 0, 1);
      out_throttle->locked_until = get_int (res, 0, 2);
    }
  PQclear (res);
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
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  Params p = { 0 };
  PGresult *res;

  param_text (&p, name_key);
  param_int (&p, now);
  param_int (&p, stale_before);
  if (!(res = run (self, STMT_THROTTLE_FAIL, &p, "cannot count the failed unlock", error)))
    return FALSE;
  *out_failures = PQntuples (res) == 1 ? get_int (res, 0, 0) : 1;
  PQclear (res);
  return TRUE;
}

static gboolean
throttle_lock (IntakeStore  *store,
               const char   *name_key,
               gint64        until,
               GError      **error)
{
  Params p = { 0 };

  param_text (&p, name_key);
  param_int (&p, until);
  return run_command (INTAKE_STORE_PG (store), STMT_THROTTLE_LOCK, &p, "cannot lock the name", NULL, error);
}

static gboolean
throttle_clear (IntakeStore  *store,
                const char   *name_key,
                GError      **error)
{
  Params p = { 0 };

  param_text (&p, name_key);
  return run_command (INTAKE_STORE_PG (store), STMT_THROTTLE_CLEAR, &p, "cannot forget failed unlocks", NULL, error);
}

/* Columns in the order of INTAKE_STORE_HELP_COLUMNS. */
static IntakeStoreHelpRequest *
read_help_request (PGresult *res,
                   int       row)
{
  IntakeStoreHelpRequest *request = g_new0 (IntakeStoreHelpRequest, 1);

  request->id = get_int (res, row, 0);
  g_strlcpy (request->device_id, get_text (res, row, 1), sizeof request->device_id);
  request->location = g_strdup (get_text (res, row, 2));
  g_strlcpy (request->language, get_text (res, row, 3), sizeof request->language);
  request->created_at = get_int (res, row, 4);
  request->received_at = get_int (res, row, 5);
  request->handled_at = get_int (res, row, 6);
  request->handled_by = g_strdup (get_text (res, row, 7));
  return request;
}

static IntakeStoreHelpRequest *
lookup_help_request (IntakeStore  *store,
                     gint64        id,
                     GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  IntakeStoreHelpRequest *request = NULL;
  Params p = { 0 };
  PGresult *res;

  param_int (&p, id);
  if (!(res = run (self, STMT_HELP_GET, &p, "cannot read the help request", error)))
    return NULL;
  if (PQntuples (res) == 1)
    request = read_help_request (res, 0);
  PQclear (res);
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
  Params p = { 0 };

  param_int (&p, id);
  param_int (&p, now);
  param_text (&p, handled_by);
  return run_command (INTAKE_STORE_PG (store), STMT_HELP_HANDLE, &p, "cannot mark the help request handled",
                      out_rows, error);
}

static GPtrArray *
pg_list_open_help_requests (IntakeStore  *store,
                            guint         limit,
                            GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *list;
  Params p = { 0 };
  PGresult *res;

  if (!ensure_connected (self, error))
    return NULL;
  param_int (&p, limit);
  if (!(res = run (self, STMT_HELP_LIST_OPEN, &p, "cannot list open help requests", error)))
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_store_help_request_free);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (list, read_help_request (res, i));
  PQclear (res);
  return list;
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
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  GPtrArray *ids;
  Params p = { 0 };
  PGresult *res;

  g_assert (rule == INTAKE_RETENTION_CLOSED || rule == INTAKE_RETENTION_MAXIMUM);
  param_int (&p, cutoff);
  param_int (&p, limit);
  if (!(res = run (self, rule == INTAKE_RETENTION_CLOSED ? STMT_EXPIRED_CLOSED : STMT_EXPIRED_MAXIMUM, &p,
                   "cannot list the submissions past their retention", error)))
    return FALSE;
  ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_ptr_array_add (ids, g_strdup (get_text (res, i, 0)));
      g_ptr_array_add (ids, g_strdup (get_text (res, i, 1)));
    }
  PQclear (res);
  *out_ids = ids;
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
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  static const IntakeStoreStmt which[INTAKE_RETENTION_N_RULES] = {
    [INTAKE_RETENTION_CLOSED] = STMT_COUNT_EXPIRED_CLOSED,
    [INTAKE_RETENTION_MAXIMUM] = STMT_COUNT_EXPIRED_MAXIMUM,
    [INTAKE_RETENTION_HELP] = STMT_COUNT_EXPIRED_HELP,
  };
  Params p = { 0 };
  PGresult *res;

  param_int (&p, cutoff);
  if (rule == INTAKE_RETENTION_MAXIMUM)
    param_int (&p, closed_cutoff);
  if (!(res = run (self, which[rule], &p, "cannot count what retention would remove", error)))
    return FALSE;
  *out_count = PQntuples (res) == 1 ? get_int (res, 0, 0) : 0;
  PQclear (res);
  return TRUE;
}

static gboolean
delete_submission (IntakeStore  *store,
                   const char   *device_id,
                   const char   *submission_id,
                   int          *out_rows,
                   GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  /* Children first: notes and the workflow row refer to the envelope. */
  static const IntakeStoreStmt order[] = {
    STMT_ERASE_NOTES, STMT_ERASE_CONFLICTS, STMT_ERASE_SUBMISSION, STMT_ERASE_ENVELOPE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      Params p = { 0 };

      param_text (&p, submission_id);
      param_text (&p, device_id);
      if (!run_command (self, order[i], &p, "cannot remove the submission", out_rows, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
delete_help_requests (IntakeStore  *store,
                      gint64        cutoff,
                      int          *out_rows,
                      GError      **error)
{
  Params p = { 0 };

  param_int (&p, cutoff);
  return run_command (INTAKE_STORE_PG (store), STMT_HELP_PURGE, &p, "cannot remove old help requests", out_rows,
                      error);
}

/* VACUUM marks the dead rows' space free for reuse and removes their index
 * entries; it does not overwrite the bytes, and the WAL segments, archives
 * and replicas keep them until they are recycled (docs/privacy.md). Not
 * inside a transaction, and not bound by the statement timeout. */
static gboolean
reclaim (IntakeStore  *store,
         GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);

  /* Whatever happens, the next operation sets the timeouts again. */
  self->timeouts_set = FALSE;
  return exec_simple (self, "SET statement_timeout = 0", error) &&
         exec_simple (self, "VACUUM envelopes, submissions, notes, conflicts, help_requests", error) &&
         set_timeouts (self, error);
}

INTAKE_STORE_DEFINE_BACKEND (pg_backend, backend_ensure_ready, put_uploads_at_once);

/* Envelopes stored before schema 2 get their reference codes here, in
 * batches of 500. Not shared with the SQLite backend: each UPDATE commits
 * on its own (no transaction, no lock held between batches), while SQLite
 * wraps each batch in BEGIN IMMEDIATE. */
static gboolean
fill_references (IntakeStorePg  *self,
                 GError        **error)
{
  for (;;)
    {
      Params p = { 0 };
      PGresult *res;
      int n;

      if (!(res = run (self, STMT_SUBMISSION_MISSING_REF, &p, "cannot read submissions", error)))
        return FALSE;
      n = PQntuples (res);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *reference = intake_store_reference_for (get_text (res, i, 0));

          p = (Params) { 0 };
          param_text (&p, get_text (res, i, 0));
          param_text (&p, reference);
          if (!run_command (self, STMT_SUBMISSION_SET_REF, &p, "cannot set a reference code", NULL, error))
            {
              PQclear (res);
              return FALSE;
            }
        }
      PQclear (res);
      if (n == 0)
        return TRUE;
    }
}

static int
pg_get_schema_version (IntakeStore *store)
{
  return INTAKE_STORE_PG (store)->schema_version;
}

static IntakeStore *
pg_open_another (IntakeStore  *store,
                 GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);

  return intake_store_pg_connect (self->conninfo, self->statement_timeout_ms / 1000, error);
}

static const char *
pg_get_backend_name (IntakeStore *store)
{
  return "postgresql";
}

static void
intake_store_pg_iface_init (IntakeStoreInterface *iface)
{
  /* The decisions shared with the SQLite backend, on pg_backend. */
  intake_store_common_iface_init (iface);
  iface->list_devices = pg_list_devices;
  iface->dup_envelope = pg_dup_envelope;
  iface->list_envelopes = pg_list_envelopes;
  iface->get_counts = pg_get_counts;
  iface->check_health = pg_check_health;
  iface->set_setting = pg_set_setting;
  iface->ensure_setting = pg_ensure_setting;
  iface->get_schema_version = pg_get_schema_version;
  iface->open_another = pg_open_another;
  iface->get_backend_name = pg_get_backend_name;
  iface->get_reviewer = pg_get_reviewer;
  iface->list_reviewers = pg_list_reviewers;
  iface->list_submissions = pg_list_submissions;
  iface->count_submissions = pg_count_submissions;
  iface->foreach_fact = pg_foreach_fact;
  iface->list_notes = pg_list_notes;
  iface->list_audit = pg_list_audit;
  iface->get_audit_head = pg_get_audit_head;
  iface->put_help_request = pg_put_help_request;
  iface->list_help_requests = pg_list_help_requests;
  iface->list_open_help_requests = pg_list_open_help_requests;
  iface->put_questionnaire = pg_put_questionnaire;
  iface->list_questionnaires = pg_list_questionnaires;
  iface->prune_nonces = pg_prune_nonces;
  iface->list_reviewer_setups = pg_list_reviewer_setups;
  iface->list_office_key_seals = pg_list_office_key_seals;
  iface->record_check_in = pg_record_check_in;
}

static void
intake_store_pg_finalize (GObject *object)
{
  IntakeStorePg *self = INTAKE_STORE_PG (object);

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->conninfo);

  G_OBJECT_CLASS (intake_store_pg_parent_class)->finalize (object);
}

static void
intake_store_pg_class_init (IntakeStorePgClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_store_pg_finalize;
  intake_store_backend_install (INTAKE_TYPE_STORE_PG, &pg_backend);
}

static void
intake_store_pg_init (IntakeStorePg *self)
{
}

/* PostgreSQL's notices ("relation already exists, skipping") are not ours
 * to print: the server's stderr is its structured log. */
static void
ignore_notice (void       *arg,
               const char *message)
{
}

static gboolean
read_version (IntakeStorePg  *self,
              int            *out_version,
              GError        **error)
{
  PGresult *res = PQexecParams (self->conn, "SELECT coalesce (max (version), 0) FROM schema_version",
                                0, NULL, NULL, NULL, NULL, 1);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      set_pg_error (self, res, "cannot read the schema version", error);
      PQclear (res);
      return FALSE;
    }
  *out_version = (int)get_int (res, 0, 0);
  PQclear (res);
  return TRUE;
}

static gboolean
migrate_locked (IntakeStorePg  *self,
                GError        **error)
{
  int version = 0;
  gboolean exists = FALSE;

  /* Only a new store creates the table: the runtime role of a store set up
   * by its owner may not create anything (docs/server.md, "PostgreSQL
   * roles"). */
  {
    PGresult *res = PQexecParams (self->conn, "SELECT to_regclass ('schema_version') IS NOT NULL", 0, NULL, NULL,
                                  NULL, NULL, 0);

    if (PQresultStatus (res) != PGRES_TUPLES_OK)
      {
        set_pg_error (self, res, "cannot look for the schema version", error);
        PQclear (res);
        return FALSE;
      }
    exists = g_str_equal (PQgetvalue (res, 0, 0), "t");
    PQclear (res);
  }
  if ((!exists && !exec_simple (self,
                                "CREATE TABLE IF NOT EXISTS schema_version ("
                                "  version    BIGINT PRIMARY KEY,"
                                "  applied_at BIGINT NOT NULL)", error)) ||
      !read_version (self, &version, error))
    {
      if (error != NULL && *error != NULL && strstr ((*error)->message, "permission denied") != NULL)
        g_prefix_error (error, "this role may not set up the store; run intake-admin db migrate as the owner "
                               "role first (docs/server.md, \"PostgreSQL roles\"): ");
      return FALSE;
    }

  if (version > INTAKE_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_SCHEMA_TOO_NEW,
                   "the PostgreSQL store has schema version %d, newer than this program's %d; "
                   "run the newer intake-server", version, INTAKE_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < INTAKE_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *record =
        g_strdup_printf ("INSERT INTO schema_version (version, applied_at) VALUES (%d, %" G_GINT64_FORMAT ")",
                         version + 1, g_get_real_time () / G_USEC_PER_SEC);

      if (!exec_simple (self, "BEGIN", error))
        return FALSE;
      if (!exec_simple (self, migrations[version], error) || !exec_simple (self, record, error))
        {
          if (strstr ((*error)->message, "permission denied") != NULL ||
              strstr ((*error)->message, "must be owner") != NULL)
            g_prefix_error (error, "schema migration %d needs the owner role: run intake-admin db migrate as the "
                                   "owner first (docs/server.md, \"PostgreSQL roles\"): ", version + 1);
          else
            g_prefix_error (error, "schema migration %d failed: ", version + 1);
          return rollback (self);
        }
      if (!commit (self, error))
        return rollback (self);
    }

  self->schema_version = version;
  return TRUE;
}

IntakeStore *
intake_store_pg_connect (const char  *conninfo,
                         guint        statement_timeout,
                         GError     **error)
{
  g_autoptr(IntakeStorePg) self = NULL;
  /* Keywords are applied in order and a later one wins, so a
   * connect_timeout in @conninfo (expanded from "dbname") beats ours. */
  const char *keywords[] = { "connect_timeout", "dbname", NULL };
  const char *values[] = { DEFAULT_CONNECT_TIMEOUT, conninfo, NULL };
  int first = 0;
  gboolean migrated;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (statement_timeout > 0 && statement_timeout <= INTAKE_STORE_PG_STATEMENT_TIMEOUT_MAX, NULL);

  /* libpq's own environment variable, like anything libpq reads, is the
   * operator's to set; ours would override it. */
  if (g_getenv ("PGCONNECT_TIMEOUT") != NULL)
    first = 1;

  self = g_object_new (INTAKE_TYPE_STORE_PG, NULL);
  self->statement_timeout_ms = statement_timeout * 1000;
  self->conninfo = g_strdup (conninfo);
  self->conn = PQconnectdbParams (keywords + first, values + first, 1);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (PQerrorMessage (self->conn));

      g_strstrip (g_strdelimit (message, "\n", ' '));
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot connect to PostgreSQL: %s", message);
      return NULL;
    }
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);

  /* Migrations run before the timeouts: one may take long on a big store,
   * and nothing is being served yet. */
  if (!exec_simple (self, "SELECT pg_advisory_lock (" MIGRATION_LOCK_KEY ")", error))
    return NULL;
  migrated = migrate_locked (self, error);
  exec_simple (self, "SELECT pg_advisory_unlock (" MIGRATION_LOCK_KEY ")", NULL);
  if (!migrated)
    return NULL;

  if (!set_timeouts (self, error) || !prepare_all (self, error) || !fill_references (self, error))
    return NULL;

  return INTAKE_STORE (g_steal_pointer (&self));
}

gboolean
intake_store_pg_grant_runtime (IntakeStore  *store,
                               const char   *role,
                               GError      **error)
{
  IntakeStorePg *self;
  g_autofree char *schema = NULL;
  g_autofree char *sql = NULL;
  char *quoted_role, *quoted_schema;
  PGresult *res;
  gboolean ok;

  g_return_val_if_fail (INTAKE_IS_STORE_PG (store), FALSE);
  g_return_val_if_fail (role != NULL, FALSE);

  self = INTAKE_STORE_PG (store);
  res = PQexec (self->conn, "SELECT current_schema ()");
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) != 1)
    {
      set_pg_error (self, res, "cannot read the current schema", error);
      PQclear (res);
      return FALSE;
    }
  schema = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  quoted_role = PQescapeIdentifier (self->conn, role, strlen (role));
  quoted_schema = PQescapeIdentifier (self->conn, schema, strlen (schema));
  if (quoted_role == NULL || quoted_schema == NULL)
    {
      PQfreemem (quoted_role);
      PQfreemem (quoted_schema);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID, "\"%s\" cannot be used as a role name", role);
      return FALSE;
    }
  /* Everything the server does, and no more: the audit log can only grow
   * (its head row moves forward), the schema stays the owner's. */
  sql = g_strdup_printf ("BEGIN;"
                         "GRANT USAGE ON SCHEMA %2$s TO %1$s;"
                         "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %2$s TO %1$s;"
                         "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %1$s;"
                         "REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM %1$s;"
                         "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_version FROM %1$s;"
                         "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %2$s TO %1$s;"
                         "COMMIT;", quoted_role, quoted_schema);
  PQfreemem (quoted_role);
  PQfreemem (quoted_schema);
  ok = exec_simple (self, sql, error);
  if (!ok)
    exec_simple (self, "ROLLBACK", NULL);
  return ok;
}

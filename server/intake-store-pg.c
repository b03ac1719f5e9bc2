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
 */
#include "config.h"

#include <libpq-fe.h>
#include <string.h>

#include "intake-store-pg.h"
#include "intake-store-sql.h"

/* Any fixed number: it only has to be the same in every instance. */
#define MIGRATION_LOCK_KEY "7595718147998050664"
#define MAX_PARAMS 12

struct _IntakeStorePg
{
  GObject   parent_instance;

  char     *conninfo;
  PGconn   *conn;
  gboolean  prepared;
  int       schema_version;
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

/* "?12" -> "$12": the shared statements use SQLite's numbered parameters. */
static char *
to_pg_sql (const char *sql)
{
  GString *out = g_string_new (NULL);

  for (const char *p = sql; *p != '\0'; p++)
    g_string_append_c (out, *p == '?' ? '$' : *p);
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

static gboolean
pg_create_enroll_code (IntakeStore  *store,
                       const char   *code_hash,
                       const char   *location,
                       gint64        created_at,
                       gint64        expires_at,
                       GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *name = stmt_name (STMT_CODE_INSERT);
  Params p = { 0 };
  PGresult *res;
  gboolean ok;

  if (!ensure_connected (self, error))
    return FALSE;
  param_text (&p, code_hash);
  param_text (&p, location);
  param_int (&p, created_at);
  param_int (&p, expires_at);
  res = PQexecPrepared (self->conn, name, p.n, p.values, p.lengths, p.formats, 1);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK;
  if (!ok && g_str_equal (sqlstate (res), "23505"))
    g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXISTS,
                         "this enrollment code exists already; make a new one");
  else if (!ok)
    set_pg_error (self, res, "cannot store the enrollment code", error);
  PQclear (res);
  return ok;
}

/* Inside a transaction: the device row, or NULL (no error) if none. */
static IntakeStoreDevice *
lookup_device (IntakeStorePg  *self,
               const char     *device_id,
               GError        **error)
{
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
insert_device (IntakeStorePg            *self,
               const IntakeDevicePublic *device,
               const char               *device_id,
               const char               *location,
               gint64                    enrolled_at,
               GError                  **error)
{
  Params p = { 0 };

  param_text (&p, device_id);
  param_bytes (&p, device->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  param_text (&p, location);
  param_int (&p, enrolled_at);
  return run_command (self, STMT_DEVICE_INSERT, &p, "cannot register the device", NULL, error);
}

static char *
pg_consume_enroll_code (IntakeStore              *store,
                        const char               *code_hash,
                        const IntakeDevicePublic *device,
                        gint64                    now,
                        GError                  **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autofree char *device_id = intake_hex_encode (device->device_id, sizeof device->device_id);
  g_autofree char *location = NULL;
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  Params p = { 0 };
  PGresult *res;
  gint64 expires_at;
  gboolean used;
  int rows = 0;

  if (!begin (self, error))
    return NULL;

  param_text (&p, code_hash);
  if (!(res = run (self, STMT_CODE_GET, &p, "cannot read the enrollment code", error)))
    return rollback (self), NULL;
  if (PQntuples (res) == 0)
    {
      PQclear (res);
      rollback (self);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE,
                           "unknown enrollment code; check it or ask staff for a new one");
      return NULL;
    }
  location = g_strdup (get_text (res, 0, 0));
  expires_at = get_int (res, 0, 1);
  used = !PQgetisnull (res, 0, 2);
  PQclear (res);

  if (!used && now >= expires_at)
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
  if (!used && existing != NULL && existing->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      rollback (self);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s is revoked and cannot enroll again; give the kiosk a new device key",
                   device_id);
      return NULL;
    }

  /* The update only takes an unused code, so of two servers racing for
   * the same code exactly one wins. */
  p = (Params) { 0 };
  param_text (&p, code_hash);
  param_int (&p, now);
  param_text (&p, device_id);
  if (!used && !run_command (self, STMT_CODE_USE, &p, "cannot consume the enrollment code", &rows, error))
    return rollback (self), NULL;
  if (used || rows != 1)
    {
      rollback (self);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED,
                           "this enrollment code was used already; ask staff for a new one");
      return NULL;
    }

  if (existing == NULL)
    {
      if (!insert_device (self, device, device_id, location, now, error))
        return rollback (self), NULL;
    }
  else
    {
      p = (Params) { 0 };
      param_text (&p, device_id);
      param_text (&p, location);
      if (!run_command (self, STMT_DEVICE_SET_LOCATION, &p, "cannot update the device", NULL, error))
        return rollback (self), NULL;
    }

  if (!commit (self, error))
    return rollback (self), NULL;
  return g_steal_pointer (&location);
}

static gboolean
pg_register_device (IntakeStore              *store,
                    const IntakeDevicePublic *device,
                    const char               *location,
                    gint64                    enrolled_at,
                    GError                  **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
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
  return commit (self, error) || rollback (self);
}

static IntakeStoreDevice *
pg_get_device (IntakeStore  *store,
               const char   *device_id,
               GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autoptr(GError) local_error = NULL;
  IntakeStoreDevice *device;

  if (!ensure_connected (self, error))
    return NULL;
  device = lookup_device (self, device_id, &local_error);
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

static gboolean
pg_revoke_device (IntakeStore  *store,
                  const char   *device_id,
                  gint64        now,
                  GError      **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  Params p = { 0 };

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
  param_text (&p, device_id);
  param_int (&p, now);
  if (!run_command (self, STMT_DEVICE_REVOKE, &p, "cannot revoke the device", NULL, error))
    return rollback (self);
  return commit (self, error) || rollback (self);
}

static gboolean
pg_put_envelope (IntakeStore               *store,
                 const IntakeStoreEnvelope *meta,
                 GBytes                    *envelope,
                 IntakeStorePutResult      *out_result,
                 GError                   **error)
{
  IntakeStorePg *self = INTAKE_STORE_PG (store);
  const char *source = intake_envelope_source_to_string (meta->source);
  gsize len;
  const guint8 *data = g_bytes_get_data (envelope, &len);
  g_autofree char *stored_sha256 = NULL;
  Params p = { 0 };
  PGresult *res;
  gboolean same;
  int rows = 0;

  if (!begin (self, error))
    return FALSE;

  param_text (&p, meta->submission_id);
  param_text (&p, meta->device_id);
  param_bytes (&p, data, len);
  param_text (&p, meta->sha256);
  param_int (&p, meta->size);
  param_int (&p, meta->created_at);
  param_text (&p, meta->questionnaire_id);
  param_int (&p, meta->questionnaire_version);
  param_text (&p, meta->questionnaire_hash);
  param_text (&p, meta->office_key_id);
  param_int (&p, meta->received_at);
  param_text (&p, source);
  /* ON CONFLICT DO NOTHING waits for a concurrent insert of the same id
   * (another server instance) to commit or roll back, so the comparison
   * below always sees the winner's row. */
  if (!run_command (self, STMT_ENVELOPE_INSERT, &p, "cannot store the envelope", &rows, error))
    return rollback (self);
  if (rows == 1)
    {
      *out_result = INTAKE_STORE_PUT_STORED;
      return commit (self, error) || rollback (self);
    }

  p = (Params) { 0 };
  param_text (&p, meta->submission_id);
  if (!(res = run (self, STMT_ENVELOPE_GET_BYTES, &p, "cannot read the stored envelope", error)))
    return rollback (self);
  if (PQntuples (res) != 1)
    {
      PQclear (res);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE,
                   "submission %s is neither new nor stored; retry", meta->submission_id);
      return rollback (self);
    }
  same = (gsize)PQgetlength (res, 0, 0) == len &&
         (len == 0 || memcmp (PQgetvalue (res, 0, 0), data, len) == 0);
  stored_sha256 = g_strdup (get_text (res, 0, 1));
  PQclear (res);

  if (same)
    {
      rollback (self);
      *out_result = INTAKE_STORE_PUT_DUPLICATE;
      return TRUE;
    }

  p = (Params) { 0 };
  param_text (&p, meta->submission_id);
  param_text (&p, meta->sha256);
  param_text (&p, meta->device_id);
  param_text (&p, stored_sha256);
  param_text (&p, source);
  param_int (&p, meta->received_at);
  if (!run_command (self, STMT_CONFLICT_LOG, &p, "cannot log the conflict", NULL, error))
    return rollback (self);
  *out_result = INTAKE_STORE_PUT_CONFLICT;
  return commit (self, error) || rollback (self);
}

static GBytes *
pg_dup_envelope (IntakeStore         *store,
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

  return ensure_connected (self, error) && count_one (self, STMT_HEALTH, &version, error);
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

static int
pg_get_schema_version (IntakeStore *store)
{
  return INTAKE_STORE_PG (store)->schema_version;
}

static const char *
pg_get_backend_name (IntakeStore *store)
{
  return "postgresql";
}

static void
intake_store_pg_iface_init (IntakeStoreInterface *iface)
{
  iface->create_enroll_code = pg_create_enroll_code;
  iface->consume_enroll_code = pg_consume_enroll_code;
  iface->register_device = pg_register_device;
  iface->get_device = pg_get_device;
  iface->list_devices = pg_list_devices;
  iface->revoke_device = pg_revoke_device;
  iface->put_envelope = pg_put_envelope;
  iface->dup_envelope = pg_dup_envelope;
  iface->list_envelopes = pg_list_envelopes;
  iface->get_counts = pg_get_counts;
  iface->check_health = pg_check_health;
  iface->ensure_setting = pg_ensure_setting;
  iface->get_schema_version = pg_get_schema_version;
  iface->get_backend_name = pg_get_backend_name;
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

  if (!exec_simple (self,
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    "  version    BIGINT PRIMARY KEY,"
                    "  applied_at BIGINT NOT NULL)", error) ||
      !read_version (self, &version, error))
    return FALSE;

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
                         GError     **error)
{
  g_autoptr(IntakeStorePg) self = NULL;
  gboolean migrated;

  g_return_val_if_fail (conninfo != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_STORE_PG, NULL);
  self->conninfo = g_strdup (conninfo);
  self->conn = PQconnectdb (conninfo);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (PQerrorMessage (self->conn));

      g_strstrip (g_strdelimit (message, "\n", ' '));
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot connect to PostgreSQL: %s", message);
      return NULL;
    }
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);

  if (!exec_simple (self, "SELECT pg_advisory_lock (" MIGRATION_LOCK_KEY ")", error))
    return NULL;
  migrated = migrate_locked (self, error);
  exec_simple (self, "SELECT pg_advisory_unlock (" MIGRATION_LOCK_KEY ")", NULL);
  if (!migrated)
    return NULL;

  if (!prepare_all (self, error))
    return NULL;

  return INTAKE_STORE (g_steal_pointer (&self));
}

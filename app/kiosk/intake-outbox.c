/* intake-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-outbox.h"
#include "intake-outbox-private.h"

G_DEFINE_QUARK (intake-outbox-error-quark, intake_outbox_error)

struct _IntakeOutbox
{
  GObject  parent_instance;

  char    *path;
  sqlite3 *db;
  int      schema_version;
};

G_DEFINE_FINAL_TYPE (IntakeOutbox, intake_outbox, G_TYPE_OBJECT)

/* Each entry moves the schema from version i to i + 1 and runs in its own
 * transaction together with the user_version bump. Never edit a published
 * entry: append a new one. */
static const char * const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE envelopes ("
  "  submission_id   TEXT PRIMARY KEY NOT NULL,"
  "  reference       TEXT NOT NULL,"
  "  envelope        BLOB NOT NULL,"
  "  state           INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),"
  "  created_at      INTEGER NOT NULL,"
  "  attempts        INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error      TEXT,"
  "  receipt         BLOB,"
  "  delivered_at    INTEGER,"
  "  exported_at     INTEGER,"
  "  CHECK (state = 0 OR receipt IS NOT NULL)"
  ") WITHOUT ROWID;"
  "CREATE INDEX envelopes_due ON envelopes (state, next_attempt_at, created_at);"
  "CREATE INDEX envelopes_delivered ON envelopes (state, delivered_at);"
  /* Counts are kept by triggers so that the staff screen and the sync engine
   * read them in constant time however many envelopes wait. */
  "CREATE TABLE envelope_counts ("
  "  state    INTEGER PRIMARY KEY NOT NULL,"
  "  n        INTEGER NOT NULL,"
  "  exported INTEGER NOT NULL"
  ");"
  "INSERT INTO envelope_counts (state, n, exported) VALUES (0, 0, 0), (1, 0, 0);"
  "CREATE TRIGGER envelopes_count_insert AFTER INSERT ON envelopes BEGIN"
  "  UPDATE envelope_counts SET n = n + 1,"
  "    exported = exported + (NEW.exported_at IS NOT NULL) WHERE state = NEW.state;"
  "END;"
  "CREATE TRIGGER envelopes_count_delete AFTER DELETE ON envelopes BEGIN"
  "  UPDATE envelope_counts SET n = n - 1,"
  "    exported = exported - (OLD.exported_at IS NOT NULL) WHERE state = OLD.state;"
  "END;"
  "CREATE TRIGGER envelopes_count_update AFTER UPDATE OF state, exported_at ON envelopes BEGIN"
  "  UPDATE envelope_counts SET n = n - 1,"
  "    exported = exported - (OLD.exported_at IS NOT NULL) WHERE state = OLD.state;"
  "  UPDATE envelope_counts SET n = n + 1,"
  "    exported = exported + (NEW.exported_at IS NOT NULL) WHERE state = NEW.state;"
  "END;",
  /* 1 -> 2: a resident pressed "I would like help". No personal data: only
   * when, in which language, and whether staff have seen it. */
  "CREATE TABLE help_requests ("
  "  id          INTEGER PRIMARY KEY,"
  "  created_at  INTEGER NOT NULL,"
  "  language    TEXT NOT NULL,"
  "  resolved_at INTEGER"
  ");"
  "CREATE INDEX help_requests_open ON help_requests (resolved_at, created_at);"
  /* The staff screen's "oldest pending" must not scan every pending row. */
  "CREATE INDEX envelopes_age ON envelopes (state, created_at);",
  /* 2 -> 3: help requests are sent to the back office (POST
   * /v1/help-requests); sent_at marks those the server has acknowledged. */
  "ALTER TABLE help_requests ADD COLUMN sent_at INTEGER;"
  "CREATE INDEX help_requests_unsent ON help_requests (sent_at, id);",
  /* 3 -> 4: a batch's signed receipt is stored once and the delivered rows
   * point to it (before, every row held a copy of its batch's whole
   * receipt: 12.8 KiB a row for batches of 100). Rows delivered before
   * keep their own copy in `receipt`; new ones have an empty `receipt`
   * (the CHECK wants it non-NULL) and `receipt_id`. */
  "CREATE TABLE receipts ("
  "  id      INTEGER PRIMARY KEY,"
  "  receipt BLOB NOT NULL"
  ");"
  "ALTER TABLE envelopes ADD COLUMN receipt_id INTEGER;"
  "CREATE INDEX envelopes_receipt ON envelopes (receipt_id) WHERE receipt_id IS NOT NULL;",
  /* 4 -> 5: what the kiosk knows of the back office: the store generation
   * it last delivered to (a restored store has another one, and the kiosk
   * then sends again what it still keeps as delivered). */
  "CREATE TABLE server_state ("
  "  name  TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ");",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == INTAKE_OUTBOX_SCHEMA_VERSION);

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *doing)
{
  IntakeOutboxError code;
  const char *hint = "";

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      code = INTAKE_OUTBOX_ERROR_FULL;
      hint = "; free disk space, nothing was stored";
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      code = INTAKE_OUTBOX_ERROR_READ_ONLY;
      hint = "; check that the state directory is writable";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = INTAKE_OUTBOX_ERROR_CORRUPT;
      hint = "; the outbox file is damaged, keep a copy and ask an operator";
      break;
    case SQLITE_IOERR:
      code = (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ?
             INTAKE_OUTBOX_ERROR_FULL : INTAKE_OUTBOX_ERROR_DATABASE;
      hint = "; the disk could not store the data, nothing was stored";
      break;
    default:
      code = INTAKE_OUTBOX_ERROR_DATABASE;
      break;
    }

  g_set_error (error, INTAKE_OUTBOX_ERROR, code,
               "outbox: %s failed: %s%s", doing,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), hint);
  return FALSE;
}

static gboolean
exec (IntakeOutbox  *self,
      const char    *sql,
      const char    *doing,
      GError       **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, doing);
  return TRUE;
}

static sqlite3_stmt *
prepare (IntakeOutbox  *self,
         const char    *sql,
         GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, "preparing a statement");
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
rollback (IntakeOutbox *self)
{
  /* Nothing useful can be done if rolling back fails: SQLite rolls back
   * an unfinished transaction on the next open in any case. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Reads PRAGMA user_version and refuses what this program cannot migrate. */
static gboolean
read_schema_version (IntakeOutbox  *self,
                     int           *out_version,
                     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "PRAGMA user_version", error)))
    return FALSE;
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "reading the schema version");
  *out_version = sqlite3_column_int (stmt, 0);

  if (*out_version < 0)
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CORRUPT,
                   "outbox %s has schema version %d, which no intake program writes; "
                   "it is damaged or not an outbox, keep a copy and ask an operator",
                   self->path, *out_version);
      return FALSE;
    }
  if (*out_version > INTAKE_OUTBOX_SCHEMA_VERSION)
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_SCHEMA_TOO_NEW,
                   "outbox %s has schema version %d, newer than this program knows (%d); "
                   "run the newer intake-kiosk, or restore a backup",
                   self->path, *out_version, INTAKE_OUTBOX_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (IntakeOutbox  *self,
         GError       **error)
{
  int version;

  if (!read_schema_version (self, &version, error))
    return FALSE;

  while (version < INTAKE_OUTBOX_SCHEMA_VERSION)
    {
      g_autofree char *bump = NULL;

      if (!exec (self, "BEGIN IMMEDIATE", "starting a migration", error))
        return FALSE;
      /* Read again under the write lock: another process opening the same
       * outbox may have migrated it since the first read. */
      if (!read_schema_version (self, &version, error))
        {
          rollback (self);
          return FALSE;
        }
      if (version == INTAKE_OUTBOX_SCHEMA_VERSION)
        {
          rollback (self);
          break;
        }

      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (self, migrations[version], "migrating the outbox schema", error) ||
          !exec (self, bump, "recording the schema version", error) ||
          !exec (self, "COMMIT", "committing a migration", error))
        {
          rollback (self);
          return FALSE;
        }
      version++;
    }

  self->schema_version = version;
  return TRUE;
}

static void
intake_outbox_finalize (GObject *object)
{
  IntakeOutbox *self = (IntakeOutbox *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (intake_outbox_parent_class)->finalize (object);
}

static void
intake_outbox_class_init (IntakeOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = intake_outbox_finalize;
}

static void
intake_outbox_init (IntakeOutbox *self)
{
}

/**
 * intake_outbox_open:
 * @path: the database file; created with mode 0600 when missing
 *
 * Opens the outbox in WAL mode with synchronous=FULL (a committed
 * submission survives a power cut) and secure_delete (deleted envelopes are
 * overwritten with zeros), migrating the schema when needed.
 */
IntakeOutbox *
intake_outbox_open (const char  *path,
                    GError     **error)
{
  g_autoptr(IntakeOutbox) self = NULL;
  g_autoptr(sqlite3_stmt) check = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_OUTBOX, NULL);
  self->path = g_strdup (path);

  /* Envelopes are not readable without the office key, but there is no
   * reason for other local users to see even their metadata. */
  mode_t old_mask = umask (077);
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  umask (old_mask);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_OPEN,
                   "cannot open outbox %s: %s; check that the directory exists and is writable",
                   path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 10000);

  if (!exec (self,
             "PRAGMA secure_delete = ON;"
             "PRAGMA foreign_keys = ON;"
             "PRAGMA journal_mode = WAL;"
             "PRAGMA synchronous = FULL;"
             "PRAGMA cell_size_check = ON;",
             "configuring the database", error))
    {
      if (error != NULL && *error != NULL &&
          g_error_matches (*error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CORRUPT))
        g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  /* Quick structural check: a damaged outbox must be noticed at start-up,
   * not when the resident presses "send". */
  if (!(check = prepare (self, "PRAGMA quick_check", error)))
    return NULL;
  rc = sqlite3_step (check);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "checking the database"), NULL;
  if (g_strcmp0 ((const char *)sqlite3_column_text (check, 0), "ok") != 0)
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CORRUPT,
                   "outbox %s failed its integrity check (%s); keep a copy and ask an operator",
                   path, sqlite3_column_text (check, 0));
      return NULL;
    }
  g_clear_pointer (&check, sqlite3_finalize);

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
intake_outbox_get_path (IntakeOutbox *self)
{
  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  return self->path;
}

int
intake_outbox_get_schema_version (IntakeOutbox *self)
{
  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), -1);

  return self->schema_version;
}

static gboolean
bytes_equal_blob (GBytes        *bytes,
                  sqlite3_stmt  *stmt,
                  int            column)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  return (gsize)sqlite3_column_bytes (stmt, column) == len &&
         memcmp (sqlite3_column_blob (stmt, column), data, len) == 0;
}

gboolean
intake_outbox_add (IntakeOutbox  *self,
                   GBytes        *envelope,
                   const char    *reference,
                   GError       **error)
{
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *submission_id = NULL;
  IntakeEnvelopeHeader header;
  gsize len;
  const void *data;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (reference != NULL, FALSE);

  /* Only what would pass the server's own checks goes in, so a bug on the
   * kiosk cannot queue something that will be refused days later. */
  if (!intake_envelope_verify (envelope, &header, &local_error))
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_INVALID_ENVELOPE,
                   "outbox: refusing an invalid envelope: %s", local_error->message);
      return FALSE;
    }

  submission_id = intake_hex_encode (header.submission_id, sizeof header.submission_id);
  data = g_bytes_get_data (envelope, &len);

  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(find = prepare (self, "SELECT envelope FROM envelopes WHERE submission_id = ?1", error)))
    goto fail;
  sqlite3_bind_text (find, 1, submission_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      gboolean same = bytes_equal_blob (envelope, find, 0);

      rollback (self);
      if (same)
        return TRUE;
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CONFLICT,
                   "outbox: submission %s is already stored with different contents",
                   submission_id);
      return FALSE;
    }
  else if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "looking up the submission");
      goto fail;
    }

  if (!(insert = prepare (self,
                          "INSERT INTO envelopes (submission_id, reference, envelope, state,"
                          " created_at, next_attempt_at) VALUES (?1, ?2, ?3, 0, ?4, 0)",
                          error)))
    goto fail;
  sqlite3_bind_text (insert, 1, submission_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, reference, -1, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 3, data, (int)len, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 4, header.created_at);
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "storing the envelope");
      goto fail;
    }

  if (!exec (self, "COMMIT", "committing the envelope", error))
    goto fail;

  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

gboolean
intake_outbox_get_counts (IntakeOutbox        *self,
                          IntakeOutboxCounts  *out_counts,
                          GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) oldest = NULL;
  g_autoptr(sqlite3_stmt) help = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);

  memset (out_counts, 0, sizeof *out_counts);

  if (!(stmt = prepare (self, "SELECT state, n, exported FROM envelope_counts", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint n = (guint)sqlite3_column_int64 (stmt, 1);

      if (sqlite3_column_int (stmt, 0) == INTAKE_OUTBOX_STATE_PENDING)
        {
          out_counts->pending = n;
          out_counts->exported_pending = (guint)sqlite3_column_int64 (stmt, 2);
        }
      else
        out_counts->delivered = n;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "counting envelopes");

  if (!(oldest = prepare (self,
                          "SELECT min(created_at) FROM envelopes WHERE state = 0",
                          error)))
    return FALSE;
  if ((rc = sqlite3_step (oldest)) != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "finding the oldest envelope");
  out_counts->oldest_pending_at = sqlite3_column_int64 (oldest, 0);

  if (!(help = prepare (self, "SELECT count(*) FROM help_requests WHERE resolved_at IS NULL", error)))
    return FALSE;
  if ((rc = sqlite3_step (help)) != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "counting help requests");
  out_counts->open_help_requests = (guint)sqlite3_column_int64 (help, 0);

  return TRUE;
}

void
intake_outbox_item_free (IntakeOutboxItem *item)
{
  if (item == NULL)
    return;

  g_free (item->submission_id);
  g_free (item->reference);
  g_clear_pointer (&item->envelope, g_bytes_unref);
  g_free (item->last_error);
  g_clear_pointer (&item->receipt, g_bytes_unref);
  g_free (item);
}

#define ITEM_COLUMNS \
  "submission_id, reference, envelope, state, created_at, attempts, next_attempt_at," \
  " last_error, COALESCE ((SELECT r.receipt FROM receipts r WHERE r.id = receipt_id), receipt)," \
  " delivered_at, exported_at"

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column),
                      sqlite3_column_bytes (stmt, column));
}

static IntakeOutboxItem *
item_from_row (sqlite3_stmt *stmt)
{
  IntakeOutboxItem *item = g_new0 (IntakeOutboxItem, 1);

  item->submission_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  item->reference = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  item->envelope = column_bytes (stmt, 2);
  item->state = sqlite3_column_int (stmt, 3);
  item->created_at = sqlite3_column_int64 (stmt, 4);
  item->attempts = (guint)sqlite3_column_int (stmt, 5);
  item->next_attempt_at = sqlite3_column_int64 (stmt, 6);
  item->last_error = g_strdup ((const char *)sqlite3_column_text (stmt, 7));
  item->receipt = column_bytes (stmt, 8);
  item->delivered_at = sqlite3_column_int64 (stmt, 9);
  item->exported_at = sqlite3_column_int64 (stmt, 10);

  return item;
}

static GPtrArray *
collect_items (IntakeOutbox  *self,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_outbox_item_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "listing envelopes");
      return NULL;
    }

  return g_steal_pointer (&items);
}

IntakeOutboxItem *
intake_outbox_lookup (IntakeOutbox  *self,
                      const char    *submission_id,
                      GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (submission_id != NULL, NULL);

  if (!(stmt = prepare (self, "SELECT " ITEM_COLUMNS " FROM envelopes WHERE submission_id = ?1", error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, submission_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND,
                 "outbox: no submission %s", submission_id);
  else
    set_sqlite_error (error, self->db, rc, "looking up a submission");
  return NULL;
}

GPtrArray *
intake_outbox_list_due (IntakeOutbox  *self,
                        gint64         now,
                        guint          limit,
                        GError       **error)
{
  return intake_outbox_list_due_except (self, now, limit, NULL, 0, error);
}

GPtrArray *
intake_outbox_list_due_except (IntakeOutbox        *self,
                               gint64               now,
                               guint                limit,
                               const char * const  *except,
                               guint                n_except,
                               GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *excluded = NULL;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (n_except == 0 || except != NULL, NULL);

  /* The ids to leave out go in as one JSON array: a bound parameter, and
   * the envelopes_due index still gives the order, the excluded rows are
   * skipped on the index entry (it holds the key) before their envelope
   * and its overflow pages are read. */
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_except; i++)
    json_builder_add_string_value (builder, except[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  excluded = json_generator_to_data (generator, NULL);

  if (!(stmt = prepare (self,
                        "SELECT " ITEM_COLUMNS " FROM envelopes"
                        " WHERE state = 0 AND next_attempt_at <= ?1"
                        " AND submission_id NOT IN (SELECT value FROM json_each (?3))"
                        " ORDER BY next_attempt_at, created_at LIMIT ?2",
                        error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_text (stmt, 3, excluded, -1, SQLITE_STATIC);

  return collect_items (self, stmt, error);
}

GPtrArray *
intake_outbox_list_pending (IntakeOutbox  *self,
                            GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT " ITEM_COLUMNS " FROM envelopes WHERE state = 0"
                        " ORDER BY created_at, submission_id",
                        error)))
    return NULL;

  return collect_items (self, stmt, error);
}

static gboolean
run_update (IntakeOutbox  *self,
            sqlite3_stmt  *stmt,
            const char    *submission_id,
            const char    *doing,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, doing);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND,
                   "outbox: no pending submission %s", submission_id);
      return FALSE;
    }
  return TRUE;
}

/* Stores @receipt once; its row id for the delivered rows. */
static gboolean
insert_receipt (IntakeOutbox  *self,
                GBytes        *receipt,
                gint64        *out_id,
                GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize len;
  const void *data = g_bytes_get_data (receipt, &len);

  if (!(stmt = prepare (self, "INSERT INTO receipts (receipt) VALUES (?1)", error)))
    return FALSE;
  sqlite3_bind_blob (stmt, 1, data, (int)len, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, sqlite3_errcode (self->db), "storing a receipt");
  *out_id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/* Receipts no row points to: @only_id (0: all of them). */
static gboolean
delete_unused_receipts (IntakeOutbox  *self,
                        gint64         only_id,
                        GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self,
                        "DELETE FROM receipts WHERE (?1 = 0 OR id = ?1)"
                        " AND NOT EXISTS (SELECT 1 FROM envelopes WHERE receipt_id = receipts.id)",
                        error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, only_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, sqlite3_errcode (self->db), "deleting unused receipts");
  return TRUE;
}

/* @stmt: the UPDATE, prepared once for the whole batch (preparing it,
 * with its triggers and four indexes, cost more than running it). */
static gboolean
mark_one_delivered (IntakeOutbox  *self,
                    sqlite3_stmt  *stmt,
                    const char    *submission_id,
                    gint64         receipt_id,
                    gint64         now,
                    GError       **error)
{
  g_autoptr(sqlite3_stmt) check = NULL;

  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, submission_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, receipt_id);
  sqlite3_bind_int64 (stmt, 3, now);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, sqlite3_errcode (self->db), "marking delivered");
  if (sqlite3_changes (self->db) > 0)
    return TRUE;

  /* A second receipt for something already delivered (a retried request
   * whose first answer got lost) is fine; an unknown id is not. */
  if (!(check = prepare (self, "SELECT 1 FROM envelopes WHERE submission_id = ?1", error)))
    return FALSE;
  sqlite3_bind_text (check, 1, submission_id, -1, SQLITE_STATIC);
  if (sqlite3_step (check) == SQLITE_ROW)
    return TRUE;

  g_set_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND,
               "outbox: no submission %s", submission_id);
  return FALSE;
}

gboolean
intake_outbox_mark_delivered (IntakeOutbox  *self,
                              const char    *submission_id,
                              GBytes        *receipt,
                              gint64         now,
                              GError       **error)
{
  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (submission_id != NULL, FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  return intake_outbox_mark_delivered_many (self, &submission_id, 1, receipt, now, error);
}

gboolean
intake_outbox_mark_delivered_many (IntakeOutbox        *self,
                                   const char * const  *submission_ids,
                                   guint                n,
                                   GBytes              *receipt,
                                   gint64               now,
                                   GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 receipt_id = 0;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (n == 0 || submission_ids != NULL, FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  if (n == 0)
    return TRUE;
  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  if (!insert_receipt (self, receipt, &receipt_id, error))
    goto fail;
  if (!(stmt = prepare (self,
                        "UPDATE envelopes SET state = 1, receipt = x'', receipt_id = ?2, delivered_at = ?3,"
                        " last_error = NULL WHERE submission_id = ?1 AND state = 0",
                        error)))
    goto fail;
  for (guint i = 0; i < n; i++)
    if (!mark_one_delivered (self, stmt, submission_ids[i], receipt_id, now, error))
      goto fail;
  sqlite3_reset (stmt);
  /* Every row was delivered before (a repeated receipt): keep no copy. */
  if (!delete_unused_receipts (self, receipt_id, error))
    goto fail;
  if (!exec (self, "COMMIT", "committing", error))
    goto fail;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

gboolean
intake_outbox_mark_exported (IntakeOutbox        *self,
                             const char * const  *submission_ids,
                             gint64               now,
                             GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (submission_ids != NULL, FALSE);

  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  if (!(stmt = prepare (self,
                        "UPDATE envelopes SET exported_at = ?2 WHERE submission_id = ?1",
                        error)))
    goto fail;

  for (guint i = 0; submission_ids[i] != NULL; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, submission_ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, now);
      if (!run_update (self, stmt, submission_ids[i], "marking exported", error))
        goto fail;
    }

  if (!exec (self, "COMMIT", "committing", error))
    goto fail;
  return TRUE;

fail:
  rollback (self);
  return FALSE;
}

gboolean
intake_outbox_record_failure (IntakeOutbox  *self,
                              const char    *submission_id,
                              gint64         next_attempt_at,
                              const char    *message,
                              GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (submission_id != NULL, FALSE);

  if (!(stmt = prepare (self,
                        "UPDATE envelopes SET attempts = attempts + 1, next_attempt_at = ?2,"
                        " last_error = ?3 WHERE submission_id = ?1 AND state = 0",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, submission_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, next_attempt_at);
  sqlite3_bind_text (stmt, 3, message, -1, SQLITE_STATIC);

  return run_update (self, stmt, submission_id, "recording a failed attempt", error);
}

gint64
intake_outbox_purge_delivered (IntakeOutbox  *self,
                               gint64         delivered_before,
                               GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), -1);

  gint64 removed;

  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return -1;
  if (!(stmt = prepare (self,
                        "DELETE FROM envelopes WHERE state = 1 AND delivered_at < ?1",
                        error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, delivered_before);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "deleting delivered envelopes");
      goto fail;
    }
  removed = sqlite3_changes64 (self->db);
  /* The receipts of the rows just deleted, once no row points to them. */
  if (!delete_unused_receipts (self, 0, error) || !exec (self, "COMMIT", "committing", error))
    goto fail;
  return removed;

fail:
  rollback (self);
  return -1;
}

char *
intake_outbox_dup_store_generation (IntakeOutbox  *self,
                                    GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  if (!(stmt = prepare (self, "SELECT value FROM server_state WHERE name = 'store_generation'", error)))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, "reading the store generation");
  return value;
}

gint64
intake_outbox_note_store_generation (IntakeOutbox  *self,
                                     const char    *server_key_id,
                                     const char    *generation_,
                                     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *known = NULL;
  g_autofree char *generation = NULL;
  g_autofree char *server_prefix = NULL;
  GError *local_error = NULL;
  gint64 requeued = 0;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), -1);
  g_return_val_if_fail (server_key_id != NULL && generation_ != NULL, -1);

  generation = g_strconcat (server_key_id, ":", generation_, NULL);
  server_prefix = g_strconcat (server_key_id, ":", NULL);

  /* The common case, without a write transaction. */
  known = intake_outbox_dup_store_generation (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  if (g_strcmp0 (known, generation) == 0)
    return 0;
  g_clear_pointer (&known, g_free);

  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return -1;
  known = intake_outbox_dup_store_generation (self, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      goto fail;
    }
  if (known != NULL && !g_str_equal (known, generation) && g_str_has_prefix (known, server_prefix))
    {
      if (!(stmt = prepare (self,
                            "UPDATE envelopes SET state = 0, attempts = 0, next_attempt_at = 0, last_error = NULL "
                            "WHERE state = 1",
                            error)))
        goto fail;
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, rc, "sending delivered envelopes again");
          goto fail;
        }
      requeued = sqlite3_changes64 (self->db);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  if (!(stmt = prepare (self,
                        "INSERT INTO server_state (name, value) VALUES ('store_generation', ?1) "
                        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        error)))
    goto fail;
  sqlite3_bind_text (stmt, 1, generation, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "remembering the store generation");
      goto fail;
    }
  if (!exec (self, "COMMIT", "committing", error))
    goto fail;
  return requeued;

fail:
  rollback (self);
  return -1;
}

sqlite3 *
intake_outbox_get_db (IntakeOutbox *self)
{
  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  return self->db;
}

gint64
intake_outbox_add_help_request (IntakeOutbox  *self,
                                gint64         now,
                                const char    *language,
                                GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), 0);
  g_return_val_if_fail (language != NULL, 0);

  if (!(stmt = prepare (self, "INSERT INTO help_requests (created_at, language) VALUES (?1, ?2)", error)))
    return 0;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, language, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "recording a help request");
      return 0;
    }
  return sqlite3_last_insert_rowid (self->db);
}

GArray *
intake_outbox_list_help_requests (IntakeOutbox  *self,
                                  gboolean       open_only,
                                  GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (IntakeHelpRequest));
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT id, created_at, language, resolved_at, sent_at FROM help_requests"
                        " WHERE ?1 = 0 OR resolved_at IS NULL ORDER BY created_at DESC, id DESC",
                        error)))
    return NULL;
  sqlite3_bind_int (stmt, 1, open_only ? 1 : 0);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IntakeHelpRequest request = { 0 };

      request.id = sqlite3_column_int64 (stmt, 0);
      request.created_at = sqlite3_column_int64 (stmt, 1);
      g_strlcpy (request.language, (const char *)sqlite3_column_text (stmt, 2), sizeof request.language);
      request.resolved_at = sqlite3_column_int64 (stmt, 3);
      request.sent_at = sqlite3_column_int64 (stmt, 4);
      g_array_append_val (list, request);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "listing help requests");
      return NULL;
    }
  return g_steal_pointer (&list);
}

GArray *
intake_outbox_list_unsent_help_requests (IntakeOutbox  *self,
                                         guint          limit,
                                         GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (IntakeHelpRequest));
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT id, created_at, language, resolved_at, sent_at FROM help_requests"
                        " WHERE sent_at IS NULL ORDER BY id LIMIT ?1",
                        error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      IntakeHelpRequest request = { 0 };

      request.id = sqlite3_column_int64 (stmt, 0);
      request.created_at = sqlite3_column_int64 (stmt, 1);
      g_strlcpy (request.language, (const char *)sqlite3_column_text (stmt, 2), sizeof request.language);
      request.resolved_at = sqlite3_column_int64 (stmt, 3);
      request.sent_at = sqlite3_column_int64 (stmt, 4);
      g_array_append_val (list, request);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "listing unsent help requests");
      return NULL;
    }
  return g_steal_pointer (&list);
}

gboolean
intake_outbox_mark_help_requests_sent (IntakeOutbox  *self,
                                       const gint64  *ids,
                                       guint          n_ids,
                                       gint64         now,
                                       GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  if (!(stmt = prepare (self, "UPDATE help_requests SET sent_at = ?1 WHERE id = ?2 AND sent_at IS NULL", error)))
    return FALSE;
  if (!exec (self, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  for (guint i = 0; i < n_ids; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, now);
      sqlite3_bind_int64 (stmt, 2, ids[i]);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, rc, "marking help requests sent");
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return exec (self, "COMMIT", "committing", error);
}

gboolean
intake_outbox_resolve_help_requests (IntakeOutbox  *self,
                                     gint64         now,
                                     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (INTAKE_IS_OUTBOX (self), FALSE);

  if (!(stmt = prepare (self, "UPDATE help_requests SET resolved_at = ?1 WHERE resolved_at IS NULL", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "resolving help requests");
  return TRUE;
}

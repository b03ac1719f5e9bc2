/* intake-admin-backup.c: backup and restore of the server's store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * backup copies a SQLite store with SQLite's online backup API (consistent
 * while the server runs) into a new 0600 file. restore puts such a copy in
 * place with the server stopped, keeps the store it replaces, and gives the
 * store a new generation: the kiosks then send again what they delivered
 * since the backup (docs/server.md, "Backup and restore"). PostgreSQL is
 * backed up with pg_dump; restore --postgres --bump-generation gives it the
 * new generation after pg_restore.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-server-util.h"
#include "intake-store.h"

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  const char  *path,
                  const char  *doing)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: %s: %s"), path, doing,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

/* Creates @path, which must not exist, empty and with mode 0600. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      if (saved == EEXIST)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                     _("%s exists; a backup never overwrites a file: give a new name"), path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot create %s: %s"), path,
                     g_strerror (saved));
      return FALSE;
    }
  /* The umask may have taken bits away, never added: make it exactly 0600. */
  if (fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot set the mode of %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Copies the database @from into the (new, empty) file @to with SQLite's
 * online backup API, retrying while a writer holds the lock; @to is then
 * checked with PRAGMA quick_check. */
static gboolean
copy_database (const char  *from,
               const char  *to,
               GError     **error)
{
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_open_v2 (from, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, src, from, _("cannot open"));
      goto out;
    }
  sqlite3_busy_timeout (src, 5000);
  if (sqlite3_open_v2 (to, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, dst, to, _("cannot open"));
      goto out;
    }
  if (!(backup = sqlite3_backup_init (dst, "main", src, "main")))
    {
      set_sqlite_error (error, dst, to, _("cannot start the copy"));
      goto out;
    }
  for (guint tries = 0;; tries++)
    {
      rc = sqlite3_backup_step (backup, -1);
      if (rc == SQLITE_DONE)
        break;
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 100)
        {
          g_usleep (100 * 1000);
          continue;
        }
      break;
    }
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: the copy failed: %s"), from, sqlite3_errstr (rc));
      goto out;
    }
  /* One self-contained file, without a -wal beside it. */
  if (sqlite3_exec (dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, dst, to, _("cannot finish the copy"));
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_close (src);
  sqlite3_close (dst);
  return ok;
}

/* Checks that @path is an intact SQLite store (quick check, a schema
 * version and an office key) and returns its schema version. */
static gboolean
check_store_file (const char  *path,
                  int         *out_schema,
                  GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s does not exist"), path);
      return FALSE;
    }
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, db, path, _("cannot open"));
      goto out;
    }
  if (sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK ||
      sqlite3_step (s) != SQLITE_ROW || g_strcmp0 ((const char *)sqlite3_column_text (s, 0), "ok") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not an intact SQLite database (quick check failed); nothing was changed"), path);
      goto out;
    }
  sqlite3_finalize (s);
  s = NULL;
  if (sqlite3_prepare_v2 (db,
                          "SELECT (SELECT max (version) FROM schema_version), "
                          "(SELECT count (*) FROM settings WHERE name = 'office_public')",
                          -1, &s, NULL) != SQLITE_OK ||
      sqlite3_step (s) != SQLITE_ROW || sqlite3_column_int (s, 1) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not an intake-server store (no schema version or office key); nothing was changed"),
                   path);
      goto out;
    }
  *out_schema = sqlite3_column_int (s, 0);
  ok = TRUE;

out:
  sqlite3_finalize (s);
  sqlite3_close (db);
  return ok;
}

/* Whether a process holds a lock on @path's bytes [@start, @start + @len)
 * (SQLite's POSIX locks: a connection that has the store open holds one). */
static gboolean
is_locked (const char *path,
           off_t       start,
           off_t       len)
{
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
  int fd = g_open (path, O_RDWR | O_CLOEXEC, 0);
  gboolean locked;

  if (fd < 0)
    return FALSE;
  locked = fcntl (fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  close (fd);
  return locked;
}

/* The server (or another intake-admin) has the store open: every SQLite
 * connection in WAL mode holds a read lock on the -shm file's byte 128
 * while it is open, and a connection in another mode locks the database
 * file's lock bytes while it reads or writes. */
static gboolean
store_in_use (const char *db_path)
{
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

  return is_locked (shm, 128, 1) || is_locked (shm, 120, 8) || is_locked (db_path, 0x40000000, 512 + 2);
}

static char *
timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y%m%dT%H%M%SZ");
}

/* backup --data DIR --out FILE */
int
intake_admin_backup (int    argc,
                     char **argv)
{
  const char *usage = "backup (--data DIR | --postgres CONNINFO) --out FILE";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *out = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *generation = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  int schema = 0;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The backup file to write (must not exist)"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (conninfo != NULL)
    return intake_admin_usage_error (usage, _("a PostgreSQL store is backed up with pg_dump "
                                              "(docs/server.md, \"Backup and restore\")"));
  if (out == NULL)
    return intake_admin_usage_error (usage, _("give the backup file with --out FILE"));

  db_path = g_build_filename (data_dir, "intake.db", NULL);
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("%s does not exist: nothing to back up"), db_path);
      return intake_admin_fail (error);
    }
  /* Opening it through the store refuses an empty or newer store. */
  if (!(store = intake_store_open_from_options (data_dir, NULL, &error)))
    return intake_admin_fail (error);
  g_clear_object (&store);

  if (!create_private_file (out, &error))
    return intake_admin_fail (error);
  if (!copy_database (db_path, out, &error) || !check_store_file (out, &schema, &error))
    {
      g_unlink (out);
      return intake_admin_fail (error);
    }
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open_v2 (out, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2 (db, "SELECT value FROM settings WHERE name = 'store_generation'", -1, &s, NULL) ==
          SQLITE_OK &&
        sqlite3_step (s) == SQLITE_ROW)
      generation = g_strdup ((const char *)sqlite3_column_text (s, 0));
    sqlite3_finalize (s);
    sqlite3_close (db);
  }
  g_print (_("backup written: %s (mode 0600; schema %d, generation %s)\n"), out, schema,
           generation != NULL ? generation : "-");
  g_print (_("it holds sealed envelopes, metadata, the audit log and the reviewers' sealed keys: "
             "keep it as docs/server.md, \"Backup and restore\", says\n"));
  return EXIT_SUCCESS;
}

/* The new generation and its audit event, on an open store. */
static gboolean
bump_generation (IntakeStore  *store,
                 const char   *what,
                 char        **out_generation,
                 GError      **error)
{
  g_autofree char *old = intake_store_dup_generation (store, NULL);
  g_autofree char *generation = NULL;
  g_autofree char *object = NULL;

  if (!(generation = intake_store_new_generation (store, error)))
    return FALSE;
  object = g_strdup_printf ("generation %s -> %s (%s)", old != NULL ? old : "-", generation, what);
  if (!intake_admin_record_audit (store, "store_restore", object, "ok", error))
    return FALSE;
  *out_generation = g_steal_pointer (&generation);
  return TRUE;
}

/* restore (--data DIR --in FILE | --postgres CONNINFO --bump-generation) */
int
intake_admin_restore (int    argc,
                      char **argv)
{
  const char *usage = "restore (--data DIR --in FILE | --postgres CONNINFO --bump-generation)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *in = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *generation = NULL;
  g_autoptr(IntakeStore) store = NULL;
  gboolean bump = FALSE;
  GError *error = NULL;
  int schema = 0;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, N_("The backup file to restore (from intake-admin backup)"), "FILE" },
    { "bump-generation", 0, 0, G_OPTION_ARG_NONE, &bump,
      N_("PostgreSQL: after pg_restore, give the store a new generation"), NULL },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  if (conninfo != NULL)
    {
      if (!bump || in != NULL)
        return intake_admin_usage_error (usage, _("a PostgreSQL store is restored with pg_restore; then run "
                                                  "restore --postgres CONNINFO --bump-generation"));
      if (!(store = intake_store_open_from_options (NULL, conninfo, &error)) ||
          !bump_generation (store, "pg_restore", &generation, &error))
        return intake_admin_fail (error);
      g_print (_("new store generation %s: kiosks send again what they delivered since the backup\n"), generation);
      return EXIT_SUCCESS;
    }

  if (in == NULL)
    return intake_admin_usage_error (usage, _("give the backup file with --in FILE"));
  if (bump)
    return intake_admin_usage_error (usage, _("--bump-generation is for --postgres; a restore with --data "
                                              "gives the store a new generation by itself"));

  /* 1. The backup is an intact store. */
  if (!check_store_file (in, &schema, &error))
    return intake_admin_fail (error);
  if (schema > INTAKE_STORE_SCHEMA_VERSION)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s has schema version %d, newer than this program's %d; use the newer intake-admin"), in,
                   schema, INTAKE_STORE_SCHEMA_VERSION);
      return intake_admin_fail (error);
    }

  /* 2. Nobody has the store open. */
  db_path = g_build_filename (data_dir, "intake.db", NULL);
  if (g_file_test (db_path, G_FILE_TEST_EXISTS) && store_in_use (db_path))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("%s is in use: stop intake-server (systemctl stop intake-server) and any other intake-admin "
                     "first; nothing was changed"), db_path);
      return intake_admin_fail (error);
    }
  if (!intake_admin_ensure_private_dir (data_dir, &error))
    return intake_admin_fail (error);

  /* 3. The store it replaces is kept, whole (its WAL included). */
  stamp = timestamp_now ();
  if (g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      struct stat st;

      if (g_stat (db_path, &st) == 0 && st.st_size > 0)
        {
          kept = g_strdup_printf ("%s.before-restore-%s", db_path, stamp);
          if (!create_private_file (kept, &error) || !copy_database (db_path, kept, &error))
            {
              if (kept != NULL)
                g_unlink (kept);
              g_prefix_error (&error, _("the current store could not be kept, nothing was changed: "));
              return intake_admin_fail (error);
            }
        }
    }

  /* 4. The backup in place, under a temporary name first, then renamed. */
  tmp = g_strdup_printf ("%s.restoring-%s", db_path, stamp);
  if (!create_private_file (tmp, &error) || !copy_database (in, tmp, &error))
    {
      g_unlink (tmp);
      return intake_admin_fail (error);
    }
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  if (g_rename (tmp, db_path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot move the restored store to %s: %s"),
                   db_path, g_strerror (saved));
      return intake_admin_fail (error);
    }

  /* 5. Migrated if older, and a new generation. */
  if (!(store = intake_store_open_from_options (data_dir, NULL, &error)) ||
      !bump_generation (store, "restore", &generation, &error))
    return intake_admin_fail (error);

  g_print (_("restored %s into %s\n"), in, db_path);
  if (kept != NULL)
    g_print (_("the replaced store is kept as %s (mode 0600)\n"), kept);
  g_print (_("new store generation %s: kiosks send again what they delivered since the backup\n"), generation);
  return EXIT_SUCCESS;
}

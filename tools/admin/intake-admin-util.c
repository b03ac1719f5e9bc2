/* intake-admin-util.c: what the intake-admin command groups share: error
 * and usage reporting, option parsing, passphrases, files, the audit log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-http.h"

/* Prints @error as the one line "intake-admin: ..." on stderr and frees it. */
int
intake_admin_fail (GError *error)
{
  g_autofree char *one_line = g_strdup (error->message);

  g_strdelimit (one_line, "\n", ' ');
  g_printerr ("intake-admin: %s\n", one_line);
  g_error_free (error);
  return EXIT_FAILURE;
}

int
intake_admin_usage_error (const char *usage,
                          const char *message)
{
  g_printerr ("intake-admin: %s\nusage: intake-admin %s\n", message, usage);
  return INTAKE_ADMIN_EXIT_USAGE;
}

/* On FALSE, *status is the exit status of the usage error already reported. */
gboolean
intake_admin_parse_options (GOptionEntry   *entries,
                            const char     *usage,
                            int            *argc,
                            char         ***argv,
                            int            *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, TRUE);
  g_option_context_set_summary (context, usage);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = intake_admin_usage_error (usage, error->message);
      return FALSE;
    }
  return TRUE;
}

static IntakeSecureBuffer *
read_passphrase_tty (const char  *prompt,
                     GError     **error)
{
  struct termios old, quiet;
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean have_tty = isatty (STDIN_FILENO);
  int c;

  if (!have_tty)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("no terminal to ask for a passphrase; use --passphrase-file FILE"));
      return NULL;
    }

  fprintf (stderr, "%s", prompt);
  fflush (stderr);
  tcgetattr (STDIN_FILENO, &old);
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  quiet.c_lflag |= ECHONL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char)c);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);

  if (line->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("the passphrase is empty"));
      return NULL;
    }
  return intake_secure_buffer_new_take_string (g_steal_pointer (&line));
}

/* The first line of @file, or else typed at the terminal without echo
 * (twice when @confirm, for a new passphrase). */
IntakeSecureBuffer *
intake_admin_get_passphrase (const char  *file,
                             gboolean     confirm,
                             GError     **error)
{
  g_autoptr(IntakeSecureBuffer) first = NULL;
  g_autoptr(IntakeSecureBuffer) second = NULL;

  if (file != NULL)
    return intake_secure_read_passphrase_file (file, error);

  if (!(first = read_passphrase_tty (_("Passphrase: "), error)))
    return NULL;
  if (!confirm)
    return g_steal_pointer (&first);
  if (!(second = read_passphrase_tty (_("Passphrase again: "), error)))
    return NULL;
  if (first->len != second->len || memcmp (first->data, second->data, first->len) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("the two passphrases differ; nothing was written"));
      return NULL;
    }
  return g_steal_pointer (&first);
}

gboolean
intake_admin_ensure_private_dir (const char  *dir,
                                 GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot create directory %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Reads all of @path, or of standard input when @path is NULL or "-". */
gboolean
intake_admin_read_input (const char  *path,
                         GBytes     **out_bytes,
                         GError     **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) mem = NULL;

  if (path != NULL && g_strcmp0 (path, "-") != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      g_autoptr(GError) local_error = NULL;

      if (!(*out_bytes = g_file_load_bytes (file, NULL, NULL, &local_error)))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("cannot read %s: %s"), path, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  mem = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (mem, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return FALSE;
  *out_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
  return TRUE;
}

/* Writes @bytes durably to @path (mode 0600), or to standard output when
 * @path is NULL or "-". */
gboolean
intake_admin_write_output (const char  *path,
                           GBytes      *bytes,
                           GError     **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (path != NULL && g_strcmp0 (path, "-") != 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_file_set_contents_full (path, (const char *)data, len,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("cannot write %s: %s"), path, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot write to standard output"));
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_admin_load_office_public (const char          *dir,
                                 IntakeOfficePublic **out_public,
                                 GError             **error)
{
  g_autofree char *path = NULL;

  /* Accept either the directory made by "office init" or the file itself. */
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    path = g_build_filename (dir, "office.pub", NULL);
  else
    path = g_strdup (dir);

  return (*out_public = intake_office_public_load (path, error)) != NULL;
}

char *
intake_admin_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_seconds);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

/* Appends an admin action (actor "admin", origin "cli") to the audit log. */
gboolean
intake_admin_record_audit (IntakeStore  *store,
                           const char   *action,
                           const char   *object,
                           const char   *result,
                           GError      **error)
{
  g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin",
                                                              action, object, result, "cli");

  if (!intake_store_append_audit (store, event, error))
    {
      g_prefix_error (error, _("done, but it could not be recorded in the audit log: "));
      return FALSE;
    }
  return TRUE;
}

void
intake_admin_sync_init (IntakeAdminSync *sync)
{
  sync->context = g_main_context_new ();
  sync->loop = g_main_loop_new (sync->context, FALSE);
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

void
intake_admin_sync_clear (IntakeAdminSync *sync)
{
  while (g_main_context_iteration (sync->context, FALSE))
    ;
  g_main_context_pop_thread_default (sync->context);
  g_clear_object (&sync->result);
  g_clear_pointer (&sync->loop, g_main_loop_unref);
  g_clear_pointer (&sync->context, g_main_context_unref);
}

void
intake_admin_sync_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  IntakeAdminSync *sync = user_data;

  sync->result = g_object_ref (result);
  g_main_loop_quit (sync->loop);
}

GAsyncResult *
intake_admin_sync_wait (IntakeAdminSync *sync)
{
  g_main_loop_run (sync->loop);
  return g_steal_pointer (&sync->result);
}

IntakeReviewClient *
intake_admin_client_new (const char  *server,
                         const char  *tls_ca,
                         const char  *workstation_key,
                         GError     **error)
{
  g_autoptr(IntakeReviewClient) client = intake_review_client_new (server);

  if (tls_ca != NULL)
    {
      g_autoptr(GTlsDatabase) tls = intake_http_tls_database_new (tls_ca, error);

      if (tls == NULL)
        return NULL;
      intake_review_client_set_tls_database (client, tls);
    }
  if (workstation_key != NULL)
    intake_review_client_set_workstation_key_file (client, workstation_key);
  return g_steal_pointer (&client);
}

gboolean
intake_admin_make_private (const char  *path,
                           GError     **error)
{
  if (g_chmod (path, 0600) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot set the mode of %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_name (const char  *path,
          const char  *new_path,
          GError     **error)
{
  if (link (path, new_path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("cannot name %s as %s: %s"), path,
                   new_path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_admin_swap_names (const char  *current,
                         const char  *old_name,
                         const char  *new_name,
                         GError     **error)
{
  if (!g_file_test (old_name, G_FILE_TEST_EXISTS) && !add_name (current, old_name, error))
    return FALSE;
  if (g_unlink (current) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("cannot remove %s: %s"), current,
                   g_strerror (saved));
      return FALSE;
    }
  return add_name (new_name, current, error);
}

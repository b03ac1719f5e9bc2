/* intake-admin-export.c: export, a reviewer's decrypted submissions as
 * CSV or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-review-client.h"

/* Runs one asynchronous step of the export to its end. */
typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Sync;

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sync *sync = user_data;

  sync->result = g_object_ref (result);
  g_main_loop_quit (sync->loop);
}

static GAsyncResult *
sync_wait (Sync *sync)
{
  g_main_loop_run (sync->loop);
  return g_steal_pointer (&sync->result);
}

/* Unlocks @client, loads the questionnaires and exports everything to
 * @out_path (created 0600), one step after the other. */
static gboolean
export_steps (IntakeReviewClient        *client,
              Sync                      *sync,
              const char                *name,
              const IntakeSecureBuffer  *passphrase,
              IntakeExportFormat         format,
              IntakeExportFlags          flags,
              const char                *out_path,
              guint64                   *out_rows,
              GError                   **error)
{
  g_autoptr(IntakeQuestionnaireSet) questionnaires = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GAsyncResult) unlocked = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) exported = NULL;
  guint skipped = 0;

  intake_review_client_unlock_async (client, name, passphrase, NULL, sync_cb, sync);
  unlocked = sync_wait (sync);
  if (!intake_review_client_unlock_finish (client, unlocked, error))
    return FALSE;

  intake_review_client_load_questionnaires_async (client, NULL, sync_cb, sync);
  loaded = sync_wait (sync);
  if (!(questionnaires = intake_review_client_load_questionnaires_finish (client, loaded, error)))
    return FALSE;

  file = g_file_new_for_path (out_path);
  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error)))
    return FALSE;
  intake_review_client_export_async (client, questionnaires, NULL, NULL, format, flags, G_OUTPUT_STREAM (out),
                                     NULL, NULL, NULL, sync_cb, sync);
  exported = sync_wait (sync);
  if (!intake_review_client_export_finish (client, exported, out_rows, &skipped, error))
    return FALSE;
  if (skipped > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "%u submission of another questionnaire version was left out; export it separately.\n",
                             "%u submissions of another questionnaire version were left out; export them separately.\n",
                             skipped),
                skipped);
  return TRUE;
}

/* The whole export as the reviewer @name, in a private main context so the
 * command can wait for each step. @tls_database may be NULL. */
static gboolean
export_to_file (const char                *server_url,
                GTlsDatabase              *tls_database,
                const char                *name,
                const IntakeSecureBuffer  *passphrase,
                IntakeExportFormat         format,
                IntakeExportFlags          flags,
                const char                *out_path,
                guint64                   *out_rows,
                GError                   **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(IntakeReviewClient) client = NULL;
  Sync sync = { loop, NULL };
  gboolean ok;

  g_main_context_push_thread_default (context);
  client = intake_review_client_new (server_url);
  if (tls_database != NULL)
    intake_review_client_set_tls_database (client, tls_database);

  ok = export_steps (client, &sync, name, passphrase, format, flags, out_path, out_rows, error);

  /* Wipe the reviewer key now, whoever still holds the client; then let the
   * finished requests release what they hold in this context. */
  intake_review_client_lock (client);
  g_clear_object (&client);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return ok;
}

/* export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE [--tls-ca FILE] */
int
intake_admin_export (int    argc,
                     char **argv)
{
  const char *usage = "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json "
                      "--out FILE [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *reviewer = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *format = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *tls_ca = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GTlsDatabase) tls = NULL;
  GError *error = NULL;
  guint64 rows = 0;
  gboolean json;
  int status = 0;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The office server"), "URL" },
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, N_("Reviewer name"), "NAME" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, N_("The reviewer's passphrase"), "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("csv (with a byte order mark for Excel) or json"), "FORMAT" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("File to write (mode 0600)"), "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, N_("Trust the CAs in this PEM file"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (server == NULL || reviewer == NULL || format == NULL || out_path == NULL)
    return intake_admin_usage_error (usage, _("--server, --reviewer, --format and --out are required"));
  if (!g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return intake_admin_usage_error (usage, _("--format is csv or json"));
  json = g_str_equal (format, "json");

  /* The export holds answers in plain text: the one place they are written
   * to disk, on purpose, by a reviewer, and audited by the server. */
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      (tls_ca != NULL && !(tls = g_tls_file_database_new (tls_ca, &error))) ||
      !export_to_file (server, tls, reviewer, passphrase,
                       json ? INTAKE_EXPORT_FORMAT_JSON : INTAKE_EXPORT_FORMAT_CSV,
                       json ? INTAKE_EXPORT_FLAGS_NONE : INTAKE_EXPORT_FLAGS_BOM,
                       out_path, &rows, &error))
    return intake_admin_fail (error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%lu submission exported to %s\n", "%lu submissions exported to %s\n",
                        (gulong) rows),
           (gulong) rows, out_path);
  return EXIT_SUCCESS;
}

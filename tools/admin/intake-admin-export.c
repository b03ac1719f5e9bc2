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

/* Unlocks @client, loads the questionnaires and exports everything to
 * @out_path (created 0600), one step after the other. */
static gboolean
export_steps (IntakeReviewClient        *client,
              IntakeAdminSync           *sync,
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

  intake_review_client_unlock_async (client, name, passphrase, NULL, intake_admin_sync_cb, sync);
  unlocked = intake_admin_sync_wait (sync);
  if (!intake_review_client_unlock_finish (client, unlocked, error))
    return FALSE;

  intake_review_client_load_questionnaires_async (client, NULL, intake_admin_sync_cb, sync);
  loaded = intake_admin_sync_wait (sync);
  if (!(questionnaires = intake_review_client_load_questionnaires_finish (client, loaded, error)))
    return FALSE;

  file = g_file_new_for_path (out_path);
  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error)))
    return FALSE;
  intake_review_client_export_async (client, questionnaires, NULL, NULL, format, flags, G_OUTPUT_STREAM (out),
                                     NULL, NULL, NULL, intake_admin_sync_cb, sync);
  exported = intake_admin_sync_wait (sync);
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
 * command can wait for each step. */
static gboolean
export_to_file (const char                *server_url,
                const char                *tls_ca,
                const char                *workstation_key,
                const char                *name,
                const IntakeSecureBuffer  *passphrase,
                IntakeExportFormat         format,
                IntakeExportFlags          flags,
                const char                *out_path,
                guint64                   *out_rows,
                GError                   **error)
{
  g_autoptr(IntakeReviewClient) client = NULL;
  IntakeAdminSync sync;
  gboolean ok = FALSE;

  intake_admin_sync_init (&sync);
  if ((client = intake_admin_client_new (server_url, tls_ca, workstation_key, error)) != NULL)
    ok = export_steps (client, &sync, name, passphrase, format, flags, out_path, out_rows, error);

  /* Wipe the reviewer key now, whoever still holds the client; then let the
   * finished requests release what they hold in this context. */
  if (client != NULL)
    intake_review_client_lock (client);
  g_clear_object (&client);
  intake_admin_sync_clear (&sync);
  return ok;
}

/* export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE [--tls-ca FILE] */
int
intake_admin_export (int    argc,
                     char **argv)
{
  const char *usage = "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json "
                      "--out FILE [--workstation-key FILE] [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *reviewer = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *format = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *tls_ca = NULL;
  g_autofree char *workstation_key = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
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
    { "workstation-key", 0, 0, G_OPTION_ARG_FILENAME, &workstation_key,
      N_("The reviewer's workstation key file (default: the keyring or data directory)"), "FILE" },
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
      !export_to_file (server, tls_ca, workstation_key, reviewer, passphrase,
                       json ? INTAKE_EXPORT_FORMAT_JSON : INTAKE_EXPORT_FORMAT_CSV,
                       json ? INTAKE_EXPORT_FLAGS_NONE : INTAKE_EXPORT_FLAGS_BOM,
                       out_path, &rows, &error))
    return intake_admin_fail (error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%lu submission exported to %s\n", "%lu submissions exported to %s\n",
                        (gulong) rows),
           (gulong) rows, out_path);
  return EXIT_SUCCESS;
}

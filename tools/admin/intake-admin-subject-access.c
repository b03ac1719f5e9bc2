/* intake-admin-subject-access.c: subject-access, one resident's submissions
 * in one document, as the privacy officer (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-subject-access.h"

/* Unlocks @client, loads the questionnaires, collects the resident's
 * submissions (the server records the subject_access event before the
 * result comes back) and writes the document to @out_path (0600). */
static gboolean
subject_access_steps (IntakeReviewClient        *client,
                      IntakeAdminSync           *sync,
                      const char                *reviewer,
                      const IntakeSecureBuffer  *passphrase,
                      const char                *name,
                      const char                *birth_date,
                      const char                *out_path,
                      guint                     *out_found,
                      GError                   **error)
{
  g_autoptr(IntakeQuestionnaireSet) questionnaires = NULL;
  g_autoptr(IntakeSubjectAccess) access = NULL;
  g_autoptr(GAsyncResult) unlocked = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) collected = NULL;

  intake_review_client_unlock_async (client, reviewer, passphrase, NULL, intake_admin_sync_cb, sync);
  unlocked = intake_admin_sync_wait (sync);
  if (!intake_review_client_unlock_finish (client, unlocked, error))
    return FALSE;

  intake_review_client_load_questionnaires_async (client, NULL, intake_admin_sync_cb, sync);
  loaded = intake_admin_sync_wait (sync);
  if (!(questionnaires = intake_review_client_load_questionnaires_finish (client, loaded, error)))
    return FALSE;

  intake_subject_access_collect_async (client, questionnaires, name, birth_date, NULL, NULL, NULL,
                                       intake_admin_sync_cb, sync);
  collected = intake_admin_sync_wait (sync);
  if (!(access = intake_subject_access_collect_finish (client, collected, error)))
    return FALSE;
  *out_found = intake_subject_access_get_n_submissions (access);
  return intake_subject_access_write_text (access, out_path, error);
}

/* subject-access --server URL --reviewer NAME --passphrase-file FILE --name NAME --birth-date DATE --out FILE */
int
intake_admin_subject_access (int    argc,
                             char **argv)
{
  const char *usage = "subject-access --server URL --reviewer NAME --passphrase-file FILE --name NAME "
                      "--birth-date DD-MM-YYYY --out FILE [--workstation-key FILE] [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *reviewer = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *name = NULL;
  g_autofree char *birth_date = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *tls_ca = NULL;
  g_autofree char *workstation_key = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeReviewClient) client = NULL;
  IntakeAdminSync sync;
  GError *error = NULL;
  guint found = 0;
  gboolean ok = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The office server"), "URL" },
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, N_("Reviewer name"), "NAME" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, N_("The reviewer's passphrase"), "FILE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The resident's name as on their ID"), "NAME" },
    { "birth-date", 0, 0, G_OPTION_ARG_STRING, &birth_date,
      N_("The resident's date of birth, dd-mm-yyyy (00 for an unknown day or month)"), "DATE" },
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
  if (server == NULL || reviewer == NULL || name == NULL || birth_date == NULL || out_path == NULL)
    return intake_admin_usage_error (usage, _("--server, --reviewer, --name, --birth-date and --out are required"));

  /* The document holds a resident's answers in plain text: written only to
   * --out, on purpose, by the privacy officer, after the server recorded it. */
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)))
    return intake_admin_fail (error);
  intake_admin_sync_init (&sync);
  if ((client = intake_admin_client_new (server, tls_ca, workstation_key, &error)) != NULL)
    ok = subject_access_steps (client, &sync, reviewer, passphrase, name, birth_date, out_path, &found, &error);
  /* Wipe the reviewer key now, whoever still holds the client. */
  if (client != NULL)
    intake_review_client_lock (client);
  g_clear_object (&client);
  intake_admin_sync_clear (&sync);
  if (!ok)
    return intake_admin_fail (error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%u submission written to %s\n", "%u submissions written to %s\n", found),
           found, out_path);
  return EXIT_SUCCESS;
}

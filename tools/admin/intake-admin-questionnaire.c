/* intake-admin-questionnaire.c: questionnaire check and sign
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-keys.h"
#include "intake-questionnaire.h"
#include "intake-signed-questionnaire.h"

/* questionnaire check FILE */
int
intake_admin_questionnaire_check (int    argc,
                                  char **argv)
{
  const char *usage = "questionnaire check FILE";
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  GError *error = NULL;
  int status = 0;
  guint texts;
  GOptionEntry entries[] = { { NULL } };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one questionnaire file"));

  if (!(questionnaire = intake_questionnaire_new_from_file (argv[1], &error)))
    return intake_admin_fail (error);

  texts = intake_questionnaire_count_texts (questionnaire);
  g_print ("id:        %s\n", intake_questionnaire_get_id (questionnaire));
  g_print ("version:   %u\n", intake_questionnaire_get_version (questionnaire));
  g_print ("hash:      %s\n", intake_questionnaire_get_hash (questionnaire));
  g_print ("sections:  %u\n", intake_questionnaire_get_n_sections (questionnaire));
  g_print ("questions: %u\n", intake_questionnaire_get_n_questions (questionnaire));
  g_print ("texts:     %u\n", texts);
  g_print ("languages:\n");
  for (guint i = 0; i < intake_questionnaire_get_n_languages (questionnaire); i++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (questionnaire, i);
      guint present = intake_questionnaire_count_strings (questionnaire, language->code);
      gboolean is_source = g_strcmp0 (language->code,
                                      intake_questionnaire_get_source_language (questionnaire)) == 0;

      g_print ("  %-3s %5.1f%% (%u/%u)  %-8s %s%s\n",
               language->code,
               texts > 0 ? 100.0 * present / texts : 100.0,
               present, texts,
               language->reviewed ? "reviewed" : "draft",
               language->rtl ? "rtl " : "",
               is_source ? "source" : "");
    }
  return EXIT_SUCCESS;
}

/* questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE */
int
intake_admin_questionnaire_sign (int    argc,
                                 char **argv)
{
  const char *usage = "questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *key_id = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(IntakeQuestionnaire) verified = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, N_("Office key directory"), "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, N_("Passphrase of the office secret"), "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("Signed questionnaire to write"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one questionnaire file"));
  if (office_dir == NULL || out_path == NULL)
    return intake_admin_usage_error (usage, _("--office and --out are required"));

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!(questionnaire = intake_questionnaire_new_from_file (argv[1], &error)) ||
      !(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)))
    return intake_admin_fail (error);

  signed_q = intake_signed_questionnaire_sign (questionnaire, office);
  /* Checked as a kiosk will check it; a signed questionnaire is public,
   * readable by the server's user. */
  if (!(verified = intake_signed_questionnaire_verify (signed_q, intake_office_secret_get_public (office),
                                                       argv[1], &error)) ||
      !intake_signed_questionnaire_save (signed_q, out_path, 0600, &error))
    return intake_admin_fail (error);

  key_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));
  g_print (_("signed %s version %u (hash %s) with office key %s\n"),
           intake_questionnaire_get_id (questionnaire), intake_questionnaire_get_version (questionnaire),
           intake_questionnaire_get_hash (questionnaire), key_id);
  g_print (_("wrote %s\n"), out_path);
  return EXIT_SUCCESS;
}

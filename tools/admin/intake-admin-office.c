/* intake-admin-office.c: office init, the office key pair
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-keys.h"

/* office init DIR [--passphrase-file FILE] */
int
intake_admin_office_init (int    argc,
                          char **argv)
{
  const char *usage = "office init DIR [--passphrase-file FILE]";
  g_autofree char *passphrase_file = NULL;
  g_autoptr(IntakeOfficePublic) office_public = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autofree char *pub_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *fingerprint = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read the passphrase from the first line of FILE"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one directory"));

  pub_path = g_build_filename (argv[1], "office.pub", NULL);
  secret_path = g_build_filename (argv[1], "office.secret", NULL);
  if (g_file_test (pub_path, G_FILE_TEST_EXISTS) || g_file_test (secret_path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf (_("%s already holds office keys; refusing to replace them "
                                                    "(choose another directory)"), argv[1]);

      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }

  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, TRUE, &error)) ||
      !intake_admin_ensure_private_dir (argv[1], &error) ||
      !intake_office_generate (&office_public, &office_secret, &error) ||
      !intake_office_secret_save (office_secret, secret_path, passphrase, &error) ||
      !intake_office_public_save (office_public, pub_path, &error) ||
      !intake_admin_make_private (pub_path, &error))
    return intake_admin_fail (error);

  key_id = intake_office_public_dup_key_id_hex (office_public);
  fingerprint = intake_office_public_dup_fingerprint (office_public);
  g_print ("office key id: %s\n", key_id);
  g_print ("fingerprint:   %s\n", fingerprint);
  g_print ("public keys:   %s\n", pub_path);
  g_print ("secret key:    %s (passphrase-protected, keep it off the kiosks)\n", secret_path);
  return EXIT_SUCCESS;
}

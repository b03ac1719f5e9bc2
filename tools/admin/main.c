/* intake-admin: keys, questionnaire checks and signing, envelopes, outbox
 * status, and the server's store (enrollment codes, devices, bundles,
 * reviewers, the audit log), and a reviewer's export and subject access
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every subcommand exits 0 on success, and otherwise prints one line
 * "intake-admin: <what went wrong and what to do>" on stderr and exits 1
 * (2 for a usage error). This file holds the command table and dispatch;
 * the commands are in intake-admin-<group>.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-crypto-error.h"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct {
  const char  *group;
  const char  *name;
  CommandFunc  func;
  const char  *usage;
} Command;

static const Command commands[] = {
  { "office", "init", intake_admin_office_init, "office init DIR [--passphrase-file FILE]" },
  { "office", "rotate", intake_admin_office_rotate,
    "office rotate DIR [--passphrase-file FILE] [--new-passphrase-file FILE] (--data DIR | --postgres CONNINFO)" },
  { "office", "keys", intake_admin_office_keys, "office keys (--data DIR | --postgres CONNINFO)" },
  { "office", "retire", intake_admin_office_retire, "office retire (--data DIR | --postgres CONNINFO) KEY_ID" },
  { "db", "migrate", intake_admin_db_migrate, "db migrate (--data DIR | --postgres CONNINFO)" },
  { "db", "grant", intake_admin_db_grant, "db grant --postgres CONNINFO --role ROLE" },
  { "server-key", "roll", intake_admin_server_key_roll,
    "server-key roll (--data DIR [--server-key FILE] | --postgres CONNINFO --server-key FILE)" },
  { "device", "init", intake_admin_device_init, "device init DIR" },
  { "questionnaire", "check", intake_admin_questionnaire_check, "questionnaire check FILE" },
  { "questionnaire", "sign", intake_admin_questionnaire_sign,
    "questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE" },
  { "envelope", "seal", intake_admin_envelope_seal,
    "envelope seal --office DIR --device DIR [--in FILE] [--out FILE] [--outbox DB]" },
  { "envelope", "open", intake_admin_envelope_open,
    "envelope open --office DIR --passphrase-file FILE [--in FILE]" },
  { "outbox", "status", intake_admin_outbox_status, "outbox status DB" },
  { "enroll-code", NULL, intake_admin_enroll_code,
    "enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION]" },
  { "device", "list", intake_admin_device_list, "device list (--data DIR | --postgres CONNINFO)" },
  { "device", "revoke", intake_admin_device_revoke, "device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID" },
  { "import-bundle", NULL, intake_admin_import_bundle,
    "import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] [--max-size MIB] "
    "[--receipts-out FILE [--server-key FILE]] [--accept-revoked DEVICE_ID] FILE" },
  { "reviewer", "add", intake_admin_reviewer_add,
    "reviewer add --name NAME --roles ROLES [--location L]... [--unit U]... [--expires DURATION] "
    "(--office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) | "
    "--server URL --as ADMIN [--passphrase-file FILE] [--workstation-key FILE] [--tls-ca FILE])" },
  { "reviewer", "reset", intake_admin_reviewer_reset,
    "reviewer reset --name NAME [--roles ROLES] [--location L]... [--unit U]... [--expires DURATION] "
    "(--office DIR ... | --server URL --as ADMIN ...)" },
  { "reviewer", "activate", intake_admin_reviewer_activate,
    "reviewer activate --server URL --name NAME --code CODE [--passphrase-file FILE] [--workstation-key FILE] "
    "[--recovery-sheet FILE] [--tls-ca FILE]" },
  { "reviewer", "set", intake_admin_reviewer_set,
    "reviewer set (--data DIR | --postgres CONNINFO) --name NAME --roles ROLES [--location L]... [--unit U]..." },
  { "reviewer", "unblock", intake_admin_reviewer_unblock,
    "reviewer unblock (--data DIR | --postgres CONNINFO) --name NAME" },
  { "reviewer", "remove", intake_admin_reviewer_remove, "reviewer remove (--data DIR | --postgres CONNINFO) --name NAME" },
  { "reviewer", "list", intake_admin_reviewer_list, "reviewer list (--data DIR | --postgres CONNINFO)" },
  { "units", "add", intake_admin_units_add, "units add (--data DIR | --postgres CONNINFO) UNIT..." },
  { "units", "remove", intake_admin_units_remove, "units remove (--data DIR | --postgres CONNINFO) UNIT..." },
  { "units", "list", intake_admin_units_list, "units list (--data DIR | --postgres CONNINFO)" },
  { "audit", "verify", intake_admin_audit_verify, "audit verify (--data DIR | --postgres CONNINFO)" },
  { "audit", "show", intake_admin_audit_show,
    "audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N]" },
  { "purge", NULL, intake_admin_purge,
    "purge (--data DIR | --postgres CONNINFO) [--retain-closed-days DAYS] [--retain-max-days DAYS] "
    "[--retain-help-days DAYS] [--dry-run]" },
  { "erase", NULL, intake_admin_erase,
    "erase (--data DIR | --postgres CONNINFO) --reference CODE --reason erasure-request|test-intake|mistake "
    "[--device DEVICE_ID]" },
  { "backup", NULL, intake_admin_backup, "backup (--data DIR | --postgres CONNINFO) --out FILE" },
  { "restore", NULL, intake_admin_restore,
    "restore (--data DIR --in FILE | --postgres CONNINFO --bump-generation)" },
  { "export", NULL, intake_admin_export,
    "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE "
    "[--workstation-key FILE] [--tls-ca FILE]" },
  { "subject-access", NULL, intake_admin_subject_access,
    "subject-access --server URL --reviewer NAME --passphrase-file FILE --name NAME --birth-date DD-MM-YYYY "
    "--out FILE [--workstation-key FILE] [--tls-ca FILE]" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "usage:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  intake-admin %s\n", commands[i].usage);
}

int
main (int    argc,
      char **argv)
{
  GError *error = NULL;
  /* Uninstalled runs (tests, scripts/run) find the compiled catalogs in the
   * build directory (docs/translations.md). */
  const char *localedir = g_getenv ("INTAKE_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("intake-admin");

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (argc == 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("intake-admin %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (!intake_crypto_init (&error))
    return intake_admin_fail (error);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      /* One-word commands ("enroll-code") get their argv from the command. */
      if (commands[i].name == NULL && argc >= 2 && g_str_equal (argv[1], commands[i].group))
        return commands[i].func (argc - 1, argv + 1);
      if (commands[i].name != NULL && argc >= 3 && g_str_equal (argv[1], commands[i].group) &&
          g_str_equal (argv[2], commands[i].name))
        {
          /* Hand the command its own argv, starting at the subcommand. */
          return commands[i].func (argc - 2, argv + 2);
        }
    }

  {
    g_autofree char *message = NULL;

    if (argc > 2)
      message = g_strdup_printf (_("unknown command \"%s %s\"; see intake-admin --help"), argv[1], argv[2]);
    else if (argc > 1)
      message = g_strdup_printf (_("unknown command \"%s\"; see intake-admin --help"), argv[1]);
    else
      message = g_strdup (_("unknown command; see intake-admin --help"));
    g_printerr ("intake-admin: %s\n", message);
  }
  print_usage (stderr);
  return INTAKE_ADMIN_EXIT_USAGE;
}

/* intake-kiosk-cli.c: intake-kiosk's command-line modes for staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-enroll.h"
#include "intake-kiosk-cli.h"
#include "intake-sync.h"

int
intake_kiosk_cli_enroll (const char *state_dir,
                         const char *url,
                         const char *code,
                         gboolean    force,
                         const char *tls_ca_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (state_dir != NULL, 2);

  if (url == NULL || code == NULL)
    {
      g_printerr ("intake-kiosk: --enroll needs the server address and the code: "
                  "intake-kiosk --enroll https://SERVER CODE\n");
      return 2;
    }
  fingerprint = intake_enroll_blocking (state_dir, url, code,
                                             force ? INTAKE_ENROLL_FORCE : INTAKE_ENROLL_NONE,
                                             tls_ca_file, &error);
  if (fingerprint == NULL)
    {
      g_printerr ("intake-kiosk: enrollment failed: %s\n", error->message);
      return 1;
    }
  g_print ("This kiosk is enrolled with %s.\n", url);
  g_print ("Office key fingerprint: %s\n", fingerprint);
  g_print ("Compare it with the fingerprint \"intake-admin office init\" printed. If they differ,\n"
           "do not use this kiosk and tell the office.\n");
  return 0;
}

static IntakeSync *
cli_open (const char  *state_dir,
          const char  *office_public_path,
          const char  *questionnaire_path,
          const char  *tls_ca_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) self = NULL;

  if (!(kiosk = intake_kiosk_new (state_dir, office_public_path, questionnaire_path, &error)))
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      return NULL;
    }
  self = intake_sync_new (kiosk);
  intake_sync_set_language (self, "en");
  if (tls_ca_file != NULL && !intake_sync_set_tls_ca_file (self, tls_ca_file, &error))
    {
      g_printerr ("intake-kiosk: cannot use the CA file %s: %s\n", tls_ca_file, error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

int
intake_kiosk_cli_sync_now (const char *state_dir,
                           const char *office_public_path,
                           const char *questionnaire_path,
                           const char *tls_ca_file)
{
  g_autoptr(IntakeSync) self = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done;

  if (!(self = cli_open (state_dir, office_public_path, questionnaire_path, tls_ca_file)))
    return 1;
  done = intake_sync_now_blocking (self, NULL, &error);
  g_print ("%u submissions pending.\n", intake_sync_get_pending_count (self));
  if (!done)
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      if (intake_sync_get_last_error (self) != NULL)
        g_printerr ("intake-kiosk: %s\n", intake_sync_get_last_error (self));
      return 1;
    }
  return 0;
}

int
intake_kiosk_cli_export_bundle (const char *state_dir,
                                const char *office_public_path,
                                const char *questionnaire_path,
                                const char *path)
{
  g_autoptr(IntakeSync) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) retired = NULL;
  gint64 n;

  if (!(self = cli_open (state_dir, office_public_path, questionnaire_path, NULL)))
    return 1;
  if ((n = intake_sync_export_bundle (self, path, &error)) < 0)
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      return 1;
    }
  g_print ("Wrote %" G_GINT64_FORMAT " submissions to %s.\n"
           "Import it with \"intake-admin import-bundle --receipts-out FILE\"; the kiosk keeps them until "
           "it reads those receipts (--import-receipts FILE) or the server confirms them at a later sync.\n",
           n, path);
  if (!(retired = intake_sync_export_retired_bundles (self, path, &error)))
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < retired->len; i++)
    {
      g_auto(GStrv) fields = g_strsplit (g_ptr_array_index (retired, i), " ", 3);

      g_print ("Wrote %s submissions of this kiosk's previous device key %s to %s.\n"
               "If the office revoked that device, it imports them with "
               "\"intake-admin import-bundle --accept-revoked %s\".\n",
               fields[1], fields[0], fields[2], fields[0]);
    }
  return 0;
}

int
intake_kiosk_cli_import_receipts (const char *state_dir,
                                  const char *office_public_path,
                                  const char *questionnaire_path,
                                  const char *path)
{
  g_autoptr(IntakeSync) self = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReceiptsImport result = { 0 };

  if (!(self = cli_open (state_dir, office_public_path, questionnaire_path, NULL)))
    return 1;
  if (!intake_sync_import_receipts (self, path, &result, &error))
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      return 1;
    }
  g_print ("Read %u receipts from %s: %u submissions confirmed delivered now, %u confirmed before",
           result.receipts, path, result.delivered, result.already);
  if (result.unknown > 0)
    g_print (", %u no longer on this kiosk", result.unknown);
  g_print (".\n%u submissions pending.\n", intake_sync_get_pending_count (self));
  return 0;
}

int
intake_kiosk_cli_new_device_key (const char *state_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;

  if (!intake_kiosk_new_device_key (state_dir, &old_id, &new_id, &error))
    {
      g_printerr ("intake-kiosk: cannot give this kiosk a new device key: %s\n", error->message);
      return 1;
    }
  g_print ("Previous device: %s\n", old_id);
  g_print ("New device:      %s\n", new_id);
  g_print ("The kiosk must be enrolled again (intake-kiosk --enroll URL CODE). Submissions made before\n"
           "stay on this kiosk; --export-bundle also writes them into a bundle of the previous device.\n");
  return 0;
}

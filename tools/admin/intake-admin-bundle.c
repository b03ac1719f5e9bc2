/* intake-admin-bundle.c: import-bundle, the envelopes an offline kiosk
 * exported to removable media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "intake-accept.h"
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-bundle.h"
#include "intake-keys.h"
#include "intake-protocol.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] [--max-size MIB] FILE */
int
intake_admin_import_bundle (int    argc,
                            char **argv)
{
  const char *usage = "import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] [--max-size MIB] FILE";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *office_path = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *office_key_id = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic signer;
  GError *error = NULL;
  guint counts[INTAKE_ACCEPT_N_STATUS] = { 0 };
  gint64 created_at = 0;
  gint64 now;
  int status = 0;
  int max_size_mib = (int)(INTAKE_BUNDLE_DEFAULT_MAX_SIZE / (1024 * 1024));
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "office-public", 0, 0, G_OPTION_ARG_FILENAME, &office_path,
      N_("Office public key (default: the one the store was set up with)"), "FILE" },
    { "max-size", 0, 0, G_OPTION_ARG_INT, &max_size_mib,
      N_("Refuse a bundle larger than this, before reading it (default 256)"), "MIB" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one bundle file"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  if (max_size_mib < 1 || max_size_mib > 1024 * 1024)
    return intake_admin_usage_error (usage, _("--max-size takes a whole number of MiB from 1 to 1048576"));

  /* Read as a stream, within the limit: a huge or endless file is refused
   * before it is read whole (from its size, for a regular file). */
  if (g_strcmp0 (argv[1], "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      envelopes = intake_bundle_read (in, (guint64)max_size_mib * 1024 * 1024, &signer, &created_at, NULL, &error);
    }
  else
    envelopes = intake_bundle_load (argv[1], (guint64)max_size_mib * 1024 * 1024, &signer, &created_at, &error);
  if (envelopes == NULL)
    {
      g_prefix_error (&error, _("%s is refused: "), argv[1]);
      if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE) &&
          g_str_has_suffix (error->message, "MiB; it was not read"))
        {
          /* Translators: %s is why the bundle was refused (its size). */
          g_autofree char *message = g_strdup_printf (_("%s (if it is genuine, give --max-size MIB)"),
                                                      error->message);

          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      return intake_admin_fail (error);
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);
  if (office_path != NULL)
    {
      if (!(office = intake_office_public_load (office_path, &error)) ||
          !intake_store_bind_office (store, office, &error))
        return intake_admin_fail (error);
    }
  else if (!(office = intake_store_dup_office (store, &error)))
    return intake_admin_fail (error);
  office_key_id = intake_office_public_dup_key_id_hex (office);

  device_id = intake_hex_encode (signer.device_id, sizeof signer.device_id);
  if (!(device = intake_store_get_device (store, device_id, &local_error)))
    {
      if (g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        {
          g_autofree char *message = g_strdup_printf (_("%s is refused: it was signed by device %s, which is not enrolled"),
                                                      argv[1], device_id);

          g_printerr ("intake-admin: %s\n", message);
        }
      else
        g_printerr ("intake-admin: %s\n", local_error->message);
      return EXIT_FAILURE;
    }
  if (device->status != INTAKE_DEVICE_STATUS_ACTIVE ||
      memcmp (device->sign_pk, signer.sign_pk, sizeof signer.sign_pk) != 0)
    {
      g_autofree char *message = NULL;

      if (device->status != INTAKE_DEVICE_STATUS_ACTIVE)
        message = g_strdup_printf (_("%s is refused: device %s is revoked"), argv[1], device_id);
      else
        message = g_strdup_printf (_("%s is refused: device %s is enrolled with another key"), argv[1], device_id);
      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }

  now = g_get_real_time () / G_USEC_PER_SEC;
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeAcceptResult result;

      if (!intake_server_accept_envelope (store, office_key_id, device, g_ptr_array_index (envelopes, i),
                                          INTAKE_ENVELOPE_SOURCE_BUNDLE, now, &result, &error))
        {
          g_prefix_error (&error, _("stopped at envelope %u of %u (the ones before are stored; "
                                    "importing again is safe): "), i + 1, envelopes->len);
          return intake_admin_fail (error);
        }
      counts[result.status]++;
      if (result.status == INTAKE_ACCEPT_CONFLICT || result.status == INTAKE_ACCEPT_REJECTED)
        g_print ("envelope %u: %s%s%s%s submission %s\n", i, intake_accept_status_to_string (result.status),
                 result.status == INTAKE_ACCEPT_REJECTED ? " (" : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? intake_reject_reason_to_string (result.reason) : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? ")" : "",
                 result.has_submission_id ? result.submission_id : "unknown");
    }

  {
    g_autofree char *result = g_strdup_printf ("ok: %u stored, %u duplicate, %u conflict, %u rejected",
                                               counts[INTAKE_ACCEPT_STORED], counts[INTAKE_ACCEPT_DUPLICATE],
                                               counts[INTAKE_ACCEPT_CONFLICT], counts[INTAKE_ACCEPT_REJECTED]);

    if (!intake_admin_record_audit (store, "import_bundle", device_id, result, &error))
      return intake_admin_fail (error);
  }
  g_print ("device:    %s (%s)\n", device_id, device->location);
  g_print ("envelopes: %u\n", envelopes->len);
  g_print ("stored:    %u\n", counts[INTAKE_ACCEPT_STORED]);
  g_print ("duplicate: %u\n", counts[INTAKE_ACCEPT_DUPLICATE]);
  g_print ("conflict:  %u\n", counts[INTAKE_ACCEPT_CONFLICT]);
  g_print ("rejected:  %u\n", counts[INTAKE_ACCEPT_REJECTED]);
  if (counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED] > 0)
    {
      guint refused = counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED];
      g_autofree char *message = NULL;

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u envelope of %s was refused (listed above); the kiosk keeps it",
                                              "%u envelopes of %s were refused (listed above); the kiosk keeps them",
                                              refused),
                                 refused, argv[1]);
      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

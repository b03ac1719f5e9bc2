/* intake-admin-device.c: device init (a kiosk key pair), list and
 * revoke (the server's enrolled devices)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-escape.h"
#include "intake-keys.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* device init DIR */
int
intake_admin_device_init (int    argc,
                          char **argv)
{
  const char *usage = "device init DIR";
  g_autoptr(IntakeDeviceKey) device = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *pub_path = NULL;
  g_autofree char *device_id = NULL;
  IntakeDevicePublic device_public;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = { { NULL } };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one directory"));

  secret_path = g_build_filename (argv[1], "device.secret", NULL);
  pub_path = g_build_filename (argv[1], "device.pub", NULL);

  if (!intake_admin_ensure_private_dir (argv[1], &error) ||
      !(device = intake_device_key_generate (&error)) ||
      !intake_device_key_save (device, secret_path, &error))
    return intake_admin_fail (error);

  intake_device_key_get_public (device, &device_public);
  if (!intake_device_public_save (&device_public, pub_path, &error) ||
      !intake_admin_make_private (pub_path, &error))
    return intake_admin_fail (error);

  device_id = intake_device_key_dup_id_hex (device);
  g_print ("device id:  %s\n", device_id);
  g_print ("secret key: %s\n", secret_path);
  g_print ("public key: %s\n", pub_path);
  return EXIT_SUCCESS;
}

/* device list (--data DIR | --postgres CONNINFO) */
int
intake_admin_device_list (int    argc,
                          char **argv)
{
  const char *usage = "device list (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  GError *error = NULL;
  int status = 0;
  int width = (int)strlen ("LOCATION");
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(devices = intake_store_list_devices (store, &error)))
    return intake_admin_fail (error);

  /* Locations are shown escaped (intake_escape_field): one line per device. */
  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *location = intake_escape_field (device->location);

      width = MAX (width, (int)g_utf8_strlen (location, -1));
    }
  /* What each kiosk last reported at check-in (docs/server.md, "Watching
   * the fleet"): "-" until it has. */
  g_print ("%-32s  %-*s  %-7s  %-20s  %-20s  %-20s  %7s  %-20s  %-10s  %-24s  %s\n", "DEVICE", width, "LOCATION",
           "STATUS", "ENROLLED", "LAST SEEN", "LAST UPLOAD", "PENDING", "OLDEST PENDING", "VERSION", "QUESTIONNAIRE",
           "PROBLEM");
  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *enrolled = intake_admin_format_time (device->enrolled_at);
      g_autofree char *seen = device->last_seen_at > 0 ? intake_admin_format_time (device->last_seen_at)
                                                       : g_strdup ("-");
      g_autofree char *upload = device->last_upload_at > 0 ? intake_admin_format_time (device->last_upload_at)
                                                           : g_strdup ("-");
      g_autofree char *oldest = device->oldest_pending_at > 0 ? intake_admin_format_time (device->oldest_pending_at)
                                                              : g_strdup ("-");
      g_autofree char *pending = device->last_seen_at > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT,
                                                                            device->reported_pending)
                                                          : g_strdup ("-");
      g_autofree char *location = intake_escape_field (device->location);
      int pad = width - (int)g_utf8_strlen (location, -1);

      g_print ("%-32s  %s%*s  %-7s  %-20s  %-20s  %-20s  %7s  %-20s  %-10s  %-24s  %s\n", device->device_id, location,
               pad, "", intake_device_status_to_string (device->status), enrolled, seen, upload, pending, oldest,
               *device->app_version != '\0' ? device->app_version : "-",
               *device->questionnaire != '\0' ? device->questionnaire : "-",
               *device->last_error != '\0' ? device->last_error : "-");
    }
  return EXIT_SUCCESS;
}

/* device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID */
int
intake_admin_device_revoke (int    argc,
                            char **argv)
{
  const char *usage = "device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one device id"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_revoke_device (store, argv[1], g_get_real_time () / G_USEC_PER_SEC, &error) ||
      !intake_admin_record_audit (store, "device_revoke", argv[1], "ok", &error))
    return intake_admin_fail (error);

  g_print (_("revoked %s: its requests and bundles are refused from now on\n"), argv[1]);
  return EXIT_SUCCESS;
}

/* intake-admin-enroll.c: enroll-code, a one-time code for a new kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-field.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION] */
int
intake_admin_enroll_code (int    argc,
                          char **argv)
{
  const char *usage = "enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *location = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *expires_text = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  gint64 lifetime = 24 * 3600;
  gint64 now;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, N_("Where the kiosk stands (shown to staff)"), "NAME" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, N_("How long the code stays valid (default 24h)"), "DURATION" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (location == NULL || *g_strstrip (location) == '\0')
    return intake_admin_usage_error (usage, _("--location is required"));
  if (!intake_field_check (location, -1, "--location", &error))
    {
      status = intake_admin_usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }
  if (expires != NULL && !intake_parse_duration (expires, &lifetime, &error))
    {
      status = intake_admin_usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);

  code = intake_enroll_code_generate ();
  code_hash = intake_enroll_code_hash (code);
  now = g_get_real_time () / G_USEC_PER_SEC;
  if (!intake_store_create_enroll_code (store, code_hash, location, now, now + lifetime, &error) ||
      !intake_admin_record_audit (store, "enroll_code", location, "ok", &error))
    return intake_admin_fail (error);

  expires_text = intake_admin_format_time (now + lifetime);
  g_print ("location: %s\n", location);
  g_print ("expires:  %s\n", expires_text);
  g_print (_("one-time enrollment code (type it on the kiosk’s staff screen):\n"));
  g_print ("%s\n", code);
  return EXIT_SUCCESS;
}

/* intake-admin-units.c: the units the office assigns submissions to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/admin.md, "Units". The list lives in the store (the setting
 * "review_units"), so every server instance and every review app sees the
 * same one; the review app offers exactly these units, and the server
 * refuses any other (400 unknown_unit), so no unit is ever a typo. Each
 * change is an audit event (units_change, actor admin, origin cli).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-escape.h"
#include "intake-field.h"
#include "intake-server-util.h"

static int
units_change (int         argc,
              char      **argv,
              gboolean    add)
{
  const char *usage = add ? "units add (--data DIR | --postgres CONNINFO) UNIT..."
                          : "units remove (--data DIR | --postgres CONNINFO) UNIT...";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) current = NULL;
  g_autoptr(GString) object = g_string_new (add ? "add" : "remove");
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return intake_admin_usage_error (usage, _("name at least one unit"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  /* A unit is shown to caseworkers and written to the audit log: one line
   * of plain text, no bidirectional or control characters. */
  for (int k = 1; add && k < argc; k++)
    if (strlen (argv[k]) > 200 || !intake_field_check (argv[k], -1, "UNIT", &error))
      {
        if (error == NULL)
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("a unit is at most 200 bytes"));
        status = intake_admin_usage_error (usage, error->message);
        g_error_free (error);
        return status;
      }
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(current = intake_store_dup_units (store, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; current[i] != NULL; i++)
    {
      gboolean removed = FALSE;

      for (int k = 1; !add && k < argc; k++)
        removed |= g_str_equal (current[i], argv[k]);
      if (!removed)
        g_ptr_array_add (units, g_strdup (current[i]));
    }
  for (int k = 1; k < argc; k++)
    {
      if (add && !g_strv_contains ((const char * const *)current, argv[k]) &&
          !g_ptr_array_find_with_equal_func (units, argv[k], g_str_equal, NULL))
        g_ptr_array_add (units, g_strdup (argv[k]));
      if (!add && !g_strv_contains ((const char * const *)current, argv[k]))
        {
          g_autofree char *message = g_strdup_printf (_("there is no unit \"%s\"; see intake-admin units list"), argv[k]);

          g_printerr ("intake-admin: %s\n", message);
          return EXIT_FAILURE;
        }
      g_string_append_printf (object, " %s", argv[k]);
    }
  g_ptr_array_add (units, NULL);
  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "units_change", object->str, "ok",
                                  "cli");
  if (!intake_store_set_units (store, (const char * const *)units->pdata, event, &error))
    return intake_admin_fail (error);
  for (guint i = 0; units->pdata[i] != NULL; i++)
    {
      g_autofree char *shown = intake_escape_field (units->pdata[i]);

      g_print ("%s\n", shown);
    }
  return EXIT_SUCCESS;
}

/* units add (--data DIR | --postgres CONNINFO) UNIT... */
int
intake_admin_units_add (int    argc,
                        char **argv)
{
  return units_change (argc, argv, TRUE);
}

/* units remove (--data DIR | --postgres CONNINFO) UNIT... */
int
intake_admin_units_remove (int    argc,
                           char **argv)
{
  return units_change (argc, argv, FALSE);
}

/* units list (--data DIR | --postgres CONNINFO): one a line, in order. */
int
intake_admin_units_list (int    argc,
                         char **argv)
{
  const char *usage = "units list (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_auto(GStrv) units = NULL;
  GError *error = NULL;
  int status = 0;
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
      !(units = intake_store_dup_units (store, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; units[i] != NULL; i++)
    {
      g_autofree char *shown = intake_escape_field (units[i]);

      g_print ("%s\n", shown);
    }
  return EXIT_SUCCESS;
}

/* intake-admin-db.c: db migrate, db grant (docs/server.md, "PostgreSQL roles")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A store on PostgreSQL is set up and upgraded by its owner role; the
 * servers run as a runtime role that may read and write rows but neither
 * change the schema nor alter the audit log.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-server-util.h"
#include "intake-store-pg.h"

/* db migrate (--data DIR | --postgres CONNINFO) */
int
intake_admin_db_migrate (int    argc,
                         char **argv)
{
  const char *usage = "db migrate (--data DIR | --postgres CONNINFO)";
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
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  /* Opening migrates, under the store's migration lock. */
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);
  g_print (_("the %s store is at schema %d\n"), intake_store_get_backend_name (store),
           intake_store_get_schema_version (store));
  return EXIT_SUCCESS;
}

/* db grant --postgres CONNINFO --role ROLE */
int
intake_admin_db_grant (int    argc,
                       char **argv)
{
  const char *usage = "db grant --postgres CONNINFO --role ROLE";
  g_autofree char *conninfo = NULL;
  g_autofree char *role = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "postgres", 0, 0, G_OPTION_ARG_STRING, &conninfo, N_("PostgreSQL store, as its owner"), "CONNINFO" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("The role intake-server connects as"), "ROLE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (conninfo == NULL || role == NULL)
    return intake_admin_usage_error (usage, _("give --postgres CONNINFO (the owner) and --role ROLE"));
  if (!(store = intake_store_open_from_options (NULL, conninfo, &error)) ||
      !intake_store_pg_grant_runtime (store, role, &error) ||
      !intake_admin_record_audit (store, "db_grant", role, "ok", &error))
    return intake_admin_fail (error);
  g_print (_("%s may now run intake-server on this store (rows only; the audit log only grows; no schema "
             "changes). Repeat after every upgrade's intake-admin db migrate.\n"), role);
  return EXIT_SUCCESS;
}

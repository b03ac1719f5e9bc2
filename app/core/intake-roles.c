/* intake-roles.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-roles.h"

static const struct {
  IntakeRoles  role;
  const char  *name;
} role_names[] = {
  { INTAKE_ROLE_CASEWORKER, "caseworker" },
  { INTAKE_ROLE_TEAM_LEAD, "team_lead" },
  { INTAKE_ROLE_PRIVACY_OFFICER, "privacy_officer" },
  { INTAKE_ROLE_ADMINISTRATOR, "administrator" },
};

/* One table, read by the server to refuse and by the app to hide. */
static const IntakeRoles permission_roles[INTAKE_N_PERMISSIONS] = {
  [INTAKE_PERMISSION_READ] = INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD | INTAKE_ROLE_PRIVACY_OFFICER,
  [INTAKE_PERMISSION_WORKFLOW] = INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD,
  [INTAKE_PERMISSION_DASHBOARD] = INTAKE_ROLE_TEAM_LEAD,
  [INTAKE_PERMISSION_AUDIT] = INTAKE_ROLE_PRIVACY_OFFICER,
  [INTAKE_PERMISSION_MANAGE] = INTAKE_ROLE_ADMINISTRATOR,
};

IntakeRoles
intake_permission_roles (IntakePermission permission)
{
  g_return_val_if_fail (permission < INTAKE_N_PERMISSIONS, 0);
  return permission_roles[permission];
}

gboolean
intake_roles_allow (IntakeRoles      roles,
                    IntakePermission permission)
{
  g_return_val_if_fail (permission < INTAKE_N_PERMISSIONS, FALSE);
  return (roles & permission_roles[permission]) != 0;
}

const char *
intake_role_to_string (IntakeRoles role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (role_names[i].role == role)
      return role_names[i].name;
  return NULL;
}

char **
intake_roles_to_strv (IntakeRoles roles)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (roles & role_names[i].role)
      g_ptr_array_add (out, g_strdup (role_names[i].name));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char *
intake_roles_to_string (IntakeRoles roles)
{
  g_auto(GStrv) names = intake_roles_to_strv (roles);

  return g_strjoinv (",", names);
}

gboolean
intake_roles_from_string (const char  *text,
                          IntakeRoles *out_roles)
{
  g_auto(GStrv) parts = NULL;
  IntakeRoles roles = 0;

  g_return_val_if_fail (text != NULL && out_roles != NULL, FALSE);

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      gboolean known = FALSE;

      if (*name == '\0')
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (role_names); k++)
        if (g_str_equal (name, role_names[k].name))
          {
            roles |= role_names[k].role;
            known = TRUE;
          }
      if (!known)
        return FALSE;
    }
  *out_roles = roles;
  return TRUE;
}

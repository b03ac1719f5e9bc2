/* intake-roles.h: staff roles and what each may do (docs/protocol.md, "Roles and scope")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server enforces these (server/intake-server-review.c); the review
 * app reads the same table to hide what a role cannot do. Cryptography
 * does not: every reviewer holds the office secret.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  INTAKE_ROLE_CASEWORKER      = 1 << 0,   /* reads submissions, changes their workflow, adds notes */
  INTAKE_ROLE_TEAM_LEAD       = 1 << 1,   /* a caseworker who also sees the dashboard */
  INTAKE_ROLE_PRIVACY_OFFICER = 1 << 2,   /* the audit log; reads submissions for subject access */
  INTAKE_ROLE_ADMINISTRATOR   = 1 << 3,   /* reviewers and devices, nothing of submissions */
} IntakeRoles;

#define INTAKE_ROLES_ALL (INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD | INTAKE_ROLE_PRIVACY_OFFICER | \
                          INTAKE_ROLE_ADMINISTRATOR)

typedef enum {
  INTAKE_PERMISSION_READ,        /* list, fetch, open, search, export: caseworker, team lead, privacy officer */
  INTAKE_PERMISSION_WORKFLOW,    /* state, unit, notes: caseworker, team lead */
  INTAKE_PERMISSION_DASHBOARD,   /* counts, help requests: team lead */
  INTAKE_PERMISSION_AUDIT,       /* a submission's access history, the audit log: privacy officer */
  INTAKE_PERMISSION_MANAGE,      /* reviewers (activation codes, access, removal) and devices: administrator */
  INTAKE_N_PERMISSIONS
} IntakePermission;

/* The roles that grant @permission. */
IntakeRoles  intake_permission_roles   (IntakePermission  permission);
gboolean     intake_roles_allow        (IntakeRoles       roles,
                                        IntakePermission  permission);
/* "caseworker", "team_lead", "privacy_officer", "administrator". */
const char  *intake_role_to_string     (IntakeRoles       role);
/* Comma-separated names, in the order above ("" for none). */
char        *intake_roles_to_string    (IntakeRoles       roles);
/* Parses comma-separated names (spaces around them allowed, "" is none);
 * FALSE for an unknown name. */
gboolean     intake_roles_from_string  (const char       *text,
                                        IntakeRoles      *out_roles);
/* The same names as a NULL-terminated array (g_strfreev). */
char       **intake_roles_to_strv      (IntakeRoles       roles);

G_END_DECLS

/* intake-admin-builtins.h: the intake-admin commands, one file per group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each takes its own argv, starting at the command's last word ("init" for
 * "office init"), and returns the exit status: 0 on success, 1 after one
 * line "intake-admin: <what went wrong and what to do>" on stderr, 2 for a
 * usage error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int intake_admin_office_init          (int argc, char **argv);
int intake_admin_office_rotate        (int argc, char **argv);
int intake_admin_office_keys          (int argc, char **argv);
int intake_admin_office_retire        (int argc, char **argv);
int intake_admin_server_key_roll      (int argc, char **argv);
int intake_admin_db_migrate           (int argc, char **argv);
int intake_admin_db_grant             (int argc, char **argv);

int intake_admin_device_init          (int argc, char **argv);
int intake_admin_device_list          (int argc, char **argv);
int intake_admin_device_revoke        (int argc, char **argv);

int intake_admin_questionnaire_check  (int argc, char **argv);
int intake_admin_questionnaire_sign   (int argc, char **argv);

int intake_admin_envelope_seal        (int argc, char **argv);
int intake_admin_envelope_open        (int argc, char **argv);

int intake_admin_outbox_status        (int argc, char **argv);

int intake_admin_enroll_code          (int argc, char **argv);

int intake_admin_import_bundle        (int argc, char **argv);

int intake_admin_reviewer_add         (int argc, char **argv);
int intake_admin_reviewer_reset       (int argc, char **argv);
int intake_admin_reviewer_activate    (int argc, char **argv);
int intake_admin_reviewer_set         (int argc, char **argv);
int intake_admin_reviewer_unblock     (int argc, char **argv);
int intake_admin_reviewer_remove      (int argc, char **argv);
int intake_admin_reviewer_list        (int argc, char **argv);

int intake_admin_units_add            (int argc, char **argv);
int intake_admin_units_remove         (int argc, char **argv);
int intake_admin_units_list           (int argc, char **argv);

int intake_admin_audit_verify         (int argc, char **argv);
int intake_admin_audit_show           (int argc, char **argv);
int intake_admin_purge                (int argc, char **argv);
int intake_admin_erase                (int argc, char **argv);

int intake_admin_export               (int argc, char **argv);
int intake_admin_subject_access       (int argc, char **argv);

int intake_admin_backup               (int argc, char **argv);
int intake_admin_restore              (int argc, char **argv);

G_END_DECLS

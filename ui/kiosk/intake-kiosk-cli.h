/* intake-kiosk-cli.h: intake-kiosk's command-line modes for staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * --enroll, --sync-now and --export-bundle (docs/kiosk.md, docs/sync.md),
 * ready to return from handle-local-options: each prints what staff need
 * (stdout) or one line "intake-kiosk: ..." (stderr) and returns the exit
 * status.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int intake_kiosk_cli_enroll        (const char *state_dir,
                                    const char *url,
                                    const char *code,
                                    gboolean    force,
                                    const char *tls_ca_file);
/* 0 when nothing is left pending. */
int intake_kiosk_cli_sync_now      (const char *state_dir,
                                    const char *office_public_path,
                                    const char *questionnaire_path,
                                    const char *tls_ca_file);
int intake_kiosk_cli_export_bundle (const char *state_dir,
                                    const char *office_public_path,
                                    const char *questionnaire_path,
                                    const char *path);
/* Reads the office's receipts file (intake_sync_import_receipts()):
 * 0 when every receipt verified, 1 when the file was refused. */
int intake_kiosk_cli_import_receipts (const char *state_dir,
                                      const char *office_public_path,
                                      const char *questionnaire_path,
                                      const char *path);
/* intake_kiosk_new_device_key(): 0 done, 1 failed. */
int intake_kiosk_cli_new_device_key  (const char *state_dir);

G_END_DECLS

/* intake-workstation-store.h: where a reviewer's workstation key is kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workstation key (docs/keys.md, IKWS) never leaves the reviewer's
 * workstation. It is kept in the GNOME keyring through libsecret when a
 * Secret Service answers, else in a key file of mode 0600 in the user's
 * data directory; $INTAKE_WORKSTATION_KEY_STORE ("keyring" or "file")
 * chooses one. docs/review.md, "The workstation key".
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_WORKSTATION_STORE_NONE,
  INTAKE_WORKSTATION_STORE_KEYRING,
  INTAKE_WORKSTATION_STORE_FILE,
} IntakeWorkstationStoreKind;

/* The key kept for reviewer @name, or NULL with no error when there is
 * none; *@out_where says where it was found. A damaged file is an error. */
IntakeWorkstationKey *intake_workstation_store_lookup  (const char                 *name,
                                                        IntakeWorkstationStoreKind *out_where,
                                                        GError                    **error);
/* Keeps @key for @name, replacing the one kept before. */
gboolean              intake_workstation_store_save    (const char                 *name,
                                                        const IntakeWorkstationKey *key,
                                                        IntakeWorkstationStoreKind *out_where,
                                                        GError                    **error);
/* The key file for @name: $XDG_DATA_HOME/intake-review/workstation-keys/HASH.key. */
char                 *intake_workstation_store_dup_path (const char                *name);
/* "keyring", "file". */
const char           *intake_workstation_store_kind_to_string (IntakeWorkstationStoreKind kind);

G_END_DECLS

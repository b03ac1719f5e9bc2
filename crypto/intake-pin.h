/* intake-pin.h: the kiosk's staff PIN, stored as an Argon2id hash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INTAKE_PIN_MIN_DIGITS 6
#define INTAKE_PIN_MAX_DIGITS 12

/* Checks the PIN's shape: INTAKE_PIN_MIN_DIGITS..INTAKE_PIN_MAX_DIGITS
 * ASCII digits, not all the same digit and not a plain run like 123456. */
gboolean  intake_pin_is_acceptable (const char  *pin,
                                    GError     **error);
/* The crypto_pwhash_str() string ("$argon2id$v=19$m=...") for @pin. */
char     *intake_pin_hash          (const char  *pin,
                                    GError     **error);
gboolean  intake_pin_verify        (const char  *hash,
                                    const char  *pin);
/* Writes the hash to @path (mode 0600, atomically, replacing an older PIN). */
gboolean  intake_pin_save          (const char  *path,
                                    const char  *pin,
                                    GError     **error);
/* Verifies @pin against the hash stored at @path; FALSE when there is no
 * PIN file (staff mode stays closed until a PIN is set). */
gboolean  intake_pin_check_file    (const char  *path,
                                    const char  *pin);

G_END_DECLS

/* intake-reference.h: short reference codes residents can read aloud
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 22 symbols without look-alikes: none of 0 O Q D, 1 I L, 2 Z, 5 S, 8 B, G. */
#define INTAKE_REFERENCE_ALPHABET "ACEFHJKMNPRTUVWXY34679"
#define INTAKE_REFERENCE_LENGTH   8

/* "XXXX-XXXX", derived from the 16-byte submission id. */
char     *intake_reference_from_submission_id (const guint8 *submission_id);
/* Uppercases and drops spaces and dashes; NULL if the result cannot be a
 * reference code (a look-alike such as O or 0 is refused, not guessed).
 * Returns the "XXXX-XXXX" form. */
char     *intake_reference_normalize          (const char   *input);

G_END_DECLS

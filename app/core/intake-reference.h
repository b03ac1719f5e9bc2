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

/* Activation codes (docs/keys.md, "Activation key"): 24 symbols of the
 * same alphabet in six groups of four, drawn with randombytes_uniform:
 * about 107 bits, so the code needs no slow key derivation. */
#define INTAKE_ACTIVATION_CODE_SYMBOLS 24

char     *intake_activation_code_generate     (void);
/* As people type it (any case, spaces, dashes or none): the grouped form,
 * or NULL unless it is 24 symbols of the alphabet. */
char     *intake_activation_code_normalize    (const char   *input);

G_END_DECLS

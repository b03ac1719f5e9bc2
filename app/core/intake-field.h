/* intake-field.h: free-text fields that staff read (names, units, locations, audit fields)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INTAKE_FIELD_ERROR (intake_field_error_quark ())

typedef enum {
  INTAKE_FIELD_ERROR_INVALID_UTF8,
  INTAKE_FIELD_ERROR_NUL,            /* U+0000: cuts the text short in C and in SQL */
  INTAKE_FIELD_ERROR_BIDI_CONTROL,   /* U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C */
  INTAKE_FIELD_ERROR_CONTROL,        /* any other control character (Unicode Cc): line breaks, tabs, DEL, C1 */
} IntakeFieldError;

GQuark   intake_field_error_quark (void);

/* Checks one line of text that people read in lists, logs and the audit
 * trail: a reviewer name, a unit, an enrollment location, an audit object.
 * Bidirectional controls are refused because they make such a line show in
 * another order than it is stored (a name that reads like another one, an
 * audit line that hides what it says); control characters because they
 * break lines and columns. @len is in bytes, or -1 for a terminated
 * string. @what names the field for the message ("the unit"). Errors:
 * INTAKE_FIELD_ERROR, with the code point and its position. */
gboolean intake_field_check (const char  *text,
                             gssize       len,
                             const char  *what,
                             GError     **error);

G_END_DECLS

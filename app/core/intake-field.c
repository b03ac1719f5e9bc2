/* intake-field.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-field.h"

G_DEFINE_QUARK (intake-field-error-quark, intake_field_error)

static const struct {
  gunichar    c;
  const char *name;
} bidi_controls[] = {
  { 0x061c, "ARABIC LETTER MARK" },
  { 0x200e, "LEFT-TO-RIGHT MARK" },
  { 0x200f, "RIGHT-TO-LEFT MARK" },
  { 0x202a, "LEFT-TO-RIGHT EMBEDDING" },
  { 0x202b, "RIGHT-TO-LEFT EMBEDDING" },
  { 0x202c, "POP DIRECTIONAL FORMATTING" },
  { 0x202d, "LEFT-TO-RIGHT OVERRIDE" },
  { 0x202e, "RIGHT-TO-LEFT OVERRIDE" },
  { 0x2066, "LEFT-TO-RIGHT ISOLATE" },
  { 0x2067, "RIGHT-TO-LEFT ISOLATE" },
  { 0x2068, "FIRST STRONG ISOLATE" },
  { 0x2069, "POP DIRECTIONAL ISOLATE" },
};

gboolean
intake_field_check (const char  *text,
                    gssize       len,
                    const char  *what,
                    GError     **error)
{
  const char *end;
  guint position = 1;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  if (len < 0)
    len = (gssize) strlen (text);
  end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p), position++)
    {
      gunichar c;

      if (*p == '\0')
        {
          g_set_error (error, INTAKE_FIELD_ERROR, INTAKE_FIELD_ERROR_NUL,
                       "%s has a NUL character (U+0000) at character %u, which would cut it short; "
                       "remove it", what, position);
          return FALSE;
        }
      c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_set_error (error, INTAKE_FIELD_ERROR, INTAKE_FIELD_ERROR_INVALID_UTF8,
                       "%s is not valid UTF-8 text (at character %u)", what, position);
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (bidi_controls); i++)
        if (c == bidi_controls[i].c)
          {
            g_set_error (error, INTAKE_FIELD_ERROR, INTAKE_FIELD_ERROR_BIDI_CONTROL,
                         "%s has the bidirectional control character U+%04X %s at character %u, "
                         "which can make it display in another order than it is stored; remove it",
                         what, c, bidi_controls[i].name, position);
            return FALSE;
          }
      if (g_unichar_type (c) == G_UNICODE_CONTROL)
        {
          g_set_error (error, INTAKE_FIELD_ERROR, INTAKE_FIELD_ERROR_CONTROL,
                       "%s has the control character U+%04X at character %u; use one line of "
                       "plain text", what, c, position);
          return FALSE;
        }
    }
  return TRUE;
}

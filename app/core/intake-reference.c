/* intake-reference.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "intake-reference.h"

char *
intake_reference_from_submission_id (const guint8 *submission_id)
{
  const gsize base = strlen (INTAKE_REFERENCE_ALPHABET);
  char code[INTAKE_REFERENCE_LENGTH + 2];
  guint64 value = 0;

  g_return_val_if_fail (submission_id != NULL, NULL);

  /* 48 bits of a random id are plenty for 22^8 (about 5.5e10) codes; the
   * code is for finding a submission by voice or on paper, not a key. */
  for (guint i = 0; i < 6; i++)
    value = (value << 8) | submission_id[i];

  for (int i = INTAKE_REFERENCE_LENGTH; i >= 0; i--)
    {
      if (i == INTAKE_REFERENCE_LENGTH / 2)
        {
          code[i] = '-';
          continue;
        }
      code[i] = INTAKE_REFERENCE_ALPHABET[value % base];
      value /= base;
    }
  code[INTAKE_REFERENCE_LENGTH + 1] = '\0';

  return g_strdup (code);
}

char *
intake_reference_normalize (const char *input)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (input != NULL, NULL);

  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t')
        continue;
      if (strchr (INTAKE_REFERENCE_ALPHABET, c) == NULL)
        return NULL;
      g_string_append_c (out, c);
      if (out->len == INTAKE_REFERENCE_LENGTH / 2)
        g_string_append_c (out, '-');
    }

  if (out->len != INTAKE_REFERENCE_LENGTH + 1)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
intake_activation_code_generate (void)
{
  const guint32 base = (guint32) strlen (INTAKE_REFERENCE_ALPHABET);
  GString *out = g_string_sized_new (INTAKE_ACTIVATION_CODE_SYMBOLS + INTAKE_ACTIVATION_CODE_SYMBOLS / 4);

  for (guint i = 0; i < INTAKE_ACTIVATION_CODE_SYMBOLS; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, INTAKE_REFERENCE_ALPHABET[randombytes_uniform (base)]);
    }
  return g_string_free (out, FALSE);
}

char *
intake_activation_code_normalize (const char *input)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint symbols = 0;

  g_return_val_if_fail (input != NULL, NULL);

  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r')
        continue;
      if (strchr (INTAKE_REFERENCE_ALPHABET, c) == NULL || symbols == INTAKE_ACTIVATION_CODE_SYMBOLS)
        return NULL;
      if (symbols > 0 && symbols % 4 == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, c);
      symbols++;
    }
  if (symbols != INTAKE_ACTIVATION_CODE_SYMBOLS)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

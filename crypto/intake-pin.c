/* intake-pin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-pin.h"

/* A PIN has little entropy, so its hash must be slow to brute-force from a
 * stolen disk: the "moderate" Argon2id limits (about a second, 256 MiB). A
 * wrong guess at the kiosk costs the same, which is fine for a staff door. */
#define PIN_OPSLIMIT crypto_pwhash_OPSLIMIT_MODERATE
#define PIN_MEMLIMIT crypto_pwhash_MEMLIMIT_MODERATE

gboolean
intake_pin_is_acceptable (const char  *pin,
                          GError     **error)
{
  gsize len;
  gboolean same = TRUE, ascending = TRUE, descending = TRUE;

  g_return_val_if_fail (pin != NULL, FALSE);

  len = strlen (pin);
  if (len < INTAKE_PIN_MIN_DIGITS || len > INTAKE_PIN_MAX_DIGITS)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
                   "a staff PIN has %d to %d digits", INTAKE_PIN_MIN_DIGITS, INTAKE_PIN_MAX_DIGITS);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (pin[i]))
        {
          g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
                       "a staff PIN has digits only");
          return FALSE;
        }
      if (i > 0)
        {
          same &= pin[i] == pin[i - 1];
          ascending &= pin[i] == pin[i - 1] + 1;
          descending &= pin[i] == pin[i - 1] - 1;
        }
    }
  if (same || ascending || descending)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
                   "this PIN is too easy to guess; choose digits that do not repeat or run in order");
      return FALSE;
    }
  return TRUE;
}

char *
intake_pin_hash (const char  *pin,
                 GError     **error)
{
  char out[crypto_pwhash_STRBYTES];

  if (!intake_crypto_init (error) || !intake_pin_is_acceptable (pin, error))
    return NULL;

  if (crypto_pwhash_str_alg (out, pin, strlen (pin), PIN_OPSLIMIT, PIN_MEMLIMIT,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_INIT,
                   "not enough memory to hash the PIN");
      return NULL;
    }
  return g_strdup (out);
}

gboolean
intake_pin_verify (const char *hash,
                   const char *pin)
{
  if (hash == NULL || pin == NULL || !intake_crypto_init (NULL))
    return FALSE;
  /* Only Argon2id hashes count: an edited file must not downgrade. */
  if (!g_str_has_prefix (hash, "$argon2id$"))
    return FALSE;
  return crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
}

gboolean
intake_pin_save (const char  *path,
                 const char  *pin,
                 GError     **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!(hash = intake_pin_hash (pin, error)))
    return FALSE;
  contents = g_strconcat (hash, "\n", NULL);
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

gboolean
intake_pin_check_file (const char *path,
                       const char *pin)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  g_strstrip (contents);
  return intake_pin_verify (contents, pin);
}

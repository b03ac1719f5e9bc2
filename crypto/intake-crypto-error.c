/* intake-crypto-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sodium.h>

#include "intake-crypto-error.h"

G_DEFINE_QUARK (intake-crypto-error-quark, intake_crypto_error)

static gpointer
init_sodium (gpointer data)
{
  /* sodium_init() returns 1 when already initialised by someone else. */
  return GINT_TO_POINTER (sodium_init () >= 0 ? 1 : -1);
}

gboolean
intake_crypto_init (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_sodium, NULL);
  if (GPOINTER_TO_INT (once.retval) < 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_INIT,
                           "libsodium could not be initialised; check that the system "
                           "random number generator (getrandom, /dev/urandom) is available");
      return FALSE;
    }
  return TRUE;
}

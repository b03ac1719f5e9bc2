/* intake-crypto-error.h: the error domain of the crypto layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INTAKE_CRYPTO_ERROR (intake_crypto_error_quark ())

/**
 * IntakeCryptoError:
 * @INTAKE_CRYPTO_ERROR_INIT: libsodium could not be initialised
 * @INTAKE_CRYPTO_ERROR_IO: a key file could not be read or written
 * @INTAKE_CRYPTO_ERROR_TRUNCATED: input ends before the format says it should
 * @INTAKE_CRYPTO_ERROR_BAD_MAGIC: input is not of the expected kind (wrong tag)
 * @INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION: a format version this build does not know
 * @INTAKE_CRYPTO_ERROR_MALFORMED: lengths or fields are inconsistent, or trailing bytes
 * @INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND: a key file of another kind (e.g. a device key given as office key)
 * @INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE: the passphrase does not unlock the secret key
 * @INTAKE_CRYPTO_ERROR_BAD_SIGNATURE: a signature does not verify
 * @INTAKE_CRYPTO_ERROR_WRONG_OFFICE_KEY: an envelope is sealed for another office key
 * @INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH: the signing key does not belong to the device named in the header
 * @INTAKE_CRYPTO_ERROR_DECRYPT: authenticated decryption failed (ciphertext or header altered)
 * @INTAKE_CRYPTO_ERROR_TOO_LARGE: input larger than the format allows
 * @INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE: a new passphrase is too short
 */
typedef enum {
  INTAKE_CRYPTO_ERROR_INIT,
  INTAKE_CRYPTO_ERROR_IO,
  INTAKE_CRYPTO_ERROR_TRUNCATED,
  INTAKE_CRYPTO_ERROR_BAD_MAGIC,
  INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
  INTAKE_CRYPTO_ERROR_MALFORMED,
  INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND,
  INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE,
  INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
  INTAKE_CRYPTO_ERROR_WRONG_OFFICE_KEY,
  INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH,
  INTAKE_CRYPTO_ERROR_DECRYPT,
  INTAKE_CRYPTO_ERROR_TOO_LARGE,
  INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
} IntakeCryptoError;

GQuark   intake_crypto_error_quark (void);

/* Initialises libsodium once; safe to call from any thread, any number of times. */
gboolean intake_crypto_init        (GError **error);

G_END_DECLS

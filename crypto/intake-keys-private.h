/* intake-keys-private.h: internals shared by the crypto layer and its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_BLOB_HEADER_BYTES         5      /* tag (4) + format version (1) */
#define INTAKE_KEY_FORMAT_VERSION        1

#define INTAKE_OFFICE_PUBLIC_BLOB_BYTES  149
#define INTAKE_OFFICE_SECRET_BLOB_BYTES  331
#define INTAKE_DEVICE_SECRET_BLOB_BYTES  69
#define INTAKE_DEVICE_PUBLIC_BLOB_BYTES  53
#define INTAKE_REVIEWER_KEY_BLOB_BYTES   411    /* format 1, legacy: recognized, never opened */
#define INTAKE_REVIEWER_KEY2_BLOB_BYTES  451
#define INTAKE_SETUP_BLOB_BYTES          346
#define INTAKE_WORKSTATION_BLOB_BYTES    45

#define INTAKE_OFFICE_ROTATION_BLOB_BYTES 439
#define INTAKE_OFFICE_KEY_SEAL_BLOB_BYTES 323
#define INTAKE_SERVER_ROTATION_BLOB_BYTES 205

#define INTAKE_OFFICE_BOX_SECRET_BYTES   32
/* box_sk || sign_sk || office public blob (docs/keys.md, IKOS) */
#define INTAKE_OFFICE_SECRET_INNER_BYTES (32 + 64 + 149)
#define INTAKE_SIGN_SECRET_BYTES         64

#define INTAKE_PASSPHRASE_MIN_BYTES      10
#define INTAKE_REVIEWER_PASSPHRASE_MIN_BYTES 12
#define INTAKE_REVIEWER_KDF_OPSLIMIT_DEFAULT INTAKE_REVIEWER_KDF_OPSLIMIT
#define INTAKE_REVIEWER_KDF_MEMLIMIT_DEFAULT INTAKE_REVIEWER_KDF_MEMLIMIT
#define INTAKE_KDF_ARGON2ID13            1
#define INTAKE_KDF_OPSLIMIT_DEFAULT      3
#define INTAKE_KDF_MEMLIMIT_DEFAULT      (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define INTAKE_KDF_OPSLIMIT_MAX          10
#define INTAKE_KDF_MEMLIMIT_MAX          (G_GUINT64_CONSTANT (1024) * 1024 * 1024)

static inline void
intake_put_u32_le (guint8  *out,
                   guint32  value)
{
  for (guint i = 0; i < 4; i++)
    out[i] = (guint8) (value >> (8 * i));
}

static inline void
intake_put_u64_le (guint8  *out,
                   guint64  value)
{
  for (guint i = 0; i < 8; i++)
    out[i] = (guint8) (value >> (8 * i));
}

static inline guint32
intake_get_u32_le (const guint8 *in)
{
  guint32 value = 0;

  for (guint i = 0; i < 4; i++)
    value |= (guint32) in[i] << (8 * i);
  return value;
}

static inline guint64
intake_get_u64_le (const guint8 *in)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value |= (guint64) in[i] << (8 * i);
  return value;
}

/* Builds an office key from raw secret keys, for test vectors and tests:
 * @box_sk is an X25519 secret key (32 bytes), @sign_sk an Ed25519 secret key
 * in libsodium's 64-byte form (seed || pk). The public part is derived and
 * self-signed. */
IntakeOfficeSecret *intake_office_secret_new_from_raw     (const guint8              *box_sk,
                                                           const guint8              *sign_sk,
                                                           gint64                     created_at,
                                                           GError                   **error);
/* The X25519 secret key (32 bytes); envelopes are opened with it. */
const guint8       *intake_office_secret_get_box_sk       (const IntakeOfficeSecret  *self);
/* intake_office_secret_wrap() with explicit Argon2id limits (tests use cheap ones). */
GBytes             *intake_office_secret_wrap_with_limits (const IntakeOfficeSecret  *self,
                                                           const IntakeSecureBuffer  *passphrase,
                                                           guint64                    opslimit,
                                                           guint64                    memlimit,
                                                           GError                   **error);

/* Builds a device key from an Ed25519 secret key in libsodium's 64-byte form. */
IntakeDeviceKey    *intake_device_key_new_from_secret     (const guint8              *sign_sk,
                                                           GError                   **error);
/* Plain Ed25519 over @data, without the context prefix: only for formats
 * whose own first bytes are a distinct tag (the envelope starts with "IKEN"). */
void                intake_device_key_sign_raw            (const IntakeDeviceKey     *self,
                                                           const guint8              *data,
                                                           gsize                      len,
                                                           guint8                    *signature);

/* intake_reviewer_key_seal() and intake_office_secret_seal_setup() with a
 * given nonce, for test vectors. */
GBytes             *intake_reviewer_key_seal_with_nonce   (const IntakeReviewerKey   *self,
                                                           const IntakeCredentials   *credentials,
                                                           const guint8              *nonce,
                                                           GError                   **error);
GBytes             *intake_office_secret_seal_setup_with_nonce (const IntakeOfficeSecret *self,
                                                           const IntakeCredentials   *credentials,
                                                           const guint8              *nonce,
                                                           GError                   **error);
/* A workstation key from its 32 secret bytes, for test vectors. */
IntakeWorkstationKey *intake_workstation_key_new_from_secret (const guint8           *secret,
                                                           GError                   **error);
/* Builds a reviewer key from an office secret and an Ed25519 secret key in
 * libsodium's 64-byte form, for test vectors. */
IntakeReviewerKey  *intake_reviewer_key_new_from_raw      (const IntakeOfficeSecret  *office,
                                                           const guint8              *sign_sk,
                                                           GError                   **error);

/* Tag, version and exact length of a blob (docs/keys.md, "Blobs"). */
gboolean            intake_key_blob_check                 (const guint8              *data,
                                                           gsize                      len,
                                                           const char                *tag,
                                                           gsize                      expected_len,
                                                           const char                *what,
                                                           GError                   **error);
/* The 245-byte inner form of an office secret, and back (checked to be
 * consistent and to be the key @expected_key_id). */
IntakeSecureBuffer *intake_office_secret_encode_inner     (const IntakeOfficeSecret  *self);
IntakeOfficeSecret *intake_office_secret_new_from_inner   (const guint8              *inner,
                                                           const guint8              *expected_key_id,
                                                           const char                *what,
                                                           GError                   **error);
/* The Ed25519 secret key (64 bytes, seed || pk). */
const guint8       *intake_device_key_get_secret          (const IntakeDeviceKey     *self);

G_END_DECLS

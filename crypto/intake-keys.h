/* intake-keys.h: office and device keys, and their files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The formats are specified in docs/keys.md.
 */
#pragma once

#include <glib.h>

#include "intake-secure.h"

G_BEGIN_DECLS

#define INTAKE_OFFICE_KEY_ID_BYTES 8
#define INTAKE_DEVICE_ID_BYTES     16
#define INTAKE_BOX_PUBLIC_BYTES    32
#define INTAKE_SIGN_PUBLIC_BYTES   32
#define INTAKE_SIGNATURE_BYTES     64
#define INTAKE_REVIEWER_ID_BYTES   16

/* The office's public keys. Only ever constructed from a verified
 * (self-signed) encoding or by generation, so holding one means it is intact. */
typedef struct {
  guint8 key_id[INTAKE_OFFICE_KEY_ID_BYTES];
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];     /* X25519: envelopes are sealed to this */
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];   /* Ed25519: signs what kiosks must trust */
  gint64 created_at;                          /* Unix seconds, UTC */
  guint8 self_signature[INTAKE_SIGNATURE_BYTES];
} IntakeOfficePublic;

/* Opaque; all secret bytes live in sodium_malloc() memory. */
typedef struct _IntakeOfficeSecret IntakeOfficeSecret;
typedef struct _IntakeDeviceKey    IntakeDeviceKey;
/* Office secret + a reviewer's Ed25519 signing key (docs/keys.md, IKRK). */
typedef struct _IntakeReviewerKey  IntakeReviewerKey;

typedef struct {
  guint8 device_id[INTAKE_DEVICE_ID_BYTES];   /* derived from sign_pk, see docs/keys.md */
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
} IntakeDevicePublic;

typedef struct {
  guint8 reviewer_id[INTAKE_REVIEWER_ID_BYTES]; /* derived from sign_pk, see docs/keys.md */
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
} IntakeReviewerPublic;

/* Office keys */
gboolean            intake_office_generate               (IntakeOfficePublic       **out_public,
                                                          IntakeOfficeSecret       **out_secret,
                                                          GError                   **error);
void                intake_office_public_free            (IntakeOfficePublic        *self);
IntakeOfficePublic *intake_office_public_copy            (const IntakeOfficePublic  *self);
GBytes             *intake_office_public_to_bytes        (const IntakeOfficePublic  *self);
IntakeOfficePublic *intake_office_public_new_from_bytes  (GBytes                    *bytes,
                                                          GError                   **error);
gboolean            intake_office_public_save            (const IntakeOfficePublic  *self,
                                                          const char                *path,
                                                          GError                   **error);
IntakeOfficePublic *intake_office_public_load            (const char                *path,
                                                          GError                   **error);
/* Lowercase hex of key_id (16 characters). */
char               *intake_office_public_dup_key_id_hex  (const IntakeOfficePublic  *self);
/* A fingerprint for people to compare by eye, e.g. "3F2A 91C0 ..." */
char               *intake_office_public_dup_fingerprint (const IntakeOfficePublic  *self);
/* Verifies a detached signature made with intake_office_secret_sign(). */
gboolean            intake_office_public_verify          (const IntakeOfficePublic  *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          const guint8              *signature,
                                                          GError                   **error);

void                      intake_office_secret_free       (IntakeOfficeSecret        *self);
const IntakeOfficePublic *intake_office_secret_get_public (const IntakeOfficeSecret  *self);
/* Passphrase wrapping (Argon2id + XChaCha20-Poly1305). The wrapped form is
 * the body of office.secret (docs/keys.md). */
GBytes             *intake_office_secret_wrap            (const IntakeOfficeSecret  *self,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
IntakeOfficeSecret *intake_office_secret_unwrap          (GBytes                    *wrapped,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
gboolean            intake_office_secret_save            (const IntakeOfficeSecret  *self,
                                                          const char                *path,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
IntakeOfficeSecret *intake_office_secret_load            (const char                *path,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
/* Ed25519 detached signature with the office signing key over a
 * context-separated message (docs/keys.md); @signature has INTAKE_SIGNATURE_BYTES. */
void                intake_office_secret_sign            (const IntakeOfficeSecret  *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          guint8                    *signature);

/* Device keys */
IntakeDeviceKey    *intake_device_key_generate           (GError                   **error);
void                intake_device_key_free               (IntakeDeviceKey           *self);
gboolean            intake_device_key_save               (const IntakeDeviceKey     *self,
                                                          const char                *path,
                                                          GError                   **error);
IntakeDeviceKey    *intake_device_key_load               (const char                *path,
                                                          GError                   **error);
void                intake_device_key_get_public         (const IntakeDeviceKey     *self,
                                                          IntakeDevicePublic        *out_public);
/* Lowercase hex of the device id (32 characters). */
char               *intake_device_key_dup_id_hex         (const IntakeDeviceKey     *self);
void                intake_device_key_sign               (const IntakeDeviceKey     *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          guint8                    *signature);

gboolean            intake_device_public_save            (const IntakeDevicePublic  *self,
                                                          const char                *path,
                                                          GError                   **error);
gboolean            intake_device_public_load            (const char                *path,
                                                          IntakeDevicePublic        *out_public,
                                                          GError                   **error);
gboolean            intake_device_public_verify          (const IntakeDevicePublic  *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          const guint8              *signature,
                                                          GError                   **error);
/* Derives the device id from a signing public key. */
void                intake_device_id_from_public_key     (const guint8              *sign_pk,
                                                          guint8                    *out_device_id);

/* Reviewer keys (docs/protocol.md, "Reviewer keys"). The reviewer key
 * carries a copy of the office secret, so a reviewer can open envelopes
 * after unlocking their own blob with their own passphrase. */
IntakeReviewerKey  *intake_reviewer_key_generate         (const IntakeOfficeSecret  *office,
                                                          GError                   **error);
void                intake_reviewer_key_free             (IntakeReviewerKey         *self);
const IntakeOfficeSecret *intake_reviewer_key_get_office (const IntakeReviewerKey   *self);
/* The reviewer's signing key in device-key form: notes are envelopes sealed
 * for the office and signed with it (their header device id is the device
 * id derived from the reviewer's key, not the reviewer id). */
const IntakeDeviceKey *intake_reviewer_key_get_signing_key (const IntakeReviewerKey *self);
void                intake_reviewer_key_get_public       (const IntakeReviewerKey   *self,
                                                          IntakeReviewerPublic      *out_public);
/* Lowercase hex of the reviewer id (32 characters). */
char               *intake_reviewer_key_dup_id_hex       (const IntakeReviewerKey   *self);
/* The reviewer key blob (IKRK): Argon2id (opslimit 3, 256 MiB) and
 * XChaCha20-Poly1305. Passphrases under 12 bytes are WEAK_PASSPHRASE. */
GBytes             *intake_reviewer_key_wrap             (const IntakeReviewerKey   *self,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
/* WRONG_PASSPHRASE when the passphrase does not open it (or it is damaged). */
IntakeReviewerKey  *intake_reviewer_key_unwrap           (GBytes                    *wrapped,
                                                          const IntakeSecureBuffer  *passphrase,
                                                          GError                   **error);
/* The clear fields of a blob (after the common checks), without unlocking. */
gboolean            intake_reviewer_key_blob_peek        (GBytes                    *wrapped,
                                                          guint8                    *out_reviewer_id,
                                                          guint8                    *out_office_key_id,
                                                          GError                   **error);
/* Context signature (docs/keys.md) with the reviewer's signing key. */
void                intake_reviewer_key_sign             (const IntakeReviewerKey   *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          guint8                    *signature);
gboolean            intake_reviewer_public_verify        (const IntakeReviewerPublic *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          const guint8              *signature,
                                                          GError                   **error);
/* reviewer_id = BLAKE2b-128("intake-reviewer-id-v1" || sign_pk). */
void                intake_reviewer_id_from_public_key   (const guint8              *sign_pk,
                                                          guint8                    *out_reviewer_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewerKey, intake_reviewer_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficePublic, intake_office_public_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficeSecret, intake_office_secret_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeDeviceKey, intake_device_key_free)

G_END_DECLS

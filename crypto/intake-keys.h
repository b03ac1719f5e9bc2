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
#define INTAKE_CREDENTIAL_SALT_BYTES    16
#define INTAKE_WORKSTATION_SECRET_BYTES 32
#define INTAKE_WORKSTATION_ID_BYTES     8
/* The reviewer key format this build writes (docs/keys.md, IKRK). */
#define INTAKE_REVIEWER_KEY_FORMAT      2
/* The Argon2id limits reviewer keys are sealed with (docs/keys.md). */
#define INTAKE_REVIEWER_KDF_OPSLIMIT    3
#define INTAKE_REVIEWER_KDF_MEMLIMIT    (G_GUINT64_CONSTANT (256) * 1024 * 1024)
/* A recovery code: 56 characters of Crockford's base32 (docs/keys.md). */
#define INTAKE_RECOVERY_CODE_CHARS      56

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
/* The per-reviewer secret W kept on the reviewer's workstation (IKWS). */
typedef struct _IntakeWorkstationKey IntakeWorkstationKey;
/* What a person's secrets derive to: the key that opens a reviewer key
 * (or an activation key) and the authentication key pair whose public
 * half the server keeps as a verifier. */
typedef struct _IntakeCredentials IntakeCredentials;

typedef enum {
  INTAKE_CREDENTIALS_REVIEWER,   /* passphrase (Argon2id) + workstation key */
  INTAKE_CREDENTIALS_SETUP,      /* a one-time activation code */
} IntakeCredentialsKind;

/* The clear fields of a reviewer key blob. */
typedef struct {
  guint   version;                                  /* 1 (legacy) or 2 */
  guint8  kdf;
  guint64 opslimit;
  guint64 memlimit;
  guint8  salt[INTAKE_CREDENTIAL_SALT_BYTES];
  guint8  office_key_id[INTAKE_OFFICE_KEY_ID_BYTES];
  guint8  reviewer_id[INTAKE_REVIEWER_ID_BYTES];
  guint8  auth_pk[INTAKE_SIGN_PUBLIC_BYTES];        /* format 2: the server's verifier */
  guint8  workstation_id[INTAKE_WORKSTATION_ID_BYTES];
} IntakeReviewerBlobInfo;

/* The clear fields of an activation key blob. */
typedef struct {
  guint8  salt[INTAKE_CREDENTIAL_SALT_BYTES];
  guint8  office_key_id[INTAKE_OFFICE_KEY_ID_BYTES];
  guint8  auth_pk[INTAKE_SIGN_PUBLIC_BYTES];
} IntakeSetupBlobInfo;

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
IntakeOfficeSecret       *intake_office_secret_copy       (const IntakeOfficeSecret  *self);
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

/* Reviewer keys (docs/keys.md, "Reviewer keys"). The reviewer key
 * carries a copy of the office secret, so a reviewer can open envelopes
 * after unlocking their own blob with their passphrase and workstation key. */
IntakeReviewerKey  *intake_reviewer_key_generate         (const IntakeOfficeSecret  *office,
                                                          GError                   **error);
void                intake_reviewer_key_free             (IntakeReviewerKey         *self);
IntakeReviewerKey  *intake_reviewer_key_copy             (const IntakeReviewerKey   *self);
const IntakeOfficeSecret *intake_reviewer_key_get_office (const IntakeReviewerKey   *self);
/* The reviewer's signing key in device-key form: notes are envelopes sealed
 * for the office and signed with it (their header device id is the device
 * id derived from the reviewer's key, not the reviewer id). */
const IntakeDeviceKey *intake_reviewer_key_get_signing_key (const IntakeReviewerKey *self);
void                intake_reviewer_key_get_public       (const IntakeReviewerKey   *self,
                                                          IntakeReviewerPublic      *out_public);
/* Lowercase hex of the reviewer id (32 characters). */
char               *intake_reviewer_key_dup_id_hex       (const IntakeReviewerKey   *self);
/* The reviewer key blob, format 2 (IKRK): sealed with @credentials
 * (INTAKE_CREDENTIALS_REVIEWER), whose verifier it carries in clear. */
GBytes             *intake_reviewer_key_seal             (const IntakeReviewerKey   *self,
                                                          const IntakeCredentials   *credentials,
                                                          GError                   **error);
/* WRONG_PASSPHRASE when @credentials do not open it (or it is damaged);
 * UNSUPPORTED_VERSION for a format 1 blob. */
IntakeReviewerKey  *intake_reviewer_key_open             (GBytes                    *wrapped,
                                                          const IntakeCredentials   *credentials,
                                                          GError                   **error);
/* The clear fields of a blob of format 1 or 2, after the common checks. */
gboolean            intake_reviewer_key_blob_peek        (GBytes                    *wrapped,
                                                          IntakeReviewerBlobInfo    *out_info,
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

/* Credentials. A reviewer's: Argon2id of @passphrase with @salt (NULL: a
 * fresh one, and then a passphrase under 12 bytes is WEAK_PASSPHRASE) and
 * the limits (0, 0: opslimit 3, 256 MiB; out of range: MALFORMED), then
 * combined with the workstation key. An activation code's: a hash of the
 * normalized code with @salt (NULL: fresh). */
IntakeCredentials  *intake_credentials_new_reviewer      (const IntakeSecureBuffer  *passphrase,
                                                          const IntakeWorkstationKey *workstation,
                                                          const guint8              *salt,
                                                          guint64                    opslimit,
                                                          guint64                    memlimit,
                                                          GError                   **error);
IntakeCredentials  *intake_credentials_new_setup         (const char                *code,
                                                          gsize                      code_len,
                                                          const guint8              *salt,
                                                          GError                   **error);
void                intake_credentials_free              (IntakeCredentials         *self);
IntakeCredentialsKind intake_credentials_get_kind        (const IntakeCredentials   *self);
/* The verifier: an Ed25519 public key (32 bytes). */
const guint8       *intake_credentials_get_auth_public   (const IntakeCredentials   *self);
const guint8       *intake_credentials_get_salt          (const IntakeCredentials   *self);
/* Context signature with the authentication key (unlock challenges). */
void                intake_credentials_sign              (const IntakeCredentials   *self,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          guint8                    *signature);
gboolean            intake_auth_public_verify            (const guint8              *auth_pk,
                                                          const char                *context,
                                                          GBytes                    *message,
                                                          const guint8              *signature,
                                                          GError                   **error);
/* The public half of the authentication key pair whose seed is @seed (32 bytes). */
void                intake_auth_public_from_seed         (const guint8              *seed,
                                                          guint8                    *out_auth_pk);

/* Activation keys (IKRS): the office secret sealed with an activation code,
 * for a reviewer to take over on their own workstation. */
GBytes             *intake_office_secret_seal_setup      (const IntakeOfficeSecret  *self,
                                                          const IntakeCredentials   *credentials,
                                                          GError                   **error);
IntakeOfficeSecret *intake_office_secret_open_setup      (GBytes                    *wrapped,
                                                          const IntakeCredentials   *credentials,
                                                          GError                   **error);
gboolean            intake_setup_blob_peek               (GBytes                    *wrapped,
                                                          IntakeSetupBlobInfo       *out_info,
                                                          GError                   **error);

/* Workstation keys (IKWS): 32 random bytes that never leave the reviewer's
 * workstation (and its recovery sheet). */
IntakeWorkstationKey *intake_workstation_key_generate    (GError                   **error);
void                intake_workstation_key_free          (IntakeWorkstationKey      *self);
/* BLAKE2b-64("intake-workstation-id-v1" || W): names the key without revealing it. */
const guint8       *intake_workstation_key_get_id        (const IntakeWorkstationKey *self);
char               *intake_workstation_key_dup_id_hex    (const IntakeWorkstationKey *self);
/* The IKWS blob, in secure memory. */
IntakeSecureBuffer *intake_workstation_key_encode        (const IntakeWorkstationKey *self);
IntakeWorkstationKey *intake_workstation_key_decode      (const guint8              *data,
                                                          gsize                      len,
                                                          const char                *what,
                                                          GError                   **error);
/* A key file (mode 0600, never overwritten) with the comment line @comment. */
gboolean            intake_workstation_key_save          (const IntakeWorkstationKey *self,
                                                          const char                *path,
                                                          const char                *comment,
                                                          GError                   **error);
IntakeWorkstationKey *intake_workstation_key_load        (const char                *path,
                                                          GError                   **error);
/* 14 groups of 4 characters (Crockford's base32 of W and a 3-byte check);
 * wipe it with intake_secure_strfree(). */
char               *intake_workstation_key_dup_recovery_code (const IntakeWorkstationKey *self);
/* MALFORMED (a character it cannot have, a typing error), TRUNCATED. */
IntakeWorkstationKey *intake_workstation_key_new_from_recovery_code (const char     *text,
                                                          GError                   **error);

/* BLAKE2b (@out_len bytes) of @label || 0x00 || @data, keyed with a key
 * derived from @self's secret seed: secrets every server instance sharing
 * the server key agrees on (unlock challenges, answers for unknown names). */
void                intake_device_key_derive             (const IntakeDeviceKey     *self,
                                                          const char                *label,
                                                          const guint8              *data,
                                                          gsize                      len,
                                                          guint8                    *out,
                                                          gsize                      out_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeCredentials, intake_credentials_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeWorkstationKey, intake_workstation_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewerKey, intake_reviewer_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficePublic, intake_office_public_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficeSecret, intake_office_secret_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeDeviceKey, intake_device_key_free)

G_END_DECLS

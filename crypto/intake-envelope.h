/* intake-envelope.h: the sealed, signed submission envelope
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Byte-level specification and test vectors: docs/envelope.md.
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"
#include "intake-secure.h"

G_BEGIN_DECLS

#define INTAKE_ENVELOPE_VERSION            1
#define INTAKE_SUBMISSION_ID_BYTES         16
#define INTAKE_QUESTIONNAIRE_HASH_BYTES    32
#define INTAKE_QUESTIONNAIRE_ID_MAX        64
#define INTAKE_ENVELOPE_MAX_PLAINTEXT      (1024 * 1024)

/* The cleartext header, bound to the ciphertext as associated data and
 * covered by the device signature. */
typedef struct {
  guint8  version;
  guint8  submission_id[INTAKE_SUBMISSION_ID_BYTES];
  guint8  device_id[INTAKE_DEVICE_ID_BYTES];
  guint8  device_sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  guint8  office_key_id[INTAKE_OFFICE_KEY_ID_BYTES];
  gint64  created_at;                                   /* Unix seconds, UTC */
  char    questionnaire_id[INTAKE_QUESTIONNAIRE_ID_MAX + 1];
  guint32 questionnaire_version;
  guint8  questionnaire_hash[INTAKE_QUESTIONNAIRE_HASH_BYTES];
} IntakeEnvelopeHeader;

/* What the caller chooses for a new envelope; the rest comes from the keys. */
typedef struct {
  guint8      submission_id[INTAKE_SUBMISSION_ID_BYTES];
  gint64      created_at;
  const char *questionnaire_id;
  guint32     questionnaire_version;
  guint8      questionnaire_hash[INTAKE_QUESTIONNAIRE_HASH_BYTES];
} IntakeEnvelopeInfo;

/* Fills @submission_id with a fresh random id. */
void                intake_envelope_new_submission_id (guint8                    *submission_id);

GBytes             *intake_envelope_seal   (const IntakeOfficePublic *office,
                                            const IntakeDeviceKey    *device,
                                            const IntakeEnvelopeInfo *info,
                                            const guint8             *plaintext,
                                            gsize                     plaintext_len,
                                            GError                  **error);

/* Structure only: no signature check. For quick inspection and routing. */
gboolean            intake_envelope_parse_header (GBytes              *envelope,
                                                  IntakeEnvelopeHeader *out_header,
                                                  GError             **error);

/* Parses and checks the device signature and that the device id belongs to
 * the signing key. Needs no secret: the server and the kiosk use this. */
gboolean            intake_envelope_verify (GBytes                   *envelope,
                                            IntakeEnvelopeHeader     *out_header,
                                            GError                  **error);

/* Verifies, checks the office key id and decrypts. Returns the plaintext
 * (the canonical session JSON) in secure memory. */
IntakeSecureBuffer *intake_envelope_open   (GBytes                   *envelope,
                                            const IntakeOfficeSecret *office,
                                            IntakeEnvelopeHeader     *out_header,
                                            GError                  **error);

/* Lowercase hex, NUL-terminated, g_free() it. */
char               *intake_hex_encode      (const guint8             *data,
                                            gsize                     len);
/* TRUE only if @hex is exactly 2 * @len hex digits (either case). */
gboolean            intake_hex_decode      (const char               *hex,
                                            guint8                   *out,
                                            gsize                     len);
/* TRUE when @text is exactly @len lowercase hex digits (ids on the wire). */
gboolean            intake_hex_is_lower    (const char               *text,
                                            gsize                     len);

G_END_DECLS

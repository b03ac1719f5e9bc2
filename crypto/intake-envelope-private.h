/* intake-envelope-private.h: deterministic sealing for test vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "intake-envelope.h"

G_BEGIN_DECLS

#define INTAKE_ENVELOPE_NONCE_BYTES      24
#define INTAKE_ENVELOPE_EPHEMERAL_BYTES  32
#define INTAKE_ENVELOPE_PAD_BLOCK        256

/* Offsets of the fixed part of the header (docs/envelope.md). */
#define INTAKE_ENVELOPE_OFFSET_VERSION         4
#define INTAKE_ENVELOPE_OFFSET_FLAGS           5
#define INTAKE_ENVELOPE_OFFSET_SUBMISSION_ID   6
#define INTAKE_ENVELOPE_OFFSET_DEVICE_ID       22
#define INTAKE_ENVELOPE_OFFSET_DEVICE_SIGN_PK  38
#define INTAKE_ENVELOPE_OFFSET_OFFICE_KEY_ID   70
#define INTAKE_ENVELOPE_OFFSET_CREATED_AT      78
#define INTAKE_ENVELOPE_OFFSET_QID_LEN         86
#define INTAKE_ENVELOPE_OFFSET_QID             87
/* Header length for a questionnaire id of @qid_len bytes. */
#define INTAKE_ENVELOPE_HEADER_BYTES(qid_len)  (87 + (qid_len) + 4 + 32 + 32 + 24)

/* intake_envelope_seal() with the caller's ephemeral X25519 secret key
 * (32 bytes) and nonce (24 bytes) instead of random ones. Reusing either
 * breaks confidentiality: only for test vectors. */
GBytes *intake_envelope_seal_with_ephemeral (const IntakeOfficePublic *office,
                                             const IntakeDeviceKey    *device,
                                             const IntakeEnvelopeInfo *info,
                                             const guint8             *eph_sk,
                                             const guint8             *nonce,
                                             const guint8             *plaintext,
                                             gsize                     plaintext_len,
                                             GError                  **error);

G_END_DECLS

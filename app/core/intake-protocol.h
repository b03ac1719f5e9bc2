/* intake-protocol.h: what kiosk and server both need of docs/protocol.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Request signatures, receipts and key ids. No HTTP here: the server
 * (server/) and the kiosk's sync engine (app/intake-sync.c) build on it.
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_PROTOCOL_ERROR (intake_protocol_error_quark ())

/**
 * IntakeProtocolError:
 * @INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED: signature headers missing or malformed
 * @INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE: a request, receipt or bundle signature does not verify
 * @INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP: a request's timestamp is outside the window
 * @INTAKE_PROTOCOL_ERROR_MALFORMED: a receipt or bundle is not as specified
 * @INTAKE_PROTOCOL_ERROR_TRUNCATED: a bundle ends early
 * @INTAKE_PROTOCOL_ERROR_TOO_LARGE: a bundle exceeds its limits
 * @INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION: a format version this build does not know
 * @INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH: a receipt or bundle names another device
 */
typedef enum {
  INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
  INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
  INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP,
  INTAKE_PROTOCOL_ERROR_MALFORMED,
  INTAKE_PROTOCOL_ERROR_TRUNCATED,
  INTAKE_PROTOCOL_ERROR_TOO_LARGE,
  INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
  INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH,
} IntakeProtocolError;

#define INTAKE_PROTOCOL_TIMESTAMP_WINDOW 300        /* seconds either way */
#define INTAKE_PROTOCOL_MAX_BODY         (8 * 1024 * 1024)
/* The largest body the server reads from anyone: enrollment, unlock, and
 * any request whose signature headers name no enrolled device or active
 * reviewer (docs/protocol.md, "Limits"). */
#define INTAKE_PROTOCOL_MAX_ANONYMOUS_BODY (4 * 1024)
#define INTAKE_PROTOCOL_MAX_BATCH        100
/* Keys in one POST /v1/review/submissions/fetch (docs/protocol.md, "Endpoints"). */
#define INTAKE_PROTOCOL_MAX_FETCH_KEYS   100

/* The signature contexts of device requests, and of enrollment (signed
 * with the device key it registers). */
#define INTAKE_PROTOCOL_REQUEST_CONTEXT "request"
#define INTAKE_PROTOCOL_ENROLL_CONTEXT  "enroll"
/* An unlock or activation challenge: random (16) || issued_at (8) || MAC (32). */
#define INTAKE_PROTOCOL_CHALLENGE_BYTES 56
/* The protocol version this build speaks (docs/protocol.md). */
#define INTAKE_PROTOCOL_VERSION  2

#define INTAKE_HEADER_DEVICE     "Intake-Device"
#define INTAKE_HEADER_TIMESTAMP  "Intake-Timestamp"
#define INTAKE_HEADER_NONCE      "Intake-Nonce"
#define INTAKE_HEADER_SIGNATURE  "Intake-Signature"

GQuark    intake_protocol_error_quark      (void);

/* Lowercase hex SHA-256 of @bytes (64 characters). */
char     *intake_sha256_hex                (GBytes                   *bytes);

/* The values of the four request headers. */
typedef struct {
  char   device_id[INTAKE_DEVICE_ID_BYTES * 2 + 1];
  char   timestamp[24];
  char   nonce[33];
  char  *signature;                        /* b64 */
} IntakeRequestAuth;

void      intake_request_auth_clear        (IntakeRequestAuth        *auth);

/* The text that is signed: METHOD\nPATH\nTIMESTAMP\nNONCE\nhex(SHA-256(body)). */
char     *intake_protocol_request_string   (const char               *method,
                                            const char               *path,
                                            const char               *timestamp,
                                            const char               *nonce,
                                            GBytes                   *body);
/* The signature headers of docs/protocol.md, made with @signing_key under
 * @context and naming @signer_id (hex) as the signer: what both
 * intake_protocol_sign_request() (a device, context "request") and
 * intake_review_sign_request() (a reviewer) do. */
void      intake_protocol_sign_request_with (const IntakeDeviceKey  *signing_key,
                                             const char             *signer_id,
                                             const char             *context,
                                             const char             *method,
                                             const char             *path,
                                             GBytes                 *body,
                                             gint64                  now,
                                             IntakeRequestAuth      *out_auth);
void      intake_protocol_sign_request     (const IntakeDeviceKey    *device,
                                            const char               *method,
                                            const char               *path,
                                            GBytes                   *body,
                                            gint64                    now,
                                            IntakeRequestAuth        *out_auth);
/* Checks the signature headers of a request against @device (looked up by
 * the caller from the Intake-Device header) at time @now. */
gboolean  intake_protocol_verify_request   (const IntakeDevicePublic *device,
                                            const char               *method,
                                            const char               *path,
                                            GBytes                   *body,
                                            const char               *timestamp,
                                            const char               *nonce,
                                            const char               *signature_b64,
                                            gint64                    now,
                                            GError                  **error);

/* As intake_protocol_verify_request(), under another @context ("enroll"). */
gboolean  intake_protocol_verify_request_with (const IntakeDevicePublic *device,
                                            const char               *context,
                                            const char               *method,
                                            const char               *path,
                                            GBytes                   *body,
                                            const char               *timestamp,
                                            const char               *nonce,
                                            const char               *signature_b64,
                                            gint64                    now,
                                            GError                  **error);

/* The steps every signed request (device or reviewer) shares.
 * intake_protocol_parse_auth checks the shape of the three headers and
 * returns the time and the 64-byte signature; the caller then verifies the
 * signature over intake_protocol_request_message() with its own key and
 * context, and only then calls intake_protocol_check_window(), so that
 * unsigned probes learn nothing about the server's clock. */
gboolean  intake_protocol_parse_auth       (const char               *timestamp,
                                            const char               *nonce,
                                            const char               *signature_b64,
                                            gint64                   *out_when,
                                            guint8                   *out_signature,
                                            GError                  **error);
GBytes   *intake_protocol_request_message  (const char               *method,
                                            const char               *path,
                                            const char               *timestamp,
                                            const char               *nonce,
                                            GBytes                   *body);
/* @whose_clock: "the kiosk's clock", "this computer's clock"... */
gboolean  intake_protocol_check_window     (gint64                    when,
                                            gint64                    now,
                                            const char               *whose_clock,
                                            GError                  **error);

/* Server keys use the device key file format; their id differs. */
char     *intake_server_key_id_hex         (const guint8             *server_pk);

typedef struct {
  char submission_id[INTAKE_DEVICE_ID_BYTES * 2 + 1];
  char sha256[65];
} IntakeReceiptItem;

/* Canonical JSON of a receipt (docs/protocol.md). @items: IntakeReceiptItem. */
GBytes   *intake_receipt_build             (const char               *device_id,
                                            gint64                    issued_at,
                                            const char               *server_key_id,
                                            GArray                   *items);
/* Verifies @signature by @server_pk over @receipt, that it is for
 * @expected_device_id, and returns its items (IntakeReceiptItem). */
GArray   *intake_receipt_verify            (GBytes                   *receipt,
                                            const guint8             *signature,
                                            const guint8             *server_pk,
                                            const char               *expected_device_id,
                                            GError                  **error);

/* The receipts file an office gives an offline kiosk on its USB stick
 * (`intake-admin import-bundle --receipts-out`, docs/protocol.md
 * "Receipts file"): the signed receipts of an upload's answer, each for at
 * most INTAKE_PROTOCOL_MAX_BATCH envelopes, in one strict JSON file. */
#define INTAKE_RECEIPTS_FILE_FORMAT    1
#define INTAKE_RECEIPTS_FILE_MAX_SIZE  (32 * 1024 * 1024)
#define INTAKE_RECEIPTS_FILE_MAX_COUNT 2000

typedef struct {
  GBytes *receipt;                          /* canonical JSON, as intake_receipt_build() */
  guint8  signature[64];                    /* by the server key, context "receipt" */
} IntakeSignedReceipt;

void      intake_signed_receipt_free       (IntakeSignedReceipt      *receipt);

/* @receipts: IntakeSignedReceipt. */
GBytes   *intake_receipts_file_build       (GPtrArray                *receipts);
/* Reads a receipts file strictly (intake_json_validate(), a size limit,
 * nothing but the members of docs/protocol.md); verifies nothing: each
 * receipt then goes through intake_receipt_verify(). Returns
 * IntakeSignedReceipt, freed with the array. Errors: INTAKE_PROTOCOL_ERROR
 * (MALFORMED, TOO_LARGE, UNSUPPORTED_VERSION). */
GPtrArray *intake_receipts_file_parse      (const char               *data,
                                            gsize                     len,
                                            GError                  **error);
/* With the office's key rotation statements (GBytes *, IKOR) and server
 * key rollovers (IKSR), unverified (docs/protocol.md, "Receipts file"):
 * written when there are any, read into the out arrays (empty when
 * absent). */
GBytes    *intake_receipts_file_build_full (GPtrArray                *receipts,
                                            GPtrArray                *office_rotations,
                                            GPtrArray                *server_rotations);
GPtrArray *intake_receipts_file_parse_full (const char               *data,
                                            gsize                     len,
                                            GPtrArray               **out_office_rotations,
                                            GPtrArray               **out_server_rotations,
                                            GError                  **error);

G_END_DECLS

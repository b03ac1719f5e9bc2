/* intake-accept.h: the one path every envelope takes into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /v1/envelopes (server/intake-server.c) and `intake-admin
 * import-bundle` (tools/admin/main.c) both call
 * intake_server_accept_envelope(), so an upload and a bundle are checked
 * and stored exactly alike (docs/protocol.md, "Upload").
 */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_ACCEPT_STORED,
  INTAKE_ACCEPT_DUPLICATE,
  INTAKE_ACCEPT_CONFLICT,
  INTAKE_ACCEPT_REJECTED,
  INTAKE_ACCEPT_N_STATUS
} IntakeAcceptStatus;

typedef enum {
  INTAKE_REJECT_NONE,
  INTAKE_REJECT_MALFORMED,
  INTAKE_REJECT_BAD_SIGNATURE,
  INTAKE_REJECT_DEVICE_MISMATCH,
  INTAKE_REJECT_WRONG_OFFICE_KEY,
  INTAKE_REJECT_UNSUPPORTED_VERSION,
  INTAKE_REJECT_TOO_LARGE,
  INTAKE_REJECT_RETIRED_OFFICE_KEY,
  INTAKE_REJECT_N_REASONS
} IntakeRejectReason;

/* The office keys envelopes may be sealed for (docs/server.md, "Rotating
 * the office key"): the current key and every older one not retired. */
typedef struct {
  char **accepted;   /* key ids, lowercase hex */
  char **retired;    /* refused as retired_office_key */
} IntakeOfficeKeySet;

/* The largest single envelope accepted (the bundle format's limit). */
#define INTAKE_ACCEPT_MAX_ENVELOPE (2 * 1024 * 1024)

typedef struct {
  IntakeAcceptStatus status;
  IntakeRejectReason reason;                        /* when REJECTED */
  gboolean           has_submission_id;             /* FALSE if the header did not parse */
  char               submission_id[INTAKE_HEX_ID_LEN];
  char               sha256[65];                    /* of the offered bytes */
} IntakeAcceptResult;

/* Checks @envelope as docs/protocol.md says (size, structure, device
 * signature, header device == @device, office key accepted by @office_keys)
 * and stores it idempotently. @device is the authenticated sender (the
 * request's device, or the bundle's signer) and must be active. Returns
 * FALSE only when the store fails; every verdict on the envelope itself
 * is in @out_result. */
gboolean    intake_server_accept_envelope   (IntakeStore             *store,
                                             const IntakeOfficeKeySet *office_keys,
                                             const IntakeStoreDevice *device,
                                             GBytes                  *envelope,
                                             IntakeEnvelopeSource     source,
                                             gint64                   now,
                                             IntakeAcceptResult      *out_result,
                                             GError                 **error);

/* The same checks for @n envelopes of one request (NULL: an element that
 * was not base64, refused as malformed), then the ones that pass stored
 * in one transaction (intake_store_put_envelopes(): one durable commit).
 * TRUE only once that commit is done, so a receipt built from
 * @out_results names only durable envelopes; FALSE when the store fails,
 * and then none of them was stored. @nonce and @out_nonce_fresh: see
 * intake_store_put_envelopes() (the request's nonce, recorded in the same
 * transaction). */
gboolean    intake_server_accept_envelopes  (IntakeStore             *store,
                                             const IntakeOfficeKeySet *office_keys,
                                             const IntakeStoreDevice *device,
                                             const IntakeStoreNonce  *nonce,
                                             gboolean                *out_nonce_fresh,
                                             guint                    n,
                                             GBytes * const          *envelopes,
                                             IntakeEnvelopeSource     source,
                                             gint64                   now,
                                             IntakeAcceptResult      *out_results,
                                             GError                 **error);

/* The same in two steps, so that several requests can share one commit:
 * intake_accept_batch_new() checks one request's envelopes (and copies
 * @nonce, may be NULL); intake_accept_batches_store() stores the ones of
 * @n_batches requests that pass in one transaction (one durable commit)
 * and fills in their verdicts. A batch whose nonce was used before stores
 * nothing (intake_accept_batch_get_nonce_fresh() is FALSE). */
typedef struct _IntakeAcceptBatch IntakeAcceptBatch;

IntakeAcceptBatch        *intake_accept_batch_new             (const IntakeOfficeKeySet *office_keys,
                                                               const IntakeStoreDevice *device,
                                                               const IntakeStoreNonce  *nonce,
                                                               guint                    n,
                                                               GBytes * const          *envelopes,
                                                               IntakeEnvelopeSource     source,
                                                               gint64                   now);
void                      intake_accept_batch_free            (IntakeAcceptBatch       *batch);
const IntakeAcceptResult *intake_accept_batch_get_results     (IntakeAcceptBatch       *batch,
                                                               guint                   *out_n);
gboolean                  intake_accept_batch_get_nonce_fresh (IntakeAcceptBatch       *batch);
/* The device was revoked (or removed) before the commit: nothing stored. */
gboolean                  intake_accept_batch_get_device_inactive (IntakeAcceptBatch     *batch);
gboolean                  intake_accept_batches_store         (IntakeStore             *store,
                                                               IntakeAcceptBatch      **batches,
                                                               guint                    n_batches,
                                                               GError                 **error);

const char *intake_accept_status_to_string  (IntakeAcceptStatus       status);
const char *intake_reject_reason_to_string  (IntakeRejectReason       reason);

G_END_DECLS

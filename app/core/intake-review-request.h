/* intake-review-request.h: signed review requests (docs/protocol.md, "Signed review requests")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like device requests (intake-protocol.h), with the Intake-Reviewer
 * header, the reviewer's key and the context "review-request". The signed
 * path includes the query string exactly as sent, so a captured request
 * cannot be replayed with other filters.
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"
#include "intake-protocol.h"

G_BEGIN_DECLS

#define INTAKE_HEADER_REVIEWER        "Intake-Reviewer"
#define INTAKE_REVIEW_REQUEST_CONTEXT "review-request"
/* Signatures over challenge || name: the unlock (authentication key from
 * passphrase and workstation key), the activation (the code's key, then
 * the new reviewer key), and over a new key blob's SHA-256 when the
 * passphrase changes (the current authentication key). */
#define INTAKE_REVIEW_UNLOCK_CONTEXT     "review-unlock"
#define INTAKE_REVIEW_ACTIVATE_CONTEXT   "review-activate"
#define INTAKE_PASSPHRASE_CHANGE_CONTEXT "passphrase-change"

/* @path_and_query: "/v1/review/submissions?state=new&limit=50" as sent.
 * @out_auth->device_id holds the reviewer id (hex). */
void      intake_review_sign_request   (const IntakeReviewerKey    *reviewer,
                                        const char                 *method,
                                        const char                 *path_and_query,
                                        GBytes                     *body,
                                        gint64                      now,
                                        IntakeRequestAuth          *out_auth);
/* Errors as intake_protocol_verify_request(): INTAKE_PROTOCOL_ERROR
 * UNAUTHENTICATED, BAD_SIGNATURE, STALE_TIMESTAMP (checked in that order). */
gboolean  intake_review_verify_request (const IntakeReviewerPublic *reviewer,
                                        const char                 *method,
                                        const char                 *path_and_query,
                                        GBytes                     *body,
                                        const char                 *timestamp,
                                        const char                 *nonce,
                                        const char                 *signature_b64,
                                        gint64                      now,
                                        GError                    **error);

G_END_DECLS

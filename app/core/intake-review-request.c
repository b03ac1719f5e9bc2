/* intake-review-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-envelope.h"
#include "intake-review-request.h"

void
intake_review_sign_request (const IntakeReviewerKey *reviewer,
                            const char              *method,
                            const char              *path_and_query,
                            GBytes                  *body,
                            gint64                   now,
                            IntakeRequestAuth       *out_auth)
{
  g_autofree char *reviewer_id = NULL;

  g_return_if_fail (reviewer != NULL);

  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  intake_protocol_sign_request_with (intake_reviewer_key_get_signing_key (reviewer), reviewer_id,
                                     INTAKE_REVIEW_REQUEST_CONTEXT, method, path_and_query, body, now, out_auth);
}

gboolean
intake_review_verify_request (const IntakeReviewerPublic *reviewer,
                              const char                 *method,
                              const char                 *path_and_query,
                              GBytes                     *body,
                              const char                 *timestamp,
                              const char                 *nonce,
                              const char                 *signature_b64,
                              gint64                      now,
                              GError                    **error)
{
  g_autoptr(GBytes) message = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  gint64 when;

  g_return_val_if_fail (reviewer != NULL, FALSE);

  if (!intake_protocol_parse_auth (timestamp, nonce, signature_b64, &when, signature, error))
    return FALSE;

  message = intake_protocol_request_message (method, path_and_query, timestamp, nonce, body);
  if (!intake_reviewer_public_verify (reviewer, INTAKE_REVIEW_REQUEST_CONTEXT, message, signature, NULL))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
                   "the request signature does not verify for this reviewer");
      return FALSE;
    }

  return intake_protocol_check_window (when, now, "this computer's clock", error);
}

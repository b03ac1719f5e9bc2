/* intake-review-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

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
  g_autofree char *nonce = NULL;
  g_autoptr(GBytes) message = NULL;
  guint8 nonce_bytes[16];
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  g_return_if_fail (reviewer != NULL);
  g_return_if_fail (out_auth != NULL);

  memset (out_auth, 0, sizeof *out_auth);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (out_auth->device_id, reviewer_id, sizeof out_auth->device_id);
  g_snprintf (out_auth->timestamp, sizeof out_auth->timestamp, "%" G_GINT64_FORMAT, now);
  randombytes_buf (nonce_bytes, sizeof nonce_bytes);
  nonce = intake_hex_encode (nonce_bytes, sizeof nonce_bytes);
  g_strlcpy (out_auth->nonce, nonce, sizeof out_auth->nonce);

  message = intake_protocol_request_message (method, path_and_query, out_auth->timestamp, out_auth->nonce, body);
  intake_reviewer_key_sign (reviewer, INTAKE_REVIEW_REQUEST_CONTEXT, message, signature);
  out_auth->signature = g_base64_encode (signature, sizeof signature);
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

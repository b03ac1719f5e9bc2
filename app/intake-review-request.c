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

static GBytes *
request_message (const char *method,
                 const char *path_and_query,
                 const char *timestamp,
                 const char *nonce,
                 GBytes     *body)
{
  char *string = intake_protocol_request_string (method, path_and_query, timestamp, nonce, body);
  gsize len = strlen (string);

  return g_bytes_new_take (string, len);
}

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

  message = request_message (method, path_and_query, out_auth->timestamp, out_auth->nonce, body);
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
  g_autofree guint8 *signature = NULL;
  g_autoptr(GBytes) message = NULL;
  gsize signature_len = 0;
  gint64 when;
  char *end = NULL;

  g_return_val_if_fail (reviewer != NULL, FALSE);

  if (timestamp == NULL || nonce == NULL || signature_b64 == NULL)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "the request is not signed (missing %s, %s or %s)",
                   INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE, INTAKE_HEADER_SIGNATURE);
      return FALSE;
    }
  errno = 0;
  when = g_ascii_strtoll (timestamp, &end, 10);
  if (*timestamp == '\0' || end == NULL || *end != '\0' || errno != 0 || !intake_hex_is_lower (nonce, 32))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "malformed %s or %s header", INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE);
      return FALSE;
    }
  signature = g_base64_decode (signature_b64, &signature_len);
  if (signature_len != INTAKE_SIGNATURE_BYTES)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "malformed %s header", INTAKE_HEADER_SIGNATURE);
      return FALSE;
    }

  message = request_message (method, path_and_query, timestamp, nonce, body);
  if (!intake_reviewer_public_verify (reviewer, INTAKE_REVIEW_REQUEST_CONTEXT, message, signature, NULL))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
                   "the request signature does not verify for this reviewer");
      return FALSE;
    }
  if (when < now - INTAKE_PROTOCOL_TIMESTAMP_WINDOW || when > now + INTAKE_PROTOCOL_TIMESTAMP_WINDOW)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP,
                   "the request was signed %" G_GINT64_FORMAT " s from the server's time "
                   "(allowed: %d s); check this computer's clock",
                   when - now, INTAKE_PROTOCOL_TIMESTAMP_WINDOW);
      return FALSE;
    }
  return TRUE;
}

/* intake-sync-http.c: the kiosk's requests, and their errors in the kiosk's terms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-sync-private.h"

#define REQUEST_TIMEOUT_SECONDS 60
#define USER_AGENT              "intake-kiosk/" PACKAGE_VERSION

SoupSession *
intake_sync_session_new (const char  *tls_ca_file,
             GError     **error)
{
  return intake_http_session_new (USER_AGENT, REQUEST_TIMEOUT_SECONDS, tls_ca_file, error);
}

/* The transport's errors in the kiosk's terms. */
static void
set_sync_error (GError **error,
                GError  *http_error)
{
  if (http_error->domain != INTAKE_HTTP_ERROR)
    {
      g_propagate_error (error, http_error);
      return;
    }
  switch ((IntakeHttpError) http_error->code)
    {
    case INTAKE_HTTP_ERROR_TLS:
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_UNTRUSTED,
                   "the server's certificate is not trusted (a wrong server address, or a CA "
                   "this kiosk was not given with --tls-ca): %s", http_error->message);
      break;
    case INTAKE_HTTP_ERROR_TOO_LARGE:
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                   "the server's answer is not usable: %s", http_error->message);
      break;
    case INTAKE_HTTP_ERROR_NETWORK:
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK,
                   "the server cannot be reached: %s", http_error->message);
      break;
    case INTAKE_HTTP_ERROR_INVALID_URL:
    default:
      g_set_error_literal (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK, http_error->message);
      break;
    }
  g_error_free (http_error);
}

gboolean
intake_sync_check_url (const char  *url,
           GError     **error)
{
  GError *local_error = NULL;

  if (intake_http_check_server_url (url, &local_error))
    return TRUE;
  set_sync_error (error, local_error);
  return FALSE;
}

/* @device NULL: an unsigned request (enrollment). */
void
intake_sync_request_async (SoupSession           *session,
                    const char            *base_url,
                    const char            *method,
                    const char            *path,
                    GBytes                *body,
                    const IntakeDeviceKey *device,
                    gint64                 now_s,
                    GCancellable          *cancellable,
                    GAsyncReadyCallback    callback,
                    gpointer               user_data)
{
  IntakeHttpSigner signer = { .device = device, .now = now_s };

  intake_http_request_async (session, base_url, method, path, body, device != NULL ? &signer : NULL,
                             cancellable, callback, user_data);
}

IntakeHttpResponse *
intake_sync_request_finish (GAsyncResult  *result,
                     GError       **error)
{
  GError *local_error = NULL;
  IntakeHttpResponse *response = intake_http_request_finish (result, &local_error);

  if (response == NULL)
    set_sync_error (error, local_error);
  return response;
}

/* Turns a non-200 answer into the error the kiosk acts on. */
gboolean
intake_sync_check_response (IntakeHttpResponse  *response,
                            const char          *what,
                            GError             **error)
{
  const char *code = response->error_code != NULL ? response->error_code : "";
  const char *message = response->message != NULL ? response->message : "";

  if (response->status == SOUP_STATUS_OK)
    return TRUE;

  if (g_str_equal (code, "stale_timestamp"))
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_CLOCK,
                 "%s: the server refused the kiosk's clock (HTTP %u %s: %s); set the kiosk's date and time",
                 what, response->status, code, message);
  else if (g_str_equal (code, "replayed_request"))
    /* Not a refusal of the kiosk: libsoup sent this request again after
     * a kept-alive connection broke (intake-http.c), and the server had
     * the first copy. The next pass signs it anew. */
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_SERVER,
                 "%s: the server had this request already (HTTP %u %s); it is sent again, signed anew, "
                 "on the next pass", what, response->status, code);
  else if (response->status == SOUP_STATUS_UNAUTHORIZED || response->status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_REFUSED,
                 "%s: the server does not (or no longer) accept this kiosk (HTTP %u %s: %s); "
                 "enroll it again with a new code",
                 what, response->status, code, message);
  else
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_SERVER,
                 "%s: the server answered HTTP %u%s%s%s%s",
                 what, response->status, *code ? " " : "", code, *message ? ": " : "", message);
  return FALSE;
}

void
intake_sync_store_result_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
intake_sync_wait_for_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  return *slot;
}

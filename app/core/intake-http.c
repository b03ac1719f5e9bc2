/* intake-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-http.h"
#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-review-request.h"

#define READ_CHUNK (64 * 1024)

G_DEFINE_QUARK (intake-http-error-quark, intake_http_error)

SoupSession *
intake_http_session_new (const char  *user_agent,
                         guint        timeout_seconds,
                         const char  *tls_ca_file,
                         GError     **error)
{
  g_autoptr(SoupSession) session = NULL;

  session = soup_session_new_with_options ("timeout", timeout_seconds,
                                           "idle-timeout", timeout_seconds,
                                           "user-agent", user_agent,
                                           NULL);
  if (tls_ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = intake_http_tls_database_new (tls_ca_file, error);

      if (database == NULL)
        return NULL;
      soup_session_set_tls_database (session, database);
    }
  return g_steal_pointer (&session);
}

GTlsDatabase *
intake_http_tls_database_new (const char  *path,
                              GError     **error)
{
  /* GTlsFileDatabase takes absolute paths only; a relative --tls-ca is
   * relative to where the program was started. */
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autoptr(GError) local_error = NULL;
  GTlsDatabase *database;

  g_return_val_if_fail (path != NULL, NULL);

  if (!(database = g_tls_file_database_new (absolute, &local_error)))
    {
      g_set_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TLS,
                   "cannot read the CA certificates in %s: %s", absolute, local_error->message);
      return NULL;
    }
  return database;
}

gboolean
intake_http_check_server_url (const char  *url,
                              GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme, *host;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || *host == '\0')
    {
      g_set_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_INVALID_URL,
                   "\"%s\" is not a server address: give it as https://HOST[:PORT]", url);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0 &&
      (g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
       g_ascii_strcasecmp (host, "localhost") == 0))
    return TRUE;
  g_set_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_INVALID_URL,
               "\"%s\": the server is reached over https:// only "
               "(plain http:// is allowed for 127.0.0.1 and localhost)", url);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* One exchange                                                         */

typedef struct {
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->message);
  g_clear_object (&exchange->stream);
  g_clear_pointer (&exchange->body, g_byte_array_unref);
  g_free (exchange);
}

static void
return_transport_error (GTask  *task,
                        GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else if (error->domain == G_TLS_ERROR)
    {
      g_task_return_new_error (task, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TLS, "%s", error->message);
      g_error_free (error);
    }
  else
    {
      g_task_return_new_error (task, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_NETWORK, "%s", error->message);
      g_error_free (error);
    }
}

static void
return_too_large (GTask *task)
{
  g_task_return_new_error (task, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TOO_LARGE,
                           "the answer is longer than %d bytes", INTAKE_HTTP_MAX_RESPONSE);
}

static void
finish_exchange (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  IntakeHttpResponse *response = g_new0 (IntakeHttpResponse, 1);
  gsize len = exchange->body->len;
  JsonObject *object;

  response->status = soup_message_get_status (exchange->message);
  {
    const char *generation = soup_message_headers_get_one (soup_message_get_response_headers (exchange->message),
                                                           "Intake-Store-Generation");
    gsize n = generation != NULL ? strlen (generation) : 0;
    gboolean hex = n > 0 && n <= 64;

    for (gsize i = 0; hex && i < n; i++)
      hex = g_ascii_isxdigit (generation[i]) && !g_ascii_isupper (generation[i]);
    if (hex)
      response->store_generation = g_strdup (generation);
  }
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&exchange->body));
  if (len > 0 &&
      intake_json_parse_untrusted (parser, g_bytes_get_data (response->body, NULL), len,
                                   INTAKE_JSON_MAX_DEPTH, NULL) &&
      json_parser_get_root (parser) != NULL)
    {
      response->root = json_node_ref (json_parser_get_root (parser));
      if ((object = intake_http_response_get_object (response)) != NULL)
        {
          response->error_code = g_strdup (intake_json_get_string (object, "error"));
          response->message = g_strdup (intake_json_get_string (object, "message"));
        }
    }
  g_task_return_pointer (task, response, (GDestroyNotify)intake_http_response_free);
}

static void read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
read_next (GTask *task)
{
  Exchange *exchange = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (exchange->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;
  gsize len;

  if (!(chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error)))
    {
      return_transport_error (task, error);
      return;
    }
  len = g_bytes_get_size (chunk);
  if (len == 0)
    {
      finish_exchange (task);
      return;
    }
  if (exchange->body->len + len > INTAKE_HTTP_MAX_RESPONSE)
    {
      /* Closing drops the connection: the rest is never read. */
      g_input_stream_close_async (exchange->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      return_too_large (task);
      return;
    }
  g_byte_array_append (exchange->body, g_bytes_get_data (chunk, NULL), len);
  read_next (g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  goffset declared;

  if (!(exchange->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error)))
    {
      return_transport_error (task, error);
      return;
    }
  declared = soup_message_headers_get_content_length (soup_message_get_response_headers (exchange->message));
  if (declared > INTAKE_HTTP_MAX_RESPONSE)
    {
      g_input_stream_close_async (exchange->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      return_too_large (task);
      return;
    }
  exchange->body = g_byte_array_sized_new ((guint)CLAMP (declared, 1024, READ_CHUNK * 16));
  read_next (g_steal_pointer (&task));
}

static void
sign (SoupMessageHeaders     *headers,
      const IntakeHttpSigner *signer,
      const char             *method,
      const char             *path_and_query,
      GBytes                 *body)
{
  IntakeRequestAuth auth;
  const char *id_header;

  g_return_if_fail (signer->device == NULL || signer->reviewer == NULL);

  if (signer->device != NULL)
    {
      g_autofree char *device_id = intake_device_key_dup_id_hex (signer->device);

      intake_protocol_sign_request_with (signer->device, device_id,
                                         signer->context != NULL ? signer->context : INTAKE_PROTOCOL_REQUEST_CONTEXT,
                                         method, path_and_query, body, signer->now, &auth);
      id_header = INTAKE_HEADER_DEVICE;
    }
  else if (signer->reviewer != NULL)
    {
      intake_review_sign_request (signer->reviewer, method, path_and_query, body, signer->now, &auth);
      id_header = INTAKE_HEADER_REVIEWER;
    }
  else
    return;

  soup_message_headers_replace (headers, id_header, auth.device_id);
  soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
  soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
  soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
  intake_request_auth_clear (&auth);
}

void
intake_http_request_async (SoupSession            *session,
                           const char             *base_url,
                           const char             *method,
                           const char             *path_and_query,
                           GBytes                 *body,
                           const IntakeHttpSigner *signer,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  Exchange *exchange;
  gsize len;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (base_url != NULL && method != NULL);
  g_return_if_fail (path_and_query != NULL && path_and_query[0] == '/');

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_http_request_async);
  exchange = g_new0 (Exchange, 1);
  g_task_set_task_data (task, exchange, (GDestroyNotify)exchange_free);

  base = g_strstrip (g_strdup (base_url));
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  url = g_strconcat (base, path_and_query, NULL);
  if (!(exchange->message = soup_message_new (method, url)))
    {
      g_task_return_new_error (task, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_INVALID_URL,
                               "\"%s\" is not a valid server address", base_url);
      return;
    }
  headers = soup_message_get_request_headers (exchange->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (body != NULL)
    soup_message_set_request_body_from_bytes (exchange->message, "application/json", body);
  if (signer != NULL)
    {
      sign (headers, signer, method, path_and_query, body);
      /* libsoup sends a POST on a new connection unless the message is
       * idempotent: for a kiosk behind TLS that is a handshake per upload
       * batch, on both ends. A signed request is safe to send again: its
       * nonce is single-use, so if libsoup re-sends it after a kept-alive
       * connection broke, the server either never saw the first copy or
       * refuses the second as replayed_request, which the callers treat
       * as "try again later" (docs/protocol.md, "Connections"). */
      soup_message_add_flags (exchange->message, SOUP_MESSAGE_IDEMPOTENT);
    }

  soup_session_send_async (session, exchange->message, G_PRIORITY_DEFAULT, cancellable,
                           send_cb, g_steal_pointer (&task));
}

IntakeHttpResponse *
intake_http_request_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == intake_http_request_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonObject *
intake_http_response_get_object (IntakeHttpResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->root == NULL || !JSON_NODE_HOLDS_OBJECT (self->root))
    return NULL;
  return json_node_get_object (self->root);
}

void
intake_http_response_free (IntakeHttpResponse *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->root, json_node_unref);
  g_free (self->error_code);
  g_free (self->message);
  g_free (self->store_generation);
  g_free (self);
}

GBytes *
intake_http_json_body (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *text;

  g_return_val_if_fail (root != NULL, NULL);

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

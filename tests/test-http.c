/* test-http.c: the HTTP client layer against a real libsoup server on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-http.h"
#include "intake-protocol.h"
#include "intake-review-request.h"
#include "intake-test-util.h"

#define ENDLESS_BOUND (3 * INTAKE_HTTP_MAX_RESPONSE)

typedef struct {
  SoupServer          *server;
  char                *url;
  IntakeDeviceKey     *device;
  IntakeOfficePublic  *office;
  IntakeOfficeSecret  *office_secret;
  IntakeReviewerKey   *reviewer;
  gsize                endless_sent;
} Fixture;

typedef struct {
  GMainLoop          *loop;
  IntakeHttpResponse *response;
  GError             *error;
} Wait;

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
wrote_chunk_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  static char chunk[256 * 1024];

  /* A server that never stops, bounded so the test ends whatever happens. */
  if (f->endless_sent >= ENDLESS_BOUND)
    {
      soup_message_body_complete (body);
      return;
    }
  memset (chunk, ' ', sizeof chunk);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, chunk, sizeof chunk);
  f->endless_sent += sizeof chunk;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (request);
  const char *method = soup_server_message_get_method (msg);
  const char *query_text = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autofree char *path_and_query = query_text != NULL ? g_strconcat (path, "?", query_text, NULL) : g_strdup (path);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (path, "/json"))
    set_json (msg, 200, "{\"ok\": true}");
  else if (g_str_equal (path, "/refused"))
    set_json (msg, 409, "{\"error\": \"conflict\", \"message\": \"someone else changed it\"}");
  else if (g_str_equal (path, "/not-json"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "hello", 5);
    }
  else if (g_str_equal (path, "/deep"))
    {
      GString *deep = g_string_new (NULL);

      for (int i = 0; i < 100000; i++)
        g_string_append_c (deep, '[');
      for (int i = 0; i < 100000; i++)
        g_string_append_c (deep, ']');
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, deep->str, deep->len);
      g_string_free (deep, FALSE);
    }
  else if (g_str_equal (path, "/big"))
    {
      gsize len = INTAKE_HTTP_MAX_RESPONSE + 1;
      char *big = g_malloc (len);

      memset (big, ' ', len);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, big, len);
    }
  else if (g_str_equal (path, "/endless"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
      f->endless_sent = 0;
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), f);
      g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_chunk_cb), f);
    }
  else if (g_str_equal (path, "/device"))
    {
      IntakeDevicePublic pub;
      g_autofree char *device_id = intake_device_key_dup_id_hex (f->device);

      intake_device_key_get_public (f->device, &pub);
      if (g_strcmp0 (soup_message_headers_get_one (headers, INTAKE_HEADER_DEVICE), device_id) == 0 &&
          intake_protocol_verify_request (&pub, method, path_and_query, body,
                                          soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP),
                                          soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE),
                                          soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE),
                                          g_get_real_time () / G_USEC_PER_SEC, &error))
        set_json (msg, 200, "{\"verified\": \"device\"}");
      else
        set_json (msg, 401, "{\"error\": \"bad_signature\"}");
    }
  else if (g_str_equal (path, "/reviewer"))
    {
      IntakeReviewerPublic pub;

      intake_reviewer_key_get_public (f->reviewer, &pub);
      if (soup_message_headers_get_one (headers, INTAKE_HEADER_DEVICE) == NULL &&
          soup_message_headers_get_one (headers, INTAKE_HEADER_REVIEWER) != NULL &&
          intake_review_verify_request (&pub, method, path_and_query, body,
                                        soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP),
                                        soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE),
                                        soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE),
                                        g_get_real_time () / G_USEC_PER_SEC, &error))
        set_json (msg, 200, "{\"verified\": \"reviewer\"}");
      else
        set_json (msg, 401, "{\"error\": \"bad_signature\"}");
    }
  else if (g_str_equal (path, "/unsigned"))
    {
      if (soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE) == NULL &&
          g_bytes_get_size (body) == 9 && memcmp (g_bytes_get_data (body, NULL), "{\"a\": 1}\n", 9) == 0 &&
          g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/json") == 0)
        set_json (msg, 200, "{}");
      else
        set_json (msg, 400, "{\"error\": \"unexpected\"}");
    }
  else
    set_json (msg, 404, "{\"error\": \"not_found\"}");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *text = NULL;

  f->device = intake_device_key_generate (&error);
  g_assert_no_error (error);
  g_assert_true (intake_office_generate (&f->office, &f->office_secret, &error));
  f->reviewer = intake_reviewer_key_generate (f->office_secret, &error);
  g_assert_no_error (error);

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler_cb, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  text = g_uri_to_string (uris->data);
  /* With a trailing slash on purpose: the layer drops it. */
  f->url = g_steal_pointer (&text);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->url);
  intake_device_key_free (f->device);
  intake_reviewer_key_free (f->reviewer);
  intake_office_public_free (f->office);
  intake_office_secret_free (f->office_secret);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->response = intake_http_request_finish (result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static IntakeHttpResponse *
request (SoupSession             *session,
         const char              *url,
         const char              *method,
         const char              *path,
         GBytes                  *body,
         const IntakeHttpSigner  *signer,
         GError                 **error)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  intake_http_request_async (session, url, method, path, body, signer, NULL, done_cb, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.response;
}

static SoupSession *
new_session (void)
{
  g_autoptr(GError) error = NULL;
  SoupSession *session = intake_http_session_new ("intake-test", 10, NULL, &error);

  g_assert_no_error (error);
  return session;
}

static void
test_answers (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  IntakeHttpResponse *r;

  r = request (session, f->url, "GET", "/json", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (intake_http_response_get_object (r));
  g_assert_null (r->error_code);
  intake_http_response_free (r);

  /* A refusal is an answer, with the protocol's members. */
  r = request (session, f->url, "POST", "/refused", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 409);
  g_assert_cmpstr (r->error_code, ==, "conflict");
  g_assert_cmpstr (r->message, ==, "someone else changed it");
  intake_http_response_free (r);

  r = request (session, f->url, "GET", "/not-json", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (r->root);
  g_assert_cmpuint (g_bytes_get_size (r->body), ==, 5);
  intake_http_response_free (r);

  /* 100,000 brackets would overflow json-glib's stack: not parsed, no crash. */
  r = request (session, f->url, "GET", "/deep", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (r->root);
  g_assert_null (intake_http_response_get_object (r));
  intake_http_response_free (r);

  /* An unsigned request with a JSON body arrives as sent. */
  {
    g_autoptr(GBytes) body = g_bytes_new_static ("{\"a\": 1}\n", 9);

    r = request (session, f->url, "POST", "/unsigned", body, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r->status, ==, 200);
    intake_http_response_free (r);
  }
}

static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GError) error = NULL;

  /* A declared length over the limit is refused before reading. */
  g_assert_null (request (session, f->url, "GET", "/big", NULL, NULL, &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A body without a length that never ends: cut off at the limit, long
   * before the server's own bound. */
  g_assert_null (request (session, f->url, "GET", "/endless", NULL, NULL, &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_cmpuint (f->endless_sent, <, ENDLESS_BOUND);
  g_assert_cmpuint (f->endless_sent, >=, INTAKE_HTTP_MAX_RESPONSE);
}

static void
test_signed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"x\":1}", 7);
  g_autoptr(GError) error = NULL;
  IntakeHttpSigner device = { .device = f->device, .now = g_get_real_time () / G_USEC_PER_SEC };
  IntakeHttpSigner reviewer = { .reviewer = f->reviewer, .now = g_get_real_time () / G_USEC_PER_SEC };
  IntakeHttpResponse *r;

  r = request (session, f->url, "POST", "/device", body, &device, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  intake_http_response_free (r);

  /* The query is part of what is signed. */
  r = request (session, f->url, "GET", "/reviewer?state=new&limit=5", NULL, &reviewer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  intake_http_response_free (r);

  /* Each key's signature is checked as its own kind: swapped, refused. */
  r = request (session, f->url, "POST", "/reviewer", body, &device, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 401);
  intake_http_response_free (r);
  r = request (session, f->url, "POST", "/device", body, &reviewer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 401);
  intake_http_response_free (r);

  /* An old timestamp is signed as given; the server refuses it. */
  device.now -= 3600;
  r = request (session, f->url, "POST", "/device", body, &device, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 401);
  intake_http_response_free (r);
}

static void
test_transport_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *closed_url = NULL;

  /* A port nobody listens on: the one the fixture's server had, after it stopped. */
  closed_url = g_strdup (f->url);
  soup_server_disconnect (f->server);
  g_assert_null (request (session, closed_url, "GET", "/json", NULL, NULL, &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_null (request (session, "not a url", "GET", "/json", NULL, NULL, &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_INVALID_URL);
  g_clear_error (&error);

  /* Cancellation stays cancellation. */
  {
    Wait wait = { g_main_loop_new (NULL, FALSE), NULL, NULL };

    g_cancellable_cancel (cancellable);
    intake_http_request_async (session, closed_url, "GET", "/json", NULL, NULL, cancellable, done_cb, &wait);
    g_main_loop_run (wait.loop);
    g_main_loop_unref (wait.loop);
    g_assert_null (wait.response);
    g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&wait.error);
  }

  /* A CA file that does not exist or is not PEM: said so. */
  g_assert_null (intake_http_session_new ("intake-test", 10, "/nonexistent/ca.pem", &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  g_clear_error (&error);
}

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *script = g_strdup_printf ("cd '%s' && %s", dir, command);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autofree char *err = NULL;

  if (intake_test_run (argv, NULL, NULL, &err) != 0)
    g_error ("openssl failed: %s: %s", command, err);
}

/* An untrusted certificate is a trust failure, not "cannot be reached";
 * with the CA file the same server is reached. */
static void
test_tls (void)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *cert = g_build_filename (dir, "server.crt", NULL);
  g_autofree char *key = g_build_filename (dir, "server.key", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SoupSession) untrusting = new_session ();
  g_autoptr(SoupSession) trusting = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };
  IntakeHttpResponse *r;

  run_openssl (dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-keyout server.key -out server.crt -days 2 -subj '/CN=127.0.0.1' "
                    "-addext subjectAltName=IP:127.0.0.1 2>/dev/null");
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, handler_cb, &f, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  g_assert_null (request (untrusting, url, "GET", "/json", NULL, NULL, &error));
  g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_TLS);
  g_clear_error (&error);

  trusting = intake_http_session_new ("intake-test", 10, cert, &error);
  g_assert_no_error (error);
  r = request (trusting, url, "GET", "/json", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->status, ==, 200);
  intake_http_response_free (r);

  soup_server_disconnect (server);
  intake_test_rm_rf (dir);
}

static void
test_server_url (void)
{
  const char *good[] = { "https://intake.example.org", "https://10.0.0.5:8443/prefix",
                         "http://127.0.0.1:8080", "http://localhost", "http://[::1]:80" };
  const char *bad[] = { "http://intake.example.org", "http://10.0.0.5", "ftp://127.0.0.1",
                        "intake.example.org", "", "https://" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (intake_http_check_server_url (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (intake_http_check_server_url (bad[i], &error));
      g_assert_error (error, INTAKE_HTTP_ERROR, INTAKE_HTTP_ERROR_INVALID_URL);
      g_clear_error (&error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/http/answers", Fixture, NULL, fixture_set_up, test_answers, fixture_tear_down);
  g_test_add ("/http/response-size-limit", Fixture, NULL, fixture_set_up, test_limits, fixture_tear_down);
  g_test_add ("/http/signed-requests", Fixture, NULL, fixture_set_up, test_signed, fixture_tear_down);
  g_test_add ("/http/transport-errors", Fixture, NULL, fixture_set_up, test_transport_errors, fixture_tear_down);
  g_test_add_func ("/http/tls-trust-failure", test_tls);
  g_test_add_func ("/http/server-url", test_server_url);

  return g_test_run ();
}

/* test-server-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-server-util.h"
#include "intake-test-util.h"
#include "test-server-util.h"

gboolean
test_server_use_postgres (void)
{
  const char *conninfo = g_getenv ("INTAKE_TEST_POSTGRES");

  return conninfo != NULL && *conninfo != '\0';
}

const char *
test_server_admin_path (void)
{
  const char *path = g_getenv ("INTAKE_ADMIN");

  g_assert_nonnull (path);
  return path;
}

const char *
test_server_binary_path (void)
{
  const char *path = g_getenv ("INTAKE_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* A new database in the throwaway cluster, so tests never see each
 * other's rows. */
static char *
create_database (void)
{
  const char *base = g_getenv ("INTAKE_TEST_POSTGRES");
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  guint8 random[8];
  PGconn *conn;
  PGresult *res;

  randombytes_buf (random, sizeof random);
  name = g_strdup_printf ("t_%016" G_GINT64_MODIFIER "x", *(guint64 *)random);
  sql = g_strdup_printf ("CREATE DATABASE %s", name);

  conn = PQconnectdb (base);
  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to the test cluster (%s): %s", base, PQerrorMessage (conn));
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("cannot create a test database: %s", PQerrorMessage (conn));
  PQclear (res);
  PQfinish (conn);

  /* libpq takes the last value of a repeated keyword. */
  return g_strdup_printf ("%s dbname=%s", base, name);
}

TestServer *
test_server_new (gboolean with_office_secret)
{
  TestServer *self = g_new0 (TestServer, 1);
  g_autoptr(IntakeOfficeSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_crypto_init (NULL));
  self->dir = intake_test_tmpdir_new ();
  self->office_dir = g_build_filename (self->dir, "office", NULL);
  self->office_pub = g_build_filename (self->office_dir, "office.pub", NULL);
  self->passphrase_file = g_build_filename (self->dir, "passphrase", NULL);
  self->log_path = g_build_filename (self->dir, "server.log", NULL);
  intake_test_write_file (self->passphrase_file, "correct horse battery staple\n");
  g_assert_cmpint (g_mkdir (self->office_dir, 0700), ==, 0);

  intake_office_generate (&self->office, &secret, &error);
  g_assert_no_error (error);
  intake_office_public_save (self->office, self->office_pub, &error);
  g_assert_no_error (error);
  if (with_office_secret)
    {
      g_autofree char *secret_path = g_build_filename (self->office_dir, "office.secret", NULL);
      g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_read_passphrase_file (self->passphrase_file, &error);

      g_assert_no_error (error);
      intake_office_secret_save (secret, secret_path, passphrase, &error);
      g_assert_no_error (error);
    }

  if (test_server_use_postgres ())
    {
      self->conninfo = create_database ();
      self->server_key = g_build_filename (self->dir, "server.secret", NULL);
    }
  else
    self->data_dir = g_build_filename (self->dir, "data", NULL);

  self->session = soup_session_new_with_options ("timeout", 60, NULL);
  return self;
}

TestServer *
test_server_new_instance (TestServer *first)
{
  TestServer *self = g_new0 (TestServer, 1);

  /* The same directory, office key, store and server key; its own log. */
  self->shared = TRUE;
  self->dir = g_strdup (first->dir);
  self->office_dir = g_strdup (first->office_dir);
  self->office_pub = g_strdup (first->office_pub);
  self->passphrase_file = g_strdup (first->passphrase_file);
  self->office = intake_office_public_copy (first->office);
  self->data_dir = g_strdup (first->data_dir);
  self->conninfo = g_strdup (first->conninfo);
  self->server_key = g_strdup (first->server_key);
  self->log_path = g_build_filename (first->dir, "server-2.log", NULL);
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
  return self;
}

void
test_server_free (TestServer *self)
{
  if (self == NULL)
    return;
  if (self->proc != NULL)
    test_server_kill (self);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->office, intake_office_public_free);
  if (!self->shared)
    intake_test_rm_rf (self->dir);
  g_free (self->dir);
  g_free (self->office_dir);
  g_free (self->office_pub);
  g_free (self->passphrase_file);
  g_free (self->data_dir);
  g_free (self->conninfo);
  g_free (self->server_key);
  g_free (self->log_path);
  g_free (self->url);
  g_free (self);
}

void
test_server_add_store_args (TestServer *self,
                            GPtrArray  *argv)
{
  if (self->conninfo != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--postgres"));
      g_ptr_array_add (argv, g_strdup (self->conninfo));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup ("--data"));
      g_ptr_array_add (argv, g_strdup (self->data_dir));
    }
}

IntakeStore *
test_server_open_store (TestServer *self)
{
  g_autoptr(GError) error = NULL;
  IntakeStore *store = intake_store_open_from_options (self->data_dir, self->conninfo, &error);

  g_assert_no_error (error);
  return store;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void
limit_files_cb (gpointer user_data)
{
  struct rlimit limit = { .rlim_cur = GPOINTER_TO_UINT (user_data), .rlim_max = GPOINTER_TO_UINT (user_data) };

  setrlimit (RLIMIT_NOFILE, &limit);
}

gboolean
test_server_start (TestServer         *self,
                   const char * const *extra_args,
                   int                *out_exit_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gboolean has_listen = FALSE;

  g_assert_null (self->proc);

  g_ptr_array_add (argv, g_strdup (test_server_binary_path ()));
  g_ptr_array_add (argv, g_strdup ("--office-public"));
  g_ptr_array_add (argv, g_strdup (self->office_pub));
  test_server_add_store_args (self, argv);
  if (self->server_key != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--server-key"));
      g_ptr_array_add (argv, g_strdup (self->server_key));
    }
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    {
      has_listen |= g_str_equal (extra_args[i], "--listen");
      g_ptr_array_add (argv, g_strdup (extra_args[i]));
    }
  if (!has_listen)
    {
      g_ptr_array_add (argv, g_strdup ("--listen"));
      g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
    }
  g_ptr_array_add (argv, NULL);

  /* The launcher appends: each start gets a fresh log. */
  intake_test_write_file (self->log_path, "");
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);
  if (self->rlimit_nofile != 0)
    g_subprocess_launcher_set_child_setup (launcher, limit_files_cb, GUINT_TO_POINTER (self->rlimit_nofile), NULL);
  self->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      g_subprocess_wait (self->proc, NULL, &error);
      g_assert_no_error (error);
      if (out_exit_status != NULL)
        *out_exit_status = g_subprocess_get_if_exited (self->proc) ? g_subprocess_get_exit_status (self->proc)
                                                                   : 128 + g_subprocess_get_term_sig (self->proc);
      g_clear_object (&self->proc);
      return FALSE;
    }
  g_assert_true (g_str_has_prefix (line, "listening on "));
  g_free (self->url);
  self->url = g_strdup (line + strlen ("listening on "));
  return TRUE;
}

void
test_server_kill (TestServer *self)
{
  g_autoptr(GError) error = NULL;

  if (self->proc == NULL)
    return;
  g_subprocess_force_exit (self->proc);
  g_subprocess_wait (self->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&self->proc);
}

void
test_server_stop (TestServer *self)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (self->proc);
  g_subprocess_send_signal (self->proc, SIGTERM);
  g_subprocess_wait (self->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (self->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (self->proc), ==, 0);
  g_clear_object (&self->proc);
}

char *
test_server_read_log (TestServer *self)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (self->log_path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

guint64
test_server_rss_kib (TestServer *self)
{
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;

  g_assert_nonnull (self->proc);
  path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (self->proc));
  g_file_get_contents (path, &status, NULL, &error);
  g_assert_no_error (error);
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

SoupSession *
test_server_new_session (TestServer *self)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 60, NULL);

  if (self->tls_database != NULL)
    g_object_set (session, "tls-database", self->tls_database, NULL);
  return session;
}

gint64
test_server_metric (TestServer *self,
                    const char *name)
{
  g_autoptr(SoupSession) session = test_server_new_session (self);
  g_autofree char *url = g_strconcat (self->url, "/metrics", NULL);
  g_autoptr(TestResponse) response = test_http (session, "GET", url, NULL, NULL);

  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, 200);
  return intake_test_metric_value (response->body, name);
}

int
test_admin (TestServer         *self,
            const char * const *args,
            guint               n_before,
            char              **out_stdout,
            char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, g_strdup (test_server_admin_path ()));
  for (guint i = 0; i < n_before; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  test_server_add_store_args (self, argv);
  for (guint i = n_before; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  status = intake_test_run ((const char * const *)argv->pdata, NULL, out_stdout, &err);
  if (status != 0 && status != 2)
    {
      g_assert_true (g_str_has_prefix (err, "intake-admin: "));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    }
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return status;
}

char *
test_server_new_code (TestServer *self,
                      const char *location)
{
  const char *args[] = { "enroll-code", "--location", location, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_cmpint (test_admin (self, args, 1, &out, NULL), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (strlen (lines[n - 1]), ==, 19);
  return g_strdup (lines[n - 1]);
}

typedef struct {
  gboolean done;
  GBytes  *body;
  GError  *error;
} Pending;

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *pending = user_data;

  pending->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &pending->error);
  pending->done = TRUE;
}

TestResponse *
test_send (SoupSession *session,
           SoupMessage *msg)
{
  TestResponse *response = g_new0 (TestResponse, 1);
  Pending pending = { 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, send_cb, &pending);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);

  if (pending.error != NULL)
    {
      response->error = pending.error;
      return response;
    }
  response->status = soup_message_get_status (msg);
  response->body = pending.body;
  if (g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, g_bytes_get_data (response->body, NULL),
                                      (gssize)g_bytes_get_size (response->body), NULL))
        response->json = json_node_copy (json_parser_get_root (parser));
    }
  return response;
}

static SoupMessage *
message_new (const char              *method,
             const char              *url,
             GBytes                  *body,
             const IntakeRequestAuth *auth)
{
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (auth != NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_replace (headers, INTAKE_HEADER_DEVICE, auth->device_id);
      soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth->timestamp);
      soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth->nonce);
      soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth->signature);
    }
  return msg;
}

SoupMessage *
test_message_copy_to (SoupMessage *msg,
                      TestServer  *server,
                      GBytes      *body)
{
  GUri *uri = soup_message_get_uri (msg);
  g_autofree char *url = g_strconcat (server->url, g_uri_get_path (uri),
                                      g_uri_get_query (uri) != NULL ? "?" : "",
                                      g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "", NULL);
  SoupMessage *copy = message_new (soup_message_get_method (msg), url, body, NULL);
  SoupMessageHeaders *from = soup_message_get_request_headers (msg);
  SoupMessageHeaders *to = soup_message_get_request_headers (copy);
  const char *names[] = { INTAKE_HEADER_DEVICE, "Intake-Reviewer", INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE,
                          INTAKE_HEADER_SIGNATURE };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (soup_message_headers_get_one (from, names[i]) != NULL)
      soup_message_headers_replace (to, names[i], soup_message_headers_get_one (from, names[i]));
  return copy;
}

TestResponse *
test_http (SoupSession             *session,
           const char              *method,
           const char              *url,
           GBytes                  *body,
           const IntakeRequestAuth *auth)
{
  g_autoptr(SoupMessage) msg = message_new (method, url, body, auth);

  return test_send (session, msg);
}

void
test_response_free (TestResponse *response)
{
  if (response == NULL)
    return;
  g_clear_error (&response->error);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

const char *
test_response_error_code (TestResponse *response)
{
  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (response->json), "error", NULL);
}

TestKiosk *
test_kiosk_new (void)
{
  TestKiosk *kiosk = g_new0 (TestKiosk, 1);
  g_autoptr(GError) error = NULL;

  kiosk->key = intake_device_key_generate (&error);
  g_assert_no_error (error);
  kiosk->device_id = intake_device_key_dup_id_hex (kiosk->key);
  return kiosk;
}

void
test_kiosk_free (TestKiosk *kiosk)
{
  if (kiosk == NULL)
    return;
  intake_device_key_free (kiosk->key);
  g_free (kiosk->device_id);
  g_free (kiosk->location);
  g_free (kiosk);
}

TestResponse *
test_kiosk_enroll (TestKiosk  *kiosk,
                   TestServer *server,
                   const char *code)
{
  return test_kiosk_enroll_as (kiosk, server, code, kiosk->key);
}

TestResponse *
test_kiosk_enroll_as (TestKiosk             *kiosk,
                      TestServer            *server,
                      const char            *code,
                      const IntakeDeviceKey *signer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pk_b64 = NULL;
  g_autofree char *url = g_strconcat (server->url, "/v1/enroll", NULL);
  g_autoptr(GBytes) body = NULL;
  IntakeDevicePublic pub;
  TestResponse *response;
  char *text;
  gsize len;

  intake_device_key_get_public (kiosk->key, &pub);
  pk_b64 = g_base64_encode (pub.sign_pk, sizeof pub.sign_pk);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "device_sign_pk");
  json_builder_add_string_value (builder, pk_b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  body = g_bytes_new_take (text, len);

  /* Signed with @signer under the context "enroll"; the device header names
   * the key in the body (a signer other than @kiosk's key is a forgery). */
  if (signer != NULL)
    {
      IntakeRequestAuth auth;
      g_autofree char *device_id = intake_device_key_dup_id_hex (kiosk->key);

      intake_protocol_sign_request_with (signer, device_id, INTAKE_PROTOCOL_ENROLL_CONTEXT, "POST", "/v1/enroll",
                                         body, g_get_real_time () / G_USEC_PER_SEC, &auth);
      response = test_http (server->session, "POST", url, body, &auth);
      intake_request_auth_clear (&auth);
    }
  else
    response = test_http (server->session, "POST", url, body, NULL);
  if (response->status == 200)
    {
      JsonObject *object = json_node_get_object (response->json);
      g_autofree guint8 *server_pk = NULL;
      gsize server_pk_len = 0;

      server_pk = g_base64_decode (json_object_get_string_member (object, "server_public"), &server_pk_len);
      g_assert_cmpuint (server_pk_len, ==, INTAKE_SIGN_PUBLIC_BYTES);
      memcpy (kiosk->server_pk, server_pk, INTAKE_SIGN_PUBLIC_BYTES);
      g_free (kiosk->location);
      kiosk->location = g_strdup (json_object_get_string_member (object, "location"));
    }
  return response;
}

TestKiosk *
test_kiosk_new_enrolled (TestServer *server)
{
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autofree char *code = test_server_new_code (server, "Vaals");
  g_autoptr(TestResponse) response = test_kiosk_enroll (kiosk, server, code);

  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, 200);
  return g_steal_pointer (&kiosk);
}

GBytes *
test_kiosk_seal (TestKiosk                *kiosk,
                 const IntakeOfficePublic *office)
{
  static const char answers[] = "{\"answers\":{\"name\":\"Resident Canary-7\"},\"format\":1}";
  IntakeEnvelopeInfo info = {
    .created_at = g_get_real_time () / G_USEC_PER_SEC,
    .questionnaire_id = "intake-test",
    .questionnaire_version = 1,
  };
  g_autoptr(GError) error = NULL;
  GBytes *envelope;

  intake_envelope_new_submission_id (info.submission_id);
  envelope = intake_envelope_seal (office, kiosk->key, &info, (const guint8 *)answers, strlen (answers), &error);
  g_assert_no_error (error);
  return envelope;
}

GBytes *
test_upload_body (GPtrArray *envelopes)
{
  GString *text = g_string_new ("{\"envelopes\":[");

  for (guint i = 0; i < envelopes->len; i++)
    {
      GBytes *envelope = g_ptr_array_index (envelopes, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

      g_string_append_printf (text, "%s\"%s\"", i > 0 ? "," : "", b64);
    }
  g_string_append (text, "]}");
  return g_string_free_to_bytes (text);
}

SoupMessage *
test_kiosk_message_new (TestKiosk  *kiosk,
                        TestServer *server,
                        const char *method,
                        const char *path,
                        GBytes     *body,
                        gint64      skew)
{
  g_autofree char *url = g_strconcat (server->url, path, NULL);
  IntakeRequestAuth auth;
  SoupMessage *msg;

  intake_protocol_sign_request (kiosk->key, method, path, body,
                                g_get_real_time () / G_USEC_PER_SEC + skew, &auth);
  msg = message_new (method, url, body, &auth);
  intake_request_auth_clear (&auth);
  return msg;
}

TestResponse *
test_kiosk_request (TestKiosk  *kiosk,
                    TestServer *server,
                    const char *method,
                    const char *path,
                    GBytes     *body,
                    gint64      skew)
{
  g_autoptr(SoupMessage) msg = test_kiosk_message_new (kiosk, server, method, path, body, skew);

  return test_send (server->session, msg);
}

TestResponse *
test_kiosk_upload (TestKiosk  *kiosk,
                   TestServer *server,
                   GPtrArray  *envelopes)
{
  g_autoptr(GBytes) body = test_upload_body (envelopes);

  return test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, 0);
}

GArray *
test_verify_receipt (TestKiosk    *kiosk,
                     TestResponse *response)
{
  JsonObject *object;
  g_autofree guint8 *receipt = NULL;
  g_autofree guint8 *signature = NULL;
  g_autoptr(GBytes) receipt_bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize receipt_len = 0, signature_len = 0;
  GArray *items;

  g_assert_cmpuint (response->status, ==, 200);
  object = json_node_get_object (response->json);
  receipt = g_base64_decode (json_object_get_string_member (object, "receipt"), &receipt_len);
  signature = g_base64_decode (json_object_get_string_member (object, "receipt_signature"), &signature_len);
  g_assert_cmpuint (signature_len, ==, INTAKE_SIGNATURE_BYTES);
  receipt_bytes = g_bytes_new (receipt, receipt_len);
  items = intake_receipt_verify (receipt_bytes, signature, kiosk->server_pk, kiosk->device_id, &error);
  g_assert_no_error (error);
  return items;
}

char *
test_reviewer_add (TestServer         *server,
                   const char         *name,
                   const char         *roles,
                   const char * const *extra_args)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_ptr_array_add (args, (char *) "reviewer");
  g_ptr_array_add (args, (char *) (roles != NULL ? "add" : "reset"));
  g_ptr_array_add (args, (char *) "--office");
  g_ptr_array_add (args, server->office_dir);
  g_ptr_array_add (args, (char *) "--passphrase-file");
  g_ptr_array_add (args, server->passphrase_file);
  g_ptr_array_add (args, (char *) "--name");
  g_ptr_array_add (args, (char *) name);
  if (roles != NULL)
    {
      g_ptr_array_add (args, (char *) "--roles");
      g_ptr_array_add (args, (char *) roles);
    }
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra_args[i]);
  g_ptr_array_add (args, NULL);
  if (test_admin (server, (const char * const *) args->pdata, 2, &out, &err) != 0)
    g_error ("reviewer add %s: %s", name, err);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  /* The code is the last line: six groups of four. */
  g_assert_cmpuint (strlen (lines[n - 1]), ==, 29);
  return g_strdup (lines[n - 1]);
}

char *
test_reviewer_activate (TestServer *server,
                        const char *name,
                        const char *code,
                        const char *passphrase_file,
                        const char *workstation_key,
                        int        *out_status)
{
  /* Without @workstation_key, the last two are left off: the store (keyring or data directory). */
  const char *argv[] = { test_server_admin_path (), "reviewer", "activate", "--server", server->url, "--name", name,
                         "--code", code, "--passphrase-file", passphrase_file,
                         workstation_key != NULL ? "--workstation-key" : NULL, workstation_key, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = intake_test_run (argv, NULL, &out, &err);

  if (out_status != NULL)
    *out_status = status;
  else if (status != 0)
    g_error ("reviewer activate %s: %s", name, err);
  return status == 0 ? g_steal_pointer (&out) : g_steal_pointer (&err);
}

static GBytes *
response_b64 (TestResponse *response,
              const char   *member)
{
  gsize len = 0;
  guchar *data;

  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  data = g_base64_decode (json_object_get_string_member (json_node_get_object (response->json), member), &len);
  return g_bytes_new_take (data, len);
}

IntakeReviewerKey *
test_reviewer_unlock (TestServer *server,
                      const char *name,
                      const char *passphrase,
                      const char *workstation_key_path)
{
  g_autofree char *url = NULL;
  g_autofree char *start_body = g_strdup_printf ("{\"name\": \"%s\"}", name);
  g_autoptr(GBytes) start_bytes = g_bytes_new (start_body, strlen (start_body));
  g_autoptr(TestResponse) start = NULL;
  g_autoptr(TestResponse) finish = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(IntakeSecureBuffer) secret = intake_secure_buffer_new_copy (passphrase, strlen (passphrase));
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autoptr(GBytes) message_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *challenge_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  g_autofree char *finish_body = NULL;
  g_autoptr(GBytes) finish_bytes = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  JsonObject *object;
  IntakeReviewerKey *key;

  url = g_strconcat (server->url, "/v1/review/unlock/start", NULL);
  start = test_http (server->session, "POST", url, start_bytes, NULL);
  g_assert_cmpuint (start->status, ==, 200);
  object = json_node_get_object (start->json);
  challenge = response_b64 (start, "challenge");
  salt = response_b64 (start, "salt");
  workstation = intake_workstation_key_load (workstation_key_path, &error);
  g_assert_no_error (error);
  credentials = intake_credentials_new_reviewer (secret, workstation, g_bytes_get_data (salt, NULL),
                                                 json_object_get_int_member (object, "opslimit"),
                                                 json_object_get_int_member (object, "memlimit"), &error);
  g_assert_no_error (error);
  g_byte_array_append (message, g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  g_byte_array_append (message, (const guint8 *)name, strlen (name));
  message_bytes = g_bytes_new (message->data, message->len);
  intake_credentials_sign (credentials, "review-unlock", message_bytes, signature);

  challenge_b64 = g_base64_encode (g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  signature_b64 = g_base64_encode (signature, sizeof signature);
  finish_body = g_strdup_printf ("{\"name\": \"%s\", \"challenge\": \"%s\", \"signature\": \"%s\"}",
                                 name, challenge_b64, signature_b64);
  finish_bytes = g_bytes_new (finish_body, strlen (finish_body));
  g_free (url);
  url = g_strconcat (server->url, "/v1/review/unlock/finish", NULL);
  finish = test_http (server->session, "POST", url, finish_bytes, NULL);
  g_assert_cmpuint (finish->status, ==, 200);
  blob = response_b64 (finish, "blob");
  key = intake_reviewer_key_open (blob, credentials, &error);
  g_assert_no_error (error);
  return key;
}


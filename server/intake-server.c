/* intake-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer on the default main context. Every handler runs to the
 * end synchronously (the store's calls are short, and a PostgreSQL store
 * cancels a statement that waits longer than its statement timeout), so
 * there is no request state beyond the per-message IntakeRequestLog that
 * the request-finished handler turns into a log line and metrics.
 *
 * The server never decrypts: it checks structure, signatures, device
 * status and the office key id, stores bytes, and signs receipts. This
 * file is the object, dispatch, logging, body limits, health and metrics;
 * the routes are in intake-server-kiosk.c and intake-server-review.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-server-private.h"

#define REQUEST_LOG_KEY "intake-request-log"

/* Seconds. */
static const double duration_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
G_STATIC_ASSERT (G_N_ELEMENTS (duration_buckets) == INTAKE_SERVER_N_DURATION_BUCKETS);

static const char * const route_paths[INTAKE_SERVER_N_ROUTES] = {
  [INTAKE_SERVER_ROUTE_OTHER] = "other",
  [INTAKE_SERVER_ROUTE_HEALTHZ] = "/healthz",
  [INTAKE_SERVER_ROUTE_METRICS] = "/metrics",
  [INTAKE_SERVER_ROUTE_ENROLL] = "/v1/enroll",
  [INTAKE_SERVER_ROUTE_ENVELOPES] = "/v1/envelopes",
  [INTAKE_SERVER_ROUTE_QUESTIONNAIRE] = "/v1/questionnaire",
  [INTAKE_SERVER_ROUTE_HELP_REQUESTS] = "/v1/help-requests",
  [INTAKE_SERVER_ROUTE_REVIEW] = "/v1/review",            /* every /v1/review/... path */
};

G_DEFINE_FINAL_TYPE (IntakeServer, intake_server, G_TYPE_OBJECT)

void
intake_server_log (const char *level,
                   const char *msg,
                   const char *fields)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");

  fprintf (stderr, "ts=%s.%03dZ level=%s msg=%s%s%s\n", ts, g_date_time_get_microsecond (now) / 1000,
           level, msg, fields != NULL && *fields != '\0' ? " " : "", fields != NULL ? fields : "");
  fflush (stderr);
}

static void
request_log_free (IntakeRequestLog *log)
{
  g_free (log->path);
  g_free (log);
}

IntakeRequestLog *
intake_server_request_log (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_LOG_KEY);
}

void
intake_server_respond_json (SoupServerMessage *msg,
                            guint              status,
                            JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

void
intake_server_respond_error (SoupServerMessage *msg,
                             guint              status,
                             const char        *code,
                             const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  IntakeRequestLog *log = intake_server_request_log (msg);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  intake_server_respond_json (msg, status, root);
  if (log != NULL)
    log->error = code;
}

void
intake_server_store_unavailable (SoupServerMessage *msg,
                                 const GError      *error)
{
  g_autofree char *detail = g_strdelimit (g_strdup (error->message), "\"\n", '\'');
  g_autofree char *fields = g_strdup_printf ("error=store_unavailable detail=\"%s\"", detail);

  intake_server_log ("error", "store", fields);
  intake_server_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "store_unavailable",
                               "the store cannot be reached right now; retry later");
}

void
intake_server_respond_builder (SoupServerMessage *msg,
                               guint              status,
                               JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  intake_server_respond_json (msg, status, root);
}

GBytes *
intake_server_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

JsonObject *
intake_server_parse_json_object (GBytes      *body,
                                 JsonParser  *parser)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || !g_utf8_validate (data, (gssize)len, NULL) ||
      !intake_json_parse_untrusted (parser, data, len, INTAKE_JSON_MAX_DEPTH, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

gint64
intake_server_now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

int
intake_server_compare_strings (gconstpointer a,
                               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

const char *
intake_server_route_path (IntakeServerRoute route)
{
  g_assert (route < INTAKE_SERVER_N_ROUTES);
  return route_paths[route];
}

/* Body limit, enforced while reading: a declared Content-Length over the
 * limit is refused before any of the body is kept, and a chunked body is
 * counted as it arrives and dropped once it passes the limit. The rest is
 * read and discarded (so the client sees our answer) and the connection
 * closed. */
static void
refuse_body (SoupServerMessage *msg,
             IntakeRequestLog  *log)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  log->too_large = TRUE;
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  intake_server_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                               "the request body is over the 8 MiB limit; send fewer envelopes per request");
}

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  IntakeRequestLog *log = intake_server_request_log (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > INTAKE_PROTOCOL_MAX_BODY)
    refuse_body (msg, log);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  IntakeRequestLog *log = intake_server_request_log (msg);

  log->body_seen += g_bytes_get_size (chunk);
  if (!log->too_large && log->body_seen > INTAKE_PROTOCOL_MAX_BODY)
    refuse_body (msg, log);
  /* Draining a refused body is bounded too: past twice the limit, hang up. */
  if (log->too_large && log->body_seen > 2 * (gsize)INTAKE_PROTOCOL_MAX_BODY)
    {
      GSocket *socket = soup_server_message_get_socket (msg);

      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
}

static char *
sanitize_path (const char *path)
{
  GString *out = g_string_new (NULL);

  /* Review paths carry submission ids, which the log never shows. */
  if (g_str_has_prefix (path, "/v1/review/submissions/"))
    {
      const char *rest = path + strlen ("/v1/review/submissions/");
      const char *slash = strchr (rest, '/');

      g_string_append (out, "/v1/review/submissions/:id");
      path = slash != NULL ? slash : "";
    }
  for (const char *p = path; *p != '\0' && out->len < 96; p++)
    g_string_append_c (out, g_ascii_isgraph (*p) && *p != '"' && *p != '\\' ? *p : '?');
  return g_string_free (out, FALSE);
}

static IntakeServerRoute
route_for_path (const char *path)
{
  for (guint i = 1; i < INTAKE_SERVER_N_ROUTES; i++)
    if (g_str_equal (path, route_paths[i]))
      return i;
  if (g_str_has_prefix (path, "/v1/review/"))
    return INTAKE_SERVER_ROUTE_REVIEW;
  return INTAKE_SERVER_ROUTE_OTHER;
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  IntakeRequestLog *log = g_new0 (IntakeRequestLog, 1);

  log->started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), REQUEST_LOG_KEY, log, (GDestroyNotify)request_log_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), NULL);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  IntakeServer *self = user_data;
  IntakeRequestLog *log = intake_server_request_log (msg);
  g_autoptr(GString) fields = g_string_new (NULL);
  g_autofree char *key = NULL;
  guint status = soup_server_message_get_status (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  double seconds;
  guint64 *count;

  if (log == NULL)
    return;

  if (log->path == NULL)
    {
      log->path = sanitize_path (uri != NULL ? g_uri_get_path (uri) : "?");
      log->route = route_for_path (log->path);
    }
  seconds = (g_get_monotonic_time () - log->started) / 1e6;

  key = g_strdup_printf ("%s\t%u", route_paths[log->route], status);
  if (!(count = g_hash_table_lookup (self->requests, key)))
    {
      count = g_new0 (guint64, 1);
      g_hash_table_insert (self->requests, g_strdup (key), count);
    }
  (*count)++;
  for (guint i = 0; i < INTAKE_SERVER_N_DURATION_BUCKETS; i++)
    if (seconds <= duration_buckets[i])
      self->duration_bucket[i]++;
  self->duration_count++;
  self->duration_sum += seconds;

  g_string_append_printf (fields, "method=%s path=%s status=%u",
                          soup_server_message_get_method (msg), log->path, status);
  if (log->device_id[0] != '\0')
    g_string_append_printf (fields, " device=%s", log->device_id);
  if (log->reviewer_id[0] != '\0')
    g_string_append_printf (fields, " reviewer=%s", log->reviewer_id);
  if (log->route == INTAKE_SERVER_ROUTE_ENVELOPES && log->error == NULL)
    g_string_append_printf (fields, " stored=%u duplicate=%u conflict=%u rejected=%u",
                            log->counts[INTAKE_ACCEPT_STORED], log->counts[INTAKE_ACCEPT_DUPLICATE],
                            log->counts[INTAKE_ACCEPT_CONFLICT], log->counts[INTAKE_ACCEPT_REJECTED]);
  if (log->error != NULL)
    g_string_append_printf (fields, " error=%s", log->error);
  g_string_append_printf (fields, " duration_ms=%.1f", seconds * 1000);
  intake_server_log (status >= 500 ? "error" : status >= 400 ? "warning" : "info", "request", fields->str);
}

static void
handle_healthz (IntakeServer      *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = intake_store_check_health (self->store, &error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, ok ? "ok" : "unavailable");
  if (!ok)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, "store_unavailable");
      intake_server_request_log (msg)->error = "store_unavailable";
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  intake_server_respond_json (msg, ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, root);
}

static void
handle_metrics (IntakeServer      *self,
                SoupServerMessage *msg)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  IntakeStoreCounts counts;
  gboolean have_counts;
  GHashTableIter iter;
  gpointer key;
  guint64 cumulative = 0;

  have_counts = intake_store_get_counts (self->store, &counts, NULL);

  g_string_append (out,
                   "# HELP intake_envelopes_stored_total Envelopes newly stored by this process.\n"
                   "# TYPE intake_envelopes_stored_total counter\n");
  g_string_append_printf (out, "intake_envelopes_stored_total %" G_GUINT64_FORMAT "\n",
                          self->envelopes[INTAKE_ACCEPT_STORED]);
  g_string_append (out,
                   "# HELP intake_envelopes_duplicate_total Envelopes offered again with identical bytes.\n"
                   "# TYPE intake_envelopes_duplicate_total counter\n");
  g_string_append_printf (out, "intake_envelopes_duplicate_total %" G_GUINT64_FORMAT "\n",
                          self->envelopes[INTAKE_ACCEPT_DUPLICATE]);
  g_string_append (out,
                   "# HELP intake_envelopes_conflict_total Envelopes refused: known submission id, other bytes.\n"
                   "# TYPE intake_envelopes_conflict_total counter\n");
  g_string_append_printf (out, "intake_envelopes_conflict_total %" G_GUINT64_FORMAT "\n",
                          self->envelopes[INTAKE_ACCEPT_CONFLICT]);
  g_string_append (out,
                   "# HELP intake_envelopes_rejected_total Envelopes refused by the checks, by reason.\n"
                   "# TYPE intake_envelopes_rejected_total counter\n");
  for (guint i = INTAKE_REJECT_MALFORMED; i < INTAKE_REJECT_N_REASONS; i++)
    g_string_append_printf (out, "intake_envelopes_rejected_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            intake_reject_reason_to_string (i), self->rejected[i]);

  g_string_append (out,
                   "# HELP intake_requests_total HTTP requests answered, by path and status.\n"
                   "# TYPE intake_requests_total counter\n");
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, intake_server_compare_strings);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);
      const char *tab = strchr (k, '\t');
      guint64 *count = g_hash_table_lookup (self->requests, k);

      g_string_append_printf (out, "intake_requests_total{path=\"%.*s\",status=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              (int)(tab - k), k, tab + 1, *count);
    }

  g_string_append (out,
                   "# HELP intake_request_duration_seconds Time from request start to answer.\n"
                   "# TYPE intake_request_duration_seconds histogram\n");
  for (guint i = 0; i < INTAKE_SERVER_N_DURATION_BUCKETS; i++)
    {
      char le[G_ASCII_DTOSTR_BUF_SIZE];

      cumulative = self->duration_bucket[i];
      g_ascii_formatd (le, sizeof le, "%g", duration_buckets[i]);
      g_string_append_printf (out, "intake_request_duration_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              le, cumulative);
    }
  {
    char sum[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_formatd (sum, sizeof sum, "%.6f", self->duration_sum);
    g_string_append_printf (out, "intake_request_duration_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n"
                                 "intake_request_duration_seconds_sum %s\n"
                                 "intake_request_duration_seconds_count %" G_GUINT64_FORMAT "\n",
                            self->duration_count, sum, self->duration_count);
  }

  g_string_append (out,
                   "# HELP intake_devices Enrolled devices in the store, by status.\n"
                   "# TYPE intake_devices gauge\n");
  if (have_counts)
    g_string_append_printf (out,
                            "intake_devices{status=\"active\"} %" G_GINT64_FORMAT "\n"
                            "intake_devices{status=\"revoked\"} %" G_GINT64_FORMAT "\n",
                            counts.devices_active, counts.devices_revoked);
  g_string_append (out,
                   "# HELP intake_store_up Whether the store answered this scrape.\n"
                   "# TYPE intake_store_up gauge\n");
  g_string_append_printf (out, "intake_store_up %d\n", have_counts ? 1 : 0);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_TAKE,
                                    out->str, out->len);
  g_string_free (out, FALSE);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  IntakeServer *self = user_data;
  IntakeRequestLog *log = intake_server_request_log (msg);
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = method == SOUP_METHOD_GET;
  gboolean is_post = method == SOUP_METHOD_POST;

  log->path = sanitize_path (path);
  log->route = route_for_path (path);

  if (log->too_large)
    {
      intake_server_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                                   "the request body is over the 8 MiB limit; send fewer envelopes per request");
      return;
    }

  switch (log->route)
    {
    case INTAKE_SERVER_ROUTE_HEALTHZ:
      if (is_get)
        return handle_healthz (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_METRICS:
      if (is_get)
        return handle_metrics (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_ENROLL:
      if (is_post)
        return intake_server_handle_enroll (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_ENVELOPES:
      if (is_post)
        return intake_server_handle_envelopes (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_QUESTIONNAIRE:
      if (is_get)
        return intake_server_handle_questionnaire (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_HELP_REQUESTS:
      if (is_post)
        return intake_server_handle_help_requests (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_REVIEW:
      return intake_server_handle_review (self, msg, path, query);
    case INTAKE_SERVER_ROUTE_OTHER:
    default:
      intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
      return;
    }
  intake_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                               "this endpoint does not take that method; see docs/protocol.md");
}

static void
intake_server_dispose (GObject *object)
{
  IntakeServer *self = INTAKE_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (intake_server_parent_class)->dispose (object);
}

static void
intake_server_finalize (GObject *object)
{
  IntakeServer *self = INTAKE_SERVER (object);

  g_clear_pointer (&self->office_blob, g_bytes_unref);
  g_clear_pointer (&self->server_key, intake_device_key_free);
  g_clear_pointer (&self->questionnaire, intake_signed_questionnaire_free);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->unlock_attempts, g_hash_table_unref);
  g_free (self->office_key_id);
  g_free (self->server_key_id);

  G_OBJECT_CLASS (intake_server_parent_class)->finalize (object);
}

static void
intake_server_class_init (IntakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_server_dispose;
  object_class->finalize = intake_server_finalize;
}

static void
intake_server_init (IntakeServer *self)
{
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unlock_attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify)g_array_unref);
}

IntakeServer *
intake_server_new (IntakeStore               *store,
                   const IntakeOfficePublic  *office,
                   IntakeDeviceKey           *server_key,
                   IntakeSignedQuestionnaire *questionnaire,
                   GTlsCertificate           *tls_certificate)
{
  IntakeServer *self;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);
  g_return_val_if_fail (office != NULL, NULL);
  g_return_val_if_fail (server_key != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_SERVER, NULL);
  self->store = g_object_ref (store);
  self->office_key_id = intake_office_public_dup_key_id_hex (office);
  self->office_blob = intake_office_public_to_bytes (office);
  self->server_key = server_key;
  intake_device_key_get_public (server_key, &self->server_public);
  self->server_key_id = intake_server_key_id_hex (self->server_public.sign_pk);
  self->questionnaire = questionnaire;
  self->tls = tls_certificate != NULL;

  self->soup = g_object_new (SOUP_TYPE_SERVER,
                             "server-header", "intake-server",
                             "tls-certificate", tls_certificate,
                             NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_finished_cb), self);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  return self;
}

char *
intake_server_listen (IntakeServer        *self,
                      GInetSocketAddress  *address,
                      GError             **error)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (INTAKE_IS_SERVER (self), NULL);

  if (!soup_server_listen (self->soup, G_SOCKET_ADDRESS (address),
                           self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return NULL;

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      const char *host = g_uri_get_host (uri);
      gboolean v6 = strchr (host, ':') != NULL;

      url = g_strdup_printf ("%s://%s%s%s:%d", g_uri_get_scheme (uri), v6 ? "[" : "", host, v6 ? "]" : "",
                             g_uri_get_port (uri));
    }
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return url;
}

void
intake_server_stop (IntakeServer *self)
{
  g_return_if_fail (INTAKE_IS_SERVER (self));

  soup_server_disconnect (self->soup);
}

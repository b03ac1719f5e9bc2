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

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-review-request.h"
#include "intake-server-private.h"
#include "intake-server-util.h"

#define REQUEST_LOG_KEY "intake-request-log"
/* Give memory back once this much body has come and gone. */
#define TRIM_AFTER_BYTES (1024 * 1024)
#define TRIM_DELAY_MS    200
/* How often expired request nonces are forgotten, in seconds. */
#define NONCE_PRUNE_INTERVAL 60

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
  [INTAKE_SERVER_ROUTE_OFFICE_KEYS] = "/v1/office-keys",
  [INTAKE_SERVER_ROUTE_CHECK_IN] = "/v1/check-in",
  [INTAKE_SERVER_ROUTE_REVIEW] = "/v1/review",            /* every /v1/review/... path */
};

G_DEFINE_FINAL_TYPE (IntakeServer, intake_server, G_TYPE_OBJECT)

static IntakeServerRoute route_for_path (const char *path);

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

gboolean
intake_server_use_nonce (IntakeServer      *self,
                         SoupServerMessage *msg,
                         const char        *signer,
                         const char        *nonce,
                         gint64             timestamp)
{
  g_autoptr(GError) error = NULL;
  gboolean fresh = FALSE;

  /* A nonce can only be replayed while its timestamp is inside the window. */
  if (!intake_store_use_nonce (self->store, signer, nonce, timestamp + INTAKE_PROTOCOL_TIMESTAMP_WINDOW,
                               &fresh, &error))
    {
      intake_server_store_unavailable (msg, error);
      return FALSE;
    }
  if (!fresh)
    {
      self->replayed++;
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "replayed_request",
                                   "this request (its nonce) was seen before; a request is accepted once. "
                                   "Send a new request with a new nonce");
      return FALSE;
    }
  return TRUE;
}

static gboolean
prune_nonces_cb (gpointer user_data)
{
  IntakeServer *self = user_data;
  g_autoptr(GError) error = NULL;
  guint removed = 0;

  if (!intake_store_prune_nonces (self->store, intake_server_now_seconds (), &removed, &error))
    {
      g_autofree char *detail = g_strdelimit (g_strdup (error->message), "\"\n", '\'');
      g_autofree char *fields = g_strdup_printf ("error=prune_nonces detail=\"%s\"", detail);

      intake_server_log ("warning", "store", fields);
    }
  else if (removed > 0)
    g_debug ("forgot %u expired request nonces", removed);
  return G_SOURCE_CONTINUE;
}

GBytes *
intake_server_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

JsonObject *
intake_server_parse_json_object (GBytes      *body,
                                 JsonParser  *parser,
                                 GError     **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (!intake_json_parse_untrusted (parser, data, len, INTAKE_JSON_MAX_DEPTH, error))
    {
      g_prefix_error (error, "the body is not strict JSON: ");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

const char *
intake_server_body_problem (const GError *error,
                            const char   *expected)
{
  return error != NULL ? error->message : expected;
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

/* Body limits (docs/protocol.md, "Limits"), enforced while reading, in
 * got-headers before any of a body is kept:
 *  - each endpoint has its limit: 4 KiB for enrollment, unlock and the
 *    unsigned ones, more for uploads, help requests and reviewers;
 *  - a body over 4 KiB (or of unknown length) is only read if its
 *    signature headers name an enrolled device or a reviewer (the
 *    signature itself covers the body, so it is checked at the end);
 *  - at most max_pending_bodies such bodies at once, and
 *    INTAKE_SERVER_BODIES_PER_SIGNER per device or reviewer;
 *  - a chunked body is counted as it arrives.
 * A refused body is read and dropped (so the client sees our answer, and
 * the connection closes after it) up to twice the protocol's limit; past
 * that the connection is closed. */
static gsize
body_limit (IntakeServerRoute  route,
            const char        *path)
{
  switch (route)
    {
    case INTAKE_SERVER_ROUTE_ENVELOPES:
      return INTAKE_PROTOCOL_MAX_BODY;
    case INTAKE_SERVER_ROUTE_HELP_REQUESTS:
      return INTAKE_SERVER_MAX_HELP_BODY;
    case INTAKE_SERVER_ROUTE_REVIEW:
      /* Unlock and activation are unsigned: anyone's size. */
      if (g_str_has_prefix (path, "/v1/review/unlock") || g_str_has_prefix (path, "/v1/review/activate"))
        return INTAKE_PROTOCOL_MAX_ANONYMOUS_BODY;
      return g_str_equal (path, "/v1/review/submissions/fetch") ? INTAKE_SERVER_MAX_FETCH_MANY_BODY
                                                                  : INTAKE_SERVER_MAX_REVIEW_BODY;
    case INTAKE_SERVER_ROUTE_OTHER:
    case INTAKE_SERVER_ROUTE_HEALTHZ:
    case INTAKE_SERVER_ROUTE_METRICS:
    case INTAKE_SERVER_ROUTE_ENROLL:
    case INTAKE_SERVER_ROUTE_QUESTIONNAIRE:
    case INTAKE_SERVER_ROUTE_OFFICE_KEYS:
    case INTAKE_SERVER_ROUTE_CHECK_IN:
    case INTAKE_SERVER_N_ROUTES:
    default:
      return INTAKE_PROTOCOL_MAX_ANONYMOUS_BODY;
    }
}

static char *
format_limit (gsize bytes)
{
  if (bytes % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " MiB", bytes / (1024 * 1024));
  return g_strdup_printf ("%" G_GSIZE_FORMAT " KiB", bytes / 1024);
}

static void
refuse_body (SoupServerMessage *msg,
             IntakeRequestLog  *log,
             guint              status,
             const char        *code,
             const char        *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  log->refused = TRUE;
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  /* No @code: the answer is already set. */
  if (code != NULL)
    intake_server_respond_error (msg, status, code, message);
}

static void
refuse_too_large (SoupServerMessage *msg,
                  IntakeRequestLog  *log)
{
  g_autofree char *limit = format_limit (log->body_limit);
  g_autofree char *message = NULL;

  if (log->route == INTAKE_SERVER_ROUTE_ENVELOPES)
    message = g_strdup_printf ("the request body is over the %s limit; send fewer envelopes per request", limit);
  else
    message = g_strdup_printf ("the request body is over this endpoint's limit of %s", limit);
  refuse_body (msg, log, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large", message);
}

/* Do the signature headers name an enrolled device (any status: an
 * unsigned probe must not learn which are revoked) or a reviewer? Only a
 * look-up; the signature is checked once the body is in. FALSE with
 * @error set when the store cannot say. */
static gboolean
signer_is_known (IntakeServer       *self,
                 SoupServerMessage  *msg,
                 IntakeServerRoute   route,
                 char                out_id[INTAKE_HEX_ID_LEN],
                 GError            **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = route == INTAKE_SERVER_ROUTE_REVIEW ? INTAKE_HEADER_REVIEWER : INTAKE_HEADER_DEVICE;
  const char *id = soup_message_headers_get_one (headers, header);
  guint8 raw[INTAKE_DEVICE_ID_BYTES];
  g_autoptr(GError) local_error = NULL;

  G_STATIC_ASSERT (INTAKE_DEVICE_ID_BYTES == INTAKE_REVIEWER_ID_BYTES);

  if (id == NULL || strlen (id) != 2 * sizeof raw || !intake_hex_decode (id, raw, sizeof raw) ||
      soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP) == NULL ||
      soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE) == NULL ||
      soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE) == NULL)
    return FALSE;

  if (route == INTAKE_SERVER_ROUTE_REVIEW)
    {
      g_autoptr(IntakeStoreReviewer) reviewer = intake_store_get_reviewer (self->store, id, NULL, &local_error);

      if (reviewer == NULL && !g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
      if (reviewer == NULL)
        return FALSE;
    }
  else
    {
      g_autoptr(IntakeStoreDevice) device = intake_store_get_device (self->store, id, &local_error);

      if (device == NULL && !g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
      if (device == NULL)
        return FALSE;
    }
  g_strlcpy (out_id, id, INTAKE_HEX_ID_LEN);
  return TRUE;
}

static gboolean
take_body_slot (IntakeServer     *self,
                IntakeRequestLog *log,
                const char       *signer)
{
  guint mine = GPOINTER_TO_UINT (g_hash_table_lookup (self->bodies_by_signer, signer));

  if (self->pending_bodies >= self->limits.max_pending_bodies || mine >= INTAKE_SERVER_BODIES_PER_SIGNER)
    return FALSE;
  self->pending_bodies++;
  g_hash_table_replace (self->bodies_by_signer, g_strdup (signer), GUINT_TO_POINTER (mine + 1));
  log->pending = TRUE;
  g_strlcpy (log->signer, signer, sizeof log->signer);
  return TRUE;
}

static void
release_body_slot (IntakeServer     *self,
                   IntakeRequestLog *log)
{
  guint mine;

  if (!log->pending)
    return;
  log->pending = FALSE;
  self->pending_bodies--;
  mine = GPOINTER_TO_UINT (g_hash_table_lookup (self->bodies_by_signer, log->signer));
  if (mine <= 1)
    g_hash_table_remove (self->bodies_by_signer, log->signer);
  else
    g_hash_table_replace (self->bodies_by_signer, g_strdup (log->signer), GUINT_TO_POINTER (mine - 1));
}

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  IntakeServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  IntakeRequestLog *log = intake_server_request_log (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : "";
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  goffset declared = encoding == SOUP_ENCODING_CONTENT_LENGTH ? soup_message_headers_get_content_length (headers)
                   : encoding == SOUP_ENCODING_NONE ? 0 : -1;
  char signer[INTAKE_HEX_ID_LEN];
  g_autoptr(GError) error = NULL;

  log->route = route_for_path (path);
  log->body_limit = body_limit (log->route, path);

  if (declared == 0)
    return;
  if (declared > 0 && (guint64)declared > log->body_limit)
    return refuse_too_large (msg, log);
  if (declared > 0 && declared <= INTAKE_PROTOCOL_MAX_ANONYMOUS_BODY)
    return;
  /* Unknown length on a small endpoint: counted in got-chunk. */
  if (log->body_limit <= INTAKE_PROTOCOL_MAX_ANONYMOUS_BODY)
    return;

  if (!signer_is_known (self, msg, log->route, signer, &error))
    {
      if (error != NULL)
        {
          intake_server_store_unavailable (msg, error);
          return refuse_body (msg, log, 0, NULL, NULL);
        }
      return refuse_body (msg, log, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                          "a request body over 4 KiB is only read with the signature headers of an enrolled "
                          "device (Intake-Device, Intake-Timestamp, Intake-Nonce, Intake-Signature) or a reviewer");
    }
  if (!take_body_slot (self, log, signer))
    {
      self->refused_busy++;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      return refuse_body (msg, log, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
                          "the server is receiving too many large requests right now; retry in a few seconds");
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  IntakeServer *self = user_data;
  IntakeRequestLog *log = intake_server_request_log (msg);

  log->body_seen += g_bytes_get_size (chunk);
  if (!log->refused && log->body_seen > log->body_limit)
    refuse_too_large (msg, log);
  /* Draining a refused body is bounded too: past twice the limit, hang up. */
  if (log->refused && log->body_seen > 2 * (gsize)INTAKE_PROTOCOL_MAX_BODY)
    intake_server_listener_hang_up (self->listener, msg);
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
  /* "/v1/review" is only the metrics label of every /v1/review/... path,
   * not a path itself (the review handler reads past "/v1/review/"). */
  for (guint i = 1; i < INTAKE_SERVER_N_ROUTES; i++)
    if (i != INTAKE_SERVER_ROUTE_REVIEW && g_str_equal (path, route_paths[i]))
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
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), user_data, 0);
}

static gboolean
trim_cb (gpointer user_data)
{
  IntakeServer *self = user_data;
  gint64 start = g_get_monotonic_time ();

  self->trim_id = 0;
  self->bytes_since_trim = 0;
  self->trims++;
  malloc_trim (0);
  g_debug ("malloc_trim took %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  return G_SOURCE_REMOVE;
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

  release_body_slot (self, log);
  /* Bodies leave their memory fragmented in many small blocks; once a
   * burst is over, give it back to the system. */
  self->bytes_since_trim += log->body_seen;
  if (self->pending_bodies == 0 && self->bytes_since_trim >= TRIM_AFTER_BYTES && self->trim_id == 0)
    self->trim_id = g_timeout_add (TRIM_DELAY_MS, trim_cb, self);

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
  /* Refusals of requests that prove no identity are counted here and
   * never audited (docs/protocol.md, "Audit log"). */
  if ((status == SOUP_STATUS_UNAUTHORIZED || status == 429) && log->error != NULL)
    {
      guint64 *refused = g_hash_table_lookup (self->unauthenticated, log->error);

      if (refused == NULL)
        {
          refused = g_new0 (guint64, 1);
          g_hash_table_insert (self->unauthenticated, g_strdup (log->error), refused);
        }
      (*refused)++;
    }
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
  g_autofree char *message = NULL;
  const char *code = NULL;
  gboolean ok = intake_server_health_check (self->health, &code, &message);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, ok ? "ok" : "unavailable");
  if (!ok)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
      intake_server_request_log (msg)->error = code;
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  intake_server_respond_json (msg, ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, root);
}

/* A label value from what a kiosk reported: the check-in allows only
 * [A-Za-z0-9._/-:+~], so nothing needs escaping; "" is "unknown". */
static const char *
label_value (const char *text)
{
  return text != NULL && *text != '\0' ? text : "unknown";
}

static void
add_count (GHashTable *counts,
           char       *key)
{
  g_hash_table_replace (counts, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) + 1));
}

static void
append_counts (GString    *out,
               GHashTable *counts,
               const char *name)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, intake_server_compare_strings);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (out, "%s{%s} %u\n", name, (const char *)g_ptr_array_index (keys, i),
                            GPOINTER_TO_UINT (g_hash_table_lookup (counts, g_ptr_array_index (keys, i))));
}

/* The fleet as the kiosks reported it at check-in (docs/server.md,
 * "Watching the fleet"): counts per bucket, version and status code, never
 * a device id or a location, so the label sets stay small. */
static void
append_fleet_metrics (IntakeServer *self,
                      GString      *out)
{
  static const struct { const char *label; gint64 seconds; } silent[] = {
    { "1h", 3600 }, { "1d", 86400 }, { "7d", 7 * 86400 },
  };
  g_autoptr(GPtrArray) devices = intake_store_list_devices (self->store, NULL);
  g_autoptr(GHashTable) versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 now = intake_server_now_seconds ();
  guint silent_count[G_N_ELEMENTS (silent)] = { 0 };
  gint64 pending = 0, oldest = 0;

  if (devices == NULL)
    return;
  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);
      /* A kiosk that never checked in counts from its enrollment. */
      gint64 seen = MAX (device->last_seen_at, device->enrolled_at);

      if (device->status != INTAKE_DEVICE_STATUS_ACTIVE)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (silent); k++)
        if (now - seen > silent[k].seconds)
          silent_count[k]++;
      pending += device->reported_pending;
      if (device->oldest_pending_at > 0 && device->reported_pending > 0)
        oldest = MAX (oldest, now - device->oldest_pending_at);
      add_count (versions, g_strdup_printf ("app_version=\"%s\",questionnaire=\"%s\"",
                                            label_value (device->app_version), label_value (device->questionnaire)));
      if (*device->last_error != '\0')
        add_count (problems, g_strdup_printf ("problem=\"%s\"", device->last_error));
    }

  g_string_append (out,
                   "# HELP intake_kiosks_silent Active kiosks that have not checked in for longer than the period.\n"
                   "# TYPE intake_kiosks_silent gauge\n");
  for (guint k = 0; k < G_N_ELEMENTS (silent); k++)
    g_string_append_printf (out, "intake_kiosks_silent{over=\"%s\"} %u\n", silent[k].label, silent_count[k]);
  g_string_append (out,
                   "# HELP intake_kiosks_pending Submissions the active kiosks reported as not yet delivered.\n"
                   "# TYPE intake_kiosks_pending gauge\n");
  g_string_append_printf (out, "intake_kiosks_pending %" G_GINT64_FORMAT "\n", pending);
  g_string_append (out,
                   "# HELP intake_kiosks_oldest_pending_age_seconds Age of the oldest submission a kiosk reported "
                   "waiting.\n"
                   "# TYPE intake_kiosks_oldest_pending_age_seconds gauge\n");
  g_string_append_printf (out, "intake_kiosks_oldest_pending_age_seconds %" G_GINT64_FORMAT "\n", oldest);
  g_string_append (out,
                   "# HELP intake_kiosks_by_version Active kiosks by app version and questionnaire.\n"
                   "# TYPE intake_kiosks_by_version gauge\n");
  append_counts (out, versions, "intake_kiosks_by_version");
  g_string_append (out,
                   "# HELP intake_kiosks_with_problem Active kiosks whose last sync pass ended with a problem.\n"
                   "# TYPE intake_kiosks_with_problem gauge\n");
  append_counts (out, problems, "intake_kiosks_with_problem");
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
                   "# HELP intake_unauthenticated_requests_total Requests refused before they proved an identity "
                   "(401, 429), by error code; never in the audit log.\n"
                   "# TYPE intake_unauthenticated_requests_total counter\n");
  g_ptr_array_set_size (keys, 0);
  g_hash_table_iter_init (&iter, self->unauthenticated);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, intake_server_compare_strings);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (out, "intake_unauthenticated_requests_total{error=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            (const char *) g_ptr_array_index (keys, i),
                            *(guint64 *) g_hash_table_lookup (self->unauthenticated, g_ptr_array_index (keys, i)));
  g_string_append (out,
                   "# HELP intake_unlock_failures_total Unlock and activation proofs that failed (any name).\n"
                   "# TYPE intake_unlock_failures_total counter\n");
  g_string_append_printf (out, "intake_unlock_failures_total %" G_GUINT64_FORMAT "\n", self->unlock_failures);
  g_string_append (out,
                   "# HELP intake_unlock_lockouts_total Names locked after repeated failed unlocks.\n"
                   "# TYPE intake_unlock_lockouts_total counter\n");
  g_string_append_printf (out, "intake_unlock_lockouts_total %" G_GUINT64_FORMAT "\n", self->lockouts);
  g_string_append (out,
                   "# HELP intake_requests_replayed_total Signed requests refused because their nonce was used before.\n"
                   "# TYPE intake_requests_replayed_total counter\n");
  g_string_append_printf (out, "intake_requests_replayed_total %" G_GUINT64_FORMAT "\n", self->replayed);
  g_string_append (out,
                   "# HELP intake_upload_commits_total Durable commits of uploaded envelopes (group commits).\n"
                   "# TYPE intake_upload_commits_total counter\n");
  g_string_append_printf (out, "intake_upload_commits_total %" G_GUINT64_FORMAT "\n", self->upload_commits);
  g_string_append (out,
                   "# HELP intake_upload_commit_requests_total Upload requests those commits stored (shared commits: "
                   "more requests than commits).\n"
                   "# TYPE intake_upload_commit_requests_total counter\n");
  g_string_append_printf (out, "intake_upload_commit_requests_total %" G_GUINT64_FORMAT "\n",
                          self->upload_commit_requests);
  g_string_append (out,
                   "# HELP intake_uploads_waiting Upload requests read and not yet answered: being checked, "
                   "queued for the next commit, or in the commit under way.\n"
                   "# TYPE intake_uploads_waiting gauge\n");
  g_string_append_printf (out, "intake_uploads_waiting %u\n",
                          self->uploads_being_checked +
                            (self->queued_uploads != NULL ? self->queued_uploads->len : 0) +
                            (self->committing_uploads != NULL ? self->committing_uploads->len : 0));

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
                   "# HELP intake_connections Open connections.\n"
                   "# TYPE intake_connections gauge\n");
  g_string_append_printf (out, "intake_connections %u\n", intake_server_listener_get_n_connections (self->listener));
  g_string_append (out,
                   "# HELP intake_connections_max The connection cap (--max-connections).\n"
                   "# TYPE intake_connections_max gauge\n");
  g_string_append_printf (out, "intake_connections_max %u\n",
                          intake_server_listener_get_max_connections (self->listener));
  g_string_append (out,
                   "# HELP intake_connections_accepted_total Connections accepted since the start.\n"
                   "# TYPE intake_connections_accepted_total counter\n");
  g_string_append_printf (out, "intake_connections_accepted_total %" G_GUINT64_FORMAT "\n",
                          intake_server_listener_get_accepted (self->listener));
  g_string_append (out,
                   "# HELP intake_connections_closed_total Connections the server closed, by reason.\n"
                   "# TYPE intake_connections_closed_total counter\n");
  for (guint i = 0; i < INTAKE_LISTENER_N_CLOSE_REASONS; i++)
    g_string_append_printf (out, "intake_connections_closed_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            intake_listener_close_reason_to_string (i),
                            intake_server_listener_get_closed (self->listener, i));
  g_string_append (out,
                   "# HELP intake_accept_paused_total Times accepting paused, by reason.\n"
                   "# TYPE intake_accept_paused_total counter\n");
  for (guint i = 0; i < INTAKE_LISTENER_N_PAUSE_REASONS; i++)
    g_string_append_printf (out, "intake_accept_paused_total{reason=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            intake_listener_pause_reason_to_string (i),
                            intake_server_listener_get_paused (self->listener, i));
  g_string_append (out,
                   "# HELP intake_accept_fd_limit_total Times accept() found no free fd (EMFILE, ENFILE).\n"
                   "# TYPE intake_accept_fd_limit_total counter\n");
  g_string_append_printf (out, "intake_accept_fd_limit_total %" G_GUINT64_FORMAT "\n",
                          intake_server_listener_get_fd_limit_hits (self->listener));
  g_string_append (out,
                   "# HELP intake_bodies_refused_busy_total Large bodies refused: too many were being received.\n"
                   "# TYPE intake_bodies_refused_busy_total counter\n");
  g_string_append_printf (out, "intake_bodies_refused_busy_total %" G_GUINT64_FORMAT "\n", self->refused_busy);
  g_string_append (out,
                   "# HELP intake_memory_trims_total Times freed memory was given back after a burst of bodies.\n"
                   "# TYPE intake_memory_trims_total counter\n");
  g_string_append_printf (out, "intake_memory_trims_total %" G_GUINT64_FORMAT "\n", self->trims);

  g_string_append (out,
                   "# HELP intake_devices Enrolled devices in the store, by status.\n"
                   "# TYPE intake_devices gauge\n");
  if (have_counts)
    g_string_append_printf (out,
                            "intake_devices{status=\"active\"} %" G_GINT64_FORMAT "\n"
                            "intake_devices{status=\"revoked\"} %" G_GINT64_FORMAT "\n",
                            counts.devices_active, counts.devices_revoked);
  {
    gint64 free_disk = intake_server_health_get_free_disk (self->health);

    if (free_disk >= 0)
      {
        g_string_append (out,
                         "# HELP intake_store_free_disk_bytes Free space beside the SQLite store.\n"
                         "# TYPE intake_store_free_disk_bytes gauge\n");
        g_string_append_printf (out, "intake_store_free_disk_bytes %" G_GINT64_FORMAT "\n", free_disk);
      }
  }
  g_string_append (out,
                   "# HELP intake_store_up Whether the store answered this scrape.\n"
                   "# TYPE intake_store_up gauge\n");
  g_string_append_printf (out, "intake_store_up %d\n", have_counts ? 1 : 0);
  if (have_counts)
    append_fleet_metrics (self, out);

  g_string_append (out,
                   "# HELP intake_build_info The running intake-server.\n"
                   "# TYPE intake_build_info gauge\n");
  g_string_append_printf (out, "intake_build_info{version=\"%s\",schema=\"%d\"} 1\n", PACKAGE_VERSION,
                          INTAKE_STORE_SCHEMA_VERSION);
  if (self->tls_not_after > 0)
    {
      g_string_append (out,
                       "# HELP intake_tls_certificate_expiry_seconds When the TLS certificate expires (Unix seconds).\n"
                       "# TYPE intake_tls_certificate_expiry_seconds gauge\n");
      g_string_append_printf (out, "intake_tls_certificate_expiry_seconds %" G_GINT64_FORMAT "\n",
                              self->tls_not_after);
    }

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
  /* Every answer names the store's generation: a kiosk that sees it
   * change sends again what it delivered (docs/protocol.md). */
  if (self->store_generation != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Intake-Store-Generation",
                                  self->store_generation);

  /* Answered while the body was read. */
  if (log->refused)
    return;

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
    case INTAKE_SERVER_ROUTE_OFFICE_KEYS:
      if (is_get)
        return intake_server_handle_office_keys (self, msg);
      break;
    case INTAKE_SERVER_ROUTE_CHECK_IN:
      if (is_post)
        return intake_server_handle_check_in (self, msg);
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

  intake_server_drop_queued_uploads (self);
  if (self->listener != NULL)
    intake_server_listener_stop (self->listener);
  g_clear_object (&self->listener);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->health);
  g_clear_object (&self->upload_store);
  g_clear_object (&self->checkpoint_store);
  g_clear_object (&self->store);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  g_clear_handle_id (&self->prune_id, g_source_remove);

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
  g_clear_pointer (&self->unauthenticated, g_hash_table_unref);
  g_clear_pointer (&self->bodies_by_signer, g_hash_table_unref);
  g_clear_pointer (&self->upload_devices, g_hash_table_unref);
  /* Idle by now: every check holds a reference on the server. */
  if (self->check_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->check_pool), FALSE, TRUE);
  g_free (self->office_key_id);
  g_clear_pointer (&self->office_keys, intake_office_keys_free);
  g_clear_pointer (&self->server_rotations, g_ptr_array_unref);
  g_free (self->server_key_id);
  g_free (self->store_generation);

  G_OBJECT_CLASS (intake_server_parent_class)->finalize (object);
}

static void
intake_server_class_init (IntakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_server_dispose;
  object_class->finalize = intake_server_finalize;

  /* Bodies are parsed and decoded on worker threads, whose malloc arenas
   * malloc_trim() can give back only from their top. A fixed threshold
   * (glibc otherwise raises it to the largest block freed, up to 32 MiB)
   * keeps every large block, a body's copy or its decoded envelopes, in
   * its own mapping, returned to the system when freed. */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
}

static void
intake_server_init (IntakeServer *self)
{
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->unauthenticated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->bodies_by_signer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
intake_server_limits_init (IntakeServerLimits *limits)
{
  g_return_if_fail (limits != NULL);

  *limits = (IntakeServerLimits) {
    .max_connections = 0,
    .idle_timeout = INTAKE_SERVER_DEFAULT_IDLE_TIMEOUT,
    .header_timeout = INTAKE_SERVER_DEFAULT_HEADER_TIMEOUT,
    .body_timeout = INTAKE_SERVER_DEFAULT_BODY_TIMEOUT,
    .tls_handshake_timeout = INTAKE_SERVER_DEFAULT_TLS_HANDSHAKE_TIMEOUT,
    .max_tls_handshakes = INTAKE_SERVER_DEFAULT_MAX_TLS_HANDSHAKES,
    .max_pending_bodies = INTAKE_SERVER_DEFAULT_MAX_PENDING_BODIES,
    .min_free_disk = (guint64)INTAKE_SERVER_DEFAULT_MIN_FREE_DISK_MIB * 1024 * 1024,
    .store_check_interval = INTAKE_SERVER_DEFAULT_STORE_CHECK_INTERVAL,
  };
}

IntakeServer *
intake_server_new (IntakeStore               *store,
                   const IntakeOfficePublic  *office,
                   IntakeDeviceKey           *server_key,
                   IntakeSignedQuestionnaire *questionnaire,
                   GTlsCertificate           *tls_certificate,
                   const IntakeServerLimits  *limits)
{
  IntakeServer *self;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);
  g_return_val_if_fail (office != NULL, NULL);
  g_return_val_if_fail (server_key != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_SERVER, NULL);
  self->store = g_object_ref (store);
  self->office_key_id = intake_office_public_dup_key_id_hex (office);
  self->office_blob = intake_office_public_to_bytes (office);
  /* The one key it was started with, until intake_server_set_office_keys()
   * gives what the store knows (main.c loads and checks them at start). */
  self->office_keys = intake_office_keys_new_single (office);
  self->server_rotations = intake_store_load_server_rotations (store, NULL);
  if (self->server_rotations == NULL)
    self->server_rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  self->server_key = server_key;
  intake_device_key_get_public (server_key, &self->server_public);
  self->server_key_id = intake_server_key_id_hex (self->server_public.sign_pk);
  /* Changed only by intake-admin restore, with every server stopped. */
  self->store_generation = intake_store_dup_generation (store, NULL);
  self->questionnaire = questionnaire;
  self->tls = tls_certificate != NULL;
  if (tls_certificate != NULL)
    {
      g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (tls_certificate);

      self->tls_not_after = not_after != NULL ? g_date_time_to_unix (not_after) : 0;
    }
  if (limits != NULL)
    self->limits = *limits;
  else
    intake_server_limits_init (&self->limits);
  self->health = intake_server_health_new (store, self->limits.min_free_disk, self->limits.store_check_interval);

  /* No TLS certificate here: the listener does the handshakes
   * (intake-server-listener.c says why). */
  self->soup = g_object_new (SOUP_TYPE_SERVER,
                             "server-header", "intake-server",
                             NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_finished_cb), self);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  self->listener = intake_server_listener_new (self->soup, tls_certificate, &self->limits);
  self->prune_id = g_timeout_add_seconds (NONCE_PRUNE_INTERVAL, prune_nonces_cb, self);
  return self;
}

char *
intake_server_listen (IntakeServer        *self,
                      GInetSocketAddress  *address,
                      GError             **error)
{
  g_return_val_if_fail (INTAKE_IS_SERVER (self), NULL);

  /* Said at start rather than at the first upload. */
  if (!intake_server_open_upload_stores (self, error))
    return NULL;
  return intake_server_listener_listen (self->listener, address, error);
}

void
intake_server_stop (IntakeServer *self)
{
  g_return_if_fail (INTAKE_IS_SERVER (self));

  intake_server_listener_stop (self->listener);
  /* The uploads already read are checked, committed and answered: their
   * kiosks are not left to wonder whether they were stored. */
  intake_server_wait_for_upload_commit (self);
  soup_server_disconnect (self->soup);
}

gboolean
intake_server_office_key_accepted (IntakeServer *self,
                                   const char   *key_id_hex)
{
  g_return_val_if_fail (INTAKE_IS_SERVER (self), FALSE);

  return key_id_hex != NULL && self->office_keys->set.accepted != NULL &&
         g_strv_contains ((const char * const *)self->office_keys->set.accepted, key_id_hex);
}

void
intake_server_add_office_rotations (IntakeServer *self,
                                    JsonBuilder  *builder)
{
  g_return_if_fail (INTAKE_IS_SERVER (self));

  json_builder_set_member_name (builder, "office_rotations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->office_keys->rotations->len; i++)
    {
      GBytes *blob = g_ptr_array_index (self->office_keys->rotations, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
}

void
intake_server_set_office_keys (IntakeServer     *self,
                               IntakeOfficeKeys *keys)
{
  g_return_if_fail (INTAKE_IS_SERVER (self));
  g_return_if_fail (keys != NULL);

  g_clear_pointer (&self->office_keys, intake_office_keys_free);
  self->office_keys = keys;
}

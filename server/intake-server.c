/* intake-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer on the default main context. Every handler runs to the
 * end synchronously (the store's calls are short), so there is no request
 * state beyond the per-message RequestLog that the request-finished
 * handler turns into a log line and metrics.
 *
 * The server never decrypts: it checks structure, signatures, device
 * status and the office key id, stores bytes, and signs receipts.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "intake-accept.h"
#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-questionnaire.h"
#include "intake-reference.h"
#include "intake-review-request.h"
#include "intake-server-util.h"
#include "intake-server.h"

#define REQUEST_LOG_KEY "intake-request-log"

/* Prometheus histogram buckets, seconds. */
static const double duration_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define N_BUCKETS G_N_ELEMENTS (duration_buckets)

typedef enum {
  ROUTE_OTHER,
  ROUTE_HEALTHZ,
  ROUTE_METRICS,
  ROUTE_ENROLL,
  ROUTE_ENVELOPES,
  ROUTE_QUESTIONNAIRE,
  ROUTE_HELP_REQUESTS,
  ROUTE_REVIEW,
  N_ROUTES
} Route;

static const char * const route_paths[N_ROUTES] = {
  [ROUTE_OTHER] = "other",
  [ROUTE_HEALTHZ] = "/healthz",
  [ROUTE_METRICS] = "/metrics",
  [ROUTE_ENROLL] = "/v1/enroll",
  [ROUTE_ENVELOPES] = "/v1/envelopes",
  [ROUTE_QUESTIONNAIRE] = "/v1/questionnaire",
  [ROUTE_HELP_REQUESTS] = "/v1/help-requests",
  [ROUTE_REVIEW] = "/v1/review",            /* every /v1/review/... path */
};

/* Unlock answers per reviewer name and minute (docs/protocol.md, "Unlock"). */
#define UNLOCK_LIMIT        5
#define UNLOCK_WINDOW_US    (60 * G_USEC_PER_SEC)

/* What one request did, for its log line: ids and counts only, never
 * anything a resident wrote. */
typedef struct {
  gint64   started;                 /* monotonic, microseconds */
  Route    route;
  char    *path;                    /* sanitized, for the log */
  char     device_id[INTAKE_HEX_ID_LEN];
  char     reviewer_id[INTAKE_HEX_ID_LEN];
  const char *error;                /* the error code answered, if any */
  guint    counts[INTAKE_ACCEPT_N_STATUS];
  gsize    body_seen;               /* request body bytes read so far */
  gboolean too_large;
} RequestLog;

struct _IntakeServer
{
  GObject                    parent_instance;

  SoupServer                *soup;
  IntakeStore               *store;
  IntakeOfficePublic        *office;
  char                      *office_key_id;
  GBytes                    *office_blob;
  IntakeDeviceKey           *server_key;
  IntakeDevicePublic         server_public;
  char                      *server_key_id;
  IntakeSignedQuestionnaire *questionnaire;
  gboolean                   tls;
  GHashTable                *unlock_attempts;     /* name -> GArray of gint64 (monotonic us) */

  /* Metrics: this process's counters since start. */
  guint64                    envelopes[INTAKE_ACCEPT_N_STATUS];
  guint64                    rejected[INTAKE_REJECT_N_REASONS];
  GHashTable                *requests;            /* "route\tstatus" -> guint64 * */
  guint64                    duration_bucket[N_BUCKETS];
  guint64                    duration_count;
  double                     duration_sum;
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
request_log_free (RequestLog *log)
{
  g_free (log->path);
  g_free (log);
}

static RequestLog *
get_log (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_LOG_KEY);
}

static void
set_json_response (SoupServerMessage *msg,
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

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  RequestLog *log = get_log (msg);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  set_json_response (msg, status, root);
  if (log != NULL)
    log->error = code;
}

static void
store_unavailable (SoupServerMessage *msg,
                   const GError      *error)
{
  g_autofree char *detail = g_strdelimit (g_strdup (error->message), "\"\n", '\'');
  g_autofree char *fields = g_strdup_printf ("error=store_unavailable detail=\"%s\"", detail);

  intake_server_log ("error", "store", fields);
  respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "store_unavailable",
                 "the store cannot be reached right now; retry later");
}

/* Body limit, enforced while reading: a declared Content-Length over the
 * limit is refused before any of the body is kept, and a chunked body is
 * counted as it arrives and dropped once it passes the limit. The rest is
 * read and discarded (so the client sees our answer) and the connection
 * closed. */
static void
refuse_body (SoupServerMessage *msg,
             RequestLog        *log)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  log->too_large = TRUE;
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                 "the request body is over the 8 MiB limit; send fewer envelopes per request");
}

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RequestLog *log = get_log (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > INTAKE_PROTOCOL_MAX_BODY)
    refuse_body (msg, log);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  RequestLog *log = get_log (msg);

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

static Route
route_for_path (const char *path)
{
  for (guint i = 1; i < N_ROUTES; i++)
    if (g_str_equal (path, route_paths[i]))
      return i;
  if (g_str_has_prefix (path, "/v1/review/"))
    return ROUTE_REVIEW;
  return ROUTE_OTHER;
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  RequestLog *log = g_new0 (RequestLog, 1);

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
  RequestLog *log = get_log (msg);
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
  for (guint i = 0; i < N_BUCKETS; i++)
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
  if (log->route == ROUTE_ENVELOPES && log->error == NULL)
    g_string_append_printf (fields, " stored=%u duplicate=%u conflict=%u rejected=%u",
                            log->counts[INTAKE_ACCEPT_STORED], log->counts[INTAKE_ACCEPT_DUPLICATE],
                            log->counts[INTAKE_ACCEPT_CONFLICT], log->counts[INTAKE_ACCEPT_REJECTED]);
  if (log->error != NULL)
    g_string_append_printf (fields, " error=%s", log->error);
  g_string_append_printf (fields, " duration_ms=%.1f", seconds * 1000);
  intake_server_log (status >= 500 ? "error" : status >= 400 ? "warning" : "info", "request", fields->str);
}

static GBytes *
request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

static JsonObject *
parse_json_object (GBytes      *body,
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

/* Checks the signature headers; on failure answers and returns NULL. */
static IntakeStoreDevice *
authenticate (IntakeServer      *self,
              SoupServerMessage *msg,
              const char        *path,
              GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *device_hex = soup_message_headers_get_one (headers, INTAKE_HEADER_DEVICE);
  const char *timestamp = soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP);
  const char *nonce = soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE);
  const char *signature = soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic device_public;
  RequestLog *log = get_log (msg);

  if (device_hex == NULL || timestamp == NULL || nonce == NULL || signature == NULL ||
      !intake_hex_decode (device_hex, device_public.device_id, sizeof device_public.device_id) ||
      strlen (device_hex) != 32)
    {
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated",
                     "the request is not signed: Intake-Device, Intake-Timestamp, Intake-Nonce and "
                     "Intake-Signature are required");
      return NULL;
    }

  if (!(device = intake_store_get_device (self->store, device_hex, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unknown_device",
                       "this device is not enrolled; enroll it with a code from staff");
      else
        store_unavailable (msg, error);
      return NULL;
    }
  g_strlcpy (log->device_id, device->device_id, sizeof log->device_id);

  memcpy (device_public.sign_pk, device->sign_pk, sizeof device_public.sign_pk);
  if (!intake_protocol_verify_request (&device_public, soup_server_message_get_method (msg), path, body,
                                       timestamp, nonce, signature,
                                       g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP))
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "stale_timestamp", error->message);
      else if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE))
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_signature", error->message);
      else
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated", error->message);
      return NULL;
    }

  /* Only after the signature: an unsigned probe learns nothing about
   * which devices are revoked. */
  if (device->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "device_revoked",
                     "this device has been revoked; ask staff to enroll the kiosk again with a new key");
      return NULL;
    }
  return g_steal_pointer (&device);
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
      get_log (msg)->error = "store_unavailable";
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  set_json_response (msg, ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, root);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
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
  g_ptr_array_sort (keys, compare_strings);
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
  for (guint i = 0; i < N_BUCKETS; i++)
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

static JsonNode *
questionnaire_node (IntakeServer *self)
{
  if (self->questionnaire == NULL)
    return json_node_new (JSON_NODE_NULL);
  return intake_signed_questionnaire_to_json (self->questionnaire);
}

static void
handle_enroll (IntakeServer      *self,
               SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pk = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *location = NULL;
  g_autofree char *office_b64 = NULL;
  g_autofree char *server_b64 = NULL;
  IntakeDevicePublic device;
  JsonObject *request;
  gsize pk_len = 0;
  const char *code;

  if (!(request = parse_json_object (body, parser)) ||
      !(code = intake_json_get_string (request, "code")) ||
      !(pk = intake_base64_decode_strict (intake_json_get_string (request, "device_sign_pk"), &pk_len)) ||
      pk_len != INTAKE_SIGN_PUBLIC_BYTES)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                     "expected {\"code\": \"...\", \"device_sign_pk\": \"<base64 of 32 bytes>\"}");
      return;
    }

  memcpy (device.sign_pk, pk, sizeof device.sign_pk);
  intake_device_id_from_public_key (device.sign_pk, device.device_id);
  device_id = intake_hex_encode (device.device_id, sizeof device.device_id);
  g_strlcpy (get_log (msg)->device_id, device_id, INTAKE_HEX_ID_LEN);

  if (!(normalized = intake_enroll_code_normalize (code)))
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_code",
                     "unknown enrollment code; check it or ask staff for a new one");
      return;
    }
  code_hash = intake_enroll_code_hash (normalized);
  if (!(location = intake_store_consume_enroll_code (self->store, code_hash, &device,
                                                      g_get_real_time () / G_USEC_PER_SEC, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE))
        respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_code", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED))
        respond_error (msg, SOUP_STATUS_GONE, "code_used", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXPIRED))
        respond_error (msg, SOUP_STATUS_GONE, "code_expired", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED))
        respond_error (msg, SOUP_STATUS_FORBIDDEN, "device_revoked", error->message);
      else
        store_unavailable (msg, error);
      return;
    }

  office_b64 = g_base64_encode (g_bytes_get_data (self->office_blob, NULL), g_bytes_get_size (self->office_blob));
  server_b64 = g_base64_encode (self->server_public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_set_member_name (builder, "office_public");
  json_builder_add_string_value (builder, office_b64);
  json_builder_set_member_name (builder, "server_public");
  json_builder_add_string_value (builder, server_b64);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, self->server_key_id);
  json_builder_set_member_name (builder, "questionnaire");
  json_builder_add_value (builder, questionnaire_node (self));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  set_json_response (msg, SOUP_STATUS_OK, root);
}

static void
handle_questionnaire (IntakeServer      *self,
                      SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!(device = authenticate (self, msg, route_paths[ROUTE_QUESTIONNAIRE], body)))
    return;
  if (self->questionnaire == NULL)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "no_questionnaire",
                     "this server has no signed questionnaire; keep using the current one");
      return;
    }
  root = questionnaire_node (self);
  set_json_response (msg, SOUP_STATUS_OK, root);
}

static void
handle_envelopes (IntakeServer      *self,
                  SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  g_autoptr(GBytes) receipt = NULL;
  g_autofree char *receipt_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  RequestLog *log = get_log (msg);
  JsonObject *request;
  JsonNode *node;
  JsonArray *envelopes;
  gint64 now;
  guint n;

  if (!(device = authenticate (self, msg, route_paths[ROUTE_ENVELOPES], body)))
    return;

  if (!(request = parse_json_object (body, parser)) ||
      !(node = json_object_get_member (request, "envelopes")) || !JSON_NODE_HOLDS_ARRAY (node))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                     "expected {\"envelopes\": [\"<base64 envelope>\", ...]}");
      return;
    }
  envelopes = json_node_get_array (node);
  n = json_array_get_length (envelopes);
  if (n > INTAKE_PROTOCOL_MAX_BATCH)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                     "at most 100 envelopes per request; send the rest in another request");
      return;
    }

  now = g_get_real_time () / G_USEC_PER_SEC;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (envelopes, i);
      g_autoptr(GBytes) envelope = NULL;
      g_autoptr(GError) error = NULL;
      IntakeAcceptResult result = { .status = INTAKE_ACCEPT_REJECTED, .reason = INTAKE_REJECT_MALFORMED };
      guint8 *data;
      gsize len = 0;

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING &&
          (data = intake_base64_decode_strict (json_node_get_string (element), &len)) != NULL)
        {
          envelope = g_bytes_new_take (data, len);
          if (!intake_server_accept_envelope (self->store, self->office_key_id, device, envelope,
                                              INTAKE_ENVELOPE_SOURCE_UPLOAD, now, &result, &error))
            {
              /* Whatever was stored before stays stored; the kiosk's retry
               * gets "duplicate" for those. */
              store_unavailable (msg, error);
              return;
            }
        }

      log->counts[result.status]++;
      self->envelopes[result.status]++;
      if (result.status == INTAKE_ACCEPT_REJECTED)
        self->rejected[result.reason]++;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, i);
      if (result.has_submission_id)
        {
          json_builder_set_member_name (builder, "submission_id");
          json_builder_add_string_value (builder, result.submission_id);
        }
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, intake_accept_status_to_string (result.status));
      if (result.status == INTAKE_ACCEPT_REJECTED)
        {
          json_builder_set_member_name (builder, "reason");
          json_builder_add_string_value (builder, intake_reject_reason_to_string (result.reason));
        }
      json_builder_end_object (builder);

      if (result.status == INTAKE_ACCEPT_STORED || result.status == INTAKE_ACCEPT_DUPLICATE)
        {
          IntakeReceiptItem item = { 0 };

          g_strlcpy (item.submission_id, result.submission_id, sizeof item.submission_id);
          g_strlcpy (item.sha256, result.sha256, sizeof item.sha256);
          g_array_append_val (items, item);
        }
    }
  json_builder_end_array (builder);

  receipt = intake_receipt_build (device->device_id, now, self->server_key_id, items);
  intake_device_key_sign (self->server_key, "receipt", receipt, signature);
  receipt_b64 = g_base64_encode (g_bytes_get_data (receipt, NULL), g_bytes_get_size (receipt));
  signature_b64 = g_base64_encode (signature, sizeof signature);
  json_builder_set_member_name (builder, "receipt");
  json_builder_add_string_value (builder, receipt_b64);
  json_builder_set_member_name (builder, "receipt_signature");
  json_builder_add_string_value (builder, signature_b64);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  set_json_response (msg, SOUP_STATUS_OK, root);
}

/* Review (docs/protocol.md, "Review protocol (staff)") ------------------- */

/* Who is asking and what for: every refusal after this is known is an
 * audit event with result "denied:<code>". */
typedef struct {
  IntakeStoreReviewer *reviewer;
  const char          *action;
  char                *object;
} ReviewContext;

static void
review_context_clear (ReviewContext *ctx)
{
  g_clear_pointer (&ctx->reviewer, intake_store_reviewer_free);
  g_clear_pointer (&ctx->object, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReviewContext, review_context_clear)

static const char *
origin_of (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "unknown";
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Appends one event; on a store failure answers 503 and returns FALSE, so
 * nothing is served that was not logged. */
static gboolean
audit (IntakeServer      *self,
       SoupServerMessage *msg,
       const char        *actor,
       const char        *action,
       const char        *object,
       const char        *result)
{
  g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (now_seconds (), actor, action, object,
                                                              result, origin_of (msg));
  g_autoptr(GError) error = NULL;

  if (!intake_store_append_audit (self->store, event, &error))
    {
      store_unavailable (msg, error);
      return FALSE;
    }
  return TRUE;
}

static void
review_refuse (IntakeServer      *self,
               SoupServerMessage *msg,
               ReviewContext     *ctx,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autofree char *result = g_strconcat ("denied:", code, NULL);

  if (!audit (self, msg, ctx->reviewer->name, ctx->action, ctx->object, result))
    return;
  respond_error (msg, status, code, message);
}

static char *
path_and_query (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);

  return query != NULL ? g_strconcat (g_uri_get_path (uri), "?", query, NULL)
                       : g_strdup (g_uri_get_path (uri));
}

/* Checks the reviewer signature headers; on failure answers (and audits
 * refusals of a known reviewer) and returns FALSE. */
static gboolean
authenticate_reviewer (IntakeServer      *self,
                       SoupServerMessage *msg,
                       GBytes            *body,
                       ReviewContext     *ctx)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *reviewer_hex = soup_message_headers_get_one (headers, INTAKE_HEADER_REVIEWER);
  const char *timestamp = soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP);
  const char *nonce = soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE);
  const char *signature = soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE);
  g_autofree char *signed_path = path_and_query (msg);
  g_autoptr(GError) error = NULL;
  IntakeReviewerPublic reviewer_public;
  guint8 id[INTAKE_REVIEWER_ID_BYTES];

  if (reviewer_hex == NULL || timestamp == NULL || nonce == NULL || signature == NULL ||
      strlen (reviewer_hex) != 32 || !intake_hex_decode (reviewer_hex, id, sizeof id))
    {
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated",
                     "review requests are signed: Intake-Reviewer, Intake-Timestamp, Intake-Nonce and "
                     "Intake-Signature are required");
      return FALSE;
    }
  if (!(ctx->reviewer = intake_store_get_reviewer (self->store, reviewer_hex, NULL, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unknown_reviewer",
                       "no reviewer has this key; ask an administrator (intake-admin reviewer add)");
      else
        store_unavailable (msg, error);
      return FALSE;
    }
  g_strlcpy (get_log (msg)->reviewer_id, ctx->reviewer->reviewer_id, INTAKE_HEX_ID_LEN);

  memcpy (reviewer_public.reviewer_id, id, sizeof id);
  memcpy (reviewer_public.sign_pk, ctx->reviewer->sign_pk, sizeof reviewer_public.sign_pk);
  if (!intake_review_verify_request (&reviewer_public, soup_server_message_get_method (msg), signed_path,
                                     body, timestamp, nonce, signature, now_seconds (), &error))
    {
      if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP))
        review_refuse (self, msg, ctx, SOUP_STATUS_UNAUTHORIZED, "stale_timestamp", error->message);
      else if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE))
        review_refuse (self, msg, ctx, SOUP_STATUS_UNAUTHORIZED, "bad_signature", error->message);
      else
        review_refuse (self, msg, ctx, SOUP_STATUS_UNAUTHORIZED, "unauthenticated", error->message);
      return FALSE;
    }
  if (ctx->reviewer->status == INTAKE_REVIEWER_STATUS_REVOKED)
    {
      review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "reviewer_revoked",
                     "this reviewer has been removed; ask an administrator");
      return FALSE;
    }
  return TRUE;
}

static void
add_submission_members (JsonBuilder                 *builder,
                        const IntakeStoreSubmission *submission)
{
  const IntakeStoreEnvelope *e = &submission->envelope;

  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, e->seq);
  json_builder_set_member_name (builder, "submission_id");
  json_builder_add_string_value (builder, e->submission_id);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, submission->reference);
  json_builder_set_member_name (builder, "received_at");
  json_builder_add_int_value (builder, e->received_at);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_int_value (builder, e->created_at);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, submission->location);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, e->device_id);
  json_builder_set_member_name (builder, "questionnaire");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, e->questionnaire_id);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, e->questionnaire_version);
  json_builder_set_member_name (builder, "hash");
  json_builder_add_string_value (builder, e->questionnaire_hash);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, submission->state);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, submission->unit);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, submission->version);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_int_value (builder, submission->updated_at);
  json_builder_set_member_name (builder, "updated_by");
  json_builder_add_string_value (builder, submission->updated_by);
  json_builder_set_member_name (builder, "notes");
  json_builder_add_int_value (builder, submission->notes);
}

static void
respond_builder (SoupServerMessage *msg,
                 guint              status,
                 JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  set_json_response (msg, status, root);
}

/* A non-negative decimal integer query value; @text NULL leaves *@out. */
static gboolean
parse_query_int (const char *text,
                 gint64      min,
                 gint64      max,
                 gint64     *out)
{
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL) ||
      (gint64)value < min || (gint64)value > max)
    return FALSE;
  *out = (gint64)value;
  return TRUE;
}


static void
review_unlock (IntakeServer      *self,
               SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewer) reviewer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blob_b64 = NULL;
  g_autofree char *server_b64 = NULL;
  g_autofree char *office_b64 = NULL;
  gint64 now = g_get_monotonic_time ();
  JsonObject *request;
  const char *name;
  GArray *attempts;

  if (!(request = parse_json_object (body, parser)) || !(name = intake_json_get_string (request, "name")) ||
      *name == '\0' || strlen (name) > 128)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body", "expected {\"name\": \"...\"}");
      return;
    }

  /* Forget names not tried for a minute once the table grows. */
  if (g_hash_table_size (self->unlock_attempts) > 10000)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->unlock_attempts);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          GArray *times = value;

          if (times->len == 0 || g_array_index (times, gint64, times->len - 1) < now - UNLOCK_WINDOW_US)
            g_hash_table_iter_remove (&iter);
        }
    }
  if (!(attempts = g_hash_table_lookup (self->unlock_attempts, name)))
    {
      attempts = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->unlock_attempts, g_strdup (name), attempts);
    }
  while (attempts->len > 0 && g_array_index (attempts, gint64, 0) < now - UNLOCK_WINDOW_US)
    g_array_remove_index (attempts, 0);
  if (attempts->len >= UNLOCK_LIMIT)
    {
      if (audit (self, msg, name, "unlock", name, "denied:slow_down"))
        respond_error (msg, 429, "slow_down", "too many unlock attempts for this name; wait a minute");
      return;
    }
  g_array_append_val (attempts, now);

  if (!(reviewer = intake_store_get_reviewer (self->store, NULL, name, &error)) ||
      reviewer->status != INTAKE_REVIEWER_STATUS_ACTIVE)
    {
      if (error != NULL && !g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        {
          store_unavailable (msg, error);
          return;
        }
      if (audit (self, msg, name, "unlock", name, "unknown"))
        respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_reviewer",
                       "no active reviewer has this name; check it or ask an administrator");
      return;
    }
  g_strlcpy (get_log (msg)->reviewer_id, reviewer->reviewer_id, INTAKE_HEX_ID_LEN);
  if (!audit (self, msg, reviewer->name, "unlock", reviewer->reviewer_id, "ok"))
    return;

  blob_b64 = g_base64_encode (g_bytes_get_data (reviewer->blob, NULL), g_bytes_get_size (reviewer->blob));
  server_b64 = g_base64_encode (self->server_public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  office_b64 = g_base64_encode (g_bytes_get_data (self->office_blob, NULL), g_bytes_get_size (self->office_blob));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reviewer_id");
  json_builder_add_string_value (builder, reviewer->reviewer_id);
  json_builder_set_member_name (builder, "blob");
  json_builder_add_string_value (builder, blob_b64);
  json_builder_set_member_name (builder, "server_public");
  json_builder_add_string_value (builder, server_b64);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, self->server_key_id);
  json_builder_set_member_name (builder, "office_public");
  json_builder_add_string_value (builder, office_b64);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_list (IntakeServer      *self,
             SoupServerMessage *msg,
             GHashTable        *query,
             ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) object = g_string_new (NULL);
  g_autofree char *reference = NULL;
  IntakeSubmissionFilter filter = { .limit = 100 };
  gint64 limit = 100;
  const char *text;

  if (query != NULL)
    {
      filter.state = g_hash_table_lookup (query, "state");
      filter.location = g_hash_table_lookup (query, "location");
      text = g_hash_table_lookup (query, "reference");
      if (text != NULL && !(reference = intake_reference_normalize (text)))
        return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                              "reference is not a reference code (XXXX-XXXX)");
      filter.reference = reference;
      if (!parse_query_int (g_hash_table_lookup (query, "after"), 0, G_MAXINT64, &filter.after_seq) ||
          !parse_query_int (g_hash_table_lookup (query, "limit"), 1, 500, &limit) ||
          !parse_query_int (g_hash_table_lookup (query, "from"), 0, G_MAXINT64, &filter.from) ||
          !parse_query_int (g_hash_table_lookup (query, "to"), 0, G_MAXINT64, &filter.to) ||
          (filter.state != NULL && !intake_review_state_is_valid (filter.state)) ||
          (filter.location != NULL && (*filter.location == '\0' || !g_utf8_validate (filter.location, -1, NULL))))
        return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                              "after, limit (1-500), from and to are whole numbers; state is one of "
                              "new, in_review, conversation_planned, closed, needs_follow_up");
    }
  filter.limit = (guint)limit;

  /* The filter, not the page, is the object: what the reviewer asked for. */
  if (filter.state != NULL)
    g_string_append_printf (object, "state=%s ", filter.state);
  if (filter.location != NULL)
    g_string_append_printf (object, "location=%s ", filter.location);
  if (filter.reference != NULL)
    g_string_append_printf (object, "reference=%s ", filter.reference);
  if (filter.from != 0)
    g_string_append_printf (object, "from=%" G_GINT64_FORMAT " ", filter.from);
  if (filter.to != 0)
    g_string_append_printf (object, "to=%" G_GINT64_FORMAT " ", filter.to);
  g_string_append_printf (object, "after=%" G_GINT64_FORMAT, filter.after_seq);
  g_free (ctx->object);
  ctx->object = g_strdup (object->str);

  if (!(page = intake_store_list_submissions (self->store, &filter, &error)))
    return store_unavailable (msg, error);
  if (!audit (self, msg, ctx->reviewer->name, "list", ctx->object, "ok"))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "submissions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->len; i++)
    {
      json_builder_begin_object (builder);
      add_submission_members (builder, g_ptr_array_index (page, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next_after");
  if (page->len == filter.limit)
    json_builder_add_int_value (builder, ((IntakeStoreSubmission *)g_ptr_array_index (page, page->len - 1))->envelope.seq);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_fetch (IntakeServer      *self,
              SoupServerMessage *msg,
              const char        *submission_id,
              ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *envelope_b64 = NULL;

  if (!(submission = intake_store_get_submission (self->store, submission_id, &error)))
    {
      if (error != NULL)
        return store_unavailable (msg, error);
      return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
    }
  if (!(envelope = intake_store_dup_envelope (self->store, submission_id, NULL, &error)) ||
      !(notes = intake_store_list_notes (self->store, submission_id, &error)))
    {
      if (error == NULL)
        g_set_error_literal (&error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "the envelope vanished");
      return store_unavailable (msg, error);
    }
  if (!audit (self, msg, ctx->reviewer->name, "fetch", submission_id, "ok"))
    return;

  envelope_b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
  json_builder_begin_object (builder);
  add_submission_members (builder, submission);
  json_builder_set_member_name (builder, "envelope");
  json_builder_add_string_value (builder, envelope_b64);
  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < notes->len; i++)
    {
      const IntakeStoreNote *note = g_ptr_array_index (notes, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (note->envelope, NULL),
                                              g_bytes_get_size (note->envelope));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "envelope");
      json_builder_add_string_value (builder, b64);
      json_builder_set_member_name (builder, "reviewer");
      json_builder_add_string_value (builder, note->reviewer);
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_int_value (builder, note->created_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* 200 with the current workflow values, or 409 version_conflict with them. */
static void
respond_change (SoupServerMessage           *msg,
                const IntakeStoreSubmission *current,
                gboolean                     conflict)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (conflict)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, "version_conflict");
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "another reviewer changed this submission first; "
                                              "look at the current values and try again");
      json_builder_set_member_name (builder, "current");
      json_builder_begin_object (builder);
    }
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, current->state);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, current->unit);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, current->version);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_int_value (builder, current->updated_at);
  json_builder_set_member_name (builder, "updated_by");
  json_builder_add_string_value (builder, current->updated_by);
  json_builder_set_member_name (builder, "notes");
  json_builder_add_int_value (builder, current->notes);
  if (conflict)
    json_builder_end_object (builder);
  json_builder_end_object (builder);
  respond_builder (msg, conflict ? SOUP_STATUS_CONFLICT : SOUP_STATUS_OK, builder);
  if (conflict)
    get_log (msg)->error = "version_conflict";
}

static void
review_workflow (IntakeServer      *self,
                 SoupServerMessage *msg,
                 const char        *submission_id,
                 GBytes            *body,
                 ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(IntakeStoreSubmission) current = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  JsonNode *unit_node;
  const char *state;
  const char *unit = NULL;
  gint64 expected = 0;
  gboolean conflict = FALSE;

  if (!(request = parse_json_object (body, parser)) || !(state = intake_json_get_string (request, "state")) ||
      !intake_review_state_is_valid (state) || !intake_json_get_int (request, "expected_version", &expected) ||
      ((unit_node = json_object_get_member (request, "unit")) != NULL && !JSON_NODE_HOLDS_NULL (unit_node) &&
       (!(unit = intake_json_get_string (request, "unit")) || strlen (unit) > 200)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"state\": \"new|in_review|conversation_planned|closed|needs_follow_up\", "
                          "\"unit\": \"...\" or null, \"expected_version\": N}");

  event = intake_audit_event_new (now_seconds (), ctx->reviewer->name, "state_change", submission_id, "ok",
                                  origin_of (msg));
  if (!intake_store_update_workflow (self->store, submission_id, state, unit, expected, ctx->reviewer->name,
                                     now_seconds (), event, &current, &conflict, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION))
        return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID))
        return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body", error->message);
      return store_unavailable (msg, error);
    }
  respond_change (msg, current, conflict);
}

static void
review_note (IntakeServer      *self,
             SoupServerMessage *msg,
             const char        *submission_id,
             GBytes            *body,
             ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(IntakeStoreSubmission) current = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GBytes) note = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header_device = NULL;
  g_autofree char *header_office = NULL;
  g_autofree char *signer_device = NULL;
  IntakeEnvelopeHeader header;
  guint8 device_id[INTAKE_DEVICE_ID_BYTES];
  JsonObject *request;
  guint8 *data;
  gsize len = 0;
  gint64 expected = 0;
  gboolean conflict = FALSE;

  if (!(request = parse_json_object (body, parser)) ||
      !(data = intake_base64_decode_strict (intake_json_get_string (request, "envelope"), &len)) ||
      !intake_json_get_int (request, "expected_version", &expected))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"envelope\": \"<base64 note envelope>\", \"expected_version\": N}");
  note = g_bytes_new_take (data, len);

  /* A note is an envelope sealed for this office and signed with the
   * reviewer's own key: its header names the device id of that key. */
  intake_device_id_from_public_key (ctx->reviewer->sign_pk, device_id);
  signer_device = intake_hex_encode (device_id, sizeof device_id);
  if (len > INTAKE_ACCEPT_MAX_ENVELOPE || !intake_envelope_verify (note, &header, NULL) ||
      !g_str_equal ((header_device = intake_hex_encode (header.device_id, sizeof header.device_id)), signer_device) ||
      !g_str_equal ((header_office = intake_hex_encode (header.office_key_id, sizeof header.office_key_id)),
                    self->office_key_id))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "bad_note",
                          "the note must be an envelope sealed for this office key and signed with "
                          "your reviewer key");

  event = intake_audit_event_new (now_seconds (), ctx->reviewer->name, "note", submission_id, "ok",
                                  origin_of (msg));
  if (!intake_store_add_note (self->store, submission_id, note, ctx->reviewer->reviewer_id,
                              ctx->reviewer->name, expected, now_seconds (), event, &current, &conflict, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION))
        return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
      return store_unavailable (msg, error);
    }
  respond_change (msg, current, conflict);
}

static void
add_event_members (JsonBuilder            *builder,
                   const IntakeAuditEvent *event)
{
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, event->seq);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, event->time);
  json_builder_set_member_name (builder, "actor");
  json_builder_add_string_value (builder, event->actor);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, event->action);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, event->object);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, event->result);
  json_builder_set_member_name (builder, "origin");
  json_builder_add_string_value (builder, event->origin);
}

static void
review_audit_view (IntakeServer      *self,
                   SoupServerMessage *msg,
                   const char        *submission_id,
                   ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  g_autoptr(GError) error = NULL;
  gint64 after = 0;

  if (!(submission = intake_store_get_submission (self->store, submission_id, &error)))
    {
      if (error != NULL)
        return store_unavailable (msg, error);
      return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
    }
  if (!audit (self, msg, ctx->reviewer->name, "audit_view", submission_id, "ok"))
    return;
  for (;;)
    {
      g_autoptr(GPtrArray) page = intake_store_list_audit (self->store, submission_id, after, 1000, &error);

      if (page == NULL)
        return store_unavailable (msg, error);
      for (guint i = 0; i < page->len; i++)
        g_ptr_array_add (events, intake_audit_event_copy (g_ptr_array_index (page, i)));
      if (page->len < 1000)
        break;
      after = ((IntakeAuditEvent *)g_ptr_array_index (page, page->len - 1))->seq;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      json_builder_begin_object (builder);
      add_event_members (builder, g_ptr_array_index (events, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_client_event (IntakeServer      *self,
                     SoupServerMessage *msg,
                     GBytes            *body,
                     ReviewContext     *ctx)
{
  static const char * const actions[] = { "view", "decrypt", "export", "search", "dashboard" };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  const char *action = NULL;
  const char *object = NULL;

  if ((request = parse_json_object (body, parser)) != NULL)
    {
      action = intake_json_get_string (request, "action");
      object = intake_json_get_string (request, "object");
    }
  if (action == NULL || !g_strv_contains (actions, action) || object == NULL ||
      strlen (object) > INTAKE_AUDIT_OBJECT_MAX)
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"action\": \"view|decrypt|export|search|dashboard\", "
                          "\"object\": \"...\" (at most 1024 bytes)}");

  event = intake_audit_event_new (now_seconds (), ctx->reviewer->name, action, object, "ok", origin_of (msg));
  if (!intake_store_append_audit (self->store, event, &error))
    return store_unavailable (msg, error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, event->seq);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_questionnaires (IntakeServer      *self,
                       SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (!(list = intake_store_list_questionnaires (self->store, &error)))
    return store_unavailable (msg, error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "questionnaires");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    {
      const IntakeStoreQuestionnaire *q = g_ptr_array_index (list, i);
      g_autoptr(IntakeSignedQuestionnaire) signed_q = intake_signed_questionnaire_new (q->canonical, q->signature);

      signed_q->id = g_strdup (q->id);
      signed_q->version = (guint32)q->version;
      signed_q->hash = g_strdup (q->hash);
      json_builder_begin_object (builder);
      intake_signed_questionnaire_add_members (signed_q, builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_help_requests (IntakeServer      *self,
                      SoupServerMessage *msg,
                      GHashTable        *query,
                      ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autofree char *object = NULL;
  gint64 from = 0, to = G_MAXINT64;
  GHashTableIter iter;
  gpointer key;

  if (query != NULL &&
      (!parse_query_int (g_hash_table_lookup (query, "from"), 0, G_MAXINT64, &from) ||
       !parse_query_int (g_hash_table_lookup (query, "to"), 0, G_MAXINT64, &to)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                          "from and to are Unix seconds");
  object = g_strdup_printf ("help_requests from=%" G_GINT64_FORMAT " to=%" G_GINT64_FORMAT, from, to);
  g_free (ctx->object);
  ctx->object = g_strdup (object);

  if (!(list = intake_store_list_help_requests (self->store, from, to, &error)))
    return store_unavailable (msg, error);
  if (!audit (self, msg, ctx->reviewer->name, "list", object, "ok"))
    return;

  /* Counts per day (the server's local time zone), location and language:
   * no device, no exact times. */
  for (guint i = 0; i < list->len; i++)
    {
      const IntakeStoreHelpRequest *request = g_ptr_array_index (list, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (request->created_at);
      g_autofree char *day = when != NULL ? g_date_time_format (when, "%Y-%m-%d") : g_strdup ("?");
      char *k = g_strdup_printf ("%s\t%s\t%s", day, request->location, request->language);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, k));

      g_hash_table_replace (counts, k, GUINT_TO_POINTER (n + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help_requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);
      g_auto(GStrv) parts = g_strsplit (k, "\t", 3);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "day");
      json_builder_add_string_value (builder, parts[0]);
      json_builder_set_member_name (builder, "location");
      json_builder_add_string_value (builder, parts[1]);
      json_builder_set_member_name (builder, "language");
      json_builder_add_string_value (builder, parts[2]);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, GPOINTER_TO_UINT (g_hash_table_lookup (counts, k)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static gboolean
is_submission_id (const char *text,
                  gsize       len)
{
  if (len != 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static void
handle_review (IntakeServer      *self,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query)
{
  g_auto(ReviewContext) ctx = { 0 };
  g_autoptr(GBytes) body = request_body (msg);
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = method == SOUP_METHOD_GET;
  gboolean is_post = method == SOUP_METHOD_POST;
  const char *rest = path + strlen ("/v1/review/");
  g_autofree char *submission_id = NULL;
  const char *sub = NULL;
  gboolean allowed;

  enum { R_UNLOCK, R_LIST, R_FETCH, R_WORKFLOW, R_NOTES, R_AUDIT, R_EVENTS, R_QUESTIONNAIRES, R_HELP } which;

  if (g_str_equal (rest, "unlock"))
    which = R_UNLOCK, allowed = is_post;
  else if (g_str_equal (rest, "submissions"))
    which = R_LIST, allowed = is_get;
  else if (g_str_equal (rest, "events"))
    which = R_EVENTS, allowed = is_post;
  else if (g_str_equal (rest, "questionnaires"))
    which = R_QUESTIONNAIRES, allowed = is_get;
  else if (g_str_equal (rest, "help-requests"))
    which = R_HELP, allowed = is_get;
  else if (g_str_has_prefix (rest, "submissions/"))
    {
      const char *id = rest + strlen ("submissions/");
      const char *slash = strchr (id, '/');
      gsize id_len = slash != NULL ? (gsize)(slash - id) : strlen (id);

      if (!is_submission_id (id, id_len))
        return respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
      submission_id = g_strndup (id, id_len);
      sub = slash != NULL ? slash + 1 : NULL;
      if (sub == NULL)
        which = R_FETCH, allowed = is_get;
      else if (g_str_equal (sub, "workflow"))
        which = R_WORKFLOW, allowed = is_post;
      else if (g_str_equal (sub, "notes"))
        which = R_NOTES, allowed = is_post;
      else if (g_str_equal (sub, "audit"))
        which = R_AUDIT, allowed = is_get;
      else
        return respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
    }
  else
    return respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");

  if (!allowed)
    return respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                          "this endpoint does not take that method; see docs/protocol.md");
  if (which == R_UNLOCK)
    return review_unlock (self, msg);

  switch (which)
    {
    case R_LIST: ctx.action = "list"; break;
    case R_FETCH: ctx.action = "fetch"; break;
    case R_WORKFLOW: ctx.action = "state_change"; break;
    case R_NOTES: ctx.action = "note"; break;
    case R_AUDIT: ctx.action = "audit_view"; break;
    case R_EVENTS: ctx.action = "event"; break;
    case R_QUESTIONNAIRES: ctx.action = "questionnaires"; break;
    case R_HELP: ctx.action = "list"; break;
    case R_UNLOCK: default: g_assert_not_reached ();
    }
  ctx.object = g_strdup (submission_id != NULL ? submission_id : rest);

  if (!authenticate_reviewer (self, msg, body, &ctx))
    return;

  switch (which)
    {
    case R_LIST:
      return review_list (self, msg, query, &ctx);
    case R_FETCH:
      return review_fetch (self, msg, submission_id, &ctx);
    case R_WORKFLOW:
      return review_workflow (self, msg, submission_id, body, &ctx);
    case R_NOTES:
      return review_note (self, msg, submission_id, body, &ctx);
    case R_AUDIT:
      return review_audit_view (self, msg, submission_id, &ctx);
    case R_EVENTS:
      return review_client_event (self, msg, body, &ctx);
    case R_QUESTIONNAIRES:
      return review_questionnaires (self, msg);
    case R_HELP:
      return review_help_requests (self, msg, query, &ctx);
    case R_UNLOCK:
    default:
      g_assert_not_reached ();
    }
}

/* POST /v1/help-requests from a kiosk: counted, never audited. */
static void
handle_help_requests (IntakeServer      *self,
                      SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *request;
  JsonNode *node;
  JsonArray *requests;
  guint stored = 0, duplicate = 0;
  gint64 now = now_seconds ();
  guint n;

  if (!(device = authenticate (self, msg, route_paths[ROUTE_HELP_REQUESTS], body)))
    return;
  if (!(request = parse_json_object (body, parser)) ||
      !(node = json_object_get_member (request, "requests")) || !JSON_NODE_HOLDS_ARRAY (node) ||
      (n = json_array_get_length ((requests = json_node_get_array (node)))) > INTAKE_PROTOCOL_MAX_BATCH)
    return respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"requests\": [{\"id\": N, \"created_at\": T, \"language\": \"..\"}, ...]} "
                          "(at most 100)");

  /* Validate all first: a batch is stored whole or not at all. */
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (requests, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *language = object != NULL ? intake_json_get_string (object, "language") : NULL;
      gint64 created_at = 0, id = 0;
      gboolean ok = object != NULL && intake_json_get_int (object, "created_at", &created_at) && created_at > 0 &&
                    language != NULL && *language != '\0' && strlen (language) <= 15 &&
                    (!json_object_has_member (object, "id") || intake_json_get_int (object, "id", &id));

      for (const char *p = language; ok && *p != '\0'; p++)
        ok = g_ascii_isalnum (*p) || *p == '-' || *p == '_';
      if (!ok)
        return respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                              "each help request needs created_at (Unix seconds) and a language code");
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *object = json_node_get_object (json_array_get_element (requests, i));
      const char *language = intake_json_get_string (object, "language");
      g_autoptr(GError) error = NULL;
      g_autofree char *client_key = NULL;
      gint64 created_at = 0, id = 0;
      gboolean is_new = FALSE;

      intake_json_get_int (object, "created_at", &created_at);
      /* The kiosk's own id makes a re-send idempotent; without one, the
       * n-th identical request of this batch is told apart by n. */
      if (intake_json_get_int (object, "id", &id))
        client_key = g_strdup_printf ("id:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%s", id, created_at, language);
      else
        {
          g_autofree char *base = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", created_at, language);
          guint k = GPOINTER_TO_UINT (g_hash_table_lookup (seen, base));

          g_hash_table_replace (seen, g_strdup (base), GUINT_TO_POINTER (k + 1));
          client_key = g_strdup_printf ("n:%s:%u", base, k);
        }
      if (!intake_store_put_help_request (self->store, device->device_id, client_key, created_at, language,
                                          now, &is_new, &error))
        return store_unavailable (msg, error);
      if (is_new)
        stored++;
      else
        duplicate++;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stored");
  json_builder_add_int_value (builder, stored);
  json_builder_set_member_name (builder, "duplicate");
  json_builder_add_int_value (builder, duplicate);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  IntakeServer *self = user_data;
  RequestLog *log = get_log (msg);
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = method == SOUP_METHOD_GET;
  gboolean is_post = method == SOUP_METHOD_POST;

  log->path = sanitize_path (path);
  log->route = route_for_path (path);

  if (log->too_large)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                     "the request body is over the 8 MiB limit; send fewer envelopes per request");
      return;
    }

  switch (log->route)
    {
    case ROUTE_HEALTHZ:
      if (is_get)
        return handle_healthz (self, msg);
      break;
    case ROUTE_METRICS:
      if (is_get)
        return handle_metrics (self, msg);
      break;
    case ROUTE_ENROLL:
      if (is_post)
        return handle_enroll (self, msg);
      break;
    case ROUTE_ENVELOPES:
      if (is_post)
        return handle_envelopes (self, msg);
      break;
    case ROUTE_QUESTIONNAIRE:
      if (is_get)
        return handle_questionnaire (self, msg);
      break;
    case ROUTE_HELP_REQUESTS:
      if (is_post)
        return handle_help_requests (self, msg);
      break;
    case ROUTE_REVIEW:
      return handle_review (self, msg, path, query);
    case ROUTE_OTHER:
    default:
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
      return;
    }
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
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

  g_clear_pointer (&self->office, intake_office_public_free);
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
  self->office = intake_office_public_copy (office);
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

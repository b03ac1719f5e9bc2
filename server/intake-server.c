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
  N_ROUTES
} Route;

static const char * const route_paths[N_ROUTES] = {
  [ROUTE_OTHER] = "other",
  [ROUTE_HEALTHZ] = "/healthz",
  [ROUTE_METRICS] = "/metrics",
  [ROUTE_ENROLL] = "/v1/enroll",
  [ROUTE_ENVELOPES] = "/v1/envelopes",
  [ROUTE_QUESTIONNAIRE] = "/v1/questionnaire",
};

/* What one request did, for its log line: ids and counts only, never
 * anything a resident wrote. */
typedef struct {
  gint64   started;                 /* monotonic, microseconds */
  Route    route;
  char    *path;                    /* sanitized, for the log */
  char     device_id[INTAKE_HEX_ID_LEN];
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

void
intake_signed_questionnaire_free (IntakeSignedQuestionnaire *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->canonical, g_bytes_unref);
  g_free (self->id);
  g_free (self);
}

/* Standard base64 with padding, nothing else (g_base64_decode accepts
 * anything). */
static guint8 *
decode_b64_strict (const char *text,
                   gsize      *out_len)
{
  gsize len = text != NULL ? strlen (text) : 0;
  gsize padding = 0;

  if (len == 0 || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i < len - 2)
            return NULL;
          padding++;
        }
      else if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }
  return g_base64_decode (text, out_len);
}

static const char *
json_string_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_load (const char                *path,
                                  const IntakeOfficePublic  *office,
                                  GError                   **error)
{
  g_autoptr(IntakeSignedQuestionnaire) self = g_new0 (IntakeSignedQuestionnaire, 1);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *canonical = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree char *base = g_path_get_basename (path);
  gsize canonical_len = 0, signature_len = 0;
  JsonObject *root;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "cannot read the signed questionnaire %s: %s", path, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !(root = json_node_get_object (json_parser_get_root (parser))) ||
      !(canonical = decode_b64_strict (json_string_member (root, "canonical"), &canonical_len)) ||
      !(signature = decode_b64_strict (json_string_member (root, "signature"), &signature_len)) ||
      signature_len != INTAKE_SIGNATURE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not a signed questionnaire (expected JSON with \"canonical\" and "
                   "\"signature\" in base64, as intake-admin questionnaire sign writes it)", path);
      return NULL;
    }

  self->canonical = g_bytes_new_take (g_steal_pointer (&canonical), canonical_len);
  memcpy (self->signature, signature, INTAKE_SIGNATURE_BYTES);
  if (!intake_office_public_verify (office, "questionnaire", self->canonical, self->signature, &local_error))
    {
      g_autofree char *key_id = intake_office_public_dup_key_id_hex (office);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the signature of %s does not verify with office key %s; sign it again with "
                   "intake-admin questionnaire sign and this office's key", path, key_id);
      return NULL;
    }
  if (!(questionnaire = intake_questionnaire_new_from_bytes (self->canonical, base, error)))
    return NULL;
  self->id = g_strdup (intake_questionnaire_get_id (questionnaire));
  self->version = intake_questionnaire_get_version (questionnaire);
  return g_steal_pointer (&self);
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
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *canonical = NULL;
  g_autofree char *signature = NULL;

  if (self->questionnaire == NULL)
    return json_node_new (JSON_NODE_NULL);

  canonical = g_base64_encode (g_bytes_get_data (self->questionnaire->canonical, NULL),
                               g_bytes_get_size (self->questionnaire->canonical));
  signature = g_base64_encode (self->questionnaire->signature, INTAKE_SIGNATURE_BYTES);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "canonical");
  json_builder_add_string_value (builder, canonical);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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
      !(code = json_string_member (request, "code")) ||
      !(pk = decode_b64_strict (json_string_member (request, "device_sign_pk"), &pk_len)) ||
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
          (data = decode_b64_strict (json_node_get_string (element), &len)) != NULL)
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

/* intake-server-kiosk.c: the routes kiosks call (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Enrollment with a one-time code, the signed questionnaire, envelope
 * uploads answered with a signed receipt, and help requests. Every route
 * but enrollment is signed by the device key.
 */
#include "config.h"

#include <string.h>

#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-server-private.h"
#include "intake-server-util.h"

static void
intake_bytes_unref0 (GBytes *bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

/* The signed headers of a device request and the device they name; on
 * failure answers and returns NULL. */
typedef struct {
  const char *timestamp;
  const char *nonce;
  const char *signature;
} SignedHeaders;

/* How long an upload takes a device's row from upload_devices instead of
 * the store. Only its key (which never changes: the id derives from it)
 * and its status are used, and the status is checked again inside the
 * upload's transaction (IntakeStoreUpload.active_device), so a revocation
 * is never missed; this only bounds how stale the rest of the row gets. */
#define DEVICE_CACHE_SECONDS 60

typedef struct {
  IntakeStoreDevice *device;
  gint64             fetched;   /* monotonic microseconds */
} CachedDevice;

static void
cached_device_free (CachedDevice *cached)
{
  intake_store_device_free (cached->device);
  g_free (cached);
}

/* The signing device of @msg, from the store, or with @cached from the
 * uploads' cache of active devices when it is fresh enough (and put there
 * when it is not). On failure answers and returns NULL. */
static IntakeStoreDevice *
find_signer (IntakeServer      *self,
             SoupServerMessage *msg,
             gboolean           cached,
             SignedHeaders     *out_headers)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *device_hex = soup_message_headers_get_one (headers, INTAKE_HEADER_DEVICE);
  guint8 device_id[INTAKE_DEVICE_ID_BYTES];
  IntakeStoreDevice *device;
  g_autoptr(GError) error = NULL;

  out_headers->timestamp = soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP);
  out_headers->nonce = soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE);
  out_headers->signature = soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE);
  if (device_hex == NULL || out_headers->timestamp == NULL || out_headers->nonce == NULL ||
      out_headers->signature == NULL || !intake_hex_decode (device_hex, device_id, sizeof device_id) ||
      strlen (device_hex) != 32)
    {
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated",
                                   "the request is not signed: Intake-Device, Intake-Timestamp, Intake-Nonce and "
                                   "Intake-Signature are required");
      return NULL;
    }

  if (cached && self->upload_devices != NULL)
    {
      CachedDevice *hit = g_hash_table_lookup (self->upload_devices, device_hex);

      if (hit != NULL && g_get_monotonic_time () - hit->fetched < DEVICE_CACHE_SECONDS * G_USEC_PER_SEC)
        {
          g_strlcpy (intake_server_request_log (msg)->device_id, hit->device->device_id,
                     sizeof intake_server_request_log (msg)->device_id);
          return intake_store_device_copy (hit->device);
        }
    }
  if (!(device = intake_store_get_device (self->store, device_hex, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unknown_device",
                                     "this device is not enrolled; enroll it with a code from staff");
      else
        intake_server_store_unavailable (msg, error);
      return NULL;
    }
  g_strlcpy (intake_server_request_log (msg)->device_id, device->device_id,
             sizeof intake_server_request_log (msg)->device_id);
  /* An upload puts its device in the cache; any request's fresh look-up
   * refreshes its entry, or takes it out once the device is revoked. */
  if (device->status == INTAKE_DEVICE_STATUS_ACTIVE &&
      (cached || (self->upload_devices != NULL && g_hash_table_contains (self->upload_devices, device->device_id))))
    {
      CachedDevice *entry = g_new0 (CachedDevice, 1);

      if (self->upload_devices == NULL)
        self->upload_devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify)cached_device_free);
      entry->device = intake_store_device_copy (device);
      entry->fetched = g_get_monotonic_time ();
      g_hash_table_replace (self->upload_devices, entry->device->device_id, entry);
    }
  else if (device->status != INTAKE_DEVICE_STATUS_ACTIVE && self->upload_devices != NULL)
    g_hash_table_remove (self->upload_devices, device->device_id);
  return device;
}

/* The request signature of @device over @body; safe on any thread. */
static gboolean
verify_signer (const IntakeStoreDevice *device,
               const char              *method,
               IntakeServerRoute        route,
               GBytes                  *body,
               const SignedHeaders     *headers,
               GError                 **error)
{
  IntakeDevicePublic device_public;

  if (!intake_hex_decode (device->device_id, device_public.device_id, sizeof device_public.device_id))
    {
      g_set_error_literal (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
                           "the device id is not hexadecimal");
      return FALSE;
    }
  memcpy (device_public.sign_pk, device->sign_pk, sizeof device_public.sign_pk);
  return intake_protocol_verify_request (&device_public, method, intake_server_route_path (route), body,
                                         headers->timestamp, headers->nonce, headers->signature,
                                         g_get_real_time () / G_USEC_PER_SEC, error);
}

static void
respond_bad_signature (SoupServerMessage *msg,
                       const GError      *error)
{
  if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP))
    intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "stale_timestamp", error->message);
  else if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE))
    intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_signature", error->message);
  else
    intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated", error->message);
}

static void
respond_device_revoked (SoupServerMessage *msg)
{
  intake_server_respond_error (msg, SOUP_STATUS_FORBIDDEN, "device_revoked",
                               "this device has been revoked; ask staff to enroll the kiosk again "
                               "with a new key");
}

/* After a good signature: each nonce once (a captured request cannot be
 * sent again), then a revoked device is refused, only now, so that an
 * unsigned probe learns nothing about which devices are revoked. (An
 * upload records its nonce in the envelopes' transaction instead.) On
 * failure answers and returns FALSE. */
static gboolean
admit_signer (IntakeServer            *self,
              SoupServerMessage       *msg,
              const IntakeStoreDevice *device,
              const SignedHeaders     *headers)
{
  if (!intake_server_use_nonce (self, msg, device->device_id, headers->nonce,
                                g_ascii_strtoll (headers->timestamp, NULL, 10)))
    return FALSE;

  if (device->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      respond_device_revoked (msg);
      return FALSE;
    }
  return TRUE;
}

/* Checks the device signature headers of a request to @route; on failure
 * answers and returns NULL. */
static IntakeStoreDevice *
authenticate (IntakeServer      *self,
              SoupServerMessage *msg,
              IntakeServerRoute  route,
              GBytes            *body)
{
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  SignedHeaders headers;

  if (!(device = find_signer (self, msg, FALSE, &headers)))
    return NULL;
  if (!verify_signer (device, soup_server_message_get_method (msg), route, body, &headers, &error))
    {
      respond_bad_signature (msg, error);
      return NULL;
    }
  if (!admit_signer (self, msg, device, &headers))
    return NULL;
  return g_steal_pointer (&device);
}

static void
replayed (IntakeServer      *self,
          SoupServerMessage *msg)
{
  self->replayed++;
  intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "replayed_request",
                               "this request (its nonce) was seen before; a request is accepted once. "
                               "Send a new request with a new nonce");
}

static JsonNode *
questionnaire_node (IntakeServer *self)
{
  if (self->questionnaire == NULL)
    return json_node_new (JSON_NODE_NULL);
  return intake_signed_questionnaire_to_json (self->questionnaire);
}

/* POST /v1/enroll: a one-time code and the device's public key, signed
 * with that very key (context "enroll"), so that nobody with a fresh code
 * can register another kiosk's key or move it to another location. */
void
intake_server_handle_enroll (IntakeServer      *self,
                             SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pk = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *location = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *office_b64 = NULL;
  g_autofree char *server_b64 = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *signed_device = soup_message_headers_get_one (headers, INTAKE_HEADER_DEVICE);
  const char *timestamp = soup_message_headers_get_one (headers, INTAKE_HEADER_TIMESTAMP);
  const char *nonce = soup_message_headers_get_one (headers, INTAKE_HEADER_NONCE);
  const char *signature = soup_message_headers_get_one (headers, INTAKE_HEADER_SIGNATURE);
  IntakeDevicePublic device;
  JsonObject *request;
  gsize pk_len = 0;
  const char *code;

  if (!(request = intake_server_parse_json_object (body, parser, &error)) ||
      !(code = intake_json_get_string (request, "code")) ||
      !(pk = intake_base64_decode_strict (intake_json_get_string (request, "device_sign_pk"), &pk_len)) ||
      pk_len != INTAKE_SIGN_PUBLIC_BYTES)
    {
      intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                   intake_server_body_problem (error, "expected {\"code\": \"...\", "
                                                               "\"device_sign_pk\": \"<base64 of 32 bytes>\"}"));
      return;
    }

  memcpy (device.sign_pk, pk, sizeof device.sign_pk);
  intake_device_id_from_public_key (device.sign_pk, device.device_id);
  device_id = intake_hex_encode (device.device_id, sizeof device.device_id);
  g_strlcpy (intake_server_request_log (msg)->device_id, device_id, INTAKE_HEX_ID_LEN);

  /* Proof of possession: the request is signed by the key it registers. */
  if (signed_device == NULL || !g_str_equal (signed_device, device_id))
    {
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated",
                                   "enrollment is signed with the device key it registers (protocol 2): "
                                   "Intake-Device must be the id of device_sign_pk, with Intake-Timestamp, "
                                   "Intake-Nonce and Intake-Signature; update the kiosk");
      return;
    }
  if (!intake_protocol_verify_request_with (&device, INTAKE_PROTOCOL_ENROLL_CONTEXT, SOUP_METHOD_POST,
                                            intake_server_route_path (INTAKE_SERVER_ROUTE_ENROLL), body,
                                            timestamp, nonce, signature, intake_server_now_seconds (), &error))
    {
      if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP))
        intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "stale_timestamp", error->message);
      else if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE))
        intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_signature",
                                     "the enrollment is not signed by the device key it registers");
      else
        intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated", error->message);
      return;
    }
  if (!intake_server_use_nonce (self, msg, device_id, nonce, g_ascii_strtoll (timestamp, NULL, 10)))
    return;

  if (!(normalized = intake_enroll_code_normalize (code)))
    {
      intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_code",
                                   "unknown enrollment code; check it or ask staff for a new one");
      return;
    }
  code_hash = intake_enroll_code_hash (normalized);
  if (!(location = intake_store_consume_enroll_code (self->store, code_hash, &device, intake_server_now_seconds (),
                                                      &previous, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE))
        intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_code", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED))
        intake_server_respond_error (msg, SOUP_STATUS_GONE, "code_used", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXPIRED))
        intake_server_respond_error (msg, SOUP_STATUS_GONE, "code_expired", error->message);
      else if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED))
        intake_server_respond_error (msg, SOUP_STATUS_FORBIDDEN, "device_revoked", error->message);
      else
        intake_server_store_unavailable (msg, error);
      return;
    }

  /* A kiosk that moves (its own key, a new code from staff) is not silent:
   * which location its submissions are filed under decides which
   * reviewers see them. */
  if (previous != NULL && !g_str_equal (previous, location))
    {
      g_autofree char *object = g_strdup_printf ("%s location=%s previous=%s", device_id, location, previous);
      g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (intake_server_now_seconds (), "device",
                                                                  "device_relocate", object, "ok",
                                                                  soup_server_message_get_remote_host (msg) != NULL
                                                                    ? soup_server_message_get_remote_host (msg)
                                                                    : "unknown");
      g_autofree char *fields = g_strdup_printf ("device=%s", device_id);

      intake_server_log ("warning", "device_relocated", fields);
      if (!intake_store_append_audit (self->store, event, &error))
        {
          intake_server_store_unavailable (msg, error);
          return;
        }
    }

  office_b64 = g_base64_encode (g_bytes_get_data (self->office_blob, NULL), g_bytes_get_size (self->office_blob));
  server_b64 = g_base64_encode (self->server_public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, INTAKE_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_set_member_name (builder, "office_public");
  json_builder_add_string_value (builder, office_b64);
  intake_server_add_office_rotations (self, builder);
  json_builder_set_member_name (builder, "server_public");
  json_builder_add_string_value (builder, server_b64);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, self->server_key_id);
  json_builder_set_member_name (builder, "questionnaire");
  json_builder_add_value (builder, questionnaire_node (self));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  intake_server_respond_json (msg, SOUP_STATUS_OK, root);
}

/* The answer of GET /v1/office-keys and POST /v1/check-in: the key new
 * sessions are sealed for and the signed statements that lead to it and to
 * the current server key, oldest first. The statements prove themselves. */
static void
respond_keys (IntakeServer      *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *office_b64 = g_base64_encode (g_bytes_get_data (self->office_blob, NULL),
                                                 g_bytes_get_size (self->office_blob));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "office_public");
  json_builder_add_string_value (builder, office_b64);
  intake_server_add_office_rotations (self, builder);
  json_builder_set_member_name (builder, "server_rotations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->server_rotations->len; i++)
    {
      GBytes *blob = g_ptr_array_index (self->server_rotations, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  intake_server_respond_json (msg, SOUP_STATUS_OK, root);
}

/* GET /v1/office-keys (docs/protocol.md, "Office key rotation"). The
 * signature only keeps the answer to enrolled kiosks. */
void
intake_server_handle_office_keys (IntakeServer      *self,
                                  SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;

  if (!(device = authenticate (self, msg, INTAKE_SERVER_ROUTE_OFFICE_KEYS, body)))
    return;
  respond_keys (self, msg);
}

/* A short plain text of [A-Za-z0-9._/-:+] (questionnaire ids and versions,
 * app versions, status codes); "" allowed. */
static gboolean
is_report_text (const char *text,
                gsize       max)
{
  if (text == NULL || strlen (text) > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._/-:+~", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* POST /v1/check-in (docs/protocol.md, "Check-in"): once per sync pass the
 * kiosk says how it is (for intake-admin device list and /metrics) and
 * gets the keys. No answer content, only counts, versions and a status code. */
void
intake_server_handle_check_in (IntakeServer      *self,
                               SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const members[] = {
    "pending", "oldest_pending_at", "questionnaire", "app_version", "last_error", NULL
  };
  IntakeStoreCheckIn report = { 0 };
  JsonObject *request;
  gboolean ok;

  if (!(device = authenticate (self, msg, INTAKE_SERVER_ROUTE_CHECK_IN, body)))
    return;
  request = intake_server_parse_json_object (body, parser, &parse_error);
  ok = request != NULL && json_object_get_size (request) == g_strv_length ((char **)members);
  for (guint i = 0; ok && members[i] != NULL; i++)
    ok = json_object_has_member (request, members[i]);
  ok = ok && intake_json_get_int (request, "pending", &report.pending) && report.pending >= 0 &&
       report.pending <= G_MAXINT32 &&
       intake_json_get_int (request, "oldest_pending_at", &report.oldest_pending_at) &&
       report.oldest_pending_at >= 0 &&
       is_report_text ((report.questionnaire = intake_json_get_string (request, "questionnaire")), 128) &&
       is_report_text ((report.app_version = intake_json_get_string (request, "app_version")), 64) &&
       is_report_text ((report.last_error = intake_json_get_string (request, "last_error")), 64);
  if (!ok)
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        intake_server_body_problem (parse_error,
                                                                    "expected {\"pending\": N, \"oldest_pending_at\": T, "
                                                                    "\"questionnaire\": \"ID/VERSION\", \"app_version\": "
                                                                    "\"..\", \"last_error\": \"code or empty\"} (short "
                                                                    "plain texts)"));
  if (!intake_store_record_check_in (self->store, device->device_id, &report, intake_server_now_seconds (), &error))
    return intake_server_store_unavailable (msg, error);
  respond_keys (self, msg);
}

void
intake_server_handle_questionnaire (IntakeServer      *self,
                                    SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!(device = authenticate (self, msg, INTAKE_SERVER_ROUTE_QUESTIONNAIRE, body)))
    return;
  if (self->questionnaire == NULL)
    {
      intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "no_questionnaire",
                                   "this server has no signed questionnaire; keep using the current one");
      return;
    }
  root = questionnaire_node (self);
  intake_server_respond_json (msg, SOUP_STATUS_OK, root);
}

/* Group commit across requests ------------------------------------------

 * Each upload is checked (signatures: the CPU-bound part) in its handler,
 * then queued with its message paused. The queue is stored in one
 * transaction, one durable commit, when the main loop has nothing else to
 * do (an idle at low priority: every request that arrived during the last
 * commit's fsync has been read and checked by then), after at most
 * FLUSH_DELAY_MS, or at once when it holds FLUSH_MAX_ENVELOPES. Only then
 * are the receipts signed and the answers sent: a receipt names only
 * durable envelopes. If the commit fails, nothing of any queued request
 * was stored and each is answered 503, which its kiosk retries. */
#define FLUSH_DELAY_MS       10
#define FLUSH_MAX_ENVELOPES  1000

typedef struct {
  SoupServerMessage *msg;
  IntakeStoreDevice *device;
  IntakeAcceptBatch *batch;
  gint64             now;
} QueuedUpload;

static void
queued_upload_free (QueuedUpload *queued)
{
  g_object_unref (queued->msg);
  intake_store_device_free (queued->device);
  intake_accept_batch_free (queued->batch);
  g_free (queued);
}

static void
respond_upload (IntakeServer       *self,
                SoupServerMessage  *msg,
                IntakeStoreDevice  *device,
                IntakeAcceptBatch  *batch,
                gint64              now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  g_autoptr(GBytes) receipt = NULL;
  g_autofree char *receipt_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  IntakeRequestLog *log = intake_server_request_log (msg);
  const IntakeAcceptResult *results;
  guint n;

  if (!intake_accept_batch_get_nonce_fresh (batch))
    {
      replayed (self, msg);
      return;
    }
  /* Revoked since the request's device was looked up (or cached). */
  if (intake_accept_batch_get_device_inactive (batch))
    {
      if (self->upload_devices != NULL)
        g_hash_table_remove (self->upload_devices, device->device_id);
      respond_device_revoked (msg);
      return;
    }
  results = intake_accept_batch_get_results (batch, &n);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      const IntakeAcceptResult result = results[i];

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
  intake_server_respond_json (msg, SOUP_STATUS_OK, root);
}

static void flush_uploads (IntakeServer *self);

static void
store_uploads_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  IntakeServer *self = source;
  GPtrArray *queue = task_data;
  g_autofree IntakeAcceptBatch **batches = g_new0 (IntakeAcceptBatch *, queue->len + 1);
  GError *error = NULL;

  for (guint i = 0; i < queue->len; i++)
    batches[i] = ((QueuedUpload *)g_ptr_array_index (queue, i))->batch;
  if (intake_accept_batches_store (self->upload_store, batches, queue->len, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The upload connection's commits only append to SQLite's write-ahead
 * log; every CHECKPOINT_ENVELOPES stored envelopes a thread copies it into
 * the database on a third connection, so that no commit (and no waiting
 * kiosk) pays for that copy and its fsync. */
#define CHECKPOINT_ENVELOPES 500

static void
checkpoint_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  IntakeServer *self = source;
  GError *error = NULL;

  if (intake_store_checkpoint (self->checkpoint_store, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
checkpoint_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  IntakeServer *self = INTAKE_SERVER (source);
  g_autoptr(GError) error = NULL;

  self->checkpointing = FALSE;
  /* Not an upload's failure: the log stays and the next one copies it. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *fields = g_strdup_printf ("error=checkpoint detail=\"%s\"", error->message);

      intake_server_log ("warning", "store", fields);
    }
}

static void
maybe_checkpoint (IntakeServer *self,
                  guint         stored)
{
  g_autoptr(GTask) task = NULL;

  self->envelopes_since_checkpoint += stored;
  if (self->checkpoint_store == NULL || self->checkpointing ||
      self->envelopes_since_checkpoint < CHECKPOINT_ENVELOPES)
    return;
  self->checkpointing = TRUE;
  self->envelopes_since_checkpoint = 0;
  task = g_task_new (self, NULL, checkpoint_done, NULL);
  g_task_set_source_tag (task, maybe_checkpoint);
  g_task_run_in_thread (task, checkpoint_thread);
}

static void
store_uploads_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  IntakeServer *self = INTAKE_SERVER (source);
  g_autoptr(GPtrArray) queue = g_steal_pointer (&self->committing_uploads);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->upload_commits++;
  self->upload_commit_requests += queue->len;
  for (guint i = 0; i < queue->len; i++)
    {
      QueuedUpload *queued = g_ptr_array_index (queue, i);

      if (ok)
        respond_upload (self, queued->msg, queued->device, queued->batch, queued->now);
      else
        intake_server_store_unavailable (queued->msg, error);
      soup_server_message_unpause (queued->msg);
    }
  if (ok)
    {
      guint stored = 0;

      for (guint i = 0; i < queue->len; i++)
        {
          QueuedUpload *queued = g_ptr_array_index (queue, i);
          const IntakeAcceptResult *results;
          guint n;

          results = intake_accept_batch_get_results (queued->batch, &n);
          for (guint k = 0; k < n; k++)
            stored += results[k].status == INTAKE_ACCEPT_STORED;
        }
      maybe_checkpoint (self, stored);
    }
  /* What arrived during this commit goes into the next one at once. */
  if (self->queued_uploads != NULL && self->queued_uploads->len > 0)
    flush_uploads (self);
}

gboolean
intake_server_open_upload_stores (IntakeServer  *self,
                                  GError       **error)
{
  if (self->upload_store == NULL && !(self->upload_store = intake_store_open_another (self->store, error)))
    {
      g_prefix_error (error, "cannot open a second connection to the store for uploads: ");
      return FALSE;
    }
  if (self->checkpoint_store == NULL && intake_store_get_directory (self->store) != NULL &&
      !(self->checkpoint_store = intake_store_open_another (self->store, error)))
    {
      g_prefix_error (error, "cannot open a third connection to the store for checkpoints: ");
      return FALSE;
    }
  return TRUE;
}

/* One commit at a time, on the upload connection in a thread: the main
 * thread goes on reading, authenticating and answering meanwhile, and what
 * is checked during the commit is stored by the next one. */
static void
flush_uploads (IntakeServer *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->flush_idle_id, g_source_remove);
  g_clear_handle_id (&self->flush_timeout_id, g_source_remove);
  if (self->committing_uploads != NULL || self->queued_uploads == NULL || self->queued_uploads->len == 0)
    return;

  self->committing_uploads = g_steal_pointer (&self->queued_uploads);
  self->queued_envelopes = 0;
  if (!intake_server_open_upload_stores (self, &error))
    {
      g_autoptr(GPtrArray) queue = g_steal_pointer (&self->committing_uploads);

      for (guint i = 0; i < queue->len; i++)
        {
          QueuedUpload *queued = g_ptr_array_index (queue, i);

          intake_server_store_unavailable (queued->msg, error);
          soup_server_message_unpause (queued->msg);
        }
      return;
    }
  task = g_task_new (self, NULL, store_uploads_done, NULL);
  g_task_set_source_tag (task, flush_uploads);
  g_task_set_task_data (task, g_ptr_array_ref (self->committing_uploads), (GDestroyNotify)g_ptr_array_unref);
  g_task_run_in_thread (task, store_uploads_thread);
}

void
intake_server_wait_for_upload_commit (IntakeServer *self)
{
  while (self->committing_uploads != NULL || self->checkpointing || self->uploads_being_checked > 0 ||
         (self->queued_uploads != NULL && self->queued_uploads->len > 0))
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  IntakeServer *self = user_data;

  self->flush_idle_id = 0;
  flush_uploads (self);
  return G_SOURCE_REMOVE;
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  IntakeServer *self = user_data;

  self->flush_timeout_id = 0;
  flush_uploads (self);
  return G_SOURCE_REMOVE;
}

static void
queue_upload (IntakeServer      *self,
              SoupServerMessage *msg,
              IntakeStoreDevice *device,
              IntakeAcceptBatch *batch,
              gint64             now)
{
  QueuedUpload *queued = g_new0 (QueuedUpload, 1);
  guint n = 0;

  queued->msg = g_object_ref (msg);
  queued->device = device;
  queued->batch = batch;
  queued->now = now;
  intake_accept_batch_get_results (batch, &n);
  if (self->queued_uploads == NULL)
    self->queued_uploads = g_ptr_array_new_with_free_func ((GDestroyNotify)queued_upload_free);
  g_ptr_array_add (self->queued_uploads, queued);
  self->queued_envelopes += n;
  soup_server_message_pause (msg);

  if (self->queued_envelopes >= FLUSH_MAX_ENVELOPES)
    {
      flush_uploads (self);
      return;
    }
  if (self->flush_idle_id == 0)
    self->flush_idle_id = g_idle_add_full (G_PRIORITY_LOW, flush_idle_cb, self, NULL);
  /* Under a steady stream of requests the idle may wait: the timeout
   * bounds the wait. */
  if (self->flush_timeout_id == 0)
    self->flush_timeout_id = g_timeout_add (FLUSH_DELAY_MS, flush_timeout_cb, self);
}

/* Checking an upload off the main thread -------------------------------- */

/* Up to this size (about four envelopes) an upload is checked on the main
 * thread. */
#define INLINE_CHECK_BYTES (12 * 1024)

/* What a worker found wrong with an upload, answered on the main thread. */
typedef enum {
  UPLOAD_OK,
  UPLOAD_BAD_SIGNATURE,  /* 401, the nonce not used */
  UPLOAD_MALFORMED,      /* 400 malformed_body, the nonce used */
} UploadProblem;

typedef struct {
  IntakeServer      *self;
  SoupServerMessage *msg;
  IntakeStoreDevice *device;
  char              *method;
  char              *timestamp;
  char              *nonce_text;
  char              *signature;
  GBytes            *body;
  gint64             now;
  GMainContext      *context;   /* checked on the pool: where the result goes */
  /* The results */
  UploadProblem      problem;
  GError            *error;
  IntakeAcceptBatch *batch;
} UploadCheck;

static void
upload_check_free (UploadCheck *check)
{
  g_object_unref (check->self);
  g_object_unref (check->msg);
  if (check->context != NULL)
    g_main_context_unref (check->context);
  intake_store_device_free (check->device);
  g_free (check->method);
  g_free (check->timestamp);
  g_free (check->nonce_text);
  g_free (check->signature);
  g_bytes_unref (check->body);
  g_clear_error (&check->error);
  intake_accept_batch_free (check->batch);
  g_free (check);
}

/* An upload's body the full way (strict JSON, then json-glib): its
 * envelopes decoded (NULL for an element that is not a strict base64
 * string), or NULL with @error saying what is wrong. Past the batch limit
 * nothing is decoded. */
static GPtrArray *
parse_envelope_list (GBytes  *body,
                     GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  JsonObject *request;
  JsonNode *node;
  JsonArray *envelopes;
  guint n;

  if (!(request = intake_server_parse_json_object (body, parser, &parse_error)) ||
      !(node = json_object_get_member (request, "envelopes")) || !JSON_NODE_HOLDS_ARRAY (node))
    {
      *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                    intake_server_body_problem (parse_error,
                                                                "expected {\"envelopes\": [\"<base64 envelope>\", ...]}"));
      return NULL;
    }
  envelopes = json_node_get_array (node);
  n = json_array_get_length (envelopes);
  list = g_ptr_array_new_full (n, (GDestroyNotify)intake_bytes_unref0);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (envelopes, i);
      guint8 *data = NULL;
      gsize len = 0;

      /* Only counted past the limit: the caller refuses the request. */
      if (n <= INTAKE_PROTOCOL_MAX_BATCH && JSON_NODE_HOLDS_VALUE (element) &&
          json_node_get_value_type (element) == G_TYPE_STRING)
        data = intake_base64_decode_strict (json_node_get_string (element), &len);
      g_ptr_array_add (list, data != NULL ? g_bytes_new_take (data, len) : NULL);
    }
  return g_steal_pointer (&list);
}

/* Worker thread: the whole body's work (the request signature over it, the
 * JSON, base64 and every envelope's checks) touches only the request, the
 * device row and the office keys, which nothing changes while the server
 * runs; the main thread only reads requests, commits and answers. */
static void
check_upload (UploadCheck *check)
{
  SignedHeaders headers = { check->timestamp, check->nonce_text, check->signature };
  g_autoptr(GPtrArray) envelope_list = NULL;
  IntakeStoreNonce nonce = { check->device->device_id, check->nonce_text,
                             g_ascii_strtoll (check->timestamp, NULL, 10) + INTAKE_PROTOCOL_TIMESTAMP_WINDOW };
  const char *data;
  gsize len;

  if (!verify_signer (check->device, check->method, INTAKE_SERVER_ROUTE_ENVELOPES, check->body, &headers,
                      &check->error))
    {
      check->problem = UPLOAD_BAD_SIGNATURE;
      return;
    }

  /* The body's usual shape in one pass (a third of the check's time
   * with json-glib); any other shape the full way, which also says what
   * is wrong with it. */
  data = g_bytes_get_data (check->body, &len);
  if (!(envelope_list = intake_json_scan_base64_list (data, len, "envelopes", INTAKE_PROTOCOL_MAX_BATCH)) &&
      !(envelope_list = parse_envelope_list (check->body, &check->error)))
    {
      check->problem = UPLOAD_MALFORMED;
      return;
    }
  if (envelope_list->len > INTAKE_PROTOCOL_MAX_BATCH)
    {
      check->problem = UPLOAD_MALFORMED;
      check->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                          "at most 100 envelopes per request; send the rest in another request");
      return;
    }

  check->batch = intake_accept_batch_new (&check->self->office_keys->set, check->device, &nonce,
                                          envelope_list->len, (GBytes * const *)envelope_list->pdata,
                                          INTAKE_ENVELOPE_SOURCE_UPLOAD, check->now);
}

static gboolean check_upload_done (gpointer data);

/* A thread of the checks' pool: checks @data (an UploadCheck) and hands
 * it back to the main context, which frees it. Nothing is released here:
 * the last reference on the server (and the message) must not drop on a
 * pool thread, where finalizing it would wait for the pool itself. */
static void
check_upload_thread (gpointer data,
                     gpointer user_data)
{
  UploadCheck *check = data;

  check_upload (check);
  g_main_context_invoke_full (check->context, G_PRIORITY_DEFAULT, check_upload_done, check, NULL);
}

/* The checks run on a pool of their own, one thread fewer than the
 * machine has cores (at least one): the serial part of ingest, the
 * main thread and the one commit at a time, always has a core, instead of
 * waiting behind four checks on GLib's shared pool (on two cores that
 * cost SQLite a tenth of its rate, docs/performance.md). */
static GThreadPool *
check_pool (IntakeServer *self)
{
  if (self->check_pool == NULL)
    self->check_pool = g_thread_pool_new (check_upload_thread, NULL, MAX (1, (int)g_get_num_processors () - 1),
                                          FALSE, NULL);
  return self->check_pool;
}

/* On the main thread: answers a refused upload or queues it for the next
 * commit. @paused: the message was paused while it was checked. */
static void
finish_check (IntakeServer *self,
              UploadCheck  *check,
              gboolean      paused)
{
  switch (check->problem)
    {
    case UPLOAD_BAD_SIGNATURE:
      respond_bad_signature (check->msg, check->error);
      break;
    case UPLOAD_MALFORMED:
      /* A refused request uses its nonce up all the same (and a replayed
       * one is told so first), as before the nonce moved into the
       * envelopes' transaction. */
      if (intake_server_use_nonce (self, check->msg, check->device->device_id, check->nonce_text,
                                   g_ascii_strtoll (check->timestamp, NULL, 10)))
        intake_server_respond_error (check->msg, SOUP_STATUS_BAD_REQUEST, "malformed_body", check->error->message);
      break;
    case UPLOAD_OK:
    default:
      /* The queue takes the message (paused until the commit), the device
       * and the batch. */
      queue_upload (self, check->msg, g_steal_pointer (&check->device), g_steal_pointer (&check->batch), check->now);
      return;
    }
  if (paused)
    soup_server_message_unpause (check->msg);
}

/* On the main context, for each upload checked on the pool. */
static gboolean
check_upload_done (gpointer data)
{
  UploadCheck *check = data;
  IntakeServer *self = check->self;

  self->uploads_being_checked--;
  finish_check (self, check, TRUE);
  upload_check_free (check);
  return G_SOURCE_REMOVE;
}

void
intake_server_drop_queued_uploads (IntakeServer *self)
{
  g_autoptr(GPtrArray) queue = g_steal_pointer (&self->queued_uploads);

  g_clear_handle_id (&self->flush_idle_id, g_source_remove);
  g_clear_handle_id (&self->flush_timeout_id, g_source_remove);
  self->queued_envelopes = 0;
  if (queue == NULL)
    return;
  for (guint i = 0; i < queue->len; i++)
    {
      QueuedUpload *queued = g_ptr_array_index (queue, i);

      intake_server_respond_error (queued->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "store_unavailable",
                                   "the server is stopping; retry later");
      soup_server_message_unpause (queued->msg);
    }
}

void
intake_server_handle_envelopes (IntakeServer      *self,
                                SoupServerMessage *msg)
{
  g_autoptr(IntakeStoreDevice) device = NULL;
  SignedHeaders headers;
  UploadCheck *check;

  if (!(device = find_signer (self, msg, TRUE, &headers)))
    return;

  /* A revoked device is answered here, in the order every request is:
   * signature, nonce, then the refusal. */
  if (device->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      g_autoptr(GBytes) body = intake_server_request_body (msg);
      g_autoptr(GError) error = NULL;

      if (!verify_signer (device, soup_server_message_get_method (msg), INTAKE_SERVER_ROUTE_ENVELOPES, body,
                          &headers, &error))
        respond_bad_signature (msg, error);
      else
        admit_signer (self, msg, device, &headers);
      return;
    }

  /* Group commit: the request is checked on a worker thread (its
   * signature, JSON and envelope signatures are the CPU-bound part), so the
   * main thread goes on reading requests and committing meanwhile; the
   * envelopes that pass wait for the next commit, which other requests
   * share (flush_uploads()). The nonce is recorded in that transaction:
   * one durable commit per request. The answer, and the receipt, come
   * after it. */
  check = g_new0 (UploadCheck, 1);
  check->self = g_object_ref (self);
  check->msg = g_object_ref (msg);
  check->device = g_steal_pointer (&device);
  check->method = g_strdup (soup_server_message_get_method (msg));
  check->timestamp = g_strdup (headers.timestamp);
  check->nonce_text = g_strdup (headers.nonce);
  check->signature = g_strdup (headers.signature);
  check->body = intake_server_request_body (msg);
  check->now = g_get_real_time () / G_USEC_PER_SEC;
  /* A small upload (a kiosk's usual one or two submissions) is checked
   * here: handing it to a thread and back would cost it more than the
   * check. */
  if (g_bytes_get_size (check->body) <= INLINE_CHECK_BYTES)
    {
      check_upload (check);
      finish_check (self, check, FALSE);
      upload_check_free (check);
      return;
    }
  check->context = g_main_context_ref_thread_default ();
  self->uploads_being_checked++;
  soup_server_message_pause (msg);
  g_thread_pool_push (check_pool (self), check, NULL);
}

/* POST /v1/help-requests from a kiosk: counted, never audited. */
void
intake_server_handle_help_requests (IntakeServer      *self,
                                    SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) parse_error = NULL;
  JsonObject *request;
  JsonNode *node;
  JsonArray *requests;
  guint stored = 0, duplicate = 0;
  gint64 now = intake_server_now_seconds ();
  guint n;

  if (!(device = authenticate (self, msg, INTAKE_SERVER_ROUTE_HELP_REQUESTS, body)))
    return;
  if (!(request = intake_server_parse_json_object (body, parser, &parse_error)) ||
      !(node = json_object_get_member (request, "requests")) || !JSON_NODE_HOLDS_ARRAY (node) ||
      (n = json_array_get_length ((requests = json_node_get_array (node)))) > INTAKE_PROTOCOL_MAX_BATCH)
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        intake_server_body_problem (parse_error,
                                                                    "expected {\"requests\": [{\"id\": N, "
                                                                    "\"created_at\": T, \"language\": \"..\"}, "
                                                                    "...]} (at most 100)"));

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
        return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
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
        return intake_server_store_unavailable (msg, error);
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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

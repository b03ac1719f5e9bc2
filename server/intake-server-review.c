/* intake-server-review.c: the routes reviewers call, /v1/review/...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Review protocol (staff)": unlock, the submission
 * list, fetch, workflow changes, notes, a submission's audit history,
 * client events, questionnaires and help-request counts. Every route but
 * unlock is signed by the reviewer's key, and every access is an audit
 * event recorded before anything is sent.
 */
#include "config.h"

#include <string.h>

#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-reference.h"
#include "intake-review-request.h"
#include "intake-server-private.h"

/* Unlock answers per reviewer name and minute (docs/protocol.md, "Unlock"). */
#define UNLOCK_LIMIT        5
#define UNLOCK_WINDOW_US    (60 * G_USEC_PER_SEC)

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
  g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (intake_server_now_seconds (), actor, action, object,
                                                              result, origin_of (msg));
  g_autoptr(GError) error = NULL;

  if (!intake_store_append_audit (self->store, event, &error))
    {
      intake_server_store_unavailable (msg, error);
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
  intake_server_respond_error (msg, status, code, message);
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
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthenticated",
                                   "review requests are signed: Intake-Reviewer, Intake-Timestamp, Intake-Nonce and "
                                   "Intake-Signature are required");
      return FALSE;
    }
  if (!(ctx->reviewer = intake_store_get_reviewer (self->store, reviewer_hex, NULL, &error)))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unknown_reviewer",
                                     "no reviewer has this key; ask an administrator (intake-admin reviewer add)");
      else
        intake_server_store_unavailable (msg, error);
      return FALSE;
    }
  g_strlcpy (intake_server_request_log (msg)->reviewer_id, ctx->reviewer->reviewer_id, INTAKE_HEX_ID_LEN);

  memcpy (reviewer_public.reviewer_id, id, sizeof id);
  memcpy (reviewer_public.sign_pk, ctx->reviewer->sign_pk, sizeof reviewer_public.sign_pk);
  if (!intake_review_verify_request (&reviewer_public, soup_server_message_get_method (msg), signed_path,
                                     body, timestamp, nonce, signature, intake_server_now_seconds (), &error))
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
  g_autoptr(GBytes) body = intake_server_request_body (msg);
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

  if (!(request = intake_server_parse_json_object (body, parser)) ||
      !(name = intake_json_get_string (request, "name")) ||
      *name == '\0' || strlen (name) > 128)
    {
      intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body", "expected {\"name\": \"...\"}");
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
        intake_server_respond_error (msg, 429, "slow_down", "too many unlock attempts for this name; wait a minute");
      return;
    }
  g_array_append_val (attempts, now);

  if (!(reviewer = intake_store_get_reviewer (self->store, NULL, name, &error)) ||
      reviewer->status != INTAKE_REVIEWER_STATUS_ACTIVE)
    {
      if (error != NULL && !g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        {
          intake_server_store_unavailable (msg, error);
          return;
        }
      if (audit (self, msg, name, "unlock", name, "unknown"))
        intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown_reviewer",
                                     "no active reviewer has this name; check it or ask an administrator");
      return;
    }
  g_strlcpy (intake_server_request_log (msg)->reviewer_id, reviewer->reviewer_id, INTAKE_HEX_ID_LEN);
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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
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
    return intake_server_store_unavailable (msg, error);
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
    {
      const IntakeStoreSubmission *last = g_ptr_array_index (page, page->len - 1);

      json_builder_add_int_value (builder, last->envelope.seq);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
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
        return intake_server_store_unavailable (msg, error);
      return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
    }
  if (!(envelope = intake_store_dup_envelope (self->store, submission_id, NULL, &error)) ||
      !(notes = intake_store_list_notes (self->store, submission_id, &error)))
    {
      if (error == NULL)
        g_set_error_literal (&error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "the envelope vanished");
      return intake_server_store_unavailable (msg, error);
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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
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
  intake_server_respond_builder (msg, conflict ? SOUP_STATUS_CONFLICT : SOUP_STATUS_OK, builder);
  if (conflict)
    intake_server_request_log (msg)->error = "version_conflict";
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

  if (!(request = intake_server_parse_json_object (body, parser)) ||
      !(state = intake_json_get_string (request, "state")) ||
      !intake_review_state_is_valid (state) || !intake_json_get_int (request, "expected_version", &expected) ||
      ((unit_node = json_object_get_member (request, "unit")) != NULL && !JSON_NODE_HOLDS_NULL (unit_node) &&
       (!(unit = intake_json_get_string (request, "unit")) || strlen (unit) > 200)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"state\": \"new|in_review|conversation_planned|closed|needs_follow_up\", "
                          "\"unit\": \"...\" or null, \"expected_version\": N}");

  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "state_change", submission_id,
                                  "ok", origin_of (msg));
  if (!intake_store_update_workflow (self->store, submission_id, state, unit, expected, ctx->reviewer->name,
                                     intake_server_now_seconds (), event, &current, &conflict, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION))
        return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID))
        return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body", error->message);
      return intake_server_store_unavailable (msg, error);
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

  if (!(request = intake_server_parse_json_object (body, parser)) ||
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

  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "note", submission_id, "ok",
                                  origin_of (msg));
  if (!intake_store_add_note (self->store, submission_id, note, ctx->reviewer->reviewer_id, ctx->reviewer->name,
                              expected, intake_server_now_seconds (), event, &current, &conflict, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION))
        return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
      return intake_server_store_unavailable (msg, error);
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
        return intake_server_store_unavailable (msg, error);
      return review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", "no such submission");
    }
  if (!audit (self, msg, ctx->reviewer->name, "audit_view", submission_id, "ok"))
    return;
  for (;;)
    {
      g_autoptr(GPtrArray) page = intake_store_list_audit (self->store, submission_id, after, 1000, &error);

      if (page == NULL)
        return intake_server_store_unavailable (msg, error);
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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
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

  if ((request = intake_server_parse_json_object (body, parser)) != NULL)
    {
      action = intake_json_get_string (request, "action");
      object = intake_json_get_string (request, "object");
    }
  if (action == NULL || !g_strv_contains (actions, action) || object == NULL ||
      strlen (object) > INTAKE_AUDIT_OBJECT_MAX)
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          "expected {\"action\": \"view|decrypt|export|search|dashboard\", "
                          "\"object\": \"...\" (at most 1024 bytes)}");

  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, action, object, "ok",
                                  origin_of (msg));
  if (!intake_store_append_audit (self->store, event, &error))
    return intake_server_store_unavailable (msg, error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, event->seq);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
review_questionnaires (IntakeServer      *self,
                       SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (!(list = intake_store_list_questionnaires (self->store, &error)))
    return intake_server_store_unavailable (msg, error);
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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
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
    return intake_server_store_unavailable (msg, error);
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
  g_ptr_array_sort (keys, intake_server_compare_strings);

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
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
not_found (SoupServerMessage *msg)
{
  intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
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

void
intake_server_handle_review (IntakeServer      *self,
                             SoupServerMessage *msg,
                             const char        *path,
                             GHashTable        *query)
{
  g_auto(ReviewContext) ctx = { 0 };
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = method == SOUP_METHOD_GET;
  gboolean is_post = method == SOUP_METHOD_POST;
  const char *rest = path + strlen ("/v1/review/");
  g_autofree char *submission_id = NULL;
  const char *sub = NULL;
  gboolean allowed;

  enum { R_UNLOCK, R_LIST, R_FETCH, R_WORKFLOW, R_NOTES, R_AUDIT, R_EVENTS, R_QUESTIONNAIRES, R_HELP,
         R_HELP_OPEN, R_HELP_HANDLED } which;
  gint64 help_id = 0;

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
  else if (g_str_equal (rest, "help-requests/open"))
    which = R_HELP_OPEN, allowed = is_get;
  else if (g_str_has_prefix (rest, "help-requests/") && g_str_has_suffix (rest, "/handled"))
    {
      g_autofree char *id = g_strndup (rest + strlen ("help-requests/"),
                                       strlen (rest) - strlen ("help-requests/") - strlen ("/handled"));
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &value, NULL))
        return not_found (msg);
      help_id = (gint64) value;
      which = R_HELP_HANDLED, allowed = is_post;
    }
  else if (g_str_has_prefix (rest, "submissions/"))
    {
      const char *id = rest + strlen ("submissions/");
      const char *slash = strchr (id, '/');
      gsize id_len = slash != NULL ? (gsize)(slash - id) : strlen (id);

      if (!is_submission_id (id, id_len))
        return not_found (msg);
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
        return not_found (msg);
    }
  else
    return not_found (msg);

  if (!allowed)
    return intake_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
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
    case R_HELP_OPEN: ctx.action = "list"; break;
    case R_HELP_HANDLED: ctx.action = "help_handled"; break;
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
    case R_HELP_OPEN:
      return intake_server_review_help_open (self, msg, ctx.reviewer);
    case R_HELP_HANDLED:
      return intake_server_review_help_handled (self, msg, ctx.reviewer, help_id);
    case R_UNLOCK:
    default:
      g_assert_not_reached ();
    }
}

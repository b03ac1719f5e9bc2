/* intake-server-review.c: the routes reviewers call, /v1/review/...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Review protocol (staff)": the submission list,
 * fetch (one or a batch), workflow changes, notes, a submission's audit
 * history, client events, questionnaires, help-request counts and the
 * audit log. Every route but unlock and activation (intake-server-staff.c)
 * is signed by the reviewer's key; each checks the reviewer's roles and
 * scope (docs/protocol.md, "Roles and scope"), and every access is an audit
 * event recorded before anything is sent.
 */
#include "config.h"

#include <string.h>

#include "intake-field.h"
#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-reference.h"
#include "intake-review-request.h"
#include "intake-roles.h"
#include "intake-server-private.h"

static void
review_context_clear (ReviewContext *ctx)
{
  g_clear_pointer (&ctx->reviewer, intake_store_reviewer_free);
  g_clear_pointer (&ctx->object, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReviewContext, review_context_clear)

const char *
intake_server_origin (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "unknown";
}

#define origin_of intake_server_origin
#define in_list intake_server_in_list
#define parse_query_int intake_server_parse_query_int
#define audit intake_server_review_audit
#define review_refuse intake_server_review_refuse

gboolean
intake_server_review_audit (IntakeServer      *self,
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

void
intake_server_review_refuse (IntakeServer      *self,
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
  /* A replay is refused without an audit event: whoever sends a captured
   * request again is not the reviewer, and must not grow the log. */
  if (!intake_server_use_nonce (self, msg, ctx->reviewer->reviewer_id, nonce, g_ascii_strtoll (timestamp, NULL, 10)))
    return FALSE;
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
  json_builder_set_member_name (builder, "key");
  {
    g_autofree char *key = g_strconcat (e->device_id, "-", e->submission_id, NULL);

    json_builder_add_string_value (builder, key);
  }
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
  json_builder_set_member_name (builder, "assignee");
  json_builder_add_string_value (builder, submission->assignee);
  json_builder_set_member_name (builder, "appointment_at");
  json_builder_add_int_value (builder, submission->appointment_at);
  json_builder_set_member_name (builder, "change_seq");
  json_builder_add_int_value (builder, submission->change_seq);
}

/* What each route needs (intake-roles.h); NONE: any authenticated reviewer. */
#define NEEDS_NOTHING INTAKE_N_PERMISSIONS

/* The message of 403 role_required, or NULL when the reviewer has a role
 * that grants @permission. */
static char *
role_problem (const ReviewContext *ctx,
              IntakePermission     permission)
{
  g_autofree char *needed = NULL;
  g_autofree char *held = NULL;

  if (permission == NEEDS_NOTHING || intake_roles_allow (ctx->reviewer->roles, permission))
    return NULL;
  needed = intake_roles_to_string (intake_permission_roles (permission));
  held = intake_roles_to_string (ctx->reviewer->roles);
  return g_strdup_printf ("this needs one of the roles %s; you have %s. Ask an administrator if your work "
                          "needs it", needed, *held != '\0' ? held : "none");
}

/* 403 role_required, audited, unless the reviewer has a role that grants
 * @permission. */
static gboolean
require (IntakeServer      *self,
         SoupServerMessage *msg,
         ReviewContext     *ctx,
         IntakePermission   permission)
{
  g_autofree char *message = role_problem (ctx, permission);

  if (message == NULL)
    return TRUE;
  review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "role_required", message);
  return FALSE;
}

/* Scope (docs/protocol.md, "Roles and scope"): a NULL list is every
 * location or unit. A reviewer limited to units also sees the submissions
 * no unit has taken yet, so that new ones can be picked up. */
gboolean
intake_server_in_list (char * const *list,
                       const char   *value)
{
  if (list == NULL)
    return TRUE;
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (list[i], value))
      return TRUE;
  return FALSE;
}

static gboolean
in_scope (const IntakeStoreReviewer   *reviewer,
          const IntakeStoreSubmission *submission)
{
  return intake_server_in_scope (reviewer, submission->location, submission->unit);
}

gboolean
intake_server_in_scope (const IntakeStoreReviewer *reviewer,
                        const char                *location,
                        const char                *unit)
{
  return in_list (reviewer->locations, location) &&
         (reviewer->units == NULL || unit == NULL || *unit == '\0' || in_list (reviewer->units, unit));
}

/* Why a submission is refused, in a single fetch and per key in a batch. */
static const char not_found_message[] = "no such submission";
static const char out_of_scope_message[] = "this submission is outside the locations or units you work for; ask "
                                           "an administrator if that is wrong";

/* The submission, if the reviewer may see it; otherwise answers (404
 * not_found, 403 out_of_scope, both audited; 503) and returns NULL. */
static IntakeStoreSubmission *
submission_for (IntakeServer      *self,
                SoupServerMessage *msg,
                ReviewContext     *ctx,
                const char        *device_id,
                const char        *submission_id)
{
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;

  if (!(submission = intake_store_get_submission (self->store, device_id, submission_id, &error)))
    {
      if (error != NULL)
        intake_server_store_unavailable (msg, error);
      else
        review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found", not_found_message);
      return NULL;
    }
  if (!in_scope (ctx->reviewer, submission))
    {
      review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "out_of_scope", out_of_scope_message);
      return NULL;
    }
  return g_steal_pointer (&submission);
}

/* A non-negative decimal integer query value; @text NULL leaves *@out. */
gboolean
intake_server_parse_query_int (const char *text,
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

gboolean
intake_server_review_parse_filter (IntakeServer           *self,
                                   SoupServerMessage      *msg,
                                   GHashTable             *query,
                                   ReviewContext          *ctx,
                                   IntakeSubmissionFilter *filter,
                                   char                  **out_reference,
                                   GString                *object)
{
  g_autoptr(GError) error = NULL;
  const char *text;

  filter->limit = 100;
  if (query != NULL)
    {
      gint64 limit = 100;

      filter->state = g_hash_table_lookup (query, "state");
      filter->location = g_hash_table_lookup (query, "location");
      text = g_hash_table_lookup (query, "reference");
      if (text != NULL && !(*out_reference = intake_reference_normalize (text)))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                         "reference is not a reference code (XXXX-XXXX)");
          return FALSE;
        }
      filter->reference = *out_reference;
      text = g_hash_table_lookup (query, "order");
      filter->descending = g_strcmp0 (text, "desc") == 0;
      if (text != NULL && !filter->descending && !g_str_equal (text, "asc"))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query", "order is asc or desc");
          return FALSE;
        }
      text = g_hash_table_lookup (query, "view");
      if (g_strcmp0 (text, "todo") == 0)
        filter->view = INTAKE_SUBMISSION_VIEW_TODO;
      else if (g_strcmp0 (text, "mine") == 0)
        filter->view = INTAKE_SUBMISSION_VIEW_MINE;
      else if (text != NULL && !g_str_equal (text, "all"))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query", "view is all, todo or mine");
          return FALSE;
        }
      filter->by_changes = g_hash_table_contains (query, "changed_after");
      if (!parse_query_int (g_hash_table_lookup (query, "after"), 0, G_MAXINT64, &filter->after_seq) ||
          !parse_query_int (g_hash_table_lookup (query, "before"), 0, G_MAXINT64, &filter->before_seq) ||
          !parse_query_int (g_hash_table_lookup (query, "changed_after"), 0, G_MAXINT64, &filter->changed_after) ||
          !parse_query_int (g_hash_table_lookup (query, "limit"), 1, 500, &limit) ||
          !parse_query_int (g_hash_table_lookup (query, "from"), 0, G_MAXINT64, &filter->from) ||
          !parse_query_int (g_hash_table_lookup (query, "to"), 0, G_MAXINT64, &filter->to) ||
          (filter->state != NULL && !intake_review_state_is_valid (filter->state)) ||
          (filter->location != NULL && (*filter->location == '\0' || !g_utf8_validate (filter->location, -1, NULL))))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                         "after, before, changed_after, limit (1-500), from and to are whole numbers; state is one "
                         "of new, in_review, conversation_planned, closed, needs_follow_up");
          return FALSE;
        }
      /* A descending page is asked for with before; after belongs to the other order. */
      if ((filter->descending && filter->after_seq != 0) || (!filter->descending && filter->before_seq != 0))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                         "order=desc pages with before=SEQ, order=asc (the default) with after=SEQ");
          return FALSE;
        }
      if (filter->location != NULL && !intake_field_check (filter->location, -1, "the location", &error))
        {
          review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query", error->message);
          return FALSE;
        }
      filter->limit = (guint)limit;
    }
  if (filter->location != NULL && !in_list (ctx->reviewer->locations, filter->location))
    {
      review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "out_of_scope",
                     "this location is outside the locations you work for");
      return FALSE;
    }
  filter->me = ctx->reviewer->name;
  /* Only what the reviewer's scope allows, by the store's own rows. */
  filter->scope_reviewer_id = ctx->reviewer->reviewer_id;
  filter->scope_locations = ctx->reviewer->locations != NULL;
  filter->scope_units = ctx->reviewer->units != NULL;

  /* The filter, not the page, is the audit object: what the reviewer asked for. */
  if (object != NULL)
    {
      if (filter->view == INTAKE_SUBMISSION_VIEW_TODO)
        g_string_append (object, "view=todo ");
      else if (filter->view == INTAKE_SUBMISSION_VIEW_MINE)
        g_string_append (object, "view=mine ");
      if (filter->state != NULL)
        g_string_append_printf (object, "state=%s ", filter->state);
      if (filter->location != NULL)
        g_string_append_printf (object, "location=%s ", filter->location);
      if (filter->reference != NULL)
        g_string_append_printf (object, "reference=%s ", filter->reference);
      if (filter->from != 0)
        g_string_append_printf (object, "from=%" G_GINT64_FORMAT " ", filter->from);
      if (filter->to != 0)
        g_string_append_printf (object, "to=%" G_GINT64_FORMAT " ", filter->to);
      if (filter->by_changes)
        g_string_append_printf (object, "changed_after=%" G_GINT64_FORMAT " ", filter->changed_after);
      if (filter->descending)
        g_string_append_printf (object, "order=desc before=%" G_GINT64_FORMAT, filter->before_seq);
      else
        g_string_append_printf (object, "after=%" G_GINT64_FORMAT, filter->after_seq);
    }
  return TRUE;
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
  IntakeSubmissionFilter filter = { 0 };
  gint64 next = -1;

  if (!intake_server_review_parse_filter (self, msg, query, ctx, &filter, &reference, object))
    return;
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
  if (page->len == filter.limit)
    next = ((const IntakeStoreSubmission *)g_ptr_array_index (page, page->len - 1))->envelope.seq;
  /* The cursor of the order asked for; the other one is null. */
  json_builder_set_member_name (builder, "next_after");
  if (next >= 0 && !filter.descending)
    json_builder_add_int_value (builder, next);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "next_before");
  if (next >= 0 && filter.descending)
    json_builder_add_int_value (builder, next);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static gboolean
is_lower_hex (const char *text,
              gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

/* A submission's key: DEVICE_ID "-" SUBMISSION_ID, 32 + 1 + 32 lowercase
 * hex digits (an envelope is identified by both, docs/protocol.md). */
static gboolean
is_submission_key (const char *text,
                   gsize       len)
{
  return len == 65 && text[32] == '-' && is_lower_hex (text, 32) && is_lower_hex (text + 33, 32);
}

/* What a fetch serves besides the metadata: the envelope and the notes. */
typedef struct {
  GBytes    *envelope;
  GPtrArray *notes;      /* IntakeStoreNote */
} Fetched;

static void
fetched_clear (Fetched *fetched)
{
  g_clear_pointer (&fetched->envelope, g_bytes_unref);
  g_clear_pointer (&fetched->notes, g_ptr_array_unref);
}

static gboolean
load_fetched (IntakeServer  *self,
              const char    *device_id,
              const char    *submission_id,
              Fetched       *out,
              GError       **error)
{
  if (!(out->envelope = intake_store_dup_envelope (self->store, device_id, submission_id, NULL, error)) ||
      !(out->notes = intake_store_list_notes (self->store, device_id, submission_id, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DATABASE, "the envelope vanished");
      fetched_clear (out);
      return FALSE;
    }
  return TRUE;
}

/* Roughly what the fetched submission adds to an answer, in bytes. */
static gsize
fetched_size (const Fetched *fetched)
{
  gsize size = g_bytes_get_size (fetched->envelope);

  for (guint i = 0; i < fetched->notes->len; i++)
    size += g_bytes_get_size (((const IntakeStoreNote *)g_ptr_array_index (fetched->notes, i))->envelope);
  return size / 3 * 4 + 1024;
}

/* The object GET /v1/review/submissions/KEY answers. */
static void
add_fetched (JsonBuilder                 *builder,
             const IntakeStoreSubmission *submission,
             const Fetched               *fetched)
{
  g_autofree char *envelope_b64 = g_base64_encode (g_bytes_get_data (fetched->envelope, NULL),
                                                   g_bytes_get_size (fetched->envelope));

  json_builder_begin_object (builder);
  add_submission_members (builder, submission);
  json_builder_set_member_name (builder, "envelope");
  json_builder_add_string_value (builder, envelope_b64);
  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < fetched->notes->len; i++)
    {
      const IntakeStoreNote *note = g_ptr_array_index (fetched->notes, i);
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
}

static void
review_fetch (IntakeServer      *self,
              SoupServerMessage *msg,
              const char        *device_id,
              const char        *submission_id,
              ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GError) error = NULL;
  Fetched fetched = { 0 };

  if (!(submission = submission_for (self, msg, ctx, device_id, submission_id)))
    return;
  if (!load_fetched (self, device_id, submission_id, &fetched, &error))
    return intake_server_store_unavailable (msg, error);
  if (audit (self, msg, ctx->reviewer->name, "fetch", ctx->object, "ok"))
    {
      add_fetched (builder, submission, &fetched);
      intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
    }
  fetched_clear (&fetched);
}

/* One key of a batch fetch and what became of it. */
typedef struct {
  const char            *key;         /* in the parsed body */
  IntakeStoreSubmission *submission;  /* served */
  Fetched                fetched;
  const char            *error;       /* refused ("not_found", "out_of_scope") or "deferred" */
  const char            *message;
} FetchItem;

static void
fetch_item_clear (FetchItem *item)
{
  g_clear_pointer (&item->submission, intake_store_submission_free);
  fetched_clear (&item->fetched);
}

/* The keys of a batch fetch's body, or NULL with what is wrong in
 * @out_problem (a static string, or @error's message). */
static GPtrArray *
fetch_many_keys (GBytes      *body,
                 JsonParser  *parser,
                 GError     **error,
                 const char **out_problem)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *request;
  JsonNode *node;
  JsonArray *array;

  *out_problem = NULL;
  if (!(request = intake_server_parse_json_object (body, parser, error)))
    return *out_problem = intake_server_body_problem (*error, "the body is not a JSON object"), NULL;
  if (json_object_get_size (request) != 1 || !(node = json_object_get_member (request, "keys")) ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return *out_problem = "expected {\"keys\": [\"KEY\", ...]} and no other member", NULL;
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0 || json_array_get_length (array) > INTAKE_PROTOCOL_MAX_FETCH_KEYS)
    return *out_problem = "\"keys\" holds 1 to " G_STRINGIFY (INTAKE_PROTOCOL_MAX_FETCH_KEYS) " keys", NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *key;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return *out_problem = "every key is a string", NULL;
      key = json_node_get_string (element);
      if (!is_submission_key (key, strlen (key)))
        return *out_problem = "every key is DEVICE_ID-SUBMISSION_ID (32 + 1 + 32 lowercase hex digits)", NULL;
      if (!g_hash_table_add (seen, (gpointer)key))
        return *out_problem = "a key is asked for twice", NULL;
      g_ptr_array_add (keys, (gpointer)key);
    }
  return g_steal_pointer (&keys);
}

/* Past this much envelope text the remaining keys are "deferred": the
 * client asks for them again (its answers may be 16 MiB). */
#define FETCH_MANY_ANSWER_BUDGET (8 * 1024 * 1024)
static const char deferred_message[] = "the answer is full; ask for this submission again";

/* POST /v1/review/submissions/fetch: for each key what GET .../KEY would
 * answer, and the same audit events, appended in one transaction before
 * the answer is sent. */
static void
review_fetch_many (IntakeServer      *self,
                   SoupServerMessage *msg,
                   GBytes            *body,
                   ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *role_message = NULL;
  const char *problem = NULL;
  gint64 now = intake_server_now_seconds ();
  gsize answer_size = 0;
  gboolean full = FALSE;

  if (!(keys = fetch_many_keys (body, parser, &error, &problem)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body", problem);

  items = g_array_sized_new (FALSE, TRUE, sizeof (FetchItem), keys->len);
  g_array_set_clear_func (items, (GDestroyNotify)fetch_item_clear);
  g_array_set_size (items, keys->len);
  /* Without the permission every key is refused, as each GET would be. */
  role_message = role_problem (ctx, INTAKE_PERMISSION_READ);
  for (guint i = 0; i < keys->len; i++)
    {
      FetchItem *item = &g_array_index (items, FetchItem, i);
      g_autofree char *device_id = NULL;
      const char *submission_id;

      item->key = g_ptr_array_index (keys, i);
      if (role_message != NULL)
        {
          item->error = "role_required";
          g_ptr_array_add (events, intake_audit_event_new (now, ctx->reviewer->name, ctx->action, item->key,
                                                           "denied:role_required", origin_of (msg)));
          continue;
        }
      if (full)
        {
          item->error = "deferred";
          item->message = deferred_message;
          continue;
        }
      device_id = g_strndup (item->key, 32);
      submission_id = item->key + 33;
      if (!(item->submission = intake_store_get_submission (self->store, device_id, submission_id, &error)))
        {
          if (error != NULL)
            return intake_server_store_unavailable (msg, error);
          item->error = "not_found";
          item->message = not_found_message;
        }
      else if (!in_scope (ctx->reviewer, item->submission))
        {
          g_clear_pointer (&item->submission, intake_store_submission_free);
          item->error = "out_of_scope";
          item->message = out_of_scope_message;
        }
      else
        {
          if (!load_fetched (self, device_id, submission_id, &item->fetched, &error))
            return intake_server_store_unavailable (msg, error);
          answer_size += fetched_size (&item->fetched);
          /* The first one is always served: no answer is larger than a single GET's. */
          if (answer_size > FETCH_MANY_ANSWER_BUDGET && i > 0)
            {
              fetch_item_clear (item);
              item->error = "deferred";
              item->message = deferred_message;
              full = TRUE;
              continue;
            }
        }
      {
        g_autofree char *result = item->error != NULL ? g_strconcat ("denied:", item->error, NULL) : NULL;

        g_ptr_array_add (events, intake_audit_event_new (now, ctx->reviewer->name, ctx->action, item->key,
                                                         result != NULL ? result : "ok", origin_of (msg)));
      }
    }
  /* One transaction: one durable commit for the whole batch, and nothing
   * is served unless every event of it is stored. */
  if (!intake_store_append_audits (self->store, (IntakeAuditEvent * const *)events->pdata, events->len, &error))
    return intake_server_store_unavailable (msg, error);
  if (role_message != NULL)
    return intake_server_respond_error (msg, SOUP_STATUS_FORBIDDEN, "role_required", role_message);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "submissions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      const FetchItem *item = &g_array_index (items, FetchItem, i);

      if (item->error == NULL)
        {
          add_fetched (builder, item->submission, &item->fetched);
          continue;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, item->key);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, item->error);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, item->message);
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
  json_builder_set_member_name (builder, "assignee");
  json_builder_add_string_value (builder, current->assignee);
  json_builder_set_member_name (builder, "appointment_at");
  json_builder_add_int_value (builder, current->appointment_at);
  json_builder_set_member_name (builder, "change_seq");
  json_builder_add_int_value (builder, current->change_seq);
  if (conflict)
    json_builder_end_object (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, conflict ? SOUP_STATUS_CONFLICT : SOUP_STATUS_OK, builder);
  if (conflict)
    intake_server_request_log (msg)->error = "version_conflict";
}

/* A member that is absent keeps the stored value; null clears it. Returns
 * FALSE when the member is there but of another type. */
static gboolean
optional_string (JsonObject  *request,
                 const char  *name,
                 const char **out_value,
                 gboolean    *out_present)
{
  JsonNode *node = json_object_get_member (request, name);

  *out_present = node != NULL;
  *out_value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return (*out_value = intake_json_get_string (request, name)) != NULL;
}

/* May @name be assigned @submission (with @unit)? An active reviewer with a
 * workflow role whose scope covers it. */
static gboolean
assignable (IntakeServer      *self,
            const char        *name,
            const char        *location,
            const char        *unit,
            GError           **error)
{
  g_autoptr(IntakeStoreReviewer) assignee = intake_store_get_reviewer (self->store, NULL, name, error);

  if (assignee == NULL)
    return FALSE;
  return assignee->status == INTAKE_REVIEWER_STATUS_ACTIVE &&
         intake_roles_allow (assignee->roles, INTAKE_PERMISSION_WORKFLOW) &&
         intake_server_in_scope (assignee, location, unit);
}

static void
review_workflow (IntakeServer      *self,
                 SoupServerMessage *msg,
                 const char        *device_id,
                 const char        *submission_id,
                 GBytes            *body,
                 ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(IntakeStoreSubmission) current = NULL;
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) units = NULL;
  IntakeStoreWorkflow workflow = { 0 };
  JsonObject *request;
  JsonNode *appointment_node = NULL;
  const char *unit = NULL;
  const char *assignee = NULL;
  gboolean has_unit = FALSE, has_assignee = FALSE;
  gint64 expected = 0;
  gboolean conflict = FALSE;

  if (!(request = intake_server_parse_json_object (body, parser, &error)) ||
      !(workflow.state = intake_json_get_string (request, "state")) ||
      !intake_review_state_is_valid (workflow.state) || !intake_json_get_int (request, "expected_version", &expected) ||
      !optional_string (request, "unit", &unit, &has_unit) ||
      (unit != NULL && (strlen (unit) > 200 || !intake_field_check (unit, -1, "the unit", &error))) ||
      !optional_string (request, "assignee", &assignee, &has_assignee) ||
      (assignee != NULL && (strlen (assignee) > 128 || !intake_field_check (assignee, -1, "the assignee", &error))) ||
      ((appointment_node = json_object_get_member (request, "appointment_at")) != NULL &&
       !JSON_NODE_HOLDS_NULL (appointment_node) &&
       (!intake_json_get_int (request, "appointment_at", &workflow.appointment_at) || workflow.appointment_at < 0)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          intake_server_body_problem (error, "expected {\"state\": \"new|in_review|"
                                                      "conversation_planned|closed|needs_follow_up\", "
                                                      "\"unit\": \"...\" or null, \"assignee\": \"reviewer name\" "
                                                      "or null (optional), \"appointment_at\": Unix seconds or null "
                                                      "(optional), \"expected_version\": N}"));

  if (!(submission = submission_for (self, msg, ctx, device_id, submission_id)))
    return;
  /* Absent assignee and appointment keep what the version the reviewer saw
   * holds (the compare-and-set below makes sure it is that version). */
  workflow.unit = unit;
  workflow.assignee = has_assignee ? assignee : submission->assignee;
  if (appointment_node == NULL)
    workflow.appointment_at = submission->appointment_at;

  if (unit != NULL && *unit != '\0')
    {
      if (!in_list (ctx->reviewer->units, unit))
        return review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "unit_out_of_scope",
                              "you can only assign submissions to the units you work for");
      /* Units come from the office's list (no typos); a unit a submission
       * already has stays valid after it was taken off the list. */
      if (!(units = intake_store_dup_units (self->store, &error)))
        return intake_server_store_unavailable (msg, error);
      if (!g_strv_contains ((const char * const *)units, unit) && !g_str_equal (unit, submission->unit))
        return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "unknown_unit",
                              "this unit is not in the office's list of units (GET /v1/review/units); an "
                              "administrator adds units with intake-admin units add");
    }
  if (workflow.assignee != NULL && *workflow.assignee != '\0' && has_assignee &&
      g_strcmp0 (workflow.assignee, submission->assignee) != 0)
    {
      if (!assignable (self, workflow.assignee, submission->location, unit, &error))
        {
          if (error != NULL && !g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
            return intake_server_store_unavailable (msg, error);
          return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "bad_assignee",
                                "this name is not an active caseworker or team lead who works for this "
                                "submission's location and unit (GET /v1/review/assignees)");
        }
    }
  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "state_change", ctx->object,
                                  "ok", origin_of (msg));
  if (!intake_store_update_workflow (self->store, device_id, submission_id, &workflow, expected, ctx->reviewer->name,
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
             const char        *device_id,
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
  guint8 signer_id[INTAKE_DEVICE_ID_BYTES];
  JsonObject *request;
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  gint64 expected = 0;
  gboolean conflict = FALSE;

  if (!(request = intake_server_parse_json_object (body, parser, &error)) ||
      !(data = intake_base64_decode_strict (intake_json_get_string (request, "envelope"), &len)) ||
      !intake_json_get_int (request, "expected_version", &expected))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          intake_server_body_problem (error, "expected {\"envelope\": \"<base64 note envelope>\", "
                                                      "\"expected_version\": N}"));
  note = g_bytes_new_take (g_steal_pointer (&data), len);

  /* A note is an envelope sealed for this office and signed with the
   * reviewer's own key: its header names the device id of that key. */
  intake_device_id_from_public_key (ctx->reviewer->sign_pk, signer_id);
  signer_device = intake_hex_encode (signer_id, sizeof signer_id);
  if (len > INTAKE_ACCEPT_MAX_ENVELOPE || !intake_envelope_verify (note, &header, NULL) ||
      !g_str_equal ((header_device = intake_hex_encode (header.device_id, sizeof header.device_id)), signer_device) ||
      !intake_server_office_key_accepted (self, (header_office = intake_hex_encode (header.office_key_id,
                                                                                   sizeof header.office_key_id))))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "bad_note",
                          "the note must be an envelope sealed for this office key and signed with "
                          "your reviewer key");

  {
    g_autoptr(IntakeStoreSubmission) submission = submission_for (self, msg, ctx, device_id, submission_id);

    if (submission == NULL)
      return;
  }
  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "note", ctx->object, "ok",
                                  origin_of (msg));
  if (!intake_store_add_note (self->store, device_id, submission_id, note, ctx->reviewer->reviewer_id, ctx->reviewer->name,
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

static int
compare_event_seq (gconstpointer a,
                   gconstpointer b)
{
  const IntakeAuditEvent *x = *(const IntakeAuditEvent * const *)a;
  const IntakeAuditEvent *y = *(const IntakeAuditEvent * const *)b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
review_audit_view (IntakeServer      *self,
                   SoupServerMessage *msg,
                   const char        *device_id,
                   const char        *submission_id,
                   ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreSubmission) submission = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  g_autoptr(GError) error = NULL;
  /* Events name a submission by its key (device-submission); events from
   * before protocol 2 by the submission id alone. */
  const char *objects[] = { ctx->object, submission_id };

  if (!(submission = submission_for (self, msg, ctx, device_id, submission_id)))
    return;
  if (!audit (self, msg, ctx->reviewer->name, "audit_view", ctx->object, "ok"))
    return;
  for (guint k = 0; k < G_N_ELEMENTS (objects); k++)
    for (gint64 after = 0;;)
      {
        g_autoptr(GPtrArray) page = intake_store_list_audit (self->store, objects[k], after, 1000, &error);

        if (page == NULL)
          return intake_server_store_unavailable (msg, error);
        for (guint i = 0; i < page->len; i++)
          g_ptr_array_add (events, intake_audit_event_copy (g_ptr_array_index (page, i)));
        if (page->len < 1000)
          break;
        after = ((IntakeAuditEvent *)g_ptr_array_index (page, page->len - 1))->seq;
      }
  g_ptr_array_sort (events, compare_event_seq);

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

/* The object of a subject_access event is "submissions=N" and nothing
 * else: the event says that a document was made and how big it is, never
 * whom it is about (no name or date of birth can ride along in it). */
static gboolean
is_subject_access_object (const char *object)
{
  const char *digits;

  if (!g_str_has_prefix (object, "submissions="))
    return FALSE;
  digits = object + strlen ("submissions=");
  return g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, NULL, NULL) &&
         (digits[0] != '0' || digits[1] == '\0');
}

static void
review_client_event (IntakeServer      *self,
                     SoupServerMessage *msg,
                     GBytes            *body,
                     ReviewContext     *ctx)
{
  static const char * const actions[] = { "view", "decrypt", "export", "search", "dashboard", "subject_access" };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  const char *action = NULL;
  const char *object = NULL;

  if ((request = intake_server_parse_json_object (body, parser, &error)) != NULL)
    {
      action = intake_json_get_string (request, "action");
      object = intake_json_get_string (request, "object");
    }
  if (action == NULL || !g_strv_contains (actions, action) || object == NULL ||
      strlen (object) > INTAKE_AUDIT_OBJECT_MAX || !intake_field_check (object, -1, "the object", &error) ||
      (g_str_equal (action, "subject_access") &&
       (!is_subject_access_object (object) || json_object_get_size (request) != 2)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                          intake_server_body_problem (error, "expected {\"action\": \"view|decrypt|export|"
                                                      "search|dashboard|subject_access\", \"object\": \"...\" "
                                                      "(at most 1024 bytes; for subject_access "
                                                      "\"submissions=N\")}"));
  /* A subject access document (docs/review.md, "Subject access") is the
   * privacy officer's: its refusal is recorded under its own action. */
  if (g_str_equal (action, "subject_access"))
    ctx->action = "subject_access";
  if (!require (self, msg, ctx, g_str_equal (action, "dashboard") ? INTAKE_PERMISSION_DASHBOARD
                                : g_str_equal (action, "subject_access") ? INTAKE_PERMISSION_AUDIT
                                : INTAKE_PERMISSION_READ))
    return;

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
      g_autoptr(GDateTime) when = NULL;

      /* Only the reviewer's locations. */
      if (!in_list (ctx->reviewer->locations, request->location))
        continue;
      when = g_date_time_new_from_unix_local (request->created_at);
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

/* GET /v1/review/audit?after=SEQ&limit=N: the whole log, for the privacy officer. */
static void
review_audit_log (IntakeServer      *self,
                  SoupServerMessage *msg,
                  GHashTable        *query,
                  ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *object = NULL;
  gint64 after = 0, limit = 1000;

  if (query != NULL &&
      (!parse_query_int (g_hash_table_lookup (query, "after"), 0, G_MAXINT64, &after) ||
       !parse_query_int (g_hash_table_lookup (query, "limit"), 1, 1000, &limit)))
    return review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_query",
                          "after is a seq, limit 1-1000");
  object = g_strdup_printf ("log after=%" G_GINT64_FORMAT, after);
  g_free (ctx->object);
  ctx->object = g_strdup (object);
  if (!audit (self, msg, ctx->reviewer->name, "audit_view", object, "ok"))
    return;
  if (!(events = intake_store_list_audit (self->store, NULL, after, (guint)limit, &error)))
    return intake_server_store_unavailable (msg, error);

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
not_found (SoupServerMessage *msg)
{
  intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint; see docs/protocol.md");
}

/* The old unsigned unlock of protocol 1: gone, and said so. */
static void
unlock_v1_gone (SoupServerMessage *msg)
{
  intake_server_respond_error (msg, SOUP_STATUS_GONE, "protocol_changed",
                               "unlocking changed in protocol 2: POST /v1/review/unlock/start and "
                               "/v1/review/unlock/finish (update intake-review)");
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
  g_autofree char *key = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *submission_id = NULL;
  const char *sub = NULL;
  gboolean allowed;
  IntakePermission needs = INTAKE_PERMISSION_READ;
  static const char * const unsigned_steps[] = {
    "unlock/start", "unlock/finish", "activate/start", "activate/finish", "activate/complete", NULL
  };
  static const char * const managing[] = {
    "reviewers", "reviewers/activation", "reviewers/remove", "reviewers/unblock", "devices", "devices/revoke", NULL
  };

  enum { R_LIST, R_FETCH, R_FETCH_MANY, R_WORKFLOW, R_NOTES, R_AUDIT, R_EVENTS, R_QUESTIONNAIRES, R_HELP, R_AUDIT_LOG,
         R_PASSPHRASE, R_MANAGE, R_COUNTS, R_UNITS, R_ASSIGNEES, R_STATS,
         R_HELP_OPEN, R_HELP_HANDLED } which;
  gint64 help_id = 0;

  if (g_strv_contains (unsigned_steps, rest))
    {
      if (!is_post)
        return intake_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                                            "this endpoint takes POST; see docs/protocol.md");
      return intake_server_handle_staff_unsigned (self, msg, rest);
    }
  if (g_str_equal (rest, "unlock"))
    return unlock_v1_gone (msg);

  if (g_str_equal (rest, "submissions"))
    which = R_LIST, allowed = is_get;
  else if (g_str_equal (rest, "events"))
    which = R_EVENTS, allowed = is_post;
  else if (g_str_equal (rest, "counts"))
    which = R_COUNTS, allowed = is_get;
  else if (g_str_equal (rest, "units"))
    which = R_UNITS, allowed = is_get;
  else if (g_str_equal (rest, "assignees"))
    which = R_ASSIGNEES, allowed = is_get, needs = INTAKE_PERMISSION_WORKFLOW;
  else if (g_str_equal (rest, "stats"))
    which = R_STATS, allowed = is_get, needs = INTAKE_PERMISSION_DASHBOARD;
  else if (g_str_equal (rest, "questionnaires"))
    which = R_QUESTIONNAIRES, allowed = is_get;
  else if (g_str_equal (rest, "help-requests"))
    which = R_HELP, allowed = is_get, needs = INTAKE_PERMISSION_DASHBOARD;
  /* Residents waiting at a kiosk: for the staff who serve them. */
  else if (g_str_equal (rest, "help-requests/open"))
    which = R_HELP_OPEN, allowed = is_get, needs = INTAKE_PERMISSION_WORKFLOW;
  else if (g_str_has_prefix (rest, "help-requests/") && g_str_has_suffix (rest, "/handled") &&
           strlen (rest) > strlen ("help-requests/") + strlen ("/handled"))
    {
      g_autofree char *id = g_strndup (rest + strlen ("help-requests/"),
                                       strlen (rest) - strlen ("help-requests/") - strlen ("/handled"));
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (id, 10, 1, G_MAXINT64, &value, NULL))
        return not_found (msg);
      help_id = (gint64) value;
      which = R_HELP_HANDLED, allowed = is_post, needs = INTAKE_PERMISSION_WORKFLOW;
    }
  else if (g_str_equal (rest, "audit"))
    which = R_AUDIT_LOG, allowed = is_get, needs = INTAKE_PERMISSION_AUDIT;
  else if (g_str_equal (rest, "passphrase"))
    which = R_PASSPHRASE, allowed = is_post, needs = NEEDS_NOTHING;
  else if (g_strv_contains (managing, rest))
    which = R_MANAGE, allowed = g_str_equal (rest, "reviewers") || g_str_equal (rest, "devices") ? is_get : is_post,
    needs = INTAKE_PERMISSION_MANAGE;
  else if (g_str_equal (rest, "submissions/fetch"))
    which = R_FETCH_MANY, allowed = is_post;
  else if (g_str_has_prefix (rest, "submissions/"))
    {
      const char *id = rest + strlen ("submissions/");
      const char *slash = strchr (id, '/');
      gsize id_len = slash != NULL ? (gsize)(slash - id) : strlen (id);

      if (!is_submission_key (id, id_len))
        return not_found (msg);
      key = g_strndup (id, id_len);
      device_id = g_strndup (id, 32);
      submission_id = g_strndup (id + 33, 32);
      sub = slash != NULL ? slash + 1 : NULL;
      if (sub == NULL)
        which = R_FETCH, allowed = is_get;
      else if (g_str_equal (sub, "workflow"))
        which = R_WORKFLOW, allowed = is_post, needs = INTAKE_PERMISSION_WORKFLOW;
      else if (g_str_equal (sub, "notes"))
        which = R_NOTES, allowed = is_post, needs = INTAKE_PERMISSION_WORKFLOW;
      else if (g_str_equal (sub, "audit"))
        which = R_AUDIT, allowed = is_get, needs = INTAKE_PERMISSION_AUDIT;
      else
        return not_found (msg);
    }
  else
    return not_found (msg);

  if (!allowed)
    return intake_server_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                                        "this endpoint does not take that method; see docs/protocol.md");

  switch (which)
    {
    case R_LIST: ctx.action = "list"; break;
    case R_FETCH: ctx.action = "fetch"; break;
    case R_FETCH_MANY: ctx.action = "fetch"; break;
    case R_WORKFLOW: ctx.action = "state_change"; break;
    case R_NOTES: ctx.action = "note"; break;
    case R_AUDIT: ctx.action = "audit_view"; break;
    case R_EVENTS: ctx.action = "event"; break;
    case R_QUESTIONNAIRES: ctx.action = "questionnaires"; break;
    case R_HELP: ctx.action = "list"; break;
    case R_AUDIT_LOG: ctx.action = "audit_view"; break;
    case R_PASSPHRASE: ctx.action = "passphrase_change"; break;
    case R_MANAGE: ctx.action = g_str_has_prefix (rest, "devices") ? "device_admin" : "reviewer_admin"; break;
    case R_COUNTS: ctx.action = "counts"; break;
    case R_UNITS: ctx.action = "units"; break;
    case R_ASSIGNEES: ctx.action = "assignee_list"; break;
    case R_STATS: ctx.action = "dashboard"; break;
    case R_HELP_OPEN: ctx.action = "list"; break;
    case R_HELP_HANDLED: ctx.action = "help_handled"; break;
    default: g_assert_not_reached ();
    }
  ctx.object = g_strdup (key != NULL ? key : rest);

  if (!authenticate_reviewer (self, msg, body, &ctx))
    return;
  /* A client event's permission depends on the event; a batch fetch
   * refuses each key it was asked for (both below). */
  if (which != R_EVENTS && which != R_FETCH_MANY && !require (self, msg, &ctx, needs))
    return;

  switch (which)
    {
    case R_LIST:
      return review_list (self, msg, query, &ctx);
    case R_FETCH:
      return review_fetch (self, msg, device_id, submission_id, &ctx);
    case R_FETCH_MANY:
      return review_fetch_many (self, msg, body, &ctx);
    case R_WORKFLOW:
      return review_workflow (self, msg, device_id, submission_id, body, &ctx);
    case R_NOTES:
      return review_note (self, msg, device_id, submission_id, body, &ctx);
    case R_AUDIT:
      return review_audit_view (self, msg, device_id, submission_id, &ctx);
    case R_EVENTS:
      return review_client_event (self, msg, body, &ctx);
    case R_QUESTIONNAIRES:
      return review_questionnaires (self, msg);
    case R_HELP:
      return review_help_requests (self, msg, query, &ctx);
    case R_AUDIT_LOG:
      return review_audit_log (self, msg, query, &ctx);
    case R_PASSPHRASE:
      return intake_server_review_passphrase (self, msg, body, &ctx);
    case R_MANAGE:
      return intake_server_review_manage (self, msg, rest, body, &ctx);
    case R_COUNTS:
      return intake_server_review_counts (self, msg, query, &ctx);
    case R_UNITS:
      return intake_server_review_units (self, msg);
    case R_ASSIGNEES:
      return intake_server_review_assignees (self, msg, &ctx);
    case R_STATS:
      return intake_server_review_stats (self, msg, query, &ctx);
    case R_HELP_OPEN:
      return intake_server_review_help_open (self, msg, &ctx);
    case R_HELP_HANDLED:
      return intake_server_review_help_handled (self, msg, help_id, body, &ctx);
    default:
      g_assert_not_reached ();
    }
}

/* intake-server-help.c: the help requests reviewers act on, /v1/review/help-requests/...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Help requests for staff": the open requests (with the
 * kiosk's location and the time, nothing personal) and "handled". The
 * reviewer is authenticated and their role checked (WORKFLOW: the staff
 * who serve residents) by intake-server-review.c, which dispatches here;
 * a reviewer limited to locations sees and marks only theirs. Every answer
 * is an audit event recorded before it is sent, and "handled" is recorded
 * in the same transaction as the change.
 */
#include "config.h"

#include "intake-server-private.h"

/* At most this many open requests in one answer: a backlog that large is
 * for intake-admin, not for a notification. */
#define OPEN_LIMIT 200

/* A reviewer's locations: NULL is every location (docs/protocol.md,
 * "Roles and scope"). */
static gboolean
at_location (char * const *locations,
             const char   *location)
{
  return locations == NULL || g_strv_contains ((const char * const *) locations, location);
}

static void
add_request (JsonBuilder                  *builder,
             const IntakeStoreHelpRequest *request)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, request->id);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, request->location);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, request->language);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_int_value (builder, request->created_at);
  json_builder_set_member_name (builder, "received_at");
  json_builder_add_int_value (builder, request->received_at);
  json_builder_set_member_name (builder, "handled_at");
  if (request->handled_at != 0)
    json_builder_add_int_value (builder, request->handled_at);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "handled_by");
  if (request->handled_at != 0)
    json_builder_add_string_value (builder, request->handled_by);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

/* GET /v1/review/help-requests/open: the reviewer's locations only. */
void
intake_server_review_help_open (IntakeServer      *self,
                                SoupServerMessage *msg,
                                ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint shown = 0;

  g_free (ctx->object);
  ctx->object = g_strdup ("help_requests open");
  /* The store's whole window, so that a busy location does not hide a
   * quiet one from the reviewers who work there. */
  if (!(list = intake_store_list_open_help_requests (self->store, 1000, &error)))
    return intake_server_store_unavailable (msg, error);
  if (!intake_server_review_audit (self, msg, ctx->reviewer->name, "list", ctx->object, "ok"))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help_requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len && shown < OPEN_LIMIT; i++)
    {
      const IntakeStoreHelpRequest *request = g_ptr_array_index (list, i);

      if (!at_location (ctx->reviewer->locations, request->location))
        continue;
      add_request (builder, request);
      shown++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/review/help-requests/ID/handled, body {} (strict JSON, no
 * members: there is nothing to say but that it was handled). */
void
intake_server_review_help_handled (IntakeServer      *self,
                                   SoupServerMessage *msg,
                                   gint64             id,
                                   GBytes            *body,
                                   ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreHelpRequest) request = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gboolean already = FALSE;

  g_free (ctx->object);
  ctx->object = g_strdup_printf ("help_request %" G_GINT64_FORMAT, id);
  if (!(object = intake_server_parse_json_object (body, parser, &error)) || json_object_get_size (object) != 0)
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        intake_server_body_problem (error, "expected {}"));

  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "help_handled", ctx->object,
                                  "ok", intake_server_origin (msg));
  if (!intake_store_handle_help_request (self->store, id, (const char * const *) ctx->reviewer->locations,
                                         ctx->reviewer->name, intake_server_now_seconds (), event, &request,
                                         &already, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "not_found",
                                            "no help request with this id");
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OUT_OF_SCOPE))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "out_of_scope",
                                            "this help request is at a location outside the ones you work "
                                            "for; ask an administrator if that is wrong");
      return intake_server_store_unavailable (msg, error);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help_request");
  add_request (builder, request);
  /* Someone else marked it first: their name and time stay. */
  json_builder_set_member_name (builder, "already_handled");
  json_builder_add_boolean_value (builder, already);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* intake-server-help.c: the help requests reviewers act on, /v1/review/help-requests/...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Help requests for staff": the open requests (with the
 * kiosk's location and the time, nothing personal) and "handled". The
 * reviewer is authenticated by intake-server-review.c, which dispatches
 * here; every answer is an audit event recorded before it is sent, and
 * "handled" is recorded in the same transaction as the change.
 */
#include "config.h"

#include "intake-server-private.h"

/* At most this many open requests in one answer: a backlog that large is
 * for intake-admin, not for a notification. */
#define OPEN_LIMIT 200

static const char *
origin_of (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "unknown";
}

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

/* GET /v1/review/help-requests/open */
void
intake_server_review_help_open (IntakeServer              *self,
                                SoupServerMessage         *msg,
                                const IntakeStoreReviewer *reviewer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (!(list = intake_store_list_open_help_requests (self->store, OPEN_LIMIT, &error)))
    return intake_server_store_unavailable (msg, error);
  if (!audit (self, msg, reviewer->name, "list", "help_requests open", "ok"))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "help_requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    add_request (builder, g_ptr_array_index (list, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/review/help-requests/ID/handled, empty body or {} */
void
intake_server_review_help_handled (IntakeServer              *self,
                                   SoupServerMessage         *msg,
                                   const IntakeStoreReviewer *reviewer,
                                   gint64                     id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreHelpRequest) request = NULL;
  g_autofree char *object = g_strdup_printf ("help_request %" G_GINT64_FORMAT, id);
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gboolean already = FALSE;

  event = intake_audit_event_new (intake_server_now_seconds (), reviewer->name, "help_handled", object,
                                  "ok", origin_of (msg));
  if (!intake_store_handle_help_request (self->store, id, reviewer->name, intake_server_now_seconds (),
                                         event, &request, &already, &error))
    {
      if (!g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST))
        return intake_server_store_unavailable (msg, error);
      if (!audit (self, msg, reviewer->name, "help_handled", object, "denied:not_found"))
        return;
      return intake_server_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                                          "no help request with this id");
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

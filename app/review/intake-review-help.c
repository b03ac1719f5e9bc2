/* intake-review-help.c: the help requests staff act on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-field.h"
#include "intake-review-help.h"

void
intake_review_help_request_free (IntakeReviewHelpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->location);
  g_free (request->language);
  g_free (request->handled_by);
  g_free (request);
}

static gboolean
protocol_error (GError **error)
{
  g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
               _("The server's list of help requests is not as the protocol says"));
  return FALSE;
}

static gboolean
get_int (JsonObject *object,
         const char *name,
         gboolean    nullable,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = 0;
  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static IntakeReviewHelpRequest *
parse_request (JsonNode  *node,
               GError   **error)
{
  g_autoptr(IntakeReviewHelpRequest) request = g_new0 (IntakeReviewHelpRequest, 1);
  JsonObject *object;
  const char *location, *language, *handled_by = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return protocol_error (error), NULL;
  object = json_node_get_object (node);
  location = get_string (object, "location");
  language = get_string (object, "language");
  if (!get_int (object, "id", FALSE, &request->id) || request->id <= 0 ||
      location == NULL || language == NULL ||
      !get_int (object, "created_at", FALSE, &request->created_at) ||
      !get_int (object, "received_at", FALSE, &request->received_at) ||
      !get_int (object, "handled_at", TRUE, &request->handled_at))
    return protocol_error (error), NULL;
  if (request->handled_at != 0 && !(handled_by = get_string (object, "handled_by")))
    return protocol_error (error), NULL;
  /* Shown in a list and a desktop notification: a location or name that
   * would read in another order than it is stored is not shown at all. */
  if (!intake_field_check (location, -1, "the location", NULL) ||
      !intake_field_check (language, -1, "the language", NULL) ||
      (handled_by != NULL && !intake_field_check (handled_by, -1, "the name", NULL)))
    return protocol_error (error), NULL;
  request->location = g_strdup (location);
  request->language = g_strdup (language);
  request->handled_by = g_strdup (handled_by);
  return g_steal_pointer (&request);
}

/* ---- The open ones ------------------------------------------------------ */

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_help_request_free);
  g_autoptr(JsonNode) answer = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonNode *array;

  if (!(answer = intake_review_client_request_finish (INTAKE_REVIEW_CLIENT (source), result, NULL, &error)))
    return g_task_return_error (task, error);
  if (!JSON_NODE_HOLDS_OBJECT (answer) ||
      !(array = json_object_get_member (object = json_node_get_object (answer), "help_requests")) ||
      !JSON_NODE_HOLDS_ARRAY (array))
    {
      protocol_error (&error);
      return g_task_return_error (task, error);
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (array)); i++)
    {
      IntakeReviewHelpRequest *request = parse_request (json_array_get_element (json_node_get_array (array), i),
                                                        &error);

      if (request == NULL)
        return g_task_return_error (task, error);
      g_ptr_array_add (list, request);
    }
  g_task_return_pointer (task, g_steal_pointer (&list), (GDestroyNotify)g_ptr_array_unref);
}

void
intake_review_client_list_open_help_async (IntakeReviewClient  *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_list_open_help_async);
  intake_review_client_request_async (self, "GET", "/v1/review/help-requests/open", NULL,
                                      cancellable, list_cb, task);
}

GPtrArray *
intake_review_client_list_open_help_finish (IntakeReviewClient  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Handled ------------------------------------------------------------ */

typedef struct {
  gboolean already;
} HandledData;

static void
handled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HandledData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) answer = NULL;
  IntakeReviewHelpRequest *request;
  GError *error = NULL;
  JsonObject *object;
  JsonNode *already;

  if (!(answer = intake_review_client_request_finish (INTAKE_REVIEW_CLIENT (source), result, NULL, &error)))
    return g_task_return_error (task, error);
  if (!JSON_NODE_HOLDS_OBJECT (answer) ||
      !(already = json_object_get_member (object = json_node_get_object (answer), "already_handled")) ||
      !JSON_NODE_HOLDS_VALUE (already) || json_node_get_value_type (already) != G_TYPE_BOOLEAN)
    {
      protocol_error (&error);
      return g_task_return_error (task, error);
    }
  if (!(request = parse_request (json_object_get_member (object, "help_request"), &error)))
    return g_task_return_error (task, error);
  data->already = json_node_get_boolean (already);
  g_task_return_pointer (task, request, (GDestroyNotify)intake_review_help_request_free);
}

void
intake_review_client_mark_help_handled_async (IntakeReviewClient  *self,
                                              gint64               id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  GTask *task;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (id > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_mark_help_handled_async);
  g_task_set_task_data (task, g_new0 (HandledData, 1), g_free);
  path = g_strdup_printf ("/v1/review/help-requests/%" G_GINT64_FORMAT "/handled", id);
  intake_review_client_request_async (self, "POST", path, body, cancellable, handled_cb, task);
}

IntakeReviewHelpRequest *
intake_review_client_mark_help_handled_finish (IntakeReviewClient  *self,
                                               GAsyncResult        *result,
                                               gboolean            *out_already,
                                               GError             **error)
{
  IntakeReviewHelpRequest *request;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  request = g_task_propagate_pointer (G_TASK (result), error);
  if (request != NULL && out_already != NULL)
    *out_already = ((HandledData *) g_task_get_task_data (G_TASK (result)))->already;
  return request;
}

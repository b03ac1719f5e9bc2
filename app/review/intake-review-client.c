/* intake-review-client.c: the reviewer's side of the review protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <libsoup/soup.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-http.h"
#include "intake-review-client.h"
#include "intake-review-request.h"
#include "intake-secure.h"
#include "intake-signed-questionnaire.h"

G_DEFINE_QUARK (intake-review-client-error-quark, intake_review_client_error)

struct _IntakeReviewClient
{
  GObject             parent_instance;

  char               *server_url;      /* without a trailing slash */
  SoupSession        *session;
  char               *name;
  char               *reviewer_id;
  IntakeReviewerKey  *key;
  IntakeOfficePublic *office_public;
};

G_DEFINE_FINAL_TYPE (IntakeReviewClient, intake_review_client, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Metadata                                                             */

G_DEFINE_BOXED_TYPE (IntakeReviewMeta, intake_review_meta, intake_review_meta_copy, intake_review_meta_free)

IntakeReviewMeta *
intake_review_meta_copy (const IntakeReviewMeta *self)
{
  IntakeReviewMeta *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_memdup2 (self, sizeof *self);
  copy->submission_id = g_strdup (self->submission_id);
  copy->reference = g_strdup (self->reference);
  copy->location = g_strdup (self->location);
  copy->device_id = g_strdup (self->device_id);
  copy->questionnaire_id = g_strdup (self->questionnaire_id);
  copy->questionnaire_hash = g_strdup (self->questionnaire_hash);
  copy->state = g_strdup (self->state);
  copy->unit = g_strdup (self->unit);
  copy->updated_by = g_strdup (self->updated_by);
  return copy;
}

void
intake_review_meta_free (IntakeReviewMeta *self)
{
  if (self == NULL)
    return;
  g_free (self->submission_id);
  g_free (self->reference);
  g_free (self->location);
  g_free (self->device_id);
  g_free (self->questionnaire_id);
  g_free (self->questionnaire_hash);
  g_free (self->state);
  g_free (self->unit);
  g_free (self->updated_by);
  g_free (self);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
int_member (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

IntakeReviewMeta *
intake_review_meta_new_from_json (JsonObject *object)
{
  g_autoptr(IntakeReviewMeta) meta = g_new0 (IntakeReviewMeta, 1);
  JsonObject *questionnaire;
  gint64 version = 0;

  g_return_val_if_fail (object != NULL, NULL);

  /* The workflow answers (200/409) carry only the workflow members. */
  meta->submission_id = g_strdup (string_member (object, "submission_id"));
  meta->reference = g_strdup (string_member (object, "reference"));
  meta->location = g_strdup (string_member (object, "location"));
  meta->device_id = g_strdup (string_member (object, "device_id"));
  meta->state = g_strdup (string_member (object, "state"));
  meta->unit = g_strdup (string_member (object, "unit"));
  meta->updated_by = g_strdup (string_member (object, "updated_by"));
  int_member (object, "seq", &meta->seq);
  int_member (object, "received_at", &meta->received_at);
  int_member (object, "created_at", &meta->created_at);
  int_member (object, "updated_at", &meta->updated_at);
  int_member (object, "notes", &meta->notes);
  if (meta->state == NULL || !int_member (object, "version", &meta->version))
    return NULL;
  if (meta->unit == NULL)
    meta->unit = g_strdup ("");
  if (json_object_has_member (object, "questionnaire") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "questionnaire")))
    {
      questionnaire = json_object_get_object_member (object, "questionnaire");
      meta->questionnaire_id = g_strdup (string_member (questionnaire, "id"));
      meta->questionnaire_hash = g_strdup (string_member (questionnaire, "hash"));
      if (int_member (questionnaire, "version", &version) && version > 0 && version <= G_MAXUINT32)
        meta->questionnaire_version = (guint32)version;
    }
  return g_steal_pointer (&meta);
}

static const char * const states[] = {
  "new", "in_review", "conversation_planned", "needs_follow_up", "closed", NULL,
};

const char * const *
intake_review_states (void)
{
  return states;
}

const char *
intake_review_state_label (const char *state)
{
  static const struct { const char *code, *label; } labels[] = {
    /* Translators: the review states of a submission, in workflow order. */
    { "new", NC_("state", "New") },
    { "in_review", NC_("state", "In review") },
    { "conversation_planned", NC_("state", "Conversation planned") },
    { "needs_follow_up", NC_("state", "Needs follow-up") },
    { "closed", NC_("state", "Closed") },
  };

  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].code, state))
      return g_dpgettext2 (GETTEXT_PACKAGE, "state", labels[i].label);
  return state;
}

/* ------------------------------------------------------------------ */
/* The client                                                           */

static void
intake_review_client_finalize (GObject *object)
{
  IntakeReviewClient *self = INTAKE_REVIEW_CLIENT (object);

  intake_review_client_lock (self);
  g_clear_object (&self->session);
  g_free (self->server_url);

  G_OBJECT_CLASS (intake_review_client_parent_class)->finalize (object);
}

static void
intake_review_client_class_init (IntakeReviewClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_review_client_finalize;
}

static void
intake_review_client_init (IntakeReviewClient *self)
{
  self->session = intake_http_session_new ("intake-review", 60, NULL, NULL);
}

IntakeReviewClient *
intake_review_client_new (const char *server_url)
{
  IntakeReviewClient *self;
  gsize len;

  g_return_val_if_fail (server_url != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_REVIEW_CLIENT, NULL);
  self->server_url = g_strstrip (g_strdup (server_url));
  len = strlen (self->server_url);
  while (len > 0 && self->server_url[len - 1] == '/')
    self->server_url[--len] = '\0';
  return self;
}

const char *
intake_review_client_get_server_url (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  return self->server_url;
}

const char *
intake_review_client_get_name (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  return self->key != NULL ? self->name : NULL;
}

const char *
intake_review_client_get_reviewer_id (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  return self->key != NULL ? self->reviewer_id : NULL;
}

gboolean
intake_review_client_is_unlocked (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), FALSE);
  return self->key != NULL;
}

void
intake_review_client_set_tls_database (IntakeReviewClient *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  soup_session_set_tls_database (self->session, database);
}

void
intake_review_client_lock (IntakeReviewClient *self)
{
  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_clear_pointer (&self->key, intake_reviewer_key_free);
  g_clear_pointer (&self->office_public, intake_office_public_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->reviewer_id, g_free);
}

static void
set_http_error (GError             **error,
                IntakeHttpResponse  *response)
{
  const char *code = response->error_code;
  const char *message = response->message;

  if (response->status >= 500 || response->status == 0)
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                 _("The server could not carry out the request (HTTP %u%s%s). Try again later."),
                 response->status, code ? ", " : "", code ? code : "");
  else
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_REFUSED,
                 _("The server refused the request (HTTP %u, %s): %s"), response->status,
                 /* Translators: the server gave no error code. */
                 code ? code : C_("error code", "unknown"),
                 /* Translators: the server gave no message with its refusal. */
                 message ? message : _("no explanation"));
}

/* The transport's errors in the reviewer's terms; cancellation stays. */
static void
set_transport_error (GError **error,
                     GError  *http_error)
{
  if (http_error->domain != INTAKE_HTTP_ERROR)
    g_propagate_error (error, http_error);
  else
    {
      if (http_error->code == INTAKE_HTTP_ERROR_TLS)
        g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                     _("The server’s certificate is not trusted: %s"), http_error->message);
      else if (http_error->code == INTAKE_HTTP_ERROR_TOO_LARGE)
        g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                     _("The server’s answer is too large: %s"), http_error->message);
      else if (http_error->code == INTAKE_HTTP_ERROR_INVALID_URL)
        g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                     _("The server address is not a valid address: %s"), http_error->message);
      else
        g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                     _("The server cannot be reached: %s"), http_error->message);
      g_error_free (http_error);
    }
}

static IntakeHttpResponse *
http_finish (GAsyncResult  *result,
             GError       **error)
{
  GError *local_error = NULL;
  IntakeHttpResponse *response = intake_http_request_finish (result, &local_error);

  if (response == NULL)
    set_transport_error (error, local_error);
  return response;
}

/* ------------------------------------------------------------------ */
/* Unlock                                                               */

typedef struct {
  char               *name;
  IntakeSecureBuffer *passphrase;
  GBytes             *blob;
  char               *reviewer_id;
  GBytes             *office_public;
  IntakeReviewerKey  *key;
} UnlockData;

static void
unlock_data_free (UnlockData *data)
{
  g_free (data->name);
  g_clear_pointer (&data->passphrase, intake_secure_buffer_free);
  g_clear_pointer (&data->blob, g_bytes_unref);
  g_free (data->reviewer_id);
  g_clear_pointer (&data->office_public, g_bytes_unref);
  g_clear_pointer (&data->key, intake_reviewer_key_free);
  g_free (data);
}

static void
wrong_credentials (GTask *task)
{
  /* The very same words for an unknown (or revoked) name and a wrong
   * passphrase, so nobody learns which part was wrong. */
  g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WRONG_CREDENTIALS,
                           _("This name and password do not match"));
}

static void
unwrap_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  data->key = intake_reviewer_key_unwrap (data->blob, data->passphrase, &error);
  g_clear_pointer (&data->passphrase, intake_secure_buffer_free);
  if (data->key == NULL)
    {
      if (g_error_matches (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE))
        wrong_credentials (task);
      else
        g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                                 _("The key from the server cannot be read: %s"), error->message);
      return;
    }
  id = intake_reviewer_key_dup_id_hex (data->key);
  if (!g_str_equal (id, data->reviewer_id))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server returned the key of another staff member"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
unlock_answer_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeHttpResponse) response = http_finish (result, &error);
  JsonObject *object;
  const char *blob_b64, *office_b64, *id;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->status == SOUP_STATUS_NOT_FOUND && g_strcmp0 (response->error_code, "unknown_reviewer") == 0)
    {
      wrong_credentials (task);
      return;
    }
  if (response->status == 429)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SLOW_DOWN,
                               _("Too many attempts with this name. Wait a minute and try again."));
      return;
    }
  if (response->status != SOUP_STATUS_OK)
    {
      set_http_error (&error, response);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!(object = intake_http_response_get_object (response)) ||
      !(blob_b64 = string_member (object, "blob")) || !(id = string_member (object, "reviewer_id")))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the unlock is incomplete"));
      return;
    }
  {
    gsize len = 0;
    guchar *raw = g_base64_decode (blob_b64, &len);

    data->blob = g_bytes_new_take (raw, len);
  }
  if ((office_b64 = string_member (object, "office_public")) != NULL)
    {
      gsize len = 0;
      guchar *raw = g_base64_decode (office_b64, &len);

      data->office_public = g_bytes_new_take (raw, len);
    }
  data->reviewer_id = g_strdup (id);
  g_task_run_in_thread (task, unwrap_thread);
}

void
intake_review_client_unlock_async (IntakeReviewClient       *self,
                                   const char               *name,
                                   const IntakeSecureBuffer *passphrase,
                                   GCancellable             *cancellable,
                                   GAsyncReadyCallback       callback,
                                   gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  UnlockData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (name != NULL && passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_unlock_async);
  data = g_new0 (UnlockData, 1);
  data->name = g_strstrip (g_strdup (name));
  data->passphrase = intake_secure_buffer_new_copy (passphrase->data, passphrase->len);
  g_task_set_task_data (task, data, (GDestroyNotify)unlock_data_free);

  if (*data->name == '\0' || passphrase->len == 0)
    {
      wrong_credentials (task);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = intake_http_json_body (root);
  intake_http_request_async (self->session, self->server_url, SOUP_METHOD_POST, "/v1/review/unlock", body,
                             NULL, cancellable, unlock_answer_cb, g_steal_pointer (&task));
}

gboolean
intake_review_client_unlock_finish (IntakeReviewClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  GTask *task = G_TASK (result);
  UnlockData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  data = g_task_get_task_data (task);
  intake_review_client_lock (self);
  self->key = g_steal_pointer (&data->key);
  self->name = g_strdup (data->name);
  self->reviewer_id = g_strdup (data->reviewer_id);
  if (data->office_public != NULL)
    self->office_public = intake_office_public_new_from_bytes (data->office_public, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Signed requests                                                      */

static void
request_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  JsonNode **conflict = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeHttpResponse) response = http_finish (result, &error);
  JsonObject *object;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->status == SOUP_STATUS_CONFLICT)
    {
      if ((object = intake_http_response_get_object (response)) != NULL && json_object_has_member (object, "current"))
        *conflict = json_node_copy (json_object_get_member (object, "current"));
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_CONFLICT,
                               _("Another staff member has changed this submission in the meantime"));
      return;
    }
  if (response->status < 200 || response->status >= 300)
    {
      set_http_error (&error, response);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->root == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer is not JSON"));
      return;
    }
  g_task_return_pointer (task, json_node_ref (response->root), (GDestroyNotify)json_node_unref);
}

static void
conflict_free (JsonNode **conflict)
{
  g_clear_pointer (conflict, json_node_unref);
  g_free (conflict);
}

void
intake_review_client_request_async (IntakeReviewClient  *self,
                                    const char          *method,
                                    const char          *path_and_query,
                                    GBytes              *body,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IntakeHttpSigner signer = { 0 };

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (method != NULL && path_and_query != NULL && path_and_query[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_request_async);
  /* Where a 409 answer's "current" member goes. */
  g_task_set_task_data (task, g_new0 (JsonNode *, 1), (GDestroyNotify)conflict_free);
  if (self->key == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      return;
    }
  signer.reviewer = self->key;
  signer.now = g_get_real_time () / G_USEC_PER_SEC;
  intake_http_request_async (self->session, self->server_url, method, path_and_query, body, &signer,
                             cancellable, request_answer_cb, g_steal_pointer (&task));
}

JsonNode *
intake_review_client_request_finish (IntakeReviewClient  *self,
                                     GAsyncResult        *result,
                                     JsonNode           **out_conflict,
                                     GError             **error)
{
  JsonNode **conflict;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  conflict = g_task_get_task_data (G_TASK (result));
  if (out_conflict != NULL)
    *out_conflict = *conflict != NULL ? json_node_ref (*conflict) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A request whose answer @func turns into the result, in the main thread.
 * @out_current: where a workflow change's conflict leaves the current
 * state (see intake_review_client_update_workflow_finish()). */
typedef gpointer (*AnswerFunc) (IntakeReviewClient  *self,
                                JsonNode            *answer,
                                JsonNode            *conflict,
                                IntakeReviewMeta   **out_current,
                                GError             **error);

typedef struct {
  AnswerFunc        func;
  GDestroyNotify    destroy;
  IntakeReviewMeta *current;
} Chain;

static void
chain_free (Chain *chain)
{
  g_clear_pointer (&chain->current, intake_review_meta_free);
  g_free (chain);
}

static void
chained_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = INTAKE_REVIEW_CLIENT (source);
  Chain *chain = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) conflict = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (self, result, &conflict, &error);
  gpointer value;

  value = chain->func (self, answer, conflict, &chain->current, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, chain->destroy);
}

static void
chained_request (IntakeReviewClient  *self,
                 gpointer             source_tag,
                 const char          *method,
                 const char          *path,
                 GBytes              *body,
                 AnswerFunc           func,
                 GDestroyNotify       destroy,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Chain *chain = g_new0 (Chain, 1);

  chain->func = func;
  chain->destroy = destroy;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, chain, (GDestroyNotify)chain_free);
  intake_review_client_request_async (self, method, path, body, cancellable, chained_cb, task);
}

static GBytes *
json_body (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *json = json_to_string (root, FALSE);

  return g_bytes_new_take (json, strlen (json));
}

/* ------------------------------------------------------------------ */
/* List                                                                 */

static void
append_param (GString    *out,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (out, out->len == 0 ? '?' : '&');
  g_string_append_printf (out, "%s=%s", name, escaped);
}

char *
intake_review_filter_to_path (const IntakeReviewFilter *filter)
{
  g_autoptr(GString) query = g_string_new (NULL);
  char number[32];

  if (filter != NULL)
    {
      if (filter->after > 0)
        append_param (query, "after", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->after), number));
      if (filter->limit > 0)
        append_param (query, "limit", (g_snprintf (number, sizeof number, "%u", filter->limit), number));
      if (filter->state != NULL && *filter->state != '\0')
        append_param (query, "state", filter->state);
      if (filter->location != NULL && *filter->location != '\0')
        append_param (query, "location", filter->location);
      if (filter->reference != NULL && *filter->reference != '\0')
        append_param (query, "reference", filter->reference);
      if (filter->from > 0)
        append_param (query, "from", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->from), number));
      if (filter->to > 0)
        append_param (query, "to", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->to), number));
    }
  return g_strconcat ("/v1/review/submissions", query->str, NULL);
}

typedef struct {
  GPtrArray *page;
  gint64     next_after;
} ListResult;

static void
list_result_free (ListResult *r)
{
  g_clear_pointer (&r->page, g_ptr_array_unref);
  g_free (r);
}

static gpointer
list_answer (IntakeReviewClient *self,
             JsonNode           *answer,
             JsonNode           *conflict,
             IntakeReviewMeta  **out_current,
             GError            **error)
{
  ListResult *r;
  JsonObject *object;
  JsonArray *array;
  JsonNode *next;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) || !(object = json_node_get_object (answer)) ||
      !json_object_has_member (object, "submissions") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "submissions")))
    goto malformed;
  array = json_object_get_array_member (object, "submissions");
  r = g_new0 (ListResult, 1);
  r->page = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_meta_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      IntakeReviewMeta *meta = JSON_NODE_HOLDS_OBJECT (element)
                               ? intake_review_meta_new_from_json (json_node_get_object (element)) : NULL;

      if (meta == NULL || meta->submission_id == NULL)
        {
          intake_review_meta_free (meta);
          list_result_free (r);
          goto malformed;
        }
      g_ptr_array_add (r->page, meta);
    }
  next = json_object_get_member (object, "next_after");
  r->next_after = next != NULL && JSON_NODE_HOLDS_VALUE (next) ? json_node_get_int (next) : -1;
  return r;

malformed:
  g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                       _("The list from the server cannot be read"));
  return NULL;
}

void
intake_review_client_list_async (IntakeReviewClient       *self,
                                 const IntakeReviewFilter *filter,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  g_autofree char *path = intake_review_filter_to_path (filter);

  chained_request (self, intake_review_client_list_async, "GET", path, NULL,
                   list_answer, (GDestroyNotify)list_result_free,
                   cancellable, callback, user_data);
}

GPtrArray *
intake_review_client_list_finish (IntakeReviewClient  *self,
                                  GAsyncResult        *result,
                                  gint64              *out_next_after,
                                  GError             **error)
{
  ListResult *r;
  GPtrArray *page;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!(r = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;
  page = g_steal_pointer (&r->page);
  if (out_next_after != NULL)
    *out_next_after = r->next_after;
  list_result_free (r);
  return page;
}

/* ------------------------------------------------------------------ */
/* Fetch                                                                */

IntakeSubmission *
intake_review_client_open_envelope (IntakeReviewClient  *self,
                                    GBytes              *envelope,
                                    GError             **error)
{
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  IntakeEnvelopeHeader header;

  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  if (self->key == NULL)
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                           _("Unlock first with your name and password"));
      return NULL;
    }
  if (!(plaintext = intake_envelope_open (envelope, intake_reviewer_key_get_office (self->key), &header, error)))
    return NULL;
  return intake_submission_new_from_secure (plaintext, error);
}

void
intake_review_note_free (IntakeReviewNote *self)
{
  if (self == NULL)
    return;
  g_free (self->reviewer);
  g_clear_pointer (&self->text, intake_secure_buffer_free);
  g_free (self);
}

#define NOTE_QUESTIONNAIRE_ID "intake-note"

static IntakeReviewNote *
open_note (IntakeReviewClient  *self,
           JsonObject          *object,
           GError             **error)
{
  g_autoptr(IntakeReviewNote) note = g_new0 (IntakeReviewNote, 1);
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) envelope = NULL;
  IntakeEnvelopeHeader header;
  const char *b64, *text;
  JsonNode *root;
  gsize len = 0;

  if (!(b64 = string_member (object, "envelope")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL, "a note without envelope");
      return NULL;
    }
  {
    guchar *raw = g_base64_decode (b64, &len);

    envelope = g_bytes_new_take (raw, len);
  }
  if (!(plaintext = intake_envelope_open (envelope, intake_reviewer_key_get_office (self->key), &header, error)))
    return NULL;
  /* json-glib keeps its own copy of the text while parsing; the note's copy is wiped. */
  if (!json_parser_load_from_data (parser, (const char *)plaintext->data, (gssize)plaintext->len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(text = string_member (json_node_get_object (root), "note")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           "a note is not {\"note\": \"...\"}");
      return NULL;
    }
  note->text = intake_secure_buffer_new_copy (text, strlen (text) + 1);
  note->reviewer = g_strdup (string_member (object, "reviewer"));
  int_member (object, "created_at", &note->created_at);
  return g_steal_pointer (&note);
}

typedef struct {
  IntakeSubmission *submission;
  IntakeReviewMeta *meta;
  GPtrArray        *notes;
} FetchResult;

static void
fetch_result_free (FetchResult *r)
{
  g_clear_object (&r->submission);
  g_clear_pointer (&r->meta, intake_review_meta_free);
  g_clear_pointer (&r->notes, g_ptr_array_unref);
  g_free (r);
}

static gpointer
fetch_answer (IntakeReviewClient *self,
              JsonNode           *answer,
              JsonNode           *conflict,
              IntakeReviewMeta  **out_current,
              GError            **error)
{
  g_autoptr(IntakeReviewMeta) meta = NULL;
  g_autoptr(GBytes) envelope = NULL;
  IntakeSubmission *submission;
  FetchResult *r;
  const char *b64;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) ||
      !(meta = intake_review_meta_new_from_json (json_node_get_object (answer))) ||
      !(b64 = string_member (json_node_get_object (answer), "envelope")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The submission from the server cannot be read"));
      return NULL;
    }
  {
    gsize len = 0;
    guchar *raw = g_base64_decode (b64, &len);

    envelope = g_bytes_new_take (raw, len);
  }
  if (!(submission = intake_review_client_open_envelope (self, envelope, error)))
    return NULL;
  r = g_new0 (FetchResult, 1);
  r->submission = submission;
  r->meta = g_steal_pointer (&meta);
  r->notes = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_note_free);
  {
    JsonObject *object = json_node_get_object (answer);
    JsonArray *notes = json_object_has_member (object, "notes") &&
                       JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "notes"))
                       ? json_object_get_array_member (object, "notes") : NULL;

    for (guint i = 0; notes != NULL && i < json_array_get_length (notes); i++)
      {
        JsonNode *element = json_array_get_element (notes, i);
        g_autoptr(GError) note_error = NULL;
        IntakeReviewNote *note = JSON_NODE_HOLDS_OBJECT (element)
                                 ? open_note (self, json_node_get_object (element), &note_error) : NULL;

        if (note != NULL)
          g_ptr_array_add (r->notes, note);
        else
          g_warning ("Note %u of %s does not open: %s", i, r->meta->submission_id,
                     note_error ? note_error->message : "not an object");
      }
    /* In this answer "notes" is the list, which replaces the count of the
     * metadata (the same key twice in one object: the last one wins). */
    if (notes != NULL)
      r->meta->notes = json_array_get_length (notes);
  }
  return r;
}

void
intake_review_client_fetch_async (IntakeReviewClient  *self,
                                  const char          *submission_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (submission_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, NULL);

  chained_request (self, intake_review_client_fetch_async, "GET", path, NULL,
                   fetch_answer, (GDestroyNotify)fetch_result_free,
                   cancellable, callback, user_data);
}

IntakeSubmission *
intake_review_client_fetch_finish (IntakeReviewClient  *self,
                                   GAsyncResult        *result,
                                   IntakeReviewMeta   **out_meta,
                                   GPtrArray          **out_notes,
                                   GError             **error)
{
  FetchResult *r;
  IntakeSubmission *submission;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!(r = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;
  submission = g_steal_pointer (&r->submission);
  if (out_meta != NULL)
    *out_meta = g_steal_pointer (&r->meta);
  if (out_notes != NULL)
    *out_notes = g_steal_pointer (&r->notes);
  fetch_result_free (r);
  return submission;
}

/* ------------------------------------------------------------------ */
/* Workflow                                                             */

static gpointer
workflow_answer (IntakeReviewClient *self,
                 JsonNode           *answer,
                 JsonNode           *conflict,
                 IntakeReviewMeta  **out_current,
                 GError            **error)
{
  IntakeReviewMeta *meta;

  if (conflict != NULL && JSON_NODE_HOLDS_OBJECT (conflict))
    *out_current = intake_review_meta_new_from_json (json_node_get_object (conflict));
  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) || !(meta = intake_review_meta_new_from_json (json_node_get_object (answer))))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The server’s answer to the change cannot be read"));
      return NULL;
    }
  return meta;
}

void
intake_review_client_update_workflow_async (IntakeReviewClient  *self,
                                            const char          *submission_id,
                                            const char          *state,
                                            const char          *unit,
                                            gint64               expected_version,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  g_autofree char *escaped = g_uri_escape_string (submission_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, "/workflow", NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, unit != NULL ? unit : "");
  json_builder_set_member_name (builder, "expected_version");
  json_builder_add_int_value (builder, expected_version);
  json_builder_end_object (builder);
  body = json_body (builder);
  chained_request (self, intake_review_client_update_workflow_async, "POST", path, body,
                   workflow_answer, (GDestroyNotify)intake_review_meta_free,
                   cancellable, callback, user_data);
}

IntakeReviewMeta *
intake_review_client_update_workflow_finish (IntakeReviewClient  *self,
                                             GAsyncResult        *result,
                                             IntakeReviewMeta   **out_current,
                                             GError             **error)
{
  Chain *chain;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  chain = g_task_get_task_data (G_TASK (result));
  if (out_current != NULL)
    *out_current = chain->current != NULL ? intake_review_meta_copy (chain->current) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
intake_review_client_add_note_async (IntakeReviewClient  *self,
                                     const char          *submission_id,
                                     const char          *text,
                                     gint64               expected_version,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonBuilder) inner = json_builder_new ();
  g_autoptr(JsonNode) inner_root = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_uri_escape_string (submission_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, "/notes", NULL);
  g_autofree char *envelope_b64 = NULL;
  IntakeEnvelopeInfo info = {
    .created_at = g_get_real_time () / G_USEC_PER_SEC,
    .questionnaire_id = NOTE_QUESTIONNAIRE_ID,
    .questionnaire_version = 1,
  };

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (text != NULL);

  if (self->key == NULL || self->office_public == NULL)
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, intake_review_client_add_note_async);
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      g_object_unref (task);
      return;
    }
  json_builder_begin_object (inner);
  json_builder_set_member_name (inner, "note");
  json_builder_add_string_value (inner, text);
  json_builder_end_object (inner);
  inner_root = json_builder_get_root (inner);
  {
    g_autoptr(IntakeSecureStr) json = json_to_string (inner_root, FALSE);

    plaintext = intake_secure_buffer_new_copy (json, strlen (json));
  }
  intake_envelope_new_submission_id (info.submission_id);
  envelope = intake_envelope_seal (self->office_public, intake_reviewer_key_get_signing_key (self->key), &info,
                                   plaintext->data, plaintext->len, &error);
  if (envelope == NULL)
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, intake_review_client_add_note_async);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  envelope_b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "envelope");
  json_builder_add_string_value (builder, envelope_b64);
  json_builder_set_member_name (builder, "expected_version");
  json_builder_add_int_value (builder, expected_version);
  json_builder_end_object (builder);
  body = json_body (builder);
  chained_request (self, intake_review_client_add_note_async, "POST", path, body,
                   workflow_answer, (GDestroyNotify)intake_review_meta_free,
                   cancellable, callback, user_data);
}

IntakeReviewMeta *
intake_review_client_add_note_finish (IntakeReviewClient  *self,
                                      GAsyncResult        *result,
                                      IntakeReviewMeta   **out_current,
                                      GError             **error)
{
  return intake_review_client_update_workflow_finish (self, result, out_current, error);
}

/* ------------------------------------------------------------------ */
/* Audit and events                                                     */

static gpointer
audit_answer (IntakeReviewClient *self,
              JsonNode           *answer,
              JsonNode           *conflict,
              IntakeReviewMeta  **out_current,
              GError            **error)
{
  JsonObject *object;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) || !(object = json_node_get_object (answer)) ||
      !json_object_has_member (object, "events") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "events")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The access history from the server cannot be read"));
      return NULL;
    }
  return json_array_ref (json_object_get_array_member (object, "events"));
}

void
intake_review_client_audit_async (IntakeReviewClient  *self,
                                  const char          *submission_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (submission_id, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, "/audit", NULL);

  chained_request (self, intake_review_client_audit_async, "GET", path, NULL,
                   audit_answer, (GDestroyNotify)json_array_unref,
                   cancellable, callback, user_data);
}

JsonArray *
intake_review_client_audit_finish (IntakeReviewClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
event_answer (IntakeReviewClient *self,
              JsonNode           *answer,
              JsonNode           *conflict,
              IntakeReviewMeta  **out_current,
              GError            **error)
{
  return answer != NULL ? GINT_TO_POINTER (TRUE) : NULL;
}

void
intake_review_client_report_event_async (IntakeReviewClient  *self,
                                         const char          *action,
                                         const char          *object,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, object);
  json_builder_end_object (builder);
  body = json_body (builder);
  chained_request (self, intake_review_client_report_event_async, "POST", "/v1/review/events", body,
                   event_answer, NULL, cancellable, callback, user_data);
}

gboolean
intake_review_client_report_event_finish (IntakeReviewClient  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

/* ------------------------------------------------------------------ */
/* Questionnaires                                                       */

static gpointer
questionnaires_answer (IntakeReviewClient *self,
                       JsonNode           *answer,
                       JsonNode           *conflict,
                       IntakeReviewMeta  **out_current,
                       GError            **error)
{
  g_autoptr(IntakeQuestionnaireSet) set = intake_questionnaire_set_new ();
  JsonObject *object;
  JsonArray *array = NULL;

  if (answer == NULL)
    return NULL;
  if (!intake_questionnaire_set_add_builtin (set, error))
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (answer) && (object = json_node_get_object (answer)) != NULL &&
      json_object_has_member (object, "questionnaires") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "questionnaires")))
    array = json_object_get_array_member (object, "questionnaires");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
      g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
      g_autoptr(GError) local_error = NULL;

      /* Only questionnaires signed by this office are read. */
      if (!JSON_NODE_HOLDS_OBJECT (element) || self->office_public == NULL ||
          !(signed_q = intake_signed_questionnaire_new_from_json (json_node_get_object (element), &local_error)) ||
          !(questionnaire = intake_signed_questionnaire_verify (signed_q, self->office_public,
                                                                "the server's questionnaire", &local_error)) ||
          !intake_questionnaire_set_add (set, questionnaire, &local_error))
        {
          g_debug ("questionnaire %u from the server not used: %s", i,
                   local_error ? local_error->message : "not an object, or no office key");
          continue;
        }
    }
  return g_steal_pointer (&set);
}

void
intake_review_client_load_questionnaires_async (IntakeReviewClient  *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  chained_request (self, intake_review_client_load_questionnaires_async, "GET", "/v1/review/questionnaires",
                   NULL, questionnaires_answer, g_object_unref, cancellable, callback, user_data);
}

IntakeQuestionnaireSet *
intake_review_client_load_questionnaires_finish (IntakeReviewClient  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Export                                                               */

typedef struct {
  IntakeQuestionnaireSet     *questionnaires;
  IntakeExportFormat          format;
  IntakeExportFlags           flags;
  GOutputStream              *out;
  IntakeReviewFilter          filter;     /* strings owned */
  GPtrArray                  *ids;        /* char *: what to export, in order */
  gboolean                    selection;  /* @ids came from the caller */
  guint                       next;
  IntakeExport               *export;
  char                       *questionnaire_id;
  guint                       skipped;
  IntakeReviewExportProgress  progress;
  gpointer                    progress_data;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->questionnaires);
  g_clear_object (&data->out);
  g_free ((char *)data->filter.state);
  g_free ((char *)data->filter.location);
  g_free ((char *)data->filter.reference);
  g_clear_pointer (&data->ids, g_ptr_array_unref);
  g_clear_object (&data->export);
  g_free (data->questionnaire_id);
  g_free (data);
}

static void export_next (GTask *task);

static void
export_report_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* An export the server did not record is still written, but said. */
  if (!intake_review_client_report_event_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    g_warning ("The server did not record the export: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
export_fetch_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = INTAKE_REVIEW_CLIENT (source);
  ExportData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeReviewMeta) meta = NULL;
  g_autoptr(IntakeSubmission) submission = NULL;
  g_autoptr(GDateTime) received = NULL;
  IntakeExportMeta export_meta;

  if (!(submission = intake_review_client_fetch_finish (self, result, &meta, NULL, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  intake_review_client_report_event_async (self, "decrypt", meta->submission_id, NULL, NULL, NULL);
  if (data->export == NULL)
    {
      data->questionnaire_id = g_strdup (intake_submission_get_questionnaire_id (submission));
      if (!(data->export = intake_export_new (data->questionnaires, data->questionnaire_id, data->format,
                                              data->flags, &error)) ||
          !intake_export_begin (data->export, data->out, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (!g_str_equal (data->questionnaire_id, intake_submission_get_questionnaire_id (submission)))
    data->skipped++;
  else
    {
      received = g_date_time_new_from_unix_utc (meta->received_at);
      export_meta = (IntakeExportMeta) {
        .submission_id = meta->submission_id,
        .reference_code = meta->reference,
        .received_at = received,
        .location = meta->location,
        .state = meta->state,
        .assigned_unit = meta->unit,
      };
      if (!intake_export_add (data->export, submission, &export_meta, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (data->progress != NULL)
    data->progress (data->next, data->ids->len, data->progress_data);
  export_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
export_next (GTask *task)
{
  IntakeReviewClient *self = g_task_get_source_object (task);
  ExportData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *object = NULL;

  if (data->next < data->ids->len)
    {
      const char *id = g_ptr_array_index (data->ids, data->next++);

      intake_review_client_fetch_async (self, id, cancellable, export_fetch_cb, task);
      return;
    }
  if (data->export == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_REFUSED,
                               _("There is nothing to export: no submissions for this filter"));
      g_object_unref (task);
      return;
    }
  if (!intake_export_end (data->export, cancellable, &error) ||
      !g_output_stream_close (data->out, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  path = intake_review_filter_to_path (&data->filter);
  object = g_strdup_printf ("%s %s rows=%" G_GUINT64_FORMAT,
                            data->format == INTAKE_EXPORT_FORMAT_CSV ? "csv" : "json",
                            data->selection ? "selection" : path, intake_export_get_n_rows (data->export));
  intake_review_client_report_event_async (self, "export", object, cancellable, export_report_cb, task);
}

/* Takes @task: the ids of the whole filter, page by page (metadata only). */
static void
export_list_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ExportData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 next_after = -1;

  if (!(page = intake_review_client_list_finish (INTAKE_REVIEW_CLIENT (source), result, &next_after, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < page->len; i++)
    g_ptr_array_add (data->ids, g_strdup (((IntakeReviewMeta *)g_ptr_array_index (page, i))->submission_id));
  if (next_after >= 0)
    {
      data->filter.after = next_after;
      intake_review_client_list_async (INTAKE_REVIEW_CLIENT (source), &data->filter, g_task_get_cancellable (task),
                                       export_list_cb, task);
      return;
    }
  export_next (task);
}

void
intake_review_client_export_async (IntakeReviewClient         *self,
                                   IntakeQuestionnaireSet     *questionnaires,
                                   const IntakeReviewFilter   *filter,
                                   GPtrArray                  *ids,
                                   IntakeExportFormat          format,
                                   IntakeExportFlags           flags,
                                   GOutputStream              *out,
                                   IntakeReviewExportProgress  progress,
                                   gpointer                    progress_data,
                                   GCancellable               *cancellable,
                                   GAsyncReadyCallback         callback,
                                   gpointer                    user_data)
{
  GTask *task;
  ExportData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (questionnaires));
  g_return_if_fail (G_IS_OUTPUT_STREAM (out));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_export_async);
  data = g_new0 (ExportData, 1);
  data->questionnaires = g_object_ref (questionnaires);
  data->format = format;
  data->flags = flags;
  data->out = g_object_ref (out);
  data->progress = progress;
  data->progress_data = progress_data;
  if (filter != NULL)
    {
      data->filter.state = g_strdup (filter->state);
      data->filter.location = g_strdup (filter->location);
      data->filter.reference = g_strdup (filter->reference);
      data->filter.from = filter->from;
      data->filter.to = filter->to;
    }
  data->filter.limit = 500;
  data->ids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify)export_data_free);

  if (self->key == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      g_object_unref (task);
      return;
    }
  if (ids != NULL)
    {
      data->selection = TRUE;
      for (guint i = 0; i < ids->len; i++)
        g_ptr_array_add (data->ids, g_strdup (g_ptr_array_index (ids, i)));
      export_next (task);
      return;
    }
  intake_review_client_list_async (self, &data->filter, cancellable, export_list_cb, task);
}

gboolean
intake_review_client_export_finish (IntakeReviewClient  *self,
                                    GAsyncResult        *result,
                                    guint64             *out_rows,
                                    guint               *out_skipped,
                                    GError             **error)
{
  ExportData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  data = g_task_get_task_data (G_TASK (result));
  if (out_rows != NULL)
    *out_rows = data->export != NULL ? intake_export_get_n_rows (data->export) : 0;
  if (out_skipped != NULL)
    *out_skipped = data->skipped;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* intake-review-client.c: the reviewer's side of the review protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include <libsoup/soup.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-http.h"
#include "intake-json.h"
#include "intake-office-rotation.h"
#include "intake-review-client.h"
#include "intake-review-request.h"
#include "intake-protocol.h"
#include "intake-reference.h"
#include "intake-roles.h"
#include "intake-secure.h"
#include "intake-signed-questionnaire.h"
#include "intake-workstation-store.h"

G_DEFINE_QUARK (intake-review-client-error-quark, intake_review_client_error)

struct _IntakeReviewClient
{
  GObject             parent_instance;

  char               *server_url;      /* without a trailing slash */
  SoupSession        *session;
  char               *name;
  char               *reviewer_id;
  IntakeReviewerKey  *key;
  /* The key's office secret and those opened from sealed office keys
   * (docs/keys.md, "Office key rotation"): envelopes sealed before a
   * rotation open with the older ones. */
  IntakeOfficeKeyring *keyring;
  GPtrArray          *office_trusted;  /* IntakeOfficePublic *: the current key first, then older ones */
  IntakeOfficePublic *office_public;
  guint               roles;           /* IntakeRoles */
  char              **locations;       /* scope; NULL: every location */
  char              **units;
  IntakeWorkstationKey *workstation;   /* kept while unlocked: a passphrase change needs it */
  GBytes             *blob;            /* the reviewer key as the server holds it */
  char               *workstation_file; /* instead of the keyring or data-dir file (intake-admin) */
  gboolean            no_fetch_many;   /* the server has no batch fetch: fetch one by one until locked */
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
  copy->key = g_strdup (self->key);
  copy->submission_id = g_strdup (self->submission_id);
  copy->reference = g_strdup (self->reference);
  copy->location = g_strdup (self->location);
  copy->device_id = g_strdup (self->device_id);
  copy->questionnaire_id = g_strdup (self->questionnaire_id);
  copy->questionnaire_hash = g_strdup (self->questionnaire_hash);
  copy->state = g_strdup (self->state);
  copy->unit = g_strdup (self->unit);
  copy->updated_by = g_strdup (self->updated_by);
  copy->assignee = g_strdup (self->assignee);
  return copy;
}

void
intake_review_meta_free (IntakeReviewMeta *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_free (self->submission_id);
  g_free (self->reference);
  g_free (self->location);
  g_free (self->device_id);
  g_free (self->questionnaire_id);
  g_free (self->questionnaire_hash);
  g_free (self->state);
  g_free (self->unit);
  g_free (self->updated_by);
  g_free (self->assignee);
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
  meta->key = g_strdup (string_member (object, "key"));
  meta->submission_id = g_strdup (string_member (object, "submission_id"));
  meta->reference = g_strdup (string_member (object, "reference"));
  meta->location = g_strdup (string_member (object, "location"));
  meta->device_id = g_strdup (string_member (object, "device_id"));
  meta->state = g_strdup (string_member (object, "state"));
  meta->unit = g_strdup (string_member (object, "unit"));
  meta->updated_by = g_strdup (string_member (object, "updated_by"));
  meta->assignee = g_strdup (string_member (object, "assignee"));
  int_member (object, "appointment_at", &meta->appointment_at);
  int_member (object, "change_seq", &meta->change_seq);
  int_member (object, "seq", &meta->seq);
  int_member (object, "received_at", &meta->received_at);
  int_member (object, "created_at", &meta->created_at);
  int_member (object, "updated_at", &meta->updated_at);
  int_member (object, "notes", &meta->notes);
  if (meta->state == NULL || !int_member (object, "version", &meta->version))
    return NULL;
  if (meta->unit == NULL)
    meta->unit = g_strdup ("");
  if (meta->assignee == NULL)
    meta->assignee = g_strdup ("");
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
  g_free (self->workstation_file);

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
  g_clear_pointer (&self->keyring, intake_office_keyring_free);
  g_clear_pointer (&self->office_trusted, g_ptr_array_unref);
  g_clear_pointer (&self->office_public, intake_office_public_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->reviewer_id, g_free);
  g_clear_pointer (&self->locations, g_strfreev);
  g_clear_pointer (&self->units, g_strfreev);
  g_clear_pointer (&self->workstation, intake_workstation_key_free);
  g_clear_pointer (&self->blob, g_bytes_unref);
  self->roles = 0;
  /* The next unlock asks for batches again: the server may have been updated. */
  self->no_fetch_many = FALSE;
}

guint
intake_review_client_get_roles (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), 0);
  return self->key != NULL ? self->roles : 0;
}

gboolean
intake_review_client_can (IntakeReviewClient *self,
                          IntakePermission    permission)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), FALSE);
  return self->key != NULL && intake_roles_allow ((IntakeRoles) self->roles, permission);
}

const char * const *
intake_review_client_get_locations (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  return (const char * const *) self->locations;
}

const char * const *
intake_review_client_get_units (IntakeReviewClient *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (self), NULL);
  return (const char * const *) self->units;
}

void
intake_review_client_set_workstation_key_file (IntakeReviewClient *self,
                                               const char         *path)
{
  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_free (self->workstation_file);
  self->workstation_file = g_strdup (path);
}

static void
set_http_error (GError             **error,
                IntakeHttpResponse  *response)
{
  const char *code = response->error_code;
  const char *message = response->message;

  if (response->status == SOUP_STATUS_FORBIDDEN && g_strcmp0 (code, "role_required") == 0)
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN,
                 _("Your role does not allow this. Ask an administrator if your work needs it."));
  else if (response->status == SOUP_STATUS_FORBIDDEN && g_strcmp0 (code, "out_of_scope") == 0)
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN,
                 _("This is outside the locations or units you work for."));
  else if (response->status == SOUP_STATUS_FORBIDDEN && g_strcmp0 (code, "unit_out_of_scope") == 0)
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN,
                 _("You can only assign submissions to the units you work for."));
  else if (response->status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN,
                 _("The server does not allow this (%s): %s"), code ? code : "", message ? message : "");
  else if (response->status == SOUP_STATUS_UNAUTHORIZED && g_strcmp0 (code, "replayed_request") == 0)
    /* libsoup sent the request again after a kept-alive connection broke,
     * and the server had the first copy (docs/protocol.md, "Connections"):
     * what was asked may well be done. */
    g_set_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                 _("The connection broke after the request was sent; the server may already have "
                   "carried it out. Reload to see, before you try again."));
  else if (response->status >= 500 || response->status == 0)
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
/* Unlock (docs/protocol.md, "Unlock")                                  */

/* Everything an unlock, an activation or a passphrase change carries
 * between its steps (threads for Argon2id and the keyring, the main
 * context for HTTP). */
typedef struct {
  char                 *name;
  IntakeSecureBuffer   *passphrase;
  IntakeSecureBuffer   *code;            /* activation: the normalized code */
  IntakeWorkstationKey *workstation;
  GBytes               *challenge;
  guint8                salt[INTAKE_CREDENTIAL_SALT_BYTES];
  guint64               opslimit;
  guint64               memlimit;
  char                 *workstation_id;  /* what the server says the key was made with */
  IntakeCredentials    *credentials;
  GBytes               *signature;
  GBytes               *blob;
  GBytes               *setup;
  GBytes               *complete_challenge;
  char                 *reviewer_id;
  GBytes               *office_public;
  GPtrArray            *office_rotations;  /* GBytes * */
  GPtrArray            *office_key_seals;  /* GBytes * */
  guint                 roles;
  char                **locations;
  char                **units;
  IntakeReviewerKey    *key;
  char                 *workstation_file;
  /* passphrase change */
  IntakeSecureBuffer   *new_passphrase;
  GBytes               *new_blob;
  GBytes               *proof;
  gboolean              kept;            /* activation: the workstation key was kept here */
  char                 *kept_error;
} UnlockData;

/* "office_rotations" and "office_key_seals" of an unlock or activation
 * answer (docs/protocol.md, "Office key rotation"). */
static void
read_office_keys (JsonObject *object,
                  UnlockData *data)
{
  g_clear_pointer (&data->office_rotations, g_ptr_array_unref);
  g_clear_pointer (&data->office_key_seals, g_ptr_array_unref);
  /* Absent from servers before schema 9; malformed ones are left out (the
   * keyring checks what it is given anyway). */
  data->office_rotations = intake_json_get_base64_list (object, "office_rotations", NULL);
  data->office_key_seals = intake_json_get_base64_list (object, "office_key_seals", NULL);
}

static void
unlock_data_free (UnlockData *data)
{
  g_free (data->name);
  g_clear_pointer (&data->passphrase, intake_secure_buffer_free);
  g_clear_pointer (&data->code, intake_secure_buffer_free);
  g_clear_pointer (&data->workstation, intake_workstation_key_free);
  g_clear_pointer (&data->challenge, g_bytes_unref);
  g_free (data->workstation_id);
  g_clear_pointer (&data->credentials, intake_credentials_free);
  g_clear_pointer (&data->signature, g_bytes_unref);
  g_clear_pointer (&data->blob, g_bytes_unref);
  g_clear_pointer (&data->setup, g_bytes_unref);
  g_clear_pointer (&data->complete_challenge, g_bytes_unref);
  g_free (data->reviewer_id);
  g_clear_pointer (&data->office_public, g_bytes_unref);
  g_clear_pointer (&data->office_rotations, g_ptr_array_unref);
  g_clear_pointer (&data->office_key_seals, g_ptr_array_unref);
  g_strfreev (data->locations);
  g_strfreev (data->units);
  g_clear_pointer (&data->key, intake_reviewer_key_free);
  g_free (data->workstation_file);
  g_clear_pointer (&data->new_passphrase, intake_secure_buffer_free);
  g_clear_pointer (&data->new_blob, g_bytes_unref);
  g_clear_pointer (&data->proof, g_bytes_unref);
  g_free (data->kept_error);
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

static GBytes *
b64_member (JsonObject *object,
            const char *name,
            gsize       expected)
{
  const char *text = string_member (object, name);
  guchar *raw;
  gsize len = 0;

  if (text == NULL)
    return NULL;
  raw = g_base64_decode (text, &len);
  if (expected > 0 && len != expected)
    {
      g_free (raw);
      return NULL;
    }
  return g_bytes_new_take (raw, len);
}

/* The roles and scope of an unlock or activation answer. */
static gboolean
read_access (JsonObject  *object,
             UnlockData  *data)
{
  JsonNode *node = json_object_get_member (object, "roles");
  const char *lists[] = { "locations", "units" };
  char ***targets[] = { &data->locations, &data->units };

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  data->roles = 0;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      const char *role = json_array_get_string_element (json_node_get_array (node), i);
      IntakeRoles one = 0;

      /* A role this build does not know grants nothing here. */
      if (role != NULL && intake_roles_from_string (role, &one))
        data->roles |= one;
    }
  for (guint k = 0; k < G_N_ELEMENTS (lists); k++)
    {
      JsonNode *list = json_object_get_member (object, lists[k]);
      GPtrArray *values;

      if (list == NULL || JSON_NODE_HOLDS_NULL (list))
        continue;
      if (!JSON_NODE_HOLDS_ARRAY (list))
        return FALSE;
      values = g_ptr_array_new ();
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        g_ptr_array_add (values, g_strdup (json_array_get_string_element (json_node_get_array (list), i)));
      g_ptr_array_add (values, NULL);
      *targets[k] = (char **) g_ptr_array_free (values, FALSE);
    }
  return TRUE;
}

static GBytes *
challenge_message (GBytes     *challenge,
                   const char *name,
                   GBytes     *extra)
{
  GByteArray *message = g_byte_array_new ();

  g_byte_array_append (message, g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  g_byte_array_append (message, (const guint8 *)name, strlen (name));
  if (extra != NULL)
    g_byte_array_append (message, g_bytes_get_data (extra, NULL), g_bytes_get_size (extra));
  return g_byte_array_free_to_bytes (message);
}

static GBytes *
signature_bytes (const guint8 *signature)
{
  return g_bytes_new (signature, INTAKE_SIGNATURE_BYTES);
}

static GBytes *
sha256_bytes (GBytes *data)
{
  guint8 hash[32];
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = sizeof hash;

  g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_checksum_get_digest (checksum, hash, &len);
  return g_bytes_new (hash, sizeof hash);
}

/* Takes @task (its cancellable is the request's). */
static void
post_json (IntakeReviewClient  *self,
           const char          *path,
           JsonBuilder         *builder,
           GAsyncReadyCallback  callback,
           GTask               *task)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(GBytes) body = intake_http_json_body (root);
  GCancellable *cancellable = g_task_get_cancellable (task);

  intake_http_request_async (self->session, self->server_url, SOUP_METHOD_POST, path, body, NULL, cancellable,
                             callback, task);
}

static void
add_b64 (JsonBuilder *builder,
         const char  *member,
         GBytes      *bytes)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, b64);
}

/* The answer of an unlock or activation step: 200 and its object, or the
 * task returned with the error the reviewer should read. */
static JsonObject *
step_answer (GTask              *task,
             GAsyncResult       *result,
             IntakeHttpResponse **out_response)
{
  g_autoptr(GError) error = NULL;
  IntakeHttpResponse *response = http_finish (result, &error);
  JsonObject *object;

  *out_response = response;
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }
  if (response->status == SOUP_STATUS_UNAUTHORIZED && g_strcmp0 (response->error_code, "wrong_credentials") == 0)
    {
      wrong_credentials (task);
      return NULL;
    }
  if (response->status == 429)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SLOW_DOWN,
                               _("Too many failed attempts with this name. Wait 15 minutes, or ask an "
                                 "administrator to lift the lock."));
      return NULL;
    }
  if (response->status == SOUP_STATUS_UNAUTHORIZED &&
      (g_strcmp0 (response->error_code, "challenge_expired") == 0 ||
       g_strcmp0 (response->error_code, "replayed_request") == 0))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_SERVER,
                               _("Unlocking took too long. Try again."));
      return NULL;
    }
  if (response->status != SOUP_STATUS_OK)
    {
      set_http_error (&error, response);
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }
  if (!(object = intake_http_response_get_object (response)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the unlock is incomplete"));
      return NULL;
    }
  return object;
}

static void
no_workstation_key (GTask      *task,
                    const char *name,
                    gboolean    other_key)
{
  if (other_key)
    g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_NO_WORKSTATION_KEY,
                             _("This computer holds another workstation key for “%s” than the one your key "
                               "was made with (you may have set up intake-review again elsewhere). Enter the "
                               "recovery code of your latest recovery sheet."), name);
  else
    g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_NO_WORKSTATION_KEY,
                             _("This computer has no workstation key for “%s”. If you are new or your "
                               "password was reset, use your activation code; on a new computer, enter the "
                               "recovery code from your recovery sheet."), name);
}

static IntakeWorkstationKey *
lookup_workstation (UnlockData  *data,
                    GError     **error)
{
  if (data->workstation_file != NULL)
    {
      if (!g_file_test (data->workstation_file, G_FILE_TEST_EXISTS))
        return NULL;
      return intake_workstation_key_load (data->workstation_file, error);
    }
  return intake_workstation_store_lookup (data->name, NULL, error);
}

static void unlock_finish_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* Thread: Argon2id, then the signature over challenge || name. */
static void
derive_and_sign_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  data->credentials = intake_credentials_new_reviewer (data->passphrase, data->workstation, data->salt,
                                                       data->opslimit, data->memlimit, &error);
  if (data->credentials == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the unlock cannot be used: %s"), error->message);
      return;
    }
  message = challenge_message (data->challenge, data->name, NULL);
  intake_credentials_sign (data->credentials, INTAKE_REVIEW_UNLOCK_CONTEXT, message, signature);
  data->signature = signature_bytes (signature);
  g_task_return_boolean (task, TRUE);
}

static void
derived_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = g_task_get_source_object (task);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  add_b64 (builder, "challenge", data->challenge);
  add_b64 (builder, "signature", data->signature);
  json_builder_end_object (builder);
  post_json (self, "/v1/review/unlock/finish", builder, unlock_finish_cb, g_steal_pointer (&task));
}

static void
unlock_start_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autofree char *local_id = NULL;
  GTask *thread_task;
  JsonObject *object;
  gint64 opslimit = 0, memlimit = 0;

  if (!(object = step_answer (task, result, &response)))
    return;
  if (!(data->challenge = b64_member (object, "challenge", INTAKE_PROTOCOL_CHALLENGE_BYTES)) ||
      !(salt = b64_member (object, "salt", INTAKE_CREDENTIAL_SALT_BYTES)) ||
      !int_member (object, "opslimit", &opslimit) || !int_member (object, "memlimit", &memlimit) ||
      g_strcmp0 (string_member (object, "kdf"), "argon2id13") != 0 ||
      string_member (object, "workstation_id") == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the unlock is incomplete"));
      return;
    }
  memcpy (data->salt, g_bytes_get_data (salt, NULL), sizeof data->salt);
  data->opslimit = (guint64) opslimit;
  data->memlimit = (guint64) memlimit;

  /* A key made on another workstation cannot unlock here: say so rather
   * than spend a second on Argon2id and be told the password is wrong. */
  local_id = intake_workstation_key_dup_id_hex (data->workstation);
  if (!g_str_equal (local_id, string_member (object, "workstation_id")))
    {
      no_workstation_key (task, data->name, TRUE);
      return;
    }

  thread_task = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task), derived_cb,
                            g_object_ref (task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, derive_and_sign_thread);
  g_object_unref (thread_task);
}

static void
unlock_finish_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  JsonObject *object;
  const char *reviewer_id;

  if (!(object = step_answer (task, result, &response)))
    return;
  if (!(data->blob = b64_member (object, "blob", 0)) || !(reviewer_id = string_member (object, "reviewer_id")) ||
      !read_access (object, data))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the unlock is incomplete"));
      return;
    }
  data->office_public = b64_member (object, "office_public", 0);
  read_office_keys (object, data);
  data->reviewer_id = g_strdup (reviewer_id);

  /* The same credentials that signed the challenge open the blob: no
   * second Argon2id. */
  if (!(data->key = intake_reviewer_key_open (data->blob, data->credentials, &error)))
    {
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
post_unlock_start (GTask *task)
{
  IntakeReviewClient *self = g_task_get_source_object (task);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  json_builder_end_object (builder);
  post_json (self, "/v1/review/unlock/start", builder, unlock_start_cb, task);
}

/* Thread: the keyring may be a D-Bus round trip (and a prompt). */
static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(GError) error = NULL;

  data->workstation = lookup_workstation (data, &error);
  if (error != NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_NO_WORKSTATION_KEY,
                               _("The workstation key on this computer cannot be read: %s"), error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->workstation == NULL)
    {
      no_workstation_key (task, data->name, FALSE);
      return;
    }
  post_unlock_start (g_steal_pointer (&task));
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
  GTask *thread_task;
  UnlockData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (name != NULL && passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_unlock_async);
  data = g_new0 (UnlockData, 1);
  data->name = g_strstrip (g_strdup (name));
  data->passphrase = intake_secure_buffer_new_copy (passphrase->data, passphrase->len);
  data->workstation_file = g_strdup (self->workstation_file);
  g_task_set_task_data (task, data, (GDestroyNotify)unlock_data_free);

  if (*data->name == '\0' || passphrase->len == 0)
    {
      wrong_credentials (task);
      return;
    }

  thread_task = g_task_new (self, cancellable, looked_up_cb, g_steal_pointer (&task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, lookup_thread);
  g_object_unref (thread_task);
}

/* The office secrets this reviewer holds: the one in their key, and those
 * the sealed office keys give, kept only when the rotation statements
 * (each signed by the key before and the key after) lead to them from the
 * key the reviewer already trusts: a server cannot slip in a key of its
 * own. */
static IntakeOfficeKeyring *
build_keyring (const IntakeReviewerKey *key,
               GPtrArray               *rotation_blobs,
               GPtrArray               *seals,
               GPtrArray              **out_trusted)
{
  const IntakeOfficeSecret *own = intake_reviewer_key_get_office (key);
  IntakeOfficeKeyring *keyring = intake_office_keyring_new (own);
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) trusted = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; rotation_blobs != NULL && i < rotation_blobs->len && error == NULL; i++)
    {
      IntakeOfficeRotation *r = intake_office_rotation_new_from_bytes (g_ptr_array_index (rotation_blobs, i),
                                                                       "an office key rotation", &error);

      if (r != NULL)
        g_ptr_array_add (rotations, r);
    }
  /* Forwards from the key we hold to newer ones; backwards to older ones
   * by the same statements read the other way. */
  if (error == NULL)
    trusted = intake_office_chain_related (intake_office_secret_get_public (own), rotations, &error);
  if (trusted == NULL)
    {
      g_warning ("Ignoring the server's office key rotations: %s", error->message);
      trusted = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_public_free);
      g_ptr_array_add (trusted, intake_office_public_copy (intake_office_secret_get_public (own)));
    }
  else
    intake_office_keyring_absorb (keyring, key, seals, trusted);
  *out_trusted = g_steal_pointer (&trusted);
  return keyring;
}

/* The office secret an envelope was sealed for, if this reviewer holds it;
 * else the reviewer's own (opening then fails with WRONG_OFFICE_KEY). */
static const IntakeOfficeSecret *
office_secret_for (IntakeReviewClient *self,
                   GBytes             *envelope)
{
  IntakeEnvelopeHeader header;
  const IntakeOfficeSecret *secret = NULL;

  if (self->keyring != NULL && intake_envelope_parse_header (envelope, &header, NULL))
    secret = intake_office_keyring_lookup (self->keyring, header.office_key_id);
  return secret != NULL ? secret : intake_reviewer_key_get_office (self->key);
}

/* The newest office secret held: activation codes made by this
 * administrator carry it, so a reviewer activated after a rotation gets
 * the current key. */
static const IntakeOfficeSecret *
newest_office_secret (IntakeReviewClient *self)
{
  const IntakeOfficeSecret *secret = NULL;

  if (self->keyring != NULL && self->office_public != NULL)
    secret = intake_office_keyring_lookup (self->keyring, self->office_public->key_id);
  return secret != NULL ? secret : intake_reviewer_key_get_office (self->key);
}

/* Takes over what an unlock or activation left in @data. */
static void
become_unlocked (IntakeReviewClient *self,
                 UnlockData         *data)
{
  intake_review_client_lock (self);
  self->key = g_steal_pointer (&data->key);
  self->name = g_strdup (data->name);
  self->reviewer_id = g_strdup (data->reviewer_id);
  self->roles = data->roles;
  self->locations = g_steal_pointer (&data->locations);
  self->units = g_steal_pointer (&data->units);
  self->workstation = g_steal_pointer (&data->workstation);
  self->blob = data->new_blob != NULL ? g_bytes_ref (data->new_blob) : g_bytes_ref (data->blob);
  if (data->office_public != NULL)
    self->office_public = intake_office_public_new_from_bytes (data->office_public, NULL);
  self->keyring = build_keyring (self->key, data->office_rotations, data->office_key_seals, &self->office_trusted);
  /* Questionnaires are checked with the server's current key first. */
  if (self->office_public != NULL)
    {
      if (self->office_trusted == NULL)
        self->office_trusted = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_public_free);
      g_ptr_array_insert (self->office_trusted, 0, intake_office_public_copy (self->office_public));
    }
}

gboolean
intake_review_client_unlock_finish (IntakeReviewClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  GTask *task = G_TASK (result);

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  become_unlocked (self, g_task_get_task_data (task));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Activation (docs/protocol.md, "Activation")                          */

static void activate_finish_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);
static void activate_complete_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data);

static void
activate_start_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = g_task_get_source_object (task);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) signature = NULL;
  guint8 raw[INTAKE_SIGNATURE_BYTES];
  JsonObject *object;

  if (!(object = step_answer (task, result, &response)))
    return;
  if (!(data->challenge = b64_member (object, "challenge", INTAKE_PROTOCOL_CHALLENGE_BYTES)) ||
      !(salt = b64_member (object, "salt", INTAKE_CREDENTIAL_SALT_BYTES)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the activation is incomplete"));
      return;
    }
  /* The code has over 100 bits: no slow derivation, no thread. */
  data->credentials = intake_credentials_new_setup ((const char *)data->code->data, data->code->len,
                                                    g_bytes_get_data (salt, NULL), NULL);
  message = challenge_message (data->challenge, data->name, NULL);
  intake_credentials_sign (data->credentials, INTAKE_REVIEW_ACTIVATE_CONTEXT, message, raw);
  signature = signature_bytes (raw);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  add_b64 (builder, "challenge", data->challenge);
  add_b64 (builder, "signature", signature);
  json_builder_end_object (builder);
  post_json (self, "/v1/review/activate/finish", builder, activate_finish_cb, g_steal_pointer (&task));
}

/* Thread: opens the activation key, makes the reviewer's own signing key
 * and workstation key, seals them with the new passphrase (Argon2id), and
 * keeps the workstation key on this computer. */
static void
activate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeCredentials) reviewer_credentials = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) message = NULL;
  guint8 raw[INTAKE_SIGNATURE_BYTES];

  if (!(office = intake_office_secret_open_setup (data->setup, data->credentials, &error)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The activation key from the server cannot be opened: %s"), error->message);
      return;
    }
  if (!(data->key = intake_reviewer_key_generate (office, &error)) ||
      !(data->workstation = intake_workstation_key_generate (&error)) ||
      !(reviewer_credentials = intake_credentials_new_reviewer (data->passphrase, data->workstation, NULL, 0, 0,
                                                                &error)) ||
      !(data->blob = intake_reviewer_key_seal (data->key, reviewer_credentials, &error)))
    {
      if (g_error_matches (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE))
        g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WEAK_PASSPHRASE,
                                 _("Choose a password of at least 12 characters, for example a few unrelated "
                                   "words."));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The code's key signs challenge, name and the new key's hash; the new
   * reviewer key signs challenge and name. */
  hash = sha256_bytes (data->blob);
  message = challenge_message (data->complete_challenge, data->name, hash);
  intake_credentials_sign (data->credentials, INTAKE_REVIEW_ACTIVATE_CONTEXT, message, raw);
  data->signature = signature_bytes (raw);
  g_clear_pointer (&message, g_bytes_unref);
  message = challenge_message (data->complete_challenge, data->name, NULL);
  intake_reviewer_key_sign (data->key, INTAKE_REVIEW_ACTIVATE_CONTEXT, message, raw);
  data->proof = signature_bytes (raw);
  g_task_return_boolean (task, TRUE);
}

static void
activated_locally_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = g_task_get_source_object (task);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sign_pk = NULL;
  IntakeReviewerPublic pub;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  intake_reviewer_key_get_public (data->key, &pub);
  sign_pk = g_bytes_new (pub.sign_pk, sizeof pub.sign_pk);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  add_b64 (builder, "challenge", data->complete_challenge);
  add_b64 (builder, "blob", data->blob);
  add_b64 (builder, "sign_pk", sign_pk);
  add_b64 (builder, "setup_signature", data->signature);
  add_b64 (builder, "key_signature", data->proof);
  json_builder_end_object (builder);
  post_json (self, "/v1/review/activate/complete", builder, activate_complete_cb, g_steal_pointer (&task));
}

static void
activate_finish_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  GTask *thread_task;
  JsonObject *object;

  if (!(object = step_answer (task, result, &response)))
    return;
  if (!(data->setup = b64_member (object, "setup", 0)) ||
      !(data->complete_challenge = b64_member (object, "complete_challenge", INTAKE_PROTOCOL_CHALLENGE_BYTES)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the activation is incomplete"));
      return;
    }
  data->office_public = b64_member (object, "office_public", 0);
  thread_task = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task), activated_locally_cb,
                            g_object_ref (task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, activate_thread);
  g_object_unref (thread_task);
}

/* Thread: keeps the workstation key (the keyring may prompt). Never
 * fails the task: data->kept says whether it worked, data->kept_error why not. */
static void
save_workstation_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (data->workstation_file != NULL)
    {
      g_unlink (data->workstation_file);
      data->kept = intake_workstation_key_save (data->workstation, data->workstation_file,
                                                "intake workstation key (keep it on this computer)", &error);
    }
  else
    data->kept = intake_workstation_store_save (data->name, data->workstation, NULL, &error);
  if (!data->kept)
    data->kept_error = g_strdup (error->message);
  g_task_return_boolean (task, TRUE);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* Activation is done either way (the key is on the server); whether the
   * workstation key was kept is said beside the result. */
  g_task_return_boolean (task, g_task_propagate_boolean (G_TASK (result), NULL));
}

static void
activate_complete_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  const char *reviewer_id;
  GTask *thread_task;
  JsonObject *object;

  if (!(object = step_answer (task, result, &response)))
    return;
  read_office_keys (object, data);
  if (!(reviewer_id = string_member (object, "reviewer_id")) || !read_access (object, data))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                               _("The server’s answer to the activation is incomplete"));
      return;
    }
  data->reviewer_id = g_strdup (reviewer_id);
  thread_task = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task), saved_cb,
                            g_object_ref (task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, save_workstation_thread);
  g_object_unref (thread_task);
}

void
intake_review_client_activate_async (IntakeReviewClient       *self,
                                     const char               *name,
                                     const char               *code,
                                     const IntakeSecureBuffer *passphrase,
                                     GCancellable             *cancellable,
                                     GAsyncReadyCallback       callback,
                                     gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeSecureStr) normalized = NULL;
  UnlockData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (name != NULL && code != NULL && passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_activate_async);
  data = g_new0 (UnlockData, 1);
  data->name = g_strstrip (g_strdup (name));
  data->passphrase = intake_secure_buffer_new_copy (passphrase->data, passphrase->len);
  data->workstation_file = g_strdup (self->workstation_file);
  g_task_set_task_data (task, data, (GDestroyNotify)unlock_data_free);

  if (*data->name == '\0' || !(normalized = intake_activation_code_normalize (code)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WRONG_CREDENTIALS,
                               _("An activation code has 24 letters and digits in groups of four, for example "
                                 "K7MX-3PEA-9TCH-WRNU-AC4F-HJ76. Check what you typed."));
      return;
    }
  if (passphrase->len < 12)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WEAK_PASSPHRASE,
                               _("Choose a password of at least 12 characters, for example a few unrelated "
                                 "words."));
      return;
    }
  data->code = intake_secure_buffer_new_copy (normalized, strlen (normalized));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, data->name);
  json_builder_end_object (builder);
  post_json (self, "/v1/review/activate/start", builder, activate_start_cb, g_steal_pointer (&task));
}

IntakeWorkstationKey *
intake_review_client_activate_finish (IntakeReviewClient  *self,
                                      GAsyncResult        *result,
                                      gboolean            *out_kept,
                                      char               **out_kept_error,
                                      GError             **error)
{
  GTask *task = G_TASK (result);
  g_autoptr(IntakeSecureBuffer) blob = NULL;
  UnlockData *data;
  IntakeWorkstationKey *copy;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (task, error))
    return NULL;
  data = g_task_get_task_data (task);
  if (out_kept != NULL)
    *out_kept = data->kept;
  if (out_kept_error != NULL)
    *out_kept_error = g_strdup (data->kept_error);
  blob = intake_workstation_key_encode (data->workstation);
  copy = intake_workstation_key_decode (blob->data, blob->len, NULL, NULL);
  become_unlocked (self, data);
  return copy;
}

/* ------------------------------------------------------------------ */
/* Passphrase change (docs/protocol.md, "Passphrase change")            */

static void
passphrase_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autoptr(IntakeCredentials) old = NULL;
  g_autoptr(IntakeCredentials) fresh = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GError) error = NULL;
  guint8 raw[INTAKE_SIGNATURE_BYTES];

  /* Both passphrases through Argon2id: the old one must still derive the
   * verifier the server holds. */
  if (!(old = intake_credentials_new_reviewer (data->passphrase, data->workstation, data->salt, data->opslimit,
                                               data->memlimit, &error)) ||
      !intake_reviewer_key_open (data->blob, old, NULL))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WRONG_CREDENTIALS,
                               _("The current password is not right"));
      return;
    }
  if (!(fresh = intake_credentials_new_reviewer (data->new_passphrase, data->workstation, NULL, 0, 0, &error)))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_WEAK_PASSPHRASE,
                               _("Choose a password of at least 12 characters, for example a few unrelated "
                                 "words."));
      return;
    }
  if (!(data->new_blob = intake_reviewer_key_seal (data->key, fresh, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  hash = sha256_bytes (data->new_blob);
  intake_credentials_sign (old, INTAKE_PASSPHRASE_CHANGE_CONTEXT, hash, raw);
  data->proof = signature_bytes (raw);
  g_task_return_boolean (task, TRUE);
}

static void
passphrase_posted_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = INTAKE_REVIEW_CLIENT (source);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (self, result, NULL, &error);

  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The next change starts from the new key. */
  g_clear_pointer (&self->blob, g_bytes_unref);
  self->blob = g_bytes_ref (data->new_blob);
  g_task_return_boolean (task, TRUE);
}

static void
passphrase_derived_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = g_task_get_source_object (task);
  UnlockData *data = g_task_get_task_data (task);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  json_builder_begin_object (builder);
  add_b64 (builder, "blob", data->new_blob);
  add_b64 (builder, "proof", data->proof);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = intake_http_json_body (root);
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    intake_review_client_request_async (self, "POST", "/v1/review/passphrase", body, cancellable,
                                        passphrase_posted_cb, g_steal_pointer (&task));
  }
}

void
intake_review_client_change_passphrase_async (IntakeReviewClient       *self,
                                              const IntakeSecureBuffer *current,
                                              const IntakeSecureBuffer *replacement,
                                              GCancellable             *cancellable,
                                              GAsyncReadyCallback       callback,
                                              gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  IntakeReviewerBlobInfo info;
  GTask *thread_task;
  UnlockData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (current != NULL && replacement != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_change_passphrase_async);
  if (self->key == NULL || self->workstation == NULL || self->blob == NULL ||
      !intake_reviewer_key_blob_peek (self->blob, &info, NULL))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      return;
    }
  data = g_new0 (UnlockData, 1);
  data->name = g_strdup (self->name);
  data->passphrase = intake_secure_buffer_new_copy (current->data, current->len);
  data->new_passphrase = intake_secure_buffer_new_copy (replacement->data, replacement->len);
  {
    g_autoptr(IntakeSecureBuffer) blob = intake_workstation_key_encode (self->workstation);

    data->workstation = intake_workstation_key_decode (blob->data, blob->len, NULL, NULL);
  }
  data->blob = g_bytes_ref (self->blob);
  memcpy (data->salt, info.salt, sizeof data->salt);
  data->opslimit = info.opslimit;
  data->memlimit = info.memlimit;
  /* The unlocked key is sealed again: a copy, so a lock meanwhile is harmless. */
  data->key = intake_reviewer_key_copy (self->key);
  g_task_set_task_data (task, data, (GDestroyNotify)unlock_data_free);

  thread_task = g_task_new (self, cancellable, passphrase_derived_cb, g_steal_pointer (&task));
  g_task_set_task_data (thread_task, data, NULL);
  g_task_run_in_thread (thread_task, passphrase_thread);
  g_object_unref (thread_task);
}

gboolean
intake_review_client_change_passphrase_finish (IntakeReviewClient  *self,
                                               GAsyncResult        *result,
                                               GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Activation codes, made by an administrator                           */

typedef struct {
  char *code;
} SetupData;

static void
setup_data_free (SetupData *data)
{
  intake_secure_strfree (data->code);
  g_free (data);
}

static void
setup_posted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (INTAKE_REVIEW_CLIENT (source), result, NULL,
                                                                    &error);

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
add_string_list (JsonBuilder        *builder,
                 const char         *member,
                 const char * const *values)
{
  json_builder_set_member_name (builder, member);
  if (values == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

void
intake_review_client_create_activation_async (IntakeReviewClient  *self,
                                              const char          *name,
                                              guint                roles,
                                              const char * const  *locations,
                                              const char * const  *units,
                                              gboolean             keep_access,
                                              gint64               ttl_seconds,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(GBytes) setup = NULL;
  g_autoptr(GError) error = NULL;
  SetupData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_create_activation_async);
  data = g_new0 (SetupData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify)setup_data_free);
  if (self->key == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      return;
    }

  /* The office secret of this administrator's own unlocked key, sealed
   * with a new code: the office secret's holder need not be there. */
  data->code = intake_activation_code_generate ();
  credentials = intake_credentials_new_setup (data->code, strlen (data->code), NULL, &error);
  if (credentials == NULL ||
      !(setup = intake_office_secret_seal_setup (newest_office_secret (self), credentials, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  add_b64 (builder, "setup", setup);
  if (!keep_access)
    {
      g_auto(GStrv) role_names = intake_roles_to_strv ((IntakeRoles) roles);

      add_string_list (builder, "roles", (const char * const *) role_names);
      add_string_list (builder, "locations", locations);
      add_string_list (builder, "units", units);
    }
  if (ttl_seconds > 0)
    {
      json_builder_set_member_name (builder, "ttl");
      json_builder_add_int_value (builder, ttl_seconds);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = intake_http_json_body (root);
  intake_review_client_request_async (self, "POST", "/v1/review/reviewers/activation", body, cancellable,
                                      setup_posted_cb, g_steal_pointer (&task));
}

char *
intake_review_client_create_activation_finish (IntakeReviewClient  *self,
                                               GAsyncResult        *result,
                                               GError             **error)
{
  SetupData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  return g_strdup (data->code);
}

/* ------------------------------------------------------------------ */
/* Signed requests                                                      */

/* What a signed request keeps beside its answer. */
typedef struct {
  JsonNode *conflict;  /* a 409 answer's "current" */
  guint     status;    /* the HTTP status; 0 without an answer */
} RequestData;

static void
request_data_free (RequestData *data)
{
  g_clear_pointer (&data->conflict, json_node_unref);
  g_free (data);
}

static void
request_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeHttpResponse) response = http_finish (result, &error);
  JsonObject *object;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->status = response->status;
  if (response->status == SOUP_STATUS_CONFLICT)
    {
      if ((object = intake_http_response_get_object (response)) != NULL && json_object_has_member (object, "current"))
        data->conflict = json_node_copy (json_object_get_member (object, "current"));
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
  g_task_set_task_data (task, g_new0 (RequestData, 1), (GDestroyNotify)request_data_free);
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
  RequestData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_conflict != NULL)
    *out_conflict = data->conflict != NULL ? json_node_ref (data->conflict) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The HTTP status of a finished request; 0 if no answer came. */
static guint
request_status (GAsyncResult *result)
{
  return ((RequestData *)g_task_get_task_data (G_TASK (result)))->status;
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
      if (filter->newest_first)
        append_param (query, "order", "desc");
      if (filter->newest_first && filter->before > 0)
        append_param (query, "before", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->before), number));
      if (!filter->newest_first && filter->after > 0)
        append_param (query, "after", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->after), number));
      if (filter->view == INTAKE_REVIEW_VIEW_TODO)
        append_param (query, "view", "todo");
      else if (filter->view == INTAKE_REVIEW_VIEW_MINE)
        append_param (query, "view", "mine");
      if (filter->by_changes)
        append_param (query, "changed_after",
                      (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->changed_after), number));
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

char *
intake_review_filter_to_counts_path (const IntakeReviewFilter *filter,
                                     const char               *endpoint)
{
  g_autoptr(GString) query = g_string_new (NULL);
  char number[32];

  if (filter != NULL)
    {
      if (filter->location != NULL && *filter->location != '\0')
        append_param (query, "location", filter->location);
      if (filter->reference != NULL && *filter->reference != '\0')
        append_param (query, "reference", filter->reference);
      if (filter->from > 0)
        append_param (query, "from", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->from), number));
      if (filter->to > 0)
        append_param (query, "to", (g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, filter->to), number));
    }
  return g_strconcat ("/v1/review/", endpoint, query->str, NULL);
}

IntakeReviewFilter *
intake_review_filter_copy (const IntakeReviewFilter *filter)
{
  IntakeReviewFilter *copy = g_new0 (IntakeReviewFilter, 1);

  if (filter != NULL)
    *copy = *filter;
  copy->state = g_strdup (copy->state);
  copy->location = g_strdup (copy->location);
  copy->reference = g_strdup (copy->reference);
  return copy;
}

void
intake_review_filter_free (IntakeReviewFilter *filter)
{
  if (filter == NULL)
    return;
  g_free ((char *)filter->state);
  g_free ((char *)filter->location);
  g_free ((char *)filter->reference);
  g_free (filter);
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

      if (meta == NULL || meta->submission_id == NULL || meta->key == NULL)
        {
          intake_review_meta_free (meta);
          list_result_free (r);
          goto malformed;
        }
      g_ptr_array_add (r->page, meta);
    }
  /* Newest first pages with next_before; an older server has only next_after. */
  next = json_object_get_member (object, "next_before");
  if (next == NULL || !JSON_NODE_HOLDS_VALUE (next))
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
  if (!(plaintext = intake_envelope_open (envelope, office_secret_for (self, envelope), &header, error)))
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
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
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
  if (!(plaintext = intake_envelope_open (envelope, office_secret_for (self, envelope), &header, error)))
    return NULL;
  /* json-glib keeps its own copy of the text while parsing; the note's copy is wiped. */
  if (!intake_json_parse_untrusted (parser, (const char *)plaintext->data, plaintext->len, INTAKE_JSON_MAX_DEPTH,
                                    error))
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

void
intake_review_fetched_free (IntakeReviewFetched *self)
{
  if (self == NULL)
    return;
  g_free (self->key);
  g_clear_object (&self->submission);
  g_clear_pointer (&self->meta, intake_review_meta_free);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_free (self);
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
  IntakeReviewFetched *r;
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
  r = g_new0 (IntakeReviewFetched, 1);
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
          g_warning ("Note %u of %s does not open: %s", i, r->meta->key,
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
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, NULL);

  chained_request (self, intake_review_client_fetch_async, "GET", path, NULL,
                   fetch_answer, (GDestroyNotify)intake_review_fetched_free,
                   cancellable, callback, user_data);
}

IntakeSubmission *
intake_review_client_fetch_finish (IntakeReviewClient  *self,
                                   GAsyncResult        *result,
                                   IntakeReviewMeta   **out_meta,
                                   GPtrArray          **out_notes,
                                   GError             **error)
{
  IntakeReviewFetched *r;
  IntakeSubmission *submission;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!(r = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;
  submission = g_steal_pointer (&r->submission);
  if (out_meta != NULL)
    *out_meta = g_steal_pointer (&r->meta);
  if (out_notes != NULL)
    *out_notes = g_steal_pointer (&r->notes);
  intake_review_fetched_free (r);
  return submission;
}

/* ------------------------------------------------------------------ */
/* Fetch many (docs/protocol.md, "Endpoints")                            */

/* Single fetches at once when the server has no batch fetch. */
#define FETCH_MANY_SINGLES 4

typedef struct {
  GPtrArray *results;   /* IntakeReviewFetched *, in the order asked */
  GQueue     unasked;   /* IntakeReviewFetched * of results without an outcome yet */
  GPtrArray *asked;     /* those of the batch request in flight */
  guint      n_singles; /* single fetches in flight */
  GError    *error;     /* of a single fetch's request, once */
} FetchManyData;

static void
fetch_many_data_free (FetchManyData *data)
{
  g_queue_clear (&data->unasked);
  g_clear_pointer (&data->asked, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_free (data);
}

/* The outcome of one key: what the single fetch's answer gives. */
static void
fetched_take (IntakeReviewFetched *item,
              IntakeReviewFetched *r,
              GError              *error)
{
  if (r == NULL)
    {
      item->error = error;
      return;
    }
  item->submission = g_steal_pointer (&r->submission);
  item->meta = g_steal_pointer (&r->meta);
  item->notes = g_steal_pointer (&r->notes);
  intake_review_fetched_free (r);
}

static void fetch_many_next (GTask *task);

/* One single fetch of a batch, against a server without the batch fetch. */
typedef struct {
  GTask               *task;
  IntakeReviewFetched *item;
} SingleCall;

static void
fetch_single_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SingleCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  IntakeReviewFetched *item = call->item;
  FetchManyData *data = g_task_get_task_data (task);
  GError *error = NULL;

  g_free (call);
  data->n_singles--;
  item->submission = intake_review_client_fetch_finish (INTAKE_REVIEW_CLIENT (source), result, &item->meta,
                                                        &item->notes, &error);
  /* Each key's failure is its own, as when the callers fetched one by one;
   * a cancellation ends the whole call. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && data->error == NULL)
    data->error = error;
  else if (error != NULL)
    item->error = error;
  fetch_many_next (task);
}

/* A batch answer's entry for @item, or FALSE when the answer as a whole
 * is not what the protocol says. A deferred key goes back in the queue. */
static gboolean
fetch_many_entry (IntakeReviewClient  *self,
                  FetchManyData       *data,
                  IntakeReviewFetched *item,
                  JsonNode            *entry)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (entry) ? json_node_get_object (entry) : NULL;
  const char *code;
  GError *error = NULL;
  IntakeReviewFetched *r;

  if (object == NULL)
    return FALSE;
  if ((code = string_member (object, "error")) != NULL)
    {
      /* The very words a single GET's refusal would give. */
      IntakeHttpResponse refusal = {
        .status = g_str_equal (code, "not_found") ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_FORBIDDEN,
        .error_code = (char *)code,
        .message = (char *)string_member (object, "message"),
      };

      if (g_strcmp0 (string_member (object, "key"), item->key) != 0)
        return FALSE;
      if (g_str_equal (code, "deferred"))
        g_queue_push_tail (&data->unasked, item);
      else
        set_http_error (&item->error, &refusal);
      return TRUE;
    }
  r = fetch_answer (self, entry, NULL, NULL, &error);
  if (r != NULL && g_strcmp0 (r->meta->key, item->key) != 0)
    {
      intake_review_fetched_free (r);
      return FALSE;
    }
  fetched_take (item, r, error);
  return TRUE;
}

static void
fetch_many_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeReviewClient *self = INTAKE_REVIEW_CLIENT (source);
  FetchManyData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) asked = g_steal_pointer (&data->asked);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (self, result, NULL, &error);
  guint status = request_status (result);
  JsonObject *object;
  JsonArray *entries;
  guint n_unasked;

  if (answer == NULL && (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_METHOD_NOT_ALLOWED))
    {
      /* A server older than the batch fetch (or a proxy that does not pass
       * it): fetch these and every later key one by one, as before. */
      self->no_fetch_many = TRUE;
      for (guint i = asked->len; i > 0; i--)
        g_queue_push_head (&data->unasked, g_ptr_array_index (asked, i - 1));
      fetch_many_next (task);
      return;
    }
  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  entries = object != NULL && json_object_has_member (object, "submissions") &&
            JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "submissions"))
            ? json_object_get_array_member (object, "submissions") : NULL;
  if (entries == NULL || json_array_get_length (entries) != asked->len)
    goto unreadable;
  n_unasked = g_queue_get_length (&data->unasked);
  for (guint i = 0; i < asked->len; i++)
    if (!fetch_many_entry (self, data, g_ptr_array_index (asked, i), json_array_get_element (entries, i)))
      goto unreadable;
  /* The server answers at least the first key it is asked for: a batch
   * deferred whole would be asked again for ever. */
  if (g_queue_get_length (&data->unasked) - n_unasked == asked->len)
    goto unreadable;
  fetch_many_next (task);
  return;

unreadable:
  g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The submission from the server cannot be read"));
}

static void
fetch_many_next (GTask *task)
{
  IntakeReviewClient *self = g_task_get_source_object (task);
  FetchManyData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->error != NULL || (g_queue_is_empty (&data->unasked) && data->n_singles == 0 && data->asked == NULL))
    {
      if (data->n_singles > 0)
        return;  /* the last one to come back returns */
      if (data->error != NULL)
        g_task_return_error (task, g_steal_pointer (&data->error));
      else
        g_task_return_pointer (task, g_steal_pointer (&data->results), (GDestroyNotify)g_ptr_array_unref);
      return;
    }
  if (self->no_fetch_many)
    {
      while (data->n_singles < FETCH_MANY_SINGLES && !g_queue_is_empty (&data->unasked))
        {
          SingleCall *call = g_new0 (SingleCall, 1);

          call->task = g_object_ref (task);
          call->item = g_queue_pop_head (&data->unasked);
          data->n_singles++;
          intake_review_client_fetch_async (self, call->item->key, cancellable, fetch_single_cb, call);
        }
      return;
    }
  if (data->asked == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(GBytes) body = NULL;

      data->asked = g_ptr_array_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "keys");
      json_builder_begin_array (builder);
      while (data->asked->len < INTAKE_PROTOCOL_MAX_FETCH_KEYS && !g_queue_is_empty (&data->unasked))
        {
          IntakeReviewFetched *item = g_queue_pop_head (&data->unasked);

          g_ptr_array_add (data->asked, item);
          json_builder_add_string_value (builder, item->key);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      body = json_body (builder);
      intake_review_client_request_async (self, "POST", "/v1/review/submissions/fetch", body, cancellable,
                                          fetch_many_cb, g_object_ref (task));
    }
}

void
intake_review_client_fetch_many_async (IntakeReviewClient  *self,
                                       const char * const  *keys,
                                       guint                n_keys,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchManyData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (keys != NULL || n_keys == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_fetch_many_async);
  data = g_new0 (FetchManyData, 1);
  data->results = g_ptr_array_new_full (n_keys, (GDestroyNotify)intake_review_fetched_free);
  g_queue_init (&data->unasked);
  g_task_set_task_data (task, data, (GDestroyNotify)fetch_many_data_free);
  for (guint i = 0; i < n_keys; i++)
    {
      IntakeReviewFetched *item = g_new0 (IntakeReviewFetched, 1);

      item->key = g_strdup (keys[i]);
      g_ptr_array_add (data->results, item);
      g_queue_push_tail (&data->unasked, item);
    }
  fetch_many_next (task);
}

GPtrArray *
intake_review_client_fetch_many_finish (IntakeReviewClient  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
intake_review_client_update_workflow_async (IntakeReviewClient               *self,
                                            const char                       *key,
                                            const IntakeReviewWorkflowChange *change,
                                            gint64                            expected_version,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/review/submissions/", escaped, "/workflow", NULL);

  g_return_if_fail (change != NULL && change->state != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, change->state);
  json_builder_set_member_name (builder, "unit");
  if (change->unit != NULL && *change->unit != '\0')
    json_builder_add_string_value (builder, change->unit);
  else
    json_builder_add_null_value (builder);
  if (change->assignee != NULL)
    {
      json_builder_set_member_name (builder, "assignee");
      if (*change->assignee != '\0')
        json_builder_add_string_value (builder, change->assignee);
      else
        json_builder_add_null_value (builder);
    }
  if (change->appointment_at >= 0)
    {
      json_builder_set_member_name (builder, "appointment_at");
      if (change->appointment_at > 0)
        json_builder_add_int_value (builder, change->appointment_at);
      else
        json_builder_add_null_value (builder);
    }
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
                                     const char          *key,
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
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
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
/* The queue: counts, units, assignees                                  */

void
intake_review_counts_free (IntakeReviewCounts *counts)
{
  if (counts == NULL)
    return;
  g_clear_pointer (&counts->units, g_ptr_array_unref);
  g_free (counts);
}

gint64
intake_review_counts_get_state (const IntakeReviewCounts *counts,
                                const char               *state)
{
  g_return_val_if_fail (counts != NULL, 0);
  for (guint i = 0; states[i] != NULL; i++)
    if (g_strcmp0 (states[i], state) == 0)
      return counts->states[i];
  return 0;
}

static void
unit_count_free (IntakeReviewUnitCount *cell)
{
  g_free (cell->unit);
  g_free (cell->state);
  g_free (cell);
}

static gpointer
counts_answer (IntakeReviewClient *self,
               JsonNode           *answer,
               JsonNode           *conflict,
               IntakeReviewMeta  **out_current,
               GError            **error)
{
  g_autoptr(IntakeReviewCounts) counts = g_new0 (IntakeReviewCounts, 1);
  JsonObject *object, *by_state;
  JsonArray *units;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) || !(object = json_node_get_object (answer)) ||
      !int_member (object, "total", &counts->total) || !int_member (object, "latest_seq", &counts->latest_seq) ||
      !int_member (object, "changes", &counts->changes) || !int_member (object, "todo", &counts->todo) ||
      !int_member (object, "mine", &counts->mine) ||
      !json_object_has_member (object, "states") || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "states")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The counts from the server cannot be read"));
      return NULL;
    }
  by_state = json_object_get_object_member (object, "states");
  for (guint i = 0; states[i] != NULL; i++)
    int_member (by_state, states[i], &counts->states[i]);
  counts->units = g_ptr_array_new_with_free_func ((GDestroyNotify)unit_count_free);
  units = json_object_has_member (object, "units") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "units"))
          ? json_object_get_array_member (object, "units") : NULL;
  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonNode *element = json_array_get_element (units, i);
      JsonObject *cell = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      IntakeReviewUnitCount *count;

      if (cell == NULL || string_member (cell, "unit") == NULL || string_member (cell, "state") == NULL)
        continue;
      count = g_new0 (IntakeReviewUnitCount, 1);
      count->unit = g_strdup (string_member (cell, "unit"));
      count->state = g_strdup (string_member (cell, "state"));
      int_member (cell, "count", &count->count);
      g_ptr_array_add (counts->units, count);
    }
  return g_steal_pointer (&counts);
}

void
intake_review_client_counts_async (IntakeReviewClient       *self,
                                   const IntakeReviewFilter *filter,
                                   GCancellable             *cancellable,
                                   GAsyncReadyCallback       callback,
                                   gpointer                  user_data)
{
  g_autofree char *path = intake_review_filter_to_counts_path (filter, "counts");

  chained_request (self, intake_review_client_counts_async, "GET", path, NULL,
                   counts_answer, (GDestroyNotify)intake_review_counts_free, cancellable, callback, user_data);
}

IntakeReviewCounts *
intake_review_client_counts_finish (IntakeReviewClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A JSON array of strings as a NULL-terminated vector; NULL if it is not one. */
static char **
string_array (JsonNode *node)
{
  GPtrArray *out;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  out = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (out, FALSE);
}

static gpointer
units_answer (IntakeReviewClient *self,
              JsonNode           *answer,
              JsonNode           *conflict,
              IntakeReviewMeta  **out_current,
              GError            **error)
{
  char **units;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) ||
      !(units = string_array (json_object_get_member (json_node_get_object (answer), "units"))))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The list of units from the server cannot be read"));
      return NULL;
    }
  return units;
}

void
intake_review_client_units_async (IntakeReviewClient  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  chained_request (self, intake_review_client_units_async, "GET", "/v1/review/units", NULL,
                   units_answer, (GDestroyNotify)g_strfreev, cancellable, callback, user_data);
}

char **
intake_review_client_units_finish (IntakeReviewClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
intake_review_assignee_free (IntakeReviewAssignee *assignee)
{
  if (assignee == NULL)
    return;
  g_free (assignee->name);
  g_strfreev (assignee->locations);
  g_strfreev (assignee->units);
  g_free (assignee);
}

gboolean
intake_review_assignee_covers (const IntakeReviewAssignee *assignee,
                               const char                 *location,
                               const char                 *unit)
{
  g_return_val_if_fail (assignee != NULL, FALSE);
  if (assignee->locations != NULL && !g_strv_contains ((const char * const *)assignee->locations,
                                                       location != NULL ? location : ""))
    return FALSE;
  return assignee->units == NULL || unit == NULL || *unit == '\0' ||
         g_strv_contains ((const char * const *)assignee->units, unit);
}

static gpointer
assignees_answer (IntakeReviewClient *self,
                  JsonNode           *answer,
                  JsonNode           *conflict,
                  IntakeReviewMeta  **out_current,
                  GError            **error)
{
  GPtrArray *list;
  JsonObject *object;
  JsonArray *array;

  if (answer == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (answer) || !(object = json_node_get_object (answer)) ||
      !json_object_has_member (object, "assignees") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "assignees")))
    {
      g_set_error_literal (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
                           _("The list of colleagues from the server cannot be read"));
      return NULL;
    }
  array = json_object_get_array_member (object, "assignees");
  list = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_assignee_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      IntakeReviewAssignee *assignee;

      if (item == NULL || string_member (item, "name") == NULL)
        continue;
      assignee = g_new0 (IntakeReviewAssignee, 1);
      assignee->name = g_strdup (string_member (item, "name"));
      assignee->locations = string_array (json_object_get_member (item, "locations"));
      assignee->units = string_array (json_object_get_member (item, "units"));
      g_ptr_array_add (list, assignee);
    }
  return list;
}

void
intake_review_client_assignees_async (IntakeReviewClient  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  chained_request (self, intake_review_client_assignees_async, "GET", "/v1/review/assignees", NULL,
                   assignees_answer, (GDestroyNotify)g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
intake_review_client_assignees_finish (IntakeReviewClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = g_uri_escape_string (key, NULL, FALSE);
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
          self->office_trusted == NULL ||
          !(questionnaire = intake_signed_questionnaire_verify_any (signed_q, self->office_trusted,
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
  intake_review_client_report_event_async (self, "decrypt", meta->key, NULL, NULL, NULL);
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

typedef struct {
  IntakeReviewFilter *filter;
  GPtrArray          *keys;
} ListKeysData;

static void
list_keys_data_free (ListKeysData *data)
{
  intake_review_filter_free (data->filter);
  g_ptr_array_unref (data->keys);
  g_free (data);
}

static void
list_keys_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ListKeysData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) page = NULL;
  GError *error = NULL;
  gint64 next_after = -1;

  if (!(page = intake_review_client_list_finish (INTAKE_REVIEW_CLIENT (source), result, &next_after, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < page->len; i++)
    g_ptr_array_add (data->keys, g_strdup (((IntakeReviewMeta *)g_ptr_array_index (page, i))->key));
  if (next_after >= 0)
    {
      data->filter->after = next_after;
      intake_review_client_list_async (INTAKE_REVIEW_CLIENT (source), data->filter, g_task_get_cancellable (task),
                                       list_keys_cb, g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (data->keys), (GDestroyNotify)g_ptr_array_unref);
}

void
intake_review_client_list_keys_async (IntakeReviewClient       *self,
                                      const IntakeReviewFilter *filter,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  GTask *task;
  ListKeysData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (self));
  g_return_if_fail (filter != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_client_list_keys_async);
  data = g_new0 (ListKeysData, 1);
  data->filter = intake_review_filter_copy (filter);
  data->keys = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify)list_keys_data_free);
  intake_review_client_list_async (self, data->filter, cancellable, list_keys_cb, task);
}

GPtrArray *
intake_review_client_list_keys_finish (IntakeReviewClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Takes @task: the ids of the whole filter. */
static void
export_keys_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ExportData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *keys;

  if (!(keys = intake_review_client_list_keys_finish (INTAKE_REVIEW_CLIENT (source), result, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_unref (data->ids);
  data->ids = keys;
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
  intake_review_client_list_keys_async (self, &data->filter, cancellable, export_keys_cb, task);
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

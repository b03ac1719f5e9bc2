/* intake-enroll.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-enroll.h"
#include "intake-office-rotation.h"
#include "intake-field.h"
#include "intake-json.h"
#include "intake-kiosk.h"
#include "intake-protocol.h"
#include "intake-signed-questionnaire.h"
#include "intake-sync-private.h"

typedef struct {
  char                  *state_dir;
  char                  *url;
  IntakeEnrollFlags  flags;
  IntakeDeviceKey       *device;
  SoupSession           *session;
} EnrollData;

static void
enroll_data_free (EnrollData *data)
{
  g_free (data->state_dir);
  g_free (data->url);
  g_clear_pointer (&data->device, intake_device_key_free);
  g_clear_object (&data->session);
  g_free (data);
}

static gboolean
bad_enroll_response (GError     **error,
                     const char  *what)
{
  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
               "the server's enrollment answer is not usable: %s", what);
  return FALSE;
}

/* Writes office.pub, replacing a different one only with FORCE; keeps the
 * replaced file as office.pub.KEYID.replaced. */
static gboolean
install_office_key (const char                *state_dir,
                    const IntakeOfficePublic  *office,
                    GPtrArray                 *related,
                    gboolean                   force,
                    GError                   **error)
{
  g_autofree char *path = g_build_filename (state_dir, "office.pub", NULL);
  g_autoptr(IntakeOfficePublic) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *old_path = NULL;
  g_autofree char *old_id = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!intake_office_public_save (office, path, &local_error))
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                       "cannot write the office key: %s", local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  existing = intake_office_public_load (path, &local_error);
  if (existing != NULL && memcmp (existing->key_id, office->key_id, sizeof office->key_id) == 0 &&
      memcmp (existing->box_pk, office->box_pk, sizeof office->box_pk) == 0 &&
      memcmp (existing->sign_pk, office->sign_pk, sizeof office->sign_pk) == 0)
    return TRUE;

  /* The office rotated its key since: a signed statement of the key this
   * kiosk had leads to the one offered. */
  for (guint i = 1; existing != NULL && related != NULL && i < related->len && !force; i++)
    {
      const IntakeOfficePublic *older = g_ptr_array_index (related, i);

      if (memcmp (existing->key_id, older->key_id, sizeof older->key_id) == 0 &&
          memcmp (existing->sign_pk, older->sign_pk, sizeof older->sign_pk) == 0)
        force = TRUE;
    }

  if (!force)
    {
      g_autofree char *new_fingerprint = intake_office_public_dup_fingerprint (office);
      g_autofree char *old_fingerprint = existing != NULL ? intake_office_public_dup_fingerprint (existing) : NULL;

      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED,
                   "the server offers office key %s, but this kiosk seals to office key %s; "
                   "replacing it would leave the envelopes already sealed to the old key for "
                   "holders of that key only. If the office really changed its key, make a new "
                   "code and enroll again with --force",
                   new_fingerprint, old_fingerprint != NULL ? old_fingerprint : "(unreadable file)");
      return FALSE;
    }

  g_clear_error (&local_error);
  tmp_path = g_build_filename (state_dir, "office.pub.new", NULL);
  g_unlink (tmp_path);
  if (!intake_office_public_save (office, tmp_path, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot write the office key: %s", local_error->message);
      return FALSE;
    }
  old_id = existing != NULL ? intake_office_public_dup_key_id_hex (existing) : g_strdup ("unreadable");
  old_path = g_strdup_printf ("%s.%s.replaced", path, old_id);
  if (g_rename (path, old_path) != 0 || g_rename (tmp_path, path) != 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot replace the office key %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_server_json (const char    *state_dir,
                   const char    *url,
                   const guint8  *server_public,
                   const char    *server_key_id,
                   const char    *device_id,
                   const char    *location,
                   gint64         enrolled_at,
                   GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *server_public_b64 = g_base64_encode (server_public, INTAKE_SIGN_PUBLIC_BYTES);
  g_autofree char *path = g_build_filename (state_dir, "server.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_set_member_name (builder, "server_public");
  json_builder_add_string_value (builder, server_public_b64);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, server_key_id);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "location");
  json_builder_add_string_value (builder, location);
  json_builder_set_member_name (builder, "enrolled_at");
  json_builder_add_int_value (builder, enrolled_at);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);

  if (!g_file_set_contents_full (path, text, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot write %s: %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
finish_enrollment (EnrollData  *data,
                   IntakeHttpResponse    *response,
                   GError     **error)
{
  g_autofree char *own_device_id = intake_device_key_dup_id_hex (data->device);
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(GBytes) office_bytes = NULL;
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(GPtrArray) rotation_blobs = NULL;
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) related = NULL;
  g_autofree guint8 *office_blob = NULL;
  g_autofree guint8 *server_public = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *questionnaire_path = g_build_filename (data->state_dir, INTAKE_KIOSK_SIGNED_QUESTIONNAIRE, NULL);
  g_autoptr(GError) local_error = NULL;
  const char *device_id, *location, *server_key_id;
  gsize office_len = 0, server_public_len = 0;
  JsonObject *root;
  JsonNode *node;

  if (response->status != SOUP_STATUS_OK)
    {
      const char *code = response->error_code != NULL ? response->error_code : "";

      if (g_str_equal (code, "unknown_code"))
        g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE,
                     "the server does not know this enrollment code: check it, or make a new one "
                     "with \"intake-admin enroll-code\"");
      else if (g_str_equal (code, "code_used"))
        g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE,
                     "this enrollment code has already been used: make a new one with "
                     "\"intake-admin enroll-code\"");
      else if (g_str_equal (code, "code_expired"))
        g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE,
                     "this enrollment code has expired: make a new one with "
                     "\"intake-admin enroll-code\"");
      else
        intake_sync_check_response (response, "enrollment", error);
      return NULL;
    }

  if (!(root = intake_http_response_get_object (response)))
    return bad_enroll_response (error, "not a JSON object"), NULL;

  device_id = intake_json_get_string (root, "device_id");
  location = intake_json_get_string (root, "location");
  server_key_id = intake_json_get_string (root, "server_key_id");
  if (g_strcmp0 (device_id, own_device_id) != 0)
    return bad_enroll_response (error, "it names another device id"), NULL;
  /* Shown on the staff screen: one plain line. */
  if (location == NULL)
    location = "";
  if (!intake_field_check (location, -1, "the location", &local_error))
    return bad_enroll_response (error, local_error->message), NULL;

  office_blob = intake_json_get_base64 (root, "office_public", &office_len);
  if (office_blob == NULL)
    return bad_enroll_response (error, "no office_public"), NULL;
  office_bytes = g_bytes_new (office_blob, office_len);
  if (!(office = intake_office_public_new_from_bytes (office_bytes, &local_error)))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                   "the office key the server sent is not valid: %s", local_error->message);
      return NULL;
    }

  server_public = intake_json_get_base64 (root, "server_public", &server_public_len);
  if (server_public_len != INTAKE_SIGN_PUBLIC_BYTES)
    return bad_enroll_response (error, "server_public is not a 32-byte key"), NULL;
  key_id = intake_server_key_id_hex (server_public);
  if (g_strcmp0 (key_id, server_key_id) != 0)
    return bad_enroll_response (error, "server_key_id does not belong to server_public"), NULL;

  /* The office's key rotations (servers of schema 9): the offered key and
   * the keys before it, each step signed by both keys. */
  if (!(rotation_blobs = intake_json_get_base64_list (root, "office_rotations", &local_error)))
    return bad_enroll_response (error, local_error->message), NULL;
  for (guint i = 0; i < rotation_blobs->len; i++)
    {
      IntakeOfficeRotation *r = intake_office_rotation_new_from_bytes (g_ptr_array_index (rotation_blobs, i),
                                                                       "an office key rotation", &local_error);

      if (r == NULL)
        return bad_enroll_response (error, local_error->message), NULL;
      g_ptr_array_add (rotations, r);
    }
  if (!(related = intake_office_chain_related (office, rotations, &local_error)))
    return bad_enroll_response (error, local_error->message), NULL;

  node = json_object_get_member (root, "questionnaire");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      if (!(signed_q = intake_signed_questionnaire_new_from_json (json_node_get_object (node), &local_error)))
        return bad_enroll_response (error, local_error->message), NULL;
      if (!(questionnaire = intake_signed_questionnaire_verify_any (signed_q, related, "the server's questionnaire",
                                                                    &local_error)))
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_QUESTIONNAIRE,
                       "the questionnaire the server sent is not signed by the office key or "
                       "does not load: %s", local_error->message);
          return NULL;
        }
    }
  else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    return bad_enroll_response (error, "questionnaire is neither an object nor null"), NULL;

  /* server.json last: its presence means the enrollment is complete. */
  if (!intake_kiosk_store_office_rotations (data->state_dir, rotation_blobs, error) ||
      !install_office_key (data->state_dir, office, related, (data->flags & INTAKE_ENROLL_FORCE) != 0, error))
    return NULL;
  if (questionnaire != NULL &&
      !intake_signed_questionnaire_save (signed_q, questionnaire_path, 0600, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot store the questionnaire: %s", local_error->message);
      return NULL;
    }
  if (!write_server_json (data->state_dir, data->url, server_public, key_id, own_device_id,
                          location, g_get_real_time () / G_USEC_PER_SEC, error))
    return NULL;

  return intake_office_public_dup_fingerprint (office);
}

static void
enroll_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(IntakeHttpResponse) response = NULL;
  GError *error = NULL;
  char *fingerprint;

  if (!(response = intake_sync_request_finish (result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!(fingerprint = finish_enrollment (g_task_get_task_data (task), response, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, fingerprint, g_free);
}

void
intake_enroll_async (const char            *state_dir,
                          const char            *url,
                          const char            *code,
                          IntakeEnrollFlags  flags,
                          const char            *tls_ca_file,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *pk_b64 = NULL;
  GError *error = NULL;
  EnrollData *data;
  IntakeDevicePublic device_public;

  g_return_if_fail (state_dir != NULL);
  g_return_if_fail (url != NULL);
  g_return_if_fail (code != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_enroll_async);
  data = g_new0 (EnrollData, 1);
  data->state_dir = g_strdup (state_dir);
  data->url = g_strdup (url);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify)enroll_data_free);

  if (!intake_sync_check_url (url, &error) ||
      !(data->device = intake_kiosk_load_device_key (state_dir, &error)) ||
      !(data->session = intake_sync_session_new (tls_ca_file, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  intake_device_key_get_public (data->device, &device_public);
  pk_b64 = g_base64_encode (device_public.sign_pk, sizeof device_public.sign_pk);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "device_sign_pk");
  json_builder_add_string_value (builder, pk_b64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = intake_http_json_body (root);

  /* Signed with the device key it registers (context "enroll"): the
   * server takes only a key whose holder asks, so a code cannot register
   * or move another kiosk. */
  {
    IntakeHttpSigner signer = {
      .device = data->device, .now = g_get_real_time () / G_USEC_PER_SEC, .context = INTAKE_PROTOCOL_ENROLL_CONTEXT,
    };

    intake_http_request_async (data->session, url, "POST", "/v1/enroll", body, &signer, cancellable,
                               enroll_cb, g_steal_pointer (&task));
  }
}

char *
intake_enroll_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
intake_enroll_blocking (const char         *state_dir,
                        const char         *url,
                        const char         *code,
                        IntakeEnrollFlags   flags,
                        const char         *tls_ca_file,
                        GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  intake_enroll_async (state_dir, url, code, flags, tls_ca_file, NULL, intake_sync_store_result_cb, &result);
  return intake_enroll_finish (intake_sync_wait_for_result (&result), error);
}

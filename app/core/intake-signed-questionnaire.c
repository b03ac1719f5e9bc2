/* intake-signed-questionnaire.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-json.h"
#include "intake-signed-questionnaire.h"

#define SIGNATURE_CONTEXT "questionnaire"

G_DEFINE_QUARK (intake-signed-questionnaire-error-quark, intake_signed_questionnaire_error)

IntakeSignedQuestionnaire *
intake_signed_questionnaire_new (GBytes       *canonical,
                                 const guint8 *signature)
{
  IntakeSignedQuestionnaire *self;

  g_return_val_if_fail (canonical != NULL, NULL);
  g_return_val_if_fail (signature != NULL, NULL);

  self = g_new0 (IntakeSignedQuestionnaire, 1);
  self->canonical = g_bytes_ref (canonical);
  memcpy (self->signature, signature, INTAKE_SIGNATURE_BYTES);
  return self;
}

static void
set_identity (IntakeSignedQuestionnaire *self,
              IntakeQuestionnaire       *questionnaire)
{
  g_free (self->id);
  g_free (self->hash);
  self->id = g_strdup (intake_questionnaire_get_id (questionnaire));
  self->version = intake_questionnaire_get_version (questionnaire);
  self->hash = g_strdup (intake_questionnaire_get_hash (questionnaire));
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_sign (IntakeQuestionnaire      *questionnaire,
                                  const IntakeOfficeSecret *office)
{
  IntakeSignedQuestionnaire *self;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (office != NULL, NULL);

  self = g_new0 (IntakeSignedQuestionnaire, 1);
  self->canonical = intake_questionnaire_dup_canonical (questionnaire);
  intake_office_secret_sign (office, SIGNATURE_CONTEXT, self->canonical, self->signature);
  set_identity (self, questionnaire);
  return self;
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_new_from_json (JsonObject  *object,
                                           GError     **error)
{
  g_autofree guint8 *canonical = NULL;
  g_autofree guint8 *signature = NULL;
  g_autoptr(GBytes) canonical_bytes = NULL;
  gsize canonical_len = 0, signature_len = 0;

  g_return_val_if_fail (object != NULL, NULL);

  if (!(canonical = intake_json_get_base64 (object, "canonical", &canonical_len)))
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED,
                   "\"canonical\" is missing or not base64");
      return NULL;
    }
  if (!(signature = intake_json_get_base64 (object, "signature", &signature_len)) ||
      signature_len != INTAKE_SIGNATURE_BYTES)
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED,
                   "\"signature\" is missing, not base64, or not %d bytes", INTAKE_SIGNATURE_BYTES);
      return NULL;
    }
  canonical_bytes = g_bytes_new_take (g_steal_pointer (&canonical), canonical_len);
  return intake_signed_questionnaire_new (canonical_bytes, signature);
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_new_from_file (const char  *path,
                                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  IntakeSignedQuestionnaire *self;
  JsonNode *root;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_IO,
                   "cannot read the signed questionnaire %s: %s", path, local_error->message);
      return NULL;
    }
  if (!intake_json_parse_untrusted (parser, contents, len, INTAKE_JSON_MAX_DEPTH, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED,
                   "%s is not a signed questionnaire: %s", path,
                   local_error != NULL ? local_error->message : "not a JSON object");
      return NULL;
    }
  if (!(self = intake_signed_questionnaire_new_from_json (json_node_get_object (root), &local_error)))
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED,
                   "%s is not a signed questionnaire (expected JSON with \"canonical\" and "
                   "\"signature\" in base64, as intake-admin questionnaire sign writes it): %s",
                   path, local_error->message);
      return NULL;
    }
  return self;
}

void
intake_signed_questionnaire_free (IntakeSignedQuestionnaire *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->canonical, g_bytes_unref);
  g_free (self->id);
  g_free (self->hash);
  g_free (self);
}

IntakeQuestionnaire *
intake_signed_questionnaire_verify (IntakeSignedQuestionnaire  *self,
                                    const IntakeOfficePublic   *office,
                                    const char                 *name,
                                    GError                    **error)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (office != NULL, NULL);

  if (!intake_office_public_verify (office, SIGNATURE_CONTEXT, self->canonical, self->signature, NULL))
    {
      g_autofree char *key_id = intake_office_public_dup_key_id_hex (office);

      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE,
                   "the signature of %s does not verify with office key %s; sign it again with "
                   "intake-admin questionnaire sign and this office's key",
                   name != NULL ? name : "the questionnaire", key_id);
      return NULL;
    }
  if (!(questionnaire = intake_questionnaire_new_from_bytes (self->canonical,
                                                             name != NULL ? name : "signed questionnaire",
                                                             error)))
    return NULL;
  set_identity (self, questionnaire);
  return g_steal_pointer (&questionnaire);
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_load (const char                *path,
                                  const IntakeOfficePublic  *office,
                                  GError                   **error)
{
  g_autoptr(IntakeSignedQuestionnaire) self = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (office != NULL, NULL);

  if (!(self = intake_signed_questionnaire_new_from_file (path, error)) ||
      !(questionnaire = intake_signed_questionnaire_verify (self, office, path, error)))
    return NULL;
  return g_steal_pointer (&self);
}

IntakeQuestionnaire *
intake_signed_questionnaire_verify_any (IntakeSignedQuestionnaire *self,
                                        GPtrArray                 *offices,
                                        const char                *name,
                                        GError                   **error)
{
  GError *first_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (offices != NULL && offices->len > 0, NULL);

  for (guint i = 0; i < offices->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      IntakeQuestionnaire *questionnaire = intake_signed_questionnaire_verify (self, g_ptr_array_index (offices, i),
                                                                               name, &local_error);

      if (questionnaire != NULL)
        {
          g_clear_error (&first_error);
          return questionnaire;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  g_propagate_error (error, first_error);
  return NULL;
}

IntakeSignedQuestionnaire *
intake_signed_questionnaire_load_any (const char  *path,
                                      GPtrArray   *offices,
                                      GError     **error)
{
  g_autoptr(IntakeSignedQuestionnaire) self = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!(self = intake_signed_questionnaire_new_from_file (path, error)) ||
      !(questionnaire = intake_signed_questionnaire_verify_any (self, offices, path, error)))
    return NULL;
  return g_steal_pointer (&self);
}

void
intake_signed_questionnaire_add_members (IntakeSignedQuestionnaire *self,
                                         JsonBuilder               *builder)
{
  g_autofree char *canonical = NULL;
  g_autofree char *signature = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  canonical = g_base64_encode (g_bytes_get_data (self->canonical, NULL), g_bytes_get_size (self->canonical));
  signature = g_base64_encode (self->signature, INTAKE_SIGNATURE_BYTES);
  if (self->id != NULL)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, self->id);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, self->version);
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, self->hash);
    }
  json_builder_set_member_name (builder, "canonical");
  json_builder_add_string_value (builder, canonical);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, signature);
}

JsonNode *
intake_signed_questionnaire_to_json (IntakeSignedQuestionnaire *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  intake_signed_questionnaire_add_members (self, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
intake_signed_questionnaire_save (IntakeSignedQuestionnaire  *self,
                                  const char                 *path,
                                  int                         mode,
                                  GError                    **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = intake_signed_questionnaire_to_json (self);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);
  if (!g_file_set_contents_full (path, text, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 mode, &local_error))
    {
      g_set_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_IO,
                   "cannot write the signed questionnaire %s: %s", path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* intake-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-protocol.h"
#include "intake-store.h"

G_DEFINE_QUARK (intake-store-error-quark, intake_store_error)

G_DEFINE_INTERFACE (IntakeStore, intake_store, G_TYPE_OBJECT)

static void
intake_store_default_init (IntakeStoreInterface *iface)
{
}

static gboolean
is_lower_hex (const char *text,
              gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID, "invalid %s", what);
  return FALSE;
}

gboolean
intake_store_create_enroll_code (IntakeStore  *self,
                                 const char   *code_hash,
                                 const char   *location,
                                 gint64        created_at,
                                 gint64        expires_at,
                                 GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_lower_hex (code_hash, 64))
    return invalid (error, "code hash (expected 64 lowercase hex digits)");
  if (location == NULL || *location == '\0' || !g_utf8_validate (location, -1, NULL))
    return invalid (error, "location (expected a non-empty UTF-8 name)");
  return INTAKE_STORE_GET_IFACE (self)->create_enroll_code (self, code_hash, location,
                                                            created_at, expires_at, error);
}

char *
intake_store_consume_enroll_code (IntakeStore              *self,
                                  const char               *code_hash,
                                  const IntakeDevicePublic *device,
                                  gint64                    now,
                                  GError                  **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!is_lower_hex (code_hash, 64))
    return invalid (error, "code hash (expected 64 lowercase hex digits)"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->consume_enroll_code (self, code_hash, device, now, error);
}

gboolean
intake_store_register_device (IntakeStore              *self,
                              const IntakeDevicePublic *device,
                              const char               *location,
                              gint64                    enrolled_at,
                              GError                  **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (location == NULL || *location == '\0' || !g_utf8_validate (location, -1, NULL))
    return invalid (error, "location (expected a non-empty UTF-8 name)");
  return INTAKE_STORE_GET_IFACE (self)->register_device (self, device, location, enrolled_at, error);
}

IntakeStoreDevice *
intake_store_get_device (IntakeStore  *self,
                         const char   *device_id,
                         GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!is_lower_hex (device_id, 32))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                   "no device with id \"%s\" (a device id is 32 lowercase hex digits)",
                   device_id != NULL ? device_id : "");
      return NULL;
    }
  return INTAKE_STORE_GET_IFACE (self)->get_device (self, device_id, error);
}

GPtrArray *
intake_store_list_devices (IntakeStore  *self,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_devices (self, error);
}

gboolean
intake_store_revoke_device (IntakeStore  *self,
                            const char   *device_id,
                            gint64        now,
                            GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_lower_hex (device_id, 32))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                   "no device with id \"%s\" (a device id is 32 lowercase hex digits; "
                   "see intake-admin device list)", device_id != NULL ? device_id : "");
      return FALSE;
    }
  return INTAKE_STORE_GET_IFACE (self)->revoke_device (self, device_id, now, error);
}

gboolean
intake_store_put_envelope (IntakeStore               *self,
                           const IntakeStoreEnvelope *meta,
                           GBytes                    *envelope,
                           IntakeStorePutResult      *out_result,
                           GError                   **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (meta != NULL, FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_lower_hex (meta->submission_id, 32) || !is_lower_hex (meta->device_id, 32) ||
      !is_lower_hex (meta->sha256, 64) || meta->size != (gint64)g_bytes_get_size (envelope))
    return invalid (error, "envelope metadata");
  return INTAKE_STORE_GET_IFACE (self)->put_envelope (self, meta, envelope, out_result, error);
}

GBytes *
intake_store_dup_envelope (IntakeStore         *self,
                           const char          *submission_id,
                           IntakeStoreEnvelope *out_meta,
                           GError             **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!is_lower_hex (submission_id, 32))
    return invalid (error, "submission id"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->dup_envelope (self, submission_id, out_meta, error);
}

GArray *
intake_store_list_envelopes (IntakeStore  *self,
                             gint64        after_seq,
                             guint         limit,
                             GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_envelopes (self, after_seq, limit, error);
}

gboolean
intake_store_get_counts (IntakeStore       *self,
                         IntakeStoreCounts *out_counts,
                         GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out_counts, 0, sizeof *out_counts);
  return INTAKE_STORE_GET_IFACE (self)->get_counts (self, out_counts, error);
}

gboolean
intake_store_check_health (IntakeStore  *self,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->check_health (self, error);
}

char *
intake_store_ensure_setting (IntakeStore  *self,
                             const char   *name,
                             const char   *value,
                             GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->ensure_setting (self, name, value, error);
}

int
intake_store_get_schema_version (IntakeStore *self)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), 0);

  return INTAKE_STORE_GET_IFACE (self)->get_schema_version (self);
}

const char *
intake_store_get_backend_name (IntakeStore *self)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);

  return INTAKE_STORE_GET_IFACE (self)->get_backend_name (self);
}

void
intake_store_device_free (IntakeStoreDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->location);
  g_free (device);
}

const char *
intake_device_status_to_string (IntakeDeviceStatus status)
{
  return status == INTAKE_DEVICE_STATUS_REVOKED ? "revoked" : "active";
}

const char *
intake_envelope_source_to_string (IntakeEnvelopeSource source)
{
  return source == INTAKE_ENVELOPE_SOURCE_BUNDLE ? "bundle" : "upload";
}

gboolean
intake_envelope_source_from_string (const char           *text,
                                    IntakeEnvelopeSource *out_source)
{
  if (g_strcmp0 (text, "upload") == 0)
    *out_source = INTAKE_ENVELOPE_SOURCE_UPLOAD;
  else if (g_strcmp0 (text, "bundle") == 0)
    *out_source = INTAKE_ENVELOPE_SOURCE_BUNDLE;
  else
    return FALSE;
  return TRUE;
}

const char *
intake_store_put_result_to_string (IntakeStorePutResult result)
{
  switch (result)
    {
    case INTAKE_STORE_PUT_STORED:
      return "stored";
    case INTAKE_STORE_PUT_DUPLICATE:
      return "duplicate";
    case INTAKE_STORE_PUT_CONFLICT:
      return "conflict";
    default:
      g_assert_not_reached ();
    }
}

void
intake_store_envelope_init (IntakeStoreEnvelope        *meta,
                            const IntakeEnvelopeHeader *header,
                            GBytes                     *envelope,
                            gint64                      received_at,
                            IntakeEnvelopeSource        source)
{
  g_autofree char *submission_id = intake_hex_encode (header->submission_id, sizeof header->submission_id);
  g_autofree char *device_id = intake_hex_encode (header->device_id, sizeof header->device_id);
  g_autofree char *office_key_id = intake_hex_encode (header->office_key_id, sizeof header->office_key_id);
  g_autofree char *questionnaire_hash = intake_hex_encode (header->questionnaire_hash,
                                                           sizeof header->questionnaire_hash);
  g_autofree char *sha256 = intake_sha256_hex (envelope);

  memset (meta, 0, sizeof *meta);
  g_strlcpy (meta->submission_id, submission_id, sizeof meta->submission_id);
  g_strlcpy (meta->device_id, device_id, sizeof meta->device_id);
  g_strlcpy (meta->sha256, sha256, sizeof meta->sha256);
  meta->size = (gint64)g_bytes_get_size (envelope);
  meta->created_at = header->created_at;
  g_strlcpy (meta->questionnaire_id, header->questionnaire_id, sizeof meta->questionnaire_id);
  meta->questionnaire_version = header->questionnaire_version;
  g_strlcpy (meta->questionnaire_hash, questionnaire_hash, sizeof meta->questionnaire_hash);
  g_strlcpy (meta->office_key_id, office_key_id, sizeof meta->office_key_id);
  meta->received_at = received_at;
  meta->source = source;
}

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

  if (!intake_hex_is_lower (code_hash, 64))
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
                                  char                    **out_previous_location,
                                  GError                  **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!intake_hex_is_lower (code_hash, 64))
    return invalid (error, "code hash (expected 64 lowercase hex digits)"), NULL;
  if (out_previous_location != NULL)
    *out_previous_location = NULL;
  return INTAKE_STORE_GET_IFACE (self)->consume_enroll_code (self, code_hash, device, now, out_previous_location,
                                                             error);
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

  if (!intake_hex_is_lower (device_id, 32))
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

  if (!intake_hex_is_lower (device_id, 32))
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

  if (!intake_hex_is_lower (meta->submission_id, 32) || !intake_hex_is_lower (meta->device_id, 32) ||
      !intake_hex_is_lower (meta->sha256, 64) || meta->size != (gint64)g_bytes_get_size (envelope))
    return invalid (error, "envelope metadata");
  return INTAKE_STORE_GET_IFACE (self)->put_envelope (self, meta, envelope, out_result, error);
}

gboolean
intake_store_put_uploads (IntakeStore       *self,
                          IntakeStoreUpload *uploads,
                          guint              n_uploads,
                          GError           **error)
{
  gboolean any = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_uploads == 0 || uploads != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint u = 0; u < n_uploads; u++)
    {
      const IntakeStoreUpload *upload = &uploads[u];

      g_return_val_if_fail (upload->n == 0 ||
                            (upload->metas != NULL && upload->envelopes != NULL && upload->results != NULL),
                            FALSE);
      g_return_val_if_fail (upload->nonce == NULL || (upload->nonce->signer != NULL && upload->nonce->nonce != NULL),
                            FALSE);
      for (guint i = 0; i < upload->n; i++)
        if (upload->envelopes[i] == NULL || !intake_hex_is_lower (upload->metas[i].submission_id, 32) ||
            !intake_hex_is_lower (upload->metas[i].device_id, 32) || !intake_hex_is_lower (upload->metas[i].sha256, 64) ||
            upload->metas[i].size != (gint64)g_bytes_get_size (upload->envelopes[i]))
          return invalid (error, "envelope metadata");
      uploads[u].nonce_fresh = TRUE;
      uploads[u].device_inactive = FALSE;
      any |= upload->n > 0 || upload->nonce != NULL;
    }
  if (!any)
    return TRUE;
  return INTAKE_STORE_GET_IFACE (self)->put_uploads (self, uploads, n_uploads, error);
}

gboolean
intake_store_put_envelopes (IntakeStore               *self,
                            const IntakeStoreNonce    *nonce,
                            gboolean                  *out_nonce_fresh,
                            guint                      n,
                            const IntakeStoreEnvelope *metas,
                            GBytes * const            *envelopes,
                            IntakeStorePutResult      *out_results,
                            GError                   **error)
{
  IntakeStoreUpload upload = {
    .nonce = nonce, .n = n, .metas = metas, .envelopes = envelopes, .results = out_results, .nonce_fresh = TRUE,
  };

  g_return_val_if_fail (nonce == NULL || out_nonce_fresh != NULL, FALSE);

  if (!intake_store_put_uploads (self, &upload, 1, error))
    return FALSE;
  if (out_nonce_fresh != NULL)
    *out_nonce_fresh = upload.nonce_fresh;
  return TRUE;
}

GBytes *
intake_store_dup_envelope (IntakeStore         *self,
                           const char          *device_id,
                           const char          *submission_id,
                           IntakeStoreEnvelope *out_meta,
                           GError             **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!intake_hex_is_lower (submission_id, 32) || !intake_hex_is_lower (device_id, 32))
    return invalid (error, "device or submission id"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->dup_envelope (self, device_id, submission_id, out_meta, error);
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

gboolean
intake_store_set_setting (IntakeStore  *self,
                          const char   *name,
                          const char   *value,
                          GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->set_setting (self, name, value, error);
}

IntakeStore *
intake_store_open_another (IntakeStore  *self,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->open_another (self, error);
}

gboolean
intake_store_checkpoint (IntakeStore  *self,
                         GError      **error)
{
  IntakeStoreInterface *iface;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = INTAKE_STORE_GET_IFACE (self);
  return iface->checkpoint == NULL || iface->checkpoint (self, error);
}

gboolean
intake_store_check_files (IntakeStore  *self,
                          GError      **error)
{
  IntakeStoreInterface *iface;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = INTAKE_STORE_GET_IFACE (self);
  return iface->check_files == NULL || iface->check_files (self, error);
}

const char *
intake_store_get_directory (IntakeStore *self)
{
  IntakeStoreInterface *iface;

  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);

  iface = INTAKE_STORE_GET_IFACE (self);
  return iface->get_directory != NULL ? iface->get_directory (self) : NULL;
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

IntakeStoreDevice *
intake_store_device_copy (const IntakeStoreDevice *device)
{
  IntakeStoreDevice *copy;

  g_return_val_if_fail (device != NULL, NULL);

  copy = g_memdup2 (device, sizeof *device);
  copy->location = g_strdup (device->location);
  copy->questionnaire = g_strdup (device->questionnaire);
  copy->app_version = g_strdup (device->app_version);
  copy->last_error = g_strdup (device->last_error);
  return copy;
}

void
intake_store_device_free (IntakeStoreDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->location);
  g_free (device->questionnaire);
  g_free (device->app_version);
  g_free (device->last_error);
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

void
intake_store_envelope_init_hashed (IntakeStoreEnvelope        *meta,
                                   const IntakeEnvelopeHeader *header,
                                   GBytes                     *envelope,
                                   const char                 *sha256_hex,
                                   gint64                      received_at,
                                   IntakeEnvelopeSource        source)
{
  g_autofree char *submission_id = intake_hex_encode (header->submission_id, sizeof header->submission_id);
  g_autofree char *device_id = intake_hex_encode (header->device_id, sizeof header->device_id);
  g_autofree char *office_key_id = intake_hex_encode (header->office_key_id, sizeof header->office_key_id);
  g_autofree char *questionnaire_hash = intake_hex_encode (header->questionnaire_hash,
                                                           sizeof header->questionnaire_hash);

  memset (meta, 0, sizeof *meta);
  g_strlcpy (meta->submission_id, submission_id, sizeof meta->submission_id);
  g_strlcpy (meta->device_id, device_id, sizeof meta->device_id);
  g_strlcpy (meta->sha256, sha256_hex, sizeof meta->sha256);
  meta->size = (gint64)g_bytes_get_size (envelope);
  meta->created_at = header->created_at;
  g_strlcpy (meta->questionnaire_id, header->questionnaire_id, sizeof meta->questionnaire_id);
  meta->questionnaire_version = header->questionnaire_version;
  g_strlcpy (meta->questionnaire_hash, questionnaire_hash, sizeof meta->questionnaire_hash);
  g_strlcpy (meta->office_key_id, office_key_id, sizeof meta->office_key_id);
  meta->received_at = received_at;
  meta->source = source;
}

void
intake_store_envelope_init (IntakeStoreEnvelope        *meta,
                            const IntakeEnvelopeHeader *header,
                            GBytes                     *envelope,
                            gint64                      received_at,
                            IntakeEnvelopeSource        source)
{
  g_autofree char *sha256 = intake_sha256_hex (envelope);

  intake_store_envelope_init_hashed (meta, header, envelope, sha256, received_at, source);
}

/* Review ------------------------------------------------------------------ */

static const char * const review_states[] = { INTAKE_REVIEW_STATES };

gboolean
intake_review_state_is_valid (const char *state)
{
  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (review_states); i++)
    if (g_str_equal (state, review_states[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_name (const char *name)
{
  return name != NULL && *name != '\0' && strlen (name) <= 128 && g_utf8_validate (name, -1, NULL);
}

gboolean
intake_store_add_reviewer (IntakeStore               *self,
                           const IntakeStoreReviewer *reviewer,
                           IntakeAuditEvent          *audit,
                           GError                   **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (reviewer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!intake_hex_is_lower (reviewer->reviewer_id, 32) || !is_name (reviewer->name) || reviewer->blob == NULL)
    return invalid (error, "reviewer (expected an id, a name of 1 to 128 bytes and a key blob)");
  return INTAKE_STORE_GET_IFACE (self)->add_reviewer (self, reviewer, audit, error);
}

IntakeStoreReviewer *
intake_store_get_reviewer (IntakeStore  *self,
                           const char   *reviewer_id,
                           const char   *name,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail ((reviewer_id == NULL) != (name == NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((reviewer_id != NULL && !intake_hex_is_lower (reviewer_id, 32)) || (name != NULL && !is_name (name)))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                   "no such reviewer; see intake-admin reviewer list");
      return NULL;
    }
  return INTAKE_STORE_GET_IFACE (self)->get_reviewer (self, reviewer_id, name, error);
}

GPtrArray *
intake_store_list_reviewers (IntakeStore  *self,
                             GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_reviewers (self, error);
}

gboolean
intake_store_revoke_reviewer (IntakeStore       *self,
                              const char        *name,
                              gint64             now,
                              IntakeAuditEvent  *audit,
                              GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_name (name))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                   "no active reviewer with that name; see intake-admin reviewer list");
      return FALSE;
    }
  return INTAKE_STORE_GET_IFACE (self)->revoke_reviewer (self, name, now, audit, error);
}

IntakeStoreSubmission *
intake_store_get_submission (IntakeStore  *self,
                             const char   *device_id,
                             const char   *submission_id,
                             GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!intake_hex_is_lower (submission_id, 32) || !intake_hex_is_lower (device_id, 32))
    return NULL;
  return INTAKE_STORE_GET_IFACE (self)->get_submission (self, device_id, submission_id, error);
}

GPtrArray *
intake_store_list_submissions (IntakeStore                  *self,
                               const IntakeSubmissionFilter *filter,
                               GError                      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter->limit == 0 || filter->limit > 1000)
    return invalid (error, "limit (1 to 1000)"), NULL;
  if (filter->state != NULL && !intake_review_state_is_valid (filter->state))
    return invalid (error, "state"), NULL;
  if (filter->view != INTAKE_SUBMISSION_VIEW_ALL && !is_name (filter->me))
    return invalid (error, "view without the reviewer's name"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->list_submissions (self, filter, error);
}

gboolean
intake_store_count_submissions (IntakeStore                  *self,
                                const IntakeSubmissionFilter *filter,
                                GPtrArray                   **out_cells,
                                IntakeStoreCountMarks        *out_marks,
                                GError                      **error)
{
  IntakeStoreCountMarks marks;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter != NULL && out_cells != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter->state != NULL && !intake_review_state_is_valid (filter->state))
    return invalid (error, "state");
  return INTAKE_STORE_GET_IFACE (self)->count_submissions (self, filter, out_cells,
                                                          out_marks != NULL ? out_marks : &marks, error);
}

gboolean
intake_store_foreach_fact (IntakeStore                  *self,
                           const IntakeSubmissionFilter *filter,
                           IntakeStoreFactFunc           func,
                           gpointer                      user_data,
                           GError                      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter != NULL && func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter->state != NULL && !intake_review_state_is_valid (filter->state))
    return invalid (error, "state");
  if (filter->view != INTAKE_SUBMISSION_VIEW_ALL && !is_name (filter->me))
    return invalid (error, "view without the reviewer's name");
  return INTAKE_STORE_GET_IFACE (self)->foreach_fact (self, filter, func, user_data, error);
}

void
intake_store_count_cell_free (IntakeStoreCountCell *cell)
{
  if (cell == NULL)
    return;
  g_free (cell->state);
  g_free (cell->unit);
  g_free (cell);
}

/* The units live in the settings table, one name a line. */
#define UNITS_SETTING "review_units"

static gboolean
is_unit_name (const char *name)
{
  return is_name (name) && strpbrk (name, "\n\r") == NULL;
}

char **
intake_store_dup_units (IntakeStore  *self,
                        GError      **error)
{
  g_autofree char *value = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = intake_store_ensure_setting (self, UNITS_SETTING, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (value == NULL || *value == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (value, "\n", -1);
}

gboolean
intake_store_set_units (IntakeStore         *self,
                        const char * const  *units,
                        IntakeAuditEvent    *audit,
                        GError             **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (units != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; units[i] != NULL; i++)
    {
      if (!is_unit_name (units[i]) || strlen (units[i]) > 200)
        return invalid (error, "unit name (1 to 200 bytes of UTF-8 on one line)");
      for (guint j = 0; j < i; j++)
        if (g_str_equal (units[i], units[j]))
          return invalid (error, "unit list (a unit is listed twice)");
    }
  value = g_strjoinv ("\n", (char **)units);
  if (!intake_store_set_setting (self, UNITS_SETTING, value, error))
    return FALSE;
  return audit == NULL || intake_store_append_audit (self, audit, error);
}

static gboolean
check_change (const char  *device_id,
              const char  *submission_id,
              const char  *updated_by,
              GError     **error)
{
  if (!intake_hex_is_lower (submission_id, 32) || !intake_hex_is_lower (device_id, 32))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION,
                   "no submission with id \"%s\"", submission_id != NULL ? submission_id : "");
      return FALSE;
    }
  if (!is_name (updated_by))
    return invalid (error, "reviewer name");
  return TRUE;
}

gboolean
intake_store_update_workflow (IntakeStore               *self,
                              const char                *device_id,
                              const char                *submission_id,
                              const IntakeStoreWorkflow *workflow,
                              gint64                     expected_version,
                              const char             *updated_by,
                              gint64                  now,
                              IntakeAuditEvent       *audit,
                              IntakeStoreSubmission **out_current,
                              gboolean               *out_conflict,
                              GError                **error)
{
  gboolean conflict = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_current != NULL)
    *out_current = NULL;
  if (!check_change (device_id, submission_id, updated_by, error))
    return FALSE;
  g_return_val_if_fail (workflow != NULL, FALSE);
  if (!intake_review_state_is_valid (workflow->state))
    return invalid (error, "state (new, in_review, conversation_planned, closed or needs_follow_up)");
  if (workflow->unit != NULL && (strlen (workflow->unit) > 200 || !g_utf8_validate (workflow->unit, -1, NULL)))
    return invalid (error, "unit (at most 200 bytes of UTF-8)");
  if (workflow->assignee != NULL && *workflow->assignee != '\0' && !is_name (workflow->assignee))
    return invalid (error, "assignee (a reviewer's name)");
  if (workflow->appointment_at < 0)
    return invalid (error, "appointment (Unix seconds)");
  if (!INTAKE_STORE_GET_IFACE (self)->update_workflow (self, device_id, submission_id, workflow,
                                                       expected_version, updated_by, now, audit,
                                                       out_current, &conflict, error))
    return FALSE;
  if (out_conflict != NULL)
    *out_conflict = conflict;
  return TRUE;
}

gboolean
intake_store_add_note (IntakeStore            *self,
                       const char             *device_id,
                       const char             *submission_id,
                       GBytes                 *note,
                       const char             *reviewer_id,
                       const char             *reviewer_name,
                       gint64                  expected_version,
                       gint64                  now,
                       IntakeAuditEvent       *audit,
                       IntakeStoreSubmission **out_current,
                       gboolean               *out_conflict,
                       GError                **error)
{
  gboolean conflict = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (note != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_current != NULL)
    *out_current = NULL;
  if (!check_change (device_id, submission_id, reviewer_name, error))
    return FALSE;
  if (!intake_hex_is_lower (reviewer_id, 32))
    return invalid (error, "reviewer id");
  if (!INTAKE_STORE_GET_IFACE (self)->add_note (self, device_id, submission_id, note, reviewer_id, reviewer_name,
                                                expected_version, now, audit, out_current, &conflict, error))
    return FALSE;
  if (out_conflict != NULL)
    *out_conflict = conflict;
  return TRUE;
}

GPtrArray *
intake_store_list_notes (IntakeStore  *self,
                         const char   *device_id,
                         const char   *submission_id,
                         GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!intake_hex_is_lower (submission_id, 32) || !intake_hex_is_lower (device_id, 32))
    return invalid (error, "device or submission id"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->list_notes (self, device_id, submission_id, error);
}

gboolean
intake_store_append_audit (IntakeStore       *self,
                           IntakeAuditEvent  *event,
                           GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->append_audit (self, event, error);
}

gboolean
intake_store_append_audits (IntakeStore              *self,
                            IntakeAuditEvent * const *events,
                            guint                     n_events,
                            GError                  **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL && n_events > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_events; i++)
    g_return_val_if_fail (events[i] != NULL, FALSE);
  return INTAKE_STORE_GET_IFACE (self)->append_audits (self, events, n_events, error);
}

/* Staff access ------------------------------------------------------------ */

static gboolean
scope_ok (const char * const *values)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (*values[i] == '\0' || strlen (values[i]) > 200 || !g_utf8_validate (values[i], -1, NULL))
      return FALSE;
  return TRUE;
}

gboolean
intake_store_put_reviewer_setup (IntakeStore                    *self,
                                 const IntakeStoreReviewerSetup *setup,
                                 IntakeAuditEvent               *audit,
                                 GError                        **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (setup != NULL && setup->blob != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_name (setup->name))
    return invalid (error, "reviewer name");
  if (!scope_ok ((const char * const *)setup->locations) || !scope_ok ((const char * const *)setup->units))
    return invalid (error, "scope (locations and units: 1 to 200 bytes of UTF-8 each)");
  return INTAKE_STORE_GET_IFACE (self)->put_reviewer_setup (self, setup, audit, error);
}

IntakeStoreReviewerSetup *
intake_store_get_reviewer_setup (IntakeStore  *self,
                                 const char   *name,
                                 GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->get_reviewer_setup (self, name, error);
}

GPtrArray *
intake_store_list_reviewer_setups (IntakeStore  *self,
                                   GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_reviewer_setups (self, error);
}

gboolean
intake_store_activate_reviewer (IntakeStore               *self,
                                const IntakeStoreReviewer *reviewer,
                                gint64                     now,
                                IntakeAuditEvent          *audit,
                                GError                   **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (reviewer != NULL && reviewer->blob != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_name (reviewer->name) || !intake_hex_is_lower (reviewer->reviewer_id, 32))
    return invalid (error, "reviewer name or id");
  return INTAKE_STORE_GET_IFACE (self)->activate_reviewer (self, reviewer, now, audit, error);
}

gboolean
intake_store_set_reviewer_blob (IntakeStore       *self,
                                const char        *reviewer_id,
                                GBytes            *blob,
                                const char        *name_key,
                                IntakeAuditEvent  *audit,
                                GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (reviewer_id != NULL && blob != NULL && name_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->set_reviewer_blob (self, reviewer_id, blob, name_key, audit, error);
}

gboolean
intake_store_set_reviewer_access (IntakeStore        *self,
                                  const char         *name,
                                  guint               roles,
                                  const char * const *locations,
                                  const char * const *units,
                                  IntakeAuditEvent   *audit,
                                  GError            **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_name (name))
    return invalid (error, "reviewer name");
  if (!scope_ok (locations) || !scope_ok (units))
    return invalid (error, "scope (locations and units: 1 to 200 bytes of UTF-8 each)");
  return INTAKE_STORE_GET_IFACE (self)->set_reviewer_access (self, name, roles, locations, units, audit, error);
}

gboolean
intake_store_get_throttle (IntakeStore         *self,
                           const char          *name_key,
                           IntakeStoreThrottle *out_throttle,
                           GError             **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (name_key != NULL && out_throttle != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out_throttle, 0, sizeof *out_throttle);
  return INTAKE_STORE_GET_IFACE (self)->get_throttle (self, name_key, out_throttle, error);
}

gboolean
intake_store_finish_unlock (IntakeStore                    *self,
                            const IntakeStoreUnlockOutcome *outcome,
                            gboolean                       *out_fresh,
                            gint64                         *out_locked_until,
                            GError                        **error)
{
  gint64 locked_until = 0;
  gboolean fresh = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (outcome != NULL && outcome->name_key != NULL && outcome->nonce != NULL, FALSE);
  g_return_val_if_fail (outcome->lock_after > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!INTAKE_STORE_GET_IFACE (self)->finish_unlock (self, outcome, &fresh, &locked_until, error))
    return FALSE;
  if (out_fresh != NULL)
    *out_fresh = fresh;
  if (out_locked_until != NULL)
    *out_locked_until = locked_until;
  return TRUE;
}

gboolean
intake_store_clear_throttle (IntakeStore       *self,
                             const char        *name_key,
                             IntakeAuditEvent  *audit,
                             GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (name_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->clear_throttle (self, name_key, audit, error);
}

gboolean
intake_store_use_nonce (IntakeStore  *self,
                        const char   *signer,
                        const char   *nonce,
                        gint64        expires_at,
                        gboolean     *out_fresh,
                        GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (signer != NULL && nonce != NULL && out_fresh != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->use_nonce (self, signer, nonce, expires_at, out_fresh, error);
}

gboolean
intake_store_prune_nonces (IntakeStore  *self,
                           gint64        now,
                           guint        *out_removed,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->prune_nonces (self, now, out_removed, error);
}

GPtrArray *
intake_store_list_audit (IntakeStore  *self,
                         const char   *object,
                         gint64        after_seq,
                         guint         limit,
                         GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_audit (self, object, after_seq, limit, error);
}

gboolean
intake_store_get_audit_head (IntakeStore  *self,
                             gint64       *out_seq,
                             char         *out_hash,
                             GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_seq != NULL && out_hash != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->get_audit_head (self, out_seq, out_hash, error);
}

static gboolean
verify_audit_once (IntakeStore          *self,
                   IntakeAuditVerifier  *verifier,
                   gint64               *out_head_seq,
                   GError              **error)
{
  char head_hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];
  gint64 after = 0;

  if (!intake_store_get_audit_head (self, out_head_seq, head_hash, error))
    return FALSE;
  intake_audit_verifier_set_recorded_head (verifier, *out_head_seq, head_hash);

  for (;;)
    {
      g_autoptr(GPtrArray) page = intake_store_list_audit (self, NULL, after, 1000, error);

      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->len; i++)
        {
          const IntakeAuditEvent *event = g_ptr_array_index (page, i);

          if (!intake_audit_verifier_feed (verifier, event))
            return TRUE;
          after = event->seq;
        }
      if (page->len < 1000)
        break;
    }
  intake_audit_verifier_finish (verifier);
  return TRUE;
}

gboolean
intake_store_verify_audit (IntakeStore          *self,
                           IntakeAuditVerifier  *verifier,
                           GError              **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (verifier != NULL, FALSE);

  /* A running server may append between our reading the head and the
   * last page: an event "after the recorded head" is then legitimate if
   * the head has moved past it since. Walk again in that case. */
  for (guint attempt = 0;; attempt++)
    {
      char head_hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];
      gint64 head_seq = 0, now_seq = 0;

      intake_audit_verifier_clear (verifier);
      intake_audit_verifier_init (verifier);
      if (!verify_audit_once (self, verifier, &head_seq, error))
        return FALSE;
      if (verifier->problem != INTAKE_AUDIT_PROBLEM_INSERTED || verifier->bad_seq <= head_seq || attempt == 4)
        return TRUE;
      if (!intake_store_get_audit_head (self, &now_seq, head_hash, error))
        return FALSE;
      if (now_seq < verifier->bad_seq)
        return TRUE;
    }
}

gboolean
intake_store_put_help_request (IntakeStore  *self,
                               const char   *device_id,
                               const char   *client_key,
                               gint64        created_at,
                               const char   *language,
                               gint64        received_at,
                               gboolean     *out_new,
                               GError      **error)
{
  gboolean is_new = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!intake_hex_is_lower (device_id, 32))
    return invalid (error, "device id");
  if (client_key == NULL || *client_key == '\0' || strlen (client_key) > 128)
    return invalid (error, "help request key");
  if (language == NULL || *language == '\0' || strlen (language) > 15)
    return invalid (error, "language");
  if (!INTAKE_STORE_GET_IFACE (self)->put_help_request (self, device_id, client_key, created_at, language,
                                                        received_at, &is_new, error))
    return FALSE;
  if (out_new != NULL)
    *out_new = is_new;
  return TRUE;
}

GPtrArray *
intake_store_list_help_requests (IntakeStore  *self,
                                 gint64        from,
                                 gint64        to,
                                 GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_help_requests (self, from, to, error);
}

GPtrArray *
intake_store_list_open_help_requests (IntakeStore  *self,
                                      guint         limit,
                                      GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit < 1 || limit > 1000)
    return invalid (error, "limit"), NULL;
  return INTAKE_STORE_GET_IFACE (self)->list_open_help_requests (self, limit, error);
}

gboolean
intake_store_handle_help_request (IntakeStore             *self,
                                  gint64                   id,
                                  const char * const      *locations,
                                  const char              *handled_by,
                                  gint64                   now,
                                  IntakeAuditEvent        *audit,
                                  IntakeStoreHelpRequest **out_request,
                                  gboolean                *out_already,
                                  GError                 **error)
{
  gboolean already = FALSE;

  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (audit != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_request != NULL)
    *out_request = NULL;
  if (id <= 0)
    return invalid (error, "help request id");
  if (handled_by == NULL || *handled_by == '\0')
    return invalid (error, "name");
  if (!INTAKE_STORE_GET_IFACE (self)->handle_help_request (self, id, locations, handled_by, now, audit, out_request,
                                                           &already, error))
    return FALSE;
  if (out_already != NULL)
    *out_already = already;
  return TRUE;
}

gboolean
intake_store_put_questionnaire (IntakeStore                    *self,
                                const IntakeStoreQuestionnaire *questionnaire,
                                GError                        **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (questionnaire != NULL && questionnaire->canonical != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (questionnaire->id == NULL || !intake_hex_is_lower (questionnaire->hash, 64))
    return invalid (error, "questionnaire identity");
  return INTAKE_STORE_GET_IFACE (self)->put_questionnaire (self, questionnaire, error);
}

GPtrArray *
intake_store_list_questionnaires (IntakeStore  *self,
                                  GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_questionnaires (self, error);
}

void
intake_store_reviewer_free (IntakeStoreReviewer *reviewer)
{
  if (reviewer == NULL)
    return;
  g_free (reviewer->name);
  g_clear_pointer (&reviewer->blob, g_bytes_unref);
  g_strfreev (reviewer->locations);
  g_strfreev (reviewer->units);
  g_free (reviewer);
}

void
intake_store_reviewer_setup_free (IntakeStoreReviewerSetup *setup)
{
  if (setup == NULL)
    return;
  g_free (setup->name);
  g_clear_pointer (&setup->blob, g_bytes_unref);
  g_strfreev (setup->locations);
  g_strfreev (setup->units);
  g_free (setup->created_by);
  g_free (setup);
}

void
intake_store_submission_free (IntakeStoreSubmission *submission)
{
  if (submission == NULL)
    return;
  g_free (submission->location);
  g_free (submission->state);
  g_free (submission->unit);
  g_free (submission->updated_by);
  g_free (submission->assignee);
  g_free (submission);
}

void
intake_store_note_free (IntakeStoreNote *note)
{
  if (note == NULL)
    return;
  g_clear_pointer (&note->envelope, g_bytes_unref);
  g_free (note->reviewer);
  g_free (note);
}

void
intake_store_help_request_free (IntakeStoreHelpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->location);
  g_free (request->handled_by);
  g_free (request);
}

void
intake_store_questionnaire_free (IntakeStoreQuestionnaire *questionnaire)
{
  if (questionnaire == NULL)
    return;
  g_free (questionnaire->id);
  g_clear_pointer (&questionnaire->canonical, g_bytes_unref);
  g_free (questionnaire);
}

const char *
intake_reviewer_status_to_string (IntakeReviewerStatus status)
{
  return status == INTAKE_REVIEWER_STATUS_REVOKED ? "revoked" : "active";
}

/* Office key rotation ------------------------------------------------------- */

GPtrArray *
intake_store_list_office_key_seals (IntakeStore  *self,
                                    const char   *reviewer_id,
                                    GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return INTAKE_STORE_GET_IFACE (self)->list_office_key_seals (self, reviewer_id != NULL ? reviewer_id : "",
                                                               error);
}

void
intake_store_office_key_seal_clear (IntakeStoreOfficeKeySeal *seal)
{
  if (seal != NULL)
    g_clear_pointer (&seal->blob, g_bytes_unref);
}

gboolean
intake_store_rotate_office (IntakeStore                     *self,
                            const IntakeStoreOfficeRotation *rotation,
                            IntakeAuditEvent                *audit,
                            GError                         **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (rotation != NULL, FALSE);
  g_return_val_if_fail (rotation->expected_office_public != NULL, FALSE);
  g_return_val_if_fail (rotation->new_office_public != NULL, FALSE);
  g_return_val_if_fail (rotation->rotation != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->rotate_office (self, rotation, audit, error);
}

gboolean
intake_store_retire_office_key (IntakeStore       *self,
                                const char        *office_key_id,
                                IntakeAuditEvent  *audit,
                                GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (office_key_id == NULL || !intake_hex_is_lower (office_key_id, INTAKE_OFFICE_KEY_ID_BYTES * 2))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "\"%s\" is not an office key id (16 lowercase hex digits)", office_key_id ? office_key_id : "");
      return FALSE;
    }
  return INTAKE_STORE_GET_IFACE (self)->retire_office_key (self, office_key_id, audit, error);
}

gboolean
intake_store_roll_server_key (IntakeStore       *self,
                              const char        *expected_public,
                              const char        *new_public,
                              const char        *new_key_id,
                              const char        *statement,
                              IntakeAuditEvent  *audit,
                              GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (expected_public != NULL && new_public != NULL, FALSE);
  g_return_val_if_fail (new_key_id != NULL && statement != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->roll_server_key (self, expected_public, new_public, new_key_id, statement,
                                                         audit, error);
}

gboolean
intake_store_record_check_in (IntakeStore               *self,
                              const char                *device_id,
                              const IntakeStoreCheckIn  *report,
                              gint64                     now,
                              GError                   **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (device_id == NULL || !intake_hex_is_lower (device_id, 32))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID, "not a device id");
      return FALSE;
    }
  return INTAKE_STORE_GET_IFACE (self)->record_check_in (self, device_id, report, now, error);
}

/* Retention and erasure ------------------------------------------------------ */

static const struct {
  const char *name;
  const char *option;
  guint       fallback;
  guint       min;
} retention_rules[INTAKE_RETENTION_N_RULES] = {
  [INTAKE_RETENTION_CLOSED] = { "closed", "--retain-closed-days", INTAKE_RETENTION_DEFAULT_CLOSED_DAYS, 0 },
  [INTAKE_RETENTION_MAXIMUM] = { "maximum", "--retain-max-days", INTAKE_RETENTION_DEFAULT_MAXIMUM_DAYS, 1 },
  [INTAKE_RETENTION_HELP] = { "help", "--retain-help-days", INTAKE_RETENTION_DEFAULT_HELP_DAYS, 1 },
};

void
intake_retention_init (IntakeRetention *retention)
{
  g_return_if_fail (retention != NULL);

  for (guint i = 0; i < INTAKE_RETENTION_N_RULES; i++)
    retention->days[i] = retention_rules[i].fallback;
}

const char *
intake_retention_rule_to_string (IntakeRetentionRule rule)
{
  g_return_val_if_fail (rule < INTAKE_RETENTION_N_RULES, NULL);

  return retention_rules[rule].name;
}

const char *
intake_retention_rule_option (IntakeRetentionRule rule)
{
  g_return_val_if_fail (rule < INTAKE_RETENTION_N_RULES, NULL);

  return retention_rules[rule].option;
}

gboolean
intake_retention_set_days (IntakeRetention      *retention,
                           IntakeRetentionRule   rule,
                           gint64                days,
                           GError              **error)
{
  g_return_val_if_fail (retention != NULL, FALSE);
  g_return_val_if_fail (rule < INTAKE_RETENTION_N_RULES, FALSE);

  if (days < retention_rules[rule].min || days > INTAKE_RETENTION_MAX_DAYS)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "%s takes whole days from %u to %d%s, not %" G_GINT64_FORMAT,
                   retention_rules[rule].option, retention_rules[rule].min, INTAKE_RETENTION_MAX_DAYS,
                   retention_rules[rule].min == 0 ? " (0: off)" : "", days);
      return FALSE;
    }
  retention->days[rule] = (guint)days;
  return TRUE;
}

gboolean
intake_store_purge (IntakeStore            *self,
                    const IntakeRetention  *retention,
                    gint64                  now,
                    gboolean                dry_run,
                    const char             *actor,
                    const char             *origin,
                    gint64                 *out_counts,
                    GError                **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);
  g_return_val_if_fail (retention->days[INTAKE_RETENTION_MAXIMUM] > 0, FALSE);
  g_return_val_if_fail (retention->days[INTAKE_RETENTION_HELP] > 0, FALSE);
  g_return_val_if_fail (dry_run || (actor != NULL && origin != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->purge (self, retention, now, dry_run, actor, origin, out_counts, error);
}

gboolean
intake_store_erase_submission (IntakeStore       *self,
                               const char        *device_id,
                               const char        *submission_id,
                               IntakeAuditEvent  *audit,
                               GError           **error)
{
  g_return_val_if_fail (INTAKE_IS_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL && submission_id != NULL, FALSE);
  g_return_val_if_fail (audit != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return INTAKE_STORE_GET_IFACE (self)->erase_submission (self, device_id, submission_id, audit, error);
}

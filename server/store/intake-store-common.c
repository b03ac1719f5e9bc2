/* intake-store-common.c: the store logic both backends share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See intake-store-common.h. Everything here runs on the backend's
 * IntakeStoreBackend operations; no SQL and no database API.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "intake-protocol.h"
#include "intake-roles.h"
#include "intake-reference.h"
#include "intake-store-common.h"

static GQuark
backend_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("intake-store-backend");
  return quark;
}

void
intake_store_backend_install (GType                     type,
                              const IntakeStoreBackend *backend)
{
  g_type_set_qdata (type, backend_quark (), (gpointer)backend);
}

static const IntakeStoreBackend *
backend_of (IntakeStore *store)
{
  const IntakeStoreBackend *backend = g_type_get_qdata (G_OBJECT_TYPE (store), backend_quark ());

  g_assert (backend != NULL);
  return backend;
}

static gboolean
ensure_ready (const IntakeStoreBackend  *ops,
              IntakeStore               *store,
              GError                   **error)
{
  return ops->ensure_ready == NULL || ops->ensure_ready (store, error);
}

/* Rolls back and returns FALSE, for "return fail (ops, store);". */
static gboolean
fail (const IntakeStoreBackend *ops,
      IntakeStore              *store)
{
  ops->rollback (store);
  return FALSE;
}

char *
intake_store_reference_for (const char *submission_id)
{
  guint8 id[INTAKE_SUBMISSION_ID_BYTES];

  if (!intake_hex_decode (submission_id, id, sizeof id))
    return g_strdup ("");
  return intake_reference_from_submission_id (id);
}

char *
intake_store_roles_to_text (guint roles)
{
  return intake_roles_to_string ((IntakeRoles) roles);
}

guint
intake_store_roles_from_text (const char *text)
{
  IntakeRoles roles = 0;

  /* An unknown name in the column grants nothing rather than failing the read. */
  if (text == NULL || !intake_roles_from_string (text, &roles))
    return 0;
  return roles;
}

char **
intake_store_scope_take (GPtrArray *values)
{
  if (values->len == 0)
    {
      g_ptr_array_unref (values);
      return NULL;
    }
  g_ptr_array_add (values, NULL);
  g_ptr_array_set_free_func (values, NULL);
  return (char **) g_ptr_array_free (values, FALSE);
}

char *
intake_store_name_key (const char *name)
{
  static const char label[] = "intake-unlock-name-v1";
  crypto_generichash_state state;
  guint8 hash[32];

  g_return_val_if_fail (name != NULL, NULL);

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *)label, strlen (label));
  crypto_generichash_update (&state, (const guint8 *)name, strlen (name));
  crypto_generichash_final (&state, hash, sizeof hash);
  return intake_hex_encode (hash, sizeof hash);
}

/* Enrollment and devices -------------------------------------------------- */

static gboolean
common_create_enroll_code (IntakeStore  *store,
                           const char   *code_hash,
                           const char   *location,
                           gint64        created_at,
                           gint64        expires_at,
                           GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  gboolean exists = FALSE;

  if (!ensure_ready (ops, store, error) ||
      !ops->insert_enroll_code (store, code_hash, location, created_at, expires_at, &exists, error))
    return FALSE;
  if (exists)
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXISTS,
                           "this enrollment code exists already; make a new one");
      return FALSE;
    }
  return TRUE;
}

static char *
common_consume_enroll_code (IntakeStore              *store,
                            const char               *code_hash,
                            const IntakeDevicePublic *device,
                            gint64                    now,
                            char                    **out_previous_location,
                            GError                  **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autofree char *device_id = intake_hex_encode (device->device_id, sizeof device->device_id);
  g_autofree char *location = NULL;
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 expires_at = 0;
  gboolean used = FALSE;
  int rows = 0;

  if (!ops->begin (store, error))
    return NULL;

  if (!ops->get_enroll_code (store, code_hash, &location, &expires_at, &used, error))
    return fail (ops, store), NULL;
  if (location == NULL)
    {
      ops->rollback (store);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_CODE,
                           "unknown enrollment code; check it or ask staff for a new one");
      return NULL;
    }
  if (used)
    {
      ops->rollback (store);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED,
                           "this enrollment code was used already; ask staff for a new one");
      return NULL;
    }
  if (now >= expires_at)
    {
      ops->rollback (store);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_EXPIRED,
                           "this enrollment code has expired; ask staff for a new one");
      return NULL;
    }

  existing = ops->lookup_device (store, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store), NULL;
    }
  if (existing != NULL && existing->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      ops->rollback (store);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s is revoked and cannot enroll again; give the kiosk a new device key",
                   device_id);
      return NULL;
    }

  /* The update only takes an unused code, so of two servers racing for
   * the same code exactly one wins (SQLite's write lock already keeps a
   * second writer out). */
  if (!ops->use_enroll_code (store, code_hash, now, device_id, &rows, error))
    return fail (ops, store), NULL;
  if (rows != 1)
    {
      ops->rollback (store);
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_CODE_USED,
                           "this enrollment code was used already; ask staff for a new one");
      return NULL;
    }

  if (existing == NULL)
    {
      if (!ops->insert_device (store, device, device_id, location, now, error))
        return fail (ops, store), NULL;
    }
  else
    {
      if (!ops->set_device_location (store, device_id, location, error))
        return fail (ops, store), NULL;
    }

  if (!ops->commit (store, error))
    return NULL;
  if (existing != NULL && out_previous_location != NULL)
    *out_previous_location = g_strdup (existing->location);
  return g_steal_pointer (&location);
}

static gboolean
common_register_device (IntakeStore              *store,
                        const IntakeDevicePublic *device,
                        const char               *location,
                        gint64                    enrolled_at,
                        GError                  **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autofree char *device_id = intake_hex_encode (device->device_id, sizeof device->device_id);
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!ops->begin (store, error))
    return FALSE;
  existing = ops->lookup_device (store, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store);
    }
  if (existing != NULL && existing->status == INTAKE_DEVICE_STATUS_REVOKED)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s is revoked and cannot be registered again", device_id);
      return fail (ops, store);
    }
  if (existing == NULL && !ops->insert_device (store, device, device_id, location, enrolled_at, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

static IntakeStoreDevice *
common_get_device (IntakeStore  *store,
                   const char   *device_id,
                   GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autoptr(GError) local_error = NULL;
  IntakeStoreDevice *device;

  if (!ensure_ready (ops, store, error))
    return NULL;
  device = ops->lookup_device (store, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (device == NULL)
    g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                 "no device with id %s; see intake-admin device list", device_id);
  return device;
}

static gboolean
common_revoke_device (IntakeStore  *store,
                      const char   *device_id,
                      gint64        now,
                      GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autoptr(IntakeStoreDevice) existing = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!ops->begin (store, error))
    return FALSE;
  existing = ops->lookup_device (store, device_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store);
    }
  if (existing == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
                   "no device with id %s; see intake-admin device list", device_id);
      return fail (ops, store);
    }
  if (!ops->revoke_device (store, device_id, now, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

/* Envelopes --------------------------------------------------------------- */

/* Inside a write transaction: the verdict on an envelope whose (device,
 * submission id) was taken. The same bytes are a harmless repeat (a kiosk
 * that lost our receipt), other bytes a conflict, logged. Another device's
 * envelope with this submission id was stored as its own. In PostgreSQL,
 * ON CONFLICT DO NOTHING waited for a concurrent insert of the same id
 * (another server instance) to commit or roll back, so this compares with
 * the winner's row. */
static gboolean
resolve_taken_locked (const IntakeStoreBackend  *ops,
                      IntakeStore               *store,
                      const IntakeStoreEnvelope *meta,
                      GBytes                    *envelope,
                      IntakeStorePutResult      *out_result,
                      GError                   **error)
{
  g_autofree char *stored_sha256 = NULL;
  g_autoptr(GBytes) stored = NULL;
  gsize len, stored_len;
  const guint8 *data = g_bytes_get_data (envelope, &len);
  const guint8 *stored_data;

  stored = ops->get_stored_envelope (store, meta->device_id, meta->submission_id, &stored_sha256, error);
  if (stored == NULL)
    return FALSE;
  stored_data = g_bytes_get_data (stored, &stored_len);
  if (stored_len == len && (len == 0 || memcmp (stored_data, data, len) == 0))
    {
      *out_result = INTAKE_STORE_PUT_DUPLICATE;
      return TRUE;
    }
  if (!ops->log_conflict (store, meta, stored_sha256, error))
    return FALSE;
  *out_result = INTAKE_STORE_PUT_CONFLICT;
  return TRUE;
}

/* Inside a write transaction: @n envelopes in order, each stored with its
 * review row (state "new"), found a repeat, or logged as a conflict. A
 * repeat inside the list gets the verdict it would get one call later. */
static gboolean
put_many_locked (const IntakeStoreBackend  *ops,
                 IntakeStore               *store,
                 guint                      n,
                 const IntakeStoreEnvelope *metas,
                 GBytes * const            *envelopes,
                 IntakeStorePutResult      *out_results,
                 GError                   **error)
{
  g_autofree gboolean *inserted = g_new0 (gboolean, n + 1);
  g_auto(GStrv) references = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    references[i] = intake_store_reference_for (metas[i].submission_id);
  if (!ops->insert_envelopes (store, n, metas, envelopes, references, inserted, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (inserted[i])
        out_results[i] = INTAKE_STORE_PUT_STORED;
      else if (!resolve_taken_locked (ops, store, &metas[i], envelopes[i], &out_results[i], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
put_one_locked (const IntakeStoreBackend  *ops,
                IntakeStore               *store,
                const IntakeStoreEnvelope *meta,
                GBytes                    *envelope,
                IntakeStorePutResult      *out_result,
                GError                   **error)
{
  return put_many_locked (ops, store, 1, meta, &envelope, out_result, error);
}

static gboolean
common_put_envelope (IntakeStore               *store,
                     const IntakeStoreEnvelope *meta,
                     GBytes                    *envelope,
                     IntakeStorePutResult      *out_result,
                     GError                   **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ops->begin (store, error))
    return FALSE;
  if (!put_one_locked (ops, store, meta, envelope, out_result, error))
    return fail (ops, store);
  if (*out_result == INTAKE_STORE_PUT_DUPLICATE)
    {
      /* Nothing written: nothing to make durable. */
      ops->rollback (store);
      return TRUE;
    }
  return ops->commit (store, error);
}

/* The backend's one-round-trip group commit; then, in a transaction of
 * their own, the verdicts of the envelopes that were taken (a repeat, or
 * other bytes under a taken id, logged as a conflict), from rows that no
 * upload changes. *@out_done FALSE when a nonce was seen before. */
static gboolean
put_uploads_at_once (const IntakeStoreBackend  *ops,
                     IntakeStore               *store,
                     IntakeStoreUpload         *uploads,
                     guint                      n_uploads,
                     gboolean                  *out_done,
                     GError                   **error)
{
  g_autoptr(GPtrArray) references = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr(GPtrArray) inserted = g_ptr_array_new_with_free_func (g_free);
  gboolean any_taken = FALSE, begun = FALSE;

  for (guint u = 0; u < n_uploads; u++)
    {
      char **refs = g_new0 (char *, uploads[u].n + 1);

      for (guint i = 0; i < uploads[u].n; i++)
        refs[i] = intake_store_reference_for (uploads[u].metas[i].submission_id);
      g_ptr_array_add (references, refs);
      g_ptr_array_add (inserted, g_new0 (gboolean, uploads[u].n + 1));
    }
  if (!ops->put_uploads_at_once (store, uploads, n_uploads, (char * const * const *)references->pdata,
                                 (gboolean * const *)inserted->pdata, out_done, error))
    return FALSE;
  if (!*out_done)
    return TRUE;

  for (guint u = 0; u < n_uploads; u++)
    {
      const gboolean *new_ones = g_ptr_array_index (inserted, u);

      uploads[u].nonce_fresh = TRUE;
      for (guint i = 0; i < uploads[u].n; i++)
        {
          if (new_ones[i])
            {
              uploads[u].results[i] = INTAKE_STORE_PUT_STORED;
              continue;
            }
          if (!begun)
            {
              if (!ops->begin (store, error))
                return FALSE;
              begun = any_taken = TRUE;
            }
          if (!resolve_taken_locked (ops, store, &uploads[u].metas[i], uploads[u].envelopes[i],
                                     &uploads[u].results[i], error))
            return fail (ops, store);
        }
    }
  return !any_taken || ops->commit (store, error);
}

/* Group commit: one transaction, so one WAL flush, for one or several
 * upload requests. The verdicts are those of putting each request's
 * envelopes one after the other. */
static gboolean
common_put_uploads (IntakeStore       *store,
                    IntakeStoreUpload *uploads,
                    guint              n_uploads,
                    GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  gboolean written = FALSE;
  gboolean at_once = ops->put_uploads_at_once != NULL;

  /* The one-round-trip way checks a device through its upload's nonce:
   * an upload to check without one goes step by step. */
  for (guint u = 0; u < n_uploads && at_once; u++)
    at_once = uploads[u].active_device == NULL || uploads[u].nonce != NULL;
  if (at_once)
    {
      gboolean done = FALSE;

      if (!put_uploads_at_once (ops, store, uploads, n_uploads, &done, error))
        return FALSE;
      if (done)
        return TRUE;
      /* A nonce was seen before: step by step, which tells whose. */
    }

  if (!ops->begin (store, error))
    return FALSE;
  for (guint u = 0; u < n_uploads; u++)
    {
      IntakeStoreUpload *upload = &uploads[u];

      /* The nonce first: a replayed request stores nothing (its nonce
       * insert wrote nothing either, so the others are unaffected). */
      if (upload->nonce != NULL)
        {
          if (!ops->insert_nonce (store, upload->nonce->signer, upload->nonce->nonce, upload->nonce->expires_at,
                                  &upload->nonce_fresh, error))
            return fail (ops, store);
          if (!upload->nonce_fresh)
            continue;
          written = TRUE;
        }

      /* Then the device as it is inside this transaction: one revoked
       * since the server looked it up (or took it from its cache) stores
       * nothing, and its nonce stays used, as for any refused request. */
      if (upload->active_device != NULL)
        {
          gboolean active = FALSE;

          if (!ops->device_active (store, upload->active_device, &active, error))
            return fail (ops, store);
          if (!active)
            {
              upload->device_inactive = TRUE;
              continue;
            }
        }

      /* In the request's order: the store's seq (the review list's
       * order) follows it, and a repeat inside the request gets the
       * verdict it would get one request later. A kiosk sends its
       * envelopes oldest first, the same order in a retry, so two server
       * instances over one PostgreSQL database handling the same
       * envelopes lock their rows in the same order; should they ever
       * deadlock, PostgreSQL fails one transaction, that request is
       * answered 503 and retried. */
      if (!put_many_locked (ops, store, upload->n, upload->metas, upload->envelopes, upload->results, error))
        return fail (ops, store);
      for (guint i = 0; i < upload->n; i++)
        written |= upload->results[i] != INTAKE_STORE_PUT_DUPLICATE;
    }
  if (!written)
    {
      ops->rollback (store);
      return TRUE;
    }
  return ops->commit (store, error);
}

/* The audit log ----------------------------------------------------------- */

/* Inside a write transaction: the head row stays locked until it ends, so
 * concurrent appenders (several server instances, intake-admin) wait for
 * each other, seq stays gapless and the chain never forks. */
static gboolean
append_audits_locked (const IntakeStoreBackend  *ops,
                      IntakeStore               *store,
                      IntakeAuditEvent * const  *events,
                      guint                      n_events,
                      GError                   **error)
{
  g_autofree char *prev = NULL;
  gint64 seq = 0;

  if (!ops->lock_audit_head (store, &seq, &prev, error))
    return FALSE;
  for (guint i = 0; i < n_events; i++)
    {
      intake_audit_event_chain (events[i], seq + 1 + i, i == 0 ? prev : events[i - 1]->hash);
      if (!ops->insert_audit (store, events[i], error))
        return FALSE;
    }
  return ops->set_audit_head (store, events[n_events - 1]->seq, events[n_events - 1]->hash, error);
}

static gboolean
append_audit_locked (const IntakeStoreBackend  *ops,
                     IntakeStore               *store,
                     IntakeAuditEvent          *event,
                     GError                   **error)
{
  return append_audits_locked (ops, store, &event, 1, error);
}

/* One transaction, so one durable commit, however many events. */
static gboolean
common_append_audits (IntakeStore              *store,
                      IntakeAuditEvent * const *events,
                      guint                     n_events,
                      GError                  **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ops->begin (store, error))
    return FALSE;
  if (!append_audits_locked (ops, store, events, n_events, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_append_audit (IntakeStore       *store,
                     IntakeAuditEvent  *event,
                     GError           **error)
{
  return common_append_audits (store, &event, 1, error);
}

/* Reviewers --------------------------------------------------------------- */

static gboolean
insert_scopes (const IntakeStoreBackend  *ops,
               IntakeStore               *store,
               gboolean                   is_setup,
               const char                *owner,
               char                     **locations,
               char                     **units,
               GError                   **error)
{
  for (guint i = 0; locations != NULL && locations[i] != NULL; i++)
    if (!ops->insert_scope (store, is_setup, owner, "location", locations[i], error))
      return FALSE;
  for (guint i = 0; units != NULL && units[i] != NULL; i++)
    if (!ops->insert_scope (store, is_setup, owner, "unit", units[i], error))
      return FALSE;
  return TRUE;
}

/* Inside a transaction: registers @reviewer with its roles and scope. */
static gboolean
insert_reviewer_with_access (const IntakeStoreBackend  *ops,
                             IntakeStore               *store,
                             const IntakeStoreReviewer *reviewer,
                             GError                   **error)
{
  gboolean exists = FALSE;

  if (!ops->insert_reviewer (store, reviewer, &exists, error))
    return FALSE;
  if (exists)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_REVIEWER_EXISTS,
                   "an active reviewer is named \"%s\" already (or this key is registered); "
                   "remove them first or choose another name", reviewer->name);
      return FALSE;
    }
  return insert_scopes (ops, store, FALSE, reviewer->reviewer_id, reviewer->locations, reviewer->units, error);
}

static gboolean
common_add_reviewer (IntakeStore               *store,
                     const IntakeStoreReviewer *reviewer,
                     IntakeAuditEvent          *audit,
                     GError                   **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ops->begin (store, error))
    return FALSE;
  if (!insert_reviewer_with_access (ops, store, reviewer, error))
    return fail (ops, store);
  if (audit != NULL && !append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_put_reviewer_setup (IntakeStore                    *store,
                           const IntakeStoreReviewerSetup *setup,
                           IntakeAuditEvent               *audit,
                           GError                        **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autofree char *roles = intake_store_roles_to_text (setup->roles);

  if (!ops->begin (store, error))
    return FALSE;
  if (!ops->upsert_setup (store, setup, roles, error) ||
      !ops->delete_scopes (store, TRUE, setup->name, error) ||
      !insert_scopes (ops, store, TRUE, setup->name, setup->locations, setup->units, error) ||
      (audit != NULL && !append_audit_locked (ops, store, audit, error)))
    return fail (ops, store);
  return ops->commit (store, error);
}

/* The setup row of @name with its scopes, NULL (no error) if none. */
static IntakeStoreReviewerSetup *
lookup_setup_with_scopes (const IntakeStoreBackend  *ops,
                          IntakeStore               *store,
                          const char                *name,
                          GError                   **error)
{
  g_autoptr(IntakeStoreReviewerSetup) setup = NULL;
  g_autoptr(GError) local_error = NULL;

  setup = ops->lookup_setup (store, name, &local_error);
  if (local_error != NULL)
    return g_propagate_error (error, g_steal_pointer (&local_error)), NULL;
  if (setup != NULL && !ops->read_scopes (store, TRUE, name, &setup->locations, &setup->units, error))
    return NULL;
  return g_steal_pointer (&setup);
}

static IntakeStoreReviewerSetup *
common_get_reviewer_setup (IntakeStore  *store,
                           const char   *name,
                           GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ensure_ready (ops, store, error))
    return NULL;
  return lookup_setup_with_scopes (ops, store, name, error);
}

static gboolean
common_activate_reviewer (IntakeStore               *store,
                          const IntakeStoreReviewer *reviewer,
                          gint64                     now,
                          IntakeAuditEvent          *audit,
                          GError                   **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autoptr(IntakeStoreReviewerSetup) setup = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name_key = intake_store_name_key (reviewer->name);
  IntakeStoreReviewer record;
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  setup = lookup_setup_with_scopes (ops, store, reviewer->name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store);
    }
  if (setup == NULL || now >= setup->expires_at)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SETUP,
                   "no activation is waiting for \"%s\" (or it expired); ask an administrator for a new code",
                   reviewer->name);
      return fail (ops, store);
    }

  /* A reset: the reviewer's old key stops working now. */
  if (!ops->revoke_reviewer (store, reviewer->name, now, &rows, error))
    return fail (ops, store);
  record = *reviewer;
  record.roles = setup->roles;
  record.locations = setup->locations;
  record.units = setup->units;
  if (!insert_reviewer_with_access (ops, store, &record, error) ||
      !ops->delete_scopes (store, TRUE, setup->name, error) ||
      !ops->delete_setup (store, setup->name, error) ||
      !ops->throttle_clear (store, name_key, error) ||
      (audit != NULL && !append_audit_locked (ops, store, audit, error)))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_set_reviewer_blob (IntakeStore       *store,
                          const char        *reviewer_id,
                          GBytes            *blob,
                          const char        *name_key,
                          IntakeAuditEvent  *audit,
                          GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  if (!ops->set_reviewer_blob (store, reviewer_id, blob, &rows, error))
    return fail (ops, store);
  if (rows != 1)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                   "no active reviewer %s", reviewer_id);
      return fail (ops, store);
    }
  if (!ops->throttle_clear (store, name_key, error) ||
      (audit != NULL && !append_audit_locked (ops, store, audit, error)))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_set_reviewer_access (IntakeStore        *store,
                            const char         *name,
                            guint               roles,
                            const char * const *locations,
                            const char * const *units,
                            IntakeAuditEvent   *audit,
                            GError            **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autoptr(IntakeStoreReviewer) reviewer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *roles_text = intake_store_roles_to_text (roles);
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  reviewer = INTAKE_STORE_GET_IFACE (store)->get_reviewer (store, NULL, name, &local_error);
  if (reviewer == NULL && !g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store);
    }
  if (reviewer == NULL || reviewer->status != INTAKE_REVIEWER_STATUS_ACTIVE)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                   "no active reviewer named \"%s\"; see intake-admin reviewer list", name);
      return fail (ops, store);
    }
  if (!ops->set_reviewer_roles (store, reviewer->reviewer_id, roles_text, &rows, error) ||
      !ops->delete_scopes (store, FALSE, reviewer->reviewer_id, error) ||
      !insert_scopes (ops, store, FALSE, reviewer->reviewer_id, (char **)locations, (char **)units, error) ||
      (audit != NULL && !append_audit_locked (ops, store, audit, error)))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_get_throttle (IntakeStore         *store,
                     const char          *name_key,
                     IntakeStoreThrottle *out_throttle,
                     GError             **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  return ensure_ready (ops, store, error) && ops->lookup_throttle (store, name_key, out_throttle, error);
}

static gboolean
common_finish_unlock (IntakeStore                    *store,
                      const IntakeStoreUnlockOutcome *outcome,
                      gboolean                       *out_fresh,
                      gint64                         *out_locked_until,
                      GError                        **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  gint64 failures = 0;

  if (!ops->begin (store, error))
    return FALSE;
  /* A challenge is answered once: the second time, nothing happens. */
  if (!ops->insert_nonce (store, outcome->nonce_signer, outcome->nonce, outcome->nonce_expires_at, out_fresh, error))
    return fail (ops, store);
  if (!*out_fresh)
    {
      ops->rollback (store);
      return TRUE;
    }
  if (outcome->success)
    {
      if (!ops->throttle_clear (store, outcome->name_key, error) ||
          (outcome->success_event != NULL && !append_audit_locked (ops, store, outcome->success_event, error)))
        return fail (ops, store);
    }
  else
    {
      if (!ops->throttle_fail (store, outcome->name_key, outcome->now, outcome->now - outcome->failure_window,
                               &failures, error))
        return fail (ops, store);
      if (failures % outcome->lock_after == 0)
        {
          *out_locked_until = outcome->now + outcome->lock_seconds;
          if (!ops->throttle_lock (store, outcome->name_key, *out_locked_until, error) ||
              (outcome->lock_event != NULL && !append_audit_locked (ops, store, outcome->lock_event, error)))
            return fail (ops, store);
        }
    }
  return ops->commit (store, error);
}

static gboolean
common_clear_throttle (IntakeStore       *store,
                       const char        *name_key,
                       IntakeAuditEvent  *audit,
                       GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ops->begin (store, error))
    return FALSE;
  if (!ops->throttle_clear (store, name_key, error) ||
      (audit != NULL && !append_audit_locked (ops, store, audit, error)))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_use_nonce (IntakeStore  *store,
                  const char   *signer,
                  const char   *nonce,
                  gint64        expires_at,
                  gboolean     *out_fresh,
                  GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  /* Outside a transaction: one statement, committed on its own. */
  return ensure_ready (ops, store, error) && ops->insert_nonce (store, signer, nonce, expires_at, out_fresh, error);
}

static gboolean
common_revoke_reviewer (IntakeStore       *store,
                        const char        *name,
                        gint64             now,
                        IntakeAuditEvent  *audit,
                        GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  if (!ops->revoke_reviewer (store, name, now, &rows, error))
    return fail (ops, store);
  if (rows != 1)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
                   "no active reviewer named \"%s\"; see intake-admin reviewer list", name);
      return fail (ops, store);
    }
  if (audit != NULL && !append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

/* Submissions and workflow ------------------------------------------------ */

static IntakeStoreSubmission *
common_get_submission (IntakeStore  *store,
                       const char   *device_id,
                       const char   *submission_id,
                       GError      **error)
{
  const IntakeStoreBackend *ops = backend_of (store);

  if (!ensure_ready (ops, store, error))
    return NULL;
  return ops->lookup_submission (store, device_id, submission_id, error);
}

/* After a compare-and-set that changed @changed rows: UNKNOWN_SUBMISSION,
 * or the change or a conflict (audited, committed) with the current
 * values. */
static gboolean
finish_change (const IntakeStoreBackend  *ops,
               IntakeStore               *store,
               const char                *device_id,
               const char                *submission_id,
               gboolean                   changed,
               IntakeAuditEvent          *audit,
               IntakeStoreSubmission    **out_current,
               gboolean                  *out_conflict,
               GError                   **error)
{
  g_autoptr(IntakeStoreSubmission) current = NULL;
  g_autoptr(GError) local_error = NULL;

  current = ops->lookup_submission (store, device_id, submission_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (ops, store);
    }
  if (current == NULL)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION,
                   "no submission with id %s from device %s", submission_id, device_id);
      return fail (ops, store);
    }
  *out_conflict = !changed;
  if (audit != NULL)
    {
      intake_audit_event_set_result (audit, changed ? "ok" : "conflict");
      if (!append_audit_locked (ops, store, audit, error))
        return fail (ops, store);
    }
  if (!ops->commit (store, error))
    return FALSE;
  if (out_current != NULL)
    *out_current = g_steal_pointer (&current);
  return TRUE;
}

/* Inside a transaction: takes the audit head first (the lock every change
 * then holds until commit) and returns the seq the change's own audit
 * event will get. Every workflow change and note is thereby ordered by the
 * audit chain, across server instances, and change_seq is a clock a
 * review app can poll (docs/protocol.md, "The queue"). */
static gboolean
next_change_seq (const IntakeStoreBackend  *ops,
                 IntakeStore               *store,
                 gint64                    *out_seq,
                 GError                   **error)
{
  g_autofree char *prev = NULL;
  gint64 seq = 0;

  if (!ops->lock_audit_head (store, &seq, &prev, error))
    return FALSE;
  *out_seq = seq + 1;
  return TRUE;
}

static gboolean
common_update_workflow (IntakeStore               *store,
                        const char                *device_id,
                        const char                *submission_id,
                        const IntakeStoreWorkflow *workflow,
                        gint64                     expected_version,
                        const char                *updated_by,
                        gint64                     now,
                        IntakeAuditEvent          *audit,
                        IntakeStoreSubmission    **out_current,
                        gboolean                  *out_conflict,
                        GError                   **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  gint64 change_seq = 0;
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  /* In PostgreSQL the row lock the UPDATE takes makes a concurrent change
   * wait; it then re-checks version against the committed row, so exactly
   * one wins. */
  if (!next_change_seq (ops, store, &change_seq, error) ||
      !ops->set_workflow (store, device_id, submission_id, workflow, now, updated_by, expected_version, change_seq,
                          &rows, error))
    return fail (ops, store);
  return finish_change (ops, store, device_id, submission_id, rows == 1, audit, out_current, out_conflict, error);
}

static gboolean
common_add_note (IntakeStore            *store,
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
  const IntakeStoreBackend *ops = backend_of (store);
  g_autofree char *sha256 = intake_sha256_hex (note);
  gint64 change_seq = 0;
  int rows = 0;

  if (!ops->begin (store, error))
    return FALSE;
  if (!next_change_seq (ops, store, &change_seq, error) ||
      !ops->bump_note (store, device_id, submission_id, now, reviewer_name, expected_version, change_seq, &rows,
                       error))
    return fail (ops, store);
  if (rows == 1 &&
      !ops->insert_note (store, device_id, submission_id, note, sha256, reviewer_id, reviewer_name, now, error))
    return fail (ops, store);
  return finish_change (ops, store, device_id, submission_id, rows == 1, audit, out_current, out_conflict, error);
}

/* Marks the request handled and appends the audit event in one
 * transaction, so that a handled request is always in the log. */
static gboolean
common_handle_help_request (IntakeStore             *store,
                            gint64                   id,
                            const char * const      *locations,
                            const char              *handled_by,
                            gint64                   now,
                            IntakeAuditEvent        *audit,
                            IntakeStoreHelpRequest **out_request,
                            gboolean                *out_already,
                            GError                 **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  g_autoptr(IntakeStoreHelpRequest) request = NULL;
  GError *local_error = NULL;
  int rows = 0;

  if (!ensure_ready (ops, store, error) || !ops->begin (store, error))
    return FALSE;
  /* Only a request at one of the caller's locations is theirs to mark. */
  if (!(request = ops->lookup_help_request (store, id, &local_error)) ||
      (locations != NULL && !g_strv_contains (locations, request->location)))
    {
      ops->rollback (store);
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else if (request == NULL)
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST,
                     "no help request %" G_GINT64_FORMAT, id);
      else
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OUT_OF_SCOPE,
                     "help request %" G_GINT64_FORMAT " is at another location", id);
      return FALSE;
    }
  g_clear_pointer (&request, intake_store_help_request_free);
  if (!ops->set_help_handled (store, id, now, handled_by, &rows, error))
    return fail (ops, store);
  if (!(request = ops->lookup_help_request (store, id, error)))
    {
      ops->rollback (store);
      if (error != NULL && *error == NULL)
        g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST,
                     "no help request %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  *out_already = rows != 1;
  intake_audit_event_set_result (audit, rows == 1 ? "ok" : "conflict");
  if (!append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  if (!ops->commit (store, error))
    return FALSE;
  if (out_request != NULL)
    *out_request = g_steal_pointer (&request);
  return TRUE;
}

/* Office key rotation ------------------------------------------------------ */

/* @list with @item appended after @separator, or @item alone. */
static char *
append_to_setting (const char *list,
                   const char *separator,
                   const char *item)
{
  return list != NULL && *list != '\0' ? g_strconcat (list, separator, item, NULL) : g_strdup (item);
}

/* Inside a transaction: the setting @name into *@out_value (NULL if
 * unset); FALSE when the store fails. */
static gboolean
read_setting_locked (IntakeStore  *store,
                     const char   *name,
                     char        **out_value,
                     GError      **error)
{
  GError *local_error = NULL;

  *out_value = INTAKE_STORE_GET_IFACE (store)->ensure_setting (store, name, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
common_rotate_office (IntakeStore                     *store,
                      const IntakeStoreOfficeRotation *rotation,
                      IntakeAuditEvent                *audit,
                      GError                         **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  IntakeStoreInterface *iface = INTAKE_STORE_GET_IFACE (store);
  g_autofree char *current = NULL;
  g_autofree char *rotations = NULL;
  g_autofree char *new_rotations = NULL;

  if (!ops->begin (store, error))
    return FALSE;
  if (!read_setting_locked (store, "office_public", &current, error) ||
      !read_setting_locked (store, "office_rotations", &rotations, error))
    return fail (ops, store);
  if (current == NULL || !g_str_equal (current, rotation->expected_office_public))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           "the store does not serve the office key being rotated (it was rotated "
                           "meanwhile, or this is another office's store); nothing was changed");
      return fail (ops, store);
    }
  new_rotations = append_to_setting (rotations, "\n", rotation->rotation);
  if (!iface->set_setting (store, "office_public", rotation->new_office_public, error) ||
      !iface->set_setting (store, "office_rotations", new_rotations, error))
    return fail (ops, store);
  for (guint i = 0; i < rotation->n_seals; i++)
    if (!ops->insert_office_key_seal (store, &rotation->seals[i], rotation->now, error))
      return fail (ops, store);
  for (guint i = 0; rotation->cancel_setups != NULL && rotation->cancel_setups[i] != NULL; i++)
    if (!ops->delete_scopes (store, TRUE, rotation->cancel_setups[i], error) ||
        !ops->delete_setup (store, rotation->cancel_setups[i], error))
      return fail (ops, store);
  if (audit != NULL && !append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_roll_server_key (IntakeStore       *store,
                        const char        *expected_public,
                        const char        *new_public,
                        const char        *new_key_id,
                        const char        *statement,
                        IntakeAuditEvent  *audit,
                        GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  IntakeStoreInterface *iface = INTAKE_STORE_GET_IFACE (store);
  g_autofree char *pinned = NULL;
  g_autofree char *rotations = NULL;
  g_autofree char *new_rotations = NULL;

  if (!ops->begin (store, error))
    return FALSE;
  if (!read_setting_locked (store, "server_public", &pinned, error) ||
      !read_setting_locked (store, "server_rotations", &rotations, error))
    return fail (ops, store);
  if (pinned == NULL || !g_str_equal (pinned, expected_public))
    {
      g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                           "the store is not pinned to this server key (it was rolled over meanwhile, or never "
                           "served); nothing was changed");
      return fail (ops, store);
    }
  new_rotations = append_to_setting (rotations, "\n", statement);
  if (!iface->set_setting (store, "server_public", new_public, error) ||
      !iface->set_setting (store, "server_key_id", new_key_id, error) ||
      !iface->set_setting (store, "server_rotations", new_rotations, error))
    return fail (ops, store);
  if (audit != NULL && !append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

static gboolean
common_retire_office_key (IntakeStore       *store,
                          const char        *office_key_id,
                          IntakeAuditEvent  *audit,
                          GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  IntakeStoreInterface *iface = INTAKE_STORE_GET_IFACE (store);
  g_autofree char *retired = NULL;
  g_autofree char *new_retired = NULL;
  g_auto(GStrv) ids = NULL;
  gint64 uses = 0;

  if (!ops->begin (store, error))
    return FALSE;
  if (!ops->count_office_key_uses (store, office_key_id, &uses, error))
    return fail (ops, store);
  if (uses > 0)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "%" G_GINT64_FORMAT " stored envelopes and notes are still sealed for office key %s; "
                   "it can be retired once retention has removed them (intake-admin purge)", uses, office_key_id);
      return fail (ops, store);
    }
  if (!read_setting_locked (store, "office_retired", &retired, error))
    return fail (ops, store);
  ids = g_strsplit (retired != NULL ? retired : "", " ", -1);
  if (g_strv_contains ((const char * const *)ids, office_key_id))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "office key %s is retired already", office_key_id);
      return fail (ops, store);
    }
  new_retired = append_to_setting (retired, " ", office_key_id);
  if (!iface->set_setting (store, "office_retired", new_retired, error) ||
      !ops->delete_office_key_seals (store, office_key_id, error))
    return fail (ops, store);
  if (audit != NULL && !append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  return ops->commit (store, error);
}

/* Retention and erasure ----------------------------------------------------- */

#define PURGE_BATCH 500

/* Removes what one submission rule finds, a batch per transaction, each
 * with its audit event (counts only: no submission id, nothing personal). */
static gboolean
purge_submissions (const IntakeStoreBackend  *ops,
                   IntakeStore               *store,
                   IntakeRetentionRule        rule,
                   guint                      days,
                   gint64                     now,
                   const char                *actor,
                   const char                *origin,
                   gint64                    *out_removed,
                   GError                   **error)
{
  gint64 cutoff = now - (gint64)days * 24 * 60 * 60;

  for (;;)
    {
      g_autoptr(GPtrArray) ids = NULL;
      g_autoptr(IntakeAuditEvent) audit = NULL;
      g_autofree char *object = NULL;
      g_autofree char *result = NULL;
      gint64 removed = 0;

      if (!ops->begin (store, error))
        return FALSE;
      if (!ops->list_expired (store, rule, cutoff, PURGE_BATCH, &ids, error))
        return fail (ops, store);
      for (guint i = 0; i + 1 < ids->len; i += 2)
        {
          int rows = 0;

          if (!ops->delete_submission (store, ids->pdata[i], ids->pdata[i + 1], &rows, error))
            return fail (ops, store);
          removed += rows > 0;
        }
      if (removed == 0)
        {
          ops->rollback (store);
          return TRUE;
        }
      object = g_strdup_printf ("rule=%s days=%u", intake_retention_rule_to_string (rule), days);
      result = g_strdup_printf ("ok removed=%" G_GINT64_FORMAT, removed);
      audit = intake_audit_event_new (now, actor, "purge", object, result, origin);
      if (!append_audit_locked (ops, store, audit, error))
        return fail (ops, store);
      if (!ops->commit (store, error))
        return FALSE;
      *out_removed += removed;
      if (ids->len / 2 < PURGE_BATCH)
        return TRUE;
    }
}

static gboolean
reclaim (const IntakeStoreBackend  *ops,
         IntakeStore               *store,
         GError                   **error)
{
  if (!ops->reclaim (store, error))
    {
      g_prefix_error (error, "the rows were removed, but their space was not reclaimed: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
common_purge (IntakeStore            *store,
              const IntakeRetention  *retention,
              gint64                  now,
              gboolean                dry_run,
              const char             *actor,
              const char             *origin,
              gint64                 *out_counts,
              GError                **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  gint64 counts[INTAKE_RETENTION_N_RULES] = { 0 };
  gint64 closed_cutoff = 0;
  gint64 total = 0;

  if (!ensure_ready (ops, store, error))
    return FALSE;
  if (retention->days[INTAKE_RETENTION_CLOSED] > 0)
    closed_cutoff = now - (gint64)retention->days[INTAKE_RETENTION_CLOSED] * 24 * 60 * 60;
  for (IntakeRetentionRule rule = 0; rule < INTAKE_RETENTION_N_RULES; rule++)
    {
      guint days = retention->days[rule];
      gint64 cutoff = now - (gint64)days * 24 * 60 * 60;

      if (days == 0)
        continue;
      if (dry_run)
        {
          if (!ops->count_expired (store, rule, cutoff, closed_cutoff, &counts[rule], error))
            return FALSE;
        }
      else if (rule != INTAKE_RETENTION_HELP)
        {
          if (!purge_submissions (ops, store, rule, days, now, actor, origin, &counts[rule], error))
            return FALSE;
        }
      else
        {
          int rows = 0;

          if (!ops->begin (store, error))
            return FALSE;
          if (!ops->delete_help_requests (store, cutoff, &rows, error))
            return fail (ops, store);
          if (rows > 0)
            {
              g_autofree char *object = g_strdup_printf ("rule=help days=%u", days);
              g_autofree char *result = g_strdup_printf ("ok removed=%d", rows);
              g_autoptr(IntakeAuditEvent) audit = intake_audit_event_new (now, actor, "purge", object, result,
                                                                          origin);

              if (!append_audit_locked (ops, store, audit, error))
                return fail (ops, store);
            }
          if (!ops->commit (store, error))
            return FALSE;
          counts[rule] = rows;
        }
      total += counts[rule];
    }
  if (out_counts != NULL)
    memcpy (out_counts, counts, sizeof counts);
  if (!dry_run && total > 0)
    return reclaim (ops, store, error);
  return TRUE;
}

static gboolean
common_erase_submission (IntakeStore       *store,
                         const char        *device_id,
                         const char        *submission_id,
                         IntakeAuditEvent  *audit,
                         GError           **error)
{
  const IntakeStoreBackend *ops = backend_of (store);
  int rows = 0;

  if (!ensure_ready (ops, store, error) || !ops->begin (store, error))
    return FALSE;
  if (!ops->delete_submission (store, device_id, submission_id, &rows, error))
    return fail (ops, store);
  if (rows == 0)
    {
      ops->rollback (store);
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION,
                   "no submission %s from device %s", submission_id, device_id);
      return FALSE;
    }
  if (audit->result == NULL || audit->result[0] == '\0')
    intake_audit_event_set_result (audit, "ok");
  if (!append_audit_locked (ops, store, audit, error))
    return fail (ops, store);
  if (!ops->commit (store, error))
    return FALSE;
  return reclaim (ops, store, error);
}

void
intake_store_common_iface_init (IntakeStoreInterface *iface)
{
  iface->purge = common_purge;
  iface->erase_submission = common_erase_submission;
  iface->create_enroll_code = common_create_enroll_code;
  iface->consume_enroll_code = common_consume_enroll_code;
  iface->register_device = common_register_device;
  iface->get_device = common_get_device;
  iface->revoke_device = common_revoke_device;
  iface->put_envelope = common_put_envelope;
  iface->put_uploads = common_put_uploads;
  iface->add_reviewer = common_add_reviewer;
  iface->revoke_reviewer = common_revoke_reviewer;
  iface->get_submission = common_get_submission;
  iface->update_workflow = common_update_workflow;
  iface->add_note = common_add_note;
  iface->append_audit = common_append_audit;
  iface->append_audits = common_append_audits;
  iface->put_reviewer_setup = common_put_reviewer_setup;
  iface->get_reviewer_setup = common_get_reviewer_setup;
  iface->activate_reviewer = common_activate_reviewer;
  iface->set_reviewer_blob = common_set_reviewer_blob;
  iface->set_reviewer_access = common_set_reviewer_access;
  iface->get_throttle = common_get_throttle;
  iface->finish_unlock = common_finish_unlock;
  iface->clear_throttle = common_clear_throttle;
  iface->use_nonce = common_use_nonce;
  iface->handle_help_request = common_handle_help_request;
  iface->rotate_office = common_rotate_office;
  iface->retire_office_key = common_retire_office_key;
  iface->roll_server_key = common_roll_server_key;
}

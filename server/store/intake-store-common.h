/* intake-store-common.h: the store logic both backends share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decisions (refuse a revoked device, stored/duplicate/conflict, the
 * workflow compare-and-set, the audit hash chain) are written once in
 * intake-store-common.c on top of the narrow operations below. Each
 * backend keeps its SQL, its prepared statements and its transaction and
 * locking specifics (SQLite BEGIN IMMEDIATE; PostgreSQL SELECT ... FOR
 * UPDATE on the audit head) behind these operations.
 *
 * What stays in the backends, on purpose: the listings and readers (they
 * only map one database API's rows to structs), the single-statement
 * operations (settings, help requests, questionnaires, counts), the
 * migrations (SQLite re-reads the version under BEGIN IMMEDIATE;
 * PostgreSQL migrates under pg_advisory_lock) and the reference fill at
 * open (SQLite takes its write lock per batch so intake-admin can work in
 * between; PostgreSQL runs each UPDATE in autocommit).
 */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

typedef struct {
  /* NULL when the backend is always ready (SQLite); PostgreSQL reconnects. */
  gboolean               (*ensure_ready)        (IntakeStore               *store,
                                                 GError                   **error);
  /* A write transaction. commit() rolls back itself when it fails;
   * rollback() does nothing outside a transaction. */
  gboolean               (*begin)               (IntakeStore               *store,
                                                 GError                   **error);
  gboolean               (*commit)              (IntakeStore               *store,
                                                 GError                   **error);
  void                   (*rollback)            (IntakeStore               *store);

  /* Inside a transaction unless noted. Data operations return FALSE (or
   * NULL) with @error set when the database fails. */

  /* Outside a transaction: *@out_exists when the code hash is taken. */
  gboolean               (*insert_enroll_code)  (IntakeStore               *store,
                                                 const char                *code_hash,
                                                 const char                *location,
                                                 gint64                     created_at,
                                                 gint64                     expires_at,
                                                 gboolean                  *out_exists,
                                                 GError                   **error);
  /* TRUE and *@out_location NULL when there is no such code. */
  gboolean               (*get_enroll_code)     (IntakeStore               *store,
                                                 const char                *code_hash,
                                                 char                     **out_location,
                                                 gint64                    *out_expires_at,
                                                 gboolean                  *out_used,
                                                 GError                   **error);
  /* Marks an unused code used; *@out_rows is 0 when it was used already. */
  gboolean               (*use_enroll_code)     (IntakeStore               *store,
                                                 const char                *code_hash,
                                                 gint64                     now,
                                                 const char                *device_id,
                                                 int                       *out_rows,
                                                 GError                   **error);
  /* The device row, or NULL with no error if none (also outside a
   * transaction, after ensure_ready). */
  IntakeStoreDevice     *(*lookup_device)       (IntakeStore               *store,
                                                 const char                *device_id,
                                                 GError                   **error);
  /* Inside a write transaction: whether the device is active, its row
   * held as read until the transaction ends (a revocation waits). */
  gboolean               (*device_active)       (IntakeStore               *store,
                                                 const char                *device_id,
                                                 gboolean                  *out_active,
                                                 GError                   **error);
  gboolean               (*insert_device)       (IntakeStore               *store,
                                                 const IntakeDevicePublic  *device,
                                                 const char                *device_id,
                                                 const char                *location,
                                                 gint64                     enrolled_at,
                                                 GError                   **error);
  gboolean               (*set_device_location) (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *location,
                                                 GError                   **error);
  gboolean               (*revoke_device)       (IntakeStore               *store,
                                                 const char                *device_id,
                                                 gint64                     now,
                                                 GError                   **error);

  /* INSERT ... ON CONFLICT (device_id, submission_id) DO NOTHING of @n
   * envelopes in this order, each with its review row (state "new",
   * @references[i]) when it is new: *@out_inserted[i] tells. PostgreSQL
   * sends them in one pipeline (one round trip for the lot). */
  gboolean               (*insert_envelopes)    (IntakeStore               *store,
                                                 guint                      n,
                                                 const IntakeStoreEnvelope *metas,
                                                 GBytes * const            *envelopes,
                                                 char * const              *references,
                                                 gboolean                  *out_inserted,
                                                 GError                   **error);
  /* Optional (NULL for SQLite, which pays no round trips), and outside a
   * transaction: a group commit in one round trip, the transaction
   * begun, each upload's nonce recorded (a plain INSERT), its envelopes
   * inserted as insert_envelopes() does and committed, all sent at once.
   * *@out_done FALSE, nothing stored and no error when a nonce was seen
   * before: the caller then stores the uploads one step at a time, which
   * tells which request was the replay. When done, @inserted[u][i] tells
   * which envelopes were new; the taken ones are not resolved. */
  gboolean               (*put_uploads_at_once) (IntakeStore               *store,
                                                 IntakeStoreUpload         *uploads,
                                                 guint                      n_uploads,
                                                 char * const * const      *references,
                                                 gboolean * const          *inserted,
                                                 gboolean                  *out_done,
                                                 GError                   **error);
  /* The stored bytes and SHA-256 of a submission id that is taken; a
   * missing row is an error here. */
  GBytes                *(*get_stored_envelope) (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 char                     **out_sha256,
                                                 GError                   **error);
  gboolean               (*log_conflict)        (IntakeStore               *store,
                                                 const IntakeStoreEnvelope *meta,
                                                 const char                *stored_sha256,
                                                 GError                   **error);

  /* Reads the audit head row and holds it until the transaction ends
   * (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE).
   * A missing or damaged row is an error. */
  gboolean               (*lock_audit_head)     (IntakeStore               *store,
                                                 gint64                    *out_seq,
                                                 char                     **out_hash,
                                                 GError                   **error);
  gboolean               (*insert_audit)        (IntakeStore               *store,
                                                 const IntakeAuditEvent    *event,
                                                 GError                   **error);
  gboolean               (*set_audit_head)      (IntakeStore               *store,
                                                 gint64                     seq,
                                                 const char                *hash,
                                                 GError                   **error);

  /* *@out_exists when the name (among active reviewers) or key is taken. */
  gboolean               (*insert_reviewer)     (IntakeStore               *store,
                                                 const IntakeStoreReviewer *reviewer,
                                                 gboolean                  *out_exists,
                                                 GError                   **error);
  gboolean               (*revoke_reviewer)     (IntakeStore               *store,
                                                 const char                *name,
                                                 gint64                     now,
                                                 int                       *out_rows,
                                                 GError                   **error);

  /* The submission row, or NULL with no error if none (also outside a
   * transaction, after ensure_ready). */
  IntakeStoreSubmission *(*lookup_submission)   (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 GError                   **error);
  /* @change_seq: the audit seq of the change (the caller holds the head). */
  gboolean               (*set_workflow)        (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 const IntakeStoreWorkflow *workflow,
                                                 gint64                     now,
                                                 const char                *updated_by,
                                                 gint64                     expected_version,
                                                 gint64                     change_seq,
                                                 int                       *out_rows,
                                                 GError                   **error);
  gboolean               (*bump_note)           (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 gint64                     now,
                                                 const char                *reviewer_name,
                                                 gint64                     expected_version,
                                                 gint64                     change_seq,
                                                 int                       *out_rows,
                                                 GError                   **error);
  gboolean               (*insert_note)         (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 GBytes                    *note,
                                                 const char                *sha256,
                                                 const char                *reviewer_id,
                                                 const char                *reviewer_name,
                                                 gint64                     now,
                                                 GError                   **error);

  /* Staff access (schema 5). @is_setup: the scopes of a pending activation
   * (by name) rather than of a reviewer (by id). */
  gboolean               (*insert_nonce)        (IntakeStore               *store,
                                                 const char                *signer,
                                                 const char                *nonce,
                                                 gint64                     expires_at,
                                                 gboolean                  *out_fresh,
                                                 GError                   **error);
  gboolean               (*insert_scope)        (IntakeStore               *store,
                                                 gboolean                   is_setup,
                                                 const char                *owner,
                                                 const char                *kind,
                                                 const char                *value,
                                                 GError                   **error);
  gboolean               (*delete_scopes)       (IntakeStore               *store,
                                                 gboolean                   is_setup,
                                                 const char                *owner,
                                                 GError                   **error);
  /* Fills in @out_locations and @out_units (NULL when unrestricted). */
  gboolean               (*read_scopes)         (IntakeStore               *store,
                                                 gboolean                   is_setup,
                                                 const char                *owner,
                                                 char                    ***out_locations,
                                                 char                    ***out_units,
                                                 GError                   **error);
  gboolean               (*set_reviewer_blob)   (IntakeStore               *store,
                                                 const char                *reviewer_id,
                                                 GBytes                    *blob,
                                                 int                       *out_rows,
                                                 GError                   **error);
  gboolean               (*set_reviewer_roles)  (IntakeStore               *store,
                                                 const char                *reviewer_id,
                                                 const char                *roles,
                                                 int                       *out_rows,
                                                 GError                   **error);
  gboolean               (*upsert_setup)        (IntakeStore               *store,
                                                 const IntakeStoreReviewerSetup *setup,
                                                 const char                *roles,
                                                 GError                   **error);
  /* The setup row (without its scopes), or NULL with no error if none. */
  IntakeStoreReviewerSetup *(*lookup_setup)     (IntakeStore               *store,
                                                 const char                *name,
                                                 GError                   **error);
  gboolean               (*delete_setup)        (IntakeStore               *store,
                                                 const char                *name,
                                                 GError                   **error);
  gboolean               (*lookup_throttle)     (IntakeStore               *store,
                                                 const char                *name_key,
                                                 IntakeStoreThrottle       *out_throttle,
                                                 GError                   **error);
  /* Counts a failure; *@out_failures is the count in a row, this one included. */
  gboolean               (*throttle_fail)       (IntakeStore               *store,
                                                 const char                *name_key,
                                                 gint64                     now,
                                                 gint64                     stale_before,
                                                 gint64                    *out_failures,
                                                 GError                   **error);
  gboolean               (*throttle_lock)       (IntakeStore               *store,
                                                 const char                *name_key,
                                                 gint64                     until,
                                                 GError                   **error);
  gboolean               (*throttle_clear)      (IntakeStore               *store,
                                                 const char                *name_key,
                                                 GError                   **error);
  /* Schema 6. The help request, or NULL with no error if none. */
  IntakeStoreHelpRequest *(*lookup_help_request) (IntakeStore              *store,
                                                 gint64                     id,
                                                 GError                   **error);
  /* Marks an open request handled; *@out_rows is 0 when it was handled
   * already or does not exist. */
  gboolean               (*set_help_handled)    (IntakeStore               *store,
                                                 gint64                     id,
                                                 gint64                     now,
                                                 const char                *handled_by,
                                                 int                       *out_rows,
                                                 GError                   **error);

  /* Schema 9: office key rotation. */
  gboolean               (*insert_office_key_seal) (IntakeStore            *store,
                                                 const IntakeStoreOfficeKeySeal *seal,
                                                 gint64                     now,
                                                 GError                   **error);
  gboolean               (*delete_office_key_seals) (IntakeStore           *store,
                                                 const char                *office_key_id,
                                                 GError                   **error);
  /* Envelopes and notes sealed for @office_key_id. */
  gboolean               (*count_office_key_uses) (IntakeStore             *store,
                                                 const char                *office_key_id,
                                                 gint64                    *out_count,
                                                 GError                   **error);
  /* Retention (docs/privacy.md). Up to @limit submissions the rule
   * (CLOSED or MAXIMUM) removes at @cutoff, oldest first: pairs of device
   * id and submission id in @out_ids. */
  gboolean               (*list_expired)        (IntakeStore               *store,
                                                 IntakeRetentionRule        rule,
                                                 gint64                     cutoff,
                                                 guint                      limit,
                                                 GPtrArray                **out_ids,
                                                 GError                   **error);
  /* How many rows @rule would remove at @cutoff; MAXIMUM leaves out those
   * CLOSED removes first at @closed_cutoff (0: none). Also outside a
   * transaction, after ensure_ready. */
  gboolean               (*count_expired)       (IntakeStore               *store,
                                                 IntakeRetentionRule        rule,
                                                 gint64                     cutoff,
                                                 gint64                     closed_cutoff,
                                                 gint64                    *out_count,
                                                 GError                   **error);
  /* The submission's notes, logged conflicts, workflow row and envelope;
   * *@out_rows is 0 when there was no envelope. */
  gboolean               (*delete_submission)   (IntakeStore               *store,
                                                 const char                *device_id,
                                                 const char                *submission_id,
                                                 int                       *out_rows,
                                                 GError                   **error);
  gboolean               (*delete_help_requests) (IntakeStore              *store,
                                                 gint64                     cutoff,
                                                 int                       *out_rows,
                                                 GError                   **error);
  /* Outside a transaction, after rows were deleted: makes the database
   * give up the deleted bytes where it can (SQLite: checkpoint and
   * truncate the WAL; PostgreSQL: VACUUM the tables). */
  gboolean               (*reclaim)             (IntakeStore               *store,
                                                 GError                   **error);
} IntakeStoreBackend;

/* Defines the static IntakeStoreBackend @name from the including file's
 * functions, which are named after the fields (backend_begin,
 * backend_commit, backend_rollback, then one per data operation), the way
 * G_DEFINE_TYPE expects foo_class_init: one list serves both backends, and
 * an operation a backend lacks is a compile error. The optional ones are
 * arguments (NULL where a backend has none). */
#define INTAKE_STORE_DEFINE_BACKEND(name, ensure_ready_func, put_uploads_at_once_func) \
  static const IntakeStoreBackend name = { \
    .ensure_ready = ensure_ready_func, \
    .put_uploads_at_once = put_uploads_at_once_func, \
    .begin = backend_begin, \
    .commit = backend_commit, \
    .rollback = backend_rollback, \
    .insert_enroll_code = insert_enroll_code, \
    .get_enroll_code = get_enroll_code, \
    .use_enroll_code = use_enroll_code, \
    .lookup_device = lookup_device, \
    .device_active = device_active, \
    .insert_device = insert_device, \
    .set_device_location = set_device_location, \
    .revoke_device = revoke_device, \
    .insert_envelopes = insert_envelopes, \
    .get_stored_envelope = get_stored_envelope, \
    .log_conflict = log_conflict, \
    .lock_audit_head = lock_audit_head, \
    .insert_audit = insert_audit, \
    .set_audit_head = set_audit_head, \
    .insert_reviewer = insert_reviewer, \
    .revoke_reviewer = revoke_reviewer, \
    .lookup_submission = lookup_submission, \
    .set_workflow = set_workflow, \
    .bump_note = bump_note, \
    .insert_note = insert_note, \
    .insert_nonce = insert_nonce, \
    .insert_scope = insert_scope, \
    .delete_scopes = delete_scopes, \
    .read_scopes = read_scopes, \
    .set_reviewer_blob = set_reviewer_blob, \
    .set_reviewer_roles = set_reviewer_roles, \
    .upsert_setup = upsert_setup, \
    .lookup_setup = lookup_setup, \
    .delete_setup = delete_setup, \
    .lookup_throttle = lookup_throttle, \
    .throttle_fail = throttle_fail, \
    .throttle_lock = throttle_lock, \
    .throttle_clear = throttle_clear, \
    .lookup_help_request = lookup_help_request, \
    .set_help_handled = set_help_handled, \
    .insert_office_key_seal = insert_office_key_seal, \
    .delete_office_key_seals = delete_office_key_seals, \
    .count_office_key_uses = count_office_key_uses, \
    .list_expired = list_expired, \
    .count_expired = count_expired, \
    .delete_submission = delete_submission, \
    .delete_help_requests = delete_help_requests, \
    .reclaim = reclaim, \
  }

/* Called from a backend's class_init: @backend (static) serves @type. */
void  intake_store_backend_install   (GType                     type,
                                      const IntakeStoreBackend *backend);
/* Called from a backend's iface_init: fills in the shared operations. */
void  intake_store_common_iface_init (IntakeStoreInterface     *iface);
/* The review reference code of @submission_id ("" if it is not hex). */
char *intake_store_reference_for     (const char               *submission_id);
/* How long failed unlocks of a name are remembered (seconds). */
#define INTAKE_STORE_THROTTLE_KEEP (24 * 60 * 60)

/* A scope list from the rows read: NULL (every value) when there are none. */
char **intake_store_scope_take       (GPtrArray                *values);
/* "caseworker,team_lead" and back, for the roles column. */
char *intake_store_roles_to_text     (guint                     roles);
guint intake_store_roles_from_text   (const char               *text);

G_END_DECLS

/* intake-store.h: the storage interface of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What intake-server and intake-admin keep: enrollment codes, devices,
 * envelopes (sealed and signed; the store never sees plaintext) and the
 * conflicts refused on the way; since schema 2 also reviewers, the review
 * workflow per submission, encrypted notes, the hash-chained audit log,
 * help requests and the signed questionnaires seen. The backends live in server/: SQLite
 * (intake-store-sqlite.c, the default) and PostgreSQL (intake-store-pg.c).
 *
 * Every method is synchronous and short: the server runs on one GLib main
 * loop. Schema, migrations and guarantees: docs/server.md.
 */
#pragma once

#include <glib-object.h>

#include "intake-audit.h"
#include "intake-envelope.h"
#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_STORE_ERROR (intake_store_error_quark ())

/**
 * IntakeStoreError:
 * @INTAKE_STORE_ERROR_OPEN: the store could not be opened or connected to
 * @INTAKE_STORE_ERROR_SCHEMA_TOO_NEW: the schema was written by a newer program
 * @INTAKE_STORE_ERROR_DATABASE: a query failed (disk full, connection lost, ...)
 * @INTAKE_STORE_ERROR_UNKNOWN_CODE: no enrollment code with that hash
 * @INTAKE_STORE_ERROR_CODE_USED: the enrollment code was already consumed
 * @INTAKE_STORE_ERROR_CODE_EXPIRED: the enrollment code is past its expiry
 * @INTAKE_STORE_ERROR_CODE_EXISTS: an enrollment code with that hash exists already
 * @INTAKE_STORE_ERROR_UNKNOWN_DEVICE: no device with that id
 * @INTAKE_STORE_ERROR_DEVICE_REVOKED: the device is revoked (it cannot enroll again)
 * @INTAKE_STORE_ERROR_INVALID: an argument is not as the interface requires
 * @INTAKE_STORE_ERROR_UNKNOWN_REVIEWER: no (active) reviewer with that name or id
 * @INTAKE_STORE_ERROR_REVIEWER_EXISTS: an active reviewer has that name, or the key is registered
 * @INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION: no submission with that id
 * @INTAKE_STORE_ERROR_DAMAGED: the store's file is empty or damaged (restore a backup)
 * @INTAKE_STORE_ERROR_NOT_WRITABLE: the store cannot be written (read-only, disk, permissions)
 * @INTAKE_STORE_ERROR_UNKNOWN_SETUP: no pending activation for that name (or it expired)
 * @INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST: no help request with that id
 * @INTAKE_STORE_ERROR_OUT_OF_SCOPE: the object is at a location outside the caller's scope
 */
typedef enum {
  INTAKE_STORE_ERROR_OPEN,
  INTAKE_STORE_ERROR_SCHEMA_TOO_NEW,
  INTAKE_STORE_ERROR_DATABASE,
  INTAKE_STORE_ERROR_UNKNOWN_CODE,
  INTAKE_STORE_ERROR_CODE_USED,
  INTAKE_STORE_ERROR_CODE_EXPIRED,
  INTAKE_STORE_ERROR_CODE_EXISTS,
  INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
  INTAKE_STORE_ERROR_DEVICE_REVOKED,
  INTAKE_STORE_ERROR_INVALID,
  INTAKE_STORE_ERROR_UNKNOWN_REVIEWER,
  INTAKE_STORE_ERROR_REVIEWER_EXISTS,
  INTAKE_STORE_ERROR_UNKNOWN_SUBMISSION,
  INTAKE_STORE_ERROR_DAMAGED,
  INTAKE_STORE_ERROR_NOT_WRITABLE,
  INTAKE_STORE_ERROR_UNKNOWN_SETUP,
  INTAKE_STORE_ERROR_UNKNOWN_HELP_REQUEST,
  INTAKE_STORE_ERROR_OUT_OF_SCOPE,
} IntakeStoreError;

/* The schema both backends create; see docs/server.md for the tables. */
#define INTAKE_STORE_SCHEMA_VERSION 11

typedef enum {
  INTAKE_DEVICE_STATUS_ACTIVE,
  INTAKE_DEVICE_STATUS_REVOKED,
} IntakeDeviceStatus;

typedef enum {
  INTAKE_ENVELOPE_SOURCE_UPLOAD,
  INTAKE_ENVELOPE_SOURCE_BUNDLE,
} IntakeEnvelopeSource;

typedef enum {
  INTAKE_STORE_PUT_STORED,     /* new: stored */
  INTAKE_STORE_PUT_DUPLICATE,  /* the same bytes were stored before: nothing changed */
  INTAKE_STORE_PUT_CONFLICT,   /* same submission id, other bytes: refused and logged */
} IntakeStorePutResult;

/* A signed request's nonce, kept until @expires_at (Unix seconds). */
typedef struct {
  const char *signer;
  const char *nonce;
  gint64      expires_at;
} IntakeStoreNonce;



#define INTAKE_HEX_ID_LEN 33     /* 16 bytes as hex + NUL */

typedef struct {
  char               device_id[INTAKE_HEX_ID_LEN];
  guint8             sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  char              *location;
  IntakeDeviceStatus status;
  gint64             enrolled_at;
  gint64             revoked_at;     /* 0 while active */
  /* What the kiosk last reported (schema 10, POST /v1/check-in); 0 or ""
   * until it checks in. */
  gint64             last_seen_at;
  gint64             reported_pending;
  gint64             oldest_pending_at;
  char              *questionnaire;  /* "ID/VERSION" */
  char              *app_version;
  char              *last_error;     /* a status code, "" when the last pass went well */
  gint64             last_upload_at; /* newest received_at of its envelopes; listings only */
} IntakeStoreDevice;

/* A kiosk's report at check-in (docs/protocol.md, "Check-in"). */
typedef struct {
  gint64      pending;
  gint64      oldest_pending_at;
  const char *questionnaire;
  const char *app_version;
  const char *last_error;
} IntakeStoreCheckIn;

/* What the store keeps beside an envelope's bytes: the verified header's
 * routing fields, never anything from inside the envelope. */
typedef struct {
  gint64               seq;          /* assigned by the store, increasing; 0 when putting */
  char                 submission_id[INTAKE_HEX_ID_LEN];
  char                 device_id[INTAKE_HEX_ID_LEN];
  char                 sha256[65];
  gint64               size;
  gint64               created_at;
  char                 questionnaire_id[INTAKE_QUESTIONNAIRE_ID_MAX + 1];
  gint64               questionnaire_version;
  char                 questionnaire_hash[65];
  char                 office_key_id[INTAKE_OFFICE_KEY_ID_BYTES * 2 + 1];
  gint64               received_at;
  IntakeEnvelopeSource source;
} IntakeStoreEnvelope;

/* One upload request's part of a group commit (intake_store_put_uploads()). */
typedef struct {
  const IntakeStoreNonce    *nonce;        /* may be NULL */
  /* When set, the upload is stored only if this device is still active
   * when its transaction commits: the server may have taken the device
   * from its cache, so a revocation since is caught here. */
  const char                *active_device;
  guint                      n;
  const IntakeStoreEnvelope *metas;
  GBytes * const            *envelopes;
  IntakeStorePutResult      *results;      /* out: @n verdicts, when nonce_fresh and not device_inactive */
  gboolean                   nonce_fresh;  /* out: FALSE if @nonce was used before */
  gboolean                   device_inactive; /* out: @active_device was revoked (or is gone): nothing
                                               * stored but the nonce */
} IntakeStoreUpload;

typedef enum {
  INTAKE_REVIEWER_STATUS_ACTIVE,
  INTAKE_REVIEWER_STATUS_REVOKED,
} IntakeReviewerStatus;

typedef struct {
  char                 reviewer_id[INTAKE_HEX_ID_LEN];
  char                *name;
  guint8               sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  GBytes              *blob;         /* the IKRK reviewer key blob; the store cannot open it */
  IntakeReviewerStatus status;
  gint64               created_at;
  gint64               revoked_at;   /* 0 while active */
  guint                roles;        /* IntakeRoles (schema 5) */
  char               **locations;    /* the reviewer's scope: NULL for every location */
  char               **units;        /* NULL for every unit */
} IntakeStoreReviewer;

/* A pending activation (schema 5): the office secret sealed with a
 * one-time code (IKRS), and the access the reviewer will have. */
typedef struct {
  char                *name;
  GBytes              *blob;
  guint                roles;
  char               **locations;    /* NULL for every location */
  char               **units;
  gint64               created_at;
  gint64               expires_at;
  char                *created_by;   /* "admin" (intake-admin) or the administrator reviewer's name */
} IntakeStoreReviewerSetup;

/* An office secret sealed (IKOG, docs/keys.md) to a newer office key or to
 * a reviewer (schema 9). */
typedef struct {
  char     office_key_id[INTAKE_OFFICE_KEY_ID_BYTES * 2 + 1];   /* the key inside */
  gboolean to_reviewer;
  char     recipient_id[INTAKE_REVIEWER_ID_BYTES * 2 + 1];      /* reviewer id, or office key id */
  GBytes  *blob;
} IntakeStoreOfficeKeySeal;

/* What intake_store_rotate_office() records in one transaction. */
typedef struct {
  const char                      *expected_office_public;  /* base64: the key served now */
  const char                      *new_office_public;       /* base64 of the new IKOP */
  const char                      *rotation;                /* base64 of the IKOR statement */
  const IntakeStoreOfficeKeySeal  *seals;
  guint                            n_seals;
  char * const                    *cancel_setups;           /* pending activations to remove */
  gint64                           now;
} IntakeStoreOfficeRotation;

/* Failed unlocks of one name (schema 5), counted across server instances. */
typedef struct {
  gint64 failures;
  gint64 last_failure;
  gint64 locked_until;                /* 0, or Unix seconds */
} IntakeStoreThrottle;

/* What intake_store_finish_unlock() does after a verified or failed proof. */
typedef struct {
  const char       *name_key;          /* hex BLAKE2b of the name (docs/protocol.md, "Unlock") */
  const char       *nonce_signer;      /* the challenge's nonce, used once */
  const char       *nonce;
  gint64            nonce_expires_at;
  gboolean          success;
  gint64            now;
  gint64            failure_window;    /* failures older than this many seconds start again at 1 */
  guint             lock_after;        /* every this many failures in a row ... */
  gint64            lock_seconds;      /* ... lock the name this long */
  IntakeAuditEvent *success_event;     /* appended on success (may be NULL) */
  IntakeAuditEvent *lock_event;        /* appended when this failure locks a reviewer's name (may be NULL) */
} IntakeStoreUnlockOutcome;

/* The review states of docs/protocol.md; a new submission is "new". */
#define INTAKE_REVIEW_STATES "new", "in_review", "conversation_planned", "closed", "needs_follow_up"

/* One submission as reviewers list it: the envelope's routing metadata,
 * the location of its kiosk when it arrived, and the review workflow. */
typedef struct {
  IntakeStoreEnvelope envelope;
  char               *location;
  char                reference[16];  /* "XXXX-XXXX" */
  char               *state;
  char               *unit;           /* "" when none */
  gint64              version;        /* +1 on every workflow change or note */
  gint64              updated_at;     /* 0 while unchanged */
  char               *updated_by;     /* reviewer name, "" while unchanged */
  gint64              notes;          /* number of notes */
  /* schema 7 */
  char               *assignee;       /* reviewer name, "" when nobody */
  gint64              appointment_at; /* the planned conversation, Unix seconds; 0 when none */
  gint64              change_seq;     /* the audit seq of the last workflow change or note; 0 while unchanged */
} IntakeStoreSubmission;

/* What a workflow change sets (intake_store_update_workflow()). */
typedef struct {
  const char *state;
  const char *unit;                   /* NULL or "": none */
  const char *assignee;               /* NULL or "": nobody */
  gint64      appointment_at;         /* 0: none */
} IntakeStoreWorkflow;

/* The views of the review queue (docs/protocol.md, "The queue"). */
typedef enum {
  INTAKE_SUBMISSION_VIEW_ALL,
  INTAKE_SUBMISSION_VIEW_TODO,        /* not closed and (assigned to me, or new and nobody's) */
  INTAKE_SUBMISSION_VIEW_MINE,        /* not closed and assigned to me */
} IntakeSubmissionView;

/* What to list: NULL / 0 fields do not filter. */
typedef struct {
  const char *state;
  const char *location;
  const char *reference;              /* normalized "XXXX-XXXX" */
  gint64      from;                   /* envelope created_at >= from */
  gint64      to;                     /* envelope created_at < to */
  gint64      after_seq;              /* page: seq > after_seq, in seq order */
  guint       limit;
  /* schema 7: newest first, seq < before_seq (0: from the newest) */
  gboolean    descending;
  gint64      before_seq;
  IntakeSubmissionView view;          /* TODO and MINE need @me */
  const char *me;                     /* the asking reviewer's name */
  gboolean    by_changes;             /* only change_seq > changed_after */
  gint64      changed_after;
  /* The reviewer whose scope (reviewer_scopes) limits the listing: only
   * their locations when scope_locations, only their units or none when
   * scope_units. */
  const char *scope_reviewer_id;
  gboolean    scope_locations;
  gboolean    scope_units;
} IntakeSubmissionFilter;

/* One group of intake_store_count_submissions(); several may have the
 * same state, unit and assignee class: add them up. */
typedef struct {
  char   *state;
  char   *unit;                       /* "" when none */
  int     assignee;                   /* 0 nobody, 1 the asking reviewer, 2 someone else */
  gint64  count;
} IntakeStoreCountCell;

/* What intake_store_count_submissions() gives besides the cells. */
typedef struct {
  gint64 latest_seq;                  /* the newest submission's seq, 0 when none */
  gint64 latest_change;               /* the highest change_seq, 0 when none */
} IntakeStoreCountMarks;

/* The server metadata of one submission that intake_store_foreach_fact()
 * visits: never anything from inside the envelope. */
typedef struct {
  gint64      created_at;
  gint64      received_at;
  const char *location;
  const char *state;
  const char *unit;
  const char *assignee;
} IntakeStoreFact;

typedef void (*IntakeStoreFactFunc) (const IntakeStoreFact *fact,
                                     gpointer               user_data);

typedef struct {
  GBytes *envelope;                   /* sealed for the office, signed with the reviewer's key */
  char   *reviewer;                   /* name */
  char    reviewer_id[INTAKE_HEX_ID_LEN];
  gint64  created_at;
} IntakeStoreNote;

typedef struct {
  char    device_id[INTAKE_HEX_ID_LEN];
  char   *location;
  char    language[16];
  gint64  created_at;                 /* when the resident asked (kiosk clock) */
  gint64  received_at;
  /* Schema 6: staff mark a request handled (the open ones are listed). */
  gint64  id;
  gint64  handled_at;                 /* 0 while open */
  char   *handled_by;                 /* reviewer name, "" while open */
} IntakeStoreHelpRequest;

typedef struct {
  char   *id;
  gint64  version;
  char    hash[65];
  GBytes *canonical;
  guint8  signature[INTAKE_SIGNATURE_BYTES];
  gint64  first_seen;
} IntakeStoreQuestionnaire;

typedef struct {
  gint64 envelopes;
  gint64 conflicts;          /* distinct (submission id, refused bytes) pairs */
  gint64 devices_active;
  gint64 devices_revoked;
} IntakeStoreCounts;

/* Retention (docs/privacy.md): what intake_store_purge() removes, and
 * after how many days. */
typedef enum {
  INTAKE_RETENTION_CLOSED,   /* closed submissions, days after their last workflow change or note */
  INTAKE_RETENTION_MAXIMUM,  /* every submission, days after it was received (the legal maximum) */
  INTAKE_RETENTION_HELP,     /* help requests, days after they were received */
  INTAKE_RETENTION_N_RULES,
} IntakeRetentionRule;

#define INTAKE_RETENTION_DEFAULT_CLOSED_DAYS  90
#define INTAKE_RETENTION_DEFAULT_MAXIMUM_DAYS 3653   /* 10 years */
#define INTAKE_RETENTION_DEFAULT_HELP_DAYS    30
#define INTAKE_RETENTION_MAX_DAYS             36525  /* 100 years: anything longer is a typo */

typedef struct {
  guint days[INTAKE_RETENTION_N_RULES];   /* 0: the rule is off (only the closed rule may be) */
} IntakeRetention;

#define INTAKE_TYPE_STORE (intake_store_get_type ())

G_DECLARE_INTERFACE (IntakeStore, intake_store, INTAKE, STORE, GObject)

struct _IntakeStoreInterface
{
  GTypeInterface parent_iface;

  gboolean   (*create_enroll_code)  (IntakeStore               *self,
                                     const char                *code_hash,
                                     const char                *location,
                                     gint64                     created_at,
                                     gint64                     expires_at,
                                     GError                   **error);
  char      *(*consume_enroll_code) (IntakeStore               *self,
                                     const char                *code_hash,
                                     const IntakeDevicePublic  *device,
                                     gint64                     now,
                                     char                     **out_previous_location,
                                     GError                   **error);
  gboolean   (*register_device)     (IntakeStore               *self,
                                     const IntakeDevicePublic  *device,
                                     const char                *location,
                                     gint64                     enrolled_at,
                                     GError                   **error);
  IntakeStoreDevice *(*get_device)  (IntakeStore               *self,
                                     const char                *device_id,
                                     GError                   **error);
  GPtrArray *(*list_devices)        (IntakeStore               *self,
                                     GError                   **error);
  gboolean   (*revoke_device)       (IntakeStore               *self,
                                     const char                *device_id,
                                     gint64                     now,
                                     GError                   **error);
  gboolean   (*put_envelope)        (IntakeStore               *self,
                                     const IntakeStoreEnvelope *meta,
                                     GBytes                    *envelope,
                                     IntakeStorePutResult      *out_result,
                                     GError                   **error);
  gboolean   (*put_uploads)         (IntakeStore               *self,
                                     IntakeStoreUpload         *uploads,
                                     guint                      n_uploads,
                                     GError                   **error);
  GBytes    *(*dup_envelope)        (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     IntakeStoreEnvelope       *out_meta,
                                     GError                   **error);
  GArray    *(*list_envelopes)      (IntakeStore               *self,
                                     gint64                     after_seq,
                                     guint                      limit,
                                     GError                   **error);
  gboolean   (*get_counts)          (IntakeStore               *self,
                                     IntakeStoreCounts         *out_counts,
                                     GError                   **error);
  gboolean   (*check_health)        (IntakeStore               *self,
                                     GError                   **error);
  char      *(*ensure_setting)      (IntakeStore               *self,
                                     const char                *name,
                                     const char                *value,
                                     GError                   **error);
  gboolean   (*set_setting)         (IntakeStore               *self,
                                     const char                *name,
                                     const char                *value,
                                     GError                   **error);
  /* Optional (a store whose files another program guards has none). */
  gboolean   (*check_files)         (IntakeStore               *self,
                                     GError                   **error);
  const char *(*get_directory)      (IntakeStore               *self);
  int        (*get_schema_version)  (IntakeStore               *self);
  IntakeStore *(*open_another)      (IntakeStore               *self,
                                     GError                   **error);
  /* Optional (PostgreSQL checkpoints on its own). */
  gboolean   (*checkpoint)          (IntakeStore               *self,
                                     GError                   **error);

  /* Review (schema 2) */
  gboolean   (*add_reviewer)        (IntakeStore               *self,
                                     const IntakeStoreReviewer *reviewer,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  IntakeStoreReviewer *(*get_reviewer) (IntakeStore            *self,
                                     const char                *reviewer_id,
                                     const char                *name,
                                     GError                   **error);
  GPtrArray *(*list_reviewers)      (IntakeStore               *self,
                                     GError                   **error);
  gboolean   (*revoke_reviewer)     (IntakeStore               *self,
                                     const char                *name,
                                     gint64                     now,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  IntakeStoreSubmission *(*get_submission) (IntakeStore        *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     GError                   **error);
  GPtrArray *(*list_submissions)    (IntakeStore               *self,
                                     const IntakeSubmissionFilter *filter,
                                     GError                   **error);
  gboolean   (*update_workflow)     (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     const IntakeStoreWorkflow *workflow,
                                     gint64                     expected_version,
                                     const char                *updated_by,
                                     gint64                     now,
                                     IntakeAuditEvent          *audit,
                                     IntakeStoreSubmission    **out_current,
                                     gboolean                  *out_conflict,
                                     GError                   **error);
  gboolean   (*add_note)            (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     GBytes                    *note,
                                     const char                *reviewer_id,
                                     const char                *reviewer_name,
                                     gint64                     expected_version,
                                     gint64                     now,
                                     IntakeAuditEvent          *audit,
                                     IntakeStoreSubmission    **out_current,
                                     gboolean                  *out_conflict,
                                     GError                   **error);
  /* The queue (schema 7) */
  gboolean   (*count_submissions)   (IntakeStore               *self,
                                     const IntakeSubmissionFilter *filter,
                                     GPtrArray                **out_cells,
                                     IntakeStoreCountMarks     *out_marks,
                                     GError                   **error);
  gboolean   (*foreach_fact)        (IntakeStore               *self,
                                     const IntakeSubmissionFilter *filter,
                                     IntakeStoreFactFunc        func,
                                     gpointer                   user_data,
                                     GError                   **error);
  GPtrArray *(*list_notes)          (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     GError                   **error);
  gboolean   (*append_audit)        (IntakeStore               *self,
                                     IntakeAuditEvent          *event,
                                     GError                   **error);
  gboolean   (*append_audits)       (IntakeStore               *self,
                                     IntakeAuditEvent * const  *events,
                                     guint                      n_events,
                                     GError                   **error);
  GPtrArray *(*list_audit)          (IntakeStore               *self,
                                     const char                *object,
                                     gint64                     after_seq,
                                     guint                      limit,
                                     GError                   **error);
  gboolean   (*get_audit_head)      (IntakeStore               *self,
                                     gint64                    *out_seq,
                                     char                      *out_hash,
                                     GError                   **error);
  gboolean   (*put_help_request)    (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *client_key,
                                     gint64                     created_at,
                                     const char                *language,
                                     gint64                     received_at,
                                     gboolean                  *out_new,
                                     GError                   **error);
  GPtrArray *(*list_help_requests)  (IntakeStore               *self,
                                     gint64                     from,
                                     gint64                     to,
                                     GError                   **error);
  gboolean   (*put_questionnaire)   (IntakeStore               *self,
                                     const IntakeStoreQuestionnaire *questionnaire,
                                     GError                   **error);
  GPtrArray *(*list_questionnaires) (IntakeStore               *self,
                                     GError                   **error);
  const char *(*get_backend_name)   (IntakeStore               *self);

  /* Staff access (schema 5) */
  gboolean   (*put_reviewer_setup)  (IntakeStore               *self,
                                     const IntakeStoreReviewerSetup *setup,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  IntakeStoreReviewerSetup *(*get_reviewer_setup) (IntakeStore *self,
                                     const char                *name,
                                     GError                   **error);
  GPtrArray *(*list_reviewer_setups) (IntakeStore              *self,
                                     GError                   **error);
  gboolean   (*activate_reviewer)   (IntakeStore               *self,
                                     const IntakeStoreReviewer *reviewer,
                                     gint64                     now,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  gboolean   (*set_reviewer_blob)   (IntakeStore               *self,
                                     const char                *reviewer_id,
                                     GBytes                    *blob,
                                     const char                *name_key,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  gboolean   (*set_reviewer_access) (IntakeStore               *self,
                                     const char                *name,
                                     guint                      roles,
                                     const char * const        *locations,
                                     const char * const        *units,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  gboolean   (*get_throttle)        (IntakeStore               *self,
                                     const char                *name_key,
                                     IntakeStoreThrottle       *out_throttle,
                                     GError                   **error);
  gboolean   (*finish_unlock)       (IntakeStore               *self,
                                     const IntakeStoreUnlockOutcome *outcome,
                                     gboolean                  *out_fresh,
                                     gint64                    *out_locked_until,
                                     GError                   **error);
  gboolean   (*clear_throttle)      (IntakeStore               *self,
                                     const char                *name_key,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);

  /* Replay (schema 3) */
  gboolean   (*use_nonce)           (IntakeStore               *self,
                                     const char                *signer,
                                     const char                *nonce,
                                     gint64                     expires_at,
                                     gboolean                  *out_fresh,
                                     GError                   **error);
  gboolean   (*prune_nonces)        (IntakeStore               *self,
                                     gint64                     now,
                                     guint                     *out_removed,
                                     GError                   **error);

  /* What a kiosk reports at check-in (schema 10) */
  gboolean   (*record_check_in)     (IntakeStore               *self,
                                     const char                *device_id,
                                     const IntakeStoreCheckIn  *report,
                                     gint64                     now,
                                     GError                   **error);

  /* Office key rotation (schema 9) */
  GPtrArray *(*list_office_key_seals) (IntakeStore             *self,
                                     const char                *reviewer_id,
                                     GError                   **error);
  gboolean   (*rotate_office)       (IntakeStore               *self,
                                     const IntakeStoreOfficeRotation *rotation,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  gboolean   (*roll_server_key)     (IntakeStore               *self,
                                     const char                *expected_public,
                                     const char                *new_public,
                                     const char                *new_key_id,
                                     const char                *statement,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
  gboolean   (*retire_office_key)   (IntakeStore               *self,
                                     const char                *office_key_id,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);

  /* Help requests staff act on (schema 6) */
  GPtrArray *(*list_open_help_requests) (IntakeStore           *self,
                                     guint                      limit,
                                     GError                   **error);
  gboolean   (*handle_help_request) (IntakeStore               *self,
                                     gint64                     id,
                                     const char * const        *locations,
                                     const char                *handled_by,
                                     gint64                     now,
                                     IntakeAuditEvent          *audit,
                                     IntakeStoreHelpRequest   **out_request,
                                     gboolean                  *out_already,
                                     GError                   **error);
  /* Retention and erasure */
  gboolean   (*purge)               (IntakeStore               *self,
                                     const IntakeRetention     *retention,
                                     gint64                     now,
                                     gboolean                   dry_run,
                                     const char                *actor,
                                     const char                *origin,
                                     gint64                    *out_counts,
                                     GError                   **error);
  gboolean   (*erase_submission)    (IntakeStore               *self,
                                     const char                *device_id,
                                     const char                *submission_id,
                                     IntakeAuditEvent          *audit,
                                     GError                   **error);
};

GQuark              intake_store_error_quark          (void);

/* Stores an enrollment code by its hash (intake_enroll_code_hash()); the
 * code itself never reaches the store. */
gboolean            intake_store_create_enroll_code   (IntakeStore               *self,
                                                       const char                *code_hash,
                                                       const char                *location,
                                                       gint64                     created_at,
                                                       gint64                     expires_at,
                                                       GError                   **error);
/* In one transaction: consumes the code and registers @device as active
 * with the code's location (an active device that enrolls again keeps its
 * row and takes the new location; its location before goes to
 * @out_previous_location, which is NULL for a new device). Returns the
 * location. Errors: UNKNOWN_CODE, CODE_USED, CODE_EXPIRED, DEVICE_REVOKED
 * (the code is then left unused). */
char               *intake_store_consume_enroll_code  (IntakeStore               *self,
                                                       const char                *code_hash,
                                                       const IntakeDevicePublic  *device,
                                                       gint64                     now,
                                                       char                     **out_previous_location,
                                                       GError                   **error);
/* Registers @device as active without a code (tests, manual set-ups).
 * DEVICE_REVOKED if it was revoked; registering an active device again
 * changes nothing. */
gboolean            intake_store_register_device      (IntakeStore               *self,
                                                       const IntakeDevicePublic  *device,
                                                       const char                *location,
                                                       gint64                     enrolled_at,
                                                       GError                   **error);
/* UNKNOWN_DEVICE if there is none. */
IntakeStoreDevice  *intake_store_get_device           (IntakeStore               *self,
                                                       const char                *device_id,
                                                       GError                   **error);
/* IntakeStoreDevice, by enrollment time. */
GPtrArray          *intake_store_list_devices         (IntakeStore               *self,
                                                       GError                   **error);
/* UNKNOWN_DEVICE if there is none; revoking twice keeps the first time. */
gboolean            intake_store_revoke_device        (IntakeStore               *self,
                                                       const char                *device_id,
                                                       gint64                     now,
                                                       GError                   **error);
/* Atomically: stores @envelope unless its (device id, submission id) is
 * present; then DUPLICATE if the stored bytes are identical, else CONFLICT
 * (logged in the conflicts table, nothing else changes). Another device's
 * envelope with the same submission id is another envelope: stored. The
 * review side names a submission by both ids. @meta->sha256 and
 * @meta->size must describe @envelope. */
gboolean            intake_store_put_envelope         (IntakeStore               *self,
                                                       const IntakeStoreEnvelope *meta,
                                                       GBytes                    *envelope,
                                                       IntakeStorePutResult      *out_result,
                                                       GError                   **error);
/* Group commit: @n envelopes as intake_store_put_envelope() would store
 * them one after the other (a repeat inside the batch is DUPLICATE or
 * CONFLICT against the earlier one), but in one write transaction, so one
 * durable commit (one WAL fsync) for all. TRUE only once that transaction
 * is committed: every verdict in @out_results is then durable. FALSE with
 * @error when the store fails: then none of them was stored.
 * With @nonce (may be NULL), the request's nonce is recorded first in the
 * same transaction (intake_store_use_nonce() without a commit of its
 * own): a request costs one durable commit, not two. If it was used
 * before, *@out_nonce_fresh is FALSE, nothing is stored and @out_results
 * is not set. */
gboolean            intake_store_put_envelopes        (IntakeStore               *self,
                                                       const IntakeStoreNonce    *nonce,
                                                       gboolean                  *out_nonce_fresh,
                                                       guint                      n,
                                                       const IntakeStoreEnvelope *metas,
                                                       GBytes * const            *envelopes,
                                                       IntakeStorePutResult      *out_results,
                                                       GError                   **error);
/* The same for several upload requests in one transaction, one durable
 * commit for all (concurrent requests sharing a commit). Each upload's
 * nonce is recorded before its envelopes; an upload whose nonce was used
 * before (nonce_fresh FALSE) stores nothing and the others go on. FALSE
 * with @error when the store fails: then nothing of any upload was stored. */
gboolean            intake_store_put_uploads          (IntakeStore               *self,
                                                       IntakeStoreUpload         *uploads,
                                                       guint                      n_uploads,
                                                       GError                   **error);
/* The stored bytes (and metadata into @out_meta when non-NULL), or NULL
 * with no error set if there is no such submission. */
GBytes             *intake_store_dup_envelope         (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       IntakeStoreEnvelope       *out_meta,
                                                       GError                   **error);
/* Metadata (IntakeStoreEnvelope) of up to @limit envelopes with seq >
 * @after_seq, in seq order: page with the last seq seen. */
GArray             *intake_store_list_envelopes       (IntakeStore               *self,
                                                       gint64                     after_seq,
                                                       guint                      limit,
                                                       GError                   **error);
gboolean            intake_store_get_counts           (IntakeStore               *self,
                                                       IntakeStoreCounts         *out_counts,
                                                       GError                   **error);
/* TRUE when the store answers a round trip and can be written to
 * (PostgreSQL: not a read-only or standby server; error NOT_WRITABLE). */
gboolean            intake_store_check_health         (IntakeStore               *self,
                                                       GError                   **error);
/* The slow, thorough check, safe to call from another thread while the
 * store serves (it touches nothing the store's own connection uses):
 * SQLite runs PRAGMA quick_check on a connection of its own (DAMAGED) and
 * writes, syncs and removes a probe file beside the database
 * (NOT_WRITABLE). TRUE at once for PostgreSQL, whose server guards its
 * files. */
gboolean            intake_store_check_files          (IntakeStore               *self,
                                                       GError                   **error);
/* The directory holding the store's files (SQLite), or NULL. */
const char         *intake_store_get_directory        (IntakeStore               *self);
/* A second connection to the same store (the same SQLite file, the same
 * PostgreSQL connection string and statement timeout), for another thread:
 * each of the two is used by one thread at a time, and they see each
 * other's commits as two processes would. The server commits uploads on
 * one (docs/server.md, "Group commit"). A SQLite connection opened so
 * does not copy its write-ahead log into the database after its own
 * commits: its owner calls intake_store_checkpoint(), from any thread, on
 * a connection of its own. */
IntakeStore        *intake_store_open_another         (IntakeStore               *self,
                                                       GError                   **error);
/* Copies what the write-ahead log holds into the database file, without
 * waiting for the store's readers or writers (SQLite's PASSIVE checkpoint:
 * what a reader still needs is copied next time). TRUE at once for
 * PostgreSQL. */
gboolean            intake_store_checkpoint           (IntakeStore               *self,
                                                       GError                   **error);
/* Stores @value under @name unless a value is there already, and returns
 * the value the store holds (the first one written wins, also between
 * several servers starting at once). With @value NULL only reads: NULL and
 * no error if unset. Used for "office_public", the office key the store's
 * envelopes are checked against. */
char               *intake_store_ensure_setting       (IntakeStore               *self,
                                                       const char                *name,
                                                       const char                *value,
                                                       GError                   **error);
/* Stores @value under @name, replacing what was there. */
gboolean            intake_store_set_setting          (IntakeStore               *self,
                                                       const char                *name,
                                                       const char                *value,
                                                       GError                   **error);
int                 intake_store_get_schema_version   (IntakeStore               *self);
/* "sqlite" or "postgresql", for logs. */
const char         *intake_store_get_backend_name     (IntakeStore               *self);

/* Review: reviewers ---------------------------------------------------- */

/* Registers an active reviewer with its roles and scope. REVIEWER_EXISTS
 * if an active reviewer has the name or the key is registered already.
 * @audit (may be NULL) is appended in the same transaction. */
gboolean            intake_store_add_reviewer         (IntakeStore               *self,
                                                       const IntakeStoreReviewer *reviewer,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* By id (exactly one of @reviewer_id, @name). By name: the active reviewer
 * of that name, else the newest revoked one. UNKNOWN_REVIEWER if none. */
IntakeStoreReviewer *intake_store_get_reviewer        (IntakeStore               *self,
                                                       const char                *reviewer_id,
                                                       const char                *name,
                                                       GError                   **error);
/* IntakeStoreReviewer, by creation time. */
GPtrArray          *intake_store_list_reviewers       (IntakeStore               *self,
                                                       GError                   **error);
/* Revokes the active reviewer @name (UNKNOWN_REVIEWER if none), with @audit. */
gboolean            intake_store_revoke_reviewer      (IntakeStore               *self,
                                                       const char                *name,
                                                       gint64                     now,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);

/* Review: submissions and workflow -------------------------------------- */

/* NULL and no error when there is no such submission. */
IntakeStoreSubmission *intake_store_get_submission    (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       GError                   **error);
/* IntakeStoreSubmission matching @filter: seq > after_seq in seq order, or
 * with @filter->descending seq < before_seq (0: from the newest) newest first,
 * at most limit (1..1000). Served by indexes: state, location, reference,
 * created_at. */
GPtrArray          *intake_store_list_submissions     (IntakeStore               *self,
                                                       const IntakeSubmissionFilter *filter,
                                                       GError                   **error);
/* Compare-and-set: when the submission's version is @expected_version,
 * sets the @workflow (state, unit, assignee, appointment), version + 1,
 * updated_at/by and change_seq (the seq @audit gets), and appends @audit
 * with result "ok"; otherwise changes nothing but appends @audit with
 * result "conflict" and sets *@out_conflict. Either way *@out_current (may
 * be NULL) gets the values now stored. Errors: UNKNOWN_SUBMISSION (@audit
 * then unused), INVALID (a state not listed in INTAKE_REVIEW_STATES, a
 * unit or assignee that is not a name). */
gboolean            intake_store_update_workflow      (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       const IntakeStoreWorkflow *workflow,
                                                       gint64                     expected_version,
                                                       const char                *updated_by,
                                                       gint64                     now,
                                                       IntakeAuditEvent          *audit,
                                                       IntakeStoreSubmission    **out_current,
                                                       gboolean                  *out_conflict,
                                                       GError                   **error);
/* Adds a note (an envelope) with the same compare-and-set and audit rules
 * as intake_store_update_workflow(); a note increments version and notes. */
gboolean            intake_store_add_note             (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       GBytes                    *note,
                                                       const char                *reviewer_id,
                                                       const char                *reviewer_name,
                                                       gint64                     expected_version,
                                                       gint64                     now,
                                                       IntakeAuditEvent          *audit,
                                                       IntakeStoreSubmission    **out_current,
                                                       gboolean                  *out_conflict,
                                                       GError                   **error);
/* The queue's counts: the submissions matching @filter's state, location,
 * reference, dates and scope (its view, order, cursor and limit are not
 * used), grouped by state, unit and assignee (IntakeStoreCountCell, with
 * assignee 1 for @filter->me), and the newest seq and change_seq among
 * them. Reads only: no transaction, nothing written. */
gboolean            intake_store_count_submissions    (IntakeStore               *self,
                                                       const IntakeSubmissionFilter *filter,
                                                       GPtrArray                **out_cells,
                                                       IntakeStoreCountMarks     *out_marks,
                                                       GError                   **error);
/* Calls @func with the metadata of every submission matching @filter (as
 * intake_store_count_submissions() reads it), in no particular order. */
gboolean            intake_store_foreach_fact         (IntakeStore               *self,
                                                       const IntakeSubmissionFilter *filter,
                                                       IntakeStoreFactFunc        func,
                                                       gpointer                   user_data,
                                                       GError                   **error);
void                intake_store_count_cell_free      (IntakeStoreCountCell      *cell);
/* The units the office assigns submissions to (docs/admin.md, "units"), in
 * the order configured; an empty list (never NULL) when none is configured.
 * Kept in the settings as "review_units". */
char              **intake_store_dup_units            (IntakeStore               *self,
                                                       GError                   **error);
/* Replaces the configured units; @audit (may be NULL) is appended after. */
gboolean            intake_store_set_units            (IntakeStore               *self,
                                                       const char * const        *units,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* IntakeStoreNote, oldest first. */
GPtrArray          *intake_store_list_notes           (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       GError                   **error);

/* Review: the audit log -------------------------------------------------- */

/* Appends @event: under the store's lock (a row lock on the head row in
 * PostgreSQL, so several servers never fork the chain) sets its seq, prev
 * and hash, inserts it and moves the head, in one transaction. */
gboolean            intake_store_append_audit         (IntakeStore               *self,
                                                       IntakeAuditEvent          *event,
                                                       GError                   **error);
/* Appends @n_events events (at least one) in this order, as
 * intake_store_append_audit() appends one, in one transaction: one durable
 * commit for all of them, and either all are in the log or none. */
gboolean            intake_store_append_audits        (IntakeStore               *self,
                                                       IntakeAuditEvent * const  *events,
                                                       guint                      n_events,
                                                       GError                   **error);
/* IntakeAuditEvent with seq > @after_seq in seq order, at most @limit;
 * only those whose object is @object when it is non-NULL. */
GPtrArray          *intake_store_list_audit           (IntakeStore               *self,
                                                       const char                *object,
                                                       gint64                     after_seq,
                                                       guint                      limit,
                                                       GError                   **error);
/* The head row: the last appended seq and hash (0 and zeros when empty). */
gboolean            intake_store_get_audit_head       (IntakeStore               *self,
                                                       gint64                    *out_seq,
                                                       char                      *out_hash,
                                                       GError                   **error);
/* Walks the whole log in seq order against the head row; @verifier holds
 * the result (initialize it first, clear it after). FALSE with @error only
 * when the store fails. */
gboolean            intake_store_verify_audit         (IntakeStore               *self,
                                                       IntakeAuditVerifier       *verifier,
                                                       GError                   **error);

/* Review: help requests and questionnaires ------------------------------- */

/* Stores one help request from @device_id unless (device, @client_key)
 * is there already (*@out_new FALSE). The location is the device's. */
gboolean            intake_store_put_help_request     (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *client_key,
                                                       gint64                     created_at,
                                                       const char                *language,
                                                       gint64                     received_at,
                                                       gboolean                  *out_new,
                                                       GError                   **error);
/* IntakeStoreHelpRequest with created_at in [@from, @to), oldest first. */
GPtrArray          *intake_store_list_help_requests   (IntakeStore               *self,
                                                       gint64                     from,
                                                       gint64                     to,
                                                       GError                   **error);
/* The help requests no one has marked handled yet (IntakeStoreHelpRequest
 * with id and location), oldest first, at most @limit (1..1000). */
GPtrArray          *intake_store_list_open_help_requests (IntakeStore            *self,
                                                       guint                      limit,
                                                       GError                   **error);
/* Marks help request @id handled by @handled_by at @now and appends @audit
 * (result "ok") in the same transaction. One already handled is left as it
 * was (*@out_already, @audit then gets result "conflict"). *@out_request
 * (may be NULL) gets the request as stored now. UNKNOWN_HELP_REQUEST (no
 * audit appended) when there is no such id, OUT_OF_SCOPE when @locations
 * (NULL: every location) does not hold the request's location. */
gboolean            intake_store_handle_help_request  (IntakeStore               *self,
                                                       gint64                     id,
                                                       const char * const        *locations,
                                                       const char                *handled_by,
                                                       gint64                     now,
                                                       IntakeAuditEvent          *audit,
                                                       IntakeStoreHelpRequest   **out_request,
                                                       gboolean                  *out_already,
                                                       GError                   **error);
/* Remembers a signed questionnaire by (id, version, hash); the first copy wins. */
gboolean            intake_store_put_questionnaire    (IntakeStore               *self,
                                                       const IntakeStoreQuestionnaire *questionnaire,
                                                       GError                   **error);
/* IntakeStoreQuestionnaire, by id and version. */
GPtrArray          *intake_store_list_questionnaires  (IntakeStore               *self,
                                                       GError                   **error);

/* Staff access ---------------------------------------------------------- */

/* Stores a pending activation for @setup->name, replacing one pending for
 * that name; @audit (may be NULL) in the same transaction. */
gboolean            intake_store_put_reviewer_setup   (IntakeStore               *self,
                                                       const IntakeStoreReviewerSetup *setup,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* The pending activation for @name, or NULL and no error if there is none. */
IntakeStoreReviewerSetup *intake_store_get_reviewer_setup (IntakeStore           *self,
                                                       const char                *name,
                                                       GError                   **error);
/* IntakeStoreReviewerSetup, by creation time. */
GPtrArray          *intake_store_list_reviewer_setups (IntakeStore               *self,
                                                       GError                   **error);

/* Records what the kiosk @device_id reported (one statement). */
gboolean            intake_store_record_check_in      (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const IntakeStoreCheckIn  *report,
                                                       gint64                     now,
                                                       GError                   **error);

/* Office key rotation (schema 9; docs/server.md, "Rotating the office key") */

/* The sealed office keys (GBytes *, IKOG) a reviewer is handed at unlock:
 * every office key sealed to its successor, and those sealed to
 * @reviewer_id (NULL: none of those). */
GPtrArray          *intake_store_list_office_key_seals (IntakeStore              *self,
                                                       const char                *reviewer_id,
                                                       GError                   **error);
void                intake_store_office_key_seal_clear (IntakeStoreOfficeKeySeal *seal);
/* In one transaction: checks that the store still serves
 * @rotation->expected_office_public (INVALID otherwise), makes
 * new_office_public the key served, appends the statement to the
 * setting "office_rotations", stores the seals, removes the pending
 * activations named, and appends @audit. */
gboolean            intake_store_rotate_office        (IntakeStore               *self,
                                                       const IntakeStoreOfficeRotation *rotation,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* In one transaction: checks that the store is pinned to the server key
 * @expected_public (base64; INVALID otherwise), pins it to @new_public and
 * @new_key_id (settings "server_public", "server_key_id"), appends
 * @statement (base64 IKSR) to the setting "server_rotations", and appends
 * @audit. */
gboolean            intake_store_roll_server_key      (IntakeStore               *self,
                                                       const char                *expected_public,
                                                       const char                *new_public,
                                                       const char                *new_key_id,
                                                       const char                *statement,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* Adds @office_key_id to the setting "office_retired" and deletes its
 * seals, unless an envelope or a note is still sealed for it (INVALID,
 * with the count). The caller checks that it is not the current key. */
gboolean            intake_store_retire_office_key    (IntakeStore               *self,
                                                       const char                *office_key_id,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* In one transaction: takes the pending activation of @reviewer->name
 * (UNKNOWN_SETUP if there is none or it expired before @now), revokes the
 * active reviewer of that name (a reset replaces the key), registers
 * @reviewer (id, key, blob, created_at) with the activation's roles and
 * scope, removes the activation and the name's failed-unlock count, and
 * appends @audit. */
gboolean            intake_store_activate_reviewer    (IntakeStore               *self,
                                                       const IntakeStoreReviewer *reviewer,
                                                       gint64                     now,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* Replaces the blob of the active reviewer @reviewer_id (a new passphrase)
 * and forgets the failed unlocks of @name_key, with @audit.
 * UNKNOWN_REVIEWER if that reviewer is not active. */
gboolean            intake_store_set_reviewer_blob    (IntakeStore               *self,
                                                       const char                *reviewer_id,
                                                       GBytes                    *blob,
                                                       const char                *name_key,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* Sets the roles and scope (NULL: every location or unit) of the active
 * reviewer @name, with @audit. UNKNOWN_REVIEWER if there is none. */
gboolean            intake_store_set_reviewer_access  (IntakeStore               *self,
                                                       const char                *name,
                                                       guint                      roles,
                                                       const char * const        *locations,
                                                       const char * const        *units,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
/* The failed-unlock count of @name_key (zeros when there is none). */
gboolean            intake_store_get_throttle         (IntakeStore               *self,
                                                       const char                *name_key,
                                                       IntakeStoreThrottle       *out_throttle,
                                                       GError                   **error);
/* After an unlock or activation proof was checked, in one transaction (so
 * a success and a failure cost the same): uses the challenge's nonce
 * (*@out_fresh FALSE, and nothing else done, if it was used before); on
 * success forgets the failures and appends the success event; on failure
 * counts it and, at every lock_after-th failure in a row, locks the name
 * until now + lock_seconds (*@out_locked_until) and appends the lock event. */
gboolean            intake_store_finish_unlock        (IntakeStore               *self,
                                                       const IntakeStoreUnlockOutcome *outcome,
                                                       gboolean                  *out_fresh,
                                                       gint64                    *out_locked_until,
                                                       GError                   **error);
/* Forgets the failed unlocks of @name_key (an administrator lifts a
 * lockout), with @audit. */
gboolean            intake_store_clear_throttle       (IntakeStore               *self,
                                                       const char                *name_key,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);
void                intake_store_reviewer_setup_free  (IntakeStoreReviewerSetup  *setup);
/* hex(BLAKE2b-256("intake-unlock-name-v1" || name)): what the store counts
 * failed unlocks by (docs/protocol.md, "Unlock"). */
char               *intake_store_name_key             (const char                *name);

/* Replay ---------------------------------------------------------------- */

/* Records that @signer (a device or reviewer id, or another kind of
 * signer named by a prefix such as "unlock:") used @nonce, which the
 * server would accept until @expires_at. *@out_fresh is FALSE when the
 * pair was recorded before: a replay. Committed before it returns, so it
 * holds across server instances and restarts. */
gboolean            intake_store_use_nonce            (IntakeStore               *self,
                                                       const char                *signer,
                                                       const char                *nonce,
                                                       gint64                     expires_at,
                                                       gboolean                  *out_fresh,
                                                       GError                   **error);
/* Forgets nonces that expired before @now (their timestamps are outside
 * the window, so they would be refused anyway). */
gboolean            intake_store_prune_nonces         (IntakeStore               *self,
                                                       gint64                     now,
                                                       guint                     *out_removed,
                                                       GError                   **error);

/* Retention and erasure (docs/privacy.md) ------------------------------- */

/* The defaults above. */
void                intake_retention_init             (IntakeRetention           *retention);
/* "closed", "maximum", "help": the rule's name in audit events and logs. */
const char         *intake_retention_rule_to_string   (IntakeRetentionRule        rule);
/* "--retain-closed-days" ...: the option of intake-server and
 * intake-admin purge that sets the rule. */
const char         *intake_retention_rule_option      (IntakeRetentionRule        rule);
/* Sets @rule to @days, or INVALID naming the option when @days is out of
 * range (0 to INTAKE_RETENTION_MAX_DAYS for the closed rule, which 0 turns
 * off; from 1 for the others). */
gboolean            intake_retention_set_days         (IntakeRetention           *retention,
                                                       IntakeRetentionRule        rule,
                                                       gint64                     days,
                                                       GError                   **error);
/* Applies @retention at @now: removes the closed submissions, then every
 * submission past the maximum, then the help requests past theirs. A
 * submission goes with its envelope, notes, workflow row and logged
 * conflicts (intake_store_erase_submission()); the audit log keeps its
 * rows. Each batch (up to 500 submissions) is one transaction with one
 * audit event (@actor, action "purge", object "rule=R days=N", result
 * "ok removed=K", @origin) and no personal data. Afterwards the freed
 * space is reclaimed (SQLite: secure_delete zeroed the freed pages, the
 * WAL is checkpointed and truncated; PostgreSQL: VACUUM of the touched
 * tables). @out_counts (INTAKE_RETENTION_N_RULES, may be NULL): how many
 * were removed per rule, or with @dry_run how many would be (nothing is
 * written, no audit event). */
gboolean            intake_store_purge                (IntakeStore               *self,
                                                       const IntakeRetention     *retention,
                                                       gint64                     now,
                                                       gboolean                   dry_run,
                                                       const char                *actor,
                                                       const char                *origin,
                                                       gint64                    *out_counts,
                                                       GError                   **error);
/* Removes one submission as the purge does, with @audit (its result set
 * to "ok" unless it holds one already) in the same transaction, then
 * reclaims the space. UNKNOWN_SUBMISSION (nothing written) if there is
 * no such submission. */
gboolean            intake_store_erase_submission     (IntakeStore               *self,
                                                       const char                *device_id,
                                                       const char                *submission_id,
                                                       IntakeAuditEvent          *audit,
                                                       GError                   **error);

gboolean            intake_review_state_is_valid      (const char                *state);
void                intake_store_reviewer_free        (IntakeStoreReviewer       *reviewer);
void                intake_store_submission_free      (IntakeStoreSubmission     *submission);
void                intake_store_note_free            (IntakeStoreNote           *note);
void                intake_store_help_request_free    (IntakeStoreHelpRequest    *request);
void                intake_store_questionnaire_free   (IntakeStoreQuestionnaire  *questionnaire);
const char         *intake_reviewer_status_to_string  (IntakeReviewerStatus       status);

IntakeStoreDevice  *intake_store_device_copy          (const IntakeStoreDevice   *device);
void                intake_store_device_free          (IntakeStoreDevice         *device);
const char         *intake_device_status_to_string    (IntakeDeviceStatus         status);
const char         *intake_envelope_source_to_string  (IntakeEnvelopeSource       source);
gboolean            intake_envelope_source_from_string (const char               *text,
                                                        IntakeEnvelopeSource     *out_source);

/* Fills the routing fields of @meta from a verified @header and the
 * envelope's bytes. */
void                intake_store_envelope_init        (IntakeStoreEnvelope        *meta,
                                                       const IntakeEnvelopeHeader *header,
                                                       GBytes                     *envelope,
                                                       gint64                      received_at,
                                                       IntakeEnvelopeSource        source);
/* The same with the envelope's SHA-256 (hex) already computed. */
void                intake_store_envelope_init_hashed (IntakeStoreEnvelope        *meta,
                                                       const IntakeEnvelopeHeader *header,
                                                       GBytes                     *envelope,
                                                       const char                 *sha256_hex,
                                                       gint64                      received_at,
                                                       IntakeEnvelopeSource        source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreDevice, intake_store_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreReviewer, intake_store_reviewer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreReviewerSetup, intake_store_reviewer_setup_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreSubmission, intake_store_submission_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreNote, intake_store_note_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreHelpRequest, intake_store_help_request_free)

G_END_DECLS

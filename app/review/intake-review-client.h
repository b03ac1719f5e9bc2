/* intake-review-client.h: the reviewer's side of the review protocol (docs/protocol.md, docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Unlocks a reviewer (the server hands out the passphrase-wrapped key blob,
 * which is opened here, never on the server), signs every further request
 * with the reviewer key, and decrypts envelopes locally with the office
 * secret the blob carries. No GTK: the review app and intake-admin export
 * share it.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "intake-export.h"
#include "intake-keys.h"
#include "intake-questionnaire-set.h"
#include "intake-roles.h"
#include "intake-secure.h"
#include "intake-submission.h"

G_BEGIN_DECLS

#define INTAKE_REVIEW_CLIENT_ERROR (intake_review_client_error_quark ())

/**
 * IntakeReviewClientError:
 * @INTAKE_REVIEW_CLIENT_ERROR_WRONG_CREDENTIALS: the name and passphrase do not
 *   belong together (unknown or revoked name, or a wrong passphrase: which one is
 *   deliberately not said)
 * @INTAKE_REVIEW_CLIENT_ERROR_SLOW_DOWN: too many failed attempts with this name: it is locked
 *   for a while (429 locked_out)
 * @INTAKE_REVIEW_CLIENT_ERROR_LOCKED: the client is not unlocked
 * @INTAKE_REVIEW_CLIENT_ERROR_CONFLICT: another reviewer changed the submission
 *   first (409 version_conflict); the current values are returned beside it
 * @INTAKE_REVIEW_CLIENT_ERROR_REFUSED: the server refused the request (4xx)
 * @INTAKE_REVIEW_CLIENT_ERROR_SERVER: the server failed or could not be reached
 * @INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL: the answer is not what the protocol says
 * @INTAKE_REVIEW_CLIENT_ERROR_NO_WORKSTATION_KEY: this computer has no (or another) workstation key
 *   for the name: activate, or restore it from the recovery sheet
 * @INTAKE_REVIEW_CLIENT_ERROR_WEAK_PASSPHRASE: a new password is too short
 * @INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN: the server refused for the reviewer's role or scope (403);
 *   the message is the server's, in plain words
 */
typedef enum {
  INTAKE_REVIEW_CLIENT_ERROR_WRONG_CREDENTIALS,
  INTAKE_REVIEW_CLIENT_ERROR_SLOW_DOWN,
  INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
  INTAKE_REVIEW_CLIENT_ERROR_CONFLICT,
  INTAKE_REVIEW_CLIENT_ERROR_REFUSED,
  INTAKE_REVIEW_CLIENT_ERROR_SERVER,
  INTAKE_REVIEW_CLIENT_ERROR_PROTOCOL,
  INTAKE_REVIEW_CLIENT_ERROR_NO_WORKSTATION_KEY,
  INTAKE_REVIEW_CLIENT_ERROR_WEAK_PASSPHRASE,
  INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN,
} IntakeReviewClientError;

GQuark intake_review_client_error_quark (void);

/* What the server knows about a submission (no personal data). */
typedef struct {
  gint64  seq;
  char   *key;                /* "DEVICE_ID-SUBMISSION_ID": names it in requests */
  char   *submission_id;
  char   *reference;
  gint64  received_at;
  gint64  created_at;
  char   *location;
  char   *device_id;
  char   *questionnaire_id;
  guint32 questionnaire_version;
  char   *questionnaire_hash;
  char   *state;
  char   *unit;
  gint64  version;
  gint64  updated_at;
  char   *updated_by;
  gint64  notes;
  /* protocol 2, "The queue" */
  char   *assignee;           /* a reviewer's name, "" when nobody */
  gint64  appointment_at;     /* the planned conversation, Unix seconds; 0 when none */
  gint64  change_seq;         /* the audit seq of the last workflow change or note */
} IntakeReviewMeta;

#define INTAKE_TYPE_REVIEW_META (intake_review_meta_get_type ())
GType             intake_review_meta_get_type  (void) G_GNUC_CONST;
IntakeReviewMeta *intake_review_meta_copy      (const IntakeReviewMeta *self);
void              intake_review_meta_free      (IntakeReviewMeta       *self);
/* Reads a submission object of the protocol; NULL when a member is missing. */
IntakeReviewMeta *intake_review_meta_new_from_json (JsonObject         *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewMeta, intake_review_meta_free)

/* The states of docs/protocol.md, in workflow order (NULL-terminated). */
const char * const *intake_review_states          (void);
/* "New", "In review", ... in the staff's language; the code itself when unknown. */
const char         *intake_review_state_label     (const char *state);

/* The views of the queue (docs/protocol.md, "The queue"). */
typedef enum {
  INTAKE_REVIEW_VIEW_ALL,
  INTAKE_REVIEW_VIEW_TODO,   /* not closed, and mine or new and nobody's */
  INTAKE_REVIEW_VIEW_MINE,   /* not closed and assigned to me */
} IntakeReviewView;

/* A list filter; NULL / 0 members are not sent. */
typedef struct {
  const char *state;
  const char *location;
  const char *reference;
  gint64      from;        /* created_at, Unix seconds */
  gint64      to;
  gint64      after;       /* paging cursor (oldest first): the seq of the last row seen */
  guint       limit;       /* 0: the server's default (100) */
  gboolean    newest_first;
  gint64      before;      /* paging cursor (newest first): the seq of the last row seen */
  IntakeReviewView view;
  gboolean    by_changes;  /* only rows with change_seq > changed_after */
  gint64      changed_after;
} IntakeReviewFilter;

/* A copy of @filter's strings, owned by the copy (free with
 * intake_review_filter_free()). */
IntakeReviewFilter *intake_review_filter_copy   (const IntakeReviewFilter *filter);
void                intake_review_filter_free   (IntakeReviewFilter       *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewFilter, intake_review_filter_free)

/* GET /v1/review/counts: the queue's numbers within the reviewer's scope. */
typedef struct {
  char   *unit;
  char   *state;
  gint64  count;
} IntakeReviewUnitCount;

typedef struct {
  gint64     total;
  gint64     latest_seq;   /* the newest submission: new ones arrived when it grows */
  gint64     changes;      /* the highest change_seq: colleagues changed something when it grows */
  gint64     states[5];    /* in the order of intake_review_states() */
  gint64     todo;
  gint64     mine;
  GPtrArray *units;        /* IntakeReviewUnitCount */
} IntakeReviewCounts;

void     intake_review_counts_free      (IntakeReviewCounts *counts);
/* The count of @state ("new"), 0 for an unknown one. */
gint64   intake_review_counts_get_state (const IntakeReviewCounts *counts,
                                         const char               *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewCounts, intake_review_counts_free)

/* GET /v1/review/assignees: who can take a submission. */
typedef struct {
  char  *name;
  char **locations;        /* NULL: every location */
  char **units;            /* NULL: every unit */
} IntakeReviewAssignee;

void     intake_review_assignee_free    (IntakeReviewAssignee *assignee);
/* May @assignee see a submission at @location in @unit ("" none)? */
gboolean intake_review_assignee_covers  (const IntakeReviewAssignee *assignee,
                                         const char                 *location,
                                         const char                 *unit);

/* What a workflow change sends (docs/protocol.md): @assignee NULL is not
 * sent (the server keeps it), "" clears it; @appointment_at -1 is not sent,
 * 0 clears it. */
typedef struct {
  const char *state;
  const char *unit;
  const char *assignee;
  gint64      appointment_at;
} IntakeReviewWorkflowChange;

#define INTAKE_TYPE_REVIEW_CLIENT (intake_review_client_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewClient, intake_review_client, INTAKE, REVIEW_CLIENT, GObject)

IntakeReviewClient *intake_review_client_new            (const char          *server_url);
const char         *intake_review_client_get_server_url (IntakeReviewClient  *self);
/* The reviewer's name once unlocked, else NULL. */
const char         *intake_review_client_get_name       (IntakeReviewClient  *self);
const char         *intake_review_client_get_reviewer_id (IntakeReviewClient *self);
gboolean            intake_review_client_is_unlocked    (IntakeReviewClient  *self);
/* The TLS trust for an https server with a private CA (NULL: the system's). */
void                intake_review_client_set_tls_database (IntakeReviewClient *self,
                                                           GTlsDatabase       *database);

/* The roles (IntakeRoles) and scope of the unlocked reviewer, as the
 * server said; NULL scope: every location or unit. The server enforces
 * them; the app uses them to hide what the reviewer cannot do. */
guint               intake_review_client_get_roles      (IntakeReviewClient  *self);
gboolean            intake_review_client_can            (IntakeReviewClient  *self,
                                                         IntakePermission     permission);
const char * const *intake_review_client_get_locations  (IntakeReviewClient  *self);
const char * const *intake_review_client_get_units      (IntakeReviewClient  *self);
/* Keep the workstation key in this key file rather than the keyring or
 * the data directory (intake-admin --workstation-key); NULL: the store. */
void                intake_review_client_set_workstation_key_file (IntakeReviewClient *self,
                                                                   const char         *path);

/* docs/protocol.md, "Unlock": the workstation key for @name is looked up
 * (keyring or file, in a thread), the server's challenge is signed with
 * the key derived from @passphrase and it (Argon2id in a thread, about a
 * second) and the blob the server then releases is opened here. @passphrase
 * is copied. Errors: WRONG_CREDENTIALS, SLOW_DOWN (locked out),
 * NO_WORKSTATION_KEY, SERVER, PROTOCOL. */
void                intake_review_client_unlock_async   (IntakeReviewClient       *self,
                                                         const char               *name,
                                                         const IntakeSecureBuffer *passphrase,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
gboolean            intake_review_client_unlock_finish  (IntakeReviewClient       *self,
                                                         GAsyncResult             *result,
                                                         GError                  **error);
/* docs/protocol.md, "Activation": with the one-time @code, takes over the
 * office secret, makes this reviewer's signing key and a new workstation
 * key, seals them with @passphrase (at least 12 bytes: WEAK_PASSPHRASE)
 * and registers the key; the client is then unlocked. Returns the new
 * workstation key (for its recovery code), kept on this computer unless
 * *@out_kept is FALSE (@out_kept_error says why). */
void                intake_review_client_activate_async (IntakeReviewClient       *self,
                                                         const char               *name,
                                                         const char               *code,
                                                         const IntakeSecureBuffer *passphrase,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
IntakeWorkstationKey *intake_review_client_activate_finish (IntakeReviewClient    *self,
                                                         GAsyncResult             *result,
                                                         gboolean                 *out_kept,
                                                         char                    **out_kept_error,
                                                         GError                  **error);
/* docs/protocol.md, "Passphrase change": @current must still open the key
 * (WRONG_CREDENTIALS); @replacement at least 12 bytes (WEAK_PASSPHRASE).
 * The workstation key stays. */
void                intake_review_client_change_passphrase_async  (IntakeReviewClient       *self,
                                                                   const IntakeSecureBuffer *current,
                                                                   const IntakeSecureBuffer *replacement,
                                                                   GCancellable             *cancellable,
                                                                   GAsyncReadyCallback       callback,
                                                                   gpointer                  user_data);
gboolean            intake_review_client_change_passphrase_finish (IntakeReviewClient       *self,
                                                                   GAsyncResult             *result,
                                                                   GError                  **error);
/* For an administrator: a new activation for @name (a new reviewer, or a
 * reset of one), sealed with a new code from this reviewer's own office
 * secret. @keep_access: a reset that keeps the reviewer's roles and scope;
 * else @roles (IntakeRoles) and the scope (NULL: every location or unit).
 * @ttl_seconds 0: the server's default (72 hours). Returns the code, to be
 * handed to the reviewer in person. */
void                intake_review_client_create_activation_async  (IntakeReviewClient  *self,
                                                                   const char          *name,
                                                                   guint                roles,
                                                                   const char * const  *locations,
                                                                   const char * const  *units,
                                                                   gboolean             keep_access,
                                                                   gint64               ttl_seconds,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
char               *intake_review_client_create_activation_finish (IntakeReviewClient  *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
/* Wipes the keys; the client can be unlocked again. */
void                intake_review_client_lock           (IntakeReviewClient       *self);

/* A signed request. @body may be NULL. The result is the parsed answer of a
 * 2xx response. A 409 gives CONFLICT and, with @out_conflict, the answer's
 * "current" object. */
void                intake_review_client_request_async  (IntakeReviewClient  *self,
                                                         const char          *method,
                                                         const char          *path_and_query,
                                                         GBytes              *body,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
JsonNode           *intake_review_client_request_finish (IntakeReviewClient  *self,
                                                         GAsyncResult        *result,
                                                         JsonNode           **out_conflict,
                                                         GError             **error);

/* GET /v1/review/submissions: a page of IntakeReviewMeta; @out_next_after
 * is the cursor for the next page (after, or before when newest first), or
 * -1 at the end. */
void                intake_review_client_list_async     (IntakeReviewClient       *self,
                                                         const IntakeReviewFilter *filter,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
GPtrArray          *intake_review_client_list_finish    (IntakeReviewClient       *self,
                                                         GAsyncResult             *result,
                                                         gint64                   *out_next_after,
                                                         GError                  **error);
/* The keys (DEVICE_ID-SUBMISSION_ID, char *) of every submission of
 * @filter, all its pages in turn (metadata only): what an export or a
 * subject access request then opens one by one. */
void                intake_review_client_list_keys_async (IntakeReviewClient     *self,
                                                         const IntakeReviewFilter *filter,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
GPtrArray          *intake_review_client_list_keys_finish (IntakeReviewClient    *self,
                                                         GAsyncResult             *result,
                                                         GError                  **error);
/* The query string of a list request ("/v1/review/submissions?..."). */
char               *intake_review_filter_to_path        (const IntakeReviewFilter *filter);

/* A caseworker's note: an envelope sealed for the office key and signed with
 * the reviewer's key as device key; its plaintext is {"note": "text"} and
 * its questionnaire id "intake-note" (docs/review.md). */
typedef struct {
  char               *reviewer;     /* the name the server recorded */
  gint64              created_at;
  IntakeSecureBuffer *text;         /* UTF-8, NUL-terminated; wiped on free */
} IntakeReviewNote;

void              intake_review_note_free       (IntakeReviewNote       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewNote, intake_review_note_free)

/* GET /v1/review/submissions/KEY (IntakeReviewMeta.key), the envelope opened here: the submission
 * (its strings in secure memory), its metadata and, with @out_notes, its
 * notes (IntakeReviewNote, oldest first; a note that does not open is left
 * out with a warning). */
void                intake_review_client_fetch_async    (IntakeReviewClient  *self,
                                                         const char          *key,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
IntakeSubmission   *intake_review_client_fetch_finish   (IntakeReviewClient  *self,
                                                         GAsyncResult        *result,
                                                         IntakeReviewMeta   **out_meta,
                                                         GPtrArray          **out_notes,
                                                         GError             **error);
/* One key of intake_review_client_fetch_many_async(): what
 * intake_review_client_fetch_finish() gives for it, or why not. */
typedef struct {
  char             *key;
  IntakeSubmission *submission;  /* NULL when @error is set */
  IntakeReviewMeta *meta;
  GPtrArray        *notes;       /* IntakeReviewNote */
  GError           *error;       /* as a single fetch of the key would fail: refused (404 not_found:
                                  * REFUSED; 403 out_of_scope: FORBIDDEN), or it does not open */
} IntakeReviewFetched;

void              intake_review_fetched_free    (IntakeReviewFetched    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewFetched, intake_review_fetched_free)

/* Fetches @n_keys submissions as intake_review_client_fetch_async() fetches
 * one (the same checks, the envelopes opened here), with one
 * POST /v1/review/submissions/fetch per 100 keys (one after another; for
 * several at once, make several calls). The result: an IntakeReviewFetched
 * per key, in the order of @keys; a key the server refuses or whose
 * envelope does not open has its own error. The call fails as a whole when
 * a request does (unreachable, 5xx, a role that may not read, cancelled).
 * A server without the batch fetch (404 or 405) is asked one key at a time,
 * four at once, from then on until the client is locked. */
void                intake_review_client_fetch_many_async  (IntakeReviewClient  *self,
                                                            const char * const  *keys,
                                                            guint                n_keys,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GPtrArray          *intake_review_client_fetch_many_finish (IntakeReviewClient  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
/* Opens an envelope with the office secret of the unlocked reviewer. */
IntakeSubmission   *intake_review_client_open_envelope  (IntakeReviewClient  *self,
                                                         GBytes              *envelope,
                                                         GError             **error);

/* POST .../workflow with @expected_version. On CONFLICT @out_current (when
 * given) holds the other reviewer's values. The result has the new values. */
void                intake_review_client_update_workflow_async  (IntakeReviewClient  *self,
                                                                 const char          *key,
                                                                 const IntakeReviewWorkflowChange *change,
                                                                 gint64               expected_version,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
IntakeReviewMeta   *intake_review_client_update_workflow_finish (IntakeReviewClient  *self,
                                                                 GAsyncResult        *result,
                                                                 IntakeReviewMeta   **out_current,
                                                                 GError             **error);

/* POST .../notes with @expected_version: seals @text for the office. As the
 * workflow call: CONFLICT with @out_current when another reviewer was first. */
void                intake_review_client_add_note_async  (IntakeReviewClient  *self,
                                                          const char          *key,
                                                          const char          *text,
                                                          gint64               expected_version,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
IntakeReviewMeta   *intake_review_client_add_note_finish (IntakeReviewClient  *self,
                                                          GAsyncResult        *result,
                                                          IntakeReviewMeta   **out_current,
                                                          GError             **error);

/* GET /v1/review/counts for @filter's location, dates and reference (not
 * audited on the server: the app polls it). */
void                intake_review_client_counts_async   (IntakeReviewClient       *self,
                                                         const IntakeReviewFilter *filter,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
IntakeReviewCounts *intake_review_client_counts_finish  (IntakeReviewClient       *self,
                                                         GAsyncResult             *result,
                                                         GError                  **error);
/* GET /v1/review/units: the office's units, in order. */
void                intake_review_client_units_async    (IntakeReviewClient       *self,
                                                         GCancellable             *cancellable,
                                                         GAsyncReadyCallback       callback,
                                                         gpointer                  user_data);
char              **intake_review_client_units_finish   (IntakeReviewClient       *self,
                                                         GAsyncResult             *result,
                                                         GError                  **error);
/* GET /v1/review/assignees: IntakeReviewAssignee, by name. */
void                intake_review_client_assignees_async  (IntakeReviewClient     *self,
                                                           GCancellable           *cancellable,
                                                           GAsyncReadyCallback     callback,
                                                           gpointer                user_data);
GPtrArray          *intake_review_client_assignees_finish (IntakeReviewClient     *self,
                                                           GAsyncResult           *result,
                                                           GError                **error);
/* The query string of a counts or stats request ("/v1/review/counts?...")
 * for @filter's location, dates and reference. */
char               *intake_review_filter_to_counts_path (const IntakeReviewFilter *filter,
                                                         const char               *endpoint);

/* GET .../audit: the "events" array (JsonNode of an array). */
void                intake_review_client_audit_async    (IntakeReviewClient  *self,
                                                         const char          *key,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
JsonArray          *intake_review_client_audit_finish   (IntakeReviewClient  *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* POST /v1/review/events: an access only the client witnesses ("view",
 * "decrypt", "export", "search", "dashboard"). @callback may be NULL. */
void                intake_review_client_report_event_async  (IntakeReviewClient  *self,
                                                              const char          *action,
                                                              const char          *object,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean            intake_review_client_report_event_finish (IntakeReviewClient  *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* The built-in questionnaire plus every version the server has seen
 * (GET /v1/review/questionnaires, each verified with the office key). */
void                intake_review_client_load_questionnaires_async  (IntakeReviewClient  *self,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
IntakeQuestionnaireSet *intake_review_client_load_questionnaires_finish (IntakeReviewClient *self,
                                                                         GAsyncResult       *result,
                                                                         GError            **error);

/* Export (docs/export.md): every submission of @filter (its after and limit
 * are ignored) or, when @ids is given, exactly those submission ids, one at
 * a time fetched, decrypted here and streamed to @out, which is closed at
 * the end. One file has the columns of one questionnaire: that of the first
 * submission; submissions of another questionnaire are left out and counted.
 * Reports one "export" event naming the format, the filter (never a name)
 * and the row count. @progress (may be NULL) is called in the caller's
 * context after each submission with (done, total). */
typedef void (*IntakeReviewExportProgress) (guint    done,
                                            guint    total,
                                            gpointer user_data);

void                intake_review_client_export_async   (IntakeReviewClient         *self,
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
                                                         gpointer                    user_data);
gboolean            intake_review_client_export_finish  (IntakeReviewClient         *self,
                                                         GAsyncResult               *result,
                                                         guint64                    *out_rows,
                                                         guint                      *out_skipped,
                                                         GError                    **error);

G_END_DECLS

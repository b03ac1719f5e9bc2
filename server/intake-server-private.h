/* intake-server-private.h: shared by intake-server.c and its route files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * intake-server.c owns the object, listening, dispatch, request logging,
 * body limits, health and metrics; intake-server-kiosk.c answers the
 * kiosks' routes and intake-server-review.c the reviewers' (/v1/review/...).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "intake-accept.h"
#include "intake-server-health.h"
#include "intake-server-listener.h"
#include "intake-server.h"
#include "intake-server-util.h"

G_BEGIN_DECLS

/* Prometheus histogram buckets of the request duration. */
#define INTAKE_SERVER_N_DURATION_BUCKETS 13

/* Body limits per endpoint beyond the protocol's two (docs/protocol.md,
 * "Limits"): help requests are at most 100 short objects; a review note
 * carries one envelope (at most 2 MiB, a third more in base64). */
#define INTAKE_SERVER_MAX_HELP_BODY      (64 * 1024)
#define INTAKE_SERVER_MAX_REVIEW_BODY    (4 * 1024 * 1024)
/* POST /v1/review/submissions/fetch: at most 100 keys of 65 bytes, quoted. */
#define INTAKE_SERVER_MAX_FETCH_MANY_BODY (16 * 1024)
/* Large bodies one device or reviewer may send at once. */
#define INTAKE_SERVER_BODIES_PER_SIGNER  4

typedef enum {
  INTAKE_SERVER_ROUTE_OTHER,
  INTAKE_SERVER_ROUTE_HEALTHZ,
  INTAKE_SERVER_ROUTE_METRICS,
  INTAKE_SERVER_ROUTE_ENROLL,
  INTAKE_SERVER_ROUTE_ENVELOPES,
  INTAKE_SERVER_ROUTE_QUESTIONNAIRE,
  INTAKE_SERVER_ROUTE_HELP_REQUESTS,
  INTAKE_SERVER_ROUTE_REVIEW,
  INTAKE_SERVER_ROUTE_OFFICE_KEYS,
  INTAKE_SERVER_ROUTE_CHECK_IN,
  INTAKE_SERVER_N_ROUTES
} IntakeServerRoute;

/* What one request did, for its log line: ids and counts only, never
 * anything a resident wrote. */
typedef struct {
  gint64             started;               /* monotonic, microseconds */
  IntakeServerRoute  route;
  char              *path;                  /* sanitized, for the log */
  char               device_id[INTAKE_HEX_ID_LEN];
  char               reviewer_id[INTAKE_HEX_ID_LEN];
  const char        *error;                 /* the error code answered, if any */
  guint              counts[INTAKE_ACCEPT_N_STATUS];
  gsize              body_seen;             /* request body bytes read so far */
  gsize              body_limit;            /* this endpoint's */
  gboolean           refused;               /* answered while the body was read */
  gboolean           pending;               /* holds one of the pending-body slots */
  char               signer[INTAKE_HEX_ID_LEN]; /* whose slot */
} IntakeRequestLog;

struct _IntakeServer
{
  GObject                    parent_instance;

  SoupServer                *soup;
  IntakeServerListener      *listener;
  IntakeServerLimits         limits;
  IntakeStore               *store;
  IntakeServerHealth        *health;
  char                      *office_key_id;    /* the current key, as office_blob */
  GBytes                    *office_blob;
  IntakeOfficeKeys          *office_keys;      /* every key the store knows, retired ones named */
  GPtrArray                 *server_rotations; /* GBytes * (IKSR), oldest first */
  gint64                     tls_not_after;    /* the TLS certificate's expiry, 0 without TLS */
  IntakeDeviceKey           *server_key;
  IntakeDevicePublic         server_public;
  char                      *server_key_id;
  char                      *store_generation; /* Intake-Store-Generation, read at start */
  IntakeSignedQuestionnaire *questionnaire;
  gboolean                   tls;

  /* Group commit across requests (intake-server-kiosk.c): uploads whose
   * envelopes are checked and that wait, paused, for the next commit,
   * which runs in a thread on a connection of its own (upload_store)
   * while the main thread goes on reading and checking requests. */
  IntakeStore               *upload_store;
  IntakeStore               *checkpoint_store;    /* SQLite: copies the log the uploads append to */
  gboolean                   checkpointing;
  guint                      envelopes_since_checkpoint;
  GPtrArray                 *queued_uploads;
  GPtrArray                 *committing_uploads;  /* the commit in flight, or NULL */
  guint                      flush_idle_id;
  guint                      flush_timeout_id;
  guint                      queued_envelopes;
  guint                      uploads_being_checked; /* on check_pool's threads */
  GThreadPool               *check_pool;            /* those threads: one core fewer than the machine has */
  /* Active devices as uploads last found them (intake-server-kiosk.c,
   * upload_signer()): hex id -> CachedDevice. Saves an upload a store
   * round trip; the commit checks the device is still active. */
  GHashTable                *upload_devices;
  guint64                    upload_commits;          /* group commits of uploads */
  guint64                    upload_commit_requests;  /* requests they stored */

  /* Large bodies being received (none is authenticated before it is all
   * in): how many, and how many per device or reviewer id. */
  guint                      pending_bodies;
  GHashTable                *bodies_by_signer;    /* hex id -> count */
  guint64                    bytes_since_trim;
  guint                      trim_id;

  /* Metrics: this process's counters since start. */
  guint64                    envelopes[INTAKE_ACCEPT_N_STATUS];
  guint64                    rejected[INTAKE_REJECT_N_REASONS];
  GHashTable                *requests;            /* "route\tstatus" -> guint64 * */
  guint64                    duration_bucket[INTAKE_SERVER_N_DURATION_BUCKETS];
  guint64                    duration_count;
  double                     duration_sum;
  guint64                    refused_busy;
  guint64                    trims;
  guint64                    replayed;
  guint64                    unlock_failures;
  guint64                    lockouts;
  GHashTable                *unauthenticated;     /* error code -> guint64 * */
  guint                      prune_id;
};

/* intake-server.c */
const char       *intake_server_route_path           (IntakeServerRoute   route);
IntakeRequestLog *intake_server_request_log          (SoupServerMessage  *msg);
GBytes           *intake_server_request_body         (SoupServerMessage  *msg);
/* The body as a JSON object, or NULL if it is not one. The body must be
 * strict JSON (intake_json_parse_untrusted: no duplicate keys, comments,
 * single quotes, \u0000...): if it is not, @error says where and why. */
JsonObject       *intake_server_parse_json_object    (GBytes             *body,
                                                      JsonParser         *parser,
                                                      GError            **error);
/* The message of a malformed_body answer: what was wrong with the JSON
 * (@error, when set), or else what was @expected. */
const char       *intake_server_body_problem         (const GError       *error,
                                                      const char         *expected);
gint64            intake_server_now_seconds          (void);
int               intake_server_compare_strings      (gconstpointer       a,
                                                      gconstpointer       b);
void              intake_server_respond_json         (SoupServerMessage  *msg,
                                                      guint               status,
                                                      JsonNode           *node);
void              intake_server_respond_builder      (SoupServerMessage  *msg,
                                                      guint               status,
                                                      JsonBuilder        *builder);
/* After a request's signature and timestamp are checked: records its
 * nonce for @signer in the store; a nonce seen before answers 401
 * replayed_request (a store failure 503) and returns FALSE. */
gboolean          intake_server_use_nonce            (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *signer,
                                                      const char         *nonce,
                                                      gint64              timestamp);
/* {"error": @code, "message": @message}, and @code in the request's log line. */
void              intake_server_respond_error        (SoupServerMessage  *msg,
                                                      guint               status,
                                                      const char         *code,
                                                      const char         *message);
/* Logs the store's error and answers 503 store_unavailable. */
void              intake_server_store_unavailable    (SoupServerMessage  *msg,
                                                      const GError       *error);

/* intake-server-kiosk.c */
void              intake_server_handle_enroll        (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
void              intake_server_handle_office_keys   (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
void              intake_server_handle_check_in      (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
void              intake_server_handle_questionnaire (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
/* Answers every queued upload now (dispose: nothing is stored, each gets
 * 503 store_unavailable and its kiosk retries). */
void              intake_server_drop_queued_uploads  (IntakeServer       *self);
/* Opens the connections uploads are committed and checkpointed on, once
 * (intake_server_listen() does, so a failure stops the start). */
gboolean          intake_server_open_upload_stores   (IntakeServer       *self,
                                                      GError            **error);
/* Iterates the main context until every upload being checked or queued
 * is committed and answered, and no checkpoint is in flight. */
void              intake_server_wait_for_upload_commit (IntakeServer     *self);
void              intake_server_handle_envelopes     (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
void              intake_server_handle_help_requests (IntakeServer       *self,
                                                      SoupServerMessage  *msg);

/* Who is asking and what for: every refusal after this is known is an
 * audit event with result "denied:<code>". */
typedef struct {
  IntakeStoreReviewer *reviewer;
  const char          *action;
  char                *object;
} ReviewContext;

/* The client's address, for audit events. */
const char       *intake_server_origin               (SoupServerMessage  *msg);

/* intake-server-review.c: every /v1/review/... path. */
void              intake_server_handle_review        (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *path,
                                                      GHashTable         *query);

/* Appends one event; on a store failure answers 503 and returns FALSE,
 * so nothing is served that was not logged. */
gboolean          intake_server_review_audit         (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *actor,
                                                      const char         *action,
                                                      const char         *object,
                                                      const char         *result);
/* Answers @status @code and audits it as "denied:@code" for @ctx's reviewer. */
void              intake_server_review_refuse        (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      ReviewContext      *ctx,
                                                      guint               status,
                                                      const char         *code,
                                                      const char         *message);

/* In the reviewer's list (NULL: every value). */
gboolean          intake_server_in_list              (char * const       *list,
                                                      const char         *value);
/* May @reviewer see a submission at @location in @unit ("" or NULL: none)? */
gboolean          intake_server_in_scope             (const IntakeStoreReviewer *reviewer,
                                                      const char         *location,
                                                      const char         *unit);
/* A non-negative decimal query value within [@min, @max]; NULL leaves *@out. */
gboolean          intake_server_parse_query_int      (const char         *text,
                                                      gint64              min,
                                                      gint64              max,
                                                      gint64             *out);
/* The list filter of docs/protocol.md ("Endpoints", "The queue") from
 * @query, with the reviewer's scope; the filter's words go to @object (may
 * be NULL). On a malformed query answers (audited) and returns FALSE.
 * *@out_reference is the normalized reference, for the caller to free. */
gboolean          intake_server_review_parse_filter  (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      GHashTable         *query,
                                                      ReviewContext      *ctx,
                                                      IntakeSubmissionFilter *filter,
                                                      char              **out_reference,
                                                      GString            *object);

/* intake-server-queue.c: what the review queue and the overview need
 * besides the list: counts (polled, not audited), the office's units, the
 * reviewers a submission can be assigned to, the team lead's figures. */
void              intake_server_review_counts        (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      GHashTable         *query,
                                                      ReviewContext      *ctx);
void              intake_server_review_units         (IntakeServer       *self,
                                                      SoupServerMessage  *msg);
void              intake_server_review_assignees     (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      ReviewContext      *ctx);
void              intake_server_review_stats         (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      GHashTable         *query,
                                                      ReviewContext      *ctx);

/* intake-server-help.c: the help requests staff act on (GET
 * help-requests/open, POST help-requests/ID/handled), the reviewer
 * authenticated and permitted by intake-server-review.c. */
void              intake_server_review_help_open     (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      ReviewContext      *ctx);
void              intake_server_review_help_handled  (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      gint64              id,
                                                      GBytes             *body,
                                                      ReviewContext      *ctx);

/* intake-server-staff.c: unlock, activation, passphrase change, and the
 * administrator's reviewers and devices. */
void              intake_server_handle_staff_unsigned (IntakeServer      *self,
                                                       SoupServerMessage *msg,
                                                       const char        *step);
void              intake_server_review_passphrase    (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      GBytes             *body,
                                                      ReviewContext      *ctx);
void              intake_server_review_manage        (IntakeServer       *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *what,
                                                      GBytes             *body,
                                                      ReviewContext      *ctx);

/* TRUE when @key_id_hex is an office key the store accepts envelopes for
 * (not retired). */
gboolean      intake_server_office_key_accepted (IntakeServer *self,
                                                 const char   *key_id_hex);
/* The member "office_rotations": the store's rotation statements, base64,
 * oldest first (docs/protocol.md, "Office key rotation"). */
void          intake_server_add_office_rotations (IntakeServer *self,
                                                  JsonBuilder  *builder);

G_END_DECLS

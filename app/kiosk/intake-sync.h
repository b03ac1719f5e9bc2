/* intake-sync.h: the kiosk side of docs/protocol.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Enrollment (one-time code -> office key, server key, questionnaire),
 * draining the outbox in signed batches with verified receipts, questionnaire
 * updates, offline bundles, and a background engine with exponential backoff
 * and full jitter. All network I/O is asynchronous on the thread-default main
 * context the IntakeSync was created in; the SQLite calls it makes are short.
 * Staff-facing behaviour: docs/sync.md.
 */
#pragma once

#include <gio/gio.h>

#include "intake-kiosk.h"

G_BEGIN_DECLS

#define INTAKE_SYNC_ERROR (intake_sync_error_quark ())

/**
 * IntakeSyncError:
 * @INTAKE_SYNC_ERROR_NOT_ENROLLED: the kiosk has no server.json: enroll it first
 * @INTAKE_SYNC_ERROR_NETWORK: the server could not be reached (DNS, connection, timeout)
 * @INTAKE_SYNC_ERROR_SERVER: the server answered with an unexpected HTTP status (5xx, 413, 400, ...);
 *   intake_sync_get_last_http_status() and intake_sync_get_last_server_error() tell which
 * @INTAKE_SYNC_ERROR_BAD_RESPONSE: the answer is not what docs/protocol.md specifies
 * @INTAKE_SYNC_ERROR_BAD_RECEIPT: the receipt does not verify with the enrolled server key, is for
 *   another device, or lists an envelope with other bytes; nothing was marked delivered
 * @INTAKE_SYNC_ERROR_REFUSED: the server does not (or no longer) know this kiosk (401/403: unknown,
 *   revoked, bad signature): staff must enroll it again
 * @INTAKE_SYNC_ERROR_CLOCK: the server refused the request's timestamp: the kiosk's clock is wrong
 * @INTAKE_SYNC_ERROR_ENROLL_CODE: the server does not know the enrollment code (mistyped, or
 *   never made)
 * @INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED: enrollment offered another office key than the one this
 *   kiosk has; refused unless INTAKE_ENROLL_FORCE
 * @INTAKE_SYNC_ERROR_BAD_QUESTIONNAIRE: a questionnaire from the server does not verify or load
 * @INTAKE_SYNC_ERROR_IO: a file in the state directory (or a bundle) could not be written
 * @INTAKE_SYNC_ERROR_PENDING: intake_sync_now_blocking() ended with envelopes still pending
 *   (the server refused some, and they wait for their individual retry time)
 * @INTAKE_SYNC_ERROR_BUSY: a run is already in progress
 * @INTAKE_SYNC_ERROR_UNTRUSTED: the server was reached, but its TLS certificate is not trusted
 *   (a wrong address, an expired certificate, or a private CA the kiosk was not given with
 *   --tls-ca): nothing was sent; unlike NETWORK, waiting does not help
 * @INTAKE_SYNC_ERROR_ENROLL_CODE_USED: the enrollment code was used before (each works once)
 * @INTAKE_SYNC_ERROR_ENROLL_CODE_EXPIRED: the enrollment code is past its expiry time
 */
typedef enum {
  INTAKE_SYNC_ERROR_NOT_ENROLLED,
  INTAKE_SYNC_ERROR_NETWORK,
  INTAKE_SYNC_ERROR_SERVER,
  INTAKE_SYNC_ERROR_BAD_RESPONSE,
  INTAKE_SYNC_ERROR_BAD_RECEIPT,
  INTAKE_SYNC_ERROR_REFUSED,
  INTAKE_SYNC_ERROR_CLOCK,
  INTAKE_SYNC_ERROR_ENROLL_CODE,
  INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED,
  INTAKE_SYNC_ERROR_BAD_QUESTIONNAIRE,
  INTAKE_SYNC_ERROR_IO,
  INTAKE_SYNC_ERROR_PENDING,
  INTAKE_SYNC_ERROR_BUSY,
  INTAKE_SYNC_ERROR_UNTRUSTED,
  INTAKE_SYNC_ERROR_ENROLL_CODE_USED,
  INTAKE_SYNC_ERROR_ENROLL_CODE_EXPIRED,
} IntakeSyncError;

/* The status a staff screen shows, in plain words (no answer content). */
typedef enum {
  INTAKE_SYNC_STATUS_NOT_ENROLLED,
  INTAKE_SYNC_STATUS_IDLE,          /* nothing to send, last run succeeded */
  INTAKE_SYNC_STATUS_SENDING,
  INTAKE_SYNC_STATUS_WAITING,       /* pending envelopes, waiting for the next run */
  INTAKE_SYNC_STATUS_OFFLINE,       /* network error or 5xx: backing off */
  INTAKE_SYNC_STATUS_REFUSED,       /* 401/403 device: staff must act */
  INTAKE_SYNC_STATUS_CLOCK,         /* stale timestamp: staff must fix the clock */
  INTAKE_SYNC_STATUS_BAD_RECEIPT,   /* receipts do not verify: wrong server? */
  INTAKE_SYNC_STATUS_REJECTED,      /* some envelopes refused by the server */
  INTAKE_SYNC_STATUS_UNTRUSTED,     /* the server's TLS certificate is not trusted */
} IntakeSyncStatus;

/* Backoff defaults of docs/protocol.md. */
#define INTAKE_SYNC_BACKOFF_BASE_MS  5000
#define INTAKE_SYNC_BACKOFF_CAP_MS   (15 * 60 * 1000)
#define INTAKE_SYNC_DEFAULT_INTERVAL 60        /* seconds between timer runs */
#define INTAKE_SYNC_DEFAULT_GRACE_DAYS 30

/* Unix time in microseconds; replaces g_get_real_time() in tests. */
typedef gint64 (*IntakeSyncClockFunc)  (gpointer user_data);
/* A uniform random number in [0, 1); replaces g_random_double() in tests. */
typedef double (*IntakeSyncRandomFunc) (gpointer user_data);

#define INTAKE_TYPE_SYNC (intake_sync_get_type ())
G_DECLARE_FINAL_TYPE (IntakeSync, intake_sync, INTAKE, SYNC, GObject)

GQuark            intake_sync_error_quark        (void);

/* delay = random * min(cap, base * 2^attempts), in milliseconds:
 * exponential backoff with full jitter. @random in [0, 1). */
gint64            intake_sync_backoff_delay_ms   (guint                 attempts,
                                                  double                random,
                                                  gint64                base_ms,
                                                  gint64                cap_ms);

IntakeSync       *intake_sync_new                (IntakeKiosk           *kiosk);
IntakeKiosk      *intake_sync_get_kiosk          (IntakeSync            *self);
/* PEM file of CAs to trust instead of the system's (tests, private CAs). */
gboolean          intake_sync_set_tls_ca_file    (IntakeSync            *self,
                                                  const char            *path,
                                                  GError               **error);
/* That file, or NULL (the system's CAs): enrollment from the staff screen uses it too. */
const char       *intake_sync_get_tls_ca_file    (IntakeSync            *self);
void              intake_sync_set_clock          (IntakeSync            *self,
                                                  IntakeSyncClockFunc    func,
                                                  gpointer               user_data);
void              intake_sync_set_random         (IntakeSync            *self,
                                                  IntakeSyncRandomFunc   func,
                                                  gpointer               user_data);
void              intake_sync_set_backoff        (IntakeSync            *self,
                                                  gint64                 base_ms,
                                                  gint64                 cap_ms);
/* Seconds between timer-driven runs when nothing fails. */
void              intake_sync_set_interval       (IntakeSync            *self,
                                                  guint                  seconds);
/* Envelopes per request, 1..100 (default 100). */
void              intake_sync_set_batch_size     (IntakeSync            *self,
                                                  guint                  batch_size);
/* Delivered envelopes are deleted this many days after delivery (default 30). */
void              intake_sync_set_grace_days     (IntakeSync            *self,
                                                  guint                  days);
guint             intake_sync_get_grace_days     (IntakeSync            *self);

/* One pass: uploads every due pending envelope in batches, verifies the
 * receipts and marks delivered, backs off refused ones individually,
 * fetches a newer questionnaire, purges envelopes past the grace period.
 * Fails on the first engine-level problem (network, 5xx, refused device,
 * clock, bad receipt); refused envelopes alone do not make it fail. */
void              intake_sync_run_once_async     (IntakeSync            *self,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean          intake_sync_run_once_finish    (IntakeSync            *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);
/* For the command line: runs passes on the thread-default main context
 * until nothing is pending (TRUE) or a pass fails or only envelopes waiting
 * for their individual retry are left (FALSE, INTAKE_SYNC_ERROR_PENDING). */
gboolean          intake_sync_now_blocking       (IntakeSync            *self,
                                                  GCancellable          *cancellable,
                                                  GError               **error);

/* Sends every help request the server has not acknowledged yet (the one a
 * resident just made among them) at once, apart from the passes: a resident
 * who asked for help must not wait for the next one. TRUE when the server
 * stored them (or none were waiting); NOT_ENROLLED, NETWORK, SERVER,
 * REFUSED, CLOCK otherwise; the requests then go with the next pass. */
void              intake_sync_send_help_async    (IntakeSync            *self,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean          intake_sync_send_help_finish   (IntakeSync            *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

/* After enrollment on a running kiosk: re-reads what enrollment wrote
 * (intake_kiosk_reload_enrollment()), forgets the backoff and runs now. */
gboolean          intake_sync_reload             (IntakeSync            *self,
                                                  GError               **error);

/* The background engine: runs after intake_sync_poke(), when the network
 * comes back, and every interval; backs off after failures. */
void              intake_sync_start              (IntakeSync            *self);
void              intake_sync_stop               (IntakeSync            *self);
gboolean          intake_sync_is_running         (IntakeSync            *self);
/* Call after each submission. */
void              intake_sync_poke               (IntakeSync            *self);

/* Writes every pending envelope this device key sealed into a signed bundle at @path (atomically,
 * mode 0600) and marks them exported; they stay pending until a receipt
 * arrives. Returns how many were written (0 writes an empty bundle), -1 on
 * error. */
gint64            intake_sync_export_bundle      (IntakeSync            *self,
                                                  const char            *path,
                                                  GError               **error);

/* After intake_kiosk_new_device_key(): the pending envelopes of each
 * retired device key, each in a bundle signed with that key, at
 * intake_sync_retired_bundle_path (@path, DEVICE_ID) (only for keys with
 * pending envelopes). Returns one "DEVICE_ID COUNT PATH" string per bundle
 * written (an empty array when there was none), NULL on error. */
GPtrArray        *intake_sync_export_retired_bundles (IntakeSync        *self,
                                                  const char            *path,
                                                  GError               **error);
/* FILE.ikb -> FILE-DEVICE_ID.ikb (FILE -> FILE-DEVICE_ID otherwise). */
char             *intake_sync_retired_bundle_path (const char           *path,
                                                  const char            *device_id);

/* What intake_sync_import_receipts() did. */
typedef struct {
  guint receipts;     /* signed receipts in the file, all verified */
  guint delivered;    /* envelopes marked delivered now */
  guint already;      /* listed envelopes that were delivered before */
  guint unknown;      /* listed envelopes this outbox does not hold (purged after the grace period) */
} IntakeReceiptsImport;

/* Reads a receipts file from the office (`intake-admin import-bundle
 * --receipts-out`, docs/protocol.md "Receipts file") strictly and within
 * INTAKE_RECEIPTS_FILE_MAX_SIZE, verifies every receipt exactly as an
 * upload's (the enrolled server key, this kiosk's device id, the SHA-256 of
 * the bytes this outbox holds) and only then marks the listed pending
 * envelopes delivered, with their receipt. Any receipt that does not
 * verify refuses the whole file and marks nothing: NOT_ENROLLED,
 * BAD_RECEIPT (bad signature, another device, other bytes, a malformed or
 * too large file), IO. */
gboolean          intake_sync_import_receipts    (IntakeSync            *self,
                                                  const char            *path,
                                                  IntakeReceiptsImport  *out_result,
                                                  GError               **error);

/* For a staff screen; "changed" is emitted whenever any of these change. */
IntakeSyncStatus  intake_sync_get_status         (IntakeSync            *self);
gboolean          intake_sync_is_enrolled        (IntakeSync            *self);
const char       *intake_sync_get_server_url     (IntakeSync            *self);
const char       *intake_sync_get_location       (IntakeSync            *self);
guint             intake_sync_get_pending_count  (IntakeSync            *self);
/* Unix seconds of the last successful run, 0 if none. */
gint64            intake_sync_get_last_success   (IntakeSync            *self);
/* Plain words in the kiosk's staff language ("nl" or "en"), NULL when all is well. */
const char       *intake_sync_get_last_error     (IntakeSync            *self);
void              intake_sync_set_language       (IntakeSync            *self,
                                                  const char            *language);
/* The HTTP status and protocol "error" code of the last refused request (0 / NULL). */
guint             intake_sync_get_last_http_status  (IntakeSync         *self);
const char       *intake_sync_get_last_server_error (IntakeSync         *self);
/* Consecutive engine-level failures, and when (Unix microseconds, on the
 * injectable clock) the engine will try again; 0 when not backing off. */
guint             intake_sync_get_failures       (IntakeSync            *self);
gint64            intake_sync_get_next_attempt_at (IntakeSync           *self);
/* A plain-words status line for @status in @language ("nl" or "en"). */
const char       *intake_sync_status_to_string   (IntakeSyncStatus       status,
                                                  const char            *language);

G_END_DECLS

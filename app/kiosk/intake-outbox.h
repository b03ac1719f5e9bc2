/* intake-outbox.h: the kiosk's durable queue of sealed envelopes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox holds envelopes only, never a plaintext answer. Schema and
 * durability guarantees: docs/outbox.md.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define INTAKE_OUTBOX_ERROR (intake_outbox_error_quark ())

/**
 * IntakeOutboxError:
 * @INTAKE_OUTBOX_ERROR_OPEN: the database could not be opened or created
 * @INTAKE_OUTBOX_ERROR_SCHEMA_TOO_NEW: written by a newer version of this program
 * @INTAKE_OUTBOX_ERROR_CORRUPT: the database file is damaged or not an outbox
 * @INTAKE_OUTBOX_ERROR_FULL: the disk is full; nothing was stored
 * @INTAKE_OUTBOX_ERROR_READ_ONLY: the database cannot be written
 * @INTAKE_OUTBOX_ERROR_DATABASE: any other SQLite failure
 * @INTAKE_OUTBOX_ERROR_INVALID_ENVELOPE: what was offered is not a valid, signed envelope
 * @INTAKE_OUTBOX_ERROR_CONFLICT: an envelope with the same submission id but other bytes exists
 * @INTAKE_OUTBOX_ERROR_NOT_FOUND: no envelope with that submission id
 */
typedef enum {
  INTAKE_OUTBOX_ERROR_OPEN,
  INTAKE_OUTBOX_ERROR_SCHEMA_TOO_NEW,
  INTAKE_OUTBOX_ERROR_CORRUPT,
  INTAKE_OUTBOX_ERROR_FULL,
  INTAKE_OUTBOX_ERROR_READ_ONLY,
  INTAKE_OUTBOX_ERROR_DATABASE,
  INTAKE_OUTBOX_ERROR_INVALID_ENVELOPE,
  INTAKE_OUTBOX_ERROR_CONFLICT,
  INTAKE_OUTBOX_ERROR_NOT_FOUND,
} IntakeOutboxError;

typedef enum {
  INTAKE_OUTBOX_STATE_PENDING   = 0,
  INTAKE_OUTBOX_STATE_DELIVERED = 1,
} IntakeOutboxState;

#define INTAKE_OUTBOX_SCHEMA_VERSION 5

typedef struct {
  guint  pending;
  guint  delivered;
  guint  exported_pending;   /* pending, but also written to a bundle */
  gint64 oldest_pending_at;  /* created_at of the oldest pending envelope, 0 if none */
  guint  open_help_requests; /* residents who asked for help, not yet seen by staff */
} IntakeOutboxCounts;

typedef struct {
  gint64 id;
  gint64 created_at;
  char   language[16];
  gint64 resolved_at;        /* 0 while open */
  gint64 sent_at;            /* when the back office acknowledged it; 0 while not */
} IntakeHelpRequest;

typedef struct {
  char              *submission_id;   /* lowercase hex */
  char              *reference;       /* what the resident was shown */
  GBytes            *envelope;
  IntakeOutboxState  state;
  gint64             created_at;
  guint              attempts;
  gint64             next_attempt_at;
  char              *last_error;      /* nullable; never contains answer content */
  GBytes            *receipt;         /* nullable */
  gint64             delivered_at;
  gint64             exported_at;
} IntakeOutboxItem;

void              intake_outbox_item_free  (IntakeOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOutboxItem, intake_outbox_item_free)

#define INTAKE_TYPE_OUTBOX (intake_outbox_get_type ())
G_DECLARE_FINAL_TYPE (IntakeOutbox, intake_outbox, INTAKE, OUTBOX, GObject)

GQuark            intake_outbox_error_quark        (void);

IntakeOutbox     *intake_outbox_open               (const char          *path,
                                                    GError             **error);
const char       *intake_outbox_get_path           (IntakeOutbox        *self);
int               intake_outbox_get_schema_version (IntakeOutbox        *self);

/* Verifies the envelope's signature and stores it as pending in one durable
 * transaction. When this returns TRUE the envelope survives a crash or power
 * cut. Adding the same bytes again is a no-op that succeeds. */
gboolean          intake_outbox_add                (IntakeOutbox        *self,
                                                    GBytes              *envelope,
                                                    const char          *reference,
                                                    GError             **error);
gboolean          intake_outbox_get_counts         (IntakeOutbox        *self,
                                                    IntakeOutboxCounts  *out_counts,
                                                    GError             **error);
IntakeOutboxItem *intake_outbox_lookup             (IntakeOutbox        *self,
                                                    const char          *submission_id,
                                                    GError             **error);
/* Pending envelopes whose next attempt is due at @now, oldest first. */
GPtrArray        *intake_outbox_list_due           (IntakeOutbox        *self,
                                                    gint64               now,
                                                    guint                limit,
                                                    GError             **error);
/* The same without the @n_except submission ids in @except (a batch still
 * in flight, which is pending until its receipt is applied). */
GPtrArray        *intake_outbox_list_due_except    (IntakeOutbox        *self,
                                                    gint64               now,
                                                    guint                limit,
                                                    const char * const  *except,
                                                    guint                n_except,
                                                    GError             **error);
/* Every pending envelope, oldest first (for bundles). */
GPtrArray        *intake_outbox_list_pending       (IntakeOutbox        *self,
                                                    GError             **error);
gboolean          intake_outbox_mark_delivered     (IntakeOutbox        *self,
                                                    const char          *submission_id,
                                                    GBytes              *receipt,
                                                    gint64               now,
                                                    GError             **error);
/* The same for @n envelopes of one receipt, in one transaction (one
 * fsync instead of @n); on error none is marked. */
gboolean          intake_outbox_mark_delivered_many (IntakeOutbox       *self,
                                                    const char * const  *submission_ids,
                                                    guint                n,
                                                    GBytes              *receipt,
                                                    gint64               now,
                                                    GError             **error);
gboolean          intake_outbox_mark_exported      (IntakeOutbox        *self,
                                                    const char * const  *submission_ids,
                                                    gint64               now,
                                                    GError             **error);
gboolean          intake_outbox_record_failure     (IntakeOutbox        *self,
                                                    const char          *submission_id,
                                                    gint64               next_attempt_at,
                                                    const char          *message,
                                                    GError             **error);
/* Deletes delivered envelopes delivered before @delivered_before; returns how many. */
gint64            intake_outbox_purge_delivered    (IntakeOutbox        *self,
                                                    gint64               delivered_before,
                                                    GError             **error);

/* The back office's store generation (its answers' Intake-Store-Generation
 * header; it changes when the store is restored from a backup), for the
 * server with key id @server_key_id. The first one seen is remembered.
 * When the same server names another generation, every envelope still
 * kept as delivered (within the grace period) becomes pending again, due
 * now, in the same transaction: the restored store may have lost it, and
 * the server answers "duplicate" for what it still has. A kiosk moved to
 * another server (another key) only remembers the new one. Returns how
 * many became pending (0 if none), or -1 with @error. */
gint64            intake_outbox_note_store_generation (IntakeOutbox      *self,
                                                       const char        *server_key_id,
                                                       const char        *generation,
                                                       GError           **error);
/* "SERVER_KEY_ID:GENERATION" as remembered, or NULL. */
char             *intake_outbox_dup_store_generation  (IntakeOutbox      *self,
                                                       GError           **error);

/* Help requests: a resident asked for help or an interpreter. Returns the
 * request's id (> 0), or 0 with @error. */
gint64            intake_outbox_add_help_request      (IntakeOutbox        *self,
                                                       gint64               now,
                                                       const char          *language,
                                                       GError             **error);
/* An array of IntakeHelpRequest, newest first. */
GArray           *intake_outbox_list_help_requests    (IntakeOutbox        *self,
                                                       gboolean             open_only,
                                                       GError             **error);
/* Help requests the back office has not acknowledged yet (open or
 * resolved: the server counts them either way), oldest first. */
GArray           *intake_outbox_list_unsent_help_requests (IntakeOutbox   *self,
                                                           guint           limit,
                                                           GError        **error);
gboolean          intake_outbox_mark_help_requests_sent   (IntakeOutbox   *self,
                                                           const gint64   *ids,
                                                           guint           n_ids,
                                                           gint64          now,
                                                           GError        **error);
gboolean          intake_outbox_resolve_help_requests (IntakeOutbox        *self,
                                                       gint64               now,
                                                       GError             **error);

G_END_DECLS

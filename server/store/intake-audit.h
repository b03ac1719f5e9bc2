/* intake-audit.h: the hash-chained audit log of staff access (BIO 8.15.01)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every staff access and admin action is one event. Each event's hash
 * covers all its fields and the previous event's hash, so editing,
 * inserting or deleting a row breaks the chain where it happened. The
 * stores (server/) append events inside the transaction of the action they
 * record; intake-admin audit verify walks the chain with the verifier
 * below. Format: docs/protocol.md, "Audit log"; operating it: docs/server.md.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INTAKE_AUDIT_HASH_HEX_LEN 64
#define INTAKE_AUDIT_ZERO_HASH \
  "0000000000000000000000000000000000000000000000000000000000000000"

/* Limits on the text fields, in bytes: longer values are cut (at a UTF-8
 * character boundary) by intake_audit_event_new(). */
#define INTAKE_AUDIT_FIELD_MAX  256
#define INTAKE_AUDIT_OBJECT_MAX 1024

typedef struct {
  gint64  seq;                                   /* 1, 2, ...; set when appended */
  gint64  time;                                  /* Unix seconds, UTC */
  char   *actor;                                 /* reviewer name, device id or "admin" */
  char   *action;                                /* "fetch", "state_change", "reviewer_add", ... */
  char   *object;                                /* submission id, filter, name ... ("" if none) */
  char   *result;                                /* "ok", "conflict", "unknown", "denied:<reason>" */
  char   *origin;                                /* remote address, or "cli" */
  char    prev[INTAKE_AUDIT_HASH_HEX_LEN + 1];   /* hash of the previous event; zeros for seq 1 */
  char    hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];
} IntakeAuditEvent;

/* A new event at @time with seq, prev and hash unset. Text that is not
 * valid UTF-8 has its bad bytes replaced by U+FFFD; NULL becomes "". */
IntakeAuditEvent *intake_audit_event_new     (gint64                  time,
                                              const char             *actor,
                                              const char             *action,
                                              const char             *object,
                                              const char             *result,
                                              const char             *origin);
IntakeAuditEvent *intake_audit_event_copy    (const IntakeAuditEvent *event);
void              intake_audit_event_free    (IntakeAuditEvent       *event);
void              intake_audit_event_set_result (IntakeAuditEvent    *event,
                                                 const char          *result);

/* hex SHA-256 of the canonical JSON of {action, actor, object, origin,
 * prev, result, seq, time}. */
char             *intake_audit_event_compute_hash (const IntakeAuditEvent *event);
/* Sets seq and prev, then hash: what a store does under its lock. */
void              intake_audit_event_chain   (IntakeAuditEvent       *event,
                                              gint64                  seq,
                                              const char             *prev);

typedef enum {
  INTAKE_AUDIT_PROBLEM_NONE,
  INTAKE_AUDIT_PROBLEM_EDITED,    /* a row's fields no longer match its hash (or it was re-hashed) */
  INTAKE_AUDIT_PROBLEM_INSERTED,  /* a row that the chain does not link to */
  INTAKE_AUDIT_PROBLEM_DELETED,   /* a row the chain links to is missing */
} IntakeAuditProblem;

const char       *intake_audit_problem_to_string (IntakeAuditProblem problem);

/* Walks events in seq order and stops at the first problem. Feed every
 * event with intake_audit_verifier_feed(), then call _finish(). It keeps
 * one event of look-ahead, so a problem may be reported one call late. */
typedef struct {
  /* the result, valid after _finish() (or once _feed() returned FALSE) */
  IntakeAuditProblem problem;
  gint64             bad_seq;     /* where: the edited, inserted or first missing seq */
  char              *detail;      /* one sentence for people */
  gint64             count;       /* events checked and found good */
  gint64             head_seq;    /* the last good event */
  char               head_hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];

  /*< private >*/
  gint64             expected_seq;
  char               expected_prev[INTAKE_AUDIT_HASH_HEX_LEN + 1];
  char               last_prev[INTAKE_AUDIT_HASH_HEX_LEN + 1];
  IntakeAuditEvent  *pending;
  gboolean           have_recorded_head;
  gint64             recorded_seq;
  char               recorded_hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];
} IntakeAuditVerifier;

void              intake_audit_verifier_init   (IntakeAuditVerifier     *self);
/* The head the store recorded beside the log (its audit_head row), or a
 * head an operator wrote down: rows after it are INSERTED, a log that
 * ends before it has its newest rows DELETED. */
void              intake_audit_verifier_set_recorded_head (IntakeAuditVerifier *self,
                                                           gint64               seq,
                                                           const char          *hash);
/* FALSE once a problem is found (then stop feeding). */
gboolean          intake_audit_verifier_feed   (IntakeAuditVerifier     *self,
                                                const IntakeAuditEvent  *event);
/* TRUE when the whole chain is intact. */
gboolean          intake_audit_verifier_finish (IntakeAuditVerifier     *self);
void              intake_audit_verifier_clear  (IntakeAuditVerifier     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeAuditEvent, intake_audit_event_free)

G_END_DECLS

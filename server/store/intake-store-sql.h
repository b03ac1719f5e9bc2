/* intake-store-sql.h: the statements both store backends run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written once with SQLite's numbered parameters (?1, ?2, ...); the
 * PostgreSQL backend rewrites them to $1, $2, ... when it prepares them.
 * Only the DDL differs between the backends (types, sequences), so it lives
 * in each backend's migration list.
 */
#pragma once

#include <glib.h>

/* A clause only PostgreSQL runs: row locks, which SQLite has no syntax for
 * (its writer holds the whole database). SQLite reads it as a comment; the
 * PostgreSQL backend keeps the clause and drops the comment marks. */
#define INTAKE_STORE_PG_ONLY(clause) " /*pg " clause "*/"

#include "intake-store.h"

G_BEGIN_DECLS

typedef enum {
  STMT_CODE_INSERT,
  STMT_CODE_GET,
  STMT_CODE_USE,
  STMT_DEVICE_GET,
  STMT_DEVICE_INSERT,
  STMT_DEVICE_SET_LOCATION,
  STMT_DEVICE_LIST,
  STMT_DEVICE_REVOKE,
  STMT_DEVICE_ACTIVE,
  STMT_ENVELOPE_INSERT,
  STMT_ENVELOPE_GET_BYTES,
  STMT_CONFLICT_LOG,
  STMT_ENVELOPE_DUP,
  STMT_ENVELOPE_LIST,
  STMT_COUNT_ENVELOPES,
  STMT_COUNT_CONFLICTS,
  STMT_COUNT_DEVICES,
  STMT_HEALTH,
  STMT_SETTING_GET,
  STMT_SETTING_INSERT,
  STMT_SETTING_SET,
  /* schema 2: review */
  STMT_SUBMISSION_INSERT,
  STMT_SUBMISSION_MISSING_REF,
  STMT_SUBMISSION_SET_REF,
  STMT_SUBMISSION_GET,
  STMT_WORKFLOW_SET,
  STMT_NOTE_BUMP,
  STMT_NOTE_INSERT,
  STMT_NOTE_LIST,
  STMT_REVIEWER_INSERT,
  STMT_REVIEWER_GET_ID,
  STMT_REVIEWER_GET_NAME,
  STMT_REVIEWER_LIST,
  STMT_REVIEWER_REVOKE,
  STMT_AUDIT_HEAD,
  STMT_AUDIT_HEAD_LOCK,     /* PostgreSQL adds FOR UPDATE */
  STMT_AUDIT_INSERT,
  STMT_AUDIT_HEAD_SET,
  STMT_AUDIT_LIST,
  STMT_AUDIT_LIST_OBJECT,
  STMT_HELP_INSERT,
  STMT_HELP_LIST,
  STMT_QUESTIONNAIRE_INSERT,
  STMT_QUESTIONNAIRE_LIST,
  /* schema 3: replay */
  STMT_NONCE_INSERT,
  STMT_NONCE_INSERT_NEW,
  STMT_NONCE_PRUNE,
  /* schema 5: staff access */
  STMT_SCOPE_INSERT,
  STMT_SCOPE_DELETE,
  STMT_SCOPE_LIST,
  STMT_SETUP_SCOPE_INSERT,
  STMT_SETUP_SCOPE_DELETE,
  STMT_SETUP_SCOPE_LIST,
  STMT_REVIEWER_SET_BLOB,
  STMT_REVIEWER_SET_ROLES,
  STMT_SETUP_UPSERT,
  STMT_SETUP_GET,
  STMT_SETUP_LIST,
  STMT_SETUP_DELETE,
  STMT_THROTTLE_GET,
  STMT_THROTTLE_FAIL,
  STMT_THROTTLE_LOCK,
  STMT_THROTTLE_CLEAR,
  STMT_THROTTLE_PRUNE,
  /* schema 6: help requests staff mark handled */
  STMT_HELP_LIST_OPEN,
  STMT_HELP_GET,
  STMT_HELP_HANDLE,
  /* schema 9: office keys sealed to newer keys and to reviewers */
  STMT_OFFICE_SEAL_PUT,
  STMT_OFFICE_SEAL_LIST,
  STMT_OFFICE_SEAL_DELETE,
  STMT_OFFICE_KEY_USES,
  /* schema 10: what kiosks report at check-in */
  STMT_DEVICE_CHECK_IN,
  /* retention and erasure (docs/privacy.md) */
  STMT_EXPIRED_CLOSED,
  STMT_EXPIRED_MAXIMUM,
  STMT_COUNT_EXPIRED_CLOSED,
  STMT_COUNT_EXPIRED_MAXIMUM,
  STMT_COUNT_EXPIRED_HELP,
  STMT_ERASE_NOTES,
  STMT_ERASE_CONFLICTS,
  STMT_ERASE_SUBMISSION,
  STMT_ERASE_ENVELOPE,
  STMT_HELP_PURGE,
  N_STMTS
} IntakeStoreStmt;

/* A help request as staff see it (schema 6), in the order the readers take. */
#define INTAKE_STORE_HELP_COLUMNS \
  "id, device_id, location, language, created_at, received_at, coalesce (handled_at, 0)," \
  " coalesce (handled_by, '')"

#define INTAKE_STORE_ENVELOPE_COLUMNS \
  "seq, submission_id, device_id, sha256, size, created_at, questionnaire_id," \
  " questionnaire_version, questionnaire_hash, office_key_id, received_at, source"

/* Columns 0..11 as INTAKE_STORE_ENVELOPE_COLUMNS, then the review columns
 * (12..19), then those of schema 6 (20..22). */
#define INTAKE_STORE_SUBMISSION_COLUMNS \
  "e.seq, e.submission_id, e.device_id, e.sha256, e.size, e.created_at, e.questionnaire_id," \
  " e.questionnaire_version, e.questionnaire_hash, e.office_key_id, e.received_at, e.source," \
  " s.location, s.reference, s.state, s.unit, s.version, s.updated_at, s.updated_by, s.notes," \
  " s.assignee, s.appointment_at, s.change_seq"
#define INTAKE_STORE_SUBMISSION_FROM " FROM submissions s JOIN envelopes e ON e.seq = s.seq"

/* Columns 0..5, then what the kiosk reported at check-in (6..11, schema 10). */
#define INTAKE_STORE_DEVICE_COLUMNS \
  "device_id, sign_pk, location, status, enrolled_at, revoked_at, last_seen_at, reported_pending," \
  " oldest_pending_at, questionnaire, app_version, last_error"

#define INTAKE_STORE_REVIEWER_COLUMNS \
  "reviewer_id, name, sign_pk, blob, status, created_at, revoked_at, roles"
#define INTAKE_STORE_SETUP_COLUMNS \
  "name, blob, roles, created_at, expires_at, created_by"
#define INTAKE_STORE_AUDIT_COLUMNS \
  "seq, time, actor, action, object, result, origin, prev, hash"

static const char * const intake_store_sql[N_STMTS] = {
  [STMT_CODE_INSERT] =
    "INSERT INTO enroll_codes (code_hash, location, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4)",
  [STMT_CODE_GET] =
    "SELECT location, expires_at, used_at FROM enroll_codes WHERE code_hash = ?1",
  [STMT_CODE_USE] =
    "UPDATE enroll_codes SET used_at = ?2, used_by = ?3 WHERE code_hash = ?1 AND used_at IS NULL",
  [STMT_DEVICE_GET] =
    "SELECT " INTAKE_STORE_DEVICE_COLUMNS " FROM devices WHERE device_id = ?1",
  [STMT_DEVICE_INSERT] =
    "INSERT INTO devices (device_id, sign_pk, location, status, enrolled_at)"
    " VALUES (?1, ?2, ?3, 'active', ?4) ON CONFLICT (device_id) DO NOTHING",
  [STMT_DEVICE_SET_LOCATION] =
    "UPDATE devices SET location = ?2 WHERE device_id = ?1 AND status = 'active'",
  /* The newest upload per kiosk, from the envelopes (index
   * envelopes_by_device): for listings only, not for each request. */
  [STMT_DEVICE_LIST] =
    "SELECT " INTAKE_STORE_DEVICE_COLUMNS ","
    " coalesce ((SELECT max (e.received_at) FROM envelopes e WHERE e.device_id = devices.device_id), 0)"
    " FROM devices ORDER BY enrolled_at, device_id",
  /* Inside an upload's transaction: the row stays as read until the
   * commit. */
  [STMT_DEVICE_ACTIVE] =
    "SELECT 1 FROM devices WHERE device_id = ?1 AND status = 'active'" INTAKE_STORE_PG_ONLY ("FOR SHARE"),
  [STMT_DEVICE_REVOKE] =
    "UPDATE devices SET status = 'revoked', revoked_at = ?2"
    " WHERE device_id = ?1 AND status = 'active'",
  [STMT_ENVELOPE_INSERT] =
    "INSERT INTO envelopes (submission_id, device_id, envelope, sha256, size, created_at,"
    " questionnaire_id, questionnaire_version, questionnaire_hash, office_key_id,"
    " received_at, source)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (device_id, submission_id) DO NOTHING",
  [STMT_ENVELOPE_GET_BYTES] =
    "SELECT envelope, sha256 FROM envelopes WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_CONFLICT_LOG] =
    "INSERT INTO conflicts (submission_id, sha256, device_id, stored_sha256, source,"
    " first_seen, last_seen, attempts)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)"
    " ON CONFLICT (device_id, submission_id, sha256) DO UPDATE"
    " SET last_seen = excluded.last_seen, attempts = conflicts.attempts + 1",
  [STMT_ENVELOPE_DUP] =
    "SELECT " INTAKE_STORE_ENVELOPE_COLUMNS ", envelope FROM envelopes WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_ENVELOPE_LIST] =
    "SELECT " INTAKE_STORE_ENVELOPE_COLUMNS " FROM envelopes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
  [STMT_COUNT_ENVELOPES] =
    "SELECT count(*) FROM envelopes",
  [STMT_COUNT_CONFLICTS] =
    "SELECT count(*) FROM conflicts",
  [STMT_COUNT_DEVICES] =
    "SELECT status, count(*) FROM devices GROUP BY status",
  [STMT_HEALTH] =
    "SELECT max(version) FROM schema_version",
  [STMT_SETTING_GET] =
    "SELECT value FROM settings WHERE name = ?1",
  [STMT_SETTING_INSERT] =
    "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
  [STMT_SETTING_SET] =
    "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
  [STMT_SUBMISSION_INSERT] =
    "INSERT INTO submissions (seq, device_id, submission_id, location, reference, created_at, received_at)"
    " SELECT seq, device_id, submission_id,"
    " coalesce ((SELECT location FROM devices WHERE devices.device_id = envelopes.device_id), ''),"
    " CAST (?2 AS TEXT), created_at, received_at FROM envelopes WHERE submission_id = ?1 AND device_id = ?3"
    /* PostgreSQL sends it in the same pipeline as the envelope's insert,
     * whatever that found: for a taken id the row is there already. */
    " ON CONFLICT (device_id, submission_id) DO NOTHING",
  [STMT_SUBMISSION_MISSING_REF] =
    "SELECT submission_id FROM submissions WHERE reference = '' LIMIT 500",
  [STMT_SUBMISSION_SET_REF] =
    "UPDATE submissions SET reference = ?2 WHERE submission_id = ?1",
  [STMT_SUBMISSION_GET] =
    "SELECT " INTAKE_STORE_SUBMISSION_COLUMNS INTAKE_STORE_SUBMISSION_FROM
    " WHERE s.submission_id = ?1 AND s.device_id = ?2",
  [STMT_WORKFLOW_SET] =
    "UPDATE submissions SET state = ?2, unit = ?3, version = version + 1, updated_at = ?4, updated_by = ?5,"
    " assignee = ?8, appointment_at = ?9, change_seq = ?10"
    " WHERE submission_id = ?1 AND device_id = ?7 AND version = ?6",
  [STMT_NOTE_BUMP] =
    "UPDATE submissions SET version = version + 1, notes = notes + 1, updated_at = ?2, updated_by = ?3,"
    " change_seq = ?6"
    " WHERE submission_id = ?1 AND device_id = ?5 AND version = ?4",
  [STMT_NOTE_INSERT] =
    "INSERT INTO notes (submission_id, envelope, sha256, reviewer_id, reviewer, created_at, device_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_NOTE_LIST] =
    "SELECT envelope, reviewer, reviewer_id, created_at FROM notes WHERE submission_id = ?1 AND device_id = ?2"
    " ORDER BY id",
  [STMT_REVIEWER_INSERT] =
    "INSERT INTO reviewers (reviewer_id, name, sign_pk, blob, status, created_at, roles)"
    " VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6)",
  [STMT_REVIEWER_GET_ID] =
    "SELECT " INTAKE_STORE_REVIEWER_COLUMNS " FROM reviewers WHERE reviewer_id = ?1",
  [STMT_REVIEWER_GET_NAME] =
    "SELECT " INTAKE_STORE_REVIEWER_COLUMNS " FROM reviewers WHERE name = ?1"
    " ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END, created_at DESC LIMIT 1",
  [STMT_REVIEWER_LIST] =
    "SELECT " INTAKE_STORE_REVIEWER_COLUMNS " FROM reviewers ORDER BY created_at, name",
  [STMT_REVIEWER_REVOKE] =
    "UPDATE reviewers SET status = 'revoked', revoked_at = ?2 WHERE name = ?1 AND status = 'active'",
  [STMT_AUDIT_HEAD] =
    "SELECT seq, hash FROM audit_head WHERE id = 1",
  [STMT_AUDIT_HEAD_LOCK] =
    "SELECT seq, hash FROM audit_head WHERE id = 1" INTAKE_STORE_PG_ONLY ("FOR UPDATE"),
  [STMT_AUDIT_INSERT] =
    "INSERT INTO audit_log (" INTAKE_STORE_AUDIT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [STMT_AUDIT_HEAD_SET] =
    "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
  [STMT_AUDIT_LIST] =
    "SELECT " INTAKE_STORE_AUDIT_COLUMNS " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
  [STMT_AUDIT_LIST_OBJECT] =
    "SELECT " INTAKE_STORE_AUDIT_COLUMNS " FROM audit_log WHERE object = ?3 AND seq > ?1 ORDER BY seq LIMIT ?2",
  [STMT_HELP_INSERT] =
    "INSERT INTO help_requests (device_id, client_key, created_at, language, location, received_at)"
    " SELECT device_id, CAST (?2 AS TEXT), CAST (?3 AS BIGINT), CAST (?4 AS TEXT), location, CAST (?5 AS BIGINT)"
    " FROM devices WHERE device_id = ?1"
    " ON CONFLICT (device_id, client_key) DO NOTHING",
  [STMT_HELP_LIST] =
    "SELECT device_id, location, language, created_at, received_at FROM help_requests"
    " WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
  [STMT_QUESTIONNAIRE_INSERT] =
    "INSERT INTO questionnaires (id, version, hash, canonical, signature, first_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id, version, hash) DO NOTHING",
  [STMT_QUESTIONNAIRE_LIST] =
    "SELECT id, version, hash, canonical, signature, first_seen FROM questionnaires ORDER BY id, version, hash",
  [STMT_NONCE_INSERT] =
    "INSERT INTO request_nonces (signer, nonce, expires_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (signer, nonce) DO NOTHING",
  /* PostgreSQL's one-round-trip upload: fails on a nonce seen before (the
   * primary key), and when the signer is no longer an active device
   * (expires_at NULL, NOT NULL refuses it), so that nothing of a revoked
   * kiosk's upload is stored, whenever it was checked. The device row is
   * share-locked until the upload commits: a revocation that commits first
   * is seen (the row is read again after the wait), a later one waits. */
  [STMT_NONCE_INSERT_NEW] =
    "INSERT INTO request_nonces (signer, nonce, expires_at) VALUES (?1, ?2,"
    " (SELECT CAST(?3 AS BIGINT) FROM devices WHERE device_id = ?1 AND status = 'active'"
    INTAKE_STORE_PG_ONLY ("FOR SHARE") "))",
  [STMT_NONCE_PRUNE] =
    "DELETE FROM request_nonces WHERE expires_at < ?1",
  [STMT_SCOPE_INSERT] =
    "INSERT INTO reviewer_scopes (reviewer_id, kind, value) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (reviewer_id, kind, value) DO NOTHING",
  [STMT_SCOPE_DELETE] =
    "DELETE FROM reviewer_scopes WHERE reviewer_id = ?1",
  [STMT_SCOPE_LIST] =
    "SELECT kind, value FROM reviewer_scopes WHERE reviewer_id = ?1 ORDER BY kind, value",
  [STMT_SETUP_SCOPE_INSERT] =
    "INSERT INTO setup_scopes (name, kind, value) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (name, kind, value) DO NOTHING",
  [STMT_SETUP_SCOPE_DELETE] =
    "DELETE FROM setup_scopes WHERE name = ?1",
  [STMT_SETUP_SCOPE_LIST] =
    "SELECT kind, value FROM setup_scopes WHERE name = ?1 ORDER BY kind, value",
  [STMT_REVIEWER_SET_BLOB] =
    "UPDATE reviewers SET blob = ?2 WHERE reviewer_id = ?1 AND status = 'active'",
  [STMT_REVIEWER_SET_ROLES] =
    "UPDATE reviewers SET roles = ?2 WHERE reviewer_id = ?1 AND status = 'active'",
  [STMT_SETUP_UPSERT] =
    "INSERT INTO reviewer_setups (" INTAKE_STORE_SETUP_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (name) DO UPDATE SET blob = excluded.blob, roles = excluded.roles,"
    " created_at = excluded.created_at, expires_at = excluded.expires_at, created_by = excluded.created_by",
  [STMT_SETUP_GET] =
    "SELECT " INTAKE_STORE_SETUP_COLUMNS " FROM reviewer_setups WHERE name = ?1",
  [STMT_SETUP_LIST] =
    "SELECT " INTAKE_STORE_SETUP_COLUMNS " FROM reviewer_setups ORDER BY created_at, name",
  [STMT_SETUP_DELETE] =
    "DELETE FROM reviewer_setups WHERE name = ?1",
  [STMT_THROTTLE_GET] =
    "SELECT failures, last_failure, locked_until FROM unlock_throttle WHERE name_key = ?1",
  /* A failure counts from 1 again when the last one is older than ?3. */
  [STMT_THROTTLE_FAIL] =
    "INSERT INTO unlock_throttle (name_key, failures, last_failure, locked_until) VALUES (?1, 1, ?2, 0)"
    " ON CONFLICT (name_key) DO UPDATE SET"
    " failures = CASE WHEN unlock_throttle.last_failure < ?3 THEN 1 ELSE unlock_throttle.failures + 1 END,"
    " last_failure = excluded.last_failure"
    " RETURNING failures",
  [STMT_THROTTLE_LOCK] =
    "UPDATE unlock_throttle SET locked_until = ?2 WHERE name_key = ?1",
  [STMT_THROTTLE_CLEAR] =
    "DELETE FROM unlock_throttle WHERE name_key = ?1",
  [STMT_THROTTLE_PRUNE] =
    "DELETE FROM unlock_throttle WHERE last_failure < ?1 AND locked_until < ?2",
  [STMT_HELP_LIST_OPEN] =
    "SELECT " INTAKE_STORE_HELP_COLUMNS " FROM help_requests WHERE handled_at IS NULL"
    " ORDER BY created_at, id LIMIT ?1",
  [STMT_HELP_GET] =
    "SELECT " INTAKE_STORE_HELP_COLUMNS " FROM help_requests WHERE id = ?1",
  [STMT_HELP_HANDLE] =
    "UPDATE help_requests SET handled_at = ?2, handled_by = ?3 WHERE id = ?1 AND handled_at IS NULL",
  [STMT_OFFICE_SEAL_PUT] =
    "INSERT INTO office_key_seals (office_key_id, recipient_kind, recipient_id, blob, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (office_key_id, recipient_kind, recipient_id)"
    " DO UPDATE SET blob = excluded.blob, created_at = excluded.created_at",
  /* The seals to office keys (every reviewer may walk back the chain) and
   * those to one reviewer. */
  [STMT_OFFICE_SEAL_LIST] =
    "SELECT blob FROM office_key_seals WHERE recipient_kind = 'office'"
    " OR (recipient_kind = 'reviewer' AND recipient_id = ?1) ORDER BY created_at, office_key_id, recipient_id",
  /* A retired key: its own seals, and those of older keys to it. */
  [STMT_OFFICE_SEAL_DELETE] =
    "DELETE FROM office_key_seals WHERE office_key_id = ?1 OR (recipient_kind = 'office' AND recipient_id = ?1)",
  /* Envelopes, and notes (their header names the key at byte 70,
   * docs/envelope.md), still sealed for a key. */
  [STMT_DEVICE_CHECK_IN] =
    "UPDATE devices SET last_seen_at = ?2, reported_pending = ?3, oldest_pending_at = ?4, questionnaire = ?5,"
    " app_version = ?6, last_error = ?7 WHERE device_id = ?1",
  [STMT_OFFICE_KEY_USES] =
    "SELECT (SELECT count(*) FROM envelopes WHERE office_key_id = ?1)"
    " + (SELECT count(*) FROM notes WHERE substr (envelope, 71, 8) = ?2)",
  /* A closed submission's updated_at is its last workflow change or note:
   * the closing, or later. */
  [STMT_EXPIRED_CLOSED] =
    "SELECT device_id, submission_id FROM submissions WHERE state = 'closed' AND updated_at < ?1"
    " ORDER BY seq LIMIT ?2",
  [STMT_EXPIRED_MAXIMUM] =
    "SELECT device_id, submission_id FROM submissions WHERE received_at < ?1 ORDER BY seq LIMIT ?2",
  [STMT_COUNT_EXPIRED_CLOSED] =
    "SELECT count(*) FROM submissions WHERE state = 'closed' AND updated_at < ?1",
  [STMT_COUNT_EXPIRED_MAXIMUM] =
    "SELECT count(*) FROM submissions WHERE received_at < ?1 AND NOT (state = 'closed' AND updated_at < ?2)",
  [STMT_COUNT_EXPIRED_HELP] =
    "SELECT count(*) FROM help_requests WHERE received_at < ?1",
  [STMT_ERASE_NOTES] =
    "DELETE FROM notes WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_ERASE_CONFLICTS] =
    "DELETE FROM conflicts WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_ERASE_SUBMISSION] =
    "DELETE FROM submissions WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_ERASE_ENVELOPE] =
    "DELETE FROM envelopes WHERE submission_id = ?1 AND device_id = ?2",
  [STMT_HELP_PURGE] =
    "DELETE FROM help_requests WHERE received_at < ?1",
};

/* One bound parameter of a statement built at run time. */
typedef struct {
  gboolean    is_text;
  const char *text;
  gint64      value;
} IntakeSqlParam;

#define INTAKE_LIST_MAX_PARAMS 12

static inline int
intake_sql_add_param (IntakeSqlParam *params,
                      int            *n,
                      gboolean        is_text,
                      const char     *text,
                      gint64          value)
{
  g_assert (*n < INTAKE_LIST_MAX_PARAMS);
  params[*n] = (IntakeSqlParam) { is_text, text, value };
  return ++*n;
}

/* The WHERE conditions of @filter after a first condition, each as a
 * bound parameter: state, location, reference, dates, view, changes and
 * the reviewer's scope. Only the conditions in use are written, so each
 * combination is served by an index. */
static inline void
intake_store_filter_conditions (GString                      *sql,
                                const IntakeSubmissionFilter *filter,
                                IntakeSqlParam               *params,
                                int                          *n)
{
  if (filter->state != NULL)
    g_string_append_printf (sql, " AND s.state = ?%d", intake_sql_add_param (params, n, TRUE, filter->state, 0));
  if (filter->location != NULL)
    g_string_append_printf (sql, " AND s.location = ?%d", intake_sql_add_param (params, n, TRUE, filter->location, 0));
  if (filter->reference != NULL)
    g_string_append_printf (sql, " AND s.reference = ?%d", intake_sql_add_param (params, n, TRUE, filter->reference, 0));
  if (filter->from != 0)
    g_string_append_printf (sql, " AND s.created_at >= ?%d", intake_sql_add_param (params, n, FALSE, NULL, filter->from));
  if (filter->to != 0)
    g_string_append_printf (sql, " AND s.created_at < ?%d", intake_sql_add_param (params, n, FALSE, NULL, filter->to));
  if (filter->by_changes)
    g_string_append_printf (sql, " AND s.change_seq > ?%d",
                            intake_sql_add_param (params, n, FALSE, NULL, filter->changed_after));
  if (filter->view != INTAKE_SUBMISSION_VIEW_ALL)
    {
      int me = intake_sql_add_param (params, n, TRUE, filter->me != NULL ? filter->me : "", 0);

      /* A reviewer's name is never "", so "nobody's" and "mine" never meet. */
      if (filter->view == INTAKE_SUBMISSION_VIEW_MINE)
        g_string_append_printf (sql, " AND s.state <> 'closed' AND s.assignee = ?%d", me);
      else
        /* "|| ''" keeps SQLite's planner (without ANALYZE statistics) from
         * an OR of two index searches that collects and sorts every new
         * row (300 ms at 100,000, bench-review (e)): walking seq backwards
         * finds a page of "to do" at once. */
        g_string_append_printf (sql, " AND s.state <> 'closed' AND ((s.assignee || '') = ?%d OR"
                                     " ((s.state || '') = 'new' AND (s.assignee || '') = ''))", me);
    }
  if (filter->scope_reviewer_id != NULL && (filter->scope_locations || filter->scope_units))
    {
      int k = intake_sql_add_param (params, n, TRUE, filter->scope_reviewer_id, 0);

      if (filter->scope_locations)
        g_string_append_printf (sql, " AND s.location IN (SELECT value FROM reviewer_scopes"
                                     " WHERE reviewer_id = ?%d AND kind = 'location')", k);
      if (filter->scope_units)
        g_string_append_printf (sql, " AND (s.unit = '' OR s.unit IN (SELECT value FROM reviewer_scopes"
                                     " WHERE reviewer_id = ?%d AND kind = 'unit'))", k);
    }
}

/* The listing query for @filter: a page by the seq cursor, oldest or
 * newest first. Parameters go to @params (?1 = the cursor, ?2 = limit,
 * then the filters). */
static inline char *
intake_store_list_submissions_sql (const IntakeSubmissionFilter *filter,
                                   IntakeSqlParam               *params,
                                   int                          *out_n)
{
  GString *sql = g_string_new ("SELECT " INTAKE_STORE_SUBMISSION_COLUMNS INTAKE_STORE_SUBMISSION_FROM);
  int n = 0;

  if (filter->descending)
    {
      intake_sql_add_param (params, &n, FALSE, NULL, filter->before_seq > 0 ? filter->before_seq : G_MAXINT64);
      g_string_append (sql, " WHERE s.seq < ?1");
    }
  else
    {
      intake_sql_add_param (params, &n, FALSE, NULL, filter->after_seq);
      g_string_append (sql, " WHERE s.seq > ?1");
    }
  intake_sql_add_param (params, &n, FALSE, NULL, filter->limit);
  intake_store_filter_conditions (sql, filter, params, &n);
  g_string_append (sql, filter->descending ? " ORDER BY s.seq DESC LIMIT ?2" : " ORDER BY s.seq LIMIT ?2");
  *out_n = n;
  return g_string_free (sql, FALSE);
}

/* The counts of the queue (intake_store_count_submissions()): groups of
 * state, unit and assignee (0 nobody, 1 ?1, 2 another; several groups may
 * have the same three, to be added up), with the highest
 * seq and change_seq of each. Served by the (state, unit, assignee) index. */
static inline char *
intake_store_count_submissions_sql (const IntakeSubmissionFilter *filter,
                                    IntakeSqlParam               *params,
                                    int                          *out_n)
{
  GString *sql = g_string_new ("SELECT s.state, s.unit,"
                               " CASE WHEN s.assignee = '' THEN 0 WHEN s.assignee = ?1 THEN 1 ELSE 2 END,"
                               " count(*), max(s.seq), max(s.change_seq)"
                               " FROM submissions s WHERE s.seq > 0");
  IntakeSubmissionFilter counted = *filter;
  int n = 0;

  intake_sql_add_param (params, &n, TRUE, filter->me != NULL ? filter->me : "", 0);
  /* The view is what is counted, not a condition. */
  counted.view = INTAKE_SUBMISSION_VIEW_ALL;
  counted.by_changes = FALSE;
  intake_store_filter_conditions (sql, &counted, params, &n);
  /* Grouped by the assignee itself, in the index's order: no temporary
   * B-tree (a third of the time at 100,000); the caller adds up the groups
   * of one (state, unit, class). */
  g_string_append (sql, " GROUP BY s.state, s.unit, s.assignee");
  *out_n = n;
  return g_string_free (sql, FALSE);
}

/* The metadata of every submission of @filter (intake_store_foreach_fact()). */
static inline char *
intake_store_facts_sql (const IntakeSubmissionFilter *filter,
                        IntakeSqlParam               *params,
                        int                          *out_n)
{
  GString *sql = g_string_new ("SELECT s.created_at, s.received_at, s.location, s.state, s.unit, s.assignee"
                               " FROM submissions s WHERE s.seq > 0");
  IntakeSubmissionFilter counted = *filter;
  int n = 0;

  counted.by_changes = FALSE;
  intake_store_filter_conditions (sql, &counted, params, &n);
  *out_n = n;
  return g_string_free (sql, FALSE);
}

G_END_DECLS

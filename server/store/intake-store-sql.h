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
  N_STMTS
} IntakeStoreStmt;

/* A help request as staff see it (schema 6), in the order the readers take. */
#define INTAKE_STORE_HELP_COLUMNS \
  "id, device_id, location, language, created_at, received_at, coalesce (handled_at, 0)," \
  " coalesce (handled_by, '')"

#define INTAKE_STORE_ENVELOPE_COLUMNS \
  "seq, submission_id, device_id, sha256, size, created_at, questionnaire_id," \
  " questionnaire_version, questionnaire_hash, office_key_id, received_at, source"

/* Columns 0..11 as INTAKE_STORE_ENVELOPE_COLUMNS, then the review columns. */
#define INTAKE_STORE_SUBMISSION_COLUMNS \
  "e.seq, e.submission_id, e.device_id, e.sha256, e.size, e.created_at, e.questionnaire_id," \
  " e.questionnaire_version, e.questionnaire_hash, e.office_key_id, e.received_at, e.source," \
  " s.location, s.reference, s.state, s.unit, s.version, s.updated_at, s.updated_by, s.notes"
#define INTAKE_STORE_SUBMISSION_FROM " FROM submissions s JOIN envelopes e ON e.seq = s.seq"

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
    "SELECT device_id, sign_pk, location, status, enrolled_at, revoked_at"
    " FROM devices WHERE device_id = ?1",
  [STMT_DEVICE_INSERT] =
    "INSERT INTO devices (device_id, sign_pk, location, status, enrolled_at)"
    " VALUES (?1, ?2, ?3, 'active', ?4) ON CONFLICT (device_id) DO NOTHING",
  [STMT_DEVICE_SET_LOCATION] =
    "UPDATE devices SET location = ?2 WHERE device_id = ?1 AND status = 'active'",
  [STMT_DEVICE_LIST] =
    "SELECT device_id, sign_pk, location, status, enrolled_at, revoked_at"
    " FROM devices ORDER BY enrolled_at, device_id",
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
    " CAST (?2 AS TEXT), created_at, received_at FROM envelopes WHERE submission_id = ?1 AND device_id = ?3",
  [STMT_SUBMISSION_MISSING_REF] =
    "SELECT submission_id FROM submissions WHERE reference = '' LIMIT 500",
  [STMT_SUBMISSION_SET_REF] =
    "UPDATE submissions SET reference = ?2 WHERE submission_id = ?1",
  [STMT_SUBMISSION_GET] =
    "SELECT " INTAKE_STORE_SUBMISSION_COLUMNS INTAKE_STORE_SUBMISSION_FROM
    " WHERE s.submission_id = ?1 AND s.device_id = ?2",
  [STMT_WORKFLOW_SET] =
    "UPDATE submissions SET state = ?2, unit = ?3, version = version + 1, updated_at = ?4, updated_by = ?5"
    " WHERE submission_id = ?1 AND device_id = ?7 AND version = ?6",
  [STMT_NOTE_BUMP] =
    "UPDATE submissions SET version = version + 1, notes = notes + 1, updated_at = ?2, updated_by = ?3"
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
    "SELECT seq, hash FROM audit_head WHERE id = 1",
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
};

/* One bound parameter of a statement built at run time. */
typedef struct {
  gboolean    is_text;
  const char *text;
  gint64      value;
} IntakeSqlParam;

#define INTAKE_LIST_MAX_PARAMS 8

/* The listing query for @filter: only the conditions in use, so each
 * combination is served by an index (state, location, reference,
 * created_at) and a page never scans the table. Parameters go to
 * @params (?1 = after_seq, ?2 = limit, then the filters). */
static inline char *
intake_store_list_submissions_sql (const IntakeSubmissionFilter *filter,
                                   IntakeSqlParam               *params,
                                   int                          *out_n)
{
  GString *sql = g_string_new ("SELECT " INTAKE_STORE_SUBMISSION_COLUMNS INTAKE_STORE_SUBMISSION_FROM
                               " WHERE s.seq > ?1");
  int n = 2;

  params[0] = (IntakeSqlParam) { FALSE, NULL, filter->after_seq };
  params[1] = (IntakeSqlParam) { FALSE, NULL, filter->limit };
  if (filter->state != NULL)
    {
      params[n] = (IntakeSqlParam) { TRUE, filter->state, 0 };
      g_string_append_printf (sql, " AND s.state = ?%d", ++n);
    }
  if (filter->location != NULL)
    {
      params[n] = (IntakeSqlParam) { TRUE, filter->location, 0 };
      g_string_append_printf (sql, " AND s.location = ?%d", ++n);
    }
  if (filter->reference != NULL)
    {
      params[n] = (IntakeSqlParam) { TRUE, filter->reference, 0 };
      g_string_append_printf (sql, " AND s.reference = ?%d", ++n);
    }
  if (filter->from != 0)
    {
      params[n] = (IntakeSqlParam) { FALSE, NULL, filter->from };
      g_string_append_printf (sql, " AND s.created_at >= ?%d", ++n);
    }
  if (filter->to != 0)
    {
      params[n] = (IntakeSqlParam) { FALSE, NULL, filter->to };
      g_string_append_printf (sql, " AND s.created_at < ?%d", ++n);
    }
  if (filter->scope_reviewer_id != NULL && (filter->scope_locations || filter->scope_units))
    {
      int k;

      params[n] = (IntakeSqlParam) { TRUE, filter->scope_reviewer_id, 0 };
      k = ++n;
      if (filter->scope_locations)
        g_string_append_printf (sql, " AND s.location IN (SELECT value FROM reviewer_scopes"
                                     " WHERE reviewer_id = ?%d AND kind = 'location')", k);
      if (filter->scope_units)
        g_string_append_printf (sql, " AND (s.unit = '' OR s.unit IN (SELECT value FROM reviewer_scopes"
                                     " WHERE reviewer_id = ?%d AND kind = 'unit'))", k);
    }
  g_string_append (sql, " ORDER BY s.seq LIMIT ?2");
  *out_n = n;
  return g_string_free (sql, FALSE);
}

G_END_DECLS

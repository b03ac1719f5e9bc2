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
  N_STMTS
} IntakeStoreStmt;

#define INTAKE_STORE_ENVELOPE_COLUMNS \
  "seq, submission_id, device_id, sha256, size, created_at, questionnaire_id," \
  " questionnaire_version, questionnaire_hash, office_key_id, received_at, source"

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
    " ON CONFLICT (submission_id) DO NOTHING",
  [STMT_ENVELOPE_GET_BYTES] =
    "SELECT envelope, sha256 FROM envelopes WHERE submission_id = ?1",
  [STMT_CONFLICT_LOG] =
    "INSERT INTO conflicts (submission_id, sha256, device_id, stored_sha256, source,"
    " first_seen, last_seen, attempts)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)"
    " ON CONFLICT (submission_id, sha256) DO UPDATE"
    " SET last_seen = excluded.last_seen, attempts = conflicts.attempts + 1",
  [STMT_ENVELOPE_DUP] =
    "SELECT " INTAKE_STORE_ENVELOPE_COLUMNS ", envelope FROM envelopes WHERE submission_id = ?1",
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
};

G_END_DECLS

-- A store of schema 2, as intake-server wrote it before protocol 2 (commit
-- 4201808): migrations 1 and 2 of server/store/intake-store-pg.c, then
-- data. tests/test-server-store.c (/store/migrates-from-schema-2) loads it
-- and opens it with the current code, which must migrate it in place.
CREATE TABLE schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);
CREATE TABLE enroll_codes (  code_hash   TEXT PRIMARY KEY,  location    TEXT NOT NULL,  created_at  BIGINT NOT NULL,  expires_at  BIGINT NOT NULL,  used_at     BIGINT,  used_by     TEXT);
CREATE TABLE devices (  device_id   TEXT PRIMARY KEY,  sign_pk     BYTEA NOT NULL CHECK (length (sign_pk) = 32),  location    TEXT NOT NULL,  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),  enrolled_at BIGINT NOT NULL,  revoked_at  BIGINT);
CREATE TABLE envelopes (  seq                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  submission_id         TEXT NOT NULL UNIQUE,  device_id             TEXT NOT NULL REFERENCES devices (device_id),  envelope              BYTEA NOT NULL,  sha256                TEXT NOT NULL,  size                  BIGINT NOT NULL,  created_at            BIGINT NOT NULL,  questionnaire_id      TEXT NOT NULL,  questionnaire_version BIGINT NOT NULL,  questionnaire_hash    TEXT NOT NULL,  office_key_id         TEXT NOT NULL,  received_at           BIGINT NOT NULL,  source                TEXT NOT NULL CHECK (source IN ('upload', 'bundle')));
CREATE INDEX envelopes_by_device ON envelopes (device_id, seq);
CREATE TABLE conflicts (  submission_id TEXT NOT NULL,  sha256        TEXT NOT NULL,  device_id     TEXT NOT NULL,  stored_sha256 TEXT NOT NULL,  source        TEXT NOT NULL,  first_seen    BIGINT NOT NULL,  last_seen     BIGINT NOT NULL,  attempts      BIGINT NOT NULL,  PRIMARY KEY (submission_id, sha256));
CREATE TABLE settings (  name  TEXT PRIMARY KEY NOT NULL,  value TEXT NOT NULL);

CREATE TABLE submissions (  seq           BIGINT PRIMARY KEY REFERENCES envelopes (seq),  submission_id TEXT NOT NULL UNIQUE,  location      TEXT NOT NULL,  reference     TEXT NOT NULL,  created_at    BIGINT NOT NULL,  received_at   BIGINT NOT NULL,  state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_review',                  'conversation_planned', 'closed', 'needs_follow_up')),  unit          TEXT NOT NULL DEFAULT '',  version       BIGINT NOT NULL DEFAULT 1,  updated_at    BIGINT NOT NULL DEFAULT 0,  updated_by    TEXT NOT NULL DEFAULT '',  notes         BIGINT NOT NULL DEFAULT 0);
INSERT INTO submissions (seq, submission_id, location, reference, created_at, received_at)  SELECT e.seq, e.submission_id, coalesce (d.location, ''), '', e.created_at, e.received_at  FROM envelopes e LEFT JOIN devices d ON d.device_id = e.device_id;
CREATE INDEX submissions_state ON submissions (state, seq);
CREATE INDEX submissions_location ON submissions (location, seq);
CREATE INDEX submissions_reference ON submissions (reference);
CREATE INDEX submissions_created ON submissions (created_at);
CREATE TABLE notes (  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  submission_id TEXT NOT NULL REFERENCES submissions (submission_id),  envelope      BYTEA NOT NULL,  sha256        TEXT NOT NULL,  reviewer_id   TEXT NOT NULL,  reviewer      TEXT NOT NULL,  created_at    BIGINT NOT NULL);
CREATE INDEX notes_by_submission ON notes (submission_id, id);
CREATE TABLE reviewers (  reviewer_id TEXT PRIMARY KEY,  name        TEXT NOT NULL,  sign_pk     BYTEA NOT NULL CHECK (length (sign_pk) = 32),  blob        BYTEA NOT NULL,  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),  created_at  BIGINT NOT NULL,  revoked_at  BIGINT);
CREATE UNIQUE INDEX reviewers_active_name ON reviewers (name) WHERE status = 'active';
CREATE INDEX reviewers_by_name ON reviewers (name, created_at);
CREATE TABLE audit_log (  seq    BIGINT PRIMARY KEY,  time   BIGINT NOT NULL,  actor  TEXT NOT NULL,  action TEXT NOT NULL,  object TEXT NOT NULL,  result TEXT NOT NULL,  origin TEXT NOT NULL,  prev   TEXT NOT NULL,  hash   TEXT NOT NULL);
CREATE INDEX audit_by_object ON audit_log (object, seq);
CREATE TABLE audit_head (  id   BIGINT PRIMARY KEY CHECK (id = 1),  seq  BIGINT NOT NULL,  hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE help_requests (  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  device_id   TEXT NOT NULL,  client_key  TEXT NOT NULL,  created_at  BIGINT NOT NULL,  language    TEXT NOT NULL,  location    TEXT NOT NULL,  received_at BIGINT NOT NULL,  UNIQUE (device_id, client_key));
CREATE INDEX help_requests_created ON help_requests (created_at);
CREATE TABLE questionnaires (  id         TEXT NOT NULL,  version    BIGINT NOT NULL,  hash       TEXT NOT NULL,  canonical  BYTEA NOT NULL,  signature  BYTEA NOT NULL,  first_seen BIGINT NOT NULL,  PRIMARY KEY (id, version, hash));


-- Data as a schema 2 store held it: one kiosk, two envelopes (one in review
-- with a note), one refused conflicting copy, one reviewer (format 1 key).
INSERT INTO schema_version (version, applied_at) VALUES (1, 1790000000), (2, 1790000000);
INSERT INTO devices (device_id, sign_pk, location, status, enrolled_at) VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, 'Vaals', 'active', 1790000000);
INSERT INTO envelopes (submission_id, device_id, envelope, sha256, size, created_at, questionnaire_id, questionnaire_version, questionnaire_hash, office_key_id, received_at, source)
  VALUES ('11111111111111111111111111111111', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '\x494b454e0101'::bytea, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 6, 1790000000, 'intake-test', 1, 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '0000000000000000', 1790000001, 'upload');
INSERT INTO envelopes (submission_id, device_id, envelope, sha256, size, created_at, questionnaire_id, questionnaire_version, questionnaire_hash, office_key_id, received_at, source)
  VALUES ('22222222222222222222222222222222', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '\x494b454e0202'::bytea, 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', 6, 1790000002, 'intake-test', 1, 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '0000000000000000', 1790000003, 'bundle');
INSERT INTO submissions (seq, submission_id, location, reference, created_at, received_at, state, unit, version, updated_at, updated_by, notes)
  VALUES (1, '11111111111111111111111111111111', 'Vaals', 'CCCC-CCCC', 1790000000, 1790000001, 'in_review', 'Team Werk', 3, 1790000100, 'anna', 1);
INSERT INTO submissions (seq, submission_id, location, reference, created_at, received_at)
  VALUES (2, '22222222222222222222222222222222', 'Vaals', '', 1790000002, 1790000003);
INSERT INTO notes (submission_id, envelope, sha256, reviewer_id, reviewer, created_at)
  VALUES ('11111111111111111111111111111111', '\x494b454e0909'::bytea, '9999999999999999999999999999999999999999999999999999999999999999', 'cccccccccccccccccccccccccccccccc', 'anna', 1790000100);
INSERT INTO conflicts (submission_id, sha256, device_id, stored_sha256, source, first_seen, last_seen, attempts)
  VALUES ('11111111111111111111111111111111', '8888888888888888888888888888888888888888888888888888888888888888', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 'upload', 1790000200, 1790000200, 1);
INSERT INTO reviewers (reviewer_id, name, sign_pk, blob, status, created_at)
  VALUES ('cccccccccccccccccccccccccccccccc', 'anna', '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea, '\x494b524b0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::bytea, 'active', 1790000000);
-- A help request from before staff could mark them handled (schema 6): it starts handled.
INSERT INTO help_requests (device_id, client_key, created_at, language, location, received_at)
  VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'id:1:1790000100:ar', 1790000100, 'ar', 'Vaals', 1790000110);

/* intake-server-util.h: what intake-server and intake-admin share beyond the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Enrollment codes, durations, opening the store named on a command line,
 * the server key, and binding a store to one office key.
 */
#pragma once

#include <glib.h>

#include "intake-accept.h"
#include "intake-keys.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_ENROLL_CODE_GROUPS     4
#define INTAKE_ENROLL_CODE_GROUP_LEN  4

/* "XXXX-XXXX-XXXX-XXXX" from the reference alphabet (app/intake-reference.h),
 * 16 symbols drawn with randombytes_uniform: about 71 bits. */
char        *intake_enroll_code_generate       (void);
/* Uppercases, drops spaces and dashes; NULL unless the rest is 16 symbols
 * of the alphabet. Returns the grouped form above. */
char        *intake_enroll_code_normalize      (const char          *input);
/* hex(SHA-256("intake-enroll-v1" || normalized code)): all the store keeps. */
char        *intake_enroll_code_hash           (const char          *normalized);

/* "90s", "30m", "24h", "7d" (a positive whole number and one unit). */
gboolean     intake_parse_duration             (const char          *text,
                                                gint64              *out_seconds,
                                                GError             **error);

/* Exactly one of @data_dir (SQLite at DIR/intake.db, DIR created 0700) and
 * @conninfo (PostgreSQL, with the default statement timeout). */
IntakeStore *intake_store_open_from_options    (const char          *data_dir,
                                                const char          *conninfo,
                                                GError             **error);
/* The same, with PostgreSQL's statement timeout in seconds
 * (intake_store_pg_connect()); SQLite does not use it. */
IntakeStore *intake_store_open_from_options_full (const char        *data_dir,
                                                  const char        *conninfo,
                                                  guint              pg_statement_timeout,
                                                  GError           **error);

/* Loads the server's Ed25519 key from @secret_path, or creates it (mode
 * 0600, and @public_path beside it) if the file does not exist yet. Two
 * processes starting together end up with the same key. */
IntakeDeviceKey *intake_server_key_load_or_create (const char       *secret_path,
                                                   const char       *public_path,
                                                   gboolean         *out_created,
                                                   GError          **error);

/* The store remembers the office key its envelopes are checked against
 * (setting "office_public"). The first server to start records @office;
 * later starts with another office key are refused, so a store never mixes
 * envelopes for two offices by accident. */
gboolean     intake_store_bind_office          (IntakeStore               *store,
                                                const IntakeOfficePublic  *office,
                                                GError                   **error);
/* The office keys a store knows (schema 9; docs/server.md, "Rotating the
 * office key"): the key it serves, every key before it by verified
 * rotation statements, and which of them are retired. */
typedef struct {
  IntakeOfficePublic *current;
  GPtrArray          *chain;       /* IntakeOfficePublic *, oldest first, current last */
  GPtrArray          *rotations;   /* GBytes * (IKOR), oldest first */
  IntakeOfficeKeySet  set;         /* for intake_accept_*() */
} IntakeOfficeKeys;

/* Reads and verifies the store's office keys. A store that records no
 * office key yet (or none but @fallback) gives @fallback alone. */
IntakeOfficeKeys   *intake_store_load_office_keys (IntakeStore               *store,
                                                   const IntakeOfficePublic  *fallback,
                                                   GError                   **error);
/* Just the one key, for stores and tests without rotation. */
IntakeOfficeKeys   *intake_office_keys_new_single (const IntakeOfficePublic  *office);
void                intake_office_keys_free       (IntakeOfficeKeys          *keys);
/* The key with this id in the chain, or NULL. */
const IntakeOfficePublic *intake_office_keys_lookup (IntakeOfficeKeys        *keys,
                                                     const char              *key_id_hex);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficeKeys, intake_office_keys_free)

/* The server key rollover statements (GBytes *, IKSR, oldest first) the
 * store records (setting "server_rotations"), each verified. */
GPtrArray          *intake_store_load_server_rotations (IntakeStore          *store,
                                                        GError              **error);

/* The office key recorded by intake_store_bind_office(). */
IntakeOfficePublic *intake_store_dup_office    (IntakeStore               *store,
                                                GError                   **error);

/* The store's generation (setting "store_generation", schema 8): a random
 * id that a restore replaces. The server tells kiosks this id in every
 * answer (header Intake-Store-Generation); a kiosk that sees it change
 * sends again what it delivered. NULL with @error unset if the store has
 * none (it always has one at schema 8). */
char        *intake_store_dup_generation       (IntakeStore               *store,
                                                GError                   **error);
/* Replaces the generation with a new random one and returns it. */
char        *intake_store_new_generation       (IntakeStore               *store,
                                                GError                   **error);

G_END_DECLS

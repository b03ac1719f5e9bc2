/* intake-office-rotation.h: office key rotation statements, sealed office
 * keys and the keyring a reviewer opens envelopes with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The formats (IKOR, IKOG) are specified in docs/keys.md, "Office key
 * rotation"; the procedure in docs/server.md, "Rotating the office key".
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"

G_BEGIN_DECLS

/* "Office key @old_key is followed by @new_key", signed by both. Only ever
 * constructed from a blob whose two signatures verify, or by signing. */
typedef struct {
  IntakeOfficePublic old_key;
  IntakeOfficePublic new_key;
  gint64             created_at;   /* Unix seconds */
} IntakeOfficeRotation;

GBytes               *intake_office_rotation_sign            (const IntakeOfficeSecret  *old_secret,
                                                              const IntakeOfficeSecret  *new_secret,
                                                              gint64                     created_at);
/* Checks the blob and both signatures; @what names the input in messages. */
IntakeOfficeRotation *intake_office_rotation_new_from_bytes  (GBytes                    *blob,
                                                              const char                *what,
                                                              GError                   **error);
void                  intake_office_rotation_free            (IntakeOfficeRotation      *self);

/* Follows @rotations (IntakeOfficeRotation *, any order) from @trusted, the
 * key the caller already trusts, one signed step at a time. Returns the
 * keys so reached (IntakeOfficePublic *, @trusted first, the newest last).
 * Rotations that do not continue the chain are ignored; two different
 * successors of one key are refused (MALFORMED): the office signs one. */
GPtrArray            *intake_office_chain_follow             (const IntakeOfficePublic  *trusted,
                                                              GPtrArray                 *rotations,
                                                              GError                   **error);

/* Every key @trusted is linked to by @rotations: forwards as
 * intake_office_chain_follow(), then backwards (a statement whose newer
 * key is trusted makes its older key trusted: it is signed by both). What
 * a reviewer accepts keys from sealed office keys for. */
GPtrArray            *intake_office_chain_related            (const IntakeOfficePublic  *trusted,
                                                              GPtrArray                 *rotations,
                                                              GError                   **error);

typedef enum {
  INTAKE_OFFICE_SEAL_TO_OFFICE = 1,     /* a newer office key (its box key) */
  INTAKE_OFFICE_SEAL_TO_REVIEWER = 2,   /* a reviewer (their Ed25519 key, as X25519) */
} IntakeOfficeSealRecipient;

typedef struct {
  guint8                    key_id[INTAKE_OFFICE_KEY_ID_BYTES];   /* the office key inside */
  IntakeOfficeSealRecipient recipient;
  guint8                    recipient_id[16];  /* reviewer id, or office key id + 8 zero bytes */
} IntakeOfficeSealInfo;

/* An office secret sealed (crypto_box_seal) to another office key, or to a
 * reviewer's key. */
GBytes             *intake_office_key_seal_to_office       (const IntakeOfficeSecret  *secret,
                                                            const IntakeOfficePublic  *recipient,
                                                            GError                   **error);
GBytes             *intake_office_key_seal_to_reviewer     (const IntakeOfficeSecret  *secret,
                                                            const guint8              *reviewer_sign_pk,
                                                            GError                   **error);
gboolean            intake_office_key_seal_peek            (GBytes                    *blob,
                                                            IntakeOfficeSealInfo      *out_info,
                                                            GError                   **error);
IntakeOfficeSecret *intake_office_key_seal_open_with_office   (GBytes                    *blob,
                                                               const IntakeOfficeSecret  *office,
                                                               GError                   **error);
IntakeOfficeSecret *intake_office_key_seal_open_with_reviewer (GBytes                    *blob,
                                                               const IntakeReviewerKey   *reviewer,
                                                               GError                   **error);

/* The office secrets one reviewer holds: the one in their reviewer key and
 * those opened from seals. Secrets stay in sodium_malloc() memory. */
typedef struct _IntakeOfficeKeyring IntakeOfficeKeyring;

IntakeOfficeKeyring      *intake_office_keyring_new        (const IntakeOfficeSecret  *first);
void                      intake_office_keyring_free       (IntakeOfficeKeyring       *self);
guint                     intake_office_keyring_get_n_keys (IntakeOfficeKeyring       *self);
const IntakeOfficeSecret *intake_office_keyring_lookup     (IntakeOfficeKeyring       *self,
                                                            const guint8              *key_id);
const IntakeOfficeSecret *intake_office_keyring_lookup_hex (IntakeOfficeKeyring       *self,
                                                            const char                *key_id_hex);
/* Opens every seal of @seals (GBytes *) addressed to a key the ring holds
 * or to @reviewer (may be NULL), repeatedly, and keeps the opened secret
 * only if its public key is one of @trusted (IntakeOfficePublic *: the
 * chain the caller verified). Seals it cannot open are skipped. Returns how
 * many keys were added. */
guint                     intake_office_keyring_absorb     (IntakeOfficeKeyring       *self,
                                                            const IntakeReviewerKey   *reviewer,
                                                            GPtrArray                 *seals,
                                                            GPtrArray                 *trusted);

/* Server key rollover (IKSR, docs/keys.md, "Server key rollover"): "server
 * key @old_pk is followed by @new_pk", signed by both. */
typedef struct {
  guint8 old_pk[INTAKE_SIGN_PUBLIC_BYTES];
  guint8 new_pk[INTAKE_SIGN_PUBLIC_BYTES];
  gint64 created_at;
} IntakeServerKeyRotation;

GBytes                  *intake_server_key_rotation_sign       (const IntakeDeviceKey     *old_key,
                                                                const IntakeDeviceKey     *new_key,
                                                                gint64                     created_at);
IntakeServerKeyRotation *intake_server_key_rotation_new_from_bytes (GBytes                *blob,
                                                                const char                *what,
                                                                GError                   **error);
void                     intake_server_key_rotation_free       (IntakeServerKeyRotation   *self);
/* Follows @rotations (IntakeServerKeyRotation *, any order) from @trusted_pk
 * and copies the newest key reached into @out_pk (@trusted_pk itself when
 * none continues it). Two successors of one key are refused (MALFORMED). */
gboolean                 intake_server_key_chain_follow        (const guint8              *trusted_pk,
                                                                GPtrArray                 *rotations,
                                                                guint8                    *out_pk,
                                                                GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeServerKeyRotation, intake_server_key_rotation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficeRotation, intake_office_rotation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeOfficeKeyring, intake_office_keyring_free)

G_END_DECLS

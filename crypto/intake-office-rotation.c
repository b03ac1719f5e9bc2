/* intake-office-rotation.c: office key rotation statements, sealed office
 * keys and the reviewer's keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rotation gives the office a new key pair without a visit to any
 * kiosk: the statement IKOR says "key A is followed by key B" and is signed
 * by both, so a kiosk that trusts A can trust B. Old secrets are kept
 * readable by sealing them (IKOG) to the newer office key, and the new
 * secret reaches the reviewers who remain by sealing it to each reviewer's
 * own key. docs/keys.md, "Office key rotation".
 */
#include "config.h"

#include <string.h>
#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-keys-private.h"
#include "intake-envelope.h"
#include "intake-office-rotation.h"

#define TAG_ROTATION "IKOR"
#define TAG_SEAL     "IKOG"
#define ROTATION_CONTEXT "intake-office-rotation-v1"

/* IKOR */
#define OR_OLD        5
#define OR_NEW        (OR_OLD + INTAKE_OFFICE_PUBLIC_BLOB_BYTES)
#define OR_CREATED_AT (OR_NEW + INTAKE_OFFICE_PUBLIC_BLOB_BYTES)
#define OR_SIG_OLD    (OR_CREATED_AT + 8)
#define OR_SIG_NEW    (OR_SIG_OLD + INTAKE_SIGNATURE_BYTES)
G_STATIC_ASSERT (OR_SIG_NEW + INTAKE_SIGNATURE_BYTES == INTAKE_OFFICE_ROTATION_BLOB_BYTES);

/* IKOG */
#define OG_KEY_ID     5
#define OG_RECIPIENT  (OG_KEY_ID + INTAKE_OFFICE_KEY_ID_BYTES)
#define OG_RECIPIENT_ID (OG_RECIPIENT + 1)
#define OG_SEALED     (OG_RECIPIENT_ID + 16)
#define OG_SEALED_BYTES (INTAKE_OFFICE_SECRET_INNER_BYTES + crypto_box_SEALBYTES)
G_STATIC_ASSERT (OG_SEALED + OG_SEALED_BYTES == INTAKE_OFFICE_KEY_SEAL_BLOB_BYTES);

/* Rotation statements ------------------------------------------------------- */

GBytes *
intake_office_rotation_sign (const IntakeOfficeSecret *old_secret,
                             const IntakeOfficeSecret *new_secret,
                             gint64                    created_at)
{
  g_autoptr(GBytes) old_blob = NULL;
  g_autoptr(GBytes) new_blob = NULL;
  g_autoptr(GBytes) message = NULL;
  guint8 *out;

  g_return_val_if_fail (old_secret != NULL, NULL);
  g_return_val_if_fail (new_secret != NULL, NULL);

  old_blob = intake_office_public_to_bytes (intake_office_secret_get_public (old_secret));
  new_blob = intake_office_public_to_bytes (intake_office_secret_get_public (new_secret));
  out = g_malloc0 (INTAKE_OFFICE_ROTATION_BLOB_BYTES);
  memcpy (out, TAG_ROTATION, 4);
  out[4] = INTAKE_KEY_FORMAT_VERSION;
  memcpy (out + OR_OLD, g_bytes_get_data (old_blob, NULL), INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
  memcpy (out + OR_NEW, g_bytes_get_data (new_blob, NULL), INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
  intake_put_u64_le (out + OR_CREATED_AT, (guint64)created_at);
  message = g_bytes_new_static (out, OR_SIG_OLD);
  intake_office_secret_sign (old_secret, ROTATION_CONTEXT, message, out + OR_SIG_OLD);
  intake_office_secret_sign (new_secret, ROTATION_CONTEXT, message, out + OR_SIG_NEW);
  return g_bytes_new_take (out, INTAKE_OFFICE_ROTATION_BLOB_BYTES);
}

static gboolean
office_public_from (const guint8        *data,
                    const char          *what,
                    IntakeOfficePublic  *out,
                    GError             **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
  g_autoptr(IntakeOfficePublic) pub = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(pub = intake_office_public_new_from_bytes (bytes, &local_error)))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, local_error->code, "%s: %s", what, local_error->message);
      return FALSE;
    }
  *out = *pub;
  return TRUE;
}

IntakeOfficeRotation *
intake_office_rotation_new_from_bytes (GBytes      *blob,
                                       const char  *what,
                                       GError     **error)
{
  g_autoptr(IntakeOfficeRotation) self = g_new0 (IntakeOfficeRotation, 1);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (blob != NULL, NULL);

  data = g_bytes_get_data (blob, &len);
  if (!intake_key_blob_check (data, len, TAG_ROTATION, INTAKE_OFFICE_ROTATION_BLOB_BYTES, what, error) ||
      !office_public_from (data + OR_OLD, what, &self->old_key, error) ||
      !office_public_from (data + OR_NEW, what, &self->new_key, error))
    return NULL;
  if (sodium_memcmp (self->old_key.key_id, self->new_key.key_id, INTAKE_OFFICE_KEY_ID_BYTES) == 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s rotates an office key to itself", what);
      return NULL;
    }
  self->created_at = (gint64)intake_get_u64_le (data + OR_CREATED_AT);
  message = g_bytes_new_static (data, OR_SIG_OLD);
  if (!intake_office_public_verify (&self->old_key, ROTATION_CONTEXT, message, data + OR_SIG_OLD, &local_error) ||
      !intake_office_public_verify (&self->new_key, ROTATION_CONTEXT, message, data + OR_SIG_NEW, &local_error))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
                   "%s is not a valid office key rotation: %s", what, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
intake_office_rotation_free (IntakeOfficeRotation *self)
{
  g_free (self);
}

static gboolean
same_office_key (const IntakeOfficePublic *a,
                 const IntakeOfficePublic *b)
{
  return memcmp (a->key_id, b->key_id, sizeof a->key_id) == 0 &&
         memcmp (a->box_pk, b->box_pk, sizeof a->box_pk) == 0 &&
         memcmp (a->sign_pk, b->sign_pk, sizeof a->sign_pk) == 0;
}

GPtrArray *
intake_office_chain_follow (const IntakeOfficePublic  *trusted,
                            GPtrArray                 *rotations,
                            GError                   **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_public_free);

  g_return_val_if_fail (trusted != NULL, NULL);

  g_ptr_array_add (chain, intake_office_public_copy (trusted));
  /* Each step consumes one rotation, so this ends. */
  for (guint step = 0; rotations != NULL && step < rotations->len; step++)
    {
      const IntakeOfficePublic *current = g_ptr_array_index (chain, chain->len - 1);
      const IntakeOfficeRotation *next = NULL;

      for (guint i = 0; i < rotations->len; i++)
        {
          const IntakeOfficeRotation *r = g_ptr_array_index (rotations, i);

          if (!same_office_key (&r->old_key, current))
            continue;
          if (next != NULL && !same_office_key (&next->new_key, &r->new_key))
            {
              g_autofree char *id = intake_office_public_dup_key_id_hex (current);

              g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "office key %s is followed by two different keys; the office signs one "
                           "successor, so this is refused (ask the office)", id);
              return NULL;
            }
          next = r;
        }
      if (next == NULL)
        break;
      for (guint i = 0; i < chain->len; i++)
        if (same_office_key (g_ptr_array_index (chain, i), &next->new_key))
          {
            g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                                 "the office key rotations form a loop; refused");
            return NULL;
          }
      g_ptr_array_add (chain, intake_office_public_copy (&next->new_key));
    }
  return g_steal_pointer (&chain);
}

static gboolean
chain_has (GPtrArray                *keys,
           const IntakeOfficePublic *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (same_office_key (g_ptr_array_index (keys, i), key))
      return TRUE;
  return FALSE;
}

GPtrArray *
intake_office_chain_related (const IntakeOfficePublic  *trusted,
                             GPtrArray                 *rotations,
                             GError                   **error)
{
  g_autoptr(GPtrArray) keys = intake_office_chain_follow (trusted, rotations, error);
  gboolean progress = TRUE;

  if (keys == NULL)
    return NULL;
  while (progress && rotations != NULL)
    {
      progress = FALSE;
      for (guint i = 0; i < rotations->len; i++)
        {
          const IntakeOfficeRotation *r = g_ptr_array_index (rotations, i);

          if (chain_has (keys, &r->new_key) && !chain_has (keys, &r->old_key))
            {
              g_ptr_array_add (keys, intake_office_public_copy (&r->old_key));
              progress = TRUE;
            }
        }
    }
  return g_steal_pointer (&keys);
}

/* Server key rollover ------------------------------------------------------- */

#define TAG_SERVER_ROTATION "IKSR"
#define SERVER_ROTATION_CONTEXT "intake-server-key-rotation-v1"
#define SR_OLD        5
#define SR_NEW        (SR_OLD + INTAKE_SIGN_PUBLIC_BYTES)
#define SR_CREATED_AT (SR_NEW + INTAKE_SIGN_PUBLIC_BYTES)
#define SR_SIG_OLD    (SR_CREATED_AT + 8)
#define SR_SIG_NEW    (SR_SIG_OLD + INTAKE_SIGNATURE_BYTES)
G_STATIC_ASSERT (SR_SIG_NEW + INTAKE_SIGNATURE_BYTES == INTAKE_SERVER_ROTATION_BLOB_BYTES);

GBytes *
intake_server_key_rotation_sign (const IntakeDeviceKey *old_key,
                                 const IntakeDeviceKey *new_key,
                                 gint64                 created_at)
{
  g_autoptr(GBytes) message = NULL;
  IntakeDevicePublic old_pub, new_pub;
  guint8 *out;

  g_return_val_if_fail (old_key != NULL, NULL);
  g_return_val_if_fail (new_key != NULL, NULL);

  intake_device_key_get_public (old_key, &old_pub);
  intake_device_key_get_public (new_key, &new_pub);
  out = g_malloc0 (INTAKE_SERVER_ROTATION_BLOB_BYTES);
  memcpy (out, TAG_SERVER_ROTATION, 4);
  out[4] = INTAKE_KEY_FORMAT_VERSION;
  memcpy (out + SR_OLD, old_pub.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (out + SR_NEW, new_pub.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_put_u64_le (out + SR_CREATED_AT, (guint64)created_at);
  message = g_bytes_new_static (out, SR_SIG_OLD);
  intake_device_key_sign (old_key, SERVER_ROTATION_CONTEXT, message, out + SR_SIG_OLD);
  intake_device_key_sign (new_key, SERVER_ROTATION_CONTEXT, message, out + SR_SIG_NEW);
  return g_bytes_new_take (out, INTAKE_SERVER_ROTATION_BLOB_BYTES);
}

IntakeServerKeyRotation *
intake_server_key_rotation_new_from_bytes (GBytes      *blob,
                                           const char  *what,
                                           GError     **error)
{
  g_autoptr(IntakeServerKeyRotation) self = g_new0 (IntakeServerKeyRotation, 1);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic old_pub = { { 0 } }, new_pub = { { 0 } };
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (blob != NULL, NULL);

  data = g_bytes_get_data (blob, &len);
  if (!intake_key_blob_check (data, len, TAG_SERVER_ROTATION, INTAKE_SERVER_ROTATION_BLOB_BYTES, what, error))
    return NULL;
  memcpy (self->old_pk, data + SR_OLD, INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (self->new_pk, data + SR_NEW, INTAKE_SIGN_PUBLIC_BYTES);
  self->created_at = (gint64)intake_get_u64_le (data + SR_CREATED_AT);
  if (sodium_memcmp (self->old_pk, self->new_pk, INTAKE_SIGN_PUBLIC_BYTES) == 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s rolls a server key over to itself", what);
      return NULL;
    }
  memcpy (old_pub.sign_pk, self->old_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_device_id_from_public_key (old_pub.sign_pk, old_pub.device_id);
  memcpy (new_pub.sign_pk, self->new_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_device_id_from_public_key (new_pub.sign_pk, new_pub.device_id);
  message = g_bytes_new_static (data, SR_SIG_OLD);
  if (!intake_device_public_verify (&old_pub, SERVER_ROTATION_CONTEXT, message, data + SR_SIG_OLD, &local_error) ||
      !intake_device_public_verify (&new_pub, SERVER_ROTATION_CONTEXT, message, data + SR_SIG_NEW, &local_error))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
                   "%s is not a valid server key rollover: %s", what, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
intake_server_key_rotation_free (IntakeServerKeyRotation *self)
{
  g_free (self);
}

gboolean
intake_server_key_chain_follow (const guint8  *trusted_pk,
                                GPtrArray     *rotations,
                                guint8        *out_pk,
                                GError       **error)
{
  guint8 current[INTAKE_SIGN_PUBLIC_BYTES];

  g_return_val_if_fail (trusted_pk != NULL, FALSE);
  g_return_val_if_fail (out_pk != NULL, FALSE);

  memcpy (current, trusted_pk, sizeof current);
  /* Each step consumes one rotation, so this ends (a loop is cut short). */
  for (guint step = 0; rotations != NULL && step < rotations->len; step++)
    {
      const IntakeServerKeyRotation *next = NULL;

      for (guint i = 0; i < rotations->len; i++)
        {
          const IntakeServerKeyRotation *r = g_ptr_array_index (rotations, i);

          if (memcmp (r->old_pk, current, sizeof current) != 0)
            continue;
          if (next != NULL && memcmp (next->new_pk, r->new_pk, sizeof current) != 0)
            {
              g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                                   "a server key is followed by two different keys; refused");
              return FALSE;
            }
          next = r;
        }
      if (next == NULL || memcmp (next->new_pk, trusted_pk, sizeof current) == 0)
        break;
      memcpy (current, next->new_pk, sizeof current);
    }
  memcpy (out_pk, current, sizeof current);
  return TRUE;
}

/* Sealed office keys ------------------------------------------------------- */

static GBytes *
seal_to (const IntakeOfficeSecret  *secret,
         IntakeOfficeSealRecipient  recipient,
         const guint8              *recipient_id,
         const guint8              *recipient_box_pk)
{
  g_autoptr(IntakeSecureBuffer) inner = intake_office_secret_encode_inner (secret);
  guint8 *out = g_malloc0 (INTAKE_OFFICE_KEY_SEAL_BLOB_BYTES);

  memcpy (out, TAG_SEAL, 4);
  out[4] = INTAKE_KEY_FORMAT_VERSION;
  memcpy (out + OG_KEY_ID, intake_office_secret_get_public (secret)->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  out[OG_RECIPIENT] = (guint8)recipient;
  memcpy (out + OG_RECIPIENT_ID, recipient_id, 16);
  crypto_box_seal (out + OG_SEALED, inner->data, inner->len, recipient_box_pk);
  return g_bytes_new_take (out, INTAKE_OFFICE_KEY_SEAL_BLOB_BYTES);
}

GBytes *
intake_office_key_seal_to_office (const IntakeOfficeSecret  *secret,
                                  const IntakeOfficePublic  *recipient,
                                  GError                   **error)
{
  guint8 id[16] = { 0 };

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (recipient != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  memcpy (id, recipient->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  return seal_to (secret, INTAKE_OFFICE_SEAL_TO_OFFICE, id, recipient->box_pk);
}

GBytes *
intake_office_key_seal_to_reviewer (const IntakeOfficeSecret  *secret,
                                    const guint8              *reviewer_sign_pk,
                                    GError                   **error)
{
  guint8 id[INTAKE_REVIEWER_ID_BYTES];
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (reviewer_sign_pk != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  if (crypto_sign_ed25519_pk_to_curve25519 (box_pk, reviewer_sign_pk) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the reviewer's public key is not a valid Ed25519 key");
      return NULL;
    }
  intake_reviewer_id_from_public_key (reviewer_sign_pk, id);
  return seal_to (secret, INTAKE_OFFICE_SEAL_TO_REVIEWER, id, box_pk);
}

gboolean
intake_office_key_seal_peek (GBytes                *blob,
                             IntakeOfficeSealInfo  *out_info,
                             GError               **error)
{
  const guint8 *data;
  gsize len = 0;

  g_return_val_if_fail (blob != NULL, FALSE);
  g_return_val_if_fail (out_info != NULL, FALSE);

  data = g_bytes_get_data (blob, &len);
  if (!intake_key_blob_check (data, len, TAG_SEAL, INTAKE_OFFICE_KEY_SEAL_BLOB_BYTES, "the sealed office key",
                              error))
    return FALSE;
  if (data[OG_RECIPIENT] != INTAKE_OFFICE_SEAL_TO_OFFICE && data[OG_RECIPIENT] != INTAKE_OFFICE_SEAL_TO_REVIEWER)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the sealed office key names an unknown kind of recipient (%u)", data[OG_RECIPIENT]);
      return FALSE;
    }
  memcpy (out_info->key_id, data + OG_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
  out_info->recipient = data[OG_RECIPIENT];
  memcpy (out_info->recipient_id, data + OG_RECIPIENT_ID, 16);
  return TRUE;
}

static IntakeOfficeSecret *
seal_open (GBytes        *blob,
           const guint8  *box_pk,
           const guint8  *box_sk,
           GError       **error)
{
  g_autoptr(IntakeSecureBuffer) inner = intake_secure_buffer_new (INTAKE_OFFICE_SECRET_INNER_BYTES);
  IntakeOfficeSealInfo info;
  const guint8 *data = g_bytes_get_data (blob, NULL);

  if (!intake_office_key_seal_peek (blob, &info, error))
    return NULL;
  if (crypto_box_seal_open (inner->data, data + OG_SEALED, OG_SEALED_BYTES, box_pk, box_sk) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT,
                           "the sealed office key does not open with this key (another recipient, "
                           "or the data was altered)");
      return NULL;
    }
  return intake_office_secret_new_from_inner (inner->data, info.key_id, "the sealed office key", error);
}

IntakeOfficeSecret *
intake_office_key_seal_open_with_office (GBytes                    *blob,
                                         const IntakeOfficeSecret  *office,
                                         GError                   **error)
{
  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (office != NULL, NULL);

  return seal_open (blob, intake_office_secret_get_public (office)->box_pk,
                    intake_office_secret_get_box_sk (office), error);
}

IntakeOfficeSecret *
intake_office_key_seal_open_with_reviewer (GBytes                   *blob,
                                           const IntakeReviewerKey  *reviewer,
                                           GError                  **error)
{
  g_autoptr(IntakeSecureBuffer) box_sk = intake_secure_buffer_new (crypto_box_SECRETKEYBYTES);
  const IntakeDeviceKey *signing;
  IntakeDevicePublic pub;
  guint8 box_pk[crypto_box_PUBLICKEYBYTES];

  g_return_val_if_fail (blob != NULL, NULL);
  g_return_val_if_fail (reviewer != NULL, NULL);

  signing = intake_reviewer_key_get_signing_key (reviewer);
  intake_device_key_get_public (signing, &pub);
  if (crypto_sign_ed25519_pk_to_curve25519 (box_pk, pub.sign_pk) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519 (box_sk->data, intake_device_key_get_secret (signing)) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the reviewer key cannot be used to open sealed office keys");
      return NULL;
    }
  return seal_open (blob, box_pk, box_sk->data, error);
}

/* Keyring ------------------------------------------------------------------ */

struct _IntakeOfficeKeyring {
  GPtrArray *secrets;   /* IntakeOfficeSecret * */
};

IntakeOfficeKeyring *
intake_office_keyring_new (const IntakeOfficeSecret *first)
{
  IntakeOfficeKeyring *self = g_new0 (IntakeOfficeKeyring, 1);

  self->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_secret_free);
  if (first != NULL)
    g_ptr_array_add (self->secrets, intake_office_secret_copy (first));
  return self;
}

void
intake_office_keyring_free (IntakeOfficeKeyring *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->secrets);
  g_free (self);
}

guint
intake_office_keyring_get_n_keys (IntakeOfficeKeyring *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->secrets->len;
}

const IntakeOfficeSecret *
intake_office_keyring_lookup (IntakeOfficeKeyring *self,
                              const guint8        *key_id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  for (guint i = 0; i < self->secrets->len; i++)
    {
      const IntakeOfficeSecret *secret = g_ptr_array_index (self->secrets, i);

      if (memcmp (intake_office_secret_get_public (secret)->key_id, key_id, INTAKE_OFFICE_KEY_ID_BYTES) == 0)
        return secret;
    }
  return NULL;
}

const IntakeOfficeSecret *
intake_office_keyring_lookup_hex (IntakeOfficeKeyring *self,
                                  const char          *key_id_hex)
{
  guint8 key_id[INTAKE_OFFICE_KEY_ID_BYTES];

  g_return_val_if_fail (self != NULL, NULL);

  if (key_id_hex == NULL || !intake_hex_decode (key_id_hex, key_id, sizeof key_id))
    return NULL;
  return intake_office_keyring_lookup (self, key_id);
}

static gboolean
is_trusted (GPtrArray                *trusted,
            const IntakeOfficePublic *key)
{
  for (guint i = 0; trusted != NULL && i < trusted->len; i++)
    if (same_office_key (g_ptr_array_index (trusted, i), key))
      return TRUE;
  return FALSE;
}

guint
intake_office_keyring_absorb (IntakeOfficeKeyring      *self,
                              const IntakeReviewerKey  *reviewer,
                              GPtrArray                *seals,
                              GPtrArray                *trusted)
{
  IntakeReviewerPublic reviewer_public;
  guint added = 0;
  gboolean progress = TRUE;

  g_return_val_if_fail (self != NULL, 0);

  if (seals == NULL)
    return 0;
  if (reviewer != NULL)
    intake_reviewer_key_get_public (reviewer, &reviewer_public);

  /* A key opened in one round may open seals of older keys in the next. */
  while (progress)
    {
      progress = FALSE;
      for (guint i = 0; i < seals->len; i++)
        {
          GBytes *blob = g_ptr_array_index (seals, i);
          g_autoptr(IntakeOfficeSecret) opened = NULL;
          const IntakeOfficeSecret *holder;
          IntakeOfficeSealInfo info;

          if (!intake_office_key_seal_peek (blob, &info, NULL) ||
              intake_office_keyring_lookup (self, info.key_id) != NULL)
            continue;
          if (info.recipient == INTAKE_OFFICE_SEAL_TO_REVIEWER)
            {
              if (reviewer == NULL ||
                  memcmp (info.recipient_id, reviewer_public.reviewer_id, INTAKE_REVIEWER_ID_BYTES) != 0)
                continue;
              opened = intake_office_key_seal_open_with_reviewer (blob, reviewer, NULL);
            }
          else if ((holder = intake_office_keyring_lookup (self, info.recipient_id)) != NULL)
            opened = intake_office_key_seal_open_with_office (blob, holder, NULL);

          if (opened == NULL || !is_trusted (trusted, intake_office_secret_get_public (opened)))
            continue;
          g_ptr_array_add (self->secrets, g_steal_pointer (&opened));
          added++;
          progress = TRUE;
        }
    }
  return added;
}

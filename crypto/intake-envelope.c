/* intake-envelope.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The byte format is specified in docs/envelope.md, with test vectors in
 * tests/data/envelope-vectors.json; keep all three in step.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-envelope-private.h"
#include "intake-keys-private.h"

#define ENVELOPE_MAGIC       "IKEN"
#define ENVELOPE_KEY_LABEL   "intake-envelope-v1"
#define AEAD_ABYTES          crypto_aead_xchacha20poly1305_ietf_ABYTES
/* The largest padded plaintext: sodium_pad always adds 1..256 bytes. */
#define MAX_PADDED           (INTAKE_ENVELOPE_MAX_PLAINTEXT + INTAKE_ENVELOPE_PAD_BLOCK)

G_STATIC_ASSERT (INTAKE_ENVELOPE_OFFSET_QID_LEN + 1 == INTAKE_ENVELOPE_OFFSET_QID);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == INTAKE_ENVELOPE_NONCE_BYTES);
G_STATIC_ASSERT (crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
G_STATIC_ASSERT (crypto_scalarmult_SCALARBYTES == INTAKE_ENVELOPE_EPHEMERAL_BYTES);
G_STATIC_ASSERT (crypto_sign_BYTES == INTAKE_SIGNATURE_BYTES);

/* Where the parts of an envelope are, after a successful structural parse. */
typedef struct {
  IntakeEnvelopeHeader  header;
  const guint8         *data;
  gsize                 header_len;      /* bytes covered as AEAD associated data */
  const guint8         *ephemeral_pk;
  const guint8         *nonce;
  const guint8         *ciphertext;
  gsize                 ciphertext_len;
  gsize                 signed_len;      /* bytes covered by the signature */
  const guint8         *signature;
} ParsedEnvelope;

static gboolean
is_questionnaire_id_char (guint8 c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static gboolean
questionnaire_id_is_valid (const guint8 *id,
                           gsize         len)
{
  if (len < 1 || len > INTAKE_QUESTIONNAIRE_ID_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_questionnaire_id_char (id[i]))
      return FALSE;
  return TRUE;
}

static gboolean
set_truncated (GError **error,
               gsize    len,
               gsize    needed)
{
  g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
               "the envelope is truncated: it has %" G_GSIZE_FORMAT " bytes but needs at least %"
               G_GSIZE_FORMAT "; it was cut short in storage or transfer, send it again",
               len, needed);
  return FALSE;
}

/* The structural checks of docs/envelope.md ("Checking an envelope", steps 1-4),
 * in that order. */
static gboolean
parse_envelope (GBytes          *envelope,
                ParsedEnvelope  *out,
                GError         **error)
{
  IntakeEnvelopeHeader *header = &out->header;
  const guint8 *data;
  gsize len;
  gsize qid_len;
  gsize header_len;
  gsize pos;
  guint32 ciphertext_len;
  gsize total;

  memset (out, 0, sizeof *out);
  data = g_bytes_get_data (envelope, &len);

  if (len < 4)
    return set_truncated (error, len, 4);
  if (memcmp (data, ENVELOPE_MAGIC, 4) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC,
                           "this is not an intake envelope (it does not start with \"IKEN\")");
      return FALSE;
    }

  if (len < 5)
    return set_truncated (error, len, 5);
  if (data[INTAKE_ENVELOPE_OFFSET_VERSION] != INTAKE_ENVELOPE_VERSION)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   "the envelope has format version %u, but this program reads only version %d; "
                   "update intake", data[INTAKE_ENVELOPE_OFFSET_VERSION], INTAKE_ENVELOPE_VERSION);
      return FALSE;
    }

  if (len < 6)
    return set_truncated (error, len, 6);
  if (data[INTAKE_ENVELOPE_OFFSET_FLAGS] != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the envelope has flags 0x%02x, but version %d defines none; it is damaged",
                   data[INTAKE_ENVELOPE_OFFSET_FLAGS], INTAKE_ENVELOPE_VERSION);
      return FALSE;
    }

  if (len < INTAKE_ENVELOPE_OFFSET_QID)
    return set_truncated (error, len, INTAKE_ENVELOPE_OFFSET_QID);
  qid_len = data[INTAKE_ENVELOPE_OFFSET_QID_LEN];
  if (qid_len < 1 || qid_len > INTAKE_QUESTIONNAIRE_ID_MAX)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the envelope's questionnaire id is %" G_GSIZE_FORMAT " bytes long, but must "
                   "be 1 to %d bytes; it is damaged", qid_len, INTAKE_QUESTIONNAIRE_ID_MAX);
      return FALSE;
    }

  if (len < INTAKE_ENVELOPE_OFFSET_QID + qid_len)
    return set_truncated (error, len, INTAKE_ENVELOPE_OFFSET_QID + qid_len);
  if (!questionnaire_id_is_valid (data + INTAKE_ENVELOPE_OFFSET_QID, qid_len))
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the envelope's questionnaire id has characters other than "
                           "a-z 0-9 . _ -; it is damaged");
      return FALSE;
    }

  header_len = INTAKE_ENVELOPE_HEADER_BYTES (qid_len);
  if (len < header_len + 4)
    return set_truncated (error, len, header_len + 4);

  ciphertext_len = intake_get_u32_le (data + header_len);
  if (ciphertext_len < INTAKE_ENVELOPE_PAD_BLOCK + AEAD_ABYTES ||
      ciphertext_len > MAX_PADDED + AEAD_ABYTES ||
      (ciphertext_len - AEAD_ABYTES) % INTAKE_ENVELOPE_PAD_BLOCK != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the envelope's ciphertext length %u is impossible (it must be 16 more than "
                   "a multiple of 256, at most %d); the envelope is damaged",
                   ciphertext_len, MAX_PADDED + AEAD_ABYTES);
      return FALSE;
    }

  total = header_len + 4 + ciphertext_len + INTAKE_SIGNATURE_BYTES;
  if (len < total)
    return set_truncated (error, len, total);
  if (len > total)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the envelope has %" G_GSIZE_FORMAT " bytes after its signature; it was "
                   "joined with other data", len - total);
      return FALSE;
    }

  header->version = data[INTAKE_ENVELOPE_OFFSET_VERSION];
  memcpy (header->submission_id, data + INTAKE_ENVELOPE_OFFSET_SUBMISSION_ID,
          INTAKE_SUBMISSION_ID_BYTES);
  memcpy (header->device_id, data + INTAKE_ENVELOPE_OFFSET_DEVICE_ID, INTAKE_DEVICE_ID_BYTES);
  memcpy (header->device_sign_pk, data + INTAKE_ENVELOPE_OFFSET_DEVICE_SIGN_PK,
          INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (header->office_key_id, data + INTAKE_ENVELOPE_OFFSET_OFFICE_KEY_ID,
          INTAKE_OFFICE_KEY_ID_BYTES);
  header->created_at = (gint64) intake_get_u64_le (data + INTAKE_ENVELOPE_OFFSET_CREATED_AT);
  memcpy (header->questionnaire_id, data + INTAKE_ENVELOPE_OFFSET_QID, qid_len);
  header->questionnaire_id[qid_len] = '\0';

  pos = INTAKE_ENVELOPE_OFFSET_QID + qid_len;
  header->questionnaire_version = intake_get_u32_le (data + pos);
  pos += 4;
  memcpy (header->questionnaire_hash, data + pos, INTAKE_QUESTIONNAIRE_HASH_BYTES);
  pos += INTAKE_QUESTIONNAIRE_HASH_BYTES;
  out->ephemeral_pk = data + pos;
  pos += INTAKE_ENVELOPE_EPHEMERAL_BYTES;
  out->nonce = data + pos;
  pos += INTAKE_ENVELOPE_NONCE_BYTES;
  g_assert (pos == header_len);

  out->data = data;
  out->header_len = header_len;
  out->ciphertext = data + header_len + 4;
  out->ciphertext_len = ciphertext_len;
  out->signed_len = header_len + 4 + ciphertext_len;
  out->signature = data + out->signed_len;

  return TRUE;
}

/* Steps 5-6: the device signature, and that the device id belongs to the key. */
static gboolean
check_envelope_signature (const ParsedEnvelope  *parsed,
                          GError               **error)
{
  guint8 device_id[INTAKE_DEVICE_ID_BYTES];

  if (crypto_sign_verify_detached (parsed->signature, parsed->data, parsed->signed_len,
                                   parsed->header.device_sign_pk) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
                           "the envelope's device signature does not verify; it was altered "
                           "after the kiosk sealed it, or damaged in transfer");
      return FALSE;
    }

  intake_device_id_from_public_key (parsed->header.device_sign_pk, device_id);
  if (sodium_memcmp (device_id, parsed->header.device_id, sizeof device_id) != 0)
    {
      g_autofree char *claimed = intake_hex_encode (parsed->header.device_id,
                                                    INTAKE_DEVICE_ID_BYTES);

      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH,
                   "the envelope names device %s, but was signed by another device's key; "
                   "do not trust it", claimed);
      return FALSE;
    }

  return TRUE;
}

/* key = BLAKE2b-256 ("intake-envelope-v1" || shared || ephemeral_pk || office box_pk) */
static void
derive_envelope_key (const guint8 *shared,
                     const guint8 *ephemeral_pk,
                     const guint8 *office_box_pk,
                     guint8       *out_key)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_generichash_update (&state, (const guint8 *) ENVELOPE_KEY_LABEL,
                             strlen (ENVELOPE_KEY_LABEL));
  crypto_generichash_update (&state, shared, crypto_scalarmult_BYTES);
  crypto_generichash_update (&state, ephemeral_pk, crypto_scalarmult_BYTES);
  crypto_generichash_update (&state, office_box_pk, INTAKE_BOX_PUBLIC_BYTES);
  crypto_generichash_final (&state, out_key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  sodium_memzero (&state, sizeof state);
}

void
intake_envelope_new_submission_id (guint8 *submission_id)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (submission_id != NULL);

  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
  randombytes_buf (submission_id, INTAKE_SUBMISSION_ID_BYTES);
}

GBytes *
intake_envelope_seal_with_ephemeral (const IntakeOfficePublic  *office,
                                     const IntakeDeviceKey     *device,
                                     const IntakeEnvelopeInfo  *info,
                                     const guint8              *eph_sk,
                                     const guint8              *nonce,
                                     const guint8              *plaintext,
                                     gsize                      plaintext_len,
                                     GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) padded = NULL;
  g_autoptr(IntakeSecureBuffer) secrets = NULL;
  IntakeDevicePublic device_public;
  guint8 ephemeral_pk[INTAKE_ENVELOPE_EPHEMERAL_BYTES];
  guint8 *out;
  guint8 *shared;
  guint8 *key;
  gsize qid_len;
  gsize header_len;
  gsize padded_len = 0;
  gsize ciphertext_len;
  gsize total;
  gsize pos;
  unsigned long long written = 0;

  g_return_val_if_fail (office != NULL, NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (eph_sk != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || plaintext_len == 0, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  qid_len = info->questionnaire_id != NULL ? strlen (info->questionnaire_id) : 0;
  if (!questionnaire_id_is_valid ((const guint8 *) info->questionnaire_id, qid_len))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "questionnaire id \"%s\" cannot go into an envelope: it must be 1 to %d "
                   "characters from a-z 0-9 . _ -",
                   info->questionnaire_id != NULL ? info->questionnaire_id : "",
                   INTAKE_QUESTIONNAIRE_ID_MAX);
      return NULL;
    }

  if (plaintext_len > INTAKE_ENVELOPE_MAX_PLAINTEXT)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE,
                   "the submission is %" G_GSIZE_FORMAT " bytes, but an envelope holds at most %d "
                   "bytes; this is a bug in the questionnaire or the session",
                   plaintext_len, INTAKE_ENVELOPE_MAX_PLAINTEXT);
      return NULL;
    }

  /* Shared secret and derived key live in secure memory; both are wiped on return. */
  secrets = intake_secure_buffer_new (crypto_scalarmult_BYTES +
                                      crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  shared = secrets->data;
  key = secrets->data + crypto_scalarmult_BYTES;

  crypto_scalarmult_base (ephemeral_pk, eph_sk);
  if (crypto_scalarmult (shared, eph_sk, office->box_pk) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the office public key is not usable for encryption (weak key); "
                           "get a fresh copy from the office");
      return NULL;
    }
  derive_envelope_key (shared, ephemeral_pk, office->box_pk, key);

  /* Padding to whole 256-byte blocks hides the length of the answers. */
  padded_len = (plaintext_len / INTAKE_ENVELOPE_PAD_BLOCK + 1) * INTAKE_ENVELOPE_PAD_BLOCK;
  padded = intake_secure_buffer_new (padded_len);
  if (plaintext_len > 0)
    memcpy (padded->data, plaintext, plaintext_len);
  if (sodium_pad (&padded_len, padded->data, plaintext_len, INTAKE_ENVELOPE_PAD_BLOCK,
                  padded->len) != 0)
    g_assert_not_reached ();
  g_assert (padded_len == padded->len);

  intake_device_key_get_public (device, &device_public);

  header_len = INTAKE_ENVELOPE_HEADER_BYTES (qid_len);
  ciphertext_len = padded_len + AEAD_ABYTES;
  total = header_len + 4 + ciphertext_len + INTAKE_SIGNATURE_BYTES;
  out = g_malloc0 (total);

  memcpy (out, ENVELOPE_MAGIC, 4);
  out[INTAKE_ENVELOPE_OFFSET_VERSION] = INTAKE_ENVELOPE_VERSION;
  out[INTAKE_ENVELOPE_OFFSET_FLAGS] = 0;
  memcpy (out + INTAKE_ENVELOPE_OFFSET_SUBMISSION_ID, info->submission_id,
          INTAKE_SUBMISSION_ID_BYTES);
  memcpy (out + INTAKE_ENVELOPE_OFFSET_DEVICE_ID, device_public.device_id,
          INTAKE_DEVICE_ID_BYTES);
  memcpy (out + INTAKE_ENVELOPE_OFFSET_DEVICE_SIGN_PK, device_public.sign_pk,
          INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (out + INTAKE_ENVELOPE_OFFSET_OFFICE_KEY_ID, office->key_id,
          INTAKE_OFFICE_KEY_ID_BYTES);
  intake_put_u64_le (out + INTAKE_ENVELOPE_OFFSET_CREATED_AT, (guint64) info->created_at);
  out[INTAKE_ENVELOPE_OFFSET_QID_LEN] = (guint8) qid_len;
  memcpy (out + INTAKE_ENVELOPE_OFFSET_QID, info->questionnaire_id, qid_len);
  pos = INTAKE_ENVELOPE_OFFSET_QID + qid_len;
  intake_put_u32_le (out + pos, info->questionnaire_version);
  pos += 4;
  memcpy (out + pos, info->questionnaire_hash, INTAKE_QUESTIONNAIRE_HASH_BYTES);
  pos += INTAKE_QUESTIONNAIRE_HASH_BYTES;
  memcpy (out + pos, ephemeral_pk, sizeof ephemeral_pk);
  pos += sizeof ephemeral_pk;
  memcpy (out + pos, nonce, INTAKE_ENVELOPE_NONCE_BYTES);
  pos += INTAKE_ENVELOPE_NONCE_BYTES;
  g_assert (pos == header_len);

  intake_put_u32_le (out + pos, (guint32) ciphertext_len);
  pos += 4;

  crypto_aead_xchacha20poly1305_ietf_encrypt (out + pos, &written,
                                              padded->data, padded_len,
                                              out, header_len,
                                              NULL, nonce, key);
  g_assert (written == ciphertext_len);
  pos += ciphertext_len;

  intake_device_key_sign_raw (device, out, pos, out + pos);

  return g_bytes_new_take (out, total);
}

GBytes *
intake_envelope_seal (const IntakeOfficePublic  *office,
                      const IntakeDeviceKey     *device,
                      const IntakeEnvelopeInfo  *info,
                      const guint8              *plaintext,
                      gsize                      plaintext_len,
                      GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) eph_sk = NULL;
  guint8 nonce[INTAKE_ENVELOPE_NONCE_BYTES];

  if (!intake_crypto_init (error))
    return NULL;

  eph_sk = intake_secure_buffer_new (INTAKE_ENVELOPE_EPHEMERAL_BYTES);
  randombytes_buf (eph_sk->data, eph_sk->len);
  randombytes_buf (nonce, sizeof nonce);

  return intake_envelope_seal_with_ephemeral (office, device, info, eph_sk->data, nonce,
                                              plaintext, plaintext_len, error);
}

gboolean
intake_envelope_parse_header (GBytes                *envelope,
                              IntakeEnvelopeHeader  *out_header,
                              GError               **error)
{
  ParsedEnvelope parsed;

  g_return_val_if_fail (envelope != NULL, FALSE);

  if (!parse_envelope (envelope, &parsed, error))
    return FALSE;

  if (out_header != NULL)
    *out_header = parsed.header;
  return TRUE;
}

gboolean
intake_envelope_verify (GBytes                *envelope,
                        IntakeEnvelopeHeader  *out_header,
                        GError               **error)
{
  ParsedEnvelope parsed;

  g_return_val_if_fail (envelope != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  if (!parse_envelope (envelope, &parsed, error) ||
      !check_envelope_signature (&parsed, error))
    return FALSE;

  if (out_header != NULL)
    *out_header = parsed.header;
  return TRUE;
}

IntakeSecureBuffer *
intake_envelope_open (GBytes                    *envelope,
                      const IntakeOfficeSecret  *office,
                      IntakeEnvelopeHeader      *out_header,
                      GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) secrets = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  const IntakeOfficePublic *office_public;
  ParsedEnvelope parsed;
  unsigned long long padded_len = 0;
  gsize unpadded_len = 0;
  guint8 *shared;
  guint8 *key;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (office != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  if (!parse_envelope (envelope, &parsed, error) ||
      !check_envelope_signature (&parsed, error))
    return NULL;

  office_public = intake_office_secret_get_public (office);
  if (sodium_memcmp (parsed.header.office_key_id, office_public->key_id,
                     INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    {
      g_autofree char *wanted = intake_hex_encode (parsed.header.office_key_id,
                                                   INTAKE_OFFICE_KEY_ID_BYTES);
      g_autofree char *have = intake_office_public_dup_key_id_hex (office_public);

      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_OFFICE_KEY,
                   "the envelope is sealed for office key %s, but the key at hand is %s; "
                   "open it with the office key it was sealed for", wanted, have);
      return NULL;
    }

  secrets = intake_secure_buffer_new (crypto_scalarmult_BYTES +
                                      crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  shared = secrets->data;
  key = secrets->data + crypto_scalarmult_BYTES;

  if (crypto_scalarmult (shared, intake_office_secret_get_box_sk (office),
                         parsed.ephemeral_pk) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT,
                           "the envelope cannot be decrypted: its ephemeral key is invalid; "
                           "the kiosk that made it is faulty or compromised");
      return NULL;
    }
  derive_envelope_key (shared, parsed.ephemeral_pk, office_public->box_pk, key);

  plaintext = intake_secure_buffer_new (parsed.ciphertext_len - AEAD_ABYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plaintext->data, &padded_len, NULL,
                                                  parsed.ciphertext, parsed.ciphertext_len,
                                                  parsed.data, parsed.header_len,
                                                  parsed.nonce, key) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT,
                           "the envelope is correctly signed but cannot be decrypted with this "
                           "office key; the kiosk that made it is faulty or compromised");
      return NULL;
    }

  if (sodium_unpad (&unpadded_len, plaintext->data, padded_len, INTAKE_ENVELOPE_PAD_BLOCK) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the envelope decrypts, but its padding is invalid; the kiosk that "
                           "made it is faulty");
      return NULL;
    }

  /* The bytes past the new length are padding; they are wiped when the buffer is freed. */
  plaintext->len = unpadded_len;

  if (out_header != NULL)
    *out_header = parsed.header;
  return g_steal_pointer (&plaintext);
}

char *
intake_hex_encode (const guint8 *data,
                   gsize         len)
{
  char *hex;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  hex = g_malloc (len * 2 + 1);
  sodium_bin2hex (hex, len * 2 + 1, data, len);
  return hex;
}

gboolean
intake_hex_decode (const char *hex,
                   guint8     *out,
                   gsize       len)
{
  const char *end = NULL;
  size_t bin_len = 0;

  g_return_val_if_fail (hex != NULL, FALSE);
  g_return_val_if_fail (out != NULL || len == 0, FALSE);

  if (strlen (hex) != len * 2)
    return FALSE;
  for (gsize i = 0; i < len * 2; i++)
    if (!g_ascii_isxdigit (hex[i]))
      return FALSE;

  return sodium_hex2bin (out, len, hex, len * 2, NULL, &bin_len, &end) == 0 &&
         bin_len == len && end == hex + len * 2;
}

gboolean
intake_hex_is_lower (const char *text,
                     gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

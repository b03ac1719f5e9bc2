/* test-envelope.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-envelope-private.h"
#include "intake-keys.h"
#include "intake-keys-private.h"
#include "intake-test-util.h"

#define QUESTIONNAIRE_ID "szmh-intake"
#define SIG_BYTES        INTAKE_SIGNATURE_BYTES

typedef struct {
  IntakeOfficeSecret *office;
  IntakeOfficeSecret *other_office;
  IntakeDeviceKey    *device;
  guint8              device_sk[64];   /* kept so tests can re-sign altered envelopes */
  IntakeEnvelopeInfo  info;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  guint8 box_sk[32], sign_pk[32], sign_sk[64], device_pk[32];

  /* Fixed keys, so that the every-byte tests see the same envelope every run. */
  memset (box_sk, 0x42, sizeof box_sk);
  crypto_sign_seed_keypair (sign_pk, sign_sk, (const guint8 *) "office signing seed for tests!!!");
  fixture->office = intake_office_secret_new_from_raw (box_sk, sign_sk, 1767225600, &error);
  g_assert_no_error (error);

  g_assert_true (intake_office_generate (NULL, &fixture->other_office, &error));
  g_assert_no_error (error);

  crypto_sign_seed_keypair (device_pk, fixture->device_sk,
                            (const guint8 *) "device signing seed for tests!!!");
  fixture->device = intake_device_key_new_from_secret (fixture->device_sk, &error);
  g_assert_no_error (error);

  memset (fixture->info.submission_id, 0x5a, INTAKE_SUBMISSION_ID_BYTES);
  fixture->info.created_at = 1795343467;
  fixture->info.questionnaire_id = QUESTIONNAIRE_ID;
  fixture->info.questionnaire_version = 3;
  memset (fixture->info.questionnaire_hash, 0xc3, INTAKE_QUESTIONNAIRE_HASH_BYTES);

  sodium_memzero (box_sk, sizeof box_sk);
  sodium_memzero (sign_sk, sizeof sign_sk);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->office, intake_office_secret_free);
  g_clear_pointer (&fixture->other_office, intake_office_secret_free);
  g_clear_pointer (&fixture->device, intake_device_key_free);
  sodium_memzero (fixture->device_sk, sizeof fixture->device_sk);
}

static const IntakeOfficePublic *
office_public (Fixture *fixture)
{
  return intake_office_secret_get_public (fixture->office);
}

static GBytes *
seal (Fixture      *fixture,
      const guint8 *plaintext,
      gsize         len)
{
  g_autoptr(GError) error = NULL;
  GBytes *envelope = intake_envelope_seal (office_public (fixture), fixture->device,
                                           &fixture->info, plaintext, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (envelope);
  return envelope;
}

static GBytes *
seal_fixed (Fixture    *fixture,
            const char *plaintext)
{
  g_autoptr(GError) error = NULL;
  guint8 eph_sk[32], nonce[24];
  GBytes *envelope;

  memset (eph_sk, 0x11, sizeof eph_sk);
  memset (nonce, 0x22, sizeof nonce);
  envelope = intake_envelope_seal_with_ephemeral (office_public (fixture), fixture->device,
                                                  &fixture->info, eph_sk, nonce,
                                                  (const guint8 *) plaintext, strlen (plaintext),
                                                  &error);
  g_assert_no_error (error);
  return envelope;
}

/* Signs @data again with the fixture's device key, as an attacker holding
 * that key could: the signature is valid whatever else was changed. */
static GBytes *
resign_with (guint8       *data,
             gsize         len,
             const guint8 *sign_sk)
{
  crypto_sign_detached (data + len - SIG_BYTES, NULL, data, len - SIG_BYTES, sign_sk);
  return g_bytes_new_take (data, len);
}

static guint8 *
dup_data (GBytes *bytes,
          gsize  *len)
{
  return g_memdup2 (g_bytes_get_data (bytes, len), g_bytes_get_size (bytes));
}

static gsize
header_len_of (Fixture *fixture)
{
  return INTAKE_ENVELOPE_HEADER_BYTES (strlen (fixture->info.questionnaire_id));
}

static void
assert_refused (GBytes             *envelope,
                Fixture            *fixture,
                gint                code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  IntakeEnvelopeHeader header;

  g_assert_false (intake_envelope_verify (envelope, &header, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, code);
  g_clear_error (&error);

  plaintext = intake_envelope_open (envelope, fixture->office, &header, &error);
  g_assert_null (plaintext);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, code);
}

/* For envelopes that are correctly signed but fail inside: verify passes, open refuses. */
static void
assert_open_refused (GBytes            *envelope,
                     Fixture           *fixture,
                     gint               code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;

  g_assert_true (intake_envelope_verify (envelope, NULL, &error));
  g_assert_no_error (error);
  plaintext = intake_envelope_open (envelope, fixture->office, NULL, &error);
  g_assert_null (plaintext);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, code);
}

static void
assert_opens_to (Fixture      *fixture,
                 GBytes       *envelope,
                 const guint8 *expected,
                 gsize         expected_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  IntakeEnvelopeHeader header;

  g_assert_true (intake_envelope_verify (envelope, &header, &error));
  g_assert_no_error (error);
  plaintext = intake_envelope_open (envelope, fixture->office, &header, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plaintext);
  g_assert_cmpmem (plaintext->data, plaintext->len, expected, expected_len);
}

/* Round trips ------------------------------------------------------------------ */

static void
round_trip (Fixture *fixture,
            gsize    len)
{
  g_autofree guint8 *plaintext = g_malloc (MAX (len, 1));
  g_autoptr(GBytes) envelope = NULL;
  gsize expected_size;

  randombytes_buf (plaintext, len);
  envelope = seal (fixture, plaintext, len);

  expected_size = header_len_of (fixture) + 4 + (len / 256 + 1) * 256 + 16 + SIG_BYTES;
  g_assert_cmpuint (g_bytes_get_size (envelope), ==, expected_size);
  assert_opens_to (fixture, envelope, plaintext, len);
}

static void
test_round_trip_empty (Fixture *fixture, gconstpointer user_data) { round_trip (fixture, 0); }
static void
test_round_trip_one_byte (Fixture *fixture, gconstpointer user_data) { round_trip (fixture, 1); }
static void
test_round_trip_255 (Fixture *fixture, gconstpointer user_data) { round_trip (fixture, 255); }
static void
test_round_trip_256 (Fixture *fixture, gconstpointer user_data) { round_trip (fixture, 256); }
static void
test_round_trip_max (Fixture *fixture, gconstpointer user_data)
{
  round_trip (fixture, INTAKE_ENVELOPE_MAX_PLAINTEXT);
}

static void
test_too_large (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *plaintext = g_malloc0 (INTAKE_ENVELOPE_MAX_PLAINTEXT + 1);
  g_autoptr(GBytes) envelope = NULL;

  envelope = intake_envelope_seal (office_public (fixture), fixture->device, &fixture->info,
                                   plaintext, INTAKE_ENVELOPE_MAX_PLAINTEXT + 1, &error);
  g_assert_null (envelope);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE);
}

static void
test_bad_questionnaire_id_on_seal (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  static const char * const bad_ids[] = {
    "", "Szmh", "szmh intake", "szmh/intake", "é",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",   /* 65 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) envelope = NULL;

      fixture->info.questionnaire_id = bad_ids[i];
      envelope = intake_envelope_seal (office_public (fixture), fixture->device, &fixture->info,
                                       (const guint8 *) "{}", 2, &error);
      g_assert_null (envelope);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
    }

  /* 64 characters is the longest allowed. */
  {
    g_autoptr(GBytes) envelope = NULL;

    fixture->info.questionnaire_id =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.";
    envelope = seal (fixture, (const guint8 *) "{}", 2);
    assert_opens_to (fixture, envelope, (const guint8 *) "{}", 2);
  }
}

static void
test_header_fields (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) envelope = seal (fixture, (const guint8 *) "{}", 2);
  IntakeDevicePublic device_public;
  IntakeEnvelopeHeader parsed, verified;
  const guint8 *data = g_bytes_get_data (envelope, NULL);
  gsize header_len = header_len_of (fixture);

  intake_device_key_get_public (fixture->device, &device_public);

  g_assert_true (intake_envelope_parse_header (envelope, &parsed, &error));
  g_assert_no_error (error);
  g_assert_true (intake_envelope_verify (envelope, &verified, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&parsed, sizeof parsed, &verified, sizeof verified);

  g_assert_cmpuint (verified.version, ==, 1);
  g_assert_cmpmem (verified.submission_id, 16, fixture->info.submission_id, 16);
  g_assert_cmpmem (verified.device_id, 16, device_public.device_id, 16);
  g_assert_cmpmem (verified.device_sign_pk, 32, device_public.sign_pk, 32);
  g_assert_cmpmem (verified.office_key_id, 8, office_public (fixture)->key_id, 8);
  g_assert_cmpint (verified.created_at, ==, fixture->info.created_at);
  g_assert_cmpstr (verified.questionnaire_id, ==, QUESTIONNAIRE_ID);
  g_assert_cmpuint (verified.questionnaire_version, ==, 3);
  g_assert_cmpmem (verified.questionnaire_hash, 32, fixture->info.questionnaire_hash, 32);

  /* The byte layout of docs/envelope.md. */
  g_assert_cmpmem (data, 6, "IKEN\x01\x00", 6);
  g_assert_cmpmem (data + 6, 16, fixture->info.submission_id, 16);
  g_assert_cmpmem (data + 22, 16, device_public.device_id, 16);
  g_assert_cmpmem (data + 38, 32, device_public.sign_pk, 32);
  g_assert_cmpmem (data + 70, 8, office_public (fixture)->key_id, 8);
  g_assert_cmpuint (intake_get_u64_le (data + 78), ==, 1795343467);
  g_assert_cmpuint (data[86], ==, strlen (QUESTIONNAIRE_ID));
  g_assert_cmpmem (data + 87, strlen (QUESTIONNAIRE_ID), QUESTIONNAIRE_ID, strlen (QUESTIONNAIRE_ID));
  g_assert_cmpuint (intake_get_u32_le (data + 87 + 11), ==, 3);
  g_assert_cmpmem (data + 87 + 11 + 4, 32, fixture->info.questionnaire_hash, 32);
  g_assert_cmpuint (header_len, ==, 87 + 11 + 4 + 32 + 32 + 24);
  g_assert_cmpuint (intake_get_u32_le (data + header_len), ==, 256 + 16);
}

static void
test_fresh_randomness (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GBytes) a = seal (fixture, (const guint8 *) "same answers", 12);
  g_autoptr(GBytes) b = seal (fixture, (const guint8 *) "same answers", 12);
  const guint8 *da = g_bytes_get_data (a, NULL);
  const guint8 *db = g_bytes_get_data (b, NULL);
  gsize eph = header_len_of (fixture) - 24 - 32;

  g_assert_false (g_bytes_equal (a, b));
  /* Fresh ephemeral key and fresh nonce. */
  g_assert_true (memcmp (da + eph, db + eph, 32) != 0);
  g_assert_true (memcmp (da + eph + 32, db + eph + 32, 24) != 0);
  /* Same header otherwise. */
  g_assert_cmpmem (da, eph, db, eph);
}

static void
test_padding_hides_length (Fixture       *fixture,
                           gconstpointer  user_data)
{
  guint8 plaintext[600] = { 0 };
  g_autoptr(GBytes) ten = seal (fixture, plaintext, 10);
  g_autoptr(GBytes) two_hundred = seal (fixture, plaintext, 200);
  g_autoptr(GBytes) max_one_block = seal (fixture, plaintext, 255);
  g_autoptr(GBytes) two_blocks = seal (fixture, plaintext, 256);
  g_autoptr(GBytes) three_blocks = seal (fixture, plaintext, 600);

  g_assert_cmpuint (g_bytes_get_size (ten), ==, g_bytes_get_size (two_hundred));
  g_assert_cmpuint (g_bytes_get_size (ten), ==, g_bytes_get_size (max_one_block));
  g_assert_cmpuint (g_bytes_get_size (two_blocks), ==, g_bytes_get_size (ten) + 256);
  g_assert_cmpuint (g_bytes_get_size (three_blocks), ==, g_bytes_get_size (ten) + 512);
}

static void
test_new_submission_id (void)
{
  guint8 a[INTAKE_SUBMISSION_ID_BYTES] = { 0 };
  guint8 b[INTAKE_SUBMISSION_ID_BYTES] = { 0 };
  static const guint8 zero[INTAKE_SUBMISSION_ID_BYTES] = { 0 };

  intake_envelope_new_submission_id (a);
  intake_envelope_new_submission_id (b);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
}

/* Tampering --------------------------------------------------------------------- */

static gboolean
is_qid_char (guint8 c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static void
test_tamper_every_byte (Fixture       *fixture,
                        gconstpointer  user_data)
{
  static const guint8 patterns[] = { 0x01, 0x80, 0xff };
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{\"answers\":{}}");
  gsize len = g_bytes_get_size (envelope);
  gsize qid_len = strlen (QUESTIONNAIRE_ID);
  gsize header_len = header_len_of (fixture);
  const guint8 *original = g_bytes_get_data (envelope, NULL);

  for (guint p = 0; p < G_N_ELEMENTS (patterns); p++)
    for (gsize pos = 0; pos < len; pos++)
      {
        g_autoptr(GError) verify_error = NULL;
        g_autoptr(GError) open_error = NULL;
        g_autoptr(GBytes) tampered = NULL;
        g_autoptr(IntakeSecureBuffer) plaintext = NULL;
        guint8 *data = g_memdup2 (original, len);
        gboolean ok;

        data[pos] ^= patterns[p];
        tampered = g_bytes_new_take (data, len);

        ok = intake_envelope_verify (tampered, NULL, &verify_error);
        g_assert_false (ok);
        g_assert_nonnull (verify_error);
        g_assert_true (verify_error->domain == INTAKE_CRYPTO_ERROR);

        plaintext = intake_envelope_open (tampered, fixture->office, NULL, &open_error);
        g_assert_null (plaintext);
        g_assert_error (open_error, INTAKE_CRYPTO_ERROR, verify_error->code);

        if (pos < 4)
          g_assert_error (verify_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC);
        else if (pos == 4)
          g_assert_error (verify_error, INTAKE_CRYPTO_ERROR,
                          INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
        else if (pos == 5)
          g_assert_error (verify_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
        else if (pos == 86)
          {
            /* The questionnaire id length moves every later field. */
            g_assert_true (verify_error->code == INTAKE_CRYPTO_ERROR_MALFORMED ||
                           verify_error->code == INTAKE_CRYPTO_ERROR_TRUNCATED);
          }
        else if (pos >= 87 && pos < 87 + qid_len)
          {
            if (is_qid_char (original[pos] ^ patterns[p]))
              g_assert_error (verify_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
            else
              g_assert_error (verify_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
          }
        else if (pos >= header_len && pos < header_len + 4)
          {
            /* ciphertext_len: impossible, past the end, or short of the end. */
            g_assert_true (verify_error->code == INTAKE_CRYPTO_ERROR_MALFORMED ||
                           verify_error->code == INTAKE_CRYPTO_ERROR_TRUNCATED);
          }
        else
          {
            /* Every other header byte, the ciphertext and the signature. */
            g_assert_error (verify_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
          }
      }
}

static void
test_truncate_every_length (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{\"answers\":{\"a\":1}}");
  gsize len = g_bytes_get_size (envelope);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (envelope, 0, cut);

      g_assert_false (intake_envelope_parse_header (truncated, NULL, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
      assert_refused (truncated, fixture, INTAKE_CRYPTO_ERROR_TRUNCATED);
    }
}

static void
test_trailing_bytes (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  gsize len = g_bytes_get_size (envelope);
  guint8 *data = g_malloc0 (len + 1);
  g_autoptr(GBytes) longer = NULL;

  memcpy (data, g_bytes_get_data (envelope, NULL), len);
  longer = g_bytes_new_take (data, len + 1);
  assert_refused (longer, fixture, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_unknown_version (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  gsize len;
  guint8 *data = dup_data (envelope, &len);
  g_autoptr(GBytes) resigned = NULL;

  data[4] = 2;
  resigned = resign_with (data, len, fixture->device_sk);
  assert_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
}

static void
test_flags_resigned (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  gsize len;
  guint8 *data = dup_data (envelope, &len);
  g_autoptr(GBytes) resigned = NULL;

  data[5] = 0x01;
  resigned = resign_with (data, len, fixture->device_sk);
  assert_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_bad_questionnaire_id_resigned (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  gsize len;
  guint8 *data = dup_data (envelope, &len);
  g_autoptr(GBytes) resigned = NULL;

  data[87] = 'S';
  resigned = resign_with (data, len, fixture->device_sk);
  assert_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_wrong_office_key (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) envelope = seal (fixture, (const guint8 *) "{}", 2);
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;

  g_assert_true (intake_envelope_verify (envelope, NULL, &error));
  g_assert_no_error (error);
  plaintext = intake_envelope_open (envelope, fixture->other_office, NULL, &error);
  g_assert_null (plaintext);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_OFFICE_KEY);
}

/* A signed envelope whose AEAD no longer matches: verify passes (the
 * signature is valid), open reports DECRYPT. */
static void
assert_resigned_fails_decrypt (Fixture *fixture,
                               gsize    pos,
                               guint8   xor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{\"answers\":{\"x\":true}}");
  g_autoptr(GBytes) resigned = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  gsize len;
  guint8 *data = dup_data (envelope, &len);

  data[pos] ^= xor;
  resigned = resign_with (data, len, fixture->device_sk);

  g_assert_true (intake_envelope_verify (resigned, NULL, &error));
  g_assert_no_error (error);
  plaintext = intake_envelope_open (resigned, fixture->office, NULL, &error);
  g_assert_null (plaintext);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT);
}

static void
test_decrypt_ciphertext_resigned (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  gsize ct = header_len_of (fixture) + 4;

  assert_resigned_fails_decrypt (fixture, ct, 0x01);
  assert_resigned_fails_decrypt (fixture, ct + 100, 0x80);
  assert_resigned_fails_decrypt (fixture, ct + 256 + 15, 0x01);   /* the tag */
}

static void
test_decrypt_nonce_resigned (Fixture       *fixture,
                             gconstpointer  user_data)
{
  assert_resigned_fails_decrypt (fixture, header_len_of (fixture) - 1, 0x01);
}

static void
test_decrypt_header_resigned (Fixture       *fixture,
                              gconstpointer  user_data)
{
  /* Header fields are associated data: created_at, submission id, questionnaire hash. */
  assert_resigned_fails_decrypt (fixture, 78, 0x01);
  assert_resigned_fails_decrypt (fixture, 6, 0x01);
  assert_resigned_fails_decrypt (fixture, 87 + 11 + 4, 0x01);
}

static void
test_decrypt_ephemeral_resigned (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  gsize eph = header_len_of (fixture) - 24 - 32;
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  g_autoptr(GBytes) resigned = NULL;
  gsize len;
  guint8 *data = dup_data (envelope, &len);

  /* Another ephemeral key: a different shared secret. */
  assert_resigned_fails_decrypt (fixture, eph + 3, 0x01);

  /* A low-order point (all zero): the shared secret would be all zero. */
  memset (data + eph, 0, 32);
  resigned = resign_with (data, len, fixture->device_sk);
  assert_open_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_DECRYPT);
}

static void
test_bad_padding_resigned (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  g_autoptr(GBytes) resigned = NULL;
  gsize len;
  guint8 *data = dup_data (envelope, &len);
  gsize header_len = header_len_of (fixture);
  guint8 eph_sk[32], eph_pk[32], shared[32], key[32], padded[256];
  unsigned long long n = 0;
  crypto_generichash_state state;

  /* Re-encrypt a plaintext without the 0x80 marker, with the key derived as
   * docs/envelope.md says; a faulty kiosk could produce exactly this. */
  memset (eph_sk, 0x11, sizeof eph_sk);
  crypto_scalarmult_base (eph_pk, eph_sk);
  g_assert_cmpmem (data + header_len - 56, 32, eph_pk, 32);
  g_assert_cmpint (crypto_scalarmult (shared, eph_sk, office_public (fixture)->box_pk), ==, 0);
  crypto_generichash_init (&state, NULL, 0, 32);
  crypto_generichash_update (&state, (const guint8 *) "intake-envelope-v1", 18);
  crypto_generichash_update (&state, shared, 32);
  crypto_generichash_update (&state, eph_pk, 32);
  crypto_generichash_update (&state, office_public (fixture)->box_pk, 32);
  crypto_generichash_final (&state, key, 32);

  g_assert_cmpint (crypto_aead_xchacha20poly1305_ietf_decrypt (padded, &n, NULL,
                                                               data + header_len + 4, 256 + 16,
                                                               data, header_len,
                                                               data + header_len - 24, key), ==, 0);
  g_assert_cmpuint (n, ==, 256);
  g_assert_cmpmem (padded, 3, "{}\x80", 3);
  padded[2] = 0x00;
  crypto_aead_xchacha20poly1305_ietf_encrypt (data + header_len + 4, &n, padded, 256,
                                              data, header_len, NULL, data + header_len - 24, key);
  resigned = resign_with (data, len, fixture->device_sk);

  /* The signature itself is fine: only opening finds the fault. */
  assert_open_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_device_mismatch_id (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  g_autoptr(GBytes) resigned = NULL;
  gsize len;
  guint8 *data = dup_data (envelope, &len);

  data[22] ^= 0x01;
  resigned = resign_with (data, len, fixture->device_sk);
  assert_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH);
}

static void
test_device_mismatch_other_key (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  g_autoptr(GBytes) resigned = NULL;
  guint8 other_pk[32], other_sk[64];
  gsize len;
  guint8 *data = dup_data (envelope, &len);

  /* Another device signs with its own key but keeps this device's id. */
  crypto_sign_keypair (other_pk, other_sk);
  memcpy (data + 38, other_pk, 32);
  resigned = resign_with (data, len, other_sk);
  assert_refused (resigned, fixture, INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH);
}

static void
test_parse_header_without_signature (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) envelope = seal_fixed (fixture, "{}");
  g_autoptr(GBytes) tampered = NULL;
  IntakeEnvelopeHeader header;
  gsize len;
  guint8 *data = dup_data (envelope, &len);

  data[len - 1] ^= 0x01;
  tampered = g_bytes_new_take (data, len);

  g_assert_true (intake_envelope_parse_header (tampered, &header, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (header.questionnaire_id, ==, QUESTIONNAIRE_ID);
  g_assert_false (intake_envelope_verify (tampered, NULL, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
}

static void
test_not_an_envelope (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GBytes) json = g_bytes_new_static ("{\"answers\":{}}", 14);

  assert_refused (json, fixture, INTAKE_CRYPTO_ERROR_BAD_MAGIC);
}

/* Hex helpers -------------------------------------------------------------------- */

static void
test_hex (void)
{
  static const guint8 bytes[] = { 0x00, 0x01, 0xab, 0xff };
  g_autofree char *hex = intake_hex_encode (bytes, sizeof bytes);
  g_autofree char *empty = intake_hex_encode (NULL, 0);
  guint8 out[4];

  g_assert_cmpstr (hex, ==, "0001abff");
  g_assert_cmpstr (empty, ==, "");
  g_assert_true (intake_hex_decode ("0001abff", out, 4));
  g_assert_cmpmem (out, 4, bytes, 4);
  g_assert_true (intake_hex_decode ("0001ABFF", out, 4));
  g_assert_cmpmem (out, 4, bytes, 4);

  g_assert_false (intake_hex_decode ("0001abf", out, 4));
  g_assert_false (intake_hex_decode ("0001abff00", out, 4));
  g_assert_false (intake_hex_decode ("0001abfg", out, 4));
  g_assert_false (intake_hex_decode ("00 1abff", out, 4));
  g_assert_false (intake_hex_decode ("", out, 4));
}

/* Test vectors ------------------------------------------------------------------- */

static guint8 *
hex_member (JsonObject *object,
            const char *name,
            gsize       expected_len,
            gsize      *out_len)
{
  const char *hex = json_object_get_string_member (object, name);
  gsize len;
  guint8 *out;

  g_assert_nonnull (hex);
  len = strlen (hex) / 2;
  if (expected_len > 0)
    g_assert_cmpuint (len, ==, expected_len);
  out = g_malloc (MAX (len, 1));
  g_assert_true (intake_hex_decode (hex, out, len));
  if (out_len != NULL)
    *out_len = len;
  return out;
}

static JsonArray *
load_vectors (JsonParser **out_parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = intake_test_data_path ("envelope-vectors.json");
  JsonParser *parser = json_parser_new ();
  JsonArray *vectors;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "vectors");
  g_assert_nonnull (vectors);
  g_assert_cmpuint (json_array_get_length (vectors), >=, 2);
  *out_parser = parser;
  return vectors;
}

static void
test_vectors (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *vectors = load_vectors (&parser);
  gboolean saw_multi_block = FALSE;

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *box_sk = hex_member (v, "office_box_sk", 32, NULL);
      g_autofree guint8 *box_pk = hex_member (v, "office_box_pk", 32, NULL);
      g_autofree guint8 *sign_sk = hex_member (v, "office_sign_sk", 64, NULL);
      g_autofree guint8 *sign_pk = hex_member (v, "office_sign_pk", 32, NULL);
      g_autofree guint8 *key_id = hex_member (v, "office_key_id", 8, NULL);
      g_autofree guint8 *device_sk = hex_member (v, "device_sign_sk", 64, NULL);
      g_autofree guint8 *device_pk = hex_member (v, "device_sign_pk", 32, NULL);
      g_autofree guint8 *device_id = hex_member (v, "device_id", 16, NULL);
      g_autofree guint8 *eph_sk = hex_member (v, "ephemeral_sk", 32, NULL);
      g_autofree guint8 *nonce = hex_member (v, "nonce", 24, NULL);
      g_autofree guint8 *submission_id = hex_member (v, "submission_id", 16, NULL);
      g_autofree guint8 *qhash = hex_member (v, "questionnaire_hash", 32, NULL);
      g_autofree guint8 *expected = NULL;
      const char *plaintext = json_object_get_string_member (v, "plaintext");
      const char *name = json_object_get_string_member (v, "name");
      g_autoptr(IntakeOfficeSecret) office = NULL;
      g_autoptr(IntakeDeviceKey) device = NULL;
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GBytes) expected_bytes = NULL;
      g_autoptr(IntakeSecureBuffer) opened = NULL;
      IntakeEnvelopeInfo info = { 0 };
      IntakeDevicePublic device_public;
      IntakeEnvelopeHeader header;
      gsize expected_len;

      g_test_message ("vector %s", name);
      expected = hex_member (v, "envelope", 0, &expected_len);
      expected_bytes = g_bytes_new (expected, expected_len);

      office = intake_office_secret_new_from_raw (box_sk, sign_sk, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (intake_office_secret_get_public (office)->box_pk, 32, box_pk, 32);
      g_assert_cmpmem (intake_office_secret_get_public (office)->sign_pk, 32, sign_pk, 32);
      g_assert_cmpmem (intake_office_secret_get_public (office)->key_id, 8, key_id, 8);

      device = intake_device_key_new_from_secret (device_sk, &error);
      g_assert_no_error (error);
      intake_device_key_get_public (device, &device_public);
      g_assert_cmpmem (device_public.sign_pk, 32, device_pk, 32);
      g_assert_cmpmem (device_public.device_id, 16, device_id, 16);

      memcpy (info.submission_id, submission_id, 16);
      info.created_at = json_object_get_int_member (v, "created_at");
      info.questionnaire_id = json_object_get_string_member (v, "questionnaire_id");
      info.questionnaire_version = json_object_get_int_member (v, "questionnaire_version");
      memcpy (info.questionnaire_hash, qhash, 32);

      /* (a) Sealing again with the same inputs gives the same bytes. */
      sealed = intake_envelope_seal_with_ephemeral (intake_office_secret_get_public (office),
                                                    device, &info, eph_sk, nonce,
                                                    (const guint8 *) plaintext, strlen (plaintext),
                                                    &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                       expected, expected_len);

      /* (b) The frozen envelope verifies and opens to the plaintext. */
      g_assert_true (intake_envelope_verify (expected_bytes, &header, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (header.submission_id, 16, submission_id, 16);
      g_assert_cmpmem (header.device_id, 16, device_id, 16);
      g_assert_cmpmem (header.office_key_id, 8, key_id, 8);
      g_assert_cmpint (header.created_at, ==, info.created_at);
      g_assert_cmpstr (header.questionnaire_id, ==, info.questionnaire_id);
      g_assert_cmpuint (header.questionnaire_version, ==, info.questionnaire_version);
      g_assert_cmpmem (header.questionnaire_hash, 32, qhash, 32);

      opened = intake_envelope_open (expected_bytes, office, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (opened->data, opened->len, plaintext, strlen (plaintext));
      g_assert_true (g_utf8_validate ((const char *) opened->data, opened->len, NULL));

      if (strlen (plaintext) > 256)
        saw_multi_block = TRUE;
    }

  g_assert_true (saw_multi_block);
}

/* docs/envelope.md prints the vectors; it must print the frozen ones. */
static void
test_vectors_in_docs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *vectors = load_vectors (&parser);
  g_autofree char *doc_path = intake_test_source_path ("docs/envelope.md");
  g_autofree char *doc = NULL;
  g_autoptr(GString) joined = g_string_new (NULL);

  g_file_get_contents (doc_path, &doc, NULL, &error);
  g_assert_no_error (error);
  for (const char *c = doc; *c != '\0'; c++)
    if (*c != '\n')
      g_string_append_c (joined, *c);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);

      g_assert_nonnull (strstr (joined->str, json_object_get_string_member (v, "envelope")));
      g_assert_nonnull (strstr (doc, json_object_get_string_member (v, "office_box_sk")));
      g_assert_nonnull (strstr (doc, json_object_get_string_member (v, "nonce")));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/crypto/envelope/vectors", test_vectors);
  g_test_add_func ("/crypto/envelope/vectors-in-docs", test_vectors_in_docs);
  g_test_add_func ("/crypto/envelope/hex", test_hex);
  g_test_add_func ("/crypto/envelope/new-submission-id", test_new_submission_id);
  ADD ("/crypto/envelope/round-trip/empty", test_round_trip_empty);
  ADD ("/crypto/envelope/round-trip/one-byte", test_round_trip_one_byte);
  ADD ("/crypto/envelope/round-trip/255-bytes", test_round_trip_255);
  ADD ("/crypto/envelope/round-trip/256-bytes", test_round_trip_256);
  ADD ("/crypto/envelope/round-trip/max", test_round_trip_max);
  ADD ("/crypto/envelope/too-large", test_too_large);
  ADD ("/crypto/envelope/bad-questionnaire-id", test_bad_questionnaire_id_on_seal);
  ADD ("/crypto/envelope/header-fields", test_header_fields);
  ADD ("/crypto/envelope/fresh-randomness", test_fresh_randomness);
  ADD ("/crypto/envelope/padding-hides-length", test_padding_hides_length);
  ADD ("/crypto/envelope/tamper/every-byte", test_tamper_every_byte);
  ADD ("/crypto/envelope/tamper/truncate-every-length", test_truncate_every_length);
  ADD ("/crypto/envelope/tamper/trailing-bytes", test_trailing_bytes);
  ADD ("/crypto/envelope/tamper/unknown-version", test_unknown_version);
  ADD ("/crypto/envelope/tamper/flags", test_flags_resigned);
  ADD ("/crypto/envelope/tamper/questionnaire-id", test_bad_questionnaire_id_resigned);
  ADD ("/crypto/envelope/tamper/not-an-envelope", test_not_an_envelope);
  ADD ("/crypto/envelope/wrong-office-key", test_wrong_office_key);
  ADD ("/crypto/envelope/decrypt/ciphertext-resigned", test_decrypt_ciphertext_resigned);
  ADD ("/crypto/envelope/decrypt/nonce-resigned", test_decrypt_nonce_resigned);
  ADD ("/crypto/envelope/decrypt/header-resigned", test_decrypt_header_resigned);
  ADD ("/crypto/envelope/decrypt/ephemeral-resigned", test_decrypt_ephemeral_resigned);
  ADD ("/crypto/envelope/decrypt/bad-padding", test_bad_padding_resigned);
  ADD ("/crypto/envelope/device-mismatch/id", test_device_mismatch_id);
  ADD ("/crypto/envelope/device-mismatch/other-key", test_device_mismatch_other_key);
  ADD ("/crypto/envelope/parse-header-skips-signature", test_parse_header_without_signature);

#undef ADD

  return g_test_run ();
}

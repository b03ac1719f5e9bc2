/* test-keys.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-keys-private.h"
#include "intake-office-rotation.h"
#include "intake-test-util.h"

/* Cheap Argon2id limits so the tests do not spend seconds per unwrap. */
#define CHEAP_OPSLIMIT 1
#define CHEAP_MEMLIMIT 8192

#define PASSPHRASE "tram fiets molen tulp"

typedef enum {
  KIND_OFFICE_PUBLIC,
  KIND_OFFICE_SECRET,
  KIND_DEVICE_SECRET,
  KIND_DEVICE_PUBLIC,
  N_KINDS
} Kind;

static const char * const kind_names[N_KINDS] = {
  "office.pub", "office.secret", "device.secret", "device.pub",
};

typedef struct {
  char               *dir;
  IntakeOfficePublic *office_public;
  IntakeOfficeSecret *office_secret;
  IntakeDeviceKey    *device;
  IntakeSecureBuffer *passphrase;
  GBytes             *blobs[N_KINDS];   /* a valid decoded blob of each kind */
} Fixture;

static char *
fixture_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Decodes line 2 of a key file with GLib's own base64, independent of the loader. */
static GBytes *
read_blob_from_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guchar *data;
  gsize len;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "# "));
  g_assert_cmpstr (lines[2], ==, "");
  data = g_base64_decode (lines[1], &len);

  return g_bytes_new_take (data, len);
}

static void
write_blob_file (const char   *path,
                 const guint8 *data,
                 gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  g_autofree char *text = g_strdup_printf ("# a key written by test-keys\n%s\n", b64);

  intake_test_write_file (path, text);
}

/* Loads @path as @kind; returns FALSE with @error when the loader refuses. */
static gboolean
load_kind (Fixture     *fixture,
           Kind         kind,
           const char  *path,
           GError     **error)
{
  switch (kind)
    {
    case KIND_OFFICE_PUBLIC:
      {
        g_autoptr(IntakeOfficePublic) pub = intake_office_public_load (path, error);
        return pub != NULL;
      }
    case KIND_OFFICE_SECRET:
      {
        g_autoptr(IntakeOfficeSecret) sec = intake_office_secret_load (path, fixture->passphrase,
                                                                       error);
        return sec != NULL;
      }
    case KIND_DEVICE_SECRET:
      {
        g_autoptr(IntakeDeviceKey) key = intake_device_key_load (path, error);
        return key != NULL;
      }
    case KIND_DEVICE_PUBLIC:
      {
        IntakeDevicePublic pub;
        return intake_device_public_load (path, &pub, error);
      }
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device_path = NULL;
  g_autofree char *device_pub_path = NULL;
  IntakeDevicePublic device_public;

  fixture->dir = intake_test_tmpdir_new ();
  fixture->passphrase = intake_secure_buffer_new_copy (PASSPHRASE, strlen (PASSPHRASE));

  g_assert_true (intake_office_generate (&fixture->office_public, &fixture->office_secret, &error));
  g_assert_no_error (error);
  fixture->device = intake_device_key_generate (&error);
  g_assert_no_error (error);

  fixture->blobs[KIND_OFFICE_PUBLIC] = intake_office_public_to_bytes (fixture->office_public);
  fixture->blobs[KIND_OFFICE_SECRET] =
    intake_office_secret_wrap_with_limits (fixture->office_secret, fixture->passphrase,
                                           CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, &error);
  g_assert_no_error (error);

  device_path = fixture_path (fixture, "fixture-device.secret");
  g_assert_true (intake_device_key_save (fixture->device, device_path, &error));
  g_assert_no_error (error);
  fixture->blobs[KIND_DEVICE_SECRET] = read_blob_from_file (device_path);

  intake_device_key_get_public (fixture->device, &device_public);
  device_pub_path = fixture_path (fixture, "fixture-device.pub");
  g_assert_true (intake_device_public_save (&device_public, device_pub_path, &error));
  g_assert_no_error (error);
  fixture->blobs[KIND_DEVICE_PUBLIC] = read_blob_from_file (device_pub_path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  for (guint i = 0; i < N_KINDS; i++)
    g_clear_pointer (&fixture->blobs[i], g_bytes_unref);
  g_clear_pointer (&fixture->passphrase, intake_secure_buffer_free);
  g_clear_pointer (&fixture->device, intake_device_key_free);
  g_clear_pointer (&fixture->office_secret, intake_office_secret_free);
  g_clear_pointer (&fixture->office_public, intake_office_public_free);
  intake_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
assert_office_public_equal (const IntakeOfficePublic *a,
                            const IntakeOfficePublic *b)
{
  g_assert_cmpmem (a->key_id, sizeof a->key_id, b->key_id, sizeof b->key_id);
  g_assert_cmpmem (a->box_pk, sizeof a->box_pk, b->box_pk, sizeof b->box_pk);
  g_assert_cmpmem (a->sign_pk, sizeof a->sign_pk, b->sign_pk, sizeof b->sign_pk);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpmem (a->self_signature, sizeof a->self_signature,
                   b->self_signature, sizeof b->self_signature);
}

/* Office keys --------------------------------------------------------------- */

static void
test_office_generate (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const IntakeOfficePublic *pub = intake_office_secret_get_public (fixture->office_secret);
  g_autofree char *key_id = intake_office_public_dup_key_id_hex (pub);
  crypto_generichash_state state;
  guint8 hash[32];
  char expected_hex[17];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  assert_office_public_equal (pub, fixture->office_public);
  g_assert_cmpint (pub->created_at, <=, now);
  g_assert_cmpint (pub->created_at, >, now - 60);

  /* key_id = first 8 bytes of BLAKE2b-256 ("intake-office-key-id-v1" || box_pk || sign_pk) */
  crypto_generichash_init (&state, NULL, 0, 32);
  crypto_generichash_update (&state, (const guint8 *) "intake-office-key-id-v1", 23);
  crypto_generichash_update (&state, pub->box_pk, 32);
  crypto_generichash_update (&state, pub->sign_pk, 32);
  crypto_generichash_final (&state, hash, 32);
  g_assert_cmpmem (pub->key_id, 8, hash, 8);
  sodium_bin2hex (expected_hex, sizeof expected_hex, hash, 8);
  g_assert_cmpstr (key_id, ==, expected_hex);
}

static void
test_office_fingerprint (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *fingerprint = intake_office_public_dup_fingerprint (fixture->office_public);
  g_autoptr(GString) expected = g_string_new (NULL);
  crypto_generichash_state state;
  guint8 hash[32];

  crypto_generichash_init (&state, NULL, 0, 32);
  crypto_generichash_update (&state, (const guint8 *) "intake-fingerprint-v1", 21);
  crypto_generichash_update (&state, fixture->office_public->box_pk, 32);
  crypto_generichash_update (&state, fixture->office_public->sign_pk, 32);
  crypto_generichash_final (&state, hash, 32);
  for (guint i = 0; i < 16; i += 2)
    g_string_append_printf (expected, "%s%02X%02X", i > 0 ? " " : "", hash[i], hash[i + 1]);

  g_assert_cmpuint (strlen (fingerprint), ==, 39);
  g_assert_cmpstr (fingerprint, ==, expected->str);
}

/* The example in docs/keys.md: the office key of envelope test vector 1. */
static void
test_office_fingerprint_documented (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *key_id = NULL;
  guint8 box_sk[32], sign_sk[64];

  g_assert_true (intake_hex_decode ("773c6601381af051028944caec02ad7763bebf7a1bde820a2837ebe43ee8d745",
                                             box_sk, sizeof box_sk));
  g_assert_true (intake_hex_decode ("25cb6e5b80b7060acee6c3ff408944bdcb4a6c523aabe90b4e0e10a271a3e64f"
                                             "147ae56e168cfd473bc35fffc1de7b761d8ea0423acf6643319edc1d2b578375",
                                             sign_sk, sizeof sign_sk));
  office = intake_office_secret_new_from_raw (box_sk, sign_sk, 0, &error);
  g_assert_no_error (error);

  key_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));
  fingerprint = intake_office_public_dup_fingerprint (intake_office_secret_get_public (office));
  g_assert_cmpstr (key_id, ==, "c5422ccbd3861907");
  g_assert_cmpstr (fingerprint, ==, "2C44 0317 720F 9560 303D 4A1E 747A BAD2");
}

static void
test_office_public_bytes_round_trip (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = intake_office_public_to_bytes (fixture->office_public);
  g_autoptr(IntakeOfficePublic) copy = NULL;
  const guint8 *data = g_bytes_get_data (bytes, NULL);

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
  g_assert_cmpmem (data, 5, "IKOP\x01", 5);
  /* The self-signature covers every byte before it. */
  g_assert_cmpint (crypto_sign_verify_detached (data + 85, data, 85,
                                                fixture->office_public->sign_pk), ==, 0);

  copy = intake_office_public_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  assert_office_public_equal (copy, fixture->office_public);
}

static void
test_office_save_load_round_trip (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pub_path = fixture_path (fixture, "office.pub");
  g_autofree char *sec_path = fixture_path (fixture, "office.secret");
  g_autofree char *contents = NULL;
  g_autofree char *key_id = intake_office_public_dup_key_id_hex (fixture->office_public);
  g_autoptr(IntakeOfficePublic) loaded_pub = NULL;
  g_autoptr(IntakeOfficeSecret) loaded_sec = NULL;
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("hello", 5);
  const guint8 *w;
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  g_assert_true (intake_office_public_save (fixture->office_public, pub_path, &error));
  g_assert_no_error (error);
  /* This one uses the default (slow) key derivation on purpose. */
  g_assert_true (intake_office_secret_save (fixture->office_secret, sec_path,
                                            fixture->passphrase, &error));
  g_assert_no_error (error);

  assert_mode (pub_path, 0644);
  assert_mode (sec_path, 0600);

  g_file_get_contents (pub_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "# intake office public key, id "));
  g_assert_nonnull (strstr (contents, key_id));

  wrapped = read_blob_from_file (sec_path);
  w = g_bytes_get_data (wrapped, NULL);
  g_assert_cmpuint (g_bytes_get_size (wrapped), ==, INTAKE_OFFICE_SECRET_BLOB_BYTES);
  g_assert_cmpmem (w, 6, "IKOS\x01\x01", 6);
  g_assert_cmpuint (intake_get_u64_le (w + 6), ==, 3);
  g_assert_cmpuint (intake_get_u64_le (w + 14), ==, 64 * 1024 * 1024);
  g_assert_cmpmem (w + 38, 8, fixture->office_public->key_id, 8);

  loaded_pub = intake_office_public_load (pub_path, &error);
  g_assert_no_error (error);
  assert_office_public_equal (loaded_pub, fixture->office_public);

  loaded_sec = intake_office_secret_load (sec_path, fixture->passphrase, &error);
  g_assert_no_error (error);
  assert_office_public_equal (intake_office_secret_get_public (loaded_sec),
                              fixture->office_public);
  g_assert_cmpmem (intake_office_secret_get_box_sk (loaded_sec), 32,
                   intake_office_secret_get_box_sk (fixture->office_secret), 32);

  intake_office_secret_sign (loaded_sec, "test", message, signature);
  g_assert_true (intake_office_public_verify (fixture->office_public, "test", message,
                                              signature, &error));
  g_assert_no_error (error);
}

static void
test_office_wrap_unwrap (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeSecret) unwrapped = NULL;
  g_autoptr(GBytes) again = NULL;

  unwrapped = intake_office_secret_unwrap (fixture->blobs[KIND_OFFICE_SECRET],
                                           fixture->passphrase, &error);
  g_assert_no_error (error);
  assert_office_public_equal (intake_office_secret_get_public (unwrapped), fixture->office_public);

  /* Fresh salt and nonce every time. */
  again = intake_office_secret_wrap_with_limits (fixture->office_secret, fixture->passphrase,
                                                 CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (again, fixture->blobs[KIND_OFFICE_SECRET]));
}

static void
test_office_wrong_passphrase (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) wrong = intake_secure_buffer_new_copy ("tram fiets molen tulP", 21);
  g_autoptr(IntakeOfficeSecret) unwrapped = NULL;
  g_autofree char *key_id = intake_office_public_dup_key_id_hex (fixture->office_public);
  g_autofree char *expected = g_strdup_printf ("the passphrase does not unlock this office key "
                                               "(key id %s)", key_id);

  unwrapped = intake_office_secret_unwrap (fixture->blobs[KIND_OFFICE_SECRET], wrong, &error);
  g_assert_null (unwrapped);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_office_wrong_passphrase_file (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "office.secret");
  g_autoptr(IntakeSecureBuffer) wrong = intake_secure_buffer_new_copy ("not the passphrase", 18);
  g_autoptr(IntakeOfficeSecret) loaded = NULL;

  write_blob_file (path, g_bytes_get_data (fixture->blobs[KIND_OFFICE_SECRET], NULL),
                   g_bytes_get_size (fixture->blobs[KIND_OFFICE_SECRET]));
  loaded = intake_office_secret_load (path, wrong, &error);
  g_assert_null (loaded);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
}

static void
test_office_weak_passphrase (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) nine = intake_secure_buffer_new_copy ("123456789", 9);
  g_autoptr(IntakeSecureBuffer) ten = intake_secure_buffer_new_copy ("1234567890", 10);
  g_autofree char *path = fixture_path (fixture, "office.secret");
  g_autoptr(GBytes) wrapped = NULL;

  wrapped = intake_office_secret_wrap (fixture->office_secret, nine, &error);
  g_assert_null (wrapped);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE);
  g_clear_error (&error);

  g_assert_false (intake_office_secret_save (fixture->office_secret, path, nine, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  wrapped = intake_office_secret_wrap_with_limits (fixture->office_secret, ten,
                                                   CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (wrapped);
}

static GBytes *
patch_u64 (GBytes *blob,
           gsize   offset,
           guint64 value)
{
  gsize len;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (blob), &len);

  intake_put_u64_le (data + offset, value);
  return g_bytes_new_take (data, len);
}

static void
test_office_hostile_kdf_limits (Fixture       *fixture,
                                gconstpointer  user_data)
{
  struct { gsize offset; guint64 value; } cases[] = {
    { 6, 11 },                                        /* opslimit above 10 */
    { 6, 0 },                                         /* opslimit below Argon2id's minimum */
    { 6, G_MAXUINT64 },
    { 14, G_GUINT64_CONSTANT (1024) * 1024 * 1024 + 1 },  /* memlimit above 1 GiB */
    { 14, G_GUINT64_CONSTANT (64) * 1024 * 1024 * 1024 },
    { 14, 1024 },                                     /* memlimit below Argon2id's minimum */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) hostile = patch_u64 (fixture->blobs[KIND_OFFICE_SECRET],
                                             cases[i].offset, cases[i].value);
      g_autoptr(IntakeOfficeSecret) unwrapped = NULL;
      gint64 start = g_get_monotonic_time ();

      unwrapped = intake_office_secret_unwrap (hostile, fixture->passphrase, &error);
      g_assert_null (unwrapped);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
      /* Refused before any key derivation. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
    }
}

static void
test_office_unknown_kdf (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[KIND_OFFICE_SECRET]), &len);
  g_autoptr(GBytes) patched = NULL;
  g_autoptr(IntakeOfficeSecret) unwrapped = NULL;

  data[5] = 2;
  patched = g_bytes_new_take (data, len);
  unwrapped = intake_office_secret_unwrap (patched, fixture->passphrase, &error);
  g_assert_null (unwrapped);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
}

/* Any change to the authenticated prefix or the ciphertext of a wrapped key
 * makes the AEAD fail, which is reported as a wrong passphrase: the two
 * cannot be told apart, and both mean "this passphrase does not open this". */
static void
test_office_secret_tampered (Fixture       *fixture,
                             gconstpointer  user_data)
{
  static const gsize positions[] = { 22, 37, 38, 45, 46, 69, 70, 200, 330 };

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[KIND_OFFICE_SECRET]), &len);
      g_autoptr(GBytes) patched = NULL;
      g_autoptr(IntakeOfficeSecret) unwrapped = NULL;

      data[positions[i]] ^= 0x01;
      patched = g_bytes_new_take (data, len);
      unwrapped = intake_office_secret_unwrap (patched, fixture->passphrase, &error);
      g_assert_null (unwrapped);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
    }
}

/* Wraps @inner exactly as docs/keys.md describes, without the library. */
static GBytes *
wrap_by_hand (const guint8             *inner,
              const guint8             *key_id,
              const IntakeSecureBuffer *passphrase)
{
  guint8 blob[INTAKE_OFFICE_SECRET_BLOB_BYTES];
  guint8 key[32];
  unsigned long long clen = 0;

  memcpy (blob, "IKOS\x01\x01", 6);
  intake_put_u64_le (blob + 6, CHEAP_OPSLIMIT);
  intake_put_u64_le (blob + 14, CHEAP_MEMLIMIT);
  randombytes_buf (blob + 22, 16);
  memcpy (blob + 38, key_id, 8);
  randombytes_buf (blob + 46, 24);
  g_assert_cmpint (crypto_pwhash (key, 32, (const char *) passphrase->data, passphrase->len,
                                  blob + 22, CHEAP_OPSLIMIT, CHEAP_MEMLIMIT,
                                  crypto_pwhash_ALG_ARGON2ID13), ==, 0);
  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + 70, &clen, inner, 245, blob, 70, NULL,
                                              blob + 46, key);
  g_assert_cmpuint (clen, ==, 261);
  return g_bytes_new (blob, sizeof blob);
}

static void
test_office_secret_by_hand (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pub_blob = intake_office_public_to_bytes (fixture->office_public);
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(IntakeOfficeSecret) unwrapped = NULL;
  guint8 box_sk[32], box_pk[32], sign_pk[32], sign_sk[64], inner[245];
  g_autoptr(IntakeOfficeSecret) other = NULL;

  /* A well-formed file made from the spec alone unwraps. */
  randombytes_buf (box_sk, 32);
  crypto_scalarmult_base (box_pk, box_sk);
  crypto_sign_keypair (sign_pk, sign_sk);
  other = intake_office_secret_new_from_raw (box_sk, sign_sk, 1700000000, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) other_pub = intake_office_public_to_bytes (intake_office_secret_get_public (other));

    memcpy (inner, box_sk, 32);
    memcpy (inner + 32, sign_sk, 64);
    memcpy (inner + 96, g_bytes_get_data (other_pub, NULL), 149);
    wrapped = wrap_by_hand (inner, intake_office_secret_get_public (other)->key_id,
                            fixture->passphrase);
    unwrapped = intake_office_secret_unwrap (wrapped, fixture->passphrase, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (intake_office_secret_get_public (unwrapped)->box_pk, 32, box_pk, 32);
    g_assert_cmpint (intake_office_secret_get_public (unwrapped)->created_at, ==, 1700000000);
    g_clear_pointer (&unwrapped, intake_office_secret_free);
    g_clear_pointer (&wrapped, g_bytes_unref);
  }

  /* Secret keys of another key pair with the fixture's public key: refused. */
  memcpy (inner + 96, g_bytes_get_data (pub_blob, NULL), 149);
  wrapped = wrap_by_hand (inner, fixture->office_public->key_id, fixture->passphrase);
  unwrapped = intake_office_secret_unwrap (wrapped, fixture->passphrase, &error);
  g_assert_null (unwrapped);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  g_clear_error (&error);
  g_clear_pointer (&wrapped, g_bytes_unref);

  /* Matching inner keys, but the cleartext key id names another key: refused. */
  {
    g_autoptr(GBytes) other_pub = intake_office_public_to_bytes (intake_office_secret_get_public (other));

    memcpy (inner + 96, g_bytes_get_data (other_pub, NULL), 149);
  }
  wrapped = wrap_by_hand (inner, fixture->office_public->key_id, fixture->passphrase);
  unwrapped = intake_office_secret_unwrap (wrapped, fixture->passphrase, &error);
  g_assert_null (unwrapped);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);

  sodium_memzero (inner, sizeof inner);
}

static void
test_office_public_tampered_every_byte (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  gsize len = g_bytes_get_size (fixture->blobs[KIND_OFFICE_PUBLIC]);

  for (gsize pos = 0; pos < len; pos++)
    {
      g_autoptr(GError) error = NULL;
      guint8 *data = g_memdup2 (g_bytes_get_data (fixture->blobs[KIND_OFFICE_PUBLIC], NULL), len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(IntakeOfficePublic) pub = NULL;

      data[pos] ^= 0x01;
      bytes = g_bytes_new_take (data, len);
      pub = intake_office_public_new_from_bytes (bytes, &error);
      g_assert_null (pub);
      if (pos < 4)
        g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC);
      else if (pos == 4)
        g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
      else
        g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
    }
}

static void
test_office_public_tampered_file (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "office.pub");
  g_autofree char *tampered_path = fixture_path (fixture, "tampered.pub");
  g_autofree char *contents = NULL;
  g_autoptr(IntakeOfficePublic) pub = NULL;
  char *line;

  g_assert_true (intake_office_public_save (fixture->office_public, path, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  /* Change one base64 character in the middle of the box key. */
  line = strchr (contents, '\n') + 1;
  line[24] = line[24] == 'A' ? 'B' : 'A';
  intake_test_write_file (tampered_path, contents);

  pub = intake_office_public_load (tampered_path, &error);
  g_assert_null (pub);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  g_assert_nonnull (strstr (error->message, tampered_path));
}

static void
test_office_public_key_id_mismatch (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(IntakeOfficePublic) pub = NULL;
  guint8 box_sk[32], sign_pk[32], sign_sk[64];
  guint8 *data;
  gsize len;

  randombytes_buf (box_sk, sizeof box_sk);
  crypto_sign_keypair (sign_pk, sign_sk);
  office = intake_office_secret_new_from_raw (box_sk, sign_sk, 1700000000, &error);
  g_assert_no_error (error);

  /* A correctly self-signed blob whose key id is wrong. */
  data = g_bytes_unref_to_data (intake_office_public_to_bytes (intake_office_secret_get_public (office)),
                                &len);
  data[5] ^= 0xff;
  crypto_sign_detached (data + 85, NULL, data, 85, sign_sk);
  bytes = g_bytes_new_take (data, len);

  pub = intake_office_public_new_from_bytes (bytes, &error);
  g_assert_null (pub);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

/* Key files of every kind ----------------------------------------------------- */

static void
test_truncated_every_length (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "truncated");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      gsize full_len;
      const guint8 *full = g_bytes_get_data (fixture->blobs[kind], &full_len);

      for (gsize len = 0; len < full_len; len++)
        {
          g_autoptr(GError) error = NULL;

          write_blob_file (path, full, len);
          g_assert_false (load_kind (fixture, kind, path, &error));
          if (error->code != INTAKE_CRYPTO_ERROR_TRUNCATED)
            g_test_message ("%s cut to %" G_GSIZE_FORMAT " bytes: %s", kind_names[kind], len,
                            error->message);
          g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
        }

      /* And the intact blob, written the same way, loads. */
      {
        g_autoptr(GError) error = NULL;

        write_blob_file (path, full, full_len);
        g_assert_true (load_kind (fixture, kind, path, &error));
        g_assert_no_error (error);
      }
    }
}

static void
test_truncated_bytes (Fixture       *fixture,
                      gconstpointer  user_data)
{
  gsize full_len;
  const guint8 *full = g_bytes_get_data (fixture->blobs[KIND_OFFICE_PUBLIC], &full_len);
  const guint8 *wrapped_full;
  gsize wrapped_len;

  for (gsize len = 0; len < full_len; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_bytes_new (full, len);
      g_autoptr(IntakeOfficePublic) pub = intake_office_public_new_from_bytes (bytes, &error);

      g_assert_null (pub);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    }

  wrapped_full = g_bytes_get_data (fixture->blobs[KIND_OFFICE_SECRET], &wrapped_len);
  for (gsize len = 0; len < wrapped_len; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_bytes_new (wrapped_full, len);
      g_autoptr(IntakeOfficeSecret) sec = intake_office_secret_unwrap (bytes, fixture->passphrase,
                                                                       &error);

      g_assert_null (sec);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    }
}

static void
test_cut_base64_line (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "cut");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (fixture->blobs[kind], NULL),
                                              g_bytes_get_size (fixture->blobs[kind]));
      gsize b64_len = strlen (b64);

      for (gsize cut = 0; cut <= b64_len; cut++)
        {
          g_autofree char *without_newline = g_strdup_printf ("# comment\n%.*s", (int) cut, b64);
          g_autofree char *with_newline = g_strdup_printf ("# comment\n%.*s\n", (int) cut, b64);
          g_autoptr(GError) error = NULL;

          /* A file that stops inside its key line never loads. */
          intake_test_write_file (path, without_newline);
          g_assert_false (load_kind (fixture, kind, path, &error));
          g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
          g_clear_error (&error);

          if (cut == b64_len)
            continue;

          /* A shortened line with its newline is also reported as truncated. */
          intake_test_write_file (path, with_newline);
          g_assert_false (load_kind (fixture, kind, path, &error));
          g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
        }
    }
}

static void
test_extra_bytes (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "extra");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      gsize len;
      const guint8 *blob = g_bytes_get_data (fixture->blobs[kind], &len);
      g_autofree guint8 *longer = g_malloc0 (len + 3);

      memcpy (longer, blob, len);
      for (gsize extra = 1; extra <= 3; extra++)
        {
          g_autoptr(GError) error = NULL;

          write_blob_file (path, longer, len + extra);
          g_assert_false (load_kind (fixture, kind, path, &error));
          g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
        }
    }
}

static void
test_extra_line (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "extra-line");
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (fixture->blobs[KIND_DEVICE_PUBLIC], NULL),
                                          g_bytes_get_size (fixture->blobs[KIND_DEVICE_PUBLIC]));
  g_autofree char *text = g_strdup_printf ("# comment\n%s\n%s\n", b64, b64);

  intake_test_write_file (path, text);
  g_assert_false (load_kind (fixture, KIND_DEVICE_PUBLIC, path, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_crlf_file (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "crlf");
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (fixture->blobs[KIND_DEVICE_PUBLIC], NULL),
                                          g_bytes_get_size (fixture->blobs[KIND_DEVICE_PUBLIC]));
  g_autofree char *text = g_strdup_printf ("# edited on Windows\r\n%s\r\n", b64);

  intake_test_write_file (path, text);
  g_assert_true (load_kind (fixture, KIND_DEVICE_PUBLIC, path, &error));
  g_assert_no_error (error);
}

static void
test_not_a_key_file (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "not-a-key");
  static const char * const texts[] = {
    "hello world\n",
    "eyJmb3JtYXQiOjF9\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    for (Kind kind = 0; kind < N_KINDS; kind++)
      {
        g_autoptr(GError) error = NULL;

        intake_test_write_file (path, texts[i]);
        g_assert_false (load_kind (fixture, kind, path, &error));
        g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC);
      }
}

static void
test_bad_base64 (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "bad-base64");

  intake_test_write_file (path, "# comment\nSUtE!AE=\n");
  g_assert_false (load_kind (fixture, KIND_DEVICE_PUBLIC, path, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_bad_magic (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "bad-magic");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[kind]), &len);

      memcpy (data, "MINI", 4);
      write_blob_file (path, data, len);
      g_free (data);
      g_assert_false (load_kind (fixture, kind, path, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC);
    }
}

static void
test_wrong_kind (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "wrong-kind");

  /* Every kind of file given to every other kind's loader. */
  for (Kind given = 0; given < N_KINDS; given++)
    for (Kind expected = 0; expected < N_KINDS; expected++)
      {
        g_autoptr(GError) error = NULL;

        if (given == expected)
          continue;

        write_blob_file (path, g_bytes_get_data (fixture->blobs[given], NULL),
                         g_bytes_get_size (fixture->blobs[given]));
        g_assert_false (load_kind (fixture, expected, path, &error));
        g_test_message ("%s as %s: %s", kind_names[given], kind_names[expected], error->message);
        g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
      }
}

static void
test_wrong_kind_bytes (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficePublic) pub = NULL;
  g_autoptr(IntakeOfficeSecret) sec = NULL;

  pub = intake_office_public_new_from_bytes (fixture->blobs[KIND_DEVICE_PUBLIC], &error);
  g_assert_null (pub);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
  g_clear_error (&error);

  sec = intake_office_secret_unwrap (fixture->blobs[KIND_DEVICE_SECRET], fixture->passphrase,
                                     &error);
  g_assert_null (sec);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
}

static void
test_unknown_version (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "version");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[kind]), &len);

      data[4] = 2;
      write_blob_file (path, data, len);
      g_free (data);
      g_assert_false (load_kind (fixture, kind, path, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
    }
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "missing");

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (load_kind (fixture, kind, path, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
      g_assert_nonnull (strstr (error->message, path));
    }
}

static void
assert_dir_has_only (const char *dir,
                     const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_assert_cmpstr (entry, ==, name);
      count++;
    }
  g_assert_cmpuint (count, ==, 1);
}

static void
test_refuse_overwrite (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *sub = fixture_path (fixture, "overwrite");
  g_autofree char *path = g_build_filename (sub, "key", NULL);
  IntakeDevicePublic device_public;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  intake_device_key_get_public (fixture->device, &device_public);

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      gboolean ok = FALSE;

      intake_test_write_file (path, "# an existing file\nc29tZXRoaW5n\n");
      g_file_get_contents (path, &before, NULL, NULL);

      switch (kind)
        {
        case KIND_OFFICE_PUBLIC:
          ok = intake_office_public_save (fixture->office_public, path, &error);
          break;
        case KIND_OFFICE_SECRET:
          ok = intake_office_secret_save (fixture->office_secret, path, fixture->passphrase, &error);
          break;
        case KIND_DEVICE_SECRET:
          ok = intake_device_key_save (fixture->device, path, &error);
          break;
        case KIND_DEVICE_PUBLIC:
          ok = intake_device_public_save (&device_public, path, &error);
          break;
        case N_KINDS:
        default:
          g_assert_not_reached ();
        }

      g_assert_false (ok);
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "exists"));
      g_assert_nonnull (strstr (error->message, "will not be overwritten"));
      g_file_get_contents (path, &after, NULL, NULL);
      g_assert_cmpstr (before, ==, after);
      /* No temporary file is left behind. */
      assert_dir_has_only (sub, "key");
    }
}

static void
test_refuse_overwrite_second_save (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "device.secret");
  g_autoptr(IntakeDeviceKey) other = intake_device_key_generate (&error);
  g_autoptr(IntakeDeviceKey) loaded = NULL;
  IntakeDevicePublic a, b;

  g_assert_no_error (error);
  g_assert_true (intake_device_key_save (fixture->device, path, &error));
  g_assert_no_error (error);
  g_assert_false (intake_device_key_save (other, path, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
  g_clear_error (&error);

  loaded = intake_device_key_load (path, &error);
  g_assert_no_error (error);
  intake_device_key_get_public (loaded, &a);
  intake_device_key_get_public (fixture->device, &b);
  g_assert_cmpmem (a.sign_pk, 32, b.sign_pk, 32);
}

static void
test_save_into_missing_dir (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "no-such-dir/device.secret");

  g_assert_false (intake_device_key_save (fixture->device, path, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
}

/* Device keys ----------------------------------------------------------------- */

static void
test_device_save_load_round_trip (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sec_path = fixture_path (fixture, "device.secret");
  g_autofree char *pub_path = fixture_path (fixture, "device.pub");
  g_autofree char *id_hex = intake_device_key_dup_id_hex (fixture->device);
  g_autofree char *contents = NULL;
  g_autoptr(IntakeDeviceKey) loaded = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("batch", 5);
  IntakeDevicePublic pub, loaded_pub, file_pub;
  guint8 expected_id[16];
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  const guint8 *blob;

  intake_device_key_get_public (fixture->device, &pub);

  /* device_id = BLAKE2b, 16-byte output, of "intake-device-id-v1" || sign_pk */
  {
    g_autofree guint8 *input = g_malloc (19 + 32);

    memcpy (input, "intake-device-id-v1", 19);
    memcpy (input + 19, pub.sign_pk, 32);
    crypto_generichash (expected_id, 16, input, 19 + 32, NULL, 0);
  }
  g_assert_cmpmem (pub.device_id, 16, expected_id, 16);
  g_assert_cmpuint (strlen (id_hex), ==, 32);

  g_assert_true (intake_device_key_save (fixture->device, sec_path, &error));
  g_assert_no_error (error);
  g_assert_true (intake_device_public_save (&pub, pub_path, &error));
  g_assert_no_error (error);
  assert_mode (sec_path, 0600);
  assert_mode (pub_path, 0644);

  g_file_get_contents (sec_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "# intake device secret key, id "));
  g_assert_nonnull (strstr (contents, id_hex));

  blob = g_bytes_get_data (fixture->blobs[KIND_DEVICE_SECRET], NULL);
  g_assert_cmpuint (g_bytes_get_size (fixture->blobs[KIND_DEVICE_SECRET]), ==, 69);
  g_assert_cmpmem (blob, 5, "IKDS\x01", 5);
  g_assert_cmpmem (blob + 5 + 32, 32, pub.sign_pk, 32);
  blob = g_bytes_get_data (fixture->blobs[KIND_DEVICE_PUBLIC], NULL);
  g_assert_cmpuint (g_bytes_get_size (fixture->blobs[KIND_DEVICE_PUBLIC]), ==, 53);
  g_assert_cmpmem (blob, 5, "IKDP\x01", 5);
  g_assert_cmpmem (blob + 5, 16, pub.device_id, 16);
  g_assert_cmpmem (blob + 21, 32, pub.sign_pk, 32);

  loaded = intake_device_key_load (sec_path, &error);
  g_assert_no_error (error);
  intake_device_key_get_public (loaded, &loaded_pub);
  g_assert_cmpmem (&loaded_pub, sizeof loaded_pub, &pub, sizeof pub);

  g_assert_true (intake_device_public_load (pub_path, &file_pub, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&file_pub, sizeof file_pub, &pub, sizeof pub);

  intake_device_key_sign (loaded, "sync-request", message, signature);
  g_assert_true (intake_device_public_verify (&file_pub, "sync-request", message, signature, &error));
  g_assert_no_error (error);
}

static void
test_device_secret_inconsistent (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "device.secret");
  gsize len;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[KIND_DEVICE_SECRET]), &len);
  g_autoptr(IntakeDeviceKey) loaded = NULL;

  /* The public half stored in the secret key no longer matches its seed. */
  data[5 + 40] ^= 0x01;
  write_blob_file (path, data, len);
  sodium_memzero (data, len);
  g_free (data);

  loaded = intake_device_key_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_device_public_id_mismatch (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *path = fixture_path (fixture, "device.pub");

  /* A changed byte in the id or in the key: the id no longer belongs to the key. */
  for (gsize pos = 5; pos < 53; pos++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (fixture->blobs[KIND_DEVICE_PUBLIC]), &len);

      data[pos] ^= 0x01;
      write_blob_file (path, data, len);
      g_free (data);
      g_assert_false (load_kind (fixture, KIND_DEVICE_PUBLIC, path, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
    }
}

/* Signatures with context -------------------------------------------------------- */

static void
test_sign_context (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("questionnaire bytes", 19);
  g_autoptr(GBytes) other_message = g_bytes_new_static ("questionnaire bytez", 19);
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  IntakeDevicePublic device_public;

  intake_office_secret_sign (fixture->office_secret, "questionnaire", message, signature);
  g_assert_true (intake_office_public_verify (fixture->office_public, "questionnaire", message,
                                              signature, &error));
  g_assert_no_error (error);

  g_assert_false (intake_office_public_verify (fixture->office_public, "configuration", message,
                                               signature, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_false (intake_office_public_verify (fixture->office_public, "questionnaire",
                                               other_message, signature, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  intake_device_key_get_public (fixture->device, &device_public);
  intake_device_key_sign (fixture->device, "sync-request", message, signature);
  g_assert_true (intake_device_public_verify (&device_public, "sync-request", message,
                                              signature, &error));
  g_assert_no_error (error);
  g_assert_false (intake_device_public_verify (&device_public, "receipt", message,
                                               signature, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* A device signature is not an office signature. */
  g_assert_false (intake_office_public_verify (fixture->office_public, "sync-request", message,
                                               signature, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
}

static void
test_sign_context_format (Fixture       *fixture,
                          gconstpointer  user_data)
{
  static const guint8 signed_bytes[] = "intake-sig-v1\0questionnaire\0payload";
  g_autoptr(GBytes) message = g_bytes_new_static ("payload", 7);
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  /* Ed25519 over "intake-sig-v1" 0x00 context 0x00 message, as docs/keys.md says. */
  intake_office_secret_sign (fixture->office_secret, "questionnaire", message, signature);
  g_assert_cmpint (crypto_sign_verify_detached (signature, signed_bytes, sizeof signed_bytes - 1,
                                                fixture->office_public->sign_pk), ==, 0);
}

static void
test_sign_context_boundary (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) c = g_bytes_new_static ("c", 1);
  g_autoptr(GBytes) bc = g_bytes_new_static ("bc", 2);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  /* ("ab", "c") and ("a", "bc") must not share a signature. */
  intake_office_secret_sign (fixture->office_secret, "ab", c, signature);
  g_assert_false (intake_office_public_verify (fixture->office_public, "a", bc, signature, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* An empty message is fine. */
  intake_office_secret_sign (fixture->office_secret, "ping", empty, signature);
  g_assert_true (intake_office_public_verify (fixture->office_public, "ping", empty, signature,
                                              &error));
  g_assert_no_error (error);
}

/* Reviewer keys, format 1 (legacy) ----------------------------------------- */

#define REVIEWER_PASSPHRASE "twelve bytes and more"

/* A format 1 blob (the passphrase alone) is recognized, so a store from
 * before format 2 can name its reviewers, and never opened. */
static void
test_reviewer_format1_recognized (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE,
                                                                          strlen (REVIEWER_PASSPHRASE));
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(GByteArray) legacy = g_byte_array_new ();
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewerBlobInfo info;
  guint8 zeros[INTAKE_REVIEWER_KEY_BLOB_BYTES] = { 0 };

  g_byte_array_append (legacy, (const guint8 *)"IKRK\x01", 5);
  g_byte_array_append (legacy, zeros, INTAKE_REVIEWER_KEY_BLOB_BYTES - 5);
  legacy->data[5] = 1;                       /* kdf */
  legacy->data[46] = 0xab;                   /* reviewer id */
  blob = g_bytes_new (legacy->data, legacy->len);
  g_assert_true (intake_reviewer_key_blob_peek (blob, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.version, ==, 1);
  g_assert_cmpuint (info.reviewer_id[0], ==, 0xab);

  credentials = intake_credentials_new_reviewer (passphrase, workstation, info.salt, CHEAP_OPSLIMIT, CHEAP_MEMLIMIT,
                                                 &error);
  g_assert_no_error (error);
  g_assert_null (intake_reviewer_key_open (blob, credentials, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
  g_assert_nonnull (strstr (error->message, "activation code"));
  g_clear_error (&error);

  /* One byte short of format 1 is truncated; a version 3 is unsupported. */
  {
    g_autoptr(GBytes) cut = g_bytes_new (legacy->data, legacy->len - 1);

    g_assert_false (intake_reviewer_key_blob_peek (cut, &info, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    g_clear_error (&error);
    legacy->data[4] = 3;
    g_clear_pointer (&blob, g_bytes_unref);
    blob = g_bytes_new (legacy->data, legacy->len);
    g_assert_false (intake_reviewer_key_blob_peek (blob, &info, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION);
  }
}

static void
test_reviewer_wrong_kind (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE,
                                                                          strlen (REVIEWER_PASSPHRASE));
  g_autoptr(IntakeCredentials) credentials = intake_credentials_new_reviewer (passphrase, workstation, NULL,
                                                                              CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, NULL);
  g_autoptr(GError) error = NULL;

  /* An office secret blob given as a reviewer key. */
  g_assert_null (intake_reviewer_key_open (fixture->blobs[KIND_OFFICE_SECRET], credentials, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
  g_assert_nonnull (strstr (error->message, "office secret key"));
  g_clear_error (&error);

  /* And a reviewer key given as an office secret. */
  {
    g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_generate (fixture->office_secret, NULL);
    g_autoptr(GBytes) blob = intake_reviewer_key_seal (key, credentials, NULL);

    g_assert_null (intake_office_secret_unwrap (blob, fixture->passphrase, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
    g_assert_nonnull (strstr (error->message, "reviewer key"));
  }
}

/* Reviewer keys, format 2: passphrase + workstation key ------------------- */

static IntakeCredentials *
reviewer_credentials (const char                 *passphrase,
                      const IntakeWorkstationKey *workstation,
                      const guint8               *salt,
                      GError                    **error)
{
  g_autoptr(IntakeSecureBuffer) secret = intake_secure_buffer_new_copy (passphrase, strlen (passphrase));

  return intake_credentials_new_reviewer (secret, workstation, salt, CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, error);
}

static void
test_reviewer2_round_trip (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_generate (fixture->office_secret, NULL);
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(IntakeCredentials) again = NULL;
  g_autoptr(IntakeReviewerKey) opened = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewerPublic pub, opened_pub;
  IntakeReviewerBlobInfo info;

  credentials = reviewer_credentials (REVIEWER_PASSPHRASE, workstation, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (intake_credentials_get_kind (credentials), ==, INTAKE_CREDENTIALS_REVIEWER);
  blob = intake_reviewer_key_seal (key, credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (blob), ==, INTAKE_REVIEWER_KEY2_BLOB_BYTES);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), 5, "IKRK\x02", 5);

  /* The clear fields: what the server needs to challenge the reviewer. */
  intake_reviewer_key_get_public (key, &pub);
  g_assert_true (intake_reviewer_key_blob_peek (blob, &info, &error));
  g_assert_cmpuint (info.version, ==, 2);
  g_assert_cmpuint (info.opslimit, ==, CHEAP_OPSLIMIT);
  g_assert_cmpuint (info.memlimit, ==, CHEAP_MEMLIMIT);
  g_assert_cmpmem (info.salt, 16, intake_credentials_get_salt (credentials), 16);
  g_assert_cmpmem (info.auth_pk, 32, intake_credentials_get_auth_public (credentials), 32);
  g_assert_cmpmem (info.workstation_id, 8, intake_workstation_key_get_id (workstation), 8);
  g_assert_cmpmem (info.reviewer_id, 16, pub.reviewer_id, 16);
  g_assert_cmpmem (info.office_key_id, 8, fixture->office_public->key_id, 8);

  /* The same passphrase, workstation key and salt derive the same keys. */
  again = reviewer_credentials (REVIEWER_PASSPHRASE, workstation, info.salt, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_credentials_get_auth_public (again), 32, info.auth_pk, 32);
  opened = intake_reviewer_key_open (blob, again, &error);
  g_assert_no_error (error);
  intake_reviewer_key_get_public (opened, &opened_pub);
  g_assert_cmpmem (&pub, sizeof pub, &opened_pub, sizeof opened_pub);
  g_assert_cmpmem (intake_office_secret_get_box_sk (intake_reviewer_key_get_office (opened)), 32,
                   intake_office_secret_get_box_sk (fixture->office_secret), 32);

  /* The authentication key signs challenges that the verifier checks, under its context only. */
  {
    g_autoptr(GBytes) challenge = g_bytes_new_static ("challenge", 9);
    guint8 signature[INTAKE_SIGNATURE_BYTES];

    intake_credentials_sign (again, "review-unlock", challenge, signature);
    g_assert_true (intake_auth_public_verify (info.auth_pk, "review-unlock", challenge, signature, &error));
    g_assert_no_error (error);
    g_assert_false (intake_auth_public_verify (info.auth_pk, "review-request", challenge, signature, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
  }
}

static void
test_reviewer2_needs_both_secrets (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_generate (fixture->office_secret, NULL);
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeWorkstationKey) other_workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeCredentials) credentials = reviewer_credentials (REVIEWER_PASSPHRASE, workstation, NULL, NULL);
  g_autoptr(GBytes) blob = intake_reviewer_key_seal (key, credentials, NULL);
  const guint8 *salt = intake_credentials_get_salt (credentials);
  struct { const char *passphrase; IntakeWorkstationKey *workstation; } wrong[] = {
    { "twelve bytes and less", workstation },        /* the passphrase is wrong */
    { REVIEWER_PASSPHRASE, other_workstation },      /* this is another workstation */
  };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(IntakeCredentials) guess = reviewer_credentials (wrong[i].passphrase, wrong[i].workstation, salt, NULL);
      g_autoptr(GError) error = NULL;

      /* Another verifier, so the server would refuse it before handing out anything ... */
      g_assert_true (memcmp (intake_credentials_get_auth_public (guess), intake_credentials_get_auth_public (credentials),
                             32) != 0);
      /* ... and the blob does not open with it either. */
      g_assert_null (intake_reviewer_key_open (blob, guess, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
    }

  /* Every clear byte is associated data: the reviewer id, the workstation id, ... */
  for (gsize offset = 5; offset < 126; offset += 7)
    {
      g_autofree guint8 *tampered = g_memdup2 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
      g_autoptr(GBytes) tampered_blob = NULL;
      g_autoptr(GError) error = NULL;

      tampered[offset] ^= 0x10;
      tampered_blob = g_bytes_new (tampered, g_bytes_get_size (blob));
      g_assert_null (intake_reviewer_key_open (tampered_blob, credentials, &error));
      g_assert_nonnull (error);
    }

  /* Cut or lengthened: TRUNCATED, MALFORMED. */
  {
    const guint8 *data = g_bytes_get_data (blob, NULL);
    g_autoptr(GBytes) cut = g_bytes_new (data, INTAKE_REVIEWER_KEY2_BLOB_BYTES - 1);
    g_autoptr(GByteArray) longer = g_byte_array_new ();
    g_autoptr(GBytes) extra = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_null (intake_reviewer_key_open (cut, credentials, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    g_clear_error (&error);
    g_byte_array_append (longer, data, INTAKE_REVIEWER_KEY2_BLOB_BYTES);
    g_byte_array_append (longer, (const guint8 *)"x", 1);
    extra = g_bytes_new (longer->data, longer->len);
    g_assert_null (intake_reviewer_key_open (extra, credentials, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  }
}

static void
test_reviewer2_limits (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE,
                                                                          strlen (REVIEWER_PASSPHRASE));
  g_autoptr(IntakeSecureBuffer) short_one = intake_secure_buffer_new_copy ("eleven byte", 11);
  guint8 salt[16] = { 0 };
  g_autoptr(GError) error = NULL;

  /* Limits from a hostile answer are refused before any derivation. */
  g_assert_null (intake_credentials_new_reviewer (passphrase, workstation, salt, 11, CHEAP_MEMLIMIT, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (intake_credentials_new_reviewer (passphrase, workstation, salt, 1,
                                                  G_GUINT64_CONSTANT (2) << 30, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A new passphrase (no salt yet) must have 12 bytes; an existing one is just tried. */
  g_assert_null (intake_credentials_new_reviewer (short_one, workstation, NULL, CHEAP_OPSLIMIT, CHEAP_MEMLIMIT, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE);
  g_clear_error (&error);
  {
    g_autoptr(IntakeCredentials) tried = intake_credentials_new_reviewer (short_one, workstation, salt, CHEAP_OPSLIMIT,
                                                                          CHEAP_MEMLIMIT, &error);

    g_assert_no_error (error);
    g_assert_nonnull (tried);
  }

  /* Activation-code credentials cannot seal a reviewer key. */
  {
    g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_generate (fixture->office_secret, NULL);
    g_autoptr(IntakeCredentials) setup = intake_credentials_new_setup ("CODE", 4, NULL, NULL);

    g_assert_null (intake_reviewer_key_seal (key, setup, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
  }
}

static void
test_setup_round_trip (Fixture       *fixture,
                       gconstpointer  user_data)
{
  static const char code[] = "K7MX-3PEA-9TCH-WRNU-AC4F-HJ76";
  g_autoptr(IntakeCredentials) credentials = intake_credentials_new_setup (code, strlen (code), NULL, NULL);
  g_autoptr(IntakeCredentials) again = NULL;
  g_autoptr(IntakeCredentials) wrong = NULL;
  g_autoptr(IntakeOfficeSecret) opened = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  IntakeSetupBlobInfo info;

  blob = intake_office_secret_seal_setup (fixture->office_secret, credentials, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (blob), ==, INTAKE_SETUP_BLOB_BYTES);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), 5, "IKRS\x01", 5);
  g_assert_true (intake_setup_blob_peek (blob, &info, &error));
  g_assert_cmpmem (info.auth_pk, 32, intake_credentials_get_auth_public (credentials), 32);
  g_assert_cmpmem (info.office_key_id, 8, fixture->office_public->key_id, 8);

  again = intake_credentials_new_setup (code, strlen (code), info.salt, NULL);
  opened = intake_office_secret_open_setup (blob, again, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_office_secret_get_box_sk (opened), 32, intake_office_secret_get_box_sk (fixture->office_secret), 32);

  wrong = intake_credentials_new_setup ("K7MX-3PEA-9TCH-WRNU-AC4F-HJ77", strlen (code), info.salt, NULL);
  g_assert_null (intake_office_secret_open_setup (blob, wrong, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);

  /* A reviewer key is not an activation key, and the other way round. */
  g_assert_false (intake_setup_blob_peek (fixture->blobs[KIND_OFFICE_SECRET], &info, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
  g_clear_error (&error);
  {
    IntakeReviewerBlobInfo reviewer_info;

    g_assert_false (intake_reviewer_key_blob_peek (blob, &reviewer_info, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
    g_assert_nonnull (strstr (error->message, "activation key"));
  }
}

static void
test_workstation_key_file (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(IntakeWorkstationKey) key = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeWorkstationKey) loaded = NULL;
  g_autofree char *path = fixture_path (fixture, "workstation.key");
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = intake_workstation_key_dup_id_hex (key);
  GStatBuf st;

  g_assert_cmpuint (strlen (id), ==, 16);
  g_assert_true (intake_workstation_key_save (key, path, "intake workstation key for Anna", &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* Never overwritten. */
  g_assert_false (intake_workstation_key_save (key, path, "again", &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
  g_clear_error (&error);

  loaded = intake_workstation_key_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_workstation_key_get_id (loaded), 8, intake_workstation_key_get_id (key), 8);

  /* A flipped secret byte no longer matches the stored id: damaged, said so. */
  blob = read_blob_from_file (path);
  {
    g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
    g_autofree char *damaged = fixture_path (fixture, "damaged.key");

    g_assert_cmpuint (g_bytes_get_size (blob), ==, INTAKE_WORKSTATION_BLOB_BYTES);
    g_assert_cmpmem (data, 5, "IKWS\x01", 5);
    data[10] ^= 1;
    write_blob_file (damaged, data, g_bytes_get_size (blob));
    g_assert_null (intake_workstation_key_load (damaged, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "recovery sheet"));
  }
}

static void
test_recovery_code (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(IntakeWorkstationKey) key = intake_workstation_key_generate (NULL);
  g_autoptr(IntakeSecureStr) code = intake_workstation_key_dup_recovery_code (key);
  g_autoptr(GError) error = NULL;
  g_autofree char *lower = g_ascii_strdown (code, -1);
  g_autofree char *spaced = NULL;

  /* 14 groups of 4. */
  g_assert_cmpuint (strlen (code), ==, 56 + 13);
  for (guint i = 0; i < 14; i++)
    if (i < 13)
      g_assert_cmpint (code[i * 5 + 4], ==, '-');

  /* Typed in lower case, with spaces, O for 0 and l for 1: the same key. */
  spaced = g_strdelimit (g_strdup (lower), "-", ' ');
  for (char *p = spaced; *p != '\0'; p++)
    if (*p == '0')
      *p = 'o';
    else if (*p == '1')
      *p = 'l';
  {
    g_autoptr(IntakeWorkstationKey) back = intake_workstation_key_new_from_recovery_code (spaced, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (intake_workstation_key_get_id (back), 8, intake_workstation_key_get_id (key), 8);
  }

  /* One character mistyped: the check catches it (and it is said to be a typing error). */
  {
    g_autofree char *typo = g_strdup (code);

    typo[7] = typo[7] == 'Z' ? 'Y' : 'Z';
    g_assert_null (intake_workstation_key_new_from_recovery_code (typo, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "typing error"));
    g_clear_error (&error);
  }
  /* U is not in the alphabet; too short; too long. */
  {
    g_autofree char *bad = g_strdup (code);
    g_autofree char *longer = g_strconcat (code, "-A", NULL);

    bad[0] = 'U';
    g_assert_null (intake_workstation_key_new_from_recovery_code (bad, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
    g_clear_error (&error);
    g_assert_null (intake_workstation_key_new_from_recovery_code ("ABCD-EFGH", &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    g_clear_error (&error);
    g_assert_null (intake_workstation_key_new_from_recovery_code (longer, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  }
}

static void
test_server_derive (Fixture       *fixture,
                    gconstpointer  user_data)
{
  guint8 a[16], b[16], c[16], d[16];

  /* Deterministic per key, label and data; another key or label gives another value. */
  intake_device_key_derive (fixture->device, "fake-salt", (const guint8 *)"anna", 4, a, sizeof a);
  intake_device_key_derive (fixture->device, "fake-salt", (const guint8 *)"anna", 4, b, sizeof b);
  intake_device_key_derive (fixture->device, "fake-salt", (const guint8 *)"bram", 4, c, sizeof c);
  intake_device_key_derive (fixture->device, "challenge", (const guint8 *)"anna", 4, d, sizeof d);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_true (memcmp (a, c, sizeof a) != 0);
  g_assert_true (memcmp (a, d, sizeof a) != 0);
  {
    g_autoptr(IntakeDeviceKey) other = intake_device_key_generate (NULL);

    intake_device_key_derive (other, "fake-salt", (const guint8 *)"anna", 4, b, sizeof b);
    g_assert_true (memcmp (a, b, sizeof a) != 0);
  }
}

/* The vectors of tests/data/staff-auth-vectors.json, made by the independent
 * Python implementation (tests/verify-staff-auth-vectors.py). */
static guint8 *
vector_hex (JsonObject *object,
            const char *name,
            gsize       expected_len)
{
  const char *hex = json_object_get_string_member (object, name);
  guint8 *out;
  gsize len;

  g_assert_nonnull (hex);
  len = strlen (hex) / 2;
  g_assert_cmpuint (len, ==, expected_len);
  out = g_malloc (len);
  g_assert_cmpint (sodium_hex2bin (out, len, hex, strlen (hex), NULL, NULL, NULL), ==, 0);
  return out;
}

static void
test_staff_vectors (void)
{
  g_autofree char *path = intake_test_data_path ("staff-auth-vectors.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  JsonObject *root, *office_v;
  JsonArray *reviewers, *setups;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  office_v = json_object_get_object_member (root, "office");
  {
    g_autofree guint8 *box_sk = vector_hex (office_v, "box_sk", 32);
    g_autofree guint8 *sign_sk = vector_hex (office_v, "sign_sk", 64);
    g_autofree guint8 *public_blob = vector_hex (office_v, "public_blob", INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
    g_autoptr(GBytes) encoded = NULL;

    office = intake_office_secret_new_from_raw (box_sk, sign_sk, json_object_get_int_member (office_v, "created_at"),
                                                &error);
    g_assert_no_error (error);
    encoded = intake_office_public_to_bytes (intake_office_secret_get_public (office));
    g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), public_blob,
                     INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
  }

  reviewers = json_object_get_array_member (root, "reviewers");
  g_assert_cmpuint (json_array_get_length (reviewers), >=, 2);
  for (guint i = 0; i < json_array_get_length (reviewers); i++)
    {
      JsonObject *v = json_array_get_object_element (reviewers, i);
      const char *passphrase = json_object_get_string_member (v, "passphrase");
      const char *name = json_object_get_string_member (v, "name");
      g_autofree guint8 *w = vector_hex (v, "workstation_secret", 32);
      g_autofree guint8 *salt = vector_hex (v, "salt", 16);
      g_autofree guint8 *nonce = vector_hex (v, "nonce", 24);
      g_autofree guint8 *sign_sk = vector_hex (v, "reviewer_sign_sk", 64);
      g_autofree guint8 *auth_pk = vector_hex (v, "auth_pk", 32);
      g_autofree guint8 *workstation_id = vector_hex (v, "workstation_id", 8);
      g_autofree guint8 *workstation_blob = vector_hex (v, "workstation_blob", INTAKE_WORKSTATION_BLOB_BYTES);
      g_autofree guint8 *blob = vector_hex (v, "blob", INTAKE_REVIEWER_KEY2_BLOB_BYTES);
      g_autofree guint8 *challenge = vector_hex (v, "challenge", 56);
      g_autofree guint8 *signature = vector_hex (v, "unlock_signature", 64);
      g_autoptr(IntakeSecureBuffer) secret = intake_secure_buffer_new_copy (passphrase, strlen (passphrase));
      g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_new_from_secret (w, NULL);
      g_autoptr(IntakeSecureBuffer) encoded = intake_workstation_key_encode (workstation);
      g_autoptr(IntakeSecureStr) code = intake_workstation_key_dup_recovery_code (workstation);
      g_autoptr(IntakeCredentials) credentials = NULL;
      g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_new_from_raw (office, sign_sk, NULL);
      g_autoptr(IntakeReviewerKey) opened = NULL;
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GByteArray) message = g_byte_array_new ();
      g_autoptr(GBytes) message_bytes = NULL;
      guint8 our_signature[INTAKE_SIGNATURE_BYTES];

      g_test_message ("reviewer vector %s", name);
      g_assert_cmpmem (intake_workstation_key_get_id (workstation), 8, workstation_id, 8);
      g_assert_cmpmem (encoded->data, encoded->len, workstation_blob, INTAKE_WORKSTATION_BLOB_BYTES);
      g_assert_cmpstr (code, ==, json_object_get_string_member (v, "recovery_code"));

      credentials = intake_credentials_new_reviewer (secret, workstation, salt,
                                                     json_object_get_int_member (v, "opslimit"),
                                                     json_object_get_int_member (v, "memlimit"), &error);
      g_assert_no_error (error);
      g_assert_cmpmem (intake_credentials_get_auth_public (credentials), 32, auth_pk, 32);
      sealed = intake_reviewer_key_seal_with_nonce (key, credentials, nonce, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), blob,
                       INTAKE_REVIEWER_KEY2_BLOB_BYTES);
      opened = intake_reviewer_key_open (sealed, credentials, &error);
      g_assert_no_error (error);

      g_byte_array_append (message, challenge, 56);
      g_byte_array_append (message, (const guint8 *)name, strlen (name));
      message_bytes = g_bytes_new (message->data, message->len);
      intake_credentials_sign (credentials, "review-unlock", message_bytes, our_signature);
      g_assert_cmpmem (our_signature, 64, signature, 64);
    }

  setups = json_object_get_array_member (root, "setups");
  g_assert_cmpuint (json_array_get_length (setups), >=, 1);
  for (guint i = 0; i < json_array_get_length (setups); i++)
    {
      JsonObject *v = json_array_get_object_element (setups, i);
      const char *code = json_object_get_string_member (v, "code");
      const char *name = json_object_get_string_member (v, "name");
      g_autofree guint8 *salt = vector_hex (v, "salt", 16);
      g_autofree guint8 *nonce = vector_hex (v, "nonce", 24);
      g_autofree guint8 *auth_pk = vector_hex (v, "auth_pk", 32);
      g_autofree guint8 *blob = vector_hex (v, "blob", INTAKE_SETUP_BLOB_BYTES);
      g_autofree guint8 *challenge = vector_hex (v, "challenge", 56);
      g_autofree guint8 *signature = vector_hex (v, "activate_signature", 64);
      g_autoptr(IntakeCredentials) credentials = intake_credentials_new_setup (code, strlen (code), salt, NULL);
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GByteArray) message = g_byte_array_new ();
      g_autoptr(GBytes) message_bytes = NULL;
      guint8 our_signature[INTAKE_SIGNATURE_BYTES];

      g_assert_cmpmem (intake_credentials_get_auth_public (credentials), 32, auth_pk, 32);
      sealed = intake_office_secret_seal_setup_with_nonce (office, credentials, nonce, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), blob, INTAKE_SETUP_BLOB_BYTES);
      g_byte_array_append (message, challenge, 56);
      g_byte_array_append (message, (const guint8 *)name, strlen (name));
      message_bytes = g_bytes_new (message->data, message->len);
      intake_credentials_sign (credentials, "review-activate", message_bytes, our_signature);
      g_assert_cmpmem (our_signature, 64, signature, 64);
    }
}

/* Office key rotation (docs/keys.md, "Office key rotation") ------------- */

static void
test_rotation_statement (void)
{
  g_autoptr(IntakeOfficeSecret) one = NULL;
  g_autoptr(IntakeOfficeSecret) two = NULL;
  g_autoptr(IntakeOfficeSecret) three = NULL;
  g_autoptr(IntakeOfficeSecret) other = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) next = NULL;
  g_autoptr(GBytes) fork = NULL;
  g_autoptr(IntakeOfficeRotation) rotation = NULL;
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  g_assert_true (intake_office_generate (NULL, &one, &error));
  g_assert_true (intake_office_generate (NULL, &two, &error));
  g_assert_true (intake_office_generate (NULL, &three, &error));
  g_assert_true (intake_office_generate (NULL, &other, &error));
  blob = intake_office_rotation_sign (one, two, 1700000000);
  data = g_bytes_get_data (blob, &len);
  g_assert_cmpuint (len, ==, 439);
  g_assert_cmpmem (data, 4, "IKOR", 4);
  rotation = intake_office_rotation_new_from_bytes (blob, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rotation->created_at, ==, 1700000000);
  g_assert_cmpmem (rotation->old_key.key_id, 8, intake_office_secret_get_public (one)->key_id, 8);
  g_assert_cmpmem (rotation->new_key.key_id, 8, intake_office_secret_get_public (two)->key_id, 8);

  /* Every byte matters: each flipped bit is refused. */
  for (gsize i = 0; i < len; i++)
    {
      guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(IntakeOfficeRotation) none = NULL;

      copy[i] ^= 0x01;
      damaged = g_bytes_new_take (copy, len);
      none = intake_office_rotation_new_from_bytes (damaged, "damaged", &error);
      g_assert_null (none);
      g_assert_true (error->domain == INTAKE_CRYPTO_ERROR);
      g_clear_error (&error);
    }
  /* Truncated, longer, another kind. */
  {
    g_autoptr(GBytes) cut = g_bytes_new (data, len - 1);
    g_autoptr(GBytes) office = intake_office_public_to_bytes (intake_office_secret_get_public (one));

    g_assert_null (intake_office_rotation_new_from_bytes (cut, "cut", &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED);
    g_clear_error (&error);
    g_assert_null (intake_office_rotation_new_from_bytes (office, "office", &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
    g_clear_error (&error);
  }
  /* Signed by the old key only (the new one forged): refused. */
  {
    g_autoptr(GBytes) half = intake_office_rotation_sign (one, other, 1);
    guint8 *copy = g_memdup2 (g_bytes_get_data (half, NULL), len);
    g_autoptr(GBytes) swapped = NULL;
    g_autoptr(GBytes) new_blob = intake_office_public_to_bytes (intake_office_secret_get_public (two));

    /* Key two put in as the new key, with other's signature. */
    memcpy (copy + 5 + 149, g_bytes_get_data (new_blob, NULL), 149);
    swapped = g_bytes_new_take (copy, len);
    g_assert_null (intake_office_rotation_new_from_bytes (swapped, "swapped", &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
    g_clear_error (&error);
  }

  /* A chain one -> two -> three, given in any order. */
  next = intake_office_rotation_sign (two, three, 1700000100);
  g_ptr_array_add (rotations, intake_office_rotation_new_from_bytes (next, "next", &error));
  g_ptr_array_add (rotations, g_steal_pointer (&rotation));
  chain = intake_office_chain_follow (intake_office_secret_get_public (one), rotations, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chain->len, ==, 3);
  g_assert_cmpmem (((IntakeOfficePublic *)g_ptr_array_index (chain, 2))->key_id, 8,
                   intake_office_secret_get_public (three)->key_id, 8);
  g_clear_pointer (&chain, g_ptr_array_unref);
  /* From the middle: forwards to three, and backwards to one. */
  chain = intake_office_chain_follow (intake_office_secret_get_public (two), rotations, &error);
  g_assert_cmpuint (chain->len, ==, 2);
  g_clear_pointer (&chain, g_ptr_array_unref);
  chain = intake_office_chain_related (intake_office_secret_get_public (two), rotations, &error);
  g_assert_cmpuint (chain->len, ==, 3);
  g_clear_pointer (&chain, g_ptr_array_unref);
  /* An unrelated key reaches nothing. */
  chain = intake_office_chain_related (intake_office_secret_get_public (other), rotations, &error);
  g_assert_cmpuint (chain->len, ==, 1);
  g_clear_pointer (&chain, g_ptr_array_unref);
  /* Two different successors of key two: refused. */
  fork = intake_office_rotation_sign (two, other, 1700000200);
  g_ptr_array_add (rotations, intake_office_rotation_new_from_bytes (fork, "fork", &error));
  g_assert_null (intake_office_chain_follow (intake_office_secret_get_public (one), rotations, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_office_key_seals (void)
{
  g_autoptr(IntakeOfficeSecret) one = NULL;
  g_autoptr(IntakeOfficeSecret) two = NULL;
  g_autoptr(IntakeOfficeSecret) rogue = NULL;
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(IntakeReviewerKey) bert = NULL;
  g_autoptr(GBytes) history = NULL;
  g_autoptr(GBytes) grant = NULL;
  g_autoptr(GBytes) slipped = NULL;
  g_autoptr(IntakeOfficeSecret) opened = NULL;
  g_autoptr(IntakeOfficeKeyring) ring = NULL;
  g_autoptr(GPtrArray) seals = g_ptr_array_new ();
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  IntakeReviewerPublic anna_public;
  IntakeOfficeSealInfo info;

  g_assert_true (intake_office_generate (NULL, &one, &error));
  g_assert_true (intake_office_generate (NULL, &two, &error));
  g_assert_true (intake_office_generate (NULL, &rogue, &error));
  anna = intake_reviewer_key_generate (one, &error);
  bert = intake_reviewer_key_generate (one, &error);
  intake_reviewer_key_get_public (anna, &anna_public);

  /* Key one sealed to key two: opens with two only. */
  history = intake_office_key_seal_to_office (one, intake_office_secret_get_public (two), &error);
  g_assert_cmpuint (g_bytes_get_size (history), ==, 323);
  g_assert_true (intake_office_key_seal_peek (history, &info, &error));
  g_assert_cmpint (info.recipient, ==, INTAKE_OFFICE_SEAL_TO_OFFICE);
  g_assert_cmpmem (info.key_id, 8, intake_office_secret_get_public (one)->key_id, 8);
  opened = intake_office_key_seal_open_with_office (history, two, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_office_secret_get_box_sk (opened), 32, intake_office_secret_get_box_sk (one), 32);
  g_clear_pointer (&opened, intake_office_secret_free);
  g_assert_null (intake_office_key_seal_open_with_office (history, rogue, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT);
  g_clear_error (&error);

  /* Key two sealed to Anna: she opens it, Bert does not. */
  {
    IntakeReviewerPublic pub;

    intake_reviewer_key_get_public (anna, &pub);
    grant = intake_office_key_seal_to_reviewer (two, pub.sign_pk, &error);
  }
  g_assert_true (intake_office_key_seal_peek (grant, &info, &error));
  g_assert_cmpint (info.recipient, ==, INTAKE_OFFICE_SEAL_TO_REVIEWER);
  g_assert_cmpmem (info.recipient_id, 16, anna_public.reviewer_id, 16);
  opened = intake_office_key_seal_open_with_reviewer (grant, anna, &error);
  g_assert_no_error (error);
  g_clear_pointer (&opened, intake_office_secret_free);
  g_assert_null (intake_office_key_seal_open_with_reviewer (grant, bert, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT);
  g_clear_error (&error);

  /* A flipped bit in the sealed part: refused. */
  {
    gsize len;
    guint8 *copy = g_memdup2 (g_bytes_get_data (grant, &len), g_bytes_get_size (grant));
    g_autoptr(GBytes) damaged = NULL;

    copy[len - 1] ^= 1;
    damaged = g_bytes_new_take (copy, len);
    g_assert_null (intake_office_key_seal_open_with_reviewer (damaged, anna, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_DECRYPT);
    g_clear_error (&error);
  }

  /* Anna's keyring: key one from her key, key two from the grant; a key
   * sealed to her that the statements do not lead to (a server's own) is
   * not taken. */
  slipped = intake_office_key_seal_to_reviewer (rogue, anna_public.sign_pk, &error);
  g_ptr_array_add (seals, slipped);
  g_ptr_array_add (seals, grant);
  g_ptr_array_add (seals, history);
  g_ptr_array_add (trusted, (gpointer)intake_office_secret_get_public (one));
  g_ptr_array_add (trusted, (gpointer)intake_office_secret_get_public (two));
  ring = intake_office_keyring_new (intake_reviewer_key_get_office (anna));
  g_assert_cmpuint (intake_office_keyring_absorb (ring, anna, seals, trusted), ==, 1);
  g_assert_nonnull (intake_office_keyring_lookup (ring, intake_office_secret_get_public (two)->key_id));
  g_assert_null (intake_office_keyring_lookup (ring, intake_office_secret_get_public (rogue)->key_id));
  g_clear_pointer (&ring, intake_office_keyring_free);

  /* A reviewer who holds only key two reaches key one through the history
   * seal. */
  {
    g_autoptr(IntakeReviewerKey) carla = intake_reviewer_key_generate (two, &error);

    ring = intake_office_keyring_new (intake_reviewer_key_get_office (carla));
    g_assert_cmpuint (intake_office_keyring_absorb (ring, carla, seals, trusted), ==, 1);
    g_assert_nonnull (intake_office_keyring_lookup (ring, intake_office_secret_get_public (one)->key_id));
  }
}

static void
test_server_key_rollover (void)
{
  g_autoptr(IntakeDeviceKey) one = intake_device_key_generate (NULL);
  g_autoptr(IntakeDeviceKey) two = intake_device_key_generate (NULL);
  g_autoptr(IntakeDeviceKey) three = intake_device_key_generate (NULL);
  g_autoptr(GBytes) blob = intake_server_key_rotation_sign (one, two, 1700000000);
  g_autoptr(GBytes) next = intake_server_key_rotation_sign (two, three, 1700000001);
  g_autoptr(GBytes) fork = intake_server_key_rotation_sign (two, one, 1700000002);
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_server_key_rotation_free);
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic p1, p3;
  guint8 newest[INTAKE_SIGN_PUBLIC_BYTES];
  const guint8 *data;
  gsize len;

  intake_device_key_get_public (one, &p1);
  intake_device_key_get_public (three, &p3);
  data = g_bytes_get_data (blob, &len);
  g_assert_cmpuint (len, ==, 205);
  g_assert_cmpmem (data, 4, "IKSR", 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(IntakeServerKeyRotation) none = NULL;

      copy[i] ^= 0x01;
      damaged = g_bytes_new_take (copy, len);
      none = intake_server_key_rotation_new_from_bytes (damaged, "damaged", &error);
      g_assert_null (none);
      g_assert_true (error->domain == INTAKE_CRYPTO_ERROR);
      g_clear_error (&error);
    }
  g_ptr_array_add (rotations, intake_server_key_rotation_new_from_bytes (next, "next", &error));
  g_ptr_array_add (rotations, intake_server_key_rotation_new_from_bytes (blob, "blob", &error));
  g_assert_no_error (error);
  g_assert_true (intake_server_key_chain_follow (p1.sign_pk, rotations, newest, &error));
  g_assert_cmpmem (newest, 32, p3.sign_pk, 32);
  /* A key no statement starts from stays as it is. */
  g_assert_true (intake_server_key_chain_follow (p3.sign_pk, rotations, newest, &error));
  g_assert_cmpmem (newest, 32, p3.sign_pk, 32);
  /* Two successors of one key: refused. */
  g_ptr_array_add (rotations, intake_server_key_rotation_new_from_bytes (fork, "fork", &error));
  g_assert_no_error (error);
  g_assert_false (intake_server_key_chain_follow (p1.sign_pk, rotations, newest, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/crypto/keys/office/generate", test_office_generate);
  ADD ("/crypto/keys/office/fingerprint", test_office_fingerprint);
  g_test_add_func ("/crypto/keys/office/fingerprint-documented", test_office_fingerprint_documented);
  ADD ("/crypto/keys/office/public-bytes-round-trip", test_office_public_bytes_round_trip);
  ADD ("/crypto/keys/office/save-load-round-trip", test_office_save_load_round_trip);
  ADD ("/crypto/keys/office/wrap-unwrap", test_office_wrap_unwrap);
  ADD ("/crypto/keys/office/wrong-passphrase", test_office_wrong_passphrase);
  ADD ("/crypto/keys/office/wrong-passphrase-file", test_office_wrong_passphrase_file);
  ADD ("/crypto/keys/office/weak-passphrase", test_office_weak_passphrase);
  ADD ("/crypto/keys/office/hostile-kdf-limits", test_office_hostile_kdf_limits);
  ADD ("/crypto/keys/office/unknown-kdf", test_office_unknown_kdf);
  ADD ("/crypto/keys/office/secret-tampered", test_office_secret_tampered);
  ADD ("/crypto/keys/office/secret-by-hand", test_office_secret_by_hand);
  ADD ("/crypto/keys/office/public-tampered/every-byte", test_office_public_tampered_every_byte);
  ADD ("/crypto/keys/office/public-tampered/file", test_office_public_tampered_file);
  ADD ("/crypto/keys/office/public-key-id-mismatch", test_office_public_key_id_mismatch);
  ADD ("/crypto/keys/file/truncated/every-length", test_truncated_every_length);
  ADD ("/crypto/keys/file/truncated/bytes-api", test_truncated_bytes);
  ADD ("/crypto/keys/file/truncated/cut-base64-line", test_cut_base64_line);
  ADD ("/crypto/keys/file/extra-bytes", test_extra_bytes);
  ADD ("/crypto/keys/file/extra-line", test_extra_line);
  ADD ("/crypto/keys/file/crlf", test_crlf_file);
  ADD ("/crypto/keys/file/not-a-key-file", test_not_a_key_file);
  ADD ("/crypto/keys/file/bad-base64", test_bad_base64);
  ADD ("/crypto/keys/file/bad-magic", test_bad_magic);
  ADD ("/crypto/keys/file/wrong-kind", test_wrong_kind);
  ADD ("/crypto/keys/file/wrong-kind-bytes", test_wrong_kind_bytes);
  ADD ("/crypto/keys/file/unknown-version", test_unknown_version);
  ADD ("/crypto/keys/file/missing", test_missing_file);
  ADD ("/crypto/keys/file/refuse-overwrite", test_refuse_overwrite);
  ADD ("/crypto/keys/file/refuse-overwrite-second-save", test_refuse_overwrite_second_save);
  ADD ("/crypto/keys/file/missing-directory", test_save_into_missing_dir);
  ADD ("/crypto/keys/device/save-load-round-trip", test_device_save_load_round_trip);
  ADD ("/crypto/keys/device/secret-inconsistent", test_device_secret_inconsistent);
  ADD ("/crypto/keys/device/public-id-mismatch", test_device_public_id_mismatch);
  ADD ("/crypto/keys/sign/context", test_sign_context);
  ADD ("/crypto/keys/sign/context-format", test_sign_context_format);
  ADD ("/crypto/keys/sign/context-boundary", test_sign_context_boundary);
  ADD ("/crypto/keys/reviewer/format1-recognized", test_reviewer_format1_recognized);
  ADD ("/crypto/keys/reviewer/wrong-kind", test_reviewer_wrong_kind);
  ADD ("/crypto/keys/reviewer2/round-trip", test_reviewer2_round_trip);
  ADD ("/crypto/keys/reviewer2/needs-both-secrets", test_reviewer2_needs_both_secrets);
  ADD ("/crypto/keys/reviewer2/limits", test_reviewer2_limits);
  ADD ("/crypto/keys/setup/round-trip", test_setup_round_trip);
  ADD ("/crypto/keys/workstation/file", test_workstation_key_file);
  ADD ("/crypto/keys/workstation/recovery-code", test_recovery_code);
  ADD ("/crypto/keys/server/derive", test_server_derive);
  g_test_add_func ("/crypto/keys/staff-vectors", test_staff_vectors);
  g_test_add_func ("/crypto/keys/office-rotation/statement", test_rotation_statement);
  g_test_add_func ("/crypto/keys/office-rotation/seals", test_office_key_seals);
  g_test_add_func ("/crypto/keys/server-key-rollover", test_server_key_rollover);

#undef ADD

  return g_test_run ();
}

/* fuzz-keys.c: key files and key blobs (crypto/intake-keys.c, docs/keys.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is read twice: as a key file (office.pub, office.secret,
 * device.secret, device.pub) and as a bare blob (the office public blob a
 * server sends at enrollment, a wrapped office secret, the reviewer key
 * blob the server serves at unlock). The seeds are wrapped with the
 * passphrase FUZZ_PASSPHRASE and the cheapest Argon2id limits, so that
 * unwrapping succeeds on them and the checks after it are reached.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-crypto-error.h"
#include "intake-keys-private.h"

/* docs/keys.md: kdf at 5, opslimit at 6, memlimit at 14 (IKOS and IKRK). */
#define KDF_OPSLIMIT_AT 6
#define KDF_MEMLIMIT_AT 14
/* A run may spend this much on one key derivation; the seeds use 1 and 8 KiB. */
#define CHEAP_OPSLIMIT  2
#define CHEAP_MEMLIMIT  (1024 * 1024)

static IntakeSecureBuffer *passphrase;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  passphrase = intake_secure_buffer_new_copy (FUZZ_PASSPHRASE, strlen (FUZZ_PASSPHRASE));
  return 0;
}

/* Whether unwrapping @blob would derive a key at a cost a fuzzing run can
 * pay for every input. Limits outside the accepted range cost nothing
 * (they are refused before any derivation) and stay in. */
static gboolean
cheap_to_unwrap (const guint8 *blob,
                 gsize         len)
{
  guint64 opslimit, memlimit;

  if (len < KDF_MEMLIMIT_AT + 8)
    return TRUE;
  opslimit = intake_get_u64_le (blob + KDF_OPSLIMIT_AT);
  memlimit = intake_get_u64_le (blob + KDF_MEMLIMIT_AT);
  if (opslimit < 1 || opslimit > INTAKE_KDF_OPSLIMIT_MAX || memlimit < 8192 || memlimit > INTAKE_KDF_MEMLIMIT_MAX)
    return TRUE;
  return opslimit <= CHEAP_OPSLIMIT && memlimit <= CHEAP_MEMLIMIT;
}

/* The blob in the key line of a key file, decoded leniently: what the
 * strict reader accepts decodes the same. */
static guint8 *
key_line_blob (const uint8_t *data,
               size_t         size,
               gsize         *out_len)
{
  const char *text = (const char *) data;
  const char *first = memchr (text, '\n', size);
  g_autofree char *line = NULL;
  const char *end;

  *out_len = 0;
  if (first == NULL)
    return NULL;
  first++;
  end = memchr (first, '\n', size - (first - text));
  line = g_strndup (first, end != NULL ? (gsize) (end - first) : size - (first - text));
  return g_base64_decode (line, out_len);
}

static void
expect_crypto_error (GError *error)
{
  g_assert (error != NULL && error->domain == INTAKE_CRYPTO_ERROR);
}

static void
as_key_file (const uint8_t *data,
             size_t         size)
{
  g_autofree char *path = fuzz_write_file ("key", data, size);
  g_autofree guint8 *blob = NULL;
  gsize blob_len = 0;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeOfficePublic) office = intake_office_public_load (path, &error);

    if (office != NULL)
      {
        g_autofree char *id = intake_office_public_dup_key_id_hex (office);
        g_autofree char *fingerprint = intake_office_public_dup_fingerprint (office);

        g_assert (strlen (id) == 16 && strlen (fingerprint) == 39);
      }
    else
      expect_crypto_error (error);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeDeviceKey) device = intake_device_key_load (path, &error);

    if (device == NULL)
      expect_crypto_error (error);
  }
  {
    g_autoptr(GError) error = NULL;
    IntakeDevicePublic device;

    if (!intake_device_public_load (path, &device, &error))
      expect_crypto_error (error);
  }

  blob = key_line_blob (data, size, &blob_len);
  if (cheap_to_unwrap (blob, blob_len))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeOfficeSecret) office = intake_office_secret_load (path, passphrase, &error);

      if (office == NULL)
        expect_crypto_error (error);
    }
}

static void
as_blob (const uint8_t *data,
         size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeOfficePublic) office = intake_office_public_new_from_bytes (bytes, &error);

    if (office != NULL)
      {
        g_autoptr(GBytes) again = intake_office_public_to_bytes (office);

        g_assert (g_bytes_equal (again, bytes));
      }
    else
      expect_crypto_error (error);
  }
  {
    g_autoptr(GError) error = NULL;
    IntakeReviewerBlobInfo info;

    /* A reviewer key blob: its clear fields, then (format 2, cheap limits)
     * an open with credentials made from those fields, a fixed passphrase
     * and the fuzzers' workstation key, as a review client would. */
    if (!intake_reviewer_key_blob_peek (bytes, &info, &error))
      expect_crypto_error (error);
    else if (info.version == 2 && info.opslimit <= CHEAP_OPSLIMIT && info.memlimit <= CHEAP_MEMLIMIT)
      {
        g_autoptr(IntakeCredentials) credentials = NULL;
        g_autoptr(IntakeReviewerKey) reviewer = NULL;

        if (!(credentials = intake_credentials_new_reviewer (passphrase, fuzz_workstation_key (), info.salt,
                                                             info.opslimit, info.memlimit, &error)))
          expect_crypto_error (error);
        else if (!(reviewer = intake_reviewer_key_open (bytes, credentials, &error)))
          expect_crypto_error (error);
      }
  }
  if (cheap_to_unwrap (data, size))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeOfficeSecret) office = intake_office_secret_unwrap (bytes, passphrase, &error);

      if (office == NULL)
        expect_crypto_error (error);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  as_key_file (data, size);
  as_blob (data, size);
  return 0;
}

/* fuzz-envelope.c: the envelope reader (crypto/intake-envelope.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is an envelope: its header is parsed, it is verified and
 * opened with the fuzzing office key (the seeds are sealed to it, so the
 * decryption and unpadding steps are reached). The same bytes are also
 * sealed as a plaintext and must open to themselves.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_header (const IntakeEnvelopeHeader *header)
{
  gsize n = strlen (header->questionnaire_id);

  g_assert (header->version == INTAKE_ENVELOPE_VERSION);
  g_assert (n >= 1 && n <= INTAKE_QUESTIONNAIRE_ID_MAX);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) envelope = g_bytes_new (data, size);
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GError) error = NULL;
  IntakeEnvelopeHeader header;
  gboolean parsed;

  parsed = intake_envelope_parse_header (envelope, &header, &error);
  g_assert (parsed == (error == NULL));
  if (parsed)
    check_header (&header);
  else
    g_assert (error->domain == INTAKE_CRYPTO_ERROR);
  g_clear_error (&error);

  if (intake_envelope_verify (envelope, &header, &error))
    {
      g_assert (parsed);
      check_header (&header);
    }
  g_clear_error (&error);

  if ((plaintext = intake_envelope_open (envelope, fuzz_office_secret (), &header, &error)))
    g_assert (parsed && plaintext->len <= INTAKE_ENVELOPE_MAX_PLAINTEXT);
  else
    g_assert (error != NULL && error->domain == INTAKE_CRYPTO_ERROR);
  g_clear_error (&error);

  /* The input as a plaintext: sealed, it opens to the same bytes. */
  if (size <= INTAKE_ENVELOPE_MAX_PLAINTEXT)
    {
      IntakeEnvelopeInfo info = { .created_at = 1795343467, .questionnaire_id = "fuzz", .questionnaire_version = 1 };
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(IntakeSecureBuffer) opened = NULL;

      memset (info.submission_id, 0x5a, sizeof info.submission_id);
      sealed = intake_envelope_seal (fuzz_office_public (), fuzz_device_key (), &info, data, size, &error);
      g_assert_no_error (error);
      opened = intake_envelope_open (sealed, fuzz_office_secret (), &header, &error);
      g_assert_no_error (error);
      g_assert (opened->len == size && (size == 0 || memcmp (opened->data, data, size) == 0));
    }
  return 0;
}

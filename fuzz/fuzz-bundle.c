/* fuzz-bundle.c: offline bundles (app/core/intake-bundle.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is parsed as a bundle as it is, and once more signed with the
 * fuzzing device key (its device fields and signature replaced), so that
 * the count and length fields behind the signature check are reached too.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-bundle.h"
#include "intake-keys-private.h"
#include "intake-protocol.h"

/* magic (4), version (1), device id (16), key (32); docs/protocol.md. */
#define DEVICE_ID_AT   5
#define SIGN_PK_AT     21
#define HEADER_BYTES   53

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_envelopes (GPtrArray *envelopes,
                 GError    *error)
{
  if (envelopes == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_PROTOCOL_ERROR);
      return;
    }
  g_assert (envelopes->len <= INTAKE_BUNDLE_MAX_ENVELOPES);
  for (guint i = 0; i < envelopes->len; i++)
    g_assert (g_bytes_get_size (g_ptr_array_index (envelopes, i)) <= INTAKE_BUNDLE_MAX_ENVELOPE);
}

/* In memory (intake_bundle_parse) and as a stream within a limit
 * (intake_bundle_read, what intake-admin import-bundle uses), once with
 * room to spare and once with a limit the input may exceed: both readers
 * must agree on what is a bundle. */
static void
parse (GBytes *bundle)
{
  gsize size = g_bytes_get_size (bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  IntakeDevicePublic device;
  gint64 created_at = 0;

  parsed = intake_bundle_parse (bundle, &device, &created_at, &error);
  check_envelopes (parsed, error);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bundle);
      g_autoptr(GError) read_error = NULL;
      guint64 max_size = i == 0 ? INTAKE_BUNDLE_DEFAULT_MAX_SIZE : size / 2 + 64;
      g_autoptr(GPtrArray) read = intake_bundle_read (stream, max_size, &device, &created_at, NULL, &read_error);

      check_envelopes (read, read_error);
      if (i == 0)
        g_assert ((read != NULL) == (parsed != NULL) && (read == NULL || read->len == parsed->len));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bundle = g_bytes_new (data, size);

  parse (bundle);

  if (size >= HEADER_BYTES + INTAKE_SIGNATURE_BYTES)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GBytes) resigned = NULL;
      IntakeDevicePublic device;
      gsize body_len = size - INTAKE_SIGNATURE_BYTES;

      intake_device_key_get_public (fuzz_device_key (), &device);
      memcpy (copy + DEVICE_ID_AT, device.device_id, sizeof device.device_id);
      memcpy (copy + SIGN_PK_AT, device.sign_pk, sizeof device.sign_pk);
      body = g_bytes_new_static (copy, body_len);
      intake_device_key_sign (fuzz_device_key (), "bundle", body, copy + body_len);
      resigned = g_bytes_new (copy, size);
      parse (resigned);
    }
  return 0;
}

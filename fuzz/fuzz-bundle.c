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
parse (GBytes *bundle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  IntakeDevicePublic device;
  gint64 created_at = 0;

  envelopes = intake_bundle_parse (bundle, &device, &created_at, &error);
  if (envelopes == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_PROTOCOL_ERROR);
      return;
    }
  g_assert (envelopes->len <= INTAKE_BUNDLE_MAX_ENVELOPES);
  for (guint i = 0; i < envelopes->len; i++)
    g_assert (g_bytes_get_size (g_ptr_array_index (envelopes, i)) <= INTAKE_BUNDLE_MAX_ENVELOPE);
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

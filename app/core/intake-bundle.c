/* intake-bundle.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-bundle.h"
#include "intake-protocol.h"

#define MAGIC          "IKBU"
#define VERSION        1
#define HEADER_BYTES   (4 + 1 + INTAKE_DEVICE_ID_BYTES + INTAKE_SIGN_PUBLIC_BYTES + 8 + 4)

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 le[4] = { value, value >> 8, value >> 16, value >> 24 };

  g_byte_array_append (out, le, 4);
}

static void
put_u64 (GByteArray *out,
         guint64     value)
{
  for (guint i = 0; i < 8; i++)
    {
      guint8 byte = (value >> (8 * i)) & 0xff;

      g_byte_array_append (out, &byte, 1);
    }
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 value = 0;

  for (int i = 7; i >= 0; i--)
    value = (value << 8) | p[i];
  return value;
}

GBytes *
intake_bundle_build (const IntakeDeviceKey *device,
                     gint64                 created_at,
                     GPtrArray             *envelopes)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) signed_part = NULL;
  IntakeDevicePublic device_public;
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (envelopes != NULL, NULL);
  g_return_val_if_fail (envelopes->len <= INTAKE_BUNDLE_MAX_ENVELOPES, NULL);

  intake_device_key_get_public (device, &device_public);
  g_byte_array_append (out, (const guint8 *)MAGIC, 4);
  g_byte_array_append (out, (const guint8[]){ VERSION }, 1);
  g_byte_array_append (out, device_public.device_id, sizeof device_public.device_id);
  g_byte_array_append (out, device_public.sign_pk, sizeof device_public.sign_pk);
  put_u64 (out, (guint64)created_at);
  put_u32 (out, envelopes->len);

  for (guint i = 0; i < envelopes->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (envelopes, i), &len);

      g_return_val_if_fail (len <= INTAKE_BUNDLE_MAX_ENVELOPE, NULL);
      put_u32 (out, (guint32)len);
      g_byte_array_append (out, data, len);
    }

  signed_part = g_bytes_new (out->data, out->len);
  intake_device_key_sign (device, "bundle", signed_part, signature);
  g_byte_array_append (out, signature, sizeof signature);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gpointer
fail (GError              **error,
      IntakeProtocolError   code,
      const char           *message)
{
  g_set_error (error, INTAKE_PROTOCOL_ERROR, code, "the bundle %s", message);
  return NULL;
}

GPtrArray *
intake_bundle_parse (GBytes              *bundle,
                     IntakeDevicePublic  *out_device,
                     gint64              *out_created_at,
                     GError             **error)
{
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GBytes) signed_part = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic device = { 0 };
  guint8 expected_id[INTAKE_DEVICE_ID_BYTES];
  const guint8 *data, *p, *end;
  gsize len;
  guint32 count;

  g_return_val_if_fail (bundle != NULL, NULL);

  data = g_bytes_get_data (bundle, &len);
  if (len < 4)
    return fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "is empty or cut short");
  if (memcmp (data, MAGIC, 4) != 0)
    return fail (error, INTAKE_PROTOCOL_ERROR_MALFORMED, "is not an intake bundle (wrong magic)");
  if (len < 5)
    return fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "is cut short");
  if (data[4] != VERSION)
    return fail (error, INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION, "has a format version this program does not know");
  if (len < HEADER_BYTES + INTAKE_SIGNATURE_BYTES)
    return fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "is cut short");

  memcpy (device.device_id, data + 5, INTAKE_DEVICE_ID_BYTES);
  memcpy (device.sign_pk, data + 5 + INTAKE_DEVICE_ID_BYTES, INTAKE_SIGN_PUBLIC_BYTES);

  /* Check the signature over everything before it first: nothing of an
   * unsigned file is interpreted further. */
  signed_part = g_bytes_new_from_bytes (bundle, 0, len - INTAKE_SIGNATURE_BYTES);
  if (!intake_device_public_verify (&device, "bundle", signed_part,
                                    data + len - INTAKE_SIGNATURE_BYTES, &local_error))
    return fail (error, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE, "signature does not verify (altered or damaged file)");

  intake_device_id_from_public_key (device.sign_pk, expected_id);
  if (memcmp (expected_id, device.device_id, sizeof expected_id) != 0)
    return fail (error, INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH, "names a device id that does not belong to its key");

  count = get_u32 (data + HEADER_BYTES - 4);
  if (count > INTAKE_BUNDLE_MAX_ENVELOPES)
    return fail (error, INTAKE_PROTOCOL_ERROR_TOO_LARGE, "holds more envelopes than allowed");

  p = data + HEADER_BYTES;
  end = data + len - INTAKE_SIGNATURE_BYTES;
  for (guint32 i = 0; i < count; i++)
    {
      guint32 envelope_len;

      if (end - p < 4)
        return fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "ends inside an envelope length");
      envelope_len = get_u32 (p);
      p += 4;
      if (envelope_len > INTAKE_BUNDLE_MAX_ENVELOPE)
        return fail (error, INTAKE_PROTOCOL_ERROR_TOO_LARGE, "holds an envelope larger than allowed");
      if ((gsize)(end - p) < envelope_len)
        return fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "ends inside an envelope");
      g_ptr_array_add (envelopes, g_bytes_new_from_bytes (bundle, p - data, envelope_len));
      p += envelope_len;
    }
  if (p != end)
    return fail (error, INTAKE_PROTOCOL_ERROR_MALFORMED, "has bytes after its last envelope");

  if (out_device != NULL)
    *out_device = device;
  if (out_created_at != NULL)
    *out_created_at = (gint64)get_u64 (data + 5 + INTAKE_DEVICE_ID_BYTES + INTAKE_SIGN_PUBLIC_BYTES);

  return g_steal_pointer (&envelopes);
}

/* Reads exactly @len more bytes into @buffer, within @max_size. */
static gboolean
read_more (GInputStream  *stream,
           GByteArray    *buffer,
           gsize          len,
           guint64        max_size,
           GCancellable  *cancellable,
           GError       **error)
{
  gsize old = buffer->len, got = 0;

  if ((guint64)old + len > max_size)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE,
                   "the bundle is larger than the limit of %" G_GUINT64_FORMAT " MiB; it was not read further",
                   max_size / (1024 * 1024));
      return FALSE;
    }
  g_byte_array_set_size (buffer, old + len);
  if (!g_input_stream_read_all (stream, buffer->data + old, len, &got, cancellable, error))
    return FALSE;
  if (got != len)
    {
      g_byte_array_set_size (buffer, old + got);
      fail (error, INTAKE_PROTOCOL_ERROR_TRUNCATED, "is cut short");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
intake_bundle_read (GInputStream        *stream,
                    guint64              max_size,
                    IntakeDevicePublic  *out_device,
                    gint64              *out_created_at,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(GBytes) bundle = NULL;
  guint8 extra;
  gsize got = 0;
  guint32 count;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  /* The header first: a file that is no bundle is not read on. */
  if (!read_more (stream, buffer, 5, max_size, cancellable, error))
    return NULL;
  if (memcmp (buffer->data, MAGIC, 4) != 0)
    return fail (error, INTAKE_PROTOCOL_ERROR_MALFORMED, "is not an intake bundle (wrong magic)");
  if (buffer->data[4] != VERSION)
    return fail (error, INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION, "has a format version this program does not know");
  if (!read_more (stream, buffer, HEADER_BYTES - 5, max_size, cancellable, error))
    return NULL;
  count = get_u32 (buffer->data + HEADER_BYTES - 4);
  if (count > INTAKE_BUNDLE_MAX_ENVELOPES)
    return fail (error, INTAKE_PROTOCOL_ERROR_TOO_LARGE, "holds more envelopes than allowed");

  for (guint32 i = 0; i < count; i++)
    {
      guint32 len;

      if (!read_more (stream, buffer, 4, max_size, cancellable, error))
        return NULL;
      len = get_u32 (buffer->data + buffer->len - 4);
      if (len > INTAKE_BUNDLE_MAX_ENVELOPE)
        return fail (error, INTAKE_PROTOCOL_ERROR_TOO_LARGE, "holds an envelope larger than allowed");
      if (!read_more (stream, buffer, len, max_size, cancellable, error))
        return NULL;
    }
  if (!read_more (stream, buffer, INTAKE_SIGNATURE_BYTES, max_size, cancellable, error))
    return NULL;
  if (!g_input_stream_read_all (stream, &extra, 1, &got, cancellable, error))
    return NULL;
  if (got != 0)
    return fail (error, INTAKE_PROTOCOL_ERROR_MALFORMED, "has bytes after its last envelope");

  /* All of it is here now, within the limit: check it as a whole. */
  bundle = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  return intake_bundle_parse (bundle, out_device, out_created_at, error);
}

GPtrArray *
intake_bundle_load (const char          *path,
                    guint64              max_size,
                    IntakeDevicePublic  *out_device,
                    gint64              *out_created_at,
                    GError             **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  if (!(stream = g_file_read (file, NULL, error)) ||
      !(info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error)))
    return NULL;
  if (g_file_info_get_size (info) < 0 || (guint64)g_file_info_get_size (info) > max_size)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE,
                   "the bundle is %" G_GINT64_FORMAT " MiB, larger than the limit of %" G_GUINT64_FORMAT
                   " MiB; it was not read", g_file_info_get_size (info) / (1024 * 1024), max_size / (1024 * 1024));
      return NULL;
    }
  return intake_bundle_read (G_INPUT_STREAM (stream), max_size, out_device, out_created_at, NULL, error);
}

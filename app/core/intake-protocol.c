/* intake-protocol.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#include "intake-canonical-json.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-protocol.h"

G_DEFINE_QUARK (intake-protocol-error-quark, intake_protocol_error)

char *
intake_sha256_hex (GBytes *bytes)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  unsigned int digest_len = 0;
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  /* Every envelope and request body is hashed here, on the server's upload
   * path too: OpenSSL's SHA-256 uses the CPU's SHA extensions (3-4 times
   * libsodium's portable code). It fails only without memory. */
  if (EVP_Digest (data != NULL ? data : (const guint8 *)"", len, digest, &digest_len, EVP_sha256 (), NULL) != 1 ||
      digest_len != sizeof digest)
    g_error ("SHA-256 failed (out of memory?)");
  return intake_hex_encode (digest, sizeof digest);
}

void
intake_request_auth_clear (IntakeRequestAuth *auth)
{
  g_clear_pointer (&auth->signature, g_free);
}

char *
intake_protocol_request_string (const char *method,
                                const char *path,
                                const char *timestamp,
                                const char *nonce,
                                GBytes     *body)
{
  g_autofree char *body_hash = intake_sha256_hex (body);

  return g_strdup_printf ("%s\n%s\n%s\n%s\n%s", method, path, timestamp, nonce, body_hash);
}

void
intake_protocol_sign_request_with (const IntakeDeviceKey *signing_key,
                                   const char            *signer_id,
                                   const char            *context,
                                   const char            *method,
                                   const char            *path,
                                   GBytes                *body,
                                   gint64                 now,
                                   IntakeRequestAuth     *out_auth)
{
  g_autofree char *nonce = NULL;
  g_autoptr(GBytes) message = NULL;
  guint8 nonce_bytes[16];
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  g_return_if_fail (signing_key != NULL);
  g_return_if_fail (signer_id != NULL && context != NULL);
  g_return_if_fail (out_auth != NULL);

  memset (out_auth, 0, sizeof *out_auth);
  g_strlcpy (out_auth->device_id, signer_id, sizeof out_auth->device_id);
  g_snprintf (out_auth->timestamp, sizeof out_auth->timestamp, "%" G_GINT64_FORMAT, now);
  randombytes_buf (nonce_bytes, sizeof nonce_bytes);
  nonce = intake_hex_encode (nonce_bytes, sizeof nonce_bytes);
  g_strlcpy (out_auth->nonce, nonce, sizeof out_auth->nonce);

  message = intake_protocol_request_message (method, path, out_auth->timestamp, out_auth->nonce, body);
  intake_device_key_sign (signing_key, context, message, signature);
  out_auth->signature = g_base64_encode (signature, sizeof signature);
}

void
intake_protocol_sign_request (const IntakeDeviceKey *device,
                              const char            *method,
                              const char            *path,
                              GBytes                *body,
                              gint64                 now,
                              IntakeRequestAuth     *out_auth)
{
  g_autofree char *device_id = NULL;

  g_return_if_fail (device != NULL);

  device_id = intake_device_key_dup_id_hex (device);
  intake_protocol_sign_request_with (device, device_id, INTAKE_PROTOCOL_REQUEST_CONTEXT, method, path, body, now,
                                     out_auth);
}

gboolean
intake_protocol_parse_auth (const char  *timestamp,
                            const char  *nonce,
                            const char  *signature_b64,
                            gint64      *out_when,
                            guint8      *out_signature,
                            GError     **error)
{
  g_autofree guint8 *signature = NULL;
  gsize signature_len = 0;
  char *end = NULL;

  if (timestamp == NULL || nonce == NULL || signature_b64 == NULL)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "the request is not signed (missing %s, %s or %s)",
                   INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE, INTAKE_HEADER_SIGNATURE);
      return FALSE;
    }

  errno = 0;
  *out_when = g_ascii_strtoll (timestamp, &end, 10);
  if (*timestamp == '\0' || end == NULL || *end != '\0' || errno != 0 || !intake_hex_is_lower (nonce, 32))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "malformed %s or %s header", INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE);
      return FALSE;
    }

  signature = g_base64_decode (signature_b64, &signature_len);
  if (signature_len != INTAKE_SIGNATURE_BYTES)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNAUTHENTICATED,
                   "malformed %s header", INTAKE_HEADER_SIGNATURE);
      return FALSE;
    }
  memcpy (out_signature, signature, INTAKE_SIGNATURE_BYTES);
  return TRUE;
}

GBytes *
intake_protocol_request_message (const char *method,
                                 const char *path,
                                 const char *timestamp,
                                 const char *nonce,
                                 GBytes     *body)
{
  char *string = intake_protocol_request_string (method, path, timestamp, nonce, body);
  gsize len = strlen (string);

  return g_bytes_new_take (string, len);
}

gboolean
intake_protocol_check_window (gint64       when,
                              gint64       now,
                              const char  *whose_clock,
                              GError     **error)
{
  if (when < now - INTAKE_PROTOCOL_TIMESTAMP_WINDOW || when > now + INTAKE_PROTOCOL_TIMESTAMP_WINDOW)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_STALE_TIMESTAMP,
                   "the request was signed %" G_GINT64_FORMAT " s from the server's time "
                   "(allowed: %d s); check %s",
                   when - now, INTAKE_PROTOCOL_TIMESTAMP_WINDOW, whose_clock);
      return FALSE;
    }
  return TRUE;
}

gboolean
intake_protocol_verify_request (const IntakeDevicePublic *device,
                                const char               *method,
                                const char               *path,
                                GBytes                   *body,
                                const char               *timestamp,
                                const char               *nonce,
                                const char               *signature_b64,
                                gint64                    now,
                                GError                  **error)
{
  return intake_protocol_verify_request_with (device, INTAKE_PROTOCOL_REQUEST_CONTEXT, method, path, body,
                                              timestamp, nonce, signature_b64, now, error);
}

gboolean
intake_protocol_verify_request_with (const IntakeDevicePublic *device,
                                     const char               *context,
                                     const char               *method,
                                     const char               *path,
                                     GBytes                   *body,
                                     const char               *timestamp,
                                     const char               *nonce,
                                     const char               *signature_b64,
                                     gint64                    now,
                                     GError                  **error)
{
  g_autoptr(GBytes) message = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  gint64 when;

  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  if (!intake_protocol_parse_auth (timestamp, nonce, signature_b64, &when, signature, error))
    return FALSE;

  message = intake_protocol_request_message (method, path, timestamp, nonce, body);
  if (!intake_device_public_verify (device, context, message, signature, NULL))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
                   "the request signature does not verify for this device");
      return FALSE;
    }

  return intake_protocol_check_window (when, now, "the kiosk's clock", error);
}

char *
intake_server_key_id_hex (const guint8 *server_pk)
{
  static const char label[] = "intake-server-key-id-v1";
  guint8 digest[32];
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, sizeof digest);
  crypto_generichash_update (&state, (const guint8 *)label, strlen (label));
  crypto_generichash_update (&state, server_pk, INTAKE_SIGN_PUBLIC_BYTES);
  crypto_generichash_final (&state, digest, sizeof digest);

  return intake_hex_encode (digest, 8);
}

GBytes *
intake_receipt_build (const char *device_id,
                      gint64      issued_at,
                      const char *server_key_id,
                      GArray     *items)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "issued_at");
  json_builder_add_int_value (builder, issued_at);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const IntakeReceiptItem *item = &g_array_index (items, IntakeReceiptItem, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, item->sha256);
      json_builder_set_member_name (builder, "submission_id");
      json_builder_add_string_value (builder, item->submission_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, server_key_id);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = intake_canonical_json_serialize (root, &len, NULL);
  g_assert (text != NULL);
  return g_bytes_new_take (text, len);
}

static gboolean
malformed (GError     **error,
           const char  *what)
{
  g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_MALFORMED,
               "the receipt is malformed: %s", what);
  return FALSE;
}


GArray *
intake_receipt_verify (GBytes        *receipt,
                       const guint8  *signature,
                       const guint8  *server_pk,
                       const char    *expected_device_id,
                       GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic server = { 0 };
  JsonObject *root;
  JsonNode *node;
  JsonArray *array;
  const char *device_id;
  gsize len;
  const char *data;

  g_return_val_if_fail (receipt != NULL, NULL);
  g_return_val_if_fail (signature != NULL, NULL);
  g_return_val_if_fail (server_pk != NULL, NULL);

  memcpy (server.sign_pk, server_pk, sizeof server.sign_pk);
  intake_device_id_from_public_key (server_pk, server.device_id);
  if (!intake_device_public_verify (&server, "receipt", receipt, signature, &local_error))
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_BAD_SIGNATURE,
                   "the receipt is not signed by the enrolled server key");
      return NULL;
    }

  data = g_bytes_get_data (receipt, &len);
  if (!intake_json_parse_untrusted (parser, data, len, INTAKE_JSON_MAX_DEPTH, &local_error))
    return malformed (error, local_error->message), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return malformed (error, "not a JSON object"), NULL;
  root = json_node_get_object (json_parser_get_root (parser));

  node = json_object_get_member (root, "format");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) != 1)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                   "the receipt has an unknown format");
      return NULL;
    }

  device_id = intake_json_get_string (root, "device_id");
  if (device_id == NULL)
    return malformed (error, "no device_id"), NULL;
  if (g_strcmp0 (device_id, expected_device_id) != 0)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH,
                   "the receipt is for device %s, not this kiosk", device_id);
      return NULL;
    }

  node = json_object_get_member (root, "items");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return malformed (error, "no items"), NULL;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      IntakeReceiptItem item = { 0 };
      const char *id, *sha;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return malformed (error, "an item is not an object"), NULL;
      id = intake_json_get_string (json_node_get_object (element), "submission_id");
      sha = intake_json_get_string (json_node_get_object (element), "sha256");
      if (!intake_hex_is_lower (id, 32) || !intake_hex_is_lower (sha, 64))
        return malformed (error, "an item has a bad submission_id or sha256"), NULL;
      g_strlcpy (item.submission_id, id, sizeof item.submission_id);
      g_strlcpy (item.sha256, sha, sizeof item.sha256);
      g_array_append_val (items, item);
    }

  return g_steal_pointer (&items);
}

/* Receipts file ------------------------------------------------------- */

#define RECEIPT_MAX_BYTES (64 * 1024)   /* a receipt of 100 items is about 13 KiB */

void
intake_signed_receipt_free (IntakeSignedReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_clear_pointer (&receipt->receipt, g_bytes_unref);
  sodium_memzero (receipt->signature, sizeof receipt->signature);
  g_free (receipt);
}

GBytes *
intake_receipts_file_build (GPtrArray *receipts)
{
  return intake_receipts_file_build_full (receipts, NULL, NULL);
}

static void
add_blob_list (JsonBuilder *builder,
               const char  *name,
               GPtrArray   *blobs)
{
  if (blobs == NULL || blobs->len == 0)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < blobs->len; i++)
    {
      GBytes *blob = g_ptr_array_index (blobs, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
}

GBytes *
intake_receipts_file_build_full (GPtrArray *receipts,
                                 GPtrArray *office_rotations,
                                 GPtrArray *server_rotations)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize len;

  g_return_val_if_fail (receipts != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, INTAKE_RECEIPTS_FILE_FORMAT);
  json_builder_set_member_name (builder, "receipts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < receipts->len; i++)
    {
      const IntakeSignedReceipt *r = g_ptr_array_index (receipts, i);
      g_autofree char *receipt_b64 = g_base64_encode (g_bytes_get_data (r->receipt, NULL),
                                                      g_bytes_get_size (r->receipt));
      g_autofree char *signature_b64 = g_base64_encode (r->signature, sizeof r->signature);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "receipt");
      json_builder_add_string_value (builder, receipt_b64);
      json_builder_set_member_name (builder, "signature");
      json_builder_add_string_value (builder, signature_b64);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  /* Offline sites learn the office's key rotations from here. */
  add_blob_list (builder, "office_rotations", office_rotations);
  add_blob_list (builder, "server_rotations", server_rotations);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = intake_canonical_json_serialize (root, &len, NULL);
  g_assert (text != NULL);
  return g_bytes_new_take (text, len);
}

static gpointer
receipts_file_malformed (GError     **error,
                         const char  *what)
{
  g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_MALFORMED,
               "the receipts file is malformed: %s", what);
  return NULL;
}

/* TRUE when @object has exactly the members @names (NULL-terminated). */
static gboolean
has_exactly_members (JsonObject         *object,
                     const char * const *names)
{
  guint n = 0;

  for (; names[n] != NULL; n++)
    if (!json_object_has_member (object, names[n]))
      return FALSE;
  return json_object_get_size (object) == n;
}

GPtrArray *
intake_receipts_file_parse (const char  *data,
                            gsize        len,
                            GError     **error)
{
  return intake_receipts_file_parse_full (data, len, NULL, NULL, error);
}

/* @required all there, and nothing but those and @optional. */
static gboolean
has_members (JsonObject         *object,
             const char * const *required,
             const char * const *optional)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (guint i = 0; required[i] != NULL; i++)
    if (!json_object_has_member (object, required[i]))
      return FALSE;
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (required, l->data) && !g_strv_contains (optional, l->data))
      return FALSE;
  return TRUE;
}

GPtrArray *
intake_receipts_file_parse_full (const char  *data,
                                 gsize        len,
                                 GPtrArray  **out_office_rotations,
                                 GPtrArray  **out_server_rotations,
                                 GError     **error)
{
  static const char * const root_members[] = { "format", "receipts", NULL };
  static const char * const root_optional[] = { "office_rotations", "server_rotations", NULL };
  g_autoptr(GPtrArray) rotations = NULL;
  g_autoptr(GPtrArray) server_rotations = NULL;
  static const char * const receipt_members[] = { "receipt", "signature", NULL };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_signed_receipt_free);
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *node;
  JsonArray *array;
  gint64 format = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > INTAKE_RECEIPTS_FILE_MAX_SIZE)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE,
                   "the receipts file is larger than %d MiB", INTAKE_RECEIPTS_FILE_MAX_SIZE / (1024 * 1024));
      return NULL;
    }
  if (len == 0 || data == NULL)
    return receipts_file_malformed (error, "it is empty");
  /* Depth 3: the object, its array, a receipt object. */
  if (!intake_json_parse_untrusted (parser, data, len, 3, &local_error))
    return receipts_file_malformed (error, local_error->message);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return receipts_file_malformed (error, "not a JSON object");
  root = json_node_get_object (json_parser_get_root (parser));
  if (!intake_json_get_int (root, "format", &format))
    return receipts_file_malformed (error, "no format");
  if (format != INTAKE_RECEIPTS_FILE_FORMAT)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                   "the receipts file has format %" G_GINT64_FORMAT ", which this kiosk does not know", format);
      return NULL;
    }
  if (!has_members (root, root_members, root_optional))
    return receipts_file_malformed (error, "it has members other than format, receipts, office_rotations and "
                                           "server_rotations");
  if (!(rotations = intake_json_get_base64_list (root, "office_rotations", &local_error)) ||
      !(server_rotations = intake_json_get_base64_list (root, "server_rotations", &local_error)))
    return receipts_file_malformed (error, local_error->message);
  node = json_object_get_member (root, "receipts");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return receipts_file_malformed (error, "receipts is not an array");
  array = json_node_get_array (node);
  if (json_array_get_length (array) > INTAKE_RECEIPTS_FILE_MAX_COUNT)
    {
      g_set_error (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE,
                   "the receipts file holds more than %d receipts", INTAKE_RECEIPTS_FILE_MAX_COUNT);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree guint8 *receipt = NULL;
      g_autofree guint8 *signature = NULL;
      gsize receipt_len = 0, signature_len = 0;
      IntakeSignedReceipt *r;
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return receipts_file_malformed (error, "a receipt is not an object");
      object = json_node_get_object (element);
      if (!has_exactly_members (object, receipt_members))
        return receipts_file_malformed (error, "a receipt has members other than receipt and signature");
      receipt = intake_json_get_base64 (object, "receipt", &receipt_len);
      signature = intake_json_get_base64 (object, "signature", &signature_len);
      if (receipt == NULL || receipt_len == 0 || receipt_len > RECEIPT_MAX_BYTES)
        return receipts_file_malformed (error, "a receipt is not base64, empty or too large");
      if (signature == NULL || signature_len != INTAKE_SIGNATURE_BYTES)
        return receipts_file_malformed (error, "a signature is not 64 bytes of base64");
      r = g_new0 (IntakeSignedReceipt, 1);
      r->receipt = g_bytes_new_take (g_steal_pointer (&receipt), receipt_len);
      memcpy (r->signature, signature, INTAKE_SIGNATURE_BYTES);
      g_ptr_array_add (receipts, r);
    }
  if (out_office_rotations != NULL)
    *out_office_rotations = g_steal_pointer (&rotations);
  if (out_server_rotations != NULL)
    *out_server_rotations = g_steal_pointer (&server_rotations);
  return g_steal_pointer (&receipts);
}

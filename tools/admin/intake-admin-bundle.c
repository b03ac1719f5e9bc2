/* intake-admin-bundle.c: import-bundle, the envelopes an offline kiosk
 * exported to removable media
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "intake-accept.h"
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-bundle.h"
#include "intake-keys.h"
#include "intake-protocol.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] [--max-size MIB]
 *   [--receipts-out FILE [--server-key FILE]] [--accept-revoked DEVICE_ID] FILE
 *
 * --receipts-out writes the signed receipts of every envelope of the
 * bundle the store now holds (stored or duplicate), in the format of
 * docs/protocol.md "Receipts file", for the kiosk's --import-receipts.
 * --accept-revoked takes in the bundle of that one revoked device on
 * purpose (an audit event import_bundle_revoked). */
/* The receipts of @items, INTAKE_PROTOCOL_MAX_BATCH to a receipt as an
 * upload's, signed with @server_key, written atomically with mode 0600,
 * with the office's key rotations for an offline site. */
static gboolean
write_receipts (const char             *path,
                const IntakeDeviceKey  *server_key,
                const char             *server_key_id,
                const char             *device_id,
                gint64                  now,
                GArray                 *items,
                GPtrArray              *office_rotations,
                GPtrArray              *server_rotations,
                GError                **error)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_signed_receipt_free);
  g_autoptr(GBytes) file = NULL;

  for (guint start = 0; start < items->len; start += INTAKE_PROTOCOL_MAX_BATCH)
    {
      guint n = MIN (INTAKE_PROTOCOL_MAX_BATCH, items->len - start);
      g_autoptr(GArray) chunk = g_array_sized_new (FALSE, TRUE, sizeof (IntakeReceiptItem), n);
      IntakeSignedReceipt *r = g_new0 (IntakeSignedReceipt, 1);

      g_array_append_vals (chunk, &g_array_index (items, IntakeReceiptItem, start), n);
      r->receipt = intake_receipt_build (device_id, now, server_key_id, chunk);
      intake_device_key_sign (server_key, "receipt", r->receipt, r->signature);
      g_ptr_array_add (receipts, r);
    }
  file = intake_receipts_file_build_full (receipts, office_rotations, server_rotations);
  if (!g_file_set_contents_full (path, g_bytes_get_data (file, NULL), (gssize)g_bytes_get_size (file),
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    {
      g_prefix_error (error, _("the bundle was imported, but the receipts file could not be written "
                               "(importing again is safe): "));
      return FALSE;
    }
  return TRUE;
}

int
intake_admin_import_bundle (int    argc,
                            char **argv)
{
  const char *usage = "import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] [--max-size MIB] "
    "[--receipts-out FILE [--server-key FILE]] [--accept-revoked DEVICE_ID] FILE";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *office_path = NULL;
  g_autofree char *device_id = NULL;
  g_autoptr(IntakeOfficeKeys) office_keys = NULL;
  g_autoptr(GPtrArray) server_rotations = NULL;
  g_autofree char *receipts_path = NULL;
  g_autofree char *server_key_path = NULL;
  g_autofree char *server_key_id = NULL;
  g_autofree char *accept_revoked = NULL;
  g_autoptr(IntakeDeviceKey) server_key = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  gboolean revoked = FALSE;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic signer;
  GError *error = NULL;
  guint counts[INTAKE_ACCEPT_N_STATUS] = { 0 };
  gint64 created_at = 0;
  gint64 now;
  int status = 0;
  int max_size_mib = (int)(INTAKE_BUNDLE_DEFAULT_MAX_SIZE / (1024 * 1024));
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "office-public", 0, 0, G_OPTION_ARG_FILENAME, &office_path,
      N_("Office public key (default: the one the store was set up with)"), "FILE" },
    { "max-size", 0, 0, G_OPTION_ARG_INT, &max_size_mib,
      N_("Refuse a bundle larger than this, before reading it (default 256)"), "MIB" },
    { "receipts-out", 0, 0, G_OPTION_ARG_FILENAME, &receipts_path,
      N_("Write the signed receipts of the bundle's envelopes to FILE, for the kiosk"), "FILE" },
    { "server-key", 0, 0, G_OPTION_ARG_FILENAME, &server_key_path,
      N_("The server's signing key (default with --data: DIR/server.secret)"), "FILE" },
    { "accept-revoked", 0, 0, G_OPTION_ARG_STRING, &accept_revoked,
      N_("Take in the bundle of this revoked device on purpose (audited)"), "DEVICE_ID" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one bundle file"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  if (max_size_mib < 1 || max_size_mib > 1024 * 1024)
    return intake_admin_usage_error (usage, _("--max-size takes a whole number of MiB from 1 to 1048576"));
  if (server_key_path != NULL && receipts_path == NULL)
    return intake_admin_usage_error (usage, _("--server-key is only for --receipts-out"));
  if (receipts_path != NULL && server_key_path == NULL && data_dir == NULL)
    return intake_admin_usage_error (usage, _("--receipts-out with --postgres needs --server-key FILE"));
  if (accept_revoked != NULL && !intake_hex_is_lower (accept_revoked, INTAKE_DEVICE_ID_BYTES * 2))
    return intake_admin_usage_error (usage, _("--accept-revoked takes a device id (32 lowercase hex digits)"));

  /* Read as a stream, within the limit: a huge or endless file is refused
   * before it is read whole (from its size, for a regular file). */
  if (g_strcmp0 (argv[1], "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      envelopes = intake_bundle_read (in, (guint64)max_size_mib * 1024 * 1024, &signer, &created_at, NULL, &error);
    }
  else
    envelopes = intake_bundle_load (argv[1], (guint64)max_size_mib * 1024 * 1024, &signer, &created_at, &error);
  if (envelopes == NULL)
    {
      g_prefix_error (&error, _("%s is refused: "), argv[1]);
      if (g_error_matches (error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_TOO_LARGE) &&
          g_str_has_suffix (error->message, "MiB; it was not read"))
        {
          /* Translators: %s is why the bundle was refused (its size). */
          g_autofree char *message = g_strdup_printf (_("%s (if it is genuine, give --max-size MIB)"),
                                                      error->message);

          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      return intake_admin_fail (error);
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);
  if (office_path != NULL)
    {
      if (!(office = intake_office_public_load (office_path, &error)) ||
          !intake_store_bind_office (store, office, &error))
        return intake_admin_fail (error);
    }
  else if (!(office = intake_store_dup_office (store, &error)))
    return intake_admin_fail (error);
  if (!(office_keys = intake_store_load_office_keys (store, office, &error)) ||
      !(server_rotations = intake_store_load_server_rotations (store, &error)))
    return intake_admin_fail (error);

  /* The receipts are signed with the key the kiosks enrolled with: the
   * one the store records. Checked before anything is imported. */
  if (receipts_path != NULL)
    {
      g_autofree char *recorded = NULL;
      IntakeDevicePublic server_public;

      if (server_key_path == NULL)
        server_key_path = g_build_filename (data_dir, "server.secret", NULL);
      if (!(server_key = intake_device_key_load (server_key_path, &error)))
        {
          g_prefix_error (&error, _("cannot sign receipts with the server key %s: "), server_key_path);
          return intake_admin_fail (error);
        }
      intake_device_key_get_public (server_key, &server_public);
      server_key_id = intake_server_key_id_hex (server_public.sign_pk);
      recorded = intake_store_ensure_setting (store, "server_key_id", NULL, &local_error);
      if (local_error != NULL)
        return intake_admin_fail (g_steal_pointer (&local_error));
      if (recorded != NULL && !g_str_equal (recorded, server_key_id))
        {
          g_autofree char *message = g_strdup_printf (_("%s holds server key %s, but the store was served with "
                                                        "server key %s, which the kiosks check receipts against: "
                                                        "give that key with --server-key"),
                                                      server_key_path, server_key_id, recorded);

          g_printerr ("intake-admin: %s\n", message);
          return EXIT_FAILURE;
        }
    }

  device_id = intake_hex_encode (signer.device_id, sizeof signer.device_id);
  if (!(device = intake_store_get_device (store, device_id, &local_error)))
    {
      if (g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        {
          g_autofree char *message = g_strdup_printf (_("%s is refused: it was signed by device %s, which is not enrolled"),
                                                      argv[1], device_id);

          g_printerr ("intake-admin: %s\n", message);
        }
      else
        g_printerr ("intake-admin: %s\n", local_error->message);
      return EXIT_FAILURE;
    }
  if (accept_revoked != NULL && !g_str_equal (accept_revoked, device_id))
    {
      g_autofree char *message = g_strdup_printf (_("%s is refused: it was signed by device %s, not by %s "
                                                    "named with --accept-revoked"),
                                                  argv[1], device_id, accept_revoked);

      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }
  revoked = device->status == INTAKE_DEVICE_STATUS_REVOKED;
  if ((device->status != INTAKE_DEVICE_STATUS_ACTIVE && !(revoked && accept_revoked != NULL)) ||
      memcmp (device->sign_pk, signer.sign_pk, sizeof signer.sign_pk) != 0)
    {
      g_autofree char *message = NULL;

      if (device->status != INTAKE_DEVICE_STATUS_ACTIVE && !(revoked && accept_revoked != NULL))
        message = g_strdup_printf (_("%s is refused: device %s is revoked (to take in its envelopes on "
                                     "purpose, give --accept-revoked %s)"), argv[1], device_id, device_id);
      else
        message = g_strdup_printf (_("%s is refused: device %s is enrolled with another key"), argv[1], device_id);
      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }

  /* The office chose to trust this revoked device's backlog: its envelopes
   * go through the same checks as an active device's (signature by the key
   * it was enrolled with, office key, idempotent store). Only this local
   * copy is treated as active; the device stays revoked. */
  if (revoked)
    device->status = INTAKE_DEVICE_STATUS_ACTIVE;

  now = g_get_real_time () / G_USEC_PER_SEC;
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeAcceptResult result;

      if (!intake_server_accept_envelope (store, &office_keys->set, device, g_ptr_array_index (envelopes, i),
                                          INTAKE_ENVELOPE_SOURCE_BUNDLE, now, &result, &error))
        {
          g_prefix_error (&error, _("stopped at envelope %u of %u (the ones before are stored; "
                                    "importing again is safe): "), i + 1, envelopes->len);
          return intake_admin_fail (error);
        }
      counts[result.status]++;
      if (result.status == INTAKE_ACCEPT_STORED || result.status == INTAKE_ACCEPT_DUPLICATE)
        {
          IntakeReceiptItem item = { 0 };

          g_strlcpy (item.submission_id, result.submission_id, sizeof item.submission_id);
          g_strlcpy (item.sha256, result.sha256, sizeof item.sha256);
          g_array_append_val (items, item);
        }
      if (result.status == INTAKE_ACCEPT_CONFLICT || result.status == INTAKE_ACCEPT_REJECTED)
        g_print ("envelope %u: %s%s%s%s submission %s\n", i, intake_accept_status_to_string (result.status),
                 result.status == INTAKE_ACCEPT_REJECTED ? " (" : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? intake_reject_reason_to_string (result.reason) : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? ")" : "",
                 result.has_submission_id ? result.submission_id : "unknown");
    }

  {
    g_autofree char *result = g_strdup_printf ("ok: %u stored, %u duplicate, %u conflict, %u rejected",
                                               counts[INTAKE_ACCEPT_STORED], counts[INTAKE_ACCEPT_DUPLICATE],
                                               counts[INTAKE_ACCEPT_CONFLICT], counts[INTAKE_ACCEPT_REJECTED]);

    if (!intake_admin_record_audit (store, "import_bundle", device_id, result, &error))
      return intake_admin_fail (error);
    if (revoked)
      {
        g_autofree char *accepted = g_strdup_printf ("ok: revoked device, %u envelopes, %u stored, %u duplicate",
                                                     envelopes->len, counts[INTAKE_ACCEPT_STORED],
                                                     counts[INTAKE_ACCEPT_DUPLICATE]);

        if (!intake_admin_record_audit (store, "import_bundle_revoked", device_id, accepted, &error))
          return intake_admin_fail (error);
      }
  }
  if (receipts_path != NULL && !write_receipts (receipts_path, server_key, server_key_id, device_id, now, items,
                                                office_keys->rotations, server_rotations, &error))
    return intake_admin_fail (error);
  g_print ("device:    %s (%s)%s\n", device_id, device->location, revoked ? " revoked, accepted on purpose" : "");
  g_print ("envelopes: %u\n", envelopes->len);
  g_print ("stored:    %u\n", counts[INTAKE_ACCEPT_STORED]);
  g_print ("duplicate: %u\n", counts[INTAKE_ACCEPT_DUPLICATE]);
  g_print ("conflict:  %u\n", counts[INTAKE_ACCEPT_CONFLICT]);
  g_print ("rejected:  %u\n", counts[INTAKE_ACCEPT_REJECTED]);
  if (receipts_path != NULL)
    g_print ("receipts:  %u in %s\n", items->len, receipts_path);
  if (counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED] > 0)
    {
      guint refused = counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED];
      g_autofree char *message = NULL;

      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u envelope of %s was refused (listed above); the kiosk keeps it",
                                              "%u envelopes of %s were refused (listed above); the kiosk keeps them",
                                              refused),
                                 refused, argv[1]);
      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

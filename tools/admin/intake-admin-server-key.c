/* intake-admin-server-key.c: server-key roll, a planned server key rollover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Kiosks check every receipt against the server key they enrolled with. A
 * rollover makes a new key and a statement signed by the old and the new
 * one (IKSR, docs/keys.md); kiosks follow it at their next sync (or from a
 * receipts file) and accept the new key's receipts without enrolling
 * again. docs/server.md, "Rolling the server key over".
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-keys.h"
#include "intake-office-rotation.h"
#include "intake-protocol.h"
#include "intake-server-util.h"

/* server-key roll (--data DIR [--server-key FILE] | --postgres CONNINFO --server-key FILE) */
int
intake_admin_server_key_roll (int    argc,
                              char **argv)
{
  const char *usage = "server-key roll (--data DIR [--server-key FILE] | --postgres CONNINFO --server-key FILE)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *public_path = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *old_b64 = NULL;
  g_autofree char *new_b64 = NULL;
  g_autofree char *statement_b64 = NULL;
  g_autofree char *new_secret_path = NULL;
  g_autofree char *new_public_path = NULL;
  g_autofree char *old_secret_path = NULL;
  g_autofree char *old_public_path = NULL;
  g_autofree char *object = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeDeviceKey) old_key = NULL;
  g_autoptr(IntakeDeviceKey) new_key = NULL;
  g_autoptr(GBytes) statement = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  IntakeDevicePublic old_pub, new_pub;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean had_public, ok;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "server-key", 0, 0, G_OPTION_ARG_FILENAME, &secret_path,
      N_("The server key file the servers use (default with --data: DIR/server.secret)"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (conninfo != NULL && secret_path == NULL)
    return intake_admin_usage_error (usage, _("--postgres needs --server-key FILE (the file every instance uses)"));
  if (secret_path == NULL)
    secret_path = g_build_filename (data_dir, "server.secret", NULL);
  /* As intake-server names the public half: FILE minus ".secret", plus ".pub". */
  stem = g_str_has_suffix (secret_path, ".secret")
         ? g_strndup (secret_path, strlen (secret_path) - strlen (".secret")) : g_strdup (secret_path);
  public_path = g_strdup_printf ("%s.pub", stem);

  if (!(old_key = intake_device_key_load (secret_path, &error)) ||
      !(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(new_key = intake_device_key_generate (&error)))
    return intake_admin_fail (error);
  intake_device_key_get_public (old_key, &old_pub);
  intake_device_key_get_public (new_key, &new_pub);
  old_id = intake_server_key_id_hex (old_pub.sign_pk);
  new_id = intake_server_key_id_hex (new_pub.sign_pk);
  old_b64 = g_base64_encode (old_pub.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  new_b64 = g_base64_encode (new_pub.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);

  /* The new key's files first, under its id: nothing uses them yet. */
  new_secret_path = g_strdup_printf ("%s-%s.secret", stem, new_id);
  new_public_path = g_strdup_printf ("%s-%s.pub", stem, new_id);
  if (!intake_device_key_save (new_key, new_secret_path, &error) ||
      !intake_device_public_save (&new_pub, new_public_path, &error) ||
      !intake_admin_make_private (new_public_path, &error))
    return intake_admin_fail (error);

  statement = intake_server_key_rotation_sign (old_key, new_key, now);
  statement_b64 = g_base64_encode (g_bytes_get_data (statement, NULL), g_bytes_get_size (statement));
  object = g_strdup_printf ("old=%s new=%s", old_id, new_id);
  event = intake_audit_event_new (now, "admin", "server_key_roll", object, "ok", "cli");
  if (!intake_store_roll_server_key (store, old_b64, new_b64, new_id, statement_b64, event, &error))
    {
      g_unlink (new_secret_path);
      g_unlink (new_public_path);
      return intake_admin_fail (error);
    }

  /* The store is pinned to the new key from here on; the files follow. */
  old_secret_path = g_strdup_printf ("%s-%s.secret", stem, old_id);
  old_public_path = g_strdup_printf ("%s-%s.pub", stem, old_id);
  had_public = g_file_test (public_path, G_FILE_TEST_EXISTS);
  ok = intake_admin_swap_names (secret_path, old_secret_path, new_secret_path, &error);
  if (ok && had_public)
    ok = intake_admin_swap_names (public_path, old_public_path, new_public_path, &error);
  else if (ok && link (new_public_path, public_path) != 0)
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot name %s as %s", new_public_path, public_path);
      ok = FALSE;
    }
  if (!ok)
    {
      g_printerr (_("intake-admin: the store is now pinned to server key %s, but the key files could not be "
                    "renamed: %s. Copy %s to %s by hand.\n"), new_id, error->message, new_secret_path, secret_path);
      g_error_free (error);
      return EXIT_FAILURE;
    }

  g_print (_("new server key id: %s (was %s)\n"), new_id, old_id);
  g_print (_("key file:          %s (the old one kept as %s)\n"), secret_path, old_secret_path);
  g_print (_("Restart every intake-server instance now, each with this key file. Kiosks accept the new key's "
             "receipts from their next sync on, offline sites from the next receipts file.\n"));
  return EXIT_SUCCESS;
}

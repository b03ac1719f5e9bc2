/* intake-admin-office.c: office init, the office key pair
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-keys.h"
#include "intake-office-rotation.h"
#include "intake-server-util.h"

/* office init DIR [--passphrase-file FILE] */
int
intake_admin_office_init (int    argc,
                          char **argv)
{
  const char *usage = "office init DIR [--passphrase-file FILE]";
  g_autofree char *passphrase_file = NULL;
  g_autoptr(IntakeOfficePublic) office_public = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autofree char *pub_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *fingerprint = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read the passphrase from the first line of FILE"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one directory"));

  pub_path = g_build_filename (argv[1], "office.pub", NULL);
  secret_path = g_build_filename (argv[1], "office.secret", NULL);
  if (g_file_test (pub_path, G_FILE_TEST_EXISTS) || g_file_test (secret_path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf (_("%s already holds office keys; refusing to replace them "
                                                    "(choose another directory)"), argv[1]);

      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }

  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, TRUE, &error)) ||
      !intake_admin_ensure_private_dir (argv[1], &error) ||
      !intake_office_generate (&office_public, &office_secret, &error) ||
      !intake_office_secret_save (office_secret, secret_path, passphrase, &error) ||
      !intake_office_public_save (office_public, pub_path, &error) ||
      !intake_admin_make_private (pub_path, &error))
    return intake_admin_fail (error);

  key_id = intake_office_public_dup_key_id_hex (office_public);
  fingerprint = intake_office_public_dup_fingerprint (office_public);
  g_print ("office key id: %s\n", key_id);
  g_print ("fingerprint:   %s\n", fingerprint);
  g_print ("public keys:   %s\n", pub_path);
  g_print ("secret key:    %s (passphrase-protected, keep it off the kiosks)\n", secret_path);
  return EXIT_SUCCESS;
}

/* Office key rotation (docs/server.md, "Rotating the office key") -------- */

/* Moves DIR/office.NAME to DIR/office-OLDID.NAME and gives the new key's
 * file DIR/office-NEWID.NAME the name DIR/office.NAME. */
static gboolean
swap_current (const char  *dir,
              const char  *suffix,
              const char  *old_id,
              const char  *new_id,
              GError     **error)
{
  g_autofree char *current = g_strdup_printf ("%s/office.%s", dir, suffix);
  g_autofree char *old_name = g_strdup_printf ("%s/office-%s.%s", dir, old_id, suffix);
  g_autofree char *new_name = g_strdup_printf ("%s/office-%s.%s", dir, new_id, suffix);

  return intake_admin_swap_names (current, old_name, new_name, error);
}

/* office rotate DIR --passphrase-file FILE [--new-passphrase-file FILE] (--data DIR | --postgres CONNINFO) */
int
intake_admin_office_rotate (int    argc,
                            char **argv)
{
  const char *usage = "office rotate DIR [--passphrase-file FILE] [--new-passphrase-file FILE] "
                      "(--data DIR | --postgres CONNINFO)";
  g_autofree char *passphrase_file = NULL;
  g_autofree char *new_passphrase_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *new_secret_path = NULL;
  g_autofree char *new_pub_path = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *old_b64 = NULL;
  g_autofree char *new_b64 = NULL;
  g_autofree char *rotation_b64 = NULL;
  g_autofree char *object = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeSecureBuffer) new_passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) old_secret = NULL;
  g_autoptr(IntakeOfficeSecret) new_secret = NULL;
  g_autoptr(IntakeOfficePublic) served = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) reviewers = NULL;
  g_autoptr(GPtrArray) setups = NULL;
  g_autoptr(GStrvBuilder) cancel = g_strv_builder_new ();
  g_auto(GStrv) cancel_names = NULL;
  g_autoptr(GArray) seals = g_array_new (FALSE, TRUE, sizeof (IntakeStoreOfficeKeySeal));
  g_autoptr(GBytes) old_blob = NULL;
  g_autoptr(GBytes) new_blob = NULL;
  g_autoptr(GBytes) rotation = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  IntakeStoreOfficeRotation record = { 0 };
  IntakeStoreOfficeKeySeal seal = { 0 };
  guint granted = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("The passphrase of the current office secret (first line of FILE)"), "FILE" },
    { "new-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &new_passphrase_file,
      N_("Wrap the new office secret with this passphrase (default: the current one)"), "FILE" },
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  g_array_set_clear_func (seals, (GDestroyNotify)intake_store_office_key_seal_clear);
  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one directory"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));

  secret_path = g_build_filename (argv[1], "office.secret", NULL);
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      !(old_secret = intake_office_secret_load (secret_path, passphrase, &error)))
    return intake_admin_fail (error);
  if (new_passphrase_file != NULL &&
      !(new_passphrase = intake_admin_get_passphrase (new_passphrase_file, FALSE, &error)))
    return intake_admin_fail (error);
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(served = intake_store_dup_office (store, &error)))
    return intake_admin_fail (error);
  old_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (old_secret));
  if (memcmp (served->key_id, intake_office_secret_get_public (old_secret)->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    {
      g_autofree char *served_id = intake_office_public_dup_key_id_hex (served);

      g_printerr (_("intake-admin: %s holds office key %s, but the store serves office key %s; "
                    "rotate with the directory of the key the store serves\n"), argv[1], old_id, served_id);
      return EXIT_FAILURE;
    }

  /* The new key's files first, under its id: nothing refers to them yet. */
  if (!intake_office_generate (NULL, &new_secret, &error))
    return intake_admin_fail (error);
  new_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (new_secret));
  new_secret_path = g_strdup_printf ("%s/office-%s.secret", argv[1], new_id);
  new_pub_path = g_strdup_printf ("%s/office-%s.pub", argv[1], new_id);
  if (!intake_office_secret_save (new_secret, new_secret_path, new_passphrase ? new_passphrase : passphrase, &error) ||
      !intake_office_public_save (intake_office_secret_get_public (new_secret), new_pub_path, &error) ||
      !intake_admin_make_private (new_pub_path, &error))
    return intake_admin_fail (error);

  /* The old secret sealed to the new key: whoever holds the new key (a
   * reviewer added later) can still read what was sealed before. */
  rotation = intake_office_rotation_sign (old_secret, new_secret, now);
  g_strlcpy (seal.office_key_id, old_id, sizeof seal.office_key_id);
  g_strlcpy (seal.recipient_id, new_id, sizeof seal.recipient_id);
  if (!(seal.blob = intake_office_key_seal_to_office (old_secret, intake_office_secret_get_public (new_secret),
                                                      &error)))
    return intake_admin_fail (error);
  g_array_append_val (seals, seal);

  /* The new secret sealed to each reviewer who keeps access; a removed
   * reviewer gets none, so their access ends here. */
  if (!(reviewers = intake_store_list_reviewers (store, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; i < reviewers->len; i++)
    {
      IntakeStoreReviewer *reviewer = g_ptr_array_index (reviewers, i);
      IntakeStoreOfficeKeySeal grant = { .to_reviewer = TRUE };

      if (reviewer->status != INTAKE_REVIEWER_STATUS_ACTIVE)
        continue;
      g_strlcpy (grant.office_key_id, new_id, sizeof grant.office_key_id);
      g_strlcpy (grant.recipient_id, reviewer->reviewer_id, sizeof grant.recipient_id);
      if (!(grant.blob = intake_office_key_seal_to_reviewer (new_secret, reviewer->sign_pk, &error)))
        return intake_admin_fail (error);
      g_array_append_val (seals, grant);
      granted++;
    }

  /* A pending activation carries the old secret only. */
  if (!(setups = intake_store_list_reviewer_setups (store, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; i < setups->len; i++)
    g_strv_builder_add (cancel, ((IntakeStoreReviewerSetup *)g_ptr_array_index (setups, i))->name);
  cancel_names = g_strv_builder_end (cancel);

  old_blob = intake_office_public_to_bytes (intake_office_secret_get_public (old_secret));
  new_blob = intake_office_public_to_bytes (intake_office_secret_get_public (new_secret));
  old_b64 = g_base64_encode (g_bytes_get_data (old_blob, NULL), g_bytes_get_size (old_blob));
  new_b64 = g_base64_encode (g_bytes_get_data (new_blob, NULL), g_bytes_get_size (new_blob));
  rotation_b64 = g_base64_encode (g_bytes_get_data (rotation, NULL), g_bytes_get_size (rotation));
  record.expected_office_public = old_b64;
  record.new_office_public = new_b64;
  record.rotation = rotation_b64;
  record.seals = (const IntakeStoreOfficeKeySeal *)seals->data;
  record.n_seals = seals->len;
  record.cancel_setups = cancel_names;
  record.now = now;
  object = g_strdup_printf ("old=%s new=%s reviewers=%u activations_cancelled=%u", old_id, new_id, granted,
                            g_strv_length (cancel_names));
  event = intake_audit_event_new (now, "admin", "office_rotate", object, "ok", "cli");
  if (!intake_store_rotate_office (store, &record, event, &error))
    {
      g_unlink (new_secret_path);
      g_unlink (new_pub_path);
      return intake_admin_fail (error);
    }

  /* The store serves the new key from here on; the files follow. */
  if (!swap_current (argv[1], "pub", old_id, new_id, &error) ||
      !swap_current (argv[1], "secret", old_id, new_id, &error))
    {
      g_printerr (_("intake-admin: the store now serves office key %s, but the files in %s could not be "
                    "renamed: %s. Copy %s to office.pub and %s to office.secret by hand.\n"),
                  new_id, argv[1], error->message, new_pub_path, new_secret_path);
      g_error_free (error);
      return EXIT_FAILURE;
    }

  fingerprint = intake_office_public_dup_fingerprint (intake_office_secret_get_public (new_secret));
  g_print (_("new office key id: %s (was %s)\n"), new_id, old_id);
  g_print (_("fingerprint:       %s\n"), fingerprint);
  g_print (_("reviewers given the new key: %u\n"), granted);
  for (guint i = 0; cancel_names[i] != NULL; i++)
    g_print (_("activation cancelled (make a new code): %s\n"), cancel_names[i]);
  g_print (_("Restart every intake-server instance now (same --office-public %s/office.pub). Kiosks learn the "
             "new key at their next sync, offline sites from the next receipts file.\n"), argv[1]);
  return EXIT_SUCCESS;
}

/* office keys (--data DIR | --postgres CONNINFO) */
int
intake_admin_office_keys (int    argc,
                          char **argv)
{
  const char *usage = "office keys (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeOfficeKeys) keys = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(keys = intake_store_load_office_keys (store, NULL, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; i < keys->chain->len; i++)
    {
      const IntakeOfficePublic *key = g_ptr_array_index (keys->chain, i);
      g_autofree char *id = intake_office_public_dup_key_id_hex (key);
      g_autofree char *fingerprint = intake_office_public_dup_fingerprint (key);
      g_autofree char *created = intake_admin_format_time (key->created_at);
      const char *state = i + 1 == keys->chain->len ? _("current")
                          : g_strv_contains ((const char * const *)keys->set.retired, id) ? _("retired")
                          : _("accepted");

      g_print ("%s  %s  %s  %s\n", id, created, fingerprint, state);
    }
  return EXIT_SUCCESS;
}

/* office retire (--data DIR | --postgres CONNINFO) KEY_ID */
int
intake_admin_office_retire (int    argc,
                            char **argv)
{
  const char *usage = "office retire (--data DIR | --postgres CONNINFO) KEY_ID";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *object = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeOfficeKeys) keys = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  GError *error = NULL;
  int status = 0;
  guint position = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one office key id"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(keys = intake_store_load_office_keys (store, NULL, &error)))
    return intake_admin_fail (error);

  for (position = 0; position < keys->chain->len; position++)
    {
      g_autofree char *id = intake_office_public_dup_key_id_hex (g_ptr_array_index (keys->chain, position));

      if (g_str_equal (id, argv[1]))
        break;
    }
  if (position == keys->chain->len)
    {
      g_printerr (_("intake-admin: %s is not an office key of this store; see intake-admin office keys\n"), argv[1]);
      return EXIT_FAILURE;
    }
  if (position + 1 == keys->chain->len)
    {
      g_printerr (_("intake-admin: %s is the office key the store serves; rotate first\n"), argv[1]);
      return EXIT_FAILURE;
    }
  /* Oldest first: each key is sealed to the next, so a gap would cut the
   * older keys off from reviewers added later. */
  for (guint i = 0; i < position; i++)
    {
      g_autofree char *older = intake_office_public_dup_key_id_hex (g_ptr_array_index (keys->chain, i));

      if (!g_strv_contains ((const char * const *)keys->set.retired, older))
        {
          g_printerr (_("intake-admin: retire the older office key %s first\n"), older);
          return EXIT_FAILURE;
        }
    }
  object = g_strdup_printf ("office_key=%s", argv[1]);
  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "office_retire", object, "ok", "cli");
  if (!intake_store_retire_office_key (store, argv[1], event, &error))
    return intake_admin_fail (error);
  g_print (_("office key %s is retired: envelopes sealed for it are refused (retired_office_key) and reviewers "
             "no longer receive it. Restart every intake-server instance.\n"), argv[1]);
  return EXIT_SUCCESS;
}

/* intake-admin-reviewer.c: reviewer add, remove and list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-field.h"
#include "intake-keys.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* reviewer add --office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) --name NAME
 *              [--reviewer-passphrase-file FILE] */
int
intake_admin_reviewer_add (int    argc,
                           char **argv)
{
  const char *usage = "reviewer add --office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) "
                      "--name NAME [--reviewer-passphrase-file FILE]";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *reviewer_passphrase_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *reviewer_id = NULL;
  g_autofree char *office_key_id = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeSecureBuffer) reviewer_passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeOfficePublic) store_office = NULL;
  g_autoptr(IntakeReviewerKey) reviewer = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(IntakeStore) store = NULL;
  IntakeStoreReviewer record = { 0 };
  IntakeReviewerPublic reviewer_public;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, N_("Office key directory"), "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, N_("Passphrase of the office secret"), "FILE" },
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The reviewer's name (they unlock with it)"), "NAME" },
    { "reviewer-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &reviewer_passphrase_file,
      N_("The reviewer's new passphrase (at least 12 bytes)"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (office_dir == NULL || name == NULL || *g_strstrip (name) == '\0')
    return intake_admin_usage_error (usage, _("--office and --name are required"));
  if (strlen (name) > 128 || !g_utf8_validate (name, -1, NULL))
    return intake_admin_usage_error (usage, _("--name must be at most 128 bytes of UTF-8"));
  /* Reviewers are told apart by name in lists and in the audit trail. */
  if (!intake_field_check (name, -1, "--name", &error))
    {
      status = intake_admin_usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)))
    return intake_admin_fail (error);

  /* A reviewer key for another office would open nothing in this store. */
  if ((store_office = intake_store_dup_office (store, NULL)) != NULL &&
      memcmp (store_office->key_id, intake_office_secret_get_public (office)->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    {
      g_autofree char *ours = intake_office_public_dup_key_id_hex (store_office);
      g_autofree char *theirs = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));

      g_printerr ("intake-admin: ");
      g_printerr (_("the office key in %s (%s) is not the one this store serves (%s)\n"),
                  office_dir, theirs, ours);
      return EXIT_FAILURE;
    }

  if (reviewer_passphrase_file == NULL)
    g_printerr ("%s\n", _("The reviewer chooses a passphrase of at least 12 bytes."));
  if (!(reviewer_passphrase = intake_admin_get_passphrase (reviewer_passphrase_file, TRUE, &error)) ||
      !(reviewer = intake_reviewer_key_generate (office, &error)) ||
      !(record.blob = intake_reviewer_key_wrap (reviewer, reviewer_passphrase, &error)))
    return intake_admin_fail (error);

  intake_reviewer_key_get_public (reviewer, &reviewer_public);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = name;
  memcpy (record.sign_pk, reviewer_public.sign_pk, sizeof record.sign_pk);
  record.created_at = g_get_real_time () / G_USEC_PER_SEC;
  event = intake_audit_event_new (record.created_at, "admin", "reviewer_add", name, "ok", "cli");
  if (!intake_store_add_reviewer (store, &record, event, &error))
    {
      g_bytes_unref (record.blob);
      return intake_admin_fail (error);
    }
  g_bytes_unref (record.blob);

  office_key_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));
  g_print ("reviewer:   %s\n", name);
  g_print ("id:         %s\n", reviewer_id);
  g_print ("office key: %s\n", office_key_id);
  g_print ("%s\n", _("They unlock with their name and passphrase in intake-review."));
  return EXIT_SUCCESS;
}

/* reviewer remove (--data DIR | --postgres CONNINFO) --name NAME */
int
intake_admin_reviewer_remove (int    argc,
                              char **argv)
{
  const char *usage = "reviewer remove (--data DIR | --postgres CONNINFO) --name NAME";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The reviewer to remove"), "NAME" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (name == NULL)
    return intake_admin_usage_error (usage, _("--name is required"));

  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "reviewer_remove", name, "ok", "cli");
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_revoke_reviewer (store, name, g_get_real_time () / G_USEC_PER_SEC, event, &error))
    return intake_admin_fail (error);
  g_print (_("removed reviewer %s: their requests are refused and their key is no longer served\n"), name);
  return EXIT_SUCCESS;
}

/* reviewer list (--data DIR | --postgres CONNINFO) */
int
intake_admin_reviewer_list (int    argc,
                            char **argv)
{
  const char *usage = "reviewer list (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) reviewers = NULL;
  GError *error = NULL;
  int status = 0;
  int width = (int)strlen ("NAME");
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
      !(reviewers = intake_store_list_reviewers (store, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; i < reviewers->len; i++)
    width = MAX (width, (int)g_utf8_strlen (((IntakeStoreReviewer *)g_ptr_array_index (reviewers, i))->name, -1));
  g_print ("%-*s  %-32s  %-7s  %s\n", width, "NAME", "ID", "STATUS", "CREATED");
  for (guint i = 0; i < reviewers->len; i++)
    {
      const IntakeStoreReviewer *reviewer = g_ptr_array_index (reviewers, i);
      g_autofree char *created = intake_admin_format_time (reviewer->created_at);
      int pad = width - (int)g_utf8_strlen (reviewer->name, -1);

      g_print ("%s%*s  %-32s  %-7s  %s\n", reviewer->name, pad, "", reviewer->reviewer_id,
               intake_reviewer_status_to_string (reviewer->status), created);
    }
  return EXIT_SUCCESS;
}

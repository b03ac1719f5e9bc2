/* intake-admin-reviewer.c: reviewers: add, reset, activate, set, unblock, remove, list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/admin.md, "Reviewers". A reviewer is added (or reset) as an
 * activation: the office secret sealed with a one-time code, which the
 * reviewer takes over on their own workstation (intake-review, or
 * "reviewer activate") with their own passphrase and a workstation key
 * that never leaves it. Adding is done either by whoever holds the office
 * secret, straight into the store (--office), or by an administrator
 * reviewer over the server from their own unlocked key (--server --as).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-escape.h"
#include "intake-field.h"
#include "intake-keys.h"
#include "intake-reference.h"
#include "intake-review-client.h"
#include "intake-roles.h"
#include "intake-server-util.h"
#include "intake-store.h"

#define SETUP_TTL_DEFAULT "72h"

/* --roles caseworker,team_lead: at least one known role. */
static gboolean
parse_roles (const char  *text,
             guint       *out_roles,
             const char  *usage,
             int         *out_status)
{
  IntakeRoles roles = 0;

  if (text == NULL || !intake_roles_from_string (text, &roles) || roles == 0)
    {
      *out_status = intake_admin_usage_error (usage, _("--roles is a comma-separated list of caseworker, "
                                                       "team_lead, privacy_officer and administrator"));
      return FALSE;
    }
  *out_roles = roles;
  return TRUE;
}

/* Repeated --location / --unit values (NULL: every one). */
static char **
scope_list (char **values)
{
  if (values == NULL || values[0] == NULL)
    return NULL;
  for (guint i = 0; values[i] != NULL; i++)
    g_strstrip (values[i]);
  return g_strdupv (values);
}

static char *
describe_scope (char * const *locations,
                char * const *units)
{
  g_autofree char *where = locations != NULL ? g_strjoinv ("|", (char **) locations) : g_strdup ("*");
  g_autofree char *which = units != NULL ? g_strjoinv ("|", (char **) units) : g_strdup ("*");
  g_autofree char *text = g_strdup_printf ("locations=%s units=%s", where, which);

  return intake_escape_field (text);
}

static void
print_code (const char *name,
            const char *code,
            gint64      expires_at)
{
  g_autofree char *escaped = intake_escape_field (name);
  g_autofree char *expires = intake_admin_format_time (expires_at);

  g_print ("reviewer:   %s\n", escaped);
  g_print ("expires:    %s\n", expires);
  g_print ("%s\n", _("Give this activation code to the reviewer in person (or in a sealed letter). They "
                     "activate on their own computer in intake-review, choose their password there, and "
                     "print their recovery sheet. The code works once."));
  g_print ("%s\n", code);
}

/* --office DIR: whoever holds the office secret seals it with a new code
 * and stores the activation straight in the store. */
static int
setup_with_office (const char  *usage,
                   const char  *office_dir,
                   const char  *passphrase_file,
                   const char  *data_dir,
                   const char  *conninfo,
                   const char  *name,
                   gboolean     roles_given,
                   guint        roles,
                   char       **locations,
                   char       **units,
                   gint64       ttl,
                   gboolean     reset)
{
  g_autofree char *secret_path = g_build_filename (office_dir, "office.secret", NULL);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeOfficePublic) store_office = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeStoreReviewer) existing = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(IntakeSecureStr) code = NULL;
  g_autoptr(GBytes) blob = NULL;
  IntakeStoreReviewerSetup setup = { 0 };
  GError *error = NULL;

  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)))
    return intake_admin_fail (error);

  /* An activation for another office would open nothing in this store. */
  if ((store_office = intake_store_dup_office (store, NULL)) != NULL &&
      memcmp (store_office->key_id, intake_office_secret_get_public (office)->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    {
      g_autofree char *ours = intake_office_public_dup_key_id_hex (store_office);
      g_autofree char *theirs = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));

      g_printerr ("intake-admin: ");
      g_printerr (_("the office key in %s (%s) is not the one this store serves (%s)\n"), office_dir, theirs, ours);
      return EXIT_FAILURE;
    }

  existing = intake_store_get_reviewer (store, NULL, name, NULL);
  if (existing != NULL && existing->status != INTAKE_REVIEWER_STATUS_ACTIVE)
    g_clear_pointer (&existing, intake_store_reviewer_free);
  if (reset && existing == NULL)
    {
      g_printerr ("intake-admin: ");
      g_printerr (_("no active reviewer named \"%s\"; add them with \"reviewer add\"\n"), name);
      return EXIT_FAILURE;
    }
  if (!reset && existing != NULL)
    {
      g_printerr ("intake-admin: ");
      g_printerr (_("an active reviewer is named \"%s\" already; to give them a new key, use \"reviewer reset\"\n"),
                  name);
      return EXIT_FAILURE;
    }

  code = intake_activation_code_generate ();
  if (!(credentials = intake_credentials_new_setup (code, strlen (code), NULL, &error)) ||
      !(blob = intake_office_secret_seal_setup (office, credentials, &error)))
    return intake_admin_fail (error);

  setup.name = (char *) name;
  setup.blob = blob;
  setup.roles = roles_given ? roles : existing->roles;
  setup.locations = roles_given || locations != NULL ? locations : existing->locations;
  setup.units = roles_given || units != NULL ? units : existing->units;
  setup.created_at = g_get_real_time () / G_USEC_PER_SEC;
  setup.expires_at = setup.created_at + ttl;
  setup.created_by = (char *) "admin";
  event = intake_audit_event_new (setup.created_at, "admin", reset ? "reviewer_reset" : "reviewer_add", name, "ok",
                                  "cli");
  if (!intake_store_put_reviewer_setup (store, &setup, event, &error))
    return intake_admin_fail (error);
  print_code (name, code, setup.expires_at);
  return EXIT_SUCCESS;
}

/* --server URL --as ADMIN: an administrator reviewer seals the office
 * secret of their own unlocked key with a new code, over the server. */
static int
setup_over_server (const char  *server,
                   const char  *tls_ca,
                   const char  *admin,
                   const char  *passphrase_file,
                   const char  *workstation_key,
                   const char  *name,
                   gboolean     roles_given,
                   guint        roles,
                   char       **locations,
                   char       **units,
                   gint64       ttl)
{
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeReviewClient) client = NULL;
  g_autoptr(GAsyncResult) unlocked = NULL;
  g_autoptr(GAsyncResult) made = NULL;
  g_autofree char *code = NULL;
  IntakeAdminSync sync;
  GError *error = NULL;

  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)))
    return intake_admin_fail (error);
  intake_admin_sync_init (&sync);
  if (!(client = intake_admin_client_new (server, tls_ca, workstation_key, &error)))
    {
      intake_admin_sync_clear (&sync);
      return intake_admin_fail (error);
    }
  intake_review_client_unlock_async (client, admin, passphrase, NULL, intake_admin_sync_cb, &sync);
  unlocked = intake_admin_sync_wait (&sync);
  if (intake_review_client_unlock_finish (client, unlocked, &error))
    {
      intake_review_client_create_activation_async (client, name, roles, (const char * const *) locations,
                                                    (const char * const *) units, !roles_given, ttl, NULL,
                                                    intake_admin_sync_cb, &sync);
      made = intake_admin_sync_wait (&sync);
      code = intake_review_client_create_activation_finish (client, made, &error);
    }
  intake_review_client_lock (client);
  g_clear_object (&client);
  intake_admin_sync_clear (&sync);
  if (code == NULL)
    return intake_admin_fail (error);
  print_code (name, code, g_get_real_time () / G_USEC_PER_SEC + ttl);
  intake_secure_wipe (code, strlen (code));
  return EXIT_SUCCESS;
}

static int
reviewer_setup (int       argc,
                char    **argv,
                gboolean  reset)
{
  const char *usage = reset
    ? "reviewer reset --name NAME [--roles ROLES] [--location L]... [--unit U]... [--expires DURATION]\n"
      "                 (--office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) |\n"
      "                  --server URL --as ADMIN [--passphrase-file FILE] [--workstation-key FILE] [--tls-ca FILE])"
    : "reviewer add --name NAME --roles ROLES [--location L]... [--unit U]... [--expires DURATION]\n"
      "               (--office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) |\n"
      "                --server URL --as ADMIN [--passphrase-file FILE] [--workstation-key FILE] [--tls-ca FILE])";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *server = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *workstation_key = NULL;
  g_autofree char *tls_ca = NULL;
  g_autofree char *name = NULL;
  g_autofree char *roles_text = NULL;
  g_autofree char *expires = NULL;
  g_auto(GStrv) location_args = NULL;
  g_auto(GStrv) unit_args = NULL;
  g_auto(GStrv) locations = NULL;
  g_auto(GStrv) units = NULL;
  GError *error = NULL;
  guint roles = 0;
  gint64 ttl = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The reviewer's name (they unlock with it)"), "NAME" },
    { "roles", 0, 0, G_OPTION_ARG_STRING, &roles_text,
      N_("caseworker, team_lead, privacy_officer, administrator (comma-separated)"), "ROLES" },
    { "location", 0, 0, G_OPTION_ARG_STRING_ARRAY, &location_args, N_("Limit to this location (repeatable)"), "L" },
    { "unit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &unit_args, N_("Limit to this unit (repeatable)"), "U" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, N_("How long the code works (default 72h)"), "DURATION" },
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, N_("Office key directory (office secret holder)"), "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Passphrase of the office secret (--office) or of the administrator (--as)"), "FILE" },
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The office server (as an administrator)"), "URL" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &admin, N_("The administrator reviewer's name"), "ADMIN" },
    { "workstation-key", 0, 0, G_OPTION_ARG_FILENAME, &workstation_key,
      N_("The administrator's workstation key file (default: the keyring or data directory)"), "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, N_("Trust the CAs in this PEM file"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (name == NULL || *g_strstrip (name) == '\0' || strlen (name) > 128 || !g_utf8_validate (name, -1, NULL))
    return intake_admin_usage_error (usage, _("--name is required: at most 128 bytes of UTF-8"));
  /* Reviewers are told apart by name in lists and in the audit trail. */
  if (!intake_field_check (name, -1, "--name", &error))
    {
      status = intake_admin_usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }
  if ((office_dir == NULL) == (server == NULL))
    return intake_admin_usage_error (usage, _("give --office DIR (office secret holder) or --server URL --as ADMIN"));
  if (server != NULL && admin == NULL)
    return intake_admin_usage_error (usage, _("--server needs --as ADMIN"));
  if (!reset && roles_text == NULL)
    return intake_admin_usage_error (usage, _("--roles is required"));
  if (roles_text != NULL && !parse_roles (roles_text, &roles, usage, &status))
    return status;
  if (!intake_parse_duration (expires != NULL ? expires : SETUP_TTL_DEFAULT, &ttl, &error))
    return intake_admin_fail (error);
  locations = scope_list (location_args);
  units = scope_list (unit_args);

  if (office_dir != NULL)
    return setup_with_office (usage, office_dir, passphrase_file, data_dir, conninfo, name, roles_text != NULL,
                              roles, locations, units, ttl, reset);
  return setup_over_server (server, tls_ca, admin, passphrase_file, workstation_key, name, roles_text != NULL, roles,
                            locations, units, ttl);
}

int
intake_admin_reviewer_add (int    argc,
                           char **argv)
{
  return reviewer_setup (argc, argv, FALSE);
}

int
intake_admin_reviewer_reset (int    argc,
                             char **argv)
{
  return reviewer_setup (argc, argv, TRUE);
}

/* reviewer activate --server URL --name NAME --code CODE [--passphrase-file FILE]
 *                   [--workstation-key FILE] [--recovery-sheet FILE] [--tls-ca FILE] */
int
intake_admin_reviewer_activate (int    argc,
                                char **argv)
{
  const char *usage = "reviewer activate --server URL --name NAME --code CODE [--passphrase-file FILE] "
                      "[--workstation-key FILE] [--recovery-sheet FILE] [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *name = NULL;
  g_autofree char *code = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *workstation_key = NULL;
  g_autofree char *sheet = NULL;
  g_autofree char *tls_ca = NULL;
  g_autofree char *kept_error = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeReviewClient) client = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(GAsyncResult) activated = NULL;
  g_autoptr(IntakeSecureStr) recovery = NULL;
  IntakeAdminSync sync;
  GError *error = NULL;
  gboolean kept = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The office server"), "URL" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name, as the administrator gave it"), "NAME" },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The activation code"), "CODE" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Your new passphrase (at least 12 bytes)"), "FILE" },
    { "workstation-key", 0, 0, G_OPTION_ARG_FILENAME, &workstation_key,
      N_("Keep the workstation key in this file (default: the keyring or data directory)"), "FILE" },
    { "recovery-sheet", 0, 0, G_OPTION_ARG_FILENAME, &sheet, N_("Write the recovery sheet here (text)"), "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, N_("Trust the CAs in this PEM file"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (server == NULL || name == NULL || code == NULL)
    return intake_admin_usage_error (usage, _("--server, --name and --code are required"));

  if (passphrase_file == NULL)
    g_printerr ("%s\n", _("Choose your passphrase: at least 12 bytes, a few unrelated words."));
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, TRUE, &error)))
    return intake_admin_fail (error);
  intake_admin_sync_init (&sync);
  if ((client = intake_admin_client_new (server, tls_ca, workstation_key, &error)) != NULL)
    {
      intake_review_client_activate_async (client, name, code, passphrase, NULL, intake_admin_sync_cb, &sync);
      activated = intake_admin_sync_wait (&sync);
      workstation = intake_review_client_activate_finish (client, activated, &kept, &kept_error, &error);
      intake_review_client_lock (client);
      g_clear_object (&client);
    }
  intake_admin_sync_clear (&sync);
  if (workstation == NULL)
    return intake_admin_fail (error);

  recovery = intake_workstation_key_dup_recovery_code (workstation);
  if (sheet != NULL)
    {
      g_autofree char *escaped = intake_escape_field (name);
      g_autofree char *now = intake_admin_format_time (g_get_real_time () / G_USEC_PER_SEC);
      g_autoptr(IntakeSecureStr) text = g_strdup_printf (
        "intake-review recovery sheet\n\nReviewer: %s\nServer:   %s\nMade:     %s\n\nRecovery code:\n%s\n\n"
        "Keep this sheet locked away, like a spare key. With it and your password you can use intake-review on "
        "another computer: choose \"Enter recovery code\" there. Without your password it opens nothing.\n",
        escaped, server, now, recovery);
      g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
      g_autoptr(GFile) file = g_file_new_for_path (sheet);
      g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);

      if (out == NULL ||
          !g_output_stream_write_all (G_OUTPUT_STREAM (out), text, strlen (text), NULL, NULL, &error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
        return intake_admin_fail (error);
    }
  g_print (_("activated: %s can now unlock with their passphrase\n"), name);
  if (kept)
    g_print (_("workstation key kept %s\n"), workstation_key != NULL ? workstation_key : _("in the keyring or data directory"));
  else
    g_printerr (_("the workstation key could not be kept on this computer (%s): keep the recovery code\n"), kept_error);
  g_print ("%s\n", _("Recovery code (write it on the recovery sheet and keep it locked away):"));
  g_print ("%s\n", recovery);
  return EXIT_SUCCESS;
}

/* reviewer set (--data DIR | --postgres CONNINFO) --name NAME --roles ROLES [--location L]... [--unit U]... */
int
intake_admin_reviewer_set (int    argc,
                           char **argv)
{
  const char *usage = "reviewer set (--data DIR | --postgres CONNINFO) --name NAME --roles ROLES "
                      "[--location L]... [--unit U]...";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *roles_text = NULL;
  g_autofree char *object = NULL;
  g_autofree char *scope = NULL;
  g_auto(GStrv) location_args = NULL;
  g_auto(GStrv) unit_args = NULL;
  g_auto(GStrv) locations = NULL;
  g_auto(GStrv) units = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  GError *error = NULL;
  guint roles = 0;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The reviewer"), "NAME" },
    { "roles", 0, 0, G_OPTION_ARG_STRING, &roles_text,
      N_("caseworker, team_lead, privacy_officer, administrator (comma-separated)"), "ROLES" },
    { "location", 0, 0, G_OPTION_ARG_STRING_ARRAY, &location_args, N_("Limit to this location (repeatable)"), "L" },
    { "unit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &unit_args, N_("Limit to this unit (repeatable)"), "U" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (name == NULL || roles_text == NULL)
    return intake_admin_usage_error (usage, _("--name and --roles are required"));
  if (strlen (name) > 128 || !g_utf8_validate (name, -1, NULL))
    return intake_admin_usage_error (usage, _("--name must be at most 128 bytes of UTF-8"));
  /* Reviewers are told apart by name in lists and in the audit trail. */
  if (!intake_field_check (name, -1, "--name", &error))
    {
      status = intake_admin_usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }
  if (!parse_roles (roles_text, &roles, usage, &status))
    return status;
  locations = scope_list (location_args);
  units = scope_list (unit_args);

  scope = describe_scope (locations, units);
  object = g_strdup_printf ("%s roles=%s %s", name, roles_text, scope);
  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "reviewer_access", object, "ok", "cli");
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_set_reviewer_access (store, name, roles, (const char * const *) locations,
                                         (const char * const *) units, event, &error))
    return intake_admin_fail (error);
  g_print (_("%s: roles %s, %s (effective on their next request)\n"), name, roles_text, scope);
  return EXIT_SUCCESS;
}

/* reviewer unblock (--data DIR | --postgres CONNINFO) --name NAME */
int
intake_admin_reviewer_unblock (int    argc,
                               char **argv)
{
  const char *usage = "reviewer unblock (--data DIR | --postgres CONNINFO) --name NAME";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_key = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The name whose failed unlocks to forget"), "NAME" },
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

  name_key = intake_store_name_key (name);
  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "reviewer_unblock", name, "ok", "cli");
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_clear_throttle (store, name_key, event, &error))
    return intake_admin_fail (error);
  g_print (_("%s: failed unlocks forgotten, the name is no longer locked\n"), name);
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
  g_autoptr(GPtrArray) setups = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GError *error = NULL;
  int status = 0;
  int widths[7] = { 0 };
  const char *header[] = { "NAME", "ID", "STATUS", "KEY", "ROLES", "SCOPE", "CREATED", NULL };
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
      !(reviewers = intake_store_list_reviewers (store, &error)) ||
      !(setups = intake_store_list_reviewer_setups (store, &error)))
    return intake_admin_fail (error);

  g_ptr_array_add (rows, g_strdupv ((char **) header));
  for (guint i = 0; i < reviewers->len; i++)
    {
      const IntakeStoreReviewer *reviewer = g_ptr_array_index (reviewers, i);
      IntakeReviewerBlobInfo info = { 0 };
      char **row = g_new0 (char *, 8);

      intake_reviewer_key_blob_peek (reviewer->blob, &info, NULL);
      row[0] = intake_escape_field (reviewer->name);
      row[1] = g_strdup (reviewer->reviewer_id);
      row[2] = g_strdup (intake_reviewer_status_to_string (reviewer->status));
      /* Format 1 keys (a passphrase alone) are never served: such a reviewer needs "reviewer reset". */
      row[3] = g_strdup (info.version == 1 ? "1-reset" : "2");
      row[4] = intake_roles_to_string (reviewer->roles);
      row[5] = describe_scope (reviewer->locations, reviewer->units);
      row[6] = intake_admin_format_time (reviewer->created_at);
      g_ptr_array_add (rows, row);
    }
  for (guint i = 0; i < setups->len; i++)
    {
      const IntakeStoreReviewerSetup *setup = g_ptr_array_index (setups, i);
      g_autofree char *expires = intake_admin_format_time (setup->expires_at);
      char **row = g_new0 (char *, 8);

      row[0] = intake_escape_field (setup->name);
      row[1] = g_strdup ("-");
      row[2] = g_strdup_printf ("pending (code until %s)", expires);
      row[3] = g_strdup ("-");
      row[4] = intake_roles_to_string (setup->roles);
      row[5] = describe_scope (setup->locations, setup->units);
      row[6] = intake_admin_format_time (setup->created_at);
      g_ptr_array_add (rows, row);
    }
  for (guint i = 0; i < rows->len; i++)
    for (guint k = 0; k < 7; k++)
      widths[k] = MAX (widths[k], (int) g_utf8_strlen (((char **) g_ptr_array_index (rows, i))[k], -1));
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      for (guint k = 0; k < 7; k++)
        g_print ("%s%*s%s", row[k], k < 6 ? widths[k] - (int) g_utf8_strlen (row[k], -1) : 0, "", k < 6 ? "  " : "\n");
    }
  return EXIT_SUCCESS;
}

/* intake-admin-retention.c: purge (the retention rules, on demand) and
 * erase (one submission)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is kept, for how long and what removes it: docs/privacy.md.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-reference.h"
#include "intake-server-util.h"
#include "intake-store.h"

#define NOT_GIVEN G_MININT

/* purge (--data DIR | --postgres CONNINFO) [--retain-closed-days DAYS]
 * [--retain-max-days DAYS] [--retain-help-days DAYS] [--dry-run] */
int
intake_admin_purge (int    argc,
                    char **argv)
{
  const char *usage = "purge (--data DIR | --postgres CONNINFO) [--retain-closed-days DAYS] "
                      "[--retain-max-days DAYS] [--retain-help-days DAYS] [--dry-run]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  int days[INTAKE_RETENTION_N_RULES] = { NOT_GIVEN, NOT_GIVEN, NOT_GIVEN };
  gint64 counts[INTAKE_RETENTION_N_RULES] = { 0 };
  IntakeRetention retention;
  gboolean dry_run = FALSE;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "retain-closed-days", 0, 0, G_OPTION_ARG_INT, &days[INTAKE_RETENTION_CLOSED],
      N_("Days closed submissions are kept after their last change; 0: to the maximum (default 90)"), "DAYS" },
    { "retain-max-days", 0, 0, G_OPTION_ARG_INT, &days[INTAKE_RETENTION_MAXIMUM],
      N_("Days any submission is kept after it was received (default 3653)"), "DAYS" },
    { "retain-help-days", 0, 0, G_OPTION_ARG_INT, &days[INTAKE_RETENTION_HELP],
      N_("Days help requests are kept (default 30)"), "DAYS" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Only count what would be removed"), NULL },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  intake_retention_init (&retention);
  for (IntakeRetentionRule rule = 0; rule < INTAKE_RETENTION_N_RULES; rule++)
    if (days[rule] != NOT_GIVEN && !intake_retention_set_days (&retention, rule, days[rule], &error))
      {
        status = intake_admin_usage_error (usage, error->message);
        g_error_free (error);
        return status;
      }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_purge (store, &retention, g_get_real_time () / G_USEC_PER_SEC, dry_run, "admin", "cli",
                           counts, &error))
    return intake_admin_fail (error);
  /* Counts only: what was removed named no one, and neither does this. */
  g_print ("RULE\tDAYS\t%s\n", dry_run ? "WOULD_REMOVE" : "REMOVED");
  for (IntakeRetentionRule rule = 0; rule < INTAKE_RETENTION_N_RULES; rule++)
    {
      if (retention.days[rule] == 0)
        g_print ("%s\toff\t0\n", intake_retention_rule_to_string (rule));
      else
        g_print ("%s\t%u\t%" G_GINT64_FORMAT "\n", intake_retention_rule_to_string (rule), retention.days[rule],
                 counts[rule]);
    }
  return EXIT_SUCCESS;
}

/* Why a submission is erased: a category, never free text, because the
 * audit log keeps it as long as the store lives and free text invites a
 * name ("erasure request of J. Jansen"). */
static const char * const erase_reasons[] = { "erasure-request", "test-intake", "mistake", NULL };

/* erase (--data DIR | --postgres CONNINFO) --reference CODE --reason REASON [--device DEVICE_ID] */
int
intake_admin_erase (int    argc,
                    char **argv)
{
  const char *usage = "erase (--data DIR | --postgres CONNINFO) --reference CODE "
                      "--reason erasure-request|test-intake|mistake [--device DEVICE_ID]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *reference_text = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *result = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(IntakeAuditEvent) audit = NULL;
  IntakeStoreSubmission *submission = NULL;
  IntakeSubmissionFilter filter = { 0 };
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "reference", 0, 0, G_OPTION_ARG_STRING, &reference_text, N_("The submission's reference code"), "CODE" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      N_("Why: erasure-request, test-intake or mistake (kept in the audit log)"), "REASON" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device_id,
      N_("The kiosk that sent it, when two kiosks' submissions share the code"), "DEVICE_ID" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (reference_text == NULL)
    return intake_admin_usage_error (usage, _("--reference CODE is required"));
  if (!(reference = intake_reference_normalize (reference_text)))
    return intake_admin_usage_error (usage, _("--reference is not a reference code (eight letters and digits, such as 3WC3-TKPU)"));
  if (reason == NULL)
    return intake_admin_usage_error (usage, _("--reason is required: erasure-request, test-intake or mistake"));
  if (!g_strv_contains (erase_reasons, reason))
    return intake_admin_usage_error (usage, _("--reason takes erasure-request, test-intake or mistake, not free "
                                              "text (the audit log keeps it; keep the request itself in your "
                                              "register)"));

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return intake_admin_fail (error);
  filter.reference = reference;
  filter.limit = 100;
  if (!(found = intake_store_list_submissions (store, &filter, &error)))
    return intake_admin_fail (error);
  for (guint i = 0; i < found->len; i++)
    {
      IntakeStoreSubmission *candidate = g_ptr_array_index (found, i);

      if (device_id != NULL && !g_str_equal (candidate->envelope.device_id, device_id))
        continue;
      if (submission != NULL)
        {
          g_printerr ("intake-admin: %s\n",
                      _("several kiosks sent a submission with this reference code; name the one with "
                        "--device DEVICE_ID (intake-admin device list); nothing was erased"));
          return EXIT_FAILURE;
        }
      submission = candidate;
    }
  if (submission == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("no submission has reference code %s; nothing was erased"),
                                                  reference);

      g_printerr ("intake-admin: %s\n", message);
      return EXIT_FAILURE;
    }

  result = g_strdup_printf ("ok reason=%s", reason);
  audit = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "erase",
                                  submission->envelope.submission_id, result, "cli");
  if (!intake_store_erase_submission (store, submission->envelope.device_id, submission->envelope.submission_id,
                                      audit, &error))
    return intake_admin_fail (error);
  /* Translators: the reference code, the number of notes and the audit event's number. */
  g_print (g_dngettext (GETTEXT_PACKAGE, "erased %s: its envelope, workflow and %lld note; audit event %lld\n",
                        "erased %s: its envelope, workflow and %lld notes; audit event %lld\n",
                        (gulong)submission->notes),
           reference, (long long)submission->notes, (long long)audit->seq);
  return EXIT_SUCCESS;
}

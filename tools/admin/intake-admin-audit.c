/* intake-admin-audit.c: audit verify (the hash chain) and show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
#include "intake-escape.h"
#include "intake-server-util.h"
#include "intake-store.h"

/* audit verify (--data DIR | --postgres CONNINFO) */
int
intake_admin_audit_verify (int    argc,
                           char **argv)
{
  const char *usage = "audit verify (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  IntakeAuditVerifier verifier;
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

  intake_audit_verifier_init (&verifier);
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_verify_audit (store, &verifier, &error))
    {
      intake_audit_verifier_clear (&verifier);
      return intake_admin_fail (error);
    }
  if (verifier.problem != INTAKE_AUDIT_PROBLEM_NONE)
    {
      g_autofree char *message = NULL;

      g_print (g_dngettext (GETTEXT_PACKAGE, "checked: %lld good event before the problem\n",
                            "checked: %lld good events before the problem\n", (gulong) verifier.count),
               (long long) verifier.count);
      /* Translators: the event's sequence number, what is wrong (a code) and details. */
      message = g_strdup_printf (_("audit chain broken at seq %lld: %s (%s); restore the log "
                                   "from a backup and find out who had access to the store"),
                                 (long long) verifier.bad_seq, intake_audit_problem_to_string (verifier.problem),
                                 verifier.detail);
      g_printerr ("intake-admin: %s\n", message);
      intake_audit_verifier_clear (&verifier);
      return EXIT_FAILURE;
    }
  /* Translators: the number of events, then the last one's sequence number and hash. */
  g_print (g_dngettext (GETTEXT_PACKAGE, "audit chain intact: %lld event, head %lld %s\n",
                        "audit chain intact: %lld events, head %lld %s\n", (gulong) verifier.count),
           (long long) verifier.count, (long long) verifier.head_seq, verifier.head_hash);
  intake_audit_verifier_clear (&verifier);
  return EXIT_SUCCESS;
}

/* audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N] */
int
intake_admin_audit_show (int    argc,
                         char **argv)
{
  const char *usage = "audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *object = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  GError *error = NULL;
  gint64 after = 0;
  int limit = 1000;
  int status = 0;
  GOptionEntry entries[] = {
    INTAKE_ADMIN_STORE_OPTIONS (data_dir, conninfo),
    { "object", 0, 0, G_OPTION_ARG_STRING, &object, N_("Only events about this object (a submission id, a name)"), "ID" },
    { "after", 0, 0, G_OPTION_ARG_INT64, &after, N_("Only events after this seq"), "SEQ" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most this many events (default 1000)"), "N" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, _("give exactly one of --data DIR and --postgres CONNINFO"));
  if (limit < 1 || after < 0)
    return intake_admin_usage_error (usage, _("--limit must be positive and --after not negative"));

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(events = intake_store_list_audit (store, object, after, (guint)limit, &error)))
    return intake_admin_fail (error);
  /* One line per event, seven tab-separated fields: every field is
   * escaped (intake_escape_field), so a TAB, newline, control or bidi
   * character stored in a name cannot make a fake row or column. */
  g_print ("SEQ\tTIME\tACTOR\tACTION\tOBJECT\tRESULT\tORIGIN\n");
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);
      g_autofree char *when = intake_admin_format_time (event->time);
      g_autofree char *actor = intake_escape_field (event->actor);
      g_autofree char *action = intake_escape_field (event->action);
      g_autofree char *object_text = intake_escape_field (event->object);
      g_autofree char *result = intake_escape_field (event->result);
      g_autofree char *origin = intake_escape_field (event->origin);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", event->seq, when, actor, action,
               object_text, result, origin);
    }
  return EXIT_SUCCESS;
}

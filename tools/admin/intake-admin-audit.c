/* intake-admin-audit.c: audit verify (the hash chain) and show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-audit.h"
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
    return intake_admin_usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  intake_audit_verifier_init (&verifier);
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_verify_audit (store, &verifier, &error))
    {
      intake_audit_verifier_clear (&verifier);
      return intake_admin_fail (error);
    }
  if (verifier.problem != INTAKE_AUDIT_PROBLEM_NONE)
    {
      g_print ("checked: %" G_GINT64_FORMAT " good events before the problem\n", verifier.count);
      g_printerr ("intake-admin: audit chain broken at seq %" G_GINT64_FORMAT ": %s (%s); restore the log "
                  "from a backup and find out who had access to the store\n",
                  verifier.bad_seq, intake_audit_problem_to_string (verifier.problem), verifier.detail);
      intake_audit_verifier_clear (&verifier);
      return EXIT_FAILURE;
    }
  g_print ("audit chain intact: %" G_GINT64_FORMAT " events, head %" G_GINT64_FORMAT " %s\n",
           verifier.count, verifier.head_seq, verifier.head_hash);
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
    { "object", 0, 0, G_OPTION_ARG_STRING, &object, "Only events about this object (a submission id, a name)", "ID" },
    { "after", 0, 0, G_OPTION_ARG_INT64, &after, "Only events after this seq", "SEQ" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most this many events (default 1000)", "N" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return intake_admin_usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");
  if (limit < 1 || after < 0)
    return intake_admin_usage_error (usage, "--limit must be positive and --after not negative");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(events = intake_store_list_audit (store, object, after, (guint)limit, &error)))
    return intake_admin_fail (error);
  g_print ("SEQ\tTIME\tACTOR\tACTION\tOBJECT\tRESULT\tORIGIN\n");
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);
      g_autofree char *when = intake_admin_format_time (event->time);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", event->seq, when, event->actor, event->action,
               event->object, event->result, event->origin);
    }
  return EXIT_SUCCESS;
}

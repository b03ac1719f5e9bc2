/* intake-admin-outbox.c: outbox status, the counts of a kiosk's outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-outbox.h"

/* outbox status DB */
int
intake_admin_outbox_status (int    argc,
                            char **argv)
{
  const char *usage = "outbox status DB";
  g_autoptr(IntakeOutbox) outbox = NULL;
  IntakeOutboxCounts counts;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = { { NULL } };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return intake_admin_usage_error (usage, _("expected exactly one outbox database"));
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_printerr ("intake-admin: ");
      g_printerr (_("%s does not exist; give the outbox.db of a kiosk state directory\n"),
                  argv[1]);
      return EXIT_FAILURE;
    }

  if (!(outbox = intake_outbox_open (argv[1], &error)) ||
      !intake_outbox_get_counts (outbox, &counts, &error))
    return intake_admin_fail (error);

  g_print ("outbox:    %s\n", argv[1]);
  g_print ("schema:    %d\n", intake_outbox_get_schema_version (outbox));
  g_print ("pending:   %u\n", counts.pending);
  g_print ("exported:  %u (pending, also written to a bundle)\n", counts.exported_pending);
  g_print ("delivered: %u\n", counts.delivered);
  if (counts.pending > 0)
    {
      g_autoptr(GDateTime) oldest = g_date_time_new_from_unix_utc (counts.oldest_pending_at);
      g_autofree char *text = oldest ? g_date_time_format_iso8601 (oldest) : g_strdup ("?");

      g_print ("oldest pending: %s\n", text);
    }
  return EXIT_SUCCESS;
}

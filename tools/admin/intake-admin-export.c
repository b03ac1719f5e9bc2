/* intake-admin-export.c: export, a reviewer's decrypted submissions as
 * CSV or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-review-client.h"

/* export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE [--tls-ca FILE] */
int
intake_admin_export (int    argc,
                     char **argv)
{
  const char *usage = "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json "
                      "--out FILE [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *reviewer = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *format = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *tls_ca = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GTlsDatabase) tls = NULL;
  GError *error = NULL;
  guint64 rows = 0;
  gboolean json;
  int status = 0;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The office server", "URL" },
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, "Reviewer name", "NAME" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "The reviewer's passphrase", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv (with a byte order mark for Excel) or json", "FORMAT" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "File to write (mode 0600)", "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, "Trust the CAs in this PEM file", "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, "unexpected argument");
  if (server == NULL || reviewer == NULL || format == NULL || out_path == NULL)
    return intake_admin_usage_error (usage, "--server, --reviewer, --format and --out are required");
  if (!g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return intake_admin_usage_error (usage, "--format is csv or json");
  json = g_str_equal (format, "json");

  /* The export holds answers in plain text: the one place they are written
   * to disk, on purpose, by a reviewer, and audited by the server. */
  if (!(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      (tls_ca != NULL && !(tls = g_tls_file_database_new (tls_ca, &error))) ||
      !intake_review_export_to_file (server, tls, reviewer, passphrase, NULL,
                                     json ? INTAKE_EXPORT_FORMAT_JSON : INTAKE_EXPORT_FORMAT_CSV,
                                     json ? INTAKE_EXPORT_FLAGS_NONE : INTAKE_EXPORT_FLAGS_BOM,
                                     out_path, &rows, &error))
    return intake_admin_fail (error);

  g_print ("%" G_GUINT64_FORMAT " submissions exported to %s\n", rows, out_path);
  return EXIT_SUCCESS;
}

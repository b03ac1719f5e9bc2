/* main.c: intake-review, the staff review app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "intake-review-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IntakeReviewApplication) app = NULL;
  /* Uninstalled runs (tests, scripts/run) find the compiled catalogs in the
   * build directory (docs/translations.md). */
  const char *localedir = g_getenv ("INTAKE_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = intake_review_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}

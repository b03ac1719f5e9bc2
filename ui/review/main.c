/* main.c: intake-review, the staff review app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-review-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IntakeReviewApplication) app = intake_review_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

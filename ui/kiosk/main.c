/* main.c: intake-kiosk, the resident kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-kiosk-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IntakeKioskApplication) app = intake_kiosk_application_new ();
  int status;

  status = g_application_run (G_APPLICATION (app), argc, argv);
  if (status == 0)
    status = intake_kiosk_application_get_exit_status (app);
  return status;
}

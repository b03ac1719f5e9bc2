/* main.c: intake-kiosk, the resident kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "intake-kiosk-application.h"

/* A crash in the middle of a session must not write a resident's answers
 * to disk: no core dump (RLIMIT_CORE 0, for the kernel and for
 * systemd-coredump alike), and not dumpable, so that no other process of
 * the kiosk's user can attach to it or read its memory through /proc. */
static void
protect_process (void)
{
  struct rlimit none = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &none) != 0)
    g_printerr ("intake-kiosk: cannot turn core dumps off: %s\n", g_strerror (errno));
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_printerr ("intake-kiosk: cannot make the process non-dumpable: %s\n", g_strerror (errno));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IntakeKioskApplication) app = NULL;
  int status;

  protect_process ();
  app = intake_kiosk_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  if (status == 0)
    status = intake_kiosk_application_get_exit_status (app);
  return status;
}

/* intake-kiosk-application.h: the intake-kiosk program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_KIOSK_APPLICATION (intake_kiosk_application_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskApplication, intake_kiosk_application, INTAKE, KIOSK_APPLICATION, AdwApplication)

IntakeKioskApplication *intake_kiosk_application_new             (void);
/* The exit status of modes that end by themselves (--tour); 0 otherwise. */
int                     intake_kiosk_application_get_exit_status (IntakeKioskApplication *self);

G_END_DECLS

/* intake-kiosk-staff-page.h: the kiosk's staff screen: PIN entry, then the staff information
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows either the PIN entry (locked) or, once the window calls
 * intake_kiosk_staff_page_show_status(), the staff information: sending
 * (the sync engine and the outbox), the office key fingerprint, open help
 * requests, the device, the questionnaire and the translation status. Its
 * texts are in the page's language, the office language.
 *
 * Its buttons are the page's own actions; what the window must do, it says
 * with signals:
 *
 *   staff.open            checks the PIN in a thread; "pin-accepted" if right
 *   staff.cancel          empties the PIN entry; "cancel"
 *   staff.close           "close"
 *   staff.exit            "exit"
 *   staff.resolve-help    marks the open help requests as handled
 *   staff.sync-now        one sync pass now (needs a sync engine)
 *   staff.enroll          enrolls with the server address and code typed in
 *                         (needs a sync engine; then intake_sync_reload())
 *   staff.find-drives     lists the removable drives again
 *   staff.read-receipts   reads every *.receipts file at the top of the chosen
 *                         drive (intake_sync_import_receipts())
 *   staff.write-bundle    writes intake-bundle-DEVICE_ID-YYYYMMDD-HHMMSS.ikb to
 *                         the chosen drive, reads it back, and ejects the drive
 */
#pragma once

#include <adwaita.h>

#include "intake-catalog.h"
#include "intake-kiosk-drive.h"
#include "intake-kiosk.h"
#include "intake-sync.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_KIOSK_STAFF_PAGE (intake_kiosk_staff_page_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskStaffPage, intake_kiosk_staff_page, INTAKE, KIOSK_STAFF_PAGE, GtkWidget)

/* @catalog may be NULL: the English texts. */
GtkWidget     *intake_kiosk_staff_page_new               (IntakeKiosk          *kiosk,
                                                          IntakeCatalog        *catalog);
IntakeKiosk   *intake_kiosk_staff_page_get_kiosk         (IntakeKioskStaffPage *self);
void           intake_kiosk_staff_page_set_kiosk         (IntakeKioskStaffPage *self,
                                                          IntakeKiosk          *kiosk);
IntakeCatalog *intake_kiosk_staff_page_get_catalog       (IntakeKioskStaffPage *self);
void           intake_kiosk_staff_page_set_catalog       (IntakeKioskStaffPage *self,
                                                          IntakeCatalog        *catalog);
/* The language of the staff texts (the office language; NULL: English). */
const char    *intake_kiosk_staff_page_get_language      (IntakeKioskStaffPage *self);
void           intake_kiosk_staff_page_set_language      (IntakeKioskStaffPage *self,
                                                          const char           *language);
/* The engine shown in the "Sending" section; NULL: the kiosk does not send. */
IntakeSync    *intake_kiosk_staff_page_get_sync          (IntakeKioskStaffPage *self);
void           intake_kiosk_staff_page_set_sync          (IntakeKioskStaffPage *self,
                                                          IntakeSync           *sync);
/* The "location-name" setting, shown under "Device". */
const char    *intake_kiosk_staff_page_get_location_name (IntakeKioskStaffPage *self);
void           intake_kiosk_staff_page_set_location_name (IntakeKioskStaffPage *self,
                                                          const char           *location_name);
/* Whether the staff information is shown (TRUE) or the PIN entry (FALSE). */
gboolean       intake_kiosk_staff_page_get_unlocked      (IntakeKioskStaffPage *self);

/* Returns the removable drives to offer (an array of IntakeKioskDrive). */
typedef GPtrArray *(*IntakeKioskDrivesFunc) (gpointer user_data);

/* Where the "USB stick" section finds its drives; @func NULL: the
 * removable mounts of GIO's volume monitor (intake_kiosk_drive_list_removable()). */
void           intake_kiosk_staff_page_set_drives_func   (IntakeKioskStaffPage *self,
                                                          IntakeKioskDrivesFunc func,
                                                          gpointer              user_data,
                                                          GDestroyNotify        destroy);

/* Shows an empty PIN entry, or how to set a PIN when the kiosk has none. */
void           intake_kiosk_staff_page_ask_pin           (IntakeKioskStaffPage *self);
/* Fills in and shows the staff information, which then follows the sync
 * engine's "changed" signal until the page is cleared. */
void           intake_kiosk_staff_page_show_status       (IntakeKioskStaffPage *self);
/* Cancels a PIN check, wipes the PIN entry and every staff row, stops
 * following the sync engine, and goes back to the PIN entry. */
void           intake_kiosk_staff_page_clear             (IntakeKioskStaffPage *self);
/* The button that Enter activates (Open on the PIN entry), or NULL. */
GtkWidget     *intake_kiosk_staff_page_get_default_widget (IntakeKioskStaffPage *self);

G_END_DECLS

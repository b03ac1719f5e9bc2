/* intake-kiosk-drive.h: a removable drive (a USB stick) the staff screen writes bundles to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A drive is a name for staff, the directory files go to, and a way to make
 * it safe to pull out. In the running kiosk each one is a GMount that GIO's
 * volume monitor reports as removable; a test (or a site that mounts its
 * sticks in a fixed place) can offer a plain directory instead, which then
 * needs no ejecting.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_KIOSK_DRIVE (intake_kiosk_drive_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskDrive, intake_kiosk_drive, INTAKE, KIOSK_DRIVE, GObject)

/* A plain directory as a drive: ejecting it does nothing and succeeds. */
IntakeKioskDrive *intake_kiosk_drive_new            (const char          *name,
                                                     GFile               *root);
/* @mount's name and root; ejected with @mount (or unmounted, when it cannot
 * be ejected). */
IntakeKioskDrive *intake_kiosk_drive_new_for_mount  (GMount              *mount);
const char       *intake_kiosk_drive_get_name       (IntakeKioskDrive    *self);
GFile            *intake_kiosk_drive_get_root       (IntakeKioskDrive    *self);
/* NULL for a plain directory. */
GMount           *intake_kiosk_drive_get_mount      (IntakeKioskDrive    *self);

/* Makes the drive safe to remove: ejects the mount (the whole stick), or
 * unmounts it when it cannot be ejected. */
void              intake_kiosk_drive_eject_async    (IntakeKioskDrive    *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          intake_kiosk_drive_eject_finish   (IntakeKioskDrive    *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Whether @mount looks like a stick staff may pull out: a local directory,
 * not shadowed, that can be ejected, or sits on a removable drive, or is
 * mounted under /media or /run/media. */
gboolean          intake_kiosk_drive_mount_is_removable (GMount          *mount);
/* The removable mounts @monitor knows now (IntakeKioskDrive), in its order;
 * an empty array when there are none. */
GPtrArray        *intake_kiosk_drive_list_removable (GVolumeMonitor      *monitor);

G_END_DECLS

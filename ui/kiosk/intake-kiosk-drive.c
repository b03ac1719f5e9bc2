/* intake-kiosk-drive.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-kiosk-drive.h"

struct _IntakeKioskDrive
{
  GObject  parent_instance;

  char    *name;
  GFile   *root;
  GMount  *mount;   /* nullable */
};

G_DEFINE_FINAL_TYPE (IntakeKioskDrive, intake_kiosk_drive, G_TYPE_OBJECT)

static void
intake_kiosk_drive_finalize (GObject *object)
{
  IntakeKioskDrive *self = INTAKE_KIOSK_DRIVE (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_object (&self->root);
  g_clear_object (&self->mount);

  G_OBJECT_CLASS (intake_kiosk_drive_parent_class)->finalize (object);
}

static void
intake_kiosk_drive_class_init (IntakeKioskDriveClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_kiosk_drive_finalize;
}

static void
intake_kiosk_drive_init (IntakeKioskDrive *self)
{
}

IntakeKioskDrive *
intake_kiosk_drive_new (const char *name,
                        GFile      *root)
{
  IntakeKioskDrive *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (root), NULL);

  self = g_object_new (INTAKE_TYPE_KIOSK_DRIVE, NULL);
  self->name = g_strdup (name);
  self->root = g_object_ref (root);
  return self;
}

IntakeKioskDrive *
intake_kiosk_drive_new_for_mount (GMount *mount)
{
  IntakeKioskDrive *self;

  g_return_val_if_fail (G_IS_MOUNT (mount), NULL);

  self = g_object_new (INTAKE_TYPE_KIOSK_DRIVE, NULL);
  self->name = g_mount_get_name (mount);
  self->root = g_mount_get_root (mount);
  self->mount = g_object_ref (mount);
  return self;
}

const char *
intake_kiosk_drive_get_name (IntakeKioskDrive *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_DRIVE (self), NULL);
  return self->name;
}

GFile *
intake_kiosk_drive_get_root (IntakeKioskDrive *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_DRIVE (self), NULL);
  return self->root;
}

GMount *
intake_kiosk_drive_get_mount (IntakeKioskDrive *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_DRIVE (self), NULL);
  return self->mount;
}

static void
eject_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_mount_eject_with_operation_finish (G_MOUNT (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
unmount_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_mount_unmount_with_operation_finish (G_MOUNT (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
intake_kiosk_drive_eject_async (IntakeKioskDrive    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (INTAKE_IS_KIOSK_DRIVE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_kiosk_drive_eject_async);

  /* No GMountOperation: a kiosk has nobody to answer questions, and a
   * stick that is busy says so in the error. */
  if (self->mount == NULL)
    g_task_return_boolean (task, TRUE);
  else if (g_mount_can_eject (self->mount))
    g_mount_eject_with_operation (self->mount, G_MOUNT_UNMOUNT_NONE, NULL, cancellable,
                                  eject_done_cb, g_steal_pointer (&task));
  else if (g_mount_can_unmount (self->mount))
    g_mount_unmount_with_operation (self->mount, G_MOUNT_UNMOUNT_NONE, NULL, cancellable,
                                    unmount_done_cb, g_steal_pointer (&task));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "%s can be neither ejected nor unmounted", self->name);
}

gboolean
intake_kiosk_drive_eject_finish (IntakeKioskDrive  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
intake_kiosk_drive_mount_is_removable (GMount *mount)
{
  g_autoptr(GFile) root = NULL;
  g_autoptr(GDrive) drive = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (G_IS_MOUNT (mount), FALSE);

  if (g_mount_is_shadowed (mount))
    return FALSE;
  root = g_mount_get_root (mount);
  /* Bundles are written with plain file calls: only a local directory. */
  if (!(path = g_file_get_path (root)))
    return FALSE;
  if (g_mount_can_eject (mount))
    return TRUE;
  drive = g_mount_get_drive (mount);
  if (drive != NULL && (g_drive_is_removable (drive) || g_drive_can_eject (drive)))
    return TRUE;
  return g_mount_can_unmount (mount) &&
         (g_str_has_prefix (path, "/media/") || g_str_has_prefix (path, "/run/media/"));
}

GPtrArray *
intake_kiosk_drive_list_removable (GVolumeMonitor *monitor)
{
  GPtrArray *drives = g_ptr_array_new_with_free_func (g_object_unref);
  GList *mounts;

  g_return_val_if_fail (G_IS_VOLUME_MONITOR (monitor), drives);

  mounts = g_volume_monitor_get_mounts (monitor);
  for (GList *l = mounts; l != NULL; l = l->next)
    if (intake_kiosk_drive_mount_is_removable (l->data))
      g_ptr_array_add (drives, intake_kiosk_drive_new_for_mount (l->data));
  g_list_free_full (mounts, g_object_unref);
  return drives;
}

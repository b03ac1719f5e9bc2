/* intake-server-health.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /healthz must say when the store cannot take an envelope, not only when
 * it does not answer: a load balancer or systemd then takes the server
 * out before kiosks are told "stored" by a store that is damaged or full.
 * Cheap checks run on every call; the thorough one (SQLite reads every
 * page) runs in a thread every few minutes and is reported from a cache.
 */
#include "config.h"

#include <sys/statvfs.h>

#include "intake-server-health.h"
#include "intake-server.h"

struct _IntakeServerHealth
{
  GObject      parent_instance;

  IntakeStore *store;
  guint64      min_free_disk;
  guint        check_interval;
  guint        timer_id;
  gboolean     checking;
  GError      *files_error;     /* the last thorough check's, NULL if it passed */
  char        *last_logged;     /* the last failure logged, so each is logged once */
};

G_DEFINE_FINAL_TYPE (IntakeServerHealth, intake_server_health, G_TYPE_OBJECT)

static void
check_files_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  IntakeStore *store = task_data;
  GError *error = NULL;

  if (intake_store_check_files (store, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
check_files_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IntakeServerHealth *self = INTAKE_SERVER_HEALTH (source);

  self->checking = FALSE;
  g_clear_error (&self->files_error);
  g_task_propagate_boolean (G_TASK (result), &self->files_error);
  /* Said at once, not only when something asks /healthz. */
  if (self->files_error != NULL && g_strcmp0 (self->last_logged, self->files_error->message) != 0)
    {
      g_autofree char *detail = g_strdelimit (g_strdup (self->files_error->message), "\"\n", '\'');
      g_autofree char *fields = g_strdup_printf ("error=%s detail=\"%s\"",
                                                 g_error_matches (self->files_error, INTAKE_STORE_ERROR,
                                                                  INTAKE_STORE_ERROR_DAMAGED)
                                                   ? "store_damaged" : "store_not_writable", detail);

      intake_server_log ("error", "health", fields);
      g_free (self->last_logged);
      self->last_logged = g_strdup (self->files_error->message);
    }
  else if (self->files_error == NULL)
    g_clear_pointer (&self->last_logged, g_free);
}

static gboolean
timer_cb (gpointer user_data)
{
  IntakeServerHealth *self = user_data;
  g_autoptr(GTask) task = NULL;

  if (self->checking)
    return G_SOURCE_CONTINUE;
  self->checking = TRUE;
  task = g_task_new (self, NULL, check_files_cb, NULL);
  g_task_set_source_tag (task, timer_cb);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, check_files_thread);
  return G_SOURCE_CONTINUE;
}

static void
intake_server_health_dispose (GObject *object)
{
  IntakeServerHealth *self = INTAKE_SERVER_HEALTH (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (intake_server_health_parent_class)->dispose (object);
}

static void
intake_server_health_finalize (GObject *object)
{
  IntakeServerHealth *self = INTAKE_SERVER_HEALTH (object);

  g_clear_error (&self->files_error);
  g_free (self->last_logged);

  G_OBJECT_CLASS (intake_server_health_parent_class)->finalize (object);
}

static void
intake_server_health_class_init (IntakeServerHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_server_health_dispose;
  object_class->finalize = intake_server_health_finalize;
}

static void
intake_server_health_init (IntakeServerHealth *self)
{
}

IntakeServerHealth *
intake_server_health_new (IntakeStore *store,
                          guint64      min_free_disk,
                          guint        check_interval)
{
  IntakeServerHealth *self;

  g_return_val_if_fail (INTAKE_IS_STORE (store), NULL);
  g_return_val_if_fail (check_interval > 0, NULL);

  self = g_object_new (INTAKE_TYPE_SERVER_HEALTH, NULL);
  self->store = g_object_ref (store);
  self->min_free_disk = min_free_disk;
  self->check_interval = check_interval;
  /* Only a store with files of its own needs the thorough check. */
  if (intake_store_get_directory (store) != NULL)
    self->timer_id = g_timeout_add_seconds (check_interval, timer_cb, self);
  return self;
}

gint64
intake_server_health_get_free_disk (IntakeServerHealth *self)
{
  const char *dir;
  struct statvfs vfs;

  g_return_val_if_fail (INTAKE_IS_SERVER_HEALTH (self), -1);

  if ((dir = intake_store_get_directory (self->store)) == NULL || statvfs (dir, &vfs) != 0)
    return -1;
  return (gint64)vfs.f_bavail * (gint64)vfs.f_frsize;
}

gboolean
intake_server_health_check (IntakeServerHealth  *self,
                            const char         **out_code,
                            char               **out_message)
{
  g_autoptr(GError) error = NULL;
  gint64 free_disk;

  g_return_val_if_fail (INTAKE_IS_SERVER_HEALTH (self), FALSE);
  g_return_val_if_fail (out_code != NULL && out_message != NULL, FALSE);

  *out_code = NULL;
  *out_message = NULL;
  if (!intake_store_check_health (self->store, &error))
    {
      *out_code = g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_NOT_WRITABLE) ? "store_not_writable"
                : g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED) ? "store_damaged"
                : "store_unavailable";
      *out_message = g_strdup (error->message);
      return FALSE;
    }
  if (self->files_error != NULL)
    {
      *out_code = g_error_matches (self->files_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED)
                    ? "store_damaged" : "store_not_writable";
      *out_message = g_strdup (self->files_error->message);
      return FALSE;
    }
  free_disk = intake_server_health_get_free_disk (self);
  if (free_disk >= 0 && (guint64)free_disk < self->min_free_disk)
    {
      *out_code = "disk_low";
      *out_message = g_strdup_printf ("only %" G_GINT64_FORMAT " MiB free beside the store in %s, under the "
                                      "%" G_GUINT64_FORMAT " MiB of --min-free-disk; free space",
                                      free_disk / (1024 * 1024), intake_store_get_directory (self->store),
                                      self->min_free_disk / (1024 * 1024));
      return FALSE;
    }
  return TRUE;
}

/* intake-kiosk-window-staff.c: the staff PIN screen and the staff screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Staff mode opens with Ctrl+Alt+S and the staff PIN. The PIN check is an
 * Argon2id hash (about a second), so it runs in a GTask thread. Opening the
 * staff screen wipes any resident session first. Staff texts are in the
 * office language (the first configured language, normally Dutch).
 *
 * The "Sending" section shows the sync engine (docs/sync.md) and follows its
 * "changed" signal while the staff screen is shown. "Send now" starts one
 * asynchronous pass; nothing here waits for the network.
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-window-private.h"

#define TS(msgid) intake_kiosk_window_tr_staff (self, msgid)

typedef struct {
  IntakeKiosk *kiosk;
  char        *pin;
} PinCheck;

static void
pin_check_free (PinCheck *check)
{
  g_clear_object (&check->kiosk);
  if (check->pin != NULL)
    memset (check->pin, 0, strlen (check->pin));
  g_free (check->pin);
  g_free (check);
}

static void
pin_check_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PinCheck *check = task_data;

  g_task_return_boolean (task, intake_kiosk_check_pin (check->kiosk, check->pin));
}

static void
pin_checked_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (source);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  gboolean ok = g_task_propagate_boolean (G_TASK (result), NULL);

  /* A reset or a closed window since: the answer no longer matters. */
  if (g_cancellable_is_cancelled (cancellable) || cancellable != self->pin_cancellable)
    return;

  self->pin_checking = FALSE;
  g_clear_object (&self->pin_cancellable);
  gtk_widget_set_sensitive (self->pin_open, TRUE);

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff-pin"))
    return;

  if (ok)
    {
      g_debug ("Staff PIN accepted");
      /* Nothing of a resident may be open behind the staff screen. */
      intake_kiosk_window_reset (self);
      intake_kiosk_window_show_staff (self);
    }
  else
    {
      g_debug ("Staff PIN refused");
      gtk_label_set_text (GTK_LABEL (self->pin_message), TS ("Wrong PIN"));
      gtk_widget_grab_focus (self->pin_entry);
    }
}

void
intake_kiosk_window_open_staff_pin (IntakeKioskWindow *self)
{
  const char *screen = intake_kiosk_window_get_screen (self);
  gboolean has_pin = intake_kiosk_has_pin (self->kiosk);

  if (g_str_equal (screen, "staff-pin") || g_str_equal (screen, "staff"))
    return;

  self->pin_return = screen;
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_widget_set_visible (self->pin_entry, has_pin);
  gtk_widget_set_visible (self->pin_open, has_pin);
  gtk_label_set_text (GTK_LABEL (self->pin_message),
                      has_pin ? "" : TS ("No staff PIN set: run intake-kiosk --set-pin"));
  intake_kiosk_window_show_screen (self, "staff-pin");
}

static void
staff_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  intake_kiosk_window_open_staff_pin (INTAKE_KIOSK_WINDOW (widget));
}

static void
staff_open_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  g_autoptr(GTask) task = NULL;
  PinCheck *check;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff-pin") ||
      self->pin_checking || !intake_kiosk_has_pin (self->kiosk))
    return;

  check = g_new0 (PinCheck, 1);
  check->kiosk = g_object_ref (self->kiosk);
  check->pin = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)));
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");

  self->pin_checking = TRUE;
  g_clear_object (&self->pin_cancellable);
  self->pin_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->pin_open, FALSE);
  gtk_label_set_text (GTK_LABEL (self->pin_message), "");

  task = g_task_new (self, self->pin_cancellable, pin_checked_cb, NULL);
  g_task_set_source_tag (task, staff_open_action);
  g_task_set_task_data (task, check, (GDestroyNotify) pin_check_free);
  g_task_run_in_thread (task, pin_check_thread);
}

static void
staff_cancel_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *back = self->pin_return;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff-pin"))
    return;
  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  self->pin_checking = FALSE;
  gtk_widget_set_sensitive (self->pin_open, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_label_set_text (GTK_LABEL (self->pin_message), "");
  self->pin_return = NULL;

  if (back == NULL || (self->session == NULL && !g_str_equal (back, "welcome")))
    back = "welcome";
  intake_kiosk_window_show_screen (self, back);
}

static void
staff_close_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  if (g_str_equal (intake_kiosk_window_get_screen (self), "staff"))
    intake_kiosk_window_reset (self);
}

static void
staff_exit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  GtkApplication *application;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff"))
    return;
  g_debug ("Staff closed the kiosk");
  intake_kiosk_window_reset (self);
  application = gtk_window_get_application (GTK_WINDOW (self));
  if (application != NULL)
    g_application_quit (G_APPLICATION (application));
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
staff_resolve_help_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff"))
    return;
  if (!intake_outbox_resolve_help_requests (intake_kiosk_get_outbox (self->kiosk),
                                            g_get_real_time () / G_USEC_PER_SEC, &error))
    g_message ("Help requests could not be marked as handled: %s", error->message);
  intake_kiosk_window_show_staff (self);
}

/* ---- Send now ---------------------------------------------------------- */

static void refresh_sync (IntakeKioskWindow *self);

static void
update_sync_now_action (IntakeKioskWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kiosk.staff-sync-now",
                                 self->sync != NULL && !self->sync_now_running);
}

static void
set_sync_now_result (IntakeKioskWindow *self,
                     char              *text)
{
  g_free (self->sync_now_result);
  self->sync_now_result = text;
  refresh_sync (self);
}

static void
sync_now_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  IntakeSync *sync = INTAKE_SYNC (source);
  GWeakRef *window_ref = user_data;
  g_autoptr(IntakeKioskWindow) self = g_weak_ref_get (window_ref);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_weak_ref_clear (window_ref);
  g_free (window_ref);

  ok = intake_sync_run_once_finish (sync, result, &error);
  if (!ok)
    g_debug ("Send now: %s", error->message);

  /* The window is gone, or now shows another engine: nobody to tell. */
  if (self == NULL || self->sync != sync)
    return;
  self->sync_now_running = FALSE;
  update_sync_now_action (self);

  if (ok && intake_sync_get_pending_count (sync) == 0)
    set_sync_now_result (self, g_strdup (TS ("Everything has been sent.")));
  else if (ok)
    {
      gint64 pending = intake_sync_get_pending_count (sync);

      set_sync_now_result (self, intake_kiosk_format_numbers (TS ("Finished. Still waiting: %d"),
                                                              1, &pending));
    }
  else if (g_error_matches (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BUSY))
    set_sync_now_result (self, g_strdup (TS ("Already sending. Please wait a moment.")));
  else
    set_sync_now_result (self, g_strdup (TS ("Not sent. The current status above says why.")));
}

static void
staff_sync_now_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  GWeakRef *window_ref;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff") ||
      self->sync == NULL || self->sync_now_running)
    return;

  g_debug ("Staff asked to send now");
  self->sync_now_running = TRUE;
  update_sync_now_action (self);
  set_sync_now_result (self, g_strdup (TS ("Sending to the office…")));

  /* No cancellable: the pass ends by itself (network timeouts), and a pass
   * cut short would leave the engine without its next run. The window may
   * be gone by then, hence the weak reference. */
  window_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (window_ref, self);
  intake_sync_run_once_async (self->sync, NULL, sync_now_done_cb, window_ref);
}

void
intake_kiosk_window_staff_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "kiosk.staff", NULL, staff_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-open", NULL, staff_open_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-cancel", NULL, staff_cancel_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-close", NULL, staff_close_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-exit", NULL, staff_exit_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-resolve-help", NULL,
                                   staff_resolve_help_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-sync-now", NULL,
                                   staff_sync_now_action);
}

/* ---- The staff screen --------------------------------------------------- */

static GtkWidget *
add_group (IntakeKioskWindow *self,
           const char        *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->staff_content), group);
  return group;
}

static GtkWidget *
add_row (GtkWidget  *group,
         const char *title,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* Values are plain text (server addresses, error words), never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  /* Information only: nothing to activate, so not a stop for Tab. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_count_row (GtkWidget  *group,
               const char *title,
               guint       value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  return add_row (group, title, text);
}

static void
set_row_value (GtkWidget  *row,
               const char *value)
{
  if (row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL ? value : "");
}

static void
set_row_count (GtkWidget *row,
               guint      value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  set_row_value (row, text);
}

/* The sync section and the outbox counts, from the engine and the outbox
 * as they are now. Does nothing when the staff screen is not shown. */
static void
refresh_sync (IntakeKioskWindow *self)
{
  IntakeOutboxCounts counts = { 0 };
  IntakeSyncStatus status = INTAKE_SYNC_STATUS_NOT_ENROLLED;
  const char *status_text;
  const char *last_error = NULL;
  gboolean enrolled = FALSE;
  gint64 last_success = 0;

  if (self->sync_status_row == NULL)
    return;

  if (intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, NULL))
    {
      set_row_count (self->staff_pending_row, counts.pending);
      set_row_count (self->staff_delivered_row, counts.delivered);
    }

  if (self->sync != NULL)
    {
      enrolled = intake_sync_is_enrolled (self->sync);
      status = intake_sync_get_status (self->sync);
      last_error = intake_sync_get_last_error (self->sync);
      last_success = intake_sync_get_last_success (self->sync);
    }

  set_row_value (self->sync_enrolled_row, enrolled ? TS ("Enrolled") : TS ("Not enrolled"));
  set_row_value (self->sync_server_row,
                 enrolled && intake_sync_get_server_url (self->sync) != NULL
                   ? intake_sync_get_server_url (self->sync) : "—");
  set_row_value (self->sync_location_row,
                 enrolled && intake_sync_get_location (self->sync) != NULL &&
                 intake_sync_get_location (self->sync)[0] != '\0'
                   ? intake_sync_get_location (self->sync) : "—");

  if (last_success > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (last_success);
      g_autofree char *when = time != NULL ? g_date_time_format (time, "%H:%M  %d-%m-%Y")
                                           : g_strdup ("?");

      set_row_value (self->sync_success_row, when);
    }
  else
    set_row_value (self->sync_success_row, TS ("Never"));

  /* The engine's own plain words (docs/sync.md), in the staff language. */
  status_text = intake_sync_status_to_string (status, intake_kiosk_window_get_staff_language (self));
  set_row_value (self->sync_status_row, status_text);
  /* The last problem only when it says more than the status line. */
  set_row_value (self->sync_error_row, last_error);
  gtk_widget_set_visible (self->sync_error_row,
                          last_error != NULL && g_strcmp0 (last_error, status_text) != 0);

  set_row_value (self->sync_result_row, self->sync_now_result);
  gtk_widget_set_visible (self->sync_result_row, self->sync_now_result != NULL);
}

static void
sync_changed_cb (IntakeKioskWindow *self)
{
  refresh_sync (self);
}

/* "Sending": what the engine does, the outbox counts, and where it sends
 * to; then the office key, for staff to compare its fingerprint. */
static void
add_sync_groups (IntakeKioskWindow *self)
{
  GtkWidget *group = add_group (self, TS ("Sending"));
  IntakeOutboxCounts counts = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;

  if (self->sync != NULL)
    {
      GtkWidget *send = gtk_button_new_with_label (TS ("Send now"));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (send), "kiosk.staff-sync-now");
      gtk_accessible_update_property (GTK_ACCESSIBLE (send),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, TS ("Send now"),
                                      -1);
      gtk_widget_set_valign (send, GTK_ALIGN_CENTER);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), send);
    }

  self->sync_status_row = add_row (group, TS ("Current status"), "");
  self->sync_error_row = add_row (group, TS ("Last problem"), "");
  self->sync_result_row = add_row (group, TS ("Send now"), "");
  if (intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, &error))
    {
      self->staff_pending_row = add_count_row (group, TS ("Waiting to be sent"), counts.pending);
      self->staff_delivered_row = add_count_row (group, TS ("Sent"), counts.delivered);
    }
  else
    add_row (group, TS ("Outbox"), error->message);
  self->sync_success_row = add_row (group, TS ("Last successful contact"), "");
  self->sync_enrolled_row = add_row (group, TS ("Connection with the office"), "");
  self->sync_server_row = add_row (group, TS ("Server address"), "");
  self->sync_location_row = add_row (group, TS ("Location known to the office"), "");

  group = add_group (self, TS ("Office key"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         TS ("Compare the office key fingerprint with the one the office wrote down when it made the key. If they differ, do not use this kiosk and call the office."));
  fingerprint = intake_office_public_dup_fingerprint (intake_kiosk_get_office (self->kiosk));
  add_row (group, TS ("Office key fingerprint"), fingerprint);

  if (self->sync != NULL)
    self->sync_changed_id = g_signal_connect_object (self->sync, "changed",
                                                     G_CALLBACK (sync_changed_cb), self,
                                                     G_CONNECT_SWAPPED);
  update_sync_now_action (self);
  refresh_sync (self);
}

void
intake_kiosk_window_clear_staff (IntakeKioskWindow *self)
{
  GtkWidget *child;

  if (self->sync != NULL)
    g_clear_signal_handler (&self->sync_changed_id, self->sync);
  self->sync_changed_id = 0;
  self->staff_pending_row = NULL;
  self->staff_delivered_row = NULL;
  self->sync_enrolled_row = NULL;
  self->sync_server_row = NULL;
  self->sync_location_row = NULL;
  self->sync_success_row = NULL;
  self->sync_status_row = NULL;
  self->sync_error_row = NULL;
  self->sync_result_row = NULL;

  while ((child = gtk_widget_get_first_child (self->staff_content)) != NULL)
    gtk_box_remove (GTK_BOX (self->staff_content), child);
}

void
intake_kiosk_window_show_staff (IntakeKioskWindow *self)
{
  IntakeOutbox *outbox = intake_kiosk_get_outbox (self->kiosk);
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) requests = NULL;
  g_autofree char *version = NULL;
  g_autofree char *hash = NULL;
  GtkWidget *group;

  intake_kiosk_window_clear_staff (self);

  add_sync_groups (self);

  group = add_group (self, TS ("Help requests"));
  requests = intake_outbox_list_help_requests (outbox, TRUE, &error);
  if (requests == NULL)
    {
      add_row (group, TS ("Help requests"), error->message);
      g_clear_error (&error);
    }
  else if (requests->len == 0)
    add_row (group, TS ("No open help requests"), "");
  else
    {
      GtkWidget *resolve = gtk_button_new_with_label (TS ("Mark as handled"));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (resolve), "kiosk.staff-resolve-help");
      gtk_accessible_update_property (GTK_ACCESSIBLE (resolve),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, TS ("Mark as handled"),
                                      -1);
      gtk_widget_set_valign (resolve, GTK_ALIGN_CENTER);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), resolve);

      for (guint i = 0; i < requests->len; i++)
        {
          const IntakeHelpRequest *request = &g_array_index (requests, IntakeHelpRequest, i);
          g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (request->created_at);
          g_autofree char *when = time != NULL ? g_date_time_format (time, "%H:%M  %d-%m-%Y")
                                               : g_strdup ("?");
          const IntakeLanguage *language =
            intake_questionnaire_lookup_language (questionnaire, request->language);

          add_row (group, when, language != NULL ? language->name : request->language);
        }
    }

  group = add_group (self, TS ("Device"));
  add_row (group, TS ("Device id"), intake_kiosk_get_device_id (self->kiosk));
  add_row (group, TS ("Location"),
           self->location_name != NULL && self->location_name[0] != '\0' ? self->location_name : "—");

  group = add_group (self, TS ("Questionnaire"));
  version = g_strdup_printf ("%u", intake_questionnaire_get_version (questionnaire));
  hash = g_strndup (intake_questionnaire_get_hash (questionnaire), 12);
  add_row (group, TS ("Questionnaire"), intake_questionnaire_get_id (questionnaire));
  add_row (group, TS ("Version"), version);
  add_row (group, TS ("Hash"), hash);

  group = add_group (self, TS ("Translation status"));
  for (guint i = 0; i < intake_questionnaire_get_n_languages (questionnaire); i++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (questionnaire, i);
      /* Left-to-right, with the name isolated, so that a right-to-left
       * name does not put its code in front: "العربية (ar)". */
      g_autofree char *title = g_strdup_printf ("\u200E\u2068%s\u2069 (%s)", language->name, language->code);

      add_row (group, title, language->reviewed ? TS ("reviewed") : TS ("draft"));
    }

  intake_kiosk_window_show_screen (self, "staff");
}

/* intake-review-window.c: unlock, the list of submissions, export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what the reviewer looks at is decrypted: the list holds the server's
 * metadata page by page, and a row's language (which only the envelope
 * knows) is filled in when the row is bound, that is, shown. Decrypted
 * submissions live in one cache that is emptied (and wiped) on lock and
 * when the window closes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "intake-review-ui-resources.h"
#include "intake-review-window-private.h"
#include "intake-review-dashboard.h"
#include "intake-review-pdf.h"
#include "intake-review-subject-access.h"
#include "intake-roles.h"
#include "intake-secure.h"
#include "intake-workstation-store.h"
#include "intake-staff-words.h"

G_DEFINE_FINAL_TYPE (IntakeReviewWindow, intake_review_window, ADW_TYPE_APPLICATION_WINDOW)

char *
intake_review_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%d-%m-%Y %H:%M") : g_strdup ("?");
}

enum {
  PROP_0,
  PROP_NEWEST_FIRST,
  PROP_REFRESH_SECONDS,
  PROP_IDLE_LOCK_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Lock: forget everything decrypted, clear every field                 */

static void
clear_editable (gpointer editable)
{
  if (editable != NULL)
    gtk_editable_set_text (GTK_EDITABLE (editable), "");
}

/* Every field a reviewer types in, on every page: after a lock the next
 * person finds nothing of the last one but (when this computer has a
 * reviewer-name setting) the name to unlock with. */
static void
clear_fields (IntakeReviewWindow *self)
{
  gpointer entries[] = {
    self->passphrase_entry, self->activate_name_entry, self->activate_code_entry,
    self->activate_passphrase_entry, self->activate_repeat_entry, self->restore_name_entry, self->restore_code_entry,
    self->current_passphrase_entry, self->new_passphrase_entry, self->repeat_passphrase_entry,
    self->reference_entry, self->name_search, self->location_entry, self->from_entry, self->to_entry,
    self->appointment_row,
  };
  GtkLabel *messages[] = {
    self->unlock_error, self->unlock_notice, self->activate_error, self->recovery_warning, self->recovery_status,
    self->restore_error, self->passphrase_status,
  };
  g_autofree char *remembered = self->settings != NULL ? g_settings_get_string (self->settings, "reviewer-name") : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    clear_editable (entries[i]);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), remembered != NULL ? remembered : "");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    if (messages[i] != NULL)
      {
        gtk_label_set_text (messages[i], "");
        gtk_widget_set_visible (GTK_WIDGET (messages[i]), FALSE);
      }
  if (self->recovery_code_label != NULL)
    gtk_label_set_text (self->recovery_code_label, "");
}

static void
lock (IntakeReviewWindow *self)
{
  GtkWidget *dashboard;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  intake_review_window_clear_detail (self);
  intake_review_window_queue_lock (self);
  g_clear_object (&self->questionnaires);
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  /* The overview's counts and what they were computed from. */
  g_hash_table_remove_all (self->dashboard_facts);
  if ((dashboard = gtk_stack_get_child_by_name (self->stack, "dashboard")) != NULL)
    gtk_stack_remove (self->stack, dashboard);
  /* The subject access page: the name typed and everything it decrypted. */
  if ((dashboard = gtk_stack_get_child_by_name (self->stack, "subject-access")) != NULL)
    gtk_stack_remove (self->stack, dashboard);
  g_clear_handle_id (&self->idle_timer, g_source_remove);
  clear_fields (self);
  /* dispose may run again after the template is gone */
  if (self->help_list != NULL)
    intake_review_help_list_set_client (self->help_list, NULL);
  if (self->client != NULL)
    intake_review_client_lock (self->client);
}

/* ------------------------------------------------------------------ */
/* Idle lock (docs/review.md, "Safe at the desk")                       */

static void
activity_cb (IntakeReviewWindow *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static gboolean
idle_check_cb (gpointer user_data)
{
  IntakeReviewWindow *self = user_data;
  gint64 idle;

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client) || self->idle_lock_seconds == 0)
    {
      self->idle_timer = 0;
      return G_SOURCE_REMOVE;
    }
  idle = g_get_monotonic_time () - self->last_activity;
  if (idle >= (gint64)self->idle_lock_seconds * G_USEC_PER_SEC)
    {
      self->idle_timer = 0;
      g_message ("Locked after %u s without use", self->idle_lock_seconds);
      gtk_widget_activate_action (GTK_WIDGET (self), "review.lock", NULL);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Checks four times per idle period (at most once a second), so the lock
 * comes at most a quarter period late. */
static void
start_idle_timer (IntakeReviewWindow *self)
{
  guint interval;

  g_clear_handle_id (&self->idle_timer, g_source_remove);
  self->last_activity = g_get_monotonic_time ();
  if (self->idle_lock_seconds == 0 || self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  interval = MAX (250, MIN (self->idle_lock_seconds * 1000 / 4, 30000));
  self->idle_timer = g_timeout_add (interval, idle_check_cb, self);
}

/* Any key, click, scroll or pointer movement in the window is use. */
static void
watch_activity (IntakeReviewWindow *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (activity_cb), self);
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (activity_cb), self);
  g_signal_connect_swapped (scroll, "scroll", G_CALLBACK (activity_cb), self);
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (activity_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/* ------------------------------------------------------------------ */
/* Roles: what the server would refuse is not offered                   */

/* The reviewer's roles in the staff's language, for the list's subtitle. */
static char *
roles_label (guint roles)
{
  static const struct {
    IntakeRoles  role;
    const char  *label;
  } labels[] = {
    /* Translators: the staff roles (docs/protocol.md, "Roles and scope"). */
    { INTAKE_ROLE_CASEWORKER, NC_("role", "caseworker") },
    { INTAKE_ROLE_TEAM_LEAD, NC_("role", "team lead") },
    { INTAKE_ROLE_PRIVACY_OFFICER, NC_("role", "privacy officer") },
    { INTAKE_ROLE_ADMINISTRATOR, NC_("role", "administrator") },
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (roles & labels[i].role)
      {
        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, g_dpgettext2 (GETTEXT_PACKAGE, "role", labels[i].label));
      }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The server enforces the roles; the window only leaves out what it would
 * refuse, so nobody meets a 403 in normal work (docs/review.md, "Roles"). */
static void
apply_roles (IntakeReviewWindow *self)
{
  gboolean read = intake_review_client_can (self->client, INTAKE_PERMISSION_READ);
  gboolean workflow = intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW);
  gboolean dashboard = intake_review_client_can (self->client, INTAKE_PERMISSION_DASHBOARD);

  static const char * const reading[] = {
    "review.search", "review.focus-search", "review.export", "review.show-view", "review.refresh", "review.next",
    "review.previous", "review.newest-first",
  };
  static const char * const working[] = {
    "review.save-workflow", "review.add-note", "review.assign-me", "review.write-note",
  };

  gtk_widget_set_visible (self->search_box, read);
  gtk_widget_set_visible (GTK_WIDGET (self->search_bar), read);
  gtk_widget_set_visible (GTK_WIDGET (self->order_button), read);
  gtk_widget_set_sensitive (GTK_WIDGET (self->views_list), read);
  gtk_widget_set_visible (self->workflow_box, workflow);
  for (guint i = 0; i < G_N_ELEMENTS (reading); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), reading[i], read);
  for (guint i = 0; i < G_N_ELEMENTS (working); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), working[i], workflow);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.dashboard", dashboard);
  /* A subject access document is the privacy officer's (docs/protocol.md, "Roles and scope"). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.subject-access",
                                 intake_review_client_can (self->client, INTAKE_PERMISSION_AUDIT) &&
                                 intake_review_client_can (self->client, INTAKE_PERMISSION_READ));
  /* "Assigned to me" is for those who can be assigned. */
  if (self->view_rows[1] != NULL)
    gtk_widget_set_visible (self->view_rows[1], workflow);
}

/* ------------------------------------------------------------------ */
/* Unlock, activation, recovery code, passphrase change                 */

static void
show_message (GtkLabel   *label,
              const char *text)
{
  gtk_label_set_text (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
set_unlocking (IntakeReviewWindow *self,
               gboolean            unlocking)
{
  self->unlocking = unlocking;
  gtk_spinner_set_spinning (self->unlock_spinner, unlocking);
  gtk_spinner_set_spinning (self->activate_spinner, unlocking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.unlock", !unlocking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.activate", !unlocking);
}

/* The client for the server the page names; FALSE (said in @error_label)
 * when no address is filled in. */
static gboolean
ensure_client (IntakeReviewWindow *self,
               GtkLabel           *error_label)
{
  g_autofree char *url = g_strstrip (g_strdup (self->server_url ? self->server_url
                                                                : gtk_editable_get_text (GTK_EDITABLE (self->server_entry))));

  if (*url == '\0')
    {
      show_message (error_label, _("Fill in the server’s address."));
      return FALSE;
    }
  if (self->client == NULL || g_strcmp0 (intake_review_client_get_server_url (self->client), url) != 0)
    {
      g_clear_object (&self->client);
      self->client = intake_review_client_new (url);
      if (self->tls_database != NULL)
        intake_review_client_set_tls_database (self->client, self->tls_database);
    }
  return TRUE;
}

/* A copy of an entry's text in wiped memory; the entry is emptied at once. */
static IntakeSecureBuffer *
take_passphrase (GtkWidget *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  IntakeSecureBuffer *passphrase = intake_secure_buffer_new_copy (text, strlen (text));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  return passphrase;
}

static void
questionnaires_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  IntakeReviewWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaireSet *set;

  set = intake_review_client_load_questionnaires_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (set == NULL)
    {
      /* The built-in questionnaire alone still renders most submissions. */
      g_warning ("Questionnaires from the server not loaded: %s", error->message);
      return;
    }
  g_clear_object (&self->questionnaires);
  self->questionnaires = set;
}

static void
units_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  IntakeReviewWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  char **units = intake_review_client_units_finish (INTAKE_REVIEW_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (units == NULL)
    {
      g_warning ("The office's units were not loaded: %s", error->message);
      return;
    }
  g_strfreev (self->units);
  self->units = units;
  intake_review_window_refresh_workflow_choices (self);
}

static void
assignees_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IntakeReviewWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *assignees = intake_review_client_assignees_finish (INTAKE_REVIEW_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (assignees == NULL)
    {
      g_warning ("The colleagues to assign to were not loaded: %s", error->message);
      return;
    }
  g_clear_pointer (&self->assignees, g_ptr_array_unref);
  self->assignees = assignees;
  intake_review_window_refresh_workflow_choices (self);
}

/* The client is unlocked: the queue, as far as the reviewer's roles go. */
static void
show_unlocked (IntakeReviewWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *roles = roles_label (intake_review_client_get_roles (self->client));

  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, NULL);
  self->cancellable = g_cancellable_new ();
  apply_roles (self);
  /* Translators: under the list's title: the reviewer's name and roles. */
  title = g_strdup_printf (_("Logged in as %s (%s)"), intake_review_client_get_name (self->client), roles);
  adw_window_title_set_subtitle (self->list_title, title);
  gtk_stack_set_visible_child_name (self->stack, "list");
  start_idle_timer (self);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "reviewer-name", intake_review_client_get_name (self->client));
  if (!intake_review_client_can (self->client, INTAKE_PERMISSION_READ))
    {
      const char *text = _("Your role does not include reading submissions. Reviewers and devices are managed "
                           "with intake-admin.");

      gtk_label_set_text (self->list_status, text);
      adw_status_page_set_description (self->no_role_page, text);
      intake_review_window_queue_unlocked (self);
      return;
    }
  /* The built-in versions at once; the server's versions when they come. */
  self->questionnaires = intake_questionnaire_set_new ();
  intake_questionnaire_set_add_builtin (self->questionnaires, NULL);
  intake_review_client_load_questionnaires_async (self->client, self->cancellable, questionnaires_cb, self);
  /* Residents asking for help at the kiosks, as they come: for the staff
   * who serve them (the server answers no one else). */
  if (intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW))
    intake_review_help_list_set_client (self->help_list, self->client);
  if (intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW))
    {
      intake_review_client_units_async (self->client, self->cancellable, units_cb, self);
      intake_review_client_assignees_async (self->client, self->cancellable, assignees_cb, self);
    }
  intake_review_window_queue_unlocked (self);
}

static void
unlock_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_unlocking (self, FALSE);
  if (!intake_review_client_unlock_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    {
      show_message (self->unlock_error, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
      return;
    }
  show_unlocked (self);
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;

  if (self->unlocking || !ensure_client (self, self->unlock_error))
    return;
  /* The entry's copy goes at once; the client keeps its own until unwrapped. */
  passphrase = take_passphrase (GTK_WIDGET (self->passphrase_entry));
  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, NULL);
  set_unlocking (self, TRUE);
  intake_review_client_unlock_async (self->client, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)),
                                     passphrase, NULL, unlock_cb, g_object_ref (self));
}

static void
show_unlock_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
show_activate_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->activate_name_entry),
                         gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  show_message (self->activate_error, NULL);
  gtk_stack_set_visible_child_name (self->stack, "activate");
  gtk_widget_grab_focus (GTK_WIDGET (self->activate_code_entry));
}

static void
activate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept_error = NULL;
  gboolean kept = FALSE;
  IntakeWorkstationKey *key;
  char *code;

  set_unlocking (self, FALSE);
  key = intake_review_client_activate_finish (INTAKE_REVIEW_CLIENT (source), result, &kept, &kept_error, &error);
  if (key == NULL)
    {
      show_message (self->activate_error, error->message);
      return;
    }
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  self->new_workstation = key;
  code = intake_workstation_key_dup_recovery_code (key);
  gtk_label_set_text (self->recovery_code_label, code);
  intake_secure_strfree (code);
  if (!kept)
    {
      g_autofree char *text = g_strdup_printf (_("This computer could not keep your workstation key (%s). Save "
                                                 "the recovery sheet now: you need it to unlock again."),
                                               kept_error ? kept_error : "?");

      show_message (self->recovery_warning, text);
    }
  else
    show_message (self->recovery_warning, NULL);
  show_message (self->recovery_status, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), intake_review_client_get_name (self->client));
  gtk_editable_set_text (GTK_EDITABLE (self->activate_code_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "recovery");
  gtk_widget_grab_focus (GTK_WIDGET (self->recovery_continue_button));
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeSecureBuffer) repeated = NULL;

  if (self->unlocking || !ensure_client (self, self->activate_error))
    return;
  passphrase = take_passphrase (GTK_WIDGET (self->activate_passphrase_entry));
  repeated = take_passphrase (GTK_WIDGET (self->activate_repeat_entry));
  if (passphrase->len != repeated->len || sodium_memcmp (passphrase->data, repeated->data, passphrase->len) != 0)
    {
      show_message (self->activate_error, _("The two new passwords differ. Type them again."));
      gtk_widget_grab_focus (GTK_WIDGET (self->activate_passphrase_entry));
      return;
    }
  show_message (self->activate_error, NULL);
  set_unlocking (self, TRUE);
  intake_review_client_activate_async (self->client, gtk_editable_get_text (GTK_EDITABLE (self->activate_name_entry)),
                                       gtk_editable_get_text (GTK_EDITABLE (self->activate_code_entry)), passphrase,
                                       NULL, activate_cb, g_object_ref (self));
}

gboolean
intake_review_window_save_recovery_sheet (IntakeReviewWindow *self,
                                          const char         *path,
                                          GError            **error)
{
  g_autoptr(IntakeSecureStr) code = NULL;

  g_return_val_if_fail (INTAKE_IS_REVIEW_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->new_workstation == NULL || self->client == NULL || !intake_review_client_is_unlocked (self->client))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no new recovery code to save"));
      return FALSE;
    }
  code = intake_workstation_key_dup_recovery_code (self->new_workstation);
  return intake_review_recovery_sheet_write (intake_review_client_get_name (self->client),
                                             intake_review_client_get_server_url (self->client), code, path, error);
}

static void
recovery_chooser_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  IntakeReviewWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (path == NULL)
        text = g_strdup (_("No sheet saved: choose a folder on this computer."));
      else if (!intake_review_window_save_recovery_sheet (self, path, &error))
        text = g_strdup_printf (_("The recovery sheet could not be saved: %s"), error->message);
      else
        /* Translators: %s is the file the recovery sheet was saved to. */
        text = g_strdup_printf (_("Saved to %s. Print it, keep it locked away, and delete the file."), path);
      show_message (self->recovery_status, text);
    }
  g_object_unref (dialog);
}

static void
save_recovery_sheet_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the recovery sheet"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("Save"), _("Cancel"));
  /* Translators: the suggested file name of the recovery sheet. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("recovery-sheet.pdf"));
  g_signal_connect (chooser, "response", G_CALLBACK (recovery_chooser_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  /* The recovery code is shown once: the label and the key go now. */
  gtk_label_set_text (self->recovery_code_label, "");
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  if (self->client != NULL && intake_review_client_is_unlocked (self->client))
    show_unlocked (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "unlock");
}

static void
show_restore_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->restore_name_entry),
                         gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  show_message (self->restore_error, NULL);
  gtk_stack_set_visible_child_name (self->stack, "restore");
  gtk_widget_grab_focus (GTK_WIDGET (self->restore_code_entry));
}

/* The recovery code puts the workstation key back (keyring or file); it
 * is checked when the reviewer unlocks with it and their password. */
static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->restore_name_entry))));
  g_autoptr(IntakeWorkstationKey) key = NULL;
  g_autoptr(GError) error = NULL;

  if (*name == '\0')
    {
      show_message (self->restore_error, _("Fill in your name as your administrator registered it."));
      return;
    }
  key = intake_workstation_key_new_from_recovery_code (gtk_editable_get_text (GTK_EDITABLE (self->restore_code_entry)),
                                                       &error);
  if (key == NULL)
    {
      show_message (self->restore_error, _("This recovery code is not right: it has 14 groups of four letters and "
                                           "digits. Check what you typed."));
      return;
    }
  if (!intake_workstation_store_save (name, key, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The workstation key cannot be kept on this computer: %s"),
                                               error->message);

      show_message (self->restore_error, text);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->restore_code_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, _("Your workstation key is back on this computer. Unlock with your password."));
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
}

static void
show_passphrase_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  show_message (self->passphrase_status, NULL);
  gtk_stack_set_visible_child_name (self->stack, "passphrase");
  gtk_widget_grab_focus (GTK_WIDGET (self->current_passphrase_entry));
}

static void
set_changing_passphrase (IntakeReviewWindow *self,
                         gboolean            changing)
{
  self->changing_passphrase = changing;
  gtk_spinner_set_spinning (self->passphrase_spinner, changing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.change-passphrase", !changing);
}

static void
passphrase_status (IntakeReviewWindow *self,
                   const char         *text,
                   gboolean            failed)
{
  show_message (self->passphrase_status, text);
  if (failed)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->passphrase_status), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->passphrase_status), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->passphrase_status), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->passphrase_status), "success");
    }
}

static void
change_passphrase_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_changing_passphrase (self, FALSE);
  if (!intake_review_client_change_passphrase_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        passphrase_status (self, error->message, TRUE);
      return;
    }
  passphrase_status (self, _("Your password is changed. From now on, unlock with the new one."), FALSE);
}

static void
change_passphrase_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) current = NULL;
  g_autoptr(IntakeSecureBuffer) replacement = NULL;
  g_autoptr(IntakeSecureBuffer) repeated = NULL;

  if (self->changing_passphrase || self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  current = take_passphrase (GTK_WIDGET (self->current_passphrase_entry));
  replacement = take_passphrase (GTK_WIDGET (self->new_passphrase_entry));
  repeated = take_passphrase (GTK_WIDGET (self->repeat_passphrase_entry));
  if (replacement->len != repeated->len || sodium_memcmp (replacement->data, repeated->data, replacement->len) != 0)
    {
      passphrase_status (self, _("The two new passwords differ. Type them again."), TRUE);
      return;
    }
  passphrase_status (self, _("Changing the password…"), FALSE);
  set_changing_passphrase (self, TRUE);
  intake_review_client_change_passphrase_async (self->client, current, replacement, self->cancellable,
                                                change_passphrase_cb, g_object_ref (self));
}

static void
lock_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  lock (self);
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (*gtk_editable_get_text (GTK_EDITABLE (self->name_entry)) != '\0'
                                     ? GTK_WIDGET (self->passphrase_entry) : GTK_WIDGET (self->name_entry)));
}

/* GNOME's shortcuts window (Ctrl+?), from intake-review-shortcuts.ui. */
static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/intakekiosk/Review/ui/intake-review-shortcuts.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));

  gtk_window_set_transient_for (window, GTK_WINDOW (widget));
  gtk_window_present (window);
}

/* The "Overzicht" page: counts of the current filter, computed here
 * (docs/review.md, "Dashboard"). Created on first use. */
static void
dashboard_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  GtkWidget *dashboard = gtk_stack_get_child_by_name (self->stack, "dashboard");
  IntakeReviewFilter all = { 0 };

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  if (dashboard == NULL)
    {
      dashboard = intake_review_dashboard_new ();
      gtk_stack_add_named (self->stack, dashboard, "dashboard");
    }
  intake_review_dashboard_load (INTAKE_REVIEW_DASHBOARD (dashboard), self->client, self->questionnaires,
                                self->model != NULL ? intake_review_list_model_get_filter (self->model) : &all,
                                self->dashboard_facts);
  gtk_stack_set_visible_child_name (self->stack, "dashboard");
}

/* The "Inzageverzoek" page (docs/review.md, "Subject access"): made anew
 * each time, so nothing of an earlier request is shown again. */
static void
subject_access_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "subject-access");

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client) || self->questionnaires == NULL)
    return;
  if (page != NULL)
    gtk_stack_remove (self->stack, page);
  page = intake_review_subject_access_new (self->client, self->questionnaires);
  gtk_stack_add_named (self->stack, page, "subject-access");
  gtk_stack_set_visible_child_name (self->stack, "subject-access");
  gtk_widget_grab_focus (intake_review_subject_access_get_name_row (INTAKE_REVIEW_SUBJECT_ACCESS (page)));
}

static void
add_note_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  intake_review_window_add_note (INTAKE_REVIEW_WINDOW (widget));
}

static void
save_workflow_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  intake_review_window_save_workflow (INTAKE_REVIEW_WINDOW (widget));
}

static void
assign_me_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  intake_review_window_assign_me (INTAKE_REVIEW_WINDOW (widget));
}

static void
write_note_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  intake_review_window_focus_note (INTAKE_REVIEW_WINDOW (widget));
}

/* ------------------------------------------------------------------ */
/* Export                                                               */

static void
export_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  IntakeReviewWindow *self = user_data;
  /* Translators: the export's progress: submissions done of all. */
  g_autofree char *text = g_strdup_printf (_("Exporting: %u of %u…"), done, total);

  gtk_label_set_text (self->list_status, text);
}

static void
export_client_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint64 rows = 0;

  if (!intake_review_client_export_finish (INTAKE_REVIEW_CLIENT (source), result, &rows, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      g_task_set_task_data (task, g_memdup2 (&rows, sizeof rows), g_free);
      g_task_return_boolean (task, TRUE);
    }
}

void
intake_review_window_export_async (IntakeReviewWindow  *self,
                                   IntakeExportFormat   format,
                                   gboolean             selected_only,
                                   GFile               *file,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_window_export_async);
  if (self->model == NULL || self->questionnaires == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      return;
    }
  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (selected_only)
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      GtkBitsetIter iter;
      guint position;

      ids = g_ptr_array_new_with_free_func (g_free);
      for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
           ok = gtk_bitset_iter_next (&iter, &position))
        {
          g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

          g_ptr_array_add (ids, g_strdup (intake_review_item_get_id (item)));
        }
    }
  else if (self->name_results != NULL)
    {
      /* A name search exports what it found, not the whole filter. */
      ids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->name_results)); i++)
        {
          g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->name_results), i);

          g_ptr_array_add (ids, g_strdup (intake_review_item_get_id (item)));
        }
    }
  intake_review_client_export_async (self->client, self->questionnaires, intake_review_list_model_get_filter (self->model),
                                     ids, format,
                                     format == INTAKE_EXPORT_FORMAT_CSV ? INTAKE_EXPORT_FLAGS_BOM : INTAKE_EXPORT_FLAGS_NONE,
                                     G_OUTPUT_STREAM (out), export_progress_cb, self, cancellable,
                                     export_client_cb, g_steal_pointer (&task));
}

gboolean
intake_review_window_export_finish (IntakeReviewWindow  *self,
                                    GAsyncResult        *result,
                                    guint64             *out_rows,
                                    GError             **error)
{
  guint64 *rows;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  rows = g_task_get_task_data (G_TASK (result));
  if (out_rows != NULL)
    *out_rows = rows != NULL ? *rows : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 rows = 0;

  if (!intake_review_window_export_finish (self, result, &rows, &error))
    text = g_strdup_printf (_("Export failed: %s"), error->message);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu submission exported.", "%lu submissions exported.",
                                         (gulong) rows),
                            (gulong) rows);
  gtk_label_set_text (self->list_status, text);
}

static void
export_chooser_cb (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  IntakeReviewWindow *self = user_data;
  IntakeExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      /* The filter, or a name search's matches; the row open is not a choice of rows. */
      intake_review_window_export_async (self, format, FALSE, file, self->cancellable, export_done_cb, NULL);
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  gboolean csv = g_str_equal (g_variant_get_string (parameter, NULL), "csv");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("Save"), _("Cancel"));
  /* Translators: the suggested file names of an export. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), csv ? _("submissions.csv") : _("submissions.json"));
  g_object_set_data (G_OBJECT (chooser), "format",
                     GINT_TO_POINTER (csv ? INTAKE_EXPORT_FORMAT_CSV : INTAKE_EXPORT_FORMAT_JSON));
  g_signal_connect (chooser, "response", G_CALLBACK (export_chooser_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
intake_review_window_dispose (GObject *object)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  lock (self);
  g_clear_handle_id (&self->visible_update, g_source_remove);
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  g_clear_handle_id (&self->idle_timer, g_source_remove);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->settings);
  g_clear_object (&self->detail_actions);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_REVIEW_WINDOW);
  G_OBJECT_CLASS (intake_review_window_parent_class)->dispose (object);
}

static void
intake_review_window_finalize (GObject *object)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->row_widgets, g_hash_table_unref);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);
  g_clear_pointer (&self->dashboard_facts, g_hash_table_unref);
  g_clear_pointer (&self->unit_choices, g_ptr_array_unref);
  g_clear_pointer (&self->assignee_choices, g_ptr_array_unref);
  g_free (self->view_state);
  g_free (self->server_url);
  G_OBJECT_CLASS (intake_review_window_parent_class)->finalize (object);
}

static void
intake_review_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NEWEST_FIRST:
      g_value_set_boolean (value, self->newest_first);
      break;
    case PROP_REFRESH_SECONDS:
      g_value_set_uint (value, self->refresh_seconds);
      break;
    case PROP_IDLE_LOCK_SECONDS:
      g_value_set_uint (value, self->idle_lock_seconds);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_NEWEST_FIRST:
      if (self->newest_first == g_value_get_boolean (value))
        return;
      self->newest_first = g_value_get_boolean (value);
      break;
    case PROP_REFRESH_SECONDS:
      if (self->refresh_seconds == g_value_get_uint (value))
        return;
      self->refresh_seconds = g_value_get_uint (value);
      break;
    case PROP_IDLE_LOCK_SECONDS:
      if (self->idle_lock_seconds == g_value_get_uint (value))
        return;
      self->idle_lock_seconds = g_value_get_uint (value);
      start_idle_timer (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
intake_review_window_class_init (IntakeReviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_window_dispose;
  object_class->finalize = intake_review_window_finalize;
  object_class->get_property = intake_review_window_get_property;
  object_class->set_property = intake_review_window_set_property;

  /**
   * IntakeReviewWindow:newest-first:
   *
   * The list's order (GSettings newest-first).
   */
  properties[PROP_NEWEST_FIRST] =
    g_param_spec_boolean ("newest-first", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * IntakeReviewWindow:refresh-seconds:
   *
   * How often the counts are asked while unlocked (GSettings
   * refresh-seconds); 0 never.
   */
  properties[PROP_REFRESH_SECONDS] =
    g_param_spec_uint ("refresh-seconds", NULL, NULL, 0, 3600, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * IntakeReviewWindow:idle-lock-seconds:
   *
   * The window locks itself after this long without a key, click, scroll
   * or pointer movement (GSettings idle-lock-minutes); 0 never.
   */
  properties[PROP_IDLE_LOCK_SECONDS] =
    g_param_spec_uint ("idle-lock-seconds", NULL, NULL, 0, 24 * 3600, 5 * 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INTAKE_TYPE_REVIEW_HELP_LIST);
  /* Makes sure the resource object is linked in from the static library. */
  g_resources_register (intake_review_ui_get_resource ());
  gtk_widget_class_set_template_from_resource (widget_class, "/org/intakekiosk/Review/ui/intake-review-window.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, name)
  CHILD (stack);
  CHILD (server_label);
  CHILD (server_entry);
  CHILD (name_entry);
  CHILD (passphrase_entry);
  CHILD (unlock_error);
  CHILD (unlock_spinner);
  CHILD (unlock_button);
  CHILD (unlock_notice);
  CHILD (activate_name_entry);
  CHILD (activate_code_entry);
  CHILD (activate_passphrase_entry);
  CHILD (activate_repeat_entry);
  CHILD (activate_error);
  CHILD (activate_spinner);
  CHILD (activate_button);
  CHILD (recovery_code_label);
  CHILD (recovery_warning);
  CHILD (recovery_status);
  CHILD (recovery_continue_button);
  CHILD (restore_name_entry);
  CHILD (restore_code_entry);
  CHILD (restore_error);
  CHILD (restore_button);
  CHILD (current_passphrase_entry);
  CHILD (new_passphrase_entry);
  CHILD (repeat_passphrase_entry);
  CHILD (passphrase_status);
  CHILD (passphrase_spinner);
  CHILD (passphrase_button);
  CHILD (leaflet);
  CHILD (views_list);
  CHILD (list_title);
  CHILD (order_button);
  CHILD (search_bar);
  CHILD (search_box);
  CHILD (reference_entry);
  CHILD (name_search);
  CHILD (location_entry);
  CHILD (from_entry);
  CHILD (to_entry);
  CHILD (list_stack);
  CHILD (list_view);
  CHILD (empty_page);
  CHILD (error_page);
  CHILD (no_role_page);
  CHILD (list_status);
  CHILD (help_list);
  CHILD (detail_title);
  CHILD (toast_overlay);
  CHILD (detail_stack);
  CHILD (detail_error_page);
  CHILD (workflow_box);
  CHILD (state_row);
  CHILD (assignee_row);
  CHILD (unit_row);
  CHILD (appointment_row);
  CHILD (workflow_status);
  CHILD (detail_scroll);
  CHILD (header_box);
  CHILD (detail_box);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "review.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "review.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "review.show-unlock", NULL, show_unlock_action);
  gtk_widget_class_install_action (widget_class, "review.show-activate", NULL, show_activate_action);
  gtk_widget_class_install_action (widget_class, "review.activate", NULL, activate_action);
  gtk_widget_class_install_action (widget_class, "review.save-recovery-sheet", NULL, save_recovery_sheet_action);
  gtk_widget_class_install_action (widget_class, "review.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "review.show-restore", NULL, show_restore_action);
  gtk_widget_class_install_action (widget_class, "review.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "review.show-passphrase", NULL, show_passphrase_action);
  gtk_widget_class_install_action (widget_class, "review.change-passphrase", NULL, change_passphrase_action);
  gtk_widget_class_install_action (widget_class, "review.save-workflow", NULL, save_workflow_action);
  gtk_widget_class_install_action (widget_class, "review.assign-me", NULL, assign_me_action);
  gtk_widget_class_install_action (widget_class, "review.write-note", NULL, write_note_action);
  gtk_widget_class_install_action (widget_class, "review.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "review.add-note", NULL, add_note_action);
  gtk_widget_class_install_action (widget_class, "review.dashboard", NULL, dashboard_action);
  gtk_widget_class_install_action (widget_class, "review.subject-access", NULL, subject_access_action);
  gtk_widget_class_install_action (widget_class, "review.show-shortcuts", NULL, show_shortcuts_action);
  intake_review_window_queue_class_init (widget_class);

  /* The keyboard shortcuts (listed in intake-review-shortcuts.ui; the
   * queue's are in intake-review-window-queue.c). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "review.lock", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "review.assign-me", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "review.save-workflow", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "review.write-note", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "detail.pdf", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_O, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "review.dashboard", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK, "review.show-shortcuts", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "review.show-shortcuts", NULL);
}

static void
passphrase_activate_cb (IntakeReviewWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "review.unlock", NULL);
}

/* minutes -> seconds */
static gboolean
minutes_to_seconds (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_uint32 (variant) * 60);
  return TRUE;
}

static GVariant *
seconds_to_minutes (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  return g_variant_new_uint32 ((g_value_get_uint (value) + 59) / 60);
}

/* The settings of org.intakekiosk.Review when the schema is installed
 * (docs/review.md, "Settings"); the properties' defaults otherwise. */
static void
bind_settings (IntakeReviewWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL ? g_settings_schema_source_lookup (source, REVIEW_APP_ID, TRUE) : NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "idle-lock-minutes"))
    return;
  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_bind (self->settings, "newest-first", self, "newest-first", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "refresh-seconds", self, "refresh-seconds", G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "idle-lock-minutes", self, "idle-lock-seconds", G_SETTINGS_BIND_GET,
                                minutes_to_seconds, seconds_to_minutes, NULL, NULL);
  {
    g_autofree char *name = g_settings_get_string (self->settings, "reviewer-name");

    gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  }
}

static void
intake_review_window_init (IntakeReviewWindow *self)
{
  self->newest_first = TRUE;
  self->refresh_seconds = 30;
  self->idle_lock_seconds = 5 * 60;
  self->view = INTAKE_REVIEW_VIEW_TODO;

  /* style.css is at the application's resource base path, where
   * AdwApplication loads it. */
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->row_widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bound_cells = g_hash_table_new (NULL, NULL);
  self->dashboard_facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify)intake_dashboard_facts_free);
  g_queue_init (&self->decrypt_queue);

  intake_review_window_queue_init (self);
  intake_review_window_detail_init (self);
  watch_activity (self);
  bind_settings (self);

  g_signal_connect_swapped (self->passphrase_entry, "activate", G_CALLBACK (passphrase_activate_cb), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->unlock_button));
  gtk_stack_set_visible_child_name (self->stack, "unlock");
}

IntakeReviewWindow *
intake_review_window_new (GtkApplication *application,
                          const char     *server_url)
{
  IntakeReviewWindow *self = g_object_new (INTAKE_TYPE_REVIEW_WINDOW, "application", application, NULL);

  if (server_url != NULL && *server_url != '\0')
    {
      self->server_url = g_strdup (server_url);
      gtk_widget_set_visible (GTK_WIDGET (self->server_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->server_entry), FALSE);
    }
  return self;
}

IntakeReviewClient *
intake_review_window_get_client (IntakeReviewWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_WINDOW (self), NULL);
  return self->client;
}

void
intake_review_window_set_tls_database (IntakeReviewWindow *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_set_object (&self->tls_database, database);
  if (self->client != NULL)
    intake_review_client_set_tls_database (self->client, database);
}

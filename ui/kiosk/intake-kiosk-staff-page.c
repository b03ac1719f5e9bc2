/* intake-kiosk-staff-page.c: the kiosk's staff screen: PIN entry, then the staff information
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PIN check is an Argon2id hash (about a second), so it runs in a GTask
 * thread. Staff texts are in the office language (normally Dutch).
 *
 * The "Sending" section shows the sync engine (docs/sync.md) and follows its
 * "changed" signal while the staff information is shown. "Send now" starts
 * one asynchronous pass; nothing here waits for the network.
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-staff-page.h"
#include "intake-kiosk-ui-resources.h"
#include "intake-kiosk-utils.h"
#include "intake-secure.h"

struct _IntakeKioskStaffPage
{
  GtkWidget             parent_instance;

  IntakeKiosk          *kiosk;
  IntakeCatalog        *catalog;
  char                 *language;
  char                 *location_name;
  gboolean              unlocked;

  GCancellable         *pin_cancellable;
  gboolean              pin_checking;

  /* The sync engine (NULL: this kiosk does not send, e.g. in tests). The
   * staff information follows its "changed" signal while it is shown. */
  IntakeSync           *sync;
  gulong                sync_changed_id;
  gboolean              sync_now_running;
  char                 *sync_now_result;   /* text of the last "Send now", or NULL */

  /* Rows made for the help requests and the languages; removed on clear. */
  GPtrArray            *help_rows;
  GPtrArray            *language_rows;

  /* Template children */
  GtkStack             *stack;

  GtkLabel             *pin_title;
  GtkEntry             *pin_entry;
  GtkLabel             *pin_message;
  GtkButton            *pin_cancel;
  GtkButton            *pin_open;

  GtkLabel             *title;
  AdwPreferencesGroup  *sending_group;
  GtkButton            *sync_now_button;
  AdwActionRow         *status_row;
  AdwActionRow         *error_row;
  AdwActionRow         *result_row;
  AdwActionRow         *outbox_row;
  AdwActionRow         *pending_row;
  AdwActionRow         *delivered_row;
  AdwActionRow         *success_row;
  AdwActionRow         *enrolled_row;
  AdwActionRow         *server_row;
  AdwActionRow         *sync_location_row;
  AdwPreferencesGroup  *office_key_group;
  AdwActionRow         *fingerprint_row;
  AdwPreferencesGroup  *help_group;
  GtkButton            *resolve_button;
  AdwPreferencesGroup  *device_group;
  AdwActionRow         *device_id_row;
  AdwActionRow         *location_row;
  AdwPreferencesGroup  *questionnaire_group;
  AdwActionRow         *questionnaire_row;
  AdwActionRow         *version_row;
  AdwActionRow         *hash_row;
  AdwPreferencesGroup  *languages_group;
  GtkButton            *exit_button;
  GtkButton            *close_button;
};

G_DEFINE_FINAL_TYPE (IntakeKioskStaffPage, intake_kiosk_staff_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_KIOSK,
  PROP_CATALOG,
  PROP_LANGUAGE,
  PROP_SYNC,
  PROP_LOCATION_NAME,
  PROP_UNLOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PIN_ACCEPTED,
  CANCEL,
  CLOSE,
  EXIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
tr (IntakeKioskStaffPage *self,
    const char           *msgid)
{
  if (self->catalog == NULL)
    return msgid;
  return intake_catalog_lookup (self->catalog, self->language, msgid);
}

static void refresh_sync (IntakeKioskStaffPage *self);
static void show_storage_problem (IntakeKioskStaffPage *self);

/* ---- Texts and rows ----------------------------------------------------- */

static void
set_row_title (AdwActionRow *row,
               const char   *title)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  adw_action_row_set_subtitle (row, value != NULL ? value : "");
}

static void
set_row_count (AdwActionRow *row,
               guint         value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  set_row_value (row, text);
}

/* The rows made here look like the template's. */
static void
add_row (AdwPreferencesGroup *group,
         GPtrArray           *rows,
         const char          *title,
         const char          *value)
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
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
}

static void
remove_rows (AdwPreferencesGroup *group,
             GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
retranslate (IntakeKioskStaffPage *self)
{
  /* Translators: Staff-only. Prompt for the staff PIN code. */
  gtk_label_set_text (self->pin_title, tr (self, "Enter the staff PIN"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tr (self, "Enter the staff PIN"),
                                  -1);
  /* Translators: Staff-only. Button that opens an item. */
  intake_kiosk_set_button_text (self->pin_open, tr (self, "Open"));
  /* Translators: Staff-only. Cancel button of a dialog. */
  intake_kiosk_set_button_text (self->pin_cancel, tr (self, "Cancel"));

  /* Translators: Staff-only. Title of the staff menu. */
  gtk_label_set_text (self->title, tr (self, "Staff"));
  /* Translators: Staff-only. Button that closes a screen. */
  intake_kiosk_set_button_text (self->close_button, tr (self, "Close"));
  /* Translators: Staff-only. Button that closes the kiosk program. */
  intake_kiosk_set_button_text (self->exit_button, tr (self, "Exit the kiosk"));

  /* Translators: Staff-only. Title of the section about sending the sealed submissions
     from this kiosk to the office server over the network. */
  adw_preferences_group_set_title (self->sending_group, tr (self, "Sending"));
  /* Translators: Staff-only. Button in the "Sending" section: send the waiting submissions
     to the office server now instead of waiting for the next automatic try. */
  intake_kiosk_set_button_text (self->sync_now_button, tr (self, "Send now"));
  /* Translators: Staff-only. Label of one sentence that says what the sending is doing now,
     e.g. "All submissions have been delivered to the office." */
  set_row_title (self->status_row, tr (self, "Current status"));
  /* Translators: Staff-only. Label of one sentence about the last thing that went wrong
     while sending, e.g. that the server could not be reached. */
  set_row_title (self->error_row, tr (self, "Last problem"));
  set_row_title (self->result_row, tr (self, "Send now"));
  /* Translators: Staff-only. The kiosk's store of submissions that wait to be sent to the
     office; shown as a label when it cannot be read. */
  set_row_title (self->outbox_row, tr (self, "Outbox"));
  /* Translators: Staff-only. State of a submission in the outbox. */
  set_row_title (self->pending_row, tr (self, "Waiting to be sent"));
  /* Translators: Staff-only. State of a submission in the outbox. */
  set_row_title (self->delivered_row, tr (self, "Sent"));
  /* Translators: Staff-only. Label of the date and time the kiosk last reached the office
     server without a problem. */
  set_row_title (self->success_row, tr (self, "Last successful contact"));
  /* Translators: Staff-only. Label: whether this kiosk is registered (enrolled) with the
     office server, so that it may send submissions there. Value: "Enrolled" or "Not enrolled". */
  set_row_title (self->enrolled_row, tr (self, "Connection with the office"));
  /* Translators: Staff-only. Label of the internet address (URL) of the office server. */
  set_row_title (self->server_row, tr (self, "Server address"));
  /* Translators: Staff-only. Label of the place name the office gave this kiosk when it
     registered it, e.g. a town. */
  set_row_title (self->sync_location_row, tr (self, "Location known to the office"));

  /* Translators: Staff-only. Title of the section about the office's key: the key that
     every set of answers is locked (sealed) with, so that only the office can open it. */
  adw_preferences_group_set_title (self->office_key_group, tr (self, "Office key"));
  adw_preferences_group_set_description (self->office_key_group,
                                         /* Translators: Staff-only. Explanation under the title of the "Sending" section. The
                                            fingerprint is a row of letters and digits that identifies the office's key; the office
                                            wrote it down when it made the key. */
                                         tr (self, "Compare the office key fingerprint with the one the office wrote down when it made the key. If they differ, do not use this kiosk and call the office."));
  /* Translators: Staff-only. Label of the fingerprint of the office key: a row of letters and
     digits that staff compare with the one the office wrote down. */
  set_row_title (self->fingerprint_row, tr (self, "Office key fingerprint"));

  /* Translators: Staff-only. List of residents who asked for help or an interpreter. */
  adw_preferences_group_set_title (self->help_group, tr (self, "Help requests"));
  /* Translators: Staff-only. Button above the list of help requests: marks all open
     help requests as handled (staff have helped these residents). */
  intake_kiosk_set_button_text (self->resolve_button, tr (self, "Mark as handled"));

  /* Translators: Staff-only. Section about this kiosk computer. */
  adw_preferences_group_set_title (self->device_group, tr (self, "Device"));
  /* Translators: Staff-only. Label of the unique code (identifier) of this kiosk computer. */
  set_row_title (self->device_id_row, tr (self, "Device id"));
  /* Translators: Staff-only. Label of the place where this kiosk stands, e.g. the name of
     the office or waiting room. */
  set_row_title (self->location_row, tr (self, "Location"));

  /* Translators: Staff-only. Section about the installed questionnaire. */
  adw_preferences_group_set_title (self->questionnaire_group, tr (self, "Questionnaire"));
  set_row_title (self->questionnaire_row, tr (self, "Questionnaire"));
  /* Translators: Staff-only. Label of the version number of the installed questionnaire. */
  set_row_title (self->version_row, tr (self, "Version"));
  /* Translators: Staff-only. Label of a technical check code (a cryptographic hash, shown
     as letters and digits) that identifies the exact questionnaire file. "Check code" or
     your language's usual IT word for "hash" is fine. */
  set_row_title (self->hash_row, tr (self, "Hash"));

  /* Translators: Staff-only. Column showing whether a translation was checked by a person. */
  adw_preferences_group_set_title (self->languages_group, tr (self, "Translation status"));
}

/* ---- The PIN ------------------------------------------------------------ */

typedef struct {
  IntakeKiosk *kiosk;
  char        *pin;
} PinCheck;

static void
pin_check_free (PinCheck *check)
{
  g_clear_object (&check->kiosk);
  intake_secure_strfree (check->pin);
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
set_pin_checking (IntakeKioskStaffPage *self,
                  gboolean              checking)
{
  self->pin_checking = checking;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.open", !checking);
}

static void
pin_checked_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (source);
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  gboolean ok = g_task_propagate_boolean (G_TASK (result), NULL);

  /* Cleared or disposed since: the answer no longer matters. */
  if (g_cancellable_is_cancelled (cancellable) || cancellable != self->pin_cancellable)
    return;

  g_clear_object (&self->pin_cancellable);
  set_pin_checking (self, FALSE);

  if (ok)
    {
      g_debug ("Staff PIN accepted");
      g_signal_emit (self, signals[PIN_ACCEPTED], 0);
    }
  else if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_debug ("Staff PIN refused");
      /* Translators: Staff-only. Shown when the PIN is wrong. */
      gtk_label_set_text (self->pin_message, tr (self, "Wrong PIN"));
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
    }
}

static void
cancel_pin_check (IntakeKioskStaffPage *self)
{
  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  set_pin_checking (self, FALSE);
}

static void
set_unlocked (IntakeKioskStaffPage *self,
              gboolean              unlocked)
{
  intake_kiosk_stack_show_only (self->stack, unlocked ? "status" : "pin");
  if (self->unlocked == unlocked)
    return;
  self->unlocked = unlocked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNLOCKED]);
}

/* ---- Send now ----------------------------------------------------------- */

static void
update_sync_now_action (IntakeKioskStaffPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.sync-now",
                                 self->sync != NULL && !self->sync_now_running);
}

static void
set_sync_now_result (IntakeKioskStaffPage *self,
                     char                 *text)
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
  GWeakRef *page_ref = user_data;
  g_autoptr(IntakeKioskStaffPage) self = g_weak_ref_get (page_ref);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_weak_ref_clear (page_ref);
  g_free (page_ref);

  ok = intake_sync_run_once_finish (sync, result, &error);
  if (!ok)
    g_debug ("Send now: %s", error->message);

  /* The page is gone, or now shows another engine: nobody to tell. */
  if (self == NULL || self->sync != sync)
    return;
  self->sync_now_running = FALSE;
  update_sync_now_action (self);

  if (ok && intake_sync_get_pending_count (sync) == 0)
    {
      /* Translators: Staff-only. Result of "Send now": nothing is waiting any more. */
      set_sync_now_result (self, g_strdup (tr (self, "Everything has been sent.")));
    }
  else if (ok)
    {
      gint64 pending = intake_sync_get_pending_count (sync);
      /* Translators: Staff-only. Result of "Send now": the kiosk reached the server, but some
         submissions still wait (the server refused them for now). %d is how many; it may be 1,
         so use a label form that needs no plural. */
      const char *format = tr (self, "Finished. Still waiting: %d");

      set_sync_now_result (self, intake_kiosk_format_numbers (format, 1, &pending));
    }
  else if (g_error_matches (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BUSY))
    {
      /* Translators: Staff-only. Result of "Send now" when the kiosk was already sending. */
      set_sync_now_result (self, g_strdup (tr (self, "Already sending. Please wait a moment.")));
    }
  else
    {
      /* Translators: Staff-only. Result of "Send now" when sending failed. "Current status" is
         the label of the row above that says why; use the same words as for that label. */
      set_sync_now_result (self, g_strdup (tr (self, "Not sent. The current status above says why.")));
    }
}

/* ---- The staff information ---------------------------------------------- */

/* The sync section and the outbox counts, from the engine and the outbox
 * as they are now. Does nothing while the PIN entry is shown. */
static void
refresh_sync (IntakeKioskStaffPage *self)
{
  IntakeOutboxCounts counts = { 0 };
  IntakeSyncStatus status = INTAKE_SYNC_STATUS_NOT_ENROLLED;
  const char *status_text;
  const char *last_error = NULL;
  gboolean enrolled = FALSE;
  gint64 last_success = 0;

  if (!self->unlocked || self->kiosk == NULL)
    return;

  if (intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, NULL))
    {
      set_row_count (self->pending_row, counts.pending);
      set_row_count (self->delivered_row, counts.delivered);
      show_storage_problem (self);
    }

  if (self->sync != NULL)
    {
      enrolled = intake_sync_is_enrolled (self->sync);
      status = intake_sync_get_status (self->sync);
      last_error = intake_sync_get_last_error (self->sync);
      last_success = intake_sync_get_last_success (self->sync);
    }

  set_row_value (self->enrolled_row,
                 /* Translators: Staff-only. Value of "Connection with the office": this kiosk is registered
                    with the office server. */
                 enrolled ? tr (self, "Enrolled")
                 /* Translators: Staff-only. Value of "Connection with the office": this kiosk is not
                    registered with the office server yet, so it sends nothing. */
                          : tr (self, "Not enrolled"));
  set_row_value (self->server_row,
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

      set_row_value (self->success_row, when);
    }
  else
    {
      /* Translators: Staff-only. Value of "Last successful contact" when the kiosk has not
         reached the office server yet. */
      set_row_value (self->success_row, tr (self, "Never"));
    }

  /* The engine's own plain words (docs/sync.md), in the staff language. */
  status_text = intake_sync_status_to_string (status, self->language);
  set_row_value (self->status_row, status_text);
  /* The last problem only when it says more than the status line. */
  set_row_value (self->error_row, last_error);
  gtk_widget_set_visible (GTK_WIDGET (self->error_row),
                          last_error != NULL && g_strcmp0 (last_error, status_text) != 0);

  set_row_value (self->result_row, self->sync_now_result);
  gtk_widget_set_visible (GTK_WIDGET (self->result_row), self->sync_now_result != NULL);
}

static void
sync_changed_cb (IntakeKioskStaffPage *self)
{
  refresh_sync (self);
}

static void
stop_following_sync (IntakeKioskStaffPage *self)
{
  if (self->sync != NULL)
    g_clear_signal_handler (&self->sync_changed_id, self->sync);
  self->sync_changed_id = 0;
}

/* When the kiosk's own disk is the problem, the Outbox row says so in
 * the staff language, with the technical reason for whoever they call. */
static void
show_storage_problem (IntakeKioskStaffPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (intake_kiosk_check_storage (self->kiosk, &error))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->outbox_row), FALSE);
      return;
    }
  /* Translators: Staff-only. Shown under "Outbox" when the kiosk's own disk is full or
     failing; the technical reason follows in brackets. */
  text = g_strdup_printf ("%s (%s)", tr (self, "This kiosk cannot store new submissions on its own disk "
                                               "(full or failing). Free space or call support."),
                          error->message);
  set_row_value (self->outbox_row, text);
  gtk_widget_set_visible (GTK_WIDGET (self->outbox_row), TRUE);
}

/* "Sending": what the engine does, the outbox counts, and where it sends
 * to; then the office key, for staff to compare its fingerprint. */
static void
fill_sync_groups (IntakeKioskStaffPage *self)
{
  IntakeOutboxCounts counts = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  gboolean have_counts;

  gtk_widget_set_visible (GTK_WIDGET (self->sync_now_button), self->sync != NULL);

  have_counts = intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, &error);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_row), have_counts);
  gtk_widget_set_visible (GTK_WIDGET (self->delivered_row), have_counts);
  gtk_widget_set_visible (GTK_WIDGET (self->outbox_row), !have_counts);
  set_row_value (self->outbox_row, have_counts ? "" : error->message);
  if (have_counts)
    show_storage_problem (self);

  fingerprint = intake_office_public_dup_fingerprint (intake_kiosk_get_office (self->kiosk));
  set_row_value (self->fingerprint_row, fingerprint);

  if (self->sync != NULL)
    self->sync_changed_id = g_signal_connect_object (self->sync, "changed",
                                                     G_CALLBACK (sync_changed_cb), self,
                                                     G_CONNECT_SWAPPED);
  update_sync_now_action (self);
  refresh_sync (self);
}

static void
fill_help_requests (IntakeKioskStaffPage *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) requests = NULL;

  requests = intake_outbox_list_help_requests (intake_kiosk_get_outbox (self->kiosk), TRUE, &error);
  gtk_widget_set_visible (GTK_WIDGET (self->resolve_button), requests != NULL && requests->len > 0);
  if (requests == NULL)
    {
      add_row (self->help_group, self->help_rows, tr (self, "Help requests"), error->message);
      return;
    }
  if (requests->len == 0)
    {
      /* Translators: Staff-only. Shown in the list of help requests when it is empty. */
      add_row (self->help_group, self->help_rows, tr (self, "No open help requests"), "");
      return;
    }

  for (guint i = 0; i < requests->len; i++)
    {
      const IntakeHelpRequest *request = &g_array_index (requests, IntakeHelpRequest, i);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (request->created_at);
      g_autofree char *when = time != NULL ? g_date_time_format (time, "%H:%M  %d-%m-%Y")
                                           : g_strdup ("?");
      const IntakeLanguage *language =
        intake_questionnaire_lookup_language (questionnaire, request->language);
      g_autofree char *value = NULL;

      /* Whether the office's staff have it too, or only this screen does. */
      value = g_strdup_printf ("%s · %s", language != NULL ? language->name : request->language,
                               request->sent_at != 0
                               /* Translators: Staff-only. A help request of a resident reached the office's
                                  staff (their review app shows it). */
                               ? tr (self, "sent to the office")
                               /* Translators: Staff-only. A help request of a resident could not be sent
                                  yet (the kiosk is offline): only this screen shows it. */
                               : tr (self, "not sent yet: only this kiosk shows it"));
      add_row (self->help_group, self->help_rows, when, value);
    }
}

static void
fill_device_and_questionnaire (IntakeKioskStaffPage *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  g_autofree char *version = NULL;
  g_autofree char *hash = NULL;

  set_row_value (self->device_id_row, intake_kiosk_get_device_id (self->kiosk));
  set_row_value (self->location_row,
                 self->location_name != NULL && self->location_name[0] != '\0' ? self->location_name : "—");

  version = g_strdup_printf ("%u", intake_questionnaire_get_version (questionnaire));
  hash = g_strndup (intake_questionnaire_get_hash (questionnaire), 12);
  set_row_value (self->questionnaire_row, intake_questionnaire_get_id (questionnaire));
  set_row_value (self->version_row, version);
  set_row_value (self->hash_row, hash);

  for (guint i = 0; i < intake_questionnaire_get_n_languages (questionnaire); i++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (questionnaire, i);
      /* Left-to-right, with the name isolated, so that a right-to-left
       * name does not put its code in front: "العربية (ar)". */
      g_autofree char *title = g_strdup_printf ("\u200E\u2068%s\u2069 (%s)", language->name, language->code);

      add_row (self->languages_group, self->language_rows, title,
               /* Translators: Staff-only. Translation status: a human translator approved it. */
               language->reviewed ? tr (self, "reviewed")
               /* Translators: Staff-only. Translation status: machine translation, not yet approved. */
                                  : tr (self, "draft"));
    }
}

/* Empties every staff row, so that nothing stays behind the PIN entry. */
static void
clear_status (IntakeKioskStaffPage *self)
{
  AdwActionRow *rows[] = {
    self->status_row, self->error_row, self->result_row, self->outbox_row,
    self->pending_row, self->delivered_row, self->success_row, self->enrolled_row,
    self->server_row, self->sync_location_row, self->fingerprint_row,
    self->device_id_row, self->location_row, self->questionnaire_row,
    self->version_row, self->hash_row,
  };

  stop_following_sync (self);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    set_row_value (rows[i], "");
  remove_rows (self->help_group, self->help_rows);
  remove_rows (self->languages_group, self->language_rows);
}

/* ---- Actions ------------------------------------------------------------ */

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  PinCheck *check;

  if (self->unlocked || self->pin_checking || self->kiosk == NULL ||
      !intake_kiosk_has_pin (self->kiosk))
    return;

  check = g_new0 (PinCheck, 1);
  check->kiosk = g_object_ref (self->kiosk);
  check->pin = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)));
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");

  g_clear_object (&self->pin_cancellable);
  self->pin_cancellable = g_cancellable_new ();
  set_pin_checking (self, TRUE);
  gtk_label_set_text (self->pin_message, "");

  task = g_task_new (self, self->pin_cancellable, pin_checked_cb, NULL);
  g_task_set_source_tag (task, open_action);
  g_task_set_task_data (task, check, (GDestroyNotify) pin_check_free);
  g_task_run_in_thread (task, pin_check_thread);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);

  if (self->unlocked)
    return;
  cancel_pin_check (self);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_label_set_text (self->pin_message, "");
  g_signal_emit (self, signals[CANCEL], 0);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);

  if (self->unlocked)
    g_signal_emit (self, signals[CLOSE], 0);
}

static void
exit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);

  if (self->unlocked)
    g_signal_emit (self, signals[EXIT], 0);
}

static void
resolve_help_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!self->unlocked)
    return;
  if (!intake_outbox_resolve_help_requests (intake_kiosk_get_outbox (self->kiosk),
                                            g_get_real_time () / G_USEC_PER_SEC, &error))
    g_message ("Help requests could not be marked as handled: %s", error->message);
  intake_kiosk_staff_page_show_status (self);
  /* The button just pressed may be gone with the requests. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  GWeakRef *page_ref;

  if (!self->unlocked || self->sync == NULL || self->sync_now_running)
    return;

  g_debug ("Staff asked to send now");
  self->sync_now_running = TRUE;
  update_sync_now_action (self);
  /* Translators: Staff-only. Shown after pressing "Send now" while the kiosk sends.
     Keep the ellipsis character "…". */
  set_sync_now_result (self, g_strdup (tr (self, "Sending to the office…")));

  /* No cancellable: the pass ends by itself (network timeouts), and a pass
   * cut short would leave the engine without its next run. The page may
   * be gone by then, hence the weak reference. */
  page_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (page_ref, self);
  intake_sync_run_once_async (self->sync, NULL, sync_now_done_cb, page_ref);
}

/* ---- Public API --------------------------------------------------------- */

GtkWidget *
intake_kiosk_staff_page_new (IntakeKiosk   *kiosk,
                             IntakeCatalog *catalog)
{
  g_return_val_if_fail (kiosk == NULL || INTAKE_IS_KIOSK (kiosk), NULL);
  g_return_val_if_fail (catalog == NULL || INTAKE_IS_CATALOG (catalog), NULL);

  return g_object_new (INTAKE_TYPE_KIOSK_STAFF_PAGE,
                       "kiosk", kiosk,
                       "catalog", catalog,
                       NULL);
}

IntakeKiosk *
intake_kiosk_staff_page_get_kiosk (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->kiosk;
}

void
intake_kiosk_staff_page_set_kiosk (IntakeKioskStaffPage *self,
                                   IntakeKiosk          *kiosk)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));
  g_return_if_fail (kiosk == NULL || INTAKE_IS_KIOSK (kiosk));

  if (self->kiosk == kiosk)
    return;
  /* Nothing of another kiosk stays on screen. */
  intake_kiosk_staff_page_clear (self);
  g_set_object (&self->kiosk, kiosk);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
}

IntakeCatalog *
intake_kiosk_staff_page_get_catalog (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->catalog;
}

void
intake_kiosk_staff_page_set_catalog (IntakeKioskStaffPage *self,
                                     IntakeCatalog        *catalog)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));
  g_return_if_fail (catalog == NULL || INTAKE_IS_CATALOG (catalog));

  if (!g_set_object (&self->catalog, catalog))
    return;
  retranslate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOG]);
}

const char *
intake_kiosk_staff_page_get_language (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->language;
}

void
intake_kiosk_staff_page_set_language (IntakeKioskStaffPage *self,
                                      const char           *language)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));

  if (g_strcmp0 (self->language, language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  retranslate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

IntakeSync *
intake_kiosk_staff_page_get_sync (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->sync;
}

void
intake_kiosk_staff_page_set_sync (IntakeKioskStaffPage *self,
                                  IntakeSync           *sync)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));
  g_return_if_fail (sync == NULL || INTAKE_IS_SYNC (sync));

  if (self->sync == sync)
    return;

  stop_following_sync (self);
  g_clear_pointer (&self->sync_now_result, g_free);
  self->sync_now_running = FALSE;
  g_set_object (&self->sync, sync);
  update_sync_now_action (self);
  /* The staff information follows the engine it was built for: rebuild it. */
  if (self->unlocked)
    intake_kiosk_staff_page_show_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

const char *
intake_kiosk_staff_page_get_location_name (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->location_name;
}

void
intake_kiosk_staff_page_set_location_name (IntakeKioskStaffPage *self,
                                           const char           *location_name)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));

  if (g_strcmp0 (self->location_name, location_name) == 0)
    return;
  g_free (self->location_name);
  self->location_name = g_strdup (location_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCATION_NAME]);
}

gboolean
intake_kiosk_staff_page_get_unlocked (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), FALSE);
  return self->unlocked;
}

void
intake_kiosk_staff_page_ask_pin (IntakeKioskStaffPage *self)
{
  gboolean has_pin;

  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));
  g_return_if_fail (self->kiosk != NULL);

  has_pin = intake_kiosk_has_pin (self->kiosk);
  clear_status (self);
  set_unlocked (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->pin_entry), has_pin);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_open), has_pin);
  gtk_label_set_text (self->pin_message,
                      /* Translators: Staff-only. Shown on the PIN screen when no staff PIN has been set up yet.
                         "intake-kiosk --set-pin" is a command that staff type on the computer: do not
                         translate or change it. */
                      has_pin ? "" : tr (self, "No staff PIN set: run intake-kiosk --set-pin"));
}

void
intake_kiosk_staff_page_show_status (IntakeKioskStaffPage *self)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));
  g_return_if_fail (self->kiosk != NULL);

  clear_status (self);
  set_unlocked (self, TRUE);
  fill_sync_groups (self);
  fill_help_requests (self);
  fill_device_and_questionnaire (self);
}

void
intake_kiosk_staff_page_clear (IntakeKioskStaffPage *self)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));

  cancel_pin_check (self);
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_label_set_text (self->pin_message, "");
  clear_status (self);
  g_clear_pointer (&self->sync_now_result, g_free);
  set_unlocked (self, FALSE);
}

GtkWidget *
intake_kiosk_staff_page_get_default_widget (IntakeKioskStaffPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self), NULL);
  return self->unlocked ? NULL : GTK_WIDGET (self->pin_open);
}

/* ---- GObject ------------------------------------------------------------ */

static gboolean
intake_kiosk_staff_page_grab_focus (GtkWidget *widget)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);

  if (self->unlocked)
    return gtk_widget_grab_focus (GTK_WIDGET (self->close_button));
  if (gtk_widget_get_visible (GTK_WIDGET (self->pin_entry)))
    return gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
  return gtk_widget_grab_focus (GTK_WIDGET (self->pin_cancel));
}

static void
intake_kiosk_staff_page_dispose (GObject *object)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (object);

  g_cancellable_cancel (self->pin_cancellable);
  g_clear_object (&self->pin_cancellable);
  if (self->stack != NULL)
    clear_status (self);
  g_clear_object (&self->sync);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_KIOSK_STAFF_PAGE);

  G_OBJECT_CLASS (intake_kiosk_staff_page_parent_class)->dispose (object);
}

static void
intake_kiosk_staff_page_finalize (GObject *object)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (object);

  g_clear_object (&self->kiosk);
  g_clear_object (&self->catalog);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->location_name, g_free);
  g_clear_pointer (&self->sync_now_result, g_free);
  g_clear_pointer (&self->help_rows, g_ptr_array_unref);
  g_clear_pointer (&self->language_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (intake_kiosk_staff_page_parent_class)->finalize (object);
}

static void
intake_kiosk_staff_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      g_value_set_object (value, self->kiosk);
      break;
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    case PROP_LOCATION_NAME:
      g_value_set_string (value, self->location_name);
      break;
    case PROP_UNLOCKED:
      g_value_set_boolean (value, self->unlocked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_staff_page_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      intake_kiosk_staff_page_set_kiosk (self, g_value_get_object (value));
      break;
    case PROP_CATALOG:
      intake_kiosk_staff_page_set_catalog (self, g_value_get_object (value));
      break;
    case PROP_LANGUAGE:
      intake_kiosk_staff_page_set_language (self, g_value_get_string (value));
      break;
    case PROP_SYNC:
      intake_kiosk_staff_page_set_sync (self, g_value_get_object (value));
      break;
    case PROP_LOCATION_NAME:
      intake_kiosk_staff_page_set_location_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_staff_page_class_init (IntakeKioskStaffPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_kiosk_staff_page_dispose;
  object_class->finalize = intake_kiosk_staff_page_finalize;
  object_class->get_property = intake_kiosk_staff_page_get_property;
  object_class->set_property = intake_kiosk_staff_page_set_property;
  widget_class->grab_focus = intake_kiosk_staff_page_grab_focus;

  properties[PROP_KIOSK] =
    g_param_spec_object ("kiosk", NULL, NULL, INTAKE_TYPE_KIOSK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL, INTAKE_TYPE_CATALOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Nullable: a kiosk without a sync engine keeps everything in its outbox. */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, INTAKE_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCATION_NAME] =
    g_param_spec_string ("location-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNLOCKED] =
    g_param_spec_boolean ("unlocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The PIN was right: the window may wipe any resident session and show
   * the staff information. */
  signals[PIN_ACCEPTED] =
    g_signal_new ("pin-accepted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* Staff cancelled the PIN entry: back to where the resident was. */
  signals[CANCEL] =
    g_signal_new ("cancel",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* Staff are done: back to the welcome screen. */
  signals[CLOSE] =
    g_signal_new ("close",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* Staff want the kiosk program to end. */
  signals[EXIT] =
    g_signal_new ("exit",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /* One child, the stack of the PIN entry and the staff information. */
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  /* Makes sure the resource object is linked in from the static library. */
  g_resources_register (intake_kiosk_ui_get_resource ());
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/intakekiosk/Kiosk/ui/intake-kiosk-staff-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, IntakeKioskStaffPage, name)
  BIND (stack);
  BIND (pin_title);
  BIND (pin_entry);
  BIND (pin_message);
  BIND (pin_cancel);
  BIND (pin_open);
  BIND (title);
  BIND (sending_group);
  BIND (sync_now_button);
  BIND (status_row);
  BIND (error_row);
  BIND (result_row);
  BIND (outbox_row);
  BIND (pending_row);
  BIND (delivered_row);
  BIND (success_row);
  BIND (enrolled_row);
  BIND (server_row);
  BIND (sync_location_row);
  BIND (office_key_group);
  BIND (fingerprint_row);
  BIND (help_group);
  BIND (resolve_button);
  BIND (device_group);
  BIND (device_id_row);
  BIND (location_row);
  BIND (questionnaire_group);
  BIND (questionnaire_row);
  BIND (version_row);
  BIND (hash_row);
  BIND (languages_group);
  BIND (exit_button);
  BIND (close_button);
#undef BIND

  gtk_widget_class_install_action (widget_class, "staff.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "staff.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "staff.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "staff.exit", NULL, exit_action);
  gtk_widget_class_install_action (widget_class, "staff.resolve-help", NULL, resolve_help_action);
  gtk_widget_class_install_action (widget_class, "staff.sync-now", NULL, sync_now_action);
}

static void
intake_kiosk_staff_page_init (IntakeKioskStaffPage *self)
{
  self->help_rows = g_ptr_array_new ();
  self->language_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The PIN lives in non-pageable memory that is wiped when freed. */
  {
    g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();

    gtk_entry_set_buffer (self->pin_entry, buffer);
  }

  update_sync_now_action (self);
  retranslate (self);
}

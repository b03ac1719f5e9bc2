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
 *
 * The "USB stick" section does what an offline site needs (docs/sync.md,
 * "Offline sites"): it reads the office's receipts files from a removable
 * drive, writes a bundle there, reads it back to check it, and ejects the
 * drive. The drives come from GIO's volume monitor, or from a function the
 * caller gives (tests). The "Connect with the office" section enrolls the
 * kiosk with a server address and a one-time code.
 */
#include "config.h"

#include <string.h>

#include "intake-bundle.h"
#include "intake-enroll.h"
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

  /* Removable drives: the function that lists them (NULL: GIO's volume
   * monitor), and the ones listed now, in the order of drive_names. */
  IntakeKioskDrivesFunc drives_func;
  gpointer              drives_data;
  GDestroyNotify        drives_destroy;
  GPtrArray            *drives;
  GtkStringList        *drive_names;
  gboolean              drive_busy;        /* ejecting */
  gboolean              enrolling;

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
  AdwActionRow         *waiting_since_row;
  AdwActionRow         *delivered_row;
  AdwActionRow         *success_row;
  AdwActionRow         *enrolled_row;
  AdwActionRow         *server_row;
  AdwActionRow         *sync_location_row;
  AdwPreferencesGroup  *drive_group;
  GtkButton            *find_drives_button;
  AdwComboRow          *drive_row;
  AdwActionRow         *no_drive_row;
  AdwActionRow         *receipts_row;
  GtkButton            *read_receipts_button;
  AdwActionRow         *bundle_row;
  GtkButton            *write_bundle_button;
  AdwActionRow         *drive_result_row;
  AdwPreferencesGroup  *enroll_group;
  GtkButton            *enroll_button;
  AdwEntryRow          *server_entry;
  AdwEntryRow          *code_entry;
  AdwActionRow         *enroll_result_row;
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
static void update_drive_actions (IntakeKioskStaffPage *self);
static void refresh_receipts_row (IntakeKioskStaffPage *self);
static void refresh_drives (IntakeKioskStaffPage *self);
static void update_enroll_action (IntakeKioskStaffPage *self);

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

/* A message row: shown with @text, hidden without. */
static void
set_message_row (AdwActionRow *row,
                 const char   *text)
{
  set_row_value (row, text);
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL && text[0] != '\0');
}

/* An entry row's title is its accessible name too. */
static void
set_entry_row_title (AdwEntryRow *row,
                     const char  *title)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  if (delegate != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (delegate), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
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
  /* Translators: Staff-only. Label of the date and time of the oldest submission that still
     waits to be sent ("—" when none waits). */
  set_row_title (self->waiting_since_row, tr (self, "Oldest waiting since"));
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

  /* Translators: Staff-only. Title of the section for a USB stick (any removable drive): the
     office's confirmations are read from it and the waiting submissions written to it, for a
     kiosk without a network connection. */
  adw_preferences_group_set_title (self->drive_group, tr (self, "USB stick"));
  adw_preferences_group_set_description (self->drive_group,
                                         /* Translators: Staff-only. Explanation under "USB stick". The order matters:
                                            first read the confirmations, then write, then remove the stick. */
                                         tr (self, "Without a network: put in the stick that came back from the office. "
                                                   "First read the office's confirmations, then write the waiting "
                                                   "submissions to the stick. The kiosk ejects it for you."));
  /* Translators: Staff-only. Button: look again for USB sticks (after putting one in). */
  intake_kiosk_set_button_text (self->find_drives_button, tr (self, "Look again"));
  /* Translators: Staff-only. Label of the list to choose a USB stick from. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->drive_row), tr (self, "Stick"));
  /* Translators: Staff-only. Shown when no USB stick is found. "Look again" is the button
     next to it: use the same words. */
  set_row_title (self->no_drive_row, tr (self, "No USB stick found. Put one in and press \"Look again\"."));
  /* Translators: Staff-only. Label of the row about the office's confirmations (receipts
     files) on the stick: signed lists of the submissions the office received. */
  set_row_title (self->receipts_row, tr (self, "Confirmations from the office"));
  /* Translators: Staff-only. Button: read the office's confirmations from the stick, so that the
     submissions they list count as sent. */
  intake_kiosk_set_button_text (self->read_receipts_button, tr (self, "Read confirmations"));
  /* Translators: Staff-only. Label of the row about writing the waiting submissions to the stick
     (sealed: only the office can open them). */
  set_row_title (self->bundle_row, tr (self, "Submissions for the office"));
  /* Translators: Staff-only. Button: write the waiting submissions to the stick, check the file
     and eject the stick. */
  intake_kiosk_set_button_text (self->write_bundle_button, tr (self, "Write to the stick"));
  /* Translators: Staff-only. Label of the line that says what the last stick action did. */
  set_row_title (self->drive_result_row, tr (self, "Result"));

  /* Translators: Staff-only. Title of the section where staff register (enroll) this kiosk with
     the office server, with the server address and a one-time code from the office. */
  adw_preferences_group_set_title (self->enroll_group, tr (self, "Connect with the office"));
  adw_preferences_group_set_description (self->enroll_group,
                                         /* Translators: Staff-only. Explanation under "Connect with the office". */
                                         tr (self, "Type the server address and the one-time code the office gave you. "
                                                   "Then compare the office key fingerprint with the one the office "
                                                   "wrote down."));
  /* Translators: Staff-only. Button: register this kiosk with the office server using the code. */
  intake_kiosk_set_button_text (self->enroll_button, tr (self, "Connect"));
  set_entry_row_title (self->server_entry, tr (self, "Server address"));
  /* Translators: Staff-only. Label of the field for the one-time code (16 letters and digits)
     that the office made for this kiosk. */
  set_entry_row_title (self->code_entry, tr (self, "Enrollment code"));
  set_row_title (self->enroll_result_row, tr (self, "Result"));

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
      if (counts.pending > 0 && counts.oldest_pending_at > 0)
        {
          g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (counts.oldest_pending_at);
          g_autofree char *when = time != NULL ? g_date_time_format (time, "%H:%M  %d-%m-%Y")
                                               : g_strdup ("?");

          set_row_value (self->waiting_since_row, when);
        }
      else
        set_row_value (self->waiting_since_row, "—");
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
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_since_row), have_counts);
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

/* The stick's drives as they are now, and the server address to enroll
 * with (the current one, to enroll again). */
static void
fill_stick_and_enrollment (IntakeKioskStaffPage *self)
{
  const char *url = self->sync != NULL ? intake_sync_get_server_url (self->sync) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->drive_group), self->sync != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_group), self->sync != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), url != NULL ? url : "");
  update_enroll_action (self);
  if (self->sync != NULL)
    refresh_drives (self);
  else
    update_drive_actions (self);
}

/* Empties every staff row, so that nothing stays behind the PIN entry. */
static void
clear_status (IntakeKioskStaffPage *self)
{
  AdwActionRow *rows[] = {
    self->status_row, self->error_row, self->result_row, self->outbox_row,
    self->pending_row, self->waiting_since_row, self->delivered_row, self->success_row, self->enrolled_row,
    self->server_row, self->sync_location_row, self->fingerprint_row,
    self->device_id_row, self->location_row, self->questionnaire_row,
    self->version_row, self->hash_row,
  };

  stop_following_sync (self);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    set_row_value (rows[i], "");
  set_message_row (self->drive_result_row, NULL);
  set_message_row (self->enroll_result_row, NULL);
  set_row_value (self->receipts_row, "");
  set_row_value (self->bundle_row, "");
  gtk_editable_set_text (GTK_EDITABLE (self->server_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
  remove_rows (self->help_group, self->help_rows);
  remove_rows (self->languages_group, self->language_rows);
}

/* ---- The USB stick ------------------------------------------------------ */

static IntakeKioskDrive *
selected_drive (IntakeKioskStaffPage *self)
{
  guint selected = adw_combo_row_get_selected (self->drive_row);

  if (self->drives == NULL || selected == GTK_INVALID_LIST_POSITION || selected >= self->drives->len)
    return NULL;
  return g_ptr_array_index (self->drives, selected);
}

static void
update_drive_actions (IntakeKioskStaffPage *self)
{
  gboolean usable = self->sync != NULL && !self->drive_busy && selected_drive (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.find-drives", !self->drive_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.write-bundle", usable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.read-receipts", usable);
}

/* g_ptr_array_sort passes pointers to the elements. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The receipts files at the top of @drive (docs/sync.md: the office writes
 * NAME.receipts beside the bundle), sorted by name. */
static GPtrArray *
list_receipts_files (IntakeKioskDrive  *drive,
                     GError           **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (intake_kiosk_drive_get_root (drive),
                                        G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (children == NULL)
    return NULL;
  for (;;)
    {
      GFileInfo *info = NULL;

      if (!g_file_enumerator_iterate (children, &info, NULL, NULL, error))
        return NULL;
      if (info == NULL)
        break;
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          g_str_has_suffix (g_file_info_get_name (info), ".receipts"))
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
    }
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

/* Under "Confirmations from the office": the receipts files on the stick. */
static void
refresh_receipts_row (IntakeKioskStaffPage *self)
{
  IntakeKioskDrive *drive = selected_drive (self);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;

  if (drive == NULL)
    {
      set_row_value (self->receipts_row, "—");
      return;
    }
  if (!(names = list_receipts_files (drive, &error)))
    {
      set_row_value (self->receipts_row, error->message);
      return;
    }
  if (names->len == 0)
    {
      /* Translators: Staff-only. Under "Confirmations from the office": the chosen stick holds no
         confirmations file (a file whose name ends in .receipts). */
      set_row_value (self->receipts_row, tr (self, "None on this stick"));
      return;
    }
  g_ptr_array_add (names, NULL);
  {
    g_autofree char *list = g_strjoinv (", ", (char **) names->pdata);

    set_row_value (self->receipts_row, list);
  }
}

static GPtrArray *
list_drives (IntakeKioskStaffPage *self)
{
  g_autoptr(GVolumeMonitor) monitor = NULL;

  if (self->drives_func != NULL)
    return self->drives_func (self->drives_data);
  monitor = g_volume_monitor_get ();
  return intake_kiosk_drive_list_removable (monitor);
}

/* Lists the drives again, keeping the chosen one when it is still there. */
static void
refresh_drives (IntakeKioskStaffPage *self)
{
  g_autoptr(GPtrArray) drives = list_drives (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  IntakeKioskDrive *previous = selected_drive (self);
  g_autoptr(GFile) previous_root = previous != NULL ? g_object_ref (intake_kiosk_drive_get_root (previous)) : NULL;
  guint selected = 0;

  for (guint i = 0; i < drives->len; i++)
    {
      IntakeKioskDrive *drive = g_ptr_array_index (drives, i);

      g_strv_builder_add (builder, intake_kiosk_drive_get_name (drive));
      if (previous_root != NULL && g_file_equal (previous_root, intake_kiosk_drive_get_root (drive)))
        selected = i;
    }
  names = g_strv_builder_end (builder);

  g_clear_pointer (&self->drives, g_ptr_array_unref);
  self->drives = g_steal_pointer (&drives);
  gtk_string_list_splice (self->drive_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->drive_names)),
                          (const char * const *) names);
  if (self->drives->len > 0)
    adw_combo_row_set_selected (self->drive_row, selected);
  gtk_widget_set_visible (GTK_WIDGET (self->drive_row), self->drives->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_drive_row), self->drives->len == 0);
  update_drive_actions (self);
  refresh_receipts_row (self);
}

static void
drive_selected_cb (IntakeKioskStaffPage *self)
{
  update_drive_actions (self);
  refresh_receipts_row (self);
}

static void
find_drives_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);

  if (!self->unlocked || self->drive_busy)
    return;
  set_message_row (self->drive_result_row, NULL);
  refresh_drives (self);
}

static void
read_receipts_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  IntakeKioskDrive *drive = selected_drive (self);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  gint64 numbers[3] = { 0, 0, 0 };
  guint read = 0;

  if (!self->unlocked || self->sync == NULL || drive == NULL || self->drive_busy)
    return;

  root = g_file_get_path (intake_kiosk_drive_get_root (drive));
  if (root == NULL || !(names = list_receipts_files (drive, &error)))
    {
      /* Translators: Staff-only. The kiosk cannot look at the files on the USB stick; the
         technical reason follows in brackets. */
      g_autofree char *text = g_strdup_printf ("%s (%s)", tr (self, "The stick cannot be read. Take it out, put it in again and press \"Look again\"."),
                                               error != NULL ? error->message : "no local path");

      set_message_row (self->drive_result_row, text);
      return;
    }
  if (names->len == 0)
    {
      /* Translators: Staff-only. Result of "Read confirmations": the stick holds no confirmations
         file. ".receipts" is the end of the file name: do not translate it. */
      set_message_row (self->drive_result_row, tr (self, "There is no confirmations file (.receipts) on this stick. "
                                                         "The office writes it when it reads your submissions."));
      return;
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (root, name, NULL);
      IntakeReceiptsImport result = { 0 };
      g_autoptr(GError) import_error = NULL;

      if (!intake_sync_import_receipts (self->sync, path, &result, &import_error))
        {
          g_debug ("Receipts file %s refused: %s", path, import_error->message);
          if (message->len > 0)
            g_string_append_c (message, '\n');
          g_string_append_printf (message, "%s: %s (%s)", name,
                                  /* Translators: Staff-only. After the name of a confirmations file that
                                     was refused; the technical reason follows in brackets. */
                                  tr (self, "not read: this file is damaged or is not from the office this kiosk "
                                            "is connected with. Nothing in it was marked as sent."),
                                  import_error->message);
          continue;
        }
      read++;
      numbers[0] += result.delivered;
      numbers[1] += result.already;
    }
  numbers[2] = intake_sync_get_pending_count (self->sync);
  if (read > 0)
    {
      /* Translators: Staff-only. Result of "Read confirmations": the first %d is how many
         submissions the office confirmed now, the second how many it had confirmed before, the
         third how many still wait. Numbers may be 0 or 1: use label forms that need no plural. */
      g_autofree char *counts = intake_kiosk_format_numbers (tr (self, "Confirmed now: %d. Confirmed before: %d. "
                                                                       "Still waiting: %d."), 3, numbers);

      g_string_prepend (message, message->len > 0 ? "\n" : "");
      g_string_prepend (message, counts);
    }
  set_message_row (self->drive_result_row, message->str);
  refresh_sync (self);
}

typedef struct {
  GWeakRef          page;
  IntakeKioskDrive *drive;
  gint64            written;
} EjectData;

static void
eject_data_free (EjectData *data)
{
  g_weak_ref_clear (&data->page);
  g_clear_object (&data->drive);
  g_free (data);
}

static void
eject_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  EjectData *data = user_data;
  g_autoptr(IntakeKioskStaffPage) self = g_weak_ref_get (&data->page);
  g_autoptr(GError) error = NULL;
  gboolean ok = intake_kiosk_drive_eject_finish (INTAKE_KIOSK_DRIVE (source), result, &error);
  gint64 written = data->written;

  eject_data_free (data);
  if (!ok)
    g_message ("The stick could not be ejected: %s", error->message);
  if (self == NULL)
    return;
  self->drive_busy = FALSE;

  if (ok)
    {
      /* Translators: Staff-only. Result of "Write to the stick": the file was written, read back and
         found right, and the stick was ejected. %d is how many submissions are on the stick (it may
         be 0 or 1: use a label form that needs no plural). */
      g_autofree char *text = intake_kiosk_format_numbers (tr (self, "Written and checked. Submissions on the stick: %d. "
                                                                     "You can remove the stick now."), 1, &written);

      set_message_row (self->drive_result_row, text);
    }
  else
    {
      /* Translators: Staff-only. Result of "Write to the stick" when the file is right but the stick
         could not be ejected. %d is how many submissions are on the stick; the technical reason
         follows in brackets. */
      g_autofree char *counts = intake_kiosk_format_numbers (tr (self, "Written and checked. Submissions on the stick: %d. "
                                                                       "The stick could not be ejected: wait until its light "
                                                                       "stops blinking before you remove it."), 1, &written);
      g_autofree char *text = g_strdup_printf ("%s (%s)", counts, error->message);

      set_message_row (self->drive_result_row, text);
    }
  /* An ejected stick is gone from the list. */
  if (self->unlocked)
    refresh_drives (self);
  update_drive_actions (self);
}

/* intake-bundle-DEVICE_ID-YYYYMMDD-HHMMSS.ikb: whose it is and when, so that
 * the office can tell bundles apart and a second one never overwrites the
 * first. */
static char *
bundle_file_name (IntakeKioskStaffPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("intake-bundle-%s-%s.ikb", intake_kiosk_get_device_id (self->kiosk), stamp);
}

/* Reads the bundle at @path back: it must parse, be signed by this kiosk's
 * device key and hold @expected envelopes. */
static gboolean
verify_bundle (IntakeKioskStaffPage  *self,
               const char            *path,
               gint64                 expected,
               GError               **error)
{
  g_autoptr(GPtrArray) envelopes = NULL;
  IntakeDevicePublic signer, own;

  if (!(envelopes = intake_bundle_load (path, INTAKE_BUNDLE_DEFAULT_MAX_SIZE, &signer, NULL, error)))
    return FALSE;
  intake_device_key_get_public (intake_kiosk_get_device_key (self->kiosk), &own);
  if (memcmp (signer.sign_pk, own.sign_pk, sizeof own.sign_pk) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the file read back is signed by another device");
      return FALSE;
    }
  if ((gint64) envelopes->len != expected)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the file read back holds %u submissions, not %" G_GINT64_FORMAT,
                   envelopes->len, expected);
      return FALSE;
    }
  return TRUE;
}

static void
write_bundle_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  IntakeKioskDrive *drive = selected_drive (self);
  g_autofree char *root = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  EjectData *data;
  gint64 written;

  if (!self->unlocked || self->sync == NULL || drive == NULL || self->drive_busy)
    return;

  root = g_file_get_path (intake_kiosk_drive_get_root (drive));
  name = bundle_file_name (self);
  if (root != NULL)
    path = g_build_filename (root, name, NULL);
  written = path != NULL ? intake_sync_export_bundle (self->sync, path, &error) : -1;
  if (written < 0)
    {
      /* Translators: Staff-only. Result of "Write to the stick" when the file could not be written
         (stick full, write-protected or broken); the technical reason follows in brackets. */
      g_autofree char *text = g_strdup_printf ("%s (%s)", tr (self, "The submissions could not be written to the stick. "
                                                                   "They are still on this kiosk. Try another stick."),
                                               error != NULL ? error->message : "no local path");

      set_message_row (self->drive_result_row, text);
      return;
    }
  g_debug ("Wrote %" G_GINT64_FORMAT " submissions to %s", written, path);

  if (!verify_bundle (self, path, written, &error))
    {
      /* Translators: Staff-only. Result of "Write to the stick" when the file, read back, is not
         right; the technical reason follows in brackets. */
      g_autofree char *text = g_strdup_printf ("%s (%s)", tr (self, "The file on the stick is not right. The submissions "
                                                                   "are still on this kiosk. Try another stick."),
                                               error->message);

      g_message ("The bundle %s did not read back: %s", path, error->message);
      set_message_row (self->drive_result_row, text);
      return;
    }

  {
    /* Translators: Staff-only. Under "Submissions for the office": the name of the file just written
       to the stick follows. */
    g_autofree char *last = g_strdup_printf ("%s %s", tr (self, "Last file:"), name);

    set_row_value (self->bundle_row, last);
  }
  /* Translators: Staff-only. Shown while the kiosk ejects the stick after writing. Keep the
     ellipsis character "…". */
  set_message_row (self->drive_result_row, tr (self, "Written and checked. Ejecting the stick…"));
  self->drive_busy = TRUE;
  update_drive_actions (self);

  data = g_new0 (EjectData, 1);
  g_weak_ref_init (&data->page, self);
  data->drive = g_object_ref (drive);
  data->written = written;
  intake_kiosk_drive_eject_async (drive, NULL, eject_done_cb, data);
}

/* ---- Enrollment --------------------------------------------------------- */

static void
update_enroll_action (IntakeKioskStaffPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "staff.enroll", self->sync != NULL && !self->enrolling);
}

/* The plain words for what went wrong, in the staff language. */
static const char *
enroll_error_text (IntakeKioskStaffPage *self,
                   const GError         *error)
{
  if (error->domain == INTAKE_SYNC_ERROR)
    switch ((IntakeSyncError) error->code)
      {
      case INTAKE_SYNC_ERROR_ENROLL_CODE:
        /* Translators: Staff-only. Enrollment failed: the server does not know the code. */
        return tr (self, "The office server does not know this code. Check the code, or ask the office for a new one.");
      case INTAKE_SYNC_ERROR_ENROLL_CODE_USED:
        /* Translators: Staff-only. Enrollment failed: the code works only once. */
        return tr (self, "This code has already been used. Ask the office for a new one.");
      case INTAKE_SYNC_ERROR_ENROLL_CODE_EXPIRED:
        /* Translators: Staff-only. Enrollment failed: the code is too old. */
        return tr (self, "This code has expired. Ask the office for a new one.");
      case INTAKE_SYNC_ERROR_NETWORK:
        /* Translators: Staff-only. Enrollment failed: no connection with the server. */
        return tr (self, "The office server cannot be reached. Check the address and the network, then try again.");
      case INTAKE_SYNC_ERROR_UNTRUSTED:
        /* Translators: Staff-only. Enrollment failed: the server's TLS certificate is not trusted.
           Nothing was sent. */
        return tr (self, "The office server was reached, but its security certificate is not trusted. "
                         "Check the address. If it is right, call the office: waiting does not help.");
      case INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED:
        /* Translators: Staff-only. Enrollment failed: the server offered another office key than the
           one this kiosk seals answers to, and the kiosk refused it. The code was used up by the
           server before the kiosk could refuse. */
        return tr (self, "The office server offers another office key than the one this kiosk uses. "
                         "The kiosk kept its own key. Call the office. This code is now used up: "
                         "the next try needs a new code.");
      case INTAKE_SYNC_ERROR_CLOCK:
        /* Translators: Staff-only. Enrollment failed: the kiosk's clock is wrong. */
        return tr (self, "The kiosk's clock is wrong, so the office server refuses it. Set the date and time, then try again.");
      case INTAKE_SYNC_ERROR_REFUSED:
        /* Translators: Staff-only. Enrollment failed: the server refused this kiosk, e.g. because the
           office revoked it. */
        return tr (self, "The office server refuses this kiosk. Call the office.");
      default:
        break;
      }
  /* Translators: Staff-only. Enrollment failed for another reason; the technical reason follows
     in brackets. */
  return tr (self, "Connecting did not work. Call the office.");
}

static void
enroll_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *page_ref = user_data;
  g_autoptr(IntakeKioskStaffPage) self = g_weak_ref_get (page_ref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reload_error = NULL;
  g_autofree char *fingerprint = intake_enroll_finish (result, &error);
  g_autofree char *text = NULL;

  g_weak_ref_clear (page_ref);
  g_free (page_ref);
  if (self == NULL)
    return;
  self->enrolling = FALSE;
  update_enroll_action (self);

  if (fingerprint == NULL)
    {
      g_message ("Enrollment from the staff screen failed: %s", error->message);
      text = g_strdup_printf ("%s (%s)", enroll_error_text (self, error), error->message);
    }
  /* The engine (and through it the kiosk) reads what enrollment wrote. */
  else if (self->sync != NULL && !intake_sync_reload (self->sync, &reload_error))
    {
      g_message ("Enrolled, but the kiosk could not take it up: %s", reload_error->message);
      /* Translators: Staff-only. Enrollment worked, but the running kiosk could not load it;
         restarting the kiosk makes it load it. The technical reason follows in brackets. */
      text = g_strdup_printf ("%s (%s)", tr (self, "Connected, but the kiosk must be restarted to use it."),
                              reload_error->message);
    }
  else
    {
      g_debug ("Enrolled from the staff screen; office key %s", fingerprint);
      /* Translators: Staff-only. Enrollment worked. The office key fingerprint (letters and
         digits) follows on the next line. */
      text = g_strconcat (tr (self, "Connected with the office. Compare this office key fingerprint with the one "
                                    "the office wrote down. If they differ, do not use this kiosk and call the office:"),
                          "\n", fingerprint, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->code_entry), "");
    }

  if (!self->unlocked)
    return;
  set_message_row (self->enroll_result_row, text);
  if (fingerprint != NULL)
    {
      g_autofree char *now = intake_office_public_dup_fingerprint (intake_kiosk_get_office (self->kiosk));

      set_row_value (self->fingerprint_row, now);
    }
  refresh_sync (self);
}

static void
enroll_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeKioskStaffPage *self = INTAKE_KIOSK_STAFF_PAGE (widget);
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  GWeakRef *page_ref;

  if (!self->unlocked || self->sync == NULL || self->enrolling)
    return;

  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_entry))));
  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_entry))));
  if (url[0] == '\0' || code[0] == '\0')
    {
      /* Translators: Staff-only. Shown when "Connect" is pressed with an empty field. */
      set_message_row (self->enroll_result_row, tr (self, "Fill in the server address and the code from the office."));
      gtk_widget_grab_focus (GTK_WIDGET (url[0] == '\0' ? self->server_entry : self->code_entry));
      return;
    }

  g_debug ("Staff asked to enroll with %s", url);
  self->enrolling = TRUE;
  update_enroll_action (self);
  /* Translators: Staff-only. Shown while the kiosk registers with the office server. Keep the
     ellipsis character "…". */
  set_message_row (self->enroll_result_row, tr (self, "Connecting with the office…"));

  /* No cancellable: once the server has taken the code, what it answers
   * must be stored, even if staff leave the screen meanwhile. */
  page_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (page_ref, self);
  intake_enroll_async (intake_kiosk_get_state_dir (self->kiosk), url, code, INTAKE_ENROLL_NONE,
                       intake_sync_get_tls_ca_file (self->sync), NULL, enroll_done_cb, page_ref);
}

static void
code_activated_cb (IntakeKioskStaffPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "staff.enroll", NULL);
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
  update_enroll_action (self);
  update_drive_actions (self);
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
  fill_stick_and_enrollment (self);
}

void
intake_kiosk_staff_page_set_drives_func (IntakeKioskStaffPage  *self,
                                         IntakeKioskDrivesFunc  func,
                                         gpointer               user_data,
                                         GDestroyNotify         destroy)
{
  g_return_if_fail (INTAKE_IS_KIOSK_STAFF_PAGE (self));

  if (self->drives_destroy != NULL)
    self->drives_destroy (self->drives_data);
  self->drives_func = func;
  self->drives_data = user_data;
  self->drives_destroy = destroy;
  if (self->unlocked)
    refresh_drives (self);
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
  g_clear_pointer (&self->drives, g_ptr_array_unref);
  if (self->drives_destroy != NULL)
    self->drives_destroy (self->drives_data);
  self->drives_func = NULL;
  self->drives_data = NULL;
  self->drives_destroy = NULL;
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
  g_clear_object (&self->drive_names);

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
  BIND (waiting_since_row);
  BIND (delivered_row);
  BIND (success_row);
  BIND (enrolled_row);
  BIND (server_row);
  BIND (sync_location_row);
  BIND (drive_group);
  BIND (find_drives_button);
  BIND (drive_row);
  BIND (no_drive_row);
  BIND (receipts_row);
  BIND (read_receipts_button);
  BIND (bundle_row);
  BIND (write_bundle_button);
  BIND (drive_result_row);
  BIND (enroll_group);
  BIND (enroll_button);
  BIND (server_entry);
  BIND (code_entry);
  BIND (enroll_result_row);
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
  gtk_widget_class_install_action (widget_class, "staff.enroll", NULL, enroll_action);
  gtk_widget_class_install_action (widget_class, "staff.find-drives", NULL, find_drives_action);
  gtk_widget_class_install_action (widget_class, "staff.write-bundle", NULL, write_bundle_action);
  gtk_widget_class_install_action (widget_class, "staff.read-receipts", NULL, read_receipts_action);
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

  self->drive_names = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->drive_row, G_LIST_MODEL (self->drive_names));
  g_signal_connect_object (self->drive_row, "notify::selected", G_CALLBACK (drive_selected_cb), self,
                           G_CONNECT_SWAPPED);
  /* Enter in the code field connects. */
  g_signal_connect_object (self->code_entry, "entry-activated", G_CALLBACK (code_activated_cb), self,
                           G_CONNECT_SWAPPED);

  update_sync_now_action (self);
  update_enroll_action (self);
  update_drive_actions (self);
  retranslate (self);
}

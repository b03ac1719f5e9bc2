/* intake-review-subject-access.c: the privacy officer's "Inzageverzoek" page (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page is made when the officer opens it and removed when they go back
 * or the window locks, so the name typed, the submissions decrypted and the
 * document built live no longer than the page. The document reaches the disk
 * only as the PDF the officer saves, mode 0600.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-review-pdf.h"
#include "intake-review-subject-access.h"

struct _IntakeReviewSubjectAccess
{
  GtkWidget               parent_instance;

  GtkWidget              *box;
  GtkWidget              *name_row;
  GtkWidget              *birth_row;
  GtkProgressBar         *progress;
  GtkLabel               *status;
  GtkWidget              *save_button;

  IntakeReviewClient     *client;
  IntakeQuestionnaireSet *questionnaires;
  GCancellable           *cancellable;
  IntakeSubjectAccess    *result;
  gboolean                busy;
};

G_DEFINE_FINAL_TYPE (IntakeReviewSubjectAccess, intake_review_subject_access, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (IntakeReviewSubjectAccess *self,
            const char                *text)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), text != NULL && *text != '\0');
}

static void
set_busy (IntakeReviewSubjectAccess *self,
          gboolean                   busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->progress), busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "subject-access.search", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_result (IntakeReviewSubjectAccess *self,
            IntakeSubjectAccess       *result)
{
  g_clear_object (&self->result);
  self->result = result;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "subject-access.save", result != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "subject-access.save-to", result != NULL);
  gtk_widget_set_visible (self->save_button, result != NULL);
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  IntakeReviewSubjectAccess *self = user_data;
  /* Translators: the progress of a subject access search: submissions opened of all. */
  g_autofree char *text = g_strdup_printf (_("Opened %u of %u…"), done, total);

  gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double)done / total : 1.0);
  gtk_progress_bar_set_text (self->progress, text);
}

static void
collected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  IntakeReviewSubjectAccess *self = user_data;
  g_autoptr(IntakeSubjectAccess) access = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint found;

  /* A page that is gone cancelled its search first: then @self is not touched. */
  access = intake_subject_access_collect_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (access == NULL)
    {
      /* Translators: a subject access search failed; the reason follows. */
      text = g_strdup_printf (_("No document was made: %s"), error->message);
      set_status (self, text);
      return;
    }
  found = intake_subject_access_get_n_submissions (access);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u submission found (%u searched). Save the document for the resident.",
                                       "%u submissions found (%u searched). Save the document for the resident.",
                                       found),
                          found, intake_subject_access_get_n_searched (access));
  set_status (self, text);
  set_result (self, g_steal_pointer (&access));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeReviewSubjectAccess *self = INTAKE_REVIEW_SUBJECT_ACCESS (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *born = gtk_editable_get_text (GTK_EDITABLE (self->birth_row));

  if (self->busy)
    return;
  set_result (self, NULL);
  set_status (self, NULL);
  set_busy (self, TRUE);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, _("Listing the submissions…"));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  intake_subject_access_collect_async (self->client, self->questionnaires, name, born, progress_cb, self,
                                       self->cancellable, collected_cb, self);
}

static void
save_to (IntakeReviewSubjectAccess *self,
         const char                *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->result == NULL)
    return;
  if (!intake_review_subject_access_pdf_write (self->result, path, &error))
    text = g_strdup_printf (_("The document could not be saved: %s"), error->message);
  else
    text = g_strdup (_("Saved. Give the document to the resident, then delete the file: it holds all their answers."));
  set_status (self, text);
}

static void
save_to_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  save_to (INTAKE_REVIEW_SUBJECT_ACCESS (widget), g_variant_get_string (parameter, NULL));
}

static void
chooser_cb (GtkNativeDialog *dialog,
            int              response,
            gpointer         user_data)
{
  g_autoptr(IntakeReviewSubjectAccess) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        save_to (self, path);
    }
  g_object_unref (dialog);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeReviewSubjectAccess *self = INTAKE_REVIEW_SUBJECT_ACCESS (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the subject access document"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("Save"), _("Cancel"));
  /* Translators: the suggested file name of a subject access document; it names no one. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("subject-access.pdf"));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
entry_activated_cb (AdwEntryRow               *row,
                    IntakeReviewSubjectAccess *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "subject-access.search", NULL);
}

static void
intake_review_subject_access_dispose (GObject *object)
{
  IntakeReviewSubjectAccess *self = INTAKE_REVIEW_SUBJECT_ACCESS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The result wipes the submissions and the document it holds. */
  g_clear_object (&self->result);
  if (self->name_row != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->birth_row), "");
      self->name_row = self->birth_row = NULL;
    }
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->client);
  g_clear_object (&self->questionnaires);

  G_OBJECT_CLASS (intake_review_subject_access_parent_class)->dispose (object);
}

static void
intake_review_subject_access_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  IntakeReviewSubjectAccess *self = INTAKE_REVIEW_SUBJECT_ACCESS (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_subject_access_class_init (IntakeReviewSubjectAccessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_subject_access_dispose;
  object_class->get_property = intake_review_subject_access_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "subject-access.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "subject-access.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "subject-access.save-to", "s", save_to_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
intake_review_subject_access_init (IntakeReviewSubjectAccess *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *intro = gtk_label_new (
    _("Everything the intake system holds about one resident, in one document, for their request to see "
      "their data (GDPR article 15). Every submission you may read is opened on this computer to compare "
      "the name and date of birth: with many submissions this takes a while. The server records that you "
      "made the document and how many submissions it holds, not whom it is about."));
  GtkWidget *fields = gtk_list_box_new ();
  GtkWidget *search = gtk_button_new_with_mnemonic (_("_Find submissions"));
  GtkWidget *progress = gtk_progress_bar_new ();
  GtkWidget *status = gtk_label_new (NULL);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   /* Translators: the subject access page's title and subtitle. */
                                   adw_window_title_new (_("Subject access request"), _("GDPR article 15")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "review.back");
  gtk_widget_set_tooltip_text (back, _("Back to the list"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back to the list"), -1);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  gtk_box_append (GTK_BOX (self->box), header);

  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (content), intro);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (fields), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (fields, "boxed-list");
  self->name_row = adw_entry_row_new ();
  /* Translators: the subject access page's fields. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name as on the ID"));
  self->birth_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->birth_row),
                                 _("Date of birth (dd-mm-yyyy, 00 for an unknown day or month)"));
  g_signal_connect (self->name_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  g_signal_connect (self->birth_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->name_row), FALSE);
  gtk_list_box_append (GTK_LIST_BOX (fields), self->name_row);
  gtk_list_box_append (GTK_LIST_BOX (fields), self->birth_row);
  gtk_box_append (GTK_BOX (content), fields);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (search), "subject-access.search");
  gtk_widget_add_css_class (search, "suggested-action");
  gtk_widget_add_css_class (search, "pill");
  gtk_widget_set_halign (search, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), search);

  self->progress = GTK_PROGRESS_BAR (progress);
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_widget_set_visible (progress, FALSE);
  gtk_box_append (GTK_BOX (content), progress);

  self->status = GTK_LABEL (status);
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_visible (status, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Result"), -1);
  gtk_box_append (GTK_BOX (content), status);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save as PDF…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "subject-access.save");
  gtk_widget_add_css_class (self->save_button, "pill");
  gtk_widget_set_halign (self->save_button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), self->save_button);

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 24);
  gtk_widget_set_margin_bottom (content, 24);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 640);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (self->box), scroll);

  set_result (self, NULL);
}

GtkWidget *
intake_review_subject_access_new (IntakeReviewClient     *client,
                                  IntakeQuestionnaireSet *questionnaires)
{
  IntakeReviewSubjectAccess *self;

  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (client), NULL);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (questionnaires), NULL);

  self = g_object_new (INTAKE_TYPE_REVIEW_SUBJECT_ACCESS, NULL);
  self->client = g_object_ref (client);
  self->questionnaires = g_object_ref (questionnaires);
  return GTK_WIDGET (self);
}

gboolean
intake_review_subject_access_get_busy (IntakeReviewSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_SUBJECT_ACCESS (self), FALSE);
  return self->busy;
}

IntakeSubjectAccess *
intake_review_subject_access_get_result (IntakeReviewSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_SUBJECT_ACCESS (self), NULL);
  return self->result;
}

GtkWidget *
intake_review_subject_access_get_name_row (IntakeReviewSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_SUBJECT_ACCESS (self), NULL);
  return self->name_row;
}

GtkWidget *
intake_review_subject_access_get_birth_row (IntakeReviewSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_SUBJECT_ACCESS (self), NULL);
  return self->birth_row;
}

const char *
intake_review_subject_access_get_status (IntakeReviewSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_SUBJECT_ACCESS (self), NULL);
  return gtk_label_get_text (self->status);
}

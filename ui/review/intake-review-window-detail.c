/* intake-review-window-detail.c: one submission, its workflow and its access history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows the submission (IntakeRendering: the questionnaire's Dutch
 * texts, the staff's words in their language), with the
 * caseworker summary on top: an aid for the conversation, never a decision
 * (docs/review.md). Every summary line says which questions it comes from.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-escape.h"
#include "intake-rendering.h"
#include "intake-review-pdf.h"
#include "intake-review-window-private.h"
#include "intake-secure.h"

static void set_pdf_enabled (IntakeReviewWindow *self,
                             gboolean            enabled);

static GtkWidget *
add_label (GtkBox     *box,
           const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return label;
}

static void
add_field (GtkBox     *box,
           const char *name,
           const char *value)
{
  /* Translators: a field of the detail page's header: its name and value. */
  g_autofree char *text = g_strdup_printf (_("%s: %s"), name, value != NULL && *value ? value : "—");

  add_label (box, text, NULL);
}

void
intake_review_window_clear_detail (IntakeReviewWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->detail_box))) != NULL)
    gtk_box_remove (self->detail_box, child);
  g_hash_table_remove_all (self->row_widgets);
  self->audit_box = NULL;
  self->note_view = NULL;
  self->note_status = NULL;
  g_clear_pointer (&self->detail_id, g_free);
  g_clear_pointer (&self->detail_meta, intake_review_meta_free);
  self->detail_ready = FALSE;
  self->audit_ready = FALSE;
  set_pdf_enabled (self, FALSE);
  gtk_label_set_text (self->workflow_status, "");
  gtk_widget_set_visible (GTK_WIDGET (self->workflow_status), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->workflow_status), "review-conflict");
  adw_window_title_set_title (self->detail_title, _("Submission"));
  adw_window_title_set_subtitle (self->detail_title, "");
}

void
intake_review_window_show_detail_error (IntakeReviewWindow *self,
                                        const char         *message)
{
  g_autofree char *id = g_strdup (self->detail_id);
  g_autofree char *text = g_strdup_printf (_("This submission cannot be opened: %s"), message);

  intake_review_window_clear_detail (self);
  self->detail_id = g_steal_pointer (&id);
  add_label (self->detail_box, text, "error");
}

static void
set_workflow_widgets (IntakeReviewWindow     *self,
                      const IntakeReviewMeta *meta)
{
  const char * const *states = intake_review_states ();

  for (guint i = 0; states[i] != NULL; i++)
    if (g_str_equal (states[i], meta->state))
      gtk_drop_down_set_selected (self->state_selector, i);
  gtk_editable_set_text (GTK_EDITABLE (self->unit_entry), meta->unit ? meta->unit : "");
}

/* "uit: vraag" scrolls to the row the summary line comes from. */
static void
source_clicked_cb (GtkButton          *button,
                   IntakeReviewWindow *self)
{
  GtkWidget *row = g_hash_table_lookup (self->row_widgets, g_object_get_data (G_OBJECT (button), "code"));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->detail_scroll);
  graphene_point_t point;

  if (row != NULL &&
      gtk_widget_compute_point (row, GTK_WIDGET (self->detail_box), &GRAPHENE_POINT_INIT (0, 0), &point))
    gtk_adjustment_set_value (adjustment, point.y);
}

static const char *
question_text_of (const IntakeRendering *rendering,
                  const char            *code)
{
  for (guint i = 0; i < rendering->n_rows; i++)
    if (g_str_equal (rendering->rows[i].code, code))
      return rendering->rows[i].question_text;
  return code;
}

static void
add_summary (IntakeReviewWindow    *self,
             IntakeSummary         *summary,
             const IntakeRendering *rendering)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  const char *previous_title = NULL;

  gtk_widget_add_css_class (box, "review-summary");
  gtk_box_append (self->detail_box, box);
  add_label (GTK_BOX (box), intake_summary_get_heading (summary), "heading");
  if (intake_summary_get_n_lines (summary) == 0)
    add_label (GTK_BOX (box), _("No answers to summarise here."), "dim-label");
  for (guint i = 0; i < intake_summary_get_n_lines (summary); i++)
    {
      const IntakeSummaryLine *line = intake_summary_get_line (summary, i);
      const char *title = intake_summary_topic_title (line->topic);
      g_autofree char *text = NULL;
      GtkWidget *sources = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

      if (title != NULL && g_strcmp0 (title, previous_title) != 0)
        add_label (GTK_BOX (box), title, "review-section");
      previous_title = title;
      if (line->text_language_name != NULL)
        /* Translators: a summary line: its label, the resident's own words, and the
         * name of the language they wrote in. */
        text = g_strdup_printf (_("%s: %s (written in %s)"), line->label, line->text, line->text_language_name);
      else
        /* Translators: a summary line: its label and the answers. */
        text = g_strdup_printf (C_("summary line", "%s: %s"), line->label, line->text);
      add_label (GTK_BOX (box), text, NULL);

      gtk_box_append (GTK_BOX (box), sources);
      {
        /* Translators: before the questions a summary line comes from: "from: question “…”". */
        GtkWidget *prefix = gtk_label_new (_("from: "));

        gtk_widget_add_css_class (prefix, "review-source");
        gtk_widget_add_css_class (prefix, "dim-label");
        gtk_box_append (GTK_BOX (sources), prefix);
      }
      for (guint j = 0; line->sources != NULL && line->sources[j] != NULL; j++)
        {
          /* Translators: a link to the question a summary line comes from; the
           * question's text is the questionnaire's own. */
          g_autofree char *question = g_strdup_printf (_("question “%s”"), question_text_of (rendering, line->sources[j]));
          g_autofree char *link_text = g_strconcat (question, line->sources[j + 1] != NULL ? "," : "", NULL);
          GtkWidget *link = gtk_button_new_with_label (link_text);

          gtk_button_set_has_frame (GTK_BUTTON (link), FALSE);
          gtk_widget_add_css_class (link, "review-source");
          gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (link))), TRUE);
          g_object_set_data_full (G_OBJECT (link), "code", g_strdup (line->sources[j]), g_free);
          g_signal_connect (link, "clicked", G_CALLBACK (source_clicked_cb), self);
          gtk_box_append (GTK_BOX (sources), link);
        }
    }
}

static void
add_rows (IntakeReviewWindow    *self,
          const IntakeRendering *rendering)
{
  const char *section = NULL;

  add_label (self->detail_box, _("All answers"), "title-3");
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      const IntakeRenderedRow *row = &rendering->rows[i];
      GtkWidget *question;
      GtkWidget *answer;

      if (row->section_title != NULL && g_strcmp0 (row->section_title, section) != 0)
        add_label (self->detail_box, row->section_title, "review-section");
      section = row->section_title;
      question = add_label (self->detail_box, row->question_text, "review-question");
      g_hash_table_replace (self->row_widgets, g_strdup (row->code), question);
      answer = add_label (self->detail_box, row->answer_text, "review-answer");
      if (row->state != INTAKE_ROW_ANSWERED)
        gtk_widget_add_css_class (answer, "dim-label");
      if (row->text_language_name != NULL)
        {
          /* Translators: under the resident's own words: the name of the language they wrote in. */
          g_autofree char *note = g_strdup_printf (_("Written in %s; not translated"), row->text_language_name);

          /* Pango lays out right-to-left text in its own direction by itself. */
          add_label (self->detail_box, note, "dim-label");
        }
    }
}

static void
add_notes (IntakeReviewWindow *self,
           GPtrArray          *notes)
{
  GtkWidget *frame, *button, *row;

  add_label (self->detail_box, _("Notes"), "title-3");
  if (notes == NULL || notes->len == 0)
    add_label (self->detail_box, _("No notes yet."), "dim-label");
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    {
      const IntakeReviewNote *note = g_ptr_array_index (notes, i);
      g_autofree char *when = intake_review_format_time (note->created_at);
      g_autofree char *who = g_strdup_printf ("%s — %s", when, note->reviewer ? note->reviewer : "?");

      add_label (self->detail_box, who, "review-question");
      add_label (self->detail_box, (const char *)note->text->data, "review-answer");
    }
  /* Notes are the workflow's: a privacy officer reads them, adds none. */
  if (!intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW))
    return;
  frame = gtk_frame_new (NULL);
  self->note_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->note_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->note_view, 6);
  gtk_text_view_set_bottom_margin (self->note_view, 6);
  gtk_text_view_set_left_margin (self->note_view, 6);
  gtk_text_view_set_right_margin (self->note_view, 6);
  gtk_widget_set_size_request (GTK_WIDGET (self->note_view), -1, 60);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->note_view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New note"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->note_view));
  gtk_box_append (self->detail_box, frame);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->note_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->note_status, TRUE);
  gtk_label_set_xalign (self->note_status, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->note_status), TRUE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->note_status));
  button = gtk_button_new_with_label (_("Add note"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "review.add-note");
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (self->detail_box, row);
}

void
intake_review_window_show_detail (IntakeReviewWindow *self,
                                  IntakeSubmission   *submission,
                                  IntakeReviewMeta   *meta,
                                  GPtrArray          *notes)
{
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(IntakeSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (self->detail_id);
  g_autofree char *received = intake_review_format_time (meta->received_at);
  g_autofree char *language = NULL;
  g_autofree char *questionnaire_text = NULL;
  IntakeQuestionnaire *questionnaire = NULL;
  GtkWidget *header;

  intake_review_window_clear_detail (self);
  self->detail_id = g_steal_pointer (&id);
  self->detail_meta = meta;
  adw_window_title_set_title (self->detail_title, meta->reference ? meta->reference : _("Submission"));
  adw_window_title_set_subtitle (self->detail_title, intake_review_state_label (meta->state));
  set_workflow_widgets (self, meta);

  if (self->questionnaires != NULL)
    questionnaire = intake_questionnaire_set_lookup_for_submission (self->questionnaires, submission, &error);
  if (questionnaire != NULL)
    rendering = intake_submission_render (submission, questionnaire, "nl", &error);
  if (rendering == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("This version of the questionnaire is not known here (%s). "
                                                 "The answers are below as codes, not translated."),
                                               error ? error->message : _("no questionnaires loaded"));

      add_label (self->detail_box, text, "error");
      questionnaire = NULL;
      rendering = intake_submission_render_raw (submission, "nl");
    }

  /* Header */
  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_box_append (self->detail_box, header);
  add_field (GTK_BOX (header), _("Reference"), meta->reference);
  add_field (GTK_BOX (header), _("Received"), received);
  add_field (GTK_BOX (header), _("Location"), meta->location);
  add_field (GTK_BOX (header), _("Device"), meta->device_id);
  if (rendering->questionnaire_title != NULL)
    /* Translators: the questionnaire's title (its own text), id and version. */
    questionnaire_text = g_strdup_printf (_("%s — %s version %u"), rendering->questionnaire_title,
                                          rendering->questionnaire_id, rendering->questionnaire_version);
  else
    /* Translators: the questionnaire's id and version. */
    questionnaire_text = g_strdup_printf (_("%s version %u"), rendering->questionnaire_id,
                                          rendering->questionnaire_version);
  add_field (GTK_BOX (header), _("Questionnaire"), questionnaire_text);
  language = rendering->language_autonym != NULL
             ? g_strdup_printf ("%s (%s)", rendering->language_name, rendering->language_autonym)
             : g_strdup (rendering->language_name ? rendering->language_name : rendering->language);
  add_field (GTK_BOX (header), _("Resident’s language"), language);
  if (rendering->language_draft)
    add_label (GTK_BOX (header), _("Note: the resident read a draft translation of the questions."), "warning");
  if (rendering->started_at != NULL)
    {
      /* Translators: when the resident started and finished, "dd-mm-yyyy hh:mm". */
      g_autofree char *times = g_strdup_printf (_("%s to %s"), rendering->started_at,
                                                rendering->finished_at ? rendering->finished_at : "?");

      add_field (GTK_BOX (header), _("Filled in"), times);
    }
  {
    g_autofree char *n_notes = g_strdup_printf ("%" G_GINT64_FORMAT, meta->notes);

    add_field (GTK_BOX (header), _("Notes"), n_notes);
  }

  /* The summary first: the caseworker's aid for the conversation. */
  if (questionnaire != NULL)
    {
      summary = intake_summary_new (submission, questionnaire, "nl", &error);
      if (summary != NULL)
        add_summary (self, summary, rendering);
      else
        add_label (self->detail_box, error->message, "error");
    }
  add_rows (self, rendering);
  add_notes (self, notes);

  /* The access history is the privacy officer's (docs/review.md, "Roles"). */
  if (intake_review_client_can (self->client, INTAKE_PERMISSION_AUDIT))
    {
      add_label (self->detail_box, _("Access history"), "title-3");
      self->audit_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      gtk_box_append (self->detail_box, self->audit_box);
      add_label (GTK_BOX (self->audit_box), _("Loading…"), "dim-label");
    }
  else
    self->audit_ready = TRUE;
  self->detail_ready = TRUE;
  /* The PDF needs the questionnaire the summary is made with. */
  set_pdf_enabled (self, questionnaire != NULL);
}

/* ------------------------------------------------------------------ */
/* Access history                                                       */

/* What a detail request's callback needs: the window (a reference, so it
 * outlives the request; every request is cancelled on lock and dispose)
 * and the submission the request was for. */
typedef struct {
  IntakeReviewWindow *self;
  char               *id;
} DetailCall;

static DetailCall *
detail_call_new (IntakeReviewWindow *self)
{
  DetailCall *call = g_new0 (DetailCall, 1);

  call->self = g_object_ref (self);
  call->id = g_strdup (self->detail_id);
  return call;
}

static void
detail_call_free (DetailCall *call)
{
  g_clear_object (&call->self);
  g_free (call->id);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DetailCall, detail_call_free)

static void
audit_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(DetailCall) call = user_data;
  const char *id = call->id;
  g_autoptr(JsonArray) events = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *self;
  GtkWidget *child;

  events = intake_review_client_audit_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = call->self;
  if (g_strcmp0 (self->detail_id, id) != 0 || self->audit_box == NULL)
    return;
  while ((child = gtk_widget_get_first_child (self->audit_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->audit_box), child);
  if (events == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The access history could not be loaded: %s"), error->message);

      add_label (GTK_BOX (self->audit_box), text, "error");
    }
  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      g_autofree char *time = NULL;
      g_autofree char *text = NULL;
      g_autofree char *actor = NULL;
      g_autofree char *action = NULL;
      g_autofree char *outcome = NULL;

      if (event == NULL)
        continue;
      time = intake_review_format_time (json_object_get_int_member_with_default (event, "time", 0));
      /* Escaped: a name with a newline or a bidi override shows as such,
       * never as another line or reordered text. */
      actor = intake_escape_field (json_object_get_string_member_with_default (event, "actor", "?"));
      action = intake_escape_field (json_object_get_string_member_with_default (event, "action", "?"));
      outcome = intake_escape_field (json_object_get_string_member_with_default (event, "result", "?"));
      text = g_strdup_printf ("%s — %s — %s (%s)", time, actor, action, outcome);
      add_label (GTK_BOX (self->audit_box), text, "review-source");
    }
  self->audit_ready = TRUE;
}

void
intake_review_window_load_audit (IntakeReviewWindow *self)
{
  if (self->detail_id == NULL || self->client == NULL || self->audit_box == NULL)
    return;
  intake_review_client_audit_async (self->client, self->detail_id, self->cancellable, audit_cb,
                                    detail_call_new (self));
}

/* ------------------------------------------------------------------ */
/* Workflow                                                             */

static void
show_workflow_status (IntakeReviewWindow *self,
                      const char         *text,
                      gboolean            conflict)
{
  gtk_label_set_text (self->workflow_status, text);
  gtk_widget_set_visible (GTK_WIDGET (self->workflow_status), TRUE);
  if (conflict)
    gtk_widget_add_css_class (GTK_WIDGET (self->workflow_status), "review-conflict");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->workflow_status), "review-conflict");
}

static void
workflow_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(DetailCall) call = user_data;
  const char *id = call->id;
  g_autoptr(IntakeReviewMeta) current = NULL;
  g_autoptr(IntakeReviewMeta) updated = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *self;
  IntakeReviewItem *item;

  updated = intake_review_client_update_workflow_finish (INTAKE_REVIEW_CLIENT (source), result, &current, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = call->self;
  self->saving = FALSE;
  if (g_strcmp0 (self->detail_id, id) != 0 || self->detail_meta == NULL)
    return;
  item = self->model != NULL ? intake_review_list_model_find (self->model, id) : NULL;

  if (updated != NULL)
    {
      if (item != NULL)
        intake_review_item_update_workflow (item, updated);
      g_free (self->detail_meta->state);
      self->detail_meta->state = g_strdup (updated->state);
      g_free (self->detail_meta->unit);
      self->detail_meta->unit = g_strdup (updated->unit);
      self->detail_meta->version = updated->version;
      adw_window_title_set_subtitle (self->detail_title, intake_review_state_label (updated->state));
      show_workflow_status (self, _("Saved."), FALSE);
      intake_review_window_load_audit (self);
      return;
    }
  if (g_error_matches (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_CONFLICT) && current != NULL)
    {
      g_autofree char *when = intake_review_format_time (current->updated_at);
      g_autofree char *text = g_strdup_printf (
        /* Translators: who changed the submission first, when, and its state and
         * unit now. "Save" is the button's label. */
        _("Not saved: %s already changed this submission on %s. The state is now “%s”, the unit “%s”. "
          "Look at that change; press Save again to save your choice anyway."),
        current->updated_by && *current->updated_by ? current->updated_by : _("another staff member"), when,
        intake_review_state_label (current->state),
        /* Translators: the unit of a submission that has none. */
        current->unit && *current->unit ? current->unit : C_("unit", "none"));

      /* The next save is a deliberate overwrite of what the reviewer has now seen. */
      self->detail_meta->version = current->version;
      g_free (self->detail_meta->state);
      self->detail_meta->state = g_strdup (current->state);
      g_free (self->detail_meta->unit);
      self->detail_meta->unit = g_strdup (current->unit);
      adw_window_title_set_subtitle (self->detail_title, intake_review_state_label (current->state));
      if (item != NULL)
        intake_review_item_update_workflow (item, current);
      show_workflow_status (self, text, TRUE);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Not saved: %s"), error->message);

    show_workflow_status (self, text, TRUE);
  }
}

void
intake_review_window_save_workflow (IntakeReviewWindow *self)
{
  const char * const *states = intake_review_states ();
  guint selected = gtk_drop_down_get_selected (self->state_selector);

  if (self->detail_meta == NULL || self->saving || selected >= g_strv_length ((char **)states))
    return;
  self->saving = TRUE;
  show_workflow_status (self, _("Saving…"), FALSE);
  intake_review_client_update_workflow_async (self->client, self->detail_id, states[selected],
                                              gtk_editable_get_text (GTK_EDITABLE (self->unit_entry)),
                                              self->detail_meta->version, self->cancellable, workflow_cb,
                                              detail_call_new (self));
}

/* ------------------------------------------------------------------ */
/* Notes                                                                */

static void
note_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(DetailCall) call = user_data;
  const char *id = call->id;
  g_autoptr(IntakeReviewMeta) current = NULL;
  g_autoptr(IntakeReviewMeta) updated = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *self;
  g_autofree char *reopen = NULL;

  updated = intake_review_client_add_note_finish (INTAKE_REVIEW_CLIENT (source), result, &current, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = call->self;
  self->adding_note = FALSE;
  if (g_strcmp0 (self->detail_id, id) != 0 || self->note_status == NULL)
    return;
  if (updated != NULL)
    {
      /* Shown again from the server: the note as stored, and the new version. */
      reopen = g_strdup (id);
      intake_review_window_open (self, reopen);
      return;
    }
  if (g_error_matches (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_CONFLICT) && current != NULL)
    {
      /* Translators: who changed the submission first, and its state now.
       * "Add note" is the button's label. */
      g_autofree char *text = g_strdup_printf (_("Not added: %s has changed this submission in the meantime "
                                                 "(state “%s”). Your note is still there; press Add note "
                                                 "again."),
                                               current->updated_by && *current->updated_by ? current->updated_by
                                                                                             : _("another staff member"),
                                               intake_review_state_label (current->state));

      self->detail_meta->version = current->version;
      gtk_label_set_text (self->note_status, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->note_status), "review-conflict");
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Not added: %s"), error->message);

    gtk_label_set_text (self->note_status, text);
    gtk_widget_add_css_class (GTK_WIDGET (self->note_status), "review-conflict");
  }
}

void
intake_review_window_add_note (IntakeReviewWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autoptr(IntakeSecureStr) text = NULL;

  if (self->detail_meta == NULL || self->note_view == NULL || self->adding_note)
    return;
  buffer = gtk_text_view_get_buffer (self->note_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strstrip (text);
  if (*text == '\0')
    {
      gtk_label_set_text (self->note_status, _("Write a note first."));
      return;
    }
  self->adding_note = TRUE;
  gtk_label_set_text (self->note_status, _("Adding…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->note_status), "review-conflict");
  intake_review_client_add_note_async (self->client, self->detail_id, text, self->detail_meta->version,
                                       self->cancellable, note_cb, detail_call_new (self));
}

/* ------------------------------------------------------------------ */
/* PDF for the conversation                                             */

static void
pdf_report_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!intake_review_client_report_event_finish (INTAKE_REVIEW_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The server did not record an access: %s", error->message);
}

/* Writes the open submission's page to @path: plaintext on disk, so only
 * on the reviewer's explicit request, and reported as an export. */
static void
write_pdf (IntakeReviewWindow *self,
           const char         *path)
{
  IntakeSubmission *submission = NULL;
  IntakeQuestionnaire *questionnaire = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  IntakeReviewPdfMeta meta;

  if (self->detail_id == NULL || self->detail_meta == NULL || !self->detail_ready)
    return;
  submission = g_hash_table_lookup (self->cache, self->detail_id);
  if (submission != NULL && self->questionnaires != NULL)
    questionnaire = intake_questionnaire_set_lookup_for_submission (self->questionnaires, submission, &error);
  if (questionnaire == NULL)
    {
      text = g_strdup_printf (_("No PDF made: %s"), error != NULL ? error->message
                                                                   : _("open the submission again."));
      show_workflow_status (self, text, TRUE);
      return;
    }
  received = intake_review_format_time (self->detail_meta->received_at);
  meta = (IntakeReviewPdfMeta) {
    .reference = self->detail_meta->reference,
    .received = received,
    .location = self->detail_meta->location,
    .state = intake_review_state_label (self->detail_meta->state),
    .unit = self->detail_meta->unit,
  };
  if (!intake_review_pdf_write (submission, questionnaire, &meta, path, &error))
    {
      text = g_strdup_printf (_("No PDF made: %s"), error->message);
      show_workflow_status (self, text, TRUE);
      return;
    }
  /* The object is the submission id itself, so that the export shows in
   * this submission's access history (the server matches it exactly). */
  intake_review_client_report_event_async (self->client, "export", self->detail_id, self->cancellable,
                                           pdf_report_cb, NULL);
  name = g_path_get_basename (path);
  text = g_strdup_printf (_("PDF saved as “%s”. Delete the file once it is printed."), name);
  show_workflow_status (self, text, FALSE);
}

static void
pdf_chooser_cb (GtkNativeDialog *dialog,
                int              response,
                gpointer         user_data)
{
  IntakeReviewWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT &&
      g_strcmp0 (g_object_get_data (G_OBJECT (dialog), "id"), self->detail_id) == 0)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        write_pdf (self, path);
      else
        show_workflow_status (self, _("No PDF made: choose a folder on this computer."), TRUE);
    }
  g_object_unref (dialog);
}

static void
pdf_action_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  IntakeReviewWindow *self = user_data;
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (self->detail_meta == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("PDF for the conversation"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("Save"), _("Cancel"));
  /* Translators: part of the PDF's suggested file name when the submission has no reference. */
  name = g_strdup_printf ("intake-%s.pdf", self->detail_meta->reference ? self->detail_meta->reference : _("submission"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "id", g_strdup (self->detail_id), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (pdf_chooser_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
pdf_to_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  write_pdf (user_data, g_variant_get_string (parameter, NULL));
}

/* The page's own actions, in a group of their own: "detail.pdf" asks where
 * to save, "detail.pdf-to" writes to a path (the chooser's answer, and the
 * tests). Enabled only while a rendered submission is shown. */
static void
set_pdf_enabled (IntakeReviewWindow *self,
                 gboolean            enabled)
{
  static const GActionEntry entries[] = {
    { .name = "pdf", .activate = pdf_action_cb },
    { .name = "pdf-to", .activate = pdf_to_action_cb, .parameter_type = "s" },
  };
  GSimpleActionGroup *group = g_object_get_data (G_OBJECT (self), "review-pdf-actions");

  if (group == NULL)
    {
      if (!enabled)
        return;
      group = g_simple_action_group_new ();
      g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), self);
      gtk_widget_insert_action_group (GTK_WIDGET (self), "detail", G_ACTION_GROUP (group));
      g_object_set_data_full (G_OBJECT (self), "review-pdf-actions", group, g_object_unref);
    }
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (group), entries[i].name)),
                                 enabled);
}

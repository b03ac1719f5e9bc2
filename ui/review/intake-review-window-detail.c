/* intake-review-window-detail.c: one submission, its handling, notes and access history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a caseworker needs to prepare the conversation in a few minutes, top
 * to bottom: who (name, date of birth, how long they have waited), the
 * handling (state, assignee, unit, the planned conversation), the summary of
 * both halves of the intake (an aid, never a decision, docs/review.md), the
 * notes, then every answer (IntakeRendering: the questionnaire's Dutch
 * texts, the staff's words in their language) and, for the privacy
 * officer, the access history in words.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-escape.h"
#include "intake-rendering.h"
#include "intake-review-pdf.h"
#include "intake-review-row.h"
#include "intake-review-window-private.h"
#include "intake-secure.h"
#include "intake-staff-words.h"

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

/* A boxed list (libadwaita's look for a group of rows). */
static GtkListBox *
add_boxed_list (GtkBox *box)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (box, list);
  return GTK_LIST_BOX (list);
}

static void
add_field_row (GtkListBox *list,
               const char *name,
               const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* Names and places come from people: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value ? value : "—");
  gtk_widget_add_css_class (row, "property");
  gtk_list_box_append (list, row);
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while (box != NULL && (child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else
        gtk_box_remove (GTK_BOX (box), child);
    }
}

void
intake_review_window_clear_detail (IntakeReviewWindow *self)
{
  clear_box (GTK_WIDGET (self->header_box));
  clear_box (GTK_WIDGET (self->detail_box));
  g_hash_table_remove_all (self->row_widgets);
  self->audit_box = NULL;
  self->note_view = NULL;
  self->note_status = NULL;
  self->notes_box = NULL;
  g_clear_pointer (&self->detail_notes, g_ptr_array_unref);
  g_clear_pointer (&self->detail_id, g_free);
  g_clear_pointer (&self->detail_meta, intake_review_meta_free);
  self->detail_ready = FALSE;
  self->audit_ready = FALSE;
  set_pdf_enabled (self, FALSE);
  gtk_label_set_text (self->workflow_status, "");
  gtk_widget_set_visible (GTK_WIDGET (self->workflow_status), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->workflow_status), "review-conflict");
  gtk_editable_set_text (GTK_EDITABLE (self->appointment_row), "");
  adw_window_title_set_title (self->detail_title, _("Submission"));
  adw_window_title_set_subtitle (self->detail_title, "");
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->detail_scroll), 0);
}

void
intake_review_window_show_detail_error (IntakeReviewWindow *self,
                                        const char         *message)
{
  g_autofree char *id = g_strdup (self->detail_id);

  intake_review_window_clear_detail (self);
  self->detail_id = g_steal_pointer (&id);
  adw_status_page_set_description (self->detail_error_page, message);
  gtk_stack_set_visible_child_name (self->detail_stack, "error");
}

/* ------------------------------------------------------------------ */
/* The handling: state, assignee, unit, the planned conversation         */

static guint
choice_index (GPtrArray  *choices,
              const char *value)
{
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    if (g_strcmp0 (g_ptr_array_index (choices, i), value != NULL ? value : "") == 0)
      return i;
  return 0;
}

static const char *
selected_choice (AdwComboRow *row,
                 GPtrArray   *choices)
{
  guint selected = adw_combo_row_get_selected (row);

  if (choices == NULL || selected >= choices->len)
    return "";
  return g_ptr_array_index (choices, selected);
}

/* The rows' lists for the open submission: the office's units and the
 * colleagues whose scope covers it, each with the current value even when it
 * is no longer on the list. The choice made stays selected. */
void
intake_review_window_refresh_workflow_choices (IntakeReviewWindow *self)
{
  const IntakeReviewMeta *meta = self->detail_meta;
  g_autoptr(GtkStringList) unit_labels = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) assignee_labels = gtk_string_list_new (NULL);
  g_autofree char *unit = g_strdup (self->unit_choices != NULL ? selected_choice (self->unit_row, self->unit_choices)
                                                               : meta != NULL ? meta->unit : "");
  g_autofree char *assignee = g_strdup (self->assignee_choices != NULL
                                        ? selected_choice (self->assignee_row, self->assignee_choices)
                                        : meta != NULL ? meta->assignee : "");
  const char *me = self->client != NULL ? intake_review_client_get_name (self->client) : NULL;

  if (meta != NULL && !self->updating_workflow_widgets && self->unit_choices == NULL)
    {
      g_free (unit);
      unit = g_strdup (meta->unit);
      g_free (assignee);
      assignee = g_strdup (meta->assignee);
    }
  self->updating_workflow_widgets = TRUE;
  g_clear_pointer (&self->unit_choices, g_ptr_array_unref);
  g_clear_pointer (&self->assignee_choices, g_ptr_array_unref);
  self->unit_choices = g_ptr_array_new_with_free_func (g_free);
  self->assignee_choices = g_ptr_array_new_with_free_func (g_free);

  /* Translators: the unit of a submission that has none. */
  gtk_string_list_append (unit_labels, C_("unit", "None"));
  g_ptr_array_add (self->unit_choices, g_strdup (""));
  for (guint i = 0; self->units != NULL && self->units[i] != NULL; i++)
    {
      gtk_string_list_append (unit_labels, self->units[i]);
      g_ptr_array_add (self->unit_choices, g_strdup (self->units[i]));
    }
  if (meta != NULL && *meta->unit != '\0' && !g_ptr_array_find_with_equal_func (self->unit_choices, meta->unit,
                                                                                 g_str_equal, NULL))
    {
      gtk_string_list_append (unit_labels, meta->unit);
      g_ptr_array_add (self->unit_choices, g_strdup (meta->unit));
    }

  /* Translators: nobody has the submission. */
  gtk_string_list_append (assignee_labels, C_("assignee", "Nobody"));
  g_ptr_array_add (self->assignee_choices, g_strdup (""));
  if (me != NULL)
    {
      /* Translators: the reviewer themselves in the list of assignees. */
      g_autofree char *label = g_strdup_printf (_("Me (%s)"), me);

      gtk_string_list_append (assignee_labels, label);
      g_ptr_array_add (self->assignee_choices, g_strdup (me));
    }
  for (guint i = 0; self->assignees != NULL && i < self->assignees->len; i++)
    {
      const IntakeReviewAssignee *colleague = g_ptr_array_index (self->assignees, i);

      if (g_strcmp0 (colleague->name, me) == 0 ||
          (meta != NULL && !intake_review_assignee_covers (colleague, meta->location, unit)))
        continue;
      gtk_string_list_append (assignee_labels, colleague->name);
      g_ptr_array_add (self->assignee_choices, g_strdup (colleague->name));
    }
  if (meta != NULL && *meta->assignee != '\0' &&
      !g_ptr_array_find_with_equal_func (self->assignee_choices, meta->assignee, g_str_equal, NULL))
    {
      gtk_string_list_append (assignee_labels, meta->assignee);
      g_ptr_array_add (self->assignee_choices, g_strdup (meta->assignee));
    }
  adw_combo_row_set_model (self->unit_row, G_LIST_MODEL (unit_labels));
  adw_combo_row_set_model (self->assignee_row, G_LIST_MODEL (assignee_labels));
  adw_combo_row_set_selected (self->unit_row, choice_index (self->unit_choices, unit));
  adw_combo_row_set_selected (self->assignee_row, choice_index (self->assignee_choices, assignee));
  self->updating_workflow_widgets = FALSE;
}

static gboolean
state_selected (IntakeReviewWindow *self,
                const char         *state)
{
  const char * const *states = intake_review_states ();
  guint selected = adw_combo_row_get_selected (self->state_row);

  return selected < g_strv_length ((char **)states) && g_str_equal (states[selected], state);
}

static void
state_changed_cb (IntakeReviewWindow *self)
{
  /* The date of the conversation belongs to "conversation planned". */
  gtk_widget_set_visible (GTK_WIDGET (self->appointment_row),
                          state_selected (self, "conversation_planned") ||
                          (self->detail_meta != NULL && self->detail_meta->appointment_at > 0));
}

static void
set_workflow_widgets (IntakeReviewWindow     *self,
                      const IntakeReviewMeta *meta)
{
  const char * const *states = intake_review_states ();

  self->updating_workflow_widgets = TRUE;
  for (guint i = 0; states[i] != NULL; i++)
    if (g_str_equal (states[i], meta->state))
      adw_combo_row_set_selected (self->state_row, i);
  g_clear_pointer (&self->unit_choices, g_ptr_array_unref);
  g_clear_pointer (&self->assignee_choices, g_ptr_array_unref);
  self->updating_workflow_widgets = FALSE;
  intake_review_window_refresh_workflow_choices (self);
  if (meta->appointment_at > 0)
    {
      g_autofree char *when = intake_review_format_time (meta->appointment_at);

      gtk_editable_set_text (GTK_EDITABLE (self->appointment_row), when);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->appointment_row), "");
  state_changed_cb (self);
}

/* ------------------------------------------------------------------ */
/* The page                                                             */

/* "uit: vraag" scrolls to the row the summary line comes from. */
static void
source_clicked_cb (GtkButton          *button,
                   IntakeReviewWindow *self)
{
  GtkWidget *row = g_hash_table_lookup (self->row_widgets, gtk_widget_get_name (GTK_WIDGET (button)));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->detail_scroll);
  GtkWidget *content = gtk_scrolled_window_get_child (self->detail_scroll);
  graphene_point_t point;

  if (row != NULL && gtk_widget_compute_point (row, content, &GRAPHENE_POINT_INIT (0, 0), &point))
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

  gtk_widget_add_css_class (box, "card");
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
      GtkWidget *sources = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *first = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

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

      /* "from:" and the first question on one line, the others under it (a
       * vertical box: GTK 4.8's flow box misjudges the height of wrapped labels). */
      gtk_box_append (GTK_BOX (box), sources);
      gtk_box_append (GTK_BOX (sources), first);
      {
        /* Translators: before the questions a summary line comes from: "from: question “…”". */
        GtkWidget *prefix = gtk_label_new (_("from: "));

        gtk_widget_add_css_class (prefix, "review-source");
        gtk_widget_add_css_class (prefix, "dim-label");
        gtk_widget_set_valign (prefix, GTK_ALIGN_START);
        gtk_widget_set_margin_top (prefix, 2);
        gtk_box_append (GTK_BOX (first), prefix);
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
          gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (link))), 0);
          gtk_widget_set_halign (link, GTK_ALIGN_START);
          /* The widget's name is the question's code: which row to go to. */
          gtk_widget_set_name (link, line->sources[j]);
          g_signal_connect (link, "clicked", G_CALLBACK (source_clicked_cb), self);
          if (j == 0)
            gtk_box_append (GTK_BOX (first), link);
          else
            {
              /* Under the first question, not under "from:". */
              gtk_widget_set_margin_start (link, 24);
              gtk_box_append (GTK_BOX (sources), link);
            }
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

/* One note in the notes' boxed list: who and when, then the text. */
static void
append_note_row (IntakeReviewWindow     *self,
                 const IntakeReviewNote *note)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *when = intake_review_format_time (note->created_at);
  g_autofree char *who = g_strdup_printf ("%s — %s", when, note->reviewer ? note->reviewer : "?");
  GtkWidget *placeholder = gtk_widget_get_first_child (GTK_WIDGET (self->notes_box));

  /* "No notes yet" goes once there is one. */
  if (placeholder != NULL && gtk_widget_has_css_class (placeholder, "review-no-notes"))
    gtk_list_box_remove (self->notes_box, placeholder);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  add_label (GTK_BOX (box), who, "review-question");
  add_label (GTK_BOX (box), (const char *)note->text->data, "review-answer");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_append (self->notes_box, row);
}

static void
add_notes (IntakeReviewWindow *self,
           GPtrArray          *notes)
{
  GtkWidget *frame, *button, *row;

  add_label (self->detail_box, _("Notes"), "title-3");
  self->notes_box = add_boxed_list (self->detail_box);
  if (notes == NULL || notes->len == 0)
    {
      GtkWidget *empty = gtk_list_box_row_new ();
      GtkWidget *label = gtk_label_new (_("No notes yet."));

      gtk_widget_set_margin_top (label, 10);
      gtk_widget_set_margin_bottom (label, 10);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (empty), label);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (empty), FALSE);
      gtk_widget_add_css_class (empty, "review-no-notes");
      gtk_list_box_append (self->notes_box, empty);
    }
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    append_note_row (self, g_ptr_array_index (notes, i));
  /* Notes are the workflow's: a privacy officer reads them, adds none. */
  if (!intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW))
    return;
  frame = gtk_frame_new (NULL);
  self->note_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->note_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->note_view, 8);
  gtk_text_view_set_bottom_margin (self->note_view, 8);
  gtk_text_view_set_left_margin (self->note_view, 8);
  gtk_text_view_set_right_margin (self->note_view, 8);
  gtk_widget_set_size_request (GTK_WIDGET (self->note_view), -1, 72);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->note_view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New note"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->note_view));
  gtk_widget_set_margin_top (frame, 6);
  gtk_box_append (self->detail_box, frame);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->note_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->note_status, TRUE);
  gtk_label_set_xalign (self->note_status, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->note_status), TRUE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->note_status));
  button = gtk_button_new_with_label (_("Add note"));
  gtk_widget_set_tooltip_text (button, _("Add the note (Ctrl+Return)"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "review.add-note");
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (self->detail_box, row);
}

/* The header: who, how long they have waited, and what the server knows. */
static void
add_header (IntakeReviewWindow     *self,
            IntakeSubmission       *submission,
            const IntakeReviewMeta *meta,
            const IntakeRendering  *rendering)
{
  g_autoptr(IntakeSecureStr) name = intake_submission_dup_display_name (submission);
  g_autoptr(IntakeSecureStr) birth = intake_submission_dup_birth_date (submission);
  g_autofree char *received = intake_review_format_time (meta->received_at);
  g_autofree char *waiting = intake_review_format_waiting (meta->created_at, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *language = NULL;
  g_autofree char *questionnaire_text = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  GtkListBox *fields;

  /* Translators: for a resident who gave no name. */
  add_label (self->header_box, *name != '\0' ? name : _("No name given"), "title-1");
  if (birth != NULL)
    /* Translators: under the name: the date of birth. */
    g_string_append_printf (line, _("born %s"), birth);
  if (g_strcmp0 (meta->state, "closed") != 0)
    {
      if (line->len > 0)
        g_string_append (line, " · ");
      /* Translators: how long the resident has waited, "12 days". */
      g_string_append_printf (line, _("waiting %s"), waiting);
    }
  if (line->len > 0)
    add_label (self->header_box, line->str, "title-4");
  adw_window_title_set_title (self->detail_title, *name != '\0' ? name : _("Submission"));
  {
    g_autofree char *subtitle = g_strdup_printf ("%s · %s", meta->reference ? meta->reference : "",
                                                 intake_review_state_label (meta->state));

    adw_window_title_set_subtitle (self->detail_title, subtitle);
  }

  fields = add_boxed_list (self->header_box);
  gtk_widget_set_margin_top (GTK_WIDGET (fields), 12);
  add_field_row (fields, _("Reference"), meta->reference);
  add_field_row (fields, _("Received"), received);
  add_field_row (fields, _("Location"), meta->location);
  language = rendering->language_autonym != NULL
             ? g_strdup_printf ("%s (%s)", rendering->language_name, rendering->language_autonym)
             : g_strdup (rendering->language_name ? rendering->language_name : rendering->language);
  add_field_row (fields, _("Resident’s language"), language);
  if (rendering->language_draft)
    add_field_row (fields, _("Note"), _("the resident read a draft translation of the questions."));
  if (rendering->started_at != NULL)
    {
      /* Translators: when the resident started and finished, "dd-mm-yyyy hh:mm". */
      g_autofree char *times = g_strdup_printf (_("%s to %s"), rendering->started_at,
                                                rendering->finished_at ? rendering->finished_at : "?");

      add_field_row (fields, _("Filled in"), times);
    }
  if (rendering->questionnaire_title != NULL)
    /* Translators: the questionnaire's title (its own text), id and version. */
    questionnaire_text = g_strdup_printf (_("%s — %s version %u"), rendering->questionnaire_title,
                                          rendering->questionnaire_id, rendering->questionnaire_version);
  else
    /* Translators: the questionnaire's id and version. */
    questionnaire_text = g_strdup_printf (_("%s version %u"), rendering->questionnaire_id,
                                          rendering->questionnaire_version);
  add_field_row (fields, _("Questionnaire"), questionnaire_text);
  add_field_row (fields, _("Device"), meta->device_id);
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
  IntakeQuestionnaire *questionnaire = NULL;

  intake_review_window_clear_detail (self);
  self->detail_id = g_steal_pointer (&id);
  self->detail_meta = meta;
  self->detail_notes = notes != NULL ? g_ptr_array_ref (notes)
                                     : g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_note_free);
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
  add_header (self, submission, meta, rendering);

  /* The summary first: the caseworker's aid for the conversation; the notes
   * right after it, where the conversation is prepared. */
  if (questionnaire != NULL)
    {
      summary = intake_summary_new (submission, questionnaire, "nl", &error);
      if (summary != NULL)
        add_summary (self, summary, rendering);
      else
        add_label (self->detail_box, error->message, "error");
    }
  add_notes (self, self->detail_notes);
  add_rows (self, rendering);

  /* The access history is the privacy officer's (docs/review.md, "Roles"). */
  if (intake_review_client_can (self->client, INTAKE_PERMISSION_AUDIT))
    {
      add_label (self->detail_box, _("Access history"), "title-3");
      self->audit_box = GTK_WIDGET (add_boxed_list (self->detail_box));
    }
  else
    self->audit_ready = TRUE;
  self->detail_ready = TRUE;
  gtk_stack_set_visible_child_name (self->detail_stack, "content");
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
add_audit_row (GtkListBox *list,
               const char *title,
               const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_append (list, row);
}

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

  events = intake_review_client_audit_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = call->self;
  if (g_strcmp0 (self->detail_id, id) != 0 || self->audit_box == NULL)
    return;
  clear_box (self->audit_box);
  if (events == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The access history could not be loaded: %s"), error->message);

      add_audit_row (GTK_LIST_BOX (self->audit_box), text, NULL);
    }
  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      g_autofree char *time = NULL;
      g_autofree char *words = NULL;
      g_autofree char *actor = NULL;
      g_autofree char *origin = NULL;
      g_autofree char *subtitle = NULL;

      if (event == NULL)
        continue;
      time = intake_review_format_time (json_object_get_int_member_with_default (event, "time", 0));
      /* Escaped: a name with a newline or a bidi override shows as such,
       * never as another line or reordered text. */
      actor = intake_escape_field (json_object_get_string_member_with_default (event, "actor", "?"));
      words = intake_staff_audit_words (actor, json_object_get_string_member_with_default (event, "action", "?"),
                                        json_object_get_string_member_with_default (event, "result", "ok"));
      origin = intake_escape_field (json_object_get_string_member_with_default (event, "origin", "?"));
      /* Translators: under an access history event: when, and from which computer. */
      subtitle = g_strdup_printf (_("%s, from %s"), time, origin);
      add_audit_row (GTK_LIST_BOX (self->audit_box), words, subtitle);
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
take_meta (IntakeReviewWindow     *self,
           const IntakeReviewMeta *meta)
{
  g_free (self->detail_meta->state);
  self->detail_meta->state = g_strdup (meta->state);
  g_free (self->detail_meta->unit);
  self->detail_meta->unit = g_strdup (meta->unit);
  g_free (self->detail_meta->assignee);
  self->detail_meta->assignee = g_strdup (meta->assignee != NULL ? meta->assignee : "");
  g_free (self->detail_meta->updated_by);
  self->detail_meta->updated_by = g_strdup (meta->updated_by);
  self->detail_meta->appointment_at = meta->appointment_at;
  self->detail_meta->version = meta->version;
  self->detail_meta->notes = meta->notes;
  self->detail_meta->change_seq = meta->change_seq;
  {
    g_autofree char *subtitle = g_strdup_printf ("%s · %s", self->detail_meta->reference ? self->detail_meta->reference : "",
                                                 intake_review_state_label (meta->state));

    adw_window_title_set_subtitle (self->detail_title, subtitle);
  }
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
      take_meta (self, updated);
      if (self->model != NULL)
        {
          g_autoptr(GPtrArray) changed = g_ptr_array_new ();

          /* The row follows, or leaves a view it no longer belongs to. */
          g_ptr_array_add (changed, self->detail_meta);
          intake_review_list_model_merge (self->model, changed);
        }
      show_workflow_status (self, _("Saved."), FALSE);
      intake_review_window_toast (self, _("Saved"));
      intake_review_window_load_audit (self);
      intake_review_window_refresh_counts (self);
      return;
    }
  if (g_error_matches (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_CONFLICT) && current != NULL)
    {
      g_autofree char *when = intake_review_format_time (current->updated_at);
      g_autofree char *text = g_strdup_printf (
        /* Translators: who changed the submission first, when, and its state,
         * unit and assignee now. "Save" is the button's label. */
        _("Not saved: %s already changed this submission on %s. The state is now “%s”, the unit “%s”, assigned "
          "to %s. Look at that change; press Save again to save your choice anyway."),
        current->updated_by && *current->updated_by ? current->updated_by : _("another staff member"), when,
        intake_review_state_label (current->state),
        /* Translators: the unit of a submission that has none. */
        current->unit && *current->unit ? current->unit : C_("unit", "none"),
        /* Translators: a submission assigned to nobody. */
        current->assignee && *current->assignee ? current->assignee : C_("assignee", "nobody"));

      /* The next save is a deliberate overwrite of what the reviewer has now
       * seen: the version is taken over, their own choice stays selected. */
      take_meta (self, current);
      if (item != NULL)
        intake_review_item_update_workflow (item, current);
      show_workflow_status (self, text, TRUE);
      intake_review_window_refresh_counts (self);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Not saved: %s"), error->message);

    show_workflow_status (self, text, TRUE);
  }
}

/* "dd-mm-jjjj uu:mm" (or "dd-mm-jjjj", 09:00) in local time; -1 when not a
 * date and time. */
static gint64
parse_appointment (const char *text)
{
  g_autoptr(GDateTime) when = NULL;
  int d, m, y, hh = 9, mm = 0;
  int n = sscanf (text, "%d-%d-%d %d:%d", &d, &m, &y, &hh, &mm);

  if (n != 3 && n != 5)
    return -1;
  if (!(when = g_date_time_new_local (y, m, d, hh, mm, 0)))
    return -1;
  return g_date_time_to_unix (when);
}

void
intake_review_window_save_workflow (IntakeReviewWindow *self)
{
  const char * const *states = intake_review_states ();
  guint selected = adw_combo_row_get_selected (self->state_row);
  IntakeReviewWorkflowChange change = { 0 };
  g_autofree char *appointment_text = NULL;

  if (self->detail_meta == NULL || self->saving || selected >= g_strv_length ((char **)states))
    return;
  change.state = states[selected];
  change.unit = selected_choice (self->unit_row, self->unit_choices);
  change.assignee = selected_choice (self->assignee_row, self->assignee_choices);
  change.appointment_at = -1;
  appointment_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->appointment_row))));
  if (*appointment_text != '\0')
    {
      change.appointment_at = parse_appointment (appointment_text);
      if (change.appointment_at < 0)
        {
          show_workflow_status (self, _("Write the conversation’s date and time as dd-mm-yyyy hh:mm, for example "
                                        "14-03-2026 10:30."), TRUE);
          return;
        }
    }
  else if (g_str_equal (change.state, "conversation_planned"))
    {
      show_workflow_status (self, _("A planned conversation needs its date: fill in when it is."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->appointment_row));
      return;
    }
  else if (self->detail_meta->appointment_at > 0)
    change.appointment_at = 0;
  self->saving = TRUE;
  show_workflow_status (self, _("Saving…"), FALSE);
  intake_review_client_update_workflow_async (self->client, self->detail_id, &change, self->detail_meta->version,
                                              self->cancellable, workflow_cb, detail_call_new (self));
}

/* Ctrl+M: the reviewer takes it: assigned to them, and a new one in review. */
void
intake_review_window_assign_me (IntakeReviewWindow *self)
{
  const char * const *states = intake_review_states ();
  const char *me;

  if (self->detail_meta == NULL || self->client == NULL || self->saving)
    return;
  me = intake_review_client_get_name (self->client);
  self->updating_workflow_widgets = TRUE;
  adw_combo_row_set_selected (self->assignee_row, choice_index (self->assignee_choices, me));
  if (g_str_equal (self->detail_meta->state, "new"))
    for (guint i = 0; states[i] != NULL; i++)
      if (g_str_equal (states[i], "in_review"))
        adw_combo_row_set_selected (self->state_row, i);
  self->updating_workflow_widgets = FALSE;
  intake_review_window_save_workflow (self);
}

/* ------------------------------------------------------------------ */
/* Notes                                                                */

typedef struct {
  IntakeReviewWindow *self;   /* a reference */
  char               *id;
  IntakeSecureStr    *text;   /* what was sent, shown when it is stored */
} NoteCall;

static void
note_call_free (NoteCall *call)
{
  g_clear_object (&call->self);
  g_free (call->id);
  g_clear_pointer (&call->text, intake_secure_strfree);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NoteCall, note_call_free)

static void
note_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(NoteCall) call = user_data;
  g_autoptr(IntakeReviewMeta) current = NULL;
  g_autoptr(IntakeReviewMeta) updated = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *self;

  updated = intake_review_client_add_note_finish (INTAKE_REVIEW_CLIENT (source), result, &current, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = call->self;
  self->adding_note = FALSE;
  if (g_strcmp0 (self->detail_id, call->id) != 0 || self->note_status == NULL)
    return;
  if (updated != NULL)
    {
      IntakeReviewNote *note = g_new0 (IntakeReviewNote, 1);
      IntakeReviewItem *item = self->model != NULL ? intake_review_list_model_find (self->model, call->id) : NULL;

      /* Shown where it is, as stored; the page stays where the reviewer was. */
      note->reviewer = g_strdup (intake_review_client_get_name (self->client));
      note->created_at = updated->updated_at > 0 ? updated->updated_at : g_get_real_time () / G_USEC_PER_SEC;
      note->text = intake_secure_buffer_new_copy (call->text, strlen (call->text) + 1);
      g_ptr_array_add (self->detail_notes, note);
      append_note_row (self, note);
      take_meta (self, updated);
      if (item != NULL)
        intake_review_item_update_workflow (item, updated);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->note_view), "", -1);
      gtk_label_set_text (self->note_status, _("Note saved."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->note_status), "review-conflict");
      intake_review_window_toast (self, _("Note saved"));
      intake_review_window_load_audit (self);
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
  NoteCall *call;

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
  call = g_new0 (NoteCall, 1);
  call->self = g_object_ref (self);
  call->id = g_strdup (self->detail_id);
  call->text = g_strdup (text);
  intake_review_client_add_note_async (self->client, self->detail_id, text, self->detail_meta->version,
                                       self->cancellable, note_cb, call);
}

/* Ctrl+N: to the note field, scrolled into view. */
void
intake_review_window_focus_note (IntakeReviewWindow *self)
{
  if (self->note_view == NULL)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self->note_view));
  {
    GtkWidget *content = gtk_scrolled_window_get_child (self->detail_scroll);
    graphene_point_t point;

    if (gtk_widget_compute_point (GTK_WIDGET (self->note_view), content, &GRAPHENE_POINT_INIT (0, 0), &point))
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->detail_scroll), MAX (0, point.y - 120));
  }
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

/* Writes the open submission's document to @path: plaintext on disk, so
 * only on the reviewer's explicit request, and reported as an export. */
static void
write_pdf (IntakeReviewWindow *self,
           const char         *path)
{
  IntakeSubmission *submission = NULL;
  IntakeQuestionnaire *questionnaire = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *appointment = NULL;
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
  if (g_strcmp0 (self->detail_meta->state, "closed") != 0)
    waiting = intake_review_format_waiting (self->detail_meta->created_at, g_get_real_time () / G_USEC_PER_SEC);
  if (self->detail_meta->appointment_at > 0)
    appointment = intake_review_format_time (self->detail_meta->appointment_at);
  meta = (IntakeReviewPdfMeta) {
    .reference = self->detail_meta->reference,
    .received = received,
    .location = self->detail_meta->location,
    .state = intake_review_state_label (self->detail_meta->state),
    .unit = self->detail_meta->unit,
    .waiting = waiting,
    .assignee = self->detail_meta->assignee,
    .appointment = appointment,
    .notes = self->detail_notes,
  };
  if (!intake_review_pdf_write (submission, questionnaire, &meta, path, &error))
    {
      text = g_strdup_printf (_("No PDF made: %s"), error->message);
      show_workflow_status (self, text, TRUE);
      return;
    }
  /* The object is the submission's key itself, so that the export shows in
   * this submission's access history (the server matches it exactly). */
  intake_review_client_report_event_async (self->client, "export", self->detail_id, self->cancellable,
                                           pdf_report_cb, NULL);
  name = g_path_get_basename (path);
  text = g_strdup_printf (_("PDF saved as “%s”. Delete the file once it is printed."), name);
  show_workflow_status (self, text, FALSE);
  intake_review_window_toast (self, text);
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

static GSimpleActionGroup *
pdf_actions (IntakeReviewWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "pdf", .activate = pdf_action_cb },
    { .name = "pdf-to", .activate = pdf_to_action_cb, .parameter_type = "s" },
  };
  GSimpleActionGroup *group = g_simple_action_group_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), self);
  return group;
}

/* The page's own actions, in a group of their own: "detail.pdf" asks where
 * to save, "detail.pdf-to" writes to a path (the chooser's answer, and the
 * tests). Enabled only while a rendered submission is shown. */
static void
set_pdf_enabled (IntakeReviewWindow *self,
                 gboolean            enabled)
{
  static const char * const names[] = { "pdf", "pdf-to" };

  for (guint i = 0; self->detail_actions != NULL && i < G_N_ELEMENTS (names); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->detail_actions),
                                                                              names[i])),
                                 enabled);
}

/* Ctrl+Return in the note field adds the note. */
static gboolean
note_key_cb (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             IntakeReviewWindow    *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_CONTROL_MASK) &&
      self->note_view != NULL && focus != NULL &&
      (focus == GTK_WIDGET (self->note_view) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->note_view))))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "review.add-note", NULL);
      return TRUE;
    }
  return FALSE;
}

void
intake_review_window_detail_init (IntakeReviewWindow *self)
{
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  GtkEventController *keys = gtk_event_controller_key_new ();

  for (const char * const *s = intake_review_states (); *s != NULL; s++)
    gtk_string_list_append (states, intake_review_state_label (*s));
  adw_combo_row_set_model (self->state_row, G_LIST_MODEL (states));
  g_signal_connect_swapped (self->state_row, "notify::selected", G_CALLBACK (state_changed_cb), self);
  /* The detail's actions live on the whole window (the header bar's PDF
   * button and Ctrl+P reach them). */
  self->detail_actions = pdf_actions (self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "detail", G_ACTION_GROUP (self->detail_actions));
  set_pdf_enabled (self, FALSE);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (note_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_visible (GTK_WIDGET (self->appointment_row), FALSE);
}

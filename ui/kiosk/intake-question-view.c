/* intake-question-view.c: one question of the questionnaire, with its answer controls
 *
 * The view shows one calm question: the section title, the question, its
 * help, the answer controls for the question type, "I would rather not say"
 * when offered, and a message area. It never validates: the window reads
 * the answer with intake_question_view_dup_answer(), stores it in the
 * session and shows the session's complaint with set_message().
 *
 * Everything a resident types lives in GtkPasswordEntryBuffer memory, which
 * GTK keeps out of swap and wipes when freed; clear() empties it before any
 * widget is destroyed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-question-view.h"

#include "intake-kiosk-keyboard.h"
#include "intake-secure.h"

struct _IntakeQuestionView
{
  GtkWidget             parent_instance;

  IntakeCatalog        *catalog;
  /* Holds the questionnaire that owns @question, so the pointer stays valid. */
  IntakeQuestionnaire  *questionnaire;
  const IntakeQuestion *question;
  char                 *language;

  GtkWidget            *box;
  GtkWidget            *section_label;
  GtkWidget            *heading;
  GtkWidget            *help_label;
  GtkWidget            *hint_label;
  GtkWidget            *answers;        /* rebuilt for every question */
  GtkWidget            *decline_separator;
  GtkWidget            *decline;
  GtkWidget            *decline_label;
  GtkWidget            *message_box;
  GtkWidget            *message_label;

  /* Answer toggles (GtkToggleButton: GTK 4.8 gives GtkCheckButton no AT-SPI
   * action), indexed by option, by value - min (scale), by rung - 1
   * (ladder), or Yes, No (yes_no). */
  GPtrArray            *toggles;
  /* Every text field of the current question. */
  GPtrArray            *entries;
  GtkWidget            *entry;          /* short_text, number */
  GtkWidget            *day;
  GtkWidget            *month;
  GtkWidget            *year;
  /* As on the ID: "the day / month is not known" (date with allow_unknown)
   * and "I have none" (short_text with none_option); NULL when not offered. */
  GtkWidget            *day_unknown;
  GtkWidget            *month_unknown;
  GtkWidget            *none_card;

  /* Keys for touch-only kiosks, typing into the field that has the focus. */
  GtkWidget            *keyboard;
  gboolean              show_keyboard;

  /* Field -> what the field itself adds to its description (the range of
   * a number or a year), after the message and the help. */
  GHashTable           *extra_descriptions;

  /* > 0 while the view itself changes its controls: no "changed" then. */
  guint                 updating;
};

G_DEFINE_FINAL_TYPE (IntakeQuestionView, intake_question_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_QUESTION_CODE,
  PROP_ON_SCREEN_KEYBOARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
tr (IntakeQuestionView *self,
    const char         *msgid)
{
  return intake_catalog_lookup (self->catalog, self->language, msgid);
}

static const char *
text_get (IntakeQuestionView *self,
          const IntakeText   *text)
{
  return intake_text_get (text, self->language);
}

static gboolean
toggle_get_active (GtkWidget *toggle)
{
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle));
}

static void
toggle_set_active (GtkWidget *toggle,
                   gboolean   active)
{
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), active);
}

/* GtkToggleButton reports "pressed"; the cards carry the RADIO or
 * CHECKBOX role, which screen readers read through the "checked" state. */
static void
sync_checked_state (GtkWidget *toggle)
{
  gtk_accessible_update_state (GTK_ACCESSIBLE (toggle),
                               GTK_ACCESSIBLE_STATE_CHECKED,
                               toggle_get_active (toggle) ? GTK_ACCESSIBLE_TRISTATE_TRUE
                                                          : GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);
}

static void
set_label (GtkWidget  *widget,
           const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
set_description (GtkWidget  *widget,
                 const char *description)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static GtkWidget *
new_wrapping_label (const char *text,
                    const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_halign (label, GTK_ALIGN_FILL);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

/* A label screen readers list as a heading of @level. */
static GtkWidget *
new_heading_label (int         level,
                   const char *css_class)
{
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING,
                                   NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LEVEL, level, -1);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_halign (label, GTK_ALIGN_FILL);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static void
emit_changed (IntakeQuestionView *self)
{
  if (self->updating == 0)
    g_signal_emit (self, signals[CHANGED], 0);
}

/* Empties the answer controls, not "rather not say". */
static void
clear_inputs (IntakeQuestionView *self)
{
  self->updating++;

  for (guint i = 0; i < self->entries->len; i++)
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (self->entries, i)), "");

  /* Radio-like groups refuse to switch off their active member when it is
   * clicked, but setting it inactive from code works for every member. */
  for (guint i = 0; i < self->toggles->len; i++)
    toggle_set_active (g_ptr_array_index (self->toggles, i), FALSE);
  if (self->none_card != NULL)
    toggle_set_active (self->none_card, FALSE);
  if (self->day_unknown != NULL)
    toggle_set_active (self->day_unknown, FALSE);
  if (self->month_unknown != NULL)
    toggle_set_active (self->month_unknown, FALSE);

  self->updating--;
}

static void
decline_off (IntakeQuestionView *self)
{
  if (self->decline == NULL || !toggle_get_active (self->decline))
    return;

  self->updating++;
  toggle_set_active (self->decline, FALSE);
  self->updating--;
}

/* ---- toggles ---- */

static void
toggle_toggled_cb (GtkWidget          *toggle,
                   IntakeQuestionView *self)
{
  gboolean active = toggle_get_active (toggle);

  sync_checked_state (toggle);

  if (self->updating > 0 || self->question == NULL)
    return;

  if (active)
    {
      self->updating++;

      if (self->question->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE)
        {
          guint index = 0;
          gboolean found = g_ptr_array_find (self->toggles, toggle, &index);
          gboolean exclusive;

          g_assert (found);
          exclusive = self->question->options[index].exclusive;

          /* "None of these" cannot be combined with anything else. */
          for (guint i = 0; i < self->toggles->len; i++)
            {
              if (i == index)
                continue;
              if (exclusive || self->question->options[i].exclusive)
                toggle_set_active (g_ptr_array_index (self->toggles, i), FALSE);
            }
        }

      self->updating--;
      decline_off (self);
      emit_changed (self);
    }
  else if (self->question->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE)
    {
      /* In radio-like groups the newly active member reports the change. */
      emit_changed (self);
    }
}

static void
decline_toggled_cb (GtkWidget          *button,
                    IntakeQuestionView *self)
{
  sync_checked_state (button);
  if (self->updating > 0)
    return;

  if (toggle_get_active (button))
    clear_inputs (self);

  emit_changed (self);
}

/* The radio or check box drawn at the start of a choice card: a ring with
 * a dot, or a box with a check mark (CSS shows the mark when chosen). */
static GtkWidget *
new_indicator (gboolean radio)
{
  GtkWidget *indicator = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *mark;

  gtk_widget_add_css_class (indicator, "choice-indicator");
  gtk_widget_add_css_class (indicator, radio ? "radio" : "check");
  gtk_widget_set_valign (indicator, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (indicator, GTK_ALIGN_CENTER);
  /* The mark expands inside the ring only, not the ring in the card. */
  gtk_widget_set_hexpand (indicator, FALSE);
  gtk_widget_set_vexpand (indicator, FALSE);
  if (radio)
    {
      mark = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_add_css_class (mark, "choice-dot");
    }
  else
    {
      mark = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_widget_add_css_class (mark, "choice-mark");
    }
  gtk_widget_set_hexpand (mark, TRUE);
  gtk_widget_set_vexpand (mark, TRUE);
  gtk_widget_set_halign (mark, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (indicator), mark);
  /* Decoration: the card's role and state say it. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (indicator), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);

  return indicator;
}

/* A choice card: a GtkToggleButton (GTK 4.8 exposes "click" for it through
 * AT-SPI, not for GtkCheckButton) that looks and reads like a radio button
 * (@radio, grouped with @group) or a check box. */
static GtkWidget *
new_choice_card (const char *text,
                 GtkWidget  *group,
                 gboolean    radio)
{
  GtkWidget *button;
  GtkWidget *content;
  GtkWidget *label;

  button = g_object_new (GTK_TYPE_TOGGLE_BUTTON,
                         "accessible-role", radio ? GTK_ACCESSIBLE_ROLE_RADIO : GTK_ACCESSIBLE_ROLE_CHECKBOX,
                         NULL);
  content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  gtk_box_append (GTK_BOX (content), new_indicator (radio));
  label = new_wrapping_label (text, "answer-label");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), label);
  gtk_button_set_child (GTK_BUTTON (button), content);
  if (group != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), GTK_TOGGLE_BUTTON (group));

  gtk_widget_add_css_class (button, "answer-card");
  gtk_widget_add_css_class (button, "answer-option");
  gtk_widget_add_css_class (button, radio ? "answer-radio" : "answer-checkbox");
  set_label (button, text);
  sync_checked_state (button);

  return button;
}

/* A card-like toggle button with the RADIO role. @content is its child. */
static GtkWidget *
new_toggle_card (GtkWidget  *content,
                 const char *accessible_label,
                 GtkWidget  *group,
                 const char *css_class)
{
  GtkWidget *button = g_object_new (GTK_TYPE_TOGGLE_BUTTON,
                                    "accessible-role", GTK_ACCESSIBLE_ROLE_RADIO,
                                    NULL);

  gtk_button_set_child (GTK_BUTTON (button), content);
  if (group != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), GTK_TOGGLE_BUTTON (group));
  gtk_widget_add_css_class (button, "answer-card");
  gtk_widget_add_css_class (button, css_class);
  set_label (button, accessible_label);
  gtk_accessible_update_state (GTK_ACCESSIBLE (button),
                               GTK_ACCESSIBLE_STATE_CHECKED, GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);

  return button;
}

/* The check mark shown on a chosen card (CSS makes it visible), so the
 * choice does not rely on colour alone. */
static GtkWidget *
new_check_mark (void)
{
  GtkWidget *image = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_widget_add_css_class (image, "answer-check");
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "",
                                  -1);
  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);

  return image;
}

static void
add_toggle (IntakeQuestionView *self,
            GtkWidget          *toggle)
{
  g_ptr_array_add (self->toggles, toggle);
  g_signal_connect_object (toggle, "toggled", G_CALLBACK (toggle_toggled_cb), self, 0);
}

/* ---- text fields ---- */

static void
entry_changed_cb (GtkEditable        *editable,
                  IntakeQuestionView *self)
{
  const char *text = gtk_editable_get_text (editable);

  if (self->updating > 0)
    return;

  if (*text != '\0')
    {
      decline_off (self);
      /* Typing a name is the opposite of "I have none". */
      if (self->none_card != NULL && toggle_get_active (self->none_card))
        {
          self->updating++;
          toggle_set_active (self->none_card, FALSE);
          self->updating--;
        }
    }

  emit_changed (self);
}

static void
entry_activate_cb (GtkEntry           *entry,
                   IntakeQuestionView *self)
{
  g_signal_emit (self, signals[SUBMIT], 0);
}

/* Keeps only digits (and a leading '-' when the range allows it) in number
 * and date fields. Digits of other scripts (Arabic-Indic "٣", Persian "۳")
 * become ASCII digits, so an Arabic or Farsi keyboard works as it is. */
static void
digits_insert_text_cb (GtkEditable *delegate,
                       const char  *text,
                       int          length,
                       int         *position,
                       gpointer     user_data)
{
  gboolean allow_minus = GPOINTER_TO_INT (user_data);
  GString *filtered;
  const char *end;
  gboolean changed = FALSE;

  if (length < 0)
    length = strlen (text);
  end = text + length;

  /* GTK hands over valid UTF-8 only. */
  filtered = g_string_sized_new (length);
  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int digit = g_unichar_digit_value (c);

      if (digit >= 0)
        {
          g_string_append_c (filtered, '0' + digit);
          changed |= (c > 0x7f);
        }
      else if (c == '-' && allow_minus && *position == 0 && filtered->len == 0)
        g_string_append_c (filtered, '-');
      else
        changed = TRUE;
    }

  if (changed)
    {
      g_signal_handlers_block_by_func (delegate, digits_insert_text_cb, user_data);
      if (filtered->len > 0)
        gtk_editable_insert_text (delegate, filtered->str, filtered->len, position);
      g_signal_handlers_unblock_by_func (delegate, digits_insert_text_cb, user_data);
      g_signal_stop_emission_by_name (delegate, "insert-text");
    }

  intake_secure_buffer_free (intake_secure_buffer_new_take_string (filtered));
}

/* Typed on the on-screen keyboard: a full day or month goes on to the next
 * field, as on paper forms (there is no Tab key on a touch screen; with a
 * real keyboard the resident uses Tab, and nothing moves by itself). */
/* Enter is Next on every question, the choice ones too: on an answer card
 * of a one-answer question (choices, yes/no, scale, ladder) it chooses
 * that answer and goes on; on a check box (several answers, "rather not
 * say") it goes on with what is ticked; Space ticks, as always. Text
 * fields already go on with Enter ("activate"). */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                IntakeQuestionView    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 || root == NULL || self->question == NULL)
    return GDK_EVENT_PROPAGATE;
  focus = gtk_root_get_focus (root);
  if (focus == NULL || !GTK_IS_TOGGLE_BUTTON (focus) || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return GDK_EVENT_PROPAGATE;

  if (self->question->type != INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE &&
      g_ptr_array_find (self->toggles, focus, NULL) && !toggle_get_active (focus))
    toggle_set_active (focus, TRUE);
  g_signal_emit (self, signals[SUBMIT], 0);
  return GDK_EVENT_STOP;
}

static void
keyboard_typed_cb (IntakeKioskKeyboard *keyboard,
                   GtkEditable         *target,
                   IntakeQuestionView  *self)
{
  GtkWidget *next;

  if ((GtkWidget *) target == self->day)
    next = self->month;
  else if ((GtkWidget *) target == self->month)
    next = self->year;
  else
    return;
  if (g_utf8_strlen (gtk_editable_get_text (target), -1) == gtk_entry_get_max_length (GTK_ENTRY (target)) &&
      gtk_widget_get_sensitive (next))
    {
      gtk_entry_grab_focus_without_selecting (GTK_ENTRY (next));
      intake_kiosk_keyboard_set_target (keyboard, GTK_EDITABLE (next));
    }
}

static void
entry_focus_enter_cb (GtkEventControllerFocus *controller,
                      IntakeQuestionView      *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  intake_kiosk_keyboard_set_target (INTAKE_KIOSK_KEYBOARD (self->keyboard), GTK_EDITABLE (entry));
}

static GtkWidget *
new_entry (IntakeQuestionView *self,
           GtkInputPurpose     purpose,
           int                 max_length,
           const char         *accessible_label,
           const char         *css_class)
{
  g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();
  GtkWidget *entry = gtk_entry_new_with_buffer (buffer);

  /* The buffer is for its memory handling only: the resident sees the text. */
  gtk_entry_set_visibility (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), purpose);
  /* Ask on-screen keyboards not to learn what residents type. */
  gtk_entry_set_input_hints (GTK_ENTRY (entry), GTK_INPUT_HINT_PRIVATE | GTK_INPUT_HINT_NO_EMOJI);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), FALSE);
  if (max_length > 0)
    gtk_entry_set_max_length (GTK_ENTRY (entry), max_length);
  gtk_widget_add_css_class (entry, "answer-entry");
  if (css_class != NULL)
    gtk_widget_add_css_class (entry, css_class);
  set_label (entry, accessible_label);

  g_signal_connect_object (entry, "changed", G_CALLBACK (entry_changed_cb), self, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (entry_activate_cb), self, 0);
  {
    GtkEventController *focus = gtk_event_controller_focus_new ();

    /* The on-screen keyboard types into the field the resident chose. */
    g_signal_connect_object (focus, "enter", G_CALLBACK (entry_focus_enter_cb), self, 0);
    gtk_widget_add_controller (entry, focus);
  }
  g_ptr_array_add (self->entries, entry);

  return entry;
}

static void
entry_accept_digits_only (GtkWidget *entry,
                          gboolean   allow_minus)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (entry));

  g_signal_connect (delegate, "insert-text",
                    G_CALLBACK (digits_insert_text_cb), GINT_TO_POINTER (allow_minus));
}

/* Parses the text of a digits-only field; FALSE when empty. Too large
 * numbers saturate, so that validation reports them as out of range. */
static gboolean
entry_get_integer (GtkWidget *entry,
                   gint64    *out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  gboolean negative = FALSE;
  gint64 value = 0;

  if (*text == '-')
    {
      negative = TRUE;
      text++;
    }
  if (*text == '\0')
    return FALSE;

  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isdigit (*text))
        continue;
      if (value > (G_MAXINT64 - 9) / 10)
        {
          value = G_MAXINT64;
          break;
        }
      value = value * 10 + (*text - '0');
    }

  *out = negative ? -value : value;
  return TRUE;
}

static void
entry_set_integer (GtkWidget *entry,
                   gint64     value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

/* ---- accessible relations of the answer controls ---- */

static void
describe (IntakeQuestionView *self,
          GtkWidget          *widget,
          gboolean            invalid)
{
  GtkWidget *describers[3] = { NULL, NULL, NULL };
  const char *extra = g_hash_table_lookup (self->extra_descriptions, widget);
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *description = NULL;
  guint n = 0;

  /* The message first: it is what the resident must act on now. */
  if (gtk_widget_get_visible (self->message_box))
    describers[n++] = self->message_label;
  if (gtk_widget_get_visible (self->help_label))
    describers[n++] = self->help_label;
  /* The list ends at the first NULL; the one after it must be there too. */
  if (n == 2)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, describers[0], describers[1], NULL,
                                    -1);
  else if (n == 1)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, describers[0], NULL,
                                    -1);
  else
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);

  /* GTK 4.8 does not make a description from the relation: the same
   * texts, joined, are the description too. */
  for (guint i = 0; i < n; i++)
    g_strv_builder_add (parts, gtk_label_get_text (GTK_LABEL (describers[i])));
  if (extra != NULL)
    g_strv_builder_add (parts, extra);
  strv = g_strv_builder_end (parts);
  description = g_strjoinv (" ", strv);
  if (*description != '\0')
    set_description (widget, description);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_REQUIRED,
                                  self->question != NULL && self->question->required,
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

/* The help text (and a message, while one is shown) describes the answers
 * and every field; a required question says so. */
static void
update_relations (IntakeQuestionView *self)
{
  gboolean invalid = gtk_widget_get_visible (self->message_box);

  if (self->answers == NULL)
    return;
  describe (self, self->answers, invalid);
  for (guint i = 0; i < self->entries->len; i++)
    describe (self, g_ptr_array_index (self->entries, i), invalid);
}

/* ---- builders per question type ---- */

static GtkWidget *
new_answer_group (IntakeQuestionView *self,
                  GtkOrientation      orientation,
                  const char         *type_class)
{
  /* GROUP rather than RADIO_GROUP: GTK 4.8 gives RADIO_GROUP no AT-SPI role
   * of its own, while GROUP becomes a panel that screen readers announce
   * with its label (the question) when focus enters it. */
  GtkWidget *group = g_object_new (GTK_TYPE_BOX,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                                   "orientation", orientation,
                                   "spacing", 12,
                                   NULL);

  gtk_widget_add_css_class (group, "question-answers");
  gtk_widget_add_css_class (group, type_class);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (group),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->heading, NULL,
                                  -1);

  return group;
}

static void
build_choice (IntakeQuestionView *self,
              gboolean            multiple)
{
  const IntakeQuestion *q = self->question;
  GtkWidget *group = NULL;

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL,
                                    multiple ? "multiple-choice" : "single-choice");

  for (guint i = 0; i < q->n_options; i++)
    {
      const char *label = text_get (self, q->options[i].label);
      GtkWidget *button = new_choice_card (label, group, !multiple);

      if (q->options[i].exclusive)
        gtk_widget_add_css_class (button, "answer-exclusive");
      if (!multiple && group == NULL)
        group = button;

      gtk_box_append (GTK_BOX (self->answers), button);
      add_toggle (self, button);
    }
}

static void
build_yes_no (IntakeQuestionView *self)
{
  const char *words[2] = {
    /* Translators: Answer to a yes/no question. */
    tr (self, "Yes"),
    /* Translators: Answer to a yes/no question. */
    tr (self, "No"),
  };
  GtkWidget *group = NULL;

  self->answers = new_answer_group (self, GTK_ORIENTATION_HORIZONTAL, "yes-no");
  gtk_box_set_homogeneous (GTK_BOX (self->answers), TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (words[i]);
      GtkWidget *button;

      gtk_widget_set_halign (content, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (content), new_check_mark ());
      gtk_widget_add_css_class (label, "answer-label");
      gtk_box_append (GTK_BOX (content), label);

      button = new_toggle_card (content, words[i], group, "answer-yes-no");
      gtk_widget_set_hexpand (button, TRUE);
      if (group == NULL)
        group = button;

      gtk_box_append (GTK_BOX (self->answers), button);
      add_toggle (self, button);
    }
}

static void
build_scale (IntakeQuestionView *self)
{
  const IntakeQuestion *q = self->question;
  const char *min_label = text_get (self, q->min_label);
  const char *max_label = text_get (self, q->max_label);
  g_autofree char *ends = g_strdup_printf ("%" G_GINT64_FORMAT ": %s; %" G_GINT64_FORMAT ": %s",
                                           q->min, min_label, q->max, max_label);
  GtkWidget *row;
  GtkWidget *labels;
  GtkWidget *label;
  GtkWidget *group = NULL;

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL, "scale");
  gtk_box_set_spacing (GTK_BOX (self->answers), 8);

  /* Homogeneous: all steps equally wide, shrinking together on narrow
   * screens down to the 48 px minimum that the CSS sets. */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_set_homogeneous (GTK_BOX (row), TRUE);
  gtk_widget_add_css_class (row, "scale-row");

  for (gint64 v = q->min; v <= q->max; v++)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, v);
      g_autofree char *accessible = NULL;
      GtkWidget *step_label = gtk_label_new (number);
      GtkWidget *button;

      /* The ends carry their meaning in the label; every step carries the
       * meaning of both ends in its description. */
      if (v == q->min)
        accessible = g_strdup_printf ("%s – %s", number, min_label);
      else if (v == q->max)
        accessible = g_strdup_printf ("%s – %s", number, max_label);
      else
        accessible = g_strdup (number);

      gtk_widget_add_css_class (step_label, "answer-label");
      button = new_toggle_card (step_label, accessible, group, "scale-step");
      gtk_widget_set_hexpand (button, TRUE);
      set_description (button, ends);
      if (group == NULL)
        group = button;

      gtk_box_append (GTK_BOX (row), button);
      add_toggle (self, button);
    }
  gtk_box_append (GTK_BOX (self->answers), row);

  labels = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  gtk_widget_add_css_class (labels, "scale-ends");
  label = new_wrapping_label (min_label, "scale-end-label");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (labels), label);
  label = new_wrapping_label (max_label, "scale-end-label");
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (labels), label);
  gtk_box_append (GTK_BOX (self->answers), labels);
}

static void
build_ladder (IntakeQuestionView *self)
{
  const IntakeQuestion *q = self->question;
  GtkWidget *buttons[INTAKE_LADDER_RUNGS];
  GtkWidget *group = NULL;

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL, "ladder");
  gtk_box_set_spacing (GTK_BOX (self->answers), 8);

  for (guint i = 0; i < INTAKE_LADDER_RUNGS; i++)
    {
      const char *text = text_get (self, q->rungs[i]);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *accessible = g_strdup_printf ("%u – %s", i + 1, text);
      GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
      GtkWidget *rung = gtk_label_new (number);
      GtkWidget *label = new_wrapping_label (text, "answer-label");

      gtk_widget_add_css_class (rung, "ladder-rung-number");
      gtk_widget_set_valign (rung, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (content), rung);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (content), label);
      gtk_box_append (GTK_BOX (content), new_check_mark ());

      buttons[i] = new_toggle_card (content, accessible, group, "ladder-rung");
      if (group == NULL)
        group = buttons[i];
      add_toggle (self, buttons[i]);
    }

  /* A ladder: rung 6 at the top, rung 1 at the bottom. */
  for (guint i = INTAKE_LADDER_RUNGS; i > 0; i--)
    gtk_box_append (GTK_BOX (self->answers), buttons[i - 1]);
}

static void
none_toggled_cb (GtkWidget          *card,
                 IntakeQuestionView *self)
{
  gboolean active = toggle_get_active (card);

  sync_checked_state (card);
  gtk_widget_set_sensitive (self->entry, !active);
  if (self->updating > 0)
    return;
  if (active)
    {
      self->updating++;
      gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
      self->updating--;
      decline_off (self);
    }
  emit_changed (self);
}

static void
build_short_text (IntakeQuestionView *self)
{
  static const GtkInputPurpose purposes[] = {
    [INTAKE_TEXT_KIND_TEXT] = GTK_INPUT_PURPOSE_FREE_FORM,
    [INTAKE_TEXT_KIND_EMAIL] = GTK_INPUT_PURPOSE_EMAIL,
    [INTAKE_TEXT_KIND_PHONE] = GTK_INPUT_PURPOSE_PHONE,
    [INTAKE_TEXT_KIND_DIGITS] = GTK_INPUT_PURPOSE_DIGITS,
  };
  const IntakeQuestion *q = self->question;
  GtkInputPurpose purpose = GTK_INPUT_PURPOSE_FREE_FORM;

  if (q->text_kind < G_N_ELEMENTS (purposes))
    purpose = purposes[q->text_kind];

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL, "short-text");
  self->entry = new_entry (self, purpose, q->max_length, text_get (self, q->text), "text-entry");
  /* Translators: Placeholder text inside an empty text field. */
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), tr (self, "Type your answer here"));
  gtk_widget_set_hexpand (self->entry, TRUE);
  gtk_box_append (GTK_BOX (self->answers), self->entry);

  /* "There is no first name on my ID": an answer of its own, not a skip. */
  if (q->none_option != NULL)
    {
      self->none_card = new_choice_card (text_get (self, q->none_option), NULL, FALSE);
      gtk_widget_add_css_class (self->none_card, "none-card");
      g_signal_connect_object (self->none_card, "toggled", G_CALLBACK (none_toggled_cb), self, 0);
      gtk_box_append (GTK_BOX (self->answers), self->none_card);
    }

  if (q->text_kind == INTAKE_TEXT_KIND_EMAIL)
    intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_EMAIL);
  else if (q->text_kind == INTAKE_TEXT_KIND_PHONE)
    intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_PHONE);
  else if (q->text_kind == INTAKE_TEXT_KIND_DIGITS)
    intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_DIGITS);
  else
    intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_LETTERS);
}

static void
number_step (IntakeQuestionView *self,
             int                 delta)
{
  const IntakeQuestion *q = self->question;
  gint64 value;

  /* From an empty field both buttons start at the lowest allowed number. */
  if (!entry_get_integer (self->entry, &value))
    value = q->min;
  else if (delta < 0)
    value = value > q->min ? MIN (value, q->max + 1) - 1 : q->min;
  else
    value = value < q->max ? MAX (value, q->min - 1) + 1 : q->max;

  entry_set_integer (self->entry, value);
}

static void
less_clicked_cb (GtkButton          *button,
                 IntakeQuestionView *self)
{
  number_step (self, -1);
}

static void
more_clicked_cb (GtkButton          *button,
                 IntakeQuestionView *self)
{
  number_step (self, +1);
}

static GtkWidget *
new_step_button (const char *icon_name,
                 const char *word)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *image = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label = gtk_label_new (word);

  gtk_widget_set_halign (content, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), image);
  gtk_box_append (GTK_BOX (content), label);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_add_css_class (button, "answer-card");
  gtk_widget_add_css_class (button, "number-step");
  set_label (button, word);

  return button;
}

static int
count_digits (gint64 value)
{
  int n = 1;

  for (guint64 v = value < 0 ? -(guint64) value : (guint64) value; v >= 10; v /= 10)
    n++;

  return n;
}

static void
build_number (IntakeQuestionView *self)
{
  const IntakeQuestion *q = self->question;
  const char *unit = text_get (self, q->unit);
  g_autofree char *range = g_strdup_printf ("%" G_GINT64_FORMAT " – %" G_GINT64_FORMAT, q->min, q->max);
  g_autofree char *description = NULL;
  int width = MAX (count_digits (q->min) + (q->min < 0), count_digits (q->max) + (q->max < 0));
  GtkWidget *row;
  GtkWidget *less;
  GtkWidget *more;

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL, "number");
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (row, "number-row");

  /* Translators: Button next to a number answer that lowers the number by one
     (e.g. from 5 to 4); screen readers also read it as the button's name. The same
     word may also label the low end of a scale, e.g. of 0 to 10, so choose a short
     word that fits both uses ("less", "lower", "minus"). */
  less = new_step_button ("list-remove-symbolic", tr (self, "Less"));
  /* Translators: Button next to a number answer that raises the number by one
     (e.g. from 4 to 5); screen readers also read it as the button's name. The same
     word may also label the high end of a scale, e.g. of 0 to 10, so choose a short
     word that fits both uses ("more", "higher", "plus"). */
  more = new_step_button ("list-add-symbolic", tr (self, "More"));
  g_signal_connect_object (less, "clicked", G_CALLBACK (less_clicked_cb), self, 0);
  g_signal_connect_object (more, "clicked", G_CALLBACK (more_clicked_cb), self, 0);

  self->entry = new_entry (self, GTK_INPUT_PURPOSE_DIGITS, width,
                           unit != NULL ? unit : text_get (self, q->text), "number-entry");
  entry_accept_digits_only (self->entry, q->min < 0);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), MAX (width, 3));
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), MAX (width, 3));
  gtk_entry_set_alignment (GTK_ENTRY (self->entry), 0.5);
  description = unit != NULL ? g_strdup_printf ("%s (%s)", range, unit) : g_strdup (range);
  g_hash_table_insert (self->extra_descriptions, self->entry, g_steal_pointer (&description));

  gtk_box_append (GTK_BOX (row), less);
  gtk_box_append (GTK_BOX (row), self->entry);
  gtk_box_append (GTK_BOX (row), more);
  if (unit != NULL)
    {
      GtkWidget *label = new_wrapping_label (unit, "number-unit");

      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (row), label);
    }

  gtk_box_append (GTK_BOX (self->answers), row);
  intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_DIGITS);
}

static GtkWidget *
new_date_field (IntakeQuestionView *self,
                GtkWidget          *row,
                const char         *word,
                int                 n_digits)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = new_wrapping_label (word, "date-field-label");
  GtkWidget *entry = new_entry (self, GTK_INPUT_PURPOSE_DIGITS, n_digits, word, "date-entry");

  entry_accept_digits_only (entry, FALSE);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), n_digits + 1);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), n_digits + 1);
  gtk_entry_set_alignment (GTK_ENTRY (entry), 0.5);
  /* Named once, by new_entry(): a labelled-by relation to the visible word
   * as well made GTK 4.8 read "Day Day". */

  gtk_box_append (GTK_BOX (column), label);
  gtk_box_append (GTK_BOX (column), entry);
  gtk_box_append (GTK_BOX (row), column);

  return entry;
}

/* The day and month fields follow their "not known" boxes: 00, and not to
 * be typed in, while ticked. */
static void
apply_unknown (IntakeQuestionView *self)
{
  GtkWidget *toggles[2] = { self->day_unknown, self->month_unknown };
  GtkWidget *fields[2] = { self->day, self->month };

  self->updating++;
  for (guint i = 0; i < 2; i++)
    {
      gboolean unknown = toggle_get_active (toggles[i]);

      if (unknown)
        gtk_editable_set_text (GTK_EDITABLE (fields[i]), "00");
      else if (!gtk_widget_get_sensitive (fields[i]))
        gtk_editable_set_text (GTK_EDITABLE (fields[i]), "");
      gtk_widget_set_sensitive (fields[i], !unknown);
    }
  self->updating--;
}

static void
unknown_toggled_cb (GtkWidget          *toggle,
                    IntakeQuestionView *self)
{
  gboolean active = toggle_get_active (toggle);

  sync_checked_state (toggle);
  if (self->updating > 0)
    return;

  self->updating++;
  /* A known day in an unknown month is not a BRP form. */
  if (toggle == self->month_unknown && active)
    toggle_set_active (self->day_unknown, TRUE);
  if (toggle == self->day_unknown && !active)
    toggle_set_active (self->month_unknown, FALSE);
  self->updating--;
  apply_unknown (self);
  decline_off (self);
  emit_changed (self);
}

static void
build_date (IntakeQuestionView *self)
{
  const IntakeQuestion *q = self->question;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate min_date, max_date;
  GtkWidget *row;

  self->answers = new_answer_group (self, GTK_ORIENTATION_VERTICAL, "date");
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  gtk_widget_add_css_class (row, "date-row");

  /* Day, month, year: the order of the Netherlands and of most residents' countries. */
  /* Translators: Label of the day field of a date (e.g. date of birth). */
  self->day = new_date_field (self, row, tr (self, "Day"), 2);
  /* Translators: Label of the month field of a date. */
  self->month = new_date_field (self, row, tr (self, "Month"), 2);
  /* Translators: Label of the year field of a date. */
  self->year = new_date_field (self, row, tr (self, "Year"), 4);

  g_date_clear (&min_date, 1);
  g_date_clear (&max_date, 1);
  if (q->date_min != NULL && q->date_max != NULL &&
      intake_date_expression_evaluate (q->date_min, now, &min_date) &&
      intake_date_expression_evaluate (q->date_max, now, &max_date))
    {
      g_autofree char *years = g_strdup_printf ("%u – %u",
                                                (guint) g_date_get_year (&min_date),
                                                (guint) g_date_get_year (&max_date));

      g_hash_table_insert (self->extra_descriptions, self->year, g_steal_pointer (&years));
    }

  gtk_box_append (GTK_BOX (self->answers), row);

  /* As the BRP registers many refugees: 00 for a day, or a day and a
   * month, that are not known (00-07-1990, 00-00-1985). */
  if (q->allow_unknown)
    {
      /* Translators: A check box under a date of birth: the ID says 00 for the day. */
      self->day_unknown = new_choice_card (tr (self, "The day is not known (00)"), NULL, FALSE);
      /* Translators: A check box under a date of birth: the ID says 00 for the month (and the day). */
      self->month_unknown = new_choice_card (tr (self, "The month is not known (00)"), NULL, FALSE);
      gtk_widget_add_css_class (self->day_unknown, "date-unknown");
      gtk_widget_add_css_class (self->month_unknown, "date-unknown");
      g_signal_connect_object (self->day_unknown, "toggled", G_CALLBACK (unknown_toggled_cb), self, 0);
      g_signal_connect_object (self->month_unknown, "toggled", G_CALLBACK (unknown_toggled_cb), self, 0);
      gtk_box_append (GTK_BOX (self->answers), self->day_unknown);
      gtk_box_append (GTK_BOX (self->answers), self->month_unknown);
    }
  intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_DIGITS);
}

/* ---- pre-fill ---- */

static void
prefill (IntakeQuestionView *self,
         const IntakeAnswer *answer)
{
  const IntakeQuestion *q = self->question;
  IntakeAnswerKind kind;

  if (answer == NULL)
    return;

  kind = intake_answer_get_kind (answer);
  self->updating++;

  if (kind == INTAKE_ANSWER_DECLINED)
    {
      if (self->decline != NULL && q->rather_not_say)
        toggle_set_active (self->decline, TRUE);
      self->updating--;
      return;
    }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      for (guint i = 0; i < q->n_options; i++)
        {
          gboolean chosen = FALSE;

          if (kind == INTAKE_ANSWER_CHOICE)
            chosen = g_strcmp0 (intake_answer_get_string (answer), q->options[i].code) == 0;
          else if (kind == INTAKE_ANSWER_CHOICES)
            chosen = intake_answer_has_choice (answer, q->options[i].code);
          if (chosen)
            toggle_set_active (g_ptr_array_index (self->toggles, i), TRUE);
        }
      break;

    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_LADDER:
      if (kind == INTAKE_ANSWER_INTEGER)
        {
          gint64 first = q->type == INTAKE_QUESTION_TYPE_LADDER ? 1 : q->min;
          gint64 index = intake_answer_get_integer (answer) - first;

          if (index >= 0 && index < (gint64) self->toggles->len)
            toggle_set_active (g_ptr_array_index (self->toggles, index), TRUE);
        }
      break;

    case INTAKE_QUESTION_TYPE_YES_NO:
      if (kind == INTAKE_ANSWER_BOOLEAN)
        toggle_set_active (g_ptr_array_index (self->toggles, intake_answer_get_boolean (answer) ? 0 : 1),
                           TRUE);
      break;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      if (kind == INTAKE_ANSWER_TEXT && self->none_card != NULL && *intake_answer_get_string (answer) == '\0')
        toggle_set_active (self->none_card, TRUE);
      else if (kind == INTAKE_ANSWER_TEXT)
        gtk_editable_set_text (GTK_EDITABLE (self->entry), intake_answer_get_string (answer));
      break;

    case INTAKE_QUESTION_TYPE_NUMBER:
      if (kind == INTAKE_ANSWER_INTEGER)
        entry_set_integer (self->entry, intake_answer_get_integer (answer));
      break;

    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *date = kind == INTAKE_ANSWER_DATE ? intake_answer_get_string (answer) : NULL;

        /* "YYYY-MM-DD" */
        if (date != NULL && strlen (date) == 10 && date[4] == '-' && date[7] == '-')
          {
            char part[5];

            memcpy (part, date, 4);
            part[4] = '\0';
            gtk_editable_set_text (GTK_EDITABLE (self->year), part);
            memcpy (part, date + 5, 2);
            part[2] = '\0';
            gtk_editable_set_text (GTK_EDITABLE (self->month), part);
            memcpy (part, date + 8, 2);
            part[2] = '\0';
            gtk_editable_set_text (GTK_EDITABLE (self->day), part);
            intake_secure_wipe (part, sizeof part);
            if (q->allow_unknown)
              {
                toggle_set_active (self->day_unknown, date[8] == '0' && date[9] == '0');
                toggle_set_active (self->month_unknown, date[5] == '0' && date[6] == '0');
                apply_unknown (self);
              }
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  self->updating--;
}

/* ---- GObject ---- */

static void
intake_question_view_dispose (GObject *object)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  if (self->box != NULL)
    intake_question_view_clear (self);
  self->question = NULL;
  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->answers = NULL;
  self->decline = NULL;
  self->entry = self->day = self->month = self->year = NULL;
  self->none_card = self->day_unknown = self->month_unknown = NULL;
  self->keyboard = NULL;
  if (self->toggles != NULL)
    g_ptr_array_set_size (self->toggles, 0);
  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  if (self->extra_descriptions != NULL)
    g_hash_table_remove_all (self->extra_descriptions);
  g_clear_object (&self->questionnaire);
  g_clear_object (&self->catalog);

  G_OBJECT_CLASS (intake_question_view_parent_class)->dispose (object);
}

static void
intake_question_view_finalize (GObject *object)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  g_clear_pointer (&self->toggles, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->extra_descriptions, g_hash_table_unref);
  g_clear_pointer (&self->language, g_free);

  G_OBJECT_CLASS (intake_question_view_parent_class)->finalize (object);
}

static void
intake_question_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  switch (prop_id)
    {
    case PROP_QUESTION_CODE:
      g_value_set_string (value, intake_question_view_get_question_code (self));
      break;

    case PROP_ON_SCREEN_KEYBOARD:
      g_value_set_boolean (value, self->show_keyboard);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_question_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  IntakeQuestionView *self = INTAKE_QUESTION_VIEW (object);

  switch (prop_id)
    {
    case PROP_ON_SCREEN_KEYBOARD:
      if (self->show_keyboard != g_value_get_boolean (value))
        {
          self->show_keyboard = g_value_get_boolean (value);
          gtk_widget_set_visible (self->keyboard, self->show_keyboard &&
                                  intake_kiosk_keyboard_get_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard))
                                  != INTAKE_KEYBOARD_NONE);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_question_view_class_init (IntakeQuestionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_question_view_dispose;
  object_class->finalize = intake_question_view_finalize;
  object_class->get_property = intake_question_view_get_property;
  object_class->set_property = intake_question_view_set_property;

  /* Keys inside the kiosk for name, date, number and phone questions, for
   * touch-only machines (the "on-screen-keyboard" setting). */
  properties[PROP_ON_SCREEN_KEYBOARD] =
    g_param_spec_boolean ("on-screen-keyboard", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUESTION_CODE] =
    g_param_spec_string ("question-code", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * IntakeQuestionView::changed:
   *
   * The resident changed an answer control (not emitted for pre-filling or clear()).
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
  /**
   * IntakeQuestionView::submit:
   *
   * Enter was pressed in a text, number or date field.
   */
  signals[SUBMIT] = g_signal_new ("submit",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "questionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
intake_question_view_init (IntakeQuestionView *self)
{
  GtkWidget *icon;

  self->toggles = g_ptr_array_new ();
  self->entries = g_ptr_array_new ();
  self->extra_descriptions = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  gtk_widget_add_css_class (GTK_WIDGET (self), "intake-question-view");

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  /* The section is the screen's first heading, the question the second:
   * a screen reader user can jump to either. */
  self->section_label = new_heading_label (1, "question-section");
  gtk_box_append (GTK_BOX (self->box), self->section_label);

  self->heading = new_heading_label (2, "question-title");
  gtk_box_append (GTK_BOX (self->box), self->heading);

  self->help_label = new_wrapping_label (NULL, "question-help");
  gtk_widget_set_visible (self->help_label, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->help_label);

  self->hint_label = new_wrapping_label (NULL, "question-hint");
  gtk_widget_set_visible (self->hint_label, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->hint_label);

  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    /* Before the focused card takes Enter for itself. */
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
  }

  self->show_keyboard = TRUE;
  self->keyboard = intake_kiosk_keyboard_new ();
  g_signal_connect_object (self->keyboard, "typed", G_CALLBACK (keyboard_typed_cb), self, 0);
  gtk_box_append (GTK_BOX (self->box), self->keyboard);

  self->decline_separator = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_add_css_class (self->decline_separator, "decline-separator");
  gtk_widget_set_visible (self->decline_separator, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->decline_separator);

  /* A check box card of its own, apart from the answers: it is not one of
   * them. A toggle button, so that it has an AT-SPI action. */
  self->decline = new_choice_card (NULL, NULL, FALSE);
  self->decline_label = gtk_widget_get_last_child (gtk_button_get_child (GTK_BUTTON (self->decline)));
  gtk_widget_remove_css_class (self->decline, "answer-option");
  gtk_widget_add_css_class (self->decline, "decline-card");
  gtk_widget_set_visible (self->decline, FALSE);
  g_signal_connect_object (self->decline, "toggled", G_CALLBACK (decline_toggled_cb), self, 0);
  gtk_box_append (GTK_BOX (self->box), self->decline);

  self->message_box = g_object_new (GTK_TYPE_BOX,
                                    "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                                    "orientation", GTK_ORIENTATION_HORIZONTAL,
                                    "spacing", 12,
                                    NULL);
  gtk_widget_add_css_class (self->message_box, "question-message");
  /* An alert that takes focus: GTK 4.8 sends AT-SPI no event when a widget
   * appears, but a focus change is read by every screen reader. It sits
   * above the answers, so that Tab goes on to them. */
  gtk_widget_set_focusable (self->message_box, TRUE);
  icon = gtk_image_new_from_icon_name ("dialog-information-symbolic");
  gtk_widget_add_css_class (icon, "question-message-icon");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (self->message_box), icon);
  self->message_label = new_wrapping_label (NULL, "question-message-text");
  gtk_widget_set_hexpand (self->message_label, TRUE);
  gtk_box_append (GTK_BOX (self->message_box), self->message_label);
  gtk_widget_set_visible (self->message_box, FALSE);
  gtk_box_insert_child_after (GTK_BOX (self->box), self->message_box, self->hint_label);

}

/**
 * intake_question_view_new:
 * @catalog: the UI strings (Yes, No, Day, ...) per language
 *
 * Returns: (transfer floating): a new, empty question view
 */
GtkWidget *
intake_question_view_new (IntakeCatalog *catalog)
{
  IntakeQuestionView *self;

  g_return_val_if_fail (INTAKE_IS_CATALOG (catalog), NULL);

  self = g_object_new (INTAKE_TYPE_QUESTION_VIEW, NULL);
  self->catalog = g_object_ref (catalog);

  return GTK_WIDGET (self);
}

void
intake_question_view_show_question (IntakeQuestionView   *self,
                                    IntakeSession        *session,
                                    const IntakeQuestion *question)
{
  IntakeQuestionnaire *questionnaire;
  const IntakeSection *section;
  const char *help;
  const char *text;

  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));
  g_return_if_fail (INTAKE_IS_SESSION (session));
  g_return_if_fail (question != NULL);

  /* Wipe what the previous resident or question left before destroying it. */
  intake_question_view_clear (self);
  if (self->answers != NULL)
    {
      gtk_box_remove (GTK_BOX (self->box), self->answers);
      self->answers = NULL;
    }
  g_ptr_array_set_size (self->toggles, 0);
  g_ptr_array_set_size (self->entries, 0);
  g_hash_table_remove_all (self->extra_descriptions);
  self->entry = self->day = self->month = self->year = NULL;
  self->none_card = self->day_unknown = self->month_unknown = NULL;
  intake_kiosk_keyboard_set_target (INTAKE_KIOSK_KEYBOARD (self->keyboard), NULL);
  intake_kiosk_keyboard_set_layout (INTAKE_KIOSK_KEYBOARD (self->keyboard), INTAKE_KEYBOARD_NONE);

  questionnaire = intake_session_get_questionnaire (session);
  g_set_object (&self->questionnaire, questionnaire);
  g_free (self->language);
  self->language = g_strdup (intake_session_get_language (session));
  self->question = question;

  section = intake_questionnaire_get_section (questionnaire, question->section);
  gtk_label_set_text (GTK_LABEL (self->section_label),
                      section != NULL ? text_get (self, section->title) : NULL);
  gtk_widget_set_visible (self->section_label, section != NULL);

  text = text_get (self, question->text);
  gtk_label_set_text (GTK_LABEL (self->heading), text);

  help = text_get (self, question->help);
  gtk_label_set_text (GTK_LABEL (self->help_label), help);
  gtk_widget_set_visible (self->help_label, help != NULL);

  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      /* Translators: Instruction under a question with exactly one answer. */
      gtk_label_set_text (GTK_LABEL (self->hint_label), tr (self, "Choose one answer"));
      build_choice (self, FALSE);
      break;

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      if (question->max_selected < question->n_options)
        {
          g_autofree char *hint = NULL;

          /* Translators: Instruction under a question with a limit. %d is always 2 or more. */
          hint = g_strdup_printf (tr (self, "Choose at most %d answers"), (int) question->max_selected);
          gtk_label_set_text (GTK_LABEL (self->hint_label), hint);
        }
      else
        {
          /* Translators: Instruction under a question where several answers may be chosen. */
          gtk_label_set_text (GTK_LABEL (self->hint_label), tr (self, "Choose one or more answers"));
        }
      build_choice (self, TRUE);
      break;

    case INTAKE_QUESTION_TYPE_SCALE:
      build_scale (self);
      break;

    case INTAKE_QUESTION_TYPE_YES_NO:
      build_yes_no (self);
      break;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      build_short_text (self);
      break;

    case INTAKE_QUESTION_TYPE_NUMBER:
      build_number (self);
      break;

    case INTAKE_QUESTION_TYPE_DATE:
      build_date (self);
      break;

    case INTAKE_QUESTION_TYPE_LADDER:
      build_ladder (self);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_widget_set_visible (self->hint_label,
                          question->type == INTAKE_QUESTION_TYPE_SINGLE_CHOICE ||
                          question->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE);
  gtk_box_insert_child_after (GTK_BOX (self->box), self->answers, self->message_box);
  update_relations (self);

  /* The keys under the fields, typing into the first until another gets the focus. */
  gtk_box_reorder_child_after (GTK_BOX (self->box), self->keyboard, self->answers);
  /* Translators: Name of the on-screen keyboard's key that deletes the letter before the cursor. */
  intake_kiosk_keyboard_set_words (INTAKE_KIOSK_KEYBOARD (self->keyboard), tr (self, "Delete"),
                                   /* Translators: Name of the on-screen keyboard's space bar. */
                                   tr (self, "Space"));
  if (self->entries->len > 0)
    intake_kiosk_keyboard_set_target (INTAKE_KIOSK_KEYBOARD (self->keyboard),
                                      GTK_EDITABLE (g_ptr_array_index (self->entries, 0)));
  if (!self->show_keyboard)
    gtk_widget_set_visible (self->keyboard, FALSE);

  /* Translators: Answer option on sensitive questions, e.g. about health. Said by the resident. */
  gtk_label_set_text (GTK_LABEL (self->decline_label), tr (self, "I would rather not say"));
  set_label (self->decline, tr (self, "I would rather not say"));
  gtk_widget_set_visible (self->decline_separator, question->rather_not_say);
  gtk_widget_set_visible (self->decline, question->rather_not_say);

  prefill (self, intake_session_get_answer (session, question->code));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUESTION_CODE]);
}

const IntakeQuestion *
intake_question_view_get_question (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->question;
}

const char *
intake_question_view_get_question_code (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->question != NULL ? self->question->code : NULL;
}

/* A copy of @text with digits of any script as ASCII digits (phone numbers
 * and client numbers typed on an Arabic or Farsi keyboard). */
static char *
dup_ascii_digits (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int digit = c > 0x7f ? g_unichar_digit_value (c) : -1;

      if (digit >= 0)
        g_string_append_c (out, '0' + digit);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

IntakeAnswer *
intake_question_view_dup_answer (IntakeQuestionView *self)
{
  const IntakeQuestion *q;
  int active = -1;

  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  q = self->question;
  if (q == NULL)
    return NULL;

  if (q->rather_not_say && toggle_get_active (self->decline))
    return intake_answer_new_declined ();

  for (guint i = 0; i < self->toggles->len; i++)
    if (toggle_get_active (g_ptr_array_index (self->toggles, i)))
      {
        active = i;
        break;
      }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return active >= 0 ? intake_answer_new_choice (q->options[active].code) : NULL;

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        g_autoptr(GPtrArray) codes = g_ptr_array_new ();

        for (guint i = 0; i < self->toggles->len; i++)
          if (toggle_get_active (g_ptr_array_index (self->toggles, i)))
            g_ptr_array_add (codes, q->options[i].code);
        if (codes->len == 0)
          return NULL;
        g_ptr_array_add (codes, NULL);
        return intake_answer_new_choices ((const char * const *) codes->pdata);
      }

    case INTAKE_QUESTION_TYPE_SCALE:
      return active >= 0 ? intake_answer_new_integer (q->min + active) : NULL;

    case INTAKE_QUESTION_TYPE_LADDER:
      return active >= 0 ? intake_answer_new_integer (active + 1) : NULL;

    case INTAKE_QUESTION_TYPE_YES_NO:
      return active >= 0 ? intake_answer_new_boolean (active == 0) : NULL;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
        IntakeAnswer *answer;
        char *normalized;

        /* "I have none": the empty answer. */
        if (self->none_card != NULL && toggle_get_active (self->none_card))
          return intake_answer_new_text ("");
        if (*text == '\0')
          return NULL;
        if (q->text_kind != INTAKE_TEXT_KIND_PHONE && q->text_kind != INTAKE_TEXT_KIND_DIGITS)
          return intake_answer_new_text (text);

        normalized = dup_ascii_digits (text);
        answer = intake_answer_new_text (normalized);
        intake_secure_strfree (normalized);
        return answer;
      }

    case INTAKE_QUESTION_TYPE_NUMBER:
      {
        gint64 value;

        return entry_get_integer (self->entry, &value) ? intake_answer_new_integer (value) : NULL;
      }

    case INTAKE_QUESTION_TYPE_DATE:
      {
        gint64 day = 0, month = 0, year = 0;
        gboolean any = FALSE;
        IntakeAnswer *answer;
        char date[32];

        gboolean has_day, has_month;

        has_day = entry_get_integer (self->day, &day);
        has_month = entry_get_integer (self->month, &month);
        any |= has_day;
        any |= has_month;
        any |= entry_get_integer (self->year, &year);
        if (!any)
          return NULL;

        /* Partly filled or impossible dates are returned as they are, so
         * that validation can ask the resident to check the date. Where a
         * day or month may be unknown (00), an empty field is not "unknown":
         * it stays a date to check, not a BRP date given by accident. */
        {
          char day_text[8], month_text[8];

          if (has_day)
            g_snprintf (day_text, sizeof day_text, "%02d", (int) CLAMP (day, 0, 99));
          else
            g_strlcpy (day_text, q->allow_unknown ? "??" : "00", sizeof day_text);
          if (has_month)
            g_snprintf (month_text, sizeof month_text, "%02d", (int) CLAMP (month, 0, 99));
          else
            g_strlcpy (month_text, q->allow_unknown ? "??" : "00", sizeof month_text);
          g_snprintf (date, sizeof date, "%04d-%s-%s", (int) CLAMP (year, 0, 9999), month_text, day_text);
          intake_secure_wipe (day_text, sizeof day_text);
          intake_secure_wipe (month_text, sizeof month_text);
        }
        answer = intake_answer_new_date (date);
        intake_secure_wipe (date, sizeof date);
        return answer;
      }

    default:
      g_assert_not_reached ();
    }

  return NULL;
}

void
intake_question_view_set_message (IntakeQuestionView *self,
                                  const char         *message)
{
  gboolean visible;

  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));

  visible = message != NULL && *message != '\0';
  gtk_label_set_text (GTK_LABEL (self->message_label), visible ? message : "");
  gtk_widget_set_visible (self->message_box, visible);

  if (visible)
    set_label (self->message_box, message);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->message_box), GTK_ACCESSIBLE_PROPERTY_LABEL);
  update_relations (self);
}

const char *
intake_question_view_get_message (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  if (!gtk_widget_get_visible (self->message_box))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->message_label));
}

void
intake_question_view_focus_message (IntakeQuestionView *self)
{
  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));

  if (gtk_widget_get_visible (self->message_box))
    gtk_widget_grab_focus (self->message_box);
  else
    intake_question_view_focus_answer (self);
}

void
intake_question_view_focus_answer (IntakeQuestionView *self)
{
  GtkWidget *target = NULL;

  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));

  if (self->question == NULL)
    return;

  if (self->question->rather_not_say && toggle_get_active (self->decline))
    target = self->decline;
  if (target == NULL && self->none_card != NULL && toggle_get_active (self->none_card))
    target = self->none_card;

  for (guint i = 0; target == NULL && i < self->toggles->len; i++)
    if (toggle_get_active (g_ptr_array_index (self->toggles, i)))
      target = g_ptr_array_index (self->toggles, i);

  if (target == NULL && self->question->type == INTAKE_QUESTION_TYPE_LADDER)
    target = g_ptr_array_index (self->toggles, INTAKE_LADDER_RUNGS - 1);  /* the top rung */
  if (target == NULL && self->toggles->len > 0)
    target = g_ptr_array_index (self->toggles, 0);
  if (target == NULL && self->entries->len > 0)
    target = g_ptr_array_index (self->entries, 0);
  if (target == NULL)
    return;

  if (GTK_IS_ENTRY (target))
    gtk_entry_grab_focus_without_selecting (GTK_ENTRY (target));
  else
    gtk_widget_grab_focus (target);
}

void
intake_question_view_clear (IntakeQuestionView *self)
{
  g_return_if_fail (INTAKE_IS_QUESTION_VIEW (self));

  clear_inputs (self);

  self->updating++;
  if (self->decline != NULL)
    toggle_set_active (self->decline, FALSE);
  self->updating--;

  intake_question_view_set_message (self, NULL);
}

GtkWidget *
intake_question_view_get_heading (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->heading;
}

GtkWidget *
intake_question_view_get_keyboard (IntakeQuestionView *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTION_VIEW (self), NULL);

  return self->keyboard;
}

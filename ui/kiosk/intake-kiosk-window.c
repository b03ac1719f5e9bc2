/* intake-kiosk-window.c: screens, navigation, idle and reset of the resident kiosk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Privacy rules kept here: the session lives only in this object; logs name
 * question codes, never answers; every path back to the welcome screen goes
 * through intake_kiosk_window_reset(), which wipes the session and every
 * widget that showed something of it.
 */
#include "config.h"

#include <string.h>


#include "intake-kiosk-fonts.h"
#include "intake-kiosk-qr.h"
#include "intake-kiosk-receipt.h"
#include "intake-kiosk-ui-resources.h"
#include "intake-kiosk-ui-enums.h"
#include "intake-kiosk-window-private.h"
#include "intake-secure.h"

G_DEFINE_FINAL_TYPE (IntakeKioskWindow, intake_kiosk_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_KIOSK,
  PROP_CATALOG,
  PROP_IDLE_TIMEOUT,
  PROP_IDLE_COUNTDOWN,
  PROP_THANKS_TIMEOUT,
  PROP_LANGUAGES,
  PROP_DEFAULT_TEXT_SIZE,
  PROP_DEFAULT_HIGH_CONTRAST,
  PROP_TEXT_SIZE,
  PROP_HIGH_CONTRAST,
  PROP_LOCATION_NAME,
  PROP_SYNC,
  PROP_READING_ALOUD,
  PROP_PRIVATE_LISTENING,
  PROP_HELP_HOLD,
  PROP_RECEIPT_PRINTER,
  PROP_RECEIPT_EXPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Every screen name, so that "where to return to" can be a static string. */
static const char *const screens[] = {
  "welcome", "explanation", "question", "review", "thanks", "idle", "help",
  "storage-error", "confirm-stop", "staff-pin", "staff", NULL
};

static const char *
canonical_screen (const char *name)
{
  for (guint i = 0; name != NULL && screens[i] != NULL; i++)
    if (g_str_equal (screens[i], name))
      return screens[i];
  return "welcome";
}

/* ---- Strings ---------------------------------------------------------- */

static const char *
office_language (IntakeKioskWindow *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);

  for (guint i = 0; self->languages != NULL && self->languages[i] != NULL; i++)
    if (intake_questionnaire_lookup_language (questionnaire, self->languages[i]) != NULL)
      return self->languages[i];
  return intake_questionnaire_get_source_language (questionnaire);
}

const char *
intake_kiosk_window_tr (IntakeKioskWindow *self,
                        const char        *msgid)
{
  return intake_catalog_lookup (self->catalog,
                                self->language != NULL ? self->language : office_language (self),
                                msgid);
}

const char *
intake_kiosk_window_get_staff_language (IntakeKioskWindow *self)
{
  return office_language (self);
}

#define TR(msgid) intake_kiosk_window_tr (self, msgid)
/* A msgid looked up later with TR (xgettext's glib preset knows N_). */
#define N_(msgid) (msgid)

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
}

/* The explanation's points: one line of the introduction each, with a
 * bullet, so that each promise can be read (and found) on its own. */
static void
fill_points (IntakeKioskWindow *self,
             const char        *introduction)
{
  g_auto(GStrv) lines = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->explanation_points))) != NULL)
    gtk_box_remove (self->explanation_points, child);
  if (introduction == NULL)
    return;
  lines = g_strsplit (introduction, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 14);
      GtkWidget *bullet = gtk_label_new ("•");
      GtkWidget *label = gtk_label_new (lines[i]);

      gtk_widget_set_valign (bullet, GTK_ALIGN_START);
      gtk_widget_add_css_class (bullet, "kiosk-point-bullet");
      gtk_accessible_update_property (GTK_ACCESSIBLE (bullet), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "kiosk-body");
      gtk_widget_add_css_class (label, "kiosk-point");
      gtk_box_append (GTK_BOX (row), bullet);
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (self->explanation_points, row);
    }
}

/* How long an intake takes, honestly rounded up to 5 minutes: 20 seconds
 * for each question every resident is asked (reading at B1, a choice,
 * Next), measured at the counter with the first residents; branches a
 * resident opens add to it. */
gint64
intake_kiosk_window_estimate_minutes (IntakeKioskWindow *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  guint n = 0;

  for (guint i = 0; i < intake_questionnaire_get_n_questions (questionnaire); i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);

      if (q->visible_if == NULL && intake_questionnaire_get_section (questionnaire, q->section)->visible_if == NULL)
        n++;
    }
  return MAX (5, (n * 20 + 5 * 60 - 1) / (5 * 60) * 5);
}

static void
set_cue_words (GtkWidget  *cue,
               const char *words)
{
  intake_kiosk_set_scroll_cue_text (cue, words);
}

/* The text size tool shows its state: three letters A from small to
 * large, the one in use marked, above the word. */
static void
update_text_size_button (IntakeKioskWindow *self)
{
  GtkWidget *box = gtk_button_get_child (self->text_size_button);
  GtkWidget *top;
  GtkWidget *steps;
  GtkWidget *word;
  gint64 numbers[2] = { self->text_size + 1, INTAKE_TEXT_SIZE_LARGER + 1 };
  g_autofree char *state = NULL;
  guint i = 0;

  if (!GTK_IS_BOX (box) || !gtk_widget_has_css_class (box, "kiosk-size-content"))
    {
      GtkWidget *image = gtk_image_new_from_icon_name ("intake-text-size-symbolic");

      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      gtk_widget_add_css_class (box, "kiosk-size-content");
      gtk_widget_add_css_class (box, "kiosk-tool-content");
      /* The tool's symbol, as on every tool, beside the sizes. */
      top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      gtk_widget_set_halign (top, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (image, "kiosk-tool-icon");
      gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_box_append (GTK_BOX (top), image);
      steps = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      gtk_widget_set_halign (steps, GTK_ALIGN_CENTER);
      /* Small to large, left to right in every language (a scale). */
      gtk_widget_set_direction (steps, GTK_TEXT_DIR_LTR);
      gtk_widget_add_css_class (steps, "kiosk-size-steps");
      for (guint k = 0; k <= INTAKE_TEXT_SIZE_LARGER; k++)
        {
          GtkWidget *a = gtk_label_new ("A");
          g_autofree char *step_class = g_strdup_printf ("kiosk-size-step-%u", k + 1);

          gtk_widget_add_css_class (a, "kiosk-size-step");
          gtk_widget_add_css_class (a, step_class);
          gtk_widget_set_valign (a, GTK_ALIGN_END);
          gtk_box_append (GTK_BOX (steps), a);
        }
      word = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (word), TRUE);
      gtk_label_set_justify (GTK_LABEL (word), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (word), 16);
      gtk_box_append (GTK_BOX (top), steps);
      gtk_box_append (GTK_BOX (box), top);
      gtk_box_append (GTK_BOX (box), word);
      gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
      gtk_button_set_child (self->text_size_button, box);
    }
  top = gtk_widget_get_first_child (box);
  steps = gtk_widget_get_last_child (top);
  word = gtk_widget_get_last_child (box);
  for (GtkWidget *a = gtk_widget_get_first_child (steps); a != NULL; a = gtk_widget_get_next_sibling (a), i++)
    if (i == (guint) self->text_size)
      gtk_widget_add_css_class (a, "kiosk-size-current");
    else
      gtk_widget_remove_css_class (a, "kiosk-size-current");
  /* Translators: Label of the buttons that change the size of the letters. */
  gtk_label_set_text (GTK_LABEL (word), TR ("Text size"));
  /* Translators: Accessible description of the text size button: which of the sizes is in use.
     The first %d is the size now (1, 2 or 3), the second the number of sizes (3). */
  state = intake_kiosk_format_numbers (TR ("Size %d of %d"), 2, numbers);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_size_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, TR ("Text size"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state,
                                  -1);
}

/* All fixed texts of the resident screens, in the current language. */
static void
retranslate (IntakeKioskWindow *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  GString *welcome = g_string_new (NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  g_autoptr(PangoAttrList) welcome_attrs = pango_attr_list_new ();

  /* A short multilingual welcome, one word per offered language. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->language_grid));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *code = g_object_get_data (G_OBJECT (child), "language");
      /* Translators: Large title on the first screen. Shown in every language at once. */
      const char *word = intake_catalog_lookup (self->catalog, code, "Welcome");

      if (g_ptr_array_find_with_equal_func (seen, word, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, (gpointer) word);
      if (welcome->len > 0)
        g_string_append (welcome, "  ·  ");
      /* First-strong isolates keep each word in its own direction;
       * no-break spaces keep each greeting on one line; each greeting is
       * shaped in its own language. */
      {
        g_auto(GStrv) parts = g_strsplit (word, " ", -1);
        g_autofree char *joined = g_strjoinv ("\u00a0", parts);
        PangoAttribute *attr = pango_attr_language_new (pango_language_from_string (code));

        attr->start_index = welcome->len;
        g_string_append_printf (welcome, "\u2068%s\u2069", joined);
        attr->end_index = welcome->len;
        pango_attr_list_insert (welcome_attrs, attr);
      }
    }
  set_label (self->welcome_title, welcome->str);
  gtk_label_set_attributes (self->welcome_title, welcome_attrs);
  g_string_free (welcome, TRUE);
  /* Translators: Instruction under the language list. "Touch" means tapping the touch screen. */
  set_label (self->welcome_choose, TR ("Touch your language to start"));

  /* Each tool is a symbol above its word, so that it can be found before a
   * language is chosen and by residents who read little. */
  update_text_size_button (self);
  /* Translators: Over the bottom of a long list of answers or text: there is more below. */
  set_cue_words (self->question_more, TR ("More below"));
  set_cue_words (self->explanation_more, TR ("More below"));
  set_cue_words (self->thanks_more, TR ("More below"));
  intake_kiosk_set_tool_button (GTK_BUTTON (self->contrast_button), "intake-contrast-symbolic",
                                /* Translators: Switch for a black-and-white display that is easier to read. */
                                TR ("High contrast"));
  intake_kiosk_set_tool_button (self->help_button, "intake-help-symbolic",
                                /* Translators: Button on the help screen and in the header. Said by the resident;
                                   an interpreter translates spoken words between the resident and staff. */
                                TR ("I would like help or an interpreter"));
  intake_kiosk_set_tool_button (self->stop_button, "intake-stop-symbolic",
                                /* Translators: Button on every screen. It ends the session and deletes everything the resident typed. */
                                TR ("Stop and clear my answers"));
  intake_kiosk_set_tool_button (GTK_BUTTON (self->read_aloud_button), "intake-read-aloud-symbolic",
                                /* Translators: Button that stops the computer reading aloud. */
                                self->reading_aloud ? TR ("Stop reading aloud")
                                /* Translators: Button that lets the computer read the question aloud (speech). */
                                                    : TR ("Read aloud"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  /* Translators: Accessible name of the progress bar. */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, TR ("Progress"),
                                  -1);

  if (self->language != NULL)
    {
      gint64 minutes = intake_kiosk_window_estimate_minutes (self);
      g_autofree char *time = NULL;

      set_label (self->explanation_title,
                 intake_questionnaire_get_title (questionnaire, self->language));
      /* Translators: On the explanation screen: how long answering takes. %d is always 5 or more. */
      time = intake_kiosk_format_numbers (TR ("This takes about %d minutes."), 1, &minutes);
      set_label (self->explanation_time, time);
      fill_points (self, intake_questionnaire_get_introduction (questionnaire, self->language));
    }
  else
    {
      set_label (self->explanation_title, "");
      set_label (self->explanation_time, "");
      fill_points (self, NULL);
    }
  /* Translators: Heading of the screen that explains why the office asks these questions. */
  set_label (self->explanation_heading, TR ("Why we ask these questions"));
  /* Translators: Button that goes to the previous screen or question. */
  intake_kiosk_set_button_text (self->explanation_back, TR ("Back"));
  /* Translators: Button that starts the questionnaire. */
  intake_kiosk_set_button_text (self->explanation_start, TR ("Start"));

  intake_kiosk_set_button_text (self->question_back, TR ("Back"));
  /* Translators: Button under every question that may be skipped. */
  intake_kiosk_set_button_text (self->question_skip, TR ("Skip this question"));
  /* Translators: Button that goes to the next question. */
  intake_kiosk_set_button_text (self->question_next, TR ("Next"));

  intake_kiosk_review_page_set_language (self->review_page,
                                         self->language != NULL ? self->language : office_language (self));

  /* Translators: Large title on the last screen. */
  set_label (self->thanks_title, TR ("Thank you!"));
  /* Translators: On the last screen. The answers are saved and locked (encrypted). */
  set_label (self->thanks_stored, TR ("Your answers are stored safely."));
  /* Translators: Label above a short code such as "ACEF-HJKM" on the last screen. */
  set_label (self->thanks_code_caption, TR ("Your reference code"));
  /* Translators: Under the reference code on the last screen. */
  set_label (self->thanks_hint, TR ("Show this code at the counter if you have a question."));
  /* Translators: Button on the last screen that ends the session. */
  intake_kiosk_set_button_text (self->thanks_done, TR ("Done"));
  /* Translators: Button on the last screen: the kiosk says the reference code, letter by letter. */
  intake_kiosk_set_button_text (self->thanks_read_code, TR ("Read my code aloud"));
  /* Translators: Button on the last screen: a small printer gives the code on paper. */
  intake_kiosk_set_button_text (self->thanks_print, TR ("Print my code"));
  /* Translators: Button on the last screen: the screen with the code stays longer. */
  intake_kiosk_set_button_text (self->thanks_more_time, TR ("More time"));
  /* Translators: Under the square code (a QR code) on the last screen. */
  set_label (self->thanks_photo, TR ("You can take a photo of this square with your phone."));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thanks_qr),
                                  /* Translators: Accessible name of the QR code on the last screen. */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, TR ("QR code of your reference code"),
                                  -1);

  /* Translators: Title of the dialog when nobody has touched the screen for a while. */
  set_label (self->idle_title, TR ("Are you still there?"));
  /* Translators: Text in the idle dialog. */
  set_label (self->idle_touch, TR ("Touch the button to go on."));
  /* Translators: Text in the idle dialog: explains why the answers will be deleted. */
  set_label (self->idle_privacy, TR ("For your privacy, your answers will be cleared soon."));
  /* Translators: Button in the idle dialog. Said by the resident. */
  intake_kiosk_set_button_text (self->idle_still_here, TR ("I am still here"));
  /* Translators: Button in the idle dialog and elsewhere: clear everything and go to the start screen. */
  intake_kiosk_set_button_text (self->idle_start_over, TR ("Start over"));

  /* Translators: The counter is the desk in the waiting room where staff help people. */
  set_label (self->help_counter, TR ("Please go to the counter. Someone will help you."));
  /* Translators: On the help screen. An interpreter translates spoken words. */
  set_label (self->help_interpreter, TR ("You can also ask for an interpreter."));
  set_label (self->help_told, TR (intake_kiosk_window_help_status_msgid (self)));
  /* Translators: On the help screen, while the resident goes to the counter: the kiosk keeps
     the answers given so far (it does not clear them as it would after a while without input). */
  set_label (self->help_kept, TR ("We keep your answers while you get help."));
  /* Translators: Button on the help screen that returns to the current question. */
  intake_kiosk_set_button_text (self->help_back, TR ("Go back to the questions"));

  /* Translators: Shown when the kiosk cannot save the answers (e.g. disk problem). */
  set_label (self->error_title, TR ("Your answers could not be stored on this kiosk."));
  /* Translators: Under the storage error. Reassure; do not blame the resident. */
  set_label (self->error_text, TR ("This is not your fault. Please go to the counter. Someone will help you."));
  /* Translators: Button under the storage error that goes to the start screen. */
  intake_kiosk_set_button_text (self->error_back, TR ("Back to the start"));

  /* Translators: Question in a small dialog after "Stop and clear my answers". Calm, not alarming. */
  set_label (self->stop_question, TR ("Do you want to stop? Your answers will be cleared."));
  /* Translators: Button in the stop dialog: stop and delete the answers. */
  intake_kiosk_set_button_text (self->stop_yes, TR ("Yes, stop"));
  /* Translators: Button in the stop dialog: keep the answers and go on with the questions. */
  intake_kiosk_set_button_text (self->stop_no, TR ("No, go on"));

  /* Staff screens are in the office language whatever the resident chose. */
  intake_kiosk_staff_page_set_language (self->staff_page, office_language (self));
}

/* ---- Welcome: one button per language --------------------------------- */

/* A language says its own name when its button gets keyboard focus, unless
 * the window moved the focus itself (a new screen). */
static void
language_focus_enter_cb (GtkEventControllerFocus *controller,
                         IntakeKioskWindow       *self)
{
  GtkWidget *button = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  if (!self->focusing)
    intake_kiosk_window_speak_language (self, g_object_get_data (G_OBJECT (button), "language"));
}

/* A long press says the name and does not choose the language: touch
 * residents listen before they choose. */
static void
language_long_press_cb (GtkGestureLongPress *gesture,
                        double               x,
                        double               y,
                        IntakeKioskWindow   *self)
{
  GtkWidget *button = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  intake_kiosk_window_speak_language (self, g_object_get_data (G_OBJECT (button), "language"));
}

static void
rebuild_language_buttons (IntakeKioskWindow *self)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  g_autoptr(GPtrArray) offered = g_ptr_array_new ();
  GtkWidget *child;
  guint columns;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->language_grid))) != NULL)
    gtk_grid_remove (self->language_grid, child);

  if (self->languages != NULL && self->languages[0] != NULL)
    {
      for (guint i = 0; self->languages[i] != NULL; i++)
        {
          const IntakeLanguage *language =
            intake_questionnaire_lookup_language (questionnaire, self->languages[i]);

          if (language != NULL && !g_ptr_array_find (offered, language, NULL))
            g_ptr_array_add (offered, (gpointer) language);
        }
    }
  else
    {
      for (guint i = 0; i < intake_questionnaire_get_n_languages (questionnaire); i++)
        g_ptr_array_add (offered, (gpointer) intake_questionnaire_get_language (questionnaire, i));
    }

  columns = offered->len > 4 ? 2 : 1;
  for (guint i = 0; i < offered->len; i++)
    {
      const IntakeLanguage *language = g_ptr_array_index (offered, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *label = gtk_label_new (language->name);
      GtkTextDirection direction = language->rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR;

      /* Each autonym is shown in its own direction and language, whatever
       * the kiosk's. */
      gtk_widget_set_direction (label, direction);
      gtk_widget_add_css_class (label, "kiosk-own-language");
      intake_kiosk_set_label_language (GTK_LABEL (label), language->code);
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "kiosk-language");
      gtk_widget_set_hexpand (button, TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kiosk.choose-language");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", language->code);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, language->name,
                                      -1);
      g_object_set_data_full (G_OBJECT (button), "language", g_strdup (language->code), g_free);
      {
        GtkEventController *focus = gtk_event_controller_focus_new ();
        GtkGesture *long_press = gtk_gesture_long_press_new ();

        g_signal_connect_object (focus, "enter", G_CALLBACK (language_focus_enter_cb), self, 0);
        gtk_widget_add_controller (button, focus);
        /* Before the button's own click, so that a long press is not a click. */
        gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (long_press), GTK_PHASE_CAPTURE);
        g_signal_connect_object (long_press, "pressed", G_CALLBACK (language_long_press_cb), self, 0);
        gtk_widget_add_controller (button, GTK_EVENT_CONTROLLER (long_press));
      }
      gtk_grid_attach (self->language_grid, button,
                       i % columns, i / columns, 1, 1);
    }
}

/* ---- Screens ------------------------------------------------------------ */

const char *
intake_kiosk_window_get_screen (IntakeKioskWindow *self)
{
  const char *name;

  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);

  name = gtk_stack_get_visible_child_name (self->stack);
  /* One stack page holds both staff screens. */
  if (g_strcmp0 (name, "staff") == 0 && !intake_kiosk_staff_page_get_unlocked (self->staff_page))
    return "staff-pin";
  return canonical_screen (name);
}

/* Every resident screen has the tools (help, text size, contrast,
 * read-aloud) in the same place; the staff screens have none. */
static gboolean
screen_has_topbar (const char *name)
{
  return !g_str_equal (name, "staff") && !g_str_equal (name, "staff-pin");
}

/* Where "Stop and clear my answers" belongs: the screens of a session. */
static gboolean
screen_has_stop (const char *name)
{
  return g_str_equal (name, "explanation") || g_str_equal (name, "question") ||
         g_str_equal (name, "review");
}

/* Screens where a resident may walk away: the idle timer runs there. */
static gboolean
screen_wants_idle (const char *name)
{
  /* The help screen waits for the resident who went to the counter (for
   * at most help-hold, help_hold_cb()). */
  return !g_str_equal (name, "welcome") && !g_str_equal (name, "thanks") &&
         !g_str_equal (name, "idle") && !g_str_equal (name, "help");
}

static void arm_idle (IntakeKioskWindow *self);
static gboolean help_hold_cb (gpointer user_data);

static void
focus_screen (IntakeKioskWindow *self,
              const char        *name)
{
  GtkWidget *target = NULL;

  if (g_str_equal (name, "question"))
    {
      self->focusing = TRUE;
      intake_question_view_focus_answer (self->question_view);
      self->focusing = FALSE;
      return;
    }
  if (g_str_equal (name, "welcome"))
    target = gtk_widget_get_first_child (GTK_WIDGET (self->language_grid));
  else if (g_str_equal (name, "explanation"))
    target = GTK_WIDGET (self->explanation_start);
  else if (g_str_equal (name, "review"))
    target = GTK_WIDGET (self->review_page);
  else if (g_str_equal (name, "thanks"))
    target = GTK_WIDGET (self->thanks_done);
  else if (g_str_equal (name, "idle"))
    target = GTK_WIDGET (self->idle_still_here);
  else if (g_str_equal (name, "help"))
    target = GTK_WIDGET (self->help_back);
  else if (g_str_equal (name, "storage-error"))
    target = GTK_WIDGET (self->error_back);
  else if (g_str_equal (name, "confirm-stop"))
    target = GTK_WIDGET (self->stop_no);
  else if (g_str_equal (name, "staff-pin") || g_str_equal (name, "staff"))
    target = GTK_WIDGET (self->staff_page);

  if (target != NULL)
    {
      self->focusing = TRUE;
      gtk_widget_grab_focus (target);
      self->focusing = FALSE;
    }
}

void
intake_kiosk_window_show_screen (IntakeKioskWindow *self,
                                 const char        *name)
{
  GtkWidget *default_widget = NULL;

  name = canonical_screen (name);
  /* The staff screens are not read, and staff do not keep a resident's mode. */
  if (!screen_has_topbar (name))
    intake_kiosk_window_set_reading_aloud (self, FALSE);
  /* The staff page shows the PIN entry or the staff information itself. */
  intake_kiosk_stack_show_only (self->stack, g_str_equal (name, "staff-pin") ? "staff" : name);

  gtk_widget_set_visible (GTK_WIDGET (self->topbar), screen_has_topbar (name));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), g_str_equal (name, "question"));
  gtk_widget_set_visible (GTK_WIDGET (self->topbar_spacer), !g_str_equal (name, "question"));
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), self->session != NULL && screen_has_stop (name));
  intake_kiosk_window_read_aloud_update (self, name);

  if (g_str_equal (name, "question"))
    default_widget = GTK_WIDGET (self->question_next);
  else if (g_str_equal (name, "explanation"))
    default_widget = GTK_WIDGET (self->explanation_start);
  else if (g_str_equal (name, "review"))
    default_widget = intake_kiosk_review_page_get_default_widget (self->review_page);
  else if (g_str_equal (name, "staff-pin"))
    default_widget = intake_kiosk_staff_page_get_default_widget (self->staff_page);
  gtk_window_set_default_widget (GTK_WINDOW (self), default_widget);

  if (!g_str_equal (name, "idle"))
    g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (!g_str_equal (name, "thanks"))
    g_clear_handle_id (&self->thanks_source, g_source_remove);
  if (!g_str_equal (name, "help"))
    g_clear_handle_id (&self->help_hold_source, g_source_remove);
  else if (self->help_hold_source == 0)
    self->help_hold_source = g_timeout_add (self->help_hold_ms, help_hold_cb, self);

  self->last_input_us = g_get_monotonic_time ();
  arm_idle (self);

  /* Every label in the language of what it shows: the session's, the office
   * language before one is chosen and on the staff screens. */
  intake_kiosk_apply_language (GTK_WIDGET (self),
                               self->language != NULL && screen_has_topbar (name)
                               ? self->language : office_language (self));

  focus_screen (self, name);
  /* What was said belonged to the screen that was; in read-aloud mode the
   * new one is read by itself. */
  intake_kiosk_window_read_aloud_screen_shown (self);
}

/* ---- Idle: "Are you still there?" ------------------------------------- */

static gboolean idle_cb (gpointer user_data);

static void
arm_idle (IntakeKioskWindow *self)
{
  gint64 elapsed_ms;
  guint remaining_ms;

  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (!screen_wants_idle (intake_kiosk_window_get_screen (self)))
    return;

  elapsed_ms = (g_get_monotonic_time () - self->last_input_us) / 1000;
  remaining_ms = elapsed_ms >= self->idle_timeout_ms ? 0 : self->idle_timeout_ms - (guint) elapsed_ms;
  self->idle_source = g_timeout_add (MAX (remaining_ms, 1), idle_cb, self);
}

static gboolean
idle_cb (gpointer user_data)
{
  IntakeKioskWindow *self = user_data;
  gint64 elapsed_ms = (g_get_monotonic_time () - self->last_input_us) / 1000;

  self->idle_source = 0;
  /* A resident listening is there: the timer starts again when the speech
   * ends (intake_kiosk_window_speaking_changed). */
  if (intake_kiosk_window_get_speaking (self))
    return G_SOURCE_REMOVE;
  if (elapsed_ms + 1 < self->idle_timeout_ms)
    arm_idle (self);
  else
    intake_kiosk_window_show_idle_warning (self);
  return G_SOURCE_REMOVE;
}

static gboolean countdown_cb (gpointer user_data);

static void
update_countdown (IntakeKioskWindow *self)
{
  gint64 remaining_us = self->countdown_deadline_us - g_get_monotonic_time ();
  /* Rounded up: a timer that fires a little early must schedule another,
   * never stop short of the deadline and leave the session on screen. */
  gint64 remaining_ms = (remaining_us + 999) / 1000;
  gint64 seconds = MAX (0, (remaining_ms + 999) / 1000);
  /* Translators: Countdown in the idle dialog. %d is the number of seconds.
     Written as a label with a number so that no plural form is needed. */
  g_autofree char *text = intake_kiosk_format_numbers (TR ("Seconds left: %d"), 1, &seconds);

  set_label (self->idle_seconds, text);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (remaining_us > 0)
    self->countdown_source = g_timeout_add (MIN (remaining_ms, 1000), countdown_cb, self);
  else
    {
      g_debug ("Idle countdown ran out: clearing the session");
      intake_kiosk_window_reset (self);
    }
}

static gboolean
countdown_cb (gpointer user_data)
{
  IntakeKioskWindow *self = user_data;

  self->countdown_source = 0;
  update_countdown (self);
  return G_SOURCE_REMOVE;
}

void
intake_kiosk_window_show_idle_warning (IntakeKioskWindow *self)
{
  const char *current = intake_kiosk_window_get_screen (self);

  if (!g_str_equal (current, "idle"))
    self->idle_return = current;
  intake_kiosk_window_show_screen (self, "idle");
  self->countdown_deadline_us = g_get_monotonic_time () + (gint64) self->idle_countdown_ms * 1000;
  update_countdown (self);
}

/* Any key, click, touch or scroll anywhere in the window, seen before the
 * widget that handles it. */
static gboolean
input_event_cb (GtkEventControllerLegacy *controller,
                GdkEvent                 *event,
                IntakeKioskWindow        *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_KEY_PRESS:
    case GDK_BUTTON_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_SCROLL:
      self->last_input_us = g_get_monotonic_time ();
      if (self->idle_source == 0)
        arm_idle (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

/* The thank-you screen shows how long it stays ("Seconds left: N", with
 * "More time"), ticking once a second; it closes at the deadline. */
static void update_thanks_countdown (IntakeKioskWindow *self);

static gboolean
thanks_tick_cb (gpointer user_data)
{
  IntakeKioskWindow *self = user_data;

  self->thanks_source = 0;
  update_thanks_countdown (self);
  return G_SOURCE_REMOVE;
}

static void
update_thanks_countdown (IntakeKioskWindow *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 remaining_us, seconds;
  g_autofree char *text = NULL;

  g_clear_handle_id (&self->thanks_source, g_source_remove);
  /* The code may be being spelled: the screen stays while it is, and for
   * its whole time again after it. */
  if (intake_kiosk_window_get_speaking (self))
    self->thanks_deadline_us = now + (gint64) self->thanks_timeout_ms * 1000;
  remaining_us = self->thanks_deadline_us - now;
  if (remaining_us <= 0)
    {
      g_debug ("The thank-you screen's time is up");
      intake_kiosk_window_reset (self);
      return;
    }
  seconds = (remaining_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  text = intake_kiosk_format_numbers (TR ("Seconds left: %d"), 1, &seconds);
  set_label (self->thanks_countdown, text);
  /* The next whole second, or the deadline. */
  self->thanks_source = g_timeout_add (MAX (1, MIN (remaining_us / 1000, (remaining_us - (seconds - 1) * G_USEC_PER_SEC) / 1000)),
                                       thanks_tick_cb, self);
}

/* The thank-you screen's whole time, from now. */
static void
start_thanks_countdown (IntakeKioskWindow *self)
{
  self->thanks_deadline_us = g_get_monotonic_time () + (gint64) self->thanks_timeout_ms * 1000;
  update_thanks_countdown (self);
}

void
intake_kiosk_window_speaking_changed (IntakeKioskWindow *self)
{
  const char *screen = intake_kiosk_window_get_screen (self);

  if (intake_kiosk_window_get_speaking (self))
    return;
  /* Listening counts as input: the timers start from the end of speech. */
  self->last_input_us = g_get_monotonic_time ();
  if (g_str_equal (screen, "thanks"))
    start_thanks_countdown (self);
  else
    arm_idle (self);
}

/* ---- Text size, contrast, direction ---------------------------------- */

/* The text at 1, 1.5 and 2 times its normal size (20, 30 and 40 px). */
static double
text_factor (IntakeTextSize size)
{
  return size == INTAKE_TEXT_SIZE_LARGER ? 2.0 : size == INTAKE_TEXT_SIZE_LARGE ? 1.5 : 1.0;
}

static void
collect_clamps (GtkWidget  *widget,
                GHashTable *clamps)
{
  if (ADW_IS_CLAMP (widget))
    g_hash_table_insert (clamps, widget, GINT_TO_POINTER (adw_clamp_get_maximum_size (ADW_CLAMP (widget))));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_clamps (child, clamps);
}

static void
apply_text_size (IntakeKioskWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GHashTableIter iter;
  gpointer clamp, base;

  gtk_widget_remove_css_class (widget, "text-large");
  gtk_widget_remove_css_class (widget, "text-larger");
  if (self->text_size == INTAKE_TEXT_SIZE_LARGE)
    gtk_widget_add_css_class (widget, "text-large");
  else if (self->text_size == INTAKE_TEXT_SIZE_LARGER)
    gtk_widget_add_css_class (widget, "text-larger");

  /* The column widens with the text, so that a line holds as many words
   * at 2 times as at normal size (up to the screen's width). */
  g_hash_table_iter_init (&iter, self->clamps);
  while (g_hash_table_iter_next (&iter, &clamp, &base))
    {
      int width = (int) (GPOINTER_TO_INT (base) * text_factor (self->text_size));

      adw_clamp_set_maximum_size (ADW_CLAMP (clamp), width);
    }
  update_text_size_button (self);
}

static void
set_text_size (IntakeKioskWindow *self,
               IntakeTextSize     size)
{
  size = MIN (size, INTAKE_TEXT_SIZE_LARGER);
  if (self->text_size == size)
    return;
  self->text_size = size;
  apply_text_size (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SIZE]);
}

static void
set_high_contrast (IntakeKioskWindow *self,
                   gboolean           high_contrast)
{
  high_contrast = !!high_contrast;
  if (self->high_contrast == high_contrast)
    return;
  self->high_contrast = high_contrast;
  if (high_contrast)
    gtk_widget_add_css_class (GTK_WIDGET (self), "high-contrast");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "high-contrast");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGH_CONTRAST]);
}

static void
set_direction (IntakeKioskWindow *self,
               GtkTextDirection   direction)
{
  gtk_widget_set_default_direction (direction);
  gtk_widget_set_direction (GTK_WIDGET (self), direction);
}

/* ---- Questions ---------------------------------------------------------- */

static void
update_progress (IntakeKioskWindow *self)
{
  gint64 numbers[2];
  g_autofree char *text = NULL;

  IntakeSessionProgress progress;
  gint64 parts[2];
  g_autofree char *question = NULL;
  g_autofree char *part = NULL;

  /* A total that only grows when the resident opens a branch (never
   * shrinking as they go on), and the part of the questionnaire. */
  intake_session_get_progress (self->session, &progress);
  numbers[0] = progress.position;
  numbers[1] = progress.total;
  parts[0] = progress.section;
  parts[1] = progress.n_sections;
  /* Translators: Progress text above each question. The first %d is the current question,
     the second %d the number of questions. Keep both, in this order. */
  question = intake_kiosk_format_numbers (TR ("Question %d of %d"), 2, numbers);
  /* Translators: Progress above each question: the questions come in parts (sections). The first
     %d is the current part, the second the number of parts, e.g. "Part 3 of 9". */
  part = intake_kiosk_format_numbers (TR ("Part %d of %d"), 2, parts);
  text = g_strdup_printf ("%s · %s", part, question);
  set_label (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 numbers[1] > 0 ? (double) numbers[0] / (double) numbers[1] : 0.0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);
}

void
intake_kiosk_window_show_question_now (IntakeKioskWindow *self)
{
  const IntakeQuestion *question;
  GtkAdjustment *adjustment;

  g_assert (self->session != NULL);
  question = intake_session_get_current (self->session);
  g_assert (question != NULL);

  g_debug ("Showing question %s", question->code);
  g_hash_table_add (self->seen, g_strdup (question->code));
  intake_question_view_show_question (self->question_view, self->session, question);
  intake_question_view_set_message (self->question_view, NULL);
  update_progress (self);
  gtk_widget_set_visible (GTK_WIDGET (self->question_skip), !question->required);

  adjustment = gtk_scrolled_window_get_vadjustment (self->question_scroller);
  gtk_adjustment_set_value (adjustment, 0);

  intake_kiosk_window_show_screen (self, "question");
}

static char *
message_for_error (IntakeKioskWindow    *self,
                   const IntakeQuestion *question,
                   const GError         *error)
{
  gint64 numbers[2];

  if (error->domain != INTAKE_SESSION_ERROR)
    {
      /* Translators: Shown when "Next" is touched without an answer on a question that is needed. */
      return g_strdup (TR ("Please choose an answer."));
    }

  switch ((IntakeSessionError) error->code)
    {
    case INTAKE_SESSION_ERROR_OUT_OF_RANGE:
      numbers[0] = question->min;
      numbers[1] = question->max;
      /* Translators: Hint for a number question. The first %d is the lowest allowed number,
         the second %d the highest. Keep both, in this order. */
      return intake_kiosk_format_numbers (TR ("Please give a number from %d to %d."), 2, numbers);
    case INTAKE_SESSION_ERROR_INVALID_DATE:
    case INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE:
      /* Translators: Hint when a date does not exist, e.g. 31 February. */
      return g_strdup (TR ("Please check the date."));
    case INTAKE_SESSION_ERROR_INVALID_EMAIL:
      /* Translators: Hint when an e-mail address looks wrong. */
      return g_strdup (TR ("Please check the e-mail address."));
    case INTAKE_SESSION_ERROR_INVALID_PHONE:
      /* Translators: Hint when a phone number looks wrong. */
      return g_strdup (TR ("Please check the phone number."));
    case INTAKE_SESSION_ERROR_INVALID_DIGITS:
      /* Translators: Hint when letters were typed where only digits are allowed. */
      return g_strdup (TR ("Please use numbers only."));
    case INTAKE_SESSION_ERROR_TOO_MANY_SELECTED:
      numbers[0] = question->max_selected;
      /* Translators: Hint when too many answers are chosen. %d is always 2 or more. */
      return intake_kiosk_format_numbers (TR ("Please choose at most %d answers."), 1, numbers);
    case INTAKE_SESSION_ERROR_TOO_FEW_SELECTED:
      numbers[0] = question->min_selected;
      /* Translators: Hint when too few answers are chosen. %d is always 2 or more. */
      return intake_kiosk_format_numbers (TR ("Please choose at least %d answers."), 1, numbers);
    case INTAKE_SESSION_ERROR_TOO_LONG:
      /* Translators: Hint when typed text is longer than allowed. */
      return g_strdup (TR ("This answer is a bit too long."));
    case INTAKE_SESSION_ERROR_EMPTY:
      if (!question->required)
        {
          /* Translators: Shown when "Next" is touched without an answer on a question that may be skipped. */
          return g_strdup (TR ("Please choose an answer, or skip this question."));
        }
      return g_strdup (TR ("Please choose an answer."));
    case INTAKE_SESSION_ERROR_INVALID_TEXT:
      /* Translators: Hint when typed text contains invisible or special control characters
         (e.g. from pasting). Calm; the resident may retype the answer with ordinary letters
         and numbers. Do not mention "characters" or technical words. */
      return g_strdup (TR ("Please use letters and numbers only."));
    case INTAKE_SESSION_ERROR_EXCLUSIVE_COMBINED:
      /* Translators: Hint when the resident chose an answer that cannot be combined with
         other answers (e.g. "None of these" or "I would rather not say") together with
         other answers. "This answer" is that single answer. Calm; say what to do. */
      return g_strdup (TR ("Choose either this answer or the others, not both."));
    case INTAKE_SESSION_ERROR_REQUIRED:
      /* Translators: Shown when the resident tries to skip their name or date of birth.
         "Your file" is the resident's record at the social service. */
      return g_strdup (TR ("This question is needed to find your file. You may also ask for help at the counter."));
    case INTAKE_SESSION_ERROR_UNKNOWN_QUESTION:
    case INTAKE_SESSION_ERROR_NOT_VISIBLE:
    case INTAKE_SESSION_ERROR_WRONG_TYPE:
    case INTAKE_SESSION_ERROR_UNKNOWN_OPTION:
    case INTAKE_SESSION_ERROR_DUPLICATE_OPTION:
    case INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED:
    case INTAKE_SESSION_ERROR_INCOMPLETE:
    default:
      return g_strdup (TR ("Please choose an answer."));
    }
}

/* A question hidden by a changed answer lost its answer: if it shows up
 * again it has to be asked again. */
static void
prune_seen (IntakeKioskWindow *self)
{
  GHashTableIter iter;
  const char *code;

  g_hash_table_iter_init (&iter, self->seen);
  while (g_hash_table_iter_next (&iter, (gpointer *) &code, NULL))
    if (!intake_session_is_visible (self->session, code))
      g_hash_table_iter_remove (&iter);
}

/* After an answer or a skip: the next question, or the review. After
 * "Change" on the review, only questions never shown before are asked. */
static void
advance (IntakeKioskWindow *self)
{
  while (intake_session_go_next (self->session))
    {
      const IntakeQuestion *question = intake_session_get_current (self->session);

      if (!self->return_to_review || !g_hash_table_contains (self->seen, question->code))
        {
          intake_kiosk_window_show_question_now (self);
          return;
        }
    }
  intake_kiosk_window_show_review (self);
}

static void
next_question (IntakeKioskWindow *self)
{
  IntakeQuestionView *view = self->question_view;
  const IntakeQuestion *question = intake_session_get_current (self->session);
  g_autoptr(GError) error = NULL;
  IntakeAnswer *answer;

  if (question == NULL)
    return;

  answer = intake_question_view_dup_answer (view);
  if (answer == NULL)
    {
      if (question->required)
        {
          intake_question_view_set_message (view, TR ("Please choose an answer."));
          intake_question_view_focus_message (view);
          intake_kiosk_window_read_aloud_message (self, TR ("Please choose an answer."));
          return;
        }
      if (!intake_session_skip (self->session, question->code, &error))
        {
          g_debug ("Question %s could not be skipped: %s", question->code, error->message);
          return;
        }
      g_debug ("Question %s skipped", question->code);
    }
  else if (!intake_session_set_answer (self->session, question->code, answer, &error))
    {
      g_autofree char *message = message_for_error (self, question, error);

      /* The error message may quote the answer: log only its code. */
      g_debug ("Answer to %s not accepted (error %d)", question->code, error->code);
      intake_question_view_set_message (view, message);
      intake_question_view_focus_message (view);
      intake_kiosk_window_read_aloud_message (self, message);
      return;
    }
  prune_seen (self);
  advance (self);
}

/* ---- Review ------------------------------------------------------------ */

void
intake_kiosk_window_show_review (IntakeKioskWindow *self)
{
  g_assert (self->session != NULL);
  intake_kiosk_review_page_show_session (self->review_page, self->session);
  self->return_to_review = FALSE;
  intake_kiosk_window_show_screen (self, "review");
}

/* ---- Reset ------------------------------------------------------------- */

static void
clear_clipboards (IntakeKioskWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));

  gdk_clipboard_set_text (gdk_display_get_clipboard (display), "");
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "");
}

/* Wipes the session and everything shown of it, but leaves the screen. */
static void
wipe_session (IntakeKioskWindow *self)
{
  if (self->session != NULL)
    {
      intake_session_wipe (self->session);
      g_clear_object (&self->session);
    }
  intake_question_view_clear (self->question_view);
  intake_kiosk_review_page_clear (self->review_page);
  g_hash_table_remove_all (self->seen);
  self->return_to_review = FALSE;
  set_label (self->progress_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->progress_bar),
                                 GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);
  clear_clipboards (self);
}

void
intake_kiosk_window_reset (IntakeKioskWindow *self)
{
  g_return_if_fail (INTAKE_IS_KIOSK_WINDOW (self));

  g_debug ("Resetting the kiosk for the next resident");
  intake_kiosk_window_set_reading_aloud (self, FALSE);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->thanks_source, g_source_remove);
  g_clear_handle_id (&self->help_hold_source, g_source_remove);
  /* The next resident's help is a request of their own; the one in flight
   * still reaches the office (the engine's passes send what is left). */
  g_cancellable_cancel (self->help_cancellable);
  g_clear_object (&self->help_cancellable);
  self->help_id = 0;
  self->help_state = INTAKE_HELP_NONE;

  wipe_session (self);

  g_clear_pointer (&self->reference, intake_secure_strfree);
  set_label (self->thanks_code, "");
  gtk_picture_set_paintable (self->thanks_qr, NULL);
  set_label (self->thanks_countdown, "");
  /* The next resident's screen shows nothing of this print. */
  g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->print_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->thanks_print), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->thanks_print_status), FALSE);
  set_label (self->thanks_print_status, "");
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->thanks_code), GTK_ACCESSIBLE_PROPERTY_LABEL);
  set_label (self->idle_seconds, "");
  intake_kiosk_staff_page_clear (self->staff_page);

  self->help_return = NULL;
  self->idle_return = NULL;
  self->pin_return = NULL;
  self->stop_return = NULL;

  g_clear_pointer (&self->language, g_free);
  set_text_size (self, self->default_text_size);
  set_high_contrast (self, self->default_high_contrast);
  set_direction (self, GTK_TEXT_DIR_LTR);
  retranslate (self);

  intake_kiosk_window_show_screen (self, "welcome");
}

/* ---- Submitting --------------------------------------------------------- */

void
intake_kiosk_window_show_storage_error (IntakeKioskWindow *self)
{
  /* Nothing of the answers stays: the outbox kept nothing, the screen
   * keeps nothing. The language stays for the texts of this screen. */
  wipe_session (self);
  intake_kiosk_window_show_screen (self, "storage-error");
}

/* ---- Thanks: a code that stays ---------------------------------------- */

static void note_action (IntakeKioskWindow *self);

/* What the thank-you screen offers to keep the code: reading it aloud
 * (when the kiosk can speak), printing it (when a receipt printer is set). */
static void
update_thanks_tools (IntakeKioskWindow *self)
{
  gboolean can_print = (self->receipt_printer != NULL && *self->receipt_printer != '\0') ||
                       self->receipt_export != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->thanks_read_code), intake_kiosk_window_can_speak_code (self));
  gtk_widget_set_visible (GTK_WIDGET (self->thanks_print), can_print);
  gtk_widget_set_visible (GTK_WIDGET (self->thanks_keep),
                          gtk_widget_get_visible (GTK_WIDGET (self->thanks_read_code)) || can_print);
}

static void
set_print_status (IntakeKioskWindow *self,
                  const char        *msgid)
{
  gtk_widget_set_visible (GTK_WIDGET (self->thanks_print_status), msgid != NULL);
  set_label (self->thanks_print_status, msgid != NULL ? TR (msgid) : "");
  if (msgid != NULL)
    intake_kiosk_window_read_aloud_message (self, TR (msgid));
}

static void
printed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(IntakeKioskWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!intake_kiosk_receipt_print_finish (result, &error))
    {
      /* Reset (the next resident) or the window went: say nothing. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("The receipt was not printed: %s", error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->thanks_print), TRUE);
      /* Translators: On the last screen when the receipt printer fails. Calm; say what to do instead. */
      set_print_status (self, N_ ("The printer does not work now. Please write the code down or take a photo of it."));
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->thanks_print), TRUE);
  /* Translators: On the last screen after the code was printed. */
  set_print_status (self, N_ ("Your code is printed. Please take the paper."));
}

static void
print_code_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%d-%m-%Y %H:%M");
  IntakeKioskReceipt receipt = { 0 };

  note_action (self);
  if (!g_str_equal (intake_kiosk_window_get_screen (self), "thanks") || self->reference == NULL ||
      !gtk_widget_get_visible (GTK_WIDGET (self->thanks_print)) ||
      !gtk_widget_get_sensitive (GTK_WIDGET (self->thanks_print)))
    return;
  /* Printing takes a while: the screen stays its whole time from now. */
  start_thanks_countdown (self);
  receipt.language = self->language != NULL ? self->language : office_language (self);
  receipt.caption = TR ("Your reference code");
  receipt.reference = self->reference;
  receipt.hint = TR ("Show this code at the counter if you have a question.");
  receipt.when = when;
  gtk_widget_set_sensitive (GTK_WIDGET (self->thanks_print), FALSE);
  /* Translators: On the last screen while the receipt printer prints the code. */
  set_print_status (self, N_ ("Printing your code…"));
  g_clear_object (&self->print_cancellable);
  self->print_cancellable = g_cancellable_new ();
  intake_kiosk_receipt_print_async (&receipt, GTK_WINDOW (self),
                                    self->receipt_export == NULL ? self->receipt_printer : NULL,
                                    self->receipt_export, self->print_cancellable, printed_cb,
                                    g_object_ref (self));
}

static void
read_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "thanks") && self->reference != NULL)
    intake_kiosk_window_read_code_aloud (self);
}

static void
more_time_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "thanks"))
    start_thanks_countdown (self);
}

static void
submit (IntakeKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *reference = NULL;
  GString *text;

  if (self->session == NULL)
    return;

  reference = intake_kiosk_submit (self->kiosk, self->session, &error);
  if (reference == NULL)
    {
      g_message ("The answers could not be stored (%s %d)",
                 g_quark_to_string (error->domain), error->code);
      intake_kiosk_window_show_storage_error (self);
      return;
    }

  wipe_session (self);
  self->reference = g_steal_pointer (&reference);

  /* Asynchronous: the engine sends in the background and never holds up
   * the thank-you screen. */
  if (self->sync != NULL)
    intake_sync_poke (self->sync);

  /* Spaced out so that it is easy to read aloud and copy by hand. */
  text = g_string_new (NULL);
  for (const char *p = self->reference; *p != '\0'; p++)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_c (text, *p == '-' ? ' ' : *p);
    }
  spaced = g_string_free (text, FALSE);
  set_label (self->thanks_code, spaced);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thanks_code),
                                  /* Translators: Accessible name of the reference code on the last screen. */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, TR ("Reference code"),
                                  -1);

  /* A QR code of the reference code alone, to photograph. */
  {
    g_autoptr(GError) qr_error = NULL;
    g_autoptr(IntakeKioskQr) qr = intake_kiosk_qr_new (self->reference, &qr_error);

    if (qr == NULL)
      g_message ("No QR code on the thank-you screen: %s", qr_error->message);
    gtk_picture_set_paintable (self->thanks_qr, GDK_PAINTABLE (qr));
    gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->thanks_qr)), qr != NULL);
  }
  update_thanks_tools (self);

  intake_kiosk_window_show_screen (self, "thanks");
  start_thanks_countdown (self);
}

/* ---- Actions ------------------------------------------------------------ */

static void
note_action (IntakeKioskWindow *self)
{
  /* Actions come from input; tests that activate them directly count too. */
  self->last_input_us = g_get_monotonic_time ();
}

static void
choose_language_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *code = g_variant_get_string (parameter, NULL);
  const IntakeLanguage *language;
  g_autoptr(GError) error = NULL;
  IntakeSession *session;

  note_action (self);
  if (!g_str_equal (intake_kiosk_window_get_screen (self), "welcome"))
    return;

  session = intake_kiosk_new_session (self->kiosk, code, &error);
  if (session == NULL)
    {
      g_message ("No session in language %s: %s", code, error->message);
      return;
    }
  wipe_session (self);
  self->session = session;
  g_free (self->language);
  self->language = g_strdup (code);

  language = intake_questionnaire_lookup_language (intake_kiosk_get_questionnaire (self->kiosk), code);
  set_direction (self, language->rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);
  retranslate (self);
  g_debug ("New session in %s", code);
  intake_kiosk_window_show_screen (self, "explanation");
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (self->session == NULL || !g_str_equal (intake_kiosk_window_get_screen (self), "explanation"))
    return;
  if (intake_session_go_first (self->session))
    intake_kiosk_window_show_question_now (self);
  else
    intake_kiosk_window_show_review (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *screen = intake_kiosk_window_get_screen (self);

  note_action (self);
  if (self->session == NULL)
    return;
  if (g_str_equal (screen, "question"))
    next_question (self);
  else if (g_str_equal (screen, "explanation"))
    gtk_widget_activate_action (widget, "kiosk.start", NULL);
}

static void resume (IntakeKioskWindow *self);
static void help_done (IntakeKioskWindow *self);

static void
review_back (IntakeKioskWindow *self)
{
  if (self->session == NULL)
    return;
  if (intake_session_go_previous (self->session))
    intake_kiosk_window_show_question_now (self);
  else
    intake_kiosk_window_show_screen (self, "explanation");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *screen = intake_kiosk_window_get_screen (self);

  note_action (self);
  if (g_str_equal (screen, "explanation"))
    intake_kiosk_window_reset (self);
  else if (g_str_equal (screen, "question") && self->session != NULL)
    {
      const IntakeQuestion *question = intake_session_get_current (self->session);
      IntakeAnswer *answer;

      /* Keep what was given here if it is valid; otherwise it is dropped. */
      answer = intake_question_view_dup_answer (self->question_view);
      if (answer != NULL && question != NULL)
        intake_session_set_answer (self->session, question->code, answer, NULL);
      else if (answer != NULL)
        intake_answer_free (answer);

      if (intake_session_go_previous (self->session))
        intake_kiosk_window_show_question_now (self);
      else
        {
          intake_question_view_clear (self->question_view);
          intake_kiosk_window_show_screen (self, "explanation");
        }
    }
  else if (g_str_equal (screen, "review"))
    review_back (self);
  else if (g_str_equal (screen, "help"))
    help_done (self);
  else if (g_str_equal (screen, "idle") || g_str_equal (screen, "confirm-stop"))
    resume (self);
  else if (g_str_equal (screen, "staff-pin"))
    gtk_widget_activate_action (widget, "kiosk.staff-cancel", NULL);
  else if (g_str_equal (screen, "staff"))
    gtk_widget_activate_action (widget, "kiosk.staff-close", NULL);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const IntakeQuestion *question;
  g_autoptr(GError) error = NULL;

  note_action (self);
  if (self->session == NULL || !g_str_equal (intake_kiosk_window_get_screen (self), "question"))
    return;
  question = intake_session_get_current (self->session);
  if (question == NULL || question->required)
    return;
  if (!intake_session_skip (self->session, question->code, &error))
    {
      g_debug ("Question %s could not be skipped: %s", question->code, error->message);
      return;
    }
  g_debug ("Question %s skipped", question->code);
  advance (self);
}

/* The review page's actions are the window's kiosk.change and kiosk.submit:
 * the keyboard, the tests and the page's buttons take the same way. */
static void
change_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "review"))
    gtk_widget_activate_action_variant (GTK_WIDGET (self->review_page), "review.change", parameter);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "review"))
    gtk_widget_activate_action (GTK_WIDGET (self->review_page), "review.submit", NULL);
}

static void
review_change_answer_cb (IntakeKioskWindow *self,
                         const char        *code)
{
  g_autoptr(GError) error = NULL;

  note_action (self);
  if (self->session == NULL || !g_str_equal (intake_kiosk_window_get_screen (self), "review"))
    return;
  if (!intake_session_go_to (self->session, code, &error))
    {
      g_debug ("Cannot change %s: %s", code, error->message);
      return;
    }
  self->return_to_review = TRUE;
  intake_kiosk_window_show_question_now (self);
}

static void
review_submit_cb (IntakeKioskWindow *self)
{
  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "review"))
    submit (self);
}

static void
review_go_back_cb (IntakeKioskWindow *self)
{
  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "review"))
    review_back (self);
}

/* ---- Help: a request that reaches staff ---------------------------------- */

const char *
intake_kiosk_window_help_status_msgid (IntakeKioskWindow *self)
{
  switch (self->help_state)
    {
    case INTAKE_HELP_SENDING:
      /* Translators: On the help screen, for a moment: the kiosk is sending the request to staff. */
      return N_ ("We are letting the staff know that you would like help.");
    case INTAKE_HELP_NOT_SENT:
      /* Translators: On the help screen when the kiosk has no connection to the office: the
         request could not reach staff. Honest and calm; say what to do. */
      return N_ ("This kiosk cannot send your request now. Please go to the counter and say that you would like help.");
    case INTAKE_HELP_SENT:
    case INTAKE_HELP_NONE:
    default:
      /* Translators: Confirmation after "I would like help or an interpreter": the office's staff
         have been told (their computers show the request). */
      return N_ ("We have told the staff that you would like help.");
    }
}

IntakeHelpState
intake_kiosk_window_get_help_state (IntakeKioskWindow *self)
{
  return self->help_state;
}

static void
set_help_state (IntakeKioskWindow *self,
                IntakeHelpState    state)
{
  if (self->help_state == state)
    return;
  self->help_state = state;
  set_label (self->help_told, TR (intake_kiosk_window_help_status_msgid (self)));
  /* Whoever listens hears what became of the request. */
  if (g_str_equal (intake_kiosk_window_get_screen (self), "help") && state != INTAKE_HELP_SENDING)
    intake_kiosk_window_read_aloud_message (self, TR (intake_kiosk_window_help_status_msgid (self)));
}

static void
help_sent_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  IntakeKioskWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!intake_sync_send_help_finish (INTAKE_SYNC (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("The help request did not reach the office at once: %s", error->message);
      set_help_state (self, INTAKE_HELP_NOT_SENT);
      return;
    }
  g_debug ("The help request reached the office");
  set_help_state (self, INTAKE_HELP_SENT);
}

/* One request per session: pressing help again shows the same request. */
static void
request_help (IntakeKioskWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->help_id != 0)
    return;
  self->help_id = intake_kiosk_request_help (self->kiosk,
                                             self->language != NULL ? self->language : office_language (self),
                                             &error);
  if (self->help_id == 0)
    {
      g_message ("The help request could not be recorded: %s", error->message);
      set_help_state (self, INTAKE_HELP_NOT_SENT);
      return;
    }
  if (self->sync == NULL)
    {
      /* This kiosk does not send: only its own staff screen shows it. */
      set_help_state (self, INTAKE_HELP_NOT_SENT);
      return;
    }
  set_help_state (self, INTAKE_HELP_SENDING);
  g_clear_object (&self->help_cancellable);
  self->help_cancellable = g_cancellable_new ();
  /* The window outlives the request: reset and dispose cancel it. */
  intake_sync_send_help_async (self->sync, self->help_cancellable, help_sent_cb, self);
}

/* A resident who went to the counter long ago and did not come back: the
 * usual idle warning, whose countdown clears the answers. */
static gboolean
help_hold_cb (gpointer user_data)
{
  IntakeKioskWindow *self = user_data;

  self->help_hold_source = 0;
  if (g_str_equal (intake_kiosk_window_get_screen (self), "help"))
    intake_kiosk_window_show_idle_warning (self);
  return G_SOURCE_REMOVE;
}

static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *screen = intake_kiosk_window_get_screen (self);

  note_action (self);
  if (g_str_equal (screen, "staff") || g_str_equal (screen, "staff-pin"))
    return;
  /* The button is in the same place on the help screen too: there it says
   * the help again. */
  if (g_str_equal (screen, "help"))
    {
      intake_kiosk_window_read_aloud_screen_shown (self);
      return;
    }
  request_help (self);
  /* From a screen that goes on by itself, back to where the resident was. */
  if (g_str_equal (screen, "idle"))
    screen = self->idle_return != NULL ? self->idle_return : "question";
  else if (g_str_equal (screen, "confirm-stop"))
    screen = self->stop_return != NULL ? self->stop_return : "question";
  self->help_return = screen;
  /* "Go back to the questions" only makes sense with questions to go back to. */
  intake_kiosk_set_button_text (self->help_back,
                                self->session != NULL ? TR ("Go back to the questions")
                                                      : TR ("Back"));
  gtk_widget_set_visible (GTK_WIDGET (self->help_kept), self->session != NULL);
  intake_kiosk_window_show_screen (self, "help");
}

static void
help_done (IntakeKioskWindow *self)
{
  const char *back = self->help_return != NULL ? self->help_return : "welcome";

  self->help_return = NULL;
  /* Without a session only the screens that need none: the reference code
   * and the storage error stay until the resident is done with them. */
  if (g_str_equal (back, "thanks") && self->reference == NULL)
    back = "welcome";
  else if (self->session == NULL && !g_str_equal (back, "welcome") &&
           !g_str_equal (back, "thanks") && !g_str_equal (back, "storage-error"))
    back = "welcome";
  intake_kiosk_window_show_screen (self, back);
  if (g_str_equal (back, "thanks"))
    start_thanks_countdown (self);
}

static void
help_done_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  if (g_str_equal (intake_kiosk_window_get_screen (self), "help"))
    help_done (self);
}

static void
text_size_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  set_text_size (self, (self->text_size + 1) % (INTAKE_TEXT_SIZE_LARGER + 1));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *screen = intake_kiosk_window_get_screen (self);

  note_action (self);
  if (self->session == NULL || g_str_equal (screen, "confirm-stop"))
    return;
  self->stop_return = screen;
  intake_kiosk_window_show_screen (self, "confirm-stop");
}

static void
resume (IntakeKioskWindow *self)
{
  const char *screen = intake_kiosk_window_get_screen (self);
  const char *back = NULL;

  if (g_str_equal (screen, "idle"))
    {
      back = self->idle_return;
      self->idle_return = NULL;
    }
  else if (g_str_equal (screen, "confirm-stop"))
    {
      back = self->stop_return;
      self->stop_return = NULL;
    }
  else
    return;

  if (back == NULL || (self->session == NULL && !g_str_equal (back, "storage-error") &&
                       !g_str_equal (back, "staff") && !g_str_equal (back, "staff-pin")))
    back = self->session != NULL ? "question" : "welcome";
  intake_kiosk_window_show_screen (self, back);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);

  note_action (self);
  resume (self);
}

static void
start_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  intake_kiosk_window_reset (INTAKE_KIOSK_WINDOW (widget));
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  intake_kiosk_window_reset (INTAKE_KIOSK_WINDOW (widget));
}

static void
question_submit_cb (IntakeKioskWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "kiosk.next", NULL);
}

static void
question_changed_cb (IntakeKioskWindow *self)
{
  self->last_input_us = g_get_monotonic_time ();
  intake_kiosk_window_read_aloud_answer (self);
}

/* ---- Staff ------------------------------------------------------------ */

void
intake_kiosk_window_show_staff (IntakeKioskWindow *self)
{
  intake_kiosk_staff_page_show_status (self->staff_page);
  intake_kiosk_window_show_screen (self, "staff");
}

static void
staff_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *screen = intake_kiosk_window_get_screen (self);

  if (g_str_equal (screen, "staff-pin") || g_str_equal (screen, "staff"))
    return;

  self->pin_return = screen;
  intake_kiosk_staff_page_ask_pin (self->staff_page);
  intake_kiosk_window_show_screen (self, "staff-pin");
}

/* kiosk.staff-open, -cancel, -close, -exit, -resolve-help, -sync-now,
 * -enroll, -find-drives, -read-receipts and -write-bundle are
 * the staff page's own actions (staff.open, ...), on the screen they
 * belong to: the keyboard, the tests and the page's buttons take the same
 * way. */
static void
staff_page_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (widget);
  const char *name;
  const char *screen;
  g_autofree char *page_action = NULL;

  g_assert (g_str_has_prefix (action_name, "kiosk.staff-"));
  name = action_name + strlen ("kiosk.staff-");
  screen = g_str_equal (name, "open") || g_str_equal (name, "cancel") ? "staff-pin" : "staff";
  page_action = g_strconcat ("staff.", name, NULL);
  if (g_str_equal (intake_kiosk_window_get_screen (self), screen))
    gtk_widget_activate_action (GTK_WIDGET (self->staff_page), page_action, NULL);
}

static void
staff_pin_accepted_cb (IntakeKioskWindow *self)
{
  /* Staff went elsewhere (the idle warning) while the PIN was checked. */
  if (!g_str_equal (intake_kiosk_window_get_screen (self), "staff-pin"))
    return;
  /* Nothing of a resident may be open behind the staff screen. */
  intake_kiosk_window_reset (self);
  intake_kiosk_window_show_staff (self);
}

static void
staff_cancel_cb (IntakeKioskWindow *self)
{
  const char *back = self->pin_return;

  self->pin_return = NULL;
  if (back == NULL || (self->session == NULL && !g_str_equal (back, "welcome")))
    back = "welcome";
  intake_kiosk_window_show_screen (self, back);
}

static void
staff_close_cb (IntakeKioskWindow *self)
{
  intake_kiosk_window_reset (self);
}

static void
staff_exit_cb (IntakeKioskWindow *self)
{
  GtkApplication *application;

  g_debug ("Staff closed the kiosk");
  intake_kiosk_window_reset (self);
  self->allow_close = TRUE;
  application = gtk_window_get_application (GTK_WINDOW (self));
  if (application != NULL)
    g_application_quit (G_APPLICATION (application));
  else
    gtk_window_close (GTK_WINDOW (self));
}

/* ---- Public API ------------------------------------------------------- */

void
intake_kiosk_window_notify_reading_aloud (IntakeKioskWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READING_ALOUD]);
}

IntakeKioskWindow *
intake_kiosk_window_new (GtkApplication *application,
                         IntakeKiosk    *kiosk,
                         IntakeCatalog  *catalog)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (INTAKE_IS_KIOSK (kiosk), NULL);

  return g_object_new (INTAKE_TYPE_KIOSK_WINDOW,
                       "application", application,
                       "kiosk", kiosk,
                       "catalog", catalog,
                       NULL);
}

IntakeKiosk *
intake_kiosk_window_get_kiosk (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);
  return self->kiosk;
}

IntakeSession *
intake_kiosk_window_get_session (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);
  return self->session;
}

GtkWidget *
intake_kiosk_window_get_question_view (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);
  return GTK_WIDGET (self->question_view);
}

void
intake_kiosk_window_set_sync (IntakeKioskWindow *self,
                              IntakeSync        *sync)
{
  g_return_if_fail (INTAKE_IS_KIOSK_WINDOW (self));
  g_return_if_fail (sync == NULL || INTAKE_IS_SYNC (sync));
  g_return_if_fail (sync == NULL || intake_sync_get_kiosk (sync) == self->kiosk);

  if (!g_set_object (&self->sync, sync))
    return;
  /* The staff page rebuilds what it shows for the new engine. */
  intake_kiosk_staff_page_set_sync (self->staff_page, sync);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

IntakeSync *
intake_kiosk_window_get_sync (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);
  return self->sync;
}

const char *
intake_kiosk_window_get_reference (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);
  return g_str_equal (intake_kiosk_window_get_screen (self), "thanks") ? self->reference : NULL;
}

IntakeCatalog *
intake_kiosk_catalog_new_default (void)
{
  IntakeCatalog *catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;

  if (!intake_catalog_load_resource_dir (catalog, INTAKE_CATALOG_KIOSK_RESOURCE_PATH, &error))
    g_debug ("No compiled-in translations, using English: %s", error->message);
  return catalog;
}

/* The top bar's symbols. AdwApplication adds the application's
 * <base>/icons itself; a window without one (tests, the tour) needs it too. */
static void
add_icon_path (GdkDisplay *display)
{
  static const char path[] = "/org/intakekiosk/Kiosk/icons";
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (display);
  g_auto(GStrv) paths = gtk_icon_theme_get_resource_path (theme);

  if (paths == NULL || !g_strv_contains ((const char * const *) paths, path))
    gtk_icon_theme_add_resource_path (theme, path);
}

/* The question view's own stylesheet; style.css is loaded by AdwApplication
 * from the application's resource base path. */
static void
load_question_view_css (GdkDisplay *display)
{
  static const char resource[] = "/org/intakekiosk/Kiosk/ui/intake-question-view.css";
  g_autoptr(GtkCssProvider) provider = NULL;

  if (g_object_get_data (G_OBJECT (display), "intake-question-view-css") != NULL)
    return;
  g_object_set_data (G_OBJECT (display), "intake-question-view-css", GINT_TO_POINTER (1));

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, resource);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* ---- GObject ----------------------------------------------------------- */

/* What GtkWindow enables again on the way (the window actions follow its
 * state), switched off for good: see intake_kiosk_window_init(). */
static void
disable_window_actions (IntakeKioskWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.close", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.minimize", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.toggle-maximized", FALSE);
}

static void
intake_kiosk_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (intake_kiosk_window_parent_class)->realize (widget);
  disable_window_actions (INTAKE_KIOSK_WINDOW (widget));
}

static gboolean
intake_kiosk_window_close_request (GtkWindow *window)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (window);

  if (self->allow_close)
    {
      GtkWindowClass *parent = GTK_WINDOW_CLASS (intake_kiosk_window_parent_class);

      return parent->close_request != NULL ? parent->close_request (window) : FALSE;
    }
  g_debug ("Refused to close the kiosk: only the staff exit closes it");
  return TRUE;
}

static void
intake_kiosk_window_constructed (GObject *object)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (object);

  G_OBJECT_CLASS (intake_kiosk_window_parent_class)->constructed (object);

  g_assert (self->kiosk != NULL);
  if (self->catalog == NULL)
    self->catalog = intake_kiosk_catalog_new_default ();

  load_question_view_css (gtk_widget_get_display (GTK_WIDGET (self)));
  add_icon_path (gtk_widget_get_display (GTK_WIDGET (self)));

  self->question_view = INTAKE_QUESTION_VIEW (intake_question_view_new (self->catalog));
  g_signal_connect_object (self->question_view, "submit",
                           G_CALLBACK (question_submit_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->question_view, "changed",
                           G_CALLBACK (question_changed_cb), self, G_CONNECT_SWAPPED);
  adw_clamp_set_child (self->question_clamp, GTK_WIDGET (self->question_view));

  intake_kiosk_review_page_set_catalog (self->review_page, self->catalog);
  intake_kiosk_staff_page_set_catalog (self->staff_page, self->catalog);
  intake_kiosk_staff_page_set_kiosk (self->staff_page, self->kiosk);

  self->question_more = intake_kiosk_add_scroll_cue (self->question_overlay, self->question_scroller);
  self->explanation_more = intake_kiosk_add_scroll_cue (self->explanation_overlay, self->explanation_scroller);
  self->thanks_more = intake_kiosk_add_scroll_cue (self->thanks_overlay, self->thanks_scroller);
  collect_clamps (GTK_WIDGET (self), self->clamps);

  intake_kiosk_window_read_aloud_init (self);
  rebuild_language_buttons (self);
  intake_kiosk_window_reset (self);
}

static void
intake_kiosk_window_dispose (GObject *object)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->thanks_source, g_source_remove);
  g_clear_handle_id (&self->help_hold_source, g_source_remove);
  g_cancellable_cancel (self->help_cancellable);
  g_clear_object (&self->help_cancellable);
  g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->print_cancellable);
  g_clear_object (&self->sync);
  intake_kiosk_window_read_aloud_dispose (self);

  if (self->session != NULL)
    {
      intake_session_wipe (self->session);
      g_clear_object (&self->session);
    }
  /* The pages wipe what they show when they go. */
  if (self->question_view != NULL)
    intake_question_view_clear (self->question_view);

  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_KIOSK_WINDOW);

  G_OBJECT_CLASS (intake_kiosk_window_parent_class)->dispose (object);
}

static void
intake_kiosk_window_finalize (GObject *object)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (object);

  g_clear_object (&self->kiosk);
  g_clear_object (&self->catalog);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->languages, g_strfreev);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->clamps, g_hash_table_unref);
  g_clear_pointer (&self->reference, intake_secure_strfree);
  g_clear_pointer (&self->receipt_printer, g_free);
  g_clear_pointer (&self->receipt_export, g_free);

  G_OBJECT_CLASS (intake_kiosk_window_parent_class)->finalize (object);
}

static void
intake_kiosk_window_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      g_value_set_object (value, self->kiosk);
      break;
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout_ms);
      break;
    case PROP_IDLE_COUNTDOWN:
      g_value_set_uint (value, self->idle_countdown_ms);
      break;
    case PROP_THANKS_TIMEOUT:
      g_value_set_uint (value, self->thanks_timeout_ms);
      break;
    case PROP_LANGUAGES:
      g_value_set_boxed (value, self->languages);
      break;
    case PROP_DEFAULT_TEXT_SIZE:
      g_value_set_enum (value, self->default_text_size);
      break;
    case PROP_DEFAULT_HIGH_CONTRAST:
      g_value_set_boolean (value, self->default_high_contrast);
      break;
    case PROP_TEXT_SIZE:
      g_value_set_enum (value, self->text_size);
      break;
    case PROP_HIGH_CONTRAST:
      g_value_set_boolean (value, self->high_contrast);
      break;
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;
    case PROP_LOCATION_NAME:
      g_value_set_string (value, intake_kiosk_staff_page_get_location_name (self->staff_page));
      break;
    case PROP_READING_ALOUD:
      g_value_set_boolean (value, self->reading_aloud);
      break;
    case PROP_PRIVATE_LISTENING:
      g_value_set_boolean (value, self->private_listening);
      break;
    case PROP_HELP_HOLD:
      g_value_set_uint (value, self->help_hold_ms);
      break;
    case PROP_RECEIPT_PRINTER:
      g_value_set_string (value, self->receipt_printer);
      break;
    case PROP_RECEIPT_EXPORT:
      g_value_set_string (value, self->receipt_export);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_timeout_ms (IntakeKioskWindow *self,
                guint             *field,
                guint              value,
                GParamSpec        *pspec)
{
  if (*field == value)
    return;
  *field = value;
  if (field == &self->idle_timeout_ms && self->idle_source != 0)
    arm_idle (self);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
intake_kiosk_window_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  IntakeKioskWindow *self = INTAKE_KIOSK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      g_set_object (&self->kiosk, g_value_get_object (value));
      break;
    case PROP_CATALOG:
      g_set_object (&self->catalog, g_value_get_object (value));
      break;
    case PROP_IDLE_TIMEOUT:
      set_timeout_ms (self, &self->idle_timeout_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_IDLE_COUNTDOWN:
      set_timeout_ms (self, &self->idle_countdown_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_THANKS_TIMEOUT:
      set_timeout_ms (self, &self->thanks_timeout_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_HELP_HOLD:
      set_timeout_ms (self, &self->help_hold_ms, g_value_get_uint (value), pspec);
      break;
    case PROP_RECEIPT_PRINTER:
    case PROP_RECEIPT_EXPORT:
      {
        char **field = prop_id == PROP_RECEIPT_PRINTER ? &self->receipt_printer : &self->receipt_export;
        const char *text = g_value_get_string (value);

        if (text != NULL && *text == '\0')
          text = NULL;
        /* g_set_str() is GLib 2.76. */
        if (g_strcmp0 (*field, text) != 0)
          {
            g_free (*field);
            *field = g_strdup (text);
            update_thanks_tools (self);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_LANGUAGES:
      {
        char **languages = g_value_get_boxed (value);

        if (self->languages != NULL && languages != NULL &&
            g_strv_equal ((const char * const *) self->languages, (const char * const *) languages))
          break;
        g_strfreev (self->languages);
        self->languages = g_strdupv (languages);
        /* Before construction ends the buttons are built in constructed(). */
        if (self->question_view != NULL)
          {
            rebuild_language_buttons (self);
            retranslate (self);
          }
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_DEFAULT_TEXT_SIZE:
      if (self->default_text_size != (IntakeTextSize) g_value_get_enum (value))
        {
          self->default_text_size = g_value_get_enum (value);
          if (self->session == NULL)
            set_text_size (self, self->default_text_size);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEFAULT_HIGH_CONTRAST:
      if (self->default_high_contrast != g_value_get_boolean (value))
        {
          self->default_high_contrast = g_value_get_boolean (value);
          if (self->session == NULL)
            set_high_contrast (self, self->default_high_contrast);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TEXT_SIZE:
      set_text_size (self, g_value_get_enum (value));
      break;
    case PROP_HIGH_CONTRAST:
      set_high_contrast (self, g_value_get_boolean (value));
      break;
    case PROP_LOCATION_NAME:
      if (g_strcmp0 (intake_kiosk_staff_page_get_location_name (self->staff_page),
                     g_value_get_string (value)) != 0)
        {
          intake_kiosk_staff_page_set_location_name (self->staff_page, g_value_get_string (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SYNC:
      intake_kiosk_window_set_sync (self, g_value_get_object (value));
      break;
    case PROP_READING_ALOUD:
      intake_kiosk_window_set_reading_aloud (self, g_value_get_boolean (value));
      break;
    case PROP_PRIVATE_LISTENING:
      if (self->private_listening != g_value_get_boolean (value))
        {
          self->private_listening = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_window_class_init (IntakeKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = intake_kiosk_window_constructed;
  object_class->dispose = intake_kiosk_window_dispose;
  object_class->finalize = intake_kiosk_window_finalize;
  object_class->get_property = intake_kiosk_window_get_property;
  object_class->set_property = intake_kiosk_window_set_property;
  window_class->close_request = intake_kiosk_window_close_request;
  widget_class->realize = intake_kiosk_window_realize;

  properties[PROP_KIOSK] =
    g_param_spec_object ("kiosk", NULL, NULL, INTAKE_TYPE_KIOSK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL, INTAKE_TYPE_CATALOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Milliseconds, so that tests can make them short; GSettings has seconds. */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, G_MAXUINT, 90 * 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDLE_COUNTDOWN] =
    g_param_spec_uint ("idle-countdown", NULL, NULL, 1, G_MAXUINT, 30 * 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THANKS_TIMEOUT] =
    g_param_spec_uint ("thanks-timeout", NULL, NULL, 1, G_MAXUINT, 60 * 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGES] =
    g_param_spec_boxed ("languages", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_TEXT_SIZE] =
    g_param_spec_enum ("default-text-size", NULL, NULL,
                       INTAKE_TYPE_TEXT_SIZE, INTAKE_TEXT_SIZE_NORMAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_HIGH_CONTRAST] =
    g_param_spec_boolean ("default-high-contrast", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT_SIZE] =
    g_param_spec_enum ("text-size", NULL, NULL,
                       INTAKE_TYPE_TEXT_SIZE, INTAKE_TEXT_SIZE_NORMAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HIGH_CONTRAST] =
    g_param_spec_boolean ("high-contrast", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCATION_NAME] =
    g_param_spec_string ("location-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Nullable: a kiosk without a sync engine keeps everything in its outbox. */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL, INTAKE_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Setting it TRUE reads the screen aloud when it can (else it stays FALSE). */
  properties[PROP_READING_ALOUD] =
    g_param_spec_boolean ("reading-aloud", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Headphones or a handset, no loudspeaker: read-aloud may say the answers
   * and the reference code (the "private-listening" setting). */
  properties[PROP_PRIVATE_LISTENING] =
    g_param_spec_boolean ("private-listening", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How long the help screen keeps a session without input (the resident
   * went to the counter), in milliseconds; then the idle warning comes. */
  properties[PROP_HELP_HOLD] =
    g_param_spec_uint ("help-hold", NULL, NULL, 1, G_MAXUINT, 30 * 60 * 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The name of the receipt printer (the "receipt-printer" setting); NULL or
   * "": none, and the thank-you screen offers no printing. */
  properties[PROP_RECEIPT_PRINTER] =
    g_param_spec_string ("receipt-printer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Tests and the tour: write the receipt as this PDF file instead of
   * printing it (GtkPrintOperation's export). */
  properties[PROP_RECEIPT_EXPORT] =
    g_param_spec_string ("receipt-export", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INTAKE_TYPE_KIOSK_REVIEW_PAGE);
  g_type_ensure (INTAKE_TYPE_KIOSK_STAFF_PAGE);

  /* One font per script, Arabic sized to the Latin x-height: before any
   * text is laid out. */
  intake_kiosk_fonts_init ();

  /* Makes sure the resource object is linked in from the static library. */
  g_resources_register (intake_kiosk_ui_get_resource ());
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/intakekiosk/Kiosk/ui/intake-kiosk-window.ui");

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, IntakeKioskWindow, name)
  BIND (topbar);
  BIND (progress_box);
  BIND (topbar_spacer);
  BIND (progress_label);
  BIND (progress_bar);
  BIND (text_size_button);
  BIND (contrast_button);
  BIND (help_button);
  BIND (stop_button);
  BIND (read_aloud_button);
  BIND (stack);
  BIND (welcome_title);
  BIND (welcome_choose);
  BIND (language_grid);
  BIND (explanation_title);
  BIND (explanation_heading);
  BIND (explanation_time);
  BIND (explanation_points);
  BIND (explanation_overlay);
  BIND (explanation_scroller);
  BIND (explanation_back);
  BIND (explanation_start);
  BIND (question_scroller);
  BIND (question_overlay);
  BIND (question_clamp);
  BIND (question_back);
  BIND (question_skip);
  BIND (question_next);
  BIND (review_page);
  BIND (thanks_title);
  BIND (thanks_stored);
  BIND (thanks_code_caption);
  BIND (thanks_code);
  BIND (thanks_hint);
  BIND (thanks_done);
  BIND (thanks_overlay);
  BIND (thanks_scroller);
  BIND (thanks_clamp);
  BIND (thanks_qr);
  BIND (thanks_photo);
  BIND (thanks_keep);
  BIND (thanks_read_code);
  BIND (thanks_print);
  BIND (thanks_print_status);
  BIND (thanks_countdown);
  BIND (thanks_more_time);
  BIND (idle_title);
  BIND (idle_touch);
  BIND (idle_privacy);
  BIND (idle_seconds);
  BIND (idle_still_here);
  BIND (idle_start_over);
  BIND (help_counter);
  BIND (help_interpreter);
  BIND (help_told);
  BIND (help_kept);
  BIND (help_back);
  BIND (error_title);
  BIND (error_text);
  BIND (error_back);
  BIND (stop_question);
  BIND (stop_yes);
  BIND (stop_no);
  BIND (staff_page);
#undef BIND

  gtk_widget_class_bind_template_callback (widget_class, review_change_answer_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_submit_cb);
  gtk_widget_class_bind_template_callback (widget_class, review_go_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, staff_pin_accepted_cb);
  gtk_widget_class_bind_template_callback (widget_class, staff_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, staff_close_cb);
  gtk_widget_class_bind_template_callback (widget_class, staff_exit_cb);

  gtk_widget_class_install_action (widget_class, "kiosk.choose-language", "s", choose_language_action);
  gtk_widget_class_install_action (widget_class, "kiosk.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "kiosk.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "kiosk.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "kiosk.skip", NULL, skip_action);
  gtk_widget_class_install_action (widget_class, "kiosk.change", "s", change_action);
  gtk_widget_class_install_action (widget_class, "kiosk.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "kiosk.help", NULL, help_action);
  gtk_widget_class_install_action (widget_class, "kiosk.help-done", NULL, help_done_action);
  gtk_widget_class_install_action (widget_class, "kiosk.text-size", NULL, text_size_action);
  gtk_widget_class_install_property_action (widget_class, "kiosk.high-contrast", "high-contrast");
  gtk_widget_class_install_action (widget_class, "kiosk.stop", NULL, stop_action);
  gtk_widget_class_install_property_action (widget_class, "kiosk.read-aloud", "reading-aloud");
  gtk_widget_class_install_action (widget_class, "kiosk.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "kiosk.start-over", NULL, start_over_action);
  gtk_widget_class_install_action (widget_class, "kiosk.done", NULL, done_action);
  gtk_widget_class_install_action (widget_class, "kiosk.read-code", NULL, read_code_action);
  gtk_widget_class_install_action (widget_class, "kiosk.print-code", NULL, print_code_action);
  gtk_widget_class_install_action (widget_class, "kiosk.more-time", NULL, more_time_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff", NULL, staff_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-open", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-cancel", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-close", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-exit", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-resolve-help", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-sync-now", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-enroll", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-find-drives", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-read-receipts", NULL, staff_page_action);
  gtk_widget_class_install_action (widget_class, "kiosk.staff-write-bundle", NULL, staff_page_action);

  /* Keyboard: Escape and Alt+Left go back, Alt+Right goes on. Enter
   * activates the default widget (Next) through GtkWindow. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "kiosk.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "kiosk.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "kiosk.next", NULL);
}

static void
intake_kiosk_window_init (IntakeKioskWindow *self)
{
  GtkEventController *controller;
  GtkShortcutController *shortcuts;

  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->clamps = g_hash_table_new (NULL, NULL);
  self->idle_timeout_ms = 90 * 1000;
  self->idle_countdown_ms = 30 * 1000;
  self->thanks_timeout_ms = 60 * 1000;
  self->help_hold_ms = 30 * 60 * 1000;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A kiosk is not closed, minimized or resized by whoever stands at it,
   * nor by an accessibility client (these are exposed as actions of the
   * frame): only the staff exit closes it (close_request). GtkWindow
   * enables window.close again from "deletable" when that changes. */
  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
  disable_window_actions (self);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Staff mode: Ctrl+Alt+S, caught before any entry sees it. */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (shortcuts), GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control><Alt>s"),
                                                          gtk_named_action_new ("kiosk.staff")));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (shortcuts));
}

/* intake-kiosk-window-read-aloud.c: audio first: read-aloud (kiosk.read-aloud) and the spoken welcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For residents who cannot read or cannot see. Read-aloud is a mode: once
 * on, the kiosk reads every new screen by itself in the session's language,
 * the calm messages when they appear, and, with private listening
 * (headphones, the "private-listening" setting), also the answer chosen,
 * the answers on the review and the reference code, slowly, character by
 * character. Without private listening no answer and no code is ever said
 * aloud: a bystander must not hear them. On the welcome screen each
 * language says its own name in its own language when its button gets
 * keyboard focus or a long press, whether read-aloud is on or not.
 *
 * Every text is said with eSpeak NG's voice for the language, or played
 * from the questionnaire's recording of it where there is one (always
 * preferred: a person's voice; the only way for Tigrinya, which has no
 * voice). Speech never holds anything up: it plays in IntakeSpeech's
 * thread, a new screen or a message cuts it off, and the idle timer waits
 * while it plays. The texts are never logged.
 */
#include "config.h"

#include <string.h>

#include "intake-answer-format.h"
#include "intake-kiosk-window-private.h"
#include "intake-secure.h"

#define TR(msgid) intake_kiosk_window_tr (self, (msgid))
#ifndef N_
#define N_(msgid) (msgid)
#endif

/* Screens read by themselves; the staff screens never are. */
static const char *const readable_screens[] = {
  "welcome", "explanation", "question", "review", "thanks", "help", "idle",
  "storage-error", "confirm-stop", NULL
};

static IntakeQuestionnaire *
questionnaire (IntakeKioskWindow *self)
{
  return intake_kiosk_get_questionnaire (self->kiosk);
}

static const char *
speech_language (IntakeKioskWindow *self)
{
  /* Before a language is chosen the screens are in the office language. */
  return self->language != NULL ? self->language : intake_kiosk_window_get_staff_language (self);
}

/* Whether @lang can be heard at all: a voice, or recordings of it. */
static gboolean
audible (IntakeKioskWindow *self,
         const char        *lang)
{
  IntakeQuestionnaire *q = questionnaire (self);
  const IntakeLanguage *language = intake_questionnaire_lookup_language (q, lang);

  if (self->speech == NULL || lang == NULL)
    return FALSE;
  return intake_speech_has_language (self->speech, lang) ||
         intake_questionnaire_count_audio (q, lang) > 0 ||
         intake_questionnaire_count_interface_audio (q, lang) > 0 ||
         (language != NULL && language->audio != NULL);
}

/* The welcome screen can be heard when one of its languages can. */
static gboolean
welcome_audible (IntakeKioskWindow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->language_grid));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (audible (self, g_object_get_data (G_OBJECT (child), "language")))
      return TRUE;
  return FALSE;
}

static gboolean
can_read_aloud (IntakeKioskWindow *self,
                const char        *screen)
{
  if (!g_strv_contains (readable_screens, screen))
    return FALSE;
  if (g_str_equal (screen, "welcome"))
    return welcome_audible (self);
  return audible (self, speech_language (self));
}

/* ---- Scripts --------------------------------------------------------------- */

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* A UI string: its recording in @lang (the questionnaire's interface_audio)
 * or the voice. */
static void
add_ui (IntakeKioskWindow  *self,
        IntakeSpeechScript *script,
        const char         *lang,
        const char         *msgid)
{
  const char *text = intake_catalog_lookup (self->catalog, lang, msgid);
  g_autoptr(GBytes) recording = intake_questionnaire_dup_interface_audio (questionnaire (self), lang, msgid);

  if (recording != NULL)
    intake_speech_script_add_recording (script, lang, text, recording);
  else
    intake_speech_script_add_text (script, lang, text);
}

/* A questionnaire text: its recording in @lang or the voice. */
static void
add_text (IntakeKioskWindow  *self,
          IntakeSpeechScript *script,
          const char         *lang,
          const IntakeText   *text)
{
  const char *words = intake_text_get (text, lang);
  g_autoptr(GBytes) recording = NULL;

  if (!has_text (words))
    return;
  recording = intake_questionnaire_dup_audio (questionnaire (self), text, lang);
  if (recording != NULL)
    intake_speech_script_add_recording (script, lang, words, recording);
  else
    intake_speech_script_add_text (script, lang, words);
}

static void
add_number (IntakeSpeechScript *script,
            const char         *lang,
            gint64              number)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, number);

  intake_speech_script_add_text (script, lang, text);
}

/* A language's name, said in the language, and a word of welcome. */
static void
add_language (IntakeKioskWindow  *self,
              IntakeSpeechScript *script,
              const char         *lang)
{
  const IntakeLanguage *language = intake_questionnaire_lookup_language (questionnaire (self), lang);
  g_autoptr(GBytes) recording = NULL;

  if (language == NULL)
    return;
  recording = intake_questionnaire_dup_language_audio (questionnaire (self), lang);
  if (recording != NULL)
    intake_speech_script_add_recording (script, lang, language->name, recording);
  else
    intake_speech_script_add_text (script, lang, language->name);
  /* Translators: Large title on the first screen. Shown in every language at once. */
  add_ui (self, script, lang, "Welcome");
  /* Translators: Instruction under the language list. "Touch" means tapping the touch screen. */
  add_ui (self, script, lang, "Touch your language to start");
}

/* The words of the answer given, as the review shows them. */
static char *
dup_answer_words (IntakeKioskWindow    *self,
                  const IntakeQuestion *question,
                  const IntakeAnswer   *answer)
{
  const char *lang = speech_language (self);
  const IntakeAnswerWords words = {
    .yes = TR ("Yes"),
    .no = TR ("No"),
    .declined = TR ("You chose not to say"),
    .not_answered = TR ("Not answered"),
  };
  g_autofree char *text = intake_answer_format (question, answer, lang, &words);

  /* Options one per line: a pause between them. */
  return g_strdelimit (g_steal_pointer (&text), "\n", ',');
}

static void
add_question (IntakeKioskWindow  *self,
              IntakeSpeechScript *script)
{
  const IntakeQuestion *question = intake_question_view_get_question (self->question_view);
  const char *lang = self->language;
  const IntakeSection *section;

  if (question == NULL || lang == NULL)
    return;

  section = intake_questionnaire_get_section (questionnaire (self), question->section);
  if (section != NULL)
    add_text (self, script, lang, section->title);
  add_text (self, script, lang, question->text);
  add_text (self, script, lang, question->help);

  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      for (guint i = 0; i < question->n_options; i++)
        add_text (self, script, lang, question->options[i].label);
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      add_ui (self, script, lang, "Yes");
      add_ui (self, script, lang, "No");
      break;
    case INTAKE_QUESTION_TYPE_SCALE:
      add_number (script, lang, question->min);
      add_text (self, script, lang, question->min_label);
      add_number (script, lang, question->max);
      add_text (self, script, lang, question->max_label);
      break;
    case INTAKE_QUESTION_TYPE_LADDER:
      for (guint i = 0; i < INTAKE_LADDER_RUNGS; i++)
        {
          add_number (script, lang, i + 1);
          add_text (self, script, lang, question->rungs[i]);
        }
      break;
    case INTAKE_QUESTION_TYPE_DATE:
      add_ui (self, script, lang, "Day");
      add_ui (self, script, lang, "Month");
      add_ui (self, script, lang, "Year");
      break;
    case INTAKE_QUESTION_TYPE_NUMBER:
      add_text (self, script, lang, question->unit);
      break;
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
    default:
      break;
    }
  if (question->rather_not_say)
    add_ui (self, script, lang, "I would rather not say");
}

/* The review: its heading; with private listening every question and the
 * answer given, as the rows show them. */
static void
add_review (IntakeKioskWindow  *self,
            IntakeSpeechScript *script)
{
  const char *lang = speech_language (self);
  g_autoptr(GPtrArray) visible = NULL;

  add_ui (self, script, lang, "Check your answers");
  add_ui (self, script, lang, "You can still change every answer.");
  if (!self->private_listening || self->session == NULL)
    return;

  visible = intake_session_list_visible (self->session);
  for (guint i = 0; i < visible->len; i++)
    {
      const IntakeQuestion *question = g_ptr_array_index (visible, i);
      g_autoptr(IntakeSecureStr) words =
        dup_answer_words (self, question, intake_session_get_answer (self->session, question->code));

      add_text (self, script, lang, question->text);
      intake_speech_script_add_text (script, lang, words);
    }
}

static void
add_thanks (IntakeKioskWindow  *self,
            IntakeSpeechScript *script)
{
  const char *lang = speech_language (self);

  add_ui (self, script, lang, "Thank you!");
  add_ui (self, script, lang, "Your answers are stored safely.");
  /* The code is the resident's only proof: with private listening it is
   * spelled slowly, twice; aloud it is never said. */
  if (self->private_listening && self->reference != NULL)
    {
      add_ui (self, script, lang, "Your reference code");
      /* Latin letters and digits: where the language has no voice (Tigrinya)
       * they are spelled in English rather than not at all. */
      intake_speech_script_add_spelled (script,
                                        intake_speech_has_language (self->speech, lang) ? lang : "en",
                                        self->reference);
    }
  add_ui (self, script, lang, "Show this code at the counter if you have a question.");
}

static IntakeSpeechScript *
screen_script (IntakeKioskWindow *self,
               const char        *screen)
{
  IntakeSpeechScript *script = intake_speech_script_new ();
  const char *lang = speech_language (self);

  if (g_str_equal (screen, "welcome"))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->language_grid));
           child != NULL; child = gtk_widget_get_next_sibling (child))
        add_language (self, script, g_object_get_data (G_OBJECT (child), "language"));
    }
  else if (g_str_equal (screen, "explanation") && self->language != NULL)
    {
      add_text (self, script, lang, intake_questionnaire_get_title_text (questionnaire (self)));
      /* How long it takes: a sentence with a number (no recording; silent
       * where the language has no voice). */
      if (intake_speech_has_language (self->speech, lang))
        intake_speech_script_add_text (script, lang, gtk_label_get_text (self->explanation_time));
      add_ui (self, script, lang, "Why we ask these questions");
      add_text (self, script, lang, intake_questionnaire_get_introduction_text (questionnaire (self)));
    }
  else if (g_str_equal (screen, "question"))
    add_question (self, script);
  else if (g_str_equal (screen, "review"))
    add_review (self, script);
  else if (g_str_equal (screen, "thanks"))
    add_thanks (self, script);
  else if (g_str_equal (screen, "help"))
    {
      add_ui (self, script, lang, "Please go to the counter. Someone will help you.");
      add_ui (self, script, lang, "You can also ask for an interpreter.");
      add_ui (self, script, lang, intake_kiosk_window_help_status_msgid (self));
      if (gtk_widget_get_visible (GTK_WIDGET (self->help_kept)))
        add_ui (self, script, lang, "We keep your answers while you get help.");
    }
  else if (g_str_equal (screen, "idle"))
    {
      add_ui (self, script, lang, "Are you still there?");
      add_ui (self, script, lang, "Touch the button to go on.");
      add_ui (self, script, lang, "For your privacy, your answers will be cleared soon.");
    }
  else if (g_str_equal (screen, "storage-error"))
    {
      add_ui (self, script, lang, "Your answers could not be stored on this kiosk.");
      add_ui (self, script, lang, "This is not your fault. Please go to the counter. Someone will help you.");
    }
  else if (g_str_equal (screen, "confirm-stop"))
    {
      add_ui (self, script, lang, "Do you want to stop? Your answers will be cleared.");
      add_ui (self, script, lang, "Yes, stop");
      add_ui (self, script, lang, "No, go on");
    }
  return script;
}

char *
intake_kiosk_window_dup_read_aloud_text (IntakeKioskWindow *self)
{
  g_autoptr(IntakeSpeechScript) script = NULL;
  const char *screen;

  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);

  screen = intake_kiosk_window_get_screen (self);
  if (!g_strv_contains (readable_screens, screen))
    return NULL;
  script = screen_script (self, screen);
  return intake_speech_script_dup_text (script);
}

/* ---- Playing --------------------------------------------------------------- */

static gboolean
play (IntakeKioskWindow  *self,
      IntakeSpeechScript *script,
      const char         *what)
{
  if (self->speech == NULL)
    {
      intake_speech_script_free (script);
      return FALSE;
    }
  /* The script is never logged; what it is, is. */
  g_debug ("Reading %s aloud", what);
  return intake_speech_play (self->speech, script);
}

static void
read_screen (IntakeKioskWindow *self)
{
  const char *screen = intake_kiosk_window_get_screen (self);

  if (!can_read_aloud (self, screen))
    {
      if (self->speech != NULL)
        intake_speech_stop (self->speech);
      return;
    }
  play (self, screen_script (self, screen), screen);
}

void
intake_kiosk_window_read_aloud_screen_shown (IntakeKioskWindow *self)
{
  if (self->speech != NULL)
    intake_speech_stop (self->speech);
  if (self->reading_aloud)
    read_screen (self);
}

/* The messages of the question screen (intake-kiosk-window.c), for their
 * recordings; one with a number in it ("from 0 to 40") has none. */
static const char *const message_msgids[] = {
  N_ ("Please choose an answer."),
  N_ ("Please check the date."),
  N_ ("Please check the e-mail address."),
  N_ ("Please check the phone number."),
  N_ ("Please use numbers only."),
  N_ ("This answer is a bit too long."),
  N_ ("Please choose an answer, or skip this question."),
  N_ ("Please use letters and numbers only."),
  N_ ("Choose either this answer or the others, not both."),
  N_ ("This question is needed to find your file. You may also ask for help at the counter."),
};

void
intake_kiosk_window_read_aloud_message (IntakeKioskWindow *self,
                                        const char        *message)
{
  IntakeSpeechScript *script;
  const char *lang = speech_language (self);
  g_autoptr(GBytes) recording = NULL;

  if (!self->reading_aloud || !audible (self, lang) || !has_text (message))
    return;
  script = intake_speech_script_new ();
  for (guint i = 0; recording == NULL && i < G_N_ELEMENTS (message_msgids); i++)
    if (g_strcmp0 (TR (message_msgids[i]), message) == 0)
      recording = intake_questionnaire_dup_interface_audio (questionnaire (self), lang, message_msgids[i]);
  if (recording != NULL)
    intake_speech_script_add_recording (script, lang, message, recording);
  else
    intake_speech_script_add_text (script, lang, message);
  play (self, script, "a message");
}

void
intake_kiosk_window_read_aloud_answer (IntakeKioskWindow *self)
{
  const IntakeQuestion *question = intake_question_view_get_question (self->question_view);
  g_autoptr(IntakeAnswer) answer = NULL;
  g_autoptr(IntakeSecureStr) words = NULL;
  IntakeSpeechScript *script;

  /* Only where nobody else can hear it, and only what was chosen: typed
   * text is not echoed. */
  if (!self->reading_aloud || !self->private_listening || question == NULL ||
      question->type == INTAKE_QUESTION_TYPE_SHORT_TEXT ||
      question->type == INTAKE_QUESTION_TYPE_NUMBER || question->type == INTAKE_QUESTION_TYPE_DATE ||
      !audible (self, speech_language (self)))
    return;
  answer = intake_question_view_dup_answer (self->question_view);
  if (answer == NULL)
    return;
  words = dup_answer_words (self, question, answer);
  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, speech_language (self), words);
  play (self, script, "the answer chosen");
}

void
intake_kiosk_window_speak_language (IntakeKioskWindow *self,
                                    const char        *lang)
{
  IntakeSpeechScript *script;

  if (!g_str_equal (intake_kiosk_window_get_screen (self), "welcome") || !audible (self, lang))
    return;
  script = intake_speech_script_new ();
  add_language (self, script, lang);
  play (self, script, "a language's name");
}

/* ---- What gets keyboard focus ------------------------------------------ */

static void
collect_label_text (GtkWidget *widget,
                    GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      if (has_text (text))
        {
          if (out->len > 0)
            g_string_append (out, ", ");
          g_string_append (out, text);
        }
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_label_text (child, out);
}

/* The words of a control, as it shows them: a button's or a card's text,
 * a date field's word, a text field's question. Never what is typed. */
static char *
dup_control_words (IntakeKioskWindow *self,
                   GtkWidget         *widget)
{
  GString *out = g_string_new (NULL);

  if (GTK_IS_ENTRY (widget))
    {
      GtkWidget *sibling = gtk_widget_get_first_child (gtk_widget_get_parent (widget));

      if (GTK_IS_LABEL (sibling) && gtk_widget_has_css_class (sibling, "date-field-label"))
        collect_label_text (sibling, out);
      else if (gtk_widget_is_ancestor (widget, GTK_WIDGET (self->question_view)))
        collect_label_text (intake_question_view_get_heading (self->question_view), out);
    }
  else if (GTK_IS_BUTTON (widget))
    collect_label_text (widget, out);
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
focus_changed_cb (IntakeKioskWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  g_autofree char *words = NULL;
  IntakeSpeechScript *script;

  /* Only the resident's own moves (Tab, arrows), in read-aloud mode; a
   * language button speaks for itself; a message was read when it came. */
  if (!self->reading_aloud || self->focusing || focus == NULL ||
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self->language_grid)) ||
      gtk_widget_has_css_class (focus, "question-message") ||
      !audible (self, speech_language (self)))
    return;
  /* GtkEntry passes focus to its text: say the entry. */
  if (GTK_IS_TEXT (focus) && GTK_IS_ENTRY (gtk_widget_get_parent (focus)))
    focus = gtk_widget_get_parent (focus);
  words = dup_control_words (self, focus);
  if (words == NULL)
    return;
  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, speech_language (self), words);
  play (self, script, "the control with keyboard focus");
}

/* ---- The mode ------------------------------------------------------------ */

static void
update_label (IntakeKioskWindow *self)
{
  intake_kiosk_set_tool_button (GTK_BUTTON (self->read_aloud_button), "intake-read-aloud-symbolic",
                                self->reading_aloud ? TR ("Stop reading aloud") : TR ("Read aloud"));
}

gboolean
intake_kiosk_window_get_reading_aloud (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), FALSE);

  return self->reading_aloud;
}

gboolean
intake_kiosk_window_get_speaking (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), FALSE);

  return self->speech != NULL && intake_speech_get_speaking (self->speech);
}

void
intake_kiosk_window_set_reading_aloud (IntakeKioskWindow *self,
                                       gboolean           reading_aloud)
{
  reading_aloud = !!reading_aloud;
  if (self->reading_aloud == reading_aloud)
    return;
  /* Nothing to hear here (no voice, no recordings): it stays off. */
  if (reading_aloud && !can_read_aloud (self, intake_kiosk_window_get_screen (self)))
    return;

  self->reading_aloud = reading_aloud;
  if (reading_aloud)
    read_screen (self);
  else if (self->speech != NULL)
    intake_speech_stop (self->speech);

  update_label (self);
  intake_kiosk_window_notify_reading_aloud (self);
}

/* Speech ended (or there is no audio device): the idle timer counts from
 * here, not from the last touch. */
static void
speaking_changed_cb (IntakeKioskWindow *self)
{
  intake_kiosk_window_speaking_changed (self);
}

void
intake_kiosk_window_read_aloud_init (IntakeKioskWindow *self)
{
  g_autoptr(GError) error = NULL;

  self->speech = intake_speech_new (&error);
  if (self->speech == NULL)
    {
      /* A kiosk without speech still works; the button stays hidden. */
      g_message ("Read-aloud is not available: %s", error->message);
      return;
    }
  g_signal_connect_object (self->speech, "notify::speaking",
                           G_CALLBACK (speaking_changed_cb), self, G_CONNECT_SWAPPED);
  /* In read-aloud mode a keyboard user hears where the focus went. */
  g_signal_connect_swapped (self, "notify::focus-widget", G_CALLBACK (focus_changed_cb), self);
}

void
intake_kiosk_window_read_aloud_update (IntakeKioskWindow *self,
                                       const char        *screen)
{
  gtk_widget_set_visible (GTK_WIDGET (self->read_aloud_button), can_read_aloud (self, screen));
  update_label (self);
}

void
intake_kiosk_window_read_aloud_dispose (IntakeKioskWindow *self)
{
  if (self->speech != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->speech, self);
      intake_speech_stop (self->speech);
    }
  self->reading_aloud = FALSE;
  g_clear_object (&self->speech);
}

/* ---- The reference code, on request ----------------------------------------- */

gboolean
intake_kiosk_window_can_speak_code (IntakeKioskWindow *self)
{
  /* The code is Latin letters and digits: spelled in English where the
   * language has no voice (Tigrinya). */
  return self->speech != NULL &&
         (intake_speech_has_language (self->speech, speech_language (self)) ||
          intake_speech_has_language (self->speech, "en"));
}

void
intake_kiosk_window_read_code_aloud (IntakeKioskWindow *self)
{
  IntakeSpeechScript *script;
  const char *lang = speech_language (self);

  if (self->reference == NULL || !intake_kiosk_window_can_speak_code (self))
    return;
  /* The resident asked for it, on this screen, with a button: unlike the
   * screen's own reading, this says the code without private listening
   * too. The code alone tells a bystander nothing about the answers. */
  script = intake_speech_script_new ();
  if (audible (self, lang))
    add_ui (self, script, lang, "Your reference code");
  intake_speech_script_add_spelled (script, intake_speech_has_language (self->speech, lang) ? lang : "en",
                                    self->reference);
  play (self, script, "the reference code");
}

/* intake-kiosk-window-read-aloud.c: the kiosk's "Read aloud" button (kiosk.read-aloud)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read-aloud reads the main text of the screen in the session's language:
 * on a question its section title, the question, its help and the answer
 * options; elsewhere the heading and body. It never reads what the resident
 * typed or chose (the review's answers, text fields): a bystander must not
 * hear them, and the texts passed to IntakeSpeech are never logged.
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-window-private.h"
#include "intake-secure.h"

#define TR(msgid) intake_kiosk_window_tr (self, (msgid))

/* Screens with text to read; the others (welcome, thanks, confirm-stop,
 * staff) have no button. */
static const char *const readable_screens[] = {
  "explanation", "question", "review", "help", "idle", "storage-error", NULL
};

static const char *
speech_language (IntakeKioskWindow *self)
{
  /* Before a language is chosen (help from the welcome screen) the screens
   * are in the office language. */
  return self->language != NULL ? self->language : intake_kiosk_window_get_staff_language (self);
}

static gboolean
can_read_aloud (IntakeKioskWindow *self,
                const char        *screen)
{
  const char *language = speech_language (self);

  return self->speech != NULL && language != NULL &&
         g_strv_contains (readable_screens, screen) &&
         intake_speech_has_language (self->speech, language);
}

static void
add_part (GString    *text,
          const char *part)
{
  g_autofree char *stripped = NULL;

  if (part == NULL)
    return;
  stripped = g_strstrip (g_strdup (part));
  if (*stripped == '\0')
    return;
  /* A blank line ends a clause for eSpeak NG: a pause between parts, also
   * after option labels that have no full stop. */
  if (text->len > 0)
    g_string_append (text, "\n\n");
  g_string_append (text, stripped);
}

static void
add_label (GString  *text,
           GtkLabel *label)
{
  if (label != NULL && gtk_widget_get_visible (GTK_WIDGET (label)))
    add_part (text, gtk_label_get_text (label));
}

static void
add_numbered (GString          *text,
              gint64            number,
              const IntakeText *label,
              const char       *language)
{
  const char *words = intake_text_get (label, language);
  g_autofree char *part = NULL;

  if (words == NULL)
    return;
  part = g_strdup_printf ("%" G_GINT64_FORMAT ": %s", number, words);
  add_part (text, part);
}

/* The question as the questionnaire words it, never the view's inputs. */
static void
add_question (IntakeKioskWindow *self,
              GString           *text)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (self->kiosk);
  const IntakeQuestion *question = intake_question_view_get_question (self->question_view);
  const char *language = self->language;
  const IntakeSection *section;

  if (question == NULL || language == NULL)
    return;

  section = intake_questionnaire_get_section (questionnaire, question->section);
  if (section != NULL)
    add_part (text, intake_text_get (section->title, language));
  add_part (text, intake_text_get (question->text, language));
  add_part (text, intake_text_get (question->help, language));

  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      for (guint i = 0; i < question->n_options; i++)
        add_part (text, intake_text_get (question->options[i].label, language));
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      add_part (text, TR ("Yes"));
      add_part (text, TR ("No"));
      break;
    case INTAKE_QUESTION_TYPE_SCALE:
      add_numbered (text, question->min, question->min_label, language);
      add_numbered (text, question->max, question->max_label, language);
      break;
    case INTAKE_QUESTION_TYPE_LADDER:
      for (guint i = 0; i < INTAKE_LADDER_RUNGS; i++)
        add_numbered (text, i + 1, question->rungs[i], language);
      break;
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_DATE:
    default:
      break;
    }
  if (question->rather_not_say)
    add_part (text, TR ("I would rather not say"));
}

char *
intake_kiosk_window_dup_read_aloud_text (IntakeKioskWindow *self)
{
  const char *screen;
  GString *text;

  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), NULL);

  screen = intake_kiosk_window_get_screen (self);
  text = g_string_new (NULL);
  if (g_str_equal (screen, "explanation"))
    {
      add_label (text, self->explanation_title);
      add_label (text, self->explanation_heading);
      add_label (text, self->explanation_intro);
    }
  else if (g_str_equal (screen, "question"))
    add_question (self, text);
  else if (g_str_equal (screen, "review"))
    {
      /* The heading only: the rows hold the resident's answers. */
      g_autofree char *heading = intake_kiosk_review_page_dup_read_aloud_text (self->review_page);

      add_part (text, heading);
    }
  else if (g_str_equal (screen, "help"))
    {
      add_label (text, self->help_counter);
      add_label (text, self->help_interpreter);
      add_label (text, self->help_told);
    }
  else if (g_str_equal (screen, "idle"))
    {
      add_label (text, self->idle_title);
      add_label (text, self->idle_touch);
      add_label (text, self->idle_privacy);
    }
  else if (g_str_equal (screen, "storage-error"))
    {
      add_label (text, self->error_title);
      add_label (text, self->error_text);
    }

  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

static void
update_label (IntakeKioskWindow *self)
{
  intake_kiosk_set_button_text (GTK_BUTTON (self->read_aloud_button),
                                self->reading_aloud ? TR ("Stop reading aloud") : TR ("Read aloud"));
}

gboolean
intake_kiosk_window_get_reading_aloud (IntakeKioskWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (self), FALSE);

  return self->reading_aloud;
}

void
intake_kiosk_window_set_reading_aloud (IntakeKioskWindow *self,
                                       gboolean           reading_aloud)
{
  reading_aloud = !!reading_aloud;
  if (self->reading_aloud == reading_aloud)
    return;

  if (reading_aloud)
    {
      const char *screen = intake_kiosk_window_get_screen (self);
      g_autoptr(IntakeSecureStr) text = NULL;
      gboolean started;

      if (!can_read_aloud (self, screen))
        return;
      text = intake_kiosk_window_dup_read_aloud_text (self);
      if (text == NULL)
        return;
      g_debug ("Reading the %s screen aloud", screen);
      started = intake_speech_speak (self->speech, speech_language (self), text);
      if (!started)
        return;
    }
  self->reading_aloud = reading_aloud;
  if (!reading_aloud && self->speech != NULL)
    intake_speech_stop (self->speech);

  update_label (self);
  intake_kiosk_window_notify_reading_aloud (self);
}

/* The speech ended by itself (or there is no audio device). */
static void
speaking_changed_cb (IntakeKioskWindow *self)
{
  if (!intake_speech_get_speaking (self->speech))
    intake_kiosk_window_set_reading_aloud (self, FALSE);
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
}

void
intake_kiosk_window_read_aloud_update (IntakeKioskWindow *self,
                                       const char        *screen,
                                       gboolean           has_topbar)
{
  gboolean can = can_read_aloud (self, screen);

  gtk_widget_set_visible (GTK_WIDGET (self->read_aloud_button), can);
  /* Help, idle and the storage error have no top bar of their own: there it
   * shows this button only. */
  gtk_widget_set_visible (GTK_WIDGET (self->topbar), has_topbar || can);
  gtk_widget_set_visible (GTK_WIDGET (self->text_size_button), has_topbar);
  gtk_widget_set_visible (GTK_WIDGET (self->contrast_button), has_topbar);
  gtk_widget_set_visible (GTK_WIDGET (self->help_button), has_topbar);
  if (!has_topbar)
    gtk_widget_set_visible (GTK_WIDGET (self->stop_button), FALSE);
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

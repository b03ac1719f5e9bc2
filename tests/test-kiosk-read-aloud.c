/* test-kiosk-read-aloud.c: audio first: read-aloud (kiosk.read-aloud), the spoken welcome, recordings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No sound card needed: the window's IntakeSpeech synthesizes into memory
 * ("to-memory") and hands every part it would have played to the "spoken"
 * signal, so the tests hear exactly what a resident would: which texts, in
 * which language, from which voice or recording, and that an answer or the
 * reference code is never said aloud without private listening.
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-window-private.h"
#include "intake-speech.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

#define ACT(f, name) gtk_widget_activate_action (GTK_WIDGET ((f)->window), (name), NULL)
#define CANARY "Kanariepiet Quetzalcoatl"

static IntakeCatalog *catalog;

typedef struct
{
  IntakeSpeechPartKind  kind;
  char                 *lang;
  char                 *text;
  gsize                 n_samples;
} Heard;

static void
heard_free (Heard *heard)
{
  g_free (heard->lang);
  g_free (heard->text);
  g_free (heard);
}

static GPtrArray *heard;  /* Heard, since the last listen () */

static void
spoken_cb (IntakeSpeech *speech,
           int           kind,
           const char   *lang,
           const char   *text,
           GBytes       *pcm,
           guint         rate,
           gpointer      user_data)
{
  Heard *h = g_new0 (Heard, 1);

  h->kind = kind;
  h->lang = g_strdup (lang);
  h->text = g_strdup (text);
  h->n_samples = g_bytes_get_size (pcm) / 2;
  g_ptr_array_add (heard, h);
}

/* The window's speech, into memory. */
static void
listen_to (KioskFixture *f)
{
  g_assert_nonnull (f->window->speech);
  intake_speech_set_to_memory (f->window->speech, TRUE);
  g_signal_connect (f->window->speech, "spoken", G_CALLBACK (spoken_cb), NULL);
  g_ptr_array_set_size (heard, 0);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits until the window says nothing more; returns all it said as text,
 * and forgets it. */
static char *
hear (KioskFixture *f)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (60000, timeout_cb, &timed_out);
  GString *all = g_string_new (NULL);

  while (intake_kiosk_window_get_speaking (f->window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  for (guint i = 0; i < heard->len; i++)
    {
      Heard *h = g_ptr_array_index (heard, i);

      g_assert_cmpuint (h->n_samples, >, 0);
      g_string_append_printf (all, "%s\n", h->text);
    }
  return g_string_free (all, FALSE);
}

static void
forget (KioskFixture *f)
{
  g_free (hear (f));
  g_ptr_array_set_size (heard, 0);
}

static const IntakeQuestion *
current_question (KioskFixture *f)
{
  IntakeSession *session = intake_kiosk_window_get_session (f->window);

  g_assert_nonnull (session);
  return intake_session_get_current (session);
}

static void
choose_language (KioskFixture *f,
                 const char   *language)
{
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", language);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "explanation");
}

/* The read-aloud button when it is shown (in a shown top bar), else NULL. */
static GtkWidget *
shown_button (KioskFixture *f)
{
  g_autoptr(GPtrArray) found = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-read-aloud");

  g_assert_cmpuint (found->len, <=, 1);
  if (found->len == 0)
    return NULL;
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->topbar)));
  return g_ptr_array_index (found, 0);
}

static void
assert_button_text (KioskFixture *f,
                    const char   *language,
                    const char   *msgid)
{
  GtkWidget *button = shown_button (f);
  const char *want = intake_catalog_lookup (catalog, language, msgid);
  g_autofree char *problem = NULL;

  g_assert_nonnull (button);
  g_assert_nonnull (kiosk_test_find_text (button, want));
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (button),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, want);
  g_assert_null (problem);
}

static gboolean
reading (KioskFixture *f)
{
  gboolean state = FALSE;

  g_object_get (f->window, "reading-aloud", &state, NULL);
  g_assert_cmpint (state, ==, intake_kiosk_window_get_reading_aloud (f->window));
  return state;
}

static gboolean
has_voice (const char *language)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSpeech) speech = intake_speech_new (&error);

  g_assert_no_error (error);
  return intake_speech_has_language (speech, language);
}

static void
assert_contains (const char *text,
                 const char *part)
{
  g_autofree char *stripped = NULL;

  if (part == NULL)
    return;
  stripped = g_strstrip (g_strdup (part));
  if (*stripped == '\0')
    return;
  if (text == NULL || strstr (text, stripped) == NULL)
    g_error ("“%s” is not read aloud (read: “%s”)", stripped, text != NULL ? text : "");
}

static void
assert_ui_heard (const char *text,
                 const char *lang,
                 const char *msgid)
{
  assert_contains (text, intake_catalog_lookup (catalog, lang, msgid));
}

/* The tools on every resident screen: symbol and word, at least 48 px. */
static void
assert_tools (KioskFixture *f)
{
  GtkWidget *tools[] = {
    GTK_WIDGET (f->window->help_button), GTK_WIDGET (f->window->text_size_button),
    GTK_WIDGET (f->window->contrast_button), GTK_WIDGET (f->window->read_aloud_button),
  };

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->topbar)));
  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autoptr(GPtrArray) icons = kiosk_test_find_by_class (tools[i], "kiosk-tool-icon");
      int height = 0;

      g_assert_true (gtk_widget_get_visible (tools[i]));
      g_assert_cmpuint (icons->len, ==, 1);
      g_assert_nonnull (gtk_image_get_icon_name (g_ptr_array_index (icons, 0)));
      g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (tools[i])),
                                              gtk_image_get_icon_name (g_ptr_array_index (icons, 0))));
      gtk_widget_measure (tools[i], GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);
      g_assert_cmpint (height, >=, 48);
    }
}

/* ---- The mode ----------------------------------------------------------- */

static void
test_mode (KioskFixture  *f,
           gconstpointer  data)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  g_autofree char *text = NULL;

  g_assert_true (has_voice ("nl"));
  listen_to (f);

  /* Before a language is chosen: the tools, in the office language. */
  assert_tools (f);
  assert_button_text (f, "nl", "Read aloud");
  g_assert_false (reading (f));

  choose_language (f, "nl");
  assert_tools (f);
  g_assert_false (intake_kiosk_window_get_speaking (f->window));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shown_button (f))));
  assert_button_text (f, "nl", "Stop reading aloud");
  text = hear (f);
  assert_contains (text, intake_questionnaire_get_title (questionnaire, "nl"));
  assert_ui_heard (text, "nl", "Why we ask these questions");
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  /* Every new screen is read by itself, and the mode stays on. */
  ACT (f, "kiosk.start");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_true (reading (f));
  g_assert_true (intake_kiosk_window_get_speaking (f->window));
  text = hear (f);
  assert_contains (text, intake_text_get (current_question (f)->text, "nl"));
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  /* A keyboard user hears where the focus goes: a button's word, a field's
   * question (never what is in it). */
  gtk_widget_grab_focus (GTK_WIDGET (f->window->question_next));
  text = hear (f);
  g_assert_cmpstr (text, ==, "Volgende\n");
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);
  {
    g_autoptr(GPtrArray) entries = kiosk_test_find_by_class (GTK_WIDGET (f->window), "answer-entry");

    g_assert_cmpuint (entries->len, >, 0);
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 0)), CANARY);
    forget (f);
    gtk_widget_grab_focus (g_ptr_array_index (entries, 0));
    text = hear (f);
    assert_contains (text, intake_text_get (current_question (f)->text, "nl"));
    g_assert_null (strstr (text, CANARY));
    g_clear_pointer (&text, g_free);
    g_ptr_array_set_size (heard, 0);
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, 0)), "");
  }

  /* Help: all tools there too; read by itself. */
  ACT (f, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  assert_tools (f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->stop_button)));
  text = hear (f);
  assert_ui_heard (text, "nl", "Please go to the counter. Someone will help you.");
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);
  ACT (f, "kiosk.help-done");
  forget (f);

  /* Turned off: silence, now and on the next screen. */
  ACT (f, "kiosk.read-aloud");
  g_assert_false (reading (f));
  assert_button_text (f, "nl", "Read aloud");
  g_assert_false (intake_kiosk_window_get_speaking (f->window));
  ACT (f, "kiosk.back");
  g_assert_false (intake_kiosk_window_get_speaking (f->window));
  forget (f);
  g_assert_cmpuint (heard->len, ==, 0);

  /* The next resident starts without it. */
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  intake_kiosk_window_reset (f->window);
  g_assert_false (reading (f));
  forget (f);
}

/* Every resident screen, in read-aloud mode, without private listening:
 * the texts are said, never an answer, never the reference code. */
static void
test_every_screen (KioskFixture  *f,
                   gconstpointer  data)
{
  const char *lang = "nl";
  g_autofree char *text = NULL;
  g_autofree char *all = NULL;
  GString *everything = g_string_new (NULL);

  listen_to (f);
  g_assert_false (f->window->private_listening);

  /* The welcome screen: each language in its own language. */
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  text = hear (f);
  for (guint i = 0; kiosk_test_languages[i] != NULL; i++)
    {
      const char *code = kiosk_test_languages[i];
      gboolean found = FALSE;

      for (guint j = 0; j < heard->len; j++)
        {
          Heard *h = g_ptr_array_index (heard, j);

          if (g_str_equal (h->lang, code) &&
              g_str_equal (h->text, intake_catalog_lookup (catalog, code, "Touch your language to start")))
            found = TRUE;
        }
      /* Tigrinya has no voice and, here, no recording: it is left out. */
      g_assert_true (found == has_voice (code));
    }
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  choose_language (f, lang);
  forget (f);
  ACT (f, "kiosk.start");

  /* A message is read when it appears. */
  g_assert_true (current_question (f)->required);
  forget (f);
  ACT (f, "kiosk.next");
  text = hear (f);
  g_assert_cmpuint (heard->len, ==, 1);
  g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->text, ==,
                   intake_catalog_lookup (catalog, lang, "Please choose an answer."));
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  /* Through all questions: a canary typed, answers chosen. */
  for (guint guard = 0; guard < 200 && g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
    {
      const IntakeQuestion *question = current_question (f);
      g_autoptr(IntakeAnswer) answer = NULL;

      if (question->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && question->text_kind == INTAKE_TEXT_KIND_TEXT)
        answer = intake_answer_new_text (CANARY);
      else
        answer = kiosk_test_choose_answer (question, guard);
      kiosk_test_give_answer (f, question, answer);
      ACT (f, "kiosk.next");
      text = hear (f);
      g_string_append (everything, text);
      g_clear_pointer (&text, g_free);
      g_ptr_array_set_size (heard, 0);
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), CANARY));
  assert_ui_heard (everything->str, lang, "Check your answers");

  /* Stop? Read with its two answers. */
  ACT (f, "kiosk.stop");
  text = hear (f);
  assert_ui_heard (text, lang, "Do you want to stop? Your answers will be cleared.");
  assert_ui_heard (text, lang, "No, go on");
  g_string_append (everything, text);
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);
  ACT (f, "kiosk.resume");
  forget (f);

  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  text = hear (f);
  assert_ui_heard (text, lang, "Thank you!");
  assert_ui_heard (text, lang, "Show this code at the counter if you have a question.");
  g_string_append (everything, text);
  g_clear_pointer (&text, g_free);

  /* Never said aloud: what the resident typed, the code. */
  all = g_string_free (everything, FALSE);
  g_assert_null (strstr (all, CANARY));
  for (guint i = 0; i < heard->len; i++)
    g_assert_cmpint (((Heard *) g_ptr_array_index (heard, i))->kind, !=, INTAKE_SPEECH_PART_SPELLED);
  g_assert_nonnull (intake_kiosk_window_get_reference (f->window));
  g_assert_null (strstr (all, intake_kiosk_window_get_reference (f->window)));
  g_ptr_array_set_size (heard, 0);
  ACT (f, "kiosk.done");
  forget (f);
}

/* With private listening (headphones): the answer chosen, every answer on
 * the review, and the reference code, spelled slowly. */
static void
test_private_listening (KioskFixture  *f,
                        gconstpointer  data)
{
  g_autofree char *text = NULL;
  gboolean heard_choice = FALSE;
  gboolean heard_canary = FALSE;
  gboolean heard_code = FALSE;

  g_object_set (f->window, "private-listening", TRUE, NULL);
  listen_to (f);
  choose_language (f, "en");
  ACT (f, "kiosk.read-aloud");
  ACT (f, "kiosk.start");
  for (guint guard = 0; guard < 200 && g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
    {
      const IntakeQuestion *question = current_question (f);
      g_autoptr(IntakeAnswer) answer = NULL;

      forget (f);
      if (question->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && question->text_kind == INTAKE_TEXT_KIND_TEXT)
        answer = intake_answer_new_text (CANARY);
      else
        answer = kiosk_test_choose_answer (question, guard);
      kiosk_test_give_answer (f, question, answer);
      if (question->type == INTAKE_QUESTION_TYPE_SINGLE_CHOICE)
        {
          const IntakeOption *option = intake_question_lookup_option (question, intake_answer_get_string (answer));

          /* The choice is said back. */
          text = hear (f);
          assert_contains (text, intake_text_get (option->label, "en"));
          heard_choice = TRUE;
          g_clear_pointer (&text, g_free);
          g_ptr_array_set_size (heard, 0);
        }
      ACT (f, "kiosk.next");
    }
  g_assert_true (heard_choice);

  /* The review, answers and all. */
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  text = hear (f);
  heard_canary = strstr (text, CANARY) != NULL;
  g_assert_true (heard_canary);
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  /* The code, character by character, in its own part. */
  ACT (f, "kiosk.submit");
  text = hear (f);
  for (guint i = 0; i < heard->len; i++)
    {
      Heard *h = g_ptr_array_index (heard, i);

      if (h->kind == INTAKE_SPEECH_PART_SPELLED)
        {
          g_assert_cmpstr (h->text, ==, intake_kiosk_window_get_reference (f->window));
          /* Slowly: well over half a second a character. */
          g_assert_cmpuint (h->n_samples, >, strlen (h->text) * 11025);
          heard_code = TRUE;
        }
    }
  g_assert_true (heard_code);
  assert_ui_heard (text, "en", "Your reference code");
  ACT (f, "kiosk.done");
  forget (f);
}

/* ---- The welcome screen: each language says its name ------------------ */

static GtkWidget *
language_button (KioskFixture *f,
                 const char   *code)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (f->window->language_grid));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (g_object_get_data (G_OBJECT (child), "language"), code))
      return child;
  g_assert_not_reached ();
  return NULL;
}

static void
test_welcome_languages (KioskFixture  *f,
                        gconstpointer  data)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  g_autofree char *text = NULL;

  listen_to (f);
  /* The window's own focus (a new screen) says nothing. */
  intake_kiosk_window_reset (f->window);
  forget (f);
  g_assert_cmpuint (heard->len, ==, 0);

  /* Focus from the resident: the language's name in the language. */
  gtk_widget_grab_focus (language_button (f, "ar"));
  text = hear (f);
  g_assert_cmpuint (heard->len, >=, 2);
  g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->lang, ==, "ar");
  assert_contains (text, intake_questionnaire_lookup_language (questionnaire, "ar")->name);
  assert_ui_heard (text, "ar", "Touch your language to start");
  g_clear_pointer (&text, g_free);
  g_ptr_array_set_size (heard, 0);

  /* A long press too, without choosing the language. */
  {
    GtkWidget *button = language_button (f, "uk");
    GtkEventController *long_press = NULL;
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (button);

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_LONG_PRESS (controller))
          long_press = GTK_EVENT_CONTROLLER (controller);
      }
    g_assert_nonnull (long_press);
    g_signal_emit_by_name (long_press, "pressed", 10.0, 10.0);
    text = hear (f);
    g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->lang, ==, "uk");
    assert_contains (text, intake_questionnaire_lookup_language (questionnaire, "uk")->name);
    g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
    g_clear_pointer (&text, g_free);
    g_ptr_array_set_size (heard, 0);
  }

  /* Tigrinya has no voice and here no recording: silence. */
  if (!has_voice ("ti"))
    {
      gtk_widget_grab_focus (language_button (f, "ti"));
      forget (f);
      g_assert_cmpuint (heard->len, ==, 0);
    }
}

/* ---- Recordings: Tigrinya heard from the questionnaire ----------------- */

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname (to);
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
}

/* The tests' questionnaire with Tigrinya recordings beside it: the name,
 * the first question, the "Please choose an answer." message. */
static char *
with_recordings (const char *dir,
                 const char *path)
{
  const char *recording = g_getenv ("INTAKE_TEST_RECORDING");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *audio = g_build_filename (dir, "bundle", "audio", "ti", "tone.wav", NULL);
  char *out = g_build_filename (dir, "bundle", "questionnaire.json", NULL);
  JsonObject *root;
  JsonObject *first;
  g_autofree char *json = NULL;

  g_assert_nonnull (recording);
  copy_file (recording, audio);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (json_object_get_object_member (json_object_get_object_member (root, "languages"), "ti"),
                                 "audio", "audio/ti/tone.wav");
  first = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (root, "sections"), 0),
                                  "questions"), 0);
  {
    JsonObject *text_audio = json_object_new ();

    json_object_set_string_member (text_audio, "ti", "audio/ti/tone.wav");
    json_object_set_object_member (json_object_get_object_member (first, "text"), "audio", text_audio);
  }
  {
    JsonObject *ti = json_object_new ();
    JsonObject *ui = json_object_new ();

    json_object_set_string_member (ti, "Please choose an answer.", "audio/ti/tone.wav");
    json_object_set_object_member (ui, "ti", ti);
    json_object_set_object_member (root, "interface_audio", ui);
  }
  json = json_to_string (json_parser_get_root (parser), TRUE);
  g_file_set_contents (out, json, -1, &error);
  g_assert_no_error (error);
  return out;
}

static void
setup_recordings (KioskFixture  *f,
                  gconstpointer  data)
{
  kiosk_fixture_setup_prepared (f, with_recordings);
}

static guint
count_recordings (const char *lang)
{
  guint n = 0;

  for (guint i = 0; i < heard->len; i++)
    {
      Heard *h = g_ptr_array_index (heard, i);

      n += h->kind == INTAKE_SPEECH_PART_RECORDING && g_str_equal (h->lang, lang);
      /* A Tigrinya text without a recording cannot be heard. */
      g_assert_true (h->kind == INTAKE_SPEECH_PART_RECORDING || !g_str_equal (h->lang, "ti"));
    }
  return n;
}

static void
test_recordings (KioskFixture  *f,
                 gconstpointer  data)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);

  g_assert_false (has_voice ("ti"));
  listen_to (f);

  /* The welcome screen plays Tigrinya's recorded name. */
  gtk_widget_grab_focus (language_button (f, "ti"));
  g_free (hear (f));
  g_assert_cmpuint (count_recordings ("ti"), ==, 1);
  g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->text, ==,
                   intake_questionnaire_lookup_language (questionnaire, "ti")->name);
  g_ptr_array_set_size (heard, 0);

  /* A Tigrinya session: read-aloud is offered, and the first question is
   * heard from its recording; its help, without one, is left out. */
  choose_language (f, "ti");
  g_assert_nonnull (shown_button (f));
  ACT (f, "kiosk.start");
  forget (f);
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  g_free (hear (f));
  g_assert_cmpuint (count_recordings ("ti"), ==, 1);
  g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->text, ==,
                   intake_text_get (current_question (f)->text, "ti"));
  g_ptr_array_set_size (heard, 0);

  /* The message, from the recording of the UI string. */
  ACT (f, "kiosk.next");
  g_free (hear (f));
  g_assert_cmpuint (count_recordings ("ti"), ==, 1);
  g_assert_cmpstr (((Heard *) g_ptr_array_index (heard, 0))->text, ==,
                   intake_catalog_lookup (catalog, "ti", "Please choose an answer."));
  g_ptr_array_set_size (heard, 0);
}

/* Without a voice and without recordings: no button, nothing heard. */
static void
test_no_voice (KioskFixture  *f,
               gconstpointer  data)
{
  gboolean ti = has_voice ("ti");

  g_test_message ("Tigrinya voice: %s", ti ? "yes" : "no");
  listen_to (f);
  choose_language (f, "ti");
  g_assert_true ((shown_button (f) != NULL) == ti);
  if (!ti)
    {
      ACT (f, "kiosk.read-aloud");
      g_assert_false (reading (f));
      g_object_set (f->window, "reading-aloud", TRUE, NULL);
      g_assert_false (reading (f));
    }
  ACT (f, "kiosk.start");
  g_assert_true ((shown_button (f) != NULL) == ti);
  /* The other tools are there all the same. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->help_button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->text_size_button)));
  kiosk_test_screenshot (f, "read-aloud-ti-question");
  forget (f);
  g_assert_cmpuint (heard->len, ==, 0);

  /* The next resident picks a language with a voice: the button is back. */
  intake_kiosk_window_reset (f->window);
  choose_language (f, "ar");
  g_assert_nonnull (shown_button (f));
}

/* ---- Speech never holds anyone up; the idle timer waits for it ------- */

static void
test_idle_waits (KioskFixture  *f,
                 gconstpointer  data)
{
  gint64 ended = 0, idle = 0;
  gboolean timed_out = FALSE;
  guint source;

  listen_to (f);
  /* As long as playing would take. */
  intake_speech_set_memory_real_time (f->window->speech, TRUE);
  g_object_set (f->window, "idle-timeout", 60000, "idle-countdown", 60000, NULL);
  choose_language (f, "nl");
  ACT (f, "kiosk.start");
  ACT (f, "kiosk.read-aloud");
  g_assert_true (intake_kiosk_window_get_speaking (f->window));

  /* Shorter than the question takes to read: the screen stays while it plays. */
  g_object_set (f->window, "idle-timeout", 400, NULL);
  source = g_timeout_add (60000, timeout_cb, &timed_out);
  while (!timed_out && !g_str_equal (intake_kiosk_window_get_screen (f->window), "idle"))
    {
      gboolean was_speaking = intake_kiosk_window_get_speaking (f->window);

      g_main_context_iteration (NULL, TRUE);
      /* The idle screen is read in its turn. */
      if (g_str_equal (intake_kiosk_window_get_screen (f->window), "idle"))
        break;
      if (was_speaking && !intake_kiosk_window_get_speaking (f->window))
        ended = g_get_monotonic_time ();
    }
  g_assert_false (timed_out);
  g_source_remove (source);
  idle = g_get_monotonic_time ();
  g_assert_cmpint (ended, >, 0);
  /* Counted from the end of the speech, not from the last touch (which
   * would give about 0 here: the speech took longer than the timeout).
   * @ended is taken after the main-loop iteration in which the speech
   * ended, so under load (the sanitizer build in CI: 367 ms once) it comes
   * late; half the timeout still tells the two apart. */
  g_assert_cmpint (idle - ended, >=, 200 * 1000);
  ACT (f, "kiosk.start-over");
  forget (f);
}

/* The storage error screen is read too, in the session's language. */
static void
test_storage_error (KioskFixture  *f,
                    gconstpointer  data)
{
  g_autofree char *text = NULL;

  listen_to (f);
  choose_language (f, "tr");
  ACT (f, "kiosk.read-aloud");
  forget (f);
  intake_kiosk_window_show_storage_error (f->window);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "storage-error");
  g_assert_nonnull (shown_button (f));
  assert_tools (f);
  text = hear (f);
  assert_ui_heard (text, "tr", "Your answers could not be stored on this kiosk.");
  g_ptr_array_set_size (heard, 0);
  ACT (f, "kiosk.start-over");
  g_assert_false (reading (f));
}

/* ---- What is read for each question ----------------------------------- */

/* Every question in Dutch: section title, question, help and options are
 * read; the answer given (a typed canary for text questions) is not, and
 * the text read does not change when the answer does. */
static void
test_question_text (KioskFixture  *f,
                    gconstpointer  data)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  const char *lang = "nl";
  gboolean typed_canary = FALSE;
  g_autofree char *review = NULL;

  listen_to (f);
  choose_language (f, lang);
  ACT (f, "kiosk.start");
  for (guint guard = 0; guard < 200; guard++)
    {
      const IntakeQuestion *question;
      const IntakeSection *section;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autoptr(IntakeAnswer) answer = NULL;

      if (!g_str_equal (intake_kiosk_window_get_screen (f->window), "question"))
        break;
      question = current_question (f);
      section = intake_questionnaire_get_section (questionnaire, question->section);

      before = intake_kiosk_window_dup_read_aloud_text (f->window);
      g_assert_nonnull (before);
      assert_contains (before, intake_text_get (question->text, lang));
      assert_contains (before, intake_text_get (question->help, lang));
      assert_contains (before, intake_text_get (section->title, lang));
      for (guint i = 0; i < question->n_options; i++)
        assert_contains (before, intake_text_get (question->options[i].label, lang));
      if (question->type == INTAKE_QUESTION_TYPE_YES_NO)
        {
          assert_contains (before, intake_catalog_lookup (catalog, lang, "Yes"));
          assert_contains (before, intake_catalog_lookup (catalog, lang, "No"));
        }
      if (question->type == INTAKE_QUESTION_TYPE_DATE)
        assert_contains (before, intake_catalog_lookup (catalog, lang, "Day"));
      if (question->rather_not_say)
        assert_contains (before, intake_catalog_lookup (catalog, lang, "I would rather not say"));

      if (question->type == INTAKE_QUESTION_TYPE_SHORT_TEXT &&
          question->text_kind == INTAKE_TEXT_KIND_TEXT)
        {
          answer = intake_answer_new_text (CANARY);
          typed_canary = TRUE;
        }
      else
        answer = kiosk_test_choose_answer (question, guard);
      kiosk_test_give_answer (f, question, answer);

      after = intake_kiosk_window_dup_read_aloud_text (f->window);
      g_assert_cmpstr (after, ==, before);
      g_assert_null (strstr (after, CANARY));
      ACT (f, "kiosk.next");
    }
  g_assert_true (typed_canary);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  /* The review shows the canary, but only its heading is read. */
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), CANARY));
  review = intake_kiosk_window_dup_read_aloud_text (f->window);
  g_assert_null (strstr (review, CANARY));
  assert_contains (review, intake_catalog_lookup (catalog, lang, "Check your answers"));
  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  g_assert_nonnull (shown_button (f));
  ACT (f, "kiosk.done");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();
  catalog = intake_kiosk_catalog_new_default ();
  heard = g_ptr_array_new_with_free_func ((GDestroyNotify) heard_free);

#define ADD(path, func) \
  g_test_add (path, KioskFixture, NULL, kiosk_fixture_setup, func, kiosk_fixture_teardown)

  ADD ("/kiosk/read-aloud/mode", test_mode);
  ADD ("/kiosk/read-aloud/every-screen", test_every_screen);
  ADD ("/kiosk/read-aloud/private-listening", test_private_listening);
  ADD ("/kiosk/read-aloud/welcome-languages", test_welcome_languages);
  g_test_add ("/kiosk/read-aloud/recordings", KioskFixture, NULL, setup_recordings, test_recordings,
              kiosk_fixture_teardown);
  ADD ("/kiosk/read-aloud/no-voice", test_no_voice);
  ADD ("/kiosk/read-aloud/idle-waits", test_idle_waits);
  ADD ("/kiosk/read-aloud/storage-error", test_storage_error);
  ADD ("/kiosk/read-aloud/question-text", test_question_text);

  ret = g_test_run ();
  g_clear_object (&catalog);
  g_ptr_array_unref (heard);
  return ret;
}

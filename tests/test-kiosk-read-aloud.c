/* test-kiosk-read-aloud.c: the kiosk's "Read aloud" button (kiosk.read-aloud)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs a display but no audio device: without one, speech ends at once
 * with a debug message, and "reading-aloud" goes back to FALSE by itself
 * once the main loop runs. The assertions on the state are made before the
 * main loop runs again, so they hold with or without a sound card.
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
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, want);
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
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_not_reading (KioskFixture *f,
                  guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (reading (f) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  return !reading (f);
}

static gboolean
has_voice (const char *language)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSpeech) speech = intake_speech_new (&error);

  g_assert_no_error (error);
  return intake_speech_has_language (speech, language);
}

/* ---- The button and its state ----------------------------------------- */

static void
test_toggle (KioskFixture  *f,
             gconstpointer  data)
{
  GtkWidget *button;

  g_assert_true (has_voice ("nl"));
  /* Nothing to read before a language is chosen. */
  g_assert_null (shown_button (f));

  choose_language (f, "nl");
  button = shown_button (f);
  g_assert_nonnull (button);
  {
    int height = 0;

    /* A touch target like the other top-bar buttons. */
    gtk_widget_measure (button, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);
    g_assert_cmpint (height, >=, 48);
  }
  g_assert_false (reading (f));
  assert_button_text (f, "nl", "Read aloud");

  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  assert_button_text (f, "nl", "Stop reading aloud");

  /* Pressing again stops. */
  ACT (f, "kiosk.read-aloud");
  g_assert_false (reading (f));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  assert_button_text (f, "nl", "Read aloud");

  /* On the question screen; navigating stops it. */
  ACT (f, "kiosk.start");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_nonnull (shown_button (f));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  assert_button_text (f, "nl", "Stop reading aloud");
  ACT (f, "kiosk.back");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "explanation");
  g_assert_false (reading (f));
  assert_button_text (f, "nl", "Read aloud");

  /* Help (top bar with the read-aloud button only) and back. */
  ACT (f, "kiosk.start");
  ACT (f, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  g_assert_nonnull (shown_button (f));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->text_size_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->help_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->stop_button)));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  kiosk_test_screenshot (f, "read-aloud-help");
  ACT (f, "kiosk.help-done");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_false (reading (f));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->text_size_button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->help_button)));

  /* The end of the speech (or no audio device) sets it back by itself. */
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  g_assert_true (wait_not_reading (f, 60000));
  assert_button_text (f, "nl", "Read aloud");
}

/* Reset (here: Start over) stops reading and leaves no button. */
static void
test_reset_stops (KioskFixture  *f,
                  gconstpointer  data)
{
  choose_language (f, "pl");
  ACT (f, "kiosk.start");
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));

  intake_kiosk_window_reset (f->window);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
  g_assert_false (reading (f));
  g_assert_null (shown_button (f));
  /* Nothing to read on the welcome screen: the action changes nothing. */
  ACT (f, "kiosk.read-aloud");
  g_assert_false (reading (f));

  /* The idle reset goes the same way. */
  g_object_set (f->window, "idle-timeout", 60000, "idle-countdown", 60000, NULL);
  choose_language (f, "uk");
  g_object_set (f->window, "idle-timeout", 200, NULL);
  g_assert_true (kiosk_test_wait_screen (f, "idle", 3000));
  g_assert_nonnull (shown_button (f));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  ACT (f, "kiosk.start-over");
  g_assert_false (reading (f));
  g_assert_null (shown_button (f));
}

/* Tigrinya has no eSpeak NG voice: no button, and the action does nothing. */
static void
test_no_voice (KioskFixture  *f,
               gconstpointer  data)
{
  gboolean ti = has_voice ("ti");

  g_test_message ("Tigrinya voice: %s", ti ? "yes" : "no");
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
  kiosk_test_screenshot (f, "read-aloud-ti-question");
  ACT (f, "kiosk.help");
  g_assert_true ((shown_button (f) != NULL) == ti);
  /* Without the button the help screen has no top bar, as before. */
  if (!ti)
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->topbar)));
  ACT (f, "kiosk.help-done");

  /* The next resident picks a language with a voice: the button is back. */
  intake_kiosk_window_reset (f->window);
  choose_language (f, "ar");
  g_assert_nonnull (shown_button (f));
}

/* The storage error screen is read too, in the session's language. */
static void
test_storage_error (KioskFixture  *f,
                    gconstpointer  data)
{
  g_autofree char *text = NULL;

  choose_language (f, "tr");
  intake_kiosk_window_show_storage_error (f->window);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "storage-error");
  g_assert_nonnull (shown_button (f));
  text = intake_kiosk_window_dup_read_aloud_text (f->window);
  g_assert_nonnull (strstr (text, intake_catalog_lookup (catalog, "tr",
                                                         "Your answers could not be stored on this kiosk.")));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  ACT (f, "kiosk.start-over");
  g_assert_false (reading (f));
}

/* ---- What is read, and what never is ----------------------------------- */

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
  if (strstr (text, stripped) == NULL)
    g_error ("“%s” is not read aloud", stripped);
}

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

      /* Reading starts (and a real answer stays where it is). */
      ACT (f, "kiosk.read-aloud");
      g_assert_true (reading (f));
      ACT (f, "kiosk.next");
      g_assert_false (reading (f));
    }
  g_assert_true (typed_canary);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  /* The review shows the canary, but only its heading is read. */
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), CANARY));
  review = intake_kiosk_window_dup_read_aloud_text (f->window);
  g_assert_null (strstr (review, CANARY));
  assert_contains (review, intake_catalog_lookup (catalog, lang, "Check your answers"));
  g_assert_nonnull (shown_button (f));
  ACT (f, "kiosk.read-aloud");
  g_assert_true (reading (f));
  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  g_assert_false (reading (f));
  g_assert_null (shown_button (f));
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

#define ADD(path, func) \
  g_test_add (path, KioskFixture, NULL, kiosk_fixture_setup, func, kiosk_fixture_teardown)

  ADD ("/kiosk/read-aloud/toggle", test_toggle);
  ADD ("/kiosk/read-aloud/reset-stops", test_reset_stops);
  ADD ("/kiosk/read-aloud/no-voice", test_no_voice);
  ADD ("/kiosk/read-aloud/storage-error", test_storage_error);
  ADD ("/kiosk/read-aloud/question-text", test_question_text);

  ret = g_test_run ();
  g_clear_object (&catalog);
  return ret;
}

/* test-kiosk-window.c: the resident kiosk window, driven through its actions and real widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <sqlite3.h>
#include <math.h>
#include <string.h>

#include "intake-kiosk-tour.h"
#include "intake-kiosk-ui-enums.h"
#include "intake-kiosk-window-private.h"
#include "intake-outbox-private.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

#define ACT(f, name) gtk_widget_activate_action (GTK_WIDGET ((f)->window), (name), NULL)

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
  ACT (f, "kiosk.start");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
}

/* Gives @answer through the widgets and presses Next; asserts the kiosk
 * moved on (no calm "please check" message kept it there). */
static void
answer_and_next (KioskFixture         *f,
                 const IntakeQuestion *question,
                 const IntakeAnswer   *answer)
{
  IntakeSession *session = intake_kiosk_window_get_session (f->window);

  kiosk_test_give_answer (f, question, answer);
  ACT (f, "kiosk.next");
  g_assert_true (!g_str_equal (intake_kiosk_window_get_screen (f->window), "question") ||
                 intake_session_get_current (session) != question);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* ---- 1. A complete intake in each language ----------------------------- */

static void
test_complete_intake (KioskFixture  *f,
                      gconstpointer  data)
{
  const char *language = data;
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  g_autoptr(JsonNode) expected = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *answers = json_object_new ();
  JsonObject *qinfo = json_object_new ();
  JsonArray *declined_json = json_array_new ();
  JsonArray *skipped_json = json_array_new ();
  g_autoptr(GPtrArray) declined = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) opened = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *shot = NULL;
  guint before = kiosk_test_outbox_count (f);
  guint n = 0;

  if (!f->full_questionnaire)
    g_test_message ("resources/questionnaires/intake.json is missing or does not load: "
                    "using the fixture widened to eight languages");

  choose_language (f, language);
  while (g_str_equal (intake_kiosk_window_get_screen (f->window), "question"))
    {
      const IntakeQuestion *question = current_question (f);

      g_assert_cmpuint (n++, <, 200);
      if (declined->len == 0 && question->rather_not_say)
        {
          g_autoptr(IntakeAnswer) answer = intake_answer_new_declined ();

          g_ptr_array_add (declined, g_strdup (question->code));
          answer_and_next (f, question, answer);
        }
      else if (skipped->len == 0 && !question->required && n > 1)
        {
          g_ptr_array_add (skipped, g_strdup (question->code));
          ACT (f, "kiosk.skip");
        }
      else
        {
          g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, n);

          json_object_set_member (answers, question->code, intake_answer_to_json (answer));
          answer_and_next (f, question, answer);
        }
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  g_assert_cmpuint (declined->len, ==, 1);
  g_assert_cmpuint (skipped->len, ==, 1);

  shot = g_strdup_printf ("intake-%s-review", language);
  kiosk_test_screenshot (f, shot);

  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  g_assert_nonnull (intake_kiosk_window_get_reference (f->window));
  g_assert_null (intake_kiosk_window_get_session (f->window));
  g_assert_cmpuint (kiosk_test_outbox_count (f), ==, before + 1);

  g_ptr_array_sort (declined, compare_strings);
  g_ptr_array_sort (skipped, compare_strings);
  for (guint i = 0; i < declined->len; i++)
    json_array_add_string_element (declined_json, g_ptr_array_index (declined, i));
  for (guint i = 0; i < skipped->len; i++)
    json_array_add_string_element (skipped_json, g_ptr_array_index (skipped, i));
  json_object_set_string_member (qinfo, "hash", intake_questionnaire_get_hash (questionnaire));
  json_object_set_string_member (qinfo, "id", intake_questionnaire_get_id (questionnaire));
  json_object_set_int_member (qinfo, "version", intake_questionnaire_get_version (questionnaire));
  json_object_set_object_member (root, "answers", answers);
  json_object_set_array_member (root, "declined", declined_json);
  json_object_set_int_member (root, "format", 1);
  json_object_set_string_member (root, "language", language);
  json_object_set_object_member (root, "questionnaire", qinfo);
  json_object_set_array_member (root, "skipped", skipped_json);
  json_node_take_object (expected, root);

  opened = kiosk_test_open_newest (f);
  want = kiosk_test_canonical_without_times (expected);
  got = kiosk_test_canonical_without_times (opened);
  g_assert_cmpstr (got, ==, want);

  ACT (f, "kiosk.done");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
}

/* ---- 2. Conditions ---------------------------------------------------- */

/* Answers required questions with the test's answers and skips optional
 * ones until @code is shown. */
static void
walk_to (KioskFixture *f,
         const char   *code)
{
  for (guint guard = 0; guard < 100; guard++)
    {
      const IntakeQuestion *question;

      g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
      question = current_question (f);
      if (g_str_equal (question->code, code))
        return;
      if (question->required)
        {
          g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, 0);

          answer_and_next (f, question, answer);
        }
      else
        ACT (f, "kiosk.skip");
    }
  g_assert_not_reached ();
}

static void
walk_to_review (KioskFixture *f)
{
  for (guint guard = 0; guard < 100; guard++)
    {
      const IntakeQuestion *question;

      if (!g_str_equal (intake_kiosk_window_get_screen (f->window), "question"))
        break;
      question = current_question (f);
      if (question->required)
        {
          g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, 0);

          answer_and_next (f, question, answer);
        }
      else
        ACT (f, "kiosk.skip");
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
}

static gboolean
review_has_change_button (KioskFixture *f,
                          const char   *code)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      const char *target = g_object_get_data (G_OBJECT (widget), "question-code");

      if (GTK_IS_BUTTON (widget) && gtk_widget_is_visible (widget) && g_strcmp0 (target, code) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_conditions (KioskFixture  *f,
                 gconstpointer  data)
{
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  const IntakeQuestion *worked_before = intake_questionnaire_lookup_question (questionnaire, "worked_before");
  const IntakeQuestion *last_sector = intake_questionnaire_lookup_question (questionnaire, "last_sector");
  g_autoptr(IntakeAnswer) yes = intake_answer_new_boolean (TRUE);
  g_autoptr(IntakeAnswer) no = intake_answer_new_boolean (FALSE);
  g_autoptr(IntakeAnswer) logistics = intake_answer_new_choice ("logistics");
  const char *logistics_label;

  /* The fixture's "last_sector" is shown only when "worked_before" is yes. */
  g_assert_nonnull (worked_before);
  g_assert_nonnull (last_sector);
  logistics_label = intake_text_get (intake_question_lookup_option (last_sector, "logistics")->label, "nl");

  choose_language (f, "nl");
  walk_to (f, "worked_before");
  answer_and_next (f, worked_before, yes);
  g_assert_cmpstr (current_question (f)->code, ==, "last_sector");
  answer_and_next (f, last_sector, logistics);
  walk_to_review (f);
  g_assert_true (review_has_change_button (f, "last_sector"));
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), logistics_label));

  /* Change back: the extra screen and its answer disappear. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.change", "s", "worked_before");
  g_assert_cmpstr (current_question (f)->code, ==, "worked_before");
  kiosk_test_give_answer (f, worked_before, no);
  ACT (f, "kiosk.next");
  walk_to_review (f);
  g_assert_false (review_has_change_button (f, "last_sector"));
  g_assert_false (intake_session_has_answer (intake_kiosk_window_get_session (f->window), "last_sector"));
  g_assert_null (kiosk_test_find_text (GTK_WIDGET (f->window), logistics_label));

  /* And again to yes: the screen comes back, empty. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.change", "s", "worked_before");
  kiosk_test_give_answer (f, worked_before, yes);
  ACT (f, "kiosk.next");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_cmpstr (current_question (f)->code, ==, "last_sector");
  g_assert_null (intake_question_view_dup_answer (INTAKE_QUESTION_VIEW (intake_kiosk_window_get_question_view (f->window))));
  kiosk_test_screenshot (f, "conditions-last-sector-again");
}

/* ---- 3. Idle reset ------------------------------------------------------ */

static const IntakeQuestion *
first_text_question (IntakeQuestionnaire *questionnaire)
{
  const IntakeQuestion *digits = NULL;

  for (guint i = 0; i < intake_questionnaire_get_n_questions (questionnaire); i++)
    {
      const IntakeQuestion *question = intake_questionnaire_get_question (questionnaire, i);

      if (question->type != INTAKE_QUESTION_TYPE_SHORT_TEXT || question->visible_if != NULL)
        continue;
      if (question->text_kind == INTAKE_TEXT_KIND_TEXT)
        return question;
      if (question->text_kind == INTAKE_TEXT_KIND_DIGITS && digits == NULL)
        digits = question;
    }
  return digits;
}

static const char *
canary_for (const IntakeQuestion *question)
{
  return question->text_kind == INTAKE_TEXT_KIND_DIGITS ? "90817263545" : "Canary Quetzalcoatl";
}

static void
test_idle_reset (KioskFixture  *f,
                 gconstpointer  data)
{
  const IntakeQuestion *question = first_text_question (intake_kiosk_get_questionnaire (f->kiosk));
  GtkWidget *entry;
  IntakeSession *session;
  const char *canary;

  g_assert_nonnull (question);
  canary = canary_for (question);
  /* Long while the test walks (a loaded machine must not trip it), short below. */
  g_object_set (f->window, "idle-timeout", 60000, "idle-countdown", 1200, NULL);

  choose_language (f, "en");
  session = intake_kiosk_window_get_session (f->window);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  ACT (f, "kiosk.text-size");
  ACT (f, "kiosk.high-contrast");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->window), "text-large"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->window), "high-contrast"));

  walk_to (f, question->code);
  /* Into the session, onto the review, and typed again in the field. */
  entry = g_ptr_array_index (kiosk_test_find_by_class (intake_kiosk_window_get_question_view (f->window), "text-entry"), 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), canary);
  ACT (f, "kiosk.next");
  walk_to_review (f);
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), canary));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.change", "s", question->code);
  entry = g_ptr_array_index (kiosk_test_find_by_class (intake_kiosk_window_get_question_view (f->window), "text-entry"), 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, canary);
  gtk_editable_set_text (GTK_EDITABLE (entry), canary);

  g_object_set (f->window, "idle-timeout", 400, NULL);
  g_assert_true (kiosk_test_wait_screen (f, "idle", 3000));
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), "Seconds left: "));
  kiosk_test_screenshot (f, "idle-warning");
  g_assert_true (kiosk_test_wait_screen (f, "welcome", 5000));

  g_assert_null (session);
  g_assert_null (intake_kiosk_window_get_session (f->window));
  g_assert_null (kiosk_test_find_text (GTK_WIDGET (f->window), canary));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->window), "text-large"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->window), "high-contrast"));
  kiosk_test_screenshot (f, "idle-after-reset");
}

/* "I am still here" returns to the question with the answers kept. */
static void
test_idle_still_here (KioskFixture  *f,
                      gconstpointer  data)
{
  g_object_set (f->window, "idle-timeout", 300, "idle-countdown", 60000, NULL);
  choose_language (f, "nl");
  g_assert_true (kiosk_test_wait_screen (f, "idle", 3000));
  ACT (f, "kiosk.resume");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_nonnull (intake_kiosk_window_get_session (f->window));
}

/* ---- 4. Keyboard only ---------------------------------------------------- */

typedef struct {
  Display *display;
} Keys;

static void
key_tap (Keys   *keys,
         KeySym  sym,
         KeySym  modifier)
{
  KeyCode code = XKeysymToKeycode (keys->display, sym);
  KeyCode mod = modifier != NoSymbol ? XKeysymToKeycode (keys->display, modifier) : 0;

  g_assert_cmpuint (code, !=, 0);
  if (mod != 0)
    XTestFakeKeyEvent (keys->display, mod, True, CurrentTime);
  XTestFakeKeyEvent (keys->display, code, True, CurrentTime);
  XTestFakeKeyEvent (keys->display, code, False, CurrentTime);
  if (mod != 0)
    XTestFakeKeyEvent (keys->display, mod, False, CurrentTime);
  XFlush (keys->display);
  kiosk_test_spin (60);
}

static void
key_type (Keys       *keys,
          const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      KeySym sym = *p == ' ' ? XK_space : XStringToKeysym ((char[]) { *p, '\0' });

      g_assert_cmpuint (sym, !=, NoSymbol);
      key_tap (keys, sym, NoSymbol);
    }
}

static gboolean
wait_until_question_changes (KioskFixture         *f,
                             const IntakeQuestion *question,
                             guint                 timeout_ms)
{
  for (guint waited = 0; waited < timeout_ms; waited += 20)
    {
      if (!g_str_equal (intake_kiosk_window_get_screen (f->window), "question") ||
          current_question (f) != question)
        return TRUE;
      kiosk_test_spin (20);
    }
  return FALSE;
}

static void
test_keyboard_only (KioskFixture  *f,
                    gconstpointer  data)
{
  GdkDisplay *gdk_display = gtk_widget_get_display (GTK_WIDGET (f->window));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));
  Keys keys;
  int event_base, error_base, major, minor;
  Window xid;
  guint before = kiosk_test_outbox_count (f);

  if (!GDK_IS_X11_DISPLAY (gdk_display))
    {
      g_test_fail_printf ("the keyboard test needs an X display (Xvfb): real key events go through XTest");
      return;
    }
  keys.display = gdk_x11_display_get_xdisplay (gdk_display);
  g_assert_true (XTestQueryExtension (keys.display, &event_base, &error_base, &major, &minor));

  /* Make sure the window has the keyboard focus. */
  xid = gdk_x11_surface_get_xid (surface);
  XRaiseWindow (keys.display, xid);
  XSetInputFocus (keys.display, xid, RevertToParent, CurrentTime);
  XFlush (keys.display);
  for (guint i = 0; i < 100 && !gtk_window_is_active (GTK_WINDOW (f->window)); i++)
    kiosk_test_spin (20);
  g_assert_true (gtk_window_is_active (GTK_WINDOW (f->window)));

  /* Welcome: focus starts on the first language (Dutch). */
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "explanation", 2000));
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "question", 2000));

  for (guint guard = 0; guard < 100 &&
       g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
    {
      const IntakeQuestion *question = current_question (f);

      if (question->required)
        {
          switch (question->type)
            {
            case INTAKE_QUESTION_TYPE_DATE:
              key_type (&keys, "14");
              key_tap (&keys, XK_Tab, NoSymbol);
              key_type (&keys, "03");
              key_tap (&keys, XK_Tab, NoSymbol);
              key_type (&keys, "1984");
              break;
            case INTAKE_QUESTION_TYPE_SHORT_TEXT:
              key_type (&keys, question->text_kind == INTAKE_TEXT_KIND_TEXT ? "Sam" : "4711");
              break;
            case INTAKE_QUESTION_TYPE_NUMBER:
              key_type (&keys, "3");
              break;
            default:
              /* Focus is on the first answer: Space chooses it. */
              key_tap (&keys, XK_space, NoSymbol);
              kiosk_test_spin (300);
              break;
            }
        }
      /* Alt+Right is "Next"; with nothing given on an optional question it skips. */
      key_tap (&keys, XK_Right, XK_Alt_L);
      if (!wait_until_question_changes (f, question, 2000))
        {
          kiosk_test_screenshot (f, "keyboard-stuck");
          g_error ("the keyboard walk got stuck on question %s", question->code);
        }
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  /* Review: focus is on "Send my answers"; Escape would go back. */
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "thanks", 3000));
  g_assert_cmpuint (kiosk_test_outbox_count (f), ==, before + 1);
  kiosk_test_screenshot (f, "keyboard-thanks");
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "welcome", 3000));
}

/* Escape goes back, Ctrl+Alt+S opens the staff PIN screen. */
static void
test_keyboard_shortcuts (KioskFixture  *f,
                         gconstpointer  data)
{
  GdkDisplay *gdk_display = gtk_widget_get_display (GTK_WIDGET (f->window));
  Keys keys;
  Window xid;

  if (!GDK_IS_X11_DISPLAY (gdk_display))
    {
      g_test_fail_printf ("needs an X display (Xvfb)");
      return;
    }
  keys.display = gdk_x11_display_get_xdisplay (gdk_display);
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (f->window)));
  XSetInputFocus (keys.display, xid, RevertToParent, CurrentTime);
  XFlush (keys.display);
  for (guint i = 0; i < 100 && !gtk_window_is_active (GTK_WINDOW (f->window)); i++)
    kiosk_test_spin (20);

  choose_language (f, "nl");
  key_tap (&keys, XK_Escape, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "explanation", 2000));
  key_tap (&keys, XK_Escape, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "welcome", 2000));
  g_assert_null (intake_kiosk_window_get_session (f->window));

  XTestFakeKeyEvent (keys.display, XKeysymToKeycode (keys.display, XK_Control_L), True, CurrentTime);
  XTestFakeKeyEvent (keys.display, XKeysymToKeycode (keys.display, XK_Alt_L), True, CurrentTime);
  key_tap (&keys, XK_s, NoSymbol);
  XTestFakeKeyEvent (keys.display, XKeysymToKeycode (keys.display, XK_Alt_L), False, CurrentTime);
  XTestFakeKeyEvent (keys.display, XKeysymToKeycode (keys.display, XK_Control_L), False, CurrentTime);
  XFlush (keys.display);
  g_assert_true (kiosk_test_wait_screen (f, "staff-pin", 2000));
  key_tap (&keys, XK_Escape, NoSymbol);
  g_assert_true (kiosk_test_wait_screen (f, "welcome", 2000));
}

/* ---- 5. Right to left --------------------------------------------------- */

static void
test_rtl (KioskFixture  *f,
          gconstpointer  data)
{
  static const struct { const char *language; GtkTextDirection direction; } cases[] = {
    { "ar", GTK_TEXT_DIR_RTL }, { "fa", GTK_TEXT_DIR_RTL }, { "nl", GTK_TEXT_DIR_LTR },
  };
  GtkWidget *view = intake_kiosk_window_get_question_view (f->window);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shot = g_strdup_printf ("rtl-%s-question", cases[i].language);

      choose_language (f, cases[i].language);
      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (f->window)), ==, cases[i].direction);
      g_assert_cmpint (gtk_widget_get_direction (intake_question_view_get_heading (INTAKE_QUESTION_VIEW (view))),
                       ==, cases[i].direction);
      kiosk_test_screenshot (f, shot);
      ACT (f, "kiosk.start-over");
      g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (f->window)), ==, GTK_TEXT_DIR_LTR);
      g_assert_cmpint (gtk_widget_get_direction (intake_question_view_get_heading (INTAKE_QUESTION_VIEW (view))),
                       ==, GTK_TEXT_DIR_LTR);
    }
}

/* Long tool labels (Ukrainian, Polish) must wrap, never make the window
 * wider than a 1280-pixel kiosk screen, at any text size. */
static void
test_fits_screen (KioskFixture  *f,
                  gconstpointer  data)
{
  static const char * const languages[] = { "nl", "en", "ar", "tr", "fa", "ti", "uk", "pl" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      choose_language (f, languages[i]);
      for (guint size = 0; size < 3; size++)
        {
          int minimum = 0;

          gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1,
                              &minimum, NULL, NULL, NULL);
          if (minimum > 1280)
            g_error ("%s, text size step %u: the question screen needs %d px", languages[i], size, minimum);
          ACT (f, "kiosk.text-size");
        }
      ACT (f, "kiosk.start-over");
      g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
    }
}

/* ---- 7. Storage failure ------------------------------------------------- */

static void
test_storage_failure (KioskFixture  *f,
                      gconstpointer  data)
{
  const IntakeQuestion *question = first_text_question (intake_kiosk_get_questionnaire (f->kiosk));
  sqlite3 *db = intake_outbox_get_db (intake_kiosk_get_outbox (f->kiosk));
  guint before = kiosk_test_outbox_count (f);
  const char *canary;
  GtkWidget *entry;

  g_assert_nonnull (question);
  canary = canary_for (question);
  choose_language (f, "tr");
  walk_to (f, question->code);
  entry = g_ptr_array_index (kiosk_test_find_by_class (intake_kiosk_window_get_question_view (f->window), "text-entry"), 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), canary);
  ACT (f, "kiosk.next");
  walk_to_review (f);
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), canary));

  g_assert_cmpint (sqlite3_exec (db, "PRAGMA query_only=1", NULL, NULL, NULL), ==, SQLITE_OK);
  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "A submission could not be stored*");
  ACT (f, "kiosk.submit");
  g_test_assert_expected_messages ();
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA query_only=0", NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "storage-error");
  g_assert_cmpuint (kiosk_test_outbox_count (f), ==, before);
  g_assert_null (intake_kiosk_window_get_session (f->window));
  g_assert_null (kiosk_test_find_text (GTK_WIDGET (f->window), canary));
  kiosk_test_screenshot (f, "storage-error");

  ACT (f, "kiosk.start-over");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
}

/* ---- 8. Staff --------------------------------------------------------- */

static gboolean
has_row (KioskFixture *f,
         const char   *title,
         const char   *subtitle)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (ADW_IS_ACTION_ROW (widget) && gtk_widget_is_visible (widget) &&
          (title == NULL || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0) &&
          g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)), subtitle) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
label_shows (KioskFixture *f,
             const char   *text,
             guint         timeout_ms)
{
  for (guint waited = 0; waited <= timeout_ms; waited += 20)
    {
      GtkWidget *widget = kiosk_test_find_text (GTK_WIDGET (f->window), text);

      if (widget != NULL && gtk_widget_is_visible (widget))
        return TRUE;
      kiosk_test_spin (20);
    }
  return FALSE;
}

static void
test_staff (KioskFixture  *f,
            gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pin_entries = NULL;
  /* The request's language, and that only this kiosk has it (no sync engine). */
  g_autofree char *arabic = g_strdup_printf ("%s · %s",
                                             intake_questionnaire_lookup_language (intake_kiosk_get_questionnaire (f->kiosk), "ar")->name,
                                             intake_catalog_lookup (f->window->catalog, "nl", "not sent yet: only this kiosk shows it"));
  GtkWidget *pin;

  /* No PIN yet. */
  ACT (f, "kiosk.staff");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "staff-pin");
  g_assert_true (label_shows (f, intake_catalog_lookup (catalog, "nl", "No staff PIN set: run intake-kiosk --set-pin"), 0));
  ACT (f, "kiosk.staff-cancel");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");

  intake_kiosk_set_pin (f->state_dir, "480215", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (f->kiosk, 2, 7, &error), ==, 2);
  g_assert_no_error (error);

  /* A resident asks for help, then staff come. */
  choose_language (f, "ar");
  ACT (f, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  ACT (f, "kiosk.help-done");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");

  ACT (f, "kiosk.staff");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "staff-pin");
  pin_entries = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-pin");
  g_assert_cmpuint (pin_entries->len, ==, 1);
  pin = g_ptr_array_index (pin_entries, 0);

  gtk_editable_set_text (GTK_EDITABLE (pin), "135790");
  ACT (f, "kiosk.staff-open");
  g_assert_true (label_shows (f, intake_catalog_lookup (catalog, "nl", "Wrong PIN"), 15000));
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "staff-pin");
  g_assert_nonnull (intake_kiosk_window_get_session (f->window));

  gtk_editable_set_text (GTK_EDITABLE (pin), "480215");
  ACT (f, "kiosk.staff-open");
  g_assert_true (kiosk_test_wait_screen (f, "staff", 15000));
  g_assert_null (intake_kiosk_window_get_session (f->window));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pin)), ==, "");
  g_assert_true (has_row (f, intake_catalog_lookup (catalog, "nl", "Waiting to be sent"), "2"));
  g_assert_true (has_row (f, NULL, arabic));
  kiosk_test_screenshot (f, "staff");

  ACT (f, "kiosk.staff-resolve-help");
  g_assert_false (has_row (f, NULL, arabic));
  ACT (f, "kiosk.staff-close");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
}

/* ---- Staff: the "Sending" section of a kiosk that is not enrolled -------- */

static GtkWidget *
visible_button (KioskFixture *f,
                const char   *label)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_BUTTON (widget) && gtk_widget_is_visible (widget) &&
          g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
        return widget;
    }
  return NULL;
}

/* Scrolls the page holding the text @needle so that it is near the top,
 * for a screenshot of what is below the fold. */
static void
scroll_to_text (KioskFixture *f,
                const char   *needle)
{
  GtkWidget *widget = kiosk_test_find_text (GTK_WIDGET (f->window), needle);
  GtkWidget *scroller, *content;
  GtkAdjustment *adjustment;
  graphene_point_t point;

  g_assert_nonnull (widget);
  scroller = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scroller);
  /* The viewport's child is laid out in page coordinates. */
  content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller))));
  g_assert_true (gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &point));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, point.y - 300);
}

static void
open_staff_screen (KioskFixture *f)
{
  g_autoptr(GPtrArray) pin_entries = NULL;
  g_autoptr(GError) error = NULL;

  if (!intake_kiosk_has_pin (f->kiosk))
    {
      intake_kiosk_set_pin (f->state_dir, "480215", &error);
      g_assert_no_error (error);
    }
  ACT (f, "kiosk.staff");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "staff-pin");
  pin_entries = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-pin");
  g_assert_cmpuint (pin_entries->len, ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (pin_entries, 0)), "480215");
  ACT (f, "kiosk.staff-open");
  g_assert_true (kiosk_test_wait_screen (f, "staff", 15000));
}

static void
test_staff_sync_not_enrolled (KioskFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  g_autofree char *fingerprint = intake_office_public_dup_fingerprint (intake_kiosk_get_office (f->kiosk));
  const char *not_enrolled_text = intake_sync_status_to_string (INTAKE_SYNC_STATUS_NOT_ENROLLED, "nl");
  IntakeSync *sync;
  IntakeSync *got = NULL;
  guint notified = 0;

#define NL(msgid) intake_catalog_lookup (catalog, "nl", msgid)

  g_assert_nonnull (fingerprint);
  g_assert_cmpuint (strlen (fingerprint), >=, 32);
  /* The staff language of these tests is Dutch: the section must be too. */
  g_assert_cmpstr (NL ("Sending"), ==, "Verzending");
  g_assert_cmpstr (NL ("Not enrolled"), ==, "Niet gekoppeld");
  g_assert_cmpstr (NL ("Send now"), ==, "Nu verzenden");

  /* Without a sync engine (tests, a kiosk that never sends). */
  g_assert_null (intake_kiosk_window_get_sync (f->window));
  open_staff_screen (f);
  g_assert_true (label_shows (f, NL ("Sending"), 0));
  g_assert_true (has_row (f, NL ("Connection with the office"), NL ("Not enrolled")));
  g_assert_true (has_row (f, NL ("Server address"), "—"));
  g_assert_true (has_row (f, NL ("Current status"), not_enrolled_text));
  g_assert_true (has_row (f, NL ("Last successful contact"), NL ("Never")));
  g_assert_true (has_row (f, NL ("Office key fingerprint"), fingerprint));
  g_assert_true (has_row (f, NL ("Waiting to be sent"), "0"));
  g_assert_false (has_row (f, NL ("Last problem"), NULL));
  g_assert_null (visible_button (f, NL ("Send now")));
  kiosk_test_screenshot (f, "staff-sync-none");

  /* An engine for a kiosk that is not enrolled, given while the staff
   * screen is shown: the section is rebuilt with a "Send now" button. */
  sync = intake_sync_new (f->kiosk);
  g_signal_connect_swapped (f->window, "notify::sync", G_CALLBACK (g_atomic_int_inc), &notified);
  g_object_set (f->window, "sync", sync, NULL);
  g_object_set (f->window, "sync", sync, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (f->window, "sync", &got, NULL);
  g_assert_true (got == sync);
  g_clear_object (&got);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "staff");
  g_assert_true (has_row (f, NL ("Connection with the office"), NL ("Not enrolled")));
  g_assert_true (has_row (f, NL ("Current status"), not_enrolled_text));
  g_assert_true (has_row (f, NL ("Office key fingerprint"), fingerprint));
  g_assert_nonnull (visible_button (f, NL ("Send now")));

  /* "Send now" cannot send, and says so in plain words; the status line
   * already tells why, so no separate "last problem" row. */
  ACT (f, "kiosk.staff-sync-now");
  g_assert_true (label_shows (f, NL ("Not sent. The current status above says why."), 5000));
  g_assert_true (has_row (f, NL ("Send now"), NL ("Not sent. The current status above says why.")));
  g_assert_cmpstr (intake_sync_get_last_error (sync), ==, not_enrolled_text);
  g_assert_true (has_row (f, NL ("Current status"), not_enrolled_text));
  g_assert_false (has_row (f, NL ("Last problem"), NULL));
  kiosk_test_screenshot (f, "staff-sync-not-enrolled");
  scroll_to_text (f, NL ("Office key fingerprint"));
  kiosk_test_screenshot (f, "staff-sync-not-enrolled-key");
  scroll_to_text (f, NL ("Translation status"));
  kiosk_test_screenshot (f, "staff-sync-not-enrolled-languages");

  /* A submission pokes the engine (it is not running: nothing is sent) and
   * the counts on the staff screen follow its "changed" signal. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (f->kiosk, 1, 3, NULL), ==, 1);
  intake_sync_poke (sync);
  g_assert_true (has_row (f, NL ("Waiting to be sent"), "1"));

  ACT (f, "kiosk.staff-close");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
  g_assert_false (has_row (f, NL ("Office key fingerprint"), fingerprint));

  intake_kiosk_window_set_sync (f->window, NULL);
  g_assert_null (intake_kiosk_window_get_sync (f->window));
  g_assert_finalize_object (sync);
#undef NL
}

/* ---- Help returns to where the resident was ------------------------------ */

static void
test_help_returns (KioskFixture  *f,
                   gconstpointer  data)
{
  GArray *requests;
  g_autoptr(GError) error = NULL;

  choose_language (f, "uk");
  ACT (f, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  ACT (f, "kiosk.back");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");

  requests = intake_outbox_list_help_requests (intake_kiosk_get_outbox (f->kiosk), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (requests->len, ==, 1);
  g_assert_cmpstr (g_array_index (requests, IntakeHelpRequest, 0).language, ==, "uk");
  g_array_unref (requests);

  /* Stop and clear, after the calm question. */
  ACT (f, "kiosk.stop");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "confirm-stop");
  ACT (f, "kiosk.resume");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  ACT (f, "kiosk.stop");
  ACT (f, "kiosk.start-over");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
  g_assert_null (intake_kiosk_window_get_session (f->window));
}

/* ---- A shorter, steadier flow ------------------------------------------- */

static void
focus_window (KioskFixture *f,
              Keys         *keys)
{
  GdkDisplay *gdk_display = gtk_widget_get_display (GTK_WIDGET (f->window));
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (f->window)));

  keys->display = gdk_x11_display_get_xdisplay (gdk_display);
  XRaiseWindow (keys->display, xid);
  XSetInputFocus (keys->display, xid, RevertToParent, CurrentTime);
  XFlush (keys->display);
  for (guint i = 0; i < 100 && !gtk_window_is_active (GTK_WINDOW (f->window)); i++)
    kiosk_test_spin (20);
  g_assert_true (gtk_window_is_active (GTK_WINDOW (f->window)));
}

/* "Part 3 of 9 · Question 12 of 40": the parts, and a total that never
 * shrinks as the resident goes on; the explanation says how long it takes. */
static void
test_progress_steady (KioskFixture  *f,
                      gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *minutes = NULL;
  guint last_total = 0, guard = 0;
  gint64 estimate;

  if (!f->full_questionnaire)
    {
      g_test_fail_printf ("needs resources/questionnaires/intake.json");
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", "nl");
  /* The explanation: how long, and one point per line. */
  estimate = intake_kiosk_window_estimate_minutes (f->window);
  g_assert_cmpint (estimate, ==, 15);
  minutes = g_strdup_printf ("Dit duurt ongeveer %" G_GINT64_FORMAT " minuten.", estimate);
  g_assert_cmpstr (gtk_label_get_text (f->window->explanation_time), ==, minutes);
  {
    guint points = 0;

    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (f->window->explanation_points)); row != NULL;
         row = gtk_widget_get_next_sibling (row))
      points++;
    g_assert_cmpuint (points, ==, 8);
  }
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), "Wat u antwoordt, verandert niets aan uw uitkering."));
  kiosk_test_screenshot (f, "explanation-points-nl");
  ACT (f, "kiosk.start");

  g_assert_cmpstr (gtk_label_get_text (f->window->progress_label), ==, "Deel 1 van 9 · Vraag 1 van 40");
  while (g_str_equal (intake_kiosk_window_get_screen (f->window), "question") && guard++ < 100)
    {
      const IntakeQuestion *question = current_question (f);
      g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, guard);
      IntakeSessionProgress progress;

      intake_session_get_progress (intake_kiosk_window_get_session (f->window), &progress);
      g_assert_cmpuint (progress.total, >=, last_total);
      g_assert_cmpuint (progress.total, >=, 40);
      g_assert_cmpuint (progress.n_sections, ==, 9);
      last_total = progress.total;
      answer_and_next (f, question, answer);
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  g_assert_cmpuint (last_total, <=, 49);
}

/* Long lists say there is more below; the cue scrolls, and goes at the end. */
static gboolean
cue_shown (KioskFixture *f)
{
  return gtk_widget_get_visible (f->window->question_more);
}

static void
test_scroll_cue (KioskFixture  *f,
                 gconstpointer  data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (f->window->question_scroller);

  choose_language (f, "nl");
  g_object_set (f->window, "text-size", INTAKE_TEXT_SIZE_LARGER, NULL);
  walk_to (f, "sector_wish");
  kiosk_test_spin (200);
  g_assert_true (cue_shown (f));
  g_assert_true (GTK_IS_BUTTON (f->window->question_more));
  g_assert_nonnull (kiosk_test_find_text (f->window->question_more, "Er staat meer onder"));
  kiosk_test_screenshot (f, "scroll-cue-larger");
  for (guint i = 0; i < 40 && cue_shown (f); i++)
    {
      double before = gtk_adjustment_get_value (adjustment);

      g_signal_emit_by_name (f->window->question_more, "clicked");
      kiosk_test_spin (50);
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, before);
    }
  g_assert_false (cue_shown (f));
  /* A short question has none. */
  g_object_set (f->window, "text-size", INTAKE_TEXT_SIZE_NORMAL, NULL);
  ACT (f, "kiosk.skip");
  kiosk_test_spin (200);
  if (current_question (f)->type == INTAKE_QUESTION_TYPE_NUMBER)
    g_assert_false (cue_shown (f));
}

/* Enter goes to Next on choice questions too: on a card of a one-answer
 * question it chooses it; on check boxes it goes on with what is ticked. */
static void
test_enter_is_next (KioskFixture  *f,
                    gconstpointer  data)
{
  Keys keys;
  IntakeSession *session;
  const IntakeQuestion *question;

  if (!GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (f->window))))
    {
      g_test_fail_printf ("needs an X display (Xvfb): real key events go through XTest");
      return;
    }
  focus_window (f, &keys);
  choose_language (f, "nl");
  session = intake_kiosk_window_get_session (f->window);
  walk_to (f, "preferred_language");
  question = current_question (f);
  kiosk_test_spin (100);
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (wait_until_question_changes (f, question, 3000));
  g_assert_cmpstr (intake_answer_get_string (intake_session_get_answer (session, "preferred_language")), ==,
                   question->options[0].code);

  walk_to (f, "sector_wish");
  question = current_question (f);
  kiosk_test_spin (100);
  key_tap (&keys, XK_space, NoSymbol);
  kiosk_test_spin (300);
  key_tap (&keys, XK_Return, NoSymbol);
  g_assert_true (wait_until_question_changes (f, question, 3000));
  g_assert_true (intake_answer_has_choice (intake_session_get_answer (session, "sector_wish"), question->options[0].code));
  g_assert_cmpuint (intake_answer_get_n_choices (intake_session_get_answer (session, "sector_wish")), ==, 1);
}

/* Text size: 1, 1.5 and 2 times, its state shown, the button where it was,
 * and the column as much wider. */
static void
test_text_size_steps (KioskFixture  *f,
                      gconstpointer  data)
{
  const char *const classes[] = { NULL, "text-large", "text-larger" };
  const int widths[] = { 860, 1290, 1720 };
  graphene_point_t first = { 0, 0 };
  int heights[3] = { 0, 0, 0 };

  choose_language (f, "nl");
  walk_to (f, "preferred_language");
  for (guint step = 0; step < 3; step++)
    {
      GtkWidget *heading = intake_question_view_get_heading (INTAKE_QUESTION_VIEW (intake_kiosk_window_get_question_view (f->window)));
      g_autoptr(GPtrArray) current = kiosk_test_find_by_class (GTK_WIDGET (f->window->text_size_button), "kiosk-size-current");
      g_autofree char *state = g_strdup_printf ("Grootte %u van 3", step + 1);
      g_autofree char *name = g_strdup_printf ("text-size-%u", step + 1);
      graphene_point_t here;
      PangoLayout *layout;
      int pango_height;

      if (step > 0)
        ACT (f, "kiosk.text-size");
      kiosk_test_screenshot (f, name);
      if (classes[step] != NULL)
        g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->window), classes[step]));
      g_assert_cmpuint (current->len, ==, 1);
      g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (current, 0), "kiosk-size-step"));
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (f->window->text_size_button),
                                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
      g_assert_true (gtk_test_accessible_check_property (GTK_ACCESSIBLE (f->window->text_size_button),
                                                         GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state) == NULL);
      /* The button did not move: the finger that pressed it is still on it. */
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f->window->text_size_button), GTK_WIDGET (f->window),
                                               &GRAPHENE_POINT_INIT (0, 0), &here));
      if (step == 0)
        first = here;
      g_assert_cmpfloat (fabs (here.x - first.x), <, 0.5);
      g_assert_cmpfloat (fabs (here.y - first.y), <, 0.5);
      g_assert_cmpint (adw_clamp_get_maximum_size (f->window->question_clamp), ==, widths[step]);
      /* One line of the question, 1, 1.5 and 2 times as high. */
      layout = gtk_label_get_layout (GTK_LABEL (heading));
      pango_layout_get_pixel_size (layout, NULL, &pango_height);
      heights[step] = pango_height / MAX (1, pango_layout_get_line_count (layout));
    }
  g_assert_cmpfloat ((double) heights[1] / heights[0], >, 1.4);
  g_assert_cmpfloat ((double) heights[2] / heights[0], >, 1.9);
  /* Round again to normal. */
  ACT (f, "kiosk.text-size");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->window), "text-larger"));
  g_assert_cmpint (adw_clamp_get_maximum_size (f->window->question_clamp), ==, 860);
}

/* ---- Help: on every screen, one request per session, the timer waits --- */

static guint
help_request_count (KioskFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) requests = intake_outbox_list_help_requests (intake_kiosk_get_outbox (f->kiosk), FALSE, &error);

  g_assert_no_error (error);
  return requests->len;
}

/* The help button is on the screen, in the top bar, and works: it shows
 * the help screen, and "back" returns to @screen. */
static void
assert_help_works (KioskFixture *f,
                   const char   *screen)
{
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, screen);
  kiosk_test_spin (50);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->help_button)));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (f->window->help_button)));
  ACT (f, "kiosk.help");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->help_button)));
  ACT (f, "kiosk.help-done");
  if (g_str_equal (screen, "idle") || g_str_equal (screen, "confirm-stop"))
    g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  else
    g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, screen);
}

static void
test_help_every_screen (KioskFixture  *f,
                        gconstpointer  data)
{
  assert_help_works (f, "welcome");
  choose_language (f, "ar");
  ACT (f, "kiosk.back");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", "ar");
  assert_help_works (f, "explanation");
  ACT (f, "kiosk.start");
  assert_help_works (f, "question");
  ACT (f, "kiosk.stop");
  assert_help_works (f, "confirm-stop");
  intake_kiosk_window_show_idle_warning (f->window);
  assert_help_works (f, "idle");
  walk_to_review (f);
  assert_help_works (f, "review");
  ACT (f, "kiosk.submit");
  assert_help_works (f, "thanks");
  intake_kiosk_window_show_storage_error (f->window);
  assert_help_works (f, "storage-error");

  /* One resident, one request, however often they pressed. */
  g_assert_cmpuint (help_request_count (f), ==, 1);
  intake_kiosk_window_reset (f->window);
  ACT (f, "kiosk.help");
  g_assert_cmpuint (help_request_count (f), ==, 2);
  /* Without a sync engine the kiosk says it could not send it. */
  g_assert_cmpint (intake_kiosk_window_get_help_state (f->window), ==, INTAKE_HELP_NOT_SENT);
  g_assert_cmpstr (gtk_label_get_text (f->window->help_told), ==,
                   intake_catalog_lookup (f->window->catalog, "nl",
                                          "This kiosk cannot send your request now. Please go to the counter and say that you would like help."));
}

/* While the help screen is shown the idle timer waits (the resident went to
 * the counter), and the screen says the answers are kept; after help-hold
 * the usual idle warning comes, and "I am still here" returns to help. */
static void
test_help_waits (KioskFixture  *f,
                 gconstpointer  data)
{
  IntakeSession *session;

  g_object_set (f->window, "idle-timeout", 300, "idle-countdown", 60000, "help-hold", 2000, NULL);
  choose_language (f, "nl");
  session = intake_kiosk_window_get_session (f->window);
  ACT (f, "kiosk.help");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->help_kept)));
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), "We bewaren uw antwoorden terwijl u hulp krijgt."));
  kiosk_test_spin (1000);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  g_assert_true (intake_kiosk_window_get_session (f->window) == session);
  kiosk_test_screenshot (f, "help-waits");

  g_assert_true (kiosk_test_wait_screen (f, "idle", 5000));
  g_assert_true (intake_kiosk_window_get_session (f->window) == session);
  ACT (f, "kiosk.resume");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "help");
  ACT (f, "kiosk.help-done");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  /* Back at the questions the timer runs again. */
  g_assert_true (kiosk_test_wait_screen (f, "idle", 5000));

  /* Help before a language is chosen keeps nothing and says nothing about answers. */
  intake_kiosk_window_reset (f->window);
  ACT (f, "kiosk.help");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->help_kept)));
}

/* A required question without an answer gets a calm message, not a move. */
static void
test_required_message (KioskFixture  *f,
                       gconstpointer  data)
{
  const IntakeQuestion *question;

  choose_language (f, "nl");
  question = current_question (f);
  g_assert_true (question->required);
  ACT (f, "kiosk.next");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "question");
  g_assert_true (current_question (f) == question);
  kiosk_test_screenshot (f, "required-message");
}


/* ---- The accessibility tree ------------------------------------------- */

/* Only the shown screen is in the tree: GTK 4.8 keeps a stack's other
 * pages there (visible, never "showing"), so the window hides them. */
static void
assert_only_screen_shown (KioskFixture *f)
{
  g_autoptr(GPtrArray) stacks = g_ptr_array_new ();
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    if (GTK_IS_STACK (g_ptr_array_index (widgets, i)))
      g_ptr_array_add (stacks, g_ptr_array_index (widgets, i));
  g_assert_cmpuint (stacks->len, >=, 2);  /* the screens and the staff page's */

  for (guint i = 0; i < stacks->len; i++)
    {
      GtkStack *stack = g_ptr_array_index (stacks, i);
      GtkWidget *shown = gtk_stack_get_visible_child (stack);

      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
           child != NULL; child = gtk_widget_get_next_sibling (child))
        if (child != shown && gtk_widget_get_visible (child))
          g_error ("screen %s: page %s of a stack is hidden from view but visible to accessibility",
                   intake_kiosk_window_get_screen (f->window),
                   gtk_stack_page_get_name (gtk_stack_get_page (stack, child)));
    }
}

static void
test_accessible_tree (KioskFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget *message;
  GtkWidget *pin;

  assert_only_screen_shown (f);
  /* The staff PIN field is nowhere in the tree on a resident screen. */
  {
    g_autoptr(GPtrArray) pins = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-pin");

    g_assert_cmpuint (pins->len, ==, 0);
  }

  choose_language (f, "nl");
  assert_only_screen_shown (f);

  /* A message is an alert that takes focus, so that it is announced. */
  ACT (f, "kiosk.next");
  message = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_has_css_class (message, "question-message"));
  gtk_test_accessible_assert_role (message, GTK_ACCESSIBLE_ROLE_ALERT);

  /* Every "Change" on the review has a name of its own. */
  intake_kiosk_window_reset (f->window);
  choose_language (f, "nl");
  for (guint guard = 0; guard < 200 && g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
    {
      const IntakeQuestion *question = current_question (f);
      g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, guard);

      answer_and_next (f, question, answer);
      assert_only_screen_shown (f);
    }
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  assert_only_screen_shown (f);
  changes = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-review-change");
  g_assert_cmpuint (changes->len, >, 10);
  for (guint i = 0; i < changes->len; i++)
    {
      GtkWidget *change = g_ptr_array_index (changes, i);
      const char *code = g_object_get_data (G_OBJECT (change), "question-code");
      const IntakeQuestion *question =
        intake_questionnaire_lookup_question (intake_kiosk_get_questionnaire (f->kiosk), code);
      g_autofree char *name = g_strdup_printf ("Veranderen: %s", intake_text_get (question->text, "nl"));

      gtk_test_accessible_assert_property (change, GTK_ACCESSIBLE_PROPERTY_LABEL, name);
      g_assert_true (g_hash_table_add (names, g_steal_pointer (&name)));
    }

  /* Nothing closes the kiosk but the staff exit. */
  gtk_window_close (GTK_WINDOW (f->window));
  kiosk_test_spin (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  /* The action an accessibility client sees on the frame (disabled too). */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "window.close", NULL);
  kiosk_test_spin (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  intake_kiosk_set_pin (f->state_dir, "480215", &error);
  g_assert_no_error (error);
  ACT (f, "kiosk.staff");
  assert_only_screen_shown (f);
  {
    g_autoptr(GPtrArray) pins = kiosk_test_find_by_class (GTK_WIDGET (f->window), "kiosk-pin");

    g_assert_cmpuint (pins->len, ==, 1);
    pin = g_ptr_array_index (pins, 0);
  }
  gtk_editable_set_text (GTK_EDITABLE (pin), "480215");
  ACT (f, "kiosk.staff-open");
  g_assert_true (kiosk_test_wait_screen (f, "staff", 15000));
  assert_only_screen_shown (f);
  {
    GtkWidget *window = GTK_WIDGET (f->window);

    /* Without an application the staff exit closes the window. */
    g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
    ACT (f, "kiosk.staff-exit");
    for (guint i = 0; i < 100 && window != NULL; i++)
      kiosk_test_spin (10);
    g_assert_null (window);
  }
  /* A window for the fixture's teardown to destroy. */
  f->window = intake_kiosk_window_new (NULL, f->kiosk, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
}


/* ---- Fonts: one per script, on every screen ---------------------------- */

/* The family each script must come from (style.css, intake-kiosk-fonts.c). */
static const char *
family_for_script (GUnicodeScript script)
{
  switch ((int) script)
    {
    case G_UNICODE_SCRIPT_ARABIC:
      return "Noto Sans Arabic UI";
    case G_UNICODE_SCRIPT_ETHIOPIC:
      return "Noto Sans Ethiopic";
    case G_UNICODE_SCRIPT_LATIN:
    case G_UNICODE_SCRIPT_CYRILLIC:
      return "Noto Sans";
    default:
      return NULL;  /* digits, spaces, punctuation: any of the kiosk's */
    }
}

static guint
check_label_fonts (GtkLabel   *label,
                   const char *lang,
                   const char *screen)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  PangoLayoutIter *iter;
  guint runs = 0;

  if (*gtk_label_get_text (label) == '\0')
    return 0;

  /* The session's language, but for a language's own name. */
  if (!gtk_widget_has_css_class (GTK_WIDGET (label), "kiosk-own-language"))
    {
      PangoAttrList *attrs = gtk_label_get_attributes (label);
      PangoAttrIterator *attr_iter;
      PangoAttribute *attr;

      g_assert_nonnull (attrs);
      attr_iter = pango_attr_list_get_iterator (attrs);
      attr = pango_attr_iterator_get (attr_iter, PANGO_ATTR_LANGUAGE);
      if (attr == NULL || g_strcmp0 (pango_language_to_string (((PangoAttrLanguage *) attr)->value), lang) != 0)
        g_error ("%s: the label “%s” is not in language %s", screen, gtk_label_get_text (label), lang);
      pango_attr_iterator_destroy (attr_iter);
    }

  iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
      g_autoptr(PangoFontDescription) description = NULL;
      const char *family;
      const char *want;

      if (run == NULL)
        continue;
      description = pango_font_describe (run->item->analysis.font);
      family = pango_font_description_get_family (description);
      want = NULL;
      /* The script of the run's first letter: runs of spaces, digits,
       * punctuation and invisible isolates may come from any kiosk font. */
      {
        const char *text = gtk_label_get_text (label) + run->item->offset;
        const char *end = text + run->item->length;

        for (const char *p = text; p < end; p = g_utf8_next_char (p))
          if (g_unichar_isalpha (g_utf8_get_char (p)))
            {
              want = family_for_script (g_unichar_get_script (g_utf8_get_char (p)));
              break;
            }
      }
      runs++;
      if (gtk_widget_has_css_class (GTK_WIDGET (label), "kiosk-reference"))
        want = "Noto Sans Mono";
      if (want != NULL && g_strcmp0 (family, want) != 0)
        g_error ("%s: “%.*s” in the label “%s” is drawn with %s, not %s", screen,
                 run->item->length, gtk_label_get_text (label) + run->item->offset,
                 gtk_label_get_text (label), family, want);
      if (want == NULL && !g_str_has_prefix (family, "Noto Sans"))
        g_error ("%s: “%.*s” is drawn with %s, not one of the kiosk's fonts", screen,
                 run->item->length, gtk_label_get_text (label) + run->item->offset, family);
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return runs;
}

static guint
check_screen_fonts (KioskFixture *f,
                    const char   *lang)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  const char *screen = intake_kiosk_window_get_screen (f->window);
  guint runs = 0;

  intake_kiosk_wait_for_frames (GTK_WIDGET (f->window), 1);
  kiosk_test_collect_widgets (GTK_WIDGET (f->window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget))
        runs += check_label_fonts (GTK_LABEL (widget), lang, screen);
    }
  return runs;
}

/* The body of an Arabic letter as tall as the Latin x-height, measured in
 * a label styled like the kiosk's text. */
static void
check_x_height (KioskFixture *f)
{
  GtkWidget *label = gtk_label_new (NULL);
  PangoRectangle latin, arabic;

  gtk_widget_add_css_class (label, "kiosk-body");
  gtk_box_append (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (f->window->welcome_choose))), label);
  gtk_label_set_text (GTK_LABEL (label), "xvz");
  pango_layout_get_pixel_extents (gtk_label_get_layout (GTK_LABEL (label)), &latin, NULL);
  /* Seen, medial: a tooth with no ascender, descender or dots. */
  gtk_label_set_text (GTK_LABEL (label), "ـسـ");
  pango_layout_get_pixel_extents (gtk_label_get_layout (GTK_LABEL (label)), &arabic, NULL);
  g_test_message ("x-height %d px, Arabic body %d px", latin.height, arabic.height);
  g_assert_cmpfloat ((double) arabic.height / latin.height, >, 0.85);
  g_assert_cmpfloat ((double) arabic.height / latin.height, <, 1.15);
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (label)), label);
}

static void
test_fonts (KioskFixture  *f,
            gconstpointer  data)
{
  static const char *const languages[] = { "ar", "ti", "fa", "uk", "nl" };

  check_x_height (f);
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    for (guint contrast = 0; contrast < 2; contrast++)
      {
        const char *lang = languages[l];
        guint runs = 0;

        g_object_set (f->window, "high-contrast", contrast == 1, NULL);
        runs += check_screen_fonts (f, "nl");
        gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", lang);
        g_object_set (f->window, "high-contrast", contrast == 1, NULL);
        runs += check_screen_fonts (f, lang);
        ACT (f, "kiosk.start");
        for (guint guard = 0; guard < 200 && g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
          {
            const IntakeQuestion *question = current_question (f);
            g_autoptr(IntakeAnswer) answer = kiosk_test_choose_answer (question, guard);

            /* Every type once is enough; all questions in Arabic. */
            if (guard < 12 || g_str_equal (lang, "ar"))
              runs += check_screen_fonts (f, lang);
            answer_and_next (f, question, answer);
          }
        runs += check_screen_fonts (f, lang);  /* review */
        ACT (f, "kiosk.help");
        runs += check_screen_fonts (f, lang);
        ACT (f, "kiosk.help-done");
        ACT (f, "kiosk.submit");
        runs += check_screen_fonts (f, lang);  /* thanks, the code */
        g_test_message ("%s%s: %u runs of text checked", lang, contrast ? " (high contrast)" : "", runs);
        intake_kiosk_window_reset (f->window);
      }
}

static void
test_new_destroy (KioskFixture  *f,
                  gconstpointer  data)
{
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "welcome");
  g_assert_null (intake_kiosk_window_get_session (f->window));
  g_assert_true (intake_kiosk_window_get_kiosk (f->window) == f->kiosk);

  /* The text size properties carry a registered enum type. */
  {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->window), "text-size");
    IntakeTextSize size = INTAKE_TEXT_SIZE_LARGER;

    g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
    g_assert_true (pspec->value_type == INTAKE_TYPE_TEXT_SIZE);
    g_object_set (f->window, "text-size", INTAKE_TEXT_SIZE_LARGE, NULL);
    g_object_get (f->window, "text-size", &size, NULL);
    g_assert_cmpint (size, ==, INTAKE_TEXT_SIZE_LARGE);
    g_assert_true (G_IS_PARAM_SPEC_ENUM (g_object_class_find_property (G_OBJECT_GET_CLASS (f->window),
                                                                       "default-text-size")));
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

#define ADD(path, func, data) \
  g_test_add (path, KioskFixture, data, kiosk_fixture_setup, func, kiosk_fixture_teardown)

  ADD ("/kiosk/window/new-destroy", test_new_destroy, NULL);
  for (guint i = 0; kiosk_test_languages[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/kiosk/window/intake/%s", kiosk_test_languages[i]);

      ADD (path, test_complete_intake, kiosk_test_languages[i]);
    }
  g_test_add ("/kiosk/window/conditions", KioskFixture, NULL,
              kiosk_fixture_setup_fixture, test_conditions, kiosk_fixture_teardown);
  ADD ("/kiosk/window/idle-reset", test_idle_reset, NULL);
  ADD ("/kiosk/window/idle-still-here", test_idle_still_here, NULL);
  ADD ("/kiosk/window/keyboard-only", test_keyboard_only, NULL);
  ADD ("/kiosk/window/keyboard-shortcuts", test_keyboard_shortcuts, NULL);
  ADD ("/kiosk/window/rtl", test_rtl, NULL);
  ADD ("/kiosk/window/fits-1280-screen", test_fits_screen, NULL);
  ADD ("/kiosk/window/storage-failure", test_storage_failure, NULL);
  ADD ("/kiosk/window/staff", test_staff, NULL);
  ADD ("/kiosk/window/staff-sync-not-enrolled", test_staff_sync_not_enrolled, NULL);
  ADD ("/kiosk/window/help-returns", test_help_returns, NULL);
  ADD ("/kiosk/window/help-every-screen", test_help_every_screen, NULL);
  ADD ("/kiosk/window/progress-steady", test_progress_steady, NULL);
  ADD ("/kiosk/window/scroll-cue", test_scroll_cue, NULL);
  ADD ("/kiosk/window/enter-is-next", test_enter_is_next, NULL);
  ADD ("/kiosk/window/text-size-steps", test_text_size_steps, NULL);
  ADD ("/kiosk/window/help-waits", test_help_waits, NULL);
  ADD ("/kiosk/window/required-message", test_required_message, NULL);
  ADD ("/kiosk/window/accessible-tree", test_accessible_tree, NULL);
  ADD ("/kiosk/window/fonts", test_fonts, NULL);

  return g_test_run ();
}

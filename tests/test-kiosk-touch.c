/* test-kiosk-touch.c: dates and names as on the ID, answered by touch alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real window on the real questionnaire, on a kiosk with a touch screen
 * and no keyboard. Every control is used the way a finger uses it: through
 * the widget's own GtkGestureClick ("pressed", then "released" inside the
 * widget), which is what GTK makes of a touch (GTK 4.8 offers no way to
 * synthesize touch events under Xvfb, which has no touch device). The
 * resident has no first name on the ID, one name only, a birth date with an
 * unknown day and month (00-00-1985) and a phone number; the sealed
 * envelope must carry exactly that ("", "1985-00-00"), and the review and the
 * staff's words show it as the BRP writes it.
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-keyboard.h"
#include "intake-kiosk-window-private.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

#define ACT(f, name) gtk_widget_activate_action (GTK_WIDGET ((f)->window), (name), NULL)

/* A finger on @widget: its click gesture, pressed and released in its middle. */
static void
tap (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkGesture *click = NULL;
  double x, y;

  g_assert_true (gtk_widget_is_drawable (widget));
  g_assert_true (gtk_widget_is_sensitive (widget));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && click == NULL; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        click = GTK_GESTURE (controller);
    }
  g_assert_nonnull (click);
  x = gtk_widget_get_width (widget) / 2.0;
  y = gtk_widget_get_height (widget) / 2.0;
  g_signal_emit_by_name (click, "pressed", 1, x, y);
  g_signal_emit_by_name (click, "released", 1, x, y);
  kiosk_test_spin (20);
}

static IntakeKioskKeyboard *
keyboard (KioskFixture *f)
{
  IntakeQuestionView *view = INTAKE_QUESTION_VIEW (intake_kiosk_window_get_question_view (f->window));

  return INTAKE_KIOSK_KEYBOARD (intake_question_view_get_keyboard (view));
}

/* Types @text on the on-screen keyboard; "\b" is the delete key. */
static void
type_keys (KioskFixture *f,
           const char   *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_autofree char *exact = g_strndup (p, g_utf8_next_char (p) - p);
      g_autofree char *upper = g_utf8_strup (exact, -1);
      GtkWidget *button = intake_kiosk_keyboard_get_key (keyboard (f), upper);

      if (button == NULL)
        button = intake_kiosk_keyboard_get_key (keyboard (f), exact);
      g_assert_nonnull (button);
      tap (button);
    }
}

/* The visible card of @root whose accessible name or text is @name. */
static GtkWidget *
card (KioskFixture *f,
      const char   *text)
{
  GtkWidget *widget = kiosk_test_find_text (intake_kiosk_window_get_question_view (f->window), text);

  while (widget != NULL && !GTK_IS_TOGGLE_BUTTON (widget))
    widget = gtk_widget_get_parent (widget);
  g_assert_nonnull (widget);
  return widget;
}

static const char *
current (KioskFixture *f)
{
  IntakeSession *session = intake_kiosk_window_get_session (f->window);

  return intake_session_get_current (session)->code;
}

static GtkWidget *
entry_of (KioskFixture *f,
          const char   *css_class,
          guint         i)
{
  g_autoptr(GPtrArray) entries = kiosk_test_find_by_class (intake_kiosk_window_get_question_view (f->window),
                                                           css_class);

  g_assert_cmpuint (entries->len, >, i);
  return g_ptr_array_index (entries, i);
}

static void
next (KioskFixture *f)
{
  const char *before = current (f);

  tap (GTK_WIDGET (f->window->question_next));
  kiosk_test_spin (50);
  if (g_str_equal (intake_kiosk_window_get_screen (f->window), "question") && g_str_equal (current (f), before))
    g_error ("Next did not leave %s: %s", before,
             intake_question_view_get_message (INTAKE_QUESTION_VIEW (intake_kiosk_window_get_question_view (f->window))));
}

static void
test_as_on_the_id (KioskFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) sealed = NULL;
  JsonObject *answers;
  GtkWidget *button;

  g_object_set (f->window, "thanks-timeout", 60000, NULL);
  /* Welcome: the language, by touch. */
  kiosk_test_spin (100);
  button = kiosk_test_find_text (GTK_WIDGET (f->window), "Nederlands");
  while (!GTK_IS_BUTTON (button))
    button = gtk_widget_get_parent (button);
  tap (button);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "explanation");
  tap (GTK_WIDGET (f->window->explanation_start));
  kiosk_test_spin (100);

  /* First name: none on the ID. The field gives way to the card. */
  g_assert_cmpstr (current (f), ==, "first_name");
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (keyboard (f))));
  g_assert_cmpint (intake_kiosk_keyboard_get_layout (keyboard (f)), ==, INTAKE_KEYBOARD_LETTERS);
  type_keys (f, "x");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "text-entry", 0))), ==, "X");
  tap (card (f, "Er staat geen voornaam op mijn identiteitsbewijs"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "text-entry", 0))), ==, "");
  g_assert_false (gtk_widget_get_sensitive (entry_of (f, "text-entry", 0)));
  kiosk_test_screenshot (f, "touch-no-first-name");
  next (f);

  /* Last name: the one name, typed on the kiosk's keys, each word capitalised. */
  g_assert_cmpstr (current (f), ==, "last_name");
  type_keys (f, "tesfay-habtq\b");
  type_keys (f, "e");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "text-entry", 0))), ==, "Tesfay-Habte");
  kiosk_test_screenshot (f, "touch-one-name");
  next (f);

  /* Date of birth: the ID says 00-00-1985. */
  g_assert_cmpstr (current (f), ==, "birth_date");
  g_assert_cmpint (intake_kiosk_keyboard_get_layout (keyboard (f)), ==, INTAKE_KEYBOARD_DIGITS);
  /* A finger on the year field focuses it (GtkText's own gesture cannot be
   * driven without a real event: it asks the event for a context menu),
   * and the keys type there. */
  gtk_widget_grab_focus (entry_of (f, "date-entry", 2));
  kiosk_test_spin (20);
  g_assert_true (intake_kiosk_keyboard_get_target (keyboard (f)) == GTK_EDITABLE (entry_of (f, "date-entry", 2)));
  type_keys (f, "1985");
  tap (card (f, "De maand is onbekend (00)"));
  /* An unknown month makes the day unknown too (a BRP rule). */
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (card (f, "De dag is onbekend (00)"))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "date-entry", 0))), ==, "00");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "date-entry", 1))), ==, "00");
  g_assert_false (gtk_widget_get_sensitive (entry_of (f, "date-entry", 0)));
  kiosk_test_screenshot (f, "touch-birth-date-unknown");
  next (f);

  /* Client number: digits on the keys, a wrong one deleted. */
  g_assert_cmpstr (current (f), ==, "client_number");
  type_keys (f, "47\b11");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "text-entry", 0))), ==, "411");
  next (f);

  /* Phone: the phone keys, with "+". */
  g_assert_cmpstr (current (f), ==, "phone");
  g_assert_cmpint (intake_kiosk_keyboard_get_layout (keyboard (f)), ==, INTAKE_KEYBOARD_PHONE);
  type_keys (f, "+31612345678");
  next (f);

  /* The rest skipped, by touch too, up to the review. */
  for (guint guard = 0; guard < 80 && g_str_equal (intake_kiosk_window_get_screen (f->window), "question"); guard++)
    tap (GTK_WIDGET (f->window->question_skip));
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "review");
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), "00-00-1985"));
  g_assert_nonnull (kiosk_test_find_text (GTK_WIDGET (f->window), "Er staat geen voornaam op mijn identiteitsbewijs"));
  kiosk_test_screenshot (f, "touch-review");
  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");

  /* Sealed exactly as on the ID. */
  sealed = kiosk_test_open_newest (f);
  answers = json_object_get_object_member (json_node_get_object (sealed), "answers");
  g_assert_cmpstr (json_object_get_string_member (answers, "first_name"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (answers, "last_name"), ==, "Tesfay-Habte");
  g_assert_cmpstr (json_object_get_string_member (answers, "birth_date"), ==, "1985-00-00");
  g_assert_cmpstr (json_object_get_string_member (answers, "client_number"), ==, "411");
  g_assert_cmpstr (json_object_get_string_member (answers, "phone"), ==, "+31612345678");
}

/* An empty day is not "unknown": only the box says that. */
static void
test_empty_is_not_unknown (KioskFixture  *f,
                           gconstpointer  data)
{
  IntakeSession *session;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", "nl");
  ACT (f, "kiosk.start");
  session = intake_kiosk_window_get_session (f->window);
  intake_session_set_answer (session, "first_name", intake_answer_new_text ("Sara"), NULL);
  intake_session_go_next (session);
  intake_session_set_answer (session, "last_name", intake_answer_new_text ("Haddad"), NULL);
  intake_session_go_next (session);
  intake_kiosk_window_show_question_now (f->window);
  g_assert_cmpstr (current (f), ==, "birth_date");
  gtk_editable_set_text (GTK_EDITABLE (entry_of (f, "date-entry", 2)), "1985");
  tap (GTK_WIDGET (f->window->question_next));
  kiosk_test_spin (50);
  g_assert_cmpstr (current (f), ==, "birth_date");
  g_assert_cmpstr (intake_question_view_get_message (INTAKE_QUESTION_VIEW (intake_kiosk_window_get_question_view (f->window))),
                   ==, intake_catalog_lookup (f->window->catalog, "nl", "Please check the date."));
  /* Ticked, the same date is accepted; the box can be unticked again. */
  tap (card (f, "De dag is onbekend (00)"));
  tap (card (f, "De dag is onbekend (00)"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "date-entry", 0))), ==, "");
  g_assert_true (gtk_widget_get_sensitive (entry_of (f, "date-entry", 0)));
  gtk_editable_set_text (GTK_EDITABLE (entry_of (f, "date-entry", 1)), "7");
  tap (card (f, "De dag is onbekend (00)"));
  next (f);
  g_assert_cmpstr (intake_answer_get_string (intake_session_get_answer (session, "birth_date")), ==, "1985-07-00");

  /* Back to it: the boxes and fields show what was given. */
  ACT (f, "kiosk.back");
  g_assert_cmpstr (current (f), ==, "birth_date");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (card (f, "De dag is onbekend (00)"))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (card (f, "De maand is onbekend (00)"))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "date-entry", 1))), ==, "07");
}

/* The keys lie left to right in Arabic too, and type Latin letters. */
static void
test_keyboard_rtl (KioskFixture  *f,
                   gconstpointer  data)
{
  GtkWidget *q, *w;
  graphene_point_t pq, pw;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", "ar");
  ACT (f, "kiosk.start");
  kiosk_test_spin (100);
  g_assert_cmpstr (current (f), ==, "first_name");
  q = intake_kiosk_keyboard_get_key (keyboard (f), "Q");
  w = intake_kiosk_keyboard_get_key (keyboard (f), "W");
  /* Laid out before they are compared (a slow machine or a sanitizer
   * build takes longer than the spin above): at most 10 s. */
  for (guint waited = 0; waited < 100 && (gtk_widget_get_width (q) == 0 || gtk_widget_get_width (w) == 0 ||
                                         gtk_widget_get_mapped (w) == FALSE); waited++)
    kiosk_test_spin (100);
  g_assert_cmpint (gtk_widget_get_width (q), >, 0);
  g_assert_true (gtk_widget_compute_point (q, GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (0, 0), &pq));
  g_assert_true (gtk_widget_compute_point (w, GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (0, 0), &pw));
  g_assert_cmpfloat (pq.x, <, pw.x);
  type_keys (f, "amal");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry_of (f, "text-entry", 0))), ==, "Amal");
  kiosk_test_screenshot (f, "touch-keyboard-ar");
  /* Off (a physical keyboard at hand): no keys. */
  g_object_set (intake_kiosk_window_get_question_view (f->window), "on-screen-keyboard", FALSE, NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (keyboard (f))));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

#define ADD(path, func) \
  g_test_add (path, KioskFixture, NULL, kiosk_fixture_setup, func, kiosk_fixture_teardown)
  ADD ("/kiosk/touch/as-on-the-id", test_as_on_the_id);
  ADD ("/kiosk/touch/empty-is-not-unknown", test_empty_is_not_unknown);
  ADD ("/kiosk/touch/keyboard-rtl", test_keyboard_rtl);
#undef ADD

  return g_test_run ();
}

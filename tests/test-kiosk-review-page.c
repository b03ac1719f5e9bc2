/* test-kiosk-review-page.c: IntakeKioskReviewPage on its own, with a real session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-kiosk-review-page.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

#define CANARY "Canary-7Q4 review page"

/* The visible "Change" buttons of @page, in order. */
static GPtrArray *
change_buttons (GtkWidget *page)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  GPtrArray *buttons = g_ptr_array_new ();

  kiosk_test_collect_widgets (page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_BUTTON (widget) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "review.change") == 0)
        g_ptr_array_add (buttons, widget);
    }
  return buttons;
}

static void
count_cb (GtkWidget *page,
          guint     *count)
{
  (*count)++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
change_answer_cb (GtkWidget  *page,
                  const char *code,
                  char      **out)
{
  g_free (*out);
  *out = g_strdup (code);
}

static void
test_new_destroy (KioskFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  GtkWidget *page = g_object_ref_sink (intake_kiosk_review_page_new (catalog));
  g_autofree char *read = NULL;
  guint notified = 0;

  g_assert_true (INTAKE_IS_KIOSK_REVIEW_PAGE (page));
  g_assert_true (intake_kiosk_review_page_get_catalog (INTAKE_KIOSK_REVIEW_PAGE (page)) == catalog);
  g_assert_null (intake_kiosk_review_page_get_language (INTAKE_KIOSK_REVIEW_PAGE (page)));

  g_signal_connect (page, "notify::language", G_CALLBACK (notify_cb), &notified);
  g_object_set (page, "language", "nl", NULL);
  g_object_set (page, "language", "nl", NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (intake_kiosk_review_page_get_language (INTAKE_KIOSK_REVIEW_PAGE (page)), ==, "nl");

  /* The texts follow the language; read-aloud gets the heading. */
  g_assert_nonnull (kiosk_test_find_text (page, intake_catalog_lookup (catalog, "nl", "Check your answers")));
  g_assert_nonnull (kiosk_test_find_text (page, intake_catalog_lookup (catalog, "nl", "Send my answers")));
  read = intake_kiosk_review_page_dup_read_aloud_text (INTAKE_KIOSK_REVIEW_PAGE (page));
  g_assert_nonnull (strstr (read, intake_catalog_lookup (catalog, "nl", "Check your answers")));
  g_assert_true (intake_kiosk_review_page_get_default_widget (INTAKE_KIOSK_REVIEW_PAGE (page)) != NULL);

  g_assert_finalize_object (page);
}

/* The rows of a session, the page's actions as signals, and a clear that
 * leaves nothing of the answers. */
static void
test_rows (KioskFixture  *f,
           gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSession) session = intake_kiosk_new_session (f->kiosk, "nl", &error);
  g_autoptr(GPtrArray) visible = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *page = g_object_ref_sink (intake_kiosk_review_page_new (catalog));
  const IntakeQuestion *text_question = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *read = NULL;
  guint submitted = 0, back = 0;

  g_assert_no_error (error);
  intake_kiosk_review_page_set_language (INTAKE_KIOSK_REVIEW_PAGE (page), "nl");

  /* A canary in the first free-text question that is visible. */
  visible = intake_session_list_visible (session);
  for (guint i = 0; i < visible->len && text_question == NULL; i++)
    {
      const IntakeQuestion *question = g_ptr_array_index (visible, i);

      if (question->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && question->text_kind == INTAKE_TEXT_KIND_TEXT)
        text_question = question;
    }
  if (text_question == NULL)
    g_error ("the questionnaire of the tests has no visible text question");
  g_assert_true (intake_session_set_answer (session, text_question->code,
                                            intake_answer_new_text (CANARY), &error));
  g_assert_no_error (error);

  intake_kiosk_review_page_show_session (INTAKE_KIOSK_REVIEW_PAGE (page), session);
  g_clear_pointer (&visible, g_ptr_array_unref);
  visible = intake_session_list_visible (session);
  buttons = change_buttons (page);
  g_assert_cmpuint (buttons->len, ==, visible->len);
  g_assert_nonnull (kiosk_test_find_text (page, CANARY));
  g_assert_nonnull (kiosk_test_find_text (page, intake_catalog_lookup (catalog, "nl", "Not answered")));
  /* Read-aloud never gets an answer. */
  read = intake_kiosk_review_page_dup_read_aloud_text (INTAKE_KIOSK_REVIEW_PAGE (page));
  g_assert_null (strstr (read, CANARY));

  g_signal_connect (page, "change-answer", G_CALLBACK (change_answer_cb), &changed);
  g_signal_connect (page, "submit", G_CALLBACK (count_cb), &submitted);
  g_signal_connect (page, "go-back", G_CALLBACK (count_cb), &back);
  gtk_widget_activate_action (page, "review.change", "s", text_question->code);
  g_assert_cmpstr (changed, ==, text_question->code);
  gtk_widget_activate_action (page, "review.submit", NULL);
  g_assert_cmpuint (submitted, ==, 1);
  gtk_widget_activate_action (page, "review.back", NULL);
  g_assert_cmpuint (back, ==, 1);

  intake_kiosk_review_page_clear (INTAKE_KIOSK_REVIEW_PAGE (page));
  g_clear_pointer (&buttons, g_ptr_array_unref);
  buttons = change_buttons (page);
  g_assert_cmpuint (buttons->len, ==, 0);
  g_assert_null (kiosk_test_find_text (page, CANARY));

  intake_session_wipe (session);
  g_assert_finalize_object (page);
}

/* Forty answers do not fit a window: a cue says there is more below, and
 * scrolls; at the end it goes. */
static void
test_scroll_cue (KioskFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(IntakeCatalog) catalog = intake_kiosk_catalog_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSession) session = intake_kiosk_new_session (f->kiosk, "nl", &error);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = intake_kiosk_review_page_new (catalog);
  GtkWidget *cue = NULL;
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  GtkScrolledWindow *scroller = NULL;
  guint clicks = 0;

  g_assert_no_error (error);
  intake_kiosk_review_page_set_language (INTAKE_KIOSK_REVIEW_PAGE (page), "nl");
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), page);
  intake_kiosk_review_page_show_session (INTAKE_KIOSK_REVIEW_PAGE (page), session);
  gtk_window_present (GTK_WINDOW (window));
  kiosk_test_spin (300);

  kiosk_test_collect_widgets (page, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);

      if (GTK_IS_SCROLLED_WINDOW (widget))
        scroller = GTK_SCROLLED_WINDOW (widget);
      if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "kiosk-scroll-cue"))
        cue = widget;
    }
  g_assert_nonnull (scroller);
  g_assert_nonnull (cue);
  g_assert_true (gtk_widget_get_visible (cue));
  g_assert_nonnull (kiosk_test_find_text (cue, "Er staat meer onder"));
  for (; clicks < 40 && gtk_widget_get_visible (cue); clicks++)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);
      double before = gtk_adjustment_get_value (adjustment);

      g_signal_emit_by_name (cue, "clicked");
      kiosk_test_spin (50);
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, before);
    }
  g_assert_cmpuint (clicks, >, 0);
  g_assert_false (gtk_widget_get_visible (cue));

  intake_session_wipe (session);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

  g_test_add ("/kiosk/review-page/new-destroy", KioskFixture, NULL,
              kiosk_fixture_setup, test_new_destroy, kiosk_fixture_teardown);
  g_test_add ("/kiosk/review-page/rows", KioskFixture, NULL,
              kiosk_fixture_setup, test_rows, kiosk_fixture_teardown);
  g_test_add ("/kiosk/review-page/scroll-cue", KioskFixture, NULL,
              kiosk_fixture_setup, test_scroll_cue, kiosk_fixture_teardown);

  return g_test_run ();
}

/* test-kiosk-tour.c: the screenshot tour, and accessibility of every screen it visits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "intake-kiosk-tour.h"
#include "test-kiosk-util.h"

static const char *const expected_screens[] = {
  "welcome", "explanation", "review", "thanks", "thanks-printed", "question-text-2x",
  "question-date-unknown", "confirm-stop", "idle-warning", "help", "storage-error", "staff-pin",
  "staff", NULL
};

typedef struct {
  GString *problems;
  guint    n_checked;
} A11yCheck;

/* An entry's inner GtkText takes its name from the entry. */
static GtkWidget *
named_widget (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (GTK_IS_TEXT (widget) && parent != NULL && GTK_IS_EDITABLE (parent))
    return parent;
  return widget;
}

static void
check_screen_cb (IntakeKioskWindow *window,
                 const char        *screen,
                 gpointer           user_data)
{
  A11yCheck *check = user_data;
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (GTK_WIDGET (window), widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      GtkWidget *named;
      gboolean interactive;

      if (widget == GTK_WIDGET (window) || !gtk_widget_get_mapped (widget))
        continue;
      interactive = (gtk_widget_get_focusable (widget) && gtk_widget_get_can_focus (widget)) ||
                    GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_EDITABLE (widget);
      /* Containers that only pass focus on are not stops of their own. */
      if (!interactive || GTK_IS_LIST_BOX (widget) || GTK_IS_SCROLLED_WINDOW (widget) ||
          GTK_IS_VIEWPORT (widget) || GTK_IS_STACK (widget) ||
          (GTK_IS_LABEL (widget) && !gtk_label_get_selectable (GTK_LABEL (widget))) ||
          (GTK_IS_LIST_BOX_ROW (widget) && !gtk_widget_get_focusable (widget)))
        continue;

      named = named_widget (widget);
      check->n_checked++;
      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (named), GTK_ACCESSIBLE_PROPERTY_LABEL) &&
          !gtk_test_accessible_has_relation (GTK_ACCESSIBLE (named), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
        g_string_append_printf (check->problems, "%s: %s %p has no accessible name\n",
                                screen, G_OBJECT_TYPE_NAME (named), named);
      if (gtk_widget_get_height (named) < 48)
        g_string_append_printf (check->problems, "%s: %s %p is %d px high (< 48)\n",
                                screen, G_OBJECT_TYPE_NAME (named), named,
                                gtk_widget_get_height (named));
    }
}

static void
assert_png (GPtrArray  *paths,
            const char *suffix)
{
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (g_str_has_suffix (path, suffix))
        {
          GStatBuf st;

          g_assert_cmpint (g_stat (path, &st), ==, 0);
          /* A blank 1280x900 PNG is a few kB; a drawn screen is far larger. */
          g_assert_cmpint (st.st_size, >, 15000);
          return;
        }
    }
  g_error ("the tour wrote no *%s", suffix);
}

static void
test_tour (KioskFixture  *f,
           gconstpointer  data)
{
  const char *language = data;
  g_autofree char *sub = g_strdup_printf ("tour-%s", language);
  g_autofree char *dir = kiosk_test_artifacts_dir (sub);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (f->kiosk);
  gboolean types[INTAKE_QUESTION_TYPE_LADDER + 1] = { FALSE, };
  A11yCheck check = { g_string_new (NULL), 0 };

  intake_kiosk_tour_run (f->window, language, dir, paths, check_screen_cb, &check, &error);
  g_assert_no_error (error);
  g_test_message ("tour %s: %u PNGs in %s", language, paths->len, dir);

  for (guint i = 0; expected_screens[i] != NULL; i++)
    {
      g_autofree char *suffix = g_strdup_printf ("-%s.png", expected_screens[i]);

      assert_png (paths, suffix);
    }
  /* Every question type of the questionnaire that is not behind a condition. */
  for (guint i = 0; i < intake_questionnaire_get_n_questions (questionnaire); i++)
    {
      const IntakeQuestion *question = intake_questionnaire_get_question (questionnaire, i);
      const IntakeSection *section = intake_questionnaire_get_section (questionnaire, question->section);

      if (question->visible_if == NULL && section->visible_if == NULL)
        types[question->type] = TRUE;
    }
  for (guint t = 0; t <= INTAKE_QUESTION_TYPE_LADDER; t++)
    if (types[t])
      {
        g_autofree char *suffix = g_strdup_printf ("-question-%s.png", intake_question_type_to_string (t));

        assert_png (paths, suffix);
      }

  /* The receipt, as the printer would get it. */
  {
    g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (g_ptr_array_find_with_equal_func (paths, pdf, g_str_equal, NULL));
    g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
    g_assert_true (len > 1000 && g_str_has_prefix (contents, "%PDF-"));
  }

  g_assert_cmpuint (check.n_checked, >, 20);
  if (check.problems->len > 0)
    g_error ("accessibility problems:\n%s", check.problems->str);
  g_string_free (check.problems, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

  g_test_add ("/kiosk/tour/nl", KioskFixture, "nl", kiosk_fixture_setup, test_tour, kiosk_fixture_teardown);
  g_test_add ("/kiosk/tour/ar", KioskFixture, "ar", kiosk_fixture_setup, test_tour, kiosk_fixture_teardown);
  g_test_add ("/kiosk/tour/ti", KioskFixture, "ti", kiosk_fixture_setup, test_tour, kiosk_fixture_teardown);

  return g_test_run ();
}

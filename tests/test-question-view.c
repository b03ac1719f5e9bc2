/* test-question-view.c: IntakeQuestionView with real widgets under a display server
 *
 * Every test drives the real controls (toggling buttons, typing text) in a
 * mapped window and reads the answer back with dup_answer(). Screenshots of
 * every question type go to $INTAKE_TEST_ARTIFACTS or $G_TEST_BUILDDIR/artifacts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "intake-question-view.h"
#include "intake-test-util.h"

/* ---- the catalog ---- */

/* The kiosk's real translations when the build has made them (the resource
 * linked in, or po/kiosk-locale.gresource in the build tree); otherwise an
 * empty catalog, whose lookups return the English msgid. Tests compare UI
 * words with intake_catalog_lookup(), so they hold in both cases. */
static IntakeCatalog *
test_catalog_new (void)
{
  static GResource *resource;
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;

  if (resource == NULL &&
      !g_resources_get_info (INTAKE_CATALOG_KIOSK_RESOURCE_PATH "/nl.mo",
                             G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    {
      g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "po",
                                                     "kiosk-locale.gresource", NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s not built: UI words stay English", path);
          return g_steal_pointer (&catalog);
        }
      resource = g_resource_load (path, &error);
      g_assert_no_error (error);
      g_resources_register (resource);
    }

  g_assert_true (intake_catalog_load_resource_dir (catalog, INTAKE_CATALOG_KIOSK_RESOURCE_PATH, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&catalog);
}

/* A GNU .mo file with the given msgid/msgstr pairs (sorted by msgid). */
static GBytes *
build_mo (const char * const *pairs)
{
  GByteArray *mo = g_byte_array_new ();
  guint n = 0;
  guint32 header[7];
  gsize strings_at;
  g_autoptr(GArray) table = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GString) strings = g_string_new (NULL);

  while (pairs[2 * n] != NULL)
    n++;
  strings_at = sizeof header + 16 * n;

  for (guint column = 0; column < 2; column++)
    for (guint i = 0; i < n; i++)
      {
        const char *s = pairs[2 * i + column];
        guint32 entry[2] = { strlen (s), strings_at + strings->len };

        g_array_append_vals (table, entry, 2);
        g_string_append_len (strings, s, strlen (s) + 1);
      }

  header[0] = 0x950412de;
  header[1] = 0;
  header[2] = n;
  header[3] = sizeof header;
  header[4] = sizeof header + 8 * n;
  header[5] = 0;
  header[6] = strings_at + strings->len;
  g_byte_array_append (mo, (const guint8 *) header, sizeof header);
  g_byte_array_append (mo, (const guint8 *) table->data, table->len * sizeof (guint32));
  g_byte_array_append (mo, (const guint8 *) strings->str, strings->len);

  return g_byte_array_free_to_bytes (mo);
}

/* ---- fixture ---- */

typedef struct {
  IntakeQuestionnaire *questionnaire;
  IntakeSession       *session;
  IntakeCatalog       *catalog;
  GtkWidget           *window;
  IntakeQuestionView  *view;
  guint                n_changed;
  guint                n_submit;
} Fixture;

static void
changed_cb (IntakeQuestionView *view,
            Fixture            *f)
{
  f->n_changed++;
}

static void
submit_cb (IntakeQuestionView *view,
           Fixture            *f)
{
  f->n_submit++;
}

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  guint *n = user_data;

  (*n)++;
  return G_SOURCE_CONTINUE;
}

/* Lets GTK lay out and paint @n_frames frames. */
static void
wait_frames (GtkWidget *window,
             guint      n_frames)
{
  guint n = 0;
  guint id = gtk_widget_add_tick_callback (window, count_tick_cb, &n, NULL);

  while (n < n_frames)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (window, id);
}

static void
fixture_setup_with (Fixture             *f,
                    IntakeQuestionnaire *questionnaire,
                    const char          *language)
{
  GtkWidget *box;

  f->questionnaire = questionnaire;
  f->session = intake_session_new (f->questionnaire, language);
  f->catalog = test_catalog_new ();

  f->window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (f->window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 760, 400);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_top (box, 32);
  gtk_widget_set_margin_bottom (box, 32);
  gtk_widget_set_margin_start (box, 40);
  gtk_widget_set_margin_end (box, 40);
  gtk_window_set_child (GTK_WINDOW (f->window), box);

  f->view = INTAKE_QUESTION_VIEW (intake_question_view_new (f->catalog));
  gtk_widget_set_hexpand (GTK_WIDGET (f->view), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->view));
  g_signal_connect (f->view, "changed", G_CALLBACK (changed_cb), f);
  g_signal_connect (f->view, "submit", G_CALLBACK (submit_cb), f);

  gtk_window_present (GTK_WINDOW (f->window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (f->view)))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *questionnaire = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  fixture_setup_with (f, questionnaire, data != NULL ? data : "nl");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  g_clear_object (&f->session);
  g_clear_object (&f->questionnaire);
  g_clear_object (&f->catalog);
}

static const IntakeQuestion *
show (Fixture    *f,
      const char *code)
{
  const IntakeQuestion *q = intake_questionnaire_lookup_question (f->questionnaire, code);

  g_assert_nonnull (q);
  intake_question_view_show_question (f->view, f->session, q);
  wait_frames (f->window, 2);
  g_assert_true (intake_question_view_get_question (f->view) == q);

  return q;
}

static const char *
lookup (Fixture    *f,
        const char *msgid)
{
  return intake_catalog_lookup (f->catalog, intake_session_get_language (f->session), msgid);
}

/* ---- finding widgets ---- */

static void
collect_class (GtkWidget  *widget,
               const char *css_class,
               GPtrArray  *out)
{
  if (gtk_widget_has_css_class (widget, css_class))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_class (c, css_class, out);
}

static GtkWidget *
find_one (Fixture    *f,
          const char *css_class)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_class (GTK_WIDGET (f->view), css_class, found);
  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

static void
collect_toggles (GtkWidget *widget,
                 GPtrArray *out)
{
  /* Every answer is a toggle button: GTK 4.8 gives GtkCheckButton no
   * AT-SPI action, so the view must not use one. */
  g_assert_false (GTK_IS_CHECK_BUTTON (widget));
  if (GTK_IS_TOGGLE_BUTTON (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_toggles (c, out);
}

/* The answer toggles in screen order (top to bottom, start to end). */
static GPtrArray *
answer_toggles (Fixture *f)
{
  GPtrArray *toggles = g_ptr_array_new ();

  collect_toggles (find_one (f, "question-answers"), toggles);
  return toggles;
}

static GtkWidget *
answer_entry (Fixture *f,
              guint    index)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  collect_class (GTK_WIDGET (f->view), "answer-entry", entries);
  g_assert_cmpuint (index, <, entries->len);
  return g_ptr_array_index (entries, index);
}

static gboolean
is_active (GtkWidget *toggle)
{
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle));
}

/* What a touch or Space does: GtkToggleButton handles "clicked" (without
 * the 250 ms pressed delay of GtkButton's activate). */
static void
press (GtkWidget *toggle)
{
  g_signal_emit_by_name (toggle, "clicked");
}

/* What the Enter key does in a field: GtkText's key binding emits its
 * "activate", which GtkEntry passes on. (gtk_widget_activate() does
 * nothing on a GtkEntry in GTK 4.8.) */
static void
press_enter (GtkWidget *entry)
{
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (entry)), "activate");
}

static void
assert_answer (Fixture      *f,
               IntakeAnswer *expected)
{
  g_autoptr(IntakeAnswer) want = expected;
  g_autoptr(IntakeAnswer) got = intake_question_view_dup_answer (f->view);

  if (want == NULL && got == NULL)
    return;
  if (want != NULL && got != NULL && intake_answer_equal (want, got))
    return;

  {
    g_autoptr(JsonNode) w = want != NULL ? intake_answer_to_json (want) : NULL;
    g_autoptr(JsonNode) g = got != NULL ? intake_answer_to_json (got) : NULL;
    g_autofree char *ws = w != NULL ? json_to_string (w, FALSE) : g_strdup ("(no answer)");
    g_autofree char *gs = g != NULL ? json_to_string (g, FALSE) : g_strdup ("(no answer)");

    g_error ("question %s: expected answer %s, the view holds %s",
             intake_question_view_get_question (f->view)->code, ws, gs);
  }
}

static gboolean
is_interactive (GtkWidget *widget)
{
  /* The GtkText inside an entry belongs to the entry, which is checked. */
  if (GTK_IS_TEXT (widget))
    return FALSE;
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_ENTRY (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || gtk_widget_get_focusable (widget);
}

static void
collect_interactive (GtkWidget *widget,
                     GPtrArray *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (is_interactive (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_interactive (c, out);
}

/* ---- screenshots ---- */

static void
save_png (Fixture    *f,
          const char *name)
{
  const char *env = g_getenv ("INTAKE_TEST_ARTIFACTS");
  g_autofree char *dir = env != NULL && *env != '\0'
                         ? g_strdup (env)
                         : g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL
                                             ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                             "artifacts", NULL);
  g_autofree char *file = g_strconcat ("question-view-", name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width, height;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  wait_frames (f->window, 3);

  width = gtk_widget_get_width (f->window);
  height = gtk_widget_get_height (f->window);
  paintable = gtk_widget_paintable_new (f->window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- tests ---- */

static void
test_new_destroy (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_from_file (path, NULL);
  g_autoptr(IntakeSession) session = intake_session_new (questionnaire, "nl");
  GtkWidget *view = intake_question_view_new (catalog);

  g_object_ref_sink (view);
  g_assert_null (intake_question_view_get_question (INTAKE_QUESTION_VIEW (view)));
  g_assert_null (intake_question_view_dup_answer (INTAKE_QUESTION_VIEW (view)));

  /* Build every type once, so that all their widgets are freed with the view. */
  for (guint i = 0; i < intake_questionnaire_get_n_questions (questionnaire); i++)
    intake_question_view_show_question (INTAKE_QUESTION_VIEW (view), session,
                                        intake_questionnaire_get_question (questionnaire, i));
  intake_question_view_set_message (INTAKE_QUESTION_VIEW (view), "Please check the date.");

  g_assert_finalize_object (view);
}

static void
test_single_choice (Fixture       *f,
                    gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "housing");
  g_autoptr(GPtrArray) toggles = answer_toggles (f);
  g_autofree char *code = NULL;

  g_assert_cmpuint (toggles->len, ==, q->n_options);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (intake_question_view_get_heading (f->view))), ==,
                   intake_text_get (q->text, "nl"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (f, "question-hint"))), ==,
                   lookup (f, "Choose one answer"));
  g_object_get (f->view, "question-code", &code, NULL);
  g_assert_cmpstr (code, ==, "housing");

  assert_answer (f, NULL);
  g_assert_cmpuint (f->n_changed, ==, 0);

  for (guint i = 0; i < toggles->len; i++)
    {
      gtk_test_accessible_assert_role (g_ptr_array_index (toggles, i), GTK_ACCESSIBLE_ROLE_RADIO);
      gtk_test_accessible_assert_property (g_ptr_array_index (toggles, i), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           intake_text_get (q->options[i].label, "nl"));
    }

  press (g_ptr_array_index (toggles, 2));
  assert_answer (f, intake_answer_new_choice ("no_fixed_address"));
  g_assert_cmpuint (f->n_changed, >=, 1);
  gtk_test_accessible_assert_state (g_ptr_array_index (toggles, 2), GTK_ACCESSIBLE_STATE_CHECKED,
                                    GTK_ACCESSIBLE_TRISTATE_TRUE);

  /* One choice only: choosing another releases the first. */
  press (g_ptr_array_index (toggles, 0));
  assert_answer (f, intake_answer_new_choice ("rented"));
  g_assert_false (is_active (g_ptr_array_index (toggles, 2)));

  /* Touching the chosen one again keeps it (radio buttons). */
  press (g_ptr_array_index (toggles, 0));
  assert_answer (f, intake_answer_new_choice ("rented"));

  save_png (f, "single-choice-nl");
}

static void
test_multiple_choice (Fixture       *f,
                      gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "sectors_wanted");
  g_autoptr(GPtrArray) toggles = answer_toggles (f);
  g_autofree char *hint = g_strdup_printf (lookup (f, "Choose at most %d answers"), 3);
  GtkWidget *none;
  guint changed;

  g_assert_cmpuint (toggles->len, ==, 6);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (f, "question-hint"))), ==, hint);
  g_assert_true (q->options[5].exclusive);
  none = g_ptr_array_index (toggles, 5);
  for (guint i = 0; i < toggles->len; i++)
    gtk_test_accessible_assert_role (g_ptr_array_index (toggles, i), GTK_ACCESSIBLE_ROLE_CHECKBOX);

  assert_answer (f, NULL);

  press (g_ptr_array_index (toggles, 0));
  press (g_ptr_array_index (toggles, 2));
  assert_answer (f, intake_answer_new_choices ((const char *[]) { "hospitality", "cleaning", NULL }));

  /* Unchecking works and counts as a change. */
  changed = f->n_changed;
  press (g_ptr_array_index (toggles, 2));
  g_assert_cmpuint (f->n_changed, >, changed);
  assert_answer (f, intake_answer_new_choices ((const char *[]) { "hospitality", NULL }));
  press (g_ptr_array_index (toggles, 2));

  /* "I don't know yet" is exclusive: it unchecks the others ... */
  press (none);
  assert_answer (f, intake_answer_new_choices ((const char *[]) { "none", NULL }));
  g_assert_false (is_active (g_ptr_array_index (toggles, 0)));
  g_assert_false (is_active (g_ptr_array_index (toggles, 2)));

  /* ... and choosing another option unchecks it. */
  press (g_ptr_array_index (toggles, 1));
  assert_answer (f, intake_answer_new_choices ((const char *[]) { "logistics", NULL }));
  g_assert_false (is_active (none));

  /* More than max_selected may be chosen: the session's validation says so calmly. */
  press (g_ptr_array_index (toggles, 0));
  press (g_ptr_array_index (toggles, 2));
  press (g_ptr_array_index (toggles, 3));
  {
    g_autoptr(IntakeAnswer) answer = intake_question_view_dup_answer (f->view);
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (intake_answer_get_n_choices (answer), ==, 4);
    g_assert_false (intake_session_validate_answer (f->session, q, answer, &error));
    g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_TOO_MANY_SELECTED);
  }
  press (g_ptr_array_index (toggles, 3));
  save_png (f, "multiple-choice-nl");

  /* Without a real limit the hint invites several answers. */
  show (f, "support_wanted");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (f, "question-hint"))), ==,
                   lookup (f, "Choose one or more answers"));
}

static void
test_scale (Fixture       *f,
            gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "digital_skills");
  g_autoptr(GPtrArray) toggles = answer_toggles (f);
  g_autofree char *first = g_strdup_printf ("1 – %s", intake_text_get (q->min_label, "nl"));
  g_autofree char *last = g_strdup_printf ("5 – %s", intake_text_get (q->max_label, "nl"));
  g_autoptr(GPtrArray) ends = g_ptr_array_new ();
  double x0, y0, x1, y1;

  g_assert_cmpuint (toggles->len, ==, 5);
  assert_answer (f, NULL);

  /* The ends say what they mean; every step tells both ends in its description. */
  gtk_test_accessible_assert_property (g_ptr_array_index (toggles, 0), GTK_ACCESSIBLE_PROPERTY_LABEL, first);
  gtk_test_accessible_assert_property (g_ptr_array_index (toggles, 2), GTK_ACCESSIBLE_PROPERTY_LABEL, "3");
  gtk_test_accessible_assert_property (g_ptr_array_index (toggles, 4), GTK_ACCESSIBLE_PROPERTY_LABEL, last);
  for (guint i = 0; i < toggles->len; i++)
    {
      g_assert_true (gtk_test_accessible_has_property (g_ptr_array_index (toggles, i),
                                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
      gtk_test_accessible_assert_role (g_ptr_array_index (toggles, i), GTK_ACCESSIBLE_ROLE_RADIO);
    }

  /* The end labels are visible under the ends of the row. */
  collect_class (GTK_WIDGET (f->view), "scale-end-label", ends);
  g_assert_cmpuint (ends->len, ==, 2);
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (ends, 0)), ==, intake_text_get (q->min_label, "nl"));
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (ends, 1)), ==, intake_text_get (q->max_label, "nl"));
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, 0), GTK_WIDGET (f->view),
                                                   0, 0, &x0, &y0));
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, 4), GTK_WIDGET (f->view),
                                                   0, 0, &x1, &y1));
  g_assert_cmpfloat (x0, <, x1);
  g_assert_cmpfloat (y0, ==, y1);

  press (g_ptr_array_index (toggles, 3));
  assert_answer (f, intake_answer_new_integer (4));
  press (g_ptr_array_index (toggles, 0));
  assert_answer (f, intake_answer_new_integer (1));
  g_assert_false (is_active (g_ptr_array_index (toggles, 3)));
  g_assert_cmpuint (f->n_changed, >=, 2);
  press (g_ptr_array_index (toggles, 3));
  save_png (f, "scale-nl");

  /* 0 to 10: eleven steps, values counted from min. */
  q = show (f, "work_confidence");
  g_ptr_array_unref (toggles);
  toggles = answer_toggles (f);
  g_assert_cmpuint (toggles->len, ==, 11);
  press (g_ptr_array_index (toggles, 0));
  assert_answer (f, intake_answer_new_integer (0));
  press (g_ptr_array_index (toggles, 10));
  assert_answer (f, intake_answer_new_integer (10));
  press (g_ptr_array_index (toggles, 7));
  save_png (f, "scale-11-nl");
}

static void
test_yes_no (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) toggles = NULL;
  GtkWidget *yes, *no;
  double yx, yy, nx, ny;

  show (f, "needs_interpreter");
  toggles = answer_toggles (f);
  g_assert_cmpuint (toggles->len, ==, 2);
  yes = g_ptr_array_index (toggles, 0);
  no = g_ptr_array_index (toggles, 1);
  gtk_test_accessible_assert_property (yes, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "Yes"));
  gtk_test_accessible_assert_property (no, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "No"));
  gtk_test_accessible_assert_role (yes, GTK_ACCESSIBLE_ROLE_RADIO);
  gtk_test_accessible_assert_state (yes, GTK_ACCESSIBLE_STATE_CHECKED, GTK_ACCESSIBLE_TRISTATE_FALSE);

  /* Yes first, in reading order, side by side. */
  g_assert_true (gtk_widget_translate_coordinates (yes, GTK_WIDGET (f->view), 0, 0, &yx, &yy));
  g_assert_true (gtk_widget_translate_coordinates (no, GTK_WIDGET (f->view), 0, 0, &nx, &ny));
  g_assert_cmpfloat (yx, <, nx);
  g_assert_cmpfloat (yy, ==, ny);

  assert_answer (f, NULL);
  press (yes);
  assert_answer (f, intake_answer_new_boolean (TRUE));
  gtk_test_accessible_assert_state (yes, GTK_ACCESSIBLE_STATE_CHECKED, GTK_ACCESSIBLE_TRISTATE_TRUE);
  press (no);
  assert_answer (f, intake_answer_new_boolean (FALSE));
  g_assert_false (is_active (yes));
  gtk_test_accessible_assert_state (yes, GTK_ACCESSIBLE_STATE_CHECKED, GTK_ACCESSIBLE_TRISTATE_FALSE);
  g_assert_cmpuint (f->n_changed, ==, 2);

  /* No "rather not say" on a question that does not offer it. */
  g_assert_false (gtk_widget_get_visible (find_one (f, "decline-card")));
  save_png (f, "yes-no-nl");
}

static void
test_short_text (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    const char      *code;
    GtkInputPurpose  purpose;
  } kinds[] = {
    { "client_number", GTK_INPUT_PURPOSE_DIGITS },
    { "phone", GTK_INPUT_PURPOSE_PHONE },
    { "email", GTK_INPUT_PURPOSE_EMAIL },
    { "support_notes", GTK_INPUT_PURPOSE_FREE_FORM },
  };
  GtkWidget *entry;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const IntakeQuestion *q = show (f, kinds[i].code);

      entry = answer_entry (f, 0);
      g_assert_true (GTK_IS_PASSWORD_ENTRY_BUFFER (gtk_entry_get_buffer (GTK_ENTRY (entry))));
      g_assert_true (gtk_entry_get_visibility (GTK_ENTRY (entry)));
      g_assert_cmpint (gtk_entry_get_input_purpose (GTK_ENTRY (entry)), ==, kinds[i].purpose);
      g_assert_true (gtk_entry_get_input_hints (GTK_ENTRY (entry)) & GTK_INPUT_HINT_PRIVATE);
      g_assert_cmpint (gtk_entry_get_max_length (GTK_ENTRY (entry)), ==, q->max_length);
      g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (entry)), ==,
                       lookup (f, "Type your answer here"));
      gtk_test_accessible_assert_property (entry, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           intake_text_get (q->text, "nl"));
      assert_answer (f, NULL);
    }

  show (f, "client_number");
  entry = answer_entry (f, 0);
  f->n_changed = 0;
  gtk_editable_set_text (GTK_EDITABLE (entry), "0012345");
  g_assert_cmpuint (f->n_changed, >=, 1);
  assert_answer (f, intake_answer_new_text ("0012345"));

  /* Digits from an Arabic keyboard count as digits. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "٤٥٦");
  assert_answer (f, intake_answer_new_text ("456"));

  /* Enter means "Next". */
  g_assert_cmpuint (f->n_submit, ==, 0);
  press_enter (entry);
  g_assert_cmpuint (f->n_submit, ==, 1);

  /* Deleting everything is no answer again. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  assert_answer (f, NULL);

  show (f, "support_notes");
  entry = answer_entry (f, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Hulp bij het schrijven van brieven");
  assert_answer (f, intake_answer_new_text ("Hulp bij het schrijven van brieven"));
  save_png (f, "short-text-nl");
}

static void
test_number (Fixture       *f,
             gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "hours_per_week");
  g_autoptr(GPtrArray) steps = g_ptr_array_new ();
  GtkWidget *entry = answer_entry (f, 0);
  GtkWidget *less, *more;

  collect_class (GTK_WIDGET (f->view), "number-step", steps);
  g_assert_cmpuint (steps->len, ==, 2);
  less = g_ptr_array_index (steps, 0);
  more = g_ptr_array_index (steps, 1);
  gtk_test_accessible_assert_property (less, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "Less"));
  gtk_test_accessible_assert_property (more, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "More"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (f, "number-unit"))), ==,
                   intake_text_get (q->unit, "nl"));
  g_assert_true (GTK_IS_PASSWORD_ENTRY_BUFFER (gtk_entry_get_buffer (GTK_ENTRY (entry))));
  g_assert_cmpint (gtk_entry_get_input_purpose (GTK_ENTRY (entry)), ==, GTK_INPUT_PURPOSE_DIGITS);

  /* Untouched: empty, no pre-filled 0, no answer. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  assert_answer (f, NULL);

  /* From empty, "More" starts at the lowest number. */
  g_signal_emit_by_name (more, "clicked");
  assert_answer (f, intake_answer_new_integer (0));
  g_signal_emit_by_name (more, "clicked");
  g_signal_emit_by_name (more, "clicked");
  assert_answer (f, intake_answer_new_integer (2));
  g_signal_emit_by_name (less, "clicked");
  assert_answer (f, intake_answer_new_integer (1));
  g_assert_cmpuint (f->n_changed, >=, 4);

  /* The buttons stay inside the range. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "40");
  g_signal_emit_by_name (more, "clicked");
  assert_answer (f, intake_answer_new_integer (40));
  gtk_editable_set_text (GTK_EDITABLE (entry), "0");
  g_signal_emit_by_name (less, "clicked");
  assert_answer (f, intake_answer_new_integer (0));

  /* Typing: only digits get in; Arabic-Indic digits become ASCII digits. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_editable_insert_text (GTK_EDITABLE (entry), "3a2", -1, &(int) { 0 });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "32");
  assert_answer (f, intake_answer_new_integer (32));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_editable_insert_text (GTK_EDITABLE (entry), "٢٤", -1, &(int) { 0 });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "24");
  assert_answer (f, intake_answer_new_integer (24));

  /* A number outside the range is returned for validation to explain. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "99");
  assert_answer (f, intake_answer_new_integer (99));

  press_enter (entry);
  g_assert_cmpuint (f->n_submit, ==, 1);

  gtk_editable_set_text (GTK_EDITABLE (entry), "24");
  save_png (f, "number-nl");
}

static void
test_date (Fixture       *f,
           gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "birth_date");
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *day = answer_entry (f, 0);
  GtkWidget *month = answer_entry (f, 1);
  GtkWidget *year = answer_entry (f, 2);
  g_autoptr(IntakeAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  /* Visible labels, which also label the fields for screen readers. */
  collect_class (GTK_WIDGET (f->view), "date-field-label", labels);
  g_assert_cmpuint (labels->len, ==, 3);
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 0)), ==, lookup (f, "Day"));
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 1)), ==, lookup (f, "Month"));
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 2)), ==, lookup (f, "Year"));
  /* One name each ("Day", not "Day Day"): the label property only. */
  gtk_test_accessible_assert_property (day, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "Day"));
  gtk_test_accessible_assert_property (month, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "Month"));
  gtk_test_accessible_assert_property (year, GTK_ACCESSIBLE_PROPERTY_LABEL, lookup (f, "Year"));
  for (guint i = 0; i < 3; i++)
    g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (answer_entry (f, i)),
                                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (year), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  /* The date of birth is needed. */
  g_assert_true (q->required);
  gtk_test_accessible_assert_property (day, GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE);
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *entry = answer_entry (f, i);

      g_assert_true (GTK_IS_PASSWORD_ENTRY_BUFFER (gtk_entry_get_buffer (GTK_ENTRY (entry))));
      g_assert_cmpint (gtk_entry_get_input_purpose (GTK_ENTRY (entry)), ==, GTK_INPUT_PURPOSE_DIGITS);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
    }

  assert_answer (f, NULL);

  gtk_editable_set_text (GTK_EDITABLE (day), "5");
  gtk_editable_set_text (GTK_EDITABLE (month), "3");
  gtk_editable_set_text (GTK_EDITABLE (year), "1990");
  assert_answer (f, intake_answer_new_date ("1990-03-05"));
  answer = intake_question_view_dup_answer (f->view);
  g_assert_true (intake_session_validate_answer (f->session, q, answer, &error));
  g_assert_no_error (error);
  g_clear_pointer (&answer, intake_answer_free);

  /* An impossible date is still returned, so that validation can say so. */
  gtk_editable_set_text (GTK_EDITABLE (day), "31");
  gtk_editable_set_text (GTK_EDITABLE (month), "2");
  assert_answer (f, intake_answer_new_date ("1990-02-31"));
  answer = intake_question_view_dup_answer (f->view);
  g_assert_false (intake_session_validate_answer (f->session, q, answer, &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_DATE);
  g_clear_error (&error);
  g_clear_pointer (&answer, intake_answer_free);

  /* So is a partly filled one. */
  gtk_editable_set_text (GTK_EDITABLE (month), "");
  gtk_editable_set_text (GTK_EDITABLE (year), "");
  answer = intake_question_view_dup_answer (f->view);
  g_assert_nonnull (answer);
  g_assert_false (intake_session_validate_answer (f->session, q, answer, &error));
  g_assert_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_DATE);
  g_clear_error (&error);
  g_clear_pointer (&answer, intake_answer_free);

  gtk_editable_set_text (GTK_EDITABLE (day), "");
  assert_answer (f, NULL);

  /* Only digits get in; Enter in any field means "Next". */
  gtk_editable_insert_text (GTK_EDITABLE (year), "19x8٠", -1, &(int) { 0 });
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (year)), ==, "1980");
  press_enter (year);
  g_assert_cmpuint (f->n_submit, ==, 1);

  gtk_editable_set_text (GTK_EDITABLE (day), "17");
  gtk_editable_set_text (GTK_EDITABLE (month), "6");
  save_png (f, "date-nl");
}

static void
test_ladder (Fixture       *f,
             gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "ladder_now");
  g_autoptr(GPtrArray) toggles = answer_toggles (f);
  double y_prev = -1;

  g_assert_cmpuint (toggles->len, ==, INTAKE_LADDER_RUNGS);

  /* Rung 6 on top, rung 1 at the bottom, each labelled with number and text. */
  for (guint i = 0; i < toggles->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (toggles, i);
      guint rung = INTAKE_LADDER_RUNGS - i;
      g_autofree char *label = g_strdup_printf ("%u – %s", rung, intake_text_get (q->rungs[rung - 1], "nl"));
      double x, y;

      gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, label);
      gtk_test_accessible_assert_role (button, GTK_ACCESSIBLE_ROLE_RADIO);
      g_assert_true (gtk_widget_translate_coordinates (button, GTK_WIDGET (f->view), 0, 0, &x, &y));
      g_assert_cmpfloat (y, >, y_prev);
      y_prev = y;
    }

  assert_answer (f, NULL);
  press (g_ptr_array_index (toggles, INTAKE_LADDER_RUNGS - 4));  /* rung 4 */
  assert_answer (f, intake_answer_new_integer (4));
  press (g_ptr_array_index (toggles, 0));  /* rung 6 */
  assert_answer (f, intake_answer_new_integer (6));
  press (g_ptr_array_index (toggles, INTAKE_LADDER_RUNGS - 1));  /* rung 1 */
  assert_answer (f, intake_answer_new_integer (1));
  press (g_ptr_array_index (toggles, INTAKE_LADDER_RUNGS - 3));
  save_png (f, "ladder-nl");
}

static void
set_answer (Fixture      *f,
            const char   *code,
            IntakeAnswer *answer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_session_set_answer (f->session, code, answer, &error));
  g_assert_no_error (error);
}

static void
test_prefill (Fixture       *f,
              gconstpointer  data)
{
  struct {
    const char   *code;
    IntakeAnswer *answer;
  } stored[] = {
    { "birth_date", intake_answer_new_date ("1980-12-01") },
    { "client_number", intake_answer_new_text ("987") },
    { "needs_interpreter", intake_answer_new_boolean (FALSE) },
    { "sectors_wanted", intake_answer_new_choices ((const char *[]) { "cleaning", "hospitality", NULL }) },
    { "hours_per_week", intake_answer_new_integer (12) },
    { "ladder_now", intake_answer_new_integer (2) },
    { "digital_skills", intake_answer_new_integer (3) },
    { "health_limits", intake_answer_new_declined () },
    { "debts", intake_answer_new_declined () },
    { "housing", intake_answer_new_choice ("with_family") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    set_answer (f, stored[i].code, intake_answer_copy (stored[i].answer));

  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    {
      GtkWidget *decline;

      show (f, stored[i].code);
      assert_answer (f, intake_answer_copy (stored[i].answer));
      decline = find_one (f, "decline-card");
      g_assert_cmpint (is_active (decline), ==,
                       intake_answer_is_declined (intake_session_get_answer (f->session, stored[i].code)));
    }

  /* Pre-filling is not a change by the resident. */
  g_assert_cmpuint (f->n_changed, ==, 0);

  /* The controls show it, too. */
  show (f, "housing");
  {
    g_autoptr(GPtrArray) toggles = answer_toggles (f);

    g_assert_true (is_active (g_ptr_array_index (toggles, 1)));
  }
  show (f, "ladder_now");
  {
    g_autoptr(GPtrArray) toggles = answer_toggles (f);

    g_assert_true (is_active (g_ptr_array_index (toggles, INTAKE_LADDER_RUNGS - 2)));
    save_png (f, "ladder-prefilled-nl");
  }
  show (f, "birth_date");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (answer_entry (f, 0))), ==, "01");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (answer_entry (f, 1))), ==, "12");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (answer_entry (f, 2))), ==, "1980");
  show (f, "debts");
  {
    g_autoptr(GPtrArray) toggles = answer_toggles (f);

    g_assert_false (is_active (g_ptr_array_index (toggles, 0)));
    g_assert_false (is_active (g_ptr_array_index (toggles, 1)));
    save_png (f, "declined-nl");
  }

  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    intake_answer_free (stored[i].answer);
}

static void
test_rather_not_say (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) toggles = NULL;
  GtkWidget *decline;

  show (f, "debts");
  toggles = answer_toggles (f);
  decline = find_one (f, "decline-card");
  g_assert_true (gtk_widget_get_visible (decline));
  gtk_test_accessible_assert_property (decline, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       lookup (f, "I would rather not say"));
  gtk_test_accessible_assert_role (decline, GTK_ACCESSIBLE_ROLE_CHECKBOX);
  g_assert_true (GTK_IS_TOGGLE_BUTTON (decline));
  /* It is not one of the answers: it sits outside the answer group. */
  g_assert_false (gtk_widget_is_ancestor (decline, find_one (f, "question-answers")));

  press (g_ptr_array_index (toggles, 0));
  assert_answer (f, intake_answer_new_boolean (TRUE));

  /* Turning it on clears the answer ... */
  f->n_changed = 0;
  press (decline);
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_false (is_active (g_ptr_array_index (toggles, 0)));
  assert_answer (f, intake_answer_new_declined ());

  /* ... and giving an answer turns it off. */
  press (g_ptr_array_index (toggles, 1));
  g_assert_false (is_active (decline));
  assert_answer (f, intake_answer_new_boolean (FALSE));

  /* Turning it off again leaves no answer. */
  press (decline);
  assert_answer (f, intake_answer_new_declined ());
  press (decline);
  assert_answer (f, NULL);

  /* The same on a scale. */
  show (f, "mood");
  g_ptr_array_unref (toggles);
  toggles = answer_toggles (f);
  decline = find_one (f, "decline-card");
  press (g_ptr_array_index (toggles, 6));
  press (decline);
  assert_answer (f, intake_answer_new_declined ());
  g_assert_false (is_active (g_ptr_array_index (toggles, 6)));
  press (g_ptr_array_index (toggles, 8));
  assert_answer (f, intake_answer_new_integer (8));
  press (decline);
  save_png (f, "scale-declined-nl");
}

static void
test_accessibility (Fixture       *f,
                    gconstpointer  data)
{
  for (guint i = 0; i < intake_questionnaire_get_n_questions (f->questionnaire); i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (f->questionnaire, i);
      g_autoptr(GPtrArray) controls = g_ptr_array_new ();
      GtkWidget *heading = intake_question_view_get_heading (f->view);
      GtkWidget *group;

      show (f, q->code);
      intake_question_view_set_message (f->view, "Please check the date.");
      wait_frames (f->window, 1);

      /* The question is the label of its answers. */
      group = find_one (f, "question-answers");
      gtk_test_accessible_assert_role (group, GTK_ACCESSIBLE_ROLE_GROUP);
      gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL);
      g_assert_true (gtk_widget_get_direction (heading) == GTK_TEXT_DIR_LTR);

      /* The message is read with the answers, before the help text; they
       * are marked invalid while it is shown, and required when needed. */
      {
        GtkWidget *message = find_one (f, "question-message-text");
        GtkWidget *help = find_one (f, "question-help");

        if (gtk_widget_get_visible (help))
          gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, message, help, NULL);
        else
          gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, message, NULL);
        gtk_test_accessible_assert_state (group, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE);
        gtk_test_accessible_assert_property (group, GTK_ACCESSIBLE_PROPERTY_REQUIRED, q->required);
        /* The message is an alert that can take focus. */
        gtk_test_accessible_assert_role (find_one (f, "question-message"), GTK_ACCESSIBLE_ROLE_ALERT);
        g_assert_true (gtk_widget_get_focusable (find_one (f, "question-message")));

        intake_question_view_set_message (f->view, NULL);
        if (gtk_widget_get_visible (help))
          gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, help, NULL);
        else
          g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (group),
                                                            GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));
        gtk_test_accessible_assert_state (group, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_FALSE);
      }

      /* Section and question are headings. */
      gtk_test_accessible_assert_role (heading, GTK_ACCESSIBLE_ROLE_HEADING);
      gtk_test_accessible_assert_property (heading, GTK_ACCESSIBLE_PROPERTY_LEVEL, 2);
      gtk_test_accessible_assert_role (find_one (f, "question-section"), GTK_ACCESSIBLE_ROLE_HEADING);
      gtk_test_accessible_assert_property (find_one (f, "question-section"), GTK_ACCESSIBLE_PROPERTY_LEVEL, 1);

      collect_interactive (GTK_WIDGET (f->view), controls);
      g_assert_cmpuint (controls->len, >=, 1);
      for (guint j = 0; j < controls->len; j++)
        {
          GtkWidget *w = g_ptr_array_index (controls, j);

          if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL) &&
              !gtk_test_accessible_has_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
            g_error ("question %s: a %s has no accessible label", q->code, G_OBJECT_TYPE_NAME (w));
        }
    }
}

static void
test_touch_targets (Fixture       *f,
                    gconstpointer  data)
{
  static const char *const sizes[] = { NULL, "text-large", "text-larger" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      if (sizes[s] != NULL)
        gtk_widget_add_css_class (f->window, sizes[s]);

      for (guint i = 0; i < intake_questionnaire_get_n_questions (f->questionnaire); i++)
        {
          const IntakeQuestion *q = intake_questionnaire_get_question (f->questionnaire, i);
          g_autoptr(GPtrArray) controls = g_ptr_array_new ();

          show (f, q->code);
          collect_interactive (GTK_WIDGET (f->view), controls);
          for (guint j = 0; j < controls->len; j++)
            {
              GtkWidget *w = g_ptr_array_index (controls, j);

              if (gtk_widget_get_height (w) < 48 || gtk_widget_get_width (w) < 48)
                g_error ("question %s (%s): a %s is %d x %d px, smaller than 48 x 48",
                         q->code, sizes[s] != NULL ? sizes[s] : "normal text", G_OBJECT_TYPE_NAME (w),
                         gtk_widget_get_width (w), gtk_widget_get_height (w));
            }
        }

      if (sizes[s] != NULL)
        gtk_widget_remove_css_class (f->window, sizes[s]);
    }
}

static void
test_text_size (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *heading;
  g_autoptr(GPtrArray) toggles = NULL;
  GtkWidget *label;
  int normal, large, larger;
  int normal_card, larger_card;

  show (f, "housing");
  heading = intake_question_view_get_heading (f->view);
  toggles = answer_toggles (f);
  label = gtk_widget_get_last_child (gtk_button_get_child (GTK_BUTTON (g_ptr_array_index (toggles, 0))));
  /* One line of each: compare the text heights. */
  normal = gtk_widget_get_height (heading);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, -1, NULL, &normal_card, NULL, NULL);

  gtk_widget_add_css_class (f->window, "text-large");
  wait_frames (f->window, 2);
  large = gtk_widget_get_height (heading);

  gtk_widget_remove_css_class (f->window, "text-large");
  gtk_widget_add_css_class (f->window, "text-larger");
  wait_frames (f->window, 2);
  larger = gtk_widget_get_height (heading);
  gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, -1, NULL, &larger_card, NULL, NULL);

  g_assert_cmpint (normal, <, large);
  g_assert_cmpint (large, <, larger);
  g_assert_cmpint (normal_card, <, larger_card);

  press (g_ptr_array_index (toggles, 1));
  save_png (f, "single-choice-larger-nl");

  gtk_widget_remove_css_class (f->window, "text-larger");
  gtk_widget_add_css_class (f->window, "high-contrast");
  show (f, "sectors_wanted");
  g_ptr_array_unref (toggles);
  toggles = answer_toggles (f);
  press (g_ptr_array_index (toggles, 0));
  press (g_ptr_array_index (toggles, 3));
  intake_question_view_focus_answer (f->view);
  gtk_window_set_focus_visible (GTK_WINDOW (f->window), TRUE);
  save_png (f, "multiple-choice-high-contrast-nl");
  show (f, "mood");
  g_ptr_array_unref (toggles);
  toggles = answer_toggles (f);
  press (g_ptr_array_index (toggles, 7));
  intake_question_view_set_message (f->view, lookup (f, "Please choose an answer."));
  save_png (f, "scale-high-contrast-nl");
}

static void
test_rtl (Fixture       *f,
          gconstpointer  data)
{
  const IntakeQuestion *q;
  g_autoptr(GPtrArray) toggles = NULL;
  g_autoptr(GPtrArray) ends = g_ptr_array_new ();
  GtkWidget *heading;
  double x_min, x_max, y, x_label_min, x_label_max;

  g_assert_cmpstr (intake_session_get_language (f->session), ==, "ar");
  /* The window sets the direction from the session language. */
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);

  q = show (f, "digital_skills");
  heading = intake_question_view_get_heading (f->view);
  g_assert_true (gtk_widget_get_direction (heading) == GTK_TEXT_DIR_RTL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (heading)), ==, intake_text_get (q->text, "ar"));

  /* Mirrored: the lowest step and its label on the right. */
  toggles = answer_toggles (f);
  collect_class (GTK_WIDGET (f->view), "scale-end-label", ends);
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, 0), GTK_WIDGET (f->view),
                                                   0, 0, &x_min, &y));
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, toggles->len - 1),
                                                   GTK_WIDGET (f->view), 0, 0, &x_max, &y));
  g_assert_cmpfloat (x_min, >, x_max);
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (ends, 0), GTK_WIDGET (f->view),
                                                   0, 0, &x_label_min, &y));
  g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (ends, 1), GTK_WIDGET (f->view),
                                                   0, 0, &x_label_max, &y));
  g_assert_cmpfloat (x_label_min, >, x_label_max);
  press (g_ptr_array_index (toggles, 3));
  save_png (f, "scale-ar");

  /* Every type in Arabic. */
  {
    static const char *const codes[] = {
      "housing", "sectors_wanted", "needs_interpreter", "support_notes",
      "hours_per_week", "birth_date", "ladder_now", "health_limits",
    };

    for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
      {
        g_autoptr(GPtrArray) controls = NULL;
        g_autofree char *name = NULL;

        q = show (f, codes[i]);
        g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (heading)), ==, intake_text_get (q->text, "ar"));
        g_ptr_array_unref (toggles);
        toggles = answer_toggles (f);
        if (toggles->len > 1)
          press (g_ptr_array_index (toggles, 1));
        if (q->type == INTAKE_QUESTION_TYPE_SHORT_TEXT)
          gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 0)), "أحتاج مساعدة في كتابة الرسائل");
        if (q->type == INTAKE_QUESTION_TYPE_NUMBER)
          gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 0)), "٢٤");
        if (q->type == INTAKE_QUESTION_TYPE_DATE)
          {
            gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 0)), "17");
            gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 1)), "6");
            gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 2)), "1985");
            assert_answer (f, intake_answer_new_date ("1985-06-17"));
            intake_question_view_set_message (f->view, lookup (f, "Please check the date."));
          }
        if (q->type == INTAKE_QUESTION_TYPE_NUMBER)
          assert_answer (f, intake_answer_new_integer (24));
        if (q->type == INTAKE_QUESTION_TYPE_LADDER)
          {
            double y6, y1;

            g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, 0),
                                                             GTK_WIDGET (f->view), 0, 0, &x_min, &y6));
            g_assert_true (gtk_widget_translate_coordinates (g_ptr_array_index (toggles, 5),
                                                             GTK_WIDGET (f->view), 0, 0, &x_min, &y1));
            g_assert_cmpfloat (y6, <, y1);
          }

        name = g_strdup_printf ("%s-ar", intake_question_type_to_string (q->type));
        for (char *p = name; *p != '\0'; p++)
          if (*p == '_')
            *p = '-';
        save_png (f, name);
      }
  }
}

static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  static const char *const codes[] = {
    "birth_date", "client_number", "needs_interpreter", "sectors_wanted",
    "hours_per_week", "ladder_now", "digital_skills", "debts", "housing",
  };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const IntakeQuestion *q = show (f, codes[i]);
      g_autoptr(GPtrArray) toggles = answer_toggles (f);
      g_autoptr(GPtrArray) editables = g_ptr_array_new ();

      for (guint j = 0; j < toggles->len; j += 2)
        press (g_ptr_array_index (toggles, j));
      collect_class (GTK_WIDGET (f->view), "answer-entry", editables);
      for (guint j = 0; j < editables->len; j++)
        gtk_editable_set_text (g_ptr_array_index (editables, j), "12");
      intake_question_view_set_message (f->view, "Please check the date.");
      if (q->rather_not_say)
        {
          g_autoptr(IntakeAnswer) answer = intake_question_view_dup_answer (f->view);

          g_assert_nonnull (answer);
          g_assert_false (intake_answer_is_declined (answer));
        }

      f->n_changed = 0;
      intake_question_view_clear (f->view);
      g_assert_cmpuint (f->n_changed, ==, 0);

      assert_answer (f, NULL);
      g_ptr_array_set_size (editables, 0);
      g_ptr_array_set_size (toggles, 0);
      collect_toggles (GTK_WIDGET (f->view), toggles);
      for (guint j = 0; j < toggles->len; j++)
        g_assert_false (is_active (g_ptr_array_index (toggles, j)));
      {
        g_autoptr(GPtrArray) all = g_ptr_array_new ();

        collect_interactive (GTK_WIDGET (f->view), all);
        for (guint j = 0; j < all->len; j++)
          if (GTK_IS_EDITABLE (g_ptr_array_index (all, j)))
            g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (all, j)), ==, "");
      }
      g_assert_false (gtk_widget_get_visible (find_one (f, "question-message")));
    }

  /* A declined answer is cleared, too. */
  show (f, "debts");
  press (find_one (f, "decline-card"));
  intake_question_view_clear (f->view);
  g_assert_false (is_active (find_one (f, "decline-card")));
  assert_answer (f, NULL);

  /* Showing the next question wipes the typed text before the field goes. */
  show (f, "support_notes");
  {
    GtkEntryBuffer *buffer = g_object_ref (gtk_entry_get_buffer (GTK_ENTRY (answer_entry (f, 0))));

    gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 0)), "prive tekst");
    show (f, "housing");
    g_assert_cmpuint (gtk_entry_buffer_get_length (buffer), ==, 0);
    g_assert_cmpstr (gtk_entry_buffer_get_text (buffer), ==, "");
    g_object_unref (buffer);
  }
}

static void
test_message (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *message;
  GtkWidget *group;
  GtkWidget *help;
  const char *text;

  show (f, "birth_date");
  message = find_one (f, "question-message");
  group = find_one (f, "question-answers");
  g_assert_false (gtk_widget_get_visible (message));
  help = find_one (f, "question-help");
  g_assert_true (gtk_widget_get_visible (help));
  gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, help, NULL);

  text = lookup (f, "Please check the date.");
  intake_question_view_set_message (f->view, text);
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_one (f, "question-message-text"))), ==, text);
  g_assert_cmpstr (intake_question_view_get_message (f->view), ==, text);
  /* The message describes the answers and each field (before the help). */
  gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                       find_one (f, "question-message-text"), help, NULL);
  gtk_test_accessible_assert_relation (answer_entry (f, 0), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                       find_one (f, "question-message-text"), help, NULL);
  gtk_test_accessible_assert_property (message, GTK_ACCESSIBLE_PROPERTY_LABEL, text);
  gtk_test_accessible_assert_role (message, GTK_ACCESSIBLE_ROLE_ALERT);
  /* It is above the answers, and focusing it announces it. */
  {
    graphene_point_t top = GRAPHENE_POINT_INIT (0, 0), group_top;

    g_assert_true (gtk_widget_compute_point (message, group, &top, &group_top));
    g_assert_cmpfloat (group_top.y, <, 0);
  }
  intake_question_view_focus_message (f->view);
  g_assert_true (gtk_root_get_focus (gtk_widget_get_root (message)) == message);
  gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 0)), "31");
  gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 1)), "2");
  gtk_editable_set_text (GTK_EDITABLE (answer_entry (f, 2)), "1990");
  save_png (f, "date-message-nl");

  intake_question_view_set_message (f->view, NULL);
  g_assert_false (gtk_widget_get_visible (message));
  g_assert_null (intake_question_view_get_message (f->view));
  gtk_test_accessible_assert_relation (group, GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, help, NULL);

  /* A new question starts without the old message. */
  intake_question_view_set_message (f->view, text);
  show (f, "housing");
  g_assert_false (gtk_widget_get_visible (message));
}

static void
test_focus (Fixture       *f,
            gconstpointer  data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (f->view));
  g_autoptr(GPtrArray) toggles = NULL;

  /* Nothing chosen: the first answer. */
  show (f, "housing");
  toggles = answer_toggles (f);
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_root_get_focus (root) == g_ptr_array_index (toggles, 0));

  /* Arrow keys move through the list. */
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_DOWN));
  g_assert_true (gtk_root_get_focus (root) == g_ptr_array_index (toggles, 1));

  /* Something chosen: that answer. */
  press (g_ptr_array_index (toggles, 2));
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_root_get_focus (root) == g_ptr_array_index (toggles, 2));

  /* A text field: the field itself (its text part has the focus). */
  show (f, "client_number");
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (root), answer_entry (f, 0)));

  show (f, "birth_date");
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (root), answer_entry (f, 0)));

  /* Declined: the "rather not say" box. */
  show (f, "debts");
  press (find_one (f, "decline-card"));
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_root_get_focus (root) == find_one (f, "decline-card"));

  /* Tab moves on from the first answer to the next one. */
  show (f, "needs_interpreter");
  g_ptr_array_unref (toggles);
  toggles = answer_toggles (f);
  intake_question_view_focus_answer (f->view);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_root_get_focus (root) == g_ptr_array_index (toggles, 1));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (f->window), GTK_DIR_LEFT));
  g_assert_true (gtk_root_get_focus (root) == g_ptr_array_index (toggles, 0));
  /* GTK shows focus rings after keyboard use; this is what a keyboard user sees. */
  gtk_window_set_focus_visible (GTK_WINDOW (f->window), TRUE);
  save_png (f, "yes-no-focus-nl");
}

static void
test_catalog_words (void)
{
  static const char *const pairs[] = {
    "", "Content-Type: text/plain; charset=UTF-8\n",
    "I would rather not say", "Dat zeg ik liever niet (test)",
    "No", "Nee (test)",
    "Yes", "Ja (test)",
    NULL, NULL,
  };
  g_autoptr(GBytes) mo = build_mo (pairs);
  g_autofree char *path = intake_test_data_path ("questionnaire-valid.json");
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_from_file (path, NULL);
  g_autoptr(IntakeSession) session = intake_session_new (questionnaire, "nl");
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) toggles = g_ptr_array_new ();
  g_autoptr(GPtrArray) declines = g_ptr_array_new ();
  GtkWidget *view;

  g_assert_true (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_no_error (error);

  view = g_object_ref_sink (intake_question_view_new (catalog));
  intake_question_view_show_question (INTAKE_QUESTION_VIEW (view), session,
                                      intake_questionnaire_lookup_question (questionnaire, "debts"));
  collect_toggles (GTK_WIDGET (view), toggles);
  collect_class (GTK_WIDGET (view), "decline-card", declines);
  g_assert_cmpuint (toggles->len, ==, 3);
  gtk_test_accessible_assert_property (g_ptr_array_index (toggles, 0), GTK_ACCESSIBLE_PROPERTY_LABEL, "Ja (test)");
  gtk_test_accessible_assert_property (g_ptr_array_index (toggles, 1), GTK_ACCESSIBLE_PROPERTY_LABEL, "Nee (test)");
  gtk_test_accessible_assert_property (g_ptr_array_index (declines, 0), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Dat zeg ik liever niet (test)");
  g_ptr_array_set_size (toggles, 0);
  g_ptr_array_set_size (declines, 0);
  g_assert_finalize_object (view);
}

/* A questionnaire in Tigrinya (Ethiopic script), to see that its glyphs show. */
static const char ethiopic_json[] =
  "{\"format\":1,\"id\":\"ethiopic-test\",\"version\":1,\"source_language\":\"nl\","
  "\"languages\":{\"nl\":{\"name\":\"Nederlands\",\"direction\":\"ltr\",\"status\":\"reviewed\"},"
  "\"ti\":{\"name\":\"ትግርኛ\",\"direction\":\"ltr\",\"status\":\"draft\"}},"
  "\"title\":{\"nl\":\"Test\",\"ti\":\"ፈተና\"},"
  "\"sections\":[{\"code\":\"work\",\"title\":{\"nl\":\"Werk\",\"ti\":\"ስራሕ\"},\"questions\":["
  "{\"code\":\"sector\",\"type\":\"single_choice\",\"rather_not_say\":true,"
  "\"text\":{\"nl\":\"In welk werk heeft u zin?\",\"ti\":\"ኣብ ኣየናይ ዓይነት ስራሕ ክትሰርሕ ትደሊ?\"},"
  "\"help\":{\"nl\":\"Kies er één.\",\"ti\":\"ሓደ ጥራይ ምረጹ።\"},"
  "\"options\":["
  "{\"code\":\"hospitality\",\"label\":{\"nl\":\"Horeca\",\"ti\":\"ሆቴልን ቤት መግብን\"}},"
  "{\"code\":\"cleaning\",\"label\":{\"nl\":\"Schoonmaak\",\"ti\":\"ምጽራይ\"}},"
  "{\"code\":\"other\",\"label\":{\"nl\":\"Iets anders\",\"ti\":\"ካልእ\"}}]}]}]}";

static void
ethiopic_setup (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (ethiopic_json, strlen (ethiopic_json));
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *questionnaire = intake_questionnaire_new_from_bytes (bytes, "ethiopic.json", &error);

  g_assert_no_error (error);
  fixture_setup_with (f, questionnaire, "ti");
}

static void
test_ethiopic (Fixture       *f,
               gconstpointer  data)
{
  const IntakeQuestion *q = show (f, "sector");
  g_autoptr(GPtrArray) toggles = answer_toggles (f);
  PangoLayout *layout;

  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (intake_question_view_get_heading (f->view))), ==,
                   intake_text_get (q->text, "ti"));
  /* Every glyph of the question has a font (no boxes). */
  layout = gtk_label_get_layout (GTK_LABEL (intake_question_view_get_heading (f->view)));
  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (layout), ==, 0);

  press (g_ptr_array_index (toggles, 1));
  assert_answer (f, intake_answer_new_choice ("cleaning"));
  save_png (f, "single-choice-ti");
}

/* ---- main ---- */

static void
css_parsing_error_cb (GtkCssProvider *provider,
                      GtkCssSection  *section,
                      const GError   *error,
                      gpointer        user_data)
{
  g_autofree char *where = gtk_css_section_to_string (section);

  g_error ("intake-question-view.css: %s: %s", where, error->message);
}

/* The style sheet as the kiosk ships it (compiled into the kiosk's
 * resources), or from the source tree when the resource is not linked in. */
static void
load_css (void)
{
  static const char resource[] = "/org/intakekiosk/Kiosk/ui/intake-question-view.css";
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  g_signal_connect (provider, "parsing-error", G_CALLBACK (css_parsing_error_cb), NULL);
  if (g_resources_get_info (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    {
      gtk_css_provider_load_from_resource (provider, resource);
    }
  else
    {
      g_autofree char *path = intake_test_source_path ("ui/kiosk/intake-question-view.css");

      gtk_css_provider_load_from_path (provider, path);
    }
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

#define ADD(path, func, data) \
  g_test_add ("/kiosk/question-view/" path, Fixture, data, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  load_css ();
  /* Screenshots show the end state, not a colour halfway through a transition. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/kiosk/question-view/new-destroy", test_new_destroy);
  g_test_add_func ("/kiosk/question-view/catalog-words", test_catalog_words);
  ADD ("single-choice", test_single_choice, NULL);
  ADD ("multiple-choice", test_multiple_choice, NULL);
  ADD ("scale", test_scale, NULL);
  ADD ("yes-no", test_yes_no, NULL);
  ADD ("short-text", test_short_text, NULL);
  ADD ("number", test_number, NULL);
  ADD ("date", test_date, NULL);
  ADD ("ladder", test_ladder, NULL);
  ADD ("prefill", test_prefill, NULL);
  ADD ("rather-not-say", test_rather_not_say, NULL);
  ADD ("clear", test_clear, NULL);
  ADD ("message", test_message, NULL);
  ADD ("focus", test_focus, NULL);
  ADD ("accessibility", test_accessibility, NULL);
  ADD ("touch-targets", test_touch_targets, NULL);
  ADD ("text-size-and-contrast", test_text_size, NULL);
  ADD ("rtl", test_rtl, "ar");
  g_test_add ("/kiosk/question-view/ethiopic", Fixture, NULL, ethiopic_setup, test_ethiopic, fixture_teardown);

  return g_test_run ();
}

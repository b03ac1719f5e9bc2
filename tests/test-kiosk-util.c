/* test-kiosk-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-canonical-json.h"
#include "intake-envelope.h"
#include "intake-kiosk-tour.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

const char *const kiosk_test_languages[] = { "nl", "en", "ar", "tr", "fa", "ti", "uk", "pl", NULL };

/* Where AdwApplication looks for style.css: the resource base path of the
 * kiosk's application id, org.intakekiosk.Kiosk. */
#define KIOSK_STYLE_RESOURCE "/org/intakekiosk/Kiosk/style.css"

void
kiosk_test_init (void)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* The kiosk's AdwApplication loads style.css by itself; the test windows
   * have no application, so the tests do what it does. The resource must be
   * where the application looks for it. */
  g_assert_true (g_resources_get_info (KIOSK_STYLE_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                       NULL, NULL, NULL));
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, KIOSK_STYLE_RESOURCE);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* ---- The questionnaire ------------------------------------------------- */

static const struct {
  const char *code;
  const char *name;
  const char *direction;
} extra_languages[] = {
  { "tr", "Türkçe", "ltr" },
  { "fa", "فارسی", "rtl" },
  { "ti", "ትግርኛ", "ltr" },
  { "uk", "Українська", "ltr" },
  { "pl", "Polski", "ltr" },
};

static void
widen_texts (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        widen_texts (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *en = json_object_get_member (object, "en");
      JsonNode *nl = json_object_get_member (object, "nl");

      if (en != NULL && nl != NULL && JSON_NODE_HOLDS_VALUE (en) && JSON_NODE_HOLDS_VALUE (nl))
        {
          for (guint i = 0; i < G_N_ELEMENTS (extra_languages); i++)
            if (!json_object_has_member (object, extra_languages[i].code))
              json_object_set_string_member (object, extra_languages[i].code,
                                             json_node_get_string (en));
          return;
        }

      {
        g_autoptr(GList) members = json_object_get_members (object);

        for (GList *l = members; l != NULL; l = l->next)
          widen_texts (json_object_get_member (object, l->data));
      }
    }
}

char *
kiosk_test_questionnaire_path (const char *dir,
                               gboolean    allow_full,
                               gboolean   *out_full)
{
  g_autofree char *full = intake_test_source_path ("resources/questionnaires/intake.json");
  g_autofree char *fixture = intake_test_data_path ("questionnaire-valid.json");
  g_autofree char *wide = g_build_filename (dir, "questionnaire-8.json", NULL);
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *languages;

  if (allow_full && g_file_test (full, G_FILE_TEST_EXISTS) &&
      (questionnaire = intake_questionnaire_new_from_file (full, NULL)) != NULL)
    {
      *out_full = TRUE;
      return g_steal_pointer (&full);
    }

  *out_full = FALSE;
  json_parser_load_from_file (parser, fixture, &error);
  g_assert_no_error (error);
  languages = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                             "languages");
  for (guint i = 0; i < G_N_ELEMENTS (extra_languages); i++)
    {
      JsonObject *language = json_object_new ();

      json_object_set_string_member (language, "name", extra_languages[i].name);
      json_object_set_string_member (language, "direction", extra_languages[i].direction);
      json_object_set_string_member (language, "status", "draft");
      json_object_set_object_member (languages, extra_languages[i].code, language);
    }
  widen_texts (json_parser_get_root (parser));
  json = json_to_string (json_parser_get_root (parser), TRUE);
  g_file_set_contents (wide, json, -1, &error);
  g_assert_no_error (error);

  questionnaire = intake_questionnaire_new_from_file (wide, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&wide);
}

/* ---- Fixture ---------------------------------------------------------- */

static void
setup_full (KioskFixture   *f,
            gboolean        allow_full,
            KioskPrepareFunc prepare)
{
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autofree char *office_path = NULL;
  g_autoptr(GError) error = NULL;

  f->tmp = intake_test_tmpdir_new ();
  f->state_dir = g_build_filename (f->tmp, "state", NULL);
  office_path = g_build_filename (f->tmp, "office.pub", NULL);

  intake_office_generate (&office, &f->secret, &error);
  g_assert_no_error (error);
  intake_office_public_save (office, office_path, &error);
  g_assert_no_error (error);

  f->questionnaire_path = kiosk_test_questionnaire_path (f->tmp, allow_full, &f->full_questionnaire);
  if (prepare != NULL)
    {
      char *prepared = prepare (f->tmp, f->questionnaire_path);

      g_free (f->questionnaire_path);
      f->questionnaire_path = prepared;
    }
  f->kiosk = intake_kiosk_new (f->state_dir, office_path, f->questionnaire_path, &error);
  g_assert_no_error (error);

  f->window = intake_kiosk_window_new (NULL, f->kiosk, NULL);
  g_object_set (f->window, "languages", kiosk_test_languages, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  intake_kiosk_wait_for_frames (GTK_WIDGET (f->window), 1);
}

void
kiosk_fixture_setup (KioskFixture  *f,
                     gconstpointer  data)
{
  setup_full (f, TRUE, NULL);
}

void
kiosk_fixture_setup_fixture (KioskFixture  *f,
                             gconstpointer  data)
{
  setup_full (f, FALSE, NULL);
}

void
kiosk_fixture_setup_prepared (KioskFixture     *f,
                              KioskPrepareFunc  prepare)
{
  setup_full (f, TRUE, prepare);
}

void
kiosk_fixture_teardown (KioskFixture  *f,
                        gconstpointer  data)
{
  GtkWidget *window = GTK_WIDGET (f->window);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  for (guint i = 0; i < 100 && window != NULL; i++)
    kiosk_test_spin (10);
  g_assert_null (window);

  g_assert_finalize_object (f->kiosk);
  g_clear_pointer (&f->secret, intake_office_secret_free);
  intake_test_rm_rf (f->tmp);
  g_clear_pointer (&f->tmp, g_free);
  g_clear_pointer (&f->state_dir, g_free);
  g_clear_pointer (&f->questionnaire_path, g_free);
}

/* ---- Waiting ---------------------------------------------------------- */

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
kiosk_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
kiosk_test_wait_screen (KioskFixture *f,
                        const char   *screen,
                        guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (!g_str_equal (intake_kiosk_window_get_screen (f->window), screen) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  return g_str_equal (intake_kiosk_window_get_screen (f->window), screen);
}

char *
kiosk_test_artifacts_dir (const char *sub)
{
  const char *base = g_getenv ("INTAKE_TEST_ARTIFACTS");
  g_autofree char *fallback = NULL;
  char *dir;

  if (base == NULL || base[0] == '\0')
    base = fallback = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL
                                        ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                        "artifacts", NULL);
  dir = g_build_filename (base, sub, NULL);
  g_mkdir_with_parents (dir, 0755);
  return dir;
}

void
kiosk_test_screenshot (KioskFixture *f,
                       const char   *name)
{
  g_autofree char *dir = kiosk_test_artifacts_dir ("kiosk");
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  intake_kiosk_save_screenshot (GTK_WIDGET (f->window), path, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* ---- Widget trees ------------------------------------------------------ */

static void
find_by_class (GtkWidget  *widget,
               const char *css_class,
               GPtrArray  *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (gtk_widget_has_css_class (widget, css_class))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_by_class (child, css_class, out);
}

GPtrArray *
kiosk_test_find_by_class (GtkWidget  *root,
                          const char *css_class)
{
  GPtrArray *out = g_ptr_array_new ();

  find_by_class (root, css_class, out);
  return out;
}

void
kiosk_test_collect_widgets (GtkWidget *root,
                            GPtrArray *out)
{
  g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    kiosk_test_collect_widgets (child, out);
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

GtkWidget *
kiosk_test_find_text (GtkWidget  *root,
                      const char *needle)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();

  kiosk_test_collect_widgets (root, widgets);
  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      char *error;

      if (GTK_IS_EDITABLE (widget) && contains (gtk_editable_get_text (GTK_EDITABLE (widget)), needle))
        return widget;
      if (GTK_IS_LABEL (widget) && contains (gtk_label_get_label (GTK_LABEL (widget)), needle))
        return widget;
      if (GTK_IS_BUTTON (widget) && contains (gtk_button_get_label (GTK_BUTTON (widget)), needle))
        return widget;
      if (GTK_IS_CHECK_BUTTON (widget) && contains (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)), needle))
        return widget;
      if (GTK_IS_WINDOW (widget) && contains (gtk_window_get_title (GTK_WINDOW (widget)), needle))
        return widget;
      /* GTK 4.8 has no getter for accessible properties; the test context
       * can only compare. The texts the kiosk gives accessible labels are
       * whole answers at most, so an equality check finds them. */
      error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                  GTK_ACCESSIBLE_PROPERTY_LABEL, needle);
      if (error == NULL)
        return widget;
      g_free (error);
      error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, needle);
      if (error == NULL)
        return widget;
      g_free (error);
    }
  return NULL;
}

/* ---- Answers through the widgets --------------------------------------- */

static GtkWidget *
nth_with_class (KioskFixture *f,
                const char   *css_class,
                guint         n)
{
  g_autoptr(GPtrArray) found =
    kiosk_test_find_by_class (intake_kiosk_window_get_question_view (f->window), css_class);

  g_assert_cmpuint (found->len, >, n);
  return g_ptr_array_index (found, n);
}

static void
set_active (GtkWidget *widget,
            gboolean   active)
{
  if (GTK_IS_CHECK_BUTTON (widget))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (widget), active);
  else
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), active);
}

static guint
option_index (const IntakeQuestion *question,
              const char           *code)
{
  for (guint i = 0; i < question->n_options; i++)
    if (g_str_equal (question->options[i].code, code))
      return i;
  g_assert_not_reached ();
  return 0;
}

void
kiosk_test_give_answer (KioskFixture         *f,
                        const IntakeQuestion *question,
                        const IntakeAnswer   *answer)
{
  g_assert_nonnull (answer);

  if (intake_answer_is_declined (answer))
    {
      set_active (nth_with_class (f, "decline-card", 0), TRUE);
      return;
    }

  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      set_active (nth_with_class (f, "answer-option",
                                  option_index (question, intake_answer_get_string (answer))),
                  TRUE);
      break;
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      for (const char * const *code = intake_answer_get_choices (answer); *code != NULL; code++)
        set_active (nth_with_class (f, "answer-option", option_index (question, *code)), TRUE);
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      set_active (nth_with_class (f, "answer-yes-no", intake_answer_get_boolean (answer) ? 0 : 1), TRUE);
      break;
    case INTAKE_QUESTION_TYPE_SCALE:
      set_active (nth_with_class (f, "scale-step",
                                  (guint) (intake_answer_get_integer (answer) - question->min)),
                  TRUE);
      break;
    case INTAKE_QUESTION_TYPE_LADDER:
      /* Rung 6 is drawn at the top. */
      set_active (nth_with_class (f, "ladder-rung",
                                  (guint) (INTAKE_LADDER_RUNGS - intake_answer_get_integer (answer))),
                  TRUE);
      break;
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (nth_with_class (f, "text-entry", 0)),
                             intake_answer_get_string (answer));
      break;
    case INTAKE_QUESTION_TYPE_NUMBER:
      {
        g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, intake_answer_get_integer (answer));

        gtk_editable_set_text (GTK_EDITABLE (nth_with_class (f, "number-entry", 0)), text);
      }
      break;
    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *date = intake_answer_get_string (answer);
        g_autofree char *year = g_strndup (date, 4);
        g_autofree char *month = g_strndup (date + 5, 2);
        g_autofree char *day = g_strndup (date + 8, 2);

        gtk_editable_set_text (GTK_EDITABLE (nth_with_class (f, "date-entry", 0)), day);
        gtk_editable_set_text (GTK_EDITABLE (nth_with_class (f, "date-entry", 1)), month);
        gtk_editable_set_text (GTK_EDITABLE (nth_with_class (f, "date-entry", 2)), year);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

IntakeAnswer *
kiosk_test_choose_answer (const IntakeQuestion *question,
                          guint                 variant)
{
  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return intake_answer_new_choice (question->options[variant % question->n_options].code);
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        const char *codes[3] = { NULL, NULL, NULL };
        guint n = 0;

        for (guint i = 0; i < question->n_options && n < MAX (1, MIN (2, question->max_selected)); i++)
          if (!question->options[i].exclusive)
            codes[n++] = question->options[i].code;
        return intake_answer_new_choices (codes);
      }
    case INTAKE_QUESTION_TYPE_YES_NO:
      return intake_answer_new_boolean (variant % 2 == 0);
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
      return intake_answer_new_integer (MIN (question->max, question->min + 1 + variant % 3));
    case INTAKE_QUESTION_TYPE_LADDER:
      return intake_answer_new_integer (2 + variant % 3);
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      switch (question->text_kind)
        {
        case INTAKE_TEXT_KIND_EMAIL:
          return intake_answer_new_text ("resident@example.org");
        case INTAKE_TEXT_KIND_PHONE:
          return intake_answer_new_text ("0612345678");
        case INTAKE_TEXT_KIND_DIGITS:
          return intake_answer_new_text ("4711");
        case INTAKE_TEXT_KIND_TEXT:
        default:
          return intake_answer_new_text ("Sam de Vries");
        }
    case INTAKE_QUESTION_TYPE_DATE:
      return intake_answer_new_date ("1984-03-14");
    default:
      g_assert_not_reached ();
      return NULL;
    }
}

/* ---- Outbox ------------------------------------------------------------ */

guint
kiosk_test_outbox_count (KioskFixture *f)
{
  IntakeOutboxCounts counts;
  g_autoptr(GError) error = NULL;

  intake_outbox_get_counts (intake_kiosk_get_outbox (f->kiosk), &counts, &error);
  g_assert_no_error (error);
  return counts.pending + counts.delivered;
}

JsonNode *
kiosk_test_open_newest (KioskFixture *f)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  IntakeOutboxItem *item;

  pending = intake_outbox_list_pending (intake_kiosk_get_outbox (f->kiosk), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, >, 0);
  item = g_ptr_array_index (pending, pending->len - 1);
  plaintext = intake_envelope_open (item->envelope, f->secret, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, (const char *) plaintext->data, plaintext->len, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

char *
kiosk_test_canonical_without_times (JsonNode *session_json)
{
  g_autoptr(JsonNode) copy = json_node_copy (session_json);
  g_autoptr(GError) error = NULL;
  JsonObject *object = json_node_get_object (copy);
  char *text;

  if (json_object_has_member (object, "started_at"))
    json_object_remove_member (object, "started_at");
  if (json_object_has_member (object, "finished_at"))
    json_object_remove_member (object, "finished_at");
  text = intake_canonical_json_serialize (copy, NULL, &error);
  g_assert_no_error (error);
  return text;
}

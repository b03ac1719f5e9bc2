/* test-staff-i18n.c: the staff's strings in the staff's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The review app, the review library and intake-admin translate their
 * strings with gettext, domain intake-staff (docs/translations.md). The
 * review window is built once with LANGUAGE=nl (Dutch, as Dutch staff see it
 * today) and once without (English, the msgids), each in a subprocess of its
 * own, since gettext reads the environment when the program starts; both
 * are saved as screenshots. intake-admin, an English tool, reports a failed
 * export in English, and in Dutch only when asked.
 */
#include "config.h"

#include <string.h>

#include "intake-keys.h"
#include "intake-review-window-private.h"
#include "intake-test-util.h"

typedef struct {
  const char *language;           /* the LANGUAGE of the subprocess */
  const char *title;
  const char *heading;
  const char *unlock;
  const char *first_view;
  const char *first_state;
  const char *choose;
  const char *placeholder;
} WindowWords;

static const WindowWords dutch = {
  "nl", "Aanmeldingen beoordelen", "Ontgrendel met uw naam en wachtwoord", "Ontgrendelen",
  "Te doen", "Nieuw", "Kies een aanmelding", "https://intake.voorbeeld.nl",
};

static const WindowWords english = {
  "", "Review submissions", "Unlock with your name and password", "Unlock",
  "To do", "New", "Choose a submission", "https://intake.example.org",
};

typedef gboolean (*Condition) (gpointer data);

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_for (Condition condition,
          gpointer  data,
          guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return condition (data);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  (*(guint *)data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_done (gpointer data)
{
  return *(guint *)data >= 3;
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  const char *env_dir = g_getenv ("INTAKE_TEST_ARTIFACTS");
  g_autofree char *dir = env_dir != NULL ? g_build_filename (env_dir, "review", NULL)
                                         : g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                                             "artifacts", "review", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint frames = 0;
  guint id;
  int width, height;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Let layout and drawing settle. */
  id = gtk_widget_add_tick_callback (window, tick_cb, &frames, NULL);
  gtk_widget_queue_draw (window);
  g_assert_true (wait_for (frames_done, &frames, 10000));
  gtk_widget_remove_tick_callback (window, id);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

/* Runs in the subprocess, whose environment has the language. */
static void
check_window (const WindowWords *words)
{
  IntakeReviewWindow *window = intake_review_window_new (NULL, NULL);
  GListModel *states = adw_combo_row_get_model (window->state_row);
  g_autofree char *name = g_strconcat ("unlock-", *words->language != '\0' ? words->language : "en", NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));

  /* From the template (.ui, translation domain intake-staff)... */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, words->title);
  g_assert_true (has_label (GTK_WIDGET (window), words->heading));
  g_assert_cmpstr (gtk_button_get_label (window->unlock_button), ==, words->unlock);
  g_assert_cmpstr (gtk_entry_get_placeholder_text (window->server_entry), ==, words->placeholder);
  /* ...from the window's code and from the review library. */
  g_assert_true (has_label (GTK_WIDGET (window->views_list), words->first_view));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (states), 0), ==, words->first_state);
  g_assert_true (has_label (GTK_WIDGET (window->detail_stack), words->choose));

  screenshot (GTK_WIDGET (window), name);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_window (gconstpointer data)
{
  const WindowWords *words = data;
  g_autofree char *saved_language = g_strdup (g_getenv ("LANGUAGE"));
  g_autofree char *saved_lc_all = g_strdup (g_getenv ("LC_ALL"));

  if (g_test_subprocess ())
    {
      check_window (words);
      return;
    }

  /* The subprocess inherits this environment. Under the C locale glibc
   * ignores LANGUAGE; C.UTF-8 honours it. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", words->language, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (saved_language != NULL)
    g_setenv ("LANGUAGE", saved_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  if (saved_lc_all != NULL)
    g_setenv ("LC_ALL", saved_lc_all, TRUE);
  else
    g_unsetenv ("LC_ALL");
  g_test_trap_assert_passed ();
}

/* intake-admin export against a server that is not there. */
static void
run_admin_export (const char  *language,
                  char       **out_stderr,
                  int         *out_status)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *pass_file = g_build_filename (dir, "passphrase", NULL);
  g_autofree char *out_file = g_build_filename (dir, "export.csv", NULL);
  g_autofree char *key_file = g_build_filename (dir, "workstation.key", NULL);
  g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (&error);
  const char *admin = g_getenv ("INTAKE_ADMIN");

  g_assert_nonnull (admin);
  g_assert_no_error (error);
  g_assert_true (intake_workstation_key_save (workstation, key_file, "test", &error));
  g_assert_no_error (error);
  intake_test_write_file (pass_file, "a reviewer passphrase\n");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (language != NULL)
    g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  /* Port 1 on loopback: nothing listens there, the connection is refused. */
  process = g_subprocess_launcher_spawn (launcher, &error, admin, "export", "--server", "http://127.0.0.1:1",
                                         "--reviewer", "Anna de Vries", "--passphrase-file", pass_file,
                                         "--workstation-key", key_file, "--format", "csv", "--out", out_file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, out_stderr, &error));
  g_assert_no_error (error);
  *out_status = g_subprocess_get_exit_status (process);
  g_assert_false (g_file_test (out_file, G_FILE_TEST_EXISTS));
  intake_test_rm_rf (dir);
}

static void
test_admin_export_error_english (void)
{
  g_autofree char *err = NULL;
  int status = 0;

  run_admin_export (NULL, &err, &status);
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "intake-admin: The server cannot be reached: "));
  g_assert_cmpuint (strlen (err), >, strlen ("intake-admin: The server cannot be reached: \n"));
}

static void
test_admin_export_error_dutch (void)
{
  g_autofree char *err = NULL;
  int status = 0;

  run_admin_export ("nl", &err, &status);
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "intake-admin: De server is niet bereikbaar: "));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_data_func ("/staff-i18n/window/dutch", &dutch, test_window);
  g_test_add_data_func ("/staff-i18n/window/english", &english, test_window);
  g_test_add_func ("/staff-i18n/admin/export-error/english", test_admin_export_error_english);
  g_test_add_func ("/staff-i18n/admin/export-error/dutch", test_admin_export_error_dutch);

  return g_test_run ();
}

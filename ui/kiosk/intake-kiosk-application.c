/* intake-kiosk-application.c: command line, settings and the kiosk window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Modes that need no window (--set-pin, --demo-submissions, --enroll,
 * --sync-now, --export-bundle, --import-receipts, --new-device-key) run in handle-local-options and exit there,
 * before GTK opens a display. The running kiosk (not the tour) starts the
 * background sync engine (docs/sync.md).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "intake-kiosk-application.h"
#include "intake-kiosk-cli.h"
#include "intake-kiosk-tour.h"
#include "intake-kiosk-window.h"
#include "intake-secure.h"
#include "intake-sync.h"

struct _IntakeKioskApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;      /* NULL when the schema is not installed */
  char           *state_dir;
  char           *office_public;
  char           *questionnaire;
  gboolean        windowed;
  char           *tour_language;
  char           *tour_out;
  char           *tour_tmp;      /* throwaway directory of --tour */
  char           *tls_ca;
  IntakeSync     *sync;          /* the running kiosk's engine; NULL in the tour */
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (IntakeKioskApplication, intake_kiosk_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Directory of the device key, outbox and staff PIN (default: $XDG_STATE_HOME/intake-kiosk)", "DIR" },
  { "office-public", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "The office public key to seal answers to (default: STATE_DIR/office.pub)", "FILE" },
  { "questionnaire", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Questionnaire file (default: the built-in one)", "FILE" },
  { "windowed", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Run in a window instead of full screen (development)", NULL },
  { "set-pin", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Set the staff PIN (read twice from the terminal, or one line from standard input) and exit", NULL },
  { "demo-submissions", 0, 0, G_OPTION_ARG_INT, NULL,
    "Store N submissions with random answers and exit", "N" },
  { "tour", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Write a screenshot of every screen in language LANG (needs --out) and exit", "LANG" },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Directory for the --tour screenshots", "DIR" },
  { "enroll", 0, 0, G_OPTION_ARG_STRING, NULL,
    "Enroll this kiosk with the office server at URL using the one-time CODE, print the office key "
    "fingerprint and exit", "URL CODE" },
  { "force", 0, 0, G_OPTION_ARG_NONE, NULL,
    "With --enroll: accept an office key other than the one this kiosk has", NULL },
  { "sync-now", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Send every pending submission to the server and exit (0 when none is left)", NULL },
  { "export-bundle", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Write every pending submission into a signed bundle for an offline import and exit", "FILE" },
  { "new-device-key", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Give this kiosk a new device key (keeping the old one for its waiting submissions) and exit; "
    "enroll it again afterwards", NULL },
  { "import-receipts", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Read the office's signed receipts for a bundle, mark those submissions delivered and exit", "FILE" },
  { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Trust the CAs in this PEM file for the server (--enroll, --sync-now and the running kiosk)", "FILE" },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, NULL },
  { NULL }
};

/* ---- Settings ------------------------------------------------------------ */

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Without an installed schema the kiosk still runs, on the defaults. */
  if (source == NULL ||
      (schema = g_settings_schema_source_lookup (source, KIOSK_APP_ID, TRUE)) == NULL)
    {
      g_debug ("Schema %s not installed: using the built-in defaults", KIOSK_APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* An older installed schema may lack a newer key: then the default holds. */
static gboolean
settings_has_key (IntakeKioskApplication *self,
                  const char             *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (self->settings == NULL)
    return FALSE;
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  return g_settings_schema_has_key (schema, key);
}

static char *
setting_path (IntakeKioskApplication *self,
              const char             *key)
{
  g_autofree char *value = NULL;

  if (self->settings == NULL)
    return NULL;
  value = g_settings_get_string (self->settings, key);
  return value[0] != '\0' ? g_steal_pointer (&value) : NULL;
}

static void
apply_settings (IntakeKioskApplication *self,
                IntakeKioskWindow      *window)
{
  g_auto(GStrv) languages = NULL;
  g_autofree char *location = NULL;

  if (self->settings == NULL)
    return;

  languages = g_settings_get_strv (self->settings, "languages");
  location = g_settings_get_string (self->settings, "location-name");
  g_object_set (window,
                "idle-timeout", g_settings_get_uint (self->settings, "idle-timeout") * 1000,
                "idle-countdown", g_settings_get_uint (self->settings, "idle-countdown") * 1000,
                "thanks-timeout", g_settings_get_uint (self->settings, "thanks-timeout") * 1000,
                "languages", languages,
                "default-text-size", (guint) g_settings_get_enum (self->settings, "default-text-size"),
                "default-high-contrast", g_settings_get_boolean (self->settings, "high-contrast"),
                "location-name", location,
                NULL);
  /* A staff setting: headphones or a handset, no loudspeaker. */
  if (settings_has_key (self, "private-listening"))
    g_object_set (window, "private-listening",
                  g_settings_get_boolean (self->settings, "private-listening"), NULL);
  if (settings_has_key (self, "help-hold"))
    g_object_set (window, "help-hold", g_settings_get_uint (self->settings, "help-hold") * 1000, NULL);
  if (settings_has_key (self, "on-screen-keyboard"))
    g_object_set (intake_kiosk_window_get_question_view (window), "on-screen-keyboard",
                  g_settings_get_boolean (self->settings, "on-screen-keyboard"), NULL);
  if (settings_has_key (self, "receipt-printer"))
    {
      g_autofree char *printer = g_settings_get_string (self->settings, "receipt-printer");

      g_object_set (window, "receipt-printer", printer, NULL);
    }
}

/* ---- Local modes --------------------------------------------------------- */

static char *
read_line (const char *prompt,
           gboolean    hide)
{
  char buffer[256];
  struct termios saved, quiet;
  gboolean restore = FALSE;
  char *result = NULL;

  if (prompt != NULL)
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  if (hide && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      buffer[strcspn (buffer, "\r\n")] = '\0';
      result = g_strdup (buffer);
    }
  if (restore)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }
  intake_secure_wipe (buffer, sizeof buffer);
  return result;
}

static int
run_set_pin (IntakeKioskApplication *self)
{
  gboolean tty = isatty (STDIN_FILENO);
  g_autoptr(GError) error = NULL;
  char *pin, *again = NULL;
  int status = 0;

  pin = read_line (tty ? "New staff PIN (6 to 12 digits): " : NULL, tty);
  if (tty && pin != NULL)
    again = read_line ("The same PIN again: ", TRUE);

  if (pin == NULL || (tty && again == NULL))
    {
      g_printerr ("intake-kiosk: no PIN was given\n");
      status = 1;
    }
  else if (tty && !g_str_equal (pin, again))
    {
      g_printerr ("intake-kiosk: the two PINs differ; nothing was changed\n");
      status = 1;
    }
  else if (!intake_kiosk_set_pin (self->state_dir, pin, &error))
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      status = 1;
    }
  else
    g_print ("The staff PIN is set.\n");

  intake_secure_strfree (pin);
  intake_secure_strfree (again);
  return status;
}

static int
run_demo_submissions (IntakeKioskApplication *self,
                      int                     n)
{
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  guint stored;

  if (n < 0)
    {
      g_printerr ("intake-kiosk: --demo-submissions needs a number of 0 or more\n");
      return 1;
    }
  kiosk = intake_kiosk_new (self->state_dir, self->office_public, self->questionnaire, &error);
  if (kiosk == NULL)
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      return 1;
    }
  stored = intake_kiosk_demo_submissions (kiosk, (guint) n, g_random_int (), &error);
  g_print ("Stored %u of %d demo submissions in %s\n", stored, n, intake_kiosk_get_state_dir (kiosk));
  if (stored != (guint) n)
    {
      g_printerr ("intake-kiosk: %s\n", error != NULL ? error->message : "not all were stored");
      return 1;
    }
  return 0;
}

/* A throwaway state directory with a throwaway office key, so that the
 * tour never touches a real outbox. */
static gboolean
prepare_tour_state (IntakeKioskApplication  *self,
                    GError                 **error)
{
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) secret = NULL;

  self->tour_tmp = g_dir_make_tmp ("intake-kiosk-tour-XXXXXX", error);
  if (self->tour_tmp == NULL)
    return FALSE;
  g_free (self->state_dir);
  self->state_dir = g_build_filename (self->tour_tmp, "state", NULL);

  if (self->office_public == NULL)
    {
      if (!intake_office_generate (&office, &secret, error))
        return FALSE;
      self->office_public = g_build_filename (self->tour_tmp, "office.pub", NULL);
      if (!intake_office_public_save (office, self->office_public, error))
        return FALSE;
    }
  /* So that the staff PIN screen shows its entry. */
  return intake_kiosk_set_pin (self->state_dir, "480215", error);
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

static int
intake_kiosk_application_handle_local_options (GApplication *application,
                                               GVariantDict *options)
{
  IntakeKioskApplication *self = INTAKE_KIOSK_APPLICATION (application);
  gboolean set_pin = FALSE;
  int demo = -1;
  g_autofree char *option = NULL;

  self->settings = load_settings ();

  if (g_variant_dict_lookup (options, "state-dir", "^ay", &option))
    self->state_dir = g_steal_pointer (&option);
  else if ((self->state_dir = setting_path (self, "state-dir")) == NULL)
    self->state_dir = g_build_filename (g_get_user_state_dir (), "intake-kiosk", NULL);

  if (g_variant_dict_lookup (options, "office-public", "^ay", &option))
    self->office_public = g_steal_pointer (&option);
  else
    self->office_public = setting_path (self, "office-public");

  if (g_variant_dict_lookup (options, "questionnaire", "^ay", &option))
    self->questionnaire = g_steal_pointer (&option);
  else
    self->questionnaire = setting_path (self, "questionnaire");

  g_variant_dict_lookup (options, "windowed", "b", &self->windowed);
  g_variant_dict_lookup (options, "set-pin", "b", &set_pin);
  g_variant_dict_lookup (options, "demo-submissions", "i", &demo);
  g_variant_dict_lookup (options, "tour", "s", &self->tour_language);
  g_variant_dict_lookup (options, "out", "^ay", &self->tour_out);

  if (set_pin)
    return run_set_pin (self);
  if (g_variant_dict_contains (options, "demo-submissions"))
    return run_demo_submissions (self, demo);

  /* Sync modes: docs/sync.md. */
  {
    g_autofree const char **rest = NULL;
    g_autofree char *bundle = NULL;
    g_autofree char *receipts = NULL;
    const char *enroll_url = NULL;
    gboolean force = FALSE, sync_now = FALSE, new_device_key = FALSE;

    g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &rest);
    g_variant_dict_lookup (options, "tls-ca", "^ay", &self->tls_ca);
    g_variant_dict_lookup (options, "force", "b", &force);
    g_variant_dict_lookup (options, "sync-now", "b", &sync_now);
    g_variant_dict_lookup (options, "export-bundle", "^ay", &bundle);
    g_variant_dict_lookup (options, "import-receipts", "^ay", &receipts);
    g_variant_dict_lookup (options, "new-device-key", "b", &new_device_key);
    if (g_variant_dict_lookup (options, "enroll", "&s", &enroll_url))
      return intake_kiosk_cli_enroll (self->state_dir, enroll_url,
                                     rest != NULL && rest[0] != NULL && rest[1] == NULL ? rest[0] : NULL,
                                     force, self->tls_ca);
    if (rest != NULL && rest[0] != NULL)
      {
        g_printerr ("intake-kiosk: unexpected argument \"%s\"\n", rest[0]);
        return 2;
      }
    if (new_device_key)
      return intake_kiosk_cli_new_device_key (self->state_dir);
    if (sync_now)
      return intake_kiosk_cli_sync_now (self->state_dir, self->office_public, self->questionnaire,
                                       self->tls_ca);
    if (bundle != NULL)
      return intake_kiosk_cli_export_bundle (self->state_dir, self->office_public, self->questionnaire, bundle);
    if (receipts != NULL)
      return intake_kiosk_cli_import_receipts (self->state_dir, self->office_public, self->questionnaire,
                                               receipts);
  }

  if (self->tour_language != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (self->tour_out == NULL)
        {
          g_printerr ("intake-kiosk: --tour needs --out DIR\n");
          return 1;
        }
      if (g_variant_dict_contains (options, "state-dir"))
        g_printerr ("intake-kiosk: the tour submits test answers, so it ignores --state-dir "
                    "and uses a throwaway directory\n");
      if (!prepare_tour_state (self, &error))
        {
          g_printerr ("intake-kiosk: %s\n", error->message);
          return 1;
        }
      self->windowed = TRUE;
    }
  else if (self->tour_out != NULL)
    {
      g_printerr ("intake-kiosk: --out is only used with --tour LANG\n");
      return 1;
    }

  return -1;
}

/* ---- Window modes -------------------------------------------------------- */

static gboolean
run_tour_cb (gpointer user_data)
{
  IntakeKioskApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (!intake_kiosk_tour_run (INTAKE_KIOSK_WINDOW (window), self->tour_language,
                              self->tour_out, paths, NULL, NULL, &error))
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      self->exit_status = 1;
    }
  else
    {
      for (guint i = 0; i < paths->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (paths, i));
    }
  gtk_window_destroy (window);
  g_application_release (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

/* The background sync engine of the running kiosk. It only schedules work
 * on the main loop here; all network I/O is asynchronous, so the resident's
 * screens never wait for it. */
static IntakeSync *
start_sync (IntakeKioskApplication *self,
            IntakeKiosk            *kiosk)
{
  g_autoptr(IntakeSync) sync = intake_sync_new (kiosk);
  g_autoptr(GError) error = NULL;

  if (self->tls_ca != NULL && !intake_sync_set_tls_ca_file (sync, self->tls_ca, &error))
    g_printerr ("intake-kiosk: %s\n", error->message);
  intake_sync_set_grace_days (sync, settings_has_key (self, "sync-grace-days")
                                      ? g_settings_get_uint (self->settings, "sync-grace-days")
                                      : INTAKE_SYNC_DEFAULT_GRACE_DAYS);
  /* Its status lines are for the staff screen, which is in Dutch. */
  intake_sync_set_language (sync, "nl");
  intake_sync_start (sync);
  return g_steal_pointer (&sync);
}

static void
intake_kiosk_application_activate (GApplication *application)
{
  IntakeKioskApplication *self = INTAKE_KIOSK_APPLICATION (application);
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  IntakeKioskWindow *window;

  window = INTAKE_KIOSK_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self)));
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  kiosk = intake_kiosk_new (self->state_dir, self->office_public, self->questionnaire, &error);
  if (kiosk == NULL)
    {
      g_printerr ("intake-kiosk: %s\n", error->message);
      if (self->questionnaire == NULL &&
          g_error_matches (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND))
        g_printerr ("intake-kiosk: this build has no built-in questionnaire: "
                    "give --questionnaire FILE\n");
      self->exit_status = 1;
      return;
    }

  window = intake_kiosk_window_new (GTK_APPLICATION (self), kiosk, NULL);
  apply_settings (self, window);

  if (self->tour_language != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
      gtk_window_present (GTK_WINDOW (window));
      g_application_hold (application);
      g_idle_add (run_tour_cb, self);
      return;
    }

  self->sync = start_sync (self, kiosk);
  intake_kiosk_window_set_sync (window, self->sync);

  if (!self->windowed &&
      (self->settings == NULL || g_settings_get_boolean (self->settings, "fullscreen")))
    {
      gtk_window_fullscreen (GTK_WINDOW (window));
      gtk_window_present (GTK_WINDOW (window));
      /* The screen stays on while the kiosk runs: a resident takes the
       * time they need, and a dark screen looks switched off. On Wayland
       * (the cage session, docs/kiosk-machine.md) this is the compositor's
       * idle-inhibit protocol on the window's surface, which exists once
       * the window is presented; elsewhere the session manager's Inhibit. */
      gtk_application_inhibit (GTK_APPLICATION (self), GTK_WINDOW (window),
                               GTK_APPLICATION_INHIBIT_IDLE,
                               "Residents answer at their own pace");
      return;
    }
  gtk_window_present (GTK_WINDOW (window));
}

static void
intake_kiosk_application_startup (GApplication *application)
{
  G_APPLICATION_CLASS (intake_kiosk_application_parent_class)->startup (application);

  /* One calm look, whatever the desktop prefers; high contrast is the
   * kiosk's own switch. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
intake_kiosk_application_shutdown (GApplication *application)
{
  IntakeKioskApplication *self = INTAKE_KIOSK_APPLICATION (application);

  if (self->sync != NULL)
    intake_sync_stop (self->sync);
  g_clear_object (&self->sync);

  G_APPLICATION_CLASS (intake_kiosk_application_parent_class)->shutdown (application);
}

static void
intake_kiosk_application_finalize (GObject *object)
{
  IntakeKioskApplication *self = INTAKE_KIOSK_APPLICATION (object);

  if (self->tour_tmp != NULL)
    {
      g_autoptr(GFile) tmp = g_file_new_for_path (self->tour_tmp);

      remove_tree (tmp);
    }
  g_clear_object (&self->sync);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->tls_ca, g_free);
  g_clear_pointer (&self->state_dir, g_free);
  g_clear_pointer (&self->office_public, g_free);
  g_clear_pointer (&self->questionnaire, g_free);
  g_clear_pointer (&self->tour_language, g_free);
  g_clear_pointer (&self->tour_out, g_free);
  g_clear_pointer (&self->tour_tmp, g_free);

  G_OBJECT_CLASS (intake_kiosk_application_parent_class)->finalize (object);
}

static void
intake_kiosk_application_class_init (IntakeKioskApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = intake_kiosk_application_finalize;
  app_class->handle_local_options = intake_kiosk_application_handle_local_options;
  app_class->startup = intake_kiosk_application_startup;
  app_class->shutdown = intake_kiosk_application_shutdown;
  app_class->activate = intake_kiosk_application_activate;
}

static void
intake_kiosk_application_init (IntakeKioskApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "The resident intake kiosk: a questionnaire, one question per screen.");
}

IntakeKioskApplication *
intake_kiosk_application_new (void)
{
  return g_object_new (INTAKE_TYPE_KIOSK_APPLICATION,
                       "application-id", KIOSK_APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

int
intake_kiosk_application_get_exit_status (IntakeKioskApplication *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_APPLICATION (self), 1);
  return self->exit_status;
}

/* intake-review-application.c: settings and the review window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server address comes from --server, else from the GSettings key
 * server-url of org.intakekiosk.Review when that schema is installed,
 * else the unlock page asks for it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-review-application.h"
#include "intake-review-window.h"
#include "intake-http.h"

struct _IntakeReviewApplication
{
  AdwApplication  parent_instance;

  char           *server_url;
  char           *tls_ca;
};

G_DEFINE_FINAL_TYPE (IntakeReviewApplication, intake_review_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The office server (default: the server-url setting)"), "URL" },
  { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Trust the CAs in this PEM file for the server"), "FILE" },
  { NULL }
};

static char *
configured_server_url (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *url = NULL;

  if (source == NULL || (schema = g_settings_schema_source_lookup (source, REVIEW_APP_ID, TRUE)) == NULL ||
      !g_settings_schema_has_key (schema, "server-url"))
    return NULL;
  settings = g_settings_new_full (schema, NULL, NULL);
  url = g_settings_get_string (settings, "server-url");
  return *url != '\0' ? g_steal_pointer (&url) : NULL;
}

static int
intake_review_application_handle_local_options (GApplication *application,
                                                GVariantDict *options)
{
  IntakeReviewApplication *self = INTAKE_REVIEW_APPLICATION (application);

  g_variant_dict_lookup (options, "server", "s", &self->server_url);
  g_variant_dict_lookup (options, "tls-ca", "^ay", &self->tls_ca);
  return -1;
}

static void
intake_review_application_activate (GApplication *application)
{
  IntakeReviewApplication *self = INTAKE_REVIEW_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));
  g_autofree char *url = NULL;

  if (window == NULL)
    {
      url = self->server_url ? g_strdup (self->server_url) : configured_server_url ();
      window = GTK_WINDOW (intake_review_window_new (GTK_APPLICATION (application), url));
      if (self->tls_ca != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GTlsDatabase) database = intake_http_tls_database_new (self->tls_ca, &error);

          if (database == NULL)
            g_warning ("--tls-ca %s: %s", self->tls_ca, error->message);
          else
            intake_review_window_set_tls_database (INTAKE_REVIEW_WINDOW (window), database);
        }
    }
  gtk_window_present (window);
}

static void
intake_review_application_finalize (GObject *object)
{
  IntakeReviewApplication *self = INTAKE_REVIEW_APPLICATION (object);

  g_free (self->server_url);
  g_free (self->tls_ca);
  G_OBJECT_CLASS (intake_review_application_parent_class)->finalize (object);
}

static void
lock_all_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (user_data)); l != NULL; l = l->next)
    gtk_widget_activate_action (GTK_WIDGET (l->data), "review.lock", NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "lock", .activate = lock_all_cb },
};

static void
intake_review_application_startup (GApplication *application)
{
  static const char *lock_accels[] = { "<Control>l", NULL };

  G_APPLICATION_CLASS (intake_review_application_parent_class)->startup (application);
  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions, G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.lock", lock_accels);
}

static void
intake_review_application_class_init (IntakeReviewApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = intake_review_application_finalize;
  app_class->handle_local_options = intake_review_application_handle_local_options;
  app_class->activate = intake_review_application_activate;
  app_class->startup = intake_review_application_startup;
}

static void
intake_review_application_init (IntakeReviewApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

IntakeReviewApplication *
intake_review_application_new (void)
{
  return g_object_new (INTAKE_TYPE_REVIEW_APPLICATION,
                       "application-id", REVIEW_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/* intake-review-help-list.c: the open help requests from the kiosks, with a desktop notification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Polling, not pushing: the review app only ever makes signed requests to
 * the server (docs/review.md), and a help request is on the server a moment
 * after the resident pressed the button (the kiosk sends it at once), so
 * staff see it within one interval (10 s by default).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-review-help-list.h"
#include "intake-staff-words.h"

struct _IntakeReviewHelpList
{
  GtkWidget           parent_instance;

  IntakeReviewClient *client;
  GCancellable       *cancellable;
  guint               interval_ms;
  guint               poll_source;
  gboolean            fetching;
  GPtrArray          *open;        /* IntakeReviewHelpRequest, oldest first */
  GHashTable         *notified;    /* ids (gint64) already announced */

  GtkWidget          *box;
  GtkWidget          *title;
  GtkWidget          *rows;
  GtkWidget          *status;
};

G_DEFINE_FINAL_TYPE (IntakeReviewHelpList, intake_review_help_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule (IntakeReviewHelpList *self);

char *
intake_review_help_notification_id (gint64 id)
{
  return g_strdup_printf ("help-request-%" G_GINT64_FORMAT, id);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (time == NULL)
    return g_strdup ("?");
  /* Today: the time alone; before: with the date. */
  if (g_date_time_get_year (time) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    return g_date_time_format (time, "%H:%M");
  return g_date_time_format (time, "%d-%m-%Y %H:%M");
}

static const char *
language_name (const char *code)
{
  const char *name = intake_staff_language_name (code);

  return name != NULL ? name : code;
}

/* "Vaals, 10:32, Arabic": where, when, in which language. */
static char *
describe (const IntakeReviewHelpRequest *request)
{
  g_autofree char *when = format_time (request->created_at);

  /* Translators: one open help request: the kiosk's location (%s), the time the
     resident asked (%s) and their language (%s), e.g. "Vaals, 10:32, Arabic". */
  return g_strdup_printf (_("%s, %s, %s"),
                          request->location[0] != '\0' ? request->location : _("unknown location"),
                          when, language_name (request->language));
}

static void
notify_new (IntakeReviewHelpList          *self,
            const IntakeReviewHelpRequest *request)
{
  GApplication *application = g_application_get_default ();
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  if (g_hash_table_contains (self->notified, &request->id))
    return;
  g_hash_table_add (self->notified, g_memdup2 (&request->id, sizeof request->id));
  if (application == NULL || !g_application_get_is_registered (application) ||
      g_application_get_is_remote (application))
    return;

  /* Translators: title of the desktop notification when a resident at a kiosk asked for help. */
  notification = g_notification_new (_("A resident asks for help at a kiosk"));
  body = describe (request);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  id = intake_review_help_notification_id (request->id);
  g_application_send_notification (application, id, notification);
}

static void
withdraw (gint64 request_id)
{
  GApplication *application = g_application_get_default ();
  g_autofree char *id = intake_review_help_notification_id (request_id);

  if (application != NULL && g_application_get_is_registered (application) &&
      !g_application_get_is_remote (application))
    g_application_withdraw_notification (application, id);
}

static void
rebuild (IntakeReviewHelpList *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->rows)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->rows), child);

  for (guint i = 0; i < self->open->len; i++)
    {
      const IntakeReviewHelpRequest *request = g_ptr_array_index (self->open, i);
      g_autofree char *title = describe (request);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_with_label (_("Handled"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "help.handled");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", request->id);
      {
        /* Translators: accessible name of the button that marks one help request
           handled; %s is the request as listed ("Vaals, 10:32, Arabic"). */
        g_autofree char *name = g_strdup_printf (_("Mark as handled: %s"), title);

        gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (GTK_LIST_BOX (self->rows), row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), self->open->len > 0);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(IntakeReviewHelpList) self = user_data;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  self->fetching = FALSE;
  list = intake_review_client_list_open_help_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (list == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Help requests not fetched: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->status), error->message);
      gtk_widget_set_visible (self->status, TRUE);
      schedule (self);
      return;
    }
  gtk_widget_set_visible (self->status, FALSE);
  for (guint i = 0; i < list->len; i++)
    notify_new (self, g_ptr_array_index (list, i));
  g_clear_pointer (&self->open, g_ptr_array_unref);
  self->open = g_steal_pointer (&list);
  rebuild (self);
  g_signal_emit (self, signals[CHANGED], 0);
  schedule (self);
}

static void
fetch (IntakeReviewHelpList *self)
{
  if (self->client == NULL || self->fetching)
    return;
  self->fetching = TRUE;
  intake_review_client_list_open_help_async (self->client, self->cancellable, list_cb, g_object_ref (self));
}

static gboolean
poll_cb (gpointer user_data)
{
  IntakeReviewHelpList *self = user_data;

  self->poll_source = 0;
  fetch (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (IntakeReviewHelpList *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->client != NULL)
    self->poll_source = g_timeout_add (self->interval_ms, poll_cb, self);
}

static void
handled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(IntakeReviewHelpList) self = user_data;
  g_autoptr(IntakeReviewHelpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  gboolean already = FALSE;

  request = intake_review_client_mark_help_handled_finish (INTAKE_REVIEW_CLIENT (source), result, &already, &error);
  if (request == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_text (GTK_LABEL (self->status), error->message);
      gtk_widget_set_visible (self->status, TRUE);
      return;
    }
  withdraw (request->id);
  if (already)
    {
      g_autofree char *text = NULL;

      /* Translators: a colleague (%s, a name) marked the help request handled first. */
      text = g_strdup_printf (_("%s had already handled it."), request->handled_by);
      gtk_label_set_text (GTK_LABEL (self->status), text);
      gtk_widget_set_visible (self->status, TRUE);
    }
  for (guint i = 0; self->open != NULL && i < self->open->len; i++)
    if (((IntakeReviewHelpRequest *) g_ptr_array_index (self->open, i))->id == request->id)
      {
        g_ptr_array_remove_index (self->open, i);
        break;
      }
  rebuild (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
handled_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  IntakeReviewHelpList *self = INTAKE_REVIEW_HELP_LIST (widget);
  gint64 id = g_variant_get_int64 (parameter);

  if (self->client == NULL || id <= 0)
    return;
  intake_review_client_mark_help_handled_async (self->client, id, self->cancellable, handled_cb,
                                                g_object_ref (self));
}

void
intake_review_help_list_set_client (IntakeReviewHelpList *self,
                                    IntakeReviewClient   *client)
{
  g_return_if_fail (INTAKE_IS_REVIEW_HELP_LIST (self));
  g_return_if_fail (client == NULL || INTAKE_IS_REVIEW_CLIENT (client));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->fetching = FALSE;
  g_set_object (&self->client, client);
  g_ptr_array_set_size (self->open, 0);
  g_hash_table_remove_all (self->notified);
  gtk_widget_set_visible (self->status, FALSE);
  rebuild (self);
  if (client != NULL)
    {
      self->cancellable = g_cancellable_new ();
      fetch (self);
    }
}

void
intake_review_help_list_refresh (IntakeReviewHelpList *self)
{
  g_return_if_fail (INTAKE_IS_REVIEW_HELP_LIST (self));

  g_clear_handle_id (&self->poll_source, g_source_remove);
  fetch (self);
}

guint
intake_review_help_list_get_n_open (IntakeReviewHelpList *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_HELP_LIST (self), 0);
  return self->open->len;
}

const IntakeReviewHelpRequest *
intake_review_help_list_get_open (IntakeReviewHelpList *self,
                                  guint                 i)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_HELP_LIST (self), NULL);
  g_return_val_if_fail (i < self->open->len, NULL);
  return g_ptr_array_index (self->open, i);
}

GtkWidget *
intake_review_help_list_new (void)
{
  return g_object_new (INTAKE_TYPE_REVIEW_HELP_LIST, NULL);
}

static void
intake_review_help_list_dispose (GObject *object)
{
  IntakeReviewHelpList *self = INTAKE_REVIEW_HELP_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_object (&self->client);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (intake_review_help_list_parent_class)->dispose (object);
}

static void
intake_review_help_list_finalize (GObject *object)
{
  IntakeReviewHelpList *self = INTAKE_REVIEW_HELP_LIST (object);

  g_clear_pointer (&self->open, g_ptr_array_unref);
  g_clear_pointer (&self->notified, g_hash_table_unref);

  G_OBJECT_CLASS (intake_review_help_list_parent_class)->finalize (object);
}

static void
intake_review_help_list_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  IntakeReviewHelpList *self = INTAKE_REVIEW_HELP_LIST (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_help_list_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  IntakeReviewHelpList *self = INTAKE_REVIEW_HELP_LIST (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      if (self->interval_ms != g_value_get_uint (value))
        {
          self->interval_ms = g_value_get_uint (value);
          if (self->poll_source != 0)
            schedule (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_help_list_class_init (IntakeReviewHelpListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_help_list_dispose;
  object_class->finalize = intake_review_help_list_finalize;
  object_class->get_property = intake_review_help_list_get_property;
  object_class->set_property = intake_review_help_list_set_property;

  /* Milliseconds between fetches, so that tests can make it short. */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 100, G_MAXUINT, 10 * 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "help.handled", "x", handled_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "helplist");
}

static void
intake_review_help_list_init (IntakeReviewHelpList *self)
{
  self->interval_ms = 10 * 1000;
  self->open = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_help_request_free);
  self->notified = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (self->box, "help-requests");

  /* Translators: heading above the help requests residents made at the kiosks. */
  self->title = gtk_label_new (_("Residents asking for help"));
  gtk_widget_add_css_class (self->title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0.0);
  gtk_box_append (GTK_BOX (self->box), self->title);

  self->rows = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->rows), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->rows, "boxed-list");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->rows),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title, NULL, -1);
  gtk_box_append (GTK_BOX (self->box), self->rows);

  self->status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0.0);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_set_visible (self->status, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->status);

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

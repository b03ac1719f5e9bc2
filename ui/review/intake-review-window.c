/* intake-review-window.c: unlock, the list of submissions, export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what the reviewer looks at is decrypted: the list holds the server's
 * metadata page by page, and a row's language (which only the envelope
 * knows) is filled in when the row is bound, that is, shown. Decrypted
 * submissions live in one cache that is emptied (and wiped) on lock and
 * when the window closes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "intake-review-ui-resources.h"
#include "intake-review-window-private.h"
#include "intake-review-dashboard.h"
#include "intake-review-pdf.h"
#include "intake-roles.h"
#include "intake-secure.h"
#include "intake-workstation-store.h"
#include "intake-staff-words.h"

G_DEFINE_FINAL_TYPE (IntakeReviewWindow, intake_review_window, ADW_TYPE_APPLICATION_WINDOW)

/* Envelopes fetched at the same time for the list's language column. */
#define MAX_DECRYPTS 4

typedef enum {
  COLUMN_RECEIVED,
  COLUMN_LOCATION,
  COLUMN_LANGUAGE,
  COLUMN_STATE,
  COLUMN_UNIT,
  COLUMN_REFERENCE,
} Column;

char *
intake_review_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%d-%m-%Y %H:%M") : g_strdup ("?");
}

/* The language column: the name in the staff's language, else the code. */
static const char *
language_label (const char *code)
{
  const char *name = intake_staff_language_name (code);

  return name != NULL ? name : code;
}

/* ------------------------------------------------------------------ */
/* Lock: forget everything decrypted                                    */

static void
lock (IntakeReviewWindow *self)
{
  IntakeReviewItem *item;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  while ((item = g_queue_pop_head (&self->decrypt_queue)) != NULL)
    g_object_unref (item);
  self->decrypts_running = 0;
  intake_review_window_clear_detail (self);
  g_hash_table_remove_all (self->cache);
  g_clear_pointer (&self->name_query, g_free);
  g_clear_object (&self->name_results);
  self->name_search_done = FALSE;
  if (self->selection != NULL)
    gtk_multi_selection_set_model (self->selection, NULL);
  /* A page may still be on its way (it holds the model): the window must
   * hear nothing of it any more. */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->questionnaires);
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  if (self->recovery_code_label != NULL)
    gtk_label_set_text (self->recovery_code_label, "");
  /* dispose may run again after the template is gone */
  if (self->help_list != NULL)
    intake_review_help_list_set_client (self->help_list, NULL);
  if (self->client != NULL)
    intake_review_client_lock (self->client);
}

/* ------------------------------------------------------------------ */
/* Lazy decryption for the language column                             */

static void pump_decrypts (IntakeReviewWindow *self);
static void advance_name_search (IntakeReviewWindow *self);
static void schedule_visible_update (IntakeReviewWindow *self);

typedef struct {
  IntakeReviewWindow *self;   /* weak: the cancellable stops us first */
  IntakeReviewItem   *item;
} DecryptData;

static void
report_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!intake_review_client_report_event_finish (INTAKE_REVIEW_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The server did not record an access: %s", error->message);
}

static void
report_event (IntakeReviewWindow *self,
              const char         *action,
              const char         *object)
{
  intake_review_client_report_event_async (self->client, action, object, self->cancellable, report_cb, NULL);
}

static void
decrypt_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DecryptData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeReviewMeta) meta = NULL;
  g_autoptr(IntakeSubmission) submission = NULL;

  submission = intake_review_client_fetch_finish (INTAKE_REVIEW_CLIENT (source), result, &meta, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  data->self->decrypts_running--;
  if (submission == NULL)
    {
      /* Translators: in the language column, for a submission that could not be opened. */
      intake_review_item_set_language (data->item, _("unreadable"));
      g_warning ("Submission %s could not be opened: %s", intake_review_item_get_id (data->item), error->message);
    }
  else
    {
      const char *code = intake_submission_get_language (submission);

      report_event (data->self, "decrypt", intake_review_item_get_id (data->item));
      intake_review_item_set_language (data->item, language_label (code));
      g_hash_table_replace (data->self->cache, g_strdup (intake_review_item_get_id (data->item)),
                            g_steal_pointer (&submission));
    }
  pump_decrypts (data->self);
  advance_name_search (data->self);

out:
  g_object_unref (data->item);
  g_free (data);
}

static void
pump_decrypts (IntakeReviewWindow *self)
{
  while (self->decrypts_running < MAX_DECRYPTS && !g_queue_is_empty (&self->decrypt_queue))
    {
      DecryptData *data = g_new0 (DecryptData, 1);

      data->self = self;
      data->item = g_queue_pop_head (&self->decrypt_queue);
      self->decrypts_running++;
      intake_review_client_fetch_async (self->client, intake_review_item_get_id (data->item),
                                        self->cancellable, decrypt_cb, data);
    }
}

static void
request_language (IntakeReviewWindow *self,
                  IntakeReviewItem   *item)
{
  IntakeSubmission *cached;

  if (intake_review_item_get_requested (item) || self->client == NULL ||
      !intake_review_client_is_unlocked (self->client))
    return;
  intake_review_item_set_requested (item, TRUE);
  if ((cached = g_hash_table_lookup (self->cache, intake_review_item_get_id (item))) != NULL)
    {
      intake_review_item_set_language (item, language_label (intake_submission_get_language (cached)));
      return;
    }
  g_queue_push_tail (&self->decrypt_queue, g_object_ref (item));
  pump_decrypts (self);
}

/* ------------------------------------------------------------------ */
/* The column view                                                      */

static char *
cell_text (IntakeReviewItem *item,
           Column            column)
{
  const IntakeReviewMeta *meta = intake_review_item_get_meta (item);

  switch (column)
    {
    case COLUMN_RECEIVED:
      return intake_review_format_time (meta->received_at);
    case COLUMN_LOCATION:
      return g_strdup (meta->location ? meta->location : "");
    case COLUMN_LANGUAGE:
      return g_strdup (intake_review_item_get_language (item) ? intake_review_item_get_language (item) : "…");
    case COLUMN_STATE:
      return g_strdup (intake_review_state_label (meta->state));
    case COLUMN_UNIT:
      return g_strdup (meta->unit ? meta->unit : "");
    case COLUMN_REFERENCE:
      return g_strdup (meta->reference ? meta->reference : "");
    default:
      g_assert_not_reached ();
    }
}

/* Opens the envelopes of the rows on screen, and only those, for their
 * language. GTK keeps more rows bound than are shown, so each bound
 * language cell is checked against the visible part of the list. */
static gboolean
visible_update_cb (gpointer user_data)
{
  IntakeReviewWindow *self = user_data;
  GtkWidget *view = GTK_WIDGET (self->column_view);
  int height = gtk_widget_get_height (view);
  GHashTableIter iter;
  gpointer key;

  self->visible_update = 0;
  if (height <= 0 || !gtk_widget_get_mapped (view))
    return G_SOURCE_REMOVE;
  g_hash_table_iter_init (&iter, self->bound_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GtkListItem *list_item = key;
      GtkWidget *label = gtk_list_item_get_child (list_item);
      IntakeReviewItem *item = gtk_list_item_get_item (list_item);
      graphene_rect_t bounds;

      if (item == NULL || label == NULL || !gtk_widget_get_mapped (label) ||
          !gtk_widget_compute_bounds (label, view, &bounds))
        continue;
      /* A row bound but not laid out yet has no height: it is not shown. */
      if (bounds.size.height > 0 && bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height)
        request_language (self, item);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_visible_update (IntakeReviewWindow *self)
{
  if (self->visible_update == 0)
    self->visible_update = g_timeout_add (50, visible_update_cb, self);
}

static void
refresh_cell_cb (IntakeReviewItem *item,
                 GParamSpec       *pspec,
                 GtkListItem      *list_item)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "column"));
  g_autofree char *text = cell_text (item, column);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  g_object_set_data (G_OBJECT (list_item), "column", g_object_get_data (G_OBJECT (factory), "column"));
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              IntakeReviewWindow       *self)
{
  IntakeReviewItem *item = gtk_list_item_get_item (list_item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "column"));
  gulong handler;

  refresh_cell_cb (item, NULL, list_item);
  handler = g_signal_connect (item, column == COLUMN_LANGUAGE ? "notify::language" : "notify::state",
                              G_CALLBACK (refresh_cell_cb), list_item);
  g_object_set_data (G_OBJECT (list_item), "handler", GUINT_TO_POINTER ((guint)handler));
  /* GTK keeps more rows bound than are on screen: which ones are visible is
   * worked out from the scroll position once the rows have settled. */
  if (column == COLUMN_LANGUAGE)
    {
      g_hash_table_add (self->bound_cells, list_item);
      schedule_visible_update (self);
    }
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                IntakeReviewWindow       *self)
{
  IntakeReviewItem *item = gtk_list_item_get_item (list_item);

  g_hash_table_remove (self->bound_cells, list_item);
  gulong handler = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list_item), "handler"));

  if (item != NULL && handler != 0)
    g_signal_handler_disconnect (item, handler);
  g_object_set_data (G_OBJECT (list_item), "handler", NULL);
}

static void
add_column (IntakeReviewWindow *self,
            const char         *title,
            Column              column,
            gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_object_set_data (G_OBJECT (factory), "column", GINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), self);
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

static void
update_list_status (IntakeReviewWindow *self)
{
  g_autofree char *text = NULL;
  guint n;

  if (self->model == NULL)
    {
      gtk_label_set_text (self->list_status, "");
      return;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  if (self->name_query != NULL && intake_review_list_model_get_error (self->model) == NULL)
    {
      if (self->name_search_done)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             /* Translators: the matches of a name search, of
                                              * all submissions of the filter. */
                                             "%u of %u submission of this filter matches the name.",
                                             "%u of %u submissions of this filter match the name.", n),
                                g_list_model_get_n_items (G_LIST_MODEL (self->name_results)), n);
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Searching by name: opening %u submission on this computer…",
                                             "Searching by name: opening %u submissions on this computer…", n),
                                n);
    }
  else if (intake_review_list_model_get_error (self->model) != NULL)
    text = g_strdup_printf (_("The list could not be loaded: %s"), intake_review_list_model_get_error (self->model));
  else if (intake_review_list_model_get_loading (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission loaded, loading more…",
                                         "%u submissions loaded, loading more…", n), n);
  else if (intake_review_list_model_get_complete (self->model))
    text = n == 0 ? g_strdup (_("No submissions for this filter."))
                  : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission", "%u submissions", n), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission loaded; scroll for more",
                                         "%u submissions loaded; scroll for more", n), n);
  gtk_label_set_text (self->list_status, text);
}

static void
model_changed_cb (IntakeReviewWindow *self)
{
  update_list_status (self);
  advance_name_search (self);
}

static gboolean
name_matches (IntakeSubmission *submission,
              const char       *query)
{
  static const char * const codes[] = { "first_name", "last_name" };
  /* The names are copied out of secure memory for a moment: wiped copies. */
  g_autoptr(IntakeSecureString) names = g_string_new (NULL);
  g_autoptr(IntakeSecureStr) folded = NULL;
  gboolean found;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      intake_submission_append_value_text (submission, codes[i], names);
      g_string_append_c (names, ' ');
    }
  folded = g_utf8_casefold (names->str, (gssize)names->len);
  found = strstr (folded, query) != NULL;
  return found;
}

/* Drives a name search: load every page of the filter, open every
 * envelope, then show the matches and report one "search" event with the
 * filter (never the name). */
static void
advance_name_search (IntakeReviewWindow *self)
{
  guint n;

  if (self->name_query == NULL || self->name_search_done || self->model == NULL ||
      intake_review_list_model_get_error (self->model) != NULL)
    return;
  if (!intake_review_list_model_get_complete (self->model))
    {
      intake_review_list_model_load_more (self->model);
      return;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), i);

      if (!g_hash_table_contains (self->cache, intake_review_item_get_id (item)))
        {
          if (!intake_review_item_get_requested (item))
            request_language (self, item);
          if (intake_review_item_get_language (item) == NULL)
            return;  /* still opening */
        }
    }
  if (self->decrypts_running > 0)
    return;

  self->name_search_done = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), i);
      IntakeSubmission *submission = g_hash_table_lookup (self->cache, intake_review_item_get_id (item));

      if (submission != NULL && name_matches (submission, self->name_query))
        g_list_store_append (self->name_results, item);
    }
  {
    g_autofree char *path = intake_review_filter_to_path (intake_review_list_model_get_filter (self->model));

    report_event (self, "search", path);
  }
  gtk_multi_selection_set_model (self->selection, G_LIST_MODEL (self->name_results));
  update_list_status (self);
}

/* Parses "dd-mm-jjjj" (or "jjjj-mm-dd") as local midnight; 0 when empty,
 * -1 when not a date. */
static gint64
parse_day (const char *text,
           gboolean    end_of_day)
{
  g_autoptr(GDateTime) day = NULL;
  int d, m, y;

  if (text == NULL || *text == '\0')
    return 0;
  if (sscanf (text, "%d-%d-%d", &d, &m, &y) != 3)
    return -1;
  if (d > 31)
    {
      int t = d;

      d = y;
      y = t;
    }
  if (!(day = g_date_time_new_local (y, m, d, 0, 0, 0)))
    return -1;
  return g_date_time_to_unix (day) + (end_of_day ? 24 * 3600 - 1 : 0);
}

static void
search (IntakeReviewWindow *self)
{
  IntakeReviewFilter filter = { 0 };
  const char * const *states = intake_review_states ();
  guint state = gtk_drop_down_get_selected (self->state_filter);
  g_autofree char *reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reference_entry))));
  g_autofree char *location = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->location_entry))));

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client) ||
      !intake_review_client_can (self->client, INTAKE_PERMISSION_READ))
    return;
  filter.reference = *reference ? reference : NULL;
  filter.location = *location ? location : NULL;
  if (state != GTK_INVALID_LIST_POSITION && state > 0 && state <= g_strv_length ((char **)states))
    filter.state = states[state - 1];
  filter.from = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->from_entry)), FALSE);
  filter.to = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)), TRUE);
  if (filter.from < 0 || filter.to < 0)
    {
      /* Translators: the date filter's format; write it as your staff read dates. */
      gtk_label_set_text (self->list_status, _("Write a date as dd-mm-yyyy, for example 01-11-2026."));
      return;
    }

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->name_query, g_free);
  g_clear_object (&self->name_results);
  self->name_search_done = FALSE;
  {
    g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_search))));

    if (*name != '\0')
      {
        self->name_query = g_utf8_casefold (name, -1);
        self->name_results = g_list_store_new (INTAKE_TYPE_REVIEW_ITEM);
      }
  }
  self->model = intake_review_list_model_new (self->client, &filter);
  g_signal_connect_swapped (self->model, "notify", G_CALLBACK (model_changed_cb), self);
  gtk_multi_selection_set_model (self->selection, self->name_results != NULL ? G_LIST_MODEL (self->name_results)
                                                                            : G_LIST_MODEL (self->model));
  intake_review_list_model_load_more (self->model);
  update_list_status (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  search (INTAKE_REVIEW_WINDOW (widget));
}

static void
row_activated_cb (GtkColumnView      *view,
                  guint               position,
                  IntakeReviewWindow *self)
{
  g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    intake_review_window_open (self, intake_review_item_get_id (item));
}

/* ------------------------------------------------------------------ */
/* Roles: what the server would refuse is not offered                   */

/* The reviewer's roles in the staff's language, for the list's subtitle. */
static char *
roles_label (guint roles)
{
  static const struct {
    IntakeRoles  role;
    const char  *label;
  } labels[] = {
    /* Translators: the staff roles (docs/protocol.md, "Roles and scope"). */
    { INTAKE_ROLE_CASEWORKER, NC_("role", "caseworker") },
    { INTAKE_ROLE_TEAM_LEAD, NC_("role", "team lead") },
    { INTAKE_ROLE_PRIVACY_OFFICER, NC_("role", "privacy officer") },
    { INTAKE_ROLE_ADMINISTRATOR, NC_("role", "administrator") },
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (roles & labels[i].role)
      {
        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, g_dpgettext2 (GETTEXT_PACKAGE, "role", labels[i].label));
      }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The server enforces the roles; the window only leaves out what it would
 * refuse, so nobody meets a 403 in normal work (docs/review.md, "Roles"). */
static void
apply_roles (IntakeReviewWindow *self)
{
  gboolean read = intake_review_client_can (self->client, INTAKE_PERMISSION_READ);
  gboolean workflow = intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW);
  gboolean dashboard = intake_review_client_can (self->client, INTAKE_PERMISSION_DASHBOARD);

  gtk_widget_set_visible (self->search_box, read);
  gtk_widget_set_visible (self->export_button, read);
  gtk_widget_set_visible (self->dashboard_button, dashboard);
  gtk_widget_set_visible (self->workflow_box, workflow);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.search", read);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.export", read);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.dashboard", dashboard);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.save-workflow", workflow);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.add-note", workflow);
}

/* ------------------------------------------------------------------ */
/* Unlock, activation, recovery code, passphrase change                 */

static void
show_message (GtkLabel   *label,
              const char *text)
{
  gtk_label_set_text (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
set_unlocking (IntakeReviewWindow *self,
               gboolean            unlocking)
{
  self->unlocking = unlocking;
  gtk_spinner_set_spinning (self->unlock_spinner, unlocking);
  gtk_spinner_set_spinning (self->activate_spinner, unlocking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.unlock", !unlocking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.activate", !unlocking);
}

/* The client for the server the page names; FALSE (said in @error_label)
 * when no address is filled in. */
static gboolean
ensure_client (IntakeReviewWindow *self,
               GtkLabel           *error_label)
{
  g_autofree char *url = g_strstrip (g_strdup (self->server_url ? self->server_url
                                                                : gtk_editable_get_text (GTK_EDITABLE (self->server_entry))));

  if (*url == '\0')
    {
      show_message (error_label, _("Fill in the server’s address."));
      return FALSE;
    }
  if (self->client == NULL || g_strcmp0 (intake_review_client_get_server_url (self->client), url) != 0)
    {
      g_clear_object (&self->client);
      self->client = intake_review_client_new (url);
      if (self->tls_database != NULL)
        intake_review_client_set_tls_database (self->client, self->tls_database);
    }
  return TRUE;
}

/* A copy of an entry's text in wiped memory; the entry is emptied at once. */
static IntakeSecureBuffer *
take_passphrase (GtkWidget *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  IntakeSecureBuffer *passphrase = intake_secure_buffer_new_copy (text, strlen (text));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  return passphrase;
}

static void
questionnaires_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  IntakeReviewWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaireSet *set;

  set = intake_review_client_load_questionnaires_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (set == NULL)
    {
      /* The built-in questionnaire alone still renders most submissions. */
      g_warning ("Questionnaires from the server not loaded: %s", error->message);
      return;
    }
  g_clear_object (&self->questionnaires);
  self->questionnaires = set;
}

/* The client is unlocked: the list, as far as the reviewer's roles go. */
static void
show_unlocked (IntakeReviewWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *roles = roles_label (intake_review_client_get_roles (self->client));

  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, NULL);
  self->cancellable = g_cancellable_new ();
  apply_roles (self);
  /* Translators: under the list's title: the reviewer's name and roles. */
  title = g_strdup_printf (_("Logged in as %s (%s)"), intake_review_client_get_name (self->client), roles);
  adw_window_title_set_subtitle (self->list_title, title);
  gtk_stack_set_visible_child_name (self->stack, "list");
  if (!intake_review_client_can (self->client, INTAKE_PERMISSION_READ))
    {
      gtk_label_set_text (self->list_status,
                          _("Your role does not include reading submissions. Reviewers and devices are managed "
                            "with intake-admin."));
      return;
    }
  /* The built-in versions at once; the server's versions when they come. */
  self->questionnaires = intake_questionnaire_set_new ();
  intake_questionnaire_set_add_builtin (self->questionnaires, NULL);
  intake_review_client_load_questionnaires_async (self->client, self->cancellable, questionnaires_cb, self);
  /* Residents asking for help at the kiosks, as they come: for the staff
   * who serve them (the server answers no one else). */
  if (intake_review_client_can (self->client, INTAKE_PERMISSION_WORKFLOW))
    intake_review_help_list_set_client (self->help_list, self->client);
  search (self);
}

static void
unlock_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_unlocking (self, FALSE);
  if (!intake_review_client_unlock_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    {
      show_message (self->unlock_error, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
      return;
    }
  show_unlocked (self);
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;

  if (self->unlocking || !ensure_client (self, self->unlock_error))
    return;
  /* The entry's copy goes at once; the client keeps its own until unwrapped. */
  passphrase = take_passphrase (GTK_WIDGET (self->passphrase_entry));
  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, NULL);
  set_unlocking (self, TRUE);
  intake_review_client_unlock_async (self->client, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)),
                                     passphrase, NULL, unlock_cb, g_object_ref (self));
}

static void
show_unlock_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_entry));
}

static void
show_activate_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->activate_name_entry),
                         gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  show_message (self->activate_error, NULL);
  gtk_stack_set_visible_child_name (self->stack, "activate");
  gtk_widget_grab_focus (GTK_WIDGET (self->activate_code_entry));
}

static void
activate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept_error = NULL;
  gboolean kept = FALSE;
  IntakeWorkstationKey *key;
  char *code;

  set_unlocking (self, FALSE);
  key = intake_review_client_activate_finish (INTAKE_REVIEW_CLIENT (source), result, &kept, &kept_error, &error);
  if (key == NULL)
    {
      show_message (self->activate_error, error->message);
      return;
    }
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  self->new_workstation = key;
  code = intake_workstation_key_dup_recovery_code (key);
  gtk_label_set_text (self->recovery_code_label, code);
  intake_secure_strfree (code);
  if (!kept)
    {
      g_autofree char *text = g_strdup_printf (_("This computer could not keep your workstation key (%s). Save "
                                                 "the recovery sheet now: you need it to unlock again."),
                                               kept_error ? kept_error : "?");

      show_message (self->recovery_warning, text);
    }
  else
    show_message (self->recovery_warning, NULL);
  show_message (self->recovery_status, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), intake_review_client_get_name (self->client));
  gtk_editable_set_text (GTK_EDITABLE (self->activate_code_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "recovery");
  gtk_widget_grab_focus (GTK_WIDGET (self->recovery_continue_button));
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeSecureBuffer) repeated = NULL;

  if (self->unlocking || !ensure_client (self, self->activate_error))
    return;
  passphrase = take_passphrase (GTK_WIDGET (self->activate_passphrase_entry));
  repeated = take_passphrase (GTK_WIDGET (self->activate_repeat_entry));
  if (passphrase->len != repeated->len || sodium_memcmp (passphrase->data, repeated->data, passphrase->len) != 0)
    {
      show_message (self->activate_error, _("The two new passwords differ. Type them again."));
      gtk_widget_grab_focus (GTK_WIDGET (self->activate_passphrase_entry));
      return;
    }
  show_message (self->activate_error, NULL);
  set_unlocking (self, TRUE);
  intake_review_client_activate_async (self->client, gtk_editable_get_text (GTK_EDITABLE (self->activate_name_entry)),
                                       gtk_editable_get_text (GTK_EDITABLE (self->activate_code_entry)), passphrase,
                                       NULL, activate_cb, g_object_ref (self));
}

gboolean
intake_review_window_save_recovery_sheet (IntakeReviewWindow *self,
                                          const char         *path,
                                          GError            **error)
{
  g_autoptr(IntakeSecureStr) code = NULL;

  g_return_val_if_fail (INTAKE_IS_REVIEW_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->new_workstation == NULL || self->client == NULL || !intake_review_client_is_unlocked (self->client))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no new recovery code to save"));
      return FALSE;
    }
  code = intake_workstation_key_dup_recovery_code (self->new_workstation);
  return intake_review_recovery_sheet_write (intake_review_client_get_name (self->client),
                                             intake_review_client_get_server_url (self->client), code, path, error);
}

static void
recovery_chooser_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  IntakeReviewWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (path == NULL)
        text = g_strdup (_("No sheet saved: choose a folder on this computer."));
      else if (!intake_review_window_save_recovery_sheet (self, path, &error))
        text = g_strdup_printf (_("The recovery sheet could not be saved: %s"), error->message);
      else
        /* Translators: %s is the file the recovery sheet was saved to. */
        text = g_strdup_printf (_("Saved to %s. Print it, keep it locked away, and delete the file."), path);
      show_message (self->recovery_status, text);
    }
  g_object_unref (dialog);
}

static void
save_recovery_sheet_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the recovery sheet"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("Save"), _("Cancel"));
  /* Translators: the suggested file name of the recovery sheet. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("recovery-sheet.pdf"));
  g_signal_connect (chooser, "response", G_CALLBACK (recovery_chooser_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  /* The recovery code is shown once: the label and the key go now. */
  gtk_label_set_text (self->recovery_code_label, "");
  g_clear_pointer (&self->new_workstation, intake_workstation_key_free);
  if (self->client != NULL && intake_review_client_is_unlocked (self->client))
    show_unlocked (self);
  else
    gtk_stack_set_visible_child_name (self->stack, "unlock");
}

static void
show_restore_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->restore_name_entry),
                         gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  show_message (self->restore_error, NULL);
  gtk_stack_set_visible_child_name (self->stack, "restore");
  gtk_widget_grab_focus (GTK_WIDGET (self->restore_code_entry));
}

/* The recovery code puts the workstation key back (keyring or file); it
 * is checked when the reviewer unlocks with it and their password. */
static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->restore_name_entry))));
  g_autoptr(IntakeWorkstationKey) key = NULL;
  g_autoptr(GError) error = NULL;

  if (*name == '\0')
    {
      show_message (self->restore_error, _("Fill in your name as your administrator registered it."));
      return;
    }
  key = intake_workstation_key_new_from_recovery_code (gtk_editable_get_text (GTK_EDITABLE (self->restore_code_entry)),
                                                       &error);
  if (key == NULL)
    {
      show_message (self->restore_error, _("This recovery code is not right: it has 14 groups of four letters and "
                                           "digits. Check what you typed."));
      return;
    }
  if (!intake_workstation_store_save (name, key, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The workstation key cannot be kept on this computer: %s"),
                                               error->message);

      show_message (self->restore_error, text);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->restore_code_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  show_message (self->unlock_error, NULL);
  show_message (self->unlock_notice, _("Your workstation key is back on this computer. Unlock with your password."));
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
}

static void
show_passphrase_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  show_message (self->passphrase_status, NULL);
  gtk_stack_set_visible_child_name (self->stack, "passphrase");
  gtk_widget_grab_focus (GTK_WIDGET (self->current_passphrase_entry));
}

static void
set_changing_passphrase (IntakeReviewWindow *self,
                         gboolean            changing)
{
  self->changing_passphrase = changing;
  gtk_spinner_set_spinning (self->passphrase_spinner, changing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.change-passphrase", !changing);
}

static void
passphrase_status (IntakeReviewWindow *self,
                   const char         *text,
                   gboolean            failed)
{
  show_message (self->passphrase_status, text);
  if (failed)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->passphrase_status), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->passphrase_status), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->passphrase_status), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->passphrase_status), "success");
    }
}

static void
change_passphrase_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(IntakeReviewWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  set_changing_passphrase (self, FALSE);
  if (!intake_review_client_change_passphrase_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        passphrase_status (self, error->message, TRUE);
      return;
    }
  passphrase_status (self, _("Your password is changed. From now on, unlock with the new one."), FALSE);
}

static void
change_passphrase_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  g_autoptr(IntakeSecureBuffer) current = NULL;
  g_autoptr(IntakeSecureBuffer) replacement = NULL;
  g_autoptr(IntakeSecureBuffer) repeated = NULL;

  if (self->changing_passphrase || self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  current = take_passphrase (GTK_WIDGET (self->current_passphrase_entry));
  replacement = take_passphrase (GTK_WIDGET (self->new_passphrase_entry));
  repeated = take_passphrase (GTK_WIDGET (self->repeat_passphrase_entry));
  if (replacement->len != repeated->len || sodium_memcmp (replacement->data, repeated->data, replacement->len) != 0)
    {
      passphrase_status (self, _("The two new passwords differ. Type them again."), TRUE);
      return;
    }
  passphrase_status (self, _("Changing the password…"), FALSE);
  set_changing_passphrase (self, TRUE);
  intake_review_client_change_passphrase_async (self->client, current, replacement, self->cancellable,
                                                change_passphrase_cb, g_object_ref (self));
}

static void
lock_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  lock (self);
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
}

/* ------------------------------------------------------------------ */
/* Detail navigation                                                    */

typedef struct {
  IntakeReviewWindow *self;
  char               *id;
} OpenData;

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OpenData *data = user_data;
  IntakeReviewWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeReviewMeta) meta = NULL;
  g_autoptr(IntakeSubmission) submission = NULL;
  g_autoptr(GPtrArray) notes = NULL;

  submission = intake_review_client_fetch_finish (INTAKE_REVIEW_CLIENT (source), result, &meta, &notes, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || g_strcmp0 (self->detail_id, data->id) != 0)
    goto out;
  if (submission == NULL)
    {
      intake_review_window_show_detail_error (self, error->message);
      goto out;
    }
  report_event (self, "decrypt", data->id);
  report_event (self, "view", data->id);
  g_hash_table_replace (self->cache, g_strdup (data->id), g_object_ref (submission));
  if (self->model != NULL)
    {
      IntakeReviewItem *item = intake_review_list_model_find (self->model, data->id);

      if (item != NULL)
        {
          intake_review_item_update_workflow (item, meta);
          intake_review_item_set_language (item, language_label (intake_submission_get_language (submission)));
        }
    }
  intake_review_window_show_detail (self, submission, g_steal_pointer (&meta), notes);
  intake_review_window_load_audit (self);

out:
  g_free (data->id);
  g_free (data);
}

void
intake_review_window_open (IntakeReviewWindow *self,
                           const char         *key)
{
  OpenData *data;

  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_return_if_fail (key != NULL);

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  intake_review_window_clear_detail (self);
  self->detail_id = g_strdup (key);
  gtk_box_append (self->detail_box, gtk_label_new (_("Opening the submission…")));
  gtk_stack_set_visible_child_name (self->stack, "detail");
  /* Always from the server: the workflow values and version must be current. */
  data = g_new0 (OpenData, 1);
  data->self = self;
  data->id = g_strdup (key);
  intake_review_client_fetch_async (self->client, key, self->cancellable, open_cb, data);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  intake_review_window_open (INTAKE_REVIEW_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  intake_review_window_clear_detail (self);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

/* The "Overzicht" page: counts of the current filter, computed here
 * (docs/review.md, "Dashboard"). Created on first use. */
static void
dashboard_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  GtkWidget *dashboard = gtk_stack_get_child_by_name (self->stack, "dashboard");
  IntakeReviewFilter all = { 0 };

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  if (dashboard == NULL)
    {
      dashboard = intake_review_dashboard_new ();
      gtk_stack_add_named (self->stack, dashboard, "dashboard");
    }
  intake_review_dashboard_load (INTAKE_REVIEW_DASHBOARD (dashboard), self->client, self->questionnaires,
                                self->model != NULL ? intake_review_list_model_get_filter (self->model) : &all);
  gtk_stack_set_visible_child_name (self->stack, "dashboard");
}

static void
add_note_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  intake_review_window_add_note (INTAKE_REVIEW_WINDOW (widget));
}

static void
save_workflow_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  intake_review_window_save_workflow (INTAKE_REVIEW_WINDOW (widget));
}

/* ------------------------------------------------------------------ */
/* Export                                                               */

static void
export_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  IntakeReviewWindow *self = user_data;
  /* Translators: the export's progress: submissions done of all. */
  g_autofree char *text = g_strdup_printf (_("Exporting: %u of %u…"), done, total);

  gtk_label_set_text (self->list_status, text);
}

static void
export_client_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint64 rows = 0;

  if (!intake_review_client_export_finish (INTAKE_REVIEW_CLIENT (source), result, &rows, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      g_task_set_task_data (task, g_memdup2 (&rows, sizeof rows), g_free);
      g_task_return_boolean (task, TRUE);
    }
}

void
intake_review_window_export_async (IntakeReviewWindow  *self,
                                   IntakeExportFormat   format,
                                   gboolean             selected_only,
                                   GFile               *file,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_review_window_export_async);
  if (self->model == NULL || self->questionnaires == NULL)
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      return;
    }
  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (selected_only)
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      GtkBitsetIter iter;
      guint position;

      ids = g_ptr_array_new_with_free_func (g_free);
      for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
           ok = gtk_bitset_iter_next (&iter, &position))
        {
          g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

          g_ptr_array_add (ids, g_strdup (intake_review_item_get_id (item)));
        }
    }
  else if (self->name_results != NULL)
    {
      /* A name search exports what it found, not the whole filter. */
      ids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->name_results)); i++)
        {
          g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->name_results), i);

          g_ptr_array_add (ids, g_strdup (intake_review_item_get_id (item)));
        }
    }
  intake_review_client_export_async (self->client, self->questionnaires, intake_review_list_model_get_filter (self->model),
                                     ids, format,
                                     format == INTAKE_EXPORT_FORMAT_CSV ? INTAKE_EXPORT_FLAGS_BOM : INTAKE_EXPORT_FLAGS_NONE,
                                     G_OUTPUT_STREAM (out), export_progress_cb, self, cancellable,
                                     export_client_cb, g_steal_pointer (&task));
}

gboolean
intake_review_window_export_finish (IntakeReviewWindow  *self,
                                    GAsyncResult        *result,
                                    guint64             *out_rows,
                                    GError             **error)
{
  guint64 *rows;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  rows = g_task_get_task_data (G_TASK (result));
  if (out_rows != NULL)
    *out_rows = rows != NULL ? *rows : 0;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint64 rows = 0;

  if (!intake_review_window_export_finish (self, result, &rows, &error))
    text = g_strdup_printf (_("Export failed: %s"), error->message);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu submission exported.", "%lu submissions exported.",
                                         (gulong) rows),
                            (gulong) rows);
  gtk_label_set_text (self->list_status, text);
}

static void
export_chooser_cb (GtkNativeDialog *dialog,
                   int              response,
                   gpointer         user_data)
{
  IntakeReviewWindow *self = user_data;
  IntakeExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

      intake_review_window_export_async (self, format, !gtk_bitset_is_empty (selected), file,
                                         self->cancellable, export_done_cb, NULL);
    }
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  gboolean csv = g_str_equal (g_variant_get_string (parameter, NULL), "csv");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("Save"), _("Cancel"));
  /* Translators: the suggested file names of an export. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), csv ? _("submissions.csv") : _("submissions.json"));
  g_object_set_data (G_OBJECT (chooser), "format",
                     GINT_TO_POINTER (csv ? INTAKE_EXPORT_FORMAT_CSV : INTAKE_EXPORT_FORMAT_JSON));
  g_signal_connect (chooser, "response", G_CALLBACK (export_chooser_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
intake_review_window_dispose (GObject *object)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  lock (self);
  g_clear_handle_id (&self->visible_update, g_source_remove);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);
  g_clear_object (&self->tls_database);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_REVIEW_WINDOW);
  G_OBJECT_CLASS (intake_review_window_parent_class)->dispose (object);
}

static void
intake_review_window_finalize (GObject *object)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (object);

  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_pointer (&self->row_widgets, g_hash_table_unref);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);
  g_free (self->server_url);
  G_OBJECT_CLASS (intake_review_window_parent_class)->finalize (object);
}

static void
intake_review_window_class_init (IntakeReviewWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_window_dispose;
  object_class->finalize = intake_review_window_finalize;

  g_type_ensure (INTAKE_TYPE_REVIEW_HELP_LIST);
  /* Makes sure the resource object is linked in from the static library. */
  g_resources_register (intake_review_ui_get_resource ());
  gtk_widget_class_set_template_from_resource (widget_class, "/org/intakekiosk/Review/ui/intake-review-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, server_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, name_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, unlock_error);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, unlock_spinner);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, reference_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, name_search);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, state_filter);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, location_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, from_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, to_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, list_status);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, help_list);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, detail_title);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, state_selector);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, unit_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, workflow_status);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, detail_scroll);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, detail_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, unlock_notice);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_name_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_code_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_repeat_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_error);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_spinner);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, activate_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, recovery_code_label);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, recovery_warning);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, recovery_status);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, recovery_continue_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, restore_name_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, restore_code_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, restore_error);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, restore_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, current_passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, new_passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, repeat_passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, passphrase_status);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, passphrase_spinner);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, passphrase_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, dashboard_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, search_box);
  gtk_widget_class_bind_template_child (widget_class, IntakeReviewWindow, workflow_box);

  gtk_widget_class_install_action (widget_class, "review.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "review.lock", NULL, lock_action);
  gtk_widget_class_install_action (widget_class, "review.show-unlock", NULL, show_unlock_action);
  gtk_widget_class_install_action (widget_class, "review.show-activate", NULL, show_activate_action);
  gtk_widget_class_install_action (widget_class, "review.activate", NULL, activate_action);
  gtk_widget_class_install_action (widget_class, "review.save-recovery-sheet", NULL, save_recovery_sheet_action);
  gtk_widget_class_install_action (widget_class, "review.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "review.show-restore", NULL, show_restore_action);
  gtk_widget_class_install_action (widget_class, "review.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "review.show-passphrase", NULL, show_passphrase_action);
  gtk_widget_class_install_action (widget_class, "review.change-passphrase", NULL, change_passphrase_action);
  gtk_widget_class_install_action (widget_class, "review.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "review.open", "s", open_action);
  gtk_widget_class_install_action (widget_class, "review.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "review.save-workflow", NULL, save_workflow_action);
  gtk_widget_class_install_action (widget_class, "review.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "review.add-note", NULL, add_note_action);
  gtk_widget_class_install_action (widget_class, "review.dashboard", NULL, dashboard_action);
}

static void
passphrase_activate_cb (IntakeReviewWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "review.unlock", NULL);
}

static void
intake_review_window_init (IntakeReviewWindow *self)
{
  g_autoptr(GtkStringList) filter_states = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) selector_states = gtk_string_list_new (NULL);

  /* style.css is at the application's resource base path, where
   * AdwApplication loads it. */
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->row_widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bound_cells = g_hash_table_new (NULL, NULL);
  g_queue_init (&self->decrypt_queue);

  /* Translators: the state filter's first choice. */
  gtk_string_list_append (filter_states, _("All states"));
  for (const char * const *s = intake_review_states (); *s != NULL; s++)
    {
      gtk_string_list_append (filter_states, intake_review_state_label (*s));
      gtk_string_list_append (selector_states, intake_review_state_label (*s));
    }
  gtk_drop_down_set_model (self->state_filter, G_LIST_MODEL (filter_states));
  gtk_drop_down_set_model (self->state_selector, G_LIST_MODEL (selector_states));

  self->selection = gtk_multi_selection_new (NULL);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  /* Translators: the columns of the list of submissions. */
  add_column (self, _("Received"), COLUMN_RECEIVED, FALSE);
  add_column (self, _("Location"), COLUMN_LOCATION, TRUE);
  add_column (self, _("Language"), COLUMN_LANGUAGE, FALSE);
  add_column (self, _("State"), COLUMN_STATE, FALSE);
  add_column (self, _("Unit"), COLUMN_UNIT, TRUE);
  add_column (self, _("Reference"), COLUMN_REFERENCE, FALSE);

  g_signal_connect_swapped (self->reference_entry, "activate", G_CALLBACK (search), self);
  g_signal_connect_swapped (self->location_entry, "activate", G_CALLBACK (search), self);
  g_signal_connect_swapped (self->name_search, "activate", G_CALLBACK (search), self);
  g_signal_connect_swapped (self->state_filter, "notify::selected", G_CALLBACK (search), self);
  g_signal_connect_swapped (self->passphrase_entry, "activate", G_CALLBACK (passphrase_activate_cb), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)), "value-changed",
                            G_CALLBACK (schedule_visible_update), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view)), "changed",
                            G_CALLBACK (schedule_visible_update), self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->unlock_button));
  gtk_stack_set_visible_child_name (self->stack, "unlock");
}

IntakeReviewWindow *
intake_review_window_new (GtkApplication *application,
                          const char     *server_url)
{
  IntakeReviewWindow *self = g_object_new (INTAKE_TYPE_REVIEW_WINDOW, "application", application, NULL);

  if (server_url != NULL && *server_url != '\0')
    {
      self->server_url = g_strdup (server_url);
      gtk_widget_set_visible (GTK_WIDGET (self->server_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->server_entry), FALSE);
    }
  return self;
}

IntakeReviewClient *
intake_review_window_get_client (IntakeReviewWindow *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_WINDOW (self), NULL);
  return self->client;
}

void
intake_review_window_set_tls_database (IntakeReviewWindow *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_set_object (&self->tls_database, database);
  if (self->client != NULL)
    intake_review_client_set_tls_database (self->client, database);
}

/* intake-review-window-queue.c: the work queue: views with counts, the list, the way through it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/review.md, "The queue". The list opens on what needs work ("To do":
 * new submissions nobody has taken, and what is assigned to the reviewer),
 * newest or oldest first as the reviewer chooses; the sidebar shows the
 * server's count of each view. A row shows the resident's name and date of
 * birth, decrypted on this computer for the rows on screen only (never sent
 * anywhere). New intakes and colleagues' changes appear by themselves: the
 * window asks the server's counts every refresh-seconds (one signed GET, no
 * audit row) and fetches rows only when the counts say something changed.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-review-row.h"
#include "intake-review-window-private.h"
#include "intake-secure.h"
#include "intake-staff-words.h"

/* The rows' names: batch fetches at the same time, of at most this many
 * envelopes each (a screen's rows go in one). */
#define MAX_DECRYPTS 2
#define DECRYPT_BATCH 100

/* The views of the sidebar, in order. */
typedef struct {
  const char       *id;
  IntakeReviewView  view;
  const char       *state;
  const char       *title;     /* NULL: the state's label */
} ViewDef;

static const ViewDef views[] = {
  /* Translators: the views of the work queue. */
  { "todo", INTAKE_REVIEW_VIEW_TODO, NULL, N_("To do") },
  { "mine", INTAKE_REVIEW_VIEW_MINE, NULL, N_("Assigned to me") },
  { "state:new", INTAKE_REVIEW_VIEW_ALL, "new", NULL },
  { "state:in_review", INTAKE_REVIEW_VIEW_ALL, "in_review", NULL },
  { "state:conversation_planned", INTAKE_REVIEW_VIEW_ALL, "conversation_planned", NULL },
  { "state:needs_follow_up", INTAKE_REVIEW_VIEW_ALL, "needs_follow_up", NULL },
  { "state:closed", INTAKE_REVIEW_VIEW_ALL, "closed", NULL },
  { "all", INTAKE_REVIEW_VIEW_ALL, NULL, N_("All submissions") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (views) <= 9);

static const char *
view_title (const ViewDef *def)
{
  return def->title != NULL ? _(def->title) : intake_review_state_label (def->state);
}

static int
current_view (IntakeReviewWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (views[i].view == self->view && g_strcmp0 (views[i].state, self->view_state) == 0)
      return (int)i;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Access events and toasts                                             */

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

void
intake_review_window_report_event (IntakeReviewWindow *self,
                                   const char         *action,
                                   const char         *object)
{
  intake_review_client_report_event_async (self->client, action, object, self->cancellable, report_cb, NULL);
}

void
intake_review_window_toast (IntakeReviewWindow *self,
                            const char         *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ------------------------------------------------------------------ */
/* Names and dates of birth, decrypted for the rows on screen           */

static void pump_decrypts (IntakeReviewWindow *self);
static void advance_name_search (IntakeReviewWindow *self);

typedef struct {
  IntakeReviewWindow *self;   /* weak: the cancellable stops us first */
  GPtrArray          *items;  /* IntakeReviewItem refs, in the order asked */
} DecryptData;

static void
decrypt_data_free (DecryptData *data)
{
  g_ptr_array_unref (data->items);
  g_free (data);
}

/* The language column's words: the name in the staff's language, else the code. */
static const char *
language_label (const char *code)
{
  const char *name = intake_staff_language_name (code);

  return name != NULL ? name : code;
}

static void
fill_item (IntakeReviewItem *item,
           IntakeSubmission *submission)
{
  g_autoptr(IntakeSecureStr) name = intake_submission_dup_display_name (submission);
  g_autoptr(IntakeSecureStr) birth = intake_submission_dup_birth_date (submission);

  intake_review_item_set_language (item, language_label (intake_submission_get_language (submission)));
  intake_review_item_set_person (item, name, birth);
}

static void
decrypt_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DecryptData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fetched = NULL;

  fetched = intake_review_client_fetch_many_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  data->self->decrypts_running--;
  for (guint i = 0; i < data->items->len; i++)
    {
      IntakeReviewItem *item = g_ptr_array_index (data->items, i);
      IntakeReviewFetched *one = fetched != NULL ? g_ptr_array_index (fetched, i) : NULL;

      if (one == NULL || one->submission == NULL)
        {
          /* Translators: in the queue, for a submission that could not be opened. */
          intake_review_item_set_language (item, _("unreadable"));
          intake_review_item_set_person (item, _("(cannot be opened)"), NULL);
          g_warning ("Submission %s could not be opened: %s", intake_review_item_get_id (item),
                     (one != NULL ? one->error : error)->message);
          continue;
        }
      intake_review_window_report_event (data->self, "decrypt", intake_review_item_get_id (item));
      fill_item (item, one->submission);
      g_hash_table_replace (data->self->cache, g_strdup (intake_review_item_get_id (item)),
                            g_steal_pointer (&one->submission));
    }
  pump_decrypts (data->self);
  advance_name_search (data->self);

out:
  decrypt_data_free (data);
}

/* Sends what waits in batches (intake_review_client_fetch_many_async,
 * which falls back to single fetches on an older server). */
static void
pump_decrypts (IntakeReviewWindow *self)
{
  while (self->decrypts_running < MAX_DECRYPTS && !g_queue_is_empty (&self->decrypt_queue))
    {
      DecryptData *data = g_new0 (DecryptData, 1);
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();

      data->self = self;
      data->items = g_ptr_array_new_with_free_func (g_object_unref);
      while (data->items->len < DECRYPT_BATCH && !g_queue_is_empty (&self->decrypt_queue))
        {
          IntakeReviewItem *item = g_queue_pop_head (&self->decrypt_queue);

          g_ptr_array_add (data->items, item);
          g_ptr_array_add (keys, (gpointer)intake_review_item_get_id (item));
        }
      self->decrypts_running++;
      intake_review_client_fetch_many_async (self->client, (const char * const *)keys->pdata, keys->len,
                                             self->cancellable, decrypt_cb, data);
    }
}

static void
request_person (IntakeReviewWindow *self,
                IntakeReviewItem   *item)
{
  IntakeSubmission *cached;

  if (intake_review_item_get_requested (item) || self->client == NULL ||
      !intake_review_client_is_unlocked (self->client))
    return;
  intake_review_item_set_requested (item, TRUE);
  if ((cached = g_hash_table_lookup (self->cache, intake_review_item_get_id (item))) != NULL)
    {
      fill_item (item, cached);
      return;
    }
  /* The caller sends what waits (pump_decrypts) once it queued every row it needs. */
  g_queue_push_tail (&self->decrypt_queue, g_object_ref (item));
}

/* Opens the envelopes of the rows on screen, and only those. GTK keeps more
 * rows bound than are shown, so each bound row is checked against the
 * visible part of the list. */
static gboolean
visible_update_cb (gpointer user_data)
{
  IntakeReviewWindow *self = user_data;
  GtkWidget *view = GTK_WIDGET (self->list_view);
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
      GtkWidget *row = gtk_list_item_get_child (list_item);
      IntakeReviewItem *item = gtk_list_item_get_item (list_item);
      graphene_rect_t bounds;

      if (item == NULL || row == NULL || !gtk_widget_get_mapped (row) || !gtk_widget_compute_bounds (row, view, &bounds))
        continue;
      /* A row bound but not laid out yet has no height: it is not shown. */
      if (bounds.size.height > 0 && bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height)
        request_person (self, item);
    }
  pump_decrypts (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_visible_update (IntakeReviewWindow *self)
{
  if (self->visible_update == 0)
    self->visible_update = g_timeout_add (50, visible_update_cb, self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, intake_review_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             IntakeReviewWindow       *self)
{
  intake_review_row_set_item (INTAKE_REVIEW_ROW (gtk_list_item_get_child (list_item)),
                              gtk_list_item_get_item (list_item),
                              self->client != NULL ? intake_review_client_get_name (self->client) : NULL);
  g_hash_table_add (self->bound_cells, list_item);
  schedule_visible_update (self);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               IntakeReviewWindow       *self)
{
  g_hash_table_remove (self->bound_cells, list_item);
  intake_review_row_set_item (INTAKE_REVIEW_ROW (gtk_list_item_get_child (list_item)), NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The list's words and pages                                          */

void
intake_review_window_update_list_status (IntakeReviewWindow *self)
{
  g_autofree char *text = NULL;
  const char *page = "rows";
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
    {
      text = g_strdup_printf (_("The list could not be loaded: %s"), intake_review_list_model_get_error (self->model));
      adw_status_page_set_description (self->error_page, intake_review_list_model_get_error (self->model));
      page = "error";
    }
  else if (intake_review_list_model_get_complete (self->model) && n == 0)
    {
      text = g_strdup (_("No submissions for this filter."));
      page = "empty";
    }
  else if (intake_review_list_model_get_complete (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission", "%u submissions", n), n);
  else if (self->counts != NULL && !intake_review_list_model_get_loading (self->model))
    {
      /* The server's total of the view: the list itself is loaded page by page. */
      int v = current_view (self);
      gint64 total = views[v].view == INTAKE_REVIEW_VIEW_TODO ? self->counts->todo
                   : views[v].view == INTAKE_REVIEW_VIEW_MINE ? self->counts->mine
                   : views[v].state != NULL ? intake_review_counts_get_state (self->counts, views[v].state)
                   : self->counts->total;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %lu submission shown; scroll for more",
                                           "%u of %lu submissions shown; scroll for more", (gulong)total),
                              n, (gulong)total);
    }
  else if (intake_review_list_model_get_loading (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission loaded, loading more…",
                                         "%u submissions loaded, loading more…", n), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u submission loaded; scroll for more",
                                         "%u submissions loaded; scroll for more", n), n);
  if (self->name_results != NULL && self->name_search_done &&
      g_list_model_get_n_items (G_LIST_MODEL (self->name_results)) == 0)
    page = "empty";
  gtk_label_set_text (self->list_status, text);
  gtk_stack_set_visible_child_name (self->list_stack, page);
}

static void
model_changed_cb (IntakeReviewWindow *self)
{
  intake_review_window_update_list_status (self);
  advance_name_search (self);
}

/* ------------------------------------------------------------------ */
/* Name search: every submission of the filter is opened here           */

static gboolean
name_matches (IntakeSubmission *submission,
              const char       *query)
{
  /* The names are copied out of secure memory for a moment: wiped copies. */
  g_autoptr(IntakeSecureStr) names = intake_submission_dup_display_name (submission);
  g_autoptr(IntakeSecureStr) folded = g_utf8_casefold (names, -1);

  return strstr (folded, query) != NULL;
}

/* Drives a name search: load every page of the filter, open every
 * envelope, then show the matches and report one "search" event with the
 * filter (never the name). */
static void
advance_name_search (IntakeReviewWindow *self)
{
  gboolean opening = FALSE;
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
            request_person (self, item);
          if (intake_review_item_get_name (item) == NULL)
            opening = TRUE;
        }
    }
  pump_decrypts (self);
  if (opening || self->decrypts_running > 0)
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

    intake_review_window_report_event (self, "search", path);
  }
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->name_results));
  intake_review_window_update_list_status (self);
}

/* ------------------------------------------------------------------ */
/* Searching: a new list for the view, the order and the filter         */

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

/* The filter of the search bar, with the view and order; FALSE (said in
 * the status line) when a date cannot be read. */
static gboolean
read_filter (IntakeReviewWindow *self,
             IntakeReviewFilter *filter,
             char              **out_reference,
             char              **out_location)
{
  *out_reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reference_entry))));
  *out_location = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->location_entry))));
  *filter = (IntakeReviewFilter) { 0 };
  filter->reference = **out_reference ? *out_reference : NULL;
  filter->location = **out_location ? *out_location : NULL;
  filter->state = self->view_state;
  filter->view = self->view;
  filter->newest_first = self->newest_first;
  filter->from = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->from_entry)), FALSE);
  filter->to = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)), TRUE);
  if (filter->from < 0 || filter->to < 0)
    {
      /* Translators: the date filter's format; write it as your staff read dates. */
      gtk_label_set_text (self->list_status, _("Write a date as dd-mm-yyyy, for example 01-11-2026."));
      return FALSE;
    }
  return TRUE;
}

static void refresh (IntakeReviewWindow *self);

void
intake_review_window_search (IntakeReviewWindow *self)
{
  IntakeReviewFilter filter;
  g_autofree char *reference = NULL;
  g_autofree char *location = NULL;

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client) ||
      !intake_review_client_can (self->client, INTAKE_PERMISSION_READ))
    return;
  if (!read_filter (self, &filter, &reference, &location))
    return;

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
  /* The list about to load is current: the next counts answer is the
   * baseline for changes, the list's own newest row for new ones. */
  self->known_seq = 0;
  self->known_changes = -1;
  self->refresh_generation++;
  self->refreshing = FALSE;
  g_signal_connect_swapped (self->model, "notify", G_CALLBACK (model_changed_cb), self);
  gtk_single_selection_set_model (self->selection, self->name_results != NULL ? G_LIST_MODEL (self->name_results)
                                                                             : G_LIST_MODEL (self->model));
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  intake_review_list_model_load_more (self->model);
  adw_window_title_set_title (self->list_title, view_title (&views[current_view (self)]));
  adw_status_page_set_title (self->empty_page, self->view == INTAKE_REVIEW_VIEW_TODO && self->name_query == NULL
                                               /* Translators: the empty "To do" list. */
                                               ? _("Nothing to do")
                                               : _("No submissions"));
  adw_status_page_set_description (self->empty_page,
                                   self->view == INTAKE_REVIEW_VIEW_TODO && self->name_query == NULL
                                   ? _("No new submissions wait, and none is assigned to you. New ones appear here by "
                                       "themselves.")
                                   : _("Nothing matches this view and filter."));
  intake_review_window_update_list_status (self);
  /* The counts of the new filter. */
  refresh (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  intake_review_window_search (INTAKE_REVIEW_WINDOW (widget));
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);

  if (!gtk_widget_get_visible (self->search_box))
    return;
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  adw_leaflet_set_visible_child_name (self->leaflet, "queue");
  gtk_widget_grab_focus (GTK_WIDGET (self->reference_entry));
}

/* review.show-view "todo" | "mine" | "all" | "state:STATE" */
static void
show_view (IntakeReviewWindow *self,
           const char         *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_str_equal (views[i].id, id))
      {
        self->view = views[i].view;
        g_free (self->view_state);
        self->view_state = g_strdup (views[i].state);
        if (self->view_rows[i] != NULL &&
            gtk_list_box_get_selected_row (self->views_list) != GTK_LIST_BOX_ROW (self->view_rows[i]))
          gtk_list_box_select_row (self->views_list, GTK_LIST_BOX_ROW (self->view_rows[i]));
        intake_review_window_search (self);
        adw_leaflet_set_visible_child_name (self->leaflet, "queue");
        return;
      }
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_view (INTAKE_REVIEW_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
view_activated_cb (GtkListBox         *box,
                   GtkListBoxRow      *row,
                   IntakeReviewWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (self->view_rows[i] == GTK_WIDGET (row))
      {
        if (current_view (self) != (int)i || self->model == NULL)
          show_view (self, views[i].id);
        else
          adw_leaflet_set_visible_child_name (self->leaflet, "queue");
      }
}

static void
show_views_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  adw_leaflet_set_visible_child_name (INTAKE_REVIEW_WINDOW (widget)->leaflet, "views");
}

/* ------------------------------------------------------------------ */
/* The counts, and what changed since                                  */

static void
update_counts (IntakeReviewWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *text = NULL;

      if (self->view_counts[i] == NULL)
        continue;
      if (self->counts != NULL)
        {
          gint64 n = views[i].view == INTAKE_REVIEW_VIEW_TODO ? self->counts->todo
                   : views[i].view == INTAKE_REVIEW_VIEW_MINE ? self->counts->mine
                   : views[i].state != NULL ? intake_review_counts_get_state (self->counts, views[i].state)
                   : self->counts->total;

          text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
        }
      gtk_label_set_text (self->view_counts[i], text != NULL ? text : "");
    }
}

typedef struct {
  IntakeReviewWindow    *self;     /* a reference */
  IntakeReviewListModel *model;    /* the list asked about */
  gboolean               new_rows; /* else: changed rows */
  gint64                 mark;
} MergeCall;

static void
merge_call_free (MergeCall *call)
{
  g_clear_object (&call->self);
  g_clear_object (&call->model);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MergeCall, merge_call_free)

static void
merge_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MergeCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  IntakeReviewWindow *self = call->self;
  guint before, merged;

  page = intake_review_client_list_finish (INTAKE_REVIEW_CLIENT (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->refreshing = FALSE;
  if (page == NULL)
    {
      g_warning ("The changes could not be fetched: %s", error->message);
      return;
    }
  if (call->model != self->model)
    return;
  /* Only what was asked for is known now; a later change is asked for next time. */
  if (call->new_rows)
    self->known_seq = MAX (self->known_seq, call->mark);
  else
    self->known_changes = MAX (self->known_changes, call->mark);
  before = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  merged = intake_review_list_model_merge (self->model, page);
  for (guint i = 0; i < page->len; i++)
    {
      const IntakeReviewMeta *meta = g_ptr_array_index (page, i);

      /* The open submission changed under the reviewer's eyes: said, and its
       * version is the one to save against once they have seen it. */
      if (!call->new_rows && self->detail_meta != NULL && g_strcmp0 (meta->key, self->detail_id) == 0 &&
          meta->version != self->detail_meta->version && g_strcmp0 (meta->updated_by, intake_review_client_get_name (self->client)) != 0)
        {
          /* Translators: a colleague changed the submission that is open. */
          g_autofree char *text = g_strdup_printf (_("%s changed this submission just now"),
                                                   meta->updated_by && *meta->updated_by ? meta->updated_by
                                                                                         : _("another staff member"));

          intake_review_window_toast (self, text);
        }
    }
  if (call->new_rows && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > before)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model)) - before;
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new submission",
                                                            "%u new submissions", n), n);

      intake_review_window_toast (self, text);
    }
  if (merged > 0)
    schedule_visible_update (self);
  intake_review_window_update_list_status (self);
}

/* Asks for the rows that are new (seq above what the list holds) or that
 * changed (change_seq above the last one seen). */
static void
fetch_changes (IntakeReviewWindow *self,
               gboolean            new_rows,
               gint64              mark)
{
  IntakeReviewFilter filter = *intake_review_list_model_get_filter (self->model);
  MergeCall *call = g_new0 (MergeCall, 1);

  call->self = g_object_ref (self);
  call->model = g_object_ref (self->model);
  call->new_rows = new_rows;
  call->mark = mark;
  filter.limit = 500;
  filter.before = 0;
  filter.newest_first = FALSE;
  if (new_rows)
    filter.after = intake_review_list_model_get_newest_seq (self->model);
  else
    {
      /* Every changed row of the filter, whatever its view: one that left
       * the view must leave the list too. */
      filter.after = 0;
      filter.view = INTAKE_REVIEW_VIEW_ALL;
      filter.state = NULL;
      filter.by_changes = TRUE;
      filter.changed_after = self->known_changes;
    }
  self->refreshing = TRUE;
  intake_review_client_list_async (self->client, &filter, self->cancellable, merge_cb, call);
}

typedef struct {
  IntakeReviewWindow *self;        /* a reference */
  guint               generation;  /* of the filter asked about */
} CountsCall;

static void
counts_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CountsCall *call = user_data;
  g_autoptr(IntakeReviewWindow) self = call->self;
  g_autoptr(GError) error = NULL;
  IntakeReviewCounts *counts;
  guint generation = call->generation;

  g_free (call);
  counts = intake_review_client_counts_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* An answer about the filter before the last search is of no use. */
  if (generation != self->refresh_generation)
    {
      intake_review_counts_free (counts);
      return;
    }
  self->refreshing = FALSE;
  if (counts == NULL)
    {
      g_debug ("Counts not loaded: %s", error->message);
      return;
    }
  g_clear_pointer (&self->counts, intake_review_counts_free);
  self->counts = counts;
  update_counts (self);
  if (self->known_changes < 0)
    self->known_changes = counts->changes;
  else if (self->model != NULL && intake_review_list_model_get_error (self->model) == NULL && self->name_query == NULL)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0 && !intake_review_list_model_get_complete (self->model))
        ;  /* the first page is on its way and brings what there is */
      else if (counts->latest_seq > MAX (self->known_seq, intake_review_list_model_get_newest_seq (self->model)))
        fetch_changes (self, TRUE, counts->latest_seq);
      else if (counts->changes > self->known_changes)
        fetch_changes (self, FALSE, counts->changes);
    }
  intake_review_window_update_list_status (self);
}

/* Asks the counts now (F5, the timer, a new filter). */
static void
refresh (IntakeReviewWindow *self)
{
  IntakeReviewFilter filter;
  g_autofree char *reference = NULL;
  g_autofree char *location = NULL;

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client) ||
      !intake_review_client_can (self->client, INTAKE_PERMISSION_READ) || self->refreshing ||
      !read_filter (self, &filter, &reference, &location))
    return;
  {
    CountsCall *call = g_new0 (CountsCall, 1);

    call->self = g_object_ref (self);
    call->generation = self->refresh_generation;
    self->refreshing = TRUE;
    intake_review_client_counts_async (self->client, &filter, self->cancellable, counts_cb, call);
  }
}

/* After the reviewer's own change: the sidebar's counts follow at once. */
void
intake_review_window_refresh_counts (IntakeReviewWindow *self)
{
  refresh (self);
}

static gboolean
refresh_timer_cb (gpointer user_data)
{
  refresh (INTAKE_REVIEW_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  /* Asked for: the list again from the start (the timer fetches only what changed). */
  intake_review_window_search (INTAKE_REVIEW_WINDOW (widget));
}

static void
restart_refresh_timer (IntakeReviewWindow *self)
{
  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  if (self->refresh_seconds > 0 && self->cancellable != NULL)
    self->refresh_timer = g_timeout_add_seconds (self->refresh_seconds, refresh_timer_cb, self);
}

/* ------------------------------------------------------------------ */
/* Opening a submission, and the way through the list                   */

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
  intake_review_window_report_event (self, "decrypt", data->id);
  intake_review_window_report_event (self, "view", data->id);
  g_hash_table_replace (self->cache, g_strdup (data->id), g_object_ref (submission));
  intake_review_window_queue_opened (self, data->id, submission, meta);
  intake_review_window_show_detail (self, submission, g_steal_pointer (&meta), notes);
  intake_review_window_load_audit (self);

out:
  g_free (data->id);
  g_free (data);
}

void
intake_review_window_queue_opened (IntakeReviewWindow     *self,
                                   const char             *key,
                                   IntakeSubmission       *submission,
                                   const IntakeReviewMeta *meta)
{
  IntakeReviewItem *item = self->model != NULL ? intake_review_list_model_find (self->model, key) : NULL;

  if (item == NULL)
    return;
  if (meta != NULL)
    intake_review_item_update_workflow (item, meta);
  intake_review_item_set_requested (item, TRUE);
  fill_item (item, submission);
}

/* The position of the open submission in the list shown, or INVALID. */
static guint
detail_position (IntakeReviewWindow *self)
{
  GListModel *shown = G_LIST_MODEL (self->selection);

  for (guint i = 0; self->detail_id != NULL && i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(IntakeReviewItem) item = g_list_model_get_item (shown, i);

      if (g_str_equal (intake_review_item_get_id (item), self->detail_id))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

void
intake_review_window_open (IntakeReviewWindow *self,
                           const char         *key)
{
  OpenData *data;
  guint position;

  g_return_if_fail (INTAKE_IS_REVIEW_WINDOW (self));
  g_return_if_fail (key != NULL);

  if (self->client == NULL || !intake_review_client_is_unlocked (self->client))
    return;
  intake_review_window_clear_detail (self);
  self->detail_id = g_strdup (key);
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_stack_set_visible_child_name (self->detail_stack, "loading");
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  /* The list shows which one is open. */
  if ((position = detail_position (self)) != GTK_INVALID_LIST_POSITION)
    {
      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
    }
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
row_activated_cb (GtkListView        *view,
                  guint               position,
                  IntakeReviewWindow *self)
{
  g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    intake_review_window_open (self, intake_review_item_get_id (item));
}

/* Next (+1) or previous (-1) in the list shown; at the end of what is
 * loaded the next page is asked for first. */
static void
step (IntakeReviewWindow *self,
      int                 delta)
{
  GListModel *shown = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (shown);
  guint position = detail_position (self);
  guint target;
  g_autoptr(IntakeReviewItem) item = NULL;

  if (n == 0)
    return;
  if (position == GTK_INVALID_LIST_POSITION)
    target = delta > 0 ? 0 : n - 1;
  else if (delta < 0 && position == 0)
    {
      intake_review_window_toast (self, _("This is the first submission of the list."));
      return;
    }
  else if (delta > 0 && position + 1 >= n)
    {
      if (self->model != NULL && self->name_results == NULL && !intake_review_list_model_get_complete (self->model))
        {
          intake_review_list_model_load_more (self->model);
          intake_review_window_toast (self, _("Loading the next submissions; press again."));
        }
      else
        intake_review_window_toast (self, _("This is the last submission of the list."));
      return;
    }
  else
    target = position + delta;
  item = g_list_model_get_item (shown, target);
  intake_review_window_open (self, intake_review_item_get_id (item));
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  step (INTAKE_REVIEW_WINDOW (widget), +1);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  step (INTAKE_REVIEW_WINDOW (widget), -1);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  IntakeReviewWindow *self = INTAKE_REVIEW_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  /* From another page (the overview, the password) back to the queue; in
   * the queue, from the submission back to the list. */
  if (g_strcmp0 (page, "list") != 0)
    {
      if (self->client != NULL && intake_review_client_is_unlocked (self->client))
        gtk_stack_set_visible_child_name (self->stack, "list");
      /* A subject access page is dropped on leaving it: the name typed and
       * what it decrypted are not kept (docs/review.md, "Subject access"). */
      if (g_strcmp0 (page, "subject-access") == 0 && self->client != NULL &&
          intake_review_client_is_unlocked (self->client))
        gtk_stack_remove (self->stack, gtk_stack_get_child_by_name (self->stack, "subject-access"));
      return;
    }
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "queue");
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* ------------------------------------------------------------------ */
/* Unlock and lock                                                      */

void
intake_review_window_queue_unlocked (IntakeReviewWindow *self)
{
  if (!intake_review_client_can (self->client, INTAKE_PERMISSION_READ))
    {
      gtk_stack_set_visible_child_name (self->list_stack, "no-role");
      /* The status page says why; the status line would say it again. */
      gtk_widget_set_visible (GTK_WIDGET (self->list_status), FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->list_status), TRUE);
  self->view = INTAKE_REVIEW_VIEW_TODO;
  g_clear_pointer (&self->view_state, g_free);
  if (self->view_rows[0] != NULL)
    gtk_list_box_select_row (self->views_list, GTK_LIST_BOX_ROW (self->view_rows[0]));
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
  adw_leaflet_set_visible_child_name (self->leaflet, "queue");
  intake_review_window_search (self);
  restart_refresh_timer (self);
}

void
intake_review_window_queue_lock (IntakeReviewWindow *self)
{
  IntakeReviewItem *item;

  g_clear_handle_id (&self->refresh_timer, g_source_remove);
  self->refreshing = FALSE;
  while ((item = g_queue_pop_head (&self->decrypt_queue)) != NULL)
    g_object_unref (item);
  self->decrypts_running = 0;
  g_hash_table_remove_all (self->cache);
  g_hash_table_remove_all (self->bound_cells);
  g_clear_pointer (&self->name_query, g_free);
  g_clear_object (&self->name_results);
  self->name_search_done = FALSE;
  if (self->selection != NULL)
    gtk_single_selection_set_model (self->selection, NULL);
  /* A page may still be on its way (it holds the model): the window must
   * hear nothing of it any more. */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->counts, intake_review_counts_free);
  g_clear_pointer (&self->units, g_strfreev);
  g_clear_pointer (&self->assignees, g_ptr_array_unref);
  self->known_seq = 0;
  self->known_changes = 0;
  update_counts (self);
  gtk_label_set_text (self->list_status, "");
  adw_window_title_set_subtitle (self->list_title, "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* ------------------------------------------------------------------ */
/* Setting up                                                           */

static void
build_views (IntakeReviewWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *title = gtk_label_new (view_title (&views[i]));
      GtkWidget *count = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (title, TRUE);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_box_append (GTK_BOX (box), title);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, count, NULL, -1);
      /* The states come after a line. */
      if (i == 2 || i == G_N_ELEMENTS (views) - 1)
        gtk_widget_add_css_class (row, "review-view-group");
      gtk_list_box_append (self->views_list, row);
      self->view_rows[i] = row;
      self->view_counts[i] = GTK_LABEL (count);
    }
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  if (before != NULL && gtk_widget_has_css_class (GTK_WIDGET (row), "review-view-group"))
    gtk_list_box_row_set_header (row, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  else
    gtk_list_box_row_set_header (row, NULL);
}

static void
newest_first_changed_cb (IntakeReviewWindow *self)
{
  gtk_button_set_icon_name (GTK_BUTTON (self->order_button),
                            self->newest_first ? "view-sort-descending-symbolic" : "view-sort-ascending-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->order_button),
                               self->newest_first ? _("Newest first; press for oldest first (Ctrl+O)")
                                                  : _("Oldest first; press for newest first (Ctrl+O)"));
  intake_review_window_search (self);
}

static void
refresh_seconds_changed_cb (IntakeReviewWindow *self)
{
  restart_refresh_timer (self);
}

void
intake_review_window_queue_init (IntakeReviewWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self->list_view, "activate", G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)), "value-changed",
                            G_CALLBACK (schedule_visible_update), self);
  g_signal_connect_swapped (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)), "changed",
                            G_CALLBACK (schedule_visible_update), self);

  build_views (self);
  gtk_list_box_set_header_func (self->views_list, header_func, NULL, NULL);
  g_signal_connect (self->views_list, "row-activated", G_CALLBACK (view_activated_cb), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->reference_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, NULL);
  g_signal_connect_swapped (self->reference_entry, "activate", G_CALLBACK (intake_review_window_search), self);
  g_signal_connect_swapped (self->location_entry, "activate", G_CALLBACK (intake_review_window_search), self);
  g_signal_connect_swapped (self->from_entry, "activate", G_CALLBACK (intake_review_window_search), self);
  g_signal_connect_swapped (self->to_entry, "activate", G_CALLBACK (intake_review_window_search), self);
  g_signal_connect_swapped (self->name_search, "activate", G_CALLBACK (intake_review_window_search), self);
  g_signal_connect (self, "notify::newest-first", G_CALLBACK (newest_first_changed_cb), NULL);
  g_signal_connect (self, "notify::refresh-seconds", G_CALLBACK (refresh_seconds_changed_cb), NULL);
  gtk_toggle_button_set_active (self->order_button, self->newest_first);
}

void
intake_review_window_queue_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "review.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "review.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "review.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "review.show-views", NULL, show_views_action);
  gtk_widget_class_install_action (widget_class, "review.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "review.open", "s", open_action);
  gtk_widget_class_install_action (widget_class, "review.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "review.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "review.back", NULL, back_action);
  gtk_widget_class_install_property_action (widget_class, "review.newest-first", "newest-first");

  /* The keyboard shortcuts (listed in intake-review-shortcuts.ui). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "review.focus-search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "review.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "review.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "review.newest-first", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "review.show-view", "s", "todo");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "review.show-view", "s", "mine");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "review.show-view", "s", "all");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "review.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK, "review.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "review.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK, "review.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "review.back", NULL);
}

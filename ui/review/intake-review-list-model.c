/* intake-review-list-model.c: submissions of one filter, loaded page by page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-review-list-model.h"

/* Start loading the next page when a row this close to the end is asked for. */
#define PREFETCH_ROWS 30

struct _IntakeReviewListModel
{
  GObject             parent_instance;

  IntakeReviewClient *client;
  IntakeReviewFilter  filter;        /* strings owned */
  GPtrArray          *items;         /* IntakeReviewItem */
  GHashTable         *by_id;         /* id -> item (borrowed) */
  gint64              after;         /* or before, newest first */
  gint64              newest_seq;    /* of the items held */
  gboolean            complete;
  gboolean            loading;
  guint               load_idle;
  char               *error;
  char               *me;            /* the reviewer, for the todo and mine views */
  GCancellable       *cancellable;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IntakeReviewListModel, intake_review_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return INTAKE_TYPE_REVIEW_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return INTAKE_REVIEW_LIST_MODEL (model)->items->len;
}

static gboolean
load_idle_cb (gpointer user_data)
{
  IntakeReviewListModel *self = user_data;

  self->load_idle = 0;
  intake_review_list_model_load_more (self);
  return G_SOURCE_REMOVE;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  IntakeReviewListModel *self = INTAKE_REVIEW_LIST_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  /* Items-changed must not be emitted from inside get_item: load from an idle. */
  if (position + PREFETCH_ROWS >= self->items->len && !self->complete && !self->loading &&
      self->error == NULL && self->load_idle == 0)
    self->load_idle = g_idle_add (load_idle_cb, self);
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
intake_review_list_model_dispose (GObject *object)
{
  IntakeReviewListModel *self = INTAKE_REVIEW_LIST_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->load_idle, g_source_remove);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (intake_review_list_model_parent_class)->dispose (object);
}

static void
intake_review_list_model_finalize (GObject *object)
{
  IntakeReviewListModel *self = INTAKE_REVIEW_LIST_MODEL (object);

  g_free ((char *)self->filter.state);
  g_free ((char *)self->filter.location);
  g_free ((char *)self->filter.reference);
  g_free (self->me);
  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->items);
  g_free (self->error);
  G_OBJECT_CLASS (intake_review_list_model_parent_class)->finalize (object);
}

static void
intake_review_list_model_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  IntakeReviewListModel *self = INTAKE_REVIEW_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_list_model_class_init (IntakeReviewListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_review_list_model_dispose;
  object_class->finalize = intake_review_list_model_finalize;
  object_class->get_property = intake_review_list_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
intake_review_list_model_init (IntakeReviewListModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();
}

IntakeReviewListModel *
intake_review_list_model_new (IntakeReviewClient       *client,
                              const IntakeReviewFilter *filter)
{
  IntakeReviewListModel *self;

  g_return_val_if_fail (INTAKE_IS_REVIEW_CLIENT (client), NULL);

  self = g_object_new (INTAKE_TYPE_REVIEW_LIST_MODEL, NULL);
  self->client = g_object_ref (client);
  if (filter != NULL)
    {
      self->filter = *filter;
      self->filter.state = g_strdup (filter->state);
      self->filter.location = g_strdup (filter->location);
      self->filter.reference = g_strdup (filter->reference);
    }
  self->filter.after = 0;
  self->filter.before = 0;
  self->filter.by_changes = FALSE;
  self->filter.limit = INTAKE_REVIEW_LIST_PAGE_SIZE;
  self->me = g_strdup (intake_review_client_get_name (client));
  return self;
}

const IntakeReviewFilter *
intake_review_list_model_get_filter (IntakeReviewListModel *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), NULL);
  return &self->filter;
}

static void
set_loading (IntakeReviewListModel *self,
             gboolean               loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(IntakeReviewListModel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 next_after = -1;
  guint before;

  page = intake_review_client_list_finish (INTAKE_REVIEW_CLIENT (source), result, &next_after, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
  if (page == NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
      return;
    }
  before = self->items->len;
  for (guint i = 0; i < page->len; i++)
    {
      IntakeReviewMeta *meta = g_ptr_array_index (page, i);

      /* A row already listed (a page boundary raced a new upload) is not doubled. */
      if (g_hash_table_contains (self->by_id, meta->key))
        continue;
      g_ptr_array_index (page, i) = NULL;
      {
        IntakeReviewItem *item = intake_review_item_new (meta);

        self->newest_seq = MAX (self->newest_seq, meta->seq);
        g_ptr_array_add (self->items, item);
        g_hash_table_insert (self->by_id, (gpointer)intake_review_item_get_id (item), item);
      }
    }
  if (next_after < 0)
    self->complete = TRUE;
  else
    self->after = next_after;
  if (self->items->len > before)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->items->len - before);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (self->complete)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

void
intake_review_list_model_load_more (IntakeReviewListModel *self)
{
  IntakeReviewFilter filter;

  g_return_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self));

  if (self->loading || self->complete)
    return;
  g_clear_pointer (&self->error, g_free);
  filter = self->filter;
  if (filter.newest_first)
    filter.before = self->after;
  else
    filter.after = self->after;
  set_loading (self, TRUE);
  intake_review_client_list_async (self->client, &filter, self->cancellable, page_cb, g_object_ref (self));
}

gboolean
intake_review_list_model_get_loading (IntakeReviewListModel *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), FALSE);
  return self->loading;
}

gboolean
intake_review_list_model_get_complete (IntakeReviewListModel *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), FALSE);
  return self->complete;
}

const char *
intake_review_list_model_get_error (IntakeReviewListModel *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), NULL);
  return self->error;
}

IntakeReviewItem *
intake_review_list_model_find (IntakeReviewListModel *self,
                               const char            *submission_id)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), NULL);
  return g_hash_table_lookup (self->by_id, submission_id);
}

gint64
intake_review_list_model_get_newest_seq (IntakeReviewListModel *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), 0);
  return self->newest_seq;
}

gboolean
intake_review_list_model_matches (IntakeReviewListModel  *self,
                                  const IntakeReviewMeta *meta)
{
  const IntakeReviewFilter *f;
  gboolean open, mine;

  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), FALSE);
  g_return_val_if_fail (meta != NULL, FALSE);

  f = &self->filter;
  open = g_strcmp0 (meta->state, "closed") != 0;
  mine = self->me != NULL && g_strcmp0 (meta->assignee, self->me) == 0;
  if (f->state != NULL && g_strcmp0 (f->state, meta->state) != 0)
    return FALSE;
  if (f->location != NULL && g_strcmp0 (f->location, meta->location) != 0)
    return FALSE;
  if (f->reference != NULL && g_strcmp0 (f->reference, meta->reference) != 0)
    return FALSE;
  if ((f->from > 0 && meta->created_at < f->from) || (f->to > 0 && meta->created_at >= f->to))
    return FALSE;
  switch (f->view)
    {
    case INTAKE_REVIEW_VIEW_TODO:
      return open && (mine || (g_strcmp0 (meta->state, "new") == 0 && (meta->assignee == NULL || *meta->assignee == '\0')));
    case INTAKE_REVIEW_VIEW_MINE:
      return open && mine;
    case INTAKE_REVIEW_VIEW_ALL:
    default:
      return TRUE;
    }
}

/* Where a row of @seq goes among the items (kept in the list's order). */
static guint
position_for (IntakeReviewListModel *self,
              gint64                 seq)
{
  guint lo = 0, hi = self->items->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      gint64 at = intake_review_item_get_meta (g_ptr_array_index (self->items, mid))->seq;

      if (self->filter.newest_first ? at > seq : at < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Can a row of @seq be shown without skipping rows between it and what is loaded? */
static gboolean
within_loaded (IntakeReviewListModel *self,
               gint64                 seq)
{
  gint64 last;

  if (self->complete || self->items->len == 0)
    return self->complete;
  last = intake_review_item_get_meta (g_ptr_array_index (self->items, self->items->len - 1))->seq;
  return self->filter.newest_first ? seq >= last : seq <= last;
}

static void
insert_item (IntakeReviewListModel *self,
             IntakeReviewMeta      *meta)
{
  IntakeReviewItem *item = intake_review_item_new (meta);
  guint position = position_for (self, meta->seq);

  self->newest_seq = MAX (self->newest_seq, meta->seq);
  g_ptr_array_insert (self->items, position, item);
  g_hash_table_insert (self->by_id, (gpointer)intake_review_item_get_id (item), item);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

guint
intake_review_list_model_merge (IntakeReviewListModel *self,
                                GPtrArray             *metas)
{
  guint changed = 0;

  g_return_val_if_fail (INTAKE_IS_REVIEW_LIST_MODEL (self), 0);
  g_return_val_if_fail (metas != NULL, 0);

  for (guint i = 0; i < metas->len; i++)
    {
      IntakeReviewMeta *meta = g_ptr_array_index (metas, i);
      IntakeReviewItem *item;
      gboolean matches;

      if (meta == NULL || meta->key == NULL)
        continue;
      item = g_hash_table_lookup (self->by_id, meta->key);
      matches = intake_review_list_model_matches (self, meta);
      if (item != NULL && matches)
        intake_review_item_update_workflow (item, meta);
      else if (item != NULL)
        {
          guint position;

          g_ptr_array_find (self->items, item, &position);
          g_hash_table_remove (self->by_id, meta->key);
          g_ptr_array_remove_index (self->items, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
      else if (matches && (meta->seq > self->newest_seq ? self->filter.newest_first || self->complete
                                                        : within_loaded (self, meta->seq)))
        insert_item (self, intake_review_meta_copy (meta));
      else
        continue;
      changed++;
    }
  if (changed > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return changed;
}

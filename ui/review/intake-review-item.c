/* intake-review-item.c: one row of the review list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-review-item.h"

struct _IntakeReviewItem
{
  GObject           parent_instance;

  IntakeReviewMeta *meta;
  char             *language;
  gboolean          requested;
};

G_DEFINE_FINAL_TYPE (IntakeReviewItem, intake_review_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LANGUAGE,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
intake_review_item_finalize (GObject *object)
{
  IntakeReviewItem *self = INTAKE_REVIEW_ITEM (object);

  g_clear_pointer (&self->meta, intake_review_meta_free);
  g_free (self->language);
  G_OBJECT_CLASS (intake_review_item_parent_class)->finalize (object);
}

static void
intake_review_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  IntakeReviewItem *self = INTAKE_REVIEW_ITEM (object);

  switch (prop_id)
    {
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->meta->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_item_class_init (IntakeReviewItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = intake_review_item_finalize;
  object_class->get_property = intake_review_item_get_property;

  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
intake_review_item_init (IntakeReviewItem *self)
{
}

IntakeReviewItem *
intake_review_item_new (IntakeReviewMeta *meta)
{
  IntakeReviewItem *self;

  g_return_val_if_fail (meta != NULL, NULL);
  self = g_object_new (INTAKE_TYPE_REVIEW_ITEM, NULL);
  self->meta = meta;
  return self;
}

const IntakeReviewMeta *
intake_review_item_get_meta (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), NULL);
  return self->meta;
}

const char *
intake_review_item_get_id (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), NULL);
  return self->meta->key;
}

void
intake_review_item_update_workflow (IntakeReviewItem       *self,
                                    const IntakeReviewMeta *meta)
{
  g_return_if_fail (INTAKE_IS_REVIEW_ITEM (self));
  g_return_if_fail (meta != NULL);

  g_free (self->meta->state);
  self->meta->state = g_strdup (meta->state);
  g_free (self->meta->unit);
  self->meta->unit = g_strdup (meta->unit);
  g_free (self->meta->updated_by);
  self->meta->updated_by = g_strdup (meta->updated_by);
  self->meta->version = meta->version;
  self->meta->updated_at = meta->updated_at;
  self->meta->notes = meta->notes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
intake_review_item_get_language (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), NULL);
  return self->language;
}

void
intake_review_item_set_language (IntakeReviewItem *self,
                                 const char       *language)
{
  g_return_if_fail (INTAKE_IS_REVIEW_ITEM (self));
  if (g_strcmp0 (self->language, language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

gboolean
intake_review_item_get_requested (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), FALSE);
  return self->requested;
}

void
intake_review_item_set_requested (IntakeReviewItem *self,
                                  gboolean          requested)
{
  g_return_if_fail (INTAKE_IS_REVIEW_ITEM (self));
  self->requested = requested;
}

/* intake-review-item.c: one row of the review list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-review-item.h"
#include "intake-secure.h"

struct _IntakeReviewItem
{
  GObject           parent_instance;

  IntakeReviewMeta *meta;
  char             *language;
  /* Decrypted here, never sent anywhere; wiped when the item goes. */
  char             *name;
  char             *birth_date;
  gboolean          requested;
};

G_DEFINE_FINAL_TYPE (IntakeReviewItem, intake_review_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LANGUAGE,
  PROP_STATE,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
intake_review_item_finalize (GObject *object)
{
  IntakeReviewItem *self = INTAKE_REVIEW_ITEM (object);

  g_clear_pointer (&self->meta, intake_review_meta_free);
  g_free (self->language);
  g_clear_pointer (&self->name, intake_secure_strfree);
  g_clear_pointer (&self->birth_date, intake_secure_strfree);
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
    case PROP_NAME:
      g_value_set_string (value, self->name);
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
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
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
  g_free (self->meta->assignee);
  self->meta->assignee = g_strdup (meta->assignee != NULL ? meta->assignee : "");
  self->meta->appointment_at = meta->appointment_at;
  self->meta->change_seq = meta->change_seq;
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

const char *
intake_review_item_get_name (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), NULL);
  return self->name;
}

const char *
intake_review_item_get_birth_date (IntakeReviewItem *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ITEM (self), NULL);
  return self->birth_date;
}

void
intake_review_item_set_person (IntakeReviewItem *self,
                               const char       *name,
                               const char       *birth_date)
{
  g_return_if_fail (INTAKE_IS_REVIEW_ITEM (self));
  g_return_if_fail (name != NULL);

  g_clear_pointer (&self->name, intake_secure_strfree);
  g_clear_pointer (&self->birth_date, intake_secure_strfree);
  self->name = g_strdup (name);
  self->birth_date = g_strdup (birth_date);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

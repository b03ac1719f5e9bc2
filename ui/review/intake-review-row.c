/* intake-review-row.c: one submission in the queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three lines, what a caseworker looks for first: the resident's name
 * (decrypted on this computer, "…" until then) and how long they have
 * waited; their date of birth, language and location; the state, who has
 * it, the unit and the reference code.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "intake-review-row.h"
#include "intake-staff-words.h"

struct _IntakeReviewRow
{
  GtkWidget         parent_instance;

  GtkWidget        *box;
  GtkLabel         *name;
  GtkLabel         *waiting;
  GtkLabel         *person;
  GtkLabel         *handling;
  IntakeReviewItem *item;
  char             *me;
  gulong            notify_handler;
};

G_DEFINE_FINAL_TYPE (IntakeReviewRow, intake_review_row, GTK_TYPE_WIDGET)

char *
intake_review_format_waiting (gint64 created_at,
                              gint64 now)
{
  gint64 days = MAX (0, (now - created_at) / (24 * 3600));

  if (days == 0)
    /* Translators: how long a submission has waited: less than a day. */
    return g_strdup (_("today"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", (gulong)days), (guint)days);
}

static void
append_part (GString    *out,
             const char *part)
{
  if (part == NULL || *part == '\0')
    return;
  if (out->len > 0)
    g_string_append (out, " · ");
  g_string_append (out, part);
}

static void
update (IntakeReviewRow *self)
{
  const IntakeReviewMeta *meta;
  g_autoptr(GString) person = g_string_new (NULL);
  g_autoptr(GString) handling = g_string_new (NULL);
  g_autofree char *waiting = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *accessible = NULL;
  const char *name;

  if (self->item == NULL)
    {
      gtk_label_set_text (self->name, "");
      gtk_label_set_text (self->waiting, "");
      gtk_label_set_text (self->person, "");
      gtk_label_set_text (self->handling, "");
      return;
    }
  meta = intake_review_item_get_meta (self->item);
  name = intake_review_item_get_name (self->item);
  if (name == NULL)
    {
      /* Translators: in the queue, while the resident's name is being decrypted. */
      gtk_label_set_text (self->name, _("Opening…"));
      gtk_widget_add_css_class (GTK_WIDGET (self->name), "dim-label");
    }
  else
    {
      /* Translators: in the queue, for a resident who gave no name. */
      gtk_label_set_text (self->name, *name != '\0' ? name : _("No name given"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->name), "dim-label");
    }
  if (g_strcmp0 (meta->state, "closed") != 0)
    waiting = intake_review_format_waiting (meta->created_at, g_get_real_time () / G_USEC_PER_SEC);
  gtk_label_set_text (self->waiting, waiting != NULL ? waiting : "");

  if (intake_review_item_get_birth_date (self->item) != NULL)
    {
      /* Translators: the date of birth in the queue, "born 15-03-1990". */
      birth = g_strdup_printf (_("born %s"), intake_review_item_get_birth_date (self->item));
      append_part (person, birth);
    }
  append_part (person, intake_review_item_get_language (self->item));
  append_part (person, meta->location);
  gtk_label_set_text (self->person, person->str);

  append_part (handling, intake_review_state_label (meta->state));
  if (meta->assignee != NULL && *meta->assignee != '\0')
    {
      g_autofree char *who = NULL;

      if (g_strcmp0 (meta->assignee, self->me) == 0)
        /* Translators: in the queue: the submission is assigned to the reviewer. */
        who = g_strdup (_("mine"));
      else
        /* Translators: in the queue: who has the submission. */
        who = g_strdup_printf (_("with %s"), meta->assignee);
      append_part (handling, who);
    }
  append_part (handling, meta->unit);
  append_part (handling, meta->reference);
  gtk_label_set_text (self->handling, handling->str);

  accessible = intake_review_row_dup_text (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
item_notify_cb (IntakeReviewRow *self)
{
  update (self);
}

void
intake_review_row_set_item (IntakeReviewRow  *self,
                            IntakeReviewItem *item,
                            const char       *me)
{
  g_return_if_fail (INTAKE_IS_REVIEW_ROW (self));

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_handler, self->item);
  g_set_object (&self->item, item);
  g_free (self->me);
  self->me = g_strdup (me);
  if (item != NULL)
    self->notify_handler = g_signal_connect_swapped (item, "notify", G_CALLBACK (item_notify_cb), self);
  update (self);
}

IntakeReviewItem *
intake_review_row_get_item (IntakeReviewRow *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ROW (self), NULL);
  return self->item;
}

char *
intake_review_row_dup_text (IntakeReviewRow *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_ROW (self), NULL);
  return g_strdup_printf ("%s, %s\n%s\n%s", gtk_label_get_text (self->name), gtk_label_get_text (self->waiting),
                          gtk_label_get_text (self->person), gtk_label_get_text (self->handling));
}

static void
intake_review_row_dispose (GObject *object)
{
  IntakeReviewRow *self = INTAKE_REVIEW_ROW (object);

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_handler, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (intake_review_row_parent_class)->dispose (object);
}

static void
intake_review_row_finalize (GObject *object)
{
  IntakeReviewRow *self = INTAKE_REVIEW_ROW (object);

  g_free (self->me);
  G_OBJECT_CLASS (intake_review_row_parent_class)->finalize (object);
}

static void
intake_review_row_class_init (IntakeReviewRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_row_dispose;
  object_class->finalize = intake_review_row_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "review-row");
}

static GtkLabel *
new_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return GTK_LABEL (label);
}

static void
intake_review_row_init (IntakeReviewRow *self)
{
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_top (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 6);
  gtk_widget_set_margin_start (self->box, 6);
  gtk_widget_set_margin_end (self->box, 6);
  self->name = new_label ("heading");
  gtk_widget_set_hexpand (GTK_WIDGET (self->name), TRUE);
  self->waiting = new_label ("numeric");
  gtk_label_set_xalign (self->waiting, 1);
  gtk_widget_add_css_class (GTK_WIDGET (self->waiting), "caption");
  self->person = new_label ("caption");
  self->handling = new_label ("caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->handling), "dim-label");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->name));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->waiting));
  gtk_box_append (GTK_BOX (self->box), top);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->person));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->handling));
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
intake_review_row_new (void)
{
  return g_object_new (INTAKE_TYPE_REVIEW_ROW, NULL);
}

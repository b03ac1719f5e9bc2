/* intake-kiosk-review-page.c: the kiosk's answers-review screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Privacy: the rows show the resident's answers, so clearing the page empties
 * every label before its row goes, and read-aloud gets the heading only.
 */
#include "config.h"

#include <string.h>

#include "intake-answer-format.h"
#include "intake-kiosk-review-page.h"
#include "intake-kiosk-ui-resources.h"
#include "intake-kiosk-utils.h"

struct _IntakeKioskReviewPage
{
  AdwBin          parent_instance;

  IntakeCatalog  *catalog;
  char           *language;

  /* Template children */
  GtkLabel       *heading;
  GtkLabel       *subheading;
  GtkBox         *list;
  GtkButton      *back_button;
  GtkButton      *send_button;
  GtkOverlay     *overlay;
  GtkScrolledWindow *scroller;
  GtkWidget      *more;           /* the scroll cue */
};

G_DEFINE_FINAL_TYPE (IntakeKioskReviewPage, intake_kiosk_review_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CATALOG,
  PROP_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGE_ANSWER,
  SUBMIT,
  GO_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
tr (IntakeKioskReviewPage *self,
    const char            *msgid)
{
  if (self->catalog == NULL)
    return msgid;
  return intake_catalog_lookup (self->catalog, self->language, msgid);
}

static void
retranslate (IntakeKioskReviewPage *self)
{
  /* Translators: Heading of the screen that lists all answers before sending. */
  gtk_label_set_text (self->heading, tr (self, "Check your answers"));
  /* Translators: Text under the heading of the review screen. */
  gtk_label_set_text (self->subheading, tr (self, "You can still change every answer."));
  intake_kiosk_set_button_text (self->back_button, tr (self, "Back"));
  /* Translators: Button that sends the answers to the office. */
  intake_kiosk_set_button_text (self->send_button, tr (self, "Send my answers"));
  /* Translators: Over the bottom of a long list of answers or text: there is more below. */
  intake_kiosk_set_scroll_cue_text (self->more, tr (self, "More below"));
}

static char *
format_answer (IntakeKioskReviewPage *self,
               const IntakeQuestion  *question,
               const IntakeAnswer    *answer)
{
  /* Options one per line, a scale as "7 (0–10)" and a rung by its text:
   * the plain forms of the one formatter, in the resident's words. */
  const IntakeAnswerWords words = {
    /* Translators: Answer to a yes/no question. */
    .yes = tr (self, "Yes"),
    /* Translators: Answer to a yes/no question. */
    .no = tr (self, "No"),
    /* Translators: Shown on the review screen when the resident chose "I would rather not say". */
    .declined = tr (self, "You chose not to say"),
    /* Translators: Shown on the review screen instead of an answer for a skipped question. */
    .not_answered = tr (self, "Not answered"),
  };

  return intake_answer_format (question, answer, self->language, &words);
}

static GtkWidget *
new_row (IntakeKioskReviewPage *self,
         const IntakeQuestion  *question,
         const IntakeAnswer    *answer)
{
  g_autofree char *answer_text = format_answer (self, question, answer);
  const char *question_text = intake_text_get (question->text, self->language);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  /* Each question is a heading, so that a screen reader can jump from one
   * answer to the next. */
  GtkWidget *question_label = g_object_new (GTK_TYPE_LABEL,
                                            "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING,
                                            "label", question_text,
                                            NULL);
  GtkWidget *answer_label = gtk_label_new (answer_text);
  /* Translators: Button next to each answer on the review screen. */
  GtkWidget *change = gtk_button_new_with_label (tr (self, "Change"));
  /* One name per button: "Change: What is your first name?", not 49
   * buttons called "Change". */
  g_autofree char *change_name = g_strdup_printf ("%s: %s", tr (self, "Change"), question_text);

  gtk_widget_add_css_class (row, "kiosk-review-row");
  gtk_label_set_wrap (GTK_LABEL (question_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (question_label), 0);
  gtk_widget_add_css_class (question_label, "kiosk-review-question");
  gtk_accessible_update_property (GTK_ACCESSIBLE (question_label), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_label_set_wrap (GTK_LABEL (answer_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (answer_label), 0);
  gtk_widget_add_css_class (answer_label, answer != NULL && !intake_answer_is_declined (answer)
                                          ? "kiosk-review-answer" : "kiosk-review-none");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), question_label);
  gtk_box_append (GTK_BOX (texts), answer_label);

  gtk_widget_set_valign (change, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (change, "kiosk-review-change");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (change), "review.change");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (change), "s", question->code);
  /* The name starts with the visible word (WCAG 2.5.3) and says which
   * question; the answer shown next to it is its description. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (change),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, change_name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, answer_text,
                                  -1);
  g_object_set_data (G_OBJECT (change), "question-code", question->code);

  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), change);
  g_object_set_data (G_OBJECT (row), "answer-label", answer_label);
  g_object_set_data (G_OBJECT (row), "question-label", question_label);
  return row;
}

/* ---- Actions ------------------------------------------------------------ */

static void
change_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_signal_emit (widget, signals[CHANGE_ANSWER], 0, g_variant_get_string (parameter, NULL));
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_signal_emit (widget, signals[SUBMIT], 0);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit (widget, signals[GO_BACK], 0);
}

/* ---- Public API --------------------------------------------------------- */

GtkWidget *
intake_kiosk_review_page_new (IntakeCatalog *catalog)
{
  g_return_val_if_fail (catalog == NULL || INTAKE_IS_CATALOG (catalog), NULL);

  return g_object_new (INTAKE_TYPE_KIOSK_REVIEW_PAGE,
                       "catalog", catalog,
                       NULL);
}

IntakeCatalog *
intake_kiosk_review_page_get_catalog (IntakeKioskReviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self), NULL);
  return self->catalog;
}

void
intake_kiosk_review_page_set_catalog (IntakeKioskReviewPage *self,
                                      IntakeCatalog         *catalog)
{
  g_return_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self));
  g_return_if_fail (catalog == NULL || INTAKE_IS_CATALOG (catalog));

  if (!g_set_object (&self->catalog, catalog))
    return;
  retranslate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATALOG]);
}

const char *
intake_kiosk_review_page_get_language (IntakeKioskReviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self), NULL);
  return self->language;
}

void
intake_kiosk_review_page_set_language (IntakeKioskReviewPage *self,
                                       const char            *language)
{
  g_return_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self));

  if (g_strcmp0 (self->language, language) == 0)
    return;
  g_free (self->language);
  self->language = g_strdup (language);
  retranslate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

void
intake_kiosk_review_page_clear (IntakeKioskReviewPage *self)
{
  GtkWidget *row;

  g_return_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self));

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    {
      /* Empty every label before the row goes, so that no copy of an answer
       * outlives the screen in a widget still referenced elsewhere. */
      GtkWidget *answer = g_object_get_data (G_OBJECT (row), "answer-label");
      GtkWidget *question = g_object_get_data (G_OBJECT (row), "question-label");

      if (answer != NULL)
        {
          gtk_label_set_text (GTK_LABEL (answer), "");
          gtk_accessible_reset_property (GTK_ACCESSIBLE (answer), GTK_ACCESSIBLE_PROPERTY_LABEL);
        }
      if (question != NULL)
        gtk_label_set_text (GTK_LABEL (question), "");
      {
        GtkWidget *change = gtk_widget_get_last_child (row);

        /* The description repeats the answer. */
        if (change != NULL)
          gtk_accessible_reset_property (GTK_ACCESSIBLE (change), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      }
      gtk_box_remove (self->list, row);
    }
}

void
intake_kiosk_review_page_show_session (IntakeKioskReviewPage *self,
                                       IntakeSession         *session)
{
  g_autoptr(GPtrArray) visible = NULL;

  g_return_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self));
  g_return_if_fail (INTAKE_IS_SESSION (session));

  intake_kiosk_review_page_clear (self);

  visible = intake_session_list_visible (session);
  for (guint i = 0; i < visible->len; i++)
    {
      const IntakeQuestion *question = g_ptr_array_index (visible, i);
      const IntakeAnswer *answer = intake_session_get_answer (session, question->code);

      gtk_box_append (self->list, new_row (self, question, answer));
    }
}

GtkWidget *
intake_kiosk_review_page_get_default_widget (IntakeKioskReviewPage *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self), NULL);
  return GTK_WIDGET (self->send_button);
}

char *
intake_kiosk_review_page_dup_read_aloud_text (IntakeKioskReviewPage *self)
{
  GtkLabel *labels[] = { self->heading, self->subheading };
  g_autoptr(GStrvBuilder) parts = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  g_return_val_if_fail (INTAKE_IS_KIOSK_REVIEW_PAGE (self), NULL);

  /* The heading only: the rows hold the resident's answers. */
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_label_get_text (labels[i])));

      if (gtk_widget_get_visible (GTK_WIDGET (labels[i])) && *text != '\0')
        g_strv_builder_add (parts, text);
    }
  strv = g_strv_builder_end (parts);
  return strv[0] != NULL ? g_strjoinv ("\n\n", strv) : NULL;
}

/* ---- GObject ------------------------------------------------------------ */

static gboolean
intake_kiosk_review_page_grab_focus (GtkWidget *widget)
{
  IntakeKioskReviewPage *self = INTAKE_KIOSK_REVIEW_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->send_button));
}

static void
intake_kiosk_review_page_dispose (GObject *object)
{
  IntakeKioskReviewPage *self = INTAKE_KIOSK_REVIEW_PAGE (object);

  if (self->list != NULL)
    intake_kiosk_review_page_clear (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), INTAKE_TYPE_KIOSK_REVIEW_PAGE);

  G_OBJECT_CLASS (intake_kiosk_review_page_parent_class)->dispose (object);
}

static void
intake_kiosk_review_page_finalize (GObject *object)
{
  IntakeKioskReviewPage *self = INTAKE_KIOSK_REVIEW_PAGE (object);

  g_clear_object (&self->catalog);
  g_clear_pointer (&self->language, g_free);

  G_OBJECT_CLASS (intake_kiosk_review_page_parent_class)->finalize (object);
}

static void
intake_kiosk_review_page_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  IntakeKioskReviewPage *self = INTAKE_KIOSK_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_review_page_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  IntakeKioskReviewPage *self = INTAKE_KIOSK_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      intake_kiosk_review_page_set_catalog (self, g_value_get_object (value));
      break;
    case PROP_LANGUAGE:
      intake_kiosk_review_page_set_language (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_review_page_class_init (IntakeKioskReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_kiosk_review_page_dispose;
  object_class->finalize = intake_kiosk_review_page_finalize;
  object_class->get_property = intake_kiosk_review_page_get_property;
  object_class->set_property = intake_kiosk_review_page_set_property;
  widget_class->grab_focus = intake_kiosk_review_page_grab_focus;

  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL, INTAKE_TYPE_CATALOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The resident wants to change the answer to the question with this code. */
  signals[CHANGE_ANSWER] =
    g_signal_new ("change-answer",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The resident wants to send the answers. */
  signals[SUBMIT] =
    g_signal_new ("submit",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* The resident wants to go back to the last question. */
  signals[GO_BACK] =
    g_signal_new ("go-back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /* Makes sure the resource object is linked in from the static library. */
  g_resources_register (intake_kiosk_ui_get_resource ());
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/intakekiosk/Kiosk/ui/intake-kiosk-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, heading);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, subheading);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, list);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, overlay);
  gtk_widget_class_bind_template_child (widget_class, IntakeKioskReviewPage, scroller);

  gtk_widget_class_install_action (widget_class, "review.change", "s", change_action);
  gtk_widget_class_install_action (widget_class, "review.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "review.back", NULL, back_action);
}

static void
intake_kiosk_review_page_init (IntakeKioskReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* A long list of answers: say that it goes on below the window. */
  self->more = intake_kiosk_add_scroll_cue (self->overlay, self->scroller);
  retranslate (self);
}

/* intake-kiosk-keyboard.c: an on-screen keyboard inside the kiosk, for touch-only machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A kiosk with a touch screen and no keyboard could not answer a name, a
 * date or a phone number at all. The platform's on-screen keyboards are
 * not there under cage, and would show the resident's language's letters
 * where ID documents write names in Latin letters: this one is part of the
 * kiosk, with exactly the keys a question needs.
 */
#include "config.h"

#include "intake-kiosk-keyboard.h"

#define DELETE "\b"

struct _IntakeKioskKeyboard
{
  GtkWidget             parent_instance;

  IntakeKeyboardLayout  layout;
  GWeakRef              target;
  GtkWidget            *box;
  GHashTable           *keys;   /* text -> GtkButton (borrowed) */
  char                 *delete_word;
  char                 *space_word;
};

G_DEFINE_FINAL_TYPE (IntakeKioskKeyboard, intake_kiosk_keyboard, GTK_TYPE_WIDGET)

enum {
  TYPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Rows of keys; " " is the space bar, DELETE the delete key. */
/* One row of digits: a date or a number needs no more height than that. */
static const char *const digit_rows[] = { "1 2 3 4 5 6 7 8 9 0 \b", NULL };
static const char *const phone_rows[] = { "1 2 3 4 5 6 7 8 9 0", "+ _ \b", NULL };
static const char *const letter_rows[] = {
  "Q W E R T Y U I O P",
  "A S D F G H J K L",
  "Z X C V B N M",
  "É Ë Ï Ö Ü Ç Ş Ğ Ñ Ł",
  "' - _ \b",
  NULL
};
static const char *const email_rows[] = {
  "1 2 3 4 5 6 7 8 9 0",
  "q w e r t y u i o p",
  "a s d f g h j k l",
  "z x c v b n m",
  "@ . - _ \b",
  NULL
};

/* In the rows above "_" stands for the space bar (a row is split at spaces). */
static const char *
key_text (const char *token)
{
  if (g_str_equal (token, "_"))
    return " ";
  if (g_str_equal (token, "\\b") || g_str_equal (token, DELETE))
    return DELETE;
  return token;
}

static gboolean
is_word_start (GtkEditable *editable,
               int          position)
{
  const char *text = gtk_editable_get_text (editable);
  const char *at;
  gunichar before;

  if (position <= 0)
    return TRUE;
  at = g_utf8_offset_to_pointer (text, position);
  before = g_utf8_get_char (g_utf8_prev_char (at));
  return before == ' ' || before == '-' || before == '\'';
}

static void
type_text (IntakeKioskKeyboard *self,
           const char          *text)
{
  g_autoptr(GtkEditable) target = g_weak_ref_get (&self->target);
  int start, end, position;

  if (target == NULL || !gtk_widget_is_sensitive (GTK_WIDGET (target)) || !gtk_editable_get_editable (target))
    return;

  if (g_str_equal (text, DELETE))
    {
      if (gtk_editable_get_selection_bounds (target, &start, &end))
        gtk_editable_delete_text (target, start, end);
      else if ((position = gtk_editable_get_position (target)) > 0)
        gtk_editable_delete_text (target, position - 1, position);
      return;
    }

  gtk_editable_delete_selection (target);
  position = gtk_editable_get_position (target);
  if (self->layout == INTAKE_KEYBOARD_LETTERS)
    {
      /* Names as on the ID's printed line: a capital at each word's start. */
      g_autofree char *cased = is_word_start (target, position) ? g_utf8_strup (text, -1)
                                                                : g_utf8_strdown (text, -1);

      gtk_editable_insert_text (target, cased, -1, &position);
    }
  else
    gtk_editable_insert_text (target, text, -1, &position);
  gtk_editable_set_position (target, position);
  g_signal_emit (self, signals[TYPED], 0, target);
}

static void
type_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  type_text (INTAKE_KIOSK_KEYBOARD (widget), g_variant_get_string (parameter, NULL));
}

static void
name_key (IntakeKioskKeyboard *self,
          GtkWidget           *button,
          const char          *text)
{
  const char *name = text;

  if (g_str_equal (text, DELETE))
    name = self->delete_word;
  else if (g_str_equal (text, " "))
    {
      /* The space bar says what it is, in the session's language. */
      name = self->space_word;
      gtk_button_set_label (GTK_BUTTON (button), name);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static GtkWidget *
new_key (IntakeKioskKeyboard *self,
         const char          *text)
{
  GtkWidget *button = gtk_button_new ();

  if (g_str_equal (text, DELETE))
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), "edit-clear-symbolic");
      gtk_widget_add_css_class (button, "osk-wide");
    }
  else if (g_str_equal (text, " "))
    {
      gtk_widget_add_css_class (button, "osk-space");
    }
  else
    gtk_button_set_label (GTK_BUTTON (button), text);
  gtk_widget_add_css_class (button, "osk-key");
  /* The field keeps the focus (and its cursor) while keys are pressed. */
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_set_focusable (button, FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "osk.type");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", text);
  name_key (self, button, text);
  g_hash_table_replace (self->keys, g_strdup (text), button);
  return button;
}

static void
rebuild (IntakeKioskKeyboard *self)
{
  const char *const *rows = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);
  g_hash_table_remove_all (self->keys);

  switch (self->layout)
    {
    case INTAKE_KEYBOARD_DIGITS:
      rows = digit_rows;
      break;
    case INTAKE_KEYBOARD_PHONE:
      rows = phone_rows;
      break;
    case INTAKE_KEYBOARD_LETTERS:
      rows = letter_rows;
      break;
    case INTAKE_KEYBOARD_EMAIL:
      rows = email_rows;
      break;
    case INTAKE_KEYBOARD_NONE:
    default:
      break;
    }

  /* Eleven keys in one row (the digits and the delete key) are a little
   * narrower, so that the row fits the question's column. */
  if (self->layout == INTAKE_KEYBOARD_DIGITS)
    gtk_widget_add_css_class (GTK_WIDGET (self), "osk-compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "osk-compact");

  for (guint r = 0; rows != NULL && rows[r] != NULL; r++)
    {
      g_auto(GStrv) tokens = g_strsplit (rows[r], " ", -1);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
      /* A child without a direction of its own takes the default one
       * (right to left in an Arabic session), not its parent's. */
      gtk_widget_set_direction (row, GTK_TEXT_DIR_LTR);
      gtk_widget_add_css_class (row, "osk-row");
      for (guint k = 0; tokens[k] != NULL; k++)
        gtk_box_append (GTK_BOX (row), new_key (self, key_text (tokens[k])));
      gtk_box_append (GTK_BOX (self->box), row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), rows != NULL);
}

void
intake_kiosk_keyboard_set_layout (IntakeKioskKeyboard  *self,
                                  IntakeKeyboardLayout  layout)
{
  g_return_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self));

  if (self->layout == layout && gtk_widget_get_first_child (self->box) != NULL)
    return;
  self->layout = layout;
  rebuild (self);
}

IntakeKeyboardLayout
intake_kiosk_keyboard_get_layout (IntakeKioskKeyboard *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self), INTAKE_KEYBOARD_NONE);
  return self->layout;
}

void
intake_kiosk_keyboard_set_target (IntakeKioskKeyboard *self,
                                  GtkEditable         *target)
{
  g_return_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self));
  g_return_if_fail (target == NULL || GTK_IS_EDITABLE (target));

  g_weak_ref_set (&self->target, target);
}

GtkEditable *
intake_kiosk_keyboard_get_target (IntakeKioskKeyboard *self)
{
  GtkEditable *target;

  g_return_val_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self), NULL);

  /* Borrowed: the field belongs to the question view. */
  target = g_weak_ref_get (&self->target);
  if (target != NULL)
    g_object_unref (target);
  return target;
}

void
intake_kiosk_keyboard_set_words (IntakeKioskKeyboard *self,
                                 const char          *delete_word,
                                 const char          *space_word)
{
  GHashTableIter iter;
  gpointer text, button;

  g_return_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self));

  g_free (self->delete_word);
  self->delete_word = g_strdup (delete_word);
  g_free (self->space_word);
  self->space_word = g_strdup (space_word);
  g_hash_table_iter_init (&iter, self->keys);
  while (g_hash_table_iter_next (&iter, &text, &button))
    name_key (self, button, text);
}

GtkWidget *
intake_kiosk_keyboard_get_key (IntakeKioskKeyboard *self,
                               const char          *text)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_KEYBOARD (self), NULL);
  return g_hash_table_lookup (self->keys, text);
}

GtkWidget *
intake_kiosk_keyboard_new (void)
{
  return g_object_new (INTAKE_TYPE_KIOSK_KEYBOARD, NULL);
}

static void
intake_kiosk_keyboard_dispose (GObject *object)
{
  IntakeKioskKeyboard *self = INTAKE_KIOSK_KEYBOARD (object);

  g_weak_ref_set (&self->target, NULL);
  if (self->keys != NULL)
    g_hash_table_remove_all (self->keys);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (intake_kiosk_keyboard_parent_class)->dispose (object);
}

static void
intake_kiosk_keyboard_finalize (GObject *object)
{
  IntakeKioskKeyboard *self = INTAKE_KIOSK_KEYBOARD (object);

  g_weak_ref_clear (&self->target);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_free (self->delete_word);
  g_free (self->space_word);

  G_OBJECT_CLASS (intake_kiosk_keyboard_parent_class)->finalize (object);
}

static void
intake_kiosk_keyboard_class_init (IntakeKioskKeyboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_kiosk_keyboard_dispose;
  object_class->finalize = intake_kiosk_keyboard_finalize;

  /**
   * IntakeKioskKeyboard::typed:
   * @target: the field a key typed into
   *
   * After a key other than delete typed into @target.
   */
  signals[TYPED] = g_signal_new ("typed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, GTK_TYPE_EDITABLE);

  gtk_widget_class_install_action (widget_class, "osk.type", "s", type_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "onscreenkeyboard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
intake_kiosk_keyboard_init (IntakeKioskKeyboard *self)
{
  g_weak_ref_init (&self->target, NULL);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->delete_word = g_strdup ("Delete");
  self->space_word = g_strdup ("Space");
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "osk");
  /* Latin keys, in the order of a Latin keyboard, also in Arabic and Persian. */
  gtk_widget_set_direction (GTK_WIDGET (self), GTK_TEXT_DIR_LTR);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

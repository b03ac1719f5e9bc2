/* intake-kiosk-utils.c: small text helpers shared by the kiosk's screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-kiosk-utils.h"

char *
intake_kiosk_format_numbers (const char   *format,
                             guint         n_values,
                             const gint64 *values)
{
  GString *out = g_string_new (NULL);
  guint used = 0;

  for (const char *p = format; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'd' && used < n_values)
        {
          g_string_append_printf (out, "%" G_GINT64_FORMAT, values[used++]);
          p++;
        }
      else if (p[0] == '%' && p[1] == '%')
        {
          g_string_append_c (out, '%');
          p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

void
intake_kiosk_set_button_text (GtkButton  *button,
                              const char *text)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_BUTTON (button));

  gtk_button_set_label (button, text);
  child = gtk_button_get_child (button);
  /* The top bar holds five tools whose labels are long in some
   * languages (Ukrainian, Polish, Dutch at large text): they wrap onto
   * two lines rather than push the window wider than the screen. */
  if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (GTK_WIDGET (button), "kiosk-tool"))
    {
      gtk_label_set_wrap (GTK_LABEL (child), TRUE);
      /* Whole words only, and ask for the unwrapped width: a label
       * wraps when the bar is short of room, never otherwise. */
      gtk_label_set_wrap_mode (GTK_LABEL (child), PANGO_WRAP_WORD);
      gtk_label_set_natural_wrap_mode (GTK_LABEL (child), GTK_NATURAL_WRAP_NONE);
      gtk_label_set_justify (GTK_LABEL (child), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (child), 16);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

void
intake_kiosk_stack_show_only (GtkStack   *stack,
                              const char *name)
{
  GtkWidget *shown;

  g_return_if_fail (GTK_IS_STACK (stack));
  g_return_if_fail (name != NULL);

  shown = gtk_stack_get_child_by_name (stack, name);
  g_return_if_fail (shown != NULL);

  /* The new page first: a stack refuses to show a hidden child, and when
   * its visible child goes hidden it shows another page by itself. */
  gtk_widget_set_visible (shown, TRUE);
  gtk_stack_set_visible_child (stack, shown);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (child != shown)
      gtk_widget_set_visible (child, FALSE);
}

void
intake_kiosk_set_tool_button (GtkButton  *button,
                              const char *icon_name,
                              const char *text)
{
  GtkWidget *box = gtk_button_get_child (button);
  GtkWidget *image;
  GtkWidget *label;

  g_return_if_fail (GTK_IS_BUTTON (button));

  if (!GTK_IS_BOX (box) || !gtk_widget_has_css_class (box, "kiosk-tool-content"))
    {
      /* The symbol above the word: it tells residents who read little what
       * the button does, in every language, before one is chosen too. */
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      gtk_widget_add_css_class (box, "kiosk-tool-content");
      gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      image = gtk_image_new ();
      gtk_widget_add_css_class (image, "kiosk-tool-icon");
      /* The word names the button; the symbol is decoration. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD);
      gtk_label_set_natural_wrap_mode (GTK_LABEL (label), GTK_NATURAL_WRAP_NONE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
      gtk_box_append (GTK_BOX (box), image);
      gtk_box_append (GTK_BOX (box), label);
      gtk_button_set_child (button, box);
    }
  image = gtk_widget_get_first_child (box);
  label = gtk_widget_get_last_child (box);
  gtk_image_set_from_icon_name (GTK_IMAGE (image), icon_name);
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
update_scroll_cue (GtkAdjustment *adjustment,
                   GtkWidget     *cue)
{
  double below = gtk_adjustment_get_upper (adjustment) -
                 (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment));

  gtk_widget_set_visible (cue, below > 4);
}

static void
scroll_cue_clicked_cb (GtkButton     *cue,
                       GtkAdjustment *adjustment)
{
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) * 0.8);
}

GtkWidget *
intake_kiosk_add_scroll_cue (GtkOverlay        *overlay,
                             GtkScrolledWindow *scroller)
{
  GtkAdjustment *adjustment;
  GtkWidget *cue;
  GtkWidget *content;

  g_return_val_if_fail (GTK_IS_OVERLAY (overlay), NULL);
  g_return_val_if_fail (GTK_IS_SCROLLED_WINDOW (scroller), NULL);

  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  cue = gtk_button_new ();
  content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (content), gtk_image_new_from_icon_name ("go-down-symbolic"));
  gtk_box_append (GTK_BOX (content), gtk_label_new (NULL));
  gtk_button_set_child (GTK_BUTTON (cue), content);
  gtk_widget_add_css_class (cue, "kiosk-scroll-cue");
  gtk_widget_set_halign (cue, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (cue, GTK_ALIGN_END);
  gtk_widget_set_margin_bottom (cue, 12);
  /* An aid for the eye and the finger; keyboard users scroll by moving on. */
  gtk_widget_set_focusable (cue, FALSE);
  gtk_widget_set_focus_on_click (cue, FALSE);
  gtk_widget_set_visible (cue, FALSE);
  gtk_overlay_add_overlay (overlay, cue);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (update_scroll_cue), cue, 0);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (update_scroll_cue), cue, 0);
  g_signal_connect_object (cue, "clicked", G_CALLBACK (scroll_cue_clicked_cb), adjustment, 0);
  return cue;
}

void
intake_kiosk_set_scroll_cue_text (GtkWidget  *cue,
                                  const char *words)
{
  GtkWidget *content;

  g_return_if_fail (GTK_IS_BUTTON (cue));

  content = gtk_button_get_child (GTK_BUTTON (cue));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (content)), words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cue), GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
}

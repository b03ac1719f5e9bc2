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

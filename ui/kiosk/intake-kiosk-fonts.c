/* intake-kiosk-fonts.c: one font per script, sized alike, in the session's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without this, fontconfig picks a font per run of text by the process
 * locale: Arabic came from DejaVu Sans on one screen and Noto Sans Arabic on
 * the next, Ethiopic from the serif Abyssinica SIL in regular weight and
 * Noto Sans Ethiopic in bold. style.css names one family per script for
 * every widget; here Arabic is scaled up (its letters' body is 374/1000 of
 * the em in Noto Sans Arabic, the Latin x-height 536/1000: x 1.43), in the
 * font itself, so that it also holds inside mixed text (the welcome title,
 * "العربية (Arabic)"), and every label is told its language.
 */
#include "config.h"

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>
#include <pango/pangocairo.h>

#include "intake-kiosk-fonts.h"

/* A fontconfig rule: the Arabic faces drawn at 1.43 times their size.
 * (Ethiopic is not scaled: Noto Sans Ethiopic's letters are already as
 * tall as Latin capitals; at the x-height their vowel marks would be too
 * small to read.) */
static const char fonts_conf[] =
  "<?xml version=\"1.0\"?>"
  "<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">"
  "<fontconfig>"
  "  <match target=\"font\">"
  "    <test name=\"family\" compare=\"contains\"><string>Noto Sans Arabic</string></test>"
  "    <edit name=\"matrix\" mode=\"assign\">"
  "      <times><name>matrix</name>"
  "        <matrix><double>1.43</double><double>0</double><double>0</double><double>1.43</double></matrix>"
  "      </times>"
  "    </edit>"
  "  </match>"
  "</fontconfig>";

static gpointer
init_fonts (gpointer data)
{
  PangoFontMap *map;

  if (!FcConfigParseAndLoadFromMemory (FcConfigGetCurrent (), (const FcChar8 *) fonts_conf, FcTrue))
    {
      g_warning ("The kiosk's font rules were not accepted by fontconfig; Arabic is drawn at its own size");
      return NULL;
    }
  /* Fonts already looked up (none, normally) are looked up again. */
  map = pango_cairo_font_map_get_default ();
  if (PANGO_IS_FC_FONT_MAP (map))
    pango_fc_font_map_config_changed (PANGO_FC_FONT_MAP (map));
  return NULL;
}

void
intake_kiosk_fonts_init (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_fonts, NULL);
}

static gboolean
has_language (PangoAttrList *attrs,
              const char    *lang)
{
  g_autoptr(GSList) list = NULL;
  PangoAttrIterator *iter;
  gboolean found = FALSE;

  if (attrs == NULL)
    return FALSE;
  iter = pango_attr_list_get_iterator (attrs);
  {
    PangoAttribute *attr = pango_attr_iterator_get (iter, PANGO_ATTR_LANGUAGE);

    found = attr != NULL &&
            g_strcmp0 (pango_language_to_string (((PangoAttrLanguage *) attr)->value), lang) == 0;
  }
  pango_attr_iterator_destroy (iter);
  return found;
}

static PangoAttrList *
language_attrs (const char *lang)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_language_new (pango_language_from_string (lang)));
  return attrs;
}

void
intake_kiosk_set_label_language (GtkLabel   *label,
                                 const char *lang)
{
  g_autoptr(PangoAttrList) attrs = NULL;

  g_return_if_fail (GTK_IS_LABEL (label));

  if (lang == NULL || has_language (gtk_label_get_attributes (label), lang))
    return;
  attrs = language_attrs (lang);
  gtk_label_set_attributes (label, attrs);
}

void
intake_kiosk_apply_language (GtkWidget  *root,
                             const char *lang)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (lang == NULL)
    return;
  if (GTK_IS_LABEL (root) && !gtk_widget_has_css_class (root, "kiosk-own-language"))
    intake_kiosk_set_label_language (GTK_LABEL (root), lang);
  else if (GTK_IS_ENTRY (root) && !has_language (gtk_entry_get_attributes (GTK_ENTRY (root)), lang))
    {
      g_autoptr(PangoAttrList) attrs = language_attrs (lang);

      gtk_entry_set_attributes (GTK_ENTRY (root), attrs);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    intake_kiosk_apply_language (child, lang);
}

/* intake-kiosk-fonts.h: one font per script, sized alike, in the session's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The kiosk's fonts (style.css names them: Noto Sans, Noto Sans Arabic UI,
 * Noto Sans Ethiopic): Arabic is scaled so that its letters' body is as
 * tall as the Latin x-height. Once per process, before text is laid out. */
void  intake_kiosk_fonts_init            (void);

/* The scale Arabic is drawn at (the Latin x-height over the Arabic one). */
#define INTAKE_KIOSK_ARABIC_SCALE 1.43

/* Sets the Pango language of every label and text field under @root to
 * @lang (shaping and font choice follow it: Persian forms for "fa", ...),
 * except labels that carry the CSS class "kiosk-own-language" (a language's
 * own name on the welcome screen), which keep theirs. */
void  intake_kiosk_apply_language        (GtkWidget   *root,
                                          const char  *lang);

/* The same for one label: the whole text in @lang. */
void  intake_kiosk_set_label_language    (GtkLabel    *label,
                                          const char  *lang);

G_END_DECLS

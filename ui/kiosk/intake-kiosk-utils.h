/* intake-kiosk-utils.h: small text helpers shared by the kiosk's screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Replaces each "%d" of @format (a translation, so never used as a printf
 * format) with the next of @n_values numbers. */
char *intake_kiosk_format_numbers  (const char   *format,
                                    guint         n_values,
                                    const gint64 *values);
/* Sets a button's text and the matching accessible name. */
void  intake_kiosk_set_button_text (GtkButton    *button,
                                    const char   *text);
/* A top-bar tool: a symbol (@icon_name) above its word @text, which is
 * the accessible name too. Built on the first call, updated after. */
void  intake_kiosk_set_tool_button (GtkButton    *button,
                                    const char   *icon_name,
                                    const char   *text);
/* Shows the page @name of @stack and hides every other page's child. GTK 4.8
 * keeps the pages a stack does not show in the accessibility tree (visible,
 * never "showing"), so a screen reader would read them all; a hidden widget
 * is left out of the tree. */
void  intake_kiosk_stack_show_only (GtkStack     *stack,
                                    const char   *name);

/* A "More below" cue over the bottom of @scroller (the child of @overlay):
 * shown while there is more to see below, a press scrolls on by most of a
 * page. Long answer lists no longer end at the screen's edge unseen. The
 * caller sets its words (intake_kiosk_set_button_text). */
GtkWidget *intake_kiosk_add_scroll_cue (GtkOverlay        *overlay,
                                        GtkScrolledWindow *scroller);
/* The words on a cue made by intake_kiosk_add_scroll_cue ("More below"),
 * also its accessible label. */
void       intake_kiosk_set_scroll_cue_text (GtkWidget   *cue,
                                             const char  *words);

G_END_DECLS

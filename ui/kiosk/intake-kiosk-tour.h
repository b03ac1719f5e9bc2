/* intake-kiosk-tour.h: screenshots of every screen, and the frame helpers behind them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-kiosk-window.h"

G_BEGIN_DECLS

/* Spins the main context until @widget's frame clock has painted @n_frames
 * more frames (or two seconds passed). */
void      intake_kiosk_wait_for_frames   (GtkWidget          *widget,
                                          guint               n_frames);
/* Renders @widget (usually a window) in-process and writes a PNG. */
gboolean  intake_kiosk_save_screenshot   (GtkWidget          *widget,
                                          const char         *path,
                                          GError            **error);
/* Walks every distinct screen of @window in @language: welcome,
 * explanation, one question of each type the walk meets, review, thanks,
 * idle warning, help, storage error, staff PIN and staff, and writes
 * "NN-<screen>.png" for each into @out_dir (created if needed). It submits
 * one set of random answers and records one help request: run it only on a
 * throwaway state directory. The paths written are added to @out_paths when
 * it is not NULL; @callback (may be NULL) runs on each screen after its
 * screenshot, e.g. to check it. */
typedef void (*IntakeKioskTourFunc) (IntakeKioskWindow *window,
                                     const char        *screen,
                                     gpointer           user_data);

gboolean  intake_kiosk_tour_run          (IntakeKioskWindow  *window,
                                          const char         *language,
                                          const char         *out_dir,
                                          GPtrArray          *out_paths,
                                          IntakeKioskTourFunc callback,
                                          gpointer            user_data,
                                          GError            **error);

G_END_DECLS

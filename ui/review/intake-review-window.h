/* intake-review-window.h: the staff review window (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "intake-export.h"
#include "intake-review-client.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_WINDOW (intake_review_window_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewWindow, intake_review_window, INTAKE, REVIEW_WINDOW, AdwApplicationWindow)

/* @server_url: the configured server (GSettings server-url), or NULL: then
 * the unlock page asks for it. */
IntakeReviewWindow *intake_review_window_new            (GtkApplication      *application,
                                                         const char          *server_url);
/* Transfer none; NULL before the first unlock attempt. */
IntakeReviewClient *intake_review_window_get_client     (IntakeReviewWindow  *self);
/* For a server with a private CA. */
void                intake_review_window_set_tls_database (IntakeReviewWindow *self,
                                                           GTlsDatabase       *database);
/* Opens the submission @key (IntakeReviewMeta.key) on the detail page (action review.open). */
void                intake_review_window_open           (IntakeReviewWindow  *self,
                                                         const char          *key);
/* Exports the submissions of the current filter (or, with @selected_only,
 * the selected rows) to @file; the review.export action asks for the file. */
void                intake_review_window_export_async   (IntakeReviewWindow  *self,
                                                         IntakeExportFormat   format,
                                                         gboolean             selected_only,
                                                         GFile               *file,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean            intake_review_window_export_finish  (IntakeReviewWindow  *self,
                                                         GAsyncResult        *result,
                                                         guint64             *out_rows,
                                                         GError             **error);

G_END_DECLS

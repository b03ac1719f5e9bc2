/* intake-review-dashboard.h: the "Overzicht" page: counts drawn as charts (docs/review.md, "Dashboard")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "intake-dashboard.h"
#include "intake-review-client.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_DASHBOARD (intake_review_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewDashboard, intake_review_dashboard, INTAKE, REVIEW_DASHBOARD, GtkWidget)

GtkWidget       *intake_review_dashboard_new         (void);
/* Lists every page of @filter (its after and limit are ignored), fetches and
 * decrypts each submission here, adds the help requests of the filter's dates,
 * then shows the counts and reports one "dashboard" event with the filter.
 * A load in progress is cancelled. */
void             intake_review_dashboard_load        (IntakeReviewDashboard    *self,
                                                      IntakeReviewClient       *client,
                                                      IntakeQuestionnaireSet   *questionnaires,
                                                      const IntakeReviewFilter *filter);
gboolean         intake_review_dashboard_get_loading (IntakeReviewDashboard    *self);
/* The counts shown; NULL before the first load finished. Transfer none. */
IntakeDashboard *intake_review_dashboard_get_model   (IntakeReviewDashboard    *self);
/* The drawing area of a charted series (WEEKS, LANGUAGES, SECTORS,
 * HELP_WEEKS), else NULL. Transfer none. */
GtkWidget       *intake_review_dashboard_get_chart   (IntakeReviewDashboard    *self,
                                                      IntakeDashboardSeries     series);

G_END_DECLS

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
/* The figures of @filter (its location, dates and reference): the backlog,
 * waiting times and intakes per week and location from the server's
 * metadata (GET /v1/review/stats, one "dashboard" audit event); the help
 * requests of the filter's dates; and the languages and sectors, which need
 * the answers: every page of the filter is listed and each submission not in
 * @facts (key -> IntakeDashboardFacts, the window's, kept until it locks) is
 * fetched and decrypted here, once per unlock. A load in progress is
 * cancelled. */
void             intake_review_dashboard_load        (IntakeReviewDashboard    *self,
                                                      IntakeReviewClient       *client,
                                                      IntakeQuestionnaireSet   *questionnaires,
                                                      const IntakeReviewFilter *filter,
                                                      GHashTable               *facts);
/* How many submissions the last load decrypted (0 when everything was known). */
guint            intake_review_dashboard_get_decrypted (IntakeReviewDashboard *self);
gboolean         intake_review_dashboard_get_loading (IntakeReviewDashboard    *self);
/* The counts shown; NULL before the first load finished. Transfer none. */
IntakeDashboard *intake_review_dashboard_get_model   (IntakeReviewDashboard    *self);
/* The drawing area of a charted series (STATES, UNITS, WEEKS, LANGUAGES,
 * SECTORS, HELP_WEEKS), else NULL. Transfer none. */
GtkWidget       *intake_review_dashboard_get_chart   (IntakeReviewDashboard    *self,
                                                      IntakeDashboardSeries     series);

G_END_DECLS

/* intake-review-application.h: the staff review app (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_APPLICATION (intake_review_application_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewApplication, intake_review_application, INTAKE, REVIEW_APPLICATION, AdwApplication)

IntakeReviewApplication *intake_review_application_new (void);

G_END_DECLS

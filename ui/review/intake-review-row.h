/* intake-review-row.h: one submission in the queue: name, date of birth, waiting time, state, assignee
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "intake-review-item.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_ROW (intake_review_row_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewRow, intake_review_row, INTAKE, REVIEW_ROW, GtkWidget)

GtkWidget        *intake_review_row_new       (void);
/* Shows @item (NULL: nothing) and follows its changes; @me is the
 * reviewer's own name ("assigned to me"). */
void              intake_review_row_set_item  (IntakeReviewRow  *self,
                                               IntakeReviewItem *item,
                                               const char       *me);
IntakeReviewItem *intake_review_row_get_item  (IntakeReviewRow  *self);
/* The row's text, line by line (for tests and the accessible label). */
char             *intake_review_row_dup_text  (IntakeReviewRow  *self);

/* How long a submission has waited since it was made, in the staff's
 * language: "today", "1 day", "12 days". */
char             *intake_review_format_waiting (gint64           created_at,
                                                gint64           now);

G_END_DECLS

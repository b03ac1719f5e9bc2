/* intake-review-subject-access.h: the privacy officer's "Inzageverzoek" page (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "intake-subject-access.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_SUBJECT_ACCESS (intake_review_subject_access_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewSubjectAccess, intake_review_subject_access, INTAKE, REVIEW_SUBJECT_ACCESS, GtkWidget)

/* A page that asks for the resident's name and date of birth, finds their
 * submissions with intake_subject_access_collect_async() (action
 * subject-access.search), and saves the document as a PDF only where the
 * officer chooses (subject-access.save asks for the file; subject-access.save-to
 * takes a path). Everything it decrypted is dropped when it is disposed. */
GtkWidget           *intake_review_subject_access_new        (IntakeReviewClient        *client,
                                                              IntakeQuestionnaireSet    *questionnaires);
/* TRUE while submissions are being opened. */
gboolean             intake_review_subject_access_get_busy   (IntakeReviewSubjectAccess *self);
/* The last search's result, NULL before one succeeded. Transfer none. */
IntakeSubjectAccess *intake_review_subject_access_get_result (IntakeReviewSubjectAccess *self);
/* The two fields (AdwEntryRow) and the status line, for the tests. */
GtkWidget           *intake_review_subject_access_get_name_row  (IntakeReviewSubjectAccess *self);
GtkWidget           *intake_review_subject_access_get_birth_row (IntakeReviewSubjectAccess *self);
const char          *intake_review_subject_access_get_status    (IntakeReviewSubjectAccess *self);

G_END_DECLS

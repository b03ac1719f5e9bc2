/* intake-kiosk-review-page.h: the kiosk's answers-review screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lists every visible question of a session with its answer and a "Change"
 * button, before the resident sends the answers. The page keeps no session:
 * the window fills it with intake_kiosk_review_page_show_session() and
 * empties it with intake_kiosk_review_page_clear(). Its buttons are the
 * page's actions, which tell the window what to do by signals:
 *
 *   review.change (s)   "change-answer" with the question code
 *   review.submit       "submit"
 *   review.back         "go-back"
 */
#pragma once

#include <adwaita.h>

#include "intake-catalog.h"
#include "intake-session.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_KIOSK_REVIEW_PAGE (intake_kiosk_review_page_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskReviewPage, intake_kiosk_review_page, INTAKE, KIOSK_REVIEW_PAGE, AdwBin)

/* @catalog may be NULL: the English texts. */
GtkWidget     *intake_kiosk_review_page_new          (IntakeCatalog         *catalog);
IntakeCatalog *intake_kiosk_review_page_get_catalog  (IntakeKioskReviewPage *self);
void           intake_kiosk_review_page_set_catalog  (IntakeKioskReviewPage *self,
                                                      IntakeCatalog         *catalog);
/* The language of the texts and of the answers shown (NULL: English). */
const char    *intake_kiosk_review_page_get_language (IntakeKioskReviewPage *self);
void           intake_kiosk_review_page_set_language (IntakeKioskReviewPage *self,
                                                      const char            *language);
/* Replaces the rows with the visible questions of @session and their answers. */
void           intake_kiosk_review_page_show_session (IntakeKioskReviewPage *self,
                                                      IntakeSession         *session);
/* Empties every row (labels first) and removes them. */
void           intake_kiosk_review_page_clear        (IntakeKioskReviewPage *self);
/* The page's main action ("Send my answers"), for the window's default widget. */
GtkWidget     *intake_kiosk_review_page_get_default_widget (IntakeKioskReviewPage *self);
/* What "Read aloud" reads: the heading and the text under it, never the
 * answers (a bystander must not hear them). */
char          *intake_kiosk_review_page_dup_read_aloud_text (IntakeKioskReviewPage *self);

G_END_DECLS

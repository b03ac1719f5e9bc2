/* intake-review-item.h: one row of the review list (server metadata, language once decrypted)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "intake-review-client.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_ITEM (intake_review_item_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewItem, intake_review_item, INTAKE, REVIEW_ITEM, GObject)

/* Takes @meta. */
IntakeReviewItem       *intake_review_item_new          (IntakeReviewMeta       *meta);
const IntakeReviewMeta *intake_review_item_get_meta     (IntakeReviewItem       *self);
const char             *intake_review_item_get_id       (IntakeReviewItem       *self);
/* The workflow members of @meta (state, unit, version, updated_*) replace the
 * item's; notifies "state". */
void                    intake_review_item_update_workflow (IntakeReviewItem     *self,
                                                            const IntakeReviewMeta *meta);
/* The resident's language in Dutch ("Arabisch"), NULL until decrypted. */
const char             *intake_review_item_get_language (IntakeReviewItem       *self);
void                    intake_review_item_set_language (IntakeReviewItem       *self,
                                                         const char             *language);
/* The resident's name ("" when they gave none) and date of birth
 * ("dd-mm-jjjj", or NULL), once decrypted here; NULL before. Kept in this
 * process only and wiped with the item (a lock drops every item). */
const char             *intake_review_item_get_name     (IntakeReviewItem       *self);
const char             *intake_review_item_get_birth_date (IntakeReviewItem     *self);
void                    intake_review_item_set_person   (IntakeReviewItem       *self,
                                                         const char             *name,
                                                         const char             *birth_date);
/* A decrypt was asked for (so the row does not ask twice). */
gboolean                intake_review_item_get_requested (IntakeReviewItem      *self);
void                    intake_review_item_set_requested (IntakeReviewItem      *self,
                                                          gboolean               requested);

G_END_DECLS

/* intake-review-list-model.h: submissions of one filter, loaded page by page as they are shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of IntakeReviewItem. It holds only the server's metadata of
 * the pages loaded so far: asking for an item near the end of what is
 * loaded (as a list view does for the rows it shows) loads the next page,
 * so 100,000 submissions cost nothing until someone scrolls to them.
 */
#pragma once

#include <gio/gio.h>

#include "intake-review-client.h"
#include "intake-review-item.h"

G_BEGIN_DECLS

#define INTAKE_REVIEW_LIST_PAGE_SIZE 100

#define INTAKE_TYPE_REVIEW_LIST_MODEL (intake_review_list_model_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewListModel, intake_review_list_model, INTAKE, REVIEW_LIST_MODEL, GObject)

/* @filter is copied; its after and limit are ignored. */
IntakeReviewListModel *intake_review_list_model_new          (IntakeReviewClient       *client,
                                                              const IntakeReviewFilter *filter);
const IntakeReviewFilter *intake_review_list_model_get_filter (IntakeReviewListModel   *self);
/* Loads the next page unless one is loading or the end was reached. */
void                   intake_review_list_model_load_more    (IntakeReviewListModel    *self);
gboolean               intake_review_list_model_get_loading  (IntakeReviewListModel    *self);
/* TRUE once the last page has been loaded. */
gboolean               intake_review_list_model_get_complete (IntakeReviewListModel    *self);
/* The message of the last failed page load, or NULL. */
const char            *intake_review_list_model_get_error    (IntakeReviewListModel    *self);
/* Transfer none; NULL when not loaded. */
IntakeReviewItem      *intake_review_list_model_find         (IntakeReviewListModel    *self,
                                                              const char               *submission_id);

/* The newest seq among the rows held (0 when none). */
gint64                 intake_review_list_model_get_newest_seq (IntakeReviewListModel *self);
/* Whether @meta belongs to this list: its view (todo, mine: for the client's
 * reviewer), state, location, reference and dates. */
gboolean               intake_review_list_model_matches      (IntakeReviewListModel    *self,
                                                              const IntakeReviewMeta   *meta);
/* New or changed rows from the server (docs/review.md, "New intakes without
 * pressing anything"): a row held takes the new workflow values, or leaves
 * when it no longer belongs (closed, assigned to someone else); a row that
 * now belongs is put in its place when that part of the list is loaded
 * (new rows newest first: at the top). Returns the rows changed. */
guint                  intake_review_list_model_merge        (IntakeReviewListModel    *self,
                                                              GPtrArray                *metas);

G_END_DECLS

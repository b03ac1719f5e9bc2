/* intake-review-help.h: the help requests staff act on (docs/protocol.md, "Help requests for staff")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A resident at a kiosk pressed "I would like help or an interpreter": the
 * kiosk sent the request at once, and the review app lists the open ones
 * (location and time, nothing personal) until a member of staff marks one
 * handled. Both calls go through the signed review requests of
 * IntakeReviewClient and are audit events on the server.
 */
#pragma once

#include "intake-review-client.h"

G_BEGIN_DECLS

typedef struct {
  gint64  id;
  char   *location;     /* the kiosk's location when the request arrived */
  char   *language;     /* the language the resident used */
  gint64  created_at;   /* when the resident asked (kiosk clock, Unix seconds) */
  gint64  received_at;  /* when the server got it */
  gint64  handled_at;   /* 0 while open */
  char   *handled_by;   /* NULL while open */
} IntakeReviewHelpRequest;

void                     intake_review_help_request_free (IntakeReviewHelpRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeReviewHelpRequest, intake_review_help_request_free)

/* GET /v1/review/help-requests/open: IntakeReviewHelpRequest, oldest first. */
void                     intake_review_client_list_open_help_async   (IntakeReviewClient   *self,
                                                                      GCancellable         *cancellable,
                                                                      GAsyncReadyCallback   callback,
                                                                      gpointer              user_data);
GPtrArray               *intake_review_client_list_open_help_finish  (IntakeReviewClient   *self,
                                                                      GAsyncResult         *result,
                                                                      GError              **error);
/* POST /v1/review/help-requests/ID/handled. The request as the server has it
 * now: handled by this reviewer, or (*@out_already) by someone else first. */
void                     intake_review_client_mark_help_handled_async (IntakeReviewClient  *self,
                                                                       gint64               id,
                                                                       GCancellable        *cancellable,
                                                                       GAsyncReadyCallback  callback,
                                                                       gpointer             user_data);
IntakeReviewHelpRequest *intake_review_client_mark_help_handled_finish (IntakeReviewClient *self,
                                                                        GAsyncResult       *result,
                                                                        gboolean           *out_already,
                                                                        GError            **error);

G_END_DECLS

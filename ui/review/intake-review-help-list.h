/* intake-review-help-list.h: the open help requests from the kiosks, with a desktop notification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "intake-review-help.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_REVIEW_HELP_LIST (intake_review_help_list_get_type ())

G_DECLARE_FINAL_TYPE (IntakeReviewHelpList, intake_review_help_list, INTAKE, REVIEW_HELP_LIST, GtkWidget)

/* A resident at a kiosk asked for help or an interpreter: the kiosk sent the
 * request at once; this list fetches the open ones every "interval"
 * milliseconds (GET /v1/review/help-requests/open), shows each with the
 * kiosk's location, the time and the language, and a "Handled" button
 * (the action help.handled, an int64 request id). A request it has not shown
 * before becomes a desktop notification (GNotification) of the default
 * GApplication. The list is hidden while there is nothing open.
 *
 * Signals: "changed" after every refresh and every "handled". */
GtkWidget  *intake_review_help_list_new        (void);
/* Starts polling with @client (unlocked); stops and empties with NULL. */
void        intake_review_help_list_set_client (IntakeReviewHelpList *self,
                                                IntakeReviewClient   *client);
/* Fetches now (also while a poll is pending). */
void        intake_review_help_list_refresh    (IntakeReviewHelpList *self);
guint       intake_review_help_list_get_n_open (IntakeReviewHelpList *self);
/* The open request shown in row @i (transfer none). */
const IntakeReviewHelpRequest *intake_review_help_list_get_open (IntakeReviewHelpList *self,
                                                                 guint                 i);
/* The notification id of request @id ("help-request-ID"). */
char       *intake_review_help_notification_id (gint64                id);

G_END_DECLS

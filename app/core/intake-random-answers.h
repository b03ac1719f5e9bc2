/* intake-random-answers.h: valid random answers, for demos, tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-session.h"

G_BEGIN_DECLS

/* Walks @session from its first question to the end, following conditions,
 * and gives each visible question a random valid answer (sometimes skipping
 * optional ones or declining where "rather not say" is offered). The session
 * ends at the end (review), complete. */
gboolean      intake_random_answers_fill  (IntakeSession        *session,
                                           GRand                *rand,
                                           GError              **error);

/* One random valid answer for @question (never "declined"). */
IntakeAnswer *intake_random_answer_new    (IntakeSession        *session,
                                           const IntakeQuestion *question,
                                           GRand                *rand);

G_END_DECLS

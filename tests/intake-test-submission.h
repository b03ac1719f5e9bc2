/* intake-test-submission.h: submissions built from answer specs, for the review-side tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-answer.h"
#include "intake-questionnaire.h"
#include "intake-submission.h"

G_BEGIN_DECLS

/* One answer for a test: @value by question type (option code; codes joined
 * with ';'; integer; "true"/"false"; text; "YYYY-MM-DD"), or "<declined>"
 * for "rather not say" (not "#declined", which tests use as a literal text). */
typedef struct {
  const char *code;
  const char *value;
} IntakeTestSpec;

IntakeAnswer     *intake_test_answer_from_spec (const IntakeQuestion   *question,
                                                const char             *value);
/* Answers the questions in @specs in order (the others visible stay
 * skipped) with a fixed clock, and returns the submission as a kiosk would
 * have sent it; @out_plaintext (nullable) gets its canonical JSON. */
IntakeSubmission *intake_test_submit           (IntakeQuestionnaire    *questionnaire,
                                                const char             *language,
                                                const IntakeTestSpec   *specs,
                                                guint                   n_specs,
                                                char                  **out_plaintext);

G_END_DECLS

/* intake-test-util.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "intake-answer.h"
#include "intake-questionnaire.h"
#include "intake-submission.h"

G_BEGIN_DECLS

/* A new private directory under $TMPDIR; remove it with intake_test_rm_rf(). */
char    *intake_test_tmpdir_new   (void);
void     intake_test_rm_rf        (const char *path);
/* Path of a file in tests/data/. */
char    *intake_test_data_path    (const char *name);
/* Path of a file relative to the source root (e.g. "resources/x.json"). */
char    *intake_test_source_path  (const char *relative);
void     intake_test_write_file   (const char *path,
                                   const char *contents);
/* Runs argv (NULL-terminated), returns the exit status; stdout/stderr captured when non-NULL. */
int      intake_test_run          (const char * const *argv,
                                   const char         *stdin_text,
                                   char              **out_stdout,
                                   char              **out_stderr);

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

/* fuzz-submission.c: the review side's reader of opened envelopes (app/review/intake-submission.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the plaintext of an envelope, a canonical session: read,
 * checked against the built-in questionnaire, and rendered for staff the
 * two ways the review app renders (checked, and raw when the
 * questionnaire version is unknown), every answer put in words.
 */
#include "config.h"

#include "fuzz-common.h"
#include "intake-answer-format.h"
#include "intake-rendering.h"
#include "intake-submission.h"

static const IntakeAnswerWords words = {
  .yes = "yes", .no = "no", .declined = "declined", .not_answered = "-", .list_separator = ", ",
  .scale_format = "%s (%s '%s' to %s '%s')", .rung_format = "rung %s: %s",
};

static IntakeQuestionnaire *builtin;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  if (!(builtin = intake_questionnaire_new_builtin (&error)))
    g_error ("the built-in questionnaire: %s", error->message);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSubmission) submission = intake_submission_new_from_data (data, size, &error);
  g_autoptr(IntakeRendering) raw = NULL;
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) codes = NULL;

  if (submission == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_SUBMISSION_ERROR);
      return 0;
    }
  codes = intake_submission_list_codes (submission);
  raw = intake_submission_render_raw (submission, "nl");
  g_assert (raw != NULL);

  if (!(rendering = intake_submission_render (submission, builtin, "nl", &error)))
    {
      g_assert (error != NULL);
      return 0;
    }
  answers = intake_submission_dup_answers (submission, builtin, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < answers->len; i++)
    {
      const IntakeAnswer *answer = g_ptr_array_index (answers, i);
      g_autofree char *text = NULL;

      text = intake_answer_format (intake_questionnaire_get_question (builtin, i), answer, "nl", &words);
      g_assert (text != NULL);
    }
  return 0;
}

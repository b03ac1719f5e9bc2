/* intake-test-submission.c: submissions built from answer specs, for the review-side tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-session.h"
#include "intake-test-submission.h"

IntakeAnswer *
intake_test_answer_from_spec (const IntakeQuestion *question,
                              const char           *value)
{
  if (strcmp (value, "<declined>") == 0)
    return intake_answer_new_declined ();
  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return intake_answer_new_choice (value);
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        g_auto(GStrv) codes = g_strsplit (value, ";", -1);

        return intake_answer_new_choices ((const char * const *) codes);
      }
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      return intake_answer_new_integer (g_ascii_strtoll (value, NULL, 10));
    case INTAKE_QUESTION_TYPE_YES_NO:
      return intake_answer_new_boolean (strcmp (value, "true") == 0);
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      return intake_answer_new_text (value);
    case INTAKE_QUESTION_TYPE_DATE:
      return intake_answer_new_date (value);
    default:
      g_assert_not_reached ();
    }
}

IntakeSubmission *
intake_test_submit (IntakeQuestionnaire   *questionnaire,
                    const char            *language,
                    const IntakeTestSpec  *specs,
                    guint                  n_specs,
                    char                 **out_plaintext)
{
  g_autoptr(IntakeSession) session = intake_session_new (questionnaire, language);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 11, 22, 10, 20, 55);
  g_autoptr(GDateTime) finish = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GError) error = NULL;
  IntakeSubmission *submission;

  intake_session_set_now (session, start);
  for (guint i = 0; i < n_specs; i++)
    {
      const IntakeQuestion *question = intake_questionnaire_lookup_question (questionnaire, specs[i].code);

      g_assert_nonnull (question);
      intake_session_set_answer (session, specs[i].code,
                                 intake_test_answer_from_spec (question, specs[i].value), &error);
      g_assert_no_error (error);
    }
  intake_session_set_now (session, finish);
  plaintext = intake_session_serialize (session, &error);
  g_assert_no_error (error);
  submission = intake_submission_new_from_secure (plaintext, &error);
  g_assert_no_error (error);
  if (out_plaintext != NULL)
    *out_plaintext = g_strndup ((const char *) plaintext->data, plaintext->len);
  return submission;
}

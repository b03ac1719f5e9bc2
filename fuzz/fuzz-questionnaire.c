/* fuzz-questionnaire.c: the questionnaire loader (app/core/intake-questionnaire.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A questionnaire that loads is walked like the kiosk walks it: every
 * question and text in every language, its canonical form loaded again
 * (same hash), and a session answered at random in every language; what
 * the kiosk would seal must be read and checked by the review side.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-questionnaire.h"
#include "intake-random-answers.h"
#include "intake-session.h"
#include "intake-submission.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_from_bytes (bytes, "fuzz.json", &error);
  g_autoptr(IntakeQuestionnaire) again = NULL;
  g_autoptr(GBytes) canonical = NULL;

  if (q == NULL)
    {
      g_assert (error != NULL && error->domain == INTAKE_QUESTIONNAIRE_ERROR);
      g_assert (g_str_has_prefix (error->message, "fuzz.json: $"));
      return 0;
    }

  for (guint l = 0; l < intake_questionnaire_get_n_languages (q); l++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (q, l);

      g_assert (intake_questionnaire_get_title (q, language->code) != NULL);
      intake_questionnaire_count_strings (q, language->code);
    }
  for (guint i = 0; i < intake_questionnaire_get_n_questions (q); i++)
    g_assert (intake_questionnaire_get_question (q, i) != NULL);

  canonical = intake_questionnaire_dup_canonical (q);
  again = intake_questionnaire_new_from_bytes (canonical, "canonical.json", &error);
  g_assert_no_error (error);
  g_assert (strcmp (intake_questionnaire_get_hash (q), intake_questionnaire_get_hash (again)) == 0);

  for (guint l = 0; l < intake_questionnaire_get_n_languages (q); l++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (q, l);
      g_autoptr(IntakeSession) session = intake_session_new (q, language->code);
      g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) size + l);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;
      g_autoptr(IntakeSubmission) submission = NULL;

      if (!intake_random_answers_fill (session, rand, &error))
        g_error ("random answers for a questionnaire that loads: %s", error->message);
      if (!(plaintext = intake_session_serialize (session, &error)) ||
          !(submission = intake_submission_new_from_secure (plaintext, &error)) ||
          !intake_submission_check (submission, q, &error))
        g_error ("a finished session is not read back: %s", error->message);
    }
  return 0;
}

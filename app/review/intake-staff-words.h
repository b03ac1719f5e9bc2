/* intake-staff-words.h: the words staff read around the questionnaire's texts (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The words the staff apps put around the questionnaire's own texts, and the
 * names of the residents' languages. The staff apps are Dutch-only for now;
 * another staff language is one more entry in the table, nothing else. The
 * questionnaire's texts themselves come from the questionnaire.
 */
#pragma once

#include "intake-answer-format.h"

G_BEGIN_DECLS

typedef struct {
  const char *code;
  const char *name;
} IntakeLanguageName;

typedef struct {
  const char          *staff_language;
  /* Answers as staff read them: "Ja"/"Nee", "Wil ik liever niet zeggen",
   * "Overgeslagen" (not answered), "7 (van 0 'x' tot 10 'y')", "Trede 3: ...",
   * multiple choices joined with "; " (intake_answer_format()). */
  IntakeAnswerWords    answers;
  IntakeLanguageName   languages[24];
} IntakeStaffWords;

/* The words of @staff_language (NULL: "nl"), or NULL when there are none. */
const IntakeStaffWords *intake_staff_words_lookup         (const char           *staff_language);

/* The name of a language in @staff_language, e.g. ("ar", "nl") -> "Arabisch";
 * NULL when the table lacks it. */
const char             *intake_submission_language_name   (const char           *code,
                                                           const char           *staff_language);

G_END_DECLS

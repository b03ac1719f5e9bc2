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

#include "intake-answer.h"
#include "intake-questionnaire.h"

G_BEGIN_DECLS

typedef struct {
  const char *code;
  const char *name;
} IntakeLanguageName;

typedef struct {
  const char          *staff_language;
  const char          *yes;
  const char          *no;
  const char          *declined;        /* the resident's own "rather not say" answer */
  const char          *skipped;
  const char          *scale_from;      /* "7 (van 0 'x' tot 10 'y')" */
  const char          *scale_to;
  const char          *rung;            /* "Trede 3: ..." */
  const char          *list_separator;
  IntakeLanguageName   languages[24];
} IntakeStaffWords;

/* The words of @staff_language (NULL: "nl"), or NULL when there are none. */
const IntakeStaffWords *intake_staff_words_lookup         (const char           *staff_language);

/* The answer in words in @staff_language (NULL: "nl"): option labels, "Ja"/"Nee",
 * "7 (van 0 'Helemaal niet belangrijk' tot 10 'Heel belangrijk')", "Trede 3: ...",
 * "dd-mm-jjjj", "32 uur per week", the text as written, or the declined words.
 * NULL when the staff language is not supported. The summary uses the same words. */
char                   *intake_submission_format_answer   (const IntakeQuestion *question,
                                                           const IntakeAnswer   *answer,
                                                           const char           *staff_language);
/* The name of a language in @staff_language, e.g. ("ar", "nl") -> "Arabisch";
 * NULL when the table lacks it. */
const char             *intake_submission_language_name   (const char           *code,
                                                           const char           *staff_language);

G_END_DECLS

/* intake-staff-words.h: the words staff read around the questionnaire's texts (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The words the staff apps put around the questionnaire's own texts (yes,
 * no, "rather not say", skipped, the scale and ladder forms) and the names of
 * the residents' languages, in the staff's language: gettext, domain
 * "intake-staff" (docs/translations.md). The questionnaire's texts themselves
 * come from the questionnaire.
 */
#pragma once

#include "intake-answer-format.h"

G_BEGIN_DECLS

/* Answers as staff read them, for intake_answer_format(): "Yes"/"No",
 * "I would rather not say", "Skipped" (not answered),
 * "7 (from 0 'x' to 10 'y')", "Rung 3: ...", several options joined with "; ".
 * Translated when called. */
IntakeAnswerWords  intake_staff_answer_words  (void);

/* The name of a resident's language in the staff's language, e.g. "ar" ->
 * "Arabic" ("Arabisch" in Dutch); NULL for a code the table lacks. */
const char        *intake_staff_language_name (const char *code);

G_END_DECLS

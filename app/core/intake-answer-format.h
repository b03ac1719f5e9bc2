/* intake-answer-format.h: one answer in words, for the resident's review screen and for staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-answer.h"
#include "intake-questionnaire.h"

G_BEGIN_DECLS

/**
 * IntakeAnswerWords:
 * @yes: a "yes" answer (required)
 * @no: a "no" answer (required)
 * @declined: the resident's "I would rather not say" (required)
 * @not_answered: a question without an answer (@answer NULL); NULL: the empty string
 * @list_separator: between the chosen options of a multiple choice; NULL: a line break
 * @scale_format: a printf format of exactly five `%s`, in this order unless
 *   positional (`%2$s`): the value, the scale's minimum, its label, its maximum,
 *   its label, e.g. "%s (from %s '%s' to %s '%s')"; NULL: the plain "7 (0–10)"
 * @rung_format: a printf format of exactly two `%s`: the rung number and the
 *   rung's text, e.g. "Rung %s: %s"; NULL: the rung's text alone
 *
 * The words the caller puts around the questionnaire's own texts, in the
 * caller's language: the kiosk's catalog for the resident, gettext for staff.
 * A format that takes anything but those strings is not used (a critical is
 * logged and the plain form is written), so a broken translation cannot crash.
 */
typedef struct {
  const char *yes;
  const char *no;
  const char *declined;
  const char *not_answered;
  const char *list_separator;
  const char *scale_format;
  const char *rung_format;
} IntakeAnswerWords;

/* The answer to @question in words: option labels (in the question's order
 * for a multiple choice), yes or no, the scale value, a number with its unit,
 * a date as dd-mm-yyyy (an unknown day or month as 00, the BRP's form:
 * 00-00-1985), the rung, the text exactly as written (the question's
 * none_option text for the empty answer "I have none"), or the declined or
 * not-answered words. The questionnaire's texts are taken in
 * @language; @answer may be NULL (not answered). */
char *intake_answer_format (const IntakeQuestion    *question,
                            const IntakeAnswer      *answer,
                            const char              *language,
                            const IntakeAnswerWords *words);

G_END_DECLS

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

/* Whether the language @text was written in is known: TRUE when it has
 * letters and every one is in the script of @language (the session's):
 * Arabic script for ar, fa, ps; Ethiopic for ti, am; Cyrillic for uk, ru,
 * bg; Latin for the others. Text in another script, mixed scripts or no
 * letters at all (digits, a phone number) is of a language the app cannot
 * know, and is not labelled with one (docs/review.md). */
gboolean           intake_staff_text_in_language (const char *text,
                                                  const char *language);

/* One event of a submission's access history in words, e.g. "Anna de
 * Vries viewed the submission" or "... changed the handling (not saved:
 * changed by someone else at the same time)": @action and @result as the
 * audit log has them (docs/protocol.md, "Audit log"); an unknown action is
 * named as it is. */
char              *intake_staff_audit_words   (const char *actor,
                                               const char *action,
                                               const char *result);

G_END_DECLS

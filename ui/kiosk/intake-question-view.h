/* intake-question-view.h: one question of the questionnaire, with its answer controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "intake-answer.h"
#include "intake-catalog.h"
#include "intake-questionnaire.h"
#include "intake-session.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_QUESTION_VIEW (intake_question_view_get_type ())

G_DECLARE_FINAL_TYPE (IntakeQuestionView, intake_question_view, INTAKE, QUESTION_VIEW, GtkWidget)

/* Shows one question: section title, question text, help, the answer
 * controls for the question's type, "I would rather not say" when the
 * question offers it, and a calm message area.
 *
 * Signals:
 *   "changed" (no arguments): the resident changed an answer control.
 *   "submit"  (no arguments): Enter was pressed in a text, number or date
 *             field, or on an answer card (which a one-answer question then
 *             chooses); the window treats it as "Next".
 *
 * Property "question-code" (read-only string): the code of the question shown.
 * Property "on-screen-keyboard" (boolean, default TRUE): keys under text,
 * number and date fields for touch-only kiosks (IntakeKioskKeyboard). */
GtkWidget            *intake_question_view_new            (IntakeCatalog        *catalog);

/* Wipes the previous content, then builds @question in the session's
 * language, pre-filled from the session's stored answer (declined included). */
void                  intake_question_view_show_question  (IntakeQuestionView   *self,
                                                           IntakeSession        *session,
                                                           const IntakeQuestion *question);
const IntakeQuestion *intake_question_view_get_question   (IntakeQuestionView   *self);
const char           *intake_question_view_get_question_code (IntakeQuestionView *self);

/* The answer the controls hold now, not validated; NULL when nothing is
 * chosen or typed; a declined answer when "I would rather not say" is on. */
IntakeAnswer         *intake_question_view_dup_answer     (IntakeQuestionView   *self);

/* A calm message above the answers (NULL or "" hides it), an alert for
 * accessibility. While shown it describes the answer group and every field
 * (before the help text), and they are marked invalid. */
void                  intake_question_view_set_message    (IntakeQuestionView   *self,
                                                           const char           *message);
/* The message shown, or NULL. */
const char           *intake_question_view_get_message    (IntakeQuestionView   *self);
/* Moves keyboard focus to the message when one is shown (so that screen
 * readers announce it; Tab then goes on to the answers), else to the answer. */
void                  intake_question_view_focus_message  (IntakeQuestionView   *self);
/* Moves keyboard focus to the chosen answer control, or the first one. */
void                  intake_question_view_focus_answer   (IntakeQuestionView   *self);
/* Empties every input (text is wiped before any widget is destroyed) and hides the message. */
void                  intake_question_view_clear          (IntakeQuestionView   *self);
/* The label that holds the question text (it labels the answer group). */
GtkWidget            *intake_question_view_get_heading    (IntakeQuestionView   *self);

/* The on-screen keyboard (an IntakeKioskKeyboard; hidden where the question
 * has no field). */
GtkWidget            *intake_question_view_get_keyboard   (IntakeQuestionView   *self);

G_END_DECLS

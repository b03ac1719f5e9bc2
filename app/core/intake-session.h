/* intake-session.h: one resident's pass through a questionnaire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "intake-answer.h"
#include "intake-questionnaire.h"
#include "intake-secure.h"

G_BEGIN_DECLS

#define INTAKE_SESSION_ERROR (intake_session_error_quark ())

/**
 * IntakeSessionError:
 * @INTAKE_SESSION_ERROR_UNKNOWN_QUESTION: no question has that code
 * @INTAKE_SESSION_ERROR_NOT_VISIBLE: the question is hidden by a condition right now
 * @INTAKE_SESSION_ERROR_WRONG_TYPE: the answer is of another kind than the question asks for
 * @INTAKE_SESSION_ERROR_EMPTY: a text answer that is empty or only white space
 * @INTAKE_SESSION_ERROR_TOO_LONG: a text answer longer than the question's max_length (characters)
 * @INTAKE_SESSION_ERROR_INVALID_TEXT: a text answer with control characters (or not UTF-8)
 * @INTAKE_SESSION_ERROR_INVALID_EMAIL: not an e-mail address (text_kind email)
 * @INTAKE_SESSION_ERROR_INVALID_PHONE: not a phone number (text_kind phone)
 * @INTAKE_SESSION_ERROR_INVALID_DIGITS: not only digits (text_kind digits)
 * @INTAKE_SESSION_ERROR_OUT_OF_RANGE: a number, scale or ladder answer outside [min, max]
 * @INTAKE_SESSION_ERROR_UNKNOWN_OPTION: an option code the question does not have
 * @INTAKE_SESSION_ERROR_DUPLICATE_OPTION: the same option chosen twice
 * @INTAKE_SESSION_ERROR_TOO_FEW_SELECTED: fewer options than min_selected
 * @INTAKE_SESSION_ERROR_TOO_MANY_SELECTED: more options than max_selected
 * @INTAKE_SESSION_ERROR_EXCLUSIVE_COMBINED: an exclusive option ("none of these") chosen with others
 * @INTAKE_SESSION_ERROR_INVALID_DATE: not a real date written "YYYY-MM-DD"
 * @INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE: a date outside the question's min/max
 * @INTAKE_SESSION_ERROR_REQUIRED: a required question cannot be skipped
 * @INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED: "rather not say" on a question that does not offer it
 * @INTAKE_SESSION_ERROR_INCOMPLETE: a visible required question has no answer
 */
typedef enum {
  INTAKE_SESSION_ERROR_UNKNOWN_QUESTION,
  INTAKE_SESSION_ERROR_NOT_VISIBLE,
  INTAKE_SESSION_ERROR_WRONG_TYPE,
  INTAKE_SESSION_ERROR_EMPTY,
  INTAKE_SESSION_ERROR_TOO_LONG,
  INTAKE_SESSION_ERROR_INVALID_TEXT,
  INTAKE_SESSION_ERROR_INVALID_EMAIL,
  INTAKE_SESSION_ERROR_INVALID_PHONE,
  INTAKE_SESSION_ERROR_INVALID_DIGITS,
  INTAKE_SESSION_ERROR_OUT_OF_RANGE,
  INTAKE_SESSION_ERROR_UNKNOWN_OPTION,
  INTAKE_SESSION_ERROR_DUPLICATE_OPTION,
  INTAKE_SESSION_ERROR_TOO_FEW_SELECTED,
  INTAKE_SESSION_ERROR_TOO_MANY_SELECTED,
  INTAKE_SESSION_ERROR_EXCLUSIVE_COMBINED,
  INTAKE_SESSION_ERROR_INVALID_DATE,
  INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE,
  INTAKE_SESSION_ERROR_REQUIRED,
  INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED,
  INTAKE_SESSION_ERROR_INCOMPLETE,
} IntakeSessionError;

GQuark intake_session_error_quark (void);

#define INTAKE_TYPE_SESSION (intake_session_get_type ())

G_DECLARE_FINAL_TYPE (IntakeSession, intake_session, INTAKE, SESSION, GObject)

/* @language must be declared by @questionnaire.
 *
 * Signals: "changed" (no arguments) after any change of answers, visibility
 * or position, so a UI can refresh. */
IntakeSession         *intake_session_new              (IntakeQuestionnaire   *questionnaire,
                                                        const char            *language);
IntakeQuestionnaire   *intake_session_get_questionnaire (IntakeSession        *self);
const char            *intake_session_get_language     (IntakeSession         *self);
/* A fixed clock for tests (NULL: the real clock). Used for started_at,
 * finished_at and relative date bounds. */
void                   intake_session_set_now          (IntakeSession         *self,
                                                        GDateTime             *now);
/* When the first question was shown (the first go_first/go_next/go_to or
 * set_answer); NULL before. */
GDateTime             *intake_session_get_started_at   (IntakeSession         *self);

/* Navigation. The session starts before the first question; going past the
 * last visible question puts it at the end (the review screen). */
const IntakeQuestion  *intake_session_get_current      (IntakeSession         *self);
gboolean               intake_session_is_at_end        (IntakeSession         *self);
/* FALSE (and at the end) when no question is visible. */
gboolean               intake_session_go_first         (IntakeSession         *self);
/* FALSE when there is no further visible question: the session is then at the end. */
gboolean               intake_session_go_next          (IntakeSession         *self);
/* FALSE (staying put) when there is no earlier visible question. */
gboolean               intake_session_go_previous      (IntakeSession         *self);
gboolean               intake_session_go_to            (IntakeSession         *self,
                                                        const char            *code,
                                                        GError               **error);
gboolean               intake_session_is_visible       (IntakeSession         *self,
                                                        const char            *code);
/* 1-based position of the current question among the visible ones; 0 when
 * before the first question, at the end, or on a hidden question. */
guint                  intake_session_get_position     (IntakeSession         *self);
guint                  intake_session_get_n_visible    (IntakeSession         *self);
/**
 * IntakeSessionProgress:
 * @position: 1-based place of the current question among the counted ones;
 *   0 when not on a question
 * @total: the questions counted: those every resident is asked, and those
 *   an answer the resident already gave opened (a question behind a
 *   condition counts once the resident has passed every question its
 *   condition looks at). Going on never makes it smaller; only changing an
 *   earlier answer that closes a branch does.
 * @section: 1-based place of the current question's section among the
 *   sections with a counted question ("part 3 of 9")
 * @n_sections: those sections
 */
typedef struct {
  guint position;
  guint total;
  guint section;
  guint n_sections;
} IntakeSessionProgress;

void                   intake_session_get_progress     (IntakeSession         *self,
                                                        IntakeSessionProgress *out);

/* The visible questions (const IntakeQuestion *) in order; free the array only. */
GPtrArray             *intake_session_list_visible     (IntakeSession         *self);

/* Answers. */
gboolean               intake_session_validate_answer  (IntakeSession         *self,
                                                        const IntakeQuestion  *question,
                                                        const IntakeAnswer    *answer,
                                                        GError               **error);
/* Takes @answer (also on error). Afterwards every answer to a question that is
 * no longer visible is wiped. */
gboolean               intake_session_set_answer       (IntakeSession         *self,
                                                        const char            *code,
                                                        IntakeAnswer          *answer,
                                                        GError               **error);
/* Clears the answer to @code (wiping it); REQUIRED for a required question. */
gboolean               intake_session_skip             (IntakeSession         *self,
                                                        const char            *code,
                                                        GError               **error);
/* The stored answer (a declined answer included), or NULL. */
const IntakeAnswer    *intake_session_get_answer       (IntakeSession         *self,
                                                        const char            *code);
gboolean               intake_session_has_answer       (IntakeSession         *self,
                                                        const char            *code);

/* Finishing. */
gboolean               intake_session_check_complete   (IntakeSession         *self,
                                                        GError               **error);
/* The canonical session JSON of docs/questionnaire.md, finished_at = now,
 * in secure memory (no NUL terminator). Fails with INCOMPLETE. */
IntakeSecureBuffer    *intake_session_serialize        (IntakeSession         *self,
                                                        GError               **error);
/* Wipes and frees all answers and goes back to before the first question. */
void                   intake_session_wipe             (IntakeSession         *self);

G_END_DECLS

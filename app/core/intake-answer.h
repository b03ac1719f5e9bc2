/* intake-answer.h: one answer of a resident
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "intake-questionnaire.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_ANSWER_CHOICE,    /* single_choice: one option code */
  INTAKE_ANSWER_CHOICES,   /* multiple_choice: option codes */
  INTAKE_ANSWER_INTEGER,   /* scale, number, ladder */
  INTAKE_ANSWER_BOOLEAN,   /* yes_no */
  INTAKE_ANSWER_TEXT,      /* short_text */
  INTAKE_ANSWER_DATE,      /* date: "YYYY-MM-DD" */
  INTAKE_ANSWER_DECLINED,  /* "I would rather not say" */
} IntakeAnswerKind;

#define INTAKE_TYPE_ANSWER (intake_answer_get_type ())

/* An immutable answer. Everything it holds may be personal data: freeing it
 * wipes its strings before releasing the memory. Constructors only record
 * the value; intake_session_validate_answer() checks it against a question. */
GType               intake_answer_get_type      (void) G_GNUC_CONST;

IntakeAnswer       *intake_answer_new_choice    (const char          *code);
/* The codes are stored sorted; duplicates are kept so that validation can report them. */
IntakeAnswer       *intake_answer_new_choices   (const char * const  *codes);
IntakeAnswer       *intake_answer_new_integer   (gint64               value);
IntakeAnswer       *intake_answer_new_boolean   (gboolean             value);
IntakeAnswer       *intake_answer_new_text      (const char          *text);
IntakeAnswer       *intake_answer_new_date      (const char          *date);
IntakeAnswer       *intake_answer_new_declined  (void);

IntakeAnswer       *intake_answer_copy          (const IntakeAnswer  *self);
void                intake_answer_free          (IntakeAnswer        *self);
gboolean            intake_answer_equal         (const IntakeAnswer  *a,
                                                 const IntakeAnswer  *b);

IntakeAnswerKind    intake_answer_get_kind      (const IntakeAnswer  *self);
gboolean            intake_answer_is_declined   (const IntakeAnswer  *self);
/* The string of a CHOICE, TEXT or DATE answer. */
const char         *intake_answer_get_string    (const IntakeAnswer  *self);
/* The sorted, NULL-terminated codes of a CHOICES answer. */
const char * const *intake_answer_get_choices   (const IntakeAnswer  *self);
guint               intake_answer_get_n_choices (const IntakeAnswer  *self);
gboolean            intake_answer_has_choice    (const IntakeAnswer  *self,
                                                 const char          *code);
gint64              intake_answer_get_integer   (const IntakeAnswer  *self);
gboolean            intake_answer_get_boolean   (const IntakeAnswer  *self);

/* The answer value of docs/questionnaire.md: a string, a sorted array of
 * strings, an integer or a boolean; a declined answer is JSON null. */
JsonNode           *intake_answer_to_json       (const IntakeAnswer  *self);
/* The inverse of intake_answer_to_json() for question @q: checks only that the
 * JSON type fits the question type (INTAKE_SESSION_ERROR_WRONG_TYPE otherwise),
 * not the value itself. */
IntakeAnswer       *intake_answer_new_from_json (const IntakeQuestion *q,
                                                 JsonNode             *node,
                                                 GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeAnswer, intake_answer_free)

G_END_DECLS

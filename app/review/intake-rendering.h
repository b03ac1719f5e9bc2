/* intake-rendering.h: a submission as staff read it: the detail view (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-submission.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_ROW_ANSWERED,
  INTAKE_ROW_DECLINED,
  INTAKE_ROW_SKIPPED,
} IntakeRowState;

/* One question as the resident met it. The questionnaire's texts are in the
 * rendering's @staff_language (its source language, Dutch, by default); the
 * words around them in the staff's own language (gettext). All fields are
 * read-only; strings are owned by the rendering and wiped with it. */
typedef struct {
  char                *code;
  IntakeQuestionType   type;               /* meaningless in a raw rendering */
  IntakeRowState       state;
  char                *section_code;       /* NULL in a raw rendering */
  char                *section_title;      /* NULL in a raw rendering */
  char                *question_text;      /* as asked, in @staff_language; the code in a raw rendering */
  /* "I would rather not say", "Skipped" (intake_staff_answer_words()), or
   * the answer in words (intake_answer_format()) */
  char                *answer_text;
  /* multiple_choice, answered: the chosen labels in option order; else NULL */
  char               **answer_items;
  /* short_text of kind "text", answered, where the language it was typed in
   * is known (intake_staff_text_in_language(): the text is in the script of
   * the session's language) and is not the staff's: that language as code and
   * as name in the staff's language; else NULL */
  char                *text_language;
  char                *text_language_name;
} IntakeRenderedRow;

#define INTAKE_TYPE_RENDERING (intake_rendering_get_type ())

typedef struct {
  char               *staff_language;            /* of the questionnaire's texts: "nl" */
  gboolean            raw;                       /* TRUE: no questionnaire, codes only */
  char               *questionnaire_id;
  guint32             questionnaire_version;
  char               *questionnaire_hash;
  char               *questionnaire_title;       /* NULL when raw */
  char               *language;                  /* the resident's language, e.g. "ar" */
  char               *language_name;             /* in the staff's language, e.g. "Arabisch" */
  char               *language_autonym;          /* e.g. "العربية"; NULL when raw */
  gboolean            language_draft;            /* the resident read a draft translation */
  char               *started_at;                /* "dd-mm-jjjj uu:mm", local time */
  char               *finished_at;
  guint               n_rows;
  IntakeRenderedRow  *rows;
} IntakeRendering;

GType                  intake_rendering_get_type            (void) G_GNUC_CONST;
IntakeRendering       *intake_rendering_copy                (const IntakeRendering     *self);
/* Wipes every string before freeing. */
void                   intake_rendering_free                (IntakeRendering           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeRendering, intake_rendering_free)

/* The detail view: the questions that were shown, in questionnaire order,
 * with the questionnaire's texts in @staff_language (NULL: the
 * questionnaire's source language, which staff read) and the words around
 * them in the staff's language. UNSUPPORTED_STAFF_LANGUAGE when the
 * questionnaire has no texts in @staff_language. Checks the submission first
 * (intake_submission_check()). */
IntakeRendering       *intake_submission_render             (IntakeSubmission          *self,
                                                             IntakeQuestionnaire       *questionnaire,
                                                             const char                *staff_language,
                                                             GError                   **error);
/* The fallback when the questionnaire version is unknown: one row per code in
 * code order, the code as question text and the raw value (as
 * intake_submission_append_value_text()) as answer; never fails. */
IntakeRendering       *intake_submission_render_raw         (IntakeSubmission          *self,
                                                             const char                *staff_language);

G_END_DECLS

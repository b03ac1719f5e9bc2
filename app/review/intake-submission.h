/* intake-submission.h: a received submission, read back for staff (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-answer.h"
#include "intake-questionnaire.h"
#include "intake-secure.h"

G_BEGIN_DECLS

#define INTAKE_SUBMISSION_ERROR (intake_submission_error_quark ())

/**
 * IntakeSubmissionError:
 * @INTAKE_SUBMISSION_ERROR_PARSE: not JSON: empty, too large, not UTF-8, a syntax error,
 *   trailing bytes, nesting deeper than a session has, or a string holding U+0000
 * @INTAKE_SUBMISSION_ERROR_NOT_CANONICAL: valid JSON, but not in the canonical form every
 *   kiosk writes (white space, keys or lists out of order, an escape that is not minimal, -0)
 * @INTAKE_SUBMISSION_ERROR_DUPLICATE_KEY: the same key twice in one object
 * @INTAKE_SUBMISSION_ERROR_UNSUPPORTED_FORMAT: `format` is not 1
 * @INTAKE_SUBMISSION_ERROR_MISSING_KEY: a required key is absent
 * @INTAKE_SUBMISSION_ERROR_UNKNOWN_KEY: a key the session format does not define
 * @INTAKE_SUBMISSION_ERROR_WRONG_TYPE: a value of the wrong JSON type (a fraction or exponent
 *   where an integer belongs, null as an answer, an object as an option code, ...)
 * @INTAKE_SUBMISSION_ERROR_INVALID_VALUE: the right type but not allowed: a question or
 *   option code, questionnaire id, language code or hash of the wrong form, a version below 1,
 *   an integer that does not fit in 64 bits, an empty list of options
 * @INTAKE_SUBMISSION_ERROR_INVALID_TIME: `started_at` / `finished_at` not a real UTC time
 *   written `YYYY-MM-DDTHH:MM:SSZ`, or the session finished before it started
 * @INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE: a code twice in `declined`, in `skipped` or in one
 *   multiple-choice answer
 * @INTAKE_SUBMISSION_ERROR_CONFLICT: a question code in more than one of `answers`,
 *   `declined` and `skipped`
 * @INTAKE_SUBMISSION_ERROR_QUESTIONNAIRE_MISMATCH: checked against a questionnaire with
 *   another id, version or hash than the submission names
 * @INTAKE_SUBMISSION_ERROR_UNKNOWN_QUESTION: a code the questionnaire does not have
 * @INTAKE_SUBMISSION_ERROR_INVALID_ANSWER: an answer the question does not accept (type,
 *   option, range, text form, "rather not say" where it is not offered); the message
 *   carries the kiosk's own validation message
 * @INTAKE_SUBMISSION_ERROR_INCONSISTENT: the answers, declines and skips do not match what
 *   the questionnaire would have shown: an entry for a hidden question, a shown question
 *   missing from all three lists, or a required question skipped
 * @INTAKE_SUBMISSION_ERROR_UNKNOWN_LANGUAGE: the session language is not one the
 *   questionnaire declares
 * @INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE: rendering asked for a staff language
 *   the staff word table does not have (only "nl" for now)
 *
 * Messages name the JSON path or the question code and say what is wrong.
 */
typedef enum {
  INTAKE_SUBMISSION_ERROR_PARSE,
  INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
  INTAKE_SUBMISSION_ERROR_DUPLICATE_KEY,
  INTAKE_SUBMISSION_ERROR_UNSUPPORTED_FORMAT,
  INTAKE_SUBMISSION_ERROR_MISSING_KEY,
  INTAKE_SUBMISSION_ERROR_UNKNOWN_KEY,
  INTAKE_SUBMISSION_ERROR_WRONG_TYPE,
  INTAKE_SUBMISSION_ERROR_INVALID_VALUE,
  INTAKE_SUBMISSION_ERROR_INVALID_TIME,
  INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE,
  INTAKE_SUBMISSION_ERROR_CONFLICT,
  INTAKE_SUBMISSION_ERROR_QUESTIONNAIRE_MISMATCH,
  INTAKE_SUBMISSION_ERROR_UNKNOWN_QUESTION,
  INTAKE_SUBMISSION_ERROR_INVALID_ANSWER,
  INTAKE_SUBMISSION_ERROR_INCONSISTENT,
  INTAKE_SUBMISSION_ERROR_UNKNOWN_LANGUAGE,
  INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE,
} IntakeSubmissionError;

GQuark intake_submission_error_quark (void);

#define INTAKE_QUESTIONNAIRE_SET_ERROR (intake_questionnaire_set_error_quark ())

/**
 * IntakeQuestionnaireSetError:
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID: no questionnaire with that id is loaded
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION: the id is known but not that version
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH: that id and version are loaded, but with
 *   other content (another hash) than the submission was made with
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT: adding a questionnaire whose id and version are
 *   already loaded with another hash
 */
typedef enum {
  INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID,
  INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION,
  INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH,
  INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT,
} IntakeQuestionnaireSetError;

GQuark intake_questionnaire_set_error_quark (void);

/* The largest canonical session the parser reads. A full session of the
 * shipped questionnaire is a few KiB; this leaves room for long free texts. */
#define INTAKE_SUBMISSION_MAX_SIZE (1024 * 1024)

/* What a submission says about one question. */
typedef enum {
  INTAKE_SUBMISSION_NOT_SHOWN,  /* in none of the lists: the question was hidden */
  INTAKE_SUBMISSION_ANSWERED,
  INTAKE_SUBMISSION_DECLINED,   /* "rather not say" */
  INTAKE_SUBMISSION_SKIPPED,
} IntakeSubmissionState;

/* ------------------------------------------------------------------ */
/* IntakeSubmission                                                     */

#define INTAKE_TYPE_SUBMISSION (intake_submission_get_type ())

G_DECLARE_FINAL_TYPE (IntakeSubmission, intake_submission, INTAKE, SUBMISSION, GObject)

/* Parses a canonical session (docs/questionnaire.md) strictly. The parser
 * decodes straight into memory that the submission wipes when finalized; it
 * never hands the plaintext to a general JSON library. Immutable afterwards. */
IntakeSubmission      *intake_submission_new_from_data      (const guint8              *data,
                                                             gsize                      len,
                                                             GError                   **error);
IntakeSubmission      *intake_submission_new_from_secure    (const IntakeSecureBuffer  *plaintext,
                                                             GError                   **error);
IntakeSubmission      *intake_submission_new_from_bytes     (GBytes                    *bytes,
                                                             GError                   **error);

const char            *intake_submission_get_questionnaire_id      (IntakeSubmission *self);
guint32                intake_submission_get_questionnaire_version (IntakeSubmission *self);
const char            *intake_submission_get_questionnaire_hash    (IntakeSubmission *self);
/* The language the resident used (a questionnaire language code). */
const char            *intake_submission_get_language       (IntakeSubmission          *self);
/* UTC. */
GDateTime             *intake_submission_get_started_at     (IntakeSubmission          *self);
GDateTime             *intake_submission_get_finished_at    (IntakeSubmission          *self);
/* The times exactly as written, "YYYY-MM-DDTHH:MM:SSZ". */
const char            *intake_submission_get_started_at_string  (IntakeSubmission      *self);
const char            *intake_submission_get_finished_at_string (IntakeSubmission      *self);

/* Every code the submission names (answered, declined or skipped), sorted;
 * free the array only. */
GPtrArray             *intake_submission_list_codes         (IntakeSubmission          *self);
IntakeSubmissionState  intake_submission_get_state          (IntakeSubmission          *self,
                                                             const char                *code);
/* The answer value as export cells write it: an option code; several codes
 * sorted and joined with ';'; "true"/"false"; a decimal integer; an ISO date
 * or the text exactly as written. Appends nothing unless the state is ANSWERED.
 * Returns whether the value came from an integer. */
gboolean               intake_submission_append_value_text  (IntakeSubmission          *self,
                                                             const char                *code,
                                                             GString                   *out);
/* The answer value as a canonical JSON literal (null when declined);
 * appends nothing when skipped or not shown. */
void                   intake_submission_append_value_json  (IntakeSubmission          *self,
                                                             const char                *code,
                                                             GString                   *out);

/* Checks the submission against the questionnaire it names (id, version and
 * hash must match): every answer is valid for its question, exactly the
 * questions the answers make visible are answered, declined or skipped, and
 * no required question is skipped. Relative date bounds are evaluated at
 * `finished_at` in the local time zone. */
gboolean               intake_submission_check              (IntakeSubmission          *self,
                                                             IntakeQuestionnaire       *questionnaire,
                                                             GError                   **error);
/* Checks (as above) and returns the answers by question index
 * (intake_questionnaire_get_question()): an IntakeAnswer (declined ones
 * included) or NULL for a skipped or hidden question. Free with
 * g_ptr_array_unref(), which wipes the answers. */
GPtrArray             *intake_submission_dup_answers        (IntakeSubmission          *self,
                                                             IntakeQuestionnaire       *questionnaire,
                                                             GError                   **error);

/* ------------------------------------------------------------------ */
/* Rendering for staff                                                  */

typedef enum {
  INTAKE_ROW_ANSWERED,
  INTAKE_ROW_DECLINED,
  INTAKE_ROW_SKIPPED,
} IntakeRowState;

/* One question as the resident met it, in the staff language. All fields are
 * read-only; strings are owned by the rendering and wiped with it. */
typedef struct {
  char                *code;
  IntakeQuestionType   type;               /* meaningless in a raw rendering */
  IntakeRowState       state;
  char                *section_code;       /* NULL in a raw rendering */
  char                *section_title;      /* NULL in a raw rendering */
  char                *question_text;      /* as asked, in the staff language; the code in a raw rendering */
  /* "Wil ik liever niet zeggen", "Overgeslagen", or the answer in words */
  char                *answer_text;
  /* multiple_choice, answered: the chosen labels in option order; else NULL */
  char               **answer_items;
  /* short_text of kind "text", answered: the language it was typed in (the
   * session language) as code and as name in the staff language; else NULL */
  char                *text_language;
  char                *text_language_name;
} IntakeRenderedRow;

#define INTAKE_TYPE_RENDERING (intake_rendering_get_type ())

typedef struct {
  char               *staff_language;            /* "nl" */
  gboolean            raw;                       /* TRUE: no questionnaire, codes only */
  char               *questionnaire_id;
  guint32             questionnaire_version;
  char               *questionnaire_hash;
  char               *questionnaire_title;       /* NULL when raw */
  char               *language;                  /* the resident's language, e.g. "ar" */
  char               *language_name;             /* in the staff language, e.g. "Arabisch" */
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

/* The detail view: the questions that were shown, in questionnaire order, in
 * @staff_language (NULL: "nl"). Checks the submission first
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

/* The answer in words in @staff_language (NULL: "nl"): option labels, "Ja"/"Nee",
 * "7 (van 0 'Helemaal niet belangrijk' tot 10 'Heel belangrijk')", "Trede 3: ...",
 * "dd-mm-jjjj", "32 uur per week", the text as written, or the declined words.
 * NULL when the staff language is not supported. The summary uses the same words. */
char                  *intake_submission_format_answer      (const IntakeQuestion      *question,
                                                             const IntakeAnswer        *answer,
                                                             const char                *staff_language);
/* The name of a language in @staff_language, e.g. ("ar", "nl") -> "Arabisch";
 * NULL when the table lacks it. */
const char            *intake_submission_language_name      (const char                *code,
                                                             const char                *staff_language);

/* ------------------------------------------------------------------ */
/* IntakeQuestionnaireSet                                               */

#define INTAKE_TYPE_QUESTIONNAIRE_SET (intake_questionnaire_set_get_type ())

G_DECLARE_FINAL_TYPE (IntakeQuestionnaireSet, intake_questionnaire_set, INTAKE, QUESTIONNAIRE_SET, GObject)

/* Every questionnaire version a review installation has received, so each
 * submission is read with exactly the version it was made with. */
IntakeQuestionnaireSet *intake_questionnaire_set_new        (void);
/* Adding the same identity twice is a no-op; the same id and version with
 * another hash is CONFLICT. */
gboolean               intake_questionnaire_set_add         (IntakeQuestionnaireSet    *self,
                                                             IntakeQuestionnaire       *questionnaire,
                                                             GError                   **error);
/* Transfer none. UNKNOWN_ID, UNKNOWN_VERSION (the message lists the loaded
 * versions) or HASH_MISMATCH. */
IntakeQuestionnaire   *intake_questionnaire_set_lookup      (IntakeQuestionnaireSet    *self,
                                                             const char                *id,
                                                             guint32                    version,
                                                             const char                *hash,
                                                             GError                   **error);
IntakeQuestionnaire   *intake_questionnaire_set_lookup_for_submission (IntakeQuestionnaireSet *self,
                                                                       IntakeSubmission       *submission,
                                                                       GError                **error);
/* The loaded versions of @id, oldest first (IntakeQuestionnaire *, transfer
 * container); an empty array for an unknown id. */
GPtrArray             *intake_questionnaire_set_list_versions (IntakeQuestionnaireSet  *self,
                                                               const char              *id);
guint                  intake_questionnaire_set_get_n_questionnaires (IntakeQuestionnaireSet *self);

G_END_DECLS

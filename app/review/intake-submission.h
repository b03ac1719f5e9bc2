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
 * @INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE: rendering (or the summary) asked for
 *   the questionnaire's texts in a language the questionnaire does not have
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
/* Who the submission is about, for the caseworker's list and the page
 * header: the answers to first_name and last_name joined with a space as
 * written (one name alone when the resident has one), "" when neither was
 * answered; and birth_date as "dd-mm-jjjj" (an unknown day or month stays
 * 00, as registered), NULL when it was not answered. Free both with
 * intake_secure_strfree(). */
char                  *intake_submission_dup_display_name   (IntakeSubmission          *self);
char                  *intake_submission_dup_birth_date     (IntakeSubmission          *self);
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

G_END_DECLS

/* intake-questionnaire.h: a loaded, validated questionnaire (docs/questionnaire.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define INTAKE_QUESTIONNAIRE_ERROR (intake_questionnaire_error_quark ())

/**
 * IntakeQuestionnaireError:
 * @INTAKE_QUESTIONNAIRE_ERROR_PARSE: not JSON (syntax error, not UTF-8, empty or too large)
 * @INTAKE_QUESTIONNAIRE_ERROR_UNSUPPORTED_FORMAT: `format` is not 1
 * @INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY: a key the format does not define at that place
 * @INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY: a required key is absent
 * @INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_KEY: the same key appears twice in one JSON object
 * @INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE: a value of the wrong JSON type (including any
 *   non-integer number, which the format does not allow anywhere)
 * @INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE: a value of the right type that the format does not
 *   allow (code syntax, empty text, unknown direction or status, bad date expression,
 *   source language not reviewed, ladder without 6 rungs, ...)
 * @INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE: a section, question or option code used twice
 * @INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE: a language code that `languages` does not declare
 * @INTAKE_QUESTIONNAIRE_ERROR_MISSING_TRANSLATION: a text lacks a declared language
 * @INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE: min/max (or min_selected/max_selected) inconsistent
 * @INTAKE_QUESTIONNAIRE_ERROR_MISSING_OPTIONS: a choice question with fewer than 2 options
 * @INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_QUESTION_TYPE: `type` is not one of the defined types
 * @INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG: unknown tag key or value, or a `ladder` tag on a
 *   question that is not a ladder
 * @INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD: a condition refers to a later question (for a
 *   section condition: a question of the same or a later section)
 * @INTAKE_QUESTIONNAIRE_ERROR_CONDITION_UNKNOWN: a condition refers to a code that does not exist
 * @INTAKE_QUESTIONNAIRE_ERROR_CONDITION_CYCLE: a question's condition refers to the question itself
 * @INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE: a condition does not fit the question it refers to
 *   (value of the wrong type, an option code the question does not have, a number out of the
 *   question's range, or a comparison that the question type does not allow)
 * @INTAKE_QUESTIONNAIRE_ERROR_EMPTY: an array or object that must not be empty is empty
 *   (`languages`, `sections`, a section's `questions`, `all`, `any`, `one_of`)
 * @INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH: a recording's path is not a plain relative path
 *   inside the questionnaire's bundle (absolute, "..", a backslash, not ending in ".wav",
 *   or a link that leads out of the bundle)
 * @INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING: a recording's file is not in the bundle
 * @INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT: a recording is not a WAV file of the one format
 *   the kiosk plays (16-bit PCM, mono, 8000 to 48000 Hz, at most 8 MiB)
 *
 * Errors of this domain have messages of the form
 * "FILE: JSON-PATH: what is wrong and what to do". Reading a file that
 * cannot be opened gives a #G_FILE_ERROR instead.
 */
typedef enum {
  INTAKE_QUESTIONNAIRE_ERROR_PARSE,
  INTAKE_QUESTIONNAIRE_ERROR_UNSUPPORTED_FORMAT,
  INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY,
  INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY,
  INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_KEY,
  INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE,
  INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE,
  INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE,
  INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE,
  INTAKE_QUESTIONNAIRE_ERROR_MISSING_TRANSLATION,
  INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE,
  INTAKE_QUESTIONNAIRE_ERROR_MISSING_OPTIONS,
  INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_QUESTION_TYPE,
  INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG,
  INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD,
  INTAKE_QUESTIONNAIRE_ERROR_CONDITION_UNKNOWN,
  INTAKE_QUESTIONNAIRE_ERROR_CONDITION_CYCLE,
  INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE,
  INTAKE_QUESTIONNAIRE_ERROR_EMPTY,
  INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH,
  INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING,
  INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
} IntakeQuestionnaireError;

GQuark intake_questionnaire_error_quark (void);

/* The largest questionnaire file the loader reads. */
#define INTAKE_QUESTIONNAIRE_MAX_SIZE (4 * 1024 * 1024)

typedef enum {
  INTAKE_QUESTION_TYPE_SINGLE_CHOICE,
  INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE,
  INTAKE_QUESTION_TYPE_SCALE,
  INTAKE_QUESTION_TYPE_YES_NO,
  INTAKE_QUESTION_TYPE_SHORT_TEXT,
  INTAKE_QUESTION_TYPE_NUMBER,
  INTAKE_QUESTION_TYPE_DATE,
  INTAKE_QUESTION_TYPE_LADDER,
} IntakeQuestionType;

typedef enum {
  INTAKE_TEXT_KIND_TEXT,
  INTAKE_TEXT_KIND_EMAIL,
  INTAKE_TEXT_KIND_PHONE,
  INTAKE_TEXT_KIND_DIGITS,
} IntakeTextKind;

#define INTAKE_LADDER_RUNGS 6

/* A text in every declared language. Owned by the questionnaire. */
typedef struct _IntakeText IntakeText;
/* A visibility condition. Owned by the questionnaire; see intake_condition_evaluate(). */
typedef struct _IntakeCondition IntakeCondition;
/* Defined in intake-answer.h. */
typedef struct _IntakeAnswer IntakeAnswer;

typedef struct {
  char     *code;
  char     *name;      /* autonym, e.g. "العربية" */
  gboolean  rtl;
  gboolean  reviewed;  /* FALSE: draft translation */
  char     *audio;     /* bundle path of a recording of @name; nullable */
} IntakeLanguage;

typedef struct {
  char       *code;
  IntakeText *label;
  gboolean    exclusive;  /* multiple_choice only: cannot be combined with other options */
} IntakeOption;

typedef struct {
  char            *code;
  IntakeText      *title;
  IntakeCondition *visible_if;      /* nullable */
  guint            index;
  guint            first_question;  /* index into the questionnaire's questions */
  guint            n_questions;
} IntakeSection;

/* All structs are read-only views owned by their questionnaire. Fields that
 * do not apply to a question's type are 0 / NULL. */
typedef struct {
  char               *code;
  IntakeQuestionType  type;
  IntakeText         *text;
  IntakeText         *help;           /* nullable */
  gboolean            required;
  gboolean            rather_not_say;
  IntakeCondition    *visible_if;     /* nullable */
  guint               section;        /* index of its section */
  guint               index;          /* index among all questions, document order */

  /* single_choice, multiple_choice */
  IntakeOption       *options;
  guint               n_options;
  /* multiple_choice (defaults applied: 1 and n_options) */
  guint               min_selected;
  guint               max_selected;

  /* scale, number; for ladder 1 and 6 */
  gint64              min;
  gint64              max;
  IntakeText         *min_label;      /* scale */
  IntakeText         *max_label;      /* scale */
  IntakeText         *unit;           /* number; nullable */

  /* short_text */
  guint               max_length;
  IntakeTextKind      text_kind;
  /* The answer "I have none" (e.g. no first name on the ID): chosen, the
   * answer is the empty string. Nullable: not offered. */
  IntakeText         *none_option;

  /* date: date expressions, see intake_date_expression_evaluate() */
  char               *date_min;
  char               *date_max;
  /* The day, or the day and the month, may be unknown: "YYYY-MM-00" and
   * "YYYY-00-00", as the municipal register (BRP) writes 00-07-1990 and
   * 00-00-1985. */
  gboolean            allow_unknown;

  /* ladder: rung 1 ... rung 6 */
  IntakeText         *rungs[INTAKE_LADDER_RUNGS];

  /* tags; NULL when absent */
  char               *tag_zrm;
  char               *tag_pg;
  char               *tag_esco;
  char               *tag_ladder;
} IntakeQuestion;

#define INTAKE_TYPE_QUESTIONNAIRE (intake_questionnaire_get_type ())

G_DECLARE_FINAL_TYPE (IntakeQuestionnaire, intake_questionnaire, INTAKE, QUESTIONNAIRE, GObject)

/* Recordings ("audio", docs/questionnaire.md) are looked up in the file's
 * folder, the questionnaire's bundle, and checked there. */
IntakeQuestionnaire   *intake_questionnaire_new_from_file       (const char           *path,
                                                                 GError              **error);
/* @display_name (e.g. the file's base name) starts every error message.
 * Without a bundle the recordings' paths are checked, not their files, and
 * none is played (a signed questionnaire from the server carries none). */
IntakeQuestionnaire   *intake_questionnaire_new_from_bytes      (GBytes               *data,
                                                                 const char           *display_name,
                                                                 GError              **error);
/* The same, with the recordings in the folder @bundle_dir (a GFile) or in
 * @resource under @resource_dir (e.g. "/org/example/questionnaire"). */
IntakeQuestionnaire   *intake_questionnaire_new_from_bundle     (GBytes               *data,
                                                                 const char           *display_name,
                                                                 GFile                *bundle_dir,
                                                                 GResource            *resource,
                                                                 const char           *resource_dir,
                                                                 GError              **error);
/* The questionnaire compiled into every program (resources/questionnaires/
 * intake.json): what a kiosk uses until the office signs another, and what
 * reviewers read submissions made under it with. */
IntakeQuestionnaire   *intake_questionnaire_new_builtin         (GError              **error);
/* Every version compiled in (IntakeQuestionnaire, transfer full): the
 * earlier published ones (resources/questionnaires/history/) and the
 * current one, last. The review side reads each submission with the
 * version it names. */
GPtrArray             *intake_questionnaire_list_builtin_versions (GError            **error);

const char            *intake_questionnaire_get_id              (IntakeQuestionnaire  *self);
guint32                intake_questionnaire_get_version         (IntakeQuestionnaire  *self);
/* Lowercase hex SHA-256 of the canonical form (64 characters). */
const char            *intake_questionnaire_get_hash            (IntakeQuestionnaire  *self);
/* The same hash as 32 raw bytes. */
const guint8          *intake_questionnaire_get_hash_bytes      (IntakeQuestionnaire  *self);
GBytes                *intake_questionnaire_dup_canonical       (IntakeQuestionnaire  *self);
const char            *intake_questionnaire_get_source_language (IntakeQuestionnaire  *self);
const char            *intake_questionnaire_get_title           (IntakeQuestionnaire  *self,
                                                                 const char           *lang);
/* NULL when the questionnaire has no introduction. */
const char            *intake_questionnaire_get_introduction    (IntakeQuestionnaire  *self,
                                                                 const char           *lang);
/* The title and introduction as texts (for their recordings); nullable. */
const IntakeText      *intake_questionnaire_get_title_text      (IntakeQuestionnaire  *self);
const IntakeText      *intake_questionnaire_get_introduction_text (IntakeQuestionnaire *self);

/* Languages: the source language first, then the others sorted by code. */
guint                  intake_questionnaire_get_n_languages     (IntakeQuestionnaire  *self);
const IntakeLanguage  *intake_questionnaire_get_language        (IntakeQuestionnaire  *self,
                                                                 guint                 i);
const IntakeLanguage  *intake_questionnaire_lookup_language     (IntakeQuestionnaire  *self,
                                                                 const char           *code);

guint                  intake_questionnaire_get_n_sections      (IntakeQuestionnaire  *self);
const IntakeSection   *intake_questionnaire_get_section         (IntakeQuestionnaire  *self,
                                                                 guint                 i);
guint                  intake_questionnaire_get_n_questions     (IntakeQuestionnaire  *self);
const IntakeQuestion  *intake_questionnaire_get_question        (IntakeQuestionnaire  *self,
                                                                 guint                 i);
const IntakeQuestion  *intake_questionnaire_lookup_question     (IntakeQuestionnaire  *self,
                                                                 const char           *code);

/* Texts (title, introduction, section titles, question texts, help, option
 * labels, scale labels, units, rungs) present in @lang; 0 for an undeclared language. */
guint                  intake_questionnaire_count_strings       (IntakeQuestionnaire  *self,
                                                                 const char           *lang);
guint                  intake_questionnaire_count_texts         (IntakeQuestionnaire  *self);

/* The string of @text in @lang, or NULL when @text is NULL or lacks @lang. */
const char            *intake_text_get                          (const IntakeText     *text,
                                                                 const char           *lang);
/* The bundle path of @text's recording in @lang, or NULL. */
const char            *intake_text_get_audio                    (const IntakeText     *text,
                                                                 const char           *lang);

/* Recordings, read from the bundle: the WAV bytes (checked again: NULL when
 * the file went or changed into something else), or NULL when there is no
 * recording or no bundle. */
GBytes                *intake_questionnaire_dup_audio           (IntakeQuestionnaire  *self,
                                                                 const IntakeText     *text,
                                                                 const char           *lang);
/* The recording of the language's own name (the language object's "audio"). */
GBytes                *intake_questionnaire_dup_language_audio  (IntakeQuestionnaire  *self,
                                                                 const char           *lang);
/* The recording of one of the kiosk's UI strings, by its English msgid. */
GBytes                *intake_questionnaire_dup_interface_audio (IntakeQuestionnaire  *self,
                                                                 const char           *lang,
                                                                 const char           *msgid);
/* How many texts in @lang have a recording, and how many UI strings. */
guint                  intake_questionnaire_count_audio         (IntakeQuestionnaire  *self,
                                                                 const char           *lang);
guint                  intake_questionnaire_count_interface_audio (IntakeQuestionnaire *self,
                                                                 const char           *lang);

/* The one recording format (docs/questionnaire.md): a RIFF WAVE file of
 * 16-bit little-endian PCM, one channel, 8000 to 48000 Hz, at most
 * INTAKE_AUDIO_MAX_SIZE bytes. Checks @wav and says where its samples are. */
#define INTAKE_AUDIO_MAX_SIZE (8 * 1024 * 1024)

typedef struct {
  guint  rate;           /* samples per second */
  gsize  data_offset;    /* of the first sample in the file */
  gsize  n_samples;
} IntakeAudioInfo;

/* On failure the error (INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT) says what
 * is wrong and how to convert the file, without a file name. */
gboolean               intake_audio_check_wav                   (GBytes               *wav,
                                                                 IntakeAudioInfo      *info,
                                                                 GError              **error);

const char            *intake_question_type_to_string           (IntakeQuestionType    type);
const IntakeOption    *intake_question_lookup_option            (const IntakeQuestion *question,
                                                                 const char           *code);

/* Evaluates a date expression ("YYYY-MM-DD", "today", "today-120y", "today+3m",
 * "today-7d") against @now taken in the local time zone. Returns FALSE when
 * @expression is not a valid expression or the result is outside years 1..9999. */
gboolean               intake_date_expression_evaluate          (const char           *expression,
                                                                 GDateTime            *now,
                                                                 GDate                *out);

/* Returns the real answer to question @question_index (NULL when the question
 * is hidden, skipped or declined: all mean "no real answer"). */
typedef const IntakeAnswer *(*IntakeAnswerLookupFunc) (guint    question_index,
                                                       gpointer user_data);

/* The highest question index @condition looks at (-1 for NULL). Conditions
 * only look at earlier questions, so a resident who has passed that question
 * has decided whether the condition holds. */
int                    intake_condition_get_last_question       (const IntakeCondition *condition);

/* Evaluates @condition; comparisons on a question without a real answer are false. */
gboolean               intake_condition_evaluate                (const IntakeCondition *condition,
                                                                 IntakeAnswerLookupFunc lookup,
                                                                 gpointer               user_data);

G_END_DECLS

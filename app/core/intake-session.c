/* intake-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-canonical-json.h"
#include "intake-secure.h"
#include "intake-session.h"

G_DEFINE_QUARK (intake-session-error-quark, intake_session_error)

#define BEFORE_START (-1)

struct _IntakeSession {
  GObject               parent_instance;

  IntakeQuestionnaire  *questionnaire;
  char                 *language;
  GDateTime            *now;          /* test clock, or NULL */
  GDateTime            *started_at;

  guint                 n_questions;
  IntakeAnswer        **answers;      /* by question index */
  /* BEFORE_START, a question index, or n_questions (the end). */
  int                   position;
  /* The furthest position reached: every question before it has been
   * passed (answered, declined or skipped). */
  int                   furthest;
};

G_DEFINE_FINAL_TYPE (IntakeSession, intake_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUESTIONNAIRE,
  PROP_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GDateTime *
get_now (IntakeSession *self)
{
  if (self->now != NULL)
    return g_date_time_ref (self->now);
  return g_date_time_new_now_utc ();
}

static void
mark_started (IntakeSession *self)
{
  if (self->started_at == NULL)
    self->started_at = get_now (self);
}

static void
emit_changed (IntakeSession *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ------------------------------------------------------------------ */
/* Visibility                                                           */

typedef struct {
  IntakeSession  *self;
  const gboolean *visible;
} LookupData;

static const IntakeAnswer *
lookup_answer_cb (guint    question_index,
                  gpointer user_data)
{
  LookupData *data = user_data;

  /* Conditions only look at earlier questions, whose visibility is known. */
  if (!data->visible[question_index])
    return NULL;
  return data->self->answers[question_index];
}

/* Fills @visible (n_questions entries) in document order. */
static void
compute_visibility (IntakeSession *self,
                    gboolean      *visible)
{
  LookupData data = { self, visible };
  guint n_sections = intake_questionnaire_get_n_sections (self->questionnaire);

  for (guint s = 0; s < n_sections; s++)
    {
      const IntakeSection *section = intake_questionnaire_get_section (self->questionnaire, s);
      gboolean section_visible = TRUE;

      if (section->visible_if != NULL)
        section_visible = intake_condition_evaluate (section->visible_if, lookup_answer_cb, &data);

      for (guint i = section->first_question; i < section->first_question + section->n_questions; i++)
        {
          const IntakeQuestion *q = intake_questionnaire_get_question (self->questionnaire, i);

          visible[i] = section_visible &&
                       (q->visible_if == NULL ||
                        intake_condition_evaluate (q->visible_if, lookup_answer_cb, &data));
        }
    }
}

static gboolean *
visibility_new (IntakeSession *self)
{
  gboolean *visible = g_new0 (gboolean, MAX (self->n_questions, 1));

  compute_visibility (self, visible);
  return visible;
}

static void
clear_answer (IntakeSession *self,
              guint          i)
{
  g_clear_pointer (&self->answers[i], intake_answer_free);
}

static void
clear_hidden_answers (IntakeSession *self)
{
  g_autofree gboolean *visible = visibility_new (self);

  for (guint i = 0; i < self->n_questions; i++)
    if (!visible[i])
      clear_answer (self, i);
}

static const IntakeQuestion *
lookup_question (IntakeSession  *self,
                 const char     *code,
                 GError        **error)
{
  const IntakeQuestion *q = intake_questionnaire_lookup_question (self->questionnaire, code);

  if (q == NULL)
    g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_UNKNOWN_QUESTION,
                 "The questionnaire has no question \"%s\"; use a code from the questionnaire",
                 code);
  return q;
}

static const IntakeQuestion *
lookup_visible_question (IntakeSession  *self,
                         const char     *code,
                         GError        **error)
{
  const IntakeQuestion *q = lookup_question (self, code, error);
  g_autofree gboolean *visible = NULL;

  if (q == NULL)
    return NULL;
  visible = visibility_new (self);
  if (!visible[q->index])
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_NOT_VISIBLE,
                   "Question \"%s\" is hidden by its condition (or its section's) given the "
                   "answers so far; it cannot be answered now", code);
      return NULL;
    }
  return q;
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */

static gboolean
validate_email (const char *text)
{
  const char *at = strchr (text, '@');
  const char *domain;
  gsize len = strlen (text);

  if (at == NULL || at == text || strchr (at + 1, '@') != NULL || len > 254)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>')
      return FALSE;
  domain = at + 1;
  if (*domain == '\0' || *domain == '.' || *domain == '-' ||
      strchr (domain, '.') == NULL || strstr (domain, "..") != NULL ||
      text[len - 1] == '.' || text[len - 1] == '-')
    return FALSE;
  return TRUE;
}

static gboolean
validate_phone (const char *text)
{
  guint digits = 0;
  gboolean seen_non_space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p == '+')
        {
          if (seen_non_space)
            return FALSE;
        }
      else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')')
        return FALSE;
      if (*p != ' ')
        seen_non_space = TRUE;
    }
  return digits >= 6 && digits <= 15;
}

static gboolean
validate_text (const IntakeQuestion  *q,
               const char            *text,
               GError               **error)
{
  gboolean blank = TRUE;

  /* "I have none" (no first name on the ID): the empty string, and only
   * where the question offers it. */
  if (text[0] == '\0' && q->none_option != NULL)
    return TRUE;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_TEXT,
                   "The answer to \"%s\" is not valid UTF-8 text; type it again", q->code);
      return FALSE;
    }

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_TEXT,
                       "The answer to \"%s\" contains a control character (such as a line "
                       "break or tab); use a single line of plain text", q->code);
          return FALSE;
        }
      if (!g_unichar_isspace (c))
        blank = FALSE;
    }

  if (blank)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_EMPTY,
                   "The answer to \"%s\" is empty; type something or skip the question", q->code);
      return FALSE;
    }

  if (g_utf8_strlen (text, -1) > (glong) q->max_length)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_TOO_LONG,
                   "The answer to \"%s\" is longer than %u characters; shorten it",
                   q->code, q->max_length);
      return FALSE;
    }

  switch (q->text_kind)
    {
    case INTAKE_TEXT_KIND_EMAIL:
      if (!validate_email (text))
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_EMAIL,
                       "The answer to \"%s\" is not an e-mail address; write it like "
                       "name@example.nl", q->code);
          return FALSE;
        }
      break;

    case INTAKE_TEXT_KIND_PHONE:
      if (!validate_phone (text))
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_PHONE,
                       "The answer to \"%s\" is not a phone number; use 6 to 15 digits, "
                       "optionally with a leading +, spaces, dashes or parentheses", q->code);
          return FALSE;
        }
      break;

    case INTAKE_TEXT_KIND_DIGITS:
      for (const char *p = text; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          {
            g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_DIGITS,
                         "The answer to \"%s\" may only contain the digits 0 to 9", q->code);
            return FALSE;
          }
      break;

    case INTAKE_TEXT_KIND_TEXT:
    default:
      break;
    }

  return TRUE;
}

static gboolean
validate_choices (const IntakeQuestion  *q,
                  const IntakeAnswer    *answer,
                  GError               **error)
{
  const char * const *codes = intake_answer_get_choices (answer);
  guint n = intake_answer_get_n_choices (answer);
  const IntakeOption *exclusive = NULL;

  for (guint i = 0; i < n; i++)
    {
      const IntakeOption *option = intake_question_lookup_option (q, codes[i]);

      if (option == NULL)
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_UNKNOWN_OPTION,
                       "\"%s\" is not an option of \"%s\"; choose from its options",
                       codes[i], q->code);
          return FALSE;
        }
      /* The codes are sorted, so a repeat is next to its twin. */
      if (i > 0 && strcmp (codes[i], codes[i - 1]) == 0)
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DUPLICATE_OPTION,
                       "\"%s\" is chosen twice for \"%s\"; choose each option once",
                       codes[i], q->code);
          return FALSE;
        }
      if (option->exclusive)
        exclusive = option;
    }

  if (exclusive != NULL && n > 1)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_EXCLUSIVE_COMBINED,
                   "\"%s\" cannot be combined with other options of \"%s\"; choose it alone "
                   "or deselect it", exclusive->code, q->code);
      return FALSE;
    }
  /* An exclusive option alone is a complete answer, whatever min_selected says. */
  if (exclusive != NULL)
    return TRUE;

  if (n < q->min_selected)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_TOO_FEW_SELECTED,
                   "%u option%s chosen for \"%s\"; choose at least %u", n, n == 1 ? "" : "s",
                   q->code, q->min_selected);
      return FALSE;
    }
  if (n > q->max_selected)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_TOO_MANY_SELECTED,
                   "%u options chosen for \"%s\"; choose at most %u", n, q->code, q->max_selected);
      return FALSE;
    }
  return TRUE;
}

/* A date the municipal register (BRP) may hold when the day, or the day and
 * the month, of a birth are not known: "1990-07-00", "1985-00-00". Sets
 * @out_first and @out_last to the first and last days it can stand for.
 * FALSE for anything else, "1990-00-14" included (a known day in an
 * unknown month is not a BRP form). */
static gboolean
parse_partial_date (const char *text,
                    GDate      *out_first,
                    GDate      *out_last)
{
  guint year, month, day;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  year = g_ascii_strtoull (text, NULL, 10);
  month = (text[5] - '0') * 10 + (text[6] - '0');
  day = (text[8] - '0') * 10 + (text[9] - '0');
  if (day != 0 || !g_date_valid_year (year) || (month != 0 && !g_date_valid_month (month)))
    return FALSE;

  g_date_clear (out_first, 1);
  g_date_clear (out_last, 1);
  g_date_set_dmy (out_first, 1, month != 0 ? month : G_DATE_JANUARY, year);
  g_date_set_dmy (out_last, 1, month != 0 ? month : G_DATE_DECEMBER, year);
  g_date_set_day (out_last, g_date_get_days_in_month (g_date_get_month (out_last), year));
  return TRUE;
}

static gboolean
validate_date (IntakeSession         *self,
               const IntakeQuestion  *q,
               const char            *text,
               GError               **error)
{
  g_autoptr(GDateTime) now = get_now (self);
  GDate first, last, min, max;
  char min_text[16], max_text[16];

  /* Only the plain form: an answer is never "today" or relative. A
   * question that allows it takes an unknown day or month as 00. */
  if (q->allow_unknown && parse_partial_date (text, &first, &last))
    ;
  else if (!g_ascii_isdigit (text[0]) || !intake_date_expression_evaluate (text, now, &first))
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INVALID_DATE,
                   q->allow_unknown
                   ? "The answer to \"%s\" is not a date; give a real date as YYYY-MM-DD, with "
                     "00 for an unknown day, or for an unknown day and month"
                   : "The answer to \"%s\" is not a date; give a real date as YYYY-MM-DD", q->code);
      return FALSE;
    }
  else
    last = first;

  /* The bounds were valid when loading; a relative bound can only leave
   * GDate's range in the very far future. */
  if (!intake_date_expression_evaluate (q->date_min, now, &min) ||
      !intake_date_expression_evaluate (q->date_max, now, &max))
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE,
                   "The date bounds of \"%s\" cannot be evaluated today", q->code);
      return FALSE;
    }

  /* A partly known date is in range when one of the days it can stand for is. */
  if (g_date_compare (&last, &min) < 0 || g_date_compare (&first, &max) > 0)
    {
      g_date_strftime (min_text, sizeof min_text, "%Y-%m-%d", &min);
      g_date_strftime (max_text, sizeof max_text, "%Y-%m-%d", &max);
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DATE_OUT_OF_RANGE,
                   "The date for \"%s\" must lie between %s and %s; check the year",
                   q->code, min_text, max_text);
      return FALSE;
    }
  return TRUE;
}

static IntakeAnswerKind
expected_kind (IntakeQuestionType type)
{
  switch (type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return INTAKE_ANSWER_CHOICE;
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      return INTAKE_ANSWER_CHOICES;
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      return INTAKE_ANSWER_INTEGER;
    case INTAKE_QUESTION_TYPE_YES_NO:
      return INTAKE_ANSWER_BOOLEAN;
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      return INTAKE_ANSWER_TEXT;
    case INTAKE_QUESTION_TYPE_DATE:
      return INTAKE_ANSWER_DATE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
intake_session_validate_answer (IntakeSession         *self,
                                const IntakeQuestion  *q,
                                const IntakeAnswer    *answer,
                                GError               **error)
{
  IntakeAnswerKind kind;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kind = intake_answer_get_kind (answer);
  if (kind == INTAKE_ANSWER_DECLINED)
    {
      if (!q->rather_not_say)
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_DECLINE_NOT_OFFERED,
                       "Question \"%s\" does not offer \"rather not say\"; answer it or skip it",
                       q->code);
          return FALSE;
        }
      return TRUE;
    }

  if (kind != expected_kind (q->type))
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_WRONG_TYPE,
                   "This kind of answer does not fit \"%s\", a %s question",
                   q->code, intake_question_type_to_string (q->type));
      return FALSE;
    }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      if (intake_question_lookup_option (q, intake_answer_get_string (answer)) == NULL)
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_UNKNOWN_OPTION,
                       "\"%s\" is not an option of \"%s\"; choose one of its options",
                       intake_answer_get_string (answer), q->code);
          return FALSE;
        }
      return TRUE;

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      return validate_choices (q, answer, error);

    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      {
        gint64 value = intake_answer_get_integer (answer);

        if (value < q->min || value > q->max)
          {
            g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_OUT_OF_RANGE,
                         "%" G_GINT64_FORMAT " is outside the range of \"%s\"; use a whole "
                         "number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                         value, q->code, q->min, q->max);
            return FALSE;
          }
        return TRUE;
      }

    case INTAKE_QUESTION_TYPE_YES_NO:
      return TRUE;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      return validate_text (q, intake_answer_get_string (answer), error);

    case INTAKE_QUESTION_TYPE_DATE:
      return validate_date (self, q, intake_answer_get_string (answer), error);

    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Answers                                                              */

gboolean
intake_session_set_answer (IntakeSession  *self,
                           const char     *code,
                           IntakeAnswer   *answer,
                           GError        **error)
{
  g_autoptr(IntakeAnswer) owned = answer;
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = lookup_visible_question (self, code, error);
  if (q == NULL || !intake_session_validate_answer (self, q, owned, error))
    return FALSE;

  mark_started (self);
  clear_answer (self, q->index);
  self->answers[q->index] = g_steal_pointer (&owned);
  clear_hidden_answers (self);
  emit_changed (self);
  return TRUE;
}

gboolean
intake_session_skip (IntakeSession  *self,
                     const char     *code,
                     GError        **error)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = lookup_visible_question (self, code, error);
  if (q == NULL)
    return FALSE;
  if (q->required)
    {
      g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_REQUIRED,
                   "Question \"%s\" is required and cannot be skipped; answer it%s",
                   code, q->rather_not_say ? " or choose \"rather not say\"" : "");
      return FALSE;
    }

  clear_answer (self, q->index);
  clear_hidden_answers (self);
  emit_changed (self);
  return TRUE;
}

const IntakeAnswer *
intake_session_get_answer (IntakeSession *self,
                           const char    *code)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  q = intake_questionnaire_lookup_question (self->questionnaire, code);
  if (q == NULL)
    return NULL;
  return self->answers[q->index];
}

gboolean
intake_session_has_answer (IntakeSession *self,
                           const char    *code)
{
  return intake_session_get_answer (self, code) != NULL;
}

/* ------------------------------------------------------------------ */
/* Navigation                                                           */

static void
set_position (IntakeSession *self,
              int            position)
{
  if (position >= 0 && (guint) position < self->n_questions)
    mark_started (self);
  if (self->position == position)
    return;
  self->position = position;
  self->furthest = MAX (self->furthest, position);
  emit_changed (self);
}

const IntakeQuestion *
intake_session_get_current (IntakeSession *self)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);

  if (self->position < 0 || (guint) self->position >= self->n_questions)
    return NULL;
  return intake_questionnaire_get_question (self->questionnaire, self->position);
}

gboolean
intake_session_is_at_end (IntakeSession *self)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  return self->position >= 0 && (guint) self->position >= self->n_questions;
}

/* The first visible question at or after @from, or n_questions. */
static guint
next_visible (IntakeSession *self,
              guint          from)
{
  g_autofree gboolean *visible = visibility_new (self);
  guint i;

  for (i = from; i < self->n_questions && !visible[i]; i++)
    ;
  return i;
}

gboolean
intake_session_go_first (IntakeSession *self)
{
  guint i;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);

  i = next_visible (self, 0);
  set_position (self, i);
  return i < self->n_questions;
}

gboolean
intake_session_go_next (IntakeSession *self)
{
  guint i;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);

  if (self->position >= 0 && (guint) self->position >= self->n_questions)
    return FALSE;
  i = next_visible (self, self->position + 1);
  set_position (self, i);
  return i < self->n_questions;
}

gboolean
intake_session_go_previous (IntakeSession *self)
{
  g_autofree gboolean *visible = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);

  if (self->position <= 0)
    return FALSE;
  visible = visibility_new (self);
  for (int i = MIN ((guint) self->position, self->n_questions) - 1; i >= 0; i--)
    {
      if (visible[i])
        {
          set_position (self, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
intake_session_go_to (IntakeSession  *self,
                      const char     *code,
                      GError        **error)
{
  const IntakeQuestion *q;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  q = lookup_visible_question (self, code, error);
  if (q == NULL)
    return FALSE;
  set_position (self, q->index);
  return TRUE;
}

gboolean
intake_session_is_visible (IntakeSession *self,
                           const char    *code)
{
  const IntakeQuestion *q;
  g_autofree gboolean *visible = NULL;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  q = intake_questionnaire_lookup_question (self->questionnaire, code);
  if (q == NULL)
    return FALSE;
  visible = visibility_new (self);
  return visible[q->index];
}

guint
intake_session_get_position (IntakeSession *self)
{
  g_autofree gboolean *visible = NULL;
  guint n = 0;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), 0);

  if (self->position < 0 || (guint) self->position >= self->n_questions)
    return 0;
  visible = visibility_new (self);
  if (!visible[self->position])
    return 0;
  for (int i = 0; i <= self->position; i++)
    if (visible[i])
      n++;
  return n;
}

guint
intake_session_get_n_visible (IntakeSession *self)
{
  g_autofree gboolean *visible = NULL;
  guint n = 0;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), 0);

  visible = visibility_new (self);
  for (guint i = 0; i < self->n_questions; i++)
    if (visible[i])
      n++;
  return n;
}

/* Counted in the progress: asked of everyone, or opened by answers given. */
static gboolean
counted (IntakeSession        *self,
         const gboolean       *visible,
         const IntakeQuestion *q)
{
  const IntakeSection *section = intake_questionnaire_get_section (self->questionnaire, q->section);
  int last = MAX (intake_condition_get_last_question (q->visible_if),
                  intake_condition_get_last_question (section->visible_if));

  if (!visible[q->index])
    return FALSE;
  /* The current question always counts: the resident sees it. */
  return last < 0 || last < self->furthest || (int) q->index == self->position;
}

void
intake_session_get_progress (IntakeSession         *self,
                             IntakeSessionProgress *out)
{
  g_autofree gboolean *visible = NULL;
  guint last_section = G_MAXUINT;

  g_return_if_fail (INTAKE_IS_SESSION (self));
  g_return_if_fail (out != NULL);

  *out = (IntakeSessionProgress) { 0, 0, 0, 0 };
  visible = visibility_new (self);
  for (guint i = 0; i < self->n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (self->questionnaire, i);

      if (!counted (self, visible, q))
        continue;
      out->total++;
      if (q->section != last_section)
        {
          out->n_sections++;
          last_section = q->section;
        }
      if ((int) i == self->position)
        {
          out->position = out->total;
          out->section = out->n_sections;
        }
    }
}

GPtrArray *
intake_session_list_visible (IntakeSession *self)
{
  g_autofree gboolean *visible = NULL;
  GPtrArray *list;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);

  visible = visibility_new (self);
  list = g_ptr_array_new ();
  for (guint i = 0; i < self->n_questions; i++)
    if (visible[i])
      g_ptr_array_add (list, (gpointer) intake_questionnaire_get_question (self->questionnaire, i));
  return list;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                            */

gboolean
intake_session_check_complete (IntakeSession  *self,
                               GError        **error)
{
  g_autofree gboolean *visible = NULL;
  guint position = 0;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  visible = visibility_new (self);
  for (guint i = 0; i < self->n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (self->questionnaire, i);

      if (!visible[i])
        continue;
      position++;
      if (q->required && self->answers[i] == NULL)
        {
          g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_INCOMPLETE,
                       "Question \"%s\" (number %u) is required but has no answer; go back "
                       "and answer it%s", q->code, position,
                       q->rather_not_say ? " or choose \"rather not say\"" : "");
          return FALSE;
        }
    }
  return TRUE;
}

/* Counts while @data is NULL, so the output can be measured and then
 * written once into secure memory of the right size. */
typedef struct {
  char  *data;
  gsize  len;
} Writer;

static void
put (Writer     *w,
     const char *text)
{
  gsize n = strlen (text);

  if (w->data != NULL)
    memcpy (w->data + w->len, text, n);
  w->len += n;
}

static void
put_string (Writer     *w,
            const char *text)
{
  w->len += intake_canonical_json_write_string (text, w->data != NULL ? w->data + w->len : NULL);
}

static void
put_int (Writer *w,
         gint64  value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  put (w, buf);
  intake_secure_wipe (buf, sizeof buf);
}

static void
put_answer (Writer             *w,
            const IntakeAnswer *answer)
{
  switch (intake_answer_get_kind (answer))
    {
    case INTAKE_ANSWER_CHOICE:
    case INTAKE_ANSWER_TEXT:
    case INTAKE_ANSWER_DATE:
      put_string (w, intake_answer_get_string (answer));
      break;
    case INTAKE_ANSWER_CHOICES:
      {
        const char * const *codes = intake_answer_get_choices (answer);

        put (w, "[");
        for (guint i = 0; codes[i] != NULL; i++)
          {
            if (i > 0)
              put (w, ",");
            put_string (w, codes[i]);
          }
        put (w, "]");
        break;
      }
    case INTAKE_ANSWER_INTEGER:
      put_int (w, intake_answer_get_integer (answer));
      break;
    case INTAKE_ANSWER_BOOLEAN:
      put (w, intake_answer_get_boolean (answer) ? "true" : "false");
      break;
    case INTAKE_ANSWER_DECLINED:
    default:
      g_assert_not_reached ();
    }
}

static void
put_code_list (Writer    *w,
               GPtrArray *questions)
{
  put (w, "[");
  for (guint i = 0; i < questions->len; i++)
    {
      const IntakeQuestion *q = g_ptr_array_index (questions, i);

      if (i > 0)
        put (w, ",");
      put_string (w, q->code);
    }
  put (w, "]");
}

static int
compare_question_codes (gconstpointer a,
                        gconstpointer b)
{
  const IntakeQuestion *qa = *(const IntakeQuestion * const *) a;
  const IntakeQuestion *qb = *(const IntakeQuestion * const *) b;

  return strcmp (qa->code, qb->code);
}

typedef struct {
  GPtrArray  *answered;
  GPtrArray  *declined;
  GPtrArray  *skipped;
  const char *started;
  const char *finished;
} Summary;

/* Keys in UTF-8 byte order, as the canonical form requires. */
static void
write_session (IntakeSession *self,
               Writer        *w,
               const Summary *s)
{
  put (w, "{\"answers\":{");
  for (guint i = 0; i < s->answered->len; i++)
    {
      const IntakeQuestion *q = g_ptr_array_index (s->answered, i);

      if (i > 0)
        put (w, ",");
      put_string (w, q->code);
      put (w, ":");
      put_answer (w, self->answers[q->index]);
    }
  put (w, "},\"declined\":");
  put_code_list (w, s->declined);
  put (w, ",\"finished_at\":");
  put_string (w, s->finished);
  put (w, ",\"format\":1,\"language\":");
  put_string (w, self->language);
  put (w, ",\"questionnaire\":{\"hash\":");
  put_string (w, intake_questionnaire_get_hash (self->questionnaire));
  put (w, ",\"id\":");
  put_string (w, intake_questionnaire_get_id (self->questionnaire));
  put (w, ",\"version\":");
  put_int (w, intake_questionnaire_get_version (self->questionnaire));
  put (w, "},\"skipped\":");
  put_code_list (w, s->skipped);
  put (w, ",\"started_at\":");
  put_string (w, s->started);
  put (w, "}");
}

IntakeSecureBuffer *
intake_session_serialize (IntakeSession  *self,
                          GError        **error)
{
  g_autofree gboolean *visible = NULL;
  g_autoptr(GPtrArray) answered = NULL;
  g_autoptr(GPtrArray) declined = NULL;
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GDateTime) finished_at = NULL;
  g_autoptr(GDateTime) started_utc = NULL;
  g_autofree char *started = NULL;
  g_autofree char *finished = NULL;
  IntakeSecureBuffer *buffer;
  Writer w = { NULL, 0 };
  Summary summary;

  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!intake_session_check_complete (self, error))
    return NULL;

  visible = visibility_new (self);
  answered = g_ptr_array_new ();
  declined = g_ptr_array_new ();
  skipped = g_ptr_array_new ();
  for (guint i = 0; i < self->n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (self->questionnaire, i);

      if (!visible[i])
        continue;
      if (self->answers[i] == NULL)
        g_ptr_array_add (skipped, (gpointer) q);
      else if (intake_answer_is_declined (self->answers[i]))
        g_ptr_array_add (declined, (gpointer) q);
      else
        g_ptr_array_add (answered, (gpointer) q);
    }
  g_ptr_array_sort (answered, compare_question_codes);
  g_ptr_array_sort (declined, compare_question_codes);
  g_ptr_array_sort (skipped, compare_question_codes);

  finished_at = get_now (self);
  started_utc = g_date_time_to_utc (self->started_at != NULL ? self->started_at : finished_at);
  {
    g_autoptr(GDateTime) finished_utc = g_date_time_to_utc (finished_at);

    finished = g_date_time_format (finished_utc, "%Y-%m-%dT%H:%M:%SZ");
  }
  started = g_date_time_format (started_utc, "%Y-%m-%dT%H:%M:%SZ");

  summary = (Summary) { answered, declined, skipped, started, finished };
  write_session (self, &w, &summary);
  buffer = intake_secure_buffer_new (w.len);
  w = (Writer) { (char *) buffer->data, 0 };
  write_session (self, &w, &summary);
  g_assert (w.len == buffer->len);

  return buffer;
}

void
intake_session_wipe (IntakeSession *self)
{
  g_return_if_fail (INTAKE_IS_SESSION (self));

  for (guint i = 0; i < self->n_questions; i++)
    clear_answer (self, i);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  self->position = BEFORE_START;
  self->furthest = BEFORE_START;
  emit_changed (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

IntakeSession *
intake_session_new (IntakeQuestionnaire *questionnaire,
                    const char          *language)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (intake_questionnaire_lookup_language (questionnaire, language) != NULL, NULL);

  return g_object_new (INTAKE_TYPE_SESSION,
                       "questionnaire", questionnaire,
                       "language", language,
                       NULL);
}

IntakeQuestionnaire *
intake_session_get_questionnaire (IntakeSession *self)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);
  return self->questionnaire;
}

const char *
intake_session_get_language (IntakeSession *self)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);
  return self->language;
}

void
intake_session_set_now (IntakeSession *self,
                        GDateTime     *now)
{
  g_return_if_fail (INTAKE_IS_SESSION (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  if (now != NULL)
    self->now = g_date_time_ref (now);
}

GDateTime *
intake_session_get_started_at (IntakeSession *self)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (self), NULL);
  return self->started_at;
}

static void
intake_session_constructed (GObject *object)
{
  IntakeSession *self = INTAKE_SESSION (object);

  G_OBJECT_CLASS (intake_session_parent_class)->constructed (object);

  g_assert (self->questionnaire != NULL);
  g_assert (intake_questionnaire_lookup_language (self->questionnaire, self->language) != NULL);

  self->n_questions = intake_questionnaire_get_n_questions (self->questionnaire);
  self->answers = g_new0 (IntakeAnswer *, MAX (self->n_questions, 1));
}

static void
intake_session_dispose (GObject *object)
{
  IntakeSession *self = INTAKE_SESSION (object);

  if (self->answers != NULL)
    for (guint i = 0; i < self->n_questions; i++)
      clear_answer (self, i);
  g_clear_object (&self->questionnaire);

  G_OBJECT_CLASS (intake_session_parent_class)->dispose (object);
}

static void
intake_session_finalize (GObject *object)
{
  IntakeSession *self = INTAKE_SESSION (object);

  g_clear_pointer (&self->answers, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);

  G_OBJECT_CLASS (intake_session_parent_class)->finalize (object);
}

static void
intake_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  IntakeSession *self = INTAKE_SESSION (object);

  switch (prop_id)
    {
    case PROP_QUESTIONNAIRE:
      g_value_set_object (value, self->questionnaire);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, self->language);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  IntakeSession *self = INTAKE_SESSION (object);

  switch (prop_id)
    {
    case PROP_QUESTIONNAIRE:
      self->questionnaire = g_value_dup_object (value);
      break;
    case PROP_LANGUAGE:
      self->language = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_session_class_init (IntakeSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = intake_session_constructed;
  object_class->dispose = intake_session_dispose;
  object_class->finalize = intake_session_finalize;
  object_class->get_property = intake_session_get_property;
  object_class->set_property = intake_session_set_property;

  properties[PROP_QUESTIONNAIRE] =
    g_param_spec_object ("questionnaire", NULL, NULL,
                         INTAKE_TYPE_QUESTIONNAIRE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after any change of answers, visibility or position. */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
intake_session_init (IntakeSession *self)
{
  self->position = BEFORE_START;
  self->furthest = BEFORE_START;
}

/* intake-questionnaire.c: the strict loader of docs/questionnaire.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "intake-answer.h"
#include "intake-canonical-json.h"
#include "intake-json.h"
#include "intake-questionnaire.h"

G_DEFINE_QUARK (intake-questionnaire-error-quark, intake_questionnaire_error)

#define MAX_NESTING 64
/* Checked in the text (intake_json_validate_at) before json-glib parses it:
 * far below the depth that overflows its recursive parser, far above what
 * check_tree() allows. */
#define MAX_RAW_NESTING 1024
#define MAX_CONDITION_DEPTH 16
#define MAX_SHORT_TEXT_LENGTH 500
#define MAX_SCALE_STEPS 11
#define MAX_AUDIO_PATH 255

struct _IntakeText {
  guint   n;
  char  **langs;
  char  **values;
  /* Recordings: bundle-relative paths, parallel to @langs (NULL where a
   * language has none); NULL when the text has no "audio". */
  char  **audio;
};

typedef enum {
  CONDITION_EQUALS,
  CONDITION_ONE_OF,
  CONDITION_AT_LEAST,
  CONDITION_AT_MOST,
  CONDITION_ANSWERED,
  CONDITION_NOT,
  CONDITION_ALL,
  CONDITION_ANY,
} ConditionKind;

struct _IntakeCondition {
  ConditionKind          kind;
  /* Comparisons: the earlier question looked at, and the values compared
   * with: option codes in @strings for choice questions, otherwise
   * @numbers (booleans as 0/1; the limit of at_least/at_most; the flag of
   * answered). */
  const IntakeQuestion  *question;
  guint                  n_values;
  char                 **strings;
  gint64                *numbers;
  /* not, all, any */
  IntakeCondition      **children;
  guint                  n_children;
};

struct _IntakeQuestionnaire {
  GObject      parent_instance;

  char        *id;
  guint32      version;
  char        *source_language;
  IntakeText  *title;
  IntakeText  *introduction;

  GPtrArray   *languages;      /* IntakeLanguage */
  GPtrArray   *sections;       /* IntakeSection */
  GPtrArray   *questions;      /* IntakeQuestion */
  GHashTable  *question_codes; /* code -> IntakeQuestion */

  /* Owners of every text and condition node, so the structs can point freely. */
  GPtrArray   *texts;
  GPtrArray   *conditions;

  /* Where recordings are looked up (docs/questionnaire.md, "Recorded
   * audio"): the file's folder, or a resource folder; neither for a
   * questionnaire read from bytes alone, which then plays none. */
  GFile       *bundle_dir;
  GResource   *bundle_resource;
  char        *bundle_resource_dir;
  /* Recordings of the kiosk's own strings: language -> (msgid -> path). */
  GHashTable  *interface_audio;

  GBytes      *canonical;
  guint8       hash[crypto_hash_sha256_BYTES];
  char         hash_hex[crypto_hash_sha256_BYTES * 2 + 1];
};

G_DEFINE_FINAL_TYPE (IntakeQuestionnaire, intake_questionnaire, G_TYPE_OBJECT)

static const char * const type_names[] = {
  [INTAKE_QUESTION_TYPE_SINGLE_CHOICE] = "single_choice",
  [INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE] = "multiple_choice",
  [INTAKE_QUESTION_TYPE_SCALE] = "scale",
  [INTAKE_QUESTION_TYPE_YES_NO] = "yes_no",
  [INTAKE_QUESTION_TYPE_SHORT_TEXT] = "short_text",
  [INTAKE_QUESTION_TYPE_NUMBER] = "number",
  [INTAKE_QUESTION_TYPE_DATE] = "date",
  [INTAKE_QUESTION_TYPE_LADDER] = "ladder",
};

static const char * const text_kind_names[] = {
  [INTAKE_TEXT_KIND_TEXT] = "text",
  [INTAKE_TEXT_KIND_EMAIL] = "email",
  [INTAKE_TEXT_KIND_PHONE] = "phone",
  [INTAKE_TEXT_KIND_DIGITS] = "digits",
};

static const char * const zrm_values[] = {
  "finances", "work_education", "daily_activities", "housing", "domestic_relations",
  "mental_health", "physical_health", "substance_use", "basic_adl", "instrumental_adl",
  "social_network", "social_participation", "justice", NULL
};
static const char * const pg_values[] = {
  "bodily_functions", "mental_wellbeing", "meaning", "quality_of_life", "participation",
  "daily_functioning", NULL
};
static const char * const esco_values[] = { "T1", "T2", "T3", "T4", "T5", "T6", NULL };
static const char * const ladder_values[] = { "current", "aim", NULL };

static const char * const top_keys[] = {
  "format", "id", "version", "source_language", "languages", "title", "introduction", "sections",
  "interface_audio", NULL
};
static const char * const language_keys[] = { "name", "direction", "status", "audio", NULL };
static const char * const section_keys[] = { "code", "title", "visible_if", "questions", NULL };
static const char * const condition_keys[] = {
  "question", "equals", "one_of", "at_least", "at_most", "answered", "not", "all", "any", NULL
};
static const char * const comparison_keys[] = {
  "equals", "one_of", "at_least", "at_most", "answered", NULL
};
static const char * const tag_keys[] = { "zrm", "pg", "esco", "ladder", NULL };

#define COMMON_QUESTION_KEYS "code", "type", "text", "help", "required", "rather_not_say", "visible_if", "tags"
static const char * const single_choice_keys[] = { COMMON_QUESTION_KEYS, "options", NULL };
static const char * const multiple_choice_keys[] = { COMMON_QUESTION_KEYS, "options", "min_selected", "max_selected", NULL };
static const char * const scale_keys[] = { COMMON_QUESTION_KEYS, "min", "max", "min_label", "max_label", NULL };
static const char * const yes_no_keys[] = { COMMON_QUESTION_KEYS, NULL };
static const char * const short_text_keys[] = { COMMON_QUESTION_KEYS, "max_length", "text_kind", "none_option", NULL };
static const char * const number_keys[] = { COMMON_QUESTION_KEYS, "min", "max", "unit", NULL };
static const char * const date_keys[] = { COMMON_QUESTION_KEYS, "min", "max", "allow_unknown", NULL };
static const char * const ladder_keys[] = { COMMON_QUESTION_KEYS, "rungs", NULL };

static const char * const * const question_keys[] = {
  [INTAKE_QUESTION_TYPE_SINGLE_CHOICE] = single_choice_keys,
  [INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE] = multiple_choice_keys,
  [INTAKE_QUESTION_TYPE_SCALE] = scale_keys,
  [INTAKE_QUESTION_TYPE_YES_NO] = yes_no_keys,
  [INTAKE_QUESTION_TYPE_SHORT_TEXT] = short_text_keys,
  [INTAKE_QUESTION_TYPE_NUMBER] = number_keys,
  [INTAKE_QUESTION_TYPE_DATE] = date_keys,
  [INTAKE_QUESTION_TYPE_LADDER] = ladder_keys,
};

/* ------------------------------------------------------------------ */
/* Plain structs                                                        */

static void
text_free (IntakeText *text)
{
  g_strfreev (text->langs);
  g_strfreev (text->values);
  if (text->audio != NULL)
    {
      for (guint i = 0; i < text->n; i++)
        g_free (text->audio[i]);
      g_free (text->audio);
    }
  g_free (text);
}

static void
condition_free (IntakeCondition *condition)
{
  g_strfreev (condition->strings);
  g_free (condition->numbers);
  g_free (condition->children);
  g_free (condition);
}

static void
language_free (IntakeLanguage *language)
{
  g_free (language->code);
  g_free (language->name);
  g_free (language->audio);
  g_free (language);
}

static void
section_free (IntakeSection *section)
{
  g_free (section->code);
  g_free (section);
}

static void
question_free (IntakeQuestion *question)
{
  for (guint i = 0; i < question->n_options; i++)
    g_free (question->options[i].code);
  g_free (question->options);
  g_free (question->code);
  g_free (question->date_min);
  g_free (question->date_max);
  g_free (question->tag_zrm);
  g_free (question->tag_pg);
  g_free (question->tag_esco);
  g_free (question->tag_ladder);
  g_free (question);
}

const char *
intake_text_get_audio (const IntakeText *text,
                       const char       *lang)
{
  if (text == NULL || lang == NULL || text->audio == NULL)
    return NULL;
  for (guint i = 0; i < text->n; i++)
    if (text->langs[i] != NULL && strcmp (text->langs[i], lang) == 0)
      return text->audio[i];
  return NULL;
}

const char *
intake_text_get (const IntakeText *text,
                 const char       *lang)
{
  if (text == NULL || lang == NULL)
    return NULL;
  for (guint i = 0; i < text->n; i++)
    if (strcmp (text->langs[i], lang) == 0)
      return text->values[i];
  return NULL;
}

const char *
intake_question_type_to_string (IntakeQuestionType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

const IntakeOption *
intake_question_lookup_option (const IntakeQuestion *question,
                               const char           *code)
{
  g_return_val_if_fail (question != NULL, NULL);

  if (code == NULL)
    return NULL;
  for (guint i = 0; i < question->n_options; i++)
    if (strcmp (question->options[i].code, code) == 0)
      return &question->options[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Date expressions                                                     */

static gboolean
parse_digits (const char *s,
              gsize       n,
              guint      *out)
{
  guint value = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      value = value * 10 + (guint) (s[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* Strict "YYYY-MM-DD" with a real calendar date in years 1..9999. */
static gboolean
parse_iso_date (const char *s,
                GDate      *out)
{
  guint y, m, d;

  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  if (!parse_digits (s, 4, &y) || !parse_digits (s + 5, 2, &m) || !parse_digits (s + 8, 2, &d))
    return FALSE;
  if (y < 1 || m < 1 || m > 12 || d < 1 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

gboolean
intake_date_expression_evaluate (const char *expression,
                                 GDateTime  *now,
                                 GDate      *out)
{
  g_autoptr(GDateTime) local = NULL;
  const char *rest;
  gboolean negative;
  gsize n_digits;
  guint amount;
  int year, month, day;

  g_return_val_if_fail (expression != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (parse_iso_date (expression, out))
    return TRUE;

  if (!g_str_has_prefix (expression, "today"))
    return FALSE;

  local = g_date_time_to_local (now);
  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_clear (out, 1);
  g_date_set_dmy (out, day, month, year);

  rest = expression + strlen ("today");
  if (*rest == '\0')
    return TRUE;
  if (*rest != '-' && *rest != '+')
    return FALSE;
  negative = *rest == '-';
  rest++;

  n_digits = strspn (rest, "0123456789");
  if (n_digits < 1 || n_digits > 5 || strlen (rest) != n_digits + 1)
    return FALSE;
  if (!parse_digits (rest, n_digits, &amount))
    return FALSE;

  /* GDate criticals on results outside its range, so check first. */
  switch (rest[n_digits])
    {
    case 'd':
      {
        gint64 julian = (gint64) g_date_get_julian (out) + (negative ? -(gint64) amount : amount);
        GDate last;

        g_date_clear (&last, 1);
        g_date_set_dmy (&last, 31, 12, 9999);
        if (julian < 1 || julian > g_date_get_julian (&last))
          return FALSE;
        g_date_set_julian (out, (guint32) julian);
        return TRUE;
      }

    case 'm':
      {
        gint64 months = (gint64) year * 12 + (month - 1) + (negative ? -(gint64) amount : amount);

        if (months < 12 || months > 9999 * 12 + 11)
          return FALSE;
        if (negative)
          g_date_subtract_months (out, amount);
        else
          g_date_add_months (out, amount);
        return TRUE;
      }

    case 'y':
      {
        gint64 target = (gint64) year + (negative ? -(gint64) amount : amount);

        if (target < 1 || target > 9999)
          return FALSE;
        if (negative)
          g_date_subtract_years (out, amount);
        else
          g_date_add_years (out, amount);
        return TRUE;
      }

    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Conditions                                                           */

static gboolean
value_matches (const IntakeCondition *condition,
               const IntakeAnswer    *answer,
               guint                  i)
{
  switch (intake_answer_get_kind (answer))
    {
    case INTAKE_ANSWER_CHOICE:
      return condition->strings != NULL &&
             strcmp (intake_answer_get_string (answer), condition->strings[i]) == 0;
    case INTAKE_ANSWER_CHOICES:
      return condition->strings != NULL &&
             intake_answer_has_choice (answer, condition->strings[i]);
    case INTAKE_ANSWER_BOOLEAN:
      return condition->numbers != NULL &&
             (intake_answer_get_boolean (answer) ? 1 : 0) == condition->numbers[i];
    case INTAKE_ANSWER_INTEGER:
      return condition->numbers != NULL &&
             intake_answer_get_integer (answer) == condition->numbers[i];
    case INTAKE_ANSWER_TEXT:
    case INTAKE_ANSWER_DATE:
    case INTAKE_ANSWER_DECLINED:
    default:
      return FALSE;
    }
}

gboolean
intake_condition_evaluate (const IntakeCondition  *condition,
                           IntakeAnswerLookupFunc  lookup,
                           gpointer                user_data)
{
  const IntakeAnswer *answer = NULL;

  g_return_val_if_fail (condition != NULL, FALSE);
  g_return_val_if_fail (lookup != NULL, FALSE);

  switch (condition->kind)
    {
    case CONDITION_NOT:
      return !intake_condition_evaluate (condition->children[0], lookup, user_data);

    case CONDITION_ALL:
      for (guint i = 0; i < condition->n_children; i++)
        if (!intake_condition_evaluate (condition->children[i], lookup, user_data))
          return FALSE;
      return TRUE;

    case CONDITION_ANY:
      for (guint i = 0; i < condition->n_children; i++)
        if (intake_condition_evaluate (condition->children[i], lookup, user_data))
          return TRUE;
      return FALSE;

    case CONDITION_EQUALS:
    case CONDITION_ONE_OF:
    case CONDITION_AT_LEAST:
    case CONDITION_AT_MOST:
    case CONDITION_ANSWERED:
    default:
      break;
    }

  answer = lookup (condition->question->index, user_data);
  if (answer != NULL && intake_answer_is_declined (answer))
    answer = NULL;

  switch (condition->kind)
    {
    case CONDITION_ANSWERED:
      return (answer != NULL) == (condition->numbers[0] != 0);

    case CONDITION_EQUALS:
    case CONDITION_ONE_OF:
      if (answer == NULL)
        return FALSE;
      for (guint i = 0; i < condition->n_values; i++)
        if (value_matches (condition, answer, i))
          return TRUE;
      return FALSE;

    case CONDITION_AT_LEAST:
      return answer != NULL && intake_answer_get_kind (answer) == INTAKE_ANSWER_INTEGER &&
             intake_answer_get_integer (answer) >= condition->numbers[0];

    case CONDITION_AT_MOST:
      return answer != NULL && intake_answer_get_kind (answer) == INTAKE_ANSWER_INTEGER &&
             intake_answer_get_integer (answer) <= condition->numbers[0];

    case CONDITION_NOT:
    case CONDITION_ALL:
    case CONDITION_ANY:
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Loader                                                               */

typedef struct {
  IntakeQuestionnaire *self;
  const char          *display;
  GHashTable          *member_names;   /* JsonObject -> GHashTable of keys, while parsing */
  GHashTable          *duplicates;     /* JsonObject -> first repeated key */
  GHashTable          *all_codes;      /* every question code in the file (pre-scan) */
  GHashTable          *section_codes;
  GDateTime           *now;
} Loader;

static gboolean fail (Loader                    *l,
                      GError                   **error,
                      IntakeQuestionnaireError   code,
                      const char                *path,
                      const char                *format,
                      ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail (Loader                    *l,
      GError                   **error,
      IntakeQuestionnaireError   code,
      const char                *path,
      const char                *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, code, "%s: %s: %s", l->display, path, message);
  return FALSE;
}

static gboolean
is_identifier (const char *key)
{
  if (!g_ascii_isalpha (*key) && *key != '_')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static char *
member_path (const char *path,
             const char *key)
{
  g_autoptr(GString) quoted = NULL;

  if (is_identifier (key))
    return g_strdup_printf ("%s.%s", path, key);

  quoted = g_string_new (NULL);
  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (quoted, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (quoted, *p);
    }
  return g_strdup_printf ("%s[\"%s\"]", path, quoted->str);
}

static char *
element_path (const char *path,
              guint       i)
{
  return g_strdup_printf ("%s[%u]", path, i);
}

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_INT64:
          return "an integer";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        case G_TYPE_DOUBLE:
          return "a number with a fraction or exponent";
        default:
          return "an unsupported value";
        }
    }
}

static char *
join_keys (const char * const *keys)
{
  return g_strjoinv (", ", (char **) keys);
}

static gboolean
in_list (const char * const *list,
         const char         *value)
{
  return g_strv_contains (list, value);
}

typedef enum {
  KIND_STRING,
  KIND_INTEGER,
  KIND_BOOLEAN,
  KIND_OBJECT,
  KIND_ARRAY,
} Kind;

static const char * const kind_names[] = {
  [KIND_STRING] = "a string",
  [KIND_INTEGER] = "an integer",
  [KIND_BOOLEAN] = "a boolean (true or false)",
  [KIND_OBJECT] = "an object",
  [KIND_ARRAY] = "an array",
};

static gboolean
node_is (JsonNode *node,
         Kind      kind)
{
  switch (kind)
    {
    case KIND_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case KIND_INTEGER:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    case KIND_BOOLEAN:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
    case KIND_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case KIND_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
expect (Loader      *l,
        JsonNode    *node,
        const char  *path,
        Kind         kind,
        GError     **error)
{
  if (node_is (node, kind))
    return TRUE;
  return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, path,
               "must be %s, not %s; see docs/questionnaire.md for the type of each key",
               kind_names[kind], describe_node (node));
}

static gboolean
check_keys (Loader              *l,
            JsonObject          *object,
            const char          *path,
            const char * const  *allowed,
            const char          *what,
            GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *key = m->data;

      if (!in_list (allowed, key))
        {
          g_autofree char *child = member_path (path, key);
          g_autofree char *list = join_keys (allowed);

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_KEY, child,
                       "unknown key \"%s\" in %s; check the spelling (allowed keys here: %s)",
                       key, what, list);
        }
    }
  return TRUE;
}

/* Looks up @key in @object and checks its type; *out is NULL when an
 * optional key is absent. */
static gboolean
get_member (Loader      *l,
            JsonObject  *object,
            const char  *path,
            const char  *key,
            Kind         kind,
            gboolean     required,
            JsonNode   **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  g_autofree char *child = NULL;

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, path,
                   "the required key \"%s\" is missing; add it (%s)", key, kind_names[kind]);
    }

  child = member_path (path, key);
  if (!expect (l, node, child, kind, error))
    return FALSE;
  *out = node;
  return TRUE;
}

static gboolean
get_string (Loader      *l,
            JsonObject  *object,
            const char  *path,
            const char  *key,
            gboolean     required,
            const char **out,
            GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!get_member (l, object, path, key, KIND_STRING, required, &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_int (Loader      *l,
         JsonObject  *object,
         const char  *path,
         const char  *key,
         gboolean     required,
         gboolean    *present,
         gint64      *out,
         GError     **error)
{
  JsonNode *node;

  if (!get_member (l, object, path, key, KIND_INTEGER, required, &node, error))
    return FALSE;
  if (present != NULL)
    *present = node != NULL;
  if (node != NULL)
    *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (Loader      *l,
          JsonObject  *object,
          const char  *path,
          const char  *key,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node;

  *out = FALSE;
  if (!get_member (l, object, path, key, KIND_BOOLEAN, FALSE, &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_boolean (node);
  return TRUE;
}

/* [a-z] (or [a-z0-9] when @digit_first) then [a-z0-9_]{0,47}. */
static gboolean
is_code (const char *code,
         gboolean    digit_first)
{
  gsize len = strlen (code);

  if (len < 1 || len > 48)
    return FALSE;
  if (!g_ascii_islower (code[0]) && !(digit_first && g_ascii_isdigit (code[0])))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (code[i]) && !g_ascii_isdigit (code[i]) && code[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_questionnaire_id (const char *id)
{
  gsize len = strlen (id);

  if (len < 1 || len > 64)
    return FALSE;
  if (!g_ascii_islower (id[0]) && !g_ascii_isdigit (id[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && strchr ("._-", id[i]) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_language_code (const char *code)
{
  return strlen (code) == 2 && g_ascii_islower (code[0]) && g_ascii_islower (code[1]);
}

static gboolean
get_code (Loader      *l,
          JsonObject  *object,
          const char  *path,
          gboolean     digit_first,
          const char **out,
          GError     **error)
{
  g_autofree char *child = member_path (path, "code");

  if (!get_string (l, object, path, "code", TRUE, out, error))
    return FALSE;
  if (!is_code (*out, digit_first))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, child,
                 "\"%s\" is not a valid code; use 1 to 48 characters: %s, then lowercase "
                 "letters, digits or _", *out,
                 digit_first ? "a lowercase letter or digit" : "a lowercase letter");
  return TRUE;
}

/* Checks what the format forbids anywhere: repeated keys, non-integer
 * numbers and unreasonable nesting. */
static gboolean
check_tree (Loader      *l,
            JsonNode    *node,
            const char  *path,
            guint        depth,
            GError     **error)
{
  if (depth > MAX_NESTING)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, path,
                 "nested more than %u levels deep; simplify the structure", MAX_NESTING);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *repeated = g_hash_table_lookup (l->duplicates, object);
      g_autoptr(GList) members = NULL;

      if (repeated != NULL)
        {
          g_autofree char *child = member_path (path, repeated);

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_KEY, child,
                       "the key \"%s\" appears more than once in this object; keep only one",
                       repeated);
        }

      members = json_object_get_members (object);
      for (GList *m = members; m != NULL; m = m->next)
        {
          g_autofree char *child = NULL;

          /* An unpaired surrogate escape ("\ud800") decodes to bytes that
           * are not UTF-8, which nothing downstream can display or hash. */
          if (!g_utf8_validate (m->data, -1, NULL))
            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, path,
                         "a key is not valid text (it has an unpaired \\ud800-\\udfff "
                         "escape); write the character itself or a correct surrogate pair");
          child = member_path (path, m->data);
          if (!check_tree (l, json_object_get_member (object, m->data), child, depth + 1, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = element_path (path, i);

          if (!check_tree (l, json_array_get_element (array, i), child, depth + 1, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, path,
                   "a number with a decimal point or exponent is not allowed; write a whole "
                   "number (40, not 40.0, 40.5 or 4e1)");
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           !g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, path,
                   "the string is not valid text (it has an unpaired \\ud800-\\udfff "
                   "escape); write the character itself or a correct surrogate pair");
    }

  return TRUE;
}


/* ---- Recordings ------------------------------------------------------ */

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

#define CONVERT_HINT "convert it, for example with: sox IN.wav -b 16 -c 1 -r 22050 OUT.wav"

gboolean
intake_audio_check_wav (GBytes           *wav,
                        IntakeAudioInfo  *info,
                        GError          **error)
{
  gsize size;
  const guint8 *data;
  gsize offset = 12;
  gboolean have_format = FALSE;
  guint rate = 0;

  g_return_val_if_fail (wav != NULL, FALSE);

  data = g_bytes_get_data (wav, &size);
  if (size > INTAKE_AUDIO_MAX_SIZE)
    {
      g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                   "the recording is %" G_GSIZE_FORMAT " bytes, more than the %u allowed; "
                   "record one text per file, or lower its sample rate", size, INTAKE_AUDIO_MAX_SIZE);
      return FALSE;
    }
  if (size < 12 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WAVE", 4) != 0)
    {
      g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                   "the file is not a WAV file (no RIFF/WAVE header); " CONVERT_HINT);
      return FALSE;
    }

  /* Chunks: "fmt " must come before "data"; others (LIST, ...) are skipped. */
  while (offset + 8 <= size)
    {
      const guint8 *chunk = data + offset;
      guint32 length = read_le32 (chunk + 4);

      if (length > size - offset - 8)
        break;
      if (memcmp (chunk, "fmt ", 4) == 0)
        {
          guint16 format, channels, bits;

          if (length < 16)
            break;
          format = read_le16 (chunk + 8);
          channels = read_le16 (chunk + 10);
          rate = read_le32 (chunk + 12);
          bits = read_le16 (chunk + 22);
          if (format != 1 || bits != 16)
            {
              g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                           "the recording is not 16-bit PCM (format %u, %u bits); " CONVERT_HINT,
                           format, bits);
              return FALSE;
            }
          if (channels != 1)
            {
              g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                           "the recording has %u channels, the kiosk plays mono only; " CONVERT_HINT,
                           channels);
              return FALSE;
            }
          if (rate < 8000 || rate > 48000)
            {
              g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                           "the sample rate is %u Hz, outside 8000 to 48000 Hz; " CONVERT_HINT, rate);
              return FALSE;
            }
          have_format = TRUE;
        }
      else if (memcmp (chunk, "data", 4) == 0)
        {
          if (!have_format)
            break;
          if (length < 2)
            {
              g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
                           "the recording holds no sound; record the text again");
              return FALSE;
            }
          if (info != NULL)
            {
              info->rate = rate;
              info->data_offset = offset + 8;
              info->n_samples = length / 2;
            }
          return TRUE;
        }
      /* Chunks are padded to an even length. */
      offset += 8 + (gsize) length + (length & 1);
    }

  g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT,
               "the WAV file is cut short or its chunks are out of order (a \"fmt \" chunk, then "
               "\"data\"); " CONVERT_HINT);
  return FALSE;
}

/* A path the format allows: relative, '/'-separated, each part made of
 * letters, digits, '.', '_' and '-' (never "." or ".."), ending in ".wav". */
static gboolean
is_audio_path (const char *path)
{
  g_auto(GStrv) parts = NULL;
  gsize length = strlen (path);

  if (length == 0 || length > MAX_AUDIO_PATH || !g_str_has_suffix (path, ".wav") || path[0] == '/')
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
        return FALSE;
      for (const char *p = parts[i]; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
          return FALSE;
    }
  return TRUE;
}

/* The recording's bytes from the bundle; NULL (and @missing TRUE) when the
 * bundle lacks it, NULL with @missing FALSE when it leads out of the
 * bundle (a symbolic link) or cannot be read. */
static GBytes *
bundle_load (IntakeQuestionnaire  *self,
             const char           *path,
             gboolean             *missing,
             GError              **error)
{
  *missing = FALSE;
  if (self->bundle_resource != NULL)
    {
      g_autofree char *full = g_build_path ("/", self->bundle_resource_dir, path, NULL);
      GBytes *bytes = g_resource_lookup_data (self->bundle_resource, full,
                                              G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

      *missing = bytes == NULL;
      return bytes;
    }
  if (self->bundle_dir != NULL)
    {
      g_autoptr(GFile) file = g_file_resolve_relative_path (self->bundle_dir, path);
      g_autofree char *file_path = g_file_get_path (file);
      g_autofree char *dir_path = g_file_get_path (self->bundle_dir);
      g_autofree char *real_file = NULL;
      g_autofree char *real_dir = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_test (file_path, G_FILE_TEST_EXISTS))
        {
          *missing = TRUE;
          return NULL;
        }
      /* A link may not lead out of the bundle. */
      real_file = realpath (file_path, NULL);
      real_dir = realpath (dir_path, NULL);
      if (real_file == NULL || real_dir == NULL || !g_str_has_prefix (real_file, real_dir) ||
          real_file[strlen (real_dir)] != G_DIR_SEPARATOR)
        {
          g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH,
                       "leads out of the questionnaire's folder (a symbolic link?); put the "
                       "recording itself in the folder");
          return NULL;
        }
      if (!g_file_get_contents (real_file, &contents, &length, error))
        return NULL;
      return g_bytes_new_take (g_steal_pointer (&contents), length);
    }
  return NULL;
}

static gboolean
has_bundle (IntakeQuestionnaire *self)
{
  return self->bundle_resource != NULL || self->bundle_dir != NULL;
}

/* Checks one recording reference at @path (a JSON path) of the loader. */
static gboolean
check_audio (Loader      *l,
             JsonNode    *node,
             const char  *path,
             const char **out,
             GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *value;
  gboolean missing;

  if (!expect (l, node, path, KIND_STRING, error))
    return FALSE;
  value = json_node_get_string (node);
  if (!is_audio_path (value))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH, path,
                 "\"%s\" is not a path inside the questionnaire's folder; write a relative path "
                 "with '/' between folders, no \"..\", made of letters, digits, '.', '_' and "
                 "'-', ending in \".wav\" (for example \"audio/ti/first_name.wav\")", value);
  *out = value;
  if (!has_bundle (self))
    return TRUE;

  bytes = bundle_load (self, value, &missing, &local_error);
  if (missing)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING, path,
                 "the recording \"%s\" is not in the questionnaire's folder; add the file or "
                 "remove the reference", value);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_PATH, path, "\"%s\" %s",
                     value, local_error->message);
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_MISSING, path,
                   "the recording \"%s\" cannot be read (%s); check its permissions",
                   value, local_error->message);
    }
  if (!intake_audio_check_wav (bytes, NULL, &local_error))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_AUDIO_FORMAT, path, "\"%s\": %s",
                 value, local_error->message);
  return TRUE;
}

/* A text's "audio": {"ti": "audio/ti/x.wav", ...}, stored parallel to the
 * text's languages. */
static gboolean
parse_text_audio (Loader      *l,
                  JsonNode    *node,
                  const char  *path,
                  IntakeText  *text,
                  GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!expect (l, node, path, KIND_OBJECT, error))
    return FALSE;
  object = json_node_get_object (node);
  if (json_object_get_size (object) == 0)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, path,
                 "names no recording; remove \"audio\" or add {\"LANG\": \"audio/LANG/FILE.wav\"}");
  text->audio = g_new0 (char *, text->n + 1);
  members = json_object_get_members (object);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *lang = m->data;
      g_autofree char *child = member_path (path, lang);
      const char *value = NULL;

      if (intake_questionnaire_lookup_language (self, lang) == NULL)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, child,
                     "\"%s\" is not a language declared in $.languages; declare it there or "
                     "remove this recording", lang);
      if (!check_audio (l, json_object_get_member (object, lang), child, &value, error))
        return FALSE;
      for (guint i = 0; i < text->n; i++)
        if (strcmp (text->langs[i], lang) == 0)
          text->audio[i] = g_strdup (value);
    }
  return TRUE;
}

/* $.interface_audio: {"ti": {"Next": "audio/ti/ui/next.wav", ...}, ...} */
static gboolean
parse_interface_audio (Loader      *l,
                       JsonObject  *root,
                       GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autoptr(GList) languages = NULL;
  JsonNode *node;

  if (!get_member (l, root, "$", "interface_audio", KIND_OBJECT, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  languages = json_object_get_members (json_node_get_object (node));
  for (GList *m = languages; m != NULL; m = m->next)
    {
      const char *lang = m->data;
      g_autofree char *lang_path = member_path ("$.interface_audio", lang);
      JsonNode *strings = json_object_get_member (json_node_get_object (node), lang);
      g_autoptr(GList) msgids = NULL;
      GHashTable *table;

      if (intake_questionnaire_lookup_language (self, lang) == NULL)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, lang_path,
                     "\"%s\" is not a language declared in $.languages; declare it there or "
                     "remove these recordings", lang);
      if (!expect (l, strings, lang_path, KIND_OBJECT, error))
        return FALSE;
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->interface_audio, g_strdup (lang), table);
      msgids = json_object_get_members (json_node_get_object (strings));
      for (GList *n = msgids; n != NULL; n = n->next)
        {
          const char *msgid = n->data;
          g_autofree char *child = member_path (lang_path, msgid);
          const char *value = NULL;

          if (*msgid == '\0')
            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, child,
                         "an empty key; use the kiosk string's English text (its msgid in po/)");
          if (!check_audio (l, json_object_get_member (json_node_get_object (strings), msgid),
                            child, &value, error))
            return FALSE;
          g_hash_table_insert (table, g_strdup (msgid), g_strdup (value));
        }
    }
  return TRUE;
}

static gboolean
parse_text (Loader      *l,
            JsonNode    *node,
            const char  *path,
            IntakeText **out,
            GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  IntakeText *text;
  guint i = 0;

  *out = NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, path,
                 "must be a text: an object with a string per language, such as "
                 "{\"%s\": \"...\"}, not %s",
                 self->source_language, describe_node (node));

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *lang = m->data;
      JsonNode *value = json_object_get_member (object, lang);
      g_autofree char *child = member_path (path, lang);

      /* The recordings, checked once the text is made. */
      if (strcmp (lang, "audio") == 0)
        continue;
      if (intake_questionnaire_lookup_language (self, lang) == NULL)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, child,
                     "\"%s\" is not a language declared in $.languages; declare it there or "
                     "remove this translation", lang);
      if (!expect (l, value, child, KIND_STRING, error))
        return FALSE;
      if (*json_node_get_string (value) == '\0')
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, child,
                     "the text is empty; write the %s text (a draft is fine when the language "
                     "is marked draft)", lang);
    }

  for (guint j = 0; j < self->languages->len; j++)
    {
      const IntakeLanguage *language = g_ptr_array_index (self->languages, j);

      if (!json_object_has_member (object, language->code))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_TRANSLATION, path,
                     "has no \"%s\" (%s) translation; add one (mark the language \"draft\" "
                     "until a translator has reviewed it)", language->code, language->name);
    }

  text = g_new0 (IntakeText, 1);
  text->n = self->languages->len;
  text->langs = g_new0 (char *, text->n + 1);
  text->values = g_new0 (char *, text->n + 1);
  for (GList *m = members; m != NULL; m = m->next)
    {
      if (strcmp (m->data, "audio") == 0)
        continue;
      text->langs[i] = g_strdup (m->data);
      text->values[i] = g_strdup (json_object_get_string_member (object, m->data));
      i++;
    }
  g_ptr_array_add (self->texts, text);

  if (json_object_has_member (object, "audio"))
    {
      g_autofree char *audio_path = member_path (path, "audio");

      if (!parse_text_audio (l, json_object_get_member (object, "audio"), audio_path, text, error))
        return FALSE;
    }

  *out = text;
  return TRUE;
}

static gboolean
get_text (Loader      *l,
          JsonObject  *object,
          const char  *path,
          const char  *key,
          gboolean     required,
          IntakeText **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  g_autofree char *child = NULL;

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, path,
                   "the required text \"%s\" is missing; add it as an object with a string per "
                   "language, such as {\"%s\": \"...\"}", key, l->self->source_language);
    }
  child = member_path (path, key);
  return parse_text (l, node, child, out, error);
}

static int
compare_languages (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const IntakeLanguage *la = *(const IntakeLanguage * const *) a;
  const IntakeLanguage *lb = *(const IntakeLanguage * const *) b;
  const char *source = user_data;
  gboolean a_source = strcmp (la->code, source) == 0;
  gboolean b_source = strcmp (lb->code, source) == 0;

  if (a_source != b_source)
    return a_source ? -1 : 1;
  return strcmp (la->code, lb->code);
}

static gboolean
parse_languages (Loader      *l,
                 JsonObject  *root,
                 GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  JsonNode *node;
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  const IntakeLanguage *source;

  if (!get_member (l, root, "$", "languages", KIND_OBJECT, TRUE, &node, error))
    return FALSE;
  object = json_node_get_object (node);
  if (json_object_get_size (object) == 0)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.languages",
                 "declares no language; declare at least the source language \"%s\"",
                 self->source_language);

  members = json_object_get_members (object);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *code = m->data;
      g_autofree char *path = member_path ("$.languages", code);
      g_autofree char *direction_path = member_path (path, "direction");
      g_autofree char *status_path = member_path (path, "status");
      g_autofree char *name_path = member_path (path, "name");
      JsonNode *value = json_object_get_member (object, code);
      JsonObject *language_object;
      const char *name, *direction, *status;
      IntakeLanguage *language;

      if (!is_language_code (code))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, path,
                     "\"%s\" is not a language code; use the two lowercase letters of "
                     "ISO 639-1 (nl, en, ar, ...)", code);
      if (!expect (l, value, path, KIND_OBJECT, error))
        return FALSE;
      language_object = json_node_get_object (value);
      if (!check_keys (l, language_object, path, language_keys, "a language", error) ||
          !get_string (l, language_object, path, "name", TRUE, &name, error) ||
          !get_string (l, language_object, path, "direction", TRUE, &direction, error) ||
          !get_string (l, language_object, path, "status", TRUE, &status, error))
        return FALSE;
      if (*name == '\0')
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, name_path,
                     "the name is empty; write the language's name in that language, such as "
                     "\"Nederlands\"");
      if (strcmp (direction, "ltr") != 0 && strcmp (direction, "rtl") != 0)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, direction_path,
                     "\"%s\" is not a direction; use \"ltr\" or \"rtl\"", direction);
      if (strcmp (status, "reviewed") != 0 && strcmp (status, "draft") != 0)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, status_path,
                     "\"%s\" is not a status; use \"reviewed\" or \"draft\"", status);

      language = g_new0 (IntakeLanguage, 1);
      language->code = g_strdup (code);
      language->name = g_strdup (name);
      language->rtl = strcmp (direction, "rtl") == 0;
      language->reviewed = strcmp (status, "reviewed") == 0;
      g_ptr_array_add (self->languages, language);

      /* A recording of the name, said in the language: the welcome screen
       * plays it where there is no voice to say it. */
      if (json_object_has_member (language_object, "audio"))
        {
          g_autofree char *audio_path = member_path (path, "audio");
          const char *audio = NULL;

          if (!check_audio (l, json_object_get_member (language_object, "audio"), audio_path,
                            &audio, error))
            return FALSE;
          language->audio = g_strdup (audio);
        }
    }

  source = intake_questionnaire_lookup_language (self, self->source_language);
  if (source == NULL)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_LANGUAGE, "$.source_language",
                 "the source language \"%s\" is not declared in $.languages; declare it there",
                 self->source_language);
  if (!source->reviewed)
    {
      g_autofree char *path = member_path ("$.languages", source->code);
      g_autofree char *status_path = member_path (path, "status");

      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, status_path,
                   "\"%s\" is the source language and must be \"reviewed\"; have the text "
                   "approved and set the status to \"reviewed\"", source->code);
    }

  g_ptr_array_sort_with_data (self->languages, compare_languages, self->source_language);
  return TRUE;
}

/* Resolves a condition's "question" for a condition that may only look at
 * questions parsed so far. @self_code is the code of the question the
 * condition belongs to (NULL for a section condition). */
static gboolean
resolve_reference (Loader                *l,
                   const char            *code,
                   const char            *path,
                   const char            *self_code,
                   const IntakeQuestion **out,
                   GError               **error)
{
  IntakeQuestionnaire *self = l->self;

  *out = g_hash_table_lookup (self->question_codes, code);
  if (*out != NULL)
    return TRUE;

  if (self_code != NULL && strcmp (code, self_code) == 0)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_CYCLE, path,
                 "the condition of \"%s\" refers to the question itself; a condition may "
                 "only look at earlier questions", code);
  if (g_hash_table_contains (l->all_codes, code))
    {
      if (self_code == NULL)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD, path,
                     "condition refers to \"%s\", which is in this section or a later one; a "
                     "section condition may only look at questions of earlier sections", code);
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_FORWARD, path,
                   "condition refers to \"%s\", which comes later in the questionnaire; a "
                   "condition may only look at earlier questions", code);
    }
  return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_UNKNOWN, path,
               "condition refers to \"%s\", but no question has that code; check the "
               "spelling", code);
}

static gboolean
is_numeric_type (IntakeQuestionType type)
{
  return type == INTAKE_QUESTION_TYPE_NUMBER || type == INTAKE_QUESTION_TYPE_SCALE ||
         type == INTAKE_QUESTION_TYPE_LADDER;
}

static gboolean
is_choice_type (IntakeQuestionType type)
{
  return type == INTAKE_QUESTION_TYPE_SINGLE_CHOICE ||
         type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE;
}

static gboolean
check_number_in_range (Loader                *l,
                       const IntakeQuestion  *q,
                       JsonNode              *node,
                       const char            *path,
                       gint64                *out,
                       GError               **error)
{
  if (!node_is (node, KIND_INTEGER))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, path,
                 "\"%s\" is a %s question, so the value must be an integer, not %s",
                 q->code, type_names[q->type], describe_node (node));
  *out = json_node_get_int (node);
  if (*out < q->min || *out > q->max)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, path,
                 "%" G_GINT64_FORMAT " is outside the range of \"%s\" (%" G_GINT64_FORMAT
                 " to %" G_GINT64_FORMAT "); use a value in that range", *out, q->code,
                 q->min, q->max);
  return TRUE;
}

/* A value for equals/one_of, checked against question @q. */
static gboolean
check_value (Loader                *l,
             const IntakeQuestion  *q,
             JsonNode              *node,
             const char            *path,
             IntakeCondition       *condition,
             guint                  i,
             GError               **error)
{
  if (is_choice_type (q->type))
    {
      const char *code;

      if (!node_is (node, KIND_STRING))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, path,
                     "\"%s\" is a choice question, so the value must be one of its option "
                     "codes (a string), not %s", q->code, describe_node (node));
      code = json_node_get_string (node);
      if (intake_question_lookup_option (q, code) == NULL)
        {
          g_autoptr(GPtrArray) codes = g_ptr_array_new ();
          g_autofree char *list = NULL;

          for (guint j = 0; j < q->n_options; j++)
            g_ptr_array_add (codes, q->options[j].code);
          g_ptr_array_add (codes, NULL);
          list = g_strjoinv (", ", (char **) codes->pdata);
          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, path,
                       "\"%s\" is not an option of \"%s\"; use one of: %s", code, q->code, list);
        }
      condition->strings[i] = g_strdup (code);
      return TRUE;
    }

  if (q->type == INTAKE_QUESTION_TYPE_YES_NO)
    {
      if (!node_is (node, KIND_BOOLEAN))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, path,
                     "\"%s\" is a yes_no question, so the value must be true or false, not %s",
                     q->code, describe_node (node));
      condition->numbers[i] = json_node_get_boolean (node) ? 1 : 0;
      return TRUE;
    }

  g_assert (is_numeric_type (q->type));
  return check_number_in_range (l, q, node, path, &condition->numbers[i], error);
}

static IntakeCondition *
condition_new (IntakeQuestionnaire *self,
               ConditionKind        kind)
{
  IntakeCondition *condition = g_new0 (IntakeCondition, 1);

  condition->kind = kind;
  g_ptr_array_add (self->conditions, condition);
  return condition;
}

static gboolean parse_condition (Loader           *l,
                                 JsonNode         *node,
                                 const char       *path,
                                 const char       *self_code,
                                 guint             depth,
                                 IntakeCondition **out,
                                 GError          **error);

static gboolean
parse_comparison (Loader           *l,
                  JsonObject       *object,
                  const char       *path,
                  const char       *self_code,
                  IntakeCondition **out,
                  GError          **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autofree char *question_path = member_path (path, "question");
  const IntakeQuestion *q;
  const char *code;
  const char *op = NULL;
  g_autofree char *op_path = NULL;
  JsonNode *value;
  IntakeCondition *condition;

  if (!get_string (l, object, path, "question", TRUE, &code, error) ||
      !resolve_reference (l, code, question_path, self_code, &q, error))
    return FALSE;

  for (guint i = 0; comparison_keys[i] != NULL; i++)
    {
      if (!json_object_has_member (object, comparison_keys[i]))
        continue;
      if (op != NULL)
        {
          g_autofree char *second = member_path (path, comparison_keys[i]);

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, second,
                       "a condition has one comparison, but this one has both \"%s\" and "
                       "\"%s\"; combine two conditions with \"all\" or \"any\"",
                       op, comparison_keys[i]);
        }
      op = comparison_keys[i];
    }
  if (op == NULL)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, path,
                 "the condition on \"%s\" has no comparison; add one of equals, one_of, "
                 "at_least, at_most or answered", code);

  op_path = member_path (path, op);
  value = json_object_get_member (object, op);

  if (strcmp (op, "answered") == 0)
    {
      if (!expect (l, value, op_path, KIND_BOOLEAN, error))
        return FALSE;
      condition = condition_new (self, CONDITION_ANSWERED);
      condition->question = q;
      condition->n_values = 1;
      condition->numbers = g_new0 (gint64, 1);
      condition->numbers[0] = json_node_get_boolean (value) ? 1 : 0;
      *out = condition;
      return TRUE;
    }

  if (strcmp (op, "at_least") == 0 || strcmp (op, "at_most") == 0)
    {
      if (!is_numeric_type (q->type))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, op_path,
                     "\"%s\" cannot be used on \"%s\", a %s question; it only works on "
                     "number, scale and ladder questions", op, q->code, type_names[q->type]);
      if (!expect (l, value, op_path, KIND_INTEGER, error))
        return FALSE;
      condition = condition_new (self, strcmp (op, "at_least") == 0 ? CONDITION_AT_LEAST
                                                                    : CONDITION_AT_MOST);
      condition->question = q;
      condition->n_values = 1;
      condition->numbers = g_new0 (gint64, 1);
      if (!check_number_in_range (l, q, value, op_path, &condition->numbers[0], error))
        return FALSE;
      *out = condition;
      return TRUE;
    }

  /* equals, one_of */
  if (q->type == INTAKE_QUESTION_TYPE_SHORT_TEXT || q->type == INTAKE_QUESTION_TYPE_DATE)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_CONDITION_TYPE, op_path,
                 "\"%s\" cannot be used on \"%s\", a %s question; use \"answered\" instead",
                 op, q->code, type_names[q->type]);

  if (strcmp (op, "equals") == 0)
    {
      condition = condition_new (self, CONDITION_EQUALS);
      condition->question = q;
      condition->n_values = 1;
      if (is_choice_type (q->type))
        condition->strings = g_new0 (char *, 2);
      else
        condition->numbers = g_new0 (gint64, 1);
      if (!check_value (l, q, value, op_path, condition, 0, error))
        return FALSE;
    }
  else
    {
      JsonArray *array;
      guint n;

      if (!expect (l, value, op_path, KIND_ARRAY, error))
        return FALSE;
      array = json_node_get_array (value);
      n = json_array_get_length (array);
      if (n == 0)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, op_path,
                     "one_of has no values; list at least one");

      condition = condition_new (self, CONDITION_ONE_OF);
      condition->question = q;
      condition->n_values = n;
      if (is_choice_type (q->type))
        condition->strings = g_new0 (char *, n + 1);
      else
        condition->numbers = g_new0 (gint64, n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *element = element_path (op_path, i);

          if (!check_value (l, q, json_array_get_element (array, i), element, condition, i, error))
            return FALSE;
        }
    }

  *out = condition;
  return TRUE;
}

static gboolean
parse_condition (Loader           *l,
                 JsonNode         *node,
                 const char       *path,
                 const char       *self_code,
                 guint             depth,
                 IntakeCondition **out,
                 GError          **error)
{
  static const char * const forms[] = { "question", "not", "all", "any", NULL };
  IntakeQuestionnaire *self = l->self;
  JsonObject *object;
  const char *form = NULL;
  g_autofree char *form_path = NULL;
  JsonNode *value;
  IntakeCondition *condition;

  *out = NULL;
  if (depth > MAX_CONDITION_DEPTH)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, path,
                 "conditions are nested more than %u deep; simplify the condition",
                 MAX_CONDITION_DEPTH);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_WRONG_TYPE, path,
                 "must be a condition object such as {\"question\": \"code\", \"equals\": true}, "
                 "not %s", describe_node (node));
  object = json_node_get_object (node);
  if (!check_keys (l, object, path, condition_keys, "a condition", error))
    return FALSE;

  for (guint i = 0; forms[i] != NULL; i++)
    {
      if (!json_object_has_member (object, forms[i]))
        continue;
      if (form != NULL)
        {
          g_autofree char *second = member_path (path, forms[i]);

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, second,
                       "a condition object has one form, but this one has both \"%s\" and "
                       "\"%s\"; nest them with \"all\" or \"any\"", form, forms[i]);
        }
      form = forms[i];
    }
  if (form == NULL)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_KEY, path,
                 "the condition has none of \"question\", \"not\", \"all\" or \"any\"; add one");

  if (strcmp (form, "question") == 0)
    return parse_comparison (l, object, path, self_code, out, error);

  if (json_object_get_size (object) > 1)
    {
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *m = members; m != NULL; m = m->next)
        if (strcmp (m->data, form) != 0)
          {
            g_autofree char *extra = member_path (path, m->data);

            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, extra,
                         "\"%s\" only belongs next to \"question\", not in a \"%s\" condition; "
                         "move it into a condition of its own", (const char *) m->data, form);
          }
    }

  form_path = member_path (path, form);
  value = json_object_get_member (object, form);

  if (strcmp (form, "not") == 0)
    {
      condition = condition_new (self, CONDITION_NOT);
      condition->n_children = 1;
      condition->children = g_new0 (IntakeCondition *, 1);
      if (!parse_condition (l, value, form_path, self_code, depth + 1, &condition->children[0], error))
        return FALSE;
    }
  else
    {
      JsonArray *array;
      guint n;

      if (!expect (l, value, form_path, KIND_ARRAY, error))
        return FALSE;
      array = json_node_get_array (value);
      n = json_array_get_length (array);
      if (n == 0)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, form_path,
                     "\"%s\" has no conditions; list at least one", form);

      condition = condition_new (self, strcmp (form, "all") == 0 ? CONDITION_ALL : CONDITION_ANY);
      condition->n_children = n;
      condition->children = g_new0 (IntakeCondition *, n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *element = element_path (form_path, i);

          if (!parse_condition (l, json_array_get_element (array, i), element, self_code,
                                depth + 1, &condition->children[i], error))
            return FALSE;
        }
    }

  *out = condition;
  return TRUE;
}

static gboolean
get_condition (Loader           *l,
               JsonObject       *object,
               const char       *path,
               const char       *self_code,
               IntakeCondition **out,
               GError          **error)
{
  JsonNode *node = json_object_get_member (object, "visible_if");
  g_autofree char *child = NULL;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  child = member_path (path, "visible_if");
  return parse_condition (l, node, child, self_code, 0, out, error);
}

static gboolean
parse_options (Loader          *l,
               JsonObject      *object,
               const char      *path,
               IntakeQuestion  *q,
               GError         **error)
{
  static const char * const single_option_keys[] = { "code", "label", NULL };
  static const char * const multiple_option_keys[] = { "code", "label", "exclusive", NULL };
  gboolean multiple = q->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE;
  g_autofree char *options_path = member_path (path, "options");
  JsonNode *node;
  JsonArray *array;
  guint n;

  if (!get_member (l, object, path, "options", KIND_ARRAY, TRUE, &node, error))
    return FALSE;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 2)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_MISSING_OPTIONS, options_path,
                 "has %u option%s; a choice question needs at least 2 (use yes_no for a "
                 "single yes/no choice)", n, n == 1 ? "" : "s");

  q->options = g_new0 (IntakeOption, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *option_path = element_path (options_path, i);
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *option_object;
      IntakeOption *option = &q->options[i];
      const char *code;

      if (!expect (l, element, option_path, KIND_OBJECT, error))
        return FALSE;
      option_object = json_node_get_object (element);
      if (!check_keys (l, option_object, option_path,
                       multiple ? multiple_option_keys : single_option_keys,
                       multiple ? "an option" : "an option (\"exclusive\" is only for multiple_choice)",
                       error) ||
          !get_code (l, option_object, option_path, TRUE, &code, error))
        return FALSE;
      if (intake_question_lookup_option (q, code) != NULL)
        {
          g_autofree char *code_path = member_path (option_path, "code");

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, code_path,
                       "the option code \"%s\" is used twice in \"%s\"; give each option its "
                       "own code", code, q->code);
        }
      option->code = g_strdup (code);
      q->n_options++;
      if (!get_text (l, option_object, option_path, "label", TRUE, &option->label, error) ||
          !get_bool (l, option_object, option_path, "exclusive", &option->exclusive, error))
        return FALSE;
    }

  if (multiple)
    {
      gint64 min_selected = 1, max_selected = n;

      if (!get_int (l, object, path, "min_selected", FALSE, NULL, &min_selected, error) ||
          !get_int (l, object, path, "max_selected", FALSE, NULL, &max_selected, error))
        return FALSE;
      if (min_selected < 1 || min_selected > max_selected || max_selected > n)
        {
          /* Point at the key that is off: max_selected when it exceeds the
           * options or is the only one given, min_selected otherwise. */
          gboolean blame_max = max_selected > n || max_selected < 1 ||
                               !json_object_has_member (object, "min_selected");
          g_autofree char *range_path = member_path (path, blame_max ? "max_selected" : "min_selected");

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, range_path,
                       "min_selected %" G_GINT64_FORMAT " and max_selected %" G_GINT64_FORMAT
                       " do not fit %u options; use 1 <= min_selected <= max_selected <= %u",
                       min_selected, max_selected, n, n);
        }
      /* An exclusive option is only ever chosen alone: with fewer other
       * options than min_selected, the exclusive one would be the only
       * answer a resident could give. */
      {
        guint combinable = 0;

        for (guint i = 0; i < q->n_options; i++)
          if (!q->options[i].exclusive)
            combinable++;
        if (combinable < q->n_options && min_selected > combinable)
          {
            g_autofree char *range_path = member_path (path, "min_selected");

            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, range_path,
                         "min_selected %" G_GINT64_FORMAT " is more than the %u options that can be "
                         "chosen together (an exclusive option is only chosen alone); use at most %u",
                         min_selected, combinable, combinable);
          }
      }
      q->min_selected = min_selected;
      q->max_selected = max_selected;
    }

  return TRUE;
}

static gboolean
parse_tags (Loader          *l,
            JsonObject      *object,
            const char      *path,
            IntakeQuestion  *q,
            GError         **error)
{
  static const char * const * const tag_values[] = { zrm_values, pg_values, esco_values, ladder_values };
  g_autofree char *tags_path = member_path (path, "tags");
  JsonNode *node;
  JsonObject *tags;
  g_autoptr(GList) members = NULL;

  if (!get_member (l, object, path, "tags", KIND_OBJECT, FALSE, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  tags = json_node_get_object (node);
  members = json_object_get_members (tags);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const char *key = m->data;
      g_autofree char *tag_path = member_path (tags_path, key);
      JsonNode *value = json_object_get_member (tags, key);
      const char *tag;
      guint which;

      if (!in_list (tag_keys, key))
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, tag_path,
                     "\"%s\" is not a tag; use zrm, pg, esco or ladder", key);
      if (!expect (l, value, tag_path, KIND_STRING, error))
        return FALSE;
      tag = json_node_get_string (value);
      for (which = 0; strcmp (tag_keys[which], key) != 0; which++)
        ;
      if (!in_list (tag_values[which], tag))
        {
          g_autofree char *list = join_keys (tag_values[which]);

          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, tag_path,
                       "\"%s\" is not a valid %s tag; use one of: %s", tag, key, list);
        }
      switch (which)
        {
        case 0:
          q->tag_zrm = g_strdup (tag);
          break;
        case 1:
          q->tag_pg = g_strdup (tag);
          break;
        case 2:
          q->tag_esco = g_strdup (tag);
          break;
        case 3:
          if (q->type != INTAKE_QUESTION_TYPE_LADDER)
            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_TAG, tag_path,
                         "the ladder tag only belongs on ladder questions, and \"%s\" is a %s "
                         "question; remove the tag", q->code, type_names[q->type]);
          q->tag_ladder = g_strdup (tag);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

static gboolean
parse_type_specific (Loader          *l,
                     JsonObject      *object,
                     const char      *path,
                     IntakeQuestion  *q,
                     GError         **error)
{
  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      return parse_options (l, object, path, q, error);

    case INTAKE_QUESTION_TYPE_YES_NO:
      return TRUE;

    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
      {
        g_autofree char *max_path = member_path (path, "max");

        if (!get_int (l, object, path, "min", TRUE, NULL, &q->min, error) ||
            !get_int (l, object, path, "max", TRUE, NULL, &q->max, error))
          return FALSE;
        if (q->type == INTAKE_QUESTION_TYPE_NUMBER)
          {
            if (q->min > q->max)
              return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, max_path,
                           "max %" G_GINT64_FORMAT " is below min %" G_GINT64_FORMAT
                           "; make min <= max", q->max, q->min);
            return get_text (l, object, path, "unit", FALSE, &q->unit, error);
          }
        if (q->min >= q->max)
          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, max_path,
                       "a scale needs min < max, but min is %" G_GINT64_FORMAT " and max is %"
                       G_GINT64_FORMAT, q->min, q->max);
        /* Unsigned arithmetic: the difference of two gint64 with min < max fits. */
        if ((guint64) q->max - (guint64) q->min >= MAX_SCALE_STEPS)
          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, max_path,
                       "a scale from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " has more than %u "
                       "steps; use at most %u (0 to 10 is the usual widest); for a quantity use "
                       "a number question", q->min, q->max, MAX_SCALE_STEPS, MAX_SCALE_STEPS);
        return get_text (l, object, path, "min_label", TRUE, &q->min_label, error) &&
               get_text (l, object, path, "max_label", TRUE, &q->max_label, error);
      }

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      {
        g_autofree char *length_path = member_path (path, "max_length");
        g_autofree char *kind_path = member_path (path, "text_kind");
        const char *kind = NULL;
        gint64 max_length = 0;

        if (!get_int (l, object, path, "max_length", TRUE, NULL, &max_length, error))
          return FALSE;
        if (max_length < 1 || max_length > MAX_SHORT_TEXT_LENGTH)
          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, length_path,
                       "max_length %" G_GINT64_FORMAT " is out of range; use 1 to %u",
                       max_length, MAX_SHORT_TEXT_LENGTH);
        q->max_length = max_length;

        if (!get_string (l, object, path, "text_kind", FALSE, &kind, error))
          return FALSE;
        q->text_kind = INTAKE_TEXT_KIND_TEXT;
        if (kind != NULL)
          {
            guint i;

            for (i = 0; i < G_N_ELEMENTS (text_kind_names); i++)
              if (strcmp (kind, text_kind_names[i]) == 0)
                break;
            if (i == G_N_ELEMENTS (text_kind_names))
              return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, kind_path,
                           "\"%s\" is not a text kind; use text, email, phone or digits", kind);
            q->text_kind = i;
          }
        return get_text (l, object, path, "none_option", FALSE, &q->none_option, error);
      }

    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *bounds[2] = { "min", "max" };
        GDate dates[2];

        for (guint i = 0; i < 2; i++)
          {
            g_autofree char *bound_path = member_path (path, bounds[i]);
            const char *expression;

            if (!get_string (l, object, path, bounds[i], TRUE, &expression, error))
              return FALSE;
            if (!intake_date_expression_evaluate (expression, l->now, &dates[i]))
              return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, bound_path,
                           "\"%s\" is not a date expression; write \"YYYY-MM-DD\", \"today\", or "
                           "\"today-N\" / \"today+N\" followed by d, m or y (e.g. \"today-120y\")",
                           expression);
            if (i == 0)
              q->date_min = g_strdup (expression);
            else
              q->date_max = g_strdup (expression);
          }
        if (g_date_compare (&dates[0], &dates[1]) > 0)
          {
            g_autofree char *max_path = member_path (path, "max");

            return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_BAD_RANGE, max_path,
                         "max \"%s\" is before min \"%s\"; make min <= max", q->date_max, q->date_min);
          }
        return get_bool (l, object, path, "allow_unknown", &q->allow_unknown, error);
      }

    case INTAKE_QUESTION_TYPE_LADDER:
      {
        g_autofree char *rungs_path = member_path (path, "rungs");
        JsonNode *node;
        JsonArray *array;
        guint n;

        if (!get_member (l, object, path, "rungs", KIND_ARRAY, TRUE, &node, error))
          return FALSE;
        array = json_node_get_array (node);
        n = json_array_get_length (array);
        if (n != INTAKE_LADDER_RUNGS)
          return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, rungs_path,
                       "has %u rungs; the Participatieladder has exactly %u, rung 1 first",
                       n, INTAKE_LADDER_RUNGS);
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *rung_path = element_path (rungs_path, i);

            if (!parse_text (l, json_array_get_element (array, i), rung_path, &q->rungs[i], error))
              return FALSE;
          }
        q->min = 1;
        q->max = INTAKE_LADDER_RUNGS;
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_question (Loader      *l,
                JsonNode    *node,
                const char  *path,
                guint        section,
                GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autofree char *type_path = member_path (path, "type");
  g_autofree char *code_path = member_path (path, "code");
  g_autofree char *what = NULL;
  JsonObject *object;
  IntakeQuestion *q;
  const char *type;
  const char *code;
  guint t;

  if (!expect (l, node, path, KIND_OBJECT, error))
    return FALSE;
  object = json_node_get_object (node);

  if (!get_string (l, object, path, "type", TRUE, &type, error))
    return FALSE;
  for (t = 0; t < G_N_ELEMENTS (type_names); t++)
    if (strcmp (type, type_names[t]) == 0)
      break;
  if (t == G_N_ELEMENTS (type_names))
    {
      g_autofree char *list = g_strjoin (", ", type_names[0], type_names[1], type_names[2], type_names[3],
                        type_names[4], type_names[5], type_names[6], type_names[7], NULL);
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNKNOWN_QUESTION_TYPE, type_path,
                   "\"%s\" is not a question type; use one of: %s", type, list);
    }

  what = g_strdup_printf ("a %s question", type);
  if (!check_keys (l, object, path, question_keys[t], what, error) ||
      !get_code (l, object, path, FALSE, &code, error))
    return FALSE;
  if (g_hash_table_contains (self->question_codes, code))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, code_path,
                 "the question code \"%s\" is used twice; every question needs its own code "
                 "(answers are stored by it)", code);

  q = g_new0 (IntakeQuestion, 1);
  q->code = g_strdup (code);
  q->type = t;
  q->section = section;
  q->index = self->questions->len;
  g_ptr_array_add (self->questions, q);

  if (!get_text (l, object, path, "text", TRUE, &q->text, error) ||
      !get_text (l, object, path, "help", FALSE, &q->help, error) ||
      !get_bool (l, object, path, "required", &q->required, error) ||
      !get_bool (l, object, path, "rather_not_say", &q->rather_not_say, error) ||
      !parse_type_specific (l, object, path, q, error) ||
      !parse_tags (l, object, path, q, error) ||
      !get_condition (l, object, path, q->code, &q->visible_if, error))
    return FALSE;

  g_hash_table_insert (self->question_codes, q->code, q);
  return TRUE;
}

static gboolean
parse_section (Loader      *l,
               JsonNode    *node,
               const char  *path,
               GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  g_autofree char *code_path = member_path (path, "code");
  g_autofree char *questions_path = member_path (path, "questions");
  IntakeSection *section;
  JsonObject *object;
  JsonNode *questions;
  JsonArray *array;
  const char *code;

  if (!expect (l, node, path, KIND_OBJECT, error))
    return FALSE;
  object = json_node_get_object (node);
  if (!check_keys (l, object, path, section_keys, "a section", error) ||
      !get_code (l, object, path, FALSE, &code, error))
    return FALSE;
  if (g_hash_table_contains (l->section_codes, code))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_CODE, code_path,
                 "the section code \"%s\" is used twice; give each section its own code", code);

  section = g_new0 (IntakeSection, 1);
  section->code = g_strdup (code);
  section->index = self->sections->len;
  section->first_question = self->questions->len;
  g_ptr_array_add (self->sections, section);
  g_hash_table_add (l->section_codes, section->code);

  if (!get_text (l, object, path, "title", TRUE, &section->title, error) ||
      !get_condition (l, object, path, NULL, &section->visible_if, error) ||
      !get_member (l, object, path, "questions", KIND_ARRAY, TRUE, &questions, error))
    return FALSE;

  array = json_node_get_array (questions);
  if (json_array_get_length (array) == 0)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, questions_path,
                 "the section has no questions; add at least one or remove the section");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *question_path = element_path (questions_path, i);

      if (!parse_question (l, json_array_get_element (array, i), question_path, section->index, error))
        return FALSE;
      section->n_questions++;
    }
  return TRUE;
}

/* Collects every question code so that a condition can tell a later
 * question from a misspelt one. Tolerant: errors are found later. */
static void
prescan_codes (Loader     *l,
               JsonObject *root)
{
  JsonNode *sections = json_object_get_member (root, "sections");

  if (sections == NULL || !JSON_NODE_HOLDS_ARRAY (sections))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (sections)); i++)
    {
      JsonNode *section = json_array_get_element (json_node_get_array (sections), i);
      JsonNode *questions;

      if (!JSON_NODE_HOLDS_OBJECT (section))
        continue;
      questions = json_object_get_member (json_node_get_object (section), "questions");
      if (questions == NULL || !JSON_NODE_HOLDS_ARRAY (questions))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (questions)); j++)
        {
          JsonNode *question = json_array_get_element (json_node_get_array (questions), j);
          JsonNode *code;

          if (!JSON_NODE_HOLDS_OBJECT (question))
            continue;
          code = json_object_get_member (json_node_get_object (question), "code");
          if (code != NULL && node_is (code, KIND_STRING))
            g_hash_table_add (l->all_codes, (gpointer) json_node_get_string (code));
        }
    }
}

static gboolean
parse_root (Loader      *l,
            JsonNode    *root,
            GError     **error)
{
  IntakeQuestionnaire *self = l->self;
  JsonObject *object;
  JsonNode *sections;
  JsonArray *array;
  const char *id, *source;
  gint64 format = 0, version = 0;

  if (!expect (l, root, "$", KIND_OBJECT, error))
    return FALSE;
  object = json_node_get_object (root);

  /* The format number first: a later format may well have other keys. */
  if (!get_int (l, object, "$", "format", TRUE, NULL, &format, error))
    return FALSE;
  if (format != 1)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_UNSUPPORTED_FORMAT, "$.format",
                 "format %" G_GINT64_FORMAT " is not supported; this program reads format 1 "
                 "(update the software, or write the questionnaire in format 1)", format);

  if (!check_tree (l, root, "$", 0, error) ||
      !check_keys (l, object, "$", top_keys, "the questionnaire", error) ||
      !get_string (l, object, "$", "id", TRUE, &id, error))
    return FALSE;
  if (!is_questionnaire_id (id))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.id",
                 "\"%s\" is not a valid id; use 1 to 64 characters: a lowercase letter or "
                 "digit, then lowercase letters, digits, '.', '_' or '-'", id);
  self->id = g_strdup (id);

  if (!get_int (l, object, "$", "version", TRUE, NULL, &version, error))
    return FALSE;
  if (version < 1 || version > G_MAXUINT32)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE, "$.version",
                 "version %" G_GINT64_FORMAT " is out of range; use 1 or higher (up to %u)",
                 version, G_MAXUINT32);
  self->version = version;

  if (!get_string (l, object, "$", "source_language", TRUE, &source, error))
    return FALSE;
  self->source_language = g_strdup (source);

  if (!parse_languages (l, object, error) ||
      !parse_interface_audio (l, object, error) ||
      !get_text (l, object, "$", "title", TRUE, &self->title, error) ||
      !get_text (l, object, "$", "introduction", FALSE, &self->introduction, error) ||
      !get_member (l, object, "$", "sections", KIND_ARRAY, TRUE, &sections, error))
    return FALSE;

  array = json_node_get_array (sections);
  if (json_array_get_length (array) == 0)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_EMPTY, "$.sections",
                 "the questionnaire has no sections; add at least one section with a question");

  prescan_codes (l, object);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = element_path ("$.sections", i);

      if (!parse_section (l, json_array_get_element (array, i), path, error))
        return FALSE;
    }
  return TRUE;
}

static void
object_member_cb (JsonParser *parser,
                  JsonObject *object,
                  const char *member_name,
                  gpointer    user_data)
{
  Loader *l = user_data;
  GHashTable *names = g_hash_table_lookup (l->member_names, object);

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (l->member_names, object, names);
    }
  if (!g_hash_table_add (names, g_strdup (member_name)) &&
      !g_hash_table_contains (l->duplicates, object))
    g_hash_table_insert (l->duplicates, object, g_strdup (member_name));
}

static gboolean
parse_json (Loader      *l,
            JsonParser  *parser,
            GBytes      *data,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *json_path = NULL;
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);
  int line, column, consumed = 0;

  if (size > INTAKE_QUESTIONNAIRE_MAX_SIZE)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                 "the file is %" G_GSIZE_FORMAT " bytes, more than the %u allowed; this is not "
                 "a questionnaire or it must be split", size, INTAKE_QUESTIONNAIRE_MAX_SIZE);
  if (size == 0 || bytes == NULL)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                 "the file is empty; a questionnaire is a JSON object");
  if (!g_utf8_validate_len (bytes, size, NULL))
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                 "the file is not valid UTF-8 (or contains a NUL byte); save it as UTF-8");
  /* Strict JSON first (intake-json.c): json-glib alone would take
   * comments, single quotes, 0x10, a key twice, and cut a string at
   * \u0000. */
  if (!intake_json_validate_at (bytes, size, MAX_RAW_NESTING, &json_path, &local_error))
    {
      IntakeQuestionnaireError code = INTAKE_QUESTIONNAIRE_ERROR_PARSE;

      if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_DUPLICATE_KEY))
        code = INTAKE_QUESTIONNAIRE_ERROR_DUPLICATE_KEY;
      else if (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_NUL) ||
               g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TOO_DEEP) ||
               (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_STRING) &&
                strstr (local_error->message, "surrogate") != NULL) ||
               (g_error_matches (local_error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_NUMBER) &&
                strstr (local_error->message, "64 bits") != NULL))
        code = INTAKE_QUESTIONNAIRE_ERROR_INVALID_VALUE;
      return fail (l, error, code, json_path, "%s", local_error->message);
    }

  g_signal_connect (parser, "object-member", G_CALLBACK (object_member_cb), l);
  if (!json_parser_load_from_data (parser, bytes, size, &local_error))
    {
      /* json-glib reports "<data>:LINE:COLUMN: Parse error: ..." */
      if (sscanf (local_error->message, "<data>:%d:%d: %n", &line, &column, &consumed) == 2 &&
          consumed > 0)
        return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                     "invalid JSON at line %d, column %d: %s; fix the syntax (often a "
                     "missing comma, quote or bracket just before that place)",
                     line, column, local_error->message + consumed);
      return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                   "invalid JSON: %s; fix the syntax", local_error->message);
    }
  g_signal_handlers_disconnect_by_func (parser, object_member_cb, l);

  if (json_parser_get_root (parser) == NULL)
    return fail (l, error, INTAKE_QUESTIONNAIRE_ERROR_PARSE, "$",
                 "the file holds no JSON value; a questionnaire is a JSON object");
  return TRUE;
}

IntakeQuestionnaire *
intake_questionnaire_new_from_bytes (GBytes      *data,
                                     const char  *display_name,
                                     GError     **error)
{
  return intake_questionnaire_new_from_bundle (data, display_name, NULL, NULL, NULL, error);
}

IntakeQuestionnaire *
intake_questionnaire_new_from_bundle (GBytes      *data,
                                      const char  *display_name,
                                      GFile       *bundle_dir,
                                      GResource   *resource,
                                      const char  *resource_dir,
                                      GError     **error)
{
  g_autoptr(IntakeQuestionnaire) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) member_names = NULL;
  g_autoptr(GHashTable) duplicates = NULL;
  g_autoptr(GHashTable) all_codes = NULL;
  g_autoptr(GHashTable) section_codes = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *canonical = NULL;
  g_autoptr(GError) canonical_error = NULL;
  gsize canonical_len = 0;
  Loader l = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (bundle_dir == NULL || G_IS_FILE (bundle_dir), NULL);
  g_return_val_if_fail ((resource == NULL) == (resource_dir == NULL), NULL);
  g_return_val_if_fail (bundle_dir == NULL || resource == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (display_name == NULL)
    display_name = "questionnaire";

  if (sodium_init () < 0)
    {
      g_set_error (error, INTAKE_QUESTIONNAIRE_ERROR, INTAKE_QUESTIONNAIRE_ERROR_PARSE,
                   "%s: $: libsodium could not be initialised; the questionnaire cannot be hashed",
                   display_name);
      return NULL;
    }

  self = g_object_new (INTAKE_TYPE_QUESTIONNAIRE, NULL);
  if (bundle_dir != NULL)
    self->bundle_dir = g_object_ref (bundle_dir);
  if (resource != NULL)
    {
      self->bundle_resource = g_resource_ref (resource);
      self->bundle_resource_dir = g_strdup (resource_dir);
    }
  parser = json_parser_new_immutable ();
  member_names = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_hash_table_unref);
  duplicates = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  all_codes = g_hash_table_new (g_str_hash, g_str_equal);
  section_codes = g_hash_table_new (g_str_hash, g_str_equal);
  now = g_date_time_new_now_utc ();

  l.self = self;
  l.display = display_name;
  l.member_names = member_names;
  l.duplicates = duplicates;
  l.all_codes = all_codes;
  l.section_codes = section_codes;
  l.now = now;

  if (!parse_json (&l, parser, data, error))
    return NULL;
  g_clear_pointer (&member_names, g_hash_table_unref);
  l.member_names = NULL;

  if (!parse_root (&l, json_parser_get_root (parser), error))
    return NULL;

  canonical = intake_canonical_json_serialize (json_parser_get_root (parser), &canonical_len,
                                               &canonical_error);
  /* The tree was checked for everything the canonical form rejects. */
  g_assert_no_error (canonical_error);
  crypto_hash_sha256 (self->hash, (const guchar *) canonical, canonical_len);
  for (guint i = 0; i < sizeof self->hash; i++)
    g_snprintf (self->hash_hex + 2 * i, 3, "%02x", self->hash[i]);
  self->canonical = g_bytes_new_take (g_steal_pointer (&canonical), canonical_len);

  return g_steal_pointer (&self);
}

IntakeQuestionnaire *
intake_questionnaire_new_from_file (const char  *path,
                                    GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  g_autofree char *dir_path = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, error))
    {
      g_prefix_error (error, "Cannot read the questionnaire (check the path and permissions): ");
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  display = g_filename_display_name (path);
  /* The bundle: the folder the file is in. */
  dir_path = g_path_get_dirname (path);
  dir = g_file_new_for_path (dir_path);
  return intake_questionnaire_new_from_bundle (bytes, display, dir, NULL, NULL, error);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
intake_questionnaire_finalize (GObject *object)
{
  IntakeQuestionnaire *self = INTAKE_QUESTIONNAIRE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->source_language, g_free);
  g_clear_pointer (&self->question_codes, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_ptr_array_unref);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->languages, g_ptr_array_unref);
  g_clear_pointer (&self->texts, g_ptr_array_unref);
  g_clear_pointer (&self->conditions, g_ptr_array_unref);
  g_clear_pointer (&self->canonical, g_bytes_unref);
  g_clear_pointer (&self->interface_audio, g_hash_table_unref);
  g_clear_object (&self->bundle_dir);
  g_clear_pointer (&self->bundle_resource, g_resource_unref);
  g_clear_pointer (&self->bundle_resource_dir, g_free);

  G_OBJECT_CLASS (intake_questionnaire_parent_class)->finalize (object);
}

static void
intake_questionnaire_class_init (IntakeQuestionnaireClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_questionnaire_finalize;
}

static void
intake_questionnaire_init (IntakeQuestionnaire *self)
{
  self->languages = g_ptr_array_new_with_free_func ((GDestroyNotify) language_free);
  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);
  self->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) question_free);
  self->question_codes = g_hash_table_new (g_str_hash, g_str_equal);
  self->texts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_free);
  self->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) condition_free);
  self->interface_audio = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_hash_table_unref);
}

const char *
intake_questionnaire_get_id (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->id;
}

guint32
intake_questionnaire_get_version (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  return self->version;
}

const char *
intake_questionnaire_get_hash (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->hash_hex;
}

const guint8 *
intake_questionnaire_get_hash_bytes (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->hash;
}

GBytes *
intake_questionnaire_dup_canonical (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return g_bytes_ref (self->canonical);
}

const char *
intake_questionnaire_get_source_language (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->source_language;
}

const char *
intake_questionnaire_get_title (IntakeQuestionnaire *self,
                                const char          *lang)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return intake_text_get (self->title, lang);
}

const char *
intake_questionnaire_get_introduction (IntakeQuestionnaire *self,
                                       const char          *lang)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return intake_text_get (self->introduction, lang);
}

const IntakeText *
intake_questionnaire_get_title_text (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->title;
}

const IntakeText *
intake_questionnaire_get_introduction_text (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return self->introduction;
}

guint
intake_questionnaire_get_n_languages (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  return self->languages->len;
}

const IntakeLanguage *
intake_questionnaire_get_language (IntakeQuestionnaire *self,
                                   guint                i)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  g_return_val_if_fail (i < self->languages->len, NULL);
  return g_ptr_array_index (self->languages, i);
}

const IntakeLanguage *
intake_questionnaire_lookup_language (IntakeQuestionnaire *self,
                                      const char          *code)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);

  if (code == NULL)
    return NULL;
  for (guint i = 0; i < self->languages->len; i++)
    {
      const IntakeLanguage *language = g_ptr_array_index (self->languages, i);

      if (strcmp (language->code, code) == 0)
        return language;
    }
  return NULL;
}

guint
intake_questionnaire_get_n_sections (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  return self->sections->len;
}

const IntakeSection *
intake_questionnaire_get_section (IntakeQuestionnaire *self,
                                  guint                i)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  g_return_val_if_fail (i < self->sections->len, NULL);
  return g_ptr_array_index (self->sections, i);
}

guint
intake_questionnaire_get_n_questions (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  return self->questions->len;
}

const IntakeQuestion *
intake_questionnaire_get_question (IntakeQuestionnaire *self,
                                   guint                i)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  g_return_val_if_fail (i < self->questions->len, NULL);
  return g_ptr_array_index (self->questions, i);
}

const IntakeQuestion *
intake_questionnaire_lookup_question (IntakeQuestionnaire *self,
                                      const char          *code)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);

  if (code == NULL)
    return NULL;
  return g_hash_table_lookup (self->question_codes, code);
}

guint
intake_questionnaire_count_strings (IntakeQuestionnaire *self,
                                    const char          *lang)
{
  guint n = 0;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);

  for (guint i = 0; i < self->texts->len; i++)
    if (intake_text_get (g_ptr_array_index (self->texts, i), lang) != NULL)
      n++;
  return n;
}

guint
intake_questionnaire_count_texts (IntakeQuestionnaire *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  return self->texts->len;
}

/* ---- Recordings -------------------------------------------------------- */

static GBytes *
dup_recording (IntakeQuestionnaire *self,
               const char          *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean missing;

  if (path == NULL || !has_bundle (self))
    return NULL;
  bytes = bundle_load (self, path, &missing, &error);
  if (bytes == NULL)
    {
      g_debug ("Recording %s is gone: %s", path, missing ? "not in the bundle" : error->message);
      return NULL;
    }
  /* Checked at load; the file may have changed since. */
  if (!intake_audio_check_wav (bytes, NULL, &error))
    {
      g_debug ("Recording %s is no longer playable: %s", path, error->message);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

GBytes *
intake_questionnaire_dup_audio (IntakeQuestionnaire *self,
                                const IntakeText    *text,
                                const char          *lang)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  return dup_recording (self, intake_text_get_audio (text, lang));
}

GBytes *
intake_questionnaire_dup_language_audio (IntakeQuestionnaire *self,
                                         const char          *lang)
{
  const IntakeLanguage *language;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  language = intake_questionnaire_lookup_language (self, lang);
  return language != NULL ? dup_recording (self, language->audio) : NULL;
}

GBytes *
intake_questionnaire_dup_interface_audio (IntakeQuestionnaire *self,
                                          const char          *lang,
                                          const char          *msgid)
{
  GHashTable *table;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), NULL);
  if (lang == NULL || msgid == NULL)
    return NULL;
  table = g_hash_table_lookup (self->interface_audio, lang);
  return table != NULL ? dup_recording (self, g_hash_table_lookup (table, msgid)) : NULL;
}

guint
intake_questionnaire_count_audio (IntakeQuestionnaire *self,
                                  const char          *lang)
{
  guint n = 0;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);

  for (guint i = 0; i < self->texts->len; i++)
    if (intake_text_get_audio (g_ptr_array_index (self->texts, i), lang) != NULL)
      n++;
  return n;
}

guint
intake_questionnaire_count_interface_audio (IntakeQuestionnaire *self,
                                            const char          *lang)
{
  GHashTable *table;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (self), 0);
  table = lang != NULL ? g_hash_table_lookup (self->interface_audio, lang) : NULL;
  return table != NULL ? g_hash_table_size (table) : 0;
}

int
intake_condition_get_last_question (const IntakeCondition *condition)
{
  int last = -1;

  if (condition == NULL)
    return -1;
  if (condition->question != NULL)
    last = (int) condition->question->index;
  for (guint i = 0; i < condition->n_children; i++)
    last = MAX (last, intake_condition_get_last_question (condition->children[i]));
  return last;
}

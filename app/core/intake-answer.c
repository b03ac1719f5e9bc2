/* intake-answer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-answer.h"
#include "intake-secure.h"
#include "intake-session.h"

struct _IntakeAnswer {
  IntakeAnswerKind   kind;
  char              *string;   /* CHOICE, TEXT, DATE */
  char             **choices;  /* CHOICES, sorted */
  guint              n_choices;
  gint64             integer;
  gboolean           boolean;
};

G_DEFINE_BOXED_TYPE (IntakeAnswer, intake_answer, intake_answer_copy, intake_answer_free)

static IntakeAnswer *
answer_new (IntakeAnswerKind kind)
{
  IntakeAnswer *self = g_new0 (IntakeAnswer, 1);

  self->kind = kind;
  return self;
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

IntakeAnswer *
intake_answer_new_choice (const char *code)
{
  IntakeAnswer *self;

  g_return_val_if_fail (code != NULL, NULL);

  self = answer_new (INTAKE_ANSWER_CHOICE);
  self->string = g_strdup (code);
  return self;
}

IntakeAnswer *
intake_answer_new_choices (const char * const *codes)
{
  IntakeAnswer *self;

  g_return_val_if_fail (codes != NULL, NULL);

  self = answer_new (INTAKE_ANSWER_CHOICES);
  self->n_choices = g_strv_length ((char **) codes);
  self->choices = g_new0 (char *, self->n_choices + 1);
  for (guint i = 0; i < self->n_choices; i++)
    self->choices[i] = g_strdup (codes[i]);
  qsort (self->choices, self->n_choices, sizeof (char *), compare_codes);
  return self;
}

IntakeAnswer *
intake_answer_new_integer (gint64 value)
{
  IntakeAnswer *self = answer_new (INTAKE_ANSWER_INTEGER);

  self->integer = value;
  return self;
}

IntakeAnswer *
intake_answer_new_boolean (gboolean value)
{
  IntakeAnswer *self = answer_new (INTAKE_ANSWER_BOOLEAN);

  self->boolean = !!value;
  return self;
}

IntakeAnswer *
intake_answer_new_text (const char *text)
{
  IntakeAnswer *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = answer_new (INTAKE_ANSWER_TEXT);
  self->string = g_strdup (text);
  return self;
}

IntakeAnswer *
intake_answer_new_date (const char *date)
{
  IntakeAnswer *self;

  g_return_val_if_fail (date != NULL, NULL);

  self = answer_new (INTAKE_ANSWER_DATE);
  self->string = g_strdup (date);
  return self;
}

IntakeAnswer *
intake_answer_new_declined (void)
{
  return answer_new (INTAKE_ANSWER_DECLINED);
}

IntakeAnswer *
intake_answer_copy (const IntakeAnswer *self)
{
  IntakeAnswer *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = answer_new (self->kind);
  copy->string = g_strdup (self->string);
  copy->n_choices = self->n_choices;
  if (self->choices != NULL)
    copy->choices = g_strdupv (self->choices);
  copy->integer = self->integer;
  copy->boolean = self->boolean;
  return copy;
}

void
intake_answer_free (IntakeAnswer *self)
{
  if (self == NULL)
    return;

  intake_secure_strfree (self->string);
  if (self->choices != NULL)
    {
      for (guint i = 0; i < self->n_choices; i++)
        intake_secure_strfree (self->choices[i]);
      g_free (self->choices);
    }
  intake_secure_wipe (self, sizeof *self);
  g_free (self);
}

gboolean
intake_answer_equal (const IntakeAnswer *a,
                     const IntakeAnswer *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->kind != b->kind)
    return FALSE;

  switch (a->kind)
    {
    case INTAKE_ANSWER_CHOICE:
    case INTAKE_ANSWER_TEXT:
    case INTAKE_ANSWER_DATE:
      return strcmp (a->string, b->string) == 0;
    case INTAKE_ANSWER_CHOICES:
      if (a->n_choices != b->n_choices)
        return FALSE;
      for (guint i = 0; i < a->n_choices; i++)
        if (strcmp (a->choices[i], b->choices[i]) != 0)
          return FALSE;
      return TRUE;
    case INTAKE_ANSWER_INTEGER:
      return a->integer == b->integer;
    case INTAKE_ANSWER_BOOLEAN:
      return a->boolean == b->boolean;
    case INTAKE_ANSWER_DECLINED:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

IntakeAnswerKind
intake_answer_get_kind (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, INTAKE_ANSWER_DECLINED);
  return self->kind;
}

gboolean
intake_answer_is_declined (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->kind == INTAKE_ANSWER_DECLINED;
}

const char *
intake_answer_get_string (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->string;
}

const char * const *
intake_answer_get_choices (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->choices;
}

guint
intake_answer_get_n_choices (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_choices;
}

gboolean
intake_answer_has_choice (const IntakeAnswer *self,
                          const char         *code)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->choices == NULL || code == NULL)
    return FALSE;
  return g_strv_contains ((const char * const *) self->choices, code);
}

gint64
intake_answer_get_integer (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->integer;
}

gboolean
intake_answer_get_boolean (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->boolean;
}

JsonNode *
intake_answer_to_json (const IntakeAnswer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->kind)
    {
    case INTAKE_ANSWER_CHOICE:
    case INTAKE_ANSWER_TEXT:
    case INTAKE_ANSWER_DATE:
      return json_node_init_string (json_node_alloc (), self->string);
    case INTAKE_ANSWER_CHOICES:
      {
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        JsonArray *array = json_array_sized_new (self->n_choices);

        for (guint i = 0; i < self->n_choices; i++)
          json_array_add_string_element (array, self->choices[i]);
        json_node_take_array (node, array);
        return node;
      }
    case INTAKE_ANSWER_INTEGER:
      return json_node_init_int (json_node_alloc (), self->integer);
    case INTAKE_ANSWER_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), self->boolean);
    case INTAKE_ANSWER_DECLINED:
      return json_node_init_null (json_node_alloc ());
    default:
      g_assert_not_reached ();
    }
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static IntakeAnswer *
wrong_type (const IntakeQuestion  *q,
            const char            *expected,
            GError               **error)
{
  g_set_error (error, INTAKE_SESSION_ERROR, INTAKE_SESSION_ERROR_WRONG_TYPE,
               "The answer to \"%s\" (a %s question) must be %s, or null for \"rather not say\"",
               q->code, intake_question_type_to_string (q->type), expected);
  return NULL;
}

IntakeAnswer *
intake_answer_new_from_json (const IntakeQuestion  *q,
                             JsonNode              *node,
                             GError               **error)
{
  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (JSON_NODE_HOLDS_NULL (node))
    return intake_answer_new_declined ();

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      if (!holds (node, G_TYPE_STRING))
        return wrong_type (q, "an option code (a string)", error);
      return intake_answer_new_choice (json_node_get_string (node));

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        JsonArray *array;
        g_autofree const char **codes = NULL;
        guint n;

        if (!JSON_NODE_HOLDS_ARRAY (node))
          return wrong_type (q, "an array of option codes", error);
        array = json_node_get_array (node);
        n = json_array_get_length (array);
        codes = g_new0 (const char *, n + 1);
        for (guint i = 0; i < n; i++)
          {
            JsonNode *element = json_array_get_element (array, i);

            if (!holds (element, G_TYPE_STRING))
              return wrong_type (q, "an array of option codes (strings)", error);
            codes[i] = json_node_get_string (element);
          }
        return intake_answer_new_choices (codes);
      }

    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      if (!holds (node, G_TYPE_INT64))
        return wrong_type (q, "an integer", error);
      return intake_answer_new_integer (json_node_get_int (node));

    case INTAKE_QUESTION_TYPE_YES_NO:
      if (!holds (node, G_TYPE_BOOLEAN))
        return wrong_type (q, "true or false", error);
      return intake_answer_new_boolean (json_node_get_boolean (node));

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      if (!holds (node, G_TYPE_STRING))
        return wrong_type (q, "a string", error);
      return intake_answer_new_text (json_node_get_string (node));

    case INTAKE_QUESTION_TYPE_DATE:
      if (!holds (node, G_TYPE_STRING))
        return wrong_type (q, "a date string \"YYYY-MM-DD\"", error);
      return intake_answer_new_date (json_node_get_string (node));

    default:
      g_assert_not_reached ();
    }
}

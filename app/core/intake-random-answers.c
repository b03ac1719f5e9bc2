/* intake-random-answers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "intake-answer.h"
#include "intake-questionnaire.h"
#include "intake-random-answers.h"

static const char * const phrases[] = {
  "Ik werk graag met mijn handen",
  "I like working outside",
  "أحب العمل مع الناس",
  "Çocuklarla çalışmayı seviyorum",
  "ብዙሕ ቋንቋታት እዛረብ",
  "Я добре готую",
  "Lubię porządek",
  "دوست دارم رانندگی کنم",
};

static char *
random_text (const IntakeQuestion *question,
             GRand                *rand)
{
  g_autofree char *text = NULL;
  const char *end;

  switch (question->text_kind)
    {
    case INTAKE_TEXT_KIND_EMAIL:
      text = g_strdup_printf ("bewoner%u@example.org", g_rand_int_range (rand, 1, 99999));
      break;
    case INTAKE_TEXT_KIND_PHONE:
      text = g_strdup_printf ("06%08u", g_rand_int_range (rand, 10000000, 99999999));
      break;
    case INTAKE_TEXT_KIND_DIGITS:
      text = g_strdup_printf ("%06u", g_rand_int_range (rand, 100000, 999999));
      break;
    case INTAKE_TEXT_KIND_TEXT:
    default:
      text = g_strdup (phrases[g_rand_int_range (rand, 0, G_N_ELEMENTS (phrases))]);
      break;
    }

  /* Respect max_length in characters, cutting at a character boundary. */
  if (g_utf8_strlen (text, -1) > (glong)question->max_length)
    {
      end = g_utf8_offset_to_pointer (text, question->max_length);
      return g_strndup (text, end - text);
    }
  return g_steal_pointer (&text);
}

/* Uniform enough for demos over any [min, max], however wide: the span of
 * two gint64 always fits in a guint64, never in a gint32. */
static gint64
random_integer (GRand  *rand,
                gint64  min,
                gint64  max)
{
  guint64 span = (guint64) max - (guint64) min;
  guint64 value;

  if (span < G_MAXINT32)
    return min + g_rand_int_range (rand, 0, (gint32) span + 1);
  value = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
  if (span < G_MAXUINT64)
    value %= span + 1;
  return (gint64) ((guint64) min + value);
}

static char *
random_date (IntakeSession        *session,
             const IntakeQuestion *question,
             GRand                *rand)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate min, max;
  guint32 span;

  if (!intake_date_expression_evaluate (question->date_min, now, &min) ||
      !intake_date_expression_evaluate (question->date_max, now, &max))
    g_return_val_if_reached (NULL);

  span = g_date_get_julian (&max) - g_date_get_julian (&min);
  /* Stay a day away from the bounds so a run across midnight stays valid. */
  if (span > 2)
    g_date_add_days (&min, 1 + g_rand_int_range (rand, 0, span - 1));

  /* Sometimes a date as the BRP registers it when the day, or the day and
   * the month, are not known (a year in the middle of the range). */
  if (question->allow_unknown && span > 800 && g_rand_int_range (rand, 0, 8) == 0)
    return g_strdup_printf ("%04u-%02u-00", g_date_get_year (&min),
                            g_rand_boolean (rand) ? 0u : (guint) g_date_get_month (&min));

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&min),
                          g_date_get_month (&min), g_date_get_day (&min));
}

IntakeAnswer *
intake_random_answer_new (IntakeSession        *session,
                          const IntakeQuestion *question,
                          GRand                *rand)
{
  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);
  g_return_val_if_fail (question != NULL, NULL);

  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return intake_answer_new_choice (question->options[g_rand_int_range (rand, 0, question->n_options)].code);

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        g_autoptr(GPtrArray) codes = g_ptr_array_new ();
        guint want = g_rand_int_range (rand, question->min_selected, question->max_selected + 1);
        guint start = g_rand_int_range (rand, 0, question->n_options);

        /* Exclusive options ("none of these") only ever alone. */
        if (question->options[start].exclusive && question->min_selected <= 1)
          {
            g_ptr_array_add (codes, question->options[start].code);
            want = 1;
          }
        for (guint i = 0; codes->len < want && i < question->n_options; i++)
          {
            const IntakeOption *option = &question->options[(start + i) % question->n_options];

            if (!option->exclusive)
              g_ptr_array_add (codes, option->code);
          }
        g_ptr_array_add (codes, NULL);
        return intake_answer_new_choices ((const char * const *)codes->pdata);
      }

    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      return intake_answer_new_integer (random_integer (rand, question->min, question->max));

    case INTAKE_QUESTION_TYPE_YES_NO:
      return intake_answer_new_boolean (g_rand_boolean (rand));

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      {
        g_autofree char *text = NULL;

        /* "I have none" (one name only), now and then where offered. */
        if (question->none_option != NULL && g_rand_int_range (rand, 0, 8) == 0)
          return intake_answer_new_text ("");
        text = random_text (question, rand);

        return intake_answer_new_text (text);
      }

    case INTAKE_QUESTION_TYPE_DATE:
      {
        g_autofree char *date = random_date (session, question, rand);

        return intake_answer_new_date (date);
      }

    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
intake_random_answers_fill (IntakeSession  *session,
                            GRand          *rand,
                            GError        **error)
{
  const IntakeQuestion *question;

  g_return_val_if_fail (INTAKE_IS_SESSION (session), FALSE);
  g_return_val_if_fail (rand != NULL, FALSE);

  if (!intake_session_go_first (session))
    return TRUE;

  while ((question = intake_session_get_current (session)) != NULL)
    {
      double roll = g_rand_double (rand);

      if (!question->required && roll < 0.08)
        {
          if (!intake_session_skip (session, question->code, error))
            return FALSE;
        }
      else if (question->rather_not_say && roll < 0.16)
        {
          if (!intake_session_set_answer (session, question->code, intake_answer_new_declined (), error))
            return FALSE;
        }
      else if (!intake_session_set_answer (session, question->code,
                                           intake_random_answer_new (session, question, rand), error))
        return FALSE;

      if (!intake_session_go_next (session))
        break;
    }

  return intake_session_check_complete (session, error);
}

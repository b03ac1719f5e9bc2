/* intake-answer-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kiosk's answers-review screen and the staff apps word answers the same
 * way; only the words around the questionnaire's texts and a few choices of
 * form differ, and those come from the caller (IntakeAnswerWords).
 */
#include "config.h"

#include <string.h>

#include "intake-answer-format.h"

/* Whether @format converts exactly @n_args strings and nothing else: "%%",
 * "%s", or positional "%N$s" with N in 1..@n_args (not mixed). The formats
 * come from translations; msgfmt --check already compares them with the
 * msgid, this keeps a format from anywhere else from reading past the
 * arguments. */
static gboolean
format_takes_strings (const char *format,
                      guint       n_args)
{
  guint sequential = 0, positional = 0;

  for (const char *p = format; *p != '\0'; p++)
    {
      if (*p != '%')
        continue;
      p++;
      if (*p == '%')
        continue;
      if (*p == 's')
        {
          sequential++;
          continue;
        }
      if (*p >= '1' && *p <= '9' && p[1] == '$' && p[2] == 's' && (guint) (*p - '0') <= n_args)
        {
          positional++;
          p += 2;
          continue;
        }
      return FALSE;
    }
  if (positional > 0)
    return sequential == 0;
  return sequential == n_args;
}

static const char *
text_or_empty (const char *text)
{
  return text != NULL ? text : "";
}

/* The formats are the caller's words, checked by format_takes_strings(). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static void
append_scale (GString                 *out,
              const IntakeQuestion    *q,
              gint64                   value,
              const char              *language,
              const IntakeAnswerWords *words)
{
  char value_text[24], min_text[24], max_text[24];

  g_snprintf (value_text, sizeof value_text, "%" G_GINT64_FORMAT, value);
  g_snprintf (min_text, sizeof min_text, "%" G_GINT64_FORMAT, q->min);
  g_snprintf (max_text, sizeof max_text, "%" G_GINT64_FORMAT, q->max);
  if (words->scale_format != NULL)
    {
      if (format_takes_strings (words->scale_format, 5))
        {
          g_string_append_printf (out, words->scale_format, value_text,
                                  min_text, text_or_empty (intake_text_get (q->min_label, language)),
                                  max_text, text_or_empty (intake_text_get (q->max_label, language)));
          return;
        }
      g_critical ("The scale format \"%s\" does not take exactly five strings; the plain form is used",
                  words->scale_format);
    }
  g_string_append_printf (out, "%s (%s–%s)", value_text, min_text, max_text);
}

static void
append_rung (GString                 *out,
             const IntakeQuestion    *q,
             gint64                   rung,
             const char              *language,
             const IntakeAnswerWords *words)
{
  const char *text = NULL;
  char rung_text[24];

  g_snprintf (rung_text, sizeof rung_text, "%" G_GINT64_FORMAT, rung);
  /* A loaded ladder question has all its rungs, and a checked answer is one
   * of them; anything else is shown as the bare number. */
  if (rung >= 1 && rung <= INTAKE_LADDER_RUNGS)
    text = intake_text_get (q->rungs[rung - 1], language);
  if (text == NULL)
    {
      g_string_append (out, rung_text);
      return;
    }
  if (words->rung_format != NULL)
    {
      if (format_takes_strings (words->rung_format, 2))
        {
          g_string_append_printf (out, words->rung_format, rung_text, text);
          return;
        }
      g_critical ("The rung format \"%s\" does not take exactly two strings; the plain form is used",
                  words->rung_format);
    }
  g_string_append (out, text);
}

#pragma GCC diagnostic pop

char *
intake_answer_format (const IntakeQuestion    *question,
                      const IntakeAnswer      *answer,
                      const char              *language,
                      const IntakeAnswerWords *words)
{
  const IntakeQuestion *q = question;
  GString *out;

  g_return_val_if_fail (question != NULL, NULL);
  g_return_val_if_fail (language != NULL, NULL);
  g_return_val_if_fail (words != NULL, NULL);
  g_return_val_if_fail (words->yes != NULL && words->no != NULL && words->declined != NULL, NULL);

  if (answer == NULL)
    return g_strdup (text_or_empty (words->not_answered));

  out = g_string_new (NULL);
  /* By the kind of the answer, which a checked answer shares with its question. */
  switch (intake_answer_get_kind (answer))
    {
    case INTAKE_ANSWER_DECLINED:
      g_string_append (out, words->declined);
      break;

    case INTAKE_ANSWER_CHOICE:
      {
        const char *code = intake_answer_get_string (answer);
        const IntakeOption *option = intake_question_lookup_option (q, code);
        const char *label = option != NULL ? intake_text_get (option->label, language) : NULL;

        g_string_append (out, label != NULL ? label : code);
        break;
      }

    case INTAKE_ANSWER_CHOICES:
      {
        const char *separator = words->list_separator != NULL ? words->list_separator : "\n";
        gboolean first = TRUE;

        /* In the question's order, as the resident saw them, not the sorted order of the codes. */
        for (guint i = 0; i < q->n_options; i++)
          if (intake_answer_has_choice (answer, q->options[i].code))
            {
              if (!first)
                g_string_append (out, separator);
              g_string_append (out, text_or_empty (intake_text_get (q->options[i].label, language)));
              first = FALSE;
            }
        break;
      }

    case INTAKE_ANSWER_INTEGER:
      {
        gint64 value = intake_answer_get_integer (answer);

        if (q->type == INTAKE_QUESTION_TYPE_SCALE)
          append_scale (out, q, value, language, words);
        else if (q->type == INTAKE_QUESTION_TYPE_LADDER)
          append_rung (out, q, value, language, words);
        else
          {
            const char *unit = intake_text_get (q->unit, language);

            g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
            if (unit != NULL)
              g_string_append_printf (out, " %s", unit);
          }
        break;
      }

    case INTAKE_ANSWER_BOOLEAN:
      g_string_append (out, intake_answer_get_boolean (answer) ? words->yes : words->no);
      break;

    case INTAKE_ANSWER_TEXT:
      /* "I have none": the question's own words for it. */
      if (intake_answer_get_string (answer)[0] == '\0' && q->none_option != NULL)
        g_string_append (out, intake_text_get (q->none_option, language));
      else
        g_string_append (out, intake_answer_get_string (answer));
      break;

    case INTAKE_ANSWER_DATE:
      {
        const char *iso = intake_answer_get_string (answer);

        /* A checked "YYYY-MM-DD", shown day-month-year as on Dutch letters;
         * an unknown day or month stays 00, as the BRP writes it (00-00-1985). */
        if (strlen (iso) == 10)
          g_string_append_printf (out, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
        else
          g_string_append (out, iso);
        break;
      }

    default:
      break;
    }

  return g_string_free (out, FALSE);
}

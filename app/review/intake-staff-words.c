/* intake-staff-words.c: the words staff read around the questionnaire's texts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-staff-words.h"

static const IntakeStaffWords staff_words[] = {
  {
    .staff_language = "nl",
    .yes = "Ja",
    .no = "Nee",
    .declined = "Wil ik liever niet zeggen",
    .skipped = "Overgeslagen",
    .scale_from = "van",
    .scale_to = "tot",
    .rung = "Trede",
    .list_separator = "; ",
    .languages = {
      { "nl", "Nederlands" },
      { "en", "Engels" },
      { "ar", "Arabisch" },
      { "tr", "Turks" },
      { "fa", "Perzisch of Dari" },
      { "ti", "Tigrinya" },
      { "uk", "Oekraïens" },
      { "pl", "Pools" },
      { "de", "Duits" },
      { "fr", "Frans" },
      { "es", "Spaans" },
      { "ru", "Russisch" },
      { "so", "Somalisch" },
      { "ku", "Koerdisch" },
      { "ps", "Pasjtoe" },
      { "ro", "Roemeens" },
      { "bg", "Bulgaars" },
      { "pt", "Portugees" },
      { "it", "Italiaans" },
      { "am", "Amhaars" },
      { NULL, NULL },
    },
  },
};

const IntakeStaffWords *
intake_staff_words_lookup (const char *staff_language)
{
  if (staff_language == NULL)
    staff_language = "nl";
  for (guint i = 0; i < G_N_ELEMENTS (staff_words); i++)
    if (strcmp (staff_words[i].staff_language, staff_language) == 0)
      return &staff_words[i];
  return NULL;
}

const char *
intake_submission_language_name (const char *code,
                                 const char *staff_language)
{
  const IntakeStaffWords *words = intake_staff_words_lookup (staff_language);

  g_return_val_if_fail (code != NULL, NULL);

  if (words == NULL)
    return NULL;
  for (guint i = 0; words->languages[i].code != NULL; i++)
    if (strcmp (words->languages[i].code, code) == 0)
      return words->languages[i].name;
  return NULL;
}

static void
append_scale (GString                *out,
              const IntakeStaffWords *words,
              const IntakeQuestion   *q,
              gint64                  value)
{
  const char *lang = words->staff_language;

  g_string_append_printf (out, "%" G_GINT64_FORMAT " (%s %" G_GINT64_FORMAT " '%s' %s %"
                          G_GINT64_FORMAT " '%s')",
                          value, words->scale_from, q->min, intake_text_get (q->min_label, lang),
                          words->scale_to, q->max, intake_text_get (q->max_label, lang));
}

char *
intake_submission_format_answer (const IntakeQuestion *q,
                                 const IntakeAnswer   *answer,
                                 const char           *staff_language)
{
  const IntakeStaffWords *words = intake_staff_words_lookup (staff_language);
  const char *lang;
  GString *out;

  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (answer != NULL, NULL);

  if (words == NULL)
    return NULL;
  lang = words->staff_language;
  out = g_string_new (NULL);

  if (intake_answer_is_declined (answer))
    {
      g_string_append (out, words->declined);
      return g_string_free (out, FALSE);
    }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      {
        const IntakeOption *option = intake_question_lookup_option (q, intake_answer_get_string (answer));

        g_string_append (out, option != NULL ? intake_text_get (option->label, lang)
                                             : intake_answer_get_string (answer));
        break;
      }

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        gboolean first = TRUE;

        /* Option order, as the resident saw them. */
        for (guint i = 0; i < q->n_options; i++)
          if (intake_answer_has_choice (answer, q->options[i].code))
            {
              if (!first)
                g_string_append (out, words->list_separator);
              g_string_append (out, intake_text_get (q->options[i].label, lang));
              first = FALSE;
            }
        break;
      }

    case INTAKE_QUESTION_TYPE_SCALE:
      append_scale (out, words, q, intake_answer_get_integer (answer));
      break;

    case INTAKE_QUESTION_TYPE_YES_NO:
      g_string_append (out, intake_answer_get_boolean (answer) ? words->yes : words->no);
      break;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      g_string_append (out, intake_answer_get_string (answer));
      break;

    case INTAKE_QUESTION_TYPE_NUMBER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, intake_answer_get_integer (answer));
      if (q->unit != NULL)
        g_string_append_printf (out, " %s", intake_text_get (q->unit, lang));
      break;

    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *iso = intake_answer_get_string (answer);

        /* Validated "YYYY-MM-DD"; staff read dd-mm-jjjj. */
        if (strlen (iso) == 10)
          g_string_append_printf (out, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
        else
          g_string_append (out, iso);
        break;
      }

    case INTAKE_QUESTION_TYPE_LADDER:
      {
        gint64 rung = intake_answer_get_integer (answer);

        if (rung >= 1 && rung <= INTAKE_LADDER_RUNGS)
          g_string_append_printf (out, "%s %" G_GINT64_FORMAT ": %s", words->rung, rung,
                                  intake_text_get (q->rungs[rung - 1], lang));
        else
          g_string_append_printf (out, "%s %" G_GINT64_FORMAT, words->rung, rung);
        break;
      }

    default:
      g_assert_not_reached ();
    }

  return g_string_free (out, FALSE);
}

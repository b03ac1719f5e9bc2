/* intake-staff-words.c: the words staff read around the questionnaire's texts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-staff-words.h"

IntakeAnswerWords
intake_staff_answer_words (void)
{
  return (IntakeAnswerWords) {
    /* Translators: a resident's answer to a yes/no question. */
    .yes = C_("answer", "Yes"),
    /* Translators: a resident's answer to a yes/no question. */
    .no = C_("answer", "No"),
    /* Translators: the resident chose the answer "I would rather not say". */
    .declined = _("I would rather not say"),
    /* Translators: the resident skipped the question (it was optional). */
    .not_answered = _("Skipped"),
    .list_separator = "; ",
    /* Translators: an answer on a scale, e.g. "7 (from 0 'Not important' to
     * 10 'Very important')": the answer, the lowest value and its label, the
     * highest value and its label. The labels are the questionnaire's own. */
    .scale_format = _("%s (from %s '%s' to %s '%s')"),
    /* Translators: an answer on the participation ladder (Participatieladder),
     * e.g. "Rung 2: I see people outside my home every week": the rung's
     * number and the questionnaire's text of that rung. */
    .rung_format = _("Rung %s: %s"),
  };
}

/* The residents' languages: the kiosk's eight first, then others a
 * questionnaire may offer. */
static const struct {
  const char *code;
  const char *name;
} language_names[] = {
  /* Translators: a resident's language, shown e.g. as "Written in %s". */
  { "nl", N_("Dutch") },
  { "en", N_("English") },
  { "ar", N_("Arabic") },
  { "tr", N_("Turkish") },
  { "fa", N_("Persian or Dari") },
  { "ti", N_("Tigrinya") },
  { "uk", N_("Ukrainian") },
  { "pl", N_("Polish") },
  { "de", N_("German") },
  { "fr", N_("French") },
  { "es", N_("Spanish") },
  { "ru", N_("Russian") },
  { "so", N_("Somali") },
  { "ku", N_("Kurdish") },
  { "ps", N_("Pashto") },
  { "ro", N_("Romanian") },
  { "bg", N_("Bulgarian") },
  { "pt", N_("Portuguese") },
  { "it", N_("Italian") },
  { "am", N_("Amharic") },
};

const char *
intake_staff_language_name (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (language_names); i++)
    if (strcmp (language_names[i].code, code) == 0)
      return _(language_names[i].name);
  return NULL;
}

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
    .answers = {
      .yes = "Ja",
      .no = "Nee",
      .declined = "Wil ik liever niet zeggen",
      .not_answered = "Overgeslagen",
      .list_separator = "; ",
      .scale_format = "%s (van %s '%s' tot %s '%s')",
      .rung_format = "Trede %s: %s",
    },
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

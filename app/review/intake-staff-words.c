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

static GUnicodeScript
language_script (const char *language)
{
  static const char * const arabic[] = { "ar", "fa", "ps", NULL };
  static const char * const ethiopic[] = { "ti", "am", NULL };
  static const char * const cyrillic[] = { "uk", "ru", "bg", NULL };

  if (g_strv_contains (arabic, language))
    return G_UNICODE_SCRIPT_ARABIC;
  if (g_strv_contains (ethiopic, language))
    return G_UNICODE_SCRIPT_ETHIOPIC;
  if (g_strv_contains (cyrillic, language))
    return G_UNICODE_SCRIPT_CYRILLIC;
  return G_UNICODE_SCRIPT_LATIN;
}

gboolean
intake_staff_text_in_language (const char *text,
                               const char *language)
{
  GUnicodeScript wanted;
  guint letters = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  if (language == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  wanted = language_script (language);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeScript script;

      if (!g_unichar_isalpha (c))
        continue;
      script = g_unichar_get_script (c);
      if (script == G_UNICODE_SCRIPT_COMMON || script == G_UNICODE_SCRIPT_INHERITED)
        continue;
      if (script != wanted)
        return FALSE;
      letters++;
    }
  return letters > 0;
}

char *
intake_staff_audit_words (const char *actor,
                          const char *action,
                          const char *result)
{
  static const struct {
    const char *action;
    const char *words;
  } actions[] = {
    /* Translators: an event of a submission's access history; %s is the
     * staff member's name. */
    { "fetch", N_("%s fetched the sealed submission from the server") },
    { "decrypt", N_("%s opened it on their computer") },
    { "view", N_("%s viewed the submission") },
    { "state_change", N_("%s changed the handling (state, unit, assignee or conversation)") },
    { "note", N_("%s added a note") },
    { "export", N_("%s saved it to a file (export or PDF for the conversation)") },
    { "audit_view", N_("%s looked at this access history") },
    { "search", N_("%s searched by name") },
    { "list", N_("%s listed submissions") },
  };
  static const struct {
    const char *code;
    const char *words;
  } refusals[] = {
    /* Translators: why the server refused, after an access history event. */
    { "out_of_scope", N_("refused: outside the locations or units of this staff member") },
    { "role_required", N_("refused: their role does not allow it") },
    { "unit_out_of_scope", N_("refused: a unit they do not work for") },
    { "not_found", N_("refused: not found") },
    { "unknown_unit", N_("refused: a unit that is not on the office's list") },
    { "bad_assignee", N_("refused: that colleague cannot take this submission") },
  };
  g_autofree char *text = NULL;
  const char *words = NULL;

  g_return_val_if_fail (actor != NULL && action != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (strcmp (actions[i].action, action) == 0)
      words = _(actions[i].words);
  if (words != NULL)
    text = g_strdup_printf (words, actor);
  else
    /* Translators: an access history event whose action the app has no words for. */
    text = g_strdup_printf (_("%s: %s"), actor, action);
  if (result == NULL || strcmp (result, "ok") == 0)
    return g_steal_pointer (&text);
  if (strcmp (result, "conflict") == 0)
    /* Translators: after an access history event that was not saved. */
    return g_strdup_printf (_("%s (not saved: changed by someone else at the same time)"), text);
  if (g_str_has_prefix (result, "denied:"))
    {
      const char *code = result + strlen ("denied:");

      for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
        if (strcmp (refusals[i].code, code) == 0)
          return g_strdup_printf ("%s (%s)", text, _(refusals[i].words));
      /* Translators: after a refused access history event; %s is the server's code. */
      {
        g_autofree char *refused = g_strdup_printf (_("refused: %s"), code);

        return g_strdup_printf ("%s (%s)", text, refused);
      }
    }
  return g_strdup_printf ("%s (%s)", text, result);
}

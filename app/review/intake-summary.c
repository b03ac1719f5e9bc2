/* intake-summary.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-secure.h"
#include "intake-staff-words.h"
#include "intake-summary.h"

G_DEFINE_QUARK (intake-summary-error-quark, intake_summary_error)

/* ------------------------------------------------------------------ */
/* The rules                                                            */

/* Which answers feed which line. The summary is an aid for the conversation
 * (AVG art. 22: no automated decisions), so a rule only *selects* answers to
 * show, with the question they answer; it never weighs, adds up or ranks them,
 * and no rule suggests a track. docs/review.md has this table in words; keep
 * the two together. A rule is keyed by question code (answers are stored by
 * code, which never changes meaning) or, for the instrument lines, by tag.
 * intake_summary_check_rules() checks the table against a questionnaire. */

typedef enum {
  MATCH_ANSWERED,    /* any real answer */
  MATCH_OPTIONS,     /* one of @options chosen (single or multiple choice) */
  MATCH_AT_MOST,     /* scale, number: value <= @bound */
  MATCH_TRUE,        /* yes_no: yes */
  MATCH_SCALE_TOP,   /* scale: the top of its scale */
} Match;

typedef enum {
  SHOW_QUESTION_AND_ANSWER,  /* "question — answer" */
  SHOW_ANSWER,               /* the answer alone (the label says what it is) */
} Show;

typedef struct {
  IntakeSummaryTopic  topic;
  const char         *question;   /* a question code, or NULL to select by tag */
  const char         *tag;        /* "ladder", "esco": with @question NULL */
  const char         *tag_value;  /* NULL: any value of @tag */
  Match               match;
  const char         *options[16];
  gint64              bound;
  Show                show;
} Rule;

static const Rule rules[] = {
  /* Participatieladder, by tag. */
  { INTAKE_SUMMARY_LADDER_NOW, NULL, "ladder", "current", MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },
  { INTAKE_SUMMARY_LADDER_AIM, NULL, "ladder", "aim", MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },

  /* Motivation and confidence. */
  { INTAKE_SUMMARY_MOTIVATION, "main_goal", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_MOTIVATION, "work_importance", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_CONFIDENCE, "work_confidence", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },

  /* Strengths: every ESCO-tagged scale answered at its top, and the resident's own words. */
  { INTAKE_SUMMARY_STRENGTHS, NULL, "esco", NULL, MATCH_SCALE_TOP, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_OWN_WORDS, "strengths", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },

  /* Sectors of interest (the resident's wish; the perspective lists where they worked). */
  { INTAKE_SUMMARY_SECTORS, "sector_wish", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },

  /* Support asked for. */
  { INTAKE_SUMMARY_SUPPORT, "what_helps", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_SUPPORT, "support_wanted", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },

  /* Interpreter and the language of the conversation. */
  { INTAKE_SUMMARY_INTERPRETER, "preferred_language", NULL, NULL, MATCH_OPTIONS,
    { "en", "ar", "tr", "fa", "ti", "uk", "pl", "other", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_INTERPRETER, "preferred_language_other", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_INTERPRETER, "interpreter_wanted", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_INTERPRETER, "support_wanted", NULL, NULL, MATCH_OPTIONS, { "interpreter", NULL }, 0, SHOW_QUESTION_AND_ANSWER },

  /* The realistic labour-market perspective: what the resident brings and
   * can do, each answer as given, next to its question. Nothing is compared
   * or added up (hours able and hours wanted stand side by side). */
  { INTAKE_SUMMARY_EDUCATION, "schooling", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_EDUCATION, "schooling_abroad", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_EDUCATION, "diploma_recognised", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_WORK_HISTORY, "worked_before", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_WORK_HISTORY, "work_years", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_WORK_HISTORY, "work_last", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_WORK_HISTORY, "last_job", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_PAST_SECTORS, "past_sectors", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },
  { INTAKE_SUMMARY_MOBILITY, "driving_licence", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_MOBILITY, "transport", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_HOURS, "hours_possible", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_HOURS, "hours_wanted", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_START, "start_when", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },
  { INTAKE_SUMMARY_TRAVEL, "travel_distance", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_ANSWER },
  { INTAKE_SUMMARY_DUTCH, "dutch_speaking", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_DUTCH, "dutch_reading", NULL, NULL, MATCH_ANSWERED, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },

  /* Self-reported barriers; the line's ZRM domain is the question's zrm tag.
   * Only the listed answers count; a declined answer never does (it goes to
   * the NOT_SAID line of its domain). */
  { INTAKE_SUMMARY_BARRIERS, "diploma_recognised", NULL, NULL, MATCH_OPTIONS, { "no", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "transport", NULL, NULL, MATCH_OPTIONS, { "none", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "work_limits", NULL, NULL, MATCH_OPTIONS,
    { "standing", "lifting", "sitting", "many_people", "noise", "time_pressure", "fixed_times",
      "long_days", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "energy", NULL, NULL, MATCH_AT_MOST, { NULL }, 2, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "stress_coping", NULL, NULL, MATCH_AT_MOST, { NULL }, 2, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "health_talk", NULL, NULL, MATCH_TRUE, { NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "housing", NULL, NULL, MATCH_OPTIONS,
    { "with_family_friends", "shelter", "no_fixed_address", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "money_worries", NULL, NULL, MATCH_OPTIONS, { "yes", "a_little", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "debt_help", NULL, NULL, MATCH_OPTIONS, { "no_but_wanted", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "care_arranged", NULL, NULL, MATCH_OPTIONS, { "partly", "not_yet", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
  { INTAKE_SUMMARY_BARRIERS, "support_people", NULL, NULL, MATCH_OPTIONS, { "not_now", NULL }, 0, SHOW_QUESTION_AND_ANSWER },
};

/* The summary's own words, translated where they are used (gettext, domain
 * intake-staff). Answers are worded by intake_answer_format() with the
 * staff's words (intake-staff-words.h). */
#define SEPARATOR "; "

static const char * const topic_labels[INTAKE_SUMMARY_NOT_SAID + 1] = {
  /* Translators: a line of the caseworker summary: the resident's rung on the
   * participation ladder (Participatieladder) now. */
  [INTAKE_SUMMARY_LADDER_NOW] = N_("Participation ladder now"),
  /* Translators: a line of the summary: the rung the resident aims for. */
  [INTAKE_SUMMARY_LADDER_AIM] = N_("Participation ladder: aims for"),
  [INTAKE_SUMMARY_MOTIVATION] = N_("Motivation"),
  [INTAKE_SUMMARY_CONFIDENCE] = N_("Confidence"),
  /* Translators: a line of the summary: skills the resident rated highest. */
  [INTAKE_SUMMARY_STRENGTHS] = N_("Strengths (own assessment)"),
  [INTAKE_SUMMARY_OWN_WORDS] = N_("Strengths in own words"),
  [INTAKE_SUMMARY_SECTORS] = N_("Interest in work"),
  [INTAKE_SUMMARY_SUPPORT] = N_("Help asked for"),
  [INTAKE_SUMMARY_INTERPRETER] = N_("Interpreter and language of the conversation"),
  /* Translators: lines of the summary's labour-market perspective. */
  [INTAKE_SUMMARY_EDUCATION] = N_("Education and recognition"),
  [INTAKE_SUMMARY_WORK_HISTORY] = N_("Work history"),
  [INTAKE_SUMMARY_PAST_SECTORS] = N_("Sectors worked in"),
  [INTAKE_SUMMARY_MOBILITY] = N_("Driving licence and transport"),
  /* Translators: the hours the resident can work now and wants to work, side by side. */
  [INTAKE_SUMMARY_HOURS] = N_("Hours able and willing to work"),
  [INTAKE_SUMMARY_START] = N_("Can start"),
  [INTAKE_SUMMARY_TRAVEL] = N_("Travel to work"),
  [INTAKE_SUMMARY_DUTCH] = N_("Dutch: speaking and reading"),
  [INTAKE_SUMMARY_BARRIERS] = NULL,  /* the domain name */
  [INTAKE_SUMMARY_NOT_SAID] = NULL,  /* the domain name */
};

static const char * const topic_titles[INTAKE_SUMMARY_NOT_SAID + 1] = {
  /* Translators: a heading of the caseworker summary. */
  [INTAKE_SUMMARY_LADDER_NOW] = N_("Participation"),
  [INTAKE_SUMMARY_LADDER_AIM] = N_("Participation"),
  [INTAKE_SUMMARY_MOTIVATION] = N_("Motivation and confidence"),
  [INTAKE_SUMMARY_CONFIDENCE] = N_("Motivation and confidence"),
  [INTAKE_SUMMARY_STRENGTHS] = N_("Strengths"),
  [INTAKE_SUMMARY_OWN_WORDS] = N_("Strengths"),
  [INTAKE_SUMMARY_SECTORS] = N_("Wishes and help"),
  [INTAKE_SUMMARY_SUPPORT] = N_("Wishes and help"),
  [INTAKE_SUMMARY_INTERPRETER] = N_("Wishes and help"),
  /* Translators: a heading of the summary: the second half of the joint
   * intake, what the resident brings to the labour market, in their answers. */
  [INTAKE_SUMMARY_EDUCATION] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_WORK_HISTORY] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_PAST_SECTORS] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_MOBILITY] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_HOURS] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_START] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_TRAVEL] = N_("Labour-market perspective (own answers)"),
  [INTAKE_SUMMARY_DUTCH] = N_("Labour-market perspective (own answers)"),
  /* Translators: a heading of the summary; ZRM is the Zelfredzaamheid-Matrix. */
  [INTAKE_SUMMARY_BARRIERS] = N_("Barriers the resident named, per life domain (ZRM)"),
  /* Translators: a heading of the summary: questions the resident chose not
   * to answer ("I would rather not say"). */
  [INTAKE_SUMMARY_NOT_SAID] = N_("Would rather not say"),
};

/* ZRM 2017 domains in the matrix's own order. */
static const struct {
  const char *code;
  const char *name;
} zrm_domains[] = {
  /* Translators: the life domains of the Zelfredzaamheid-Matrix (ZRM 2017);
   * use the matrix's own names in your language where it has them. */
  { "finances", N_("Finances") },
  { "work_education", N_("Work and education") },
  { "daily_activities", N_("Daily activities") },
  { "housing", N_("Housing") },
  { "domestic_relations", N_("Domestic relations") },
  { "mental_health", N_("Mental health") },
  { "physical_health", N_("Physical health") },
  { "substance_use", N_("Substance use") },
  { "basic_adl", N_("Basic ADL") },
  { "instrumental_adl", N_("Instrumental ADL") },
  { "social_network", N_("Social network") },
  { "social_participation", N_("Social participation") },
  { "justice", N_("Justice") },
};

#define N_ZRM ((int) G_N_ELEMENTS (zrm_domains))

static int
zrm_index (const char *code)
{
  for (int i = 0; i < N_ZRM; i++)
    if (g_strcmp0 (zrm_domains[i].code, code) == 0)
      return i;
  return -1;
}

static const char *
question_tag (const IntakeQuestion *q,
              const char           *tag)
{
  if (strcmp (tag, "ladder") == 0)
    return q->tag_ladder;
  if (strcmp (tag, "esco") == 0)
    return q->tag_esco;
  if (strcmp (tag, "zrm") == 0)
    return q->tag_zrm;
  if (strcmp (tag, "pg") == 0)
    return q->tag_pg;
  return NULL;
}

static gboolean
rule_selects (const Rule           *rule,
              const IntakeQuestion *q)
{
  const char *value;

  if (rule->question != NULL)
    return strcmp (rule->question, q->code) == 0;
  value = question_tag (q, rule->tag);
  if (value == NULL || (rule->tag_value != NULL && strcmp (rule->tag_value, value) != 0))
    return FALSE;
  /* A tag rule that compares values only applies where it can. */
  if (rule->match == MATCH_SCALE_TOP)
    return q->type == INTAKE_QUESTION_TYPE_SCALE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Checking the table                                                   */

static gboolean
rule_fail (GError     **error,
           const Rule  *rule,
           const char  *what)
{
  g_set_error (error, INTAKE_SUMMARY_ERROR, INTAKE_SUMMARY_ERROR_RULE_MISMATCH,
               "summary rule for question \"%s\": %s; update the rules table in "
               "app/intake-summary.c (and docs/review.md) with the questionnaire",
               rule->question, what);
  return FALSE;
}

static gboolean
in_earlier_version (IntakeQuestionnaire *questionnaire,
                    const char          *code)
{
  g_autoptr(GPtrArray) versions = intake_questionnaire_list_builtin_versions (NULL);

  for (guint i = 0; versions != NULL && i < versions->len; i++)
    {
      IntakeQuestionnaire *other = g_ptr_array_index (versions, i);

      if (g_str_equal (intake_questionnaire_get_id (other), intake_questionnaire_get_id (questionnaire)) &&
          intake_questionnaire_get_version (other) < intake_questionnaire_get_version (questionnaire) &&
          intake_questionnaire_lookup_question (other, code) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
intake_summary_check_rules (IntakeQuestionnaire  *questionnaire,
                            GError              **error)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const Rule *rule = &rules[i];
      const IntakeQuestion *q;

      if (rule->question == NULL)
        continue;
      q = intake_questionnaire_lookup_question (questionnaire, rule->question);
      /* A rule for a question an earlier published version had (main_goal,
       * what_helps of version 1) stays, for the submissions made with it. */
      if (q == NULL && in_earlier_version (questionnaire, rule->question))
        continue;
      if (q == NULL)
        continue;

      switch (rule->match)
        {
        case MATCH_OPTIONS:
          if (q->type != INTAKE_QUESTION_TYPE_SINGLE_CHOICE &&
              q->type != INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE)
            return rule_fail (error, rule, "it lists options, but the question is not a choice");
          for (guint k = 0; rule->options[k] != NULL; k++)
            if (intake_question_lookup_option (q, rule->options[k]) == NULL)
              {
                g_autofree char *what = g_strdup_printf ("the question has no option \"%s\"",
                                                         rule->options[k]);
                return rule_fail (error, rule, what);
              }
          break;
        case MATCH_AT_MOST:
          if (q->type != INTAKE_QUESTION_TYPE_SCALE && q->type != INTAKE_QUESTION_TYPE_NUMBER)
            return rule_fail (error, rule, "it compares a value, but the question is not a scale or number");
          if (rule->bound < q->min || rule->bound > q->max)
            return rule_fail (error, rule, "its bound is outside the question's range");
          break;
        case MATCH_TRUE:
          if (q->type != INTAKE_QUESTION_TYPE_YES_NO)
            return rule_fail (error, rule, "it looks for \"yes\", but the question is not yes/no");
          break;
        case MATCH_SCALE_TOP:
          if (q->type != INTAKE_QUESTION_TYPE_SCALE)
            return rule_fail (error, rule, "it looks for the top of a scale, but the question is not a scale");
          break;
        case MATCH_ANSWERED:
        default:
          break;
        }

      if (rule->topic == INTAKE_SUMMARY_BARRIERS && zrm_index (q->tag_zrm) < 0)
        return rule_fail (error, rule, "a barrier rule needs a question with a zrm tag");
    }
  return TRUE;
}

GPtrArray *
intake_summary_missing_codes (IntakeQuestionnaire *questionnaire)
{
  GPtrArray *missing = g_ptr_array_new ();

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), missing);
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rules[i].question != NULL && intake_questionnaire_lookup_question (questionnaire, rules[i].question) == NULL &&
        !g_ptr_array_find_with_equal_func (missing, rules[i].question, g_str_equal, NULL))
      g_ptr_array_add (missing, (gpointer)rules[i].question);
  return missing;
}

/* ------------------------------------------------------------------ */
/* Building the lines                                                   */

typedef struct {
  GPtrArray *items;    /* char *, wiped */
  GPtrArray *sources;  /* const char * (question codes) */
  const char *text_language_name;
} Accumulator;

#define N_SIMPLE_TOPICS INTAKE_SUMMARY_BARRIERS

struct _IntakeSummary {
  GObject             parent_instance;

  GArray             *lines;  /* IntakeSummaryLine */
};

G_DEFINE_FINAL_TYPE (IntakeSummary, intake_summary, G_TYPE_OBJECT)

static void
wipe_strv (char **strv)
{
  if (strv == NULL)
    return;
  for (char **p = strv; *p != NULL; p++)
    intake_secure_strfree (*p);
  g_free (strv);
}

static void
line_clear (gpointer data)
{
  IntakeSummaryLine *line = data;

  intake_secure_strfree (line->label);
  intake_secure_strfree (line->zrm_domain);
  intake_secure_strfree (line->text);
  wipe_strv (line->items);
  g_strfreev (line->sources);
  intake_secure_strfree (line->text_language_name);
}

static void
intake_summary_finalize (GObject *object)
{
  IntakeSummary *self = INTAKE_SUMMARY (object);

  g_clear_pointer (&self->lines, g_array_unref);

  G_OBJECT_CLASS (intake_summary_parent_class)->finalize (object);
}

static void
intake_summary_class_init (IntakeSummaryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_summary_finalize;
}

static void
intake_summary_init (IntakeSummary *self)
{
  self->lines = g_array_new (FALSE, TRUE, sizeof (IntakeSummaryLine));
  g_array_set_clear_func (self->lines, line_clear);
}

static void
accumulator_add (Accumulator          *acc,
                 const IntakeQuestion *q,
                 char                 *item)
{
  if (acc->items == NULL)
    {
      acc->items = g_ptr_array_new_with_free_func ((GDestroyNotify) intake_secure_strfree);
      acc->sources = g_ptr_array_new ();
    }
  g_ptr_array_add (acc->items, item);
  if (!g_ptr_array_find_with_equal_func (acc->sources, q->code, g_str_equal, NULL))
    g_ptr_array_add (acc->sources, q->code);
}

static void
accumulator_clear (Accumulator *acc)
{
  g_clear_pointer (&acc->items, g_ptr_array_unref);
  g_clear_pointer (&acc->sources, g_ptr_array_unref);
}

/* @lang: the language of the questionnaire's texts. */
static char *
item_new (const IntakeQuestion *q,
          const char           *lang,
          const char           *answer_text,
          Show                  show)
{
  if (show == SHOW_ANSWER)
    return g_strdup (answer_text);
  return g_strdup_printf ("%s — %s", intake_text_get (q->text, lang), answer_text);
}

/* The chosen options that the rule lists, in option order. */
static char *
matching_options_text (const Rule           *rule,
                       const IntakeQuestion *q,
                       const char           *lang,
                       const IntakeAnswer   *answer)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < q->n_options; i++)
    {
      const char *code = q->options[i].code;
      gboolean chosen = intake_answer_get_kind (answer) == INTAKE_ANSWER_CHOICES
                          ? intake_answer_has_choice (answer, code)
                          : strcmp (intake_answer_get_string (answer), code) == 0;

      if (chosen && g_strv_contains (rule->options, code))
        {
          if (out->len > 0)
            g_string_append (out, SEPARATOR);
          g_string_append (out, intake_text_get (q->options[i].label, lang));
        }
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The answer's words when @rule counts it, else NULL. */
static char *
rule_answer_text (const Rule              *rule,
                  const IntakeQuestion    *q,
                  const char              *lang,
                  const IntakeAnswerWords *words,
                  const IntakeAnswer      *answer)
{
  switch (rule->match)
    {
    case MATCH_ANSWERED:
      return intake_answer_format (q, answer, lang, words);
    case MATCH_OPTIONS:
      if (intake_answer_get_kind (answer) != INTAKE_ANSWER_CHOICE &&
          intake_answer_get_kind (answer) != INTAKE_ANSWER_CHOICES)
        return NULL;
      return matching_options_text (rule, q, lang, answer);
    case MATCH_AT_MOST:
      if (intake_answer_get_kind (answer) != INTAKE_ANSWER_INTEGER ||
          intake_answer_get_integer (answer) > rule->bound)
        return NULL;
      return intake_answer_format (q, answer, lang, words);
    case MATCH_TRUE:
      if (intake_answer_get_kind (answer) != INTAKE_ANSWER_BOOLEAN ||
          !intake_answer_get_boolean (answer))
        return NULL;
      return intake_answer_format (q, answer, lang, words);
    case MATCH_SCALE_TOP:
      if (intake_answer_get_kind (answer) != INTAKE_ANSWER_INTEGER ||
          intake_answer_get_integer (answer) != q->max)
        return NULL;
      return intake_answer_format (q, answer, lang, words);
    default:
      g_assert_not_reached ();
    }
}

static char **
strv_from_array (GPtrArray *array,
                 gboolean   steal)
{
  char **strv = g_new0 (char *, array->len + 1);

  for (guint i = 0; i < array->len; i++)
    strv[i] = steal ? g_ptr_array_index (array, i) : g_strdup (g_ptr_array_index (array, i));
  if (steal)
    g_ptr_array_set_free_func (array, NULL);
  return strv;
}

static void
add_line (IntakeSummary      *self,
          IntakeSummaryTopic  topic,
          int                 zrm,
          Accumulator        *acc)
{
  IntakeSummaryLine line = { 0 };

  if (acc->items == NULL)
    return;

  line.topic = topic;
  line.label = g_strdup (zrm >= 0 ? _(zrm_domains[zrm].name) : _(topic_labels[topic]));
  line.zrm_domain = zrm >= 0 ? g_strdup (zrm_domains[zrm].code) : NULL;
  line.items = strv_from_array (acc->items, TRUE);
  line.text = g_strjoinv (SEPARATOR, line.items);
  line.sources = strv_from_array (acc->sources, FALSE);
  line.text_language_name = g_strdup (acc->text_language_name);
  g_array_append_val (self->lines, line);
}

IntakeSummary *
intake_summary_new (IntakeSubmission     *submission,
                    IntakeQuestionnaire  *questionnaire,
                    const char           *staff_language,
                    GError              **error)
{
  g_autoptr(IntakeSummary) self = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  Accumulator simple[N_SIMPLE_TOPICS] = { { 0 } };
  Accumulator barriers[N_ZRM] = { { 0 } };
  Accumulator not_said[N_ZRM] = { { 0 } };
  IntakeAnswerWords words = intake_staff_answer_words ();
  /* Translators: the item of a question the resident chose not to answer,
   * after the question: "Do you have debts? — would rather not say". */
  const char *declined = _("would rather not say");
  const char *lang = staff_language;
  const char *language_name;
  guint n_questions;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), NULL);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (lang == NULL)
    lang = intake_questionnaire_get_source_language (questionnaire);
  if (intake_questionnaire_lookup_language (questionnaire, lang) == NULL)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE,
                   /* Translators: the questionnaire's id, its version and a language code. */
                   _("questionnaire %s version %u has no texts in \"%s\""),
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire), lang);
      return NULL;
    }

  answers = intake_submission_dup_answers (submission, questionnaire, error);
  if (answers == NULL)
    return NULL;

  language_name = intake_staff_language_name (intake_submission_get_language (submission));
  if (language_name == NULL)
    language_name = intake_submission_get_language (submission);

  n_questions = intake_questionnaire_get_n_questions (questionnaire);
  for (guint i = 0; i < n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);
      const IntakeAnswer *answer = g_ptr_array_index (answers, i);

      if (answer == NULL)
        continue;  /* skipped or not shown: supports nothing */

      if (intake_answer_is_declined (answer))
        {
          int zrm = zrm_index (q->tag_zrm);

          /* "Rather not say" is listed as such: never as a barrier, never as an answer. */
          if (zrm >= 0)
            accumulator_add (&not_said[zrm], q,
                             item_new (q, lang, declined, SHOW_QUESTION_AND_ANSWER));
          for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
            if (rules[r].topic < N_SIMPLE_TOPICS && rules[r].match == MATCH_ANSWERED &&
                rule_selects (&rules[r], q))
              accumulator_add (&simple[rules[r].topic], q,
                               item_new (q, lang, declined, SHOW_QUESTION_AND_ANSWER));
          continue;
        }

      for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
        {
          const Rule *rule = &rules[r];
          g_autofree char *answer_text = NULL;

          if (!rule_selects (rule, q))
            continue;
          answer_text = rule_answer_text (rule, q, lang, &words, answer);
          if (answer_text == NULL)
            continue;

          if (rule->topic == INTAKE_SUMMARY_BARRIERS)
            {
              int zrm = zrm_index (q->tag_zrm);

              /* intake_summary_check_rules() catches a barrier question without a zrm tag. */
              if (zrm >= 0)
                accumulator_add (&barriers[zrm], q, item_new (q, lang, answer_text, rule->show));
            }
          else
            {
              gboolean free_text = q->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && q->text_kind == INTAKE_TEXT_KIND_TEXT;
              /* Named only where known and not the staff's own language. */
              gboolean known = free_text && g_strcmp0 (intake_submission_get_language (submission), lang) != 0 &&
                               intake_staff_text_in_language (answer_text, intake_submission_get_language (submission));

              if (known && rule->topic == INTAKE_SUMMARY_OWN_WORDS)
                {
                  accumulator_add (&simple[rule->topic], q, item_new (q, lang, answer_text, rule->show));
                  simple[rule->topic].text_language_name = language_name;
                }
              else if (known)
                {
                  /* Translators: free text in a summary line of several answers, and
                   * the language it was written in: "طبخ (written in Arabic)". */
                  g_autoptr(IntakeSecureStr) labelled = g_strdup_printf (_("%s (written in %s)"), answer_text,
                                                                         language_name);

                  accumulator_add (&simple[rule->topic], q, item_new (q, lang, labelled, rule->show));
                }
              else
                accumulator_add (&simple[rule->topic], q, item_new (q, lang, answer_text, rule->show));
            }
          intake_secure_wipe (answer_text, strlen (answer_text));
        }
    }

  self = g_object_new (INTAKE_TYPE_SUMMARY, NULL);
  for (int t = 0; t < N_SIMPLE_TOPICS; t++)
    {
      add_line (self, t, -1, &simple[t]);
      accumulator_clear (&simple[t]);
    }
  for (int z = 0; z < N_ZRM; z++)
    {
      add_line (self, INTAKE_SUMMARY_BARRIERS, z, &barriers[z]);
      accumulator_clear (&barriers[z]);
    }
  for (int z = 0; z < N_ZRM; z++)
    {
      add_line (self, INTAKE_SUMMARY_NOT_SAID, z, &not_said[z]);
      accumulator_clear (&not_said[z]);
    }

  return g_steal_pointer (&self);
}

const char *
intake_summary_get_heading (IntakeSummary *self)
{
  g_return_val_if_fail (INTAKE_IS_SUMMARY (self), NULL);
  /* Translators: the fixed heading above the caseworker summary. The summary
   * selects answers for the conversation; it never decides or scores (AVG
   * art. 22), and the heading must say so. */
  return _("Aid for the conversation — no decision and no score about the person");
}

const char *
intake_summary_topic_title (IntakeSummaryTopic topic)
{
  g_return_val_if_fail ((guint) topic <= INTAKE_SUMMARY_NOT_SAID, NULL);
  return _(topic_titles[topic]);
}

guint
intake_summary_get_n_lines (IntakeSummary *self)
{
  g_return_val_if_fail (INTAKE_IS_SUMMARY (self), 0);
  return self->lines->len;
}

const IntakeSummaryLine *
intake_summary_get_line (IntakeSummary *self,
                         guint          i)
{
  g_return_val_if_fail (INTAKE_IS_SUMMARY (self), NULL);
  g_return_val_if_fail (i < self->lines->len, NULL);
  return &g_array_index (self->lines, IntakeSummaryLine, i);
}

const IntakeSummaryLine *
intake_summary_find_line (IntakeSummary      *self,
                          IntakeSummaryTopic  topic,
                          const char         *zrm_domain)
{
  g_return_val_if_fail (INTAKE_IS_SUMMARY (self), NULL);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const IntakeSummaryLine *line = &g_array_index (self->lines, IntakeSummaryLine, i);

      if (line->topic == topic && (zrm_domain == NULL || g_strcmp0 (line->zrm_domain, zrm_domain) == 0))
        return line;
    }
  return NULL;
}

/* intake-dashboard.c: counts for the review app's overview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "intake-dashboard.h"
#include "intake-review-client.h"
#include "intake-staff-words.h"


struct _IntakeDashboard
{
  GObject     parent_instance;

  /* Per series: key -> count, and key -> label (only when it differs). */
  GHashTable *counts[INTAKE_DASHBOARD_N_SERIES];
  GHashTable *labels[INTAKE_DASHBOARD_N_SERIES];
  /* "week\nlocation" -> count */
  GHashTable *week_location;
  GHashTable *waiting;       /* state -> guint[3]: count, median, longest */
  guint       total;
  guint       help_total;
};

G_DEFINE_FINAL_TYPE (IntakeDashboard, intake_dashboard, G_TYPE_OBJECT)

/* The location of a submission the server has none for; a key like any
 * other location. */
static const char *
unknown_location (void)
{
  /* Translators: the location of a submission whose kiosk location is not known. */
  return _("unknown");
}

static void
intake_dashboard_finalize (GObject *object)
{
  IntakeDashboard *self = INTAKE_DASHBOARD (object);

  for (guint i = 0; i < INTAKE_DASHBOARD_N_SERIES; i++)
    {
      g_clear_pointer (&self->counts[i], g_hash_table_unref);
      g_clear_pointer (&self->labels[i], g_hash_table_unref);
    }
  g_clear_pointer (&self->week_location, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_hash_table_unref);

  G_OBJECT_CLASS (intake_dashboard_parent_class)->finalize (object);
}

static void
intake_dashboard_class_init (IntakeDashboardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_dashboard_finalize;
}

static void
intake_dashboard_init (IntakeDashboard *self)
{
  for (guint i = 0; i < INTAKE_DASHBOARD_N_SERIES; i++)
    {
      self->counts[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->labels[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  self->week_location = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

IntakeDashboard *
intake_dashboard_new (void)
{
  return g_object_new (INTAKE_TYPE_DASHBOARD, NULL);
}

static void
count_in (GHashTable *table,
          const char *key,
          guint       n)
{
  guint old = GPOINTER_TO_UINT (g_hash_table_lookup (table, key));

  g_hash_table_replace (table, g_strdup (key), GUINT_TO_POINTER (old + n));
}

static void
add (IntakeDashboard       *self,
     IntakeDashboardSeries  series,
     const char            *key,
     const char            *label,
     guint                  n)
{
  count_in (self->counts[series], key, n);
  if (label != NULL && g_strcmp0 (label, key) != 0 && !g_hash_table_contains (self->labels[series], key))
    g_hash_table_insert (self->labels[series], g_strdup (key), g_strdup (label));
}

char *
intake_dashboard_iso_week (GDateTime *time)
{
  g_return_val_if_fail (time != NULL, NULL);

  return g_strdup_printf ("%04d-W%02d", g_date_time_get_week_numbering_year (time),
                          g_date_time_get_week_of_year (time));
}

static char *
week_label (const char *week)
{
  int year, number;

  if (sscanf (week, "%d-W%d", &year, &number) != 2)
    return g_strdup (week);
  /* Translators: an ISO week and its year, e.g. "week 47 (2026)". */
  return g_strdup_printf (_("week %d (%d)"), number, year);
}

void
intake_dashboard_add_meta (IntakeDashboard *self,
                           gint64           received_at,
                           const char      *location)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *week = NULL;
  g_autofree char *label = NULL;
  g_autofree char *cell = NULL;

  g_return_if_fail (INTAKE_IS_DASHBOARD (self));

  if (location == NULL || *location == '\0')
    location = unknown_location ();
  time = g_date_time_new_from_unix_local (received_at);
  g_return_if_fail (time != NULL);
  week = intake_dashboard_iso_week (time);
  label = week_label (week);
  add (self, INTAKE_DASHBOARD_WEEKS, week, label, 1);
  add (self, INTAKE_DASHBOARD_LOCATIONS, location, NULL, 1);
  cell = g_strconcat (week, "\n", location, NULL);
  count_in (self->week_location, cell, 1);
  self->total++;
}

IntakeDashboardFacts *
intake_dashboard_facts_new (IntakeSubmission    *submission,
                            IntakeQuestionnaire *questionnaire)
{
  IntakeDashboardFacts *facts = g_new0 (IntakeDashboardFacts, 1);
  g_autoptr(GPtrArray) codes_out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels_out = g_ptr_array_new_with_free_func (g_free);
  const IntakeQuestion *question = NULL;
  g_autoptr(GString) value = NULL;
  g_auto(GStrv) codes = NULL;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), facts);

  facts->language = g_strdup (intake_submission_get_language (submission));
  if (g_strcmp0 (intake_submission_get_questionnaire_id (submission), INTAKE_DASHBOARD_SECTOR_QUESTIONNAIRE) == 0 &&
      intake_submission_get_state (submission, INTAKE_DASHBOARD_SECTOR_QUESTION) == INTAKE_SUBMISSION_ANSWERED)
    {
      /* Option codes only ("a;b"): never free text. */
      value = g_string_new (NULL);
      intake_submission_append_value_text (submission, INTAKE_DASHBOARD_SECTOR_QUESTION, value);
      if (questionnaire != NULL)
        question = intake_questionnaire_lookup_question (questionnaire, INTAKE_DASHBOARD_SECTOR_QUESTION);
      codes = g_strsplit (value->str, ";", -1);
      for (guint i = 0; codes[i] != NULL; i++)
        {
          const IntakeOption *option = question ? intake_question_lookup_option (question, codes[i]) : NULL;

          if (*codes[i] == '\0')
            continue;
          /* A code the questionnaire does not know is no option: leave it out. */
          if (question != NULL && option == NULL)
            continue;
          g_ptr_array_add (codes_out, g_strdup (codes[i]));
          g_ptr_array_add (labels_out, g_strdup (option ? intake_text_get (option->label, "nl") : codes[i]));
        }
    }
  g_ptr_array_add (codes_out, NULL);
  g_ptr_array_add (labels_out, NULL);
  facts->sectors = (char **)g_ptr_array_steal (codes_out, NULL);
  facts->sector_labels = (char **)g_ptr_array_steal (labels_out, NULL);
  return facts;
}

void
intake_dashboard_facts_free (IntakeDashboardFacts *facts)
{
  if (facts == NULL)
    return;
  g_free (facts->language);
  g_strfreev (facts->sectors);
  g_strfreev (facts->sector_labels);
  g_free (facts);
}

void
intake_dashboard_add_facts (IntakeDashboard            *self,
                            const IntakeDashboardFacts *facts)
{
  g_return_if_fail (INTAKE_IS_DASHBOARD (self));
  g_return_if_fail (facts != NULL);

  if (facts->language != NULL)
    add (self, INTAKE_DASHBOARD_LANGUAGES, facts->language, intake_staff_language_name (facts->language), 1);
  for (guint i = 0; facts->sectors != NULL && facts->sectors[i] != NULL; i++)
    add (self, INTAKE_DASHBOARD_SECTORS, facts->sectors[i], facts->sector_labels[i], 1);
}

void
intake_dashboard_add_submission (IntakeDashboard     *self,
                                 IntakeSubmission    *submission,
                                 IntakeQuestionnaire *questionnaire)
{
  IntakeDashboardFacts *facts;

  g_return_if_fail (INTAKE_IS_DASHBOARD (self));
  g_return_if_fail (INTAKE_IS_SUBMISSION (submission));
  facts = intake_dashboard_facts_new (submission, questionnaire);
  intake_dashboard_add_facts (self, facts);
  intake_dashboard_facts_free (facts);
}

static gboolean
int_of (JsonObject *object,
        const char *name,
        gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
string_of (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
array_of (JsonObject *object,
          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
intake_dashboard_add_stats (IntakeDashboard *self,
                            JsonObject      *stats)
{
  JsonArray *weeks, *units, *waiting;
  JsonNode *states_node;
  JsonObject *states;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  weeks = array_of (stats, "weeks");
  units = array_of (stats, "units");
  waiting = array_of (stats, "waiting");
  states_node = json_object_get_member (stats, "states");
  if (weeks == NULL || units == NULL || waiting == NULL || states_node == NULL || !JSON_NODE_HOLDS_OBJECT (states_node))
    return FALSE;
  states = json_node_get_object (states_node);

  for (guint i = 0; i < json_array_get_length (weeks); i++)
    {
      JsonNode *element = json_array_get_element (weeks, i);
      JsonObject *cell = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *week, *location;
      g_autofree char *label = NULL;
      g_autofree char *key = NULL;
      gint64 count = 0;

      if (cell == NULL || !(week = string_of (cell, "week")) || !int_of (cell, "count", &count) || count <= 0)
        continue;
      location = string_of (cell, "location");
      if (location == NULL || *location == '\0')
        location = unknown_location ();
      label = week_label (week);
      add (self, INTAKE_DASHBOARD_WEEKS, week, label, (guint)count);
      add (self, INTAKE_DASHBOARD_LOCATIONS, location, NULL, (guint)count);
      key = g_strconcat (week, "\n", location, NULL);
      count_in (self->week_location, key, (guint)count);
      self->total += (guint)count;
    }
  for (const char * const *state = intake_review_states (); *state != NULL; state++)
    {
      gint64 count = 0;

      int_of (states, *state, &count);
      add (self, INTAKE_DASHBOARD_STATES, *state, intake_review_state_label (*state), (guint)count);
    }
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonNode *element = json_array_get_element (units, i);
      JsonObject *cell = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *unit, *state;
      gint64 count = 0;

      /* The backlog of a unit: what is not closed. */
      if (cell == NULL || !(unit = string_of (cell, "unit")) || !(state = string_of (cell, "state")) ||
          g_str_equal (state, "closed") || !int_of (cell, "count", &count) || count <= 0)
        continue;
      /* Translators: the open submissions no unit has taken yet, in the overview. */
      add (self, INTAKE_DASHBOARD_UNITS, unit, *unit != '\0' ? unit : _("no unit yet"), (guint)count);
    }
  for (guint i = 0; i < json_array_get_length (waiting); i++)
    {
      JsonNode *element = json_array_get_element (waiting, i);
      JsonObject *cell = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      gint64 count = 0, median = 0, longest = 0;
      const char *state;
      guint *figures;

      if (cell == NULL || !(state = string_of (cell, "state")) || !int_of (cell, "count", &count) ||
          !int_of (cell, "median_days", &median) || !int_of (cell, "longest_days", &longest))
        continue;
      figures = g_new0 (guint, 3);
      figures[0] = (guint)count;
      figures[1] = (guint)median;
      figures[2] = (guint)longest;
      g_hash_table_replace (self->waiting, g_strdup (state), figures);
    }
  return TRUE;
}

gboolean
intake_dashboard_get_waiting (IntakeDashboard *self,
                              const char      *state,
                              guint           *out_count,
                              guint           *out_median_days,
                              guint           *out_longest_days)
{
  guint *figures;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  if (!(figures = g_hash_table_lookup (self->waiting, state)))
    return FALSE;
  if (out_count != NULL)
    *out_count = figures[0];
  if (out_median_days != NULL)
    *out_median_days = figures[1];
  if (out_longest_days != NULL)
    *out_longest_days = figures[2];
  return TRUE;
}

char *
intake_dashboard_describe_waiting (IntakeDashboard *self)
{
  GString *out;
  gboolean any = FALSE;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), NULL);
  /* Translators: the beginning of the waiting times in words. */
  out = g_string_new (_("Waiting since the intake"));
  g_string_append (out, ": ");
  for (const char * const *state = intake_review_states (); *state != NULL; state++)
    {
      guint count, median, longest;
      g_autofree char *n = NULL;

      if (!intake_dashboard_get_waiting (self, *state, &count, &median, &longest) || count == 0)
        continue;
      if (any)
        g_string_append (out, "; ");
      any = TRUE;
      n = intake_dashboard_format_count (count);
      if (count < INTAKE_DASHBOARD_SMALL_CELL)
        /* Translators: waiting figures hidden for fewer than 5 submissions:
         * "New: < 5 (too few to show)". */
        g_string_append_printf (out, _("%s: %s (too few to show)"), intake_review_state_label (*state), n);
      else
        /* Translators: the waiting of one state: "New: 24, median 9 days, longest 10 days". */
        g_string_append_printf (out, _("%s: %s, median %u days, longest %u days"), intake_review_state_label (*state),
                                n, median, longest);
    }
  if (!any)
    g_string_append (out, _("nothing open."));
  else
    g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

gboolean
intake_dashboard_add_help_requests (IntakeDashboard *self,
                                    const char      *day,
                                    const char      *language,
                                    guint            count)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *week = NULL;
  g_autofree char *label = NULL;
  int y, m, d;
  char end;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), FALSE);

  if (day == NULL || sscanf (day, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 ||
      !(time = g_date_time_new_local (y, m, d, 12, 0, 0)))
    return FALSE;
  week = intake_dashboard_iso_week (time);
  label = week_label (week);
  add (self, INTAKE_DASHBOARD_HELP_WEEKS, week, label, count);
  if (language == NULL || *language == '\0')
    language = "und";
  add (self, INTAKE_DASHBOARD_HELP_LANGUAGES, language, intake_staff_language_name (language), count);
  self->help_total += count;
  return TRUE;
}

guint
intake_dashboard_get_total (IntakeDashboard *self)
{
  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), 0);
  return self->total;
}

guint
intake_dashboard_get_help_total (IntakeDashboard *self)
{
  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), 0);
  return self->help_total;
}

static GHashTable *sort_counts;
static GHashTable *sort_labels;

/* The rank of a count: all small cells rank alike (below 5), or the order
 * would tell which of two "< 5" is larger. */
static guint
rank (guint count)
{
  return count > 0 && count < INTAKE_DASHBOARD_SMALL_CELL ? 1 : count;
}

static int
by_count (gconstpointer a,
          gconstpointer b)
{
  const char *ka = *(const char **)a;
  const char *kb = *(const char **)b;
  guint ca = rank (GPOINTER_TO_UINT (g_hash_table_lookup (sort_counts, ka)));
  guint cb = rank (GPOINTER_TO_UINT (g_hash_table_lookup (sort_counts, kb)));
  const char *la, *lb;
  int order;

  if (ca != cb)
    return ca > cb ? -1 : 1;
  la = g_hash_table_lookup (sort_labels, ka);
  lb = g_hash_table_lookup (sort_labels, kb);
  order = g_utf8_collate (la ? la : ka, lb ? lb : kb);
  return order != 0 ? order : g_strcmp0 (ka, kb);
}

static int
state_order (const char *state)
{
  const char * const *states = intake_review_states ();

  for (int i = 0; states[i] != NULL; i++)
    if (g_str_equal (states[i], state))
      return i;
  return 100;
}

static int
by_workflow (gconstpointer a,
             gconstpointer b)
{
  return state_order (*(const char **)a) - state_order (*(const char **)b);
}

static int
by_key (gconstpointer a,
        gconstpointer b)
{
  return g_strcmp0 (*(const char **)a, *(const char **)b);
}

GPtrArray *
intake_dashboard_list_keys (IntakeDashboard       *self,
                            IntakeDashboardSeries  series)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), keys);
  g_return_val_if_fail (series < INTAKE_DASHBOARD_N_SERIES, keys);

  g_hash_table_iter_init (&iter, self->counts[series]);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  if (series == INTAKE_DASHBOARD_WEEKS || series == INTAKE_DASHBOARD_HELP_WEEKS)
    g_ptr_array_sort (keys, by_key);
  else if (series == INTAKE_DASHBOARD_STATES)
    g_ptr_array_sort (keys, by_workflow);
  else
    {
      /* The main thread only; a static keeps the comparator simple. */
      sort_counts = self->counts[series];
      sort_labels = self->labels[series];
      g_ptr_array_sort (keys, by_count);
      sort_counts = NULL;
      sort_labels = NULL;
    }
  return keys;
}

guint
intake_dashboard_get_count (IntakeDashboard       *self,
                            IntakeDashboardSeries  series,
                            const char            *key)
{
  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), 0);
  g_return_val_if_fail (series < INTAKE_DASHBOARD_N_SERIES, 0);
  g_return_val_if_fail (key != NULL, 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts[series], key));
}

const char *
intake_dashboard_get_label (IntakeDashboard       *self,
                            IntakeDashboardSeries  series,
                            const char            *key)
{
  const char *label;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), NULL);
  g_return_val_if_fail (series < INTAKE_DASHBOARD_N_SERIES, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  label = g_hash_table_lookup (self->labels[series], key);
  return label != NULL ? label : key;
}

guint
intake_dashboard_get_week_location (IntakeDashboard *self,
                                    const char      *week,
                                    const char      *location)
{
  g_autofree char *cell = NULL;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), 0);
  g_return_val_if_fail (week != NULL, 0);

  if (location == NULL || *location == '\0')
    location = unknown_location ();
  cell = g_strconcat (week, "\n", location, NULL);
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->week_location, cell));
}

char *
intake_dashboard_format_count (guint count)
{
  if (count > 0 && count < INTAKE_DASHBOARD_SMALL_CELL)
    return g_strdup ("< 5");
  return g_strdup_printf ("%u", count);
}

static const char * const titles[INTAKE_DASHBOARD_N_SERIES] = {
  /* Translators: the beginning of a chart's description in words, e.g.
   * "Languages used: Arabic: < 5; Dutch: 7." */
  [INTAKE_DASHBOARD_WEEKS] = N_("Submissions per week"),
  [INTAKE_DASHBOARD_LOCATIONS] = N_("Submissions per location"),
  [INTAKE_DASHBOARD_LANGUAGES] = N_("Languages used"),
  [INTAKE_DASHBOARD_SECTORS] = N_("Sectors wanted"),
  [INTAKE_DASHBOARD_HELP_WEEKS] = N_("Help requests per week"),
  [INTAKE_DASHBOARD_HELP_LANGUAGES] = N_("Help requests per language"),
  [INTAKE_DASHBOARD_STATES] = N_("Submissions per state"),
  [INTAKE_DASHBOARD_UNITS] = N_("Open submissions per unit"),
};

char *
intake_dashboard_describe (IntakeDashboard       *self,
                           IntakeDashboardSeries  series)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) locations = NULL;
  GString *out;

  g_return_val_if_fail (INTAKE_IS_DASHBOARD (self), NULL);
  g_return_val_if_fail (series < INTAKE_DASHBOARD_N_SERIES, NULL);

  keys = intake_dashboard_list_keys (self, series);
  out = g_string_new (_(titles[series]));
  g_string_append (out, ": ");
  if (keys->len == 0)
    {
      /* Translators: after a chart's title: "Languages used: no data." */
      g_string_append (out, _("no data."));
      return g_string_free (out, FALSE);
    }
  if (series == INTAKE_DASHBOARD_WEEKS)
    locations = intake_dashboard_list_keys (self, INTAKE_DASHBOARD_LOCATIONS);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = keys->pdata[i];
      g_autofree char *n = intake_dashboard_format_count (intake_dashboard_get_count (self, series, key));

      if (i > 0)
        g_string_append (out, "; ");
      g_string_append_printf (out, "%s: %s", intake_dashboard_get_label (self, series, key), n);
      if (locations != NULL && locations->len > 0)
        {
          gboolean first = TRUE;

          g_string_append (out, " (");
          for (guint j = 0; j < locations->len; j++)
            {
              guint c = intake_dashboard_get_week_location (self, key, locations->pdata[j]);
              g_autofree char *cn = NULL;

              if (c == 0)
                continue;
              cn = intake_dashboard_format_count (c);
              g_string_append_printf (out, "%s%s %s", first ? "" : ", ", (const char *)locations->pdata[j], cn);
              first = FALSE;
            }
          g_string_append (out, ")");
        }
    }
  g_string_append_c (out, '.');
  return g_string_free (out, FALSE);
}

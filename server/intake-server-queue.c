/* intake-server-queue.c: the review queue's counts, units and assignees, and the team lead's figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "The queue". The counts are what a review app polls to
 * notice new intakes and colleagues' changes: numbers and two sequence
 * marks, no submission and no name, so they are served without an audit
 * event (a poll every half minute from every workstation must not grow the
 * log); the list the app then asks for is audited as always. The team
 * lead's figures (GET /v1/review/stats) are computed here from metadata,
 * never from answers, and audited once per request as "dashboard".
 */
#include "config.h"

#include <string.h>

#include "intake-roles.h"
#include "intake-server-private.h"

static const char * const states[] = { INTAKE_REVIEW_STATES, NULL };

static void
add_states (JsonBuilder *builder,
            const gint64 counts[])
{
  json_builder_set_member_name (builder, "states");
  json_builder_begin_object (builder);
  for (guint i = 0; states[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, states[i]);
      json_builder_add_int_value (builder, counts[i]);
    }
  json_builder_end_object (builder);
}

static int
state_index (const char *state)
{
  for (int i = 0; states[i] != NULL; i++)
    if (g_str_equal (states[i], state))
      return i;
  return -1;
}

/* "unit\tstate" -> count, added up. */
static void
count_unit (GHashTable *units,
            const char *unit,
            const char *state,
            gint64      n)
{
  char *key = g_strconcat (unit, "\t", state, NULL);
  gint64 *count = g_hash_table_lookup (units, key);

  if (count == NULL)
    {
      count = g_new0 (gint64, 1);
      g_hash_table_insert (units, key, count);
    }
  else
    g_free (key);
  *count += n;
}

/* The units member: [{"unit", "state", "count"}], by unit then state order. */
static void
add_units (JsonBuilder *builder,
           GHashTable  *units)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, units);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, intake_server_compare_strings);
  json_builder_set_member_name (builder, "units");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (keys->pdata[i], "\t", 2);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "unit");
      json_builder_add_string_value (builder, parts[0]);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, parts[1]);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, *(gint64 *)g_hash_table_lookup (units, keys->pdata[i]));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* GET /v1/review/counts?location&from&to&reference */
void
intake_server_review_counts (IntakeServer      *self,
                             SoupServerMessage *msg,
                             GHashTable        *query,
                             ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) cells = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autoptr(GHashTable) units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  IntakeSubmissionFilter filter = { 0 };
  IntakeStoreCountMarks marks = { 0 };
  gint64 by_state[G_N_ELEMENTS (states)] = { 0 };
  gint64 total = 0, todo = 0, mine = 0;

  if (!intake_server_review_parse_filter (self, msg, query, ctx, &filter, &reference, NULL))
    return;
  /* What is counted is the state and the view; they are not filters here. */
  filter.state = NULL;
  filter.view = INTAKE_SUBMISSION_VIEW_ALL;
  if (!intake_store_count_submissions (self->store, &filter, &cells, &marks, &error))
    return intake_server_store_unavailable (msg, error);

  for (guint i = 0; i < cells->len; i++)
    {
      const IntakeStoreCountCell *cell = cells->pdata[i];
      int s = state_index (cell->state);
      gboolean open = !g_str_equal (cell->state, "closed");

      total += cell->count;
      if (s >= 0)
        by_state[s] += cell->count;
      if (open && cell->assignee == 1)
        mine += cell->count;
      if (open && (cell->assignee == 1 || (cell->assignee == 0 && g_str_equal (cell->state, "new"))))
        todo += cell->count;
      count_unit (units, cell->unit, cell->state, cell->count);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, total);
  json_builder_set_member_name (builder, "latest_seq");
  json_builder_add_int_value (builder, marks.latest_seq);
  json_builder_set_member_name (builder, "changes");
  json_builder_add_int_value (builder, marks.latest_change);
  add_states (builder, by_state);
  json_builder_set_member_name (builder, "todo");
  json_builder_add_int_value (builder, todo);
  json_builder_set_member_name (builder, "mine");
  json_builder_add_int_value (builder, mine);
  add_units (builder, units);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* GET /v1/review/units: the office's list, in its order. */
void
intake_server_review_units (IntakeServer      *self,
                            SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) units = NULL;

  if (!(units = intake_store_dup_units (self->store, &error)))
    return intake_server_store_unavailable (msg, error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "units");
  json_builder_begin_array (builder);
  for (guint i = 0; units[i] != NULL; i++)
    json_builder_add_string_value (builder, units[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
add_string_list (JsonBuilder *builder,
                 const char  *name,
                 char       **list)
{
  json_builder_set_member_name (builder, name);
  if (list == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; list[i] != NULL; i++)
    json_builder_add_string_value (builder, list[i]);
  json_builder_end_array (builder);
}

/* GET /v1/review/assignees: active reviewers who can take a submission
 * (caseworkers and team leads), with their scope, by name. */
void
intake_server_review_assignees (IntakeServer      *self,
                                SoupServerMessage *msg,
                                ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) reviewers = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  if (!(reviewers = intake_store_list_reviewers (self->store, &error)))
    return intake_server_store_unavailable (msg, error);
  if (!intake_server_review_audit (self, msg, ctx->reviewer->name, "assignee_list", "assignees", "ok"))
    return;
  for (guint i = 0; i < reviewers->len; i++)
    {
      IntakeStoreReviewer *reviewer = reviewers->pdata[i];

      if (reviewer->status == INTAKE_REVIEWER_STATUS_ACTIVE &&
          intake_roles_allow (reviewer->roles, INTAKE_PERMISSION_WORKFLOW))
        g_ptr_array_add (names, reviewer);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "assignees");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    {
      IntakeStoreReviewer *reviewer = names->pdata[i];
      g_autofree char *roles = intake_roles_to_string (reviewer->roles);
      g_auto(GStrv) role_list = g_strsplit (roles, ",", -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, reviewer->name);
      add_string_list (builder, "roles", role_list);
      add_string_list (builder, "locations", reviewer->locations);
      add_string_list (builder, "units", reviewer->units);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* ---- The team lead's figures ------------------------------------------ */

typedef struct {
  gint64      now;
  gint64      total;
  gint64      by_state[G_N_ELEMENTS (states)];
  GArray     *waiting[G_N_ELEMENTS (states)];   /* gint64 days, per open state */
  GHashTable *units;                           /* "unit\tstate" -> count */
  GHashTable *weeks;                           /* "week\tlocation" -> count */
} Stats;

static void
stats_fact_cb (const IntakeStoreFact *fact,
               gpointer               user_data)
{
  Stats *stats = user_data;
  int s = state_index (fact->state);
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (fact->created_at);

  stats->total++;
  if (s >= 0)
    {
      stats->by_state[s]++;
      if (!g_str_equal (fact->state, "closed"))
        {
          gint64 days = MAX (0, (stats->now - fact->created_at) / (24 * 3600));

          g_array_append_val (stats->waiting[s], days);
        }
    }
  count_unit (stats->units, fact->unit, fact->state, 1);
  if (created != NULL)
    {
      g_autofree char *week = g_strdup_printf ("%04d-W%02d", g_date_time_get_week_numbering_year (created),
                                               g_date_time_get_week_of_year (created));

      count_unit (stats->weeks, week, fact->location, 1);
    }
}

static int
compare_days (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* GET /v1/review/stats?location&from&to&reference: backlog per state and
 * unit, waiting times per open state, intakes per ISO week (of created_at,
 * in the server's time zone) and location. Metadata only. */
void
intake_server_review_stats (IntakeServer      *self,
                            SoupServerMessage *msg,
                            GHashTable        *query,
                            ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) object = g_string_new ("stats ");
  g_autofree char *reference = NULL;
  IntakeSubmissionFilter filter = { 0 };
  Stats stats = { 0 };
  gboolean ok;

  if (!intake_server_review_parse_filter (self, msg, query, ctx, &filter, &reference, object))
    return;
  filter.state = NULL;
  filter.view = INTAKE_SUBMISSION_VIEW_ALL;
  g_free (ctx->object);
  ctx->object = g_strdup (object->str);

  stats.now = intake_server_now_seconds ();
  stats.units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stats.weeks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; states[i] != NULL; i++)
    stats.waiting[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
  ok = intake_store_foreach_fact (self->store, &filter, stats_fact_cb, &stats, &error);
  if (ok && intake_server_review_audit (self, msg, ctx->reviewer->name, "dashboard", ctx->object, "ok"))
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "now");
      json_builder_add_int_value (builder, stats.now);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, stats.total);
      add_states (builder, stats.by_state);
      add_units (builder, stats.units);
      json_builder_set_member_name (builder, "waiting");
      json_builder_begin_array (builder);
      for (guint i = 0; states[i] != NULL; i++)
        {
          GArray *days = stats.waiting[i];

          if (g_str_equal (states[i], "closed"))
            continue;
          g_array_sort (days, compare_days);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, states[i]);
          json_builder_set_member_name (builder, "count");
          json_builder_add_int_value (builder, days->len);
          json_builder_set_member_name (builder, "median_days");
          json_builder_add_int_value (builder, days->len > 0 ? g_array_index (days, gint64, days->len / 2) : 0);
          json_builder_set_member_name (builder, "longest_days");
          json_builder_add_int_value (builder, days->len > 0 ? g_array_index (days, gint64, days->len - 1) : 0);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      {
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init (&iter, stats.weeks);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          g_ptr_array_add (keys, key);
        g_ptr_array_sort (keys, intake_server_compare_strings);
        json_builder_set_member_name (builder, "weeks");
        json_builder_begin_array (builder);
        for (guint i = 0; i < keys->len; i++)
          {
            g_auto(GStrv) parts = g_strsplit (keys->pdata[i], "\t", 2);

            json_builder_begin_object (builder);
            json_builder_set_member_name (builder, "week");
            json_builder_add_string_value (builder, parts[0]);
            json_builder_set_member_name (builder, "location");
            json_builder_add_string_value (builder, parts[1]);
            json_builder_set_member_name (builder, "count");
            json_builder_add_int_value (builder, *(gint64 *)g_hash_table_lookup (stats.weeks, keys->pdata[i]));
            json_builder_end_object (builder);
          }
        json_builder_end_array (builder);
      }
      json_builder_end_object (builder);
      intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
    }
  else if (!ok)
    intake_server_store_unavailable (msg, error);
  for (guint i = 0; states[i] != NULL; i++)
    g_array_unref (stats.waiting[i]);
  g_hash_table_unref (stats.units);
  g_hash_table_unref (stats.weeks);
}

/* intake-review-dashboard.c: the "Overzicht" page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Counts only (IntakeDashboard): the decrypted submissions are dropped as
 * soon as their language and sectors are counted. A chart is not accessible
 * on its own, so every drawing area carries its numbers in words as its
 * accessible description, and the same words are shown under it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <adwaita.h>

#include "intake-review-dashboard.h"

/* The charted series, in page order. */
static const IntakeDashboardSeries charted[] = {
  INTAKE_DASHBOARD_STATES,
  INTAKE_DASHBOARD_UNITS,
  INTAKE_DASHBOARD_WEEKS,
  INTAKE_DASHBOARD_LANGUAGES,
  INTAKE_DASHBOARD_SECTORS,
  INTAKE_DASHBOARD_HELP_WEEKS,
};

/* The languages and sectors: submissions per batch fetch (the protocol's
 * most), and batches at once, so the server reads and audits one while
 * this machine opens another. */
#define BATCH_KEYS   100
#define MAX_BATCHES  3

static const char * const chart_titles[INTAKE_DASHBOARD_N_SERIES] = {
  /* Translators: the titles of the overview's charts. */
  [INTAKE_DASHBOARD_WEEKS] = N_("Submissions per week and location"),
  [INTAKE_DASHBOARD_LANGUAGES] = N_("Languages used"),
  [INTAKE_DASHBOARD_SECTORS] = N_("Sectors wanted (several answers per person possible)"),
  [INTAKE_DASHBOARD_HELP_WEEKS] = N_("Help requests per week"),
  [INTAKE_DASHBOARD_STATES] = N_("Backlog per state"),
  [INTAKE_DASHBOARD_UNITS] = N_("Open submissions per unit"),
};

/* Okabe-Ito: distinguishable with the common colour-vision deficiencies; every
 * bar also gets an outline in the text colour, so it stands out in high contrast. */
static const GdkRGBA palette[] = {
  { 0.000, 0.447, 0.698, 1 },  /* blue */
  { 0.902, 0.624, 0.000, 1 },  /* orange */
  { 0.000, 0.620, 0.451, 1 },  /* green */
  { 0.800, 0.475, 0.655, 1 },  /* reddish purple */
  { 0.337, 0.706, 0.914, 1 },  /* sky blue */
  { 0.835, 0.369, 0.000, 1 },  /* vermillion */
  { 0.941, 0.894, 0.259, 1 },  /* yellow */
};

struct _IntakeReviewDashboard
{
  GtkWidget               parent_instance;

  GtkWidget              *box;
  GtkLabel               *status;
  GtkWidget              *charts[INTAKE_DASHBOARD_N_SERIES];
  GtkLabel               *words[INTAKE_DASHBOARD_N_SERIES];
  GtkLabel               *waiting;

  IntakeDashboard        *model;        /* shown */
  gboolean                loading;

  /* One load */
  IntakeDashboard        *pending;
  IntakeReviewClient     *client;
  IntakeQuestionnaireSet *questionnaires;
  IntakeReviewFilter      filter;       /* strings owned */
  GQueue                  ids;          /* char *, to fetch */
  guint                   n_listed;
  guint                   n_failed;
  guint                   n_fetching;   /* keys in the batches in flight */
  guint                   n_batches;
  guint                   n_decrypted;  /* by the last load */
  gboolean                listed;       /* every page of the filter is listed */
  gboolean                help_done;
  GHashTable             *facts;        /* the window's: key -> IntakeDashboardFacts */
  GCancellable           *cancellable;
};

G_DEFINE_FINAL_TYPE (IntakeReviewDashboard, intake_review_dashboard, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Drawing ----------------------------------------------------------- */

static void
foreground (GtkWidget *widget,
            GdkRGBA   *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
show_text (cairo_t    *cr,
           GtkWidget  *widget,
           const char *text,
           double      x,
           double      y,
           double      align,      /* 0 left, 0.5 centre, 1 right of x */
           int        *out_width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  if (out_width != NULL)
    *out_width = w;
  g_object_unref (layout);
}

static int
text_width (GtkWidget  *widget,
            const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int w;

  pango_layout_get_pixel_size (layout, &w, NULL);
  g_object_unref (layout);
  return w;
}

/* A bar. A small cell (1-4) is drawn as tall as 5 and hatched, so that its
 * length does not give away the exact count its label hides. */
static void
draw_bar (cairo_t       *cr,
          const GdkRGBA *fill,
          const GdkRGBA *fg,
          double x, double y, double w, double h,
          gboolean       small)
{
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  if (small)
    {
      cairo_clip_preserve (cr);
      cairo_set_source_rgba (cr, fill->red, fill->green, fill->blue, 0.35);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, fg);
      cairo_set_line_width (cr, 1);
      for (double d = -h; d < w; d += 6)
        {
          cairo_move_to (cr, x + d, y + h);
          cairo_line_to (cr, x + d + h, y);
        }
      cairo_stroke (cr);
      cairo_reset_clip (cr);
      cairo_rectangle (cr, x, y, w, h);
    }
  else
    {
      gdk_cairo_set_source_rgba (cr, fill);
      cairo_fill_preserve (cr);
    }
  gdk_cairo_set_source_rgba (cr, fg);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static double
shown_value (guint count)
{
  return count > 0 && count < INTAKE_DASHBOARD_SMALL_CELL ? INTAKE_DASHBOARD_SMALL_CELL : count;
}

static void
draw_empty (cairo_t   *cr,
            GtkWidget *area,
            int        width,
            int        height)
{
  GdkRGBA fg;

  foreground (area, &fg);
  gdk_cairo_set_source_rgba (cr, &fg);
  /* Translators: in an empty chart. */
  show_text (cr, area, _("No data"), width / 2.0, height / 2.0, 0.5, NULL);
}

/* Weeks along the x axis; per week one bar per location (@grouped) or one bar. */
static void
draw_columns_cb (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  IntakeReviewDashboard *self = user_data;
  IntakeDashboardSeries series = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (area), "series"));
  GtkWidget *widget = GTK_WIDGET (area);
  g_autoptr(GPtrArray) weeks = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  double max = INTAKE_DASHBOARD_SMALL_CELL, left = 44, right = 12, top = 12, bottom = 28, legend = 0;
  double plot_w, plot_h, slot;
  GdkRGBA fg;

  if (self->model == NULL ||
      (weeks = intake_dashboard_list_keys (self->model, series))->len == 0)
    {
      draw_empty (cr, widget, width, height);
      return;
    }
  foreground (widget, &fg);
  if (series == INTAKE_DASHBOARD_WEEKS)
    {
      groups = intake_dashboard_list_keys (self->model, INTAKE_DASHBOARD_LOCATIONS);
      legend = 24;
    }
  for (guint i = 0; i < weeks->len; i++)
    if (groups != NULL)
      for (guint j = 0; j < groups->len; j++)
        max = MAX (max, shown_value (intake_dashboard_get_week_location (self->model, weeks->pdata[i], groups->pdata[j])));
    else
      max = MAX (max, shown_value (intake_dashboard_get_count (self->model, series, weeks->pdata[i])));
  max *= 1.15;  /* room for the value above the highest bar */

  plot_w = width - left - right;
  plot_h = height - top - bottom - legend;
  if (plot_w < 20 || plot_h < 20)
    return;

  /* Axes and a scale: zero and the top value. */
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, left, top);
  cairo_line_to (cr, left, top + plot_h);
  cairo_line_to (cr, left + plot_w, top + plot_h);
  cairo_stroke (cr);
  show_text (cr, widget, "0", left - 6, top + plot_h, 1, NULL);
  {
    g_autofree char *top_value = g_strdup_printf ("%.0f", max / 1.15);

    show_text (cr, widget, top_value, left - 6, top + plot_h - plot_h / 1.15, 1, NULL);
  }

  slot = plot_w / weeks->len;
  for (guint i = 0; i < weeks->len; i++)
    {
      const char *week = weeks->pdata[i];
      guint n_bars = groups != NULL ? groups->len : 1;
      double bar_w = MIN (48, (slot * 0.8) / n_bars);
      double x0 = left + i * slot + (slot - bar_w * n_bars) / 2;

      for (guint j = 0; j < n_bars; j++)
        {
          guint count = groups != NULL ? intake_dashboard_get_week_location (self->model, week, groups->pdata[j])
                                       : intake_dashboard_get_count (self->model, series, week);
          double h = plot_h * shown_value (count) / max;
          double x = x0 + j * bar_w;
          g_autofree char *value = intake_dashboard_format_count (count);

          if (count > 0)
            draw_bar (cr, &palette[j % G_N_ELEMENTS (palette)], &fg, x + 1, top + plot_h - h, bar_w - 2, h,
                      count < INTAKE_DASHBOARD_SMALL_CELL);
          gdk_cairo_set_source_rgba (cr, &fg);
          show_text (cr, widget, value, x + bar_w / 2, top + plot_h - h - 10, 0.5, NULL);
        }
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, widget, intake_dashboard_get_label (self->model, series, week),
                 left + i * slot + slot / 2, top + plot_h + bottom / 2.0 + 2, 0.5, NULL);
    }

  /* Legend: a swatch and the location's name. */
  if (groups != NULL)
    {
      double x = left;
      double y = height - legend / 2.0;

      for (guint j = 0; j < groups->len; j++)
        {
          int w = 0;

          draw_bar (cr, &palette[j % G_N_ELEMENTS (palette)], &fg, x, y - 6, 12, 12, FALSE);
          gdk_cairo_set_source_rgba (cr, &fg);
          show_text (cr, widget, groups->pdata[j], x + 18, y, 0, &w);
          x += 18 + w + 18;
        }
    }
}

/* Categories down the y axis, bars to the right with their value. */
static void
draw_rows_cb (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  IntakeReviewDashboard *self = user_data;
  IntakeDashboardSeries series = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (area), "series"));
  GtkWidget *widget = GTK_WIDGET (area);
  g_autoptr(GPtrArray) keys = NULL;
  double max = INTAKE_DASHBOARD_SMALL_CELL, label_w = 0, row_h, plot_w;
  GdkRGBA fg;

  if (self->model == NULL ||
      (keys = intake_dashboard_list_keys (self->model, series))->len == 0)
    {
      draw_empty (cr, widget, width, height);
      return;
    }
  foreground (widget, &fg);
  for (guint i = 0; i < keys->len; i++)
    {
      max = MAX (max, shown_value (intake_dashboard_get_count (self->model, series, keys->pdata[i])));
      label_w = MAX (label_w, text_width (widget, intake_dashboard_get_label (self->model, series, keys->pdata[i])));
    }
  label_w = MIN (label_w, width * 0.55);
  plot_w = width - label_w - 12 - 48;
  row_h = MIN (32, (double) height / keys->len);
  if (plot_w < 20)
    return;

  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, label_w + 8, 0);
  cairo_line_to (cr, label_w + 8, row_h * keys->len);
  cairo_stroke (cr);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = keys->pdata[i];
      guint count = intake_dashboard_get_count (self->model, series, key);
      double w = plot_w * shown_value (count) / max;
      double y = i * row_h;
      g_autofree char *value = intake_dashboard_format_count (count);

      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_save (cr);
      cairo_rectangle (cr, 0, y, label_w, row_h);
      cairo_clip (cr);
      show_text (cr, widget, intake_dashboard_get_label (self->model, series, key), label_w, y + row_h / 2, 1, NULL);
      cairo_restore (cr);
      draw_bar (cr, &palette[0], &fg, label_w + 8, y + row_h * 0.15, w, row_h * 0.7,
                count < INTAKE_DASHBOARD_SMALL_CELL);
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, widget, value, label_w + 8 + w + 6, y + row_h / 2, 0, NULL);
    }
}

/* ---- Showing ----------------------------------------------------------- */

static void
set_loading (IntakeReviewDashboard *self,
             gboolean               loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
update_charts (IntakeReviewDashboard *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (charted); i++)
    {
      IntakeDashboardSeries series = charted[i];
      g_autofree char *words = self->model ? intake_dashboard_describe (self->model, series)
                                           : g_strdup (_("Not counted yet."));
      guint n = 0;

      if (self->model != NULL)
        {
          g_autoptr(GPtrArray) keys = intake_dashboard_list_keys (self->model, series);

          n = keys->len;
        }
      if (series != INTAKE_DASHBOARD_WEEKS && series != INTAKE_DASHBOARD_HELP_WEEKS)
        gtk_widget_set_size_request (self->charts[series], -1, MAX (60, 32 * n));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->charts[series]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _(chart_titles[series]),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, words,
                                      -1);
      gtk_label_set_text (self->words[series], words);
      gtk_widget_queue_draw (self->charts[series]);
    }
  {
    g_autofree char *waiting = self->model ? intake_dashboard_describe_waiting (self->model) : g_strdup ("");

    gtk_label_set_text (self->waiting, waiting);
  }
}

static void
clear_load (IntakeReviewDashboard *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending);
  g_clear_object (&self->client);
  g_clear_object (&self->questionnaires);
  g_clear_pointer ((char **) &self->filter.state, g_free);
  g_clear_pointer ((char **) &self->filter.location, g_free);
  g_clear_pointer ((char **) &self->filter.reference, g_free);
  g_queue_clear_full (&self->ids, g_free);
  g_clear_pointer (&self->facts, g_hash_table_unref);
  self->n_fetching = 0;
  self->n_batches = 0;
  self->listed = FALSE;
  self->help_done = FALSE;
}

static void
finish (IntakeReviewDashboard *self,
        const char            *error_message)
{
  if (error_message != NULL)
    gtk_label_set_text (self->status, error_message);
  else
    {
      g_autofree char *status = NULL;
      g_autofree char *total = intake_dashboard_format_count (intake_dashboard_get_total (self->pending));

      /* The server recorded the "dashboard" event of the stats request. */
      g_set_object (&self->model, self->pending);
      status = self->n_failed > 0
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        /* Translators: the first %s is a count or "< 5" (counts
                                         * from 1 to 4 are hidden), so the sentence must not
                                         * change with it: use the form for several. */
                                        "%s submissions of this filter; %u could not be opened and does not count "
                                        "for language and sector. Counts under 5 are shown as “< 5”.",
                                        "%s submissions of this filter; %u could not be opened and do not count "
                                        "for language and sector. Counts under 5 are shown as “< 5”.",
                                        self->n_failed),
                           total, self->n_failed)
        /* Translators: %s is a count or "< 5"; use the form for several. */
        : g_strdup_printf (_("%s submissions of this filter. Counts under 5 are shown as “< 5”, "
                             "so that nobody can be recognised."), total);
      gtk_label_set_text (self->status, status);
      update_charts (self);
    }
  clear_load (self);
  set_loading (self, FALSE);
}

static void pump (IntakeReviewDashboard *self);

static void
help_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  IntakeReviewDashboard *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (INTAKE_REVIEW_CLIENT (source), result, NULL, &error);
  JsonObject *object;
  JsonArray *rows;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (answer == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The help requests could not be loaded: %s"), error->message);

      finish (self, message);
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  rows = object ? json_object_get_array_member (object, "help_requests") : NULL;
  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      const char *location;

      if (row == NULL)
        continue;
      location = json_object_get_string_member_with_default (row, "location", NULL);
      /* The location filter applies to help requests too. */
      if (self->filter.location != NULL && g_strcmp0 (location, self->filter.location) != 0)
        continue;
      intake_dashboard_add_help_requests (self->pending,
                                          json_object_get_string_member_with_default (row, "day", NULL),
                                          json_object_get_string_member_with_default (row, "language", NULL),
                                          (guint) json_object_get_int_member_with_default (row, "count", 0));
    }
  self->help_done = TRUE;
  pump (self);
}

static void
load_help_requests (IntakeReviewDashboard *self)
{
  g_autoptr(GString) path = g_string_new ("/v1/review/help-requests");
  const char *sep = "?";

  if (self->filter.from > 0)
    {
      g_string_append_printf (path, "%sfrom=%" G_GINT64_FORMAT, sep, self->filter.from);
      sep = "&";
    }
  if (self->filter.to > 0)
    g_string_append_printf (path, "%sto=%" G_GINT64_FORMAT, sep, self->filter.to);
  intake_review_client_request_async (self->client, "GET", path->str, NULL, self->cancellable, help_cb, self);
}

typedef struct {
  IntakeReviewDashboard *self;
  guint                  n_keys;
} FetchCall;

static void
count_fetched (IntakeReviewDashboard *self,
               IntakeReviewFetched   *fetched)
{
  IntakeQuestionnaire *questionnaire = NULL;
  IntakeDashboardFacts *facts;

  if (fetched->submission == NULL)
    {
      self->n_failed++;
      return;
    }
  if (self->questionnaires != NULL)
    questionnaire = intake_questionnaire_set_lookup_for_submission (self->questionnaires, fetched->submission, NULL);
  facts = intake_dashboard_facts_new (fetched->submission, questionnaire);
  intake_dashboard_add_facts (self->pending, facts);
  /* Kept for the rest of the unlock: a later visit opens nothing again. */
  g_hash_table_replace (self->facts, g_steal_pointer (&fetched->key), facts);
  self->n_decrypted++;
  /* The submission (which wipes itself) is dropped here: only what is counted stays. */
  g_clear_object (&fetched->submission);
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchCall *call = user_data;
  IntakeReviewDashboard *self = call->self;
  guint n_keys = call->n_keys;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fetched = NULL;

  g_free (call);
  fetched = intake_review_client_fetch_many_finish (INTAKE_REVIEW_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_batches--;
  self->n_fetching -= n_keys;
  if (fetched == NULL)
    self->n_failed += n_keys;
  for (guint i = 0; fetched != NULL && i < fetched->len; i++)
    count_fetched (self, g_ptr_array_index (fetched, i));
  {
    /* Translators: progress of the overview: submissions opened of those to open. */
    g_autofree char *status = g_strdup_printf (_("Opening submissions for languages and sectors: %u of %u…"),
                                               self->n_decrypted + self->n_failed,
                                               self->n_decrypted + self->n_failed + self->n_fetching +
                                               g_queue_get_length (&self->ids));

    gtk_label_set_text (self->status, status);
  }
  pump (self);
}

/* Opens what the window has not opened for the overview before, in
 * batches of 100 (intake_review_client_fetch_many_async, which falls back
 * to single fetches on an older server), a few at a time; done when
 * everything is listed, opened and the help requests are in. A batch is
 * sent before the listing is complete only when it is full. */
static void
pump (IntakeReviewDashboard *self)
{
  while (self->n_batches < MAX_BATCHES && !g_queue_is_empty (&self->ids) &&
         (self->listed || g_queue_get_length (&self->ids) >= BATCH_KEYS))
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      FetchCall *call = g_new0 (FetchCall, 1);

      while (keys->len < BATCH_KEYS && !g_queue_is_empty (&self->ids))
        g_ptr_array_add (keys, g_queue_pop_head (&self->ids));
      call->self = self;
      call->n_keys = keys->len;
      self->n_batches++;
      self->n_fetching += keys->len;
      intake_review_client_fetch_many_async (self->client, (const char * const *)keys->pdata, keys->len,
                                             self->cancellable, fetch_cb, call);
    }
  if (self->listed && self->help_done && self->n_batches == 0 && g_queue_is_empty (&self->ids))
    finish (self, NULL);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  IntakeReviewDashboard *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 next_after = -1;

  page = intake_review_client_list_finish (INTAKE_REVIEW_CLIENT (source), result, &next_after, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (page == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The list could not be loaded: %s"), error->message);

      finish (self, message);
      return;
    }
  for (guint i = 0; i < page->len; i++)
    {
      IntakeReviewMeta *meta = page->pdata[i];
      const IntakeDashboardFacts *facts = g_hash_table_lookup (self->facts, meta->key);

      self->n_listed++;
      if (facts != NULL)
        intake_dashboard_add_facts (self->pending, facts);
      else
        g_queue_push_tail (&self->ids, g_strdup (meta->key));
    }
  if (next_after >= 0)
    {
      IntakeReviewFilter filter = self->filter;

      filter.after = next_after;
      filter.limit = 500;
      intake_review_client_list_async (self->client, &filter, self->cancellable, list_cb, self);
    }
  else
    self->listed = TRUE;
  pump (self);
}

static void
stats_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  IntakeReviewDashboard *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = intake_review_client_request_finish (INTAKE_REVIEW_CLIENT (source), result, NULL, &error);
  IntakeReviewFilter first;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer) ||
      !intake_dashboard_add_stats (self->pending, json_node_get_object (answer)))
    {
      g_autofree char *message = g_strdup_printf (_("The figures could not be loaded: %s"),
                                                  error != NULL ? error->message : _("the server's answer is not as expected"));

      finish (self, message);
      return;
    }
  /* The figures need no answers; languages and sectors do, and are opened
   * here once per unlock. */
  load_help_requests (self);
  first = self->filter;
  first.limit = 500;
  intake_review_client_list_async (self->client, &first, self->cancellable, list_cb, self);
}

void
intake_review_dashboard_load (IntakeReviewDashboard    *self,
                              IntakeReviewClient       *client,
                              IntakeQuestionnaireSet   *questionnaires,
                              const IntakeReviewFilter *filter,
                              GHashTable               *facts)
{
  g_autofree char *path = NULL;

  g_return_if_fail (INTAKE_IS_REVIEW_DASHBOARD (self));
  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (client));
  g_return_if_fail (facts != NULL);

  clear_load (self);
  self->cancellable = g_cancellable_new ();
  self->pending = intake_dashboard_new ();
  self->client = g_object_ref (client);
  self->questionnaires = questionnaires ? g_object_ref (questionnaires) : NULL;
  self->facts = g_hash_table_ref (facts);
  self->filter = (IntakeReviewFilter) { 0 };
  if (filter != NULL)
    {
      self->filter.state = g_strdup (filter->state);
      self->filter.location = g_strdup (filter->location);
      self->filter.reference = g_strdup (filter->reference);
      self->filter.from = filter->from;
      self->filter.to = filter->to;
    }
  self->n_listed = 0;
  self->n_failed = 0;
  self->n_decrypted = 0;
  gtk_label_set_text (self->status, _("Counting…"));
  set_loading (self, TRUE);
  path = intake_review_filter_to_counts_path (&self->filter, "stats");
  intake_review_client_request_async (self->client, "GET", path, NULL, self->cancellable, stats_cb, self);
}

guint
intake_review_dashboard_get_decrypted (IntakeReviewDashboard *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_DASHBOARD (self), 0);
  return self->n_decrypted;
}

gboolean
intake_review_dashboard_get_loading (IntakeReviewDashboard *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_DASHBOARD (self), FALSE);
  return self->loading;
}

IntakeDashboard *
intake_review_dashboard_get_model (IntakeReviewDashboard *self)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_DASHBOARD (self), NULL);
  return self->model;
}

GtkWidget *
intake_review_dashboard_get_chart (IntakeReviewDashboard *self,
                                   IntakeDashboardSeries  series)
{
  g_return_val_if_fail (INTAKE_IS_REVIEW_DASHBOARD (self), NULL);
  g_return_val_if_fail (series < INTAKE_DASHBOARD_N_SERIES, NULL);
  return self->charts[series];
}

/* ---- GObject ----------------------------------------------------------- */

static void
intake_review_dashboard_dispose (GObject *object)
{
  IntakeReviewDashboard *self = INTAKE_REVIEW_DASHBOARD (object);

  clear_load (self);
  g_clear_object (&self->model);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (intake_review_dashboard_parent_class)->dispose (object);
}

static void
intake_review_dashboard_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  IntakeReviewDashboard *self = INTAKE_REVIEW_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_review_dashboard_class_init (IntakeReviewDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = intake_review_dashboard_dispose;
  object_class->get_property = intake_review_dashboard_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static GtkWidget *
new_chart (IntakeReviewDashboard *self,
           IntakeDashboardSeries  series,
           GtkWidget             *grid,
           int                    column,
           int                    row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (_(chart_titles[series]));
  GtkWidget *area = g_object_new (GTK_TYPE_DRAWING_AREA,
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_IMG,
                                  "hexpand", TRUE,
                                  NULL);
  GtkWidget *words = gtk_label_new (NULL);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  g_object_set_data (G_OBJECT (area), "series", GINT_TO_POINTER (series));
  if (series == INTAKE_DASHBOARD_WEEKS || series == INTAKE_DASHBOARD_HELP_WEEKS)
    {
      gtk_widget_set_size_request (area, 300, 220);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_columns_cb, self, NULL);
    }
  else
    {
      gtk_widget_set_size_request (area, 300, 60);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_rows_cb, self, NULL);
    }
  /* The numbers in words under the chart: for everyone, not only screen readers. */
  gtk_label_set_wrap (GTK_LABEL (words), TRUE);
  gtk_label_set_xalign (GTK_LABEL (words), 0);
  gtk_label_set_selectable (GTK_LABEL (words), FALSE);
  gtk_widget_add_css_class (words, "dim-label");
  gtk_accessible_update_relation (GTK_ACCESSIBLE (area),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), area);
  gtk_box_append (GTK_BOX (box), words);
  gtk_widget_set_valign (box, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (grid), box, column, row, 1, 1);
  self->charts[series] = area;
  self->words[series] = GTK_LABEL (words);
  return area;
}

static void
intake_review_dashboard_init (IntakeReviewDashboard *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *status = gtk_label_new (NULL);

  g_queue_init (&self->ids);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   /* Translators: the overview page's title and subtitle. */
                                   adw_window_title_new (_("Overview"), _("without personal data")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "review.back");
  gtk_widget_set_tooltip_text (back, _("Back to the list"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back to the list"), -1);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  gtk_box_append (GTK_BOX (self->box), header);

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  self->status = GTK_LABEL (status);
  gtk_box_append (GTK_BOX (content), status);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 24);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  new_chart (self, INTAKE_DASHBOARD_STATES, grid, 0, 0);
  new_chart (self, INTAKE_DASHBOARD_UNITS, grid, 1, 0);
  new_chart (self, INTAKE_DASHBOARD_WEEKS, grid, 0, 2);
  new_chart (self, INTAKE_DASHBOARD_HELP_WEEKS, grid, 1, 2);
  new_chart (self, INTAKE_DASHBOARD_LANGUAGES, grid, 0, 3);
  new_chart (self, INTAKE_DASHBOARD_SECTORS, grid, 1, 3);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    /* Translators: a heading of the overview. */
    GtkWidget *title = gtk_label_new (_("Waiting times"));
    GtkWidget *waiting = gtk_label_new (NULL);

    gtk_widget_add_css_class (title, "heading");
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_label_set_xalign (GTK_LABEL (waiting), 0);
    gtk_label_set_wrap (GTK_LABEL (waiting), TRUE);
    gtk_box_append (GTK_BOX (box), title);
    gtk_box_append (GTK_BOX (box), waiting);
    gtk_grid_attach (GTK_GRID (grid), box, 0, 1, 2, 1);
    self->waiting = GTK_LABEL (waiting);
  }
  gtk_box_append (GTK_BOX (content), grid);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (self->box), scroll);
  update_charts (self);
}

GtkWidget *
intake_review_dashboard_new (void)
{
  return g_object_new (INTAKE_TYPE_REVIEW_DASHBOARD, NULL);
}

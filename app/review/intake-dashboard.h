/* intake-dashboard.h: counts for the review app's overview (docs/review.md, "Dashboard")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Aggregates intakes per ISO week and location (server metadata), languages
 * and sectors of interest (decrypted submissions) and help requests per week
 * and language. It keeps counts and the labels of their categories only:
 * never names, ids, references or free text. No GTK.
 *
 * Small cells: a count from 1 to 4 is shown as "< 5"
 * (intake_dashboard_format_count()), so that a small location or a rare
 * language does not point to one resident. The exact counts stay inside this
 * object; every text meant for people goes through the formatter.
 */
#pragma once

#include <glib-object.h>

#include <json-glib/json-glib.h>

#include "intake-questionnaire.h"
#include "intake-submission.h"

G_BEGIN_DECLS

/* Counts below this are shown as "< 5". */
#define INTAKE_DASHBOARD_SMALL_CELL 5

/* The question whose options are the sectors of interest, and its questionnaire. */
#define INTAKE_DASHBOARD_SECTOR_QUESTIONNAIRE "szmh-intake"
#define INTAKE_DASHBOARD_SECTOR_QUESTION      "sector_wish"

/**
 * IntakeDashboardSeries:
 * @INTAKE_DASHBOARD_WEEKS: intakes per ISO week ("2026-W47"), oldest first
 * @INTAKE_DASHBOARD_LOCATIONS: intakes per location, by name
 * @INTAKE_DASHBOARD_LANGUAGES: intakes per language code ("ar"), label its name in the staff's language
 * @INTAKE_DASHBOARD_SECTORS: chosen sectors per option code, label the (Dutch) option label
 * @INTAKE_DASHBOARD_HELP_WEEKS: help requests per ISO week, oldest first
 * @INTAKE_DASHBOARD_HELP_LANGUAGES: help requests per language code
 * @INTAKE_DASHBOARD_STATES: the backlog: submissions per state, in workflow order
 * @INTAKE_DASHBOARD_UNITS: open submissions (not closed) per unit, "" for none
 */
typedef enum {
  INTAKE_DASHBOARD_WEEKS,
  INTAKE_DASHBOARD_LOCATIONS,
  INTAKE_DASHBOARD_LANGUAGES,
  INTAKE_DASHBOARD_SECTORS,
  INTAKE_DASHBOARD_HELP_WEEKS,
  INTAKE_DASHBOARD_HELP_LANGUAGES,
  INTAKE_DASHBOARD_STATES,
  INTAKE_DASHBOARD_UNITS,
  INTAKE_DASHBOARD_N_SERIES,
} IntakeDashboardSeries;

#define INTAKE_TYPE_DASHBOARD (intake_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (IntakeDashboard, intake_dashboard, INTAKE, DASHBOARD, GObject)

IntakeDashboard *intake_dashboard_new                 (void);

/* One submission's server metadata: @received_at (Unix seconds) counts in its
 * ISO week in the local time zone; @location may be NULL or empty ("unknown", translated). */
void             intake_dashboard_add_meta            (IntakeDashboard  *self,
                                                       gint64            received_at,
                                                       const char       *location);
/* The decrypted submission: its language and, for the szmh-intake
 * questionnaire, each chosen option of sector_wish. @questionnaire (may be
 * NULL) gives the Dutch option labels; without it the code is the label. */
void             intake_dashboard_add_submission      (IntakeDashboard  *self,
                                                       IntakeSubmission *submission,
                                                       IntakeQuestionnaire *questionnaire);
/* What the overview needs from a decrypted submission: its language and
 * chosen sectors (option codes and their Dutch labels), nothing else. Made
 * once per submission and unlock (the window keeps them until it locks), so
 * that a second visit to the overview decrypts nothing. */
typedef struct {
  char  *language;
  char **sectors;         /* option codes */
  char **sector_labels;   /* the questionnaire's Dutch labels, or the codes */
} IntakeDashboardFacts;

IntakeDashboardFacts *intake_dashboard_facts_new      (IntakeSubmission    *submission,
                                                       IntakeQuestionnaire *questionnaire);
void             intake_dashboard_facts_free          (IntakeDashboardFacts *facts);
void             intake_dashboard_add_facts           (IntakeDashboard      *self,
                                                       const IntakeDashboardFacts *facts);

/* The answer of GET /v1/review/stats (docs/protocol.md): intakes per week
 * and location, the backlog per state and per unit, the waiting times.
 * FALSE (and nothing counted) when it is not such an answer. */
gboolean         intake_dashboard_add_stats           (IntakeDashboard  *self,
                                                       JsonObject       *stats);
/* Waiting per open state (from the stats): how many, the median and the
 * longest wait in days. FALSE when the state has no figures. */
gboolean         intake_dashboard_get_waiting         (IntakeDashboard  *self,
                                                       const char       *state,
                                                       guint            *out_count,
                                                       guint            *out_median_days,
                                                       guint            *out_longest_days);
/* The waiting times in words, a state with fewer than 5 submissions without
 * its figures: "Waiting: New: 24, median 9 days, longest 10 days; ...". */
char            *intake_dashboard_describe_waiting    (IntakeDashboard  *self);

/* One row of GET /v1/review/help-requests: @day "YYYY-MM-DD". Returns FALSE
 * (and counts nothing) when @day is not a date. */
gboolean         intake_dashboard_add_help_requests   (IntakeDashboard  *self,
                                                       const char       *day,
                                                       const char       *language,
                                                       guint             count);

/* The number of metadata rows added; of help requests. */
guint            intake_dashboard_get_total           (IntakeDashboard  *self);
guint            intake_dashboard_get_help_total      (IntakeDashboard  *self);

/* The keys of @series in display order (weeks oldest first, the others by
 * count, largest first, then label; all small cells rank alike, so the order
 * does not tell which "< 5" is larger). Free the array; the strings are owned by @self. */
GPtrArray       *intake_dashboard_list_keys           (IntakeDashboard       *self,
                                                       IntakeDashboardSeries  series);
guint            intake_dashboard_get_count           (IntakeDashboard       *self,
                                                       IntakeDashboardSeries  series,
                                                       const char            *key);
/* The words for @key: "week 47 (2026)", "Arabic", "Schoonmaak", the location. */
const char      *intake_dashboard_get_label           (IntakeDashboard       *self,
                                                       IntakeDashboardSeries  series,
                                                       const char            *key);
/* Intakes of @week at @location. */
guint            intake_dashboard_get_week_location   (IntakeDashboard  *self,
                                                       const char       *week,
                                                       const char       *location);
/* A chart's numbers in words, every count through the small-cell rule. */
char            *intake_dashboard_describe            (IntakeDashboard       *self,
                                                       IntakeDashboardSeries  series);

/* "0", "< 5" for 1 to 4, else the number. */
char            *intake_dashboard_format_count        (guint             count);
/* The ISO week of @time in its time zone: "2026-W47". */
char            *intake_dashboard_iso_week            (GDateTime        *time);

G_END_DECLS

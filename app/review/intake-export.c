/* intake-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-canonical-json.h"
#include "intake-export.h"
#include "intake-secure.h"

G_DEFINE_QUARK (intake-export-error-quark, intake_export_error)

/* docs/export.md documents these names and their order; they never change. */
static const char * const fixed_columns[INTAKE_EXPORT_N_FIXED_COLUMNS] = {
  "submission_id",
  "reference_code",
  "received_at",
  "location",
  "state",
  "assigned_unit",
  "questionnaire_id",
  "questionnaire_version",
  "questionnaire_hash",
  "language",
  "started_at",
  "finished_at",
};

/* Write to the stream once this much is pending. */
#define FLUSH_SIZE (64 * 1024)

typedef enum {
  STATE_NEW,
  STATE_STARTED,
  STATE_ENDED,
} State;

struct _IntakeExport {
  GObject                 parent_instance;

  IntakeQuestionnaireSet *set;
  char                   *questionnaire_id;
  IntakeExportFormat      format;
  IntakeExportFlags       flags;
  GPtrArray              *columns;  /* char *, NULL-terminated */
  guint                   n_questions;

  State                   state;
  GOutputStream          *out;
  GString                *pending;
  GString                *cell;
  guint64                 n_rows;
};

G_DEFINE_FINAL_TYPE (IntakeExport, intake_export, G_TYPE_OBJECT)

static void
intake_export_finalize (GObject *object)
{
  IntakeExport *self = INTAKE_EXPORT (object);

  intake_secure_string_wipe (self->pending);
  intake_secure_string_wipe (self->cell);
  g_string_free (self->pending, TRUE);
  g_string_free (self->cell, TRUE);
  g_clear_object (&self->set);
  g_clear_object (&self->out);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_free (self->questionnaire_id);

  G_OBJECT_CLASS (intake_export_parent_class)->finalize (object);
}

static void
intake_export_class_init (IntakeExportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_export_finalize;
}

static void
intake_export_init (IntakeExport *self)
{
  self->pending = g_string_sized_new (FLUSH_SIZE + 4096);
  self->cell = g_string_sized_new (256);
}

IntakeExport *
intake_export_new (IntakeQuestionnaireSet  *set,
                   const char              *questionnaire_id,
                   IntakeExportFormat       format,
                   IntakeExportFlags        flags,
                   GError                 **error)
{
  g_autoptr(IntakeExport) self = NULL;
  g_autoptr(GPtrArray) versions = NULL;
  g_autoptr(GHashTable) seen = NULL;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (set), NULL);
  g_return_val_if_fail (questionnaire_id != NULL, NULL);
  g_return_val_if_fail (format == INTAKE_EXPORT_FORMAT_CSV || format == INTAKE_EXPORT_FORMAT_JSON, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  versions = intake_questionnaire_set_list_versions (set, questionnaire_id);
  if (versions->len == 0)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_QUESTIONNAIRE,
                   _("no version of questionnaire \"%s\" is loaded; load every version the "
                     "submissions were made with before exporting"), questionnaire_id);
      return NULL;
    }

  self = g_object_new (INTAKE_TYPE_EXPORT, NULL);
  self->set = g_object_ref (set);
  self->questionnaire_id = g_strdup (questionnaire_id);
  self->format = format;
  self->flags = flags;

  /* Fixed columns, then the oldest version's codes in questionnaire order,
   * then each newer version's new codes in its order: a new version only
   * ever appends columns, so mappings by position keep working too. */
  self->columns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < INTAKE_EXPORT_N_FIXED_COLUMNS; i++)
    g_ptr_array_add (self->columns, g_strdup (fixed_columns[i]));
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint v = 0; v < versions->len; v++)
    {
      IntakeQuestionnaire *q = g_ptr_array_index (versions, v);
      guint n = intake_questionnaire_get_n_questions (q);

      for (guint i = 0; i < n; i++)
        {
          const char *code = intake_questionnaire_get_question (q, i)->code;

          if (g_hash_table_contains (seen, code))
            continue;
          g_ptr_array_add (self->columns, g_strdup (code));
          g_hash_table_add (seen, (gpointer) g_ptr_array_index (self->columns, self->columns->len - 1));
        }
    }
  self->n_questions = self->columns->len - INTAKE_EXPORT_N_FIXED_COLUMNS;
  g_ptr_array_add (self->columns, NULL);

  return g_steal_pointer (&self);
}

const char * const *
intake_export_get_columns (IntakeExport *self)
{
  g_return_val_if_fail (INTAKE_IS_EXPORT (self), NULL);
  return (const char * const *) self->columns->pdata;
}

guint
intake_export_get_n_columns (IntakeExport *self)
{
  g_return_val_if_fail (INTAKE_IS_EXPORT (self), 0);
  return INTAKE_EXPORT_N_FIXED_COLUMNS + self->n_questions;
}

guint64
intake_export_get_n_rows (IntakeExport *self)
{
  g_return_val_if_fail (INTAKE_IS_EXPORT (self), 0);
  return self->n_rows;
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

static gboolean
flush_pending (IntakeExport  *self,
               gboolean       force,
               GCancellable  *cancellable,
               GError       **error)
{
  gboolean ok;

  if (self->pending->len == 0 || (!force && self->pending->len < FLUSH_SIZE))
    return TRUE;
  ok = g_output_stream_write_all (self->out, self->pending->str, self->pending->len,
                                  NULL, cancellable, error);
  intake_secure_string_wipe (self->pending);
  return ok;
}

/* A cell that a spreadsheet would run as a formula starts with one of these;
 * '#' and '\'' are guarded too so that the markers and the guard itself stay
 * unambiguous: a cell that starts with '\'' always had one added. */
static gboolean
needs_guard (const char *value)
{
  return value[0] != '\0' && strchr ("=+-@\t\r'#", value[0]) != NULL;
}

/* Appends one cell, with the separator before it unless it is the row's first. */
static void
csv_cell (GString    *row,
          gboolean    first,
          const char *value,
          gboolean    guard)
{
  gboolean quote;

  if (!first)
    g_string_append_c (row, ',');
  if (value == NULL)
    return;

  quote = strpbrk (value, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (row, '"');
  if (guard && needs_guard (value))
    g_string_append_c (row, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (row, '"');
      g_string_append_c (row, *p);
    }
  if (quote)
    g_string_append_c (row, '"');
}

static void
json_string (GString    *out,
             const char *value)
{
  gsize n, at;

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  n = intake_canonical_json_write_string (value, NULL);
  at = out->len;
  g_string_set_size (out, at + n);
  intake_canonical_json_write_string (value, out->str + at);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return NULL;
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
intake_export_begin (IntakeExport   *self,
                     GOutputStream  *out,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (INTAKE_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != STATE_NEW)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE,
                   "the export has already begun; make a new export for another file");
      return FALSE;
    }
  self->state = STATE_STARTED;
  self->out = g_object_ref (out);

  if (self->format == INTAKE_EXPORT_FORMAT_CSV)
    {
      GString *row = g_string_new (NULL);

      if (self->flags & INTAKE_EXPORT_FLAGS_BOM)
        g_string_append (self->pending, "\xEF\xBB\xBF");
      for (guint i = 0; i < self->columns->len - 1; i++)
        csv_cell (row, i == 0, g_ptr_array_index (self->columns, i), TRUE);
      g_string_append (row, "\r\n");
      g_string_append_len (self->pending, row->str, row->len);
      g_string_free (row, TRUE);
    }
  else
    {
      g_string_append (self->pending, "[\n");
    }
  return flush_pending (self, FALSE, cancellable, error);
}

static gboolean
check_submission (IntakeExport      *self,
                  IntakeSubmission  *submission,
                  GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  IntakeQuestionnaire *q;

  if (strcmp (intake_submission_get_questionnaire_id (submission), self->questionnaire_id) != 0)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_OTHER_QUESTIONNAIRE,
                   _("a submission made with questionnaire \"%s\" cannot go into an export of "
                     "\"%s\"; export each questionnaire to its own file"),
                   intake_submission_get_questionnaire_id (submission), self->questionnaire_id);
      return FALSE;
    }
  q = intake_questionnaire_set_lookup_for_submission (self->set, submission, &local_error);
  if (q == NULL)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_VERSION,
                   _("cannot export this submission: %s"), local_error->message);
      return FALSE;
    }

  /* The submission was parsed strictly; this makes sure none of its answers
   * would be left out for want of a column. */
  codes = intake_submission_list_codes (submission);
  for (guint i = 0; i < codes->len; i++)
    if (intake_questionnaire_lookup_question (q, g_ptr_array_index (codes, i)) == NULL)
      {
        g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_QUESTION,
                     _("the submission names question \"%s\", which questionnaire %s version %u "
                       "does not have"), (const char *) g_ptr_array_index (codes, i),
                     self->questionnaire_id, intake_submission_get_questionnaire_version (submission));
        return FALSE;
      }
  return TRUE;
}

static void
add_csv_row (IntakeExport           *self,
             IntakeSubmission       *submission,
             const IntakeExportMeta *meta,
             GString                *row)
{
  g_autofree char *received = format_time (meta->received_at);
  char version[16];

  csv_cell (row, TRUE, meta->submission_id, TRUE);
  csv_cell (row, FALSE, meta->reference_code, TRUE);
  csv_cell (row, FALSE, received, TRUE);
  csv_cell (row, FALSE, meta->location, TRUE);
  csv_cell (row, FALSE, meta->state, TRUE);
  csv_cell (row, FALSE, meta->assigned_unit, TRUE);
  csv_cell (row, FALSE, intake_submission_get_questionnaire_id (submission), TRUE);
  g_snprintf (version, sizeof version, "%u", intake_submission_get_questionnaire_version (submission));
  csv_cell (row, FALSE, version, FALSE);
  csv_cell (row, FALSE, intake_submission_get_questionnaire_hash (submission), TRUE);
  csv_cell (row, FALSE, intake_submission_get_language (submission), TRUE);
  csv_cell (row, FALSE, intake_submission_get_started_at_string (submission), TRUE);
  csv_cell (row, FALSE, intake_submission_get_finished_at_string (submission), TRUE);

  for (guint i = 0; i < self->n_questions; i++)
    {
      const char *code = g_ptr_array_index (self->columns, INTAKE_EXPORT_N_FIXED_COLUMNS + i);

      switch (intake_submission_get_state (submission, code))
        {
        case INTAKE_SUBMISSION_ANSWERED:
          {
            gboolean integer;

            g_string_truncate (self->cell, 0);
            integer = intake_submission_append_value_text (submission, code, self->cell);
            /* A number is never a formula: -3 stays -3. */
            csv_cell (row, FALSE, self->cell->str, !integer);
            intake_secure_string_wipe (self->cell);
            break;
          }
        case INTAKE_SUBMISSION_DECLINED:
          csv_cell (row, FALSE, INTAKE_EXPORT_DECLINED, FALSE);
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          csv_cell (row, FALSE, INTAKE_EXPORT_SKIPPED, FALSE);
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
        default:
          csv_cell (row, FALSE, NULL, FALSE);
          break;
        }
    }
  g_string_append (row, "\r\n");
}

static void
json_member (GString    *row,
             const char *key)
{
  if (row->str[row->len - 1] != '{')
    g_string_append_c (row, ',');
  json_string (row, key);
  g_string_append_c (row, ':');
}

static void
add_json_row (IntakeExport           *self,
              IntakeSubmission       *submission,
              const IntakeExportMeta *meta,
              GString                *row)
{
  g_autofree char *received = format_time (meta->received_at);
  g_autoptr(GPtrArray) codes = NULL;
  gboolean first;

  if (self->n_rows > 0)
    g_string_append (row, ",\n");
  g_string_append_c (row, '{');
  json_member (row, "submission_id");
  json_string (row, meta->submission_id);
  json_member (row, "reference_code");
  json_string (row, meta->reference_code);
  json_member (row, "received_at");
  json_string (row, received);
  json_member (row, "location");
  json_string (row, meta->location);
  json_member (row, "state");
  json_string (row, meta->state);
  json_member (row, "assigned_unit");
  json_string (row, meta->assigned_unit);
  json_member (row, "questionnaire_id");
  json_string (row, intake_submission_get_questionnaire_id (submission));
  json_member (row, "questionnaire_version");
  g_string_append_printf (row, "%u", intake_submission_get_questionnaire_version (submission));
  json_member (row, "questionnaire_hash");
  json_string (row, intake_submission_get_questionnaire_hash (submission));
  json_member (row, "language");
  json_string (row, intake_submission_get_language (submission));
  json_member (row, "started_at");
  json_string (row, intake_submission_get_started_at_string (submission));
  json_member (row, "finished_at");
  json_string (row, intake_submission_get_finished_at_string (submission));

  /* Answers by code in column order, then the declined and skipped codes
   * sorted, as in the session. Values keep their JSON types, unguarded. */
  json_member (row, "answers");
  g_string_append_c (row, '{');
  for (guint i = 0; i < self->n_questions; i++)
    {
      const char *code = g_ptr_array_index (self->columns, INTAKE_EXPORT_N_FIXED_COLUMNS + i);

      if (intake_submission_get_state (submission, code) != INTAKE_SUBMISSION_ANSWERED)
        continue;
      json_member (row, code);
      intake_submission_append_value_json (submission, code, row);
    }
  g_string_append_c (row, '}');

  codes = intake_submission_list_codes (submission);
  for (guint k = 0; k < 2; k++)
    {
      IntakeSubmissionState wanted = k == 0 ? INTAKE_SUBMISSION_DECLINED : INTAKE_SUBMISSION_SKIPPED;

      json_member (row, k == 0 ? "declined" : "skipped");
      g_string_append_c (row, '[');
      first = TRUE;
      for (guint i = 0; i < codes->len; i++)
        {
          const char *code = g_ptr_array_index (codes, i);

          if (intake_submission_get_state (submission, code) != wanted)
            continue;
          if (!first)
            g_string_append_c (row, ',');
          json_string (row, code);
          first = FALSE;
        }
      g_string_append_c (row, ']');
    }
  g_string_append_c (row, '}');
}

gboolean
intake_export_add (IntakeExport            *self,
                   IntakeSubmission        *submission,
                   const IntakeExportMeta  *meta,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  static const IntakeExportMeta no_meta = { NULL };

  g_return_val_if_fail (INTAKE_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != STATE_STARTED)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE,
                   "rows can only be added between intake_export_begin() and intake_export_end()");
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!check_submission (self, submission, error))
    return FALSE;
  if (meta == NULL)
    meta = &no_meta;

  if (self->format == INTAKE_EXPORT_FORMAT_CSV)
    add_csv_row (self, submission, meta, self->pending);
  else
    add_json_row (self, submission, meta, self->pending);
  self->n_rows++;

  return flush_pending (self, FALSE, cancellable, error);
}

gboolean
intake_export_end (IntakeExport  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (INTAKE_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != STATE_STARTED)
    {
      g_set_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE,
                   "intake_export_end() needs a begun export that has not ended");
      return FALSE;
    }
  self->state = STATE_ENDED;
  if (self->format == INTAKE_EXPORT_FORMAT_JSON)
    g_string_append (self->pending, self->n_rows > 0 ? "\n]\n" : "]\n");
  if (!flush_pending (self, TRUE, cancellable, error))
    return FALSE;
  return g_output_stream_flush (self->out, cancellable, error);
}

gboolean
intake_export_write (IntakeQuestionnaireSet  *set,
                     const char              *questionnaire_id,
                     IntakeExportFormat       format,
                     IntakeExportFlags        flags,
                     GPtrArray               *submissions,
                     const IntakeExportMeta  *metas,
                     GOutputStream           *out,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_autoptr(IntakeExport) self = NULL;

  g_return_val_if_fail (submissions != NULL, FALSE);

  self = intake_export_new (set, questionnaire_id, format, flags, error);
  if (self == NULL || !intake_export_begin (self, out, cancellable, error))
    return FALSE;
  for (guint i = 0; i < submissions->len; i++)
    if (!intake_export_add (self, g_ptr_array_index (submissions, i),
                            metas != NULL ? &metas[i] : NULL, cancellable, error))
      return FALSE;
  return intake_export_end (self, cancellable, error);
}

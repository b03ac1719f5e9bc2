/* intake-export.h: submissions to CSV and JSON for the case systems (docs/export.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-questionnaire-set.h"
#include "intake-submission.h"

G_BEGIN_DECLS

#define INTAKE_EXPORT_ERROR (intake_export_error_quark ())

/**
 * IntakeExportError:
 * @INTAKE_EXPORT_ERROR_UNKNOWN_QUESTIONNAIRE: the questionnaire set has no version of the
 *   questionnaire id to export
 * @INTAKE_EXPORT_ERROR_OTHER_QUESTIONNAIRE: a submission made with another questionnaire id
 * @INTAKE_EXPORT_ERROR_UNKNOWN_VERSION: a submission made with a version (or hash) that the
 *   set does not hold, so its columns are unknown; nothing of it is written
 * @INTAKE_EXPORT_ERROR_UNKNOWN_QUESTION: a submission names a question its own version does
 *   not have
 * @INTAKE_EXPORT_ERROR_STATE: begin/add/end called out of order
 *
 * Errors of the output stream come as they are (#G_IO_ERROR).
 */
typedef enum {
  INTAKE_EXPORT_ERROR_UNKNOWN_QUESTIONNAIRE,
  INTAKE_EXPORT_ERROR_OTHER_QUESTIONNAIRE,
  INTAKE_EXPORT_ERROR_UNKNOWN_VERSION,
  INTAKE_EXPORT_ERROR_UNKNOWN_QUESTION,
  INTAKE_EXPORT_ERROR_STATE,
} IntakeExportError;

GQuark intake_export_error_quark (void);

typedef enum {
  INTAKE_EXPORT_FORMAT_CSV,
  INTAKE_EXPORT_FORMAT_JSON,
} IntakeExportFormat;

typedef enum {
  INTAKE_EXPORT_FLAGS_NONE = 0,
  /* CSV only: start with a UTF-8 byte order mark, so Excel reads UTF-8. */
  INTAKE_EXPORT_FLAGS_BOM  = 1 << 0,
} IntakeExportFlags;

/* What the server knows about a submission; the caller owns the strings. Any
 * field may be NULL (an empty CSV cell, JSON null). */
typedef struct {
  const char *submission_id;
  const char *reference_code;
  GDateTime  *received_at;     /* written as UTC "YYYY-MM-DDTHH:MM:SSZ" */
  const char *location;
  const char *state;
  const char *assigned_unit;
} IntakeExportMeta;

/* The fixed columns, before the question codes. */
#define INTAKE_EXPORT_N_FIXED_COLUMNS 12

/* The cell markers. */
#define INTAKE_EXPORT_DECLINED "#declined"
#define INTAKE_EXPORT_SKIPPED  "#skipped"

#define INTAKE_TYPE_EXPORT (intake_export_get_type ())

G_DECLARE_FINAL_TYPE (IntakeExport, intake_export, INTAKE, EXPORT, GObject)

/* An export of the submissions of questionnaire @questionnaire_id, with one
 * column per question code of every version of it in @set (see
 * docs/export.md for the order). The set must hold every version the
 * submissions were made with. */
IntakeExport       *intake_export_new          (IntakeQuestionnaireSet  *set,
                                                const char              *questionnaire_id,
                                                IntakeExportFormat       format,
                                                IntakeExportFlags        flags,
                                                GError                 **error);
/* All columns, fixed ones first; NULL-terminated, owned by the export. */
const char * const *intake_export_get_columns  (IntakeExport            *self);
guint               intake_export_get_n_columns (IntakeExport           *self);

/* Streaming: begin (writes the byte order mark and header row, or "["), add
 * one row per submission, end (writes "]" for JSON and flushes). Rows are
 * written through a small buffer that is wiped after each write, so an
 * export of any size needs memory for one row only. Blocking; run it in a
 * thread (GTask) from a UI. @out is not closed. */
gboolean            intake_export_begin        (IntakeExport            *self,
                                                GOutputStream           *out,
                                                GCancellable            *cancellable,
                                                GError                 **error);
gboolean            intake_export_add          (IntakeExport            *self,
                                                IntakeSubmission        *submission,
                                                const IntakeExportMeta  *meta,
                                                GCancellable            *cancellable,
                                                GError                 **error);
gboolean            intake_export_end          (IntakeExport            *self,
                                                GCancellable            *cancellable,
                                                GError                 **error);
guint64             intake_export_get_n_rows   (IntakeExport            *self);

/* All at once: @submissions (IntakeSubmission *) with @metas[i] for each
 * (@metas may be NULL). */
gboolean            intake_export_write        (IntakeQuestionnaireSet  *set,
                                                const char              *questionnaire_id,
                                                IntakeExportFormat       format,
                                                IntakeExportFlags        flags,
                                                GPtrArray               *submissions,
                                                const IntakeExportMeta  *metas,
                                                GOutputStream           *out,
                                                GCancellable            *cancellable,
                                                GError                 **error);

G_END_DECLS

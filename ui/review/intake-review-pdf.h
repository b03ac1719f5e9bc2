/* intake-review-pdf.h: a printable PDF of a submission for the intake conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-review-client.h"
#include "intake-subject-access.h"
#include "intake-submission.h"

G_BEGIN_DECLS

#define INTAKE_REVIEW_PDF_ERROR (intake_review_pdf_error_quark ())

/**
 * IntakeReviewPdfError:
 * @INTAKE_REVIEW_PDF_ERROR_RENDER: cairo could not draw or write the PDF (the message carries
 *   cairo's reason); try again, or choose another place to save it
 *
 * Reading the submission fails with #INTAKE_SUBMISSION_ERROR, creating the file with
 * #G_IO_ERROR.
 */
typedef enum {
  INTAKE_REVIEW_PDF_ERROR_RENDER,
} IntakeReviewPdfError;

GQuark intake_review_pdf_error_quark (void);

/* What the server knows, as shown in the document's header, and the notes.
 * Every member may be NULL. */
typedef struct {
  const char *reference;
  const char *received;    /* "dd-mm-jjjj uu:mm" (intake_review_format_time()) */
  const char *location;
  const char *state;       /* the Dutch label, e.g. "Gesprek gepland" */
  const char *unit;
  const char *waiting;     /* "12 dagen" */
  const char *assignee;
  const char *appointment; /* "dd-mm-jjjj uu:mm" */
  GPtrArray  *notes;       /* IntakeReviewNote, oldest first */
} IntakeReviewPdfMeta;

/* Writes the document for the intake conversation to @path, A4, as many
 * pages as needed, every text at least 10 pt: the resident's name and date
 * of birth in the title, the header from @meta, the caseworker summary with
 * its fixed heading and sources, the notes, then every answer in Dutch, each
 * page with "Confidential" and its number. The file is created with mode
 * 0600: it is plaintext of a resident's answers, on disk only because staff
 * asked for it. */
gboolean intake_review_pdf_write (IntakeSubmission          *submission,
                                  IntakeQuestionnaire       *questionnaire,
                                  const IntakeReviewPdfMeta *meta,
                                  const char                *path,
                                  GError                   **error);

/* The subject access document (docs/review.md, "Subject access"):
 * intake_subject_access_get_document() drawn on A4 pages, every text at
 * least 10 pt, each page marked confidential and numbered; created with mode
 * 0600, its metadata names no one. */
gboolean intake_review_subject_access_pdf_write (IntakeSubjectAccess  *access,
                                                 const char           *path,
                                                 GError              **error);

/* The printable recovery sheet of a workstation key (docs/review.md): the
 * reviewer's name, the server, the date and @recovery_code, with what to do
 * with it. One A4 page, created with mode 0600. */
gboolean intake_review_recovery_sheet_write (const char  *name,
                                             const char  *server,
                                             const char  *recovery_code,
                                             const char  *path,
                                             GError     **error);

G_END_DECLS

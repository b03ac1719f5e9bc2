/* intake-subject-access.h: every submission of one resident, in one document (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A resident asks what the municipality holds about them (AVG/GDPR art. 15).
 * Names are only inside envelopes sealed to the office key, so the search
 * runs here, on the privacy officer's workstation, as name search does:
 * every submission within the officer's scope is fetched and opened in
 * memory, those of the resident (name and date of birth) are kept with their
 * notes and access history, and one "subject_access" event with the number
 * of submissions (never the name) is recorded on the server before the
 * document can be written. No GTK: the review app draws the document as a
 * PDF, and intake_subject_access_write_text() writes it as plain text.
 */
#pragma once

#include <gio/gio.h>

#include "intake-questionnaire-set.h"
#include "intake-review-client.h"

G_BEGIN_DECLS

#define INTAKE_SUBJECT_ACCESS_ERROR (intake_subject_access_error_quark ())

/**
 * IntakeSubjectAccessError:
 * @INTAKE_SUBJECT_ACCESS_ERROR_NO_NAME: the name has no letters or digits: type the name as on the
 *   resident's ID
 * @INTAKE_SUBJECT_ACCESS_ERROR_BAD_BIRTH_DATE: the date of birth is not dd-mm-jjjj (00 for an
 *   unknown day or month, as registered)
 *
 * The server's refusals (the officer's role: 403 role_required) come as
 * #INTAKE_REVIEW_CLIENT_ERROR.
 */
typedef enum {
  INTAKE_SUBJECT_ACCESS_ERROR_NO_NAME,
  INTAKE_SUBJECT_ACCESS_ERROR_BAD_BIRTH_DATE,
} IntakeSubjectAccessError;

GQuark intake_subject_access_error_quark (void);

/* The name as compared: Unicode-decomposed (NFKD), combining marks (accents,
 * Arabic vowel signs) dropped, case-folded, split at white space, hyphens
 * and commas, the parts sorted and joined with one space: "  Fátima  el-Amrani"
 * and "EL AMRANI Fatima" fold alike. NULL when nothing is left. Free with
 * intake_secure_strfree(). */
char     *intake_subject_access_fold_name        (const char  *name);
/* A date of birth as staff type it, "dd-mm-jjjj" (or with '/' or '.'; 00
 * for an unknown day or month, the BRP's 00-07-1990 and 00-00-1985), or
 * "jjjj-mm-dd", as the answers hold it: "jjjj-mm-dd". */
char     *intake_subject_access_parse_birth_date (const char  *text,
                                                  GError     **error);
/* Is @submission the resident's: its first and last name folded are
 * @folded_name, and its date of birth is exactly @birth_date
 * ("jjjj-mm-dd", 00 parts included)? */
gboolean  intake_subject_access_matches          (IntakeSubmission *submission,
                                                  const char       *folded_name,
                                                  const char       *birth_date);

/* One part of the document, in the order it is read. */
typedef enum {
  INTAKE_DOCUMENT_TITLE,      /* text */
  INTAKE_DOCUMENT_HEADING,    /* text: one submission */
  INTAKE_DOCUMENT_SECTION,    /* text: answers, notes, history */
  INTAKE_DOCUMENT_FIELD,      /* label: text */
  INTAKE_DOCUMENT_ENTRY,      /* label (a question, a note's author and time) above text */
  INTAKE_DOCUMENT_TEXT,       /* text */
  INTAKE_DOCUMENT_SMALL,      /* text: a remark */
} IntakeDocumentKind;

typedef struct {
  IntakeDocumentKind  kind;
  char               *label;   /* NULL unless FIELD or ENTRY */
  char               *text;    /* wiped when freed: it holds a resident's answers */
} IntakeDocumentBlock;

#define INTAKE_TYPE_SUBJECT_ACCESS (intake_subject_access_get_type ())

G_DECLARE_FINAL_TYPE (IntakeSubjectAccess, intake_subject_access, INTAKE, SUBJECT_ACCESS, GObject)

/* (done, total): submissions opened so far of those within scope. */
typedef void (*IntakeSubjectAccessProgress) (guint    done,
                                             guint    total,
                                             gpointer user_data);

/* Lists every submission within the reviewer's scope (metadata), fetches
 * and opens each here (a "decrypt" event each, as name search), keeps those
 * of the resident named @name born on @birth_date (as typed), reads their
 * access history, and records one "subject_access" event "submissions=N" on
 * the server: only then is the result returned, so a refusal (a reviewer
 * without the privacy officer's role: FORBIDDEN, 403 role_required) leaves
 * nothing to write. @progress (may be NULL) runs in the caller's context. */
void                 intake_subject_access_collect_async  (IntakeReviewClient          *client,
                                                           IntakeQuestionnaireSet      *questionnaires,
                                                           const char                  *name,
                                                           const char                  *birth_date,
                                                           IntakeSubjectAccessProgress  progress,
                                                           gpointer                     progress_data,
                                                           GCancellable                *cancellable,
                                                           GAsyncReadyCallback          callback,
                                                           gpointer                     user_data);
IntakeSubjectAccess *intake_subject_access_collect_finish (IntakeReviewClient          *client,
                                                           GAsyncResult                *result,
                                                           GError                     **error);

/* The resident's submissions found, oldest first. */
guint                intake_subject_access_get_n_submissions (IntakeSubjectAccess *self);
/* The key (IntakeReviewMeta.key) of submission @index. */
const char          *intake_subject_access_get_key           (IntakeSubjectAccess *self,
                                                              guint                index);
/* Submissions within scope that were opened to search. */
guint                intake_subject_access_get_n_searched    (IntakeSubjectAccess *self);

/* The document in the staff's language (Dutch): what was asked for and by
 * whom, then per submission the server's facts, every answer, the notes and
 * the access history; IntakeDocumentBlock, owned by @self. */
GPtrArray           *intake_subject_access_get_document      (IntakeSubjectAccess *self);
/* The document as UTF-8 text, written only to @path (created with mode
 * 0600, replaced if it exists). */
gboolean             intake_subject_access_write_text        (IntakeSubjectAccess *self,
                                                              const char          *path,
                                                              GError             **error);

G_END_DECLS

/* intake-questionnaire-set.h: every questionnaire version a review installation has (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-questionnaire.h"
#include "intake-submission.h"

G_BEGIN_DECLS

#define INTAKE_QUESTIONNAIRE_SET_ERROR (intake_questionnaire_set_error_quark ())

/**
 * IntakeQuestionnaireSetError:
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID: no questionnaire with that id is loaded
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION: the id is known but not that version
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH: that id and version are loaded, but with
 *   other content (another hash) than the submission was made with
 * @INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT: adding a questionnaire whose id and version are
 *   already loaded with another hash
 */
typedef enum {
  INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID,
  INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION,
  INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH,
  INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT,
} IntakeQuestionnaireSetError;

GQuark intake_questionnaire_set_error_quark (void);

#define INTAKE_TYPE_QUESTIONNAIRE_SET (intake_questionnaire_set_get_type ())

G_DECLARE_FINAL_TYPE (IntakeQuestionnaireSet, intake_questionnaire_set, INTAKE, QUESTIONNAIRE_SET, GObject)

/* Every questionnaire version a review installation has received, so each
 * submission is read with exactly the version it was made with. */
IntakeQuestionnaireSet *intake_questionnaire_set_new        (void);
/* Adding the same identity twice is a no-op; the same id and version with
 * another hash is CONFLICT. */
gboolean               intake_questionnaire_set_add         (IntakeQuestionnaireSet    *self,
                                                             IntakeQuestionnaire       *questionnaire,
                                                             GError                   **error);
/* Adds every version compiled into the program, the earlier published ones
 * too (intake_questionnaire_list_builtin_versions()). */
gboolean               intake_questionnaire_set_add_builtin (IntakeQuestionnaireSet    *self,
                                                             GError                   **error);
/* Transfer none. UNKNOWN_ID, UNKNOWN_VERSION (the message lists the loaded
 * versions) or HASH_MISMATCH. */
IntakeQuestionnaire   *intake_questionnaire_set_lookup      (IntakeQuestionnaireSet    *self,
                                                             const char                *id,
                                                             guint32                    version,
                                                             const char                *hash,
                                                             GError                   **error);
IntakeQuestionnaire   *intake_questionnaire_set_lookup_for_submission (IntakeQuestionnaireSet *self,
                                                                       IntakeSubmission       *submission,
                                                                       GError                **error);
/* The loaded versions of @id, oldest first (IntakeQuestionnaire *, transfer
 * container); an empty array for an unknown id. */
GPtrArray             *intake_questionnaire_set_list_versions (IntakeQuestionnaireSet  *self,
                                                               const char              *id);
guint                  intake_questionnaire_set_get_n_questionnaires (IntakeQuestionnaireSet *self);

G_END_DECLS

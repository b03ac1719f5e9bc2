/* intake-signed-questionnaire.h: a questionnaire signed with the office key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one reader and writer of the signed-questionnaire object
 * (docs/protocol.md, "Questionnaire updates"):
 *
 *   {"id": ..., "version": ..., "hash": ...,          (informative)
 *    "canonical": base64(canonical questionnaire bytes),
 *    "signature": base64(Ed25519 signature, context "questionnaire")}
 *
 * `intake-admin questionnaire sign` writes it to a file, the server serves
 * it to kiosks (/v1/questionnaire, enrollment) and reviewers
 * (/v1/review/questionnaires), the kiosk keeps the one it uses in its
 * state directory. Readers accept strict base64 only and trust nothing
 * before intake_signed_questionnaire_verify() has checked the signature
 * and loaded the canonical bytes with the strict loader.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "intake-keys.h"
#include "intake-questionnaire.h"

G_BEGIN_DECLS

#define INTAKE_SIGNED_QUESTIONNAIRE_ERROR (intake_signed_questionnaire_error_quark ())

/**
 * IntakeSignedQuestionnaireError:
 * @INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED: not a JSON object with
 *   "canonical" and a 64-byte "signature", both strict base64
 * @INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE: the signature does not
 *   verify with the office key
 * @INTAKE_SIGNED_QUESTIONNAIRE_ERROR_IO: the file cannot be read or written
 *
 * A signature that verifies over bytes the strict loader refuses is
 * reported with the loader's own INTAKE_QUESTIONNAIRE_ERROR.
 */
typedef enum {
  INTAKE_SIGNED_QUESTIONNAIRE_ERROR_MALFORMED,
  INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE,
  INTAKE_SIGNED_QUESTIONNAIRE_ERROR_IO,
} IntakeSignedQuestionnaireError;

typedef struct {
  GBytes  *canonical;
  guint8   signature[INTAKE_SIGNATURE_BYTES];
  /* Filled in by intake_signed_questionnaire_verify() (and _sign()); NULL
   * and 0 before. */
  char    *id;
  guint32  version;
  char    *hash;                 /* hex SHA-256 of the canonical bytes */
} IntakeSignedQuestionnaire;

GQuark                     intake_signed_questionnaire_error_quark (void);

/* Copies @signature (INTAKE_SIGNATURE_BYTES); takes a reference to @canonical. */
IntakeSignedQuestionnaire *intake_signed_questionnaire_new        (GBytes                    *canonical,
                                                                   const guint8              *signature);
/* Signs the canonical bytes of @questionnaire (context "questionnaire"). */
IntakeSignedQuestionnaire *intake_signed_questionnaire_sign       (IntakeQuestionnaire       *questionnaire,
                                                                   const IntakeOfficeSecret  *office);
/* Reads "canonical" and "signature" from @object; other members are ignored.
 * Nothing is verified. */
IntakeSignedQuestionnaire *intake_signed_questionnaire_new_from_json (JsonObject             *object,
                                                                   GError                   **error);
/* Reads a file as intake_signed_questionnaire_save() writes it. The error
 * names the file. Nothing is verified. */
IntakeSignedQuestionnaire *intake_signed_questionnaire_new_from_file (const char             *path,
                                                                   GError                   **error);
void                       intake_signed_questionnaire_free       (IntakeSignedQuestionnaire *self);

/* Checks the signature with @office's signing key, loads the canonical
 * bytes with the strict loader (@name names them in its errors) and fills
 * in id, version and hash. Returns the questionnaire. */
IntakeQuestionnaire       *intake_signed_questionnaire_verify     (IntakeSignedQuestionnaire *self,
                                                                   const IntakeOfficePublic  *office,
                                                                   const char                *name,
                                                                   GError                   **error);
/* verify() with each of @offices (IntakeOfficePublic *) in turn: after an
 * office key rotation a questionnaire signed by an older key of the chain
 * stays valid (docs/keys.md, "Office key rotation"). The error is the
 * first key's. */
IntakeQuestionnaire       *intake_signed_questionnaire_verify_any (IntakeSignedQuestionnaire *self,
                                                                   GPtrArray                 *offices,
                                                                   const char                *name,
                                                                   GError                   **error);
/* new_from_file() + verify(), the error naming @path; the questionnaire
 * itself is not kept. What intake-server --questionnaire does. */
IntakeSignedQuestionnaire *intake_signed_questionnaire_load       (const char                *path,
                                                                   const IntakeOfficePublic  *office,
                                                                   GError                   **error);
/* The same with verify_any(). */
IntakeSignedQuestionnaire *intake_signed_questionnaire_load_any   (const char                *path,
                                                                   GPtrArray                 *offices,
                                                                   GError                   **error);

/* Adds the members above to the object @builder is building: id, version
 * and hash when known, then canonical and signature. */
void                       intake_signed_questionnaire_add_members (IntakeSignedQuestionnaire *self,
                                                                   JsonBuilder               *builder);
JsonNode                  *intake_signed_questionnaire_to_json    (IntakeSignedQuestionnaire *self);
/* Writes the JSON object to @path atomically and durably with @mode. */
gboolean                   intake_signed_questionnaire_save       (IntakeSignedQuestionnaire *self,
                                                                   const char                *path,
                                                                   int                        mode,
                                                                   GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSignedQuestionnaire, intake_signed_questionnaire_free)

G_END_DECLS

/* intake-server.h: the back office's HTTP(S) endpoint (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_SERVER (intake_server_get_type ())

G_DECLARE_FINAL_TYPE (IntakeServer, intake_server, INTAKE, SERVER, GObject)

/* A signed questionnaire as `intake-admin questionnaire sign` writes it. */
typedef struct {
  GBytes  *canonical;
  guint8   signature[INTAKE_SIGNATURE_BYTES];
  char    *id;
  guint32  version;
  char    *hash;                 /* hex SHA-256 of the canonical bytes */
} IntakeSignedQuestionnaire;

void      intake_signed_questionnaire_free (IntakeSignedQuestionnaire *self);
/* Loads @path, checks the office signature (context "questionnaire") and
 * that the canonical bytes load with the strict questionnaire loader. */
IntakeSignedQuestionnaire *intake_signed_questionnaire_load (const char                *path,
                                                             const IntakeOfficePublic  *office,
                                                             GError                   **error);

/* Takes ownership of @server_key and @questionnaire (may be NULL). */
IntakeServer *intake_server_new    (IntakeStore                *store,
                                    const IntakeOfficePublic   *office,
                                    IntakeDeviceKey            *server_key,
                                    IntakeSignedQuestionnaire  *questionnaire,
                                    GTlsCertificate            *tls_certificate);
/* Listens on @address (HTTPS when a certificate was given). Returns the
 * URL actually listened on ("http://127.0.0.1:8080"), port 0 resolved. */
char         *intake_server_listen (IntakeServer               *self,
                                    GInetSocketAddress         *address,
                                    GError                    **error);
void          intake_server_stop   (IntakeServer               *self);

/* Writes one structured log line "ts=... level=LEVEL msg=MSG <fields>" to
 * stderr; @fields is already key=value text (may be NULL). */
void          intake_server_log    (const char                 *level,
                                    const char                 *msg,
                                    const char                 *fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSignedQuestionnaire, intake_signed_questionnaire_free)

G_END_DECLS

/* intake-server.h: the back office's HTTP(S) endpoint (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"
#include "intake-signed-questionnaire.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_SERVER (intake_server_get_type ())

G_DECLARE_FINAL_TYPE (IntakeServer, intake_server, INTAKE, SERVER, GObject)

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

G_END_DECLS

/* intake-server.h: the back office's HTTP(S) endpoint (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"
#include "intake-server-util.h"
#include "intake-signed-questionnaire.h"
#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_SERVER (intake_server_get_type ())

/* What a hostile client can hold, and for how long (docs/server.md,
 * "Limits"). Times are whole seconds. */
typedef struct {
  guint   max_connections;         /* 0: 1000, or fewer if the fd limit is lower */
  guint   idle_timeout;            /* nothing received (or, answering, sent) for this long */
  guint   header_timeout;          /* first byte of a request to its last header */
  guint   body_timeout;            /* last header to the end of the body */
  guint   tls_handshake_timeout;   /* accept to an established TLS session */
  guint   max_tls_handshakes;      /* handshakes under way at once */
  guint   max_pending_bodies;      /* bodies over 4 KiB being received at once */
  guint64 min_free_disk;           /* bytes; /healthz fails below (SQLite store) */
  guint   store_check_interval;    /* between integrity and write checks of the store */
} IntakeServerLimits;

#define INTAKE_SERVER_DEFAULT_MAX_CONNECTIONS       1000
#define INTAKE_SERVER_DEFAULT_IDLE_TIMEOUT          30
#define INTAKE_SERVER_DEFAULT_HEADER_TIMEOUT        10
#define INTAKE_SERVER_DEFAULT_BODY_TIMEOUT          60
#define INTAKE_SERVER_DEFAULT_TLS_HANDSHAKE_TIMEOUT 10
#define INTAKE_SERVER_DEFAULT_MAX_TLS_HANDSHAKES    8
#define INTAKE_SERVER_DEFAULT_MAX_PENDING_BODIES    16
#define INTAKE_SERVER_DEFAULT_MIN_FREE_DISK_MIB     256
#define INTAKE_SERVER_DEFAULT_STORE_CHECK_INTERVAL  300

/* Fills @limits with the defaults above. */
void          intake_server_limits_init (IntakeServerLimits      *limits);

G_DECLARE_FINAL_TYPE (IntakeServer, intake_server, INTAKE, SERVER, GObject)

/* Takes ownership of @server_key and @questionnaire (may be NULL).
 * @limits may be NULL for the defaults. */
IntakeServer *intake_server_new    (IntakeStore                *store,
                                    const IntakeOfficePublic   *office,
                                    IntakeDeviceKey            *server_key,
                                    IntakeSignedQuestionnaire  *questionnaire,
                                    GTlsCertificate            *tls_certificate,
                                    const IntakeServerLimits   *limits);
/* The office keys the store knows (intake_store_load_office_keys(), after
 * a rotation more than the one given to intake_server_new()); takes
 * ownership. */
void          intake_server_set_office_keys (IntakeServer      *self,
                                             IntakeOfficeKeys  *keys);
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

/* intake-server-listener.h: the server's own accept loop in front of libsoup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/server.md, "The front door": a connection cap below the fd limit,
 * accepting that pauses and resumes (at the cap, on EMFILE), idle, header,
 * body and TLS handshake timeouts, and TLS handshakes that start only once
 * a client's ClientHello is there, a few at a time.
 */
#pragma once

#include <libsoup/soup.h>

#include "intake-server.h"

G_BEGIN_DECLS

/* Why the listener closed a connection (for /metrics). */
typedef enum {
  INTAKE_LISTENER_CLOSE_IDLE,
  INTAKE_LISTENER_CLOSE_HEADER_TIMEOUT,
  INTAKE_LISTENER_CLOSE_BODY_TIMEOUT,
  INTAKE_LISTENER_CLOSE_HANDSHAKE_TIMEOUT,
  INTAKE_LISTENER_CLOSE_EVICTED,
  INTAKE_LISTENER_CLOSE_REFUSED,
  INTAKE_LISTENER_CLOSE_PEER_CLOSED,
  INTAKE_LISTENER_N_CLOSE_REASONS
} IntakeListenerCloseReason;

/* Why accepting paused. */
typedef enum {
  INTAKE_LISTENER_PAUSE_CAP,
  INTAKE_LISTENER_PAUSE_FD_LIMIT,
  INTAKE_LISTENER_N_PAUSE_REASONS
} IntakeListenerPauseReason;

#define INTAKE_TYPE_SERVER_LISTENER (intake_server_listener_get_type ())

G_DECLARE_FINAL_TYPE (IntakeServerListener, intake_server_listener, INTAKE, SERVER_LISTENER, GObject)

/* Hands every connection to @soup (HTTPS when @certificate is given). */
IntakeServerListener *intake_server_listener_new                 (SoupServer                *soup,
                                                                  GTlsCertificate           *certificate,
                                                                  const IntakeServerLimits  *limits);
/* Binds and listens. Returns the URL ("https://127.0.0.1:8443"), port 0
 * resolved. */
char                 *intake_server_listener_listen              (IntakeServerListener      *self,
                                                                  GInetSocketAddress        *address,
                                                                  GError                   **error);
/* Stops accepting and closes every connection. */
void                  intake_server_listener_stop                (IntakeServerListener      *self);

/* Closes the connection @msg came on (its answer may not be sent). */
void                  intake_server_listener_hang_up             (IntakeServerListener      *self,
                                                                  SoupServerMessage         *msg);

guint                 intake_server_listener_get_max_connections (IntakeServerListener      *self);
guint                 intake_server_listener_get_n_connections   (IntakeServerListener      *self);
guint64               intake_server_listener_get_accepted        (IntakeServerListener      *self);
guint64               intake_server_listener_get_closed          (IntakeServerListener      *self,
                                                                  IntakeListenerCloseReason  reason);
guint64               intake_server_listener_get_paused          (IntakeServerListener      *self,
                                                                  IntakeListenerPauseReason  reason);
/* accept() failures for want of fds (EMFILE, ENFILE) or memory. */
guint64               intake_server_listener_get_fd_limit_hits   (IntakeServerListener      *self);
const char           *intake_listener_close_reason_to_string     (IntakeListenerCloseReason  reason);
const char           *intake_listener_pause_reason_to_string     (IntakeListenerPauseReason  reason);

G_END_DECLS

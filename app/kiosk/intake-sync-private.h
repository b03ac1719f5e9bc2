/* intake-sync-private.h: what the sync engine and enrollment share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both talk to the server through the HTTP layer (app/core/intake-http.h)
 * and report what went wrong in INTAKE_SYNC_ERROR terms.
 */
#pragma once

#include "intake-http.h"
#include "intake-sync.h"

G_BEGIN_DECLS

/* The kiosk's session: its user agent and timeouts; @tls_ca_file nullable. */
SoupSession        *intake_sync_session_new     (const char             *tls_ca_file,
                                                 GError                **error);
/* intake_http_check_server_url(), as an INTAKE_SYNC_ERROR_NETWORK. */
gboolean            intake_sync_check_url       (const char             *url,
                                                 GError                **error);
/* @device NULL: an unsigned request (enrollment); @now_s: the timestamp. */
void                intake_sync_request_async   (SoupSession            *session,
                                                 const char             *base_url,
                                                 const char             *method,
                                                 const char             *path,
                                                 GBytes                 *body,
                                                 const IntakeDeviceKey  *device,
                                                 gint64                  now_s,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
/* Transport failures become INTAKE_SYNC_ERROR_NETWORK (an untrusted TLS
 * certificate: _UNTRUSTED; an answer too large: _BAD_RESPONSE); cancellation
 * stays G_IO_ERROR_CANCELLED. */
IntakeHttpResponse *intake_sync_request_finish  (GAsyncResult           *result,
                                                 GError                **error);
/* TRUE for 200; otherwise the error the kiosk acts on (_CLOCK, _REFUSED,
 * _SERVER), @what naming the request. */
gboolean            intake_sync_check_response  (IntakeHttpResponse     *response,
                                                 const char             *what,
                                                 GError                **error);

/* For the _blocking() calls: a GAsyncReadyCallback that keeps the result in
 * the GAsyncResult * @user_data points to, and a wait for it on the
 * thread-default main context. */
void                intake_sync_store_result_cb (GObject                *object,
                                                 GAsyncResult           *result,
                                                 gpointer                user_data);
GAsyncResult       *intake_sync_wait_for_result (GAsyncResult          **slot);

/* The session the engine's requests go through (tests watch it with
 * SoupSession::request-queued). */
SoupSession        *intake_sync_get_session     (IntakeSync             *self);

/* Follows the "office_rotations" member of @object (a /v1/office-keys
 * answer, or a receipts file), if any. */
gboolean intake_sync_apply_office_rotations (IntakeKiosk  *kiosk,
                                             JsonObject   *object,
                                             GError      **error);

G_END_DECLS

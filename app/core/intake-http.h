/* intake-http.h: the one HTTP client layer under the kiosk's sync engine
 * and the review client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One request: a URL built from the server's base address and a path,
 * an optional JSON body, the signature headers of docs/protocol.md ("Signed
 * requests") made with a device key or a reviewer key, and an answer read
 * with a size limit and parsed with the JSON depth guard. What a non-2xx
 * status means is for the caller: the answer carries the status and the
 * protocol's "error" and "message" members.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_HTTP_ERROR (intake_http_error_quark ())

/**
 * IntakeHttpError:
 * @INTAKE_HTTP_ERROR_INVALID_URL: not a server address, or plain http:// to
 *   a host other than loopback
 * @INTAKE_HTTP_ERROR_NETWORK: the server cannot be reached (name lookup,
 *   connection, timeout, a connection that broke off)
 * @INTAKE_HTTP_ERROR_TLS: the connection was refused because the server's
 *   certificate is not trusted (or the TLS handshake failed): a trust
 *   problem, not a network one
 * @INTAKE_HTTP_ERROR_TOO_LARGE: the answer is longer than the limit
 *
 * The messages of _NETWORK and _TLS are the cause alone (GIO's words, e.g.
 * "Could not connect: Connection refused"): each client puts its own
 * sentence around them. Cancellation is reported as G_IO_ERROR_CANCELLED.
 */
typedef enum {
  INTAKE_HTTP_ERROR_INVALID_URL,
  INTAKE_HTTP_ERROR_NETWORK,
  INTAKE_HTTP_ERROR_TLS,
  INTAKE_HTTP_ERROR_TOO_LARGE,
} IntakeHttpError;

/* The longest answer read: an upload's receipts, a page of the review list
 * or one envelope (at most 2 MiB) fit many times over. */
#define INTAKE_HTTP_MAX_RESPONSE (16 * 1024 * 1024)

/* Who signs a request. At most one key; neither: an unsigned request
 * (unlock, activation). */
typedef struct {
  const IntakeDeviceKey   *device;
  const IntakeReviewerKey *reviewer;
  gint64                   now;        /* the timestamp, seconds since the epoch */
  const char              *context;    /* a device's: NULL for "request", or "enroll" */
} IntakeHttpSigner;

typedef struct {
  guint     status;
  GBytes   *body;
  JsonNode *root;         /* NULL unless the body is JSON within the depth limit */
  char     *error_code;   /* the protocol's "error" member, or NULL */
  char     *message;      /* the protocol's "message" member, or NULL */
  char     *store_generation; /* the Intake-Store-Generation header (1 to 64
                               * lowercase hex digits), or NULL */
} IntakeHttpResponse;

GQuark              intake_http_error_quark         (void);

/* A session with the given user agent and timeout (for connecting and for
 * an idle connection). @tls_ca_file (nullable): trust only the CA
 * certificates in that PEM file, not the system's. */
SoupSession        *intake_http_session_new         (const char          *user_agent,
                                                     guint                timeout_seconds,
                                                     const char          *tls_ca_file,
                                                     GError             **error);
/* https://HOST[:PORT][/PREFIX], or http:// to 127.0.0.1, ::1 or localhost
 * only (docs/protocol.md). */
gboolean            intake_http_check_server_url    (const char          *url,
                                                     GError             **error);

/* Sends @method @base_url@path_and_query; @body (nullable) as
 * application/json; signed when @signer names a key (the signature covers
 * @path_and_query, see docs/protocol.md). Trailing slashes of @base_url are
 * ignored. */
void                intake_http_request_async       (SoupSession             *session,
                                                     const char              *base_url,
                                                     const char              *method,
                                                     const char              *path_and_query,
                                                     GBytes                  *body,
                                                     const IntakeHttpSigner  *signer,
                                                     GCancellable            *cancellable,
                                                     GAsyncReadyCallback      callback,
                                                     gpointer                 user_data);
/* The answer, whatever its status; NULL with an IntakeHttpError (or
 * G_IO_ERROR_CANCELLED) when there is none. */
IntakeHttpResponse *intake_http_request_finish      (GAsyncResult            *result,
                                                     GError                 **error);

/* The root object of the answer, or NULL. */
JsonObject         *intake_http_response_get_object (IntakeHttpResponse      *self);
void                intake_http_response_free       (IntakeHttpResponse      *self);

/* A compact JSON body for a request. */
GBytes             *intake_http_json_body           (JsonNode                *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeHttpResponse, intake_http_response_free)

/* The CA certificates in @path (PEM; relative to the current directory
 * when not absolute), for a session's TLS database. */
GTlsDatabase *intake_http_tls_database_new (const char  *path,
                                            GError     **error);

G_END_DECLS

/* test-server-util.h: a real intake-server process and simulated kiosks for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store is SQLite in a temporary directory, or, when
 * INTAKE_TEST_POSTGRES is set (tests/pg-cluster.sh run ...), a fresh
 * database in that throwaway PostgreSQL cluster for every TestServer.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "intake-keys.h"
#include "intake-protocol.h"
#include "intake-store.h"

G_BEGIN_DECLS

typedef struct {
  char               *dir;
  char               *office_dir;      /* office.pub (and office.secret when asked for) */
  char               *office_pub;
  char               *passphrase_file;
  IntakeOfficePublic *office;
  char               *data_dir;        /* SQLite store, NULL with PostgreSQL */
  char               *conninfo;        /* PostgreSQL store, NULL with SQLite */
  char               *server_key;      /* --server-key, with PostgreSQL */
  char               *log_path;        /* the server's stderr */
  guint               rlimit_nofile;   /* if set, the server's open-files limit (soft and hard) */
  GTlsDatabase       *tls_database;    /* if set, what test_server_new_session() trusts */
  GSubprocess        *proc;
  char               *url;
  SoupSession        *session;
  gboolean            shared;          /* a second instance: test_server_new_instance() */
} TestServer;

typedef struct {
  guint       status;                  /* 0 if the request failed */
  GError     *error;                   /* transport error, when status is 0 */
  GBytes     *body;
  JsonNode   *json;                    /* body parsed, when it is JSON */
} TestResponse;

typedef struct {
  IntakeDeviceKey *key;
  char            *device_id;
  char            *location;
  guint8           server_pk[INTAKE_SIGN_PUBLIC_BYTES];
} TestKiosk;

gboolean      test_server_use_postgres   (void);
const char   *test_server_admin_path     (void);
const char   *test_server_binary_path    (void);

TestServer   *test_server_new            (gboolean            with_office_secret);
/* Another server process over the same store, office key and server key
 * (several instances, as docs/server.md runs them); start it with
 * test_server_start(). Freeing it leaves the first one's files. */
TestServer   *test_server_new_instance   (TestServer         *first);
void          test_server_free           (TestServer         *self);
/* "--data DIR" or "--postgres CONNINFO", for intake-admin. */
void          test_server_add_store_args (TestServer         *self,
                                          GPtrArray          *argv);
IntakeStore  *test_server_open_store     (TestServer         *self);
/* Starts intake-server with the store, the office key and @extra_args
 * (NULL-terminated, may be NULL), and reads "listening on URL". Returns
 * FALSE (and the process's exit status) if it exits instead. */
gboolean      test_server_start          (TestServer         *self,
                                          const char * const *extra_args,
                                          int                *out_exit_status);
void          test_server_kill           (TestServer         *self);
/* SIGTERM; asserts a clean exit. */
void          test_server_stop           (TestServer         *self);
char         *test_server_read_log       (TestServer         *self);
/* The running server's resident memory (VmRSS), in KiB. */
guint64       test_server_rss_kib        (TestServer         *self);
/* A new HTTP session for this server (trusting its test CA, if any). */
SoupSession  *test_server_new_session    (TestServer         *self);
/* GET /metrics; the value of the sample @name (with its labels), or -1. */
gint64        test_server_metric         (TestServer         *self,
                                          const char         *name);

/* Runs intake-admin with the store options added after @args[0..n_before)
 * (the subcommand words). Asserts a failure is one line on stderr. */
int           test_admin                 (TestServer         *self,
                                          const char * const *args,
                                          guint               n_before,
                                          char              **out_stdout,
                                          char              **out_stderr);
/* intake-admin enroll-code; returns the code from the last line. */
char         *test_server_new_code       (TestServer         *self,
                                          const char         *location);

/* intake-admin reviewer add (or, with @roles NULL, reset) --office, for
 * @name: returns the activation code. @extra_args (may be NULL): more
 * options (--location, --unit, --expires). */
char         *test_reviewer_add          (TestServer         *server,
                                          const char         *name,
                                          const char         *roles,
                                          const char * const *extra_args);
/* intake-admin reviewer activate against the running server, keeping the
 * workstation key in @workstation_key (NULL: the review app's store,
 * which INTAKE_WORKSTATION_KEY_STORE and XDG_DATA_HOME choose): returns its standard output (with
 * the recovery code on the last line); with @out_status, does not assert
 * success and returns stderr on failure. */
char         *test_reviewer_activate     (TestServer         *server,
                                          const char         *name,
                                          const char         *code,
                                          const char         *passphrase_file,
                                          const char         *workstation_key,
                                          int                *out_status);

/* The unlock protocol of docs/protocol.md, as a review client runs it:
 * unlock/start, Argon2id of @passphrase with the salt given combined with
 * the workstation key in @workstation_key_path, the challenge signed,
 * unlock/finish; then the blob opened. Asserts every step. */
IntakeReviewerKey *test_reviewer_unlock  (TestServer         *server,
                                          const char         *name,
                                          const char         *passphrase,
                                          const char         *workstation_key_path);

/* HTTP with the test's main context kept running (async request + a
 * nested main-context loop). @auth may be NULL (unsigned request). */
TestResponse *test_http                  (SoupSession        *session,
                                          const char         *method,
                                          const char         *url,
                                          GBytes             *body,
                                          const IntakeRequestAuth *auth);
/* The same request (method, path and query, signature headers) again,
 * to @server, with @body: a replay. */
SoupMessage  *test_message_copy_to       (SoupMessage        *msg,
                                          TestServer         *server,
                                          GBytes             *body);
/* Sends a prepared message the same way. */
TestResponse *test_send                  (SoupSession        *session,
                                          SoupMessage        *msg);
void          test_response_free         (TestResponse       *response);
const char   *test_response_error_code   (TestResponse       *response);

TestKiosk    *test_kiosk_new             (void);
void          test_kiosk_free            (TestKiosk          *kiosk);
/* POST /v1/enroll with @code, signed with the kiosk's key (context
 * "enroll"); on 200 fills in the kiosk's server key. */
TestResponse *test_kiosk_enroll          (TestKiosk          *kiosk,
                                          TestServer         *server,
                                          const char         *code);
/* The same, signed by @signer (NULL: not signed): a forgery when it is not
 * @kiosk's own key. */
TestResponse *test_kiosk_enroll_as       (TestKiosk          *kiosk,
                                          TestServer         *server,
                                          const char         *code,
                                          const IntakeDeviceKey *signer);
/* Enrolls with a fresh code and asserts success. */
TestKiosk    *test_kiosk_new_enrolled    (TestServer         *server);
GBytes       *test_kiosk_seal            (TestKiosk          *kiosk,
                                          const IntakeOfficePublic *office);
GBytes       *test_upload_body           (GPtrArray          *envelopes);
/* A signed request from @kiosk, with its clock off by @skew seconds: the
 * message alone (to send it asynchronously), or sent and answered. */
SoupMessage  *test_kiosk_message_new     (TestKiosk          *kiosk,
                                          TestServer         *server,
                                          const char         *method,
                                          const char         *path,
                                          GBytes             *body,
                                          gint64              skew);
TestResponse *test_kiosk_request         (TestKiosk          *kiosk,
                                          TestServer         *server,
                                          const char         *method,
                                          const char         *path,
                                          GBytes             *body,
                                          gint64              skew);
TestResponse *test_kiosk_upload          (TestKiosk          *kiosk,
                                          TestServer         *server,
                                          GPtrArray          *envelopes);
/* Verifies the receipt of an upload response (signature, device) and
 * returns its items. */
GArray       *test_verify_receipt        (TestKiosk          *kiosk,
                                          TestResponse       *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestKiosk, test_kiosk_free)

G_END_DECLS

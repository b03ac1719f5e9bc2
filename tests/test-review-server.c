/* test-review-server.c: the staff review protocol against a real intake-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs against SQLite, and through tests/pg-cluster.sh against PostgreSQL
 * (INTAKE_TEST_POSTGRES). Reviewers are added with intake-admin, submissions
 * arrive through the real upload path from test kiosks.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-audit.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-office-rotation.h"
#include "intake-reference.h"
#include "intake-review-request.h"
#include "intake-roles.h"
#include "intake-test-util.h"
#include "test-server-util.h"

#define REVIEWER_PASSPHRASE "a long reviewer passphrase"

typedef struct {
  TestServer *server;
  char       *reviewer_passphrase_file;
} Env;

static Env *
env_new (const char * const *server_args)
{
  Env *env = g_new0 (Env, 1);

  env->server = test_server_new (TRUE);
  env->reviewer_passphrase_file = g_build_filename (env->server->dir, "reviewer-passphrase", NULL);
  intake_test_write_file (env->reviewer_passphrase_file, REVIEWER_PASSPHRASE "\n");
  g_assert_true (test_server_start (env->server, server_args, NULL));
  return env;
}

/* The office's units (docs/admin.md, "Units"): workflow changes choose from these. */
static void
configure_units (Env *env)
{
  const char *units[] = { "units", "add", "Team Vaals", "Podium24", "Team Werk", "Team Zorg", NULL };

  g_assert_cmpint (test_admin (env->server, units, 2, NULL, NULL), ==, 0);
}

static void
env_free (Env *env)
{
  test_server_free (env->server);
  g_free (env->reviewer_passphrase_file);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

static char *
workstation_path (Env        *env,
                  const char *name)
{
  g_autofree char *file = g_strconcat (name, ".workstation.key", NULL);

  return g_build_filename (env->server->dir, file, NULL);
}

/* What an administrator and the reviewer do: intake-admin reviewer add
 * (--office), then reviewer activate with the reviewer's passphrase; the
 * workstation key lands in DIR/NAME.workstation.key. */
static void
add_reviewer_with (Env                *env,
                   const char         *name,
                   const char         *roles,
                   const char * const *extra_args)
{
  g_autofree char *code = test_reviewer_add (env->server, name, roles, extra_args);
  g_autofree char *key_path = workstation_path (env, name);
  g_autofree char *out = NULL;

  g_unlink (key_path);
  out = test_reviewer_activate (env->server, name, code, env->reviewer_passphrase_file, key_path, NULL);
  g_assert_nonnull (strstr (out, "Recovery code"));
}

/* A reviewer as those of before the roles: caseworker, team lead, privacy officer. */
static void
add_reviewer (Env        *env,
              const char *name)
{
  add_reviewer_with (env, name, "caseworker,team_lead,privacy_officer", NULL);
}

static void
remove_reviewer (Env        *env,
                 const char *name)
{
  const char *args[] = { "reviewer", "remove", "--name", name, NULL };

  g_assert_cmpint (test_admin (env->server, args, 2, NULL, NULL), ==, 0);
}

static GBytes *
json_body (const char *format,
           ...) G_GNUC_PRINTF (1, 2);

static GBytes *
json_body (const char *format,
           ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return g_bytes_new_take (text, strlen (text));
}

static TestResponse *
post_json (TestServer *server,
           const char *path,
           GBytes     *body)
{
  g_autofree char *url = g_strconcat (server->url, path, NULL);

  return test_http (server->session, "POST", url, body, NULL);
}

static JsonObject *
object_of (TestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static GBytes *
b64_member (TestResponse *response,
            const char   *member)
{
  gsize len = 0;
  guchar *data = g_base64_decode (json_object_get_string_member (object_of (response), member), &len);

  return g_bytes_new_take (data, len);
}

static TestResponse *
unlock_start (TestServer *server,
              const char *name)
{
  g_autoptr(GBytes) body = json_body ("{\"name\": \"%s\"}", name);

  return post_json (server, "/v1/review/unlock/start", body);
}

static GBytes *
challenge_message (GBytes     *challenge,
                   const char *name)
{
  GByteArray *message = g_byte_array_new ();

  g_byte_array_append (message, g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  g_byte_array_append (message, (const guint8 *)name, strlen (name));
  return g_byte_array_free_to_bytes (message);
}

/* The unlock protocol as docs/protocol.md describes it: start, Argon2id of
 * @passphrase with the salt given, combined with @workstation, the
 * challenge signed, finish. @workstation NULL: a signature by a random key
 * (a guess that costs nothing). Returns the finish answer; the credentials
 * used go to @out_credentials (may be NULL). */
static TestResponse *
unlock_as (TestServer                  *server,
           const char                  *name,
           const char                  *passphrase,
           const IntakeWorkstationKey  *workstation,
           IntakeCredentials          **out_credentials)
{
  g_autoptr(TestResponse) start = unlock_start (server, name);
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *challenge_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  g_autoptr(GBytes) body = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  JsonObject *object;

  g_assert_cmpuint (start->status, ==, 200);
  object = object_of (start);
  g_assert_cmpint (json_object_get_int_member (object, "protocol"), ==, 2);
  challenge = b64_member (start, "challenge");
  salt = b64_member (start, "salt");
  g_assert_cmpuint (g_bytes_get_size (challenge), ==, 56);
  g_assert_cmpuint (g_bytes_get_size (salt), ==, 16);
  message = challenge_message (challenge, name);
  if (workstation != NULL)
    {
      g_autoptr(IntakeSecureBuffer) secret = intake_secure_buffer_new_copy (passphrase, strlen (passphrase));

      credentials = intake_credentials_new_reviewer (secret, workstation, g_bytes_get_data (salt, NULL),
                                                     json_object_get_int_member (object, "opslimit"),
                                                     json_object_get_int_member (object, "memlimit"), &error);
      g_assert_no_error (error);
      intake_credentials_sign (credentials, "review-unlock", message, signature);
    }
  else
    randombytes_buf (signature, sizeof signature);
  challenge_b64 = g_base64_encode (g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  signature_b64 = g_base64_encode (signature, sizeof signature);
  body = json_body ("{\"name\": \"%s\", \"challenge\": \"%s\", \"signature\": \"%s\"}", name, challenge_b64,
                    signature_b64);
  if (out_credentials != NULL)
    *out_credentials = g_steal_pointer (&credentials);
  return post_json (server, "/v1/review/unlock/finish", body);
}

static IntakeWorkstationKey *
load_workstation (Env        *env,
                  const char *name)
{
  g_autofree char *path = workstation_path (env, name);
  g_autoptr(GError) error = NULL;
  IntakeWorkstationKey *key = intake_workstation_key_load (path, &error);

  g_assert_no_error (error);
  return key;
}

/* Unlocks @name over the protocol and opens the blob with the credentials
 * that signed the challenge. */
static IntakeReviewerKey *
unlock_key_on (Env        *env,
               TestServer *server,
               const char *name)
{
  g_autoptr(IntakeWorkstationKey) workstation = load_workstation (env, name);
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(TestResponse) response = unlock_as (server, name, REVIEWER_PASSPHRASE, workstation, &credentials);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  IntakeReviewerKey *key;

  g_assert_cmpuint (response->status, ==, 200);
  blob = b64_member (response, "blob");
  key = intake_reviewer_key_open (blob, credentials, &error);
  g_assert_no_error (error);
  id = intake_reviewer_key_dup_id_hex (key);
  g_assert_cmpstr (id, ==, json_object_get_string_member (object_of (response), "reviewer_id"));
  /* The blob holds the office secret of this very office. */
  g_assert_cmpmem (intake_office_secret_get_public (intake_reviewer_key_get_office (key))->key_id,
                   INTAKE_OFFICE_KEY_ID_BYTES, env->server->office->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  return key;
}

static IntakeReviewerKey *
unlock_key (Env        *env,
            const char *name)
{
  return unlock_key_on (env, env->server, name);
}

static SoupMessage *
review_message_new (Env                     *env,
                    const IntakeReviewerKey *key,
                    const char              *method,
                    const char              *path_and_query,
                    GBytes                  *body,
                    gint64                   skew)
{
  g_autofree char *url = g_strconcat (env->server->url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  IntakeRequestAuth auth;

  intake_review_sign_request (key, method, path_and_query, body, g_get_real_time () / G_USEC_PER_SEC + skew, &auth);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_headers_replace (headers, INTAKE_HEADER_REVIEWER, auth.device_id);
  soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
  soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
  soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
  intake_request_auth_clear (&auth);
  return msg;
}

static TestResponse *
review_request_skewed (Env                     *env,
                       const IntakeReviewerKey *key,
                       const char              *method,
                       const char              *path_and_query,
                       GBytes                  *body,
                       gint64                   skew)
{
  g_autoptr(SoupMessage) msg = review_message_new (env, key, method, path_and_query, body, skew);

  return test_send (env->server->session, msg);
}

static TestResponse *
review_request (Env                     *env,
                const IntakeReviewerKey *key,
                const char              *method,
                const char              *path_and_query,
                GBytes                  *body)
{
  return review_request_skewed (env, key, method, path_and_query, body, 0);
}

static void
assert_error (TestResponse *response,
              guint         status,
              const char   *code)
{
  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (test_response_error_code (response), ==, code);
}

static GBytes *
seal_at (TestKiosk                *kiosk,
         const IntakeOfficePublic *office,
         gint64                    created_at)
{
  static const char answers[] = "{\"answers\":{},\"format\":1}";
  IntakeEnvelopeInfo info = {
    .created_at = created_at,
    .questionnaire_id = "intake-test",
    .questionnaire_version = 1,
  };
  g_autoptr(GError) error = NULL;
  GBytes *envelope;

  intake_envelope_new_submission_id (info.submission_id);
  envelope = intake_envelope_seal (office, kiosk->key, &info, (const guint8 *)answers, strlen (answers), &error);
  g_assert_no_error (error);
  return envelope;
}

/* Uploads @n envelopes created at @first_created_at, +1 s each, in
 * batches of 100 through POST /v1/envelopes; returns them in order. */
static GPtrArray *
upload_many (Env       *env,
             TestKiosk *kiosk,
             guint      n,
             gint64     first_created_at)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  for (guint done = 0; done < n;)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      g_autoptr(TestResponse) response = NULL;
      g_autoptr(GArray) items = NULL;

      for (; batch->len < 100 && done < n; done++)
        {
          GBytes *envelope = seal_at (kiosk, env->server->office, first_created_at + done);

          g_ptr_array_add (batch, g_bytes_ref (envelope));
          g_ptr_array_add (all, envelope);
        }
      response = test_kiosk_upload (kiosk, env->server, batch);
      items = test_verify_receipt (kiosk, response);
      g_assert_cmpuint (items->len, ==, batch->len);
    }
  return all;
}

/* What the review side names a submission by: DEVICE_ID-SUBMISSION_ID. */
static char *
key_of (GBytes *envelope)
{
  IntakeEnvelopeHeader header;
  g_autofree char *device = NULL;
  g_autofree char *submission = NULL;

  g_assert_true (intake_envelope_parse_header (envelope, &header, NULL));
  device = intake_hex_encode (header.device_id, sizeof header.device_id);
  submission = intake_hex_encode (header.submission_id, sizeof header.submission_id);
  return g_strconcat (device, "-", submission, NULL);
}

static TestKiosk *
kiosk_at (Env        *env,
          const char *location)
{
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autofree char *code = test_server_new_code (env->server, location);
  g_autoptr(TestResponse) response = test_kiosk_enroll (kiosk, env->server, code);

  g_assert_cmpuint (response->status, ==, 200);
  return g_steal_pointer (&kiosk);
}

/* @n submissions uploaded by a new kiosk at @location; their keys go to @keys. */
static void
upload_at (Env        *env,
           const char *location,
           guint       n,
           char      **keys)
{
  g_autoptr(TestKiosk) kiosk = kiosk_at (env, location);
  g_autoptr(GPtrArray) envelopes = upload_many (env, kiosk, n, g_get_real_time () / G_USEC_PER_SEC);

  for (guint i = 0; i < n; i++)
    keys[i] = key_of (g_ptr_array_index (envelopes, i));
}

/* Every event of the log, through the store interface. */
static GPtrArray *
all_events (Env        *env,
            const char *object)
{
  g_autoptr(IntakeStore) store = test_server_open_store (env->server);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = intake_store_list_audit (store, object, 0, 10000, &error);

  g_assert_no_error (error);
  return events;
}

static gboolean
has_event (GPtrArray  *events,
           const char *actor,
           const char *action,
           const char *result)
{
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->actor, actor) && g_str_equal (event->action, action) &&
          g_str_equal (event->result, result))
        return TRUE;
    }
  return FALSE;
}

/* ---- Unlock --------------------------------------------------------------- */

static gboolean
has_actor (GPtrArray  *events,
           const char *actor)
{
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (((IntakeAuditEvent *)g_ptr_array_index (events, i))->actor, actor))
      return TRUE;
  return FALSE;
}

/* Nothing derived from the office secret without proof of passphrase and
 * workstation key; unknown names answered like known ones, and not logged. */
static void
test_unlock (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) key = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint before;

  add_reviewer (env, "anna");
  key = unlock_key (env, "anna");
  workstation = load_workstation (env, "anna");

  /* A wrong passphrase, the right one with another workstation key, a
   * random signature: no blob, the same answer every time. */
  {
    g_autoptr(IntakeWorkstationKey) other = intake_workstation_key_generate (NULL);
    g_autoptr(TestResponse) wrong = unlock_as (env->server, "anna", "not the passphrase at all", workstation, NULL);
    g_autoptr(TestResponse) elsewhere = unlock_as (env->server, "anna", REVIEWER_PASSPHRASE, other, NULL);
    g_autoptr(TestResponse) random = unlock_as (env->server, "anna", NULL, NULL, NULL);

    assert_error (wrong, 401, "wrong_credentials");
    assert_error (elsewhere, 401, "wrong_credentials");
    assert_error (random, 401, "wrong_credentials");
    g_assert_false (json_object_has_member (object_of (wrong), "blob"));
  }

  /* An unknown name: the start answer has the shape and values of a real
   * one (and the same every time), finishing fails the same way, and
   * neither adds an audit row. */
  before = ((GPtrArray *) (events = all_events (env, NULL)))->len;
  g_clear_pointer (&events, g_ptr_array_unref);
  {
    g_autoptr(TestResponse) real = unlock_start (env->server, "anna");
    g_autoptr(TestResponse) fake = unlock_start (env->server, "nobody");
    g_autoptr(TestResponse) fake_again = unlock_start (env->server, "nobody");
    g_autoptr(TestResponse) finish = unlock_as (env->server, "nobody", REVIEWER_PASSPHRASE, workstation, NULL);
    JsonObject *r = object_of (real), *f = object_of (fake);
    GList *real_members = json_object_get_members (r);
    GList *fake_members = json_object_get_members (f);

    g_assert_cmpuint (g_list_length (real_members), ==, g_list_length (fake_members));
    for (GList *l = real_members; l != NULL; l = l->next)
      g_assert_true (json_object_has_member (f, l->data));
    g_list_free (real_members);
    g_list_free (fake_members);
    g_assert_cmpint (json_object_get_int_member (r, "opslimit"), ==, json_object_get_int_member (f, "opslimit"));
    g_assert_cmpint (json_object_get_int_member (r, "memlimit"), ==, json_object_get_int_member (f, "memlimit"));
    g_assert_cmpuint (strlen (json_object_get_string_member (f, "salt")), ==,
                      strlen (json_object_get_string_member (r, "salt")));
    g_assert_cmpstr (json_object_get_string_member (f, "salt"), ==,
                     json_object_get_string_member (object_of (fake_again), "salt"));
    g_assert_cmpstr (json_object_get_string_member (f, "workstation_id"), ==,
                     json_object_get_string_member (object_of (fake_again), "workstation_id"));
    g_assert_cmpstr (json_object_get_string_member (f, "challenge"), !=,
                     json_object_get_string_member (object_of (fake_again), "challenge"));
    assert_error (finish, 401, "wrong_credentials");
  }
  events = all_events (env, NULL);
  g_assert_cmpuint (events->len, ==, before);
  g_assert_false (has_actor (events, "nobody"));
  g_assert_cmpint (test_server_metric (env->server,
                                       "intake_unauthenticated_requests_total{error=\"wrong_credentials\"}"), ==, 4);

  /* A challenge is answered once; one for another name is refused. */
  {
    g_autoptr(TestResponse) start = unlock_start (env->server, "anna");
    g_autoptr(GBytes) challenge = b64_member (start, "challenge");
    g_autoptr(GBytes) salt = b64_member (start, "salt");
    g_autoptr(GBytes) message = challenge_message (challenge, "anna");
    g_autoptr(IntakeSecureBuffer) secret = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE,
                                                                        strlen (REVIEWER_PASSPHRASE));
    g_autoptr(IntakeCredentials) credentials = NULL;
    g_autofree char *challenge_b64 = g_base64_encode (g_bytes_get_data (challenge, NULL), 56);
    g_autofree char *signature_b64 = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autoptr(GBytes) other_body = NULL;
    guint8 signature[64];

    credentials = intake_credentials_new_reviewer (secret, workstation, g_bytes_get_data (salt, NULL), 3,
                                                   G_GUINT64_CONSTANT (268435456), NULL);
    intake_credentials_sign (credentials, "review-unlock", message, signature);
    signature_b64 = g_base64_encode (signature, sizeof signature);
    body = json_body ("{\"name\": \"anna\", \"challenge\": \"%s\", \"signature\": \"%s\"}", challenge_b64,
                      signature_b64);
    other_body = json_body ("{\"name\": \"bob\", \"challenge\": \"%s\", \"signature\": \"%s\"}", challenge_b64,
                            signature_b64);
    {
      g_autoptr(TestResponse) once = post_json (env->server, "/v1/review/unlock/finish", body);
      g_autoptr(TestResponse) twice = post_json (env->server, "/v1/review/unlock/finish", body);
      g_autoptr(TestResponse) other = post_json (env->server, "/v1/review/unlock/finish", other_body);

      g_assert_cmpuint (once->status, ==, 200);
      assert_error (twice, 401, "replayed_request");
      assert_error (other, 401, "bad_challenge");
    }
  }

  /* A removed reviewer is an unknown name; the unlock of protocol 1 is gone. */
  remove_reviewer (env, "anna");
  {
    g_autoptr(TestResponse) revoked = unlock_as (env->server, "anna", REVIEWER_PASSPHRASE, workstation, NULL);
    g_autoptr(GBytes) body = json_body ("{\"name\": \"anna\"}");
    g_autoptr(TestResponse) old = post_json (env->server, "/v1/review/unlock", body);

    assert_error (revoked, 401, "wrong_credentials");
    assert_error (old, 410, "protocol_changed");
  }

  g_clear_pointer (&events, g_ptr_array_unref);
  events = all_events (env, NULL);
  g_assert_true (has_event (events, "admin", "reviewer_add", "ok"));
  g_assert_true (has_event (events, "anna", "reviewer_activate", "ok"));
  g_assert_true (has_event (events, "anna", "unlock", "ok"));
  g_assert_true (has_event (events, "admin", "reviewer_remove", "ok"));
  {
    const IntakeAuditEvent *first = g_ptr_array_index (events, 0);

    g_assert_cmpstr (first->origin, ==, "cli");
  }
}

/* Five failed proofs in a row lock a name, on every instance, known or not;
 * an administrator lifts it. */
static void
test_unlock_lockout (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(TestServer) second = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint locked_events = 0;

  add_reviewer (env, "anna");
  workstation = load_workstation (env, "anna");
  second = test_server_new_instance (env->server);
  g_assert_true (test_server_start (second, NULL, NULL));

  for (guint i = 0; i < 5; i++)
    {
      /* Spread over both instances: the count is in the store. */
      g_autoptr(TestResponse) bad = unlock_as (i % 2 ? second : env->server, "anna", NULL, NULL, NULL);
      g_autoptr(TestResponse) bad_unknown = unlock_as (i % 2 ? env->server : second, "nobody", NULL, NULL, NULL);

      assert_error (bad, 401, "wrong_credentials");
      assert_error (bad_unknown, 401, "wrong_credentials");
    }
  /* Now even the right passphrase is refused, and an unknown name is
   * refused the same way: a lockout says nothing about the name. */
  {
    g_autoptr(TestResponse) right = unlock_as (second, "anna", REVIEWER_PASSPHRASE, workstation, NULL);
    g_autoptr(TestResponse) unknown = unlock_as (env->server, "nobody", NULL, NULL, NULL);

    assert_error (right, 429, "locked_out");
    assert_error (unknown, 429, "locked_out");
  }
  events = all_events (env, NULL);
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->result, "denied:locked_out"))
        {
          g_assert_cmpstr (event->actor, ==, "anna");
          locked_events++;
        }
    }
  g_assert_cmpuint (locked_events, ==, 1);
  g_assert_false (has_actor (events, "nobody"));

  {
    const char *args[] = { "reviewer", "unblock", "--name", "anna", NULL };

    g_assert_cmpint (test_admin (env->server, args, 2, NULL, NULL), ==, 0);
  }
  {
    g_autoptr(IntakeReviewerKey) key = unlock_key_on (env, second, "anna");

    g_assert_nonnull (key);
  }
  test_server_stop (second);
}

/* Everything the server keeps (its database, a backup, a pg_dump) is not
 * enough to try a passphrase: every guess needs the workstation key. */
static void
test_unlock_stolen_database (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeStoreReviewer) stolen = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE,
                                                                          strlen (REVIEWER_PASSPHRASE));
  g_autoptr(GError) error = NULL;
  IntakeReviewerBlobInfo info;

  add_reviewer (env, "anna");
  workstation = load_workstation (env, "anna");
  store = test_server_open_store (env->server);
  stolen = intake_store_get_reviewer (store, NULL, "anna", &error);
  g_assert_no_error (error);
  g_assert_true (intake_reviewer_key_blob_peek (stolen->blob, &info, &error));
  g_assert_cmpuint (info.version, ==, 2);

  /* Even the right passphrase, guessed by whoever holds the database:
   * without the workstation key it derives another verifier, and the blob
   * does not open. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(IntakeWorkstationKey) guess = intake_workstation_key_generate (NULL);
      g_autoptr(IntakeCredentials) credentials = NULL;

      credentials = intake_credentials_new_reviewer (passphrase, guess, info.salt, info.opslimit, info.memlimit, &error);
      g_assert_no_error (error);
      g_assert_true (memcmp (intake_credentials_get_auth_public (credentials), info.auth_pk, 32) != 0);
      g_assert_null (intake_reviewer_key_open (stolen->blob, credentials, &error));
      g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);
      g_clear_error (&error);
    }
  /* With it, the same guess opens: the workstation key is the second factor. */
  {
    g_autoptr(IntakeCredentials) credentials = intake_credentials_new_reviewer (passphrase, workstation, info.salt,
                                                                                info.opslimit, info.memlimit, &error);
    g_autoptr(IntakeReviewerKey) key = intake_reviewer_key_open (stolen->blob, credentials, &error);

    g_assert_no_error (error);
    g_assert_nonnull (key);
  }
  /* No pending activation survives its use: nothing else to guess at. */
  {
    g_autoptr(GPtrArray) setups = intake_store_list_reviewer_setups (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (setups->len, ==, 0);
  }
}

/* ---- Activation, reset, passphrase change ------------------------------------------ */

static const char *
last_line (char *text)
{
  char *nl;

  g_strchomp (text);
  nl = strrchr (text, '\n');
  return nl != NULL ? nl + 1 : text;
}

static void
test_activation (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) old_key = NULL;
  g_autoptr(IntakeReviewerKey) new_key = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *code = NULL;
  g_autofree char *key_path = workstation_path (env, "anna");
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  int status = 0;

  /* A wrong code fails like a wrong passphrase; the right one works once. */
  code = test_reviewer_add (env->server, "anna", "caseworker", NULL);
  {
    g_autofree char *err = test_reviewer_activate (env->server, "anna", "ACEF-HJKM-NPRT-UVWX-Y346-79AC",
                                                   env->reviewer_passphrase_file, key_path, &status);

    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "do not match"));
  }
  {
    g_autofree char *out = test_reviewer_activate (env->server, "anna", code, env->reviewer_passphrase_file,
                                                   key_path, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeWorkstationKey) from_code = intake_workstation_key_new_from_recovery_code (last_line (out), &error);
    g_autoptr(IntakeWorkstationKey) kept = load_workstation (env, "anna");

    /* The recovery code printed restores exactly the key kept. */
    g_assert_no_error (error);
    g_assert_cmpmem (intake_workstation_key_get_id (from_code), 8, intake_workstation_key_get_id (kept), 8);
  }
  {
    g_autofree char *err = test_reviewer_activate (env->server, "anna", code, env->reviewer_passphrase_file,
                                                   key_path, &status);

    g_assert_cmpint (status, ==, 1);
  }
  old_key = unlock_key (env, "anna");
  old_id = intake_reviewer_key_dup_id_hex (old_key);

  /* A forgotten passphrase: the office secret holder resets without the
   * reviewer's old one; the reviewer activates a new key, the old one stops. */
  g_clear_pointer (&code, g_free);
  code = test_reviewer_add (env->server, "anna", NULL, NULL);
  g_free (test_reviewer_activate (env->server, "anna", code, env->reviewer_passphrase_file, key_path, NULL));
  new_key = unlock_key (env, "anna");
  new_id = intake_reviewer_key_dup_id_hex (new_key);
  g_assert_cmpstr (new_id, !=, old_id);
  {
    g_autoptr(TestResponse) stale = review_request (env, old_key, "GET", "/v1/review/submissions", NULL);
    g_autoptr(TestResponse) fresh = review_request (env, new_key, "GET", "/v1/review/submissions", NULL);

    assert_error (stale, 403, "reviewer_revoked");
    g_assert_cmpuint (fresh->status, ==, 200);
  }

  /* An administrator reviewer resets without the office secret holder:
   * from their own unlocked key, over the server. */
  add_reviewer_with (env, "root", "administrator", NULL);
  {
    g_autofree char *root_key = workstation_path (env, "root");
    const char *argv[] = { test_server_admin_path (), "reviewer", "reset", "--server", env->server->url, "--as",
                           "root", "--passphrase-file", env->reviewer_passphrase_file, "--workstation-key", root_key,
                           "--name", "anna", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(IntakeReviewerKey) third = NULL;
    g_autofree char *third_id = NULL;

    g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
    g_free (test_reviewer_activate (env->server, "anna", last_line (out), env->reviewer_passphrase_file, key_path,
                                    NULL));
    third = unlock_key (env, "anna");
    third_id = intake_reviewer_key_dup_id_hex (third);
    g_assert_cmpstr (third_id, !=, new_id);
  }
  /* A caseworker cannot make activation codes. */
  {
    const char *argv[] = { test_server_admin_path (), "reviewer", "reset", "--server", env->server->url, "--as",
                           "anna", "--passphrase-file", env->reviewer_passphrase_file, "--workstation-key", key_path,
                           "--name", "root", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "role does not allow"));
  }

  events = all_events (env, NULL);
  g_assert_true (has_event (events, "admin", "reviewer_add", "ok"));
  g_assert_true (has_event (events, "admin", "reviewer_reset", "ok"));
  g_assert_true (has_event (events, "root", "reviewer_reset", "ok"));
  g_assert_true (has_event (events, "anna", "reviewer_activate", "ok"));
  g_assert_true (has_event (events, "anna", "reviewer_admin", "denied:role_required"));
  /* The roles survived both resets. */
  {
    g_autoptr(IntakeStore) store = test_server_open_store (env->server);
    g_autoptr(IntakeStoreReviewer) anna = intake_store_get_reviewer (store, NULL, "anna", NULL);

    g_assert_cmpuint (anna->roles, ==, INTAKE_ROLE_CASEWORKER);
  }
}

static void
test_passphrase_change (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) key = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(IntakeCredentials) current = NULL;
  g_autoptr(IntakeCredentials) fresh = NULL;
  g_autoptr(IntakeSecureBuffer) new_passphrase = intake_secure_buffer_new_copy ("a new and longer passphrase", 27);
  g_autoptr(TestResponse) unlocked = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) new_blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blob_b64 = NULL;
  guint8 hash[32], proof[64];

  add_reviewer (env, "anna");
  workstation = load_workstation (env, "anna");
  unlocked = unlock_as (env->server, "anna", REVIEWER_PASSPHRASE, workstation, &current);
  g_assert_cmpuint (unlocked->status, ==, 200);
  blob = b64_member (unlocked, "blob");
  key = intake_reviewer_key_open (blob, current, &error);
  g_assert_no_error (error);

  fresh = intake_credentials_new_reviewer (new_passphrase, workstation, NULL, 0, 0, &error);
  g_assert_no_error (error);
  new_blob = intake_reviewer_key_seal (key, fresh, &error);
  g_assert_no_error (error);
  crypto_hash_sha256 (hash, g_bytes_get_data (new_blob, NULL), g_bytes_get_size (new_blob));
  blob_b64 = g_base64_encode (g_bytes_get_data (new_blob, NULL), g_bytes_get_size (new_blob));

  /* A proof by anything but the current passphrase is refused: an unlocked
   * window alone cannot change it. */
  {
    g_autoptr(GBytes) hash_bytes = g_bytes_new (hash, sizeof hash);
    g_autofree char *proof_b64 = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autoptr(TestResponse) refused = NULL;

    intake_credentials_sign (fresh, "passphrase-change", hash_bytes, proof);
    proof_b64 = g_base64_encode (proof, sizeof proof);
    body = json_body ("{\"blob\": \"%s\", \"proof\": \"%s\"}", blob_b64, proof_b64);
    refused = review_request (env, key, "POST", "/v1/review/passphrase", body);
    assert_error (refused, 403, "wrong_credentials");
  }
  {
    g_autoptr(GBytes) hash_bytes = g_bytes_new (hash, sizeof hash);
    g_autofree char *proof_b64 = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autoptr(TestResponse) changed = NULL;

    intake_credentials_sign (current, "passphrase-change", hash_bytes, proof);
    proof_b64 = g_base64_encode (proof, sizeof proof);
    body = json_body ("{\"blob\": \"%s\", \"proof\": \"%s\"}", blob_b64, proof_b64);
    changed = review_request (env, key, "POST", "/v1/review/passphrase", body);
    g_assert_cmpuint (changed->status, ==, 200);
  }
  {
    g_autoptr(TestResponse) old = unlock_as (env->server, "anna", REVIEWER_PASSPHRASE, workstation, NULL);
    g_autoptr(TestResponse) now = unlock_as (env->server, "anna", "a new and longer passphrase", workstation, NULL);
    g_autoptr(GPtrArray) events = all_events (env, NULL);

    assert_error (old, 401, "wrong_credentials");
    g_assert_cmpuint (now->status, ==, 200);
    g_assert_true (has_event (events, "anna", "passphrase_change", "ok"));
    g_assert_true (has_event (events, "anna", "passphrase_change", "denied:wrong_credentials"));
  }
}

/* ---- Authentication ---------------------------------------------------------- */

static void
test_authentication (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *anna_id = NULL;

  add_reviewer (env, "anna");
  anna = unlock_key (env, "anna");
  anna_id = intake_reviewer_key_dup_id_hex (anna);
  kiosk = test_kiosk_new_enrolled (env->server);

  {
    g_autoptr(TestResponse) ok = review_request (env, anna, "GET", "/v1/review/submissions", NULL);

    g_assert_cmpuint (ok->status, ==, 200);
  }

  /* A device key cannot use the review endpoints ... */
  {
    g_autoptr(TestResponse) as_device = test_kiosk_request (kiosk, env->server, "GET", "/v1/review/submissions",
                                                            NULL, 0);
    g_autofree char *url = g_strconcat (env->server->url, "/v1/review/submissions", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    IntakeRequestAuth auth;
    g_autoptr(TestResponse) disguised = NULL;

    assert_error (as_device, 401, "unauthenticated");
    intake_protocol_sign_request (kiosk->key, "GET", "/v1/review/submissions", NULL,
                                  g_get_real_time () / G_USEC_PER_SEC, &auth);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_REVIEWER, auth.device_id);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_TIMESTAMP, auth.timestamp);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_NONCE, auth.nonce);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_SIGNATURE, auth.signature);
    disguised = test_send (env->server->session, msg);
    intake_request_auth_clear (&auth);
    assert_error (disguised, 401, "unknown_reviewer");
  }

  /* ... and a reviewer key cannot use the device endpoints. */
  {
    g_autofree char *url = g_strconcat (env->server->url, "/v1/questionnaire", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    IntakeRequestAuth auth;
    g_autoptr(TestResponse) response = NULL;

    intake_review_sign_request (anna, "GET", "/v1/questionnaire", NULL, g_get_real_time () / G_USEC_PER_SEC, &auth);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_DEVICE, auth.device_id);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_TIMESTAMP, auth.timestamp);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_NONCE, auth.nonce);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_SIGNATURE, auth.signature);
    response = test_send (env->server->session, msg);
    intake_request_auth_clear (&auth);
    assert_error (response, 401, "unknown_device");
  }

  /* The query is signed: changing the filter breaks the signature. */
  {
    g_autofree char *url = g_strconcat (env->server->url, "/v1/review/submissions?state=closed", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    IntakeRequestAuth auth;
    g_autoptr(TestResponse) response = NULL;

    intake_review_sign_request (anna, "GET", "/v1/review/submissions?state=new", NULL,
                                g_get_real_time () / G_USEC_PER_SEC, &auth);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_REVIEWER, auth.device_id);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_TIMESTAMP, auth.timestamp);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_NONCE, auth.nonce);
    soup_message_headers_replace (soup_message_get_request_headers (msg), INTAKE_HEADER_SIGNATURE, auth.signature);
    response = test_send (env->server->session, msg);
    intake_request_auth_clear (&auth);
    assert_error (response, 401, "bad_signature");
  }

  {
    g_autoptr(TestResponse) stale = review_request_skewed (env, anna, "GET", "/v1/review/submissions", NULL, -1000);

    assert_error (stale, 401, "stale_timestamp");
  }

  remove_reviewer (env, "anna");
  {
    g_autoptr(TestResponse) revoked = review_request (env, anna, "GET", "/v1/review/submissions", NULL);

    assert_error (revoked, 403, "reviewer_revoked");
  }

  events = all_events (env, NULL);
  g_assert_true (has_event (events, "anna", "list", "ok"));
  g_assert_true (has_event (events, "anna", "list", "denied:bad_signature"));
  g_assert_true (has_event (events, "anna", "list", "denied:stale_timestamp"));
  g_assert_true (has_event (events, "anna", "list", "denied:reviewer_revoked"));
}

/* ---- Listing ------------------------------------------------------------------ */

static GPtrArray *
list_all (Env                     *env,
          const IntakeReviewerKey *key,
          const char              *filter,
          guint                    limit)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  gint64 after = 0;
  gint64 last_seq = 0;

  for (guint pages = 0;; pages++)
    {
      g_autofree char *path = g_strdup_printf ("/v1/review/submissions?%s%safter=%" G_GINT64_FORMAT "&limit=%u",
                                               filter, *filter != '\0' ? "&" : "", after, limit);
      g_autoptr(TestResponse) response = review_request (env, key, "GET", path, NULL);
      JsonArray *items;
      JsonNode *next;

      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpuint (pages, <, 100);
      items = json_object_get_array_member (object_of (response), "submissions");
      g_assert_cmpuint (json_array_get_length (items), <=, limit);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          gint64 seq = json_object_get_int_member (item, "seq");

          g_assert_cmpint (seq, >, last_seq);
          last_seq = seq;
          g_ptr_array_add (ids, g_strdup (json_object_get_string_member (item, "key")));
        }
      next = json_object_get_member (object_of (response), "next_after");
      if (JSON_NODE_HOLDS_NULL (next))
        break;
      after = json_node_get_int (next);
    }
  return ids;
}

static void
set_state (Env                     *env,
           const IntakeReviewerKey *key,
           const char              *submission_id,
           const char              *state,
           gint64                   expected_version,
           guint                    expected_status)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission_id);
  g_autoptr(GBytes) body = json_body ("{\"state\": \"%s\", \"unit\": \"Team Vaals\", \"expected_version\": %"
                                      G_GINT64_FORMAT "}", state, expected_version);
  g_autoptr(TestResponse) response = review_request (env, key, "POST", path, body);

  g_assert_cmpuint (response->status, ==, expected_status);
}

static void
test_list_filters (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(TestKiosk) vaals = NULL;
  g_autoptr(TestKiosk) gulpen = NULL;
  g_autoptr(GPtrArray) from_vaals = NULL;
  g_autoptr(GPtrArray) from_gulpen = NULL;
  g_autoptr(GPtrArray) everything = NULL;
  g_autoptr(GPtrArray) at_gulpen = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  g_autoptr(GPtrArray) dated = NULL;
  g_autoptr(GPtrArray) by_reference = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *wanted = NULL;
  gint64 base = 1790000000;

  configure_units (env);

  add_reviewer (env, "anna");
  anna = unlock_key (env, "anna");
  vaals = kiosk_at (env, "Vaals");
  gulpen = kiosk_at (env, "Gulpen-Wittem");

  from_vaals = upload_many (env, vaals, 200, base);
  from_gulpen = upload_many (env, gulpen, 100, base - 100000);

  everything = list_all (env, anna, "", 50);
  g_assert_cmpuint (everything->len, ==, 300);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = key_of (g_ptr_array_index (i < 200 ? from_vaals : from_gulpen,
                                                                 i < 200 ? i : i - 200));

      g_assert_cmpstr (g_ptr_array_index (everything, i), ==, id);
    }

  at_gulpen = list_all (env, anna, "location=Gulpen-Wittem", 60);
  g_assert_cmpuint (at_gulpen->len, ==, 100);

  for (guint i = 10; i < 13; i++)
    {
      g_autofree char *id = key_of (g_ptr_array_index (from_vaals, i));

      set_state (env, anna, id, "closed", 1, 200);
    }
  closed = list_all (env, anna, "state=closed", 100);
  g_assert_cmpuint (closed->len, ==, 3);
  {
    g_autoptr(GPtrArray) fresh = list_all (env, anna, "state=new&location=Vaals", 100);

    g_assert_cmpuint (fresh->len, ==, 197);
  }

  dated = list_all (env, anna, "from=1790000000&to=1790000050", 20);
  g_assert_cmpuint (dated->len, ==, 50);

  wanted = key_of (g_ptr_array_index (from_gulpen, 42));
  {
    guint8 id[INTAKE_SUBMISSION_ID_BYTES];
    g_autofree char *filter = NULL;

    g_assert_true (intake_hex_decode (wanted + 33, id, sizeof id));
    reference = intake_reference_from_submission_id (id);
    /* As people type it: lower case, no dash. */
    filter = g_strdup_printf ("reference=%.4s%s", reference, reference + 5);
    for (char *p = filter + strlen ("reference="); *p != '\0'; p++)
      *p = g_ascii_tolower (*p);
    by_reference = list_all (env, anna, filter, 10);
  }
  g_assert_cmpuint (by_reference->len, >=, 1);
  g_assert_true (g_ptr_array_find_with_equal_func (by_reference, wanted, g_str_equal, NULL));

  {
    g_autoptr(TestResponse) bad = review_request (env, anna, "GET", "/v1/review/submissions?state=lost", NULL);

    assert_error (bad, 400, "malformed_query");
  }
}

/* ---- Workflow, notes, audit view, client events --------------------------------- */

static GBytes *
seal_note (const IntakeReviewerKey  *key,
           const IntakeOfficePublic *office)
{
  static const char text[] = "{\"note\":\"Gesprek gepland op dinsdag\"}";
  IntakeEnvelopeInfo info = {
    .created_at = g_get_real_time () / G_USEC_PER_SEC,
    .questionnaire_id = "intake-note",
    .questionnaire_version = 1,
  };
  g_autoptr(GError) error = NULL;
  GBytes *note;

  intake_envelope_new_submission_id (info.submission_id);
  note = intake_envelope_seal (office, intake_reviewer_key_get_signing_key (key), &info,
                               (const guint8 *)text, strlen (text), &error);
  g_assert_no_error (error);
  return note;
}

static void
test_workflow_notes_audit (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(IntakeReviewerKey) bob = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *notes_path = NULL;
  g_autofree char *audit_path = NULL;

  configure_units (env);

  add_reviewer (env, "anna");
  add_reviewer (env, "bob");
  anna = unlock_key (env, "anna");
  bob = unlock_key (env, "bob");
  kiosk = test_kiosk_new_enrolled (env->server);
  envelopes = upload_many (env, kiosk, 2, g_get_real_time () / G_USEC_PER_SEC);
  id = key_of (g_ptr_array_index (envelopes, 0));
  path = g_strdup_printf ("/v1/review/submissions/%s", id);
  workflow = g_strdup_printf ("%s/workflow", path);
  notes_path = g_strdup_printf ("%s/notes", path);
  audit_path = g_strdup_printf ("%s/audit", path);

  /* Fetch: the very bytes the kiosk sent, the metadata, no notes yet. */
  {
    g_autoptr(TestResponse) fetched = review_request (env, anna, "GET", path, NULL);
    g_autofree guint8 *bytes = NULL;
    g_autoptr(GBytes) envelope = NULL;
    JsonObject *object;
    gsize len = 0;

    g_assert_cmpuint (fetched->status, ==, 200);
    object = object_of (fetched);
    bytes = g_base64_decode (json_object_get_string_member (object, "envelope"), &len);
    envelope = g_bytes_new (bytes, len);
    g_assert_true (g_bytes_equal (envelope, g_ptr_array_index (envelopes, 0)));
    g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "new");
    g_assert_cmpint (json_object_get_int_member (object, "version"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (object, "location"), ==, "Vaals");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "notes")), ==, 0);
  }

  /* Anna moves it on; Bob, still looking at version 1, is told what happened. */
  {
    g_autoptr(GBytes) body = json_body ("{\"state\": \"in_review\", \"unit\": \"Podium24\", \"expected_version\": 1}");
    g_autoptr(GBytes) stale = json_body ("{\"state\": \"closed\", \"unit\": null, \"expected_version\": 1}");
    g_autoptr(TestResponse) changed = review_request (env, anna, "POST", workflow, body);
    g_autoptr(TestResponse) conflict = review_request (env, bob, "POST", workflow, stale);
    JsonObject *current;

    g_assert_cmpuint (changed->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (object_of (changed), "version"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (object_of (changed), "state"), ==, "in_review");
    assert_error (conflict, 409, "version_conflict");
    current = json_object_get_object_member (object_of (conflict), "current");
    g_assert_cmpstr (json_object_get_string_member (current, "state"), ==, "in_review");
    g_assert_cmpstr (json_object_get_string_member (current, "unit"), ==, "Podium24");
    g_assert_cmpint (json_object_get_int_member (current, "version"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (current, "updated_by"), ==, "anna");
  }

  /* Notes: sealed for the office, signed with the reviewer's own key. */
  {
    g_autoptr(GBytes) note = seal_note (anna, env->server->office);
    g_autofree char *b64 = g_base64_encode (g_bytes_get_data (note, NULL), g_bytes_get_size (note));
    g_autoptr(GBytes) body = json_body ("{\"envelope\": \"%s\", \"expected_version\": 2}", b64);
    g_autoptr(TestResponse) added = review_request (env, anna, "POST", notes_path, body);
    g_autoptr(TestResponse) foreign = NULL;
    g_autoptr(TestResponse) again = NULL;
    g_autoptr(TestResponse) fetched = NULL;
    g_autoptr(GBytes) kiosk_note = test_kiosk_seal (kiosk, env->server->office);
    g_autofree char *kiosk_b64 = g_base64_encode (g_bytes_get_data (kiosk_note, NULL), g_bytes_get_size (kiosk_note));
    g_autoptr(GBytes) foreign_body = json_body ("{\"envelope\": \"%s\", \"expected_version\": 3}", kiosk_b64);
    JsonArray *notes;

    g_assert_cmpuint (added->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (object_of (added), "version"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (object_of (added), "notes"), ==, 1);
    {
      g_autoptr(GBytes) bob_note = seal_note (bob, env->server->office);
      g_autofree char *bob_b64 = g_base64_encode (g_bytes_get_data (bob_note, NULL), g_bytes_get_size (bob_note));
      g_autoptr(GBytes) bob_body = json_body ("{\"envelope\": \"%s\", \"expected_version\": 2}", bob_b64);

      again = review_request (env, bob, "POST", notes_path, bob_body);
      assert_error (again, 409, "version_conflict");
    }
    foreign = review_request (env, anna, "POST", notes_path, foreign_body);
    assert_error (foreign, 400, "bad_note");

    fetched = review_request (env, bob, "GET", path, NULL);
    notes = json_object_get_array_member (object_of (fetched), "notes");
    g_assert_cmpuint (json_array_get_length (notes), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (notes, 0), "reviewer"), ==, "anna");
  }

  /* What only the app witnesses. */
  {
    g_autofree char *object = g_strdup_printf ("%s", id);
    g_autoptr(GBytes) body = json_body ("{\"action\": \"decrypt\", \"object\": \"%s\"}", object);
    g_autoptr(GBytes) bad_body = json_body ("{\"action\": \"delete\", \"object\": \"%s\"}", object);
    g_autoptr(TestResponse) recorded = review_request (env, anna, "POST", "/v1/review/events", body);
    g_autoptr(TestResponse) refused = review_request (env, anna, "POST", "/v1/review/events", bad_body);

    g_assert_cmpuint (recorded->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (object_of (recorded), "seq"), >, 0);
    assert_error (refused, 400, "malformed_body");
  }

  /* The submission's history names who did what. */
  {
    g_autoptr(TestResponse) history = review_request (env, bob, "GET", audit_path, NULL);
    g_autoptr(GPtrArray) events = g_ptr_array_new ();
    JsonArray *array;
    gboolean fetch = FALSE, change = FALSE, conflict = FALSE, note = FALSE, decrypt = FALSE, view = FALSE;

    g_assert_cmpuint (history->status, ==, 200);
    array = json_object_get_array_member (object_of (history), "events");
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *event = json_array_get_object_element (array, i);
        const char *actor = json_object_get_string_member (event, "actor");
        const char *action = json_object_get_string_member (event, "action");
        const char *result = json_object_get_string_member (event, "result");

        g_assert_cmpstr (json_object_get_string_member (event, "object"), ==, id);
        g_assert_cmpstr (json_object_get_string_member (event, "origin"), ==, "127.0.0.1");
        fetch |= g_str_equal (actor, "anna") && g_str_equal (action, "fetch") && g_str_equal (result, "ok");
        change |= g_str_equal (actor, "anna") && g_str_equal (action, "state_change") && g_str_equal (result, "ok");
        conflict |= g_str_equal (actor, "bob") && g_str_equal (action, "state_change") && g_str_equal (result, "conflict");
        note |= g_str_equal (actor, "anna") && g_str_equal (action, "note") && g_str_equal (result, "ok");
        decrypt |= g_str_equal (actor, "anna") && g_str_equal (action, "decrypt");
        view |= g_str_equal (actor, "bob") && g_str_equal (action, "audit_view");
      }
    g_assert_true (fetch && change && conflict && note && decrypt && view);
  }

  {
    g_autofree char *unknown = g_strdup_printf ("/v1/review/submissions/%032x", 7);
    g_autoptr(TestResponse) missing = review_request (env, anna, "GET", unknown, NULL);

    assert_error (missing, 404, "not_found");
  }
}

/* ---- Questionnaires and help requests --------------------------------------------- */

/* ---- The queue -------------------------------------------------------------- */

/* The keys of one page of @path_and_query, and its cursors. */
static GPtrArray *
page_keys (Env                     *env,
           const IntakeReviewerKey *key,
           const char              *path_and_query,
           gint64                  *out_next_after,
           gint64                  *out_next_before)
{
  g_autoptr(TestResponse) response = review_request (env, key, "GET", path_and_query, NULL);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  JsonArray *items;
  JsonNode *node;

  g_assert_cmpuint (response->status, ==, 200);
  items = json_object_get_array_member (object_of (response), "submissions");
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_ptr_array_add (keys, g_strdup (json_object_get_string_member (json_array_get_object_element (items, i), "key")));
  node = json_object_get_member (object_of (response), "next_after");
  if (out_next_after != NULL)
    *out_next_after = JSON_NODE_HOLDS_NULL (node) ? -1 : json_node_get_int (node);
  node = json_object_get_member (object_of (response), "next_before");
  g_assert_nonnull (node);
  if (out_next_before != NULL)
    *out_next_before = JSON_NODE_HOLDS_NULL (node) ? -1 : json_node_get_int (node);
  return keys;
}

static TestResponse *
change (Env                     *env,
        const IntakeReviewerKey *key,
        const char              *submission,
        const char              *body_json)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission);
  g_autoptr(GBytes) body = json_body ("%s", body_json);

  return review_request (env, key, "POST", path, body);
}

static JsonObject *
counts_of (Env                     *env,
           const IntakeReviewerKey *key,
           const char              *query,
           TestResponse           **out_response)
{
  g_autofree char *path = g_strconcat ("/v1/review/counts", query, NULL);

  *out_response = review_request (env, key, "GET", path, NULL);
  g_assert_cmpuint ((*out_response)->status, ==, 200);
  return object_of (*out_response);
}

static gint64
state_count (JsonObject *counts,
             const char *state)
{
  return json_object_get_int_member (json_object_get_object_member (counts, "states"), state);
}

/* docs/protocol.md, "The queue": newest first, the todo and mine views,
 * counts without audit rows, the change clock, assignment and appointments,
 * the office's units. */
static void
test_queue (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL, bob = NULL, privacy = NULL, heerlen = NULL;
  g_autoptr(TestKiosk) vaals = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  const char *only_heerlen[] = { "--location", "Heerlen", NULL };
  gint64 base = g_get_real_time () / G_USEC_PER_SEC - 10 * 24 * 3600;
  gint64 changes_before, audit_rows;

  configure_units (env);

  add_reviewer (env, "anna");
  add_reviewer_with (env, "bob", "caseworker", NULL);
  add_reviewer_with (env, "pia", "privacy_officer", NULL);
  add_reviewer_with (env, "hein", "caseworker", only_heerlen);
  anna = unlock_key (env, "anna");
  bob = unlock_key (env, "bob");
  privacy = unlock_key (env, "pia");
  heerlen = unlock_key (env, "hein");
  vaals = kiosk_at (env, "Vaals");
  envelopes = upload_many (env, vaals, 25, base);
  for (guint i = 0; i < envelopes->len; i++)
    g_ptr_array_add (keys, key_of (g_ptr_array_index (envelopes, i)));

  /* Newest first, page by page with before; the same rows as oldest first, reversed. */
  {
    g_autoptr(GPtrArray) newest = g_ptr_array_new_with_free_func (g_free);
    gint64 before = 0, next_after = 0;

    for (guint pages = 0; pages < 10; pages++)
      {
        g_autofree char *path = before > 0 ? g_strdup_printf ("/v1/review/submissions?order=desc&limit=10&before=%"
                                                              G_GINT64_FORMAT, before)
                                           : g_strdup ("/v1/review/submissions?order=desc&limit=10");
        g_autoptr(GPtrArray) page = page_keys (env, anna, path, &next_after, &before);

        g_assert_cmpint (next_after, ==, -1);
        for (guint i = 0; i < page->len; i++)
          g_ptr_array_add (newest, g_strdup (page->pdata[i]));
        if (before < 0)
          break;
      }
    g_assert_cmpuint (newest->len, ==, 25);
    for (guint i = 0; i < 25; i++)
      g_assert_cmpstr (newest->pdata[i], ==, keys->pdata[24 - i]);
  }
  {
    g_autoptr(TestResponse) mixed = review_request (env, anna, "GET", "/v1/review/submissions?order=desc&after=3", NULL);
    g_autoptr(TestResponse) sideways = review_request (env, anna, "GET", "/v1/review/submissions?order=up", NULL);
    g_autoptr(TestResponse) view = review_request (env, anna, "GET", "/v1/review/submissions?view=yours", NULL);

    assert_error (mixed, 400, "malformed_query");
    assert_error (sideways, 400, "malformed_query");
    assert_error (view, 400, "malformed_query");
  }

  /* The office's units, as intake-admin set them up for this test. */
  {
    g_autoptr(TestResponse) units = review_request (env, bob, "GET", "/v1/review/units", NULL);
    JsonArray *list;

    g_assert_cmpuint (units->status, ==, 200);
    list = json_object_get_array_member (object_of (units), "units");
    g_assert_cmpuint (json_array_get_length (list), ==, 4);
    g_assert_cmpstr (json_array_get_string_element (list, 0), ==, "Team Vaals");
    g_assert_cmpstr (json_array_get_string_element (list, 2), ==, "Team Werk");
  }

  /* Counts: 25 new, nothing mine; and polling them writes no audit row. */
  audit_rows = all_events (env, NULL)->len;
  {
    g_autoptr(TestResponse) response = NULL;
    JsonObject *counts = counts_of (env, anna, "", &response);
    g_autoptr(GPtrArray) events = NULL;

    g_assert_cmpint (json_object_get_int_member (counts, "total"), ==, 25);
    g_assert_cmpint (state_count (counts, "new"), ==, 25);
    g_assert_cmpint (state_count (counts, "closed"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (counts, "todo"), ==, 25);
    g_assert_cmpint (json_object_get_int_member (counts, "mine"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (counts, "changes"), ==, 0);
    changes_before = json_object_get_int_member (counts, "changes");
    {
      g_autoptr(TestResponse) last = review_request (env, anna, "GET", "/v1/review/submissions?order=desc&limit=1",
                                                     NULL);
      JsonObject *newest = json_array_get_object_element (json_object_get_array_member (object_of (last),
                                                                                         "submissions"), 0);

      g_assert_cmpint (json_object_get_int_member (counts, "latest_seq"), ==,
                       json_object_get_int_member (newest, "seq"));
    }
    events = all_events (env, NULL);
    /* The one list request above, nothing for the counts. */
    g_assert_cmpuint (events->len, ==, audit_rows + 1);
  }

  /* Anna assigns one to Bob, with a unit and a planned conversation; Bob's
   * queue has it as his, Anna's no longer. */
  {
    g_autoptr(TestResponse) assigned = change (env, anna, keys->pdata[3],
                                               "{\"state\": \"conversation_planned\", \"unit\": \"Team Werk\", "
                                               "\"assignee\": \"bob\", \"appointment_at\": 1800000000, "
                                               "\"expected_version\": 1}");
    JsonObject *object;
    g_autoptr(GPtrArray) bobs = NULL;
    g_autoptr(GPtrArray) annas = NULL;
    g_autoptr(GPtrArray) mine = NULL;
    g_autoptr(GPtrArray) events = all_events (env, keys->pdata[3]);
    const IntakeAuditEvent *last = g_ptr_array_index (events, events->len - 1);

    g_assert_cmpuint (assigned->status, ==, 200);
    object = object_of (assigned);
    g_assert_cmpstr (json_object_get_string_member (object, "assignee"), ==, "bob");
    g_assert_cmpint (json_object_get_int_member (object, "appointment_at"), ==, 1800000000);
    /* The change's clock is its own audit event's seq. */
    g_assert_cmpstr (last->action, ==, "state_change");
    g_assert_cmpint (json_object_get_int_member (object, "change_seq"), ==, last->seq);

    bobs = page_keys (env, bob, "/v1/review/submissions?view=todo&limit=100", NULL, NULL);
    annas = page_keys (env, anna, "/v1/review/submissions?view=todo&limit=100", NULL, NULL);
    mine = page_keys (env, bob, "/v1/review/submissions?view=mine&order=desc", NULL, NULL);
    g_assert_cmpuint (bobs->len, ==, 25);
    g_assert_cmpuint (annas->len, ==, 24);
    g_assert_false (g_ptr_array_find_with_equal_func (annas, keys->pdata[3], g_str_equal, NULL));
    g_assert_cmpuint (mine->len, ==, 1);
    g_assert_cmpstr (mine->pdata[0], ==, keys->pdata[3]);
  }

  /* A workflow change without assignee and appointment keeps them; null clears. */
  {
    g_autoptr(TestResponse) kept = change (env, bob, keys->pdata[3],
                                           "{\"state\": \"in_review\", \"unit\": \"Team Werk\", \"expected_version\": 2}");
    g_autoptr(TestResponse) cleared = NULL;

    g_assert_cmpuint (kept->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (object_of (kept), "assignee"), ==, "bob");
    g_assert_cmpint (json_object_get_int_member (object_of (kept), "appointment_at"), ==, 1800000000);
    cleared = change (env, bob, keys->pdata[3], "{\"state\": \"in_review\", \"unit\": \"Team Werk\", "
                                                "\"appointment_at\": null, \"expected_version\": 3}");
    g_assert_cmpuint (cleared->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (object_of (cleared), "appointment_at"), ==, 0);
    g_assert_cmpstr (json_object_get_string_member (object_of (cleared), "assignee"), ==, "bob");
  }

  /* Who can take a submission: caseworkers and team leads whose scope covers it. */
  {
    g_autoptr(TestResponse) nobody = change (env, anna, keys->pdata[4], "{\"state\": \"in_review\", \"unit\": null, "
                                                                        "\"assignee\": \"niemand\", \"expected_version\": 1}");
    g_autoptr(TestResponse) reader = change (env, anna, keys->pdata[4], "{\"state\": \"in_review\", \"unit\": null, "
                                                                        "\"assignee\": \"pia\", \"expected_version\": 1}");
    g_autoptr(TestResponse) elsewhere = change (env, anna, keys->pdata[4], "{\"state\": \"in_review\", \"unit\": null, "
                                                                           "\"assignee\": \"hein\", \"expected_version\": 1}");
    g_autoptr(TestResponse) typo = change (env, anna, keys->pdata[4], "{\"state\": \"in_review\", \"unit\": \"Team Wrek\", "
                                                                      "\"expected_version\": 1}");
    g_autoptr(TestResponse) list = review_request (env, anna, "GET", "/v1/review/assignees", NULL);
    g_autoptr(TestResponse) not_allowed = review_request (env, privacy, "GET", "/v1/review/assignees", NULL);
    JsonArray *names;
    g_autoptr(GString) joined = g_string_new (NULL);

    assert_error (nobody, 400, "bad_assignee");
    assert_error (reader, 400, "bad_assignee");
    assert_error (elsewhere, 400, "bad_assignee");
    assert_error (typo, 400, "unknown_unit");
    assert_error (not_allowed, 403, "role_required");
    g_assert_cmpuint (list->status, ==, 200);
    names = json_object_get_array_member (object_of (list), "assignees");
    for (guint i = 0; i < json_array_get_length (names); i++)
      g_string_append_printf (joined, "%s;", json_object_get_string_member (json_array_get_object_element (names, i),
                                                                             "name"));
    g_assert_cmpstr (joined->str, ==, "anna;bob;hein;");
    g_assert_true (has_event (all_events (env, "assignees"), "anna", "assignee_list", "ok"));
  }

  /* The clock moved; changed_after lists exactly what changed since. */
  {
    g_autoptr(TestResponse) response = NULL;
    JsonObject *counts = counts_of (env, anna, "", &response);
    g_autofree char *path = g_strdup_printf ("/v1/review/submissions?changed_after=%" G_GINT64_FORMAT, changes_before);
    g_autoptr(GPtrArray) changed = page_keys (env, anna, path, NULL, NULL);

    g_assert_cmpint (json_object_get_int_member (counts, "changes"), >, changes_before);
    g_assert_cmpint (state_count (counts, "new"), ==, 24);
    g_assert_cmpint (state_count (counts, "in_review"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (counts, "todo"), ==, 24);
    g_assert_cmpuint (changed->len, ==, 1);
    g_assert_cmpstr (changed->pdata[0], ==, keys->pdata[3]);
    {
      g_autoptr(TestResponse) bobs_response = NULL;
      JsonObject *bobs = counts_of (env, bob, "", &bobs_response);
      JsonArray *units = json_object_get_array_member (bobs, "units");
      gboolean found = FALSE;

      g_assert_cmpint (json_object_get_int_member (bobs, "mine"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (bobs, "todo"), ==, 25);
      for (guint i = 0; i < json_array_get_length (units); i++)
        {
          JsonObject *cell = json_array_get_object_element (units, i);

          found |= g_str_equal (json_object_get_string_member (cell, "unit"), "Team Werk") &&
                   g_str_equal (json_object_get_string_member (cell, "state"), "in_review") &&
                   json_object_get_int_member (cell, "count") == 1;
        }
      g_assert_true (found);
    }
    /* Out of the reviewer's scope counts nothing. */
    {
      g_autoptr(TestResponse) none_response = NULL;
      JsonObject *none = counts_of (env, heerlen, "", &none_response);

      g_assert_cmpint (json_object_get_int_member (none, "total"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (none, "latest_seq"), ==, 0);
    }
  }

  /* A unit taken off the list stays valid where it is set; new assignments refuse it. */
  {
    const char *remove[] = { "units", "remove", "Team Werk", NULL };
    const char *list[] = { "units", "list", NULL };
    g_autofree char *out = NULL;
    g_autoptr(TestResponse) kept = NULL;
    g_autoptr(TestResponse) refused = NULL;

    g_assert_cmpint (test_admin (env->server, remove, 2, NULL, NULL), ==, 0);
    g_assert_cmpint (test_admin (env->server, list, 2, &out, NULL), ==, 0);
    g_assert_cmpstr (out, ==, "Team Vaals\nPodium24\nTeam Zorg\n");
    kept = change (env, bob, keys->pdata[3], "{\"state\": \"needs_follow_up\", \"unit\": \"Team Werk\", "
                                             "\"expected_version\": 4}");
    g_assert_cmpuint (kept->status, ==, 200);
    refused = change (env, bob, keys->pdata[5], "{\"state\": \"in_review\", \"unit\": \"Team Werk\", "
                                                "\"expected_version\": 1}");
    assert_error (refused, 400, "unknown_unit");
    g_assert_true (has_event (all_events (env, "remove Team Werk"), "admin", "units_change", "ok"));
  }

  /* The team lead's figures, from metadata, one audit row; not for a caseworker. */
  {
    g_autoptr(TestResponse) stats = NULL;
    g_autoptr(TestResponse) refused = review_request (env, bob, "GET", "/v1/review/stats", NULL);
    g_autoptr(GPtrArray) before = all_events (env, NULL);
    g_autoptr(GPtrArray) after = NULL;
    JsonObject *object;
    JsonArray *waiting, *weeks;
    gint64 in_weeks = 0;

    assert_error (refused, 403, "role_required");
    stats = review_request (env, anna, "GET", "/v1/review/stats?location=Vaals", NULL);
    g_assert_cmpuint (stats->status, ==, 200);
    after = all_events (env, NULL);
    g_assert_cmpuint (after->len, ==, before->len + 1);
    g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (after, after->len - 1))->action, ==, "dashboard");
    object = object_of (stats);
    g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 25);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "states"), "needs_follow_up"),
                     ==, 1);
    waiting = json_object_get_array_member (object, "waiting");
    g_assert_cmpuint (json_array_get_length (waiting), ==, 4);
    {
      JsonObject *first = json_array_get_object_element (waiting, 0);

      g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "new");
      g_assert_cmpint (json_object_get_int_member (first, "count"), ==, 24);
      /* Made ten days ago (give or take the seconds the uploads took). */
      g_assert_cmpint (json_object_get_int_member (first, "median_days"), >=, 9);
      g_assert_cmpint (json_object_get_int_member (first, "longest_days"), <=, 10);
    }
    weeks = json_object_get_array_member (object, "weeks");
    for (guint i = 0; i < json_array_get_length (weeks); i++)
      {
        JsonObject *week = json_array_get_object_element (weeks, i);

        g_assert_cmpstr (json_object_get_string_member (week, "location"), ==, "Vaals");
        g_assert_true (g_regex_match_simple ("^\\d{4}-W\\d{2}$", json_object_get_string_member (week, "week"), 0, 0));
        in_weeks += json_object_get_int_member (week, "count");
      }
    g_assert_cmpint (in_weeks, ==, 25);
  }
}

static void
test_questionnaires_and_help (void)
{
  g_autoptr(TestServer) probe = NULL;
  g_autoptr(Env) env = NULL;
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autofree char *source = intake_test_data_path ("questionnaire-valid.json");
  g_autofree char *signed_path = NULL;
  const char *serve[3] = { "--questionnaire", NULL, NULL };
  gint64 today = g_get_real_time () / G_USEC_PER_SEC;

  /* The signed file needs the office key the server is started with. */
  {
    g_autoptr(GError) error = NULL;
    TestServer *server = test_server_new (TRUE);
    const char *argv[7 + 5];

    signed_path = g_build_filename (server->dir, "questionnaire.signed.json", NULL);
    argv[0] = test_server_admin_path (); argv[1] = "questionnaire"; argv[2] = "sign"; argv[3] = source;
    argv[4] = "--office"; argv[5] = server->office_dir; argv[6] = "--passphrase-file";
    argv[7] = server->passphrase_file; argv[8] = "--out"; argv[9] = signed_path; argv[10] = NULL;
    g_assert_cmpint (intake_test_run (argv, NULL, NULL, NULL), ==, 0);
    serve[1] = signed_path;
    g_assert_true (test_server_start (server, serve, NULL));
    env = g_new0 (Env, 1);
    env->server = server;
    env->reviewer_passphrase_file = g_build_filename (server->dir, "reviewer-passphrase", NULL);
    intake_test_write_file (env->reviewer_passphrase_file, REVIEWER_PASSPHRASE "\n");
  }
  add_reviewer (env, "anna");
  anna = unlock_key (env, "anna");

  {
    g_autoptr(TestResponse) response = review_request (env, anna, "GET", "/v1/review/questionnaires", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *canonical = NULL;
    g_autofree guint8 *signature = NULL;
    g_autoptr(GBytes) canonical_bytes = NULL;
    JsonArray *list;
    JsonObject *first;
    gsize len = 0, sig_len = 0;

    g_assert_cmpuint (response->status, ==, 200);
    list = json_object_get_array_member (object_of (response), "questionnaires");
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    first = json_array_get_object_element (list, 0);
    canonical = g_base64_decode (json_object_get_string_member (first, "canonical"), &len);
    signature = g_base64_decode (json_object_get_string_member (first, "signature"), &sig_len);
    g_assert_cmpuint (sig_len, ==, INTAKE_SIGNATURE_BYTES);
    canonical_bytes = g_bytes_new (canonical, len);
    g_assert_true (intake_office_public_verify (env->server->office, "questionnaire", canonical_bytes, signature, &error));
    g_assert_no_error (error);
  }

  kiosk = test_kiosk_new_enrolled (env->server);
  {
    g_autoptr(GBytes) body = json_body ("{\"requests\": [{\"id\": 1, \"created_at\": %" G_GINT64_FORMAT ", \"language\": \"ar\"},"
                                        " {\"id\": 2, \"created_at\": %" G_GINT64_FORMAT ", \"language\": \"ar\"},"
                                        " {\"id\": 3, \"created_at\": %" G_GINT64_FORMAT ", \"language\": \"ti\"}]}",
                                        today, today, today);
    g_autoptr(TestResponse) first = test_kiosk_request (kiosk, env->server, "POST", "/v1/help-requests", body, 0);
    g_autoptr(TestResponse) again = test_kiosk_request (kiosk, env->server, "POST", "/v1/help-requests", body, 0);
    g_autoptr(GBytes) bad = json_body ("{\"requests\": [{\"created_at\": \"now\"}]}");
    g_autoptr(TestResponse) refused = test_kiosk_request (kiosk, env->server, "POST", "/v1/help-requests", bad, 0);

    g_assert_cmpuint (first->status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (object_of (first), "stored"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (object_of (again), "duplicate"), ==, 3);
    assert_error (refused, 400, "malformed_body");
  }
  {
    g_autofree char *query = g_strdup_printf ("/v1/review/help-requests?from=%" G_GINT64_FORMAT "&to=%" G_GINT64_FORMAT,
                                              today - 86400, today + 86400);
    g_autoptr(TestResponse) listed = review_request (env, anna, "GET", query, NULL);
    JsonArray *rows;
    gint64 ar = 0, ti = 0;

    g_assert_cmpuint (listed->status, ==, 200);
    rows = json_object_get_array_member (object_of (listed), "help_requests");
    for (guint i = 0; i < json_array_get_length (rows); i++)
      {
        JsonObject *row = json_array_get_object_element (rows, i);

        g_assert_cmpstr (json_object_get_string_member (row, "location"), ==, "Vaals");
        g_assert_false (json_object_has_member (row, "device_id"));
        if (g_str_equal (json_object_get_string_member (row, "language"), "ar"))
          ar += json_object_get_int_member (row, "count");
        else
          ti += json_object_get_int_member (row, "count");
      }
    g_assert_cmpint (ar, ==, 2);
    g_assert_cmpint (ti, ==, 1);
  }
  (void)probe;
}

/* ---- intake-admin audit verify on the real log, then tampered copies ---------------- */

static void
exec_sql (const char *data_dir,
          const char *conninfo,
          const char *sql)
{
  if (conninfo != NULL)
    {
      PGconn *conn = PQconnectdb (conninfo);
      PGresult *res;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      res = PQexec (conn, sql);
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        g_error ("%s: %s", sql, PQerrorMessage (conn));
      PQclear (res);
      PQfinish (conn);
    }
  else
    {
      g_autofree char *path = g_build_filename (data_dir, "intake.db", NULL);
      sqlite3 *db = NULL;
      char *message = NULL;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
        g_error ("%s: %s", sql, message);
      sqlite3_close (db);
    }
}

/* A fresh copy of the (stopped) server's store; returns its intake-admin options. */
static void
copy_store (Env         *env,
            const char  *name,
            char       **out_data_dir,
            char       **out_conninfo)
{
  *out_data_dir = NULL;
  *out_conninfo = NULL;
  if (env->server->conninfo != NULL)
    {
      const char *dbname = g_strrstr (env->server->conninfo, " dbname=") + strlen (" dbname=");
      g_autofree char *copy = g_strdup_printf ("%s_%s", dbname, name);
      g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", copy, dbname);

      exec_sql (NULL, g_getenv ("INTAKE_TEST_POSTGRES"), sql);
      *out_conninfo = g_strdup_printf ("%s dbname=%s", g_getenv ("INTAKE_TEST_POSTGRES"), copy);
    }
  else
    {
      g_autofree char *from = g_build_filename (env->server->data_dir, "intake.db", NULL);
      g_autofree char *dir = g_build_filename (env->server->dir, name, NULL);
      g_autofree char *to = g_build_filename (dir, "intake.db", NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (to, contents, (gssize)len, NULL));
      *out_data_dir = g_steal_pointer (&dir);
    }
}

static int
audit_verify (const char  *data_dir,
              const char  *conninfo,
              char       **out_stdout,
              char       **out_stderr)
{
  const char *argv[] = { test_server_admin_path (), "audit", "verify", conninfo != NULL ? "--postgres" : "--data",
                         conninfo != NULL ? conninfo : data_dir, NULL };

  return intake_test_run (argv, NULL, out_stdout, out_stderr);
}

static void
assert_tamper_caught (Env        *env,
                      const char *name,
                      const char *sql,
                      const char *expected)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  copy_store (env, name, &data_dir, &conninfo);
  exec_sql (data_dir, conninfo, sql);
  g_assert_cmpint (audit_verify (data_dir, conninfo, &out, &err), ==, 1);
  if (strstr (err, expected) == NULL)
    g_error ("expected \"%s\" in: %s", expected, err);
}

static void
test_audit_verify (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = NULL;

  add_reviewer (env, "anna");
  anna = unlock_key (env, "anna");
  kiosk = test_kiosk_new_enrolled (env->server);
  envelopes = upload_many (env, kiosk, 3, g_get_real_time () / G_USEC_PER_SEC);
  for (guint i = 0; i < envelopes->len; i++)
    {
      g_autofree char *id = key_of (g_ptr_array_index (envelopes, i));
      g_autofree char *fetch = g_strdup_printf ("/v1/review/submissions/%s", id);
      g_autoptr(TestResponse) response = review_request (env, anna, "GET", fetch, NULL);

      g_assert_cmpuint (response->status, ==, 200);
    }
  test_server_stop (env->server);

  g_assert_cmpint (audit_verify (env->server->data_dir, env->server->conninfo, &out, &err), ==, 0);
  /* reviewer add, activation_open, reviewer_activate, unlock, enroll-code, three fetches */
  g_assert_true (g_str_has_prefix (out, "audit chain intact: 8 events, head 8 "));

  assert_tamper_caught (env, "edited", "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
                        "broken at seq 3: edited");
  assert_tamper_caught (env, "deleted", "DELETE FROM audit_log WHERE seq = 3", "broken at seq 3: deleted");
  assert_tamper_caught (env, "inserted",
                        "UPDATE audit_log SET seq = -seq WHERE seq >= 3;"
                        "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0;"
                        "INSERT INTO audit_log (seq, time, actor, action, object, result, origin, prev, hash)"
                        " SELECT 3, time, 'mallory', 'fetch', 'x', 'ok', 'cli', hash,"
                        " 'ab00000000000000000000000000000000000000000000000000000000000000'"
                        " FROM audit_log WHERE seq = 2",
                        "broken at seq 3: inserted");
  assert_tamper_caught (env, "truncated", "DELETE FROM audit_log WHERE seq = 8", "broken at seq 8: deleted");
  (void)path;
}

/* ---- Replay ----------------------------------------------------------------------- */

static guint
count_events (Env        *env,
              const char *action,
              const char *object)
{
  g_autoptr(GPtrArray) events = all_events (env, NULL);
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->action, action) && g_str_equal (event->object, object))
        n++;
    }
  return n;
}

/* A captured reviewer request sent again is refused, on this server and on
 * another instance over the same store, and adds no audit row. */
static void
test_replay_reviewer (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) anna = NULL;
  g_autoptr(TestServer) second = NULL;
  g_autoptr(GBytes) body = json_body ("{\"action\": \"view\", \"object\": \"replay-me\"}");
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(TestResponse) first = NULL;

  add_reviewer (env, "anna");
  anna = unlock_key (env, "anna");
  msg = review_message_new (env, anna, "POST", "/v1/review/events", body, 0);
  first = test_send (env->server->session, msg);
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (count_events (env, "view", "replay-me"), ==, 1);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SoupMessage) again = test_message_copy_to (msg, env->server, body);
      g_autoptr(TestResponse) response = test_send (env->server->session, again);

      assert_error (response, 401, "replayed_request");
    }
  second = test_server_new_instance (env->server);
  g_assert_true (test_server_start (second, NULL, NULL));
  {
    g_autoptr(SoupMessage) again = test_message_copy_to (msg, second, body);
    g_autoptr(TestResponse) response = test_send (second->session, again);

    assert_error (response, 401, "replayed_request");
  }
  /* One event, however often it was replayed; the replays are only counted. */
  g_assert_cmpuint (count_events (env, "view", "replay-me"), ==, 1);
  g_assert_cmpint (test_server_metric (env->server, "intake_requests_replayed_total"), ==, 3);
  test_server_stop (second);
}

/* ---- Roles and scope -------------------------------------------------------------- */

static void
expect (Env                     *env,
        const IntakeReviewerKey *key,
        const char              *method,
        const char              *path,
        const char              *body_text,
        guint                    status)
{
  g_autoptr(GBytes) body = body_text != NULL ? g_bytes_new (body_text, strlen (body_text)) : NULL;
  g_autoptr(TestResponse) response = review_request (env, key, method, path, body);

  if (response->status != status)
    g_error ("%s %s: %u, expected %u (%s)", method, path, response->status, status,
             response->body != NULL ? (const char *) g_bytes_get_data (response->body, NULL) : "");
  if (status == 403)
    g_assert_cmpstr (test_response_error_code (response), ==, "role_required");
}

/* What each role may do, enforced by the server (intake-roles.c). */
static void
test_roles (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) cw = NULL, lead = NULL, privacy = NULL, root = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fetch = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *history = NULL;
  g_autofree char *revoke = NULL;
  const char *dashboard_event = "{\"action\": \"dashboard\", \"object\": \"/v1/review/submissions\"}";
  guint refusals = 0;

  add_reviewer_with (env, "cw", "caseworker", NULL);
  add_reviewer_with (env, "lead", "team_lead", NULL);
  add_reviewer_with (env, "privacy", "privacy_officer", NULL);
  add_reviewer_with (env, "root", "administrator", NULL);
  cw = unlock_key (env, "cw");
  lead = unlock_key (env, "lead");
  privacy = unlock_key (env, "privacy");
  root = unlock_key (env, "root");
  kiosk = test_kiosk_new_enrolled (env->server);
  envelopes = upload_many (env, kiosk, 1, g_get_real_time () / G_USEC_PER_SEC);
  key = key_of (g_ptr_array_index (envelopes, 0));
  fetch = g_strdup_printf ("/v1/review/submissions/%s", key);
  workflow = g_strdup_printf ("%s/workflow", fetch);
  history = g_strdup_printf ("%s/audit", fetch);
  revoke = g_strdup_printf ("{\"device_id\": \"%s\"}", kiosk->device_id);

  /* The unlock answer names the roles (the app hides what they do not allow). */
  {
    g_autoptr(IntakeWorkstationKey) workstation = load_workstation (env, "lead");
    g_autoptr(TestResponse) unlocked = unlock_as (env->server, "lead", REVIEWER_PASSPHRASE, workstation, NULL);
    JsonArray *roles = json_object_get_array_member (object_of (unlocked), "roles");

    g_assert_cmpuint (json_array_get_length (roles), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (roles, 0), ==, "team_lead");
    g_assert_true (json_object_get_null_member (object_of (unlocked), "locations"));
  }

  /* Reading: caseworkers, team leads and the privacy officer (subject access). */
  expect (env, cw, "GET", "/v1/review/submissions", NULL, 200);
  expect (env, lead, "GET", "/v1/review/submissions", NULL, 200);
  expect (env, privacy, "GET", fetch, NULL, 200);
  expect (env, root, "GET", "/v1/review/submissions", NULL, 403);
  expect (env, root, "GET", fetch, NULL, 403);
  /* Workflow and notes: caseworkers and team leads. */
  expect (env, cw, "POST", workflow, "{\"state\": \"in_review\", \"unit\": null, \"expected_version\": 1}", 200);
  expect (env, privacy, "POST", workflow, "{\"state\": \"closed\", \"unit\": null, \"expected_version\": 2}", 403);
  /* The dashboard: team leads. */
  expect (env, cw, "GET", "/v1/review/help-requests", NULL, 403);
  expect (env, lead, "GET", "/v1/review/help-requests", NULL, 200);
  expect (env, cw, "POST", "/v1/review/events", dashboard_event, 403);
  expect (env, lead, "POST", "/v1/review/events", dashboard_event, 200);
  /* The audit log and access histories: the privacy officer. */
  expect (env, cw, "GET", history, NULL, 403);
  expect (env, privacy, "GET", history, NULL, 200);
  expect (env, lead, "GET", "/v1/review/audit", NULL, 403);
  expect (env, privacy, "GET", "/v1/review/audit?after=0&limit=5", NULL, 200);
  /* Reviewers and devices: the administrator, and only them. */
  expect (env, cw, "GET", "/v1/review/reviewers", NULL, 403);
  expect (env, privacy, "GET", "/v1/review/devices", NULL, 403);
  expect (env, root, "GET", "/v1/review/reviewers", NULL, 200);
  expect (env, lead, "POST", "/v1/review/devices/revoke", revoke, 403);
  expect (env, root, "POST", "/v1/review/devices/revoke", revoke, 200);
  {
    g_autoptr(TestResponse) revoked = test_kiosk_upload (kiosk, env->server, envelopes);

    assert_error (revoked, 403, "device_revoked");
  }
  /* Any reviewer may change their own passphrase: that route needs no role
   * (it fails here on its body, not on a role). */
  {
    g_autoptr(GBytes) body = json_body ("{}");
    g_autoptr(TestResponse) response = review_request (env, root, "POST", "/v1/review/passphrase", body);

    assert_error (response, 400, "malformed_body");
  }

  /* Every refusal is an audit event of its reviewer. */
  events = all_events (env, NULL);
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (((IntakeAuditEvent *)g_ptr_array_index (events, i))->result, "denied:role_required"))
      refusals++;
  g_assert_cmpuint (refusals, ==, 10);
  g_assert_true (has_event (events, "root", "list", "denied:role_required"));
  g_assert_true (has_event (events, "root", "device_revoke", "ok"));
  g_assert_true (has_event (events, "privacy", "audit_view", "ok"));
}

static GPtrArray *
listed_keys (Env                     *env,
             const IntakeReviewerKey *key,
             const char              *query)
{
  g_autoptr(GPtrArray) ids = list_all (env, key, query, 100);

  return g_steal_pointer (&ids);
}

static gboolean
contains (GPtrArray  *keys,
          const char *key)
{
  return g_ptr_array_find_with_equal_func (keys, key, g_str_equal, NULL);
}

/* A reviewer limited to locations or units sees and changes only those. */
static void
test_scope (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) all = NULL, vaals = NULL, werk = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const char *only_vaals[] = { "--location", "Vaals", NULL };
  const char *only_werk[] = { "--unit", "Team Werk", NULL };
  char *v[2], *g[2];

  configure_units (env);

  add_reviewer_with (env, "all", "caseworker", NULL);
  add_reviewer_with (env, "vaals", "caseworker", only_vaals);
  add_reviewer_with (env, "werk", "caseworker", only_werk);
  all = unlock_key (env, "all");
  vaals = unlock_key (env, "vaals");
  werk = unlock_key (env, "werk");
  upload_at (env, "Vaals", 2, v);
  upload_at (env, "Gulpen-Wittem", 2, g);

  /* Locations: the list holds only Vaals; Gulpen is out of scope, by filter or by key. */
  {
    g_autoptr(GPtrArray) keys = listed_keys (env, vaals, "");
    g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s", g[0]);
    g_autoptr(TestResponse) filtered = review_request (env, vaals, "GET",
                                                       "/v1/review/submissions?location=Gulpen-Wittem", NULL);
    g_autoptr(TestResponse) fetched = review_request (env, vaals, "GET", path, NULL);

    g_assert_cmpuint (keys->len, ==, 2);
    g_assert_true (contains (keys, v[0]) && contains (keys, v[1]));
    assert_error (filtered, 403, "out_of_scope");
    assert_error (fetched, 403, "out_of_scope");
  }

  /* Units: unassigned submissions (to pick up) and their own unit's. */
  set_state (env, all, v[0], "in_review", 1, 200);                 /* unit Team Vaals */
  {
    g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", v[1]);
    g_autoptr(GBytes) body = json_body ("{\"state\": \"in_review\", \"unit\": \"Team Werk\", \"expected_version\": 1}");
    g_autoptr(TestResponse) response = review_request (env, all, "POST", path, body);

    g_assert_cmpuint (response->status, ==, 200);
  }
  {
    g_autoptr(GPtrArray) keys = listed_keys (env, werk, "");
    g_autofree char *other_unit = g_strdup_printf ("/v1/review/submissions/%s", v[0]);
    g_autofree char *assign = g_strdup_printf ("/v1/review/submissions/%s/workflow", g[0]);
    g_autoptr(GBytes) elsewhere = json_body ("{\"state\": \"in_review\", \"unit\": \"Team Zorg\", \"expected_version\": 1}");
    g_autoptr(GBytes) own = json_body ("{\"state\": \"in_review\", \"unit\": \"Team Werk\", \"expected_version\": 1}");
    g_autoptr(TestResponse) fetched = review_request (env, werk, "GET", other_unit, NULL);
    g_autoptr(TestResponse) refused = review_request (env, werk, "POST", assign, elsewhere);
    g_autoptr(TestResponse) taken = review_request (env, werk, "POST", assign, own);

    g_assert_cmpuint (keys->len, ==, 3);
    g_assert_true (contains (keys, v[1]) && contains (keys, g[0]) && contains (keys, g[1]));
    g_assert_false (contains (keys, v[0]));
    assert_error (fetched, 403, "out_of_scope");
    assert_error (refused, 403, "unit_out_of_scope");
    g_assert_cmpuint (taken->status, ==, 200);
  }

  /* The administrator changes the scope: effective on the next request. */
  {
    const char *args[] = { "reviewer", "set", "--name", "vaals", "--roles", "caseworker", "--location", "Gulpen-Wittem",
                           NULL };
    g_autoptr(GPtrArray) keys = NULL;

    g_assert_cmpint (test_admin (env->server, args, 2, NULL, NULL), ==, 0);
    keys = listed_keys (env, vaals, "");
    g_assert_cmpuint (keys->len, ==, 2);
    g_assert_true (contains (keys, g[0]) && contains (keys, g[1]));
  }

  events = all_events (env, NULL);
  g_assert_true (has_event (events, "vaals", "list", "denied:out_of_scope"));
  g_assert_true (has_event (events, "vaals", "fetch", "denied:out_of_scope"));
  g_assert_true (has_event (events, "werk", "state_change", "denied:unit_out_of_scope"));
  g_assert_true (has_event (events, "admin", "reviewer_access", "ok"));
  for (guint i = 0; i < 2; i++)
    {
      g_free (v[i]);
      g_free (g[i]);
    }
}

/* ---- Batch fetch ------------------------------------------------------------------ */

/* The events appended since @after_seq. */
static GPtrArray *
events_after (Env    *env,
              gint64  after_seq)
{
  g_autoptr(IntakeStore) store = test_server_open_store (env->server);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = intake_store_list_audit (store, NULL, after_seq, 10000, &error);

  g_assert_no_error (error);
  return events;
}

static gint64
audit_head (Env *env)
{
  g_autoptr(IntakeStore) store = test_server_open_store (env->server);
  g_autoptr(GError) error = NULL;
  char hash[INTAKE_AUDIT_HASH_HEX_LEN + 1];
  gint64 seq = 0;

  g_assert_true (intake_store_get_audit_head (store, &seq, hash, &error));
  g_assert_no_error (error);
  return seq;
}

/* POST /v1/review/submissions/fetch {"keys": [...]} as @key. */
static TestResponse *
fetch_many (Env                     *env,
            const IntakeReviewerKey *key,
            const char * const      *keys)
{
  g_autoptr(GString) text = g_string_new ("{\"keys\": [");
  g_autoptr(GBytes) body = NULL;

  for (guint i = 0; keys[i] != NULL; i++)
    g_string_append_printf (text, "%s\"%s\"", i > 0 ? ", " : "", keys[i]);
  g_string_append (text, "]}");
  body = g_string_free_to_bytes (g_steal_pointer (&text));
  return review_request (env, key, "POST", "/v1/review/submissions/fetch", body);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* "actor action object result" of each event, sorted: what the log says
 * regardless of order and time. */
static char *
event_lines (GPtrArray *events)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s %s %s %s", event->actor, event->action, event->object,
                                               event->result));
    }
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **)lines->pdata);
}

/* The batch fetch serves what the single GETs serve, with the same audit
 * events (one transaction), refuses per key what they refuse, and refuses
 * malformed bodies and reviewers who may not read as a whole. */
static void
test_fetch_many (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) all = NULL, vaals = NULL, root = NULL;
  const char *only_vaals[] = { "--location", "Vaals", NULL };
  g_autofree char *unknown = NULL;
  char *v[3], *g[2];

  add_reviewer_with (env, "all", "caseworker", NULL);
  add_reviewer_with (env, "vaals", "caseworker", only_vaals);
  add_reviewer_with (env, "root", "administrator", NULL);
  all = unlock_key (env, "all");
  vaals = unlock_key (env, "vaals");
  root = unlock_key (env, "root");
  upload_at (env, "Vaals", 3, v);
  upload_at (env, "Gulpen-Wittem", 2, g);
  /* A key of the right form that names nothing: a known device, another submission. */
  unknown = g_strdup (v[0]);
  unknown[40] = unknown[40] == '0' ? '1' : '0';

  /* The same objects as the single GETs, in the order asked; the same
   * events, all appended before the answer, in one transaction. */
  {
    const char *keys[] = { g[1], v[0], unknown, v[2], g[0], v[1], NULL };
    gint64 before = audit_head (env);
    g_autoptr(TestResponse) batch = fetch_many (env, all, keys);
    g_autoptr(GPtrArray) batch_events = events_after (env, before);
    g_autoptr(GPtrArray) single_events = NULL;
    g_autofree char *batch_lines = NULL;
    g_autofree char *single_lines = NULL;
    JsonArray *entries;
    gint64 middle;

    g_assert_cmpuint (batch->status, ==, 200);
    entries = json_object_get_array_member (object_of (batch), "submissions");
    g_assert_cmpuint (json_array_get_length (entries), ==, 6);
    middle = audit_head (env);
    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s", keys[i]);
        g_autoptr(TestResponse) single = review_request (env, all, "GET", path, NULL);
        JsonObject *entry = json_array_get_object_element (entries, i);

        if (keys[i] == unknown)
          {
            assert_error (single, 404, "not_found");
            g_assert_cmpstr (json_object_get_string_member (entry, "key"), ==, unknown);
            g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "not_found");
            g_assert_cmpstr (json_object_get_string_member (entry, "message"), ==,
                             json_object_get_string_member (object_of (single), "message"));
            /* No more than the single GET says: the key, the code, the message. */
            g_assert_cmpuint (json_object_get_size (entry), ==, 3);
            continue;
          }
        g_assert_cmpuint (single->status, ==, 200);
        g_assert_true (json_node_equal (json_array_get_element (entries, i), single->json));
        g_assert_cmpstr (json_object_get_string_member (entry, "key"), ==, keys[i]);
      }
    single_events = events_after (env, middle);
    g_assert_cmpuint (batch_events->len, ==, 6);
    g_assert_cmpuint (single_events->len, ==, 6);
    batch_lines = event_lines (batch_events);
    single_lines = event_lines (single_events);
    g_assert_cmpstr (batch_lines, ==, single_lines);
    for (guint i = 0; i < batch_events->len; i++)
      {
        const IntakeAuditEvent *event = g_ptr_array_index (batch_events, i);

        /* In the order asked, one after the other in the chain. */
        g_assert_cmpint (event->seq, ==, before + 1 + i);
        g_assert_cmpstr (event->object, ==, keys[i]);
        g_assert_cmpstr (event->result, ==, keys[i] == unknown ? "denied:not_found" : "ok");
      }
  }

  /* Outside the reviewer's scope: refused per key, as the GET is, and audited as it is. */
  {
    const char *keys[] = { v[0], g[0], v[1], NULL };
    gint64 before = audit_head (env);
    g_autoptr(TestResponse) batch = fetch_many (env, vaals, keys);
    g_autoptr(GPtrArray) events = events_after (env, before);
    JsonArray *entries;
    JsonObject *refused;

    g_assert_cmpuint (batch->status, ==, 200);
    entries = json_object_get_array_member (object_of (batch), "submissions");
    g_assert_cmpuint (json_array_get_length (entries), ==, 3);
    g_assert_true (json_object_has_member (json_array_get_object_element (entries, 0), "envelope"));
    g_assert_true (json_object_has_member (json_array_get_object_element (entries, 2), "envelope"));
    refused = json_array_get_object_element (entries, 1);
    g_assert_cmpuint (json_object_get_size (refused), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (refused, "key"), ==, g[0]);
    g_assert_cmpstr (json_object_get_string_member (refused, "error"), ==, "out_of_scope");
    g_assert_cmpuint (events->len, ==, 3);
    g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (events, 0))->result, ==, "ok");
    g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (events, 1))->result, ==, "denied:out_of_scope");
    g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (events, 2))->result, ==, "ok");
    g_assert_cmpuint (((IntakeAuditEvent *)g_ptr_array_index (events, 1))->seq, ==, before + 2);
  }

  /* A reviewer who may not read: 403 as a whole, one refusal per key, as the GETs. */
  {
    const char *keys[] = { v[0], g[0], NULL };
    gint64 before = audit_head (env);
    g_autoptr(TestResponse) batch = fetch_many (env, root, keys);
    g_autoptr(GPtrArray) events = events_after (env, before);

    assert_error (batch, 403, "role_required");
    g_assert_cmpuint (events->len, ==, 2);
    for (guint i = 0; i < events->len; i++)
      {
        const IntakeAuditEvent *event = g_ptr_array_index (events, i);

        g_assert_cmpstr (event->actor, ==, "root");
        g_assert_cmpstr (event->action, ==, "fetch");
        g_assert_cmpstr (event->object, ==, keys[i]);
        g_assert_cmpstr (event->result, ==, "denied:role_required");
      }
  }

  /* Malformed bodies: 400 malformed_body saying what is wrong, nothing served. */
  {
    g_autoptr(GString) many = g_string_new ("{\"keys\": [");
    g_autofree char *twice = g_strdup_printf ("{\"keys\": [\"%s\", \"%s\"]}", v[0], v[0]);
    g_autofree char *extra = g_strdup_printf ("{\"keys\": [\"%s\"], \"all\": true}", v[0]);
    g_autofree char *upper = g_ascii_strup (v[0], -1);
    g_autofree char *upper_body = g_strdup_printf ("{\"keys\": [\"%s\"]}", upper);
    g_autofree char *number = g_strdup_printf ("{\"keys\": [\"%s\", 7]}", v[0]);
    g_autofree char *trailing = g_strdup_printf ("{\"keys\": [\"%s\",]}", v[0]);
    struct {
      const char *body;
      const char *says;
    } cases[] = {
      { "not json", "strict JSON" },
      { trailing, "strict JSON" },
      { "[]", "JSON object" },
      { "{}", "{\"keys\"" },
      { "{\"keys\": \"abc\"}", "{\"keys\"" },
      { extra, "no other member" },
      { "{\"keys\": []}", "1 to 100" },
      { NULL, "1 to 100" },       /* 101 keys */
      { twice, "twice" },
      { number, "string" },
      { "{\"keys\": [null]}", "string" },
      { upper_body, "lowercase hex" },
      { "{\"keys\": [\"../../audit\"]}", "lowercase hex" },
    };
    gint64 before = audit_head (env);
    g_autoptr(GPtrArray) events = NULL;

    for (guint i = 0; i < 101; i++)
      g_string_append_printf (many, "%s\"%.32s-%032x\"", i > 0 ? ", " : "", v[0], i);
    g_string_append (many, "]}");
    cases[7].body = many->str;
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GBytes) body = g_bytes_new (cases[i].body, strlen (cases[i].body));
        g_autoptr(TestResponse) response = review_request (env, all, "POST", "/v1/review/submissions/fetch", body);
        const char *message;

        assert_error (response, 400, "malformed_body");
        message = json_object_get_string_member (object_of (response), "message");
        if (strstr (message, cases[i].says) == NULL)
          g_error ("case %u: \"%s\" does not say \"%s\"", i, message, cases[i].says);
        g_assert_false (json_object_has_member (object_of (response), "submissions"));
      }
    /* Each refusal is one audit event, as for the other endpoints' bodies. */
    events = events_after (env, before);
    g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (cases));
    g_assert_true (has_event (events, "all", "fetch", "denied:malformed_body"));
  }

  /* Not GET; and the body limit is the endpoint's own, 16 KiB. */
  {
    g_autoptr(GString) large = g_string_new ("{\"keys\": [");
    g_autoptr(GBytes) body = NULL;
    g_autoptr(TestResponse) get = review_request (env, all, "GET", "/v1/review/submissions/fetch", NULL);
    g_autoptr(TestResponse) too_large = NULL;

    assert_error (get, 405, "method_not_allowed");
    while (large->len <= 16 * 1024)
      g_string_append_printf (large, "\"%s\", ", v[0]);
    g_string_append_printf (large, "\"%s\"]}", v[1]);
    body = g_string_free_to_bytes (g_steal_pointer (&large));
    too_large = review_request (env, all, "POST", "/v1/review/submissions/fetch", body);
    assert_error (too_large, 413, "body_too_large");
  }

  /* Past 8 MiB of envelopes the rest is deferred: not served, not audited.
   * Seven envelopes of the largest plaintext (1 MiB, 1.4 MB in base64):
   * five are served. */
  {
    g_autoptr(TestKiosk) kiosk = kiosk_at (env, "Vaals");
    g_autoptr(GPtrArray) large = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
    g_autofree char *plaintext = g_malloc (INTAKE_ENVELOPE_MAX_PLAINTEXT);
    const char *keys[8] = { NULL };
    char *owned[7];
    g_autoptr(TestResponse) batch = NULL;
    g_autoptr(GPtrArray) events = NULL;
    g_autoptr(GError) error = NULL;
    JsonArray *entries;
    gint64 before;

    memset (plaintext, 'x', INTAKE_ENVELOPE_MAX_PLAINTEXT);
    for (guint i = 0; i < 7; i++)
      {
        IntakeEnvelopeInfo info = { .created_at = 1000 + i, .questionnaire_id = "intake-test",
                                    .questionnaire_version = 1 };

        intake_envelope_new_submission_id (info.submission_id);
        g_ptr_array_add (large, intake_envelope_seal (env->server->office, kiosk->key, &info,
                                                      (const guint8 *)plaintext, INTAKE_ENVELOPE_MAX_PLAINTEXT,
                                                      &error));
        g_assert_no_error (error);
      }
    for (guint done = 0; done < large->len; done += 4)
      {
        g_autoptr(GPtrArray) part = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
        g_autoptr(TestResponse) uploaded = NULL;

        for (guint i = done; i < MIN (done + 4, large->len); i++)
          g_ptr_array_add (part, g_bytes_ref (g_ptr_array_index (large, i)));
        uploaded = test_kiosk_upload (kiosk, env->server, part);
        g_assert_cmpuint (uploaded->status, ==, 200);
      }
    for (guint i = 0; i < 7; i++)
      keys[i] = owned[i] = key_of (g_ptr_array_index (large, i));
    before = audit_head (env);
    batch = fetch_many (env, all, keys);
    events = events_after (env, before);
    g_assert_cmpuint (batch->status, ==, 200);
    entries = json_object_get_array_member (object_of (batch), "submissions");
    g_assert_cmpuint (json_array_get_length (entries), ==, 7);
    for (guint i = 0; i < 7; i++)
      {
        JsonObject *entry = json_array_get_object_element (entries, i);

        g_assert_cmpstr (json_object_get_string_member (entry, "key"), ==, keys[i]);
        if (i < 5)
          g_assert_true (json_object_has_member (entry, "envelope"));
        else
          g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "deferred");
      }
    g_assert_cmpuint (events->len, ==, 5);
    for (guint i = 0; i < events->len; i++)
      g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (events, i))->object, ==, keys[i]);
    for (guint i = 0; i < 7; i++)
      g_free (owned[i]);
  }

  /* The events appended together chain like any others. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (audit_verify (env->server->data_dir, env->server->conninfo, &out, &err), ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    g_free (v[i]);
  for (guint i = 0; i < G_N_ELEMENTS (g); i++)
    g_free (g[i]);
}

/* ---- Audit listing: names cannot fake rows --------------------------------------- */

static void
test_audit_show_escapes (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeStore) store = test_server_open_store (env->server);
  g_autoptr(GError) error = NULL;
  const char *args[] = { "audit", "show", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  /* A name made to look like the end of its row and a whole row of its own,
   * one with a bidi override, one with a terminal escape. */
  const char *actors[] = {
    "eve\tfetch\t0123456789abcdef0123456789abcdef\tok\t127.0.0.1\n99\t2026-01-01 00:00\tanna\tfetch",
    "\u202eadmin\u202c",
    "mallory\x1b[2K",
  };

  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    {
      g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, actors[i],
                                                                  "fetch", "obj\r\nect", "ok", "127.0.0.1");

      g_assert_true (intake_store_append_audit (store, event, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (test_admin (env->server, args, 2, &out, NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  /* The header, one line per event, and the empty string after the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + G_N_ELEMENTS (actors) + 1);
  for (guint i = 1; i <= G_N_ELEMENTS (actors); i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 7);
      g_assert_cmpstr (fields[4], ==, "obj\\r\\nect");
      for (const char *p = lines[i]; *p != '\0'; p++)
        g_assert_true ((guchar)*p >= 0x20 || *p == '\t');
    }
  {
    g_auto(GStrv) fields = g_strsplit (lines[1], "\t", -1);

    g_assert_true (g_str_has_prefix (fields[2], "eve\\tfetch\\t0123"));
    g_assert_cmpstr (fields[3], ==, "fetch");
  }
  g_assert_nonnull (strstr (lines[1], "\\n99\\t2026-01-01"));
  g_assert_nonnull (strstr (lines[2], "\\u202eadmin\\u202c"));
  g_assert_null (strstr (lines[2], "\u202e"));
  g_assert_nonnull (strstr (lines[3], "mallory\\x1b[2K"));
}

/* A reviewer of format 1 (before staff authentication: the passphrase
 * alone wrapped the office secret), as a migrated store holds them: the
 * server releases nothing for it and answers as for an unknown name;
 * "reviewer list" says it needs a reset; a reset and an activation give
 * the same name a format 2 key (docs/admin.md, "Reviewers of format 1"). */
static void
test_migrate_format1 (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) key = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *list_args[] = { "reviewer", "list", NULL };
  const char *legacy_id = "ab000000000000000000000000000000";

  {
    g_autoptr(IntakeStore) store = test_server_open_store (env->server);
    g_autoptr(GError) error = NULL;
    guint8 blob[411] = { 'I', 'K', 'R', 'K', 1, 1 };
    IntakeStoreReviewer legacy = {
      .name = (char *) "oud",
      .status = INTAKE_REVIEWER_STATUS_ACTIVE,
      .created_at = g_get_real_time () / G_USEC_PER_SEC,
      .roles = INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD | INTAKE_ROLE_PRIVACY_OFFICER,
    };

    g_assert_cmpuint (strlen (legacy_id), <, sizeof legacy.reviewer_id);
    strcpy (legacy.reviewer_id, legacy_id);
    randombytes_buf (legacy.sign_pk, sizeof legacy.sign_pk);
    randombytes_buf (blob + 6, sizeof blob - 6);
    blob[46] = 0xab;
    memset (blob + 47, 0, 15);
    legacy.blob = g_bytes_new (blob, sizeof blob);
    g_assert_true (intake_store_add_reviewer (store, &legacy, NULL, &error));
    g_assert_no_error (error);
    g_bytes_unref (legacy.blob);
  }

  /* Nothing for it: the start answer of an unknown name, then 401. */
  {
    g_autoptr(TestResponse) start = unlock_start (env->server, "oud");
    g_autoptr(TestResponse) unknown = unlock_start (env->server, "onbekend");
    g_autoptr(IntakeWorkstationKey) workstation = intake_workstation_key_generate (NULL);
    g_autoptr(TestResponse) finish = unlock_as (env->server, "oud", REVIEWER_PASSPHRASE, workstation, NULL);

    g_assert_cmpuint (start->status, ==, 200);
    g_assert_cmpuint (unknown->status, ==, 200);
    g_assert_false (json_object_has_member (object_of (start), "blob"));
    assert_error (finish, 401, "wrong_credentials");
  }

  /* The list says so. */
  g_assert_cmpint (test_admin (env->server, list_args, 2, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_true (g_regex_match_simple ("^oud\\s+ab0+\\s+active\\s+1-reset\\s", out, G_REGEX_MULTILINE, 0));
  g_clear_pointer (&out, g_free);

  /* A reset (keeping the reviewer's roles) and the reviewer's activation. */
  {
    g_autofree char *code = test_reviewer_add (env->server, "oud", NULL, NULL);
    g_autofree char *key_path = workstation_path (env, "oud");

    out = test_reviewer_activate (env->server, "oud", code, env->reviewer_passphrase_file, key_path, NULL);
    g_clear_pointer (&out, g_free);
  }
  key = unlock_key (env, "oud");
  g_assert_cmpint (test_admin (env->server, list_args, 2, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_true (g_regex_match_simple ("^oud\\s+[0-9a-f]{32}\\s+active\\s+2\\s+caseworker,team_lead,privacy_officer\\s",
                                       out, G_REGEX_MULTILINE, 0));
  g_assert_false (g_regex_match_simple ("^oud\\s+ab0+\\s+active", out, G_REGEX_MULTILINE, 0));
}

/* The base64 strings of @name in an answer, as blobs. */
static GPtrArray *
blob_array (TestResponse *response,
            const char   *name)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  JsonArray *array = json_object_get_array_member (object_of (response), name);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize len = 0;
      guchar *raw = g_base64_decode (json_array_get_string_element (array, i), &len);

      g_ptr_array_add (list, g_bytes_new_take (raw, len));
    }
  return list;
}

/* What the review app does at unlock (app/review/intake-review-client.c,
 * build_keyring): the statements, verified from the key the reviewer
 * holds, and the sealed office keys opened. */
static IntakeOfficeKeyring *
keyring_at_unlock (Env                *env,
                   const char         *name,
                   IntakeReviewerKey **out_key)
{
  g_autoptr(IntakeWorkstationKey) workstation = load_workstation (env, name);
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(TestResponse) response = unlock_as (env->server, name, REVIEWER_PASSPHRASE, workstation, &credentials);
  g_autoptr(GPtrArray) statements = NULL;
  g_autoptr(GPtrArray) seals = NULL;
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOfficeKeyring *keyring;
  IntakeReviewerKey *key;

  g_assert_cmpuint (response->status, ==, 200);
  blob = b64_member (response, "blob");
  key = intake_reviewer_key_open (blob, credentials, &error);
  g_assert_no_error (error);
  statements = blob_array (response, "office_rotations");
  seals = blob_array (response, "office_key_seals");
  for (guint i = 0; i < statements->len; i++)
    {
      IntakeOfficeRotation *r = intake_office_rotation_new_from_bytes (g_ptr_array_index (statements, i), "test",
                                                                       &error);

      g_assert_no_error (error);
      g_ptr_array_add (rotations, r);
    }
  chain = intake_office_chain_related (intake_office_secret_get_public (intake_reviewer_key_get_office (key)),
                                       rotations, &error);
  g_assert_no_error (error);
  keyring = intake_office_keyring_new (intake_reviewer_key_get_office (key));
  intake_office_keyring_absorb (keyring, key, seals, chain);
  *out_key = key;
  return keyring;
}

static gboolean
opens (IntakeOfficeKeyring *keyring,
       GBytes              *envelope)
{
  IntakeEnvelopeHeader header;
  const IntakeOfficeSecret *secret;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;

  g_assert_true (intake_envelope_parse_header (envelope, &header, NULL));
  if (!(secret = intake_office_keyring_lookup (keyring, header.office_key_id)))
    return FALSE;
  plaintext = intake_envelope_open (envelope, secret, &header, NULL);
  return plaintext != NULL;
}

/* Office key rotation end to end (docs/server.md, "Rotating the office
 * key"): envelopes a kiosk sealed for key 1 and still holds are stored
 * after the rotation; envelopes for key 2 too; a reviewer who stays reads
 * both; a reviewer removed before the rotation gets nothing of key 2; key 1
 * cannot be retired while envelopes need it. */
static void
test_office_rotation (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(TestKiosk) kiosk = kiosk_at (env, "Vaals");
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(IntakeOfficePublic) key1 = intake_office_public_copy (env->server->office);
  g_autoptr(IntakeOfficePublic) key2 = NULL;
  g_autoptr(IntakeReviewerKey) bert_key = NULL;
  g_autoptr(IntakeReviewerKey) anna_key = NULL;
  g_autoptr(IntakeOfficeKeyring) anna = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) keys = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *key1_id = intake_office_public_dup_key_id_hex (key1);
  g_autofree char *key2_id = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *old_pub = g_strdup_printf ("%s/office-%s.pub", env->server->office_dir, key1_id);
  g_autofree char *old_secret = g_strdup_printf ("%s/office-%s.secret", env->server->office_dir, key1_id);
  const char *rotate[] = { "office", "rotate", env->server->office_dir, "--passphrase-file",
                           env->server->passphrase_file, NULL };
  const char *list[] = { "office", "keys", NULL };

  add_reviewer (env, "Anna");
  add_reviewer (env, "Bert");
  bert_key = unlock_key (env, "Bert");

  /* Two submissions sealed for key 1 still in the kiosk's outbox. */
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (pending, seal_at (kiosk, key1, 1000 + i));

  /* Bert leaves before the rotation: his access ends with it. */
  remove_reviewer (env, "Bert");

  g_assert_cmpint (test_admin (env->server, rotate, 2, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "reviewers given the new key: 1"));
  g_assert_true (g_file_test (old_pub, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (old_secret, G_FILE_TEST_EXISTS));
  key2 = intake_office_public_load (env->server->office_pub, &error);
  g_assert_no_error (error);
  key2_id = intake_office_public_dup_key_id_hex (key2);
  g_assert_cmpstr (key2_id, !=, key1_id);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A second rotation with the old directory's passphrase but the old key
   * is refused: the store serves key 2 now. */
  {
    const char *again[] = { "office", "rotate", env->server->dir, "--passphrase-file",
                            env->server->passphrase_file, NULL };

    g_assert_cmpint (test_admin (env->server, again, 2, NULL, &err), ==, 1);
    g_clear_pointer (&err, g_free);
  }

  /* The server restarted with the same --office-public path. */
  test_server_stop (env->server);
  g_assert_true (test_server_start (env->server, NULL, NULL));

  /* The kiosk learns key 2 from a signed statement of key 1. */
  {
    g_autoptr(SoupMessage) msg = test_kiosk_message_new (kiosk, env->server, "GET", "/v1/office-keys", NULL, 0);
    g_autoptr(GPtrArray) statements = NULL;
    g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
    g_autoptr(GPtrArray) chain = NULL;

    keys = test_send (env->server->session, msg);
    g_assert_cmpuint (keys->status, ==, 200);
    statements = blob_array (keys, "office_rotations");
    g_assert_cmpuint (statements->len, ==, 1);
    g_ptr_array_add (rotations, intake_office_rotation_new_from_bytes (g_ptr_array_index (statements, 0), "test",
                                                                       &error));
    g_assert_no_error (error);
    chain = intake_office_chain_follow (key1, rotations, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (chain->len, ==, 2);
    g_assert_cmpmem (((IntakeOfficePublic *)g_ptr_array_index (chain, 1))->key_id, INTAKE_OFFICE_KEY_ID_BYTES,
                     key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  }

  /* What was sealed for key 1 is still delivered; new sessions use key 2. */
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (fresh, seal_at (kiosk, key2, 2000 + i));
  response = test_kiosk_upload (kiosk, env->server, pending);
  items = test_verify_receipt (kiosk, response);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&response, test_response_free);
  g_clear_pointer (&items, g_array_unref);
  response = test_kiosk_upload (kiosk, env->server, fresh);
  items = test_verify_receipt (kiosk, response);
  g_assert_cmpuint (items->len, ==, 2);

  /* Anna reads both: key 1 from her own key, key 2 sealed to her. */
  anna = keyring_at_unlock (env, "Anna", &anna_key);
  g_assert_cmpuint (intake_office_keyring_get_n_keys (anna), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (opens (anna, g_ptr_array_index (pending, i)));
      g_assert_true (opens (anna, g_ptr_array_index (fresh, i)));
    }

  /* Bert can no longer unlock, and with the key he had he reads neither
   * new one; the store holds no key 2 for him. */
  {
    g_autoptr(IntakeWorkstationKey) workstation = load_workstation (env, "Bert");
    g_autoptr(TestResponse) refused = unlock_as (env->server, "Bert", REVIEWER_PASSPHRASE, workstation, NULL);
    g_autoptr(IntakeOfficeKeyring) bert = intake_office_keyring_new (intake_reviewer_key_get_office (bert_key));
    g_autoptr(IntakeStore) store = test_server_open_store (env->server);
    g_autoptr(GPtrArray) seals = NULL;
    g_autofree char *bert_id = intake_reviewer_key_dup_id_hex (bert_key);
    g_autoptr(GPtrArray) trusted = g_ptr_array_new ();

    g_assert_cmpuint (refused->status, ==, 401);
    seals = intake_store_list_office_key_seals (store, bert_id, &error);
    g_assert_no_error (error);
    g_ptr_array_add (trusted, key1);
    g_ptr_array_add (trusted, key2);
    g_assert_cmpuint (intake_office_keyring_absorb (bert, bert_key, seals, trusted), ==, 0);
    for (guint i = 0; i < 2; i++)
      {
        g_assert_false (opens (bert, g_ptr_array_index (fresh, i)));
        g_assert_true (opens (bert, g_ptr_array_index (pending, i)));
      }
  }

  /* A reviewer added after the rotation gets key 2 in their key and key 1
   * through the seal of key 1 to key 2. */
  {
    g_autoptr(IntakeReviewerKey) carla_key = NULL;
    g_autoptr(IntakeOfficeKeyring) carla = NULL;

    add_reviewer (env, "Carla");
    carla = keyring_at_unlock (env, "Carla", &carla_key);
    g_assert_cmpmem (intake_office_secret_get_public (intake_reviewer_key_get_office (carla_key))->key_id,
                     INTAKE_OFFICE_KEY_ID_BYTES, key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
    g_assert_true (opens (carla, g_ptr_array_index (pending, 0)));
    g_assert_true (opens (carla, g_ptr_array_index (fresh, 0)));
  }

  /* The keys as the runbook shows them; key 1 cannot be retired while
   * envelopes need it, key 2 never (it is served). */
  g_assert_cmpint (test_admin (env->server, list, 2, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, key1_id));
  g_assert_nonnull (strstr (out, "current"));
  {
    const char *retire1[] = { "office", "retire", key1_id, NULL };
    const char *retire2[] = { "office", "retire", key2_id, NULL };

    g_assert_cmpint (test_admin (env->server, retire1, 2, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "still sealed"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (test_admin (env->server, retire2, 2, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "serves"));
    g_clear_pointer (&err, g_free);

    /* Once nothing stored needs key 1 (here: the two erased as test
     * intakes), it can be retired; then the server refuses envelopes
     * sealed for it, and reviewers no longer get it sealed. */
    for (guint i = 0; i < pending->len; i++)
      {
        IntakeEnvelopeHeader header;
        g_autofree char *reference = NULL;
        const char *erase[] = { "erase", "--reason", "test-intake", "--reference", NULL, NULL };

        g_assert_true (intake_envelope_parse_header (g_ptr_array_index (pending, i), &header, NULL));
        reference = intake_reference_from_submission_id (header.submission_id);
        erase[4] = reference;
        g_assert_cmpint (test_admin (env->server, erase, 1, NULL, NULL), ==, 0);
      }
    g_assert_cmpint (test_admin (env->server, retire1, 2, &out2, NULL), ==, 0);
    g_clear_pointer (&out2, g_free);
    g_assert_cmpint (test_admin (env->server, list, 2, &out2, NULL), ==, 0);
    g_assert_nonnull (strstr (out2, "retired"));
    test_server_stop (env->server);
    g_assert_true (test_server_start (env->server, NULL, NULL));
    {
      g_autoptr(GPtrArray) late = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      g_autoptr(TestResponse) refused = NULL;
      JsonArray *results;

      g_ptr_array_add (late, seal_at (kiosk, key1, 3000));
      refused = test_kiosk_upload (kiosk, env->server, late);
      g_assert_cmpuint (refused->status, ==, 200);
      results = json_object_get_array_member (object_of (refused), "results");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "status"), ==,
                       "rejected");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "reason"), ==,
                       "retired_office_key");
    }
    {
      g_autoptr(IntakeReviewerKey) carla_key = NULL;
      g_autoptr(IntakeOfficeKeyring) carla = keyring_at_unlock (env, "Carla", &carla_key);

      /* Her own key 2 only: the seal of key 1 is gone with the retirement. */
      g_assert_cmpuint (intake_office_keyring_get_n_keys (carla), ==, 1);
    }
  }

  /* The audit log names the rotation without any personal data. */
  {
    g_autoptr(GPtrArray) events = all_events (env, NULL);

    g_assert_true (has_event (events, "admin", "office_rotate", "ok"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/review/office-rotation", test_office_rotation);
  g_test_add_func ("/review/unlock", test_unlock);
  g_test_add_func ("/review/unlock/lockout", test_unlock_lockout);
  g_test_add_func ("/review/unlock/stolen-database", test_unlock_stolen_database);
  g_test_add_func ("/review/activation", test_activation);
  g_test_add_func ("/review/migrate-format-1", test_migrate_format1);
  g_test_add_func ("/review/passphrase-change", test_passphrase_change);
  g_test_add_func ("/review/roles", test_roles);
  g_test_add_func ("/review/scope", test_scope);
  g_test_add_func ("/review/fetch-many", test_fetch_many);
  g_test_add_func ("/review/authentication", test_authentication);
  g_test_add_func ("/review/replay", test_replay_reviewer);
  g_test_add_func ("/review/list/filters-and-paging", test_list_filters);
  g_test_add_func ("/review/workflow/notes-audit-events", test_workflow_notes_audit);
  g_test_add_func ("/review/queue", test_queue);
  g_test_add_func ("/review/questionnaires-and-help-requests", test_questionnaires_and_help);
  g_test_add_func ("/review/audit/verify-and-tamper", test_audit_verify);
  g_test_add_func ("/review/audit/show-escapes", test_audit_show_escapes);
  return g_test_run ();
}

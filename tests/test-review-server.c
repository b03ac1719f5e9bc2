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
#include <sqlite3.h>
#include <string.h>

#include "intake-audit.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-reference.h"
#include "intake-review-request.h"
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

static void
env_free (Env *env)
{
  test_server_free (env->server);
  g_free (env->reviewer_passphrase_file);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

static void
add_reviewer (Env        *env,
              const char *name)
{
  const char *args[] = { "reviewer", "add", "--office", env->server->office_dir, "--passphrase-file",
                         env->server->passphrase_file, "--name", name, "--reviewer-passphrase-file",
                         env->reviewer_passphrase_file, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (test_admin (env->server, args, 2, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, name));
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
unlock (Env        *env,
        const char *name)
{
  g_autofree char *url = g_strconcat (env->server->url, "/v1/review/unlock", NULL);
  g_autoptr(GBytes) body = json_body ("{\"name\": \"%s\"}", name);

  return test_http (env->server->session, "POST", url, body, NULL);
}

static JsonObject *
object_of (TestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

/* Unlocks @name over the protocol and opens the blob with the passphrase. */
static IntakeReviewerKey *
unlock_key (Env        *env,
            const char *name)
{
  g_autoptr(TestResponse) response = unlock (env, name);
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *blob = NULL;
  g_autoptr(GBytes) blob_bytes = NULL;
  g_autofree char *id = NULL;
  IntakeReviewerKey *key;
  gsize len = 0;

  g_assert_cmpuint (response->status, ==, 200);
  blob = g_base64_decode (json_object_get_string_member (object_of (response), "blob"), &len);
  blob_bytes = g_bytes_new (blob, len);
  passphrase = intake_secure_buffer_new_copy (REVIEWER_PASSPHRASE, strlen (REVIEWER_PASSPHRASE));
  key = intake_reviewer_key_unwrap (blob_bytes, passphrase, &error);
  g_assert_no_error (error);
  id = intake_reviewer_key_dup_id_hex (key);
  g_assert_cmpstr (id, ==, json_object_get_string_member (object_of (response), "reviewer_id"));
  /* The blob holds the office secret of this very office. */
  g_assert_cmpmem (intake_office_secret_get_public (intake_reviewer_key_get_office (key))->key_id,
                   INTAKE_OFFICE_KEY_ID_BYTES, env->server->office->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  return key;
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

static void
test_unlock (void)
{
  g_autoptr(Env) env = env_new (NULL);
  g_autoptr(IntakeReviewerKey) key = NULL;
  g_autoptr(TestResponse) unknown = NULL;
  g_autoptr(TestResponse) revoked = NULL;
  g_autoptr(TestResponse) wrong = NULL;
  g_autoptr(IntakeSecureBuffer) bad = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *blob = NULL;
  g_autoptr(GBytes) blob_bytes = NULL;
  gsize len = 0;

  add_reviewer (env, "anna");
  key = unlock_key (env, "anna");

  /* The same blob does not open with another passphrase. */
  wrong = unlock (env, "anna");
  blob = g_base64_decode (json_object_get_string_member (object_of (wrong), "blob"), &len);
  blob_bytes = g_bytes_new (blob, len);
  bad = intake_secure_buffer_new_copy ("not the passphrase at all", 25);
  g_assert_null (intake_reviewer_key_unwrap (blob_bytes, bad, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE);

  unknown = unlock (env, "nobody");
  assert_error (unknown, 404, "unknown_reviewer");

  remove_reviewer (env, "anna");
  revoked = unlock (env, "anna");
  assert_error (revoked, 404, "unknown_reviewer");

  /* Five answers per name and minute; the sixth is 429 (anna has had three). */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TestResponse) again = unlock (env, "anna");

      assert_error (again, 404, "unknown_reviewer");
    }
  {
    g_autoptr(TestResponse) limited = unlock (env, "anna");
    g_autoptr(TestResponse) other = unlock (env, "somebody-else");

    assert_error (limited, 429, "slow_down");
    assert_error (other, 404, "unknown_reviewer");
  }

  events = all_events (env, NULL);
  g_assert_true (has_event (events, "admin", "reviewer_add", "ok"));
  g_assert_true (has_event (events, "admin", "reviewer_remove", "ok"));
  g_assert_true (has_event (events, "anna", "unlock", "ok"));
  g_assert_true (has_event (events, "nobody", "unlock", "unknown"));
  g_assert_true (has_event (events, "anna", "unlock", "denied:slow_down"));
  {
    const IntakeAuditEvent *first = g_ptr_array_index (events, 0);

    g_assert_cmpstr (first->origin, ==, "cli");
    g_assert_cmpstr (((IntakeAuditEvent *)g_ptr_array_index (events, events->len - 1))->origin, ==, "127.0.0.1");
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
  /* enroll-code, reviewer add, unlock, three fetches */
  g_assert_true (g_str_has_prefix (out, "audit chain intact: 6 events, head 6 "));

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
  assert_tamper_caught (env, "truncated", "DELETE FROM audit_log WHERE seq = 6", "broken at seq 6: deleted");
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/review/unlock", test_unlock);
  g_test_add_func ("/review/authentication", test_authentication);
  g_test_add_func ("/review/replay", test_replay_reviewer);
  g_test_add_func ("/review/list/filters-and-paging", test_list_filters);
  g_test_add_func ("/review/workflow/notes-audit-events", test_workflow_notes_audit);
  g_test_add_func ("/review/questionnaires-and-help-requests", test_questionnaires_and_help);
  g_test_add_func ("/review/audit/verify-and-tamper", test_audit_verify);
  g_test_add_func ("/review/audit/show-escapes", test_audit_show_escapes);
  return g_test_run ();
}

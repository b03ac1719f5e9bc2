/* test-server-strict.c: strict JSON and plain-text fields through a real intake-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One request each for what tests/test-json.c checks at the parser: the
 * body of every route is strict JSON (a duplicate key, a comment, single
 * quotes, \u0000 are refused with 400 malformed_body and a message naming
 * the JSON path), and names, units and audit fields refuse bidirectional
 * controls. One server (SQLite, or PostgreSQL through tests/pg-cluster.sh)
 * for the whole program, with one reviewer and one stored submission.
 */
#include "config.h"

#include <string.h>

#include "intake-enroll.h"
#include "intake-envelope.h"
#include "intake-review-request.h"
#include "intake-server-util.h"
#include "intake-sync.h"
#include "intake-test-util.h"
#include "test-server-util.h"

#define REVIEWER_NAME       "Strict Reviewer"
#define REVIEWER_PASSPHRASE "a long reviewer passphrase"
/* U+202E RIGHT-TO-LEFT OVERRIDE, as UTF-8. */
#define RLO                 "\xe2\x80\xae"

static TestServer        *server;
static TestKiosk         *kiosk;
static IntakeReviewerKey *reviewer;
static char              *submission_id;

static GBytes *
text_body (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static TestResponse *
post (const char *path,
      const char *body_text)
{
  g_autofree char *url = g_strconcat (server->url, path, NULL);
  g_autoptr(GBytes) body = text_body (body_text);

  return test_http (server->session, "POST", url, body, NULL);
}

static TestResponse *
review_request (const char *method,
                const char *path_and_query,
                const char *body_text)
{
  g_autofree char *url = g_strconcat (server->url, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = body_text != NULL ? text_body (body_text) : NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  IntakeRequestAuth auth;
  TestResponse *response;

  intake_review_sign_request (reviewer, method, path_and_query, body, g_get_real_time () / G_USEC_PER_SEC, &auth);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_headers_replace (headers, INTAKE_HEADER_REVIEWER, auth.device_id);
  soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
  soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
  soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
  response = test_send (server->session, msg);
  intake_request_auth_clear (&auth);
  return response;
}

/* Asserts @status and @code, and that the answer's message holds each of
 * the NULL-terminated strings. */
static void
assert_refused (TestResponse *response,
                guint         status,
                const char   *code,
                ...)
{
  const char *message;
  const char *part;
  va_list args;

  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (test_response_error_code (response), ==, code);
  message = json_object_get_string_member (json_node_get_object (response->json), "message");
  g_test_message ("%s: %s", code, message);
  va_start (args, code);
  while ((part = va_arg (args, const char *)) != NULL)
    if (strstr (message, part) == NULL)
      g_error ("the message \"%s\" does not say \"%s\"", message, part);
  va_end (args);
}

static gboolean
audit_has_actor (const char *actor)
{
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = intake_store_list_audit (store, NULL, 0, 100000, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (((IntakeAuditEvent *) g_ptr_array_index (events, i))->actor, actor) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Strict JSON, one route each                                          */

static void
test_duplicate_key (void)
{
  g_autoptr(TestResponse) response =
    post ("/v1/enroll", "{\"code\": \"AAAA-AAAA-AAAA-AAAA\", \"code\": \"K7MX-3PEA-9TCH-WRNU\", "
                        "\"device_sign_pk\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}");

  assert_refused (response, 400, "malformed_body", "$.code", "more than once", NULL);
}

static void
test_comment (void)
{
  g_autoptr(GBytes) body = text_body ("{\"envelopes\": [] /* none today */}");
  g_autoptr(TestResponse) response = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, 0);

  assert_refused (response, 400, "malformed_body", "$.envelopes", "comment", NULL);
}

static void
test_single_quotes (void)
{
  g_autoptr(TestResponse) response = post ("/v1/review/unlock/start", "{'name': '" REVIEWER_NAME "'}");

  assert_refused (response, 400, "malformed_body", "single quotes", NULL);
}

static void
test_escaped_nul (void)
{
  g_autoptr(TestResponse) response = post ("/v1/review/unlock/start", "{\"name\": \"Strict\\u0000 Reviewer\"}");

  assert_refused (response, 400, "malformed_body", "$.name", "\\u0000", NULL);
}

static void
test_hex_number (void)
{
  g_autoptr(GBytes) body = text_body ("{\"requests\": [{\"id\": 0x10, \"created_at\": 1795000000, "
                                      "\"language\": \"nl\"}]}");
  g_autoptr(TestResponse) response = test_kiosk_request (kiosk, server, "POST", "/v1/help-requests", body, 0);

  assert_refused (response, 400, "malformed_body", "$.requests[0].id", "hexadecimal", NULL);
}

static void
test_second_value (void)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/notes", submission_id);
  g_autoptr(TestResponse) response = review_request ("POST", path, "{\"expected_version\": 1} {\"envelope\": \"\"}");

  assert_refused (response, 400, "malformed_body", "follows the JSON value", NULL);
}

/* "Handled" says nothing but that: {} and no more, and what is not
 * strict JSON is refused before the store is asked. */
static void
test_help_handled_body (void)
{
  g_autoptr(TestResponse) duplicate =
    review_request ("POST", "/v1/review/help-requests/1/handled", "{\"by\": \"a\", \"by\": \"b\"}");
  g_autoptr(TestResponse) member =
    review_request ("POST", "/v1/review/help-requests/1/handled", "{\"by\": \"Strict " RLO "reweiveR\"}");

  assert_refused (duplicate, 400, "malformed_body", "$.by", "more than once", NULL);
  assert_refused (member, 400, "malformed_body", "expected {}", NULL);
}

/* ------------------------------------------------------------------ */
/* Names, units and audit fields                                        */

static void
test_reviewer_name_bidi (void)
{
  g_autoptr(TestResponse) response = post ("/v1/review/unlock/start", "{\"name\": \"Strict " RLO "reweiveR\"}");

  assert_refused (response, 400, "malformed_body", "the name", "U+202E", NULL);
  /* Refused before it could become an audit actor. */
  g_assert_false (audit_has_actor ("Strict " RLO "reweiveR"));
}

static void
test_unit_bidi (void)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission_id);
  g_autoptr(TestResponse) response =
    review_request ("POST", path, "{\"state\": \"in_review\", \"unit\": \"Team \\u2066Noord\", \"expected_version\": 1}");

  assert_refused (response, 400, "malformed_body", "the unit", "U+2066", NULL);
}

static void
test_audit_object_bidi (void)
{
  g_autoptr(TestResponse) response =
    review_request ("POST", "/v1/review/events", "{\"action\": \"view\", \"object\": \"abc\\u200fdef\"}");

  assert_refused (response, 400, "malformed_body", "the object", "U+200F", NULL);
}

static void
test_location_filter_bidi (void)
{
  g_autoptr(TestResponse) response = review_request ("GET", "/v1/review/submissions?location=Vaals%E2%80%AE", NULL);

  assert_refused (response, 400, "malformed_query", "the location", "U+202E", NULL);
}

/* A plain Arabic unit needs no control characters and is taken. */
static void
test_unit_plain_rtl (void)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission_id);
  g_autoptr(TestResponse) response =
    review_request ("POST", path, "{\"state\": \"in_review\", \"unit\": \"\xd9\x81\xd8\xb1\xd9\x8a\xd9\x82 A\", "
                                  "\"expected_version\": 1}");

  g_assert_cmpuint (response->status, ==, 200);
}

static void
test_assignee_bidi (void)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission_id);
  g_autoptr(TestResponse) response =
    review_request ("POST", path, "{\"state\": \"in_review\", \"assignee\": \"Strict \\u202eReviewer\", "
                                  "\"expected_version\": 1}");

  assert_refused (response, 400, "malformed_body", "the assignee", "U+202E", NULL);
}

static void
test_workflow_duplicate_assignee (void)
{
  g_autofree char *path = g_strdup_printf ("/v1/review/submissions/%s/workflow", submission_id);
  g_autoptr(TestResponse) response =
    review_request ("POST", path, "{\"state\": \"in_review\", \"assignee\": null, \"assignee\": \"x\", "
                                  "\"expected_version\": 1}");

  assert_refused (response, 400, "malformed_body", "$.assignee", "more than once", NULL);
}

/* The queue's query: the order, the view and the cursor of that order. */
static void
test_queue_order_malformed (void)
{
  g_autoptr(TestResponse) order = review_request ("GET", "/v1/review/submissions?order=newest", NULL);
  g_autoptr(TestResponse) view = review_request ("GET", "/v1/review/submissions?view=everything", NULL);
  g_autoptr(TestResponse) cursor = review_request ("GET", "/v1/review/submissions?order=desc&after=3", NULL);
  g_autoptr(TestResponse) before = review_request ("GET", "/v1/review/submissions?order=desc&before=0x10", NULL);

  assert_refused (order, 400, "malformed_query", "order is asc or desc", NULL);
  assert_refused (view, 400, "malformed_query", "view is all, todo or mine", NULL);
  assert_refused (cursor, 400, "malformed_query", "before=SEQ", NULL);
  assert_refused (before, 400, "malformed_query", "whole numbers", NULL);
}

static void
test_counts_location_bidi (void)
{
  g_autoptr(TestResponse) counts = review_request ("GET", "/v1/review/counts?location=Vaals%E2%80%AE", NULL);
  g_autoptr(TestResponse) stats = review_request ("GET", "/v1/review/stats?location=Vaals%E2%80%AE", NULL);

  assert_refused (counts, 400, "malformed_query", "the location", "U+202E", NULL);
  assert_refused (stats, 400, "malformed_query", "the location", "U+202E", NULL);
}

static void
test_admin_unit_bidi (void)
{
  const char *args[] = { "units", "add", "Team " RLO "droN", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (test_admin (server, args, 2, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "UNIT has the bidirectional control character U+202E"));
}

static void
test_admin_location_bidi (void)
{
  const char *args[] = { "enroll-code", "--location", "Vaals" RLO "slaaV", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--location has the bidirectional control character U+202E"));
}

static void
test_admin_reviewer_name_bidi (void)
{
  const char *args[] = { "reviewer", "add", "--office", server->office_dir, "--passphrase-file",
                         server->passphrase_file, "--name", "Ann\xe2\x81\xa7" "e", "--roles", "caseworker",
                         NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (test_admin (server, args, 2, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--name has the bidirectional control character U+2067"));
}

/* A location that reached the store another way (an older intake-admin,
 * a restored backup) is refused by the kiosk when it enrolls. */
static void
test_kiosk_enroll_location_bidi (void)
{
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autofree char *code = intake_enroll_code_generate ();
  g_autofree char *hash = intake_enroll_code_hash (code);
  g_autofree char *state_dir = g_build_filename (server->dir, "kiosk-state", NULL);
  g_autofree char *server_json = g_build_filename (state_dir, "server.json", NULL);
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (intake_store_create_enroll_code (store, hash, "Vaals" RLO "slaaV", now, now + 3600, &error));
  g_assert_no_error (error);
  fingerprint = intake_enroll_blocking (state_dir, server->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "the location has the bidirectional control character U+202E"));
  g_assert_false (g_file_test (server_json, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ */

static void
setup (void)
{
  g_autofree char *passphrase_file = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  IntakeEnvelopeHeader header;

  server = test_server_new (TRUE);
  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);

  g_ptr_array_add (envelopes, test_kiosk_seal (kiosk, server->office));
  response = test_kiosk_upload (kiosk, server, envelopes);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (intake_envelope_parse_header (g_ptr_array_index (envelopes, 0), &header, NULL));
  {
    /* Review paths name a submission as DEVICE-SUBMISSION (docs/protocol.md). */
    g_autofree char *device_hex = intake_hex_encode (header.device_id, sizeof header.device_id);
    g_autofree char *submission_hex = intake_hex_encode (header.submission_id, sizeof header.submission_id);

    submission_id = g_strconcat (device_hex, "-", submission_hex, NULL);
  }
  g_clear_pointer (&response, test_response_free);

  passphrase_file = g_build_filename (server->dir, "reviewer-passphrase", NULL);
  key_path = g_build_filename (server->dir, "reviewer.workstation.key", NULL);
  intake_test_write_file (passphrase_file, REVIEWER_PASSPHRASE "\n");
  code = test_reviewer_add (server, REVIEWER_NAME, "caseworker,team_lead,privacy_officer", NULL);
  out = test_reviewer_activate (server, REVIEWER_NAME, code, passphrase_file, key_path, NULL);
  reviewer = test_reviewer_unlock (server, REVIEWER_NAME, REVIEWER_PASSPHRASE, key_path);
  {
    /* Units come from the office's list (intake-admin units). */
    const char *units[] = { "units", "add", "\xd9\x81\xd8\xb1\xd9\x8a\xd9\x82 A", NULL };

    g_assert_cmpint (test_admin (server, units, 2, NULL, NULL), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/strict/duplicate-key", test_duplicate_key);
  g_test_add_func ("/server/strict/comment", test_comment);
  g_test_add_func ("/server/strict/single-quotes", test_single_quotes);
  g_test_add_func ("/server/strict/escaped-nul", test_escaped_nul);
  g_test_add_func ("/server/strict/hex-number", test_hex_number);
  g_test_add_func ("/server/strict/second-value", test_second_value);
  g_test_add_func ("/server/strict/help-handled-body", test_help_handled_body);
  g_test_add_func ("/server/field/reviewer-name-bidi", test_reviewer_name_bidi);
  g_test_add_func ("/server/field/unit-bidi", test_unit_bidi);
  g_test_add_func ("/server/field/audit-object-bidi", test_audit_object_bidi);
  g_test_add_func ("/server/field/location-filter-bidi", test_location_filter_bidi);
  g_test_add_func ("/server/field/unit-plain-rtl", test_unit_plain_rtl);
  g_test_add_func ("/server/strict/workflow-duplicate-assignee", test_workflow_duplicate_assignee);
  g_test_add_func ("/server/strict/queue-order", test_queue_order_malformed);
  g_test_add_func ("/server/field/assignee-bidi", test_assignee_bidi);
  g_test_add_func ("/server/field/counts-location-bidi", test_counts_location_bidi);
  g_test_add_func ("/server/field/admin-unit-bidi", test_admin_unit_bidi);
  g_test_add_func ("/server/field/admin-location-bidi", test_admin_location_bidi);
  g_test_add_func ("/server/field/admin-reviewer-name-bidi", test_admin_reviewer_name_bidi);
  g_test_add_func ("/server/field/kiosk-enroll-location-bidi", test_kiosk_enroll_location_bidi);

  setup ();
  status = g_test_run ();

  g_clear_pointer (&reviewer, intake_reviewer_key_free);
  g_clear_pointer (&kiosk, test_kiosk_free);
  g_clear_pointer (&server, test_server_free);
  g_free (submission_id);
  return status;
}

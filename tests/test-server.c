/* test-server.c: intake-server as a real process on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs twice (tests/meson.build): against SQLite, and through
 * tests/pg-cluster.sh against a throwaway PostgreSQL cluster.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "intake-bundle.h"
#include "intake-envelope.h"
#include "intake-questionnaire.h"
#include "intake-server-util.h"
#include "intake-test-util.h"
#include "test-server-util.h"

static JsonObject *
object_of (TestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static JsonObject *
result_at (TestResponse *response,
           guint         index)
{
  JsonArray *results = json_object_get_array_member (object_of (response), "results");

  g_assert_cmpuint (index, <, json_array_get_length (results));
  return json_array_get_object_element (results, index);
}

static void
assert_result (TestResponse *response,
               guint         index,
               const char   *status,
               const char   *reason)
{
  JsonObject *result = result_at (response, index);

  g_assert_cmpint (json_object_get_int_member (result, "index"), ==, index);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member_with_default (result, "reason", NULL), ==, reason);
}

static void
assert_error (TestResponse *response,
              guint         status,
              const char   *code)
{
  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (test_response_error_code (response), ==, code);
  g_assert_nonnull (json_object_get_string_member_with_default (object_of (response), "message", NULL));
}

static char *
submission_hex (GBytes *envelope)
{
  IntakeEnvelopeHeader header;

  g_assert_true (intake_envelope_parse_header (envelope, &header, NULL));
  return intake_hex_encode (header.submission_id, sizeof header.submission_id);
}

static GPtrArray *
envelopes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
}

static gint64
store_envelope_count (TestServer *server)
{
  g_autoptr(IntakeStore) store = test_server_open_store (server);
  g_autoptr(GError) error = NULL;
  IntakeStoreCounts counts;

  intake_store_get_counts (store, &counts, &error);
  g_assert_no_error (error);
  return counts.envelopes;
}

/* Enrollment: a code works once; the kiosk gets what it needs to trust. */
static void
test_enroll_round_trip (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(TestKiosk) other = test_kiosk_new ();
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) reused = NULL;
  g_autoptr(TestResponse) unknown = NULL;
  g_autoptr(TestResponse) garbage = NULL;
  g_autoptr(TestResponse) malformed = NULL;
  g_autoptr(TestResponse) expired = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GBytes) office_bytes = NULL;
  g_autoptr(GBytes) bad_body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *lowercase = NULL;
  g_autofree char *server_key_id = NULL;
  g_autofree char *url = NULL;
  g_autofree guint8 *office_blob = NULL;
  g_autofree char *expired_code = NULL;
  g_autofree char *expired_hash = NULL;
  JsonObject *object;
  gsize office_len = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (test_server_start (server, NULL, NULL));
  code = test_server_new_code (server, "Vaals");

  /* Codes are typed by people: case and spacing do not matter. */
  lowercase = g_ascii_strdown (code, -1);
  response = test_kiosk_enroll (kiosk, server, lowercase);
  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, 200);
  object = object_of (response);
  g_assert_cmpstr (json_object_get_string_member (object, "device_id"), ==, kiosk->device_id);
  g_assert_cmpstr (json_object_get_string_member (object, "location"), ==, "Vaals");
  server_key_id = intake_server_key_id_hex (kiosk->server_pk);
  g_assert_cmpstr (json_object_get_string_member (object, "server_key_id"), ==, server_key_id);
  g_assert_true (json_object_get_null_member (object, "questionnaire"));
  office_blob = g_base64_decode (json_object_get_string_member (object, "office_public"), &office_len);
  office_bytes = g_bytes_new (office_blob, office_len);
  office = intake_office_public_new_from_bytes (office_bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (office->key_id, sizeof office->key_id, server->office->key_id, sizeof server->office->key_id);

  store = test_server_open_store (server);
  device = intake_store_get_device (store, kiosk->device_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (device->status, ==, INTAKE_DEVICE_STATUS_ACTIVE);
  g_assert_cmpstr (device->location, ==, "Vaals");

  reused = test_kiosk_enroll (other, server, code);
  assert_error (reused, 410, "code_used");

  unknown = test_kiosk_enroll (other, server, "AAAA-CCCC-EEEE-FFFF");
  assert_error (unknown, 404, "unknown_code");
  garbage = test_kiosk_enroll (other, server, "not a code at all");
  assert_error (garbage, 404, "unknown_code");

  /* An expired code, written straight into the store. */
  expired_code = intake_enroll_code_generate ();
  expired_hash = intake_enroll_code_hash (expired_code);
  intake_store_create_enroll_code (store, expired_hash, "Gulpen", now - 7200, now - 3600, &error);
  g_assert_no_error (error);
  expired = test_kiosk_enroll (other, server, expired_code);
  assert_error (expired, 410, "code_expired");

  url = g_strconcat (server->url, "/v1/enroll", NULL);
  bad_body = g_bytes_new_static ("{\"code\": 12}", 12);
  malformed = test_http (server->session, "POST", url, bad_body, NULL);
  assert_error (malformed, 400, "malformed_body");

  /* Enrollment takes at most 4 KiB: 4,000 nested brackets are refused by
   * the depth limit, 200,000 (200 KB) by the size limit before they are
   * read, and the server keeps answering. (An enrolled kiosk's 200,000
   * brackets, which would overflow json-glib's recursive parser, are in
   * /server/refusals.) */
  {
    g_autofree char *deep = g_strnfill (200000, '[');
    g_autoptr(GBytes) deep_body = g_bytes_new (deep, 4000);
    g_autoptr(GBytes) big_body = g_bytes_new (deep, 200000);
    g_autoptr(TestResponse) deep_response = test_http (server->session, "POST", url, deep_body, NULL);
    g_autoptr(TestResponse) big_response = test_http (server->session, "POST", url, big_body, NULL);
    g_autoptr(TestResponse) after = test_kiosk_enroll (other, server, "not a code at all");

    assert_error (deep_response, 400, "malformed_body");
    assert_error (big_response, 413, "body_too_large");
    assert_error (after, 404, "unknown_code");
  }

  test_server_stop (server);
}

/* Enrollment proves possession of the key it registers: a fresh code in
 * someone else's hands can neither register a kiosk's public key nor move
 * that kiosk to another location; the kiosk itself can, and it is logged. */
static void
test_enroll_proof_of_possession (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) victim = NULL;
  g_autoptr(TestKiosk) attacker = test_kiosk_new ();
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *move_code = NULL;

  g_assert_true (test_server_start (server, NULL, NULL));
  victim = test_kiosk_new_enrolled (server);
  g_assert_cmpstr (victim->location, ==, "Vaals");
  code = test_server_new_code (server, "Heerlen");

  /* The victim's public key, signed by the attacker's key, or not signed. */
  {
    g_autoptr(TestResponse) forged = test_kiosk_enroll_as (victim, server, code, attacker->key);
    g_autoptr(TestResponse) unsigned_one = test_kiosk_enroll_as (victim, server, code, NULL);

    assert_error (forged, 401, "bad_signature");
    assert_error (unsigned_one, 401, "unauthenticated");
  }
  store = test_server_open_store (server);
  {
    g_autoptr(IntakeStoreDevice) device = intake_store_get_device (store, victim->device_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (device->location, ==, "Vaals");
  }
  /* The code was not consumed: its holder can still enroll their own key. */
  {
    g_autoptr(TestResponse) own = test_kiosk_enroll (attacker, server, code);

    g_assert_cmpuint (own->status, ==, 200);
    g_assert_cmpstr (attacker->location, ==, "Heerlen");
  }

  /* The kiosk itself moves with a new code: allowed, and in the audit log and the server log. */
  move_code = test_server_new_code (server, "Gulpen-Wittem");
  {
    g_autoptr(TestResponse) moved = test_kiosk_enroll (victim, server, move_code);
    g_autoptr(IntakeStoreDevice) device = NULL;
    g_autoptr(GPtrArray) events = NULL;
    g_autofree char *log = NULL;
    gboolean found = FALSE;

    g_assert_cmpuint (moved->status, ==, 200);
    device = intake_store_get_device (store, victim->device_id, &error);
    g_assert_cmpstr (device->location, ==, "Gulpen-Wittem");
    events = intake_store_list_audit (store, NULL, 0, 1000, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < events->len; i++)
      {
        const IntakeAuditEvent *event = g_ptr_array_index (events, i);

        if (g_str_equal (event->action, "device_relocate"))
          {
            g_autofree char *object = g_strdup_printf ("%s location=Gulpen-Wittem previous=Vaals", victim->device_id);

            g_assert_cmpstr (event->object, ==, object);
            g_assert_cmpstr (event->actor, ==, "device");
            found = TRUE;
          }
      }
    g_assert_true (found);
    log = test_server_read_log (server);
    g_assert_nonnull (strstr (log, "msg=device_relocated"));
  }
  test_server_stop (server);
}

/* An envelope is identified by (device id, submission id): a device that
 * learns another kiosk's submission id (headers are readable in a USB
 * bundle) and uploads it first takes nothing from that kiosk. */
static void
test_submission_id_scoped_to_device (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) a = NULL;
  g_autoptr(TestKiosk) b = NULL;
  g_autoptr(GPtrArray) real = envelopes_new ();
  g_autoptr(GPtrArray) squat = envelopes_new ();
  g_autoptr(TestResponse) squatted = NULL;
  g_autoptr(TestResponse) stored = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  IntakeStoreCounts counts;

  g_assert_true (test_server_start (server, NULL, NULL));
  a = test_kiosk_new_enrolled (server);
  b = test_kiosk_new_enrolled (server);
  g_ptr_array_add (real, test_kiosk_seal (a, server->office));
  id = submission_hex (g_ptr_array_index (real, 0));

  /* B seals its own envelope under A's submission id and uploads it first. */
  {
    IntakeEnvelopeHeader header;
    IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "intake-test", .questionnaire_version = 1 };

    g_assert_true (intake_envelope_parse_header (g_ptr_array_index (real, 0), &header, NULL));
    memcpy (info.submission_id, header.submission_id, sizeof info.submission_id);
    g_ptr_array_add (squat, intake_envelope_seal (server->office, b->key, &info, (const guint8 *)"{}", 2, &error));
    g_assert_no_error (error);
  }
  squatted = test_kiosk_upload (b, server, squat);
  assert_result (squatted, 0, "stored", NULL);

  /* A's real intake is still stored, with a receipt A accepts. */
  stored = test_kiosk_upload (a, server, real);
  assert_result (stored, 0, "stored", NULL);
  items = test_verify_receipt (a, stored);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (g_array_index (items, IntakeReceiptItem, 0).submission_id, ==, id);

  store = test_server_open_store (server);
  g_assert_true (intake_store_get_counts (store, &counts, &error));
  g_assert_cmpint (counts.envelopes, ==, 2);
  g_assert_cmpint (counts.conflicts, ==, 0);
  {
    g_autoptr(GBytes) mine = intake_store_dup_envelope (store, a->device_id, id, NULL, &error);
    g_autoptr(GBytes) theirs = intake_store_dup_envelope (store, b->device_id, id, NULL, &error);

    g_assert_true (g_bytes_equal (mine, g_ptr_array_index (real, 0)));
    g_assert_true (g_bytes_equal (theirs, g_ptr_array_index (squat, 0)));
  }
  test_server_stop (server);
}

/* A signed request is accepted once: sent again (to this server, after a
 * restart, or to another instance over the same store) it is refused with
 * replayed_request, and nothing is done twice. */
static void
test_replay_device (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestServer) second = NULL;
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(TestResponse) first = NULL;
  g_autoptr(TestResponse) replayed = NULL;
  g_autoptr(TestResponse) fresh = NULL;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  body = test_upload_body (batch);
  msg = test_kiosk_message_new (kiosk, server, "POST", "/v1/envelopes", body, 0);
  first = test_send (server->session, msg);
  g_assert_cmpuint (first->status, ==, 200);
  assert_result (first, 0, "stored", NULL);

  /* The very same request: same headers, same body. */
  {
    g_autoptr(SoupMessage) again = test_message_copy_to (msg, server, body);

    replayed = test_send (server->session, again);
    assert_error (replayed, 401, "replayed_request");
    g_assert_cmpint (test_server_metric (server, "intake_requests_replayed_total"), ==, 1);
    g_assert_cmpint (test_server_metric (server, "intake_unauthenticated_requests_total{error=\"replayed_request\"}"),
                     ==, 1);
  }

  /* The nonce is in the store: another instance (and a restarted one) knows it too. */
  second = test_server_new_instance (server);
  g_assert_true (test_server_start (second, NULL, NULL));
  {
    g_autoptr(SoupMessage) again = test_message_copy_to (msg, second, body);
    g_autoptr(TestResponse) response = test_send (second->session, again);

    assert_error (response, 401, "replayed_request");
  }
  test_server_stop (server);
  g_assert_true (test_server_start (server, NULL, NULL));
  {
    g_autoptr(SoupMessage) again = test_message_copy_to (msg, server, body);
    g_autoptr(TestResponse) response = test_send (server->session, again);

    assert_error (response, 401, "replayed_request");
  }

  /* A new signature (new nonce) over the same envelope is fine: duplicate. */
  fresh = test_kiosk_upload (kiosk, second, batch);
  g_assert_cmpuint (fresh->status, ==, 200);
  assert_result (fresh, 0, "duplicate", NULL);
  test_server_stop (second);
  test_server_stop (server);
}

/* stored, then duplicate, then conflict; the receipt lists what is safe to drop. */
static void
test_upload_stored_duplicate_conflict (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GPtrArray) again = envelopes_new ();
  g_autoptr(GPtrArray) conflicting = envelopes_new ();
  g_autoptr(TestResponse) first = NULL;
  g_autoptr(TestResponse) second = NULL;
  g_autoptr(TestResponse) third = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GArray) items_again = NULL;
  g_autoptr(GArray) items_conflict = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autofree char *id0 = NULL;
  IntakeStoreEnvelope meta;
  IntakeStoreCounts counts;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));

  first = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (first->status, ==, 200);
  items = test_verify_receipt (kiosk, first);
  g_assert_cmpuint (items->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      GBytes *envelope = g_ptr_array_index (batch, i);
      g_autofree char *id = submission_hex (envelope);
      g_autofree char *sha = intake_sha256_hex (envelope);
      const IntakeReceiptItem *item = &g_array_index (items, IntakeReceiptItem, i);

      assert_result (first, i, "stored", NULL);
      g_assert_cmpstr (json_object_get_string_member (result_at (first, i), "submission_id"), ==, id);
      g_assert_cmpstr (item->submission_id, ==, id);
      g_assert_cmpstr (item->sha256, ==, sha);
    }

  /* The kiosk lost our receipt and sends one again. */
  g_ptr_array_add (again, g_bytes_ref (g_ptr_array_index (batch, 0)));
  second = test_kiosk_upload (kiosk, server, again);
  g_assert_cmpuint (second->status, ==, 200);
  assert_result (second, 0, "duplicate", NULL);
  items_again = test_verify_receipt (kiosk, second);
  g_assert_cmpuint (items_again->len, ==, 1);

  /* Same submission id, other bytes: a new envelope whose id we copy in
   * and re-sign is impossible without the key, so seal one with the same
   * id through the info struct. */
  {
    IntakeEnvelopeHeader header;
    IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "intake-test", .questionnaire_version = 2 };

    g_assert_true (intake_envelope_parse_header (g_ptr_array_index (batch, 0), &header, NULL));
    memcpy (info.submission_id, header.submission_id, sizeof info.submission_id);
    g_ptr_array_add (conflicting, intake_envelope_seal (server->office, kiosk->key, &info,
                                                        (const guint8 *)"{}", 2, &error));
    g_assert_no_error (error);
  }
  third = test_kiosk_upload (kiosk, server, conflicting);
  g_assert_cmpuint (third->status, ==, 200);
  assert_result (third, 0, "conflict", NULL);
  items_conflict = test_verify_receipt (kiosk, third);
  g_assert_cmpuint (items_conflict->len, ==, 0);

  store = test_server_open_store (server);
  intake_store_get_counts (store, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (counts.envelopes, ==, 3);
  g_assert_cmpint (counts.conflicts, ==, 1);
  id0 = submission_hex (g_ptr_array_index (batch, 0));
  stored = intake_store_dup_envelope (store, kiosk->device_id, id0, &meta, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (stored, g_ptr_array_index (batch, 0)));
  g_assert_cmpint (meta.source, ==, INTAKE_ENVELOPE_SOURCE_UPLOAD);
  g_assert_cmpstr (meta.device_id, ==, kiosk->device_id);

  test_server_stop (server);
}

static GBytes *
flip_byte (GBytes *bytes,
           gsize   offset)
{
  gsize len;
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  g_assert_cmpuint (offset, <, len);
  copy[offset] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

/* One request mixing good and bad envelopes gets one verdict per envelope. */
static void
test_upload_mixed_batch (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(TestKiosk) neighbour = NULL;
  g_autoptr(IntakeOfficePublic) other_office = NULL;
  g_autoptr(IntakeOfficeSecret) other_secret = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) odd = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *good_id = NULL;
  g_autofree char *good_sha = NULL;
  GBytes *base;
  guint8 *version_changed;
  gsize len;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  neighbour = test_kiosk_new_enrolled (server);
  intake_office_generate (&other_office, &other_secret, &error);
  g_assert_no_error (error);

  good = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, g_bytes_ref (good));                                              /* 0 stored */
  base = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, flip_byte (base, g_bytes_get_size (base) - 70));                  /* 1 tampered */
  g_bytes_unref (base);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, other_office));                           /* 2 other office */
  g_ptr_array_add (batch, test_kiosk_seal (neighbour, server->office));                     /* 3 other device */
  base = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, g_bytes_new_from_bytes (base, 0, 40));                            /* 4 truncated */
  version_changed = g_memdup2 (g_bytes_get_data (base, &len), g_bytes_get_size (base));
  version_changed[4] = 0x02;
  g_ptr_array_add (batch, g_bytes_new_take (version_changed, len));                         /* 5 version 2 */
  g_bytes_unref (base);
  g_ptr_array_add (batch, g_bytes_ref (good));                                              /* 6 duplicate */

  response = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (response->status, ==, 200);
  assert_result (response, 0, "stored", NULL);
  assert_result (response, 1, "rejected", "bad_signature");
  g_assert_true (json_object_has_member (result_at (response, 1), "submission_id"));
  assert_result (response, 2, "rejected", "wrong_office_key");
  assert_result (response, 3, "rejected", "device_mismatch");
  assert_result (response, 4, "rejected", "malformed");
  g_assert_false (json_object_has_member (result_at (response, 4), "submission_id"));
  assert_result (response, 5, "rejected", "unsupported_version");
  assert_result (response, 6, "duplicate", NULL);

  items = test_verify_receipt (kiosk, response);
  good_id = submission_hex (good);
  good_sha = intake_sha256_hex (good);
  g_assert_cmpuint (items->len, ==, 2);
  for (guint i = 0; i < items->len; i++)
    {
      g_assert_cmpstr (g_array_index (items, IntakeReceiptItem, i).submission_id, ==, good_id);
      g_assert_cmpstr (g_array_index (items, IntakeReceiptItem, i).sha256, ==, good_sha);
    }

  /* Elements that are not base64 strings are malformed, one by one. */
  body = g_bytes_new_static ("{\"envelopes\": [\"@@@@\", 17, \"SUtFTg\"]}", 37);
  odd = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, 0);
  g_assert_cmpuint (odd->status, ==, 200);
  for (guint i = 0; i < 3; i++)
    assert_result (odd, i, "rejected", "malformed");

  g_assert_cmpint (store_envelope_count (server), ==, 1);
  test_server_stop (server);
}

/* Every refusal of a request has its own status and error code. */
static void
test_refusals (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(TestKiosk) stranger = test_kiosk_new ();
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GPtrArray) big_batch = envelopes_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autofree char *url = NULL;
  IntakeRequestAuth auth;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  body = test_upload_body (batch);
  url = g_strconcat (server->url, "/v1/envelopes", NULL);

  {
    g_autoptr(TestResponse) r = test_http (server->session, "POST", url, body, NULL);
    assert_error (r, 401, "unauthenticated");
  }
  {
    g_autoptr(TestResponse) r = test_kiosk_request (stranger, server, "POST", "/v1/envelopes", body, 0);
    assert_error (r, 401, "unknown_device");
  }
  {
    /* Signed for one body, sent with another. */
    g_autoptr(GBytes) other = g_bytes_new_static ("{\"envelopes\":[]}", 16);
    g_autoptr(TestResponse) r = NULL;

    intake_protocol_sign_request (kiosk->key, "POST", "/v1/envelopes", other,
                                  g_get_real_time () / G_USEC_PER_SEC, &auth);
    r = test_http (server->session, "POST", url, body, &auth);
    intake_request_auth_clear (&auth);
    assert_error (r, 401, "bad_signature");
  }
  {
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, -1000);
    assert_error (r, 401, "stale_timestamp");
  }
  {
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, +1000);
    assert_error (r, 401, "stale_timestamp");
  }
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("this is not JSON", 16);
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", junk, 0);
    assert_error (r, 400, "malformed_body");
  }
  {
    /* 200,000 nested brackets (200 KB) would overflow json-glib's
     * recursive parser: refused as malformed, and the server keeps
     * answering. */
    g_autofree char *deep = g_strnfill (200000, '[');
    g_autoptr(GBytes) deep_body = g_bytes_new_take (g_steal_pointer (&deep), 200000);
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", deep_body, 0);
    assert_error (r, 400, "malformed_body");
  }
  {
    g_autoptr(GBytes) wrong_shape = g_bytes_new_static ("{\"envelope\":[]}", 15);
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", wrong_shape, 0);
    assert_error (r, 400, "malformed_body");
  }
  {
    g_autoptr(GBytes) hundred_and_one = NULL;
    g_autoptr(TestResponse) r = NULL;

    for (guint i = 0; i < 101; i++)
      g_ptr_array_add (big_batch, g_bytes_ref (g_ptr_array_index (batch, 0)));
    hundred_and_one = test_upload_body (big_batch);
    r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", hundred_and_one, 0);
    assert_error (r, 400, "malformed_body");
  }
  {
    /* Over 8 MiB with a Content-Length: refused before the body is kept. */
    g_autoptr(TestResponse) r = NULL;
    guint8 *zeros = g_malloc0 (9 * 1024 * 1024);

    big = g_bytes_new_take (zeros, 9 * 1024 * 1024);
    r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", big, 0);
    assert_error (r, 413, "body_too_large");
  }
  {
    /* The same body chunked (no length known up front): counted while read. */
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (big);
    g_autoptr(TestResponse) r = NULL;

    soup_message_set_request_body (msg, "application/json", stream, -1);
    r = test_send (server->session, msg);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_request_headers (msg), "Transfer-Encoding"),
                     ==, "chunked");
    assert_error (r, 413, "body_too_large");
  }
  {
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "GET", "/v1/nowhere", NULL, 0);
    assert_error (r, 404, "not_found");
  }
  {
    g_autoptr(TestResponse) r = test_kiosk_request (kiosk, server, "GET", "/v1/envelopes", NULL, 0);
    assert_error (r, 405, "method_not_allowed");
  }
  {
    /* Revoked with intake-admin while the server runs. */
    const char *args[] = { "device", "revoke", kiosk->device_id, NULL };
    g_autoptr(TestResponse) r = NULL;
    g_autoptr(TestResponse) questionnaire = NULL;
    g_autoptr(TestResponse) re_enroll = NULL;
    g_autofree char *code = NULL;

    g_assert_cmpint (test_admin (server, args, 2, NULL, NULL), ==, 0);
    r = test_kiosk_request (kiosk, server, "POST", "/v1/envelopes", body, 0);
    assert_error (r, 403, "device_revoked");
    questionnaire = test_kiosk_request (kiosk, server, "GET", "/v1/questionnaire", NULL, 0);
    assert_error (questionnaire, 403, "device_revoked");
    /* A revoked key cannot come back with a new code. */
    code = test_server_new_code (server, "Vaals");
    re_enroll = test_kiosk_enroll (kiosk, server, code);
    assert_error (re_enroll, 403, "device_revoked");
  }

  g_assert_cmpint (store_envelope_count (server), ==, 0);
  test_server_stop (server);
}

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *script = g_strdup_printf ("cd '%s' && %s", dir, command);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autofree char *err = NULL;

  if (intake_test_run (argv, NULL, NULL, &err) != 0)
    g_error ("openssl failed: %s: %s", command, err);
}

/* HTTPS with a private CA: a client that trusts only that CA uploads; a
 * client that does not fails the handshake. */
static void
test_tls (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = test_kiosk_new ();
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(TestResponse) enrolled = NULL;
  g_autoptr(TestResponse) uploaded = NULL;
  g_autoptr(TestResponse) untrusted = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(SoupSession) plain_session = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pki = g_build_filename (server->dir, "pki", NULL);
  g_autofree char *ca = g_build_filename (pki, "ca.crt", NULL);
  g_autofree char *cert = g_build_filename (pki, "server.crt", NULL);
  g_autofree char *key = g_build_filename (pki, "server.key", NULL);
  g_autofree char *ext = g_build_filename (pki, "ext.cnf", NULL);
  g_autofree char *code = NULL;
  g_autofree char *healthz = NULL;
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };

  g_assert_cmpint (g_mkdir (pki, 0700), ==, 0);
  run_openssl (pki, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-keyout ca.key -out ca.crt -days 2 -subj '/CN=Intake Test CA' 2>/dev/null");
  run_openssl (pki, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null");
  intake_test_write_file (ext,
                          "subjectAltName=IP:127.0.0.1\n"
                          "basicConstraints=CA:FALSE\n"
                          "keyUsage=digitalSignature\n"
                          "extendedKeyUsage=serverAuth\n");
  run_openssl (pki, "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
                    "-out server.crt -days 2 -extfile ext.cnf 2>/dev/null");

  g_assert_true (test_server_start (server, args, NULL));
  g_assert_true (g_str_has_prefix (server->url, "https://127.0.0.1:"));

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  g_object_set (server->session, "tls-database", database, NULL);

  code = test_server_new_code (server, "Eijsden");
  enrolled = test_kiosk_enroll (kiosk, server, code);
  g_assert_no_error (enrolled->error);
  g_assert_cmpuint (enrolled->status, ==, 200);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  uploaded = test_kiosk_upload (kiosk, server, batch);
  g_assert_no_error (uploaded->error);
  assert_result (uploaded, 0, "stored", NULL);
  items = test_verify_receipt (kiosk, uploaded);
  g_assert_cmpuint (items->len, ==, 1);

  /* The system's trust store does not know our CA. */
  plain_session = soup_session_new ();
  healthz = g_strconcat (server->url, "/healthz", NULL);
  untrusted = test_http (plain_session, "GET", healthz, NULL, NULL);
  g_assert_cmpuint (untrusted->status, ==, 0);
  g_assert_error (untrusted->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  test_server_stop (server);
}

/* Plain HTTP is for loopback only; anything else is refused at start. */
static void
test_listen_refuses_public_without_tls (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autofree char *log = NULL;
  const char *any[] = { "--listen", "0.0.0.0:0", NULL };
  const char *v6_any[] = { "--listen", "[::]:0", NULL };
  const char *v6_loopback[] = { "--listen", "[::1]:0", NULL };
  int status = 0;

  g_assert_false (test_server_start (server, any, &status));
  g_assert_cmpint (status, ==, 1);
  log = test_server_read_log (server);
  g_assert_true (g_str_has_prefix (log, "intake-server: refusing to listen on 0.0.0.0:0 without TLS"));
  g_assert_true (strchr (log, '\n') == log + strlen (log) - 1);

  g_assert_false (test_server_start (server, v6_any, &status));
  g_assert_cmpint (status, ==, 1);

  /* ::1 is loopback (when the machine has IPv6 at all). */
  if (test_server_start (server, v6_loopback, &status))
    {
      g_assert_true (g_str_has_prefix (server->url, "http://[::1]:"));
      test_server_stop (server);
    }
}

typedef struct {
  TestServer *server;
  guint       kills;
  guint       source;
} KillData;

static gboolean
kill_cb (gpointer user_data)
{
  KillData *data = user_data;

  data->source = 0;
  if (data->server->proc != NULL)
    {
      g_subprocess_force_exit (data->server->proc);
      data->kills++;
    }
  return G_SOURCE_REMOVE;
}

/* The server is killed at random moments while a kiosk streams uploads;
 * the kiosk retries until every receipt is in. Exactly the submissions
 * sent are stored, each once, byte for byte. */
static void
test_survives_kill (void)
{
  const guint n = 400;
  const guint kills_wanted = 25;
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) all = envelopes_new ();
  g_autoptr(GHashTable) pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GArray) listed = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  KillData data = { server, 0, 0 };
  guint requests = 0, failures = 0;
  IntakeStoreCounts counts;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < n; i++)
    {
      GBytes *envelope = test_kiosk_seal (kiosk, server->office);

      g_ptr_array_add (all, envelope);
      g_hash_table_insert (pending, submission_hex (envelope), envelope);
    }

  while (g_hash_table_size (pending) > 0)
    {
      g_autoptr(GPtrArray) batch = envelopes_new ();
      g_autoptr(TestResponse) response = NULL;
      GHashTableIter iter;
      gpointer value;

      g_assert_cmpuint (requests, <, 5000);
      if (server->proc == NULL)
        g_assert_true (test_server_start (server, NULL, NULL));
      if (data.source == 0 && data.kills < kills_wanted)
        data.source = g_timeout_add (g_random_int_range (0, 12), kill_cb, &data);

      g_hash_table_iter_init (&iter, pending);
      while (batch->len < 5 && g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (batch, g_bytes_ref (value));

      requests++;
      response = test_kiosk_upload (kiosk, server, batch);
      if (response->status == 200)
        {
          g_autoptr(GArray) items = test_verify_receipt (kiosk, response);

          for (guint i = 0; i < items->len; i++)
            {
              const IntakeReceiptItem *item = &g_array_index (items, IntakeReceiptItem, i);
              GBytes *envelope = g_hash_table_lookup (pending, item->submission_id);
              g_autofree char *sha = NULL;

              if (envelope == NULL)
                continue;
              sha = intake_sha256_hex (envelope);
              g_assert_cmpstr (sha, ==, item->sha256);
              g_hash_table_remove (pending, item->submission_id);
            }
        }
      else
        {
          /* Killed under us: wait for the corpse, start again, resend. */
          failures++;
          g_assert_cmpuint (response->status, ==, 0);
          g_subprocess_wait (server->proc, NULL, NULL);
          g_clear_object (&server->proc);
          g_clear_handle_id (&data.source, g_source_remove);
        }
    }
  g_clear_handle_id (&data.source, g_source_remove);
  g_test_message ("%u requests, %u kills, %u failed requests", requests, data.kills, failures);
  g_assert_cmpuint (data.kills, >=, 20);
  if (server->proc != NULL)
    test_server_stop (server);

  store = test_server_open_store (server);
  intake_store_get_counts (store, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (counts.envelopes, ==, n);
  g_assert_cmpint (counts.conflicts, ==, 0);
  listed = intake_store_list_envelopes (store, 0, n + 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n);
  for (guint i = 0; i < listed->len; i++)
    g_assert_true (g_hash_table_add (seen, g_strdup (g_array_index (listed, IntakeStoreEnvelope, i).submission_id)));
  for (guint i = 0; i < n; i++)
    {
      GBytes *envelope = g_ptr_array_index (all, i);
      g_autofree char *id = submission_hex (envelope);
      g_autofree char *sha = intake_sha256_hex (envelope);
      g_autoptr(GBytes) stored = NULL;
      g_autofree char *stored_sha = NULL;
      IntakeStoreEnvelope meta;

      g_assert_true (g_hash_table_contains (seen, id));
      stored = intake_store_dup_envelope (store, kiosk->device_id, id, &meta, &error);
      g_assert_no_error (error);
      g_assert_nonnull (stored);
      stored_sha = intake_sha256_hex (stored);
      g_assert_cmpstr (stored_sha, ==, sha);
      g_assert_cmpstr (meta.sha256, ==, sha);
    }

  if (server->data_dir != NULL)
    {
      g_autofree char *path = g_build_filename (server->data_dir, "intake.db", NULL);
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
}

static char *
write_bundle (TestServer *server,
              TestKiosk  *kiosk,
              GPtrArray  *envelopes,
              const char *name)
{
  g_autoptr(GBytes) bundle = intake_bundle_build (kiosk->key, g_get_real_time () / G_USEC_PER_SEC, envelopes);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (server->dir, name, NULL);

  g_file_set_contents (path, g_bytes_get_data (bundle, NULL), (gssize)g_bytes_get_size (bundle), &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_count_line (const char *out,
                   const char *label,
                   guint       count)
{
  g_autofree char *line = g_strdup_printf ("\n%s %u\n", label, count);

  if (strstr (out, line) == NULL)
    g_error ("expected \"%s %u\" in:\n%s", label, count, out);
}

/* Offline bundles go through the same checks and idempotent store. */
static void
test_bundle_import (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(TestKiosk) stranger = test_kiosk_new ();
  g_autoptr(GPtrArray) envelopes = envelopes_new ();
  g_autoptr(GPtrArray) stranger_envelopes = envelopes_new ();
  g_autoptr(GPtrArray) late = envelopes_new ();
  g_autoptr(TestResponse) upload = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stranger_path = NULL;
  g_autofree char *tampered_path = NULL;
  g_autofree char *late_path = NULL;
  g_autofree char *first_id = NULL;
  IntakeStoreEnvelope meta;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (envelopes, test_kiosk_seal (kiosk, server->office));
  path = write_bundle (server, kiosk, envelopes, "kiosk.ikbu");
  test_server_stop (server);

  {
    const char *args[] = { "import-bundle", path, NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (test_admin (server, args, 1, &out, NULL), ==, 0);
    assert_count_line (out, "stored:   ", 5);
    assert_count_line (out, "duplicate:", 0);
  }
  {
    const char *args[] = { "import-bundle", path, NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (test_admin (server, args, 1, &out, NULL), ==, 0);
    assert_count_line (out, "stored:   ", 0);
    assert_count_line (out, "duplicate:", 5);
  }
  g_assert_cmpint (store_envelope_count (server), ==, 5);

  store = test_server_open_store (server);
  first_id = submission_hex (g_ptr_array_index (envelopes, 0));
  stored = intake_store_dup_envelope (store, kiosk->device_id, first_id, &meta, &error);
  g_assert_no_error (error);
  g_assert_cmpint (meta.source, ==, INTAKE_ENVELOPE_SOURCE_BUNDLE);

  /* The kiosk's later online sync of the same envelopes is a duplicate. */
  g_assert_true (test_server_start (server, NULL, NULL));
  upload = test_kiosk_upload (kiosk, server, envelopes);
  for (guint i = 0; i < 5; i++)
    assert_result (upload, i, "duplicate", NULL);
  test_server_stop (server);

  /* Signed by a device nobody enrolled. */
  g_ptr_array_add (stranger_envelopes, test_kiosk_seal (stranger, server->office));
  stranger_path = write_bundle (server, stranger, stranger_envelopes, "stranger.ikbu");
  {
    const char *args[] = { "import-bundle", stranger_path, NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "not enrolled"));
  }

  /* One bit changed anywhere breaks the bundle signature. */
  {
    g_autofree char *contents = NULL;
    gsize len = 0;
    const char *args[] = { "import-bundle", NULL, NULL };
    g_autofree char *err = NULL;

    g_file_get_contents (path, &contents, &len, &error);
    g_assert_no_error (error);
    contents[len / 2] ^= 0x40;
    tampered_path = g_build_filename (server->dir, "tampered.ikbu", NULL);
    g_file_set_contents (tampered_path, contents, (gssize)len, &error);
    g_assert_no_error (error);
    args[1] = tampered_path;
    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "refused"));
  }

  /* After revocation the device's bundles are refused. */
  g_ptr_array_add (late, test_kiosk_seal (kiosk, server->office));
  late_path = write_bundle (server, kiosk, late, "late.ikbu");
  {
    const char *revoke[] = { "device", "revoke", kiosk->device_id, NULL };
    const char *args[] = { "import-bundle", late_path, NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (test_admin (server, revoke, 2, NULL, NULL), ==, 0);
    g_assert_cmpint (test_admin (server, args, 1, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "revoked"));
  }
  g_assert_cmpint (store_envelope_count (server), ==, 5);
}

/* intake-admin signs, the server checks the signature at start and serves it. */
static void
test_questionnaire (void)
{
  g_autoptr(TestServer) server = test_server_new (TRUE);
  g_autoptr(TestServer) other = test_server_new (TRUE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(TestResponse) unsigned_request = NULL;
  g_autoptr(IntakeQuestionnaire) original = NULL;
  g_autoptr(GBytes) canonical = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source = intake_test_data_path ("questionnaire-valid.json");
  g_autofree char *signed_path = g_build_filename (server->dir, "questionnaire.signed.json", NULL);
  g_autofree char *bad_path = g_build_filename (server->dir, "questionnaire.bad.json", NULL);
  g_autofree char *foreign_path = g_build_filename (other->dir, "questionnaire.signed.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree guint8 *canonical_data = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree char *url = NULL;
  g_autofree char *log = NULL;
  gsize canonical_len = 0, signature_len = 0;
  JsonObject *object;
  const char *serve[] = { "--questionnaire", signed_path, NULL };
  int status = 0;

  {
    const char *argv[] = { test_server_admin_path (), "questionnaire", "sign", source, "--office", server->office_dir,
                           "--passphrase-file", server->passphrase_file, "--out", signed_path, NULL };
    const char *argv_other[] = { test_server_admin_path (), "questionnaire", "sign", source, "--office", other->office_dir,
                                 "--passphrase-file", other->passphrase_file, "--out", foreign_path, NULL };

    g_assert_cmpint (intake_test_run (argv, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint (intake_test_run (argv_other, NULL, NULL, NULL), ==, 0);
  }

  g_assert_true (test_server_start (server, serve, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  response = test_kiosk_request (kiosk, server, "GET", "/v1/questionnaire", NULL, 0);
  g_assert_cmpuint (response->status, ==, 200);
  object = object_of (response);
  canonical_data = g_base64_decode (json_object_get_string_member (object, "canonical"), &canonical_len);
  signature = g_base64_decode (json_object_get_string_member (object, "signature"), &signature_len);
  g_assert_cmpuint (signature_len, ==, INTAKE_SIGNATURE_BYTES);
  canonical = g_bytes_new (canonical_data, canonical_len);
  intake_office_public_verify (server->office, "questionnaire", canonical, signature, &error);
  g_assert_no_error (error);
  original = intake_questionnaire_new_from_file (source, &error);
  g_assert_no_error (error);
  expected = intake_questionnaire_dup_canonical (original);
  g_assert_true (g_bytes_equal (canonical, expected));

  url = g_strconcat (server->url, "/v1/questionnaire", NULL);
  unsigned_request = test_http (server->session, "GET", url, NULL, NULL);
  assert_error (unsigned_request, 401, "unauthenticated");
  test_server_stop (server);

  /* A signature that does not verify: the server refuses to start. */
  g_file_get_contents (signed_path, &contents, NULL, &error);
  g_assert_no_error (error);
  {
    char *sig = strstr (contents, "\"signature\"");

    g_assert_nonnull (sig);
    sig = strchr (sig + strlen ("\"signature\""), '"') + 1;
    *sig = *sig == 'A' ? 'B' : 'A';
  }
  intake_test_write_file (bad_path, contents);
  serve[1] = bad_path;
  g_assert_false (test_server_start (server, serve, &status));
  g_assert_cmpint (status, ==, 1);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "does not verify"));
  g_assert_true (strchr (log, '\n') == log + strlen (log) - 1);

  /* Signed by another office's key: refused the same way. */
  serve[1] = foreign_path;
  g_assert_false (test_server_start (server, serve, &status));
  g_assert_cmpint (status, ==, 1);
}

static char *
get_metrics (TestServer *server)
{
  g_autofree char *url = g_strconcat (server->url, "/metrics", NULL);
  g_autoptr(TestResponse) response = test_http (server->session, "GET", url, NULL, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  return g_strndup (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body));
}

static void
assert_metric (const char *metrics,
               const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);

  if (strstr (metrics, needle) == NULL)
    g_error ("metric line \"%s\" missing in:\n%s", line, metrics);
}

/* /healthz, /metrics and the log: counts move, and nothing names a submission. */
static void
test_operations (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(TestResponse) health = NULL;
  g_autoptr(TestResponse) upload = NULL;
  g_autoptr(TestResponse) again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *log = NULL;
  g_autofree char *url = NULL;
  GBytes *tampered;

  g_assert_true (test_server_start (server, NULL, NULL));
  url = g_strconcat (server->url, "/healthz", NULL);
  health = test_http (server->session, "GET", url, NULL, NULL);
  g_assert_cmpuint (health->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (health), "status"), ==, "ok");

  kiosk = test_kiosk_new_enrolled (server);
  before = get_metrics (server);
  assert_metric (before, "intake_envelopes_stored_total 0");
  assert_metric (before, "intake_devices{status=\"active\"} 1");

  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  tampered = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, flip_byte (tampered, g_bytes_get_size (tampered) - 1));
  g_bytes_unref (tampered);
  upload = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (upload->status, ==, 200);
  g_ptr_array_remove_index (batch, 2);
  again = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (again->status, ==, 200);

  after = get_metrics (server);
  assert_metric (after, "# TYPE intake_request_duration_seconds histogram");
  assert_metric (after, "intake_envelopes_stored_total 2");
  assert_metric (after, "intake_envelopes_duplicate_total 2");
  assert_metric (after, "intake_envelopes_conflict_total 0");
  assert_metric (after, "intake_envelopes_rejected_total{reason=\"bad_signature\"} 1");
  assert_metric (after, "intake_requests_total{path=\"/v1/envelopes\",status=\"200\"} 2");
  assert_metric (after, "intake_requests_total{path=\"/v1/enroll\",status=\"200\"} 1");
  assert_metric (after, "intake_requests_total{path=\"/healthz\",status=\"200\"} 1");
  assert_metric (after, "intake_store_up 1");
  g_assert_nonnull (strstr (after, "intake_request_duration_seconds_count "));
  g_assert_nonnull (strstr (after, "intake_request_duration_seconds_bucket{le=\"+Inf\"} "));

  test_server_stop (server);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "msg=start "));
  g_assert_nonnull (strstr (log, "path=/v1/envelopes status=200"));
  g_assert_nonnull (strstr (log, " stored=2 duplicate=0 conflict=0 rejected=1"));
  g_assert_nonnull (strstr (log, " device="));
  g_assert_nonnull (strstr (log, "msg=stop"));
  for (guint i = 0; i < batch->len; i++)
    {
      g_autofree char *id = submission_hex (g_ptr_array_index (batch, i));

      /* Neither metrics nor logs name a submission, a location or an answer. */
      g_assert_null (strstr (after, id));
      g_assert_null (strstr (log, id));
    }
  g_assert_null (strstr (after, kiosk->device_id));
  g_assert_null (strstr (after, "Vaals"));
  g_assert_null (strstr (log, "Vaals"));
  g_assert_null (strstr (log, "Canary"));
  {
    char *p = log;
    guint lines = 0;

    /* One line per event, each key=value. */
    while ((p = strchr (p, '\n')) != NULL)
      lines++, p++;
    g_assert_cmpuint (lines, >=, 6);
  }
}

/* --pg-statement-timeout: whole seconds, and only with --postgres. */
static void
test_pg_statement_timeout_option (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autofree char *log = NULL;
  const char *zero[] = { "--pg-statement-timeout", "0", NULL };
  const char *too_long[] = { "--pg-statement-timeout", "3601", NULL };
  const char *not_a_number[] = { "--pg-statement-timeout", "5s", NULL };
  const char *five[] = { "--pg-statement-timeout", "5", NULL };
  int status = 0;

  if (!test_server_use_postgres ())
    {
      g_assert_false (test_server_start (server, five, &status));
      g_assert_cmpint (status, ==, 2);
      log = test_server_read_log (server);
      g_assert_true (g_str_has_prefix (log, "intake-server: --pg-statement-timeout goes with --postgres\n"));
      return;
    }

  g_assert_false (test_server_start (server, zero, &status));
  g_assert_cmpint (status, ==, 2);
  log = test_server_read_log (server);
  g_assert_true (g_str_has_prefix (log, "intake-server: --pg-statement-timeout takes whole seconds from 1 to 3600\n"));
  g_assert_false (test_server_start (server, too_long, &status));
  g_assert_cmpint (status, ==, 2);
  g_assert_false (test_server_start (server, not_a_number, &status));
  g_assert_cmpint (status, ==, 2);
  g_assert_true (test_server_start (server, five, &status));
  test_server_stop (server);
}

/* One request sent without waiting for it. */
typedef struct {
  SoupMessage *msg;
  GBytes      *body;
  GError      *error;
  gboolean     done;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->msg);
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_clear_error (&exchange->error);
  g_free (exchange);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exchange, exchange_free)

static void
exchange_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Exchange *exchange = user_data;

  exchange->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &exchange->error);
  exchange->done = TRUE;
}

/* Takes @msg. */
static Exchange *
exchange_start (SoupSession *session,
                SoupMessage *msg)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->msg = msg;
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, exchange_done_cb, exchange);
  return exchange;
}

static const char *
exchange_error_code (Exchange *exchange)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  g_assert_no_error (exchange->error);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (exchange->body, NULL),
                                   (gssize)g_bytes_get_size (exchange->body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    return NULL;
  return g_intern_string (json_object_get_string_member_with_default (json_node_get_object (root), "error", NULL));
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static PGresult *
pg_exec_ok (PGconn     *conn,
            const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  return res;
}

/* Whether a statement is waiting for a lock on the envelopes table. */
static gboolean
envelopes_lock_awaited (PGconn *conn)
{
  PGresult *res = pg_exec_ok (conn, "SELECT count(*) FROM pg_locks "
                                    "WHERE NOT granted AND relation = 'envelopes'::regclass");
  gboolean waiting = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10) > 0;

  PQclear (res);
  return waiting;
}

/* A statement that waits on a lock someone else holds is cancelled after
 * the statement timeout: the upload gets 503 in bounded time, the requests
 * queued behind it (/healthz) are answered, nothing half-written stays, and
 * the same connection stores the envelope once the lock is gone. Without
 * the timeout the server waits as long as the lock is held. */
static void
test_pg_stuck_query (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupSession) health_session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autoptr(Exchange) upload = NULL;
  g_autoptr(Exchange) health = NULL;
  g_autoptr(TestResponse) retry = NULL;
  g_autoptr(GArray) items = NULL;
  g_autofree char *healthz = NULL;
  g_autofree char *log = NULL;
  g_autofree char *submission_id = NULL;
  const char *args[] = { "--pg-statement-timeout", "2", NULL };
  /* The lock wait gives up after 1 s and the statement after 2 s; the
   * rest is room for a slow machine. */
  const gint64 bound = 15 * G_USEC_PER_SEC;
  gint64 started, answered = 0;
  gboolean awaited = FALSE;
  PGconn *locker;
  guint tick;

  g_assert_true (test_server_start (server, args, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  submission_id = submission_hex (g_ptr_array_index (batch, 0));
  body = test_upload_body (batch);
  healthz = g_strconcat (server->url, "/healthz", NULL);

  locker = PQconnectdb (server->conninfo);
  g_assert_cmpint (PQstatus (locker), ==, CONNECTION_OK);
  PQclear (pg_exec_ok (locker, "BEGIN"));
  PQclear (pg_exec_ok (locker, "LOCK TABLE envelopes IN ACCESS EXCLUSIVE MODE"));

  /* The main loop wakes up at least every 20 ms, so the deadlines are
   * checked without sleeping. */
  tick = g_timeout_add (20, tick_cb, NULL);
  started = g_get_monotonic_time ();
  upload = exchange_start (server->session,
                           test_kiosk_message_new (kiosk, server, "POST", "/v1/envelopes", body, 0));
  while (!upload->done && !(awaited = envelopes_lock_awaited (locker)) &&
         g_get_monotonic_time () - started < bound)
    g_main_context_iteration (NULL, TRUE);
  /* The upload is stuck on our lock; /healthz queues up behind it. */
  g_assert_true (awaited);
  g_assert_false (upload->done);
  health = exchange_start (health_session, soup_message_new ("GET", healthz));
  while (!(upload->done && health->done) && g_get_monotonic_time () - started < bound)
    g_main_context_iteration (NULL, TRUE);
  answered = g_get_monotonic_time ();
  if (!(upload->done && health->done))
    {
      /* Unblock everything before failing, so no server is left behind. */
      test_server_kill (server);
      PQfinish (locker);
      while (!(upload->done && health->done) && g_get_monotonic_time () - answered < bound)
        g_main_context_iteration (NULL, TRUE);
      g_clear_handle_id (&tick, g_source_remove);
      g_error ("the server did not answer within %" G_GINT64_FORMAT " s while a statement waited on a lock",
               bound / G_USEC_PER_SEC);
    }
  g_clear_handle_id (&tick, g_source_remove);
  g_test_message ("upload and /healthz answered after %.1f s", (answered - started) / 1e6);

  g_assert_no_error (upload->error);
  g_assert_cmpuint (soup_message_get_status (upload->msg), ==, 503);
  g_assert_cmpstr (exchange_error_code (upload), ==, "store_unavailable");
  /* The health query reads no locked table: the store itself answers. */
  g_assert_no_error (health->error);
  g_assert_cmpuint (soup_message_get_status (health->msg), ==, 200);

  /* The lock is gone: the same server stores the envelope, as new. */
  PQclear (pg_exec_ok (locker, "ROLLBACK"));
  PQfinish (locker);
  retry = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (retry->status, ==, 200);
  assert_result (retry, 0, "stored", NULL);
  items = test_verify_receipt (kiosk, retry);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (store_envelope_count (server), ==, 1);

  test_server_stop (server);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "level=error msg=store error=store_unavailable"));
  g_assert_nonnull (strstr (log, "lock timeout"));
  g_assert_nonnull (strstr (log, "path=/v1/envelopes status=503"));
  g_assert_nonnull (strstr (log, "path=/healthz status=200"));
  g_assert_null (strstr (log, submission_id));
}

static void
drop_log_cb (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
}

/* An envelope of @kiosk with the submission id of @like and other bytes:
 * the server must call it a conflict. */
static GBytes *
seal_conflicting (TestServer *server,
                  TestKiosk  *kiosk,
                  GBytes     *like)
{
  IntakeEnvelopeHeader header;
  IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "intake-test", .questionnaire_version = 2 };
  g_autoptr(GError) error = NULL;
  GBytes *envelope;

  g_assert_true (intake_envelope_parse_header (like, &header, NULL));
  memcpy (info.submission_id, header.submission_id, sizeof info.submission_id);
  envelope = intake_envelope_seal (server->office, kiosk->key, &info, (const guint8 *)"{}", 2, &error);
  g_assert_no_error (error);
  return envelope;
}

/* The same mix for @kiosk: two envelopes stored beforehand, then a batch
 * of new, duplicate, conflicting and refused envelopes, with a repeat and
 * a conflict inside the batch itself. Returns the batch. */
static GPtrArray *
mixed_scenario (TestServer *server,
                TestKiosk  *kiosk)
{
  g_autoptr(GPtrArray) before = envelopes_new ();
  g_autoptr(TestResponse) response = NULL;
  GPtrArray *batch = envelopes_new ();
  GBytes *fresh, *base;

  g_ptr_array_add (before, test_kiosk_seal (kiosk, server->office));
  g_ptr_array_add (before, test_kiosk_seal (kiosk, server->office));
  response = test_kiosk_upload (kiosk, server, before);
  g_assert_cmpuint (response->status, ==, 200);

  fresh = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));                    /* new */
  g_ptr_array_add (batch, g_bytes_ref (g_ptr_array_index (before, 0)));                /* duplicate */
  g_ptr_array_add (batch, seal_conflicting (server, kiosk, g_ptr_array_index (before, 1))); /* conflict */
  base = test_kiosk_seal (kiosk, server->office);
  g_ptr_array_add (batch, flip_byte (base, g_bytes_get_size (base) - 70));             /* bad signature */
  g_bytes_unref (base);
  g_ptr_array_add (batch, g_bytes_ref (fresh));                                        /* new */
  g_ptr_array_add (batch, g_bytes_new_static ("IKEN", 4));                             /* malformed */
  g_ptr_array_add (batch, g_bytes_ref (fresh));                                        /* duplicate in the batch */
  g_ptr_array_add (batch, seal_conflicting (server, kiosk, fresh));                    /* conflict in the batch */
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));                    /* new */
  g_ptr_array_add (batch, g_bytes_ref (g_ptr_array_index (before, 1)));                /* duplicate */
  g_bytes_unref (fresh);
  return batch;
}

/* "status[/reason]" of each result, and the receipt's items checked. */
static char *
verdicts_of (TestKiosk    *kiosk,
             TestResponse *response,
             guint         first_index,
             guint        *inout_receipt_items)
{
  JsonArray *results = json_object_get_array_member (object_of (response), "results");
  g_autoptr(GArray) items = test_verify_receipt (kiosk, response);
  GString *out = g_string_new (NULL);

  g_assert_cmpuint (response->status, ==, 200);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *reason = json_object_get_string_member_with_default (result, "reason", NULL);

      g_assert_cmpint (json_object_get_int_member (result, "index"), ==, i);
      g_string_append_printf (out, "%u:%s%s%s ", first_index + i, json_object_get_string_member (result, "status"),
                              reason != NULL ? "/" : "", reason != NULL ? reason : "");
    }
  *inout_receipt_items += items->len;
  return g_string_free (out, FALSE);
}

/* Group commit changes no verdict: a mixed batch in one request gets the
 * verdicts (and receipt items) that the same envelopes get one request
 * each (one transaction each, as before group commit), and the store ends
 * the same. Two kiosks on one server play the same scenario both ways. */
static void
test_group_commit_verdicts (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) batched = NULL;
  g_autoptr(TestKiosk) single = NULL;
  g_autoptr(GPtrArray) batch_a = NULL;
  g_autoptr(GPtrArray) batch_b = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verdicts_a = NULL;
  g_autoptr(GString) verdicts_b = g_string_new (NULL);
  guint items_a = 0, items_b = 0;
  IntakeStoreCounts counts;

  g_assert_true (test_server_start (server, NULL, NULL));
  batched = test_kiosk_new_enrolled (server);
  single = test_kiosk_new_enrolled (server);
  batch_a = mixed_scenario (server, batched);
  batch_b = mixed_scenario (server, single);

  response = test_kiosk_upload (batched, server, batch_a);
  verdicts_a = verdicts_of (batched, response, 0, &items_a);
  for (guint i = 0; i < batch_b->len; i++)
    {
      g_autoptr(GPtrArray) one = envelopes_new ();
      g_autoptr(TestResponse) one_response = NULL;
      g_autofree char *verdict = NULL;

      g_ptr_array_add (one, g_bytes_ref (g_ptr_array_index (batch_b, i)));
      one_response = test_kiosk_upload (single, server, one);
      verdict = verdicts_of (single, one_response, i, &items_b);
      g_string_append (verdicts_b, verdict);
    }
  g_test_message ("batched: %s", verdicts_a);
  g_assert_cmpstr (verdicts_a, ==, verdicts_b->str);
  g_assert_cmpstr (verdicts_a, ==, "0:stored 1:duplicate 2:conflict 3:rejected/bad_signature 4:stored "
                                   "5:rejected/malformed 6:duplicate 7:conflict 8:stored 9:duplicate ");
  g_assert_cmpuint (items_a, ==, items_b);
  g_assert_cmpuint (items_a, ==, 6);

  store = test_server_open_store (server);
  intake_store_get_counts (store, &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (counts.envelopes, ==, 2 * (2 + 3));
  g_assert_cmpint (counts.conflicts, ==, 2 * 2);
  test_server_stop (server);
}

/* Runs @sql on the server's store: SQLite through its file (WAL lets a
 * second connection write between the server's transactions), PostgreSQL
 * through its conninfo. */
static void
store_exec (TestServer *server,
            const char *sql)
{
  if (server->conninfo != NULL)
    {
      PGconn *conn = PQconnectdb (server->conninfo);

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      PQclear (pg_exec_ok (conn, sql));
      PQfinish (conn);
    }
  else
    {
      g_autofree char *path = g_build_filename (server->data_dir, "intake.db", NULL);
      sqlite3 *db = NULL;
      char *message = NULL;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      sqlite3_busy_timeout (db, 5000);
      if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
        g_error ("%s: %s", sql, message);
      sqlite3_close (db);
    }
}

/* One request is one transaction: the database itself (a trigger the test
 * adds) fails the insert of the batch's last envelope; the server answers 503 store_unavailable,
 * which the kiosk retries, and none of the batch's other envelopes was
 * stored (no receipt was signed either). The retry stores them all. */
static void
test_group_commit_atomic (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(TestResponse) failed = NULL;
  g_autoptr(TestResponse) retried = NULL;
  g_autoptr(GArray) items = NULL;
  g_autofree char *last = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *log = NULL;
  const guint n = 20;
  guint last_index = 0;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);

  for (guint i = 0; i < n; i++)
    {
      GBytes *envelope = test_kiosk_seal (kiosk, server->office);
      g_autofree char *id = submission_hex (envelope);

      g_ptr_array_add (batch, envelope);
      if (last == NULL || strcmp (id, last) > 0)
        {
          g_free (last);
          last = g_steal_pointer (&id);
          last_index = i;
        }
    }
  /* Last in the request: one transaction per envelope would have stored
   * the 19 before it. */
  g_ptr_array_add (batch, g_ptr_array_steal_index (batch, last_index));

  if (server->conninfo != NULL)
    sql = g_strdup_printf ("CREATE FUNCTION intake_test_fail () RETURNS trigger LANGUAGE plpgsql AS $$ "
                           "BEGIN IF NEW.submission_id = '%s' THEN RAISE EXCEPTION 'injected failure'; END IF; "
                           "RETURN NEW; END $$; "
                           "CREATE TRIGGER intake_test_fail BEFORE INSERT ON submissions FOR EACH ROW "
                           "EXECUTE FUNCTION intake_test_fail ();", last);
  else
    sql = g_strdup_printf ("CREATE TRIGGER intake_test_fail BEFORE INSERT ON submissions "
                           "WHEN NEW.submission_id = '%s' BEGIN SELECT RAISE (ABORT, 'injected failure'); END;",
                           last);
  store_exec (server, sql);

  failed = test_kiosk_upload (kiosk, server, batch);
  assert_error (failed, SOUP_STATUS_SERVICE_UNAVAILABLE, "store_unavailable");
  g_assert_cmpint (store_envelope_count (server), ==, 0);
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "injected failure"));

  store_exec (server, server->conninfo != NULL ? "DROP TRIGGER intake_test_fail ON submissions"
                                               : "DROP TRIGGER intake_test_fail");
  retried = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (retried->status, ==, 200);
  for (guint i = 0; i < n; i++)
    assert_result (retried, i, "stored", NULL);
  items = test_verify_receipt (kiosk, retried);
  g_assert_cmpuint (items->len, ==, n);
  g_assert_cmpint (store_envelope_count (server), ==, n);
  test_server_stop (server);
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A transaction of the test's own on the server's store: SQLite's BEGIN
 * IMMEDIATE on the file (the whole database's write lock), PostgreSQL's
 * BEGIN on a connection of its own. */
typedef struct {
  sqlite3 *db;
  PGconn  *pg;
} StoreTransaction;

static StoreTransaction
store_transaction_begin (TestServer *server)
{
  StoreTransaction t = { NULL, NULL };

  if (server->conninfo != NULL)
    {
      t.pg = PQconnectdb (server->conninfo);
      g_assert_cmpint (PQstatus (t.pg), ==, CONNECTION_OK);
      PQclear (pg_exec_ok (t.pg, "BEGIN"));
    }
  else
    {
      g_autofree char *path = g_build_filename (server->data_dir, "intake.db", NULL);

      g_assert_cmpint (sqlite3_open (path, &t.db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (t.db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
    }
  return t;
}

static void
store_transaction_exec (StoreTransaction *t,
                        const char       *sql)
{
  if (t->pg != NULL)
    PQclear (pg_exec_ok (t->pg, sql));
  else
    g_assert_cmpint (sqlite3_exec (t->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* COMMIT or ROLLBACK, and the connection closed. */
static void
store_transaction_end (StoreTransaction *t,
                       gboolean          commit)
{
  store_transaction_exec (t, commit ? "COMMIT" : "ROLLBACK");
  g_clear_pointer (&t->pg, PQfinish);
  g_clear_pointer (&t->db, sqlite3_close);
}

/* The store's write lock, held by the test: SQLite's BEGIN IMMEDIATE on
 * the file, PostgreSQL's LOCK TABLE envelopes. An upload commit waits on it
 * (PostgreSQL until its lock timeout, half the statement timeout: 5 s by
 * default). */
typedef StoreTransaction WriteLock;

static WriteLock
write_lock_take (TestServer *server)
{
  WriteLock lock = store_transaction_begin (server);

  if (lock.pg != NULL)
    store_transaction_exec (&lock, "LOCK TABLE envelopes IN EXCLUSIVE MODE");
  return lock;
}

static void
write_lock_release (WriteLock *lock)
{
  store_transaction_end (lock, FALSE);
}

/* @n_requests enrolled kiosks (one per request: a device has at most four
 * large bodies in flight, the front door), and a batch of @per_request
 * envelopes for each. */
static void
uploaders_new (TestServer *server,
               guint       n_requests,
               guint       per_request,
               GPtrArray  *kiosks,
               GPtrArray  *batches)
{
  for (guint r = 0; r < n_requests; r++)
    {
      TestKiosk *kiosk = test_kiosk_new_enrolled (server);
      GPtrArray *batch = envelopes_new ();

      g_ptr_array_add (kiosks, kiosk);
      for (guint i = 0; i < per_request; i++)
        g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
      g_ptr_array_add (batches, batch);
    }
}

/* SIGTERM while uploads wait for their commit (the test holds the store's
 * write lock): the server stops accepting, lets the uploads it has read
 * be checked and committed once the lock is released, and only then
 * exits, cleanly. Everything it read is stored; a kiosk that got no answer
 * sends again and learns "duplicate". */
static void
test_stop_while_committing (void)
{
  const guint n_requests = 4, per_request = 10;
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func ((GDestroyNotify)test_kiosk_free);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 16, "max-conns", 16,
                                                                  "timeout", 60, NULL);
  g_autoptr(GPtrArray) exchanges = g_ptr_array_new_with_free_func ((GDestroyNotify)exchange_free);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GError) error = NULL;
  gboolean waited = FALSE;
  WriteLock lock;
  gint64 deadline;

  g_assert_true (test_server_start (server, NULL, NULL));
  uploaders_new (server, n_requests, per_request, kiosks, batches);

  lock = write_lock_take (server);
  for (guint r = 0; r < n_requests; r++)
    {
      g_autoptr(GBytes) body = test_upload_body (g_ptr_array_index (batches, r));

      g_ptr_array_add (exchanges,
                       exchange_start (session, test_kiosk_message_new (g_ptr_array_index (kiosks, r), server,
                                                                        "POST", "/v1/envelopes", body, 0)));
    }
  /* The uploads are read and wait on the lock (the server's main loop
   * is free meanwhile: /metrics answers); then SIGTERM. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (test_server_metric (server, "intake_uploads_waiting") < n_requests && g_get_monotonic_time () < deadline)
    {
      waited = FALSE;
      g_timeout_add (50, flag_cb, &waited);
      while (!waited)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (test_server_metric (server, "intake_uploads_waiting"), ==, n_requests);
  g_subprocess_send_signal (server->proc, SIGTERM);
  waited = FALSE;
  g_timeout_add (300, flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  /* Still running (not reaped yet: it has an identifier): it waits for the commit. */
  g_assert_nonnull (g_subprocess_get_identifier (server->proc));
  write_lock_release (&lock);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (server->proc), ==, 0);
  g_clear_object (&server->proc);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (guint r = 0; r < n_requests; r++)
    {
      Exchange *exchange = g_ptr_array_index (exchanges, r);

      while (!exchange->done && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (exchange->done);
    }
  g_assert_cmpint (store_envelope_count (server), ==, n_requests * per_request);

  /* Sent again to the restarted server: each one a duplicate, nothing twice. */
  g_assert_true (test_server_start (server, NULL, NULL));
  for (guint r = 0; r < n_requests; r++)
    {
      g_autoptr(TestResponse) again = test_kiosk_upload (g_ptr_array_index (kiosks, r), server,
                                                         g_ptr_array_index (batches, r));

      g_assert_cmpuint (again->status, ==, 200);
      for (guint i = 0; i < per_request; i++)
        assert_result (again, i, "duplicate", NULL);
    }
  g_assert_cmpint (store_envelope_count (server), ==, n_requests * per_request);
  test_server_stop (server);
}

/* Concurrent uploads share a commit: while the test holds the store's
 * write lock (SQLite: BEGIN IMMEDIATE on the file; PostgreSQL: LOCK TABLE
 * envelopes), eight signed uploads arrive, and last a replay of an upload
 * stored before; the server checks them, its first commit waits on the
 * lock, and the rest are stored together once it is released. Every
 * verdict and receipt is as usual, the replay is refused without costing
 * the others theirs (PostgreSQL's one-round-trip commit falls back to
 * step by step); the server's own counters (/metrics) show fewer commits
 * than requests. */
static void
test_shared_commit (void)
{
  const guint n_requests = 8, per_request = 10;
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func ((GDestroyNotify)test_kiosk_free);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 16, "max-conns", 16,
                                                                  "timeout", 60, NULL);
  g_autoptr(GPtrArray) exchanges = g_ptr_array_new_with_free_func ((GDestroyNotify)exchange_free);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  gint64 commits_before, requests_before, commits, requests;
  g_autoptr(GPtrArray) early = envelopes_new ();
  g_autoptr(GBytes) early_body = NULL;
  g_autoptr(SoupMessage) early_msg = NULL;
  Exchange *replay;
  gboolean waited = FALSE;
  WriteLock lock;
  gint64 deadline;

  g_assert_true (test_server_start (server, NULL, NULL));
  uploaders_new (server, n_requests, per_request, kiosks, batches);
  /* Stored before, to be replayed in the shared commit. */
  g_ptr_array_add (early, test_kiosk_seal (g_ptr_array_index (kiosks, 0), server->office));
  early_body = test_upload_body (early);
  early_msg = test_kiosk_message_new (g_ptr_array_index (kiosks, 0), server, "POST", "/v1/envelopes", early_body, 0);
  {
    g_autoptr(TestResponse) first = test_send (server->session, early_msg);

    g_assert_cmpuint (first->status, ==, 200);
    assert_result (first, 0, "stored", NULL);
  }
  commits_before = test_server_metric (server, "intake_upload_commits_total");
  requests_before = test_server_metric (server, "intake_upload_commit_requests_total");

  lock = write_lock_take (server);

  for (guint r = 0; r < n_requests; r++)
    {
      g_autoptr(GBytes) body = test_upload_body (g_ptr_array_index (batches, r));

      g_ptr_array_add (exchanges,
                       exchange_start (session, test_kiosk_message_new (g_ptr_array_index (kiosks, r), server, "POST", "/v1/envelopes", body, 0)));
    }
  replay = exchange_start (session, test_message_copy_to (early_msg, server, early_body));
  /* Released well before PostgreSQL's lock wait gives up. */
  g_timeout_add (400, flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  write_lock_release (&lock);

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (guint r = 0; r < n_requests; r++)
    {
      Exchange *exchange = g_ptr_array_index (exchanges, r);

      while (!exchange->done && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (exchange->done);
    }

  for (guint r = 0; r < n_requests; r++)
    {
      Exchange *exchange = g_ptr_array_index (exchanges, r);
      GPtrArray *batch = g_ptr_array_index (batches, r);
      g_autoptr(GArray) items = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      TestResponse response = { 0 };

      g_assert_no_error (exchange->error);
      g_assert_cmpuint (soup_message_get_status (exchange->msg), ==, 200);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (exchange->body, NULL),
                                                 (gssize)g_bytes_get_size (exchange->body), NULL));
      response.status = 200;
      response.body = exchange->body;
      response.json = json_parser_get_root (parser);
      for (guint i = 0; i < per_request; i++)
        assert_result (&response, i, "stored", NULL);
      items = test_verify_receipt (g_ptr_array_index (kiosks, r), &response);
      g_assert_cmpuint (items->len, ==, per_request);
      for (guint i = 0; i < per_request; i++)
        {
          g_autofree char *id = submission_hex (g_ptr_array_index (batch, i));

          g_assert_cmpstr (g_array_index (items, IntakeReceiptItem, i).submission_id, ==, id);
        }
    }
  while (!replay->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (replay->done);
  g_assert_cmpuint (soup_message_get_status (replay->msg), ==, 401);
  g_assert_cmpstr (exchange_error_code (replay), ==, "replayed_request");
  exchange_free (replay);
  g_assert_cmpint (store_envelope_count (server), ==, n_requests * per_request + 1);

  commits = test_server_metric (server, "intake_upload_commits_total") - commits_before;
  requests = test_server_metric (server, "intake_upload_commit_requests_total") - requests_before;
  g_test_message ("%" G_GINT64_FORMAT " requests stored in %" G_GINT64_FORMAT " commits", requests, commits);
  g_assert_cmpint (requests, ==, n_requests + 1);
  g_assert_cmpint (commits, >=, 1);
  g_assert_cmpint (commits, <=, n_requests / 2);
  test_server_stop (server);
}

/* A kiosk that gives up while its upload waits for the commit (a client
 * timeout): the server stores it all the same, stays up, and the kiosk's
 * retry is told "duplicate". */
static void
test_client_gone_while_queued (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(SoupSession) impatient = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(Exchange) upload = NULL;
  g_autoptr(TestResponse) retry = NULL;
  gboolean waited = FALSE;
  WriteLock lock;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  body = test_upload_body (batch);

  lock = write_lock_take (server);
  upload = exchange_start (impatient, test_kiosk_message_new (kiosk, server, "POST", "/v1/envelopes", body, 0));
  while (!upload->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (upload->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  /* Had the store given up on the lock (PostgreSQL's lock timeout,
   * SQLite's 5 s), the upload's commit failed (503 to nobody) and nothing
   * is stored: either way the retry below stores or finds it. */
  g_timeout_add (200, flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  write_lock_release (&lock);

  retry = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (retry->status, ==, 200);
  for (guint i = 0; i < batch->len; i++)
    {
      const char *status = json_object_get_string_member (result_at (retry, i), "status");

      g_assert_true (g_str_equal (status, "stored") || g_str_equal (status, "duplicate"));
    }
  g_assert_cmpint (store_envelope_count (server), ==, batch->len);
  test_server_stop (server);
}

/* A kiosk revoked while its upload waits for the commit (checked, its
 * device found active, from the server's cache even): the commit sees the
 * revocation and stores nothing; the kiosk is told device_revoked. The
 * revocation is held uncommitted on the device's row (PostgreSQL: the
 * upload's share lock on that row waits for it; SQLite: the whole
 * database) until the upload is waiting. */
static void
test_revoked_while_queued (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) first = envelopes_new ();
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TestResponse) stored = NULL;
  g_autoptr(Exchange) upload = NULL;
  g_autofree char *revoke = NULL;
  gboolean waited = FALSE;
  StoreTransaction revocation;
  gint64 deadline;

  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  /* A first upload: the device is now in the uploads' cache. */
  g_ptr_array_add (first, test_kiosk_seal (kiosk, server->office));
  stored = test_kiosk_upload (kiosk, server, first);
  g_assert_cmpuint (stored->status, ==, 200);
  assert_result (stored, 0, "stored", NULL);

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  body = test_upload_body (batch);
  revoke = g_strdup_printf ("UPDATE devices SET status = 'revoked', revoked_at = %" G_GINT64_FORMAT
                            " WHERE device_id = '%s'", g_get_real_time () / G_USEC_PER_SEC, kiosk->device_id);
  revocation = store_transaction_begin (server);
  store_transaction_exec (&revocation, revoke);

  upload = exchange_start (server->session, test_kiosk_message_new (kiosk, server, "POST", "/v1/envelopes", body, 0));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (test_server_metric (server, "intake_uploads_waiting") < 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (test_server_metric (server, "intake_uploads_waiting"), ==, 1);
  /* Long enough for the commit to be under way and waiting; well before
   * the lock waits give up. */
  g_timeout_add (300, flag_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (upload->done);
  store_transaction_end (&revocation, TRUE);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!upload->done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (upload->done);
  g_assert_no_error (upload->error);
  g_assert_cmpuint (soup_message_get_status (upload->msg), ==, 403);
  g_assert_cmpstr (exchange_error_code (upload), ==, "device_revoked");
  g_assert_cmpint (store_envelope_count (server), ==, 1);

  /* And from now on without waiting for a commit: the cache entry is gone. */
  {
    g_autoptr(TestResponse) again = test_kiosk_upload (kiosk, server, batch);

    assert_error (again, 403, "device_revoked");
  }
  g_assert_cmpint (store_envelope_count (server), ==, 1);
  test_server_stop (server);
}

static TestResponse *
check_in (TestKiosk  *kiosk,
          TestServer *server,
          const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(SoupMessage) msg = test_kiosk_message_new (kiosk, server, "POST", "/v1/check-in", bytes, 0);

  return test_send (server->session, msg);
}

/* The fleet (issue 16, point 5): each kiosk's check-in is kept per device
 * (intake-admin device list) and summed up in /metrics without device ids
 * or locations; a malformed report is refused and records nothing. */
static void
test_check_in (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) one = NULL;
  g_autoptr(TestKiosk) two = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *list[] = { "device", "list", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *good = g_strdup_printf ("{\"pending\": 3, \"oldest_pending_at\": %" G_GINT64_FORMAT ", "
                                           "\"questionnaire\": \"szmh-intake/2\", \"app_version\": \"0.9.0\", "
                                           "\"last_error\": \"offline\"}", now - 7200);
  static const char * const bad[] = {
    "{\"pending\": -1, \"oldest_pending_at\": 0, \"questionnaire\": \"q/1\", \"app_version\": \"1\", \"last_error\": \"\"}",
    "{\"pending\": 1, \"oldest_pending_at\": 0, \"questionnaire\": \"q/1\", \"app_version\": \"1\"}",
    "{\"pending\": 1, \"oldest_pending_at\": 0, \"questionnaire\": \"q/1\", \"app_version\": \"1\", \"last_error\": \"\", \"x\": 1}",
    "{\"pending\": 1, \"oldest_pending_at\": 0, \"questionnaire\": \"Ahmed El Amrani\", \"app_version\": \"1\", \"last_error\": \"\"}",
    "{\"pending\": 1, \"oldest_pending_at\": 0, \"questionnaire\": \"q/1\", \"app_version\": \"1\", \"last_error\": \"a\\nb\"}",
    "{\"pending\": \"1\", \"oldest_pending_at\": 0, \"questionnaire\": \"q/1\", \"app_version\": \"1\", \"last_error\": \"\"}",
  };

  g_assert_true (test_server_start (server, NULL, NULL));
  one = test_kiosk_new_enrolled (server);
  two = test_kiosk_new_enrolled (server);

  /* Before any check-in: both silent only if enrolled over an hour ago. */
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_silent{over=\"1h\"}"), ==, 0);
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_pending"), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_clear_pointer (&response, test_response_free);
      response = check_in (one, server, bad[i]);
      g_assert_cmpuint (response->status, ==, 400);
      g_assert_cmpstr (test_response_error_code (response), ==, "malformed_body");
    }
  {
    g_autoptr(IntakeStore) store = test_server_open_store (server);

    device = intake_store_get_device (store, one->device_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (device->last_seen_at, ==, 0);
    g_clear_pointer (&device, intake_store_device_free);
  }

  g_clear_pointer (&response, test_response_free);
  response = check_in (one, server, good);
  g_assert_cmpuint (response->status, ==, 200);
  /* The answer is the keys, as GET /v1/office-keys. */
  g_assert_true (json_object_has_member (json_node_get_object (response->json), "office_public"));
  g_assert_true (json_object_has_member (json_node_get_object (response->json), "office_rotations"));
  g_assert_true (json_object_has_member (json_node_get_object (response->json), "server_rotations"));
  g_clear_pointer (&response, test_response_free);
  response = check_in (two, server, "{\"pending\": 0, \"oldest_pending_at\": 0, \"questionnaire\": "
                                    "\"szmh-intake/2\", \"app_version\": \"0.9.0\", \"last_error\": \"\"}");
  g_assert_cmpuint (response->status, ==, 200);

  {
    g_autoptr(IntakeStore) store = test_server_open_store (server);

    device = intake_store_get_device (store, one->device_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (device->last_seen_at, >=, now);
    g_assert_cmpint (device->reported_pending, ==, 3);
    g_assert_cmpint (device->oldest_pending_at, ==, now - 7200);
    g_assert_cmpstr (device->questionnaire, ==, "szmh-intake/2");
    g_assert_cmpstr (device->app_version, ==, "0.9.0");
    g_assert_cmpstr (device->last_error, ==, "offline");
  }
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_pending"), ==, 3);
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_oldest_pending_age_seconds"), >=, 7200);
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_by_version{app_version=\"0.9.0\","
                                               "questionnaire=\"szmh-intake/2\"}"), ==, 2);
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_with_problem{problem=\"offline\"}"), ==, 1);
  g_assert_cmpint (test_server_metric (server, "intake_kiosks_silent{over=\"1h\"}"), ==, 0);
  g_assert_cmpint (test_server_metric (server, "intake_build_info{version=\"" PACKAGE_VERSION "\",schema=\""
                                               G_STRINGIFY (INTAKE_STORE_SCHEMA_VERSION) "\"}"), ==, 1);

  /* The operator's view. */
  g_assert_cmpint (test_admin (server, list, 2, &out, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "LAST SEEN"));
  g_assert_nonnull (strstr (out, "szmh-intake/2"));
  g_assert_nonnull (strstr (out, "offline"));
}

/* PostgreSQL roles (issue 16, point 6; docs/server.md, "PostgreSQL roles"):
 * the owner migrates and grants, intake-server runs as a runtime role that
 * serves kiosks but cannot change the schema nor alter the audit log. */
static void
test_pg_roles (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) batch = envelopes_new ();
  g_autoptr(TestResponse) response = NULL;
  g_autofree char *admin_conninfo = g_strdup (server->conninfo);
  g_autofree char *suffix = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *owner = g_strconcat ("intake_owner_", suffix, NULL);
  g_autofree char *runtime = g_strconcat ("intake_runtime_", suffix, NULL);
  g_autofree char *owner_conninfo = g_strdup_printf ("%s user=%s", admin_conninfo, owner);
  g_autofree char *runtime_conninfo = g_strdup_printf ("%s user=%s", admin_conninfo, runtime);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *log = NULL;
  const char *migrate[] = { "db", "migrate", NULL };
  const char *grant[] = { "db", "grant", "--role", runtime, NULL };
  static const char * const denied[] = {
    "UPDATE audit_log SET result = 'changed'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "DELETE FROM audit_head",
    "DROP TABLE envelopes",
    "CREATE TABLE intruder (x int)",
    "ALTER TABLE devices ADD COLUMN intruder int",
  };
  PGconn *conn;
  int status = 0;

  conn = PQconnectdb (admin_conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  {
    g_autofree char *sql = g_strdup_printf ("CREATE ROLE %s LOGIN; CREATE ROLE %s LOGIN; "
                                            "ALTER DATABASE \"%s\" OWNER TO %s", owner, runtime, PQdb (conn), owner);

    PQclear (pg_exec_ok (conn, sql));
  }
  PQfinish (conn);

  /* The owner sets the store up. */
  g_free (server->conninfo);
  server->conninfo = g_strdup (owner_conninfo);
  g_assert_cmpint (test_admin (server, migrate, 2, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "schema " G_STRINGIFY (INTAKE_STORE_SCHEMA_VERSION)));

  /* Without the grant the runtime role cannot serve: one clear line. */
  g_free (server->conninfo);
  server->conninfo = g_strdup (runtime_conninfo);
  g_assert_false (test_server_start (server, NULL, &status));
  log = test_server_read_log (server);
  g_assert_nonnull (strstr (log, "permission denied"));
  g_clear_pointer (&log, g_free);

  g_free (server->conninfo);
  server->conninfo = g_strdup (owner_conninfo);
  g_assert_cmpint (test_admin (server, grant, 2, &out, &err), ==, 0);

  /* The runtime role serves: enrollment, an upload, audit events. */
  g_free (server->conninfo);
  server->conninfo = g_strdup (runtime_conninfo);
  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  response = test_kiosk_upload (kiosk, server, batch);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (test_verify_receipt (kiosk, response)->len, ==, 1);
  test_server_stop (server);

  /* The deployment's way (resources/systemd/intake-server-postgresql.conf):
   * --postgres service=NAME, the parameters and the password in a libpq
   * service file, none of it on the command line. */
  {
    g_autofree char *service_file = g_build_filename (server->dir, "pg_service.conf", NULL);
    g_autofree char *service = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *proc_path = NULL;
    gsize len = 0;

    service = g_strdup_printf ("[intake_test]\n%s\npassword=not-on-the-command-line\n", runtime_conninfo);
    /* One parameter per line, as libpq reads a service file. */
    g_strdelimit (service, " ", '\n');
    intake_test_write_file (service_file, service);
    g_setenv ("PGSERVICEFILE", service_file, TRUE);
    g_free (server->conninfo);
    server->conninfo = g_strdup ("service=intake_test");
    g_assert_true (test_server_start (server, NULL, NULL));
    proc_path = g_strdup_printf ("/proc/%s/cmdline", g_subprocess_get_identifier (server->proc));
    g_assert_true (g_file_get_contents (proc_path, &cmdline, &len, NULL));
    for (gsize i = 0; i + 1 < len; i++)
      if (cmdline[i] == '\0')
        cmdline[i] = ' ';
    g_assert_nonnull (strstr (cmdline, "service=intake_test"));
    g_assert_null (strstr (cmdline, "not-on-the-command-line"));
    g_assert_null (strstr (cmdline, "password"));
    test_server_stop (server);
    g_unsetenv ("PGSERVICEFILE");
  }

  /* What it cannot do, whoever holds its password. */
  conn = PQconnectdb (runtime_conninfo);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (guint i = 0; i < G_N_ELEMENTS (denied); i++)
    {
      PGresult *res = PQexec (conn, denied[i]);

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
      g_assert_true (strstr (PQerrorMessage (conn), "permission denied") != NULL ||
                     strstr (PQerrorMessage (conn), "must be owner") != NULL);
      PQclear (res);
    }
  PQclear (pg_exec_ok (conn, "SELECT count(*) FROM audit_log"));
  PQfinish (conn);

  g_free (server->conninfo);
  server->conninfo = g_steal_pointer (&admin_conninfo);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* GIO's socket-client chatter would drown the TAP log. */
  g_log_set_debug_enabled (FALSE);
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);

  g_test_add_func ("/server/enroll/round-trip", test_enroll_round_trip);
  g_test_add_func ("/server/upload/stored-duplicate-conflict", test_upload_stored_duplicate_conflict);
  g_test_add_func ("/server/upload/mixed-batch", test_upload_mixed_batch);
  g_test_add_func ("/server/upload/group-commit-verdicts", test_group_commit_verdicts);
  g_test_add_func ("/server/upload/group-commit-atomic", test_group_commit_atomic);
  g_test_add_func ("/server/upload/shared-commit", test_shared_commit);
  g_test_add_func ("/server/upload/stop-while-committing", test_stop_while_committing);
  g_test_add_func ("/server/upload/revoked-while-queued", test_revoked_while_queued);
  g_test_add_func ("/server/upload/client-gone-while-queued", test_client_gone_while_queued);
  g_test_add_func ("/server/replay/device", test_replay_device);
  g_test_add_func ("/server/upload/submission-id-scoped-to-device", test_submission_id_scoped_to_device);
  g_test_add_func ("/server/enroll/proof-of-possession", test_enroll_proof_of_possession);
  g_test_add_func ("/server/refusals", test_refusals);
  g_test_add_func ("/server/tls/private-ca", test_tls);
  g_test_add_func ("/server/listen/refuses-public-without-tls", test_listen_refuses_public_without_tls);
  g_test_add_func ("/server/upload/survives-kill", test_survives_kill);
  g_test_add_func ("/server/bundle/import", test_bundle_import);
  g_test_add_func ("/server/questionnaire/signed", test_questionnaire);
  g_test_add_func ("/server/operations/healthz-metrics-logs", test_operations);
  g_test_add_func ("/server/operations/check-in", test_check_in);
  g_test_add_func ("/server/options/pg-statement-timeout", test_pg_statement_timeout_option);
  /* Only PostgreSQL has statements that wait on another session's lock,
   * and roles. */
  if (test_server_use_postgres ())
    {
      g_test_add_func ("/server/postgres/stuck-query", test_pg_stuck_query);
      g_test_add_func ("/server/postgres/roles", test_pg_roles);
    }

  return g_test_run ();
}

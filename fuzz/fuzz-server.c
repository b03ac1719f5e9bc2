/* fuzz-server.c: intake-server's HTTP handlers (server/intake-server*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real IntakeServer, with a SQLite store in a temporary directory that
 * holds an enrolled device, a revoked one, a reviewer, an enrollment code
 * and one stored submission. Each input is one HTTP request, handed to
 * libsoup's own server code over an in-memory stream
 * (soup_server_accept_iostream, as the server's own accept loop does with
 * each connection): no socket, no port, no client, so the path from
 * libsoup's request parser on (dispatch, the body limits, the signature
 * checks, the handlers, the store) runs at several hundred requests a
 * second. The accept loop itself (connection caps, timeouts, TLS) is
 * socket work, left to tests/test-server-front-door.c. The harness signs the request itself, so the
 * fuzzer's bytes reach the handlers behind the signature checks.
 *
 * Input: one line "<who> <METHOD> <path[?query]>", then the body.
 *   who: D the enrolled device, V the revoked device, R the reviewer
 *        (signatures made now, over the body as given), N unsigned,
 *        X no line of ours: the rest is sent as raw HTTP bytes.
 * Every JSON answer must be strict JSON (intake_json_validate).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "fuzz-common.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-keys-private.h"
#include "intake-protocol.h"
#include "intake-review-request.h"
#include "intake-roles.h"
#include "intake-server-private.h"
#include "intake-server-util.h"
#include "intake-signed-questionnaire.h"

/* A fixed enrollment code and submission, named by the seed corpus. */
#define FUZZ_ENROLL_CODE   "K7MX-3PEA-9TCH-WRNU"
#define FUZZ_REVIEWER_NAME "Fuzz Reviewer"

static IntakeServer *server;
static IntakeDeviceKey *revoked_device;
static IntakeReviewerKey *reviewer;
static GInetSocketAddress *local_address;
static GInetSocketAddress *remote_address;

static IntakeDeviceKey *
derived_device_key (const char *label)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[32], pk[32], sk[64];
  IntakeDeviceKey *key;

  crypto_generichash (seed, sizeof seed, (const guint8 *) label, strlen (label), NULL, 0);
  crypto_sign_seed_keypair (pk, sk, seed);
  if (!(key = intake_device_key_new_from_secret (sk, &error)))
    g_error ("%s", error->message);
  sodium_memzero (sk, sizeof sk);
  return key;
}

static void
check (gboolean    ok,
       GError     *error,
       const char *what)
{
  if (!ok)
    g_error ("fuzz-server set-up, %s: %s", what, error != NULL ? error->message : "failed");
}

static void
set_up_store (IntakeStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autofree char *code_hash = intake_enroll_code_hash (FUZZ_ENROLL_CODE);
  g_autoptr(IntakeOfficeKeys) office_keys = intake_office_keys_new_single (fuzz_office_public ());
  g_autofree char *device_id = intake_device_key_dup_id_hex (fuzz_device_key ());
  g_autofree char *revoked_id = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (FUZZ_PASSPHRASE, strlen (FUZZ_PASSPHRASE));
  g_autoptr(IntakeCredentials) credentials = NULL;
  IntakeStoreReviewer record = { 0 };
  IntakeReviewerPublic reviewer_public;
  IntakeDevicePublic device_public;
  IntakeAcceptResult result;
  IntakeEnvelopeInfo info = { .created_at = 1795343467, .questionnaire_id = "fuzz", .questionnaire_version = 1 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *reviewer_id = NULL;

  check (intake_store_bind_office (store, fuzz_office_public (), &error), error, "office");

  intake_device_key_get_public (fuzz_device_key (), &device_public);
  check (intake_store_register_device (store, &device_public, "Vaals", now, &error), error, "device");
  revoked_device = derived_device_key ("intake fuzz revoked device");
  intake_device_key_get_public (revoked_device, &device_public);
  revoked_id = intake_device_key_dup_id_hex (revoked_device);
  check (intake_store_register_device (store, &device_public, "Gulpen", now, &error), error, "revoked device");
  check (intake_store_revoke_device (store, revoked_id, now, &error), error, "revoke");
  check (intake_store_create_enroll_code (store, code_hash, "Heerlen", now, now + 365 * 86400, &error), error,
         "enroll code");

  /* One stored submission, id 5a5a...5a, from the enrolled device. */
  memset (info.submission_id, 0x5a, sizeof info.submission_id);
  envelope = intake_envelope_seal (fuzz_office_public (), fuzz_device_key (), &info,
                                   (const guint8 *) "{\"answers\":{},\"format\":1}", 26, &error);
  check (envelope != NULL, error, "seal");
  device = intake_store_get_device (store, device_id, &error);
  check (device != NULL, error, "device row");
  check (intake_server_accept_envelope (store, &office_keys->set, device, envelope, INTAKE_ENVELOPE_SOURCE_UPLOAD, now,
                                        &result, &error), error, "envelope");

  /* A reviewer with every role, as an activation leaves it, with the
   * cheapest Argon2id limits (the fuzzer signs with the key itself). */
  reviewer = intake_reviewer_key_generate (fuzz_office_secret (), &error);
  check (reviewer != NULL, error, "reviewer key");
  credentials = intake_credentials_new_reviewer (passphrase, fuzz_workstation_key (), NULL, 1, 8192, &error);
  check (credentials != NULL, error, "credentials");
  record.blob = intake_reviewer_key_seal (reviewer, credentials, &error);
  check (record.blob != NULL, error, "reviewer blob");
  record.roles = INTAKE_ROLES_ALL;
  intake_reviewer_key_get_public (reviewer, &reviewer_public);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = (char *) FUZZ_REVIEWER_NAME;
  memcpy (record.sign_pk, reviewer_public.sign_pk, sizeof record.sign_pk);
  record.created_at = now;
  check (intake_store_add_reviewer (store, &record, NULL, &error), error, "reviewer");
  g_bytes_unref (record.blob);
}

/* A new server on a new store, every STORE_INPUTS inputs: a store that
 * grows with every audit event and stored envelope slows each request
 * down, and a long run would end at a fraction of its first speed. */
#define STORE_INPUTS 4000

static guint n_inputs;
static guint n_stores;

static void
remove_store (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
new_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeQuestionnaire) builtin = NULL;
  g_autofree char *name = g_strdup_printf ("store-%u", n_stores++);
  g_autofree char *data_dir = g_build_filename (fuzz_tmpdir (), name, NULL);
  IntakeSignedQuestionnaire *questionnaire;
  IntakeServerLimits limits;

  if (server != NULL)
    {
      g_autofree char *old_name = g_strdup_printf ("store-%u", n_stores - 2);
      g_autofree char *old_dir = g_build_filename (fuzz_tmpdir (), old_name, NULL);

      g_clear_object (&server);
      g_clear_pointer (&revoked_device, intake_device_key_free);
      g_clear_pointer (&reviewer, intake_reviewer_key_free);
      remove_store (old_dir);
    }
  store = intake_store_open_from_options (data_dir, NULL, &error);
  check (store != NULL, error, "store");
  set_up_store (store);

  builtin = intake_questionnaire_new_builtin (&error);
  check (builtin != NULL, error, "questionnaire");
  questionnaire = intake_signed_questionnaire_sign (builtin, fuzz_office_secret ());
  {
    IntakeStoreQuestionnaire seen = {
      .id = questionnaire->id,
      .version = questionnaire->version,
      .canonical = questionnaire->canonical,
      .first_seen = g_get_real_time () / G_USEC_PER_SEC,
    };

    g_strlcpy (seen.hash, questionnaire->hash, sizeof seen.hash);
    memcpy (seen.signature, questionnaire->signature, INTAKE_SIGNATURE_BYTES);
    check (intake_store_put_questionnaire (store, &seen, &error), error, "store questionnaire");
  }
  intake_server_limits_init (&limits);
  server = intake_server_new (store, fuzz_office_public (), derived_device_key ("intake fuzz server key"),
                              questionnaire, NULL, &limits);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GInetAddress) loopback = NULL;

  fuzz_init ();
  new_server ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  local_address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (loopback, 8443));
  remote_address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (loopback, 40000));
  return 0;
}

static gboolean
is_token (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

/* The HTTP request for @line and @body, signed as @who says; NULL if the
 * line is not one (the fuzzer learns that quickly). */
static GByteArray *
build_request (const char    *line,
               const uint8_t *body,
               size_t         body_len)
{
  g_auto(GStrv) parts = g_strsplit (line, " ", 3);
  g_autoptr(GBytes) body_bytes = g_bytes_new (body, body_len);
  g_autoptr(GString) head = g_string_new (NULL);
  GByteArray *request;
  IntakeRequestAuth auth = { 0 };
  const char *id_header = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (g_strv_length (parts) != 3 || strlen (parts[0]) != 1 || !is_token (parts[1]) || !is_token (parts[2]) ||
      parts[2][0] != '/')
    return NULL;

  switch (parts[0][0])
    {
    case 'D':
    case 'V':
      {
        /* Device requests sign the path without the query. */
        g_autofree char *path = g_strndup (parts[2], strcspn (parts[2], "?"));

        intake_protocol_sign_request (parts[0][0] == 'D' ? fuzz_device_key () : revoked_device, parts[1], path,
                                      body_bytes, now, &auth);
        id_header = INTAKE_HEADER_DEVICE;
        break;
      }
    case 'R':
      intake_review_sign_request (reviewer, parts[1], parts[2], body_bytes, now, &auth);
      id_header = INTAKE_HEADER_REVIEWER;
      break;
    case 'N':
      break;
    default:
      return NULL;
    }

  g_string_append_printf (head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", parts[1], parts[2]);
  if (body_len > 0)
    g_string_append_printf (head, "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n",
                            body_len);
  if (id_header != NULL)
    g_string_append_printf (head, "%s: %s\r\n%s: %s\r\n%s: %s\r\n%s: %s\r\n", id_header, auth.device_id,
                            INTAKE_HEADER_TIMESTAMP, auth.timestamp, INTAKE_HEADER_NONCE, auth.nonce,
                            INTAKE_HEADER_SIGNATURE, auth.signature);
  g_string_append (head, "\r\n");
  intake_request_auth_clear (&auth);

  request = g_byte_array_sized_new (head->len + body_len);
  g_byte_array_append (request, (const guint8 *) head->str, head->len);
  g_byte_array_append (request, body, body_len);
  return request;
}

/* What the server wrote: every JSON body must be strict JSON. */
static void
check_response (const char *data,
                gsize       len)
{
  const char *end;
  g_autofree char *head = NULL;
  g_autoptr(GError) error = NULL;

  if (data == NULL || (end = g_strstr_len (data, len, "\r\n\r\n")) == NULL)
    return;
  head = g_ascii_strdown (data, end - data);
  if (strstr (head, "content-type: application/json") == NULL || strstr (head, "transfer-encoding") != NULL)
    return;
  end += 4;
  if (!intake_json_validate (end, len - (end - data), INTAKE_JSON_MAX_DEPTH, &error))
    g_error ("the server answered JSON that is not strict: %s", error->message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *newline = memchr (data, '\n', size);
  g_autofree char *line = NULL;
  g_autoptr(GByteArray) request = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gsize request_len;

  if (newline == NULL)
    return 0;
  if (++n_inputs % STORE_INPUTS == 0)
    new_server ();
  line = g_strndup ((const char *) data, newline - data);
  if (g_str_equal (line, "X"))
    {
      request = g_byte_array_new ();
      g_byte_array_append (request, newline + 1, size - (newline + 1 - data));
    }
  else if (!(request = build_request (line, newline + 1, size - (newline + 1 - data))))
    return 0;

  request_len = request->len;
  in = g_memory_input_stream_new_from_data (g_byte_array_free (g_steal_pointer (&request), FALSE), request_len,
                                            g_free);
  out = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (in, out);
  if (!soup_server_accept_iostream (server->soup, stream, G_SOCKET_ADDRESS (local_address),
                                    G_SOCKET_ADDRESS (remote_address), &error))
    g_error ("soup_server_accept_iostream: %s", error->message);

  /* libsoup closes the stream once it has answered (Connection: close) or
   * found the request cut short or malformed. */
  while (!g_output_stream_is_closed (out))
    g_main_context_iteration (NULL, TRUE);

  check_response (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                  g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  return 0;
}

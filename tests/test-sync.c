/* test-sync.c: the kiosk side of the sync protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tests under /sync/unit/ need no server. Everything under /sync/e2e/
 * runs against a real intake-server process on loopback (INTAKE_SERVER),
 * enrolled with a code from the real intake-admin (INTAKE_ADMIN).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake-bundle.h"
#include "intake-canonical-json.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-kiosk.h"
#include "intake-protocol.h"
#include "intake-enroll.h"
#include "intake-kiosk-enums.h"
#include "intake-office-rotation.h"
#include "intake-outbox.h"
#include "intake-sync.h"
#include "intake-sync-private.h"
#include "intake-test-util.h"

#define N_SUBMISSIONS 500

/* ------------------------------------------------------------------ */
/* Shared helpers                                                       */

typedef struct {
  char               *dir;
  char               *state_dir;
  char               *office_dir;     /* office.pub, office.secret (intake-admin office init) */
  char               *office_pub;
  char               *passphrase_file;
  IntakeOfficePublic *office_public;
  IntakeOfficeSecret *office_secret;
} Fixture;

static const char passphrase[] = "correct horse battery staple";

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = intake_test_tmpdir_new ();
  f->state_dir = g_build_filename (f->dir, "kiosk", NULL);
  f->office_dir = g_build_filename (f->dir, "office", NULL);
  f->office_pub = g_build_filename (f->office_dir, "office.pub", NULL);
  f->passphrase_file = g_build_filename (f->dir, "passphrase", NULL);
  g_assert_cmpint (g_mkdir (f->office_dir, 0700), ==, 0);
  intake_test_write_file (f->passphrase_file, passphrase);

  {
    g_autofree char *secret_path = g_build_filename (f->office_dir, "office.secret", NULL);
    g_autoptr(IntakeSecureBuffer) pass = intake_secure_buffer_new (strlen (passphrase));

    memcpy (pass->data, passphrase, strlen (passphrase));
    g_assert_true (intake_office_generate (&f->office_public, &f->office_secret, &error));
    g_assert_true (intake_office_public_save (f->office_public, f->office_pub, &error));
    g_assert_true (intake_office_secret_save (f->office_secret, secret_path, pass, &error));
    g_assert_no_error (error);
  }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  intake_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->state_dir);
  g_free (f->office_dir);
  g_free (f->office_pub);
  g_free (f->passphrase_file);
  intake_office_public_free (f->office_public);
  intake_office_secret_free (f->office_secret);
}

/* A kiosk that seals to the fixture's office key: office.pub copied into
 * its state directory, as enrollment would. */
static IntakeKiosk *
new_kiosk (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state_office = g_build_filename (f->state_dir, "office.pub", NULL);
  IntakeKiosk *kiosk;

  g_assert_cmpint (g_mkdir_with_parents (f->state_dir, 0700), ==, 0);
  if (!g_file_test (state_office, G_FILE_TEST_EXISTS))
    g_assert_true (intake_office_public_save (f->office_public, state_office, &error));
  kiosk = intake_kiosk_new (f->state_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  return kiosk;
}

static IntakeOutboxCounts
counts_of (IntakeKiosk *kiosk)
{
  IntakeOutboxCounts counts = { 0 };

  g_assert_true (intake_outbox_get_counts (intake_kiosk_get_outbox (kiosk), &counts, NULL));
  return counts;
}

/* A server.json by hand, for tests that need "enrolled" without a server. */
static void
write_server_json (const char   *state_dir,
                   const char   *url,
                   const guint8 *server_pk,
                   const char   *key_id_override,
                   const char   *device_id)
{
  g_autofree char *path = g_build_filename (state_dir, "server.json", NULL);
  g_autofree char *pk_b64 = g_base64_encode (server_pk, INTAKE_SIGN_PUBLIC_BYTES);
  g_autofree char *key_id = intake_server_key_id_hex (server_pk);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("{\"url\": \"%s\", \"server_public\": \"%s\", \"server_key_id\": \"%s\","
                          " \"device_id\": \"%s\", \"location\": \"Vaals\", \"enrolled_at\": 1795000000}",
                          url, pk_b64, key_id_override != NULL ? key_id_override : key_id, device_id);
  intake_test_write_file (path, text);
}

/* The built-in questionnaire with another version (and optionally id), in
 * canonical form, signed by the fixture's office key. */
static GBytes *
make_questionnaire (guint32       version,
                    const char   *id,
                    guint8       *out_signature,
                    IntakeOfficeSecret *office)
{
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (NULL);
  g_autoptr(GBytes) canonical = intake_questionnaire_dup_canonical (builtin);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) result = NULL;
  JsonObject *root;
  gsize len;
  char *text;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (canonical, NULL),
                                             (gssize)g_bytes_get_size (canonical), NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_set_int_member (root, "version", version);
  if (id != NULL)
    json_object_set_string_member (root, "id", id);
  text = intake_canonical_json_serialize (json_parser_get_root (parser), &len, NULL);
  g_assert_nonnull (text);
  result = g_bytes_new_take (text, len);
  if (office != NULL)
    intake_office_secret_sign (office, "questionnaire", result, out_signature);
  return g_steal_pointer (&result);
}

static void
spin_until (gboolean (*done) (gpointer), gpointer data, guint timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ------------------------------------------------------------------ */
/* Unit tests: no server                                                */

static void
test_new_destroy (Fixture       *f,
                  gconstpointer  data)
{
  IntakeKiosk *kiosk = new_kiosk (f);
  IntakeSync *sync = intake_sync_new (kiosk);

  g_assert_true (intake_sync_get_kiosk (sync) == kiosk);
  g_assert_false (intake_sync_is_enrolled (sync));
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_NOT_ENROLLED);
  /* The status property carries a registered enum type. */
  {
    GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (sync), "status");
    GEnumClass *enum_class = g_type_class_ref (INTAKE_TYPE_SYNC_STATUS);
    IntakeSyncStatus status = INTAKE_SYNC_STATUS_IDLE;

    g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
    g_assert_true (pspec->value_type == INTAKE_TYPE_SYNC_STATUS);
    g_object_get (sync, "status", &status, NULL);
    g_assert_cmpint (status, ==, INTAKE_SYNC_STATUS_NOT_ENROLLED);
    g_assert_cmpstr (g_enum_get_value (enum_class, INTAKE_SYNC_STATUS_REJECTED)->value_nick, ==, "rejected");
    g_type_class_unref (enum_class);
  }
  g_assert_null (intake_sync_get_server_url (sync));
  g_assert_cmpuint (intake_sync_get_grace_days (sync), ==, 30);
  intake_sync_start (sync);
  g_assert_true (intake_sync_is_running (sync));
  intake_sync_stop (sync);
  g_assert_false (intake_sync_is_running (sync));

  g_assert_finalize_object (sync);
  g_assert_finalize_object (kiosk);
}

/* A 401 replayed_request is "you sent this before" (libsoup re-sent a
 * request whose first copy the server had), not "you are not accepted":
 * the kiosk tries again later and does not ask to be enrolled again. */
static void
test_replayed_is_transient (void)
{
  IntakeHttpResponse replayed = { .status = 401, .error_code = (char *)"replayed_request",
                                  .message = (char *)"this request was seen before" };
  IntakeHttpResponse unknown = { .status = 401, .error_code = (char *)"unknown_device", .message = (char *)"" };
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_sync_check_response (&replayed, "upload", &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "signed anew"));
  g_clear_error (&error);
  g_assert_false (intake_sync_check_response (&unknown, "upload", &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_REFUSED);
}

static void
test_backoff_formula (void)
{
  /* delay = random * min(cap, base * 2^attempts) */
  g_assert_cmpint (intake_sync_backoff_delay_ms (0, 0.0, 5000, 900000), ==, 0);
  g_assert_cmpint (intake_sync_backoff_delay_ms (0, 0.5, 5000, 900000), ==, 2500);
  g_assert_cmpint (intake_sync_backoff_delay_ms (1, 0.5, 5000, 900000), ==, 5000);
  g_assert_cmpint (intake_sync_backoff_delay_ms (3, 0.25, 5000, 900000), ==, 10000);
  g_assert_cmpint (intake_sync_backoff_delay_ms (7, 0.5, 5000, 900000), ==, 320000);
  /* 5 s * 2^8 = 1280 s is over the 15 min cap. */
  g_assert_cmpint (intake_sync_backoff_delay_ms (8, 0.5, 5000, 900000), ==, 450000);
  g_assert_cmpint (intake_sync_backoff_delay_ms (60, 0.999999, 5000, 900000), <, 900000);
  g_assert_cmpint (intake_sync_backoff_delay_ms (60, 0.999999, 5000, 900000), >, 899000);
  /* No overflow however long the outage. */
  g_assert_cmpint (intake_sync_backoff_delay_ms (G_MAXUINT, 0.5, 5000, 900000), ==, 450000);
}

static void
test_not_enrolled (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeSync) sync = intake_sync_new (kiosk);
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_kiosk_is_enrolled (kiosk));
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NOT_ENROLLED);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_NOT_ENROLLED);
  g_assert_nonnull (intake_sync_get_last_error (sync));
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "niet aangemeld"));
  intake_sync_set_language (sync, "en");
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "not registered"));
}

static void
test_server_json (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeDeviceKey) server_key = intake_device_key_generate (NULL);
  g_autofree char *path = g_build_filename (f->state_dir, "server.json", NULL);
  g_autofree char *key_id = NULL;
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic server_public;

  intake_device_key_get_public (server_key, &server_public);
  key_id = intake_server_key_id_hex (server_public.sign_pk);

  write_server_json (f->state_dir, "https://office.example", server_public.sign_pk, NULL,
                     intake_kiosk_get_device_id (kiosk));
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_assert_no_error (error);
  g_assert_true (intake_kiosk_is_enrolled (kiosk));
  g_assert_cmpstr (intake_kiosk_get_server_url (kiosk), ==, "https://office.example");
  g_assert_cmpstr (intake_kiosk_get_location (kiosk), ==, "Vaals");
  g_assert_cmpstr (intake_kiosk_get_server_key_id (kiosk), ==, key_id);
  g_assert_cmpmem (intake_kiosk_get_server_public (kiosk), 32, server_public.sign_pk, 32);
  g_assert_cmpint (intake_kiosk_get_enrolled_at (kiosk), ==, 1795000000);

  /* A key id that does not belong to the key: not enrolled, and said so. */
  write_server_json (f->state_dir, "https://office.example", server_public.sign_pk,
                     "0000000000000000", intake_kiosk_get_device_id (kiosk));
  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "*server_key_id does not belong*");
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_test_assert_expected_messages ();
  g_assert_false (intake_kiosk_is_enrolled (kiosk));
  g_assert_null (intake_kiosk_get_server_public (kiosk));

  /* Written for another device. */
  write_server_json (f->state_dir, "https://office.example", server_public.sign_pk, NULL,
                     "00112233445566778899aabbccddeeff");
  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "*written for device*");
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_test_assert_expected_messages ();
  g_assert_false (intake_kiosk_is_enrolled (kiosk));

  /* Not JSON at all: the kiosk still opens and takes submissions. */
  intake_test_write_file (path, "{ not json");
  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "*not enrolled*");
  {
    g_autoptr(IntakeKiosk) again = new_kiosk (f);

    g_test_assert_expected_messages ();
    g_assert_false (intake_kiosk_is_enrolled (again));
    g_assert_cmpuint (intake_kiosk_demo_submissions (again, 1, 1, &error), ==, 1);
    g_assert_no_error (error);
  }
}

static gboolean
offer_questionnaire (IntakeKiosk   *kiosk,
                     GBytes        *canonical,
                     const guint8  *signature,
                     gboolean      *out_installed,
                     GError       **error)
{
  g_autoptr(IntakeSignedQuestionnaire) signed_q = intake_signed_questionnaire_new (canonical, signature);

  return intake_kiosk_offer_questionnaire (kiosk, signed_q, out_installed, error);
}

static void
test_questionnaire_offer (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (NULL);
  guint32 builtin_version = intake_questionnaire_get_version (builtin);
  g_autofree char *saved = g_build_filename (f->state_dir, "questionnaire.signed.json", NULL);
  g_autoptr(IntakeSession) old_session = NULL;
  g_autoptr(IntakeSession) new_session = NULL;
  g_autoptr(GBytes) newer = NULL;
  g_autoptr(GBytes) older = NULL;
  g_autoptr(GError) error = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];
  guint8 bad_signature[INTAKE_SIGNATURE_BYTES];
  gboolean installed = TRUE;
  guint notified = 0;

  g_signal_connect_swapped (kiosk, "notify::questionnaire", G_CALLBACK (g_atomic_int_inc), &notified);
  g_assert_cmpstr (intake_questionnaire_get_hash (intake_kiosk_get_questionnaire (kiosk)), ==,
                   intake_questionnaire_get_hash (builtin));
  old_session = intake_kiosk_new_session (kiosk, "nl", &error);
  g_assert_no_error (error);

  /* Signed by the office, but not newer: verified, not installed. */
  older = make_questionnaire (builtin_version, NULL, signature, f->office_secret);
  g_assert_true (offer_questionnaire (kiosk, older, signature, &installed, &error));
  g_assert_no_error (error);
  g_assert_false (installed);
  g_assert_false (g_file_test (saved, G_FILE_TEST_EXISTS));

  /* A broken signature: refused, nothing changes. */
  newer = make_questionnaire (builtin_version + 1, NULL, signature, f->office_secret);
  memcpy (bad_signature, signature, sizeof bad_signature);
  bad_signature[10] ^= 0x01;
  g_assert_false (offer_questionnaire (kiosk, newer, bad_signature, &installed, &error));
  g_assert_error (error, INTAKE_SIGNED_QUESTIONNAIRE_ERROR, INTAKE_SIGNED_QUESTIONNAIRE_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (installed);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, builtin_version);

  /* Newer and signed: installed for new sessions; the running one keeps its own. */
  g_assert_true (offer_questionnaire (kiosk, newer, signature, &installed, &error));
  g_assert_no_error (error);
  g_assert_true (installed);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (g_file_test (saved, G_FILE_TEST_IS_REGULAR));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (saved, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, builtin_version + 1);
  new_session = intake_kiosk_new_session (kiosk, "nl", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_session_get_questionnaire (new_session)), ==,
                    builtin_version + 1);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_session_get_questionnaire (old_session)), ==,
                    builtin_version);

  /* A new start picks the stored one. */
  {
    g_autoptr(IntakeKiosk) again = new_kiosk (f);

    g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (again)), ==,
                      builtin_version + 1);
  }

  /* A damaged file on disk: the built-in one, with a warning. */
  {
    g_autofree char *contents = NULL;
    char *p;

    g_assert_true (g_file_get_contents (saved, &contents, NULL, NULL));
    p = strstr (contents, "\"signature\"");
    g_assert_nonnull (p);
    p = strchr (p + strlen ("\"signature\""), '"');
    p[1] = p[1] == 'A' ? 'B' : 'A';
    intake_test_write_file (saved, contents);
  }
  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "*Ignoring the downloaded questionnaire*");
  {
    g_autoptr(IntakeKiosk) again = new_kiosk (f);

    g_test_assert_expected_messages ();
    g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (again)), ==,
                      builtin_version);
  }

  /* An explicit questionnaire file is never replaced by a download. */
  {
    g_autofree char *file = g_build_filename (f->dir, "explicit.json", NULL);
    g_autofree char *state_office = g_build_filename (f->state_dir, "office.pub", NULL);
    g_autoptr(GBytes) canonical = intake_questionnaire_dup_canonical (builtin);
    g_autoptr(IntakeKiosk) explicit = NULL;

    g_assert_true (g_file_set_contents (file, g_bytes_get_data (canonical, NULL),
                                        (gssize)g_bytes_get_size (canonical), NULL));
    explicit = intake_kiosk_new (f->state_dir, state_office, file, &error);
    g_assert_no_error (error);
    g_assert_true (offer_questionnaire (explicit, newer, signature, &installed, &error));
    g_assert_false (installed);
    g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (explicit)), ==,
                      builtin_version);
  }
}

static void
test_bundle_export (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeSync) sync = intake_sync_new (kiosk);
  g_autofree char *path = g_build_filename (f->dir, "usb", "bundle.ikb", NULL);
  g_autofree char *usb = g_path_get_dirname (path);
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  IntakeDevicePublic device;
  IntakeOutboxCounts counts;
  gint64 created_at = 0;
  gsize len = 0;
  GStatBuf st;

  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 20, 7, &error), ==, 20);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (usb, 0755), ==, 0);

  g_assert_cmpint (intake_sync_export_bundle (sync, path, &error), ==, 20);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  bundle = g_bytes_new_take (g_steal_pointer (&contents), len);
  envelopes = intake_bundle_parse (bundle, &device, &created_at, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (envelopes->len, ==, 20);
  {
    g_autofree char *id = intake_hex_encode (device.device_id, sizeof device.device_id);

    g_assert_cmpstr (id, ==, intake_kiosk_get_device_id (kiosk));
  }
  g_assert_cmpint (ABS (created_at - g_get_real_time () / G_USEC_PER_SEC), <, 60);

  /* Exported, and still pending until a receipt arrives. */
  counts = counts_of (kiosk);
  g_assert_cmpuint (counts.pending, ==, 20);
  g_assert_cmpuint (counts.exported_pending, ==, 20);
  pending = intake_outbox_list_pending (intake_kiosk_get_outbox (kiosk), NULL);
  for (guint i = 0; i < pending->len; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (pending, i);

      g_assert_cmpint (item->exported_at, >, 0);
      g_assert_true (g_bytes_equal (item->envelope, g_ptr_array_index (envelopes, i)));
    }

  /* A path that cannot be written: an error, and nothing half-written. */
  {
    g_autofree char *bad = g_build_filename (f->dir, "no-such-dir", "b.ikb", NULL);

    g_assert_cmpint (intake_sync_export_bundle (sync, bad, &error), ==, -1);
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO);
  }
}

static void
test_enroll_refuses_plain_http (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *fingerprint;

  fingerprint = intake_enroll_blocking (f->state_dir, "http://office.example", "AAAA-AAAA-AAAA-AAAA",
                                             INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "https://"));
  g_clear_error (&error);

  fingerprint = intake_enroll_blocking (f->state_dir, "not a url", "AAAA-AAAA-AAAA-AAAA",
                                             INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK);
}

/* ------------------------------------------------------------------ */
/* A real intake-server on loopback                                     */

typedef struct {
  char        *data_dir;
  char        *office_pub;
  char        *questionnaire;   /* signed questionnaire file, or NULL */
  char        *tls_cert;        /* PEM; HTTPS when set */
  char        *tls_key;
  char        *log_path;
  guint16      port;            /* 0 until the first start */
  char        *url;
  GSubprocess *process;
  guint        starts;
} Server;

static const char *
server_program (void)
{
  const char *program = g_getenv ("INTAKE_SERVER");

  if (program == NULL || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("INTAKE_SERVER does not name the intake-server program (%s): "
             "the end-to-end sync tests need the real server", program ? program : "unset");
  return program;
}

static const char *
admin_program (void)
{
  const char *program = g_getenv ("INTAKE_ADMIN");

  if (program == NULL || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("INTAKE_ADMIN does not name the intake-admin program");
  return program;
}

static void
server_start (Server *s)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "listening on ";

  g_assert_null (s->process);
  g_ptr_array_add (argv, g_strdup (server_program ()));
  g_ptr_array_add (argv, g_strdup ("--data"));
  g_ptr_array_add (argv, g_strdup (s->data_dir));
  g_ptr_array_add (argv, g_strdup ("--office-public"));
  g_ptr_array_add (argv, g_strdup (s->office_pub));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", s->port));
  if (s->questionnaire != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--questionnaire"));
      g_ptr_array_add (argv, g_strdup (s->questionnaire));
    }
  if (s->tls_cert != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--tls-cert"));
      g_ptr_array_add (argv, g_strdup (s->tls_cert));
      g_ptr_array_add (argv, g_strdup ("--tls-key"));
      g_ptr_array_add (argv, g_strdup (s->tls_key));
    }
  g_ptr_array_add (argv, NULL);

  /* The server logs to stderr: keep it in a file for when a test fails. */
  g_subprocess_launcher_set_stderr_file_path (launcher, NULL);
  {
    int fd = g_open (s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_subprocess_launcher_take_stderr_fd (launcher, fd);
  }
  s->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  /* Its first line on stdout says where it listens. */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (s->log_path, &log, NULL, NULL);
      g_error ("intake-server did not start (first line \"%s\"); its log:\n%s", line ? line : "", log);
    }
  g_strstrip (line);
  if (s->url == NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (line + strlen (prefix), G_URI_FLAGS_NONE, &error);

      g_assert_no_error (error);
      s->url = g_strdup (line + strlen (prefix));
      s->port = (guint16)g_uri_get_port (uri);
    }
  else
    g_assert_cmpstr (line + strlen (prefix), ==, s->url);
  s->starts++;
}

static void
server_kill (Server *s)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (s->process);
  g_subprocess_send_signal (s->process, SIGKILL);
  g_assert_true (g_subprocess_wait (s->process, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&s->process);
}

static Server *
server_new (Fixture    *f,
            const char *name)
{
  Server *s = g_new0 (Server, 1);

  s->data_dir = g_build_filename (f->dir, name, NULL);
  s->office_pub = g_strdup (f->office_pub);
  s->log_path = g_build_filename (f->dir, "server.log", NULL);
  g_assert_cmpint (g_mkdir (s->data_dir, 0700), ==, 0);
  return s;
}

static void
server_free (Server *s)
{
  if (s->process != NULL)
    server_kill (s);
  g_free (s->data_dir);
  g_free (s->office_pub);
  g_free (s->questionnaire);
  g_free (s->tls_cert);
  g_free (s->tls_key);
  g_free (s->log_path);
  g_free (s->url);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* Runs intake-admin; returns its stdout, asserting exit status @expected_status. */
static char *
admin (int          expected_status,
       char       **out_stderr,
       const char  *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer)admin_program ());
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  status = intake_test_run ((const char * const *)argv->pdata, NULL, &out, &err);
  if (status != expected_status)
    g_error ("intake-admin %s exited with %d (expected %d): %s", first, status, expected_status, err);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return g_steal_pointer (&out);
}

/* A one-time code: the last line of `intake-admin enroll-code`. */
static char *
enroll_code (Server     *s,
             const char *location,
             const char *expires)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (expires != NULL)
    out = admin (0, NULL, "enroll-code", "--data", s->data_dir, "--location", location,
                 "--expires", expires, NULL);
  else
    out = admin (0, NULL, "enroll-code", "--data", s->data_dir, "--location", location, NULL);
  g_strstrip (out);
  lines = g_strsplit (out, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  return g_strstrip (g_strdup (lines[n - 1]));
}

/* Enrolls the fixture's kiosk state directory with @s. */
static char *
enroll (Fixture  *f,
        Server   *s,
        GError  **error)
{
  g_autofree char *code = enroll_code (s, "Vaals", NULL);

  return intake_enroll_blocking (f->state_dir, s->url, code, INTAKE_ENROLL_NONE, NULL, error);
}

static char *
server_db_path (Server *s)
{
  g_autoptr(GDir) dir = g_dir_open (s->data_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".db") || g_str_has_suffix (name, ".sqlite"))
      return g_build_filename (s->data_dir, name, NULL);
  g_error ("no SQLite database in the server's data directory %s", s->data_dir);
}

/* Envelopes in the server's store, all and distinct, read from its SQLite
 * file (read-only, beside the running server). */
static void
server_count (Server *s,
              guint  *out_total,
              guint  *out_distinct)
{
  g_autofree char *path = server_db_path (s);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*), count(DISTINCT submission_id) FROM envelopes",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *out_total = (guint)sqlite3_column_int (stmt, 0);
  *out_distinct = (guint)sqlite3_column_int (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static gint64
server_query_int (Server     *s,
                  const char *sql)
{
  g_autofree char *path = server_db_path (s);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
assert_server_holds_total (Server *s,
                           guint   expected)
{
  guint total = 0, distinct = 0;

  server_count (s, &total, &distinct);
  g_assert_cmpuint (distinct, ==, expected);
  g_assert_cmpuint (total, ==, expected);
}

static void
assert_server_holds (Server *s,
                     guint   expected)
{
  guint total = 0, distinct = 0;

  server_count (s, &total, &distinct);
  g_assert_cmpuint (distinct, ==, expected);
  g_assert_cmpuint (total, ==, expected);
  /* Nothing was ever offered twice with other bytes. */
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM conflicts"), ==, 0);
}

/* Every envelope delivered, each with a receipt (receipt || signature) that
 * verifies with the enrolled server key and lists its exact bytes. */
/* As below; receipts signed by @earlier_pk (a server key before a
 * rollover, may be NULL) count too. */
static void
assert_all_delivered_keys (IntakeKiosk  *kiosk,
                           guint         expected,
                           const guint8 *earlier_pk)
{
  IntakeOutbox *outbox = intake_kiosk_get_outbox (kiosk);
  IntakeOutboxCounts counts = counts_of (kiosk);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpuint (counts.pending, ==, 0);
  g_assert_cmpuint (counts.delivered, ==, expected);

  g_assert_cmpint (sqlite3_open_v2 (intake_outbox_get_path (outbox), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT submission_id FROM envelopes", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *)sqlite3_column_text (stmt, 0);
      g_autoptr(IntakeOutboxItem) item = intake_outbox_lookup (outbox, id, NULL);
      g_autoptr(GBytes) receipt = NULL;
      g_autoptr(GArray) items = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *sha = NULL;
      const guint8 *data;
      gsize len;
      gboolean found = FALSE;

      g_assert_nonnull (item);
      g_assert_cmpint (item->state, ==, INTAKE_OUTBOX_STATE_DELIVERED);
      g_assert_nonnull (item->receipt);
      data = g_bytes_get_data (item->receipt, &len);
      g_assert_cmpuint (len, >, INTAKE_SIGNATURE_BYTES);
      receipt = g_bytes_new (data, len - INTAKE_SIGNATURE_BYTES);
      items = intake_receipt_verify (receipt, data + len - INTAKE_SIGNATURE_BYTES,
                                     intake_kiosk_get_server_public (kiosk),
                                     intake_kiosk_get_device_id (kiosk), &error);
      if (items == NULL && earlier_pk != NULL)
        {
          g_clear_error (&error);
          items = intake_receipt_verify (receipt, data + len - INTAKE_SIGNATURE_BYTES, earlier_pk,
                                         intake_kiosk_get_device_id (kiosk), &error);
        }
      g_assert_no_error (error);
      sha = intake_sha256_hex (item->envelope);
      for (guint i = 0; i < items->len; i++)
        {
          IntakeReceiptItem *r = &g_array_index (items, IntakeReceiptItem, i);

          found |= g_str_equal (r->submission_id, id) && g_str_equal (r->sha256, sha);
        }
      g_assert_true (found);
      n++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n, ==, expected);
}

static void
assert_all_delivered (IntakeKiosk *kiosk,
                      guint        expected)
{
  assert_all_delivered_keys (kiosk, expected, NULL);
}

/* An enrolled kiosk and its sync, with short backoffs for the tests. */
static IntakeSync *
enrolled_sync (Fixture      *f,
               Server       *s,
               IntakeKiosk **out_kiosk)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *expected = intake_office_public_dup_fingerprint (f->office_public);
  IntakeKiosk *kiosk;
  IntakeSync *sync;

  fingerprint = enroll (f, s, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fingerprint, ==, expected);
  kiosk = new_kiosk (f);
  g_assert_true (intake_kiosk_is_enrolled (kiosk));
  sync = intake_sync_new (kiosk);
  intake_sync_set_backoff (sync, 20, 500);
  *out_kiosk = kiosk;
  return sync;
}

static void
test_e2e_enroll_and_drain (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_json = g_build_filename (f->state_dir, "server.json", NULL);
  g_autofree char *office = g_build_filename (f->state_dir, "office.pub", NULL);
  guint changed = 0;
  GStatBuf st;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpint (g_stat (server_json, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpstr (intake_sync_get_server_url (sync), ==, s->url);
  g_assert_cmpstr (intake_sync_get_location (sync), ==, "Vaals");
  g_assert_cmpmem (intake_kiosk_get_office (kiosk)->key_id, 8, f->office_public->key_id, 8);
  g_signal_connect_swapped (sync, "changed", G_CALLBACK (g_atomic_int_inc), &changed);

  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, N_SUBMISSIONS, 42, &error), ==, N_SUBMISSIONS);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, N_SUBMISSIONS);

  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_IDLE);
  g_assert_null (intake_sync_get_last_error (sync));
  g_assert_cmpint (ABS (intake_sync_get_last_success (sync) - g_get_real_time () / G_USEC_PER_SEC), <, 60);
  g_assert_cmpuint (changed, >, 0);

  assert_server_holds (s, N_SUBMISSIONS);
  assert_all_delivered (kiosk, N_SUBMISSIONS);

  /* Enrolling again with the same office key is fine (a new code). */
  {
    g_autofree char *fingerprint = enroll (f, s, &error);

    g_assert_no_error (error);
    g_assert_nonnull (fingerprint);
  }
}

/* Help requests go to the server after the envelopes, once, and are then
 * marked sent in the outbox (open or resolved: the server counts both). */
static void
test_e2e_help_requests (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) unsent = NULL;
  IntakeOutbox *outbox;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  outbox = intake_kiosk_get_outbox (kiosk);
  g_assert_true (intake_outbox_add_help_request (outbox, now - 60, "ar", &error));
  g_assert_true (intake_outbox_add_help_request (outbox, now - 30, "ti", &error));
  g_assert_true (intake_outbox_resolve_help_requests (outbox, now, &error));
  g_assert_true (intake_outbox_add_help_request (outbox, now, "ar", &error));
  g_assert_no_error (error);

  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  unsent = intake_outbox_list_unsent_help_requests (outbox, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 0);
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM help_requests"), ==, 3);
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM help_requests WHERE location = 'Vaals'"), ==, 3);

  /* Nothing is sent twice. */
  g_assert_true (intake_outbox_add_help_request (outbox, now + 1, "nl", &error));
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM help_requests"), ==, 4);
}

static gboolean
nothing_pending (gpointer data)
{
  return intake_sync_get_pending_count (data) == 0 &&
         intake_sync_get_status (data) == INTAKE_SYNC_STATUS_IDLE;
}

/* The background engine: a submission is sent right after intake_sync_poke(). */
static void
test_e2e_engine_poke (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  intake_sync_set_interval (sync, 3600);
  intake_sync_start (sync);
  spin_until (nothing_pending, sync, 30);

  for (guint round = 1; round <= 3; round++)
    {
      g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 7, round, &error), ==, 7);
      intake_sync_poke (sync);
      spin_until (nothing_pending, sync, 30);
      assert_server_holds (s, 7 * round);
    }
  assert_all_delivered (kiosk, 21);
  intake_sync_stop (sync);
}

static gboolean
flag_set_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds (the kiosk's async I/O goes on). */
static void
spin_for_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_set_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static guint
delivered_count (IntakeKiosk *kiosk)
{
  return counts_of (kiosk).delivered;
}

/* The server is killed with SIGKILL at random moments while the kiosk's
 * engine keeps retrying; restarted on the same data and port each time. */
static void
test_e2e_server_killed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  guint kills = 0;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, N_SUBMISSIONS, 4711, &error), ==, N_SUBMISSIONS);
  /* Small batches, so that twenty kills land while there is still work. */
  intake_sync_set_batch_size (sync, 4);
  intake_sync_set_backoff (sync, 10, 200);
  intake_sync_set_interval (sync, 1);
  intake_sync_start (sync);

  while (kills < 20)
    {
      guint before = delivered_count (kiosk);
      gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

      g_assert_cmpuint (before, <, N_SUBMISSIONS);
      /* Mostly once the kiosk is making progress, sometimes blindly. */
      if (g_test_rand_int_range (0, 4) != 0)
        while (delivered_count (kiosk) == before && g_get_monotonic_time () < deadline)
          spin_for_ms (2);
      spin_for_ms (g_test_rand_int_range (0, 15));

      server_kill (s);
      kills++;
      spin_for_ms (g_test_rand_int_range (0, 80));
      server_start (s);
    }

  g_test_message ("%u server kills, %u starts, %u of %u delivered during them",
                  kills, s->starts, delivered_count (kiosk), N_SUBMISSIONS);
  spin_until (nothing_pending, sync, 120);
  intake_sync_stop (sync);
  g_assert_cmpuint (kills, >=, 20);
  assert_server_holds (s, N_SUBMISSIONS);
  assert_all_delivered (kiosk, N_SUBMISSIONS);
}

/* What the kiosk's outbox held each time an upload left. */
typedef struct {
  IntakeKiosk *kiosk;
  GArray      *delivered_at_upload;   /* guint: delivered count as upload i was queued */
  gboolean     kill_at_second;        /* SIGKILL this process as the second upload is queued */
} UploadWatch;

static void
upload_queued_cb (SoupSession *session,
                  SoupMessage *msg,
                  gpointer     user_data)
{
  UploadWatch *watch = user_data;
  guint delivered;

  if (!g_str_equal (g_uri_get_path (soup_message_get_uri (msg)), "/v1/envelopes"))
    return;
  delivered = counts_of (watch->kiosk).delivered;
  g_array_append_val (watch->delivered_at_upload, delivered);
  if (watch->kill_at_second && watch->delivered_at_upload->len == 2)
    raise (SIGKILL);
}

/* The kiosk side killed mid-sync: the drain runs in a child process (this
 * program with --sync-child STATE_DIR) that is killed with SIGKILL. With
 * --sync-child-overlap STATE_DIR it kills itself as its second upload
 * leaves: the first batch's receipt verified, not yet applied. */
static int
sync_child_main (const char *state_dir,
                 gboolean    kill_in_overlap)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;

  if (!(kiosk = intake_kiosk_new (state_dir, NULL, NULL, &error)))
    {
      g_printerr ("sync child: %s\n", error->message);
      return 2;
    }
  sync = intake_sync_new (kiosk);
  intake_sync_set_batch_size (sync, 5);
  if (kill_in_overlap)
    {
      UploadWatch *watch = g_new0 (UploadWatch, 1);

      /* Lives until the process dies. */
      watch->kiosk = kiosk;
      watch->delivered_at_upload = g_array_new (FALSE, FALSE, sizeof (guint));
      watch->kill_at_second = TRUE;
      g_signal_connect (intake_sync_get_session (sync), "request-queued", G_CALLBACK (upload_queued_cb), watch);
    }
  if (!intake_sync_now_blocking (sync, NULL, &error))
    {
      g_printerr ("sync child: %s\n", error->message);
      return 1;
    }
  return 0;
}

static GSubprocess *
spawn_sync_child_full (Fixture    *f,
                       const char *mode)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *log = g_build_filename (f->dir, "child.log", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *child;
  int fd = g_open (log, O_WRONLY | O_CREAT | O_APPEND, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_stderr_fd (launcher, fd);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  child = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", mode, f->state_dir, NULL);
  g_assert_no_error (error);
  return child;
}

static GSubprocess *
spawn_sync_child (Fixture *f)
{
  return spawn_sync_child_full (f, "--sync-child");
}

static void
test_e2e_kiosk_killed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  guint kills = 0, total = N_SUBMISSIONS;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, N_SUBMISSIONS, 99, &error), ==, N_SUBMISSIONS);

  while (kills < 20)
    {
      g_autoptr(GSubprocess) child = NULL;
      guint before = delivered_count (kiosk);
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      g_assert_cmpuint (before, <=, total);
      /* A fast drain can finish between kills: more to send, so that
       * every kill still falls in the middle of one. */
      if (before == total)
        {
          guint more = MAX (100, total / 2);

          g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, more, 99 + total, &error), ==, more);
          total += more;
        }
      child = spawn_sync_child (f);
      /* Mostly once the child is making progress, sometimes blindly. */
      if (g_test_rand_int_range (0, 4) != 0)
        while (delivered_count (kiosk) == before && g_get_monotonic_time () < deadline)
          g_usleep (1000);
      g_usleep (g_test_rand_int_range (0, 20000));
      g_subprocess_send_signal (child, SIGKILL);
      g_assert_true (g_subprocess_wait (child, NULL, NULL));
      if (!g_subprocess_get_if_signaled (child))
        {
          /* It sent everything before the kill came: a clean exit. */
          g_assert_true (g_subprocess_get_if_exited (child));
          g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
          continue;
        }
      kills++;
    }

  g_test_message ("%u kiosk kills, %u of %u delivered during them", kills, delivered_count (kiosk), total);
  /* Then the drain finishes, in a child that is left alone. */
  {
    g_autoptr(GSubprocess) child = spawn_sync_child (f);

    g_assert_true (g_subprocess_wait (child, NULL, NULL));
    g_assert_true (g_subprocess_get_if_exited (child));
    g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  }
  g_assert_cmpuint (kills, >=, 20);
  assert_server_holds (s, total);
  assert_all_delivered (kiosk, total);
}

/* Two batches in flight: each upload after the first leaves as soon as
 * the answer to the one before it is verified, before that batch is
 * marked delivered (so the server stores one while the kiosk commits the
 * other), and never more than one batch ahead. */
static void
test_e2e_two_in_flight (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) delivered_at_upload = g_array_new (FALSE, FALSE, sizeof (guint));
  UploadWatch watch = { .delivered_at_upload = delivered_at_upload };
  const guint batch = 7, n = 40;   /* five full batches and a short one */
  gulong handler;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  watch.kiosk = kiosk;
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, n, 7, &error), ==, n);
  intake_sync_set_batch_size (sync, batch);
  handler = g_signal_connect (intake_sync_get_session (sync), "request-queued",
                              G_CALLBACK (upload_queued_cb), &watch);

  /* One pass drains it all: the batch read while another is on the wire
   * or being applied leaves those out, and is not cut short by them. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    intake_sync_run_once_async (sync, NULL, intake_sync_store_result_cb, &result);
    g_assert_true (intake_sync_run_once_finish (sync, intake_sync_wait_for_result (&result), &error));
    g_assert_no_error (error);
  }
  g_clear_signal_handler (&handler, intake_sync_get_session (sync));
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 0);

  g_assert_cmpuint (delivered_at_upload->len, ==, (n + batch - 1) / batch);
  for (guint i = 0; i < delivered_at_upload->len; i++)
    {
      /* Upload i leaves with batches 0 .. i-2 applied, batch i-1 verified. */
      g_test_message ("upload %u left with %u delivered", i, g_array_index (delivered_at_upload, guint, i));
      g_assert_cmpuint (g_array_index (delivered_at_upload, guint, i), ==, i < 2 ? 0 : (i - 1) * batch);
    }
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_IDLE);
  assert_server_holds (s, n);
  assert_all_delivered (kiosk, n);
}

/* A kill in the overlap: the first batch is stored on the server and its
 * receipt verified, but not yet marked in the outbox, when the process
 * dies. Nothing is lost (it stays pending) and the server keeps each
 * envelope once (it answers "duplicate" the next time). */
static void
test_e2e_kiosk_killed_in_overlap (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 23;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, n, 23, &error), ==, n);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GSubprocess) child = spawn_sync_child_full (f, "--sync-child-overlap");

      g_assert_true (g_subprocess_wait (child, NULL, NULL));
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
      /* Each child died with its first batch (5) on the server and
       * nothing of it marked here: the first child's batch stays
       * pending, so the second child sends it again first. */
      g_assert_cmpuint (counts_of (kiosk).delivered, ==, 0);
      g_assert_cmpuint (counts_of (kiosk).pending, ==, n);
      assert_server_holds_total (s, 5);
    }

  {
    g_autoptr(GSubprocess) child = spawn_sync_child (f);

    g_assert_true (g_subprocess_wait (child, NULL, NULL));
    g_assert_true (g_subprocess_get_if_exited (child));
    g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  }
  assert_server_holds (s, n);
  assert_all_delivered (kiosk, n);
}

/* The kiosk holds a server key that is not the one signing receipts. */
static void
test_e2e_bad_receipt (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeDeviceKey) other = intake_device_key_generate (NULL);
  g_autofree char *path = g_build_filename (f->state_dir, "server.json", NULL);
  g_autofree char *original = NULL;
  IntakeDevicePublic other_public;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  intake_sync_set_language (sync, "en");
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 5, 5, &error), ==, 5);
  g_assert_true (g_file_get_contents (path, &original, NULL, NULL));

  intake_device_key_get_public (other, &other_public);
  write_server_json (f->state_dir, s->url, other_public.sign_pk, NULL, intake_kiosk_get_device_id (kiosk));
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_assert_true (intake_kiosk_is_enrolled (kiosk));

  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RECEIPT);
  g_clear_error (&error);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_BAD_RECEIPT);
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "cannot be verified"));
  g_assert_cmpuint (intake_sync_get_failures (sync), ==, 1);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 0);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 5);
  /* The server did store them; only the kiosk's proof is missing. */
  assert_server_holds (s, 5);

  /* With the right key back, the same envelopes come back as duplicates. */
  intake_test_write_file (path, original);
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_sync_get_failures (sync), ==, 0);
  assert_server_holds (s, 5);
  assert_all_delivered (kiosk, 5);
}

typedef struct {
  gint64  now;
  double  values[16];
  guint   next;
} FakeSource;

static gint64
fake_clock (gpointer data)
{
  return ((FakeSource *)data)->now;
}

static double
fake_random (gpointer data)
{
  FakeSource *source = data;

  return source->values[source->next++ % G_N_ELEMENTS (source->values)];
}

static gboolean
failed_some (gpointer data)
{
  return intake_sync_get_failures (data) >= 4;
}

static void
test_e2e_backoff (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  FakeSource source = {
    .now = g_get_real_time (),
    .values = { 0.9, 0.1, 0.5, 0.999999, 0.3, 0.7, 0.42, 0.0, 0.25, 0.8, 0.6, 0.05, 0.95, 0.5, 0.5, 0.5 },
  };

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 3, &error), ==, 3);
  server_kill (s);

  /* Spaced per the formula with the defaults: base 5 s, cap 15 min. */
  intake_sync_set_backoff (sync, INTAKE_SYNC_BACKOFF_BASE_MS, INTAKE_SYNC_BACKOFF_CAP_MS);
  intake_sync_set_clock (sync, fake_clock, &source);
  intake_sync_set_random (sync, fake_random, &source);
  for (guint k = 0; k < 12; k++)
    {
      gint64 ceiling_ms = MIN ((gint64)INTAKE_SYNC_BACKOFF_CAP_MS, (gint64)INTAKE_SYNC_BACKOFF_BASE_MS << k);
      double r = source.values[source.next % G_N_ELEMENTS (source.values)];
      gint64 next;

      g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
      g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK);
      g_clear_error (&error);
      g_assert_cmpuint (intake_sync_get_failures (sync), ==, k + 1);
      g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_OFFLINE);
      next = intake_sync_get_next_attempt_at (sync);
      g_assert_cmpint (next, >=, source.now);
      g_assert_cmpint (next, <=, source.now + ceiling_ms * 1000);
      g_assert_cmpint (next, ==, source.now + (gint64)(r * (double)ceiling_ms) * 1000);
      source.now = next;
    }
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 3);

  /* The real engine with short delays: it backs off, then recovers by
   * itself when the server returns. */
  intake_sync_set_clock (sync, NULL, NULL);
  intake_sync_set_random (sync, NULL, NULL);
  intake_sync_set_backoff (sync, 20, 400);
  {
    gint64 now = g_get_real_time ();
    g_autoptr(IntakeSync) engine = intake_sync_new (kiosk);

    intake_sync_set_backoff (engine, 20, 400);
    intake_sync_set_interval (engine, 3600);
    intake_sync_start (engine);
    spin_until (failed_some, engine, 30);
    g_assert_cmpint (intake_sync_get_next_attempt_at (engine), >=, now);
    g_assert_cmpint (intake_sync_get_next_attempt_at (engine), <=, g_get_real_time () + 400 * 1000);
    g_assert_cmpint (intake_sync_get_status (engine), ==, INTAKE_SYNC_STATUS_OFFLINE);

    server_start (s);
    spin_until (nothing_pending, engine, 30);
    g_assert_cmpuint (intake_sync_get_failures (engine), ==, 0);
    g_assert_cmpint (intake_sync_get_next_attempt_at (engine), ==, 0);
    intake_sync_stop (engine);
  }
  assert_server_holds (s, 3);
  assert_all_delivered (kiosk, 3);
}

/* Offline bundle: exported, imported twice, then confirmed by a sync. */
static void
test_e2e_bundle (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bundle = g_build_filename (f->dir, "kiosk.ikb", NULL);
  g_autofree char *out = NULL;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 30, 30, &error), ==, 30);
  g_assert_cmpint (intake_sync_export_bundle (sync, bundle, &error), ==, 30);
  g_assert_no_error (error);
  g_assert_cmpuint (counts_of (kiosk).exported_pending, ==, 30);

  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, bundle, NULL));
  assert_server_holds (s, 30);
  out = admin (0, NULL, "import-bundle", "--data", s->data_dir, bundle, NULL);
  g_test_message ("second import: %s", out);
  assert_server_holds (s, 30);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 30);

  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_server_holds (s, 30);
  assert_all_delivered (kiosk, 30);
}

static void
test_e2e_enroll_errors (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *other_state = g_build_filename (f->dir, "kiosk2", NULL);
  g_autofree char *third_state = g_build_filename (f->dir, "kiosk3", NULL);
  char *fingerprint;

  server_start (s);

  /* Unknown. */
  fingerprint = intake_enroll_blocking (f->state_dir, s->url, "ACEF-HJKM-NPRT-UVWX",
                                             INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE);
  g_assert_nonnull (strstr (error->message, "does not know"));
  g_clear_error (&error);

  /* Used: good once, refused the second time. */
  code = enroll_code (s, "Vaals", NULL);
  fingerprint = intake_enroll_blocking (f->state_dir, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_no_error (error);
  g_free (fingerprint);
  fingerprint = intake_enroll_blocking (other_state, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE_USED);
  g_assert_nonnull (strstr (error->message, "already been used"));
  g_clear_error (&error);
  {
    g_autofree char *path = g_build_filename (other_state, "server.json", NULL);

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }

  /* Expired. */
  g_clear_pointer (&code, g_free);
  code = enroll_code (s, "Vaals", "1s");
  g_usleep (2100 * 1000);
  fingerprint = intake_enroll_blocking (other_state, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_ENROLL_CODE_EXPIRED);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);

  /* A kiosk that already seals to another office key refuses this one... */
  {
    g_autoptr(IntakeOfficePublic) other_public = NULL;
    g_autoptr(IntakeOfficeSecret) other_secret = NULL;
    g_autofree char *office = g_build_filename (third_state, "office.pub", NULL);
    g_autofree char *server_json = g_build_filename (third_state, "server.json", NULL);
    g_autofree char *replaced = NULL;
    g_autofree char *other_id = NULL;
    g_autoptr(IntakeOfficePublic) now_office = NULL;
    g_autofree char *expected = intake_office_public_dup_fingerprint (f->office_public);

    g_assert_true (intake_office_generate (&other_public, &other_secret, NULL));
    g_assert_cmpint (g_mkdir (third_state, 0700), ==, 0);
    g_assert_true (intake_office_public_save (other_public, office, NULL));
    other_id = intake_office_public_dup_key_id_hex (other_public);

    g_clear_pointer (&code, g_free);
    code = enroll_code (s, "Vaals", NULL);
    fingerprint = intake_enroll_blocking (third_state, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
    g_assert_null (fingerprint);
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED);
    g_assert_nonnull (strstr (error->message, "--force"));
    g_clear_error (&error);
    g_assert_false (g_file_test (server_json, G_FILE_TEST_EXISTS));
    now_office = intake_office_public_load (office, NULL);
    g_assert_cmpmem (now_office->key_id, 8, other_public->key_id, 8);
    g_clear_pointer (&now_office, intake_office_public_free);

    /* ... unless forced (with a new code: the first one was consumed). */
    g_clear_pointer (&code, g_free);
    code = enroll_code (s, "Vaals", NULL);
    fingerprint = intake_enroll_blocking (third_state, s->url, code, INTAKE_ENROLL_FORCE, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (fingerprint, ==, expected);
    g_free (fingerprint);
    g_assert_true (g_file_test (server_json, G_FILE_TEST_EXISTS));
    now_office = intake_office_public_load (office, NULL);
    g_assert_cmpmem (now_office->key_id, 8, f->office_public->key_id, 8);
    replaced = g_strdup_printf ("%s.%s.replaced", office, other_id);
    g_assert_true (g_file_test (replaced, G_FILE_TEST_EXISTS));
  }
}

static void
test_e2e_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  FakeSource source = { .now = g_get_real_time () - 1000 * G_USEC_PER_SEC, .values = { 0.5 } };
  g_autofree char *out = NULL;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  intake_sync_set_language (sync, "en");
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 2, &error), ==, 2);

  /* The clock 1000 s behind. */
  intake_sync_set_clock (sync, fake_clock, &source);
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_CLOCK);
  g_clear_error (&error);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_CLOCK);
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "clock is wrong"));
  g_assert_cmpuint (intake_sync_get_last_http_status (sync), ==, 401);
  g_assert_cmpstr (intake_sync_get_last_server_error (sync), ==, "stale_timestamp");
  intake_sync_set_clock (sync, NULL, NULL);

  /* Revoked. */
  out = admin (0, NULL, "device", "revoke", "--data", s->data_dir, intake_kiosk_get_device_id (kiosk), NULL);
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_REFUSED);
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "not (or no longer) registered"));
  g_assert_cmpuint (intake_sync_get_last_http_status (sync), ==, 403);
  g_assert_cmpstr (intake_sync_get_last_server_error (sync), ==, "device_revoked");
  intake_sync_set_language (sync, "nl");
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "niet (of niet meer) aangemeld"));
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 2);

  /* Unknown: a kiosk the server never enrolled, with a copied server.json. */
  {
    g_autofree char *stranger_dir = g_build_filename (f->dir, "stranger", NULL);
    g_autofree char *office = g_build_filename (stranger_dir, "office.pub", NULL);
    g_autoptr(IntakeKiosk) stranger = NULL;
    g_autoptr(IntakeSync) stranger_sync = NULL;

    g_assert_cmpint (g_mkdir (stranger_dir, 0700), ==, 0);
    g_assert_true (intake_office_public_save (f->office_public, office, NULL));
    stranger = intake_kiosk_new (stranger_dir, NULL, NULL, &error);
    g_assert_no_error (error);
    write_server_json (stranger_dir, s->url, intake_kiosk_get_server_public (kiosk), NULL,
                       intake_kiosk_get_device_id (stranger));
    g_assert_true (intake_kiosk_reload_enrollment (stranger, &error));
    stranger_sync = intake_sync_new (stranger);
    g_assert_false (intake_sync_now_blocking (stranger_sync, NULL, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_REFUSED);
    g_assert_cmpint (intake_sync_get_status (stranger_sync), ==, INTAKE_SYNC_STATUS_REFUSED);
    g_assert_cmpuint (intake_sync_get_last_http_status (stranger_sync), ==, 401);
    g_assert_cmpstr (intake_sync_get_last_server_error (stranger_sync), ==, "unknown_device");
  }
}

/* A questionnaire signed with `intake-admin questionnaire sign` and
 * served by the server: at enrollment, then as an update at a sync. */
static char *
sign_questionnaire (Fixture    *f,
                    guint32     version,
                    const char *office_dir)
{
  g_autoptr(GBytes) canonical = make_questionnaire (version, NULL, NULL, NULL);
  g_autofree char *source = g_strdup_printf ("%s/questionnaire-v%u.json", f->dir, version);
  g_autofree char *out = NULL;
  char *signed_path = g_strdup_printf ("%s/questionnaire-v%u.signed.json", f->dir, version);

  g_assert_true (g_file_set_contents (source, g_bytes_get_data (canonical, NULL),
                                      (gssize)g_bytes_get_size (canonical), NULL));
  out = admin (0, NULL, "questionnaire", "sign", source, "--office", office_dir,
               "--passphrase-file", f->passphrase_file, "--out", signed_path, NULL);
  return signed_path;
}

static void
test_e2e_questionnaire (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (NULL);
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *code = NULL;
  guint32 v = intake_questionnaire_get_version (builtin);

  /* The kiosk has been taking submissions with the built-in questionnaire. */
  kiosk = new_kiosk (f);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, v);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 4, 1, &error), ==, 4);

  /* Enrollment brings version v+1. */
  s->questionnaire = sign_questionnaire (f, v + 1, f->office_dir);
  server_start (s);
  code = enroll_code (s, "Vaals", NULL);
  fingerprint = intake_enroll_blocking (f->state_dir, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
  g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, v + 1);
  session = intake_kiosk_new_session (kiosk, "nl", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_session_get_questionnaire (session)), ==, v + 1);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 4, 2, &error), ==, 4);

  /* Envelopes of both versions are accepted. */
  sync = intake_sync_new (kiosk);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_server_holds (s, 8);
  assert_all_delivered (kiosk, 8);
  g_assert_cmpint (server_query_int (s, "SELECT count(DISTINCT questionnaire_version) FROM envelopes"), ==, 2);

  /* The office publishes v+2: the next sync picks it up for new sessions. */
  server_kill (s);
  g_free (s->questionnaire);
  s->questionnaire = sign_questionnaire (f, v + 2, f->office_dir);
  server_start (s);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, v + 2);
  g_assert_cmpuint (intake_questionnaire_get_version (intake_session_get_questionnaire (session)), ==, v + 1);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 3, &error), ==, 2);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_server_holds (s, 10);

  /* A server that offers v+3 signed by another office key (say, a
   * compromised server the kiosk was pointed at): ignored, the kiosk keeps
   * v+2. The other server knows the device: its enrollment went as far as
   * the kiosk refusing the other office key. */
  {
    g_autofree char *other_dir = g_build_filename (f->dir, "other-office", NULL);
    g_autoptr(Server) other = server_new (f, "other-server");
    g_autofree char *other_code = NULL;
    g_autofree char *server_pub = NULL;
    IntakeDevicePublic other_server_key;

    g_free (admin (0, NULL, "office", "init", other_dir, "--passphrase-file", f->passphrase_file, NULL));
    g_free (other->office_pub);
    other->office_pub = g_build_filename (other_dir, "office.pub", NULL);
    other->questionnaire = sign_questionnaire (f, v + 3, other_dir);
    server_start (other);
    other_code = enroll_code (other, "Elsewhere", NULL);
    g_assert_null (intake_enroll_blocking (f->state_dir, other->url, other_code,
                                                INTAKE_ENROLL_NONE, NULL, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED);
    g_clear_error (&error);

    server_pub = g_build_filename (other->data_dir, "server.pub", NULL);
    g_assert_true (intake_device_public_load (server_pub, &other_server_key, &error));
    write_server_json (f->state_dir, other->url, other_server_key.sign_pk, NULL,
                       intake_kiosk_get_device_id (kiosk));
    g_assert_true (intake_kiosk_reload_enrollment (kiosk, &error));
    g_assert_cmpstr (intake_kiosk_get_server_url (kiosk), ==, other->url);

    g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "*Ignoring the questionnaire the server offers*");
    g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
    g_assert_no_error (error);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)), ==, v + 2);
  }

  /* And after a restart the kiosk still uses v+2 from its state directory. */
  {
    g_autoptr(IntakeKiosk) again = new_kiosk (f);

    g_assert_cmpuint (intake_questionnaire_get_version (intake_kiosk_get_questionnaire (again)), ==, v + 2);
  }
}

static gboolean
failed_once (gpointer data)
{
  return intake_sync_get_failures (data) >= 1;
}

/* A long backoff is cut short when the network monitor says the network
 * came back. */
static void
test_e2e_engine_network_changed (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  FakeSource source = { .values = { 0.99 } };

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 2, &error), ==, 2);
  server_kill (s);

  intake_sync_set_backoff (sync, 60 * 1000, 60 * 1000);
  intake_sync_set_random (sync, fake_random, &source);
  intake_sync_set_interval (sync, 3600);
  intake_sync_start (sync);
  spin_until (failed_once, sync, 30);
  g_assert_cmpint (intake_sync_get_next_attempt_at (sync) - g_get_real_time (), >, 50 * G_USEC_PER_SEC);

  server_start (s);
  spin_for_ms (300);
  g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, 2);
  /* A submission does not cut the backoff short either. */
  intake_sync_poke (sync);
  spin_for_ms (100);
  g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, 2);

  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  spin_until (nothing_pending, sync, 10);
  g_assert_cmpuint (intake_sync_get_failures (sync), ==, 0);
  intake_sync_stop (sync);
  assert_all_delivered (kiosk, 2);
}

static GBytes *
seal_with_id (const IntakeOfficePublic *office,
              const IntakeDeviceKey    *device,
              const guint8             *submission_id)
{
  g_autoptr(IntakeQuestionnaire) q = intake_questionnaire_new_builtin (NULL);
  g_autoptr(GError) error = NULL;
  IntakeEnvelopeInfo info = { 0 };
  static const char plaintext[] = "{\"answers\":{}}";
  GBytes *envelope;

  memcpy (info.submission_id, submission_id, sizeof info.submission_id);
  info.created_at = g_get_real_time () / G_USEC_PER_SEC;
  info.questionnaire_id = intake_questionnaire_get_id (q);
  info.questionnaire_version = intake_questionnaire_get_version (q);
  memcpy (info.questionnaire_hash, intake_questionnaire_get_hash_bytes (q), sizeof info.questionnaire_hash);
  envelope = intake_envelope_seal (office, device, &info, (const guint8 *)plaintext, strlen (plaintext), &error);
  g_assert_no_error (error);
  return envelope;
}

/* Envelopes the server refuses (a conflict, a wrong office key) stay
 * pending with their own backoff and a plain-words reason; the rest of the
 * batch is delivered. */
static void
test_e2e_refused_envelopes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOfficePublic) other_public = NULL;
  g_autoptr(IntakeOfficeSecret) other_secret = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) wrong_office = NULL;
  g_autoptr(GPtrArray) bundle_envelopes = g_ptr_array_new ();
  g_autoptr(GBytes) bundle = NULL;
  g_autofree char *bundle_path = g_build_filename (f->dir, "conflict.ikb", NULL);
  g_autofree char *conflict_id = NULL;
  g_autofree char *wrong_id = NULL;
  FakeSource source = { 0 };
  guint8 id[INTAKE_SUBMISSION_ID_BYTES];
  gint64 started;

  for (guint i = 0; i < G_N_ELEMENTS (source.values); i++)
    source.values[i] = 0.5;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  intake_sync_set_language (sync, "en");
  intake_sync_set_backoff (sync, INTAKE_SYNC_BACKOFF_BASE_MS, INTAKE_SYNC_BACKOFF_CAP_MS);
  intake_sync_set_random (sync, fake_random, &source);

  /* The server already holds envelope A for a submission id (via a
   * bundle); the kiosk holds other bytes, A', for the same id. */
  intake_envelope_new_submission_id (id);
  conflict_id = intake_hex_encode (id, sizeof id);
  first = seal_with_id (f->office_public, intake_kiosk_get_device_key (kiosk), id);
  second = seal_with_id (f->office_public, intake_kiosk_get_device_key (kiosk), id);
  g_assert_false (g_bytes_equal (first, second));
  g_ptr_array_add (bundle_envelopes, first);
  bundle = intake_bundle_build (intake_kiosk_get_device_key (kiosk), g_get_real_time () / G_USEC_PER_SEC,
                                bundle_envelopes);
  g_assert_true (g_file_set_contents (bundle_path, g_bytes_get_data (bundle, NULL),
                                      (gssize)g_bytes_get_size (bundle), NULL));
  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, bundle_path, NULL));
  g_assert_true (intake_outbox_add (intake_kiosk_get_outbox (kiosk), second, "TEST-0001", &error));
  g_assert_no_error (error);

  /* And one sealed to an office key the server does not know. */
  g_assert_true (intake_office_generate (&other_public, &other_secret, NULL));
  intake_envelope_new_submission_id (id);
  wrong_id = intake_hex_encode (id, sizeof id);
  wrong_office = seal_with_id (other_public, intake_kiosk_get_device_key (kiosk), id);
  g_assert_true (intake_outbox_add (intake_kiosk_get_outbox (kiosk), wrong_office, "TEST-0002", &error));

  /* Plus good ones in the same batch. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 5, 5, &error), ==, 5);

  started = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_REJECTED);
  g_assert_nonnull (strstr (intake_sync_get_last_error (sync), "refused some submissions"));
  /* The engine itself is fine: no engine backoff. */
  g_assert_cmpuint (intake_sync_get_failures (sync), ==, 0);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 5);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 2);
  assert_server_holds_total (s, 6);

  {
    g_autoptr(IntakeOutboxItem) conflict = intake_outbox_lookup (intake_kiosk_get_outbox (kiosk), conflict_id, NULL);
    g_autoptr(IntakeOutboxItem) wrong = intake_outbox_lookup (intake_kiosk_get_outbox (kiosk), wrong_id, NULL);

    g_assert_cmpint (conflict->state, ==, INTAKE_OUTBOX_STATE_PENDING);
    g_assert_cmpuint (conflict->attempts, ==, 1);
    g_assert_nonnull (strstr (conflict->last_error, "conflict"));
    /* Its own backoff: ceil(0.5 x 5 s x 2^0) = 3 s. */
    g_assert_cmpint (conflict->next_attempt_at, >=, started + 3);
    g_assert_cmpint (conflict->next_attempt_at, <=, g_get_real_time () / G_USEC_PER_SEC + 3);
    g_assert_cmpint (wrong->state, ==, INTAKE_OUTBOX_STATE_PENDING);
    g_assert_nonnull (strstr (wrong->last_error, "office key"));
    g_assert_nonnull (strstr (wrong->last_error, "wrong_office_key"));
  }

  /* Not due yet: a second pass leaves them alone. */
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_PENDING);
  g_clear_error (&error);
  {
    g_autoptr(IntakeOutboxItem) conflict = intake_outbox_lookup (intake_kiosk_get_outbox (kiosk), conflict_id, NULL);

    g_assert_cmpuint (conflict->attempts, ==, 1);
  }
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM conflicts"), ==, 1);
}

/* Delivered envelopes stay for the grace period, then go. */
static void
test_e2e_grace_period (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  /* Two minutes ahead: inside the server's clock window. */
  FakeSource source = { .now = g_get_real_time () + 120 * G_USEC_PER_SEC };

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 5, 5, &error), ==, 5);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_all_delivered (kiosk, 5);

  intake_sync_set_clock (sync, fake_clock, &source);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 5);

  /* With no grace at all, delivered envelopes go at the next pass, even
   * when the server cannot be reached; pending ones never do. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 1, 6, &error), ==, 1);
  server_kill (s);
  intake_sync_set_grace_days (sync, 0);
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NETWORK);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 0);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 1);
}

static void
assert_mode_0600 (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Restore without loss, as the runbook in docs/server.md ("Backup and
 * restore") says: a backup, three more deliveries, the server stopped and
 * the backup restored; the kiosk learns the new store generation on its
 * next sync and sends again what it still keeps as delivered: every
 * intake is in the store exactly once. */
static void
test_e2e_restore (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "intake-backup.db", NULL);
  g_autofree char *db = g_build_filename (s->data_dir, "intake.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *line;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 5, 5, &error), ==, 5);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_all_delivered (kiosk, 5);
  before = intake_outbox_dup_store_generation (intake_kiosk_get_outbox (kiosk), &error);
  g_assert_no_error (error);
  g_assert_nonnull (before);

  /* 1. The backup, while the server runs: 0600, never overwritten. */
  out = admin (0, NULL, "backup", "--data", s->data_dir, "--out", backup, NULL);
  g_test_message ("%s", out);
  assert_mode_0600 (backup);
  g_clear_pointer (&out, g_free);
  out = admin (1, &err, "backup", "--data", s->data_dir, "--out", backup, NULL);
  g_assert_nonnull (strstr (err, "exists"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* 2. Three more intakes delivered after the backup. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 6, &error), ==, 3);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_all_delivered (kiosk, 8);
  assert_server_holds (s, 8);

  /* 3. Not while the server has the store open. */
  out = admin (1, &err, "restore", "--data", s->data_dir, "--in", backup, NULL);
  g_assert_nonnull (strstr (err, "is in use"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  assert_server_holds (s, 8);

  /* 4. The server stopped, the backup restored: the replaced store is kept. */
  server_kill (s);
  out = admin (0, NULL, "restore", "--data", s->data_dir, "--in", backup, NULL);
  g_test_message ("%s", out);
  g_assert_nonnull ((line = strstr (out, "the replaced store is kept as ")));
  kept = g_strndup (line + strlen ("the replaced store is kept as "),
                    strcspn (line + strlen ("the replaced store is kept as "), " \n"));
  assert_mode_0600 (kept);
  assert_mode_0600 (db);
  g_assert_cmpint (server_query_int (s, "SELECT count(*) FROM audit_log WHERE action = 'store_restore'"), ==, 1);

  /* 5. The server starts on the backup: the three are gone from it. */
  server_start (s);
  assert_server_holds (s, 5);

  /* 6. One sync: the kiosk sees the new generation and sends all eight
   * again; five are duplicates, three are stored; each once. */
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_server_holds (s, 8);
  assert_all_delivered (kiosk, 8);
  after = intake_outbox_dup_store_generation (intake_kiosk_get_outbox (kiosk), &error);
  g_assert_cmpstr (after, !=, before);

  /* 7. The next sync sends nothing again. */
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_server_holds (s, 8);
  assert_all_delivered (kiosk, 8);
}

static int run_kiosk (char       **out_stdout,
                      char       **out_stderr,
                      const char  *state_dir,
                      const char  *first,
                      ...) G_GNUC_NULL_TERMINATED;

/* HTTPS with a private CA: refused without the CA file, fine with it. */
/* A sample from the server's /metrics (@name with its labels), or -1;
 * fetched through @session, which trusts @s's certificate. */
static gint64
server_metric (Server      *s,
               SoupSession *session,
               const char  *name)
{
  g_autofree char *url = g_strconcat (s->url, "/metrics", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return intake_test_metric_value (body, name);
}

static void
test_e2e_tls (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *err = NULL;
  int status;

  s->tls_cert = g_build_filename (f->dir, "cert.pem", NULL);
  s->tls_key = g_build_filename (f->dir, "key.pem", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", s->tls_key, "-out", s->tls_cert, "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", NULL
    };

    status = intake_test_run (argv, NULL, NULL, &err);
    g_assert_cmpint (status, ==, 0);
  }
  server_start (s);
  g_assert_true (g_str_has_prefix (s->url, "https://"));

  code = enroll_code (s, "Vaals", NULL);
  fingerprint = intake_enroll_blocking (f->state_dir, s->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_null (fingerprint);
  /* A trust failure, not "cannot be reached": waiting would not help. */
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_clear_error (&error);

  /* The untrusted attempt never reached the enrollment: the code still works. */
  fingerprint = intake_enroll_blocking (f->state_dir, s->url, code, INTAKE_ENROLL_NONE,
                                             s->tls_cert, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fingerprint);

  kiosk = new_kiosk (f);
  sync = intake_sync_new (kiosk);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 3, &error), ==, 3);
  g_assert_false (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_UNTRUSTED);
  g_assert_cmpint (intake_sync_get_status (sync), ==, INTAKE_SYNC_STATUS_UNTRUSTED);
  g_assert_nonnull (strstr (intake_sync_status_to_string (intake_sync_get_status (sync), "nl"),
                            "certificaat wordt niet vertrouwd"));
  g_clear_error (&error);

  g_assert_null (intake_sync_get_tls_ca_file (sync));
  g_assert_true (intake_sync_set_tls_ca_file (sync, s->tls_cert, &error));
  /* The staff screen enrolls with the same CA file. */
  g_assert_cmpstr (intake_sync_get_tls_ca_file (sync), ==, s->tls_cert);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_server_holds (s, 3);
  assert_all_delivered (kiosk, 3);

  /* A pass keeps its connection: one TLS handshake, not one per upload
   * (libsoup opens a new connection for every POST not marked
   * idempotent). Four uploads of three, and the check-in before them. */
  {
    g_autoptr(SoupSession) watcher = soup_session_new ();
    g_autoptr(GTlsDatabase) ca = g_tls_file_database_new (s->tls_cert, &error);
    const char *uploads = "intake_requests_total{path=\"/v1/envelopes\",status=\"200\"}";
    gint64 accepted, uploaded;

    g_assert_no_error (error);
    soup_session_set_tls_database (watcher, ca);
    accepted = server_metric (s, watcher, "intake_connections_accepted_total");
    uploaded = server_metric (s, watcher, uploads);
    g_assert_cmpint (accepted, >, 0);
    g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 12, 20, &error), ==, 12);
    intake_sync_set_batch_size (sync, 3);
    g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
    g_assert_no_error (error);
    assert_server_holds (s, 15);
    g_assert_cmpint (server_metric (s, watcher, uploads) - uploaded, ==, 4);
    /* The watcher's own connection is kept too (a GET). */
    g_assert_cmpint (server_metric (s, watcher, "intake_connections_accepted_total") - accepted, <=, 1);
    intake_sync_set_batch_size (sync, INTAKE_PROTOCOL_MAX_BATCH);
  }

  g_assert_false (intake_sync_set_tls_ca_file (sync, "/nonexistent/ca.pem", &error));
  g_assert_nonnull (error);
  /* A refused file changes nothing. */
  g_assert_cmpstr (intake_sync_get_tls_ca_file (sync), ==, s->tls_cert);
  g_clear_error (&error);

  /* The real program with a --tls-ca path relative to where it is started
   * (issue 16, point 6). */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 10, &error), ==, 2);
  {
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *out = NULL;
    g_autofree char *relative = g_path_get_basename (s->tls_cert);
    g_autofree char *err_relative = NULL;

    g_assert_cmpint (g_chdir (f->dir), ==, 0);
    status = run_kiosk (&out, &err_relative, f->state_dir, "--sync-now", "--tls-ca", relative, NULL);
    g_test_message ("%s", err_relative);
    g_assert_cmpint (g_chdir (cwd), ==, 0);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "0 submissions pending"));
  }
  assert_server_holds (s, 17);
}

/* Runs the real intake-kiosk with --state-dir STATE_DIR and the given
 * arguments. */
static int
run_kiosk (char       **out_stdout,
           char       **out_stderr,
           const char  *state_dir,
           const char  *first,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *kiosk = g_getenv ("INTAKE_KIOSK");
  const char *arg;
  va_list args;

  g_assert_nonnull (kiosk);
  g_ptr_array_add (argv, (gpointer)kiosk);
  g_ptr_array_add (argv, "--state-dir");
  g_ptr_array_add (argv, (gpointer)state_dir);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return intake_test_run ((const char * const *)argv->pdata, NULL, out_stdout, out_stderr);
}

/* intake-kiosk --enroll / --sync-now / --export-bundle, the real program. */
static void
test_e2e_command_line (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = intake_office_public_dup_fingerprint (f->office_public);
  g_autofree char *bundle = g_build_filename (f->dir, "cli.ikb", NULL);
  g_autoptr(GError) error = NULL;

  server_start (s);
  code = enroll_code (s, "Vaals", NULL);
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--enroll", s->url, code, NULL), ==, 0);
  g_assert_nonnull (strstr (out, expected));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same code again: one clear line, exit 1. */
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--enroll", s->url, code, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already been used"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  kiosk = new_kiosk (f);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 6, 6, &error), ==, 6);
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--export-bundle", bundle, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Wrote 6 submissions"));
  g_assert_cmpuint (counts_of (kiosk).exported_pending, ==, 6);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--sync-now", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 submissions pending"));
  assert_server_holds (s, 6);
  assert_all_delivered (kiosk, 6);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Server gone: exit 1 with the staff message. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 1, 7, &error), ==, 1);
  server_kill (s);
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--sync-now", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "1 submissions pending"));
  g_assert_nonnull (strstr (err, "cannot be reached"));
}

/* Rewrites the receipts file @in into @out, after @edit changed its
 * parsed receipts. */
static void
rewrite_receipts (const char  *in,
                  const char  *out,
                  void       (*edit) (GPtrArray *receipts, gpointer data),
                  gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GBytes) file = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (in, &text, &len, &error));
  receipts = intake_receipts_file_parse (text, len, &error);
  g_assert_no_error (error);
  edit (receipts, data);
  file = intake_receipts_file_build (receipts);
  g_assert_true (g_file_set_contents_full (out, g_bytes_get_data (file, NULL), (gssize)g_bytes_get_size (file),
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
}

static void
flip_signature (GPtrArray *receipts,
                gpointer   data)
{
  IntakeSignedReceipt *r = g_ptr_array_index (receipts, 0);

  r->signature[7] ^= 0x20;
}

/* A receipt signed by the real server key that lists @data's submission
 * with other bytes: what a server holding other bytes would say. */
static void
other_bytes (GPtrArray *receipts,
             gpointer   data)
{
  const char *secret = data;
  g_autoptr(IntakeDeviceKey) key = NULL;
  g_autoptr(GError) error = NULL;
  IntakeSignedReceipt *r = g_ptr_array_index (receipts, 0);
  g_autoptr(GArray) items = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  IntakeDevicePublic pub;
  JsonObject *root;
  g_autofree char *key_id = NULL;

  key = intake_device_key_load (secret, &error);
  g_assert_no_error (error);
  intake_device_key_get_public (key, &pub);
  key_id = intake_server_key_id_hex (pub.sign_pk);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (r->receipt, NULL),
                                             (gssize)g_bytes_get_size (r->receipt), &error));
  root = json_node_get_object (json_parser_get_root (parser));
  items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  {
    JsonArray *array = json_object_get_array_member (root, "items");
    IntakeReceiptItem item = { 0 };

    g_strlcpy (item.submission_id,
               json_object_get_string_member (json_array_get_object_element (array, 0), "submission_id"),
               sizeof item.submission_id);
    memset (item.sha256, 'a', 64);
    g_array_append_val (items, item);
  }
  g_bytes_unref (r->receipt);
  r->receipt = intake_receipt_build (json_object_get_string_member (root, "device_id"), 1800000000, key_id, items);
  intake_device_key_sign (key, "receipt", r->receipt, r->signature);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* A kiosk that never reaches the server after enrollment: 3 then 2
 * intakes go to the office on a stick, and the receipts come back the
 * same way. Each is stored once, the second bundle holds only the 2, and
 * the outbox ends with nothing pending. Receipts files that are tampered
 * with, for another device, with other bytes or not strictly as specified
 * are refused and change nothing. */
static void
test_e2e_receipts_round_trip (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeKiosk) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other_state = g_build_filename (f->dir, "kiosk2", NULL);
  g_autofree char *b1 = g_build_filename (f->dir, "first.ikb", NULL);
  g_autofree char *r1 = g_build_filename (f->dir, "first.receipts", NULL);
  g_autofree char *b2 = g_build_filename (f->dir, "second.ikb", NULL);
  g_autofree char *r2 = g_build_filename (f->dir, "second.receipts", NULL);
  g_autofree char *b3 = g_build_filename (f->dir, "third.ikb", NULL);
  g_autofree char *other_bundle = g_build_filename (f->dir, "other.ikb", NULL);
  g_autofree char *other_receipts = g_build_filename (f->dir, "other.receipts", NULL);
  g_autofree char *tampered = g_build_filename (f->dir, "tampered.receipts", NULL);
  g_autofree char *forged = g_build_filename (f->dir, "forged.receipts", NULL);
  g_autofree char *strange = g_build_filename (f->dir, "strange.receipts", NULL);
  g_autofree char *secret = NULL;
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  IntakeOutboxCounts before;

  /* Enrolled at the office (the only time it is on a network), as is a
   * second kiosk. */
  server_start (s);
  code = enroll_code (s, "Vaals", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, f->state_dir, "--enroll", s->url, code, NULL), ==, 0);
  g_clear_pointer (&code, g_free);
  code = enroll_code (s, "Gulpen", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, other_state, "--enroll", s->url, code, NULL), ==, 0);
  server_kill (s);
  secret = g_build_filename (s->data_dir, "server.secret", NULL);

  /* The other kiosk's round trip, for a receipts file of another device. */
  other = intake_kiosk_new (other_state, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (other, 1, 99, &error), ==, 1);
  g_assert_cmpint (run_kiosk (NULL, NULL, other_state, "--export-bundle", other_bundle, NULL), ==, 0);
  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, "--receipts-out", other_receipts,
                 other_bundle, NULL));

  /* First trip: 3 intakes. */
  kiosk = new_kiosk (f);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 3, &error), ==, 3);
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--export-bundle", b1, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Wrote 3 submissions"));
  g_clear_pointer (&out, g_free);
  out = admin (0, NULL, "import-bundle", "--data", s->data_dir, "--receipts-out", r1, b1, NULL);
  g_assert_nonnull (strstr (out, "receipts:  3 in"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (file_mode (r1), ==, 0600);
  assert_server_holds (s, 4);
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--import-receipts", r1, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "3 submissions confirmed delivered now"));
  g_assert_nonnull (strstr (out, "0 submissions pending"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  assert_all_delivered (kiosk, 3);

  /* Second trip: 2 more; the bundle holds only those. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 5, &error), ==, 2);
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--export-bundle", b2, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Wrote 2 submissions"));
  g_clear_pointer (&out, g_free);
  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, "--receipts-out", r2, b2, NULL));
  assert_server_holds (s, 6);

  /* Refused, and nothing marked: another device's receipts, a flipped
   * signature, a receipt by the real key for other bytes, an unknown
   * member, a file over the size limit. */
  before = counts_of (kiosk);
  g_assert_cmpuint (before.pending, ==, 2);
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", other_receipts, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not this kiosk"));
  g_clear_pointer (&err, g_free);
  rewrite_receipts (r2, tampered, flip_signature, NULL);
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", tampered, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not signed by the enrolled server key"));
  g_clear_pointer (&err, g_free);
  rewrite_receipts (r2, forged, other_bytes, secret);
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", forged, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "other bytes"));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_get_contents (r2, &text, NULL, &error));
  {
    g_autofree char *extra = g_strdup_printf ("{\"extra\":1,%s", text + 1);

    g_assert_true (g_file_set_contents (strange, extra, -1, &error));
  }
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", strange, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "malformed"));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (strange, "{\"format\":1,\"receipts\":[]", -1, &error));
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", strange, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "malformed"));
  g_clear_pointer (&err, g_free);
  {
    int fd = g_open (strange, O_WRONLY | O_TRUNC, 0600);

    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (ftruncate (fd, INTAKE_RECEIPTS_FILE_MAX_SIZE + 1), ==, 0);
    close (fd);
  }
  g_assert_cmpint (run_kiosk (NULL, &err, f->state_dir, "--import-receipts", strange, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "larger than"));
  g_clear_pointer (&err, g_free);
  /* The function the staff screen calls says the same. */
  {
    g_autoptr(IntakeSync) sync = intake_sync_new (kiosk);
    IntakeReceiptsImport result = { 0 };

    g_assert_false (intake_sync_import_receipts (sync, tampered, &result, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RECEIPT);
    g_clear_error (&error);
    g_assert_false (intake_sync_import_receipts (sync, other_receipts, &result, &error));
    g_assert_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RECEIPT);
    g_clear_error (&error);
    g_assert_cmpuint (result.delivered, ==, 0);
    g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, 2);
  }
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 2);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 3);

  /* The genuine file; reading it again changes nothing. */
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--import-receipts", r2, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "2 submissions confirmed delivered now"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--import-receipts", r2, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 submissions confirmed delivered now, 2 confirmed before"));
  g_clear_pointer (&out, g_free);
  assert_all_delivered (kiosk, 5);
  assert_server_holds (s, 6);

  /* Nothing left for a third trip. */
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--export-bundle", b3, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Wrote 0 submissions"));
}


/* A revoked kiosk is given a new device key and enrolled again without
 * losing its outbox: its new intakes go online, those sealed under the old
 * key wait (never holding up the rest) until the office takes in their
 * bundle on purpose with --accept-revoked (audited), and their receipts
 * come back on the stick. Without --accept-revoked, or naming another
 * device, the bundle is refused. */
static void
test_e2e_new_device_key (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bundle = g_build_filename (f->dir, "after.ikb", NULL);
  g_autofree char *old_bundle = NULL;
  g_autofree char *receipts = g_build_filename (f->dir, "old.receipts", NULL);
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *retired = NULL;

  server_start (s);
  code = enroll_code (s, "Vaals", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, f->state_dir, "--enroll", s->url, code, NULL), ==, 0);
  g_clear_pointer (&code, g_free);
  kiosk = new_kiosk (f);
  old_id = g_strdup (intake_kiosk_get_device_id (kiosk));
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 11, &error), ==, 2);
  g_clear_object (&kiosk);

  /* The office revokes it (say it went missing for a while): it can no
   * longer send. */
  g_free (admin (0, NULL, "device", "revoke", "--data", s->data_dir, old_id, NULL));
  g_assert_cmpint (run_kiosk (NULL, NULL, f->state_dir, "--sync-now", NULL), ==, 1);

  /* A new key, enrolled again; the outbox keeps both intakes. */
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--new-device-key", NULL), ==, 0);
  g_assert_nonnull (strstr (out, old_id));
  g_clear_pointer (&out, g_free);
  retired = g_strdup_printf ("%s/retired/%s.secret", f->state_dir, old_id);
  g_assert_true (g_file_test (retired, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (file_mode (retired), ==, 0600);
  code = enroll_code (s, "Vaals", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, f->state_dir, "--enroll", s->url, code, NULL), ==, 0);
  kiosk = new_kiosk (f);
  new_id = g_strdup (intake_kiosk_get_device_id (kiosk));
  g_assert_cmpstr (new_id, !=, old_id);
  g_assert_cmpuint (intake_kiosk_get_retired_device_keys (kiosk)->len, ==, 1);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 2);

  /* New intakes go online; the old ones wait without blocking them. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 12, &error), ==, 3);
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--sync-now", NULL), ==, 1);
  g_assert_nonnull (strstr (out, "2 submissions pending"));
  g_clear_pointer (&out, g_free);
  assert_server_holds (s, 3);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 3);

  /* The bundle of the old key. */
  g_assert_cmpint (run_kiosk (&out, NULL, f->state_dir, "--export-bundle", bundle, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "Wrote 0 submissions"));
  g_assert_nonnull (strstr (out, "Wrote 2 submissions of this kiosk's previous device key"));
  g_clear_pointer (&out, g_free);
  old_bundle = intake_sync_retired_bundle_path (bundle, old_id);
  g_assert_cmpuint (file_mode (old_bundle), ==, 0600);

  /* Refused as before, also when --accept-revoked names another device. */
  g_free (admin (1, &err, "import-bundle", "--data", s->data_dir, old_bundle, NULL));
  g_assert_nonnull (strstr (err, "revoked"));
  g_clear_pointer (&err, g_free);
  g_free (admin (1, &err, "import-bundle", "--data", s->data_dir, "--accept-revoked", new_id, old_bundle, NULL));
  g_assert_nonnull (strstr (err, "--accept-revoked"));
  g_clear_pointer (&err, g_free);
  assert_server_holds (s, 3);

  out = admin (0, NULL, "import-bundle", "--data", s->data_dir, "--accept-revoked", old_id,
               "--receipts-out", receipts, old_bundle, NULL);
  g_assert_nonnull (strstr (out, "revoked, accepted on purpose"));
  g_clear_pointer (&out, g_free);
  assert_server_holds (s, 5);
  out = admin (0, NULL, "audit", "show", "--data", s->data_dir, "--object", old_id, NULL);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "import_bundle_revoked"));
  g_assert_nonnull (strstr (out, "2 envelopes"));
  g_clear_pointer (&out, g_free);
  /* The device stays revoked. */
  out = admin (0, NULL, "device", "list", "--data", s->data_dir, NULL);
  g_assert_nonnull (strstr (out, "revoked"));
  g_clear_pointer (&out, g_free);

  /* Receipts for the old device id are this kiosk's too. */
  g_assert_cmpint (run_kiosk (&out, &err, f->state_dir, "--import-receipts", receipts, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "2 submissions confirmed delivered now"));
  g_assert_nonnull (strstr (out, "0 submissions pending"));
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 0);
  g_assert_cmpuint (counts_of (kiosk).delivered, ==, 5);
}

/* ------------------------------------------------------------------ */

/* Office key rotation as the runbook in docs/server.md ("Rotating the
 * office key") does it, with the real programs: a kiosk holding three
 * submissions sealed for key 1 delivers them after the rotation, learns
 * key 2 from the signed statement and seals new sessions for it (also after
 * a restart); an offline site learns key 2 from its receipts file; a
 * statement that does not verify changes nothing. */
static void
test_e2e_office_rotation (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeKiosk) again = NULL;
  g_autoptr(IntakeKiosk) offline = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(IntakeOfficePublic) key2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offline_state = g_build_filename (f->dir, "offline", NULL);
  g_autofree char *bundle = g_build_filename (f->dir, "offline.bundle", NULL);
  g_autofree char *receipts = g_build_filename (f->dir, "offline.receipts", NULL);
  g_autofree char *state_office = g_build_filename (f->state_dir, "office.pub", NULL);
  g_autofree char *key1_id = intake_office_public_dup_key_id_hex (f->office_public);
  g_autofree char *key2_id = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autofree char *sql = NULL;

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  code = enroll_code (s, "Gulpen", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, offline_state, "--enroll", s->url, code, NULL), ==, 0);

  /* Three intakes sealed for key 1, not yet delivered. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 3, 1, &error), ==, 3);
  g_assert_cmpuint (counts_of (kiosk).pending, ==, 3);

  /* The rotation, while the server runs; then every instance restarted
   * with the same --office-public path. */
  out = admin (0, NULL, "office", "rotate", f->office_dir, "--passphrase-file", f->passphrase_file,
               "--data", s->data_dir, NULL);
  g_test_message ("%s", out);
  key2 = intake_office_public_load (f->office_pub, &error);
  g_assert_no_error (error);
  key2_id = intake_office_public_dup_key_id_hex (key2);
  g_assert_cmpstr (key2_id, !=, key1_id);
  g_assert_nonnull (strstr (out, key2_id));
  server_kill (s);
  server_start (s);

  /* One sync: the three are stored, and the kiosk now seals for key 2. */
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_all_delivered (kiosk, 3);
  /* Its check-in at the start of that pass (issue 16, point 5): three
   * waiting since the first was made, this build, the built-in
   * questionnaire, no problem. */
  {
    g_autofree char *query = g_strdup_printf ("SELECT reported_pending FROM devices WHERE last_seen_at > 0 AND "
                                              "oldest_pending_at > 0 AND app_version = '%s' AND last_error = '' AND "
                                              "questionnaire = '%s/%u'", PACKAGE_VERSION,
                                              intake_questionnaire_get_id (intake_kiosk_get_questionnaire (kiosk)),
                                              intake_questionnaire_get_version (intake_kiosk_get_questionnaire (kiosk)));

    g_assert_cmpint (server_query_int (s, query), ==, 3);
  }
  g_assert_cmpmem (intake_kiosk_get_office (kiosk)->key_id, INTAKE_OFFICE_KEY_ID_BYTES,
                   key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  kept = g_strdup_printf ("%s.%s.replaced", state_office, key1_id);
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  {
    g_autoptr(IntakeOfficePublic) on_disk = intake_office_public_load (state_office, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (on_disk->key_id, INTAKE_OFFICE_KEY_ID_BYTES, key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  }

  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 4, &error), ==, 2);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_all_delivered (kiosk, 5);
  assert_server_holds (s, 5);
  sql = g_strdup_printf ("SELECT count(*) FROM envelopes WHERE office_key_id = '%s'", key1_id);
  g_assert_cmpint (server_query_int (s, sql), ==, 3);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM envelopes WHERE office_key_id = '%s'", key2_id);
  g_assert_cmpint (server_query_int (s, sql), ==, 2);

  /* A restarted kiosk keeps key 2. */
  again = intake_kiosk_new (f->state_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_kiosk_get_office (again)->key_id, INTAKE_OFFICE_KEY_ID_BYTES,
                   key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);

  /* An offline site: its bundle (sealed for key 1) is taken in, and its
   * receipts file teaches it key 2. */
  offline = intake_kiosk_new (offline_state, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (offline, 1, 9, &error), ==, 1);
  g_clear_object (&offline);
  g_assert_cmpint (run_kiosk (NULL, NULL, offline_state, "--export-bundle", bundle, NULL), ==, 0);
  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, "--receipts-out", receipts, bundle, NULL));
  assert_server_holds (s, 6);
  g_assert_cmpint (run_kiosk (NULL, NULL, offline_state, "--import-receipts", receipts, NULL), ==, 0);
  offline = intake_kiosk_new (offline_state, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (intake_kiosk_get_office (offline)->key_id, INTAKE_OFFICE_KEY_ID_BYTES,
                   key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);

  /* A statement with one flipped bit is refused; one between two keys of
   * someone else's is no path from key 2 and changes nothing. */
  {
    g_autoptr(IntakeOfficeSecret) x = NULL;
    g_autoptr(IntakeOfficeSecret) y = NULL;
    g_autoptr(GBytes) stranger = NULL;
    g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
    gboolean changed = TRUE;
    guint8 *flipped;
    gsize len;

    g_assert_true (intake_office_generate (NULL, &x, &error));
    g_assert_true (intake_office_generate (NULL, &y, &error));
    stranger = intake_office_rotation_sign (x, y, 1);
    flipped = g_memdup2 (g_bytes_get_data (stranger, &len), g_bytes_get_size (stranger));
    flipped[len - 1] ^= 1;
    g_ptr_array_add (blobs, g_bytes_new_take (flipped, len));
    g_assert_false (intake_kiosk_follow_office_rotations (again, blobs, &changed, &error));
    g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE);
    g_clear_error (&error);
    g_ptr_array_set_size (blobs, 0);
    g_ptr_array_add (blobs, g_bytes_ref (stranger));
    g_assert_true (intake_kiosk_follow_office_rotations (again, blobs, &changed, &error));
    g_assert_false (changed);
    g_assert_cmpmem (intake_kiosk_get_office (again)->key_id, INTAKE_OFFICE_KEY_ID_BYTES,
                     key2->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  }
}

/* A planned server key rollover (docs/server.md, "Rolling the server key
 * over"): intake-admin server-key roll, the server restarted with the new
 * key; an online kiosk accepts the new key's receipts after following the
 * statement at its next sync, an offline site from its receipts file;
 * neither enrolls again. */
static void
test_e2e_server_key_roll (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Server) s = server_new (f, "server");
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeKiosk) offline = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offline_state = g_build_filename (f->dir, "offline", NULL);
  g_autofree char *bundle = g_build_filename (f->dir, "offline.bundle", NULL);
  g_autofree char *receipts = g_build_filename (f->dir, "offline.receipts", NULL);
  g_autofree char *secret = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *code = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint8 old_pk[INTAKE_SIGN_PUBLIC_BYTES];

  server_start (s);
  sync = enrolled_sync (f, s, &kiosk);
  code = enroll_code (s, "Gulpen", NULL);
  g_assert_cmpint (run_kiosk (NULL, NULL, offline_state, "--enroll", s->url, code, NULL), ==, 0);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 1, &error), ==, 2);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  assert_all_delivered (kiosk, 2);
  memcpy (old_pk, intake_kiosk_get_server_public (kiosk), sizeof old_pk);
  old_id = intake_server_key_id_hex (old_pk);

  /* The rollover, then the server restarted with the (new) key file. */
  out = admin (0, NULL, "server-key", "roll", "--data", s->data_dir, NULL);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, old_id));
  secret = g_build_filename (s->data_dir, "server.secret", NULL);
  kept = g_strdup_printf ("%s/server-%s.secret", s->data_dir, old_id);
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  assert_mode_0600 (secret);
  g_clear_pointer (&out, g_free);
  /* A second roll from the old key file is refused: the store moved on. */
  out = admin (1, &err, "server-key", "roll", "--data", s->data_dir, "--server-key", kept, NULL);
  g_assert_nonnull (strstr (err, "not pinned"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  server_kill (s);
  server_start (s);

  /* Two more intakes: their receipts are signed by the new key, which the
   * kiosk learned at the start of the pass. */
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 2, 3, &error), ==, 2);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  assert_all_delivered_keys (kiosk, 4, old_pk);
  g_assert_true (memcmp (intake_kiosk_get_server_public (kiosk), old_pk, sizeof old_pk) != 0);
  {
    g_autoptr(IntakeKiosk) again = intake_kiosk_new (f->state_dir, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (intake_kiosk_get_server_public (again), INTAKE_SIGN_PUBLIC_BYTES,
                     intake_kiosk_get_server_public (kiosk), INTAKE_SIGN_PUBLIC_BYTES);
  }

  /* The offline site: receipts signed by the new key, with the statement. */
  offline = intake_kiosk_new (offline_state, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (offline, 1, 9, &error), ==, 1);
  g_clear_object (&offline);
  g_assert_cmpint (run_kiosk (NULL, NULL, offline_state, "--export-bundle", bundle, NULL), ==, 0);
  g_free (admin (0, NULL, "import-bundle", "--data", s->data_dir, "--receipts-out", receipts, bundle, NULL));
  g_assert_cmpint (run_kiosk (&out, NULL, offline_state, "--import-receipts", receipts, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "1 submissions confirmed delivered now"));
  assert_server_holds (s, 5);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && (g_str_equal (argv[1], "--sync-child") || g_str_equal (argv[1], "--sync-child-overlap")))
    {
      g_assert_true (intake_crypto_init (NULL));
      return sync_child_main (argv[2], g_str_equal (argv[1], "--sync-child-overlap"));
    }

  g_test_init (&argc, &argv, NULL);
  g_assert_true (intake_crypto_init (NULL));

  g_test_add ("/sync/unit/new-destroy", Fixture, NULL, fixture_setup, test_new_destroy, fixture_teardown);
  g_test_add_func ("/sync/unit/backoff/formula", test_backoff_formula);
  g_test_add_func ("/sync/unit/replayed-is-transient", test_replayed_is_transient);
  g_test_add ("/sync/unit/not-enrolled", Fixture, NULL, fixture_setup, test_not_enrolled, fixture_teardown);
  g_test_add ("/sync/unit/server-json", Fixture, NULL, fixture_setup, test_server_json, fixture_teardown);
  g_test_add ("/sync/unit/questionnaire/offer", Fixture, NULL, fixture_setup, test_questionnaire_offer,
              fixture_teardown);
  g_test_add ("/sync/unit/bundle/export", Fixture, NULL, fixture_setup, test_bundle_export, fixture_teardown);
  g_test_add ("/sync/unit/enroll/refuses-plain-http", Fixture, NULL, fixture_setup,
              test_enroll_refuses_plain_http, fixture_teardown);

  g_test_add ("/sync/e2e/enroll-and-drain-500", Fixture, NULL, fixture_setup, test_e2e_enroll_and_drain,
              fixture_teardown);
  g_test_add ("/sync/e2e/help-requests", Fixture, NULL, fixture_setup, test_e2e_help_requests, fixture_teardown);
  g_test_add ("/sync/e2e/engine/poke", Fixture, NULL, fixture_setup, test_e2e_engine_poke, fixture_teardown);
  g_test_add ("/sync/e2e/engine/network-changed", Fixture, NULL, fixture_setup,
              test_e2e_engine_network_changed, fixture_teardown);
  g_test_add ("/sync/e2e/server-killed", Fixture, NULL, fixture_setup, test_e2e_server_killed, fixture_teardown);
  g_test_add ("/sync/e2e/kiosk-killed", Fixture, NULL, fixture_setup, test_e2e_kiosk_killed, fixture_teardown);
  g_test_add ("/sync/e2e/two-in-flight", Fixture, NULL, fixture_setup, test_e2e_two_in_flight, fixture_teardown);
  g_test_add ("/sync/e2e/kiosk-killed-in-overlap", Fixture, NULL, fixture_setup, test_e2e_kiosk_killed_in_overlap,
              fixture_teardown);
  g_test_add ("/sync/e2e/bad-receipt", Fixture, NULL, fixture_setup, test_e2e_bad_receipt, fixture_teardown);
  g_test_add ("/sync/e2e/backoff", Fixture, NULL, fixture_setup, test_e2e_backoff, fixture_teardown);
  g_test_add ("/sync/e2e/bundle", Fixture, NULL, fixture_setup, test_e2e_bundle, fixture_teardown);
  g_test_add ("/sync/e2e/enroll-errors", Fixture, NULL, fixture_setup, test_e2e_enroll_errors, fixture_teardown);
  g_test_add ("/sync/e2e/refused", Fixture, NULL, fixture_setup, test_e2e_refused, fixture_teardown);
  g_test_add ("/sync/e2e/questionnaire", Fixture, NULL, fixture_setup, test_e2e_questionnaire, fixture_teardown);
  g_test_add ("/sync/e2e/refused-envelopes", Fixture, NULL, fixture_setup, test_e2e_refused_envelopes,
              fixture_teardown);
  g_test_add ("/sync/e2e/grace-period", Fixture, NULL, fixture_setup, test_e2e_grace_period, fixture_teardown);
  g_test_add ("/sync/e2e/restore", Fixture, NULL, fixture_setup, test_e2e_restore, fixture_teardown);
  g_test_add ("/sync/e2e/office-rotation", Fixture, NULL, fixture_setup, test_e2e_office_rotation,
              fixture_teardown);
  g_test_add ("/sync/e2e/server-key-roll", Fixture, NULL, fixture_setup, test_e2e_server_key_roll,
              fixture_teardown);
  g_test_add ("/sync/e2e/tls", Fixture, NULL, fixture_setup, test_e2e_tls, fixture_teardown);
  g_test_add ("/sync/e2e/command-line", Fixture, NULL, fixture_setup, test_e2e_command_line, fixture_teardown);
  g_test_add ("/sync/e2e/new-device-key", Fixture, NULL, fixture_setup, test_e2e_new_device_key, fixture_teardown);
  g_test_add ("/sync/e2e/receipts-round-trip", Fixture, NULL, fixture_setup, test_e2e_receipts_round_trip,
              fixture_teardown);

  return g_test_run ();
}

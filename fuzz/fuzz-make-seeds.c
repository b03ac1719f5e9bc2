/* fuzz-make-seeds.c: writes the generated part of the seed corpora
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fuzz-make-seeds SOURCE_ROOT: valid inputs for every target, made with
 * the fixed fuzzing keys (fuzz-common.c), written as
 * fuzz/corpus/TARGET/seed-*. Run it again after a format changes
 * (docs/fuzzing.md); the files it writes are committed. Inputs taken from
 * tests/data and regressions (crash-*) are kept beside them.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "fuzz-common.h"
#include "intake-bundle.h"
#include "intake-envelope.h"
#include "intake-keys-private.h"
#include "intake-protocol.h"
#include "intake-questionnaire.h"
#include "intake-random-answers.h"
#include "intake-session.h"
#include "intake-signed-questionnaire.h"

static const char *root;

static void
put (const char    *target,
     const char    *name,
     gconstpointer  data,
     gsize          len)
{
  g_autofree char *dir = g_build_filename (root, "fuzz", "corpus", target, NULL);
  g_autofree char *file = g_strconcat ("seed-", name, NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, data, (gssize) len, &error))
    g_error ("%s", error->message);
}

static void
put_text (const char *target,
          const char *name,
          const char *text)
{
  put (target, name, text, strlen (text));
}

static void
put_bytes (const char *target,
           const char *name,
           GBytes     *bytes)
{
  put (target, name, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
put_file (const char *target,
          const char *name,
          const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  put (target, name, contents, len);
}

static char *
key_file (const char *comment,
          GBytes     *blob)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

  return g_strdup_printf ("# %s\n%s\n", comment, b64);
}

static GBytes *
seal (const char *plaintext,
      guint8      id_byte)
{
  IntakeEnvelopeInfo info = { .created_at = 1795343467, .questionnaire_id = "szmh-intake", .questionnaire_version = 1 };
  g_autoptr(GError) error = NULL;
  GBytes *envelope;

  memset (info.submission_id, id_byte, sizeof info.submission_id);
  envelope = intake_envelope_seal (fuzz_office_public (), fuzz_device_key (), &info, (const guint8 *) plaintext,
                                   strlen (plaintext), &error);
  g_assert_no_error (error);
  return envelope;
}

static IntakeQuestionnaire *
load_questionnaire (const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  return q;
}

static void
json_seeds (void)
{
  put_file ("json", "envelope-vectors.json", "tests/data/envelope-vectors.json");
  put_text ("json", "enroll.json", "{\"code\": \"K7MX-3PEA-9TCH-WRNU\", \"device_sign_pk\": \"AAAA\"}");
  put_text ("json", "workflow.json", "{\"state\":\"in_review\",\"unit\":\"Team \\u00e9 \\ud83d\\ude00\",\"expected_version\":1}");
  put_text ("json", "scalars.json", "[0, -1, 1.5e-3, true, false, null, \"\\\"\\\\\\/\\b\\f\\n\\r\\t\", {}, []]");
  put_text ("json", "nested.json", "{\"a\":{\"b\":[{\"c\":[1,[2,[3]]]}]}}");
}

static void
questionnaire_seeds (void)
{
  put_file ("questionnaire", "valid.json", "tests/data/questionnaire-valid.json");
  put_text ("questionnaire", "minimal.json",
            "{\"format\":1,\"id\":\"q\",\"version\":1,\"source_language\":\"nl\","
            "\"languages\":{\"nl\":{\"name\":\"Nederlands\",\"direction\":\"ltr\",\"status\":\"reviewed\"}},"
            "\"title\":{\"nl\":\"T\"},\"sections\":[{\"code\":\"s\",\"title\":{\"nl\":\"S\"},\"questions\":["
            "{\"code\":\"a\",\"type\":\"yes_no\",\"text\":{\"nl\":\"A?\"},\"required\":true},"
            "{\"code\":\"b\",\"type\":\"date\",\"text\":{\"nl\":\"B?\"},\"min\":\"today-120y\",\"max\":\"today\","
            "\"visible_if\":{\"question\":\"a\",\"equals\":true}}]}]}");
}

static void
envelope_seeds (void)
{
  g_autoptr(GBytes) small = seal ("{\"answers\":{\"age_ok\":true},\"format\":1}", 1);
  g_autoptr(GBytes) empty = seal ("", 2);
  g_autoptr(GString) long_text = g_string_new ("{\"answers\":{\"story\":\"");

  for (guint i = 0; i < 600; i++)
    g_string_append (long_text, "ab");
  g_string_append (long_text, "\"}}");
  {
    g_autoptr(GBytes) big = seal (long_text->str, 3);

    put_bytes ("envelope", "small", small);
    put_bytes ("envelope", "empty", empty);
    put_bytes ("envelope", "multi-block", big);
  }
}

static void
bundle_seeds (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) two = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GBytes) bundle = NULL;

  g_ptr_array_add (two, seal ("{\"answers\":{},\"format\":1}", 4));
  g_ptr_array_add (two, seal ("{\"answers\":{\"x\":1},\"format\":1}", 5));
  empty = intake_bundle_build (fuzz_device_key (), 1795343467, none);
  bundle = intake_bundle_build (fuzz_device_key (), 1795343467, two);
  put_bytes ("bundle", "empty", empty);
  put_bytes ("bundle", "two", bundle);
}

static void
key_seeds (void)
{
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (FUZZ_PASSPHRASE, strlen (FUZZ_PASSPHRASE));
  g_autoptr(GBytes) office_blob = intake_office_public_to_bytes (fuzz_office_public ());
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(GBytes) reviewer_blob = NULL;
  g_autoptr(IntakeReviewerKey) reviewer = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *office_pub = NULL;
  g_autofree char *office_secret = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-seeds-XXXXXX", &error);
  const char *names[] = { "device.secret", "device.pub" };
  IntakeDevicePublic device_public;

  g_assert_no_error (error);
  wrapped = intake_office_secret_wrap_with_limits (fuzz_office_secret (), passphrase, 1, 8192, &error);
  g_assert_no_error (error);
  reviewer = intake_reviewer_key_generate (fuzz_office_secret (), &error);
  g_assert_no_error (error);
  /* A format 2 blob with the cheapest limits, so fuzz-keys opens it. */
  credentials = intake_credentials_new_reviewer (passphrase, fuzz_workstation_key (), NULL, 1, 8192, &error);
  g_assert_no_error (error);
  reviewer_blob = intake_reviewer_key_seal (reviewer, credentials, &error);
  g_assert_no_error (error);

  office_pub = key_file ("intake office public key (fuzzing)", office_blob);
  office_secret = key_file ("intake office secret key (fuzzing)", wrapped);
  put_text ("keys", "office.pub", office_pub);
  put_text ("keys", "office.secret", office_secret);
  put_bytes ("keys", "office-public.blob", office_blob);
  put_bytes ("keys", "office-secret.blob", wrapped);
  put_bytes ("keys", "reviewer.blob", reviewer_blob);

  /* Device key files as intake writes them. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (i == 0)
        intake_device_key_save (fuzz_device_key (), path, &error);
      else
        {
          intake_device_key_get_public (fuzz_device_key (), &device_public);
          intake_device_public_save (&device_public, path, &error);
        }
      g_assert_no_error (error);
      g_file_get_contents (path, &contents, &len, &error);
      g_assert_no_error (error);
      put ("keys", names[i], contents, len);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
signed_questionnaire_seeds (void)
{
  g_autoptr(IntakeQuestionnaire) q = load_questionnaire ("tests/data/questionnaire-valid.json");
  g_autoptr(IntakeSignedQuestionnaire) signed_q = intake_signed_questionnaire_sign (q, fuzz_office_secret ());
  g_autofree char *path = g_build_filename (fuzz_tmpdir (), "signed.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  intake_signed_questionnaire_save (signed_q, path, 0644, &error);
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  put ("signed-questionnaire", "valid.json", contents, len);
}

/* Sessions the kiosk would seal, on the built-in questionnaire. */
static void
submission_seeds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (&error);
  const char *languages[] = { "nl", "ar", "ti" };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autoptr(IntakeSession) session = intake_session_new (builtin, languages[i]);
      g_autoptr(GRand) rand = g_rand_new_with_seed (i + 1);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;
      g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
      g_autofree char *name = g_strdup_printf ("session-%s", languages[i]);

      intake_session_set_now (session, now);
      if (!intake_random_answers_fill (session, rand, &error) ||
          !(plaintext = intake_session_serialize (session, &error)))
        g_error ("%s", error->message);
      put ("submission", name, plaintext->data, plaintext->len);
    }
}

/* Answers the kiosk and the review app read: a receipt for the fuzzing
 * device, a review list page, a signed questionnaire. */
static void
answer_seeds (void)
{
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (IntakeReceiptItem));
  g_autofree char *device_id = intake_device_key_dup_id_hex (fuzz_device_key ());
  g_autoptr(GBytes) receipt = NULL;
  IntakeReceiptItem item = { 0 };

  memset (item.submission_id, 'a', 32);
  memset (item.sha256, 'b', 64);
  g_array_append_val (items, item);
  receipt = intake_receipt_build (device_id, 1795343467, "0011223344556677", items);
  put_bytes ("answers", "receipt.json", receipt);
  /* A receipts file (import-bundle --receipts-out) holding that receipt,
   * signed with the fuzzing server key of fuzz-answers.c. */
  {
    g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_signed_receipt_free);
    g_autoptr(IntakeDeviceKey) server_key = NULL;
    g_autoptr(GBytes) file = NULL;
    IntakeSignedReceipt *r = g_new0 (IntakeSignedReceipt, 1);
    guint8 seed[32], pk[32], sk[64];

    crypto_generichash (seed, sizeof seed, (const guint8 *) "intake fuzz server key", 22, NULL, 0);
    crypto_sign_seed_keypair (pk, sk, seed);
    server_key = intake_device_key_new_from_secret (sk, NULL);
    g_assert (server_key != NULL);
    r->receipt = g_bytes_ref (receipt);
    intake_device_key_sign (server_key, "receipt", receipt, r->signature);
    g_ptr_array_add (receipts, r);
    file = intake_receipts_file_build (receipts);
    put_bytes ("answers", "receipts-file.json", file);
  }
  put_text ("answers", "list.json",
            "{\"submissions\": [{\"seq\": 1, \"submission_id\": \"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\", "
            "\"reference\": \"ACEF-HJKM\", \"received_at\": 1795343467, \"created_at\": 1795343467, "
            "\"location\": \"Vaals\", \"device_id\": \"00112233445566778899aabbccddeeff\", "
            "\"questionnaire\": {\"id\": \"szmh-intake\", \"version\": 1, \"hash\": "
            "\"08780f6fcd166097418f9ed59e1788f129502b1df4050bc3224d9aad8d9abf39\"}, \"state\": \"new\", "
            "\"unit\": \"\", \"version\": 1, \"updated_at\": 1795343467, \"updated_by\": \"\", "
            "\"notes\": 0}], \"next_after\": null}");
  put_file ("answers", "signed-questionnaire.json", "fuzz/corpus/signed-questionnaire/seed-valid.json");
}

static void
server_seed (const char *name,
             const char *line,
             const char *body)
{
  g_autofree char *text = g_strconcat (line, "\n", body, NULL);

  put_text ("server", name, text);
}

static void
server_seeds (void)
{
  g_autoptr(GBytes) one = seal ("{\"answers\":{},\"format\":1}", 6);
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (one, NULL), g_bytes_get_size (one));
  g_autofree char *upload = g_strdup_printf ("{\"envelopes\": [\"%s\", \"AAAA\", 7]}", b64);
  g_autofree char *pk = NULL;
  g_autofree char *enroll = NULL;
  g_autofree char *raw = NULL;
  guint8 sign_pk[32], sign_sk[64];
  const char *sub = "/v1/review/submissions/5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

  crypto_sign_seed_keypair (sign_pk, sign_sk, (const guint8 *) "intake fuzz enrolling kiosk.....");
  pk = g_base64_encode (sign_pk, sizeof sign_pk);
  enroll = g_strdup_printf ("{\"code\": \"k7mx 3pea 9tch wrnu\", \"device_sign_pk\": \"%s\"}", pk);

  server_seed ("upload", "D POST /v1/envelopes", upload);
  server_seed ("upload-revoked", "V POST /v1/envelopes", upload);
  server_seed ("questionnaire", "D GET /v1/questionnaire", "");
  server_seed ("help-requests", "D POST /v1/help-requests",
              "{\"requests\": [{\"id\": 1, \"created_at\": 1795343467, \"language\": \"ar\"}, "
              "{\"created_at\": 1795343468, \"language\": \"nl\"}]}");
  server_seed ("enroll", "N POST /v1/enroll", enroll);
  server_seed ("unlock", "N POST /v1/review/unlock", "{\"name\": \"Fuzz Reviewer\"}");
  server_seed ("list", "R GET /v1/review/submissions?after=0&limit=50&state=new&location=Vaals&from=0&to=1895343467"
               "&reference=ABCD-EFGH", "");
  {
    g_autofree char *fetch = g_strconcat ("R GET ", sub, NULL);
    g_autofree char *workflow = g_strconcat ("R POST ", sub, "/workflow", NULL);
    g_autofree char *notes = g_strconcat ("R POST ", sub, "/notes", NULL);
    g_autofree char *audit = g_strconcat ("R GET ", sub, "/audit", NULL);
    g_autofree char *note_body = g_strdup_printf ("{\"envelope\": \"%s\", \"expected_version\": 1}", b64);

    server_seed ("fetch", fetch, "");
    server_seed ("workflow", workflow, "{\"state\": \"in_review\", \"unit\": \"Team Noord\", \"expected_version\": 1}");
    server_seed ("notes", notes, note_body);
    server_seed ("audit", audit, "");
  }
  server_seed ("events", "R POST /v1/review/events", "{\"action\": \"view\", \"object\": \"5a5a\"}");
  server_seed ("questionnaires", "R GET /v1/review/questionnaires", "");
  server_seed ("review-help", "R GET /v1/review/help-requests?from=0&to=1895343467", "");
  server_seed ("review-help-open", "R GET /v1/review/help-requests/open", "");
  server_seed ("review-help-handled", "R POST /v1/review/help-requests/1/handled", "{}");
  server_seed ("healthz", "N GET /healthz", "");
  server_seed ("metrics", "N GET /metrics", "");
  server_seed ("not-found", "N DELETE /v1/nothing", "");
  raw = g_strdup_printf ("POST /v1/review/unlock HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "a\r\n{\"name\": \"\r\n6\r\nFuzz\"}\r\n0\r\n\r\n");
  server_seed ("raw-chunked", "X", raw);
}

int
main (int   argc,
      char *argv[])
{
  if (argc != 2)
    {
      g_printerr ("usage: fuzz-make-seeds SOURCE_ROOT\n");
      return 2;
    }
  root = argv[1];
  fuzz_init ();
  json_seeds ();
  questionnaire_seeds ();
  envelope_seeds ();
  bundle_seeds ();
  key_seeds ();
  signed_questionnaire_seeds ();
  answer_seeds ();
  submission_seeds ();
  server_seeds ();
  return 0;
}

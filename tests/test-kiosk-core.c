/* test-kiosk-core.c: the kiosk without its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "intake-answer.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-kiosk.h"
#include "intake-outbox-private.h"
#include "intake-pin.h"
#include "intake-random-answers.h"
#include "intake-reference.h"
#include "intake-test-util.h"

typedef struct {
  char               *dir;
  char               *state_dir;
  char               *office_pub;
  IntakeOfficePublic *office_public;
  IntakeOfficeSecret *office_secret;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = intake_test_tmpdir_new ();
  f->state_dir = g_build_filename (f->dir, "state", NULL);
  f->office_pub = g_build_filename (f->dir, "office.pub", NULL);
  g_assert_true (intake_office_generate (&f->office_public, &f->office_secret, &error));
  g_assert_true (intake_office_public_save (f->office_public, f->office_pub, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  intake_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->state_dir);
  g_free (f->office_pub);
  intake_office_public_free (f->office_public);
  intake_office_secret_free (f->office_secret);
}

static IntakeKiosk *
new_kiosk (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  IntakeKiosk *kiosk = intake_kiosk_new (f->state_dir, f->office_pub, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (kiosk);
  return kiosk;
}

static guint
pending (IntakeKiosk *kiosk)
{
  IntakeOutboxCounts counts;

  g_assert_true (intake_outbox_get_counts (intake_kiosk_get_outbox (kiosk), &counts, NULL));
  return counts.pending;
}

static void
test_new_destroy (Fixture       *f,
                  gconstpointer  data)
{
  IntakeKiosk *kiosk = new_kiosk (f);

  g_assert_finalize_object (kiosk);
}

static void
test_state_dir (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *device_secret = g_build_filename (f->state_dir, "device.secret", NULL);
  g_autofree char *outbox = g_build_filename (f->state_dir, "outbox.db", NULL);
  g_autofree char *first_id = NULL;
  IntakeKiosk *kiosk;
  GStatBuf st;

  kiosk = new_kiosk (f);
  first_id = g_strdup (intake_kiosk_get_device_id (kiosk));
  g_assert_cmpuint (strlen (first_id), ==, 32);
  g_object_unref (kiosk);

  g_assert_cmpint (g_stat (f->state_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (device_secret, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_test (outbox, G_FILE_TEST_IS_REGULAR));

  /* The kiosk keeps its identity across restarts. */
  kiosk = new_kiosk (f);
  g_assert_cmpstr (intake_kiosk_get_device_id (kiosk), ==, first_id);
  g_object_unref (kiosk);
}

static void
test_no_office_key (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "nowhere.pub", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (intake_kiosk_new (f->state_dir, missing, NULL, &error));
  g_assert_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NO_OFFICE_KEY);
  g_assert_nonnull (strstr (error->message, "--office-public"));
}

static void
test_wrong_office_key_kind (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *device_pub = g_build_filename (f->dir, "device.pub", NULL);
  g_autoptr(IntakeDeviceKey) device = intake_device_key_generate (NULL);
  g_autoptr(GError) error = NULL;
  IntakeDevicePublic pub;

  intake_device_key_get_public (device, &pub);
  g_assert_true (intake_device_public_save (&pub, device_pub, NULL));
  g_assert_null (intake_kiosk_new (f->state_dir, device_pub, NULL, &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND);
}

static void
test_builtin_questionnaire (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) builtin = intake_questionnaire_new_builtin (&error);
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autofree char *path = intake_test_source_path ("resources/questionnaires/intake.json");
  g_autoptr(IntakeQuestionnaire) from_file = intake_questionnaire_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (intake_questionnaire_get_id (builtin), ==, "szmh-intake");
  /* The built-in copy is exactly the shipped file. */
  g_assert_cmpstr (intake_questionnaire_get_hash (builtin), ==, intake_questionnaire_get_hash (from_file));
  g_assert_cmpstr (intake_questionnaire_get_hash (intake_kiosk_get_questionnaire (kiosk)), ==,
                   intake_questionnaire_get_hash (builtin));
}

static void
test_bad_questionnaire (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "q.json", NULL);
  g_autoptr(GError) error = NULL;

  intake_test_write_file (path, "{\"format\": 1}");
  g_assert_null (intake_kiosk_new (f->state_dir, f->office_pub, path, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "q.json"));
}

static void
test_unknown_language (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(GError) error = NULL;

  g_assert_null (intake_kiosk_new_session (kiosk, "xx", &error));
  g_assert_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_UNKNOWN_LANGUAGE);
}

static void
test_submit (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(IntakeSecureBuffer) expected = NULL;
  g_autoptr(IntakeSecureBuffer) opened = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *normalized = NULL;
  g_autoptr(JsonParser) a = json_parser_new ();
  g_autoptr(JsonParser) b = json_parser_new ();
  IntakeOutboxItem *item;
  IntakeEnvelopeHeader header;
  JsonObject *ea, *eb;

  session = intake_kiosk_new_session (kiosk, "nl", &error);
  g_assert_no_error (error);
  g_assert_true (intake_random_answers_fill (session, rand, &error));
  g_assert_no_error (error);
  expected = intake_session_serialize (session, &error);
  g_assert_no_error (error);

  reference = intake_kiosk_submit (kiosk, session, &error);
  g_assert_no_error (error);
  normalized = intake_reference_normalize (reference);
  g_assert_cmpstr (normalized, ==, reference);
  g_assert_cmpuint (pending (kiosk), ==, 1);

  /* Submitting wipes the session's answers. */
  g_assert_cmpuint (intake_session_get_n_visible (session), >, 0);
  g_assert_false (intake_session_has_answer (session, "first_name"));

  items = intake_outbox_list_pending (intake_kiosk_get_outbox (kiosk), &error);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpstr (item->reference, ==, reference);
  opened = intake_envelope_open (item->envelope, f->office_secret, &header, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (header.questionnaire_id, ==, "szmh-intake");
  g_assert_cmpmem (header.questionnaire_hash, 32,
                   intake_questionnaire_get_hash_bytes (intake_kiosk_get_questionnaire (kiosk)), 32);

  /* The same answers (finished_at may differ by a second). */
  g_assert_true (json_parser_load_from_data (a, (const char *)expected->data, expected->len, NULL));
  g_assert_true (json_parser_load_from_data (b, (const char *)opened->data, opened->len, NULL));
  ea = json_node_get_object (json_parser_get_root (a));
  eb = json_node_get_object (json_parser_get_root (b));
  json_object_remove_member (ea, "finished_at");
  json_object_remove_member (eb, "finished_at");
  g_assert_true (json_node_equal (json_parser_get_root (a), json_parser_get_root (b)));
}

static void
test_submit_disk_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  sqlite3 *db = intake_outbox_get_db (intake_kiosk_get_outbox (kiosk));

  session = intake_kiosk_new_session (kiosk, "en", &error);
  g_assert_true (intake_random_answers_fill (session, rand, &error));
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1", NULL, NULL, NULL), ==, SQLITE_OK);

  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_WARNING, "A submission could not be stored*");
  reference = intake_kiosk_submit (kiosk, session, &error);
  g_test_assert_expected_messages ();
  g_assert_null (reference);
  g_assert_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NOT_STORED);
  g_assert_cmpuint (pending (kiosk), ==, 0);
  /* The answers are still in memory for the caller to wipe on reset. */
  g_assert_true (intake_session_has_answer (session, "first_name"));
  intake_session_wipe (session);
  g_assert_false (intake_session_has_answer (session, "first_name"));
}

static void
test_demo_submissions (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) languages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 40, 1234, &error), ==, 40);
  g_assert_no_error (error);
  g_assert_cmpuint (pending (kiosk), ==, 40);

  items = intake_outbox_list_pending (intake_kiosk_get_outbox (kiosk), &error);
  for (guint i = 0; i < items->len; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(IntakeSecureBuffer) opened = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      IntakeEnvelopeHeader header;
      JsonObject *root;

      opened = intake_envelope_open (item->envelope, f->office_secret, &header, &error);
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, (const char *)opened->data, opened->len, &error));
      root = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (root, "format"), ==, 1);
      g_assert_true (json_object_has_member (json_object_get_object_member (root, "answers"), "first_name"));
      g_hash_table_add (languages, g_strdup (json_object_get_string_member (root, "language")));
    }
  /* Random languages, not always the first. */
  g_assert_cmpuint (g_hash_table_size (languages), >, 1);
}

/* Random answers are valid for every path through the real questionnaire. */
static void
test_random_answers_valid (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  IntakeQuestionnaire *questionnaire = intake_kiosk_get_questionnaire (kiosk);

  for (guint i = 0; i < 300; i++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (questionnaire, i % intake_questionnaire_get_n_languages (questionnaire));
      g_autoptr(IntakeSession) session = intake_session_new (questionnaire, language->code);
      g_autoptr(IntakeSecureBuffer) json = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (intake_random_answers_fill (session, rand, &error));
      g_assert_no_error (error);
      g_assert_true (intake_session_is_at_end (session));
      json = intake_session_serialize (session, &error);
      g_assert_no_error (error);
    }
}

/* A number question may span any integers, not only what fits in 32 bits. */
static void
test_random_answers_wide_numbers (Fixture       *f,
                                  gconstpointer  data)
{
  static const char json[] =
    "{\"format\": 1, \"id\": \"wide\", \"version\": 1, \"source_language\": \"nl\","
    " \"languages\": {\"nl\": {\"name\": \"Nederlands\", \"direction\": \"ltr\", \"status\": \"reviewed\"}},"
    " \"title\": {\"nl\": \"Bedragen\"},"
    " \"sections\": [{\"code\": \"money\", \"title\": {\"nl\": \"Geld\"}, \"questions\": ["
    "  {\"code\": \"cents\", \"type\": \"number\", \"text\": {\"nl\": \"Centen\"},"
    "   \"min\": 0, \"max\": 4294967295},"
    "  {\"code\": \"anything\", \"type\": \"number\", \"text\": {\"nl\": \"Getal\"},"
    "   \"min\": -9223372036854775808, \"max\": 9223372036854775807}]}]}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, sizeof json - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_from_bytes (bytes, "wide.json", &error);
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gboolean above_32_bits = FALSE;

  g_assert_no_error (error);
  session = intake_session_new (questionnaire, "nl");
  for (guint i = 0; i < 200; i++)
    for (guint j = 0; j < intake_questionnaire_get_n_questions (questionnaire); j++)
      {
        const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, j);
        g_autoptr(IntakeAnswer) answer = intake_random_answer_new (session, q, rand);

        g_assert_true (intake_session_validate_answer (session, q, answer, &error));
        g_assert_no_error (error);
        if (intake_answer_get_integer (answer) > G_MAXINT32)
          above_32_bits = TRUE;
      }
  g_assert_true (above_32_bits);
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autofree char *path = g_build_filename (f->state_dir, "staff-pin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_false (intake_kiosk_has_pin (kiosk));
  g_assert_false (intake_kiosk_check_pin (kiosk, "480213"));

  g_assert_false (intake_kiosk_set_pin (f->state_dir, "123456", &error));
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (intake_kiosk_set_pin (f->state_dir, "1111111", &error));
  g_clear_error (&error);
  g_assert_false (intake_kiosk_set_pin (f->state_dir, "12a456", &error));
  g_clear_error (&error);
  g_assert_false (intake_kiosk_set_pin (f->state_dir, "4802", &error));
  g_clear_error (&error);

  g_assert_true (intake_kiosk_set_pin (f->state_dir, "480213", &error));
  g_assert_no_error (error);
  g_assert_true (intake_kiosk_has_pin (kiosk));
  g_assert_true (intake_kiosk_check_pin (kiosk, "480213"));
  g_assert_false (intake_kiosk_check_pin (kiosk, "480214"));
  g_assert_false (intake_kiosk_check_pin (kiosk, ""));

  /* Stored as an Argon2id hash, readable by the kiosk's user only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "$argon2id$"));
  g_assert_null (strstr (contents, "480213"));

  /* A hash of another algorithm is not accepted. */
  intake_test_write_file (path, "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g\n");
  g_assert_false (intake_kiosk_check_pin (kiosk, "480213"));
}

static void
test_help_request (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(IntakeKiosk) kiosk = new_kiosk (f);
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  g_assert_true (intake_kiosk_request_help (kiosk, "ar", &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_get_counts (intake_kiosk_get_outbox (kiosk), &counts, &error));
  g_assert_cmpuint (counts.open_help_requests, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (intake_crypto_init (NULL));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/kiosk-core/new-destroy", test_new_destroy);
  ADD ("/kiosk-core/state-dir", test_state_dir);
  ADD ("/kiosk-core/no-office-key", test_no_office_key);
  ADD ("/kiosk-core/wrong-office-key-kind", test_wrong_office_key_kind);
  ADD ("/kiosk-core/builtin-questionnaire", test_builtin_questionnaire);
  ADD ("/kiosk-core/bad-questionnaire", test_bad_questionnaire);
  ADD ("/kiosk-core/unknown-language", test_unknown_language);
  ADD ("/kiosk-core/submit", test_submit);
  ADD ("/kiosk-core/submit-disk-full", test_submit_disk_full);
  ADD ("/kiosk-core/demo-submissions", test_demo_submissions);
  ADD ("/kiosk-core/random-answers-valid", test_random_answers_valid);
  ADD ("/kiosk-core/random-answers-wide-numbers", test_random_answers_wide_numbers);
  ADD ("/kiosk-core/pin", test_pin);
  ADD ("/kiosk-core/help-request", test_help_request);

  return g_test_run ();
}

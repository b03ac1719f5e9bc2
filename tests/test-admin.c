/* test-admin.c: the intake-admin command line, run as a real process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "intake-canonical-json.h"
#include "intake-test-util.h"

typedef struct {
  char *dir;
  char *office;
  char *device;
  char *passphrase;
} Fixture;

static const char *
admin (void)
{
  const char *path = g_getenv ("INTAKE_ADMIN");

  g_assert_nonnull (path);
  return path;
}

/* Runs intake-admin; asserts that a failure prints exactly one line. */
static int
run_admin (const char * const *args,
           const char         *stdin_text,
           char              **out_stdout,
           char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer)admin ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  status = intake_test_run ((const char * const *)argv->pdata, stdin_text, out_stdout, &err);
  if (status != 0 && status != 2)
    {
      g_assert_true (g_str_has_prefix (err, "intake-admin: "));
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    }
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return status;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = intake_test_tmpdir_new ();
  f->office = g_build_filename (f->dir, "office", NULL);
  f->device = g_build_filename (f->dir, "kiosk", NULL);
  f->passphrase = g_build_filename (f->dir, "passphrase", NULL);
  intake_test_write_file (f->passphrase, "correct horse battery staple\n");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  intake_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->office);
  g_free (f->device);
  g_free (f->passphrase);
}

static void
init_keys (Fixture *f)
{
  const char *office_args[] = { "office", "init", f->office, "--passphrase-file", f->passphrase, NULL };
  const char *device_args[] = { "device", "init", f->device, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run_admin (office_args, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "office key id: "));
  g_assert_nonnull (strstr (out, "fingerprint:"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (device_args, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "device id:"));
}

static void
test_office_init (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *secret = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *device_secret = NULL;
  g_autofree char *err = NULL;
  const char *again[] = { "office", "init", f->office, "--passphrase-file", f->passphrase, NULL };
  GStatBuf st;

  init_keys (f);
  secret = g_build_filename (f->office, "office.secret", NULL);
  pub = g_build_filename (f->office, "office.pub", NULL);
  device_secret = g_build_filename (f->device, "device.secret", NULL);

  g_assert_cmpint (g_stat (secret, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (device_secret, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_test (pub, G_FILE_TEST_IS_REGULAR));

  /* Never replace an office key: that would orphan every envelope sealed to it. */
  g_assert_cmpint (run_admin (again, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "refusing to replace"));
}

static void
test_office_init_needs_passphrase (Fixture       *f,
                                   gconstpointer  data)
{
  const char *args[] = { "office", "init", f->office, NULL };
  g_autofree char *pub = g_build_filename (f->office, "office.pub", NULL);
  g_autofree char *err = NULL;

  /* No terminal to prompt on: say how to give it instead. */
  g_assert_cmpint (run_admin (args, "", NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--passphrase-file"));
  g_assert_false (g_file_test (pub, G_FILE_TEST_EXISTS));
}

static void
test_weak_passphrase (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *weak = g_build_filename (f->dir, "weak", NULL);
  const char *args[] = { "office", "init", f->office, "--passphrase-file", weak, NULL };
  g_autofree char *secret = g_build_filename (f->office, "office.secret", NULL);
  g_autofree char *err = NULL;

  intake_test_write_file (weak, "short\n");
  g_assert_cmpint (run_admin (args, NULL, NULL, &err), ==, 1);
  g_assert_false (g_file_test (secret, G_FILE_TEST_EXISTS));
}

static char *
fixture_questionnaire (void)
{
  return intake_test_data_path ("questionnaire-valid.json");
}

static void
test_questionnaire_check (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = fixture_questionnaire ();
  const char *args[] = { "questionnaire", "check", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GRegex) hash = g_regex_new ("^hash: +[0-9a-f]{64}$", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GRegex) coverage = g_regex_new ("^  nl +100\\.0% ", G_REGEX_MULTILINE, 0, NULL);

  g_assert_cmpint (run_admin (args, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "id:"));
  g_assert_nonnull (strstr (out, "version:"));
  g_assert_nonnull (strstr (out, "questions:"));
  g_assert_true (g_regex_match (hash, out, 0, NULL));
  g_assert_true (g_regex_match (coverage, out, 0, NULL));
}

static void
test_questionnaire_check_broken (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "broken.json", NULL);
  const char *args[] = { "questionnaire", "check", path, NULL };
  g_autofree char *err = NULL;

  intake_test_write_file (path, "{\"format\": 1, \"id\": \"x\", \"versoin\": 1}");
  g_assert_cmpint (run_admin (args, NULL, NULL, &err), ==, 1);
  /* One line naming the file and the JSON path. */
  g_assert_nonnull (strstr (err, "broken.json"));
  g_assert_nonnull (strstr (err, "$"));
}

static char *
finished_session (void)
{
  return g_strdup ("{\"started_at\": \"2026-11-22T10:00:00Z\", \"format\": 1,"
                   " \"answers\": {\"remarks\": \"Ik werk graag buiten \\u00e9\", \"hours\": 24},"
                   " \"declined\": [\"debts\"], \"skipped\": [],"
                   " \"finished_at\": \"2026-11-22T10:12:00Z\", \"language\": \"ar\","
                   " \"questionnaire\": {\"version\": 3, \"id\": \"szmh-intake\","
                   " \"hash\": \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}}");
}

static char *
canonical (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  char *out;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  out = intake_canonical_json_serialize (json_parser_get_root (parser), NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_envelope_round_trip (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *session = finished_session ();
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  g_autofree char *outbox = g_build_filename (f->dir, "outbox.db", NULL);
  const char *seal[] = { "envelope", "seal", "--office", f->office, "--device", f->device,
                         "--out", envelope, "--outbox", outbox, NULL };
  const char *open[] = { "envelope", "open", "--office", f->office, "--passphrase-file", f->passphrase,
                         "--in", envelope, NULL };
  const char *status[] = { "outbox", "status", outbox, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;

  init_keys (f);
  g_assert_cmpint (run_admin (seal, session, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "sealed submission"));

  /* The envelope holds no readable answer. */
  g_assert_true (g_file_get_contents (envelope, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "buiten"));

  g_assert_cmpint (run_admin (open, NULL, &out, NULL), ==, 0);
  expected = canonical (session);
  g_strchomp (out);
  g_assert_cmpstr (out, ==, expected);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (status, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "pending:   1"));
  g_assert_nonnull (strstr (out, "delivered: 0"));
}

static void
test_envelope_open_wrong_passphrase (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *session = finished_session ();
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  g_autofree char *wrong = g_build_filename (f->dir, "wrong", NULL);
  const char *seal[] = { "envelope", "seal", "--office", f->office, "--device", f->device,
                         "--out", envelope, NULL };
  const char *open[] = { "envelope", "open", "--office", f->office, "--passphrase-file", wrong,
                         "--in", envelope, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  init_keys (f);
  intake_test_write_file (wrong, "not the office passphrase\n");
  g_assert_cmpint (run_admin (seal, session, NULL, NULL), ==, 0);
  g_assert_cmpint (run_admin (open, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "passphrase"));
  g_assert_cmpstr (out, ==, "");
}

static void
test_envelope_open_tampered (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *session = finished_session ();
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  const char *seal[] = { "envelope", "seal", "--office", f->office, "--device", f->device,
                         "--out", envelope, NULL };
  const char *open[] = { "envelope", "open", "--office", f->office, "--passphrase-file", f->passphrase,
                         "--in", envelope, NULL };
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;

  init_keys (f);
  g_assert_cmpint (run_admin (seal, session, NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (envelope, &contents, &len, NULL));
  contents[len - 100] ^= 0x01;
  g_assert_true (g_file_set_contents (envelope, contents, len, NULL));

  g_assert_cmpint (run_admin (open, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "signature"));
  g_assert_cmpstr (out, ==, "");
}

static void
test_envelope_seal_bad_input (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  const char *seal[] = { "envelope", "seal", "--office", f->office, "--device", f->device,
                         "--out", envelope, NULL };
  const char *no_device[] = { "envelope", "seal", "--office", f->office, "--out", envelope, NULL };
  g_autofree char *err = NULL;

  init_keys (f);
  g_assert_cmpint (run_admin (seal, "{not json", NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "does not parse"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (seal, "{\"format\": 1, \"answers\": {}}", NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not a finished session"));
  g_assert_false (g_file_test (envelope, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (no_device, "{}", NULL, &err), ==, 2);
}

static void
test_wrong_key_kind (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *session = finished_session ();
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  /* The device directory given where the office's is expected. */
  const char *seal[] = { "envelope", "seal", "--office", f->device, "--device", f->device,
                         "--out", envelope, NULL };
  g_autofree char *err = NULL;

  init_keys (f);
  g_assert_cmpint (run_admin (seal, session, NULL, &err), ==, 1);
  g_assert_false (g_file_test (envelope, G_FILE_TEST_EXISTS));
}

static void
test_outbox_status_missing (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "nothing.db", NULL);
  const char *args[] = { "outbox", "status", path, NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (args, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "does not exist"));
  /* Looking must not create an outbox. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_unknown_command (Fixture       *f,
                      gconstpointer  data)
{
  const char *args[] = { "frobnicate", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (args, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
}

/* Every regular file under @dir, but @skip, has mode 0600. */
static guint
assert_private_files (const char *dir,
                      const char *skip)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      g_assert_cmpint (g_lstat (path, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        n += assert_private_files (path, skip);
      else if (g_strcmp0 (path, skip) != 0)
        {
          if ((st.st_mode & 0777) != 0600)
            g_error ("%s has mode %o, not 0600", path, st.st_mode & 0777);
          n++;
        }
    }
  return n;
}

/* Every file intake-admin writes is 0600 (issue 11, point 6): keys and
 * their public halves, envelopes, an outbox, a signed questionnaire. */
static void
test_files_private (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *session = finished_session ();
  g_autofree char *questionnaire = fixture_questionnaire ();
  g_autofree char *envelope = g_build_filename (f->dir, "submission.env", NULL);
  g_autofree char *outbox = g_build_filename (f->dir, "outbox.db", NULL);
  g_autofree char *signed_q = g_build_filename (f->dir, "questionnaire.signed.json", NULL);
  const char *seal[] = { "envelope", "seal", "--office", f->office, "--device", f->device,
                         "--out", envelope, "--outbox", outbox, NULL };
  const char *sign[] = { "questionnaire", "sign", questionnaire, "--office", f->office,
                         "--passphrase-file", f->passphrase, "--out", signed_q, NULL };

  init_keys (f);
  g_assert_cmpint (run_admin (seal, session, NULL, NULL), ==, 0);
  g_assert_cmpint (run_admin (sign, NULL, NULL, NULL), ==, 0);
  /* office.secret, office.pub, device.secret, device.pub, the envelope,
   * the outbox, the signed questionnaire. */
  g_assert_cmpuint (assert_private_files (f->dir, f->passphrase), >=, 7);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/admin/office/init", test_office_init);
  ADD ("/admin/office/init-needs-passphrase", test_office_init_needs_passphrase);
  ADD ("/admin/files-private", test_files_private);
  ADD ("/admin/office/weak-passphrase", test_weak_passphrase);
  ADD ("/admin/questionnaire/check", test_questionnaire_check);
  ADD ("/admin/questionnaire/check-broken", test_questionnaire_check_broken);
  ADD ("/admin/envelope/round-trip", test_envelope_round_trip);
  ADD ("/admin/envelope/wrong-passphrase", test_envelope_open_wrong_passphrase);
  ADD ("/admin/envelope/tampered", test_envelope_open_tampered);
  ADD ("/admin/envelope/bad-input", test_envelope_seal_bad_input);
  ADD ("/admin/envelope/wrong-key-kind", test_wrong_key_kind);
  ADD ("/admin/outbox/status-missing", test_outbox_status_missing);
  ADD ("/admin/unknown-command", test_unknown_command);

  return g_test_run ();
}

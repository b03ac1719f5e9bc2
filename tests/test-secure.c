/* test-secure.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "intake-crypto-error.h"
#include "intake-secure.h"
#include "intake-test-util.h"

static void
test_init_twice (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_crypto_init (&error));
  g_assert_no_error (error);
  g_assert_true (intake_crypto_init (&error));
  g_assert_no_error (error);
}

static gpointer
init_thread_cb (gpointer data)
{
  return GINT_TO_POINTER (intake_crypto_init (NULL));
}

static void
test_init_threads (void)
{
  GThread *threads[8];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("init", init_thread_cb, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

static void
test_buffer_new_zeroed (void)
{
  g_autoptr(IntakeSecureBuffer) buf = intake_secure_buffer_new (64);

  g_assert_nonnull (buf->data);
  g_assert_cmpuint (buf->len, ==, 64);
  for (gsize i = 0; i < buf->len; i++)
    g_assert_cmpuint (buf->data[i], ==, 0);
}

static void
test_buffer_new_empty (void)
{
  g_autoptr(IntakeSecureBuffer) buf = intake_secure_buffer_new (0);
  g_autoptr(IntakeSecureBuffer) copy = intake_secure_buffer_new_copy (NULL, 0);

  g_assert_nonnull (buf->data);
  g_assert_cmpuint (buf->len, ==, 0);
  g_assert_nonnull (copy->data);
  g_assert_cmpuint (copy->len, ==, 0);
}

static void
test_buffer_copy (void)
{
  static const char secret[] = "correct horse battery staple";
  g_autoptr(IntakeSecureBuffer) buf = intake_secure_buffer_new_copy (secret, strlen (secret));

  g_assert_cmpmem (buf->data, buf->len, secret, strlen (secret));
  g_assert_true ((gconstpointer) buf->data != (gconstpointer) secret);
}

static void
test_buffer_take_string (void)
{
  GString *string = g_string_new ("a passphrase typed by staff");
  g_autoptr(IntakeSecureBuffer) buf = NULL;

  /* Grow the allocation so the wipe has to cover more than len. */
  g_string_append (string, " and some more words");
  buf = intake_secure_buffer_new_take_string (string);

  g_assert_cmpmem (buf->data, buf->len,
                   "a passphrase typed by staff and some more words",
                   strlen ("a passphrase typed by staff and some more words"));
}

static void
test_buffer_take_empty_string (void)
{
  g_autoptr(IntakeSecureBuffer) buf = intake_secure_buffer_new_take_string (g_string_new (NULL));

  g_assert_cmpuint (buf->len, ==, 0);
}

static void
test_strfree (void)
{
  intake_secure_strfree (g_strdup ("hunter22hunter22"));
  intake_secure_strfree (NULL);
}

static IntakeSecureBuffer *
read_passphrase_with_contents (const char  *contents,
                               gsize        len,
                               GError     **error)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "passphrase", NULL);
  g_autoptr(GError) local_error = NULL;
  IntakeSecureBuffer *buf;

  g_file_set_contents (path, contents, len, &local_error);
  g_assert_no_error (local_error);
  buf = intake_secure_read_passphrase_file (path, error);
  intake_test_rm_rf (dir);

  return buf;
}

static void
assert_passphrase (const char *contents,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buf = read_passphrase_with_contents (contents, strlen (contents),
                                                                     &error);

  g_assert_no_error (error);
  g_assert_nonnull (buf);
  g_assert_cmpmem (buf->data, buf->len, expected, strlen (expected));
}

static void
test_passphrase_lf (void)
{
  assert_passphrase ("tram fiets molen tulp\n", "tram fiets molen tulp");
}

static void
test_passphrase_crlf (void)
{
  assert_passphrase ("tram fiets molen tulp\r\n", "tram fiets molen tulp");
}

static void
test_passphrase_no_newline (void)
{
  assert_passphrase ("tram fiets molen tulp", "tram fiets molen tulp");
}

static void
test_passphrase_first_line_only (void)
{
  assert_passphrase ("first line  \r\nsecond line\n", "first line  ");
}

static void
test_passphrase_utf8 (void)
{
  assert_passphrase ("كلمة سر طويلة\n", "كلمة سر طويلة");
}

static void
test_passphrase_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buf = read_passphrase_with_contents ("", 0, &error);

  g_assert_null (buf);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "empty"));
}

static void
test_passphrase_empty_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buf = read_passphrase_with_contents ("\r\nsecond\n", 9, &error);

  g_assert_null (buf);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED);
}

static void
test_passphrase_missing (void)
{
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "does-not-exist", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeSecureBuffer) buf = intake_secure_read_passphrase_file (path, &error);

  g_assert_null (buf);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  intake_test_rm_rf (dir);
}

static void
test_passphrase_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = g_strnfill (5000, 'x');
  g_autoptr(IntakeSecureBuffer) buf = read_passphrase_with_contents (contents, 5000, &error);

  g_assert_null (buf);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE);
}

/* The limit is on the passphrase, not on its line ending. */
static void
test_passphrase_at_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (4096, 'x');
  g_autofree char *lf = g_strconcat (line, "\n", NULL);
  g_autofree char *crlf = g_strconcat (line, "\r\n", NULL);
  g_autofree char *over = g_strconcat (line, "x\r\n", NULL);
  g_autoptr(IntakeSecureBuffer) buf = NULL;

  assert_passphrase (line, line);
  assert_passphrase (lf, line);
  assert_passphrase (crlf, line);

  buf = read_passphrase_with_contents (over, strlen (over), &error);
  g_assert_null (buf);
  g_assert_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE);
}

static void
test_wipe_helpers (void)
{
  g_autoptr(GString) string = g_string_new ("Zwaluwstaart, 1985");
  char buffer[16] = "secret pin 1234";
  gsize allocated;

  intake_secure_wipe (buffer, sizeof buffer);
  for (gsize i = 0; i < sizeof buffer; i++)
    g_assert_cmpint (buffer[i], ==, 0);
  intake_secure_wipe (NULL, 10);

  /* The whole allocation, not only the text, is wiped; the string stays usable. */
  allocated = string->allocated_len;
  intake_secure_string_wipe (string);
  g_assert_cmpuint (string->len, ==, 0);
  for (gsize i = 0; i < allocated; i++)
    g_assert_cmpint (string->str[i], ==, 0);
  g_string_append (string, "again");
  g_assert_cmpstr (string->str, ==, "again");

  /* Free functions accept NULL, and the autoptr types free what they hold. */
  intake_secure_strfree (NULL);
  intake_secure_string_free (NULL);
  {
    g_autoptr(IntakeSecureStr) text = g_strdup ("answer");
    g_autoptr(IntakeSecureString) more = g_string_new ("more");

    g_assert_cmpstr (text, ==, "answer");
    g_assert_cmpstr (more->str, ==, "more");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crypto/secure/wipe-helpers", test_wipe_helpers);
  g_test_add_func ("/crypto/init/twice", test_init_twice);
  g_test_add_func ("/crypto/init/threads", test_init_threads);
  g_test_add_func ("/crypto/secure/buffer/new-zeroed", test_buffer_new_zeroed);
  g_test_add_func ("/crypto/secure/buffer/new-empty", test_buffer_new_empty);
  g_test_add_func ("/crypto/secure/buffer/copy", test_buffer_copy);
  g_test_add_func ("/crypto/secure/buffer/take-string", test_buffer_take_string);
  g_test_add_func ("/crypto/secure/buffer/take-empty-string", test_buffer_take_empty_string);
  g_test_add_func ("/crypto/secure/strfree", test_strfree);
  g_test_add_func ("/crypto/secure/passphrase/lf", test_passphrase_lf);
  g_test_add_func ("/crypto/secure/passphrase/crlf", test_passphrase_crlf);
  g_test_add_func ("/crypto/secure/passphrase/no-newline", test_passphrase_no_newline);
  g_test_add_func ("/crypto/secure/passphrase/first-line-only", test_passphrase_first_line_only);
  g_test_add_func ("/crypto/secure/passphrase/utf8", test_passphrase_utf8);
  g_test_add_func ("/crypto/secure/passphrase/empty-file", test_passphrase_empty_file);
  g_test_add_func ("/crypto/secure/passphrase/empty-line", test_passphrase_empty_line);
  g_test_add_func ("/crypto/secure/passphrase/missing", test_passphrase_missing);
  g_test_add_func ("/crypto/secure/passphrase/too-long", test_passphrase_too_long);
  g_test_add_func ("/crypto/secure/passphrase/at-limit", test_passphrase_at_limit);

  return g_test_run ();
}

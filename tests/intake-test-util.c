/* intake-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "intake-session.h"
#include "intake-test-util.h"

char *
intake_test_tmpdir_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("intake-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf_file (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          rm_rf_file (child);
          g_object_unref (info);
        }
    }
  g_file_delete (file, NULL, NULL);
}

void
intake_test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  rm_rf_file (file);
}

char *
intake_test_data_path (const char *name)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (srcdir == NULL)
    srcdir = ".";
  return g_build_filename (srcdir, "data", name, NULL);
}

char *
intake_test_source_path (const char *relative)
{
  const char *root = g_getenv ("INTAKE_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

void
intake_test_write_file (const char *path,
                        const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

int
intake_test_run (const char * const *argv,
                 const char         *stdin_text,
                 char              **out_stdout,
                 char              **out_stderr)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) in = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;

  if (stdin_text != NULL)
    {
      flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
      in = g_bytes_new (stdin_text, strlen (stdin_text));
    }

  proc = g_subprocess_newv (argv, flags, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);

  /* An empty GBytes may have NULL data: always hand back a string. */
  if (out_stdout != NULL)
    *out_stdout = g_strndup (g_bytes_get_size (out) ? g_bytes_get_data (out, NULL) : "", g_bytes_get_size (out));
  if (out_stderr != NULL)
    *out_stderr = g_strndup (g_bytes_get_size (err) ? g_bytes_get_data (err, NULL) : "", g_bytes_get_size (err));

  if (g_subprocess_get_if_exited (proc))
    return g_subprocess_get_exit_status (proc);
  return 128 + g_subprocess_get_term_sig (proc);
}

IntakeAnswer *
intake_test_answer_from_spec (const IntakeQuestion *question,
                              const char           *value)
{
  if (strcmp (value, "<declined>") == 0)
    return intake_answer_new_declined ();
  switch (question->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return intake_answer_new_choice (value);
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        g_auto(GStrv) codes = g_strsplit (value, ";", -1);

        return intake_answer_new_choices ((const char * const *) codes);
      }
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      return intake_answer_new_integer (g_ascii_strtoll (value, NULL, 10));
    case INTAKE_QUESTION_TYPE_YES_NO:
      return intake_answer_new_boolean (strcmp (value, "true") == 0);
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      return intake_answer_new_text (value);
    case INTAKE_QUESTION_TYPE_DATE:
      return intake_answer_new_date (value);
    default:
      g_assert_not_reached ();
    }
}

IntakeSubmission *
intake_test_submit (IntakeQuestionnaire   *questionnaire,
                    const char            *language,
                    const IntakeTestSpec  *specs,
                    guint                  n_specs,
                    char                 **out_plaintext)
{
  g_autoptr(IntakeSession) session = intake_session_new (questionnaire, language);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 11, 22, 10, 20, 55);
  g_autoptr(GDateTime) finish = g_date_time_new_utc (2026, 11, 22, 10, 31, 7);
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GError) error = NULL;
  IntakeSubmission *submission;

  intake_session_set_now (session, start);
  for (guint i = 0; i < n_specs; i++)
    {
      const IntakeQuestion *question = intake_questionnaire_lookup_question (questionnaire, specs[i].code);

      g_assert_nonnull (question);
      intake_session_set_answer (session, specs[i].code,
                                 intake_test_answer_from_spec (question, specs[i].value), &error);
      g_assert_no_error (error);
    }
  intake_session_set_now (session, finish);
  plaintext = intake_session_serialize (session, &error);
  g_assert_no_error (error);
  submission = intake_submission_new_from_secure (plaintext, &error);
  g_assert_no_error (error);
  if (out_plaintext != NULL)
    *out_plaintext = g_strndup ((const char *) plaintext->data, plaintext->len);
  return submission;
}

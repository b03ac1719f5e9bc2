/* intake-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

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

void
intake_test_init_staff_i18n (void)
{
  const char *localedir = g_getenv ("INTAKE_LOCALEDIR");

  g_assert_nonnull (localedir);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

gint64
intake_test_metric_value (GBytes     *metrics,
                          const char *name)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (metrics, NULL), g_bytes_get_size (metrics));
  g_autofree char *needle = g_strconcat ("\n", name, " ", NULL);
  const char *found = strstr (text, needle);

  return found != NULL ? g_ascii_strtoll (found + strlen (needle), NULL, 10) : -1;
}

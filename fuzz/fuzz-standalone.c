/* fuzz-standalone.c: runs a fuzz target over files, without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fuzz-regress-TARGET FILE|DIR...: every file (a directory's files, not
 * recursively) goes through LLVMFuzzerTestOneInput() once. The seed corpus
 * and every input a fuzzer once crashed on run this way in every build,
 * with gcc and the sanitizers too, as the fuzz-regress-* tests.
 */
#include "config.h"

#include <stdio.h>

#include "fuzz-common.h"

static guint n_inputs;

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  n_inputs++;
}

int
main (int   argc,
      char *argv[])
{
  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          run_file (argv[i]);
          continue;
        }
      if (!(dir = g_dir_open (argv[i], 0, NULL)))
        g_error ("cannot read %s", argv[i]);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_paths);
      for (guint j = 0; j < names->len; j++)
        run_file (g_ptr_array_index (names, j));
    }
  if (n_inputs == 0)
    {
      fprintf (stderr, "%s: no inputs: give corpus files or directories\n", argv[0]);
      return 1;
    }
  printf ("%s: %u inputs, none crashed\n", argv[0], n_inputs);
  return 0;
}

/* test-kiosk-cli.c: intake-kiosk's command line (--set-pin, --demo-submissions, --tour) and process protection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake-kiosk.h"
#include "intake-test-util.h"

typedef struct {
  char *tmp;
  char *state_dir;
  char *office_path;
  char *questionnaire;
  char *display;
} Cli;

static const char *
kiosk_binary (void)
{
  const char *path = g_getenv ("INTAKE_KIOSK");

  g_assert_nonnull (path);
  return path;
}

static void
cli_setup (Cli           *cli,
           gconstpointer  data)
{
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  cli->tmp = intake_test_tmpdir_new ();
  cli->state_dir = g_build_filename (cli->tmp, "state", NULL);
  cli->office_path = g_build_filename (cli->tmp, "office.pub", NULL);
  cli->questionnaire = intake_test_data_path ("questionnaire-valid.json");
  intake_office_generate (&office, &secret, &error);
  g_assert_no_error (error);
  intake_office_public_save (office, cli->office_path, &error);
  g_assert_no_error (error);

  /* The modes without a window must not need a display. */
  cli->display = g_strdup (g_getenv ("DISPLAY"));
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");
  /* Never the machine's own settings or state. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("XDG_STATE_HOME", cli->tmp, TRUE);
}

static void
cli_teardown (Cli           *cli,
              gconstpointer  data)
{
  if (cli->display != NULL)
    g_setenv ("DISPLAY", cli->display, TRUE);
  intake_test_rm_rf (cli->tmp);
  g_free (cli->tmp);
  g_free (cli->state_dir);
  g_free (cli->office_path);
  g_free (cli->questionnaire);
  g_free (cli->display);
}

static void
test_set_pin (Cli           *cli,
              gconstpointer  data)
{
  const char *argv[] = { kiosk_binary (), "--set-pin", "--state-dir", cli->state_dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pin_path = g_build_filename (cli->state_dir, "staff-pin", NULL);

  /* A weak PIN: one line of error, exit 1, nothing stored. */
  g_assert_cmpint (intake_test_run (argv, "111111\n", &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "intake-kiosk: "));
  g_assert_null (strchr (g_strchomp (err), '\n'));
  g_assert_false (g_file_test (pin_path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* From standard input (not a terminal): one line. */
  g_assert_cmpint (intake_test_run (argv, "480215\n", &out, &err), ==, 0);
  g_assert_true (g_file_test (pin_path, G_FILE_TEST_IS_REGULAR));
}

static void
test_demo_submissions (Cli           *cli,
                       gconstpointer  data)
{
  const char *argv[] = { kiosk_binary (), "--state-dir", cli->state_dir,
                         "--office-public", cli->office_path,
                         "--questionnaire", cli->questionnaire,
                         "--demo-submissions", "3", NULL };
  const char *no_key[] = { kiosk_binary (), "--state-dir", cli->state_dir,
                           "--office-public", "/nonexistent/office.pub",
                           "--questionnaire", cli->questionnaire,
                           "--demo-submissions", "1", NULL };
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  IntakeOutboxCounts counts;

  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Stored 3 of 3"));

  kiosk = intake_kiosk_new (cli->state_dir, cli->office_path, cli->questionnaire, &error);
  g_assert_no_error (error);
  intake_outbox_get_counts (intake_kiosk_get_outbox (kiosk), &counts, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (counts.pending, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (intake_test_run (no_key, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "office"));
}

static void
test_tour (Cli           *cli,
           gconstpointer  data)
{
  g_autofree char *out_dir = g_build_filename (cli->tmp, "tour", NULL);
  g_autofree char *welcome = g_build_filename (out_dir, "01-welcome.png", NULL);
  g_autofree char *own_state = g_build_filename (cli->tmp, "intake-kiosk", NULL);
  const char *argv[] = { kiosk_binary (), "--tour", "ar", "--out", out_dir,
                         "--questionnaire", cli->questionnaire, NULL };
  const char *no_out[] = { kiosk_binary (), "--tour", "ar", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (intake_test_run (no_out, NULL, NULL, NULL), ==, 1);

  if (cli->display == NULL)
    {
      g_test_fail_printf ("the tour needs a display: run the UI tests under xvfb-run");
      return;
    }
  g_setenv ("DISPLAY", cli->display, TRUE);
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  g_assert_true (g_file_test (welcome, G_FILE_TEST_IS_REGULAR));
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 17);
  /* A throwaway state directory: nothing under $XDG_STATE_HOME. */
  g_assert_false (g_file_test (own_state, G_FILE_TEST_EXISTS));
}

/* In the child between fork and exec. A process that is not dumpable has
 * its /proc files owned by root; to see that, the kiosk must run as
 * someone else: when this test runs as root, as nobody. */
static void
as_nobody_cb (gpointer user_data)
{
  if (getuid () == 0)
    {
      setgroups (0, NULL);
      if (setgid (65534) != 0 || setuid (65534) != 0)
        _exit (127);
    }
}

/* "Max core file size" in /proc/PID/limits: soft and hard, or FALSE. */
static gboolean
core_limits (const char *pid,
             char      **out_soft,
             char      **out_hard)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/limits", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "Max core file size")) == NULL)
    return FALSE;
  fields = g_strsplit_set (line + strlen ("Max core file size"), " \n", -1);
  for (guint i = 0, n = 0; fields[i] != NULL && n < 2; i++)
    if (fields[i][0] != '\0')
      *(n++ == 0 ? out_soft : out_hard) = g_strdup (fields[i]);
  return TRUE;
}

/* The real intake-kiosk turns core dumps off and makes itself
 * non-dumpable first thing: a crash mid-session writes no answers to disk
 * and no other process of its user can read its memory. It is shown on a
 * running kiosk waiting for --set-pin on standard input (no display). */
static void
test_no_core_dumps (Cli           *cli,
                    gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status_path = NULL;
  g_autofree char *soft = NULL;
  g_autofree char *hard = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean protected = FALSE;
  const char *pid;

  g_subprocess_launcher_set_child_setup (launcher, as_nobody_cb, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, kiosk_binary (), "--set-pin", "--state-dir",
                                      cli->state_dir, NULL);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (proc);
  status_path = g_strdup_printf ("/proc/%s/status", pid);

  /* Until main() has run its first lines (or the deadline). */
  while (!protected && g_get_monotonic_time () < deadline)
    {
      GStatBuf st;

      g_clear_pointer (&soft, g_free);
      g_clear_pointer (&hard, g_free);
      protected = core_limits (pid, &soft, &hard) && g_strcmp0 (soft, "0") == 0 && g_strcmp0 (hard, "0") == 0 &&
                  g_stat (status_path, &st) == 0 && st.st_uid == 0;
      if (!protected)
        g_usleep (20000);
    }
  {
    g_autofree char *status = NULL;
    const char *uid;

    g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
    uid = strstr (status, "\nUid:\t");
    g_assert_nonnull (uid);
    g_test_message ("kiosk %s: core file size %s/%s, /proc owned by root, %.*s", pid, soft, hard,
                    (int)strcspn (uid + 1, "\n"), uid + 1);
    /* The kiosk's own uid is not root, so root's ownership is the
     * non-dumpable flag's doing. */
    g_assert_false (g_str_has_prefix (uid, "\nUid:\t0\t"));
  }
  g_assert_true (protected);

  /* No PIN after all: it exits with its one line of error. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (proc), NULL, NULL);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/kiosk/cli/set-pin", Cli, NULL, cli_setup, test_set_pin, cli_teardown);
  g_test_add ("/kiosk/cli/demo-submissions", Cli, NULL, cli_setup, test_demo_submissions, cli_teardown);
  g_test_add ("/kiosk/cli/tour", Cli, NULL, cli_setup, test_tour, cli_teardown);
  g_test_add ("/kiosk/cli/no-core-dumps", Cli, NULL, cli_setup, test_no_core_dumps, cli_teardown);

  return g_test_run ();
}

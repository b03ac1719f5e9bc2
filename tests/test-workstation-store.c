/* test-workstation-store.c: where the review app keeps a reviewer's workstation key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 0600 file in the user's data directory, and the GNOME keyring
 * through libsecret: a real gnome-keyring-daemon, unlocked with a test
 * password, on a private session bus that has no service files (so that
 * nothing else is started, and no prompt can appear). Each case runs in a
 * subprocess: libsecret keeps its connection to the first bus it meets.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-test-util.h"
#include "intake-workstation-store.h"

#define REVIEWER "Anna de Vries"

/* A session bus of our own and, when asked, gnome-keyring on it. */
typedef struct {
  char        *dir;
  GSubprocess *bus;
  GSubprocess *keyring;
} Session;

static char *
read_line (GInputStream *stream)
{
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (stream);
  g_autoptr(GError) error = NULL;
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static gboolean
name_has_owner (const char *address,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  connection = g_dbus_connection_new_for_address_sync (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
session_start (Session  *session,
               gboolean  with_keyring)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *address = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *bus_program = g_find_program_in_path ("dbus-daemon");

  if (bus_program == NULL)
    g_error ("dbus-daemon is missing: install dbus (scripts/install-deps)");
  session->dir = intake_test_tmpdir_new ();
  data_home = g_build_filename (session->dir, "data", NULL);
  runtime = g_build_filename (session->dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);

  /* No <servicedir>: nothing is started on demand. */
  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:dir=%s</listen>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n", runtime);
  config_path = g_build_filename (session->dir, "bus.conf", NULL);
  intake_test_write_file (config_path, config);
  session->bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                   bus_program, "--nofork", "--nopidfile", "--print-address=1", "--config-file",
                                   config_path, NULL);
  g_assert_no_error (error);
  address = read_line (g_subprocess_get_stdout_pipe (session->bus));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);

  if (with_keyring)
    {
      g_autofree char *keyring_program = g_find_program_in_path ("gnome-keyring-daemon");
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GBytes) password = g_bytes_new_static ("test keyring password", 21);
      gint64 deadline;

      if (keyring_program == NULL)
        g_error ("gnome-keyring-daemon is missing: install gnome-keyring (scripts/install-deps)");
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                            G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      /* The login keyring is made (and unlocked) with the password on stdin. */
      session->keyring = g_subprocess_launcher_spawn (launcher, &error, keyring_program, "--foreground", "--unlock",
                                                      "--components=secrets", NULL);
      g_assert_no_error (error);
      {
        GOutputStream *in = g_subprocess_get_stdin_pipe (session->keyring);

        g_assert_true (g_output_stream_write_all (in, g_bytes_get_data (password, NULL), g_bytes_get_size (password),
                                                  NULL, NULL, &error));
        g_assert_no_error (error);
        g_assert_true (g_output_stream_close (in, NULL, &error));
        g_assert_no_error (error);
      }
      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while (!name_has_owner (address, "org.freedesktop.secrets"))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (50 * 1000);
        }
    }
}

static void
session_stop (Session *session)
{
  /* libsecret's proxies get signals (the keyring leaving the bus) on the
   * default main context, which these tests never run: let go of the
   * service and dispatch what is queued, so that nothing is left pending
   * at exit (LeakSanitizer reports such messages as leaks). */
  secret_service_disconnect ();
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (session->keyring != NULL)
    {
      g_subprocess_force_exit (session->keyring);
      g_subprocess_wait (session->keyring, NULL, NULL);
      g_clear_object (&session->keyring);
    }
  g_subprocess_force_exit (session->bus);
  g_subprocess_wait (session->bus, NULL, NULL);
  g_clear_object (&session->bus);
  intake_test_rm_rf (session->dir);
  g_clear_pointer (&session->dir, g_free);
}

static IntakeWorkstationKey *
new_key (void)
{
  g_autoptr(GError) error = NULL;
  IntakeWorkstationKey *key = intake_workstation_key_generate (&error);

  g_assert_no_error (error);
  return key;
}

static void
assert_same_key (const IntakeWorkstationKey *a,
                 const IntakeWorkstationKey *b)
{
  g_autofree char *id_a = intake_workstation_key_dup_id_hex (a);
  g_autofree char *id_b = intake_workstation_key_dup_id_hex (b);

  g_assert_cmpstr (id_a, ==, id_b);
}

/* The file store: private, named by a hash, nothing of the name on disk. */
static void
test_file (void)
{
  if (g_test_subprocess ())
    {
      Session session = { 0 };
      g_autoptr(IntakeWorkstationKey) key = new_key ();
      g_autoptr(IntakeWorkstationKey) found = NULL;
      g_autoptr(IntakeWorkstationKey) none = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *contents = NULL;
      IntakeWorkstationStoreKind where = INTAKE_WORKSTATION_STORE_NONE;
      GStatBuf st;

      /* Auto on a bus without a Secret Service: the file, without a prompt. */
      session_start (&session, FALSE);
      g_unsetenv ("INTAKE_WORKSTATION_KEY_STORE");
      g_assert_true (intake_workstation_store_save (REVIEWER, key, &where, &error));
      g_assert_no_error (error);
      g_assert_cmpint (where, ==, INTAKE_WORKSTATION_STORE_FILE);
      path = intake_workstation_store_dup_path (REVIEWER);
      dir = g_path_get_dirname (path);
      g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()) ||
                     g_str_has_prefix (path, g_getenv ("XDG_DATA_HOME")));
      g_assert_null (strstr (path, "Anna"));
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpint (g_stat (dir, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
      found = intake_workstation_store_lookup (REVIEWER, &where, &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      g_assert_cmpint (where, ==, INTAKE_WORKSTATION_STORE_FILE);
      assert_same_key (key, found);
      /* Another name has none: NULL, no error. */
      none = intake_workstation_store_lookup ("Bram Jansen", &where, &error);
      g_assert_no_error (error);
      g_assert_null (none);
      g_assert_cmpint (where, ==, INTAKE_WORKSTATION_STORE_NONE);
      /* Asking for the keyring where there is none is an error. */
      g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "keyring", TRUE);
      g_assert_false (intake_workstation_store_save ("Bram Jansen", key, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("no keyring: %s", error->message);
      g_clear_error (&error);
      /* A damaged file is said to be so. */
      g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "file", TRUE);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpint (g_chmod (path, 0600), ==, 0);
      intake_test_write_file (path, "intake workstation key\nRWS damaged\n");
      g_clear_pointer (&found, intake_workstation_key_free);
      found = intake_workstation_store_lookup (REVIEWER, NULL, &error);
      g_assert_null (found);
      g_assert_nonnull (error);
      session_stop (&session);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The GNOME keyring: the key is there and nowhere on the disk's data
 * directory; auto mode finds it; a save to the keyring removes an older
 * file of the name. */
static void
test_keyring (void)
{
  if (g_test_subprocess ())
    {
      Session session = { 0 };
      g_autoptr(IntakeWorkstationKey) key = new_key ();
      g_autoptr(IntakeWorkstationKey) older = new_key ();
      g_autoptr(IntakeWorkstationKey) found = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      IntakeWorkstationStoreKind where = INTAKE_WORKSTATION_STORE_NONE;

      session_start (&session, TRUE);
      path = intake_workstation_store_dup_path (REVIEWER);
      /* An older key in the file store ... */
      g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "file", TRUE);
      g_assert_true (intake_workstation_store_save (REVIEWER, older, &where, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      /* ... is replaced by the keyring's, in auto mode. */
      g_unsetenv ("INTAKE_WORKSTATION_KEY_STORE");
      g_assert_true (intake_workstation_store_save (REVIEWER, key, &where, &error));
      g_assert_no_error (error);
      g_assert_cmpint (where, ==, INTAKE_WORKSTATION_STORE_KEYRING);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      found = intake_workstation_store_lookup (REVIEWER, &where, &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      g_assert_cmpint (where, ==, INTAKE_WORKSTATION_STORE_KEYRING);
      assert_same_key (key, found);
      g_clear_pointer (&found, intake_workstation_key_free);
      /* Asked for by name, the keyring too. */
      g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "keyring", TRUE);
      found = intake_workstation_store_lookup (REVIEWER, &where, &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      assert_same_key (key, found);
      g_clear_pointer (&found, intake_workstation_key_free);
      found = intake_workstation_store_lookup ("Bram Jansen", &where, &error);
      g_assert_no_error (error);
      g_assert_null (found);
      /* The file store does not see it. */
      g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "file", TRUE);
      found = intake_workstation_store_lookup (REVIEWER, &where, &error);
      g_assert_no_error (error);
      g_assert_null (found);
      session_stop (&session);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_true (intake_crypto_init (NULL));

  g_test_add_func ("/workstation-store/file", test_file);
  g_test_add_func ("/workstation-store/keyring", test_keyring);
  return g_test_run ();
}

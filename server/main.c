/* intake-server: the back office's endpoint for kiosks (docs/server.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exits 0 after SIGTERM or SIGINT; on a start-up failure prints one line
 * "intake-server: <what went wrong and what to do>" on stderr and exits 1
 * (2 for a usage error). The first line on stdout is
 * "listening on URL" once the socket is bound.
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-protocol.h"
#include "intake-office-rotation.h"
#include "intake-server-util.h"
#include "intake-server.h"
#include "intake-store-pg.h"

#define EXIT_USAGE 2
/* An option's value when it was not given. */
#define NOT_GIVEN G_MININT

static int
fail (GError *error)
{
  g_autofree char *one_line = g_strdup (error->message);

  g_strdelimit (one_line, "\n", ' ');
  g_printerr ("intake-server: %s\n", one_line);
  g_error_free (error);
  return EXIT_FAILURE;
}

/* The retention schedule (docs/privacy.md): at start, then every
 * --retention-interval seconds. */
#define DEFAULT_RETENTION_INTERVAL 3600

typedef struct {
  IntakeStore     *store;
  IntakeRetention  retention;
} RetentionRun;

static void
apply_retention (RetentionRun *run,
                 gboolean      at_start)
{
  gint64 counts[INTAKE_RETENTION_N_RULES] = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *fields = NULL;

  if (!intake_store_purge (run->store, &run->retention, g_get_real_time () / G_USEC_PER_SEC, FALSE,
                           "server", "schedule", counts, &error))
    {
      g_autofree char *message = g_strdup (error->message);

      g_strdelimit (message, "\n\"", ' ');
      fields = g_strdup_printf ("error=store detail=\"%s\"", message);
      intake_server_log ("error", "purge", fields);
      return;
    }
  if (!at_start && counts[INTAKE_RETENTION_CLOSED] + counts[INTAKE_RETENTION_MAXIMUM] +
                   counts[INTAKE_RETENTION_HELP] == 0)
    return;
  fields = g_strdup_printf ("closed=%" G_GINT64_FORMAT " maximum=%" G_GINT64_FORMAT " help=%" G_GINT64_FORMAT
                            " closed_days=%u max_days=%u help_days=%u",
                            counts[INTAKE_RETENTION_CLOSED], counts[INTAKE_RETENTION_MAXIMUM],
                            counts[INTAKE_RETENTION_HELP], run->retention.days[INTAKE_RETENTION_CLOSED],
                            run->retention.days[INTAKE_RETENTION_MAXIMUM],
                            run->retention.days[INTAKE_RETENTION_HELP]);
  intake_server_log ("info", "purge", fields);
}

static gboolean
retention_cb (gpointer user_data)
{
  apply_retention (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr ("intake-server: %s\nusage: intake-server --office-public FILE "
              "(--data DIR | --postgres CONNINFO --server-key FILE [--pg-statement-timeout SECONDS]) "
              "[--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--questionnaire FILE] [LIMITS] [RETENTION] "
              "(see --help)\n", message);
  return EXIT_USAGE;
}

/* One operator-settable limit: its option, where it goes, its range. */
typedef struct {
  const char *name;
  int         value;
  int         min;
  int         max;
  guint      *target;
} LimitOption;

/* Copies the limits given into @limits; FALSE (with @message) for one out
 * of its range. */
static gboolean
apply_limit_options (LimitOption  *options,
                     guint         n_options,
                     char        **message)
{
  for (guint i = 0; i < n_options; i++)
    {
      if (options[i].value == NOT_GIVEN)
        continue;
      if (options[i].value < options[i].min || options[i].value > options[i].max)
        {
          *message = g_strdup_printf ("--%s takes a whole number from %d to %d", options[i].name,
                                      options[i].min, options[i].max);
          return FALSE;
        }
      *options[i].target = (guint)options[i].value;
    }
  return TRUE;
}

/* "127.0.0.1:8080", "[::1]:8443", "0.0.0.0:0". IP literals only: a name
 * could resolve to a public address behind our back. */
static GInetSocketAddress *
parse_listen (const char  *text,
              GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text;
  guint64 port = 0;
  char *end = NULL;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL || close[1] != ':')
        goto bad;
      host = g_strndup (text + 1, close - text - 1);
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');

      if (colon == NULL || strchr (text, ':') != colon)
        goto bad;
      host = g_strndup (text, colon - text);
      port_text = colon + 1;
    }

  port = g_ascii_strtoull (port_text, &end, 10);
  if (*port_text == '\0' || end == NULL || *end != '\0' || port > 65535)
    goto bad;
  if (!(address = g_inet_address_new_from_string (host)))
    goto bad;
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, (guint16)port));

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "--listen \"%s\" is not ADDR:PORT with an IP address (e.g. 127.0.0.1:8080 or [::1]:8443)",
               text);
  return NULL;
}

/* The store remembers the server key it was served with (setting
 * "server_key_id"): kiosks check every receipt against that key, so a
 * missing or different key file beside a store that has been served is a
 * mistake to stop at, not a reason to make a new key. */
/* TRUE when a rollover statement in the store replaced @sign_pk. */
static gboolean
was_rolled_over (IntakeStore  *store,
                 const guint8 *sign_pk)
{
  g_autoptr(GPtrArray) blobs = intake_store_load_server_rotations (store, NULL);

  for (guint i = 0; blobs != NULL && i < blobs->len; i++)
    {
      g_autoptr(IntakeServerKeyRotation) r = intake_server_key_rotation_new_from_bytes (g_ptr_array_index (blobs, i),
                                                                                        "statement", NULL);

      if (r != NULL && memcmp (r->old_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES) == 0)
        return TRUE;
    }
  return FALSE;
}

static IntakeDeviceKey *
load_server_key (IntakeStore  *store,
                 const char   *data_dir,
                 const char   *secret_path,
                 const char   *public_path,
                 gboolean      replace,
                 gboolean     *out_created,
                 GError      **error)
{
  g_autoptr(IntakeDeviceKey) key = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *pub_b64 = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *where = data_dir != NULL ? g_build_filename (data_dir, "intake.db", NULL)
                                            : g_strdup ("the PostgreSQL store");
  IntakeDevicePublic pub;
  GError *local_error = NULL;

  recorded = intake_store_ensure_setting (store, "server_key_id", NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (!replace && !g_file_test (secret_path, G_FILE_TEST_EXISTS))
    {
      IntakeStoreCounts counts = { 0 };

      if (recorded == NULL && !intake_store_get_counts (store, &counts, error))
        return NULL;
      /* Stores from before the setting: enrolled devices or envelopes. */
      if (recorded != NULL || counts.devices_active + counts.devices_revoked + counts.envelopes > 0)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                       "the server key %s is missing, but %s has been served%s%s and its kiosks check every "
                       "receipt against that key: restore %s from the backup; only if it is lost for good, start "
                       "once with --new-server-key and enroll every kiosk again", secret_path, where,
                       recorded != NULL ? " with server key " : "", recorded != NULL ? recorded : "", secret_path);
          return NULL;
        }
    }

  if (!(key = intake_server_key_load_or_create (secret_path, public_path, out_created, error)))
    return NULL;
  intake_device_key_get_public (key, &pub);
  key_id = intake_server_key_id_hex (pub.sign_pk);
  pub_b64 = g_base64_encode (pub.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);

  /* Schema 8 pins the whole public key (setting "server_public"): checked
   * first, so a refused start records nothing. */
  pinned = intake_store_ensure_setting (store, "server_public", NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (!replace && pinned != NULL && !g_str_equal (pinned, pub_b64))
    {
      g_autofree guint8 *pinned_pk = NULL;
      g_autofree char *pinned_id = NULL;
      gsize len = 0;

      pinned_pk = g_base64_decode (pinned, &len);
      pinned_id = len == INTAKE_SIGN_PUBLIC_BYTES ? intake_server_key_id_hex (pinned_pk) : g_strdup ("(unreadable)");
      if (was_rolled_over (store, pub.sign_pk))
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                       "%s holds server key %s, which was rolled over: %s is pinned to server key %s; give the "
                       "current key file (intake-admin server-key roll wrote it)", secret_path, key_id, where,
                       pinned_id);
          return NULL;
        }
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "%s holds server key %s, but %s is pinned to server key %s: give the key file it was "
                   "served with (--server-key); only to replace it on purpose, start once with --new-server-key "
                   "and enroll every kiosk again", secret_path, key_id, where, pinned_id);
      return NULL;
    }

  if (replace)
    {
      /* The public half beside it may be the old key's. */
      if (public_path != NULL && (g_unlink (public_path), !intake_device_public_save (&pub, public_path, error)))
        return NULL;
      if (public_path != NULL && g_chmod (public_path, 0600) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot set the mode of %s: %s", public_path,
                       g_strerror (errno));
          return NULL;
        }
      if (g_strcmp0 (recorded, key_id) != 0)
        {
          g_autofree char *fields = g_strdup_printf ("old_server_key_id=%s server_key_id=%s",
                                                     recorded != NULL ? recorded : "none", key_id);

          if (!intake_store_set_setting (store, "server_key_id", key_id, error))
            return NULL;
          intake_server_log ("warning", "server_key_replaced", fields);
        }
      if (!intake_store_set_setting (store, "server_public", pub_b64, error))
        return NULL;
      return g_steal_pointer (&key);
    }
  /* The first server to start records its key; instances sharing a
   * PostgreSQL store must share it too. */
  if (!(stored = intake_store_ensure_setting (store, "server_key_id", key_id, error)))
    return NULL;
  if (!g_str_equal (stored, key_id))
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "%s holds server key %s, but %s was served with server key %s: give the key file it was "
                   "served with (--server-key); only to replace it on purpose, start once with --new-server-key "
                   "and enroll every kiosk again", secret_path, key_id, where, stored);
      return NULL;
    }
  /* Schema 8 pins the whole public key (setting "server_public"): the first
   * start after the upgrade records it (checked above), every later start
   * must match it. */
  g_clear_pointer (&pinned, g_free);
  if (!(pinned = intake_store_ensure_setting (store, "server_public", pub_b64, error)))
    return NULL;
  return g_steal_pointer (&key);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *office_path = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *server_key_path = NULL;
  g_autofree char *server_pub_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *questionnaire_path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *office_key_id = NULL;
  g_autofree char *server_key_id = NULL;
  int pg_statement_timeout = NOT_GIVEN;
  int retain_days[INTAKE_RETENTION_N_RULES] = { NOT_GIVEN, NOT_GIVEN, NOT_GIVEN };
  int retention_interval = NOT_GIVEN;
  RetentionRun retention_run = { NULL };
  guint retention_id;
  gboolean version = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeKeys) office_keys = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeDeviceKey) server_key = NULL;
  g_autoptr(IntakeSignedQuestionnaire) questionnaire = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(IntakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  IntakeDevicePublic server_public;
  IntakeServerLimits limits;
  guint min_free_disk_mib = INTAKE_SERVER_DEFAULT_MIN_FREE_DISK_MIB;
  gboolean new_server_key = FALSE;
  LimitOption limit_options[] = {
    { "max-connections", NOT_GIVEN, 1, 1000000, &limits.max_connections },
    { "idle-timeout", NOT_GIVEN, 1, 3600, &limits.idle_timeout },
    { "header-timeout", NOT_GIVEN, 1, 3600, &limits.header_timeout },
    { "body-timeout", NOT_GIVEN, 1, 3600, &limits.body_timeout },
    { "tls-handshake-timeout", NOT_GIVEN, 1, 3600, &limits.tls_handshake_timeout },
    { "max-tls-handshakes", NOT_GIVEN, 1, 64, &limits.max_tls_handshakes },
    { "max-pending-bodies", NOT_GIVEN, 1, 1024, &limits.max_pending_bodies },
    { "min-free-disk", NOT_GIVEN, 0, 1048576, &min_free_disk_mib },
    { "store-check-interval", NOT_GIVEN, 1, 86400, &limits.store_check_interval },
  };
  g_autofree char *limit_message = NULL;
  gboolean key_created = FALSE;
  GError *error = NULL;
  guint sigterm, sigint;
  GOptionEntry entries[] = {
    { "office-public", 0, 0, G_OPTION_ARG_FILENAME, &office_path, "The office public key (office.pub)", "FILE" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "SQLite store and server key directory", "DIR" },
    { "postgres", 0, 0, G_OPTION_ARG_STRING, &conninfo, "PostgreSQL store (libpq connection string)", "CONNINFO" },
    { "server-key", 0, 0, G_OPTION_ARG_FILENAME, &server_key_path, "Server signing key (created if missing)", "FILE" },
    { "pg-statement-timeout", 0, 0, G_OPTION_ARG_INT, &pg_statement_timeout,
      "Seconds a PostgreSQL statement may take before it is cancelled (default "
      G_STRINGIFY (INTAKE_STORE_PG_STATEMENT_TIMEOUT_DEFAULT) ")", "SECONDS" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address and port (default 127.0.0.1:8443 with TLS, 127.0.0.1:8080 without)", "ADDR:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "TLS certificate chain (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "TLS private key (PEM)", "FILE" },
    { "questionnaire", 0, 0, G_OPTION_ARG_FILENAME, &questionnaire_path, "Signed questionnaire to serve", "FILE" },
    { "new-server-key", 0, 0, G_OPTION_ARG_NONE, &new_server_key,
      "Accept the server key file (created if missing) although the store was served with another key: "
      "every kiosk must enroll again", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  /* docs/privacy.md: intake-admin purge takes the same options. */
  GOptionEntry retention_entries[] = {
    { "retain-closed-days", 0, 0, G_OPTION_ARG_INT, &retain_days[INTAKE_RETENTION_CLOSED],
      "Remove closed submissions this many days after their last change; 0: keep them to the maximum (default "
      G_STRINGIFY (INTAKE_RETENTION_DEFAULT_CLOSED_DAYS) ")", "DAYS" },
    { "retain-max-days", 0, 0, G_OPTION_ARG_INT, &retain_days[INTAKE_RETENTION_MAXIMUM],
      "Remove every submission this many days after it was received (default "
      G_STRINGIFY (INTAKE_RETENTION_DEFAULT_MAXIMUM_DAYS) ", 10 years)", "DAYS" },
    { "retain-help-days", 0, 0, G_OPTION_ARG_INT, &retain_days[INTAKE_RETENTION_HELP],
      "Remove help requests this many days after they were received (default "
      G_STRINGIFY (INTAKE_RETENTION_DEFAULT_HELP_DAYS) ")", "DAYS" },
    { "retention-interval", 0, 0, G_OPTION_ARG_INT, &retention_interval,
      "Seconds between two applications of the retention rules, the first at start (default "
      G_STRINGIFY (DEFAULT_RETENTION_INTERVAL) ")", "SECONDS" },
    { NULL }
  };
  GOptionGroup *retention_group;
  /* docs/server.md, "Limits": what each one protects. */
  GOptionEntry limit_entries[] = {
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &limit_options[0].value,
      "Connections at once (default " G_STRINGIFY (INTAKE_SERVER_DEFAULT_MAX_CONNECTIONS)
      ", fewer if the open-files limit is lower)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &limit_options[1].value,
      "Close a connection after this long without a byte (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_IDLE_TIMEOUT) ")", "SECONDS" },
    { "header-timeout", 0, 0, G_OPTION_ARG_INT, &limit_options[2].value,
      "Time from a request's first byte to its last header (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_HEADER_TIMEOUT) ")", "SECONDS" },
    { "body-timeout", 0, 0, G_OPTION_ARG_INT, &limit_options[3].value,
      "Time to receive a request body (default " G_STRINGIFY (INTAKE_SERVER_DEFAULT_BODY_TIMEOUT) ")", "SECONDS" },
    { "tls-handshake-timeout", 0, 0, G_OPTION_ARG_INT, &limit_options[4].value,
      "Time from connecting to an established TLS session (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_TLS_HANDSHAKE_TIMEOUT) ")", "SECONDS" },
    { "max-tls-handshakes", 0, 0, G_OPTION_ARG_INT, &limit_options[5].value,
      "TLS handshakes under way at once (default " G_STRINGIFY (INTAKE_SERVER_DEFAULT_MAX_TLS_HANDSHAKES) ")", "N" },
    { "max-pending-bodies", 0, 0, G_OPTION_ARG_INT, &limit_options[6].value,
      "Request bodies over 4 KiB being received at once (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_MAX_PENDING_BODIES) ")", "N" },
    { "min-free-disk", 0, 0, G_OPTION_ARG_INT, &limit_options[7].value,
      "SQLite: /healthz fails with less free space beside the store (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_MIN_FREE_DISK_MIB) ")", "MIB" },
    { "store-check-interval", 0, 0, G_OPTION_ARG_INT, &limit_options[8].value,
      "SQLite: time between integrity checks and write probes of the store (default "
      G_STRINGIFY (INTAKE_SERVER_DEFAULT_STORE_CHECK_INTERVAL) ")", "SECONDS" },
    { NULL }
  };
  GOptionGroup *limit_group;

  setlocale (LC_ALL, "");
  g_set_prgname ("intake-server");

  intake_server_limits_init (&limits);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "The back-office server kiosks send their envelopes to.");
  g_option_context_add_main_entries (context, entries, NULL);
  limit_group = g_option_group_new ("limits", "What hostile clients can hold (docs/server.md, \"Limits\"):",
                                    "Show the limits on connections, timeouts and bodies", NULL, NULL);
  g_option_group_add_entries (limit_group, limit_entries);
  g_option_context_add_group (context, limit_group);
  retention_group = g_option_group_new ("retention", "What is removed, and when (docs/privacy.md):",
                                        "Show the retention options", NULL, NULL);
  g_option_group_add_entries (retention_group, retention_entries);
  g_option_context_add_group (context, retention_group);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int status = usage_error (context, error->message);

      g_error_free (error);
      return status;
    }
  if (version)
    {
      g_print ("intake-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc != 1)
    return usage_error (context, "unexpected argument");
  if (office_path == NULL)
    return usage_error (context, "--office-public is required");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (context, "give exactly one of --data DIR and --postgres CONNINFO");
  if (conninfo != NULL && server_key_path == NULL)
    return usage_error (context, "--postgres needs --server-key FILE (the same file on every instance)");
  if (pg_statement_timeout != NOT_GIVEN && conninfo == NULL)
    return usage_error (context, "--pg-statement-timeout goes with --postgres");
  if (pg_statement_timeout == NOT_GIVEN)
    pg_statement_timeout = INTAKE_STORE_PG_STATEMENT_TIMEOUT_DEFAULT;
  if (pg_statement_timeout < 1 || pg_statement_timeout > INTAKE_STORE_PG_STATEMENT_TIMEOUT_MAX)
    return usage_error (context, "--pg-statement-timeout takes whole seconds from 1 to "
                                 G_STRINGIFY (INTAKE_STORE_PG_STATEMENT_TIMEOUT_MAX));
  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error (context, "--tls-cert and --tls-key go together");
  if (!apply_limit_options (limit_options, G_N_ELEMENTS (limit_options), &limit_message))
    return usage_error (context, limit_message);
  limits.min_free_disk = (guint64)min_free_disk_mib * 1024 * 1024;
  intake_retention_init (&retention_run.retention);
  for (IntakeRetentionRule rule = 0; rule < INTAKE_RETENTION_N_RULES; rule++)
    if (retain_days[rule] != NOT_GIVEN &&
        !intake_retention_set_days (&retention_run.retention, rule, retain_days[rule], &error))
      {
        int status = usage_error (context, error->message);

        g_error_free (error);
        return status;
      }
  if (retention_interval == NOT_GIVEN)
    retention_interval = DEFAULT_RETENTION_INTERVAL;
  if (retention_interval < 1 || retention_interval > 7 * 24 * 60 * 60)
    return usage_error (context, "--retention-interval takes whole seconds from 1 to 604800");

  if (!(address = parse_listen (listen != NULL ? listen : tls_cert != NULL ? "127.0.0.1:8443" : "127.0.0.1:8080",
                                &error)))
    return fail (error);
  if (tls_cert == NULL &&
      !g_inet_address_get_is_loopback (g_inet_socket_address_get_address (address)))
    {
      g_printerr ("intake-server: refusing to listen on %s without TLS: plain HTTP is only for "
                  "loopback addresses (127.0.0.0/8, ::1); give --tls-cert and --tls-key\n", listen);
      return EXIT_FAILURE;
    }

  if (!intake_crypto_init (&error))
    return fail (error);

  if (!(office = intake_office_public_load (office_path, &error)))
    return fail (error);

  if (data_dir != NULL && server_key_path == NULL)
    {
      server_key_path = g_build_filename (data_dir, "server.secret", NULL);
      server_pub_path = g_build_filename (data_dir, "server.pub", NULL);
    }
  else if (g_str_has_suffix (server_key_path, ".secret"))
    server_pub_path = g_strdup_printf ("%.*s.pub", (int)(strlen (server_key_path) - strlen (".secret")),
                                       server_key_path);
  else
    server_pub_path = g_strdup_printf ("%s.pub", server_key_path);


  if (tls_cert != NULL && !(certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error)))
    {
      g_prefix_error (&error, "cannot load the TLS certificate %s with key %s: ", tls_cert, tls_key);
      return fail (error);
    }

  /* A damaged store is refused here, before anything is written to it,
   * not discovered later by a reviewer. */
  if (!(store = intake_store_open_from_options_full (data_dir, conninfo, (guint)pg_statement_timeout, &error)) ||
      !intake_store_check_files (store, &error) ||
      !intake_store_bind_office (store, office, &error))
    return fail (error);
  /* The rotations are checked here, so a damaged chain stops the start.
   * A questionnaire signed before the last rotation is still served:
   * kiosks check it against the keys they followed to the current one. */
  {
    g_autoptr(GPtrArray) newest_first = g_ptr_array_new ();

    if (!(office_keys = intake_store_load_office_keys (store, office, &error)))
      return fail (error);
    for (guint i = office_keys->chain->len; i > 0; i--)
      g_ptr_array_add (newest_first, g_ptr_array_index (office_keys->chain, i - 1));
    if (questionnaire_path != NULL &&
        !(questionnaire = intake_signed_questionnaire_load_any (questionnaire_path, newest_first, &error)))
      return fail (error);
  }

  /* Reviewers can read every questionnaire version this store has served,
   * so submissions made under an older one still render. */
  if (questionnaire != NULL)
    {
      IntakeStoreQuestionnaire seen = {
        .id = questionnaire->id,
        .version = questionnaire->version,
        .canonical = questionnaire->canonical,
        .first_seen = g_get_real_time () / G_USEC_PER_SEC,
      };

      g_strlcpy (seen.hash, questionnaire->hash, sizeof seen.hash);
      memcpy (seen.signature, questionnaire->signature, INTAKE_SIGNATURE_BYTES);
      if (!intake_store_put_questionnaire (store, &seen, &error))
        return fail (error);
    }

  if (!(server_key = load_server_key (store, data_dir, server_key_path, server_pub_path, new_server_key,
                                      &key_created, &error)))
    return fail (error);
  intake_device_key_get_public (server_key, &server_public);
  server_key_id = intake_server_key_id_hex (server_public.sign_pk);
  office_key_id = intake_office_public_dup_key_id_hex (office);

  /* Before serving: what is past its retention is gone before anyone can
   * read it again. */
  retention_run.store = store;
  apply_retention (&retention_run, TRUE);

  /* Handlers first: a supervisor may send SIGTERM as soon as it has read
   * the "listening on" line. */
  loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);

  server = intake_server_new (store, office, g_steal_pointer (&server_key),
                              g_steal_pointer (&questionnaire), certificate, &limits);
  intake_server_set_office_keys (server, g_steal_pointer (&office_keys));
  if (!(url = intake_server_listen (server, address, &error)))
    return fail (error);

  /* Tests and supervisors read this line to learn the port. */
  printf ("listening on %s\n", url);
  fflush (stdout);

  fields = g_strdup_printf ("url=%s backend=%s schema=%d office_key_id=%s server_key_id=%s%s tls=%s",
                            url, intake_store_get_backend_name (store), intake_store_get_schema_version (store),
                            office_key_id, server_key_id,
                            key_created ? " server_key=created" : new_server_key ? " server_key=replaced" : "",
                            tls_cert != NULL ? "yes" : "no");
  intake_server_log ("info", "start", fields);

  retention_id = g_timeout_add_seconds ((guint)retention_interval, retention_cb, &retention_run);
  g_main_loop_run (loop);
  g_source_remove (retention_id);
  g_source_remove (sigterm);
  g_source_remove (sigint);

  intake_server_stop (server);
  g_clear_object (&server);
  g_clear_object (&store);
  intake_server_log ("info", "stop", NULL);
  return EXIT_SUCCESS;
}

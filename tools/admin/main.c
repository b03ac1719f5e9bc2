/* intake-admin: keys, questionnaire checks and signing, envelopes, outbox
 * status, and the server's store (enrollment codes, devices, bundles)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every subcommand exits 0 on success, and otherwise prints one line
 * "intake-admin: <what went wrong and what to do>" on stderr and exits 1
 * (2 for a usage error).
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "intake-accept.h"
#include "intake-audit.h"
#include "intake-bundle.h"
#include "intake-canonical-json.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-keys.h"
#include "intake-outbox.h"
#include "intake-questionnaire.h"
#include "intake-reference.h"
#include "intake-review-client.h"
#include "intake-secure.h"
#include "intake-server-util.h"
#include "intake-signed-questionnaire.h"
#include "intake-store.h"

#define EXIT_USAGE 2

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct {
  const char  *group;
  const char  *name;
  CommandFunc  func;
  const char  *usage;
} Command;

static int
fail (GError *error)
{
  g_autofree char *one_line = g_strdup (error->message);

  g_strdelimit (one_line, "\n", ' ');
  g_printerr ("intake-admin: %s\n", one_line);
  g_error_free (error);
  return EXIT_FAILURE;
}

static int
usage_error (const char *usage,
             const char *message)
{
  g_printerr ("intake-admin: %s\nusage: intake-admin %s\n", message, usage);
  return EXIT_USAGE;
}

static gboolean
parse_options (GOptionEntry   *entries,
               const char     *usage,
               int            *argc,
               char         ***argv,
               int            *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);
  g_option_context_set_summary (context, usage);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (usage, error->message);
      return FALSE;
    }
  return TRUE;
}

static IntakeSecureBuffer *
read_passphrase_tty (const char  *prompt,
                     GError     **error)
{
  struct termios old, quiet;
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean have_tty = isatty (STDIN_FILENO);
  int c;

  if (!have_tty)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "no terminal to ask for a passphrase; use --passphrase-file FILE");
      return NULL;
    }

  fprintf (stderr, "%s", prompt);
  fflush (stderr);
  tcgetattr (STDIN_FILENO, &old);
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  quiet.c_lflag |= ECHONL;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char)c);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);

  if (line->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the passphrase is empty");
      return NULL;
    }
  return intake_secure_buffer_new_take_string (g_steal_pointer (&line));
}

static IntakeSecureBuffer *
get_passphrase (const char  *file,
                gboolean     confirm,
                GError     **error)
{
  g_autoptr(IntakeSecureBuffer) first = NULL;
  g_autoptr(IntakeSecureBuffer) second = NULL;

  if (file != NULL)
    return intake_secure_read_passphrase_file (file, error);

  if (!(first = read_passphrase_tty ("Passphrase: ", error)))
    return NULL;
  if (!confirm)
    return g_steal_pointer (&first);
  if (!(second = read_passphrase_tty ("Passphrase again: ", error)))
    return NULL;
  if (first->len != second->len || memcmp (first->data, second->data, first->len) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the two passphrases differ; nothing was written");
      return NULL;
    }
  return g_steal_pointer (&first);
}

static gboolean
ensure_private_dir (const char  *dir,
                    GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create directory %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_input (const char  *path,
            GBytes     **out_bytes,
            GError     **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) mem = NULL;

  if (path != NULL && g_strcmp0 (path, "-") != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      g_autoptr(GError) local_error = NULL;

      if (!(*out_bytes = g_file_load_bytes (file, NULL, NULL, &local_error)))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "cannot read %s: %s", path, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  mem = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (mem, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return FALSE;
  *out_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
  return TRUE;
}

static gboolean
write_output (const char  *path,
              GBytes      *bytes,
              GError     **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (path != NULL && g_strcmp0 (path, "-") != 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (!g_file_set_contents_full (path, (const char *)data, len,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "cannot write %s: %s", path, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write to standard output");
      return FALSE;
    }
  return TRUE;
}

/* office init DIR [--passphrase-file FILE] */
static int
cmd_office_init (int    argc,
                 char **argv)
{
  const char *usage = "office init DIR [--passphrase-file FILE]";
  g_autofree char *passphrase_file = NULL;
  g_autoptr(IntakeOfficePublic) office_public = NULL;
  g_autoptr(IntakeOfficeSecret) office_secret = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autofree char *pub_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *fingerprint = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      "Read the passphrase from the first line of FILE", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one directory");

  pub_path = g_build_filename (argv[1], "office.pub", NULL);
  secret_path = g_build_filename (argv[1], "office.secret", NULL);
  if (g_file_test (pub_path, G_FILE_TEST_EXISTS) || g_file_test (secret_path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("intake-admin: %s already holds office keys; refusing to replace them "
                  "(choose another directory)\n", argv[1]);
      return EXIT_FAILURE;
    }

  if (!(passphrase = get_passphrase (passphrase_file, TRUE, &error)) ||
      !ensure_private_dir (argv[1], &error) ||
      !intake_office_generate (&office_public, &office_secret, &error) ||
      !intake_office_secret_save (office_secret, secret_path, passphrase, &error) ||
      !intake_office_public_save (office_public, pub_path, &error))
    return fail (error);

  key_id = intake_office_public_dup_key_id_hex (office_public);
  fingerprint = intake_office_public_dup_fingerprint (office_public);
  g_print ("office key id: %s\n", key_id);
  g_print ("fingerprint:   %s\n", fingerprint);
  g_print ("public keys:   %s\n", pub_path);
  g_print ("secret key:    %s (passphrase-protected, keep it off the kiosks)\n", secret_path);
  return EXIT_SUCCESS;
}

/* device init DIR */
static int
cmd_device_init (int    argc,
                 char **argv)
{
  const char *usage = "device init DIR";
  g_autoptr(IntakeDeviceKey) device = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *pub_path = NULL;
  g_autofree char *device_id = NULL;
  IntakeDevicePublic device_public;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = { { NULL } };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one directory");

  secret_path = g_build_filename (argv[1], "device.secret", NULL);
  pub_path = g_build_filename (argv[1], "device.pub", NULL);

  if (!ensure_private_dir (argv[1], &error) ||
      !(device = intake_device_key_generate (&error)) ||
      !intake_device_key_save (device, secret_path, &error))
    return fail (error);

  intake_device_key_get_public (device, &device_public);
  if (!intake_device_public_save (&device_public, pub_path, &error))
    return fail (error);

  device_id = intake_device_key_dup_id_hex (device);
  g_print ("device id:  %s\n", device_id);
  g_print ("secret key: %s\n", secret_path);
  g_print ("public key: %s\n", pub_path);
  return EXIT_SUCCESS;
}

/* questionnaire check FILE */
static int
cmd_questionnaire_check (int    argc,
                         char **argv)
{
  const char *usage = "questionnaire check FILE";
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  GError *error = NULL;
  int status = 0;
  guint texts;
  GOptionEntry entries[] = { { NULL } };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one questionnaire file");

  if (!(questionnaire = intake_questionnaire_new_from_file (argv[1], &error)))
    return fail (error);

  texts = intake_questionnaire_count_texts (questionnaire);
  g_print ("id:        %s\n", intake_questionnaire_get_id (questionnaire));
  g_print ("version:   %u\n", intake_questionnaire_get_version (questionnaire));
  g_print ("hash:      %s\n", intake_questionnaire_get_hash (questionnaire));
  g_print ("sections:  %u\n", intake_questionnaire_get_n_sections (questionnaire));
  g_print ("questions: %u\n", intake_questionnaire_get_n_questions (questionnaire));
  g_print ("texts:     %u\n", texts);
  g_print ("languages:\n");
  for (guint i = 0; i < intake_questionnaire_get_n_languages (questionnaire); i++)
    {
      const IntakeLanguage *language = intake_questionnaire_get_language (questionnaire, i);
      guint present = intake_questionnaire_count_strings (questionnaire, language->code);
      gboolean is_source = g_strcmp0 (language->code,
                                      intake_questionnaire_get_source_language (questionnaire)) == 0;

      g_print ("  %-3s %5.1f%% (%u/%u)  %-8s %s%s\n",
               language->code,
               texts > 0 ? 100.0 * present / texts : 100.0,
               present, texts,
               language->reviewed ? "reviewed" : "draft",
               language->rtl ? "rtl " : "",
               is_source ? "source" : "");
    }
  return EXIT_SUCCESS;
}

static gboolean
load_office_dir_public (const char          *dir,
                        IntakeOfficePublic **out_public,
                        GError             **error)
{
  g_autofree char *path = NULL;

  /* Accept either the directory made by "office init" or the file itself. */
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    path = g_build_filename (dir, "office.pub", NULL);
  else
    path = g_strdup (dir);

  return (*out_public = intake_office_public_load (path, error)) != NULL;
}



static gboolean
check_session_json (JsonNode           *root,
                    IntakeEnvelopeInfo *info,
                    char              **out_questionnaire_id,
                    GError            **error)
{
  JsonObject *object, *questionnaire;
  JsonNode *node;
  const char *hash_hex, *id;
  gint64 version, format;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  object = json_node_get_object (root);
  node = json_object_get_member (object, "questionnaire");
  if (!intake_json_get_int (object, "format", &format) || format != 1 ||
      !json_object_has_member (object, "answers") ||
      intake_json_get_string (object, "language") == NULL ||
      node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto bad;

  questionnaire = json_node_get_object (node);
  if (!intake_json_get_int (questionnaire, "version", &version))
    version = -1;
  hash_hex = intake_json_get_string (questionnaire, "hash");
  id = intake_json_get_string (questionnaire, "id");
  if (version < 1 || version > G_MAXUINT32 || id == NULL || *id == '\0' ||
      strlen (id) > INTAKE_QUESTIONNAIRE_ID_MAX || hash_hex == NULL ||
      strlen (hash_hex) != 2 * INTAKE_QUESTIONNAIRE_HASH_BYTES ||
      !intake_hex_decode (hash_hex, info->questionnaire_hash, INTAKE_QUESTIONNAIRE_HASH_BYTES))
    goto bad;

  *out_questionnaire_id = g_strdup (id);
  info->questionnaire_id = *out_questionnaire_id;
  info->questionnaire_version = (guint32)version;
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "the input is not a finished session (expected a JSON object with \"format\": 1, "
               "\"answers\", \"language\" and \"questionnaire\" {id, version, hash}; "
               "see docs/questionnaire.md)");
  return FALSE;
}

/* The bytes of a GBytes we created ourselves from a file or a pipe; they
 * held answers, so they are overwritten before release. */
static void
wipe_bytes (GBytes *bytes)
{
  gsize len;
  gpointer data = (gpointer)g_bytes_get_data (bytes, &len);

  if (data != NULL)
    sodium_memzero (data, len);
}

/* envelope seal --office DIR --device DIR [--in FILE] [--out FILE] [--outbox DB] */
static int
cmd_envelope_seal (int    argc,
                   char **argv)
{
  const char *usage = "envelope seal --office DIR --device DIR [--in FILE] [--out FILE] [--outbox DB]";
  g_autofree char *office_dir = NULL;
  g_autofree char *device_dir = NULL;
  g_autofree char *in_path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *outbox_path = NULL;
  g_autofree char *device_path = NULL;
  g_autofree char *questionnaire_id = NULL;
  g_autofree char *submission_hex = NULL;
  g_autofree char *reference = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeDeviceKey) device = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) envelope = NULL;
  IntakeEnvelopeInfo info = { 0 };
  GError *error = NULL;
  char *canonical;
  gsize canonical_len;
  gsize input_len;
  const char *input_data;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, "Office key directory (or office.pub)", "DIR" },
    { "device", 0, 0, G_OPTION_ARG_FILENAME, &device_dir, "Device key directory", "DIR" },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, "Session JSON (default: standard input)", "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "Envelope file (default: standard output)", "FILE" },
    { "outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox_path, "Also queue the envelope in this outbox", "DB" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if (office_dir == NULL || device_dir == NULL)
    return usage_error (usage, "--office and --device are required");
  if (out_path == NULL && outbox_path == NULL && isatty (STDOUT_FILENO))
    return usage_error (usage, "refusing to write a binary envelope to a terminal; use --out FILE");

  device_path = g_build_filename (device_dir, "device.secret", NULL);
  if (!load_office_dir_public (office_dir, &office, &error) ||
      !(device = intake_device_key_load (device_path, &error)) ||
      !read_input (in_path, &input, &error))
    return fail (error);

  /* The session JSON is an answer set: keep it in secure memory from here
   * on and wipe every intermediate copy. */
  input_data = g_bytes_get_data (input, &input_len);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, input_data, (gssize)input_len, &error))
    {
      g_prefix_error (&error, "the session JSON does not parse: ");
      return fail (error);
    }
  wipe_bytes (input);

  if (!check_session_json (json_parser_get_root (parser), &info, &questionnaire_id, &error))
    return fail (error);
  if (!(canonical = intake_canonical_json_serialize (json_parser_get_root (parser), &canonical_len, &error)))
    return fail (error);
  plaintext = intake_secure_buffer_new_copy (canonical, canonical_len);
  intake_secure_strfree (canonical);

  intake_envelope_new_submission_id (info.submission_id);
  info.created_at = g_get_real_time () / G_USEC_PER_SEC;
  if (!(envelope = intake_envelope_seal (office, device, &info, plaintext->data, plaintext->len, &error)))
    return fail (error);

  submission_hex = intake_hex_encode (info.submission_id, sizeof info.submission_id);
  reference = intake_reference_from_submission_id (info.submission_id);

  if (outbox_path != NULL)
    {
      g_autoptr(IntakeOutbox) outbox = NULL;

      if (!(outbox = intake_outbox_open (outbox_path, &error)) ||
          !intake_outbox_add (outbox, envelope, reference, &error))
        return fail (error);
    }
  if ((out_path != NULL || outbox_path == NULL) && !write_output (out_path, envelope, &error))
    return fail (error);

  g_printerr ("sealed submission %s (reference %s, %zu bytes)\n",
              submission_hex, reference, g_bytes_get_size (envelope));
  return EXIT_SUCCESS;
}

/* envelope open --office DIR --passphrase-file FILE [--in FILE] */
static int
cmd_envelope_open (int    argc,
                   char **argv)
{
  const char *usage = "envelope open --office DIR --passphrase-file FILE [--in FILE]";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *in_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *submission_hex = NULL;
  g_autofree char *device_hex = NULL;
  g_autofree char *reference = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *created_text = NULL;
  IntakeEnvelopeHeader header;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, "Office key directory", "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "Passphrase of the office secret", "FILE" },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, "Envelope file (default: standard input)", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if (office_dir == NULL)
    return usage_error (usage, "--office is required");

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!read_input (in_path, &envelope, &error) ||
      !(passphrase = get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)) ||
      !(plaintext = intake_envelope_open (envelope, office, &header, &error)))
    return fail (error);

  submission_hex = intake_hex_encode (header.submission_id, sizeof header.submission_id);
  device_hex = intake_hex_encode (header.device_id, sizeof header.device_id);
  reference = intake_reference_from_submission_id (header.submission_id);
  created = g_date_time_new_from_unix_utc (header.created_at);
  created_text = created ? g_date_time_format_iso8601 (created) : g_strdup ("?");
  g_printerr ("verified: submission %s (reference %s) from device %s, questionnaire %s v%u, sealed %s\n",
              submission_hex, reference, device_hex, header.questionnaire_id,
              header.questionnaire_version, created_text);

  if (fwrite (plaintext->data, 1, plaintext->len, stdout) != plaintext->len ||
      fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      g_printerr ("intake-admin: cannot write to standard output\n");
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* outbox status DB */
static int
cmd_outbox_status (int    argc,
                   char **argv)
{
  const char *usage = "outbox status DB";
  g_autoptr(IntakeOutbox) outbox = NULL;
  IntakeOutboxCounts counts;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = { { NULL } };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one outbox database");
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_printerr ("intake-admin: %s does not exist; give the outbox.db of a kiosk state directory\n",
                  argv[1]);
      return EXIT_FAILURE;
    }

  if (!(outbox = intake_outbox_open (argv[1], &error)) ||
      !intake_outbox_get_counts (outbox, &counts, &error))
    return fail (error);

  g_print ("outbox:    %s\n", argv[1]);
  g_print ("schema:    %d\n", intake_outbox_get_schema_version (outbox));
  g_print ("pending:   %u\n", counts.pending);
  g_print ("exported:  %u (pending, also written to a bundle)\n", counts.exported_pending);
  g_print ("delivered: %u\n", counts.delivered);
  if (counts.pending > 0)
    {
      g_autoptr(GDateTime) oldest = g_date_time_new_from_unix_utc (counts.oldest_pending_at);
      g_autofree char *text = oldest ? g_date_time_format_iso8601 (oldest) : g_strdup ("?");

      g_print ("oldest pending: %s\n", text);
    }
  return EXIT_SUCCESS;
}

/* The --data DIR / --postgres CONNINFO pair every store command takes. */
#define STORE_OPTIONS(data_dir, conninfo) \
  { "data", 0, 0, G_OPTION_ARG_FILENAME, &(data_dir), "Server data directory (SQLite store)", "DIR" }, \
  { "postgres", 0, 0, G_OPTION_ARG_STRING, &(conninfo), "PostgreSQL store (libpq connection string)", "CONNINFO" }

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_seconds);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

/* Appends an admin action (actor "admin", origin "cli") to the audit log. */
static gboolean
admin_audit (IntakeStore  *store,
             const char   *action,
             const char   *object,
             const char   *result,
             GError      **error)
{
  g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin",
                                                              action, object, result, "cli");

  if (!intake_store_append_audit (store, event, error))
    {
      g_prefix_error (error, "done, but it could not be recorded in the audit log: ");
      return FALSE;
    }
  return TRUE;
}

/* enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION] */
static int
cmd_enroll_code (int    argc,
                 char **argv)
{
  const char *usage = "enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *location = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *expires_text = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  gint64 lifetime = 24 * 3600;
  gint64 now;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { "location", 0, 0, G_OPTION_ARG_STRING, &location, "Where the kiosk stands (shown to staff)", "NAME" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, "How long the code stays valid (default 24h)", "DURATION" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");
  if (location == NULL || *g_strstrip (location) == '\0')
    return usage_error (usage, "--location is required");
  if (expires != NULL && !intake_parse_duration (expires, &lifetime, &error))
    {
      status = usage_error (usage, error->message);
      g_error_free (error);
      return status;
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return fail (error);

  code = intake_enroll_code_generate ();
  code_hash = intake_enroll_code_hash (code);
  now = g_get_real_time () / G_USEC_PER_SEC;
  if (!intake_store_create_enroll_code (store, code_hash, location, now, now + lifetime, &error) ||
      !admin_audit (store, "enroll_code", location, "ok", &error))
    return fail (error);

  expires_text = format_time (now + lifetime);
  g_print ("location: %s\n", location);
  g_print ("expires:  %s\n", expires_text);
  g_print ("one-time enrollment code (type it on the kiosk's staff screen):\n");
  g_print ("%s\n", code);
  return EXIT_SUCCESS;
}

/* device list (--data DIR | --postgres CONNINFO) */
static int
cmd_device_list (int    argc,
                 char **argv)
{
  const char *usage = "device list (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  GError *error = NULL;
  int status = 0;
  int width = (int)strlen ("LOCATION");
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(devices = intake_store_list_devices (store, &error)))
    return fail (error);

  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);

      width = MAX (width, (int)g_utf8_strlen (device->location, -1));
    }
  g_print ("%-32s  %-*s  %-7s  %s\n", "DEVICE", width, "LOCATION", "STATUS", "ENROLLED");
  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *enrolled = format_time (device->enrolled_at);
      int pad = width - (int)g_utf8_strlen (device->location, -1);

      g_print ("%-32s  %s%*s  %-7s  %s\n", device->device_id, device->location, pad, "",
               intake_device_status_to_string (device->status), enrolled);
    }
  return EXIT_SUCCESS;
}

/* device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID */
static int
cmd_device_revoke (int    argc,
                   char **argv)
{
  const char *usage = "device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one device id");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_revoke_device (store, argv[1], g_get_real_time () / G_USEC_PER_SEC, &error) ||
      !admin_audit (store, "device_revoke", argv[1], "ok", &error))
    return fail (error);

  g_print ("revoked %s: its requests and bundles are refused from now on\n", argv[1]);
  return EXIT_SUCCESS;
}

/* import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] FILE */
static int
cmd_import_bundle (int    argc,
                   char **argv)
{
  const char *usage = "import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] FILE";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *office_path = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *office_key_id = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeStoreDevice) device = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic signer;
  GError *error = NULL;
  guint counts[INTAKE_ACCEPT_N_STATUS] = { 0 };
  gint64 created_at = 0;
  gint64 now;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { "office-public", 0, 0, G_OPTION_ARG_FILENAME, &office_path,
      "Office public key (default: the one the store was set up with)", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one bundle file");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  if (!read_input (argv[1], &bundle, &error))
    return fail (error);
  if (!(envelopes = intake_bundle_parse (bundle, &signer, &created_at, &error)))
    {
      g_prefix_error (&error, "%s is refused: ", argv[1]);
      return fail (error);
    }

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return fail (error);
  if (office_path != NULL)
    {
      if (!(office = intake_office_public_load (office_path, &error)) ||
          !intake_store_bind_office (store, office, &error))
        return fail (error);
    }
  else if (!(office = intake_store_dup_office (store, &error)))
    return fail (error);
  office_key_id = intake_office_public_dup_key_id_hex (office);

  device_id = intake_hex_encode (signer.device_id, sizeof signer.device_id);
  if (!(device = intake_store_get_device (store, device_id, &local_error)))
    {
      if (g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        g_printerr ("intake-admin: %s is refused: it was signed by device %s, which is not enrolled\n",
                    argv[1], device_id);
      else
        g_printerr ("intake-admin: %s\n", local_error->message);
      return EXIT_FAILURE;
    }
  if (device->status != INTAKE_DEVICE_STATUS_ACTIVE ||
      memcmp (device->sign_pk, signer.sign_pk, sizeof signer.sign_pk) != 0)
    {
      g_printerr ("intake-admin: %s is refused: device %s is %s\n", argv[1], device_id,
                  device->status != INTAKE_DEVICE_STATUS_ACTIVE ? "revoked" : "enrolled with another key");
      return EXIT_FAILURE;
    }

  now = g_get_real_time () / G_USEC_PER_SEC;
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeAcceptResult result;

      if (!intake_server_accept_envelope (store, office_key_id, device, g_ptr_array_index (envelopes, i),
                                          INTAKE_ENVELOPE_SOURCE_BUNDLE, now, &result, &error))
        {
          g_prefix_error (&error, "stopped at envelope %u of %u (the ones before are stored; "
                          "importing again is safe): ", i + 1, envelopes->len);
          return fail (error);
        }
      counts[result.status]++;
      if (result.status == INTAKE_ACCEPT_CONFLICT || result.status == INTAKE_ACCEPT_REJECTED)
        g_print ("envelope %u: %s%s%s%s submission %s\n", i, intake_accept_status_to_string (result.status),
                 result.status == INTAKE_ACCEPT_REJECTED ? " (" : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? intake_reject_reason_to_string (result.reason) : "",
                 result.status == INTAKE_ACCEPT_REJECTED ? ")" : "",
                 result.has_submission_id ? result.submission_id : "unknown");
    }

  {
    g_autofree char *result = g_strdup_printf ("ok: %u stored, %u duplicate, %u conflict, %u rejected",
                                               counts[INTAKE_ACCEPT_STORED], counts[INTAKE_ACCEPT_DUPLICATE],
                                               counts[INTAKE_ACCEPT_CONFLICT], counts[INTAKE_ACCEPT_REJECTED]);

    if (!admin_audit (store, "import_bundle", device_id, result, &error))
      return fail (error);
  }
  g_print ("device:    %s (%s)\n", device_id, device->location);
  g_print ("envelopes: %u\n", envelopes->len);
  g_print ("stored:    %u\n", counts[INTAKE_ACCEPT_STORED]);
  g_print ("duplicate: %u\n", counts[INTAKE_ACCEPT_DUPLICATE]);
  g_print ("conflict:  %u\n", counts[INTAKE_ACCEPT_CONFLICT]);
  g_print ("rejected:  %u\n", counts[INTAKE_ACCEPT_REJECTED]);
  if (counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED] > 0)
    {
      g_printerr ("intake-admin: %u envelope(s) of %s were refused (listed above); the kiosk keeps them\n",
                  counts[INTAKE_ACCEPT_CONFLICT] + counts[INTAKE_ACCEPT_REJECTED], argv[1]);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* reviewer add --office DIR --passphrase-file FILE (--data DIR | --postgres CONNINFO) --name NAME
 *              [--reviewer-passphrase-file FILE] */
static int
cmd_reviewer_add (int    argc,
                  char **argv)
{
  const char *usage = "reviewer add --office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) "
                      "--name NAME [--reviewer-passphrase-file FILE]";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *reviewer_passphrase_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *reviewer_id = NULL;
  g_autofree char *office_key_id = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeSecureBuffer) reviewer_passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeOfficePublic) store_office = NULL;
  g_autoptr(IntakeReviewerKey) reviewer = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(IntakeStore) store = NULL;
  IntakeStoreReviewer record = { 0 };
  IntakeReviewerPublic reviewer_public;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, "Office key directory", "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "Passphrase of the office secret", "FILE" },
    STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "The reviewer's name (they unlock with it)", "NAME" },
    { "reviewer-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &reviewer_passphrase_file,
      "The reviewer's new passphrase (at least 12 bytes)", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");
  if (office_dir == NULL || name == NULL || *g_strstrip (name) == '\0')
    return usage_error (usage, "--office and --name are required");
  if (strlen (name) > 128 || !g_utf8_validate (name, -1, NULL))
    return usage_error (usage, "--name must be at most 128 bytes of UTF-8");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)))
    return fail (error);

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!(passphrase = get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)))
    return fail (error);

  /* A reviewer key for another office would open nothing in this store. */
  if ((store_office = intake_store_dup_office (store, NULL)) != NULL &&
      memcmp (store_office->key_id, intake_office_secret_get_public (office)->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    {
      g_autofree char *ours = intake_office_public_dup_key_id_hex (store_office);
      g_autofree char *theirs = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));

      g_printerr ("intake-admin: the office key in %s (%s) is not the one this store serves (%s)\n",
                  office_dir, theirs, ours);
      return EXIT_FAILURE;
    }

  if (reviewer_passphrase_file == NULL)
    g_printerr ("The reviewer chooses a passphrase of at least 12 bytes.\n");
  if (!(reviewer_passphrase = get_passphrase (reviewer_passphrase_file, TRUE, &error)) ||
      !(reviewer = intake_reviewer_key_generate (office, &error)) ||
      !(record.blob = intake_reviewer_key_wrap (reviewer, reviewer_passphrase, &error)))
    return fail (error);

  intake_reviewer_key_get_public (reviewer, &reviewer_public);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = name;
  memcpy (record.sign_pk, reviewer_public.sign_pk, sizeof record.sign_pk);
  record.created_at = g_get_real_time () / G_USEC_PER_SEC;
  event = intake_audit_event_new (record.created_at, "admin", "reviewer_add", name, "ok", "cli");
  if (!intake_store_add_reviewer (store, &record, event, &error))
    {
      g_bytes_unref (record.blob);
      return fail (error);
    }
  g_bytes_unref (record.blob);

  office_key_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));
  g_print ("reviewer:   %s\n", name);
  g_print ("id:         %s\n", reviewer_id);
  g_print ("office key: %s\n", office_key_id);
  g_print ("They unlock with their name and passphrase in intake-review.\n");
  return EXIT_SUCCESS;
}

/* reviewer remove (--data DIR | --postgres CONNINFO) --name NAME */
static int
cmd_reviewer_remove (int    argc,
                     char **argv)
{
  const char *usage = "reviewer remove (--data DIR | --postgres CONNINFO) --name NAME";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "The reviewer to remove", "NAME" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");
  if (name == NULL)
    return usage_error (usage, "--name is required");

  event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "admin", "reviewer_remove", name, "ok", "cli");
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_revoke_reviewer (store, name, g_get_real_time () / G_USEC_PER_SEC, event, &error))
    return fail (error);
  g_print ("removed reviewer %s: their requests are refused and their key is no longer served\n", name);
  return EXIT_SUCCESS;
}

/* reviewer list (--data DIR | --postgres CONNINFO) */
static int
cmd_reviewer_list (int    argc,
                   char **argv)
{
  const char *usage = "reviewer list (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) reviewers = NULL;
  GError *error = NULL;
  int status = 0;
  int width = (int)strlen ("NAME");
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(reviewers = intake_store_list_reviewers (store, &error)))
    return fail (error);
  for (guint i = 0; i < reviewers->len; i++)
    width = MAX (width, (int)g_utf8_strlen (((IntakeStoreReviewer *)g_ptr_array_index (reviewers, i))->name, -1));
  g_print ("%-*s  %-32s  %-7s  %s\n", width, "NAME", "ID", "STATUS", "CREATED");
  for (guint i = 0; i < reviewers->len; i++)
    {
      const IntakeStoreReviewer *reviewer = g_ptr_array_index (reviewers, i);
      g_autofree char *created = format_time (reviewer->created_at);
      int pad = width - (int)g_utf8_strlen (reviewer->name, -1);

      g_print ("%s%*s  %-32s  %-7s  %s\n", reviewer->name, pad, "", reviewer->reviewer_id,
               intake_reviewer_status_to_string (reviewer->status), created);
    }
  return EXIT_SUCCESS;
}

/* audit verify (--data DIR | --postgres CONNINFO) */
static int
cmd_audit_verify (int    argc,
                  char **argv)
{
  const char *usage = "audit verify (--data DIR | --postgres CONNINFO)";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(IntakeStore) store = NULL;
  IntakeAuditVerifier verifier;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");

  intake_audit_verifier_init (&verifier);
  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !intake_store_verify_audit (store, &verifier, &error))
    {
      intake_audit_verifier_clear (&verifier);
      return fail (error);
    }
  if (verifier.problem != INTAKE_AUDIT_PROBLEM_NONE)
    {
      g_print ("checked: %" G_GINT64_FORMAT " good events before the problem\n", verifier.count);
      g_printerr ("intake-admin: audit chain broken at seq %" G_GINT64_FORMAT ": %s (%s); restore the log "
                  "from a backup and find out who had access to the store\n",
                  verifier.bad_seq, intake_audit_problem_to_string (verifier.problem), verifier.detail);
      intake_audit_verifier_clear (&verifier);
      return EXIT_FAILURE;
    }
  g_print ("audit chain intact: %" G_GINT64_FORMAT " events, head %" G_GINT64_FORMAT " %s\n",
           verifier.count, verifier.head_seq, verifier.head_hash);
  intake_audit_verifier_clear (&verifier);
  return EXIT_SUCCESS;
}

/* audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N] */
static int
cmd_audit_show (int    argc,
                char **argv)
{
  const char *usage = "audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N]";
  g_autofree char *data_dir = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *object = NULL;
  g_autoptr(IntakeStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  GError *error = NULL;
  gint64 after = 0;
  int limit = 1000;
  int status = 0;
  GOptionEntry entries[] = {
    STORE_OPTIONS (data_dir, conninfo),
    { "object", 0, 0, G_OPTION_ARG_STRING, &object, "Only events about this object (a submission id, a name)", "ID" },
    { "after", 0, 0, G_OPTION_ARG_INT64, &after, "Only events after this seq", "SEQ" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most this many events (default 1000)", "N" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if ((data_dir == NULL) == (conninfo == NULL))
    return usage_error (usage, "give exactly one of --data DIR and --postgres CONNINFO");
  if (limit < 1 || after < 0)
    return usage_error (usage, "--limit must be positive and --after not negative");

  if (!(store = intake_store_open_from_options (data_dir, conninfo, &error)) ||
      !(events = intake_store_list_audit (store, object, after, (guint)limit, &error)))
    return fail (error);
  g_print ("SEQ\tTIME\tACTOR\tACTION\tOBJECT\tRESULT\tORIGIN\n");
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);
      g_autofree char *when = format_time (event->time);

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", event->seq, when, event->actor, event->action,
               event->object, event->result, event->origin);
    }
  return EXIT_SUCCESS;
}

/* questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE */
static int
cmd_questionnaire_sign (int    argc,
                        char **argv)
{
  const char *usage = "questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE";
  g_autofree char *office_dir = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *key_id = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(IntakeQuestionnaire) verified = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
  GError *error = NULL;
  int status = 0;
  GOptionEntry entries[] = {
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, "Office key directory", "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "Passphrase of the office secret", "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "Signed questionnaire to write", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (usage, "expected exactly one questionnaire file");
  if (office_dir == NULL || out_path == NULL)
    return usage_error (usage, "--office and --out are required");

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!(questionnaire = intake_questionnaire_new_from_file (argv[1], &error)) ||
      !(passphrase = get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)))
    return fail (error);

  signed_q = intake_signed_questionnaire_sign (questionnaire, office);
  /* Checked as a kiosk will check it; a signed questionnaire is public,
   * readable by the server's user. */
  if (!(verified = intake_signed_questionnaire_verify (signed_q, intake_office_secret_get_public (office),
                                                       argv[1], &error)) ||
      !intake_signed_questionnaire_save (signed_q, out_path, 0644, &error))
    return fail (error);

  key_id = intake_office_public_dup_key_id_hex (intake_office_secret_get_public (office));
  g_print ("signed %s version %u (hash %s) with office key %s\n",
           intake_questionnaire_get_id (questionnaire), intake_questionnaire_get_version (questionnaire),
           intake_questionnaire_get_hash (questionnaire), key_id);
  g_print ("wrote %s\n", out_path);
  return EXIT_SUCCESS;
}

/* export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE [--tls-ca FILE] */
static int
cmd_export (int    argc,
            char **argv)
{
  const char *usage = "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json "
                      "--out FILE [--tls-ca FILE]";
  g_autofree char *server = NULL;
  g_autofree char *reviewer = NULL;
  g_autofree char *passphrase_file = NULL;
  g_autofree char *format = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *tls_ca = NULL;
  g_autoptr(IntakeSecureBuffer) passphrase = NULL;
  g_autoptr(GTlsDatabase) tls = NULL;
  GError *error = NULL;
  guint64 rows = 0;
  gboolean json;
  int status = 0;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The office server", "URL" },
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, "Reviewer name", "NAME" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, "The reviewer's passphrase", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv (with a byte order mark for Excel) or json", "FORMAT" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, "File to write (mode 0600)", "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &tls_ca, "Trust the CAs in this PEM file", "FILE" },
    { NULL }
  };

  if (!parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (usage, "unexpected argument");
  if (server == NULL || reviewer == NULL || format == NULL || out_path == NULL)
    return usage_error (usage, "--server, --reviewer, --format and --out are required");
  if (!g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return usage_error (usage, "--format is csv or json");
  json = g_str_equal (format, "json");

  /* The export holds answers in plain text: the one place they are written
   * to disk, on purpose, by a reviewer, and audited by the server. */
  if (!(passphrase = get_passphrase (passphrase_file, FALSE, &error)) ||
      (tls_ca != NULL && !(tls = g_tls_file_database_new (tls_ca, &error))) ||
      !intake_review_export_to_file (server, tls, reviewer, passphrase, NULL,
                                     json ? INTAKE_EXPORT_FORMAT_JSON : INTAKE_EXPORT_FORMAT_CSV,
                                     json ? INTAKE_EXPORT_FLAGS_NONE : INTAKE_EXPORT_FLAGS_BOM,
                                     out_path, &rows, &error))
    return fail (error);

  g_print ("%" G_GUINT64_FORMAT " submissions exported to %s\n", rows, out_path);
  return EXIT_SUCCESS;
}

static const Command commands[] = {
  { "office", "init", cmd_office_init, "office init DIR [--passphrase-file FILE]" },
  { "device", "init", cmd_device_init, "device init DIR" },
  { "questionnaire", "check", cmd_questionnaire_check, "questionnaire check FILE" },
  { "questionnaire", "sign", cmd_questionnaire_sign,
    "questionnaire sign FILE --office DIR [--passphrase-file FILE] --out FILE" },
  { "envelope", "seal", cmd_envelope_seal,
    "envelope seal --office DIR --device DIR [--in FILE] [--out FILE] [--outbox DB]" },
  { "envelope", "open", cmd_envelope_open,
    "envelope open --office DIR --passphrase-file FILE [--in FILE]" },
  { "outbox", "status", cmd_outbox_status, "outbox status DB" },
  { "enroll-code", NULL, cmd_enroll_code,
    "enroll-code (--data DIR | --postgres CONNINFO) --location NAME [--expires DURATION]" },
  { "device", "list", cmd_device_list, "device list (--data DIR | --postgres CONNINFO)" },
  { "device", "revoke", cmd_device_revoke, "device revoke (--data DIR | --postgres CONNINFO) DEVICE_ID" },
  { "import-bundle", NULL, cmd_import_bundle,
    "import-bundle (--data DIR | --postgres CONNINFO) [--office-public FILE] FILE" },
  { "reviewer", "add", cmd_reviewer_add,
    "reviewer add --office DIR [--passphrase-file FILE] (--data DIR | --postgres CONNINFO) --name NAME "
    "[--reviewer-passphrase-file FILE]" },
  { "reviewer", "remove", cmd_reviewer_remove, "reviewer remove (--data DIR | --postgres CONNINFO) --name NAME" },
  { "reviewer", "list", cmd_reviewer_list, "reviewer list (--data DIR | --postgres CONNINFO)" },
  { "audit", "verify", cmd_audit_verify, "audit verify (--data DIR | --postgres CONNINFO)" },
  { "audit", "show", cmd_audit_show,
    "audit show (--data DIR | --postgres CONNINFO) [--object ID] [--after SEQ] [--limit N]" },
  { "export", NULL, cmd_export,
    "export --server URL --reviewer NAME --passphrase-file FILE --format csv|json --out FILE [--tls-ca FILE]" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "usage:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  intake-admin %s\n", commands[i].usage);
}

int
main (int    argc,
      char **argv)
{
  GError *error = NULL;

  setlocale (LC_ALL, "");
  g_set_prgname ("intake-admin");

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (argc == 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("intake-admin %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (!intake_crypto_init (&error))
    return fail (error);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      /* One-word commands ("enroll-code") get their argv from the command. */
      if (commands[i].name == NULL && argc >= 2 && g_str_equal (argv[1], commands[i].group))
        return commands[i].func (argc - 1, argv + 1);
      if (commands[i].name != NULL && argc >= 3 && g_str_equal (argv[1], commands[i].group) &&
          g_str_equal (argv[2], commands[i].name))
        {
          /* Hand the command its own argv, starting at the subcommand. */
          return commands[i].func (argc - 2, argv + 2);
        }
    }

  g_printerr ("intake-admin: unknown command%s%s%s%s; see intake-admin --help\n",
              argc > 1 ? " \"" : "", argc > 1 ? argv[1] : "",
              argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
  print_usage (stderr);
  return EXIT_USAGE;
}

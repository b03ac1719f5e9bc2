/* intake-admin-envelope.c: envelope seal (a finished session, as a kiosk
 * seals it) and open (with the office secret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "intake-admin-builtins.h"
#include "intake-admin-private.h"
#include "intake-canonical-json.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-keys.h"
#include "intake-outbox.h"
#include "intake-questionnaire.h"
#include "intake-reference.h"

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
               _("the input is not a finished session (expected a JSON object with \"format\": 1, "
                 "\"answers\", \"language\" and \"questionnaire\" {id, version, hash}; "
                 "see docs/questionnaire.md)"));
  return FALSE;
}

/* The bytes of a GBytes we created ourselves from a file or a pipe; they
 * held answers, so they are overwritten before release. */
static void
wipe_bytes (GBytes *bytes)
{
  gsize len;
  gpointer data = (gpointer)g_bytes_get_data (bytes, &len);

  intake_secure_wipe (data, len);
}

/* envelope seal --office DIR --device DIR [--in FILE] [--out FILE] [--outbox DB] */
int
intake_admin_envelope_seal (int    argc,
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
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, N_("Office key directory (or office.pub)"), "DIR" },
    { "device", 0, 0, G_OPTION_ARG_FILENAME, &device_dir, N_("Device key directory"), "DIR" },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, N_("Session JSON (default: standard input)"), "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("Envelope file (default: standard output)"), "FILE" },
    { "outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox_path, N_("Also queue the envelope in this outbox"), "DB" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (office_dir == NULL || device_dir == NULL)
    return intake_admin_usage_error (usage, _("--office and --device are required"));
  if (out_path == NULL && outbox_path == NULL && isatty (STDOUT_FILENO))
    return intake_admin_usage_error (usage, _("refusing to write a binary envelope to a terminal; use --out FILE"));

  device_path = g_build_filename (device_dir, "device.secret", NULL);
  if (!intake_admin_load_office_public (office_dir, &office, &error) ||
      !(device = intake_device_key_load (device_path, &error)) ||
      !intake_admin_read_input (in_path, &input, &error))
    return intake_admin_fail (error);

  /* The session JSON is an answer set: keep it in secure memory from here
   * on and wipe every intermediate copy. */
  input_data = g_bytes_get_data (input, &input_len);
  parser = json_parser_new_immutable ();
  if (!intake_json_parse_untrusted (parser, input_data, input_len, INTAKE_JSON_MAX_DEPTH, &error))
    {
      g_prefix_error (&error, _("the session JSON does not parse: "));
      return intake_admin_fail (error);
    }
  wipe_bytes (input);

  if (!check_session_json (json_parser_get_root (parser), &info, &questionnaire_id, &error))
    return intake_admin_fail (error);
  if (!(canonical = intake_canonical_json_serialize (json_parser_get_root (parser), &canonical_len, &error)))
    return intake_admin_fail (error);
  plaintext = intake_secure_buffer_new_copy (canonical, canonical_len);
  intake_secure_strfree (canonical);

  intake_envelope_new_submission_id (info.submission_id);
  info.created_at = g_get_real_time () / G_USEC_PER_SEC;
  if (!(envelope = intake_envelope_seal (office, device, &info, plaintext->data, plaintext->len, &error)))
    return intake_admin_fail (error);

  submission_hex = intake_hex_encode (info.submission_id, sizeof info.submission_id);
  reference = intake_reference_from_submission_id (info.submission_id);

  if (outbox_path != NULL)
    {
      g_autoptr(IntakeOutbox) outbox = NULL;

      if (!(outbox = intake_outbox_open (outbox_path, &error)) ||
          !intake_outbox_add (outbox, envelope, reference, &error))
        return intake_admin_fail (error);
    }
  if ((out_path != NULL || outbox_path == NULL) && !intake_admin_write_output (out_path, envelope, &error))
    return intake_admin_fail (error);

  g_printerr (_("sealed submission %s (reference %s, %zu bytes)\n"),
              submission_hex, reference, g_bytes_get_size (envelope));
  return EXIT_SUCCESS;
}

/* envelope open --office DIR --passphrase-file FILE [--in FILE] */
int
intake_admin_envelope_open (int    argc,
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
    { "office", 0, 0, G_OPTION_ARG_FILENAME, &office_dir, N_("Office key directory"), "DIR" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file, N_("Passphrase of the office secret"), "FILE" },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, N_("Envelope file (default: standard input)"), "FILE" },
    { NULL }
  };

  if (!intake_admin_parse_options (entries, usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return intake_admin_usage_error (usage, _("unexpected argument"));
  if (office_dir == NULL)
    return intake_admin_usage_error (usage, _("--office is required"));

  secret_path = g_build_filename (office_dir, "office.secret", NULL);
  if (!intake_admin_read_input (in_path, &envelope, &error) ||
      !(passphrase = intake_admin_get_passphrase (passphrase_file, FALSE, &error)) ||
      !(office = intake_office_secret_load (secret_path, passphrase, &error)) ||
      !(plaintext = intake_envelope_open (envelope, office, &header, &error)))
    return intake_admin_fail (error);

  submission_hex = intake_hex_encode (header.submission_id, sizeof header.submission_id);
  device_hex = intake_hex_encode (header.device_id, sizeof header.device_id);
  reference = intake_reference_from_submission_id (header.submission_id);
  created = g_date_time_new_from_unix_utc (header.created_at);
  created_text = created ? g_date_time_format_iso8601 (created) : g_strdup ("?");
  g_printerr (_("verified: submission %s (reference %s) from device %s, questionnaire %s v%u, sealed %s\n"),
              submission_hex, reference, device_hex, header.questionnaire_id,
              header.questionnaire_version, created_text);

  if (fwrite (plaintext->data, 1, plaintext->len, stdout) != plaintext->len ||
      fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      g_printerr ("intake-admin: %s\n", _("cannot write to standard output"));
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* intake-server-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-reference.h"
#include "intake-server-util.h"
#include "intake-store-pg.h"
#include "intake-store-sqlite.h"

#define ENROLL_CODE_SYMBOLS (INTAKE_ENROLL_CODE_GROUPS * INTAKE_ENROLL_CODE_GROUP_LEN)

char *
intake_enroll_code_generate (void)
{
  static const char alphabet[] = INTAKE_REFERENCE_ALPHABET;
  GString *code = g_string_sized_new (ENROLL_CODE_SYMBOLS + INTAKE_ENROLL_CODE_GROUPS);

  for (guint i = 0; i < ENROLL_CODE_SYMBOLS; i++)
    {
      if (i > 0 && i % INTAKE_ENROLL_CODE_GROUP_LEN == 0)
        g_string_append_c (code, '-');
      g_string_append_c (code, alphabet[randombytes_uniform (sizeof alphabet - 1)]);
    }
  return g_string_free (code, FALSE);
}

char *
intake_enroll_code_normalize (const char *input)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint symbols = 0;

  if (input == NULL)
    return NULL;

  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == ' ' || c == '-' || c == '\t')
        continue;
      if (strchr (INTAKE_REFERENCE_ALPHABET, c) == NULL || symbols == ENROLL_CODE_SYMBOLS)
        return NULL;
      if (symbols > 0 && symbols % INTAKE_ENROLL_CODE_GROUP_LEN == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, c);
      symbols++;
    }
  if (symbols != ENROLL_CODE_SYMBOLS)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
intake_enroll_code_hash (const char *normalized)
{
  static const char label[] = "intake-enroll-v1";
  crypto_hash_sha256_state state;
  guint8 digest[crypto_hash_sha256_BYTES];

  g_return_val_if_fail (normalized != NULL, NULL);

  crypto_hash_sha256_init (&state);
  crypto_hash_sha256_update (&state, (const guint8 *)label, strlen (label));
  crypto_hash_sha256_update (&state, (const guint8 *)normalized, strlen (normalized));
  crypto_hash_sha256_final (&state, digest);
  return intake_hex_encode (digest, sizeof digest);
}

gboolean
intake_parse_duration (const char  *text,
                       gint64      *out_seconds,
                       GError     **error)
{
  guint64 value = 0;
  char *end = NULL;
  gint64 unit;

  if (text == NULL || !g_ascii_isdigit (*text))
    goto bad;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == NULL || end[0] == '\0' || end[1] != '\0' || value == 0)
    goto bad;
  switch (end[0])
    {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: goto bad;
    }
  if (value > (guint64)(G_MAXINT32 / unit))
    goto bad;
  *out_seconds = (gint64)value * unit;
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "\"%s\" is not a duration; write a positive number and a unit, like 30m, 24h or 7d",
               text != NULL ? text : "");
  return FALSE;
}

IntakeStore *
intake_store_open_from_options (const char  *data_dir,
                                const char  *conninfo,
                                GError     **error)
{
  return intake_store_open_from_options_full (data_dir, conninfo, INTAKE_STORE_PG_STATEMENT_TIMEOUT_DEFAULT, error);
}

IntakeStore *
intake_store_open_from_options_full (const char  *data_dir,
                                     const char  *conninfo,
                                     guint        pg_statement_timeout,
                                     GError     **error)
{
  g_autofree char *path = NULL;

  if ((data_dir == NULL) == (conninfo == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "give exactly one store: --data DIR (SQLite) or --postgres CONNINFO");
      return NULL;
    }
  if (conninfo != NULL)
    return intake_store_pg_connect (conninfo, pg_statement_timeout, error);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_OPEN,
                   "cannot create the data directory %s: %s", data_dir, g_strerror (saved));
      return NULL;
    }
  path = g_build_filename (data_dir, "intake.db", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *key = g_build_filename (data_dir, "server.secret", NULL);
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      const char *witness = g_file_test (key, G_FILE_TEST_EXISTS) ? key
                          : g_file_test (wal, G_FILE_TEST_EXISTS) ? wal : NULL;

      /* A server has run here: the store is lost, not new. */
      if (witness != NULL)
        {
          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                       "the store %s is missing, but %s is there: restore intake.db from the latest backup; "
                       "to start a new, empty store on purpose, move %s away too", path, witness, witness);
          return NULL;
        }
    }
  return intake_store_sqlite_open (path, error);
}

/* Every file the server writes is 0600, the public half of its key too. */
static gboolean
make_private (const char  *path,
              GError     **error)
{
  if (g_chmod (path, 0600) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot set the mode of %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

IntakeDeviceKey *
intake_server_key_load_or_create (const char  *secret_path,
                                  const char  *public_path,
                                  gboolean    *out_created,
                                  GError     **error)
{
  g_autoptr(IntakeDeviceKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  IntakeDevicePublic pub;

  if (out_created != NULL)
    *out_created = FALSE;

  if (g_file_test (secret_path, G_FILE_TEST_EXISTS))
    return intake_device_key_load (secret_path, error);

  if (!(key = intake_device_key_generate (error)))
    return NULL;
  /* Saving never replaces a file: if another instance created the key
   * between our test and now, use that one. */
  if (!intake_device_key_save (key, secret_path, &local_error))
    {
      if (g_file_test (secret_path, G_FILE_TEST_EXISTS))
        return intake_device_key_load (secret_path, error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  intake_device_key_get_public (key, &pub);
  if (public_path != NULL && !g_file_test (public_path, G_FILE_TEST_EXISTS) &&
      (!intake_device_public_save (&pub, public_path, error) || !make_private (public_path, error)))
    return NULL;
  if (out_created != NULL)
    *out_created = TRUE;
  return g_steal_pointer (&key);
}

gboolean
intake_store_bind_office (IntakeStore               *store,
                          const IntakeOfficePublic  *office,
                          GError                   **error)
{
  g_autoptr(GBytes) blob = intake_office_public_to_bytes (office);
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_autofree char *stored = NULL;

  if (!(stored = intake_store_ensure_setting (store, "office_public", b64, error)))
    return FALSE;
  if (!g_str_equal (stored, b64))
    {
      g_autoptr(IntakeOfficePublic) other = intake_store_dup_office (store, NULL);
      g_autofree char *theirs = other ? intake_office_public_dup_key_id_hex (other) : g_strdup ("?");
      g_autofree char *ours = intake_office_public_dup_key_id_hex (office);

      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                   "this store holds envelopes for office key %s, not for %s; "
                   "give the office.pub the store was set up with", theirs, ours);
      return FALSE;
    }
  return TRUE;
}

IntakeOfficePublic *
intake_store_dup_office (IntakeStore  *store,
                         GError      **error)
{
  g_autofree char *stored = NULL;
  g_autofree guint8 *blob = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  if (!(stored = intake_store_ensure_setting (store, "office_public", NULL, &local_error)))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                             "the store does not know its office key yet; start intake-server "
                             "once with --office-public, or pass --office-public FILE");
      return NULL;
    }
  blob = g_base64_decode (stored, &len);
  bytes = g_bytes_new (blob, len);
  return intake_office_public_new_from_bytes (bytes, error);
}

char *
intake_store_dup_generation (IntakeStore  *store,
                             GError      **error)
{
  return intake_store_ensure_setting (store, "store_generation", NULL, error);
}

char *
intake_store_new_generation (IntakeStore  *store,
                             GError      **error)
{
  guint8 random[16];
  g_autofree char *hex = NULL;

  randombytes_buf (random, sizeof random);
  hex = intake_hex_encode (random, sizeof random);
  if (!intake_store_set_setting (store, "store_generation", hex, error))
    return NULL;
  return g_steal_pointer (&hex);
}

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
#include "intake-office-rotation.h"
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
      g_autoptr(IntakeOfficeKeys) keys = intake_store_load_office_keys (store, NULL, NULL);
      g_autofree char *given = intake_office_public_dup_key_id_hex (office);

      if (keys != NULL && other != NULL && intake_office_keys_lookup (keys, given) != NULL)
        {
          g_autofree char *current = intake_office_public_dup_key_id_hex (other);

          g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID,
                       "office key %s was rotated: this store now serves office key %s; give the "
                       "office.pub that intake-admin office rotate wrote", given, current);
          return FALSE;
        }
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

/* Office keys and their rotations ------------------------------------------ */

void
intake_office_keys_free (IntakeOfficeKeys *keys)
{
  if (keys == NULL)
    return;
  g_clear_pointer (&keys->current, intake_office_public_free);
  g_clear_pointer (&keys->chain, g_ptr_array_unref);
  g_clear_pointer (&keys->rotations, g_ptr_array_unref);
  g_strfreev (keys->set.accepted);
  g_strfreev (keys->set.retired);
  g_free (keys);
}

static IntakeOfficeKeys *
office_keys_new (const IntakeOfficePublic *current)
{
  IntakeOfficeKeys *keys = g_new0 (IntakeOfficeKeys, 1);

  keys->current = intake_office_public_copy (current);
  keys->chain = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_public_free);
  keys->rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  return keys;
}

static void
office_keys_fill_set (IntakeOfficeKeys *keys)
{
  g_autoptr(GStrvBuilder) accepted = g_strv_builder_new ();

  for (guint i = 0; i < keys->chain->len; i++)
    {
      g_autofree char *id = intake_office_public_dup_key_id_hex (g_ptr_array_index (keys->chain, i));

      if (keys->set.retired == NULL || !g_strv_contains ((const char * const *)keys->set.retired, id))
        g_strv_builder_add (accepted, id);
    }
  keys->set.accepted = g_strv_builder_end (accepted);
}

IntakeOfficeKeys *
intake_office_keys_new_single (const IntakeOfficePublic *office)
{
  IntakeOfficeKeys *keys;

  g_return_val_if_fail (office != NULL, NULL);

  keys = office_keys_new (office);
  g_ptr_array_add (keys->chain, intake_office_public_copy (office));
  keys->set.retired = g_new0 (char *, 1);
  office_keys_fill_set (keys);
  return keys;
}

const IntakeOfficePublic *
intake_office_keys_lookup (IntakeOfficeKeys *keys,
                           const char       *key_id_hex)
{
  g_return_val_if_fail (keys != NULL, NULL);

  for (guint i = 0; key_id_hex != NULL && i < keys->chain->len; i++)
    {
      const IntakeOfficePublic *key = g_ptr_array_index (keys->chain, i);
      g_autofree char *id = intake_office_public_dup_key_id_hex (key);

      if (g_str_equal (id, key_id_hex))
        return key;
    }
  return NULL;
}

IntakeOfficeKeys *
intake_store_load_office_keys (IntakeStore               *store,
                               const IntakeOfficePublic  *fallback,
                               GError                   **error)
{
  g_autoptr(IntakeOfficeKeys) keys = NULL;
  g_autoptr(IntakeOfficePublic) current = NULL;
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) chain = NULL;
  g_autofree char *rotations_text = NULL;
  g_autofree char *retired_text = NULL;
  g_auto(GStrv) lines = NULL;
  GError *local_error = NULL;

  if (!(current = intake_store_dup_office (store, &local_error)))
    {
      if (fallback != NULL)
        {
          g_clear_error (&local_error);
          return intake_office_keys_new_single (fallback);
        }
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (fallback != NULL &&
      memcmp (fallback->key_id, current->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
    return intake_office_keys_new_single (fallback);

  keys = office_keys_new (current);
  rotations_text = intake_store_ensure_setting (store, "office_rotations", NULL, &local_error);
  if (local_error == NULL)
    retired_text = intake_store_ensure_setting (store, "office_retired", NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  lines = g_strsplit (rotations_text != NULL ? rotations_text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree guint8 *raw = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autofree char *what = NULL;
      IntakeOfficeRotation *rotation;
      gsize len = 0;

      if (*lines[i] == '\0')
        continue;
      raw = g_base64_decode (lines[i], &len);
      blob = g_bytes_new_take (g_steal_pointer (&raw), len);
      what = g_strdup_printf ("office key rotation %u in the store", i + 1);
      if (!(rotation = intake_office_rotation_new_from_bytes (blob, what, error)))
        return NULL;
      g_ptr_array_add (rotations, rotation);
      g_ptr_array_add (keys->rotations, g_bytes_ref (blob));
    }
  if (rotations->len == 0)
    g_ptr_array_add (keys->chain, intake_office_public_copy (current));
  else
    {
      const IntakeOfficeRotation *first = g_ptr_array_index (rotations, 0);
      const IntakeOfficePublic *last;

      if (!(chain = intake_office_chain_follow (&first->old_key, rotations, error)))
        return NULL;
      last = g_ptr_array_index (chain, chain->len - 1);
      if (chain->len != rotations->len + 1 ||
          memcmp (last->key_id, current->key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0)
        {
          g_set_error_literal (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DAMAGED,
                               "the store's office key rotations do not lead from its first office key "
                               "to the one it serves; restore the store from a backup");
          return NULL;
        }
      g_ptr_array_extend_and_steal (keys->chain, g_steal_pointer (&chain));
    }
  keys->set.retired = g_strsplit (retired_text != NULL ? retired_text : "", " ", -1);
  if (keys->set.retired[0] != NULL && *keys->set.retired[0] == '\0')
    {
      g_strfreev (keys->set.retired);
      keys->set.retired = g_new0 (char *, 1);
    }
  office_keys_fill_set (keys);
  return g_steal_pointer (&keys);
}

GPtrArray *
intake_store_load_server_rotations (IntakeStore  *store,
                                    GError      **error)
{
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GError *local_error = NULL;

  text = intake_store_ensure_setting (store, "server_rotations", NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree guint8 *raw = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(IntakeServerKeyRotation) rotation = NULL;
      g_autofree char *what = NULL;
      gsize len = 0;

      if (*lines[i] == '\0')
        continue;
      raw = g_base64_decode (lines[i], &len);
      blob = g_bytes_new_take (g_steal_pointer (&raw), len);
      what = g_strdup_printf ("server key rollover %u in the store", i + 1);
      if (!(rotation = intake_server_key_rotation_new_from_bytes (blob, what, error)))
        return NULL;
      g_ptr_array_add (blobs, g_steal_pointer (&blob));
    }
  return g_steal_pointer (&blobs);
}

/* intake-workstation-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "intake-crypto-error.h"
#include "intake-secure.h"
#include "intake-workstation-store.h"

#define STORE_ENV "INTAKE_WORKSTATION_KEY_STORE"

typedef enum {
  CHOICE_AUTO,
  CHOICE_KEYRING,
  CHOICE_FILE,
} Choice;

static Choice
choice (void)
{
  const char *value = g_getenv (STORE_ENV);

  if (g_strcmp0 (value, "file") == 0)
    return CHOICE_FILE;
  if (g_strcmp0 (value, "keyring") == 0)
    return CHOICE_KEYRING;
  return CHOICE_AUTO;
}

const char *
intake_workstation_store_kind_to_string (IntakeWorkstationStoreKind kind)
{
  switch (kind)
    {
    case INTAKE_WORKSTATION_STORE_KEYRING:
      return "keyring";
    case INTAKE_WORKSTATION_STORE_FILE:
      return "file";
    case INTAKE_WORKSTATION_STORE_NONE:
    default:
      return "none";
    }
}

char *
intake_workstation_store_dup_path (const char *name)
{
  static const char label[] = "intake-workstation-file-v1";
  crypto_generichash_state state;
  guint8 hash[16];
  char hex[sizeof hash * 2 + 1];
  g_autofree char *file = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  /* The file is named by a hash: any name, nothing of it on the disk's listing. */
  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *)label, strlen (label));
  crypto_generichash_update (&state, (const guint8 *)name, strlen (name));
  crypto_generichash_final (&state, hash, sizeof hash);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  file = g_strconcat (hex, ".key", NULL);
  return g_build_filename (g_get_user_data_dir (), "intake-review", "workstation-keys", file, NULL);
}

#if HAVE_LIBSECRET
static const SecretSchema *
keyring_schema (void)
{
  static const SecretSchema schema = {
    "org.intakekiosk.Review.WorkstationKey", SECRET_SCHEMA_NONE,
    {
      { "reviewer", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* NULL with no error when the keyring has none; an error when there is no
 * keyring to ask. */
static IntakeWorkstationKey *
keyring_lookup (const char  *name,
                GError     **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;
  gchar *b64 = NULL;
  gsize len = 0;

  b64 = secret_password_lookup_sync (keyring_schema (), NULL, error, "reviewer", name, NULL);
  if (b64 == NULL)
    return NULL;
  blob = intake_secure_buffer_new (strlen (b64));
  if (sodium_base642bin (blob->data, blob->len, b64, strlen (b64), NULL, &len, NULL,
                         sodium_base64_VARIANT_ORIGINAL) != 0)
    {
      secret_password_free (b64);
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the workstation key of %s in the keyring is damaged; restore it from the recovery sheet", name);
      return NULL;
    }
  secret_password_free (b64);
  return intake_workstation_key_decode (blob->data, len, "the workstation key in the keyring", error);
}

static gboolean
keyring_save (const char                 *name,
              const IntakeWorkstationKey *key,
              GError                    **error)
{
  g_autoptr(IntakeSecureBuffer) blob = intake_workstation_key_encode (key);
  g_autoptr(IntakeSecureBuffer) b64 = intake_secure_buffer_new (sodium_base64_ENCODED_LEN (blob->len,
                                                                                            sodium_base64_VARIANT_ORIGINAL));
  g_autofree char *label = g_strdup_printf ("intake-review workstation key for %s", name);

  sodium_bin2base64 ((char *)b64->data, b64->len, blob->data, blob->len, sodium_base64_VARIANT_ORIGINAL);
  return secret_password_store_sync (keyring_schema (), SECRET_COLLECTION_DEFAULT, label, (const char *)b64->data,
                                     NULL, error, "reviewer", name, NULL);
}
#endif

static IntakeWorkstationKey *
file_lookup (const char  *name,
             GError     **error)
{
  g_autofree char *path = intake_workstation_store_dup_path (name);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return intake_workstation_key_load (path, error);
}

static gboolean
file_save (const char                 *name,
           const IntakeWorkstationKey *key,
           GError                    **error)
{
  g_autofree char *path = intake_workstation_store_dup_path (name);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *fresh = g_strconcat (path, ".new", NULL);
  g_autofree char *comment = NULL;
  g_autoptr(GString) escaped = g_string_new (NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                   "cannot create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  g_chmod (dir, 0700);
  /* The comment line names the reviewer, without line breaks. */
  for (const char *p = name; *p != '\0'; p++)
    g_string_append_c (escaped, (guchar)*p < 0x20 ? '?' : *p);
  comment = g_strdup_printf ("intake workstation key for reviewer %s (keep it on this computer; "
                             "the recovery sheet restores it)", escaped->str);
  /* Key files are never overwritten: a new one, then renamed over the old. */
  g_unlink (fresh);
  if (!intake_workstation_key_save (key, fresh, comment, error))
    return FALSE;
  if (g_rename (fresh, path) != 0)
    {
      int saved = errno;

      g_unlink (fresh);
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                   "cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

IntakeWorkstationKey *
intake_workstation_store_lookup (const char                 *name,
                                 IntakeWorkstationStoreKind *out_where,
                                 GError                    **error)
{
  IntakeWorkstationKey *key = NULL;
  Choice how = choice ();

  g_return_val_if_fail (name != NULL, NULL);

  if (out_where != NULL)
    *out_where = INTAKE_WORKSTATION_STORE_NONE;
#if HAVE_LIBSECRET
  if (how != CHOICE_FILE)
    {
      g_autoptr(GError) local_error = NULL;

      key = keyring_lookup (name, &local_error);
      if (key != NULL)
        {
          if (out_where != NULL)
            *out_where = INTAKE_WORKSTATION_STORE_KEYRING;
          return key;
        }
      /* No keyring to ask is no error unless the keyring was asked for;
       * a damaged entry always is. */
      if (local_error != NULL && (how == CHOICE_KEYRING || local_error->domain == INTAKE_CRYPTO_ERROR))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (how == CHOICE_KEYRING)
        return NULL;
    }
#else
  if (how == CHOICE_KEYRING)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                           "this program was built without the GNOME keyring (libsecret)");
      return NULL;
    }
#endif
  key = file_lookup (name, error);
  if (key != NULL && out_where != NULL)
    *out_where = INTAKE_WORKSTATION_STORE_FILE;
  return key;
}

gboolean
intake_workstation_store_save (const char                 *name,
                               const IntakeWorkstationKey *key,
                               IntakeWorkstationStoreKind *out_where,
                               GError                    **error)
{
  Choice how = choice ();

  g_return_val_if_fail (name != NULL && key != NULL, FALSE);

#if HAVE_LIBSECRET
  if (how != CHOICE_FILE)
    {
      g_autoptr(GError) local_error = NULL;

      if (keyring_save (name, key, &local_error))
        {
          /* An older file for the name would only confuse a later lookup. */
          g_autofree char *path = intake_workstation_store_dup_path (name);

          g_unlink (path);
          if (out_where != NULL)
            *out_where = INTAKE_WORKSTATION_STORE_KEYRING;
          return TRUE;
        }
      if (how == CHOICE_KEYRING)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("no keyring for the workstation key (%s); keeping it in a file", local_error->message);
    }
#else
  if (how == CHOICE_KEYRING)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                           "this program was built without the GNOME keyring (libsecret)");
      return FALSE;
    }
#endif
  if (!file_save (name, key, error))
    return FALSE;
  if (out_where != NULL)
    *out_where = INTAKE_WORKSTATION_STORE_FILE;
  return TRUE;
}

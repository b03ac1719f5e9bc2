/* intake-kiosk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-json.h"
#include "intake-kiosk.h"
#include "intake-office-rotation.h"
#include "intake-pin.h"
#include "intake-protocol.h"
#include "intake-random-answers.h"
#include "intake-reference.h"
#include "intake-signed-questionnaire.h"

#define SERVER_JSON           "server.json"
/* Less free space than this in the state directory is a problem for the
 * staff screen: a submission is a few kilobytes, the outbox's WAL more. */
#define MIN_FREE_DISK         (16 * 1024 * 1024)

G_DEFINE_QUARK (intake-kiosk-error-quark, intake_kiosk_error)

struct _IntakeKiosk
{
  GObject              parent_instance;

  char                *state_dir;
  char                *pin_path;
  IntakeOfficePublic  *office;
  IntakeDeviceKey     *device;
  char                *device_id;
  GPtrArray           *retired;   /* IntakeDeviceKey */
  IntakeOutbox        *outbox;
  IntakeQuestionnaire *questionnaire;

  /* NULL when the office key is the default STATE_DIR/office.pub, which
   * enrollment may write and intake_kiosk_reload_enrollment() re-reads. */
  char                *office_public_path;
  /* The operator gave a questionnaire file: downloads never replace it. */
  gboolean             questionnaire_explicit;

  /* server.json; server_url == NULL means not enrolled. */
  char                *server_url;
  char                *location;
  char                *server_key_id;
  guint8               server_public[INTAKE_SIGN_PUBLIC_BYTES];
  gint64               enrolled_at;

  /* Why the last submission could not be stored; NULL once one was. */
  GError              *storage_problem;
};

G_DEFINE_FINAL_TYPE (IntakeKiosk, intake_kiosk, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_QUESTIONNAIRE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
intake_kiosk_finalize (GObject *object)
{
  IntakeKiosk *self = (IntakeKiosk *)object;

  g_clear_pointer (&self->state_dir, g_free);
  g_clear_pointer (&self->pin_path, g_free);
  g_clear_pointer (&self->office, intake_office_public_free);
  g_clear_pointer (&self->device, intake_device_key_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_clear_object (&self->outbox);
  g_clear_object (&self->questionnaire);
  g_clear_pointer (&self->office_public_path, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_error (&self->storage_problem);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->server_key_id, g_free);

  G_OBJECT_CLASS (intake_kiosk_parent_class)->finalize (object);
}

static void
intake_kiosk_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  IntakeKiosk *self = INTAKE_KIOSK (object);

  switch (prop_id)
    {
    case PROP_QUESTIONNAIRE:
      g_value_set_object (value, self->questionnaire);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_kiosk_class_init (IntakeKioskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = intake_kiosk_finalize;
  object_class->get_property = intake_kiosk_get_property;

  properties[PROP_QUESTIONNAIRE] =
    g_param_spec_object ("questionnaire", NULL, NULL,
                         INTAKE_TYPE_QUESTIONNAIRE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
set_questionnaire (IntakeKiosk         *self,
                   IntakeQuestionnaire *questionnaire)
{
  if (!g_set_object (&self->questionnaire, questionnaire))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUESTIONNAIRE]);
}

static void
intake_kiosk_init (IntakeKiosk *self)
{
}

static gboolean
ensure_state_dir (const char  *state_dir,
                  GError     **error)
{
  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_STATE_DIR,
                   "cannot create the kiosk state directory %s: %s", state_dir, g_strerror (saved));
      return FALSE;
    }
  /* Tighten a directory that an operator created with a looser mode. */
  if (g_chmod (state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_STATE_DIR,
                   "cannot protect the kiosk state directory %s: %s", state_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

IntakeDeviceKey *
intake_kiosk_load_device_key (const char  *state_dir,
                              GError     **error)
{
  g_autofree char *secret_path = g_build_filename (state_dir, "device.secret", NULL);
  g_autofree char *public_path = g_build_filename (state_dir, "device.pub", NULL);
  g_autoptr(IntakeDeviceKey) device = NULL;
  IntakeDevicePublic device_public;

  g_return_val_if_fail (state_dir != NULL, NULL);

  if (!intake_crypto_init (error) || !ensure_state_dir (state_dir, error))
    return NULL;
  if (g_file_test (secret_path, G_FILE_TEST_EXISTS))
    return intake_device_key_load (secret_path, error);

  /* First start: this kiosk gets its own identity. */
  if (!(device = intake_device_key_generate (error)) ||
      !intake_device_key_save (device, secret_path, error))
    return NULL;

  intake_device_key_get_public (device, &device_public);
  if (!g_file_test (public_path, G_FILE_TEST_EXISTS) &&
      !intake_device_public_save (&device_public, public_path, error))
    return NULL;

  return g_steal_pointer (&device);
}

#define RETIRED_DIR "retired"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* STATE_DIR/retired/DEVICE_ID.secret: the keys this kiosk had before. */
static GPtrArray *
load_retired_keys (const char  *state_dir,
                   const char  *own_id,
                   GError     **error)
{
  g_autofree char *dir_path = g_build_filename (state_dir, RETIRED_DIR, NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_device_key_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  if (!(dir = g_dir_open (dir_path, 0, &local_error)))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&keys);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".secret"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      g_autofree char *id = NULL;
      IntakeDeviceKey *key;

      if (!(key = intake_device_key_load (path, error)))
        {
          g_prefix_error (error, "the retired device key %s cannot be read: ", path);
          return NULL;
        }
      id = intake_device_key_dup_id_hex (key);
      if (g_str_equal (id, own_id))
        {
          intake_device_key_free (key);
          continue;
        }
      g_ptr_array_add (keys, key);
    }
  return g_steal_pointer (&keys);
}

gboolean
intake_kiosk_new_device_key (const char  *state_dir,
                             char       **out_old_id,
                             char       **out_new_id,
                             GError     **error)
{
  g_autofree char *secret_path = g_build_filename (state_dir, "device.secret", NULL);
  g_autofree char *public_path = g_build_filename (state_dir, "device.pub", NULL);
  g_autofree char *server_json = g_build_filename (state_dir, "server.json", NULL);
  g_autofree char *dir_path = g_build_filename (state_dir, RETIRED_DIR, NULL);
  g_autofree char *old_id = NULL;
  g_autofree char *retired_path = NULL;
  g_autoptr(IntakeDeviceKey) old_key = NULL;
  g_autoptr(IntakeDeviceKey) new_key = NULL;

  g_return_val_if_fail (state_dir != NULL, FALSE);

  if (!g_file_test (secret_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s has no device key yet: it gets one when it is first started or enrolled", state_dir);
      return FALSE;
    }
  if (!(old_key = intake_kiosk_load_device_key (state_dir, error)))
    return FALSE;
  old_id = intake_device_key_dup_id_hex (old_key);

  /* The old key is kept (and on disk) before anything is replaced. */
  if (g_mkdir_with_parents (dir_path, 0700) != 0 || g_chmod (dir_path, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s",
                   dir_path, g_strerror (saved));
      return FALSE;
    }
  retired_path = g_strdup_printf ("%s/%s.secret", dir_path, old_id);
  if (!g_file_test (retired_path, G_FILE_TEST_EXISTS) &&
      !intake_device_key_save (old_key, retired_path, error))
    return FALSE;

  /* server.json names the old device: the kiosk is enrolled again. */
  if (g_unlink (server_json) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot remove %s: %s",
                   server_json, g_strerror (saved));
      return FALSE;
    }
  if ((g_unlink (secret_path) != 0 && errno != ENOENT) || (g_unlink (public_path) != 0 && errno != ENOENT))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot replace the device key in %s: %s",
                   state_dir, g_strerror (saved));
      return FALSE;
    }
  if (!(new_key = intake_kiosk_load_device_key (state_dir, error)))
    return FALSE;
  if (out_old_id != NULL)
    *out_old_id = g_steal_pointer (&old_id);
  if (out_new_id != NULL)
    *out_new_id = intake_device_key_dup_id_hex (new_key);
  return TRUE;
}

GPtrArray *
intake_kiosk_get_retired_device_keys (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->retired;
}

static IntakeQuestionnaire *choose_questionnaire (const char                *state_dir,
                                                  const IntakeOfficePublic  *office,
                                                  GError                   **error);
static void                 load_server_json     (IntakeKiosk               *self);

IntakeKiosk *
intake_kiosk_new (const char  *state_dir,
                  const char  *office_public_path,
                  const char  *questionnaire_path,
                  GError     **error)
{
  g_autoptr(IntakeKiosk) self = NULL;
  g_autofree char *default_office = NULL;
  g_autofree char *outbox_path = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);

  if (!intake_crypto_init (error) || !ensure_state_dir (state_dir, error))
    return NULL;

  self = g_object_new (INTAKE_TYPE_KIOSK, NULL);
  self->state_dir = g_strdup (state_dir);
  self->pin_path = g_build_filename (state_dir, "staff-pin", NULL);

  self->office_public_path = g_strdup (office_public_path);
  if (office_public_path == NULL)
    office_public_path = default_office = g_build_filename (state_dir, "office.pub", NULL);
  if (!(self->office = intake_office_public_load (office_public_path, &local_error)))
    {
      if (g_error_matches (local_error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO))
        g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NO_OFFICE_KEY,
                     "no office public key at %s: give --office-public FILE (the office.pub "
                     "made by \"intake-admin office init\")", office_public_path);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                    "the office public key %s is not usable: ", office_public_path);
      return NULL;
    }

  if (!(self->device = intake_kiosk_load_device_key (state_dir, error)))
    return NULL;
  self->device_id = intake_device_key_dup_id_hex (self->device);
  if (!(self->retired = load_retired_keys (state_dir, self->device_id, error)))
    return NULL;

  outbox_path = g_build_filename (state_dir, "outbox.db", NULL);
  if (!(self->outbox = intake_outbox_open (outbox_path, error)))
    return NULL;

  self->questionnaire_explicit = questionnaire_path != NULL;
  if (questionnaire_path != NULL)
    self->questionnaire = intake_questionnaire_new_from_file (questionnaire_path, error);
  else
    self->questionnaire = choose_questionnaire (state_dir, self->office, error);
  if (self->questionnaire == NULL)
    return NULL;

  load_server_json (self);

  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* Enrollment state                                                     */

static gboolean
parse_server_json (const char  *path,
                   const char  *own_device_id,
                   char       **out_url,
                   char       **out_location,
                   char       **out_key_id,
                   guint8      *out_server_public,
                   gint64      *out_enrolled_at,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  g_autofree guint8 *server_public = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *contents = NULL;
  const char *url, *location, *server_public_b64, *server_key_id, *device_id;
  gsize server_public_len = 0, len = 0;
  JsonObject *root;
  JsonNode *node;

  /* It holds the server's key: strict JSON, like every key file. */
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (!intake_json_parse_untrusted (parser, contents, len, INTAKE_JSON_MAX_DEPTH, &json_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, json_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a JSON object", path);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  url = json_object_get_string_member_with_default (root, "url", NULL);
  location = json_object_get_string_member_with_default (root, "location", "");
  server_public_b64 = json_object_get_string_member_with_default (root, "server_public", NULL);
  server_key_id = json_object_get_string_member_with_default (root, "server_key_id", NULL);
  device_id = json_object_get_string_member_with_default (root, "device_id", NULL);
  node = json_object_get_member (root, "enrolled_at");

  if (url == NULL || *url == '\0' || server_public_b64 == NULL || server_key_id == NULL ||
      device_id == NULL || node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s lacks url, server_public, server_key_id, device_id or enrolled_at", path);
      return FALSE;
    }
  server_public = g_base64_decode (server_public_b64, &server_public_len);
  if (server_public_len != INTAKE_SIGN_PUBLIC_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: server_public is not a 32-byte key", path);
      return FALSE;
    }
  key_id = intake_server_key_id_hex (server_public);
  if (!g_str_equal (key_id, server_key_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: server_key_id does not belong to server_public", path);
      return FALSE;
    }
  if (!g_str_equal (device_id, own_device_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s was written for device %s, not this kiosk (%s): enroll again",
                   path, device_id, own_device_id);
      return FALSE;
    }

  *out_url = g_strdup (url);
  *out_location = g_strdup (location);
  *out_key_id = g_steal_pointer (&key_id);
  memcpy (out_server_public, server_public, INTAKE_SIGN_PUBLIC_BYTES);
  *out_enrolled_at = json_node_get_int (node);
  return TRUE;
}

/* A kiosk must keep taking submissions whatever state server.json is in, so
 * problems here are logged, not fatal. */
static void
load_server_json (IntakeKiosk *self)
{
  g_autofree char *path = g_build_filename (self->state_dir, SERVER_JSON, NULL);
  g_autoptr(GError) error = NULL;
  char *url = NULL, *location = NULL, *key_id = NULL;
  guint8 server_public[INTAKE_SIGN_PUBLIC_BYTES];
  gint64 enrolled_at = 0;

  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->server_key_id, g_free);
  memset (self->server_public, 0, sizeof self->server_public);
  self->enrolled_at = 0;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!parse_server_json (path, self->device_id, &url, &location, &key_id,
                          server_public, &enrolled_at, &error))
    {
      g_warning ("This kiosk is treated as not enrolled: %s", error->message);
      return;
    }
  self->server_url = url;
  self->location = location;
  self->server_key_id = key_id;
  memcpy (self->server_public, server_public, sizeof server_public);
  self->enrolled_at = enrolled_at;
}

gboolean
intake_kiosk_is_enrolled (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);
  return self->server_url != NULL;
}

const char *
intake_kiosk_get_server_url (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->server_url;
}

const char *
intake_kiosk_get_location (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->location;
}

const guint8 *
intake_kiosk_get_server_public (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->server_url != NULL ? self->server_public : NULL;
}

const char *
intake_kiosk_get_server_key_id (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->server_key_id;
}

gint64
intake_kiosk_get_enrolled_at (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), 0);
  return self->enrolled_at;
}

const IntakeDeviceKey *
intake_kiosk_get_device_key (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->device;
}

gboolean
intake_kiosk_reload_enrollment (IntakeKiosk  *self,
                                GError      **error)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);

  if (self->office_public_path == NULL)
    {
      g_autofree char *path = g_build_filename (self->state_dir, "office.pub", NULL);
      IntakeOfficePublic *office = intake_office_public_load (path, error);

      if (office == NULL)
        return FALSE;
      g_clear_pointer (&self->office, intake_office_public_free);
      self->office = office;
    }

  if (!self->questionnaire_explicit)
    {
      if (!(questionnaire = choose_questionnaire (self->state_dir, self->office, error)))
        return FALSE;
      /* Keep the object (and so the notification) when nothing changed. */
      if (!g_str_equal (intake_questionnaire_get_hash (questionnaire),
                        intake_questionnaire_get_hash (self->questionnaire)))
        set_questionnaire (self, questionnaire);
    }

  load_server_json (self);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Signed questionnaires                                                */

/* Office key rotation (docs/sync.md, "Office key rotation") ----------- */

#define OFFICE_ROTATIONS_FILE "office-rotations"

/* The rotation statements this kiosk has followed (STATE_DIR/office-rotations:
 * one base64 IKOR per line), verified; unreadable lines are skipped. */
static GPtrArray *
load_rotations (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, OFFICE_ROTATIONS_FILE, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return rotations;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree guint8 *raw = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(GError) local_error = NULL;
      IntakeOfficeRotation *rotation;
      gsize len = 0;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      raw = g_base64_decode (lines[i], &len);
      blob = g_bytes_new_take (g_steal_pointer (&raw), len);
      if ((rotation = intake_office_rotation_new_from_bytes (blob, path, &local_error)))
        g_ptr_array_add (rotations, rotation);
      else
        g_warning ("Skipping an office key rotation in %s: %s", path, local_error->message);
    }
  return rotations;
}

/* @office and the keys before it, newest first: each statement is signed
 * by both keys, so following them backwards from the key the kiosk trusts
 * is as sound as forwards. Questionnaires signed before a rotation stay
 * valid. */
static GPtrArray *
office_history (const char               *state_dir,
                const IntakeOfficePublic *office)
{
  g_autoptr(GPtrArray) rotations = load_rotations (state_dir);
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_public_free);

  g_ptr_array_add (keys, intake_office_public_copy (office));
  for (guint step = 0; step < rotations->len; step++)
    {
      const IntakeOfficePublic *newest = g_ptr_array_index (keys, keys->len - 1);
      gboolean found = FALSE;

      for (guint i = 0; i < rotations->len && !found; i++)
        {
          const IntakeOfficeRotation *r = g_ptr_array_index (rotations, i);

          if (memcmp (r->new_key.key_id, newest->key_id, INTAKE_OFFICE_KEY_ID_BYTES) == 0 &&
              memcmp (r->new_key.sign_pk, newest->sign_pk, INTAKE_SIGN_PUBLIC_BYTES) == 0)
            {
              g_ptr_array_add (keys, intake_office_public_copy (&r->old_key));
              found = TRUE;
            }
        }
      if (!found)
        break;
    }
  return keys;
}

/* Verifies with the current office key, then with the keys before it. */
static IntakeQuestionnaire *
verify_questionnaire (IntakeSignedQuestionnaire  *signed_q,
                      const char                 *state_dir,
                      const IntakeOfficePublic   *office,
                      const char                 *what,
                      GError                    **error)
{
  g_autoptr(GPtrArray) keys = office_history (state_dir, office);

  return intake_signed_questionnaire_verify_any (signed_q, keys, what, error);
}

gboolean
intake_kiosk_store_office_rotations (const char  *state_dir,
                                     GPtrArray   *blobs,
                                     GError     **error)
{
  g_autofree char *path = g_build_filename (state_dir, OFFICE_ROTATIONS_FILE, NULL);
  g_autofree char *existing = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  gboolean added = FALSE;

  if (g_file_get_contents (path, &existing, NULL, NULL))
    g_string_append (text, existing);
  lines = g_strsplit (text->str, "\n", -1);
  for (guint i = 0; blobs != NULL && i < blobs->len; i++)
    {
      GBytes *blob = g_ptr_array_index (blobs, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

      if (g_strv_contains ((const char * const *)lines, b64))
        continue;
      g_string_append_printf (text, "%s\n", b64);
      added = TRUE;
    }
  if (!added)
    return TRUE;
  return g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
intake_kiosk_follow_office_rotations (IntakeKiosk  *self,
                                      GPtrArray    *blobs,
                                      gboolean     *out_changed,
                                      GError      **error)
{
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_office_rotation_free);
  g_autoptr(GPtrArray) chain = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  const IntakeOfficePublic *newest;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);

  if (out_changed != NULL)
    *out_changed = FALSE;
  for (guint i = 0; blobs != NULL && i < blobs->len; i++)
    {
      g_autofree char *what = g_strdup_printf ("office key rotation %u from the office", i + 1);
      IntakeOfficeRotation *rotation = intake_office_rotation_new_from_bytes (g_ptr_array_index (blobs, i), what,
                                                                              error);

      if (rotation == NULL)
        return FALSE;
      g_ptr_array_add (rotations, rotation);
    }
  if (!(chain = intake_office_chain_follow (self->office, rotations, error)))
    return FALSE;
  if (chain->len == 1)
    return TRUE;

  /* The statements first, so that a crash before office.pub changes loses
   * nothing and a crash after leaves questionnaires signed by the old key
   * valid. */
  if (!intake_kiosk_store_office_rotations (self->state_dir, blobs, error))
    return FALSE;

  newest = g_ptr_array_index (chain, chain->len - 1);
  old_id = intake_office_public_dup_key_id_hex (self->office);
  new_id = intake_office_public_dup_key_id_hex (newest);
  /* An office.pub the operator named is theirs to change; the kiosk's own
   * copy follows the office. */
  if (self->office_public_path == NULL)
    {
      g_autofree char *path = g_build_filename (self->state_dir, "office.pub", NULL);
      g_autofree char *tmp_path = g_build_filename (self->state_dir, "office.pub.new", NULL);
      g_autofree char *kept = g_strdup_printf ("%s.%s.replaced", path, old_id);

      g_unlink (tmp_path);
      if (!intake_office_public_save (newest, tmp_path, error))
        return FALSE;
      if (link (path, kept) != 0 && errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot keep the office key %s as %s: %s",
                       path, kept, g_strerror (saved));
          return FALSE;
        }
      if (g_rename (tmp_path, path) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot replace the office key %s: %s",
                       path, g_strerror (saved));
          return FALSE;
        }
    }
  g_clear_pointer (&self->office, intake_office_public_free);
  self->office = intake_office_public_copy (newest);
  g_message ("The office rotated its key: new sessions are sealed for office key %s (was %s); what was "
             "sealed before is still delivered", new_id, old_id);
  if (out_changed != NULL)
    *out_changed = TRUE;
  return TRUE;
}

gboolean
intake_kiosk_follow_server_rotations (IntakeKiosk  *self,
                                      GPtrArray    *blobs,
                                      gboolean     *out_changed,
                                      GError      **error)
{
  g_autoptr(GPtrArray) rotations = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_server_key_rotation_free);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *new_b64 = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *old_id = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  guint8 newest[INTAKE_SIGN_PUBLIC_BYTES];
  JsonObject *object;
  gsize len = 0;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);

  if (out_changed != NULL)
    *out_changed = FALSE;
  if (!intake_kiosk_is_enrolled (self) || blobs == NULL || blobs->len == 0)
    return TRUE;
  for (guint i = 0; i < blobs->len; i++)
    {
      g_autofree char *what = g_strdup_printf ("server key rollover %u from the office", i + 1);
      IntakeServerKeyRotation *r = intake_server_key_rotation_new_from_bytes (g_ptr_array_index (blobs, i), what,
                                                                              error);

      if (r == NULL)
        return FALSE;
      g_ptr_array_add (rotations, r);
    }
  if (!intake_server_key_chain_follow (self->server_public, rotations, newest, error))
    return FALSE;
  if (memcmp (newest, self->server_public, sizeof newest) == 0)
    return TRUE;

  /* server.json keeps everything else; only the key changes. */
  path = g_build_filename (self->state_dir, SERVER_JSON, NULL);
  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s is not a JSON object", path);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  new_b64 = g_base64_encode (newest, sizeof newest);
  new_id = intake_server_key_id_hex (newest);
  old_id = g_strdup (self->server_key_id);
  json_object_set_string_member (object, "server_public", new_b64);
  json_object_set_string_member (object, "server_key_id", new_id);
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &len);
  if (!g_file_set_contents_full (path, text, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    return FALSE;
  load_server_json (self);
  g_message ("The office rolled its server key over: receipts are now checked with server key %s (was %s)",
             new_id, old_id);
  if (out_changed != NULL)
    *out_changed = TRUE;
  return TRUE;
}

static IntakeQuestionnaire *
load_signed_questionnaire (const char                *path,
                           const char                *state_dir,
                           const IntakeOfficePublic  *office,
                           GError                   **error)
{
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;

  if (!(signed_q = intake_signed_questionnaire_new_from_file (path, error)))
    return NULL;
  return verify_questionnaire (signed_q, state_dir, office, path, error);
}

gboolean
intake_kiosk_questionnaire_is_newer (IntakeQuestionnaire *candidate,
                                     IntakeQuestionnaire *current)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (candidate), FALSE);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (current), FALSE);

  if (!g_str_equal (intake_questionnaire_get_id (candidate), intake_questionnaire_get_id (current)))
    return TRUE;
  return intake_questionnaire_get_version (candidate) > intake_questionnaire_get_version (current);
}

/* The built-in questionnaire, unless the state directory holds a verified
 * downloaded one that is newer. */
static IntakeQuestionnaire *
choose_questionnaire (const char                *state_dir,
                      const IntakeOfficePublic  *office,
                      GError                   **error)
{
  g_autoptr(IntakeQuestionnaire) builtin = NULL;
  g_autoptr(IntakeQuestionnaire) downloaded = NULL;
  g_autofree char *path = g_build_filename (state_dir, INTAKE_KIOSK_SIGNED_QUESTIONNAIRE, NULL);
  g_autoptr(GError) local_error = NULL;

  if (!(builtin = intake_questionnaire_new_builtin (error)))
    return NULL;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&builtin);

  if (!(downloaded = load_signed_questionnaire (path, state_dir, office, &local_error)))
    {
      g_warning ("Ignoring the downloaded questionnaire %s, using the built-in one: %s",
                 path, local_error->message);
      return g_steal_pointer (&builtin);
    }
  if (!intake_kiosk_questionnaire_is_newer (downloaded, builtin))
    return g_steal_pointer (&builtin);
  return g_steal_pointer (&downloaded);
}

gboolean
intake_kiosk_offer_questionnaire (IntakeKiosk                *self,
                                  IntakeSignedQuestionnaire  *signed_questionnaire,
                                  gboolean                   *out_installed,
                                  GError                    **error)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);
  g_return_val_if_fail (signed_questionnaire != NULL, FALSE);

  if (out_installed != NULL)
    *out_installed = FALSE;

  if (!(questionnaire = verify_questionnaire (signed_questionnaire, self->state_dir, self->office,
                                              "signed questionnaire", error)))
    return FALSE;
  if (self->questionnaire_explicit ||
      !intake_kiosk_questionnaire_is_newer (questionnaire, self->questionnaire))
    return TRUE;

  path = g_build_filename (self->state_dir, INTAKE_KIOSK_SIGNED_QUESTIONNAIRE, NULL);
  if (!intake_signed_questionnaire_save (signed_questionnaire, path, 0600, error))
    return FALSE;
  set_questionnaire (self, questionnaire);
  if (out_installed != NULL)
    *out_installed = TRUE;
  return TRUE;
}

const char *
intake_kiosk_get_state_dir (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->state_dir;
}

IntakeQuestionnaire *
intake_kiosk_get_questionnaire (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->questionnaire;
}

IntakeOutbox *
intake_kiosk_get_outbox (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->outbox;
}

const IntakeOfficePublic *
intake_kiosk_get_office (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->office;
}

const char *
intake_kiosk_get_device_id (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  return self->device_id;
}

IntakeSession *
intake_kiosk_new_session (IntakeKiosk  *self,
                          const char   *language,
                          GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  g_return_val_if_fail (language != NULL, NULL);

  if (intake_questionnaire_lookup_language (self->questionnaire, language) == NULL)
    {
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_UNKNOWN_LANGUAGE,
                   "the questionnaire %s is not available in \"%s\"",
                   intake_questionnaire_get_id (self->questionnaire), language);
      return NULL;
    }
  return intake_session_new (self->questionnaire, language);
}

char *
intake_kiosk_submit (IntakeKiosk    *self,
                     IntakeSession  *session,
                     GError        **error)
{
  g_autoptr(IntakeSecureBuffer) plaintext = NULL;
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reference = NULL;
  IntakeQuestionnaire *questionnaire;
  IntakeEnvelopeInfo info = { 0 };

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), NULL);
  g_return_val_if_fail (INTAKE_IS_SESSION (session), NULL);

  questionnaire = intake_session_get_questionnaire (session);
  if (!(plaintext = intake_session_serialize (session, error)))
    return NULL;

  intake_envelope_new_submission_id (info.submission_id);
  info.created_at = g_get_real_time () / G_USEC_PER_SEC;
  info.questionnaire_id = intake_questionnaire_get_id (questionnaire);
  info.questionnaire_version = intake_questionnaire_get_version (questionnaire);
  memcpy (info.questionnaire_hash, intake_questionnaire_get_hash_bytes (questionnaire),
          sizeof info.questionnaire_hash);

  envelope = intake_envelope_seal (self->office, self->device, &info,
                                   plaintext->data, plaintext->len, error);
  g_clear_pointer (&plaintext, intake_secure_buffer_free);
  if (envelope == NULL)
    return NULL;

  reference = intake_reference_from_submission_id (info.submission_id);
  if (!intake_outbox_add (self->outbox, envelope, reference, &local_error))
    {
      gboolean disk = local_error->domain == INTAKE_OUTBOX_ERROR && local_error->code != INTAKE_OUTBOX_ERROR_DATABASE;

      /* The log names the failure, never the answers; and says plainly
       * when the kiosk's own disk is the problem (not the network). */
      g_warning ("A submission could not be stored%s: %s (state directory %s)",
                 disk ? " because of this kiosk's own disk" : "", local_error->message, self->state_dir);
      g_clear_error (&self->storage_problem);
      self->storage_problem = g_error_copy (local_error);
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NOT_STORED,
                   "the answers could not be stored on this kiosk: %s", local_error->message);
      return NULL;
    }
  g_clear_error (&self->storage_problem);

  intake_session_wipe (session);
  return g_steal_pointer (&reference);
}

gboolean
intake_kiosk_check_storage (IntakeKiosk  *self,
                            GError      **error)
{
  struct statvfs vfs;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);

  if (self->storage_problem != NULL)
    {
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NOT_STORED,
                   "the last submission could not be stored: %s", self->storage_problem->message);
      return FALSE;
    }
  if (statvfs (self->state_dir, &vfs) == 0 && (guint64)vfs.f_bavail * vfs.f_frsize < MIN_FREE_DISK)
    {
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NOT_STORED,
                   "only %" G_GUINT64_FORMAT " KiB free on this kiosk's disk (%s)",
                   (guint64)vfs.f_bavail * vfs.f_frsize / 1024, self->state_dir);
      return FALSE;
    }
  return TRUE;
}

gint64
intake_kiosk_request_help (IntakeKiosk  *self,
                           const char   *language,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), 0);

  return intake_outbox_add_help_request (self->outbox, g_get_real_time () / G_USEC_PER_SEC,
                                         language != NULL ? language : "", error);
}

gboolean
intake_kiosk_set_pin (const char  *state_dir,
                      const char  *pin,
                      GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (state_dir != NULL, FALSE);

  if (!ensure_state_dir (state_dir, error))
    return FALSE;
  path = g_build_filename (state_dir, "staff-pin", NULL);
  return intake_pin_save (path, pin, error);
}

gboolean
intake_kiosk_has_pin (IntakeKiosk *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);
  return g_file_test (self->pin_path, G_FILE_TEST_IS_REGULAR);
}

gboolean
intake_kiosk_check_pin (IntakeKiosk *self,
                        const char  *pin)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);
  return intake_pin_check_file (self->pin_path, pin);
}

guint
intake_kiosk_demo_submissions (IntakeKiosk  *self,
                               guint         n,
                               guint32       seed,
                               GError      **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint stored = 0;

  g_return_val_if_fail (INTAKE_IS_KIOSK (self), 0);

  for (guint i = 0; i < n; i++)
    {
      const IntakeLanguage *language;
      g_autoptr(IntakeSession) session = NULL;
      g_autofree char *reference = NULL;

      language = intake_questionnaire_get_language (self->questionnaire,
                                                    g_rand_int_range (rand, 0, intake_questionnaire_get_n_languages (self->questionnaire)));
      session = intake_session_new (self->questionnaire, language->code);
      if (!intake_random_answers_fill (session, rand, error) ||
          !(reference = intake_kiosk_submit (self, session, error)))
        break;
      stored++;
    }

  return stored;
}

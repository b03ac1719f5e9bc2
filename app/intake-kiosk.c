/* intake-kiosk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-app-resources.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-kiosk.h"
#include "intake-pin.h"
#include "intake-random-answers.h"
#include "intake-reference.h"

#define BUILTIN_QUESTIONNAIRE "/org/intakekiosk/app/questionnaires/intake.json"

G_DEFINE_QUARK (intake-kiosk-error-quark, intake_kiosk_error)

struct _IntakeKiosk
{
  GObject              parent_instance;

  char                *state_dir;
  char                *pin_path;
  IntakeOfficePublic  *office;
  IntakeDeviceKey     *device;
  char                *device_id;
  IntakeOutbox        *outbox;
  IntakeQuestionnaire *questionnaire;
};

G_DEFINE_FINAL_TYPE (IntakeKiosk, intake_kiosk, G_TYPE_OBJECT)

static void
intake_kiosk_finalize (GObject *object)
{
  IntakeKiosk *self = (IntakeKiosk *)object;

  g_clear_pointer (&self->state_dir, g_free);
  g_clear_pointer (&self->pin_path, g_free);
  g_clear_pointer (&self->office, intake_office_public_free);
  g_clear_pointer (&self->device, intake_device_key_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_object (&self->outbox);
  g_clear_object (&self->questionnaire);

  G_OBJECT_CLASS (intake_kiosk_parent_class)->finalize (object);
}

static void
intake_kiosk_class_init (IntakeKioskClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_kiosk_finalize;
}

static void
intake_kiosk_init (IntakeKiosk *self)
{
}

IntakeQuestionnaire *
intake_kiosk_load_builtin_questionnaire (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Through the resource object itself, not the global registry: a static
   * library may leave out the object whose constructor would register it. */
  bytes = g_resource_lookup_data (intake_app_get_resource (), BUILTIN_QUESTIONNAIRE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  return intake_questionnaire_new_from_bytes (bytes, "built-in questionnaire", error);
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

static IntakeDeviceKey *
load_or_create_device (const char  *state_dir,
                       GError     **error)
{
  g_autofree char *secret_path = g_build_filename (state_dir, "device.secret", NULL);
  g_autofree char *public_path = g_build_filename (state_dir, "device.pub", NULL);
  g_autoptr(IntakeDeviceKey) device = NULL;
  IntakeDevicePublic device_public;

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

  if (!(self->device = load_or_create_device (state_dir, error)))
    return NULL;
  self->device_id = intake_device_key_dup_id_hex (self->device);

  outbox_path = g_build_filename (state_dir, "outbox.db", NULL);
  if (!(self->outbox = intake_outbox_open (outbox_path, error)))
    return NULL;

  if (questionnaire_path != NULL)
    self->questionnaire = intake_questionnaire_new_from_file (questionnaire_path, error);
  else
    self->questionnaire = intake_kiosk_load_builtin_questionnaire (error);
  if (self->questionnaire == NULL)
    return NULL;

  return g_steal_pointer (&self);
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
      /* The log names the failure, never the answers. */
      g_warning ("A submission could not be stored: %s", local_error->message);
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_NOT_STORED,
                   "the answers could not be stored on this kiosk: %s", local_error->message);
      return NULL;
    }

  intake_session_wipe (session);
  return g_steal_pointer (&reference);
}

gboolean
intake_kiosk_request_help (IntakeKiosk  *self,
                           const char   *language,
                           GError      **error)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK (self), FALSE);

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

/* fuzz-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <stdlib.h>

#include "fuzz-common.h"
#include "intake-crypto-error.h"
#include "intake-keys-private.h"

static IntakeOfficeSecret *office;
static IntakeDeviceKey *device;
static IntakeWorkstationKey *workstation;
static char *tmpdir;

static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  /* Debug and info output would flood a fuzzing run. Warnings, criticals
   * and errors abort here: GLib's own fatal path raises SIGTRAP, which
   * libFuzzer does not catch, so the input would not be saved. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE))
    return G_LOG_WRITER_HANDLED;
  g_log_writer_standard_streams (level, fields, n_fields, user_data);
  abort ();
}

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmpdir == NULL || !(dir = g_dir_open (tmpdir, 0, NULL)))
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tmpdir);
}

/* 32 bytes named by @label: BLAKE2b-256 of it. */
static void
derive (const char *label,
        guint8     *out)
{
  crypto_generichash (out, 32, (const guint8 *) label, strlen (label), NULL, 0);
}

void
fuzz_init (void)
{
  static gboolean done;
  guint8 box_sk[32], seed[32], pk[32], sign_sk[64];
  g_autoptr(GError) error = NULL;

  if (done)
    return;
  done = TRUE;

  if (!intake_crypto_init (&error))
    g_error ("libsodium: %s", error->message);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);

  derive ("intake fuzz office box", box_sk);
  derive ("intake fuzz office sign", seed);
  crypto_sign_seed_keypair (pk, sign_sk, seed);
  if (!(office = intake_office_secret_new_from_raw (box_sk, sign_sk, 1767225600, &error)))
    g_error ("office key: %s", error->message);
  derive ("intake fuzz device sign", seed);
  crypto_sign_seed_keypair (pk, sign_sk, seed);
  if (!(device = intake_device_key_new_from_secret (sign_sk, &error)))
    g_error ("device key: %s", error->message);
  derive ("intake fuzz workstation", seed);
  if (!(workstation = intake_workstation_key_new_from_secret (seed, &error)))
    g_error ("workstation key: %s", error->message);
  sodium_memzero (box_sk, sizeof box_sk);
  sodium_memzero (sign_sk, sizeof sign_sk);

  if (!(tmpdir = g_dir_make_tmp ("intake-fuzz-XXXXXX", &error)))
    g_error ("temporary directory: %s", error->message);
  atexit (remove_tmpdir);
}

const IntakeOfficeSecret *
fuzz_office_secret (void)
{
  fuzz_init ();
  return office;
}

const IntakeOfficePublic *
fuzz_office_public (void)
{
  return intake_office_secret_get_public (fuzz_office_secret ());
}

const IntakeDeviceKey *
fuzz_device_key (void)
{
  fuzz_init ();
  return device;
}

const IntakeWorkstationKey *
fuzz_workstation_key (void)
{
  fuzz_init ();
  return workstation;
}

const char *
fuzz_tmpdir (void)
{
  fuzz_init ();
  return tmpdir;
}

char *
fuzz_write_file (const char    *name,
                 const uint8_t *data,
                 size_t         size)
{
  char *path = g_build_filename (fuzz_tmpdir (), name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) data, (gssize) size, &error))
    g_error ("%s", error->message);
  return path;
}

/* intake-secure.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-secure.h"

/* A passphrase file longer than this is not a passphrase file. */
#define PASSPHRASE_FILE_MAX 4096

static void
ensure_sodium (void)
{
  g_autoptr(GError) error = NULL;

  if (!intake_crypto_init (&error))
    g_error ("%s", error->message);
}

IntakeSecureBuffer *
intake_secure_buffer_new (gsize len)
{
  IntakeSecureBuffer *self;

  ensure_sodium ();

  self = g_new0 (IntakeSecureBuffer, 1);
  /* sodium_malloc (0) is allowed to return NULL; keep data always valid. */
  self->data = sodium_malloc (MAX (len, 1));
  if (self->data == NULL)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes of secure memory",
             G_STRLOC, len);
  sodium_memzero (self->data, MAX (len, 1));
  self->len = len;

  return self;
}

IntakeSecureBuffer *
intake_secure_buffer_new_copy (gconstpointer data,
                               gsize         len)
{
  IntakeSecureBuffer *self;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  self = intake_secure_buffer_new (len);
  if (len > 0)
    memcpy (self->data, data, len);

  return self;
}

IntakeSecureBuffer *
intake_secure_buffer_new_take_string (GString *string)
{
  IntakeSecureBuffer *self;

  g_return_val_if_fail (string != NULL, NULL);

  self = intake_secure_buffer_new_copy (string->str, string->len);
  intake_secure_string_free (string);

  return self;
}

void
intake_secure_buffer_free (IntakeSecureBuffer *self)
{
  if (self == NULL)
    return;

  /* sodium_free() wipes the memory before unmapping it. */
  sodium_free (self->data);
  self->data = NULL;
  self->len = 0;
  g_free (self);
}

void
intake_secure_wipe (gpointer data,
                    gsize    len)
{
  if (data != NULL && len > 0)
    sodium_memzero (data, len);
}

void
intake_secure_strfree (char *str)
{
  if (str == NULL)
    return;

  sodium_memzero (str, strlen (str));
  g_free (str);
}

void
intake_secure_string_wipe (GString *string)
{
  g_return_if_fail (string != NULL);

  sodium_memzero (string->str, string->allocated_len);
  g_string_truncate (string, 0);
}

void
intake_secure_string_free (GString *string)
{
  if (string == NULL)
    return;

  sodium_memzero (string->str, string->allocated_len);
  g_string_free (string, TRUE);
}

IntakeSecureBuffer *
intake_secure_read_passphrase_file (const char  *path,
                                    GError     **error)
{
  g_autoptr(IntakeSecureBuffer) contents = NULL;
  gsize filled = 0;
  gsize line_len;
  guint8 *newline;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                   "cannot read the passphrase file %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  /* Read straight into secure memory so no copy of the passphrase is left
   * behind in ordinary heap or stdio buffers. Two bytes more than the limit
   * leave room for the "\r" of a line at the limit and tell "exactly at
   * the limit" from "too long". */
  contents = intake_secure_buffer_new (PASSPHRASE_FILE_MAX + 2);
  while (filled < contents->len)
    {
      gssize n = read (fd, contents->data + filled, contents->len - filled);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_close (fd, NULL);
          g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                       "cannot read the passphrase file %s: %s", path, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      filled += n;
    }
  g_close (fd, NULL);

  newline = memchr (contents->data, '\n', filled);
  line_len = newline != NULL ? (gsize) (newline - contents->data) : filled;
  if (line_len > 0 && contents->data[line_len - 1] == '\r')
    line_len--;

  if (line_len > PASSPHRASE_FILE_MAX || (newline == NULL && filled == contents->len))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE,
                   "the first line of the passphrase file %s is longer than %d bytes; "
                   "put only the passphrase on the first line",
                   path, PASSPHRASE_FILE_MAX);
      return NULL;
    }

  if (line_len == 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the passphrase file %s is empty; write the passphrase on its first line",
                   path);
      return NULL;
    }

  return intake_secure_buffer_new_copy (contents->data, line_len);
}

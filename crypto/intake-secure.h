/* intake-secure.h: buffers for secret material
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A length-tracked buffer in sodium_malloc() memory (guard pages, mlock'ed,
 * wiped on free). Used for secret keys, passphrases and plaintext answers. */
typedef struct _IntakeSecureBuffer IntakeSecureBuffer;

struct _IntakeSecureBuffer {
  guint8 *data;
  gsize   len;
};

IntakeSecureBuffer *intake_secure_buffer_new       (gsize               len);
IntakeSecureBuffer *intake_secure_buffer_new_copy  (gconstpointer       data,
                                                    gsize               len);
/* Takes a GString's contents, wiping and freeing the GString. */
IntakeSecureBuffer *intake_secure_buffer_new_take_string (GString      *string);
void                intake_secure_buffer_free      (IntakeSecureBuffer *self);

/* Wipes @len bytes at @data so that the compiler cannot drop it (a plain
 * memset() before a free may be optimised away). The one way this project
 * wipes memory that held an answer, a passphrase or a key. */
void                intake_secure_wipe             (gpointer            data,
                                                    gsize               len);
/* Wipes and frees a NUL-terminated heap string (g_malloc'ed). */
void                intake_secure_strfree          (char               *str);
/* Wipes the whole allocation of @string and empties it. */
void                intake_secure_string_wipe      (GString            *string);
/* Wipes the whole allocation of @string and frees it. */
void                intake_secure_string_free      (GString            *string);

/* Reads a passphrase from the first line of @path (trailing "\n" or "\r\n"
 * removed), straight into secure memory. Errors: IO (unreadable, names the
 * path), MALFORMED (empty first line), TOO_LARGE (first line over 4096 bytes). */
IntakeSecureBuffer *intake_secure_read_passphrase_file (const char     *path,
                                                        GError        **error);

/* For g_autoptr(): a heap string, or a GString, wiped when it goes out of
 * scope (g_autoptr(IntakeSecureStr) text = g_strdup (...)). */
typedef char IntakeSecureStr;
typedef GString IntakeSecureString;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSecureBuffer, intake_secure_buffer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSecureStr, intake_secure_strfree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeSecureString, intake_secure_string_free)

G_END_DECLS

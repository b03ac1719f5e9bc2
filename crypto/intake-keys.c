/* intake-keys.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The byte formats are specified in docs/keys.md; keep the two in step.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "intake-crypto-error.h"
#include "intake-keys.h"
#include "intake-keys-private.h"

#define TAG_OFFICE_PUBLIC "IKOP"
#define TAG_OFFICE_SECRET "IKOS"
#define TAG_DEVICE_SECRET "IKDS"
#define TAG_DEVICE_PUBLIC "IKDP"
#define TAG_REVIEWER_KEY  "IKRK"
#define TAG_SETUP_KEY     "IKRS"
#define TAG_WORKSTATION   "IKWS"
#define TAG_OFFICE_ROTATION "IKOR"
#define TAG_OFFICE_KEY_SEAL "IKOG"

#define OFFICE_KEY_ID_LABEL  "intake-office-key-id-v1"
#define FINGERPRINT_LABEL    "intake-fingerprint-v1"
#define DEVICE_ID_LABEL      "intake-device-id-v1"
#define REVIEWER_ID_LABEL    "intake-reviewer-id-v1"
#define SIGNATURE_LABEL      "intake-sig-v1"

/* Offsets in the office public blob. */
#define OP_KEY_ID      5
#define OP_BOX_PK      13
#define OP_SIGN_PK     45
#define OP_CREATED_AT  77
#define OP_SIGNATURE   85

/* Offsets in the wrapped office secret blob. */
#define OS_KDF         5
#define OS_OPSLIMIT    6
#define OS_MEMLIMIT    14
#define OS_SALT        22
#define OS_KEY_ID      38
#define OS_NONCE       46
#define OS_CIPHERTEXT  70
#define OS_SALT_BYTES  16
#define OS_INNER_BYTES (INTAKE_OFFICE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES + \
                        INTAKE_OFFICE_PUBLIC_BLOB_BYTES)

/* Offsets in the device blobs. */
#define DS_SIGN_SK     5
#define DP_DEVICE_ID   5
#define DP_SIGN_PK     21

/* A key file is two short lines; anything much bigger is not one. */
#define KEY_FILE_MAX   4096

G_STATIC_ASSERT (OP_SIGNATURE + INTAKE_SIGNATURE_BYTES == INTAKE_OFFICE_PUBLIC_BLOB_BYTES);
G_STATIC_ASSERT (OS_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == OS_CIPHERTEXT);
G_STATIC_ASSERT (OS_CIPHERTEXT + OS_INNER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ==
                 INTAKE_OFFICE_SECRET_BLOB_BYTES);
G_STATIC_ASSERT (DS_SIGN_SK + INTAKE_SIGN_SECRET_BYTES == INTAKE_DEVICE_SECRET_BLOB_BYTES);
G_STATIC_ASSERT (DP_SIGN_PK + INTAKE_SIGN_PUBLIC_BYTES == INTAKE_DEVICE_PUBLIC_BLOB_BYTES);
G_STATIC_ASSERT (crypto_sign_SECRETKEYBYTES == INTAKE_SIGN_SECRET_BYTES);
G_STATIC_ASSERT (crypto_sign_PUBLICKEYBYTES == INTAKE_SIGN_PUBLIC_BYTES);
G_STATIC_ASSERT (crypto_scalarmult_BYTES == INTAKE_BOX_PUBLIC_BYTES);

struct _IntakeOfficeSecret {
  IntakeOfficePublic  public;
  IntakeSecureBuffer *keys;   /* box_sk (32) || sign_sk (64) */
};

struct _IntakeDeviceKey {
  IntakeDevicePublic  public;
  IntakeSecureBuffer *sign_sk;   /* 64 bytes: seed || pk */
};

typedef struct {
  const char *tag;
  const char *description;
} KnownTag;

static const KnownTag known_tags[] = {
  { TAG_OFFICE_PUBLIC, "an office public key" },
  { TAG_OFFICE_SECRET, "an office secret key" },
  { TAG_DEVICE_SECRET, "a device secret key" },
  { TAG_DEVICE_PUBLIC, "a device public key" },
  { TAG_REVIEWER_KEY, "a reviewer key" },
  { TAG_SETUP_KEY, "a reviewer activation key" },
  { TAG_WORKSTATION, "a workstation key" },
  { TAG_OFFICE_ROTATION, "an office key rotation statement" },
  { TAG_OFFICE_KEY_SEAL, "a sealed office key" },
  { "IKSR", "a server key rollover statement" },
  { "IKEN", "a sealed envelope" },
};

static const char *
describe_tag (const char *tag)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_tags); i++)
    if (memcmp (known_tags[i].tag, tag, 4) == 0)
      return known_tags[i].description;
  return NULL;
}

/* Checks tag, version and exact length of a decoded blob. @what names the
 * input in messages (a path, or "the office public key data"). */
static gboolean
check_blob_version (const guint8  *data,
                    gsize          len,
                    const char    *expected_tag,
                    guint          expected_version,
                    gsize          expected_len,
                    const char    *what,
                    GError       **error)
{
  const char *expected = describe_tag (expected_tag);

  if (len < 4)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "%s is truncated: %" G_GSIZE_FORMAT " bytes, but %s has %" G_GSIZE_FORMAT
                   "; use a complete copy of the key", what, len, expected, expected_len);
      return FALSE;
    }

  if (memcmp (data, expected_tag, 4) != 0)
    {
      const char *found = describe_tag ((const char *) data);

      if (found != NULL)
        g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND,
                     "%s holds %s, not %s; check which file you passed", what, found, expected);
      else
        g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC,
                     "%s is not an intake key (unknown tag); expected %s", what, expected);
      return FALSE;
    }

  if (len < INTAKE_BLOB_HEADER_BYTES)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "%s is truncated: %" G_GSIZE_FORMAT " bytes, but %s has %" G_GSIZE_FORMAT
                   "; use a complete copy of the key", what, len, expected, expected_len);
      return FALSE;
    }

  if (data[4] != expected_version)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   "%s is %s in format version %u, but this program reads only version %u; "
                   "use a newer version of intake", what, expected, data[4], expected_version);
      return FALSE;
    }

  if (len < expected_len)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "%s is truncated: %" G_GSIZE_FORMAT " bytes, but %s has %" G_GSIZE_FORMAT
                   "; use a complete copy of the key", what, len, expected, expected_len);
      return FALSE;
    }

  if (len > expected_len)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s has %" G_GSIZE_FORMAT " bytes, but %s has exactly %" G_GSIZE_FORMAT
                   "; the data was damaged or joined with something else", what, len,
                   expected, expected_len);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_blob (const guint8  *data,
            gsize          len,
            const char    *expected_tag,
            gsize          expected_len,
            const char    *what,
            GError       **error)
{
  return check_blob_version (data, len, expected_tag, INTAKE_KEY_FORMAT_VERSION, expected_len, what, error);
}

static void
put_blob_header (guint8     *out,
                 const char *tag)
{
  memcpy (out, tag, 4);
  out[4] = INTAKE_KEY_FORMAT_VERSION;
}

gboolean
intake_key_blob_check (const guint8  *data,
                       gsize          len,
                       const char    *tag,
                       gsize          expected_len,
                       const char    *what,
                       GError       **error)
{
  return check_blob (data, len, tag, expected_len, what, error);
}

/* Key files ---------------------------------------------------------------- */

static void
set_file_exists_error (const char  *path,
                       GError     **error)
{
  g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
               "%s already exists and will not be overwritten; move it away or choose "
               "another path", path);
}

static void
set_io_error (GError     **error,
              int          saved_errno,
              const char  *doing,
              const char  *path)
{
  g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
               "cannot %s %s: %s", doing, path, g_strerror (saved_errno));
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static void
sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  /* Best effort: the file itself is already synced; this makes its name durable. */
  if (fd >= 0)
    {
      fsync (fd);
      g_close (fd, NULL);
    }
}

/* Moves @tmp_path to @path unless @path exists. link() is atomic and never
 * replaces; filesystems without hard links (FAT on a USB stick) get
 * renameat2 (RENAME_NOREPLACE), which has the same guarantee. */
static gboolean
publish_no_replace (const char  *tmp_path,
                    const char  *path,
                    GError     **error)
{
  int saved_errno;

  if (link (tmp_path, path) == 0)
    {
      g_unlink (tmp_path);
      return TRUE;
    }
  saved_errno = errno;

  if (saved_errno == EPERM || saved_errno == EOPNOTSUPP || saved_errno == ENOSYS ||
      saved_errno == EMLINK)
    {
      if (renameat2 (AT_FDCWD, tmp_path, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return TRUE;
      saved_errno = errno;
    }

  g_unlink (tmp_path);
  if (saved_errno == EEXIST)
    set_file_exists_error (path, error);
  else
    set_io_error (error, saved_errno, "write", path);
  return FALSE;
}

/* Writes "# comment\n" + base64 (@blob) + "\n" to a new file at @path. */
static gboolean
write_key_file (const char    *path,
                const char    *comment,
                const guint8  *blob,
                gsize          blob_len,
                int            mode,
                GError       **error)
{
  g_autoptr(IntakeSecureBuffer) text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  gsize comment_len = strlen (comment);
  gsize b64_size = sodium_base64_ENCODED_LEN (blob_len, sodium_base64_VARIANT_ORIGINAL);
  gsize text_len;
  GStatBuf st;
  int fd;

  g_assert (strchr (comment, '\n') == NULL);

  if (g_lstat (path, &st) == 0)
    {
      set_file_exists_error (path, error);
      return FALSE;
    }

  /* The base64 of a secret key is as secret as the key: build it in secure memory. */
  text = intake_secure_buffer_new (2 + comment_len + 1 + b64_size + 1);
  memcpy (text->data, "# ", 2);
  memcpy (text->data + 2, comment, comment_len);
  text->data[2 + comment_len] = '\n';
  sodium_bin2base64 ((char *) text->data + 2 + comment_len + 1, b64_size, blob, blob_len,
                     sodium_base64_VARIANT_ORIGINAL);
  text_len = 2 + comment_len + 1 + strlen ((char *) text->data + 2 + comment_len + 1);
  text->data[text_len++] = '\n';

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);

  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, mode);
  if (fd < 0)
    {
      set_io_error (error, errno, "create a temporary file next to", path);
      return FALSE;
    }

  /* The umask may have taken bits away from a public file; set the exact mode. */
  if (fchmod (fd, mode) != 0 || !write_all (fd, text->data, text_len) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_close (fd, NULL);
      g_unlink (tmp_path);
      set_io_error (error, saved_errno, "write", path);
      return FALSE;
    }

  if (!g_close (fd, NULL))
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      set_io_error (error, saved_errno, "write", path);
      return FALSE;
    }

  if (!publish_no_replace (tmp_path, path, error))
    return FALSE;

  sync_directory (dir);
  return TRUE;
}

static void
wipe_and_free (char  *contents,
               gsize  len)
{
  if (contents == NULL)
    return;
  sodium_memzero (contents, len);
  g_free (contents);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

/* Parses the text of a key file (docs/keys.md, "Key files") and returns
 * the decoded blob in secure memory. */
static IntakeSecureBuffer *
decode_key_text (const char  *text,
                 gsize        len,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(IntakeSecureBuffer) decoded = NULL;
  const char *line;
  const char *newline;
  const char *b64_end;
  gsize line_len;
  gsize bin_len = 0;

  if (len == 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "the key file %s is empty; use a complete copy of the key", path);
      return NULL;
    }

  if (text[0] != '#')
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_MAGIC,
                   "%s is not an intake key file: its first line must be a comment "
                   "starting with \"#\"", path);
      return NULL;
    }

  newline = memchr (text, '\n', len);
  if (newline == NULL)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "the key file %s ends after its comment line; the key line is missing",
                   path);
      return NULL;
    }

  line = newline + 1;
  newline = memchr (line, '\n', len - (line - text));
  if (newline == NULL)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "the key line of %s does not end with a newline; the file was cut short, "
                   "use a complete copy of the key", path);
      return NULL;
    }

  if ((gsize) (newline + 1 - text) != len)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s has more than one line after its comment; a key file holds exactly "
                   "one key line", path);
      return NULL;
    }

  line_len = newline - line;
  if (line_len > 0 && line[line_len - 1] == '\r')
    line_len--;

  for (gsize i = 0; i < line_len; i++)
    {
      if (!is_base64_char (line[i]))
        {
          g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                       "the key line of %s is not base64 (unexpected character at column %"
                       G_GSIZE_FORMAT ")", path, i + 1);
          return NULL;
        }
    }

  if (line_len % 4 != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "the key line of %s is cut short (its base64 is incomplete); use a "
                   "complete copy of the key", path);
      return NULL;
    }

  decoded = intake_secure_buffer_new (line_len / 4 * 3);
  if (sodium_base642bin (decoded->data, decoded->len, line, line_len, NULL, &bin_len,
                         &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      b64_end != line + line_len)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the key line of %s is not valid base64", path);
      return NULL;
    }

  return intake_secure_buffer_new_copy (decoded->data, bin_len);
}

static IntakeSecureBuffer *
read_key_file (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  IntakeSecureBuffer *blob;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_IO,
                   "cannot read the key file %s: %s", path, local_error->message);
      return NULL;
    }

  if (len > KEY_FILE_MAX)
    {
      wipe_and_free (contents, len);
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s is %" G_GSIZE_FORMAT " bytes long, too long to be an intake key file",
                   path, len);
      return NULL;
    }

  blob = decode_key_text (contents, len, path, error);
  wipe_and_free (contents, len);
  return blob;
}

/* Signatures with context ------------------------------------------------- */

/* "intake-sig-v1" || 0x00 || context || 0x00 || message */
static GByteArray *
build_signed_message (const char *context,
                      GBytes     *message)
{
  GByteArray *buf = g_byte_array_new ();
  static const guint8 zero = 0;
  gsize message_len = 0;
  const guint8 *message_data = message != NULL ? g_bytes_get_data (message, &message_len) : NULL;

  g_byte_array_append (buf, (const guint8 *) SIGNATURE_LABEL, strlen (SIGNATURE_LABEL));
  g_byte_array_append (buf, &zero, 1);
  g_byte_array_append (buf, (const guint8 *) context, strlen (context));
  g_byte_array_append (buf, &zero, 1);
  if (message_len > 0)
    g_byte_array_append (buf, message_data, message_len);

  return buf;
}

static void
sign_with_context (const guint8 *sign_sk,
                   const char   *context,
                   GBytes       *message,
                   guint8       *signature)
{
  g_autoptr(GByteArray) buf = build_signed_message (context, message);

  crypto_sign_detached (signature, NULL, buf->data, buf->len, sign_sk);
}

static gboolean
verify_with_context (const guint8  *sign_pk,
                     const char    *context,
                     GBytes        *message,
                     const guint8  *signature,
                     const char    *signer,
                     GError       **error)
{
  g_autoptr(GByteArray) buf = build_signed_message (context, message);

  if (crypto_sign_verify_detached (signature, buf->data, buf->len, sign_pk) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
                   "the signature (context \"%s\") does not verify with %s; the data was "
                   "altered or signed by another key", context, signer);
      return FALSE;
    }
  return TRUE;
}

/* Office public key -------------------------------------------------------- */

static void
compute_office_key_id (const guint8 *box_pk,
                       const guint8 *sign_pk,
                       guint8       *out_key_id)
{
  crypto_generichash_state state;
  guint8 hash[32];

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) OFFICE_KEY_ID_LABEL,
                             strlen (OFFICE_KEY_ID_LABEL));
  crypto_generichash_update (&state, box_pk, INTAKE_BOX_PUBLIC_BYTES);
  crypto_generichash_update (&state, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  crypto_generichash_final (&state, hash, sizeof hash);

  memcpy (out_key_id, hash, INTAKE_OFFICE_KEY_ID_BYTES);
}

static void
encode_office_public (const IntakeOfficePublic *self,
                      guint8                   *out)
{
  put_blob_header (out, TAG_OFFICE_PUBLIC);
  memcpy (out + OP_KEY_ID, self->key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (out + OP_BOX_PK, self->box_pk, INTAKE_BOX_PUBLIC_BYTES);
  memcpy (out + OP_SIGN_PK, self->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_put_u64_le (out + OP_CREATED_AT, (guint64) self->created_at);
  memcpy (out + OP_SIGNATURE, self->self_signature, INTAKE_SIGNATURE_BYTES);
}

static gboolean
decode_office_public (const guint8        *data,
                      gsize                len,
                      const char          *what,
                      IntakeOfficePublic  *out,
                      GError             **error)
{
  IntakeOfficePublic pub;
  guint8 key_id[INTAKE_OFFICE_KEY_ID_BYTES];

  if (!check_blob (data, len, TAG_OFFICE_PUBLIC, INTAKE_OFFICE_PUBLIC_BLOB_BYTES, what, error))
    return FALSE;

  memcpy (pub.key_id, data + OP_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (pub.box_pk, data + OP_BOX_PK, INTAKE_BOX_PUBLIC_BYTES);
  memcpy (pub.sign_pk, data + OP_SIGN_PK, INTAKE_SIGN_PUBLIC_BYTES);
  pub.created_at = (gint64) intake_get_u64_le (data + OP_CREATED_AT);
  memcpy (pub.self_signature, data + OP_SIGNATURE, INTAKE_SIGNATURE_BYTES);

  if (crypto_sign_verify_detached (pub.self_signature, data, OP_SIGNATURE, pub.sign_pk) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_BAD_SIGNATURE,
                   "the self-signature of the office public key in %s does not verify; "
                   "the key was altered or damaged, get a fresh copy from the office", what);
      return FALSE;
    }

  compute_office_key_id (pub.box_pk, pub.sign_pk, key_id);
  if (sodium_memcmp (key_id, pub.key_id, sizeof key_id) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the office public key in %s carries a key id that does not match its "
                   "keys; it was not made by intake, get a fresh copy from the office", what);
      return FALSE;
    }

  *out = pub;
  return TRUE;
}

void
intake_office_public_free (IntakeOfficePublic *self)
{
  g_free (self);
}

IntakeOfficePublic *
intake_office_public_copy (const IntakeOfficePublic *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

GBytes *
intake_office_public_to_bytes (const IntakeOfficePublic *self)
{
  guint8 blob[INTAKE_OFFICE_PUBLIC_BLOB_BYTES];

  g_return_val_if_fail (self != NULL, NULL);

  encode_office_public (self, blob);
  return g_bytes_new (blob, sizeof blob);
}

IntakeOfficePublic *
intake_office_public_new_from_bytes (GBytes  *bytes,
                                     GError **error)
{
  g_autoptr(IntakeOfficePublic) self = g_new0 (IntakeOfficePublic, 1);
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (!decode_office_public (data, len, "the office public key data", self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
intake_office_public_save (const IntakeOfficePublic  *self,
                           const char                *path,
                           GError                   **error)
{
  guint8 blob[INTAKE_OFFICE_PUBLIC_BLOB_BYTES];
  g_autofree char *key_id = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *comment = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  key_id = intake_office_public_dup_key_id_hex (self);
  fingerprint = intake_office_public_dup_fingerprint (self);
  comment = g_strdup_printf ("intake office public key, id %s, fingerprint %s",
                             key_id, fingerprint);
  encode_office_public (self, blob);

  return write_key_file (path, comment, blob, sizeof blob, 0644, error);
}

IntakeOfficePublic *
intake_office_public_load (const char  *path,
                           GError     **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;
  g_autoptr(IntakeOfficePublic) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  blob = read_key_file (path, error);
  if (blob == NULL)
    return NULL;

  self = g_new0 (IntakeOfficePublic, 1);
  if (!decode_office_public (blob->data, blob->len, path, self, error))
    return NULL;

  return g_steal_pointer (&self);
}

char *
intake_office_public_dup_key_id_hex (const IntakeOfficePublic *self)
{
  char hex[INTAKE_OFFICE_KEY_ID_BYTES * 2 + 1];

  g_return_val_if_fail (self != NULL, NULL);

  sodium_bin2hex (hex, sizeof hex, self->key_id, sizeof self->key_id);
  return g_strdup (hex);
}

char *
intake_office_public_dup_fingerprint (const IntakeOfficePublic *self)
{
  crypto_generichash_state state;
  guint8 hash[32];
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  crypto_generichash_init (&state, NULL, 0, sizeof hash);
  crypto_generichash_update (&state, (const guint8 *) FINGERPRINT_LABEL,
                             strlen (FINGERPRINT_LABEL));
  crypto_generichash_update (&state, self->box_pk, sizeof self->box_pk);
  crypto_generichash_update (&state, self->sign_pk, sizeof self->sign_pk);
  crypto_generichash_final (&state, hash, sizeof hash);

  out = g_string_sized_new (40);
  for (guint i = 0; i < 16; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%02X", hash[i]);
    }

  return g_string_free (out, FALSE);
}

gboolean
intake_office_public_verify (const IntakeOfficePublic  *self,
                             const char                *context,
                             GBytes                    *message,
                             const guint8              *signature,
                             GError                   **error)
{
  g_autofree char *key_id = NULL;
  g_autofree char *signer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  key_id = intake_office_public_dup_key_id_hex (self);
  signer = g_strdup_printf ("office key %s", key_id);
  return verify_with_context (self->sign_pk, context, message, signature, signer, error);
}

/* Office secret key -------------------------------------------------------- */

static IntakeOfficeSecret *
office_secret_new (void)
{
  IntakeOfficeSecret *self = g_new0 (IntakeOfficeSecret, 1);

  self->keys = intake_secure_buffer_new (INTAKE_OFFICE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES);
  return self;
}

#define BOX_SK(self)  ((self)->keys->data)
#define SIGN_SK(self) ((self)->keys->data + INTAKE_OFFICE_BOX_SECRET_BYTES)

/* Fills in the public part from the secret keys and self-signs it. */
static void
office_secret_derive_public (IntakeOfficeSecret *self,
                             gint64              created_at)
{
  IntakeOfficePublic *pub = &self->public;
  guint8 blob[INTAKE_OFFICE_PUBLIC_BLOB_BYTES];

  crypto_scalarmult_base (pub->box_pk, BOX_SK (self));
  crypto_sign_ed25519_sk_to_pk (pub->sign_pk, SIGN_SK (self));
  compute_office_key_id (pub->box_pk, pub->sign_pk, pub->key_id);
  pub->created_at = created_at;
  memset (pub->self_signature, 0, sizeof pub->self_signature);

  encode_office_public (pub, blob);
  crypto_sign_detached (pub->self_signature, NULL, blob, OP_SIGNATURE, SIGN_SK (self));
}

/* Checks that the Ed25519 secret key's seed really yields its embedded public key. */
static gboolean
sign_secret_is_consistent (const guint8 *sign_sk)
{
  g_autoptr(IntakeSecureBuffer) derived_sk = intake_secure_buffer_new (INTAKE_SIGN_SECRET_BYTES);
  guint8 derived_pk[INTAKE_SIGN_PUBLIC_BYTES];

  crypto_sign_seed_keypair (derived_pk, derived_sk->data, sign_sk);
  return sodium_memcmp (derived_sk->data, sign_sk, INTAKE_SIGN_SECRET_BYTES) == 0;
}

gboolean
intake_office_generate (IntakeOfficePublic **out_public,
                        IntakeOfficeSecret **out_secret,
                        GError             **error)
{
  g_autoptr(IntakeOfficeSecret) self = NULL;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];

  g_return_val_if_fail (out_public != NULL || out_secret != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  self = office_secret_new ();
  randombytes_buf (BOX_SK (self), INTAKE_OFFICE_BOX_SECRET_BYTES);
  crypto_sign_keypair (sign_pk, SIGN_SK (self));
  office_secret_derive_public (self, g_get_real_time () / G_USEC_PER_SEC);

  if (out_public != NULL)
    *out_public = intake_office_public_copy (&self->public);
  if (out_secret != NULL)
    *out_secret = g_steal_pointer (&self);

  return TRUE;
}

IntakeOfficeSecret *
intake_office_secret_new_from_raw (const guint8  *box_sk,
                                   const guint8  *sign_sk,
                                   gint64         created_at,
                                   GError       **error)
{
  g_autoptr(IntakeOfficeSecret) self = NULL;

  g_return_val_if_fail (box_sk != NULL, NULL);
  g_return_val_if_fail (sign_sk != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  if (!sign_secret_is_consistent (sign_sk))
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the office signing secret key does not match its public half");
      return NULL;
    }

  self = office_secret_new ();
  memcpy (BOX_SK (self), box_sk, INTAKE_OFFICE_BOX_SECRET_BYTES);
  memcpy (SIGN_SK (self), sign_sk, INTAKE_SIGN_SECRET_BYTES);
  office_secret_derive_public (self, created_at);

  return g_steal_pointer (&self);
}

void
intake_office_secret_free (IntakeOfficeSecret *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->keys, intake_secure_buffer_free);
  g_free (self);
}

const IntakeOfficePublic *
intake_office_secret_get_public (const IntakeOfficeSecret *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->public;
}

const guint8 *
intake_office_secret_get_box_sk (const IntakeOfficeSecret *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return BOX_SK (self);
}

static IntakeSecureBuffer *
derive_wrapping_key (const IntakeSecureBuffer  *passphrase,
                     const guint8              *salt,
                     guint64                    opslimit,
                     guint64                    memlimit,
                     GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) key = intake_secure_buffer_new (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

  if (crypto_pwhash (key->data, key->len, (const char *) passphrase->data, passphrase->len,
                     salt, opslimit, (size_t) memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TOO_LARGE,
                   "deriving the key from the passphrase needs %" G_GUINT64_FORMAT
                   " MiB of memory, which this computer could not provide; close other "
                   "programs and try again", memlimit / (1024 * 1024));
      return NULL;
    }

  return g_steal_pointer (&key);
}

/* Where the passphrase-wrapped parts sit in a blob. office.secret (IKOS)
 * and reviewer keys (IKRK) are wrapped the same way: a KDF id and limits,
 * salt, nonce, then XChaCha20-Poly1305 over the inner secret with every
 * byte before the ciphertext as associated data (docs/keys.md). */
typedef struct {
  gsize kdf;
  gsize opslimit;
  gsize memlimit;
  gsize salt;
  gsize nonce;
  gsize ciphertext;
  gsize inner_bytes;
} WrapLayout;

static const WrapLayout office_secret_layout = {
  OS_KDF, OS_OPSLIMIT, OS_MEMLIMIT, OS_SALT, OS_NONCE, OS_CIPHERTEXT, OS_INNER_BYTES
};

/* The office secret's inner form (docs/keys.md, IKOS): box_sk, sign_sk and
 * the office public blob. */
static void
office_secret_write_inner (const IntakeOfficeSecret *office,
                           guint8                   *out)
{
  memcpy (out, BOX_SK (office), INTAKE_OFFICE_BOX_SECRET_BYTES);
  memcpy (out + INTAKE_OFFICE_BOX_SECRET_BYTES, SIGN_SK (office), INTAKE_SIGN_SECRET_BYTES);
  encode_office_public (&office->public, out + INTAKE_OFFICE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES);
}

/* Fills in the KDF fields, salt and nonce of @blob (whose header and ids the
 * caller has written: they are associated data) and encrypts @inner into it. */
static gboolean
wrap_inner (guint8                    *blob,
            gsize                      blob_len,
            const WrapLayout          *layout,
            const IntakeSecureBuffer  *inner,
            const IntakeSecureBuffer  *passphrase,
            guint64                    opslimit,
            guint64                    memlimit,
            GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) key = NULL;
  unsigned long long ciphertext_len = 0;

  g_assert (inner->len == layout->inner_bytes);

  blob[layout->kdf] = INTAKE_KDF_ARGON2ID13;
  intake_put_u64_le (blob + layout->opslimit, opslimit);
  intake_put_u64_le (blob + layout->memlimit, memlimit);
  randombytes_buf (blob + layout->salt, OS_SALT_BYTES);
  randombytes_buf (blob + layout->nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  key = derive_wrapping_key (passphrase, blob + layout->salt, opslimit, memlimit, error);
  if (key == NULL)
    return FALSE;

  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + layout->ciphertext, &ciphertext_len,
                                              inner->data, inner->len,
                                              blob, layout->ciphertext,
                                              NULL, blob + layout->nonce, key->data);
  g_assert (ciphertext_len == blob_len - layout->ciphertext);
  return TRUE;
}

GBytes *
intake_office_secret_wrap_with_limits (const IntakeOfficeSecret  *self,
                                       const IntakeSecureBuffer  *passphrase,
                                       guint64                    opslimit,
                                       guint64                    memlimit,
                                       GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  guint8 blob[INTAKE_OFFICE_SECRET_BLOB_BYTES];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);
  g_return_val_if_fail (opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
                        opslimit <= INTAKE_KDF_OPSLIMIT_MAX, NULL);
  g_return_val_if_fail (memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
                        memlimit <= INTAKE_KDF_MEMLIMIT_MAX, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  if (passphrase->len < INTAKE_PASSPHRASE_MIN_BYTES)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
                   "the passphrase is %" G_GSIZE_FORMAT " bytes long; an office key needs a "
                   "passphrase of at least %d bytes, use a few unrelated words",
                   passphrase->len, INTAKE_PASSPHRASE_MIN_BYTES);
      return NULL;
    }

  put_blob_header (blob, TAG_OFFICE_SECRET);
  memcpy (blob + OS_KEY_ID, self->public.key_id, INTAKE_OFFICE_KEY_ID_BYTES);

  inner = intake_secure_buffer_new (OS_INNER_BYTES);
  office_secret_write_inner (self, inner->data);
  if (!wrap_inner (blob, sizeof blob, &office_secret_layout, inner, passphrase, opslimit, memlimit, error))
    return NULL;

  return g_bytes_new (blob, sizeof blob);
}

GBytes *
intake_office_secret_wrap (const IntakeOfficeSecret  *self,
                           const IntakeSecureBuffer  *passphrase,
                           GError                   **error)
{
  return intake_office_secret_wrap_with_limits (self, passphrase,
                                                INTAKE_KDF_OPSLIMIT_DEFAULT,
                                                INTAKE_KDF_MEMLIMIT_DEFAULT,
                                                error);
}

/* Checks the KDF and its limits, derives the key from @passphrase and
 * decrypts the inner secret. @owner names the key in messages ("office key
 * 3f2a..."), @wrong_passphrase is the message for a failed decryption. */
static IntakeSecureBuffer *
unwrap_inner (const guint8              *blob,
              gsize                      len,
              const WrapLayout          *layout,
              const IntakeSecureBuffer  *passphrase,
              const char                *what,
              const char                *owner,
              const char                *wrong_passphrase,
              GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) key = NULL;
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  unsigned long long inner_len = 0;
  guint64 opslimit;
  guint64 memlimit;

  if (blob[layout->kdf] != INTAKE_KDF_ARGON2ID13)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   "%s (%s) uses key derivation function %u, which this program "
                   "does not know; use a newer version of intake", what, owner, blob[layout->kdf]);
      return NULL;
    }

  /* The limits come from the data: a hostile file must not make us spend
   * minutes or gigabytes before the passphrase is even checked. */
  opslimit = intake_get_u64_le (blob + layout->opslimit);
  memlimit = intake_get_u64_le (blob + layout->memlimit);
  if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || opslimit > INTAKE_KDF_OPSLIMIT_MAX ||
      memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || memlimit > INTAKE_KDF_MEMLIMIT_MAX)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s (%s) asks for key derivation limits (opslimit %" G_GUINT64_FORMAT
                   ", memlimit %" G_GUINT64_FORMAT ") outside the accepted range (opslimit 1..%d, "
                   "memlimit 8 KiB..1 GiB); it is damaged or not from intake",
                   what, owner, opslimit, memlimit, INTAKE_KDF_OPSLIMIT_MAX);
      return NULL;
    }

  key = derive_wrapping_key (passphrase, blob + layout->salt, opslimit, memlimit, error);
  if (key == NULL)
    return NULL;

  inner = intake_secure_buffer_new (layout->inner_bytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (inner->data, &inner_len, NULL,
                                                  blob + layout->ciphertext, len - layout->ciphertext,
                                                  blob, layout->ciphertext,
                                                  blob + layout->nonce, key->data) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE,
                           wrong_passphrase);
      return NULL;
    }
  g_assert (inner_len == layout->inner_bytes);

  return g_steal_pointer (&inner);
}

/* The office secret at the start of an unwrapped inner secret (box_sk,
 * sign_sk, the office public blob), checked to belong together and to the
 * key id the wrapping names. */
static IntakeOfficeSecret *
office_secret_from_inner (const guint8  *inner,
                          const guint8  *expected_key_id,
                          const char    *what,
                          const char    *owner,
                          GError       **error)
{
  g_autoptr(IntakeOfficeSecret) self = office_secret_new ();
  g_autoptr(GError) local_error = NULL;
  guint8 box_pk[INTAKE_BOX_PUBLIC_BYTES];

  memcpy (self->keys->data, inner, INTAKE_OFFICE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES);
  if (!decode_office_public (inner + INTAKE_OFFICE_BOX_SECRET_BYTES + INTAKE_SIGN_SECRET_BYTES,
                             INTAKE_OFFICE_PUBLIC_BLOB_BYTES, what, &self->public, &local_error))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s unlocks, but the office public key inside it is damaged: %s",
                   what, local_error->message);
      return NULL;
    }

  crypto_scalarmult_base (box_pk, BOX_SK (self));
  if (sodium_memcmp (self->public.key_id, expected_key_id, INTAKE_OFFICE_KEY_ID_BYTES) != 0 ||
      sodium_memcmp (box_pk, self->public.box_pk, sizeof box_pk) != 0 ||
      sodium_memcmp (SIGN_SK (self) + 32, self->public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES) != 0 ||
      !sign_secret_is_consistent (SIGN_SK (self)))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s unlocks, but its office secret and public parts do not belong together "
                   "(%s); it was not made by intake", what, owner);
      return NULL;
    }

  return g_steal_pointer (&self);
}

IntakeSecureBuffer *
intake_office_secret_encode_inner (const IntakeOfficeSecret *self)
{
  IntakeSecureBuffer *inner;

  g_return_val_if_fail (self != NULL, NULL);

  inner = intake_secure_buffer_new (INTAKE_OFFICE_SECRET_INNER_BYTES);
  office_secret_write_inner (self, inner->data);
  return inner;
}

IntakeOfficeSecret *
intake_office_secret_new_from_inner (const guint8  *inner,
                                     const guint8  *expected_key_id,
                                     const char    *what,
                                     GError       **error)
{
  g_return_val_if_fail (inner != NULL, NULL);
  g_return_val_if_fail (expected_key_id != NULL, NULL);

  return office_secret_from_inner (inner, expected_key_id, what, "the sealed key is inconsistent", error);
}

static IntakeOfficeSecret *
unwrap_blob (const guint8              *blob,
             gsize                      len,
             const IntakeSecureBuffer  *passphrase,
             const char                *what,
             GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *wrong = NULL;
  char key_id_hex[INTAKE_OFFICE_KEY_ID_BYTES * 2 + 1];

  if (!check_blob (blob, len, TAG_OFFICE_SECRET, INTAKE_OFFICE_SECRET_BLOB_BYTES, what, error))
    return NULL;

  sodium_bin2hex (key_id_hex, sizeof key_id_hex, blob + OS_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
  owner = g_strdup_printf ("office key %s", key_id_hex);
  wrong = g_strdup_printf ("the passphrase does not unlock this office key (key id %s)", key_id_hex);

  if (!(inner = unwrap_inner (blob, len, &office_secret_layout, passphrase, what, owner, wrong, error)))
    return NULL;
  return office_secret_from_inner (inner->data, blob + OS_KEY_ID, what, owner, error);
}

IntakeOfficeSecret *
intake_office_secret_unwrap (GBytes                    *wrapped,
                             const IntakeSecureBuffer  *passphrase,
                             GError                   **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (wrapped != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  data = g_bytes_get_data (wrapped, &len);
  return unwrap_blob (data, len, passphrase, "the office secret key data", error);
}

gboolean
intake_office_secret_save (const IntakeOfficeSecret  *self,
                           const char                *path,
                           const IntakeSecureBuffer  *passphrase,
                           GError                   **error)
{
  g_autoptr(GBytes) wrapped = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *comment = NULL;
  GStatBuf st;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);

  /* Fail before the slow key derivation when the answer is already known. */
  if (g_lstat (path, &st) == 0)
    {
      set_file_exists_error (path, error);
      return FALSE;
    }

  wrapped = intake_office_secret_wrap (self, passphrase, error);
  if (wrapped == NULL)
    return FALSE;

  key_id = intake_office_public_dup_key_id_hex (&self->public);
  comment = g_strdup_printf ("intake office secret key (passphrase-protected), id %s", key_id);

  return write_key_file (path, comment, g_bytes_get_data (wrapped, NULL),
                         g_bytes_get_size (wrapped), 0600, error);
}

IntakeOfficeSecret *
intake_office_secret_load (const char                *path,
                           const IntakeSecureBuffer  *passphrase,
                           GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  blob = read_key_file (path, error);
  if (blob == NULL)
    return NULL;

  return unwrap_blob (blob->data, blob->len, passphrase, path, error);
}

void
intake_office_secret_sign (const IntakeOfficeSecret *self,
                           const char               *context,
                           GBytes                   *message,
                           guint8                   *signature)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (signature != NULL);

  sign_with_context (SIGN_SK (self), context, message, signature);
}

/* Device keys -------------------------------------------------------------- */

void
intake_device_id_from_public_key (const guint8 *sign_pk,
                                  guint8       *out_device_id)
{
  crypto_generichash_state state;

  g_return_if_fail (sign_pk != NULL);
  g_return_if_fail (out_device_id != NULL);

  crypto_generichash_init (&state, NULL, 0, INTAKE_DEVICE_ID_BYTES);
  crypto_generichash_update (&state, (const guint8 *) DEVICE_ID_LABEL, strlen (DEVICE_ID_LABEL));
  crypto_generichash_update (&state, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  crypto_generichash_final (&state, out_device_id, INTAKE_DEVICE_ID_BYTES);
}

static IntakeDeviceKey *
device_key_new_from_secret (const guint8  *sign_sk,
                            const char    *what,
                            GError       **error)
{
  g_autoptr(IntakeDeviceKey) self = NULL;

  if (!sign_secret_is_consistent (sign_sk))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the device secret key in %s does not match its own public half; "
                   "the file is damaged, enroll the kiosk again with a new key", what);
      return NULL;
    }

  self = g_new0 (IntakeDeviceKey, 1);
  self->sign_sk = intake_secure_buffer_new_copy (sign_sk, INTAKE_SIGN_SECRET_BYTES);
  crypto_sign_ed25519_sk_to_pk (self->public.sign_pk, sign_sk);
  intake_device_id_from_public_key (self->public.sign_pk, self->public.device_id);

  return g_steal_pointer (&self);
}

IntakeDeviceKey *
intake_device_key_new_from_secret (const guint8  *sign_sk,
                                   GError       **error)
{
  g_return_val_if_fail (sign_sk != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  return device_key_new_from_secret (sign_sk, "the device key data", error);
}

IntakeDeviceKey *
intake_device_key_generate (GError **error)
{
  g_autoptr(IntakeSecureBuffer) sign_sk = NULL;
  guint8 sign_pk[INTAKE_SIGN_PUBLIC_BYTES];

  if (!intake_crypto_init (error))
    return NULL;

  sign_sk = intake_secure_buffer_new (INTAKE_SIGN_SECRET_BYTES);
  crypto_sign_keypair (sign_pk, sign_sk->data);

  return device_key_new_from_secret (sign_sk->data, "a new device key", error);
}

void
intake_device_key_free (IntakeDeviceKey *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->sign_sk, intake_secure_buffer_free);
  g_free (self);
}

gboolean
intake_device_key_save (const IntakeDeviceKey  *self,
                        const char             *path,
                        GError                **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *comment = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  blob = intake_secure_buffer_new (INTAKE_DEVICE_SECRET_BLOB_BYTES);
  put_blob_header (blob->data, TAG_DEVICE_SECRET);
  memcpy (blob->data + DS_SIGN_SK, self->sign_sk->data, INTAKE_SIGN_SECRET_BYTES);

  device_id = intake_device_key_dup_id_hex (self);
  comment = g_strdup_printf ("intake device secret key, id %s", device_id);

  return write_key_file (path, comment, blob->data, blob->len, 0600, error);
}

IntakeDeviceKey *
intake_device_key_load (const char  *path,
                        GError     **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  blob = read_key_file (path, error);
  if (blob == NULL)
    return NULL;

  if (!check_blob (blob->data, blob->len, TAG_DEVICE_SECRET, INTAKE_DEVICE_SECRET_BLOB_BYTES,
                   path, error))
    return NULL;

  return device_key_new_from_secret (blob->data + DS_SIGN_SK, path, error);
}

void
intake_device_key_get_public (const IntakeDeviceKey *self,
                              IntakeDevicePublic    *out_public)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out_public != NULL);

  *out_public = self->public;
}

char *
intake_device_key_dup_id_hex (const IntakeDeviceKey *self)
{
  char hex[INTAKE_DEVICE_ID_BYTES * 2 + 1];

  g_return_val_if_fail (self != NULL, NULL);

  sodium_bin2hex (hex, sizeof hex, self->public.device_id, sizeof self->public.device_id);
  return g_strdup (hex);
}

void
intake_device_key_sign (const IntakeDeviceKey *self,
                        const char            *context,
                        GBytes                *message,
                        guint8                *signature)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (signature != NULL);

  sign_with_context (self->sign_sk->data, context, message, signature);
}

void
intake_device_key_sign_raw (const IntakeDeviceKey *self,
                            const guint8          *data,
                            gsize                  len,
                            guint8                *signature)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (signature != NULL);

  crypto_sign_detached (signature, NULL, data, len, self->sign_sk->data);
}

gboolean
intake_device_public_save (const IntakeDevicePublic  *self,
                           const char                *path,
                           GError                   **error)
{
  guint8 blob[INTAKE_DEVICE_PUBLIC_BLOB_BYTES];
  char device_id[INTAKE_DEVICE_ID_BYTES * 2 + 1];
  g_autofree char *comment = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  put_blob_header (blob, TAG_DEVICE_PUBLIC);
  memcpy (blob + DP_DEVICE_ID, self->device_id, INTAKE_DEVICE_ID_BYTES);
  memcpy (blob + DP_SIGN_PK, self->sign_pk, INTAKE_SIGN_PUBLIC_BYTES);

  sodium_bin2hex (device_id, sizeof device_id, self->device_id, INTAKE_DEVICE_ID_BYTES);
  comment = g_strdup_printf ("intake device public key, id %s", device_id);

  return write_key_file (path, comment, blob, sizeof blob, 0644, error);
}

gboolean
intake_device_public_load (const char          *path,
                           IntakeDevicePublic  *out_public,
                           GError             **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;
  IntakeDevicePublic pub;
  guint8 device_id[INTAKE_DEVICE_ID_BYTES];

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_public != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  blob = read_key_file (path, error);
  if (blob == NULL)
    return FALSE;

  if (!check_blob (blob->data, blob->len, TAG_DEVICE_PUBLIC, INTAKE_DEVICE_PUBLIC_BLOB_BYTES,
                   path, error))
    return FALSE;

  memcpy (pub.device_id, blob->data + DP_DEVICE_ID, INTAKE_DEVICE_ID_BYTES);
  memcpy (pub.sign_pk, blob->data + DP_SIGN_PK, INTAKE_SIGN_PUBLIC_BYTES);

  intake_device_id_from_public_key (pub.sign_pk, device_id);
  if (sodium_memcmp (device_id, pub.device_id, sizeof device_id) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "the device id in %s does not belong to its public key; the file was "
                   "altered, export the device public key again", path);
      return FALSE;
    }

  *out_public = pub;
  return TRUE;
}

gboolean
intake_device_public_verify (const IntakeDevicePublic  *self,
                             const char                *context,
                             GBytes                    *message,
                             const guint8              *signature,
                             GError                   **error)
{
  char device_id[INTAKE_DEVICE_ID_BYTES * 2 + 1];
  g_autofree char *signer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  sodium_bin2hex (device_id, sizeof device_id, self->device_id, INTAKE_DEVICE_ID_BYTES);
  signer = g_strdup_printf ("device key %s", device_id);
  return verify_with_context (self->sign_pk, context, message, signature, signer, error);
}

/* Reviewer keys ------------------------------------------------------------- */

/* Offsets in the reviewer key blob (IKRK). */
#define RK_KDF         5
#define RK_OPSLIMIT    6
#define RK_MEMLIMIT    14
#define RK_SALT        22
#define RK_KEY_ID      38
#define RK_REVIEWER_ID 46
#define RK_NONCE       62
#define RK_CIPHERTEXT  86
#define RK_INNER_BYTES (OS_INNER_BYTES + INTAKE_SIGN_SECRET_BYTES)

G_STATIC_ASSERT (RK_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == RK_CIPHERTEXT);
G_STATIC_ASSERT (RK_CIPHERTEXT + RK_INNER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ==
                 INTAKE_REVIEWER_KEY_BLOB_BYTES);

struct _IntakeReviewerKey {
  IntakeReviewerPublic  public;
  IntakeOfficeSecret   *office;
  IntakeDeviceKey      *signing;   /* the reviewer's Ed25519 key, in device-key form */
};

void
intake_reviewer_id_from_public_key (const guint8 *sign_pk,
                                    guint8       *out_reviewer_id)
{
  crypto_generichash_state state;

  g_return_if_fail (sign_pk != NULL);
  g_return_if_fail (out_reviewer_id != NULL);

  crypto_generichash_init (&state, NULL, 0, INTAKE_REVIEWER_ID_BYTES);
  crypto_generichash_update (&state, (const guint8 *) REVIEWER_ID_LABEL, strlen (REVIEWER_ID_LABEL));
  crypto_generichash_update (&state, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  crypto_generichash_final (&state, out_reviewer_id, INTAKE_REVIEWER_ID_BYTES);
}

static IntakeOfficeSecret *
office_secret_copy (const IntakeOfficeSecret *other)
{
  IntakeOfficeSecret *self = office_secret_new ();

  memcpy (self->keys->data, other->keys->data, self->keys->len);
  self->public = other->public;
  return self;
}

IntakeOfficeSecret *
intake_office_secret_copy (const IntakeOfficeSecret *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return office_secret_copy (self);
}

const guint8 *
intake_device_key_get_secret (const IntakeDeviceKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sign_sk->data;
}

static IntakeReviewerKey *
reviewer_key_new (IntakeOfficeSecret *office,
                  IntakeDeviceKey    *signing)
{
  IntakeReviewerKey *self = g_new0 (IntakeReviewerKey, 1);

  self->office = office;
  self->signing = signing;
  memcpy (self->public.sign_pk, signing->public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_reviewer_id_from_public_key (self->public.sign_pk, self->public.reviewer_id);
  return self;
}

IntakeReviewerKey *
intake_reviewer_key_generate (const IntakeOfficeSecret  *office,
                              GError                   **error)
{
  IntakeDeviceKey *signing;

  g_return_val_if_fail (office != NULL, NULL);

  if (!(signing = intake_device_key_generate (error)))
    return NULL;
  return reviewer_key_new (office_secret_copy (office), signing);
}

void
intake_reviewer_key_free (IntakeReviewerKey *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->office, intake_office_secret_free);
  g_clear_pointer (&self->signing, intake_device_key_free);
  g_free (self);
}

const IntakeOfficeSecret *
intake_reviewer_key_get_office (const IntakeReviewerKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->office;
}

const IntakeDeviceKey *
intake_reviewer_key_get_signing_key (const IntakeReviewerKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->signing;
}

void
intake_reviewer_key_get_public (const IntakeReviewerKey *self,
                                IntakeReviewerPublic    *out_public)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out_public != NULL);

  *out_public = self->public;
}

char *
intake_reviewer_key_dup_id_hex (const IntakeReviewerKey *self)
{
  char hex[INTAKE_REVIEWER_ID_BYTES * 2 + 1];

  g_return_val_if_fail (self != NULL, NULL);

  sodium_bin2hex (hex, sizeof hex, self->public.reviewer_id, INTAKE_REVIEWER_ID_BYTES);
  return g_strdup (hex);
}

void
intake_reviewer_key_sign (const IntakeReviewerKey *self,
                          const char              *context,
                          GBytes                  *message,
                          guint8                  *signature)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (signature != NULL);

  sign_with_context (self->signing->sign_sk->data, context, message, signature);
}

gboolean
intake_reviewer_public_verify (const IntakeReviewerPublic  *self,
                               const char                  *context,
                               GBytes                      *message,
                               const guint8                *signature,
                               GError                     **error)
{
  char reviewer_id[INTAKE_REVIEWER_ID_BYTES * 2 + 1];
  g_autofree char *signer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;

  sodium_bin2hex (reviewer_id, sizeof reviewer_id, self->reviewer_id, INTAKE_REVIEWER_ID_BYTES);
  signer = g_strdup_printf ("reviewer key %s", reviewer_id);
  return verify_with_context (self->sign_pk, context, message, signature, signer, error);
}

IntakeReviewerKey *
intake_reviewer_key_copy (const IntakeReviewerKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return reviewer_key_new (office_secret_copy (self->office),
                           device_key_new_from_secret (self->signing->sign_sk->data, "a reviewer key", NULL));
}

IntakeReviewerKey *
intake_reviewer_key_new_from_raw (const IntakeOfficeSecret  *office,
                                  const guint8              *sign_sk,
                                  GError                   **error)
{
  IntakeDeviceKey *signing;

  g_return_val_if_fail (office != NULL, NULL);
  g_return_val_if_fail (sign_sk != NULL, NULL);

  if (!(signing = intake_device_key_new_from_secret (sign_sk, error)))
    return NULL;
  return reviewer_key_new (office_secret_copy (office), signing);
}

/* Credentials (docs/keys.md, "Reviewer keys, format 2") --------------------- */

#define CREDENTIAL_SALT_BYTES    16
#define REVIEWER_WRAP_LABEL      "intake-reviewer-wrap-v2"
#define REVIEWER_ENC_LABEL       "intake-reviewer-enc-v2"
#define REVIEWER_AUTH_LABEL      "intake-reviewer-auth-v2"
#define SETUP_CODE_LABEL         "intake-setup-code-v1"
#define SETUP_ENC_LABEL          "intake-setup-enc-v1"
#define SETUP_AUTH_LABEL         "intake-setup-auth-v1"
#define WORKSTATION_ID_LABEL     "intake-workstation-id-v1"
#define SERVER_DERIVE_LABEL      "intake-server-derive-v1"

G_STATIC_ASSERT (CREDENTIAL_SALT_BYTES == INTAKE_CREDENTIAL_SALT_BYTES);

struct _IntakeCredentials {
  IntakeCredentialsKind kind;
  guint8                salt[CREDENTIAL_SALT_BYTES];
  guint64               opslimit;     /* reviewer credentials only */
  guint64               memlimit;
  guint8                workstation_id[INTAKE_WORKSTATION_ID_BYTES];
  IntakeSecureBuffer   *enc_key;      /* 32 bytes: opens the blob */
  IntakeSecureBuffer   *auth_sk;      /* 64 bytes: signs unlock challenges */
  guint8                auth_pk[INTAKE_SIGN_PUBLIC_BYTES];
};

struct _IntakeWorkstationKey {
  IntakeSecureBuffer *secret;        /* W, 32 bytes */
  guint8              id[INTAKE_WORKSTATION_ID_BYTES];
};

/* BLAKE2b of @label || @data with @out_len bytes of output, keyed with
 * @key when it is not NULL (crypto_generichash with a key). */
static void
labelled_hash (guint8       *out,
               gsize         out_len,
               const guint8 *key,
               gsize         key_len,
               const char   *label,
               const guint8 *data,
               gsize         data_len)
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, key, key != NULL ? key_len : 0, out_len);
  crypto_generichash_update (&state, (const guint8 *) label, strlen (label));
  if (data_len > 0)
    crypto_generichash_update (&state, data, data_len);
  crypto_generichash_final (&state, out, out_len);
}

/* From a 32-byte key (K_wrap or K_code): the AEAD key and the
 * authentication key pair, each under its own label. */
static void
credentials_expand (IntakeCredentials *self,
                    const guint8      *master,
                    const char        *enc_label,
                    const char        *auth_label)
{
  g_autoptr(IntakeSecureBuffer) seed = intake_secure_buffer_new (crypto_sign_SEEDBYTES);

  self->enc_key = intake_secure_buffer_new (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  self->auth_sk = intake_secure_buffer_new (INTAKE_SIGN_SECRET_BYTES);
  labelled_hash (self->enc_key->data, self->enc_key->len, master, 32, enc_label, NULL, 0);
  labelled_hash (seed->data, seed->len, master, 32, auth_label, NULL, 0);
  crypto_sign_seed_keypair (self->auth_pk, self->auth_sk->data, seed->data);
}

static gboolean
kdf_limits_ok (guint64 opslimit,
               guint64 memlimit)
{
  return opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN && opslimit <= INTAKE_KDF_OPSLIMIT_MAX &&
         memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN && memlimit <= INTAKE_KDF_MEMLIMIT_MAX;
}

IntakeCredentials *
intake_credentials_new_reviewer (const IntakeSecureBuffer    *passphrase,
                                 const IntakeWorkstationKey  *workstation,
                                 const guint8                *salt,
                                 guint64                      opslimit,
                                 guint64                      memlimit,
                                 GError                     **error)
{
  g_autoptr(IntakeCredentials) self = NULL;
  g_autoptr(IntakeSecureBuffer) k = NULL;
  g_autoptr(IntakeSecureBuffer) k_wrap = intake_secure_buffer_new (32);

  g_return_val_if_fail (passphrase != NULL, NULL);
  g_return_val_if_fail (workstation != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  if (opslimit == 0 && memlimit == 0)
    {
      opslimit = INTAKE_REVIEWER_KDF_OPSLIMIT_DEFAULT;
      memlimit = INTAKE_REVIEWER_KDF_MEMLIMIT_DEFAULT;
    }
  /* The limits may come from the network (an unlock answer): refuse any a
   * hostile server could use to make us spend minutes or gigabytes. */
  if (!kdf_limits_ok (opslimit, memlimit))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "key derivation limits (opslimit %" G_GUINT64_FORMAT ", memlimit %" G_GUINT64_FORMAT
                   ") outside the accepted range (opslimit 1..%d, memlimit 8 KiB..1 GiB)",
                   opslimit, memlimit, INTAKE_KDF_OPSLIMIT_MAX);
      return NULL;
    }

  /* A new passphrase gets a fresh salt; only new ones are checked for length. */
  if (salt == NULL && passphrase->len < INTAKE_REVIEWER_PASSPHRASE_MIN_BYTES)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WEAK_PASSPHRASE,
                   "the passphrase is %" G_GSIZE_FORMAT " bytes long; a reviewer key needs a "
                   "passphrase of at least %d bytes, use a few unrelated words",
                   passphrase->len, INTAKE_REVIEWER_PASSPHRASE_MIN_BYTES);
      return NULL;
    }

  self = g_new0 (IntakeCredentials, 1);
  self->kind = INTAKE_CREDENTIALS_REVIEWER;
  if (salt != NULL)
    memcpy (self->salt, salt, CREDENTIAL_SALT_BYTES);
  else
    randombytes_buf (self->salt, CREDENTIAL_SALT_BYTES);
  self->opslimit = opslimit;
  self->memlimit = memlimit;
  memcpy (self->workstation_id, workstation->id, INTAKE_WORKSTATION_ID_BYTES);

  /* K = Argon2id (passphrase, salt); K_wrap = BLAKE2b keyed with W over
   * the label and K: without W, K alone opens nothing and verifies
   * nothing, so a copy of the server's database allows no guessing. */
  if (!(k = derive_wrapping_key (passphrase, self->salt, opslimit, memlimit, error)))
    return NULL;
  labelled_hash (k_wrap->data, k_wrap->len, workstation->secret->data, workstation->secret->len,
                 REVIEWER_WRAP_LABEL, k->data, k->len);
  credentials_expand (self, k_wrap->data, REVIEWER_ENC_LABEL, REVIEWER_AUTH_LABEL);
  return g_steal_pointer (&self);
}

IntakeCredentials *
intake_credentials_new_setup (const char    *code,
                              gsize          code_len,
                              const guint8  *salt,
                              GError       **error)
{
  g_autoptr(IntakeCredentials) self = NULL;
  g_autoptr(IntakeSecureBuffer) input = NULL;
  g_autoptr(IntakeSecureBuffer) k_code = intake_secure_buffer_new (32);

  g_return_val_if_fail (code != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  self = g_new0 (IntakeCredentials, 1);
  self->kind = INTAKE_CREDENTIALS_SETUP;
  if (salt != NULL)
    memcpy (self->salt, salt, CREDENTIAL_SALT_BYTES);
  else
    randombytes_buf (self->salt, CREDENTIAL_SALT_BYTES);

  /* The code has over 100 bits of entropy (docs/keys.md), so a plain hash
   * is enough: there is nothing to guess. K_code = BLAKE2b-256 (label ||
   * salt || code). */
  input = intake_secure_buffer_new (CREDENTIAL_SALT_BYTES + code_len);
  memcpy (input->data, self->salt, CREDENTIAL_SALT_BYTES);
  memcpy (input->data + CREDENTIAL_SALT_BYTES, code, code_len);
  labelled_hash (k_code->data, k_code->len, NULL, 0, SETUP_CODE_LABEL, input->data, input->len);
  credentials_expand (self, k_code->data, SETUP_ENC_LABEL, SETUP_AUTH_LABEL);
  return g_steal_pointer (&self);
}

void
intake_credentials_free (IntakeCredentials *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->enc_key, intake_secure_buffer_free);
  g_clear_pointer (&self->auth_sk, intake_secure_buffer_free);
  g_free (self);
}

IntakeCredentialsKind
intake_credentials_get_kind (const IntakeCredentials *self)
{
  g_return_val_if_fail (self != NULL, INTAKE_CREDENTIALS_REVIEWER);
  return self->kind;
}

const guint8 *
intake_credentials_get_auth_public (const IntakeCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->auth_pk;
}

const guint8 *
intake_credentials_get_salt (const IntakeCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->salt;
}

void
intake_credentials_sign (const IntakeCredentials *self,
                         const char              *context,
                         GBytes                  *message,
                         guint8                  *signature)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (context != NULL);
  g_return_if_fail (signature != NULL);

  sign_with_context (self->auth_sk->data, context, message, signature);
}

gboolean
intake_auth_public_verify (const guint8  *auth_pk,
                           const char    *context,
                           GBytes        *message,
                           const guint8  *signature,
                           GError       **error)
{
  g_return_val_if_fail (auth_pk != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!intake_crypto_init (error))
    return FALSE;
  return verify_with_context (auth_pk, context, message, signature, "the authentication key", error);
}

/* Reviewer keys, format 2 ----------------------------------------------------- */

/* Offsets in the reviewer key blob, format 2 (IKRK, version 2). */
#define RK2_KDF            5
#define RK2_OPSLIMIT       6
#define RK2_MEMLIMIT       14
#define RK2_SALT           22
#define RK2_KEY_ID         38
#define RK2_REVIEWER_ID    46
#define RK2_AUTH_PK        62
#define RK2_WORKSTATION_ID 94
#define RK2_NONCE          102
#define RK2_CIPHERTEXT     126

G_STATIC_ASSERT (RK2_SALT + CREDENTIAL_SALT_BYTES == RK2_KEY_ID);
G_STATIC_ASSERT (RK2_AUTH_PK + INTAKE_SIGN_PUBLIC_BYTES == RK2_WORKSTATION_ID);
G_STATIC_ASSERT (RK2_WORKSTATION_ID + INTAKE_WORKSTATION_ID_BYTES == RK2_NONCE);
G_STATIC_ASSERT (RK2_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == RK2_CIPHERTEXT);
G_STATIC_ASSERT (RK2_CIPHERTEXT + RK_INNER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ==
                 INTAKE_REVIEWER_KEY2_BLOB_BYTES);

/* Offsets in the activation blob (IKRS, version 1). */
#define RS_SALT        5
#define RS_KEY_ID      21
#define RS_AUTH_PK     29
#define RS_NONCE       61
#define RS_CIPHERTEXT  85

G_STATIC_ASSERT (RS_AUTH_PK + INTAKE_SIGN_PUBLIC_BYTES == RS_NONCE);
G_STATIC_ASSERT (RS_CIPHERTEXT + OS_INNER_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ==
                 INTAKE_SETUP_BLOB_BYTES);

GBytes *
intake_reviewer_key_seal_with_nonce (const IntakeReviewerKey  *self,
                                     const IntakeCredentials  *credentials,
                                     const guint8             *nonce,
                                     GError                  **error)
{
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  guint8 blob[INTAKE_REVIEWER_KEY2_BLOB_BYTES];
  unsigned long long ciphertext_len = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  if (credentials->kind != INTAKE_CREDENTIALS_REVIEWER)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND,
                           "a reviewer key is sealed with a passphrase and a workstation key, "
                           "not with an activation code");
      return NULL;
    }

  memcpy (blob, TAG_REVIEWER_KEY, 4);
  blob[4] = INTAKE_REVIEWER_KEY_FORMAT;
  blob[RK2_KDF] = INTAKE_KDF_ARGON2ID13;
  intake_put_u64_le (blob + RK2_OPSLIMIT, credentials->opslimit);
  intake_put_u64_le (blob + RK2_MEMLIMIT, credentials->memlimit);
  memcpy (blob + RK2_SALT, credentials->salt, CREDENTIAL_SALT_BYTES);
  memcpy (blob + RK2_KEY_ID, self->office->public.key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (blob + RK2_REVIEWER_ID, self->public.reviewer_id, INTAKE_REVIEWER_ID_BYTES);
  memcpy (blob + RK2_AUTH_PK, credentials->auth_pk, INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (blob + RK2_WORKSTATION_ID, credentials->workstation_id, INTAKE_WORKSTATION_ID_BYTES);
  if (nonce != NULL)
    memcpy (blob + RK2_NONCE, nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  else
    randombytes_buf (blob + RK2_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  inner = intake_secure_buffer_new (RK_INNER_BYTES);
  office_secret_write_inner (self->office, inner->data);
  memcpy (inner->data + OS_INNER_BYTES, self->signing->sign_sk->data, INTAKE_SIGN_SECRET_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + RK2_CIPHERTEXT, &ciphertext_len,
                                              inner->data, inner->len, blob, RK2_CIPHERTEXT,
                                              NULL, blob + RK2_NONCE, credentials->enc_key->data);
  g_assert (ciphertext_len == sizeof blob - RK2_CIPHERTEXT);
  return g_bytes_new (blob, sizeof blob);
}

GBytes *
intake_reviewer_key_seal (const IntakeReviewerKey  *self,
                          const IntakeCredentials  *credentials,
                          GError                  **error)
{
  return intake_reviewer_key_seal_with_nonce (self, credentials, NULL, error);
}

gboolean
intake_reviewer_key_blob_peek (GBytes                 *wrapped,
                               IntakeReviewerBlobInfo *out_info,
                               GError                **error)
{
  const char *what = "the reviewer key data";
  const guint8 *blob;
  gsize len;

  g_return_val_if_fail (wrapped != NULL, FALSE);
  g_return_val_if_fail (out_info != NULL, FALSE);

  memset (out_info, 0, sizeof *out_info);
  blob = g_bytes_get_data (wrapped, &len);
  /* Format 1 (a passphrase alone) is still recognized, so that a store
   * from before format 2 can say which reviewers need a new activation. */
  if (len >= INTAKE_BLOB_HEADER_BYTES && memcmp (blob, TAG_REVIEWER_KEY, 4) == 0 && blob[4] == 1)
    {
      if (!check_blob_version (blob, len, TAG_REVIEWER_KEY, 1, INTAKE_REVIEWER_KEY_BLOB_BYTES, what, error))
        return FALSE;
      out_info->version = 1;
      out_info->kdf = blob[RK_KDF];
      out_info->opslimit = intake_get_u64_le (blob + RK_OPSLIMIT);
      out_info->memlimit = intake_get_u64_le (blob + RK_MEMLIMIT);
      memcpy (out_info->salt, blob + RK_SALT, CREDENTIAL_SALT_BYTES);
      memcpy (out_info->office_key_id, blob + RK_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
      memcpy (out_info->reviewer_id, blob + RK_REVIEWER_ID, INTAKE_REVIEWER_ID_BYTES);
      return TRUE;
    }
  if (!check_blob_version (blob, len, TAG_REVIEWER_KEY, INTAKE_REVIEWER_KEY_FORMAT,
                           INTAKE_REVIEWER_KEY2_BLOB_BYTES, what, error))
    return FALSE;
  out_info->version = INTAKE_REVIEWER_KEY_FORMAT;
  out_info->kdf = blob[RK2_KDF];
  out_info->opslimit = intake_get_u64_le (blob + RK2_OPSLIMIT);
  out_info->memlimit = intake_get_u64_le (blob + RK2_MEMLIMIT);
  memcpy (out_info->salt, blob + RK2_SALT, CREDENTIAL_SALT_BYTES);
  memcpy (out_info->office_key_id, blob + RK2_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (out_info->reviewer_id, blob + RK2_REVIEWER_ID, INTAKE_REVIEWER_ID_BYTES);
  memcpy (out_info->auth_pk, blob + RK2_AUTH_PK, INTAKE_SIGN_PUBLIC_BYTES);
  memcpy (out_info->workstation_id, blob + RK2_WORKSTATION_ID, INTAKE_WORKSTATION_ID_BYTES);
  if (out_info->kdf != INTAKE_KDF_ARGON2ID13)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   "%s uses key derivation function %u, which this program does not know; "
                   "use a newer version of intake", what, out_info->kdf);
      return FALSE;
    }
  if (!kdf_limits_ok (out_info->opslimit, out_info->memlimit))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s asks for key derivation limits outside the accepted range; it is damaged "
                   "or not from intake", what);
      return FALSE;
    }
  return TRUE;
}

IntakeReviewerKey *
intake_reviewer_key_open (GBytes                   *wrapped,
                          const IntakeCredentials  *credentials,
                          GError                  **error)
{
  const char *what = "the reviewer key data";
  g_autoptr(IntakeOfficeSecret) office = NULL;
  g_autoptr(IntakeDeviceKey) signing = NULL;
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  g_autofree char *owner = NULL;
  IntakeReviewerBlobInfo info;
  guint8 reviewer_id[INTAKE_REVIEWER_ID_BYTES];
  char reviewer_hex[INTAKE_REVIEWER_ID_BYTES * 2 + 1];
  unsigned long long inner_len = 0;
  const guint8 *blob;
  gsize len;

  g_return_val_if_fail (wrapped != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  if (!intake_crypto_init (error) || !intake_reviewer_key_blob_peek (wrapped, &info, error))
    return NULL;
  if (info.version != INTAKE_REVIEWER_KEY_FORMAT)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   "%s is a reviewer key of format 1 (a passphrase alone), which is no longer "
                   "opened; ask an administrator for an activation code", what);
      return NULL;
    }

  sodium_bin2hex (reviewer_hex, sizeof reviewer_hex, info.reviewer_id, INTAKE_REVIEWER_ID_BYTES);
  owner = g_strdup_printf ("reviewer %s", reviewer_hex);
  /* Other limits or salt than the credentials were derived with, or
   * another verifier, mean other credentials: the same answer as a
   * failed decryption, since a damaged blob cannot be told apart. */
  blob = g_bytes_get_data (wrapped, &len);
  inner = intake_secure_buffer_new (RK_INNER_BYTES);
  if (credentials->kind != INTAKE_CREDENTIALS_REVIEWER ||
      memcmp (info.salt, credentials->salt, CREDENTIAL_SALT_BYTES) != 0 ||
      info.opslimit != credentials->opslimit || info.memlimit != credentials->memlimit ||
      sodium_memcmp (info.auth_pk, credentials->auth_pk, INTAKE_SIGN_PUBLIC_BYTES) != 0 ||
      crypto_aead_xchacha20poly1305_ietf_decrypt (inner->data, &inner_len, NULL,
                                                  blob + RK2_CIPHERTEXT, len - RK2_CIPHERTEXT,
                                                  blob, RK2_CIPHERTEXT, blob + RK2_NONCE,
                                                  credentials->enc_key->data) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE,
                   "the passphrase and workstation key do not unlock this reviewer key (reviewer %s)",
                   reviewer_hex);
      return NULL;
    }

  if (!(office = office_secret_from_inner (inner->data, info.office_key_id, what, owner, error)))
    return NULL;
  if (!(signing = device_key_new_from_secret (inner->data + OS_INNER_BYTES, what, NULL)))
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s unlocks, but the reviewer signing key inside it is damaged (reviewer %s)",
                   what, reviewer_hex);
      return NULL;
    }
  intake_reviewer_id_from_public_key (signing->public.sign_pk, reviewer_id);
  if (sodium_memcmp (reviewer_id, info.reviewer_id, INTAKE_REVIEWER_ID_BYTES) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s unlocks, but its signing key does not belong to reviewer %s; "
                   "it was not made by intake", what, reviewer_hex);
      return NULL;
    }

  return reviewer_key_new (g_steal_pointer (&office), g_steal_pointer (&signing));
}

/* Activation keys (IKRS) ------------------------------------------------------ */

GBytes *
intake_office_secret_seal_setup_with_nonce (const IntakeOfficeSecret  *self,
                                            const IntakeCredentials   *credentials,
                                            const guint8              *nonce,
                                            GError                   **error)
{
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  guint8 blob[INTAKE_SETUP_BLOB_BYTES];
  unsigned long long ciphertext_len = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  if (credentials->kind != INTAKE_CREDENTIALS_SETUP)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_KEY_KIND,
                           "an activation key is sealed with an activation code");
      return NULL;
    }

  put_blob_header (blob, TAG_SETUP_KEY);
  memcpy (blob + RS_SALT, credentials->salt, CREDENTIAL_SALT_BYTES);
  memcpy (blob + RS_KEY_ID, self->public.key_id, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (blob + RS_AUTH_PK, credentials->auth_pk, INTAKE_SIGN_PUBLIC_BYTES);
  if (nonce != NULL)
    memcpy (blob + RS_NONCE, nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  else
    randombytes_buf (blob + RS_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);

  inner = intake_secure_buffer_new (OS_INNER_BYTES);
  office_secret_write_inner (self, inner->data);
  crypto_aead_xchacha20poly1305_ietf_encrypt (blob + RS_CIPHERTEXT, &ciphertext_len,
                                              inner->data, inner->len, blob, RS_CIPHERTEXT,
                                              NULL, blob + RS_NONCE, credentials->enc_key->data);
  g_assert (ciphertext_len == sizeof blob - RS_CIPHERTEXT);
  return g_bytes_new (blob, sizeof blob);
}

GBytes *
intake_office_secret_seal_setup (const IntakeOfficeSecret  *self,
                                 const IntakeCredentials   *credentials,
                                 GError                   **error)
{
  return intake_office_secret_seal_setup_with_nonce (self, credentials, NULL, error);
}

gboolean
intake_setup_blob_peek (GBytes              *wrapped,
                        IntakeSetupBlobInfo *out_info,
                        GError             **error)
{
  const guint8 *blob;
  gsize len;

  g_return_val_if_fail (wrapped != NULL, FALSE);
  g_return_val_if_fail (out_info != NULL, FALSE);

  blob = g_bytes_get_data (wrapped, &len);
  if (!check_blob (blob, len, TAG_SETUP_KEY, INTAKE_SETUP_BLOB_BYTES, "the activation key data", error))
    return FALSE;
  memcpy (out_info->salt, blob + RS_SALT, CREDENTIAL_SALT_BYTES);
  memcpy (out_info->office_key_id, blob + RS_KEY_ID, INTAKE_OFFICE_KEY_ID_BYTES);
  memcpy (out_info->auth_pk, blob + RS_AUTH_PK, INTAKE_SIGN_PUBLIC_BYTES);
  return TRUE;
}

IntakeOfficeSecret *
intake_office_secret_open_setup (GBytes                   *wrapped,
                                 const IntakeCredentials  *credentials,
                                 GError                  **error)
{
  const char *what = "the activation key data";
  g_autoptr(IntakeSecureBuffer) inner = NULL;
  IntakeSetupBlobInfo info;
  unsigned long long inner_len = 0;
  const guint8 *blob;
  gsize len;

  g_return_val_if_fail (wrapped != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  if (!intake_crypto_init (error) || !intake_setup_blob_peek (wrapped, &info, error))
    return NULL;

  blob = g_bytes_get_data (wrapped, &len);
  inner = intake_secure_buffer_new (OS_INNER_BYTES);
  if (credentials->kind != INTAKE_CREDENTIALS_SETUP ||
      memcmp (info.salt, credentials->salt, CREDENTIAL_SALT_BYTES) != 0 ||
      sodium_memcmp (info.auth_pk, credentials->auth_pk, INTAKE_SIGN_PUBLIC_BYTES) != 0 ||
      crypto_aead_xchacha20poly1305_ietf_decrypt (inner->data, &inner_len, NULL,
                                                  blob + RS_CIPHERTEXT, len - RS_CIPHERTEXT,
                                                  blob, RS_CIPHERTEXT, blob + RS_NONCE,
                                                  credentials->enc_key->data) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_WRONG_PASSPHRASE,
                           "the activation code does not open this activation key");
      return NULL;
    }
  return office_secret_from_inner (inner->data, info.office_key_id, what, "an activation key", error);
}

/* Workstation keys (IKWS) ------------------------------------------------------ */

#define WS_SECRET     5
#define WS_ID         37
#define RECOVERY_CHECK_BYTES 3
#define RECOVERY_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

G_STATIC_ASSERT (WS_SECRET + INTAKE_WORKSTATION_SECRET_BYTES == WS_ID);
G_STATIC_ASSERT (WS_ID + INTAKE_WORKSTATION_ID_BYTES == INTAKE_WORKSTATION_BLOB_BYTES);
/* 32 secret bytes and 3 check bytes are 280 bits: 56 base32 characters. */
G_STATIC_ASSERT ((INTAKE_WORKSTATION_SECRET_BYTES + RECOVERY_CHECK_BYTES) * 8 == INTAKE_RECOVERY_CODE_CHARS * 5);

static IntakeWorkstationKey *
workstation_key_new (const guint8 *secret)
{
  IntakeWorkstationKey *self = g_new0 (IntakeWorkstationKey, 1);

  self->secret = intake_secure_buffer_new_copy (secret, INTAKE_WORKSTATION_SECRET_BYTES);
  labelled_hash (self->id, sizeof self->id, NULL, 0, WORKSTATION_ID_LABEL, secret, INTAKE_WORKSTATION_SECRET_BYTES);
  return self;
}

IntakeWorkstationKey *
intake_workstation_key_generate (GError **error)
{
  g_autoptr(IntakeSecureBuffer) secret = NULL;

  if (!intake_crypto_init (error))
    return NULL;
  secret = intake_secure_buffer_new (INTAKE_WORKSTATION_SECRET_BYTES);
  randombytes_buf (secret->data, secret->len);
  return workstation_key_new (secret->data);
}

IntakeWorkstationKey *
intake_workstation_key_new_from_secret (const guint8  *secret,
                                        GError       **error)
{
  g_return_val_if_fail (secret != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  return workstation_key_new (secret);
}

void
intake_workstation_key_free (IntakeWorkstationKey *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->secret, intake_secure_buffer_free);
  g_free (self);
}

const guint8 *
intake_workstation_key_get_id (const IntakeWorkstationKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

char *
intake_workstation_key_dup_id_hex (const IntakeWorkstationKey *self)
{
  char hex[INTAKE_WORKSTATION_ID_BYTES * 2 + 1];

  g_return_val_if_fail (self != NULL, NULL);
  sodium_bin2hex (hex, sizeof hex, self->id, sizeof self->id);
  return g_strdup (hex);
}

IntakeSecureBuffer *
intake_workstation_key_encode (const IntakeWorkstationKey *self)
{
  IntakeSecureBuffer *blob;

  g_return_val_if_fail (self != NULL, NULL);

  blob = intake_secure_buffer_new (INTAKE_WORKSTATION_BLOB_BYTES);
  put_blob_header (blob->data, TAG_WORKSTATION);
  memcpy (blob->data + WS_SECRET, self->secret->data, INTAKE_WORKSTATION_SECRET_BYTES);
  memcpy (blob->data + WS_ID, self->id, INTAKE_WORKSTATION_ID_BYTES);
  return blob;
}

IntakeWorkstationKey *
intake_workstation_key_decode (const guint8  *data,
                               gsize          len,
                               const char    *what,
                               GError       **error)
{
  g_autoptr(IntakeWorkstationKey) self = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!intake_crypto_init (error))
    return NULL;
  if (what == NULL)
    what = "the workstation key data";
  if (!check_blob (data, len, TAG_WORKSTATION, INTAKE_WORKSTATION_BLOB_BYTES, what, error))
    return NULL;
  /* The id is the checksum: a damaged copy is said to be one. */
  self = workstation_key_new (data + WS_SECRET);
  if (sodium_memcmp (self->id, data + WS_ID, INTAKE_WORKSTATION_ID_BYTES) != 0)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                   "%s is damaged (its checksum does not match); restore it from the recovery sheet", what);
      return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
intake_workstation_key_save (const IntakeWorkstationKey  *self,
                             const char                  *path,
                             const char                  *comment,
                             GError                     **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (comment != NULL && strchr (comment, '\n') == NULL, FALSE);

  blob = intake_workstation_key_encode (self);
  return write_key_file (path, comment, blob->data, blob->len, 0600, error);
}

IntakeWorkstationKey *
intake_workstation_key_load (const char  *path,
                             GError     **error)
{
  g_autoptr(IntakeSecureBuffer) blob = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!intake_crypto_init (error) || !(blob = read_key_file (path, error)))
    return NULL;
  return intake_workstation_key_decode (blob->data, blob->len, path, error);
}

char *
intake_workstation_key_dup_recovery_code (const IntakeWorkstationKey *self)
{
  guint8 bytes[INTAKE_WORKSTATION_SECRET_BYTES + RECOVERY_CHECK_BYTES];
  GString *out;
  guint bits = 0, value = 0, n = 0;

  g_return_val_if_fail (self != NULL, NULL);

  memcpy (bytes, self->secret->data, INTAKE_WORKSTATION_SECRET_BYTES);
  memcpy (bytes + INTAKE_WORKSTATION_SECRET_BYTES, self->id, RECOVERY_CHECK_BYTES);
  out = g_string_sized_new (INTAKE_RECOVERY_CODE_CHARS + INTAKE_RECOVERY_CODE_CHARS / 4);
  for (gsize i = 0; i < sizeof bytes; i++)
    {
      value = (value << 8) | bytes[i];
      bits += 8;
      while (bits >= 5)
        {
          if (n > 0 && n % 4 == 0)
            g_string_append_c (out, '-');
          g_string_append_c (out, RECOVERY_ALPHABET[(value >> (bits - 5)) & 31]);
          bits -= 5;
          n++;
        }
    }
  g_assert (bits == 0 && n == INTAKE_RECOVERY_CODE_CHARS);
  intake_secure_wipe (bytes, sizeof bytes);
  value = 0;
  return g_string_free (out, FALSE);
}

/* Crockford's base32: case does not matter, I and L are 1, O is 0. */
static int
recovery_symbol_value (char c)
{
  const char *p;

  c = g_ascii_toupper (c);
  if (c == 'I' || c == 'L')
    c = '1';
  else if (c == 'O')
    c = '0';
  p = strchr (RECOVERY_ALPHABET, c);
  return c != '\0' && p != NULL ? (int) (p - RECOVERY_ALPHABET) : -1;
}

IntakeWorkstationKey *
intake_workstation_key_new_from_recovery_code (const char  *text,
                                               GError     **error)
{
  g_autoptr(IntakeSecureBuffer) bytes = NULL;
  g_autoptr(IntakeWorkstationKey) self = NULL;
  guint bits = 0, value = 0, n = 0;
  gsize out = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (!intake_crypto_init (error))
    return NULL;

  bytes = intake_secure_buffer_new (INTAKE_WORKSTATION_SECRET_BYTES + RECOVERY_CHECK_BYTES);
  for (const char *p = text; *p != '\0'; p++)
    {
      int v;

      if (*p == '-' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        continue;
      if ((v = recovery_symbol_value (*p)) < 0 || n >= INTAKE_RECOVERY_CODE_CHARS)
        {
          if (v < 0)
            g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                         "the recovery code holds a character it cannot have (“%c”); it has %d "
                         "characters from 0-9 and A-Z without U, in groups of four",
                         g_ascii_isprint (*p) ? *p : '?', INTAKE_RECOVERY_CODE_CHARS);
          else
            g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                         "the recovery code is too long: it has %d characters in groups of four",
                         INTAKE_RECOVERY_CODE_CHARS);
          value = 0;
          return NULL;
        }
      value = (value << 5) | (guint) v;
      bits += 5;
      n++;
      if (bits >= 8)
        {
          bytes->data[out++] = (guint8) (value >> (bits - 8));
          bits -= 8;
        }
    }
  value = 0;
  if (n != INTAKE_RECOVERY_CODE_CHARS)
    {
      g_set_error (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_TRUNCATED,
                   "the recovery code has %u characters, but %d are needed", n, INTAKE_RECOVERY_CODE_CHARS);
      return NULL;
    }
  g_assert (out == bytes->len);
  self = workstation_key_new (bytes->data);
  if (sodium_memcmp (self->id, bytes->data + INTAKE_WORKSTATION_SECRET_BYTES, RECOVERY_CHECK_BYTES) != 0)
    {
      g_set_error_literal (error, INTAKE_CRYPTO_ERROR, INTAKE_CRYPTO_ERROR_MALFORMED,
                           "the recovery code has a typing error (its check does not match); "
                           "compare it with the recovery sheet character by character");
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* Server-side derivations --------------------------------------------------------- */

void
intake_device_key_derive (const IntakeDeviceKey *self,
                          const char            *label,
                          const guint8          *data,
                          gsize                  len,
                          guint8                *out,
                          gsize                  out_len)
{
  g_autoptr(IntakeSecureBuffer) key = intake_secure_buffer_new (32);
  g_autoptr(GByteArray) message = g_byte_array_new ();
  static const guint8 zero = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (out_len >= crypto_generichash_BYTES_MIN && out_len <= crypto_generichash_BYTES_MAX);

  /* key = BLAKE2b-256 ("intake-server-derive-v1" || seed), never the seed itself. */
  labelled_hash (key->data, key->len, NULL, 0, SERVER_DERIVE_LABEL, self->sign_sk->data, crypto_sign_SEEDBYTES);
  g_byte_array_append (message, (const guint8 *) label, strlen (label));
  g_byte_array_append (message, &zero, 1);
  if (len > 0)
    g_byte_array_append (message, data, len);
  crypto_generichash (out, out_len, message->data, message->len, key->data, key->len);
}

void
intake_auth_public_from_seed (const guint8 *seed,
                              guint8       *out_auth_pk)
{
  g_autoptr(IntakeSecureBuffer) sk = intake_secure_buffer_new (INTAKE_SIGN_SECRET_BYTES);

  g_return_if_fail (seed != NULL && out_auth_pk != NULL);
  crypto_sign_seed_keypair (out_auth_pk, sk->data, seed);
}

/* intake-strict-json.c: the strict reader of a submission's plaintext
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plaintext is read with this reader rather than json-glib so that every
 * decoded string lands in memory we wipe, and so that the canonical form is
 * checked while reading (no white space, keys in byte order, minimal escapes).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-secure.h"
#include "intake-strict-json-private.h"

#define MAX_DEPTH 8

void
intake_strict_node_free (IntakeStrictNode *node)
{
  if (node == NULL)
    return;
  intake_secure_strfree (node->key);
  intake_secure_strfree (node->string);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  intake_secure_wipe (node, sizeof *node);
  g_free (node);
}

static IntakeStrictNode *
node_new (IntakeStrictType type)
{
  IntakeStrictNode *node = g_new0 (IntakeStrictNode, 1);

  node->type = type;
  if (type == INTAKE_STRICT_ARRAY || type == INTAKE_STRICT_OBJECT)
    node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) intake_strict_node_free);
  return node;
}

IntakeStrictNode *
intake_strict_node_member (IntakeStrictNode *object,
                           const char       *key)
{
  for (guint i = 0; i < object->children->len; i++)
    {
      IntakeStrictNode *child = g_ptr_array_index (object->children, i);

      if (strcmp (child->key, key) == 0)
        return child;
    }
  return NULL;
}

const char *
intake_strict_type_name (IntakeStrictType type)
{
  switch (type)
    {
    /* Translators: the kinds of JSON value, as in "an integer, not a string,
     * was expected"; "null" is JSON's own word. */
    case INTAKE_STRICT_NULL: return C_("json", "null");
    case INTAKE_STRICT_BOOLEAN: return C_("json", "a boolean");
    case INTAKE_STRICT_INTEGER: return C_("json", "an integer");
    case INTAKE_STRICT_STRING: return C_("json", "a string");
    case INTAKE_STRICT_ARRAY: return C_("json", "an array");
    case INTAKE_STRICT_OBJECT: return C_("json", "an object");
    default: g_assert_not_reached ();
    }
}

typedef struct {
  const char  *start;
  const char  *p;
  const char  *end;
} Reader;

static gboolean
read_fail (Reader                *r,
           GError               **error,
           IntakeSubmissionError  code,
           const char            *what)
{
  g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
               /* Translators: the byte offset, then what is wrong there. */
               _("canonical session: at byte %lu: %s"),
               (unsigned long) (r->p - r->start), what);
  return FALSE;
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Fails with NOT_CANONICAL on white space, PARSE at the end of the input. */
static gboolean
expect_more (Reader  *r,
             GError **error)
{
  if (r->p >= r->end)
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                      _("the JSON ends too early; the session is truncated"));
  if (is_json_space (*r->p))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                      _("white space; a kiosk writes the session in canonical form, without any"));
  return TRUE;
}

static gboolean
expect_char (Reader  *r,
             char     c,
             GError **error)
{
  if (!expect_more (r, error))
    return FALSE;
  if (*r->p != c)
    {
      g_autofree char *what = g_strdup_printf (_("expected '%c'; this is not valid JSON"), c);

      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, what);
    }
  r->p++;
  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static char *
read_string (Reader  *r,
             GError **error)
{
  const char *open = r->p;
  char *out;
  gsize n = 0;

  if (!expect_char (r, '"', error))
    return NULL;

  /* The decoded string is never longer than its JSON form. */
  {
    const char *q = r->p;

    while (q < r->end && *q != '"')
      q += (*q == '\\') ? 2 : 1;
    out = g_malloc0 ((gsize) (MIN (q, r->end) - r->p) + 1);
  }

  while (TRUE)
    {
      guchar c;

      if (r->p >= r->end)
        {
          intake_secure_strfree (out);
          r->p = open;
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, _("a string is not closed"));
          return NULL;
        }
      c = (guchar) *r->p;
      if (c == '"')
        {
          r->p++;
          break;
        }
      if (c < 0x20)
        {
          intake_secure_strfree (out);
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                     _("a control character inside a string must be escaped; this is not valid JSON"));
          return NULL;
        }
      if (c != '\\')
        {
          out[n++] = (char) c;
          r->p++;
          continue;
        }

      /* An escape. */
      if (r->p + 1 >= r->end)
        {
          intake_secure_strfree (out);
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, _("a string is not closed"));
          return NULL;
        }
      switch (r->p[1])
        {
        case '"': out[n++] = '"'; r->p += 2; continue;
        case '\\': out[n++] = '\\'; r->p += 2; continue;
        case 'b': out[n++] = '\b'; r->p += 2; continue;
        case 'f': out[n++] = '\f'; r->p += 2; continue;
        case 'n': out[n++] = '\n'; r->p += 2; continue;
        case 'r': out[n++] = '\r'; r->p += 2; continue;
        case 't': out[n++] = '\t'; r->p += 2; continue;
        case '/':
          intake_secure_strfree (out);
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                     _("\"\\/\" is not the canonical escape; the canonical form writes '/' as is"));
          return NULL;
        case 'u':
          {
            int d[4];
            guint value = 0;
            gboolean lowercase = TRUE;

            for (int k = 0; k < 4; k++)
              {
                char h = r->p + 2 + k < r->end ? r->p[2 + k] : '\0';

                d[k] = hex_value (h);
                if (d[k] < 0)
                  {
                    intake_secure_strfree (out);
                    read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                               _("\"\\u\" must be followed by four hex digits; this is not valid JSON"));
                    return NULL;
                  }
                if (h >= 'A' && h <= 'F')
                  lowercase = FALSE;
                value = value * 16 + (guint) d[k];
              }
            if (value == 0)
              {
                intake_secure_strfree (out);
                read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                           _("a string holds U+0000, which no answer can contain"));
                return NULL;
              }
            if (value >= 0x20 || !lowercase ||
                value == '\b' || value == '\f' || value == '\n' || value == '\r' || value == '\t')
              {
                intake_secure_strfree (out);
                read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                           _("a \"\\u\" escape the canonical form does not use; it escapes only "
                             "control characters, with lowercase hex, and short forms where they exist"));
                return NULL;
              }
            out[n++] = (char) value;
            r->p += 6;
            continue;
          }
        default:
          intake_secure_strfree (out);
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                     _("an unknown escape in a string; this is not valid JSON"));
          return NULL;
        }
    }

  out[n] = '\0';
  return out;
}

static gboolean read_value (Reader  *r,
                            int      depth,
                            IntakeStrictNode  **out,
                            GError **error);

static gboolean
read_number (Reader  *r,
             IntakeStrictNode  **out,
             GError **error)
{
  const char *begin = r->p;
  g_autofree char *token = NULL;
  gint64 value;

  if (*r->p == '-')
    r->p++;
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, _("not a JSON value"));
  if (*r->p == '0' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                      _("a number with a leading zero; this is not valid JSON"));
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    r->p++;
  if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE,
                        _("a number with a fraction or exponent; every number in a session is "
                          "a whole number written without them"));
    }
  token = g_strndup (begin, (gsize) (r->p - begin));
  if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, &value, NULL))
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE,
                        _("an integer that does not fit in 64 bits"));
    }
  if (value == 0 && *begin == '-')
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                        _("\"-0\" is not canonical; zero is written \"0\""));
    }
  *out = node_new (INTAKE_STRICT_INTEGER);
  (*out)->integer = value;
  return TRUE;
}

static gboolean
read_literal (Reader      *r,
              const char  *word,
              IntakeStrictNode      **out,
              IntakeStrictType        type,
              gboolean     boolean,
              GError     **error)
{
  gsize len = strlen (word);

  if ((gsize) (r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, _("not a JSON value"));
  r->p += len;
  *out = node_new (type);
  (*out)->boolean = boolean;
  return TRUE;
}

static gboolean
read_object (Reader  *r,
             int      depth,
             IntakeStrictNode  **out,
             GError **error)
{
  g_autoptr(IntakeStrictNode) object = node_new (INTAKE_STRICT_OBJECT);
  const char *previous = NULL;

  r->p++;  /* '{' */
  if (!expect_more (r, error))
    return FALSE;
  if (*r->p == '}')
    {
      r->p++;
      *out = g_steal_pointer (&object);
      return TRUE;
    }

  while (TRUE)
    {
      const char *key_start = r->p;
      char *key;
      IntakeStrictNode *value = NULL;
      int order;

      if (!expect_more (r, error))
        return FALSE;
      if (*r->p != '"')
        return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                          _("expected a key in double quotes; this is not valid JSON"));
      key = read_string (r, error);
      if (key == NULL)
        return FALSE;
      order = previous != NULL ? strcmp (previous, key) : -1;
      if (order >= 0)
        {
          g_autofree char *what = NULL;

          r->p = key_start;
          if (order == 0)
            what = g_strdup_printf (_("the key \"%s\" appears twice in one object"), key);
          else
            what = g_strdup_printf (_("the key \"%s\" comes after \"%s\"; the canonical form "
                                      "sorts keys by their bytes"), key, previous);
          intake_secure_strfree (key);
          return read_fail (r, error, order == 0 ? INTAKE_SUBMISSION_ERROR_DUPLICATE_KEY
                                                 : INTAKE_SUBMISSION_ERROR_NOT_CANONICAL, what);
        }
      if (!expect_char (r, ':', error) || !read_value (r, depth + 1, &value, error))
        {
          intake_secure_strfree (key);
          return FALSE;
        }
      value->key = key;
      previous = key;
      g_ptr_array_add (object->children, value);

      if (!expect_more (r, error))
        return FALSE;
      if (*r->p == '}')
        {
          r->p++;
          *out = g_steal_pointer (&object);
          return TRUE;
        }
      if (!expect_char (r, ',', error))
        return FALSE;
    }
}

static gboolean
read_array (Reader  *r,
            int      depth,
            IntakeStrictNode  **out,
            GError **error)
{
  g_autoptr(IntakeStrictNode) array = node_new (INTAKE_STRICT_ARRAY);

  r->p++;  /* '[' */
  if (!expect_more (r, error))
    return FALSE;
  if (*r->p == ']')
    {
      r->p++;
      *out = g_steal_pointer (&array);
      return TRUE;
    }

  while (TRUE)
    {
      IntakeStrictNode *value = NULL;

      if (!read_value (r, depth + 1, &value, error))
        return FALSE;
      g_ptr_array_add (array->children, value);
      if (!expect_more (r, error))
        return FALSE;
      if (*r->p == ']')
        {
          r->p++;
          *out = g_steal_pointer (&array);
          return TRUE;
        }
      if (!expect_char (r, ',', error))
        return FALSE;
    }
}

static gboolean
read_value (Reader  *r,
            int      depth,
            IntakeStrictNode  **out,
            GError **error)
{
  if (depth > MAX_DEPTH)
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                      _("nested deeper than any session; this is not a session"));
  if (!expect_more (r, error))
    return FALSE;

  switch (*r->p)
    {
    case '{':
      return read_object (r, depth, out, error);
    case '[':
      return read_array (r, depth, out, error);
    case '"':
      {
        char *str = read_string (r, error);

        if (str == NULL)
          return FALSE;
        *out = node_new (INTAKE_STRICT_STRING);
        (*out)->string = str;
        return TRUE;
      }
    case 't':
      return read_literal (r, "true", out, INTAKE_STRICT_BOOLEAN, TRUE, error);
    case 'f':
      return read_literal (r, "false", out, INTAKE_STRICT_BOOLEAN, FALSE, error);
    case 'n':
      return read_literal (r, "null", out, INTAKE_STRICT_NULL, FALSE, error);
    default:
      return read_number (r, out, error);
    }
}

IntakeStrictNode *
intake_strict_json_read (const char  *data,
                         gsize        len,
                         GError     **error)
{
  Reader r = { data, data, data + len };
  g_autoptr(IntakeStrictNode) root = NULL;

  if (len == 0)
    {
      read_fail (&r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                 _("the session is empty; a session is a JSON object"));
      return NULL;
    }
  if (len > INTAKE_SUBMISSION_MAX_SIZE)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_PARSE,
                   _("canonical session: %lu bytes is more than the %u a session "
                     "may have; this is not a session"), (unsigned long) len, INTAKE_SUBMISSION_MAX_SIZE);
      return NULL;
    }
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_PARSE,
                   _("canonical session: not valid UTF-8 (or holds a NUL byte); the plaintext is "
                     "damaged or not a session"));
      return NULL;
    }
  if (!read_value (&r, 1, &root, error))
    return NULL;
  if (r.p != r.end)
    {
      read_fail (&r, error,
                 is_json_space (*r.p) ? INTAKE_SUBMISSION_ERROR_NOT_CANONICAL
                                      : INTAKE_SUBMISSION_ERROR_PARSE,
                 _("bytes after the end of the JSON value"));
      return NULL;
    }
  return g_steal_pointer (&root);
}

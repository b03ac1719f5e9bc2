/* intake-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 parses more than JSON (tests/test-json.c lists what it
 * accepts): block comments, 'single-quoted' strings, 0x10 / 010 / 0b11,
 * .5 and 1., unknown escapes ("\q" is "q"), raw control characters in
 * strings, duplicate keys (the last wins), a second value after the first
 * (dropped), and it wraps integers that do not fit in 64 bits and cuts a
 * string at \u0000. So what comes from outside is first checked here
 * against RFC 8259's grammar, without recursion, and only then handed to
 * json-glib, which on such text builds exactly the tree the text means.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "intake-json.h"

G_DEFINE_QUARK (intake-json-error-quark, intake_json_error)

/* Keys longer than this are cut short in error messages. */
#define PATH_KEY_MAX 48

typedef struct {
  gboolean    is_object;
  guint       index;        /* arrays: the element being read */
  GString    *key;          /* objects: the member being read, decoded */
  gboolean    has_key;      /* objects: key holds the current member's name */
  GHashTable *keys;         /* objects: the keys seen so far */
} Frame;

typedef struct {
  const char *start;
  const char *p;
  const char *end;
  guint       max_depth;
  GArray     *stack;        /* Frame */
  char       *fail_path;    /* where it failed */
} Validator;

static void
frame_clear (Frame *frame)
{
  if (frame->key != NULL)
    g_string_free (g_steal_pointer (&frame->key), TRUE);
  g_clear_pointer (&frame->keys, g_hash_table_unref);
}

static gboolean
is_path_identifier (const char *key)
{
  if (*key == '\0' || g_ascii_isdigit (*key))
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static void
append_key (GString    *path,
            const char *key)
{
  gsize n = 0;

  if (is_path_identifier (key) && strlen (key) <= PATH_KEY_MAX)
    {
      g_string_append_printf (path, ".%s", key);
      return;
    }
  g_string_append (path, "[\"");
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == PATH_KEY_MAX)
        {
          g_string_append (path, "...");
          break;
        }
      if (c == '"' || c == '\\')
        g_string_append_printf (path, "\\%c", (char) c);
      else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || g_unichar_type (c) == G_UNICODE_FORMAT)
        g_string_append_printf (path, "\\u%04x", c);   /* shown, never acted on by the terminal */
      else
        g_string_append_unichar (path, c);
    }
  g_string_append (path, "\"]");
}

static char *
current_path (Validator *v)
{
  GString *path = g_string_new ("$");

  for (guint i = 0; i < v->stack->len; i++)
    {
      Frame *frame = &g_array_index (v->stack, Frame, i);

      if (!frame->is_object)
        g_string_append_printf (path, "[%u]", frame->index);
      else if (frame->has_key)
        append_key (path, frame->key->str);
    }
  return g_string_free (path, FALSE);
}

static gboolean fail_at (Validator        *v,
                         const char       *at,
                         GError          **error,
                         IntakeJsonError   code,
                         const char       *format,
                         ...) G_GNUC_PRINTF (5, 6);

/* Fails with "line L, column C: what"; the path goes to v->fail_path. */
static gboolean
fail_at (Validator        *v,
         const char       *at,
         GError          **error,
         IntakeJsonError   code,
         const char       *format,
         ...)
{
  g_autofree char *what = NULL;
  const char *line_start = v->start;
  guint line = 1;
  va_list args;

  for (const char *p = v->start; p < at; p++)
    if (*p == '\n')
      {
        line++;
        line_start = p + 1;
      }
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_free (v->fail_path);
  v->fail_path = current_path (v);
  /* The text before @at is valid UTF-8 (checked first), so the column
   * counts characters. */
  g_set_error (error, INTAKE_JSON_ERROR, code, "line %u, column %ld: %s", line,
               g_utf8_strlen (line_start, at - line_start) + 1, what);
  return FALSE;
}

#define FAIL fail_at

static void
skip_space (Validator *v)
{
  while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
    v->p++;
}

static gboolean
at_end (Validator *v)
{
  return v->p >= v->end;
}

/* What to say about an unexpected character where @expected was due. */
static gboolean
unexpected (Validator   *v,
            const char  *expected,
            GError     **error)
{
  char c;

  if (at_end (v))
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX, "the text ends where %s was expected; it is cut short",
                 expected);
  c = *v->p;
  if (c == '/' && v->p + 1 < v->end && (v->p[1] == '*' || v->p[1] == '/'))
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_COMMENT, "a comment; JSON has no comments, remove it");
  if (c == '#')
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_COMMENT, "a # comment; JSON has no comments, remove it");
  if (c == '\'')
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SINGLE_QUOTE,
                 "a string in single quotes; JSON strings use double quotes (\")");
  if (g_ascii_isprint (c))
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX, "unexpected '%c' where %s was expected", c, expected);
  return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX, "unexpected byte 0x%02x where %s was expected",
               (guint) (guchar) c, expected);
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

/* Four hex digits at @p; -1 if there are not. */
static int
read_hex4 (Validator  *v,
           const char *p)
{
  int value = 0;

  if (v->end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* A string at v->p (on its opening quote); decoded into @out when not NULL. */
static gboolean
read_string (Validator  *v,
             GString    *out,
             GError    **error)
{
  const char *p = v->p + 1;

  for (;;)
    {
      guchar c;

      if (p >= v->end)
        return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX,
                     "a string that is never closed; add the closing \"");
      c = (guchar) *p;
      if (c == '"')
        break;
      if (c < 0x20)
        return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                     "a raw control character (U+%04X) inside a string; write it as an escape "
                     "(\\n, \\t, \\u00XX)", (guint) c);
      if (c != '\\')
        {
          if (out != NULL)
            g_string_append_c (out, (char) c);
          p++;
          continue;
        }

      if (p + 1 >= v->end)
        return FAIL (v, p, error, INTAKE_JSON_ERROR_SYNTAX, "a string that is never closed; add the closing \"");
      switch (p[1])
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, p[1]);
          p += 2;
          break;
        case 'b': if (out != NULL) g_string_append_c (out, '\b'); p += 2; break;
        case 'f': if (out != NULL) g_string_append_c (out, '\f'); p += 2; break;
        case 'n': if (out != NULL) g_string_append_c (out, '\n'); p += 2; break;
        case 'r': if (out != NULL) g_string_append_c (out, '\r'); p += 2; break;
        case 't': if (out != NULL) g_string_append_c (out, '\t'); p += 2; break;
        case 'u':
          {
            int unit = read_hex4 (v, p + 2);
            gunichar ch;

            if (unit < 0)
              return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                           "\\u must be followed by four hexadecimal digits");
            if (unit == 0)
              return FAIL (v, p, error, INTAKE_JSON_ERROR_NUL,
                           "the escape \\u0000 (a NUL character), which would cut the string short; "
                           "remove it");
            ch = (gunichar) unit;
            if (unit >= 0xdc00 && unit <= 0xdfff)
              return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                           "a lone low surrogate \\u%04x; write the character itself or a whole "
                           "surrogate pair", (guint) unit);
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                int low = -1;

                if (v->end - p >= 12 && p[6] == '\\' && p[7] == 'u')
                  low = read_hex4 (v, p + 8);
                if (low < 0xdc00 || low > 0xdfff)
                  return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                               "a high surrogate \\u%04x without its low half; write the character "
                               "itself or a whole surrogate pair", (guint) unit);
                ch = 0x10000 + (((gunichar) unit - 0xd800) << 10) + ((gunichar) low - 0xdc00);
                p += 6;
              }
            if (out != NULL)
              g_string_append_unichar (out, ch);
            p += 6;
            break;
          }
        default:
          if (g_ascii_isprint (p[1]))
            return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                         "the escape \\%c is not JSON; only \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX are",
                         p[1]);
          return FAIL (v, p, error, INTAKE_JSON_ERROR_STRING,
                       "a backslash before byte 0x%02x is not an escape; only \\\" \\\\ \\/ \\b \\f \\n "
                       "\\r \\t and \\uXXXX are", (guint) (guchar) p[1]);
        }
    }
  v->p = p + 1;
  return TRUE;
}

static gboolean
read_number (Validator  *v,
             GError    **error)
{
  const char *start = v->p;
  const char *p = v->p;
  gboolean integer = TRUE;
  g_autofree char *token = NULL;

  if (*p == '-')
    p++;
  if (p >= v->end || !g_ascii_isdigit (*p))
    return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER,
                 "a minus sign without digits after it; write a number such as -1");
  if (*p == '0' && p + 1 < v->end)
    {
      char next = p[1];

      if (next == 'x' || next == 'X' || next == 'b' || next == 'B' || next == 'o' || next == 'O')
        return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER,
                     "a hexadecimal, binary or octal number; JSON numbers are decimal");
      if (g_ascii_isdigit (next))
        return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER,
                     "a number with a leading zero; write it without (json-glib would read 010 as 8)");
    }
  while (p < v->end && g_ascii_isdigit (*p))
    p++;
  if (p < v->end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p >= v->end || !g_ascii_isdigit (*p))
        return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER,
                     "a decimal point without digits after it; write 1.0 or 1, not 1.");
      while (p < v->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < v->end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < v->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= v->end || !g_ascii_isdigit (*p))
        return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER, "an exponent without digits");
      while (p < v->end && g_ascii_isdigit (*p))
        p++;
    }

  token = g_strndup (start, p - start);
  if (integer)
    {
      if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, NULL, NULL))
        return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER,
                     "the integer %s does not fit in 64 bits", token);
    }
  else if (!isfinite (g_ascii_strtod (token, NULL)))
    return FAIL (v, start, error, INTAKE_JSON_ERROR_NUMBER, "the number %s is out of range", token);
  v->p = p;
  return TRUE;
}

static gboolean
read_word (Validator  *v,
           GError    **error)
{
  static const char * const words[] = { "true", "false", "null" };
  const char *p = v->p;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize n = strlen (words[i]);

      if ((gsize) (v->end - p) >= n && memcmp (p, words[i], n) == 0 &&
          (p + n == v->end || !g_ascii_isalnum (p[n])))
        {
          v->p = p + n;
          return TRUE;
        }
    }
  while (p < v->end && (g_ascii_isalnum (*p) || *p == '_'))
    p++;
  return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX,
               "the word \"%.*s\" is not a JSON value (true, false and null are, in lowercase)",
               (int) MIN (p - v->p, 32), v->p);
}

static Frame *
top (Validator *v)
{
  return v->stack->len > 0 ? &g_array_index (v->stack, Frame, v->stack->len - 1) : NULL;
}

static gboolean
push (Validator  *v,
      gboolean    is_object,
      GError    **error)
{
  Frame frame = { .is_object = is_object };

  if (v->stack->len >= v->max_depth)
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_TOO_DEEP,
                 "nested more than %u levels deep", v->max_depth);
  g_array_append_val (v->stack, frame);
  v->p++;
  return TRUE;
}

/* Reads a member's key (v->p on its quote) and the colon after it. */
static gboolean
read_key (Validator  *v,
          GError    **error)
{
  Frame *frame = top (v);

  g_assert (frame != NULL && frame->is_object);
  frame->has_key = FALSE;
  if (at_end (v) || *v->p != '"')
    return unexpected (v, "a key in double quotes", error);
  if (frame->key == NULL)
    frame->key = g_string_new (NULL);
  g_string_truncate (frame->key, 0);
  if (!read_string (v, frame->key, error))
    return FALSE;
  frame->has_key = TRUE;
  if (frame->keys == NULL)
    frame->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Keys are compared decoded: "a" and "\u0061" are the same key. */
  if (!g_hash_table_add (frame->keys, g_strdup (frame->key->str)))
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_DUPLICATE_KEY,
                 "the key appears more than once in this object; keep only one");
  skip_space (v);
  if (at_end (v) || *v->p != ':')
    return unexpected (v, "':' after the key", error);
  v->p++;
  return TRUE;
}

static gboolean
validate (Validator  *v,
          GError    **error)
{
  skip_space (v);
  if (at_end (v))
    return FAIL (v, v->p, error, INTAKE_JSON_ERROR_EMPTY, "there is no JSON value, only white space or nothing");

  for (;;)
    {
      Frame *frame;

      /* A value. */
      skip_space (v);
      if (at_end (v))
        return unexpected (v, "a value", error);
      switch (*v->p)
        {
        case '{':
          if (!push (v, TRUE, error))
            return FALSE;
          skip_space (v);
          if (!at_end (v) && *v->p == '}')
            {
              v->p++;
              g_array_set_size (v->stack, v->stack->len - 1);
              break;
            }
          if (!read_key (v, error))
            return FALSE;
          continue;
        case '[':
          if (!push (v, FALSE, error))
            return FALSE;
          skip_space (v);
          if (!at_end (v) && *v->p == ']')
            {
              v->p++;
              g_array_set_size (v->stack, v->stack->len - 1);
              break;
            }
          continue;
        case '"':
          if (!read_string (v, NULL, error))
            return FALSE;
          break;
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          if (!read_number (v, error))
            return FALSE;
          break;
        case '+':
          return FAIL (v, v->p, error, INTAKE_JSON_ERROR_NUMBER, "a number with a + sign; write it without");
        case '.':
          return FAIL (v, v->p, error, INTAKE_JSON_ERROR_NUMBER,
                       "a number that starts with a decimal point; write 0.5, not .5");
        case '$':
          return FAIL (v, v->p, error, INTAKE_JSON_ERROR_NUMBER,
                       "a hexadecimal number; JSON numbers are decimal");
        default:
          if (g_ascii_isalpha (*v->p))
            {
              if (!read_word (v, error))
                return FALSE;
              break;
            }
          return unexpected (v, "a value", error);
        }

      /* After a value: the next member or element, or the end of the
       * container(s) it closes. */
      for (;;)
        {
          skip_space (v);
          if (!(frame = top (v)))
            {
              if (!at_end (v))
                return FAIL (v, v->p, error, INTAKE_JSON_ERROR_TRAILING,
                             "something follows the JSON value; send one value only");
              return TRUE;
            }
          if (at_end (v))
            return unexpected (v, frame->is_object ? "',' or '}'" : "',' or ']'", error);
          if (*v->p == ',')
            {
              v->p++;
              skip_space (v);
              if (!at_end (v) && (*v->p == '}' || *v->p == ']'))
                return FAIL (v, v->p, error, INTAKE_JSON_ERROR_SYNTAX,
                             "a comma before '%c'; remove the trailing comma", *v->p);
              if (frame->is_object)
                {
                  if (!read_key (v, error))
                    return FALSE;
                }
              else
                frame->index++;
              break;
            }
          if (*v->p == (frame->is_object ? '}' : ']'))
            {
              v->p++;
              g_array_set_size (v->stack, v->stack->len - 1);   /* clears the frame */
              continue;
            }
          return unexpected (v, frame->is_object ? "',' or '}'" : "',' or ']'", error);
        }
    }
}

gboolean
intake_json_validate_at (const char  *data,
                         gsize        len,
                         guint        max_depth,
                         char       **out_path,
                         GError     **error)
{
  /* data + len only once len > 0: an empty GBytes gives data NULL, and
   * NULL + 0 is undefined. */
  Validator v = { .start = data, .p = data, .max_depth = max_depth };
  const char *invalid = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_path != NULL)
    *out_path = NULL;
  if (len == 0)
    {
      if (out_path != NULL)
        *out_path = g_strdup ("$");
      g_set_error_literal (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_EMPTY,
                           "line 1, column 1: there is no JSON value, only white space or nothing");
      return FALSE;
    }
  v.end = data + len;
  /* Never runs past the end, so the text need not be terminated. */
  if (!g_utf8_validate_len (data, len, &invalid))
    {
      if (out_path != NULL)
        *out_path = g_strdup ("$");
      g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_ENCODING,
                   "byte %" G_GSIZE_FORMAT ": the text is not UTF-8 (or has a NUL byte); JSON is UTF-8 text",
                   (gsize) (invalid - data));
      return FALSE;
    }
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      if (out_path != NULL)
        *out_path = g_strdup ("$");
      g_set_error_literal (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_ENCODING,
                           "line 1, column 1: the text starts with a byte order mark; save it as "
                           "UTF-8 without one");
      return FALSE;
    }

  v.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (v.stack, (GDestroyNotify) frame_clear);
  ok = validate (&v, error);
  g_array_unref (v.stack);
  if (out_path != NULL)
    *out_path = g_steal_pointer (&v.fail_path);
  g_free (v.fail_path);
  return ok;
}

gboolean
intake_json_validate (const char  *data,
                      gsize        len,
                      guint        max_depth,
                      GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *colon;

  if (intake_json_validate_at (data, len, max_depth, &path, &local_error))
    return TRUE;
  /* "line L, column C: what" becomes "line L, column C, at $.path: what". */
  colon = strstr (local_error->message, ": ");
  g_assert (colon != NULL);
  g_set_error (error, INTAKE_JSON_ERROR, local_error->code, "%.*s, at %s%s",
               (int) (colon - local_error->message), local_error->message, path, colon);
  return FALSE;
}

gboolean
intake_json_parse_untrusted (JsonParser  *parser,
                             const char  *data,
                             gsize        len,
                             guint        max_depth,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!intake_json_validate (data, len, max_depth, error))
    return FALSE;
  /* Strict JSON is a subset of what json-glib reads, so this fails only
   * when json-glib cannot get memory; still, never trust that silently. */
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_SYNTAX, "json-glib cannot read it: %s",
                   local_error != NULL ? local_error->message : "no value");
      return FALSE;
    }
  return TRUE;
}

const char *
intake_json_get_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
intake_json_get_int (JsonObject *object,
                     const char *name,
                     gint64     *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out_value = json_node_get_int (node);
  return TRUE;
}

/* Standard base64's alphabet: each character's 6 bits, 255 for anything
 * else ('=' included: padding is read apart). */
static const guint8 base64_values[256] = {
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
   52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
  255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
   15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
  255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
   41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

guint8 *
intake_base64_decode_strict_len (const char *text,
                                 gsize       len,
                                 gsize      *out_len)
{
  const guint8 *in = (const guint8 *) text;
  gsize padding, quads;
  guint8 *out, *o;

  *out_len = 0;
  if (text == NULL || len == 0 || len % 4 != 0)
    return NULL;
  padding = in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0;
  quads = len / 4;
  o = out = g_malloc (quads * 3);
  for (gsize q = 0; q < quads; q++, in += 4)
    {
      guint a = base64_values[in[0]], b = base64_values[in[1]], c, d;
      guint32 bits;

      /* The last quad may end in one or two '=' (the only place '=' may
       * be); the bits they stand for are taken as zero, and the unused
       * low bits of the last character are ignored, as GLib does. */
      if (q == quads - 1 && padding > 0)
        {
          c = padding == 2 ? 0 : base64_values[in[2]];
          d = 0;
        }
      else
        {
          c = base64_values[in[2]];
          d = base64_values[in[3]];
        }
      if ((a | b | c | d) > 63)
        {
          g_free (out);
          return NULL;
        }
      bits = (guint32) a << 18 | (guint32) b << 12 | (guint32) c << 6 | (guint32) d;
      *o++ = (guint8) (bits >> 16);
      *o++ = (guint8) (bits >> 8);
      *o++ = (guint8) bits;
    }
  *out_len = quads * 3 - padding;
  return out;
}

guint8 *
intake_base64_decode_strict (const char *text,
                             gsize      *out_len)
{
  return intake_base64_decode_strict_len (text, text != NULL ? strlen (text) : 0, out_len);
}

static void
bytes_unref0 (GBytes *bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

static const char *
skip_json_space (const char *p,
                 const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

GPtrArray *
intake_json_scan_base64_list (const char *data,
                              gsize       len,
                              const char *name,
                              guint       max_decoded)
{
  g_autoptr(GPtrArray) list = NULL;
  const char *p = data, *end = data + len;
  gsize name_len;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  /* { "NAME" : [ */
  name_len = strlen (name);
  p = skip_json_space (p, end);
  if (p == end || *p++ != '{')
    return NULL;
  p = skip_json_space (p, end);
  if ((gsize) (end - p) < name_len + 2 || p[0] != '"' || memcmp (p + 1, name, name_len) != 0 ||
      p[name_len + 1] != '"')
    return NULL;
  p = skip_json_space (p + name_len + 2, end);
  if (p == end || *p++ != ':')
    return NULL;
  p = skip_json_space (p, end);
  if (p == end || *p++ != '[')
    return NULL;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bytes_unref0);
  p = skip_json_space (p, end);
  if (p < end && *p == ']')
    p++;
  else
    for (;;)
      {
        const char *start;
        guint8 *bytes;
        gsize n;

        /* A string of printable ASCII with no escape: anything else
         * (an escape, a control or non-ASCII character, another type)
         * is left to the full parser. */
        if (p == end || *p++ != '"')
          return NULL;
        start = p;
        while (p < end && *p != '"')
          {
            if (*p < 0x20 || *p > 0x7e || *p == '\\')
              return NULL;
            p++;
          }
        if (p == end)
          return NULL;
        bytes = list->len < max_decoded ? intake_base64_decode_strict_len (start, (gsize) (p - start), &n) : NULL;
        g_ptr_array_add (list, bytes != NULL ? g_bytes_new_take (bytes, n) : NULL);
        p = skip_json_space (p + 1, end);
        if (p == end)
          return NULL;
        if (*p == ']')
          {
            p++;
            break;
          }
        if (*p++ != ',')
          return NULL;
        p = skip_json_space (p, end);
      }

  /* ] } and nothing after */
  p = skip_json_space (p, end);
  if (p == end || *p++ != '}')
    return NULL;
  if (skip_json_space (p, end) != end)
    return NULL;
  return g_steal_pointer (&list);
}

guint8 *
intake_json_get_base64 (JsonObject *object,
                        const char *name,
                        gsize      *out_len)
{
  return intake_base64_decode_strict (intake_json_get_string (object, name), out_len);
}

GPtrArray *
intake_json_get_base64_list (JsonObject  *object,
                             const char  *name,
                             GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL)
    return g_steal_pointer (&list);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TYPE, "$.%s is not an array", name);
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gsize len = 0;
      guint8 *raw = JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING
                    ? intake_base64_decode_strict (json_node_get_string (element), &len) : NULL;

      if (raw == NULL)
        {
          g_set_error (error, INTAKE_JSON_ERROR, INTAKE_JSON_ERROR_TYPE, "$.%s[%u] is not a base64 string", name, i);
          return NULL;
        }
      g_ptr_array_add (list, g_bytes_new_take (raw, len));
    }
  return g_steal_pointer (&list);
}

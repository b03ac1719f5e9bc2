/* intake-canonical-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "intake-canonical-json.h"

G_DEFINE_QUARK (intake-canonical-json-error-quark, intake_canonical_json_error)

/* A writer that only counts while @data is NULL. */
typedef struct {
  char  *data;
  gsize  len;
} Writer;

static void
put (Writer     *w,
     const char *bytes,
     gsize       n)
{
  if (w->data != NULL)
    memcpy (w->data + w->len, bytes, n);
  w->len += n;
}

gsize
intake_canonical_json_write_string (const char *str,
                                    char       *out)
{
  static const char hex[] = "0123456789abcdef";
  gsize n = 0;

  g_return_val_if_fail (str != NULL, 0);

#define EMIT(c) G_STMT_START { if (out != NULL) out[n] = (c); n++; } G_STMT_END
  EMIT ('"');
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':  EMIT ('\\'); EMIT ('"'); break;
        case '\\': EMIT ('\\'); EMIT ('\\'); break;
        case '\b': EMIT ('\\'); EMIT ('b'); break;
        case '\f': EMIT ('\\'); EMIT ('f'); break;
        case '\n': EMIT ('\\'); EMIT ('n'); break;
        case '\r': EMIT ('\\'); EMIT ('r'); break;
        case '\t': EMIT ('\\'); EMIT ('t'); break;
        default:
          if (*p < 0x20)
            {
              EMIT ('\\'); EMIT ('u'); EMIT ('0'); EMIT ('0');
              EMIT (hex[*p >> 4]);
              EMIT (hex[*p & 0xf]);
            }
          else
            {
              EMIT ((char) *p);
            }
          break;
        }
    }
  EMIT ('"');
#undef EMIT

  return n;
}

static gboolean
put_string (Writer      *w,
            const char  *str,
            GError     **error)
{
  if (!g_utf8_validate (str, -1, NULL))
    {
      g_set_error (error, INTAKE_CANONICAL_JSON_ERROR, INTAKE_CANONICAL_JSON_ERROR_INVALID_UTF8,
                   "A string is not valid UTF-8; only UTF-8 text can be serialized");
      return FALSE;
    }
  w->len += intake_canonical_json_write_string (str, w->data != NULL ? w->data + w->len : NULL);
  return TRUE;
}

static void
put_int (Writer *w,
         gint64  value)
{
  char buf[32];
  int n = g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);

  put (w, buf, n);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  /* strcmp() compares as unsigned char, which is UTF-8 byte order. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
put_node (Writer    *w,
          JsonNode  *node,
          GError   **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        guint n = g_list_length (members);
        g_autofree const char **keys = g_new0 (const char *, n + 1);
        guint i = 0;

        for (GList *l = members; l != NULL; l = l->next)
          keys[i++] = l->data;
        qsort (keys, n, sizeof (char *), compare_keys);

        put (w, "{", 1);
        for (i = 0; i < n; i++)
          {
            if (i > 0)
              put (w, ",", 1);
            if (!put_string (w, keys[i], error))
              return FALSE;
            put (w, ":", 1);
            if (!put_node (w, json_object_get_member (object, keys[i]), error))
              return FALSE;
          }
        put (w, "}", 1);
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        put (w, "[", 1);
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              put (w, ",", 1);
            if (!put_node (w, json_array_get_element (array, i), error))
              return FALSE;
          }
        put (w, "]", 1);
        return TRUE;
      }

    case JSON_NODE_NULL:
      put (w, "null", 4);
      return TRUE;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return put_string (w, json_node_get_string (node), error);

        case G_TYPE_INT64:
          put_int (w, json_node_get_int (node));
          return TRUE;

        case G_TYPE_BOOLEAN:
          if (json_node_get_boolean (node))
            put (w, "true", 4);
          else
            put (w, "false", 5);
          return TRUE;

        case G_TYPE_DOUBLE:
          {
            double d = json_node_get_double (node);

            /* 2^63 is exactly representable; anything at or beyond it is not a gint64. */
            if (!isfinite (d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0 ||
                (double) (gint64) d != d)
              {
                g_set_error (error, INTAKE_CANONICAL_JSON_ERROR, INTAKE_CANONICAL_JSON_ERROR_NOT_INTEGER,
                             "The number %g is not an integer; the canonical form only has integers", d);
                return FALSE;
              }
            put_int (w, (gint64) d);
            return TRUE;
          }

        default:
          break;
        }
      break;

    default:
      break;
    }

  g_set_error (error, INTAKE_CANONICAL_JSON_ERROR, INTAKE_CANONICAL_JSON_ERROR_UNSUPPORTED,
               "A JSON value of type %s has no canonical form", json_node_type_name (node));
  return FALSE;
}

char *
intake_canonical_json_serialize (JsonNode  *node,
                                 gsize     *out_len,
                                 GError   **error)
{
  Writer w = { NULL, 0 };
  gsize measured;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!put_node (&w, node, error))
    return NULL;

  measured = w.len;
  w.data = g_malloc (measured + 1);
  w.len = 0;
  if (!put_node (&w, node, error))
    g_assert_not_reached ();
  g_assert (w.len == measured);
  w.data[w.len] = '\0';

  if (out_len != NULL)
    *out_len = w.len;
  return w.data;
}

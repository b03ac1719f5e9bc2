/* intake-submission.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>


#include "intake-canonical-json.h"
#include "intake-secure.h"
#include "intake-session.h"
#include "intake-submission.h"

G_DEFINE_QUARK (intake-submission-error-quark, intake_submission_error)
G_DEFINE_QUARK (intake-questionnaire-set-error-quark, intake_questionnaire_set_error)

/* ------------------------------------------------------------------ */
/* Words for staff                                                      */

/* The words the staff apps put around the questionnaire's own texts, and the
 * names of the residents' languages. The staff apps are Dutch-only for now
 * (docs/review.md); another staff language is one more entry here, nothing
 * else. The questionnaire's texts themselves come from the questionnaire. */
typedef struct {
  const char *code;
  const char *name;
} LanguageName;

typedef struct {
  const char   *staff_language;
  const char   *yes;
  const char   *no;
  const char   *declined;        /* the resident's own "rather not say" answer */
  const char   *skipped;
  const char   *scale_from;      /* "7 (van 0 'x' tot 10 'y')" */
  const char   *scale_to;
  const char   *rung;            /* "Trede 3: ..." */
  const char   *list_separator;
  LanguageName  languages[24];
} StaffWords;

static const StaffWords staff_words[] = {
  {
    .staff_language = "nl",
    .yes = "Ja",
    .no = "Nee",
    .declined = "Wil ik liever niet zeggen",
    .skipped = "Overgeslagen",
    .scale_from = "van",
    .scale_to = "tot",
    .rung = "Trede",
    .list_separator = "; ",
    .languages = {
      { "nl", "Nederlands" },
      { "en", "Engels" },
      { "ar", "Arabisch" },
      { "tr", "Turks" },
      { "fa", "Perzisch of Dari" },
      { "ti", "Tigrinya" },
      { "uk", "Oekraïens" },
      { "pl", "Pools" },
      { "de", "Duits" },
      { "fr", "Frans" },
      { "es", "Spaans" },
      { "ru", "Russisch" },
      { "so", "Somalisch" },
      { "ku", "Koerdisch" },
      { "ps", "Pasjtoe" },
      { "ro", "Roemeens" },
      { "bg", "Bulgaars" },
      { "pt", "Portugees" },
      { "it", "Italiaans" },
      { "am", "Amhaars" },
      { NULL, NULL },
    },
  },
};

static const StaffWords *
lookup_staff_words (const char *staff_language)
{
  if (staff_language == NULL)
    staff_language = "nl";
  for (guint i = 0; i < G_N_ELEMENTS (staff_words); i++)
    if (strcmp (staff_words[i].staff_language, staff_language) == 0)
      return &staff_words[i];
  return NULL;
}

const char *
intake_submission_language_name (const char *code,
                                 const char *staff_language)
{
  const StaffWords *words = lookup_staff_words (staff_language);

  g_return_val_if_fail (code != NULL, NULL);

  if (words == NULL)
    return NULL;
  for (guint i = 0; words->languages[i].code != NULL; i++)
    if (strcmp (words->languages[i].code, code) == 0)
      return words->languages[i].name;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* A small strict JSON reader                                           */

/* The plaintext is read with this reader rather than json-glib so that every
 * decoded string lands in memory we wipe, and so that the canonical form is
 * checked while reading (no white space, keys in byte order, minimal escapes). */

typedef enum {
  J_NULL,
  J_BOOLEAN,
  J_INTEGER,
  J_STRING,
  J_ARRAY,
  J_OBJECT,
} JType;

typedef struct _JNode JNode;

struct _JNode {
  JType       type;
  char       *key;       /* when a member of an object */
  gboolean    boolean;
  gint64      integer;
  char       *string;
  GPtrArray  *children;  /* J_ARRAY, J_OBJECT: JNode * */
};

#define MAX_DEPTH 8

static void
jnode_free (JNode *node)
{
  if (node == NULL)
    return;
  intake_secure_strfree (node->key);
  intake_secure_strfree (node->string);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  intake_secure_wipe (node, sizeof *node);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JNode, jnode_free)

static JNode *
jnode_new (JType type)
{
  JNode *node = g_new0 (JNode, 1);

  node->type = type;
  if (type == J_ARRAY || type == J_OBJECT)
    node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) jnode_free);
  return node;
}

static JNode *
jnode_member (JNode      *object,
              const char *key)
{
  for (guint i = 0; i < object->children->len; i++)
    {
      JNode *child = g_ptr_array_index (object->children, i);

      if (strcmp (child->key, key) == 0)
        return child;
    }
  return NULL;
}

/* A member that check_keys() made sure of. */
static JNode *
jnode_required (JNode      *object,
                const char *key)
{
  JNode *child = jnode_member (object, key);

  if (child == NULL)
    g_assert_not_reached ();
  return child;
}

static const char *
jtype_name (JType type)
{
  switch (type)
    {
    case J_NULL: return "null";
    case J_BOOLEAN: return "a boolean";
    case J_INTEGER: return "an integer";
    case J_STRING: return "a string";
    case J_ARRAY: return "an array";
    case J_OBJECT: return "an object";
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
               "canonical session: at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (r->p - r->start), what);
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
                      "the JSON ends too early; the session is truncated");
  if (is_json_space (*r->p))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                      "white space; a kiosk writes the session in canonical form, without any");
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
      g_autofree char *what = g_strdup_printf ("expected '%c'; this is not valid JSON", c);

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
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, "a string is not closed");
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
                     "a control character inside a string must be escaped; this is not valid JSON");
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
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, "a string is not closed");
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
                     "\"\\/\" is not the canonical escape; the canonical form writes '/' as is");
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
                               "\"\\u\" must be followed by four hex digits; this is not valid JSON");
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
                           "a string holds U+0000, which no answer can contain");
                return NULL;
              }
            if (value >= 0x20 || !lowercase ||
                value == '\b' || value == '\f' || value == '\n' || value == '\r' || value == '\t')
              {
                intake_secure_strfree (out);
                read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                           "a \"\\u\" escape the canonical form does not use; it escapes only "
                           "control characters, with lowercase hex, and short forms where they exist");
                return NULL;
              }
            out[n++] = (char) value;
            r->p += 6;
            continue;
          }
        default:
          intake_secure_strfree (out);
          read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                     "an unknown escape in a string; this is not valid JSON");
          return NULL;
        }
    }

  out[n] = '\0';
  return out;
}

static gboolean read_value (Reader  *r,
                            int      depth,
                            JNode  **out,
                            GError **error);

static gboolean
read_number (Reader  *r,
             JNode  **out,
             GError **error)
{
  const char *begin = r->p;
  g_autofree char *token = NULL;
  gint64 value;

  if (*r->p == '-')
    r->p++;
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, "not a JSON value");
  if (*r->p == '0' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                      "a number with a leading zero; this is not valid JSON");
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    r->p++;
  if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE,
                        "a number with a fraction or exponent; every number in a session is "
                        "a whole number written without them");
    }
  token = g_strndup (begin, (gsize) (r->p - begin));
  if (!g_ascii_string_to_signed (token, 10, G_MININT64, G_MAXINT64, &value, NULL))
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE,
                        "an integer that does not fit in 64 bits");
    }
  if (value == 0 && *begin == '-')
    {
      r->p = begin;
      return read_fail (r, error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL,
                        "\"-0\" is not canonical; zero is written \"0\"");
    }
  *out = jnode_new (J_INTEGER);
  (*out)->integer = value;
  return TRUE;
}

static gboolean
read_literal (Reader      *r,
              const char  *word,
              JNode      **out,
              JType        type,
              gboolean     boolean,
              GError     **error)
{
  gsize len = strlen (word);

  if ((gsize) (r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE, "not a JSON value");
  r->p += len;
  *out = jnode_new (type);
  (*out)->boolean = boolean;
  return TRUE;
}

static gboolean
read_object (Reader  *r,
             int      depth,
             JNode  **out,
             GError **error)
{
  g_autoptr(JNode) object = jnode_new (J_OBJECT);
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
      JNode *value = NULL;
      int order;

      if (!expect_more (r, error))
        return FALSE;
      if (*r->p != '"')
        return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                          "expected a key in double quotes; this is not valid JSON");
      key = read_string (r, error);
      if (key == NULL)
        return FALSE;
      order = previous != NULL ? strcmp (previous, key) : -1;
      if (order >= 0)
        {
          g_autofree char *what = NULL;

          r->p = key_start;
          if (order == 0)
            what = g_strdup_printf ("the key \"%s\" appears twice in one object", key);
          else
            what = g_strdup_printf ("the key \"%s\" comes after \"%s\"; the canonical form "
                                    "sorts keys by their bytes", key, previous);
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
            JNode  **out,
            GError **error)
{
  g_autoptr(JNode) array = jnode_new (J_ARRAY);

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
      JNode *value = NULL;

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
            JNode  **out,
            GError **error)
{
  if (depth > MAX_DEPTH)
    return read_fail (r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                      "nested deeper than any session; this is not a session");
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
        *out = jnode_new (J_STRING);
        (*out)->string = str;
        return TRUE;
      }
    case 't':
      return read_literal (r, "true", out, J_BOOLEAN, TRUE, error);
    case 'f':
      return read_literal (r, "false", out, J_BOOLEAN, FALSE, error);
    case 'n':
      return read_literal (r, "null", out, J_NULL, FALSE, error);
    default:
      return read_number (r, out, error);
    }
}

static JNode *
read_document (const char  *data,
               gsize        len,
               GError     **error)
{
  Reader r = { data, data, data + len };
  g_autoptr(JNode) root = NULL;

  if (len == 0)
    {
      read_fail (&r, error, INTAKE_SUBMISSION_ERROR_PARSE,
                 "the session is empty; a session is a JSON object");
      return NULL;
    }
  if (len > INTAKE_SUBMISSION_MAX_SIZE)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_PARSE,
                   "canonical session: %" G_GSIZE_FORMAT " bytes is more than the %u a session "
                   "may have; this is not a session", len, INTAKE_SUBMISSION_MAX_SIZE);
      return NULL;
    }
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_PARSE,
                   "canonical session: not valid UTF-8 (or holds a NUL byte); the plaintext is "
                   "damaged or not a session");
      return NULL;
    }
  if (!read_value (&r, 1, &root, error))
    return NULL;
  if (r.p != r.end)
    {
      read_fail (&r, error,
                 is_json_space (*r.p) ? INTAKE_SUBMISSION_ERROR_NOT_CANONICAL
                                      : INTAKE_SUBMISSION_ERROR_PARSE,
                 "bytes after the end of the JSON value");
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* ------------------------------------------------------------------ */
/* IntakeSubmission                                                     */

typedef struct {
  const char            *code;   /* owned by the tree */
  IntakeSubmissionState  state;
  JNode                 *value;  /* ANSWERED; owned by the tree */
} Entry;

struct _IntakeSubmission {
  GObject      parent_instance;

  JNode       *root;
  const char  *questionnaire_id;
  guint32      questionnaire_version;
  const char  *questionnaire_hash;
  const char  *language;
  const char  *started_at_string;
  const char  *finished_at_string;
  GDateTime   *started_at;
  GDateTime   *finished_at;
  GHashTable  *entries;  /* code -> Entry */
};

G_DEFINE_FINAL_TYPE (IntakeSubmission, intake_submission, G_TYPE_OBJECT)

static void
intake_submission_finalize (GObject *object)
{
  IntakeSubmission *self = INTAKE_SUBMISSION (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->root, jnode_free);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->finished_at, g_date_time_unref);

  G_OBJECT_CLASS (intake_submission_parent_class)->finalize (object);
}

static void
intake_submission_class_init (IntakeSubmissionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_submission_finalize;
}

static void
intake_submission_init (IntakeSubmission *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

static gboolean fail (GError                **error,
                      IntakeSubmissionError   code,
                      const char             *path,
                      const char             *format,
                      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError                **error,
      IntakeSubmissionError   code,
      const char             *path,
      const char             *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, INTAKE_SUBMISSION_ERROR, code, "canonical session: %s: %s", path, message);
  return FALSE;
}

static gboolean
expect_type (JNode       *node,
             JType        type,
             const char  *path,
             const char  *what,
             GError     **error)
{
  if (node->type == type)
    return TRUE;
  return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path, "%s, not %s, was expected",
               what, jtype_name (node->type));
}

static gboolean
matches_code (const char *s,
              gboolean    first_may_be_digit)
{
  gsize len = strlen (s);

  if (len < 1 || len > 48)
    return FALSE;
  if (!(g_ascii_islower (s[0]) || (first_may_be_digit && g_ascii_isdigit (s[0]))))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_question_code (const char *s)
{
  return matches_code (s, FALSE);
}

static gboolean
is_option_code (const char *s)
{
  return matches_code (s, TRUE);
}

static gboolean
is_questionnaire_id (const char *s)
{
  gsize len = strlen (s);

  if (len < 1 || len > 64 || !(g_ascii_islower (s[0]) || g_ascii_isdigit (s[0])))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && !strchr ("._-", s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_hash (const char *s)
{
  if (strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
parse_digits (const char *s,
              gsize       n,
              int        *out)
{
  int value = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      value = value * 10 + (s[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* Strict "YYYY-MM-DDTHH:MM:SSZ", a real UTC time (no leap second). */
static GDateTime *
parse_utc_time (const char *s)
{
  int y, mo, d, h, mi, se;

  if (strlen (s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || s[19] != 'Z')
    return NULL;
  if (!parse_digits (s, 4, &y) || !parse_digits (s + 5, 2, &mo) || !parse_digits (s + 8, 2, &d) ||
      !parse_digits (s + 11, 2, &h) || !parse_digits (s + 14, 2, &mi) || !parse_digits (s + 17, 2, &se))
    return NULL;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) mo, (GDateYear) y) ||
      h > 23 || mi > 59 || se > 59)
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, se);
}

/* A sorted list of distinct codes (declined, skipped, a multiple choice). */
static gboolean
check_code_list (JNode       *array,
                 const char  *path,
                 gboolean     option_codes,
                 GError     **error)
{
  for (guint i = 0; i < array->children->len; i++)
    {
      JNode *element = g_ptr_array_index (array->children, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

      if (!expect_type (element, J_STRING, element_path,
                        option_codes ? "an option code (a string)" : "a question code (a string)",
                        error))
        return FALSE;
      if (option_codes ? !is_option_code (element->string) : !is_question_code (element->string))
        return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, element_path,
                     "\"%s\" is not a valid %s code", element->string,
                     option_codes ? "option" : "question");
      if (i > 0)
        {
          JNode *before = g_ptr_array_index (array->children, i - 1);
          int order = strcmp (before->string, element->string);

          if (order == 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE, element_path,
                         "\"%s\" is listed twice", element->string);
          if (order > 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL, element_path,
                         "\"%s\" comes after \"%s\"; the list must be sorted",
                         element->string, before->string);
        }
    }
  return TRUE;
}

static gboolean
add_entry (IntakeSubmission       *self,
           const char             *code,
           IntakeSubmissionState   state,
           JNode                  *value,
           const char             *path,
           GError                **error)
{
  static const char * const state_names[] = { NULL, "answers", "declined", "skipped" };
  Entry *existing = g_hash_table_lookup (self->entries, code);
  Entry *entry;

  if (existing != NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_CONFLICT, path,
                 "question \"%s\" is in both \"%s\" and \"%s\"; a question is answered, "
                 "declined or skipped, only one of them", code,
                 state_names[existing->state], state_names[state]);
  entry = g_new0 (Entry, 1);
  entry->code = code;
  entry->state = state;
  entry->value = value;
  g_hash_table_insert (self->entries, (gpointer) code, entry);
  return TRUE;
}

static const char * const top_keys[] = {
  "answers", "declined", "finished_at", "format", "language", "questionnaire", "skipped",
  "started_at", NULL
};
static const char * const identity_keys[] = { "hash", "id", "version", NULL };

static gboolean
check_keys (JNode               *object,
            const char * const  *keys,
            const char          *path,
            GError             **error)
{
  for (guint i = 0; i < object->children->len; i++)
    {
      JNode *child = g_ptr_array_index (object->children, i);

      if (!g_strv_contains (keys, child->key))
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) keys);

          return fail (error, INTAKE_SUBMISSION_ERROR_UNKNOWN_KEY, path,
                       "unknown key \"%s\"; a session of format 1 has only %s",
                       child->key, allowed);
        }
    }
  for (guint i = 0; keys[i] != NULL; i++)
    if (jnode_member (object, keys[i]) == NULL)
      return fail (error, INTAKE_SUBMISSION_ERROR_MISSING_KEY, path,
                   "the required key \"%s\" is missing", keys[i]);
  return TRUE;
}

static gboolean
load (IntakeSubmission  *self,
      GError           **error)
{
  JNode *root = self->root;
  JNode *format, *identity, *node;

  if (!expect_type (root, J_OBJECT, "$", "a JSON object", error))
    return FALSE;

  /* The format first: a later format may have other keys. */
  format = jnode_member (root, "format");
  if (format == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_MISSING_KEY, "$",
                 "the required key \"format\" is missing");
  if (!expect_type (format, J_INTEGER, "$.format", "an integer", error))
    return FALSE;
  if (format->integer != 1)
    return fail (error, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_FORMAT, "$.format",
                 "format %" G_GINT64_FORMAT " is not supported; this review app reads format 1 "
                 "(update the review app)", format->integer);
  if (!check_keys (root, top_keys, "$", error))
    return FALSE;

  /* Questionnaire identity. */
  identity = jnode_required (root, "questionnaire");
  if (!expect_type (identity, J_OBJECT, "$.questionnaire", "an object", error) ||
      !check_keys (identity, identity_keys, "$.questionnaire", error))
    return FALSE;
  node = jnode_required (identity, "id");
  if (!expect_type (node, J_STRING, "$.questionnaire.id", "a string", error))
    return FALSE;
  if (!is_questionnaire_id (node->string))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.id",
                 "\"%s\" is not a questionnaire id ([a-z0-9][a-z0-9._-]{0,63})", node->string);
  self->questionnaire_id = node->string;
  node = jnode_required (identity, "version");
  if (!expect_type (node, J_INTEGER, "$.questionnaire.version", "an integer", error))
    return FALSE;
  if (node->integer < 1 || node->integer > G_MAXUINT32)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.version",
                 "version %" G_GINT64_FORMAT " is out of range; versions start at 1",
                 node->integer);
  self->questionnaire_version = (guint32) node->integer;
  node = jnode_required (identity, "hash");
  if (!expect_type (node, J_STRING, "$.questionnaire.hash", "a string", error))
    return FALSE;
  if (!is_hash (node->string))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.hash",
                 "not a questionnaire hash (64 lowercase hex digits)");
  self->questionnaire_hash = node->string;

  /* Language. */
  node = jnode_required (root, "language");
  if (!expect_type (node, J_STRING, "$.language", "a language code (a string)", error))
    return FALSE;
  if (strlen (node->string) != 2 || !g_ascii_islower (node->string[0]) ||
      !g_ascii_islower (node->string[1]))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.language",
                 "\"%s\" is not a language code (two lowercase letters)", node->string);
  self->language = node->string;

  /* Times. */
  node = jnode_required (root, "started_at");
  if (!expect_type (node, J_STRING, "$.started_at", "a time (a string)", error))
    return FALSE;
  self->started_at = parse_utc_time (node->string);
  if (self->started_at == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.started_at",
                 "\"%s\" is not a UTC time written YYYY-MM-DDTHH:MM:SSZ", node->string);
  self->started_at_string = node->string;
  node = jnode_required (root, "finished_at");
  if (!expect_type (node, J_STRING, "$.finished_at", "a time (a string)", error))
    return FALSE;
  self->finished_at = parse_utc_time (node->string);
  if (self->finished_at == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.finished_at",
                 "\"%s\" is not a UTC time written YYYY-MM-DDTHH:MM:SSZ", node->string);
  self->finished_at_string = node->string;
  if (g_date_time_compare (self->started_at, self->finished_at) > 0)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.finished_at",
                 "the session finished (%s) before it started (%s)",
                 self->finished_at_string, self->started_at_string);

  /* Answers. */
  node = jnode_required (root, "answers");
  if (!expect_type (node, J_OBJECT, "$.answers", "an object", error))
    return FALSE;
  for (guint i = 0; i < node->children->len; i++)
    {
      JNode *value = g_ptr_array_index (node->children, i);
      g_autofree char *path = g_strdup_printf ("$.answers.%s", value->key);

      if (!is_question_code (value->key))
        return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.answers",
                     "\"%s\" is not a question code ([a-z][a-z0-9_]{0,47})", value->key);
      switch (value->type)
        {
        case J_NULL:
          return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path,
                       "null is not an answer; \"rather not say\" is listed in \"declined\"");
        case J_OBJECT:
          return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path,
                       "an object is not an answer; an answer is a string, an array of option "
                       "codes, an integer or a boolean");
        case J_STRING:
          if (value->string[0] == '\0')
            return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, path,
                         "an empty string is not an answer");
          break;
        case J_ARRAY:
          if (value->children->len == 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, path,
                         "an empty list of options is not an answer");
          if (!check_code_list (value, path, TRUE, error))
            return FALSE;
          break;
        case J_BOOLEAN:
        case J_INTEGER:
        default:
          break;
        }
      if (!add_entry (self, value->key, INTAKE_SUBMISSION_ANSWERED, value, path, error))
        return FALSE;
    }

  /* Declined and skipped. */
  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "declined" : "skipped";
      g_autofree char *path = g_strdup_printf ("$.%s", key);

      node = jnode_required (root, key);
      if (!expect_type (node, J_ARRAY, path, "an array of question codes", error) ||
          !check_code_list (node, path, FALSE, error))
        return FALSE;
      for (guint i = 0; i < node->children->len; i++)
        {
          JNode *element = g_ptr_array_index (node->children, i);
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

          if (!add_entry (self, element->string,
                          k == 0 ? INTAKE_SUBMISSION_DECLINED : INTAKE_SUBMISSION_SKIPPED,
                          NULL, element_path, error))
            return FALSE;
        }
    }

  return TRUE;
}

IntakeSubmission *
intake_submission_new_from_data (const guint8  *data,
                                 gsize          len,
                                 GError       **error)
{
  g_autoptr(IntakeSubmission) self = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (INTAKE_TYPE_SUBMISSION, NULL);
  self->root = read_document ((const char *) data, len, error);
  if (self->root == NULL || !load (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

IntakeSubmission *
intake_submission_new_from_secure (const IntakeSecureBuffer  *plaintext,
                                   GError                   **error)
{
  g_return_val_if_fail (plaintext != NULL, NULL);
  return intake_submission_new_from_data (plaintext->data, plaintext->len, error);
}

IntakeSubmission *
intake_submission_new_from_bytes (GBytes  *bytes,
                                  GError **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &len);
  return intake_submission_new_from_data (data != NULL ? data : (const guint8 *) "", len, error);
}

const char *
intake_submission_get_questionnaire_id (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->questionnaire_id;
}

guint32
intake_submission_get_questionnaire_version (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), 0);
  return self->questionnaire_version;
}

const char *
intake_submission_get_questionnaire_hash (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->questionnaire_hash;
}

const char *
intake_submission_get_language (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->language;
}

GDateTime *
intake_submission_get_started_at (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->started_at;
}

GDateTime *
intake_submission_get_finished_at (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->finished_at;
}

const char *
intake_submission_get_started_at_string (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->started_at_string;
}

const char *
intake_submission_get_finished_at_string (IntakeSubmission *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  return self->finished_at_string;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
intake_submission_list_codes (IntakeSubmission *self)
{
  GPtrArray *codes;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);

  codes = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (codes, key);
  g_ptr_array_sort (codes, compare_strings);
  return codes;
}

IntakeSubmissionState
intake_submission_get_state (IntakeSubmission *self,
                             const char       *code)
{
  Entry *entry;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), INTAKE_SUBMISSION_NOT_SHOWN);
  g_return_val_if_fail (code != NULL, INTAKE_SUBMISSION_NOT_SHOWN);

  entry = g_hash_table_lookup (self->entries, code);
  return entry != NULL ? entry->state : INTAKE_SUBMISSION_NOT_SHOWN;
}

gboolean
intake_submission_append_value_text (IntakeSubmission *self,
                                     const char       *code,
                                     GString          *out)
{
  Entry *entry;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  entry = g_hash_table_lookup (self->entries, code);
  if (entry == NULL || entry->state != INTAKE_SUBMISSION_ANSWERED)
    return FALSE;

  switch (entry->value->type)
    {
    case J_STRING:
      g_string_append (out, entry->value->string);
      return FALSE;
    case J_ARRAY:
      for (guint i = 0; i < entry->value->children->len; i++)
        {
          JNode *element = g_ptr_array_index (entry->value->children, i);

          if (i > 0)
            g_string_append_c (out, ';');
          g_string_append (out, element->string);
        }
      return FALSE;
    case J_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, entry->value->integer);
      return TRUE;
    case J_BOOLEAN:
      g_string_append (out, entry->value->boolean ? "true" : "false");
      return FALSE;
    case J_NULL:
    case J_OBJECT:
    default:
      g_assert_not_reached ();
    }
}

static void
append_json_string (GString    *out,
                    const char *str)
{
  gsize n = intake_canonical_json_write_string (str, NULL);
  gsize at = out->len;

  g_string_set_size (out, at + n);
  intake_canonical_json_write_string (str, out->str + at);
}

void
intake_submission_append_value_json (IntakeSubmission *self,
                                     const char       *code,
                                     GString          *out)
{
  Entry *entry;

  g_return_if_fail (INTAKE_IS_SUBMISSION (self));
  g_return_if_fail (code != NULL);
  g_return_if_fail (out != NULL);

  entry = g_hash_table_lookup (self->entries, code);
  if (entry == NULL || entry->state == INTAKE_SUBMISSION_SKIPPED)
    return;
  if (entry->state == INTAKE_SUBMISSION_DECLINED)
    {
      g_string_append (out, "null");
      return;
    }

  switch (entry->value->type)
    {
    case J_STRING:
      append_json_string (out, entry->value->string);
      break;
    case J_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < entry->value->children->len; i++)
        {
          JNode *element = g_ptr_array_index (entry->value->children, i);

          if (i > 0)
            g_string_append_c (out, ',');
          append_json_string (out, element->string);
        }
      g_string_append_c (out, ']');
      break;
    case J_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, entry->value->integer);
      break;
    case J_BOOLEAN:
      g_string_append (out, entry->value->boolean ? "true" : "false");
      break;
    case J_NULL:
    case J_OBJECT:
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* Checking against a questionnaire                                     */

static IntakeAnswer *
entry_to_answer (const Entry           *entry,
                 const IntakeQuestion  *q,
                 GError               **error)
{
  JNode *value = entry->value;
  JType expected;

  if (entry->state == INTAKE_SUBMISSION_DECLINED)
    return intake_answer_new_declined ();

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
    case INTAKE_QUESTION_TYPE_DATE:
      expected = J_STRING;
      break;
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      expected = J_ARRAY;
      break;
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      expected = J_INTEGER;
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      expected = J_BOOLEAN;
      break;
    default:
      g_assert_not_reached ();
    }

  if (value->type != expected)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INVALID_ANSWER,
                   "question \"%s\" is a %s question, but its answer is %s",
                   q->code, intake_question_type_to_string (q->type), jtype_name (value->type));
      return NULL;
    }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      return intake_answer_new_choice (value->string);
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      return intake_answer_new_text (value->string);
    case INTAKE_QUESTION_TYPE_DATE:
      return intake_answer_new_date (value->string);
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        g_autofree const char **codes = g_new0 (const char *, value->children->len + 1);

        for (guint i = 0; i < value->children->len; i++)
          codes[i] = ((JNode *) g_ptr_array_index (value->children, i))->string;
        return intake_answer_new_choices (codes);
      }
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      return intake_answer_new_integer (value->integer);
    case INTAKE_QUESTION_TYPE_YES_NO:
      return intake_answer_new_boolean (value->boolean);
    default:
      g_assert_not_reached ();
    }
}

static const char *
state_word (IntakeSubmissionState state)
{
  switch (state)
    {
    case INTAKE_SUBMISSION_ANSWERED: return "answers";
    case INTAKE_SUBMISSION_DECLINED: return "declines";
    case INTAKE_SUBMISSION_SKIPPED: return "skips";
    case INTAKE_SUBMISSION_NOT_SHOWN:
    default: return "names";
    }
}

/* Replays the submission through an IntakeSession, so the review side applies
 * exactly the kiosk's rules for answers and visibility. */
static IntakeSession *
replay (IntakeSubmission     *self,
        IntakeQuestionnaire  *questionnaire,
        GError              **error)
{
  g_autoptr(IntakeSession) session = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  guint n_questions;

  if (strcmp (self->questionnaire_id, intake_questionnaire_get_id (questionnaire)) != 0 ||
      self->questionnaire_version != intake_questionnaire_get_version (questionnaire) ||
      strcmp (self->questionnaire_hash, intake_questionnaire_get_hash (questionnaire)) != 0)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_QUESTIONNAIRE_MISMATCH,
                   "the submission was made with questionnaire %s version %u (hash %.12s…), not "
                   "with %s version %u (hash %.12s…); look up the right version",
                   self->questionnaire_id, self->questionnaire_version, self->questionnaire_hash,
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire),
                   intake_questionnaire_get_hash (questionnaire));
      return NULL;
    }
  if (intake_questionnaire_lookup_language (questionnaire, self->language) == NULL)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNKNOWN_LANGUAGE,
                   "the session language \"%s\" is not a language of questionnaire %s version %u",
                   self->language, self->questionnaire_id, self->questionnaire_version);
      return NULL;
    }

  codes = intake_submission_list_codes (self);
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);

      if (intake_questionnaire_lookup_question (questionnaire, code) == NULL)
        {
          g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNKNOWN_QUESTION,
                       "the submission %s question \"%s\", which questionnaire %s version %u "
                       "does not have", state_word (intake_submission_get_state (self, code)),
                       code, self->questionnaire_id, self->questionnaire_version);
          return NULL;
        }
    }

  session = intake_session_new (questionnaire, self->language);
  intake_session_set_now (session, self->finished_at);

  n_questions = intake_questionnaire_get_n_questions (questionnaire);
  for (guint i = 0; i < n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);
      const Entry *entry = g_hash_table_lookup (self->entries, q->code);
      gboolean visible = intake_session_is_visible (session, q->code);
      g_autoptr(GError) local_error = NULL;
      IntakeAnswer *answer;

      if (entry == NULL)
        {
          if (visible)
            {
              g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INCONSISTENT,
                           "question \"%s\" was shown (given the earlier answers) but the "
                           "submission neither answers, declines nor skips it", q->code);
              return NULL;
            }
          continue;
        }
      if (!visible)
        {
          g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INCONSISTENT,
                       "the submission %s question \"%s\", which the earlier answers hide",
                       state_word (entry->state), q->code);
          return NULL;
        }
      if (entry->state == INTAKE_SUBMISSION_SKIPPED)
        {
          if (q->required)
            {
              g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INCONSISTENT,
                           "question \"%s\" is required but the submission skips it", q->code);
              return NULL;
            }
          continue;
        }

      answer = entry_to_answer (entry, q, error);
      if (answer == NULL)
        return NULL;
      if (!intake_session_set_answer (session, q->code, answer, &local_error))
        {
          g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INVALID_ANSWER,
                       "question \"%s\": %s", q->code, local_error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&session);
}

gboolean
intake_submission_check (IntakeSubmission     *self,
                         IntakeQuestionnaire  *questionnaire,
                         GError              **error)
{
  g_autoptr(IntakeSession) session = NULL;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), FALSE);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  session = replay (self, questionnaire, error);
  return session != NULL;
}

GPtrArray *
intake_submission_dup_answers (IntakeSubmission     *self,
                               IntakeQuestionnaire  *questionnaire,
                               GError              **error)
{
  g_autoptr(IntakeSession) session = NULL;
  GPtrArray *answers;
  guint n_questions;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  session = replay (self, questionnaire, error);
  if (session == NULL)
    return NULL;

  n_questions = intake_questionnaire_get_n_questions (questionnaire);
  answers = g_ptr_array_new_full (n_questions, (GDestroyNotify) intake_answer_free);
  for (guint i = 0; i < n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);
      const IntakeAnswer *answer = intake_session_get_answer (session, q->code);

      g_ptr_array_add (answers, answer != NULL ? intake_answer_copy (answer) : NULL);
    }
  return answers;
}

/* ------------------------------------------------------------------ */
/* Answers in words                                                     */

static void
append_scale (GString              *out,
              const StaffWords     *words,
              const IntakeQuestion *q,
              gint64                value)
{
  const char *lang = words->staff_language;

  g_string_append_printf (out, "%" G_GINT64_FORMAT " (%s %" G_GINT64_FORMAT " '%s' %s %"
                          G_GINT64_FORMAT " '%s')",
                          value, words->scale_from, q->min, intake_text_get (q->min_label, lang),
                          words->scale_to, q->max, intake_text_get (q->max_label, lang));
}

char *
intake_submission_format_answer (const IntakeQuestion *q,
                                 const IntakeAnswer   *answer,
                                 const char           *staff_language)
{
  const StaffWords *words = lookup_staff_words (staff_language);
  const char *lang;
  GString *out;

  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (answer != NULL, NULL);

  if (words == NULL)
    return NULL;
  lang = words->staff_language;
  out = g_string_new (NULL);

  if (intake_answer_is_declined (answer))
    {
      g_string_append (out, words->declined);
      return g_string_free (out, FALSE);
    }

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
      {
        const IntakeOption *option = intake_question_lookup_option (q, intake_answer_get_string (answer));

        g_string_append (out, option != NULL ? intake_text_get (option->label, lang)
                                             : intake_answer_get_string (answer));
        break;
      }

    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      {
        gboolean first = TRUE;

        /* Option order, as the resident saw them. */
        for (guint i = 0; i < q->n_options; i++)
          if (intake_answer_has_choice (answer, q->options[i].code))
            {
              if (!first)
                g_string_append (out, words->list_separator);
              g_string_append (out, intake_text_get (q->options[i].label, lang));
              first = FALSE;
            }
        break;
      }

    case INTAKE_QUESTION_TYPE_SCALE:
      append_scale (out, words, q, intake_answer_get_integer (answer));
      break;

    case INTAKE_QUESTION_TYPE_YES_NO:
      g_string_append (out, intake_answer_get_boolean (answer) ? words->yes : words->no);
      break;

    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
      g_string_append (out, intake_answer_get_string (answer));
      break;

    case INTAKE_QUESTION_TYPE_NUMBER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, intake_answer_get_integer (answer));
      if (q->unit != NULL)
        g_string_append_printf (out, " %s", intake_text_get (q->unit, lang));
      break;

    case INTAKE_QUESTION_TYPE_DATE:
      {
        const char *iso = intake_answer_get_string (answer);

        /* Validated "YYYY-MM-DD"; staff read dd-mm-jjjj. */
        if (strlen (iso) == 10)
          g_string_append_printf (out, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
        else
          g_string_append (out, iso);
        break;
      }

    case INTAKE_QUESTION_TYPE_LADDER:
      {
        gint64 rung = intake_answer_get_integer (answer);

        if (rung >= 1 && rung <= INTAKE_LADDER_RUNGS)
          g_string_append_printf (out, "%s %" G_GINT64_FORMAT ": %s", words->rung, rung,
                                  intake_text_get (q->rungs[rung - 1], lang));
        else
          g_string_append_printf (out, "%s %" G_GINT64_FORMAT, words->rung, rung);
        break;
      }

    default:
      g_assert_not_reached ();
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

G_DEFINE_BOXED_TYPE (IntakeRendering, intake_rendering, intake_rendering_copy, intake_rendering_free)

static void
wipe_strv (char **strv)
{
  if (strv == NULL)
    return;
  for (char **p = strv; *p != NULL; p++)
    intake_secure_strfree (*p);
  g_free (strv);
}

void
intake_rendering_free (IntakeRendering *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_rows; i++)
    {
      IntakeRenderedRow *row = &self->rows[i];

      intake_secure_strfree (row->code);
      intake_secure_strfree (row->section_code);
      intake_secure_strfree (row->section_title);
      intake_secure_strfree (row->question_text);
      intake_secure_strfree (row->answer_text);
      wipe_strv (row->answer_items);
      intake_secure_strfree (row->text_language);
      intake_secure_strfree (row->text_language_name);
    }
  g_free (self->rows);
  intake_secure_strfree (self->staff_language);
  intake_secure_strfree (self->questionnaire_id);
  intake_secure_strfree (self->questionnaire_hash);
  intake_secure_strfree (self->questionnaire_title);
  intake_secure_strfree (self->language);
  intake_secure_strfree (self->language_name);
  intake_secure_strfree (self->language_autonym);
  intake_secure_strfree (self->started_at);
  intake_secure_strfree (self->finished_at);
  intake_secure_wipe (self, sizeof *self);
  g_free (self);
}

IntakeRendering *
intake_rendering_copy (const IntakeRendering *self)
{
  IntakeRendering *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (IntakeRendering, 1);
  copy->staff_language = g_strdup (self->staff_language);
  copy->raw = self->raw;
  copy->questionnaire_id = g_strdup (self->questionnaire_id);
  copy->questionnaire_version = self->questionnaire_version;
  copy->questionnaire_hash = g_strdup (self->questionnaire_hash);
  copy->questionnaire_title = g_strdup (self->questionnaire_title);
  copy->language = g_strdup (self->language);
  copy->language_name = g_strdup (self->language_name);
  copy->language_autonym = g_strdup (self->language_autonym);
  copy->language_draft = self->language_draft;
  copy->started_at = g_strdup (self->started_at);
  copy->finished_at = g_strdup (self->finished_at);
  copy->n_rows = self->n_rows;
  copy->rows = g_new0 (IntakeRenderedRow, MAX (self->n_rows, 1));
  for (guint i = 0; i < self->n_rows; i++)
    {
      const IntakeRenderedRow *row = &self->rows[i];
      IntakeRenderedRow *to = &copy->rows[i];

      to->code = g_strdup (row->code);
      to->type = row->type;
      to->state = row->state;
      to->section_code = g_strdup (row->section_code);
      to->section_title = g_strdup (row->section_title);
      to->question_text = g_strdup (row->question_text);
      to->answer_text = g_strdup (row->answer_text);
      to->answer_items = g_strdupv (row->answer_items);
      to->text_language = g_strdup (row->text_language);
      to->text_language_name = g_strdup (row->text_language_name);
    }
  return copy;
}

static char *
format_local_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%d-%m-%Y %H:%M");
}

static IntakeRendering *
rendering_new (IntakeSubmission *self,
               const char       *staff_language,
               guint             n_rows)
{
  IntakeRendering *rendering = g_new0 (IntakeRendering, 1);
  const char *name = intake_submission_language_name (self->language, staff_language);

  rendering->staff_language = g_strdup (staff_language);
  rendering->questionnaire_id = g_strdup (self->questionnaire_id);
  rendering->questionnaire_version = self->questionnaire_version;
  rendering->questionnaire_hash = g_strdup (self->questionnaire_hash);
  rendering->language = g_strdup (self->language);
  rendering->language_name = g_strdup (name != NULL ? name : self->language);
  rendering->started_at = format_local_time (self->started_at);
  rendering->finished_at = format_local_time (self->finished_at);
  rendering->n_rows = n_rows;
  rendering->rows = g_new0 (IntakeRenderedRow, MAX (n_rows, 1));
  return rendering;
}

static gboolean
check_staff_language (const char  *staff_language,
                      GError     **error)
{
  if (lookup_staff_words (staff_language) != NULL)
    return TRUE;
  g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE,
               "the staff apps have no words for language \"%s\"; they are Dutch-only for now "
               "(use \"nl\")", staff_language);
  return FALSE;
}

IntakeRendering *
intake_submission_render (IntakeSubmission     *self,
                          IntakeQuestionnaire  *questionnaire,
                          const char           *staff_language,
                          GError              **error)
{
  g_autoptr(GPtrArray) answers = NULL;
  const StaffWords *words;
  const IntakeLanguage *resident_language;
  IntakeRendering *rendering;
  guint n_questions, n_rows = 0;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (staff_language == NULL)
    staff_language = "nl";
  if (!check_staff_language (staff_language, error))
    return NULL;
  words = lookup_staff_words (staff_language);
  if (intake_questionnaire_lookup_language (questionnaire, staff_language) == NULL)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE,
                   "questionnaire %s version %u has no texts in \"%s\"",
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire), staff_language);
      return NULL;
    }

  answers = intake_submission_dup_answers (self, questionnaire, error);
  if (answers == NULL)
    return NULL;

  n_questions = intake_questionnaire_get_n_questions (questionnaire);
  for (guint i = 0; i < n_questions; i++)
    if (intake_submission_get_state (self, intake_questionnaire_get_question (questionnaire, i)->code) !=
        INTAKE_SUBMISSION_NOT_SHOWN)
      n_rows++;

  rendering = rendering_new (self, staff_language, n_rows);
  resident_language = intake_questionnaire_lookup_language (questionnaire, self->language);
  rendering->questionnaire_title = g_strdup (intake_questionnaire_get_title (questionnaire, staff_language));
  rendering->language_autonym = g_strdup (resident_language->name);
  rendering->language_draft = !resident_language->reviewed;

  for (guint i = 0, r = 0; i < n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);
      const IntakeSection *section = intake_questionnaire_get_section (questionnaire, q->section);
      IntakeSubmissionState state = intake_submission_get_state (self, q->code);
      const IntakeAnswer *answer = g_ptr_array_index (answers, i);
      IntakeRenderedRow *row;

      if (state == INTAKE_SUBMISSION_NOT_SHOWN)
        continue;

      row = &rendering->rows[r++];
      row->code = g_strdup (q->code);
      row->type = q->type;
      row->section_code = g_strdup (section->code);
      row->section_title = g_strdup (intake_text_get (section->title, staff_language));
      row->question_text = g_strdup (intake_text_get (q->text, staff_language));

      switch (state)
        {
        case INTAKE_SUBMISSION_DECLINED:
          row->state = INTAKE_ROW_DECLINED;
          row->answer_text = g_strdup (words->declined);
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          row->state = INTAKE_ROW_SKIPPED;
          row->answer_text = g_strdup (words->skipped);
          break;
        case INTAKE_SUBMISSION_ANSWERED:
          row->state = INTAKE_ROW_ANSWERED;
          g_assert (answer != NULL);
          row->answer_text = intake_submission_format_answer (q, answer, staff_language);
          if (q->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE)
            {
              GPtrArray *items = g_ptr_array_new ();

              for (guint k = 0; k < q->n_options; k++)
                if (intake_answer_has_choice (answer, q->options[k].code))
                  g_ptr_array_add (items, g_strdup (intake_text_get (q->options[k].label, staff_language)));
              g_ptr_array_add (items, NULL);
              row->answer_items = (char **) g_ptr_array_free (items, FALSE);
            }
          if (q->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && q->text_kind == INTAKE_TEXT_KIND_TEXT)
            {
              row->text_language = g_strdup (self->language);
              row->text_language_name = g_strdup (rendering->language_name);
            }
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
        default:
          g_assert_not_reached ();
        }
    }

  return rendering;
}

IntakeRendering *
intake_submission_render_raw (IntakeSubmission *self,
                              const char       *staff_language)
{
  g_autoptr(GPtrArray) codes = NULL;
  const StaffWords *words;
  IntakeRendering *rendering;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);

  words = lookup_staff_words (staff_language);
  if (words == NULL)
    words = &staff_words[0];
  codes = intake_submission_list_codes (self);
  rendering = rendering_new (self, words->staff_language, codes->len);
  rendering->raw = TRUE;

  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);
      IntakeRenderedRow *row = &rendering->rows[i];
      GString *value;

      row->code = g_strdup (code);
      row->question_text = g_strdup (code);
      switch (intake_submission_get_state (self, code))
        {
        case INTAKE_SUBMISSION_DECLINED:
          row->state = INTAKE_ROW_DECLINED;
          row->answer_text = g_strdup (words->declined);
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          row->state = INTAKE_ROW_SKIPPED;
          row->answer_text = g_strdup (words->skipped);
          break;
        case INTAKE_SUBMISSION_ANSWERED:
          row->state = INTAKE_ROW_ANSWERED;
          value = g_string_new (NULL);
          intake_submission_append_value_text (self, code, value);
          row->answer_text = g_string_free (value, FALSE);
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
        default:
          g_assert_not_reached ();
        }
    }
  return rendering;
}

/* ------------------------------------------------------------------ */
/* IntakeQuestionnaireSet                                               */

struct _IntakeQuestionnaireSet {
  GObject    parent_instance;

  GPtrArray *questionnaires;  /* IntakeQuestionnaire *, sorted by id then version */
};

G_DEFINE_FINAL_TYPE (IntakeQuestionnaireSet, intake_questionnaire_set, G_TYPE_OBJECT)

static void
intake_questionnaire_set_finalize (GObject *object)
{
  IntakeQuestionnaireSet *self = INTAKE_QUESTIONNAIRE_SET (object);

  g_clear_pointer (&self->questionnaires, g_ptr_array_unref);

  G_OBJECT_CLASS (intake_questionnaire_set_parent_class)->finalize (object);
}

static void
intake_questionnaire_set_class_init (IntakeQuestionnaireSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_questionnaire_set_finalize;
}

static void
intake_questionnaire_set_init (IntakeQuestionnaireSet *self)
{
  self->questionnaires = g_ptr_array_new_with_free_func (g_object_unref);
}

IntakeQuestionnaireSet *
intake_questionnaire_set_new (void)
{
  return g_object_new (INTAKE_TYPE_QUESTIONNAIRE_SET, NULL);
}

static int
compare_questionnaires (gconstpointer a,
                        gconstpointer b)
{
  IntakeQuestionnaire *qa = *(IntakeQuestionnaire * const *) a;
  IntakeQuestionnaire *qb = *(IntakeQuestionnaire * const *) b;
  int order = strcmp (intake_questionnaire_get_id (qa), intake_questionnaire_get_id (qb));

  if (order != 0)
    return order;
  return (intake_questionnaire_get_version (qa) > intake_questionnaire_get_version (qb)) -
         (intake_questionnaire_get_version (qa) < intake_questionnaire_get_version (qb));
}

static IntakeQuestionnaire *
find (IntakeQuestionnaireSet *self,
      const char             *id,
      guint32                 version)
{
  for (guint i = 0; i < self->questionnaires->len; i++)
    {
      IntakeQuestionnaire *q = g_ptr_array_index (self->questionnaires, i);

      if (strcmp (intake_questionnaire_get_id (q), id) == 0 &&
          intake_questionnaire_get_version (q) == version)
        return q;
    }
  return NULL;
}

gboolean
intake_questionnaire_set_add (IntakeQuestionnaireSet  *self,
                              IntakeQuestionnaire     *questionnaire,
                              GError                 **error)
{
  IntakeQuestionnaire *existing;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), FALSE);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  existing = find (self, intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire));
  if (existing != NULL)
    {
      if (strcmp (intake_questionnaire_get_hash (existing),
                  intake_questionnaire_get_hash (questionnaire)) == 0)
        return TRUE;
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT,
                   "questionnaire %s version %u is already loaded with other content (hash "
                   "%.12s…, not %.12s…); every published change needs a new version number",
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire),
                   intake_questionnaire_get_hash (existing),
                   intake_questionnaire_get_hash (questionnaire));
      return FALSE;
    }

  g_ptr_array_add (self->questionnaires, g_object_ref (questionnaire));
  g_ptr_array_sort (self->questionnaires, compare_questionnaires);
  return TRUE;
}

GPtrArray *
intake_questionnaire_set_list_versions (IntakeQuestionnaireSet *self,
                                        const char             *id)
{
  GPtrArray *versions;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  versions = g_ptr_array_new ();
  for (guint i = 0; i < self->questionnaires->len; i++)
    {
      IntakeQuestionnaire *q = g_ptr_array_index (self->questionnaires, i);

      if (strcmp (intake_questionnaire_get_id (q), id) == 0)
        g_ptr_array_add (versions, q);
    }
  return versions;
}

guint
intake_questionnaire_set_get_n_questionnaires (IntakeQuestionnaireSet *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), 0);
  return self->questionnaires->len;
}

IntakeQuestionnaire *
intake_questionnaire_set_lookup (IntakeQuestionnaireSet  *self,
                                 const char              *id,
                                 guint32                  version,
                                 const char              *hash,
                                 GError                 **error)
{
  g_autoptr(GPtrArray) versions = NULL;
  IntakeQuestionnaire *q;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  q = find (self, id, version);
  if (q != NULL)
    {
      if (strcmp (intake_questionnaire_get_hash (q), hash) == 0)
        return q;
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH,
                   "questionnaire %s version %u is loaded with hash %.12s…, but the submission "
                   "was made with hash %.12s…; the submission is shown as raw codes until the "
                   "exact questionnaire file is installed",
                   id, version, intake_questionnaire_get_hash (q), hash);
      return NULL;
    }

  versions = intake_questionnaire_set_list_versions (self, id);
  if (versions->len == 0)
    {
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID,
                   "no questionnaire \"%s\" is loaded; the submission is shown as raw codes until "
                   "it is installed", id);
      return NULL;
    }
  else
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < versions->len; i++)
        g_string_append_printf (known, "%s%u", i > 0 ? ", " : "",
                                intake_questionnaire_get_version (g_ptr_array_index (versions, i)));
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION,
                   "questionnaire %s version %u is not loaded (loaded: %s); the submission is "
                   "shown as raw codes until that version is installed", id, version, known->str);
      return NULL;
    }
}

IntakeQuestionnaire *
intake_questionnaire_set_lookup_for_submission (IntakeQuestionnaireSet  *self,
                                                IntakeSubmission        *submission,
                                                GError                 **error)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), NULL);

  return intake_questionnaire_set_lookup (self, submission->questionnaire_id,
                                          submission->questionnaire_version,
                                          submission->questionnaire_hash, error);
}

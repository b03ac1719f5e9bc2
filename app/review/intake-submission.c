/* intake-submission.c: a received submission, read back for staff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parsing (with the strict reader of intake-strict-json.c) needs no
 * questionnaire; checking replays the answers through an IntakeSession of the
 * exact questionnaire the submission names (docs/review.md).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-canonical-json.h"
#include "intake-secure.h"
#include "intake-session.h"
#include "intake-strict-json-private.h"
#include "intake-submission.h"

G_DEFINE_QUARK (intake-submission-error-quark, intake_submission_error)

typedef struct {
  const char            *code;   /* owned by the tree */
  IntakeSubmissionState  state;
  IntakeStrictNode      *value;  /* ANSWERED; owned by the tree */
} Entry;

struct _IntakeSubmission {
  GObject           parent_instance;

  IntakeStrictNode *root;
  const char       *questionnaire_id;
  guint32           questionnaire_version;
  const char       *questionnaire_hash;
  const char       *language;
  const char       *started_at_string;
  const char       *finished_at_string;
  GDateTime        *started_at;
  GDateTime        *finished_at;
  GHashTable       *entries;  /* code -> Entry */
};

G_DEFINE_FINAL_TYPE (IntakeSubmission, intake_submission, G_TYPE_OBJECT)

static void
intake_submission_finalize (GObject *object)
{
  IntakeSubmission *self = INTAKE_SUBMISSION (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->root, intake_strict_node_free);
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

/* A member that check_keys() made sure of. */
static IntakeStrictNode *
node_required (IntakeStrictNode *object,
               const char       *key)
{
  IntakeStrictNode *child = intake_strict_node_member (object, key);

  if (child == NULL)
    g_assert_not_reached ();
  return child;
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

  /* Translators: a JSON path such as "$.answers.first_name", then what is wrong there. */
  g_set_error (error, INTAKE_SUBMISSION_ERROR, code, _("canonical session: %s: %s"), path, message);
  return FALSE;
}

static gboolean
expect_type (IntakeStrictNode  *node,
             IntakeStrictType   type,
             const char        *path,
             const char        *what,
             GError           **error)
{
  if (node->type == type)
    return TRUE;
  /* Translators: e.g. "an integer, not a string, was expected". */
  return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path, _("%s, not %s, was expected"),
               what, intake_strict_type_name (node->type));
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
check_code_list (IntakeStrictNode  *array,
                 const char        *path,
                 gboolean           option_codes,
                 GError           **error)
{
  for (guint i = 0; i < array->children->len; i++)
    {
      IntakeStrictNode *element = g_ptr_array_index (array->children, i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

      if (!expect_type (element, INTAKE_STRICT_STRING, element_path,
                        option_codes ? _("an option code (a string)") : _("a question code (a string)"),
                        error))
        return FALSE;
      if (option_codes && !is_option_code (element->string))
        return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, element_path,
                     _("\"%s\" is not a valid option code"), element->string);
      if (!option_codes && !is_question_code (element->string))
        return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, element_path,
                     _("\"%s\" is not a valid question code"), element->string);
      if (i > 0)
        {
          IntakeStrictNode *before = g_ptr_array_index (array->children, i - 1);
          int order = strcmp (before->string, element->string);

          if (order == 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_DUPLICATE_CODE, element_path,
                         _("\"%s\" is listed twice"), element->string);
          if (order > 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_NOT_CANONICAL, element_path,
                         _("\"%s\" comes after \"%s\"; the list must be sorted"),
                         element->string, before->string);
        }
    }
  return TRUE;
}

static gboolean
add_entry (IntakeSubmission       *self,
           const char             *code,
           IntakeSubmissionState   state,
           IntakeStrictNode       *value,
           const char             *path,
           GError                **error)
{
  static const char * const state_names[] = { NULL, "answers", "declined", "skipped" };
  Entry *existing = g_hash_table_lookup (self->entries, code);
  Entry *entry;

  if (existing != NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_CONFLICT, path,
                 /* Translators: a question code, then two of the session's keys
                  * "answers", "declined" and "skipped" (not to be translated). */
                 _("question \"%s\" is in both \"%s\" and \"%s\"; a question is answered, "
                   "declined or skipped, only one of them"), code,
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
check_keys (IntakeStrictNode     *object,
            const char * const   *keys,
            const char           *path,
            GError              **error)
{
  for (guint i = 0; i < object->children->len; i++)
    {
      IntakeStrictNode *child = g_ptr_array_index (object->children, i);

      if (!g_strv_contains (keys, child->key))
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) keys);

          return fail (error, INTAKE_SUBMISSION_ERROR_UNKNOWN_KEY, path,
                       _("unknown key \"%s\"; a session of format 1 has only %s"),
                       child->key, allowed);
        }
    }
  for (guint i = 0; keys[i] != NULL; i++)
    if (intake_strict_node_member (object, keys[i]) == NULL)
      return fail (error, INTAKE_SUBMISSION_ERROR_MISSING_KEY, path,
                   _("the required key \"%s\" is missing"), keys[i]);
  return TRUE;
}

static gboolean
load (IntakeSubmission  *self,
      GError           **error)
{
  IntakeStrictNode *root = self->root;
  IntakeStrictNode *format, *identity, *node;

  if (!expect_type (root, INTAKE_STRICT_OBJECT, "$", _("a JSON object"), error))
    return FALSE;

  /* The format first: a later format may have other keys. */
  format = intake_strict_node_member (root, "format");
  if (format == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_MISSING_KEY, "$",
                 _("the required key \"%s\" is missing"), "format");
  if (!expect_type (format, INTAKE_STRICT_INTEGER, "$.format", "an integer", error))
    return FALSE;
  if (format->integer != 1)
    return fail (error, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_FORMAT, "$.format",
                 _("format %lld is not supported; this review app reads format 1 "
                   "(update the review app)"), (long long) format->integer);
  if (!check_keys (root, top_keys, "$", error))
    return FALSE;

  /* Questionnaire identity. */
  identity = node_required (root, "questionnaire");
  if (!expect_type (identity, INTAKE_STRICT_OBJECT, "$.questionnaire", "an object", error) ||
      !check_keys (identity, identity_keys, "$.questionnaire", error))
    return FALSE;
  node = node_required (identity, "id");
  if (!expect_type (node, INTAKE_STRICT_STRING, "$.questionnaire.id", "a string", error))
    return FALSE;
  if (!is_questionnaire_id (node->string))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.id",
                 _("\"%s\" is not a questionnaire id ([a-z0-9][a-z0-9._-]{0,63})"), node->string);
  self->questionnaire_id = node->string;
  node = node_required (identity, "version");
  if (!expect_type (node, INTAKE_STRICT_INTEGER, "$.questionnaire.version", "an integer", error))
    return FALSE;
  if (node->integer < 1 || node->integer > G_MAXUINT32)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.version",
                 _("version %lld is out of range; versions start at 1"),
                 (long long) node->integer);
  self->questionnaire_version = (guint32) node->integer;
  node = node_required (identity, "hash");
  if (!expect_type (node, INTAKE_STRICT_STRING, "$.questionnaire.hash", "a string", error))
    return FALSE;
  if (!is_hash (node->string))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.questionnaire.hash",
                 _("not a questionnaire hash (64 lowercase hex digits)"));
  self->questionnaire_hash = node->string;

  /* Language. */
  node = node_required (root, "language");
  if (!expect_type (node, INTAKE_STRICT_STRING, "$.language", "a language code (a string)", error))
    return FALSE;
  if (strlen (node->string) != 2 || !g_ascii_islower (node->string[0]) ||
      !g_ascii_islower (node->string[1]))
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.language",
                 _("\"%s\" is not a language code (two lowercase letters)"), node->string);
  self->language = node->string;

  /* Times. */
  node = node_required (root, "started_at");
  if (!expect_type (node, INTAKE_STRICT_STRING, "$.started_at", "a time (a string)", error))
    return FALSE;
  self->started_at = parse_utc_time (node->string);
  if (self->started_at == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.started_at",
                 _("\"%s\" is not a UTC time written YYYY-MM-DDTHH:MM:SSZ"), node->string);
  self->started_at_string = node->string;
  node = node_required (root, "finished_at");
  if (!expect_type (node, INTAKE_STRICT_STRING, "$.finished_at", "a time (a string)", error))
    return FALSE;
  self->finished_at = parse_utc_time (node->string);
  if (self->finished_at == NULL)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.finished_at",
                 _("\"%s\" is not a UTC time written YYYY-MM-DDTHH:MM:SSZ"), node->string);
  self->finished_at_string = node->string;
  if (g_date_time_compare (self->started_at, self->finished_at) > 0)
    return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_TIME, "$.finished_at",
                 _("the session finished (%s) before it started (%s)"),
                 self->finished_at_string, self->started_at_string);

  /* Answers. */
  node = node_required (root, "answers");
  if (!expect_type (node, INTAKE_STRICT_OBJECT, "$.answers", "an object", error))
    return FALSE;
  for (guint i = 0; i < node->children->len; i++)
    {
      IntakeStrictNode *value = g_ptr_array_index (node->children, i);
      g_autofree char *path = g_strdup_printf ("$.answers.%s", value->key);

      if (!is_question_code (value->key))
        return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, "$.answers",
                     _("\"%s\" is not a question code ([a-z][a-z0-9_]{0,47})"), value->key);
      switch (value->type)
        {
        case INTAKE_STRICT_NULL:
          return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path,
                       _("null is not an answer; \"rather not say\" is listed in \"declined\""));
        case INTAKE_STRICT_OBJECT:
          return fail (error, INTAKE_SUBMISSION_ERROR_WRONG_TYPE, path,
                       _("an object is not an answer; an answer is a string, an array of option "
                         "codes, an integer or a boolean"));
        case INTAKE_STRICT_STRING:
          /* The empty string is the answer "I have none" of a text
           * question that offers it (questionnaire version 2 and later);
           * intake_submission_check() refuses it anywhere else. */
          break;
        case INTAKE_STRICT_ARRAY:
          if (value->children->len == 0)
            return fail (error, INTAKE_SUBMISSION_ERROR_INVALID_VALUE, path,
                         _("an empty list of options is not an answer"));
          if (!check_code_list (value, path, TRUE, error))
            return FALSE;
          break;
        case INTAKE_STRICT_BOOLEAN:
        case INTAKE_STRICT_INTEGER:
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

      node = node_required (root, key);
      if (!expect_type (node, INTAKE_STRICT_ARRAY, path, _("an array of question codes"), error) ||
          !check_code_list (node, path, FALSE, error))
        return FALSE;
      for (guint i = 0; i < node->children->len; i++)
        {
          IntakeStrictNode *element = g_ptr_array_index (node->children, i);
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
  self->root = intake_strict_json_read ((const char *) data, len, error);
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
    case INTAKE_STRICT_STRING:
      g_string_append (out, entry->value->string);
      return FALSE;
    case INTAKE_STRICT_ARRAY:
      for (guint i = 0; i < entry->value->children->len; i++)
        {
          IntakeStrictNode *element = g_ptr_array_index (entry->value->children, i);

          if (i > 0)
            g_string_append_c (out, ';');
          g_string_append (out, element->string);
        }
      return FALSE;
    case INTAKE_STRICT_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, entry->value->integer);
      return TRUE;
    case INTAKE_STRICT_BOOLEAN:
      g_string_append (out, entry->value->boolean ? "true" : "false");
      return FALSE;
    case INTAKE_STRICT_NULL:
    case INTAKE_STRICT_OBJECT:
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

char *
intake_submission_dup_display_name (IntakeSubmission *self)
{
  static const char * const codes[] = { "first_name", "last_name" };
  g_autoptr(IntakeSecureString) name = g_string_new (NULL);

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(IntakeSecureString) part = g_string_new (NULL);

      intake_submission_append_value_text (self, codes[i], part);
      g_strstrip (part->str);
      if (*part->str == '\0')
        continue;
      if (name->len > 0)
        g_string_append_c (name, ' ');
      g_string_append (name, part->str);
    }
  return g_strdup (name->str);
}

char *
intake_submission_dup_birth_date (IntakeSubmission *self)
{
  g_autoptr(IntakeSecureString) iso = g_string_new (NULL);

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  intake_submission_append_value_text (self, "birth_date", iso);
  if (iso->len != 10)
    return iso->len > 0 ? g_strdup (iso->str) : NULL;
  return g_strdup_printf ("%.2s-%.2s-%.4s", iso->str + 8, iso->str + 5, iso->str);
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
    case INTAKE_STRICT_STRING:
      append_json_string (out, entry->value->string);
      break;
    case INTAKE_STRICT_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < entry->value->children->len; i++)
        {
          IntakeStrictNode *element = g_ptr_array_index (entry->value->children, i);

          if (i > 0)
            g_string_append_c (out, ',');
          append_json_string (out, element->string);
        }
      g_string_append_c (out, ']');
      break;
    case INTAKE_STRICT_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, entry->value->integer);
      break;
    case INTAKE_STRICT_BOOLEAN:
      g_string_append (out, entry->value->boolean ? "true" : "false");
      break;
    case INTAKE_STRICT_NULL:
    case INTAKE_STRICT_OBJECT:
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
  IntakeStrictNode *value = entry->value;
  IntakeStrictType expected;

  if (entry->state == INTAKE_SUBMISSION_DECLINED)
    return intake_answer_new_declined ();

  switch (q->type)
    {
    case INTAKE_QUESTION_TYPE_SINGLE_CHOICE:
    case INTAKE_QUESTION_TYPE_SHORT_TEXT:
    case INTAKE_QUESTION_TYPE_DATE:
      expected = INTAKE_STRICT_STRING;
      break;
    case INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE:
      expected = INTAKE_STRICT_ARRAY;
      break;
    case INTAKE_QUESTION_TYPE_SCALE:
    case INTAKE_QUESTION_TYPE_NUMBER:
    case INTAKE_QUESTION_TYPE_LADDER:
      expected = INTAKE_STRICT_INTEGER;
      break;
    case INTAKE_QUESTION_TYPE_YES_NO:
      expected = INTAKE_STRICT_BOOLEAN;
      break;
    default:
      g_assert_not_reached ();
    }

  if (value->type != expected)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INVALID_ANSWER,
                   /* Translators: a question code, a question type ("scale",
                    * not to be translated) and a kind of JSON value. */
                   _("question \"%s\" is a %s question, but its answer is %s"),
                   q->code, intake_question_type_to_string (q->type), intake_strict_type_name (value->type));
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
          codes[i] = ((IntakeStrictNode *) g_ptr_array_index (value->children, i))->string;
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

/* The error for a question the submission answers, declines or skips (or
 * names otherwise) although it should not: @hidden says why. */
static void
set_question_error (GError                **error,
                    IntakeSubmissionError   code,
                    IntakeSubmissionState   state,
                    const char             *question,
                    IntakeSubmission       *self,
                    gboolean                hidden)
{
  const char *id = self->questionnaire_id;
  guint version = self->questionnaire_version;

  if (hidden)
    switch (state)
      {
      case INTAKE_SUBMISSION_ANSWERED:
        g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                     _("the submission answers question \"%s\", which the earlier answers hide"), question);
        return;
      case INTAKE_SUBMISSION_DECLINED:
        g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                     _("the submission declines question \"%s\", which the earlier answers hide"), question);
        return;
      case INTAKE_SUBMISSION_SKIPPED:
      case INTAKE_SUBMISSION_NOT_SHOWN:
      default:
        g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                     _("the submission skips question \"%s\", which the earlier answers hide"), question);
        return;
      }

  switch (state)
    {
    case INTAKE_SUBMISSION_ANSWERED:
      g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                   _("the submission answers question \"%s\", which questionnaire %s version %u does not have"),
                   question, id, version);
      return;
    case INTAKE_SUBMISSION_DECLINED:
      g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                   _("the submission declines question \"%s\", which questionnaire %s version %u does not have"),
                   question, id, version);
      return;
    case INTAKE_SUBMISSION_SKIPPED:
    case INTAKE_SUBMISSION_NOT_SHOWN:
    default:
      g_set_error (error, INTAKE_SUBMISSION_ERROR, code,
                   _("the submission skips question \"%s\", which questionnaire %s version %u does not have"),
                   question, id, version);
      return;
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
                   _("the submission was made with questionnaire %s version %u (hash %.12s…), not "
                     "with %s version %u (hash %.12s…); look up the right version"),
                   self->questionnaire_id, self->questionnaire_version, self->questionnaire_hash,
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire),
                   intake_questionnaire_get_hash (questionnaire));
      return NULL;
    }
  if (intake_questionnaire_lookup_language (questionnaire, self->language) == NULL)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNKNOWN_LANGUAGE,
                   _("the session language \"%s\" is not a language of questionnaire %s version %u"),
                   self->language, self->questionnaire_id, self->questionnaire_version);
      return NULL;
    }

  codes = intake_submission_list_codes (self);
  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);

      if (intake_questionnaire_lookup_question (questionnaire, code) == NULL)
        {
          set_question_error (error, INTAKE_SUBMISSION_ERROR_UNKNOWN_QUESTION,
                              intake_submission_get_state (self, code), code, self, FALSE);
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
                           _("question \"%s\" was shown (given the earlier answers) but the "
                             "submission neither answers, declines nor skips it"), q->code);
              return NULL;
            }
          continue;
        }
      if (!visible)
        {
          set_question_error (error, INTAKE_SUBMISSION_ERROR_INCONSISTENT, entry->state, q->code, self, TRUE);
          return NULL;
        }
      if (entry->state == INTAKE_SUBMISSION_SKIPPED)
        {
          if (q->required)
            {
              g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_INCONSISTENT,
                           _("question \"%s\" is required but the submission skips it"), q->code);
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
                       /* Translators: a question code, then the kiosk's own message. */
                       _("question \"%s\": %s"), q->code, local_error->message);
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

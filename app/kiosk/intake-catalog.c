/* intake-catalog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "intake-catalog.h"

/* GNU .mo layout (gettext manual, "The Format of GNU MO Files"): seven
 * 32-bit words in the writer's byte order, then tables of (length, offset)
 * pairs. Every string is followed by a NUL that the length does not count. */
#define MO_MAGIC        0x950412deU
#define MO_HEADER_WORDS 7
#define MO_HEADER_SIZE  (MO_HEADER_WORDS * 4)

typedef struct
{
  GBytes     *mo;
  /* msgid (or "context\004msgid") -> msgstr; both point into mo. */
  GHashTable *strings;
  /* Header field name -> value, both owned. */
  GHashTable *header;
} Table;

struct _IntakeCatalog
{
  GObject     parent_instance;

  /* Language code (owned) -> Table. */
  GHashTable *tables;
};

G_DEFINE_FINAL_TYPE (IntakeCatalog, intake_catalog, G_TYPE_OBJECT)

G_DEFINE_QUARK (intake-catalog-error-quark, intake_catalog_error)

static void
table_free (Table *table)
{
  if (table == NULL)
    return;

  g_clear_pointer (&table->strings, g_hash_table_unref);
  g_clear_pointer (&table->header, g_hash_table_unref);
  g_clear_pointer (&table->mo, g_bytes_unref);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

static gboolean
language_is_valid (const char *language)
{
  gsize len = strlen (language);

  if (len < 2 || len > 32 || !g_ascii_isalpha (language[0]))
    return FALSE;

  for (const char *p = language; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '@')
      return FALSE;

  return TRUE;
}

static guint32
read_u32 (const guint8 *p,
          gboolean      big_endian)
{
  if (big_endian)
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
  else
    return ((guint32)p[3] << 24) | ((guint32)p[2] << 16) | ((guint32)p[1] << 8) | p[0];
}

/* Reads entry @index of the (length, offset) table at @table_offset and
 * returns the string it describes, after checking that the string and its
 * terminating NUL lie inside the data. The caller has checked the table. */
static const char *
read_entry (const guint8  *data,
            gsize          size,
            guint32        table_offset,
            guint32        index,
            gboolean       big_endian,
            const char    *what,
            GError       **error)
{
  guint64 entry = (guint64)table_offset + (guint64)index * 8;
  guint32 length = read_u32 (data + entry, big_endian);
  guint32 offset = read_u32 (data + entry + 4, big_endian);

  if ((guint64)offset + length + 1 > size)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                   "%s %u lies outside the file (offset %u, length %u, file size %"
                   G_GSIZE_FORMAT ")", what, index, offset, length, size);
      return NULL;
    }

  if (data[(gsize)offset + length] != '\0')
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                   "%s %u is not terminated by a NUL byte", what, index);
      return NULL;
    }

  return (const char *)data + offset;
}

static GHashTable *
parse_header (const char *text)
{
  g_autoptr(GHashTable) header = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      char *name;
      char *value;

      if (colon == NULL || colon == lines[i])
        continue;

      name = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      value = g_strstrip (g_strdup (colon + 1));
      g_hash_table_replace (header, name, value);
    }

  return g_steal_pointer (&header);
}

/* Only UTF-8 is read: all our .po files are UTF-8, and converting would
 * bring back the locale dependence this catalog exists to avoid. */
static gboolean
check_charset (GHashTable  *header,
               GError     **error)
{
  const char *content_type = g_hash_table_lookup (header, "Content-Type");
  const char *charset;
  g_autofree char *name = NULL;

  if (content_type == NULL || (charset = strstr (content_type, "charset=")) == NULL)
    return TRUE;

  charset += strlen ("charset=");
  name = g_strndup (charset, strcspn (charset, "; \t"));

  if (g_ascii_strcasecmp (name, "UTF-8") != 0 && g_ascii_strcasecmp (name, "UTF8") != 0)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_UNSUPPORTED,
                   "The catalog uses charset “%s”; convert the .po file to UTF-8 (msgconv -t UTF-8)",
                   name);
      return FALSE;
    }

  return TRUE;
}

static Table *
parse_mo (GBytes  *mo,
          GError **error)
{
  g_autoptr(Table) table = g_new0 (Table, 1);
  const guint8 *data;
  gsize size = 0;
  gboolean big_endian;
  guint32 revision, n_strings, orig_offset, trans_offset, hash_size, hash_offset;

  data = g_bytes_get_data (mo, &size);

  if (size < MO_HEADER_SIZE)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                   "The catalog is too short (%" G_GSIZE_FORMAT " bytes) to be a .mo file", size);
      return NULL;
    }

  if (read_u32 (data, FALSE) == MO_MAGIC)
    big_endian = FALSE;
  else if (read_u32 (data, TRUE) == MO_MAGIC)
    big_endian = TRUE;
  else
    {
      g_set_error_literal (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                           "The catalog does not start with the .mo magic number; "
                           "compile the .po file with msgfmt");
      return NULL;
    }

  revision = read_u32 (data + 4, big_endian);
  n_strings = read_u32 (data + 8, big_endian);
  orig_offset = read_u32 (data + 12, big_endian);
  trans_offset = read_u32 (data + 16, big_endian);
  hash_size = read_u32 (data + 20, big_endian);
  hash_offset = read_u32 (data + 24, big_endian);

  /* Minor revision 1 only adds tables for system-dependent strings, which
   * the kiosk does not use; those entries simply fall back to English. */
  if ((revision >> 16) != 0)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_UNSUPPORTED,
                   "The catalog has .mo revision %u.%u; only major revision 0 is supported",
                   revision >> 16, revision & 0xffff);
      return NULL;
    }

  if ((guint64)orig_offset + (guint64)n_strings * 8 > size ||
      (guint64)trans_offset + (guint64)n_strings * 8 > size)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                   "The string tables of the catalog (%u strings) run past its end", n_strings);
      return NULL;
    }

  /* The hash table is not used for lookups, but a file whose hash table
   * points outside it is corrupt all the same. */
  if (hash_size != 0 && (guint64)hash_offset + (guint64)hash_size * 4 > size)
    {
      g_set_error_literal (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                           "The hash table of the catalog runs past its end");
      return NULL;
    }

  table->mo = g_bytes_ref (mo);
  table->strings = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint32 i = 0; i < n_strings; i++)
    {
      const char *msgid;
      const char *msgstr;

      if (!(msgid = read_entry (data, size, orig_offset, i, big_endian, "Original string", error)) ||
          !(msgstr = read_entry (data, size, trans_offset, i, big_endian, "Translation", error)))
        return NULL;

      /* A plural entry holds "singular\0plural" and "form0\0form1..."; the
       * NUL-terminated prefixes are exactly what lookups use, so only
       * those need to be valid UTF-8. */
      if (!g_utf8_validate (msgid, -1, NULL) || !g_utf8_validate (msgstr, -1, NULL))
        {
          g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED,
                       "Entry %u of the catalog is not valid UTF-8", i);
          return NULL;
        }

      if (msgid[0] == '\0')
        {
          if (table->header == NULL)
            table->header = parse_header (msgstr);
          continue;
        }

      /* msgfmt leaves out untranslated and fuzzy entries; an empty one from
       * another writer must fall back to English all the same. */
      if (msgstr[0] == '\0')
        continue;

      g_hash_table_replace (table->strings, (gpointer)msgid, (gpointer)msgstr);
    }

  if (table->header == NULL)
    table->header = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  else if (!check_charset (table->header, error))
    return NULL;

  return g_steal_pointer (&table);
}

static Table *
lookup_table (IntakeCatalog *self,
              const char    *language)
{
  if (language == NULL)
    return NULL;

  return g_hash_table_lookup (self->tables, language);
}

static void
intake_catalog_finalize (GObject *object)
{
  IntakeCatalog *self = INTAKE_CATALOG (object);

  g_clear_pointer (&self->tables, g_hash_table_unref);

  G_OBJECT_CLASS (intake_catalog_parent_class)->finalize (object);
}

static void
intake_catalog_class_init (IntakeCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = intake_catalog_finalize;
}

static void
intake_catalog_init (IntakeCatalog *self)
{
  self->tables = g_hash_table_new_full (g_str_hash, g_str_equal,
                                        g_free, (GDestroyNotify)table_free);
}

IntakeCatalog *
intake_catalog_new (void)
{
  return g_object_new (INTAKE_TYPE_CATALOG, NULL);
}

gboolean
intake_catalog_add_mo (IntakeCatalog  *self,
                       const char     *language,
                       GBytes         *mo,
                       GError        **error)
{
  Table *table;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (language != NULL, FALSE);
  g_return_val_if_fail (mo != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!language_is_valid (language))
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_INVALID_LANGUAGE,
                   "“%s” is not a language code; use a code such as “nl” or “pt_BR”", language);
      return FALSE;
    }

  if (!(table = parse_mo (mo, error)))
    return FALSE;

  g_hash_table_replace (self->tables, g_strdup (language), table);

  return TRUE;
}

gboolean
intake_catalog_load_resource_dir (IntakeCatalog  *self,
                                  const char     *resource_path,
                                  GError        **error)
{
  g_auto(GStrv) children = NULL;
  g_autoptr(GPtrArray) languages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func ((GDestroyNotify)table_free);

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (resource_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(children = g_resources_enumerate_children (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, error)))
    return FALSE;

  for (guint i = 0; children[i] != NULL; i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *language = NULL;
      g_autoptr(GBytes) bytes = NULL;
      Table *table;

      if (!g_str_has_suffix (children[i], ".mo"))
        continue;

      language = g_strndup (children[i], strlen (children[i]) - strlen (".mo"));
      path = g_build_path ("/", resource_path, children[i], NULL);

      if (!language_is_valid (language))
        {
          g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_INVALID_LANGUAGE,
                       "%s: “%s” is not a language code", path, language);
          return FALSE;
        }

      if (!(bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error)))
        return FALSE;

      if (!(table = parse_mo (bytes, error)))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }

      g_ptr_array_add (languages, g_steal_pointer (&language));
      g_ptr_array_add (tables, table);
    }

  if (languages->len == 0)
    {
      g_set_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_NOT_FOUND,
                   "No translations (<language>.mo) under %s", resource_path);
      return FALSE;
    }

  /* Commit only once every file parsed, so a bad file changes nothing. */
  for (guint i = 0; i < languages->len; i++)
    g_hash_table_replace (self->tables,
                          g_steal_pointer (&languages->pdata[i]),
                          g_steal_pointer (&tables->pdata[i]));

  return TRUE;
}

gboolean
intake_catalog_has_language (IntakeCatalog *self,
                             const char    *language)
{
  g_return_val_if_fail (INTAKE_IS_CATALOG (self), FALSE);

  return lookup_table (self, language) != NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

char **
intake_catalog_dup_languages (IntakeCatalog *self)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;
  char **languages;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), NULL);

  keys = g_hash_table_get_keys_as_array (self->tables, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);

  languages = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    languages[i] = g_strdup (keys[i]);

  return languages;
}

const char *
intake_catalog_lookup (IntakeCatalog *self,
                       const char    *language,
                       const char    *msgid)
{
  Table *table;
  const char *msgstr = NULL;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), msgid);
  g_return_val_if_fail (msgid != NULL, NULL);

  if ((table = lookup_table (self, language)) != NULL && msgid[0] != '\0')
    msgstr = g_hash_table_lookup (table->strings, msgid);

  return msgstr != NULL ? msgstr : msgid;
}

const char *
intake_catalog_lookup_context (IntakeCatalog *self,
                               const char    *language,
                               const char    *context,
                               const char    *msgid)
{
  Table *table;
  const char *msgstr = NULL;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), msgid);
  g_return_val_if_fail (context != NULL, msgid);
  g_return_val_if_fail (msgid != NULL, NULL);

  if ((table = lookup_table (self, language)) != NULL)
    {
      /* gettext stores context entries as "context\004msgid". */
      g_autofree char *key = g_strconcat (context, "\004", msgid, NULL);

      msgstr = g_hash_table_lookup (table->strings, key);
    }

  return msgstr != NULL ? msgstr : msgid;
}

gboolean
intake_catalog_has_translation (IntakeCatalog *self,
                                const char    *language,
                                const char    *msgid)
{
  Table *table;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (msgid != NULL, FALSE);

  if ((table = lookup_table (self, language)) == NULL)
    return FALSE;

  return g_hash_table_contains (table->strings, msgid);
}

guint
intake_catalog_get_n_strings (IntakeCatalog *self,
                              const char    *language)
{
  Table *table;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), 0);

  if ((table = lookup_table (self, language)) == NULL)
    return 0;

  return g_hash_table_size (table->strings);
}

const char **
intake_catalog_dup_msgids (IntakeCatalog *self,
                           const char    *language)
{
  Table *table;
  const char **msgids;
  guint n = 0;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), NULL);

  if ((table = lookup_table (self, language)) == NULL)
    return g_new0 (const char *, 1);

  msgids = (const char **)g_hash_table_get_keys_as_array (table->strings, &n);
  qsort (msgids, n, sizeof (char *), compare_strings);

  return msgids;
}

double
intake_catalog_coverage (IntakeCatalog      *self,
                         const char         *language,
                         const char * const *msgids)
{
  guint total = 0;
  guint translated = 0;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), 0.0);
  g_return_val_if_fail (msgids != NULL, 0.0);

  for (guint i = 0; msgids[i] != NULL; i++)
    {
      total++;
      if (intake_catalog_has_translation (self, language, msgids[i]))
        translated++;
    }

  return total == 0 ? 1.0 : (double)translated / total;
}

const char *
intake_catalog_get_header (IntakeCatalog *self,
                           const char    *language,
                           const char    *field)
{
  Table *table;

  g_return_val_if_fail (INTAKE_IS_CATALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if ((table = lookup_table (self, language)) == NULL)
    return NULL;

  return g_hash_table_lookup (table->header, field);
}

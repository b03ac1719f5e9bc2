/* test-catalog.c: the kiosk's UI string catalog and the project's translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-catalog.h"

/* ---- Helpers ------------------------------------------------------------ */

/* Translations that may equal the English msgid, as {language, msgid}.
 * Keep it short: an entry here must be a word that really is the same in
 * that language, never a string someone forgot to translate. Empty today:
 * every draft translates every string. */
static const char *const identical_allowlist[][2] = {
  /* { "xx", "Taxi" }, */
  { NULL, NULL }
};

static gboolean
identical_allowed (const char *language,
                   const char *msgid)
{
  for (guint i = 0; identical_allowlist[i][0] != NULL; i++)
    if (g_str_equal (identical_allowlist[i][0], language) &&
        g_str_equal (identical_allowlist[i][1], msgid))
      return TRUE;

  return FALSE;
}

static char *
source_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "..", relative, NULL);
}

static char *
read_source_file (const char *relative)
{
  g_autofree char *path = source_path (relative);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Non-comment, non-empty lines of a po/ list file, split at whitespace. */
static GPtrArray *
read_list_file (const char *relative)
{
  g_autofree char *contents = read_source_file (relative);
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (line[0] == '\0' || line[0] == '#')
        continue;
      g_ptr_array_add (rows, g_strsplit_set (line, " \t", -1));
    }

  return rows;
}

static GStrv
read_linguas (void)
{
  g_autoptr(GPtrArray) rows = read_list_file ("po/LINGUAS");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < rows->len; i++)
    g_strv_builder_add (builder, ((char **)rows->pdata[i])[0]);

  return g_strv_builder_end (builder);
}

/* The msgids of po/intake.pot (the template every language translates). The
 * template is written by xgettext, so a small reader suffices: "msgid" lines
 * and their continuation lines, with C escapes. */
static GStrv
read_template_msgids (void)
{
  g_autofree char *contents = read_source_file ("po/intake.pot");
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) current = NULL;

  for (guint i = 0; ; i++)
    {
      const char *line = lines[i];

      if (current != NULL && (line == NULL || line[0] != '"'))
        {
          g_autofree char *msgid = g_strcompress (current->str);

          if (msgid[0] != '\0')
            g_strv_builder_add (builder, msgid);
          g_string_free (g_steal_pointer (&current), TRUE);
        }

      if (line == NULL)
        break;

      if (g_str_has_prefix (line, "msgid \""))
        {
          current = g_string_new (NULL);
          line += strlen ("msgid ");
        }
      else if (current == NULL || line[0] != '"')
        {
          continue;
        }

      /* A quoted segment: drop the surrounding quotes. */
      g_assert_true (g_str_has_suffix (line, "\""));
      g_string_append_len (current, line + 1, strlen (line) - 2);
    }

  return g_strv_builder_end (builder);
}

/* The printf conversions of @s in order, e.g. "d,d" for "Question %d of %d",
 * with flags, width and length modifiers kept ("%-5ld" -> "-5ld"). */
static char *
printf_directives (const char *s)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = strchr (s, '%'); p != NULL; p = strchr (p, '%'))
    {
      const char *start = ++p;

      if (*p == '%')
        {
          p++;
          continue;
        }
      while (*p != '\0' && strchr ("0123456789$#-+ '.*hlLqjzt", *p) != NULL)
        p++;
      if (*p != '\0')
        p++;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, start, p - start);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
has_char_in_range (const char *s,
                   gunichar    first,
                   gunichar    last)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= first && c <= last)
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_arabic_script (const char *s)
{
  return has_char_in_range (s, 0x0600, 0x06FF) ||
         has_char_in_range (s, 0x0750, 0x077F) ||
         has_char_in_range (s, 0xFB50, 0xFDFF) ||
         has_char_in_range (s, 0xFE70, 0xFEFF);
}

/* The kiosk links the locale resource; this test program cannot (its link
 * line is shared with every core test), so it loads the same resource from
 * the file that po/meson.build builds next to the sources. */
static void
ensure_kiosk_resource (void)
{
  static GResource *resource;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (resource != NULL ||
      g_resources_get_info (INTAKE_CATALOG_KIOSK_RESOURCE_PATH "/nl.mo",
                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    return;

  path = g_test_build_filename (G_TEST_BUILT, "..", "po", "kiosk-locale.gresource", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: build the project (ninja -C BUILDDIR), or at least "
             "po/kiosk-locale.gresource, before running this test", path);

  resource = g_resource_load (path, &error);
  g_assert_no_error (error);
  g_resources_register (resource);
}

static IntakeCatalog *
project_catalog_new (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;

  ensure_kiosk_resource ();
  g_assert_true (intake_catalog_load_resource_dir (catalog, INTAKE_CATALOG_KIOSK_RESOURCE_PATH, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&catalog);
}

static GBytes *
project_mo (const char *language)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.mo", INTAKE_CATALOG_KIOSK_RESOURCE_PATH, language);
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  ensure_kiosk_resource ();
  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);

  return bytes;
}

/* ---- A .mo writer, to build inputs the project files do not contain ---- */

typedef struct
{
  const char *msgid;
  gsize       msgid_len;   /* 0: strlen */
  const char *msgstr;
  gsize       msgstr_len;  /* 0: strlen */
} MoEntry;

static void
put_u32 (guint8   *p,
         guint32   value,
         gboolean  big_endian)
{
  for (guint i = 0; i < 4; i++)
    p[big_endian ? 3 - i : i] = (value >> (8 * i)) & 0xff;
}

/* Header, original table, translation table, a 1-slot hash table, then the
 * strings; the last translation ends the file, as with msgfmt. */
static GBytes *
build_mo (const MoEntry *entries,
          guint          n,
          gboolean       big_endian)
{
  guint32 orig = 28, trans = orig + 8 * n, hash = trans + 8 * n, strings = hash + 4;
  g_autoptr(GByteArray) mo = g_byte_array_new ();
  guint32 offset = strings;

  g_byte_array_set_size (mo, strings);
  memset (mo->data, 0, mo->len);
  put_u32 (mo->data + 0, 0x950412de, big_endian);
  put_u32 (mo->data + 4, 0, big_endian);
  put_u32 (mo->data + 8, n, big_endian);
  put_u32 (mo->data + 12, orig, big_endian);
  put_u32 (mo->data + 16, trans, big_endian);
  put_u32 (mo->data + 20, 1, big_endian);
  put_u32 (mo->data + 24, hash, big_endian);

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        const char *s = pass == 0 ? entries[i].msgid : entries[i].msgstr;
        gsize len = pass == 0 ? entries[i].msgid_len : entries[i].msgstr_len;
        guint32 table = pass == 0 ? orig : trans;

        if (len == 0)
          len = strlen (s);
        put_u32 (mo->data + table + 8 * i, len, big_endian);
        put_u32 (mo->data + table + 8 * i + 4, offset, big_endian);
        g_byte_array_append (mo, (const guint8 *)s, len);
        g_byte_array_append (mo, (const guint8 *)"", 1);
        offset += len + 1;
      }

  return g_byte_array_free_to_bytes (g_steal_pointer (&mo));
}

static const MoEntry sample_entries[] = {
  { "", 0, "Language: nl\nContent-Type: text/plain; charset=UTF-8\nX-Review-Status: draft\n", 0 },
  { "Back", 0, "Terug", 0 },
  { "Question %d of %d", 0, "Vraag %d van %d", 0 },
  { "Untranslated", 0, "", 0 },
  { "menu\004Open", 0, "Openen", 0 },
  { "file\0files", 10, "bestand\0bestanden", 17 },
  { "Welcome", 0, "Welkom", 0 },
};

static GBytes *
sample_mo (gboolean big_endian)
{
  return build_mo (sample_entries, G_N_ELEMENTS (sample_entries), big_endian);
}

static GBytes *
patched_copy (GBytes *bytes,
              gsize   at,
              guint32 value,
              gsize   width)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint8 *copy = g_memdup2 (data, size);

  g_assert_cmpuint (at + width, <=, size);
  if (width == 4)
    put_u32 (copy + at, value, FALSE);
  else
    copy[at] = (guint8)value;

  return g_bytes_new_take (copy, size);
}

static void
assert_add_fails (GBytes *mo,
                  int     code)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_error (error, INTAKE_CATALOG_ERROR, code);
  g_assert_false (intake_catalog_has_language (catalog, "nl"));
}

/* ---- Tests of the catalog itself ---------------------------------------- */

static void
test_new_destroy (void)
{
  IntakeCatalog *catalog = intake_catalog_new ();
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_true (INTAKE_IS_CATALOG (catalog));
  g_assert_true (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (catalog);
}

static void
check_sample (IntakeCatalog *catalog,
              const char    *language)
{
  const char *missing = "Not in any catalog";
  g_auto(GStrv) languages = intake_catalog_dup_languages (catalog);
  g_autofree const char **msgids = intake_catalog_dup_msgids (catalog, language);

  g_assert_true (intake_catalog_has_language (catalog, language));
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "Back"), ==, "Terug");
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "Welcome"), ==, "Welkom");
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "Question %d of %d"), ==, "Vraag %d van %d");
  /* Missing, empty and context-only entries fall back to the msgid itself. */
  g_assert_true (intake_catalog_lookup (catalog, language, missing) == missing);
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "Untranslated"), ==, "Untranslated");
  g_assert_false (intake_catalog_has_translation (catalog, language, "Untranslated"));
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "Open"), ==, "Open");
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, ""), ==, "");
  g_assert_cmpstr (intake_catalog_lookup_context (catalog, language, "menu", "Open"), ==, "Openen");
  g_assert_cmpstr (intake_catalog_lookup_context (catalog, language, "other", "Open"), ==, "Open");
  /* A plural entry answers with its first form. */
  g_assert_cmpstr (intake_catalog_lookup (catalog, language, "file"), ==, "bestand");
  /* An unknown language falls back too. */
  g_assert_true (intake_catalog_lookup (catalog, "xx", missing) == missing);
  g_assert_cmpstr (intake_catalog_lookup (catalog, "xx", "Back"), ==, "Back");
  g_assert_cmpstr (intake_catalog_lookup (catalog, NULL, "Back"), ==, "Back");

  g_assert_cmpuint (intake_catalog_get_n_strings (catalog, language), ==, 5);
  g_assert_cmpuint (intake_catalog_get_n_strings (catalog, "xx"), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **)msgids), ==, 5);
  g_assert_cmpstr (msgids[0], ==, "Back");
  g_assert_cmpstr (intake_catalog_get_header (catalog, language, "Language"), ==, "nl");
  g_assert_cmpstr (intake_catalog_get_header (catalog, language, "X-Review-Status"), ==, "draft");
  g_assert_null (intake_catalog_get_header (catalog, language, "Plural-Forms"));
  g_assert_null (intake_catalog_get_header (catalog, "xx", "Language"));
  g_assert_cmpuint (g_strv_length (languages), ==, 1);
  g_assert_cmpstr (languages[0], ==, language);

  {
    const char *half[] = { "Back", "Untranslated", NULL };
    const char *none[] = { NULL };

    g_assert_cmpfloat (intake_catalog_coverage (catalog, language, half), ==, 0.5);
    g_assert_cmpfloat (intake_catalog_coverage (catalog, language, none), ==, 1.0);
    g_assert_cmpfloat (intake_catalog_coverage (catalog, "xx", half), ==, 0.0);
  }
}

static void
test_little_endian (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_no_error (error);
  check_sample (catalog, "nl");
}

static void
test_big_endian (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GBytes) mo = sample_mo (TRUE);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (((const guint8 *)g_bytes_get_data (mo, NULL))[0], ==, 0x95);
  g_assert_true (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_no_error (error);
  check_sample (catalog, "nl");
}

static guint32
get_u32 (const guint8 *p,
         gboolean      big_endian)
{
  if (big_endian)
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
  return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

/* msgfmt's own output, converted to the other byte order word by word,
 * must read the same. */
static void
test_big_endian_project (void)
{
  g_autoptr(GBytes) native = project_mo ("uk");
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) swapped_bytes = NULL;
  g_autofree const char **msgids = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (native, &size);
  guint8 *swapped = g_memdup2 (data, size);
  guint32 n, orig, trans, hash_size, hash;
  gboolean big_endian;

  /* msgfmt writes the byte order of the build host. */
  big_endian = get_u32 (data, FALSE) != 0x950412de;
  g_assert_cmpuint (get_u32 (data, big_endian), ==, 0x950412de);
  n = get_u32 (data + 8, big_endian);
  orig = get_u32 (data + 12, big_endian);
  trans = get_u32 (data + 16, big_endian);
  hash_size = get_u32 (data + 20, big_endian);
  hash = get_u32 (data + 24, big_endian);

  {
    struct { guint32 offset, words; } regions[] = {
      { 0, 7 }, { orig, 2 * n }, { trans, 2 * n }, { hash, hash_size },
    };

    for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
      for (guint32 w = 0; w < regions[r].words; w++)
        {
          guint8 *p = swapped + regions[r].offset + 4 * w;
          guint8 t;

          t = p[0];
          p[0] = p[3];
          p[3] = t;
          t = p[1];
          p[1] = p[2];
          p[2] = t;
        }
  }
  swapped_bytes = g_bytes_new_take (swapped, size);

  g_assert_true (intake_catalog_add_mo (catalog, "uk", native, &error));
  g_assert_no_error (error);
  g_assert_true (intake_catalog_add_mo (catalog, "uk_XX", swapped_bytes, &error));
  g_assert_no_error (error);

  msgids = intake_catalog_dup_msgids (catalog, "uk");
  g_assert_cmpuint (g_strv_length ((char **)msgids), ==, n - 1);
  g_assert_cmpuint (intake_catalog_get_n_strings (catalog, "uk_XX"), ==, n - 1);
  for (guint i = 0; msgids[i] != NULL; i++)
    g_assert_cmpstr (intake_catalog_lookup (catalog, "uk_XX", msgids[i]), ==,
                     intake_catalog_lookup (catalog, "uk", msgids[i]));
}

static void
test_bad_magic (void)
{
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  g_autoptr(GBytes) bad = patched_copy (mo, 0, 0x12345678, 4);
  g_autoptr(GBytes) text = g_bytes_new_static ("msgid \"Back\"\nmsgstr \"Terug\"\n", 28);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  assert_add_fails (bad, INTAKE_CATALOG_ERROR_MALFORMED);
  assert_add_fails (text, INTAKE_CATALOG_ERROR_MALFORMED);
  assert_add_fails (empty, INTAKE_CATALOG_ERROR_MALFORMED);
}

static void
check_every_truncation (GBytes *mo)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (mo, &size);

  for (gsize len = 0; len < size; len++)
    {
      /* A fresh allocation of exactly len bytes, so that a read past the end
       * is a read past the allocation (visible under valgrind/ASan). */
      g_autoptr(GBytes) cut = g_bytes_new (data, len);

      assert_add_fails (cut, INTAKE_CATALOG_ERROR_MALFORMED);
    }
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) sample = sample_mo (FALSE);
  g_autoptr(GBytes) sample_be = sample_mo (TRUE);
  g_autoptr(GBytes) project = project_mo ("nl");

  check_every_truncation (sample);
  check_every_truncation (sample_be);
  check_every_truncation (project);
}

static void
test_offsets_past_end (void)
{
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  gsize size = g_bytes_get_size (mo);
  guint n = G_N_ELEMENTS (sample_entries);
  guint32 orig = 28, trans = orig + 8 * n;
  struct { gsize at; guint32 value; } patches[] = {
    { 8, 0xffffffff },                /* string count */
    { 8, n + 1 },                     /* one entry more than the tables hold */
    { 12, (guint32)size },            /* original table offset */
    { 12, 0xfffffff0 },
    { 16, (guint32)size - 4 },        /* translation table offset */
    { 20, 0x40000000 },               /* hash table size */
    { 24, (guint32)size },            /* hash table offset */
    { orig + 8 + 4, (guint32)size },  /* offset of msgid 1 */
    { orig + 8 + 4, 0xffffffff },
    { orig + 8, 0xffffffff },         /* length of msgid 1 */
    { trans + 16 + 4, (guint32)size - 1 },
    { trans + 16, (guint32)size },    /* length of msgstr 2 */
    { trans + 8 * (n - 1), 0xfffffffe },
  };

  for (guint i = 0; i < G_N_ELEMENTS (patches); i++)
    {
      g_autoptr(GBytes) bad = patched_copy (mo, patches[i].at, patches[i].value, 4);

      g_test_message ("patch %u: word at %" G_GSIZE_FORMAT " = 0x%x", i, patches[i].at, patches[i].value);
      assert_add_fails (bad, INTAKE_CATALOG_ERROR_MALFORMED);
    }
}

static void
test_missing_nul (void)
{
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  gsize size = g_bytes_get_size (mo);
  /* The last byte is the NUL after the last translation ("Welkom"). */
  g_autoptr(GBytes) last = patched_copy (mo, size - 1, 'x', 1);
  /* The NUL after "Back" (the first string after the header's). */
  const guint8 *data = g_bytes_get_data (mo, NULL);
  gsize back = 0;
  g_autoptr(GBytes) first = NULL;

  while (back + 5 <= size && memcmp (data + back, "Back", 5) != 0)
    back++;
  g_assert_cmpuint (back + 5, <=, size);
  first = patched_copy (mo, back + 4, 'x', 1);

  assert_add_fails (last, INTAKE_CATALOG_ERROR_MALFORMED);
  assert_add_fails (first, INTAKE_CATALOG_ERROR_MALFORMED);
}

static void
test_invalid_utf8 (void)
{
  const MoEntry entries[] = {
    { "Back", 0, "Terug\xff", 0 },
  };
  g_autoptr(GBytes) mo = build_mo (entries, G_N_ELEMENTS (entries), FALSE);

  assert_add_fails (mo, INTAKE_CATALOG_ERROR_MALFORMED);
}

static void
test_unsupported (void)
{
  const MoEntry latin1[] = {
    { "", 0, "Content-Type: text/plain; charset=ISO-8859-1\n", 0 },
    { "Back", 0, "Terug", 0 },
  };
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  g_autoptr(GBytes) revision = patched_copy (mo, 4, 0x00010000, 4);
  g_autoptr(GBytes) charset = build_mo (latin1, G_N_ELEMENTS (latin1), FALSE);
  g_autoptr(GBytes) minor = patched_copy (mo, 4, 0x00000001, 4);
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;

  assert_add_fails (revision, INTAKE_CATALOG_ERROR_UNSUPPORTED);
  assert_add_fails (charset, INTAKE_CATALOG_ERROR_UNSUPPORTED);

  /* Minor revision 1 only adds tables we do not need. */
  g_assert_true (intake_catalog_add_mo (catalog, "nl", minor, &error));
  g_assert_no_error (error);
}

static void
test_invalid_language (void)
{
  const char *bad[] = { "", "n", "../nl", "nl/x", "1a", "nl nl", "nl.mo" };
  g_autoptr(GBytes) mo = sample_mo (FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (intake_catalog_add_mo (catalog, bad[i], mo, &error));
      g_assert_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_INVALID_LANGUAGE);
    }
}

/* A failed add leaves the earlier table of that language in place; a good
 * one replaces it. */
static void
test_replace (void)
{
  const MoEntry other[] = {
    { "Back", 0, "Geri", 0 },
  };
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GBytes) mo = sample_mo (FALSE);
  g_autoptr(GBytes) bad = g_bytes_new (g_bytes_get_data (mo, NULL), 40);
  g_autoptr(GBytes) replacement = build_mo (other, G_N_ELEMENTS (other), FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_catalog_add_mo (catalog, "nl", mo, &error));
  g_assert_no_error (error);
  g_assert_false (intake_catalog_add_mo (catalog, "nl", bad, &error));
  g_assert_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_cmpstr (intake_catalog_lookup (catalog, "nl", "Back"), ==, "Terug");

  g_assert_true (intake_catalog_add_mo (catalog, "nl", replacement, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (intake_catalog_lookup (catalog, "nl", "Back"), ==, "Geri");
  g_assert_cmpstr (intake_catalog_lookup (catalog, "nl", "Welcome"), ==, "Welcome");
}

/* Random damage to a real catalog: an error or a catalog, never a crash. */
static void
test_random_damage (void)
{
  g_autoptr(GBytes) mo = project_mo ("ti");
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (mo, &size);
  guint failures = 0;

  for (guint round = 0; round < 3000; round++)
    {
      guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
      g_autoptr(GError) error = NULL;
      guint hits = g_test_rand_int_range (1, 5);

      for (guint h = 0; h < hits; h++)
        {
          /* Mostly the header and tables, where damage is most dangerous. */
          gsize at = g_test_rand_bit () ? (gsize)g_test_rand_int_range (0, MIN (size, 1024))
                                        : (gsize)g_test_rand_int_range (0, size);

          copy[at] = (guint8)g_test_rand_int_range (0, 256);
        }
      damaged = g_bytes_new_take (copy, size);

      if (!intake_catalog_add_mo (catalog, "ti", damaged, &error))
        {
          g_assert_true (error->domain == INTAKE_CATALOG_ERROR);
          g_assert_true (error->code == INTAKE_CATALOG_ERROR_MALFORMED ||
                         error->code == INTAKE_CATALOG_ERROR_UNSUPPORTED);
          failures++;
        }
      else
        {
          g_autofree const char **msgids = intake_catalog_dup_msgids (catalog, "ti");

          for (guint i = 0; msgids[i] != NULL; i++)
            g_assert_true (g_utf8_validate (intake_catalog_lookup (catalog, "ti", msgids[i]), -1, NULL));
        }
    }

  g_test_message ("%u of 3000 damaged catalogs were rejected", failures);
  g_assert_cmpuint (failures, >, 0);
}

static void
test_null_arguments (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();

  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_CRITICAL, "*mo != NULL*");
  g_assert_false (intake_catalog_add_mo (catalog, "nl", NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("intake-kiosk", G_LOG_LEVEL_CRITICAL, "*msgid != NULL*");
  g_assert_null (intake_catalog_lookup (catalog, "nl", NULL));
  g_test_assert_expected_messages ();
}

static void
test_resource_dir_errors (void)
{
  g_autoptr(IntakeCatalog) catalog = intake_catalog_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) languages = NULL;

  ensure_kiosk_resource ();

  g_assert_false (intake_catalog_load_resource_dir (catalog, "/org/intakekiosk/NoSuchPath", &error));
  g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Holds only the "locale/" directory, no .mo files. */
  g_assert_false (intake_catalog_load_resource_dir (catalog, "/org/intakekiosk/Kiosk", &error));
  g_assert_error (error, INTAKE_CATALOG_ERROR, INTAKE_CATALOG_ERROR_NOT_FOUND);

  languages = intake_catalog_dup_languages (catalog);
  g_assert_null (languages[0]);
}

/* ---- Tests of the project's translations -------------------------------- */

static void
test_project_languages (void)
{
  g_autoptr(IntakeCatalog) catalog = project_catalog_new ();
  g_auto(GStrv) linguas = read_linguas ();
  g_auto(GStrv) loaded = intake_catalog_dup_languages (catalog);
  const char *expected[] = { "nl", "en", "ar", "tr", "fa", "ti", "uk", "pl" };

  g_assert_cmpuint (g_strv_length (linguas), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (g_strv_contains ((const char * const *)linguas, expected[i]));
      g_assert_true (intake_catalog_has_language (catalog, expected[i]));
    }
  g_assert_cmpuint (g_strv_length (loaded), ==, g_strv_length (linguas));

  for (guint i = 0; loaded[i] != NULL; i++)
    g_assert_cmpstr (intake_catalog_get_header (catalog, loaded[i], "Language"), ==, loaded[i]);
}

static void
test_project_complete (void)
{
  g_autoptr(IntakeCatalog) catalog = project_catalog_new ();
  g_auto(GStrv) linguas = read_linguas ();
  g_auto(GStrv) msgids = read_template_msgids ();
  guint n_msgids = g_strv_length (msgids);

  /* The minimum set from the product brief; the template has more. */
  g_assert_cmpuint (n_msgids, >=, 85);
  g_assert_true (g_strv_contains ((const char * const *)msgids, "Sending to the office…"));
  g_assert_true (g_strv_contains ((const char * const *)msgids, "Question %d of %d"));

  /* The reviewed language of the product has every string of the
   * template, and nothing else. */
  g_assert_cmpuint (intake_catalog_get_n_strings (catalog, "nl"), ==, n_msgids);

  for (guint l = 0; linguas[l] != NULL; l++)
    {
      const char *language = linguas[l];

      g_assert_cmpfloat (intake_catalog_coverage (catalog, language, (const char * const *)msgids), ==, 1.0);
      g_assert_cmpuint (intake_catalog_get_n_strings (catalog, language), ==, n_msgids);

      for (guint i = 0; msgids[i] != NULL; i++)
        {
          const char *msgstr = intake_catalog_lookup (catalog, language, msgids[i]);

          g_assert_true (intake_catalog_has_translation (catalog, language, msgids[i]));
          g_assert_cmpstr (msgstr, !=, "");
          if (g_str_equal (language, "en"))
            g_assert_cmpstr (msgstr, ==, msgids[i]);
          else if (g_str_equal (msgstr, msgids[i]) && !identical_allowed (language, msgids[i]))
            {
              g_test_message ("%s: “%s” is not translated", language, msgids[i]);
              g_test_fail ();
            }
        }
    }
}

static void
test_project_placeholders (void)
{
  g_autoptr(IntakeCatalog) catalog = project_catalog_new ();
  g_auto(GStrv) linguas = read_linguas ();
  g_auto(GStrv) msgids = read_template_msgids ();
  guint with_directives = 0;

  for (guint i = 0; msgids[i] != NULL; i++)
    {
      g_autofree char *expected = printf_directives (msgids[i]);

      if (expected[0] != '\0')
        with_directives++;

      for (guint l = 0; linguas[l] != NULL; l++)
        {
          const char *msgstr = intake_catalog_lookup (catalog, linguas[l], msgids[i]);
          g_autofree char *actual = printf_directives (msgstr);

          if (!g_str_equal (actual, expected))
            {
              g_test_message ("%s: “%s” has directives “%s”, expected “%s”",
                              linguas[l], msgstr, actual, expected);
              g_test_fail ();
            }
        }
    }

  /* Guard the guard: the helper sees the directives the brief asks for. */
  g_assert_cmpuint (with_directives, >=, 6);
  {
    g_autofree char *d = printf_directives ("%d of %d, 100%% %s %-5ld");

    g_assert_cmpstr (d, ==, "d,d,s,-5ld");
  }
}

static void
test_project_scripts (void)
{
  g_autoptr(IntakeCatalog) catalog = project_catalog_new ();
  g_auto(GStrv) msgids = read_template_msgids ();

  for (guint i = 0; msgids[i] != NULL; i++)
    {
      const char *ar = intake_catalog_lookup (catalog, "ar", msgids[i]);
      const char *fa = intake_catalog_lookup (catalog, "fa", msgids[i]);
      const char *ti = intake_catalog_lookup (catalog, "ti", msgids[i]);
      const char *uk = intake_catalog_lookup (catalog, "uk", msgids[i]);

      g_assert_true (has_arabic_script (ar));
      g_assert_true (has_arabic_script (fa));
      g_assert_true (has_char_in_range (ti, 0x1200, 0x137F));
      g_assert_true (has_char_in_range (uk, 0x0400, 0x04FF));

      /* Persian uses its own yeh and kaf (U+06CC, U+06A9), Arabic its own
       * (U+064A, U+0643): a mix-up means the wrong file or keyboard. */
      g_assert_false (has_char_in_range (fa, 0x064A, 0x064A) || has_char_in_range (fa, 0x0643, 0x0643));
      g_assert_false (has_char_in_range (ar, 0x06CC, 0x06CC) || has_char_in_range (ar, 0x06A9, 0x06A9));
    }
}

/* po/STATUS, the X-Review-Status header of each catalog and the "# DRAFT:"
 * line at the top of each .po file tell the same story. */
static void
test_project_status (void)
{
  g_autoptr(IntakeCatalog) catalog = project_catalog_new ();
  g_autoptr(GPtrArray) rows = read_list_file ("po/STATUS");
  g_auto(GStrv) linguas = read_linguas ();

  g_assert_cmpuint (rows->len, ==, g_strv_length (linguas));

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      const char *language = row[0];
      const char *status = row[1];
      g_autofree char *po_name = NULL;
      g_autofree char *po = NULL;
      g_auto(GStrv) lines = NULL;
      gboolean draft_line = FALSE;

      g_assert_nonnull (status);
      g_assert_true (g_str_equal (status, "reviewed") || g_str_equal (status, "draft"));
      g_assert_true (g_strv_contains ((const char * const *)linguas, language));
      g_assert_cmpstr (intake_catalog_get_header (catalog, language, "X-Review-Status"), ==, status);

      po_name = g_strdup_printf ("po/%s.po", language);
      po = read_source_file (po_name);
      lines = g_strsplit (po, "\n", -1);
      for (guint j = 0; lines[j] != NULL && lines[j][0] == '#'; j++)
        if (g_str_has_prefix (lines[j], "# DRAFT:"))
          draft_line = TRUE;
      g_assert_cmpint (draft_line, ==, g_str_equal (status, "draft"));
    }

  /* English is the source text; the machine drafts stay drafts. */
  g_assert_cmpstr (intake_catalog_get_header (catalog, "en", "X-Review-Status"), ==, "reviewed");
  for (guint i = 0; linguas[i] != NULL; i++)
    if (!g_str_equal (linguas[i], "nl") && !g_str_equal (linguas[i], "en"))
      g_assert_cmpstr (intake_catalog_get_header (catalog, linguas[i], "X-Review-Status"), ==, "draft");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kiosk/catalog/new-destroy", test_new_destroy);
  g_test_add_func ("/kiosk/catalog/little-endian", test_little_endian);
  g_test_add_func ("/kiosk/catalog/big-endian", test_big_endian);
  g_test_add_func ("/kiosk/catalog/big-endian-project", test_big_endian_project);
  g_test_add_func ("/kiosk/catalog/bad-magic", test_bad_magic);
  g_test_add_func ("/kiosk/catalog/truncated", test_truncated);
  g_test_add_func ("/kiosk/catalog/offsets-past-end", test_offsets_past_end);
  g_test_add_func ("/kiosk/catalog/missing-nul", test_missing_nul);
  g_test_add_func ("/kiosk/catalog/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/kiosk/catalog/unsupported", test_unsupported);
  g_test_add_func ("/kiosk/catalog/invalid-language", test_invalid_language);
  g_test_add_func ("/kiosk/catalog/replace", test_replace);
  g_test_add_func ("/kiosk/catalog/random-damage", test_random_damage);
  g_test_add_func ("/kiosk/catalog/null-arguments", test_null_arguments);
  g_test_add_func ("/kiosk/catalog/resource-dir-errors", test_resource_dir_errors);
  g_test_add_func ("/kiosk/catalog/project/languages", test_project_languages);
  g_test_add_func ("/kiosk/catalog/project/complete", test_project_complete);
  g_test_add_func ("/kiosk/catalog/project/placeholders", test_project_placeholders);
  g_test_add_func ("/kiosk/catalog/project/scripts", test_project_scripts);
  g_test_add_func ("/kiosk/catalog/project/status", test_project_status);

  return g_test_run ();
}

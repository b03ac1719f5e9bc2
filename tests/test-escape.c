/* test-escape.c: text from outside, shown without acting as layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-escape.h"

static void
check (const char *in,
       const char *expected)
{
  g_autofree char *out = intake_escape_field (in);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_plain_text_unchanged (void)
{
  check ("", "");
  check ("Anna de Vries", "Anna de Vries");
  /* Any script stays readable; ZWNJ (Farsi) and ZWJ are not controls of layout. */
  check ("مريم El Amrani", "مريم El Amrani");
  check ("ትግርኛ", "ትግርኛ");
  check ("می\u200cخواهم", "می\u200cخواهم");
  check ("👩\u200d💻", "👩\u200d💻");
}

static void
test_layout_characters_escaped (void)
{
  /* What could fake a row or a column in a tab-separated listing. */
  check ("eve\tfetch\tfake", "eve\\tfetch\\tfake");
  check ("eve\n42\t2026-01-01", "eve\\n42\\t2026-01-01");
  check ("a\rb", "a\\rb");
  check ("a\\tb", "a\\\\tb");      /* a typed backslash is not an escape */
  check ("bell\x07" "esc\x1b[31m" "del\x7f", "bell\\x07esc\\x1b[31mdel\\x7f");
  check ("next\xc2\x85line", "next\\u0085line");          /* NEL, a C1 control */
  check ("a\u2028b\u2029c", "a\\u2028b\\u2029c");
  /* Bidirectional controls: an override would show "fetch" as "hctef". */
  check ("\u202eevil\u202c", "\\u202eevil\\u202c");
  check ("\u2066x\u2069\u200e\u200f\u061c", "\\u2066x\\u2069\\u200e\\u200f\\u061c");
  /* Bytes that are not UTF-8 are shown as bytes. */
  check ("a\xff\xfe" "b", "a\\xff\\xfeb");
  check ("\xe2\x80", "\\xe2\\x80");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/escape/plain-text-unchanged", test_plain_text_unchanged);
  g_test_add_func ("/core/escape/layout-characters-escaped", test_layout_characters_escaped);
  return g_test_run ();
}

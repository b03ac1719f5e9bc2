/* test-reference.c: reference codes shown to residents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-reference.h"

static void
test_shape (void)
{
  for (guint i = 0; i < 2000; i++)
    {
      guint8 id[16];
      g_autofree char *code = NULL;

      for (guint j = 0; j < sizeof id; j++)
        id[j] = (guint8)g_random_int_range (0, 256);
      code = intake_reference_from_submission_id (id);

      g_assert_cmpuint (strlen (code), ==, INTAKE_REFERENCE_LENGTH + 1);
      g_assert_cmpint (code[4], ==, '-');
      for (guint j = 0; code[j] != '\0'; j++)
        if (j != 4)
          g_assert_nonnull (strchr (INTAKE_REFERENCE_ALPHABET, code[j]));
    }
}

static void
test_no_lookalikes (void)
{
  const char *lookalikes = "0OQD1IL2Z5S8BG";

  for (const char *p = lookalikes; *p != '\0'; p++)
    g_assert_null (strchr (INTAKE_REFERENCE_ALPHABET, *p));
}

static void
test_deterministic (void)
{
  const guint8 id[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  const guint8 other[16] = { 1, 2, 3, 4, 5, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autofree char *a = intake_reference_from_submission_id (id);
  g_autofree char *b = intake_reference_from_submission_id (id);
  g_autofree char *c = intake_reference_from_submission_id (other);

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
}

static void
test_normalize (void)
{
  const guint8 id[16] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02 };
  g_autofree char *code = intake_reference_from_submission_id (id);
  g_autofree char *lower = g_ascii_strdown (code, -1);
  g_autofree char *spaced = g_strdup_printf (" %.4s %s ", code, code + 5);
  g_autofree char *n1 = intake_reference_normalize (lower);
  g_autofree char *n2 = intake_reference_normalize (spaced);
  g_autofree char *n3 = intake_reference_normalize ("ACEF");
  g_autofree char *n4 = intake_reference_normalize ("ACEF-HJKO");
  g_autofree char *n5 = intake_reference_normalize ("ACEF-HJKMN");

  g_assert_cmpstr (n1, ==, code);
  g_assert_cmpstr (n2, ==, code);
  g_assert_null (n3);   /* too short */
  g_assert_null (n4);   /* O is not in the alphabet */
  g_assert_null (n5);   /* too long */
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reference/shape", test_shape);
  g_test_add_func ("/reference/no-lookalikes", test_no_lookalikes);
  g_test_add_func ("/reference/deterministic", test_deterministic);
  g_test_add_func ("/reference/normalize", test_normalize);

  return g_test_run ();
}

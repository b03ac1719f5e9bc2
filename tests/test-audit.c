/* test-audit.c: the audit chain and its verifier (app/intake-audit.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-audit.h"

static GPtrArray *
make_chain (guint n)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_audit_event_free);
  const char *prev = INTAKE_AUDIT_ZERO_HASH;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *object = g_strdup_printf ("%032x", i);
      IntakeAuditEvent *event = intake_audit_event_new (1790000000 + i, i % 2 ? "anna" : "admin",
                                                        "fetch", object, "ok", "127.0.0.1");

      intake_audit_event_chain (event, i + 1, prev);
      prev = event->hash;
      g_ptr_array_add (events, event);
    }
  return events;
}

/* Feeds @events; returns the problem found (NONE if intact). */
static IntakeAuditProblem
verify (GPtrArray *events,
        gint64     head_seq,
        const char *head_hash,
        gint64    *out_bad_seq)
{
  IntakeAuditVerifier verifier;
  IntakeAuditProblem problem;

  intake_audit_verifier_init (&verifier);
  if (head_hash != NULL)
    intake_audit_verifier_set_recorded_head (&verifier, head_seq, head_hash);
  for (guint i = 0; i < events->len; i++)
    if (!intake_audit_verifier_feed (&verifier, g_ptr_array_index (events, i)))
      break;
  intake_audit_verifier_finish (&verifier);
  problem = verifier.problem;
  *out_bad_seq = verifier.bad_seq;
  if (problem == INTAKE_AUDIT_PROBLEM_NONE)
    g_assert_cmpint (verifier.count, ==, events->len);
  else
    g_assert_nonnull (verifier.detail);
  intake_audit_verifier_clear (&verifier);
  return problem;
}

static void
test_hash_is_canonical (void)
{
  g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (1, "anna", "fetch", "x", "ok", "cli");
  g_autoptr(IntakeAuditEvent) bad = intake_audit_event_new (1, "an\xffna", "fetch", NULL, "ok", "cli");
  g_autofree char *again = NULL;

  intake_audit_event_chain (event, 1, INTAKE_AUDIT_ZERO_HASH);
  g_assert_cmpuint (strlen (event->hash), ==, 64);
  again = intake_audit_event_compute_hash (event);
  g_assert_cmpstr (again, ==, event->hash);
  /* Every field is covered, prev and seq included. */
  event->seq = 2;
  g_clear_pointer (&again, g_free);
  again = intake_audit_event_compute_hash (event);
  g_assert_cmpstr (again, !=, event->hash);
  /* Bad UTF-8 is repaired, a missing object is "". */
  g_assert_true (g_utf8_validate (bad->actor, -1, NULL));
  g_assert_cmpstr (bad->object, ==, "");
}

static void
test_intact (void)
{
  g_autoptr(GPtrArray) events = make_chain (10);
  const IntakeAuditEvent *last = g_ptr_array_index (events, 9);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  gint64 bad = 0;

  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_NONE);
  g_assert_cmpint (verify (events, 10, last->hash, &bad), ==, INTAKE_AUDIT_PROBLEM_NONE);
  g_assert_cmpint (verify (empty, 0, INTAKE_AUDIT_ZERO_HASH, &bad), ==, INTAKE_AUDIT_PROBLEM_NONE);
}

static void
test_edited (void)
{
  g_autoptr(GPtrArray) events = make_chain (10);
  IntakeAuditEvent *victim = g_ptr_array_index (events, 4);
  gint64 bad = 0;

  g_free (victim->actor);
  victim->actor = g_strdup ("mallory");
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_EDITED);
  g_assert_cmpint (bad, ==, 5);

  /* Re-hashed after the edit: the next event no longer links to it. */
  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (10);
  victim = g_ptr_array_index (events, 4);
  g_free (victim->result);
  victim->result = g_strdup ("denied:bad_signature");
  intake_audit_event_chain (victim, victim->seq, victim->prev);
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_EDITED);
  g_assert_cmpint (bad, ==, 5);

  /* The newest event edited: caught against the recorded head. */
  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (4);
  {
    g_autofree char *head = g_strdup (((IntakeAuditEvent *)g_ptr_array_index (events, 3))->hash);

    victim = g_ptr_array_index (events, 3);
    g_free (victim->object);
    victim->object = g_strdup ("other");
    intake_audit_event_chain (victim, victim->seq, victim->prev);
    g_assert_cmpint (verify (events, 4, head, &bad), ==, INTAKE_AUDIT_PROBLEM_EDITED);
    g_assert_cmpint (bad, ==, 4);
  }
}

static void
test_deleted (void)
{
  g_autoptr(GPtrArray) events = make_chain (10);
  g_autofree char *head = g_strdup (((IntakeAuditEvent *)g_ptr_array_index (events, 9))->hash);
  gint64 bad = 0;

  g_ptr_array_remove_index (events, 3);
  g_assert_cmpint (verify (events, 10, head, &bad), ==, INTAKE_AUDIT_PROBLEM_DELETED);
  g_assert_cmpint (bad, ==, 4);

  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (10);
  g_ptr_array_remove_index (events, 0);
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_DELETED);
  g_assert_cmpint (bad, ==, 1);

  /* The newest rows removed: a valid, shorter chain, caught by the head. */
  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (10);
  g_ptr_array_remove_range (events, 8, 2);
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_NONE);
  g_assert_cmpint (verify (events, 10, head, &bad), ==, INTAKE_AUDIT_PROBLEM_DELETED);
  g_assert_cmpint (bad, ==, 9);
}

/* Slips a forged event in at @position (0-based) and renumbers the rest. */
static void
insert_forged (GPtrArray *events,
               guint      position,
               gboolean   valid_hash)
{
  const IntakeAuditEvent *before = g_ptr_array_index (events, position - 1);
  IntakeAuditEvent *forged = intake_audit_event_new (1790000000, "mallory", "fetch", "x", "ok", "cli");

  for (guint i = position; i < events->len; i++)
    ((IntakeAuditEvent *)g_ptr_array_index (events, i))->seq++;
  if (valid_hash)
    intake_audit_event_chain (forged, position + 1, before->hash);
  else
    {
      forged->seq = position + 1;
      g_strlcpy (forged->prev, before->hash, sizeof forged->prev);
      memset (forged->hash, 'a', 64);
    }
  g_ptr_array_insert (events, position, forged);
}

static void
test_inserted (void)
{
  g_autoptr(GPtrArray) events = make_chain (10);
  gint64 bad = 0;

  insert_forged (events, 3, FALSE);
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_INSERTED);
  g_assert_cmpint (bad, ==, 4);

  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (10);
  insert_forged (events, 3, TRUE);
  g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_INSERTED);
  g_assert_cmpint (bad, ==, 4);

  /* Appended after the recorded head, even with a valid link and hash. */
  g_clear_pointer (&events, g_ptr_array_unref);
  events = make_chain (10);
  {
    g_autofree char *head = g_strdup (((IntakeAuditEvent *)g_ptr_array_index (events, 9))->hash);
    IntakeAuditEvent *forged = intake_audit_event_new (1, "mallory", "fetch", "x", "ok", "cli");

    intake_audit_event_chain (forged, 11, head);
    g_ptr_array_add (events, forged);
    g_assert_cmpint (verify (events, 0, NULL, &bad), ==, INTAKE_AUDIT_PROBLEM_NONE);
    g_assert_cmpint (verify (events, 10, head, &bad), ==, INTAKE_AUDIT_PROBLEM_INSERTED);
    g_assert_cmpint (bad, ==, 11);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audit/hash", test_hash_is_canonical);
  g_test_add_func ("/audit/verify/intact", test_intact);
  g_test_add_func ("/audit/verify/edited", test_edited);
  g_test_add_func ("/audit/verify/deleted", test_deleted);
  g_test_add_func ("/audit/verify/inserted", test_inserted);
  return g_test_run ();
}

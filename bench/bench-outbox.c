/* bench-outbox.c: how the outbox and the envelope perform, as ratios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every figure is compared with a baseline measured in the same run on the
 * same machine, so the ratios mean something across machines:
 *   - counts: the trigger-kept totals vs. COUNT(*) over the state index,
 *     with 100,000 envelopes in the outbox;
 *   - submit: seal + durable outbox insert vs. sealing alone (the cost of
 *     durability: an fsync per submission);
 *   - open: verify + decrypt vs. signature verification alone.
 * Method and results: docs/performance.md.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-outbox.h"
#include "intake-outbox-private.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static GBytes *
seal (const IntakeOfficePublic *office,
      const IntakeDeviceKey    *device,
      const char               *text)
{
  IntakeEnvelopeInfo info = { .created_at = 1, .questionnaire_id = "bench", .questionnaire_version = 1 };

  intake_envelope_new_submission_id (info.submission_id);
  return intake_envelope_seal (office, device, &info, (const guint8 *)text, strlen (text), NULL);
}

static void
fill (IntakeOutbox *outbox,
      int           first,
      int           n)
{
  sqlite3 *db = intake_outbox_get_db (outbox);
  sqlite3_stmt *stmt = NULL;

  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db,
                      "INSERT INTO envelopes (submission_id, reference, envelope, created_at)"
                      " VALUES (printf('%032x', ?1), 'AAAA-AAAA', zeroblob(1200), ?1)",
                      -1, &stmt, NULL);
  for (int i = 0; i < n; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, first + i + 1);
      sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "UPDATE envelopes SET state = 1, receipt = x'00', delivered_at = 1"
                    " WHERE created_at % 2 = 0; COMMIT", NULL, NULL, NULL);
}

static double
time_counts (IntakeOutbox *outbox,
             int           reps)
{
  double t0 = now_s ();

  for (int i = 0; i < reps; i++)
    {
      IntakeOutboxCounts counts;

      intake_outbox_get_counts (outbox, &counts, NULL);
    }
  return (now_s () - t0) / reps;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeOfficeSecret) secret = NULL;
  g_autoptr(IntakeDeviceKey) device = NULL;
  g_autoptr(IntakeOutbox) outbox = NULL;
  g_autofree char *dir = g_dir_make_tmp ("intake-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "outbox.db", NULL);
  g_autofree char *text = g_strnfill (1500, 'x');   /* a typical session JSON */
  int rows = argc > 1 ? atoi (argv[1]) : 100000;
  int submits = argc > 2 ? atoi (argv[2]) : 200;
  double t0, counts_small_s, counts_s, baseline_s, submit_s, seal_s, open_s, verify_s;
  const int count_reps = 2000;
  GPtrArray *envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  g_assert_true (intake_crypto_init (NULL));
  g_assert_true (intake_office_generate (&office, &secret, NULL));
  device = intake_device_key_generate (NULL);
  outbox = intake_outbox_open (path, NULL);
  g_assert_nonnull (outbox);

  /* Counts with a small outbox, then with a full one. */
  fill (outbox, 0, 1000);
  counts_small_s = time_counts (outbox, count_reps);
  fill (outbox, 1000, rows - 1000);
  counts_s = time_counts (outbox, count_reps);

  t0 = now_s ();
  for (int i = 0; i < count_reps / 20; i++)
    {
      sqlite3_stmt *stmt = NULL;

      sqlite3_prepare_v2 (intake_outbox_get_db (outbox),
                          "SELECT count(*) FROM envelopes WHERE state = 0", -1, &stmt, NULL);
      sqlite3_step (stmt);
      sqlite3_finalize (stmt);
    }
  baseline_s = (now_s () - t0) / (count_reps / 20);

  /* Sealing alone vs. seal + durable insert. */
  t0 = now_s ();
  for (int i = 0; i < submits; i++)
    g_ptr_array_add (envelopes, seal (office, device, text));
  seal_s = (now_s () - t0) / submits;

  t0 = now_s ();
  for (int i = 0; i < submits; i++)
    {
      g_autoptr(GBytes) envelope = seal (office, device, text);

      g_assert_true (intake_outbox_add (outbox, envelope, "AAAA-AAAA", NULL));
    }
  submit_s = (now_s () - t0) / submits;

  /* Opening vs. verifying. */
  t0 = now_s ();
  for (guint i = 0; i < envelopes->len; i++)
    g_assert_true (intake_envelope_verify (g_ptr_array_index (envelopes, i), &(IntakeEnvelopeHeader){0}, NULL));
  verify_s = (now_s () - t0) / envelopes->len;

  t0 = now_s ();
  for (guint i = 0; i < envelopes->len; i++)
    {
      IntakeEnvelopeHeader header;
      IntakeSecureBuffer *plain = intake_envelope_open (g_ptr_array_index (envelopes, i), secret, &header, NULL);

      g_assert_nonnull (plain);
      intake_secure_buffer_free (plain);
    }
  open_s = (now_s () - t0) / envelopes->len;

  g_print ("outbox rows: %d (half pending)\n", rows);
  g_print ("counts at %6d rows:           %10.1f us   same at 1,000 rows:           %10.1f us   ratio %.2f\n",
           rows, counts_s * 1e6, counts_small_s * 1e6, counts_s / counts_small_s);
  g_print ("counts (trigger totals):      %10.1f us   baseline COUNT(*) over index: %10.1f us   ratio %.4f\n",
           counts_s * 1e6, baseline_s * 1e6, counts_s / baseline_s);
  g_print ("submit (seal + durable add):  %10.1f us   baseline seal only:           %10.1f us   ratio %.1f\n",
           submit_s * 1e6, seal_s * 1e6, submit_s / seal_s);
  g_print ("open (verify + decrypt):      %10.1f us   baseline verify only:         %10.1f us   ratio %.2f\n",
           open_s * 1e6, verify_s * 1e6, open_s / verify_s);
  g_print ("submissions per second (durable): %.0f\n", 1.0 / submit_s);

  g_ptr_array_unref (envelopes);
  g_clear_object (&outbox);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}

/* test-outbox.c: the kiosk's durable outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>

#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-keys.h"
#include "intake-outbox.h"
#include "intake-outbox-private.h"
#include "intake-reference.h"
#include "intake-test-util.h"

typedef struct {
  char               *dir;
  char               *db_path;
  char               *office_pub_path;
  char               *device_dir;
  IntakeOfficePublic *office_public;
  IntakeOfficeSecret *office_secret;
  IntakeDeviceKey    *device;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device_path = NULL;

  f->dir = intake_test_tmpdir_new ();
  f->db_path = g_build_filename (f->dir, "outbox.db", NULL);
  f->office_pub_path = g_build_filename (f->dir, "office.pub", NULL);
  f->device_dir = g_build_filename (f->dir, "device", NULL);
  g_assert_cmpint (g_mkdir (f->device_dir, 0700), ==, 0);
  device_path = g_build_filename (f->device_dir, "device.secret", NULL);

  g_assert_true (intake_office_generate (&f->office_public, &f->office_secret, &error));
  g_assert_no_error (error);
  g_assert_true (intake_office_public_save (f->office_public, f->office_pub_path, &error));
  g_assert_no_error (error);
  f->device = intake_device_key_generate (&error);
  g_assert_no_error (error);
  g_assert_true (intake_device_key_save (f->device, device_path, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  intake_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->office_pub_path);
  g_free (f->device_dir);
  intake_office_public_free (f->office_public);
  intake_office_secret_free (f->office_secret);
  intake_device_key_free (f->device);
}

static GBytes *
seal_text (const IntakeOfficePublic *office,
           const IntakeDeviceKey    *device,
           const guint8             *submission_id,
           const char               *plaintext)
{
  g_autoptr(GError) error = NULL;
  IntakeEnvelopeInfo info = {
    .created_at = g_get_real_time () / G_USEC_PER_SEC,
    .questionnaire_id = "test-questionnaire",
    .questionnaire_version = 1,
  };
  GBytes *envelope;

  if (submission_id != NULL)
    memcpy (info.submission_id, submission_id, sizeof info.submission_id);
  else
    intake_envelope_new_submission_id (info.submission_id);
  memset (info.questionnaire_hash, 0xab, sizeof info.questionnaire_hash);

  envelope = intake_envelope_seal (office, device, &info, (const guint8 *)plaintext,
                                   strlen (plaintext), &error);
  g_assert_no_error (error);
  g_assert_nonnull (envelope);
  return envelope;
}

static char *
submission_hex (GBytes *envelope)
{
  g_autoptr(GError) error = NULL;
  IntakeEnvelopeHeader header;

  g_assert_true (intake_envelope_parse_header (envelope, &header, &error));
  g_assert_no_error (error);
  return intake_hex_encode (header.submission_id, sizeof header.submission_id);
}

static char *
reference_of (GBytes *envelope)
{
  IntakeEnvelopeHeader header;

  g_assert_true (intake_envelope_parse_header (envelope, &header, NULL));
  return intake_reference_from_submission_id (header.submission_id);
}

static IntakeOutbox *
open_outbox (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  IntakeOutbox *outbox = intake_outbox_open (f->db_path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (outbox);
  return outbox;
}

static void
add_ok (IntakeOutbox *outbox,
        GBytes       *envelope)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = reference_of (envelope);

  g_assert_true (intake_outbox_add (outbox, envelope, reference, &error));
  g_assert_no_error (error);
}

static gint64
query_int (IntakeOutbox *outbox,
           const char   *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (intake_outbox_get_db (outbox), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
test_new_destroy (Fixture       *f,
                  gconstpointer  data)
{
  IntakeOutbox *outbox = open_outbox (f);

  g_assert_cmpstr (intake_outbox_get_path (outbox), ==, f->db_path);
  g_assert_finalize_object (outbox);
}

static void
test_durability_settings (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  GStatBuf st;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (intake_outbox_get_schema_version (outbox), ==, INTAKE_OUTBOX_SCHEMA_VERSION);
  g_assert_cmpint (query_int (outbox, "PRAGMA user_version"), ==, INTAKE_OUTBOX_SCHEMA_VERSION);
  g_assert_cmpint (query_int (outbox, "PRAGMA synchronous"), ==, 2 /* FULL */);
  g_assert_cmpint (query_int (outbox, "PRAGMA secure_delete"), ==, 1);

  g_assert_cmpint (sqlite3_prepare_v2 (intake_outbox_get_db (outbox), "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  /* Only the kiosk's own user may read even the envelopes. */
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_add_pending (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, "{\"a\":1}");
  g_autofree char *id = submission_hex (envelope);
  g_autofree char *reference = reference_of (envelope);
  g_autoptr(IntakeOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  add_ok (outbox, envelope);

  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.delivered, ==, 0);
  g_assert_cmpint (counts.oldest_pending_at, >, 0);

  item = intake_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, INTAKE_OUTBOX_STATE_PENDING);
  g_assert_true (g_bytes_equal (item->envelope, envelope));
  g_assert_cmpstr (item->reference, ==, reference);
  g_assert_cmpuint (item->attempts, ==, 0);
  g_assert_null (item->receipt);
}

/* What the staff screen shows as "Oldest waiting since": the creation time
 * of the oldest pending envelope, whatever was delivered, and 0 when none
 * is pending. */
static void
test_oldest_pending (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) older = seal_text (f->office_public, f->device, NULL, "{\"a\":1}");
  g_autoptr(GBytes) newer = seal_text (f->office_public, f->device, NULL, "{\"a\":2}");
  g_autoptr(GBytes) receipt = g_bytes_new_static ("receipt", 7);
  g_autofree char *older_id = submission_hex (older);
  g_autofree char *newer_id = submission_hex (newer);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.oldest_pending_at, ==, 0);

  add_ok (outbox, newer);
  add_ok (outbox, older);
  /* Their creation times, as if made a day apart (added in the other order). */
  sql = g_strdup_printf ("UPDATE envelopes SET created_at = 1700000000 WHERE submission_id = '%s';"
                         "UPDATE envelopes SET created_at = 1700086400 WHERE submission_id = '%s';",
                         older_id, newer_id);
  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox), sql, NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 2);
  g_assert_cmpint (counts.oldest_pending_at, ==, 1700000000);

  /* The older one delivered: the newer one is now the oldest waiting. */
  g_assert_true (intake_outbox_mark_delivered (outbox, older_id, receipt, 1700100000, &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpint (counts.oldest_pending_at, ==, 1700086400);

  g_assert_true (intake_outbox_mark_delivered (outbox, newer_id, receipt, 1700100001, &error));
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 0);
  g_assert_cmpint (counts.oldest_pending_at, ==, 0);
}

static void
test_add_idempotent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, "{}");
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  add_ok (outbox, envelope);
  add_ok (outbox, envelope);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
}

static void
test_add_conflict (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  guint8 id[INTAKE_SUBMISSION_ID_BYTES];
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autoptr(IntakeOutboxItem) item = NULL;

  intake_envelope_new_submission_id (id);
  first = seal_text (f->office_public, f->device, id, "{\"v\":1}");
  second = seal_text (f->office_public, f->device, id, "{\"v\":2}");
  add_ok (outbox, first);

  g_assert_false (intake_outbox_add (outbox, second, "XXXX-XXXX", &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CONFLICT);

  /* The first one is untouched. */
  hex = intake_hex_encode (id, sizeof id);
  item = intake_outbox_lookup (outbox, hex, NULL);
  g_assert_true (g_bytes_equal (item->envelope, first));
}

static void
test_add_invalid (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, "{}");
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not an envelope", 15);
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;
  guint8 *copy;
  gsize len;

  g_assert_false (intake_outbox_add (outbox, garbage, "AAAA-AAAA", &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_INVALID_ENVELOPE);
  g_clear_error (&error);

  g_bytes_get_data (envelope, &len);
  copy = g_memdup2 (g_bytes_get_data (envelope, NULL), len);
  copy[len / 2] ^= 0x40;
  tampered = g_bytes_new_take (copy, len);
  g_assert_false (intake_outbox_add (outbox, tampered, "AAAA-AAAA", &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_INVALID_ENVELOPE);

  g_assert_true (intake_outbox_get_counts (outbox, &counts, NULL));
  g_assert_cmpuint (counts.pending, ==, 0);
}

static void
test_delivery (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autoptr(GBytes) receipt = g_bytes_new_static ("signed receipt", 14);
  g_autofree char *id_a = submission_hex (a);
  g_autofree char *id_b = submission_hex (b);
  g_autoptr(IntakeOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  add_ok (outbox, a);
  add_ok (outbox, b);

  g_assert_true (intake_outbox_mark_delivered (outbox, id_a, receipt, 1000, &error));
  g_assert_no_error (error);
  /* A repeated receipt (the first answer was lost) is accepted. */
  g_assert_true (intake_outbox_mark_delivered (outbox, id_a, receipt, 1001, &error));
  g_assert_no_error (error);
  g_assert_false (intake_outbox_mark_delivered (outbox, "00000000000000000000000000000000", receipt, 1000, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.delivered, ==, 1);

  item = intake_outbox_lookup (outbox, id_a, &error);
  g_assert_cmpint (item->state, ==, INTAKE_OUTBOX_STATE_DELIVERED);
  g_assert_true (g_bytes_equal (item->receipt, receipt));
  g_assert_cmpint (item->delivered_at, ==, 1000);

  /* Delivered envelopes are kept for the grace period, then purged;
   * pending ones are never purged. */
  g_assert_cmpint (intake_outbox_purge_delivered (outbox, 1000, &error), ==, 0);
  g_assert_cmpint (intake_outbox_purge_delivered (outbox, 1001, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.delivered, ==, 0);
  g_assert_null (intake_outbox_lookup (outbox, id_a, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&item, intake_outbox_item_free);
  item = intake_outbox_lookup (outbox, id_b, &error);
  g_assert_no_error (error);
}

/* The sync engine reads the next batch while the last one is still in
 * flight (pending until its receipt is applied): those are left out, and
 * the limit counts only what is returned. */
static void
test_due_except (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autoptr(GBytes) c = seal_text (f->office_public, f->device, NULL, "{\"n\":3}");
  g_autofree char *id_a = submission_hex (a);
  g_autofree char *id_b = submission_hex (b);
  g_autofree char *id_c = submission_hex (c);
  const char *only_a[] = { id_a };
  const char *a_and_c[] = { id_a, id_c };
  const char *all[] = { id_c, id_b, id_a };
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;

  add_ok (outbox, a);
  add_ok (outbox, b);
  add_ok (outbox, c);

  due = intake_outbox_list_due_except (outbox, 100, 10, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 3);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = intake_outbox_list_due_except (outbox, 100, 10, only_a, G_N_ELEMENTS (only_a), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  for (guint i = 0; i < due->len; i++)
    g_assert_cmpstr (((IntakeOutboxItem *)g_ptr_array_index (due, i))->submission_id, !=, id_a);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* The limit applies after leaving out: one of the other two, not none. */
  due = intake_outbox_list_due_except (outbox, 100, 1, only_a, G_N_ELEMENTS (only_a), &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((IntakeOutboxItem *)g_ptr_array_index (due, 0))->submission_id, !=, id_a);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = intake_outbox_list_due_except (outbox, 100, 10, a_and_c, G_N_ELEMENTS (a_and_c), &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((IntakeOutboxItem *)g_ptr_array_index (due, 0))->submission_id, ==, id_b);
  g_assert_nonnull (((IntakeOutboxItem *)g_ptr_array_index (due, 0))->envelope);
  g_clear_pointer (&due, g_ptr_array_unref);

  due = intake_outbox_list_due_except (outbox, 100, 10, all, G_N_ELEMENTS (all), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autofree char *id_a = submission_hex (a);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOutboxItem) item = NULL;

  add_ok (outbox, a);
  add_ok (outbox, b);

  due = intake_outbox_list_due (outbox, 100, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_clear_pointer (&due, g_ptr_array_unref);

  g_assert_true (intake_outbox_record_failure (outbox, id_a, 500, "server unreachable", &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_record_failure (outbox, id_a, 900, "server unreachable", &error));

  due = intake_outbox_list_due (outbox, 100, 10, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = intake_outbox_list_due (outbox, 900, 10, &error);
  g_assert_cmpuint (due->len, ==, 2);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = intake_outbox_list_due (outbox, 900, 1, &error);
  g_assert_cmpuint (due->len, ==, 1);

  item = intake_outbox_lookup (outbox, id_a, &error);
  g_assert_cmpuint (item->attempts, ==, 2);
  g_assert_cmpint (item->next_attempt_at, ==, 900);
  g_assert_cmpstr (item->last_error, ==, "server unreachable");

  g_assert_false (intake_outbox_record_failure (outbox, "ffffffffffffffffffffffffffffffff", 1, "x", &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
}

/* One receipt's envelopes marked in one transaction: all, or none when one
 * of them is unknown. */
static void
test_delivery_many (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autoptr(GBytes) c = seal_text (f->office_public, f->device, NULL, "{\"n\":3}");
  g_autoptr(GBytes) receipt = g_bytes_new_static ("signed receipt", 14);
  g_autofree char *id_a = submission_hex (a);
  g_autofree char *id_b = submission_hex (b);
  g_autofree char *id_c = submission_hex (c);
  const char *with_unknown[] = { id_a, "00000000000000000000000000000000", id_b };
  const char *ids[] = { id_a, id_b, id_a };
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  add_ok (outbox, a);
  add_ok (outbox, b);
  add_ok (outbox, c);

  g_assert_false (intake_outbox_mark_delivered_many (outbox, with_unknown, 3, receipt, 1000, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, NULL));
  g_assert_cmpuint (counts.pending, ==, 3);

  /* A repeat inside the receipt is accepted, as a repeated receipt is. */
  g_assert_true (intake_outbox_mark_delivered_many (outbox, ids, 3, receipt, 1000, &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_mark_delivered_many (outbox, NULL, 0, receipt, 1000, &error));
  g_assert_true (intake_outbox_get_counts (outbox, &counts, NULL));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.delivered, ==, 2);
  (void)id_c;
}

static void
test_exported (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autoptr(GBytes) receipt = g_bytes_new_static ("r", 1);
  g_autofree char *id_a = submission_hex (a);
  const char *ids[] = { id_a, NULL };
  const char *unknown[] = { "ffffffffffffffffffffffffffffffff", NULL };
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  add_ok (outbox, a);
  add_ok (outbox, b);
  g_assert_true (intake_outbox_mark_exported (outbox, ids, 50, &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 2);
  g_assert_cmpuint (counts.exported_pending, ==, 1);

  /* Exported envelopes stay pending until a receipt arrives. */
  pending = intake_outbox_list_pending (outbox, &error);
  g_assert_cmpuint (pending->len, ==, 2);

  g_assert_true (intake_outbox_mark_delivered (outbox, id_a, receipt, 60, &error));
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_assert_cmpuint (counts.exported_pending, ==, 0);
  g_assert_cmpuint (counts.delivered, ==, 1);

  g_assert_false (intake_outbox_mark_exported (outbox, unknown, 70, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
}

static void
test_schema_too_new (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  IntakeOutbox *outbox = open_outbox (f);

  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox), "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  g_object_unref (outbox);

  g_assert_null (intake_outbox_open (f->db_path, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_SCHEMA_TOO_NEW);
}

static void
test_reopen_keeps_data (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, "{}");
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;
  IntakeOutbox *outbox = open_outbox (f);

  add_ok (outbox, envelope);
  g_object_unref (outbox);

  /* A second open must not migrate again or lose anything. */
  outbox = open_outbox (f);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.pending, ==, 1);
  g_object_unref (outbox);
}

static void
test_not_a_database (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *junk = g_strnfill (8192, 'x');

  intake_test_write_file (f->db_path, junk);
  g_assert_null (intake_outbox_open (f->db_path, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->db_path));
}

static void
test_unopenable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "no", "such", "dir", "outbox.db", NULL);

  g_assert_null (intake_outbox_open (path, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_OPEN);
}

/* A full disk: SQLite reports SQLITE_FULL when it cannot grow the file, and
 * max_page_count produces exactly that condition without filling a disk. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *limit = NULL;
  IntakeOutboxCounts counts;
  gint64 pages;
  guint stored = 0;

  pages = query_int (outbox, "PRAGMA page_count");
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 6);
  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox), limit, NULL, NULL, NULL), ==, SQLITE_OK);

  big = g_strnfill (3000, 'a');
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, big);
      g_autofree char *id = submission_hex (envelope);

      if (!intake_outbox_add (outbox, envelope, "AAAA-AAAA", &error))
        {
          g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_FULL);
          g_clear_error (&error);
          /* Nothing half-written: the failed one is absent, the rest intact. */
          g_assert_null (intake_outbox_lookup (outbox, id, &error));
          g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND);
          g_clear_error (&error);
          g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
          g_assert_cmpuint (counts.pending, ==, stored);
          g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM envelopes"), ==, stored);
          return;
        }
      stored++;
    }
  g_assert_not_reached ();
}

/* Counts come from trigger-maintained totals; check they agree with a real
 * count after many inserts, deliveries and deletions. */
static void
test_counts_many (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = intake_outbox_get_db (outbox);
  IntakeOutboxCounts counts;
  const int n = 100000;

  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "INSERT INTO envelopes (submission_id, reference, envelope, created_at)"
                                         " VALUES (printf('%032x', ?1), 'AAAA-AAAA', zeroblob(600), ?1)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    for (int i = 0; i < n; i++)
      {
        sqlite3_reset (stmt);
        sqlite3_bind_int (stmt, 1, i + 1);
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      }
    sqlite3_finalize (stmt);
  }
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE envelopes SET state = 1, receipt = x'00', delivered_at = 5"
                                 " WHERE created_at % 3 = 0;"
                                 "UPDATE envelopes SET exported_at = 7 WHERE state = 0 AND created_at % 5 = 0;"
                                 "DELETE FROM envelopes WHERE created_at % 7 = 0;"
                                 "COMMIT",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.pending, ==, query_int (outbox, "SELECT count(*) FROM envelopes WHERE state = 0"));
  g_assert_cmpint (counts.delivered, ==, query_int (outbox, "SELECT count(*) FROM envelopes WHERE state = 1"));
  g_assert_cmpint (counts.exported_pending, ==,
                   query_int (outbox, "SELECT count(*) FROM envelopes WHERE state = 0 AND exported_at IS NOT NULL"));
  g_assert_cmpuint (counts.pending + counts.delivered, <, n);
  g_assert_cmpuint (counts.pending, >, 0);
  g_assert_cmpuint (counts.exported_pending, >, 0);
}

static void
test_help_requests (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GArray) open_requests = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutboxCounts counts;

  g_assert_true (intake_outbox_add_help_request (outbox, 100, "ar", &error));
  g_assert_true (intake_outbox_add_help_request (outbox, 200, "ti", &error));
  g_assert_no_error (error);
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.open_help_requests, ==, 2);

  open_requests = intake_outbox_list_help_requests (outbox, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open_requests->len, ==, 2);
  g_assert_cmpstr (g_array_index (open_requests, IntakeHelpRequest, 0).language, ==, "ti");
  g_assert_cmpint (g_array_index (open_requests, IntakeHelpRequest, 0).created_at, ==, 200);
  g_assert_cmpint (g_array_index (open_requests, IntakeHelpRequest, 1).resolved_at, ==, 0);

  g_assert_true (intake_outbox_resolve_help_requests (outbox, 300, &error));
  g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
  g_assert_cmpuint (counts.open_help_requests, ==, 0);
  g_clear_pointer (&open_requests, g_array_unref);
  open_requests = intake_outbox_list_help_requests (outbox, TRUE, &error);
  g_assert_cmpuint (open_requests->len, ==, 0);
  all = intake_outbox_list_help_requests (outbox, FALSE, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (g_array_index (all, IntakeHelpRequest, 0).resolved_at, ==, 300);
}

/* What schemas 2 to 5 added, dropped again: an outbox as the first release
 * wrote it. */
#define DOWNGRADE_TO_V1 \
  "DROP TABLE server_state; DROP INDEX envelopes_receipt; ALTER TABLE envelopes DROP COLUMN receipt_id; DROP TABLE receipts;" \
  " DROP TABLE help_requests; DROP INDEX envelopes_age; PRAGMA user_version = 1"

/* An outbox of schema 3 (every delivered row with its own copy of the
 * receipt) is migrated: the old rows keep their receipts, new deliveries
 * store a batch's receipt once, and purging removes receipts no row
 * needs any more. */
static void
test_migrate_receipts_from_v3 (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GBytes) a = seal_text (f->office_public, f->device, NULL, "{\"n\":1}");
  g_autoptr(GBytes) b = seal_text (f->office_public, f->device, NULL, "{\"n\":2}");
  g_autoptr(GBytes) c = seal_text (f->office_public, f->device, NULL, "{\"n\":3}");
  g_autoptr(GBytes) old_receipt = g_bytes_new_static ("old receipt", 11);
  g_autoptr(GBytes) new_receipt = g_bytes_new_static ("new receipt", 11);
  g_autofree char *id_a = submission_hex (a);
  g_autofree char *id_b = submission_hex (b);
  g_autofree char *id_c = submission_hex (c);
  const char *both[] = { id_b, id_c };
  g_autoptr(IntakeOutboxItem) item_a = NULL;
  g_autoptr(IntakeOutboxItem) item_b = NULL;
  g_autoptr(IntakeOutboxItem) item_c = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutbox *outbox = open_outbox (f);
  sqlite3_stmt *stmt = NULL;

  add_ok (outbox, a);
  add_ok (outbox, b);
  add_ok (outbox, c);
  /* Back to schema 3, with a delivered row as schema 3 stored it. */
  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox),
                                 "DROP TABLE server_state; DROP INDEX envelopes_receipt;"
                                 " ALTER TABLE envelopes DROP COLUMN receipt_id;"
                                 " DROP TABLE receipts; PRAGMA user_version = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (intake_outbox_get_db (outbox),
                                       "UPDATE envelopes SET state = 1, receipt = 'old receipt', delivered_at = 10"
                                       " WHERE submission_id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id_a, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_object_unref (outbox);

  outbox = open_outbox (f);
  g_assert_cmpint (intake_outbox_get_schema_version (outbox), ==, INTAKE_OUTBOX_SCHEMA_VERSION);
  g_assert_true (intake_outbox_mark_delivered_many (outbox, both, 2, new_receipt, 20, &error));
  g_assert_no_error (error);
  item_a = intake_outbox_lookup (outbox, id_a, &error);
  item_b = intake_outbox_lookup (outbox, id_b, &error);
  item_c = intake_outbox_lookup (outbox, id_c, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (item_a->receipt, old_receipt));
  g_assert_true (g_bytes_equal (item_b->receipt, new_receipt));
  g_assert_true (g_bytes_equal (item_c->receipt, new_receipt));
  /* Stored once, for both rows. */
  g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM receipts"), ==, 1);
  /* A repeated receipt for rows already delivered keeps no copy. */
  g_assert_true (intake_outbox_mark_delivered (outbox, id_b, new_receipt, 21, &error));
  g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM receipts"), ==, 1);

  g_assert_cmpint (intake_outbox_purge_delivered (outbox, 15, &error), ==, 1);
  g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM receipts"), ==, 1);
  g_assert_cmpint (intake_outbox_purge_delivered (outbox, 25, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM receipts"), ==, 0);
  g_object_unref (outbox);
}

/* An outbox written by the first release (schema 1) is migrated in place
 * and keeps its envelopes. */
static void
test_migrate_from_v1 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, "{}");
  g_autofree char *id = submission_hex (envelope);
  g_autoptr(IntakeOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  IntakeOutbox *outbox = open_outbox (f);

  add_ok (outbox, envelope);
  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox),
                                 DOWNGRADE_TO_V1,
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_object_unref (outbox);

  outbox = open_outbox (f);
  g_assert_cmpint (intake_outbox_get_schema_version (outbox), ==, INTAKE_OUTBOX_SCHEMA_VERSION);
  item = intake_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (item->envelope, envelope));
  g_assert_true (intake_outbox_add_help_request (outbox, 1, "nl", &error));
  g_assert_no_error (error);
  g_object_unref (outbox);
}

/* A negative user_version is not a schema any migration starts from. */
static void
test_schema_negative (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  IntakeOutbox *outbox = open_outbox (f);

  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox), "PRAGMA user_version = -1", NULL, NULL, NULL), ==, SQLITE_OK);
  g_object_unref (outbox);

  g_assert_null (intake_outbox_open (f->db_path, &error));
  g_assert_error (error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_CORRUPT);
}

typedef struct {
  const char   *path;
  IntakeOutbox *outbox;
  GError       *error;
} OpenData;

static gpointer
open_thread (gpointer user_data)
{
  OpenData *d = user_data;

  d->outbox = intake_outbox_open (d->path, &d->error);
  return NULL;
}

/* Two processes open an old outbox at once: the one that waited for the
 * write lock must see the other's migration instead of running it again. */
static void
test_concurrent_migration (Fixture       *f,
                           gconstpointer  data)
{
  IntakeOutbox *outbox = open_outbox (f);
  OpenData d = { f->db_path, NULL, NULL };
  sqlite3 *other = NULL;
  GThread *thread;

  g_assert_cmpint (sqlite3_exec (intake_outbox_get_db (outbox),
                                 DOWNGRADE_TO_V1,
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_object_unref (outbox);

  /* The other process holds the write lock while this one reads version 1
   * and then waits (busy timeout) to migrate. */
  g_assert_cmpint (sqlite3_open (f->db_path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  thread = g_thread_new ("open", open_thread, &d);
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_cmpint (sqlite3_exec (other,
                                 "CREATE TABLE help_requests (id INTEGER PRIMARY KEY,"
                                 " created_at INTEGER NOT NULL, language TEXT NOT NULL, resolved_at INTEGER);"
                                 "CREATE INDEX help_requests_open ON help_requests (resolved_at, created_at);"
                                 "CREATE INDEX envelopes_age ON envelopes (state, created_at);"
                                 "PRAGMA user_version = 2; COMMIT",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_thread_join (thread);
  sqlite3_close (other);

  g_assert_no_error (d.error);
  g_assert_nonnull (d.outbox);
  g_assert_cmpint (intake_outbox_get_schema_version (d.outbox), ==, INTAKE_OUTBOX_SCHEMA_VERSION);
  g_assert_cmpint (sqlite3_get_autocommit (intake_outbox_get_db (d.outbox)), !=, 0);
  g_object_unref (d.outbox);
}

/* ---- Killed mid-write ---------------------------------------------------- */

/* Child mode: seal and store submissions forever, announcing each one on
 * stdout only after intake_outbox_add() returned. */
static int
run_writer (const char *db_path,
            const char *office_pub_path,
            const char *device_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *device_path = g_build_filename (device_dir, "device.secret", NULL);
  g_autoptr(IntakeOfficePublic) office = NULL;
  g_autoptr(IntakeDeviceKey) device = NULL;
  g_autoptr(IntakeOutbox) outbox = NULL;

  if (!intake_crypto_init (&error) ||
      !(office = intake_office_public_load (office_pub_path, &error)) ||
      !(device = intake_device_key_load (device_path, &error)) ||
      !(outbox = intake_outbox_open (db_path, &error)))
    {
      g_printerr ("writer: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; ; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"answers\":{\"n\":%u},\"pid\":%d}", i, (int)getpid ());
      g_autoptr(GBytes) envelope = seal_text (office, device, NULL, text);
      g_autofree char *id = submission_hex (envelope);
      g_autofree char *reference = reference_of (envelope);

      if (!intake_outbox_add (outbox, envelope, reference, &error))
        {
          g_printerr ("writer: %s\n", error->message);
          return 1;
        }
      printf ("committed %s\n", id);
      fflush (stdout);
    }
}

static void
test_survives_kill (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) committed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeOutbox) outbox = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  guint kills = 0;
  guint rounds = g_test_slow () ? 500 : 200;
  GHashTableIter iter;
  gpointer key;

  g_assert_nonnull (exe);

  for (guint round = 0; round < rounds; round++)
    {
      const char *argv[] = { exe, "--writer", f->db_path, f->office_pub_path, f->device_dir, NULL };
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GBytes) out = NULL;
      g_auto(GStrv) lines = NULL;

      child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_assert_no_error (error);

      /* Kill at a random moment: sometimes before the first commit, mostly
       * in the middle of sealing, inserting or syncing. */
      g_usleep (g_random_int_range (0, 40000));
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_communicate (child, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (child))
        {
          g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
          kills++;
        }
      else
        g_assert_not_reached (); /* the writer never exits by itself */

      lines = g_strsplit (g_bytes_get_size (out) ? (const char *)g_bytes_get_data (out, NULL) : "", "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          /* The last line may be cut by the kill: only whole lines count. */
          if (g_str_has_prefix (lines[i], "committed ") && strlen (lines[i]) == 10 + 32 &&
              lines[i + 1] != NULL)
            g_hash_table_add (committed, g_strdup (lines[i] + 10));
        }
    }

  g_assert_cmpuint (kills, ==, rounds);
  g_test_message ("%u kills, %u submissions reported committed", kills, g_hash_table_size (committed));
  g_assert_cmpuint (g_hash_table_size (committed), >, 0);

  outbox = open_outbox (f);
  g_assert_cmpint (query_int (outbox, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), ==, 0);

  /* Every submission whose commit returned is there... */
  g_hash_table_iter_init (&iter, committed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(IntakeOutboxItem) item = intake_outbox_lookup (outbox, key, &error);

      g_assert_no_error (error);
      g_assert_nonnull (item);
    }

  /* ...and everything there, reported or not, is whole and opens. */
  pending = intake_outbox_list_pending (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, >=, g_hash_table_size (committed));
  for (guint i = 0; i < pending->len; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (pending, i);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;
      IntakeEnvelopeHeader header;

      plaintext = intake_envelope_open (item->envelope, f->office_secret, &header, &error);
      g_assert_no_error (error);
      g_assert_nonnull (plaintext);
      g_assert_true (g_str_has_prefix ((const char *)plaintext->data, "{\"answers\":{\"n\":"));
    }

  {
    IntakeOutboxCounts counts;

    g_assert_true (intake_outbox_get_counts (outbox, &counts, &error));
    g_assert_cmpuint (counts.pending, ==, pending->len);
  }
}

/* ---- No plaintext at rest ------------------------------------------------ */

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

static gboolean
any_outbox_file_contains (const char *db_path,
                          const char *needle)
{
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (db_path, "-journal", NULL);

  return file_contains (db_path, needle) || file_contains (wal, needle) ||
         file_contains (shm, needle) || file_contains (journal, needle);
}

static void
test_no_plaintext_canary (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(IntakeOutbox) outbox = open_outbox (f);
  g_autoptr(GPtrArray) canaries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *control = g_build_filename (f->dir, "control.txt", NULL);

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *canary = g_strdup_printf ("CANARY-%08x-%u", g_random_int (), i);
      /* Also a non-ASCII canary, as residents answer in their own script. */
      g_autofree char *arabic = g_strdup_printf ("كناري-%u-%08x", i, g_random_int ());
      g_autofree char *text = g_strdup_printf ("{\"answers\":{\"remarks\":\"%s\",\"city\":\"%s\"}}",
                                               canary, arabic);
      g_autoptr(GBytes) envelope = seal_text (f->office_public, f->device, NULL, text);

      add_ok (outbox, envelope);
      g_ptr_array_add (canaries, g_steal_pointer (&canary));
      g_ptr_array_add (canaries, g_steal_pointer (&arabic));
    }

  /* While the WAL still holds the burst... */
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < canaries->len; i++)
    g_assert_false (any_outbox_file_contains (f->db_path, g_ptr_array_index (canaries, i)));

  /* ...and after a checkpoint and close. */
  g_clear_object (&outbox);
  for (guint i = 0; i < canaries->len; i++)
    g_assert_false (any_outbox_file_contains (f->db_path, g_ptr_array_index (canaries, i)));

  /* The scan itself can find a canary when one is there. */
  intake_test_write_file (control, g_ptr_array_index (canaries, 1));
  g_assert_true (file_contains (control, g_ptr_array_index (canaries, 1)));
}

int
main (int    argc,
      char **argv)
{
  if (argc == 5 && g_str_equal (argv[1], "--writer"))
    return run_writer (argv[2], argv[3], argv[4]);

  g_test_init (&argc, &argv, NULL);
  g_assert_true (intake_crypto_init (NULL));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/outbox/new-destroy", test_new_destroy);
  ADD ("/outbox/durability-settings", test_durability_settings);
  ADD ("/outbox/add/stores-pending", test_add_pending);
  ADD ("/outbox/counts/oldest-pending", test_oldest_pending);
  ADD ("/outbox/add/idempotent", test_add_idempotent);
  ADD ("/outbox/add/conflict", test_add_conflict);
  ADD ("/outbox/delivery/many", test_delivery_many);
  ADD ("/outbox/add/refuses-invalid-envelope", test_add_invalid);
  ADD ("/outbox/delivery/receipt-and-purge", test_delivery);
  ADD ("/outbox/sync/backoff-and-due", test_backoff);
  ADD ("/outbox/sync/due-except-in-flight", test_due_except);
  ADD ("/outbox/bundle/exported-stays-pending", test_exported);
  ADD ("/outbox/open/schema-too-new", test_schema_too_new);
  ADD ("/outbox/open/reopen-keeps-data", test_reopen_keeps_data);
  ADD ("/outbox/open/not-a-database", test_not_a_database);
  ADD ("/outbox/open/unopenable", test_unopenable);
  ADD ("/outbox/add/disk-full-leaves-nothing-half-written", test_disk_full);
  ADD ("/outbox/counts/100000-rows", test_counts_many);
  ADD ("/outbox/help-requests", test_help_requests);
  ADD ("/outbox/open/migrates-from-schema-1", test_migrate_from_v1);
  ADD ("/outbox/open/migrates-receipts-from-schema-3", test_migrate_receipts_from_v3);
  ADD ("/outbox/open/negative-schema-version", test_schema_negative);
  ADD ("/outbox/open/concurrent-migration", test_concurrent_migration);
  ADD ("/outbox/survives-kill", test_survives_kill);
  ADD ("/outbox/no-plaintext-canary", test_no_plaintext_canary);

  return g_test_run ();
}

/* intake-accept.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "intake-accept.h"
#include "intake-crypto-error.h"
#include "intake-protocol.h"

const char *
intake_accept_status_to_string (IntakeAcceptStatus status)
{
  static const char * const names[] = { "stored", "duplicate", "conflict", "rejected" };

  g_return_val_if_fail (status < INTAKE_ACCEPT_N_STATUS, "rejected");
  return names[status];
}

const char *
intake_reject_reason_to_string (IntakeRejectReason reason)
{
  static const char * const names[] = {
    "none", "malformed", "bad_signature", "device_mismatch", "wrong_office_key",
    "unsupported_version", "too_large", "retired_office_key",
  };

  g_return_val_if_fail (reason < INTAKE_REJECT_N_REASONS, "malformed");
  return names[reason];
}

static IntakeRejectReason
reason_from_error (const GError *error)
{
  if (error->domain != INTAKE_CRYPTO_ERROR)
    return INTAKE_REJECT_MALFORMED;
  switch (error->code)
    {
    case INTAKE_CRYPTO_ERROR_BAD_SIGNATURE:
    /* The key in the header does not derive to the device id in the
     * header: nobody signed this for the device it names. */
    case INTAKE_CRYPTO_ERROR_DEVICE_MISMATCH:
      return INTAKE_REJECT_BAD_SIGNATURE;
    case INTAKE_CRYPTO_ERROR_UNSUPPORTED_VERSION:
      return INTAKE_REJECT_UNSUPPORTED_VERSION;
    case INTAKE_CRYPTO_ERROR_TOO_LARGE:
      return INTAKE_REJECT_TOO_LARGE;
    default:
      return INTAKE_REJECT_MALFORMED;
    }
}

static gboolean
reject (IntakeAcceptResult *result,
        IntakeRejectReason  reason)
{
  result->status = INTAKE_ACCEPT_REJECTED;
  result->reason = reason;
  return TRUE;
}

/* Everything but the store: TRUE with @out_meta filled when @envelope
 * should be stored, FALSE with the verdict in @out_result otherwise. */
static gboolean
check_envelope (const IntakeOfficeKeySet *office_keys,
                const IntakeStoreDevice *device,
                GBytes                  *envelope,
                IntakeEnvelopeSource     source,
                gint64                   now,
                IntakeAcceptResult      *out_result,
                IntakeStoreEnvelope     *out_meta)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sha256 = NULL;
  IntakeEnvelopeHeader header;

  memset (out_result, 0, sizeof *out_result);
  sha256 = intake_sha256_hex (envelope);
  g_strlcpy (out_result->sha256, sha256, sizeof out_result->sha256);

  if (g_bytes_get_size (envelope) > INTAKE_ACCEPT_MAX_ENVELOPE)
    return !reject (out_result, INTAKE_REJECT_TOO_LARGE);

  /* The submission id is reported even for an envelope that fails its
   * signature check, so staff can match it to the kiosk's outbox. */
  if (intake_envelope_parse_header (envelope, &header, NULL))
    {
      g_autofree char *id = intake_hex_encode (header.submission_id, sizeof header.submission_id);

      out_result->has_submission_id = TRUE;
      g_strlcpy (out_result->submission_id, id, sizeof out_result->submission_id);
    }

  if (!intake_envelope_verify (envelope, &header, &local_error))
    return !reject (out_result, reason_from_error (local_error));

  *out_meta = (IntakeStoreEnvelope) { 0 };
  intake_store_envelope_init_hashed (out_meta, &header, envelope, sha256, now, source);
  if (!g_str_equal (out_meta->device_id, device->device_id))
    return !reject (out_result, INTAKE_REJECT_DEVICE_MISMATCH);
  if (office_keys->retired != NULL &&
      g_strv_contains ((const char * const *)office_keys->retired, out_meta->office_key_id))
    return !reject (out_result, INTAKE_REJECT_RETIRED_OFFICE_KEY);
  if (office_keys->accepted == NULL ||
      !g_strv_contains ((const char * const *)office_keys->accepted, out_meta->office_key_id))
    return !reject (out_result, INTAKE_REJECT_WRONG_OFFICE_KEY);
  return TRUE;
}

static IntakeAcceptStatus
status_from_put (IntakeStorePutResult put)
{
  switch (put)
    {
    case INTAKE_STORE_PUT_STORED:
      return INTAKE_ACCEPT_STORED;
    case INTAKE_STORE_PUT_DUPLICATE:
      return INTAKE_ACCEPT_DUPLICATE;
    case INTAKE_STORE_PUT_CONFLICT:
    default:
      return INTAKE_ACCEPT_CONFLICT;
    }
}

gboolean
intake_server_accept_envelope (IntakeStore             *store,
                               const IntakeOfficeKeySet *office_keys,
                               const IntakeStoreDevice *device,
                               GBytes                  *envelope,
                               IntakeEnvelopeSource     source,
                               gint64                   now,
                               IntakeAcceptResult      *out_result,
                               GError                 **error)
{
  IntakeStoreEnvelope meta;
  IntakeStorePutResult put;

  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);
  g_return_val_if_fail (office_keys != NULL, FALSE);
  g_return_val_if_fail (device != NULL && device->status == INTAKE_DEVICE_STATUS_ACTIVE, FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);

  if (!check_envelope (office_keys, device, envelope, source, now, out_result, &meta))
    return TRUE;
  if (!intake_store_put_envelope (store, &meta, envelope, &put, error))
    return FALSE;
  out_result->status = status_from_put (put);
  return TRUE;
}

struct _IntakeAcceptBatch {
  guint               n;
  IntakeAcceptResult *results;
  GArray             *metas;       /* IntakeStoreEnvelope of the ones to store */
  GPtrArray          *to_store;    /* GBytes, the same */
  guint              *index;       /* into @results */
  IntakeStorePutResult *puts;
  IntakeStoreNonce    nonce;
  char               *nonce_signer;
  char               *nonce_text;
  gboolean            has_nonce;
  gboolean            nonce_fresh;
  char                device_id[INTAKE_HEX_ID_LEN];
  gboolean            device_inactive;
};

IntakeAcceptBatch *
intake_accept_batch_new (const IntakeOfficeKeySet *office_keys,
                         const IntakeStoreDevice *device,
                         const IntakeStoreNonce  *nonce,
                         guint                    n,
                         GBytes * const          *envelopes,
                         IntakeEnvelopeSource     source,
                         gint64                   now)
{
  IntakeAcceptBatch *batch;

  g_return_val_if_fail (office_keys != NULL, NULL);
  g_return_val_if_fail (device != NULL && device->status == INTAKE_DEVICE_STATUS_ACTIVE, NULL);
  g_return_val_if_fail (n == 0 || envelopes != NULL, NULL);

  batch = g_new0 (IntakeAcceptBatch, 1);
  batch->n = n;
  batch->results = g_new0 (IntakeAcceptResult, n + 1);
  batch->metas = g_array_sized_new (FALSE, TRUE, sizeof (IntakeStoreEnvelope), n);
  batch->to_store = g_ptr_array_new_full (n, (GDestroyNotify)g_bytes_unref);
  batch->index = g_new0 (guint, n + 1);
  batch->puts = g_new0 (IntakeStorePutResult, n + 1);
  batch->nonce_fresh = TRUE;
  g_strlcpy (batch->device_id, device->device_id, sizeof batch->device_id);
  if (nonce != NULL)
    {
      batch->has_nonce = TRUE;
      batch->nonce_signer = g_strdup (nonce->signer);
      batch->nonce_text = g_strdup (nonce->nonce);
      batch->nonce = (IntakeStoreNonce) { batch->nonce_signer, batch->nonce_text, nonce->expires_at };
    }

  /* Every check here (the CPU-bound part); storing comes later, in one
   * transaction, maybe with other requests' batches. */
  for (guint i = 0; i < n; i++)
    {
      IntakeStoreEnvelope meta;

      if (envelopes[i] == NULL)
        {
          reject (&batch->results[i], INTAKE_REJECT_MALFORMED);
          continue;
        }
      if (!check_envelope (office_keys, device, envelopes[i], source, now, &batch->results[i], &meta))
        continue;
      batch->index[batch->to_store->len] = i;
      g_array_append_val (batch->metas, meta);
      g_ptr_array_add (batch->to_store, g_bytes_ref (envelopes[i]));
    }
  return batch;
}

void
intake_accept_batch_free (IntakeAcceptBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->results);
  g_array_unref (batch->metas);
  g_ptr_array_unref (batch->to_store);
  g_free (batch->index);
  g_free (batch->puts);
  g_free (batch->nonce_signer);
  g_free (batch->nonce_text);
  g_free (batch);
}

const IntakeAcceptResult *
intake_accept_batch_get_results (IntakeAcceptBatch *batch,
                                 guint             *out_n)
{
  *out_n = batch->n;
  return batch->results;
}

gboolean
intake_accept_batch_get_nonce_fresh (IntakeAcceptBatch *batch)
{
  return batch->nonce_fresh;
}

gboolean
intake_accept_batch_get_device_inactive (IntakeAcceptBatch *batch)
{
  return batch->device_inactive;
}

gboolean
intake_accept_batches_store (IntakeStore        *store,
                             IntakeAcceptBatch **batches,
                             guint               n_batches,
                             GError            **error)
{
  g_autofree IntakeStoreUpload *uploads = g_new0 (IntakeStoreUpload, n_batches + 1);

  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);

  for (guint b = 0; b < n_batches; b++)
    {
      IntakeAcceptBatch *batch = batches[b];

      uploads[b].nonce = batch->has_nonce ? &batch->nonce : NULL;
      uploads[b].active_device = batch->device_id;
      uploads[b].n = batch->to_store->len;
      uploads[b].metas = (const IntakeStoreEnvelope *)(void *)batch->metas->data;
      uploads[b].envelopes = (GBytes * const *)batch->to_store->pdata;
      uploads[b].results = batch->puts;
    }
  if (!intake_store_put_uploads (store, uploads, n_batches, error))
    return FALSE;
  for (guint b = 0; b < n_batches; b++)
    {
      IntakeAcceptBatch *batch = batches[b];

      batch->nonce_fresh = uploads[b].nonce_fresh;
      batch->device_inactive = uploads[b].device_inactive;
      if (batch->nonce_fresh && !batch->device_inactive)
        for (guint k = 0; k < batch->to_store->len; k++)
          batch->results[batch->index[k]].status = status_from_put (batch->puts[k]);
    }
  return TRUE;
}

gboolean
intake_server_accept_envelopes (IntakeStore             *store,
                                const IntakeOfficeKeySet *office_keys,
                                const IntakeStoreDevice *device,
                                const IntakeStoreNonce  *nonce,
                                gboolean                *out_nonce_fresh,
                                guint                    n,
                                GBytes * const          *envelopes,
                                IntakeEnvelopeSource     source,
                                gint64                   now,
                                IntakeAcceptResult      *out_results,
                                GError                 **error)
{
  IntakeAcceptBatch *batch;
  gboolean ok;

  g_return_val_if_fail (INTAKE_IS_STORE (store), FALSE);
  g_return_val_if_fail (nonce == NULL || out_nonce_fresh != NULL, FALSE);
  g_return_val_if_fail (n == 0 || out_results != NULL, FALSE);

  batch = intake_accept_batch_new (office_keys, device, nonce, n, envelopes, source, now);
  if (batch == NULL)
    return FALSE;
  ok = intake_accept_batches_store (store, &batch, 1, error);
  if (ok && batch->device_inactive)
    {
      g_set_error (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_DEVICE_REVOKED,
                   "device %s was revoked before its envelopes were stored", batch->device_id);
      ok = FALSE;
    }
  if (ok)
    {
      if (out_nonce_fresh != NULL)
        *out_nonce_fresh = batch->nonce_fresh;
      if (n > 0)
        memcpy (out_results, batch->results, n * sizeof *out_results);
    }
  intake_accept_batch_free (batch);
  return ok;
}

/* fuzz-answers.c: server answers as the kiosk and the review app read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the body of an answer. It goes through the strict parser
 * the HTTP layer uses (app/core/intake-http.c); an object is then read as
 * a submission of the review list (and each element of "submissions"), as
 * a signed questionnaire (GET /v1/questionnaire, the enrollment answer),
 * and the input is read as a receipt, signed with the fuzzing server key
 * so that the reader behind the signature runs. Last, it is read as a
 * receipts file (intake-kiosk --import-receipts): each receipt in it is
 * verified as given and again re-signed with the fuzzing server key, and a
 * file that parses is built again and must parse to the same receipts.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "fuzz-common.h"
#include "intake-json.h"
#include "intake-keys-private.h"
#include "intake-protocol.h"
#include "intake-review-client.h"
#include "intake-signed-questionnaire.h"

static IntakeDeviceKey *server_key;
static IntakeDevicePublic server_public;
static char *device_id;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  guint8 seed[32], pk[32], sk[64];

  fuzz_init ();
  crypto_generichash (seed, sizeof seed, (const guint8 *) "intake fuzz server key", 22, NULL, 0);
  crypto_sign_seed_keypair (pk, sk, seed);
  if (!(server_key = intake_device_key_new_from_secret (sk, &error)))
    g_error ("%s", error->message);
  intake_device_key_get_public (server_key, &server_public);
  device_id = intake_device_key_dup_id_hex (fuzz_device_key ());
  return 0;
}

static void
read_object (JsonObject *object)
{
  g_autoptr(IntakeReviewMeta) meta = intake_review_meta_new_from_json (object);
  g_autoptr(IntakeSignedQuestionnaire) questionnaire = NULL;

  /* The workflow answers carry no submission id: the list checks that. */
  if (meta != NULL)
    g_assert (meta->state != NULL && meta->unit != NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (!(questionnaire = intake_signed_questionnaire_new_from_json (object, &error)))
    g_assert (error != NULL && error->domain == INTAKE_SIGNED_QUESTIONNAIRE_ERROR);
  if ((node = json_object_get_member (object, "submissions")) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            {
              g_autoptr(IntakeReviewMeta) item = intake_review_meta_new_from_json (json_node_get_object (element));

              if (item != NULL)
                g_assert (item->state != NULL);
            }
        }
    }
}

static void
read_receipts_file (const uint8_t *data,
                    size_t         size)
{
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  g_autoptr(GError) error = NULL;

  if (!(receipts = intake_receipts_file_parse ((const char *) data, size, &error)))
    {
      g_assert (error != NULL && error->domain == INTAKE_PROTOCOL_ERROR);
      return;
    }
  for (guint i = 0; i < receipts->len; i++)
    {
      IntakeSignedReceipt *r = g_ptr_array_index (receipts, i);
      g_autoptr(GArray) items = NULL;
      g_autoptr(GError) local_error = NULL;

      items = intake_receipt_verify (r->receipt, r->signature, server_public.sign_pk, device_id, &local_error);
      g_assert ((items == NULL) == (local_error != NULL));
      g_clear_pointer (&items, g_array_unref);
      g_clear_error (&local_error);
      intake_device_key_sign (server_key, "receipt", r->receipt, r->signature);
      items = intake_receipt_verify (r->receipt, r->signature, server_public.sign_pk, device_id, &local_error);
      g_assert ((items == NULL) == (local_error != NULL));
    }
  rebuilt = intake_receipts_file_build (receipts);
  again = intake_receipts_file_parse (g_bytes_get_data (rebuilt, NULL), g_bytes_get_size (rebuilt), &error);
  g_assert_no_error (error);
  g_assert (again->len == receipts->len);
  for (guint i = 0; i < again->len; i++)
    g_assert (g_bytes_equal (((IntakeSignedReceipt *) g_ptr_array_index (again, i))->receipt,
                             ((IntakeSignedReceipt *) g_ptr_array_index (receipts, i))->receipt));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GBytes) receipt = g_bytes_new (data, size);
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  guint8 signature[INTAKE_SIGNATURE_BYTES];

  if (intake_json_parse_untrusted (parser, (const char *) data, size, INTAKE_JSON_MAX_DEPTH, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    read_object (json_node_get_object (json_parser_get_root (parser)));

  intake_device_key_sign (server_key, "receipt", receipt, signature);
  if ((items = intake_receipt_verify (receipt, signature, server_public.sign_pk, device_id, &error)))
    for (guint i = 0; i < items->len; i++)
      {
        const IntakeReceiptItem *item = &g_array_index (items, IntakeReceiptItem, i);

        g_assert (strlen (item->submission_id) == 32 && strlen (item->sha256) == 64);
      }
  else
    g_assert (error != NULL && error->domain == INTAKE_PROTOCOL_ERROR);
  read_receipts_file (data, size);
  return 0;
}

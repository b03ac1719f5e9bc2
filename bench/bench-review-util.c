/* bench-review-util.c: what the review benchmarks share: a real
 * intake-server seeded through its upload path by four devices' threads,
 * a reviewer in its store, medians and waiting on the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "bench-review-util.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-protocol.h"
#include "intake-roles.h"
#include "intake-server-util.h"
#include "intake-session.h"

double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Iterates the default main context until @done says so; a hang is an error. */
void
wait_until (gboolean (*done) (gpointer),
            gpointer  data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ---- Seeding -------------------------------------------------------- */

GBytes *
upload_body (GPtrArray *envelopes,
             guint      from,
             guint      to)
{
  GString *text = g_string_new ("{\"envelopes\":[");

  for (guint i = from; i < to; i++)
    {
      GBytes *envelope = g_ptr_array_index (envelopes, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope));

      g_string_append_printf (text, "%s\"%s\"", i > from ? "," : "", b64);
    }
  g_string_append (text, "]}");
  return g_string_free_to_bytes (text);
}

/* Seals the device's one session @n times, each with a fresh submission id. */
gpointer
seal_thread (gpointer data)
{
  Device *device = data;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < device->n; i++)
    {
      IntakeEnvelopeInfo info = { 0 };
      g_autoptr(GError) error = NULL;
      GBytes *envelope;

      intake_envelope_new_submission_id (info.submission_id);
      info.created_at = now - (device->n - i) * 60;
      info.questionnaire_id = intake_questionnaire_get_id (device->questionnaire);
      info.questionnaire_version = intake_questionnaire_get_version (device->questionnaire);
      memcpy (info.questionnaire_hash, intake_questionnaire_get_hash_bytes (device->questionnaire),
              sizeof info.questionnaire_hash);
      envelope = intake_envelope_seal (device->office, device->key, &info,
                                       device->plaintext->data,
                                       device->plaintext->len, &error);
      if (envelope == NULL)
        g_error ("%s", error->message);
      g_ptr_array_add (device->envelopes, envelope);
    }
  for (guint i = 0; i < device->n; i += INTAKE_PROTOCOL_MAX_BATCH)
    g_ptr_array_add (device->bodies, upload_body (device->envelopes, i,
                                                  MIN (device->n, i + INTAKE_PROTOCOL_MAX_BATCH)));
  return NULL;
}

guint
count_stored (GBytes *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *results;
  guint stored = 0;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize)g_bytes_get_size (reply), NULL))
    return 0;
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (results, i), "status"), "stored"))
      stored++;
  return stored;
}

/* One kiosk uploading its batches: own main context and session, blocking calls. */
gpointer
upload_thread (gpointer data)
{
  Device *device = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = g_strconcat (device->url, "/v1/envelopes", NULL);

  g_main_context_push_thread_default (context);
  session = soup_session_new_with_options ("timeout", 120, NULL);
  for (guint i = 0; i < device->bodies->len; i++)
    {
      GBytes *body = g_ptr_array_index (device->bodies, i);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
      IntakeRequestAuth auth;

      intake_protocol_sign_request (device->key, "POST", "/v1/envelopes", body,
                                    g_get_real_time () / G_USEC_PER_SEC, &auth);
      soup_message_headers_replace (headers, INTAKE_HEADER_DEVICE, auth.device_id);
      soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
      soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
      soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
      intake_request_auth_clear (&auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL || soup_message_get_status (msg) != 200)
        device->failed++;
      else
        device->stored += count_stored (reply);
    }
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* What an activation leaves in the store (docs/protocol.md, "Activation"),
 * with the real Argon2id limits; the workstation key goes to @key_path. */
void
add_reviewer (IntakeStore              *store,
              const IntakeOfficeSecret *office_secret,
              const IntakeSecureBuffer *passphrase,
              const char               *key_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeReviewerKey) reviewer = NULL;
  g_autoptr(IntakeWorkstationKey) workstation = NULL;
  g_autoptr(IntakeCredentials) credentials = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autofree char *reviewer_id = NULL;
  IntakeStoreReviewer record = { 0 };
  IntakeReviewerPublic pub;

  if (!(reviewer = intake_reviewer_key_generate (office_secret, &error)) ||
      !(workstation = intake_workstation_key_generate (&error)) ||
      !intake_workstation_key_save (workstation, key_path, "bench workstation key", &error) ||
      !(credentials = intake_credentials_new_reviewer (passphrase, workstation, NULL, 0, 0, &error)) ||
      !(record.blob = intake_reviewer_key_seal (reviewer, credentials, &error)))
    g_error ("%s", error->message);
  intake_reviewer_key_get_public (reviewer, &pub);
  reviewer_id = intake_reviewer_key_dup_id_hex (reviewer);
  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = (char *)REVIEWER_NAME;
  memcpy (record.sign_pk, pub.sign_pk, sizeof record.sign_pk);
  record.created_at = g_get_real_time () / G_USEC_PER_SEC;
  record.roles = INTAKE_ROLE_CASEWORKER | INTAKE_ROLE_TEAM_LEAD;
  event = intake_audit_event_new (record.created_at, "admin", "reviewer_add", REVIEWER_NAME, "ok", "cli");
  if (!intake_store_add_reviewer (store, &record, event, &error))
    g_error ("%s", error->message);
  g_bytes_unref (record.blob);
}

/* ---- Waiting on the client and the model ----------------------------- */


void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ((AsyncWait *)user_data)->result = g_object_ref (result);
}

gboolean
async_done (gpointer data)
{
  return ((AsyncWait *)data)->result != NULL;
}
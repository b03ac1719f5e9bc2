/* intake-server-staff.c: how reviewers get and keep their keys, and who manages them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md, "Unlock", "Activation", "Passphrase change" and
 * "Reviewers and devices". The server holds each reviewer's key blob, which
 * it cannot open, and the verifier the blob carries; it hands the blob out
 * only to whoever signs a fresh challenge with the key derived from the
 * reviewer's passphrase and workstation key. Unknown names get answers of
 * the very same shape (a fake salt and verifier derived from the server
 * key), add no audit row, and fail like a wrong passphrase. Failed proofs
 * are counted per name in the store, so a lockout holds across instances.
 */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "intake-field.h"
#include "intake-json.h"
#include "intake-protocol.h"
#include "intake-review-request.h"
#include "intake-roles.h"
#include "intake-server-private.h"

#define CHALLENGE_RANDOM_BYTES 16
#define CHALLENGE_MAC_BYTES    32
#define CHALLENGE_BYTES        (CHALLENGE_RANDOM_BYTES + 8 + CHALLENGE_MAC_BYTES)
/* A challenge is answered within this many seconds (Argon2id on a slow
 * workstation takes a few). */
#define CHALLENGE_AGE          INTAKE_PROTOCOL_TIMESTAMP_WINDOW
/* Five failed proofs in a row lock a name for 15 minutes; failures a day
 * old start again at one. */
#define LOCK_AFTER             5
#define LOCK_SECONDS           (15 * 60)
#define FAILURE_WINDOW         (24 * 60 * 60)
/* An activation code is good for three days unless the administrator says otherwise. */
#define SETUP_TTL_DEFAULT      (72 * 60 * 60)
#define SETUP_TTL_MAX          (30 * 24 * 60 * 60)

G_STATIC_ASSERT (CHALLENGE_BYTES == INTAKE_PROTOCOL_CHALLENGE_BYTES);

static void
put_u64_le (guint8  *out,
            guint64  value)
{
  for (guint i = 0; i < 8; i++)
    out[i] = (guint8) (value >> (8 * i));
}

static guint64
get_u64_le (const guint8 *in)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value |= (guint64) in[i] << (8 * i);
  return value;
}

/* challenge = random (16) || issued_at (u64 LE) || MAC (32), the MAC a
 * keyed BLAKE2b (intake_device_key_derive with the server key, so every
 * instance sharing the key accepts it) over the purpose, the name, the
 * random bytes and the time: it cannot be used for another name or step. */
static void
challenge_mac (IntakeServer *self,
               const char   *purpose,
               const char   *name,
               const guint8 *random_and_time,
               guint8       *out_mac)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  static const guint8 zero = 0;

  g_byte_array_append (data, (const guint8 *)purpose, strlen (purpose));
  g_byte_array_append (data, &zero, 1);
  g_byte_array_append (data, (const guint8 *)name, strlen (name));
  g_byte_array_append (data, &zero, 1);
  g_byte_array_append (data, random_and_time, CHALLENGE_RANDOM_BYTES + 8);
  intake_device_key_derive (self->server_key, "unlock-challenge", data->data, data->len, out_mac,
                            CHALLENGE_MAC_BYTES);
}

static char *
new_challenge (IntakeServer *self,
               const char   *purpose,
               const char   *name)
{
  guint8 challenge[CHALLENGE_BYTES];

  randombytes_buf (challenge, CHALLENGE_RANDOM_BYTES);
  put_u64_le (challenge + CHALLENGE_RANDOM_BYTES, (guint64) intake_server_now_seconds ());
  challenge_mac (self, purpose, name, challenge, challenge + CHALLENGE_RANDOM_BYTES + 8);
  return g_base64_encode (challenge, sizeof challenge);
}

/* Checks a challenge given back; on failure answers 401 and returns FALSE.
 * @out_nonce: hex of its random part, used once (the store's nonces). */
static gboolean
check_challenge (IntakeServer      *self,
                 SoupServerMessage *msg,
                 const char        *purpose,
                 const char        *name,
                 const guint8      *challenge,
                 char             **out_nonce)
{
  guint8 mac[CHALLENGE_MAC_BYTES];
  gint64 issued = (gint64) get_u64_le (challenge + CHALLENGE_RANDOM_BYTES);
  gint64 now = intake_server_now_seconds ();

  challenge_mac (self, purpose, name, challenge, mac);
  if (sodium_memcmp (mac, challenge + CHALLENGE_RANDOM_BYTES + 8, sizeof mac) != 0)
    {
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_challenge",
                                   "this challenge was not made by this server for this name and step; "
                                   "start again");
      return FALSE;
    }
  if (issued > now + 5 || now - issued > CHALLENGE_AGE)
    {
      intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "challenge_expired",
                                   "the challenge is more than 5 minutes old; start again");
      return FALSE;
    }
  *out_nonce = intake_hex_encode (challenge, CHALLENGE_RANDOM_BYTES);
  return TRUE;
}

/* What unknown names get instead of a reviewer's salt, workstation id and
 * verifier: derived from the server key and the name, so that they are
 * the same every time and on every instance, and tell nothing. */
static void
fake_value (IntakeServer *self,
            const char   *what,
            const char   *name,
            guint8       *out,
            gsize         len)
{
  guint8 full[32];

  g_assert (len <= sizeof full);
  intake_device_key_derive (self->server_key, what, (const guint8 *)name, strlen (name), full, sizeof full);
  memcpy (out, full, len);
}

static void
fake_verifier (IntakeServer *self,
               const char   *what,
               const char   *name,
               guint8       *out_pk)
{
  guint8 seed[32];

  fake_value (self, what, name, seed, sizeof seed);
  intake_auth_public_from_seed (seed, out_pk);
  sodium_memzero (seed, sizeof seed);
}

/* The body's "name" (1 to 128 bytes of UTF-8), or NULL after answering 400. */
static const char *
body_name (SoupServerMessage *msg,
           JsonObject        *request)
{
  const char *name = request != NULL ? intake_json_get_string (request, "name") : NULL;
  g_autoptr(GError) error = NULL;

  /* A name with a bidirectional control or a line break is refused before
   * it can be an audit actor. */
  if (name == NULL || *name == '\0' || strlen (name) > 128 || !g_utf8_validate (name, -1, NULL) ||
      !intake_field_check (name, -1, "the name", &error))
    {
      intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                   intake_server_body_problem (error, "expected a \"name\" of 1 to 128 bytes of UTF-8"));
      return NULL;
    }
  return name;
}

/* Decodes a base64 member of exactly @len bytes; NULL if it is not one. */
static guint8 *
member_bytes (JsonObject *request,
              const char *member,
              gsize       len)
{
  gsize got = 0;
  g_autofree guint8 *data = intake_base64_decode_strict (intake_json_get_string (request, member), &got);

  if (data == NULL || got != len)
    return NULL;
  return g_steal_pointer (&data);
}

static GBytes *
challenge_message (const guint8 *challenge,
                   const char   *name,
                   GBytes       *extra)
{
  GByteArray *message = g_byte_array_new ();

  g_byte_array_append (message, challenge, CHALLENGE_BYTES);
  g_byte_array_append (message, (const guint8 *)name, strlen (name));
  if (extra != NULL)
    g_byte_array_append (message, g_bytes_get_data (extra, NULL), g_bytes_get_size (extra));
  return g_byte_array_free_to_bytes (message);
}

/* 429 locked_out while the name is locked (the same for every name, so a
 * lockout says nothing about whether the name is a reviewer's). */
static gboolean
refuse_if_locked (IntakeServer      *self,
                  SoupServerMessage *msg,
                  const char        *name_key)
{
  g_autoptr(GError) error = NULL;
  IntakeStoreThrottle throttle;
  gint64 now = intake_server_now_seconds ();
  g_autofree char *retry = NULL;

  if (!intake_store_get_throttle (self->store, name_key, &throttle, &error))
    {
      intake_server_store_unavailable (msg, error);
      return TRUE;
    }
  if (throttle.locked_until <= now)
    return FALSE;
  retry = g_strdup_printf ("%" G_GINT64_FORMAT, throttle.locked_until - now);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", retry);
  intake_server_respond_error (msg, 429, "locked_out",
                               "too many failed attempts with this name; wait 15 minutes or ask an administrator "
                               "to lift the lock");
  return TRUE;
}

static void
add_string_array (JsonBuilder  *builder,
                  const char   *member,
                  char * const *values,
                  gboolean      null_when_empty)
{
  json_builder_set_member_name (builder, member);
  if (values == NULL && null_when_empty)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_access (JsonBuilder  *builder,
            guint         roles,
            char * const *locations,
            char * const *units)
{
  g_auto(GStrv) names = intake_roles_to_strv (roles);

  add_string_array (builder, "roles", names, FALSE);
  add_string_array (builder, "locations", locations, TRUE);
  add_string_array (builder, "units", units, TRUE);
}

static void
add_server_members (IntakeServer *self,
                    JsonBuilder  *builder)
{
  g_autofree char *server_b64 = g_base64_encode (self->server_public.sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  g_autofree char *office_b64 = g_base64_encode (g_bytes_get_data (self->office_blob, NULL),
                                                 g_bytes_get_size (self->office_blob));

  json_builder_set_member_name (builder, "server_public");
  json_builder_add_string_value (builder, server_b64);
  json_builder_set_member_name (builder, "server_key_id");
  json_builder_add_string_value (builder, self->server_key_id);
  json_builder_set_member_name (builder, "office_public");
  json_builder_add_string_value (builder, office_b64);
}

/* What a reviewer needs to read envelopes sealed for older office keys and
 * to receive a newer one (docs/protocol.md, "Office key rotation"): the
 * rotation statements, oldest first, and the sealed office keys for
 * @reviewer_id. FALSE with @error when the store fails. */
static gboolean
add_office_key_members (IntakeServer  *self,
                        JsonBuilder   *builder,
                        const char    *reviewer_id,
                        GError       **error)
{
  g_autoptr(GPtrArray) seals = intake_store_list_office_key_seals (self->store, reviewer_id, error);

  if (seals == NULL)
    return FALSE;
  intake_server_add_office_rotations (self, builder);
  json_builder_set_member_name (builder, "office_key_seals");
  json_builder_begin_array (builder);
  for (guint i = 0; i < seals->len; i++)
    {
      GBytes *blob = g_ptr_array_index (seals, i);
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));

      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
  return TRUE;
}

/* The active reviewer @name with a format 2 key, or NULL (also for a
 * revoked one, one still on format 1, or when the store fails: then
 * @error is set). */
static IntakeStoreReviewer *
usable_reviewer (IntakeServer            *self,
                 const char              *name,
                 IntakeReviewerBlobInfo  *out_info,
                 GError                 **error)
{
  g_autoptr(IntakeStoreReviewer) reviewer = NULL;
  g_autoptr(GError) local_error = NULL;

  reviewer = intake_store_get_reviewer (self->store, NULL, name, &local_error);
  if (reviewer == NULL)
    {
      if (!g_error_matches (local_error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (reviewer->status != INTAKE_REVIEWER_STATUS_ACTIVE ||
      !intake_reviewer_key_blob_peek (reviewer->blob, out_info, NULL) ||
      out_info->version != INTAKE_REVIEWER_KEY_FORMAT)
    return NULL;
  return g_steal_pointer (&reviewer);
}

/* ---- Unlock --------------------------------------------------------------------- */

static void
unlock_start (IntakeServer      *self,
              SoupServerMessage *msg,
              JsonObject        *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewer) reviewer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *salt_b64 = NULL;
  g_autofree char *workstation_hex = NULL;
  IntakeReviewerBlobInfo info = { 0 };
  const char *name;

  if (!(name = body_name (msg, request)))
    return;
  reviewer = usable_reviewer (self, name, &info, &error);
  if (error != NULL)
    return intake_server_store_unavailable (msg, error);
  if (reviewer == NULL)
    {
      /* The shape and the values of a real answer, nothing of a real reviewer. */
      fake_value (self, "fake-salt", name, info.salt, sizeof info.salt);
      fake_value (self, "fake-workstation-id", name, info.workstation_id, sizeof info.workstation_id);
      info.opslimit = INTAKE_REVIEWER_KDF_OPSLIMIT;
      info.memlimit = INTAKE_REVIEWER_KDF_MEMLIMIT;
    }

  challenge = new_challenge (self, "unlock", name);
  salt_b64 = g_base64_encode (info.salt, sizeof info.salt);
  workstation_hex = intake_hex_encode (info.workstation_id, sizeof info.workstation_id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, INTAKE_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "challenge");
  json_builder_add_string_value (builder, challenge);
  json_builder_set_member_name (builder, "kdf");
  json_builder_add_string_value (builder, "argon2id13");
  json_builder_set_member_name (builder, "opslimit");
  json_builder_add_int_value (builder, (gint64) info.opslimit);
  json_builder_set_member_name (builder, "memlimit");
  json_builder_add_int_value (builder, (gint64) info.memlimit);
  json_builder_set_member_name (builder, "salt");
  json_builder_add_string_value (builder, salt_b64);
  json_builder_set_member_name (builder, "workstation_id");
  json_builder_add_string_value (builder, workstation_hex);
  json_builder_set_member_name (builder, "office_key_id");
  json_builder_add_string_value (builder, self->office_key_id);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
unlock_finish (IntakeServer      *self,
               SoupServerMessage *msg,
               JsonObject        *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewer) reviewer = NULL;
  g_autoptr(IntakeAuditEvent) success_event = NULL;
  g_autoptr(IntakeAuditEvent) lock_event = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *challenge = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *blob_b64 = NULL;
  IntakeReviewerBlobInfo info = { 0 };
  IntakeStoreUnlockOutcome outcome = { 0 };
  guint8 verifier[INTAKE_SIGN_PUBLIC_BYTES];
  gboolean ok, fresh = FALSE;
  gint64 locked_until = 0;
  const char *name;

  if (!(name = body_name (msg, request)))
    return;
  if (!(challenge = member_bytes (request, "challenge", CHALLENGE_BYTES)) ||
      !(signature = member_bytes (request, "signature", INTAKE_SIGNATURE_BYTES)))
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"name\", \"challenge\": \"<base64, 56 bytes>\", "
                                        "\"signature\": \"<base64, 64 bytes>\"}");
  if (!check_challenge (self, msg, "unlock", name, challenge, &nonce))
    return;
  name_key = intake_store_name_key (name);
  if (refuse_if_locked (self, msg, name_key))
    return;

  reviewer = usable_reviewer (self, name, &info, &error);
  if (error != NULL)
    return intake_server_store_unavailable (msg, error);
  if (reviewer != NULL)
    memcpy (verifier, info.auth_pk, sizeof verifier);
  else
    fake_verifier (self, "fake-auth", name, verifier);
  /* The same work for every name: one signature check, one transaction. */
  message = challenge_message (challenge, name, NULL);
  ok = intake_auth_public_verify (verifier, INTAKE_REVIEW_UNLOCK_CONTEXT, message, signature, NULL) &&
       reviewer != NULL;

  if (reviewer != NULL)
    {
      success_event = intake_audit_event_new (intake_server_now_seconds (), reviewer->name, "unlock",
                                              reviewer->reviewer_id, "ok", intake_server_origin (msg));
      lock_event = intake_audit_event_new (intake_server_now_seconds (), reviewer->name, "unlock", reviewer->name,
                                           "denied:locked_out", intake_server_origin (msg));
    }
  outcome = (IntakeStoreUnlockOutcome) {
    .name_key = name_key,
    .nonce_signer = "challenge:unlock",
    .nonce = nonce,
    .nonce_expires_at = intake_server_now_seconds () + CHALLENGE_AGE,
    .success = ok,
    .now = intake_server_now_seconds (),
    .failure_window = FAILURE_WINDOW,
    .lock_after = LOCK_AFTER,
    .lock_seconds = LOCK_SECONDS,
    .success_event = success_event,
    .lock_event = lock_event,
  };
  if (!intake_store_finish_unlock (self->store, &outcome, &fresh, &locked_until, &error))
    return intake_server_store_unavailable (msg, error);
  if (!fresh)
    return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "replayed_request",
                                        "this challenge was answered before; start again");
  if (locked_until > 0)
    {
      g_autofree char *fields = g_strdup_printf ("name_key=%.16s", name_key);

      self->lockouts++;
      intake_server_log ("warning", "unlock_locked_out", fields);
    }
  if (!ok)
    {
      self->unlock_failures++;
      return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials",
                                          "this name, passphrase and workstation key do not belong together");
    }

  g_strlcpy (intake_server_request_log (msg)->reviewer_id, reviewer->reviewer_id, INTAKE_HEX_ID_LEN);
  blob_b64 = g_base64_encode (g_bytes_get_data (reviewer->blob, NULL), g_bytes_get_size (reviewer->blob));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reviewer_id");
  json_builder_add_string_value (builder, reviewer->reviewer_id);
  json_builder_set_member_name (builder, "blob");
  json_builder_add_string_value (builder, blob_b64);
  add_server_members (self, builder);
  if (!add_office_key_members (self, builder, reviewer->reviewer_id, &error))
    return intake_server_store_unavailable (msg, error);
  add_access (builder, reviewer->roles, reviewer->locations, reviewer->units);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* ---- Activation ----------------------------------------------------------------- */

/* The pending activation of @name that has not expired, or NULL. */
static IntakeStoreReviewerSetup *
usable_setup (IntakeServer         *self,
              const char           *name,
              IntakeSetupBlobInfo  *out_info,
              GError              **error)
{
  g_autoptr(IntakeStoreReviewerSetup) setup = intake_store_get_reviewer_setup (self->store, name, error);

  if (setup == NULL || setup->expires_at <= intake_server_now_seconds () ||
      !intake_setup_blob_peek (setup->blob, out_info, NULL))
    return NULL;
  return g_steal_pointer (&setup);
}

static void
activate_start (IntakeServer      *self,
                SoupServerMessage *msg,
                JsonObject        *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewerSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *salt_b64 = NULL;
  IntakeSetupBlobInfo info = { 0 };
  const char *name;

  if (!(name = body_name (msg, request)))
    return;
  setup = usable_setup (self, name, &info, &error);
  if (error != NULL)
    return intake_server_store_unavailable (msg, error);
  if (setup == NULL)
    fake_value (self, "fake-setup-salt", name, info.salt, sizeof info.salt);

  challenge = new_challenge (self, "activate", name);
  salt_b64 = g_base64_encode (info.salt, sizeof info.salt);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, INTAKE_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "challenge");
  json_builder_add_string_value (builder, challenge);
  json_builder_set_member_name (builder, "salt");
  json_builder_add_string_value (builder, salt_b64);
  json_builder_set_member_name (builder, "office_key_id");
  json_builder_add_string_value (builder, self->office_key_id);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
activate_finish (IntakeServer      *self,
                 SoupServerMessage *msg,
                 JsonObject        *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewerSetup) setup = NULL;
  g_autoptr(IntakeAuditEvent) success_event = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *challenge = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *setup_b64 = NULL;
  g_autofree char *complete = NULL;
  IntakeSetupBlobInfo info = { 0 };
  IntakeStoreUnlockOutcome outcome = { 0 };
  guint8 verifier[INTAKE_SIGN_PUBLIC_BYTES];
  gboolean ok, fresh = FALSE;
  gint64 locked_until = 0;
  const char *name;

  if (!(name = body_name (msg, request)))
    return;
  if (!(challenge = member_bytes (request, "challenge", CHALLENGE_BYTES)) ||
      !(signature = member_bytes (request, "signature", INTAKE_SIGNATURE_BYTES)))
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"name\", \"challenge\": \"<base64, 56 bytes>\", "
                                        "\"signature\": \"<base64, 64 bytes>\"}");
  if (!check_challenge (self, msg, "activate", name, challenge, &nonce))
    return;
  name_key = intake_store_name_key (name);
  if (refuse_if_locked (self, msg, name_key))
    return;

  setup = usable_setup (self, name, &info, &error);
  if (error != NULL)
    return intake_server_store_unavailable (msg, error);
  if (setup != NULL)
    memcpy (verifier, info.auth_pk, sizeof verifier);
  else
    fake_verifier (self, "fake-setup-auth", name, verifier);
  message = challenge_message (challenge, name, NULL);
  ok = intake_auth_public_verify (verifier, INTAKE_REVIEW_ACTIVATE_CONTEXT, message, signature, NULL) &&
       setup != NULL;

  if (setup != NULL)
    success_event = intake_audit_event_new (intake_server_now_seconds (), name, "activation_open", name, "ok",
                                            intake_server_origin (msg));
  outcome = (IntakeStoreUnlockOutcome) {
    .name_key = name_key,
    .nonce_signer = "challenge:activate",
    .nonce = nonce,
    .nonce_expires_at = intake_server_now_seconds () + CHALLENGE_AGE,
    .success = ok,
    .now = intake_server_now_seconds (),
    .failure_window = FAILURE_WINDOW,
    .lock_after = LOCK_AFTER,
    .lock_seconds = LOCK_SECONDS,
    .success_event = success_event,
  };
  if (!intake_store_finish_unlock (self->store, &outcome, &fresh, &locked_until, &error))
    return intake_server_store_unavailable (msg, error);
  if (!fresh)
    return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "replayed_request",
                                        "this challenge was answered before; start again");
  if (!ok)
    {
      self->unlock_failures++;
      return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials",
                                          "this name and activation code do not belong together, or the code "
                                          "was used or has expired");
    }

  setup_b64 = g_base64_encode (g_bytes_get_data (setup->blob, NULL), g_bytes_get_size (setup->blob));
  complete = new_challenge (self, "complete", name);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "setup");
  json_builder_add_string_value (builder, setup_b64);
  json_builder_set_member_name (builder, "complete_challenge");
  json_builder_add_string_value (builder, complete);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, setup->expires_at);
  add_server_members (self, builder);
  add_access (builder, setup->roles, setup->locations, setup->units);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
activate_complete (IntakeServer      *self,
                   SoupServerMessage *msg,
                   JsonObject        *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewerSetup) setup = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) blob_hash = NULL;
  g_autoptr(GBytes) setup_message = NULL;
  g_autoptr(GBytes) key_message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *challenge = NULL;
  g_autofree guint8 *setup_signature = NULL;
  g_autofree guint8 *key_signature = NULL;
  g_autofree guint8 *sign_pk = NULL;
  g_autofree guint8 *blob_data = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *reviewer_id = NULL;
  g_autofree char *office_hex = NULL;
  IntakeSetupBlobInfo setup_info = { 0 };
  IntakeReviewerBlobInfo blob_info = { 0 };
  IntakeReviewerPublic reviewer_public;
  IntakeStoreReviewer record = { 0 };
  guint8 verifier[INTAKE_SIGN_PUBLIC_BYTES];
  guint8 sha[32];
  gsize blob_len = 0;
  const char *name;

  if (!(name = body_name (msg, request)))
    return;
  if (!(challenge = member_bytes (request, "challenge", CHALLENGE_BYTES)) ||
      !(setup_signature = member_bytes (request, "setup_signature", INTAKE_SIGNATURE_BYTES)) ||
      !(key_signature = member_bytes (request, "key_signature", INTAKE_SIGNATURE_BYTES)) ||
      !(sign_pk = member_bytes (request, "sign_pk", INTAKE_SIGN_PUBLIC_BYTES)) ||
      !(blob_data = intake_base64_decode_strict (intake_json_get_string (request, "blob"), &blob_len)))
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"name\", \"challenge\", \"blob\", \"sign_pk\", "
                                        "\"setup_signature\", \"key_signature\"} (see docs/protocol.md)");
  blob = g_bytes_new_take (g_steal_pointer (&blob_data), blob_len);
  if (!check_challenge (self, msg, "complete", name, challenge, &nonce))
    return;

  setup = usable_setup (self, name, &setup_info, &error);
  if (error != NULL)
    return intake_server_store_unavailable (msg, error);
  if (setup != NULL)
    memcpy (verifier, setup_info.auth_pk, sizeof verifier);
  else
    fake_verifier (self, "fake-setup-auth", name, verifier);

  /* The code's key signs the challenge, the name and the new blob's hash;
   * the new reviewer key signs challenge and name (it is the reviewer's). */
  crypto_hash_sha256 (sha, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  blob_hash = g_bytes_new (sha, sizeof sha);
  setup_message = challenge_message (challenge, name, blob_hash);
  key_message = challenge_message (challenge, name, NULL);
  memcpy (reviewer_public.sign_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  intake_reviewer_id_from_public_key (sign_pk, reviewer_public.reviewer_id);
  reviewer_id = intake_hex_encode (reviewer_public.reviewer_id, INTAKE_REVIEWER_ID_BYTES);
  if (!intake_auth_public_verify (verifier, INTAKE_REVIEW_ACTIVATE_CONTEXT, setup_message, setup_signature, NULL) ||
      setup == NULL)
    return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials",
                                        "this name and activation code do not belong together, or the code "
                                        "was used or has expired");
  if (!intake_reviewer_public_verify (&reviewer_public, INTAKE_REVIEW_ACTIVATE_CONTEXT, key_message, key_signature,
                                      NULL) ||
      !intake_reviewer_key_blob_peek (blob, &blob_info, NULL) || blob_info.version != INTAKE_REVIEWER_KEY_FORMAT ||
      memcmp (blob_info.reviewer_id, reviewer_public.reviewer_id, INTAKE_REVIEWER_ID_BYTES) != 0 ||
      !g_str_equal ((office_hex = intake_hex_encode (blob_info.office_key_id, INTAKE_OFFICE_KEY_ID_BYTES)),
                    self->office_key_id))
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_key",
                                        "the new reviewer key must be a format 2 key for this office, of the "
                                        "signing key given, which signs the challenge");
  if (!intake_server_use_nonce (self, msg, "challenge:complete", nonce, intake_server_now_seconds ()))
    return;

  g_strlcpy (record.reviewer_id, reviewer_id, sizeof record.reviewer_id);
  record.name = (char *) name;
  memcpy (record.sign_pk, sign_pk, INTAKE_SIGN_PUBLIC_BYTES);
  record.blob = blob;
  record.created_at = intake_server_now_seconds ();
  event = intake_audit_event_new (record.created_at, name, "reviewer_activate", reviewer_id, "ok",
                                  intake_server_origin (msg));
  if (!intake_store_activate_reviewer (self->store, &record, record.created_at, event, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_SETUP))
        return intake_server_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials",
                                            "this name and activation code do not belong together, or the code "
                                            "was used or has expired");
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_REVIEWER_EXISTS))
        return intake_server_respond_error (msg, SOUP_STATUS_CONFLICT, "reviewer_exists", error->message);
      return intake_server_store_unavailable (msg, error);
    }

  g_strlcpy (intake_server_request_log (msg)->reviewer_id, reviewer_id, INTAKE_HEX_ID_LEN);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reviewer_id");
  json_builder_add_string_value (builder, reviewer_id);
  add_server_members (self, builder);
  if (!add_office_key_members (self, builder, reviewer_id, &error))
    return intake_server_store_unavailable (msg, error);
  add_access (builder, setup->roles, setup->locations, setup->units);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/review/unlock/start|finish, /v1/review/activate/start|finish|complete. */
void
intake_server_handle_staff_unsigned (IntakeServer      *self,
                                     SoupServerMessage *msg,
                                     const char        *step)
{
  g_autoptr(GBytes) body = intake_server_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonObject *request = intake_server_parse_json_object (body, parser, &error);

  if (request == NULL)
    return intake_server_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        intake_server_body_problem (error, "the body is not a JSON object"));
  if (g_str_equal (step, "unlock/start"))
    unlock_start (self, msg, request);
  else if (g_str_equal (step, "unlock/finish"))
    unlock_finish (self, msg, request);
  else if (g_str_equal (step, "activate/start"))
    activate_start (self, msg, request);
  else if (g_str_equal (step, "activate/finish"))
    activate_finish (self, msg, request);
  else if (g_str_equal (step, "activate/complete"))
    activate_complete (self, msg, request);
  else
    g_assert_not_reached ();
}

/* ---- Passphrase change (signed, any role) ------------------------------------------ */

void
intake_server_review_passphrase (IntakeServer      *self,
                                 SoupServerMessage *msg,
                                 GBytes            *body,
                                 ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *proof = NULL;
  g_autofree char *name_key = NULL;
  g_autofree char *office_hex = NULL;
  IntakeReviewerBlobInfo current = { 0 }, next = { 0 };
  JsonObject *request;
  guint8 sha[32];
  gsize len = 0;

  if (!(request = intake_server_parse_json_object (body, parser, NULL)) ||
      !(data = intake_base64_decode_strict (intake_json_get_string (request, "blob"), &len)) ||
      !(proof = member_bytes (request, "proof", INTAKE_SIGNATURE_BYTES)))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"blob\": \"<base64 reviewer key>\", \"proof\": \"<base64, 64 bytes>\"}");
  blob = g_bytes_new_take (g_steal_pointer (&data), len);

  /* Knowing the old passphrase: the current verifier checks a signature
   * over the new blob's hash (an unlocked window alone is not enough). */
  crypto_hash_sha256 (sha, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  hash = g_bytes_new (sha, sizeof sha);
  if (!intake_reviewer_key_blob_peek (ctx->reviewer->blob, &current, NULL) ||
      current.version != INTAKE_REVIEWER_KEY_FORMAT ||
      !intake_auth_public_verify (current.auth_pk, INTAKE_PASSPHRASE_CHANGE_CONTEXT, hash, proof, NULL))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "wrong_credentials",
                                        "the proof does not come from the current passphrase and workstation key");
  if (!intake_reviewer_key_blob_peek (blob, &next, NULL) || next.version != INTAKE_REVIEWER_KEY_FORMAT ||
      memcmp (next.reviewer_id, current.reviewer_id, INTAKE_REVIEWER_ID_BYTES) != 0 ||
      !intake_server_office_key_accepted (self, (office_hex = intake_hex_encode (next.office_key_id,
                                                                                 INTAKE_OFFICE_KEY_ID_BYTES))))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "bad_key",
                                        "the new key must be this reviewer's key, format 2, for this office");

  name_key = intake_store_name_key (ctx->reviewer->name);
  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name, "passphrase_change",
                                  ctx->reviewer->reviewer_id, "ok", intake_server_origin (msg));
  if (!intake_store_set_reviewer_blob (self->store, ctx->reviewer->reviewer_id, blob, name_key, event, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_FORBIDDEN, "reviewer_revoked", error->message);
      return intake_server_store_unavailable (msg, error);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reviewer_id");
  json_builder_add_string_value (builder, ctx->reviewer->reviewer_id);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* ---- Reviewers and devices (administrator) ------------------------------------------ */

/* A JSON array of non-empty strings (or null / absent: NULL, every value). */
static gboolean
string_list (JsonObject   *request,
             const char   *member,
             char       ***out)
{
  JsonNode *node = json_object_get_member (request, member);
  g_autoptr(GPtrArray) values = NULL;
  JsonArray *array;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length ((array = json_node_get_array (node))) > 100)
    return FALSE;
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          *(text = json_node_get_string (element)) == '\0' || strlen (text) > 200 || !g_utf8_validate (text, -1, NULL))
        return FALSE;
      g_ptr_array_add (values, g_strdup (text));
    }
  if (values->len == 0)
    return TRUE;
  g_ptr_array_add (values, NULL);
  g_ptr_array_set_free_func (values, NULL);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&values), FALSE);
  return TRUE;
}

static gboolean
roles_member (JsonObject *request,
              gboolean   *out_given,
              guint      *out_roles)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *joined = NULL;
  IntakeRoles roles = 0;

  *out_given = json_object_has_member (request, "roles") &&
               !JSON_NODE_HOLDS_NULL (json_object_get_member (request, "roles"));
  if (!*out_given)
    return TRUE;
  if (!string_list (request, "roles", &names) || names == NULL)
    return FALSE;
  joined = g_strjoinv (",", names);
  if (!intake_roles_from_string (joined, &roles) || roles == 0)
    return FALSE;
  *out_roles = roles;
  return TRUE;
}

static void
reviewers_list (IntakeServer      *self,
                SoupServerMessage *msg,
                ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) reviewers = NULL;
  g_autoptr(GPtrArray) setups = NULL;
  g_autoptr(GError) error = NULL;

  if (!(reviewers = intake_store_list_reviewers (self->store, &error)) ||
      !(setups = intake_store_list_reviewer_setups (self->store, &error)))
    return intake_server_store_unavailable (msg, error);
  if (!intake_server_review_audit (self, msg, ctx->reviewer->name, "reviewer_list", "reviewers", "ok"))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reviewers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < reviewers->len; i++)
    {
      const IntakeStoreReviewer *reviewer = g_ptr_array_index (reviewers, i);
      g_autofree char *name_key = intake_store_name_key (reviewer->name);
      IntakeReviewerBlobInfo info = { 0 };
      IntakeStoreThrottle throttle = { 0 };

      intake_reviewer_key_blob_peek (reviewer->blob, &info, NULL);
      if (!intake_store_get_throttle (self->store, name_key, &throttle, &error))
        return intake_server_store_unavailable (msg, error);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, reviewer->name);
      json_builder_set_member_name (builder, "reviewer_id");
      json_builder_add_string_value (builder, reviewer->reviewer_id);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, intake_reviewer_status_to_string (reviewer->status));
      json_builder_set_member_name (builder, "key_format");
      json_builder_add_int_value (builder, info.version);
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_int_value (builder, reviewer->created_at);
      json_builder_set_member_name (builder, "locked_until");
      json_builder_add_int_value (builder, throttle.locked_until > intake_server_now_seconds ()
                                           ? throttle.locked_until : 0);
      add_access (builder, reviewer->roles, reviewer->locations, reviewer->units);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "activations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < setups->len; i++)
    {
      const IntakeStoreReviewerSetup *setup = g_ptr_array_index (setups, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, setup->name);
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_int_value (builder, setup->created_at);
      json_builder_set_member_name (builder, "expires_at");
      json_builder_add_int_value (builder, setup->expires_at);
      json_builder_set_member_name (builder, "created_by");
      json_builder_add_string_value (builder, setup->created_by);
      add_access (builder, setup->roles, setup->locations, setup->units);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* An administrator reviewer makes an activation (a new reviewer, or a
 * reset): the office secret sealed with a code only the two of them know,
 * made on the administrator's workstation from their own unlocked key. */
static void
reviewers_activation (IntakeServer      *self,
                      SoupServerMessage *msg,
                      GBytes            *body,
                      ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeStoreReviewer) existing = NULL;
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *office_hex = NULL;
  g_auto(GStrv) locations = NULL;
  g_auto(GStrv) units = NULL;
  IntakeStoreReviewerSetup setup = { 0 };
  IntakeSetupBlobInfo info;
  JsonObject *request;
  const char *name = NULL;
  gboolean roles_given = FALSE, has_scope;
  guint roles = 0;
  gint64 ttl = SETUP_TTL_DEFAULT;
  gsize len = 0;

  if (!(request = intake_server_parse_json_object (body, parser, NULL)) ||
      !(name = intake_json_get_string (request, "name")) || *name == '\0' || strlen (name) > 128 ||
      !g_utf8_validate (name, -1, NULL) || !intake_field_check (name, -1, "the name", NULL) ||
      !(data = intake_base64_decode_strict (intake_json_get_string (request, "setup"), &len)) ||
      !roles_member (request, &roles_given, &roles) ||
      !string_list (request, "locations", &locations) || !string_list (request, "units", &units) ||
      (json_object_has_member (request, "ttl") &&
       (!intake_json_get_int (request, "ttl", &ttl) || ttl < 60 || ttl > SETUP_TTL_MAX)))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"name\", \"setup\": \"<base64 activation key>\", \"roles\": [...], "
                                        "\"locations\": [...] or null, \"units\": [...] or null, \"ttl\": seconds}");
  blob = g_bytes_new_take (g_steal_pointer (&data), len);
  if (!intake_setup_blob_peek (blob, &info, NULL) ||
      !g_str_equal ((office_hex = intake_hex_encode (info.office_key_id, INTAKE_OFFICE_KEY_ID_BYTES)),
                    self->office_key_id))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "bad_key",
                                        "setup must be an activation key (IKRS) for this office");

  /* A reset without roles keeps the reviewer's access. */
  has_scope = json_object_has_member (request, "locations") || json_object_has_member (request, "units");
  existing = intake_store_get_reviewer (self->store, NULL, name, NULL);
  if (!roles_given)
    {
      if (existing == NULL || existing->status != INTAKE_REVIEWER_STATUS_ACTIVE)
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                            "a new reviewer needs \"roles\"");
      roles = existing->roles;
      if (!has_scope)
        {
          locations = g_strdupv (existing->locations);
          units = g_strdupv (existing->units);
        }
    }

  setup.name = (char *) name;
  setup.blob = blob;
  setup.roles = roles;
  setup.locations = locations;
  setup.units = units;
  setup.created_at = intake_server_now_seconds ();
  setup.expires_at = setup.created_at + ttl;
  setup.created_by = ctx->reviewer->name;
  event = intake_audit_event_new (setup.created_at, ctx->reviewer->name,
                                  existing != NULL && existing->status == INTAKE_REVIEWER_STATUS_ACTIVE
                                    ? "reviewer_reset" : "reviewer_add",
                                  name, "ok", intake_server_origin (msg));
  if (!intake_store_put_reviewer_setup (self->store, &setup, event, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_INVALID))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body", error->message);
      return intake_server_store_unavailable (msg, error);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, setup.expires_at);
  add_access (builder, roles, locations, units);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
reviewers_remove_or_unblock (IntakeServer      *self,
                             SoupServerMessage *msg,
                             GBytes            *body,
                             ReviewContext     *ctx,
                             gboolean           remove)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(IntakeAuditEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name_key = NULL;
  JsonObject *request;
  const char *name;

  if (!(request = intake_server_parse_json_object (body, parser, NULL)) ||
      !(name = intake_json_get_string (request, "name")) || *name == '\0' || strlen (name) > 128)
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"name\": \"...\"}");
  event = intake_audit_event_new (intake_server_now_seconds (), ctx->reviewer->name,
                                  remove ? "reviewer_remove" : "reviewer_unblock", name, "ok",
                                  intake_server_origin (msg));
  name_key = intake_store_name_key (name);
  if (remove ? !intake_store_revoke_reviewer (self->store, name, intake_server_now_seconds (), event, &error)
             : !intake_store_clear_throttle (self->store, name_key, event, &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_REVIEWER))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "unknown_reviewer",
                                            error->message);
      return intake_server_store_unavailable (msg, error);
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
devices_list (IntakeServer      *self,
              SoupServerMessage *msg,
              ReviewContext     *ctx)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  if (!(devices = intake_store_list_devices (self->store, &error)))
    return intake_server_store_unavailable (msg, error);
  if (!intake_server_review_audit (self, msg, ctx->reviewer->name, "device_list", "devices", "ok"))
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < devices->len; i++)
    {
      const IntakeStoreDevice *device = g_ptr_array_index (devices, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device_id");
      json_builder_add_string_value (builder, device->device_id);
      json_builder_set_member_name (builder, "location");
      json_builder_add_string_value (builder, device->location);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, intake_device_status_to_string (device->status));
      json_builder_set_member_name (builder, "enrolled_at");
      json_builder_add_int_value (builder, device->enrolled_at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
devices_revoke (IntakeServer      *self,
                SoupServerMessage *msg,
                GBytes            *body,
                ReviewContext     *ctx)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  const char *device_id;

  if (!(request = intake_server_parse_json_object (body, parser, NULL)) ||
      !(device_id = intake_json_get_string (request, "device_id")) || !intake_hex_is_lower (device_id, 32))
    return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_BAD_REQUEST, "malformed_body",
                                        "expected {\"device_id\": \"<32 lowercase hex digits>\"}");
  if (!intake_store_revoke_device (self->store, device_id, intake_server_now_seconds (), &error))
    {
      if (g_error_matches (error, INTAKE_STORE_ERROR, INTAKE_STORE_ERROR_UNKNOWN_DEVICE))
        return intake_server_review_refuse (self, msg, ctx, SOUP_STATUS_NOT_FOUND, "unknown_device", error->message);
      return intake_server_store_unavailable (msg, error);
    }
  if (!intake_server_review_audit (self, msg, ctx->reviewer->name, "device_revoke", device_id, "ok"))
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_end_object (builder);
  intake_server_respond_builder (msg, SOUP_STATUS_OK, builder);
}

void
intake_server_review_manage (IntakeServer      *self,
                             SoupServerMessage *msg,
                             const char        *what,
                             GBytes            *body,
                             ReviewContext     *ctx)
{
  if (g_str_equal (what, "reviewers"))
    reviewers_list (self, msg, ctx);
  else if (g_str_equal (what, "reviewers/activation"))
    reviewers_activation (self, msg, body, ctx);
  else if (g_str_equal (what, "reviewers/remove"))
    reviewers_remove_or_unblock (self, msg, body, ctx, TRUE);
  else if (g_str_equal (what, "reviewers/unblock"))
    reviewers_remove_or_unblock (self, msg, body, ctx, FALSE);
  else if (g_str_equal (what, "devices"))
    devices_list (self, msg, ctx);
  else if (g_str_equal (what, "devices/revoke"))
    devices_revoke (self, msg, body, ctx);
  else
    g_assert_not_reached ();
}

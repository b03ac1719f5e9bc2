/* intake-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The receipt stored with a delivered envelope (outbox column `receipt`) is
 * the receipt's canonical JSON bytes followed by the server's 64-byte
 * signature over it (context "receipt"), so the proof of delivery can be
 * checked again later with the server key in server.json.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "intake-bundle.h"
#include "intake-http.h"
#include "intake-json.h"
#include "intake-kiosk-enums.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-protocol.h"
#include "intake-sync-private.h"

/* Upload bodies stay this far under the server's limit (base64 + JSON). */
#define BODY_BUDGET             (INTAKE_PROTOCOL_MAX_BODY - 64 * 1024)

G_DEFINE_QUARK (intake-sync-error-quark, intake_sync_error)

struct _IntakeSync
{
  GObject               parent_instance;

  IntakeKiosk          *kiosk;
  SoupSession          *session;
  char                 *tls_ca_file;       /* nullable: the system's CAs */
  GMainContext         *context;

  IntakeSyncClockFunc   clock_func;
  gpointer              clock_data;
  IntakeSyncRandomFunc  random_func;
  gpointer              random_data;
  gint64                backoff_base_ms;
  gint64                backoff_cap_ms;
  guint                 interval;
  guint                 batch_size;
  IntakeSyncStatus      reported_status;   /* how the last pass ended, for the check-in */
  guint                 grace_days;
  char                 *language;

  /* Engine. */
  gboolean              running;
  gboolean              in_flight;
  gboolean              rerun;
  guint                 timeout_id;
  gulong                network_changed_id;
  GCancellable         *cancellable;

  /* Status for staff. */
  IntakeSyncStatus      status;
  guint                 failures;
  gint64                next_attempt_at;   /* Unix µs, 0 when not backing off */
  gint64                last_success;      /* Unix s */
  char                 *last_error;
  guint                 last_http_status;
  char                 *last_server_error;
  guint                 last_rejected;     /* envelopes refused in the last run */
  char                 *last_rejection;    /* the reason, plain words (English) */
};

G_DEFINE_FINAL_TYPE (IntakeSync, intake_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_PENDING_COUNT,
  PROP_LAST_SUCCESS,
  PROP_LAST_ERROR,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Words for staff                                                      */

typedef struct {
  IntakeSyncStatus  status;
  const char       *en;
  const char       *nl;
} StatusText;

static const StatusText status_texts[] = {
  { INTAKE_SYNC_STATUS_NOT_ENROLLED,
    "This kiosk is not registered with the office server yet. Ask the office for an enrollment code.",
    "Deze kiosk is nog niet aangemeld bij de server van het kantoor. Vraag het kantoor om een aanmeldcode." },
  { INTAKE_SYNC_STATUS_IDLE,
    "All submissions have been delivered to the office.",
    "Alle inzendingen zijn bij het kantoor afgeleverd." },
  { INTAKE_SYNC_STATUS_SENDING,
    "Sending submissions to the office.",
    "Inzendingen worden naar het kantoor verstuurd." },
  { INTAKE_SYNC_STATUS_WAITING,
    "Submissions are waiting to be sent; they are kept safely on this kiosk.",
    "Er wachten inzendingen om verstuurd te worden; ze blijven veilig op deze kiosk." },
  { INTAKE_SYNC_STATUS_OFFLINE,
    "The office server cannot be reached. Submissions are kept safely on this kiosk and sent later.",
    "De server van het kantoor is niet bereikbaar. Inzendingen blijven veilig op deze kiosk en worden later verstuurd." },
  { INTAKE_SYNC_STATUS_REFUSED,
    "This kiosk is not (or no longer) registered with the office server. Ask the office for a new enrollment code.",
    "Deze kiosk is niet (of niet meer) aangemeld bij de server van het kantoor. Vraag het kantoor om een nieuwe aanmeldcode." },
  { INTAKE_SYNC_STATUS_CLOCK,
    "The kiosk's clock is wrong, so the office server refuses its messages. Set the correct date and time.",
    "De klok van de kiosk staat verkeerd, daarom weigert de server van het kantoor de berichten. Stel de juiste datum en tijd in." },
  { INTAKE_SYNC_STATUS_BAD_RECEIPT,
    "The office server's confirmations cannot be verified, so nothing is marked as delivered. Check the server address or enroll the kiosk again.",
    "De bevestigingen van de server van het kantoor kloppen niet, daarom wordt niets als afgeleverd gemarkeerd. Controleer het serveradres of meld de kiosk opnieuw aan." },
  { INTAKE_SYNC_STATUS_UNTRUSTED,
    "The office server was reached, but its security certificate is not trusted, so nothing is sent. Check the server address and the certificate; submissions are kept safely on this kiosk.",
    "De server van het kantoor is bereikbaar, maar het beveiligingscertificaat wordt niet vertrouwd, daarom wordt niets verstuurd. Controleer het serveradres en het certificaat; inzendingen blijven veilig op deze kiosk." },
  { INTAKE_SYNC_STATUS_REJECTED,
    "The office server refused some submissions. They are kept on this kiosk and retried later; tell the office.",
    "De server van het kantoor heeft sommige inzendingen geweigerd. Ze blijven op deze kiosk en worden later opnieuw verstuurd; meld dit aan het kantoor." },
};

const char *
intake_sync_status_to_string (IntakeSyncStatus  status,
                              const char       *language)
{
  gboolean dutch = language != NULL && g_str_has_prefix (language, "nl");

  for (guint i = 0; i < G_N_ELEMENTS (status_texts); i++)
    if (status_texts[i].status == status)
      return dutch ? status_texts[i].nl : status_texts[i].en;
  g_return_val_if_reached (NULL);
}

/* Plain words for the outbox's last_error of a refused envelope. */
static const char *
rejection_text (const char *status,
                const char *reason)
{
  static const struct { const char *reason; const char *text; } reasons[] = {
    { "malformed", "the server says the envelope is damaged (malformed)" },
    { "bad_signature", "the server says the kiosk's signature on the envelope does not verify" },
    { "device_mismatch", "the server says the envelope was made by another kiosk (device_mismatch)" },
    { "wrong_office_key", "the envelope is sealed to an office key the server does not accept (wrong_office_key)" },
    { "unsupported_version", "the server does not support this envelope format (unsupported_version)" },
    { "too_large", "the envelope is too large for the server (too_large)" },
  };

  if (g_strcmp0 (status, "conflict") == 0)
    return "the server already holds a different submission with this number (conflict)";
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_strcmp0 (reason, reasons[i].reason) == 0)
      return reasons[i].text;
  return "the server refused the envelope for a reason this kiosk does not know";
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

gint64
intake_sync_backoff_delay_ms (guint   attempts,
                              double  random,
                              gint64  base_ms,
                              gint64  cap_ms)
{
  gint64 ceiling = base_ms;

  g_return_val_if_fail (base_ms > 0 && cap_ms >= base_ms, 0);

  random = CLAMP (random, 0.0, 1.0);
  /* base * 2^attempts without overflow: stop doubling at the cap. */
  for (guint i = 0; i < attempts && ceiling < cap_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, cap_ms);
  return (gint64)(random * (double)ceiling);
}

/* g_set_str() is GLib 2.76. */
static gboolean
set_str (char       **pointer,
         const char  *value)
{
  if (g_strcmp0 (*pointer, value) == 0)
    return FALSE;
  g_free (*pointer);
  *pointer = g_strdup (value);
  return TRUE;
}

static gint64
now_us (IntakeSync *self)
{
  if (self != NULL && self->clock_func != NULL)
    return self->clock_func (self->clock_data);
  return g_get_real_time ();
}

static double
next_random (IntakeSync *self)
{
  if (self->random_func != NULL)
    return self->random_func (self->random_data);
  return g_random_double ();
}

/* ------------------------------------------------------------------ */
/* The object                                                           */

static guint
pending_count (IntakeSync *self)
{
  IntakeOutboxCounts counts = { 0 };

  if (!intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, NULL))
    return 0;
  return counts.pending;
}

static void
emit_changed (IntakeSync *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
set_status (IntakeSync       *self,
            IntakeSyncStatus  status,
            const char       *last_error)
{
  gboolean changed = FALSE;

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
      changed = TRUE;
    }
  if (set_str (&self->last_error, last_error))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
      changed = TRUE;
    }
  if (changed)
    emit_changed (self);
}

static void
intake_sync_dispose (GObject *object)
{
  IntakeSync *self = (IntakeSync *)object;

  intake_sync_stop (self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (intake_sync_parent_class)->dispose (object);
}

static void
intake_sync_finalize (GObject *object)
{
  IntakeSync *self = (IntakeSync *)object;

  g_clear_object (&self->kiosk);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->tls_ca_file, g_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->last_server_error, g_free);
  g_clear_pointer (&self->last_rejection, g_free);

  G_OBJECT_CLASS (intake_sync_parent_class)->finalize (object);
}

static void
intake_sync_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  IntakeSync *self = INTAKE_SYNC (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_uint (value, pending_count (self));
      break;
    case PROP_LAST_SUCCESS:
      g_value_set_int64 (value, self->last_success);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_sync_class_init (IntakeSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_sync_dispose;
  object_class->finalize = intake_sync_finalize;
  object_class->get_property = intake_sync_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       INTAKE_TYPE_SYNC_STATUS, INTAKE_SYNC_STATUS_NOT_ENROLLED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SUCCESS] =
    g_param_spec_int64 ("last-success", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * IntakeSync::changed:
   *
   * Something a staff screen shows changed: status, pending count, last
   * success or last error.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
intake_sync_init (IntakeSync *self)
{
  self->backoff_base_ms = INTAKE_SYNC_BACKOFF_BASE_MS;
  self->backoff_cap_ms = INTAKE_SYNC_BACKOFF_CAP_MS;
  self->interval = INTAKE_SYNC_DEFAULT_INTERVAL;
  self->batch_size = INTAKE_PROTOCOL_MAX_BATCH;
  self->grace_days = INTAKE_SYNC_DEFAULT_GRACE_DAYS;
  self->language = g_strdup ("nl");
}

IntakeSync *
intake_sync_new (IntakeKiosk *kiosk)
{
  IntakeSync *self;

  g_return_val_if_fail (INTAKE_IS_KIOSK (kiosk), NULL);

  self = g_object_new (INTAKE_TYPE_SYNC, NULL);
  self->kiosk = g_object_ref (kiosk);
  self->context = g_main_context_ref_thread_default ();
  self->session = intake_sync_session_new (NULL, NULL);
  if (intake_kiosk_is_enrolled (kiosk))
    self->status = pending_count (self) > 0 ? INTAKE_SYNC_STATUS_WAITING : INTAKE_SYNC_STATUS_IDLE;
  else
    self->status = INTAKE_SYNC_STATUS_NOT_ENROLLED;
  return self;
}

IntakeKiosk *
intake_sync_get_kiosk (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return self->kiosk;
}

gboolean
intake_sync_set_tls_ca_file (IntakeSync  *self,
                             const char  *path,
                             GError     **error)
{
  g_autoptr(SoupSession) session = NULL;

  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);
  g_return_val_if_fail (!self->in_flight, FALSE);

  if (!(session = intake_sync_session_new (path, error)))
    return FALSE;
  g_set_object (&self->session, session);
  g_free (self->tls_ca_file);
  self->tls_ca_file = g_strdup (path);
  return TRUE;
}

SoupSession *
intake_sync_get_session (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return self->session;
}

const char *
intake_sync_get_tls_ca_file (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return self->tls_ca_file;
}

void
intake_sync_set_clock (IntakeSync          *self,
                       IntakeSyncClockFunc  func,
                       gpointer             user_data)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  self->clock_func = func;
  self->clock_data = user_data;
}

void
intake_sync_set_random (IntakeSync           *self,
                        IntakeSyncRandomFunc  func,
                        gpointer              user_data)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  self->random_func = func;
  self->random_data = user_data;
}

void
intake_sync_set_backoff (IntakeSync *self,
                         gint64      base_ms,
                         gint64      cap_ms)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  g_return_if_fail (base_ms > 0 && cap_ms >= base_ms);
  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = cap_ms;
}

void
intake_sync_set_interval (IntakeSync *self,
                          guint       seconds)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  g_return_if_fail (seconds > 0);
  self->interval = seconds;
}

void
intake_sync_set_batch_size (IntakeSync *self,
                            guint       batch_size)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  g_return_if_fail (batch_size >= 1 && batch_size <= INTAKE_PROTOCOL_MAX_BATCH);
  self->batch_size = batch_size;
}

void
intake_sync_set_grace_days (IntakeSync *self,
                            guint       days)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  self->grace_days = days;
}

guint
intake_sync_get_grace_days (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return self->grace_days;
}

void
intake_sync_set_language (IntakeSync *self,
                          const char *language)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));
  g_return_if_fail (language != NULL);

  if (!set_str (&self->language, language))
    return;
  /* The stored message is in the old language: rebuild it. */
  if (self->last_error != NULL)
    set_status (self, self->status, intake_sync_status_to_string (self->status, self->language));
}

IntakeSyncStatus
intake_sync_get_status (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), INTAKE_SYNC_STATUS_NOT_ENROLLED);
  return self->status;
}

gboolean
intake_sync_is_enrolled (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);
  return intake_kiosk_is_enrolled (self->kiosk);
}

const char *
intake_sync_get_server_url (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return intake_kiosk_get_server_url (self->kiosk);
}

const char *
intake_sync_get_location (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return intake_kiosk_get_location (self->kiosk);
}

guint
intake_sync_get_pending_count (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return pending_count (self);
}

gint64
intake_sync_get_last_success (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return self->last_success;
}

const char *
intake_sync_get_last_error (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return self->last_error;
}

guint
intake_sync_get_last_http_status (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return self->last_http_status;
}

const char *
intake_sync_get_last_server_error (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  return self->last_server_error;
}

guint
intake_sync_get_failures (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return self->failures;
}

gint64
intake_sync_get_next_attempt_at (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), 0);
  return self->next_attempt_at;
}

/* ------------------------------------------------------------------ */
/* One pass                                                             */

/* One upload and, once its answer is checked, what the server said of
 * each of its envelopes. */
typedef struct {
  GPtrArray   *items;      /* IntakeOutboxItem */
  GPtrArray   *statuses;   /* per item: "stored", "duplicate", "conflict", "rejected" */
  GPtrArray   *reasons;    /* per item: the rejection reason or NULL */
  GBytes      *receipt;    /* receipt || signature, when any item was delivered */
  guint        applied;    /* items already marked */
  GBytes      *body;       /* the upload's body, built ahead */
} Batch;

static void
batch_free (Batch *batch)
{
  g_clear_pointer (&batch->items, g_ptr_array_unref);
  g_clear_pointer (&batch->statuses, g_ptr_array_unref);
  g_clear_pointer (&batch->reasons, g_ptr_array_unref);
  g_clear_pointer (&batch->receipt, g_bytes_unref);
  g_clear_pointer (&batch->body, g_bytes_unref);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* A pass has at most two batches in flight: one on the wire while the
 * one before it, its receipt verified, is applied to the outbox (a durable
 * commit). Each takes about as long as the other, so the server stores
 * one while the kiosk marks the other; then the kiosk reads and builds the
 * batch after the one on the wire, which leaves the moment that answer has
 * verified (docs/sync.md, "What the kiosk does by itself"). Only one
 * request is on the wire at a time: one kept-alive connection. */
typedef struct {
  IntakeSync  *self;
  gint64       started_s;  /* the pass lists what was due when it began */
  Batch       *next;       /* read and built while the server works, not sent yet */
  Batch       *sending;    /* its request on the wire */
  Batch       *checked;    /* its answer checked, waiting for `applying` to be done */
  Batch       *applying;   /* being marked delivered or refused in the outbox */
  gboolean     drained;    /* nothing more was due */
  GError      *error;      /* how the pass failed, returned once nothing is in flight */
  GHashTable  *tried;      /* submission ids sent in this pass */
  gboolean     resent;     /* a new store generation sent the delivered ones again */
  guint        delivered;
  guint        rejected;
  char        *rejection;
  GArray      *help_ids;   /* outbox ids of the help requests in flight */
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_pointer (&data->next, batch_free);
  g_clear_pointer (&data->sending, batch_free);
  g_clear_pointer (&data->checked, batch_free);
  g_clear_pointer (&data->applying, batch_free);
  g_clear_error (&data->error);
  g_clear_pointer (&data->tried, g_hash_table_unref);
  g_clear_pointer (&data->help_ids, g_array_unref);
  g_free (data->rejection);
  g_free (data);
}

static void pump (GTask *task);
static void send_help_requests (GTask *task);
static void fetch_questionnaire (GTask *task);
static void fetch_office_keys (GTask *task);

static void
remember_response (IntakeSync *self,
                   IntakeHttpResponse   *response)
{
  self->last_http_status = response->status == SOUP_STATUS_OK ? 0 : response->status;
  set_str (&self->last_server_error, response->status == SOUP_STATUS_OK ? NULL : response->error_code);
}

/* A changed store generation (the back office restored its store from a
 * backup) makes every envelope still kept as delivered pending again; the
 * server answers "duplicate" for those it still has. Returns how many. */
static gint64
note_generation (IntakeSync         *self,
                 IntakeHttpResponse *response)
{
  g_autoptr(GError) error = NULL;
  gint64 requeued;

  if (response->store_generation == NULL || intake_kiosk_get_server_key_id (self->kiosk) == NULL)
    return 0;
  requeued = intake_outbox_note_store_generation (intake_kiosk_get_outbox (self->kiosk),
                                                  intake_kiosk_get_server_key_id (self->kiosk),
                                                  response->store_generation, &error);
  if (requeued < 0)
    {
      g_warning ("Cannot note the back office's store generation: %s", error->message);
      return 0;
    }
  if (requeued > 0)
    {
      /* g_debug: a kiosk moved to another server sees this too. */
      g_debug ("The back office's store was restored (generation %s): sending %" G_GINT64_FORMAT
                 " delivered submissions again", response->store_generation, requeued);
      emit_changed (self);
    }
  return requeued;
}

static gboolean
bad_receipt (GError     **error,
             const char  *what)
{
  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RECEIPT,
               "the server's receipt was not accepted, nothing was marked delivered: %s", what);
  return FALSE;
}

static gboolean
is_delivered_status (const char *status)
{
  return g_str_equal (status, "stored") || g_str_equal (status, "duplicate");
}

/* Checks the whole answer to an upload before anything changes: a result
 * for each envelope, and a receipt that verifies and lists, for every
 * envelope called stored or duplicate, its submission id with the SHA-256
 * of exactly the bytes this kiosk holds. */
static gboolean
check_upload (RunData             *data,
              Batch               *batch,
              IntakeHttpResponse  *response,
              GError             **error)
{
  IntakeSync *self = data->self;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *receipt = NULL;
  g_autofree guint8 *signature = NULL;
  gsize receipt_len = 0, signature_len = 0;
  gboolean any_delivered = FALSE;
  JsonObject *root;
  JsonArray *results;
  JsonNode *node;

  if (!(root = intake_http_response_get_object (response)) ||
      !(node = json_object_get_member (root, "results")) || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (results = json_node_get_array (node)) != batch->items->len)
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
                   "the server's answer to an upload has no result for each envelope");
      return FALSE;
    }

  batch->statuses = g_ptr_array_new_full (batch->items->len, g_free);
  batch->reasons = g_ptr_array_new_full (batch->items->len, g_free);
  g_ptr_array_set_size (batch->statuses, batch->items->len);
  g_ptr_array_set_size (batch->reasons, batch->items->len);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *element = json_array_get_element (results, i);
      JsonObject *result;
      gint64 index = i;
      const char *status, *submission_id;
      IntakeOutboxItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        goto malformed;
      result = json_node_get_object (element);
      if (json_object_has_member (result, "index"))
        index = json_object_get_int_member_with_default (result, "index", -1);
      if (index < 0 || (guint64)index >= batch->items->len || g_ptr_array_index (batch->statuses, index) != NULL)
        goto malformed;
      status = json_object_get_string_member_with_default (result, "status", NULL);
      submission_id = json_object_get_string_member_with_default (result, "submission_id", NULL);
      if (status == NULL)
        goto malformed;
      item = g_ptr_array_index (batch->items, index);
      if (submission_id != NULL && !g_str_equal (submission_id, item->submission_id))
        goto malformed;
      any_delivered |= is_delivered_status (status);
      g_ptr_array_index (batch->statuses, index) = g_strdup (status);
      g_ptr_array_index (batch->reasons, index) =
        g_strdup (json_object_get_string_member_with_default (result, "reason", NULL));
    }

  if (!any_delivered)
    return TRUE;

  receipt = intake_json_get_base64 (root, "receipt", &receipt_len);
  signature = intake_json_get_base64 (root, "receipt_signature", &signature_len);
  if (receipt == NULL || receipt_len == 0 || signature_len != INTAKE_SIGNATURE_BYTES)
    return bad_receipt (error, "the answer has no receipt or no 64-byte signature");
  {
    g_autoptr(GBytes) receipt_bytes = g_bytes_new (receipt, receipt_len);

    items = intake_receipt_verify (receipt_bytes, signature,
                                   intake_kiosk_get_server_public (self->kiosk),
                                   intake_kiosk_get_device_id (self->kiosk), &local_error);
  }
  if (items == NULL)
    return bad_receipt (error, local_error->message);

  for (guint i = 0; i < batch->items->len; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (batch->items, i);
      g_autofree char *sha = NULL;
      gboolean found = FALSE;

      if (!is_delivered_status (g_ptr_array_index (batch->statuses, i)))
        continue;
      sha = intake_sha256_hex (item->envelope);
      for (guint j = 0; j < items->len && !found; j++)
        {
          IntakeReceiptItem *r = &g_array_index (items, IntakeReceiptItem, j);

          found = g_str_equal (r->submission_id, item->submission_id) && g_str_equal (r->sha256, sha);
        }
      if (!found)
        return bad_receipt (error, "it does not list an envelope the server says it stored, "
                                   "or lists other bytes for it");
    }

  {
    GByteArray *both = g_byte_array_sized_new (receipt_len + signature_len);

    g_byte_array_append (both, receipt, receipt_len);
    g_byte_array_append (both, signature, signature_len);
    batch->receipt = g_byte_array_free_to_bytes (both);
  }
  return TRUE;

malformed:
  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RESPONSE,
               "the server's answer to an upload is malformed");
  return FALSE;
}

/* Marks one checked batch item delivered, or records its refusal. */
static gboolean
apply_one (RunData  *data,
           Batch    *batch,
           guint     i,
           GError  **error)
{
  IntakeSync *self = data->self;
  IntakeOutbox *outbox = intake_kiosk_get_outbox (self->kiosk);
  IntakeOutboxItem *item = g_ptr_array_index (batch->items, i);
  const char *status = g_ptr_array_index (batch->statuses, i);
  g_autoptr(GError) local_error = NULL;
  gint64 now_s = now_us (self) / G_USEC_PER_SEC;

  if (is_delivered_status (status))
    /* Marked with the rest of the batch: apply_delivered(). */
    ;
  else
    {
      const char *text = rejection_text (status, g_ptr_array_index (batch->reasons, i));
      gint64 delay_ms = intake_sync_backoff_delay_ms (item->attempts, next_random (self),
                                                     self->backoff_base_ms, self->backoff_cap_ms);
      /* Whole seconds, at least one past the pass's start, so this pass
       * does not send it again. */
      gint64 next = MAX (now_s, data->started_s) + MAX (1, (delay_ms + 999) / 1000);

      if (!intake_outbox_record_failure (outbox, item->submission_id, next, text, &local_error))
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                       "cannot record a refused submission: %s", local_error->message);
          return FALSE;
        }
      data->rejected++;
      set_str (&data->rejection, text);
      g_message ("The server refused submission %s: %s", item->reference, text);
    }
  return TRUE;
}

/* Each outbox update of a refusal is its own durable (fsync'd)
 * transaction: a few per main loop iteration, so the resident's screens
 * never stall on a batch. */
#define APPLY_PER_ITERATION 8

/* Every delivered envelope of the batch marked in one transaction: one
 * fsync per batch (as the server stores it), not one per envelope, which
 * made draining a backlog a function of the kiosk's disk. */
static gboolean
apply_delivered (RunData  *data,
                 Batch    *batch,
                 GError  **error)
{
  IntakeSync *self = data->self;
  IntakeOutbox *outbox = intake_kiosk_get_outbox (self->kiosk);
  g_autoptr(GPtrArray) ids = g_ptr_array_sized_new (batch->items->len);
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < batch->items->len; i++)
    if (is_delivered_status (g_ptr_array_index (batch->statuses, i)))
      g_ptr_array_add (ids, ((IntakeOutboxItem *)g_ptr_array_index (batch->items, i))->submission_id);
  /* A batch refused whole has no receipt (and nothing to mark). */
  if (ids->len == 0)
    return TRUE;
  if (!intake_outbox_mark_delivered_many (outbox, (const char * const *)ids->pdata, ids->len, batch->receipt,
                                          now_us (self) / G_USEC_PER_SEC, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot mark a submission delivered: %s", local_error->message);
      return FALSE;
    }
  data->delivered += ids->len;
  return TRUE;
}

/* The first failure is the pass's; what is still in flight then comes
 * back before the pass ends. */
static void
fail (RunData *data,
      GError  *error)
{
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
}

/* Applies data->applying; the source holds a reference on the task. */
static gboolean
apply_batch_cb (gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);
  Batch *batch = data->applying;
  GError *error = NULL;

  if (batch->applied == 0 && !apply_delivered (data, batch, &error))
    fail (data, error);
  else
    {
      for (guint n = 0; n < APPLY_PER_ITERATION && batch->applied < batch->items->len; n++, batch->applied++)
        if (!apply_one (data, batch, batch->applied, &error))
          break;
      if (error != NULL)
        fail (data, error);
      else if (batch->applied < batch->items->len)
        return G_SOURCE_CONTINUE;
      else
        emit_changed (data->self);
    }

  g_clear_pointer (&data->applying, batch_free);
  pump (task);
  return G_SOURCE_REMOVE;
}

static void
upload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(Batch) batch = g_steal_pointer (&data->sending);
  g_autoptr(IntakeHttpResponse) response = NULL;
  GError *error = NULL;

  if (!(response = intake_sync_request_finish (result, &error)))
    fail (data, error);
  else if (data->error != NULL)
    /* The pass failed while this was on the wire (the batch before it
     * could not be applied): these envelopes stay pending, and the server
     * answers "duplicate" for them next time. */
    ;
  else
    {
      remember_response (data->self, response);
      if (response->status == SOUP_STATUS_OK)
        note_generation (data->self, response);
      if (!intake_sync_check_response (response, "upload", &error) ||
          !check_upload (data, batch, response, &error))
        fail (data, error);
      else
        data->checked = g_steal_pointer (&batch);
    }
  pump (task);
}

/* The device that sealed @envelope (lowercase hex), or NULL. */
static char *
envelope_device_hex (GBytes *envelope)
{
  IntakeEnvelopeHeader header;

  if (!intake_envelope_parse_header (envelope, &header, NULL))
    return NULL;
  return intake_hex_encode (header.device_id, sizeof header.device_id);
}

/* An envelope sealed under a device key this kiosk no longer has
 * (intake_kiosk_new_device_key()) cannot be uploaded: the server takes a
 * device's envelopes only from that device. It waits a day at a time, so
 * it never holds up the rest, until a bundle (signed with the retired key)
 * and its receipts deliver it. */
#define FOREIGN_RETRY_S (24 * 60 * 60)

static gboolean
park_foreign (RunData           *data,
              IntakeOutboxItem  *item,
              GError           **error)
{
  IntakeSync *self = data->self;
  g_autoptr(GError) local_error = NULL;
  gint64 now_s = MAX (now_us (self) / G_USEC_PER_SEC, data->started_s);
  const char *text = g_str_equal (self->language, "en")
    ? "Made under this kiosk's previous device key: deliver it with a USB bundle."
    : "Gemaakt met de vorige apparaatsleutel van deze kiosk: breng het met een USB-bundel.";

  if (!intake_outbox_record_failure (intake_kiosk_get_outbox (self->kiosk), item->submission_id,
                                     now_s + FOREIGN_RETRY_S, text, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot record a submission of the previous device key: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The upload of @batch: a JSON array of base64 envelopes. */
static GBytes *
upload_body (Batch *batch)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "envelopes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < batch->items->len; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (batch->items, i);
      gsize len;
      const guint8 *bytes = g_bytes_get_data (item->envelope, &len);
      g_autofree char *b64 = g_base64_encode (bytes, len);

      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return intake_http_json_body (root);
}

/* The next batch of what was due when the pass began, without the
 * batches in flight (on the wire, being applied), its body built; NULL
 * with data->drained set when there is none, NULL with @error set when
 * the outbox fails. */
static Batch *
next_batch (RunData  *data,
            GError  **error)
{
  IntakeSync *self = data->self;
  IntakeOutbox *outbox = intake_kiosk_get_outbox (self->kiosk);
  g_autoptr(GPtrArray) except = g_ptr_array_new ();
  g_autoptr(Batch) batch = NULL;

  Batch *in_flight[] = { data->sending, data->applying };

  for (guint b = 0; b < G_N_ELEMENTS (in_flight); b++)
    for (guint i = 0; in_flight[b] != NULL && i < in_flight[b]->items->len; i++)
      g_ptr_array_add (except, ((IntakeOutboxItem *)g_ptr_array_index (in_flight[b]->items, i))->submission_id);

  for (;;)
    {
      g_autoptr(GPtrArray) due = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize body_size = 64;
      guint parked = 0;

      /* What was due when the pass began: envelopes refused in this pass
       * get a later next_attempt_at, delivered ones leave, so this ends. */
      due = intake_outbox_list_due_except (outbox, data->started_s, self->batch_size,
                                           (const char * const *)except->pdata, except->len, &local_error);
      if (due == NULL)
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                       "cannot read the outbox: %s", local_error->message);
          return NULL;
        }

      batch = g_new0 (Batch, 1);
      batch->items = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_outbox_item_free);
      for (guint i = 0; i < due->len; i++)
        {
          IntakeOutboxItem *item = g_ptr_array_index (due, i);
          gsize encoded = (g_bytes_get_size (item->envelope) + 2) / 3 * 4 + 4;
          g_autofree char *device = NULL;

          /* A safety net: never send an envelope twice in one pass. */
          if (g_hash_table_contains (data->tried, item->submission_id))
            break;
          device = envelope_device_hex (item->envelope);
          if (device != NULL && !g_str_equal (device, intake_kiosk_get_device_id (self->kiosk)))
            {
              if (!park_foreign (data, item, error))
                return NULL;
              parked++;
              g_hash_table_add (data->tried, g_strdup (item->submission_id));
              continue;
            }
          /* Stay under the server's body limit; the rest goes in the next batch. */
          if (batch->items->len > 0 && body_size + encoded > BODY_BUDGET)
            break;
          body_size += encoded;
          g_hash_table_add (data->tried, g_strdup (item->submission_id));
          g_ptr_array_add (batch->items, g_ptr_array_steal_index (due, i));
          i--;
        }

      if (batch->items->len > 0)
        {
          batch->body = upload_body (batch);
          return g_steal_pointer (&batch);
        }
      /* They are no longer due: what follows them may be. */
      if (parked == 0)
        break;
      g_clear_pointer (&batch, batch_free);
    }

  data->drained = TRUE;
  return NULL;
}

/* Moves the pass on after each event (its start, an upload's answer, a
 * batch applied): the checked batch is applied once the one before it is
 * done, the next batch goes out as soon as none is on the wire and at most
 * one other is in flight, and the pass goes on to the help requests once
 * nothing is due or in flight. After a failure nothing new starts; the
 * error is returned once what was in flight has come back. */
static void
pump (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  IntakeSync *self = data->self;
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean apply = FALSE;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    fail (data, error);

  if (data->error != NULL)
    {
      /* A verified batch not yet applied stays pending: sent again, it
       * comes back as "duplicate". */
      g_clear_pointer (&data->checked, batch_free);
      g_clear_pointer (&data->next, batch_free);
    }
  else if (data->applying == NULL && data->checked != NULL)
    {
      data->applying = g_steal_pointer (&data->checked);
      apply = TRUE;
    }

  /* The next batch before this one is applied: the server stores it
   * while the kiosk commits this one. */
  if (data->error == NULL && data->sending == NULL && data->checked == NULL &&
      (data->next != NULL || !data->drained))
    {
      if (data->next != NULL)
        data->sending = g_steal_pointer (&data->next);
      else if (!(data->sending = next_batch (data, &error)) && error != NULL)
        fail (data, error);
      if (data->sending != NULL)
        /* Signed now: the timestamp is the sending time. */
        intake_sync_request_async (self->session, intake_kiosk_get_server_url (self->kiosk), "POST",
                                   "/v1/envelopes", data->sending->body, intake_kiosk_get_device_key (self->kiosk),
                                   now_us (self) / G_USEC_PER_SEC, cancellable, upload_cb,
                                   g_object_ref (task));
    }
  /* Once the kiosk has nothing to apply, it reads and builds the batch
   * after the one on the wire, so that it leaves the moment the answer
   * has verified (it is not in flight: nothing was sent). */
  else if (data->error == NULL && data->sending != NULL && data->applying == NULL && data->checked == NULL &&
           data->next == NULL && !data->drained)
    {
      if (!(data->next = next_batch (data, &error)) && error != NULL)
        fail (data, error);
    }

  if (apply)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, apply_batch_cb, g_object_ref (task), g_object_unref);
      g_source_set_static_name (source, "[intake-sync] apply batch");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }

  if (data->sending != NULL || data->applying != NULL)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    send_help_requests (g_object_ref (task));
}

/* Delivered envelopes past the grace period go, whether or not the server
 * can be reached. */
static void
purge_delivered (IntakeSync *self)
{
  gint64 before = now_us (self) / G_USEC_PER_SEC - (gint64)self->grace_days * 24 * 60 * 60;
  g_autoptr(GError) error = NULL;
  gint64 purged;

  purged = intake_outbox_purge_delivered (intake_kiosk_get_outbox (self->kiosk), before, &error);
  if (purged < 0)
    g_warning ("Delivered envelopes past their grace period could not be deleted: %s", error->message);
  else if (purged > 0)
    g_debug ("Deleted %" G_GINT64_FORMAT " delivered envelopes past their grace period", purged);
}

/* The body of POST /v1/help-requests with every help request the server has
 * not acknowledged yet (time and language only), and their outbox ids in
 * @out_ids; NULL (no error) when there are none. */
static GBytes *
help_requests_body (IntakeSync  *self,
                    GArray     **out_ids,
                    GError     **error)
{
  g_autoptr(GArray) requests = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  *out_ids = NULL;
  requests = intake_outbox_list_unsent_help_requests (intake_kiosk_get_outbox (self->kiosk),
                                                      INTAKE_PROTOCOL_MAX_BATCH, error);
  if (requests == NULL || requests->len == 0)
    return NULL;

  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), requests->len);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < requests->len; i++)
    {
      const IntakeHelpRequest *request = &g_array_index (requests, IntakeHelpRequest, i);

      g_array_append_val (ids, request->id);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, request->id);
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_int_value (builder, request->created_at);
      json_builder_set_member_name (builder, "language");
      json_builder_add_string_value (builder, request->language);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  *out_ids = g_steal_pointer (&ids);
  return intake_http_json_body (root);
}

static void
mark_help_sent (IntakeSync *self,
                GArray     *ids)
{
  g_autoptr(GError) error = NULL;

  if (!intake_outbox_mark_help_requests_sent (intake_kiosk_get_outbox (self->kiosk),
                                              (const gint64 *)ids->data, ids->len,
                                              now_us (self) / G_USEC_PER_SEC, &error))
    g_message ("Help requests were sent but cannot be marked so (they will be sent again, "
               "which the server ignores): %s", error->message);
}

/* Help requests also go after the envelopes of every pass (those that
 * could not go at once, intake_sync_send_help_async()). A failure here does
 * not fail the pass: they stay unsent and go with the next one. */
static void
help_requests_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!(response = intake_sync_request_finish (result, &error)))
    g_message ("Help requests not sent, retrying with the next sync: %s", error->message);
  else if (response->status == SOUP_STATUS_OK)
    mark_help_sent (data->self, data->help_ids);
  else if (response->status != SOUP_STATUS_NOT_FOUND)   /* an older server: keep them */
    g_message ("The server refused the help requests (HTTP %u %s); retrying with the next sync",
               response->status, response->error_code != NULL ? response->error_code : "");
  g_clear_pointer (&data->help_ids, g_array_unref);
  fetch_questionnaire (g_steal_pointer (&task));
}

static void
send_help_requests (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  IntakeSync *self = data->self;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = help_requests_body (self, &data->help_ids, &error);
  if (body == NULL)
    {
      if (error != NULL)
        g_message ("Cannot read help requests from the outbox: %s", error->message);
      fetch_questionnaire (task);
      return;
    }
  intake_sync_request_async (self->session, intake_kiosk_get_server_url (self->kiosk), "POST", "/v1/help-requests",
                      body, intake_kiosk_get_device_key (self->kiosk), now_us (self) / G_USEC_PER_SEC,
                      g_task_get_cancellable (task), help_requests_cb, task);
}

/* ------------------------------------------------------------------ */
/* A help request, at once                                              */

static void
send_help_now_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IntakeSync *self = g_task_get_source_object (task);
  GArray *ids = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  GError *error = NULL;

  if (!(response = intake_sync_request_finish (result, &error)) ||
      !intake_sync_check_response (response, "help request", &error))
    {
      g_task_return_error (task, error);
      return;
    }
  mark_help_sent (self, ids);
  g_task_return_boolean (task, TRUE);
}

void
intake_sync_send_help_async (IntakeSync          *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  GArray *ids = NULL;

  g_return_if_fail (INTAKE_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_sync_send_help_async);
  if (!intake_kiosk_is_enrolled (self->kiosk))
    {
      g_task_return_new_error (task, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NOT_ENROLLED,
                               "this kiosk is not enrolled: run intake-kiosk --enroll URL CODE");
      return;
    }
  body = help_requests_body (self, &ids, &error);
  if (body == NULL && error != NULL)
    {
      g_task_return_new_error (task, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                               "cannot read help requests from the outbox: %s", error->message);
      return;
    }
  if (body == NULL)
    {
      /* Every request was acknowledged already (by a pass that ran meanwhile). */
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_set_task_data (task, ids, (GDestroyNotify)g_array_unref);
  /* Apart from any pass that may be running: help does not wait for a batch
   * of envelopes. Should both send it, the server keeps it once. */
  intake_sync_request_async (self->session, intake_kiosk_get_server_url (self->kiosk), "POST", "/v1/help-requests",
                             body, intake_kiosk_get_device_key (self->kiosk), now_us (self) / G_USEC_PER_SEC,
                             cancellable, send_help_now_cb, g_steal_pointer (&task));
}

gboolean
intake_sync_send_help_finish (IntakeSync    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
questionnaire_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  IntakeSync *self = data->self;
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IntakeSignedQuestionnaire) signed_q = NULL;
  gboolean installed = FALSE;
  GError *error = NULL;
  JsonObject *root;

  if (!(response = intake_sync_request_finish (result, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  remember_response (self, response);

  /* The last request of a pass: a kiosk with nothing pending learns of a
   * restore here, and sends what it delivered again in this same pass. */
  /* Once per pass: servers that keep naming other generations (two
   * stores behind one address) cannot keep a pass going. */
  if ((response->status == SOUP_STATUS_OK || response->status == SOUP_STATUS_NOT_FOUND) &&
      note_generation (self, response) > 0 && !data->resent)
    {
      data->resent = TRUE;
      data->drained = FALSE;
      self->last_http_status = 0;
      g_clear_pointer (&self->last_server_error, g_free);
      pump (task);
      return;
    }

  if (response->status == SOUP_STATUS_NOT_FOUND)
    {
      /* No questionnaire published: keep what the kiosk has. */
      self->last_http_status = 0;
      g_clear_pointer (&self->last_server_error, g_free);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!intake_sync_check_response (response, "questionnaire update", &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if ((root = intake_http_response_get_object (response)) == NULL ||
      !(signed_q = intake_signed_questionnaire_new_from_json (root, &local_error)))
    g_warning ("The questionnaire the server offers is malformed (%s); keeping the current one",
               local_error != NULL ? local_error->message : "not a JSON object");
  else
    {
      /* A questionnaire that does not verify is ignored: a compromised
       * server cannot change what residents are asked. */
      if (!intake_kiosk_offer_questionnaire (self->kiosk, signed_q, &installed, &local_error))
        g_warning ("Ignoring the questionnaire the server offers, keeping the current one: %s",
                   local_error->message);
      else if (installed)
        g_message ("New sessions now use questionnaire %s version %u",
                   intake_questionnaire_get_id (intake_kiosk_get_questionnaire (self->kiosk)),
                   intake_questionnaire_get_version (intake_kiosk_get_questionnaire (self->kiosk)));
    }

  g_task_return_boolean (task, TRUE);
}

/* The office key rotations and server key rollovers (docs/sync.md,
 * "Office key rotation"), asked for first in each pass. Never fails the
 * pass: a kiosk that cannot learn a new office key keeps sealing for the
 * one it has, which the server still accepts. */
gboolean
intake_sync_apply_office_rotations (IntakeKiosk  *kiosk,
                                    JsonObject   *object,
                                    GError      **error)
{
  g_autoptr(GPtrArray) blobs = intake_json_get_base64_list (object, "office_rotations", error);
  g_autoptr(GPtrArray) server_blobs = NULL;

  if (blobs == NULL || !intake_kiosk_follow_office_rotations (kiosk, blobs, NULL, error))
    return FALSE;
  server_blobs = intake_json_get_base64_list (object, "server_rotations", error);
  return server_blobs != NULL && intake_kiosk_follow_server_rotations (kiosk, server_blobs, NULL, error);
}

static void
office_keys_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(IntakeHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!(response = intake_sync_request_finish (result, &error)))
    g_message ("Office keys not checked, trying again with the next sync: %s", error->message);
  else if (response->status == SOUP_STATUS_OK)
    {
      if ((root = intake_http_response_get_object (response)) == NULL)
        g_warning ("The server's office keys are not a JSON object; keeping the office key");
      else if (!intake_sync_apply_office_rotations (data->self->kiosk, root, &error))
        g_warning ("Ignoring the server's office key rotations, keeping the office key: %s", error->message);
    }
  else if (response->status != SOUP_STATUS_NOT_FOUND)   /* an older server has none */
    g_message ("The server did not give its office keys (HTTP %u %s); trying again with the next sync",
               response->status, response->error_code != NULL ? response->error_code : "");
  pump (task);
}

/* The status as the check-in names it (docs/protocol.md, "Check-in"):
 * "" when the last pass went well. */
static const char *
status_code (IntakeSyncStatus status)
{
  switch (status)
    {
    case INTAKE_SYNC_STATUS_OFFLINE:
      return "offline";
    case INTAKE_SYNC_STATUS_REFUSED:
      return "refused";
    case INTAKE_SYNC_STATUS_CLOCK:
      return "clock";
    case INTAKE_SYNC_STATUS_BAD_RECEIPT:
      return "bad_receipt";
    case INTAKE_SYNC_STATUS_REJECTED:
      return "rejected";
    case INTAKE_SYNC_STATUS_UNTRUSTED:
      return "untrusted";
    case INTAKE_SYNC_STATUS_NOT_ENROLLED:
    case INTAKE_SYNC_STATUS_IDLE:
    case INTAKE_SYNC_STATUS_SENDING:
    case INTAKE_SYNC_STATUS_WAITING:
    default:
      return "";
    }
}

/* What the kiosk tells the office at the start of each pass: counts,
 * versions and the last status; never anything a resident wrote. */
static GBytes *
check_in_body (IntakeSync *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *questionnaire = NULL;
  IntakeOutboxCounts counts = { 0 };
  IntakeQuestionnaire *q = intake_kiosk_get_questionnaire (self->kiosk);
  char *text;
  gsize len;

  intake_outbox_get_counts (intake_kiosk_get_outbox (self->kiosk), &counts, NULL);
  questionnaire = g_strdup_printf ("%s/%u", intake_questionnaire_get_id (q), intake_questionnaire_get_version (q));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pending");
  json_builder_add_int_value (builder, counts.pending);
  json_builder_set_member_name (builder, "oldest_pending_at");
  json_builder_add_int_value (builder, counts.oldest_pending_at);
  json_builder_set_member_name (builder, "questionnaire");
  json_builder_add_string_value (builder, questionnaire);
  json_builder_set_member_name (builder, "app_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "last_error");
  json_builder_add_string_value (builder, status_code (self->reported_status));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

static void
fetch_office_keys (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  IntakeSync *self = data->self;
  g_autoptr(GBytes) body = check_in_body (self);

  intake_sync_request_async (self->session, intake_kiosk_get_server_url (self->kiosk), "POST", "/v1/check-in",
                             body, intake_kiosk_get_device_key (self->kiosk), now_us (self) / G_USEC_PER_SEC,
                             g_task_get_cancellable (task), office_keys_cb, task);
}

static void
fetch_questionnaire (GTask *task)
{
  RunData *data = g_task_get_task_data (task);
  IntakeSync *self = data->self;
  GCancellable *cancellable = g_task_get_cancellable (task);

  intake_sync_request_async (self->session, intake_kiosk_get_server_url (self->kiosk), "GET", "/v1/questionnaire",
                      NULL, intake_kiosk_get_device_key (self->kiosk), now_us (self) / G_USEC_PER_SEC,
                      cancellable, questionnaire_cb, task);
}

static IntakeSyncStatus
status_for_error (const GError *error)
{
  if (error->domain != INTAKE_SYNC_ERROR)
    return INTAKE_SYNC_STATUS_OFFLINE;
  switch ((IntakeSyncError)error->code)
    {
    case INTAKE_SYNC_ERROR_NOT_ENROLLED:
      return INTAKE_SYNC_STATUS_NOT_ENROLLED;
    case INTAKE_SYNC_ERROR_REFUSED:
      return INTAKE_SYNC_STATUS_REFUSED;
    case INTAKE_SYNC_ERROR_CLOCK:
      return INTAKE_SYNC_STATUS_CLOCK;
    case INTAKE_SYNC_ERROR_BAD_RECEIPT:
      return INTAKE_SYNC_STATUS_BAD_RECEIPT;
    case INTAKE_SYNC_ERROR_UNTRUSTED:
      return INTAKE_SYNC_STATUS_UNTRUSTED;
    case INTAKE_SYNC_ERROR_NETWORK:
    case INTAKE_SYNC_ERROR_SERVER:
    case INTAKE_SYNC_ERROR_BAD_RESPONSE:
    case INTAKE_SYNC_ERROR_IO:
    case INTAKE_SYNC_ERROR_ENROLL_CODE:
    case INTAKE_SYNC_ERROR_ENROLL_CODE_USED:
    case INTAKE_SYNC_ERROR_ENROLL_CODE_EXPIRED:
    case INTAKE_SYNC_ERROR_OFFICE_KEY_CHANGED:
    case INTAKE_SYNC_ERROR_BAD_QUESTIONNAIRE:
    case INTAKE_SYNC_ERROR_PENDING:
    case INTAKE_SYNC_ERROR_BUSY:
    default:
      return INTAKE_SYNC_STATUS_OFFLINE;
    }
}

static void engine_after_pass (IntakeSync   *self,
                               const GError *error);

/* Bookkeeping common to every pass, whoever started it. */
static void
pass_done (IntakeSync   *self,
           RunData      *data,
           const GError *error)
{
  gint64 now = now_us (self);

  self->in_flight = FALSE;
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      set_status (self, pending_count (self) > 0 ? INTAKE_SYNC_STATUS_WAITING : INTAKE_SYNC_STATUS_IDLE,
                  NULL);
      return;
    }

  if (error != NULL)
    {
      IntakeSyncStatus status = status_for_error (error);
      gint64 delay_ms;

      /* Engine-level failure: back off with full jitter. */
      delay_ms = intake_sync_backoff_delay_ms (self->failures, next_random (self),
                                               self->backoff_base_ms, self->backoff_cap_ms);
      self->failures++;
      self->next_attempt_at = now + delay_ms * 1000;
      g_message ("Sync failed (%u in a row), next attempt in %" G_GINT64_FORMAT " ms: %s",
                 self->failures, delay_ms, error->message);
      set_status (self, status, intake_sync_status_to_string (status, self->language));
    }
  else
    {
      self->failures = 0;
      self->next_attempt_at = 0;
      self->last_success = now / G_USEC_PER_SEC;
      self->last_rejected = data->rejected;
      set_str (&self->last_rejection, data->rejection);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SUCCESS]);
      if (data->rejected > 0)
        set_status (self, INTAKE_SYNC_STATUS_REJECTED,
                    intake_sync_status_to_string (INTAKE_SYNC_STATUS_REJECTED, self->language));
      else
        set_status (self, pending_count (self) > 0 ? INTAKE_SYNC_STATUS_WAITING : INTAKE_SYNC_STATUS_IDLE,
                    NULL);
      emit_changed (self);
    }

  engine_after_pass (self, error);
}

static void
run_once_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *inner = G_TASK (result);
  g_autoptr(GTask) outer = user_data;
  IntakeSync *self = INTAKE_SYNC (object);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      pass_done (self, g_task_get_task_data (inner), error);
      g_task_return_error (outer, error);
      return;
    }
  pass_done (self, g_task_get_task_data (inner), NULL);
  g_task_return_boolean (outer, TRUE);
}

void
intake_sync_run_once_async (IntakeSync          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  RunData *data;

  g_return_if_fail (INTAKE_IS_SYNC (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, intake_sync_run_once_async);

  if (self->in_flight)
    {
      g_task_return_new_error (outer, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BUSY,
                               "a sync is already running");
      return;
    }

  purge_delivered (self);

  if (!intake_kiosk_is_enrolled (self->kiosk))
    {
      GError *error = g_error_new (INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NOT_ENROLLED,
                                   "this kiosk is not enrolled: run intake-kiosk --enroll URL CODE");

      set_status (self, INTAKE_SYNC_STATUS_NOT_ENROLLED,
                  intake_sync_status_to_string (INTAKE_SYNC_STATUS_NOT_ENROLLED, self->language));
      engine_after_pass (self, error);
      g_task_return_error (outer, error);
      return;
    }

  self->in_flight = TRUE;
  /* The check-in reports how the last pass ended. */
  self->reported_status = self->status;
  if (pending_count (self) > 0)
    set_status (self, INTAKE_SYNC_STATUS_SENDING, self->last_error);

  inner = g_task_new (self, cancellable, run_once_done_cb, g_steal_pointer (&outer));
  data = g_new0 (RunData, 1);
  data->self = self;
  data->started_s = now_us (self) / G_USEC_PER_SEC;
  data->tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (inner, data, (GDestroyNotify)run_data_free);
  /* The keys first: receipts of this pass may be signed by a server key
   * that a rollover statement introduces. */
  fetch_office_keys (g_steal_pointer (&inner));
}

gboolean
intake_sync_run_once_finish (IntakeSync    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
intake_sync_now_blocking (IntakeSync    *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  IntakeOutbox *outbox;

  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);

  outbox = intake_kiosk_get_outbox (self->kiosk);
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) due = NULL;

      intake_sync_run_once_async (self, cancellable, intake_sync_store_result_cb, &result);
      if (!intake_sync_run_once_finish (self, intake_sync_wait_for_result (&result), error))
        return FALSE;
      if (pending_count (self) == 0)
        return TRUE;

      due = intake_outbox_list_due (outbox, now_us (self) / G_USEC_PER_SEC, 1, NULL);
      if (due == NULL || due->len == 0)
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_PENDING,
                       "%u submissions are still pending: %s", pending_count (self),
                       self->last_rejection != NULL ? self->last_rejection
                                                    : "they wait for their next attempt");
          return FALSE;
        }
    }
}

gboolean
intake_sync_reload (IntakeSync  *self,
                    GError     **error)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);

  if (!intake_kiosk_reload_enrollment (self->kiosk, error))
    return FALSE;
  /* A new enrollment deserves a try now, whatever the backoff said. */
  self->failures = 0;
  self->next_attempt_at = 0;
  if (!intake_kiosk_is_enrolled (self->kiosk))
    set_status (self, INTAKE_SYNC_STATUS_NOT_ENROLLED,
                intake_sync_status_to_string (INTAKE_SYNC_STATUS_NOT_ENROLLED, self->language));
  else
    set_status (self, pending_count (self) > 0 ? INTAKE_SYNC_STATUS_WAITING : INTAKE_SYNC_STATUS_IDLE, NULL);
  emit_changed (self);
  intake_sync_poke (self);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The engine                                                           */

static void schedule (IntakeSync *self, gint64 delay_ms);

/* Whoever ran the pass (the engine's timer, a poke, the command line), the
 * engine's next run follows from its outcome. */
static void
engine_after_pass (IntakeSync   *self,
                   const GError *error)
{
  if (!self->running || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NOT_ENROLLED))
    schedule (self, (gint64)self->interval * 1000);
  else if (error != NULL)
    schedule (self, MAX (0, (self->next_attempt_at - now_us (self)) / 1000));
  else if (self->rerun)
    schedule (self, 0);
  else
    schedule (self, (gint64)self->interval * 1000);
  self->rerun = FALSE;
}

static void
engine_run_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  /* pass_done() and engine_after_pass() did the work. */
  intake_sync_run_once_finish (INTAKE_SYNC (object), result, NULL);
}

static gboolean
engine_timeout_cb (gpointer user_data)
{
  IntakeSync *self = INTAKE_SYNC (user_data);

  self->timeout_id = 0;
  if (self->in_flight)
    {
      self->rerun = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->rerun = FALSE;
  intake_sync_run_once_async (self, self->cancellable, engine_run_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule (IntakeSync *self,
          gint64      delay_ms)
{
  GSource *source;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  source = g_timeout_source_new ((guint)CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_callback (source, engine_timeout_cb, self, NULL);
  g_source_set_static_name (source, "[intake-sync] engine");
  self->timeout_id = g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    IntakeSync      *self)
{
  /* The network came back: try now, whatever the backoff said; a new
   * failure keeps growing the delay. */
  if (available && self->running)
    {
      if (self->in_flight)
        self->rerun = TRUE;
      else
        schedule (self, 0);
    }
}

void
intake_sync_start (IntakeSync *self)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->cancellable = g_cancellable_new ();
  self->network_changed_id = g_signal_connect (g_network_monitor_get_default (), "network-changed",
                                               G_CALLBACK (network_changed_cb), self);
  schedule (self, 0);
}

void
intake_sync_stop (IntakeSync *self)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));

  if (!self->running)
    return;
  self->running = FALSE;
  g_clear_signal_handler (&self->network_changed_id, g_network_monitor_get_default ());
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

gboolean
intake_sync_is_running (IntakeSync *self)
{
  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);
  return self->running;
}

void
intake_sync_poke (IntakeSync *self)
{
  g_return_if_fail (INTAKE_IS_SYNC (self));

  emit_changed (self);
  if (!self->running)
    return;
  if (self->in_flight)
    self->rerun = TRUE;
  else if (self->failures == 0)
    schedule (self, 0);
  /* While backing off the timer stands: a submission does not make an
   * unreachable server reachable. */
}

/* ------------------------------------------------------------------ */
/* Offline bundles                                                      */

/* Writes the pending envelopes sealed by @key into a bundle signed with it. */
static gint64
export_bundle_for (IntakeSync             *self,
                   const IntakeDeviceKey  *key,
                   GPtrArray              *pending,
                   const char             *path,
                   gboolean                write_empty,
                   GError                **error)
{
  IntakeOutbox *outbox = intake_kiosk_get_outbox (self->kiosk);
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key_id = intake_device_key_dup_id_hex (key);
  gint64 now_s = now_us (self) / G_USEC_PER_SEC;
  gsize len = 0;
  const char *data;

  for (guint i = 0; i < pending->len && envelopes->len < INTAKE_BUNDLE_MAX_ENVELOPES; i++)
    {
      IntakeOutboxItem *item = g_ptr_array_index (pending, i);
      g_autofree char *device = envelope_device_hex (item->envelope);

      if (g_strcmp0 (device, key_id) != 0)
        continue;
      g_ptr_array_add (envelopes, item->envelope);
      g_ptr_array_add (ids, item->submission_id);
    }
  g_ptr_array_add (ids, NULL);
  if (envelopes->len == 0 && !write_empty)
    return 0;

  bundle = intake_bundle_build (key, now_s, envelopes);
  data = g_bytes_get_data (bundle, &len);
  if (!g_file_set_contents_full (path, data, (gssize)len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot write the bundle: %s", local_error->message);
      return -1;
    }
  if (envelopes->len > 0 &&
      !intake_outbox_mark_exported (outbox, (const char * const *)ids->pdata, now_s, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "the bundle was written, but the outbox could not record it: %s",
                   local_error->message);
      return -1;
    }
  return envelopes->len;
}

static GPtrArray *
list_pending (IntakeSync  *self,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *pending;

  if (!(pending = intake_outbox_list_pending (intake_kiosk_get_outbox (self->kiosk), &local_error)))
    g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                 "cannot read the outbox: %s", local_error->message);
  return pending;
}

gint64
intake_sync_export_bundle (IntakeSync  *self,
                           const char  *path,
                           GError     **error)
{
  g_autoptr(GPtrArray) pending = NULL;
  gint64 n;

  g_return_val_if_fail (INTAKE_IS_SYNC (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  if (!(pending = list_pending (self, error)))
    return -1;
  n = export_bundle_for (self, intake_kiosk_get_device_key (self->kiosk), pending, path, TRUE, error);
  emit_changed (self);
  return n;
}

char *
intake_sync_retired_bundle_path (const char *path,
                                 const char *device_id)
{
  g_return_val_if_fail (path != NULL && device_id != NULL, NULL);

  if (g_str_has_suffix (path, ".ikb"))
    return g_strdup_printf ("%.*s-%s.ikb", (int)(strlen (path) - 4), path, device_id);
  return g_strdup_printf ("%s-%s", path, device_id);
}

GPtrArray *
intake_sync_export_retired_bundles (IntakeSync  *self,
                                    const char  *path,
                                    GError     **error)
{
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *retired;

  g_return_val_if_fail (INTAKE_IS_SYNC (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  retired = intake_kiosk_get_retired_device_keys (self->kiosk);
  if (retired->len == 0)
    return g_steal_pointer (&written);
  if (!(pending = list_pending (self, error)))
    return NULL;
  for (guint i = 0; i < retired->len; i++)
    {
      const IntakeDeviceKey *key = g_ptr_array_index (retired, i);
      g_autofree char *id = intake_device_key_dup_id_hex (key);
      g_autofree char *retired_path = intake_sync_retired_bundle_path (path, id);
      gint64 n = export_bundle_for (self, key, pending, retired_path, FALSE, error);

      if (n < 0)
        {
          emit_changed (self);
          return NULL;
        }
      if (n > 0)
        g_ptr_array_add (written, g_strdup_printf ("%s %" G_GINT64_FORMAT " %s", id, n, retired_path));
    }
  emit_changed (self);
  return g_steal_pointer (&written);
}

/* ------------------------------------------------------------------ */
/* Receipts carried back on a USB stick                                 */

static gboolean
receipts_refused (GError     **error,
                  const char  *path,
                  const char  *what)
{
  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_BAD_RECEIPT,
               "the receipts file %s is refused, nothing was marked delivered: %s", path, what);
  return FALSE;
}

/* Reads at most INTAKE_RECEIPTS_FILE_MAX_SIZE bytes of @path; a larger
 * file is refused from its size, before it is read. */
static char *
read_receipts_file (const char  *path,
                    gsize       *out_len,
                    GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  goffset size;
  gsize got = 0;

  if (!(in = g_file_read (file, NULL, &local_error)) ||
      !(info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, &local_error)))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot read the receipts file: %s", local_error->message);
      return NULL;
    }
  size = g_file_info_get_size (info);
  if (size < 0 || size > INTAKE_RECEIPTS_FILE_MAX_SIZE)
    {
      g_autofree char *what = g_strdup_printf ("it is larger than %d MiB", INTAKE_RECEIPTS_FILE_MAX_SIZE / (1024 * 1024));

      receipts_refused (error, path, what);
      return NULL;
    }
  data = g_malloc ((gsize)size + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), data, (gsize)size + 1, &got, NULL, &local_error))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                   "cannot read the receipts file: %s", local_error->message);
      return NULL;
    }
  if (got > (gsize)size)
    {
      receipts_refused (error, path, "it changed while it was read");
      return NULL;
    }
  *out_len = got;
  return g_steal_pointer (&data);
}

typedef struct {
  GBytes    *stored;   /* receipt || signature, as an upload's */
  GPtrArray *ids;      /* submission ids to mark delivered */
} VerifiedReceipt;

static void
verified_receipt_free (VerifiedReceipt *v)
{
  g_clear_pointer (&v->stored, g_bytes_unref);
  g_clear_pointer (&v->ids, g_ptr_array_unref);
  g_free (v);
}

gboolean
intake_sync_import_receipts (IntakeSync            *self,
                             const char            *path,
                             IntakeReceiptsImport  *out_result,
                             GError               **error)
{
  IntakeOutbox *outbox;
  IntakeReceiptsImport result = { 0 };
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GPtrArray) rotations = NULL;
  g_autoptr(GPtrArray) server_rotations = NULL;
  g_autoptr(GPtrArray) verified = g_ptr_array_new_with_free_func ((GDestroyNotify)verified_receipt_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  const guint8 *server_pk;
  const char *device_id;
  GPtrArray *retired;
  gsize len = 0;
  gint64 now_s;

  g_return_val_if_fail (INTAKE_IS_SYNC (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!intake_kiosk_is_enrolled (self->kiosk) ||
      !(server_pk = intake_kiosk_get_server_public (self->kiosk)))
    {
      g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_NOT_ENROLLED,
                   "this kiosk is not enrolled, so it has no server key to check receipts against");
      return FALSE;
    }
  device_id = intake_kiosk_get_device_id (self->kiosk);
  retired = intake_kiosk_get_retired_device_keys (self->kiosk);
  outbox = intake_kiosk_get_outbox (self->kiosk);

  if (!(data = read_receipts_file (path, &len, error)))
    return FALSE;
  if (!(receipts = intake_receipts_file_parse_full (data, len, &rotations, &server_rotations, &local_error)))
    return receipts_refused (error, path, local_error->message);
  /* The office's key rotations and server key rollovers: an offline site
   * learns them here, before the receipts (which the new server key may
   * have signed) are checked. */
  if ((rotations->len > 0 && !intake_kiosk_follow_office_rotations (self->kiosk, rotations, NULL, &local_error)) ||
      (server_rotations->len > 0 &&
       !intake_kiosk_follow_server_rotations (self->kiosk, server_rotations, NULL, &local_error)))
    return receipts_refused (error, path, local_error->message);
  server_pk = intake_kiosk_get_server_public (self->kiosk);

  /* Everything is checked before anything is marked. */
  for (guint i = 0; i < receipts->len; i++)
    {
      IntakeSignedReceipt *r = g_ptr_array_index (receipts, i);
      g_autoptr(GArray) items = NULL;
      VerifiedReceipt *v;
      GByteArray *both;

      items = intake_receipt_verify (r->receipt, r->signature, server_pk, device_id, &local_error);
      /* Receipts for the envelopes of a retired device key of this kiosk. */
      for (guint k = 0; items == NULL && k < retired->len &&
                        g_error_matches (local_error, INTAKE_PROTOCOL_ERROR, INTAKE_PROTOCOL_ERROR_DEVICE_MISMATCH); k++)
        {
          g_autofree char *retired_id = intake_device_key_dup_id_hex (g_ptr_array_index (retired, k));

          g_clear_error (&local_error);
          items = intake_receipt_verify (r->receipt, r->signature, server_pk, retired_id, &local_error);
        }
      if (items == NULL)
        {
          g_autofree char *what = g_strdup_printf ("receipt %u: %s", i + 1, local_error->message);

          return receipts_refused (error, path, what);
        }
      v = g_new0 (VerifiedReceipt, 1);
      v->ids = g_ptr_array_new_with_free_func (g_free);
      both = g_byte_array_sized_new (g_bytes_get_size (r->receipt) + INTAKE_SIGNATURE_BYTES);
      g_byte_array_append (both, g_bytes_get_data (r->receipt, NULL), g_bytes_get_size (r->receipt));
      g_byte_array_append (both, r->signature, INTAKE_SIGNATURE_BYTES);
      v->stored = g_byte_array_free_to_bytes (both);
      g_ptr_array_add (verified, v);

      for (guint j = 0; j < items->len; j++)
        {
          IntakeReceiptItem *item = &g_array_index (items, IntakeReceiptItem, j);
          g_autoptr(IntakeOutboxItem) held = NULL;
          g_autofree char *sha = NULL;

          if (!(held = intake_outbox_lookup (outbox, item->submission_id, &local_error)))
            {
              if (!g_error_matches (local_error, INTAKE_OUTBOX_ERROR, INTAKE_OUTBOX_ERROR_NOT_FOUND))
                {
                  g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                               "cannot read the outbox: %s", local_error->message);
                  return FALSE;
                }
              g_clear_error (&local_error);
              result.unknown++;
              continue;
            }
          sha = intake_sha256_hex (held->envelope);
          if (!g_str_equal (sha, item->sha256))
            return receipts_refused (error, path, "a receipt lists other bytes for an envelope this kiosk holds");
          if (held->state == INTAKE_OUTBOX_STATE_DELIVERED ||
              !g_hash_table_add (seen, g_strdup (item->submission_id)))
            {
              result.already++;
              continue;
            }
          g_ptr_array_add (v->ids, g_strdup (item->submission_id));
        }
    }
  result.receipts = receipts->len;

  now_s = now_us (self) / G_USEC_PER_SEC;
  for (guint i = 0; i < verified->len; i++)
    {
      VerifiedReceipt *v = g_ptr_array_index (verified, i);

      if (v->ids->len == 0)
        continue;
      if (!intake_outbox_mark_delivered_many (outbox, (const char * const *)v->ids->pdata, v->ids->len,
                                              v->stored, now_s, &local_error))
        {
          g_set_error (error, INTAKE_SYNC_ERROR, INTAKE_SYNC_ERROR_IO,
                       "cannot mark a submission delivered (%u were marked; reading the file again is safe): %s",
                       result.delivered, local_error->message);
          emit_changed (self);
          return FALSE;
        }
      result.delivered += v->ids->len;
    }
  if (result.delivered > 0)
    g_message ("Receipts from %s: %u submissions marked delivered", path, result.delivered);
  emit_changed (self);
  if (out_result != NULL)
    *out_result = result;
  return TRUE;
}

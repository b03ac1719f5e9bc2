/* intake-store.h: the storage interface of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What intake-server and intake-admin keep: enrollment codes, devices,
 * envelopes (sealed and signed; the store never sees plaintext) and the
 * conflicts refused on the way. The backends live in server/: SQLite
 * (intake-store-sqlite.c, the default) and PostgreSQL (intake-store-pg.c).
 *
 * Every method is synchronous and short: the server runs on one GLib main
 * loop. Schema, migrations and guarantees: docs/server.md.
 */
#pragma once

#include <glib-object.h>

#include "intake-envelope.h"
#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_STORE_ERROR (intake_store_error_quark ())

/**
 * IntakeStoreError:
 * @INTAKE_STORE_ERROR_OPEN: the store could not be opened or connected to
 * @INTAKE_STORE_ERROR_SCHEMA_TOO_NEW: the schema was written by a newer program
 * @INTAKE_STORE_ERROR_DATABASE: a query failed (disk full, connection lost, ...)
 * @INTAKE_STORE_ERROR_UNKNOWN_CODE: no enrollment code with that hash
 * @INTAKE_STORE_ERROR_CODE_USED: the enrollment code was already consumed
 * @INTAKE_STORE_ERROR_CODE_EXPIRED: the enrollment code is past its expiry
 * @INTAKE_STORE_ERROR_CODE_EXISTS: an enrollment code with that hash exists already
 * @INTAKE_STORE_ERROR_UNKNOWN_DEVICE: no device with that id
 * @INTAKE_STORE_ERROR_DEVICE_REVOKED: the device is revoked (it cannot enroll again)
 * @INTAKE_STORE_ERROR_INVALID: an argument is not as the interface requires
 */
typedef enum {
  INTAKE_STORE_ERROR_OPEN,
  INTAKE_STORE_ERROR_SCHEMA_TOO_NEW,
  INTAKE_STORE_ERROR_DATABASE,
  INTAKE_STORE_ERROR_UNKNOWN_CODE,
  INTAKE_STORE_ERROR_CODE_USED,
  INTAKE_STORE_ERROR_CODE_EXPIRED,
  INTAKE_STORE_ERROR_CODE_EXISTS,
  INTAKE_STORE_ERROR_UNKNOWN_DEVICE,
  INTAKE_STORE_ERROR_DEVICE_REVOKED,
  INTAKE_STORE_ERROR_INVALID,
} IntakeStoreError;

/* The schema both backends create; see docs/server.md for the tables. */
#define INTAKE_STORE_SCHEMA_VERSION 1

typedef enum {
  INTAKE_DEVICE_STATUS_ACTIVE,
  INTAKE_DEVICE_STATUS_REVOKED,
} IntakeDeviceStatus;

typedef enum {
  INTAKE_ENVELOPE_SOURCE_UPLOAD,
  INTAKE_ENVELOPE_SOURCE_BUNDLE,
} IntakeEnvelopeSource;

typedef enum {
  INTAKE_STORE_PUT_STORED,     /* new: stored */
  INTAKE_STORE_PUT_DUPLICATE,  /* the same bytes were stored before: nothing changed */
  INTAKE_STORE_PUT_CONFLICT,   /* same submission id, other bytes: refused and logged */
} IntakeStorePutResult;

#define INTAKE_HEX_ID_LEN 33     /* 16 bytes as hex + NUL */

typedef struct {
  char               device_id[INTAKE_HEX_ID_LEN];
  guint8             sign_pk[INTAKE_SIGN_PUBLIC_BYTES];
  char              *location;
  IntakeDeviceStatus status;
  gint64             enrolled_at;
  gint64             revoked_at;     /* 0 while active */
} IntakeStoreDevice;

/* What the store keeps beside an envelope's bytes: the verified header's
 * routing fields, never anything from inside the envelope. */
typedef struct {
  gint64               seq;          /* assigned by the store, increasing; 0 when putting */
  char                 submission_id[INTAKE_HEX_ID_LEN];
  char                 device_id[INTAKE_HEX_ID_LEN];
  char                 sha256[65];
  gint64               size;
  gint64               created_at;
  char                 questionnaire_id[INTAKE_QUESTIONNAIRE_ID_MAX + 1];
  gint64               questionnaire_version;
  char                 questionnaire_hash[65];
  char                 office_key_id[INTAKE_OFFICE_KEY_ID_BYTES * 2 + 1];
  gint64               received_at;
  IntakeEnvelopeSource source;
} IntakeStoreEnvelope;

typedef struct {
  gint64 envelopes;
  gint64 conflicts;          /* distinct (submission id, refused bytes) pairs */
  gint64 devices_active;
  gint64 devices_revoked;
} IntakeStoreCounts;

#define INTAKE_TYPE_STORE (intake_store_get_type ())

G_DECLARE_INTERFACE (IntakeStore, intake_store, INTAKE, STORE, GObject)

struct _IntakeStoreInterface
{
  GTypeInterface parent_iface;

  gboolean   (*create_enroll_code)  (IntakeStore               *self,
                                     const char                *code_hash,
                                     const char                *location,
                                     gint64                     created_at,
                                     gint64                     expires_at,
                                     GError                   **error);
  char      *(*consume_enroll_code) (IntakeStore               *self,
                                     const char                *code_hash,
                                     const IntakeDevicePublic  *device,
                                     gint64                     now,
                                     GError                   **error);
  gboolean   (*register_device)     (IntakeStore               *self,
                                     const IntakeDevicePublic  *device,
                                     const char                *location,
                                     gint64                     enrolled_at,
                                     GError                   **error);
  IntakeStoreDevice *(*get_device)  (IntakeStore               *self,
                                     const char                *device_id,
                                     GError                   **error);
  GPtrArray *(*list_devices)        (IntakeStore               *self,
                                     GError                   **error);
  gboolean   (*revoke_device)       (IntakeStore               *self,
                                     const char                *device_id,
                                     gint64                     now,
                                     GError                   **error);
  gboolean   (*put_envelope)        (IntakeStore               *self,
                                     const IntakeStoreEnvelope *meta,
                                     GBytes                    *envelope,
                                     IntakeStorePutResult      *out_result,
                                     GError                   **error);
  GBytes    *(*dup_envelope)        (IntakeStore               *self,
                                     const char                *submission_id,
                                     IntakeStoreEnvelope       *out_meta,
                                     GError                   **error);
  GArray    *(*list_envelopes)      (IntakeStore               *self,
                                     gint64                     after_seq,
                                     guint                      limit,
                                     GError                   **error);
  gboolean   (*get_counts)          (IntakeStore               *self,
                                     IntakeStoreCounts         *out_counts,
                                     GError                   **error);
  gboolean   (*check_health)        (IntakeStore               *self,
                                     GError                   **error);
  char      *(*ensure_setting)      (IntakeStore               *self,
                                     const char                *name,
                                     const char                *value,
                                     GError                   **error);
  int        (*get_schema_version)  (IntakeStore               *self);
  const char *(*get_backend_name)   (IntakeStore               *self);
};

GQuark              intake_store_error_quark          (void);

/* Stores an enrollment code by its hash (intake_enroll_code_hash()); the
 * code itself never reaches the store. */
gboolean            intake_store_create_enroll_code   (IntakeStore               *self,
                                                       const char                *code_hash,
                                                       const char                *location,
                                                       gint64                     created_at,
                                                       gint64                     expires_at,
                                                       GError                   **error);
/* In one transaction: consumes the code and registers @device as active
 * with the code's location (an active device that enrolls again keeps its
 * row and takes the new location). Returns the location. Errors:
 * UNKNOWN_CODE, CODE_USED, CODE_EXPIRED, DEVICE_REVOKED (the code is then
 * left unused). */
char               *intake_store_consume_enroll_code  (IntakeStore               *self,
                                                       const char                *code_hash,
                                                       const IntakeDevicePublic  *device,
                                                       gint64                     now,
                                                       GError                   **error);
/* Registers @device as active without a code (tests, manual set-ups).
 * DEVICE_REVOKED if it was revoked; registering an active device again
 * changes nothing. */
gboolean            intake_store_register_device      (IntakeStore               *self,
                                                       const IntakeDevicePublic  *device,
                                                       const char                *location,
                                                       gint64                     enrolled_at,
                                                       GError                   **error);
/* UNKNOWN_DEVICE if there is none. */
IntakeStoreDevice  *intake_store_get_device           (IntakeStore               *self,
                                                       const char                *device_id,
                                                       GError                   **error);
/* IntakeStoreDevice, by enrollment time. */
GPtrArray          *intake_store_list_devices         (IntakeStore               *self,
                                                       GError                   **error);
/* UNKNOWN_DEVICE if there is none; revoking twice keeps the first time. */
gboolean            intake_store_revoke_device        (IntakeStore               *self,
                                                       const char                *device_id,
                                                       gint64                     now,
                                                       GError                   **error);
/* Atomically: stores @envelope unless its submission id is present;
 * then DUPLICATE if the stored bytes are identical, else CONFLICT (logged
 * in the conflicts table, nothing else changes). @meta->sha256 and
 * @meta->size must describe @envelope. */
gboolean            intake_store_put_envelope         (IntakeStore               *self,
                                                       const IntakeStoreEnvelope *meta,
                                                       GBytes                    *envelope,
                                                       IntakeStorePutResult      *out_result,
                                                       GError                   **error);
/* The stored bytes (and metadata into @out_meta when non-NULL), or NULL
 * with no error set if there is no such submission. */
GBytes             *intake_store_dup_envelope         (IntakeStore               *self,
                                                       const char                *submission_id,
                                                       IntakeStoreEnvelope       *out_meta,
                                                       GError                   **error);
/* Metadata (IntakeStoreEnvelope) of up to @limit envelopes with seq >
 * @after_seq, in seq order: page with the last seq seen. */
GArray             *intake_store_list_envelopes       (IntakeStore               *self,
                                                       gint64                     after_seq,
                                                       guint                      limit,
                                                       GError                   **error);
gboolean            intake_store_get_counts           (IntakeStore               *self,
                                                       IntakeStoreCounts         *out_counts,
                                                       GError                   **error);
/* TRUE when the store answers a trivial query. */
gboolean            intake_store_check_health         (IntakeStore               *self,
                                                       GError                   **error);
/* Stores @value under @name unless a value is there already, and returns
 * the value the store holds (the first one written wins, also between
 * several servers starting at once). With @value NULL only reads: NULL and
 * no error if unset. Used for "office_public", the office key the store's
 * envelopes are checked against. */
char               *intake_store_ensure_setting       (IntakeStore               *self,
                                                       const char                *name,
                                                       const char                *value,
                                                       GError                   **error);
int                 intake_store_get_schema_version   (IntakeStore               *self);
/* "sqlite" or "postgresql", for logs. */
const char         *intake_store_get_backend_name     (IntakeStore               *self);

void                intake_store_device_free          (IntakeStoreDevice         *device);
const char         *intake_device_status_to_string    (IntakeDeviceStatus         status);
const char         *intake_envelope_source_to_string  (IntakeEnvelopeSource       source);
gboolean            intake_envelope_source_from_string (const char               *text,
                                                        IntakeEnvelopeSource     *out_source);
const char         *intake_store_put_result_to_string (IntakeStorePutResult       result);

/* Fills the routing fields of @meta from a verified @header and the
 * envelope's bytes. */
void                intake_store_envelope_init        (IntakeStoreEnvelope        *meta,
                                                       const IntakeEnvelopeHeader *header,
                                                       GBytes                     *envelope,
                                                       gint64                      received_at,
                                                       IntakeEnvelopeSource        source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStoreDevice, intake_store_device_free)

G_END_DECLS

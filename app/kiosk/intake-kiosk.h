/* intake-kiosk.h: the kiosk without its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the resident kiosk does that is not drawing: its state
 * directory (device key, outbox, staff PIN), the office key it seals to, the
 * questionnaire, sessions, and the one path from a finished session to a
 * durable envelope. The GTK kiosk, --demo-submissions and the tests all
 * submit through intake_kiosk_submit().
 */
#pragma once

#include <glib-object.h>

#include "intake-keys.h"
#include "intake-outbox.h"
#include "intake-questionnaire.h"
#include "intake-session.h"
#include "intake-signed-questionnaire.h"

G_BEGIN_DECLS

#define INTAKE_KIOSK_ERROR (intake_kiosk_error_quark ())

/* In the state directory: the questionnaire new sessions use when it came
 * from the server (the object docs/protocol.md describes), mode 0600. */
#define INTAKE_KIOSK_SIGNED_QUESTIONNAIRE "questionnaire.signed.json"

/**
 * IntakeKioskError:
 * @INTAKE_KIOSK_ERROR_STATE_DIR: the state directory cannot be created or used
 * @INTAKE_KIOSK_ERROR_NO_OFFICE_KEY: no office public key to seal to
 * @INTAKE_KIOSK_ERROR_NOT_STORED: a submission could not be stored durably; nothing was kept
 * @INTAKE_KIOSK_ERROR_UNKNOWN_LANGUAGE: the questionnaire does not offer that language
 */
typedef enum {
  INTAKE_KIOSK_ERROR_STATE_DIR,
  INTAKE_KIOSK_ERROR_NO_OFFICE_KEY,
  INTAKE_KIOSK_ERROR_NOT_STORED,
  INTAKE_KIOSK_ERROR_UNKNOWN_LANGUAGE,
} IntakeKioskError;

#define INTAKE_TYPE_KIOSK (intake_kiosk_get_type ())
G_DECLARE_FINAL_TYPE (IntakeKiosk, intake_kiosk, INTAKE, KIOSK, GObject)

GQuark               intake_kiosk_error_quark           (void);

/* Opens (creating on first use) @state_dir with mode 0700: device.secret,
 * device.pub, outbox.db. @office_public_path NULL means
 * STATE_DIR/office.pub; @questionnaire_path NULL means the newest of the
 * built-in one and a verified downloaded one (see
 * intake_kiosk_get_questionnaire()). Reads STATE_DIR/server.json when the
 * kiosk is enrolled. */
IntakeKiosk         *intake_kiosk_new                   (const char    *state_dir,
                                                         const char    *office_public_path,
                                                         const char    *questionnaire_path,
                                                         GError       **error);
const char          *intake_kiosk_get_state_dir         (IntakeKiosk   *self);
/* The questionnaire new sessions use: the explicit file when one was given,
 * else a verified downloaded one (STATE_DIR/questionnaire.signed.json) when it
 * is newer than the built-in one, else the built-in one. A downloaded file
 * that does not verify or load is ignored with a g_warning(). Notifies
 * "questionnaire" when it changes. */
IntakeQuestionnaire *intake_kiosk_get_questionnaire     (IntakeKiosk   *self);
IntakeOutbox        *intake_kiosk_get_outbox            (IntakeKiosk   *self);
const IntakeOfficePublic *intake_kiosk_get_office       (IntakeKiosk   *self);
/* Follows office key rotation statements (GBytes *, IKOR) from the key
 * this kiosk seals to. When they lead to a newer key, new sessions are
 * sealed for it, STATE_DIR/office.pub is replaced (the old file kept as
 * office.pub.KEYID.replaced; a --office-public file is left alone) and the
 * statements are kept, so questionnaires signed by the older key stay
 * valid. A statement that does not verify fails the whole call. */
/* Follows server key rollover statements (GBytes *, IKSR) from the server
 * key in server.json; when they lead to a newer key, server.json names it
 * and receipts are checked with it from then on. */
gboolean                  intake_kiosk_follow_server_rotations (IntakeKiosk *self,
                                                          GPtrArray     *blobs,
                                                          gboolean      *out_changed,
                                                          GError       **error);
/* Adds the statements (GBytes *, IKOR, checked by the caller) that are not
 * there yet to STATE_DIR/office-rotations. */
gboolean                  intake_kiosk_store_office_rotations (const char *state_dir,
                                                          GPtrArray     *blobs,
                                                          GError       **error);
gboolean                  intake_kiosk_follow_office_rotations (IntakeKiosk *self,
                                                          GPtrArray     *blobs,
                                                          gboolean      *out_changed,
                                                          GError       **error);
const char          *intake_kiosk_get_device_id         (IntakeKiosk   *self);

IntakeSession       *intake_kiosk_new_session           (IntakeKiosk   *self,
                                                         const char    *language,
                                                         GError       **error);
/* Serializes, seals, signs and stores @session in one durable transaction,
 * then wipes the session's answers. Returns the reference code for the
 * resident. On failure the outbox holds nothing of it and the session is
 * left as it was (the caller wipes it when it resets). */
char                *intake_kiosk_submit                (IntakeKiosk   *self,
                                                         IntakeSession *session,
                                                         GError       **error);
/* The kiosk's own disk, for the staff screen: FALSE (INTAKE_KIOSK_ERROR_NOT_STORED,
 * with what went wrong) while the last submission could not be stored, or
 * when its state directory has less than 16 MiB free. */
gboolean             intake_kiosk_check_storage         (IntakeKiosk   *self,
                                                         GError       **error);
/* Records that a resident asked for help (time and language, nothing
 * personal); returns the request's id (> 0), 0 with @error. The sync
 * engine sends it (intake_sync_send_help_async() at once). */
gint64               intake_kiosk_request_help          (IntakeKiosk   *self,
                                                         const char    *language,
                                                         GError       **error);

/* Staff PIN, kept as an Argon2id hash in STATE_DIR/staff-pin. */
gboolean             intake_kiosk_set_pin               (const char    *state_dir,
                                                         const char    *pin,
                                                         GError       **error);
gboolean             intake_kiosk_has_pin               (IntakeKiosk   *self);
gboolean             intake_kiosk_check_pin             (IntakeKiosk   *self,
                                                         const char    *pin);

/* Enrollment (docs/protocol.md, docs/sync.md). A kiosk is enrolled when
 * STATE_DIR/server.json exists, parses, names this kiosk's device id and a
 * server key whose id matches. A missing server.json means "not enrolled";
 * a damaged one is logged with g_warning() and also means "not enrolled".
 * The getters return NULL (0) when not enrolled. */
gboolean             intake_kiosk_is_enrolled           (IntakeKiosk   *self);
const char          *intake_kiosk_get_server_url        (IntakeKiosk   *self);
const char          *intake_kiosk_get_location          (IntakeKiosk   *self);
/* INTAKE_SIGN_PUBLIC_BYTES bytes: the key that signs the server's receipts. */
const guint8        *intake_kiosk_get_server_public     (IntakeKiosk   *self);
const char          *intake_kiosk_get_server_key_id     (IntakeKiosk   *self);
gint64               intake_kiosk_get_enrolled_at       (IntakeKiosk   *self);
/* The key that signs this kiosk's envelopes, requests and bundles. */
const IntakeDeviceKey *intake_kiosk_get_device_key      (IntakeKiosk   *self);

/* Loads STATE_DIR/device.secret, creating the state directory and the key
 * on first use, without needing an office key: enrollment runs before the
 * kiosk has one. */
IntakeDeviceKey     *intake_kiosk_load_device_key       (const char    *state_dir,
                                                         GError       **error);

/* Gives the kiosk in @state_dir a new device key (docs/sync.md, "A new
 * device key"): the current key is kept as STATE_DIR/retired/DEVICE_ID.secret
 * (mode 0600) to sign bundles of, and accept receipts for, the envelopes
 * it sealed; device.secret and device.pub are replaced; server.json, which
 * names the old device, is removed, so the kiosk must be enrolled again.
 * The outbox is not touched. Run it while the kiosk is not running.
 * Returns the old and new device ids (lowercase hex). */
gboolean             intake_kiosk_new_device_key        (const char    *state_dir,
                                                         char         **out_old_id,
                                                         char         **out_new_id,
                                                         GError       **error);
/* The retired device keys of this kiosk (IntakeDeviceKey, oldest file
 * name first); an empty array when it never changed its key. */
GPtrArray           *intake_kiosk_get_retired_device_keys (IntakeKiosk *self);

/* Re-reads what enrollment writes: office.pub (when the kiosk was opened
 * with the default office key path), server.json and the downloaded
 * questionnaire. Call it after intake_enroll_finish() on a running
 * kiosk. On error nothing changes. */
gboolean             intake_kiosk_reload_enrollment     (IntakeKiosk   *self,
                                                         GError       **error);

/* TRUE when @candidate should replace @current for new sessions: another
 * questionnaire id (the office switched questionnaires), or the same id with a
 * higher version. */
gboolean             intake_kiosk_questionnaire_is_newer (IntakeQuestionnaire *candidate,
                                                          IntakeQuestionnaire *current);
/* Verifies a questionnaire received from the server; when it is newer than
 * the one new sessions use, stores it in the state directory and switches
 * to it (sessions already running keep theirs). *@out_installed tells which.
 * A kiosk started with an explicit questionnaire file keeps that file. */
gboolean             intake_kiosk_offer_questionnaire   (IntakeKiosk   *self,
                                                         IntakeSignedQuestionnaire *signed_questionnaire,
                                                         gboolean      *out_installed,
                                                         GError       **error);

/* @n sessions with random valid answers, each through the same session,
 * seal and outbox path as a resident's. Returns how many were stored. */
guint                intake_kiosk_demo_submissions      (IntakeKiosk   *self,
                                                         guint          n,
                                                         guint32        seed,
                                                         GError       **error);

G_END_DECLS

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

G_BEGIN_DECLS

#define INTAKE_KIOSK_ERROR (intake_kiosk_error_quark ())

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

/* The questionnaire compiled into the program: the fallback when no other
 * is configured. */
IntakeQuestionnaire *intake_kiosk_load_builtin_questionnaire (GError **error);

/* Opens (creating on first use) @state_dir with mode 0700: device.secret,
 * device.pub, outbox.db. @office_public_path NULL means
 * STATE_DIR/office.pub; @questionnaire_path NULL means the built-in one. */
IntakeKiosk         *intake_kiosk_new                   (const char    *state_dir,
                                                         const char    *office_public_path,
                                                         const char    *questionnaire_path,
                                                         GError       **error);
const char          *intake_kiosk_get_state_dir         (IntakeKiosk   *self);
IntakeQuestionnaire *intake_kiosk_get_questionnaire     (IntakeKiosk   *self);
IntakeOutbox        *intake_kiosk_get_outbox            (IntakeKiosk   *self);
const IntakeOfficePublic *intake_kiosk_get_office       (IntakeKiosk   *self);
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
gboolean             intake_kiosk_request_help          (IntakeKiosk   *self,
                                                         const char    *language,
                                                         GError       **error);

/* Staff PIN, kept as an Argon2id hash in STATE_DIR/staff-pin. */
gboolean             intake_kiosk_set_pin               (const char    *state_dir,
                                                         const char    *pin,
                                                         GError       **error);
gboolean             intake_kiosk_has_pin               (IntakeKiosk   *self);
gboolean             intake_kiosk_check_pin             (IntakeKiosk   *self,
                                                         const char    *pin);

/* @n sessions with random valid answers, each through the same session,
 * seal and outbox path as a resident's. Returns how many were stored. */
guint                intake_kiosk_demo_submissions      (IntakeKiosk   *self,
                                                         guint          n,
                                                         guint32        seed,
                                                         GError       **error);

G_END_DECLS

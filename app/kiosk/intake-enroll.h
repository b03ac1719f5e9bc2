/* intake-enroll.h: registering a kiosk with the back office (docs/sync.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Errors are INTAKE_SYNC_ERROR (intake-sync.h): _NETWORK, _UNTRUSTED,
 * _ENROLL_CODE (unknown), _ENROLL_CODE_USED, _ENROLL_CODE_EXPIRED,
 * _OFFICE_KEY_CHANGED, _BAD_RESPONSE, _BAD_QUESTIONNAIRE, _IO.
 *
 * The server consumes the code before it answers (docs/protocol.md,
 * "Enrollment"): the kiosk can only check the office key it is offered
 * afterwards. So when this kiosk refuses that key (_OFFICE_KEY_CHANGED),
 * the code is used up and the server has registered the device; nothing
 * changed on the kiosk. A new code is needed for the next attempt.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  INTAKE_ENROLL_NONE  = 0,
  /* Replace an existing, different office.pub. Envelopes sealed to the old
   * office key stay in the outbox and are still delivered, but only holders
   * of the old office secret can open them. */
  INTAKE_ENROLL_FORCE = 1 << 0,
} IntakeEnrollFlags;

/* Works on a state directory, not an IntakeKiosk: a kiosk that
 * was never enrolled has no office key yet. Creates the device key when
 * needed, POSTs /v1/enroll, verifies the office key's self-signature and
 * the questionnaire's office signature and loads it strictly, then writes
 * office.pub, questionnaire.signed.json and server.json (0600, atomic; in that
 * order, so server.json marks a complete enrollment). @tls_ca_file: PEM file
 * of CAs to trust instead of the system's, or NULL. The result is the office
 * key fingerprint for staff to compare. A running kiosk then calls
 * intake_kiosk_reload_enrollment(). */
void   intake_enroll_async    (const char           *state_dir,
                               const char           *url,
                               const char           *code,
                               IntakeEnrollFlags     flags,
                               const char           *tls_ca_file,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data);
char  *intake_enroll_finish   (GAsyncResult         *result,
                               GError              **error);
/* The same, running the thread-default main context until it is done (for
 * the command line). */
char  *intake_enroll_blocking (const char           *state_dir,
                               const char           *url,
                               const char           *code,
                               IntakeEnrollFlags     flags,
                               const char           *tls_ca_file,
                               GError              **error);

G_END_DECLS

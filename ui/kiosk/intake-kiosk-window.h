/* intake-kiosk-window.h: the resident kiosk's one window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows one screen at a time (welcome, explanation, one question,
 * review, thanks, help, idle warning, storage error, staff PIN, staff) and
 * holds the resident's session in memory only. Everything a resident or a
 * test can do is a widget action in the "kiosk" group:
 *
 *   kiosk.choose-language (s)   start a session in that language
 *   kiosk.start                 explanation -> first question
 *   kiosk.next, kiosk.back, kiosk.skip
 *   kiosk.change (s)            from the review: change the answer to that question
 *   kiosk.submit                store the answers, show the reference code
 *   kiosk.help, kiosk.help-done
 *   kiosk.text-size             normal -> large -> larger -> normal
 *   kiosk.high-contrast         stateful (the "high-contrast" property)
 *   kiosk.read-aloud            stateful (the "reading-aloud" property): reads every
 *                               screen aloud in the session language from now on, or stops
 *   kiosk.stop                  asks "Do you want to stop?"
 *   kiosk.resume                back from that question or the idle warning
 *   kiosk.start-over            wipe everything, welcome screen
 *   kiosk.done                  the thank-you screen's "Done"
 *   kiosk.staff                 Ctrl+Alt+S: the staff PIN screen
 *   kiosk.staff-open, kiosk.staff-cancel, kiosk.staff-close,
 *   kiosk.staff-resolve-help, kiosk.staff-exit
 *   kiosk.staff-sync-now        the staff screen's "Send now" (needs a sync engine)
 */
#pragma once

#include <adwaita.h>

#include "intake-catalog.h"
#include "intake-kiosk.h"
#include "intake-sync.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_TEXT_SIZE_NORMAL,
  INTAKE_TEXT_SIZE_LARGE,
  INTAKE_TEXT_SIZE_LARGER,
} IntakeTextSize;

#define INTAKE_TYPE_KIOSK_WINDOW (intake_kiosk_window_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskWindow, intake_kiosk_window, INTAKE, KIOSK_WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). @catalog NULL: the kiosk's compiled-in
 * translations (English when there are none). */
IntakeKioskWindow *intake_kiosk_window_new             (GtkApplication    *application,
                                                        IntakeKiosk       *kiosk,
                                                        IntakeCatalog     *catalog);
IntakeKiosk       *intake_kiosk_window_get_kiosk       (IntakeKioskWindow *self);
/* The resident's session, NULL on the welcome screen and after a reset. */
IntakeSession     *intake_kiosk_window_get_session     (IntakeKioskWindow *self);
/* The name of the visible screen: "welcome", "explanation", "question",
 * "review", "thanks", "idle", "help", "storage-error", "confirm-stop",
 * "staff-pin" or "staff". */
const char        *intake_kiosk_window_get_screen      (IntakeKioskWindow *self);
GtkWidget         *intake_kiosk_window_get_question_view (IntakeKioskWindow *self);
/* The reference code on the thank-you screen (NULL elsewhere). */
const char        *intake_kiosk_window_get_reference   (IntakeKioskWindow *self);
/* The sync engine: poked after each submission, shown on the staff screen.
 * NULL (the default) means this kiosk does not send; the staff screen then
 * says it is not enrolled. @sync must work on the window's kiosk. */
void               intake_kiosk_window_set_sync        (IntakeKioskWindow *self,
                                                        IntakeSync        *sync);
IntakeSync        *intake_kiosk_window_get_sync        (IntakeKioskWindow *self);
/* Wipes the session and every trace of it, and shows the welcome screen. */
void               intake_kiosk_window_reset           (IntakeKioskWindow *self);

/* Whether read-aloud is on (property "reading-aloud"): then every screen is
 * read by itself, until the resident turns it off or the session ends. */
gboolean           intake_kiosk_window_get_reading_aloud (IntakeKioskWindow *self);
/* Whether something is being said right now. */
gboolean           intake_kiosk_window_get_speaking    (IntakeKioskWindow *self);
/* What read-aloud says on the visible screen (NULL: nothing): texts of the
 * questionnaire and the UI; the answers and the reference code only with
 * private listening (property "private-listening"). */
char              *intake_kiosk_window_dup_read_aloud_text (IntakeKioskWindow *self);

/* The catalog of the kiosk's UI strings from the compiled-in .mo files. */
IntakeCatalog     *intake_kiosk_catalog_new_default    (void);

G_END_DECLS

/* intake-kiosk-window-private.h: shared by the window's source files and the tour
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-kiosk-review-page.h"
#include "intake-kiosk-staff-page.h"
#include "intake-kiosk-utils.h"
#include "intake-kiosk-window.h"
#include "intake-question-view.h"
#include "intake-speech.h"

G_BEGIN_DECLS

/* Where the resident's help request is (the help screen says it). */
typedef enum {
  INTAKE_HELP_NONE,       /* no request in this session */
  INTAKE_HELP_SENDING,    /* recorded, being sent to the office at once */
  INTAKE_HELP_SENT,       /* the office server has it: staff see it now */
  INTAKE_HELP_NOT_SENT,   /* recorded, but the office could not be reached */
} IntakeHelpState;

struct _IntakeKioskWindow
{
  AdwApplicationWindow  parent_instance;

  IntakeKiosk          *kiosk;
  IntakeCatalog        *catalog;
  IntakeSession        *session;
  char                 *language;        /* the session's language; NULL on welcome */
  char                **languages;       /* offered on the welcome screen, in order */

  /* Codes of questions the resident has seen in this session (codes only,
   * never answers): after "Change" on the review, Next returns to the review
   * unless a question became visible that was never shown. */
  GHashTable           *seen;
  gboolean              return_to_review;
  const char           *help_return;     /* static page names */
  const char           *idle_return;
  const char           *pin_return;
  const char           *stop_return;

  /* Every AdwClamp of the screens and its width at normal text: the column
   * widens with the text (1.5 and 2 times). */
  GHashTable           *clamps;
  IntakeTextSize        text_size;
  IntakeTextSize        default_text_size;
  gboolean              high_contrast;
  gboolean              default_high_contrast;

  guint                 idle_timeout_ms;
  guint                 idle_countdown_ms;
  guint                 thanks_timeout_ms;
  gint64                last_input_us;
  gint64                countdown_deadline_us;
  guint                 idle_source;
  guint                 countdown_source;
  guint                 thanks_source;

  /* One help request per session: its outbox id (0: none), where it is,
   * and the send in flight. While the help screen is shown the idle timer
   * waits, for at most help_hold_ms; then the idle warning comes as usual. */
  gint64                help_id;
  IntakeHelpState       help_state;
  GCancellable         *help_cancellable;
  guint                 help_hold_ms;
  guint                 help_hold_source;

  char                 *reference;
  gint64                thanks_deadline_us;  /* the thank-you screen closes then */
  /* The receipt printer ("receipt-printer"), or a PDF file to write the
   * receipt to instead ("receipt-export": tests and the tour). */
  char                 *receipt_printer;
  char                 *receipt_export;
  GCancellable         *print_cancellable;

  /* Only the staff exit may close the window: a resident's Alt+F4, the
   * compositor or an accessibility client calling window.close is refused. */
  gboolean              allow_close;

  /* The sync engine (NULL: this kiosk does not send, e.g. in tests); the
   * staff page shows it. */
  IntakeSync           *sync;

  /* Read-aloud (intake-kiosk-window-read-aloud.c). NULL: eSpeak NG could
   * not start; the button is hidden. */
  IntakeSpeech         *speech;
  gboolean              reading_aloud;    /* the mode: read each screen by itself */
  /* Headphones, no loudspeaker (the "private-listening" setting): the
   * answers and the reference code may be said. */
  gboolean              private_listening;
  /* TRUE while the window moves focus itself: a language button that gets
   * it then does not say its name. */
  gboolean              focusing;

  /* Made in code: it needs the catalog. It belongs to question_clamp. */
  IntakeQuestionView   *question_view;

  /* Template children */
  GtkBox               *topbar;
  GtkBox               *progress_box;
  GtkBox               *topbar_spacer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkButton            *text_size_button;
  GtkToggleButton      *contrast_button;
  GtkButton            *help_button;
  GtkButton            *stop_button;
  GtkToggleButton      *read_aloud_button;
  GtkStack             *stack;

  GtkLabel             *welcome_title;
  GtkLabel             *welcome_choose;
  GtkGrid              *language_grid;

  GtkLabel             *explanation_title;
  GtkLabel             *explanation_heading;
  GtkLabel             *explanation_time;
  GtkBox               *explanation_points;
  GtkOverlay           *explanation_overlay;
  GtkScrolledWindow    *explanation_scroller;
  GtkWidget            *explanation_more;
  GtkButton            *explanation_back;
  GtkButton            *explanation_start;

  GtkScrolledWindow    *question_scroller;
  GtkOverlay           *question_overlay;
  GtkWidget            *question_more;
  AdwClamp             *question_clamp;
  GtkButton            *question_back;
  GtkButton            *question_skip;
  GtkButton            *question_next;

  IntakeKioskReviewPage *review_page;

  GtkLabel             *thanks_title;
  GtkLabel             *thanks_stored;
  GtkLabel             *thanks_code_caption;
  GtkLabel             *thanks_code;
  GtkLabel             *thanks_hint;
  GtkButton            *thanks_done;
  GtkOverlay           *thanks_overlay;
  GtkScrolledWindow    *thanks_scroller;
  GtkWidget            *thanks_more;
  AdwClamp             *thanks_clamp;
  GtkPicture           *thanks_qr;
  GtkLabel             *thanks_photo;
  GtkBox               *thanks_keep;
  GtkButton            *thanks_read_code;
  GtkButton            *thanks_print;
  GtkLabel             *thanks_print_status;
  GtkLabel             *thanks_countdown;
  GtkButton            *thanks_more_time;

  GtkLabel             *idle_title;
  GtkLabel             *idle_touch;
  GtkLabel             *idle_privacy;
  GtkLabel             *idle_seconds;
  GtkButton            *idle_still_here;
  GtkButton            *idle_start_over;

  GtkLabel             *help_counter;
  GtkLabel             *help_interpreter;
  GtkLabel             *help_told;
  GtkLabel             *help_kept;
  GtkButton            *help_back;

  GtkLabel             *error_title;
  GtkLabel             *error_text;
  GtkButton            *error_back;

  GtkLabel             *stop_question;
  GtkButton            *stop_yes;
  GtkButton            *stop_no;

  /* The staff PIN entry ("staff-pin") and the staff information ("staff"). */
  IntakeKioskStaffPage *staff_page;
};

/* A UI string in the session's language (the office language on screens
 * before a language is chosen). */
const char *intake_kiosk_window_tr          (IntakeKioskWindow *self,
                                             const char        *msgid);
/* The office language: the first configured language the questionnaire has. */
const char *intake_kiosk_window_get_staff_language (IntakeKioskWindow *self);
void        intake_kiosk_window_show_screen (IntakeKioskWindow *self,
                                             const char        *name);
void        intake_kiosk_window_show_question_now (IntakeKioskWindow *self);
void        intake_kiosk_window_show_review (IntakeKioskWindow *self);
void        intake_kiosk_window_show_storage_error (IntakeKioskWindow *self);
void        intake_kiosk_window_show_idle_warning  (IntakeKioskWindow *self);
/* Fills in the staff page and shows it, without asking for the PIN. */
void        intake_kiosk_window_show_staff         (IntakeKioskWindow *self);

/* How long an intake takes, in minutes (shown on the explanation screen). */
gint64      intake_kiosk_window_estimate_minutes (IntakeKioskWindow *self);
/* The help screen's sentence about the request, as a msgid (for its recording). */
const char *intake_kiosk_window_help_status_msgid (IntakeKioskWindow *self);
IntakeHelpState intake_kiosk_window_get_help_state (IntakeKioskWindow *self);

/* intake-kiosk-window-read-aloud.c */
void        intake_kiosk_window_read_aloud_init    (IntakeKioskWindow *self);
/* Shows the button where the screen can be heard (a voice or recordings). */
void        intake_kiosk_window_read_aloud_update  (IntakeKioskWindow *self,
                                                    const char        *screen);
void        intake_kiosk_window_read_aloud_dispose (IntakeKioskWindow *self);
void        intake_kiosk_window_set_reading_aloud  (IntakeKioskWindow *self,
                                                    gboolean           reading_aloud);
/* A new screen is shown: what was said stops; in read-aloud mode the new
 * screen is read. */
void        intake_kiosk_window_read_aloud_screen_shown (IntakeKioskWindow *self);
/* A calm message appeared on the question screen. */
void        intake_kiosk_window_read_aloud_message (IntakeKioskWindow *self,
                                                    const char        *message);
/* The resident chose an answer: said with private listening only. */
void        intake_kiosk_window_read_aloud_answer  (IntakeKioskWindow *self);
/* "Read my code aloud" on the thank-you screen: the code, spelled slowly. */
void        intake_kiosk_window_read_code_aloud    (IntakeKioskWindow *self);
/* Whether the screen's language (or English, for the code) can be heard. */
gboolean    intake_kiosk_window_can_speak_code     (IntakeKioskWindow *self);
/* A language button on the welcome screen got focus or a long press. */
void        intake_kiosk_window_speak_language     (IntakeKioskWindow *self,
                                                    const char        *lang);
/* In intake-kiosk-window.c: notifies "reading-aloud". */
void        intake_kiosk_window_notify_reading_aloud (IntakeKioskWindow *self);
/* In intake-kiosk-window.c: speech started or ended (the idle timer). */
void        intake_kiosk_window_speaking_changed   (IntakeKioskWindow *self);

G_END_DECLS

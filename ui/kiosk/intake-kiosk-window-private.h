/* intake-kiosk-window-private.h: shared by the window's source files and the tour
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-kiosk-window.h"
#include "intake-question-view.h"
#include "intake-speech.h"

G_BEGIN_DECLS

struct _IntakeKioskWindow
{
  AdwApplicationWindow  parent_instance;

  IntakeKiosk          *kiosk;
  IntakeCatalog        *catalog;
  IntakeSession        *session;
  char                 *language;        /* the session's language; NULL on welcome */
  char                **languages;       /* offered on the welcome screen, in order */
  char                 *location_name;

  /* Codes of questions the resident has seen in this session (codes only,
   * never answers): after "Change" on the review, Next returns to the review
   * unless a question became visible that was never shown. */
  GHashTable           *seen;
  gboolean              return_to_review;
  const char           *help_return;     /* static page names */
  const char           *idle_return;
  const char           *pin_return;
  const char           *stop_return;

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

  GCancellable         *pin_cancellable;
  gboolean              pin_checking;
  char                 *reference;

  /* The sync engine (NULL: this kiosk does not send, e.g. in tests). The
   * staff screen follows its "changed" signal while it is shown. */
  IntakeSync           *sync;
  gulong                sync_changed_id;
  gboolean              sync_now_running;
  char                 *sync_now_result;   /* staff text of the last "Send now", or NULL */

  /* Read-aloud (intake-kiosk-window-read-aloud.c). NULL: eSpeak NG could
   * not start; the button is hidden. */
  IntakeSpeech         *speech;
  gboolean              reading_aloud;

  /* Rows of the staff screen that are updated in place; NULL when the
   * staff screen is empty. They belong to staff_content. */
  GtkWidget            *staff_pending_row;
  GtkWidget            *staff_delivered_row;
  GtkWidget            *sync_enrolled_row;
  GtkWidget            *sync_server_row;
  GtkWidget            *sync_location_row;
  GtkWidget            *sync_success_row;
  GtkWidget            *sync_status_row;
  GtkWidget            *sync_error_row;
  GtkWidget            *sync_result_row;

  /* Template children */
  GtkWidget            *topbar;
  GtkWidget            *progress_box;
  GtkWidget            *topbar_spacer;
  GtkWidget            *progress_label;
  GtkWidget            *progress_bar;
  GtkWidget            *text_size_button;
  GtkWidget            *contrast_button;
  GtkWidget            *help_button;
  GtkWidget            *stop_button;
  GtkWidget            *read_aloud_button;
  GtkStack             *stack;

  GtkWidget            *welcome_title;
  GtkWidget            *welcome_choose;
  GtkWidget            *language_grid;

  GtkWidget            *explanation_title;
  GtkWidget            *explanation_heading;
  GtkWidget            *explanation_intro;
  GtkWidget            *explanation_back;
  GtkWidget            *explanation_start;

  GtkWidget            *question_scroller;
  GtkWidget            *question_clamp;
  GtkWidget            *question_view;
  GtkWidget            *question_back;
  GtkWidget            *question_skip;
  GtkWidget            *question_next;

  GtkWidget            *review_heading;
  GtkWidget            *review_subheading;
  GtkWidget            *review_list;
  GtkWidget            *review_back;
  GtkWidget            *review_send;

  GtkWidget            *thanks_title;
  GtkWidget            *thanks_stored;
  GtkWidget            *thanks_code_caption;
  GtkWidget            *thanks_code;
  GtkWidget            *thanks_hint;
  GtkWidget            *thanks_done;

  GtkWidget            *idle_title;
  GtkWidget            *idle_touch;
  GtkWidget            *idle_privacy;
  GtkWidget            *idle_seconds;
  GtkWidget            *idle_still_here;
  GtkWidget            *idle_start_over;

  GtkWidget            *help_counter;
  GtkWidget            *help_interpreter;
  GtkWidget            *help_told;
  GtkWidget            *help_back;

  GtkWidget            *error_title;
  GtkWidget            *error_text;
  GtkWidget            *error_back;

  GtkWidget            *stop_question;
  GtkWidget            *stop_yes;
  GtkWidget            *stop_no;

  GtkWidget            *pin_title;
  GtkWidget            *pin_entry;
  GtkWidget            *pin_message;
  GtkWidget            *pin_open;
  GtkWidget            *pin_cancel;

  GtkWidget            *staff_title;
  GtkWidget            *staff_content;
  GtkWidget            *staff_close;
  GtkWidget            *staff_exit;
};

/* A UI string in the session's language (the office language on screens
 * before a language is chosen). */
const char *intake_kiosk_window_tr          (IntakeKioskWindow *self,
                                             const char        *msgid);
/* The office language: the first configured language the questionnaire has. */
const char *intake_kiosk_window_get_staff_language (IntakeKioskWindow *self);
/* A UI string in the office language (staff screens are in Dutch). */
const char *intake_kiosk_window_tr_staff    (IntakeKioskWindow *self,
                                             const char        *msgid);
/* Replaces each "%d" of @format (a translation, so never used as a printf
 * format) with the next of @n_values numbers. */
char       *intake_kiosk_format_numbers     (const char        *format,
                                             guint              n_values,
                                             const gint64      *values);
/* Sets a label or button text and the matching accessible name. */
void        intake_kiosk_set_button_text    (GtkWidget         *button,
                                             const char        *text);
void        intake_kiosk_window_show_screen (IntakeKioskWindow *self,
                                             const char        *name);
void        intake_kiosk_window_show_question_now (IntakeKioskWindow *self);
void        intake_kiosk_window_show_review (IntakeKioskWindow *self);
void        intake_kiosk_window_show_storage_error (IntakeKioskWindow *self);
void        intake_kiosk_window_show_idle_warning  (IntakeKioskWindow *self);

/* intake-kiosk-window-staff.c */
void        intake_kiosk_window_staff_class_init (GtkWidgetClass  *widget_class);
void        intake_kiosk_window_open_staff_pin   (IntakeKioskWindow *self);
void        intake_kiosk_window_show_staff       (IntakeKioskWindow *self);
void        intake_kiosk_window_clear_staff      (IntakeKioskWindow *self);

/* intake-kiosk-window-read-aloud.c */
void        intake_kiosk_window_read_aloud_init    (IntakeKioskWindow *self);
/* Shows the button where there is text to read in a language with a voice;
 * on screens without a top bar (@has_topbar FALSE) the top bar holds only it. */
void        intake_kiosk_window_read_aloud_update  (IntakeKioskWindow *self,
                                                    const char        *screen,
                                                    gboolean           has_topbar);
void        intake_kiosk_window_read_aloud_dispose (IntakeKioskWindow *self);
void        intake_kiosk_window_set_reading_aloud  (IntakeKioskWindow *self,
                                                    gboolean           reading_aloud);
/* In intake-kiosk-window.c: notifies "reading-aloud". */
void        intake_kiosk_window_notify_reading_aloud (IntakeKioskWindow *self);

G_END_DECLS

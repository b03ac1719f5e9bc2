/* intake-review-window-private.h: shared between the window's files and its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "intake-keys.h"
#include "intake-review-help-list.h"
#include "intake-review-list-model.h"
#include "intake-review-window.h"
#include "intake-summary.h"

G_BEGIN_DECLS

struct _IntakeReviewWindow
{
  AdwApplicationWindow    parent_instance;

  /* Template: unlock page */
  GtkStack               *stack;
  GtkLabel               *server_label;
  GtkEntry               *server_entry;
  GtkEntry               *name_entry;
  GtkPasswordEntry       *passphrase_entry;
  GtkLabel               *unlock_notice;
  GtkLabel               *unlock_error;
  GtkSpinner             *unlock_spinner;
  GtkButton              *unlock_button;
  /* activation page */
  GtkEntry               *activate_name_entry;
  GtkEntry               *activate_code_entry;
  GtkPasswordEntry       *activate_passphrase_entry;
  GtkPasswordEntry       *activate_repeat_entry;
  GtkLabel               *activate_error;
  GtkSpinner             *activate_spinner;
  GtkButton              *activate_button;
  /* recovery page (after activation) */
  GtkLabel               *recovery_code_label;
  GtkLabel               *recovery_warning;
  GtkLabel               *recovery_status;
  GtkButton              *recovery_continue_button;
  /* restore page (recovery code -> workstation key) */
  GtkEntry               *restore_name_entry;
  GtkEntry               *restore_code_entry;
  GtkLabel               *restore_error;
  GtkButton              *restore_button;
  /* passphrase page */
  GtkPasswordEntry       *current_passphrase_entry;
  GtkPasswordEntry       *new_passphrase_entry;
  GtkPasswordEntry       *repeat_passphrase_entry;
  GtkLabel               *passphrase_status;
  GtkSpinner             *passphrase_spinner;
  GtkButton              *passphrase_button;
  /* queue page: views | list | detail */
  AdwLeaflet             *leaflet;
  GtkListBox             *views_list;
  AdwWindowTitle         *list_title;
  GtkToggleButton        *order_button;
  GtkSearchBar           *search_bar;
  GtkWidget              *search_box;
  GtkSearchEntry         *reference_entry;
  GtkSearchEntry         *name_search;
  GtkEntry               *location_entry;
  GtkEntry               *from_entry;
  GtkEntry               *to_entry;
  GtkStack               *list_stack;
  GtkListView            *list_view;
  AdwStatusPage          *empty_page;
  AdwStatusPage          *error_page;
  AdwStatusPage          *no_role_page;
  GtkLabel               *list_status;
  IntakeReviewHelpList   *help_list;
  /* detail */
  AdwWindowTitle         *detail_title;
  AdwToastOverlay        *toast_overlay;
  GtkStack               *detail_stack;
  AdwStatusPage          *detail_error_page;
  GtkWidget              *workflow_box;
  AdwComboRow            *state_row;
  AdwComboRow            *assignee_row;
  AdwComboRow            *unit_row;
  AdwEntryRow            *appointment_row;
  GtkLabel               *workflow_status;
  GtkScrolledWindow      *detail_scroll;
  GtkBox                 *header_box;
  GtkBox                 *detail_box;

  char                   *server_url;        /* configured; NULL: asked for */
  GTlsDatabase           *tls_database;
  IntakeReviewClient     *client;
  gboolean                unlocking;         /* also: activating */
  gboolean                changing_passphrase;
  /* The workstation key made by an activation, for its recovery sheet;
   * wiped when the reviewer continues to the list. */
  IntakeWorkstationKey   *new_workstation;
  IntakeQuestionnaireSet *questionnaires;
  IntakeReviewListModel  *model;
  GtkSingleSelection     *selection;
  /* The view the list shows (docs/review.md, "The queue"). */
  IntakeReviewView        view;
  char                   *view_state;        /* a state's own view, else NULL */
  gboolean                newest_first;
  GtkWidget              *view_rows[9];      /* the sidebar's rows, in views[] order */
  GtkLabel               *view_counts[9];
  /* Polling (docs/review.md, "New intakes without pressing anything"). */
  guint                   refresh_seconds;
  guint                   refresh_timer;
  gboolean                refreshing;
  guint                   refresh_generation; /* +1 on every new list */
  IntakeReviewCounts     *counts;            /* the last answer */
  gint64                  known_seq;         /* the newest submission seen */
  gint64                  known_changes;     /* the highest change_seq seen */
  char                  **units;             /* the office's units */
  GPtrArray              *assignees;         /* IntakeReviewAssignee */
  /* Idle lock (docs/review.md, "Safe at the desk"). */
  guint                   idle_lock_seconds; /* 0: never */
  gint64                  last_activity;     /* monotonic, microseconds */
  guint                   idle_timer;
  GSettings              *settings;         /* NULL when the schema is not installed */
  /* Decrypted submissions (id -> IntakeSubmission, which wipes itself when
   * finalized). Emptied on lock and when the window closes. */
  GHashTable             *cache;
  GQueue                  decrypt_queue;     /* IntakeReviewItem refs waiting */
  guint                   decrypts_running;
  guint                   visible_update;    /* timeout: open the rows on screen */
  GHashTable             *bound_cells;       /* GtkListItem of the language column, bound */
  /* Name search: every submission of the filter is opened here (names are
   * only inside envelopes); the matches are shown in name_results. */
  char                   *name_query;        /* casefolded; NULL: no name search */
  GListStore             *name_results;
  gboolean                name_search_done;
  GCancellable           *cancellable;       /* everything of one unlocked session */

  /* The open submission */
  char                   *detail_id;
  IntakeReviewMeta       *detail_meta;
  gboolean                detail_ready;      /* rendered */
  gboolean                audit_ready;
  GtkWidget              *audit_box;
  GHashTable             *row_widgets;       /* question code -> widget, for "uit: vraag" links */
  gboolean                saving;
  GtkTextView            *note_view;         /* the new note */
  GtkLabel               *note_status;
  GtkListBox             *notes_box;         /* the notes shown, oldest first */
  GPtrArray              *detail_notes;      /* IntakeReviewNote of the open submission */
  GSimpleActionGroup     *detail_actions;    /* "detail": pdf, pdf-to */
  gboolean                adding_note;
  gboolean                updating_workflow_widgets;
  GPtrArray              *unit_choices;      /* char *: the unit_row's values, "" none */
  GPtrArray              *assignee_choices;  /* char *: the assignee_row's values, "" nobody */
  /* The team lead's answer-based counts (languages, sectors), computed once
   * per unlock: submission key -> IntakeDashboardFacts. Wiped on lock. */
  GHashTable             *dashboard_facts;
};

/* intake-review-window-queue.c */
void  intake_review_window_queue_init    (IntakeReviewWindow *self);
void  intake_review_window_queue_class_init (GtkWidgetClass  *widget_class);
/* A new list for the chosen view, order and filter. */
void  intake_review_window_search        (IntakeReviewWindow *self);
void  intake_review_window_queue_unlocked (IntakeReviewWindow *self);
void  intake_review_window_queue_lock    (IntakeReviewWindow *self);
/* The decrypted submission of @key was opened: the row takes its name. */
void  intake_review_window_queue_opened  (IntakeReviewWindow *self,
                                          const char         *key,
                                          IntakeSubmission   *submission,
                                          const IntakeReviewMeta *meta);
void  intake_review_window_update_list_status (IntakeReviewWindow *self);
/* Asks the server's counts now (after a workflow change or a note). */
void  intake_review_window_refresh_counts (IntakeReviewWindow *self);
void  intake_review_window_report_event  (IntakeReviewWindow *self,
                                          const char         *action,
                                          const char         *object);
void  intake_review_window_toast         (IntakeReviewWindow *self,
                                          const char         *text);

/* intake-review-window-detail.c */
void  intake_review_window_detail_init   (IntakeReviewWindow *self);
/* The combo rows' choices after the units or colleagues arrived. */
void  intake_review_window_refresh_workflow_choices (IntakeReviewWindow *self);
void  intake_review_window_assign_me     (IntakeReviewWindow *self);
void  intake_review_window_focus_note    (IntakeReviewWindow *self);
void  intake_review_window_clear_detail  (IntakeReviewWindow *self);
/* Takes @meta; @notes: IntakeReviewNote, may be NULL. */
void  intake_review_window_show_detail   (IntakeReviewWindow *self,
                                          IntakeSubmission   *submission,
                                          IntakeReviewMeta   *meta,
                                          GPtrArray          *notes);
void  intake_review_window_add_note      (IntakeReviewWindow *self);
void  intake_review_window_show_detail_error (IntakeReviewWindow *self,
                                              const char         *message);
void  intake_review_window_load_audit    (IntakeReviewWindow *self);
void  intake_review_window_save_workflow (IntakeReviewWindow *self);
/* The recovery sheet (PDF) of the workstation key just made by an
 * activation; FALSE when there is none or it cannot be written. */
gboolean intake_review_window_save_recovery_sheet (IntakeReviewWindow *self,
                                                   const char         *path,
                                                   GError            **error);
/* Formats Unix seconds as "dd-mm-jjjj uu:mm" local time. */
char *intake_review_format_time          (gint64              unix_seconds);

G_END_DECLS

/* intake-review-window-private.h: shared between the window's files and its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

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
  /* list page */
  AdwWindowTitle         *list_title;
  GtkWidget              *dashboard_button;
  GtkWidget              *export_button;
  GtkWidget              *search_box;
  GtkSearchEntry         *reference_entry;
  GtkSearchEntry         *name_search;
  GtkDropDown            *state_filter;
  GtkEntry               *location_entry;
  GtkEntry               *from_entry;
  GtkEntry               *to_entry;
  GtkColumnView          *column_view;
  GtkLabel               *list_status;
  IntakeReviewHelpList   *help_list;
  /* detail page */
  AdwWindowTitle         *detail_title;
  GtkWidget              *workflow_box;
  GtkDropDown            *state_selector;
  GtkEntry               *unit_entry;
  GtkLabel               *workflow_status;
  GtkScrolledWindow      *detail_scroll;
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
  GtkMultiSelection      *selection;
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
  gboolean                adding_note;
};

/* intake-review-window-detail.c */
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

/* intake-review-window-private.h: shared between the window's files and its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

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
  GtkLabel               *unlock_error;
  GtkSpinner             *unlock_spinner;
  GtkButton              *unlock_button;
  /* list page */
  AdwWindowTitle         *list_title;
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
  GtkDropDown            *state_selector;
  GtkEntry               *unit_entry;
  GtkLabel               *workflow_status;
  GtkScrolledWindow      *detail_scroll;
  GtkBox                 *detail_box;

  char                   *server_url;        /* configured; NULL: asked for */
  GTlsDatabase           *tls_database;
  IntakeReviewClient     *client;
  gboolean                unlocking;
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
/* Formats Unix seconds as "dd-mm-jjjj uu:mm" local time. */
char *intake_review_format_time          (gint64              unix_seconds);

G_END_DECLS

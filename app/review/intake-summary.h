/* intake-summary.h: the caseworker's aid for the intake conversation (docs/review.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-submission.h"

G_BEGIN_DECLS

#define INTAKE_SUMMARY_ERROR (intake_summary_error_quark ())

/**
 * IntakeSummaryError:
 * @INTAKE_SUMMARY_ERROR_RULE_MISMATCH: a rule of the summary table refers to a question the
 *   questionnaire does not have, to a question of another type, to an option the question
 *   does not have, or (a barrier rule) to a question without a ZRM tag; update the table in
 *   app/intake-summary.c together with the questionnaire
 *
 * Errors while reading the submission itself are #INTAKE_SUBMISSION_ERROR.
 */
typedef enum {
  INTAKE_SUMMARY_ERROR_RULE_MISMATCH,
} IntakeSummaryError;

GQuark intake_summary_error_quark (void);

/* Line topics, in the order the lines come. */
typedef enum {
  INTAKE_SUMMARY_LADDER_NOW,      /* Participatieladder: where the resident is now */
  INTAKE_SUMMARY_LADDER_AIM,      /* ... and aims to be */
  INTAKE_SUMMARY_MOTIVATION,      /* importance of work, main goal */
  INTAKE_SUMMARY_CONFIDENCE,      /* confidence in finding work */
  INTAKE_SUMMARY_STRENGTHS,       /* ESCO-tagged skills rated at the top of their scale */
  INTAKE_SUMMARY_OWN_WORDS,       /* the free-text strengths answer, verbatim */
  INTAKE_SUMMARY_SECTORS,         /* sectors of interest */
  INTAKE_SUMMARY_SUPPORT,         /* support asked for */
  INTAKE_SUMMARY_INTERPRETER,     /* interpreter and conversation language */
  INTAKE_SUMMARY_BARRIERS,        /* self-reported barriers: one line per ZRM domain */
  INTAKE_SUMMARY_NOT_SAID,        /* "rather not say" on ZRM questions: one line per domain */
} IntakeSummaryTopic;

/* One line. Read-only; owned by the summary and wiped with it. */
typedef struct {
  IntakeSummaryTopic   topic;
  char                *label;               /* "Participation ladder now" (translated), or the ZRM domain name */
  char                *zrm_domain;          /* BARRIERS, NOT_SAID: the ZRM code, e.g. "finances"; else NULL */
  char                *text;                /* the items joined with "; " */
  char               **items;               /* "question — answer" (or the answer alone), one per source answer */
  char               **sources;             /* question codes the line comes from, questionnaire order */
  char                *text_language_name;  /* OWN_WORDS: the language the text was written in */
} IntakeSummaryLine;

#define INTAKE_TYPE_SUMMARY (intake_summary_get_type ())

G_DECLARE_FINAL_TYPE (IntakeSummary, intake_summary, INTAKE, SUMMARY, GObject)

/* Builds the summary of @submission, which must have been made with
 * @questionnaire (checked as intake_submission_check()). The questionnaire's
 * texts are in @staff_language (NULL: the questionnaire's source language),
 * the summary's own words in the staff's language (gettext). A line appears
 * only when an answer supports it; nothing is scored, ranked or decided. */
IntakeSummary           *intake_summary_new             (IntakeSubmission    *submission,
                                                         IntakeQuestionnaire *questionnaire,
                                                         const char          *staff_language,
                                                         GError             **error);
/* The fixed heading: "Aid for the conversation — no decision and no score
 * about the person", translated. */
const char              *intake_summary_get_heading     (IntakeSummary       *self);
/* The heading of a group of lines, e.g. "Barriers the resident named, per life
 * domain (ZRM)", translated. */
const char              *intake_summary_topic_title     (IntakeSummaryTopic   topic);
guint                    intake_summary_get_n_lines     (IntakeSummary       *self);
const IntakeSummaryLine *intake_summary_get_line        (IntakeSummary       *self,
                                                         guint                i);
/* The first line of @topic (and for BARRIERS / NOT_SAID of @zrm_domain), or NULL. */
const IntakeSummaryLine *intake_summary_find_line       (IntakeSummary       *self,
                                                         IntakeSummaryTopic   topic,
                                                         const char          *zrm_domain);

/* Checks that every rule of the summary table fits @questionnaire. The tests
 * run it on the shipped questionnaire so the table never silently stops
 * matching; a rule whose question a version lacks simply selects nothing. */
gboolean                 intake_summary_check_rules     (IntakeQuestionnaire *questionnaire,
                                                         GError             **error);

G_END_DECLS

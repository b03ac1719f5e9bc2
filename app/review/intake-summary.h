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
  /* The realistic labour-market perspective, as the resident answered. */
  INTAKE_SUMMARY_EDUCATION,       /* schooling, abroad, diploma recognised */
  INTAKE_SUMMARY_WORK_HISTORY,    /* worked before, years, when last, the last job */
  INTAKE_SUMMARY_PAST_SECTORS,    /* sectors worked in */
  INTAKE_SUMMARY_MOBILITY,        /* driving licence and transport */
  INTAKE_SUMMARY_HOURS,           /* hours able to work now and hours wanted, side by side */
  INTAKE_SUMMARY_START,           /* when they can start */
  INTAKE_SUMMARY_TRAVEL,          /* how far they want to travel */
  INTAKE_SUMMARY_DUTCH,           /* Dutch speaking and reading */
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
  /* A line of one free-text answer (OWN_WORDS): the language it was written
   * in, where that is known (intake_staff_text_in_language()) and not the
   * staff's; else NULL. Free text in a line of several answers carries its
   * language in its item. */
  char                *text_language_name;
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

/* Checks that every rule of the summary table fits @questionnaire where it
 * has the rule's question: the type, the options and (barriers) the ZRM tag.
 * A rule whose question a version lacks (removed or merged) simply selects
 * nothing and is not an error. The tests run it on the shipped questionnaire. */
gboolean                 intake_summary_check_rules     (IntakeQuestionnaire *questionnaire,
                                                         GError             **error);
/* The question codes the rules name that @questionnaire does not have (free
 * the array only): they give no line. */
GPtrArray               *intake_summary_missing_codes   (IntakeQuestionnaire *questionnaire);

G_END_DECLS

/* intake-rendering.c: a submission in the staff's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-rendering.h"
#include "intake-secure.h"
#include "intake-staff-words.h"

G_DEFINE_BOXED_TYPE (IntakeRendering, intake_rendering, intake_rendering_copy, intake_rendering_free)

static void
wipe_strv (char **strv)
{
  if (strv == NULL)
    return;
  for (char **p = strv; *p != NULL; p++)
    intake_secure_strfree (*p);
  g_free (strv);
}

void
intake_rendering_free (IntakeRendering *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_rows; i++)
    {
      IntakeRenderedRow *row = &self->rows[i];

      intake_secure_strfree (row->code);
      intake_secure_strfree (row->section_code);
      intake_secure_strfree (row->section_title);
      intake_secure_strfree (row->question_text);
      intake_secure_strfree (row->answer_text);
      wipe_strv (row->answer_items);
      intake_secure_strfree (row->text_language);
      intake_secure_strfree (row->text_language_name);
    }
  g_free (self->rows);
  intake_secure_strfree (self->staff_language);
  intake_secure_strfree (self->questionnaire_id);
  intake_secure_strfree (self->questionnaire_hash);
  intake_secure_strfree (self->questionnaire_title);
  intake_secure_strfree (self->language);
  intake_secure_strfree (self->language_name);
  intake_secure_strfree (self->language_autonym);
  intake_secure_strfree (self->started_at);
  intake_secure_strfree (self->finished_at);
  intake_secure_wipe (self, sizeof *self);
  g_free (self);
}

IntakeRendering *
intake_rendering_copy (const IntakeRendering *self)
{
  IntakeRendering *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (IntakeRendering, 1);
  copy->staff_language = g_strdup (self->staff_language);
  copy->raw = self->raw;
  copy->questionnaire_id = g_strdup (self->questionnaire_id);
  copy->questionnaire_version = self->questionnaire_version;
  copy->questionnaire_hash = g_strdup (self->questionnaire_hash);
  copy->questionnaire_title = g_strdup (self->questionnaire_title);
  copy->language = g_strdup (self->language);
  copy->language_name = g_strdup (self->language_name);
  copy->language_autonym = g_strdup (self->language_autonym);
  copy->language_draft = self->language_draft;
  copy->started_at = g_strdup (self->started_at);
  copy->finished_at = g_strdup (self->finished_at);
  copy->n_rows = self->n_rows;
  copy->rows = g_new0 (IntakeRenderedRow, MAX (self->n_rows, 1));
  for (guint i = 0; i < self->n_rows; i++)
    {
      const IntakeRenderedRow *row = &self->rows[i];
      IntakeRenderedRow *to = &copy->rows[i];

      to->code = g_strdup (row->code);
      to->type = row->type;
      to->state = row->state;
      to->section_code = g_strdup (row->section_code);
      to->section_title = g_strdup (row->section_title);
      to->question_text = g_strdup (row->question_text);
      to->answer_text = g_strdup (row->answer_text);
      to->answer_items = g_strdupv (row->answer_items);
      to->text_language = g_strdup (row->text_language);
      to->text_language_name = g_strdup (row->text_language_name);
    }
  return copy;
}

static char *
format_local_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%d-%m-%Y %H:%M");
}

static IntakeRendering *
rendering_new (IntakeSubmission *self,
               const char       *staff_language,
               guint             n_rows)
{
  IntakeRendering *rendering = g_new0 (IntakeRendering, 1);
  const char *name = intake_staff_language_name (intake_submission_get_language (self));

  rendering->staff_language = g_strdup (staff_language);
  rendering->questionnaire_id = g_strdup (intake_submission_get_questionnaire_id (self));
  rendering->questionnaire_version = intake_submission_get_questionnaire_version (self);
  rendering->questionnaire_hash = g_strdup (intake_submission_get_questionnaire_hash (self));
  rendering->language = g_strdup (intake_submission_get_language (self));
  rendering->language_name = g_strdup (name != NULL ? name : intake_submission_get_language (self));
  rendering->started_at = format_local_time (intake_submission_get_started_at (self));
  rendering->finished_at = format_local_time (intake_submission_get_finished_at (self));
  rendering->n_rows = n_rows;
  rendering->rows = g_new0 (IntakeRenderedRow, MAX (n_rows, 1));
  return rendering;
}

IntakeRendering *
intake_submission_render (IntakeSubmission     *self,
                          IntakeQuestionnaire  *questionnaire,
                          const char           *staff_language,
                          GError              **error)
{
  g_autoptr(GPtrArray) answers = NULL;
  IntakeAnswerWords words = intake_staff_answer_words ();
  const IntakeLanguage *resident_language;
  IntakeRendering *rendering;
  guint n_questions, n_rows = 0;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (staff_language == NULL)
    staff_language = intake_questionnaire_get_source_language (questionnaire);
  if (intake_questionnaire_lookup_language (questionnaire, staff_language) == NULL)
    {
      g_set_error (error, INTAKE_SUBMISSION_ERROR, INTAKE_SUBMISSION_ERROR_UNSUPPORTED_STAFF_LANGUAGE,
                   /* Translators: the questionnaire's id, its version and a language code. */
                   _("questionnaire %s version %u has no texts in \"%s\""),
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire), staff_language);
      return NULL;
    }

  answers = intake_submission_dup_answers (self, questionnaire, error);
  if (answers == NULL)
    return NULL;

  n_questions = intake_questionnaire_get_n_questions (questionnaire);
  for (guint i = 0; i < n_questions; i++)
    if (intake_submission_get_state (self, intake_questionnaire_get_question (questionnaire, i)->code) !=
        INTAKE_SUBMISSION_NOT_SHOWN)
      n_rows++;

  rendering = rendering_new (self, staff_language, n_rows);
  resident_language = intake_questionnaire_lookup_language (questionnaire, intake_submission_get_language (self));
  rendering->questionnaire_title = g_strdup (intake_questionnaire_get_title (questionnaire, staff_language));
  rendering->language_autonym = g_strdup (resident_language->name);
  rendering->language_draft = !resident_language->reviewed;

  for (guint i = 0, r = 0; i < n_questions; i++)
    {
      const IntakeQuestion *q = intake_questionnaire_get_question (questionnaire, i);
      const IntakeSection *section = intake_questionnaire_get_section (questionnaire, q->section);
      IntakeSubmissionState state = intake_submission_get_state (self, q->code);
      const IntakeAnswer *answer = g_ptr_array_index (answers, i);
      IntakeRenderedRow *row;

      if (state == INTAKE_SUBMISSION_NOT_SHOWN)
        continue;

      row = &rendering->rows[r++];
      row->code = g_strdup (q->code);
      row->type = q->type;
      row->section_code = g_strdup (section->code);
      row->section_title = g_strdup (intake_text_get (section->title, staff_language));
      row->question_text = g_strdup (intake_text_get (q->text, staff_language));

      /* A skipped question has no answer: the words say "skipped". */
      row->answer_text = intake_answer_format (q, answer, staff_language, &words);
      switch (state)
        {
        case INTAKE_SUBMISSION_DECLINED:
          row->state = INTAKE_ROW_DECLINED;
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          row->state = INTAKE_ROW_SKIPPED;
          break;
        case INTAKE_SUBMISSION_ANSWERED:
          row->state = INTAKE_ROW_ANSWERED;
          g_assert (answer != NULL);
          if (q->type == INTAKE_QUESTION_TYPE_MULTIPLE_CHOICE)
            {
              GPtrArray *items = g_ptr_array_new ();

              for (guint k = 0; k < q->n_options; k++)
                if (intake_answer_has_choice (answer, q->options[k].code))
                  g_ptr_array_add (items, g_strdup (intake_text_get (q->options[k].label, staff_language)));
              g_ptr_array_add (items, NULL);
              row->answer_items = (char **) g_ptr_array_free (items, FALSE);
            }
          /* The language is named only where it is known (the text is in
           * the script of the session's language), and only when it is not
           * the staff's own. */
          if (q->type == INTAKE_QUESTION_TYPE_SHORT_TEXT && q->text_kind == INTAKE_TEXT_KIND_TEXT &&
              g_strcmp0 (intake_submission_get_language (self), staff_language) != 0 &&
              intake_staff_text_in_language (intake_answer_get_string (answer), intake_submission_get_language (self)))
            {
              row->text_language = g_strdup (intake_submission_get_language (self));
              row->text_language_name = g_strdup (rendering->language_name);
            }
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
        default:
          g_assert_not_reached ();
        }
    }

  return rendering;
}

IntakeRendering *
intake_submission_render_raw (IntakeSubmission *self,
                              const char       *staff_language)
{
  g_autoptr(GPtrArray) codes = NULL;
  IntakeAnswerWords words = intake_staff_answer_words ();
  IntakeRendering *rendering;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (self), NULL);

  codes = intake_submission_list_codes (self);
  rendering = rendering_new (self, staff_language != NULL ? staff_language : "nl", codes->len);
  rendering->raw = TRUE;

  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);
      IntakeRenderedRow *row = &rendering->rows[i];
      GString *value;

      row->code = g_strdup (code);
      row->question_text = g_strdup (code);
      switch (intake_submission_get_state (self, code))
        {
        case INTAKE_SUBMISSION_DECLINED:
          row->state = INTAKE_ROW_DECLINED;
          row->answer_text = g_strdup (words.declined);
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          row->state = INTAKE_ROW_SKIPPED;
          row->answer_text = g_strdup (words.not_answered);
          break;
        case INTAKE_SUBMISSION_ANSWERED:
          row->state = INTAKE_ROW_ANSWERED;
          value = g_string_new (NULL);
          intake_submission_append_value_text (self, code, value);
          row->answer_text = g_string_free (value, FALSE);
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
        default:
          g_assert_not_reached ();
        }
    }
  return rendering;
}

/* intake-subject-access.c: every submission of one resident, in one document (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server cannot search names (they are sealed to the office key), so
 * this opens every submission within the privacy officer's scope here, one
 * at a time, keeps those whose folded name and exact date of birth are the
 * resident's, and drops the others at once (IntakeSubmission wipes its
 * strings). Nothing is logged of what was opened; the copies made to compare
 * names are in memory that is wiped.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-protocol.h"
#include "intake-rendering.h"
#include "intake-secure.h"
#include "intake-staff-words.h"
#include "intake-subject-access.h"

G_DEFINE_QUARK (intake-subject-access-error-quark, intake_subject_access_error)

/* ------------------------------------------------------------------ */
/* Comparing names and dates of birth                                   */

static int
compare_parts (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

char *
intake_subject_access_fold_name (const char *name)
{
  g_autoptr(IntakeSecureStr) decomposed = NULL;
  g_autoptr(IntakeSecureString) bare = NULL;
  g_autoptr(IntakeSecureStr) folded = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(IntakeSecureString) out = NULL;
  gsize folded_len;
  char *start;

  g_return_val_if_fail (name != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL) || !(decomposed = g_utf8_normalize (name, -1, G_NORMALIZE_NFKD)))
    return NULL;
  /* Accents and vowel signs are marks of their own after decomposition:
   * "Fátima" and "Fatima" are one name at a counter. Hyphens and commas
   * ("El Amrani, Fatima") separate parts like spaces. */
  bare = g_string_new (NULL);
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      g_string_append_unichar (bare, (c == '-' || c == ',' || g_unichar_isspace (c)) ? ' ' : c);
    }
  folded = g_utf8_casefold (bare->str, -1);
  folded_len = strlen (folded);

  /* The parts in any order: a first and a family name swapped on a form,
   * or one name only, still meet. */
  parts = g_ptr_array_new ();
  for (char *p = start = folded; ; p++)
    {
      if (*p == ' ' || *p == '\0')
        {
          gboolean end = *p == '\0';

          *p = '\0';
          if (*start != '\0')
            g_ptr_array_add (parts, start);
          if (end)
            break;
          start = p + 1;
        }
    }
  g_ptr_array_sort (parts, compare_parts);
  out = g_string_new (NULL);
  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, g_ptr_array_index (parts, i));
    }
  /* The parts were cut in place: wipe all of it, not up to the first cut. */
  intake_secure_wipe (folded, folded_len);
  return parts->len > 0 ? g_strdup (out->str) : NULL;
}

static gboolean
two_digits (const char *p,
            guint      *out)
{
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
    return FALSE;
  *out = (guint)(p[0] - '0') * 10 + (guint)(p[1] - '0');
  return TRUE;
}

char *
intake_subject_access_parse_birth_date (const char  *text,
                                        GError     **error)
{
  g_autofree char *trimmed = NULL;
  guint day = 0, month = 0, year = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  if (strlen (trimmed) == 10)
    {
      const char *t = trimmed;
      guint century = 0, rest = 0;

      if (strchr ("-/.", t[2]) != NULL && t[5] == t[2] && two_digits (t, &day) && two_digits (t + 3, &month) &&
          two_digits (t + 6, &century) && two_digits (t + 8, &rest))
        ok = TRUE, year = century * 100 + rest;
      else if (t[4] == '-' && t[7] == '-' && two_digits (t, &century) && two_digits (t + 2, &rest) &&
               two_digits (t + 5, &month) && two_digits (t + 8, &day))
        ok = TRUE, year = century * 100 + rest;
    }
  /* 00 is the register's unknown day or month; a known day in an unknown
   * month is not a form the register (or the kiosk) writes. */
  if (ok)
    ok = year >= 1850 && year <= 2200 && month <= 12 && day <= 31 && !(month == 0 && day != 0) &&
         (day == 0 || g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year));
  if (!ok)
    {
      g_set_error (error, INTAKE_SUBJECT_ACCESS_ERROR, INTAKE_SUBJECT_ACCESS_ERROR_BAD_BIRTH_DATE,
                   _("Type the date of birth as dd-mm-yyyy, with 00 for an unknown day or month as registered "
                     "(00-07-1990)"));
      return NULL;
    }
  return g_strdup_printf ("%04u-%02u-%02u", year, month, day);
}

gboolean
intake_subject_access_matches (IntakeSubmission *submission,
                               const char       *folded_name,
                               const char       *birth_date)
{
  g_autoptr(IntakeSecureString) born = g_string_new (NULL);
  g_autoptr(IntakeSecureStr) name = NULL;
  g_autoptr(IntakeSecureStr) folded = NULL;

  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), FALSE);
  g_return_val_if_fail (folded_name != NULL && birth_date != NULL, FALSE);

  intake_submission_append_value_text (submission, "birth_date", born);
  if (!g_str_equal (born->str, birth_date))
    return FALSE;
  name = intake_submission_dup_display_name (submission);
  folded = intake_subject_access_fold_name (name);
  return folded != NULL && g_str_equal (folded, folded_name);
}

/* ------------------------------------------------------------------ */
/* The result                                                           */

typedef struct {
  IntakeSubmission *submission;
  IntakeReviewMeta *meta;
  GPtrArray        *notes;     /* IntakeReviewNote */
  JsonArray        *history;   /* the audit events, as the server gave them */
} Found;

static void
found_free (Found *found)
{
  g_clear_object (&found->submission);
  g_clear_pointer (&found->meta, intake_review_meta_free);
  g_clear_pointer (&found->notes, g_ptr_array_unref);
  g_clear_pointer (&found->history, json_array_unref);
  g_free (found);
}

static void
block_free (IntakeDocumentBlock *block)
{
  g_clear_pointer (&block->label, intake_secure_strfree);
  g_clear_pointer (&block->text, intake_secure_strfree);
  g_free (block);
}

struct _IntakeSubjectAccess
{
  GObject    parent_instance;

  char      *name;           /* as typed, secure */
  char      *birth_date;     /* jjjj-mm-dd */
  char      *made_by;
  GPtrArray *found;          /* Found */
  GPtrArray *document;       /* IntakeDocumentBlock */
  guint      n_searched;
};

G_DEFINE_FINAL_TYPE (IntakeSubjectAccess, intake_subject_access, G_TYPE_OBJECT)

static void
intake_subject_access_finalize (GObject *object)
{
  IntakeSubjectAccess *self = INTAKE_SUBJECT_ACCESS (object);

  g_clear_pointer (&self->name, intake_secure_strfree);
  g_clear_pointer (&self->birth_date, intake_secure_strfree);
  g_clear_pointer (&self->made_by, g_free);
  g_clear_pointer (&self->found, g_ptr_array_unref);
  g_clear_pointer (&self->document, g_ptr_array_unref);

  G_OBJECT_CLASS (intake_subject_access_parent_class)->finalize (object);
}

static void
intake_subject_access_class_init (IntakeSubjectAccessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_subject_access_finalize;
}

static void
intake_subject_access_init (IntakeSubjectAccess *self)
{
  self->found = g_ptr_array_new_with_free_func ((GDestroyNotify)found_free);
  self->document = g_ptr_array_new_with_free_func ((GDestroyNotify)block_free);
}

guint
intake_subject_access_get_n_submissions (IntakeSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (self), 0);
  return self->found->len;
}

const char *
intake_subject_access_get_key (IntakeSubjectAccess *self,
                               guint                index)
{
  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (self), NULL);
  g_return_val_if_fail (index < self->found->len, NULL);
  return ((Found *)g_ptr_array_index (self->found, index))->meta->key;
}

guint
intake_subject_access_get_n_searched (IntakeSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (self), 0);
  return self->n_searched;
}

GPtrArray *
intake_subject_access_get_document (IntakeSubjectAccess *self)
{
  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (self), NULL);
  return self->document;
}

/* ------------------------------------------------------------------ */
/* The document                                                         */

static void
add (IntakeSubjectAccess *self,
     IntakeDocumentKind   kind,
     const char          *label,
     const char          *text)
{
  IntakeDocumentBlock *block = g_new0 (IntakeDocumentBlock, 1);

  block->kind = kind;
  block->label = g_strdup (label);
  block->text = g_strdup (text != NULL && *text != '\0' ? text : "—");
  g_ptr_array_add (self->document, block);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = unix_seconds > 0 ? g_date_time_new_from_unix_local (unix_seconds) : NULL;

  return when != NULL ? g_date_time_format (when, "%d-%m-%Y %H:%M") : NULL;
}

static void
add_time_field (IntakeSubjectAccess *self,
                const char          *label,
                gint64               unix_seconds)
{
  g_autofree char *text = format_time (unix_seconds);

  if (text != NULL)
    add (self, INTAKE_DOCUMENT_FIELD, label, text);
}

static void
build_submission (IntakeSubjectAccess    *self,
                  IntakeQuestionnaireSet *questionnaires,
                  guint                   index,
                  const Found            *found)
{
  const IntakeReviewMeta *meta = found->meta;
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *language = NULL;
  IntakeQuestionnaire *questionnaire;
  const char *section = NULL;

  /* Translators: the heading of one submission in a subject access document. */
  heading = g_strdup_printf (_("Submission %u of %u: reference %s"), index + 1, self->found->len, meta->reference);
  add (self, INTAKE_DOCUMENT_HEADING, NULL, heading);

  questionnaire = intake_questionnaire_set_lookup_for_submission (questionnaires, found->submission, &error);
  if (questionnaire != NULL)
    rendering = intake_submission_render (found->submission, questionnaire, "nl", &error);
  if (rendering == NULL)
    rendering = intake_submission_render_raw (found->submission, "nl");

  add (self, INTAKE_DOCUMENT_FIELD, _("Reference"), meta->reference);
  add_time_field (self, _("Filled in at the kiosk"), meta->created_at);
  add_time_field (self, _("Received"), meta->received_at);
  add (self, INTAKE_DOCUMENT_FIELD, _("Location"), meta->location);
  add (self, INTAKE_DOCUMENT_FIELD, _("Kiosk"), meta->device_id);
  if (rendering->questionnaire_title != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("%s, version %u"), rendering->questionnaire_title,
                                                rendering->questionnaire_version);

      add (self, INTAKE_DOCUMENT_FIELD, _("Questionnaire"), title);
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("%s, version %u"), meta->questionnaire_id,
                                                meta->questionnaire_version);

      add (self, INTAKE_DOCUMENT_FIELD, _("Questionnaire"), title);
    }
  language = rendering->language_autonym != NULL
             ? g_strdup_printf ("%s (%s)", rendering->language_name, rendering->language_autonym)
             : g_strdup (rendering->language_name ? rendering->language_name : rendering->language);
  add (self, INTAKE_DOCUMENT_FIELD, _("Resident’s language"), language);
  add (self, INTAKE_DOCUMENT_FIELD, _("State"), intake_review_state_label (meta->state));
  add (self, INTAKE_DOCUMENT_FIELD, _("Unit"), meta->unit != NULL && *meta->unit ? meta->unit : _("none"));
  add (self, INTAKE_DOCUMENT_FIELD, _("Assigned to"),
       meta->assignee != NULL && *meta->assignee ? meta->assignee : _("nobody"));
  add_time_field (self, _("Conversation on"), meta->appointment_at);
  if (meta->updated_at > 0)
    {
      g_autofree char *when = format_time (meta->updated_at);
      /* Translators: when the handling was last changed, and by whom. */
      g_autofree char *changed = g_strdup_printf (_("%s by %s"), when,
                                                  meta->updated_by != NULL && *meta->updated_by
                                                  ? meta->updated_by : "?");

      add (self, INTAKE_DOCUMENT_FIELD, _("Last changed"), changed);
    }

  add (self, INTAKE_DOCUMENT_SECTION, NULL, _("All answers"));
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      const IntakeRenderedRow *row = &rendering->rows[i];

      if (row->section_title != NULL && g_strcmp0 (row->section_title, section) != 0)
        add (self, INTAKE_DOCUMENT_SMALL, NULL, row->section_title);
      section = row->section_title;
      add (self, INTAKE_DOCUMENT_ENTRY, row->question_text, row->answer_text);
      if (row->text_language_name != NULL)
        {
          g_autofree char *written = g_strdup_printf (_("Written in %s; not translated"), row->text_language_name);

          add (self, INTAKE_DOCUMENT_SMALL, NULL, written);
        }
    }

  add (self, INTAKE_DOCUMENT_SECTION, NULL, _("Notes"));
  if (found->notes == NULL || found->notes->len == 0)
    add (self, INTAKE_DOCUMENT_TEXT, NULL, _("No notes."));
  for (guint i = 0; found->notes != NULL && i < found->notes->len; i++)
    {
      const IntakeReviewNote *note = g_ptr_array_index (found->notes, i);
      g_autofree char *when = format_time (note->created_at);
      g_autofree char *who = g_strdup_printf ("%s — %s", when != NULL ? when : "?",
                                              note->reviewer != NULL ? note->reviewer : "?");

      add (self, INTAKE_DOCUMENT_ENTRY, who, (const char *)note->text->data);
    }

  add (self, INTAKE_DOCUMENT_SECTION, NULL, _("Who handled or opened it"));
  for (guint i = 0; found->history != NULL && i < json_array_get_length (found->history); i++)
    {
      JsonObject *event = json_array_get_object_element (found->history, i);
      const char *actor, *action, *result;
      g_autofree char *words = NULL;
      g_autofree char *when = NULL;

      if (event == NULL || !(actor = json_object_get_string_member_with_default (event, "actor", NULL)) ||
          !(action = json_object_get_string_member_with_default (event, "action", NULL)) ||
          !(result = json_object_get_string_member_with_default (event, "result", NULL)))
        continue;
      when = format_time (json_object_get_int_member_with_default (event, "time", 0));
      words = intake_staff_audit_words (actor, action, result);
      add (self, INTAKE_DOCUMENT_FIELD, when != NULL ? when : "?", words);
    }
}

static void
build_document (IntakeSubjectAccess    *self,
                IntakeQuestionnaireSet *questionnaires)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *made_on = g_date_time_format (now, "%d-%m-%Y %H:%M");
  g_autofree char *born = g_strdup_printf ("%.2s-%.2s-%.4s", self->birth_date + 8, self->birth_date + 5,
                                           self->birth_date);
  g_autofree char *count = g_strdup_printf ("%u", self->found->len);

  /* Translators: the title of the document for a resident's request to see
   * everything the municipality holds about them (AVG/GDPR article 15). */
  add (self, INTAKE_DOCUMENT_TITLE, NULL, _("Subject access request (GDPR article 15)"));
  add (self, INTAKE_DOCUMENT_FIELD, _("Name"), self->name);
  add (self, INTAKE_DOCUMENT_FIELD, _("Date of birth"), born);
  add (self, INTAKE_DOCUMENT_FIELD, _("Made on"), made_on);
  add (self, INTAKE_DOCUMENT_FIELD, _("Made by"), self->made_by);
  add (self, INTAKE_DOCUMENT_FIELD, _("Submissions found"), count);
  add (self, INTAKE_DOCUMENT_TEXT, NULL,
       _("This document holds everything the intake system stores about these submissions: every answer "
         "as given at the kiosk, the notes staff wrote, how each was handled (state, unit, who it was assigned "
         "to, appointments) and every time staff opened, changed or exported it."));
  add (self, INTAKE_DOCUMENT_TEXT, NULL,
       _("Requests for help made at a kiosk are stored without a name (only time, place and language) and "
         "cannot be linked to a person; they are therefore not in this document."));
  if (self->found->len == 0)
    add (self, INTAKE_DOCUMENT_TEXT, NULL,
         _("No submission with this name and date of birth was found."));
  for (guint i = 0; i < self->found->len; i++)
    build_submission (self, questionnaires, i, g_ptr_array_index (self->found, i));
}

gboolean
intake_subject_access_write_text (IntakeSubjectAccess *self,
                                  const char          *path,
                                  GError             **error)
{
  g_autoptr(IntakeSecureString) text = g_string_new (NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;

  g_return_val_if_fail (INTAKE_IS_SUBJECT_ACCESS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < self->document->len; i++)
    {
      const IntakeDocumentBlock *block = g_ptr_array_index (self->document, i);
      glong width = g_utf8_strlen (block->text, -1);

      switch (block->kind)
        {
        case INTAKE_DOCUMENT_TITLE:
        case INTAKE_DOCUMENT_HEADING:
          g_string_append_printf (text, "%s%s\n", i > 0 ? "\n\n" : "", block->text);
          for (glong j = 0; j < width; j++)
            g_string_append_c (text, block->kind == INTAKE_DOCUMENT_TITLE ? '=' : '-');
          g_string_append (text, "\n\n");
          break;
        case INTAKE_DOCUMENT_SECTION:
          g_string_append_printf (text, "\n%s\n\n", block->text);
          break;
        case INTAKE_DOCUMENT_FIELD:
          g_string_append_printf (text, "%s: %s\n", block->label, block->text);
          break;
        case INTAKE_DOCUMENT_ENTRY:
          g_string_append_printf (text, "%s\n    %s\n", block->label, block->text);
          break;
        case INTAKE_DOCUMENT_TEXT:
          g_string_append_printf (text, "\n%s\n", block->text);
          break;
        case INTAKE_DOCUMENT_SMALL:
        default:
          g_string_append_printf (text, "  (%s)\n", block->text);
          break;
        }
    }

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), text->str, text->len, NULL, NULL, error))
    {
      /* No half-written file with a resident's answers stays behind. */
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

/* ------------------------------------------------------------------ */
/* Collecting                                                           */

typedef struct {
  IntakeSubjectAccess         *result;
  IntakeQuestionnaireSet      *questionnaires;
  char                        *folded_name;   /* secure */
  IntakeReviewFilter           filter;
  GPtrArray                   *keys;          /* char *: every submission within scope */
  guint                        next;
  guint                        next_history;
  IntakeSubjectAccessProgress  progress;
  gpointer                     progress_data;
} CollectData;

static void
collect_data_free (CollectData *data)
{
  g_clear_object (&data->result);
  g_clear_object (&data->questionnaires);
  g_clear_pointer (&data->folded_name, intake_secure_strfree);
  g_clear_pointer (&data->keys, g_ptr_array_unref);
  g_free (data);
}

static void collect_next (GTask *task);
static void history_next (GTask *task);

static void
recorded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CollectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Not recorded, not written: the caller gets the refusal, not the document. */
  if (!intake_review_client_report_event_finish (INTAKE_REVIEW_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  build_document (data->result, data->questionnaires);
  g_task_return_pointer (task, g_object_ref (data->result), g_object_unref);
}

/* Takes @task. */
static void
history_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  CollectData *data = g_task_get_task_data (task);
  Found *found = g_ptr_array_index (data->result->found, data->next_history);
  g_autoptr(GError) error = NULL;

  if (!(found->history = intake_review_client_audit_finish (INTAKE_REVIEW_CLIENT (source), result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  data->next_history++;
  history_next (task);
}

/* Takes @task: the access history of each submission found, then the event. */
static void
history_next (GTask *task)
{
  IntakeReviewClient *client = g_task_get_source_object (task);
  CollectData *data = g_task_get_task_data (task);
  g_autofree char *object = NULL;

  if (data->next_history < data->result->found->len)
    {
      Found *found = g_ptr_array_index (data->result->found, data->next_history);

      intake_review_client_audit_async (client, found->meta->key, g_task_get_cancellable (task), history_cb, task);
      return;
    }
  object = g_strdup_printf ("submissions=%u", data->result->found->len);
  intake_review_client_report_event_async (client, "subject_access", object, g_task_get_cancellable (task),
                                           recorded_cb, task);
}

/* Takes @task. */
static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  IntakeReviewClient *client = INTAKE_REVIEW_CLIENT (source);
  CollectData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) fetched = NULL;
  g_autoptr(GError) error = NULL;

  if (!(fetched = intake_review_client_fetch_many_finish (client, result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < fetched->len; i++)
    {
      IntakeReviewFetched *one = g_ptr_array_index (fetched, i);

      /* A document that leaves out a submission it cannot open would be wrong. */
      if (one->submission == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&one->error));
          g_object_unref (task);
          return;
        }
      intake_review_client_report_event_async (client, "decrypt", one->meta->key, NULL, NULL, NULL);
      data->result->n_searched++;
      if (intake_subject_access_matches (one->submission, data->folded_name, data->result->birth_date))
        {
          Found *found = g_new0 (Found, 1);

          found->submission = g_steal_pointer (&one->submission);
          found->meta = g_steal_pointer (&one->meta);
          found->notes = g_steal_pointer (&one->notes);
          g_ptr_array_add (data->result->found, found);
        }
      if (data->progress != NULL)
        data->progress (data->result->n_searched, data->keys->len, data->progress_data);
    }
  collect_next (task);
}

/* Takes @task: the submissions in batches of 100, one batch at a time. */
static void
collect_next (GTask *task)
{
  IntakeReviewClient *client = g_task_get_source_object (task);
  CollectData *data = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (data->next < data->keys->len)
    {
      guint n = MIN (data->keys->len - data->next, INTAKE_PROTOCOL_MAX_FETCH_KEYS);

      intake_review_client_fetch_many_async (client, (const char * const *)data->keys->pdata + data->next, n,
                                             g_task_get_cancellable (task), fetch_cb, task);
      data->next += n;
      return;
    }
  history_next (task);
}

/* Takes @task: every key within scope (metadata only). */
static void
keys_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  CollectData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *keys;

  if (!(keys = intake_review_client_list_keys_finish (INTAKE_REVIEW_CLIENT (source), result, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_unref (data->keys);
  data->keys = keys;
  collect_next (task);
}

/* The name as typed, for the document: runs of white space as one space. */
static char *
collapse_spaces (const char *name)
{
  g_autoptr(IntakeSecureStr) copy = g_strdup (name);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  for (char *p = copy; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      *p = ' ';
  parts = g_strsplit (copy, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] != '\0')
        g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", parts[i]);
      intake_secure_wipe (parts[i], strlen (parts[i]));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
intake_subject_access_collect_async (IntakeReviewClient          *client,
                                     IntakeQuestionnaireSet      *questionnaires,
                                     const char                  *name,
                                     const char                  *birth_date,
                                     IntakeSubjectAccessProgress  progress,
                                     gpointer                     progress_data,
                                     GCancellable                *cancellable,
                                     GAsyncReadyCallback          callback,
                                     gpointer                     user_data)
{
  GTask *task;
  CollectData *data;
  g_autoptr(GError) error = NULL;
  g_autofree char *parsed = NULL;

  g_return_if_fail (INTAKE_IS_REVIEW_CLIENT (client));
  g_return_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (questionnaires));
  g_return_if_fail (name != NULL && birth_date != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, intake_subject_access_collect_async);
  data = g_new0 (CollectData, 1);
  data->questionnaires = g_object_ref (questionnaires);
  data->progress = progress;
  data->progress_data = progress_data;
  data->keys = g_ptr_array_new_with_free_func (g_free);
  data->filter.limit = 500;
  data->result = g_object_new (INTAKE_TYPE_SUBJECT_ACCESS, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify)collect_data_free);

  if (!intake_review_client_is_unlocked (client))
    {
      g_task_return_new_error (task, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_LOCKED,
                               _("Unlock first with your name and password"));
      g_object_unref (task);
      return;
    }
  if (!(data->folded_name = intake_subject_access_fold_name (name)))
    {
      g_task_return_new_error (task, INTAKE_SUBJECT_ACCESS_ERROR, INTAKE_SUBJECT_ACCESS_ERROR_NO_NAME,
                               _("Type the resident’s name as on their ID"));
      g_object_unref (task);
      return;
    }
  if (!(parsed = intake_subject_access_parse_birth_date (birth_date, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  data->result->birth_date = g_steal_pointer (&parsed);
  data->result->name = collapse_spaces (name);
  data->result->made_by = g_strdup (intake_review_client_get_name (client));
  intake_review_client_list_keys_async (client, &data->filter, cancellable, keys_cb, task);
}

IntakeSubjectAccess *
intake_subject_access_collect_finish (IntakeReviewClient  *client,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

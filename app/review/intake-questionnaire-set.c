/* intake-questionnaire-set.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "intake-questionnaire-set.h"

G_DEFINE_QUARK (intake-questionnaire-set-error-quark, intake_questionnaire_set_error)

struct _IntakeQuestionnaireSet {
  GObject    parent_instance;

  GPtrArray *questionnaires;  /* IntakeQuestionnaire *, sorted by id then version */
};

G_DEFINE_FINAL_TYPE (IntakeQuestionnaireSet, intake_questionnaire_set, G_TYPE_OBJECT)

static void
intake_questionnaire_set_finalize (GObject *object)
{
  IntakeQuestionnaireSet *self = INTAKE_QUESTIONNAIRE_SET (object);

  g_clear_pointer (&self->questionnaires, g_ptr_array_unref);

  G_OBJECT_CLASS (intake_questionnaire_set_parent_class)->finalize (object);
}

static void
intake_questionnaire_set_class_init (IntakeQuestionnaireSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_questionnaire_set_finalize;
}

static void
intake_questionnaire_set_init (IntakeQuestionnaireSet *self)
{
  self->questionnaires = g_ptr_array_new_with_free_func (g_object_unref);
}

IntakeQuestionnaireSet *
intake_questionnaire_set_new (void)
{
  return g_object_new (INTAKE_TYPE_QUESTIONNAIRE_SET, NULL);
}

static int
compare_questionnaires (gconstpointer a,
                        gconstpointer b)
{
  IntakeQuestionnaire *qa = *(IntakeQuestionnaire * const *) a;
  IntakeQuestionnaire *qb = *(IntakeQuestionnaire * const *) b;
  int order = strcmp (intake_questionnaire_get_id (qa), intake_questionnaire_get_id (qb));

  if (order != 0)
    return order;
  return (intake_questionnaire_get_version (qa) > intake_questionnaire_get_version (qb)) -
         (intake_questionnaire_get_version (qa) < intake_questionnaire_get_version (qb));
}

static IntakeQuestionnaire *
find (IntakeQuestionnaireSet *self,
      const char             *id,
      guint32                 version)
{
  for (guint i = 0; i < self->questionnaires->len; i++)
    {
      IntakeQuestionnaire *q = g_ptr_array_index (self->questionnaires, i);

      if (strcmp (intake_questionnaire_get_id (q), id) == 0 &&
          intake_questionnaire_get_version (q) == version)
        return q;
    }
  return NULL;
}

gboolean
intake_questionnaire_set_add_builtin (IntakeQuestionnaireSet  *self,
                                      GError                 **error)
{
  g_autoptr(GPtrArray) versions = NULL;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), FALSE);

  if (!(versions = intake_questionnaire_list_builtin_versions (error)))
    return FALSE;
  for (guint i = 0; i < versions->len; i++)
    if (!intake_questionnaire_set_add (self, g_ptr_array_index (versions, i), error))
      return FALSE;
  return TRUE;
}

gboolean
intake_questionnaire_set_add (IntakeQuestionnaireSet  *self,
                              IntakeQuestionnaire     *questionnaire,
                              GError                 **error)
{
  IntakeQuestionnaire *existing;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), FALSE);
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE (questionnaire), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  existing = find (self, intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire));
  if (existing != NULL)
    {
      if (strcmp (intake_questionnaire_get_hash (existing),
                  intake_questionnaire_get_hash (questionnaire)) == 0)
        return TRUE;
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_CONFLICT,
                   _("questionnaire %s version %u is already loaded with other content (hash "
                     "%.12s…, not %.12s…); every published change needs a new version number"),
                   intake_questionnaire_get_id (questionnaire),
                   intake_questionnaire_get_version (questionnaire),
                   intake_questionnaire_get_hash (existing),
                   intake_questionnaire_get_hash (questionnaire));
      return FALSE;
    }

  g_ptr_array_add (self->questionnaires, g_object_ref (questionnaire));
  g_ptr_array_sort (self->questionnaires, compare_questionnaires);
  return TRUE;
}

GPtrArray *
intake_questionnaire_set_list_versions (IntakeQuestionnaireSet *self,
                                        const char             *id)
{
  GPtrArray *versions;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  versions = g_ptr_array_new ();
  for (guint i = 0; i < self->questionnaires->len; i++)
    {
      IntakeQuestionnaire *q = g_ptr_array_index (self->questionnaires, i);

      if (strcmp (intake_questionnaire_get_id (q), id) == 0)
        g_ptr_array_add (versions, q);
    }
  return versions;
}

guint
intake_questionnaire_set_get_n_questionnaires (IntakeQuestionnaireSet *self)
{
  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), 0);
  return self->questionnaires->len;
}

IntakeQuestionnaire *
intake_questionnaire_set_lookup (IntakeQuestionnaireSet  *self,
                                 const char              *id,
                                 guint32                  version,
                                 const char              *hash,
                                 GError                 **error)
{
  g_autoptr(GPtrArray) versions = NULL;
  IntakeQuestionnaire *q;

  g_return_val_if_fail (INTAKE_IS_QUESTIONNAIRE_SET (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (hash != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  q = find (self, id, version);
  if (q != NULL)
    {
      if (strcmp (intake_questionnaire_get_hash (q), hash) == 0)
        return q;
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_HASH_MISMATCH,
                   _("questionnaire %s version %u is loaded with hash %.12s…, but the submission "
                     "was made with hash %.12s…; the submission is shown as raw codes until the "
                     "exact questionnaire file is installed"),
                   id, version, intake_questionnaire_get_hash (q), hash);
      return NULL;
    }

  versions = intake_questionnaire_set_list_versions (self, id);
  if (versions->len == 0)
    {
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_ID,
                   _("no questionnaire \"%s\" is loaded; the submission is shown as raw codes until "
                     "it is installed"), id);
      return NULL;
    }
  else
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < versions->len; i++)
        g_string_append_printf (known, "%s%u", i > 0 ? ", " : "",
                                intake_questionnaire_get_version (g_ptr_array_index (versions, i)));
      g_set_error (error, INTAKE_QUESTIONNAIRE_SET_ERROR, INTAKE_QUESTIONNAIRE_SET_ERROR_UNKNOWN_VERSION,
                   _("questionnaire %s version %u is not loaded (loaded: %s); the submission is "
                     "shown as raw codes until that version is installed"), id, version, known->str);
      return NULL;
    }
}

IntakeQuestionnaire *
intake_questionnaire_set_lookup_for_submission (IntakeQuestionnaireSet  *self,
                                                IntakeSubmission        *submission,
                                                GError                 **error)
{
  g_return_val_if_fail (INTAKE_IS_SUBMISSION (submission), NULL);

  return intake_questionnaire_set_lookup (self, intake_submission_get_questionnaire_id (submission),
                                          intake_submission_get_questionnaire_version (submission),
                                          intake_submission_get_questionnaire_hash (submission),
                                          error);
}

/* intake-questionnaire-builtin.c: the questionnaire compiled into the programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file of its own so that only the programs that call it (the kiosk, the
 * review app, intake-admin) carry the questionnaire's bytes; intake-server
 * serves the one the office signed.
 */
#include "config.h"

#include "intake-core-resources.h"
#include "intake-questionnaire.h"

#define BUILTIN_DIR "/org/intakekiosk/core/questionnaires"
#define BUILTIN_QUESTIONNAIRE BUILTIN_DIR "/intake.json"
#define BUILTIN_HISTORY BUILTIN_DIR "/history"

IntakeQuestionnaire *
intake_questionnaire_new_builtin (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  /* Through the resource object itself, not the global registry: a static
   * library may leave out the object whose constructor would register it. */
  bytes = g_resource_lookup_data (intake_core_get_resource (), BUILTIN_QUESTIONNAIRE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  /* Its recordings are in the same resource, beside it. */
  return intake_questionnaire_new_from_bundle (bytes, "built-in questionnaire", NULL,
                                               intake_core_get_resource (), BUILTIN_DIR, error);
}

GPtrArray *
intake_questionnaire_list_builtin_versions (GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) names = NULL;
  IntakeQuestionnaire *current;

  names = g_resource_enumerate_children (intake_core_get_resource (), BUILTIN_HISTORY,
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_path ("/", BUILTIN_HISTORY, names[i], NULL);
      g_autoptr(GBytes) bytes = NULL;
      IntakeQuestionnaire *questionnaire;

      if (!(bytes = g_resource_lookup_data (intake_core_get_resource (), path,
                                            G_RESOURCE_LOOKUP_FLAGS_NONE, error)) ||
          !(questionnaire = intake_questionnaire_new_from_bundle (bytes, names[i], NULL,
                                                                  intake_core_get_resource (),
                                                                  BUILTIN_DIR, error)))
        return NULL;
      g_ptr_array_add (list, questionnaire);
    }
  if (!(current = intake_questionnaire_new_builtin (error)))
    return NULL;
  g_ptr_array_add (list, current);
  return g_steal_pointer (&list);
}

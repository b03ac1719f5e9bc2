/* fuzz-signed-questionnaire.c: signed questionnaire files (app/core/intake-signed-questionnaire.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a signed questionnaire file ({"canonical", "signature"}):
 * read and verified against the fuzzing office key as the kiosk and the
 * server read one. Then its canonical bytes are signed with that key, so
 * that the strict loader behind the signature check is reached as well.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-signed-questionnaire.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_write_file ("signed.json", data, size);
  g_autoptr(IntakeSignedQuestionnaire) loaded = NULL;
  g_autoptr(IntakeSignedQuestionnaire) parsed = NULL;
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(GError) error = NULL;

  if (!(loaded = intake_signed_questionnaire_load (path, fuzz_office_public (), &error)))
    g_assert (error != NULL);
  else
    g_assert (loaded->id != NULL && loaded->hash != NULL);
  g_clear_error (&error);

  if (!(parsed = intake_signed_questionnaire_new_from_file (path, &error)))
    {
      g_assert (error != NULL && error->domain == INTAKE_SIGNED_QUESTIONNAIRE_ERROR);
      return 0;
    }
  intake_office_secret_sign (fuzz_office_secret (), "questionnaire", parsed->canonical, parsed->signature);
  if ((questionnaire = intake_signed_questionnaire_verify (parsed, fuzz_office_public (), "fuzz", &error)))
    {
      g_autoptr(JsonNode) node = intake_signed_questionnaire_to_json (parsed);
      g_autoptr(IntakeSignedQuestionnaire) again = NULL;

      g_assert (strcmp (parsed->hash, intake_questionnaire_get_hash (questionnaire)) == 0);
      again = intake_signed_questionnaire_new_from_json (json_node_get_object (node), &error);
      g_assert_no_error (error);
      g_assert (g_bytes_equal (again->canonical, parsed->canonical));
    }
  else
    g_assert (error != NULL);
  return 0;
}

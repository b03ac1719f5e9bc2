/* fuzz-json.c: the strict JSON validator (app/core/intake-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever intake_json_validate() accepts, json-glib must parse to a
 * value whose canonical form can be written (the tree the text means);
 * every refusal must carry a message with a path.
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "intake-canonical-json.h"
#include "intake-json.h"

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
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (!intake_json_parse_untrusted (parser, (const char *) data, size, INTAKE_JSON_MAX_DEPTH, &error))
    {
      g_assert (error != NULL && error->domain == INTAKE_JSON_ERROR);
      g_assert (strstr (error->message, "$") != NULL);
      g_clear_error (&error);
      g_assert (!intake_json_validate_at ((const char *) data, size, INTAKE_JSON_MAX_DEPTH, &path, &error));
      g_assert (path != NULL && path[0] == '$');
      return 0;
    }
  g_assert (json_parser_get_root (parser) != NULL);
  {
    g_autoptr(GError) canonical_error = NULL;
    gsize len = 0;
    g_autofree char *canonical = intake_canonical_json_serialize (json_parser_get_root (parser), &len,
                                                                  &canonical_error);

    /* Doubles are refused by the canonical form; anything else it writes,
     * and what it writes is strict JSON again. */
    if (canonical != NULL)
      g_assert (intake_json_validate (canonical, len, INTAKE_JSON_MAX_DEPTH + 1, NULL));
  }
  return 0;
}

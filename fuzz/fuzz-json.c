/* fuzz-json.c: the strict JSON validator (app/core/intake-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever intake_json_validate() accepts, json-glib must parse to a
 * value whose canonical form can be written (the tree the text means);
 * every refusal must carry a message with a path. Whatever the upload
 * body's one-pass reader (intake_json_scan_base64_list()) accepts, the
 * full parse accepts too and reads to the same list.
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
  g_autoptr(GPtrArray) scanned = intake_json_scan_base64_list ((const char *) data, size, "envelopes", G_MAXUINT);

  if (!intake_json_parse_untrusted (parser, (const char *) data, size, INTAKE_JSON_MAX_DEPTH, &error))
    {
      g_assert (scanned == NULL);
      g_assert (error != NULL && error->domain == INTAKE_JSON_ERROR);
      g_assert (strstr (error->message, "$") != NULL);
      g_clear_error (&error);
      g_assert (!intake_json_validate_at ((const char *) data, size, INTAKE_JSON_MAX_DEPTH, &path, &error));
      g_assert (path != NULL && path[0] == '$');
      return 0;
    }
  g_assert (json_parser_get_root (parser) != NULL);
  if (scanned != NULL)
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      JsonArray *array = json_object_get_array_member (object, "envelopes");

      g_assert (json_object_get_size (object) == 1);
      g_assert (json_array_get_length (array) == scanned->len);
      for (guint i = 0; i < scanned->len; i++)
        {
          GBytes *bytes = g_ptr_array_index (scanned, i);
          gsize len = 0;
          g_autofree guint8 *full = intake_base64_decode_strict (json_array_get_string_element (array, i), &len);

          g_assert ((bytes == NULL) == (full == NULL));
          g_assert (bytes == NULL || (g_bytes_get_size (bytes) == len &&
                                      memcmp (g_bytes_get_data (bytes, NULL), full, len) == 0));
        }
    }
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

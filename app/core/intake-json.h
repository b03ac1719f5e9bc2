/* intake-json.h: parsing JSON that came from outside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json-glib's parser recurses once per nesting level, so a small body of
 * brackets ("[[[[...") overflows the stack. Request bodies and server
 * answers never nest deeply; this is their limit. */
#define INTAKE_JSON_MAX_DEPTH 64

/* Checks that @data nests at most @max_depth arrays/objects deep (strings
 * and escapes are skipped correctly), then parses it with @parser. Errors:
 * JSON_PARSER_ERROR (JSON_PARSER_ERROR_PARSE for too deep, with a message
 * saying so, or json-glib's own error). */
gboolean intake_json_parse_untrusted (JsonParser  *parser,
                                      const char  *data,
                                      gsize        len,
                                      guint        max_depth,
                                      GError     **error);

/* Typed members: NULL / FALSE when @name is absent, null, or of another
 * JSON type (json-glib's own getters warn instead, which a malformed body
 * must never trigger). */
const char *intake_json_get_string (JsonObject  *object,
                                    const char  *name);
gboolean    intake_json_get_int    (JsonObject  *object,
                                    const char  *name,
                                    gint64      *out_value);

/* Decodes standard base64 with padding and nothing else (no whitespace,
 * no URL alphabet, no missing padding): g_base64_decode() accepts anything
 * and silently skips what it does not know. NULL when @text is NULL, empty
 * or not strictly base64. */
guint8     *intake_base64_decode_strict (const char *text,
                                         gsize      *out_len);
/* The member @name, strictly base64-decoded; NULL as above or when absent
 * or not a string. */
guint8     *intake_json_get_base64 (JsonObject  *object,
                                    const char  *name,
                                    gsize       *out_len);

G_END_DECLS

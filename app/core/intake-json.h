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

#define INTAKE_JSON_ERROR (intake_json_error_quark ())

/* Why a text is not strict JSON (RFC 8259, plus the limits below). Every
 * message names the line, the column and the JSON path ("$.envelopes[2]")
 * where the problem is. */
typedef enum {
  INTAKE_JSON_ERROR_SYNTAX,         /* not JSON: a missing comma, bracket, quote... */
  INTAKE_JSON_ERROR_EMPTY,          /* no value at all (json-glib gives a NULL root) */
  INTAKE_JSON_ERROR_TRAILING,       /* something after the value ("[1] [2]"; json-glib drops it) */
  INTAKE_JSON_ERROR_ENCODING,       /* not UTF-8, a raw NUL byte, or a byte order mark */
  INTAKE_JSON_ERROR_TOO_DEEP,       /* nested deeper than the caller's limit */
  INTAKE_JSON_ERROR_DUPLICATE_KEY,  /* a key twice in one object (json-glib keeps the last) */
  INTAKE_JSON_ERROR_COMMENT,        /* a comment (json-glib accepts block comments) */
  INTAKE_JSON_ERROR_SINGLE_QUOTE,   /* a 'string' (json-glib accepts it as key and value) */
  INTAKE_JSON_ERROR_NUMBER,         /* 0x10, 010, .5, 1., +1, or out of range (json-glib wraps) */
  INTAKE_JSON_ERROR_STRING,         /* a raw control character, an unknown escape, a lone surrogate */
  INTAKE_JSON_ERROR_NUL,            /* the escape \u0000 (json-glib cuts the string there) */
  INTAKE_JSON_ERROR_TYPE,           /* valid JSON, but a member is not of the type asked for */
} IntakeJsonError;

GQuark   intake_json_error_quark (void);

/* Checks that @data (@len bytes, no terminator needed) is one strict JSON
 * value: RFC 8259's grammar exactly, valid UTF-8, no duplicate keys (also
 * when spelled with escapes), no \u0000, integers that fit in 64 bits,
 * finite numbers, nesting at most @max_depth arrays/objects. Iterative, so
 * any input is safe. Errors: INTAKE_JSON_ERROR. */
gboolean intake_json_validate            (const char  *data,
                                          gsize        len,
                                          guint        max_depth,
                                          GError     **error);

/* The same, for callers with their own message format: the message is
 * "line L, column C: what" and *@out_path (when not NULL) the JSON path
 * where the problem is ("$" for the whole text), set on failure only. */
gboolean intake_json_validate_at         (const char  *data,
                                          gsize        len,
                                          guint        max_depth,
                                          char       **out_path,
                                          GError     **error);

/* intake_json_validate(), then json-glib parses @data into @parser (its
 * root is never NULL on success). Every JSON that crosses the network or
 * is read from a signed or key file goes through here. Errors:
 * INTAKE_JSON_ERROR. */
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
/* The same for @len bytes of @text (not NUL-terminated). */
guint8     *intake_base64_decode_strict_len (const char *text,
                                             gsize       len,
                                             gsize      *out_len);
/* An upload's body in one pass, without building a tree: when @data is a
 * JSON object with the one member @name, an array of strings of printable
 * ASCII without escapes, those strings strictly base64-decoded (GBytes *,
 * NULL for one that is not strict base64, and for every one past the first
 * @max_decoded, which are only counted), in order. NULL when @data has
 * any other shape, valid JSON or not: then parse it the full way
 * (intake_json_parse_untrusted()), which also says what is wrong. Every
 * body this accepts is strict JSON that the full way reads to the same
 * list. */
GPtrArray  *intake_json_scan_base64_list (const char *data,
                                          gsize       len,
                                          const char *name,
                                          guint       max_decoded);
/* The member @name, strictly base64-decoded; NULL as above or when absent
 * or not a string. */
guint8     *intake_json_get_base64 (JsonObject  *object,
                                    const char  *name,
                                    gsize       *out_len);
/* The member @name as an array of strictly base64 strings, decoded
 * (GBytes *); an empty array when absent. NULL with an error naming the
 * element when it is not such an array. */
GPtrArray  *intake_json_get_base64_list (JsonObject  *object,
                                         const char  *name,
                                         GError     **error);

G_END_DECLS

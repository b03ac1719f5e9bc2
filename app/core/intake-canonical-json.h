/* intake-canonical-json.h: the canonical JSON form used for hashes and submissions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define INTAKE_CANONICAL_JSON_ERROR (intake_canonical_json_error_quark ())

/**
 * IntakeCanonicalJsonError:
 * @INTAKE_CANONICAL_JSON_ERROR_NOT_INTEGER: a number that is not an integer
 *   (fractional, infinite or NaN); the canonical form only has integers
 * @INTAKE_CANONICAL_JSON_ERROR_INVALID_UTF8: a string or object key that is not valid UTF-8
 * @INTAKE_CANONICAL_JSON_ERROR_UNSUPPORTED: a node the canonical form cannot express
 *   (an empty node, or a value of a type other than string, integer, double or boolean)
 */
typedef enum {
  INTAKE_CANONICAL_JSON_ERROR_NOT_INTEGER,
  INTAKE_CANONICAL_JSON_ERROR_INVALID_UTF8,
  INTAKE_CANONICAL_JSON_ERROR_UNSUPPORTED,
} IntakeCanonicalJsonError;

GQuark  intake_canonical_json_error_quark  (void);

/* Serializes @node in the canonical form of docs/questionnaire.md ("Identity"):
 * object keys sorted by their UTF-8 bytes, no whitespace, minimal string
 * escaping, integers in plain decimal. A double with an integral value is
 * written as that integer; any other double is an error. The result is
 * NUL-terminated; its length (without the NUL) goes to @out_len when non-NULL.
 * The output is written once into memory of its final size (measured first),
 * so no partial copies are left behind in freed memory. */
char   *intake_canonical_json_serialize    (JsonNode   *node,
                                            gsize      *out_len,
                                            GError    **error);

/* Writes @str (NUL-terminated, valid UTF-8) as a canonical JSON string
 * literal, quotes included, to @out when @out is non-NULL, and returns the
 * number of bytes it takes either way. Lets other writers (the session
 * serializer) measure first and then fill exactly-sized secure memory. */
gsize   intake_canonical_json_write_string (const char *str,
                                            char       *out);

G_END_DECLS

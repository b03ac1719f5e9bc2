/* intake-strict-json-private.h: the strict reader of a submission's plaintext
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only IntakeSubmission uses it. It reads exactly the canonical JSON a kiosk
 * writes (docs/review.md, "Reading a submission") into nodes whose strings
 * are wiped when the nodes are freed. Errors are INTAKE_SUBMISSION_ERROR.
 */
#pragma once

#include <glib.h>

#include "intake-submission.h"

G_BEGIN_DECLS

typedef enum {
  INTAKE_STRICT_NULL,
  INTAKE_STRICT_BOOLEAN,
  INTAKE_STRICT_INTEGER,
  INTAKE_STRICT_STRING,
  INTAKE_STRICT_ARRAY,
  INTAKE_STRICT_OBJECT,
} IntakeStrictType;

typedef struct _IntakeStrictNode IntakeStrictNode;

struct _IntakeStrictNode {
  IntakeStrictType  type;
  char             *key;       /* when a member of an object */
  gboolean          boolean;
  gint64            integer;
  char             *string;
  GPtrArray        *children;  /* ARRAY, OBJECT: IntakeStrictNode * */
};

/* Reads one JSON value that fills @data exactly: PARSE, NOT_CANONICAL,
 * DUPLICATE_KEY, WRONG_TYPE (a fraction or exponent) or INVALID_VALUE (an
 * integer beyond 64 bits) with the byte offset in the message. */
IntakeStrictNode *intake_strict_json_read   (const char        *data,
                                             gsize              len,
                                             GError           **error);
/* Wipes every string of the tree. */
void              intake_strict_node_free   (IntakeStrictNode  *node);
/* The member @key of an OBJECT node, or NULL. */
IntakeStrictNode *intake_strict_node_member (IntakeStrictNode  *object,
                                             const char        *key);
/* "a string", "an integer", ... for messages. */
const char       *intake_strict_type_name   (IntakeStrictType   type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntakeStrictNode, intake_strict_node_free)

G_END_DECLS

/* intake-audit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "intake-audit.h"
#include "intake-canonical-json.h"
#include "intake-envelope.h"

/* Valid UTF-8, at most @max bytes, cut at a character boundary. */
static char *
clean_text (const char *text,
            gsize       max)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  const char *end;

  if (strlen (valid) <= max)
    return g_steal_pointer (&valid);
  end = valid + max;
  while (end > valid && (*end & 0xc0) == 0x80)
    end--;
  return g_strndup (valid, end - valid);
}

IntakeAuditEvent *
intake_audit_event_new (gint64      time,
                        const char *actor,
                        const char *action,
                        const char *object,
                        const char *result,
                        const char *origin)
{
  IntakeAuditEvent *event = g_new0 (IntakeAuditEvent, 1);

  event->time = time;
  event->actor = clean_text (actor, INTAKE_AUDIT_FIELD_MAX);
  event->action = clean_text (action, INTAKE_AUDIT_FIELD_MAX);
  event->object = clean_text (object, INTAKE_AUDIT_OBJECT_MAX);
  event->result = clean_text (result, INTAKE_AUDIT_FIELD_MAX);
  event->origin = clean_text (origin, INTAKE_AUDIT_FIELD_MAX);
  g_strlcpy (event->prev, INTAKE_AUDIT_ZERO_HASH, sizeof event->prev);
  return event;
}

IntakeAuditEvent *
intake_audit_event_copy (const IntakeAuditEvent *event)
{
  IntakeAuditEvent *copy;

  g_return_val_if_fail (event != NULL, NULL);

  copy = g_new0 (IntakeAuditEvent, 1);
  *copy = *event;
  copy->actor = g_strdup (event->actor);
  copy->action = g_strdup (event->action);
  copy->object = g_strdup (event->object);
  copy->result = g_strdup (event->result);
  copy->origin = g_strdup (event->origin);
  return copy;
}

void
intake_audit_event_free (IntakeAuditEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->actor);
  g_free (event->action);
  g_free (event->object);
  g_free (event->result);
  g_free (event->origin);
  g_free (event);
}

void
intake_audit_event_set_result (IntakeAuditEvent *event,
                               const char       *result)
{
  g_return_if_fail (event != NULL);

  g_free (event->result);
  event->result = clean_text (result, INTAKE_AUDIT_FIELD_MAX);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

char *
intake_audit_event_compute_hash (const IntakeAuditEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *canonical = NULL;
  guint8 digest[crypto_hash_sha256_BYTES];
  gsize len = 0;

  g_return_val_if_fail (event != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "action", event->action);
  add_string (builder, "actor", event->actor);
  add_string (builder, "object", event->object);
  add_string (builder, "origin", event->origin);
  add_string (builder, "prev", event->prev);
  add_string (builder, "result", event->result);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, event->seq);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, event->time);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  /* Text read back from a database may not be valid UTF-8 (an edited
   * row): hash the bytes as they are, which then cannot match. */
  canonical = intake_canonical_json_serialize (root, &len, NULL);
  if (canonical == NULL)
    return g_strdup ("invalid");
  crypto_hash_sha256 (digest, (const guint8 *)canonical, len);
  return intake_hex_encode (digest, sizeof digest);
}

void
intake_audit_event_chain (IntakeAuditEvent *event,
                          gint64            seq,
                          const char       *prev)
{
  g_autofree char *hash = NULL;

  g_return_if_fail (event != NULL);
  g_return_if_fail (prev != NULL && strlen (prev) == INTAKE_AUDIT_HASH_HEX_LEN);

  event->seq = seq;
  g_strlcpy (event->prev, prev, sizeof event->prev);
  hash = intake_audit_event_compute_hash (event);
  g_strlcpy (event->hash, hash, sizeof event->hash);
}

const char *
intake_audit_problem_to_string (IntakeAuditProblem problem)
{
  switch (problem)
    {
    case INTAKE_AUDIT_PROBLEM_NONE:
      return "intact";
    case INTAKE_AUDIT_PROBLEM_EDITED:
      return "edited";
    case INTAKE_AUDIT_PROBLEM_INSERTED:
      return "inserted";
    case INTAKE_AUDIT_PROBLEM_DELETED:
      return "deleted";
    default:
      g_assert_not_reached ();
    }
}

void
intake_audit_verifier_init (IntakeAuditVerifier *self)
{
  g_return_if_fail (self != NULL);

  memset (self, 0, sizeof *self);
  self->expected_seq = 1;
  g_strlcpy (self->expected_prev, INTAKE_AUDIT_ZERO_HASH, sizeof self->expected_prev);
  g_strlcpy (self->head_hash, INTAKE_AUDIT_ZERO_HASH, sizeof self->head_hash);
}

void
intake_audit_verifier_set_recorded_head (IntakeAuditVerifier *self,
                                         gint64               seq,
                                         const char          *hash)
{
  g_return_if_fail (self != NULL);

  self->have_recorded_head = TRUE;
  self->recorded_seq = seq;
  g_strlcpy (self->recorded_hash, hash != NULL ? hash : INTAKE_AUDIT_ZERO_HASH, sizeof self->recorded_hash);
}

void
intake_audit_verifier_clear (IntakeAuditVerifier *self)
{
  g_clear_pointer (&self->pending, intake_audit_event_free);
  g_clear_pointer (&self->detail, g_free);
}

static gboolean
report (IntakeAuditVerifier *self,
        IntakeAuditProblem   problem,
        gint64               bad_seq,
        char                *detail)
{
  self->problem = problem;
  self->bad_seq = bad_seq;
  g_free (self->detail);
  self->detail = detail;
  return FALSE;
}

/* Judges @r with the next event @n (NULL at the end) as look-ahead. */
static gboolean
evaluate (IntakeAuditVerifier    *self,
          const IntakeAuditEvent *r,
          const IntakeAuditEvent *n)
{
  g_autofree char *hash = intake_audit_event_compute_hash (r);
  gboolean hash_ok = g_str_equal (hash, r->hash);
  gboolean seq_ok = r->seq == self->expected_seq;
  gboolean prev_ok = g_str_equal (r->prev, self->expected_prev);

  if (self->have_recorded_head && r->seq > self->recorded_seq)
    return report (self, INTAKE_AUDIT_PROBLEM_INSERTED, r->seq,
                   g_strdup_printf ("seq %" G_GINT64_FORMAT " comes after the recorded head (seq %"
                                    G_GINT64_FORMAT "): it was added outside the server",
                                    r->seq, self->recorded_seq));

  /* Two rows pointing at the same predecessor: the one before was slipped in. */
  if (self->count > 0 && !prev_ok && g_str_equal (r->prev, self->last_prev))
    return report (self, INTAKE_AUDIT_PROBLEM_INSERTED, self->head_seq,
                   g_strdup_printf ("seq %" G_GINT64_FORMAT " links past seq %" G_GINT64_FORMAT
                                    " to the event before it: seq %" G_GINT64_FORMAT " was inserted",
                                    r->seq, self->head_seq, self->head_seq));

  if (seq_ok && prev_ok && hash_ok)
    {
      self->count++;
      self->head_seq = r->seq;
      g_strlcpy (self->head_hash, r->hash, sizeof self->head_hash);
      g_strlcpy (self->last_prev, r->prev, sizeof self->last_prev);
      g_strlcpy (self->expected_prev, r->hash, sizeof self->expected_prev);
      self->expected_seq = r->seq + 1;
      return TRUE;
    }

  /* The next row links to what we expected here: this row is foreign. */
  if (n != NULL && g_str_equal (n->prev, self->expected_prev))
    return report (self, INTAKE_AUDIT_PROBLEM_INSERTED, r->seq,
                   g_strdup_printf ("seq %" G_GINT64_FORMAT " is not part of the chain: the event "
                                    "after it links to the event before it", r->seq));
  if (r->seq > self->expected_seq)
    return report (self, INTAKE_AUDIT_PROBLEM_DELETED, self->expected_seq,
                   g_strdup_printf ("seq %" G_GINT64_FORMAT "%s is missing: the log jumps from seq %"
                                    G_GINT64_FORMAT " to %" G_GINT64_FORMAT, self->expected_seq,
                                    r->seq > self->expected_seq + 1 ? " and later" : "",
                                    self->expected_seq - 1, r->seq));
  if (r->seq < self->expected_seq)
    return report (self, INTAKE_AUDIT_PROBLEM_INSERTED, r->seq,
                   g_strdup_printf ("seq %" G_GINT64_FORMAT " appears twice", r->seq));
  if (!hash_ok)
    return report (self, INTAKE_AUDIT_PROBLEM_EDITED, r->seq,
                   g_strdup_printf ("the fields of seq %" G_GINT64_FORMAT " do not match its hash: "
                                    "the row was changed", r->seq));
  return report (self, INTAKE_AUDIT_PROBLEM_EDITED, self->count > 0 ? self->head_seq : r->seq,
                 g_strdup_printf ("seq %" G_GINT64_FORMAT " does not link to seq %" G_GINT64_FORMAT
                                  ": one of them was changed and its hash recomputed, or events "
                                  "were removed and renumbered", r->seq, r->seq - 1));
}

gboolean
intake_audit_verifier_feed (IntakeAuditVerifier    *self,
                            const IntakeAuditEvent *event)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (self->problem != INTAKE_AUDIT_PROBLEM_NONE)
    return FALSE;
  if (self->pending != NULL && !evaluate (self, self->pending, event))
    return FALSE;
  g_clear_pointer (&self->pending, intake_audit_event_free);
  self->pending = intake_audit_event_copy (event);
  return TRUE;
}

gboolean
intake_audit_verifier_finish (IntakeAuditVerifier *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->problem != INTAKE_AUDIT_PROBLEM_NONE)
    return FALSE;
  if (self->pending != NULL)
    {
      gboolean ok = evaluate (self, self->pending, NULL);

      g_clear_pointer (&self->pending, intake_audit_event_free);
      if (!ok)
        return FALSE;
    }
  if (self->have_recorded_head)
    {
      if (self->head_seq < self->recorded_seq)
        return report (self, INTAKE_AUDIT_PROBLEM_DELETED, self->head_seq + 1,
                       g_strdup_printf ("the log ends at seq %" G_GINT64_FORMAT ", but the recorded "
                                        "head is seq %" G_GINT64_FORMAT ": the newest events were removed",
                                        self->head_seq, self->recorded_seq));
      if (!g_str_equal (self->head_hash, self->recorded_hash))
        return report (self, INTAKE_AUDIT_PROBLEM_EDITED, self->head_seq,
                       g_strdup_printf ("seq %" G_GINT64_FORMAT " is not the event the recorded head "
                                        "names (its hash differs): it was replaced", self->head_seq));
    }
  return TRUE;
}

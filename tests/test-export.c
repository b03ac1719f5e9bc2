/* test-export.c: CSV and JSON export for the case systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "intake-canonical-json.h"
#include "intake-export.h"
#include "intake-session.h"
#include "intake-test-submission.h"
#include "intake-test-util.h"

/* ------------------------------------------------------------------ */
/* Helpers (as in test-submission.c)                                    */

/* Questionnaire JSON written with ' for " (none of the texts has an apostrophe). */
static IntakeQuestionnaire *
load_inline (const char *single_quoted)
{
  g_autofree char *json = g_strdelimit (g_strdup (single_quoted), "'", '"');
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  IntakeQuestionnaire *q = intake_questionnaire_new_from_bytes (bytes, "inline.json", &error);

  g_assert_no_error (error);
  return q;
}



#define LANGS "'languages':{'nl':{'name':'Nederlands','direction':'ltr','status':'reviewed'}," \
              "'ar':{'name':'العربية','direction':'rtl','status':'draft'}},"
#define T(nl, ar) "{'nl':'" nl "','ar':'" ar "'}"

/* Version 2 drops "pets", adds "hours" and relabels an option. */
static const char v1_json[] =
  "{'format':1,'id':'review-test','version':1,'source_language':'nl'," LANGS
  "'title':" T ("Proef", "تجربة") ","
  "'sections':[{'code':'main','title':" T ("Algemeen", "عام") ",'questions':["
  "{'code':'colour','type':'single_choice','text':" T ("Welke kleur?", "أي لون؟") ","
  " 'options':[{'code':'x','label':" T ("Oud label", "قديم") "},{'code':'y','label':" T ("Geel", "أصفر") "}]},"
  "{'code':'pets','type':'yes_no','rather_not_say':true,'text':" T ("Heeft u huisdieren?", "هل لديك حيوانات؟") "},"
  "{'code':'note','type':'short_text','max_length':100,'text':" T ("Nog iets?", "شيء آخر؟") "}"
  "]}]}";

static const char v2_json[] =
  "{'format':1,'id':'review-test','version':2,'source_language':'nl'," LANGS
  "'title':" T ("Proef", "تجربة") ","
  "'sections':[{'code':'main','title':" T ("Algemeen", "عام") ",'questions':["
  "{'code':'colour','type':'single_choice','text':" T ("Welke kleur?", "أي لون؟") ","
  " 'options':[{'code':'x','label':" T ("Nieuw label", "جديد") "},{'code':'y','label':" T ("Geel", "أصفر") "}]},"
  "{'code':'hours','type':'number','min':-10,'max':40,'text':" T ("Hoeveel uur?", "كم ساعة؟") "},"
  "{'code':'note','type':'short_text','max_length':100,'text':" T ("Nog iets?", "شيء آخر؟") "}"
  "]}]}";

typedef struct {
  IntakeQuestionnaire    *v1;
  IntakeQuestionnaire    *v2;
  IntakeQuestionnaireSet *set;
  GPtrArray              *submissions;
  GPtrArray              *plaintexts;
  IntakeExportMeta        metas[4];
  GDateTime              *received[2];
} Fixture;

static const IntakeTestSpec spec_a[] = { { "colour", "x" }, { "pets", "<declined>" }, { "note", "مرحبا, \"صديقي\"" } };
/* spec_b leaves pets and note skipped. */
static const IntakeTestSpec spec_b[] = { { "colour", "y" } };
static const IntakeTestSpec spec_c[] = { { "colour", "x" }, { "hours", "-5" }, { "note", "=SUM(A1:A2)" } };
static const IntakeTestSpec spec_d[] = { { "colour", "y" }, { "hours", "0" }, { "note", "#declined" } };

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char *plaintext = NULL;

  f->v1 = load_inline (v1_json);
  f->v2 = load_inline (v2_json);
  f->set = intake_questionnaire_set_new ();
  g_assert_true (intake_questionnaire_set_add (f->set, f->v2, &error));
  g_assert_true (intake_questionnaire_set_add (f->set, f->v1, &error));
  g_assert_no_error (error);

  f->submissions = g_ptr_array_new_with_free_func (g_object_unref);
  f->plaintexts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->submissions, intake_test_submit (f->v1, "ar", spec_a, G_N_ELEMENTS (spec_a), &plaintext));
  g_ptr_array_add (f->plaintexts, plaintext);
  g_ptr_array_add (f->submissions, intake_test_submit (f->v1, "nl", spec_b, G_N_ELEMENTS (spec_b), &plaintext));
  g_ptr_array_add (f->plaintexts, plaintext);
  g_ptr_array_add (f->submissions, intake_test_submit (f->v2, "nl", spec_c, G_N_ELEMENTS (spec_c), &plaintext));
  g_ptr_array_add (f->plaintexts, plaintext);
  g_ptr_array_add (f->submissions, intake_test_submit (f->v2, "nl", spec_d, G_N_ELEMENTS (spec_d), &plaintext));
  g_ptr_array_add (f->plaintexts, plaintext);

  f->received[0] = g_date_time_new_utc (2026, 11, 22, 10, 32, 0);
  /* A local time is written in UTC. */
  {
    g_autoptr(GTimeZone) cet = g_time_zone_new_offset (3600);

    f->received[1] = g_date_time_new (cet, 2026, 11, 22, 12, 0, 0);
  }
  f->metas[0] = (IntakeExportMeta) { "sub-1", "ABCD-1234", f->received[0], "Vaals, dorpshuis", "new", "SZMH" };
  f->metas[1] = (IntakeExportMeta) { "sub-2", "EFGH-5678", f->received[1], "Gulpen\r\nWittem", "=HYPERLINK(\"x\")", NULL };
  f->metas[2] = (IntakeExportMeta) { "sub-3", NULL, NULL, "@home", "+1", "-" };
  f->metas[3] = (IntakeExportMeta) { "sub-4", NULL, NULL, NULL, NULL, NULL };
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_ptr_array_unref (f->submissions);
  g_ptr_array_unref (f->plaintexts);
  g_assert_finalize_object (f->set);
  g_assert_finalize_object (f->v1);
  g_assert_finalize_object (f->v2);
  g_date_time_unref (f->received[0]);
  g_date_time_unref (f->received[1]);
}

static GBytes *
export_to_memory (Fixture             *f,
                  IntakeExportFormat   format,
                  IntakeExportFlags    flags)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_export_write (f->set, "review-test", format, flags, f->submissions,
                                      f->metas, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static char *
expected_csv (Fixture *f)
{
  const char *h1 = intake_questionnaire_get_hash (f->v1);
  const char *h2 = intake_questionnaire_get_hash (f->v2);
  const char *times = "2026-11-22T10:20:55Z,2026-11-22T10:31:07Z";

  return g_strdup_printf (
    "submission_id,reference_code,received_at,location,state,assigned_unit,questionnaire_id,"
    "questionnaire_version,questionnaire_hash,language,started_at,finished_at,colour,pets,note,hours\r\n"
    "sub-1,ABCD-1234,2026-11-22T10:32:00Z,\"Vaals, dorpshuis\",new,SZMH,review-test,1,%s,ar,%s,"
      "x,#declined,\"مرحبا, \"\"صديقي\"\"\",\r\n"
    "sub-2,EFGH-5678,2026-11-22T11:00:00Z,\"Gulpen\r\nWittem\",\"'=HYPERLINK(\"\"x\"\")\",,review-test,1,%s,nl,%s,"
      "y,#skipped,#skipped,\r\n"
    "sub-3,,,'@home,'+1,'-,review-test,2,%s,nl,%s,x,,'=SUM(A1:A2),-5\r\n"
    "sub-4,,,,,,review-test,2,%s,nl,%s,y,,'#declined,0\r\n",
    h1, times, h1, times, h2, times, h2, times);
}

/* ------------------------------------------------------------------ */
/* A small RFC 4180 reader, to read exports back                        */

typedef void (*RecordFunc) (guint n, char **fields, gpointer user_data);

/* Returns the number of records; FALSE in @ok for a malformed file. */
static guint64
read_csv (const char *data,
          gsize       len,
          RecordFunc  func,
          gpointer    user_data,
          gboolean   *ok)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  guint64 n_records = 0;
  gsize i = 0;

  *ok = TRUE;
  if (len == 0)
    return 0;
  while (i < len)
    {
      if (data[i] == '"')
        {
          i++;
          while (TRUE)
            {
              if (i >= len)
                {
                  *ok = FALSE;
                  return n_records;
                }
              if (data[i] == '"' && i + 1 < len && data[i + 1] == '"')
                {
                  g_string_append_c (field, '"');
                  i += 2;
                }
              else if (data[i] == '"')
                {
                  i++;
                  break;
                }
              else
                g_string_append_c (field, data[i++]);
            }
        }
      while (i < len && data[i] != ',' && data[i] != '\r')
        {
          if (data[i] == '"' || data[i] == '\n')
            {
              *ok = FALSE;
              return n_records;
            }
          g_string_append_c (field, data[i++]);
        }
      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (i < len && data[i] == ',')
        {
          i++;
          continue;
        }
      /* CRLF ends a record; a bare CR or a missing final CRLF is malformed. */
      if (i + 1 >= len || data[i] != '\r' || data[i + 1] != '\n')
        {
          *ok = FALSE;
          return n_records;
        }
      i += 2;
      g_ptr_array_add (fields, NULL);
      if (func != NULL)
        func (fields->len - 1, (char **) fields->pdata, user_data);
      g_ptr_array_set_size (fields, 0);
      n_records++;
    }
  return n_records;
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */

static void
test_columns (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExport) both = intake_export_new (f->set, "review-test", INTAKE_EXPORT_FORMAT_CSV, 0, &error);
  g_autoptr(IntakeQuestionnaireSet) only_v2 = intake_questionnaire_set_new ();
  g_autoptr(IntakeExport) newest = NULL;
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (intake_export_get_n_columns (both), ==, INTAKE_EXPORT_N_FIXED_COLUMNS + 4);
  joined = g_strjoinv (",", (char **) intake_export_get_columns (both));
  g_assert_cmpstr (joined, ==,
                   "submission_id,reference_code,received_at,location,state,assigned_unit,"
                   "questionnaire_id,questionnaire_version,questionnaire_hash,language,started_at,"
                   "finished_at,colour,pets,note,hours");
  g_clear_pointer (&joined, g_free);

  g_assert_true (intake_questionnaire_set_add (only_v2, f->v2, &error));
  newest = intake_export_new (only_v2, "review-test", INTAKE_EXPORT_FORMAT_CSV, 0, &error);
  g_assert_no_error (error);
  joined = g_strjoinv (",", (char **) intake_export_get_columns (newest) + INTAKE_EXPORT_N_FIXED_COLUMNS);
  g_assert_cmpstr (joined, ==, "colour,hours,note");
}

static void
test_csv_exact (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) bytes = export_to_memory (f, INTAKE_EXPORT_FORMAT_CSV, INTAKE_EXPORT_FLAGS_NONE);
  g_autofree char *expected = expected_csv (f);
  gsize len;
  const char *csv = g_bytes_get_data (bytes, &len);
  gboolean ok;

  g_assert_cmpmem (csv, len, expected, strlen (expected));
  g_assert_true (g_utf8_validate_len (csv, len, NULL));
  g_assert_cmpuint (read_csv (csv, len, NULL, NULL, &ok), ==, 5);
  g_assert_true (ok);
}

static void
test_csv_bom (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) bytes = export_to_memory (f, INTAKE_EXPORT_FORMAT_CSV, INTAKE_EXPORT_FLAGS_BOM);
  g_autofree char *body = expected_csv (f);
  g_autofree char *expected = g_strconcat ("\xEF\xBB\xBF", body, NULL);
  gsize len;
  const char *csv = g_bytes_get_data (bytes, &len);

  g_assert_cmpmem (csv, len, expected, strlen (expected));
}

static void
test_csv_empty (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const char *csv;

  g_assert_true (intake_export_write (f->set, "review-test", INTAKE_EXPORT_FORMAT_CSV, 0, none,
                                      NULL, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  csv = g_bytes_get_data (bytes, &len);
  g_assert_true (len > 2 && csv[len - 2] == '\r' && csv[len - 1] == '\n');
  g_assert_null (memchr (csv, '\n', len - 1));
}

static void
test_json_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) bytes = export_to_memory (f, INTAKE_EXPORT_FORMAT_JSON, 0);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *json = g_bytes_get_data (bytes, &len);
  JsonArray *rows;

  g_autofree char *first = g_strdup_printf (
    "[\n{\"submission_id\":\"sub-1\",\"reference_code\":\"ABCD-1234\",\"received_at\":\"2026-11-22T10:32:00Z\","
    "\"location\":\"Vaals, dorpshuis\",\"state\":\"new\",\"assigned_unit\":\"SZMH\","
    "\"questionnaire_id\":\"review-test\",\"questionnaire_version\":1,\"questionnaire_hash\":\"%s\","
    "\"language\":\"ar\",\"started_at\":\"2026-11-22T10:20:55Z\",\"finished_at\":\"2026-11-22T10:31:07Z\","
    "\"answers\":{\"colour\":\"x\",\"note\":\"مرحبا, \\\"صديقي\\\"\"},\"declined\":[\"pets\"],\"skipped\":[]},\n"
    "{\"submission_id\":\"sub-2\",", intake_questionnaire_get_hash (f->v1));

  g_assert_cmpmem (json, MIN (len, strlen (first)), first, strlen (first));
  g_assert_true (g_str_has_suffix (json, "}\n]\n"));
  g_assert_true (json_parser_load_from_data (parser, json, (gssize) len, &error));
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autoptr(JsonNode) session = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      JsonObject *identity = json_object_new ();
      g_autofree char *canonical = NULL;
      gsize canonical_len;

      /* Metadata. */
      g_assert_cmpstr (json_object_get_string_member (row, "submission_id"), ==, f->metas[i].submission_id);
      if (f->metas[i].reference_code == NULL)
        g_assert_true (json_object_get_null_member (row, "reference_code"));
      else
        g_assert_cmpstr (json_object_get_string_member (row, "reference_code"), ==, f->metas[i].reference_code);

      /* The session inside the row is the submission, byte for byte. */
      json_object_set_member (object, "answers", json_node_copy (json_object_get_member (row, "answers")));
      json_object_set_member (object, "declined", json_node_copy (json_object_get_member (row, "declined")));
      json_object_set_member (object, "skipped", json_node_copy (json_object_get_member (row, "skipped")));
      json_object_set_int_member (object, "format", 1);
      json_object_set_string_member (object, "language", json_object_get_string_member (row, "language"));
      json_object_set_string_member (object, "started_at", json_object_get_string_member (row, "started_at"));
      json_object_set_string_member (object, "finished_at", json_object_get_string_member (row, "finished_at"));
      json_object_set_string_member (identity, "hash", json_object_get_string_member (row, "questionnaire_hash"));
      json_object_set_string_member (identity, "id", json_object_get_string_member (row, "questionnaire_id"));
      json_object_set_int_member (identity, "version", json_object_get_int_member (row, "questionnaire_version"));
      json_object_set_object_member (object, "questionnaire", identity);
      json_node_take_object (session, object);

      canonical = intake_canonical_json_serialize (session, &canonical_len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (canonical, ==, g_ptr_array_index (f->plaintexts, i));
    }

  /* JSON keeps raw values: no guard, real types. */
  {
    JsonObject *c = json_object_get_object_member (json_array_get_object_element (rows, 2), "answers");
    JsonObject *b = json_array_get_object_element (rows, 1);

    g_assert_cmpstr (json_object_get_string_member (c, "note"), ==, "=SUM(A1:A2)");
    g_assert_cmpint (json_object_get_int_member (c, "hours"), ==, -5);
    g_assert_cmpstr (json_object_get_string_member (b, "state"), ==, "=HYPERLINK(\"x\")");
    g_assert_cmpstr (json_object_get_string_member (b, "received_at"), ==, "2026-11-22T11:00:00Z");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (b, "skipped"), 0), ==, "note");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (b, "skipped"), 1), ==, "pets");
  }
}

static void
test_json_empty (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (intake_export_write (f->set, "review-test", INTAKE_EXPORT_FORMAT_JSON, 0, none,
                                      NULL, out, NULL, &error));
  g_output_stream_close (out, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "[\n]\n", 4);
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExport) unknown = intake_export_new (f->set, "other-intake", INTAKE_EXPORT_FORMAT_CSV, 0, &error);
  g_autoptr(IntakeQuestionnaireSet) only_v1 = intake_questionnaire_set_new ();
  g_autoptr(IntakeExport) export = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(IntakeSubmission) stranger = NULL;
  g_autoptr(IntakeSubmission) extra_code = NULL;
  g_autofree char *stranger_json = NULL;
  g_autofree char *extra_json = NULL;

  g_assert_null (unknown);
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_QUESTIONNAIRE);
  g_clear_error (&error);

  g_assert_true (intake_questionnaire_set_add (only_v1, f->v1, &error));
  export = intake_export_new (only_v1, "review-test", INTAKE_EXPORT_FORMAT_CSV, 0, &error);
  g_assert_no_error (error);

  g_assert_false (intake_export_add (export, g_ptr_array_index (f->submissions, 0), NULL, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (intake_export_begin (export, out, NULL, &error));
  g_assert_false (intake_export_begin (export, out, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE);
  g_clear_error (&error);

  /* A version-2 submission while only version 1 is loaded. */
  g_assert_false (intake_export_add (export, g_ptr_array_index (f->submissions, 2), NULL, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_VERSION);
  g_clear_error (&error);

  stranger_json = g_strdup_printf ("{\"answers\":{},\"declined\":[],\"finished_at\":\"2026-11-22T10:31:07Z\","
                                   "\"format\":1,\"language\":\"nl\",\"questionnaire\":{\"hash\":\"%s\","
                                   "\"id\":\"other-intake\",\"version\":1},\"skipped\":[],"
                                   "\"started_at\":\"2026-11-22T10:20:55Z\"}",
                                   intake_questionnaire_get_hash (f->v1));
  stranger = intake_submission_new_from_data ((const guint8 *) stranger_json, strlen (stranger_json), &error);
  g_assert_no_error (error);
  g_assert_false (intake_export_add (export, stranger, NULL, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_OTHER_QUESTIONNAIRE);
  g_clear_error (&error);

  extra_json = g_strdup_printf ("{\"answers\":{\"shoe_size\":44},\"declined\":[],\"finished_at\":\"2026-11-22T10:31:07Z\","
                                "\"format\":1,\"language\":\"nl\",\"questionnaire\":{\"hash\":\"%s\","
                                "\"id\":\"review-test\",\"version\":1},\"skipped\":[],"
                                "\"started_at\":\"2026-11-22T10:20:55Z\"}",
                                intake_questionnaire_get_hash (f->v1));
  extra_code = intake_submission_new_from_data ((const guint8 *) extra_json, strlen (extra_json), &error);
  g_assert_no_error (error);
  g_assert_false (intake_export_add (export, extra_code, NULL, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_UNKNOWN_QUESTION);
  g_clear_error (&error);

  /* Refused rows leave nothing behind: the file holds the header and one good row. */
  g_assert_true (intake_export_add (export, g_ptr_array_index (f->submissions, 1), &f->metas[1], NULL, &error));
  g_assert_true (intake_export_end (export, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (intake_export_end (export, NULL, &error));
  g_assert_error (error, INTAKE_EXPORT_ERROR, INTAKE_EXPORT_ERROR_STATE);
  g_assert_cmpuint (intake_export_get_n_rows (export), ==, 1);
  {
    gboolean ok;
    gsize len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));

    g_assert_cmpuint (read_csv (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), len,
                                NULL, NULL, &ok), ==, 2);
    g_assert_true (ok);
  }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeExport) export = intake_export_new (f->set, "review-test", INTAKE_EXPORT_FORMAT_CSV, 0, &error);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_true (intake_export_begin (export, out, NULL, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (intake_export_add (export, g_ptr_array_index (f->submissions, 0), NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct {
  guint64 n;
  guint   bad_width;
  char   *last_id;
} Count;

static void
count_record_cb (guint    n,
                 char   **fields,
                 gpointer user_data)
{
  Count *count = user_data;

  if (n != INTAKE_EXPORT_N_FIXED_COLUMNS + 4)
    count->bad_width++;
  count->n++;
  g_free (count->last_id);
  count->last_id = g_strdup (fields[0]);
}

static void
test_csv_large_file (Fixture       *f,
                     gconstpointer  data)
{
  const guint n_rows = 100000;
  g_autofree char *dir = intake_test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);
  g_autoptr(IntakeExport) export = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  Count count = { 0 };
  gboolean ok;

  g_assert_no_error (error);
  export = intake_export_new (f->set, "review-test", INTAKE_EXPORT_FORMAT_CSV, INTAKE_EXPORT_FLAGS_BOM, &error);
  g_assert_true (intake_export_begin (export, G_OUTPUT_STREAM (out), NULL, &error));
  for (guint i = 0; i < n_rows; i++)
    {
      char id[32];
      IntakeExportMeta meta = f->metas[i % 4];

      g_snprintf (id, sizeof id, "sub-%u", i);
      meta.submission_id = id;
      if (!intake_export_add (export, g_ptr_array_index (f->submissions, i % 4), &meta, NULL, &error))
        break;
    }
  g_assert_no_error (error);
  g_assert_true (intake_export_end (export, NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_export_get_n_rows (export), ==, n_rows);

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "submission_id,"));
  g_assert_cmpuint (read_csv (contents + 3, len - 3, count_record_cb, &count, &ok), ==, n_rows + 1);
  g_assert_true (ok);
  g_assert_cmpuint (count.n, ==, n_rows + 1);
  g_assert_cmpuint (count.bad_width, ==, 0);
  g_assert_cmpstr (count.last_id, ==, "sub-99999");
  g_free (count.last_id);

  intake_test_rm_rf (dir);
}

static void
test_finalize (void)
{
  IntakeQuestionnaireSet *set = intake_questionnaire_set_new ();
  IntakeQuestionnaire *q = load_inline (v1_json);
  g_autoptr(GError) error = NULL;
  IntakeExport *export;

  g_assert_true (intake_questionnaire_set_add (set, q, &error));
  export = intake_export_new (set, "review-test", INTAKE_EXPORT_FORMAT_JSON, 0, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (export);
  g_assert_finalize_object (set);
  g_assert_finalize_object (q);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/review/export/columns", test_columns);
  ADD ("/review/export/csv/exact", test_csv_exact);
  ADD ("/review/export/csv/bom", test_csv_bom);
  ADD ("/review/export/csv/empty", test_csv_empty);
  ADD ("/review/export/csv/100000-rows", test_csv_large_file);
  ADD ("/review/export/json/round-trip", test_json_round_trip);
  ADD ("/review/export/json/empty", test_json_empty);
  ADD ("/review/export/errors", test_errors);
  ADD ("/review/export/cancel", test_cancel);
#undef ADD
  g_test_add_func ("/review/export/finalize", test_finalize);

  return g_test_run ();
}

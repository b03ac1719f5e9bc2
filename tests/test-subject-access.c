/* test-subject-access.c: every submission of one resident in one document, audited (docs/review.md, "Subject access")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real intake-server (SQLite, and PostgreSQL in the -pg twin) with a
 * privacy officer and a caseworker added by the real intake-admin. A kiosk
 * delivers submissions of the built-in questionnaire: two of Fatima El
 * Amrani (born 00-07-1990, an unknown day as registered), the second typed
 * in other case, with accents and a hyphen; one of a Fatima El Amrani born
 * on another day; and one of Jan de Vries. Each carries its own client number, so the document
 * shows which submissions it holds. The review client collects hers as the
 * privacy officer: exactly her two are in the document (with the note and
 * the history), the server's event names no one, and a caseworker is
 * refused (403 role_required) and nothing is written. Then the real review
 * window under Xvfb: the officer's "Inzageverzoek" page, driven through its
 * actions, saves the PDF (read back with pdftotext); the page is saved as a
 * PNG; a caseworker's window does not offer it. /review/fetch-many: the
 * client's batch fetch against the real server and, through a server in
 * front of it, an older one (no batch fetch) and one that defers keys.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "intake-audit.h"
#include "intake-crypto-error.h"
#include "intake-envelope.h"
#include "intake-review-pdf.h"
#include "intake-review-request.h"
#include "intake-review-subject-access.h"
#include "intake-review-window-private.h"
#include "intake-subject-access.h"
#include "intake-test-submission.h"
#include "intake-test-util.h"
#include "intake-workstation-store.h"
#include "test-server-util.h"

#define PRIVACY_OFFICER "Petra Smit"
#define CASEWORKER      "Anna de Vries"
#define PASSPHRASE      "lange zin voor het beoordelen"
#define NOTE_TEXT       "Belde over de taalcursus op dinsdag"

typedef struct {
  TestServer *server;
  char       *keys[4];   /* the submissions, in the order of residents[] */
} Env;

static Env env;

static const struct {
  const char *first, *last, *born, *client_number;
} residents[] = {
  { "Fatima", "El Amrani", "1990-07-00", "900001" },       /* hers */
  { "  FÁTIMA ", "el-amraní", "1990-07-00", "900002" },    /* hers, typed otherwise */
  { "Fatima", "El Amrani", "1990-07-15", "900003" },       /* the same name, another birth date */
  { "Jan", "de Vries", "1985-01-01", "900004" },           /* someone else */
};

/* ---- Helpers ----------------------------------------------------------- */

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static IntakeReviewClient *
unlocked_client (const char *name)
{
  IntakeReviewClient *client = intake_review_client_new (env.server->url);
  g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (PASSPHRASE, strlen (PASSPHRASE));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  intake_review_client_unlock_async (client, name, passphrase, NULL, result_cb, &result);
  g_assert_true (intake_review_client_unlock_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  return client;
}

static IntakeQuestionnaireSet *
builtin_questionnaires (void)
{
  IntakeQuestionnaireSet *set = intake_questionnaire_set_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (intake_questionnaire_set_add_builtin (set, &error));
  g_assert_no_error (error);
  return set;
}

static GPtrArray *
all_events (void)
{
  g_autoptr(IntakeStore) store = test_server_open_store (env.server);
  g_autoptr(GError) error = NULL;
  GPtrArray *events = intake_store_list_audit (store, NULL, 0, 100000, &error);

  g_assert_no_error (error);
  return events;
}

static const IntakeAuditEvent *
find_event (GPtrArray  *events,
            const char *actor,
            const char *action)
{
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->actor, actor) && g_str_equal (event->action, action))
        return event;
    }
  return NULL;
}

static TestResponse *
review_request (const IntakeReviewerKey *key,
                const char              *method,
                const char              *path,
                const char              *body_text)
{
  g_autofree char *url = g_strconcat (env.server->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = body_text != NULL ? g_bytes_new (body_text, strlen (body_text)) : NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  IntakeRequestAuth auth;
  TestResponse *response;

  intake_review_sign_request (key, method, path, body, g_get_real_time () / G_USEC_PER_SEC, &auth);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_headers_replace (headers, INTAKE_HEADER_REVIEWER, auth.device_id);
  soup_message_headers_replace (headers, INTAKE_HEADER_TIMESTAMP, auth.timestamp);
  soup_message_headers_replace (headers, INTAKE_HEADER_NONCE, auth.nonce);
  soup_message_headers_replace (headers, INTAKE_HEADER_SIGNATURE, auth.signature);
  response = test_send (env.server->session, msg);
  intake_request_auth_clear (&auth);
  return response;
}

/* The residents' submissions, sealed as a kiosk seals them and delivered
 * through the real upload route. */
static void
deliver_submissions (void)
{
  g_autoptr(TestKiosk) kiosk = test_kiosk_new_enrolled (env.server);
  g_autoptr(IntakeQuestionnaire) questionnaire = NULL;
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(TestResponse) response = NULL;

  questionnaire = intake_questionnaire_new_builtin (&error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (residents); i++)
    {
      const IntakeTestSpec specs[] = {
        { "first_name", residents[i].first }, { "last_name", residents[i].last },
        { "client_number", residents[i].client_number }, { "birth_date", residents[i].born },
      };
      g_autoptr(IntakeSubmission) submission = NULL;
      g_autofree char *plaintext = NULL;
      g_autofree char *id_hex = NULL;
      IntakeEnvelopeInfo info = { 0 };

      submission = intake_test_submit (questionnaire, "nl", specs, G_N_ELEMENTS (specs), &plaintext);
      intake_envelope_new_submission_id (info.submission_id);
      info.created_at = g_get_real_time () / G_USEC_PER_SEC - 3600 * (gint64)(G_N_ELEMENTS (residents) - i);
      info.questionnaire_id = intake_questionnaire_get_id (questionnaire);
      info.questionnaire_version = intake_questionnaire_get_version (questionnaire);
      memcpy (info.questionnaire_hash, intake_questionnaire_get_hash_bytes (questionnaire),
              sizeof info.questionnaire_hash);
      g_ptr_array_add (envelopes, intake_envelope_seal (env.server->office, kiosk->key, &info,
                                                        (const guint8 *)plaintext, strlen (plaintext), &error));
      g_assert_no_error (error);
      id_hex = g_malloc0 (2 * INTAKE_SUBMISSION_ID_BYTES + 1);
      for (guint j = 0; j < INTAKE_SUBMISSION_ID_BYTES; j++)
        g_snprintf (id_hex + 2 * j, 3, "%02x", info.submission_id[j]);
      env.keys[i] = g_strconcat (kiosk->device_id, "-", id_hex, NULL);
    }
  response = test_kiosk_upload (kiosk, env.server, envelopes);
  g_assert_cmpuint (response->status, ==, 200);
}

/* ---- Comparing ----------------------------------------------------------- */

static void
test_fold (void)
{
  const char *alike[] = { "Fatima El Amrani", "  FÁTIMA   el-amraní ", "el amrani, fatima", "Fatıma El Amrani" };
  g_autoptr(IntakeSecureStr) reference = intake_subject_access_fold_name ("Fatima El Amrani");
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;

  g_assert_cmpstr (reference, ==, "amrani el fatima");
  /* Case, accents, spaces, hyphens and order do not count; a dotless ı is
   * another letter, not an accent. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(IntakeSecureStr) folded = intake_subject_access_fold_name (alike[i]);

      g_assert_cmpstr (folded, ==, reference);
    }
  {
    g_autoptr(IntakeSecureStr) other = intake_subject_access_fold_name (alike[3]);

    g_assert_cmpstr (other, !=, reference);
  }
  {
    g_autoptr(IntakeSecureStr) arabic = intake_subject_access_fold_name ("مَرْيَم");
    g_autoptr(IntakeSecureStr) bare = intake_subject_access_fold_name ("مريم");

    g_assert_cmpstr (arabic, ==, bare);
  }
  g_assert_null (intake_subject_access_fold_name (" - "));
  g_assert_null (intake_subject_access_fold_name (""));

  date = intake_subject_access_parse_birth_date ("00-07-1990", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (date, ==, "1990-07-00");
  g_clear_pointer (&date, g_free);
  date = intake_subject_access_parse_birth_date (" 15/03/1990 ", &error);
  g_assert_cmpstr (date, ==, "1990-03-15");
  g_clear_pointer (&date, g_free);
  date = intake_subject_access_parse_birth_date ("1985-00-00", &error);
  g_assert_cmpstr (date, ==, "1985-00-00");
  g_clear_pointer (&date, g_free);
  g_assert_no_error (error);
  {
    const char *bad[] = { "", "15-3-1990", "31-02-1990", "15-00-1990", "1990", "15-03-90", "15-03/1990" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) bad_error = NULL;

        g_assert_null (intake_subject_access_parse_birth_date (bad[i], &bad_error));
        g_assert_error (bad_error, INTAKE_SUBJECT_ACCESS_ERROR, INTAKE_SUBJECT_ACCESS_ERROR_BAD_BIRTH_DATE);
      }
  }
}

/* ---- The document -------------------------------------------------------- */

static void
add_note_and_assign (void)
{
  g_autoptr(IntakeReviewClient) client = unlocked_client (CASEWORKER);
  g_autoptr(GAsyncResult) noted = NULL;
  g_autoptr(GAsyncResult) changed = NULL;
  g_autoptr(IntakeReviewMeta) after_note = NULL;
  g_autoptr(IntakeReviewMeta) after_change = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWorkflowChange change = { "in_review", NULL, CASEWORKER, -1 };

  intake_review_client_add_note_async (client, env.keys[1], NOTE_TEXT, 1, NULL, result_cb, &noted);
  after_note = intake_review_client_add_note_finish (client, wait_result (&noted), NULL, &error);
  g_assert_no_error (error);
  intake_review_client_update_workflow_async (client, env.keys[1], &change, after_note->version, NULL,
                                              result_cb, &changed);
  after_change = intake_review_client_update_workflow_finish (client, wait_result (&changed), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after_change->assignee, ==, CASEWORKER);
}

static void
test_document (void)
{
  g_autoptr(IntakeReviewClient) client = unlocked_client (PRIVACY_OFFICER);
  g_autoptr(IntakeQuestionnaireSet) questionnaires = builtin_questionnaires ();
  g_autoptr(GAsyncResult) result = NULL;
  IntakeSubjectAccess *access = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *path = g_build_filename (env.server->dir, "inzage.txt", NULL);
  g_autofree char *text = NULL;
  const IntakeAuditEvent *event;
  GStatBuf st;

  add_note_and_assign ();

  /* The name typed at the desk, in yet another form. */
  intake_subject_access_collect_async (client, questionnaires, "fatima  EL AMRANI", "00-07-1990", NULL, NULL, NULL,
                                       result_cb, &result);
  access = intake_subject_access_collect_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (access);
  g_assert_cmpuint (intake_subject_access_get_n_searched (access), ==, G_N_ELEMENTS (residents));
  g_assert_cmpuint (intake_subject_access_get_n_submissions (access), ==, 2);
  g_assert_cmpstr (intake_subject_access_get_key (access, 0), ==, env.keys[0]);
  g_assert_cmpstr (intake_subject_access_get_key (access, 1), ==, env.keys[1]);

  g_assert_true (intake_subject_access_write_text (access, path, &error));
  g_assert_no_error (error);
  /* A place that cannot be written is an error, and leaves nothing. */
  {
    g_autofree char *bad = g_build_filename (env.server->dir, "no-such-dir", "inzage.txt", NULL);
    g_autoptr(GError) bad_error = NULL;

    g_assert_false (intake_subject_access_write_text (access, bad, &bad_error));
    g_assert_error (bad_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_test_message ("%s", text);
  /* Hers, with every answer in Dutch, the note and the history ... */
  g_assert_nonnull (strstr (text, "Inzageverzoek"));
  g_assert_nonnull (strstr (text, "900001"));
  g_assert_nonnull (strstr (text, "900002"));
  g_assert_nonnull (strstr (text, "Wat is uw klantnummer?"));
  g_assert_nonnull (strstr (text, "Wat is uw geboortedatum?"));
  g_assert_nonnull (strstr (text, "00-07-1990"));
  g_assert_nonnull (strstr (text, NOTE_TEXT));
  g_assert_nonnull (strstr (text, "Toegewezen aan: " CASEWORKER));
  g_assert_nonnull (strstr (text, "In behandeling"));
  g_assert_nonnull (strstr (text, "Vaals"));
  g_assert_nonnull (strstr (text, CASEWORKER " heeft een notitie toegevoegd"));
  /* ... and nobody else's. */
  g_assert_null (strstr (text, "900003"));
  g_assert_null (strstr (text, "900004"));
  g_assert_null (strstr (text, "1990-07-15"));
  g_assert_null (strstr (text, "15-07-1990"));
  g_assert_null (strstr (text, "Vries, Jan"));
  g_assert_null (strstr (text, "Jan\n"));

  /* The server recorded who made a document of how many submissions, and
   * not whom it is about. */
  events = all_events ();
  event = find_event (events, PRIVACY_OFFICER, "subject_access");
  g_assert_nonnull (event);
  g_assert_cmpstr (event->object, ==, "submissions=2");
  g_assert_cmpstr (event->result, ==, "ok");
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *any = g_ptr_array_index (events, i);
      g_autofree char *folded = g_utf8_casefold (any->object, -1);

      g_assert_null (strstr (folded, "amrani"));
      g_assert_null (strstr (folded, "fatima"));
      /* The year of birth as part of a date: a bare "1990" turns up by
       * chance in one random hexadecimal id in about 2,000. */
      g_assert_null (strstr (folded, "1990-"));
      g_assert_null (strstr (folded, "-1990"));
      g_assert_null (strstr (folded, "/1990"));
    }
  /* Every submission opened to search is a decrypt event of its own. */
  for (guint i = 0; i < G_N_ELEMENTS (residents); i++)
    {
      gboolean decrypted = FALSE;

      for (guint j = 0; j < events->len; j++)
        {
          const IntakeAuditEvent *any = g_ptr_array_index (events, j);

          decrypted |= g_str_equal (any->actor, PRIVACY_OFFICER) && g_str_equal (any->action, "decrypt") &&
                       g_str_equal (any->object, env.keys[i]);
        }
      g_assert_true (decrypted);
    }
  g_unlink (path);
  /* The finished task held it too. */
  g_clear_object (&result);
  g_assert_finalize_object (access);
}

/* ---- Batch fetch ----------------------------------------------------------- */

static GPtrArray *
fetch_many_sync (IntakeReviewClient *client,
                 const char * const *keys,
                 guint               n_keys)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *fetched;

  intake_review_client_fetch_many_async (client, keys, n_keys, NULL, result_cb, &result);
  fetched = intake_review_client_fetch_many_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (fetched);
  g_assert_cmpuint (fetched->len, ==, n_keys);
  return fetched;
}

/* What intake_review_client_fetch_async() gives for @key. */
static IntakeSubmission *
fetch_one (IntakeReviewClient  *client,
           const char          *key,
           IntakeReviewMeta   **out_meta,
           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  intake_review_client_fetch_async (client, key, NULL, result_cb, &result);
  return intake_review_client_fetch_finish (client, wait_result (&result), out_meta, NULL, error);
}

/* Each key's outcome equals the single fetch's: the same metadata and
 * person, or the same error. */
static void
assert_same_as_single (IntakeReviewClient  *client,
                       GPtrArray           *fetched,
                       const char * const  *keys)
{
  for (guint i = 0; i < fetched->len; i++)
    {
      IntakeReviewFetched *one = g_ptr_array_index (fetched, i);
      g_autoptr(IntakeReviewMeta) meta = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(IntakeSubmission) single = fetch_one (client, keys[i], &meta, &error);

      g_assert_cmpstr (one->key, ==, keys[i]);
      if (single == NULL)
        {
          g_assert_null (one->submission);
          g_assert_error (one->error, error->domain, error->code);
          g_assert_cmpstr (one->error->message, ==, error->message);
          continue;
        }
      g_assert_no_error (one->error);
      g_assert_nonnull (one->submission);
      g_assert_cmpstr (one->meta->key, ==, meta->key);
      g_assert_cmpint (one->meta->seq, ==, meta->seq);
      g_assert_cmpstr (one->meta->reference, ==, meta->reference);
      g_assert_cmpint (one->meta->notes, ==, meta->notes);
      g_assert_cmpuint (one->notes->len, ==, meta->notes);
      {
        g_autoptr(IntakeSecureStr) a = intake_submission_dup_display_name (one->submission);
        g_autoptr(IntakeSecureStr) b = intake_submission_dup_display_name (single);

        g_assert_cmpstr (a, ==, b);
      }
    }
}

/* A server in front of the real one: with @no_batch, one of before the batch
 * fetch (POST /v1/review/submissions/fetch is 404); else one whose batch
 * answers serve only the first key and defer the others. Anything else is
 * passed on as it is. */
typedef struct {
  SoupServer  *server;
  SoupSession *session;
  char        *url;
  gboolean     no_batch;
  guint        batch_posts;
} FrontServer;

/* The batch answer with every entry after the first deferred. */
static GBytes *
defer_after_first (GBytes *answer)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *entries;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                             &error));
  entries = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "submissions");
  for (guint i = 1; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      g_autofree char *key = g_strdup (json_object_get_string_member (entry, "key"));
      GList *members = json_object_get_members (entry);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_remove_member (entry, l->data);
      g_list_free (members);
      json_object_set_string_member (entry, "key", key);
      json_object_set_string_member (entry, "error", "deferred");
      json_object_set_string_member (entry, "message", "ask again");
    }
  {
    char *text = json_to_string (json_parser_get_root (parser), FALSE);

    return g_bytes_new_take (text, strlen (text));
  }
}

static void
front_server_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  FrontServer *front = user_data;
  const char *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) forward = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  const char *headers[] = { INTAKE_HEADER_REVIEWER, INTAKE_HEADER_TIMESTAMP, INTAKE_HEADER_NONCE,
                            INTAKE_HEADER_SIGNATURE };

  if (g_str_equal (path, "/v1/review/submissions/fetch"))
    front->batch_posts++;
  if (g_str_equal (path, "/v1/review/submissions/fetch") && front->no_batch)
    {
      static const char not_found[] = "{\"error\": \"not_found\", \"message\": \"no such endpoint\"}";

      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, not_found,
                                        strlen (not_found));
      return;
    }
  url = g_strconcat (env.server->url, path, g_uri_get_query (uri) != NULL ? "?" : "",
                     g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "", NULL);
  forward = soup_message_new (method, url);
  body = soup_message_body_flatten (request_body);
  if (g_bytes_get_size (body) > 0)
    soup_message_set_request_body_from_bytes (forward, "application/json", body);
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), headers[i]);

      if (value != NULL)
        soup_message_headers_replace (soup_message_get_request_headers (forward), headers[i], value);
    }
  answer = soup_session_send_and_read (front->session, forward, NULL, &error);
  g_assert_no_error (error);
  if (g_str_equal (path, "/v1/review/submissions/fetch") && soup_message_get_status (forward) == SOUP_STATUS_OK)
    {
      GBytes *deferred = defer_after_first (answer);

      g_bytes_unref (answer);
      answer = deferred;
    }
  soup_server_message_set_status (msg, soup_message_get_status (forward), NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
}

static FrontServer *
front_server_new (gboolean no_batch)
{
  FrontServer *front = g_new0 (FrontServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *text = NULL;

  front->no_batch = no_batch;
  front->server = soup_server_new (NULL, NULL);
  front->session = soup_session_new ();
  soup_server_add_handler (front->server, NULL, front_server_cb, front, NULL);
  g_assert_true (soup_server_listen_local (front->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (front->server);
  text = g_uri_to_string (uris->data);
  front->url = g_strndup (text, strlen (text) - (g_str_has_suffix (text, "/") ? 1 : 0));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify)g_uri_unref);
  return front;
}

static void
front_server_free (FrontServer *front)
{
  soup_server_disconnect (front->server);
  g_object_unref (front->server);
  g_object_unref (front->session);
  g_free (front->url);
  g_free (front);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FrontServer, front_server_free)

/* intake_review_client_fetch_many_async() gives each key what a single
 * fetch gives, in the order asked, refusals per key; against a server
 * without the batch fetch it fetches one by one, and does not ask again;
 * deferred keys are asked for again. */
static void
test_fetch_many (void)
{
  g_autoptr(IntakeReviewClient) client = unlocked_client (PRIVACY_OFFICER);
  g_autofree char *unknown = g_strdup (env.keys[0]);
  const char *keys[6] = { NULL };
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) before = all_events ();

  unknown[40] = unknown[40] == '0' ? '1' : '0';
  keys[0] = env.keys[2];
  keys[1] = unknown;
  keys[2] = env.keys[0];
  keys[3] = env.keys[3];
  keys[4] = env.keys[1];
  {
    g_autoptr(GPtrArray) fetched = fetch_many_sync (client, keys, 5);
    IntakeReviewFetched *refused = g_ptr_array_index (fetched, 1);

    g_assert_error (refused->error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_REFUSED);
    g_assert_nonnull (strstr (refused->error->message, "not_found"));
    assert_same_as_single (client, fetched, keys);
  }
  {
    g_autoptr(FrontServer) old = front_server_new (TRUE);
    g_autoptr(IntakeReviewClient) old_client = intake_review_client_new (old->url);
    g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (PASSPHRASE, strlen (PASSPHRASE));
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    intake_review_client_unlock_async (old_client, PRIVACY_OFFICER, passphrase, NULL, result_cb, &result);
    g_assert_true (intake_review_client_unlock_finish (old_client, wait_result (&result), &error));
    for (guint round = 0; round < 2; round++)
      {
        g_autoptr(GPtrArray) fetched = fetch_many_sync (old_client, keys, 5);

        assert_same_as_single (old_client, fetched, keys);
      }
    /* Asked once; then one by one, without asking again. */
    g_assert_cmpuint (old->batch_posts, ==, 1);
  }
  /* Over both: one fetch event per submission served, one refusal per unknown key. */
  events = all_events ();
  {
    guint served = 0, refused = 0;

    for (guint i = before->len; i < events->len; i++)
      {
        const IntakeAuditEvent *event = g_ptr_array_index (events, i);

        if (!g_str_equal (event->actor, PRIVACY_OFFICER) || !g_str_equal (event->action, "fetch"))
          continue;
        if (g_str_equal (event->object, unknown))
          {
            g_assert_cmpstr (event->result, ==, "denied:not_found");
            refused++;
          }
        else if (g_strv_contains (keys, event->object) && g_str_equal (event->result, "ok"))
          served++;
      }
    /* The batch, its singles to compare, two rounds through the old server with theirs. */
    g_assert_cmpuint (refused, ==, 1 + 1 + 2 * 2);
    g_assert_cmpuint (served, ==, 4 * (1 + 1 + 2 * 2));
  }

  /* Deferred keys are asked for again until every one has its outcome. */
  {
    g_autoptr(FrontServer) deferring = front_server_new (FALSE);
    g_autoptr(IntakeReviewClient) deferring_client = intake_review_client_new (deferring->url);
    g_autoptr(IntakeSecureBuffer) passphrase = intake_secure_buffer_new_copy (PASSPHRASE, strlen (PASSPHRASE));
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) fetched = NULL;
    const char *own[] = { env.keys[3], env.keys[2], env.keys[1], env.keys[0], NULL };

    intake_review_client_unlock_async (deferring_client, PRIVACY_OFFICER, passphrase, NULL, result_cb, &result);
    g_assert_true (intake_review_client_unlock_finish (deferring_client, wait_result (&result), &error));
    fetched = fetch_many_sync (deferring_client, own, 4);
    g_assert_cmpuint (deferring->batch_posts, ==, 4);
    assert_same_as_single (deferring_client, fetched, own);
  }
}

/* Nobody's submission is found: the document says so, and the event counts 0. */
static void
test_nobody (void)
{
  g_autoptr(IntakeReviewClient) client = unlocked_client (PRIVACY_OFFICER);
  g_autoptr(IntakeQuestionnaireSet) questionnaires = builtin_questionnaires ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) bad = NULL;
  g_autoptr(IntakeSubjectAccess) access = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gboolean found_zero = FALSE;

  intake_subject_access_collect_async (client, questionnaires, "Jan de Vries", "01-01-1986", NULL, NULL, NULL,
                                       result_cb, &result);
  access = intake_subject_access_collect_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (intake_subject_access_get_n_submissions (access), ==, 0);
  events = all_events ();
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      found_zero |= g_str_equal (event->action, "subject_access") && g_str_equal (event->object, "submissions=0");
    }
  g_assert_true (found_zero);

  /* A date that is not one is said before anything is opened. */
  intake_subject_access_collect_async (client, questionnaires, "Jan de Vries", "1-1-86", NULL, NULL, NULL,
                                       result_cb, &bad);
  g_assert_null (intake_subject_access_collect_finish (client, wait_result (&bad), &error));
  g_assert_error (error, INTAKE_SUBJECT_ACCESS_ERROR, INTAKE_SUBJECT_ACCESS_ERROR_BAD_BIRTH_DATE);
}

/* ---- Refusals ------------------------------------------------------------- */

static void
test_refused (void)
{
  g_autoptr(IntakeReviewClient) client = unlocked_client (CASEWORKER);
  g_autoptr(IntakeQuestionnaireSet) questionnaires = builtin_questionnaires ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(IntakeSubjectAccess) access = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *path = g_build_filename (env.server->dir, "refused.txt", NULL);
  g_autofree char *workstation = intake_workstation_store_dup_path (CASEWORKER);
  g_autofree char *officer_workstation = intake_workstation_store_dup_path (PRIVACY_OFFICER);
  g_autoptr(IntakeReviewerKey) anna = test_reviewer_unlock (env.server, CASEWORKER, PASSPHRASE, workstation);
  g_autoptr(IntakeReviewerKey) petra = test_reviewer_unlock (env.server, PRIVACY_OFFICER, PASSPHRASE,
                                                             officer_workstation);
  const IntakeAuditEvent *event;

  /* A caseworker may read and search names, but a subject access document
   * is the privacy officer's: the server refuses, so there is nothing to write. */
  intake_subject_access_collect_async (client, questionnaires, "Fatima El Amrani", "00-07-1990", NULL, NULL, NULL,
                                       result_cb, &result);
  access = intake_subject_access_collect_finish (client, wait_result (&result), &error);
  g_assert_error (error, INTAKE_REVIEW_CLIENT_ERROR, INTAKE_REVIEW_CLIENT_ERROR_FORBIDDEN);
  g_assert_null (access);
  if (access != NULL)
    g_assert_true (intake_subject_access_write_text (access, path, NULL));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* The route itself: 403 role_required, recorded under its own action. */
  {
    g_autoptr(TestResponse) refused = review_request (anna, "POST", "/v1/review/events",
                                                      "{\"action\": \"subject_access\", \"object\": \"submissions=1\"}");

    g_assert_cmpuint (refused->status, ==, 403);
    g_assert_cmpstr (test_response_error_code (refused), ==, "role_required");
  }
  events = all_events ();
  event = find_event (events, CASEWORKER, "subject_access");
  g_assert_nonnull (event);
  g_assert_cmpstr (event->result, ==, "denied:role_required");
  g_assert_cmpstr (event->object, !=, "submissions=1");

  /* Only a count may be the object: a name cannot ride along. */
  {
    const char *bodies[] = {
      "{\"action\": \"subject_access\", \"object\": \"Fatima El Amrani\"}",
      "{\"action\": \"subject_access\", \"object\": \"submissions=2 Fatima\"}",
      "{\"action\": \"subject_access\", \"object\": \"submissions=02\"}",
      "{\"action\": \"subject_access\", \"object\": \"submissions=\"}",
      "{\"action\": \"subject_access\", \"object\": \"submissions=1\", \"name\": \"x\"}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(TestResponse) malformed = review_request (petra, "POST", "/v1/review/events", bodies[i]);

        g_test_message ("%s", bodies[i]);
        g_assert_cmpuint (malformed->status, ==, 400);
        g_assert_cmpstr (test_response_error_code (malformed), ==, "malformed_body");
      }
  }
}

/* ---- intake-admin subject-access ------------------------------------------- */

static void
test_admin_command (void)
{
  g_autofree char *pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  g_autofree char *path = g_build_filename (env.server->dir, "inzage-cli.txt", NULL);
  g_autofree char *refused_path = g_build_filename (env.server->dir, "inzage-refused.txt", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const char *argv[] = { g_getenv ("INTAKE_ADMIN"), "subject-access", "--server", env.server->url,
                         "--reviewer", PRIVACY_OFFICER, "--passphrase-file", pass_file,
                         "--name", "Fatima Amrani", "--birth-date", "00-07-1990", "--out", path, NULL };
  guint subject_events = 0;
  GStatBuf st;

  g_assert_nonnull (argv[0]);
  events = all_events ();
  for (guint i = 0; i < events->len; i++)
    subject_events += g_str_equal (((IntakeAuditEvent *)g_ptr_array_index (events, i))->action, "subject_access");
  g_clear_pointer (&events, g_ptr_array_unref);

  /* "Fatima Amrani": a part missing is another name. */
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  expected = g_strdup_printf ("0 aanmeldingen geschreven naar %s\n", path);
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  argv[9] = "EL AMRANI, fatima";
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  expected = g_strdup_printf ("2 aanmeldingen geschreven naar %s\n", path);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "900001"));
  g_assert_nonnull (strstr (text, "900002"));
  g_assert_null (strstr (text, "900003"));
  g_assert_null (strstr (text, "900004"));
  g_unlink (path);

  /* Each run is one event; no name in it. */
  events = all_events ();
  {
    guint now = 0;

    for (guint i = 0; i < events->len; i++)
      now += g_str_equal (((IntakeAuditEvent *)g_ptr_array_index (events, i))->action, "subject_access");
    g_assert_cmpuint (now, ==, subject_events + 2);
  }

  /* A caseworker: one line on stderr, exit 1, no file. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  argv[5] = CASEWORKER;
  argv[13] = refused_path;
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 1);
  g_test_message ("refused: %s", err);
  g_assert_nonnull (strstr (err, "Uw rol staat dit niet toe"));
  g_assert_null (strchr (strchr (err, '\n') + 1, '\n'));
  g_assert_false (g_file_test (refused_path, G_FILE_TEST_EXISTS));
}

/* ---- The review window ---------------------------------------------------- */

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition condition,
          gpointer  data,
          guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return condition (data);
}

static gboolean
unlocked (gpointer data)
{
  IntakeReviewWindow *window = data;

  return !window->unlocking && window->questionnaires != NULL;
}

static gboolean
search_settled (gpointer data)
{
  return !intake_review_subject_access_get_busy (INTAKE_REVIEW_SUBJECT_ACCESS (data));
}

static char *
run_pdftotext (const char *pdf)
{
  g_autofree char *program = g_find_program_in_path ("pdftotext");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
  int status = 0;

  if (program == NULL)
    g_error ("pdftotext is missing: install poppler-utils (scripts/install-deps)");
  {
    const char *argv[] = { program, pdf, "-", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* Lines wrap where the page ends them; compare with single spaces. */
  return g_regex_replace_literal (space, out, -1, 0, " ", 0, NULL);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *env_dir = g_getenv ("INTAKE_TEST_ARTIFACTS");
  g_autofree char *dir = env_dir != NULL ? g_build_filename (env_dir, "review", NULL)
                                         : g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "artifacts", "review", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Let the window lay out and draw the new page (a few frames). */
  {
    gboolean waited = FALSE;

    g_timeout_add (300, timeout_cb, &waited);
    while (!waited)
      g_main_context_iteration (NULL, TRUE);
  }
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static IntakeReviewWindow *
unlocked_window (GtkApplication *app,
                 const char     *name)
{
  IntakeReviewWindow *window = intake_review_window_new (app, env.server->url);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_editable_set_text (GTK_EDITABLE (window->name_entry), name);
  gtk_editable_set_text (GTK_EDITABLE (window->passphrase_entry), PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.unlock", NULL);
  g_assert_true (wait_for (unlocked, window, 60000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  return window;
}

static void
close_window (IntakeReviewWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_page_new_destroy (void)
{
  g_autoptr(IntakeReviewClient) client = intake_review_client_new (env.server->url);
  g_autoptr(IntakeQuestionnaireSet) questionnaires = builtin_questionnaires ();
  GtkWidget *page = intake_review_subject_access_new (client, questionnaires);

  g_object_ref_sink (page);
  g_assert_false (intake_review_subject_access_get_busy (INTAKE_REVIEW_SUBJECT_ACCESS (page)));
  g_assert_null (intake_review_subject_access_get_result (INTAKE_REVIEW_SUBJECT_ACCESS (page)));
  g_assert_finalize_object (page);
}

static void
test_app (gconstpointer data)
{
  GtkApplication *app = GTK_APPLICATION ((gpointer) data);
  IntakeReviewWindow *window = unlocked_window (app, PRIVACY_OFFICER);
  g_autofree char *path = g_build_filename (env.server->dir, "inzageverzoek.pdf", NULL);
  g_autofree char *text = NULL;
  IntakeReviewSubjectAccess *page;
  GStatBuf st;

  /* The officer's menu offers it; the page opens empty. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "review.subject-access", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "subject-access");
  page = INTAKE_REVIEW_SUBJECT_ACCESS (gtk_stack_get_child_by_name (window->stack, "subject-access"));
  g_assert_null (intake_review_subject_access_get_result (page));
  /* Nothing to save before a search. */
  gtk_widget_activate_action (GTK_WIDGET (page), "subject-access.save-to", "s", path);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A date that is not one: said on the page, nothing opened. */
  gtk_editable_set_text (GTK_EDITABLE (intake_review_subject_access_get_name_row (page)), "Fatima El Amrani");
  gtk_editable_set_text (GTK_EDITABLE (intake_review_subject_access_get_birth_row (page)), "7-1990");
  gtk_widget_activate_action (GTK_WIDGET (page), "subject-access.search", NULL);
  g_assert_true (wait_for (search_settled, page, 30000));
  g_assert_null (intake_review_subject_access_get_result (page));
  g_assert_nonnull (strstr (intake_review_subject_access_get_status (page), "dd-mm-jjjj"));

  /* Typed as the desk would: found, then saved where the officer chose. */
  gtk_editable_set_text (GTK_EDITABLE (intake_review_subject_access_get_name_row (page)), "fatima el-amrani");
  gtk_editable_set_text (GTK_EDITABLE (intake_review_subject_access_get_birth_row (page)), "00-07-1990");
  gtk_widget_activate_action (GTK_WIDGET (page), "subject-access.search", NULL);
  g_assert_true (wait_for (search_settled, page, 60000));
  g_test_message ("status: %s", intake_review_subject_access_get_status (page));
  g_assert_nonnull (intake_review_subject_access_get_result (page));
  g_assert_cmpuint (intake_subject_access_get_n_submissions (intake_review_subject_access_get_result (page)), ==, 2);
  g_assert_nonnull (strstr (intake_review_subject_access_get_status (page), "2 aanmeldingen gevonden"));
  screenshot (GTK_WIDGET (window), "subject-access");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "subject-access.save-to", "s", path));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_nonnull (strstr (intake_review_subject_access_get_status (page), "Opgeslagen"));
  text = run_pdftotext (path);
  g_assert_nonnull (strstr (text, "Inzageverzoek (AVG artikel 15)"));
  g_assert_nonnull (strstr (text, "Aanmelding 1 van 2"));
  g_assert_nonnull (strstr (text, "Aanmelding 2 van 2"));
  g_assert_nonnull (strstr (text, "900001"));
  g_assert_nonnull (strstr (text, "900002"));
  g_assert_nonnull (strstr (text, NOTE_TEXT));
  g_assert_nonnull (strstr (text, "Wie de aanmelding heeft behandeld of geopend"));
  g_assert_nonnull (strstr (text, "Vertrouwelijk"));
  g_assert_null (strstr (text, "900003"));
  g_assert_null (strstr (text, "900004"));
  /* A picture of the first page to look at (test data only). */
  {
    const char *env_dir = g_getenv ("INTAKE_TEST_ARTIFACTS");
    g_autofree char *dir = env_dir != NULL ? g_build_filename (env_dir, "review", NULL)
                                           : g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "artifacts", "review", NULL);
    g_autofree char *prefix = g_build_filename (dir, "inzageverzoek", NULL);
    g_autofree char *program = g_find_program_in_path ("pdftoppm");
    const char *argv[] = { program, "-png", "-r", "60", "-f", "1", "-l", "2", path, prefix, NULL };
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_assert_nonnull (program);
    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_test_message ("pages: %s-1.png, %s-2.png", prefix, prefix);
  }
  g_unlink (path);

  /* Going back drops the page, with the name typed and what it decrypted ... */
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *)&page);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_null (gtk_stack_get_child_by_name (window->stack, "subject-access"));
  g_assert_null (page);

  /* ... and so does locking. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.subject-access", NULL);
  page = INTAKE_REVIEW_SUBJECT_ACCESS (gtk_stack_get_child_by_name (window->stack, "subject-access"));
  g_assert_nonnull (page);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *)&page);
  gtk_editable_set_text (GTK_EDITABLE (intake_review_subject_access_get_name_row (page)), "Jan de Vries");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.lock", NULL);
  g_assert_null (gtk_stack_get_child_by_name (window->stack, "subject-access"));
  g_assert_null (page);
  close_window (window);

  /* A caseworker's window does not offer it. */
  window = unlocked_window (app, CASEWORKER);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.subject-access", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_null (gtk_stack_get_child_by_name (window->stack, "subject-access"));
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autofree char *data_home = intake_test_tmpdir_new ();
  g_autofree char *pass_file = NULL;
  int status;

  /* The reviewers' workstation keys: in this program's own data directory,
   * set before GLib reads it. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("INTAKE_WORKSTATION_KEY_STORE", "file", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_assert_true (intake_crypto_init (NULL));
  app = adw_application_new ("org.intakekiosk.Review.SubjectAccessTest", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  env.server = test_server_new (TRUE);
  g_assert_true (test_server_start (env.server, NULL, NULL));
  pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  intake_test_write_file (pass_file, PASSPHRASE "\n");
  {
    const struct { const char *name, *roles; } reviewers[] = {
      { PRIVACY_OFFICER, "privacy_officer" },
      { CASEWORKER, "caseworker" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (reviewers); i++)
      {
        g_autofree char *code = test_reviewer_add (env.server, reviewers[i].name, reviewers[i].roles, NULL);
        g_autofree char *out = test_reviewer_activate (env.server, reviewers[i].name, code, pass_file, NULL, NULL);

        g_assert_nonnull (out);
      }
  }
  deliver_submissions ();

  g_test_add_func ("/review/subject-access/fold", test_fold);
  g_test_add_func ("/review/subject-access/document", test_document);
  g_test_add_func ("/review/subject-access/nobody", test_nobody);
  g_test_add_func ("/review/fetch-many", test_fetch_many);
  g_test_add_func ("/review/subject-access/refused", test_refused);
  g_test_add_func ("/review/subject-access/admin-command", test_admin_command);
  g_test_add_func ("/review/subject-access/page-new-destroy", test_page_new_destroy);
  g_test_add_data_func ("/review/subject-access/app", app, test_app);

  status = g_test_run ();
  test_server_stop (env.server);
  for (guint i = 0; i < G_N_ELEMENTS (env.keys); i++)
    g_free (env.keys[i]);
  g_clear_pointer (&env.server, test_server_free);
  intake_test_rm_rf (data_home);
  return status;
}

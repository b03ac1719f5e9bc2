/* test-review-app.c: the staff review app against a real intake-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One real intake-server (INTAKE_SERVER) for the whole program. A kiosk is
 * enrolled with a one-time code from the real intake-admin and delivers its
 * submissions through the real sync engine, one of them made in Arabic with
 * free text; a reviewer is added with `intake-admin reviewer add`. The
 * tests drive the real review window through its actions, wait with the
 * main loop (never sleep) and save screenshots as artifacts.
 */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "intake-crypto-error.h"
#include "intake-kiosk.h"
#include "intake-random-answers.h"
#include "intake-review-pdf.h"
#include "intake-review-dashboard.h"
#include "intake-rendering.h"
#include "intake-review-window-private.h"
#include "intake-enroll.h"
#include "intake-sync.h"
#include "intake-test-util.h"
#include "intake-workstation-store.h"
#include "test-server-util.h"

/* Unlocks are limited to 5 a minute per name: the tests share the load. */
#define REVIEWER        "Anna de Vries"
#define REVIEWER_2      "Bram Jansen"
#define REVIEWER_3      "Carla Smit"
#define REVIEWER_4      "Dirk Peeters"  /* only for intake-admin export */
#define REVIEWER_PASS   "lange zin voor het beoordelen"
#define CASEWORKER      "Eva Claes"     /* a caseworker only: no dashboard, no access history */
#define ARABIC_TEXT     "أجيد الطبخ والعمل مع الأطفال"
#define N_RANDOM        4

typedef struct {
  TestServer        *server;
  char              *kiosk_dir;
  IntakeSubmission  *arabic;          /* what the kiosk sealed, read back here */
  char              *arabic_reference;
  gboolean           arabic_declined; /* a question was answered "rather not say" */
} Env;

static Env env;

/* Who may do what (docs/protocol.md, "Roles and scope"). */
static const struct {
  const char *name;
  const char *roles;
} reviewers[] = {
  { REVIEWER, "caseworker,team_lead,privacy_officer" },
  { REVIEWER_2, "caseworker,privacy_officer" },
  { REVIEWER_3, "caseworker,privacy_officer" },
  { REVIEWER_4, "caseworker,team_lead" },
  { CASEWORKER, "caseworker" },
};

/* ---- Helpers ----------------------------------------------------------- */

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

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
detail_text (IntakeReviewWindow *window)
{
  GString *out = g_string_new (NULL);

  collect_text (GTK_WIDGET (window->detail_box), out);
  return g_string_free (out, FALSE);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *prefix)
{
  if (GTK_IS_BUTTON (root) && gtk_button_get_label (GTK_BUTTON (root)) != NULL &&
      g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (root)), prefix))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static char *
artifacts_dir (void)
{
  const char *env_dir = g_getenv ("INTAKE_TEST_ARTIFACTS");
  char *dir = env_dir != NULL ? g_build_filename (env_dir, "review", NULL)
                              : g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                                  "artifacts", "review", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  (*(guint *)data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_done (gpointer data)
{
  return *(guint *)data >= 3;
}

static void
screenshot (gpointer    window,
            const char *name)
{
  g_autofree char *dir = artifacts_dir ();
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  /* Let layout and drawing settle: two frames. */
  {
    guint frames = 0;
    guint id = gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &frames, NULL);

    gtk_widget_queue_draw (GTK_WIDGET (window));
    g_assert_true (wait_for (frames_done, &frames, 10000));
    gtk_widget_remove_tick_callback (GTK_WIDGET (window), id);
  }
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static IntakeReviewWindow *
new_window (void)
{
  IntakeReviewWindow *window = intake_review_window_new (NULL, env.server->url);

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
destroy_window (IntakeReviewWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
set_text (gpointer    editable,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

static gboolean
unlock_settled (gpointer data)
{
  IntakeReviewWindow *window = data;

  return !window->unlocking;
}

static gboolean
list_complete (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->model != NULL && intake_review_list_model_get_complete (window->model) &&
         !intake_review_list_model_get_loading (window->model);
}

static gboolean
list_idle (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->model != NULL && !intake_review_list_model_get_loading (window->model);
}

static gboolean
detail_ready (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->detail_ready && window->audit_ready;
}

static gboolean
saved (gpointer data)
{
  IntakeReviewWindow *window = data;

  return !window->saving && gtk_widget_get_visible (GTK_WIDGET (window->workflow_status));
}

static gboolean
languages_filled (gpointer data)
{
  IntakeReviewWindow *window = data;
  guint n = window->model ? g_list_model_get_n_items (G_LIST_MODEL (window->model)) : 0;

  if (n == 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (window->model), i);

      if (intake_review_item_get_language (item) == NULL)
        return FALSE;
    }
  return window->decrypts_running == 0;
}

static void
unlock (IntakeReviewWindow *window,
        const char         *name,
        const char         *passphrase)
{
  set_text (window->name_entry, name);
  set_text (window->passphrase_entry, passphrase);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.unlock", NULL);
  g_assert_true (window->unlocking);
  g_assert_true (wait_for (unlock_settled, window, 60000));
}

static gboolean
passphrase_settled (gpointer data)
{
  IntakeReviewWindow *window = data;

  return !window->changing_passphrase;
}

static IntakeReviewWindow *
new_unlocked_window_with (const char *name,
                          const char *passphrase)
{
  IntakeReviewWindow *window = new_window ();

  unlock (window, name, passphrase);
  if (gtk_widget_get_visible (GTK_WIDGET (window->unlock_error)))
    g_error ("unlocking failed: %s", gtk_label_get_text (window->unlock_error));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_true (wait_for (list_complete, window, 30000));
  return window;
}

static IntakeReviewWindow *
new_unlocked_window (const char *name)
{
  return new_unlocked_window_with (name, REVIEWER_PASS);
}

static IntakeReviewItem *
find_reference (IntakeReviewWindow *window,
                const char         *reference)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (window->model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (window->model), i);

      if (g_strcmp0 (intake_review_item_get_meta (item)->reference, reference) == 0)
        return item;
    }
  return NULL;
}

static void
search_reference (IntakeReviewWindow *window,
                  const char         *reference)
{
  set_text (window->reference_entry, reference);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (list_complete, window, 30000));
}

static void
open_detail (IntakeReviewWindow *window,
             const char         *submission_id)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "review.open", "s", submission_id);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (window->leaflet), ==, "detail");
  g_assert_true (wait_for (detail_ready, window, 30000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->detail_stack), ==, "content");
}

static void
show_view (IntakeReviewWindow *window,
           const char         *view)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-view", "s", view);
  g_assert_true (wait_for (list_complete, window, 30000));
}

static gboolean
choices_loaded (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->units != NULL && window->assignees != NULL;
}

/* Chooses @value in a combo row of the handling (unit, assignee). */
static void
choose (AdwComboRow *row,
        GPtrArray   *choices,
        const char  *value)
{
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    if (g_str_equal (g_ptr_array_index (choices, i), value))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no choice “%s”", value);
}

static void show_view (IntakeReviewWindow *window,
                       const char         *view);

/* The Arabic submission's key; once it is handled it is no longer "to do":
 * then from all submissions. */
static const char *
arabic_id (IntakeReviewWindow *window)
{
  IntakeReviewItem *item = find_reference (window, env.arabic_reference);

  if (item == NULL)
    {
      show_view (window, "all");
      item = find_reference (window, env.arabic_reference);
    }

  g_assert_nonnull (item);
  return intake_review_item_get_id (item);
}

/* ---- The environment: server, kiosk, reviewer --------------------------- */

static void
submit_session (IntakeKiosk   *kiosk,
                IntakeSession *session,
                char         **out_reference)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;

  intake_session_check_complete (session, &error);
  g_assert_no_error (error);
  reference = intake_kiosk_submit (kiosk, session, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reference);
  if (out_reference != NULL)
    *out_reference = g_steal_pointer (&reference);
}

static void
env_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  g_autofree char *code = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *reviewer_pass_file = NULL;
  int exit_status = 0;

  env.server = test_server_new (TRUE);
  g_assert_true (test_server_start (env.server, NULL, &exit_status));
  /* The office's units (docs/admin.md, "Units"). */
  {
    const char *units[] = { "units", "add", "Team Werk", "Team Participatie", "Podium24", NULL };

    g_assert_cmpint (test_admin (env.server, units, 2, NULL, NULL), ==, 0);
  }

  /* The kiosk, enrolled as a real one is. */
  env.kiosk_dir = g_build_filename (env.server->dir, "kiosk", NULL);
  code = test_server_new_code (env.server, "Vaals");
  fingerprint = intake_enroll_blocking (env.kiosk_dir, env.server->url, code, INTAKE_ENROLL_NONE, NULL,
                                             &error);
  g_assert_no_error (error);
  kiosk = intake_kiosk_new (env.kiosk_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (intake_kiosk_is_enrolled (kiosk));

  /* A few random Dutch and English ones. */
  for (guint i = 0; i < N_RANDOM; i++)
    {
      g_autoptr(IntakeSession) session = intake_kiosk_new_session (kiosk, i % 2 ? "en" : "nl", &error);

      g_assert_no_error (error);
      g_assert_true (intake_random_answers_fill (session, rand, &error));
      submit_session (kiosk, session, NULL);
    }

  /* The Arabic one: random answers, free text in Arabic, one "rather not say". */
  for (;;)
    {
      g_autoptr(IntakeSession) session = intake_kiosk_new_session (kiosk, "ar", &error);
      g_autoptr(IntakeSecureBuffer) plaintext = NULL;

      g_assert_no_error (error);
      g_assert_true (intake_random_answers_fill (session, rand, &error));
      if (!intake_session_is_visible (session, "strengths"))
        continue;
      g_assert_true (intake_session_set_answer (session, "strengths", intake_answer_new_text (ARABIC_TEXT), &error));
      g_assert_true (intake_session_set_answer (session, "first_name", intake_answer_new_text ("مريم"), &error));
      g_assert_true (intake_session_set_answer (session, "last_name", intake_answer_new_text ("El Amrani"), &error));
      if (intake_session_is_visible (session, "money_worries") &&
          intake_session_set_answer (session, "money_worries", intake_answer_new_declined (), NULL))
        env.arabic_declined = TRUE;
      g_clear_error (&error);
      plaintext = intake_session_serialize (session, &error);
      g_assert_no_error (error);
      env.arabic = intake_submission_new_from_secure (plaintext, &error);
      g_assert_no_error (error);
      submit_session (kiosk, session, &env.arabic_reference);
      break;
    }

  sync = intake_sync_new (kiosk);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, 0);

  /* The reviewers, each added by the office secret's holder with a role
   * and activated with its one-time code, as on their own workstation:
   * the workstation key goes to the app's store (the 0600 file in this
   * program's XDG_DATA_HOME, INTAKE_WORKSTATION_KEY_STORE=file). */
  reviewer_pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  intake_test_write_file (reviewer_pass_file, REVIEWER_PASS "\n");
  for (guint i = 0; i < G_N_ELEMENTS (reviewers); i++)
    {
      g_autofree char *activation = test_reviewer_add (env.server, reviewers[i].name, reviewers[i].roles, NULL);
      g_autofree char *out = test_reviewer_activate (env.server, reviewers[i].name, activation, reviewer_pass_file,
                                                     NULL, NULL);
      g_autofree char *path = intake_workstation_store_dup_path (reviewers[i].name);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

static void
env_teardown (void)
{
  test_server_stop (env.server);
  g_clear_pointer (&env.server, test_server_free);
  g_clear_object (&env.arabic);
  g_free (env.arabic_reference);
  g_free (env.kiosk_dir);
}

/* ---- Tests ------------------------------------------------------------- */

static void
test_new_destroy (void)
{
  IntakeReviewWindow *window = intake_review_window_new (NULL, NULL);
  g_autoptr(IntakeReviewClient) client = intake_review_client_new ("http://127.0.0.1:1/");

  g_assert_cmpstr (intake_review_client_get_server_url (client), ==, "http://127.0.0.1:1");
  g_assert_false (intake_review_client_is_unlocked (client));
  g_assert_null (intake_review_client_get_name (client));
  g_object_ref_sink (window);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");
  /* Without a configured server the unlock page asks for it. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->server_entry)));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  /* The row and the list model, without a server. */
  {
    IntakeReviewMeta *meta = g_new0 (IntakeReviewMeta, 1);
    IntakeReviewItem *item;
    IntakeReviewFilter filter = { .state = "new", .location = "Vaals", .after = 7, .limit = 3 };
    IntakeReviewListModel *model;
    g_autofree char *path = NULL;

    meta->submission_id = g_strdup ("00112233445566778899aabbccddeeff");
    meta->key = g_strdup ("ffeeddccbbaa99887766554433221100-00112233445566778899aabbccddeeff");
    meta->state = g_strdup ("new");
    item = intake_review_item_new (meta);
    g_assert_cmpstr (intake_review_item_get_id (item), ==, "ffeeddccbbaa99887766554433221100-00112233445566778899aabbccddeeff");
    g_assert_null (intake_review_item_get_language (item));
    intake_review_item_set_language (item, "Arabisch");
    g_assert_cmpstr (intake_review_item_get_language (item), ==, "Arabisch");
    g_assert_finalize_object (item);

    model = intake_review_list_model_new (client, &filter);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
    g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == INTAKE_TYPE_REVIEW_ITEM);
    /* The model pages itself: the caller's cursor and size are not used. */
    path = intake_review_filter_to_path (intake_review_list_model_get_filter (model));
    g_assert_cmpstr (path, ==, "/v1/review/submissions?limit=100&state=new&location=Vaals");
    g_assert_finalize_object (model);
  }
  {
    IntakeReviewFilter filter = { .reference = "ab cd", .from = 1, .to = 2, .after = 9 };
    g_autofree char *path = intake_review_filter_to_path (&filter);

    g_assert_cmpstr (path, ==, "/v1/review/submissions?after=9&reference=ab%20cd&from=1&to=2");
  }
  g_assert_cmpstr (intake_review_state_label ("conversation_planned"), ==, "Gesprek gepland");
  g_assert_cmpstr (intake_review_state_label ("unknown"), ==, "unknown");
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_wrong_passphrase (void)
{
  IntakeReviewWindow *window = new_window ();

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->server_entry)));

  /* A wrong passphrase for a real name ... */
  unlock (window, REVIEWER, "dit is niet het wachtwoord");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->unlock_error)));
  g_assert_cmpstr (gtk_label_get_text (window->unlock_error), ==, "Deze naam en dit wachtwoord passen niet bij elkaar");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");
  g_assert_false (intake_review_client_is_unlocked (intake_review_window_get_client (window)));
  /* ... the passphrase does not stay in the entry. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->passphrase_entry)), ==, "");
  screenshot (window, "unlock-error");

  /* An unknown name that this computer holds a workstation key for: the
   * server answers with a made-up key id that matches no workstation key,
   * the very same words as for a real name with another workstation key
   * (tests/test-review-server.c, /review/unlock: the server's answers for
   * both are alike). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeWorkstationKey) key = intake_workstation_key_generate (&error);

    g_assert_no_error (error);
    g_assert_true (intake_workstation_store_save ("Niemand Bekend", key, NULL, &error));
    g_assert_no_error (error);
  }
  unlock (window, "Niemand Bekend", REVIEWER_PASS);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->unlock_error),
                                   "Deze computer heeft een andere werkstationsleutel voor “Niemand Bekend”"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");

  /* A name this computer has no workstation key for: said so, with the
   * way out (the server is not asked). */
  unlock (window, "Nog Niet Geactiveerd", REVIEWER_PASS);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->unlock_error),
                                   "Deze computer heeft geen werkstationsleutel voor “Nog Niet Geactiveerd”."));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");

  destroy_window (window);

  /* A server that cannot be reached is said to be so, not blamed on the passphrase. */
  {
    IntakeReviewWindow *offline = intake_review_window_new (NULL, NULL);

    gtk_window_present (GTK_WINDOW (offline));
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (offline->server_entry)));
    set_text (offline->server_entry, "http://127.0.0.1:1");
    unlock (offline, REVIEWER, REVIEWER_PASS);
    g_assert_true (g_str_has_prefix (gtk_label_get_text (offline->unlock_error), "De server is niet bereikbaar: "));
    g_assert_cmpstr (gtk_stack_get_visible_child_name (offline->stack), ==, "unlock");
    destroy_window (offline);
  }
}

static void
test_list_and_search (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER);
  IntakeReviewItem *item;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, N_RANDOM + 1);
  item = find_reference (window, env.arabic_reference);
  g_assert_nonnull (item);
  g_assert_cmpstr (intake_review_item_get_meta (item)->location, ==, "Vaals");
  g_assert_cmpstr (intake_review_item_get_meta (item)->state, ==, "new");

  /* The rows that are shown get their language (decrypted here, not on the server). */
  g_assert_true (wait_for (languages_filled, window, 30000));
  g_assert_cmpstr (intake_review_item_get_language (find_reference (window, env.arabic_reference)), ==, "Arabisch");
  g_assert_nonnull (strstr (gtk_label_get_text (window->list_status), "5 aanmeldingen"));
  screenshot (window, "list");

  /* Search by reference code, on the server. */
  search_reference (window, env.arabic_reference);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, 1);
  g_assert_nonnull (find_reference (window, env.arabic_reference));

  /* A location filter with no submissions. */
  search_reference (window, "");
  set_text (window->location_entry, "Heerlen");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (list_complete, window, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, 0);
  set_text (window->location_entry, "Vaals");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (list_complete, window, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, N_RANDOM + 1);

  /* Dates, as a caseworker types them: today has them all, yesterday none. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
    g_autofree char *today_text = g_date_time_format (now, "%d-%m-%Y");
    g_autofree char *yesterday_text = g_date_time_format (yesterday, "%d-%m-%Y");

    set_text (window->from_entry, today_text);
    gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
    g_assert_true (wait_for (list_complete, window, 30000));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, N_RANDOM + 1);
    set_text (window->from_entry, "");
    set_text (window->to_entry, yesterday_text);
    gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
    g_assert_true (wait_for (list_complete, window, 30000));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, 0);
    g_assert_cmpstr (gtk_label_get_text (window->list_status), ==, "Geen aanmeldingen voor dit filter.");
    set_text (window->to_entry, "gisteren");
    gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
    g_assert_cmpstr (gtk_label_get_text (window->list_status), ==,
                     "Schrijf een datum als dd-mm-jjjj, bijvoorbeeld 01-11-2026.");
    set_text (window->to_entry, "");
  }

  /* Lock forgets what was decrypted. */
  g_assert_cmpuint (g_hash_table_size (window->cache), >, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.lock", NULL);
  g_assert_cmpuint (g_hash_table_size (window->cache), ==, 0);
  g_assert_null (window->model);
  g_assert_false (intake_review_client_is_unlocked (intake_review_window_get_client (window)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");

  destroy_window (window);
}

static void
test_detail_arabic (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER_2);
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_builtin (NULL);
  g_autoptr(IntakeRendering) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint checked = 0;

  open_detail (window, arabic_id (window));
  text = detail_text (window);

  /* Header */
  {
    g_autofree char *header = NULL;
    GString *out = g_string_new (NULL);

    collect_text (GTK_WIDGET (window->header_box), out);
    header = g_string_free (out, FALSE);
    /* Who, first: the name and the date of birth, decrypted here. */
    g_assert_true (g_str_has_prefix (header, "مريم El Amrani\n"));
    g_assert_nonnull (strstr (header, "Locatie\nVaals"));
    g_assert_nonnull (strstr (header, "Taal van de bewoner\nArabisch (العربية)"));
    g_assert_nonnull (strstr (header, env.arabic_reference));
    g_assert_cmpstr (adw_window_title_get_title (window->detail_title), ==, "مريم El Amrani");
  }
  /* The summary on top, with its fixed heading and its sources. */
  g_assert_nonnull (strstr (text, "Hulpmiddel voor het gesprek — geen besluit en geen score over de persoon"));
  g_assert_nonnull (strstr (text, "vraag “Waar bent u goed in?”"));
  g_assert_true (strstr (text, "Hulpmiddel voor het gesprek") < strstr (text, "Alle antwoorden"));
  /* The free text verbatim, its language named, not translated. */
  g_assert_nonnull (strstr (text, "Waar bent u goed in?\n" ARABIC_TEXT "\nGeschreven in het Arabisch; niet vertaald"));
  if (env.arabic_declined)
    g_assert_nonnull (strstr (text, "Wil ik liever niet zeggen"));

  /* Every shown question with its Dutch answer, as the model renders the
   * submission the kiosk sealed. */
  expected = intake_submission_render (env.arabic, questionnaire, "nl", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected->n_rows, >, 10);
  for (guint i = 0; i < expected->n_rows; i++)
    {
      g_autofree char *pair = g_strdup_printf ("%s\n%s\n", expected->rows[i].question_text, expected->rows[i].answer_text);

      if (strstr (text, pair) == NULL)
        g_error ("the detail lacks the row %s:\n%s\n--- page:\n%s", expected->rows[i].code, pair, text);
      checked++;
    }
  g_assert_cmpuint (checked, ==, expected->n_rows);
  /* No Arabic question texts: the staff read Dutch. */
  g_assert_null (strstr (text, "ما الذي تجيدونه؟"));

  /* The access history shows this very fetch. */
  g_assert_nonnull (strstr (text, "Toegangsgeschiedenis"));
  g_assert_nonnull (strstr (text, REVIEWER_2 " heeft de versleutelde aanmelding van de server opgehaald"));

  screenshot (window, "detail");

  /* "uit: vraag …" takes the caseworker to the full answer. */
  {
    GtkWidget *link = find_button (GTK_WIDGET (window->detail_box), "vraag “Waar bent u goed in?”");
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (window->detail_scroll);

    g_assert_nonnull (link);
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
    g_signal_emit_by_name (link, "clicked");
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
    screenshot (window, "detail-free-text");
  }
  destroy_window (window);
}

static void
select_state (IntakeReviewWindow *window,
              const char         *state)
{
  const char * const *states = intake_review_states ();

  for (guint i = 0; states[i] != NULL; i++)
    if (g_str_equal (states[i], state))
      {
        adw_combo_row_set_selected (window->state_row, i);
        /* A planned conversation has its date. */
        if (g_str_equal (state, "conversation_planned"))
          set_text (window->appointment_row, "14-03-2031 10:30");
        return;
      }
  g_assert_not_reached ();
}

static void
test_workflow_conflict (void)
{
  IntakeReviewWindow *a = new_unlocked_window (REVIEWER);
  IntakeReviewWindow *b = new_unlocked_window (REVIEWER_3);
  g_autofree char *id = g_strdup (arabic_id (a));
  const char *status;

  /* Both look at the same submission. */
  open_detail (a, id);
  open_detail (b, id);
  g_assert_cmpint (a->detail_meta->version, ==, b->detail_meta->version);

  /* A takes it in review for a unit, from the office's list. */
  g_assert_true (wait_for (choices_loaded, a, 30000));
  select_state (a, "in_review");
  choose (a->unit_row, a->unit_choices, "Team Werk");
  gtk_widget_activate_action (GTK_WIDGET (a), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, a, 30000));
  g_assert_cmpstr (gtk_label_get_text (a->workflow_status), ==, "Opgeslagen.");

  /* B's list shows it, and a state filter finds it. */
  gtk_widget_activate_action (GTK_WIDGET (b), "review.back", NULL);
  show_view (b, "state:in_review");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b->model)), ==, 1);
  {
    IntakeReviewItem *item = find_reference (b, env.arabic_reference);

    g_assert_nonnull (item);
    g_assert_cmpstr (intake_review_item_get_meta (item)->state, ==, "in_review");
    g_assert_cmpstr (intake_review_item_get_meta (item)->unit, ==, "Team Werk");
  }
  show_view (b, "all");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b->model)), ==, N_RANDOM + 1);

  /* B, still on the version it read before A's change, closes it: refused,
   * and told what A did. Simulate the stale page by opening, then letting A
   * change it again. */
  open_detail (b, id);
  select_state (a, "conversation_planned");
  gtk_widget_activate_action (GTK_WIDGET (a), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, a, 30000));
  g_assert_cmpstr (gtk_label_get_text (a->workflow_status), ==, "Opgeslagen.");

  select_state (b, "closed");
  gtk_widget_activate_action (GTK_WIDGET (b), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, b, 30000));
  status = gtk_label_get_text (b->workflow_status);
  g_assert_true (g_str_has_prefix (status, "Niet opgeslagen: " REVIEWER " heeft deze aanmelding op "));
  g_assert_nonnull (strstr (status, "Status is nu “Gesprek gepland”, afdeling “Team Werk”"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (b->workflow_status), "review-conflict"));
  g_assert_true (g_str_has_suffix (adw_window_title_get_subtitle (b->detail_title), " · Gesprek gepland"));
  /* B's own choice stays selected, to save again on purpose. */
  g_assert_cmpuint (adw_combo_row_get_selected (b->state_row), ==, 4);
  screenshot (b, "detail-conflict");

  /* Having seen it, B saves again on purpose. */
  gtk_widget_activate_action (GTK_WIDGET (b), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, b, 30000));
  g_assert_cmpstr (gtk_label_get_text (b->workflow_status), ==, "Opgeslagen.");
  g_assert_cmpstr (b->detail_meta->state, ==, "closed");

  destroy_window (a);
  destroy_window (b);
}

static gboolean
note_shown (gpointer data)
{
  IntakeReviewWindow *window = data;
  g_autofree char *text = NULL;

  if (!window->detail_ready || !window->audit_ready || window->adding_note)
    return FALSE;
  text = detail_text (window);
  return strstr (text, "Bel eerst de tolk") != NULL;
}

static gboolean
note_audited (gpointer data)
{
  IntakeReviewWindow *window = data;
  g_autofree char *text = NULL;

  if (!window->audit_ready)
    return FALSE;
  text = detail_text (window);
  if (strstr (text, " heeft een notitie toegevoegd") != NULL)
    return TRUE;
  /* The history was read before the note's event: read it again. */
  window->audit_ready = FALSE;
  intake_review_window_load_audit (window);
  return FALSE;
}

static void
test_notes (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER_2);
  g_autofree char *text = NULL;
  gint64 version;
  double scrolled = 0;

  open_detail (window, arabic_id (window));
  version = window->detail_meta->version;
  text = detail_text (window);
  g_assert_nonnull (strstr (text, "Nog geen notities."));
  g_clear_pointer (&text, g_free);

  /* The caseworker has scrolled down to the notes. */
  screenshot (window, "notes-before");
  {
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (window->detail_scroll);
    graphene_point_t point;

    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (window->note_view), GTK_WIDGET (window->detail_box),
                                             &GRAPHENE_POINT_INIT (0, 0), &point));
    gtk_adjustment_set_value (adjustment, MAX (0, point.y - 200));
    scrolled = gtk_adjustment_get_value (adjustment);
    g_test_message ("scrolled to %.0f", scrolled);
  }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (window->note_view),
                            "Bel eerst de tolk (Arabisch) voor het gesprek.", -1);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.add-note", NULL);
  g_assert_true (window->adding_note);
  g_assert_true (wait_for (note_shown, window, 30000));
  /* Added in place: the page stays where the caseworker was. */
  g_assert_cmpfloat (scrolled, >, 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (window->detail_scroll)), ==,
                     scrolled);
  screenshot (window, "notes-added");

  /* Sealed here, stored on the server, opened here again. */
  text = detail_text (window);
  g_assert_nonnull (strstr (text, REVIEWER_2 "\nBel eerst de tolk (Arabisch) voor het gesprek.\n"));
  g_assert_cmpint (window->detail_meta->notes, ==, 1);
  /* Added in place: the page did not jump to the top. */
  g_assert_cmpstr (gtk_label_get_text (window->note_status), ==, "Notitie opgeslagen.");
  g_assert_cmpint (window->detail_meta->version, ==, version + 1);
  g_assert_true (wait_for (note_audited, window, 30000));
  g_clear_pointer (&text, g_free);
  text = detail_text (window);
  g_assert_nonnull (strstr (text, REVIEWER_2 " heeft een notitie toegevoegd"));
  /* What only the app witnesses was reported when it happened. */
  g_assert_nonnull (strstr (text, REVIEWER_2 " heeft de aanmelding op de eigen computer geopend"));
  g_assert_nonnull (strstr (text, REVIEWER_2 " heeft de aanmelding bekeken"));

  destroy_window (window);
}

static gboolean
name_search_done (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->name_query != NULL && window->name_search_done;
}

static void
test_name_search (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER);
  GListModel *shown = NULL;

  /* Names are only inside envelopes: the whole filter is opened here
   * (all submissions: the queue's "to do" leaves out handled ones). */
  show_view (window, "all");
  set_text (window->name_search, "el amrani");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (name_search_done, window, 60000));
  g_assert_cmpuint (g_hash_table_size (window->cache), ==, N_RANDOM + 1);
  g_object_get (window->selection, "model", &shown, NULL);
  g_assert_true (shown == G_LIST_MODEL (window->name_results));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  {
    g_autoptr(IntakeReviewItem) item = g_list_model_get_item (shown, 0);

    g_assert_cmpstr (intake_review_item_get_meta (item)->reference, ==, env.arabic_reference);
  }
  g_assert_cmpstr (gtk_label_get_text (window->list_status), ==, "1 van 5 aanmeldingen van dit filter passen bij de naam.");
  g_clear_object (&shown);

  /* In the resident's script, too. */
  set_text (window->name_search, "مريم");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (name_search_done, window, 60000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->name_results)), ==, 1);

  set_text (window->name_search, "Pietersen");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (name_search_done, window, 60000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->name_results)), ==, 0);

  /* Without a name, the filter's list again. */
  set_text (window->name_search, "");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.search", NULL);
  g_assert_true (wait_for (list_complete, window, 30000));
  g_assert_null (window->name_results);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->selection)), ==, N_RANDOM + 1);

  destroy_window (window);
}

/* ---- Export ------------------------------------------------------------ */

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **)data != NULL;
}

/* RFC 4180 records. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr(GPtrArray) row = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  const char *p = text;
  gboolean quoted = FALSE;

  if (g_str_has_prefix (p, "\xEF\xBB\xBF"))
    p += 3;
  for (; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, '"'), p++;
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (*p == '\r')
        continue;
      else if (*p == '\n')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (row, NULL);
          g_ptr_array_add (rows, g_ptr_array_steal (row, NULL));
        }
      else
        g_string_append_c (field, *p);
    }
  g_string_free (field, TRUE);
  return rows;
}

static void
test_export_csv (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER_2);
  g_autofree char *path = g_build_filename (env.server->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *contents = NULL;
  char **header, **row;
  guint64 n_rows = 0;
  guint compared = 0;

  search_reference (window, env.arabic_reference);
  intake_review_window_export_async (window, INTAKE_EXPORT_FORMAT_CSV, FALSE, file, NULL, export_done_cb, &result);
  g_assert_true (wait_for (result_set, &result, 60000));
  g_assert_true (intake_review_window_export_finish (window, result, &n_rows, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 1);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  rows = parse_csv (contents);
  g_assert_cmpuint (rows->len, ==, 2);
  header = g_ptr_array_index (rows, 0);
  row = g_ptr_array_index (rows, 1);
  g_assert_cmpuint (g_strv_length (header), ==, g_strv_length (row));
  g_assert_true (g_strv_contains ((const char * const *)row, env.arabic_reference));
  g_assert_true (g_strv_contains ((const char * const *)row, "Vaals"));

  /* Each question column holds exactly the answer the resident gave. */
  for (guint c = INTAKE_EXPORT_N_FIXED_COLUMNS; header[c] != NULL; c++)
    {
      g_autoptr(GString) expected = g_string_new (NULL);

      switch (intake_submission_get_state (env.arabic, header[c]))
        {
        case INTAKE_SUBMISSION_ANSWERED:
          intake_submission_append_value_text (env.arabic, header[c], expected);
          break;
        case INTAKE_SUBMISSION_DECLINED:
          g_string_append (expected, INTAKE_EXPORT_DECLINED);
          break;
        case INTAKE_SUBMISSION_SKIPPED:
          g_string_append (expected, INTAKE_EXPORT_SKIPPED);
          break;
        case INTAKE_SUBMISSION_NOT_SHOWN:
          break;
        }
      if (!g_str_equal (row[c], expected->str))
        g_error ("column %s: exported \"%s\", answered \"%s\"", header[c], row[c], expected->str);
      compared++;
    }
  g_assert_cmpuint (compared, >, 10);
  g_assert_true (g_strv_contains ((const char * const *)row, ARABIC_TEXT));

  destroy_window (window);
}

/* `intake-admin export` as JSON: every submission, decrypted by the
 * command's own client in its own main context. */
static void
test_admin_export_json (void)
{
  g_autofree char *path = g_build_filename (env.server->dir, "export.json", NULL);
  g_autofree char *pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("INTAKE_ADMIN"), "export", "--server", env.server->url,
                         "--reviewer", REVIEWER_3, "--passphrase-file", pass_file,
                         "--format", "json", "--out", path, NULL };
  JsonArray *array;
  gboolean found = FALSE;

  g_assert_nonnull (argv[0]);
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  /* intake-admin speaks the staff's language too: Dutch here (LANGUAGE=nl). */
  expected = g_strdup_printf ("%u aanmeldingen geëxporteerd naar %s\n", N_RANDOM + 1, path);
  g_assert_cmpstr (out, ==, expected);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, N_RANDOM + 1);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *json = json_to_string (json_array_get_element (array, i), FALSE);

      found |= strstr (json, ARABIC_TEXT) != NULL && strstr (json, env.arabic_reference) != NULL;
    }
  g_assert_true (found);

  /* A wrong passphrase is refused with the same words as in the window. */
  {
    g_autofree char *wrong_file = g_build_filename (env.server->dir, "wrong-passphrase", NULL);
    g_autofree char *wrong_out = NULL;
    g_autofree char *wrong_err = NULL;
    const char *wrong_argv[] = { g_getenv ("INTAKE_ADMIN"), "export", "--server", env.server->url,
                                 "--reviewer", REVIEWER_3, "--passphrase-file", wrong_file,
                                 "--format", "json", "--out", path, NULL };

    intake_test_write_file (wrong_file, "niet het goede wachtwoord\n");
    g_assert_cmpint (intake_test_run (wrong_argv, NULL, &wrong_out, &wrong_err), ==, 1);
    g_assert_cmpstr (wrong_err, ==, "intake-admin: Deze naam en dit wachtwoord passen niet bij elkaar\n");
    g_assert_cmpstr (wrong_out, ==, "");
  }
}

/* The same export from the command line, as staff script it. */
static void
test_admin_export (void)
{
  g_autofree char *path = g_build_filename (env.server->dir, "export.csv", NULL);
  g_autofree char *pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { g_getenv ("INTAKE_ADMIN"), "export", "--server", env.server->url,
                         "--reviewer", REVIEWER_4, "--passphrase-file", pass_file,
                         "--format", "csv", "--out", path, NULL };
  GStatBuf st;

  g_assert_nonnull (argv[0]);
  g_assert_cmpint (intake_test_run (argv, NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "aanmeldingen geëxporteerd naar"));

  /* Answers in plain text on disk: readable by the reviewer only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbfsubmission_id,reference_code,"));
  g_assert_nonnull (strstr (contents, env.arabic_reference));
  g_assert_nonnull (strstr (contents, ARABIC_TEXT));
}

static void
kiosk_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
has_at_least (gpointer data)
{
  gpointer *args = data;
  IntakeReviewWindow *window = args[0];

  return window->model != NULL &&
         g_list_model_get_n_items (G_LIST_MODEL (window->model)) >= GPOINTER_TO_UINT (args[1]) &&
         !intake_review_list_model_get_loading (window->model);
}

static gboolean
decrypts_idle (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->decrypts_running == 0 && g_queue_is_empty (&window->decrypt_queue) &&
         window->visible_update == 0 && g_hash_table_size (window->cache) > 0;
}

/* Many submissions: pages load as the list scrolls, and only the rows shown
 * are decrypted. Runs last: it adds submissions. */
static void
test_paging (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeKiosk) kiosk = intake_kiosk_new (env.kiosk_dir, NULL, NULL, &error);
  g_autoptr(IntakeSync) sync = NULL;
  IntakeReviewWindow *window;
  GtkAdjustment *adjustment;
  /* The random ones, the Arabic one, and the one the queue test added. */
  guint existing = N_RANDOM + 2;
  guint total = existing + 4 * INTAKE_REVIEW_LIST_PAGE_SIZE + 20;
  gpointer args[2];

  g_assert_no_error (error);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, total - existing, 7, &error), ==, total - existing);
  sync = intake_sync_new (kiosk);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);

  window = new_window ();
  unlock (window, REVIEWER_3, REVIEWER_PASS);
  args[0] = window;
  args[1] = GUINT_TO_POINTER (INTAKE_REVIEW_LIST_PAGE_SIZE);
  g_assert_true (wait_for (has_at_least, args, 30000));
  g_assert_true (wait_for (decrypts_idle, window, 30000));
  screenshot (window, "list-many");
  /* Only some pages of metadata (GTK 4.8 keeps up to 200 rows bound), and
   * only the rows on screen, about 10 of three lines each, were opened. */
  g_test_message ("loaded %u of %u, decrypted %u", g_list_model_get_n_items (G_LIST_MODEL (window->model)), total,
                  g_hash_table_size (window->cache));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), <=, 3 * INTAKE_REVIEW_LIST_PAGE_SIZE);
  g_assert_false (intake_review_list_model_get_complete (window->model));
  g_assert_cmpuint (g_hash_table_size (window->cache), >=, 8);
  g_assert_cmpuint (g_hash_table_size (window->cache), <, 35);

  /* Scrolling to the end loads the next pages, until the last. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (window->list_view));
  while (!list_complete (window))
    {
      args[1] = GUINT_TO_POINTER (g_list_model_get_n_items (G_LIST_MODEL (window->model)) + 1);
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      g_assert_true (wait_for (has_at_least, args, 30000));
    }
  /* "To do": all but the one closed earlier. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, total - 1);
  /* The list's height is estimated until rows are laid out: scroll to the
   * end until the last row is on screen and has been opened. */
  for (guint tries = 0; tries < 20; tries++)
    {
      g_autoptr(IntakeReviewItem) last = g_list_model_get_item (G_LIST_MODEL (window->model), total - 2);

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      kiosk_spin (150);
      g_assert_true (wait_for (decrypts_idle, window, 30000));
      if (intake_review_item_get_language (last) != NULL)
        break;
    }
  /* A few screens were shown (the first, the end of each page as it came,
   * the end): some 27 rows each, far from all of them. */
  g_test_message ("decrypted %u of %u", g_hash_table_size (window->cache), total);
  g_assert_cmpuint (g_hash_table_size (window->cache), <, 5 * 30);
  {
    g_autoptr(IntakeReviewItem) last = g_list_model_get_item (G_LIST_MODEL (window->model), total - 2);

    g_assert_nonnull (intake_review_item_get_language (last));
  }

  destroy_window (window);
}

static gboolean
pdf_audit_ready (gpointer data)
{
  return ((IntakeReviewWindow *)data)->audit_ready;
}

/* Runs a poppler tool on @pdf and returns its standard output. */
static char *
run_poppler (const char *tool,
             const char *pdf,
             const char *extra)
{
  g_autofree char *program = g_find_program_in_path (tool);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (program == NULL)
    g_error ("%s is missing: install poppler-utils (scripts/install-deps)", tool);
  {
    const char *argv[] = { program, pdf, extra, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", tool, pdf, err);
  return g_steal_pointer (&out);
}

/* Are the letters of @answer (decomposed, without marks and spaces) all in
 * the next stretch of @text, as many times? */
static gboolean
letters_within (const char *text,
                const char *answer)
{
  g_autofree char *t = g_utf8_normalize (text, MIN (strlen (text), 4 * strlen (answer) + 400), G_NORMALIZE_NFKD);
  g_autofree char *a = g_utf8_normalize (answer, -1, G_NORMALIZE_NFKD);
  g_autoptr(GHashTable) have = g_hash_table_new (NULL, NULL);

  if (t == NULL || a == NULL)
    return FALSE;
  for (const char *c = t; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (g_unichar_isalpha (u))
        g_hash_table_insert (have, GUINT_TO_POINTER (u),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (have, GUINT_TO_POINTER (u))) + 1));
    }
  for (const char *c = a; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);
      guint n;

      if (!g_unichar_isalpha (u))
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (have, GUINT_TO_POINTER (u)));
      if (n == 0)
        return FALSE;
      g_hash_table_insert (have, GUINT_TO_POINTER (u), GUINT_TO_POINTER (n - 1));
    }
  return TRUE;
}

static void
test_pdf (void)
{
  g_autoptr(IntakeQuestionnaire) questionnaire = intake_questionnaire_new_builtin (NULL);
  g_autoptr(IntakeRendering) rendering = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = artifacts_dir ();
  g_autofree char *path = g_build_filename (dir, "gesprek.pdf", NULL);
  g_autofree char *png_prefix = g_build_filename (dir, "gesprek", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  const char *answers = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func ((GDestroyNotify)intake_review_note_free);
  IntakeReviewPdfMeta meta = { env.arabic_reference, "01-02-2026 10:15", "Vaals", "Gesprek gepland", "Team Werk",
                               "12 dagen", REVIEWER, "14-03-2031 10:30", notes };
  g_autofree char *name = intake_submission_dup_display_name (env.arabic);
  g_autofree char *birth = intake_submission_dup_birth_date (env.arabic);
  GStatBuf st;
  gsize len = 0;
  guint found = 0;

  g_assert_nonnull (env.arabic);
  {
    IntakeReviewNote *note = g_new0 (IntakeReviewNote, 1);
    const char *words = "Belt graag na 14 uur; neemt diploma mee naar het gesprek.";

    note->reviewer = g_strdup (REVIEWER_2);
    note->created_at = 1790000000;
    note->text = intake_secure_buffer_new_copy (words, strlen (words) + 1);
    g_ptr_array_add (notes, note);
  }
  /* An earlier file of any mode is replaced by a private one. */
  g_assert_true (g_file_set_contents_full (path, "old", -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_true (intake_review_pdf_write (env.arabic, questionnaire, &meta, path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 4);
  g_assert_true (memcmp (contents, "%PDF", 4) == 0);

  info = run_poppler ("pdfinfo", path, NULL);
  g_test_message ("%s", info);
  /* As many pages as it needs: nothing is cut to fit one. */
  g_assert_true (g_regex_match_simple ("^Pages:\\s+([2-9]|\\d\\d)$", info, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^Page size:\\s+595\\.2\\d* x 841\\.8\\d* pts \\(A4\\)", info, G_REGEX_MULTILINE, 0));
  /* The file's metadata names no one. */
  g_assert_null (strstr (info, "Amrani"));

  text = run_poppler ("pdftotext", path, "-");
  /* Lines wrap where the page ends them; compare with single spaces. */
  {
    g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);

    flat = g_regex_replace_literal (space, text, -1, 0, " ", 0, NULL);
  }
  /* Who, in the title: the name and the date of birth. */
  g_assert_nonnull (birth);
  g_assert_nonnull (strstr (flat, "Intakegesprek"));
  g_assert_nonnull (strstr (flat, "El Amrani"));
  g_assert_true (strstr (flat, "El Amrani") < strstr (flat, "Referentie"));
  {
    g_autofree char *born = g_strdup_printf ("geboren %s", birth);

    g_assert_nonnull (strstr (flat, born));
    g_assert_true (strstr (flat, born) < strstr (flat, "Referentie"));
  }
  g_assert_nonnull (name);
  g_assert_nonnull (strstr (flat, env.arabic_reference));
  g_assert_nonnull (strstr (flat, "Locatie: Vaals"));
  g_assert_nonnull (strstr (flat, "Toegewezen aan: " REVIEWER));
  g_assert_nonnull (strstr (flat, "14-03-2031 10:30"));
  g_assert_nonnull (strstr (flat, "Arabisch"));
  g_assert_nonnull (strstr (flat, "Hulpmiddel voor het gesprek — geen besluit en geen score over de persoon"));
  g_assert_nonnull (strstr (flat, "uit: vraag “Waar bent u goed in?”"));
  g_assert_nonnull (strstr (flat, "Vertrouwelijk — alleen voor het intakegesprek"));
  g_assert_nonnull (strstr (flat, "Pagina 1 van "));
  g_assert_nonnull (strstr (flat, "afgedrukt op"));
  /* The notes, with who wrote them. */
  g_assert_nonnull (strstr (flat, "neemt diploma mee naar het gesprek"));
  g_assert_nonnull (strstr (flat, REVIEWER_2));
  /* The summary comes before the answers. */
  g_assert_true (strstr (flat, "Hulpmiddel voor het gesprek") < strstr (flat, "Alle antwoorden"));
  /* Every answer, with its Dutch question text (not the Arabic one). */
  rendering = intake_submission_render (env.arabic, questionnaire, "nl", &error);
  g_assert_no_error (error);
  answers = strstr (flat, "Alle antwoorden");
  g_assert_nonnull (answers);
  for (guint i = 0; i < rendering->n_rows; i++)
    {
      g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
      g_autofree char *question = g_regex_replace_literal (space, rendering->rows[i].question_text, -1, 0, " ", 0, NULL);
      g_autofree char *answer = g_regex_replace_literal (space, rendering->rows[i].answer_text, -1, 0, " ", 0, NULL);
      gboolean rtl = FALSE;

      for (const char *c = answer; *c != '\0' && !rtl; c = g_utf8_next_char (c))
        rtl = g_unichar_get_script (g_utf8_get_char (c)) == G_UNICODE_SCRIPT_ARABIC;

      if (strstr (answers, question) == NULL)
        g_error ("the question “%s” is not in the PDF", question);
      /* Right-to-left text comes out of pdftotext in its visual order,
       * ligatures taken apart: every letter of it is there, after its
       * question, not necessarily in that order. */
      if (!rtl && strstr (strstr (answers, question), answer) == NULL)
        g_error ("the answer “%s” to “%s” is not in the PDF", answer, question);
      if (rtl && !letters_within (strstr (answers, question) + strlen (question), answer))
        g_error ("the answer “%s” to “%s” is not in the PDF", answer, question);
      found++;
    }
  g_test_message ("%u of %u answers in the PDF", found, rendering->n_rows);
  g_assert_cmpuint (found, ==, rendering->n_rows);
  g_assert_null (strstr (flat, "ما الذي تجيدونه؟"));
  g_assert_null (strstr (flat, "vragen meer"));

  /* Readable: no word on any page is set smaller than 10 pt. pdftotext's
   * box of a word spans the font's ascent and descent, 1.36 times its size
   * for Noto Sans: 13 pt high is 9.6 pt type at the least. */
  {
    g_autofree char *bbox_path = g_build_filename (dir, "gesprek-bbox.html", NULL);
    g_autofree char *program = g_find_program_in_path ("pdftotext");
    g_autofree char *html = NULL;
    g_autoptr(GRegex) word = g_regex_new ("<word xMin=\"[0-9.]+\" yMin=\"([0-9.]+)\" xMax=\"[0-9.]+\" yMax=\"([0-9.]+)\"",
                                          0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    const char *argv[] = { program, "-bbox", path, bbox_path, NULL };
    double smallest = G_MAXDOUBLE;
    guint n_words = 0;
    int status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (bbox_path, &html, NULL, NULL));
    g_unlink (bbox_path);
    for (g_regex_match (word, html, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
      {
        g_autofree char *y0 = g_match_info_fetch (match, 1);
        g_autofree char *y1 = g_match_info_fetch (match, 2);

        smallest = MIN (smallest, g_ascii_strtod (y1, NULL) - g_ascii_strtod (y0, NULL));
        n_words++;
      }
    g_test_message ("%u words, the smallest box %.2f pt high", n_words, smallest);
    g_assert_cmpuint (n_words, >, 200);
    g_assert_cmpfloat (smallest, >=, 13.0);
  }

  /* A picture of the first two pages to look at. */
  {
    g_autofree char *program = g_find_program_in_path ("pdftoppm");
    const char *argv[] = { program, "-png", "-r", "60", "-f", "1", "-l", "2", path, png_prefix, NULL };
    int status = 0;

    g_assert_nonnull (program);
    g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_test_message ("pages: %s-1.png, %s-2.png", png_prefix, png_prefix);
  }

  /* A place that cannot be written is an error, not a crash. */
  {
    g_autofree char *bad = g_build_filename (dir, "no-such-dir", "gesprek.pdf", NULL);

    g_assert_false (intake_review_pdf_write (env.arabic, questionnaire, &meta, bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Every free text as long as the kiosk allows: more pages, every word of
   * it still there. */
  {
    g_autoptr(IntakeSession) session = intake_session_new (questionnaire, "ar");
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    g_autoptr(IntakeSecureBuffer) plaintext = NULL;
    g_autoptr(IntakeSubmission) submission = NULL;
    g_autofree char *long_path = g_build_filename (dir, "gesprek-lang.pdf", NULL);
    g_autofree char *long_info = NULL;
    g_autofree char *long_text = NULL;
    g_autoptr(IntakeRendering) long_rendering = NULL;
    guint n_long = 0;
    guint n_arabic = 0;
    guint n_expected = 0;
    const char *p;

    g_assert_true (intake_random_answers_fill (session, rand, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < intake_questionnaire_get_n_questions (questionnaire); i++)
      {
        const IntakeQuestion *question = intake_questionnaire_get_question (questionnaire, i);
        g_autoptr(GString) answer = g_string_new (NULL);

        if (question->type != INTAKE_QUESTION_TYPE_SHORT_TEXT || !intake_session_is_visible (session, question->code))
          continue;
        while (g_utf8_strlen (answer->str, -1) + g_utf8_strlen (ARABIC_TEXT " ", -1) <= MAX (question->max_length, 40))
          g_string_append (answer, ARABIC_TEXT " ");
        g_strchomp (answer->str);
        if (intake_session_set_answer (session, question->code, intake_answer_new_text (answer->str), NULL))
          n_long++;
      }
    g_assert_cmpuint (n_long, >, 0);
    plaintext = intake_session_serialize (session, &error);
    g_assert_no_error (error);
    submission = intake_submission_new_from_secure (plaintext, &error);
    g_assert_no_error (error);
    g_assert_true (intake_review_pdf_write (submission, questionnaire, &meta, long_path, &error));
    g_assert_no_error (error);
    long_info = run_poppler ("pdfinfo", long_path, NULL);
    g_assert_false (g_regex_match_simple ("^Pages:\\s+1$", long_info, G_REGEX_MULTILINE, 0));
    long_text = run_poppler ("pdftotext", long_path, "-");
    g_assert_nonnull (strstr (long_text, "Hulpmiddel voor het gesprek"));
    g_assert_null (strstr (long_text, "vragen meer"));
    g_assert_nonnull (strstr (long_text, "Vertrouwelijk — alleen voor het intakegesprek"));
    /* Every question is there, and every long answer as often as given. */
    long_rendering = intake_submission_render (submission, questionnaire, "nl", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < long_rendering->n_rows; i++)
      {
        g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
        g_autofree char *question = g_regex_replace_literal (space, long_rendering->rows[i].question_text, -1, 0,
                                                             " ", 0, NULL);
        g_autoptr(GRegex) marks = g_regex_new ("[\\x{200e}\\x{200f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]", 0, 0, NULL);
        g_autofree char *unmarked = g_regex_replace_literal (marks, long_text, -1, 0, "", 0, NULL);
        g_autofree char *long_flat = g_regex_replace_literal (space, unmarked, -1, 0, " ", 0, NULL);

        /* On a page that is mostly Arabic pdftotext reads a Dutch line
         * right to left too: its final question mark comes first. */
        if (g_str_has_suffix (question, "?"))
          question[strlen (question) - 1] = '\0';
        if (strstr (long_flat, question) == NULL)
          g_error ("the question “%s” is not in the long PDF", question);
      }
    /* Every word of every long answer: a word of it as often as the answers have it. */
    for (p = long_text; (p = strstr (p, "الطبخ")) != NULL; p++)
      n_arabic++;
    for (guint i = 0; i < long_rendering->n_rows; i++)
      for (p = long_rendering->rows[i].answer_text; p != NULL && (p = strstr (p, "الطبخ")) != NULL; p++)
        n_expected++;
    g_test_message ("%u long answers, “الطبخ” %u times in the PDF, %u in the answers", n_long, n_arabic, n_expected);
    g_assert_cmpuint (n_expected, >, n_long);
    g_assert_cmpuint (n_arabic, >=, n_expected);
  }

  /* The detail page's "PDF voor het gesprek": the same page, reported as an
   * export in the submission's access history. */
  {
    IntakeReviewWindow *window = new_unlocked_window (REVIEWER_3);
    g_autofree char *from_window = g_build_filename (dir, "gesprek-venster.pdf", NULL);
    g_autofree char *page = NULL;
    gboolean reported = FALSE;

    g_unlink (from_window);
    /* Nothing to print before a submission is shown. */
    g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window->detail_actions), "pdf-to"));
    gtk_widget_activate_action (GTK_WIDGET (window), "detail.pdf-to", "s", from_window);
    g_assert_false (g_file_test (from_window, G_FILE_TEST_EXISTS));
    open_detail (window, arabic_id (window));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "detail.pdf-to", "s", from_window));
    g_assert_cmpint (g_stat (from_window, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_true (g_str_has_prefix (gtk_label_get_text (window->workflow_status), "PDF opgeslagen"));
    page = run_poppler ("pdftotext", from_window, "-");
    g_assert_nonnull (strstr (page, env.arabic_reference));
    g_assert_nonnull (strstr (page, "Locatie: Vaals"));

    /* The event is reported asynchronously: read the history until it is there. */
    for (guint attempt = 0; attempt < 50 && !reported; attempt++)
      {
        g_autofree char *history = NULL;

        window->audit_ready = FALSE;
        intake_review_window_load_audit (window);
        g_assert_true (wait_for (pdf_audit_ready, window, 30000));
        history = detail_text (window);
        reported = strstr (history, REVIEWER_3 " heeft de aanmelding in een bestand opgeslagen") != NULL;
        if (!reported)
          kiosk_spin (100);
      }
    g_assert_true (reported);
    screenshot (window, "detail-pdf");
    destroy_window (window);
  }
}

/* ---- Dashboard --------------------------------------------------------- */

static gboolean
dashboard_ready (gpointer data)
{
  IntakeReviewDashboard *dashboard = data;

  return !intake_review_dashboard_get_loading (dashboard) && intake_review_dashboard_get_model (dashboard) != NULL;
}

static void
assert_chart_says (IntakeReviewDashboard *dashboard,
                   IntakeDashboardSeries  series,
                   const char            *needle)
{
  GtkWidget *chart = intake_review_dashboard_get_chart (dashboard, series);
  g_autofree char *words = intake_dashboard_describe (intake_review_dashboard_get_model (dashboard), series);
  g_autofree char *mismatch = NULL;

  g_assert_nonnull (chart);
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG));
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, words);
  g_assert_null (mismatch);
  if (strstr (words, needle) == NULL)
    g_error ("chart description “%s” lacks “%s”", words, needle);
}

static void
test_dashboard (void)
{
  IntakeReviewWindow *window;
  IntakeReviewDashboard *dashboard;
  IntakeDashboard *model;
  g_autoptr(GPtrArray) weeks = NULL;
  g_autoptr(GPtrArray) help_weeks = NULL;
  g_autoptr(GString) sectors = g_string_new (NULL);
  guint sum = 0;

  /* The widget alone: nothing holds on to it. */
  {
    GtkWidget *alone = g_object_ref_sink (intake_review_dashboard_new ());

    g_assert_false (intake_review_dashboard_get_loading (INTAKE_REVIEW_DASHBOARD (alone)));
    g_assert_null (intake_review_dashboard_get_model (INTAKE_REVIEW_DASHBOARD (alone)));
    g_assert_finalize_object (alone);
  }

  /* Help requests from the kiosk, 6 in Arabic and 1 in Tigrinya, through the real sync engine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IntakeKiosk) kiosk = intake_kiosk_new (env.kiosk_dir, NULL, NULL, &error);
    g_autoptr(IntakeSync) sync = NULL;

    g_assert_no_error (error);
    for (guint i = 0; i < 7; i++)
      {
        g_assert_true (intake_kiosk_request_help (kiosk, i < 6 ? "ar" : "ti", &error));
        g_assert_no_error (error);
      }
    sync = intake_sync_new (kiosk);
    g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
    g_assert_no_error (error);
  }
  /* Staff at the counter have handled them: the dashboard counts them all
   * the same, and the window's help list (tests/test-review-help.c) has
   * nothing to notify of on this bus, which has no notification service. */
  {
    g_autoptr(IntakeStore) store = test_server_open_store (env.server);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) open = intake_store_list_open_help_requests (store, 100, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (open->len, ==, 7);
    for (guint i = 0; i < open->len; i++)
      {
        const IntakeStoreHelpRequest *request = g_ptr_array_index (open, i);
        g_autoptr(IntakeAuditEvent) event = intake_audit_event_new (g_get_real_time () / G_USEC_PER_SEC, "balie",
                                                                    "help_handled", "help_request", "ok", "test");

        g_assert_true (intake_store_handle_help_request (store, request->id, NULL, "balie",
                                                         g_get_real_time () / G_USEC_PER_SEC, event, NULL, NULL,
                                                         &error));
        g_assert_no_error (error);
      }
  }

  window = new_unlocked_window (REVIEWER_4);

  gtk_widget_activate_action (GTK_WIDGET (window), "review.dashboard", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "dashboard");
  dashboard = INTAKE_REVIEW_DASHBOARD (gtk_stack_get_child_by_name (window->stack, "dashboard"));
  g_assert_true (wait_for (dashboard_ready, dashboard, 60000));
  model = intake_review_dashboard_get_model (dashboard);

  /* Every uploaded submission, from the one kiosk in Vaals. */
  g_assert_cmpuint (intake_dashboard_get_total (model), ==, N_RANDOM + 1);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_LOCATIONS, "Vaals"), ==, N_RANDOM + 1);
  weeks = intake_dashboard_list_keys (model, INTAKE_DASHBOARD_WEEKS);
  for (guint i = 0; i < weeks->len; i++)
    sum += intake_dashboard_get_week_location (model, weeks->pdata[i], "Vaals");
  g_assert_cmpuint (sum, ==, N_RANDOM + 1);
  /* Languages from the decrypted answers: 2 Dutch, 2 English, 1 Arabic. */
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_LANGUAGES, "nl"), ==, N_RANDOM / 2);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_LANGUAGES, "en"), ==, N_RANDOM / 2);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_LANGUAGES, "ar"), ==, 1);
  g_assert_cmpstr (intake_dashboard_get_label (model, INTAKE_DASHBOARD_LANGUAGES, "ar"), ==, "Arabisch");
  /* The Arabic submission's sectors are among those counted. */
  intake_submission_append_value_text (env.arabic, "sector_wish", sectors);
  if (sectors->len > 0)
    {
      g_auto(GStrv) codes = g_strsplit (sectors->str, ";", -1);

      for (guint i = 0; codes[i] != NULL; i++)
        g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_SECTORS, codes[i]), >=, 1);
    }
  /* The help requests, per week and language. */
  g_assert_cmpuint (intake_dashboard_get_help_total (model), ==, 7);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_HELP_LANGUAGES, "ar"), ==, 6);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_HELP_LANGUAGES, "ti"), ==, 1);
  help_weeks = intake_dashboard_list_keys (model, INTAKE_DASHBOARD_HELP_WEEKS);
  sum = 0;
  for (guint i = 0; i < help_weeks->len; i++)
    sum += intake_dashboard_get_count (model, INTAKE_DASHBOARD_HELP_WEEKS, help_weeks->pdata[i]);
  g_assert_cmpuint (sum, ==, 7);

  /* The charts state their numbers in words, small cells as "< 5". */
  if (weeks->len == 1)
    assert_chart_says (dashboard, INTAKE_DASHBOARD_WEEKS, "): 5 (Vaals 5)");
  assert_chart_says (dashboard, INTAKE_DASHBOARD_LANGUAGES, "Arabisch: < 5");
  assert_chart_says (dashboard, INTAKE_DASHBOARD_LANGUAGES, "Nederlands: < 5");
  assert_chart_says (dashboard, INTAKE_DASHBOARD_SECTORS, "Gewenste sectoren: ");
  if (help_weeks->len == 1)
    assert_chart_says (dashboard, INTAKE_DASHBOARD_HELP_WEEKS, "): 7.");
  screenshot (window, "dashboard");
  /* And right to left, to look at: the charts and their labels mirror. */
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  screenshot (window, "dashboard-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);

  /* The first visit opened every submission once for languages and sectors. */
  g_assert_cmpuint (intake_review_dashboard_get_decrypted (dashboard), ==, N_RANDOM + 1);

  /* Back to the list, and again: the backlog and weeks come from the server's
   * metadata, the answer-based counts from this unlock's facts: nothing is
   * opened a second time. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.dashboard", NULL);
  dashboard = INTAKE_REVIEW_DASHBOARD (gtk_stack_get_child_by_name (window->stack, "dashboard"));
  g_assert_true (wait_for (dashboard_ready, dashboard, 60000));
  g_assert_cmpuint (intake_review_dashboard_get_decrypted (dashboard), ==, 0);
  model = intake_review_dashboard_get_model (dashboard);
  g_assert_cmpuint (intake_dashboard_get_total (model), ==, N_RANDOM + 1);
  g_assert_cmpuint (intake_dashboard_get_count (model, INTAKE_DASHBOARD_LANGUAGES, "ar"), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.back", NULL);
  destroy_window (window);
}


/* ---- Activation, recovery code, passphrase change, roles --------------- */

static gboolean
on_page (gpointer data)
{
  gpointer *args = data;
  IntakeReviewWindow *window = args[0];

  return !window->unlocking &&
         g_strcmp0 (gtk_stack_get_visible_child_name (window->stack), args[1]) == 0;
}

static void
wait_for_page (IntakeReviewWindow *window,
               const char         *page)
{
  gpointer args[] = { window, (gpointer) page };

  g_assert_true (wait_for (unlock_settled, window, 60000));
  g_assert_true (wait_for (on_page, args, 1000));
}

static gboolean
detail_failed (gpointer data)
{
  IntakeReviewWindow *window = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (window->detail_stack), "error") == 0;
}

static void
activate (IntakeReviewWindow *window,
          const char         *name,
          const char         *code,
          const char         *passphrase,
          const char         *repeated)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-activate", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "activate");
  set_text (window->activate_name_entry, name);
  set_text (window->activate_code_entry, code);
  set_text (window->activate_passphrase_entry, passphrase);
  set_text (window->activate_repeat_entry, repeated);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.activate", NULL);
  g_assert_true (wait_for (unlock_settled, window, 60000));
}

/* A new reviewer activates in the app: their own password, the recovery
 * sheet, then the list; on a new computer the recovery code brings the
 * workstation key back. */
static void
test_activation (void)
{
  const char *name = "Fenna Visser";
  const char *password = "mijn eigen lange wachtwoord";
  g_autofree char *code = test_reviewer_add (env.server, name, "caseworker", NULL);
  g_autofree char *dir = artifacts_dir ();
  g_autofree char *sheet = g_build_filename (dir, "herstelblad.pdf", NULL);
  g_autofree char *key_path = intake_workstation_store_dup_path (name);
  g_autofree char *recovery = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *window = new_window ();
  GStatBuf st;

  /* Two different new passwords: said, nothing sent. */
  activate (window, name, code, password, "een ander lang wachtwoord");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "activate");
  g_assert_cmpstr (gtk_label_get_text (window->activate_error), ==,
                   "De twee nieuwe wachtwoorden zijn verschillend. Typ ze opnieuw.");
  /* A short one: refused by the app before the server is asked. */
  activate (window, name, code, "kort", "kort");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->activate_error), "Kies een wachtwoord van minstens 12"));
  /* A wrong code: the server's answer, in plain words. */
  activate (window, name, "K7MX-3PEA-9TCH-WRNU-AC4F-HJ76", password, password);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "activate");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->activate_error)));
  g_test_message ("wrong code: %s", gtk_label_get_text (window->activate_error));

  /* The real one. */
  activate (window, name, code, password, password);
  if (gtk_widget_get_visible (GTK_WIDGET (window->activate_error)))
    g_error ("activation failed: %s", gtk_label_get_text (window->activate_error));
  wait_for_page (window, "recovery");
  /* The passwords went from the entries at once. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->activate_passphrase_entry)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->activate_repeat_entry)), ==, "");
  recovery = g_strdup (gtk_label_get_text (window->recovery_code_label));
  g_assert_cmpuint (strlen (recovery), ==, 14 * 4 + 13);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->recovery_warning)));
  /* The workstation key is in the app's store (here the 0600 file). */
  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  screenshot (window, "recovery-code");

  /* The recovery sheet: one private page with the name and the code. */
  g_assert_true (intake_review_window_save_recovery_sheet (window, sheet, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (sheet, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  text = run_poppler ("pdftotext", sheet, "-");
  g_assert_nonnull (strstr (text, name));
  g_assert_nonnull (strstr (text, env.server->url));
  {
    g_autoptr(GString) joined = g_string_new (NULL);

    /* The code's groups, as printed (spaces and line breaks between them). */
    for (const char *p = text; *p != '\0'; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (joined, *p);
    flat = g_strdelimit (g_strdup (recovery), "-", ' ');
    {
      g_auto(GStrv) groups = g_strsplit (flat, " ", -1);
      g_autofree char *all = g_strjoinv ("", groups);

      g_assert_nonnull (strstr (joined->str, all));
    }
  }
  g_assert_true (g_str_has_prefix (text, "Herstelblad"));

  /* Continue: the list, as a caseworker sees it; the code is gone. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.continue", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_cmpstr (gtk_label_get_text (window->recovery_code_label), ==, "");
  g_assert_null (window->new_workstation);
  g_assert_false (intake_review_window_save_recovery_sheet (window, sheet, NULL));
  g_assert_true (wait_for (list_complete, window, 30000));
  g_assert_cmpstr (adw_window_title_get_subtitle (window->list_title), ==, "Ingelogd als Fenna Visser (klantmanager)");
  show_view (window, "all");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, N_RANDOM + 1);

  /* The code works once. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.lock", NULL);
  activate (window, name, code, password, password);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "activate");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->activate_error)));

  /* Unlocking with the new password and the kept workstation key. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-unlock", NULL);
  unlock (window, name, password);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->unlock_error)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.lock", NULL);

  /* A new computer: no workstation key, so the password alone opens nothing. */
  g_assert_cmpint (g_unlink (key_path), ==, 0);
  unlock (window, name, password);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->unlock_error),
                                   "Deze computer heeft geen werkstationsleutel voor “Fenna Visser”."));
  /* The recovery code, mistyped, then right (lower case and spaces are fine). */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-restore", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "restore");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->restore_name_entry)), ==, name);
  {
    g_autofree char *typo = g_strdup (recovery);

    typo[0] = typo[0] == 'A' ? 'B' : 'A';
    set_text (window->restore_code_entry, typo);
    gtk_widget_activate_action (GTK_WIDGET (window), "review.restore", NULL);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->restore_error)));
    g_assert_false (g_file_test (key_path, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *typed = g_ascii_strdown (flat, -1);

    set_text (window->restore_code_entry, typed);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "review.restore", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "unlock");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->unlock_notice)));
  g_assert_true (g_file_test (key_path, G_FILE_TEST_IS_REGULAR));
  unlock (window, name, password);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->unlock_error)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  destroy_window (window);
}

/* A reviewer changes their own password in the app. */
static void
test_passphrase_change (void)
{
  const char *name = "Gijs Mertens";
  const char *password = "het oude lange wachtwoord";
  const char *replacement = "het nieuwe lange wachtwoord";
  g_autofree char *pass_file = g_build_filename (env.server->dir, "gijs-passphrase", NULL);
  g_autofree char *code = test_reviewer_add (env.server, name, "caseworker", NULL);
  g_autofree char *out = NULL;
  IntakeReviewWindow *window;

  intake_test_write_file (pass_file, password);
  out = test_reviewer_activate (env.server, name, code, pass_file, NULL, NULL);
  window = new_unlocked_window_with (name, password);

  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-passphrase", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "passphrase");
  /* The current password must be right ... */
  set_text (window->current_passphrase_entry, "niet het huidige wachtwoord");
  set_text (window->new_passphrase_entry, replacement);
  set_text (window->repeat_passphrase_entry, replacement);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.change-passphrase", NULL);
  g_assert_true (wait_for (passphrase_settled, window, 60000));
  g_assert_cmpstr (gtk_label_get_text (window->passphrase_status), ==, "Het huidige wachtwoord klopt niet");
  /* ... the two new ones the same ... */
  set_text (window->current_passphrase_entry, password);
  set_text (window->new_passphrase_entry, replacement);
  set_text (window->repeat_passphrase_entry, "iets anders dan het nieuwe");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.change-passphrase", NULL);
  g_assert_cmpstr (gtk_label_get_text (window->passphrase_status), ==,
                   "De twee nieuwe wachtwoorden zijn verschillend. Typ ze opnieuw.");
  /* ... and then it is changed; no password stays in an entry. */
  set_text (window->current_passphrase_entry, password);
  set_text (window->new_passphrase_entry, replacement);
  set_text (window->repeat_passphrase_entry, replacement);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.change-passphrase", NULL);
  g_assert_true (wait_for (passphrase_settled, window, 60000));
  g_assert_cmpstr (gtk_label_get_text (window->passphrase_status), ==,
                   "Uw wachtwoord is gewijzigd. Ontgrendel voortaan met het nieuwe.");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->current_passphrase_entry)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->new_passphrase_entry)), ==, "");
  screenshot (window, "passphrase-changed");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");

  /* The old password opens nothing any more; the new one does. */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.lock", NULL);
  unlock (window, name, password);
  g_assert_cmpstr (gtk_label_get_text (window->unlock_error), ==, "Deze naam en dit wachtwoord passen niet bij elkaar");
  unlock (window, name, replacement);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->unlock_error)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  destroy_window (window);
}

/* Adds and activates @name with @roles (and @extra_args: scope) through intake-admin. */
static void
add_reviewer (const char         *name,
              const char         *roles,
              const char * const *extra_args)
{
  g_autofree char *pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  g_autofree char *code = test_reviewer_add (env.server, name, roles, extra_args);
  g_autofree char *out = test_reviewer_activate (env.server, name, code, pass_file, NULL, NULL);
}

/* The app leaves out what a role cannot do; what the server refuses
 * anyway is said plainly. */
static void
test_roles (void)
{
  const char * const heerlen[] = { "--location", "Heerlen", NULL };
  IntakeReviewWindow *window;
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;

  add_reviewer ("Hanna de Wit", "privacy_officer", NULL);
  add_reviewer ("Ivo Hendriks", "administrator", NULL);
  add_reviewer ("Joost Bakker", "caseworker", heerlen);

  /* A caseworker: submissions, workflow and notes; no dashboard, no
   * access history. */
  window = new_unlocked_window (CASEWORKER);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->search_bar)));
  key = g_strdup (arabic_id (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "review.dashboard", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  open_detail (window, key);
  g_assert_true (gtk_widget_get_visible (window->workflow_box));
  g_assert_nonnull (window->note_view);
  g_assert_null (window->audit_box);
  text = detail_text (window);
  g_assert_null (strstr (text, "Toegangsgeschiedenis"));
  g_clear_pointer (&text, g_free);
  screenshot (window, "role-caseworker");
  destroy_window (window);

  /* A privacy officer: reads, and sees who accessed what; changes nothing. */
  window = new_unlocked_window ("Hanna de Wit");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.dashboard", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  open_detail (window, key);
  g_assert_false (gtk_widget_get_visible (window->workflow_box));
  g_assert_null (window->note_view);
  g_assert_nonnull (window->audit_box);
  text = detail_text (window);
  g_assert_nonnull (strstr (text, "Toegangsgeschiedenis"));
  g_clear_pointer (&text, g_free);
  destroy_window (window);

  /* An administrator: no submissions at all; the list says why. */
  window = new_window ();
  unlock (window, "Ivo Hendriks", REVIEWER_PASS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_false (gtk_widget_get_visible (window->search_box));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->search_bar)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->list_stack), ==, "no-role");
  g_assert_null (window->model);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (window->list_status),
                                   "Uw rol omvat het lezen van aanmeldingen niet."));
  g_assert_cmpstr (adw_window_title_get_subtitle (window->list_title), ==, "Ingelogd als Ivo Hendriks (beheerder)");
  screenshot (window, "role-administrator");
  destroy_window (window);

  /* A caseworker for Heerlen: the Vaals submissions are not in the list,
   * and opening one anyway is the server's 403, said plainly. */
  window = new_unlocked_window ("Joost Bakker");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.open", "s", key);
  g_assert_true (wait_for (detail_failed, window, 30000));
  /* A status page says so, with the server's reason in Dutch. */
  g_assert_cmpstr (adw_status_page_get_title (window->detail_error_page), ==, "Deze aanmelding kan niet worden geopend");
  g_assert_nonnull (strstr (adw_status_page_get_description (window->detail_error_page),
                            "Dit valt buiten de locaties of teams waarvoor u werkt."));
  screenshot (window, "role-out-of-scope");
  destroy_window (window);
}


/* ---- The queue ---------------------------------------------------------- */

static gboolean
counts_loaded (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->counts != NULL && !window->refreshing;
}

static gboolean
mine_is_one (gpointer data)
{
  IntakeReviewWindow *window = data;

  return window->counts != NULL && window->counts->mine == 1;
}

static gboolean
n_items_is (gpointer data)
{
  gpointer *args = data;
  IntakeReviewWindow *window = args[0];

  return window->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (window->model)) == GPOINTER_TO_UINT (args[1]);
}

static gboolean
detail_is (gpointer data)
{
  gpointer *args = data;
  IntakeReviewWindow *window = args[0];

  return detail_ready (window) && g_strcmp0 (window->detail_id, args[1]) == 0;
}

static const char *
item_key (IntakeReviewWindow *window,
          guint               position)
{
  g_autoptr(IntakeReviewItem) item = g_list_model_get_item (G_LIST_MODEL (window->model), position);

  /* The model holds the item: its key outlives this reference. */
  return intake_review_item_get_id (item);
}

static gboolean
find_shortcuts_window (gpointer data)
{
  GtkWindow **out = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_SHORTCUTS_WINDOW (window) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          *out = window;
          return TRUE;
        }
    }
  return FALSE;
}

static void
collect_accelerators (GtkWidget *widget,
                      GString   *out)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_autofree char *title = NULL;

      g_object_get (widget, "accelerator", &accelerator, "title", &title, NULL);
      g_string_append_printf (out, "%s=%s\n", accelerator ? accelerator : "", title ? title : "");
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_accelerators (child, out);
}

/* The list opens on what needs work, newest first, with the server's
 * counts; the order turns; new intakes appear by themselves; the detail
 * steps through the list; the shortcuts window lists the keys. */
static void
test_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IntakeKiosk) kiosk = intake_kiosk_new (env.kiosk_dir, NULL, NULL, &error);
  g_autoptr(IntakeSync) sync = NULL;
  IntakeReviewWindow *window;
  gpointer args[2];
  guint n, todo;
  gint64 states_sum = 0;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  window = new_unlocked_window (REVIEWER);
  /* "To do", newest first, by default. */
  g_assert_true (window->newest_first);
  g_assert_cmpint (window->view, ==, INTAKE_REVIEW_VIEW_TODO);
  g_assert_true (wait_for (counts_loaded, window, 30000));
  /* The server's counts: every state, and to do; the list holds as many. */
  for (guint i = 0; i < 5; i++)
    states_sum += window->counts->states[i];
  g_assert_cmpint (states_sum, ==, window->counts->total);
  n = g_list_model_get_n_items (G_LIST_MODEL (window->model));
  g_assert_cmpint (window->counts->todo, ==, n);
  {
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, window->counts->todo);

    g_assert_cmpstr (gtk_label_get_text (window->view_counts[0]), ==, shown);
  }
  g_assert_cmpuint (n, >, 2);
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(IntakeReviewItem) a = g_list_model_get_item (G_LIST_MODEL (window->model), i - 1);
      g_autoptr(IntakeReviewItem) b = g_list_model_get_item (G_LIST_MODEL (window->model), i);

      g_assert_cmpint (intake_review_item_get_meta (a)->seq, >, intake_review_item_get_meta (b)->seq);
      g_assert_true (g_strcmp0 (intake_review_item_get_meta (b)->state, "new") == 0 ||
                     g_strcmp0 (intake_review_item_get_meta (b)->assignee, REVIEWER) == 0);
    }
  /* The rows on screen show the resident's name and date of birth, opened here. */
  g_assert_true (wait_for (decrypts_idle, window, 30000));
  {
    g_autoptr(IntakeReviewItem) top = g_list_model_get_item (G_LIST_MODEL (window->model), 0);

    g_assert_nonnull (intake_review_item_get_name (top));
    g_assert_nonnull (intake_review_item_get_birth_date (top));
  }
  screenshot (window, "queue");

  /* Oldest first (Ctrl+O): the other end of the same list. */
  todo = n;
  gtk_widget_activate_action (GTK_WIDGET (window), "review.newest-first", NULL);
  g_assert_false (window->newest_first);
  g_assert_true (wait_for (list_complete, window, 30000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->model)), ==, todo);
  {
    g_autoptr(IntakeReviewItem) a = g_list_model_get_item (G_LIST_MODEL (window->model), 0);
    g_autoptr(IntakeReviewItem) b = g_list_model_get_item (G_LIST_MODEL (window->model), 1);

    g_assert_cmpint (intake_review_item_get_meta (a)->seq, <, intake_review_item_get_meta (b)->seq);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "review.newest-first", NULL);
  g_assert_true (window->newest_first);
  g_assert_true (wait_for (list_complete, window, 30000));

  /* Next and previous from the detail (Alt+Down, Alt+Up). */
  first = g_strdup (item_key (window, 0));
  second = g_strdup (item_key (window, 1));
  open_detail (window, first);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.next", NULL);
  args[0] = window;
  args[1] = second;
  g_assert_true (wait_for (detail_is, args, 30000));
  gtk_widget_activate_action (GTK_WIDGET (window), "review.previous", NULL);
  args[1] = first;
  g_assert_true (wait_for (detail_is, args, 30000));
  gtk_widget_activate_action (GTK_WIDGET (window), "review.back", NULL);

  /* A new intake arrives: the list shows it on top without anyone pressing
   * anything (the counts are asked every refresh-seconds). */
  g_object_set (window, "refresh-seconds", 1, NULL);
  g_assert_cmpuint (intake_kiosk_demo_submissions (kiosk, 1, 99, &error), ==, 1);
  g_assert_no_error (error);
  sync = intake_sync_new (kiosk);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  args[1] = GUINT_TO_POINTER (todo + 1);
  g_assert_true (wait_for (n_items_is, args, 30000));
  g_assert_cmpstr (item_key (window, 1), ==, first);
  g_assert_true (wait_for (counts_loaded, window, 30000));
  g_assert_cmpint (window->counts->todo, ==, todo + 1);

  /* The shortcuts window (Ctrl+?) lists the common steps. */
  {
    GtkWindow *shortcuts = NULL;
    g_autoptr(GString) keys = g_string_new (NULL);
    g_autofree char *lower = NULL;

    gtk_widget_activate_action (GTK_WIDGET (window), "review.show-shortcuts", NULL);
    g_assert_true (wait_for (find_shortcuts_window, &shortcuts, 10000));
    collect_accelerators (GTK_WIDGET (shortcuts), keys);
    g_test_message ("%s", keys->str);
    lower = g_ascii_strdown (keys->str, -1);
    for (const char *accel = "<alt>down\0<alt>up\0<control>o\0<control>m\0<control>s\0<control>n\0<control>p\0"
                             "<control>l\0<control>f\0<control>question\0";
         *accel != '\0'; accel += strlen (accel) + 1)
      if (strstr (lower, accel) == NULL)
        g_error ("the shortcuts window does not list %s", accel);
    gtk_window_set_default_size (shortcuts, 1000, 700);
    screenshot (shortcuts, "shortcuts");
    gtk_window_destroy (shortcuts);
  }

  /* Assigned to me (Ctrl+M): taken in review, counted under "mine". */
  open_detail (window, first);
  g_assert_true (wait_for (choices_loaded, window, 30000));
  gtk_widget_activate_action (GTK_WIDGET (window), "review.assign-me", NULL);
  g_assert_true (wait_for (saved, window, 30000));
  g_assert_cmpstr (window->detail_meta->assignee, ==, REVIEWER);
  g_assert_cmpstr (window->detail_meta->state, ==, "in_review");
  /* The save asks the counts again at once. */
  g_assert_true (wait_for (mine_is_one, window, 30000));

  /* To a colleague from the office's list, with the planned conversation. */
  choose (window->assignee_row, window->assignee_choices, REVIEWER_2);
  select_state (window, "conversation_planned");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, window, 30000));
  g_assert_cmpstr (gtk_label_get_text (window->workflow_status), ==, "Opgeslagen.");
  g_assert_cmpstr (window->detail_meta->assignee, ==, REVIEWER_2);
  g_assert_cmpstr (window->detail_meta->state, ==, "conversation_planned");
  {
    g_autoptr(GDateTime) planned = g_date_time_new_local (2031, 3, 14, 10, 30, 0);

    g_assert_cmpint (window->detail_meta->appointment_at, ==, g_date_time_to_unix (planned));
  }
  screenshot (window, "assigned");

  /* Back to nobody and "new", as the later tests expect it. */
  choose (window->assignee_row, window->assignee_choices, "");
  select_state (window, "new");
  set_text (window->appointment_row, "");
  gtk_widget_activate_action (GTK_WIDGET (window), "review.save-workflow", NULL);
  g_assert_true (wait_for (saved, window, 30000));
  g_assert_cmpstr (window->detail_meta->assignee, ==, "");
  g_assert_cmpint (window->detail_meta->appointment_at, ==, 0);
  destroy_window (window);
}

/* ---- Safe at the desk --------------------------------------------------- */

static gboolean
shows_unlock (gpointer data)
{
  IntakeReviewWindow *window = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (window->stack), "unlock") == 0;
}

static void
test_idle_lock (void)
{
  IntakeReviewWindow *window = new_unlocked_window (REVIEWER);
  gint64 started;

  open_detail (window, arabic_id (window));
  set_text (window->reference_entry, "9WFU");
  set_text (window->appointment_row, "14-03-2031 10:30");
  g_assert_cmpuint (g_hash_table_size (window->cache), >, 0);
  g_assert_true (intake_review_client_is_unlocked (window->client));

  /* Two seconds without use (the setting is in minutes; the property in seconds). */
  started = g_get_monotonic_time ();
  g_object_set (window, "idle-lock-seconds", 2, NULL);
  g_assert_true (wait_for (shows_unlock, window, 30000));
  g_test_message ("locked after %.1f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 2 * G_USEC_PER_SEC);

  /* Decrypted data and the office secret are gone; every field is empty. */
  g_assert_false (intake_review_client_is_unlocked (window->client));
  g_assert_cmpuint (g_hash_table_size (window->cache), ==, 0);
  g_assert_null (window->model);
  g_assert_null (window->detail_id);
  g_assert_null (window->detail_meta);
  g_assert_null (window->counts);
  g_assert_cmpuint (g_hash_table_size (window->dashboard_facts), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->passphrase_entry)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->reference_entry)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->appointment_row)), ==, "");
  {
    GString *out = g_string_new (NULL);
    g_autofree char *text = NULL;

    collect_text (GTK_WIDGET (window->header_box), out);
    collect_text (GTK_WIDGET (window->detail_box), out);
    text = g_string_free (out, FALSE);
    g_assert_null (strstr (text, "Amrani"));
    g_assert_cmpstr (text, ==, "");
  }
  screenshot (window, "idle-locked");

  /* The next person unlocks as usual. */
  g_object_set (window, "idle-lock-seconds", 0, NULL);
  unlock (window, REVIEWER, REVIEWER_PASS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  destroy_window (window);
}

/* After an office key rotation (docs/server.md, "Rotating the office
 * key") the app reads both what was sealed before and what the kiosk seals
 * for the new key, and seals a note for the new key. */
static void
test_office_rotation (void)
{
  const char *rotate[] = { "office", "rotate", env.server->office_dir, "--passphrase-file",
                           env.server->passphrase_file, NULL };
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *text = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *old_id = intake_office_public_dup_key_id_hex (env.server->office);
  IntakeReviewWindow *window;
  IntakeReviewItem *item;

  g_assert_cmpint (test_admin (env.server, rotate, 2, NULL, NULL), ==, 0);
  /* Restarted on the same address: the kiosk's server.json names it. */
  g_assert_true (g_str_has_prefix (env.server->url, "http://"));
  listen = g_strdup (env.server->url + strlen ("http://"));
  test_server_stop (env.server);
  {
    const char *args[] = { "--listen", listen, NULL };

    g_assert_true (test_server_start (env.server, args, NULL));
  }

  kiosk = intake_kiosk_new (env.kiosk_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  sync = intake_sync_new (kiosk);
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *new_id = intake_office_public_dup_key_id_hex (intake_kiosk_get_office (kiosk));

    g_assert_cmpstr (new_id, !=, old_id);
  }
  {
    g_autoptr(IntakeSession) session = intake_kiosk_new_session (kiosk, "nl", &error);

    g_assert_no_error (error);
    g_assert_true (intake_random_answers_fill (session, rand, &error));
    submit_session (kiosk, session, &reference);
  }
  g_assert_true (intake_sync_now_blocking (sync, NULL, &error));
  g_assert_cmpuint (intake_sync_get_pending_count (sync), ==, 0);

  /* After the paging test the list is paged: find both by reference. */
  window = new_window ();
  unlock (window, REVIEWER, REVIEWER_PASS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  /* Earlier tests moved some out of "to do": search them all (the view
   * itself is paged, so only its first page is waited for). */
  gtk_widget_activate_action (GTK_WIDGET (window), "review.show-view", "s", "all");
  g_assert_true (wait_for (list_idle, window, 30000));
  /* Sealed for the old key. */
  search_reference (window, env.arabic_reference);
  g_assert_nonnull ((item = find_reference (window, env.arabic_reference)));
  open_detail (window, intake_review_item_get_id (item));
  text = detail_text (window);
  g_assert_nonnull (strstr (text, ARABIC_TEXT));
  g_clear_pointer (&text, g_free);
  /* Sealed for the new key. */
  search_reference (window, reference);
  g_assert_nonnull ((item = find_reference (window, reference)));
  open_detail (window, intake_review_item_get_id (item));
  text = detail_text (window);
  g_assert_nonnull (strstr (text, "Participatieladder nu"));
  screenshot (window, "after-office-rotation");
  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = intake_test_tmpdir_new ();
  int status;

  /* The reviewers' workstation keys: in this program's own data directory,
   * set before GLib reads it. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_assert_true (intake_crypto_init (NULL));
  /* The app's style.css, which AdwApplication loads from the resource base
   * path of the review app's id when it starts up, as in intake-review. */
  app = adw_application_new (REVIEW_APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/review/app/new-destroy", test_new_destroy);
  g_test_add_func ("/review/app/wrong-passphrase", test_wrong_passphrase);
  g_test_add_func ("/review/app/list-and-search", test_list_and_search);
  g_test_add_func ("/review/app/detail-arabic", test_detail_arabic);
  g_test_add_func ("/review/app/workflow-conflict", test_workflow_conflict);
  g_test_add_func ("/review/app/notes", test_notes);
  g_test_add_func ("/review/app/name-search", test_name_search);
  g_test_add_func ("/review/app/export-csv", test_export_csv);
  g_test_add_func ("/review/app/admin-export-json", test_admin_export_json);
  g_test_add_func ("/review/app/admin-export", test_admin_export);
  g_test_add_func ("/review/app/dashboard", test_dashboard);
  g_test_add_func ("/review/app/pdf", test_pdf);
  g_test_add_func ("/review/app/activation", test_activation);
  g_test_add_func ("/review/app/passphrase-change", test_passphrase_change);
  g_test_add_func ("/review/app/roles", test_roles);
  g_test_add_func ("/review/app/idle-lock", test_idle_lock);
  /* It adds one submission. */
  g_test_add_func ("/review/app/queue", test_queue);
  /* Last: it adds 425 submissions. */
  g_test_add_func ("/review/app/paging", test_paging);
  /* After everything: it rotates the office key. */
  g_test_add_func ("/review/app/office-rotation", test_office_rotation);

  env_setup ();
  status = g_test_run ();
  env_teardown ();
  intake_test_rm_rf (data_home);
  return status;
}

/* test-review-help.c: help that arrives: a kiosk's request reaches staff at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real intake-server (SQLite, and PostgreSQL in the -pg twin) with a
 * reviewer added by the real intake-admin. The routes are driven with signed
 * requests (open list, handled, refusals, the audit events); then a real
 * kiosk (IntakeKiosk + IntakeSync, enrolled with a one-time code) sends a
 * help request the moment it is made, and the real review window, unlocked,
 * shows it in its help list and as a desktop notification: the test owns
 * the notification services on the session bus (org.gtk.Notifications and
 * org.freedesktop.Notifications, whichever GLib picks) and records what
 * GApplication sends. Staff mark it handled; the notification is withdrawn.
 */
#include "config.h"

#include <string.h>

#include "intake-crypto-error.h"
#include "intake-enroll.h"
#include "intake-kiosk.h"
#include "intake-review-help.h"
#include "intake-review-request.h"
#include "intake-review-window-private.h"
#include "intake-sync.h"
#include "intake-test-util.h"
#include "intake-workstation-store.h"
#include "test-server-util.h"

#define REVIEWER        "Anna de Vries"
#define REVIEWER_2      "Bram Jansen"
#define REVIEWER_HEERLEN "Cees Peters"     /* a caseworker at Heerlen only */
#define PRIVACY_OFFICER "Petra Smit"       /* reads, but does not serve residents */
#define REVIEWER_PASS   "lange zin voor het beoordelen"

typedef struct {
  TestServer *server;
} Env;

static Env env;

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

static JsonObject *
object_of (TestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

/* The unlock protocol, as the review app runs it, with the workstation
 * key that activation left in the app's store. */
static IntakeReviewerKey *
unlock_key (const char *name)
{
  g_autofree char *workstation = intake_workstation_store_dup_path (name);

  return test_reviewer_unlock (env.server, name, REVIEWER_PASS, workstation);
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

static gboolean
has_event (GPtrArray  *events,
           const char *actor,
           const char *action,
           const char *object,
           const char *result)
{
  for (guint i = 0; i < events->len; i++)
    {
      const IntakeAuditEvent *event = g_ptr_array_index (events, i);

      if (g_str_equal (event->actor, actor) && g_str_equal (event->action, action) &&
          g_str_equal (event->object, object) && g_str_equal (event->result, result))
        return TRUE;
    }
  return FALSE;
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

static JsonArray *
open_list (TestResponse *response)
{
  g_assert_cmpuint (response->status, ==, 200);
  return json_object_get_array_member (object_of (response), "help_requests");
}

/* ---- The routes ---------------------------------------------------------- */

static void
test_routes (void)
{
  g_autoptr(TestKiosk) kiosk = test_kiosk_new_enrolled (env.server);
  g_autoptr(IntakeReviewerKey) anna = unlock_key (REVIEWER);
  g_autoptr(IntakeReviewerKey) bram = unlock_key (REVIEWER_2);
  g_autoptr(GPtrArray) events = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 first_id = 0, second_id = 0;

  {
    g_autofree char *text = g_strdup_printf ("{\"requests\": [{\"id\": 1, \"created_at\": %" G_GINT64_FORMAT
                                             ", \"language\": \"ar\"}, {\"id\": 2, \"created_at\": %"
                                             G_GINT64_FORMAT ", \"language\": \"ti\"}]}", now - 60, now);
    g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
    g_autoptr(TestResponse) sent = test_kiosk_request (kiosk, env.server, "POST", "/v1/help-requests", body, 0);

    g_assert_cmpuint (sent->status, ==, 200);
  }

  /* The open ones, oldest first, with location and time, nothing personal. */
  {
    g_autoptr(TestResponse) listed = review_request (anna, "GET", "/v1/review/help-requests/open", NULL);
    JsonArray *rows = open_list (listed);
    JsonObject *first, *second;

    g_assert_cmpuint (json_array_get_length (rows), ==, 2);
    first = json_array_get_object_element (rows, 0);
    second = json_array_get_object_element (rows, 1);
    g_assert_cmpstr (json_object_get_string_member (first, "location"), ==, "Vaals");
    g_assert_cmpstr (json_object_get_string_member (first, "language"), ==, "ar");
    g_assert_cmpint (json_object_get_int_member (first, "created_at"), ==, now - 60);
    g_assert_true (json_object_get_null_member (first, "handled_at"));
    g_assert_false (json_object_has_member (first, "device_id"));
    g_assert_cmpstr (json_object_get_string_member (second, "language"), ==, "ti");
    first_id = json_object_get_int_member (first, "id");
    second_id = json_object_get_int_member (second, "id");
    g_assert_cmpint (first_id, >, 0);
    g_assert_cmpint (second_id, !=, first_id);
  }

  /* Anna marks the first handled; Bram, a moment later, sees that she did. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/review/help-requests/%" G_GINT64_FORMAT "/handled", first_id);
    g_autoptr(TestResponse) handled = review_request (anna, "POST", path, "{}");
    g_autoptr(TestResponse) again = review_request (bram, "POST", path, "{}");
    JsonObject *request;

    g_assert_cmpuint (handled->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (object_of (handled), "already_handled"));
    request = json_object_get_object_member (object_of (handled), "help_request");
    g_assert_cmpstr (json_object_get_string_member (request, "handled_by"), ==, REVIEWER);
    g_assert_cmpint (json_object_get_int_member (request, "handled_at"), >=, now);

    g_assert_cmpuint (again->status, ==, 200);
    g_assert_true (json_object_get_boolean_member (object_of (again), "already_handled"));
    request = json_object_get_object_member (object_of (again), "help_request");
    g_assert_cmpstr (json_object_get_string_member (request, "handled_by"), ==, REVIEWER);
  }
  {
    g_autoptr(TestResponse) listed = review_request (bram, "GET", "/v1/review/help-requests/open", NULL);
    JsonArray *rows = open_list (listed);

    g_assert_cmpuint (json_array_get_length (rows), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 0), "id"), ==, second_id);
  }

  /* Refusals. */
  {
    g_autoptr(TestResponse) unknown = review_request (anna, "POST", "/v1/review/help-requests/999999/handled", "{}");
    g_autoptr(TestResponse) not_a_number = review_request (anna, "POST", "/v1/review/help-requests/x/handled", "{}");
    g_autoptr(TestResponse) wrong_method = review_request (anna, "GET", "/v1/review/help-requests/1/handled", NULL);
    g_autofree char *url = g_strconcat (env.server->url, "/v1/review/help-requests/open", NULL);
    g_autoptr(TestResponse) unsigned_request = test_http (env.server->session, "GET", url, NULL, NULL);
    g_autoptr(TestResponse) device = test_kiosk_request (kiosk, env.server, "GET", "/v1/review/help-requests/open", NULL, 0);
    g_autoptr(TestResponse) no_id = review_request (anna, "POST", "/v1/review/help-requests/handled", "{}");
    g_autofree char *second_path = g_strdup_printf ("/v1/review/help-requests/%" G_GINT64_FORMAT "/handled",
                                                    second_id);
    g_autoptr(TestResponse) members = review_request (anna, "POST", second_path, "{\"note\": \"x\"}");
    g_autoptr(TestResponse) duplicate = review_request (anna, "POST", second_path, "{\"a\": 1, \"a\": 2}");
    g_autoptr(TestResponse) empty = review_request (anna, "POST", second_path, NULL);

    g_assert_cmpuint (unknown->status, ==, 404);
    g_assert_cmpstr (test_response_error_code (unknown), ==, "not_found");
    g_assert_cmpuint (not_a_number->status, ==, 404);
    g_assert_cmpuint (wrong_method->status, ==, 405);
    g_assert_cmpuint (unsigned_request->status, ==, 401);
    g_assert_cmpuint (device->status, ==, 401);
    g_assert_cmpuint (no_id->status, ==, 404);
    /* The body is strict JSON with nothing in it. */
    g_assert_cmpuint (members->status, ==, 400);
    g_assert_cmpstr (test_response_error_code (members), ==, "malformed_body");
    g_assert_cmpuint (duplicate->status, ==, 400);
    g_assert_cmpstr (test_response_error_code (duplicate), ==, "malformed_body");
    g_assert_cmpuint (empty->status, ==, 400);
  }

  /* Roles and scope: a privacy officer does not serve residents; a
   * caseworker at Heerlen sees nothing of Vaals and cannot mark it. */
  {
    g_autoptr(IntakeReviewerKey) petra = unlock_key (PRIVACY_OFFICER);
    g_autoptr(IntakeReviewerKey) cees = unlock_key (REVIEWER_HEERLEN);
    g_autofree char *path = g_strdup_printf ("/v1/review/help-requests/%" G_GINT64_FORMAT "/handled", second_id);
    g_autoptr(TestResponse) officer = review_request (petra, "GET", "/v1/review/help-requests/open", NULL);
    g_autoptr(TestResponse) elsewhere = review_request (cees, "GET", "/v1/review/help-requests/open", NULL);
    g_autoptr(TestResponse) not_theirs = review_request (cees, "POST", path, "{}");
    g_autoptr(TestResponse) still_open = review_request (anna, "GET", "/v1/review/help-requests/open", NULL);

    g_assert_cmpuint (officer->status, ==, 403);
    g_assert_cmpstr (test_response_error_code (officer), ==, "role_required");
    g_assert_cmpuint (json_array_get_length (open_list (elsewhere)), ==, 0);
    g_assert_cmpuint (not_theirs->status, ==, 403);
    g_assert_cmpstr (test_response_error_code (not_theirs), ==, "out_of_scope");
    g_assert_cmpuint (json_array_get_length (open_list (still_open)), ==, 1);
  }

  /* Every access is in the audit log, "handled" with its result. */
  events = all_events ();
  {
    g_autofree char *first_object = g_strdup_printf ("help_request %" G_GINT64_FORMAT, first_id);

    g_assert_true (has_event (events, REVIEWER, "list", "help_requests open", "ok"));
    g_assert_true (has_event (events, REVIEWER, "help_handled", first_object, "ok"));
    g_assert_true (has_event (events, REVIEWER_2, "help_handled", first_object, "conflict"));
    g_assert_true (has_event (events, REVIEWER, "help_handled", "help_request 999999", "denied:not_found"));
    g_assert_true (has_event (events, PRIVACY_OFFICER, "list", "help-requests/open", "denied:role_required"));
    {
      g_autofree char *second_object = g_strdup_printf ("help_request %" G_GINT64_FORMAT, second_id);

      g_assert_true (has_event (events, REVIEWER_HEERLEN, "help_handled", second_object, "denied:out_of_scope"));
      g_assert_true (has_event (events, REVIEWER, "help_handled", second_object, "denied:malformed_body"));
    }
  }
  {
    const char *args[] = { "audit", "verify", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (test_admin (env.server, args, 2, &out, NULL), ==, 0);
  }

  /* Clean up for the next test: the second one handled too. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/review/help-requests/%" G_GINT64_FORMAT "/handled", second_id);
    g_autoptr(TestResponse) handled = review_request (anna, "POST", path, "{}");

    g_assert_cmpuint (handled->status, ==, 200);
  }
}

/* ---- A fake notification server on the session bus ----------------------- */

typedef struct {
  GDBusConnection *connection;
  guint            owners[2];
  guint            objects[2];
  GPtrArray       *sent;       /* "ID\tTITLE\tBODY" */
  GPtrArray       *withdrawn;  /* ids */
} Notifications;

static const char gtk_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/></method>"
  "</interface></node>";

static const char fdo_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "</interface></node>";

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  Notifications *n = user_data;

  if (g_str_equal (method_name, "AddNotification"))
    {
      const char *app_id, *id;
      g_autoptr(GVariant) data = NULL;
      const char *title = "", *body = "";

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &data);
      g_variant_lookup (data, "title", "&s", &title);
      g_variant_lookup (data, "body", "&s", &body);
      g_ptr_array_add (n->sent, g_strdup_printf ("%s\t%s\t%s", id, title, body));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "RemoveNotification"))
    {
      const char *app_id, *id;

      g_variant_get (parameters, "(&s&s)", &app_id, &id);
      g_ptr_array_add (n->withdrawn, g_strdup (id));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Notify"))
    {
      const char *title, *body;

      g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", NULL, NULL, NULL, &title, &body, NULL, NULL, NULL);
      /* The freedesktop backend does not pass the GApplication id: keep the order. */
      g_ptr_array_add (n->sent, g_strdup_printf ("%u\t%s\t%s", n->sent->len + 1, title, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n->sent->len));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint id;

      g_variant_get (parameters, "(u)", &id);
      g_ptr_array_add (n->withdrawn, g_strdup_printf ("%u", id));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "intake", "1", "1.2"));
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };

static gboolean
names_owned (gpointer data)
{
  Notifications *n = data;
  const char *names[] = { "org.gtk.Notifications", "org.freedesktop.Notifications" };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (n->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", names[i]),
                                     G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean owned = FALSE;

      if (reply == NULL)
        return FALSE;
      g_variant_get (reply, "(b)", &owned);
      if (!owned)
        return FALSE;
    }
  return TRUE;
}

static void
notifications_start (Notifications *n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) gtk_info = g_dbus_node_info_new_for_xml (gtk_xml, &error);
  g_autoptr(GDBusNodeInfo) fdo_info = g_dbus_node_info_new_for_xml (fdo_xml, &error);

  g_assert_no_error (error);
  n->sent = g_ptr_array_new_with_free_func (g_free);
  n->withdrawn = g_ptr_array_new_with_free_func (g_free);
  /* A connection of its own, as a real notification daemon has. */
  n->connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  n->objects[0] = g_dbus_connection_register_object (n->connection, "/org/gtk/Notifications",
                                                     gtk_info->interfaces[0], &vtable, n, NULL, &error);
  g_assert_no_error (error);
  n->objects[1] = g_dbus_connection_register_object (n->connection, "/org/freedesktop/Notifications",
                                                     fdo_info->interfaces[0], &vtable, n, NULL, &error);
  g_assert_no_error (error);
  n->owners[0] = g_bus_own_name_on_connection (n->connection, "org.gtk.Notifications",
                                               G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  n->owners[1] = g_bus_own_name_on_connection (n->connection, "org.freedesktop.Notifications",
                                               G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  g_assert_true (wait_for (names_owned, n, 10000));
}

static gboolean
one_sent (gpointer data)
{
  return ((Notifications *) data)->sent->len >= 1;
}

static gboolean
one_withdrawn (gpointer data)
{
  return ((Notifications *) data)->withdrawn->len >= 1;
}

/* ---- The kiosk sends at once; the review app shows and notifies ---------- */

typedef struct {
  gboolean done;
  gboolean ok;
} SendResult;

static void
send_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SendResult *r = user_data;
  g_autoptr(GError) error = NULL;

  r->ok = intake_sync_send_help_finish (INTAKE_SYNC (source), result, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static gboolean
send_done (gpointer data)
{
  return ((SendResult *) data)->done;
}

static gboolean
unlock_settled (gpointer data)
{
  return !((IntakeReviewWindow *) data)->unlocking;
}

static gboolean
help_listed (gpointer data)
{
  return intake_review_help_list_get_n_open (((IntakeReviewWindow *) data)->help_list) == 1;
}

static gboolean
help_gone (gpointer data)
{
  return intake_review_help_list_get_n_open (((IntakeReviewWindow *) data)->help_list) == 0;
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
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
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

static void
test_app_notification (gconstpointer data)
{
  GtkApplication *app = GTK_APPLICATION ((gpointer) data);
  Notifications notifications = { 0 };
  g_autofree char *kiosk_dir = g_build_filename (env.server->dir, "kiosk", NULL);
  g_autofree char *code = test_server_new_code (env.server, "Gulpen");
  g_autofree char *fingerprint = NULL;
  g_autoptr(IntakeKiosk) kiosk = NULL;
  g_autoptr(IntakeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  IntakeReviewWindow *window;
  SendResult sent = { 0 };
  gint64 id;

  notifications_start (&notifications);

  /* The reviewer is at work: the review app is open and unlocked. */
  window = intake_review_window_new (app, env.server->url);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  g_object_set (window->help_list, "interval", 300, NULL);
  gtk_window_present (GTK_WINDOW (window));
  gtk_editable_set_text (GTK_EDITABLE (window->name_entry), REVIEWER);
  gtk_editable_set_text (GTK_EDITABLE (window->passphrase_entry), REVIEWER_PASS);
  gtk_widget_activate_action (GTK_WIDGET (window), "review.unlock", NULL);
  g_assert_true (wait_for (unlock_settled, window, 60000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "list");
  g_assert_cmpuint (intake_review_help_list_get_n_open (window->help_list), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->help_list)));

  /* A resident in Gulpen asks for help in Arabic: the kiosk sends it at once. */
  fingerprint = intake_enroll_blocking (kiosk_dir, env.server->url, code, INTAKE_ENROLL_NONE, NULL, &error);
  g_assert_no_error (error);
  kiosk = intake_kiosk_new (kiosk_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  sync = intake_sync_new (kiosk);
  id = intake_kiosk_request_help (kiosk, "ar", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  intake_sync_send_help_async (sync, NULL, send_done_cb, &sent);
  g_assert_true (wait_for (send_done, &sent, 30000));
  g_assert_true (sent.ok);

  /* Within one interval the review app lists it and notifies. */
  g_assert_true (wait_for (help_listed, window, 30000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->help_list)));
  g_assert_cmpstr (intake_review_help_list_get_open (window->help_list, 0)->location, ==, "Gulpen");
  g_assert_cmpstr (intake_review_help_list_get_open (window->help_list, 0)->language, ==, "ar");
  g_assert_true (wait_for (one_sent, &notifications, 10000));
  {
    const char *line = g_ptr_array_index (notifications.sent, 0);

    g_test_message ("notification: %s", line);
    g_assert_nonnull (strstr (line, "Een inwoner vraagt om hulp bij een kiosk"));
    g_assert_nonnull (strstr (line, "Gulpen, "));
    g_assert_nonnull (strstr (line, ", Arabisch"));
  }
  screenshot (GTK_WIDGET (window), "help-list");

  /* Polling again does not notify again. */
  intake_review_help_list_refresh (window->help_list);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (0);
  g_assert_cmpuint (notifications.sent->len, ==, 1);

  /* Staff mark it handled: gone from the list and from the desktop. */
  gtk_widget_activate_action (GTK_WIDGET (window->help_list), "help.handled", "x",
                              intake_review_help_list_get_open (window->help_list, 0)->id);
  g_assert_true (wait_for (help_gone, window, 30000));
  g_assert_true (wait_for (one_withdrawn, &notifications, 10000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->help_list)));
  {
    g_autoptr(GPtrArray) events = all_events ();
    g_autofree char *object = NULL;
    g_autoptr(IntakeStore) store = test_server_open_store (env.server);
    g_autoptr(GPtrArray) open = intake_store_list_open_help_requests (store, 100, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (open->len, ==, 0);
    g_assert_true (has_event (events, REVIEWER, "list", "help_requests open", "ok"));
    (void) object;
  }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_bus_unown_name (notifications.owners[0]);
  g_bus_unown_name (notifications.owners[1]);
  g_dbus_connection_unregister_object (notifications.connection, notifications.objects[0]);
  g_dbus_connection_unregister_object (notifications.connection, notifications.objects[1]);
  g_clear_object (&notifications.connection);
  g_ptr_array_unref (notifications.sent);
  g_ptr_array_unref (notifications.withdrawn);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pass_file = NULL;
  g_autofree char *data_home = intake_test_tmpdir_new ();
  int status;

  /* The reviewers' workstation keys: in this program's own data directory,
   * set before GLib reads it. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  intake_test_init_staff_i18n ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_assert_true (intake_crypto_init (NULL));
  /* Notifications are sent by the registered default application. */
  app = adw_application_new ("org.intakekiosk.Review.HelpTest", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  env.server = test_server_new (TRUE);
  g_assert_true (test_server_start (env.server, NULL, NULL));
  pass_file = g_build_filename (env.server->dir, "reviewer-passphrase", NULL);
  intake_test_write_file (pass_file, REVIEWER_PASS "\n");
  /* Added by the office secret's holder with a role (and a location for
   * Cees), activated with the one-time code as on their own workstation:
   * the workstation key goes to the review app's store in XDG_DATA_HOME. */
  {
    const char * const heerlen[] = { "--location", "Heerlen", NULL };
    const struct { const char *name, *roles; const char * const *extra; } reviewers[] = {
      { REVIEWER, "caseworker", NULL },
      { REVIEWER_2, "caseworker,team_lead", NULL },
      { REVIEWER_HEERLEN, "caseworker", heerlen },
      { PRIVACY_OFFICER, "privacy_officer", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (reviewers); i++)
      {
        g_autofree char *code = test_reviewer_add (env.server, reviewers[i].name, reviewers[i].roles,
                                                   reviewers[i].extra);
        g_autofree char *out = test_reviewer_activate (env.server, reviewers[i].name, code, pass_file, NULL, NULL);

        (void) out;
      }
  }

  g_test_add_func ("/review/help/routes", test_routes);
  g_test_add_data_func ("/review/help/app-notification", app, test_app_notification);

  status = g_test_run ();
  test_server_stop (env.server);
  g_clear_pointer (&env.server, test_server_free);
  return status;
}

/* test-server-front-door.c: intake-server under hostile clients, on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/security.md, "Front door", names these tests for its claims. Each
 * attack is a bounded number of sockets opened by this process against a
 * real intake-server on 127.0.0.1; while it lasts, a real enrolled kiosk
 * uploads signed envelopes and each upload must be answered within a
 * second; the server's resident memory is read from /proc.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "intake-test-util.h"
#include "test-server-util.h"

/* The limit the tests give the server's process: small, so that filling
 * it is quick. */
#define TEST_FD_LIMIT   256
#define SECOND_US       G_USEC_PER_SEC

/* ---- Helpers ------------------------------------------------------------ */

static GInetSocketAddress *
server_address (TestServer *server)
{
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string (g_uri_get_host (uri),
                                                                       (guint)g_uri_get_port (uri)));
}

/* @n TCP connections that send @prefix (may be NULL) and then nothing. */
static GPtrArray *
open_sockets (TestServer *server,
              guint       n,
              const char *prefix,
              gsize       prefix_len)
{
  g_autoptr(GInetSocketAddress) address = server_address (server);
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, &error);

      g_assert_no_error (error);
      /* The kernel completes the handshake from the listen backlog, so
       * this returns at once even while the server does not accept. */
      g_socket_connect (socket, G_SOCKET_ADDRESS (address), NULL, &error);
      g_assert_no_error (error);
      if (prefix != NULL)
        {
          g_socket_send (socket, prefix, prefix_len, NULL, &error);
          g_assert_no_error (error);
        }
      g_ptr_array_add (sockets, g_steal_pointer (&socket));
    }
  return sockets;
}

/* Sockets of @sockets the server has closed (end of file or reset),
 * waiting at most @timeout_us for all of them. */
static guint
count_closed_by_server (GPtrArray *sockets,
                        gint64     timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  g_autofree gboolean *closed = g_new0 (gboolean, sockets->len);
  guint n_closed = 0;

  while (n_closed < sockets->len && g_get_monotonic_time () < deadline)
    {
      g_autofree struct pollfd *fds = g_new0 (struct pollfd, sockets->len);

      for (guint i = 0; i < sockets->len; i++)
        {
          fds[i].fd = closed[i] ? -1 : g_socket_get_fd (g_ptr_array_index (sockets, i));
          fds[i].events = POLLIN;
        }
      if (poll (fds, sockets->len, 200) <= 0)
        continue;
      for (guint i = 0; i < sockets->len; i++)
        {
          char buf[4096];
          ssize_t n;

          if (closed[i] || fds[i].revents == 0)
            continue;
          /* An answer (a 413, say) may come before the end of file. */
          while ((n = recv (fds[i].fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
            ;
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            {
              closed[i] = TRUE;
              n_closed++;
            }
        }
    }
  return n_closed;
}

/* One signed upload of one new envelope over a new connection; asserts
 * it is stored and returns how long it took, in seconds. */
static double
timed_upload (TestServer *server,
              TestKiosk  *kiosk)
{
  g_autoptr(SoupSession) session = test_server_new_session (server);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(TestResponse) response = NULL;
  g_autoptr(GArray) items = NULL;
  gint64 start;

  g_ptr_array_add (batch, test_kiosk_seal (kiosk, server->office));
  body = test_upload_body (batch);
  msg = test_kiosk_message_new (kiosk, server, "POST", "/v1/envelopes", body, 0);
  start = g_get_monotonic_time ();
  response = test_send (session, msg);
  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, 200);
  items = test_verify_receipt (kiosk, response);
  g_assert_cmpuint (items->len, ==, 1);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* @n uploads while an attack holds: each within a second. */
static void
assert_uploads_served (TestServer *server,
                       TestKiosk  *kiosk,
                       guint       n,
                       const char *during)
{
  for (guint i = 0; i < n; i++)
    {
      double seconds = timed_upload (server, kiosk);

      g_test_message ("%s: upload %u answered in %.3f s", during, i + 1, seconds);
      g_assert_cmpfloat (seconds, <, 1.0);
    }
}

static void
assert_healthy (TestServer *server)
{
  g_autoptr(SoupSession) session = test_server_new_session (server);
  g_autofree char *url = g_strconcat (server->url, "/healthz", NULL);
  g_autoptr(TestResponse) response = test_http (session, "GET", url, NULL, NULL);

  g_assert_no_error (response->error);
  g_assert_cmpuint (response->status, ==, 200);
}

static void
assert_log_contains (TestServer *server,
                     const char *needle)
{
  g_autofree char *log = test_server_read_log (server);

  if (strstr (log, needle) == NULL)
    g_error ("\"%s\" missing in the server log:\n%s", needle, log);
}

/* The metric once it reaches @expected (or what it is after @timeout_us):
 * the server reads what the sockets sent at its own pace. */
static gint64
wait_metric (TestServer *server,
             const char *name,
             gint64      expected,
             gint64      timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gint64 value;

  while ((value = test_server_metric (server, name)) < expected && g_get_monotonic_time () < deadline)
    g_usleep (50000);
  return value;
}

/* Lets the server run while this process waits. */
static void
spin (gint64 microseconds)
{
  gint64 end = g_get_monotonic_time () + microseconds;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

/* A self-signed certificate for 127.0.0.1, trusted by the server's
 * sessions. Returns the server arguments. */
static GStrv
make_tls (TestServer *server)
{
  g_autofree char *cert = g_build_filename (server->dir, "tls.crt", NULL);
  g_autofree char *key = g_build_filename (server->dir, "tls.key", NULL);
  g_autofree char *script = g_strdup_printf ("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                             "-nodes -keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1 "
                                             "-addext subjectAltName=IP:127.0.0.1 2>/dev/null", key, cert);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();

  g_assert_cmpint (intake_test_run (argv, NULL, NULL, NULL), ==, 0);
  server->tls_database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_object_set (server->session, "tls-database", server->tls_database, NULL);
  g_strv_builder_add_many (args, "--tls-cert", cert, "--tls-key", key, NULL);
  return g_strv_builder_end (args);
}

/* ---- Tests -------------------------------------------------------------- */

/* The default cap stays below the fd limit: 300 idle connections against
 * a server allowed 256 open files. The server closes the longest-idle
 * connection to let a new one in, never runs out of fds, and real uploads
 * are answered within a second each. */
static void
test_idle_sockets_at_fd_limit (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) idle = NULL;
  guint64 rss_before, rss_during;
  gint64 max;

  server->rlimit_nofile = TEST_FD_LIMIT;
  g_assert_true (test_server_start (server, NULL, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  max = test_server_metric (server, "intake_connections_max");
  g_assert_cmpint (max, ==, TEST_FD_LIMIT - 64);
  rss_before = test_server_rss_kib (server);

  idle = open_sockets (server, 300, NULL, 0);
  assert_uploads_served (server, kiosk, 5, "300 idle connections");
  rss_during = test_server_rss_kib (server);
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB with 300 idle connections",
                  rss_before, rss_during);
  g_assert_cmpuint (rss_during, <, rss_before + 16 * 1024);

  g_assert_cmpint (test_server_metric (server, "intake_connections"), <=, max);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"evicted\"}"), >=,
                   300 - max);
  /* The cap is below the fd limit: accept() never ran out of fds. */
  g_assert_cmpint (test_server_metric (server, "intake_accept_fd_limit_total"), ==, 0);

  /* The attacker leaves; everything works as before. */
  g_clear_pointer (&idle, g_ptr_array_unref);
  assert_healthy (server);
  assert_uploads_served (server, kiosk, 2, "after the idle connections");
  test_server_stop (server);
}

/* Told to allow more connections than it has fds for, the server says so
 * at start; when accept() then fails with EMFILE it keeps listening:
 * idle connections are closed to make room, and when every connection is
 * busy (300 slow header senders) it pauses, retries, and accepts again as
 * soon as the header timeout has freed fds. Before, libsoup's listener
 * stopped accepting for good at the first EMFILE. */
static void
test_emfile_recovery (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) idle = NULL;
  g_autoptr(GPtrArray) slow = NULL;
  static const char partial[] = "POST /v1/envelopes HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  const char *args[] = { "--max-connections", "1000", "--header-timeout", "3", NULL };
  gint64 start;
  double seconds;

  server->rlimit_nofile = TEST_FD_LIMIT;
  g_assert_true (test_server_start (server, args, NULL));
  assert_log_contains (server, "msg=fd_limit_below_max_connections max_connections=1000");
  kiosk = test_kiosk_new_enrolled (server);

  idle = open_sockets (server, 300, NULL, 0);
  assert_uploads_served (server, kiosk, 5, "300 idle connections over the fd limit");
  g_assert_cmpint (test_server_metric (server, "intake_accept_fd_limit_total"), >, 0);
  assert_log_contains (server, "msg=accept_limited reason=fd_limit action=closed_idle error=\"Too many open files\"");
  g_clear_pointer (&idle, g_ptr_array_unref);

  /* Busy connections cannot be closed to make room: accepting pauses. */
  slow = open_sockets (server, 300, partial, strlen (partial));
  start = g_get_monotonic_time ();
  seconds = timed_upload (server, kiosk);
  g_test_message ("upload behind 300 slow header senders: %.3f s", seconds);
  /* Header timeout (3 s), a sweep (1 s) and a retry (at most 1 s) per
   * wave of the backlog. */
  g_assert_cmpfloat (seconds, <, 15.0);
  g_assert_cmpuint (count_closed_by_server (slow, 15 * SECOND_US - (g_get_monotonic_time () - start)), ==,
                    slow->len);
  g_assert_cmpint (test_server_metric (server, "intake_accept_paused_total{reason=\"fd_limit\"}"), >, 0);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"header_timeout\"}"), >=,
                   200);
  assert_log_contains (server, "reason=fd_limit action=paused");
  assert_log_contains (server, "msg=accept_resumed");
  g_clear_pointer (&slow, g_ptr_array_unref);

  assert_healthy (server);
  assert_uploads_served (server, kiosk, 3, "after the attack");
  test_server_stop (server);
}

/* HTTPS: 300 connections that never send a ClientHello take no thread
 * (their handshakes never start), so real uploads, each with its own
 * handshake, are answered within a second; the handshake timeout closes
 * the 300. Before, each held a thread of GTask's pool, and uploads waited
 * minutes. */
static void
test_stalled_tls_handshakes (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) stalled = NULL;
  g_auto(GStrv) tls = make_tls (server);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  guint64 rss_before, rss_during;
  gint64 start;

  g_strv_builder_addv (builder, (const char **)tls);
  g_strv_builder_add_many (builder, "--tls-handshake-timeout", "4", NULL);
  args = g_strv_builder_end (builder);
  g_assert_true (test_server_start (server, (const char * const *)args, NULL));
  g_assert_true (g_str_has_prefix (server->url, "https://"));
  kiosk = test_kiosk_new_enrolled (server);
  /* Handshakes run in GTask's threads, each with its own malloc arena:
   * let them exist before measuring. */
  assert_uploads_served (server, kiosk, 5, "warm-up");
  rss_before = test_server_rss_kib (server);

  stalled = open_sockets (server, 300, NULL, 0);
  start = g_get_monotonic_time ();
  assert_uploads_served (server, kiosk, 5, "300 stalled TLS handshakes");
  rss_during = test_server_rss_kib (server);
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB with 300 stalled handshakes",
                  rss_before, rss_during);
  g_assert_cmpuint (rss_during, <, rss_before + 16 * 1024);

  /* All 300 are closed once the handshake timeout (4 s) has passed. */
  g_assert_cmpuint (count_closed_by_server (stalled, 8 * SECOND_US), ==, 300);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * SECOND_US);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"handshake_timeout\"}"),
                   >=, 300);
  assert_uploads_served (server, kiosk, 2, "after the stalled handshakes");
  test_server_stop (server);
}

static GString *
request_head (const char *path,
              gsize       length,
              TestKiosk  *kiosk)
{
  GString *head = g_string_new (NULL);

  g_string_append_printf (head, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n", path, length);
  if (kiosk != NULL)
    /* The headers of an enrolled device; the signature cannot be checked
     * before the body is in, so any will do. */
    g_string_append_printf (head, "Intake-Device: %s\r\nIntake-Timestamp: %" G_GINT64_FORMAT "\r\n"
                            "Intake-Nonce: 00112233445566778899aabbccddeeff\r\nIntake-Signature: AAAA\r\n",
                            kiosk->device_id, g_get_real_time () / G_USEC_PER_SEC);
  g_string_append (head, "\r\n");
  return head;
}

/* Sends the head of a request declaring an 8 MiB body and @sent bytes of
 * it, on each of @n new connections. */
static GPtrArray *
open_unfinished_bodies (TestServer *server,
                        guint       n,
                        const char *path,
                        TestKiosk  *kiosk,
                        gsize       sent)
{
  g_autoptr(GString) head = request_head (path, 8 * 1024 * 1024, kiosk);
  g_autofree char *part = g_malloc (sent);
  GPtrArray *sockets = open_sockets (server, n, head->str, head->len);

  memset (part, ' ', sent);
  for (guint i = 0; i < sockets->len; i++)
    {
      GSocket *socket = g_ptr_array_index (sockets, i);
      gsize done = 0;

      /* Blocking: the server reads while we write. */
      while (done < sent)
        {
          g_autoptr(GError) error = NULL;
          gssize written = g_socket_send (socket, part + done, sent - done, NULL, &error);

          if (written < 0)
            break;       /* refused and closed: that is fine */
          done += written;
        }
    }
  return sockets;
}

/* 100 unfinished bodies that declare 8 MiB (half to /v1/envelopes
 * without signature headers, half to /v1/enroll) are refused from their
 * headers and not kept: memory stays flat, uploads are answered within a
 * second, and the body timeout closes them. An 8 MiB enrollment is
 * refused at once. Bodies with an enrolled device's headers are read, at
 * most 4 per device and --max-pending-bodies in all; past that, 503 busy
 * until they finish or time out. Before, 100 such bodies held 1.1 GB. */
static void
test_unfinished_bodies (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(TestKiosk) kiosk = NULL;
  g_autoptr(GPtrArray) anonymous = NULL;
  g_autoptr(GPtrArray) enroll = NULL;
  g_autoptr(GPtrArray) signed_bodies = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) attackers = g_ptr_array_new_with_free_func ((GDestroyNotify)test_kiosk_free);
  const char *args[] = { "--body-timeout", "5", "--max-pending-bodies", "8", NULL };
  guint64 rss_before, rss_during;
  gint64 start;

  g_assert_true (test_server_start (server, args, NULL));
  kiosk = test_kiosk_new_enrolled (server);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (attackers, test_kiosk_new_enrolled (server));
  rss_before = test_server_rss_kib (server);

  start = g_get_monotonic_time ();
  anonymous = open_unfinished_bodies (server, 50, "/v1/envelopes", NULL, 1024 * 1024);
  enroll = open_unfinished_bodies (server, 50, "/v1/enroll", NULL, 1024 * 1024);
  assert_uploads_served (server, kiosk, 5, "100 unfinished 8 MiB bodies");
  rss_during = test_server_rss_kib (server);
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB with 100 unfinished bodies",
                  rss_before, rss_during);
  g_assert_cmpuint (rss_during, <, rss_before + 16 * 1024);

  /* A whole 8 MiB enrollment: refused without being parsed. */
  {
    g_autoptr(SoupSession) session = test_server_new_session (server);
    g_autofree char *url = g_strconcat (server->url, "/v1/enroll", NULL);
    g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (8 * 1024 * 1024), 8 * 1024 * 1024);
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr(TestResponse) response = test_http (session, "POST", url, body, NULL);

    g_assert_no_error (response->error);
    g_assert_cmpuint (response->status, ==, 413);
    g_assert_cmpstr (test_response_error_code (response), ==, "body_too_large");
    g_test_message ("8 MiB enrollment refused in %.3f s", (g_get_monotonic_time () - t0) / 1e6);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, SECOND_US);
  }

  /* With enrolled devices' headers: 3 devices x 5 bodies of 1 MiB. At
   * most 4 per device and 8 in all are read; the rest are answered busy. */
  for (guint i = 0; i < attackers->len; i++)
    g_ptr_array_add (signed_bodies, open_unfinished_bodies (server, 5, "/v1/envelopes",
                                                            g_ptr_array_index (attackers, i), 1024 * 1024));
  g_assert_cmpint (wait_metric (server, "intake_bodies_refused_busy_total", 7, 5 * SECOND_US), ==, 7);
  rss_during = test_server_rss_kib (server);
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB with 8 bodies of enrolled devices being read", rss_during);
  g_assert_cmpuint (rss_during, <, rss_before + (8 + 16) * 1024);
  /* A small upload needs no slot. */
  assert_uploads_served (server, kiosk, 2, "8 bodies of enrolled devices being read");

  /* The body timeout (5 s) closes every unfinished one. */
  g_assert_cmpuint (count_closed_by_server (anonymous, 10 * SECOND_US), ==, 50);
  g_assert_cmpuint (count_closed_by_server (enroll, 10 * SECOND_US), ==, 50);
  for (guint i = 0; i < signed_bodies->len; i++)
    g_assert_cmpuint (count_closed_by_server (g_ptr_array_index (signed_bodies, i), 10 * SECOND_US), ==, 5);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * SECOND_US);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"body_timeout\"}"), >=,
                   100);
  assert_uploads_served (server, kiosk, 2, "after the unfinished bodies");
  test_server_stop (server);
}

typedef struct {
  guint done;
  guint ok;
} Burst;

static void
burst_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Burst *burst = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  burst->done++;
  if (reply != NULL && soup_message_get_status (msg) == 200)
    burst->ok++;
}

/* 16 signed uploads of 8 MiB each at once (4 kiosks x 4): the memory they
 * took is given back once they are answered (malloc_trim after a burst). */
static void
test_memory_after_burst (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(GPtrArray) kiosks = g_ptr_array_new_with_free_func ((GDestroyNotify)test_kiosk_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GBytes) body = NULL;
  guint64 rss_before, rss_peak = 0, rss_after = 0;
  Burst burst = { 0 };
  gint64 deadline;

  g_assert_true (test_server_start (server, NULL, NULL));
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (kiosks, test_kiosk_new_enrolled (server));

  /* 100 elements of 83,000 base64 characters: a well-formed request just
   * under 8 MiB whose envelopes are all rejected as malformed. */
  {
    GString *text = g_string_new ("{\"envelopes\":[");

    for (guint i = 0; i < 100; i++)
      {
        g_string_append (text, i > 0 ? ",\"" : "\"");
        for (guint j = 0; j < 83000 / 4; j++)
          g_string_append (text, "QUJD");
        g_string_append_c (text, '"');
      }
    g_string_append (text, "]}");
    g_assert_cmpuint (text->len, <, 8 * 1024 * 1024);
    body = g_string_free_to_bytes (text);
  }

  /* Warm up: the first large request grows the heap once. */
  {
    g_autoptr(TestResponse) r = test_kiosk_request (g_ptr_array_index (kiosks, 0), server, "POST", "/v1/envelopes",
                                                    body, 0);
    g_assert_cmpuint (r->status, ==, 200);
  }
  spin (SECOND_US);
  rss_before = test_server_rss_kib (server);

  session = soup_session_new_with_options ("timeout", 60, "max-conns", 32, "max-conns-per-host", 32, NULL);
  for (guint i = 0; i < 16; i++)
    {
      SoupMessage *msg = test_kiosk_message_new (g_ptr_array_index (kiosks, i % 4), server, "POST", "/v1/envelopes",
                                                 body, 0);

      g_ptr_array_add (messages, msg);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, burst_cb, &burst);
    }
  deadline = g_get_monotonic_time () + 120 * SECOND_US;
  while (burst.done < 16 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      rss_peak = MAX (rss_peak, test_server_rss_kib (server));
      g_usleep (5000);
    }
  g_assert_cmpuint (burst.ok, ==, 16);

  /* Given back within a few seconds of the last answer. */
  deadline = g_get_monotonic_time () + 5 * SECOND_US;
  do
    {
      spin (SECOND_US / 4);
      rss_after = test_server_rss_kib (server);
    }
  while (rss_after >= rss_before + 32 * 1024 && g_get_monotonic_time () < deadline);
  g_test_message ("RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB at the peak of 16 x 8 MiB, "
                  "%" G_GUINT64_FORMAT " KiB after", rss_before, rss_peak, rss_after);
  g_assert_cmpuint (rss_peak, >, rss_before + 32 * 1024);
  g_assert_cmpuint (rss_after, <, rss_before + 32 * 1024);
  g_assert_cmpint (test_server_metric (server, "intake_memory_trims_total"), >=, 1);
  test_server_stop (server);
}

/* Idle and header timeouts: a connection that sends nothing, one that
 * sends a header line a second (slowloris), and a kept-alive connection
 * after its answer are each closed. */
static void
test_timeouts (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(GPtrArray) idle = NULL;
  g_autoptr(GPtrArray) slow = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  static const char first[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  static const char healthz[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const char *args[] = { "--idle-timeout", "2", "--header-timeout", "3", NULL };
  gint64 start;

  g_assert_true (test_server_start (server, args, NULL));
  start = g_get_monotonic_time ();
  idle = open_sockets (server, 3, NULL, 0);
  slow = open_sockets (server, 3, first, strlen (first));
  kept = open_sockets (server, 3, healthz, strlen (healthz));

  /* The slow ones keep sending, a header line a second: never idle. */
  for (guint s = 0; s < 8; s++)
    {
      spin (SECOND_US);
      for (guint i = 0; i < slow->len; i++)
        g_socket_send (g_ptr_array_index (slow, i), "X-A: b\r\n", 8, NULL, NULL);
    }
  g_assert_cmpuint (count_closed_by_server (idle, SECOND_US), ==, 3);
  g_assert_cmpuint (count_closed_by_server (slow, SECOND_US), ==, 3);
  g_assert_cmpuint (count_closed_by_server (kept, SECOND_US), ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * SECOND_US);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"idle\"}"), >=, 6);
  g_assert_cmpint (test_server_metric (server, "intake_connections_closed_total{reason=\"header_timeout\"}"), >=, 3);
  test_server_stop (server);
}

/* Clients that close their connection after each answer (some HTTP
 * libraries open one per request): the server notices each closed one at
 * once (libsoup alone would keep it in CLOSE-WAIT, counted against the cap,
 * until the idle timeout), so 200 of them in a row get through a cap of 20
 * without a pause. Before, the 21st waited for the idle timeout. */
static void
test_closed_by_client (void)
{
  g_autoptr(TestServer) server = test_server_new (FALSE);
  g_autoptr(GInetSocketAddress) address = NULL;
  static const char healthz[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const char *args[] = { "--max-connections", "20", "--idle-timeout", "60", NULL };
  const guint n = 200;

  g_assert_true (test_server_start (server, args, NULL));
  address = server_address (server);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GError) error = NULL;
      char answer[256] = { 0 };
      gssize got;

      g_assert_true (g_socket_connect (socket, G_SOCKET_ADDRESS (address), NULL, &error));
      g_assert_no_error (error);
      /* Without the fix the 21st waits for the idle timeout (60 s). */
      g_socket_set_timeout (socket, 10);
      g_assert_cmpint (g_socket_send (socket, healthz, strlen (healthz), NULL, &error), ==, strlen (healthz));
      got = g_socket_receive (socket, answer, sizeof answer - 1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (got, >, 0);
      g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200"));
      g_socket_close (socket, NULL);
    }
  /* Closed by libsoup on the client's end of file, or by the listener
   * (peer_closed, or evicted at the cap as idle), but never left to hold
   * the cap until the idle timeout: accepting never paused. */
  g_assert_cmpint (test_server_metric (server, "intake_accept_paused_total{reason=\"connection_cap\"}"), ==, 0);
  g_assert_cmpint (test_server_metric (server, "intake_connections"), <=, 20);
  g_test_message ("closed as peer_closed: %" G_GINT64_FORMAT ", evicted: %" G_GINT64_FORMAT,
                  test_server_metric (server, "intake_connections_closed_total{reason=\"peer_closed\"}"),
                  test_server_metric (server, "intake_connections_closed_total{reason=\"evicted\"}"));
  test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/front-door/idle-sockets-at-fd-limit", test_idle_sockets_at_fd_limit);
  g_test_add_func ("/front-door/emfile-recovery", test_emfile_recovery);
  g_test_add_func ("/front-door/stalled-tls-handshakes", test_stalled_tls_handshakes);
  g_test_add_func ("/front-door/unfinished-bodies", test_unfinished_bodies);
  g_test_add_func ("/front-door/memory-after-burst", test_memory_after_burst);
  g_test_add_func ("/front-door/timeouts", test_timeouts);
  g_test_add_func ("/front-door/closed-by-client", test_closed_by_client);
  return g_test_run ();
}

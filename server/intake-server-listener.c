/* intake-server-listener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why the server does not let libsoup listen (libsoup 3.2.3):
 *  - its listener removes its accept source on the first failed accept(),
 *    EMFILE included, and never adds it back: a client that fills the fd
 *    table stops the server for good, silently;
 *  - it has no connection cap and no timeouts, so idle connections are
 *    kept for ever;
 *  - it runs each TLS handshake with g_tls_connection_handshake_async(),
 *    which glib-networking runs as a blocking call in GTask's thread pool
 *    (about ten threads): a few hundred clients that connect and never
 *    send a ClientHello hold every thread, and real handshakes queue
 *    behind them for minutes.
 *
 * So this object owns the listening socket, accepts with accept4() itself,
 * and hands each connection to the SoupServer with
 * soup_server_accept_iostream(): a GSocketConnection, or for HTTPS the
 * GTlsConnection once its handshake is done. libsoup hands back the
 * GSocketAddress we gave it (soup_server_message_get_remote_address()), so
 * that pointer is the key from a message to its connection.
 *
 *  - At most max_connections at once (below the fd limit). At the cap, or
 *    when accept() fails with EMFILE/ENFILE, the oldest idle connection
 *    is closed to make room; if none is idle, accepting pauses (the kernel
 *    keeps new connections in the backlog) until a connection closes, or
 *    for EMFILE until a short, growing retry timer fires.
 *  - A sweep once a second closes connections that break a timeout. It
 *    sees progress through TCP_INFO (bytes received, bytes acknowledged),
 *    so libsoup's streams are not wrapped.
 *  - HTTPS: a connection waits on the main loop (SO_RCVLOWAT, no thread)
 *    until the whole first TLS record of its ClientHello is in the socket;
 *    only then does its handshake start, at most max_tls_handshakes at
 *    once, the rest in a queue. A client that never sends a ClientHello
 *    costs one fd until the handshake timeout, and no thread.
 *
 * libsoup 3.2 closes a kept-alive connection after each answer unless the
 * server has a listener of its own (request_finished() checks
 * priv->listeners), so it gets one that can never accept: one end of a
 * socketpair whose other end nobody writes to.
 */
#include "config.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "intake-server-listener.h"

/* File descriptors kept free for the store, logs, key files and GLib. */
#define FD_RESERVE            64
/* Connections accepted per wake-up, so one busy listener cannot starve
 * the requests already in. */
#define ACCEPT_BATCH          32
#define RETRY_MIN_MS          50
#define RETRY_MAX_MS          1000
/* A TLS record is at most 2^14 bytes plus a 5-byte header (RFC 8446 5.1). */
#define TLS_RECORD_HEADER     5
#define TLS_MAX_FIRST_RECORD  (16384 + 2048 + TLS_RECORD_HEADER)
#define TLS_HANDSHAKE_RECORD  0x16
/* Pause lines in the log: at most one per this many seconds. */
#define PAUSE_LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

typedef enum {
  PHASE_HELLO,              /* TLS: waiting for the first record of the ClientHello */
  PHASE_HANDSHAKE_QUEUED,   /* TLS: ClientHello in, waiting for a handshake slot */
  PHASE_HANDSHAKE,          /* TLS: handshake under way (in a GTask thread) */
  PHASE_WAITING,            /* libsoup's: waiting for a request, or reading its headers */
  PHASE_BODY,               /* reading a request body */
  PHASE_ANSWERING,          /* the handler ran; writing the answer */
} Phase;

typedef enum {
  LIMITED_CAP_PAUSED,
  LIMITED_FD_CLOSED_IDLE,
  LIMITED_FD_PAUSED,
  N_LIMITED
} Limited;

static const char * const limited_fields[N_LIMITED] = {
  [LIMITED_CAP_PAUSED] = "reason=connection_cap action=paused",
  [LIMITED_FD_CLOSED_IDLE] = "reason=fd_limit action=closed_idle",
  [LIMITED_FD_PAUSED] = "reason=fd_limit action=paused",
};

typedef struct {
  IntakeServerListener *listener;
  GSocket              *socket;
  GSocketAddress       *remote;         /* the key; libsoup gives it back with each message */
  GSocketAddress       *local;
  GSource              *hello_source;
  GTlsConnection       *tls;            /* during the handshake */
  GCancellable         *cancellable;
  Phase                 phase;
  gint64                started;        /* monotonic microseconds */
  gint64                phase_started;
  gint64                request_started; /* first byte of a request seen; 0 while idle */
  gint64                last_progress;
  guint64               bytes_in;       /* TCP_INFO at the last look */
  guint64               bytes_out;
  guint64               first_in;       /* bytes before the first request (the TLS handshake's) */
  gboolean              first;          /* the first request has not started yet */
  gboolean              in_soup;
  gboolean              closing;
} Connection;

struct _IntakeServerListener
{
  GObject             parent_instance;

  SoupServer         *soup;
  GTlsCertificate    *certificate;
  IntakeServerLimits  limits;
  guint               max_connections;

  GSocket            *socket;
  GSource            *accept_source;
  gboolean            paused;
  IntakeListenerPauseReason pause_reason;
  guint               retry_id;
  guint               retry_ms;
  gint64              limited_logged[N_LIMITED];
  guint               limited_unlogged[N_LIMITED];
  gboolean            resume_unlogged;
  guint               sweep_id;
  gboolean            stopped;

  GHashTable         *connections;     /* GSocketAddress * (remote) -> Connection * */
  GQueue              handshake_queue; /* Connection *, in arrival order */
  guint               handshakes;
  guint               closing;
  GSocket            *keepalive[2];

  guint64             closed[INTAKE_LISTENER_N_CLOSE_REASONS];
  guint64             pauses[INTAKE_LISTENER_N_PAUSE_REASONS];
  guint64             fd_limit_hits;
  guint64             accepted;
};

G_DEFINE_FINAL_TYPE (IntakeServerListener, intake_server_listener, G_TYPE_OBJECT)

static const char * const close_reasons[INTAKE_LISTENER_N_CLOSE_REASONS] = {
  [INTAKE_LISTENER_CLOSE_IDLE] = "idle",
  [INTAKE_LISTENER_CLOSE_HEADER_TIMEOUT] = "header_timeout",
  [INTAKE_LISTENER_CLOSE_BODY_TIMEOUT] = "body_timeout",
  [INTAKE_LISTENER_CLOSE_HANDSHAKE_TIMEOUT] = "handshake_timeout",
  [INTAKE_LISTENER_CLOSE_EVICTED] = "evicted",
  [INTAKE_LISTENER_CLOSE_REFUSED] = "refused",
  [INTAKE_LISTENER_CLOSE_PEER_CLOSED] = "peer_closed",
};

static const char * const pause_reasons[INTAKE_LISTENER_N_PAUSE_REASONS] = {
  [INTAKE_LISTENER_PAUSE_CAP] = "connection_cap",
  [INTAKE_LISTENER_PAUSE_FD_LIMIT] = "fd_limit",
};

const char *
intake_listener_close_reason_to_string (IntakeListenerCloseReason reason)
{
  g_return_val_if_fail (reason < INTAKE_LISTENER_N_CLOSE_REASONS, NULL);
  return close_reasons[reason];
}

const char *
intake_listener_pause_reason_to_string (IntakeListenerPauseReason reason)
{
  g_return_val_if_fail (reason < INTAKE_LISTENER_N_PAUSE_REASONS, NULL);
  return pause_reasons[reason];
}

static void start_handshakes (IntakeServerListener *self);
static void resume_accepting (IntakeServerListener *self);

/* ---- Connections -------------------------------------------------------- */

static void
connection_free (Connection *conn)
{
  if (conn->hello_source != NULL)
    {
      g_source_destroy (conn->hello_source);
      g_source_unref (conn->hello_source);
    }
  /* Ours until libsoup has it: close it ourselves. */
  if (!conn->in_soup && conn->socket != NULL)
    g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->local);
  g_free (conn);
}

static void
drop (Connection *conn)
{
  IntakeServerListener *self = conn->listener;

  if (conn->closing)
    self->closing--;
  g_queue_remove (&self->handshake_queue, conn);
  g_hash_table_remove (self->connections, conn->remote);
}

static guint
live_connections (IntakeServerListener *self)
{
  return g_hash_table_size (self->connections) - self->closing;
}

/* Bytes received and bytes the peer acknowledged, from the kernel. FALSE
 * if this kernel does not tell (then only the absolute timeouts hold). */
static gboolean
tcp_progress (Connection *conn,
              guint64    *out_in,
              guint64    *out_out)
{
  struct tcp_info info;
  socklen_t len = sizeof info;

  memset (&info, 0, sizeof info);
  if (getsockopt (g_socket_get_fd (conn->socket), IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < G_STRUCT_OFFSET (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return FALSE;
  *out_in = info.tcpi_bytes_received;
  *out_out = info.tcpi_bytes_acked;
  return TRUE;
}

static void
set_phase (Connection *conn,
           Phase       phase)
{
  gint64 now = g_get_monotonic_time ();

  conn->phase = phase;
  conn->phase_started = now;
  conn->last_progress = now;
  conn->request_started = 0;
  tcp_progress (conn, &conn->bytes_in, &conn->bytes_out);
}

/* Nothing of a request has arrived since the connection became ready for
 * one: a connection that can be closed without losing anybody's work. */
static gboolean
is_idle (Connection *conn)
{
  guint64 in = 0, out = 0;

  if (conn->closing)
    return FALSE;
  if (conn->phase == PHASE_HELLO)
    return TRUE;
  if (conn->phase != PHASE_WAITING || conn->request_started != 0)
    return FALSE;
  return tcp_progress (conn, &in, &out) && in == conn->bytes_in;
}

static void
close_connection (Connection                *conn,
                  IntakeListenerCloseReason  reason)
{
  IntakeServerListener *self = conn->listener;

  if (conn->closing)
    return;
  self->closed[reason]++;
  if (conn->phase == PHASE_HANDSHAKE)
    {
      /* The handshake thread uses the socket: cancel, and let the
       * handshake's callback drop it. */
      conn->closing = TRUE;
      self->closing++;
      g_cancellable_cancel (conn->cancellable);
      return;
    }
  /* Closing (not only shutting down) frees the fd now. libsoup finds the
   * GSocket closed on its next read or write (GSocket checks before every
   * call, so a reused fd number is never touched) and lets go. */
  if (conn->in_soup)
    g_socket_close (conn->socket, NULL);
  drop (conn);
}

/* TCP_CLOSE_WAIT of the kernel's include/net/tcp_states.h (tcpi_state):
 * the peer has closed its end, we have not. */
#define TCP_STATE_CLOSE_WAIT 8

/* An idle connection whose client has closed its end. libsoup does not
 * notice that on a kept-alive connection between requests: the socket
 * stays in CLOSE-WAIT, counted against --max-connections, until the idle
 * timeout. A client that opens a connection per request (as some HTTP
 * libraries do) would fill the cap within seconds. */
static gboolean
peer_closed (Connection *conn)
{
  struct tcp_info info;
  socklen_t len = sizeof info;
  int unread = -1;

  /* Between requests (not reading one: whatever the client sent before it
   * closed is still to be read and answered). */
  if (!conn->in_soup || conn->closing || conn->phase != PHASE_WAITING)
    return FALSE;
  memset (&info, 0, sizeof info);
  return getsockopt (g_socket_get_fd (conn->socket), IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
         info.tcpi_state == TCP_STATE_CLOSE_WAIT &&
         ioctl (g_socket_get_fd (conn->socket), FIONREAD, &unread) == 0 && unread == 0;
}

/* Forgets connections libsoup has closed, and closes idle ones their
 * client has closed. */
static void
forget_closed (IntakeServerListener *self)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *conn = value;

      if (conn->in_soup && g_socket_is_closed (conn->socket))
        g_hash_table_iter_remove (&iter);
      else if (peer_closed (conn))
        g_ptr_array_add (gone, conn);
    }
  for (guint i = 0; i < gone->len; i++)
    close_connection (g_ptr_array_index (gone, i), INTAKE_LISTENER_CLOSE_PEER_CLOSED);
}

/* Closes the connection that has been idle longest. */
static gboolean
evict_one (IntakeServerListener *self)
{
  GHashTableIter iter;
  gpointer value;
  Connection *oldest = NULL;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *conn = value;

      if ((oldest == NULL || conn->phase_started < oldest->phase_started) && is_idle (conn))
        oldest = conn;
    }
  if (oldest == NULL)
    return FALSE;
  close_connection (oldest, INTAKE_LISTENER_CLOSE_EVICTED);
  return TRUE;
}

/* ---- Timeouts ----------------------------------------------------------- */

static gboolean
sweep_cb (gpointer user_data)
{
  IntakeServerListener *self = user_data;
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GPtrArray *reasons = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  gint64 idle = (gint64)self->limits.idle_timeout * G_USEC_PER_SEC;
  gint64 header = (gint64)self->limits.header_timeout * G_USEC_PER_SEC;
  gint64 body = (gint64)self->limits.body_timeout * G_USEC_PER_SEC;
  gint64 handshake = (gint64)self->limits.tls_handshake_timeout * G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;

  forget_closed (self);

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *conn = value;
      guint64 in = conn->bytes_in, out = conn->bytes_out;
      gboolean known = FALSE;
      int reason = -1;

      if (conn->closing)
        continue;
      if (conn->phase >= PHASE_WAITING)
        known = tcp_progress (conn, &in, &out);

      switch (conn->phase)
        {
        case PHASE_HELLO:
        case PHASE_HANDSHAKE_QUEUED:
        case PHASE_HANDSHAKE:
          if (now - conn->started >= handshake)
            reason = INTAKE_LISTENER_CLOSE_HANDSHAKE_TIMEOUT;
          break;
        case PHASE_WAITING:
          if (known && in != conn->bytes_in && conn->request_started == 0)
            conn->request_started = now;
          if (conn->request_started == 0 && now - conn->phase_started >= idle)
            reason = INTAKE_LISTENER_CLOSE_IDLE;
          else if (conn->request_started != 0 && now - conn->request_started >= header)
            reason = INTAKE_LISTENER_CLOSE_HEADER_TIMEOUT;
          break;
        case PHASE_BODY:
          if (known && in != conn->bytes_in)
            {
              conn->bytes_in = in;
              conn->last_progress = now;
            }
          if (now - conn->phase_started >= body)
            reason = INTAKE_LISTENER_CLOSE_BODY_TIMEOUT;
          else if (known && now - conn->last_progress >= idle)
            reason = INTAKE_LISTENER_CLOSE_IDLE;
          break;
        case PHASE_ANSWERING:
          /* A client that does not read its answer. */
          if (known && out != conn->bytes_out)
            {
              conn->bytes_out = out;
              conn->last_progress = now;
            }
          if (known && now - conn->last_progress >= idle)
            reason = INTAKE_LISTENER_CLOSE_IDLE;
          break;
        default:
          g_assert_not_reached ();
        }
      if (reason >= 0)
        {
          g_ptr_array_add (expired, conn);
          g_ptr_array_add (reasons, GINT_TO_POINTER (reason));
        }
    }

  for (guint i = 0; i < expired->len; i++)
    close_connection (g_ptr_array_index (expired, i), GPOINTER_TO_INT (g_ptr_array_index (reasons, i)));
  g_ptr_array_unref (reasons);

  if (self->paused && self->pause_reason == INTAKE_LISTENER_PAUSE_CAP && live_connections (self) < self->max_connections)
    resume_accepting (self);

  if (g_hash_table_size (self->connections) == 0)
    {
      self->sweep_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_sweep (IntakeServerListener *self)
{
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (1, sweep_cb, self);
}

/* ---- Handing over to libsoup -------------------------------------------- */

static void
hand_to_soup (Connection *conn,
              GIOStream  *stream)
{
  IntakeServerListener *self = conn->listener;
  guint64 out = 0;

  g_socket_set_option (conn->socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  conn->in_soup = TRUE;
  /* Whatever came before we accepted (plain HTTP) or after the handshake
   * is the first request. */
  conn->first = TRUE;
  conn->first_in = 0;
  if (conn->tls != NULL || G_IS_TLS_CONNECTION (stream))
    tcp_progress (conn, &conn->first_in, &out);
  set_phase (conn, PHASE_WAITING);
  /* Emits request-started for the first message right away. */
  soup_server_accept_iostream (self->soup, stream, conn->local, conn->remote, NULL);
}

static Connection *
lookup (IntakeServerListener *self,
        SoupServerMessage    *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_hash_table_lookup (self->connections, remote) : NULL;
}

static void
got_headers_cb (SoupServerMessage    *msg,
                IntakeServerListener *self)
{
  Connection *conn = lookup (self, msg);

  if (conn != NULL && !conn->closing)
    set_phase (conn, PHASE_BODY);
}

static void
got_body_cb (SoupServerMessage    *msg,
             IntakeServerListener *self)
{
  Connection *conn = lookup (self, msg);

  if (conn != NULL && !conn->closing)
    set_phase (conn, PHASE_ANSWERING);
}

static void
request_started_cb (SoupServer           *soup,
                    SoupServerMessage    *msg,
                    IntakeServerListener *self)
{
  Connection *conn = lookup (self, msg);

  if (conn == NULL)
    return;
  if (!conn->closing)
    set_phase (conn, PHASE_WAITING);
  if (conn->first)
    {
      conn->bytes_in = conn->first_in;
      conn->first = FALSE;
    }
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), self, 0);
  g_signal_connect_object (msg, "got-body", G_CALLBACK (got_body_cb), self, 0);
}

/* The answer is written: the connection waits for its next request (or
 * its client's end of file, peer_closed()). */
static void
request_finished_cb (SoupServer           *soup,
                     SoupServerMessage    *msg,
                     IntakeServerListener *self)
{
  Connection *conn = lookup (self, msg);
  guint64 out = 0;

  if (conn == NULL || conn->closing)
    return;
  set_phase (conn, PHASE_WAITING);
  tcp_progress (conn, &conn->bytes_in, &out);
}

/* ---- TLS ---------------------------------------------------------------- */

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connection *conn = user_data;
  IntakeServerListener *self = conn->listener;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  self->handshakes--;
  if (!ok || conn->closing || self->stopped)
    drop (conn);
  else
    {
      g_autoptr(GTlsConnection) tls = g_steal_pointer (&conn->tls);

      g_clear_object (&conn->cancellable);
      hand_to_soup (conn, G_IO_STREAM (tls));
    }
  start_handshakes (self);
  g_object_unref (self);
}

static void
start_handshake (Connection *conn)
{
  IntakeServerListener *self = conn->listener;
  g_autoptr(GSocketConnection) base = g_socket_connection_factory_create_connection (conn->socket);
  g_autoptr(GError) error = NULL;
  const char * const protocols[] = { "http/1.1", "http/1.0", NULL };
  GIOStream *tls;

  if (!(tls = g_tls_server_connection_new (G_IO_STREAM (base), self->certificate, &error)))
    {
      g_autofree char *fields = g_strdup_printf ("error=\"%s\"", error->message);

      intake_server_log ("error", "tls", fields);
      drop (conn);
      return;
    }
  /* No client certificates, so no trust database: left unset,
   * glib-networking would copy the system's whole CA list into each
   * connection (about 4 MiB each, measured). */
  g_object_set (tls, "database", NULL, "require-close-notify", FALSE, "advertised-protocols", protocols, NULL);
  conn->tls = G_TLS_CONNECTION (tls);
  conn->cancellable = g_cancellable_new ();
  conn->phase = PHASE_HANDSHAKE;
  self->handshakes++;
  g_tls_connection_handshake_async (conn->tls, G_PRIORITY_DEFAULT, conn->cancellable, handshake_cb,
                                    conn);
  g_object_ref (self);
}

static void
start_handshakes (IntakeServerListener *self)
{
  while (!self->stopped && self->handshakes < self->limits.max_tls_handshakes &&
         !g_queue_is_empty (&self->handshake_queue))
    start_handshake (g_queue_pop_head (&self->handshake_queue));
}

/* Waits, on the main loop, until the first TLS record is all there. */
static gboolean
hello_cb (GSocket      *socket,
          GIOCondition  condition,
          gpointer      user_data)
{
  Connection *conn = user_data;
  IntakeServerListener *self = conn->listener;
  int fd = g_socket_get_fd (socket);
  guint8 head[TLS_RECORD_HEADER];
  ssize_t n;
  int available = 0, need;

  n = recv (fd, head, sizeof head, MSG_PEEK);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  /* End of file, an error, or not TLS at all. */
  if (n <= 0 || head[0] != TLS_HANDSHAKE_RECORD)
    {
      g_clear_pointer (&conn->hello_source, g_source_unref);
      drop (conn);
      return G_SOURCE_REMOVE;
    }
  if (n < TLS_RECORD_HEADER)
    return G_SOURCE_CONTINUE;

  need = MIN (TLS_RECORD_HEADER + (head[3] << 8 | head[4]), TLS_MAX_FIRST_RECORD);
  if (ioctl (fd, FIONREAD, &available) == 0 && available < need)
    {
      /* Wake up again only when the rest is there. */
      setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &need, sizeof need);
      return G_SOURCE_CONTINUE;
    }

  need = 1;
  setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &need, sizeof need);
  g_clear_pointer (&conn->hello_source, g_source_unref);
  conn->phase = PHASE_HANDSHAKE_QUEUED;
  g_queue_push_tail (&self->handshake_queue, conn);
  start_handshakes (self);
  return G_SOURCE_REMOVE;
}

/* ---- Accepting ---------------------------------------------------------- */

static void
add_connection (IntakeServerListener *self,
                int                   fd)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, NULL);
  Connection *conn;

  if (socket == NULL)
    {
      close (fd);
      return;
    }
  conn = g_new0 (Connection, 1);
  conn->listener = self;
  conn->socket = g_steal_pointer (&socket);
  conn->remote = g_socket_get_remote_address (conn->socket, NULL);
  conn->local = g_socket_get_local_address (conn->socket, NULL);
  conn->started = g_get_monotonic_time ();
  if (conn->remote == NULL || conn->local == NULL)
    {
      connection_free (conn);
      return;
    }
  g_hash_table_insert (self->connections, conn->remote, conn);
  self->accepted++;
  ensure_sweep (self);

  if (self->certificate != NULL)
    {
      int lowat = TLS_RECORD_HEADER;

      conn->phase = PHASE_HELLO;
      conn->phase_started = conn->started;
      setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
      conn->hello_source = g_socket_create_source (conn->socket, G_IO_IN, NULL);
      g_source_set_callback (conn->hello_source, G_SOURCE_FUNC (hello_cb), conn, NULL);
      g_source_attach (conn->hello_source, NULL);
    }
  else
    {
      g_autoptr(GSocketConnection) stream = g_socket_connection_factory_create_connection (conn->socket);

      hand_to_soup (conn, G_IO_STREAM (stream));
    }
}

static gboolean accept_cb (GSocket *socket, GIOCondition condition, gpointer user_data);

static gboolean
retry_cb (gpointer user_data)
{
  IntakeServerListener *self = user_data;

  self->retry_id = 0;
  resume_accepting (self);
  return G_SOURCE_REMOVE;
}

/* Loud, but at most one line of each kind per PAUSE_LOG_INTERVAL_US,
 * with the number of times since the last line. */
static void
log_limited (IntakeServerListener *self,
             Limited               kind,
             int                   error_code)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *fields = NULL;

  self->limited_unlogged[kind]++;
  if (kind != LIMITED_FD_CLOSED_IDLE)
    self->resume_unlogged = TRUE;
  if (self->limited_logged[kind] != 0 && now - self->limited_logged[kind] < PAUSE_LOG_INTERVAL_US)
    return;
  fields = g_strdup_printf ("%s%s%s%s connections=%u max_connections=%u times=%u", limited_fields[kind],
                            error_code != 0 ? " error=\"" : "", error_code != 0 ? g_strerror (error_code) : "",
                            error_code != 0 ? "\"" : "", live_connections (self), self->max_connections,
                            self->limited_unlogged[kind]);
  intake_server_log ("warning", "accept_limited", fields);
  self->limited_logged[kind] = now;
  self->limited_unlogged[kind] = 0;
}

static void
note_fd_limit (IntakeServerListener *self,
               int                   error_code,
               gboolean              evicted)
{
  self->fd_limit_hits++;
  log_limited (self, evicted ? LIMITED_FD_CLOSED_IDLE : LIMITED_FD_PAUSED, error_code);
}

static void
pause_accepting (IntakeServerListener      *self,
                 IntakeListenerPauseReason  reason)
{
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  if (!self->paused)
    {
      self->pauses[reason]++;
      if (reason == INTAKE_LISTENER_PAUSE_CAP)
        log_limited (self, LIMITED_CAP_PAUSED, 0);
    }
  self->paused = TRUE;
  self->pause_reason = reason;

  if (reason == INTAKE_LISTENER_PAUSE_FD_LIMIT && self->retry_id == 0)
    {
      self->retry_ms = self->retry_ms == 0 ? RETRY_MIN_MS : MIN (self->retry_ms * 2, RETRY_MAX_MS);
      self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
    }
  /* At the cap the sweep resumes accepting once a connection is gone. */
  ensure_sweep (self);
}

static void
resume_accepting (IntakeServerListener *self)
{
  if (self->stopped || self->socket == NULL || self->accept_source != NULL)
    return;
  self->paused = FALSE;
  self->accept_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_attach (self->accept_source, NULL);
}

static gboolean
accept_cb (GSocket      *socket,
           GIOCondition  condition,
           gpointer      user_data)
{
  IntakeServerListener *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      int fd;

      if (live_connections (self) >= self->max_connections)
        {
          forget_closed (self);
          if (live_connections (self) >= self->max_connections && !evict_one (self))
            {
              pause_accepting (self, INTAKE_LISTENER_PAUSE_CAP);
              return G_SOURCE_REMOVE;
            }
        }

      fd = accept4 (g_socket_get_fd (socket), NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0)
        {
          int saved = errno;

          switch (saved)
            {
            case EAGAIN:
#if EAGAIN != EWOULDBLOCK
            case EWOULDBLOCK:
#endif
            case EINTR:
              return G_SOURCE_CONTINUE;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
              /* Out of fds (or memory). Never give up listening: close the
               * connection idle longest and try again at once, or if none
               * is idle, pause and retry shortly. */
              forget_closed (self);
              if (evict_one (self))
                {
                  note_fd_limit (self, saved, TRUE);
                  continue;
                }
              note_fd_limit (self, saved, FALSE);
              pause_accepting (self, INTAKE_LISTENER_PAUSE_FD_LIMIT);
              return G_SOURCE_REMOVE;
            default:
              /* ECONNABORTED, EPROTO, EPERM (a firewall rule), ...: that
               * connection is gone; the next one may be fine. */
              continue;
            }
        }

      self->retry_ms = 0;
      if (self->resume_unlogged && !self->paused)
        {
          g_autofree char *fields = g_strdup_printf ("connections=%u max_connections=%u",
                                                     live_connections (self), self->max_connections);

          intake_server_log ("info", "accept_resumed", fields);
          self->resume_unlogged = FALSE;
        }
      add_connection (self, fd);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- The object ---------------------------------------------------------- */

/* How many connections the fd limit leaves room for, after raising the
 * soft limit towards the hard one if that helps. */
static guint
connections_allowed (guint wanted)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return wanted;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)wanted + FD_RESERVE &&
      (limit.rlim_max == RLIM_INFINITY || limit.rlim_max > limit.rlim_cur))
    {
      struct rlimit raised = limit;

      raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? (rlim_t)wanted + FD_RESERVE
                                                          : MIN (limit.rlim_max, (rlim_t)wanted + FD_RESERVE);
      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        limit = raised;
    }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= (rlim_t)wanted + FD_RESERVE)
    return wanted;
  return limit.rlim_cur > FD_RESERVE + 1 ? (guint)(limit.rlim_cur - FD_RESERVE) : 1;
}

static void
intake_server_listener_dispose (GObject *object)
{
  IntakeServerListener *self = INTAKE_SERVER_LISTENER (object);

  intake_server_listener_stop (self);
  g_clear_object (&self->soup);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (intake_server_listener_parent_class)->dispose (object);
}

static void
intake_server_listener_finalize (GObject *object)
{
  IntakeServerListener *self = INTAKE_SERVER_LISTENER (object);

  g_clear_pointer (&self->connections, g_hash_table_unref);

  G_OBJECT_CLASS (intake_server_listener_parent_class)->finalize (object);
}

static void
intake_server_listener_class_init (IntakeServerListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_server_listener_dispose;
  object_class->finalize = intake_server_listener_finalize;
}

static void
intake_server_listener_init (IntakeServerListener *self)
{
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify)connection_free);
  g_queue_init (&self->handshake_queue);
}

IntakeServerListener *
intake_server_listener_new (SoupServer               *soup,
                            GTlsCertificate          *certificate,
                            const IntakeServerLimits *limits)
{
  IntakeServerListener *self;
  guint wanted;

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);
  g_return_val_if_fail (limits != NULL, NULL);

  self = g_object_new (INTAKE_TYPE_SERVER_LISTENER, NULL);
  self->soup = g_object_ref (soup);
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  self->limits = *limits;
  if (self->limits.max_tls_handshakes == 0)
    self->limits.max_tls_handshakes = 1;

  wanted = limits->max_connections != 0 ? limits->max_connections : INTAKE_SERVER_DEFAULT_MAX_CONNECTIONS;
  self->max_connections = connections_allowed (wanted);
  if (limits->max_connections == 0)
    wanted = self->max_connections;
  else if (self->max_connections < wanted)
    {
      g_autofree char *fields = g_strdup_printf ("max_connections=%u fd_room=%u", wanted, self->max_connections);

      /* The operator asked for it: keep it, and say what will happen. */
      intake_server_log ("warning", "fd_limit_below_max_connections", fields);
      self->max_connections = wanted;
    }

  g_signal_connect_object (soup, "request-started", G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (soup, "request-finished", G_CALLBACK (request_finished_cb), self, 0);
  return self;
}

char *
intake_server_listener_listen (IntakeServerListener  *self,
                               GInetSocketAddress    *address,
                               GError               **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *host = NULL;
  GInetAddress *inet;
  int pair[2];

  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), NULL);
  g_return_val_if_fail (self->socket == NULL, NULL);

  if (!(socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (address)), G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, error)))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_listen_backlog (socket, SOMAXCONN);
  if (!g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, error) || !g_socket_listen (socket, error) ||
      !(bound = g_socket_get_local_address (socket, error)))
    {
      g_autofree char *text = g_inet_address_to_string (g_inet_socket_address_get_address (address));

      g_prefix_error (error, "cannot listen on %s port %u: ", text, g_inet_socket_address_get_port (address));
      return NULL;
    }

  /* See the top of this file: libsoup keeps connections alive only while
   * it has a listener of its own. */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create a socket pair: %s",
                   g_strerror (saved));
      return NULL;
    }
  self->keepalive[0] = g_socket_new_from_fd (pair[0], NULL);
  self->keepalive[1] = g_socket_new_from_fd (pair[1], NULL);
  if (self->keepalive[0] == NULL || self->keepalive[1] == NULL ||
      !soup_server_listen_socket (self->soup, self->keepalive[0], 0, error))
    {
      if (self->keepalive[0] == NULL)
        close (pair[0]);
      if (self->keepalive[1] == NULL)
        close (pair[1]);
      g_clear_object (&self->keepalive[0]);
      g_clear_object (&self->keepalive[1]);
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot set up the HTTP server");
      return NULL;
    }

  self->socket = g_steal_pointer (&socket);
  resume_accepting (self);

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (bound));
  host = g_inet_address_to_string (inet);
  return g_strdup_printf ("%s://%s%s%s:%u", self->certificate != NULL ? "https" : "http",
                          g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? "[" : "", host,
                          g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? "]" : "",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

void
intake_server_listener_stop (IntakeServerListener *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (INTAKE_IS_SERVER_LISTENER (self));

  self->stopped = TRUE;
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);

  /* Handshakes under way finish (cancelled) in their callbacks, which
   * hold a reference; everything else goes now. */
  g_queue_clear (&self->handshake_queue);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Connection *conn = value;

      if (conn->phase == PHASE_HANDSHAKE)
        g_cancellable_cancel (conn->cancellable);
      else
        {
          if (conn->in_soup)
            g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
          if (conn->closing)
            self->closing--;
          g_hash_table_iter_remove (&iter);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->keepalive); i++)
    {
      if (self->keepalive[i] != NULL)
        g_socket_close (self->keepalive[i], NULL);
      g_clear_object (&self->keepalive[i]);
    }
}

void
intake_server_listener_hang_up (IntakeServerListener *self,
                                SoupServerMessage    *msg)
{
  Connection *conn;

  g_return_if_fail (INTAKE_IS_SERVER_LISTENER (self));

  if ((conn = lookup (self, msg)) != NULL)
    close_connection (conn, INTAKE_LISTENER_CLOSE_REFUSED);
}

guint
intake_server_listener_get_max_connections (IntakeServerListener *self)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  return self->max_connections;
}

guint
intake_server_listener_get_n_connections (IntakeServerListener *self)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  forget_closed (self);
  return live_connections (self);
}

guint64
intake_server_listener_get_accepted (IntakeServerListener *self)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  return self->accepted;
}

guint64
intake_server_listener_get_closed (IntakeServerListener      *self,
                                   IntakeListenerCloseReason  reason)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  g_return_val_if_fail (reason < INTAKE_LISTENER_N_CLOSE_REASONS, 0);
  return self->closed[reason];
}

guint64
intake_server_listener_get_fd_limit_hits (IntakeServerListener *self)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  return self->fd_limit_hits;
}

guint64
intake_server_listener_get_paused (IntakeServerListener      *self,
                                   IntakeListenerPauseReason  reason)
{
  g_return_val_if_fail (INTAKE_IS_SERVER_LISTENER (self), 0);
  g_return_val_if_fail (reason < INTAKE_LISTENER_N_PAUSE_REASONS, 0);
  return self->pauses[reason];
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client of wpa_supplicant's control interface (mc-wpa.h).
 *
 * Two unix datagram sockets, each bound to a path of its own in the
 * client's directory and connected to the supplicant's socket (a connected
 * socket takes datagrams from that peer only): one carries the requests,
 * one at a time, each answered by one datagram; the other is ATTACHed and
 * receives the events ("<3>..." or "IFNAME=... <3>..."), and the replies to
 * what is sent on it (ATTACH's "OK", PING's "PONG"), told apart from the
 * events by their first byte.
 *
 * Connecting: IFNAME on the request socket (an interface's socket answers
 * its name, the global one "UNKNOWN COMMAND"), then ATTACH on the event
 * socket; its "OK" makes the client up. Any failure or missing reply
 * closes and removes both sockets, and a new pair is tried a second later.
 *
 * Liveness: every 5 s a PING goes out on the request socket (when no
 * request is out already: a request's own reply proves as much) and one on
 * the event socket. Each must be answered within the request timeout.
 *
 * Detach detection: the supplicant detaches a monitor without a word when
 * its sends to it fail more than 10 times in a row, or once with ENOENT or
 * EPERM. To a client socket that is there and read, sends fail only with
 * EAGAIN or ENOBUFS (its queue full), and on those the supplicant also
 * replaces its own socket with a new one at the same path: our two sockets,
 * connected to the old one, get ECONNREFUSED at their next send (and the
 * new socket's sends to them fail with EPERM: detached at once). ENOENT
 * means that our event socket's path was removed: PING's PONG cannot reach
 * it either. A PONG does not prove an attachment, but every way of being
 * detached also breaks a PING on the event socket: that PING finds a
 * detached client within a PING period, by its send failing or its PONG
 * missing, and the client goes down and up again, attached anew. The
 * events in between are lost: the user, told of both, reads the state
 * again.
 *
 * The supplicant's end: CTRL-EVENT-TERMINATING on an interface's socket,
 * or the send of a request or PING failing (ECONNREFUSED, ENOENT), or a
 * reply not coming. On the global socket, CTRL-EVENT-TERMINATING carries
 * the name of an interface, which may be a P2P group's going away alone:
 * it starts a PING on the event socket at once, which the supplicant
 * answers unless it is going.
 *
 * User code (the callbacks of McWpaFuncs and of requests) may free the
 * client: every handler holds a reference while it runs and stops once the
 * client is freed.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "mc-wpa.h"

#define RETRY_MS		1000
#define PING_MS			5000
/* The supplicant reads at most this much of a command. */
#define MAX_COMMAND		4095
#define CLIENT_PREFIX		"mc_wpa_"
#define P2P_DEVICE_PREFIX	"p2p-dev-"
#define TERMINATING		"CTRL-EVENT-TERMINATING"
/* The most datagrams the event socket's handler reads in a row. */
#define EVENT_BURST		32

static guint request_ms = MC_WPA_REQUEST_TIMEOUT_MS;
static guint retry_ms = RETRY_MS;
static guint ping_ms = PING_MS;

typedef enum {
	DOWN,
	CONNECTING,	/* sockets connected, IFNAME asked */
	ATTACHING,	/* ATTACH sent on the event socket */
	UP,
} Phase;

typedef struct {
	int fd;
	char *path;		/* bound: removed when closed */
	GSource *in;
	GSource *out;		/* while pending waits for room */
	const char *pending;	/* a datagram to send once there is room */
} Sock;

typedef enum {
	REQ_USER,
	REQ_IFNAME,
	REQ_PING,
} Kind;

typedef struct {
	McWpa *wpa;
	Kind kind;
	char *command;
	GTask *task;		/* REQ_USER until completed */
	GSource *cancel;	/* dispatches the cancellation of task */
} Request;

struct _McWpa {
	GMainContext *context;
	char *path;		/* as given: a socket or a directory */
	char *client_dir;
	McWpaFuncs funcs;
	gpointer data;
	guint refs;		/* the user's, and one per handler running */
	gboolean freed;

	Phase phase;
	char *socket;		/* the supplicant's, while connected */
	char *interface;	/* once IFNAME answered */
	Sock req;
	Sock ev;
	gboolean probing;	/* a PING on the event socket awaits its PONG */
	GSource *retry;		/* the next connection attempt, while down */
	GSource *ev_timeout;	/* the deadline of ATTACH or of the probe */
	GSource *ping;		/* periodic, while up */
	GSource *kick;		/* sends what mc_wpa_request() queued */

	GQueue queue;		/* of Request, not sent yet */
	Request *current;	/* sent (or waiting for room), its reply awaited */
	GSource *req_timeout;

	char buf[MC_WPA_MAX_MESSAGE];
};

void mc_wpa_set_timeouts(guint request, guint retry, guint ping)
{
	request_ms = request ? request : MC_WPA_REQUEST_TIMEOUT_MS;
	retry_ms = retry ? retry : RETRY_MS;
	ping_ms = ping ? ping : PING_MS;
}

static void wpa_ref(McWpa *wpa)
{
	wpa->refs++;
}

static void wpa_unref(McWpa *wpa)
{
	if (--wpa->refs)
		return;
	g_main_context_unref(wpa->context);
	g_free(wpa->path);
	g_free(wpa->client_dir);
	g_free(wpa->socket);
	g_free(wpa->interface);
	g_free(wpa);
}

static GSource *add_source(McWpa *wpa, GSource *source, GSourceFunc func, gpointer data)
{
	g_source_set_callback(source, func, data, NULL);
	g_source_attach(source, wpa->context);
	return source;
}

static void clear_source(GSource **source)
{
	if (!*source)
		return;
	g_source_destroy(*source);
	g_source_unref(*source);
	*source = NULL;
}

/* ---- Requests ---- */

/*
 * The command's name for errors: its first word, after any "IFNAME=<if> "
 * (its arguments may hold a PIN or a passphrase).
 */
static char *command_name(const char *command)
{
	const char *start = command, *end;

	if (g_str_has_prefix(start, "IFNAME=") && strchr(start, ' '))
		start = strchr(start, ' ') + 1;
	end = strchrnul(start, ' ');
	return g_strndup(start, end - start);
}

static GError *request_error(const Request *r, gint code, const char *what)
{
	g_autofree char *name = command_name(r->command);

	return g_error_new(G_IO_ERROR, code, "%s: %s", name, what);
}

static Request *request_new(McWpa *wpa, Kind kind, const char *command, GTask *task)
{
	Request *r = g_new0(Request, 1);

	r->wpa = wpa;
	r->kind = kind;
	r->command = g_strdup(command);
	r->task = task;
	return r;
}

static void request_free(Request *r)
{
	clear_source(&r->cancel);
	if (r->task)
		g_object_unref(r->task);
	g_free(r->command);
	g_free(r);
}

/* Completes r's task, if it has one still, with reply or error (both taken). */
static void request_complete(Request *r, char *reply, GError *error)
{
	GTask *task = g_steal_pointer(&r->task);

	clear_source(&r->cancel);
	if (!task) {
		g_free(reply);
		if (error)
			g_error_free(error);
		return;
	}
	if (!error && g_cancellable_is_cancelled(g_task_get_cancellable(task))) {
		g_free(reply);
		error = request_error(r, G_IO_ERROR_CANCELLED, "cancelled");
	}
	if (error)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, reply, g_free);
	g_object_unref(task);
}

/* Fails the requests in failed and frees them: user code may run, wpa may be freed after. */
static void fail_requests(GQueue *failed, gint code, const char *why)
{
	Request *r;

	while ((r = g_queue_pop_head(failed))) {
		request_complete(r, NULL, request_error(r, code, why));
		request_free(r);
	}
}

/* ---- Sockets ---- */

static gboolean on_req_in(int fd, GIOCondition cond, gpointer data);
static gboolean on_ev_in(int fd, GIOCondition cond, gpointer data);
static gboolean on_writable(int fd, GIOCondition cond, gpointer data);

static gboolean set_sockaddr(struct sockaddr_un *addr, const char *path, GError **error)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
			    "%s: too long for a unix socket's path", path);
		return FALSE;
	}
	strcpy(addr->sun_path, path);
	return TRUE;
}

/* A socket bound in the client's directory and connected to server; on failure s is closed. */
static gboolean sock_open(McWpa *wpa, Sock *s, const char *server, GError **error)
{
	static gint counter;
	struct sockaddr_un local, remote;
	g_autofree char *path = NULL;
	int err;

	path = g_strdup_printf("%s/" CLIENT_PREFIX "%d-%d", wpa->client_dir, (int)getpid(),
			       g_atomic_int_add(&counter, 1));
	if (!set_sockaddr(&local, path, error) || !set_sockaddr(&remote, server, error))
		return FALSE;
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	/* a name in use is a dead process's: its pid was ours */
	if (bind(s->fd, (struct sockaddr *)&local, sizeof(local)) < 0 &&
	    (errno != EADDRINUSE || unlink(path) < 0 ||
	     bind(s->fd, (struct sockaddr *)&local, sizeof(local)) < 0))
		goto fail;
	s->path = g_steal_pointer(&path);
	if (connect(s->fd, (struct sockaddr *)&remote, sizeof(remote)) < 0)
		goto fail;
	s->in = add_source(wpa, g_unix_fd_source_new(s->fd, G_IO_IN),
			   G_SOURCE_FUNC(s == &wpa->req ? on_req_in : on_ev_in), wpa);
	return TRUE;
fail:
	err = errno;
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s: %s", server,
		    g_strerror(err));
	return FALSE;
}

static void sock_close(Sock *s)
{
	clear_source(&s->in);
	clear_source(&s->out);
	s->pending = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->path)
		unlink(s->path);
	g_clear_pointer(&s->path, g_free);
}

/*
 * Sends msg (kept by the caller until sent), at once or when there is room
 * (the supplicant's queue is full). FALSE with error set if the socket failed.
 */
static gboolean sock_send(McWpa *wpa, Sock *s, const char *msg, GError **error)
{
	int err;

	if (send(s->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return TRUE;
	err = errno;
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
		s->pending = msg;
		if (!s->out)
			s->out = add_source(wpa, g_unix_fd_source_new(s->fd, G_IO_OUT),
					    G_SOURCE_FUNC(on_writable), wpa);
		return TRUE;
	}
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot send to %s: %s",
		    wpa->socket, g_strerror(err));
	return FALSE;
}

/*
 * One datagram into wpa->buf: its real size (more than the buffer's if it
 * was cut), or -1: nothing to read, or error set.
 */
static gssize sock_recv(McWpa *wpa, int fd, GIOCondition cond, GError **error)
{
	gssize n = recv(fd, wpa->buf, sizeof(wpa->buf), MSG_DONTWAIT | MSG_TRUNC);
	int err = errno;

	if (n >= 0)
		return n;
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
		if (cond & (G_IO_ERR | G_IO_HUP))
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
				    "the socket to %s failed", wpa->socket);
		return -1;
	}
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot receive from %s: %s",
		    wpa->socket, g_strerror(err));
	return -1;
}

/* ---- The connection ---- */

static void try_connect(McWpa *wpa);

/* Closes the connection; its requests move to failed. */
static void disconnect(McWpa *wpa, GQueue *failed)
{
	Request *r;

	sock_close(&wpa->req);
	sock_close(&wpa->ev);
	clear_source(&wpa->ev_timeout);
	clear_source(&wpa->ping);
	clear_source(&wpa->req_timeout);
	g_clear_pointer(&wpa->socket, g_free);
	g_clear_pointer(&wpa->interface, g_free);
	wpa->phase = DOWN;
	wpa->probing = FALSE;
	if (wpa->current)
		g_queue_push_tail(failed, g_steal_pointer(&wpa->current));
	while ((r = g_queue_pop_head(&wpa->queue)))
		g_queue_push_tail(failed, r);
}

static gboolean on_retry(gpointer data)
{
	McWpa *wpa = data;

	clear_source(&wpa->retry);
	wpa_ref(wpa);
	try_connect(wpa);
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

static void arm_retry(McWpa *wpa, guint ms)
{
	clear_source(&wpa->retry);
	if (!wpa->freed)
		wpa->retry = add_source(wpa, g_timeout_source_new(ms), on_retry, wpa);
}

/*
 * The connection failed or ended (why, taken): its requests fail, the user
 * hears of it if it was up, and a new one is tried in a while.
 */
static void go_down(McWpa *wpa, GError *why)
{
	gboolean was_up = wpa->phase == UP;
	GQueue failed = G_QUEUE_INIT;

	g_debug("wpa_supplicant at %s: %s", wpa->socket ? wpa->socket : wpa->path, why->message);
	disconnect(wpa, &failed);
	arm_retry(wpa, retry_ms);
	fail_requests(&failed, why->code, why->message);
	if (was_up && !wpa->freed && wpa->funcs.state)
		wpa->funcs.state(wpa, FALSE, why, wpa->data);
	g_error_free(why);
}

/* The socket to use at path: itself, or in a directory the P2P device's, else the only one. */
static char *find_socket(const char *path)
{
	char *p2p = NULL, *only = NULL;
	guint sockets = 0;
	const char *name;
	struct stat st;
	GDir *dir;

	if (stat(path, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode))
		return g_strdup(path);
	dir = g_dir_open(path, 0, NULL);
	if (!dir)
		return NULL;
	while ((name = g_dir_read_name(dir))) {
		char *full = g_build_filename(path, name, NULL);

		if (g_str_has_prefix(name, CLIENT_PREFIX) || lstat(full, &st) < 0 ||
		    !S_ISSOCK(st.st_mode)) {
			g_free(full);
			continue;
		}
		sockets++;
		if (g_str_has_prefix(name, P2P_DEVICE_PREFIX) && (!p2p || strcmp(full, p2p) < 0)) {
			g_free(p2p);
			p2p = g_strdup(full);
		}
		g_free(only);
		only = full;
	}
	g_dir_close(dir);
	if (p2p || sockets != 1)
		g_clear_pointer(&only, g_free);
	return p2p ? p2p : only;
}

static gboolean on_req_timeout(gpointer data);

/* Sends the next request, if none is out. */
static void send_next(McWpa *wpa)
{
	GError *error = NULL;

	if (wpa->current || wpa->phase == DOWN || g_queue_is_empty(&wpa->queue))
		return;
	wpa->current = g_queue_pop_head(&wpa->queue);
	wpa->req_timeout = add_source(wpa, g_timeout_source_new(request_ms), on_req_timeout, wpa);
	if (!sock_send(wpa, &wpa->req, wpa->current->command, &error))
		go_down(wpa, error);
}

static void try_connect(McWpa *wpa)
{
	GError *error = NULL;
	char *server = find_socket(wpa->path);

	if (!server) {
		arm_retry(wpa, retry_ms);
		return;
	}
	if (!sock_open(wpa, &wpa->req, server, &error) ||
	    !sock_open(wpa, &wpa->ev, server, &error)) {
		g_debug("wpa_supplicant: %s", error->message);
		g_error_free(error);
		sock_close(&wpa->req);
		sock_close(&wpa->ev);
		g_free(server);
		arm_retry(wpa, retry_ms);
		return;
	}
	wpa->socket = server;
	wpa->phase = CONNECTING;
	g_queue_push_tail(&wpa->queue, request_new(wpa, REQ_IFNAME, "IFNAME", NULL));
	send_next(wpa);
}

static gboolean on_ev_timeout(gpointer data)
{
	McWpa *wpa = data;

	clear_source(&wpa->ev_timeout);
	wpa_ref(wpa);
	go_down(wpa, g_error_new(G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				 "no reply to %s on the event socket in %u ms",
				 wpa->phase == ATTACHING ? "ATTACH" : "PING", request_ms));
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

/* Sends msg on the event socket, its reply due in request_ms. */
static void ev_send(McWpa *wpa, const char *msg)
{
	GError *error = NULL;

	if (!sock_send(wpa, &wpa->ev, msg, &error)) {
		go_down(wpa, error);
		return;
	}
	clear_source(&wpa->ev_timeout);
	wpa->ev_timeout = add_source(wpa, g_timeout_source_new(request_ms), on_ev_timeout, wpa);
}

/* Checks that the event socket still reaches the supplicant (see the top). */
static void probe(McWpa *wpa)
{
	if (wpa->probing || wpa->phase != UP)
		return;
	wpa->probing = TRUE;
	ev_send(wpa, "PING");
}

/* IFNAME's reply: the connection is to the right socket, it attaches. */
static void on_ifname(McWpa *wpa, const char *reply)
{
	GQueue failed = G_QUEUE_INIT;
	char *best;

	/* in a directory, the P2P device's socket may have come after the one chosen */
	if (g_file_test(wpa->path, G_FILE_TEST_IS_DIR)) {
		best = find_socket(wpa->path);
		if (best && strcmp(best, wpa->socket)) {
			g_debug("wpa_supplicant: %s rather than %s", best, wpa->socket);
			disconnect(wpa, &failed);
			fail_requests(&failed, G_IO_ERROR_CANCELLED, "cancelled");
			g_free(best);
			try_connect(wpa);
			return;
		}
		g_free(best);
	}
	if (!strcmp(reply, "UNKNOWN COMMAND"))
		wpa->interface = g_strdup("global");
	else
		wpa->interface = g_path_get_basename(wpa->socket);
	wpa->phase = ATTACHING;
	ev_send(wpa, "ATTACH");
}

static void request_reply(Request *r, const char *buf, gsize size)
{
	gsize len = MIN(size, sizeof(r->wpa->buf));
	char *reply;

	if (len && buf[len - 1] == '\n')
		len--;
	reply = g_strndup(buf, len);
	if (size > sizeof(r->wpa->buf)) {
		g_autofree char *what = g_strdup_printf("a reply of %zu bytes, more than %d", size,
							MC_WPA_MAX_MESSAGE);

		g_free(reply);
		request_complete(r, NULL, request_error(r, G_IO_ERROR_MESSAGE_TOO_LARGE, what));
	} else if (!strcmp(reply, "FAIL") || g_str_has_prefix(reply, "FAIL-")) {
		request_complete(r, NULL, request_error(r, G_IO_ERROR_FAILED, reply));
		g_free(reply);
	} else if (!strcmp(reply, "UNKNOWN COMMAND")) {
		request_complete(r, NULL, request_error(r, G_IO_ERROR_NOT_SUPPORTED, reply));
		g_free(reply);
	} else {
		request_complete(r, reply, NULL);
	}
}

static gboolean on_req_in(int fd, GIOCondition cond, gpointer data)
{
	McWpa *wpa = data;
	GError *error = NULL;
	gssize n = sock_recv(wpa, fd, cond, &error);
	Request *r = wpa->current;

	wpa_ref(wpa);
	if (n < 0) {
		if (error)
			go_down(wpa, error);
	} else if (!r || wpa->req.pending) {
		g_debug("wpa_supplicant: a reply to no request: %.*s", (int)MIN(n, 80), wpa->buf);
	} else {
		wpa->current = NULL;
		clear_source(&wpa->req_timeout);
		if (r->kind == REQ_IFNAME) {
			wpa->buf[MIN((gsize)n, sizeof(wpa->buf) - 1)] = '\0';
			g_strchomp(wpa->buf);
			on_ifname(wpa, wpa->buf);
		} else if (r->kind == REQ_USER) {
			request_reply(r, wpa->buf, n);
		}
		request_free(r);
		if (!wpa->freed)
			send_next(wpa);
	}
	wpa_unref(wpa);
	return G_SOURCE_CONTINUE;
}

static gboolean on_req_timeout(gpointer data)
{
	McWpa *wpa = data;
	g_autofree char *name = command_name(wpa->current->command);

	clear_source(&wpa->req_timeout);
	wpa_ref(wpa);
	go_down(wpa, g_error_new(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no reply to %s in %u ms",
				 name, request_ms));
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

static gboolean on_writable(int fd, GIOCondition cond G_GNUC_UNUSED, gpointer data)
{
	McWpa *wpa = data;
	Sock *s = fd == wpa->req.fd ? &wpa->req : &wpa->ev;
	const char *msg = s->pending;
	GError *error = NULL;

	clear_source(&s->out);
	s->pending = NULL;
	wpa_ref(wpa);
	if (msg && !sock_send(wpa, s, msg, &error))
		go_down(wpa, error);
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

static gboolean on_ping(gpointer data)
{
	McWpa *wpa = data;

	wpa_ref(wpa);
	probe(wpa);
	if (wpa->phase == UP && !wpa->current && g_queue_is_empty(&wpa->queue)) {
		g_queue_push_tail(&wpa->queue, request_new(wpa, REQ_PING, "PING", NULL));
		send_next(wpa);
	}
	wpa_unref(wpa);
	return G_SOURCE_CONTINUE;
}

/* A reply on the event socket: to ATTACH or to the probe's PING. */
static void ev_reply(McWpa *wpa, const char *buf, gsize len)
{
	gboolean ok = len == 3 && !memcmp(buf, "OK\n", 3);

	if (wpa->phase == ATTACHING) {
		clear_source(&wpa->ev_timeout);
		if (!ok) {
			go_down(wpa, g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "ATTACH: %.*s",
						 (int)MIN(len, 80), buf));
			return;
		}
		wpa->phase = UP;
		wpa->ping = add_source(wpa, g_timeout_source_new(ping_ms), on_ping, wpa);
		g_debug("wpa_supplicant: attached to %s", wpa->socket);
		if (wpa->funcs.state)
			wpa->funcs.state(wpa, TRUE, NULL, wpa->data);
	} else if (wpa->probing && len == 5 && !memcmp(buf, "PONG\n", 5)) {
		wpa->probing = FALSE;
		clear_source(&wpa->ev_timeout);
	} else {
		g_debug("wpa_supplicant: an unexpected reply: %.*s", (int)MIN(len, 80), buf);
	}
}

/* Whether line is CTRL-EVENT-TERMINATING; *global: with an interface's name before. */
static gboolean is_terminating(const char *line, gsize len, gboolean *global)
{
	const char *p = line, *end = line + len;
	gsize n = strlen(TERMINATING);

	*global = len > 7 && !memcmp(line, "IFNAME=", 7);
	if (*global) {
		p = memchr(line, ' ', len);
		if (!p)
			return FALSE;
		p++;
	}
	if (p < end && *p == '<') {
		p = memchr(p, '>', end - p);
		if (!p)
			return FALSE;
		p++;
	}
	return (gsize)(end - p) >= n && !memcmp(p, TERMINATING, n) &&
	       ((gsize)(end - p) == n || p[n] == ' ');
}

static void on_event(McWpa *wpa, gsize len)
{
	gboolean global;

	if (wpa->phase != UP)
		return;
	if (wpa->funcs.event)
		wpa->funcs.event(wpa, wpa->buf, len, wpa->data);
	if (wpa->freed || wpa->phase != UP || !is_terminating(wpa->buf, len, &global))
		return;
	if (global)
		probe(wpa);
	else
		go_down(wpa, g_error_new(G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
					 "wpa_supplicant terminated"));
}

static gboolean on_ev_in(int fd, GIOCondition cond, gpointer data)
{
	McWpa *wpa = data;
	GError *error = NULL;
	gssize n;
	int i;

	wpa_ref(wpa);
	for (i = 0; i < EVENT_BURST && !wpa->freed && wpa->ev.fd == fd; i++) {
		n = sock_recv(wpa, fd, i ? 0 : cond, &error);
		if (n < 0) {
			if (error)
				go_down(wpa, error);
			break;
		}
		if ((gsize)n > sizeof(wpa->buf))
			g_warning("wpa_supplicant: an event of %zd bytes dropped, more than %d", n,
				  MC_WPA_MAX_MESSAGE);
		else if ((n && wpa->buf[0] == '<') || (n > 7 && !memcmp(wpa->buf, "IFNAME=", 7)))
			on_event(wpa, n);
		else
			ev_reply(wpa, wpa->buf, n);
	}
	wpa_unref(wpa);
	return G_SOURCE_CONTINUE;
}

/* ---- The API ---- */

McWpa *mc_wpa_new(const char *path, const char *client_dir, const McWpaFuncs *funcs,
		  gpointer data)
{
	McWpa *wpa = g_new0(McWpa, 1);

	wpa->context = g_main_context_ref_thread_default();
	wpa->path = g_strdup(path);
	wpa->client_dir = g_strdup(client_dir ? client_dir : g_get_tmp_dir());
	if (funcs)
		wpa->funcs = *funcs;
	wpa->data = data;
	wpa->refs = 1;
	wpa->req.fd = -1;
	wpa->ev.fd = -1;
	g_queue_init(&wpa->queue);
	arm_retry(wpa, 0);
	return wpa;
}

void mc_wpa_free(McWpa *wpa)
{
	GQueue failed = G_QUEUE_INIT;

	if (!wpa)
		return;
	g_return_if_fail(!wpa->freed);
	wpa->freed = TRUE;
	/* best effort: the supplicant would detach the removed socket at its next event anyway */
	if (wpa->ev.fd >= 0 && wpa->phase >= ATTACHING)
		(void)send(wpa->ev.fd, "DETACH", 6, MSG_DONTWAIT | MSG_NOSIGNAL);
	disconnect(wpa, &failed);
	clear_source(&wpa->retry);
	clear_source(&wpa->kick);
	fail_requests(&failed, G_IO_ERROR_CANCELLED, "cancelled: the client was freed");
	wpa_unref(wpa);
}

gboolean mc_wpa_is_up(McWpa *wpa)
{
	return wpa->phase == UP;
}

const char *mc_wpa_get_socket(McWpa *wpa)
{
	return wpa->socket;
}

const char *mc_wpa_get_interface(McWpa *wpa)
{
	return wpa->interface;
}

static gboolean on_kick(gpointer data)
{
	McWpa *wpa = data;

	clear_source(&wpa->kick);
	wpa_ref(wpa);
	send_next(wpa);
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

static gboolean on_cancelled(GCancellable *cancellable G_GNUC_UNUSED, gpointer data)
{
	Request *r = data;
	McWpa *wpa = r->wpa;
	gboolean unsent = r == wpa->current && wpa->req.pending;

	clear_source(&r->cancel);
	wpa_ref(wpa);
	if (g_queue_remove(&wpa->queue, r) || unsent) {
		if (unsent) {
			/* still waiting for room: it never goes */
			clear_source(&wpa->req.out);
			wpa->req.pending = NULL;
			clear_source(&wpa->req_timeout);
			wpa->current = NULL;
		}
		request_complete(r, NULL, request_error(r, G_IO_ERROR_CANCELLED, "cancelled"));
		request_free(r);
		if (unsent && !wpa->freed)
			send_next(wpa);
	} else if (r == wpa->current) {
		/* sent: its reply is still awaited, and dropped */
		request_complete(r, NULL, request_error(r, G_IO_ERROR_CANCELLED, "cancelled"));
	}
	wpa_unref(wpa);
	return G_SOURCE_REMOVE;
}

void mc_wpa_request(McWpa *wpa, const char *command, GCancellable *cancellable,
		    GAsyncReadyCallback callback, gpointer data)
{
	GTask *task;
	Request *r;

	g_return_if_fail(wpa && command);
	task = g_task_new(NULL, cancellable, callback, data);
	g_task_set_source_tag(task, mc_wpa_request);
	/* the errors name the command, the cancellable's would not */
	g_task_set_check_cancellable(task, FALSE);
	r = request_new(wpa, REQ_USER, command, task);
	if (wpa->phase != UP || wpa->freed) {
		request_complete(r, NULL, request_error(r, G_IO_ERROR_NOT_CONNECTED,
							"wpa_supplicant is not connected"));
		request_free(r);
		return;
	}
	if (strlen(command) > MAX_COMMAND) {
		request_complete(r, NULL, request_error(r, G_IO_ERROR_INVALID_ARGUMENT,
							"longer than the supplicant reads"));
		request_free(r);
		return;
	}
	if (cancellable) {
		r->cancel = g_cancellable_source_new(cancellable);
		add_source(wpa, r->cancel, G_SOURCE_FUNC(on_cancelled), r);
	}
	g_queue_push_tail(&wpa->queue, r);
	if (!wpa->kick)
		wpa->kick = add_source(wpa, g_idle_source_new(), on_kick, wpa);
}

char *mc_wpa_request_finish(McWpa *wpa G_GNUC_UNUSED, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * RTSP over one TCP connection, framed by GStreamer's RTSP library.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mc-rtsp.h"

struct _McRtsp {
	GSocketConnection *connection;
	GstRTSPConnection *conn;
	GstRTSPWatch *watch;
	McRtspFuncs funcs;
	gpointer data;
	char *local;
	char *peer;
	guint16 peer_port;
	gboolean closing;	/* mc_rtsp_close(): free once written */
	guint next_cseq;	/* the connection's next request number */
	guint close_timer;
};

static void rtsp_destroy(McRtsp *rtsp)
{
	if (rtsp->close_timer)
		g_source_remove(rtsp->close_timer);
	if (rtsp->watch) {
		g_source_destroy((GSource *)rtsp->watch);
		gst_rtsp_watch_unref(rtsp->watch);
	}
	if (rtsp->conn)
		gst_rtsp_connection_free(rtsp->conn);
	if (rtsp->connection) {
		g_io_stream_close(G_IO_STREAM(rtsp->connection), NULL, NULL);
		g_object_unref(rtsp->connection);
	}
	g_free(rtsp->local);
	g_free(rtsp->peer);
	g_free(rtsp);
}

static gboolean on_close_timeout(gpointer data)
{
	McRtsp *rtsp = data;

	rtsp->close_timer = 0;
	rtsp_destroy(rtsp);
	return G_SOURCE_REMOVE;
}

/* The connection is over: the owner hears it once, unless it let go. */
static void rtsp_closed(McRtsp *rtsp, const char *why)
{
	g_autoptr(GError) error = NULL;

	if (rtsp->closing) {
		/* mc_rtsp_close() let go: free it, once out of the watch's dispatch */
		if (rtsp->close_timer)
			g_source_remove(rtsp->close_timer);
		rtsp->close_timer = g_idle_add(on_close_timeout, rtsp);
		return;
	}
	if (why)
		error = g_error_new(G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "%s", why);
	/* the watch's source must not dispatch again */
	g_source_destroy((GSource *)rtsp->watch);
	if (rtsp->funcs.closed)
		rtsp->funcs.closed(rtsp, error, rtsp->data);
}

static GstRTSPResult on_message(GstRTSPWatch *watch G_GNUC_UNUSED, GstRTSPMessage *message,
				gpointer data)
{
	McRtsp *rtsp = data;
	guint8 *body = NULL;
	guint size = 0;

	if (rtsp->closing)
		return GST_RTSP_OK;
	if (message->type == GST_RTSP_MESSAGE_DATA) {
		rtsp_closed(rtsp, "interleaved data on a Wi-Fi Display connection");
		return GST_RTSP_OK;
	}
	gst_rtsp_message_get_body(message, &body, &size);
	if (size > MC_RTSP_MAX_MESSAGE) {
		rtsp_closed(rtsp, "a message of more than 64 KiB");
		return GST_RTSP_OK;
	}
	rtsp->funcs.message(rtsp, message, rtsp->data);
	return GST_RTSP_OK;
}

static GstRTSPResult on_sent(GstRTSPWatch *watch, guint id G_GNUC_UNUSED, gpointer data)
{
	McRtsp *rtsp = data;
	gsize bytes = 0;
	guint messages = 0;

	if (rtsp->closing) {
		gst_rtsp_watch_get_send_backlog(watch, &bytes, &messages);
		(void)bytes;
		if (!messages) {
			g_source_remove(rtsp->close_timer);
			rtsp->close_timer = g_idle_add(on_close_timeout, rtsp);
		}
	}
	return GST_RTSP_OK;
}

static GstRTSPResult on_watch_closed(GstRTSPWatch *watch G_GNUC_UNUSED, gpointer data)
{
	rtsp_closed(data, NULL);
	return GST_RTSP_OK;
}

static GstRTSPResult on_error(GstRTSPWatch *watch G_GNUC_UNUSED, GstRTSPResult result,
			      gpointer data)
{
	g_autofree char *why = gst_rtsp_strresult(result);

	rtsp_closed(data, why);
	return GST_RTSP_OK;
}

static GstRTSPWatchFuncs watch_funcs = {
	.message_received = on_message,
	.message_sent = on_sent,
	.closed = on_watch_closed,
	.error = on_error,
};

static char *address_string(GSocketAddress *a, guint16 *port)
{
	GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(a);

	if (port)
		*port = g_inet_socket_address_get_port(inet);
	return g_inet_address_to_string(g_inet_socket_address_get_address(inet));
}

McRtsp *mc_rtsp_new(GSocketConnection *connection, const McRtspFuncs *funcs, gpointer data,
		    GError **error)
{
	GSocket *socket = g_socket_connection_get_socket(connection);
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, error);
	g_autoptr(GSocketAddress) peer = local ? g_socket_get_remote_address(socket, error) : NULL;
	McRtsp *rtsp;
	GstRTSPResult res;

	if (!peer)
		return NULL;
	if (!G_IS_INET_SOCKET_ADDRESS(peer)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "an RTSP connection is TCP over IP");
		return NULL;
	}
	rtsp = g_new0(McRtsp, 1);
	rtsp->connection = g_object_ref(connection);
	rtsp->funcs = *funcs;
	rtsp->data = data;
	rtsp->local = address_string(local, NULL);
	rtsp->peer = address_string(peer, &rtsp->peer_port);
	res = gst_rtsp_connection_create_from_socket(socket, rtsp->peer, rtsp->peer_port, NULL,
						     &rtsp->conn);
	if (res != GST_RTSP_OK) {
		g_autofree char *why = gst_rtsp_strresult(res);

		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "RTSP connection: %s", why);
		rtsp_destroy(rtsp);
		return NULL;
	}
	/* a sink's reply must not set the Session of the next requests */
	gst_rtsp_connection_set_remember_session_id(rtsp->conn, FALSE);
	/* and no body beyond the limit is even allocated */
	gst_rtsp_connection_set_content_length_limit(rtsp->conn, MC_RTSP_MAX_MESSAGE);
	rtsp->next_cseq = 1;
	rtsp->watch = gst_rtsp_watch_new(rtsp->conn, &watch_funcs, rtsp, NULL);
	gst_rtsp_watch_attach(rtsp->watch, g_main_context_get_thread_default());
	return rtsp;
}

void mc_rtsp_free(McRtsp *rtsp)
{
	if (rtsp)
		rtsp_destroy(rtsp);
}

void mc_rtsp_close(McRtsp *rtsp)
{
	gsize bytes = 0;
	guint messages = 0;

	if (!rtsp)
		return;
	rtsp->closing = TRUE;
	gst_rtsp_watch_get_send_backlog(rtsp->watch, &bytes, &messages);
	(void)bytes;
	rtsp->close_timer = messages ? g_timeout_add_seconds(1, on_close_timeout, rtsp)
				     : g_idle_add(on_close_timeout, rtsp);
}

/*
 * The wire form, for messages the connection must not write itself: it
 * numbers requests with its own counter (the connection's CSeq), and
 * takes a reply for a broken message if its CSeq is above that counter.
 */
char *mc_rtsp_serialize(const GstRTSPMessage *message, gsize *len)
{
	GstRTSPMessage *m = (GstRTSPMessage *)message;
	GString *s = g_string_new(NULL);
	GstRTSPMethod method;
	GstRTSPStatusCode code;
	const char *uri = NULL, *reason = NULL;
	guint8 *body = NULL;
	guint size = 0;
	int f;

	if (m->type == GST_RTSP_MESSAGE_REQUEST &&
	    gst_rtsp_message_parse_request(m, &method, &uri, NULL) == GST_RTSP_OK)
		g_string_append_printf(s, "%s %s RTSP/1.0\r\n", gst_rtsp_method_as_text(method),
				       uri);
	else if (m->type == GST_RTSP_MESSAGE_RESPONSE &&
		 gst_rtsp_message_parse_response(m, &code, &reason, NULL) == GST_RTSP_OK)
		g_string_append_printf(s, "RTSP/1.0 %d %s\r\n", code,
				       reason ? reason : gst_rtsp_status_as_text(code));
	else
		return g_string_free(s, TRUE);
	for (f = GST_RTSP_HDR_INVALID + 1; f < GST_RTSP_HDR_LAST; f++) {
		char *value;

		if (f == GST_RTSP_HDR_CONTENT_LENGTH)
			continue;
		for (int i = 0; gst_rtsp_message_get_header(m, f, &value, i) == GST_RTSP_OK; i++)
			g_string_append_printf(s, "%s: %s\r\n", gst_rtsp_header_as_text(f), value);
	}
	gst_rtsp_message_get_body(m, &body, &size);
	if (size)
		g_string_append_printf(s, "Content-Length: %u\r\n", size);
	g_string_append(s, "\r\n");
	if (size)
		g_string_append_len(s, (const char *)body, size);
	*len = s->len;
	return g_string_free(s, FALSE);
}

/*
 * GStreamer's connection writes a request's CSeq itself, from its own
 * counter, and refuses replies numbered above it. So a request that has
 * the counter's next number goes through it without its CSeq header (the
 * connection writes the same); any other (a sink's CSeq 0) is written as
 * it is. Replies go through it as they are.
 */
gboolean mc_rtsp_send(McRtsp *rtsp, GstRTSPMessage *message, GError **error)
{
	GstRTSPMessage *copy = NULL;
	GstRTSPResult res;
	guint cseq = 0;

	if (message->type == GST_RTSP_MESSAGE_REQUEST && mc_rtsp_get_cseq(message, &cseq) &&
	    cseq != rtsp->next_cseq) {
		gsize len = 0;
		char *data = mc_rtsp_serialize(message, &len);

		res = gst_rtsp_watch_write_data(rtsp->watch, (guint8 *)data, len, NULL);
	} else {
		/* the connection adds to what it writes (Date): a copy */
		gst_rtsp_message_copy(message, &copy);
		if (message->type == GST_RTSP_MESSAGE_REQUEST) {
			gst_rtsp_message_remove_header(copy, GST_RTSP_HDR_CSEQ, -1);
			rtsp->next_cseq++;
		}
		res = gst_rtsp_watch_send_message(rtsp->watch, copy, NULL);
		gst_rtsp_message_free(copy);
	}
	if (res != GST_RTSP_OK) {
		g_autofree char *why = gst_rtsp_strresult(res);

		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot send to %s: %s",
			    rtsp->peer, why);
		return FALSE;
	}
	return TRUE;
}

const char *mc_rtsp_get_local_address(McRtsp *rtsp)
{
	return rtsp->local;
}

const char *mc_rtsp_get_peer_address(McRtsp *rtsp)
{
	return rtsp->peer;
}

guint16 mc_rtsp_get_peer_port(McRtsp *rtsp)
{
	return rtsp->peer_port;
}

GSocket *mc_rtsp_rtp_socket(const char *local_address, guint16 *port, GError **error)
{
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(local_address);
	g_autoptr(GSocketAddress) sa = NULL;
	g_autoptr(GSocket) s = NULL;

	if (!addr) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad address %s",
			    local_address);
		return NULL;
	}
	s = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_DATAGRAM,
			 G_SOCKET_PROTOCOL_UDP, error);
	sa = g_inet_socket_address_new(addr, 0);
	if (!s || !g_socket_bind(s, sa, FALSE, error))
		return NULL;
	if (port) {
		g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, error);

		if (!bound)
			return NULL;
		*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	}
	return g_steal_pointer(&s);
}

static void set_common(GstRTSPMessage *m, guint cseq, const char *session, const char *body)
{
	char num[16];

	g_snprintf(num, sizeof(num), "%u", cseq);
	gst_rtsp_message_add_header(m, GST_RTSP_HDR_CSEQ, num);
	if (session)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_SESSION, session);
	if (body && *body) {
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_CONTENT_TYPE, "text/parameters");
		gst_rtsp_message_set_body(m, (const guint8 *)body, strlen(body));
	}
}

GstRTSPMessage *mc_rtsp_request_new(GstRTSPMethod method, const char *uri, guint cseq,
				    const char *session, const char *body)
{
	GstRTSPMessage *m = NULL;

	gst_rtsp_message_new_request(&m, method, uri);
	set_common(m, cseq, session, body);
	return m;
}

GstRTSPMessage *mc_rtsp_reply_new(GstRTSPStatusCode code, const GstRTSPMessage *request,
				  const char *session, const char *body)
{
	GstRTSPMessage *m = NULL;
	guint cseq = 0;

	gst_rtsp_message_new_response(&m, code, NULL, NULL);
	mc_rtsp_get_cseq(request, &cseq);
	set_common(m, cseq, session, body);
	return m;
}

gboolean mc_rtsp_get_cseq(const GstRTSPMessage *message, guint *cseq)
{
	g_autofree char *copy = NULL;
	char *value = NULL;
	guint64 n;

	if (gst_rtsp_message_get_header((GstRTSPMessage *)message, GST_RTSP_HDR_CSEQ, &value,
					0) != GST_RTSP_OK)
		return FALSE;
	copy = g_strstrip(g_strdup(value));
	if (!g_ascii_string_to_unsigned(copy, 10, 0, G_MAXUINT32, &n, NULL))
		return FALSE;
	*cseq = (guint)n;
	return TRUE;
}

const char *mc_rtsp_get_body(const GstRTSPMessage *message, gsize *len)
{
	guint8 *data = NULL;
	guint size = 0;

	gst_rtsp_message_get_body((GstRTSPMessage *)message, &data, &size);
	/* gst keeps a NUL after the body it read; it is not part of it */
	while (size && data[size - 1] == '\0')
		size--;
	*len = size;
	return size ? (const char *)data : NULL;
}

char *mc_rtsp_get_session(const GstRTSPMessage *message)
{
	char *value = NULL;

	if (gst_rtsp_message_get_header((GstRTSPMessage *)message, GST_RTSP_HDR_SESSION, &value,
					0) != GST_RTSP_OK)
		return NULL;
	return g_strstrip(g_strndup(value, strcspn(value, ";")));
}

char *mc_rtsp_describe(const GstRTSPMessage *message)
{
	GstRTSPMethod method;
	const char *uri = NULL;
	GstRTSPStatusCode code;
	const char *reason = NULL;
	guint cseq = 0;
	gboolean has_cseq = mc_rtsp_get_cseq(message, &cseq);
	g_autofree char *seq = has_cseq ? g_strdup_printf("CSeq %u", cseq) : g_strdup("no CSeq");

	if (message->type == GST_RTSP_MESSAGE_REQUEST &&
	    gst_rtsp_message_parse_request((GstRTSPMessage *)message, &method, &uri, NULL) ==
	    GST_RTSP_OK)
		return g_strdup_printf("%s %s (%s)", gst_rtsp_method_as_text(method),
				       uri ? uri : "", seq);
	if (message->type == GST_RTSP_MESSAGE_RESPONSE &&
	    gst_rtsp_message_parse_response((GstRTSPMessage *)message, &code, &reason, NULL) ==
	    GST_RTSP_OK)
		return g_strdup_printf("%d %s (%s)", code, reason ? reason : "", seq);
	return g_strdup("a message that is neither a request nor a reply");
}

/* A connected TCP pair on the loopback: the RTSP library wants IP. */
static gboolean loopback_pair(int *a, int *b)
{
	static int listener = -1;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listener < 0) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4)) {
			if (fd >= 0)
				close(fd);
			return FALSE;
		}
		listener = fd;
	}
	if (getsockname(listener, (struct sockaddr *)&addr, &len))
		return FALSE;
	*b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*b < 0)
		return FALSE;
	if (connect(*b, (struct sockaddr *)&addr, len) ||
	    (*a = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		close(*b);
		return FALSE;
	}
	return TRUE;
}

guint mc_rtsp_parse_stream(const guint8 *data, gsize len,
			   void (*func)(GstRTSPMessage *message, gpointer data),
			   gpointer func_data)
{
	g_autoptr(GSocket) socket = NULL;
	GstRTSPConnection *conn = NULL;
	int a, b;
	guint n = 0;

	if (!loopback_pair(&a, &b))
		return 0;
	/* a peer's stream (as much as the socket holds), then its end */
	while (len) {
		ssize_t w = send(b, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w <= 0)
			break;
		data += w;
		len -= w;
	}
	close(b);
	socket = g_socket_new_from_fd(a, NULL);
	if (!socket) {
		close(a);
		return 0;
	}
	if (gst_rtsp_connection_create_from_socket(socket, "127.0.0.1", 7236, NULL, &conn) !=
	    GST_RTSP_OK)
		return 0;
	for (;;) {
		GstRTSPMessage m = { 0 };

		if (gst_rtsp_connection_receive_usec(conn, &m, 0) != GST_RTSP_OK) {
			gst_rtsp_message_unset(&m);
			break;
		}
		func(&m, func_data);
		gst_rtsp_message_unset(&m);
		n++;
	}
	gst_rtsp_connection_free(conn);
	return n;
}

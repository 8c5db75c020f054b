/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connection between a source and a scripted sink, for the unit tests
 * and the fuzzers: a loopback TCP connection whose source end is a
 * GstRTSPConnection, as McRtsp has it. What the source sends goes through
 * it as mc_rtsp_send() sends it, and the sink reads the bytes, checked
 * against the framing rules; what the sink writes is read back by that
 * connection's parser, with its state (GStreamer refuses a reply whose
 * CSeq is above the requests the connection sent, and a message without
 * CSeq). So the state machine meets the messages the daemon would hand it.
 *
 * GStreamer's connection writes a CSeq line of its own counter before a
 * request's headers: as mc_rtsp_send() does, the source's own CSeq header
 * is dropped from a request (the counter says the same), and the check
 * below wants exactly one CSeq line. The connection is told not to
 * stamp requests with a Session id seen in replies (sinks answer
 * keepalives with any id, Q9).
 */
#ifndef RTSP_WIRE_H
#define RTSP_WIRE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mc-rtsp.h"

typedef struct {
	GstRTSPConnection *conn;	/* the source's end */
	int source;			/* its socket (owned by conn) */
	int sink;			/* the sink's end */
} RtspWire;

/* Closes without lingering: no TIME_WAIT left behind by thousands of runs. */
static inline void rtsp_wire_close_fd(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* A connected pair on the loopback; FALSE on failure. */
static inline gboolean rtsp_wire_open(RtspWire *w)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	GSocket *gsocket;
	int fd = -1;

	memset(w, 0, sizeof(*w));
	w->sink = -1;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listener < 0)
		return FALSE;
	if (!bind(listener, (struct sockaddr *)&addr, sizeof(addr)) && !listen(listener, 1) &&
	    !getsockname(listener, (struct sockaddr *)&addr, &len)) {
		w->sink = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (w->sink >= 0 && !connect(w->sink, (struct sockaddr *)&addr, len))
			fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	}
	close(listener);
	if (fd >= 0) {
		/* no Nagle: a message written in two parts is not held 40 ms */
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(w->sink, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	gsocket = fd >= 0 ? g_socket_new_from_fd(fd, NULL) : NULL;
	if (!gsocket) {
		if (fd >= 0)
			close(fd);
		if (w->sink >= 0)
			close(w->sink);
		w->sink = -1;
		return FALSE;
	}
	gst_rtsp_connection_create_from_socket(gsocket, "127.0.0.1", 7236, NULL, &w->conn);
	g_object_unref(gsocket);
	gst_rtsp_connection_set_remember_session_id(w->conn, FALSE);
	w->source = fd;
	return TRUE;
}

static inline void rtsp_wire_close(RtspWire *w)
{
	if (w->conn) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(w->source, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		gst_rtsp_connection_free(w->conn);
	}
	if (w->sink >= 0)
		rtsp_wire_close_fd(w->sink);
	w->conn = NULL;
	w->sink = -1;
}

/*
 * R10, R11 and CSeq on the bytes of one message: every line of the start
 * line and headers ends in CRLF and holds no NUL, the header block ends in
 * an empty line, Content-Length is there exactly when there is a body,
 * once, equal to its size, and one CSeq line says cseq. FALSE with why
 * set if not.
 */
static inline gboolean rtsp_wire_check(const char *text, gsize len, guint cseq, char **why)
{
	static const char length_name[] = "Content-Length:", cseq_name[] = "CSeq:";
	const char *end = g_strstr_len(text, len, "\r\n\r\n");
	gsize head, body, i;
	guint lengths = 0, cseqs = 0;
	guint64 length = 0;

	if (!end) {
		*why = g_strdup("no empty line after the headers");
		return FALSE;
	}
	head = end - text + 4;
	body = len - head;
	for (i = 0; i < head; i++) {
		if ((text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) ||
		    (text[i] == '\r' && text[i + 1] != '\n') || text[i] == '\0') {
			*why = g_strdup_printf("a bare CR or LF, or a NUL, at byte %zu", i);
			return FALSE;
		}
	}
	/* each line before end has its CRLF by end + 2 */
	for (const char *line = text; line < end;
	     line = g_strstr_len(line, end + 2 - line, "\r\n") + 2) {
		if (!g_ascii_strncasecmp(line, length_name, sizeof(length_name) - 1)) {
			lengths++;
			length = g_ascii_strtoull(line + sizeof(length_name) - 1, NULL, 10);
		} else if (!g_ascii_strncasecmp(line, cseq_name, sizeof(cseq_name) - 1)) {
			cseqs++;
			if (g_ascii_strtoull(line + sizeof(cseq_name) - 1, NULL, 10) != cseq) {
				*why = g_strdup_printf("a CSeq line that is not %u:\n%.*s", cseq,
						       (int)head, text);
				return FALSE;
			}
		}
	}
	if (cseqs != 1) {
		*why = g_strdup_printf("%u CSeq lines", cseqs);
		return FALSE;
	}
	if (lengths > 1) {
		*why = g_strdup_printf("%u Content-Length headers", lengths);
		return FALSE;
	}
	if (body && !lengths) {
		*why = g_strdup_printf("a body of %zu bytes without Content-Length", body);
		return FALSE;
	}
	if (lengths && length != body) {
		*why = g_strdup_printf("Content-Length %" G_GUINT64_FORMAT " for %zu bytes",
				       length, body);
		return FALSE;
	}
	return TRUE;
}

/*
 * The source sends message (not changed): through the connection as
 * mc_rtsp_send() does; the bytes the sink reads, checked. NULL with why
 * set if the connection cannot write it or the bytes break a rule.
 */
static inline GString *rtsp_wire_send(RtspWire *w, const GstRTSPMessage *message, char **why)
{
	GstRTSPMessage *copy = NULL;
	GstRTSPResult res;
	GString *bytes;
	char buf[4096];
	ssize_t n;
	guint cseq;

	if (!mc_rtsp_get_cseq(message, &cseq)) {
		*why = g_strdup("no CSeq");
		return NULL;
	}
	/* the connection writes into what it sends (Date): a copy */
	gst_rtsp_message_copy(message, &copy);
	/* it numbers requests itself, in step with the source (mc_rtsp_send()) */
	if (copy->type == GST_RTSP_MESSAGE_REQUEST)
		gst_rtsp_message_remove_header(copy, GST_RTSP_HDR_CSEQ, -1);
	res = gst_rtsp_connection_send_usec(w->conn, copy, G_USEC_PER_SEC);
	gst_rtsp_message_free(copy);
	if (res != GST_RTSP_OK) {
		g_autofree char *s = gst_rtsp_strresult(res);

		*why = g_strdup_printf("the connection cannot write it: %s", s);
		return NULL;
	}
	/* what the sink reads: the headers, then the body Content-Length says */
	bytes = g_string_new(NULL);
	for (gsize want = 0; !want || bytes->len < want;) {
		struct pollfd p = { .fd = w->sink, .events = POLLIN };
		const char *end;

		if (poll(&p, 1, 1000) != 1 || (n = recv(w->sink, buf, sizeof(buf), 0)) <= 0) {
			*why = g_strdup_printf("%zu bytes came, then nothing", bytes->len);
			g_string_free(bytes, TRUE);
			return NULL;
		}
		g_string_append_len(bytes, buf, n);
		end = g_strstr_len(bytes->str, bytes->len, "\r\n\r\n");
		if (!want && end) {
			const char *cl = g_strstr_len(bytes->str, end - bytes->str,
						      "\r\nContent-Length:");

			want = end + 4 - bytes->str;
			if (cl)
				want += g_ascii_strtoull(cl + 17, NULL, 10);
		}
	}
	if (!rtsp_wire_check(bytes->str, bytes->len, cseq, why)) {
		g_string_free(bytes, TRUE);
		return NULL;
	}
	return bytes;
}

/* Bytes the source's end has received and not read yet. */
static inline gsize rtsp_wire_pending(RtspWire *w)
{
	int n = 0;

	return ioctl(w->source, FIONREAD, &n) ? 0 : (gsize)n;
}

/*
 * The sink writes data (it must fit in the sockets' buffers), which is all
 * at the source's end when this returns TRUE.
 */
static inline gboolean rtsp_wire_write(RtspWire *w, const void *data, gsize len)
{
	gsize want = rtsp_wire_pending(w) + len;

	while (len) {
		ssize_t n = send(w->sink, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n <= 0)
			return FALSE;
		data = (const char *)data + n;
		len -= n;
	}
	for (guint i = 0; rtsp_wire_pending(w) < want; i++) {
		if (i == 1000)
			return FALSE;
		g_usleep(1000);
	}
	return TRUE;
}

/* The sink writes no more: the source reads the end after what was written. */
static inline void rtsp_wire_shutdown(RtspWire *w)
{
	shutdown(w->sink, SHUT_WR);
}

/*
 * The next message of the sink into message (initialised, unset it):
 * GST_RTSP_OK; GST_RTSP_EINTR when nothing is waiting; GST_RTSP_EEOF at
 * the end; another error when what came does not parse (the daemon's
 * connection would close). Blocks if only part of a message is there
 * and the sink has not shut down.
 */
static inline GstRTSPResult rtsp_wire_receive(RtspWire *w, GstRTSPMessage *message)
{
	struct pollfd p = { .fd = w->source, .events = POLLIN };

	if (poll(&p, 1, 0) != 1)
		return GST_RTSP_EINTR;
	return gst_rtsp_connection_receive_usec(w->conn, message, 0);
}

#endif /* RTSP_WIRE_H */

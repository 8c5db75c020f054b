/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RTSP over one TCP connection, as Wi-Fi Display uses it (docs/wfd.md):
 * GStreamer's RTSP library frames the messages (GstRTSPConnection and its
 * watch); this adds what both ends of a WFD session need around it. Either
 * end may send requests and replies at any time: replies are matched to
 * requests by CSeq by the caller, never by order.
 */
#ifndef MC_RTSP_H
#define MC_RTSP_H

#include <gio/gio.h>
#include <gst/rtsp/rtsp.h>

G_BEGIN_DECLS

/* A message (header block and body) larger than this ends the connection. */
#define MC_RTSP_MAX_MESSAGE	(64 * 1024)

typedef struct _McRtsp McRtsp;

typedef struct {
	/* A request or a reply from the peer (owned by the caller of this). */
	void (*message)(McRtsp *rtsp, GstRTSPMessage *message, gpointer data);
	/*
	 * The peer closed the connection (error NULL) or it broke (error
	 * set: reset, unparsable message). Called once; nothing follows.
	 */
	void (*closed)(McRtsp *rtsp, const GError *error, gpointer data);
} McRtspFuncs;

/*
 * Takes over a TCP connection (a reference; it is closed with the McRtsp)
 * and watches it from the thread-default main context. NULL with error set
 * if it is not connected over IP.
 */
McRtsp *mc_rtsp_new(GSocketConnection *connection, const McRtspFuncs *funcs, gpointer data,
		    GError **error);
/* Drops the connection now (what is queued is lost); no callback follows. */
void mc_rtsp_free(McRtsp *rtsp);
/*
 * Closes the connection once what is queued is written (at most a second
 * from now), then frees it; no callback follows.
 */
void mc_rtsp_close(McRtsp *rtsp);

/*
 * Queues a message (transfer none). Requests are numbered 1, 2, ... on a
 * connection (GStreamer's connection counts them and refuses replies to
 * numbers it did not send); one with another CSeq (a sink's 0) is written
 * as mc_rtsp_serialize() makes it. FALSE with error set when it fails.
 */
gboolean mc_rtsp_send(McRtsp *rtsp, GstRTSPMessage *message, GError **error);

/* The addresses of the connection: "192.168.49.1", and the peer's port. */
const char *mc_rtsp_get_local_address(McRtsp *rtsp);
const char *mc_rtsp_get_peer_address(McRtsp *rtsp);
guint16 mc_rtsp_get_peer_port(McRtsp *rtsp);

/*
 * A UDP socket for RTP, bound to local_address (such as the connection's,
 * "192.168.49.1") and a port the system picks, stored in *port unless port
 * is NULL (the SETUP reply's server_port). NULL with error set if the
 * address does not parse or the socket cannot be made or bound.
 */
GSocket *mc_rtsp_rtp_socket(const char *local_address, guint16 *port, GError **error);

/*
 * A request with CSeq, the Session header when session is not NULL, and a
 * text/parameters body when body is neither NULL nor empty (its
 * Content-Length is written on sending).
 */
GstRTSPMessage *mc_rtsp_request_new(GstRTSPMethod method, const char *uri, guint cseq,
				    const char *session, const char *body);
/* The reply to request: its CSeq, then as above. */
GstRTSPMessage *mc_rtsp_reply_new(GstRTSPStatusCode code, const GstRTSPMessage *request,
				  const char *session, const char *body);

/*
 * The wire form of a request or a reply: the first line, its headers as
 * they are (CSeq and Session as the caller set them, nothing added but
 * Content-Length), CRLF line ends, the body. NULL for another message.
 */
char *mc_rtsp_serialize(const GstRTSPMessage *message, gsize *len);

/* The message's CSeq: FALSE if it has none or it is not a number. */
gboolean mc_rtsp_get_cseq(const GstRTSPMessage *message, guint *cseq);
/* The body (not NUL-terminated) and its length; NULL and 0 if none. */
const char *mc_rtsp_get_body(const GstRTSPMessage *message, gsize *len);
/* The Session header's id, without ";timeout=..."; NULL if none. */
char *mc_rtsp_get_session(const GstRTSPMessage *message);
/* "SETUP rtsp://.../wfd1.0/streamid=0 (CSeq 2)" or "200 OK (CSeq 2)", for logs */
char *mc_rtsp_describe(const GstRTSPMessage *message);

/*
 * The messages in data (as a peer would send them), one by one, to
 * func; stops at the first that does not parse. For fuzzing and tests:
 * the same parser as a connection's. Returns how many were parsed.
 */
guint mc_rtsp_parse_stream(const guint8 *data, gsize len,
			   void (*func)(GstRTSPMessage *message, gpointer data),
			   gpointer func_data);

G_END_DECLS

#endif /* MC_RTSP_H */

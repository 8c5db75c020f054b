// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the source side of the Wi-Fi Display session
 * (mc-wfd-source.h). A scripted sink talks to the state machine, whose
 * clock is a number the tests move. Between them is a loopback connection
 * as the daemon's (rtsp-wire.h): the sink's messages are wire text read by
 * GStreamer's RTSP parser, and every message the source sends is written
 * by that connection and its bytes checked (CRLF lines, Content-Length,
 * CSeq), then the message itself: method, URI, CSeq, headers, and the
 * bodies parsed back as wfd_* parameters. The callbacks are logged in
 * order with the messages, so "the reply, then the play event" is checked
 * as such. R and Q numbers are the rules and quirks of the Wi-Fi Display
 * reference.
 */
#include <string.h>

#include "mc-rtsp.h"
#include "mc-wfd-source.h"
#include "rtsp-wire.h"
#include "wfd-bodies.h"

#define S		G_USEC_PER_SEC
#define MS		1000

#define LOCAL		"192.168.49.1"
#define SESSION		"6B8B4567"
#define URL		"rtsp://" LOCAL "/wfd1.0/streamid=0"
#define WFD_URI		"rtsp://localhost/wfd1.0"
#define SERVER_PORT	51200
#define T0		(1000 * S)	/* the monotonic clock is far from 0 */

/* A 1080p TV: the reference's example M3 reply (365 bytes with CRLF). */
#define M3_TV \
	"wfd_video_formats: 00 00 02 10 0001FFFF 1FFFFFFF 00000FFF 00 0000 0000 10 none none\n" \
	"wfd_audio_codecs: LPCM 00000002 00, AAC 00000001 00\n" \
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\n" \
	"wfd_content_protection: none\n" \
	"wfd_display_edid: none\n" \
	"wfd_coupled_sink: none\n" \
	"wfd_uibc_capability: none\n" \
	"wfd_standby_resume_capability: none\n" \
	"wfd_connector_type: 05\n"

/*
 * A dongle: CBP 3.1 with 640x480p60, 1280x720p30 and 1280x720p60 (which
 * needs 3.2: not common), LPCM only, RTP on 1028, standby supported.
 */
#define M3_DONGLE \
	"wfd_video_formats: 00 00 01 01 00000061 00000000 00000000 00 0000 0000 00 none none\n" \
	"wfd_audio_codecs: LPCM 00000002 00\n" \
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\n" \
	"wfd_standby_resume_capability: supported\n"

static const char *const end_names[] = {
	[MC_WFD_SOURCE_END_LOCAL] = "LOCAL",
	[MC_WFD_SOURCE_END_TEARDOWN] = "TEARDOWN",
	[MC_WFD_SOURCE_END_CLOSED] = "CLOSED",
	[MC_WFD_SOURCE_END_TIMEOUT] = "TIMEOUT",
	[MC_WFD_SOURCE_END_PROTOCOL] = "PROTOCOL",
	[MC_WFD_SOURCE_END_MODE_CHANGE] = "MODE_CHANGE",
	[MC_WFD_SOURCE_END_REFUSED] = "REFUSED",
};

typedef struct {
	McWfdSourceConfig config;
	McWfdSource *src;
	RtspWire wire;
	gint64 now;
	guint src_cseq;		/* the last CSeq of the source's requests seen */
	guint sink_cseq;	/* the sink's next */
	gboolean lf;		/* the sink ends its lines in LF alone */
	GPtrArray *sent;	/* GstRTSPMessage *, copies of those sent */
	guint next;		/* the first not looked at */
	GString *log;		/* ">METHOD", ">200", "caps", "format", "play", ... */
	gboolean refuse;	/* capabilities() says no */
	const McWfdResolution *mode_in_caps;	/* set_mode() from capabilities() */
	McWfdChoice caps_choice, format;
	guint n_caps, n_format, n_play, n_pause, n_idr;
	guint16 play_port;
	guint n_ended;
	McWfdSourceEnd end;
	char *end_message;
	guint sent_after_end;
} Fix;

static void note(Fix *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void note(Fix *f, const char *fmt, ...)
{
	va_list ap;

	if (f->log->len)
		g_string_append_c(f->log, ' ');
	va_start(ap, fmt);
	g_string_append_vprintf(f->log, fmt, ap);
	va_end(ap);
}

/* ---- The caller's side of the source: callbacks ---- */

static void on_send(GstRTSPMessage *message, gpointer data)
{
	Fix *f = data;
	g_autofree char *why = NULL;
	GString *bytes;
	GstRTSPMessage *m = NULL;
	GstRTSPMethod method;
	GstRTSPStatusCode code;

	if (f->n_ended)
		f->sent_after_end++;
	bytes = rtsp_wire_send(&f->wire, message, &why);
	if (!bytes)
		g_error("the source sent a message that breaks the framing: %s", why);
	g_string_free(bytes, TRUE);
	gst_rtsp_message_copy(message, &m);
	g_ptr_array_add(f->sent, m);
	if (m->type == GST_RTSP_MESSAGE_REQUEST) {
		gst_rtsp_message_parse_request(m, &method, NULL, NULL);
		note(f, ">%s", gst_rtsp_method_as_text(method));
	} else {
		g_assert_cmpint(m->type, ==, GST_RTSP_MESSAGE_RESPONSE);
		gst_rtsp_message_parse_response(m, &code, NULL, NULL);
		note(f, ">%d", code);
	}
}

static gboolean on_capabilities(const McWfdParams *sink, const McWfdChoice *choice,
				gpointer data, GError **error)
{
	Fix *f = data;

	g_assert_true(sink == mc_wfd_source_get_sink(f->src));
	f->n_caps++;
	f->caps_choice = *choice;
	note(f, "caps");
	if (f->mode_in_caps)
		g_assert_true(mc_wfd_source_set_mode(f->src, f->mode_in_caps, f->now, NULL));
	if (f->refuse) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "not this sink");
		return FALSE;
	}
	return TRUE;
}

static void on_format(const McWfdChoice *choice, gpointer data)
{
	Fix *f = data;

	g_assert_true(mc_wfd_source_get_choice(f->src) != NULL);
	f->n_format++;
	f->format = *choice;
	note(f, "format");
}

static void on_play(guint16 rtp_port, gpointer data)
{
	Fix *f = data;

	f->n_play++;
	f->play_port = rtp_port;
	g_assert_cmpint(mc_wfd_source_get_state(f->src), ==, MC_WFD_SOURCE_PLAYING);
	note(f, "play");
}

static void on_pause(gpointer data)
{
	Fix *f = data;

	f->n_pause++;
	note(f, "pause");
}

static void on_idr(gpointer data)
{
	Fix *f = data;

	f->n_idr++;
	note(f, "idr");
}

static void on_ended(McWfdSourceEnd end, const char *message, gpointer data)
{
	Fix *f = data;

	/* exactly once */
	g_assert_cmpuint(f->n_ended, ==, 0);
	g_assert_nonnull(message);
	g_assert_cmpstr(message, !=, "");
	g_assert_cmpint(mc_wfd_source_get_state(f->src), ==, MC_WFD_SOURCE_ENDED);
	f->n_ended++;
	f->end = end;
	f->end_message = g_strdup(message);
	note(f, "ended:%s", end_names[end]);
}

static const McWfdSourceFuncs funcs = {
	.send = on_send,
	.capabilities = on_capabilities,
	.format = on_format,
	.play = on_play,
	.pause = on_pause,
	.idr = on_idr,
	.ended = on_ended,
};

static void message_free(gpointer m)
{
	gst_rtsp_message_free(m);
}

static void fix_setup(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	mc_wfd_source_caps_init(&f->config.caps);
	f->config.local_address = LOCAL;
	f->config.server_port = SERVER_PORT;
	f->config.session_id = SESSION;
	f->now = T0;
	f->sink_cseq = 1;
	f->sent = g_ptr_array_new_with_free_func(message_free);
	f->log = g_string_new(NULL);
	g_assert_true(rtsp_wire_open(&f->wire));
}

/* The sink writes text; the connection reads n messages, each given to the source. */
static void sink_stream(Fix *f, const char *text, guint n)
{
	g_assert_true(rtsp_wire_write(&f->wire, text, strlen(text)));
	for (guint i = 0; i < n; i++) {
		GstRTSPMessage m = { 0 };

		g_assert_cmpint(rtsp_wire_receive(&f->wire, &m), ==, GST_RTSP_OK);
		mc_wfd_source_receive(f->src, &m, f->now);
		gst_rtsp_message_unset(&m);
	}
	/* all read */
	g_assert_cmpuint(rtsp_wire_pending(&f->wire), ==, 0);
}

/* The sink writes text that the connection's parser refuses: the daemon would close it. */
static void sink_unparsable(Fix *f, const char *text)
{
	GstRTSPMessage m = { 0 };
	GstRTSPResult res;

	g_assert_true(rtsp_wire_write(&f->wire, text, strlen(text)));
	rtsp_wire_shutdown(&f->wire);
	res = rtsp_wire_receive(&f->wire, &m);
	gst_rtsp_message_unset(&m);
	g_assert_cmpint(res, !=, GST_RTSP_OK);
	g_assert_cmpint(res, !=, GST_RTSP_EINTR);
}

static void fix_teardown(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	if (f->src && f->n_ended) {
		GstRTSPMessage *play = NULL;

		/* an ended session says nothing more, whatever comes */
		g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, G_MAXINT64);
		gst_rtsp_message_new_request(&play, GST_RTSP_PLAY, URL);
		gst_rtsp_message_add_header(play, GST_RTSP_HDR_CSEQ, "99");
		mc_wfd_source_receive(f->src, play, f->now);
		gst_rtsp_message_free(play);
		mc_wfd_source_tick(f->src, G_MAXINT64 - 1);
		mc_wfd_source_closed(f->src, NULL, f->now);
		mc_wfd_source_teardown(f->src, f->now);
		g_assert_cmpuint(f->n_ended, ==, 1);
	}
	g_assert_cmpuint(f->sent_after_end, ==, 0);
	mc_wfd_source_free(f->src);
	rtsp_wire_close(&f->wire);
	g_ptr_array_unref(f->sent);
	g_string_free(f->log, TRUE);
	g_free(f->end_message);
}

/* The checks of the end of a test, and a new fixture for the next case in the same test. */
static void restart(Fix *f)
{
	fix_teardown(f, NULL);
	memset(f, 0, sizeof(*f));
	fix_setup(f, NULL);
}

/* ---- The sink's side: wire text ---- */

/* text with each "\n" replaced by eol */
static char *with_eol(const char *text, const char *eol)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	return g_strjoinv(eol, lines);
}

/*
 * A message of the sink as wire text: the start line and headers of head
 * and the lines of body end in CRLF, or LF alone when lf (R18);
 * Content-Length is added for a body.
 */
static char *wire(gboolean lf, const char *head, const char *body)
{
	const char *eol = lf ? "\n" : "\r\n";
	g_autofree char *h = with_eol(head, eol);
	g_autofree char *b = body ? with_eol(body, eol) : NULL;

	if (!b)
		return g_strconcat(h, eol, NULL);
	return g_strdup_printf("%sContent-Length: %zu%s%s%s", h, strlen(b), eol, eol, b);
}

/* The sink answers the source's request cseq ("200 OK"); headers are "\n"-terminated lines. */
static void sink_reply(Fix *f, guint cseq, const char *status, const char *headers,
		       const char *body)
{
	g_autofree char *head = g_strdup_printf("RTSP/1.0 %s\nCSeq: %u\n%s%s", status, cseq,
						body ? "Content-Type: text/parameters\n" : "",
						headers ? headers : "");
	g_autofree char *text = wire(f->lf, head, body);

	sink_stream(f, text, 1);
}

static void sink_ok(Fix *f, guint cseq)
{
	sink_reply(f, cseq, "200 OK", NULL, NULL);
}

/* A request of the sink, numbered by its own counter: returns its CSeq. */
static guint sink_request(Fix *f, const char *method, const char *uri, const char *headers,
			  const char *body)
{
	guint cseq = f->sink_cseq++;
	g_autofree char *head = g_strdup_printf("%s %s RTSP/1.0\nCSeq: %u\n%s%s", method, uri,
						cseq,
						body ? "Content-Type: text/parameters\n" : "",
						headers ? headers : "");
	g_autofree char *text = wire(f->lf, head, body);

	sink_stream(f, text, 1);
	return cseq;
}

/* ---- What the source sent ---- */

static GstRTSPMessage *next_sent(Fix *f)
{
	if (f->next >= f->sent->len)
		g_error("expected a message from the source; log: %s", f->log->str);
	return f->sent->pdata[f->next++];
}

static void expect_nothing_sent(Fix *f)
{
	if (f->next < f->sent->len) {
		g_autofree char *what = mc_rtsp_describe(f->sent->pdata[f->next]);

		g_error("unexpected message from the source: %s", what);
	}
}

/* The callbacks and messages since the last call, in order; clears them. */
static void expect_log(Fix *f, const char *log)
{
	g_assert_cmpstr(f->log->str, ==, log);
	g_string_truncate(f->log, 0);
}

/*
 * A header's value, NULL if none. The parser splits a comma-separated
 * value (Public) into several: they are joined again. Valid until the next call.
 */
static const char *header(GstRTSPMessage *m, GstRTSPHeaderField field)
{
	static GString *joined;
	char *value = NULL;

	if (!joined)
		joined = g_string_new(NULL);
	g_string_truncate(joined, 0);
	for (int i = 0; gst_rtsp_message_get_header(m, field, &value, i) == GST_RTSP_OK; i++)
		g_string_append_printf(joined, "%s%s", i ? ", " : "", value);
	return joined->len ? joined->str : NULL;
}

static guint cseq_of(GstRTSPMessage *m)
{
	guint cseq;

	g_assert_true(mc_rtsp_get_cseq(m, &cseq));
	return cseq;
}

/* The body as a string, NULL if none. */
static char *body_of(GstRTSPMessage *m)
{
	gsize len;
	const char *body = mc_rtsp_get_body(m, &len);

	return body ? g_strndup(body, len) : NULL;
}

/*
 * The next message: a request of method for uri, its CSeq the source's
 * previous + 1, from 1 (R12, R13).
 */
static GstRTSPMessage *expect_request(Fix *f, GstRTSPMethod method, const char *uri)
{
	GstRTSPMessage *m = next_sent(f);
	GstRTSPMethod got;
	const char *got_uri;
	GstRTSPVersion version;

	g_assert_cmpint(m->type, ==, GST_RTSP_MESSAGE_REQUEST);
	gst_rtsp_message_parse_request(m, &got, &got_uri, &version);
	g_assert_cmpstr(gst_rtsp_method_as_text(got), ==, gst_rtsp_method_as_text(method));
	g_assert_cmpstr(got_uri, ==, uri);
	g_assert_cmpint(version, ==, GST_RTSP_VERSION_1_0);
	g_assert_cmpuint(cseq_of(m), ==, ++f->src_cseq);
	return m;
}

/* The next message: a reply with code to the request cseq (R14). */
static GstRTSPMessage *expect_reply(Fix *f, GstRTSPStatusCode code, guint cseq)
{
	GstRTSPMessage *m = next_sent(f);
	GstRTSPStatusCode got;

	g_assert_cmpint(m->type, ==, GST_RTSP_MESSAGE_RESPONSE);
	gst_rtsp_message_parse_response(m, &got, NULL, NULL);
	g_assert_cmpint(got, ==, code);
	g_assert_cmpuint(cseq_of(m), ==, cseq);
	return m;
}

/* A body of lines each ending in CRLF (R10). */
static void assert_crlf_lines(const char *body)
{
	g_assert_true(g_str_has_suffix(body, "\r\n"));
	for (const char *p = body; *p; p++) {
		if (*p == '\n')
			g_assert_true(p > body && p[-1] == '\r');
		if (*p == '\r')
			g_assert_true(p[1] == '\n');
	}
	g_assert_null(strstr(body, "\r\n\r\n"));
}

/* Its body, parsed as text/parameters into p (empty, initialised). */
static void parse_body(GstRTSPMessage *m, McWfdParams *p)
{
	g_autoptr(GError) error = NULL;
	gsize len;
	const char *body = mc_rtsp_get_body(m, &len);

	g_assert_nonnull(body);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_CONTENT_TYPE), ==, "text/parameters");
	mc_wfd_params_parse(p, body, len, &error);
	g_assert_no_error(error);
}

/* The next message: M5 with wfd_trigger_method (R31), Session once there is one. */
static guint expect_trigger(Fix *f, const char *method, gboolean session)
{
	GstRTSPMessage *m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	g_autofree char *body = body_of(m);
	g_autofree char *want = g_strdup_printf("wfd_trigger_method: %s\r\n", method);

	g_assert_cmpstr(body, ==, want);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, session ? SESSION : NULL);
	return cseq_of(m);
}

static void expect_end(Fix *f, McWfdSourceEnd end)
{
	g_assert_cmpuint(f->n_ended, ==, 1);
	g_assert_cmpstr(end_names[f->end], ==, end_names[end]);
	g_assert_cmpint(mc_wfd_source_get_state(f->src), ==, MC_WFD_SOURCE_ENDED);
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, G_MAXINT64);
	expect_nothing_sent(f);
}

static void expect_state(Fix *f, McWfdSourceState state)
{
	g_assert_cmpstr(mc_wfd_source_state_name(mc_wfd_source_get_state(f->src)), ==,
			mc_wfd_source_state_name(state));
}

/* The next message: an M16 (R39): GET_PARAMETER with the Session id alone, no body. */
static guint expect_keepalive(Fix *f)
{
	GstRTSPMessage *m = expect_request(f, GST_RTSP_GET_PARAMETER, WFD_URI);
	const char *length = header(m, GST_RTSP_HDR_CONTENT_LENGTH);

	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	g_assert_null(mc_rtsp_get_body(m, &(gsize){ 0 }));
	g_assert_null(header(m, GST_RTSP_HDR_CONTENT_TYPE));
	g_assert_true(!length || !strcmp(length, "0"));
	return cseq_of(m);
}

/* ---- Time ---- */

/* Moves the clock to t, ticking at every deadline on the way as a main loop would. */
static void run_until(Fix *f, gint64 t)
{
	for (guint i = 0;; i++) {
		gint64 d = mc_wfd_source_next_deadline(f->src);

		g_assert_cmpuint(i, <, 1000);
		if (d > t)
			break;
		f->now = MAX(f->now, d);
		mc_wfd_source_tick(f->src, f->now);
	}
	f->now = t;
}

/* ---- The usual steps ---- */

static void start(Fix *f)
{
	GstRTSPMessage *m;

	f->src = mc_wfd_source_new(&f->config, &funcs, f);
	expect_state(f, MC_WFD_SOURCE_OPTIONS);
	mc_wfd_source_start(f->src, f->now);
	/* M1, at once (R12) */
	m = expect_request(f, GST_RTSP_OPTIONS, "*");
	g_assert_cmpstr(header(m, GST_RTSP_HDR_REQUIRE), ==, "org.wfa.wfd1.0");
	g_assert_null(header(m, GST_RTSP_HDR_SESSION));
	g_assert_null(mc_rtsp_get_body(m, &(gsize){ 0 }));
	expect_log(f, ">OPTIONS");
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, f->now + 5 * S);
}

/* M1 answered, the sink's M2 answered: M3 sent. */
static void options(Fix *f)
{
	guint cseq;

	start(f);
	sink_reply(f, 1, "200 OK", "Public: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\n", NULL);
	cseq = sink_request(f, "OPTIONS", "*", "Require: org.wfa.wfd1.0\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_request(f, GST_RTSP_GET_PARAMETER, WFD_URI);
	expect_log(f, ">200 >GET_PARAMETER");
	expect_state(f, MC_WFD_SOURCE_CAPABILITIES);
}

/* ... the M3 reply: M4 sent, returned. */
static GstRTSPMessage *capabilities(Fix *f, const char *m3)
{
	GstRTSPMessage *m;

	options(f);
	sink_reply(f, 2, "200 OK", NULL, m3);
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	expect_log(f, "caps >SET_PARAMETER");
	expect_state(f, MC_WFD_SOURCE_NEGOTIATING);
	return m;
}

/* ... M4 accepted: the M5 SETUP trigger sent. */
static void negotiate(Fix *f, const char *m3)
{
	capabilities(f, m3);
	sink_ok(f, 3);
	expect_trigger(f, "SETUP", FALSE);
	expect_log(f, "format >SET_PARAMETER");
	expect_state(f, MC_WFD_SOURCE_SETUP);
}

/* ... M5 answered, the sink's SETUP answered with the session. */
static void setup(Fix *f, const char *m3)
{
	guint cseq;

	negotiate(f, m3);
	sink_ok(f, 4);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19000\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200");
	expect_state(f, MC_WFD_SOURCE_READY);
}

/* ... the sink's PLAY answered: streaming. */
static void play(Fix *f, const char *m3)
{
	guint cseq;

	setup(f, m3);
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200 play");
	expect_state(f, MC_WFD_SOURCE_PLAYING);
}

/* ---- The session's happy path ---- */

static void check_m4(Fix *f, GstRTSPMessage *m4, const McWfdChoice *want, const char *ports)
{
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *body = body_of(m4);
	g_autofree char *ports_line = g_strdup_printf("\r\nwfd_client_rtp_ports: %s\r\n", ports);
	McWfdChoice c;

	g_assert_null(header(m4, GST_RTSP_HDR_SESSION));
	parse_body(m4, &p);
	/* R21: these four and nothing else */
	g_assert_cmphex(p.present, ==, (1 << MC_WFD_VIDEO_FORMATS) | (1 << MC_WFD_AUDIO_CODECS) |
			(1 << MC_WFD_PRESENTATION_URL) | (1 << MC_WFD_CLIENT_RTP_PORTS));
	g_assert_null(p.unknown);
	/* R22-R28: what a sink reads back is a valid choice, the one wanted */
	mc_wfd_choice_from_params(&p, &c, &error);
	g_assert_no_error(error);
	g_assert_true(c.resolution == want->resolution);
	g_assert_false(c.resolution->interlaced);
	g_assert_cmphex(c.profile, ==, want->profile);
	g_assert_cmphex(c.level, ==, want->level);
	g_assert_cmpint(c.audio, ==, want->audio);
	g_assert_cmpint(c.audio_format, ==, want->audio_format);
	g_assert_cmphex(c.audio_mode, ==, want->audio_mode);
	g_assert_true(g_str_has_prefix(body, "wfd_video_formats: 00 00 "));
	g_assert_nonnull(strstr(body, " none none\r\n"));
	/* R29, R30 */
	g_assert_nonnull(strstr(body, "\r\nwfd_presentation_URL: " URL " none\r\n"));
	g_assert_nonnull(strstr(body, ports_line));
	g_assert_cmpstr(p.presentation_url.url0, ==, URL);
	g_assert_null(p.presentation_url.url1);
	(void)f;
}

static void test_happy_path(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char m1_reply[] =
		"RTSP/1.0 200 OK\r\n"
		"CSeq: 1\r\n"
		"Public: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\r\n"
		"\r\n";
	static const char m2[] =
		"OPTIONS * RTSP/1.0\r\n"
		"CSeq: 1\r\n"
		"Require: org.wfa.wfd1.0\r\n"
		"\r\n";
	static const char m3_reply[] =
		"RTSP/1.0 200 OK\r\n"
		"CSeq: 2\r\n"
		"Content-Type: text/parameters\r\n"
		"Content-Length: 365\r\n"
		"\r\n"
		WFD_M3_REPLY_1080P_TV;
	static const char m4_reply[] = "RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n";
	static const char m5_reply[] = "RTSP/1.0 200 OK\r\nCSeq: 4\r\n\r\n";
	static const char m6[] =
		"SETUP rtsp://192.168.49.1/wfd1.0/streamid=0 RTSP/1.0\r\n"
		"CSeq: 2\r\n"
		"Transport: RTP/AVP/UDP;unicast;client_port=19000\r\n"
		"\r\n";
	static const char m7[] =
		"PLAY rtsp://192.168.49.1/wfd1.0/streamid=0 RTSP/1.0\r\n"
		"CSeq: 3\r\n"
		"Session: 6B8B4567\r\n"
		"\r\n";
	static const char *const wanted_names[] = {
		"wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports",
	};
	static const char *const methods[] = {
		"org.wfa.wfd1.0", "SETUP", "TEARDOWN", "PLAY", "PAUSE", "GET_PARAMETER",
		"SET_PARAMETER",
	};
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL, public = NULL;
	g_autofree char *body = NULL;
	McWfdChoice best;
	GstRTSPMessage *m;

	start(f);
	sink_stream(f, m1_reply, 1);
	/* M3 waits for the sink's M2 */
	expect_nothing_sent(f);
	expect_log(f, "");
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, T0 + 5 * S);

	f->now += 10 * MS;
	sink_stream(f, m2, 1);
	m = expect_reply(f, GST_RTSP_STS_OK, 1);
	/* R15 */
	public = g_strsplit(header(m, GST_RTSP_HDR_PUBLIC), ",", -1);
	for (guint i = 0; public[i]; i++)
		g_strstrip(public[i]);
	for (guint i = 0; i < G_N_ELEMENTS(methods); i++)
		g_assert_true(g_strv_contains((const char *const *)public, methods[i]));

	/* R17: M3, CSeq 2, the names each with CRLF */
	m = expect_request(f, GST_RTSP_GET_PARAMETER, WFD_URI);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_CONTENT_TYPE), ==, "text/parameters");
	g_assert_null(header(m, GST_RTSP_HDR_SESSION));
	body = body_of(m);
	assert_crlf_lines(body);
	names = mc_wfd_names_parse(body, strlen(body), &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(wanted_names); i++)
		g_assert_true(g_strv_contains((const char *const *)names, wanted_names[i]));
	expect_log(f, ">200 >GET_PARAMETER");
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, f->now + 5 * S);

	/* the reply: the caller hears the capabilities, then M4 (R21-R30) */
	sink_stream(f, m3_reply, 1);
	g_assert_cmpuint(f->n_caps, ==, 1);
	mc_wfd_choose(&f->config.caps, mc_wfd_source_get_sink(f->src), NULL, &best, &error);
	g_assert_no_error(error);
	g_assert_true(f->caps_choice.resolution == best.resolution);
	/* the TV's best: 1920x1080p60 CHP 4.2, AAC preferred */
	g_assert_true(best.resolution == mc_wfd_resolution(MC_WFD_CEA, 8));
	g_assert_cmphex(best.profile, ==, MC_WFD_PROFILE_CHP);
	g_assert_cmphex(best.level, ==, MC_WFD_LEVEL_4_2);
	g_assert_true(best.audio);
	g_assert_cmpint(best.audio_format, ==, MC_WFD_AUDIO_AAC);
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	check_m4(f, m, &best, "RTP/AVP/UDP;unicast 19000 0 mode=play");
	expect_log(f, "caps >SET_PARAMETER");
	g_assert_null(mc_wfd_source_get_choice(f->src));

	/* M4 accepted: the format, then M5 SETUP (R31) */
	sink_stream(f, m4_reply, 1);
	g_assert_cmpuint(f->n_format, ==, 1);
	g_assert_true(f->format.resolution == best.resolution);
	g_assert_true(mc_wfd_source_get_choice(f->src)->resolution == best.resolution);
	expect_trigger(f, "SETUP", FALSE);
	expect_log(f, "format >SET_PARAMETER");
	sink_stream(f, m5_reply, 1);
	expect_nothing_sent(f);
	expect_state(f, MC_WFD_SOURCE_SETUP);
	g_assert_cmpuint(mc_wfd_source_get_rtp_port(f->src), ==, 0);

	/* M6 (R34) */
	f->now += 100 * MS;
	sink_stream(f, m6, 1);
	m = expect_reply(f, GST_RTSP_STS_OK, 2);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION ";timeout=30");
	g_assert_cmpstr(header(m, GST_RTSP_HDR_TRANSPORT), ==,
			"RTP/AVP/UDP;unicast;client_port=19000;server_port=51200");
	g_assert_cmpstr(mc_wfd_source_get_session_id(f->src), ==, SESSION);
	g_assert_cmpuint(mc_wfd_source_get_session_timeout(f->src), ==, 30);
	g_assert_cmpuint(mc_wfd_source_get_rtp_port(f->src), ==, 19000);
	expect_log(f, ">200");
	expect_state(f, MC_WFD_SOURCE_READY);

	/* M7: the reply, then the stream (R36) */
	sink_stream(f, m7, 1);
	m = expect_reply(f, GST_RTSP_STS_OK, 3);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	expect_log(f, ">200 play");
	g_assert_cmpuint(f->play_port, ==, 19000);
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	g_assert_cmpuint(f->n_ended, ==, 0);
	/* only the keepalive is due: timeout - 5 s after SETUP */
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, f->now + 25 * S);
}

/* A sink ending every line in LF alone (R18), through a whole session. */
static void test_lf_sink(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	f->lf = TRUE;
	play(f, M3_TV);
	g_assert_cmpuint(mc_wfd_source_get_sink(f->src)->client_rtp_ports.port0, ==, 19000);
	run_until(f, f->now + 25 * S);
	sink_ok(f, expect_keepalive(f));
	cseq = sink_request(f, "SET_PARAMETER", WFD_URI, "Session: " SESSION "\n",
			    "wfd_idr_request\n");
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	cseq = sink_request(f, "TEARDOWN", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">GET_PARAMETER >200 idr pause >200 ended:TEARDOWN");
	expect_end(f, MC_WFD_SOURCE_END_TEARDOWN);
}

/* The sink's M2 before the reply to M1, with CSeq 0 (LG webOS, Q7, R16). */
static void test_m2_first(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char m2[] =
		"OPTIONS * RTSP/1.0\r\nCSeq: 0\r\nRequire: org.wfa.wfd1.0\r\n\r\n";
	GstRTSPMessage *m;

	start(f);
	sink_stream(f, m2, 1);
	m = expect_reply(f, GST_RTSP_STS_OK, 0);
	g_assert_nonnull(strstr(header(m, GST_RTSP_HDR_PUBLIC), "org.wfa.wfd1.0"));
	expect_nothing_sent(f);
	expect_log(f, ">200");
	/* only M1's reply is awaited */
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, T0 + 5 * S);
	f->now += S;
	sink_ok(f, 1);
	expect_request(f, GST_RTSP_GET_PARAMETER, WFD_URI);
	expect_log(f, ">GET_PARAMETER");

	/* M1 reply and M2 in one read, and another OPTIONS later */
	restart(f);
	start(f);
	sink_stream(f, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n"
		    "OPTIONS * RTSP/1.0\r\nCSeq: 7\r\nRequire: org.wfa.wfd1.0\r\n\r\n", 2);
	expect_reply(f, GST_RTSP_STS_OK, 7);
	expect_request(f, GST_RTSP_GET_PARAMETER, WFD_URI);
	sink_stream(f, "OPTIONS * RTSP/1.0\r\nCSeq: 8\r\n\r\n", 1);
	expect_reply(f, GST_RTSP_STS_OK, 8);
	expect_log(f, ">200 >GET_PARAMETER >200");
	expect_state(f, MC_WFD_SOURCE_CAPABILITIES);
}

/* R18: an M3 reply in LF lines, lower-case hex, unknown parameters. */
static void test_m3_lf_unknown(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char m3[] =
		"RTSP/1.0 200 OK\n"
		"CSeq: 2\n"
		"content-type: text/parameters\n"
		"content-length: 362\n"
		"\n"
		"wfd_video_formats: 40 00 02 04 0001ffff 3fffffff 000005ff 00 0000 0000 10"
		" none none,"
		" 01 04 0001ffff 3fffffff 000005ff 00 0000 0000 10 none none\n"
		"wfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\n"
		"microsoft_cursor: full 0040 0040 1C48\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 53000 0 mode=play\n"
		"wfd_idr_request_capability: 1\n"
		"wfd2_something\n"
		"wfd_connector_type: 07\n";
	McWfdChoice best;
	GstRTSPMessage *m;

	g_assert_cmpuint(strlen(strstr(m3, "\n\nwfd_") + 2), ==, 362);
	options(f);
	sink_stream(f, m3, 1);
	g_assert_cmpuint(f->n_caps, ==, 1);
	g_assert_nonnull(mc_wfd_source_get_sink(f->src)->unknown);
	g_assert_cmpuint(mc_wfd_source_get_sink(f->src)->unknown->len, ==, 3);
	g_assert_true(mc_wfd_choose(&f->config.caps, mc_wfd_source_get_sink(f->src), NULL, &best,
				    NULL));
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	check_m4(f, m, &best, "RTP/AVP/UDP;unicast 53000 0 mode=play");
	expect_log(f, "caps >SET_PARAMETER");
}

/* R20: no wfd_client_rtp_ports: the session ends, nothing more is sent. */
static void test_m3_no_ports(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	options(f);
	sink_reply(f, 2, "200 OK", NULL,
		   "wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00"
		   " none none\n"
		   "wfd_audio_codecs: LPCM 00000002 00\n");
	expect_log(f, "ended:PROTOCOL");
	expect_end(f, MC_WFD_SOURCE_END_PROTOCOL);
	g_assert_nonnull(strstr(f->end_message, "wfd_client_rtp_ports"));
	g_assert_cmpuint(f->n_caps, ==, 0);
}

/* Other M3 replies that end the session: malformed, no video, TCP. */
static void test_m3_bad(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const bodies[] = {
		"wfd_video_formats: 00 00 01 01 zz\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\n",
		"wfd_audio_codecs: LPCM 00000002 00\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\n",
		"wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 0000 0000 00"
		" none none\n"
		"wfd_client_rtp_ports: RTP/AVP/TCP;unicast 19000 0 mode=play\n",
	};

	for (guint i = 0; i < G_N_ELEMENTS(bodies); i++) {
		if (i) {
			restart(f);
		}
		options(f);
		sink_reply(f, 2, "200 OK", NULL, bodies[i]);
		expect_log(f, "ended:PROTOCOL");
		expect_end(f, MC_WFD_SOURCE_END_PROTOCOL);
	}
}

/* R19: a refusal of M1, M3, M4 (not 303) or M5 SETUP ends the session. */
static void test_refusals(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const statuses[] = {
		"400 Bad Request", "404 Not Found", "500 Internal Server Error",
		"551 Option not supported",
	};

	for (guint step = 0; step < 4; step++) {
		for (guint i = 0; i < G_N_ELEMENTS(statuses); i++) {
			if (step || i) {
				restart(f);
			}
			switch (step) {
			case 0:
				start(f);
				sink_reply(f, 1, statuses[i], NULL, NULL);
				break;
			case 1:
				options(f);
				sink_reply(f, 2, statuses[i], NULL, NULL);
				break;
			case 2:
				capabilities(f, M3_TV);
				sink_reply(f, 3, statuses[i], NULL, NULL);
				break;
			default:
				negotiate(f, M3_TV);
				sink_reply(f, 4, statuses[i], NULL, NULL);
				break;
			}
			expect_log(f, "ended:PROTOCOL");
			expect_end(f, MC_WFD_SOURCE_END_PROTOCOL);
		}
	}
}

/* A 303 to M4: once more with 640x480p60 CBP 3.1 and LPCM; then it must be taken. */
static void test_m4_303(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char errors[] = "wfd_video_formats: 415, 457\n";
	McWfdChoice safe = {
		.resolution = mc_wfd_resolution(MC_WFD_CEA, 0),
		.profile = MC_WFD_PROFILE_CBP,
		.level = MC_WFD_LEVEL_3_1,
		.audio = TRUE,
		.audio_format = MC_WFD_AUDIO_LPCM,
		.audio_mode = 0x2,
	};
	GstRTSPMessage *m;

	for (guint twice = 0; twice < 2; twice++) {
		if (twice) {
			restart(f);
		}
		capabilities(f, M3_TV);
		sink_reply(f, 3, "303 See Other", NULL, errors);
		m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
		check_m4(f, m, &safe, "RTP/AVP/UDP;unicast 19000 0 mode=play");
		expect_log(f, ">SET_PARAMETER");
		expect_state(f, MC_WFD_SOURCE_NEGOTIATING);
		g_assert_cmpuint(f->n_format, ==, 0);
		if (!twice) {
			sink_ok(f, 4);
			g_assert_cmpuint(f->n_format, ==, 1);
			g_assert_true(f->format.resolution == safe.resolution);
			g_assert_cmphex(f->format.profile, ==, MC_WFD_PROFILE_CBP);
			g_assert_cmpint(f->format.audio_format, ==, MC_WFD_AUDIO_LPCM);
			expect_trigger(f, "SETUP", FALSE);
			expect_log(f, "format >SET_PARAMETER");
		} else {
			sink_reply(f, 4, "303 See Other", NULL, errors);
			expect_log(f, "ended:PROTOCOL");
			expect_end(f, MC_WFD_SOURCE_END_PROTOCOL);
		}
	}
}

/* ---- Keepalives ---- */

/* M16 exactly every timeout - 5 s, whatever the state, answered how the sink likes (Q9, R41). */
static void test_keepalive(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	/* replies with the id, another id, none, and a refusal: all signs of life */
	static const char *const replies[][2] = {
		{ "200 OK", "Session: " SESSION "\n" },
		{ "200 OK", "Session: 00000000\n" },
		{ "200 OK", NULL },
		{ "200 OK", "Session: " SESSION ";timeout=30\n" },
		{ "454 Session Not Found", NULL },
	};
	gint64 t;

	play(f, M3_TV);
	t = f->now + 25 * S;
	for (guint i = 0; i < G_N_ELEMENTS(replies); i++) {
		guint cseq;

		g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t);
		run_until(f, t - 1);
		expect_nothing_sent(f);
		run_until(f, t);
		cseq = expect_keepalive(f);
		expect_log(f, ">GET_PARAMETER");
		/* now the reply is due first */
		g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t + 5 * S);
		run_until(f, t + 5 * S - 1);
		sink_reply(f, cseq, replies[i][0], replies[i][1], NULL);
		g_assert_cmpuint(mc_wfd_source_get_keepalives(f->src), ==, i + 1);
		expect_nothing_sent(f);
		t += 25 * S;
	}
	/* paused, they go on */
	sink_request(f, "PAUSE", URL, "Session: " SESSION "\n", NULL);
	next_sent(f);
	expect_log(f, "pause >200");
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t);
	run_until(f, t);
	expect_keepalive(f);
	expect_log(f, ">GET_PARAMETER");
	g_assert_cmpuint(f->n_ended, ==, 0);
}

/* Announced timeouts: 60 s (keepalive 55 s); under 6 s raised to 6 (1 s). */
static void test_keepalive_timeout(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const guint timeouts[][3] = { { 60, 60, 55 }, { 2, 6, 1 }, { 45, 45, 40 } };

	for (guint i = 0; i < G_N_ELEMENTS(timeouts); i++) {
		g_autofree char *session = g_strdup_printf(SESSION ";timeout=%u", timeouts[i][1]);
		gint64 t;
		guint cseq;

		if (i) {
			restart(f);
		}
		f->config.session_timeout = timeouts[i][0];
		negotiate(f, M3_TV);
		sink_ok(f, 4);
		cseq = sink_request(f, "SETUP", URL,
				    "Transport: RTP/AVP/UDP;unicast;client_port=19000\n", NULL);
		g_assert_cmpstr(header(expect_reply(f, GST_RTSP_STS_OK, cseq),
				       GST_RTSP_HDR_SESSION), ==, session);
		t = f->now + timeouts[i][2] * S;
		sink_request(f, "PLAY", URL, NULL, NULL);
		next_sent(f);
		for (guint n = 0; n < 3; n++) {
			g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t);
			run_until(f, t);
			cseq = expect_keepalive(f);
			sink_ok(f, cseq);
			t += timeouts[i][2] * S;
		}
		expect_log(f, ">200 >200 play >GET_PARAMETER >GET_PARAMETER >GET_PARAMETER");
	}
}

/* R40: an M16 not answered within 5 s ends the session. */
static void test_keepalive_lost(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	gint64 t;

	play(f, M3_TV);
	t = f->now + 25 * S;
	run_until(f, t);
	expect_keepalive(f);
	/* a request of the sink is no answer to it */
	sink_request(f, "GET_PARAMETER", WFD_URI, "Session: " SESSION "\n", NULL);
	next_sent(f);
	expect_log(f, ">GET_PARAMETER >200");
	run_until(f, t + 5 * S - 1);
	g_assert_cmpuint(f->n_ended, ==, 0);
	run_until(f, t + 5 * S);
	expect_log(f, "ended:TIMEOUT");
	expect_end(f, MC_WFD_SOURCE_END_TIMEOUT);
	g_assert_cmpuint(f->n_pause, ==, 0);
}

/* ---- Timeouts of the set-up ---- */

/* Each step the sink must take within 5 s: the session ends at exactly 5 s. */
static void test_timeouts(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	for (guint step = 0; step < 7; step++) {
		gint64 t;

		if (step) {
			restart(f);
		}
		switch (step) {
		case 0:		/* no reply to M1 */
			start(f);
			break;
		case 1:		/* M1 answered, no M2 */
			start(f);
			f->now += 2 * S;
			sink_ok(f, 1);
			break;
		case 2:		/* M2, but M1 not answered */
			start(f);
			sink_request(f, "OPTIONS", "*", NULL, NULL);
			next_sent(f);
			break;
		case 3:		/* no reply to M3 */
			options(f);
			break;
		case 4:		/* no reply to M4 */
			capabilities(f, M3_TV);
			break;
		case 5:		/* M5 SETUP answered, no SETUP */
			negotiate(f, M3_TV);
			f->now += 3 * S;
			sink_ok(f, 4);
			break;
		default:	/* no PLAY after SETUP */
			setup(f, M3_TV);
			break;
		}
		g_string_truncate(f->log, 0);
		t = f->now + 5 * S;
		if (step == 2)
			t = T0 + 5 * S;
		g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t);
		run_until(f, t - 1);
		g_assert_cmpuint(f->n_ended, ==, 0);
		run_until(f, t);
		expect_log(f, "ended:TIMEOUT");
		expect_end(f, MC_WFD_SOURCE_END_TIMEOUT);
	}
}

/* ---- SETUP ---- */

/* R32, R33: a wrong URL is 404, an unsupported Transport 461; then a good one works. */
static void test_setup_refused(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const urls[] = {
		"rtsp://" LOCAL "/wfd1.0/streamid=1",
		"rtsp://" LOCAL "/wfd1.0",
		"rtsp://" LOCAL "/",
		"*",
	};
	static const char *const transports[] = {
		"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\n",
		"Transport: RTP/AVP/TCP;unicast;client_port=19000\n",
		"Transport: garbage\n",
		"Transport: RTP/SAVP/UDP;unicast;client_port=19000\n",
		"Transport: RAW/RAW/UDP;unicast;client_port=19000\n",
		"Transport: \n",
		"",
	};
	guint cseq;

	negotiate(f, M3_TV);
	sink_ok(f, 4);
	for (guint i = 0; i < G_N_ELEMENTS(urls); i++) {
		cseq = sink_request(f, "SETUP", urls[i],
				    "Transport: RTP/AVP/UDP;unicast;client_port=19000\n", NULL);
		g_assert_null(header(expect_reply(f, GST_RTSP_STS_NOT_FOUND, cseq),
				     GST_RTSP_HDR_SESSION));
	}
	for (guint i = 0; i < G_N_ELEMENTS(transports); i++) {
		cseq = sink_request(f, "SETUP", URL, transports[i], NULL);
		g_assert_null(header(expect_reply(f, GST_RTSP_STS_UNSUPPORTED_TRANSPORT, cseq),
				     GST_RTSP_HDR_SESSION));
	}
	expect_log(f, ">404 >404 >404 >404 >461 >461 >461 >461 >461 >461 >461");
	expect_state(f, MC_WFD_SOURCE_SETUP);
	g_assert_cmpuint(mc_wfd_source_get_rtp_port(f->src), ==, 0);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19000\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_state(f, MC_WFD_SOURCE_READY);
}

/* R34, R35, Q12: the reply's Transport, by the forms of the sink's. */
static void test_setup_transport(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const cases[][3] = {
		{ "RTP/AVP/UDP;unicast;client_port=19000",
		  "RTP/AVP/UDP;unicast;client_port=19000;server_port=51200", "19000" },
		{ "RTP/AVP/UDP;unicast;client_port=19000-19001",
		  "RTP/AVP/UDP;unicast;client_port=19000-19001;server_port=51200-51201", "19000" },
		{ "RTP/AVP/UDP;unicast;client_port=24030-24031;mode=play",
		  "RTP/AVP/UDP;unicast;client_port=24030-24031;server_port=51200-51201", "24030" },
		{ "RTP/AVP;unicast;client_port=5004",
		  "RTP/AVP/UDP;unicast;client_port=5004;server_port=51200", "5004" },
		/* no client_port: the M3 port (old LG dongles) */
		{ "RTP/AVP/UDP;unicast", "RTP/AVP/UDP;unicast;client_port=1028;server_port=51200",
		  "1028" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *transport = g_strdup_printf("Transport: %s\n", cases[i][0]);
		GstRTSPMessage *m;
		guint cseq;

		if (i) {
			restart(f);
		}
		negotiate(f, M3_DONGLE);
		sink_ok(f, 4);
		cseq = sink_request(f, "SETUP", URL, transport, NULL);
		m = expect_reply(f, GST_RTSP_STS_OK, cseq);
		g_assert_cmpstr(header(m, GST_RTSP_HDR_TRANSPORT), ==, cases[i][1]);
		g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION ";timeout=30");
		g_assert_cmpuint(mc_wfd_source_get_rtp_port(f->src), ==, atoi(cases[i][2]));
		/* old dongles' PLAY without Session (Q12) */
		cseq = sink_request(f, "PLAY", URL, NULL, NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
		expect_log(f, ">200 >200 play");
		g_assert_cmpuint(f->play_port, ==, atoi(cases[i][2]));
	}
}

/* SETUP before the trigger, or while playing, is not valid; SETUP again while ready is. */
static void test_setup_states(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	options(f);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19000\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, cseq);
	restart(f);

	setup(f, M3_TV);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19002\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	g_assert_cmpuint(mc_wfd_source_get_rtp_port(f->src), ==, 19002);
	cseq = sink_request(f, "PLAY", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19000\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, cseq);
	expect_log(f, ">200 >200 play >455");
	g_assert_cmpuint(f->play_port, ==, 19002);
}

/*
 * Sinks answer M5 after sending the SETUP it triggers: the session goes on
 * (the late reply must not start waiting for a SETUP that came).
 */
static void test_setup_before_m5_reply(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	negotiate(f, M3_TV);
	cseq = sink_request(f, "SETUP", URL, "Transport: RTP/AVP/UDP;unicast;client_port=19000\n",
			    NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	sink_ok(f, 4);
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200 >200 play");
	/* nothing but the keepalive is due */
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, f->now + 25 * S);
	run_until(f, f->now + 25 * S);
	expect_keepalive(f);
	expect_log(f, ">GET_PARAMETER");
	g_assert_cmpuint(f->n_ended, ==, 0);
}

/* ---- The sink's requests in a session ---- */

/* R37, Q11: URLs with or without port or /streamid=0, with or without Session. */
static void test_url_forms(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const urls[] = {
		URL,
		"rtsp://" LOCAL ":7236/wfd1.0/streamid=0",
		"rtsp://" LOCAL "/wfd1.0",
		"rtsp://" LOCAL ":7236/wfd1.0",
		"rtsp://" LOCAL "/wfd1.0/",
	};
	static const char *const sessions[] = {
		"Session: " SESSION "\n", NULL, "Session: " SESSION ";timeout=30\n",
		"Session:  " SESSION " \n",
	};
	guint cseq, n = 0;

	play(f, M3_TV);
	for (guint u = 0; u < G_N_ELEMENTS(urls); u++) {
		for (guint s = 0; s < G_N_ELEMENTS(sessions); s++) {
			cseq = sink_request(f, "PAUSE", urls[u], sessions[s], NULL);
			expect_reply(f, GST_RTSP_STS_OK, cseq);
			expect_log(f, "pause >200");
			expect_state(f, MC_WFD_SOURCE_PAUSED);
			cseq = sink_request(f, "PLAY", urls[u], sessions[s], NULL);
			g_assert_cmpstr(header(expect_reply(f, GST_RTSP_STS_OK, cseq),
					       GST_RTSP_HDR_SESSION), ==, SESSION);
			expect_log(f, ">200 play");
			n++;
		}
	}
	g_assert_cmpuint(f->n_play, ==, n + 1);
	g_assert_cmpuint(f->n_pause, ==, n);
	cseq = sink_request(f, "TEARDOWN", "rtsp://" LOCAL ":7236/wfd1.0", NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, "pause >200 ended:TEARDOWN");
	expect_end(f, MC_WFD_SOURCE_END_TEARDOWN);
}

/* R38: another session's id is 454, whatever the request; nothing happens. */
static void test_wrong_session(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const methods[] = {
		"PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER",
	};

	play(f, M3_TV);
	for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
		gboolean set = !strcmp(methods[i], "SET_PARAMETER");
		const char *body = set ? "wfd_idr_request\n" : NULL;
		guint cseq = sink_request(f, methods[i], URL, "Session: 0BADCAFE\n", body);

		expect_reply(f, GST_RTSP_STS_SESSION_NOT_FOUND, cseq);
	}
	expect_log(f, ">454 >454 >454 >454 >454");
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	/* before SETUP there is no session at all */
	restart(f);
	negotiate(f, M3_TV);
	expect_reply(f, GST_RTSP_STS_SESSION_NOT_FOUND,
		     sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL));
	expect_log(f, ">454");
}

/* R42: M13 is answered, then the IDR asked for; not while no stream flows. */
static void test_idr(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char m13[] =
		"SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\n"
		"CSeq: 4\r\n"
		"Session: 6B8B4567\r\n"
		"Content-Type: text/parameters\r\n"
		"Content-Length: 17\r\n"
		"\r\n"
		"wfd_idr_request\r\n";
	GstRTSPMessage *m;

	setup(f, M3_TV);
	sink_stream(f, m13, 1);
	expect_reply(f, GST_RTSP_STS_OK, 4);
	expect_log(f, ">200");
	f->sink_cseq = 5;
	sink_request(f, "PLAY", URL, NULL, NULL);
	next_sent(f);
	expect_log(f, ">200 play");
	sink_stream(f, m13, 1);
	m = expect_reply(f, GST_RTSP_STS_OK, 4);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	expect_log(f, ">200 idr");
	/* LF lines, no Session */
	sink_stream(f, "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\nCSeq: 9\n"
		    "Content-Type: text/parameters\nContent-Length: 16\n\nwfd_idr_request\n", 1);
	expect_reply(f, GST_RTSP_STS_OK, 9);
	expect_log(f, ">200 idr");
	g_assert_cmpuint(f->n_idr, ==, 2);
}

/* R43: the sink's other SET_PARAMETERs are taken (200) unless malformed (400). */
static void test_sink_set_parameter(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	static const char *const good[] = {
		"wfd_route: secondary\n",
		"wfd_connector_type: 05\n",
		"wfd_uibc_setting: disable\n",
		"wfd_uibc_capability: input_category_list=GENERIC;generic_cap_list=Mouse, Keyboard;"
		"hidc_cap_list=none;port=none\n",
		"microsoft_latency_management_capability: supported\n",
		"wfd_vendor_thing: 1\nwfd2_other\n",
		"",
	};
	static const char *const bad[] = {
		"wfd_route: sideways\n",
		"wfd_connector_type: xyz\n",
		"wfd_route: primary\nwfd_route: primary\n",
		"not a parameter line\n",
	};
	guint cseq;

	play(f, M3_TV);
	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		cseq = sink_request(f, "SET_PARAMETER", WFD_URI, "Session: " SESSION "\n",
				    *good[i] ? good[i] : NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		cseq = sink_request(f, "SET_PARAMETER", WFD_URI, "Session: " SESSION "\n", bad[i]);
		expect_reply(f, GST_RTSP_STS_BAD_REQUEST, cseq);
	}
	expect_log(f, ">200 >200 >200 >200 >200 >200 >200 >400 >400 >400 >400");
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	g_assert_cmpuint(f->n_idr, ==, 0);
}

/* The sink's GET_PARAMETER: "none" to each name; an empty one (its keepalive) empty. */
static void test_sink_get_parameter(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	GstRTSPMessage *m;
	g_autofree char *body = NULL;
	guint cseq;

	play(f, M3_TV);
	cseq = sink_request(f, "GET_PARAMETER", WFD_URI, "Session: " SESSION "\n",
			    "wfd_audio_codecs\nmicrosoft_foo\n");
	m = expect_reply(f, GST_RTSP_STS_OK, cseq);
	body = body_of(m);
	g_assert_cmpstr(body, ==, "wfd_audio_codecs: none\r\nmicrosoft_foo: none\r\n");
	g_assert_cmpstr(header(m, GST_RTSP_HDR_CONTENT_TYPE), ==, "text/parameters");
	cseq = sink_request(f, "GET_PARAMETER", WFD_URI, "Session: " SESSION "\n", NULL);
	m = expect_reply(f, GST_RTSP_STS_OK, cseq);
	g_assert_null(mc_rtsp_get_body(m, &(gsize){ 0 }));
	cseq = sink_request(f, "GET_PARAMETER", WFD_URI, NULL, "bad: name\n");
	expect_reply(f, GST_RTSP_STS_BAD_REQUEST, cseq);
	expect_log(f, ">200 >200 >400");
}

/* A message built by hand, for what GStreamer's parser never lets through. */
static void sink_built(Fix *f, GstRTSPMessage *m)
{
	mc_wfd_source_receive(f->src, m, f->now);
	gst_rtsp_message_free(m);
}

static GstRTSPMessage *built_request(GstRTSPMethod method, const char *uri, const char *cseq)
{
	GstRTSPMessage *m = NULL;

	gst_rtsp_message_new_request(&m, method, uri);
	if (cseq)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_CSEQ, cseq);
	return m;
}

static GstRTSPMessage *built_reply(GstRTSPStatusCode code, const char *cseq)
{
	GstRTSPMessage *m = NULL;

	gst_rtsp_message_new_response(&m, code, NULL, NULL);
	if (cseq)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_CSEQ, cseq);
	return m;
}

/* Requests the source does not take; requests without a usable CSeq. */
static void test_other_requests(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	GstRTSPMessage *m;
	guint cseq;

	play(f, M3_TV);
	cseq = sink_request(f, "ANNOUNCE", URL, NULL, NULL);
	m = expect_reply(f, GST_RTSP_STS_METHOD_NOT_ALLOWED, cseq);
	g_assert_nonnull(strstr(header(m, GST_RTSP_HDR_ALLOW), "SET_PARAMETER"));
	cseq = sink_request(f, "RECORD", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_METHOD_NOT_ALLOWED, cseq);
	expect_log(f, ">405 >405");
	/* GStreamer's parser refuses them; built by hand, the source says 400 */
	sink_built(f, built_request(GST_RTSP_PAUSE, URL, NULL));
	expect_reply(f, GST_RTSP_STS_BAD_REQUEST, 0);
	sink_built(f, built_request(GST_RTSP_PAUSE, URL, "x1"));
	expect_reply(f, GST_RTSP_STS_BAD_REQUEST, 0);
	sink_built(f, built_request(GST_RTSP_TEARDOWN, URL, "-3"));
	expect_reply(f, GST_RTSP_STS_BAD_REQUEST, 0);
	expect_log(f, ">400 >400 >400");
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	sink_unparsable(f, "PAUSE " URL " RTSP/1.0\r\nSession: " SESSION "\r\n\r\n");
	expect_nothing_sent(f);
}

/* Replies to nothing the source asked are ignored. */
static void test_unknown_replies(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	options(f);
	sink_ok(f, 1);		/* M1's, again */
	sink_reply(f, 0, "404 Not Found", NULL, NULL);
	sink_stream(f, "RTSP/1.0 400 Bad Request\r\nCSeq: abc\r\n\r\n", 1);
	/* above the requests sent, or without CSeq: GStreamer's parser refuses them */
	sink_built(f, built_reply(GST_RTSP_STS_OK, "99"));
	sink_built(f, built_reply(GST_RTSP_STS_OK, NULL));
	sink_built(f, built_reply(GST_RTSP_STS_OK, "2x"));
	expect_nothing_sent(f);
	expect_log(f, "");
	expect_state(f, MC_WFD_SOURCE_CAPABILITIES);
	/* the M3 reply still counts */
	sink_reply(f, 2, "200 OK", NULL, M3_TV);
	expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	expect_log(f, "caps >SET_PARAMETER");
	sink_unparsable(f, "RTSP/1.0 200 OK\r\nCSeq: 99\r\n\r\n");
	expect_nothing_sent(f);
}

/* ---- Pause, standby ---- */

/* R48: PAUSE stops the stream before its reply; PLAY starts it after its reply. */
static void test_pause_play(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	play(f, M3_TV);
	for (guint i = 0; i < 3; i++) {
		cseq = sink_request(f, "PAUSE", URL, "Session: " SESSION "\n", NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
		expect_log(f, "pause >200");
		expect_state(f, MC_WFD_SOURCE_PAUSED);
		/* twice is fine, once told */
		cseq = sink_request(f, "PAUSE", URL, "Session: " SESSION "\n", NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
		expect_log(f, ">200");
		cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
		expect_log(f, ">200 play");
		expect_state(f, MC_WFD_SOURCE_PLAYING);
	}
	/* PLAY while playing: answered, no second start */
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200");
	g_assert_cmpuint(f->n_play, ==, 4);
	g_assert_cmpuint(f->n_pause, ==, 3);
	/* M12 from the sink: it sleeps; its PLAY wakes the stream */
	cseq = sink_request(f, "SET_PARAMETER", WFD_URI, "Session: " SESSION "\n", "wfd_standby\n");
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200 pause");
	expect_state(f, MC_WFD_SOURCE_PAUSED);
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200 play");
	/* PAUSE before PLAY is not valid */
	restart(f);
	setup(f, M3_TV);
	cseq = sink_request(f, "PAUSE", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, cseq);
	expect_log(f, ">455");
}

/* The display sleeps: M12 wfd_standby when the sink takes it; it wakes: M5 PLAY. */
static void test_standby(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	g_auto(McWfdParams) p = { 0 };
	GstRTSPMessage *m;
	guint cseq;

	play(f, M3_DONGLE);
	mc_wfd_source_standby(f->src, TRUE, f->now);
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	parse_body(m, &p);
	g_assert_cmphex(p.present, ==, 1 << MC_WFD_STANDBY);
	expect_log(f, "pause >SET_PARAMETER");
	expect_state(f, MC_WFD_SOURCE_STANDBY);
	sink_ok(f, cseq_of(m));
	/* told twice, said once */
	mc_wfd_source_standby(f->src, TRUE, f->now);
	expect_nothing_sent(f);
	/* the sink's PLAY does not wake the display */
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200");
	expect_state(f, MC_WFD_SOURCE_STANDBY);

	mc_wfd_source_standby(f->src, FALSE, f->now);
	sink_ok(f, expect_trigger(f, "PLAY", TRUE));
	expect_log(f, ">SET_PARAMETER");
	g_assert_cmpuint(f->n_play, ==, 1);
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200 play");
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	g_assert_cmpuint(f->n_play, ==, 2);
	g_assert_cmpuint(f->play_port, ==, 19000);
}

/* A sink without standby: M5 PAUSE, its PAUSE; M5 PLAY, its PLAY. */
static void test_standby_pause(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	play(f, M3_TV);
	mc_wfd_source_standby(f->src, TRUE, f->now);
	sink_ok(f, expect_trigger(f, "PAUSE", TRUE));
	expect_log(f, "pause >SET_PARAMETER");
	cseq = sink_request(f, "PAUSE", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200");
	expect_state(f, MC_WFD_SOURCE_STANDBY);
	mc_wfd_source_standby(f->src, FALSE, f->now);
	sink_ok(f, expect_trigger(f, "PLAY", TRUE));
	cseq = sink_request(f, "PLAY", URL, "Session: " SESSION "\n", NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">SET_PARAMETER >200 play");
	/* a sink refusing M12 gets M5 PAUSE instead */
	restart(f);
	play(f, M3_DONGLE);
	mc_wfd_source_standby(f->src, TRUE, f->now);
	expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	sink_reply(f, f->src_cseq, "400 Bad Request", NULL, NULL);
	sink_ok(f, expect_trigger(f, "PAUSE", TRUE));
	expect_log(f, "pause >SET_PARAMETER >SET_PARAMETER");
	g_assert_cmpuint(f->n_ended, ==, 0);
}

/*
 * The display sleeps while the sink has paused, or before it plays: its
 * PLAY does not start the stream; the display waking does (M5 PLAY).
 */
static void test_standby_not_playing(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	guint cseq;

	play(f, M3_TV);
	cseq = sink_request(f, "PAUSE", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	mc_wfd_source_standby(f->src, TRUE, f->now);
	cseq = sink_request(f, "PLAY", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, "pause >200 >200");
	mc_wfd_source_standby(f->src, FALSE, f->now);
	sink_ok(f, expect_trigger(f, "PLAY", TRUE));
	cseq = sink_request(f, "PLAY", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">SET_PARAMETER >200 play");

	/* asleep before the first PLAY: the PLAY is answered, no stream, no timeout */
	restart(f);
	setup(f, M3_TV);
	mc_wfd_source_standby(f->src, TRUE, f->now);
	expect_nothing_sent(f);
	cseq = sink_request(f, "PLAY", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">200");
	run_until(f, f->now + 10 * S);
	g_assert_cmpuint(f->n_ended, ==, 0);
	mc_wfd_source_standby(f->src, FALSE, f->now);
	sink_ok(f, expect_trigger(f, "PLAY", TRUE));
	cseq = sink_request(f, "PLAY", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, ">SET_PARAMETER >200 play");
	g_assert_cmpuint(f->n_play, ==, 1);
}

/* ---- Teardown ---- */

/* R45: the sink's TEARDOWN: the stream stops, then the reply with Connection: close. */
static void test_sink_teardown(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	GstRTSPMessage *m;
	guint cseq;

	play(f, M3_TV);
	cseq = sink_request(f, "TEARDOWN", URL, "Session: " SESSION "\n", NULL);
	m = expect_reply(f, GST_RTSP_STS_OK, cseq);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_CONNECTION), ==, "close");
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	expect_log(f, "pause >200 ended:TEARDOWN");
	expect_end(f, MC_WFD_SOURCE_END_TEARDOWN);

	/* paused: no second pause */
	restart(f);
	play(f, M3_TV);
	cseq = sink_request(f, "PAUSE", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	cseq = sink_request(f, "TEARDOWN", URL, NULL, NULL);
	expect_reply(f, GST_RTSP_STS_OK, cseq);
	expect_log(f, "pause >200 >200 ended:TEARDOWN");
	expect_end(f, MC_WFD_SOURCE_END_TEARDOWN);
}

/* R44: mc_wfd_source_teardown(): M5 TEARDOWN, the sink's TEARDOWN, ended LOCAL. */
static void test_local_teardown(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	GstRTSPMessage *m;
	guint cseq;

	play(f, M3_TV);
	f->now += 7 * S;
	mc_wfd_source_teardown(f->src, f->now);
	cseq = expect_trigger(f, "TEARDOWN", TRUE);
	expect_log(f, "pause >SET_PARAMETER");
	expect_state(f, MC_WFD_SOURCE_TEARING_DOWN);
	/* no keepalive any more: the 2 s are all that is due */
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, f->now + 2 * S);
	mc_wfd_source_teardown(f->src, f->now);
	expect_nothing_sent(f);
	sink_ok(f, cseq);
	f->now += 300 * MS;
	cseq = sink_request(f, "TEARDOWN", URL, "Session: " SESSION "\n", NULL);
	m = expect_reply(f, GST_RTSP_STS_OK, cseq);
	g_assert_cmpstr(header(m, GST_RTSP_HDR_CONNECTION), ==, "close");
	expect_log(f, ">200 ended:LOCAL");
	expect_end(f, MC_WFD_SOURCE_END_LOCAL);
	g_assert_cmpuint(f->n_pause, ==, 1);
}

/* R44: no TEARDOWN from the sink: ended LOCAL at exactly 2 s. */
static void test_local_teardown_no_m8(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	for (guint answer = 0; answer < 2; answer++) {
		gint64 t;
		guint cseq;

		if (answer) {
			restart(f);
		}
		play(f, M3_TV);
		/* just before a keepalive: it is not sent any more */
		f->now += 25 * S - 1;
		mc_wfd_source_teardown(f->src, f->now);
		cseq = expect_trigger(f, "TEARDOWN", TRUE);
		t = f->now + 2 * S;
		if (answer)
			sink_ok(f, cseq);
		g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t);
		run_until(f, t - 1);
		expect_nothing_sent(f);
		g_assert_cmpuint(f->n_ended, ==, 0);
		run_until(f, t);
		expect_log(f, "pause >SET_PARAMETER ended:LOCAL");
		expect_end(f, MC_WFD_SOURCE_END_LOCAL);
	}
}

/* Teardown before there is a session ends at once; from SETUP or READY it triggers. */
static void test_teardown_early(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	for (guint step = 0; step < 4; step++) {
		if (step) {
			restart(f);
		}
		switch (step) {
		case 0:
			start(f);
			break;
		case 1:
			options(f);
			break;
		case 2:
			capabilities(f, M3_TV);
			break;
		default:
			/* not even started */
			f->src = mc_wfd_source_new(&f->config, &funcs, f);
			break;
		}
		mc_wfd_source_teardown(f->src, f->now);
		expect_log(f, "ended:LOCAL");
		expect_end(f, MC_WFD_SOURCE_END_LOCAL);
	}
}

/* Teardown while the sink is to SETUP or PLAY: M5 TEARDOWN, LOCAL at +2 s at the latest. */
static void test_teardown_setup(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	for (guint step = 0; step < 3; step++) {
		gint64 t;
		guint cseq;

		if (step) {
			restart(f);
		}
		if (step == 2)
			setup(f, M3_TV);
		else
			negotiate(f, M3_TV);
		f->now += S;
		mc_wfd_source_teardown(f->src, f->now);
		cseq = expect_trigger(f, "TEARDOWN", step == 2);
		t = f->now + 2 * S;
		f->now += 100 * MS;
		/* the reply to M5 SETUP comes late */
		if (step == 1)
			sink_ok(f, 4);
		sink_ok(f, cseq);
		run_until(f, t);
		expect_log(f, ">SET_PARAMETER ended:LOCAL");
		expect_end(f, MC_WFD_SOURCE_END_LOCAL);
		g_assert_cmpuint(f->n_pause, ==, 0);
	}
}

/*
 * Tearing down, a keepalive the sink leaves unanswered ends the session
 * as the caller asked (LOCAL), when its reply is due.
 */
static void test_teardown_keepalive(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	gint64 t;

	play(f, M3_TV);
	t = f->now + 25 * S;
	run_until(f, t);
	expect_keepalive(f);
	f->now = t + 4 * S;
	mc_wfd_source_teardown(f->src, f->now);
	expect_trigger(f, "TEARDOWN", TRUE);
	g_assert_cmpint(mc_wfd_source_next_deadline(f->src), ==, t + 5 * S);
	run_until(f, t + 5 * S - 1);
	g_assert_cmpuint(f->n_ended, ==, 0);
	run_until(f, t + 5 * S);
	expect_log(f, ">GET_PARAMETER pause >SET_PARAMETER ended:LOCAL");
	expect_end(f, MC_WFD_SOURCE_END_LOCAL);
	g_assert_nonnull(strstr(f->end_message, "GET_PARAMETER (M16"));
}

/* Tearing down, a mode change in flight ends nothing and asks for no other. */
static void test_teardown_mode_change(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	const McWfdResolution *vga = mc_wfd_resolution(MC_WFD_CEA, 0);
	const McWfdResolution *hd = mc_wfd_resolution(MC_WFD_CEA, 5);
	guint m4, cseq;

	for (guint refuse = 0; refuse < 2; refuse++) {
		if (refuse)
			restart(f);
		play(f, M3_DONGLE);
		/* to VGA, and back to 720p once the sink has it */
		g_assert_true(mc_wfd_source_set_mode(f->src, vga, f->now, NULL));
		expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
		m4 = f->src_cseq;
		g_assert_true(mc_wfd_source_set_mode(f->src, hd, f->now, NULL));
		expect_nothing_sent(f);
		mc_wfd_source_teardown(f->src, f->now);
		expect_trigger(f, "TEARDOWN", TRUE);
		expect_log(f, ">SET_PARAMETER pause >SET_PARAMETER");
		if (refuse) {
			sink_reply(f, m4, "303 See Other", NULL, "wfd_video_formats: 457\n");
			expect_log(f, "ended:LOCAL");
			expect_end(f, MC_WFD_SOURCE_END_LOCAL);
			continue;
		}
		sink_ok(f, m4);
		expect_nothing_sent(f);
		cseq = sink_request(f, "TEARDOWN", URL, NULL, NULL);
		expect_reply(f, GST_RTSP_STS_OK, cseq);
		expect_log(f, "format >200 ended:LOCAL");
		expect_end(f, MC_WFD_SOURCE_END_LOCAL);
	}
}

/* The sink closes the connection: ended CLOSED, in any state; LOCAL if tearing down. */
static void test_closed(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	g_autoptr(GError) error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
						      "reset by peer");

	start(f);
	mc_wfd_source_closed(f->src, NULL, f->now);
	expect_log(f, "ended:CLOSED");
	expect_end(f, MC_WFD_SOURCE_END_CLOSED);

	restart(f);
	play(f, M3_TV);
	mc_wfd_source_closed(f->src, error, f->now);
	expect_log(f, "ended:CLOSED");
	expect_end(f, MC_WFD_SOURCE_END_CLOSED);
	g_assert_nonnull(strstr(f->end_message, "reset by peer"));

	restart(f);
	play(f, M3_TV);
	mc_wfd_source_teardown(f->src, f->now);
	expect_trigger(f, "TEARDOWN", TRUE);
	mc_wfd_source_closed(f->src, NULL, f->now);
	expect_log(f, "pause >SET_PARAMETER ended:LOCAL");
	expect_end(f, MC_WFD_SOURCE_END_LOCAL);
}

/* ---- Capabilities refused, mode changes ---- */

static void test_refused(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	f->refuse = TRUE;
	options(f);
	sink_reply(f, 2, "200 OK", NULL, M3_TV);
	expect_log(f, "caps ended:REFUSED");
	expect_end(f, MC_WFD_SOURCE_END_REFUSED);
	g_assert_cmpstr(f->end_message, ==, "not this sink");
}

/* A new mode while playing: M4 with it; accepted, the format event. */
static void test_set_mode(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	const McWfdResolution *vga = mc_wfd_resolution(MC_WFD_CEA, 0);
	const McWfdResolution *hd = mc_wfd_resolution(MC_WFD_CEA, 5);
	g_autoptr(GError) error = NULL;
	McWfdChoice want;
	GstRTSPMessage *m;

	play(f, M3_DONGLE);
	g_assert_true(f->format.resolution == hd);
	g_assert_true(mc_wfd_choose(&f->config.caps, mc_wfd_source_get_sink(f->src), vga, &want,
				    NULL));
	mc_wfd_source_set_mode(f->src, vga, f->now, &error);
	g_assert_no_error(error);
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	/* in a session, with its id */
	g_assert_cmpstr(header(m, GST_RTSP_HDR_SESSION), ==, SESSION);
	gst_rtsp_message_remove_header(m, GST_RTSP_HDR_SESSION, -1);
	check_m4(f, m, &want, "RTP/AVP/UDP;unicast 1028 0 mode=play");
	expect_log(f, ">SET_PARAMETER");
	/* the stream keeps the old format until the sink takes the new one */
	g_assert_true(mc_wfd_source_get_choice(f->src)->resolution == hd);
	sink_ok(f, f->src_cseq);
	expect_log(f, "format");
	g_assert_true(f->format.resolution == vga);
	g_assert_true(mc_wfd_source_get_choice(f->src)->resolution == vga);
	expect_state(f, MC_WFD_SOURCE_PLAYING);
	expect_nothing_sent(f);

	/* the mode it has: nothing to do */
	g_assert_true(mc_wfd_source_set_mode(f->src, vga, f->now, NULL));
	expect_nothing_sent(f);
	/* a mode the sink lacks: an error, nothing sent */
	g_assert_false(mc_wfd_source_set_mode(f->src, mc_wfd_resolution(MC_WFD_CEA, 8), f->now,
					      &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH);
	g_clear_error(&error);
	/* 1280x720p60 is in its mask, but needs a level it lacks */
	g_assert_false(mc_wfd_source_set_mode(f->src, mc_wfd_resolution(MC_WFD_CEA, 6), f->now,
					      NULL));
	expect_nothing_sent(f);
	expect_log(f, "");

	/* refused: the session ends */
	g_assert_true(mc_wfd_source_set_mode(f->src, hd, f->now, NULL));
	expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	sink_reply(f, f->src_cseq, "303 See Other", NULL, "wfd_video_formats: 457\n");
	expect_log(f, ">SET_PARAMETER ended:MODE_CHANGE");
	expect_end(f, MC_WFD_SOURCE_END_MODE_CHANGE);
	g_assert_true(mc_wfd_source_get_choice(f->src)->resolution == vga);
}

/* set_mode() before the first M4 is answered: the new mode follows it. */
static void test_set_mode_early(Fix *f, gconstpointer unused G_GNUC_UNUSED)
{
	const McWfdResolution *vga = mc_wfd_resolution(MC_WFD_CEA, 0);
	McWfdChoice want;
	GstRTSPMessage *m;

	/* before the capabilities: nothing known */
	start(f);
	g_assert_false(mc_wfd_source_set_mode(f->src, vga, f->now, NULL));
	restart(f);

	/* from the capabilities callback, then again while M4 is in flight */
	f->mode_in_caps = mc_wfd_resolution(MC_WFD_CEA, 5);
	capabilities(f, M3_DONGLE);
	g_assert_true(mc_wfd_source_set_mode(f->src, vga, f->now, NULL));
	expect_nothing_sent(f);
	g_assert_true(mc_wfd_choose(&f->config.caps, mc_wfd_source_get_sink(f->src), vga, &want,
				    NULL));
	sink_ok(f, 3);
	expect_trigger(f, "SETUP", FALSE);
	m = expect_request(f, GST_RTSP_SET_PARAMETER, WFD_URI);
	check_m4(f, m, &want, "RTP/AVP/UDP;unicast 1028 0 mode=play");
	expect_log(f, "format >SET_PARAMETER >SET_PARAMETER");
	sink_ok(f, 4);
	sink_ok(f, 5);
	expect_log(f, "format");
	g_assert_true(f->format.resolution == vga);
	expect_state(f, MC_WFD_SOURCE_SETUP);
	expect_nothing_sent(f);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *path;
		void (*func)(Fix *f, gconstpointer data);
	} tests[] = {
		{ "/wfd-source/happy-path", test_happy_path },
		{ "/wfd-source/lf-sink", test_lf_sink },
		{ "/wfd-source/m2-first", test_m2_first },
		{ "/wfd-source/m3-lf-unknown", test_m3_lf_unknown },
		{ "/wfd-source/m3-no-ports", test_m3_no_ports },
		{ "/wfd-source/m3-bad", test_m3_bad },
		{ "/wfd-source/refusals", test_refusals },
		{ "/wfd-source/m4-303", test_m4_303 },
		{ "/wfd-source/keepalive", test_keepalive },
		{ "/wfd-source/keepalive-timeout", test_keepalive_timeout },
		{ "/wfd-source/keepalive-lost", test_keepalive_lost },
		{ "/wfd-source/timeouts", test_timeouts },
		{ "/wfd-source/setup-refused", test_setup_refused },
		{ "/wfd-source/setup-transport", test_setup_transport },
		{ "/wfd-source/setup-states", test_setup_states },
		{ "/wfd-source/setup-before-m5-reply", test_setup_before_m5_reply },
		{ "/wfd-source/url-forms", test_url_forms },
		{ "/wfd-source/wrong-session", test_wrong_session },
		{ "/wfd-source/idr", test_idr },
		{ "/wfd-source/sink-set-parameter", test_sink_set_parameter },
		{ "/wfd-source/sink-get-parameter", test_sink_get_parameter },
		{ "/wfd-source/other-requests", test_other_requests },
		{ "/wfd-source/unknown-replies", test_unknown_replies },
		{ "/wfd-source/pause-play", test_pause_play },
		{ "/wfd-source/standby", test_standby },
		{ "/wfd-source/standby-pause", test_standby_pause },
		{ "/wfd-source/standby-not-playing", test_standby_not_playing },
		{ "/wfd-source/sink-teardown", test_sink_teardown },
		{ "/wfd-source/local-teardown", test_local_teardown },
		{ "/wfd-source/local-teardown-no-m8", test_local_teardown_no_m8 },
		{ "/wfd-source/teardown-early", test_teardown_early },
		{ "/wfd-source/teardown-setup", test_teardown_setup },
		{ "/wfd-source/teardown-keepalive", test_teardown_keepalive },
		{ "/wfd-source/teardown-mode-change", test_teardown_mode_change },
		{ "/wfd-source/closed", test_closed },
		{ "/wfd-source/refused", test_refused },
		{ "/wfd-source/set-mode", test_set_mode },
		{ "/wfd-source/set-mode-early", test_set_mode_early },
	};

	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(tests); i++)
		g_test_add(tests[i].path, Fix, NULL, fix_setup, tests[i].func, fix_teardown);
	return g_test_run();
}

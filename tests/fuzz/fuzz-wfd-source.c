// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of the source side of the Wi-Fi Display session
 * (mc-wfd-source.h): the input is what a sink sends. It goes over a
 * loopback connection as the daemon's (tests/unit/rtsp-wire.h), GStreamer's
 * parser reads it message by message, and each message goes to an
 * McWfdSource started as a real session is (default capabilities), the
 * fake clock 10 ms further for each, mc_wfd_source_tick() after each. At
 * the end of the input the clock runs through a few deadlines, then the
 * connection closes; a message the parser refuses closes it too.
 *
 * Input: byte 0 chooses a valid prefix the sink sends first, so that the
 * fuzzer starts from each state (bits 0-2: up to which message of M1
 * reply + M2, M3 reply, M4 reply, M5 reply + SETUP, PLAY; bits 3-4: which
 * sink's M3 reply; bits 5-6: the SETUP's Transport form). Byte 1 is a
 * local action (bits 0-2: standby, wake up, new modes, teardown, a jump
 * of the clock to the next deadline) done before the n-th fuzzed message
 * (bits 3-7). The rest is the sink's bytes.
 *
 * Checked, abort() when broken: every message sent is well formed on the
 * wire (CRLF lines, Content-Length, CSeq: the requests' from 1 up by one,
 * a reply's the request's, or 0 in a 400 if that is no number) and is
 * sent neither after ended() nor as a reply to no request; each request
 * of the sink gets exactly one reply; ended() once and nothing after it;
 * capabilities() once, before any
 * format(); play() only when not streaming and in the playing state,
 * pause() only when streaming, idr() only while streaming; the state is
 * playing exactly when streaming; after a tick the next deadline is
 * later; set_mode() that fails sends nothing.
 *
 * MC_FUZZ_TRACE=1 in the environment prints the exchange (to read a seed
 * or a crash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc-rtsp.h"
#include "mc-wfd-source.h"
#include "rtsp-wire.h"
#include "wfd-bodies.h"

#include "fuzz-check.h"

#define T0		(1000 * G_USEC_PER_SEC)
#define STEP		(10 * 1000)	/* the clock per message, µs */
#define SINK_BYTES_MAX	(32 * 1024)	/* what the sockets hold */

#define URL		"rtsp://192.168.49.1/wfd1.0/streamid=0"
#define WFD_URI		"rtsp://localhost/wfd1.0"

static const char *const m3_bodies[] = {
	/* the reference's 1080p TV */
	WFD_M3_REPLY_1080P_TV,
	/* a 720p dongle that takes standby */
	"wfd_video_formats: 00 00 01 01 00000061 00000000 00000000 00 0000 0000 00 none none\r\n"
	"wfd_audio_codecs: LPCM 00000002 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n"
	"wfd_standby_resume_capability: supported\r\n",
	/* an LG TV, LF lines */
	"wfd_video_formats: 40 00 01 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none, "
	"02 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none\n"
	"wfd_audio_codecs: LPCM 00000003 00, AAC 00000001 00\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 53000 0 mode=play\n",
	/* the Microsoft adapter, with its extensions */
	"wfd_video_formats: 40 00 02 04 00019CEB 053C7FFF 00000FFF 00 0000 0000 11 none none, "
	"01 04 00019CEB 053C7FFF 00000FFF 00 0000 0000 11 none none\r\n"
	"wfd_audio_codecs: AAC 00000001 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n"
	"wfd_idr_request_capability: 1\r\n"
	"microsoft_cursor: full 0040 0040 1C48\r\n",
};

static const char *const transports[] = {
	"RTP/AVP/UDP;unicast;client_port=19000",
	"RTP/AVP/UDP;unicast;client_port=19000-19001",
	"RTP/AVP/UDP;unicast",
	"RTP/AVP/UDP;unicast;client_port=1028;mode=play",
};

typedef enum {
	ACT_NONE,
	ACT_STANDBY,
	ACT_STANDBY_WAKE,	/* asleep, awake after the next message */
	ACT_MODE_LAST,		/* the worst common mode */
	ACT_MODE_SECOND,
	ACT_TEARDOWN,
	ACT_DEADLINE,		/* the clock jumps to the next deadline */
	ACT_MODE_LACKING,	/* a mode the sink does not have */
} Action;

static gboolean trace;

typedef struct {
	McWfdSource *src;
	RtspWire wire;
	gint64 now;
	guint last_cseq;		/* of the source's requests */
	gboolean in_request;		/* a request of the sink is being handled */
	gboolean bad_cseq;		/* its CSeq is no number (GStreamer takes "1x") */
	guint request_cseq, replies;
	guint ended, caps, formats;
	gboolean streaming;
	gboolean no_send;		/* a failing set_mode() is running */
} Run;

static void on_send(GstRTSPMessage *m, gpointer data)
{
	Run *r = data;
	char *why = NULL;
	GString *bytes;
	guint cseq = 0;

	CHECK(!r->ended);
	CHECK(!r->no_send);
	CHECK(mc_rtsp_get_cseq(m, &cseq));
	if (trace) {
		g_autofree char *what = mc_rtsp_describe(m);

		fprintf(stderr, "  source: %s\n", what);
	}
	bytes = rtsp_wire_send(&r->wire, m, &why);
	if (!bytes) {
		fprintf(stderr, "a message that breaks the framing: %s\n", why);
		abort();
	}
	g_string_free(bytes, TRUE);
	if (m->type == GST_RTSP_MESSAGE_REQUEST) {
		const char *uri = NULL;
		GstRTSPMethod method;

		CHECK(cseq == ++r->last_cseq);
		CHECK(gst_rtsp_message_parse_request(m, &method, &uri, NULL) == GST_RTSP_OK);
		CHECK(!strcmp(uri, method == GST_RTSP_OPTIONS ? "*" : WFD_URI));
	} else {
		GstRTSPStatusCode code;

		CHECK(m->type == GST_RTSP_MESSAGE_RESPONSE);
		CHECK(r->in_request);
		CHECK(cseq == r->request_cseq);
		CHECK(gst_rtsp_message_parse_response(m, &code, NULL, NULL) == GST_RTSP_OK);
		CHECK(!r->bad_cseq || code == GST_RTSP_STS_BAD_REQUEST);
		r->replies++;
	}
}

static gboolean on_capabilities(const McWfdParams *sink, const McWfdChoice *choice,
				gpointer data, GError **error G_GNUC_UNUSED)
{
	Run *r = data;

	CHECK(!r->ended && !r->caps++ && !r->formats);
	CHECK(sink == mc_wfd_source_get_sink(r->src));
	CHECK(choice->resolution && !choice->resolution->interlaced);
	return TRUE;
}

static void on_format(const McWfdChoice *choice, gpointer data)
{
	Run *r = data;

	if (trace)
		fprintf(stderr, "  format %ux%u\n", choice->resolution->width,
			choice->resolution->height);

	CHECK(!r->ended && r->caps);
	CHECK(choice->resolution && !choice->resolution->interlaced);
	r->formats++;
}

static void on_play(guint16 rtp_port, gpointer data)
{
	Run *r = data;

	if (trace)
		fprintf(stderr, "  play %u\n", rtp_port);

	CHECK(!r->ended && !r->streaming && r->formats);
	CHECK(mc_wfd_source_get_state(r->src) == MC_WFD_SOURCE_PLAYING);
	CHECK(rtp_port);
	r->streaming = TRUE;
}

static void on_pause(gpointer data)
{
	Run *r = data;

	if (trace)
		fprintf(stderr, "  pause\n");

	CHECK(!r->ended && r->streaming);
	r->streaming = FALSE;
}

static void on_idr(gpointer data)
{
	Run *r = data;

	if (trace)
		fprintf(stderr, "  idr\n");

	CHECK(!r->ended && r->streaming);
}

static void on_ended(McWfdSourceEnd end G_GNUC_UNUSED, const char *message, gpointer data)
{
	Run *r = data;

	if (trace)
		fprintf(stderr, "  ended: %s\n", message);

	CHECK(!r->ended++);
	CHECK(message && *message);
	CHECK(mc_wfd_source_get_state(r->src) == MC_WFD_SOURCE_ENDED);
	r->streaming = FALSE;
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

/* What holds between calls. */
static void check_state(Run *r)
{
	McWfdSourceState state = mc_wfd_source_get_state(r->src);

	CHECK((state == MC_WFD_SOURCE_ENDED) == (r->ended != 0));
	CHECK((state == MC_WFD_SOURCE_PLAYING) == r->streaming);
	if (r->ended)
		CHECK(mc_wfd_source_next_deadline(r->src) == G_MAXINT64);
}

static void tick(Run *r)
{
	mc_wfd_source_tick(r->src, r->now);
	CHECK(mc_wfd_source_next_deadline(r->src) > r->now);
	check_state(r);
}

static void receive(Run *r, GstRTSPMessage *m)
{
	gboolean was_ended = r->ended;

	if (trace) {
		g_autofree char *what = mc_rtsp_describe(m);

		fprintf(stderr, "%6.2f s sink: %s\n", (double)(r->now - T0) / G_USEC_PER_SEC, what);
	}
	r->in_request = m->type == GST_RTSP_MESSAGE_REQUEST;
	r->replies = 0;
	/* a CSeq that is no number is answered 400 with CSeq 0 */
	r->request_cseq = 0;
	r->bad_cseq = r->in_request && !mc_rtsp_get_cseq(m, &r->request_cseq);
	mc_wfd_source_receive(r->src, m, r->now);
	if (r->in_request && !was_ended)
		CHECK(r->replies == 1);
	else
		CHECK(r->replies == 0);
	r->in_request = FALSE;
	check_state(r);
}

static void set_mode(Run *r, int which)
{
	const McWfdParams *sink = mc_wfd_source_get_sink(r->src);
	g_autoptr(GPtrArray) modes = NULL;
	const McWfdResolution *mode = NULL;
	McWfdSourceCaps caps;

	mc_wfd_source_caps_init(&caps);
	if (sink) {
		modes = mc_wfd_common_modes(&caps, sink);
		if (which < 0 && modes->len)
			mode = modes->pdata[modes->len - 1];
		else if (which > 0 && modes->len > 1)
			mode = modes->pdata[1];
	}
	if (!mode) {
		/* 1920x1200p60 is never common (no level carries it) */
		mode = mc_wfd_resolution(MC_WFD_VESA, 29);
		CHECK(mode && mode->width == 1920 && mode->height == 1200);
		r->no_send = TRUE;
		CHECK(!mc_wfd_source_set_mode(r->src, mode, r->now, NULL));
		r->no_send = FALSE;
		return;
	}
	mc_wfd_source_set_mode(r->src, mode, r->now, NULL);
}

static void act(Run *r, Action action)
{
	if (r->ended)
		return;
	if (trace)
		fprintf(stderr, "  action %d\n", action);
	switch (action) {
	case ACT_STANDBY:
	case ACT_STANDBY_WAKE:
		mc_wfd_source_standby(r->src, TRUE, r->now);
		break;
	case ACT_MODE_LAST:
		set_mode(r, -1);
		break;
	case ACT_MODE_SECOND:
		set_mode(r, 1);
		break;
	case ACT_TEARDOWN:
		mc_wfd_source_teardown(r->src, r->now);
		break;
	case ACT_DEADLINE:
		r->now = MAX(r->now, mc_wfd_source_next_deadline(r->src));
		if (r->now == G_MAXINT64)
			return;
		tick(r);
		break;
	case ACT_MODE_LACKING:
		set_mode(r, 0);
		break;
	default:
		break;
	}
	check_state(r);
}

/* How many messages the prefix of each depth holds. */
static const guint prefix_messages[] = { 0, 2, 3, 4, 6, 7 };

/* The valid messages a sink sends first, up to depth. */
static GString *prefix(guint8 choice)
{
	guint depth = (choice & 7) % 6;
	const char *m3 = m3_bodies[(choice >> 3) & 3];
	const char *transport = transports[(choice >> 5) & 3];
	GString *s = g_string_new(NULL);

	if (depth >= 1)
		g_string_append(s, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"
				"Public: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\r\n\r\n"
				"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nRequire: org.wfa.wfd1.0\r\n\r\n");
	if (depth >= 2)
		g_string_append_printf(s, "RTSP/1.0 200 OK\r\nCSeq: 2\r\n"
				       "Content-Type: text/parameters\r\n"
				       "Content-Length: %zu\r\n\r\n%s", strlen(m3), m3);
	if (depth >= 3)
		g_string_append(s, "RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n");
	if (depth >= 4)
		g_string_append_printf(s, "RTSP/1.0 200 OK\r\nCSeq: 4\r\n\r\n"
				       "SETUP " URL " RTSP/1.0\r\nCSeq: 2\r\n"
				       "Transport: %s\r\n\r\n", transport);
	if (depth >= 5)
		g_string_append(s, "PLAY " URL " RTSP/1.0\r\nCSeq: 3\r\nSession: 6B8B4567\r\n\r\n");
	return s;
}

/*
 * Logs only in a trace. A critical is a bug, and so is a warning of this
 * code; GStreamer's warnings about what the sink sent ("unknown transport
 * field") are not.
 */
static void on_log(const char *domain, GLogLevelFlags level, const char *message,
		   gpointer data G_GNUC_UNUSED)
{
	if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ||
	    ((level & G_LOG_LEVEL_WARNING) && !domain)) {
		fprintf(stderr, "log %s: %s\n", domain ? domain : "", message);
		abort();
	}
	if (trace)
		fprintf(stderr, "  (%s%s%s)\n", domain ? domain : "", domain ? ": " : "", message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	McWfdSourceConfig config = {
		.local_address = "192.168.49.1",
		.server_port = 51200,
		.session_id = "6B8B4567",
	};
	Run r = { .now = T0 };
	Action action;
	GString *bytes;
	guint at, n = 0, prefixed;
	gboolean acted = FALSE, woke = FALSE;
	GError *error = NULL;

	if (size < 2 || size > SINK_BYTES_MAX)
		return 0;
	trace = g_getenv("MC_FUZZ_TRACE") != NULL;
	g_log_set_default_handler(on_log, NULL);
	action = data[1] & 7;
	at = data[1] >> 3;
	bytes = prefix(data[0]);
	g_string_append_len(bytes, (const char *)data + 2, size - 2);
	/* the prefix's messages come first */
	prefixed = prefix_messages[(data[0] & 7) % 6];

	/* ports run short now and then after 100 000s of connections: wait for one */
	for (int tries = 0; !rtsp_wire_open(&r.wire); tries++) {
		CHECK(tries < 2000);
		g_usleep(1000);
	}
	/* GStreamer allocates what Content-Length says before reading it */
	gst_rtsp_connection_set_content_length_limit(r.wire.conn, MC_RTSP_MAX_MESSAGE);
	CHECK(rtsp_wire_write(&r.wire, bytes->str, bytes->len));
	rtsp_wire_shutdown(&r.wire);
	g_string_free(bytes, TRUE);

	mc_wfd_source_caps_init(&config.caps);
	r.src = mc_wfd_source_new(&config, &funcs, &r);
	mc_wfd_source_start(r.src, r.now);
	check_state(&r);
	for (;;) {
		GstRTSPMessage m = { 0 };
		GstRTSPResult res;

		if (n == prefixed + at) {
			act(&r, action);
			acted = TRUE;
		} else if (action == ACT_STANDBY_WAKE && acted && !woke && !r.ended) {
			mc_wfd_source_standby(r.src, FALSE, r.now);
			woke = TRUE;
			check_state(&r);
		}
		res = gst_rtsp_connection_receive_usec(r.wire.conn, &m, 0);
		if (res != GST_RTSP_OK) {
			gst_rtsp_message_unset(&m);
			if (res != GST_RTSP_EEOF) {
				g_autofree char *why = gst_rtsp_strresult(res);

				error = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", why);
			}
			break;
		}
		r.now += STEP;
		receive(&r, &m);
		gst_rtsp_message_unset(&m);
		tick(&r);
		n++;
	}
	if (!acted && !error)
		act(&r, action);
	/* the sink says nothing more: a few deadlines pass, then the connection closes */
	for (guint i = 0; i < 4 && !r.ended && !error; i++) {
		r.now = mc_wfd_source_next_deadline(r.src);
		if (r.now == G_MAXINT64)
			break;
		tick(&r);
	}
	mc_wfd_source_closed(r.src, error, r.now);
	CHECK(r.ended == 1);
	check_state(&r);
	g_clear_error(&error);
	mc_wfd_source_free(r.src);
	rtsp_wire_close(&r.wire);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of miracast-testsink (tests/sink/, the build TESTSINK_PATH
 * names) against a source made of the library's parts over the loopback:
 * McWfdSource plays the RTSP session on an McRtsp connection the sink
 * opens, McStream sends the end-to-end test's pattern (e2e-pattern.h) as
 * H.264 and AAC or LPCM in MPEG2-TS over RTP (numbered on across streams
 * by a relay, as one RTP session's packets are). Each test is one scenario
 * (a profile, what the source does, what the harness breaks on purpose)
 * and reads the sink's key=value summary and exit status. With
 * TESTSINK_VERBOSE set in the environment, the sink logs every message
 * (the test's --verbose shows it).
 */
#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "e2e-pattern.h"
#include "mc-rtsp.h"
#include "mc-stream.h"
#include "mc-wfd-source.h"

#define FRAME_MS	33
#define TICK_MS		20
#define SESSION_TIMEOUT	6	/* s: an M16 every second */
#define SINK_TIMEOUT_S	60	/* the longest scenario with margin */

typedef struct {
	/* the scenario */
	const char *profile;
	const char *const *args;	/* more options of the sink */
	guint32 cea;			/* the modes the source offers (CEA bits) */
	gdouble teardown_after;		/* the source ends the session s after PLAY; 0: not */
	gdouble mode_after;		/* the source changes the mode to mode_bit s after PLAY */
	guint mode_bit;
	gdouble standby_after;		/* standby then, and back a second later */
	gboolean listen;		/* the sink listens (--listen), the source connects */
	gboolean restart_seq;		/* each new stream starts from sequence number 0 */
	gboolean pattern;		/* draw the whole pattern (else its band, on grey) */
	gboolean hide_keepalives;	/* M16 are not sent; the harness answers them itself */
	guint32 m4_cea;			/* every M4 sets this CEA mode (its level) instead */

	/* what happened */
	GSocketService *service;
	guint16 port;
	GSocket *udp;			/* where RTP leaves from (the SETUP reply's server_port) */
	GSocket *relay;			/* where McStream sends it, to be numbered */
	GSource *relay_watch;		/* in the relay thread */
	guint16 stream_port;		/* where the stream's RTP came from last */
	guint16 next_seq, seq_offset;
	McRtsp *rtsp;
	McWfdSource *source;
	McStream *stream;
	McWfdChoice choice;
	gint rtp_port;			/* the sink's (atomic: the relay thread reads it) */
	guint frame, tick, pusher, dialer, timers[3];
	gint64 play_us;
	gboolean ended;
	McWfdSourceEnd end;
	GHashTable *summary;		/* the sink's key=value lines */
	int status;
	char *dir;			/* for the sink's files */
} Scenario;

static GMainLoop *loop;
static guint running;		/* sinks that have not ended */

/*
 * The relays run in a thread of their own: the main one, drawing and
 * encoding pictures, would let packets pile up and be lost.
 */
static GMainContext *relay_context;
static GMainLoop *relay_loop;

static gpointer relay_thread(gpointer data G_GNUC_UNUSED)
{
	g_main_context_push_thread_default(relay_context);
	g_main_loop_run(relay_loop);
	g_main_context_pop_thread_default(relay_context);
	return NULL;
}

static gboolean destroy_in_relay(gpointer data)
{
	g_source_destroy(data);
	return G_SOURCE_REMOVE;
}

/* Ends a relay's watch in its thread, and waits for that (its callback is over then). */
static void relay_stop(GSource *watch)
{
	g_main_context_invoke(relay_context, destroy_in_relay, watch);
	while (!g_source_is_destroyed(watch))
		g_usleep(1000);
	g_source_unref(watch);
}

/* ---- The source ---------------------------------------------------------- */

static void stop_stream(Scenario *sc)
{
	g_clear_pointer(&sc->stream, mc_stream_free);
}

static void start_stream(Scenario *sc)
{
	const McWfdResolution *r = sc->choice.resolution;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketAddress) relay = g_socket_get_local_address(sc->relay, NULL);
	McStreamConfig c = {
		.host = "127.0.0.1",
		.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(relay)),
		.video = {
			.width = r->width, .height = r->height,
			.fps_n = r->refresh, .fps_d = 1,
			.profile = mc_wfd_profile_to_h264(sc->choice.profile),
			.level = mc_wfd_level_to_h264(sc->choice.level),
			.bitrate_kbps = 2000,
			.gop = 30,
		},
		.audio = !sc->choice.audio ? MC_AUDIO_NONE :
			 sc->choice.audio_format == MC_WFD_AUDIO_LPCM ? MC_AUDIO_LPCM
								      : MC_AUDIO_AAC,
		.audio_source = "test",
	};

	stop_stream(sc);
	sc->stream = mc_stream_new(&c, &error);
	g_assert_no_error(error);
}

/*
 * McStream's RTP on its way to the sink: each new stream's sequence numbers
 * go on from the last packet's, as one RTP session's do (R49), or from 0
 * (restart_seq); a packet lost on the way stays a gap.
 */
static gboolean relay_rtp(GSocket *relay, GIOCondition condition G_GNUC_UNUSED, gpointer data)
{
	Scenario *sc = data;
	gint rtp_port = g_atomic_int_get(&sc->rtp_port);
	g_autoptr(GSocketAddress) to = g_inet_socket_address_new_from_string("127.0.0.1",
									   rtp_port);
	guint8 p[2048];
	gssize n;

	for (;;) {
		g_autoptr(GSocketAddress) from = NULL;
		guint16 seq = 0, port;

		n = g_socket_receive_from(relay, &from, (char *)p, sizeof(p), NULL, NULL);
		if (n <= 0)
			break;
		if (n < 12 || !rtp_port)
			continue;
		/* each McStream sends from a port of its own */
		port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(from));
		seq = p[2] << 8 | p[3];
		if (port != sc->stream_port) {
			sc->stream_port = port;
			sc->seq_offset = (sc->restart_seq ? 0 : sc->next_seq) - seq;
		}
		seq += sc->seq_offset;
		sc->next_seq = seq + 1;
		p[2] = seq >> 8;
		p[3] = seq & 0xff;
		g_socket_send_to(sc->udp, to, (const char *)p, n, NULL, NULL);
	}
	return G_SOURCE_CONTINUE;
}

/*
 * The next picture of the pattern, in its top left corner; or only its
 * band (the frame number) on grey, which costs less to draw and encode
 * when many streams run at once.
 */
static gboolean push_frame(gpointer data)
{
	Scenario *sc = data;
	const McWfdResolution *r = sc->choice.resolution;
	g_autoptr(GError) error = NULL;
	GstVideoInfo info;
	GstBuffer *b;
	GstMapInfo map;

	if (!sc->stream)
		return G_SOURCE_CONTINUE;
	gst_video_info_set_format(&info, GST_VIDEO_FORMAT_BGRx, r->width, r->height);
	b = gst_buffer_new_and_alloc(info.size);
	gst_buffer_map(b, &map, GST_MAP_WRITE);
	memset(map.data, sc->pattern ? 0 : 0x80, map.size);
	for (guint y = 0; y < MIN(sc->pattern ? E2E_H : E2E_BAND, r->height); y++) {
		guint32 *row = (guint32 *)(map.data + y * info.stride[0]);

		for (guint x = 0; x < MIN(E2E_W, r->width); x++)
			row[x] = e2e_pixel(x, y, sc->frame);
	}
	gst_buffer_unmap(b, &map);
	GST_BUFFER_PTS(b) = g_get_monotonic_time() * 1000;
	GST_BUFFER_OFFSET(b) = sc->frame++;
	g_assert_true(mc_stream_push(sc->stream, b, &info, &error));
	g_assert_no_error(error);
	return G_SOURCE_CONTINUE;
}

typedef struct {
	Scenario *sc;
	GstRTSPMessage *reply;
} Fake;

static gboolean fake_reply(gpointer data)
{
	Fake *f = data;

	if (f->sc->source)
		mc_wfd_source_receive(f->sc->source, f->reply, g_get_monotonic_time());
	gst_rtsp_message_free(f->reply);
	g_free(f);
	return G_SOURCE_REMOVE;
}

/* What the source sends, broken on purpose where the scenario says. */
static void source_send(GstRTSPMessage *m, gpointer data)
{
	Scenario *sc = data;
	g_autoptr(GError) error = NULL;
	GstRTSPMethod method = GST_RTSP_INVALID;
	const char *body;
	gsize len;

	if (!sc->rtsp)
		return;
	body = mc_rtsp_get_body(m, &len);
	if (m->type == GST_RTSP_MESSAGE_REQUEST)
		gst_rtsp_message_parse_request(m, &method, NULL, NULL);
	if (sc->hide_keepalives && method == GST_RTSP_GET_PARAMETER && !len) {
		Fake *f = g_new0(Fake, 1);

		f->sc = sc;
		f->reply = mc_rtsp_reply_new(GST_RTSP_STS_OK, m, NULL, NULL);
		g_idle_add(fake_reply, f);
		return;
	}
	if (sc->m4_cea && method == GST_RTSP_SET_PARAMETER && body &&
	    g_strstr_len(body, len, "wfd_video_formats")) {
		g_auto(McWfdParams) m4 = { 0 };
		g_autofree char *text = NULL;
		GstRTSPMessage *copy = NULL;

		g_assert_true(mc_wfd_params_parse(&m4, body, len, NULL));
		m4.video_formats.codecs[0].cea = sc->m4_cea;
		m4.video_formats.codecs[0].level = mc_wfd_resolution_min_level(
			mc_wfd_resolution(MC_WFD_CEA, g_bit_nth_lsf(sc->m4_cea, -1)));
		text = mc_wfd_params_format(&m4);
		gst_rtsp_message_copy(m, &copy);
		gst_rtsp_message_set_body(copy, (const guint8 *)text, strlen(text));
		g_assert_true(mc_rtsp_send(sc->rtsp, copy, &error));
		gst_rtsp_message_free(copy);
		return;
	}
	g_assert_true(mc_rtsp_send(sc->rtsp, m, &error));
	g_assert_no_error(error);
}

static gboolean source_capabilities(const McWfdParams *sink G_GNUC_UNUSED,
				    const McWfdChoice *choice G_GNUC_UNUSED,
				    gpointer data G_GNUC_UNUSED, GError **error G_GNUC_UNUSED)
{
	return TRUE;
}

static void source_format(const McWfdChoice *choice, gpointer data)
{
	Scenario *sc = data;

	sc->choice = *choice;
	if (sc->stream)
		start_stream(sc);	/* a new mode: a new stream */
}

static gboolean do_teardown(gpointer data)
{
	Scenario *sc = data;

	sc->timers[0] = 0;
	if (sc->source)
		mc_wfd_source_teardown(sc->source, g_get_monotonic_time());
	return G_SOURCE_REMOVE;
}

static gboolean do_mode(gpointer data)
{
	Scenario *sc = data;
	g_autoptr(GError) error = NULL;

	sc->timers[1] = 0;
	if (sc->source)
		g_assert_true(mc_wfd_source_set_mode(sc->source,
						     mc_wfd_resolution(MC_WFD_CEA, sc->mode_bit),
						     g_get_monotonic_time(), &error));
	g_assert_no_error(error);
	return G_SOURCE_REMOVE;
}

static gboolean do_standby(gpointer data)
{
	Scenario *sc = data;
	gboolean wake = sc->source &&
			mc_wfd_source_get_state(sc->source) == MC_WFD_SOURCE_STANDBY;

	if (sc->source)
		mc_wfd_source_standby(sc->source, !wake, g_get_monotonic_time());
	if (wake) {
		sc->timers[2] = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static guint after(gdouble seconds, GSourceFunc func, Scenario *sc)
{
	return seconds > 0 ? g_timeout_add((guint)(seconds * 1000), func, sc) : 0;
}

static void source_play(guint16 rtp_port, gpointer data)
{
	Scenario *sc = data;

	g_atomic_int_set(&sc->rtp_port, rtp_port);
	start_stream(sc);
	if (sc->play_us)
		return;
	sc->play_us = g_get_monotonic_time();
	sc->timers[0] = after(sc->teardown_after, do_teardown, sc);
	sc->timers[1] = after(sc->mode_after, do_mode, sc);
	if (sc->standby_after > 0)
		sc->timers[2] = g_timeout_add(sc->standby_after * 1000, do_standby, sc);
}

static void source_pause(gpointer data)
{
	stop_stream(data);
}

static void source_idr(gpointer data)
{
	Scenario *sc = data;

	if (sc->stream)
		mc_stream_request_idr(sc->stream);
}

static void source_ended(McWfdSourceEnd end, const char *message, gpointer data)
{
	Scenario *sc = data;

	g_test_message("source: the session ended (%d): %s", end, message);
	sc->ended = TRUE;
	sc->end = end;
	stop_stream(sc);
	if (sc->rtsp) {
		mc_rtsp_close(sc->rtsp);
		sc->rtsp = NULL;
	}
}

static const McWfdSourceFuncs source_funcs = {
	.send = source_send,
	.capabilities = source_capabilities,
	.format = source_format,
	.play = source_play,
	.pause = source_pause,
	.idr = source_idr,
	.ended = source_ended,
};

static void on_message(McRtsp *rtsp G_GNUC_UNUSED, GstRTSPMessage *m, gpointer data)
{
	Scenario *sc = data;

	mc_wfd_source_receive(sc->source, m, g_get_monotonic_time());
}

static void on_closed(McRtsp *rtsp G_GNUC_UNUSED, const GError *error, gpointer data)
{
	Scenario *sc = data;

	mc_wfd_source_closed(sc->source, error, g_get_monotonic_time());
}

static const McRtspFuncs rtsp_funcs = { .message = on_message, .closed = on_closed };

static gboolean on_tick(gpointer data)
{
	Scenario *sc = data;

	if (sc->source)
		mc_wfd_source_tick(sc->source, g_get_monotonic_time());
	return G_SOURCE_CONTINUE;
}

/* The source on a connection to the sink: it sends M1. */
static void source_start(Scenario *sc, GSocketConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketAddress) local = g_socket_get_local_address(sc->udp, NULL);
	McWfdSourceConfig config = {
		.session_timeout = SESSION_TIMEOUT,
		.server_port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local)),
	};

	g_assert_null(sc->rtsp);
	sc->rtsp = mc_rtsp_new(c, &rtsp_funcs, sc, &error);
	g_assert_no_error(error);
	mc_wfd_source_caps_init(&config.caps);
	config.caps.cea = sc->cea;
	config.caps.vesa = config.caps.hh = 0;
	config.local_address = mc_rtsp_get_local_address(sc->rtsp);
	sc->source = mc_wfd_source_new(&config, &source_funcs, sc);
	mc_wfd_source_start(sc->source, g_get_monotonic_time());
}

static gboolean on_incoming(GSocketService *service G_GNUC_UNUSED, GSocketConnection *c,
			    GObject *from G_GNUC_UNUSED, gpointer data)
{
	source_start(data, c);
	return TRUE;
}

/* --listen: the source connects once the sink listens. */
static gboolean dial(gpointer data)
{
	Scenario *sc = data;
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) c = NULL;
	g_autofree char *to = g_strdup_printf("127.0.0.1:%u", sc->port);

	c = g_socket_client_connect_to_host(client, to, 0, NULL, NULL);
	if (!c)
		return G_SOURCE_CONTINUE;
	sc->dialer = 0;
	source_start(sc, c);
	return G_SOURCE_REMOVE;
}

/* ---- The sink ------------------------------------------------------------ */

static void on_sink_done(GObject *object, GAsyncResult *result, gpointer data)
{
	Scenario *sc = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL, *err = NULL;
	g_auto(GStrv) lines = NULL;
	GSubprocess *p = G_SUBPROCESS(object);

	g_assert_true(g_subprocess_communicate_utf8_finish(p, result, &out, &err, &error));
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(p));
	sc->status = g_subprocess_get_exit_status(p);
	if (err && *err)
		g_test_message("sink's stderr:\n%s", err);
	g_test_message("sink's summary (exit %d):\n%s", sc->status, out);
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		char *eq = strchr(lines[i], '=');

		if (eq)
			g_hash_table_insert(sc->summary, g_strndup(lines[i], eq - lines[i]),
					    g_strdup(eq + 1));
	}
	if (!--running)
		g_main_loop_quit(loop);
}

static gboolean on_too_long(gpointer data G_GNUC_UNUSED)
{
	g_assert_not_reached();
	return G_SOURCE_REMOVE;
}

/* Starts the scenario: a source listening, a sink connecting to it. */
static void start(Scenario *sc)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string("127.0.0.1", 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GSubprocess) sink = NULL;
	g_autoptr(GError) error = NULL;

	sc->summary = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	sc->dir = g_dir_make_tmp("testsink-XXXXXX", &error);
	g_assert_no_error(error);
	sc->cea = sc->cea ? sc->cea : 1u << 0 | 1u << 5;
	sc->udp = mc_rtsp_rtp_socket("127.0.0.1", NULL, &error);
	g_assert_no_error(error);
	sc->relay = mc_rtsp_rtp_socket("127.0.0.1", NULL, &error);
	g_assert_no_error(error);
	g_socket_set_blocking(sc->relay, FALSE);
	{
		GSource *watch = g_socket_create_source(sc->relay, G_IO_IN, NULL);

		g_source_set_callback(watch, G_SOURCE_FUNC(relay_rtp), sc, NULL);
		g_source_attach(watch, relay_context);
		sc->relay_watch = watch;
	}
	sc->service = g_socket_service_new();
	if (sc->listen) {
		/* a free port for the sink to listen on */
		g_autoptr(GSocket) tcp = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
						      G_SOCKET_PROTOCOL_TCP, &error);

		g_assert_true(tcp && g_socket_bind(tcp, any, TRUE, &error));
		bound = g_socket_get_local_address(tcp, &error);
	} else {
		g_assert_true(g_socket_listener_add_address(G_SOCKET_LISTENER(sc->service), any,
							    G_SOCKET_TYPE_STREAM,
							    G_SOCKET_PROTOCOL_TCP, NULL, &bound,
							    &error));
	}
	g_assert_no_error(error);
	sc->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	g_signal_connect(sc->service, "incoming", G_CALLBACK(on_incoming), sc);

	g_ptr_array_add(argv, g_strdup(TESTSINK_PATH));
	if (sc->listen) {
		g_ptr_array_add(argv, g_strdup_printf("--listen=127.0.0.1:%u", sc->port));
		sc->dialer = g_timeout_add(100, dial, sc);
	} else {
		g_ptr_array_add(argv, g_strdup_printf("--connect=127.0.0.1:%u", sc->port));
	}
	g_ptr_array_add(argv, g_strdup_printf("--profile=%s", sc->profile));
	g_ptr_array_add(argv, g_strdup("--rtp-port=0"));
	g_ptr_array_add(argv, g_strdup_printf("--log=%s/log", sc->dir));
	if (g_getenv("TESTSINK_VERBOSE"))
		g_ptr_array_add(argv, g_strdup("--verbose"));
	for (guint i = 0; sc->args && sc->args[i]; i++)
		g_ptr_array_add(argv, g_strdup_printf(sc->args[i], sc->dir));
	g_ptr_array_add(argv, NULL);
	sink = g_subprocess_newv((const char *const *)argv->pdata,
				 G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
				 &error);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(sink, NULL, NULL, on_sink_done, sc);
	sc->tick = g_timeout_add(TICK_MS, on_tick, sc);
	sc->pusher = g_timeout_add(FRAME_MS, push_frame, sc);
	running++;
}

/* Runs the scenarios (NULL-terminated) at once, until each sink has said how it went. */
G_GNUC_NULL_TERMINATED
static void run(Scenario *sc, ...)
{
	guint too_long;
	va_list ap;

	loop = g_main_loop_new(NULL, FALSE);
	va_start(ap, sc);
	for (; sc; sc = va_arg(ap, Scenario *))
		start(sc);
	va_end(ap);
	too_long = g_timeout_add_seconds(SINK_TIMEOUT_S, on_too_long, NULL);
	g_main_loop_run(loop);
	g_source_remove(too_long);
	g_clear_pointer(&loop, g_main_loop_unref);
}

static void scenario_clear(Scenario *sc)
{
	g_autoptr(GDir) d = g_dir_open(sc->dir, 0, NULL);
	const char *name;

	for (guint i = 0; i < G_N_ELEMENTS(sc->timers); i++)
		if (sc->timers[i])
			g_source_remove(sc->timers[i]);
	g_source_remove(sc->tick);
	g_source_remove(sc->pusher);
	if (sc->dialer)
		g_source_remove(sc->dialer);
	stop_stream(sc);
	if (sc->rtsp)
		mc_rtsp_free(sc->rtsp);
	mc_wfd_source_free(sc->source);
	g_socket_service_stop(sc->service);
	g_socket_listener_close(G_SOCKET_LISTENER(sc->service));
	g_object_unref(sc->service);
	g_object_unref(sc->udp);
	relay_stop(sc->relay_watch);
	g_object_unref(sc->relay);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(sc->dir, name, NULL);

		g_unlink(path);
	}
	g_rmdir(sc->dir);
	g_free(sc->dir);
	g_hash_table_unref(sc->summary);
}

static const char *key(Scenario *sc, const char *k)
{
	const char *v = g_hash_table_lookup(sc->summary, k);

	g_assert_nonnull(v);
	return v;
}

static gint64 number(Scenario *sc, const char *k)
{
	return g_ascii_strtoll(key(sc, k), NULL, 10);
}

static void assert_checks(Scenario *sc, const char *word)
{
	static const char *const checks[] = {
		"m1_ok", "m2_ok", "m3_ok", "m4_ok", "setup_ok", "m16_ok", "cseq_ok", "session_ok",
		"replies_ok", "rtp_ok", "rtp_seq_ok", "rtp_flow_ok", "ts_ok", "idr_ok", "sps_ok",
		"size_ok", "audio_ok", "decode_ok",
	};

	for (guint i = 0; i < G_N_ELEMENTS(checks); i++)
		g_assert_cmpstr(key(sc, checks[i]), ==, word);
}

static char *read_log(Scenario *sc)
{
	g_autofree char *path = g_build_filename(sc->dir, "log", NULL);
	char *log = NULL;

	g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
	return log;
}

static guint count(const char *text, const char *what)
{
	guint n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* A PNG snapshot decodes (GStreamer's pngdec) to a picture of w x h. */
static void assert_png(const char *path, int w, int h)
{
	g_autofree char *desc = g_strdup_printf("filesrc location=\"%s\" ! pngdec ! appsink "
						"name=sink", path);
	GstElement *pipe = gst_parse_launch(desc, NULL);
	GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
	GstSample *s;
	GstVideoInfo info;

	gst_element_set_state(pipe, GST_STATE_PLAYING);
	s = gst_app_sink_pull_sample(GST_APP_SINK(sink));
	g_assert_nonnull(s);
	g_assert_true(gst_video_info_from_caps(&info, gst_sample_get_caps(s)));
	g_assert_cmpint(GST_VIDEO_INFO_WIDTH(&info), ==, w);
	g_assert_cmpint(GST_VIDEO_INFO_HEIGHT(&info), ==, h);
	gst_sample_unref(s);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(sink);
	gst_object_unref(pipe);
}

/* ---- The scenarios --------------------------------------------------------- */

/*
 * The whole session with a 1080p TV: M1-M7, keepalives, an IDR request, a
 * mode change (1280x720p30 to 640x480p60) while playing, snapshots, the
 * pattern read back, and the sink's TEARDOWN at the end.
 */
static void test_session(void)
{
	static const char *const args[] = {
		"--duration=5", "--idr-request-after=1.5", "--snapshot-dir=%s",
		"--snapshot-every=20", "--pattern", NULL,
	};
	Scenario sc = { .profile = "tv-1080p", .args = args, .mode_after = 2.5, .mode_bit = 0,
			.pattern = TRUE };
	g_autofree char *log = NULL;
	g_autofree char *first = NULL, *later = NULL;

	run(&sc, NULL);
	g_assert_cmpstr(key(&sc, "result"), ==, "ok");
	g_assert_cmpint(sc.status, ==, 0);
	g_assert_cmpstr(key(&sc, "ended_by"), ==, "sink-teardown");
	g_assert_true(sc.ended);
	g_assert_cmpint(sc.end, ==, MC_WFD_SOURCE_END_TEARDOWN);
	assert_checks(&sc, "yes");
	g_assert_cmpstr(key(&sc, "mode"), ==, "640x480p60");
	g_assert_cmpstr(key(&sc, "video_profile"), ==, "CBP");
	g_assert_cmpstr(key(&sc, "audio"), ==, "AAC");
	g_assert_cmpstr(key(&sc, "first_frame_idr"), ==, "yes");
	g_assert_cmpint(number(&sc, "mode_changes"), ==, 1);
	g_assert_cmpint(number(&sc, "m4_count"), ==, 2);
	g_assert_nonnull(strstr(key(&sc, "sizes"), "1280x720:"));
	g_assert_nonnull(strstr(key(&sc, "sizes"), "640x480:"));
	g_assert_cmpint(number(&sc, "frames_decoded"), >=, 60);
	g_assert_cmpint(number(&sc, "keepalives"), >=, 3);
	g_assert_cmpint(number(&sc, "keepalive_max_interval_ms"), <=, 1500);
	g_assert_cmpint(number(&sc, "session_timeout_s"), ==, SESSION_TIMEOUT);
	g_assert_cmpint(number(&sc, "idr_after_request_ms"), >=, 0);
	g_assert_cmpint(number(&sc, "idr_after_request_ms"), <, 1000);
	g_assert_cmpint(number(&sc, "audio_pes"), >, 0);
	g_assert_cmpint(number(&sc, "pattern_unique"), >=, 60);
	g_assert_cmpfloat(g_ascii_strtod(key(&sc, "mean_psnr"), NULL), >, 30);
	g_assert_cmpint(number(&sc, "snapshots"), >=, 3);
	first = g_build_filename(sc.dir, "frame-000001.png", NULL);
	assert_png(first, 1280, 720);
	/* the RTSP log: keepalives, the IDR request, the teardown */
	log = read_log(&sc);
	g_assert_cmpuint(count(log, " < M16 GET_PARAMETER"), ==, number(&sc, "keepalives"));
	g_assert_cmpuint(count(log, " > M13 SET_PARAMETER"), ==, 1);
	g_assert_cmpuint(count(log, " > M8  TEARDOWN"), ==, 1);
	g_assert_cmpuint(count(log, " < M4  SET_PARAMETER"), ==, 2);
	scenario_clear(&sc);
}

/* An LPCM dongle; the source tears the session down (M5 TEARDOWN, then M8). */
static void check_source_teardown(Scenario *sc)
{
	g_assert_cmpstr(key(sc, "result"), ==, "ok");
	g_assert_cmpint(sc->status, ==, 0);
	g_assert_cmpstr(key(sc, "ended_by"), ==, "source-teardown");
	g_assert_cmpint(sc->end, ==, MC_WFD_SOURCE_END_LOCAL);
	assert_checks(sc, "yes");
	g_assert_cmpstr(key(sc, "mode"), ==, "1280x720p30");
	g_assert_cmpstr(key(sc, "audio"), ==, "LPCM");
	g_assert_cmpstr(key(sc, "audio_stream"), ==, "LPCM");
	g_assert_cmpint(number(sc, "audio_pes"), >, 100);
}

/* LG webOS: its M2 (CSeq 0) before it answers M1, M16 replies without Session. */
static void check_lg_webos(Scenario *sc)
{
	g_autofree char *log = read_log(sc);

	g_assert_cmpstr(key(sc, "result"), ==, "ok");
	g_assert_cmpint(sc->status, ==, 0);
	g_assert_true(strstr(log, " > M2  OPTIONS * RTSP/1.0  [CSeq 0]") <
		      strstr(log, " > M1  RTSP/1.0 200 OK"));
}

/* A source pausing for standby: PAUSE and PLAY triggers (the sink has no standby). */
static void check_pause(Scenario *sc)
{
	g_autofree char *log = read_log(sc);

	g_assert_cmpstr(key(sc, "result"), ==, "ok");
	g_assert_cmpstr(key(sc, "audio"), ==, "none");
	g_assert_cmpstr(key(sc, "audio_stream"), ==, "none");
	g_assert_cmpuint(count(log, " > M9  PAUSE"), ==, 1);
	g_assert_cmpuint(count(log, " > M7  PLAY"), ==, 2);
}

/* The sink closes TCP without TEARDOWN: the source stops RTP. */
static void check_drop(Scenario *sc)
{
	g_assert_cmpstr(key(sc, "result"), ==, "ok");
	g_assert_cmpstr(key(sc, "ended_by"), ==, "sink-dropped");
	g_assert_cmpstr(key(sc, "rtp_flow_ok"), ==, "yes");
	g_assert_cmpint(sc->end, ==, MC_WFD_SOURCE_END_CLOSED);
}

/* A new stream for a new mode starts its RTP sequence numbers from 0 again: the sink says so. */
static void check_restart(Scenario *sc)
{
	g_assert_cmpint(sc->status, ==, 1);
	g_assert_cmpstr(key(sc, "rtp_seq_ok"), ==, "no");
	g_assert_nonnull(strstr(key(sc, "result"), "RTP sequence numbers went back from "));
	g_assert_cmpint(number(sc, "rtp_restarts"), ==, 1);
	g_assert_cmpint(number(sc, "mode_changes"), ==, 1);
	g_assert_cmpstr(key(sc, "decode_ok"), ==, "yes");
}

/* Other ways a session goes or ends, at once. */
static void test_endings(void)
{
	static const char *const lg_args[] = { "--duration=2.5", NULL };
	static const char *const pause_args[] = { "--duration=4.5", NULL };
	static const char *const drop_args[] = { "--drop-after=1.5", NULL };
	Scenario teardown = { .profile = "dongle-720p-lpcm", .teardown_after = 2.5 };
	Scenario lg = { .profile = "lg-webos", .args = lg_args };
	Scenario pause = { .profile = "no-audio", .args = pause_args, .standby_after = 1.5 };
	Scenario drop = { .profile = "drop", .args = drop_args };
	Scenario restart = { .profile = "tv-1080p", .args = lg_args, .mode_after = 1,
			     .restart_seq = TRUE };

	run(&teardown, &lg, &pause, &drop, &restart, NULL);
	check_source_teardown(&teardown);
	check_lg_webos(&lg);
	check_pause(&pause);
	check_drop(&drop);
	check_restart(&restart);
	scenario_clear(&restart);
	scenario_clear(&teardown);
	scenario_clear(&lg);
	scenario_clear(&pause);
	scenario_clear(&drop);
}

/* A malformed M3 reply: the source gives up without M4, as the profile wants. */
static void check_broken_params(Scenario *sc)
{
	g_assert_cmpstr(key(sc, "result"), ==, "ok");
	g_assert_cmpint(sc->status, ==, 0);
	g_assert_cmpstr(key(sc, "ended_by"), ==, "source-closed");
	g_assert_cmpint(sc->end, ==, MC_WFD_SOURCE_END_PROTOCOL);
	g_assert_cmpint(number(sc, "m4_count"), ==, 0);
}

/* Every M4 sets 1920x1080p30, which the dongle did not offer: 303, and a failure. */
static void check_refused_m4(Scenario *sc)
{
	g_autofree char *log = read_log(sc);

	g_assert_cmpint(sc->status, ==, 1);
	g_assert_cmpstr(key(sc, "m4_ok"), ==, "no");
	g_assert_nonnull(strstr(key(sc, "result"), "1920x1080p30 (CEA bit 7) was not "
				"advertised"));
	g_assert_cmpint(sc->end, ==, MC_WFD_SOURCE_END_PROTOCOL);
	g_assert_cmpuint(count(log, "RTSP/1.0 303 See Other"), ==, 2);
	g_assert_cmpuint(count(log, "wfd_video_formats: 457"), ==, 2);
}

/*
 * The other faithful and quirky sinks, each the source's choice of
 * 1280x720p30 or 640x480p60: an EDID (and the sink listening, the source
 * connecting as miracastctl connect does), a VESA projector (only CEA
 * 640x480p60 in common), an untidy but legal M3 reply, every mask set;
 * and two refusals: a malformed M3 reply, an M4 the sink must refuse.
 */
static void test_profiles(void)
{
	static const char *const args[] = { "--duration=2", NULL };
	Scenario edid = { .profile = "tv-edid", .args = args, .listen = TRUE };
	Scenario vesa = { .profile = "projector-vesa", .args = args };
	Scenario garbage = { .profile = "garbage-params", .args = args };
	Scenario ones = { .profile = "android-all-ones", .args = args };
	Scenario broken = { .profile = "broken-params" };
	Scenario refused = { .profile = "dongle-720p-lpcm", .m4_cea = 1u << 7 };

	run(&edid, &vesa, &garbage, &ones, &broken, &refused, NULL);
	g_assert_cmpstr(key(&edid, "result"), ==, "ok");
	g_assert_cmpstr(key(&edid, "mode"), ==, "640x480p60");	/* its CEA: 0, 6 and 8 */
	g_assert_cmpstr(key(&vesa, "result"), ==, "ok");
	g_assert_cmpstr(key(&vesa, "mode"), ==, "640x480p60");
	g_assert_cmpstr(key(&vesa, "audio"), ==, "LPCM");
	g_assert_cmpstr(key(&garbage, "result"), ==, "ok");
	g_assert_cmpstr(key(&garbage, "mode"), ==, "1280x720p30");
	g_assert_cmpstr(key(&ones, "result"), ==, "ok");
	g_assert_cmpstr(key(&ones, "mode"), ==, "1280x720p30");
	g_assert_cmpstr(key(&ones, "video_level"), ==, "3.1");
	g_assert_cmpstr(key(&ones, "audio"), ==, "AAC");
	check_broken_params(&broken);
	check_refused_m4(&refused);
	scenario_clear(&edid);
	scenario_clear(&vesa);
	scenario_clear(&garbage);
	scenario_clear(&ones);
	scenario_clear(&broken);
	scenario_clear(&refused);
}

/*
 * The sink stops answering (vanish), answers M16 after 7 s (late-keepalive),
 * or hears no M16 (its watchdog ends the session after timeout + 5 s): run
 * together, they take as long as the longest.
 */
static void test_timeouts(void)
{
	static const char *const vanish_args[] = { "--vanish-after=1", NULL };
	Scenario vanish = { .profile = "vanish", .args = vanish_args };
	Scenario late = { .profile = "late-keepalive" };
	Scenario watchdog = { .profile = "android-all-ones", .hide_keepalives = TRUE };

	run(&vanish, &late, &watchdog, NULL);
	/* the source's M16 is not answered within 5 s: it closes the connection */
	g_assert_cmpstr(key(&vanish, "result"), ==, "ok");
	g_assert_cmpstr(key(&vanish, "ended_by"), ==, "source-closed");
	g_assert_cmpint(vanish.end, ==, MC_WFD_SOURCE_END_TIMEOUT);
	g_assert_cmpstr(key(&late, "result"), ==, "ok");
	g_assert_cmpstr(key(&late, "ended_by"), ==, "source-closed");
	g_assert_cmpint(number(&late, "late_replies_sent"), ==, 0);
	g_assert_cmpint(late.end, ==, MC_WFD_SOURCE_END_TIMEOUT);
	/* no keepalive: the sink's watchdog, a failure */
	g_assert_cmpint(watchdog.status, ==, 1);
	g_assert_cmpstr(key(&watchdog, "ended_by"), ==, "watchdog");
	g_assert_cmpint(number(&watchdog, "keepalives"), ==, 0);
	g_assert_nonnull(strstr(key(&watchdog, "result"), "no M16 keepalive for 11 s"));
	g_assert_cmpint(watchdog.end, ==, MC_WFD_SOURCE_END_TEARDOWN);
	scenario_clear(&vanish);
	scenario_clear(&late);
	scenario_clear(&watchdog);
}

int main(int argc, char **argv)
{
	GThread *relays;
	int status;

	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	relay_context = g_main_context_new();
	relay_loop = g_main_loop_new(relay_context, FALSE);
	relays = g_thread_new("relay", relay_thread, NULL);
	g_test_add_func("/testsink/session", test_session);
	g_test_add_func("/testsink/endings", test_endings);
	g_test_add_func("/testsink/profiles", test_profiles);
	g_test_add_func("/testsink/timeouts", test_timeouts);
	status = g_test_run();
	g_main_loop_quit(relay_loop);
	g_thread_join(relays);
	g_main_loop_unref(relay_loop);
	g_main_context_unref(relay_context);
	return status;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of encoder selection and settings: the choice among what a
 * machine has (a fake registry), the H.264 level arithmetic, and the real
 * x264 and openh264 elements encoding a test pattern, whose SPS, IDRs and
 * parameter sets are read back from the stream; a stream whose bitrate is
 * lowered while it plays.
 */
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "mc-encoder.h"
#include "mc-stream.h"

static gboolean in_list(const char *factory, gpointer data)
{
	return g_strv_contains((const char *const *)data, factory);
}

static void test_choose(void)
{
	const char *board[] = { "v4l2h264enc", "x264enc", "openh264enc", NULL };
	const char *desktop[] = { "openh264enc", "x264enc", "vaapih264enc", NULL };
	const char *soft[] = { "openh264enc", NULL };
	const char *none[] = { NULL };
	GError *error = NULL;
	const McEncoderInfo *e;

	e = mc_encoder_choose(NULL, in_list, board, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(e->name, ==, "v4l2");
	g_assert_true(e->hardware);
	e = mc_encoder_choose("auto", in_list, desktop, &error);
	g_assert_cmpstr(e->name, ==, "vaapi");
	e = mc_encoder_choose(NULL, in_list, soft, &error);
	g_assert_cmpstr(e->name, ==, "openh264");
	g_assert_false(e->hardware);
	/* by name or by element */
	e = mc_encoder_choose("x264", in_list, desktop, &error);
	g_assert_cmpstr(e->factory, ==, "x264enc");
	e = mc_encoder_choose("openh264enc", in_list, desktop, &error);
	g_assert_cmpstr(e->name, ==, "openh264");

	g_assert_null(mc_encoder_choose("nvenc", in_list, desktop, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "nvh264enc is not installed"));
	g_clear_error(&error);
	g_assert_null(mc_encoder_choose("h265", in_list, desktop, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, "x264"));
	g_clear_error(&error);
	g_assert_null(mc_encoder_choose(NULL, in_list, none, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error(&error);
}

static void test_levels(void)
{
	/* the reference's table (H.264 Annex A) */
	g_assert_cmpuint(mc_h264_min_level(640, 480, 60, 1), ==, 31);
	g_assert_cmpuint(mc_h264_min_level(1280, 720, 30, 1), ==, 31);
	g_assert_cmpuint(mc_h264_min_level(1280, 720, 60, 1), ==, 32);
	g_assert_cmpuint(mc_h264_min_level(1920, 1080, 30, 1), ==, 40);
	g_assert_cmpuint(mc_h264_min_level(1920, 1080, 60, 1), ==, 42);
	g_assert_cmpuint(mc_h264_min_level(1920, 1080, 30000, 1001), ==, 40);
	g_assert_cmpuint(mc_h264_min_level(1920, 1200, 30, 1), ==, 0);
	g_assert_cmpuint(mc_h264_min_level(640, 480, 60, 0), ==, 0);
	g_assert_cmpuint(mc_h264_max_bitrate_kbps(31, MC_H264_CBP), ==, 14000);
	g_assert_cmpuint(mc_h264_max_bitrate_kbps(41, MC_H264_CHP), ==, 62500);
	g_assert_cmpuint(mc_h264_max_bitrate_kbps(30, MC_H264_CBP), ==, 0);
	g_assert_cmpstr(mc_h264_level_name(40), ==, "4");
	g_assert_null(mc_h264_level_name(50));
}

static void test_validate(void)
{
	McVideoConfig c = { 1920, 1080, 30, 1, MC_H264_CBP, 40, 8000, 30 };
	GError *error = NULL;

	g_assert_true(mc_video_config_validate(&c, &error));
	c.level = 32;
	g_assert_false(mc_video_config_validate(&c, &error));
	g_assert_nonnull(strstr(error->message, "needs H.264 level 4"));
	g_clear_error(&error);
	c.level = 33;
	g_assert_false(mc_video_config_validate(&c, &error));
	g_clear_error(&error);
	c.level = 40;
	c.bitrate_kbps = 20001;
	g_assert_false(mc_video_config_validate(&c, &error));
	g_assert_nonnull(strstr(error->message, "allows 1 to 20000"));
	g_clear_error(&error);
	c.bitrate_kbps = 8000;
	c.gop = 0;
	g_assert_false(mc_video_config_validate(&c, &error));
	g_clear_error(&error);
}

/* What an encoded stream showed. */
typedef struct {
	guint aus, idrs, idrs_with_params;
	int profile_idc, constraints, level_idc;
	int first_idr_after_request;	/* access unit index, -1: none */
	int last_idr;
	guint max_gap;			/* most access units from one IDR to the next */
} Stream;

/* Scans one Annex B access unit. */
static void scan_au(Stream *s, const guint8 *d, gsize n, guint index, guint request_at)
{
	gboolean sps = FALSE, pps = FALSE, idr = FALSE;
	gsize i;

	for (i = 0; i + 3 < n; i++) {
		guint type;

		if (d[i] || d[i + 1] || d[i + 2] != 1)
			continue;
		type = d[i + 3] & 0x1f;
		if (type == 7 && i + 6 < n) {
			sps = TRUE;
			s->profile_idc = d[i + 4];
			s->constraints = d[i + 5];
			s->level_idc = d[i + 6];
		}
		pps |= type == 8;
		idr |= type == 5;
	}
	s->aus++;
	if (!idr)
		return;
	s->idrs++;
	if (s->last_idr >= 0)
		s->max_gap = MAX(s->max_gap, index - (guint)s->last_idr);
	s->last_idr = index;
	if (sps && pps)
		s->idrs_with_params++;
	if (index > request_at && s->first_idr_after_request < 0)
		s->first_idr_after_request = index;
}

#define FRAMES	70

/* Encodes FRAMES frames of a moving pattern; asks for an IDR after frame 15. */
static Stream encode(const char *name, const McVideoConfig *c)
{
	Stream s = { .first_idr_after_request = -1, .last_idr = -1 };
	g_autoptr(GError) error = NULL;
	const McEncoderInfo *info = mc_encoder_choose(name, NULL, NULL, &error);
	g_autoptr(GstCaps) out = NULL;
	GstElement *pipe, *enc, *filter, *sink;
	GstSample *sample;
	guint i = 0;

	g_assert_no_error(error);
	pipe = gst_pipeline_new(NULL);
	{
		GstElement *src = gst_element_factory_make("videotestsrc", NULL);
		GstElement *raw = gst_element_factory_make("capsfilter", NULL);
		GstElement *parse = gst_element_factory_make("h264parse", NULL);
		g_autoptr(GstCaps) rawcaps = gst_caps_from_string(
			"video/x-raw,format=I420,width=640,height=480,framerate=30/1");

		enc = mc_encoder_make(info, c, &error);
		g_assert_no_error(error);
		filter = gst_element_factory_make("capsfilter", NULL);
		sink = gst_element_factory_make("appsink", NULL);
		out = mc_encoder_output_caps(c);
		g_object_set(src, "num-buffers", FRAMES, "pattern", 18 /* ball */, NULL);
		g_object_set(raw, "caps", rawcaps, NULL);
		g_object_set(filter, "caps", out, NULL);
		g_object_set(parse, "config-interval", -1, NULL);
		g_object_set(sink, "sync", FALSE, NULL);
		gst_bin_add_many(GST_BIN(pipe), src, raw, enc, filter, parse, sink, NULL);
		g_assert_true(gst_element_link_many(src, raw, enc, filter, parse, sink, NULL));
	}
	g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
		GstBuffer *b = gst_sample_get_buffer(sample);
		GstMapInfo map;

		g_assert_true(gst_buffer_map(b, &map, GST_MAP_READ));
		scan_au(&s, map.data, map.size, i, 15);
		gst_buffer_unmap(b, &map);
		gst_sample_unref(sample);
		if (i++ == 15)
			gst_element_send_event(sink, gst_video_event_new_upstream_force_key_unit(
					       GST_CLOCK_TIME_NONE, TRUE, 1));
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
	return s;
}

static void check_stream(const Stream *s, const McVideoConfig *c)
{
	g_assert_cmpuint(s->aus, ==, FRAMES);
	if (c->profile == MC_H264_CHP) {
		/* (Constrained) High: profile_idc 100 */
		g_assert_cmpint(s->profile_idc, ==, 100);
	} else {
		/* Constrained Baseline: profile_idc 66, constraint_set0 and set1 */
		g_assert_cmpint(s->profile_idc, ==, 66);
		g_assert_cmpint(s->constraints & 0xc0, ==, 0xc0);
	}
	/* never a higher level than the one negotiated */
	g_assert_cmpint(s->level_idc, >, 0);
	g_assert_cmpint(s->level_idc, <=, (int)c->level);
	/* an IDR at least every GOP, each with its SPS and PPS */
	g_assert_cmpuint(s->idrs, >=, 3);
	g_assert_cmpuint(s->max_gap, <=, c->gop);
	g_assert_cmpuint(FRAMES - 1 - (guint)s->last_idr, <, c->gop);
	g_assert_cmpuint(s->idrs_with_params, ==, s->idrs);
	/* the one asked for comes at once, not at the next GOP */
	g_assert_cmpint(s->first_idr_after_request, >, 15);
	g_assert_cmpint(s->first_idr_after_request, <, 25);
}

static void test_encode(gconstpointer name)
{
	McVideoConfig c = { 640, 480, 30, 1, MC_H264_CBP, 31, 2000, 30 };
	Stream s = encode(name, &c);

	check_stream(&s, &c);
	/* the level asked for, where the encoder takes one */
	if (!strcmp(name, "x264"))
		g_assert_cmpint(s.level_idc, ==, 31);
}

/* Constrained High from an encoder that only names "high" (x264enc) */
static void test_encode_chp(void)
{
	McVideoConfig c = { 640, 480, 30, 1, MC_H264_CHP, 31, 2000, 30 };
	Stream s = encode("x264", &c);

	check_stream(&s, &c);
}

/* A stream fed noise at 30 fps, its RTP arriving at sock. */
typedef struct {
	McStream *stream;
	GSocket *sock;
	GstVideoInfo info;
	guint noise_rows;	/* every how many rows are noise; the rest grey */
	guint64 frames;
	gint64 start_us;
	guint32 seed;
} Feed;

static void noise(guint8 *p, gsize n, guint32 *seed)
{
	guint32 x = *seed;

	for (gsize i = 0; i + 4 <= n; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(p + i, &x, 4);
	}
	*seed = x;
}

/* What has arrived at sock, in bytes. */
static guint64 received(GSocket *sock)
{
	guint64 bytes = 0;
	char buf[2048];
	gssize n;

	while ((n = g_socket_receive_with_blocking(sock, buf, sizeof(buf), FALSE, NULL, NULL)) > 0)
		bytes += (guint64)n;
	return bytes;
}

/* Feeds a frame of noise every 1/30 s for ms; the bytes that arrived meanwhile. */
static guint64 feed(Feed *f, guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	guint64 bytes = 0;
	gint64 next;

	received(f->sock);	/* what came before counts before */
	while ((next = f->start_us + (gint64)f->frames * G_USEC_PER_SEC / 30) < end) {
		g_autoptr(GError) error = NULL;
		GstBuffer *b = gst_buffer_new_allocate(NULL, f->info.size, NULL);
		GstMapInfo map;
		gint64 now = g_get_monotonic_time();

		if (next > now)
			g_usleep((gulong)(next - now));
		g_assert_true(gst_buffer_map(b, &map, GST_MAP_WRITE));
		memset(map.data, 0x80, map.size);
		for (gsize row = 0; row < (gsize)f->info.height; row += f->noise_rows)
			noise(map.data + row * f->info.stride[0], f->info.stride[0], &f->seed);
		gst_buffer_unmap(b, &map);
		GST_BUFFER_PTS(b) = (GstClockTime)g_get_monotonic_time() * GST_USECOND;
		GST_BUFFER_OFFSET(b) = f->frames++;
		g_assert_true(mc_stream_push(f->stream, b, &f->info, &error));
		g_assert_no_error(error);
		bytes += received(f->sock);
	}
	return bytes + received(f->sock);
}

typedef struct {
	const char *encoder;
	guint noise_rows;
	guint min_high, max_low;	/* kbit/s at 8000 and at 1000 */
} BitrateCase;

/*
 * x264 on noise: what it is given, give or take what RTP and TS add and
 * the second of the bitrate a VBV that starts nearly full has to spend.
 * openh264 overshoots small targets on noise even at its highest QP: a
 * picture with noise on every 8th row, and only a fall asked of it.
 */
static const BitrateCase x264_case = { "x264", 1, 6000, 1500 };
static const BitrateCase openh264_case = { "openh264", 8, 4000, 2500 };

/* Noise at 8000 kbit/s, then lowered to 1000 while playing. */
static void test_stream_bitrate(gconstpointer data)
{
	const BitrateCase *bc = data;
	McStreamConfig config = {
		.host = "127.0.0.1",
		.encoder = bc->encoder,
		.video = { 320, 240, 30, 1, MC_H264_CBP, 31, 8000, 30 },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GInetSocketAddress) any = NULL;
	g_autoptr(GSocketAddress) local = NULL;
	Feed f = { .noise_rows = bc->noise_rows, .seed = 2463534242u };
	guint64 high, low;

	sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
			    &error);
	g_assert_no_error(error);
	any = G_INET_SOCKET_ADDRESS(g_inet_socket_address_new_from_string("127.0.0.1", 0));
	g_assert_true(g_socket_bind(sock, G_SOCKET_ADDRESS(any), FALSE, &error));
	g_socket_set_option(sock, SOL_SOCKET, SO_RCVBUF, 4 << 20, NULL);
	local = g_socket_get_local_address(sock, &error);
	g_assert_no_error(error);
	config.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));

	gst_video_info_set_format(&f.info, GST_VIDEO_FORMAT_BGRx, 320, 240);
	f.sock = sock;
	f.stream = mc_stream_new(&config, &error);
	g_assert_no_error(error);
	f.start_us = g_get_monotonic_time();

	feed(&f, 800);
	high = feed(&f, 1000) * 8 / 1000;	/* kbit/s */
	g_assert_true(mc_stream_set_bitrate(f.stream, 1000));
	feed(&f, 400);
	low = feed(&f, 1000) * 8 / 1000;
	g_test_message("%s: %" G_GUINT64_FORMAT " kbit/s at 8000, %" G_GUINT64_FORMAT
		       " kbit/s at 1000", bc->encoder, high, low);
	g_assert_cmpuint(high, >, bc->min_high);
	g_assert_cmpuint(high, <, 2 * 8000);
	g_assert_cmpuint(low, <, bc->max_low);
	/* back up, past the level's maximum: its maximum */
	g_assert_true(mc_stream_set_bitrate(f.stream, 100000));
	feed(&f, 100);
	mc_stream_free(f.stream);
}

int main(int argc, char **argv)
{
	int ret;

	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/encoder/choose", test_choose);
	g_test_add_func("/encoder/levels", test_levels);
	g_test_add_func("/encoder/validate", test_validate);
	g_test_add_data_func("/encoder/encode/x264", "x264", test_encode);
	g_test_add_data_func("/encoder/encode/openh264", "openh264", test_encode);
	g_test_add_func("/encoder/encode/x264-chp", test_encode_chp);
	g_test_add_data_func("/encoder/stream-bitrate/x264", &x264_case, test_stream_bitrate);
	g_test_add_data_func("/encoder/stream-bitrate/openh264", &openh264_case,
			     test_stream_bitrate);
	ret = g_test_run();
	gst_deinit();
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The media benchmark's baseline: a kernel client of /dev/miracast0 like
 * miracastd --stream-to, whose frames go the way GNOME Network Displays
 * (GND) streams a screen. Each FRAME's pixels are copied into a new
 * system-memory GstBuffer (as a screencast source hands over a copy of
 * the compositor's frame) and the kernel's message is completed at once;
 * the copy enters GND's Wi-Fi Display pipeline, whose settings this
 * reproduces from gnome-network-displays' src/wfd/wfd-media-factory.c
 * (wfd_media_factory_create_video_element(),
 * wfd_media_factory_create_element(), wfd_media_factory_create_pipeline(),
 * wfd_configure_media_element()) and src/nd-window.c
 * (sink_create_source_cb()), plus the RTP sink GStreamer's RTSP server
 * gives such a media (rtsp-stream.c):
 *
 *   source: the screencast (do-timestamp) -> intervideosink (sync off,
 *     max-lateness -1) ... intervideosrc (do-timestamp off, no timeout),
 *     which produces pictures at the caps' rate, repeating the last one
 *   -> videoscale (qos) -> video/x-raw at the mode's size, framerate
 *     REFRESH/1 -> videoconvert (qos) -> queue (1 buffer, not leaky)
 *   -> x264enc: preset "Profile Baseline", then qos, pass 4 (GND's comment
 *     says constant bitrate; 4 is x264enc's constant quantizer), tune
 *     zerolatency, speed-preset ultrafast, threads 1, sliced-threads off,
 *     rc-lookahead 0, sync-lookahead 0, vbv-buf-capacity 50, dct8x8 off,
 *     ref 1, cabac off, b-adapt off, bframes 0, key-int-max = the refresh
 *     rate (GND's GOP for sinks without IDR requests), interlaced off,
 *     insert-vui on, bitrate min(the codec's, 4096 kbit/s)
 *   -> identity whose handoff sends upstream, for each buffer, a QoS event
 *     of proportion lateness / 50 ms (GND's realtime measure of the
 *     encoder: upstream drops when buffers are more than 50 ms late)
 *   -> h264parse config-interval -1 -> video/x-h264 byte-stream,
 *     constrained-baseline or baseline -> queue (1000 buffers, 500 ms)
 *   -> mpegtsmux alignment 7, video on sink_4113 (PID 0x1011)
 *   -> queue (1 buffer, not leaky) -> rtpmp2tpay (ssrc 1, perfect-rtptime
 *     off, timestamp and sequence offsets 0) -> udpsink (the RTSP
 *     server's RTP sink: synchronised to the clock, 64 KiB send buffer)
 *   with the pipeline's latency fixed at 500 ms, as GND sets it.
 *
 * Not reproduced: the RTSP session and rtpbin's RTCP (the RTP packets are
 * the same), audio (the benchmark streams none).
 *
 *   gnd_baseline --stream-to HOST:PORT [--mode 1280x720@30] [--bitrate KBPS]
 *                [--device /dev/miracast0]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <drm_mode.h>

#include "mc-client.h"
#include "mc-encoder.h"
#include "mc-frame.h"

#define GND_MAX_KBPS	4096	/* GND caps the video at 512 kB/s */
#define GND_LATENCY	(500 * GST_MSECOND)
#define GND_LATE	(50 * GST_MSECOND)
#define GND_CHANNEL	"gnd-baseline"

typedef struct {
	GMainLoop *loop;
	McClient *client;
	struct miracast_mode mode;	/* the sink's one mode, at fps */
	guint fps;
	char *host;
	guint port;
	guint bitrate_kbps;
	GstElement *pipeline;
	GstElement *src;
	GstVideoInfo in_info;
	gboolean have_caps;
	GstSegment *segment;	/* the encoder's output segment, for QoS */
	GMutex lock;
	guint64 frames;
	int status;
} Baseline;

/* CEA-861 timings of the modes the benchmark uses. */
static const struct {
	const char *name;
	guint fps;
	struct miracast_mode mode;
} modes[] = {
	{ "1280x720@30", 30, { 74250, 1280, 3040, 3080, 3300, 720, 725, 730, 750, 0x5, 0 } },
	{ "1920x1080@30", 30, { 74250, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0x5, 0 } },
};

static GstElement *add(Baseline *b, const char *factory, GError **error)
{
	GstElement *e = mc_gst_make(factory, error);

	if (e)
		gst_bin_add(GST_BIN(b->pipeline), e);
	return e;
}

/* GND's realtime measure: buffers more than 50 ms late make upstream drop. */
static void on_handoff(GstElement *identity, GstBuffer *buf, gpointer data)
{
	Baseline *b = data;
	GstClock *clock = gst_element_get_clock(identity);
	GstClockTimeDiff late;
	GstClockTime now, rt;

	if (!clock || !GST_BUFFER_PTS_IS_VALID(buf)) {
		if (clock)
			gst_object_unref(clock);
		return;
	}
	now = gst_clock_get_time(clock) - gst_element_get_base_time(identity);
	gst_object_unref(clock);
	g_mutex_lock(&b->lock);
	rt = b->segment ? gst_segment_to_running_time(b->segment, GST_FORMAT_TIME,
						      GST_BUFFER_PTS(buf)) : GST_BUFFER_PTS(buf);
	g_mutex_unlock(&b->lock);
	if (!GST_CLOCK_TIME_IS_VALID(rt) || rt <= 100 * GST_MSECOND)
		return;		/* the first frames are not judged */
	late = MAX(GST_CLOCK_DIFF(rt, now), 0);
	if (late - GND_LATE < 0 && (GstClockTime)(GND_LATE - late) > rt)
		return;		/* the event's timestamp would be negative */
	gst_element_send_event(identity,
			       gst_event_new_qos(GST_QOS_TYPE_UNDERFLOW,
						 (gdouble)late / GND_LATE, late - GND_LATE, rt));
}

static GstPadProbeReturn on_segment(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				    gpointer data)
{
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	Baseline *b = data;
	const GstSegment *segment;

	if (GST_EVENT_TYPE(ev) != GST_EVENT_SEGMENT)
		return GST_PAD_PROBE_OK;
	gst_event_parse_segment(ev, &segment);
	g_mutex_lock(&b->lock);
	g_clear_pointer(&b->segment, gst_segment_free);
	b->segment = gst_segment_copy(segment);
	g_mutex_unlock(&b->lock);
	return GST_PAD_PROBE_OK;
}

static void configure_x264(GstElement *enc, guint gop, guint kbps)
{
	if (!gst_preset_load_preset(GST_PRESET(enc), "Profile Baseline"))
		g_warning("x264enc has no preset \"Profile Baseline\"");
	g_object_set(enc, "qos", TRUE, "threads", 1, "sliced-threads", FALSE,
		     "rc-lookahead", 0, "sync-lookahead", 0, "vbv-buf-capacity", 50,
		     "dct8x8", FALSE, "ref", 1, "cabac", FALSE, "b-adapt", FALSE,
		     "bframes", 0, "key-int-max", gop, "interlaced", FALSE,
		     "bitrate", kbps, "insert-vui", TRUE,
		     /* GND's numbers: quant (not cbr), zerolatency, ultrafast */
		     "pass", 4, "tune", 0x4, "speed-preset", 1, NULL);
}

static gboolean build(Baseline *b, guint width, guint height, guint fps, GError **error)
{
	GstElement *isink, *isrc, *scale, *size, *convert, *q1, *enc, *perf, *parse, *codec;
	GstElement *q2, *mux, *q3, *pay, *sink;
	g_autoptr(GstCaps) size_caps = NULL;
	g_autoptr(GstCaps) codec_caps = NULL;
	g_autoptr(GstPad) perf_sink = NULL;

	b->pipeline = gst_pipeline_new("gnd-baseline");
	gst_pipeline_set_latency(GST_PIPELINE(b->pipeline), GND_LATENCY);
	if (!(b->src = add(b, "appsrc", error)) || !(isink = add(b, "intervideosink", error)) ||
	    !(isrc = add(b, "intervideosrc", error)) || !(scale = add(b, "videoscale", error)) ||
	    !(size = add(b, "capsfilter", error)) || !(convert = add(b, "videoconvert", error)) ||
	    !(q1 = add(b, "queue", error)) || !(enc = add(b, "x264enc", error)) ||
	    !(perf = add(b, "identity", error)) || !(parse = add(b, "h264parse", error)) ||
	    !(codec = add(b, "capsfilter", error)) || !(q2 = add(b, "queue", error)) ||
	    !(mux = add(b, "mpegtsmux", error)) || !(q3 = add(b, "queue", error)) ||
	    !(pay = add(b, "rtpmp2tpay", error)) || !(sink = add(b, "udpsink", error)))
		return FALSE;

	/* the screencast: live, stamped with the clock when a frame comes */
	g_object_set(b->src, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", TRUE,
		     NULL);
	g_object_set(isink, "channel", GND_CHANNEL, "max-lateness", (gint64)-1, "sync", FALSE,
		     NULL);
	g_object_set(isrc, "channel", GND_CHANNEL, "do-timestamp", FALSE,
		     "timeout", G_MAXUINT64, NULL);

	g_object_set(scale, "qos", TRUE, NULL);
	size_caps = gst_caps_new_simple("video/x-raw", "framerate", GST_TYPE_FRACTION, fps, 1,
					"width", G_TYPE_INT, width, "height", G_TYPE_INT, height,
					NULL);
	g_object_set(size, "caps", size_caps, NULL);
	g_object_set(convert, "qos", TRUE, NULL);
	g_object_set(q1, "max-size-buffers", 1, "leaky", 0, NULL);
	configure_x264(enc, fps, MIN(b->bitrate_kbps, GND_MAX_KBPS));

	g_signal_connect(perf, "handoff", G_CALLBACK(on_handoff), b);
	perf_sink = gst_element_get_static_pad(perf, "sink");
	gst_pad_add_probe(perf_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_segment, b, NULL);

	g_object_set(parse, "config-interval", -1, NULL);
	codec_caps = gst_caps_from_string("video/x-h264,stream-format=byte-stream,"
					  "profile=constrained-baseline");
	gst_caps_append(codec_caps, gst_caps_from_string("video/x-h264,"
							 "stream-format=byte-stream,"
							 "profile=baseline"));
	g_object_set(codec, "caps", codec_caps, NULL);
	g_object_set(q2, "max-size-buffers", 1000, "max-size-time", 500 * GST_MSECOND, NULL);
	g_object_set(mux, "alignment", 7, NULL);
	g_object_set(q3, "max-size-buffers", 1, "leaky", 0, NULL);
	g_object_set(pay, "ssrc", 1, "perfect-rtptime", FALSE, "timestamp-offset", 0,
		     "seqnum-offset", 0, NULL);
	g_object_set(sink, "host", b->host, "port", (gint)b->port, "buffer-size", 65536, NULL);

	if (!gst_element_link(b->src, isink) ||
	    !gst_element_link_many(isrc, scale, size, convert, q1, enc, perf, parse, codec, q2,
				   NULL) ||
	    !gst_element_link_pads(q2, "src", mux, "sink_4113") ||
	    !gst_element_link_many(mux, q3, pay, sink, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the pipeline");
		return FALSE;
	}
	if (gst_element_set_state(b->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the pipeline does not start");
		return FALSE;
	}
	return TRUE;
}

static void stop_pipeline(Baseline *b)
{
	if (!b->pipeline)
		return;
	gst_element_set_state(b->pipeline, GST_STATE_NULL);
	gst_clear_object(&b->pipeline);
	b->src = NULL;
	b->have_caps = FALSE;
	g_mutex_lock(&b->lock);
	g_clear_pointer(&b->segment, gst_segment_free);
	g_mutex_unlock(&b->lock);
}

static void on_mode(Baseline *b, const struct miracast_event_mode *ev)
{
	g_autoptr(GError) error = NULL;

	stop_pipeline(b);
	if (!build(b, ev->mode.hdisplay, ev->mode.vdisplay, b->fps, &error)) {
		g_warning("cannot stream: %s", error->message);
		stop_pipeline(b);
		b->status = 1;
		g_main_loop_quit(b->loop);
		return;
	}
	g_message("streaming %ux%u@%u to %s:%u, GND's pipeline", ev->mode.hdisplay,
		  ev->mode.vdisplay, b->fps, b->host, b->port);
}

/* The screencast: a copy of the frame, and the kernel's message completed. */
static gboolean copy_frame(Baseline *b, const McMessage *m, GstBuffer **out, GError **error)
{
	const struct miracast_event_frame *f = mc_message_frame(m, NULL);
	const struct miracast_frame_plane *p;
	g_autoptr(McBuffer) buffer = NULL;
	GstVideoFormat format;
	GstVideoInfo info;
	GstMapInfo map;
	GstBuffer *gb;
	gsize cpp, row_bytes, offset;
	guint y;

	if (!f || !f->primary.buffer_id) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a frame without a plane");
		return FALSE;
	}
	p = &f->primary;
	format = mc_frame_video_format(p->format);
	if (format == GST_VIDEO_FORMAT_UNKNOWN) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown format");
		return FALSE;
	}
	gst_video_info_set_format(&info, format, p->src_w, p->src_h);
	cpp = GST_VIDEO_INFO_COMP_PSTRIDE(&info, 0);
	row_bytes = p->src_w * cpp;
	offset = p->offset + (gsize)p->src_y * p->pitch + p->src_x * cpp;
	buffer = mc_client_get_buffer(b->client, p->buffer_id, error);
	if (!buffer)
		return FALSE;
	if (!p->src_h || offset + (gsize)(p->src_h - 1) * p->pitch + row_bytes > buffer->size) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a plane past its buffer");
		return FALSE;
	}
	if (!mc_buffer_begin_read(buffer, error))
		return FALSE;
	gb = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
	gst_buffer_map(gb, &map, GST_MAP_WRITE);
	for (y = 0; y < p->src_h; y++)
		memcpy(map.data + y * GST_VIDEO_INFO_PLANE_STRIDE(&info, 0),
		       buffer->data + offset + (gsize)y * p->pitch, row_bytes);
	gst_buffer_unmap(gb, &map);
	mc_buffer_end_read(buffer, NULL);
	if (!b->have_caps || !gst_video_info_is_equal(&info, &b->in_info)) {
		g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);

		/* a screencast's variable rate */
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
		g_object_set(b->src, "caps", caps, NULL);
		b->in_info = info;
		b->have_caps = TRUE;
	}
	*out = gb;
	return TRUE;
}

static void on_frame(Baseline *b, const McMessage *m)
{
	g_autoptr(GError) error = NULL;
	GstBuffer *gb = NULL;
	gboolean ok = TRUE;

	if (b->pipeline)
		ok = copy_frame(b, m, &gb, &error);
	if (!mc_client_complete(b->client, m->id, ok ? MIRACAST_STATUS_SUCCESS :
				MIRACAST_STATUS_INVALID_PARAMETER, NULL, 0, NULL))
		g_debug("frame message %" G_GUINT64_FORMAT " was cancelled", m->id);
	if (!ok) {
		g_warning("%s", error->message);
		return;
	}
	if (gb && gst_app_src_push_buffer(GST_APP_SRC(b->src), gb) == GST_FLOW_OK)
		b->frames++;
}

/* One batch of the kernel's messages a wake-up (the source fires again while more wait). */
static gboolean on_kernel(int fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer data)
{
	Baseline *b = data;
	g_autoptr(GError) error = NULL;
	const McMessage *m;
	gssize n = mc_client_read(b->client, &m, &error), i;

	for (i = 0; i < n; i++) {
		guint32 type = mc_message_event_type(&m[i]);

		if (type == MIRACAST_EVENT_FRAME) {
			on_frame(b, &m[i]);	/* completed there, as soon as copied */
			continue;
		}
		if (type == MIRACAST_EVENT_MODE && mc_message_mode(&m[i]))
			on_mode(b, mc_message_mode(&m[i]));
		else if (type == MIRACAST_EVENT_DISABLE)
			stop_pipeline(b);
		else if (type == MIRACAST_EVENT_BUFFER_GONE)
			mc_client_buffer_gone(b->client, mc_message_buffer_gone(&m[i]));
		mc_client_queue_completion(b->client, m[i].id, MIRACAST_STATUS_SUCCESS);
	}
	if (n >= 0 && mc_client_flush_completions(b->client, NULL, &error) >= 0)
		return G_SOURCE_CONTINUE;
	g_warning("%s", error->message);
	b->status = 1;
	g_main_loop_quit(b->loop);
	return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data)
{
	Baseline *b = data;

	g_main_loop_quit(b->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean start(Baseline *b, const char *dev_node, GError **error)
{
	struct miracast_start_session s = {
		.current_bitrate = (guint64)b->bitrate_kbps * 1000,
		.local_max_bitrate = (guint64)b->bitrate_kbps * 1000,
		.remote_max_bitrate = (guint64)b->bitrate_kbps * 1000,
	};

	b->client = mc_client_open(dev_node, error);
	if (!b->client || !mc_client_create_context(b->client, NULL, NULL, error) ||
	    !mc_client_start_session(b->client, &s, error) ||
	    !mc_client_monitor_arrival(b->client, DRM_MODE_CONNECTOR_HDMIA, NULL, 0, &b->mode, 1,
				       0, 0, error))
		return FALSE;
	g_unix_fd_add(mc_client_get_fd(b->client), G_IO_IN, on_kernel, b);
	return TRUE;
}

static void stop(Baseline *b)
{
	stop_pipeline(b);
	if (!b->client)
		return;
	mc_client_monitor_departure(b->client, NULL);
	mc_client_stop_session(b->client, NULL);
	mc_client_destroy_context(b->client, NULL);
	g_clear_pointer(&b->client, mc_client_unref);
}

int main(int argc, char **argv)
{
	g_autofree char *stream_to = NULL, *mode = NULL, *device = NULL;
	gint bitrate = GND_MAX_KBPS;
	GOptionEntry entries[] = {
		{ "stream-to", 0, 0, G_OPTION_ARG_STRING, &stream_to, "The receiver", "HOST:PORT" },
		{ "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "1280x720@30 or 1920x1080@30",
		  "MODE" },
		{ "bitrate", 'b', 0, G_OPTION_ARG_INT, &bitrate, "kbit/s (GND: at most 4096)",
		  "KBPS" },
		{ "device", 'd', 0, G_OPTION_ARG_FILENAME, &device, "The device", "NODE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- GND's pipeline, for benchmarks");
	g_autoptr(GError) error = NULL;
	Baseline b = { 0 };
	const char *colon;
	guint i;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "gnd_baseline: %s\n", error->message);
		return 2;
	}
	colon = stream_to ? strrchr(stream_to, ':') : NULL;
	if (!colon || colon == stream_to || bitrate < 100) {
		fprintf(stderr, "gnd_baseline: give --stream-to HOST:PORT\n");
		return 2;
	}
	b.host = g_strndup(stream_to, colon - stream_to);
	b.port = (guint)atoi(colon + 1);
	b.bitrate_kbps = (guint)bitrate;
	for (i = 0; i < G_N_ELEMENTS(modes) && mode && strcmp(mode, modes[i].name); i++)
		;
	if (i == G_N_ELEMENTS(modes)) {
		fprintf(stderr, "gnd_baseline: --mode 1280x720@30 or 1920x1080@30\n");
		return 2;
	}
	b.mode = modes[i].mode;
	b.fps = modes[i].fps;
	b.mode.type = DRM_MODE_TYPE_PREFERRED;
	g_mutex_init(&b.lock);
	b.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &b);
	g_unix_signal_add(SIGINT, on_signal, &b);
	if (!start(&b, device ? device : "/dev/miracast0", &error)) {
		fprintf(stderr, "gnd_baseline: %s\n", error->message);
		stop(&b);
		return 1;
	}
	g_main_loop_run(b.loop);
	g_message("%" G_GUINT64_FORMAT " frames copied and pushed", b.frames);
	stop(&b);
	g_main_loop_unref(b.loop);
	g_mutex_clear(&b.lock);
	g_free(b.host);
	return b.status;
}

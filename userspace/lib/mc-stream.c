// SPDX-License-Identifier: GPL-2.0-only
/*
 * The encoding and streaming pipeline of one display.
 */
#include <string.h>

#include <gio/gio.h>
#include <gst/app/gstappsrc.h>

#include "mc-lpcm.h"
#include "mc-stream.h"
#include "mc-ts.h"

/* How long a static screen goes without a picture: 1 s. */
#define REPEAT_US	G_USEC_PER_SEC

/* A frame on its way through the pipeline. */
typedef struct {
	GstClockTime pts;	/* pushed; then the encoder's output */
	guint64 frame;
	gint64 flip_us;		/* its vblank (CLOCK_MONOTONIC) */
	gint64 pushed_us;
	gboolean started;	/* its first packet is out */
} InFlight;

/* How far on a new stream's RTP numbers start from the last seen (see mc_stream_end()) */
#define RTP_SEQ_GAP	256

struct _McStream {
	McClient *client;
	McStats *stats;
	GMutex lock;		/* the queues: streaming threads take them */
	GCond drained;		/* a queue emptied (under lock) */
	GQueue pushed;		/* InFlight pushed, still in the appsrc */
	GQueue encoding;	/* InFlight on their way to and through the encoder */
	GQueue sending;		/* InFlight encoded, not all sent yet */
	/* what the muxer adds to the encoder's PTS: learnt from its first packet */
	GstClockTimeDiff sent_shift;
	gboolean sent_known;
	GstElement *pipeline;
	GstElement *pay;	/* the RTP payloader */
	gint rtp_packets;	/* 1 once a packet reached the udpsink (atomic) */
	gint rtp_seqnum;	/* the last one's sequence number (atomic) */
	GstElement *src;
	GstElement *encoder;
	const McEncoderInfo *encoder_info;
	GstClockTime last_in;	/* the PTS of the encoder's last input */
	McVideoConfig video;	/* as configured (the bitrate may have changed since) */
	gint bitrate_kbps;	/* the bitrate now (atomic: pace reads it) */
	gboolean audio;		/* there is sound */
	GstVideoInfo in_info;	/* the frames' format, size and pitch */
	gboolean have_caps;
	GstClockTime base;	/* the pipeline's base time (monotonic) */
	guint64 frames;

	/*
	 * A static screen sends no frames, but sinks want a picture now and
	 * then: the last one, converted (so no kernel frame is held), is sent
	 * again by a second appsrc into a funnel before the encoder.
	 */
	GstElement *raw;	/* the converted pictures' capsfilter */
	GstElement *repeat_src;
	GstBuffer *last;	/* the last converted picture, under lock */
	gint64 last_us;		/* when a frame last came (main thread) */
	guint repeat_id;	/* the timer */
};

static GstElement *add(McStream *s, const char *factory, GError **error)
{
	GstElement *e = mc_gst_make(factory, error);

	if (e)
		gst_bin_add(GST_BIN(s->pipeline), e);
	return e;
}

static void report(McStream *s, guint32 type, const InFlight *f, guint32 us, guint32 kbps)
{
	g_autoptr(GError) error = NULL;

	/* a session that ended has nobody to tell: not an error */
	if (s->client && !mc_client_report_chunk(s->client, type, f->frame, 0, us, kbps, &error))
		g_debug("chunk record of frame %" G_GUINT64_FORMAT ": %s", f->frame,
			error->message);
}

/*
 * A frame leaves the appsrc: those pushed before it that did not were
 * dropped (the pipeline is behind; their release completed them).
 */
static GstPadProbeReturn on_queued(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				   gpointer data)
{
	McStream *s = data;
	guint64 frame = GST_BUFFER_OFFSET(GST_PAD_PROBE_INFO_BUFFER(info));
	guint dropped = 0;
	InFlight *f;

	g_mutex_lock(&s->lock);
	while ((f = g_queue_pop_head(&s->pushed))) {
		if (f->frame == frame) {
			g_queue_push_tail(&s->encoding, f);
			break;
		}
		g_free(f);
		dropped++;
	}
	g_mutex_unlock(&s->lock);
	if (dropped)
		mc_stats_dropped(s->stats, dropped);
	return GST_PAD_PROBE_OK;
}

/* A picture into the encoder: how long it stands for (McEncoderInfo.pace). */
static GstPadProbeReturn on_encoding(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				     gpointer data)
{
	McStream *s = data;
	GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
	GstClockTime interval = gst_util_uint64_scale(GST_SECOND, s->video.fps_d,
						      s->video.fps_n);
	McVideoConfig video = s->video;

	if (GST_CLOCK_TIME_IS_VALID(pts) && GST_CLOCK_TIME_IS_VALID(s->last_in) &&
	    pts > s->last_in)
		interval = pts - s->last_in;
	s->last_in = pts;
	video.bitrate_kbps = (guint)g_atomic_int_get(&s->bitrate_kbps);
	s->encoder_info->pace(s->encoder, &video, interval);
	return GST_PAD_PROBE_OK;
}

/*
 * The encoder's output: ENCODE_COMPLETE for the oldest frame in it. The
 * encoders are set up not to reorder (no B-frames) nor to skip frames, so
 * frames come out in the order they went in; their PTS do not tell (x264
 * rounds them to its time base, GstVideoEncoder shifts them by hours). A
 * repeated picture has no frame, but its bits count.
 */
static GstPadProbeReturn on_encoded(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				    gpointer data)
{
	McStream *s = data;
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	gsize size = gst_buffer_get_size(b);
	gint64 now = g_get_monotonic_time(), took = 0;
	InFlight *f;

	g_mutex_lock(&s->lock);
	f = g_queue_pop_head(&s->encoding);
	if (f) {
		took = now - f->pushed_us;
		report(s, MIRACAST_CHUNK_ENCODE_COMPLETE, f, (guint32)MIN(took, G_MAXUINT32),
		       (guint32)(size * 8 * s->video.fps_n / (1000 * (guint64)s->video.fps_d)));
		f->pts = GST_BUFFER_PTS(b);	/* as the muxer will see it */
		g_queue_push_tail(&s->sending, f);
	}
	if (!s->pushed.length && !s->encoding.length)
		g_cond_broadcast(&s->drained);
	g_mutex_unlock(&s->lock);
	mc_stats_encoded(s->stats, now, size, took);
	return GST_PAD_PROBE_OK;
}

/*
 * Packets at the network: the first at or after a frame's time starts it
 * (the latency: from its flip to now); one of a later frame means all of
 * this one's are out (SENT). The muxer shifts the encoder's times by a
 * constant, learnt from the first packet.
 */
/* Each RTP packet's sequence number, for the next stream to go on from. */
static GstPadProbeReturn on_rtp(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info, gpointer data)
{
	McStream *s = data;
	GstBuffer *b = NULL;
	guint8 h[4];

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
		GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);

		if (gst_buffer_list_length(list))
			b = gst_buffer_list_get(list, gst_buffer_list_length(list) - 1);
	} else {
		b = GST_PAD_PROBE_INFO_BUFFER(info);
	}
	if (b && gst_buffer_extract(b, 0, h, sizeof(h)) == sizeof(h)) {
		g_atomic_int_set(&s->rtp_seqnum, h[2] << 8 | h[3]);
		g_atomic_int_set(&s->rtp_packets, 1);
	}
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_sending(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				    gpointer data)
{
	McStream *s = data;
	GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
	gint64 now = g_get_monotonic_time();
	InFlight *f;
	GList *l;

	if (!GST_CLOCK_TIME_IS_VALID(pts))
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&s->lock);
	f = g_queue_peek_head(&s->sending);
	if (f && !s->sent_known) {
		s->sent_shift = GST_CLOCK_DIFF(f->pts, pts);
		s->sent_known = TRUE;
	}
	pts -= s->sent_shift;
	for (l = s->sending.head; l && ((InFlight *)l->data)->pts <= pts; l = l->next) {
		f = l->data;
		if (!f->started) {
			f->started = TRUE;
			mc_stats_sent(s->stats, now, now - f->flip_us);
		}
	}
	while ((f = g_queue_peek_head(&s->sending)) && f->pts < pts) {
		g_queue_pop_head(&s->sending);
		report(s, MIRACAST_CHUNK_SENT, f, 0, 0);
		g_free(f);
	}
	if (!s->sending.length)
		g_cond_broadcast(&s->drained);
	g_mutex_unlock(&s->lock);
	return GST_PAD_PROBE_OK;
}

/* Keeps the last converted picture for repeating. */
static GstPadProbeReturn on_converted(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				      gpointer data)
{
	McStream *s = data;
	GstBuffer *b = gst_buffer_ref(GST_PAD_PROBE_INFO_BUFFER(info));

	g_mutex_lock(&s->lock);
	gst_clear_buffer(&s->last);
	s->last = b;
	g_mutex_unlock(&s->lock);
	return GST_PAD_PROBE_OK;
}

/* The timer: after REPEAT_US without a frame, the last picture again. */
static gboolean on_repeat(gpointer data)
{
	McStream *s = data;
	GstClock *clock;
	GstBuffer *b = NULL;

	if (g_get_monotonic_time() - s->last_us < REPEAT_US)
		return G_SOURCE_CONTINUE;
	g_mutex_lock(&s->lock);
	if (s->last)
		b = gst_buffer_copy(s->last);	/* the metadata; the memory is shared */
	g_mutex_unlock(&s->lock);
	clock = gst_element_get_clock(s->pipeline);
	if (!b || !clock) {
		gst_clear_buffer(&b);
		if (clock)
			gst_object_unref(clock);
		return G_SOURCE_CONTINUE;
	}
	GST_BUFFER_PTS(b) = gst_clock_get_time(clock) - gst_element_get_base_time(s->pipeline);
	GST_BUFFER_DTS(b) = GST_CLOCK_TIME_NONE;
	GST_BUFFER_DURATION(b) = GST_CLOCK_TIME_NONE;
	gst_object_unref(clock);
	/* the very caps of the pictures repeated: the encoder must not renegotiate */
	{
		g_autoptr(GstPad) pad = gst_element_get_static_pad(s->raw, "src");
		g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);

		if (caps)
			g_object_set(s->repeat_src, "caps", caps, NULL);
	}
	if (gst_app_src_push_buffer(GST_APP_SRC(s->repeat_src), b) == GST_FLOW_OK)
		mc_stats_repeated(s->stats);
	s->last_us = g_get_monotonic_time();
	return G_SOURCE_CONTINUE;
}

static void add_probe_type(GstElement *e, const char *pad_name, GstPadProbeType type,
			   GstPadProbeCallback cb, gpointer data)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(e, pad_name);

	gst_pad_add_probe(pad, type, cb, data, NULL);
}

static void add_probe(GstElement *e, const char *pad_name, GstPadProbeCallback cb, McStream *s)
{
	add_probe_type(e, pad_name, GST_PAD_PROBE_TYPE_BUFFER, cb, s);
}

/* The sound source element for name (see McStreamConfig.audio_source). */
static GstElement *audio_source(const char *name, GError **error)
{
	static const char * const any[] = { "pipewiresrc", "pulsesrc", "alsasrc" };
	GstElement *e = NULL;
	guint i;

	if (!name || !strcmp(name, "auto")) {
		for (i = 0; i < G_N_ELEMENTS(any) && !e; i++)
			e = gst_element_factory_make(any[i], NULL);
	} else if (strcmp(name, "test")) {
		g_autofree char *factory = g_strconcat(name, "src", NULL);

		e = gst_element_factory_make(factory, NULL);
		if (!e) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "audio source %s: GStreamer element %s is not installed",
				    name, factory);
			return NULL;
		}
	}
	if (e)
		return e;
	e = mc_gst_make("audiotestsrc", error);
	if (e) {
		g_object_set(e, "is-live", TRUE, NULL);
		gst_util_set_object_arg(G_OBJECT(e), "wave", "silence");
	}
	return e;
}

/* The first AAC encoder installed, then aacparse (ADTS): *first to *last. */
static gboolean aac_branch(McStream *s, guint bitrate, GstElement **first, GstElement **last,
			   GError **error)
{
	static const char * const encoders[] = { "fdkaacenc", "avenc_aac", "voaacenc", "faac" };
	GstElement *e = NULL;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(encoders) && !e; i++)
		e = gst_element_factory_make(encoders[i], NULL);
	if (!e) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no AAC encoder: none of fdkaacenc, avenc_aac, voaacenc, faac");
		return FALSE;
	}
	gst_bin_add(GST_BIN(s->pipeline), e);
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), "bitrate"))
		g_object_set(e, "bitrate", bitrate ? (gint)bitrate : 128000, NULL);
	*first = e;
	*last = add(s, "aacparse", error);
	return *last && gst_element_link(*first, *last);
}

/*
 * The LPCM of Wi-Fi Display: S16BE 48 kHz stereo in 10 ms packets (as
 * sinks are known to take them) as audio/x-lpcm, each packet opened by its
 * header, and the muxer's output rewritten to the LPCM layout (mc-lpcm.h).
 */
static gboolean lpcm_branch(McStream *s, GstElement *mux, GstElement **first,
			    GstElement **last, GError **error)
{
	g_autoptr(GstCaps) caps = gst_caps_from_string(MC_LPCM_CAPS);

	if (!(*first = add(s, "audiobuffersplit", error)) ||
	    !(*last = add(s, "capssetter", error)))
		return FALSE;
	g_object_set(*first, "output-buffer-duration", 1, 100, NULL);
	g_object_set(*last, "caps", caps, "join", FALSE, "replace", TRUE, NULL);
	add_probe_type(*last, "src", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
		       mc_lpcm_payload_probe, NULL);
	add_probe_type(mux, "src", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
		       mc_lpcm_ts_probe, NULL);
	return gst_element_link(*first, *last);
}

/* sound -> audioconvert -> audioresample -> 48 kHz stereo -> AAC or LPCM -> the muxer */
static gboolean build_audio(McStream *s, const McStreamConfig *c, GstElement *mux,
			    GError **error)
{
	GstElement *src, *convert, *resample, *raw, *first, *last;
	gboolean lpcm = c->audio == MC_AUDIO_LPCM;
	g_autoptr(GstCaps) caps = gst_caps_from_string(
		lpcm ? "audio/x-raw,format=S16BE,layout=interleaved,rate=48000,channels=2" :
		"audio/x-raw,rate=48000,channels=2");

	src = audio_source(c->audio_source, error);
	if (!src)
		return FALSE;
	gst_bin_add(GST_BIN(s->pipeline), src);
	if (!(convert = add(s, "audioconvert", error)) ||
	    !(resample = add(s, "audioresample", error)) ||
	    !(raw = add(s, "capsfilter", error)) ||
	    !(lpcm ? lpcm_branch(s, mux, &first, &last, error) :
	      aac_branch(s, c->audio_bitrate, &first, &last, error)))
		return FALSE;
	g_object_set(raw, "caps", caps, NULL);
	s->audio = TRUE;
	if (!gst_element_link_many(src, convert, resample, raw, first, NULL) ||
	    !gst_element_link_pads(last, NULL, mux, MC_TS_AUDIO_PAD)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the audio");
		return FALSE;
	}
	return TRUE;
}

static gboolean build(McStream *s, const McStreamConfig *c, GError **error)
{
	GstElement *convert, *scale, *raw, *funnel, *h264, *parse, *mux, *pay, *sink;
	g_autoptr(GstCaps) raw_caps = NULL;
	g_autoptr(GstCaps) h264_caps = NULL;

	s->encoder_info = mc_encoder_choose(c->encoder, NULL, NULL, error);
	if (!s->encoder_info)
		return FALSE;
	s->encoder = mc_encoder_make(s->encoder_info, &c->video, error);
	if (!s->encoder)
		return FALSE;
	gst_bin_add(GST_BIN(s->pipeline), s->encoder);
	if (!(s->src = add(s, "appsrc", error)) || !(convert = add(s, "videoconvert", error)) ||
	    !(scale = add(s, "videoscale", error)) || !(raw = add(s, "capsfilter", error)) ||
	    !(s->repeat_src = add(s, "appsrc", error)) || !(funnel = add(s, "funnel", error)) ||
	    !(h264 = add(s, "capsfilter", error)) || !(parse = add(s, "h264parse", error)))
		return FALSE;
	mux = mc_ts_mux_new(error);
	if (!mux)
		return FALSE;
	gst_bin_add(GST_BIN(s->pipeline), mux);
	pay = mc_rtp_pay_new(error);
	if (!pay)
		return FALSE;
	gst_bin_add(GST_BIN(s->pipeline), pay);
	s->pay = pay;
	if (c->rtp_from && c->rtp_from->valid) {
		/* on from the last stream: its numbers, its running time, its RTP time */
		g_object_set(pay, "seqnum-offset", (gint)c->rtp_from->seqnum,
			     "timestamp-offset", c->rtp_from->timestamp_offset, NULL);
		gst_element_set_start_time(s->pipeline, GST_CLOCK_TIME_NONE);
		gst_element_set_base_time(s->pipeline, c->rtp_from->base_time);
	}
	if (!(sink = add(s, "udpsink", error)))
		return FALSE;

	g_object_set(s->src, "is-live", TRUE, "format", GST_FORMAT_TIME, "block", FALSE,
		     "max-buffers", (guint64)4, NULL);
	/* a pipeline behind drops the oldest frames (completing them), not the newest */
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(s->src), "leaky-type"))
		gst_util_set_object_arg(G_OBJECT(s->src), "leaky-type", "downstream");
	/* letterboxing keeps the picture's aspect when the sizes differ */
	g_object_set(scale, "add-borders", TRUE, NULL);
	raw_caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420",
				       "width", G_TYPE_INT, (int)c->video.width,
				       "height", G_TYPE_INT, (int)c->video.height,
				       "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
	g_object_set(raw, "caps", raw_caps, NULL);
	g_object_set(s->repeat_src, "is-live", TRUE, "format", GST_FORMAT_TIME, "block", FALSE,
		     "max-buffers", (guint64)1, NULL);
	add_probe(raw, "src", on_converted, s);
	s->raw = raw;
	h264_caps = mc_encoder_output_caps(&c->video);
	g_object_set(h264, "caps", h264_caps, NULL);
	g_object_set(parse, "config-interval", -1, NULL);
	g_object_set(sink, "host", c->host, "port", (gint)c->port, "sync", FALSE,
		     "async", FALSE, NULL);
	if (c->socket)
		g_object_set(sink, "socket", c->socket, "close-socket", FALSE, NULL);
	add_probe(s->src, "src", on_queued, s);
	add_probe(s->encoder, "src", on_encoded, s);
	if (s->encoder_info->pace)
		add_probe(s->encoder, "sink", on_encoding, s);
	add_probe(sink, "sink", on_sending, s);
	add_probe_type(sink, "sink", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
		       on_rtp, s);
	if (!gst_element_link_many(s->src, convert, scale, raw, funnel, s->encoder, h264, parse,
				   NULL) ||
	    !gst_element_link(s->repeat_src, funnel) ||
	    !gst_element_link_pads(parse, NULL, mux, MC_TS_VIDEO_PAD) ||
	    !gst_element_link_many(mux, pay, sink, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot link the pipeline (encoder %s)", s->encoder_info->name);
		return FALSE;
	}
	return c->audio == MC_AUDIO_NONE || build_audio(s, c, mux, error);
}

McStream *mc_stream_new(const McStreamConfig *config, GError **error)
{
	g_autoptr(McStream) s = g_new0(McStream, 1);

	s->video = config->video;
	s->bitrate_kbps = (gint)config->video.bitrate_kbps;
	s->base = GST_CLOCK_TIME_NONE;
	s->last_in = GST_CLOCK_TIME_NONE;
	g_mutex_init(&s->lock);
	g_cond_init(&s->drained);
	s->stats = mc_stats_new();
	if (config->client)
		s->client = mc_client_ref(config->client);
	s->pipeline = gst_pipeline_new("miracast-stream");
	{
		GstClock *clock = gst_system_clock_obtain();

		/* CLOCK_MONOTONIC, as the kernel's vblank times (the default type) */
		g_object_set(clock, "clock-type", GST_CLOCK_TYPE_MONOTONIC, NULL);
		gst_pipeline_use_clock(GST_PIPELINE(s->pipeline), clock);
		gst_object_unref(clock);
	}
	if (!build(s, config, error))
		return NULL;
	if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		if (mc_stream_check(s, error))
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "the pipeline does not start");
		return NULL;
	}
	s->last_us = g_get_monotonic_time();
	s->repeat_id = g_timeout_add(REPEAT_US / 1000 / 4, on_repeat, s);
	return g_steal_pointer(&s);
}

/* How long the end of a stream may take to leave: its last frames. */
#define DRAIN_TIMEOUT	(2 * GST_SECOND)

/* Without sound the pipeline's EOS says all is out: the last frames are sent. */
static gboolean drain(McStream *s)
{
	g_autoptr(GstBus) bus = gst_element_get_bus(s->pipeline);
	GstMessage *m = gst_bus_timed_pop_filtered(bus, DRAIN_TIMEOUT,
						   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	gboolean eos = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
	InFlight *f;

	if (m)
		gst_message_unref(m);
	g_mutex_lock(&s->lock);
	while (eos && (f = g_queue_pop_head(&s->sending))) {
		report(s, MIRACAST_CHUNK_SENT, f, 0, 0);
		g_free(f);
	}
	g_mutex_unlock(&s->lock);
	return eos;
}

/* How long the muxer may take to pass an encoded frame on (it is live). */
#define MUX_GRACE_US	(300 * G_TIME_SPAN_MILLISECOND)

/*
 * With sound the muxer would wait for the live sound's end too, and
 * which packets after the last frame are sound cannot be told at the
 * network: once the encoder has put out every frame, the muxer is given
 * MUX_GRACE_US to pass them on, and what is left counts as sent.
 */
static gboolean drain_with_sound(McStream *s)
{
	gint64 end = g_get_monotonic_time() + DRAIN_TIMEOUT / GST_USECOND;
	gboolean out = TRUE;
	InFlight *f;

	g_mutex_lock(&s->lock);
	while (out && (s->pushed.length || s->encoding.length))
		out = g_cond_wait_until(&s->drained, &s->lock, end);
	end = g_get_monotonic_time() + MUX_GRACE_US;
	while (out && s->sending.length && g_cond_wait_until(&s->drained, &s->lock, end))
		;
	while (out && (f = g_queue_pop_head(&s->sending))) {
		report(s, MIRACAST_CHUNK_SENT, f, 0, 0);
		g_free(f);
	}
	g_mutex_unlock(&s->lock);
	return out;
}

void mc_stream_free(McStream *s)
{
	mc_stream_end(s, NULL);
}

void mc_stream_end(McStream *s, McRtpPosition *end)
{
	if (!s)
		return;
	if (s->repeat_id)
		g_source_remove(s->repeat_id);
	/* what the encoder, the muxer and the payloader hold goes out first */
	if (s->repeat_src)
		gst_app_src_end_of_stream(GST_APP_SRC(s->repeat_src));
	if (s->frames && gst_app_src_end_of_stream(GST_APP_SRC(s->src)) == GST_FLOW_OK &&
	    !(s->audio ? drain_with_sound(s) : drain(s)))
		g_warning("the stream's last frames did not leave within %u s",
			  (guint)(DRAIN_TIMEOUT / GST_SECOND));
	if (s->pipeline)
		gst_element_set_state(s->pipeline, GST_STATE_NULL);
	/* stopped: the sound, which flows until then, sent its last packet too */
	if (end && s->pay && g_atomic_int_get(&s->rtp_packets)) {
		guint offset = 0;

		g_object_get(s->pay, "timestamp-offset", &offset, NULL);
		end->valid = TRUE;
		/*
		 * The last number udpsink's probe saw has been seen up to 20
		 * short of what went out when streams were rebuilt quickly
		 * (not understood yet): a gap of RTP_SEQ_GAP, which a sink
		 * counts as loss, never a number sent twice.
		 */
		end->seqnum = (guint16)(g_atomic_int_get(&s->rtp_seqnum) + RTP_SEQ_GAP);
		end->timestamp_offset = offset;
		end->base_time = gst_element_get_base_time(s->pipeline);
	}
	if (s->pipeline)
		gst_object_unref(s->pipeline);
	gst_clear_buffer(&s->last);
	g_queue_clear_full(&s->pushed, g_free);
	g_queue_clear_full(&s->encoding, g_free);
	g_queue_clear_full(&s->sending, g_free);
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->drained);
	mc_stats_free(s->stats);
	if (s->client)
		mc_client_unref(s->client);
	g_free(s);
}

const McEncoderInfo *mc_stream_get_encoder(McStream *s)
{
	return s->encoder_info;
}

void mc_stream_get_stats(McStream *s, McStatsSummary *summary)
{
	mc_stats_summarize(s->stats, g_get_monotonic_time(), summary);
}

gboolean mc_stream_check(McStream *s, GError **error)
{
	g_autoptr(GstBus) bus = gst_element_get_bus(s->pipeline);
	GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;

	if (!m)
		return TRUE;
	gst_message_parse_error(m, &err, &debug);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s (%s)",
		    GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), err->message, debug ? debug : "");
	gst_message_unref(m);
	return FALSE;
}

gboolean mc_stream_push(McStream *s, GstBuffer *frame, const GstVideoInfo *info,
			GError **error)
{
	GstClockTime pts = GST_BUFFER_PTS(frame);

	if (!mc_stream_check(s, error)) {
		gst_buffer_unref(frame);
		return FALSE;
	}
	if (!s->have_caps || !gst_video_info_is_equal(info, &s->in_info)) {
		g_autoptr(GstCaps) caps = gst_video_info_to_caps(info);

		/*
		 * The mode's rate: frames come at most that often (one per
		 * vblank), and the encoder's rate control counts with it.
		 */
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, (int)s->video.fps_n,
				    (int)s->video.fps_d, NULL);
		g_object_set(s->src, "caps", caps, NULL);
		s->in_info = *info;
		s->have_caps = TRUE;
	}
	/*
	 * The pipeline runs on the monotonic clock the kernel stamps vblanks
	 * with: a frame's running time is its vblank's, so sound and picture
	 * share one time line.
	 */
	if (!GST_CLOCK_TIME_IS_VALID(s->base))
		s->base = gst_element_get_base_time(s->pipeline);
	GST_BUFFER_PTS(frame) = pts >= s->base ? pts - s->base : 0;
	GST_BUFFER_DTS(frame) = GST_CLOCK_TIME_NONE;
	{
		InFlight *f = g_new0(InFlight, 1);

		f->pts = GST_BUFFER_PTS(frame);
		f->frame = GST_BUFFER_OFFSET(frame);
		f->flip_us = pts / 1000;
		f->pushed_us = g_get_monotonic_time();
		g_mutex_lock(&s->lock);
		g_queue_push_tail(&s->pushed, f);
		g_mutex_unlock(&s->lock);
	}
	if (gst_app_src_push_buffer(GST_APP_SRC(s->src), frame) != GST_FLOW_OK) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the pipeline refused a frame");
		return FALSE;
	}
	s->frames++;
	s->last_us = g_get_monotonic_time();
	return TRUE;
}

gboolean mc_stream_set_bitrate(McStream *s, guint kbps)
{
	McVideoConfig video = s->video;
	guint max = mc_h264_max_bitrate_kbps(video.level, video.profile);

	gint now = g_atomic_int_get(&s->bitrate_kbps);

	video.bitrate_kbps = CLAMP(kbps, 1, max);
	if (video.bitrate_kbps == (guint)now)
		return TRUE;
	/* pace's from the next frame, so that it does not put back the old one */
	g_atomic_int_set(&s->bitrate_kbps, (gint)video.bitrate_kbps);
	if (!s->encoder_info->rate || !s->encoder_info->rate(s->encoder, &video)) {
		g_atomic_int_set(&s->bitrate_kbps, now);
		return FALSE;
	}
	return TRUE;
}

void mc_stream_request_idr(McStream *s)
{
	gst_element_send_event(s->encoder,
			       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE,
									   TRUE, 0));
}

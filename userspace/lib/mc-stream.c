// SPDX-License-Identifier: GPL-2.0-only
/*
 * The encoding and streaming pipeline of one display.
 */
#include <gio/gio.h>
#include <gst/app/gstappsrc.h>

#include "mc-stream.h"
#include "mc-ts.h"

struct _McStream {
	GstElement *pipeline;
	GstElement *src;
	GstElement *encoder;
	const McEncoderInfo *encoder_info;
	McVideoConfig video;
	GstVideoInfo in_info;	/* the frames' format, size and pitch */
	gboolean have_caps;
	GstClockTime base;	/* the first frame's vblank time */
	guint64 frames;
};

static GstElement *add(McStream *s, const char *factory, GError **error)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "GStreamer element %s is not installed", factory);
		return NULL;
	}
	gst_bin_add(GST_BIN(s->pipeline), e);
	return e;
}

static gboolean build(McStream *s, const McStreamConfig *c, GError **error)
{
	GstElement *convert, *scale, *raw, *h264, *parse, *mux, *pay, *sink;
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
	h264_caps = mc_encoder_output_caps(&c->video);
	g_object_set(h264, "caps", h264_caps, NULL);
	g_object_set(parse, "config-interval", -1, NULL);
	g_object_set(sink, "host", c->host, "port", (gint)c->port, "sync", FALSE,
		     "async", FALSE, NULL);
	if (!gst_element_link_many(s->src, convert, scale, raw, s->encoder, h264, parse, NULL) ||
	    !gst_element_link_pads(parse, NULL, mux, MC_TS_VIDEO_PAD) ||
	    !gst_element_link_many(mux, pay, sink, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot link the pipeline (encoder %s)", s->encoder_info->name);
		return FALSE;
	}
	return TRUE;
}

McStream *mc_stream_new(const McStreamConfig *config, GError **error)
{
	g_autoptr(McStream) s = g_new0(McStream, 1);

	s->video = config->video;
	s->base = GST_CLOCK_TIME_NONE;
	s->pipeline = gst_pipeline_new("miracast-stream");
	if (!build(s, config, error))
		return NULL;
	if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		if (mc_stream_check(s, error))
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "the pipeline does not start");
		return NULL;
	}
	return g_steal_pointer(&s);
}

/* How long the end of a stream may take to leave: its last frames. */
#define DRAIN_TIMEOUT	(2 * GST_SECOND)

void mc_stream_free(McStream *s)
{
	if (!s)
		return;
	/* what the encoder, the muxer and the payloader hold goes out first */
	if (s->frames && gst_app_src_end_of_stream(GST_APP_SRC(s->src)) == GST_FLOW_OK) {
		g_autoptr(GstBus) bus = gst_element_get_bus(s->pipeline);
		GstMessage *m = gst_bus_timed_pop_filtered(bus, DRAIN_TIMEOUT,
							   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

		if (!m)
			g_warning("the stream's last frames did not leave within %u s",
				  (guint)(DRAIN_TIMEOUT / GST_SECOND));
		else
			gst_message_unref(m);
	}
	gst_element_set_state(s->pipeline, GST_STATE_NULL);
	gst_object_unref(s->pipeline);
	g_free(s);
}

const McEncoderInfo *mc_stream_get_encoder(McStream *s)
{
	return s->encoder_info;
}

guint64 mc_stream_get_frames(McStream *s)
{
	return s->frames;
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
	if (!GST_CLOCK_TIME_IS_VALID(s->base))
		s->base = pts;
	GST_BUFFER_PTS(frame) = pts >= s->base ? pts - s->base : 0;
	GST_BUFFER_DTS(frame) = GST_CLOCK_TIME_NONE;
	if (gst_app_src_push_buffer(GST_APP_SRC(s->src), frame) != GST_FLOW_OK) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the pipeline refused a frame");
		return FALSE;
	}
	s->frames++;
	return TRUE;
}

void mc_stream_request_idr(McStream *s)
{
	gst_element_send_event(s->encoder,
			       gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE,
									   TRUE, 0));
}

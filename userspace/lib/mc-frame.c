// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel frames as zero-copy GstBuffers whose release completes them.
 */
#include <gio/gio.h>

#include <drm_fourcc.h>

#include "mc-frame.h"

/* What a wrapped frame keeps until its GstBuffer is released. */
typedef struct {
	McClient *client;
	McBuffer *buffer;
	guint64 message_id;
	guint64 frame;
	gint64 wrapped_us;	/* g_get_monotonic_time() of the wrap */
} Hold;

static void hold_release(gpointer data)
{
	Hold *h = data;
	g_autoptr(GError) error = NULL;

	if (!mc_buffer_end_read(h->buffer, &error)) {
		g_warning("frame %" G_GUINT64_FORMAT ": %s", h->message_id, error->message);
		g_clear_error(&error);
	}
	/*
	 * The pipeline let the frame go: its pixels are converted (the
	 * encoder works on a copy in its own format).
	 */
	if (!mc_client_report_chunk(h->client, MIRACAST_CHUNK_COLOR_CONVERT_COMPLETE, h->frame,
				    0, (guint32)MIN(g_get_monotonic_time() - h->wrapped_us,
						    G_MAXUINT32), 0, &error))
		g_clear_error(&error);	/* the session may be over: nothing to tell */
	/* a stop may have cancelled it meanwhile: that is no error */
	if (!mc_client_complete(h->client, h->message_id, MIRACAST_STATUS_SUCCESS, NULL, 0,
				&error) &&
	    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
		g_warning("frame %" G_GUINT64_FORMAT ": %s", h->message_id, error->message);
	mc_buffer_unref(h->buffer);
	mc_client_unref(h->client);
	g_free(h);
}

GstVideoFormat mc_frame_video_format(guint32 drm_format)
{
	/* DRM names the bits of a little-endian word, GStreamer the bytes */
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		return GST_VIDEO_FORMAT_BGRx;
	case DRM_FORMAT_ARGB8888:
		return GST_VIDEO_FORMAT_BGRA;
	case DRM_FORMAT_RGB565:
		return GST_VIDEO_FORMAT_RGB16;
	default:
		return GST_VIDEO_FORMAT_UNKNOWN;
	}
}

GstBuffer *mc_frame_wrap(McClient *client, const McMessage *message, GstVideoInfo *info,
			 GError **error)
{
	const struct miracast_event_frame *f = mc_message_frame(message, NULL);
	const struct miracast_frame_plane *p;
	GstVideoFormat format;
	GstVideoInfo vinfo;
	McBuffer *buffer;
	gsize offset, size, cpp;
	gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
	gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 };
	GstBuffer *gb;
	Hold *h;

	if (!f || !f->primary.buffer_id) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "message %" G_GUINT64_FORMAT " is no frame with a primary plane",
			    message->id);
		return NULL;
	}
	p = &f->primary;
	format = mc_frame_video_format(p->format);
	if (format == GST_VIDEO_FORMAT_UNKNOWN) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "frame %" G_GUINT64_FORMAT ": unknown format %.4s", (guint64)f->frame,
			    (const char *)&p->format);
		return NULL;
	}
	gst_video_info_set_format(&vinfo, format, p->src_w, p->src_h);
	cpp = GST_VIDEO_INFO_COMP_PSTRIDE(&vinfo, 0);
	if (!p->src_w || !p->src_h || p->src_x + p->src_w > p->width ||
	    p->src_y + p->src_h > p->height || p->pitch < p->width * cpp) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "frame %" G_GUINT64_FORMAT ": source %ux%u+%u+%u outside a %ux%u "
			    "buffer of pitch %u", (guint64)f->frame, p->src_w, p->src_h, p->src_x,
			    p->src_y, p->width, p->height, p->pitch);
		return NULL;
	}
	buffer = mc_client_get_buffer(client, p->buffer_id, error);
	if (!buffer)
		return NULL;
	offset = p->offset + (gsize)p->src_y * p->pitch + p->src_x * cpp;
	size = (gsize)(p->src_h - 1) * p->pitch + p->src_w * cpp;
	if (offset + size > buffer->size) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "frame %" G_GUINT64_FORMAT ": %zu bytes at %zu past a %zu-byte buffer",
			    (guint64)f->frame, size, offset, buffer->size);
		mc_buffer_unref(buffer);
		return NULL;
	}
	if (!mc_buffer_begin_read(buffer, error)) {
		mc_buffer_unref(buffer);
		return NULL;
	}

	h = g_new0(Hold, 1);
	h->client = mc_client_ref(client);
	h->buffer = buffer;
	h->message_id = message->id;
	h->frame = f->frame;
	h->wrapped_us = g_get_monotonic_time();
	gb = gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, (gpointer)buffer->data,
					 buffer->size, offset, size, h, hold_release);
	stride[0] = p->pitch;
	gst_buffer_add_video_meta_full(gb, GST_VIDEO_FRAME_FLAG_NONE, format, p->src_w,
				       p->src_h, 1, offsets, stride);
	GST_BUFFER_PTS(gb) = f->vblank_ns;
	GST_BUFFER_OFFSET(gb) = f->frame;
	if (info) {
		*info = vinfo;
		GST_VIDEO_INFO_PLANE_STRIDE(info, 0) = p->pitch;
		GST_VIDEO_INFO_SIZE(info) = size;
	}
	return gb;
}

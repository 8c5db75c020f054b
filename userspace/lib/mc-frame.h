/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel FRAME as a GstBuffer, without a copy: the buffer's memory is the
 * dma-buf mapping from the client's cache, and releasing the GstBuffer
 * (the pipeline is done with it) ends the CPU access and completes the
 * kernel's message, which lets the client's next flip through.
 */
#ifndef MC_FRAME_H
#define MC_FRAME_H

#include <gst/gst.h>
#include <gst/video/video.h>

#include "mc-client.h"

G_BEGIN_DECLS

/* GStreamer's name for a DRM fourcc the display takes, or UNKNOWN. */
GstVideoFormat mc_frame_video_format(guint32 drm_format);

/*
 * Wraps the primary plane of the FRAME message (mc_message_frame()): its
 * source rectangle, with a GstVideoMeta giving the pitch, and caps-ready
 * video info in *info (may be NULL). The message is completed with
 * MIRACAST_STATUS_SUCCESS when the last reference to the buffer goes, from
 * whatever thread that is, after a COLOR_CONVERT_COMPLETE chunk record (the
 * time from the wrap) is reported for it. NULL with error set (the message is then left
 * to the caller) for a frame that is not one, an unknown format, a source
 * outside its buffer, or a buffer the kernel cannot export.
 */
GstBuffer *mc_frame_wrap(McClient *client, const McMessage *message, GstVideoInfo *info,
			 GError **error);

G_END_DECLS

#endif /* MC_FRAME_H */

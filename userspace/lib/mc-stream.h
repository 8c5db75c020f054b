/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The video stream of one display: frames in, H.264 in MPEG2-TS over RTP
 * out (docs/media.md). appsrc -> videoconvert -> videoscale -> I420 at the
 * negotiated size -> encoder -> h264parse -> mpegtsmux -> rtpmp2tpay ->
 * udpsink; optionally sound -> audioconvert -> audioresample -> AAC ->
 * aacparse, or LPCM in 10 ms packets -> the same mpegtsmux.
 */
#ifndef MC_STREAM_H
#define MC_STREAM_H

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "mc-client.h"
#include "mc-encoder.h"
#include "mc-stats.h"

G_BEGIN_DECLS

typedef struct _McStream McStream;

typedef enum {
	MC_AUDIO_NONE,
	MC_AUDIO_AAC,		/* AAC-LC 48 kHz stereo, ADTS, on PID 0x1100 */
	MC_AUDIO_LPCM,		/* LPCM 48 kHz 16-bit stereo (mc-lpcm.h), on PID 0x1100 */
} McAudioCodec;

/*
 * Where a stream's RTP got to when it ended, for the next stream to the
 * same sink to go on from: sinks take a sequence number that jumps back to
 * 0 for old packets, and PTS, PCR and RTP time that jump back for a new
 * stream's. The next pipeline keeps the last one's base time, so its
 * running time, and all those clocks, go on.
 */
typedef struct {
	gboolean valid;		/* FALSE: it sent nothing */
	guint16 seqnum;		/* the next packet's */
	guint32 timestamp_offset;	/* its payloader's */
	GstClockTime base_time;	/* its pipeline's: the next one's running time goes on */
} McRtpPosition;

typedef struct {
	McClient *client;	/* for chunk records (a reference is taken), or NULL */
	const char *host;	/* the sink's address */
	guint16 port;		/* its RTP port */
	GSocket *socket;	/* the UDP socket RTP leaves from, or NULL: any */
	const char *encoder;	/* mc_encoder_choose()'s name, NULL: auto */
	McVideoConfig video;
	McAudioCodec audio;
	/*
	 * The sound: "test" (silence, a live test source), "pulse", "alsa",
	 * "pipewire", or NULL/"auto": the first of pipewire, pulse, alsa
	 * installed, else silence. Sinks that take audio want some: silence
	 * is better than none.
	 */
	const char *audio_source;
	guint audio_bitrate;	/* bit/s, 0: 128000 */
	/* the RTP numbering goes on from there (if valid); NULL: a new one */
	const McRtpPosition *rtp_from;
} McStreamConfig;

/* Builds the pipeline and starts it (PLAYING); NULL with error set. */
McStream *mc_stream_new(const McStreamConfig *config, GError **error);
void mc_stream_free(McStream *stream);
/* Drains and frees the stream, telling where its RTP got to. */
void mc_stream_end(McStream *stream, McRtpPosition *end);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McStream, mc_stream_free)

const McEncoderInfo *mc_stream_get_encoder(McStream *stream);

/*
 * Feeds one frame (transfer full; mc_frame_wrap()'s buffer and info). Its
 * PTS is the vblank's CLOCK_MONOTONIC time; the stream counts from its
 * first frame. FALSE with error set when the pipeline has failed.
 *
 * With a client, the frame's chunk records follow (frame number = the
 * buffer's offset): ENCODE_COMPLETE when the encoder outputs it (µs since
 * the push, kbit/s at the stream's rate), SENT when the packets of a later
 * frame reach the network (all of this one's are out).
 */
gboolean mc_stream_push(McStream *stream, GstBuffer *frame, const GstVideoInfo *info,
			GError **error);

/*
 * Changes the video bitrate from the next frames on (capped at the
 * level's maximum): FALSE when the encoder cannot while playing, and the
 * stream goes on at the one it had.
 */
gboolean mc_stream_set_bitrate(McStream *stream, guint kbps);

/* Asks the encoder for an IDR frame (the sink's wfd_idr_request). */
void mc_stream_request_idr(McStream *stream);

/* The first error the pipeline posted (or TRUE). */
gboolean mc_stream_check(McStream *stream, GError **error);

/*
 * The stream's figures (mc-stats.h): the latency is from a frame's flip
 * (its vblank) to its first packet at udpsink; dropped frames are those
 * the appsrc let go because the pipeline was behind.
 */
void mc_stream_get_stats(McStream *stream, McStatsSummary *summary);

G_END_DECLS

#endif /* MC_STREAM_H */

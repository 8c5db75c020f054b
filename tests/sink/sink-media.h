/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * miracast-testsink's media side: RTP on a UDP port, depayloaded, demuxed
 * and decoded by GStreamer (H.264 to pictures, AAC to samples, LPCM
 * counted), and checked on the way as a strict sink would check it: the
 * RTP header and payload, the TS layout (PAT, PMT, PIDs, stream types),
 * each access unit's first NAL units (an IDR with SPS and PPS after PLAY,
 * the SPS's profile and level), the audio PES headers, the decoded size.
 * Every time is CLOCK_MONOTONIC in µs (g_get_monotonic_time()).
 */
#ifndef SINK_MEDIA_H
#define SINK_MEDIA_H

#include <glib.h>

#include "mc-wfd.h"

G_BEGIN_DECLS

typedef struct {
	guint16 port;			/* the RTP port; 0: any free one */
	const char *snapshot_dir;	/* decoded pictures as PNG there; NULL: none */
	guint snapshot_every;		/* every n-th picture (from the first) */
	gboolean pattern;		/* the pictures are the end-to-end test's pattern */
	gboolean verbose;
} SinkMediaConfig;

typedef struct _SinkMedia SinkMedia;

/* Binds the port and starts the pipeline; NULL with error set. */
SinkMedia *sink_media_new(const SinkMediaConfig *config, GError **error);
void sink_media_free(SinkMedia *m);
guint16 sink_media_get_port(SinkMedia *m);

/*
 * The source set a format (an M4 the sink accepted). What arrives from
 * now on may still be in the previous one for a moment (a mode change);
 * after that it must be this one.
 */
void sink_media_expect(SinkMedia *m, const McWfdChoice *choice, gint64 now);
/* The sink sent PLAY: RTP may flow, its first access unit an IDR with SPS and PPS. */
void sink_media_play(SinkMedia *m, gint64 now);
/* PAUSE answered or standby: RTP must stop (within a second). */
void sink_media_pause(SinkMedia *m, gint64 now);
/* The sink sent wfd_idr_request (M13): the next IDR's delay is measured. */
void sink_media_idr_requested(SinkMedia *m, gint64 now);
/* The session is over: RTP must stop. */
void sink_media_ended(SinkMedia *m, gint64 now);

guint sink_media_frames_decoded(SinkMedia *m);
/*
 * Whether the decoder is done with what came: every access unit decoded,
 * or no picture since the last call (called at intervals after the end).
 */
gboolean sink_media_drained(SinkMedia *m);
/*
 * The summary's media lines (key=value, docs/testsink.md) appended to out,
 * and a short sentence for each failed check to failures (of char *).
 * played: whether the session reached PLAY (else the checks say "-").
 */
void sink_media_summary(SinkMedia *m, gboolean played, GString *out, GPtrArray *failures);

G_END_DECLS

#endif /* SINK_MEDIA_H */

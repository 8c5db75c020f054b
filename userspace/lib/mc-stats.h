/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stream's figures, as miracastctl status shows them: frames sent,
 * dropped and repeated, the frame rate and the video bitrate over the last
 * seconds, and the latency (a frame's flip to its first packet at the
 * network) and encoding time over the last frames, as median and 99th
 * percentile. Fed from the streaming threads; thread-safe.
 */
#ifndef MC_STATS_H
#define MC_STATS_H

#include <glib.h>

G_BEGIN_DECLS

/* The rate and bitrate are over this much time... */
#define MC_STATS_WINDOW_US	(5 * G_USEC_PER_SEC)
/* ...the percentiles over this many frames. */
#define MC_STATS_FRAMES		512

typedef struct _McStats McStats;

typedef struct {
	guint64 sent;		/* frames whose packets went out */
	guint64 dropped;	/* frames the pipeline had no time for */
	guint64 repeated;	/* pictures sent again on a static screen */
	double fps;		/* frames sent per second, over the window */
	guint bitrate_kbps;	/* encoded video, over the window */
	guint samples;		/* frames the percentiles are taken over */
	guint latency_p50_us;
	guint latency_p99_us;
	guint encode_p50_us;
	guint encode_p99_us;
} McStatsSummary;

McStats *mc_stats_new(void);
void mc_stats_free(McStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McStats, mc_stats_free)

/* The encoder output a frame of bytes, encode_us after it came in. */
void mc_stats_encoded(McStats *stats, gint64 now_us, gsize bytes, gint64 encode_us);
/* A frame's first packet reached the network latency_us after its flip. */
void mc_stats_sent(McStats *stats, gint64 now_us, gint64 latency_us);
void mc_stats_dropped(McStats *stats, guint frames);
void mc_stats_repeated(McStats *stats);

/* The figures at now_us (CLOCK_MONOTONIC µs, as the samples'). */
void mc_stats_summarize(McStats *stats, gint64 now_us, McStatsSummary *summary);

/* The p-th percentile (0 < p <= 100, nearest rank) of n values; sorts them. */
guint mc_percentile(guint *values, guint n, guint p);

G_END_DECLS

#endif /* MC_STATS_H */

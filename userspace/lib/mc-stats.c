// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stream's figures (mc-stats.h): two rings of the last frames' samples.
 */
#include <stdlib.h>

#include "mc-stats.h"

typedef struct {
	gint64 at_us;		/* when it happened */
	guint value;		/* bytes encoded, or µs */
	guint us;		/* encoding time (encoded ring) */
} Sample;

typedef struct {
	Sample s[MC_STATS_FRAMES];
	guint head;		/* the next slot */
	guint len;
} Ring;

struct _McStats {
	GMutex lock;
	Ring encoded;		/* value: bytes; us: encoding time */
	Ring sent;		/* value: latency in µs */
	guint64 sent_total;
	guint64 dropped;
	guint64 repeated;
};

static void ring_add(Ring *r, gint64 at_us, guint value, guint us)
{
	r->s[r->head] = (Sample){ at_us, value, us };
	r->head = (r->head + 1) % MC_STATS_FRAMES;
	if (r->len < MC_STATS_FRAMES)
		r->len++;
}

/* The i-th newest sample (0: the newest). */
static const Sample *ring_get(const Ring *r, guint i)
{
	return &r->s[(r->head + MC_STATS_FRAMES - 1 - i) % MC_STATS_FRAMES];
}

static guint clamp_us(gint64 us)
{
	return (guint)CLAMP(us, 0, G_MAXUINT);
}

McStats *mc_stats_new(void)
{
	McStats *stats = g_new0(McStats, 1);

	g_mutex_init(&stats->lock);
	return stats;
}

void mc_stats_free(McStats *stats)
{
	if (!stats)
		return;
	g_mutex_clear(&stats->lock);
	g_free(stats);
}

void mc_stats_encoded(McStats *stats, gint64 now_us, gsize bytes, gint64 encode_us)
{
	g_mutex_lock(&stats->lock);
	ring_add(&stats->encoded, now_us, (guint)MIN(bytes, G_MAXUINT), clamp_us(encode_us));
	g_mutex_unlock(&stats->lock);
}

void mc_stats_sent(McStats *stats, gint64 now_us, gint64 latency_us)
{
	g_mutex_lock(&stats->lock);
	ring_add(&stats->sent, now_us, clamp_us(latency_us), 0);
	stats->sent_total++;
	g_mutex_unlock(&stats->lock);
}

void mc_stats_dropped(McStats *stats, guint frames)
{
	g_mutex_lock(&stats->lock);
	stats->dropped += frames;
	g_mutex_unlock(&stats->lock);
}

void mc_stats_repeated(McStats *stats)
{
	g_mutex_lock(&stats->lock);
	stats->repeated++;
	g_mutex_unlock(&stats->lock);
}

static int cmp_uint(const void *a, const void *b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;

	return x < y ? -1 : x > y;
}

guint mc_percentile(guint *values, guint n, guint p)
{
	guint rank;

	if (!n)
		return 0;
	qsort(values, n, sizeof(*values), cmp_uint);
	rank = (guint)(((guint64)p * n + 99) / 100);	/* ceil(p% of n) */
	return values[CLAMP(rank, 1, n) - 1];
}

/*
 * Events per second over the window (the samples newer than now -
 * MC_STATS_WINDOW_US), and in *sum their values per second. A stream
 * younger than the window counts from its first sample to its last: n
 * samples, n - 1 intervals. Fewer than two samples tell no rate.
 */
static double rate(const Ring *r, gint64 now_us, double *sum)
{
	guint64 total = 0;
	gint64 span;
	guint i, n = 0;

	while (n < r->len && ring_get(r, n)->at_us > now_us - MC_STATS_WINDOW_US)
		n++;
	*sum = 0;
	if (n == r->len) {	/* all we have */
		if (n < 2)
			return 0;
		span = MAX(ring_get(r, 0)->at_us - ring_get(r, n - 1)->at_us, 1);
		n--;		/* the oldest only starts the first interval */
	} else {
		span = MC_STATS_WINDOW_US;
	}
	for (i = 0; i < n; i++)
		total += ring_get(r, i)->value;
	*sum = total * (double)G_USEC_PER_SEC / span;
	return n * (double)G_USEC_PER_SEC / span;
}

void mc_stats_summarize(McStats *stats, gint64 now_us, McStatsSummary *out)
{
	guint lat[MC_STATS_FRAMES], enc[MC_STATS_FRAMES];
	double bytes_per_s;
	guint i, n;

	g_mutex_lock(&stats->lock);
	*out = (McStatsSummary){
		.sent = stats->sent_total,
		.dropped = stats->dropped,
		.repeated = stats->repeated,
		.samples = stats->sent.len,
	};
	out->fps = rate(&stats->sent, now_us, &bytes_per_s);
	rate(&stats->encoded, now_us, &bytes_per_s);
	out->bitrate_kbps = (guint)(bytes_per_s * 8 / 1000 + 0.5);
	for (i = 0; i < stats->sent.len; i++)
		lat[i] = ring_get(&stats->sent, i)->value;
	for (i = 0; i < stats->encoded.len; i++)
		enc[i] = ring_get(&stats->encoded, i)->us;
	n = stats->encoded.len;
	g_mutex_unlock(&stats->lock);
	out->latency_p50_us = mc_percentile(lat, out->samples, 50);
	out->latency_p99_us = mc_percentile(lat, out->samples, 99);
	out->encode_p50_us = mc_percentile(enc, n, 50);
	out->encode_p99_us = mc_percentile(enc, n, 99);
}

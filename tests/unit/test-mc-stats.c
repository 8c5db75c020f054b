// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of a stream's figures (mc-stats.h): percentiles, the frame
 * rate and bitrate over the window, counters, and the bounded history.
 */
#include "mc-stats.h"

#define S	G_USEC_PER_SEC
#define MS	1000

static void test_percentile(void)
{
	guint v[] = { 9, 1, 8, 2, 7, 3, 6, 4, 5, 10 };
	guint one[] = { 42 };

	g_assert_cmpuint(mc_percentile(v, 10, 50), ==, 5);
	g_assert_cmpuint(mc_percentile(v, 10, 90), ==, 9);
	g_assert_cmpuint(mc_percentile(v, 10, 99), ==, 10);
	g_assert_cmpuint(mc_percentile(v, 10, 100), ==, 10);
	g_assert_cmpuint(mc_percentile(v, 10, 1), ==, 1);
	g_assert_cmpuint(mc_percentile(one, 1, 50), ==, 42);
	g_assert_cmpuint(mc_percentile(one, 1, 99), ==, 42);
	g_assert_cmpuint(mc_percentile(v, 0, 50), ==, 0);
}

static void test_empty(void)
{
	g_autoptr(McStats) st = mc_stats_new();
	McStatsSummary sum;

	mc_stats_summarize(st, 10 * S, &sum);
	g_assert_cmpuint(sum.sent, ==, 0);
	g_assert_cmpuint(sum.samples, ==, 0);
	g_assert_cmpfloat(sum.fps, ==, 0);
	g_assert_cmpuint(sum.bitrate_kbps, ==, 0);
	g_assert_cmpuint(sum.latency_p50_us, ==, 0);
	g_assert_cmpuint(sum.latency_p99_us, ==, 0);

	/* one frame tells no rate */
	mc_stats_encoded(st, 10 * S, 5000, 3 * MS);
	mc_stats_sent(st, 10 * S, 12 * MS);
	mc_stats_summarize(st, 10 * S, &sum);
	g_assert_cmpuint(sum.sent, ==, 1);
	g_assert_cmpfloat(sum.fps, ==, 0);
	g_assert_cmpuint(sum.bitrate_kbps, ==, 0);
	g_assert_cmpuint(sum.latency_p50_us, ==, 12 * MS);
	g_assert_cmpuint(sum.encode_p99_us, ==, 3 * MS);
}

/* 30 fps of 12500-byte frames: 3000 kbit/s; latencies 10..29 ms, one 100 ms. */
static void feed_30fps(McStats *st, gint64 from, guint frames)
{
	for (guint i = 0; i < frames; i++) {
		gint64 t = from + (gint64)i * S / 30;

		mc_stats_encoded(st, t, 12500, (i % 5 + 1) * MS);
		mc_stats_sent(st, t, i == 7 ? 100 * MS : (10 + i % 20) * MS);
	}
}

static void test_young_stream(void)
{
	g_autoptr(McStats) st = mc_stats_new();
	McStatsSummary sum;

	/* 31 frames over one second: 30 intervals */
	feed_30fps(st, 1 * S, 31);
	mc_stats_summarize(st, 2 * S, &sum);
	g_assert_cmpuint(sum.sent, ==, 31);
	g_assert_cmpfloat_with_epsilon(sum.fps, 30.0, 0.01);
	g_assert_cmpuint(sum.bitrate_kbps, ==, 3000);
	g_assert_cmpuint(sum.samples, ==, 31);
	g_assert_cmpuint(sum.latency_p50_us, ==, 18 * MS);	/* 16th of 31 */
	g_assert_cmpuint(sum.latency_p99_us, ==, 100 * MS);
	g_assert_cmpuint(sum.encode_p50_us, ==, 3 * MS);
	g_assert_cmpuint(sum.encode_p99_us, ==, 5 * MS);
}

static void test_window(void)
{
	g_autoptr(McStats) st = mc_stats_new();
	McStatsSummary sum;

	/* 10 s at 30 fps: the window holds the last 5 s, 150 frames */
	feed_30fps(st, 0, 300);
	mc_stats_summarize(st, 299 * S / 30, &sum);
	g_assert_cmpuint(sum.sent, ==, 300);
	g_assert_cmpfloat_with_epsilon(sum.fps, 30.0, 0.01);
	g_assert_cmpuint(sum.bitrate_kbps, ==, 3000);
	/* 60 ms later, frames 150 (at 5 s) and 149 have left it */
	mc_stats_summarize(st, 299 * S / 30 + 60 * MS, &sum);
	g_assert_cmpfloat_with_epsilon(sum.fps, 149 / 5.0, 0.01);
	/* then a static screen: nothing new for 5 s, the rate falls to 0 */
	mc_stats_summarize(st, 15 * S, &sum);
	g_assert_cmpfloat(sum.fps, ==, 0);
	g_assert_cmpuint(sum.bitrate_kbps, ==, 0);
	/* the percentiles still tell of the last frames sent */
	g_assert_cmpuint(sum.samples, ==, 300);
	/* one late frame in 300 is beyond the 99th percentile */
	g_assert_cmpuint(sum.latency_p99_us, ==, 29 * MS);
}

static void test_bounded_history(void)
{
	g_autoptr(McStats) st = mc_stats_new();
	McStatsSummary sum;

	/* slow frames of 50 ms latency, then MC_STATS_FRAMES fast ones of 5 ms */
	for (guint i = 0; i < 100; i++)
		mc_stats_sent(st, (gint64)i * MS, 50 * MS);
	for (guint i = 0; i < MC_STATS_FRAMES; i++)
		mc_stats_sent(st, S + (gint64)i * MS, 5 * MS);
	mc_stats_summarize(st, 2 * S, &sum);
	g_assert_cmpuint(sum.sent, ==, 100 + MC_STATS_FRAMES);
	g_assert_cmpuint(sum.samples, ==, MC_STATS_FRAMES);
	g_assert_cmpuint(sum.latency_p99_us, ==, 5 * MS);
	/* 512 frames one ms apart: 1000 fps */
	g_assert_cmpfloat_with_epsilon(sum.fps, 1000.0, 1.0);
}

static void test_counters(void)
{
	g_autoptr(McStats) st = mc_stats_new();
	McStatsSummary sum;

	mc_stats_dropped(st, 3);
	mc_stats_dropped(st, 2);
	mc_stats_repeated(st);
	mc_stats_sent(st, S, -5);	/* a clock step: no negative latency */
	mc_stats_summarize(st, S, &sum);
	g_assert_cmpuint(sum.dropped, ==, 5);
	g_assert_cmpuint(sum.repeated, ==, 1);
	g_assert_cmpuint(sum.latency_p50_us, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/stats/percentile", test_percentile);
	g_test_add_func("/stats/empty", test_empty);
	g_test_add_func("/stats/young-stream", test_young_stream);
	g_test_add_func("/stats/window", test_window);
	g_test_add_func("/stats/bounded-history", test_bounded_history);
	g_test_add_func("/stats/counters", test_counters);
	return g_test_run();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The media benchmark's KMS client. Waits for /dev/miracast0's display to
 * be connected (a streaming process announced its sink), lights it up in
 * the connector's preferred mode and flips through frames 0..N-1 of
 * media_pattern.h, one every INTERVAL_MS, each drawn into a buffer the
 * display no longer shows; then leaves the last one on screen. Prints each
 * frame's flip time (CLOCK_MONOTONIC, just before the commit or flip) and
 * the streaming process's CPU time (utime + stime of /proc/PID/stat) at
 * three points: the flip of frame WARMUP, SETTLE_MS after the last flip
 * (the active window), and STATIC_S seconds later (the static screen).
 *   media_draw N INTERVAL_MS STATIC_S PID
 * Prints: "mode WxH@HZ", "flip K NS", "cpu start|active|static TICKS NS",
 * "clk_tck T", "drawn N flips F".
 */
#include <stdio.h>
#include <time.h>

#include "media_pattern.h"
#include "miracast_kms_util.h"

#define WARMUP		2	/* frames that start the pipelines: not measured */
#define SETTLE_MS	2000	/* for the last frames to leave the pipeline */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* utime + stime of a process, in clock ticks, or -1 */
static long long cpu_ticks(int pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static void sample(const char *what, int pid)
{
	printf("cpu %s %lld %lld\n", what, cpu_ticks(pid), now_ns());
}

/* The connector, once connected, and its preferred mode; 0 or -errno. */
static int wait_connected(struct mc_display *d, drmModeModeInfo *mode, int timeout_ms)
{
	int waited, i;

	for (waited = 0; waited < timeout_ms; waited += 100) {
		drmModeConnectorPtr c = drmModeGetConnector(d->fd, d->connector);

		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			*mode = c->modes[0];
			for (i = 0; i < c->count_modes; i++)
				if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
					*mode = c->modes[i];
			drmModeFreeConnector(c);
			return 0;
		}
		drmModeFreeConnector(c);
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
}

/* The canvas's palette indices as XRGB8888 into a buffer. */
static void put(struct mc_buf *b, const struct mp_canvas *c)
{
	int x, y;

	for (y = 0; y < c->h; y++) {
		uint32_t *row = (uint32_t *)(b->map + (size_t)y * b->pitch);
		const uint8_t *src = c->px + (size_t)y * c->w;

		for (x = 0; x < c->w; x++)
			row[x] = mp_palette[src[x]];
	}
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "media_draw: %s: %s\n", what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int n, interval, hold, k, flips = 0;
	struct mp_canvas canvas;
	drmModeModeInfo mode;
	struct mc_display d;
	struct mc_buf buf[3];
	long long t0, t;
	int pid, i, ret;

	if (argc != 5) {
		fprintf(stderr, "usage: media_draw N INTERVAL_MS STATIC_S PID\n");
		return 2;
	}
	n = (unsigned int)atoi(argv[1]);
	interval = (unsigned int)atoi(argv[2]);
	hold = (unsigned int)atoi(argv[3]);
	pid = atoi(argv[4]);
	if (n <= WARMUP || cpu_ticks(pid) < 0)
		return fail("arguments", EINVAL);
	ret = mc_display_open(&d, 0);
	if (ret)
		return fail("the display", -ret);
	ret = wait_connected(&d, &mode, 60000);
	if (ret)
		return fail("waiting for the sink", -ret);
	printf("mode %ux%u@%u\n", mode.hdisplay, mode.vdisplay, mode.vrefresh);
	canvas.w = mode.hdisplay;
	canvas.h = mode.vdisplay;
	canvas.px = malloc((size_t)canvas.w * canvas.h);
	if (!canvas.px)
		return fail("the canvas", ENOMEM);
	for (i = 0; i < 3; i++) {
		ret = mc_buf_create(d.fd, &buf[i], canvas.w, canvas.h, DRM_FORMAT_XRGB8888);
		if (ret)
			return fail("a buffer", -ret);
	}
	mp_render(&canvas, 0);
	put(&buf[0], &canvas);
	t0 = now_ns();
	printf("flip 0 %lld\n", t0);
	ret = mc_light_mode(&d, &buf[0], &mode, 0);
	if (ret)
		return fail("modeset", -ret);
	for (k = 1; k < n; k++) {
		struct mc_buf *b = &buf[k % 3];

		mp_render(&canvas, k);
		put(b, &canvas);
		sleep_until(t0 + (long long)k * interval * 1000000);
		if (k == WARMUP)
			sample("start", pid);
		t = now_ns();
		if (drmModePageFlip(d.fd, d.crtc, b->fb, DRM_MODE_PAGE_FLIP_EVENT, NULL))
			return fail("a flip", errno);
		printf("flip %u %lld\n", k, t);
		flips += mc_wait_flip(d.fd, 5000);
	}
	/* the last frame stays on screen: the static screen */
	usleep(SETTLE_MS * 1000);
	sample("active", pid);
	sleep_until(now_ns() + (long long)hold * 1000000000LL);
	sample("static", pid);
	printf("clk_tck %ld\n", sysconf(_SC_CLK_TCK));
	printf("drawn %u flips %u\n", n, flips);
	mc_dark(&d);
	for (i = 0; i < 3; i++)
		mc_buf_destroy(d.fd, &buf[i]);
	mc_display_close(&d);
	free(canvas.px);
	return flips == n - 1 ? 0 : 1;
}

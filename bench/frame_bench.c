// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the frame path, with its baseline measured in the same run
 * (in the lab guest, as root, miracast.ko loaded, debugfs mounted):
 *
 * flip -> frame mapped in the daemon, at 1920x1080 XRGB8888: from the
 * client's page flip to the moment the daemon has read the FRAME message,
 * found the buffer's dma-buf in its cache (mapped once per buffer, as
 * miracastd does) and begun its CPU access (DMA_BUF_IOCTL_SYNC), so that
 * the pixels are addressable; against one memcpy() of that frame (what a
 * driver that copies every frame pays at least, EVDI for one).
 *
 *   frame_bench [FLIPS]
 */
#include <stdio.h>
#include <time.h>

#include "miracast_kms_util.h"

#define WIDTH	1920
#define HEIGHT	1080
#define WARMUP	10

struct cached {
	uint64_t id;
	uint8_t *map;
	size_t size;
	int fd;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "frame_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void percentiles(double *t, int n, double *p50, double *p99)
{
	qsort(t, n, sizeof(*t), cmp_double);
	*p50 = t[n / 2];
	*p99 = t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

/* The daemon's dma-buf cache: a frame's buffer, mapped on first sight. */
static struct cached *lookup(struct cached *cache, int n, int d, const struct mc_frame *f,
			     double *first_us)
{
	double t0;
	int i;

	for (i = 0; i < n && cache[i].map; i++)
		if (cache[i].id == f->f.primary.buffer_id)
			return &cache[i];
	if (i == n)
		die("more buffers than flipped", ENOSPC);
	t0 = now_us();
	cache[i].map = mc_map_frame(d, f, &cache[i].fd, &cache[i].size);
	if (!cache[i].map)
		die("map a frame", errno);
	*first_us = now_us() - t0;
	cache[i].id = f->f.primary.buffer_id;
	/* mc_map_frame began an access; lookup's caller begins its own */
	ioctl(cache[i].fd, DMA_BUF_IOCTL_SYNC,
	      &(struct dma_buf_sync){ .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ });
	return &cache[i];
}

static void flip_to_frame(int n, double *p50, double *p99, double *first_us)
{
	drmModeModeInfo mode = mc_mode_1080p();
	struct dma_buf_sync sync = { 0 };
	struct cached cache[4] = { 0 };
	double *t = calloc(n, sizeof(*t)), t0, first;
	volatile uint8_t sink;
	struct mc_display disp;
	struct mc_buf buf[2];
	struct mc_reader *r;
	struct mc_frame f;
	struct cached *c;
	int d, i, ret;

	ret = mc_display_open(&disp, 0);
	if (ret)
		die("open the display", -ret);
	for (i = 0; i < 2; i++) {
		ret = mc_buf_create(disp.fd, &buf[i], WIDTH, HEIGHT, DRM_FORMAT_XRGB8888);
		if (ret)
			die("create a 1080p buffer", -ret);
		mc_buf_fill(&buf[i], i);
	}
	d = mc_daemon_open(0);
	if (d < 0)
		die("open the daemon side", -d);
	ret = mc_arrive(d, &mode);
	if (ret)
		die("MONITOR_ARRIVAL", -ret);
	r = mc_reader_new(d);
	if (!t || !r)
		die("calloc", ENOMEM);
	ret = mc_light_mode(&disp, &buf[0], &mode, 0);
	if (ret)
		die("light the display up in 1080p", -ret);
	if (mc_next_frame(r, &f))
		die("the first frame", errno);
	mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS);

	*first_us = 0;
	for (i = -WARMUP; i < n; i++) {
		const struct mc_buf *b = &buf[(i + WARMUP + 1) % 2];

		t0 = now_us();
		if (drmModePageFlip(disp.fd, disp.crtc, b->fb, DRM_MODE_PAGE_FLIP_EVENT, NULL))
			die("page flip", errno);
		if (mc_next_frame(r, &f))
			die("read the frame", errno);
		first = 0;
		c = lookup(cache, 4, d, &f, &first);
		sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
		if (ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &sync))
			die("DMA_BUF_IOCTL_SYNC", errno);
		sink = c->map[f.f.primary.offset + (size_t)f.f.primary.pitch * (HEIGHT - 1)];
		if (i >= 0)
			t[i] = now_us() - t0;
		if (first > *first_us)
			*first_us = first;
		(void)sink;
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &sync);
		if (mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS))
			die("COMPLETE", errno);
		if (mc_wait_flip(disp.fd, 5000) != 1)
			die("no flip event", ETIMEDOUT);
	}
	percentiles(t, n, p50, p99);

	for (i = 0; i < 4 && cache[i].map; i++)
		munmap(cache[i].map, cache[i].size), close(cache[i].fd);
	mc_dark(&disp);
	close(d);
	free(r);
	for (i = 0; i < 2; i++)
		mc_buf_destroy(disp.fd, &buf[i]);
	mc_display_close(&disp);
	free(t);
}

/* One memcpy of a 1080p XRGB8888 frame out of a dumb buffer's mapping. */
static void frame_memcpy(int n, double *p50, double *p99)
{
	struct mc_display disp;
	double *t = calloc(n, sizeof(*t)), t0;
	struct mc_buf buf;
	uint8_t *dst;
	int i, ret;

	ret = mc_display_open(&disp, 0);
	if (ret)
		die("open the display", -ret);
	ret = mc_buf_create(disp.fd, &buf, WIDTH, HEIGHT, DRM_FORMAT_XRGB8888);
	if (ret)
		die("create a 1080p buffer", -ret);
	mc_buf_fill(&buf, 7);
	dst = malloc(buf.size);
	if (!t || !dst)
		die("malloc", ENOMEM);
	memset(dst, 0, buf.size);
	for (i = -WARMUP; i < n; i++) {
		t0 = now_us();
		memcpy(dst, buf.map, (size_t)buf.pitch * HEIGHT);
		if (i >= 0)
			t[i] = now_us() - t0;
		dst[i & 4095] ^= 1;	/* the copy is used */
	}
	percentiles(t, n, p50, p99);
	free(dst);
	free(t);
	mc_buf_destroy(disp.fd, &buf);
	mc_display_close(&disp);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	double f50, f99, c50, c99, first;

	if (n < 1)
		die("FLIPS", EINVAL);
	flip_to_frame(n, &f50, &f99, &first);
	frame_memcpy(n, &c50, &c99);

	printf("flip -> frame mapped in the daemon, %dx%d XRGB8888, %d flips:\n",
	       WIDTH, HEIGHT, n);
	printf("  flip -> FRAME read, dma-buf mapped    p50 %8.1f us   p99 %8.1f us\n", f50, f99);
	printf("  one memcpy of the frame (baseline)    p50 %8.1f us   p99 %8.1f us\n", c50, c99);
	printf("  ratio                                 p50 %8.2f x    p99 %8.2f x   (target < 1 x)\n",
	       f50 / c50, f99 / c99);
	printf("  first sight of a buffer (GET_BUFFER_FD + mmap), worst %.1f us\n", first);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo's KMS client: lights /dev/miracast0's display in its preferred
 * mode (the one negotiated with the sink) and plays a scene a person
 * recognises on the sink's snapshots: colour bars, a clock with
 * milliseconds, the frame number and the mode, a ball bouncing across,
 * drawn with cairo into dumb buffers and page-flipped FPS times a second
 * for SECONDS. Prints what it showed.
 *   demo-draw SECONDS [FPS]
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include <cairo.h>

#include "miracast_kms_util.h"

#define N_BUFS 3

/* The connector's preferred mode (or its first); 0 or -errno. */
static int preferred_mode(struct mc_display *d, drmModeModeInfo *mode)
{
	drmModeConnectorPtr c = drmModeGetConnector(d->fd, d->connector);
	int i, ret = -ENOENT;

	if (!c)
		return -errno;
	for (i = 0; i < c->count_modes; i++) {
		if (ret || (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)) {
			*mode = c->modes[i];
			ret = 0;
		}
	}
	drmModeFreeConnector(c);
	return ret;
}

static void text(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void draw(struct mc_buf *b, unsigned int k, unsigned int fps, const char *mode)
{
	static const double bars[7][3] = {
		{ .75, .75, .75 }, { .75, .75, 0 }, { 0, .75, .75 }, { 0, .75, 0 },
		{ .75, 0, .75 }, { .75, 0, 0 }, { 0, 0, .75 },
	};
	cairo_surface_t *s = cairo_image_surface_create_for_data(b->map, CAIRO_FORMAT_RGB24,
								  b->width, b->height,
								  b->pitch);
	cairo_t *cr = cairo_create(s);
	double w = b->width, h = b->height, t = (double)k / fps, x, y;
	struct timespec now;
	struct tm tm;
	char line[128];
	int i;

	for (i = 0; i < 7; i++) {
		cairo_set_source_rgb(cr, bars[i][0], bars[i][1], bars[i][2]);
		cairo_rectangle(cr, i * w / 7, 0, w / 7 + 1, h * 0.6);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.08, 0.08, 0.12);
	cairo_rectangle(cr, 0, h * 0.6, w, h * 0.4);
	cairo_fill(cr);
	/* a ball bouncing across the bars */
	x = w * (0.5 + 0.42 * sin(t * 1.3));
	y = h * (0.3 + 0.22 * fabs(cos(t * 2.9)));
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_arc(cr, x, y, h * 0.06, 0, 2 * M_PI);
	cairo_fill(cr);

	cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_BOLD);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 now.tv_nsec / 1000000);
	cairo_set_source_rgb(cr, 1, 1, 1);
	text(cr, w * 0.05, h * 0.76, h * 0.12, line);
	cairo_set_source_rgb(cr, 0.6, 0.85, 1);
	snprintf(line, sizeof(line), "linux-miracast  %s  frame %u", mode, k);
	text(cr, w * 0.05, h * 0.88, h * 0.05, line);
	cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
	text(cr, w * 0.05, h * 0.95, h * 0.035,
	     "KMS client -> miracast.ko -> miracastd -> Wi-Fi Display sink");
	cairo_destroy(cr);
	cairo_surface_flush(s);
	cairo_surface_destroy(s);
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 10;
	unsigned int fps = argc > 2 ? (unsigned int)atoi(argv[2]) : 30;
	unsigned int k, n, flips = 0;
	struct mc_buf buf[N_BUFS];
	drmModeModeInfo mode;
	struct mc_display d;
	char name[64];
	int i, ret;

	if (!seconds || !fps || fps > 60) {
		fprintf(stderr, "usage: demo-draw SECONDS [FPS (1-60)]\n");
		return 2;
	}
	ret = mc_display_open(&d, 0);
	if (!ret)
		ret = preferred_mode(&d, &mode);
	if (ret) {
		fprintf(stderr, "demo-draw: the display: %s\n", strerror(-ret));
		return 1;
	}
	snprintf(name, sizeof(name), "%ux%u@%u", mode.hdisplay, mode.vdisplay, mode.vrefresh);
	for (i = 0; i < N_BUFS; i++) {
		ret = mc_buf_create(d.fd, &buf[i], mode.hdisplay, mode.vdisplay,
				    DRM_FORMAT_XRGB8888);
		if (ret) {
			fprintf(stderr, "demo-draw: a buffer: %s\n", strerror(-ret));
			return 1;
		}
	}
	draw(&buf[0], 0, fps, name);
	ret = mc_light_mode(&d, &buf[0], &mode, 0);
	if (ret) {
		fprintf(stderr, "demo-draw: modeset %s: %s\n", name, strerror(-ret));
		return 1;
	}
	n = seconds * fps;
	for (k = 1; k < n; k++) {
		struct mc_buf *b = &buf[k % N_BUFS];

		usleep(1000000 / fps);
		draw(b, k, fps, name);
		if (drmModePageFlip(d.fd, d.crtc, b->fb, DRM_MODE_PAGE_FLIP_EVENT, NULL)) {
			fprintf(stderr, "demo-draw: flip %u: %s\n", k, strerror(errno));
			return 1;
		}
		flips += mc_wait_flip(d.fd, 5000);
	}
	printf("demo-draw: %s, %u frames in %u s, %u flips completed\n", name, n, seconds,
	       flips);
	mc_dark(&d);
	for (i = 0; i < N_BUFS; i++)
		mc_buf_destroy(d.fd, &buf[i]);
	mc_display_close(&d);
	return flips == n - 1 ? 0 : 1;
}

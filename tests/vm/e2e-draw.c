// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end-to-end test's KMS client: lights /dev/miracast0's display in
 * 640x480 and flips through frames 0..N-1 of e2e-pattern.h, one every
 * INTERVAL_MS, each drawn into a buffer the display no longer shows, then
 * leaves the last one on screen HOLD_MS (500 by default) before switching
 * off. With SWITCH_AT and WxH, frames from SWITCH_AT on are shown in the
 * connector's WxH mode (a modeset while lit; the pattern in the top left
 * corner, black around it). Prints how many it drew and how many flips
 * completed.
 *   e2e-draw N INTERVAL_MS [HOLD_MS [SWITCH_AT WxH]]
 */
#include <stdio.h>
#include <time.h>

#include "e2e-pattern.h"
#include "miracast_kms_util.h"

static void draw(struct mc_buf *b, unsigned int k)
{
	unsigned int x, y;

	for (y = 0; y < E2E_H; y++) {
		uint32_t *row = (uint32_t *)(b->map + (size_t)y * b->pitch);

		for (x = 0; x < E2E_W; x++)
			row[x] = e2e_pixel(x, y, k);
	}
}

/* The connector's mode of that size ("1280x720"); 0 or -errno. */
static int find_mode(struct mc_display *d, const char *size, drmModeModeInfo *mode)
{
	drmModeConnectorPtr c = drmModeGetConnector(d->fd, d->connector);
	int i, ret = -ENOENT;

	if (!c)
		return -errno;
	for (i = 0; i < c->count_modes && ret; i++)
		if (!strcmp(c->modes[i].name, size)) {
			*mode = c->modes[i];
			ret = 0;
		}
	drmModeFreeConnector(c);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 100;
	unsigned int interval = argc > 2 ? (unsigned int)atoi(argv[2]) : 100;
	unsigned int hold = argc > 3 ? (unsigned int)atoi(argv[3]) : 500;
	unsigned int switch_at = argc > 5 ? (unsigned int)atoi(argv[4]) : n;
	drmModeModeInfo big;
	struct mc_display d;
	struct mc_buf buf[6];
	unsigned int k, flips = 0;
	int i, ret;

	ret = mc_display_open(&d, 0);
	if (ret) {
		fprintf(stderr, "e2e-draw: the display: %s\n", strerror(-ret));
		return 1;
	}
	if (switch_at < n) {
		ret = find_mode(&d, argv[5], &big);
		if (ret) {
			fprintf(stderr, "e2e-draw: mode %s: %s\n", argv[5], strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < (switch_at < n ? 6 : 3); i++) {
		ret = mc_buf_create(d.fd, &buf[i], i < 3 ? E2E_W : big.hdisplay,
				    i < 3 ? E2E_H : big.vdisplay, DRM_FORMAT_XRGB8888);
		if (ret) {
			fprintf(stderr, "e2e-draw: a buffer: %s\n", strerror(-ret));
			return 1;
		}
	}
	draw(&buf[0], 0);
	ret = mc_light(&d, &buf[0], 0);
	if (ret) {
		fprintf(stderr, "e2e-draw: modeset: %s\n", strerror(-ret));
		return 1;
	}
	for (k = 1; k < n; k++) {
		struct mc_buf *b = &buf[k % 3 + (k >= switch_at ? 3 : 0)];

		usleep(interval * 1000);
		draw(b, k);
		if (k == switch_at) {
			ret = mc_light_mode(&d, b, &big, 0);
			if (ret) {
				fprintf(stderr, "e2e-draw: modeset to %s: %s\n", argv[5],
					strerror(-ret));
				return 1;
			}
			flips++;	/* shown: a modeset is not a flip */
			continue;
		}
		if (drmModePageFlip(d.fd, d.crtc, b->fb, DRM_MODE_PAGE_FLIP_EVENT, NULL)) {
			fprintf(stderr, "e2e-draw: flip %u: %s\n", k, strerror(errno));
			return 1;
		}
		flips += mc_wait_flip(d.fd, 5000);
	}
	/* the last frame stays on screen a while */
	usleep(hold * 1000);
	printf("drawn %u flips %u\n", n, flips);
	mc_dark(&d);
	for (i = 0; i < (switch_at < n ? 6 : 3); i++)
		mc_buf_destroy(d.fd, &buf[i]);
	mc_display_close(&d);
	return flips == n - 1 ? 0 : 1;
}

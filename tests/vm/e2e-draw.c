// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end-to-end test's KMS client: lights /dev/miracast0's display in
 * 640x480 and flips through frames 0..N-1 of e2e-pattern.h, one every
 * INTERVAL_MS, each drawn into a buffer the display no longer shows, then
 * leaves the last one on screen HOLD_MS (500 by default) before switching
 * off. Prints how many it drew and how many flips completed.
 *   e2e-draw N INTERVAL_MS [HOLD_MS]
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

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 100;
	unsigned int interval = argc > 2 ? (unsigned int)atoi(argv[2]) : 100;
	unsigned int hold = argc > 3 ? (unsigned int)atoi(argv[3]) : 500;
	struct mc_display d;
	struct mc_buf buf[3];
	unsigned int k, flips = 0;
	int i, ret;

	ret = mc_display_open(&d, 0);
	if (ret) {
		fprintf(stderr, "e2e-draw: the display: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < 3; i++) {
		ret = mc_buf_create(d.fd, &buf[i], E2E_W, E2E_H, DRM_FORMAT_XRGB8888);
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
		struct mc_buf *b = &buf[k % 3];

		usleep(interval * 1000);
		draw(b, k);
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
	for (i = 0; i < 3; i++)
		mc_buf_destroy(d.fd, &buf[i]);
	mc_display_close(&d);
	return flips == n - 1 ? 0 : 1;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The end-to-end test's picture: frame k of a moving pattern, with k
 * written in its top band as 16 black or white blocks (a white one, the 14
 * bits of k, a black one), so a receiver can tell which drawn frame it
 * decoded and compare it with what was drawn.
 */
#ifndef E2E_PATTERN_H
#define E2E_PATTERN_H

#include <stdint.h>

#define E2E_W		640
#define E2E_H		480
#define E2E_BITS	16
#define E2E_BAND	32	/* rows of the frame number */
#define E2E_BLOCK	(E2E_W / E2E_BITS)

/* Block i of frame k's band: white (1) or black (0). */
static inline int e2e_band_bit(unsigned int i, unsigned int k)
{
	if (i == 0)
		return 1;
	if (i == E2E_BITS - 1)
		return 0;
	return (k >> (E2E_BITS - 2 - i)) & 1;
}

/* XRGB8888 of pixel (x, y) of frame k */
static inline uint32_t e2e_pixel(unsigned int x, unsigned int y, unsigned int k)
{
	unsigned int r, g, b;

	if (y < E2E_BAND)
		return e2e_band_bit(x / E2E_BLOCK, k) ? 0x00ffffff : 0;
	/* smooth ramps that move with k; a disc travels across */
	r = (x / 3 + 2 * k) & 0xff;
	g = (y / 2 + k) & 0xff;
	b = 128 + ((int)((x + y + 3 * k) % 256) - 128) / 2;
	{
		int dx = (int)x - (int)((40 + 6 * k) % E2E_W), dy = (int)y - 260;

		if (dx * dx + dy * dy < 60 * 60)
			r = 240, g = 240, b = 40;
	}
	return r << 16 | g << 8 | b;
}

/*
 * Limited-range luma of an XRGB8888 pixel, as videoconvert makes it: with
 * BT.601's weights (kr 0.299, kb 0.114), or BT.709's (0.2126, 0.0722) that
 * GStreamer gives HD pictures.
 */
static inline double e2e_luma(uint32_t p, double kr, double kb)
{
	double r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

	return 16.0 + 219.0 * (kr * r + (1 - kr - kb) * g + kb * b) / 255.0;
}

#endif /* E2E_PATTERN_H */

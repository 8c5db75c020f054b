/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a decoded picture of the end-to-end test's pattern
 * (e2e-pattern.h): the frame number in its top band, and the PSNR of its
 * luma against the frame that was drawn. The picture is 8-bit luma rows
 * of stride bytes, at least E2E_W x E2E_H (a larger one is compared in its
 * top left corner). Shared by e2e-receive and miracast-testsink.
 */
#ifndef E2E_FRAME_H
#define E2E_FRAME_H

#include <math.h>

#include <gst/video/video.h>

#include "e2e-pattern.h"

/* The frame number of a decoded picture, or -1 (no band: not ours). */
static inline int e2e_read_number(const guint8 *y, int stride)
{
	int i, k = 0;

	for (i = 0; i < E2E_BITS; i++) {
		int x0 = i * E2E_BLOCK + E2E_BLOCK / 4, sum = 0, n = 0, x, row, white;

		for (row = E2E_BAND / 4; row < 3 * E2E_BAND / 4; row++)
			for (x = x0; x < x0 + E2E_BLOCK / 2; x++, n++)
				sum += y[row * stride + x];
		sum /= n;
		if (sum > 80 && sum <= 160)
			return -1;
		white = sum > 160;
		if (i == 0 || i == E2E_BITS - 1) {
			if (white != e2e_band_bit(i, 0))
				return -1;
			continue;
		}
		k = k << 1 | white;
	}
	return k;
}

/* Against frame k as drawn, in the colour matrix the picture says it has. */
static inline double e2e_psnr(const guint8 *y, int stride, int k, GstVideoColorMatrix matrix)
{
	double se = 0, kr = 0.299, kb = 0.114;
	int px, py, n = 0;

	gst_video_color_matrix_get_Kr_Kb(matrix, &kr, &kb);
	for (py = E2E_BAND; py < E2E_H; py++)
		for (px = 0; px < E2E_W; px++, n++) {
			double d = y[py * stride + px] - e2e_luma(e2e_pixel(px, py, k), kr, kb);

			se += d * d;
		}
	se /= n;
	return se > 0 ? 10 * log10(255.0 * 255.0 / se) : 99;
}

#endif /* E2E_FRAME_H */

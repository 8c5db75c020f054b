/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The media benchmark's picture: frame k of a synthetic desktop at any
 * size, the same for the KMS client that draws it and the receiver that
 * compares what it decoded with it. Drawn in a 16-colour palette (one
 * byte a pixel), so that the receiver can compute the reference's luma
 * cheaply:
 *
 *   - a top band of 16 black or white blocks carrying k, laid out as the
 *     end-to-end test's (e2e-pattern.h), so the receiver knows the frame;
 *   - a flat desktop, a document window full of 1-pixel "text" that never
 *     changes, a terminal whose text scrolls by one line a frame, a small
 *     window that moves a little each frame, and a cursor.
 */
#ifndef MEDIA_PATTERN_H
#define MEDIA_PATTERN_H

#include <stdint.h>
#include <string.h>

#include "e2e-pattern.h"

#define MP_BITS		E2E_BITS
#define MP_BAND		32	/* rows of the frame number */
#define MP_GLYPH_W	6	/* a text cell: a 5x7 glyph and its spacing */
#define MP_GLYPH_H	12

enum {
	MP_DESKTOP, MP_BLACK, MP_WHITE, MP_TITLE, MP_INK, MP_BORDER, MP_TERM,
	MP_TERM_INK, MP_PANEL, MP_PANEL_INK, MP_ACCENT, MP_COLOURS
};

/* XRGB8888 of each palette entry */
static const uint32_t mp_palette[MP_COLOURS] = {
	[MP_DESKTOP] = 0x003a6e8f, [MP_BLACK] = 0x00000000, [MP_WHITE] = 0x00ffffff,
	[MP_TITLE] = 0x002b4c7e, [MP_INK] = 0x00303030, [MP_BORDER] = 0x00909498,
	[MP_TERM] = 0x001c1c1c, [MP_TERM_INK] = 0x0070d070, [MP_PANEL] = 0x00e8e4dc,
	[MP_PANEL_INK] = 0x00a03020, [MP_ACCENT] = 0x00f0c020,
};

struct mp_canvas {
	uint8_t *px;		/* w * h palette indices, rows packed */
	int w, h;
};

static inline uint32_t mp_hash(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u) * 0x85ebca6bu ^ c * 0xc2b2ae35u;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* A rectangle, clipped to the canvas. */
static inline void mp_fill(struct mp_canvas *c, int x, int y, int w, int h, uint8_t colour)
{
	int row;

	if (x < 0)
		w += x, x = 0;
	if (y < 0)
		h += y, y = 0;
	if (x + w > c->w)
		w = c->w - x;
	if (y + h > c->h)
		h = c->h - y;
	for (row = y; w > 0 && row < y + h; row++)
		memset(c->px + (size_t)row * c->w + x, colour, w);
}

/*
 * Lines of text in a box: line l of the box shows the text's line
 * first + l, words of glyphs made of pseudo-random strokes (1-pixel detail).
 */
static inline void mp_text(struct mp_canvas *c, int x, int y, int w, int h, uint8_t ink,
			   uint32_t seed, unsigned int first)
{
	int cols = w / MP_GLYPH_W, lines = h / MP_GLYPH_H, l, col, gx, gy;

	for (l = 0; l < lines; l++) {
		uint32_t line = first + l;
		int len = cols / 3 + (int)(mp_hash(seed, line, 0) % (uint32_t)(2 * cols / 3 + 1));

		if (mp_hash(seed, line, 1) % 9 == 0)
			continue;	/* a blank line */
		for (col = 0; col < len && col < cols; col++) {
			uint32_t g = mp_hash(seed, line, col + 2);

			if (g % 6 == 0)
				continue;	/* between words */
			for (gy = 0; gy < 7; gy++) {
				uint8_t *p = c->px + (size_t)(y + l * MP_GLYPH_H + 2 + gy) * c->w +
					     x + col * MP_GLYPH_W;
				uint32_t bits = mp_hash(g, gy, seed) | (gy == 6 ? 0x1f : 0);

				for (gx = 0; gx < 5; gx++)
					if ((bits >> (3 * gx)) & 3)	/* 3 in 4 on: dense strokes */
						p[gx] = ink;
			}
		}
	}
}

/* A window: border, title bar, body. The body's box in *bx..*bh. */
static inline void mp_window(struct mp_canvas *c, int x, int y, int w, int h, uint8_t title,
			     uint8_t body, int *bx, int *by, int *bw, int *bh)
{
	int t = 8 + c->h / 48;

	mp_fill(c, x - 1, y - 1, w + 2, h + 2, MP_BORDER);
	mp_fill(c, x, y, w, t, title);
	mp_fill(c, x + w - t + 3, y + 3, t - 6, t - 6, MP_ACCENT);	/* a close button */
	mp_fill(c, x, y + t, w, h - t, body);
	*bx = x + 4;
	*by = y + t + 2;
	*bw = w - 8;
	*bh = h - t - 4;
}

/* v swept back and forth over 0..m-1 */
static inline int mp_sweep(unsigned int v, int m)
{
	unsigned int p = v % (2u * (unsigned int)m);

	return p < (unsigned int)m ? (int)p : (int)(2u * (unsigned int)m - p - 1);
}

/* The arrow cursor at (x, y). */
static inline void mp_cursor(struct mp_canvas *c, int x, int y)
{
	int r;

	for (r = 0; r < 19; r++) {
		int w = r < 13 ? r + 1 : 19 - r;

		mp_fill(c, x, y + r, w + 1, 1, MP_BLACK);
		if (r > 0 && r < 18)
			mp_fill(c, x + 1, y + r, w - 1, 1, MP_WHITE);
	}
}

/* Frame k, the whole canvas. */
static inline void mp_render(struct mp_canvas *c, unsigned int k)
{
	int W = c->w, H = c->h, s = H, bx, by, bw, bh, x, y, w, h, i;

#define MP_SC(v) ((v) * s / 720)
	mp_fill(c, 0, 0, W, H, MP_DESKTOP);
	/* a panel under the band, with its "clock" */
	mp_fill(c, 0, MP_BAND, W, MP_SC(18), MP_PANEL);
	mp_text(c, W - 60 * MP_GLYPH_W, MP_BAND, 58 * MP_GLYPH_W, MP_GLYPH_H, MP_PANEL_INK,
		7, 0);
	/* the document: static text */
	mp_window(c, MP_SC(40), MP_SC(80), W * 45 / 100, H * 62 / 100, MP_TITLE, MP_WHITE,
		  &bx, &by, &bw, &bh);
	mp_text(c, bx, by, bw, bh, MP_INK, 1, 0);
	/* the terminal: its text scrolls by a line each frame */
	mp_window(c, W * 52 / 100, MP_SC(100), W * 44 / 100, H * 50 / 100, MP_TITLE, MP_TERM,
		  &bx, &by, &bw, &bh);
	mp_text(c, bx, by, bw, bh, MP_TERM_INK, 2, k);
	/* a small window moving across the bottom */
	w = W * 24 / 100;
	h = H * 22 / 100;
	x = 20 + mp_sweep(k * MP_SC(29), W - w - 40);
	y = H - h - MP_SC(30) - mp_sweep(k * MP_SC(7), MP_SC(90));
	mp_window(c, x, y, w, h, MP_PANEL_INK, MP_PANEL, &bx, &by, &bw, &bh);
	mp_text(c, bx, by, bw, bh, MP_INK, 3, 0);
	/* the cursor */
	mp_cursor(c, 10 + mp_sweep(k * MP_SC(41), W - 40),
		  MP_BAND + MP_SC(20) + mp_sweep(k * MP_SC(23), H - MP_BAND - MP_SC(20) - 30));
	/* the frame number */
	for (i = 0; i < MP_BITS; i++)
		mp_fill(c, i * W / MP_BITS, 0, (i + 1) * W / MP_BITS - i * W / MP_BITS, MP_BAND,
			e2e_band_bit(i, k) ? MP_WHITE : MP_BLACK);
#undef MP_SC
}

/*
 * Limited-range luma of a palette entry, as videoconvert makes it with the
 * matrix's kr and kb (BT.601: 0.299, 0.114; BT.709, GStreamer's default
 * for HD pictures: 0.2126, 0.0722).
 */
static inline double mp_luma(unsigned int colour, double kr, double kb)
{
	uint32_t p = mp_palette[colour];
	double r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;

	return 16.0 + 219.0 * (kr * r + (1 - kr - kb) * g + kb * b) / 255.0;
}

#endif /* MEDIA_PATTERN_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The media benchmark's receiver. Takes the RTP packets sent to
 * 127.0.0.1:PORT, each stamped with CLOCK_MONOTONIC as recv() returns it,
 * until IDLE seconds pass without one (a minute for the first); then, with
 * nothing else running, takes the TS out of the RTP, the H.264 PES (PID
 * 0x1011) out of the TS, and decodes each access unit with GStreamer. A
 * decoded picture's top band tells which frame of media_pattern.h it
 * shows: the first picture of frame k is compared with frame k as drawn
 * (PSNR of the luma below the band, with the matrix its caps give), and the first RTP packet of its PES
 * is the frame's arrival. With DRAW_LOG (media_draw's output: flip times,
 * the streaming process's CPU time) it prints:
 *
 *   received U of N pictures P kbps B latency_p50_ms L latency_p99_ms L
 *   psnr_mean Q psnr_min Q cpu_ms_per_frame C static_cpu_ms_per_s S
 *
 * latency: flip -> first packet of frame k, for k >= WARMUP; U: frames
 * that arrived (of N drawn); P: pictures decoded up to the end of the
 * active window (repeats of a frame included); B: kbit/s over the active
 * window; C: the streaming process's CPU time over the active window (the
 * flip of frame WARMUP to media_draw's SETTLE after the last) per frame
 * that arrived from it; S: its CPU time per second of the static screen.
 *
 *   media_receive PORT N DRAW_LOG [IDLE]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "media_pattern.h"

#define WARMUP		2	/* as media_draw */
#define VIDEO_PID	0x1011
#define TS_SIZE		188
#define AU_STEP		(10 * GST_MSECOND)	/* the decoder's PTS: (PES index + 1) x this */

typedef struct {
	gint64 t;		/* arrival of the RTP packet with the PES's start */
	gsize off, len;		/* its elementary stream in Rx.es */
} Pes;

typedef struct {
	GArray *times;		/* gint64 arrival of each packet */
	GArray *sizes;		/* guint16 size of each */
	GByteArray *data;	/* the packets, one after the other */
	GArray *pes;		/* Pes */
	GByteArray *es;
	guint n_push;		/* PES to decode */
} Rx;

typedef struct {
	guint n;
	gint64 *flip;		/* ns, by frame; 0: not flipped */
	long long cpu[3], cpu_t[3];	/* start, active, static: ticks and ns */
	long clk_tck;
} DrawLog;

static gint64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int capture(Rx *rx, int port, int idle_s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), size = 16 << 20;
	guint8 buf[65536];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("media_receive: bind");
		return -1;
	}
	/* room for a burst (a key frame) while this process waits to run */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout = (rx->times->len ? idle_s : 60) * 1000;
		ssize_t n;
		gint64 t;
		guint16 len;

		if (poll(&p, 1, timeout) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		t = now_ns();
		if (n <= 0)
			continue;
		len = (guint16)n;
		g_array_append_val(rx->times, t);
		g_array_append_val(rx->sizes, len);
		g_byte_array_append(rx->data, buf, len);
	}
	close(fd);
	return 0;
}

/* RTP -> TS -> the video PID's PES, each with its first packet's arrival. */
static void demux(Rx *rx)
{
	const guint8 *pkt = rx->data->data;
	Pes *cur = NULL;
	guint i;

	for (i = 0; i < rx->times->len; pkt += g_array_index(rx->sizes, guint16, i), i++) {
		guint len = g_array_index(rx->sizes, guint16, i), hdr, at;

		if (len < 12 || (pkt[0] >> 6) != 2)
			continue;
		hdr = 12 + 4 * (pkt[0] & 0xf);
		if ((pkt[0] & 0x10) && hdr + 4 <= len)
			hdr += 4 + 4 * (pkt[hdr + 2] << 8 | pkt[hdr + 3]);
		for (at = hdr; at + TS_SIZE <= len; at += TS_SIZE) {
			const guint8 *ts = pkt + at;
			guint pid = (ts[1] & 0x1f) << 8 | ts[2], afc = (ts[3] >> 4) & 3, p = 4;

			if (ts[0] != 0x47 || pid != VIDEO_PID)
				continue;
			if (afc & 2)
				p += 1 + ts[4];
			if (!(afc & 1) || p >= TS_SIZE)
				continue;
			if (ts[1] & 0x40) {	/* a PES starts: 00 00 01, id, length, flags, header */
				Pes pes = { .t = g_array_index(rx->times, gint64, i),
					    .off = rx->es->len };

				if (p + 9 > TS_SIZE || ts[p] || ts[p + 1] || ts[p + 2] != 1)
					continue;
				p += 9 + ts[p + 8];
				if (p > TS_SIZE)
					continue;
				g_array_append_val(rx->pes, pes);
				cur = &g_array_index(rx->pes, Pes, rx->pes->len - 1);
			}
			if (!cur)
				continue;
			g_byte_array_append(rx->es, ts + p, TS_SIZE - p);
			cur->len += TS_SIZE - p;
		}
	}
}

static gboolean read_draw_log(const char *path, DrawLog *d)
{
	static const char * const phase[] = { "start", "active", "static" };
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	long long a, b;
	char word[16];
	guint i, j, k;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i]; i++) {
		if (sscanf(lines[i], "flip %u %lld", &k, &a) == 2 && k < d->n)
			d->flip[k] = a;
		else if (sscanf(lines[i], "cpu %15s %lld %lld", word, &a, &b) == 3)
			for (j = 0; j < 3; j++)
				if (!strcmp(word, phase[j]))
					d->cpu[j] = a, d->cpu_t[j] = b;
		sscanf(lines[i], "clk_tck %ld", &d->clk_tck);
	}
	return d->clk_tck > 0 && d->cpu_t[2] > 0;
}

static gpointer push_thread(gpointer data)
{
	GstElement *src = data;
	Rx *rx = g_object_get_data(G_OBJECT(src), "rx");
	guint i;

	for (i = 0; i < rx->n_push; i++) {
		const Pes *p = &g_array_index(rx->pes, Pes, i);
		GstBuffer *b = gst_buffer_new_memdup(rx->es->data + p->off, p->len);

		GST_BUFFER_PTS(b) = (i + 1) * AU_STEP;
		GST_BUFFER_DURATION(b) = AU_STEP;
		if (gst_app_src_push_buffer(GST_APP_SRC(src), b) != GST_FLOW_OK)
			break;
	}
	gst_app_src_end_of_stream(GST_APP_SRC(src));
	return NULL;
}

/* The mean luma of rows of the band's middle half, columns x0..x1-1. */
static double band_mean(const guint8 *y, int stride, int x0, int x1)
{
	double sum = 0;
	int row, x;

	for (row = MP_BAND / 4; row < 3 * MP_BAND / 4; row++)
		for (x = x0; x < x1; x++)
			sum += y[row * stride + x];
	return sum / ((MP_BAND / 2) * (x1 - x0));
}

/*
 * The frame number in a decoded picture's band, or -1 (no band). Each
 * block is judged against the two markers, the white first and the black
 * last block, wherever the encoder put their levels.
 */
static int read_number(const guint8 *y, int stride, int w)
{
	double level[MP_BITS], white, black;
	int i, k = 0;

	for (i = 0; i < MP_BITS; i++) {
		int x0 = i * w / MP_BITS, x1 = (i + 1) * w / MP_BITS;

		level[i] = band_mean(y, stride, x0 + (x1 - x0) / 4, x1 - (x1 - x0) / 4);
	}
	white = level[0];
	black = level[MP_BITS - 1];
	if (white - black < 100)
		return -1;
	for (i = 1; i < MP_BITS - 1; i++) {
		double v = (level[i] - black) / (white - black);

		if (v > 0.25 && v < 0.75)
			return -1;
		k = k << 1 | (v >= 0.75);
	}
	return k;
}

/* PSNR of the luma below the band; the picture's matrix as the sender's. */
static double psnr(const guint8 *y, int stride, const GstVideoInfo *info, struct mp_canvas *ref,
		   unsigned int k)
{
	double luma[MP_COLOURS], se = 0, kr = 0.2126, kb = 0.0722;
	int px, py, i;

	if (!gst_video_color_matrix_get_Kr_Kb(info->colorimetry.matrix, &kr, &kb))
		kr = 0.2126, kb = 0.0722;
	for (i = 0; i < MP_COLOURS; i++)
		luma[i] = mp_luma(i, kr, kb);
	mp_render(ref, k);
	for (py = MP_BAND; py < ref->h; py++) {
		const uint8_t *r = ref->px + (size_t)py * ref->w;

		for (px = 0; px < ref->w; px++) {
			double d = y[py * stride + px] - luma[r[px]];

			se += d * d;
		}
	}
	se /= (double)ref->w * (ref->h - MP_BAND);
	return se > 0 ? 10 * log10(255.0 * 255.0 / se) : 99;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	Rx rx = {
		.times = g_array_new(FALSE, FALSE, sizeof(gint64)),
		.sizes = g_array_new(FALSE, FALSE, sizeof(guint16)),
		.data = g_byte_array_new(), .pes = g_array_new(FALSE, TRUE, sizeof(Pes)),
		.es = g_byte_array_new(),
	};
	DrawLog d = { 0 };
	struct mp_canvas ref = { 0 };
	GstElement *pipe, *src, *sink;
	GError *error = NULL;
	GThread *pusher;
	GstSample *s;
	gint64 *arrival;
	double *lat, sum_psnr = 0, min_psnr = 99;
	guint pictures = 0, unique = 0, in_window = 0, n_lat = 0, i;
	guint64 bytes = 0;
	int idle;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: media_receive PORT N DRAW_LOG [IDLE]\n");
		return 2;
	}
	gst_init(&argc, &argv);
	d.n = (guint)atoi(argv[2]);
	idle = argc > 4 ? atoi(argv[4]) : 3;
	if (d.n <= WARMUP || d.n >= 1u << (MP_BITS - 2)) {
		fprintf(stderr, "media_receive: N out of range\n");
		return 2;
	}
	d.flip = g_new0(gint64, d.n);
	arrival = g_new0(gint64, d.n);
	lat = g_new0(double, d.n);
	if (capture(&rx, atoi(argv[1]), idle))
		return 1;
	if (!read_draw_log(argv[3], &d)) {
		fprintf(stderr, "media_receive: no flip times and CPU samples in %s\n", argv[3]);
		return 1;
	}
	demux(&rx);
	/* what came in the active window: decoded; its bytes: the bitrate */
	for (i = 0; i < rx.times->len; i++) {
		gint64 t = g_array_index(rx.times, gint64, i);

		if (t >= d.cpu_t[0] && t <= d.cpu_t[1])
			bytes += g_array_index(rx.sizes, guint16, i);
	}
	while (rx.n_push < rx.pes->len &&
	       g_array_index(rx.pes, Pes, rx.n_push).t <= d.cpu_t[1])
		rx.n_push++;

	pipe = gst_parse_launch("appsrc name=src format=time block=true max-bytes=4000000 "
				"caps=video/x-h264,stream-format=byte-stream,alignment=au ! "
				"h264parse ! openh264dec ! videoconvert ! "
				"video/x-raw,format=I420 ! appsink name=sink sync=false "
				"max-buffers=2", &error);
	if (!pipe) {
		fprintf(stderr, "media_receive: %s\n", error->message);
		return 1;
	}
	src = gst_bin_get_by_name(GST_BIN(pipe), "src");
	sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
	g_object_set_data(G_OBJECT(src), "rx", &rx);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	pusher = g_thread_new("push", push_thread, src);
	while ((s = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
		GstBuffer *b = gst_sample_get_buffer(s);
		guint idx = (guint)(GST_BUFFER_PTS(b) / AU_STEP) - 1;
		GstVideoFrame f;
		GstVideoInfo info;
		int k;

		gst_video_info_from_caps(&info, gst_sample_get_caps(s));
		if (idx < rx.n_push && gst_video_frame_map(&f, &info, b, GST_MAP_READ)) {
			const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(&f, 0);
			int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);

			pictures++;
			if (!ref.px) {
				ref.w = GST_VIDEO_INFO_WIDTH(&info);
				ref.h = GST_VIDEO_INFO_HEIGHT(&info);
				ref.px = g_malloc((gsize)ref.w * ref.h);
			}
			k = ref.w == GST_VIDEO_INFO_WIDTH(&info) &&
			    ref.h == GST_VIDEO_INFO_HEIGHT(&info) ? read_number(y, stride, ref.w) : -1;
			if (k >= 0 && (guint)k < d.n && !arrival[k]) {
				double p = psnr(y, stride, &info, &ref, k);

				if (p < 40)
					printf("low frame %d psnr %.2f\n", k, p);

				arrival[k] = g_array_index(rx.pes, Pes, idx).t;
				unique++;
				sum_psnr += p;
				min_psnr = MIN(min_psnr, p);
				if (k >= WARMUP && d.flip[k]) {
					lat[n_lat++] = (arrival[k] - d.flip[k]) / 1e6;
					in_window++;
				}
			}
			gst_video_frame_unmap(&f);
		}
		gst_sample_unref(s);
	}
	g_thread_join(pusher);
	gst_element_set_state(pipe, GST_STATE_NULL);
	if (!unique || !n_lat) {
		fprintf(stderr, "media_receive: %u packets, %u PES, no frame recognised\n",
			rx.times->len, rx.pes->len);
		return 1;
	}
	qsort(lat, n_lat, sizeof(*lat), cmp_double);
	printf("received %u of %u pictures %u kbps %.0f latency_p50_ms %.1f latency_p99_ms %.1f "
	       "psnr_mean %.2f psnr_min %.2f cpu_ms_per_frame %.1f static_cpu_ms_per_s %.1f\n",
	       unique, d.n, pictures,
	       bytes * 8.0 / ((d.cpu_t[1] - d.cpu_t[0]) / 1e9) / 1000,
	       lat[n_lat / 2], lat[MIN(n_lat - 1, n_lat * 99 / 100)], sum_psnr / unique,
	       min_psnr, (d.cpu[1] - d.cpu[0]) * 1000.0 / d.clk_tck / in_window,
	       (d.cpu[2] - d.cpu[1]) * 1000.0 / d.clk_tck / ((d.cpu_t[2] - d.cpu_t[1]) / 1e9));
	for (i = 0; i < d.n; i++)
		if (!arrival[i])
			printf("missing %u\n", i);
	gst_object_unref(src);
	gst_object_unref(sink);
	gst_object_unref(pipe);
	g_free(ref.px);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The end-to-end test's receiver: RTP on a UDP port, depacketised,
 * demuxed and decoded by GStreamer (the TS is also saved); each decoded
 * frame's number is read from its top band and its luma compared with
 * what e2e-draw drew (PSNR; in a larger picture, its top left corner).
 * Ends IDLE seconds after the last frame.
 *   e2e-receive PORT TS_FILE IDLE
 * Prints: decoded D unique U unreadable R min_psnr P mean_psnr M, then
 * the decoded pictures' sizes: size WxH N, one line each.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "e2e-frame.h"

int main(int argc, char **argv)
{
	g_autofree char *desc = NULL;
	g_autofree guint8 *seen = g_malloc0(1 << (E2E_BITS - 2));
	int first = -1, last = -1, missing = 0;
	guint decoded = 0, unique = 0, unreadable = 0;
	double min_psnr = 99, sum_psnr = 0;
	struct { int w, h; guint n; } sizes[8] = { { 0 } };
	GstElement *pipe, *sink;
	GError *error = NULL;
	GstSample *s;
	int idle, k;

	if (argc != 4) {
		fprintf(stderr, "usage: e2e-receive PORT TS_FILE IDLE\n");
		return 2;
	}
	gst_init(&argc, &argv);
	idle = atoi(argv[3]);
	desc = g_strdup_printf(
		"udpsrc port=%s caps=\"application/x-rtp,media=video,clock-rate=90000,"
		"encoding-name=MP2T,payload=33\" buffer-size=4194304 ! rtpmp2tdepay ! "
		"tee name=t ! queue ! filesink location=%s "
		"t. ! queue ! tsdemux name=d d. ! queue ! h264parse ! openh264dec ! "
		"videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
		argv[1], argv[2]);
	pipe = gst_parse_launch(desc, &error);
	if (!pipe) {
		fprintf(stderr, "e2e-receive: %s\n", error->message);
		return 1;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	printf("listening\n");
	fflush(stdout);
	/* a minute for the first frame, then IDLE seconds for each next */
	while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
						 (decoded ? idle : 60) * GST_SECOND))) {
		GstVideoFrame f;
		GstVideoInfo info;

		gst_video_info_from_caps(&info, gst_sample_get_caps(s));
		if (gst_video_frame_map(&f, &info, gst_sample_get_buffer(s), GST_MAP_READ)) {
			const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(&f, 0);
			int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);

			int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
			guint i;

			decoded++;
			for (i = 0; i < G_N_ELEMENTS(sizes) - 1 && sizes[i].n &&
				    (sizes[i].w != w || sizes[i].h != h); i++)
				;
			sizes[i].w = w;
			sizes[i].h = h;
			sizes[i].n++;
			k = w >= E2E_W && h >= E2E_H ? e2e_read_number(y, stride) : -1;
			if (k < 0) {
				unreadable++;
			} else {
				double p = e2e_psnr(y, stride, k, info.colorimetry.matrix);

				if (p < 35)
					printf("low frame %d %dx%d psnr %.2f\n", k, w, h, p);

				if (!seen[k]++)
					unique++;
				first = first < 0 ? k : MIN(first, k);
				last = MAX(last, k);
				min_psnr = MIN(min_psnr, p);
				sum_psnr += p;
			}
			gst_video_frame_unmap(&f);
		}
		gst_sample_unref(s);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	printf("decoded %u unique %u unreadable %u first %d last %d min_psnr %.2f "
	       "mean_psnr %.2f\n", decoded, unique, unreadable, first, last, min_psnr,
	       decoded > unreadable ? sum_psnr / (decoded - unreadable) : 0.0);
	for (k = 0; k < (int)G_N_ELEMENTS(sizes) && sizes[k].n; k++)
		printf("size %dx%d %u\n", sizes[k].w, sizes[k].h, sizes[k].n);
	for (k = first; k >= 0 && k <= last && missing < 20; k++)
		if (!seen[k]) {
			printf("missing %d\n", k);
			missing++;
		}
	gst_object_unref(sink);
	gst_object_unref(pipe);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the TS/RTP layout with real GStreamer: H.264 (x264) and AAC
 * muxed by mc_ts_mux_new() and packetised by mc_rtp_pay_new(); the RTP
 * packets and the TS inside them are parsed back and checked against
 * Wi-Fi Display's rules (PIDs, stream types, PSI and PCR repetition,
 * continuity counters, 7 TS packets per RTP packet, payload type 33).
 */
#include <string.h>

#include <gio/gio.h>
#include <gst/app/gstappsink.h>

#include "mc-encoder.h"
#include "mc-ts.h"
#include "play-to-end.h"

#define SECONDS	3

typedef struct {
	guint rtp_packets, short_packets;
	gboolean rtp_ok, seq_ok, ssrc_ok;
	guint16 last_seq;
	guint32 ssrc;

	guint ts_packets, cc_errors;
	int cc[8192];			/* last continuity counter per PID, -1: none */
	guint pat, pmt, video, audio;
	int pmt_pid, pcr_pid, video_type, audio_type, video_es_pid, audio_es_pid;
	guint64 last_pcr, last_psi_pcr, max_psi_gap, max_pcr_gap;
	gboolean have_pcr, have_psi_pcr;
} Stream;

static void parse_pat(Stream *s, const guint8 *sec)
{
	/* table_id 0, program 1 -> PMT PID */
	if (sec[0] != 0x00)
		return;
	s->pmt_pid = sec[8] == 0 && sec[9] == 1 ? ((sec[10] & 0x1f) << 8) | sec[11] : -2;
}

static void parse_pmt(Stream *s, const guint8 *sec)
{
	guint len = ((sec[1] & 0x0f) << 8) | sec[2];
	guint info = ((sec[10] & 0x0f) << 8) | sec[11];
	guint i = 12 + info;

	if (sec[0] != 0x02)
		return;
	s->pcr_pid = ((sec[8] & 0x1f) << 8) | sec[9];
	while (i + 5 <= 3 + len - 4) {
		guint type = sec[i], pid = ((sec[i + 1] & 0x1f) << 8) | sec[i + 2];
		guint es_info = ((sec[i + 3] & 0x0f) << 8) | sec[i + 4];

		if (type == 0x1b) {
			s->video_type = type;
			s->video_es_pid = pid;
		} else {
			s->audio_type = type;
			s->audio_es_pid = pid;
		}
		i += 5 + es_info;
	}
}

static void parse_ts(Stream *s, const guint8 *p)
{
	guint pid = ((p[1] & 0x1f) << 8) | p[2];
	gboolean pusi = p[1] & 0x40, payload = p[3] & 0x10;
	guint afc = (p[3] >> 4) & 3, off = 4;
	int cc = p[3] & 0x0f;

	g_assert_cmpuint(p[0], ==, 0x47);
	s->ts_packets++;
	if (afc & 2) {
		guint alen = p[4];

		if (alen && (p[5] & 0x10)) {	/* PCR */
			guint64 base = ((guint64)p[6] << 25) | (p[7] << 17) | (p[8] << 9) |
				       (p[9] << 1) | (p[10] >> 7);

			if (s->have_pcr && base > s->last_pcr)
				s->max_pcr_gap = MAX(s->max_pcr_gap, base - s->last_pcr);
			s->last_pcr = base;
			s->have_pcr = TRUE;
		}
		off += 1 + alen;
	}
	if (pid != 0x1fff && payload) {
		if (s->cc[pid] >= 0 && cc != ((s->cc[pid] + 1) & 0xf))
			s->cc_errors++;
		s->cc[pid] = cc;
	}
	if (!payload || off >= MC_TS_PACKET)
		return;
	if (pid == 0 && pusi) {
		s->pat++;
		if (s->have_pcr) {
			if (s->have_psi_pcr)
				s->max_psi_gap = MAX(s->max_psi_gap,
						     s->last_pcr - s->last_psi_pcr);
			s->last_psi_pcr = s->last_pcr;
			s->have_psi_pcr = TRUE;
		}
		parse_pat(s, p + off + 1 + p[off]);
	} else if ((int)pid == s->pmt_pid && pusi) {
		s->pmt++;
		parse_pmt(s, p + off + 1 + p[off]);
	} else if (pid == MC_TS_VIDEO_PID) {
		s->video++;
	} else if (pid == MC_TS_AUDIO_PID) {
		s->audio++;
	}
}

static void parse_rtp(Stream *s, const guint8 *d, gsize n)
{
	guint16 seq = (d[2] << 8) | d[3];
	guint32 ssrc = ((guint32)d[8] << 24) | (d[9] << 16) | (d[10] << 8) | d[11];
	gsize i;

	if ((d[0] >> 6) != 2 || (d[0] & 0x3f) || (d[1] & 0x7f) != MC_RTP_PT_MP2T)
		s->rtp_ok = FALSE;
	if (s->rtp_packets && seq != (guint16)(s->last_seq + 1))
		s->seq_ok = FALSE;
	if (s->rtp_packets && ssrc != s->ssrc)
		s->ssrc_ok = FALSE;
	if (!s->rtp_packets && seq != 0)
		s->seq_ok = FALSE;
	s->last_seq = seq;
	s->ssrc = ssrc;
	s->rtp_packets++;
	if (n != MC_RTP_HEADER + MC_TS_PER_RTP * MC_TS_PACKET)
		s->short_packets++;
	g_assert_cmpuint((n - MC_RTP_HEADER) % MC_TS_PACKET, ==, 0);
	for (i = MC_RTP_HEADER; i < n; i += MC_TS_PACKET)
		parse_ts(s, d + i);
}

static void on_rtp(const guint8 *d, gsize n, gpointer s)
{
	parse_rtp(s, d, n);
}

static GstElement *add(GstElement *pipe, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	g_assert_nonnull(e);
	gst_bin_add(GST_BIN(pipe), e);
	return e;
}

static void test_layout(void)
{
	McVideoConfig c = { 320, 240, 30, 1, MC_H264_CBP, 31, 1000, 30 };
	g_autoptr(GError) error = NULL;
	GstElement *pipe = gst_pipeline_new(NULL);
	GstElement *vsrc, *vcaps, *enc, *parse, *asrc, *acaps, *aenc, *aparse, *mux, *pay, *sink;
	g_autoptr(GstCaps) vc = gst_caps_from_string(
		"video/x-raw,format=I420,width=320,height=240,framerate=30/1");
	g_autoptr(GstCaps) ac = gst_caps_from_string("audio/x-raw,rate=48000,channels=2");
	g_autofree Stream *s = g_new0(Stream, 1);
	guint i;

	for (i = 0; i < G_N_ELEMENTS(s->cc); i++)
		s->cc[i] = -1;
	s->rtp_ok = s->seq_ok = s->ssrc_ok = TRUE;
	s->pmt_pid = s->pcr_pid = -1;

	vsrc = add(pipe, "videotestsrc");
	vcaps = add(pipe, "capsfilter");
	enc = mc_encoder_make(mc_encoder_choose("x264", NULL, NULL, &error), &c, &error);
	g_assert_no_error(error);
	gst_bin_add(GST_BIN(pipe), enc);
	parse = add(pipe, "h264parse");
	asrc = add(pipe, "audiotestsrc");
	acaps = add(pipe, "capsfilter");
	aenc = add(pipe, "voaacenc");
	aparse = add(pipe, "aacparse");
	mux = mc_ts_mux_new(&error);
	g_assert_no_error(error);
	gst_bin_add(GST_BIN(pipe), mux);
	pay = mc_rtp_pay_new(&error);
	g_assert_no_error(error);
	gst_bin_add(GST_BIN(pipe), pay);
	sink = add(pipe, "appsink");
	g_object_set(vsrc, "num-buffers", SECONDS * 30, NULL);
	g_object_set(asrc, "num-buffers", SECONDS * 48000 / 1024, "samplesperbuffer", 1024, NULL);
	g_object_set(vcaps, "caps", vc, NULL);
	g_object_set(acaps, "caps", ac, NULL);
	g_object_set(parse, "config-interval", -1, NULL);
	g_object_set(sink, "sync", FALSE, NULL);
	g_assert_true(gst_element_link_many(vsrc, vcaps, enc, parse, NULL));
	g_assert_true(gst_element_link_pads(parse, NULL, mux, MC_TS_VIDEO_PAD));
	g_assert_true(gst_element_link_many(asrc, acaps, aenc, aparse, NULL));
	g_assert_true(gst_element_link_pads(aparse, NULL, mux, MC_TS_AUDIO_PAD));
	g_assert_true(gst_element_link_many(mux, pay, sink, NULL));

	play_to_end(pipe, sink, on_rtp, s);

	/* RTP: version 2, PT 33, sequence from 0 by 1, one SSRC, 7 TS packets */
	g_assert_cmpuint(s->rtp_packets, >, 50);
	g_assert_true(s->rtp_ok);
	g_assert_true(s->seq_ok);
	g_assert_true(s->ssrc_ok);
	g_assert_cmpuint(s->ssrc, ==, 1);
	g_assert_cmpuint(s->short_packets, <=, 1);	/* the last one, at EOS */
	/* PAT: program 1 -> PMT 0x0100; PMT: H.264 on 0x1011, AAC on 0x1100 */
	g_assert_cmpint(s->pmt_pid, ==, MC_TS_PMT_PID);
	g_assert_cmpint(s->video_type, ==, 0x1b);
	g_assert_cmpint(s->video_es_pid, ==, MC_TS_VIDEO_PID);
	g_assert_cmpint(s->audio_type, ==, 0x0f);
	g_assert_cmpint(s->audio_es_pid, ==, MC_TS_AUDIO_PID);
	/* mpegtsmux carries the PCR on the video PID (no dedicated 0x1000) */
	g_assert_cmpint(s->pcr_pid, ==, MC_TS_VIDEO_PID);
	g_assert_cmpuint(s->video, >, 0);
	g_assert_cmpuint(s->audio, >, 0);
	/*
	 * PCR at least every 100 ms of stream time; PAT and PMT too, timed by
	 * the PCR before each, so to within one PCR interval.
	 */
	g_assert_true(s->have_pcr);
	g_assert_cmpuint(s->max_pcr_gap, <=, 9000);
	g_assert_cmpuint(s->max_psi_gap, <=, 9000 + s->max_pcr_gap);
	g_assert_cmpuint(s->pat, >=, SECONDS * 10);
	g_assert_cmpuint(s->pmt, >=, SECONDS * 10);
	g_assert_cmpuint(s->cc_errors, ==, 0);
}

int main(int argc, char **argv)
{
	int ret;

	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ts/layout", test_layout);
	ret = g_test_run();
	gst_deinit();
	return ret;
}

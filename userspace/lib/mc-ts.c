// SPDX-License-Identifier: GPL-2.0-only
/*
 * MPEG2-TS and RTP elements with Wi-Fi Display's layout.
 */
#include <gio/gio.h>

#include "mc-encoder.h"
#include "mc-ts.h"

/*
 * PAT and PMT every 50 ms, PCR every 40 ms (90 kHz ticks): the muxer writes
 * them with the next packet once the interval has passed, so the 100 ms
 * sinks need are kept whatever the frame and audio packet rates.
 */
#define TICKS_PSI	4500
#define TICKS_PCR	3600

GstElement *mc_ts_mux_new(GError **error)
{
	GstElement *mux = mc_gst_make("mpegtsmux", error);
	GstStructure *map;

	if (!mux)
		return NULL;
	/* both streams in program 1, whose PMT goes on MC_TS_PMT_PID */
	map = gst_structure_new("x-prog-map",
				MC_TS_VIDEO_PAD, G_TYPE_INT, 1,
				MC_TS_AUDIO_PAD, G_TYPE_INT, 1,
				"PMT_1", G_TYPE_UINT, MC_TS_PMT_PID,
				NULL);
	g_object_set(mux, "prog-map", map,
		     "alignment", MC_TS_PER_RTP,
		     "pat-interval", TICKS_PSI,
		     "pmt-interval", TICKS_PSI,
		     "pcr-interval", TICKS_PCR,
		     NULL);
	gst_structure_free(map);
	return mux;
}

GstElement *mc_rtp_pay_new(GError **error)
{
	GstElement *pay = mc_gst_make("rtpmp2tpay", error);

	if (!pay)
		return NULL;
	g_object_set(pay, "pt", MC_RTP_PT_MP2T,
		     "mtu", MC_RTP_HEADER + MC_TS_PER_RTP * MC_TS_PACKET,
		     "seqnum-offset", 0,
		     "ssrc", 1,
		     "perfect-rtptime", FALSE,
		     NULL);
	return pay;
}

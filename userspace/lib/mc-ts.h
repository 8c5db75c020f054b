/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MPEG2-TS and RTP as Wi-Fi Display sinks expect them (docs/media.md):
 * program 1 with its PMT on PID 0x0100, H.264 on 0x1011, audio on 0x1100,
 * PAT, PMT and PCR at least every 100 ms, seven TS packets per RTP packet
 * of payload type 33.
 */
#ifndef MC_TS_H
#define MC_TS_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define MC_TS_PMT_PID		0x0100
#define MC_TS_VIDEO_PID		0x1011
#define MC_TS_AUDIO_PID		0x1100
/* mpegtsmux's request pads that give those PIDs */
#define MC_TS_VIDEO_PAD		"sink_4113"
#define MC_TS_AUDIO_PAD		"sink_4352"
#define MC_TS_PACKET		188
#define MC_TS_PER_RTP		7
#define MC_RTP_PT_MP2T		33
#define MC_RTP_HEADER		12

/* mpegtsmux configured so; NULL with error set if it is missing. */
GstElement *mc_ts_mux_new(GError **error);

/*
 * rtpmp2tpay configured so: payload type 33, seven TS packets per RTP
 * packet, sequence numbers from 0, SSRC 1, timestamps of the send time.
 */
GstElement *mc_rtp_pay_new(GError **error);

G_END_DECLS

#endif /* MC_TS_H */

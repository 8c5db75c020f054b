/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LPCM audio in the Wi-Fi Display specification's LPCM layout, which
 * mpegtsmux does not write by itself: 48 kHz 16-bit stereo big-endian
 * samples, each PES payload opened by the 4-byte header A0 06 00 11, PES
 * stream_id 0xBD (private_stream_1), stream_type 0x83 in the PMT with an
 * LPCM audio stream descriptor (tag 0x83: 48 kHz, stereo).
 *
 * mpegtsmux given audio/x-lpcm writes stream_type 0x8B, PES stream_id
 * 0xFD (extended_stream_id) with a PES extension carrying
 * stream_id_extension 0x80 in the stream's first PES header, and no
 * payload header. So: prepend the header to each buffer before the muxer
 * (mc_lpcm_payload(), mc_lpcm_payload_probe()) and rewrite the muxer's
 * output in place (mc_lpcm_rewrite_ts(), mc_lpcm_ts_probe()).
 */
#ifndef MC_LPCM_H
#define MC_LPCM_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define MC_LPCM_RATE		48000
#define MC_LPCM_CHANNELS	2
#define MC_LPCM_FRAME		4	/* bytes per stereo 16-bit sample pair */
#define MC_LPCM_HEADER		4	/* A0 06 00 11 */
#define MC_LPCM_STREAM_TYPE	0x83
#define MC_LPCM_STREAM_ID	0xbd

/* The caps mpegtsmux takes on MC_TS_AUDIO_PAD for S16BE 48 kHz stereo. */
#define MC_LPCM_CAPS "audio/x-lpcm,width=16,rate=48000,channels=2," \
		     "dynamic_range=0,emphasis=false,mute=false"

/*
 * A new buffer of the header followed by @samples' memory (shared, not
 * copied), with @samples' timestamps and flags; NULL if @samples is not a
 * whole number of stereo 16-bit frames.
 */
GstBuffer *mc_lpcm_payload(GstBuffer *samples);

/*
 * Buffer (and buffer list) probe for the pad feeding mpegtsmux's audio
 * pad: replaces each buffer by mc_lpcm_payload() of it, drops one that is
 * not whole frames.
 */
GstPadProbeReturn mc_lpcm_payload_probe(GstPad *pad, GstPadProbeInfo *info,
					gpointer unused);

/*
 * Rewrites mpegtsmux's TS packets (@size a multiple of 188) to the layout
 * above: the PMT on @pmt_pid gets stream_type 0x83 and the descriptor for
 * @audio_pid (CRC recomputed; the section must fit in its packet), PES
 * headers on @audio_pid get stream_id 0xBD and their PES extension turned
 * into stuffing bytes (lengths and PTS unchanged). Packets already so are
 * left alone. A packet that does not parse or whose PMT has no room is
 * left untouched and the others are still rewritten; FALSE and @error
 * then name the first such packet.
 */
gboolean mc_lpcm_rewrite_ts(guint8 *data, gsize size, guint pmt_pid,
			    guint audio_pid, GError **error);

/*
 * CRC-32/MPEG-2 of PSI sections: polynomial 0x04C11DB7, MSB first, from
 * all ones, no final xor (0 over a section with its CRC_32).
 */
guint32 mc_lpcm_crc32(const guint8 *data, gsize size);

/*
 * Buffer (and buffer list) probe for mpegtsmux's src pad doing
 * mc_lpcm_rewrite_ts() with MC_TS_PMT_PID and MC_TS_AUDIO_PID; a packet
 * it refuses is passed on as it was, with a warning.
 */
GstPadProbeReturn mc_lpcm_ts_probe(GstPad *pad, GstPadProbeInfo *info,
				   gpointer unused);

G_END_DECLS

#endif /* MC_LPCM_H */

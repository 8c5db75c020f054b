// SPDX-License-Identifier: GPL-2.0-only
/*
 * LPCM audio in the Wi-Fi Display specification's LPCM layout over
 * mpegtsmux (see mc-lpcm.h). The TS given to the rewriter is parsed as
 * untrusted: every length is checked against its packet before use.
 */
#include <string.h>

#include <gio/gio.h>

#include "mc-lpcm.h"
#include "mc-ts.h"

/* sub_stream_id, number_of_frame_headers, emphasis off, 16 bit 48 kHz stereo */
static const guint8 payload_header[MC_LPCM_HEADER] = { 0xa0, 0x06, 0x00, 0x11 };

/*
 * LPCM audio stream descriptor: sampling_frequency 2 (48 kHz) in bits 7:5
 * of the first byte, number_of_channels 1 (stereo) in bits 7:5 of the
 * second, the other bits 0.
 */
static const guint8 lpcm_descriptor[] = { 0x83, 0x02, 2 << 5, 1 << 5 };

#define TS_SYNC			0x47
#define PMT_TABLE_ID		0x02
#define SECTION_MAX		1021	/* section_length limit for a PMT */
#define MUX_LPCM_TYPE		0x8b	/* what mpegtsmux writes for audio/x-lpcm */
#define MUX_LPCM_STREAM_ID	0xfd

GstBuffer *mc_lpcm_payload(GstBuffer *samples)
{
	gsize size = gst_buffer_get_size(samples);
	GstBuffer *out;

	if (size % MC_LPCM_FRAME)
		return NULL;
	out = gst_buffer_new_memdup(payload_header, sizeof(payload_header));
	gst_buffer_copy_into(out, samples, GST_BUFFER_COPY_METADATA, 0, -1);
	/* appends @samples' memories, referenced, not copied */
	gst_buffer_copy_into(out, samples, GST_BUFFER_COPY_MEMORY, 0, -1);
	return out;
}

/* gives a buffer for @buf, consuming it, or NULL (@buf kept) to drop it */
typedef GstBuffer *(*Replace)(GstBuffer *buf);

/* a buffer set to NULL leaves the list */
static gboolean replace_in_list(GstBuffer **buf, guint idx, gpointer fn)
{
	GstBuffer *out = (*(Replace *)fn)(*buf);

	(void)idx;
	if (!out)
		gst_buffer_unref(*buf);
	*buf = out;
	return TRUE;
}

/* a buffer or buffer list probe replacing each buffer by @fn's */
static GstPadProbeReturn probe_with(GstPadProbeInfo *info, Replace fn)
{
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		GstBuffer *out = fn(GST_PAD_PROBE_INFO_BUFFER(info));

		if (!out)
			return GST_PAD_PROBE_DROP;
		GST_PAD_PROBE_INFO_DATA(info) = out;
	} else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
		GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);

		list = gst_buffer_list_make_writable(list);
		gst_buffer_list_foreach(list, replace_in_list, &fn);
		GST_PAD_PROBE_INFO_DATA(info) = list;
	}
	return GST_PAD_PROBE_OK;
}

static GstBuffer *payload_of(GstBuffer *samples)
{
	GstBuffer *out = mc_lpcm_payload(samples);

	if (!out) {
		g_warning("LPCM: buffer of %" G_GSIZE_FORMAT
			  " bytes is not whole frames, dropped",
			  gst_buffer_get_size(samples));
		return NULL;
	}
	gst_buffer_unref(samples);
	return out;
}

GstPadProbeReturn mc_lpcm_payload_probe(GstPad *pad, GstPadProbeInfo *info,
					gpointer unused)
{
	(void)pad;
	(void)unused;
	return probe_with(info, payload_of);
}

guint32 mc_lpcm_crc32(const guint8 *d, gsize n)
{
	guint32 crc = 0xffffffff;
	gsize i;
	int bit;

	for (i = 0; i < n; i++) {
		crc ^= (guint32)d[i] << 24;
		for (bit = 0; bit < 8; bit++)
			crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
	}
	return crc;
}

static gboolean fail(GError **error, gsize packet, const char *why)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "TS packet %" G_GSIZE_FORMAT ": %s", packet, why);
	return FALSE;
}

/*
 * Where the payload of TS packet @p starts (4 past the adaptation field):
 * FALSE if the packet has no payload or its adaptation field overruns it.
 * @af_min: the adaptation field's bytes after its length byte that must
 * stay (flags and the fields they announce; 0 if it has none or no flag
 * set, or if there is no field), @has_af whether there is one.
 */
static gboolean ts_payload(const guint8 *p, guint *off, guint *af_min,
			   gboolean *has_af)
{
	guint afc = (p[3] >> 4) & 3, afl, need, f;

	*off = 4;
	*af_min = 0;
	*has_af = afc & 2;
	if (!(afc & 1))
		return FALSE;
	if (!*has_af)
		return TRUE;
	afl = p[4];
	if (afl > MC_TS_PACKET - 5)
		return FALSE;
	*off = 5 + afl;
	if (afl == 0 || p[5] == 0)
		return TRUE;
	f = p[5];
	need = 1 + (f & 0x10 ? 6 : 0) + (f & 0x08 ? 6 : 0) + (f & 0x04 ? 1 : 0);
	if (f & 0x02)				/* transport_private_data */
		need += need < afl ? 1 + p[5 + need] : 1;
	if (f & 0x01)				/* adaptation_field_extension */
		need += need < afl ? 1 + p[5 + need] : 1;
	if (need > afl)
		return FALSE;
	*af_min = need;
	return TRUE;
}

/*
 * The PMT in packet @p: stream_type 0x8B -> 0x83 for @audio_pid and the
 * descriptor appended to its ES_info, the packet rebuilt around the longer
 * section from its stuffing (adaptation field or trailing 0xFF).
 */
static gboolean rewrite_pmt(guint8 *p, guint audio_pid, gsize n, GError **error)
{
	guint8 sec[3 + SECTION_MAX + sizeof(lpcm_descriptor)];
	guint off, af_min, ptr, start, len, end, i, info, pos = 0, es_len = 0;
	guint new_len, payload, new_afl;
	gboolean has_af;
	guint32 crc;

	if (!ts_payload(p, &off, &af_min, &has_af) || off >= MC_TS_PACKET)
		return fail(error, n, "PMT packet without a payload, or its adaptation field beyond it");
	ptr = p[off];
	start = off + 1 + ptr;
	if (start + 3 > MC_TS_PACKET)
		return fail(error, n, "PMT pointer_field beyond the packet");
	len = ((p[start + 1] & 0x0f) << 8) | p[start + 2];
	end = start + 3 + len;
	if (p[start] != PMT_TABLE_ID || !(p[start + 1] & 0x80))
		return fail(error, n, "not a PMT section");
	if (len < 13 || len > SECTION_MAX || end > MC_TS_PACKET)
		return fail(error, n, "PMT section_length beyond the packet");
	if (mc_lpcm_crc32(p + start, 3 + len) != 0)
		return fail(error, n, "PMT CRC mismatch");
	for (i = end; i < MC_TS_PACKET; i++)
		if (p[i] != 0xff)
			return fail(error, n, "PMT followed by another section");
	info = ((p[start + 10] & 0x0f) << 8) | p[start + 11];
	i = start + 12 + info;
	if (i > end - 4)
		return fail(error, n, "PMT program_info beyond the section");
	while (i < end - 4) {
		guint pid, es;

		if (i + 5 > end - 4)
			return fail(error, n, "PMT ES entry beyond the section");
		pid = ((p[i + 1] & 0x1f) << 8) | p[i + 2];
		es = ((p[i + 3] & 0x0f) << 8) | p[i + 4];
		if (i + 5 + es > end - 4)
			return fail(error, n, "PMT ES_info beyond the section");
		if (pid == audio_pid) {
			pos = i;
			es_len = es;
		}
		i += 5 + es;
	}
	if (!pos || p[pos] == MC_LPCM_STREAM_TYPE)
		return TRUE;		/* no LPCM here, or already rewritten */
	if (p[pos] != MUX_LPCM_TYPE)
		return fail(error, n, "audio stream_type is not mpegtsmux's LPCM");
	new_len = len + sizeof(lpcm_descriptor);
	if (new_len > SECTION_MAX || es_len + sizeof(lpcm_descriptor) > 0x3ff)
		return fail(error, n, "PMT too long for the descriptor");
	/* the payload: pointer_field and what it skips, then the section */
	payload = 1 + ptr + 3 + new_len;
	if (has_af) {
		if (payload + 1 + af_min > MC_TS_PACKET - 4)
			return fail(error, n, "no room in the PMT packet");
	} else if (payload > MC_TS_PACKET - 4) {
		return fail(error, n, "no room in the PMT packet");
	}

	/* the new section, without its CRC, then with it */
	i = pos + 5 + es_len - start;		/* end of the audio ES_info */
	memcpy(sec, p + start, i);
	memcpy(sec + i, lpcm_descriptor, sizeof(lpcm_descriptor));
	memcpy(sec + i + sizeof(lpcm_descriptor), p + start + i, 3 + len - 4 - i);
	sec[1] = (sec[1] & 0xf0) | (new_len >> 8);
	sec[2] = new_len & 0xff;
	sec[pos - start] = MC_LPCM_STREAM_TYPE;
	es_len += sizeof(lpcm_descriptor);
	sec[pos - start + 3] = (sec[pos - start + 3] & 0xf0) | (es_len >> 8);
	sec[pos - start + 4] = es_len & 0xff;
	crc = mc_lpcm_crc32(sec, 3 + new_len - 4);
	sec[3 + new_len - 4] = crc >> 24;
	sec[3 + new_len - 3] = crc >> 16;
	sec[3 + new_len - 2] = crc >> 8;
	sec[3 + new_len - 1] = crc;

	/* the pointer_field's bytes move with the payload; stuffing absorbs the rest */
	if (has_af) {
		new_afl = MC_TS_PACKET - 5 - payload;
		memmove(p + 5 + new_afl, p + off, 1 + ptr);
		if (new_afl && !af_min)
			p[5 + af_min++] = 0;	/* no flags */
		memset(p + 5 + af_min, 0xff, new_afl - af_min);
		p[4] = new_afl;
		off = 5 + new_afl;
	}
	memcpy(p + off + 1 + ptr, sec, 3 + new_len);
	memset(p + off + payload, 0xff, MC_TS_PACKET - off - payload);
	return TRUE;
}

/*
 * The PES header opening packet @p: stream_id 0xFD -> 0xBD, a PES
 * extension turned into stuffing (flag cleared, PES_header_data_length
 * and PES_packet_length kept).
 */
static gboolean rewrite_pes(guint8 *p, gsize n, GError **error)
{
	guint off, af_min, flags, hlen, ext, hend, f;
	gboolean has_af;

	if (!ts_payload(p, &off, &af_min, &has_af))
		return fail(error, n, "PES start without a payload, or its adaptation field beyond it");
	if (off + 9 > MC_TS_PACKET || p[off] || p[off + 1] || p[off + 2] != 1)
		return fail(error, n, "no PES start code");
	if (p[off + 3] == MC_LPCM_STREAM_ID)
		return TRUE;
	if (p[off + 3] != MUX_LPCM_STREAM_ID)
		return fail(error, n, "audio PES stream_id is not mpegtsmux's LPCM");
	if ((p[off + 6] & 0xc0) != 0x80)
		return fail(error, n, "PES header without its '10' marker");
	flags = p[off + 7];
	hlen = p[off + 8];
	hend = off + 9 + hlen;
	if (hend > MC_TS_PACKET)
		return fail(error, n, "PES header beyond the packet");
	if (flags & 0x01) {
		if ((flags & 0xc0) == 0x40)
			return fail(error, n, "PES with DTS and no PTS");
		ext = off + 9 + ((flags & 0xc0) == 0xc0 ? 10 : (flags & 0x80 ? 5 : 0)) +
		      (flags & 0x20 ? 6 : 0) + (flags & 0x10 ? 3 : 0) +
		      (flags & 0x08 ? 1 : 0) + (flags & 0x04 ? 1 : 0) +
		      (flags & 0x02 ? 2 : 0);
		if (ext >= hend)
			return fail(error, n, "PES extension beyond the header");
		f = p[ext];
		/* checked only for consistency: all of it becomes stuffing */
		if ((f & 0x80 ? 16 : 0) + (f & 0x40 ? 1 : 0) + (f & 0x20 ? 2 : 0) +
		    (f & 0x10 ? 2 : 0) + 1u > hend - ext)
			return fail(error, n, "PES extension beyond the header");
		memset(p + ext, 0xff, hend - ext);
		p[off + 7] = flags & ~0x01;
	}
	p[off + 3] = MC_LPCM_STREAM_ID;
	return TRUE;
}

gboolean mc_lpcm_rewrite_ts(guint8 *data, gsize size, guint pmt_pid,
			    guint audio_pid, GError **error)
{
	gboolean ok = TRUE;
	gsize n;

	if (size % MC_TS_PACKET)
		return fail(error, size / MC_TS_PACKET, "not whole 188-byte packets");
	for (n = 0; n < size / MC_TS_PACKET; n++) {
		guint8 *p = data + n * MC_TS_PACKET, copy[MC_TS_PACKET];
		guint pid = ((p[1] & 0x1f) << 8) | p[2];
		GError **e = ok ? error : NULL;
		gboolean done = TRUE;

		if (p[0] != TS_SYNC) {
			ok = fail(e, n, "no sync byte");
			continue;
		}
		if (!(p[1] & 0x40) || (pid != pmt_pid && pid != audio_pid))
			continue;
		/* the packet is rewritten whole or not at all */
		memcpy(copy, p, MC_TS_PACKET);
		if (pid == pmt_pid)
			done = rewrite_pmt(p, audio_pid, n, e);
		else
			done = rewrite_pes(p, n, e);
		if (!done) {
			memcpy(p, copy, MC_TS_PACKET);
			ok = FALSE;
		}
	}
	return ok;
}

static gboolean rewrite_buffer(GstBuffer *buf)
{
	g_autoptr(GError) error = NULL;
	GstMapInfo map;
	gboolean ok;

	if (!gst_buffer_map(buf, &map, GST_MAP_READWRITE))
		return FALSE;
	ok = mc_lpcm_rewrite_ts(map.data, map.size, MC_TS_PMT_PID,
				MC_TS_AUDIO_PID, &error);
	gst_buffer_unmap(buf, &map);
	if (!ok)
		g_warning("LPCM: %s", error->message);
	return ok;
}

static GstBuffer *rewritten(GstBuffer *buf)
{
	buf = gst_buffer_make_writable(buf);
	rewrite_buffer(buf);
	return buf;
}

GstPadProbeReturn mc_lpcm_ts_probe(GstPad *pad, GstPadProbeInfo *info,
				   gpointer unused)
{
	(void)pad;
	(void)unused;
	return probe_with(info, rewritten);
}

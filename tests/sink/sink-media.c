// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast-testsink's media side: udpsrc -> rtpmp2tdepay -> tsdemux ->
 * H.264: h264parse -> decoder -> videoconvert -> I420 -> appsink;
 * AAC: aacparse -> decoder -> fakesink; anything else (LPCM): fakesink.
 * A probe on udpsrc's pad reads each RTP packet and the TS packets in it
 * before anything else does: the checks are made there, on what came from
 * the network, and on the decoded pictures at the appsink.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "e2e-frame.h"
#include "mc-lpcm.h"
#include "mc-ts.h"
#include "sink-check.h"
#include "sink-media.h"

#define SETTLE_US	(2 * G_USEC_PER_SEC)	/* a new format's grace: the old one in flight */
#define STOP_US		G_USEC_PER_SEC		/* RTP must stop within, after PAUSE or the end */
#define HEAD_MAX	8192		/* bytes of a video PES searched for its first slice */
#define MAX_LOSS	1000		/* a larger gap in sequence numbers is no loss */
#define DECODE_SLACK	2		/* access units not decoded: besides 10 %, what is lost */
#define MAX_FORMATS	16
#define MAX_SIZES	8
#define TS_PAT_PID	0x0000
#define TS_SYNC		0x47
#define ST_H264		0x1b
#define ST_AAC		0x0f
#define NAL_SLICE	1
#define NAL_IDR		5
#define NAL_SPS		7
#define NAL_PPS		8
#define PROFILE_IDC_CBP	66
#define PROFILE_IDC_CHP	100
#define CONSTRAINT_SET1	0x40		/* with profile_idc 66: Constrained Baseline */

/* A format the source set (M4). */
typedef struct {
	guint width, height;
	guint8 profile, level;		/* MC_WFD_PROFILE_*, MC_WFD_LEVEL_* */
	gboolean audio;
	McWfdAudioFormat audio_format;
} Format;

typedef struct {
	int width, height;
	guint n;
} Size;

struct _SinkMedia {
	SinkMediaConfig config;
	char *snapshot_dir;
	GstElement *pipeline;
	const char *h264_decoder, *aac_decoder;
	guint bus_watch;
	guint16 port;

	GMutex lock;			/* what follows: streaming threads and the main one */
	Format formats[MAX_FORMATS];
	guint n_formats;
	gint64 settle_us;		/* from then on, only the last format */

	/* RTP */
	gboolean flowing;		/* between PLAY and PAUSE or the end */
	const char *stopped_by;		/* why not flowing: "before PLAY", ... */
	gint64 stop_us;
	guint64 rtp_packets, rtp_bytes, rtp_lost, rtp_unexpected;
	guint rtp_restarts;
	guint16 last_seq;
	guint32 ssrc;
	gint64 first_rtp_us, last_rtp_us, end_us;
	SinkCheck rtp, seq, flow;

	/* TS */
	guint pmt_pid;
	guint pcr_pid;
	guint8 video_type, audio_type;	/* in the PMT; 0: none */
	SinkCheck ts;

	/* video access units: the start of the current PES */
	GByteArray *head;
	gboolean head_open;
	gint64 head_us;
	guint64 aus, idrs;
	gboolean expect_idr;		/* the next access unit follows a PLAY */
	int first_frame_idr;		/* -1 unknown, 0 no, 1 yes */
	gint64 idr_request_us;
	gint64 idr_after_request_ms;	/* -1: none measured */
	guint sps_profile, sps_constraints, sps_level;
	SinkCheck idr, sps;

	/* audio PES */
	guint64 audio_pes, audio_bytes, audio_decoded;
	char *audio_caps;
	SinkCheck audio;

	/* decoded pictures */
	guint frames;
	guint frames_seen;		/* by sink_media_drained() */
	gint64 first_frame_us, last_frame_us;
	gint64 first_frame_unix_ms;	/* wall clock: other programs' times compare to it */
	Size sizes[MAX_SIZES];
	SinkCheck size, decode;
	guint snapshots;
	guint pattern_frames, unreadable, unique;
	double min_psnr, sum_psnr;
	guint8 *seen;
};

/* ---- Formats ---------------------------------------------------------- */

/* The formats something arriving at now may have: all while settling, else the last. */
static guint formats_from(SinkMedia *m, gint64 now)
{
	return now < m->settle_us ? 0 : m->n_formats - 1;
}

void sink_media_expect(SinkMedia *m, const McWfdChoice *c, gint64 now)
{
	Format f = {
		.width = c->resolution->width, .height = c->resolution->height,
		.profile = c->profile, .level = c->level,
		.audio = c->audio, .audio_format = c->audio_format,
	};

	g_mutex_lock(&m->lock);
	if (m->n_formats == MAX_FORMATS) {
		memmove(m->formats, m->formats + 1, sizeof(Format) * (MAX_FORMATS - 1));
		m->n_formats--;
	}
	m->formats[m->n_formats++] = f;
	m->settle_us = now + SETTLE_US;
	g_mutex_unlock(&m->lock);
}

static gboolean sps_matches(const Format *f, guint profile, guint constraints, guint level)
{
	if (f->profile == MC_WFD_PROFILE_CBP &&
	    (profile != PROFILE_IDC_CBP || !(constraints & CONSTRAINT_SET1)))
		return FALSE;
	if (f->profile == MC_WFD_PROFILE_CHP && profile != PROFILE_IDC_CHP)
		return FALSE;
	return level == mc_wfd_level_to_h264(f->level);	/* R56: the M4's, not less */
}

static void check_sps(SinkMedia *m, const guint8 *sps, gint64 now)
{
	guint i;

	m->sps_profile = sps[0];
	m->sps_constraints = sps[1];
	m->sps_level = sps[2];
	if (!m->n_formats)
		return;
	for (i = formats_from(m, now); i < m->n_formats; i++)
		if (sps_matches(&m->formats[i], sps[0], sps[1], sps[2]))
			break;
	if (i < m->n_formats) {
		sink_check_pass(&m->sps);
		return;
	}
	i = m->n_formats - 1;
	sink_check_fail(&m->sps, "SPS profile_idc %u constraints %02X level_idc %u, M4 set %s %s",
			sps[0], sps[1], sps[2], mc_wfd_profile_name(m->formats[i].profile),
			mc_wfd_level_name(m->formats[i].level));
}

static guint8 audio_stream_type(const Format *f)
{
	if (!f->audio)
		return 0;
	return f->audio_format == MC_WFD_AUDIO_LPCM ? MC_LPCM_STREAM_TYPE :
	       f->audio_format == MC_WFD_AUDIO_AAC ? ST_AAC : 0xff;
}

static const char *audio_type_name(guint8 type)
{
	switch (type) {
	case 0: return "none";
	case ST_AAC: return "AAC";
	case MC_LPCM_STREAM_TYPE: return "LPCM";
	default: return "other";
	}
}

/* ---- TS --------------------------------------------------------------- */

/* A PSI section starting in this payload (pointer field), whole and with a good CRC. */
static const guint8 *psi_section(SinkMedia *m, const guint8 *d, guint len, guint8 table,
				 guint *section_len)
{
	guint start, n;

	if (!len || 1u + d[0] + 3 > len)
		return NULL;
	start = 1 + d[0];
	n = 3 + ((d[start + 1] & 0x0f) << 8 | d[start + 2]);
	if (d[start] != table || n < 12)
		return NULL;
	if (start + n > len)
		return NULL;	/* longer than a packet: not the layout sinks know */
	if (mc_lpcm_crc32(d + start, n)) {
		sink_check_fail(&m->ts, "a PSI section (table %u) with a bad CRC", table);
		return NULL;
	}
	*section_len = n;
	return d + start;
}

static void parse_pat(SinkMedia *m, const guint8 *d, guint len)
{
	guint n, i, pmt = 0;
	const guint8 *s = psi_section(m, d, len, 0, &n);

	if (!s)
		return;
	for (i = 8; i + 4 <= n - 4; i += 4)
		if ((s[i] << 8 | s[i + 1]) == 1)
			pmt = (s[i + 2] & 0x1f) << 8 | s[i + 3];
	if (!pmt) {
		sink_check_fail(&m->ts, "the PAT has no program 1");
		return;
	}
	if (pmt != MC_TS_PMT_PID)
		sink_check_fail(&m->ts, "the PAT puts program 1's PMT on PID 0x%04X, not 0x%04X",
				pmt, MC_TS_PMT_PID);
	m->pmt_pid = pmt;
}

static void check_pmt_audio(SinkMedia *m, gint64 now)
{
	guint i;

	if (!m->n_formats)
		return;
	for (i = formats_from(m, now); i < m->n_formats; i++)
		if (audio_stream_type(&m->formats[i]) == m->audio_type)
			break;
	if (i < m->n_formats) {
		sink_check_pass(&m->audio);
		return;
	}
	sink_check_fail(&m->audio, "the PMT's audio is %s (stream type 0x%02X), M4 set %s",
			audio_type_name(m->audio_type), m->audio_type,
			audio_type_name(audio_stream_type(&m->formats[m->n_formats - 1])));
}

static void parse_pmt(SinkMedia *m, const guint8 *d, guint len, gint64 now)
{
	guint n, i, info;
	const guint8 *s = psi_section(m, d, len, 2, &n);

	if (!s)
		return;
	m->pcr_pid = (s[8] & 0x1f) << 8 | s[9];
	info = (s[10] & 0x0f) << 8 | s[11];
	m->video_type = m->audio_type = 0;
	for (i = 12 + info; i + 5 <= n - 4; i += 5 + ((s[i + 3] & 0x0f) << 8 | s[i + 4])) {
		guint pid = (s[i + 1] & 0x1f) << 8 | s[i + 2];

		if (pid == MC_TS_VIDEO_PID)
			m->video_type = s[i];
		else if (pid == MC_TS_AUDIO_PID)
			m->audio_type = s[i];
		else
			sink_check_fail(&m->ts, "the PMT lists stream type 0x%02X on PID 0x%04X",
					s[i], pid);
	}
	if (m->video_type != ST_H264)
		sink_check_fail(&m->ts, "the PMT has no H.264 (stream type 0x1B) on PID 0x%04X",
				MC_TS_VIDEO_PID);
	else
		sink_check_pass(&m->ts);
	check_pmt_audio(m, now);
}

/* The NAL units of the access unit whose start is in m->head, up to its first slice. */
static gboolean scan_head(SinkMedia *m, gboolean complete)
{
	const guint8 *h = m->head->data;
	guint len = m->head->len, i;
	gboolean sps = FALSE, pps = FALSE, idr = FALSE, slice = FALSE;

	for (i = 0; i + 3 < len && !slice; i++) {
		guint type;

		if (h[i] || h[i + 1] || h[i + 2] != 1)
			continue;
		type = h[i + 3] & 0x1f;
		if (type == NAL_SPS && i + 6 < len) {
			sps = TRUE;
			check_sps(m, h + i + 4, m->head_us);
		}
		pps |= type == NAL_PPS;
		idr = type == NAL_IDR;
		slice = type == NAL_IDR || type == NAL_SLICE;
	}
	if (!slice && !complete && len < HEAD_MAX)
		return FALSE;
	m->head_open = FALSE;
	m->aus++;
	m->idrs += idr;
	if (idr && !(sps && pps))
		sink_check_fail(&m->idr, "an IDR without SPS and PPS before it in its PES");
	if (m->expect_idr) {
		m->expect_idr = FALSE;
		if (m->first_frame_idr < 0)
			m->first_frame_idr = idr && sps && pps;
		if (idr && sps && pps)
			sink_check_pass(&m->idr);
		else
			sink_check_fail(&m->idr, "the first access unit after PLAY is not an IDR "
					"with SPS and PPS");
	}
	if (idr && m->idr_request_us) {
		m->idr_after_request_ms = MAX(m->head_us - m->idr_request_us, 0) / 1000;
		m->idr_request_us = 0;
	}
	return TRUE;
}

static void video_payload(SinkMedia *m, const guint8 *d, guint len, gboolean start, gint64 now)
{
	guint skip;

	if (start) {
		if (m->head_open)
			scan_head(m, TRUE);
		if (len < 9 || d[0] || d[1] || d[2] != 1 || (d[3] & 0xf0) != 0xe0) {
			sink_check_fail(&m->ts, "a video PES without a video stream_id");
			return;
		}
		skip = 9 + d[8];
		if (skip > len)
			return;
		g_byte_array_set_size(m->head, 0);
		m->head_open = TRUE;
		m->head_us = now;
		d += skip;
		len -= skip;
	}
	if (!m->head_open)
		return;
	g_byte_array_append(m->head, d, MIN(len, HEAD_MAX - m->head->len));
	scan_head(m, FALSE);
}

static void audio_payload(SinkMedia *m, const guint8 *d, guint len, gboolean start)
{
	guint skip, id;

	if (!start) {
		m->audio_bytes += len;
		return;
	}
	if (len < 9 || d[0] || d[1] || d[2] != 1) {
		sink_check_fail(&m->audio, "an audio PES that does not start with a start code");
		return;
	}
	id = d[3];
	skip = 9 + d[8];
	if (skip > len)
		return;
	m->audio_pes++;
	m->audio_bytes += len - skip;
	if (len - skip < 4)
		return;
	d += skip;
	if (m->audio_type == MC_LPCM_STREAM_TYPE &&
	    (id != MC_LPCM_STREAM_ID || d[0] != 0xa0 || d[1] != 0x06 || d[2] != 0x00 ||
	     d[3] != 0x11))
		sink_check_fail(&m->audio, "an LPCM PES (stream_id %02X) opens %02X %02X %02X "
				"%02X, not BD and A0 06 00 11", id, d[0], d[1], d[2], d[3]);
	if (m->audio_type == ST_AAC && (d[0] != 0xff || (d[1] & 0xf0) != 0xf0))
		sink_check_fail(&m->audio, "an AAC PES does not open with an ADTS header");
}

static void ts_packet(SinkMedia *m, const guint8 *p, gint64 now)
{
	guint pid = (p[1] & 0x1f) << 8 | p[2], off = 4;
	gboolean start = p[1] & 0x40;

	if (!(p[3] & 0x10))
		return;				/* adaptation field only */
	if (p[3] & 0x20)
		off += 1 + p[4];
	if (off >= MC_TS_PACKET)
		return;
	if (pid == TS_PAT_PID && start)
		parse_pat(m, p + off, MC_TS_PACKET - off);
	else if (pid == m->pmt_pid && start)
		parse_pmt(m, p + off, MC_TS_PACKET - off, now);
	else if (pid == MC_TS_VIDEO_PID)
		video_payload(m, p + off, MC_TS_PACKET - off, start, now);
	else if (pid == MC_TS_AUDIO_PID)
		audio_payload(m, p + off, MC_TS_PACKET - off, start);
}

/* ---- RTP -------------------------------------------------------------- */

static void rtp_packet(SinkMedia *m, const guint8 *d, gsize size, gint64 now)
{
	gsize head = 12, pad = 0, n, i;
	guint32 ssrc;
	guint16 seq;

	if (size < 12 || d[0] >> 6 != 2) {
		sink_check_fail(&m->rtp, "an RTP packet of %zu bytes, version %u", size,
				size ? d[0] >> 6 : 0);
		return;
	}
	head += 4 * (d[0] & 0x0f);
	if ((d[0] & 0x10) && size >= head + 4)
		head += 4 + 4 * (d[head + 2] << 8 | d[head + 3]);
	if ((d[0] & 0x20) && size)
		pad = d[size - 1];
	if ((d[1] & 0x7f) != MC_RTP_PT_MP2T)
		sink_check_fail(&m->rtp, "payload type %u, not %u", d[1] & 0x7f, MC_RTP_PT_MP2T);
	if (head + pad > size) {
		sink_check_fail(&m->rtp, "an RTP packet shorter than its header");
		return;
	}
	n = size - head - pad;
	if (!n || n % MC_TS_PACKET || n / MC_TS_PACKET > MC_TS_PER_RTP)
		sink_check_fail(&m->rtp, "a payload of %zu bytes: not 1 to %u whole TS packets", n,
				MC_TS_PER_RTP);
	else
		sink_check_pass(&m->rtp);
	seq = d[2] << 8 | d[3];
	ssrc = GST_READ_UINT32_BE(d + 8);
	if (m->rtp_packets) {
		guint16 gap = seq - m->last_seq - 1;

		if (gap < MAX_LOSS) {
			m->rtp_lost += gap;
		} else {
			/* a new stream started from its own sequence number */
			m->rtp_restarts++;
			sink_check_fail(&m->seq, "RTP sequence numbers %s from %u to %u (sinks "
					"drop what seems old or far ahead)",
					gap >= 0x8000 ? "went back" : "jumped", m->last_seq, seq);
		}
		if (ssrc != m->ssrc)
			sink_check_fail(&m->seq, "the RTP SSRC changed from %08X to %08X", m->ssrc,
					ssrc);
	} else {
		m->first_rtp_us = now;
	}
	m->last_seq = seq;
	m->ssrc = ssrc;
	m->rtp_packets++;
	m->rtp_bytes += n;
	m->last_rtp_us = now;
	if (!m->flowing && (!m->stop_us || now - m->stop_us > STOP_US)) {
		m->rtp_unexpected++;
		sink_check_fail(&m->flow, "RTP %s", m->stopped_by);
	}
	for (i = 0; i + MC_TS_PACKET <= n; i += MC_TS_PACKET) {
		if (d[head + i] != TS_SYNC) {
			sink_check_fail(&m->ts, "a TS packet without the sync byte 0x47");
			continue;
		}
		ts_packet(m, d + head + i, now);
	}
}

static GstPadProbeReturn on_rtp(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info, gpointer data)
{
	SinkMedia *m = data;
	GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo map;

	if (!b || !gst_buffer_map(b, &map, GST_MAP_READ))
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&m->lock);
	rtp_packet(m, map.data, map.size, g_get_monotonic_time());
	g_mutex_unlock(&m->lock);
	gst_buffer_unmap(b, &map);
	return GST_PAD_PROBE_OK;
}

/* ---- Decoded pictures and sound --------------------------------------- */

static void snapshot(SinkMedia *m, GstSample *sample, guint number)
{
	g_autoptr(GstCaps) png = gst_caps_new_empty_simple("image/png");
	g_autoptr(GError) error = NULL;
	g_autofree char *name = g_strdup_printf("frame-%06u.png", number);
	g_autofree char *path = g_build_filename(m->snapshot_dir, name, NULL);
	GstSample *out = gst_video_convert_sample(sample, png, 5 * GST_SECOND, &error);
	GstMapInfo map;

	if (!out) {
		g_printerr("miracast-testsink: snapshot %s: %s\n", name, error->message);
		return;
	}
	if (gst_buffer_map(gst_sample_get_buffer(out), &map, GST_MAP_READ)) {
		if (g_file_set_contents(path, (const char *)map.data, map.size, &error)) {
			g_mutex_lock(&m->lock);
			m->snapshots++;
			g_mutex_unlock(&m->lock);
		} else {
			g_printerr("miracast-testsink: %s\n", error->message);
		}
		gst_buffer_unmap(gst_sample_get_buffer(out), &map);
	}
	gst_sample_unref(out);
}

static void count_size(SinkMedia *m, int w, int h, gint64 now)
{
	guint i;

	for (i = 0; i < MAX_SIZES - 1 && m->sizes[i].n &&
		    (m->sizes[i].width != w || m->sizes[i].height != h); i++)
		;
	m->sizes[i].width = w;
	m->sizes[i].height = h;
	m->sizes[i].n++;
	if (!m->n_formats)
		return;
	for (i = formats_from(m, now); i < m->n_formats; i++)
		if ((int)m->formats[i].width == w && (int)m->formats[i].height == h)
			break;
	if (i < m->n_formats)
		sink_check_pass(&m->size);
	else
		sink_check_fail(&m->size, "decoded %dx%d, M4 set %ux%u", w, h,
				m->formats[m->n_formats - 1].width,
				m->formats[m->n_formats - 1].height);
}

/* The pattern's frame number and PSNR (e2e-frame.h), outside the lock. */
static void read_pattern(SinkMedia *m, GstVideoFrame *f)
{
	const guint8 *y = GST_VIDEO_FRAME_PLANE_DATA(f, 0);
	int stride = GST_VIDEO_FRAME_PLANE_STRIDE(f, 0);
	int k = -1;
	double p = 0;

	if (GST_VIDEO_FRAME_WIDTH(f) >= E2E_W && GST_VIDEO_FRAME_HEIGHT(f) >= E2E_H)
		k = e2e_read_number(y, stride);
	if (k >= 0)
		p = e2e_psnr(y, stride, k, f->info.colorimetry.matrix);
	g_mutex_lock(&m->lock);
	if (k < 0) {
		m->unreadable++;
	} else {
		m->pattern_frames++;
		m->unique += !m->seen[k]++;
		m->min_psnr = MIN(m->min_psnr, p);
		m->sum_psnr += p;
	}
	g_mutex_unlock(&m->lock);
}

static GstFlowReturn on_picture(GstAppSink *sink, gpointer data)
{
	SinkMedia *m = data;
	GstSample *s = gst_app_sink_pull_sample(sink);
	gint64 now = g_get_monotonic_time();
	GstVideoInfo info;
	GstVideoFrame f;
	guint number;

	if (!s)
		return GST_FLOW_EOS;
	if (!gst_video_info_from_caps(&info, gst_sample_get_caps(s))) {
		gst_sample_unref(s);
		return GST_FLOW_OK;
	}
	g_mutex_lock(&m->lock);
	number = ++m->frames;
	if (number == 1) {
		m->first_frame_us = now;
		m->first_frame_unix_ms = g_get_real_time() / 1000;
	}
	m->last_frame_us = now;
	count_size(m, GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info), now);
	g_mutex_unlock(&m->lock);
	if (m->config.pattern &&
	    gst_video_frame_map(&f, &info, gst_sample_get_buffer(s), GST_MAP_READ)) {
		read_pattern(m, &f);
		gst_video_frame_unmap(&f);
	}
	if (m->snapshot_dir && (number - 1) % m->config.snapshot_every == 0)
		snapshot(m, s, number);
	gst_sample_unref(s);
	return GST_FLOW_OK;
}

static GstPadProbeReturn on_sound(GstPad *pad G_GNUC_UNUSED, GstPadProbeInfo *info,
				  gpointer data)
{
	SinkMedia *m = data;

	if (GST_PAD_PROBE_INFO_BUFFER(info)) {
		g_mutex_lock(&m->lock);
		m->audio_decoded++;
		g_mutex_unlock(&m->lock);
	}
	return GST_PAD_PROBE_OK;
}

/* A branch for a new pad of tsdemux, by its caps. */
static void on_pad_added(GstElement *demux G_GNUC_UNUSED, GstPad *pad, gpointer data)
{
	SinkMedia *m = data;
	g_autoptr(GstCaps) caps = gst_pad_query_caps(pad, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *desc = NULL;
	const char *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
	g_autoptr(GstPad) sink_pad = NULL;
	g_autoptr(GstElement) end = NULL;
	GstElement *bin;
	gboolean video = g_str_equal(name, "video/x-h264");

	/* async=false: a sink added while playing does not take the pipeline back to preroll */
	if (video)
		desc = g_strdup_printf("queue max-size-time=0 max-size-bytes=0 ! h264parse ! %s ! "
				       "videoconvert ! video/x-raw,format=I420 ! "
				       "appsink name=end sync=false async=false", m->h264_decoder);
	else if (g_str_equal(name, "audio/mpeg") && m->aac_decoder)
		desc = g_strdup_printf("queue ! aacparse ! %s ! "
				       "fakesink name=end sync=false async=false", m->aac_decoder);
	else
		desc = g_strdup("queue ! fakesink name=end sync=false async=false");
	if (g_str_has_prefix(name, "audio/")) {
		g_mutex_lock(&m->lock);
		g_free(m->audio_caps);
		m->audio_caps = g_strdup(name);
		g_mutex_unlock(&m->lock);
	}
	bin = gst_parse_bin_from_description(desc, TRUE, &error);
	if (!bin) {
		g_printerr("miracast-testsink: %s: %s\n", desc, error->message);
		return;
	}
	end = gst_bin_get_by_name(GST_BIN(bin), "end");
	if (video) {
		GstAppSinkCallbacks cb = { .new_sample = on_picture };

		gst_app_sink_set_callbacks(GST_APP_SINK(end), &cb, m, NULL);
	} else {
		g_autoptr(GstPad) p = gst_element_get_static_pad(end, "sink");

		gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, on_sound, m, NULL);
	}
	gst_bin_add(GST_BIN(m->pipeline), bin);
	gst_element_sync_state_with_parent(bin);
	sink_pad = gst_element_get_static_pad(bin, "sink");
	if (gst_pad_link(pad, sink_pad) != GST_PAD_LINK_OK)
		g_printerr("miracast-testsink: cannot link tsdemux's %s\n", GST_PAD_NAME(pad));
	if (m->config.verbose)
		g_printerr("miracast-testsink: stream %s: %s\n", GST_PAD_NAME(pad), name);
}

static gboolean on_bus(GstBus *bus G_GNUC_UNUSED, GstMessage *msg, gpointer data)
{
	SinkMedia *m = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *debug = NULL;

	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR)
		return G_SOURCE_CONTINUE;
	gst_message_parse_error(msg, &error, &debug);
	g_printerr("miracast-testsink: %s: %s\n", GST_OBJECT_NAME(msg->src), error->message);
	g_mutex_lock(&m->lock);
	sink_check_fail(&m->decode, "%s: %s", GST_OBJECT_NAME(msg->src), error->message);
	g_mutex_unlock(&m->lock);
	return G_SOURCE_CONTINUE;
}

static const char *first_factory(const char *const *names)
{
	for (guint i = 0; names[i]; i++) {
		g_autoptr(GstElementFactory) f = gst_element_factory_find(names[i]);

		if (f)
			return names[i];
	}
	return NULL;
}

SinkMedia *sink_media_new(const SinkMediaConfig *config, GError **error)
{
	static const char *const h264[] = { "avdec_h264", "openh264dec", NULL };
	static const char *const aac[] = { "avdec_aac", "fdkaacdec", "faad", NULL };
	g_autofree char *desc = NULL;
	g_autoptr(GstElement) src = NULL, demux = NULL;
	g_autoptr(GstPad) pad = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketAddress) local = NULL;
	g_autoptr(GstBus) bus = NULL;
	SinkMedia *m = g_new0(SinkMedia, 1);

	m->config = *config;
	m->config.snapshot_every = MAX(config->snapshot_every, 1);
	m->snapshot_dir = g_strdup(config->snapshot_dir);
	g_mutex_init(&m->lock);
	m->head = g_byte_array_new();
	m->stopped_by = "before PLAY";
	m->first_frame_idr = -1;
	m->idr_after_request_ms = -1;
	m->min_psnr = 99;
	m->seen = g_malloc0(1 << (E2E_BITS - 2));
	m->h264_decoder = first_factory(h264);
	m->aac_decoder = first_factory(aac);
	if (!m->h264_decoder) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no H.264 decoder: neither avdec_h264 nor openh264dec");
		sink_media_free(m);
		return NULL;
	}
	/*
	 * max-reorder=0: sequence numbers that go back start a new stream
	 * (rtp_seq_ok says so), they are not dropped as old packets (which
	 * would lose the new stream's IDR).
	 */
	desc = g_strdup_printf("udpsrc name=src port=%u buffer-size=4194304 caps=\"application/"
			       "x-rtp,media=video,clock-rate=90000,encoding-name=MP2T,payload=%u\" "
			       "! rtpmp2tdepay max-reorder=0 ! tsdemux name=demux", config->port,
			       MC_RTP_PT_MP2T);
	m->pipeline = gst_parse_launch(desc, error);
	if (!m->pipeline) {
		sink_media_free(m);
		return NULL;
	}
	src = gst_bin_get_by_name(GST_BIN(m->pipeline), "src");
	demux = gst_bin_get_by_name(GST_BIN(m->pipeline), "demux");
	pad = gst_element_get_static_pad(src, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, m, NULL);
	g_signal_connect(demux, "pad-added", G_CALLBACK(on_pad_added), m);
	bus = gst_element_get_bus(m->pipeline);
	m->bus_watch = gst_bus_add_watch(bus, on_bus, m);
	if (gst_element_set_state(m->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot receive RTP on UDP port %u", config->port);
		sink_media_free(m);
		return NULL;
	}
	g_object_get(src, "used-socket", &socket, NULL);
	local = socket ? g_socket_get_local_address(socket, NULL) : NULL;
	m->port = local ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local))
			: config->port;
	if (config->verbose)
		g_printerr("miracast-testsink: RTP on UDP port %u, decoders %s and %s\n", m->port,
			   m->h264_decoder, m->aac_decoder ? m->aac_decoder : "none (AAC counted)");
	return m;
}

void sink_media_free(SinkMedia *m)
{
	if (!m)
		return;
	if (m->pipeline) {
		gst_element_set_state(m->pipeline, GST_STATE_NULL);
		gst_object_unref(m->pipeline);
	}
	if (m->bus_watch)
		g_source_remove(m->bus_watch);
	g_byte_array_unref(m->head);
	g_mutex_clear(&m->lock);
	sink_check_clear(&m->rtp);
	sink_check_clear(&m->seq);
	sink_check_clear(&m->flow);
	sink_check_clear(&m->ts);
	sink_check_clear(&m->idr);
	sink_check_clear(&m->sps);
	sink_check_clear(&m->audio);
	sink_check_clear(&m->size);
	sink_check_clear(&m->decode);
	g_free(m->audio_caps);
	g_free(m->snapshot_dir);
	g_free(m->seen);
	g_free(m);
}

guint16 sink_media_get_port(SinkMedia *m)
{
	return m->port;
}

void sink_media_play(SinkMedia *m, gint64 now G_GNUC_UNUSED)
{
	g_mutex_lock(&m->lock);
	m->flowing = TRUE;
	m->expect_idr = TRUE;
	g_mutex_unlock(&m->lock);
}

static void stop(SinkMedia *m, gint64 now, const char *why)
{
	g_mutex_lock(&m->lock);
	if (m->flowing || !m->stop_us) {
		m->flowing = FALSE;
		m->stop_us = now;
	}
	m->stopped_by = why;
	g_mutex_unlock(&m->lock);
}

void sink_media_pause(SinkMedia *m, gint64 now)
{
	stop(m, now, "more than 1 s after PAUSE or standby");
}

void sink_media_ended(SinkMedia *m, gint64 now)
{
	stop(m, now, "more than 1 s after the session ended");
	g_mutex_lock(&m->lock);
	m->end_us = now;
	g_mutex_unlock(&m->lock);
}

void sink_media_idr_requested(SinkMedia *m, gint64 now)
{
	g_mutex_lock(&m->lock);
	m->idr_request_us = now;
	g_mutex_unlock(&m->lock);
}

gboolean sink_media_drained(SinkMedia *m)
{
	gboolean drained;

	g_mutex_lock(&m->lock);
	drained = m->frames == m->frames_seen || m->frames + DECODE_SLACK >= m->aus;
	m->frames_seen = m->frames;
	g_mutex_unlock(&m->lock);
	return drained;
}

guint sink_media_frames_decoded(SinkMedia *m)
{
	guint n;

	g_mutex_lock(&m->lock);
	n = m->frames;
	g_mutex_unlock(&m->lock);
	return n;
}

void sink_media_summary(SinkMedia *m, gboolean played, GString *out, GPtrArray *failures)
{
	double secs, rtp_secs;
	const Format *f;
	guint i;

	g_mutex_lock(&m->lock);
	f = m->n_formats ? &m->formats[m->n_formats - 1] : NULL;
	secs = (m->last_frame_us - m->first_frame_us) / 1e6;
	rtp_secs = (m->last_rtp_us - m->first_rtp_us) / 1e6;
	if (played) {
		/* unless something failed them */
		sink_check_pass(&m->flow);
		sink_check_pass(&m->seq);
	}
	if (played && !m->frames)
		sink_check_fail(&m->decode, "no picture was decoded");
	else if (played && m->frames + DECODE_SLACK < m->aus * 9 / 10)
		sink_check_fail(&m->decode, "%u pictures decoded of %" G_GUINT64_FORMAT " access "
				"units received", m->frames, m->aus);
	else if (m->frames)
		sink_check_pass(&m->decode);
	if (played && f && f->audio && !m->audio_pes && m->frames)
		sink_check_fail(&m->audio, "no audio PES came although M4 set %s",
				mc_wfd_audio_format_name(f->audio_format));
	if (played && f && !f->audio && m->audio_pes)
		sink_check_fail(&m->audio, "audio came although M4 set none");

	g_string_append_printf(out, "frames_decoded=%u\n", m->frames);
	g_string_append_printf(out, "fps=%.2f\n", m->frames > 1 && secs > 0 ?
			       (m->frames - 1) / secs : 0.0);
	g_string_append_printf(out, "kbit_s=%.0f\n", rtp_secs > 0 ?
			       m->rtp_bytes * 8 / 1000.0 / rtp_secs : 0.0);
	g_string_append(out, "sizes=");
	for (i = 0; i < MAX_SIZES && m->sizes[i].n; i++)
		g_string_append_printf(out, "%s%dx%d:%u", i ? "," : "", m->sizes[i].width,
				       m->sizes[i].height, m->sizes[i].n);
	g_string_append_printf(out, "%s\n", i ? "" : "-");
	g_string_append_printf(out, "first_frame_unix_ms=%" G_GINT64_FORMAT "\n",
			       m->first_frame_unix_ms);
	g_string_append_printf(out, "first_frame_idr=%s\n", m->first_frame_idr < 0 ? "-" :
			       m->first_frame_idr ? "yes" : "no");
	g_string_append_printf(out, "idr_after_request_ms=%" G_GINT64_FORMAT "\n",
			       m->idr_after_request_ms);
	g_string_append_printf(out, "access_units=%" G_GUINT64_FORMAT "\n", m->aus);
	g_string_append_printf(out, "idrs=%" G_GUINT64_FORMAT "\n", m->idrs);
	if (m->sps_profile)
		g_string_append_printf(out, "sps=%u,%02X,%u\n", m->sps_profile,
				       m->sps_constraints, m->sps_level);
	else
		g_string_append(out, "sps=-\n");
	g_string_append_printf(out, "rtp_packets=%" G_GUINT64_FORMAT "\n", m->rtp_packets);
	g_string_append_printf(out, "rtp_lost=%" G_GUINT64_FORMAT "\n", m->rtp_lost);
	g_string_append_printf(out, "rtp_restarts=%u\n", m->rtp_restarts);
	g_string_append_printf(out, "rtp_unexpected=%" G_GUINT64_FORMAT "\n", m->rtp_unexpected);
	g_string_append_printf(out, "rtp_after_end_ms=%" G_GINT64_FORMAT "\n",
			       m->end_us && m->last_rtp_us > m->end_us ?
			       (m->last_rtp_us - m->end_us) / 1000 : 0);
	g_string_append_printf(out, "pcr_pid=0x%04X\n", m->pcr_pid);
	g_string_append_printf(out, "audio_stream=%s\n", audio_type_name(m->audio_type));
	g_string_append_printf(out, "audio_caps=%s\n", m->audio_caps ? m->audio_caps : "-");
	g_string_append_printf(out, "audio_pes=%" G_GUINT64_FORMAT "\n", m->audio_pes);
	g_string_append_printf(out, "audio_bytes=%" G_GUINT64_FORMAT "\n", m->audio_bytes);
	g_string_append_printf(out, "audio_buffers_out=%" G_GUINT64_FORMAT "\n", m->audio_decoded);
	g_string_append_printf(out, "snapshots=%u\n", m->snapshots);
	if (m->config.pattern) {
		g_string_append_printf(out, "min_psnr=%.2f\n", m->pattern_frames ? m->min_psnr : 0);
		g_string_append_printf(out, "mean_psnr=%.2f\n", m->pattern_frames ?
				       m->sum_psnr / m->pattern_frames : 0);
		g_string_append_printf(out, "unreadable=%u\n", m->unreadable);
		g_string_append_printf(out, "pattern_unique=%u\n", m->unique);
	} else {
		g_string_append(out, "min_psnr=-\nmean_psnr=-\nunreadable=-\npattern_unique=-\n");
	}
	sink_check_report(&m->rtp, "rtp_ok", played, out, failures);
	sink_check_report(&m->seq, "rtp_seq_ok", played, out, failures);
	sink_check_report(&m->flow, "rtp_flow_ok", played, out, failures);
	sink_check_report(&m->ts, "ts_ok", played, out, failures);
	sink_check_report(&m->idr, "idr_ok", played, out, failures);
	sink_check_report(&m->sps, "sps_ok", played, out, failures);
	sink_check_report(&m->size, "size_ok", played, out, failures);
	sink_check_report(&m->audio, "audio_ok", played, out, failures);
	sink_check_report(&m->decode, "decode_ok", played, out, failures);
	g_mutex_unlock(&m->lock);
}

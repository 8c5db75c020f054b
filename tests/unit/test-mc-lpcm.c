// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of mc-lpcm: the 4-byte LPCM payload header and its probe; real mpegtsmux
 * output (LPCM only, muxed by mc_ts_mux_new()) rewritten to the Wi-Fi
 * Display LPCM layout and parsed back (PMT stream_type 0x83 with the
 * descriptor and a valid CRC, PES stream_id 0xBD, payloads opened by
 * A0 06 00 11, PTS unchanged), read by ffprobe when it is installed; and
 * malformed packets refused untouched.
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>

#include "mc-lpcm.h"
#include "mc-ts.h"
#include "play-to-end.h"

#define BUFFERS		50	/* of 10 ms */
#define FRAMES		480

static const guint8 header[MC_LPCM_HEADER] = { 0xa0, 0x06, 0x00, 0x11 };

static void test_payload(void)
{
	guint8 samples[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	GstBuffer *in = gst_buffer_new_memdup(samples, sizeof(samples));
	GstBuffer *odd = gst_buffer_new_memdup(samples, 6);
	GstBuffer *out;
	GstMapInfo map;

	GST_BUFFER_PTS(in) = 42 * GST_MSECOND;
	GST_BUFFER_DURATION(in) = 10 * GST_MSECOND;
	out = mc_lpcm_payload(in);
	g_assert_nonnull(out);
	g_assert_cmpuint(gst_buffer_get_size(out), ==, MC_LPCM_HEADER + sizeof(samples));
	g_assert_cmpuint(GST_BUFFER_PTS(out), ==, 42 * GST_MSECOND);
	g_assert_cmpuint(GST_BUFFER_DURATION(out), ==, 10 * GST_MSECOND);
	/* the samples' memory is shared, not copied */
	g_assert_cmpuint(gst_buffer_n_memory(out), ==, 2);
	g_assert_true(gst_buffer_peek_memory(out, 1) == gst_buffer_peek_memory(in, 0));
	g_assert_true(gst_buffer_map(out, &map, GST_MAP_READ));
	g_assert_cmpmem(map.data, MC_LPCM_HEADER, header, sizeof(header));
	g_assert_cmpmem(map.data + MC_LPCM_HEADER, sizeof(samples), samples, sizeof(samples));
	gst_buffer_unmap(out, &map);
	/* not whole stereo 16-bit frames */
	g_assert_null(mc_lpcm_payload(odd));
	gst_buffer_unref(out);
	gst_buffer_unref(odd);
	gst_buffer_unref(in);
}

/* the probes called as a pad would, on a buffer list with an odd buffer */
static void test_payload_probe(void)
{
	guint8 samples[8] = { 0 };
	GstBufferList *list = gst_buffer_list_new();
	GstPadProbeInfo info = { 0 };
	GstMapInfo map;

	gst_buffer_list_add(list, gst_buffer_new_memdup(samples, 8));
	gst_buffer_list_add(list, gst_buffer_new_memdup(samples, 6));
	gst_buffer_list_add(list, gst_buffer_new_memdup(samples, 4));
	info.type = GST_PAD_PROBE_TYPE_BUFFER_LIST;
	info.data = list;
	g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "LPCM: buffer of 6 bytes *");
	g_assert_cmpint(mc_lpcm_payload_probe(NULL, &info, NULL), ==, GST_PAD_PROBE_OK);
	g_test_assert_expected_messages();
	list = info.data;
	g_assert_cmpuint(gst_buffer_list_length(list), ==, 2);
	g_assert_cmpuint(gst_buffer_get_size(gst_buffer_list_get(list, 0)), ==, 12);
	g_assert_cmpuint(gst_buffer_get_size(gst_buffer_list_get(list, 1)), ==, 8);
	g_assert_true(gst_buffer_map(gst_buffer_list_get(list, 1), &map, GST_MAP_READ));
	g_assert_cmpmem(map.data, MC_LPCM_HEADER, header, sizeof(header));
	gst_buffer_unmap(gst_buffer_list_get(list, 1), &map);
	gst_buffer_list_unref(list);

	/* a lone odd buffer is dropped (the pad unrefs it) */
	info.type = GST_PAD_PROBE_TYPE_BUFFER;
	info.data = gst_buffer_new_memdup(samples, 2);
	g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "LPCM: buffer of 2 bytes *");
	g_assert_cmpint(mc_lpcm_payload_probe(NULL, &info, NULL), ==, GST_PAD_PROBE_DROP);
	g_test_assert_expected_messages();
	gst_buffer_unref(info.data);
}

static void test_crc(void)
{
	g_assert_cmphex(mc_lpcm_crc32((const guint8 *)"123456789", 9), ==, 0x0376e6e7);
}

static guint pid_of(const guint8 *p)
{
	return ((p[1] & 0x1f) << 8) | p[2];
}

/* payload offset of a TS packet, parsed for the test's own streams */
static guint payload_of(const guint8 *p)
{
	return p[3] & 0x20 ? 5 + p[4] : 4;
}

typedef struct {
	guint pmts, audio_type, descriptors, pes, payload_headers;
	int stream_id;			/* -1: none yet, -2: mixed */
	gboolean crc_ok, pes_ext;
	guint8 descriptor[4];
	GArray *pts;			/* guint64 per audio PES */
} Parsed;

static void parse_pmt(Parsed *r, const guint8 *sec)
{
	guint len = ((sec[1] & 0x0f) << 8) | sec[2];
	guint i = 12 + (((sec[10] & 0x0f) << 8) | sec[11]);

	r->pmts++;
	r->crc_ok = mc_lpcm_crc32(sec, 3 + len) == 0;
	while (i + 5 <= 3 + len - 4) {
		guint es = ((sec[i + 3] & 0x0f) << 8) | sec[i + 4];

		if ((((sec[i + 1] & 0x1f) << 8) | sec[i + 2]) == MC_TS_AUDIO_PID) {
			r->audio_type = sec[i];
			r->descriptors = es;
			if (es >= 4)
				memcpy(r->descriptor, sec + i + 5, 4);
		}
		i += 5 + es;
	}
}

static void parse_pes(Parsed *r, const guint8 *pes)
{
	guint64 pts = ((guint64)(pes[9] & 0x0e) << 29) | (pes[10] << 22) |
		      ((pes[11] & 0xfe) << 14) | (pes[12] << 7) | (pes[13] >> 1);

	g_assert_cmpmem(pes, 3, "\0\0\1", 3);
	g_assert_cmphex(pes[7] & 0xc0, ==, 0x80);	/* PTS only */
	r->pes++;
	if (r->stream_id == -1)
		r->stream_id = pes[3];
	else if (r->stream_id != pes[3])
		r->stream_id = -2;
	if (pes[7] & 0x01)
		r->pes_ext = TRUE;
	if (!memcmp(pes + 9 + pes[8], header, sizeof(header)))
		r->payload_headers++;
	g_array_append_val(r->pts, pts);
}

static void parse(Parsed *r, const guint8 *d, gsize n)
{
	gsize i;

	memset(r, 0, sizeof(*r));
	r->stream_id = -1;
	r->pts = g_array_new(FALSE, FALSE, sizeof(guint64));
	for (i = 0; i < n; i += MC_TS_PACKET) {
		const guint8 *p = d + i;
		guint off = payload_of(p);

		g_assert_cmphex(p[0], ==, 0x47);
		if (!(p[1] & 0x40))
			continue;
		if (pid_of(p) == MC_TS_PMT_PID)
			parse_pmt(r, p + off + 1 + p[off]);
		else if (pid_of(p) == MC_TS_AUDIO_PID)
			parse_pes(r, p + off);
	}
}

static GstElement *add(GstElement *pipe, const char *factory)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	g_assert_nonnull(e);
	gst_bin_add(GST_BIN(pipe), e);
	return e;
}

/* collects the TS the muxer writes */
static void append(const guint8 *d, gsize n, gpointer ts)
{
	g_byte_array_append(ts, d, n);
}

/* mpegtsmux's output for 0.5 s of LPCM with the payload header prepended */
static GByteArray *mux_lpcm(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GstCaps) raw = gst_caps_from_string(
		"audio/x-raw,format=S16BE,rate=48000,channels=2");
	g_autoptr(GstCaps) lpcm = gst_caps_from_string(MC_LPCM_CAPS);
	GstElement *pipe = gst_pipeline_new(NULL);
	GstElement *src, *conv, *caps, *setter, *mux, *sink;
	GByteArray *ts = g_byte_array_new();
	GstPad *pad;

	src = add(pipe, "audiotestsrc");
	conv = add(pipe, "audioconvert");
	caps = add(pipe, "capsfilter");
	setter = add(pipe, "capssetter");
	mux = mc_ts_mux_new(&error);
	g_assert_no_error(error);
	gst_bin_add(GST_BIN(pipe), mux);
	sink = add(pipe, "appsink");
	g_object_set(src, "num-buffers", BUFFERS, "samplesperbuffer", FRAMES, NULL);
	g_object_set(caps, "caps", raw, NULL);
	g_object_set(setter, "caps", lpcm, "join", FALSE, "replace", TRUE, NULL);
	g_object_set(sink, "sync", FALSE, NULL);
	g_assert_true(gst_element_link_many(src, conv, caps, setter, NULL));
	g_assert_true(gst_element_link_pads(setter, NULL, mux, MC_TS_AUDIO_PAD));
	g_assert_true(gst_element_link(mux, sink));
	pad = gst_element_get_static_pad(setter, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
			  mc_lpcm_payload_probe, NULL, NULL);
	gst_object_unref(pad);

	play_to_end(pipe, sink, append, ts);
	return ts;
}

/*
 * The first line ffprobe writes for @ts with @show (an -show_entries
 * argument) in CSV, packets counted, or NULL if ffprobe is not installed.
 */
static char *ffprobe(const guint8 *ts, gsize n, const char *show)
{
	g_autofree char *ffprobe = g_find_program_in_path("ffprobe");
	g_autofree char *dir = NULL, *path = NULL, *out = NULL;
	g_autoptr(GError) error = NULL;
	const char *argv[] = {
		NULL, "-v", "error", "-show_entries", show, "-of", "csv=p=0",
		"-count_packets", NULL, NULL
	};
	int status;

	if (!ffprobe)
		return NULL;
	dir = g_dir_make_tmp("mc-lpcm-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(dir, "lpcm.ts", NULL);
	g_assert_true(g_file_set_contents(path, (const char *)ts, n, &error));
	argv[0] = ffprobe;
	argv[8] = path;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
				   NULL, NULL, &out, NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_unlink(path);
	g_rmdir(dir);
	*strchrnul(out, '\n') = 0;
	return g_strdup(out);
}

/* the src pad probe rewrites as mc_lpcm_rewrite_ts() does, a shared buffer in a copy */
static void check_ts_probe(const GByteArray *ts, const guint8 *rewritten)
{
	GstBuffer *shared = gst_buffer_new_memdup(ts->data, ts->len);
	GstPadProbeInfo info = { 0 };

	gst_buffer_ref(shared);
	info.type = GST_PAD_PROBE_TYPE_BUFFER;
	info.data = shared;
	g_assert_cmpint(mc_lpcm_ts_probe(NULL, &info, NULL), ==, GST_PAD_PROBE_OK);
	g_assert_true(info.data != shared);
	g_assert_cmpint(gst_buffer_memcmp(info.data, 0, rewritten, ts->len), ==, 0);
	g_assert_cmpint(gst_buffer_memcmp(shared, 0, ts->data, ts->len), ==, 0);
	gst_buffer_unref(info.data);
	gst_buffer_unref(shared);
}

static void test_mux(void)
{
	g_autoptr(GByteArray) ts = mux_lpcm();
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *rewritten = NULL;
	g_autofree guint8 *twice = NULL;
	g_autofree char *probed = NULL;
	Parsed before, after;
	guint i;

	g_assert_cmpuint(ts->len, >, 0);
	g_assert_cmpuint(ts->len % MC_TS_PACKET, ==, 0);
	parse(&before, ts->data, ts->len);
	/* what mpegtsmux writes for LPCM */
	g_assert_cmpuint(before.pmts, >, 0);
	g_assert_true(before.crc_ok);
	g_assert_cmphex(before.audio_type, ==, 0x8b);
	g_assert_cmpuint(before.descriptors, ==, 0);
	g_assert_cmpint(before.stream_id, ==, 0xfd);
	g_assert_true(before.pes_ext);
	g_assert_cmpuint(before.pes, ==, BUFFERS);
	g_assert_cmpuint(before.payload_headers, ==, BUFFERS);

	rewritten = g_memdup2(ts->data, ts->len);
	g_assert_true(mc_lpcm_rewrite_ts(rewritten, ts->len, MC_TS_PMT_PID,
					 MC_TS_AUDIO_PID, &error));
	g_assert_no_error(error);
	parse(&after, rewritten, ts->len);
	g_assert_cmpuint(after.pmts, ==, before.pmts);
	g_assert_true(after.crc_ok);
	g_assert_cmphex(after.audio_type, ==, MC_LPCM_STREAM_TYPE);
	g_assert_cmpuint(after.descriptors, ==, 4);
	g_assert_cmpmem(after.descriptor, 4, "\x83\x02\x40\x20", 4);
	g_assert_cmpint(after.stream_id, ==, MC_LPCM_STREAM_ID);
	g_assert_false(after.pes_ext);
	g_assert_cmpuint(after.pes, ==, BUFFERS);
	g_assert_cmpuint(after.payload_headers, ==, BUFFERS);
	g_assert_cmpuint(after.pts->len, ==, before.pts->len);
	for (i = 0; i < after.pts->len; i++)
		g_assert_cmpuint(g_array_index(after.pts, guint64, i), ==,
				 g_array_index(before.pts, guint64, i));

	check_ts_probe(ts, rewritten);

	/* a second pass changes nothing */
	twice = g_memdup2(rewritten, ts->len);
	g_assert_true(mc_lpcm_rewrite_ts(twice, ts->len, MC_TS_PMT_PID,
					 MC_TS_AUDIO_PID, NULL));
	g_assert_cmpmem(twice, ts->len, rewritten, ts->len);

	/*
	 * ffprobe (ffmpeg 5.1) has no decoder for stream type 0x83 outside
	 * Blu-ray streams: it reports the stream as of unknown type with tag
	 * 0x83 (0x8B before the rewrite), still demuxes its 50 PES packets
	 * of private_stream_1 (189), each 4 + 1920 bytes.
	 */
	probed = ffprobe(ts->data, ts->len, "stream=codec_type,codec_tag,id,nb_read_packets");
	if (!probed) {
		g_test_message("ffprobe not installed: not checked by it");
	} else {
		g_assert_cmpstr(probed, ==, "unknown,0x008b,0x1100,50");
		g_free(probed);
		probed = ffprobe(rewritten, ts->len,
				 "stream=codec_type,codec_tag,id,nb_read_packets");
		g_test_message("ffprobe: %s", probed);
		g_assert_cmpstr(probed, ==, "unknown,0x0083,0x1100,50");
		g_free(probed);
		probed = ffprobe(rewritten, ts->len, "packet=size:packet_side_data");
		g_test_message("ffprobe: first packet %s", probed);
		g_assert_cmpstr(probed, ==, "1924,MPEGTS Stream ID,189");
	}
	g_array_unref(before.pts);
	g_array_unref(after.pts);
}

/* the first PMT and first audio PES packets of real mpegtsmux output */
static void first_packets(const GByteArray *ts, guint8 *pmt, guint8 *pes)
{
	gboolean have_pmt = FALSE, have_pes = FALSE;
	gsize i;

	for (i = 0; i < ts->len; i += MC_TS_PACKET) {
		const guint8 *p = ts->data + i;

		if (!(p[1] & 0x40))
			continue;
		if (!have_pmt && pid_of(p) == MC_TS_PMT_PID) {
			memcpy(pmt, p, MC_TS_PACKET);
			have_pmt = TRUE;
		} else if (!have_pes && pid_of(p) == MC_TS_AUDIO_PID) {
			memcpy(pes, p, MC_TS_PACKET);
			have_pes = TRUE;
		}
	}
	g_assert_true(have_pmt && have_pes);
}

/* @p must be refused by the rewriter and left as it was */
static void refused(const guint8 *p, gsize n)
{
	g_autofree guint8 *copy = g_memdup2(p, n);
	g_autoptr(GError) error = NULL;

	g_assert_false(mc_lpcm_rewrite_ts(copy, n, MC_TS_PMT_PID, MC_TS_AUDIO_PID, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_test_message("refused: %s", error->message);
	g_assert_cmpmem(copy, n, p, n);
}

/* the PMT of @pmt moved to a packet without adaptation field, 0xFF after it */
static void pmt_without_af(const guint8 *pmt, guint8 *out)
{
	guint off = payload_of(pmt);

	memset(out, 0xff, MC_TS_PACKET);
	memcpy(out, pmt, 4);
	out[3] = (out[3] & 0xcf) | 0x10;
	memcpy(out + 4, pmt + off, MC_TS_PACKET - off);
}

static void test_malformed(void)
{
	g_autoptr(GByteArray) ts = mux_lpcm();
	guint8 pmt[MC_TS_PACKET], pes[MC_TS_PACKET], p[2 * MC_TS_PACKET];
	guint off, sec, len, i;
	GRand *rand;

	first_packets(ts, pmt, pes);
	off = payload_of(pmt);
	sec = off + 1 + pmt[off];
	len = ((pmt[sec + 1] & 0x0f) << 8) | pmt[sec + 2];

	/* not whole packets, truncated */
	refused(pmt, MC_TS_PACKET - 1);
	refused(pmt, 10);
	/* bad sync byte */
	memcpy(p, pmt, MC_TS_PACKET);
	p[0] = 0x46;
	refused(p, MC_TS_PACKET);
	/* adaptation field beyond the packet */
	memcpy(p, pmt, MC_TS_PACKET);
	p[4] = 184;
	refused(p, MC_TS_PACKET);
	/* pointer_field beyond the packet */
	memcpy(p, pmt, MC_TS_PACKET);
	p[off] = 0xff;
	refused(p, MC_TS_PACKET);
	/* section_length beyond the packet */
	memcpy(p, pmt, MC_TS_PACKET);
	p[sec + 1] = (p[sec + 1] & 0xf0) | 0x03;
	refused(p, MC_TS_PACKET);
	/* bad CRC */
	memcpy(p, pmt, MC_TS_PACKET);
	p[sec + 3 + len - 1] ^= 1;
	refused(p, MC_TS_PACKET);
	/* ES_info_length beyond the section (CRC made right) */
	memcpy(p, pmt, MC_TS_PACKET);
	p[sec + 3 + len - 4 - 1] = 0x40;
	i = mc_lpcm_crc32(p + sec, 3 + len - 4);
	p[sec + 3 + len - 4] = i >> 24;
	p[sec + 3 + len - 3] = i >> 16;
	p[sec + 3 + len - 2] = i >> 8;
	p[sec + 3 + len - 1] = i;
	refused(p, MC_TS_PACKET);
	/*
	 * A PMT without room: the adaptation field's stuffing cut to 3 bytes
	 * by transport_private_data; with 4 the descriptor just fits.
	 */
	memcpy(p, pmt, MC_TS_PACKET);
	g_assert_cmpuint(p[4], >, 8);
	p[5] = 0x02;
	p[6] = p[4] - 2 - 3;
	refused(p, MC_TS_PACKET);
	p[6] = p[4] - 2 - 4;
	g_assert_true(mc_lpcm_rewrite_ts(p, MC_TS_PACKET, MC_TS_PMT_PID, MC_TS_AUDIO_PID, NULL));
	g_assert_cmpuint(p[4], ==, 2 + p[6]);
	g_assert_cmpuint(mc_lpcm_crc32(p + 5 + p[4] + 1, 3 + len + 4), ==, 0);
	/* a second section after the PMT is not dropped to make room */
	pmt_without_af(pmt, p);
	p[4 + 1 + 3 + len] = 0x02;
	refused(p, MC_TS_PACKET);
	/* PES: no start code, header beyond the packet, extension beyond it */
	off = payload_of(pes);
	memcpy(p, pes, MC_TS_PACKET);
	p[off + 2] = 0;
	refused(p, MC_TS_PACKET);
	memcpy(p, pes, MC_TS_PACKET);
	p[off + 8] = 0xff;
	refused(p, MC_TS_PACKET);
	memcpy(p, pes, MC_TS_PACKET);
	p[off + 8] = 5;
	refused(p, MC_TS_PACKET);
	/* one bad packet of two: the good one is still rewritten */
	memcpy(p, pes, MC_TS_PACKET);
	memcpy(p + MC_TS_PACKET, pes, MC_TS_PACKET);
	p[0] = 0;
	g_assert_false(mc_lpcm_rewrite_ts(p, sizeof(p), MC_TS_PMT_PID, MC_TS_AUDIO_PID, NULL));
	g_assert_cmphex(p[0], ==, 0);
	g_assert_cmpmem(p + 1, MC_TS_PACKET - 1, pes + 1, MC_TS_PACKET - 1);
	g_assert_cmphex(p[MC_TS_PACKET + off + 3], ==, MC_LPCM_STREAM_ID);

	/* a PMT packet with no adaptation field is rewritten in its trailing stuffing */
	pmt_without_af(pmt, p);
	g_assert_true(mc_lpcm_rewrite_ts(p, MC_TS_PACKET, MC_TS_PMT_PID, MC_TS_AUDIO_PID, NULL));
	g_assert_cmphex(p[5 + 12], ==, MC_LPCM_STREAM_TYPE);
	g_assert_cmpuint(mc_lpcm_crc32(p + 5, 3 + len + 4), ==, 0);

	/*
	 * Random changes: to the PES packet anywhere in its first 40 bytes;
	 * to the PMT inside its section, CRC made right again, and every
	 * fourth time to one byte before it. No crash, no read past them.
	 */
	rand = g_rand_new_with_seed(1);
	for (i = 0; i < 20000; i++) {
		guint8 *q = g_malloc(MC_TS_PACKET);
		guint j, crc, pid = i & 1 ? MC_TS_PMT_PID : MC_TS_AUDIO_PID;

		memcpy(q, i & 1 ? pmt : pes, MC_TS_PACKET);
		for (j = 0; j < 1 + (i % 8); j++) {
			if (i & 1)
				q[g_rand_int_range(rand, sec + 1, sec + 3 + len - 4)] =
					g_rand_int(rand);
			else
				q[g_rand_int_range(rand, 3, 40)] = g_rand_int(rand);
		}
		if ((i & 3) == 3)
			q[g_rand_int_range(rand, 3, sec + 1)] = g_rand_int(rand);
		crc = mc_lpcm_crc32(q + sec, 3 + len - 4);
		if (i & 1) {
			q[sec + 3 + len - 4] = crc >> 24;
			q[sec + 3 + len - 3] = crc >> 16;
			q[sec + 3 + len - 2] = crc >> 8;
			q[sec + 3 + len - 1] = crc;
		}
		q[1] = 0x40 | pid >> 8;
		q[2] = pid & 0xff;
		mc_lpcm_rewrite_ts(q, MC_TS_PACKET, MC_TS_PMT_PID, MC_TS_AUDIO_PID, NULL);
		g_free(q);
	}
	g_rand_free(rand);
}

int main(int argc, char **argv)
{
	int ret;

	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lpcm/payload", test_payload);
	g_test_add_func("/lpcm/payload-probe", test_payload_probe);
	g_test_add_func("/lpcm/crc", test_crc);
	g_test_add_func("/lpcm/mux", test_mux);
	g_test_add_func("/lpcm/malformed", test_malformed);
	ret = g_test_run();
	gst_deinit();
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of Wi-Fi Display's domain (mc-wfd.h): the resolution tables
 * and their kernel timings, every wfd_* parameter parsed and written back
 * (canonical and lenient inputs, malformed ones rejected), the worked
 * examples of real sinks, and the source's negotiation against sink
 * profiles, down to the M4 it sets.
 */
#include <string.h>

#include <drm_mode.h>

#include "mc-wfd.h"
#include "wfd-bodies.h"

/* ---- Tables ------------------------------------------------------------ */

static void check_timing(const McWfdResolution *r)
{
	struct miracast_mode m;
	g_autofree char *name = mc_wfd_resolution_name(r);
	guint64 total;

	g_test_message("%s %s bit %u", name, mc_wfd_table_name(r->table), r->bit);
	g_assert_true(mc_wfd_resolution_timing(r, &m));
	g_assert_cmpuint(m.hdisplay, ==, r->width);
	g_assert_cmpuint(m.vdisplay, ==, r->height);
	g_assert_cmpuint(m.hdisplay, <, m.hsync_start);
	g_assert_cmpuint(m.hsync_start, <, m.hsync_end);
	g_assert_cmpuint(m.hsync_end, <=, m.htotal);
	g_assert_cmpuint(m.vdisplay, <, m.vsync_start);
	g_assert_cmpuint(m.vsync_start, <, m.vsync_end);
	g_assert_cmpuint(m.vsync_end, <=, m.vtotal);
	g_assert_cmpuint(m.type, ==, 0);
	g_assert_cmpuint(!!(m.flags & DRM_MODE_FLAG_PHSYNC) + !!(m.flags & DRM_MODE_FLAG_NHSYNC),
			 ==, 1);
	g_assert_cmpuint(!!(m.flags & DRM_MODE_FLAG_PVSYNC) + !!(m.flags & DRM_MODE_FLAG_NVSYNC),
			 ==, 1);
	g_assert_cmpuint(m.flags & ~(DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NHSYNC |
				     DRM_MODE_FLAG_PVSYNC | DRM_MODE_FLAG_NVSYNC), ==, 0);
	total = (guint64)m.htotal * m.vtotal;
	if (r->table == MC_WFD_CEA) {
		/* the exact nominal rate */
		g_assert_cmpuint((guint64)m.clock * 1000 % total, ==, 0);
		g_assert_cmpuint((guint64)m.clock * 1000 / total, ==, r->refresh);
	} else {
		g_assert_cmpuint(((guint64)m.clock * 1000 + total / 2) / total, ==, r->refresh);
		/* CVT's blanking: some, not absurd */
		g_assert_cmpuint(m.htotal, <, m.hdisplay * 3 / 2);
		g_assert_cmpuint(m.vtotal, <, m.vdisplay * 6 / 5);
	}
	g_assert_true(mc_wfd_resolution_from_mode(&m) == r);
}

static void test_tables(void)
{
	static const guint sizes[] = { 17, 30, 12 };
	static const guint32 masks[] = { 0x1ffff, 0x3fffffff, 0xfff };
	guint progressive = 0;

	for (McWfdTable t = MC_WFD_CEA; t <= MC_WFD_HH; t++) {
		g_assert_cmpuint(mc_wfd_table_size(t), ==, sizes[t]);
		g_assert_cmpuint(mc_wfd_table_mask(t), ==, masks[t]);
		g_assert_null(mc_wfd_resolution(t, sizes[t]));
		g_assert_null(mc_wfd_resolution(t, 31));
		for (guint bit = 0; bit < sizes[t]; bit++) {
			const McWfdResolution *r = mc_wfd_resolution(t, bit);
			struct miracast_mode m;

			g_assert_nonnull(r);
			g_assert_cmpuint(r->table, ==, t);
			g_assert_cmpuint(r->bit, ==, bit);
			if (r->interlaced) {
				g_assert_true(t == MC_WFD_CEA);
				g_assert_false(mc_wfd_resolution_timing(r, &m));
				g_assert_true(mc_wfd_resolution_find(r->width, r->height,
								     r->refresh) != r);
				continue;
			}
			progressive++;
			g_assert_true(mc_wfd_resolution_find(r->width, r->height, r->refresh) == r);
			check_timing(r);
		}
	}
	g_assert_cmpuint(progressive, ==, 17 - 4 + 30 + 12);
	g_assert_cmpstr(mc_wfd_table_name(MC_WFD_CEA), ==, "CEA");
	g_assert_cmpstr(mc_wfd_table_name(MC_WFD_VESA), ==, "VESA");
	g_assert_cmpstr(mc_wfd_table_name(MC_WFD_HH), ==, "HH");
	g_assert_null(mc_wfd_resolution(3, 0));
}

static void check_entry(McWfdTable t, guint bit, const char *name)
{
	g_autofree char *n = mc_wfd_resolution_name(mc_wfd_resolution(t, bit));

	g_assert_cmpstr(n, ==, name);
}

/* The reference's tables, not the typos some implementations have. */
static void test_table_entries(void)
{
	static const char *const interlaced[] = { "720x480i60", "720x576i50", "1920x1080i60",
						  "1920x1080i50" };
	static const guint interlaced_bits[] = { 2, 4, 9, 14 };

	check_entry(MC_WFD_CEA, 0, "640x480p60");
	check_entry(MC_WFD_CEA, 5, "1280x720p30");
	check_entry(MC_WFD_CEA, 7, "1920x1080p30");
	check_entry(MC_WFD_CEA, 8, "1920x1080p60");
	check_entry(MC_WFD_CEA, 10, "1280x720p25");
	check_entry(MC_WFD_CEA, 16, "1920x1080p24");
	for (guint i = 0; i < G_N_ELEMENTS(interlaced); i++)
		check_entry(MC_WFD_CEA, interlaced_bits[i], interlaced[i]);
	check_entry(MC_WFD_VESA, 4, "1152x864p30");
	check_entry(MC_WFD_VESA, 16, "1400x1050p30");
	check_entry(MC_WFD_VESA, 25, "1680x1024p60");
	check_entry(MC_WFD_VESA, 28, "1920x1200p30");
	check_entry(MC_WFD_VESA, 29, "1920x1200p60");
	check_entry(MC_WFD_HH, 2, "854x480p30");
	check_entry(MC_WFD_HH, 11, "848x480p60");
}

static void test_timings(void)
{
	struct miracast_mode m;

	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_CEA, 0), &m));
	g_assert_cmpuint(m.clock, ==, 25200);
	g_assert_cmpuint(m.htotal, ==, 800);
	g_assert_cmpuint(m.vtotal, ==, 525);
	g_assert_cmpuint(m.flags, ==, DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC);
	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_CEA, 1), &m));
	g_assert_cmpuint(m.clock, ==, 27027);
	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_CEA, 8), &m));
	g_assert_cmpuint(m.clock, ==, 148500);
	g_assert_cmpuint(m.hsync_start, ==, 2008);
	g_assert_cmpuint(m.hsync_end, ==, 2052);
	g_assert_cmpuint(m.htotal, ==, 2200);
	g_assert_cmpuint(m.vsync_start, ==, 1084);
	g_assert_cmpuint(m.vsync_end, ==, 1089);
	g_assert_cmpuint(m.vtotal, ==, 1125);
	g_assert_cmpuint(m.flags, ==, DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC);
	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_CEA, 15), &m));
	g_assert_cmpuint(m.clock, ==, 59400);

	/* CVT narrows 854 to 848: the width stays */
	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_HH, 3), &m));
	g_assert_cmpuint(m.hdisplay, ==, 854);
	g_assert_true(mc_wfd_resolution_timing(mc_wfd_resolution(MC_WFD_VESA, 13), &m));
	g_assert_cmpuint(m.hdisplay, ==, 1366);
	g_assert_false(mc_wfd_resolution_timing(NULL, &m));
}

static void test_from_mode(void)
{
	/* the EDID's 59.94 Hz 640x480 (CEA-861's own clock) */
	struct miracast_mode vga = { 25175, 640, 656, 752, 800, 480, 490, 492, 525,
				     DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC, 0 };
	/* 1080i60 */
	struct miracast_mode i1080 = { 74250, 1920, 2008, 2052, 2200, 1080, 1084, 1094, 1125,
				       DRM_MODE_FLAG_INTERLACE, 0 };
	struct miracast_mode odd = vga;
	struct miracast_mode zero = { 0 };

	g_assert_true(mc_wfd_resolution_from_mode(&vga) == mc_wfd_resolution(MC_WFD_CEA, 0));
	g_assert_null(mc_wfd_resolution_from_mode(&i1080));
	odd.hdisplay = 641;
	g_assert_null(mc_wfd_resolution_from_mode(&odd));
	odd = vga;
	odd.clock = 31500;	/* 75 Hz */
	g_assert_null(mc_wfd_resolution_from_mode(&odd));
	g_assert_null(mc_wfd_resolution_from_mode(&zero));
	g_assert_null(mc_wfd_resolution_find(1920, 1080, 59));
	g_assert_true(mc_wfd_resolution_find(1920, 1200, 60) == mc_wfd_resolution(MC_WFD_VESA, 29));
}

static void test_levels(void)
{
	static const struct {
		McWfdTable table;
		guint bit;
		guint8 level;
	} needs[] = {
		{ MC_WFD_CEA, 0, MC_WFD_LEVEL_3_1 },
		{ MC_WFD_CEA, 5, MC_WFD_LEVEL_3_1 },
		{ MC_WFD_CEA, 6, MC_WFD_LEVEL_3_2 },
		{ MC_WFD_CEA, 7, MC_WFD_LEVEL_4_0 },
		{ MC_WFD_CEA, 8, MC_WFD_LEVEL_4_2 },
		{ MC_WFD_VESA, 28, 0 },		/* 9000 macroblocks: above 4.2 */
		{ MC_WFD_VESA, 29, 0 },
		{ MC_WFD_VESA, 23, MC_WFD_LEVEL_4_2 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(needs); i++)
		g_assert_cmpuint(mc_wfd_resolution_min_level(mc_wfd_resolution(needs[i].table,
									     needs[i].bit)),
				 ==, needs[i].level);
	g_assert_cmpuint(mc_wfd_level_to_h264(MC_WFD_LEVEL_3_1), ==, 31);
	g_assert_cmpuint(mc_wfd_level_to_h264(MC_WFD_LEVEL_3_2), ==, 32);
	g_assert_cmpuint(mc_wfd_level_to_h264(MC_WFD_LEVEL_4_0), ==, 40);
	g_assert_cmpuint(mc_wfd_level_to_h264(MC_WFD_LEVEL_4_1), ==, 41);
	g_assert_cmpuint(mc_wfd_level_to_h264(MC_WFD_LEVEL_4_2), ==, 42);
	g_assert_cmpuint(mc_wfd_level_to_h264(0x03), ==, 0);
	g_assert_cmpuint(mc_wfd_level_to_h264(0), ==, 0);
	for (guint8 b = 1; b <= 0x10; b <<= 1)
		g_assert_cmpuint(mc_wfd_level_from_h264(mc_wfd_level_to_h264(b)), ==, b);
	g_assert_cmpuint(mc_wfd_level_from_h264(50), ==, 0);
	g_assert_cmpint(mc_wfd_profile_to_h264(MC_WFD_PROFILE_CBP), ==, MC_H264_CBP);
	g_assert_cmpint(mc_wfd_profile_to_h264(MC_WFD_PROFILE_CHP), ==, MC_H264_CHP);
	g_assert_cmpuint(mc_wfd_profile_from_h264(MC_H264_CHP), ==, MC_WFD_PROFILE_CHP);
	g_assert_cmpuint(mc_wfd_profile_from_h264(MC_H264_CBP), ==, MC_WFD_PROFILE_CBP);
	g_assert_cmpuint(mc_wfd_level_highest(0x1f), ==, MC_WFD_LEVEL_4_2);
	g_assert_cmpuint(mc_wfd_level_highest(0x05), ==, MC_WFD_LEVEL_4_0);
	g_assert_cmpuint(mc_wfd_level_highest(0), ==, 0);
	g_assert_cmpstr(mc_wfd_level_name(MC_WFD_LEVEL_4_1), ==, "4.1");
	g_assert_cmpstr(mc_wfd_profile_name(MC_WFD_PROFILE_CHP), ==, "CHP");
	g_assert_null(mc_wfd_profile_name(0x03));

	/* the source's default offer: every progressive mode up to 4.2 */
	g_assert_cmpuint(mc_wfd_source_mask(MC_WFD_CEA, MC_WFD_LEVEL_4_2), ==, 0x1bdeb);
	g_assert_cmpuint(mc_wfd_source_mask(MC_WFD_VESA, MC_WFD_LEVEL_4_2), ==, 0x0fffffff);
	g_assert_cmpuint(mc_wfd_source_mask(MC_WFD_HH, MC_WFD_LEVEL_4_2), ==, 0xfff);
	/* 3.1: 640x480p60, 720x480p60, 720x576p50, 720p30/25/24 */
	g_assert_cmpuint(mc_wfd_source_mask(MC_WFD_CEA, MC_WFD_LEVEL_3_1), ==, 0x0000842b);
}

/* ---- Parameters: round trips ----------------------------------------- */

typedef struct {
	McWfdParam param;
	const char *input;
	const char *canonical;	/* NULL: the input is canonical */
} RoundTrip;

static const RoundTrip round_trips[] = {
	{ MC_WFD_VIDEO_FORMATS, "none", NULL },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 02 10 0001FFFF 1FFFFFFF 00000FFF 00 0000 0000 10 none none", NULL },
	{ MC_WFD_VIDEO_FORMATS,
	  "40 00 01 08 0001ffff 3fffffff 000005ff 00 0000 0000 10 none none,"
	  "02 08 0001ffff 3fffffff 000005ff 00 0000 0000 10 none none",
	  "40 00 01 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none, "
	  "02 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none" },
	{ MC_WFD_VIDEO_FORMATS,
	  "01  01 01 01 00000001 00000000 00000000 00 0000 0000 00 0780 0438,   "
	  "02 1f 00000001 00000000 00000000 0a 0010 1c00 11 none 0438",
	  "01 01 01 01 00000001 00000000 00000000 00 0000 0000 00 0780 0438, "
	  "02 1F 00000001 00000000 00000000 0A 0010 1C00 11 none 0438" },
	{ MC_WFD_AUDIO_CODECS, "none", NULL },
	{ MC_WFD_AUDIO_CODECS, "LPCM 00000003 00, AAC 00000001 00", NULL },
	{ MC_WFD_AUDIO_CODECS, "LPCM 00000002 00,AAC 0000000f 02,  AC3 00000007 0a",
	  "LPCM 00000002 00, AAC 0000000F 02, AC3 00000007 0A" },
	{ MC_WFD_3D_VIDEO_FORMATS, "none", NULL },
	{ MC_WFD_3D_VIDEO_FORMATS,
	  "80 00 03 0f 0000000000000005 00 0001 0c01 11 none none, "
	  "01 01 ffffffffffffffff 00 0000 0000 00 0500 02d0",
	  "80 00 03 0F 0000000000000005 00 0001 0C01 11 none none, "
	  "01 01 FFFFFFFFFFFFFFFF 00 0000 0000 00 0500 02D0" },
	{ MC_WFD_CONTENT_PROTECTION, "none", NULL },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.0 port=1189", NULL },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.1 port=65535", NULL },
	{ MC_WFD_DISPLAY_EDID, "none", NULL },
	{ MC_WFD_DISPLAY_EDID, "0000 none", NULL },
	{ MC_WFD_DISPLAY_EDID, "0002 none", NULL },
	{ MC_WFD_COUPLED_SINK, "none", NULL },
	{ MC_WFD_COUPLED_SINK, "00 none", NULL },
	{ MC_WFD_COUPLED_SINK, "01 0a1b2c3d4e5f", "01 0A1B2C3D4E5F" },
	{ MC_WFD_TRIGGER_METHOD, "SETUP", NULL },
	{ MC_WFD_TRIGGER_METHOD, "PLAY", NULL },
	{ MC_WFD_TRIGGER_METHOD, "PAUSE", NULL },
	{ MC_WFD_TRIGGER_METHOD, "TEARDOWN", NULL },
	{ MC_WFD_PRESENTATION_URL, "rtsp://192.168.49.1/wfd1.0/streamid=0 none", NULL },
	{ MC_WFD_PRESENTATION_URL,
	  "rtsp://192.168.49.1:7236/wfd1.0/streamid=0 rtsp://192.168.49.1/wfd1.0/streamid=1",
	  NULL },
	{ MC_WFD_PRESENTATION_URL, "none none", NULL },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 19000 0 mode=play", NULL },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/TCP;unicast 1028 1030 mode=play", NULL },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast  53000  00 mode=play",
	  "RTP/AVP/UDP;unicast 53000 0 mode=play" },
	{ MC_WFD_ROUTE, "primary", NULL },
	{ MC_WFD_ROUTE, "secondary", NULL },
	{ MC_WFD_I2C, "none", NULL },
	{ MC_WFD_I2C, "404", NULL },
	{ MC_WFD_AV_FORMAT_CHANGE_TIMING, "000000ABCD 00000000FF", "000000ABCD 00000000FF" },
	{ MC_WFD_AV_FORMAT_CHANGE_TIMING, "01ffffffff 0000000000", "01FFFFFFFF 0000000000" },
	{ MC_WFD_PREFERRED_DISPLAY_MODE,
	  "00370e 0500 0172 006e 0028 02d0 001e 0005 0005 00 00 18 "
	  "01 02 00000040 00000000 00000000 00 0000 0000 00 none none",
	  "00370E 0500 0172 006E 0028 02D0 001E 0005 0005 00 00 18 "
	  "01 02 00000040 00000000 00000000 00 0000 0000 00 none none" },
	{ MC_WFD_UIBC_CAPABILITY, "none", NULL },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=GENERIC;generic_cap_list=Mouse,SingleTouch;"
	  "hidc_cap_list=none;port=none",
	  "input_category_list=GENERIC;generic_cap_list=Mouse, SingleTouch;"
	  "hidc_cap_list=none;port=none" },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=GENERIC, HIDC;generic_cap_list=Keyboard, Mouse, MultiTouch;"
	  "hidc_cap_list=Keyboard/USB, Mouse/BT, RemoteControl/Wi-Fi, Camera/No-SP;port=7239",
	  NULL },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=none;generic_cap_list=none;hidc_cap_list=none;port=none", NULL },
	{ MC_WFD_UIBC_SETTING, "enable", NULL },
	{ MC_WFD_UIBC_SETTING, "disable", NULL },
	{ MC_WFD_STANDBY_RESUME_CAPABILITY, "none", NULL },
	{ MC_WFD_STANDBY_RESUME_CAPABILITY, "supported", NULL },
	{ MC_WFD_STANDBY, "", NULL },
	{ MC_WFD_CONNECTOR_TYPE, "none", NULL },
	{ MC_WFD_CONNECTOR_TYPE, "05", NULL },
	{ MC_WFD_CONNECTOR_TYPE, "fe", "FE" },
	{ MC_WFD_IDR_REQUEST, "", NULL },
};

/* The body line of a parameter, with the line end given. */
static char *body_line(McWfdParam param, const char *value, const char *eol)
{
	if (!*value)
		return g_strdup_printf("%s%s", mc_wfd_param_name(param), eol);
	return g_strdup_printf("%s: %s%s", mc_wfd_param_name(param), value, eol);
}

static void test_round_trip(void)
{
	guint covered = 0;

	for (guint i = 0; i < G_N_ELEMENTS(round_trips); i++) {
		const RoundTrip *rt = &round_trips[i];
		const char *canonical = rt->canonical ? rt->canonical : rt->input;
		g_autofree char *crlf = body_line(rt->param, rt->input, "\r\n");
		g_autofree char *lf = body_line(rt->param, rt->input, "\n");
		g_autofree char *expect = body_line(rt->param, canonical, "\r\n");
		g_auto(McWfdParams) p = { 0 };
		g_auto(McWfdParams) q = { 0 };
		g_auto(McWfdParams) one = { 0 };
		g_autoptr(GError) error = NULL;
		g_autofree char *value = NULL;
		g_autofree char *body = NULL;
		g_autofree char *again = NULL;

		g_test_message("%s: %s", mc_wfd_param_name(rt->param), rt->input);
		covered |= 1U << rt->param;
		g_assert_true(mc_wfd_params_parse(&p, crlf, strlen(crlf), &error));
		g_assert_no_error(error);
		g_assert_cmphex(p.present, ==, G_GUINT64_CONSTANT(1) << rt->param);
		g_assert_null(p.unknown);
		value = mc_wfd_param_format(&p, rt->param);
		g_assert_cmpstr(value, ==, canonical);
		body = mc_wfd_params_format(&p);
		g_assert_cmpstr(body, ==, expect);

		/* LF only, and the canonical body back: the same parameters */
		g_assert_true(mc_wfd_params_parse(&q, lf, strlen(lf), &error));
		g_assert_true(mc_wfd_params_equal(&p, &q));
		mc_wfd_params_clear(&q);
		g_assert_true(mc_wfd_params_parse(&q, body, strlen(body), &error));
		g_assert_true(mc_wfd_params_equal(&p, &q));
		again = mc_wfd_params_format(&q);
		g_assert_cmpstr(again, ==, body);

		/* one parameter's value alone */
		g_assert_true(mc_wfd_param_parse(&one, rt->param, rt->input, &error));
		g_assert_true(mc_wfd_params_equal(&p, &one));
		mc_wfd_params_clear(&q);
		mc_wfd_params_copy(&q, &p);
		g_assert_true(mc_wfd_params_equal(&p, &q));
	}
	g_assert_cmphex(covered, ==, (1U << MC_WFD_N_PARAMS) - 1);
}

/* ---- Parameters: malformed values ------------------------------------- */

typedef struct {
	McWfdParam param;
	const char *input;
	McWfdError code;
	const char *message;	/* a part of the message, after the name */
} Malformed;

#define SYNTAX MC_WFD_ERROR_SYNTAX
#define RANGE MC_WFD_ERROR_RANGE

static const Malformed malformed[] = {
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 01 01 0001FFFG 00000000 00000000 00 0000 0000 00 none none", SYNTAX,
	  "CEA mask \"0001FFFG\" is not 8 hex digits" },
	{ MC_WFD_VIDEO_FORMATS, "00 00 01 01 0001FFFF 00000000 00000000 00 0000 0000 00 none",
	  SYNTAX, "max vres is missing" },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 01 01 0001FFFF 00000000 00000000 00 0000 0000 00 none none junk", SYNTAX,
	  "unexpected \" junk\"" },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 04 01 0001FFFF 00000000 00000000 00 0000 0000 00 none none", RANGE,
	  "profile 04" },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 01 20 0001FFFF 00000000 00000000 00 0000 0000 00 none none", RANGE,
	  "level 20" },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 01 01 0001FFFF 00000000 00000000 00 0000 0000 00 none none,", SYNTAX,
	  "profile is missing" },
	{ MC_WFD_VIDEO_FORMATS,
	  "00 00 01 01 1FFFF 00000000 00000000 00 0000 0000 00 none none", SYNTAX,
	  "CEA mask \"1FFFF\" is not 8 hex digits" },
	{ MC_WFD_VIDEO_FORMATS, "0x00 00", SYNTAX, "native \"0x00\"" },
	{ MC_WFD_VIDEO_FORMATS, "", SYNTAX, "native is missing" },
	{ MC_WFD_VIDEO_FORMATS, "NONE", SYNTAX, "\"NONE\"" },
	{ MC_WFD_AUDIO_CODECS, "MP3 00000001 00", SYNTAX,
	  "audio format \"MP3\" is none of LPCM, AAC, AC3" },
	{ MC_WFD_AUDIO_CODECS, "AAC 00000001", SYNTAX, "latency is missing" },
	{ MC_WFD_AUDIO_CODECS, "AAC 1 00", SYNTAX, "modes \"1\" is not 8 hex digits" },
	{ MC_WFD_AUDIO_CODECS, "none, AAC 00000001 00", SYNTAX, "\"none\"" },
	{ MC_WFD_3D_VIDEO_FORMATS, "00 00 01 01 00000001 00 0000 0000 00 none none", SYNTAX,
	  "3D capability \"00000001\" is not 16 hex digits" },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.2 port=1189", SYNTAX, "\"HDCP2.2\"" },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.0 port=0", RANGE, "port \"0\" is out of range" },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.0 port=70000", RANGE, "\"70000\"" },
	{ MC_WFD_CONTENT_PROTECTION, "HDCP2.0 1189", SYNTAX, "expected \"port=\"" },
	{ MC_WFD_DISPLAY_EDID, "0001 00FFFFFF", SYNTAX,
	  "EDID payload has 8 hex digits, 1 block takes 256" },
	{ MC_WFD_DISPLAY_EDID, "0101 none", RANGE, "block count 0101 is more than 256" },
	{ MC_WFD_DISPLAY_EDID, "0000 00FF", SYNTAX, "block count 0000 takes the payload none" },
	{ MC_WFD_DISPLAY_EDID, "1 none", SYNTAX, "block count \"1\" is not 4 hex digits" },
	{ MC_WFD_COUPLED_SINK, "00 0A1B2C3D4E", SYNTAX, "sink MAC \"0A1B2C3D4E\"" },
	{ MC_WFD_COUPLED_SINK, "00", SYNTAX, "sink MAC is missing" },
	{ MC_WFD_TRIGGER_METHOD, "setup", SYNTAX,
	  "method \"setup\" is none of SETUP, PLAY, PAUSE, TEARDOWN" },
	{ MC_WFD_TRIGGER_METHOD, "PLAY PAUSE", SYNTAX, "unexpected \" PAUSE\"" },
	{ MC_WFD_PRESENTATION_URL, "rtsp://192.168.49.1/wfd1.0/streamid=0", SYNTAX,
	  "URL 1 is missing" },
	{ MC_WFD_PRESENTATION_URL, "http://192.168.49.1/ none", SYNTAX,
	  "URL 0 \"http://192.168.49.1/\" is neither none nor an rtsp:// URL" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 0 0 mode=play", RANGE,
	  "RTP port \"0\" is out of range (1-65535)" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 19000 0", SYNTAX, "mode is missing" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 19000 0 mode=record", SYNTAX,
	  "mode \"mode=record\" is not mode=play" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP 19000 0 mode=play", SYNTAX,
	  "profile \"RTP/AVP/UDP\"" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 19000 -1 mode=play", SYNTAX,
	  "second RTP port \"-1\" is not a decimal number" },
	{ MC_WFD_CLIENT_RTP_PORTS, "RTP/AVP/UDP;unicast 65536 0 mode=play", RANGE,
	  "\"65536\"" },
	{ MC_WFD_ROUTE, "tertiary", SYNTAX, "route \"tertiary\" is none of primary, secondary" },
	{ MC_WFD_I2C, "0", RANGE, "port \"0\" is out of range" },
	{ MC_WFD_I2C, "abc", SYNTAX, "port \"abc\" is not a decimal number" },
	{ MC_WFD_AV_FORMAT_CHANGE_TIMING, "0200000000 0000000000", RANGE,
	  "PTS 0200000000 is more than 33 bits" },
	{ MC_WFD_AV_FORMAT_CHANGE_TIMING, "0000000000 03FFFFFFFF", RANGE,
	  "DTS 03FFFFFFFF is more than 33 bits" },
	{ MC_WFD_AV_FORMAT_CHANGE_TIMING, "00000000 00000000", SYNTAX,
	  "PTS \"00000000\" is not 10 hex digits" },
	{ MC_WFD_PREFERRED_DISPLAY_MODE, "00370E 0500 0172 006E 0028 02D0 001E 0005 0005 00 00 18",
	  SYNTAX, "profile is missing" },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=GENERIC;generic_cap_list=Mouse, Mouse;hidc_cap_list=none;"
	  "port=none", RANGE, "generic input type Mouse is listed twice" },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=GENERIC;generic_cap_list=Trackball;hidc_cap_list=none;"
	  "port=none", SYNTAX, "generic input type \"Trackball\"" },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=HIDC;generic_cap_list=none;hidc_cap_list=Mouse/Serial;port=none",
	  SYNTAX, "HIDC input path \"Serial\"" },
	{ MC_WFD_UIBC_CAPABILITY, "input_category_list=GENERIC;port=none", SYNTAX,
	  "expected \"generic_cap_list=\"" },
	{ MC_WFD_UIBC_CAPABILITY,
	  "input_category_list=GENERIC;generic_cap_list=Mouse;hidc_cap_list=none;port=0",
	  RANGE, "port \"0\"" },
	{ MC_WFD_UIBC_SETTING, "on", SYNTAX, "setting \"on\" is none of disable, enable" },
	{ MC_WFD_STANDBY_RESUME_CAPABILITY, "yes", SYNTAX, "capability \"yes\"" },
	{ MC_WFD_STANDBY, "now", SYNTAX, "takes no value, found \"now\"" },
	{ MC_WFD_CONNECTOR_TYPE, "HDMI", SYNTAX, "connector type \"HDMI\" is not 2 hex digits" },
	{ MC_WFD_CONNECTOR_TYPE, "005", SYNTAX, "connector type \"005\"" },
	{ MC_WFD_IDR_REQUEST, "1", SYNTAX, "takes no value" },
};

static void test_malformed(void)
{
	guint covered = 0;

	for (guint i = 0; i < G_N_ELEMENTS(malformed); i++) {
		const Malformed *m = &malformed[i];
		const char *name = mc_wfd_param_name(m->param);
		g_autofree char *body = g_strdup_printf("%s: %s\r\n", name, m->input);
		g_autofree char *prefix = g_strdup_printf("%s: ", name);
		g_auto(McWfdParams) p = { 0 };
		g_autoptr(GError) error = NULL;

		g_test_message("%s: %s", name, m->input);
		covered |= 1U << m->param;
		g_assert_false(mc_wfd_params_parse(&p, body, strlen(body), &error));
		g_assert_error(error, MC_WFD_ERROR, (gint)m->code);
		g_test_message("-> %s", error->message);
		g_assert_true(g_str_has_prefix(error->message, prefix));
		g_assert_nonnull(strstr(error->message, m->message));
		g_assert_false(MC_WFD_HAS(&p, m->param));
		g_clear_error(&error);
		g_assert_false(mc_wfd_param_parse(&p, m->param, m->input, &error));
		g_assert_error(error, MC_WFD_ERROR, (gint)m->code);
		g_assert_false(MC_WFD_HAS(&p, m->param));
	}
	g_assert_cmphex(covered, ==, (1U << MC_WFD_N_PARAMS) - 1);
}

/* A parameter that fails keeps the value it had. */
static void test_replace(void)
{
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *v = NULL;

	g_assert_true(mc_wfd_param_parse(&p, MC_WFD_PRESENTATION_URL,
					 "rtsp://10.0.0.1/wfd1.0/streamid=0 none", &error));
	g_assert_false(mc_wfd_param_parse(&p, MC_WFD_PRESENTATION_URL,
					  "rtsp://10.0.0.2/wfd1.0/streamid=0 ftp://x", &error));
	g_clear_error(&error);
	v = mc_wfd_param_format(&p, MC_WFD_PRESENTATION_URL);
	g_assert_cmpstr(v, ==, "rtsp://10.0.0.1/wfd1.0/streamid=0 none");
	g_assert_true(mc_wfd_param_parse(&p, MC_WFD_PRESENTATION_URL,
					 "  none rtsp://10.0.0.2/wfd1.0/streamid=1  ", &error));
	g_assert_null(p.presentation_url.url0);
	g_assert_cmpstr(p.presentation_url.url1, ==, "rtsp://10.0.0.2/wfd1.0/streamid=1");
	mc_wfd_params_set_presentation_url(&p, "rtsp://10.0.0.3/wfd1.0/streamid=0", NULL);
	g_free(v);
	v = mc_wfd_param_format(&p, MC_WFD_PRESENTATION_URL);
	g_assert_cmpstr(v, ==, "rtsp://10.0.0.3/wfd1.0/streamid=0 none");
	g_assert_null(mc_wfd_param_format(&p, MC_WFD_ROUTE));
	/* no line end smuggled into a body through a value */
	g_assert_false(mc_wfd_param_parse(&p, MC_WFD_PRESENTATION_URL,
					  "rtsp://10.0.0.4/\r\nwfd_standby none", &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX);
	g_assert_cmpstr(p.presentation_url.url0, ==, "rtsp://10.0.0.3/wfd1.0/streamid=0");
}

/* ---- Bodies -------------------------------------------------------------- */

/* Section 3.3's M3 reply: a typical 1080p TV. */
static const char m3_reply[] = WFD_M3_REPLY_1080P_TV;

static const char m4[] =
	"wfd_video_formats: 00 00 01 08 00000080 00000000 00000000 00 0000 0000 00 none none\r\n"
	"wfd_audio_codecs: AAC 00000001 00\r\n"
	"wfd_presentation_URL: rtsp://192.168.49.1/wfd1.0/streamid=0 none\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n";

static void parse_ok(McWfdParams *p, const char *body)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(mc_wfd_params_parse(p, body, strlen(body), &error));
	g_assert_no_error(error);
}

static void test_m3_reply(void)
{
	g_auto(McWfdParams) p = { 0 };
	g_autofree char *out = NULL;
	const McWfdH264Codec *c;

	parse_ok(&p, m3_reply);
	g_assert_cmphex(p.present, ==,
			1U << MC_WFD_VIDEO_FORMATS | 1U << MC_WFD_AUDIO_CODECS |
			1U << MC_WFD_CLIENT_RTP_PORTS | 1U << MC_WFD_CONTENT_PROTECTION |
			1U << MC_WFD_DISPLAY_EDID | 1U << MC_WFD_COUPLED_SINK |
			1U << MC_WFD_UIBC_CAPABILITY | 1U << MC_WFD_STANDBY_RESUME_CAPABILITY |
			1U << MC_WFD_CONNECTOR_TYPE);
	g_assert_cmpuint(p.video_formats.n_codecs, ==, 1);
	c = &p.video_formats.codecs[0];
	g_assert_cmpuint(c->profile, ==, MC_WFD_PROFILE_CHP);
	g_assert_cmpuint(c->level, ==, MC_WFD_LEVEL_4_2);
	g_assert_cmphex(c->cea, ==, 0x1ffff);
	g_assert_cmphex(c->vesa, ==, 0x1fffffff);
	g_assert_cmphex(c->hh, ==, 0xfff);
	g_assert_cmpuint(c->frame_rate_control, ==, 0x10);
	g_assert_cmpint(c->max_hres, ==, -1);
	g_assert_cmpint(c->max_vres, ==, -1);
	g_assert_cmpuint(p.audio_codecs.n_codecs, ==, 2);
	g_assert_cmpint(p.audio_codecs.codecs[0].format, ==, MC_WFD_AUDIO_LPCM);
	g_assert_cmphex(p.audio_codecs.codecs[0].modes, ==, 2);
	g_assert_cmpint(p.audio_codecs.codecs[1].format, ==, MC_WFD_AUDIO_AAC);
	g_assert_cmpint(p.client_rtp_ports.profile, ==, MC_WFD_RTP_UDP);
	g_assert_cmpuint(p.client_rtp_ports.port0, ==, 19000);
	g_assert_cmpuint(p.client_rtp_ports.port1, ==, 0);
	g_assert_cmpint(p.content_protection.hdcp, ==, MC_WFD_HDCP_NONE);
	g_assert_true(p.display_edid.none);
	g_assert_true(p.coupled_sink.none);
	g_assert_true(p.uibc_capability.none);
	g_assert_false(p.standby_resume_capability);
	g_assert_false(p.connector_type.none);
	g_assert_cmpuint(p.connector_type.type, ==, 5);
	/* already canonical, in McWfdParam order but for the ports */
	out = mc_wfd_params_format(&p);
	g_assert_cmpuint(strlen(out), ==, strlen(m3_reply));
	g_assert_nonnull(strstr(out, "wfd_connector_type: 05\r\n"));
	g_assert_true(g_str_has_prefix(out, "wfd_video_formats: 00 00 02 10 0001FFFF"));
}

static void test_m4(void)
{
	g_auto(McWfdParams) p = { 0 };
	g_autofree char *out = NULL;

	parse_ok(&p, m4);
	out = mc_wfd_params_format(&p);
	g_assert_cmpstr(out, ==, m4);
	g_assert_cmpstr(p.presentation_url.url0, ==, "rtsp://192.168.49.1/wfd1.0/streamid=0");
	g_assert_null(p.presentation_url.url1);
}

/* LF line ends, lower-case hex, spaces, unknown parameters, bare names. */
static void test_lenient_body(void)
{
	static const char body[] =
		"\n"
		"wfd_video_formats:   40 00 01 08 0001ffff 3fffffff 000005ff 00 "
		"0000 0000 10 none none,"
		"02 08 0001ffff 3fffffff 000005ff 00 0000 0000 10 none none  \n"
		"microsoft_cursor: full 0040 0040 0a3b\n"
		"wfd_audio_codecs:LPCM 00000003 00,AAC 00000001 00\r\n"
		"wfd2_video_codecs\n"
		"  \t\n"
		"wfd_idr_request_capability: 1\n"
		"intel_friendly_name:\n"
		"wfd_client_rtp_ports : RTP/AVP/UDP;unicast 53000 0 mode=play";
	static const char canonical[] =
		"wfd_video_formats: 40 00 01 08 0001FFFF 3FFFFFFF 000005FF 00 "
		"0000 0000 10 none none, "
		"02 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none\r\n"
		"wfd_audio_codecs: LPCM 00000003 00, AAC 00000001 00\r\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 53000 0 mode=play\r\n"
		"microsoft_cursor: full 0040 0040 0a3b\r\n"
		"wfd2_video_codecs\r\n"
		"wfd_idr_request_capability: 1\r\n"
		"intel_friendly_name:\r\n";
	g_auto(McWfdParams) p = { 0 };
	g_auto(McWfdParams) q = { 0 };
	g_autofree char *out = NULL;
	g_autofree char *again = NULL;

	parse_ok(&p, body);
	g_assert_cmpuint(p.unknown->len, ==, 4);
	g_assert_cmpstr(p.unknown->pdata[0], ==, "microsoft_cursor: full 0040 0040 0a3b");
	g_assert_cmpstr(p.unknown->pdata[1], ==, "wfd2_video_codecs");
	out = mc_wfd_params_format(&p);
	g_assert_cmpstr(out, ==, canonical);
	parse_ok(&q, out);
	g_assert_true(mc_wfd_params_equal(&p, &q));
	again = mc_wfd_params_format(&q);
	g_assert_cmpstr(again, ==, canonical);
}

static void parse_fails_len(const char *body, gsize len, McWfdError code, const char *message)
{
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert_false(mc_wfd_params_parse(&p, body, len, &error));
	g_assert_error(error, MC_WFD_ERROR, (gint)code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, message));
}

static void parse_fails(const char *body, McWfdError code, const char *message)
{
	parse_fails_len(body, strlen(body), code, message);
}

static void test_bad_body(void)
{
	static const char nul[] = "wfd_route: primary\r\nwfd_\0standby\r\n";
	static const char cut[] = "wfd_route: primaryXXXX";
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;

	parse_fails("wfd_route: primary\r\nwfd_route: secondary\r\n", SYNTAX,
		    "wfd_route: given twice");
	parse_fails("wfd_video_formats\r\n", SYNTAX, "wfd_video_formats: has no value");
	parse_fails_len(nul, sizeof(nul) - 1, SYNTAX, "control character 0x00");
	parse_fails(": none\r\n", SYNTAX, "is not \"name: value\"");
	parse_fails("wfd standby\r\n", SYNTAX, "is not \"name: value\"");
	parse_fails("wfd_route: pri\x01mary\r\n", SYNTAX, "control character 0x01");
	parse_fails("wfd_route: primary\r\nwfd_audio_codecs: AAC\r\n", SYNTAX,
		    "wfd_audio_codecs: modes is missing");
	/* the body is len bytes, not a C string */
	g_assert_true(mc_wfd_params_parse(&p, cut, strlen("wfd_route: primary"), &error));
	g_assert_no_error(error);
	g_assert_cmpint(p.route, ==, MC_WFD_ROUTE_PRIMARY);
	mc_wfd_params_clear(&p);
	g_assert_true(mc_wfd_params_parse(&p, "", 0, &error));
	g_assert_cmphex(p.present, ==, 0);
	/* bare parameters, with or without a colon */
	g_assert_true(mc_wfd_params_parse(&p, "wfd_idr_request\r\nwfd_standby:\r\n",
					  strlen("wfd_idr_request\r\nwfd_standby:\r\n"), &error));
	g_assert_no_error(error);
	g_assert_true(MC_WFD_HAS(&p, MC_WFD_IDR_REQUEST));
	g_assert_true(MC_WFD_HAS(&p, MC_WFD_STANDBY));
}

/* ---- Worked examples of real sinks ---------------------------------- */

static const char lg_tv[] =
	"wfd_video_formats: 40 00 01 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none, "
	"02 08 0001FFFF 3FFFFFFF 000005FF 00 0000 0000 10 none none\r\n"
	"wfd_audio_codecs: LPCM 00000003 00, AAC 00000001 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 53000 0 mode=play\r\n";

static const char ms_adapter[] =
	"wfd_video_formats: 40 00 02 04 00019CEB 053C7FFF 00000FFF 00 0000 0000 11 none none, "
	"01 04 00019CEB 053C7FFF 00000FFF 00 0000 0000 11 none none\r\n"
	"wfd_audio_codecs: AAC 00000001 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n";

static const char android44[] =
	"wfd_video_formats: 28 00 01 01 ffffffff ffffffff ffffffff 00 0000 0000 00 none none\r\n"
	"wfd_audio_codecs: AAC 0000000F 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n";

static const char miraclecast[] =
	"wfd_video_formats: 00 00 03 10 0001ffff 1fffffff 00000fff 00 0000 0000 10 none none\r\n"
	"wfd_audio_codecs: AAC 00000007 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 1991 0 mode=play\r\n";

static void test_real_sinks(void)
{
	g_auto(McWfdParams) p = { 0 };
	g_autofree char *out = NULL;

	parse_ok(&p, lg_tv);
	g_assert_cmpuint(p.video_formats.native, ==, 0x40);
	g_assert_cmpuint(p.video_formats.n_codecs, ==, 2);
	g_assert_cmpuint(p.video_formats.codecs[1].profile, ==, MC_WFD_PROFILE_CHP);
	g_assert_cmphex(p.video_formats.codecs[1].hh, ==, 0x5ff);
	out = mc_wfd_params_format(&p);
	g_assert_cmpstr(out, ==, lg_tv);
	mc_wfd_params_clear(&p);
	g_clear_pointer(&out, g_free);

	parse_ok(&p, ms_adapter);
	g_assert_cmphex(p.video_formats.codecs[0].cea, ==, 0x19ceb);
	g_assert_cmpuint(p.video_formats.codecs[0].frame_rate_control, ==, 0x11);
	out = mc_wfd_params_format(&p);
	g_assert_cmpstr(out, ==, ms_adapter);
	mc_wfd_params_clear(&p);
	g_clear_pointer(&out, g_free);

	/* every bit kept as received (Q14: masked only when choosing) */
	parse_ok(&p, android44);
	g_assert_cmphex(p.video_formats.codecs[0].cea, ==, 0xffffffff);
	g_assert_cmphex(p.video_formats.codecs[0].hh, ==, 0xffffffff);
	out = mc_wfd_param_format(&p, MC_WFD_VIDEO_FORMATS);
	g_assert_cmpstr(out, ==,
			"28 00 01 01 FFFFFFFF FFFFFFFF FFFFFFFF 00 0000 0000 00 none none");
	mc_wfd_params_clear(&p);
	g_clear_pointer(&out, g_free);

	/* profile 03: both, tolerated */
	parse_ok(&p, miraclecast);
	g_assert_cmpuint(p.video_formats.codecs[0].profile, ==, 0x03);
}

static void test_edid(void)
{
	g_auto(McWfdParams) p = { 0 };
	g_auto(McWfdParams) q = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) hex = g_string_new(NULL);
	g_autofree char *value = NULL;
	g_autofree char *upper = NULL;
	guint8 block[128];

	/* an EDID header, then a counting pattern */
	for (guint i = 0; i < 128; i++)
		block[i] = i < 8 ? (i == 0 || i == 7 ? 0x00 : 0xff) : i * 7;
	g_string_append(hex, "0001 ");
	for (guint i = 0; i < 128; i++)
		g_string_append_printf(hex, i % 2 ? "%02X" : "%02x", block[i]);
	upper = g_ascii_strup(hex->str, -1);
	g_assert_true(mc_wfd_param_parse(&p, MC_WFD_DISPLAY_EDID, hex->str, &error));
	g_assert_no_error(error);
	g_assert_false(p.display_edid.none);
	g_assert_cmpuint(p.display_edid.block_count, ==, 1);
	g_assert_cmpmem(p.display_edid.edid, 128, block, 128);
	value = mc_wfd_param_format(&p, MC_WFD_DISPLAY_EDID);
	g_assert_cmpuint(strlen(value), ==, 5 + 256);
	g_assert_cmpstr(value, ==, upper);
	g_assert_true(mc_wfd_param_parse(&q, MC_WFD_DISPLAY_EDID, value, &error));
	g_assert_true(mc_wfd_params_equal(&p, &q));
	mc_wfd_params_clear(&q);
	mc_wfd_params_copy(&q, &p);
	g_assert_true(q.display_edid.edid != p.display_edid.edid);
	g_assert_cmpmem(q.display_edid.edid, 128, block, 128);

	/* one digit short, one too many, a non-hex digit, two blocks announced */
	g_string_truncate(hex, hex->len - 1);
	g_assert_false(mc_wfd_param_parse(&q, MC_WFD_DISPLAY_EDID, hex->str, &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX);
	g_assert_nonnull(strstr(error->message, "255 hex digits, 1 block takes 256"));
	g_clear_error(&error);
	g_string_append(hex, "00");
	g_assert_false(mc_wfd_param_parse(&q, MC_WFD_DISPLAY_EDID, hex->str, &error));
	g_assert_nonnull(strstr(error->message, "257 hex digits"));
	g_clear_error(&error);
	g_string_truncate(hex, hex->len - 2);
	g_string_append(hex, "X");
	g_assert_false(mc_wfd_param_parse(&q, MC_WFD_DISPLAY_EDID, hex->str, &error));
	g_assert_nonnull(strstr(error->message, "\"X\" at digit 255"));
	g_clear_error(&error);
	hex->str[3] = '2';
	g_assert_false(mc_wfd_param_parse(&q, MC_WFD_DISPLAY_EDID, hex->str, &error));
	g_assert_nonnull(strstr(error->message, "2 blocks take 512"));
	/* the failed parses left q's EDID as it was */
	g_assert_cmpmem(q.display_edid.edid, 128, block, 128);
}

static void test_names(void)
{
	const char *const names[] = { "wfd_video_formats", "wfd_audio_codecs",
				      "wfd_client_rtp_ports", "microsoft_cursor", NULL };
	const char *const m3[] = { "wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports",
				   "wfd_content_protection", "wfd_display_edid", "wfd_coupled_sink",
				   "wfd_uibc_capability", "wfd_standby_resume_capability",
				   "wfd_connector_type", NULL };
	g_autofree char *body = mc_wfd_names_format(names);
	g_autofree char *m3_body = mc_wfd_names_format(m3);
	const char *lenient = "wfd_video_formats\n\n  wfd_audio_codecs  \r\nwfd_I2C";
	g_auto(GStrv) back = NULL;
	g_autoptr(GError) error = NULL;
	McWfdParam p;

	g_assert_cmpstr(body, ==,
			"wfd_video_formats\r\nwfd_audio_codecs\r\nwfd_client_rtp_ports\r\n"
			"microsoft_cursor\r\n");
	/* section 3.3's M3: 191 bytes */
	g_assert_cmpuint(strlen(m3_body), ==, 191);
	back = mc_wfd_names_parse(body, strlen(body), &error);
	g_assert_no_error(error);
	g_assert_true(g_strv_equal((const char *const *)back, names));
	g_clear_pointer(&back, g_strfreev);
	back = mc_wfd_names_parse(lenient, strlen(lenient), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(back), ==, 3);
	g_assert_cmpstr(back[2], ==, "wfd_I2C");
	g_clear_pointer(&back, g_strfreev);
	back = mc_wfd_names_parse("", 0, &error);
	g_assert_nonnull(back);
	g_assert_cmpuint(g_strv_length(back), ==, 0);
	g_clear_pointer(&back, g_strfreev);
	back = mc_wfd_names_parse("wfd_route: primary\r\n", 20, &error);
	g_assert_null(back);
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX);
	g_clear_error(&error);
	back = mc_wfd_names_parse("wfd_\x7froute\r\n", 12, &error);
	g_assert_null(back);
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX);

	for (guint i = 0; i < MC_WFD_N_PARAMS; i++) {
		g_assert_true(mc_wfd_param_from_name(mc_wfd_param_name(i), &p));
		g_assert_cmpint(p, ==, i);
	}
	g_assert_cmpstr(mc_wfd_param_name(MC_WFD_PRESENTATION_URL), ==, "wfd_presentation_URL");
	g_assert_false(mc_wfd_param_from_name("wfd_i2c", &p));
	g_assert_false(mc_wfd_param_from_name("WFD_VIDEO_FORMATS", &p));
	g_assert_null(mc_wfd_param_name(MC_WFD_N_PARAMS));
}

/* What a sink answers to an M3: its values, none for the rest. */
static void test_reply(void)
{
	const char *const asked[] = { "wfd_client_rtp_ports", "wfd_video_formats",
				      "microsoft_cursor", "wfd_idr_request", "wfd_I2C", NULL };
	g_auto(McWfdParams) p = { 0 };
	g_auto(McWfdParams) q = { 0 };
	g_autofree char *reply = NULL;

	parse_ok(&p, m3_reply);
	parse_ok(&p, "wfd_idr_request\r\n");
	reply = mc_wfd_params_format_reply(&p, asked);
	g_assert_cmpstr(reply, ==,
			"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"
			"wfd_video_formats: 00 00 02 10 0001FFFF 1FFFFFFF 00000FFF 00 0000 0000 10 "
			"none none\r\n"
			"microsoft_cursor: none\r\n"
			"wfd_idr_request\r\n"
			"wfd_I2C: none\r\n");
	parse_ok(&q, reply);
	g_assert_true(q.i2c.none);
}

/* ---- Negotiation ---------------------------------------------------- */

static void choose_ok(const McWfdSourceCaps *caps, const char *body, const McWfdResolution *want,
		      McWfdChoice *choice)
{
	g_auto(McWfdParams) sink = { 0 };
	g_autoptr(GError) error = NULL;

	parse_ok(&sink, body);
	g_assert_true(mc_wfd_choose(caps, &sink, want, choice, &error));
	g_assert_no_error(error);
}

static void assert_mode(const McWfdChoice *c, const char *mode, guint8 profile, guint8 level)
{
	g_autofree char *name = mc_wfd_resolution_name(c->resolution);

	g_assert_cmpstr(name, ==, mode);
	g_assert_cmpuint(c->profile, ==, profile);
	g_assert_cmpuint(c->level, ==, level);
}

static void assert_audio(const McWfdChoice *c, McWfdAudioFormat format, guint32 mode)
{
	g_assert_true(c->audio);
	g_assert_cmpint(c->audio_format, ==, format);
	g_assert_cmphex(c->audio_mode, ==, mode);
}

static const char tv1080[] =
	"wfd_video_formats: 00 00 01 10 0001FFFF 00000000 00000000 00 0000 0000 00 none none\r\n"
	"wfd_audio_codecs: AAC 00000001 00, LPCM 00000002 00\r\n"
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n";

static void test_choose_tv(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c;

	mc_wfd_source_caps_init(&caps);
	g_assert_cmpuint(caps.max_level, ==, MC_WFD_LEVEL_4_2);
	choose_ok(&caps, tv1080, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
	g_assert_cmpuint(c.codec_index, ==, 0);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 0x1);

	caps.prefer_lpcm = TRUE;
	choose_ok(&caps, tv1080, NULL, &c);
	assert_audio(&c, MC_WFD_AUDIO_LPCM, 0x2);

	/* section 3.3's TV: CHP only, native 00 says nothing */
	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, m3_reply, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CHP, MC_WFD_LEVEL_4_2);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 0x1);

	/* a source without CHP has nothing in common with it: R26 */
	caps.profiles = MC_WFD_PROFILE_CBP;
	choose_ok(&caps, m3_reply, NULL, &c);
	assert_mode(&c, "640x480p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
}

static void test_choose_dongle(void)
{
	static const char dongle[] =
		"wfd_video_formats: 00 00 01 02 0000007F 00000000 00000000 00 "
		"0000 0000 00 none none\r\n"
		"wfd_audio_codecs: LPCM 00000002 00\r\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n";
	McWfdSourceCaps caps;
	McWfdChoice c;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, dongle, NULL, &c);
	assert_mode(&c, "1280x720p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_2);
	assert_audio(&c, MC_WFD_AUDIO_LPCM, 0x2);
	/* a source without LPCM sends what it has rather than none (Q3) */
	caps.audio_formats = 1U << MC_WFD_AUDIO_AAC;
	choose_ok(&caps, dongle, NULL, &c);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 0x1);
}

static void test_choose_projector(void)
{
	/* WXGA projector: 640x480, 1024x768p60, 1280x800p60 (native), 1920x1200p60 */
	static const char projector[] =
		"wfd_video_formats: 49 00 01 08 00000001 20000208 00000000 00 "
		"0000 0000 00 none none\r\n"
		"wfd_audio_codecs: LPCM 00000003 00\r\n"
		"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n";
	McWfdSourceCaps caps;
	McWfdChoice c;
	g_auto(McWfdParams) sink = { 0 };
	g_autoptr(GPtrArray) modes = NULL;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, projector, NULL, &c);
	assert_mode(&c, "1280x800p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	g_assert_cmpint(c.resolution->table, ==, MC_WFD_VESA);
	assert_audio(&c, MC_WFD_AUDIO_LPCM, 0x2);

	/* 1920x1200 needs a level above 4.2: never common, not even when offered */
	parse_ok(&sink, projector);
	caps.vesa = 0x3fffffff;
	modes = mc_wfd_common_modes(&caps, &sink);
	g_assert_cmpuint(modes->len, ==, 3);
	g_assert_true(modes->pdata[0] == mc_wfd_resolution(MC_WFD_VESA, 9));
	g_assert_true(modes->pdata[1] == mc_wfd_resolution(MC_WFD_VESA, 3));
	g_assert_true(modes->pdata[2] == mc_wfd_resolution(MC_WFD_CEA, 0));
}

static void test_choose_native(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c;
	g_autofree char *body = NULL;

	mc_wfd_source_caps_init(&caps);
	/* valid: 720p30 first, although 1080p60 is better */
	body = g_strdup(tv1080);
	memcpy(body + strlen("wfd_video_formats: "), "28", 2);
	choose_ok(&caps, body, NULL, &c);
	assert_mode(&c, "1280x720p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
	/* interlaced 1080i60 (CEA 9): ignored */
	memcpy(body + strlen("wfd_video_formats: "), "48", 2);
	choose_ok(&caps, body, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
	/* reserved table 7, and CEA bit 31 (no entry): ignored */
	memcpy(body + strlen("wfd_video_formats: "), "4F", 2);
	choose_ok(&caps, body, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
	memcpy(body + strlen("wfd_video_formats: "), "F8", 2);
	choose_ok(&caps, body, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
	/* valid but not a mode the sink lists: ignored */
	memcpy(body + strlen("wfd_video_formats: "), "49", 2);
	choose_ok(&caps, body, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
}

static void test_choose_real_sinks(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c;

	mc_wfd_source_caps_init(&caps);
	/* Android 4.4, all ones: its native 720p30 at its level 3.1 */
	choose_ok(&caps, android44, NULL, &c);
	assert_mode(&c, "1280x720p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 0x1);

	/*
	 * LG TV: native 1080p60 needs 4.2, more than its 4.1: its panel's
	 * size at another rate comes next, 1080p30, although VESA
	 * 1360x768p60 has a little more pixel rate (62.7 Mpixel/s to 62.2).
	 */
	choose_ok(&caps, lg_tv, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 0x1);
	caps.prefer_chp = TRUE;
	choose_ok(&caps, lg_tv, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CHP, MC_WFD_LEVEL_4_0);
	g_assert_cmpuint(c.codec_index, ==, 1);

	/*
	 * Microsoft Display Adapter at 4.0, from its CBP entry (the second):
	 * as the LG TV, 1080p30 for its native 1080p60; its mask 0x19CEB has
	 * no interlaced bit in fact (bits 0 1 3 5 6 7 10 11 12 15 16).
	 */
	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, ms_adapter, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	g_assert_cmpuint(c.codec_index, ==, 1);
	choose_ok(&caps, ms_adapter, mc_wfd_resolution(MC_WFD_VESA, 11), &c);
	assert_mode(&c, "1360x768p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	caps.prefer_chp = TRUE;
	choose_ok(&caps, ms_adapter, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CHP, MC_WFD_LEVEL_4_0);
	g_assert_cmpuint(c.codec_index, ==, 0);

	/* miraclecast's sink, profile 03 */
	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, miraclecast, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_2);
	caps.prefer_chp = TRUE;
	choose_ok(&caps, miraclecast, NULL, &c);
	assert_mode(&c, "1920x1080p60", MC_WFD_PROFILE_CHP, MC_WFD_LEVEL_4_2);
}

/* Never an interlaced mode (Q6, R25), whatever the mask says. */
static void test_choose_interlaced(void)
{
	static const char only_i[] =
		"wfd_video_formats: 48 00 01 10 00004214 00000000 00000000 00 "
		"0000 0000 00 none none\r\n";
	static const char with_i[] =
		"wfd_video_formats: 48 00 02 04 0000429F 00000000 00000000 00 "
		"0000 0000 11 none none\r\n";
	McWfdSourceCaps caps;
	McWfdChoice c;
	g_auto(McWfdParams) sink = { 0 };
	g_autoptr(GPtrArray) modes = NULL;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, only_i, NULL, &c);
	assert_mode(&c, "640x480p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
	g_assert_false(c.audio);
	choose_ok(&caps, with_i, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CHP, MC_WFD_LEVEL_4_0);
	parse_ok(&sink, with_i);
	modes = mc_wfd_common_modes(&caps, &sink);
	for (guint i = 0; i < modes->len; i++)
		g_assert_false(((const McWfdResolution *)modes->pdata[i])->interlaced);
	g_assert_cmpuint(modes->len, ==, 4);
}

static void test_choose_audio(void)
{
	static const char *const video =
		"wfd_video_formats: 00 00 01 01 00000001 00000000 00000000 00 "
		"0000 0000 00 none none\r\n";
	static const struct {
		const char *audio;	/* wfd_audio_codecs line, NULL: none given */
		guint formats;
		gboolean prefer_lpcm;
		gboolean expect;
		McWfdAudioFormat format;
		guint32 mode;
	} cases[] = {
		{ NULL, 3, FALSE, FALSE, 0, 0 },
		{ "wfd_audio_codecs: none\r\n", 3, FALSE, FALSE, 0, 0 },
		{ "wfd_audio_codecs: AAC 00000001 00\r\n", 0, FALSE, FALSE, 0, 0 },
		{ "wfd_audio_codecs: AAC 00000001 00\r\n", 3, TRUE, TRUE, MC_WFD_AUDIO_AAC, 1 },
		{ "wfd_audio_codecs: LPCM 00000003 00, AAC 0000000F 00\r\n", 3, FALSE, TRUE,
		  MC_WFD_AUDIO_AAC, 1 },
		{ "wfd_audio_codecs: LPCM 00000003 00, AAC 0000000F 00\r\n", 3, TRUE, TRUE,
		  MC_WFD_AUDIO_LPCM, 2 },
		/* AAC without its stereo mode: LPCM's stereo wins */
		{ "wfd_audio_codecs: AAC 00000004 00, LPCM 00000002 00\r\n", 3, FALSE, TRUE,
		  MC_WFD_AUDIO_LPCM, 2 },
		/* listed, but not in 48 kHz stereo: still what it listed (Q3) */
		{ "wfd_audio_codecs: LPCM 00000001 00\r\n", 3, FALSE, TRUE, MC_WFD_AUDIO_LPCM, 2 },
		/* AC3 only: LPCM, mandatory (Q3: never none) */
		{ "wfd_audio_codecs: AC3 00000001 00\r\n", 3, FALSE, TRUE, MC_WFD_AUDIO_LPCM, 2 },
		{ "wfd_audio_codecs: AC3 00000001 00\r\n", 2, FALSE, TRUE, MC_WFD_AUDIO_AAC, 1 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *body = g_strconcat(video, cases[i].audio, NULL);
		McWfdSourceCaps caps;
		McWfdChoice c;

		mc_wfd_source_caps_init(&caps);
		caps.audio_formats = cases[i].formats;
		caps.prefer_lpcm = cases[i].prefer_lpcm;
		choose_ok(&caps, body, NULL, &c);
		g_assert_cmpint(c.audio, ==, cases[i].expect);
		if (c.audio)
			assert_audio(&c, cases[i].format, cases[i].mode);
	}
}

static void test_choose_levels(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c;

	mc_wfd_source_caps_init(&caps);
	caps.max_level = MC_WFD_LEVEL_3_1;
	choose_ok(&caps, tv1080, NULL, &c);
	assert_mode(&c, "1280x720p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
	caps.max_level = MC_WFD_LEVEL_4_0;
	choose_ok(&caps, tv1080, NULL, &c);
	assert_mode(&c, "1920x1080p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	/* the source's masks count too */
	mc_wfd_source_caps_init(&caps);
	caps.cea = 0x0000007f;
	choose_ok(&caps, tv1080, NULL, &c);
	assert_mode(&c, "1280x720p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_2);
}

static void test_choose_nothing(void)
{
	static const char wuxga_only[] =
		"wfd_video_formats: 00 00 01 10 00000000 20000000 00000000 00 "
		"0000 0000 00 none none\r\n"
		"wfd_audio_codecs: LPCM 00000002 00\r\n";
	static const char no_video[] = "wfd_video_formats: none\r\nwfd_audio_codecs: none\r\n";
	McWfdSourceCaps caps;
	McWfdChoice c;
	g_auto(McWfdParams) sink = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) modes = NULL;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, wuxga_only, NULL, &c);
	assert_mode(&c, "640x480p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_1);
	g_assert_cmpuint(c.codec_index, ==, 0);
	assert_audio(&c, MC_WFD_AUDIO_LPCM, 2);

	parse_ok(&sink, no_video);
	modes = mc_wfd_common_modes(&caps, &sink);
	g_assert_cmpuint(modes->len, ==, 0);
	g_assert_false(mc_wfd_choose(&caps, &sink, NULL, &c, &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH);
	g_clear_error(&error);
	mc_wfd_params_clear(&sink);
	parse_ok(&sink, "wfd_audio_codecs: LPCM 00000002 00\r\n");
	g_assert_false(mc_wfd_choose(&caps, &sink, NULL, &c, &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_MISSING);
	g_assert_nonnull(strstr(error->message, "wfd_video_formats"));
}

static guint64 pixel_rate(const McWfdResolution *r)
{
	return (guint64)r->width * r->height * r->refresh;
}

static void test_choose_want(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c;
	g_auto(McWfdParams) sink = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) modes = NULL;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, tv1080, mc_wfd_resolution_find(1280, 720, 60), &c);
	assert_mode(&c, "1280x720p60", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_3_2);
	choose_ok(&caps, tv1080, mc_wfd_resolution_find(1920, 1080, 24), &c);
	assert_mode(&c, "1920x1080p24", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_0);
	assert_audio(&c, MC_WFD_AUDIO_AAC, 1);

	parse_ok(&sink, tv1080);
	g_assert_false(mc_wfd_choose(&caps, &sink, mc_wfd_resolution(MC_WFD_CEA, 9), &c, &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH);
	g_assert_nonnull(strstr(error->message, "1920x1080i60"));
	g_clear_error(&error);
	g_assert_false(mc_wfd_choose(&caps, &sink, mc_wfd_resolution(MC_WFD_VESA, 3), &c, &error));
	g_assert_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH);
	g_assert_nonnull(strstr(error->message, "1024x768p60"));

	/* every common mode can be wanted; the first is the default */
	modes = mc_wfd_common_modes(&caps, &sink);
	g_assert_cmpuint(modes->len, ==, 13);
	for (guint i = 0; i < modes->len; i++) {
		McWfdChoice w;

		g_assert_true(mc_wfd_choose(&caps, &sink, modes->pdata[i], &w, NULL));
		g_assert_true(w.resolution == modes->pdata[i]);
		if (i)
			g_assert_cmpuint(pixel_rate(w.resolution), <=,
					 pixel_rate(modes->pdata[i - 1]));
	}
}

/* The M4 set from a choice meets R22-R24 and R27, and reads back. */
static void test_m4_choice(void)
{
	McWfdSourceCaps caps;
	McWfdChoice c, back;
	g_auto(McWfdParams) m = { 0 };
	g_auto(McWfdParams) q = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *body = NULL;
	g_autofree char *video = NULL;
	g_autofree char *audio = NULL;

	mc_wfd_source_caps_init(&caps);
	choose_ok(&caps, tv1080, NULL, &c);
	mc_wfd_params_set_choice(&m, &c);
	video = mc_wfd_param_format(&m, MC_WFD_VIDEO_FORMATS);
	audio = mc_wfd_param_format(&m, MC_WFD_AUDIO_CODECS);
	g_assert_cmpstr(video, ==,
			"00 00 01 10 00000100 00000000 00000000 00 0000 0000 00 none none");
	g_assert_cmpstr(audio, ==, "AAC 00000001 00");
	m.client_rtp_ports.port0 = 19000;
	MC_WFD_SET(&m, MC_WFD_CLIENT_RTP_PORTS);
	mc_wfd_params_set_presentation_url(&m, "rtsp://192.168.49.1/wfd1.0/streamid=0", NULL);
	body = mc_wfd_params_format(&m);
	g_assert_cmpstr(body, ==,
			"wfd_video_formats: 00 00 01 10 00000100 00000000 00000000 00 0000 0000 00 "
			"none none\r\n"
			"wfd_audio_codecs: AAC 00000001 00\r\n"
			"wfd_presentation_URL: rtsp://192.168.49.1/wfd1.0/streamid=0 none\r\n"
			"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n");
	parse_ok(&q, body);
	g_assert_true(mc_wfd_choice_from_params(&q, &back, &error));
	g_assert_no_error(error);
	g_assert_true(back.resolution == c.resolution);
	g_assert_cmpuint(back.profile, ==, c.profile);
	g_assert_cmpuint(back.level, ==, c.level);
	g_assert_true(back.audio);
	g_assert_cmpint(back.audio_format, ==, c.audio_format);
	g_assert_cmphex(back.audio_mode, ==, c.audio_mode);

	/* the section 3.3 M4, and an M4 without audio */
	mc_wfd_params_clear(&q);
	parse_ok(&q, m4);
	g_assert_true(mc_wfd_choice_from_params(&q, &back, &error));
	assert_mode(&back, "1920x1080p30", MC_WFD_PROFILE_CBP, MC_WFD_LEVEL_4_1);
	c.audio = FALSE;
	mc_wfd_params_set_choice(&q, &c);
	g_clear_pointer(&audio, g_free);
	audio = mc_wfd_param_format(&q, MC_WFD_AUDIO_CODECS);
	g_assert_cmpstr(audio, ==, "none");
	g_assert_true(mc_wfd_choice_from_params(&q, &back, &error));
	g_assert_false(back.audio);

	/* every common mode of an all-ones sink, every profile, through the M4 */
	mc_wfd_params_clear(&q);
	parse_ok(&q, "wfd_video_formats: 00 00 03 1F FFFFFFFF FFFFFFFF FFFFFFFF 00 0000 0000 00 "
		     "none none\r\nwfd_audio_codecs: LPCM 00000002 00\r\n");
	for (guint chp = 0; chp < 2; chp++) {
		g_autoptr(GPtrArray) modes = NULL;

		caps.prefer_chp = chp;
		modes = mc_wfd_common_modes(&caps, &q);
		g_assert_cmpuint(modes->len, ==, 13 + 28 + 12);
		for (guint i = 0; i < modes->len; i++) {
			g_auto(McWfdParams) out = { 0 };
			g_autofree char *txt = NULL;

			g_assert_true(mc_wfd_choose(&caps, &q, modes->pdata[i], &c, NULL));
			g_assert_cmpuint(c.profile, ==, chp ? MC_WFD_PROFILE_CHP :
							    MC_WFD_PROFILE_CBP);
			mc_wfd_params_set_choice(&out, &c);
			txt = mc_wfd_params_format(&out);
			mc_wfd_params_clear(&out);
			parse_ok(&out, txt);
			g_assert_true(mc_wfd_choice_from_params(&out, &back, NULL));
			g_assert_true(back.resolution == c.resolution);
			g_assert_cmpuint(back.level, ==, c.level);
			g_assert_cmpuint(back.profile, ==, c.profile);
		}
	}
}

static void m4_rejected(const char *video, const char *audio, McWfdError code,
			const char *message)
{
	g_autofree char *body = g_strdup_printf("%s%s%s%s%s",
						video ? "wfd_video_formats: " : "",
						video ? video : "", video ? "\r\n" : "",
						audio ? "wfd_audio_codecs: " : "",
						audio ? audio : "");
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;
	McWfdChoice c;

	parse_ok(&p, body);
	g_assert_false(mc_wfd_choice_from_params(&p, &c, &error));
	g_assert_error(error, MC_WFD_ERROR, (gint)code);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, message));
}

static void test_m4_rejected(void)
{
	static const char *const ok_audio = "AAC 00000001 00";

	m4_rejected(NULL, ok_audio, MC_WFD_ERROR_MISSING, "wfd_video_formats: not in the M4");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none", NULL,
		    MC_WFD_ERROR_MISSING, "wfd_audio_codecs");
	m4_rejected("none", ok_audio, RANGE, "0 codec entries");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none, "
		    "02 01 00000001 00000000 00000000 00 0000 0000 00 none none", ok_audio, RANGE,
		    "2 codec entries");
	m4_rejected("40 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "starts \"40 00\"");
	m4_rejected("00 00 03 01 00000001 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "profile 03");
	m4_rejected("00 00 01 03 00000001 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "level 03");
	m4_rejected("00 00 01 01 00000003 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "exactly one bit");
	m4_rejected("00 00 01 01 00000001 00000001 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "exactly one bit");
	m4_rejected("00 00 01 01 00000000 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "exactly one bit");
	m4_rejected("00 00 01 10 00020000 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "the bit has no entry");
	m4_rejected("00 00 01 10 00000000 00000000 00001000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "HH mask 00001000: the bit has no entry");
	m4_rejected("00 00 01 10 00000200 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "1920x1080i60, interlaced");
	m4_rejected("00 00 01 08 00000100 00000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "level 4.1 is too low for 1920x1080p60 (it needs 4.2)");
	m4_rejected("00 00 01 10 00000000 20000000 00000000 00 0000 0000 00 none none", ok_audio,
		    RANGE, "1920x1200p60 (it needs more than 4.2)");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 0780 0438", ok_audio,
		    RANGE, "none none");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none",
		    "LPCM 00000002 00, AAC 00000001 00", RANGE, "2 codecs");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none",
		    "LPCM 00000003 00", RANGE, "LPCM 00000003 00, an M4 sets one mode bit");
	m4_rejected("00 00 01 01 00000001 00000000 00000000 00 0000 0000 00 none none",
		    "AAC 00000001 02", RANGE, "latency 00");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wfd/tables", test_tables);
	g_test_add_func("/wfd/table-entries", test_table_entries);
	g_test_add_func("/wfd/timings", test_timings);
	g_test_add_func("/wfd/from-mode", test_from_mode);
	g_test_add_func("/wfd/levels", test_levels);
	g_test_add_func("/wfd/params/round-trip", test_round_trip);
	g_test_add_func("/wfd/params/malformed", test_malformed);
	g_test_add_func("/wfd/params/replace", test_replace);
	g_test_add_func("/wfd/body/m3-reply", test_m3_reply);
	g_test_add_func("/wfd/body/m4", test_m4);
	g_test_add_func("/wfd/body/lenient", test_lenient_body);
	g_test_add_func("/wfd/body/bad", test_bad_body);
	g_test_add_func("/wfd/body/real-sinks", test_real_sinks);
	g_test_add_func("/wfd/body/edid", test_edid);
	g_test_add_func("/wfd/body/names", test_names);
	g_test_add_func("/wfd/body/reply", test_reply);
	g_test_add_func("/wfd/choose/tv", test_choose_tv);
	g_test_add_func("/wfd/choose/dongle", test_choose_dongle);
	g_test_add_func("/wfd/choose/projector", test_choose_projector);
	g_test_add_func("/wfd/choose/native", test_choose_native);
	g_test_add_func("/wfd/choose/real-sinks", test_choose_real_sinks);
	g_test_add_func("/wfd/choose/interlaced", test_choose_interlaced);
	g_test_add_func("/wfd/choose/audio", test_choose_audio);
	g_test_add_func("/wfd/choose/levels", test_choose_levels);
	g_test_add_func("/wfd/choose/nothing", test_choose_nothing);
	g_test_add_func("/wfd/choose/want", test_choose_want);
	g_test_add_func("/wfd/m4/choice", test_m4_choice);
	g_test_add_func("/wfd/m4/rejected", test_m4_rejected);
	return g_test_run();
}

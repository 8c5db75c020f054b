// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sinks miracast-testsink can be. A new one is a new table entry; the
 * strings are what the sink answers to M3, written as such sinks write
 * them (upper or lower case hex, their own masks).
 */
#include <string.h>

#include "sink-profiles.h"

/* A 1080p television's capabilities (CBP and CHP 4.2, every CEA mode, 60 Hz VESA modes). */
#define TV_1080P_VIDEO \
	"wfd_video_formats: 40 00 01 10 0001FFFF 00AAAAAA 00000000 00 0000 0000 11 none none, " \
	"02 10 0001FFFF 00AAAAAA 00000000 00 0000 0000 11 none none"
#define TV_AUDIO "wfd_audio_codecs: LPCM 00000003 00, AAC 00000001 00"

#define TV_1080P_PARAMS \
	TV_1080P_VIDEO, TV_AUDIO, "wfd_connector_type: 05", \
	"wfd_standby_resume_capability: supported", "wfd_content_protection: none", \
	"wfd_coupled_sink: none", "wfd_uibc_capability: none"

static const SinkProfile tv_1080p = {
	.name = "tv-1080p",
	.about = "1080p television: native 1080p60, CBP and CHP 4.2, CEA 0x1FFFF (interlaced "
		 "modes too), VESA 60 Hz modes, LPCM and AAC, HDMI, standby",
	.params = { TV_1080P_PARAMS },
};

static const SinkProfile dongle_720p_lpcm = {
	.name = "dongle-720p-lpcm",
	.about = "HDMI dongle: CEA modes up to 1280x720p60 (480i and 576i too), CBP 3.2, "
		 "LPCM 48 kHz only",
	.params = {
		"wfd_video_formats: 30 00 01 02 0000007F 00000000 00000000 00 0000 0000 00 "
		"none none",
		"wfd_audio_codecs: LPCM 00000002 00",
		"wfd_connector_type: 05",
	},
};

static const SinkProfile projector_vesa = {
	.name = "projector-vesa",
	.about = "projector: CEA 640x480p60 only, VESA 1024x768p60, 1280x800p60 (native) and "
		 "1920x1200p60 (beyond level 4.2), CBP 4.1, LPCM, VGA",
	.params = {
		"wfd_video_formats: 49 00 01 08 00000001 20000208 00000000 00 0000 0000 00 "
		"none none",
		"wfd_audio_codecs: LPCM 00000002 00",
		"wfd_connector_type: 00",
	},
};

static const SinkProfile tv_edid = {
	.name = "tv-edid",
	.about = "1080p television with an EDID (\"TESTSINK TV\", 1920x1080@60 preferred) whose "
		 "timings are exactly its CEA and VESA masks; CBP and CHP 4.2, LPCM and AAC",
	.flags = SINK_EDID,
	.params = {
		"wfd_video_formats: 40 00 01 10 00000141 0000800A 00000000 00 0000 0000 11 "
		"none none, 02 10 00000141 0000800A 00000000 00 0000 0000 11 none none",
		TV_AUDIO,
		"wfd_connector_type: 05",
		"wfd_standby_resume_capability: supported",
	},
};

static const SinkProfile no_audio = {
	.name = "no-audio",
	.about = "video-only display: 1280x720p30/p60 and 1920x1080p30, CBP 4.0, "
		 "wfd_audio_codecs none",
	.params = {
		"wfd_video_formats: 38 00 01 04 000000E0 00000000 00000000 00 0000 0000 00 "
		"none none",
		"wfd_audio_codecs: none",
		"wfd_connector_type: 05",
	},
};

static const SinkProfile lg_webos = {
	.name = "lg-webos",
	.about = "LG webOS television: its M2 (CSeq 0) before it answers M1, native 00, CHP "
		 "listed first, VESA 155575DF, HDCP 2.1 offered, UIBC, M16 replies without "
		 "Session, RTP port 53000",
	.flags = SINK_EARLY_M2 | SINK_M16_NO_SESSION,
	.rtp_port = 53000,
	.params = {
		"wfd_video_formats: 00 00 02 10 0001FFFF 155575DF 00000FFF 00 0000 0000 11 "
		"none none, 01 10 0001FFFF 155575DF 00000FFF 00 0000 0000 11 none none",
		TV_AUDIO,
		"wfd_content_protection: HDCP2.1 port=1189",
		"wfd_uibc_capability: input_category_list=GENERIC, HIDC;generic_cap_list=Keyboard, "
		"Mouse;hidc_cap_list=Keyboard/USB, Mouse/USB;port=none",
		"wfd_connector_type: 05",
		"wfd_standby_resume_capability: supported",
	},
};

static const SinkProfile android_all_ones = {
	.name = "android-all-ones",
	.about = "Android 4.4 sink: every mask ffffffff (bits beyond the tables, interlaced "
		 "modes), CBP 3.1, native 28, AAC 2 to 8 channels",
	.params = {
		"wfd_video_formats: 28 00 01 01 ffffffff ffffffff ffffffff 00 0000 0000 00 "
		"none none",
		"wfd_audio_codecs: AAC 0000000F 00",
	},
};

static const SinkProfile garbage_params = {
	.name = "garbage-params",
	.about = "legal but untidy M3 reply: lower-case hex, LF line ends, no space after a "
		 "comma, Microsoft and vendor parameters nobody asked for",
	.flags = SINK_LF_ONLY,
	.params = {
		"wfd_video_formats: 40 00 01 10 0001ffff 1fffffff 00000fff 00 0000 0000 11 "
		"none none, 02 10 0001ffff 1fffffff 00000fff 00 0000 0000 11 none none",
		"wfd_audio_codecs: LPCM 00000003 00,AAC 00000001 00",
		"wfd_connector_type: 0a",
		"wfd_idr_request_capability: 1",
		"microsoft_latency_management_capability: supported",
		"microsoft_format_change_capability: supported",
	},
	.unasked = {
		"microsoft_diagnostics_capability: supported",
		"microsoft_rtcp_capability: none",
		"intel_sink_manufacturer_name: TESTSINK",
		"intel_sink_version: product_id=G1 hw_version=0.0.0.0 sw_version=0.0.0.0",
		"wfd2_video_codecs: none",
		"x_testsink_blob: 00ff00ff",
		"wfd_vendor_flag",
	},
};

static const SinkProfile broken_params = {
	.name = "broken-params",
	.about = "malformed wfd_video_formats in its M3 reply (a G among the hex digits of a "
		 "mask): the source must give up cleanly, without M4",
	.behaviour = SINK_BROKEN_PARAMS,
	.params = {
		"wfd_video_formats: 40 00 01 10 0001FFFF 1FFFFFFG 00000FFF 00 0000 0000 11 "
		"none none",
		TV_AUDIO,
		"wfd_connector_type: 05",
	},
};

static const SinkProfile late_keepalive = {
	.name = "late-keepalive",
	.about = "1080p television that answers M16 after --keepalive-delay ms (7000): the "
		 "source must end the session",
	.behaviour = SINK_LATE_KEEPALIVE,
	.params = { TV_1080P_PARAMS },
};

static const SinkProfile vanish = {
	.name = "vanish",
	.about = "1080p television that stops answering after --vanish-after s of PLAY, TCP "
		 "kept open: the source must end the session",
	.behaviour = SINK_VANISH,
	.params = { TV_1080P_PARAMS },
};

static const SinkProfile drop = {
	.name = "drop",
	.about = "1080p television that closes TCP without TEARDOWN after --drop-after s of "
		 "PLAY: RTP must stop",
	.behaviour = SINK_DROP,
	.params = { TV_1080P_PARAMS },
};

const SinkProfile *const sink_profiles[] = {
	&tv_1080p, &dongle_720p_lpcm, &projector_vesa, &tv_edid, &no_audio,
	&lg_webos, &android_all_ones,
	&garbage_params, &broken_params, &late_keepalive, &vanish, &drop,
	NULL,
};

const SinkProfile *sink_profile_find(const char *name)
{
	for (guint i = 0; sink_profiles[i]; i++)
		if (!strcmp(sink_profiles[i]->name, name))
			return sink_profiles[i];
	return NULL;
}

/* Whether line is "name" or "name: ..." */
static gboolean line_is(const char *line, const char *name)
{
	gsize n = strlen(name);

	return !strncmp(line, name, n) && (line[n] == ':' || line[n] == '\0');
}

static char *edid_answer(void)
{
	guint8 edid[128];
	GString *s = g_string_new("wfd_display_edid: 0001 ");

	sink_profile_edid(edid);
	for (guint i = 0; i < sizeof(edid); i++)
		g_string_append_printf(s, "%02X", edid[i]);
	return g_string_free(s, FALSE);
}

char *sink_profile_answer(const SinkProfile *p, const char *name, guint16 rtp_port)
{
	if (!strcmp(name, "wfd_client_rtp_ports"))
		return g_strdup_printf("wfd_client_rtp_ports: RTP/AVP/UDP;unicast %u 0 mode=play",
				       rtp_port);
	if (!strcmp(name, "wfd_display_edid") && (p->flags & SINK_EDID))
		return edid_answer();
	for (guint i = 0; i < SINK_MAX_PARAMS && p->params[i]; i++)
		if (line_is(p->params[i], name))
			return g_strdup(p->params[i]);
	return g_strdup_printf("%s: none", name);
}

char *sink_profile_m3_reply(const SinkProfile *p, const char *const *names, guint16 rtp_port)
{
	const char *eol = p->flags & SINK_LF_ONLY ? "\n" : "\r\n";
	GString *s = g_string_new(NULL);

	for (guint i = 0; names && names[i]; i++) {
		g_autofree char *line = sink_profile_answer(p, names[i], rtp_port);

		g_string_append_printf(s, "%s%s", line, eol);
	}
	for (guint i = 0; i < SINK_MAX_PARAMS && p->unasked[i]; i++)
		g_string_append_printf(s, "%s%s", p->unasked[i], eol);
	return g_string_free(s, FALSE);
}

char *sink_profile_capabilities(const SinkProfile *p, guint16 rtp_port)
{
	static const char *const computed[] = { "wfd_client_rtp_ports", "wfd_display_edid" };
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(computed); i++) {
		g_autofree char *line = sink_profile_answer(p, computed[i], rtp_port);

		g_string_append_printf(s, "%s\r\n", line);
	}
	for (guint i = 0; i < SINK_MAX_PARAMS && p->params[i]; i++)
		g_string_append_printf(s, "%s\r\n", p->params[i]);
	return g_string_free(s, FALSE);
}

/* ---- The EDID ---------------------------------------------------------- */

/* Detailed timings (CEA-861): 1920x1080p60 and 1280x720p60, 1000 x 560 mm, +H +V sync. */
static const guint8 dtd_1080p60[18] = {
	0x02, 0x3a, 0x80, 0x18, 0x71, 0x38, 0x2d, 0x40, 0x58, 0x2c, 0x45, 0x00,
	0xe8, 0x30, 0x32, 0x00, 0x00, 0x1e,
};
static const guint8 dtd_720p60[18] = {
	0x01, 0x1d, 0x00, 0x72, 0x51, 0xd0, 0x1e, 0x20, 0x6e, 0x28, 0x55, 0x00,
	0xe8, 0x30, 0x32, 0x00, 0x00, 0x1e,
};
/* Range limits: 59-61 Hz, 15-68 kHz, 150 MHz, no secondary timing formula. */
static const guint8 range_limits[18] = {
	0x00, 0x00, 0x00, 0xfd, 0x00, 59, 61, 15, 68, 15, 0x00,
	0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
};

void sink_profile_edid(guint8 e[128])
{
	static const char manufacturer[] = "TSK";
	static const char name[] = "TESTSINK TV";
	static const guint8 chromaticity[10] = {
		0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54,	/* sRGB */
	};
	/* 1920x1080, 1280x720 (16:9), 1280x1024 (5:4), at 60 Hz */
	static const guint8 standard[16] = {
		0xd1, 0xc0, 0x81, 0xc0, 0x81, 0x80, 0x01, 0x01,
		0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
	};
	guint16 id = 0;
	guint8 sum = 0;
	guint8 *d;

	memset(e, 0, 128);
	memset(e + 1, 0xff, 6);
	for (guint i = 0; i < 3; i++)
		id = id << 5 | (manufacturer[i] - 'A' + 1);
	e[8] = id >> 8;
	e[9] = id & 0xff;
	e[10] = 0x80;			/* product code 0x1080, little-endian */
	e[11] = 0x10;
	e[12] = 1;			/* serial number 1 */
	e[16] = 1;			/* week 1 of */
	e[17] = 2024 - 1990;		/* 2024 */
	e[18] = 1;			/* EDID 1.3 */
	e[19] = 3;
	e[20] = 0x80;			/* digital input */
	e[21] = 100;			/* 100 x 56 cm */
	e[22] = 56;
	e[23] = 120;			/* gamma 2.2 */
	e[24] = 0x0e;			/* RGB colour, sRGB, preferred timing first */
	memcpy(e + 25, chromaticity, sizeof(chromaticity));
	e[35] = 0x21;			/* established: 640x480@60, 800x600@60 */
	e[36] = 0x08;			/* 1024x768@60 */
	memcpy(e + 38, standard, sizeof(standard));
	memcpy(e + 54, dtd_1080p60, 18);
	memcpy(e + 72, dtd_720p60, 18);
	memcpy(e + 90, range_limits, 18);
	d = e + 108;			/* the monitor name: text ended by LF, padded with spaces */
	d[3] = 0xfc;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, name, strlen(name));
	d[5 + strlen(name)] = '\n';
	for (guint i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (guint8)-sum;
}

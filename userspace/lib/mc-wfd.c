// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wi-Fi Display's domain (see mc-wfd.h): the resolution tables and their
 * timings, the wfd_* parameters' parsers and writers, and the source's
 * negotiation. Bodies come from the network: every value is parsed as
 * untrusted text, token by token, with the length of each checked.
 */
#include <stdlib.h>
#include <string.h>

#include <drm_mode.h>
#include <libxcvt/libxcvt.h>

#include "mc-wfd.h"

G_DEFINE_QUARK(mc-wfd-error-quark, mc_wfd_error)

/* ---- Resolution tables ------------------------------------------------ */

#define P FALSE
#define I TRUE

static const McWfdResolution cea_table[] = {
	{ MC_WFD_CEA, 0, 640, 480, 60, P },
	{ MC_WFD_CEA, 1, 720, 480, 60, P },
	{ MC_WFD_CEA, 2, 720, 480, 60, I },
	{ MC_WFD_CEA, 3, 720, 576, 50, P },
	{ MC_WFD_CEA, 4, 720, 576, 50, I },
	{ MC_WFD_CEA, 5, 1280, 720, 30, P },
	{ MC_WFD_CEA, 6, 1280, 720, 60, P },
	{ MC_WFD_CEA, 7, 1920, 1080, 30, P },
	{ MC_WFD_CEA, 8, 1920, 1080, 60, P },
	{ MC_WFD_CEA, 9, 1920, 1080, 60, I },
	{ MC_WFD_CEA, 10, 1280, 720, 25, P },
	{ MC_WFD_CEA, 11, 1280, 720, 50, P },
	{ MC_WFD_CEA, 12, 1920, 1080, 25, P },
	{ MC_WFD_CEA, 13, 1920, 1080, 50, P },
	{ MC_WFD_CEA, 14, 1920, 1080, 50, I },
	{ MC_WFD_CEA, 15, 1280, 720, 24, P },
	{ MC_WFD_CEA, 16, 1920, 1080, 24, P },
};

static const McWfdResolution vesa_table[] = {
	{ MC_WFD_VESA, 0, 800, 600, 30, P },
	{ MC_WFD_VESA, 1, 800, 600, 60, P },
	{ MC_WFD_VESA, 2, 1024, 768, 30, P },
	{ MC_WFD_VESA, 3, 1024, 768, 60, P },
	{ MC_WFD_VESA, 4, 1152, 864, 30, P },
	{ MC_WFD_VESA, 5, 1152, 864, 60, P },
	{ MC_WFD_VESA, 6, 1280, 768, 30, P },
	{ MC_WFD_VESA, 7, 1280, 768, 60, P },
	{ MC_WFD_VESA, 8, 1280, 800, 30, P },
	{ MC_WFD_VESA, 9, 1280, 800, 60, P },
	{ MC_WFD_VESA, 10, 1360, 768, 30, P },
	{ MC_WFD_VESA, 11, 1360, 768, 60, P },
	{ MC_WFD_VESA, 12, 1366, 768, 30, P },
	{ MC_WFD_VESA, 13, 1366, 768, 60, P },
	{ MC_WFD_VESA, 14, 1280, 1024, 30, P },
	{ MC_WFD_VESA, 15, 1280, 1024, 60, P },
	{ MC_WFD_VESA, 16, 1400, 1050, 30, P },
	{ MC_WFD_VESA, 17, 1400, 1050, 60, P },
	{ MC_WFD_VESA, 18, 1440, 900, 30, P },
	{ MC_WFD_VESA, 19, 1440, 900, 60, P },
	{ MC_WFD_VESA, 20, 1600, 900, 30, P },
	{ MC_WFD_VESA, 21, 1600, 900, 60, P },
	{ MC_WFD_VESA, 22, 1600, 1200, 30, P },
	{ MC_WFD_VESA, 23, 1600, 1200, 60, P },
	{ MC_WFD_VESA, 24, 1680, 1024, 30, P },
	{ MC_WFD_VESA, 25, 1680, 1024, 60, P },
	{ MC_WFD_VESA, 26, 1680, 1050, 30, P },
	{ MC_WFD_VESA, 27, 1680, 1050, 60, P },
	{ MC_WFD_VESA, 28, 1920, 1200, 30, P },
	{ MC_WFD_VESA, 29, 1920, 1200, 60, P },
};

static const McWfdResolution hh_table[] = {
	{ MC_WFD_HH, 0, 800, 480, 30, P },
	{ MC_WFD_HH, 1, 800, 480, 60, P },
	{ MC_WFD_HH, 2, 854, 480, 30, P },
	{ MC_WFD_HH, 3, 854, 480, 60, P },
	{ MC_WFD_HH, 4, 864, 480, 30, P },
	{ MC_WFD_HH, 5, 864, 480, 60, P },
	{ MC_WFD_HH, 6, 640, 360, 30, P },
	{ MC_WFD_HH, 7, 640, 360, 60, P },
	{ MC_WFD_HH, 8, 960, 540, 30, P },
	{ MC_WFD_HH, 9, 960, 540, 60, P },
	{ MC_WFD_HH, 10, 848, 480, 30, P },
	{ MC_WFD_HH, 11, 848, 480, 60, P },
};

#undef P
#undef I

/*
 * CEA-861's timings of the progressive CEA entries, by bit (VICs 1, 2, 17,
 * 62, 4, 34, 16, 61, 19, 33, 31, 60, 32). The 59.94 Hz bases (VICs 1, 2)
 * have their clock scaled by 1001/1000 to the whole 60 Hz.
 */
static const struct {
	guint32 clock;
	guint16 hss, hse, htotal, vss, vse, vtotal;
	gboolean positive;
} cea_timings[] = {
	[0] = { 25200, 656, 752, 800, 490, 492, 525, FALSE },
	[1] = { 27027, 736, 798, 858, 489, 495, 525, FALSE },
	[3] = { 27000, 732, 796, 864, 581, 586, 625, FALSE },
	[5] = { 74250, 3040, 3080, 3300, 725, 730, 750, TRUE },
	[6] = { 74250, 1390, 1430, 1650, 725, 730, 750, TRUE },
	[7] = { 74250, 2008, 2052, 2200, 1084, 1089, 1125, TRUE },
	[8] = { 148500, 2008, 2052, 2200, 1084, 1089, 1125, TRUE },
	[10] = { 74250, 3700, 3740, 3960, 725, 730, 750, TRUE },
	[11] = { 74250, 1720, 1760, 1980, 725, 730, 750, TRUE },
	[12] = { 74250, 2448, 2492, 2640, 1084, 1089, 1125, TRUE },
	[13] = { 148500, 2448, 2492, 2640, 1084, 1089, 1125, TRUE },
	[15] = { 59400, 3040, 3080, 3300, 725, 730, 750, TRUE },
	[16] = { 74250, 2558, 2602, 2750, 1084, 1089, 1125, TRUE },
};

static const McWfdResolution *table_entries(McWfdTable table, guint *n)
{
	switch (table) {
	case MC_WFD_CEA:
		*n = G_N_ELEMENTS(cea_table);
		return cea_table;
	case MC_WFD_VESA:
		*n = G_N_ELEMENTS(vesa_table);
		return vesa_table;
	case MC_WFD_HH:
		*n = G_N_ELEMENTS(hh_table);
		return hh_table;
	}
	*n = 0;
	return NULL;
}

guint mc_wfd_table_size(McWfdTable table)
{
	guint n;

	table_entries(table, &n);
	return n;
}

guint32 mc_wfd_table_mask(McWfdTable table)
{
	guint n = mc_wfd_table_size(table);

	return n >= 32 ? 0xffffffffU : (1U << n) - 1;
}

const McWfdResolution *mc_wfd_resolution(McWfdTable table, guint bit)
{
	guint n;
	const McWfdResolution *t = table_entries(table, &n);

	return bit < n ? &t[bit] : NULL;
}

const McWfdResolution *mc_wfd_resolution_find(guint width, guint height, guint refresh)
{
	for (guint t = 0; t < MC_WFD_N_TABLES; t++) {
		guint n;
		const McWfdResolution *e = table_entries(t, &n);

		for (guint i = 0; i < n; i++)
			if (!e[i].interlaced && e[i].width == width && e[i].height == height &&
			    e[i].refresh == refresh)
				return &e[i];
	}
	return NULL;
}

const char *mc_wfd_table_name(McWfdTable table)
{
	switch (table) {
	case MC_WFD_CEA: return "CEA";
	case MC_WFD_VESA: return "VESA";
	case MC_WFD_HH: return "HH";
	}
	return "?";
}

char *mc_wfd_resolution_name(const McWfdResolution *r)
{
	return g_strdup_printf("%ux%u%c%u", r->width, r->height, r->interlaced ? 'i' : 'p',
			       r->refresh);
}

static gboolean cvt_timing(const McWfdResolution *r, struct miracast_mode *m)
{
	struct libxcvt_mode_info *x;
	guint32 shift;

	x = libxcvt_gen_mode_info(r->width, r->height, r->refresh, false, false);
	if (!x)
		return FALSE;
	/*
	 * CVT counts in cells of 8 pixels and may narrow the width (854 ->
	 * 848): the blanking is kept after the real width. CVT's clock, in
	 * steps of 250 kHz, misses small modes' rates (800x480p30: 29.4 Hz):
	 * the clock is the one of the nominal rate.
	 */
	shift = r->width - MIN(x->hdisplay, r->width);
	m->hdisplay = r->width;
	m->hsync_start = x->hsync_start + shift;
	m->hsync_end = x->hsync_end + shift;
	m->htotal = x->htotal + shift;
	m->vdisplay = r->height;
	m->vsync_start = x->vsync_start;
	m->vsync_end = x->vsync_end;
	m->vtotal = x->vtotal;
	m->clock = ((guint64)m->htotal * m->vtotal * r->refresh + 500) / 1000;
	m->flags = (x->mode_flags & LIBXCVT_MODE_FLAG_HSYNC_POSITIVE ? DRM_MODE_FLAG_PHSYNC :
								     DRM_MODE_FLAG_NHSYNC) |
		   (x->mode_flags & LIBXCVT_MODE_FLAG_VSYNC_NEGATIVE ? DRM_MODE_FLAG_NVSYNC :
								     DRM_MODE_FLAG_PVSYNC);
	free(x);
	return TRUE;
}

gboolean mc_wfd_resolution_timing(const McWfdResolution *r, struct miracast_mode *mode)
{
	if (!r || r->interlaced)
		return FALSE;
	memset(mode, 0, sizeof(*mode));
	if (r->table != MC_WFD_CEA)
		return cvt_timing(r, mode);
	mode->clock = cea_timings[r->bit].clock;
	mode->hdisplay = r->width;
	mode->hsync_start = cea_timings[r->bit].hss;
	mode->hsync_end = cea_timings[r->bit].hse;
	mode->htotal = cea_timings[r->bit].htotal;
	mode->vdisplay = r->height;
	mode->vsync_start = cea_timings[r->bit].vss;
	mode->vsync_end = cea_timings[r->bit].vse;
	mode->vtotal = cea_timings[r->bit].vtotal;
	mode->flags = cea_timings[r->bit].positive ?
		DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC :
		DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC;
	return TRUE;
}

const McWfdResolution *mc_wfd_resolution_from_mode(const struct miracast_mode *mode)
{
	guint64 total = (guint64)mode->htotal * mode->vtotal;

	if (!total || (mode->flags & DRM_MODE_FLAG_INTERLACE))
		return NULL;
	return mc_wfd_resolution_find(mode->hdisplay, mode->vdisplay,
				      (guint)(((guint64)mode->clock * 1000 + total / 2) / total));
}

/* ---- H.264 profiles and levels --------------------------------------- */

static const struct {
	guint8 bit;
	McH264Level idc;
	const char *name;
} wfd_levels[] = {
	{ MC_WFD_LEVEL_3_1, 31, "3.1" },
	{ MC_WFD_LEVEL_3_2, 32, "3.2" },
	{ MC_WFD_LEVEL_4_0, 40, "4.0" },
	{ MC_WFD_LEVEL_4_1, 41, "4.1" },
	{ MC_WFD_LEVEL_4_2, 42, "4.2" },
};

McH264Level mc_wfd_level_to_h264(guint8 wfd_level_bit)
{
	for (guint i = 0; i < G_N_ELEMENTS(wfd_levels); i++)
		if (wfd_levels[i].bit == wfd_level_bit)
			return wfd_levels[i].idc;
	return 0;
}

guint8 mc_wfd_level_from_h264(McH264Level level)
{
	for (guint i = 0; i < G_N_ELEMENTS(wfd_levels); i++)
		if (wfd_levels[i].idc == level)
			return wfd_levels[i].bit;
	return 0;
}

const char *mc_wfd_level_name(guint8 wfd_level_bit)
{
	for (guint i = 0; i < G_N_ELEMENTS(wfd_levels); i++)
		if (wfd_levels[i].bit == wfd_level_bit)
			return wfd_levels[i].name;
	return NULL;
}

McH264Profile mc_wfd_profile_to_h264(guint8 wfd_profile_bit)
{
	return wfd_profile_bit == MC_WFD_PROFILE_CHP ? MC_H264_CHP : MC_H264_CBP;
}

guint8 mc_wfd_profile_from_h264(McH264Profile profile)
{
	return profile == MC_H264_CHP ? MC_WFD_PROFILE_CHP : MC_WFD_PROFILE_CBP;
}

const char *mc_wfd_profile_name(guint8 wfd_profile_bit)
{
	switch (wfd_profile_bit) {
	case MC_WFD_PROFILE_CBP: return "CBP";
	case MC_WFD_PROFILE_CHP: return "CHP";
	default: return NULL;
	}
}

guint8 mc_wfd_level_highest(guint8 levels)
{
	levels &= MC_WFD_LEVEL_4_2 | (MC_WFD_LEVEL_4_2 - 1);
	return levels ? 1U << g_bit_nth_msf(levels, -1) : 0;
}

guint8 mc_wfd_resolution_min_level(const McWfdResolution *r)
{
	return mc_wfd_level_from_h264(mc_h264_min_level(r->width, r->height, r->refresh, 1));
}

/* ---- Names ------------------------------------------------------------ */

static const char *const param_names[MC_WFD_N_PARAMS] = {
	[MC_WFD_VIDEO_FORMATS] = "wfd_video_formats",
	[MC_WFD_AUDIO_CODECS] = "wfd_audio_codecs",
	[MC_WFD_3D_VIDEO_FORMATS] = "wfd_3d_video_formats",
	[MC_WFD_CONTENT_PROTECTION] = "wfd_content_protection",
	[MC_WFD_DISPLAY_EDID] = "wfd_display_edid",
	[MC_WFD_COUPLED_SINK] = "wfd_coupled_sink",
	[MC_WFD_TRIGGER_METHOD] = "wfd_trigger_method",
	[MC_WFD_PRESENTATION_URL] = "wfd_presentation_URL",
	[MC_WFD_CLIENT_RTP_PORTS] = "wfd_client_rtp_ports",
	[MC_WFD_ROUTE] = "wfd_route",
	[MC_WFD_I2C] = "wfd_I2C",
	[MC_WFD_AV_FORMAT_CHANGE_TIMING] = "wfd_av_format_change_timing",
	[MC_WFD_PREFERRED_DISPLAY_MODE] = "wfd_preferred_display_mode",
	[MC_WFD_UIBC_CAPABILITY] = "wfd_uibc_capability",
	[MC_WFD_UIBC_SETTING] = "wfd_uibc_setting",
	[MC_WFD_STANDBY_RESUME_CAPABILITY] = "wfd_standby_resume_capability",
	[MC_WFD_STANDBY] = "wfd_standby",
	[MC_WFD_CONNECTOR_TYPE] = "wfd_connector_type",
	[MC_WFD_IDR_REQUEST] = "wfd_idr_request",
};

const char *mc_wfd_param_name(McWfdParam p)
{
	return (guint)p < MC_WFD_N_PARAMS ? param_names[p] : NULL;
}

gboolean mc_wfd_param_from_name(const char *name, McWfdParam *p)
{
	for (guint i = 0; i < MC_WFD_N_PARAMS; i++)
		if (!strcmp(name, param_names[i])) {
			*p = i;
			return TRUE;
		}
	return FALSE;
}

static gboolean param_is_bare(McWfdParam p)
{
	return p == MC_WFD_STANDBY || p == MC_WFD_IDR_REQUEST;
}

static const char *const audio_format_names[] = { "LPCM", "AAC", "AC3" };
static const char *const trigger_names[] = { "SETUP", "PLAY", "PAUSE", "TEARDOWN" };
static const char *const rtp_profile_names[] = { "RTP/AVP/UDP;unicast", "RTP/AVP/TCP;unicast" };
static const char *const hdcp_names[] = { "none", "HDCP2.0", "HDCP2.1" };
static const char *const route_names[] = { "primary", "secondary" };
static const char *const uibc_category_names[] = { "GENERIC", "HIDC" };
static const char *const uibc_type_names[] = {
	"Keyboard", "Mouse", "SingleTouch", "MultiTouch", "Joystick", "Camera", "Gesture",
	"RemoteControl",
};
static const char *const uibc_path_names[] = {
	"Infrared", "USB", "BT", "Zigbee", "Wi-Fi", "No-SP",
};

const char *mc_wfd_audio_format_name(McWfdAudioFormat format)
{
	return (guint)format < G_N_ELEMENTS(audio_format_names) ? audio_format_names[format] : "?";
}

guint32 mc_wfd_audio_stereo_48k(McWfdAudioFormat format)
{
	return format == MC_WFD_AUDIO_LPCM ? 0x2 : 0x1;
}

const char *mc_wfd_trigger_name(McWfdTrigger trigger)
{
	return (guint)trigger < G_N_ELEMENTS(trigger_names) ? trigger_names[trigger] : "?";
}

const char *mc_wfd_rtp_profile_name(McWfdRtpProfile profile)
{
	return (guint)profile < G_N_ELEMENTS(rtp_profile_names) ? rtp_profile_names[profile] :
								   "?";
}

/* ---- Scanning one value ----------------------------------------------- */

/*
 * A cursor over a parameter's value. Fields are separated by one or more
 * spaces, list items by a comma and any spaces. Every failure sets error
 * with the parameter's name and the offending token.
 */
typedef struct {
	const char *s;
	const char *param;
	GError **error;
} Scan;

#define TOKEN_SHOWN 40	/* longer tokens are cut in messages */

G_GNUC_PRINTF(3, 4)
static gboolean fail(Scan *sc, gint code, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(sc->error, MC_WFD_ERROR, code, "%s: %s", sc->param, msg);
	return FALSE;
}

/* The token at the cursor: up to a space, the end, or one of delims. */
static gsize token_len(const Scan *sc, const char *delims)
{
	gsize n = 0;

	while (sc->s[n] && sc->s[n] != ' ' && !strchr(delims, sc->s[n]))
		n++;
	return n;
}

/* A quoted token for messages, cut to TOKEN_SHOWN characters; newly allocated. */
static char *shown(const char *s, gsize n)
{
	if (n > TOKEN_SHOWN)
		return g_strdup_printf("\"%.*s...\"", TOKEN_SHOWN, s);
	return g_strdup_printf("\"%.*s\"", (int)n, s);
}

static gboolean at_end(const Scan *sc)
{
	return !*sc->s;
}

/* One or more spaces before the field what. */
static gboolean space(Scan *sc, const char *what)
{
	if (at_end(sc))
		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s is missing", what);
	if (*sc->s != ' ') {
		g_autofree char *t = shown(sc->s, strlen(sc->s));

		return fail(sc, MC_WFD_ERROR_SYNTAX, "expected a space before %s, found %s",
			    what, t);
	}
	while (*sc->s == ' ')
		sc->s++;
	return TRUE;
}

/* A list separator: a comma and any spaces; FALSE (nothing taken) if none. */
static gboolean comma(Scan *sc)
{
	if (*sc->s != ',')
		return FALSE;
	sc->s++;
	while (*sc->s == ' ')
		sc->s++;
	return TRUE;
}

static gboolean end(Scan *sc)
{
	if (!at_end(sc)) {
		g_autofree char *t = shown(sc->s, strlen(sc->s));

		return fail(sc, MC_WFD_ERROR_SYNTAX, "unexpected %s at the end", t);
	}
	return TRUE;
}

/* Whether the whole (rest of the) value is "none" (then taken). */
static gboolean whole_none(Scan *sc)
{
	if (strcmp(sc->s, "none"))
		return FALSE;
	sc->s += strlen("none");
	return TRUE;
}

/* Whether the token at the cursor is word (then taken). */
static gboolean take_word(Scan *sc, const char *word, const char *delims)
{
	gsize n = token_len(sc, delims);

	if (n != strlen(word) || strncmp(sc->s, word, n))
		return FALSE;
	sc->s += n;
	return TRUE;
}

/* Exactly digits hex digits (either case); what names the field. */
static gboolean hex(Scan *sc, const char *what, guint digits, guint64 *v)
{
	gsize n = token_len(sc, ",;");
	guint64 x = 0;
	gboolean ok = n == digits;

	if (!n)
		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s is missing", what);
	for (gsize i = 0; ok && i < n; i++) {
		if (!g_ascii_isxdigit(sc->s[i]))
			ok = FALSE;
		else
			x = x << 4 | g_ascii_xdigit_value(sc->s[i]);
	}
	if (!ok) {
		g_autofree char *t = shown(sc->s, n);

		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s %s is not %u hex digits", what, t,
			    digits);
	}
	sc->s += n;
	*v = x;
	return TRUE;
}

static gboolean hex8(Scan *sc, const char *what, guint8 *v)
{
	guint64 x;

	if (!hex(sc, what, 2, &x))
		return FALSE;
	*v = x;
	return TRUE;
}

static gboolean hex16(Scan *sc, const char *what, guint16 *v)
{
	guint64 x;

	if (!hex(sc, what, 4, &x))
		return FALSE;
	*v = x;
	return TRUE;
}

static gboolean hex32(Scan *sc, const char *what, guint32 *v)
{
	guint64 x;

	if (!hex(sc, what, 8, &x))
		return FALSE;
	*v = x;
	return TRUE;
}

/* hex4 or "none" (-1). */
static gboolean hex16_or_none(Scan *sc, const char *what, gint *v)
{
	guint16 x;

	if (take_word(sc, "none", ",;")) {
		*v = -1;
		return TRUE;
	}
	if (!hex16(sc, what, &x))
		return FALSE;
	*v = x;
	return TRUE;
}

/* A decimal TCP/UDP port, min..65535. */
static gboolean port(Scan *sc, const char *what, guint min, guint16 *v)
{
	gsize n = token_len(sc, ",;");
	guint x = 0;
	g_autofree char *t = shown(sc->s, n);

	if (!n)
		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s is missing", what);
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit(sc->s[i]))
			return fail(sc, MC_WFD_ERROR_SYNTAX, "%s %s is not a decimal number",
				    what, t);
		if (x <= 65535)
			x = x * 10 + (sc->s[i] - '0');
	}
	if (x < min || x > 65535)
		return fail(sc, MC_WFD_ERROR_RANGE, "%s %s is out of range (%u-65535)", what, t,
			    min);
	sc->s += n;
	*v = x;
	return TRUE;
}

/* One of n words; its index in *v. */
static gboolean keyword(Scan *sc, const char *what, const char *delims,
			const char *const *words, guint n, guint *v)
{
	gsize len = token_len(sc, delims);
	g_autofree char *t = NULL;
	g_autoptr(GString) list = NULL;

	for (guint i = 0; i < n; i++)
		if (len == strlen(words[i]) && !strncmp(sc->s, words[i], len)) {
			sc->s += len;
			*v = i;
			return TRUE;
		}
	if (!len)
		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s is missing", what);
	t = shown(sc->s, len);
	list = g_string_new(NULL);
	for (guint i = 0; i < n; i++)
		g_string_append_printf(list, "%s%s", i ? ", " : "", words[i]);
	return fail(sc, MC_WFD_ERROR_SYNTAX, "%s %s is none of %s", what, t, list->str);
}

/* A fixed text (such as "port="). */
static gboolean literal(Scan *sc, const char *text)
{
	gsize n = strlen(text);

	if (strncmp(sc->s, text, n)) {
		g_autofree char *t = shown(sc->s, strlen(sc->s));

		return fail(sc, MC_WFD_ERROR_SYNTAX, "expected \"%s\", found %s", text, t);
	}
	sc->s += n;
	return TRUE;
}

/* ---- Parsing each parameter --------------------------------------------- */

/*
 * wfd_video_formats and wfd_3d_video_formats differ only in their codec
 * entries: where their structs keep the fields of the grammar they share.
 */
typedef struct {
	gsize none, native, preferred_display_mode, n_codecs, codecs;	/* offsets */
	gsize codec_size;
} FormatsLayout;

#define FORMATS_LAYOUT(type) {							\
	G_STRUCT_OFFSET(type, none), G_STRUCT_OFFSET(type, native),		\
	G_STRUCT_OFFSET(type, preferred_display_mode),				\
	G_STRUCT_OFFSET(type, n_codecs), G_STRUCT_OFFSET(type, codecs),		\
	sizeof(((type *)NULL)->codecs[0]),					\
}

static const FormatsLayout video_formats_layout = FORMATS_LAYOUT(McWfdVideoFormats);
static const FormatsLayout video_formats_3d_layout = FORMATS_LAYOUT(McWfd3dVideoFormats);

/* The fields a codec entry of either parameter ends with, after its masks. */
typedef struct {
	guint8 *latency;
	guint16 *min_slice_size, *slice_enc_params;
	guint8 *frame_rate_control;
	gint *max_hres, *max_vres;
} CodecTail;

#define CODEC_TAIL(c) {								\
	&(c)->latency, &(c)->min_slice_size, &(c)->slice_enc_params,		\
	&(c)->frame_rate_control, &(c)->max_hres, &(c)->max_vres,		\
}

/* <profile> <level>, the start of a codec entry of either parameter. */
static gboolean parse_profile_level(Scan *sc, guint8 *profile, guint8 *level)
{
	if (!hex8(sc, "profile", profile))
		return FALSE;
	if (!*profile || (*profile & ~(MC_WFD_PROFILE_CBP | MC_WFD_PROFILE_CHP)))
		return fail(sc, MC_WFD_ERROR_RANGE,
			    "profile %02X is not a bitmap of 01 (CBP) and 02 (CHP)", *profile);
	if (!space(sc, "level") || !hex8(sc, "level", level))
		return FALSE;
	if (!*level || (*level & ~0x1f))
		return fail(sc, MC_WFD_ERROR_RANGE,
			    "level %02X is not a bitmap of 01 (3.1) to 10 (4.2)", *level);
	return TRUE;
}

static gboolean parse_codec_tail(Scan *sc, const CodecTail *t)
{
	return space(sc, "latency") && hex8(sc, "latency", t->latency) &&
	       space(sc, "minimum slice size") &&
	       hex16(sc, "minimum slice size", t->min_slice_size) &&
	       space(sc, "slice encoding parameters") &&
	       hex16(sc, "slice encoding parameters", t->slice_enc_params) &&
	       space(sc, "frame rate control") &&
	       hex8(sc, "frame rate control", t->frame_rate_control) &&
	       space(sc, "max hres") && hex16_or_none(sc, "max hres", t->max_hres) &&
	       space(sc, "max vres") && hex16_or_none(sc, "max vres", t->max_vres);
}

/* A McWfdH264Codec. */
static gboolean parse_h264_codec(Scan *sc, gpointer entry)
{
	McWfdH264Codec *c = entry;
	const CodecTail tail = CODEC_TAIL(c);

	return parse_profile_level(sc, &c->profile, &c->level) &&
	       space(sc, "CEA mask") && hex32(sc, "CEA mask", &c->cea) &&
	       space(sc, "VESA mask") && hex32(sc, "VESA mask", &c->vesa) &&
	       space(sc, "HH mask") && hex32(sc, "HH mask", &c->hh) &&
	       parse_codec_tail(sc, &tail);
}

/* A McWfd3dCodec. */
static gboolean parse_3d_codec(Scan *sc, gpointer entry)
{
	McWfd3dCodec *c = entry;
	const CodecTail tail = CODEC_TAIL(c);

	return parse_profile_level(sc, &c->profile, &c->level) &&
	       space(sc, "3D capability") && hex(sc, "3D capability", 16, &c->capability) &&
	       parse_codec_tail(sc, &tail);
}

/*
 * "none" or <native> <preferred display mode> <entry>[, <entry>]* into v,
 * laid out as l says; parse_codec reads one entry.
 */
static gboolean parse_formats(Scan *sc, gpointer v, const FormatsLayout *l,
			      gboolean (*parse_codec)(Scan *sc, gpointer entry))
{
	guint *n = G_STRUCT_MEMBER_P(v, l->n_codecs);
	guint8 *codecs = G_STRUCT_MEMBER_P(v, l->codecs);

	if (whole_none(sc)) {
		G_STRUCT_MEMBER(gboolean, v, l->none) = TRUE;
		return TRUE;
	}
	if (!hex8(sc, "native", G_STRUCT_MEMBER_P(v, l->native)) ||
	    !space(sc, "preferred display mode") ||
	    !hex8(sc, "preferred display mode", G_STRUCT_MEMBER_P(v, l->preferred_display_mode)))
		return FALSE;
	do {
		if (*n == MC_WFD_MAX_CODECS)
			return fail(sc, MC_WFD_ERROR_RANGE, "more than %u codec entries",
				    MC_WFD_MAX_CODECS);
		if (!(*n ? TRUE : space(sc, "profile")) ||
		    !parse_codec(sc, codecs + *n * l->codec_size))
			return FALSE;
		(*n)++;
	} while (comma(sc));
	return end(sc);
}

static gboolean parse_video_formats(Scan *sc, McWfdVideoFormats *v)
{
	return parse_formats(sc, v, &video_formats_layout, parse_h264_codec);
}

static gboolean parse_3d_video_formats(Scan *sc, McWfd3dVideoFormats *v)
{
	return parse_formats(sc, v, &video_formats_3d_layout, parse_3d_codec);
}

static gboolean parse_audio_codecs(Scan *sc, McWfdAudioCodecs *a)
{
	if (whole_none(sc))
		return TRUE;
	do {
		McWfdAudioCodec *c = &a->codecs[a->n_codecs];
		guint f;

		if (a->n_codecs == MC_WFD_MAX_AUDIO_CODECS)
			return fail(sc, MC_WFD_ERROR_RANGE, "more than %u codecs",
				    MC_WFD_MAX_AUDIO_CODECS);
		if (!keyword(sc, "audio format", ",", audio_format_names,
			     G_N_ELEMENTS(audio_format_names), &f))
			return FALSE;
		c->format = f;
		if (!space(sc, "modes") || !hex32(sc, "modes", &c->modes) ||
		    !space(sc, "latency") || !hex8(sc, "latency", &c->latency))
			return FALSE;
		a->n_codecs++;
	} while (comma(sc));
	return end(sc);
}

static gboolean parse_content_protection(Scan *sc, McWfdContentProtection *c)
{
	guint h;

	if (!keyword(sc, "content protection", "", hdcp_names, G_N_ELEMENTS(hdcp_names), &h))
		return FALSE;
	c->hdcp = h;
	c->port = 0;
	if (h == MC_WFD_HDCP_NONE)
		return end(sc);
	return space(sc, "port") && literal(sc, "port=") && port(sc, "port", 1, &c->port) &&
	       end(sc);
}

static gboolean parse_display_edid(Scan *sc, McWfdDisplayEdid *e)
{
	guint16 count;
	gsize n, want;

	if (whole_none(sc)) {
		e->none = TRUE;
		return TRUE;
	}
	if (!hex16(sc, "block count", &count))
		return FALSE;
	if (count > 256)
		return fail(sc, MC_WFD_ERROR_RANGE, "block count %04X is more than 256", count);
	e->block_count = count;
	if (!space(sc, "EDID payload"))
		return FALSE;
	if (take_word(sc, "none", ""))
		return end(sc);
	if (!count)
		return fail(sc, MC_WFD_ERROR_SYNTAX,
			    "block count 0000 takes the payload none, not EDID bytes");
	n = token_len(sc, "");
	want = (gsize)count * 256;
	if (n != want)
		return fail(sc, MC_WFD_ERROR_SYNTAX,
			    "EDID payload has %" G_GSIZE_FORMAT " hex digits, %u block%s %"
			    G_GSIZE_FORMAT, n, count, count == 1 ? " takes" : "s take", want);
	e->edid = g_malloc(want / 2);
	for (gsize i = 0; i < want; i++) {
		if (!g_ascii_isxdigit(sc->s[i])) {
			g_autofree char *t = shown(sc->s + i, 1);

			return fail(sc, MC_WFD_ERROR_SYNTAX,
				    "EDID payload has %s at digit %" G_GSIZE_FORMAT
				    ", not a hex digit", t, i);
		}
		if (i % 2)
			e->edid[i / 2] |= g_ascii_xdigit_value(sc->s[i]);
		else
			e->edid[i / 2] = g_ascii_xdigit_value(sc->s[i]) << 4;
	}
	sc->s += n;
	return end(sc);
}

static gboolean parse_coupled_sink(Scan *sc, McWfdCoupledSink *c)
{
	guint64 mac;

	if (whole_none(sc)) {
		c->none = TRUE;
		return TRUE;
	}
	if (!hex8(sc, "status", &c->status) || !space(sc, "sink MAC"))
		return FALSE;
	if (take_word(sc, "none", ""))
		return end(sc);
	if (!hex(sc, "sink MAC", 12, &mac))
		return FALSE;
	c->has_mac = TRUE;
	for (guint i = 0; i < 6; i++)
		c->mac[i] = mac >> (40 - 8 * i);
	return end(sc);
}

static gboolean parse_trigger_method(Scan *sc, McWfdTrigger *t)
{
	guint v;

	if (!keyword(sc, "method", "", trigger_names, G_N_ELEMENTS(trigger_names), &v))
		return FALSE;
	*t = v;
	return end(sc);
}

static gboolean parse_url(Scan *sc, const char *what, char **url)
{
	gsize n = token_len(sc, "");

	if (!n)
		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s is missing", what);
	if (n == 4 && !strncmp(sc->s, "none", 4)) {
		*url = NULL;
	} else if (n > strlen("rtsp://") && !strncmp(sc->s, "rtsp://", strlen("rtsp://"))) {
		*url = g_strndup(sc->s, n);
	} else {
		g_autofree char *t = shown(sc->s, n);

		return fail(sc, MC_WFD_ERROR_SYNTAX, "%s %s is neither none nor an rtsp:// URL",
			    what, t);
	}
	sc->s += n;
	return TRUE;
}

static gboolean parse_presentation_url(Scan *sc, McWfdPresentationUrl *u)
{
	return parse_url(sc, "URL 0", &u->url0) && space(sc, "URL 1") &&
	       parse_url(sc, "URL 1", &u->url1) && end(sc);
}

static gboolean parse_client_rtp_ports(Scan *sc, McWfdClientRtpPorts *r)
{
	guint v;

	if (!keyword(sc, "profile", "", rtp_profile_names, G_N_ELEMENTS(rtp_profile_names), &v))
		return FALSE;
	r->profile = v;
	if (!space(sc, "RTP port") || !port(sc, "RTP port", 1, &r->port0) ||
	    !space(sc, "second RTP port") || !port(sc, "second RTP port", 0, &r->port1) ||
	    !space(sc, "mode"))
		return FALSE;
	if (!take_word(sc, "mode=play", "")) {
		g_autofree char *t = shown(sc->s, token_len(sc, ""));

		return fail(sc, MC_WFD_ERROR_SYNTAX, "mode %s is not mode=play", t);
	}
	return end(sc);
}

static gboolean parse_route(Scan *sc, McWfdRoute *r)
{
	guint v;

	if (!keyword(sc, "route", "", route_names, G_N_ELEMENTS(route_names), &v))
		return FALSE;
	*r = v;
	return end(sc);
}

static gboolean parse_i2c(Scan *sc, McWfdI2c *i)
{
	if (whole_none(sc)) {
		i->none = TRUE;
		return TRUE;
	}
	return port(sc, "port", 1, &i->port) && end(sc);
}

#define PTS_MAX G_GUINT64_CONSTANT(0x1ffffffff)

static gboolean parse_av_format_change_timing(Scan *sc, McWfdAvFormatChangeTiming *t)
{
	if (!hex(sc, "PTS", 10, &t->pts))
		return FALSE;
	if (t->pts > PTS_MAX)
		return fail(sc, MC_WFD_ERROR_RANGE, "PTS %010" G_GINT64_MODIFIER "X is more than "
			    "33 bits", t->pts);
	if (!space(sc, "DTS") || !hex(sc, "DTS", 10, &t->dts))
		return FALSE;
	if (t->dts > PTS_MAX)
		return fail(sc, MC_WFD_ERROR_RANGE, "DTS %010" G_GINT64_MODIFIER "X is more than "
			    "33 bits", t->dts);
	return end(sc);
}

static gboolean parse_preferred_display_mode(Scan *sc, McWfdPreferredDisplayMode *m)
{
	guint64 clock;

	if (!hex(sc, "pixel clock", 6, &clock))
		return FALSE;
	m->p_clock = clock;
	return space(sc, "H") && hex16(sc, "H", &m->h) &&
	       space(sc, "HB") && hex16(sc, "HB", &m->hb) &&
	       space(sc, "HSPOL_HSOFF") && hex16(sc, "HSPOL_HSOFF", &m->hspol_hsoff) &&
	       space(sc, "HSW") && hex16(sc, "HSW", &m->hsw) &&
	       space(sc, "V") && hex16(sc, "V", &m->v) &&
	       space(sc, "VB") && hex16(sc, "VB", &m->vb) &&
	       space(sc, "VSPOL_VSOFF") && hex16(sc, "VSPOL_VSOFF", &m->vspol_vsoff) &&
	       space(sc, "VSW") && hex16(sc, "VSW", &m->vsw) &&
	       space(sc, "VBS3D") && hex8(sc, "VBS3D", &m->vbs3d) &&
	       space(sc, "2D/S3D modes") && hex8(sc, "2D/S3D modes", &m->s3d_modes) &&
	       space(sc, "pixel depth") && hex8(sc, "pixel depth", &m->p_depth) &&
	       space(sc, "profile") && parse_h264_codec(sc, &m->codec) && end(sc);
}

/* A UIBC list: "none" or words separated by commas, up to ';'. */
static gboolean uibc_list(Scan *sc, const char *what, const char *const *words, guint n_words,
			  guint *items, guint max, guint *n)
{
	*n = 0;
	if (take_word(sc, "none", ",;"))
		return TRUE;
	do {
		guint v;

		if (!keyword(sc, what, ",;", words, n_words, &v))
			return FALSE;
		for (guint i = 0; i < *n; i++)
			if (items[i] == v)
				return fail(sc, MC_WFD_ERROR_RANGE, "%s %s is listed twice", what,
					    words[v]);
		g_assert(*n < max);
		items[(*n)++] = v;
	} while (comma(sc));
	return TRUE;
}

static gboolean uibc_field_end(Scan *sc)
{
	if (*sc->s != ';') {
		g_autofree char *t = shown(sc->s, strlen(sc->s));

		return fail(sc, MC_WFD_ERROR_SYNTAX, "expected \";\", found %s", t);
	}
	sc->s++;
	while (*sc->s == ' ')
		sc->s++;
	return TRUE;
}

static gboolean parse_uibc_capability(Scan *sc, McWfdUibcCapability *u)
{
	guint items[MC_WFD_UIBC_TYPES * MC_WFD_UIBC_PATHS];
	guint16 p;

	if (whole_none(sc)) {
		u->none = TRUE;
		return TRUE;
	}
	if (!literal(sc, "input_category_list=") ||
	    !uibc_list(sc, "input category", uibc_category_names,
		       G_N_ELEMENTS(uibc_category_names), items, MC_WFD_UIBC_CATEGORIES,
		       &u->n_categories) ||
	    !uibc_field_end(sc))
		return FALSE;
	for (guint i = 0; i < u->n_categories; i++)
		u->categories[i] = items[i];
	if (!literal(sc, "generic_cap_list=") ||
	    !uibc_list(sc, "generic input type", uibc_type_names,
		       G_N_ELEMENTS(uibc_type_names), items, MC_WFD_UIBC_TYPES,
		       &u->n_generic) ||
	    !uibc_field_end(sc))
		return FALSE;
	for (guint i = 0; i < u->n_generic; i++)
		u->generic[i] = items[i];
	if (!literal(sc, "hidc_cap_list="))
		return FALSE;
	if (!take_word(sc, "none", ",;")) {
		do {
			guint t, path;

			if (!keyword(sc, "HIDC input type", ",;/", uibc_type_names,
				     G_N_ELEMENTS(uibc_type_names), &t) ||
			    !literal(sc, "/") ||
			    !keyword(sc, "HIDC input path", ",;", uibc_path_names,
				     G_N_ELEMENTS(uibc_path_names), &path))
				return FALSE;
			for (guint i = 0; i < u->n_hidc; i++)
				if (u->hidc[i].type == t && u->hidc[i].path == path)
					return fail(sc, MC_WFD_ERROR_RANGE,
						    "HIDC input %s/%s is listed twice",
						    uibc_type_names[t], uibc_path_names[path]);
			g_assert(u->n_hidc < G_N_ELEMENTS(u->hidc));
			u->hidc[u->n_hidc].type = t;
			u->hidc[u->n_hidc].path = path;
			u->n_hidc++;
		} while (comma(sc));
	}
	if (!uibc_field_end(sc) || !literal(sc, "port="))
		return FALSE;
	if (take_word(sc, "none", "")) {
		u->port = -1;
	} else {
		if (!port(sc, "port", 1, &p))
			return FALSE;
		u->port = p;
	}
	return end(sc);
}

static gboolean parse_word_bool(Scan *sc, const char *what, const char *no, const char *yes,
				gboolean *v)
{
	const char *words[] = { no, yes };
	guint i;

	if (!keyword(sc, what, "", words, 2, &i))
		return FALSE;
	*v = i;
	return end(sc);
}

static gboolean parse_connector_type(Scan *sc, McWfdConnectorType *c)
{
	if (whole_none(sc)) {
		c->none = TRUE;
		return TRUE;
	}
	return hex8(sc, "connector type", &c->type) && end(sc);
}

static void free_owned(McWfdParams *p, McWfdParam which)
{
	if (which == MC_WFD_DISPLAY_EDID) {
		g_clear_pointer(&p->display_edid.edid, g_free);
	} else if (which == MC_WFD_PRESENTATION_URL) {
		g_clear_pointer(&p->presentation_url.url0, g_free);
		g_clear_pointer(&p->presentation_url.url1, g_free);
	}
}

/*
 * Each parameter is parsed into a zeroed copy of its member, which
 * replaces the member only on success.
 */
static gboolean parse_value(McWfdParams *p, McWfdParam which, Scan *sc)
{
	McWfdParams n;
	gboolean ok = FALSE;

	memset(&n, 0, sizeof(n));
	switch (which) {
	case MC_WFD_VIDEO_FORMATS:
		ok = parse_video_formats(sc, &n.video_formats);
		if (ok)
			p->video_formats = n.video_formats;
		break;
	case MC_WFD_AUDIO_CODECS:
		ok = parse_audio_codecs(sc, &n.audio_codecs);
		if (ok)
			p->audio_codecs = n.audio_codecs;
		break;
	case MC_WFD_3D_VIDEO_FORMATS:
		ok = parse_3d_video_formats(sc, &n.video_formats_3d);
		if (ok)
			p->video_formats_3d = n.video_formats_3d;
		break;
	case MC_WFD_CONTENT_PROTECTION:
		ok = parse_content_protection(sc, &n.content_protection);
		if (ok)
			p->content_protection = n.content_protection;
		break;
	case MC_WFD_DISPLAY_EDID:
		ok = parse_display_edid(sc, &n.display_edid);
		if (ok) {
			free_owned(p, which);
			p->display_edid = n.display_edid;
		} else {
			g_free(n.display_edid.edid);
		}
		break;
	case MC_WFD_COUPLED_SINK:
		ok = parse_coupled_sink(sc, &n.coupled_sink);
		if (ok)
			p->coupled_sink = n.coupled_sink;
		break;
	case MC_WFD_TRIGGER_METHOD:
		ok = parse_trigger_method(sc, &n.trigger_method);
		if (ok)
			p->trigger_method = n.trigger_method;
		break;
	case MC_WFD_PRESENTATION_URL:
		ok = parse_presentation_url(sc, &n.presentation_url);
		if (ok) {
			free_owned(p, which);
			p->presentation_url = n.presentation_url;
		} else {
			g_free(n.presentation_url.url0);
			g_free(n.presentation_url.url1);
		}
		break;
	case MC_WFD_CLIENT_RTP_PORTS:
		ok = parse_client_rtp_ports(sc, &n.client_rtp_ports);
		if (ok)
			p->client_rtp_ports = n.client_rtp_ports;
		break;
	case MC_WFD_ROUTE:
		ok = parse_route(sc, &n.route);
		if (ok)
			p->route = n.route;
		break;
	case MC_WFD_I2C:
		ok = parse_i2c(sc, &n.i2c);
		if (ok)
			p->i2c = n.i2c;
		break;
	case MC_WFD_AV_FORMAT_CHANGE_TIMING:
		ok = parse_av_format_change_timing(sc, &n.av_format_change_timing);
		if (ok)
			p->av_format_change_timing = n.av_format_change_timing;
		break;
	case MC_WFD_PREFERRED_DISPLAY_MODE:
		ok = parse_preferred_display_mode(sc, &n.preferred_display_mode);
		if (ok)
			p->preferred_display_mode = n.preferred_display_mode;
		break;
	case MC_WFD_UIBC_CAPABILITY:
		ok = parse_uibc_capability(sc, &n.uibc_capability);
		if (ok)
			p->uibc_capability = n.uibc_capability;
		break;
	case MC_WFD_UIBC_SETTING:
		ok = parse_word_bool(sc, "setting", "disable", "enable", &n.uibc_setting);
		if (ok)
			p->uibc_setting = n.uibc_setting;
		break;
	case MC_WFD_STANDBY_RESUME_CAPABILITY:
		ok = parse_word_bool(sc, "capability", "none", "supported",
				     &n.standby_resume_capability);
		if (ok)
			p->standby_resume_capability = n.standby_resume_capability;
		break;
	case MC_WFD_CONNECTOR_TYPE:
		ok = parse_connector_type(sc, &n.connector_type);
		if (ok)
			p->connector_type = n.connector_type;
		break;
	case MC_WFD_STANDBY:
	case MC_WFD_IDR_REQUEST:
		if (!at_end(sc)) {
			g_autofree char *t = shown(sc->s, strlen(sc->s));

			return fail(sc, MC_WFD_ERROR_SYNTAX, "takes no value, found %s", t);
		}
		ok = TRUE;
		break;
	case MC_WFD_N_PARAMS:
		break;
	}
	if (ok)
		MC_WFD_SET(p, which);
	return ok;
}

static gboolean is_blank(char c)
{
	return c == ' ' || c == '\t';
}

gboolean mc_wfd_param_parse(McWfdParams *p, McWfdParam which, const char *value,
			    GError **error)
{
	Scan sc = { .param = mc_wfd_param_name(which), .error = error };
	const char *e;
	g_autofree char *v = NULL;

	g_return_val_if_fail(sc.param, FALSE);
	for (const char *c = value; *c; c++)
		if (((guchar)*c < ' ' && *c != '\t') || *c == 0x7f)
			return fail(&sc, MC_WFD_ERROR_SYNTAX,
				    "control character 0x%02X in the value", (guchar)*c);
	while (is_blank(*value))
		value++;
	for (e = value + strlen(value); e > value && is_blank(e[-1]); e--)
		;
	v = g_strndup(value, e - value);
	sc.s = v;
	return parse_value(p, which, &sc);
}

/* ---- Parameter sets ---------------------------------------------------- */

void mc_wfd_params_init(McWfdParams *p)
{
	memset(p, 0, sizeof(*p));
}

void mc_wfd_params_clear(McWfdParams *p)
{
	free_owned(p, MC_WFD_DISPLAY_EDID);
	free_owned(p, MC_WFD_PRESENTATION_URL);
	g_clear_pointer(&p->unknown, g_ptr_array_unref);
	mc_wfd_params_init(p);
}

void mc_wfd_params_copy(McWfdParams *dst, const McWfdParams *src)
{
	guint edid_size = src->display_edid.block_count * 128;

	if (dst == src)
		return;
	mc_wfd_params_clear(dst);
	*dst = *src;
	dst->display_edid.edid = src->display_edid.edid ?
		g_memdup2(src->display_edid.edid, edid_size) : NULL;
	dst->presentation_url.url0 = g_strdup(src->presentation_url.url0);
	dst->presentation_url.url1 = g_strdup(src->presentation_url.url1);
	dst->unknown = NULL;
	if (src->unknown) {
		dst->unknown = g_ptr_array_new_full(src->unknown->len, g_free);
		for (guint i = 0; i < src->unknown->len; i++)
			g_ptr_array_add(dst->unknown, g_strdup(src->unknown->pdata[i]));
	}
}

gboolean mc_wfd_params_equal(const McWfdParams *a, const McWfdParams *b)
{
	guint na = a->unknown ? a->unknown->len : 0;
	guint nb = b->unknown ? b->unknown->len : 0;

	if (a->present != b->present || na != nb)
		return FALSE;
	for (guint i = 0; i < MC_WFD_N_PARAMS; i++) {
		g_autofree char *va = mc_wfd_param_format(a, i);
		g_autofree char *vb = mc_wfd_param_format(b, i);

		if (g_strcmp0(va, vb))
			return FALSE;
	}
	for (guint i = 0; i < na; i++)
		if (strcmp(a->unknown->pdata[i], b->unknown->pdata[i]))
			return FALSE;
	return TRUE;
}

void mc_wfd_params_set_presentation_url(McWfdParams *p, const char *url0, const char *url1)
{
	free_owned(p, MC_WFD_PRESENTATION_URL);
	p->presentation_url.url0 = g_strdup(url0);
	p->presentation_url.url1 = g_strdup(url1);
	MC_WFD_SET(p, MC_WFD_PRESENTATION_URL);
}

/* A parameter or unknown name: printable ASCII, no space or colon. */
static gboolean valid_name(const char *s, gsize n)
{
	if (!n)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == ':')
			return FALSE;
	return TRUE;
}

/*
 * Splits the next line of [*s, end): CRLF or LF, surrounding blanks
 * trimmed. FALSE at the end, and with error set on a control character
 * (other than a tab, or a CR before the LF).
 */
static gboolean next_line(const char **s, const char *end, const char **line, gsize *n,
			  GError **error)
{
	const char *b = *s, *e, *lf;

	if (b >= end)
		return FALSE;
	lf = memchr(b, '\n', end - b);
	e = lf ? lf : end;
	*s = lf ? lf + 1 : end;
	if (e > b && e[-1] == '\r')
		e--;
	for (const char *c = b; c < e; c++)
		if (((guchar)*c < ' ' && *c != '\t') || *c == 0x7f) {
			g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX,
				    "control character 0x%02X in line \"%.*s\"", (guchar)*c,
				    (int)MIN(c - b, TOKEN_SHOWN), b);
			return FALSE;
		}
	while (b < e && is_blank(*b))
		b++;
	while (e > b && is_blank(e[-1]))
		e--;
	*line = b;
	*n = e - b;
	return TRUE;
}

gboolean mc_wfd_params_parse(McWfdParams *p, const char *body, gsize len, GError **error)
{
	const char *s = body, *end = body + len, *line;
	GError *err = NULL;
	gsize n;

	while (next_line(&s, end, &line, &n, &err)) {
		const char *colon = memchr(line, ':', n);
		gsize name_len = colon ? (gsize)(colon - line) : n;
		g_autofree char *name = NULL;
		g_autofree char *value = NULL;
		McWfdParam which;

		if (!n)
			continue;
		while (name_len && is_blank(line[name_len - 1]))
			name_len--;
		if (!valid_name(line, name_len)) {
			g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX,
				    "line \"%.*s\" is not \"name: value\" nor a name",
				    (int)MIN(n, TOKEN_SHOWN), line);
			return FALSE;
		}
		name = g_strndup(line, name_len);
		if (colon) {
			const char *v = colon + 1;

			while (v < line + n && is_blank(*v))
				v++;
			value = g_strndup(v, line + n - v);
		}
		if (!mc_wfd_param_from_name(name, &which)) {
			if (!p->unknown)
				p->unknown = g_ptr_array_new_with_free_func(g_free);
			if (!colon)
				g_ptr_array_add(p->unknown, g_steal_pointer(&name));
			else if (*value)
				g_ptr_array_add(p->unknown, g_strdup_printf("%s: %s", name, value));
			else
				g_ptr_array_add(p->unknown, g_strdup_printf("%s:", name));
			continue;
		}
		if (MC_WFD_HAS(p, which)) {
			g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX, "%s: given twice",
				    name);
			return FALSE;
		}
		if (!colon && !param_is_bare(which)) {
			g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX, "%s: has no value",
				    name);
			return FALSE;
		}
		if (!mc_wfd_param_parse(p, which, value ? value : "", error))
			return FALSE;
	}
	if (err) {
		g_propagate_error(error, err);
		return FALSE;
	}
	return TRUE;
}

/* ---- Writing ------------------------------------------------------------- */

static void append_hex16_or_none(GString *s, gint v)
{
	if (v < 0)
		g_string_append(s, " none");
	else
		g_string_append_printf(s, " %04X", (guint)v);
}

/* The fields a codec entry ends with, after its masks (see CodecTail). */
static void append_codec_tail(GString *s, guint8 latency, guint16 min_slice_size,
			      guint16 slice_enc_params, guint8 frame_rate_control, gint max_hres,
			      gint max_vres)
{
	g_string_append_printf(s, " %02X %04X %04X %02X", latency, min_slice_size,
			       slice_enc_params, frame_rate_control);
	append_hex16_or_none(s, max_hres);
	append_hex16_or_none(s, max_vres);
}

/* A McWfdH264Codec. */
static void append_h264_codec(GString *s, gconstpointer entry)
{
	const McWfdH264Codec *c = entry;

	g_string_append_printf(s, "%02X %02X %08X %08X %08X", c->profile, c->level, c->cea,
			       c->vesa, c->hh);
	append_codec_tail(s, c->latency, c->min_slice_size, c->slice_enc_params,
			  c->frame_rate_control, c->max_hres, c->max_vres);
}

/* A McWfd3dCodec. */
static void append_3d_codec(GString *s, gconstpointer entry)
{
	const McWfd3dCodec *c = entry;

	g_string_append_printf(s, "%02X %02X %016" G_GINT64_MODIFIER "X", c->profile, c->level,
			       c->capability);
	append_codec_tail(s, c->latency, c->min_slice_size, c->slice_enc_params,
			  c->frame_rate_control, c->max_hres, c->max_vres);
}

/* The writer of parse_formats(): v laid out as l says. */
static void format_formats(GString *s, gconstpointer v, const FormatsLayout *l,
			   void (*append_codec)(GString *s, gconstpointer entry))
{
	guint n = G_STRUCT_MEMBER(guint, v, l->n_codecs);
	const guint8 *codecs = G_STRUCT_MEMBER_P(v, l->codecs);

	if (G_STRUCT_MEMBER(gboolean, v, l->none) || !n) {
		g_string_append(s, "none");
		return;
	}
	g_string_append_printf(s, "%02X %02X ", G_STRUCT_MEMBER(guint8, v, l->native),
			       G_STRUCT_MEMBER(guint8, v, l->preferred_display_mode));
	for (guint i = 0; i < MIN(n, MC_WFD_MAX_CODECS); i++) {
		if (i)
			g_string_append(s, ", ");
		append_codec(s, codecs + i * l->codec_size);
	}
}

static void format_video_formats(GString *s, const McWfdVideoFormats *v)
{
	format_formats(s, v, &video_formats_layout, append_h264_codec);
}

static void format_3d_video_formats(GString *s, const McWfd3dVideoFormats *v)
{
	format_formats(s, v, &video_formats_3d_layout, append_3d_codec);
}

static void format_audio_codecs(GString *s, const McWfdAudioCodecs *a)
{
	if (!a->n_codecs) {
		g_string_append(s, "none");
		return;
	}
	for (guint i = 0; i < MIN(a->n_codecs, MC_WFD_MAX_AUDIO_CODECS); i++)
		g_string_append_printf(s, "%s%s %08X %02X", i ? ", " : "",
				       mc_wfd_audio_format_name(a->codecs[i].format),
				       a->codecs[i].modes, a->codecs[i].latency);
}

static void format_display_edid(GString *s, const McWfdDisplayEdid *e)
{
	if (e->none) {
		g_string_append(s, "none");
		return;
	}
	g_string_append_printf(s, "%04X ", e->block_count);
	if (!e->edid || !e->block_count) {
		g_string_append(s, "none");
		return;
	}
	for (guint i = 0; i < e->block_count * 128; i++)
		g_string_append_printf(s, "%02X", e->edid[i]);
}

static void format_uibc_list(GString *s, const char *const *names, const guint *items, guint n)
{
	if (!n)
		g_string_append(s, "none");
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", names[items[i]]);
}

static void format_uibc_capability(GString *s, const McWfdUibcCapability *u)
{
	guint items[MC_WFD_UIBC_TYPES];
	guint n;

	if (u->none) {
		g_string_append(s, "none");
		return;
	}
	g_string_append(s, "input_category_list=");
	n = MIN(u->n_categories, MC_WFD_UIBC_CATEGORIES);
	for (guint i = 0; i < n; i++)
		items[i] = u->categories[i] < MC_WFD_UIBC_CATEGORIES ? u->categories[i] : 0;
	format_uibc_list(s, uibc_category_names, items, n);
	g_string_append(s, ";generic_cap_list=");
	n = MIN(u->n_generic, MC_WFD_UIBC_TYPES);
	for (guint i = 0; i < n; i++)
		items[i] = u->generic[i] < MC_WFD_UIBC_TYPES ? u->generic[i] : 0;
	format_uibc_list(s, uibc_type_names, items, n);
	g_string_append(s, ";hidc_cap_list=");
	n = MIN(u->n_hidc, G_N_ELEMENTS(u->hidc));
	if (!n)
		g_string_append(s, "none");
	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s/%s", i ? ", " : "",
				       uibc_type_names[u->hidc[i].type % MC_WFD_UIBC_TYPES],
				       uibc_path_names[u->hidc[i].path % MC_WFD_UIBC_PATHS]);
	if (u->port < 0)
		g_string_append(s, ";port=none");
	else
		g_string_append_printf(s, ";port=%d", u->port);
}

#define NAME_OF(names, i) ((guint)(i) < G_N_ELEMENTS(names) ? (names)[i] : "?")

char *mc_wfd_param_format(const McWfdParams *p, McWfdParam which)
{
	GString *s;

	if ((guint)which >= MC_WFD_N_PARAMS || !MC_WFD_HAS(p, which))
		return NULL;
	s = g_string_new(NULL);
	switch (which) {
	case MC_WFD_VIDEO_FORMATS:
		format_video_formats(s, &p->video_formats);
		break;
	case MC_WFD_AUDIO_CODECS:
		format_audio_codecs(s, &p->audio_codecs);
		break;
	case MC_WFD_3D_VIDEO_FORMATS:
		format_3d_video_formats(s, &p->video_formats_3d);
		break;
	case MC_WFD_CONTENT_PROTECTION:
		g_string_append(s, NAME_OF(hdcp_names, p->content_protection.hdcp));
		if (p->content_protection.hdcp != MC_WFD_HDCP_NONE)
			g_string_append_printf(s, " port=%u", p->content_protection.port);
		break;
	case MC_WFD_DISPLAY_EDID:
		format_display_edid(s, &p->display_edid);
		break;
	case MC_WFD_COUPLED_SINK:
		if (p->coupled_sink.none) {
			g_string_append(s, "none");
			break;
		}
		g_string_append_printf(s, "%02X ", p->coupled_sink.status);
		if (!p->coupled_sink.has_mac)
			g_string_append(s, "none");
		for (guint i = 0; p->coupled_sink.has_mac && i < 6; i++)
			g_string_append_printf(s, "%02X", p->coupled_sink.mac[i]);
		break;
	case MC_WFD_TRIGGER_METHOD:
		g_string_append(s, NAME_OF(trigger_names, p->trigger_method));
		break;
	case MC_WFD_PRESENTATION_URL: {
		const McWfdPresentationUrl *u = &p->presentation_url;

		g_string_append_printf(s, "%s %s", u->url0 ? u->url0 : "none",
				       u->url1 ? u->url1 : "none");
		break;
	}
	case MC_WFD_CLIENT_RTP_PORTS:
		g_string_append_printf(s, "%s %u %u mode=play",
				       NAME_OF(rtp_profile_names, p->client_rtp_ports.profile),
				       p->client_rtp_ports.port0, p->client_rtp_ports.port1);
		break;
	case MC_WFD_ROUTE:
		g_string_append(s, NAME_OF(route_names, p->route));
		break;
	case MC_WFD_I2C:
		if (p->i2c.none)
			g_string_append(s, "none");
		else
			g_string_append_printf(s, "%u", p->i2c.port);
		break;
	case MC_WFD_AV_FORMAT_CHANGE_TIMING:
		g_string_append_printf(s, "%010" G_GINT64_MODIFIER "X %010" G_GINT64_MODIFIER "X",
				       p->av_format_change_timing.pts & PTS_MAX,
				       p->av_format_change_timing.dts & PTS_MAX);
		break;
	case MC_WFD_PREFERRED_DISPLAY_MODE: {
		const McWfdPreferredDisplayMode *m = &p->preferred_display_mode;

		g_string_append_printf(s, "%06X %04X %04X %04X %04X %04X %04X %04X %04X "
				       "%02X %02X %02X ", m->p_clock & 0xffffff, m->h, m->hb,
				       m->hspol_hsoff, m->hsw, m->v, m->vb, m->vspol_vsoff, m->vsw,
				       m->vbs3d, m->s3d_modes, m->p_depth);
		append_h264_codec(s, &m->codec);
		break;
	}
	case MC_WFD_UIBC_CAPABILITY:
		format_uibc_capability(s, &p->uibc_capability);
		break;
	case MC_WFD_UIBC_SETTING:
		g_string_append(s, p->uibc_setting ? "enable" : "disable");
		break;
	case MC_WFD_STANDBY_RESUME_CAPABILITY:
		g_string_append(s, p->standby_resume_capability ? "supported" : "none");
		break;
	case MC_WFD_CONNECTOR_TYPE:
		if (p->connector_type.none)
			g_string_append(s, "none");
		else
			g_string_append_printf(s, "%02X", p->connector_type.type);
		break;
	case MC_WFD_STANDBY:
	case MC_WFD_IDR_REQUEST:
	case MC_WFD_N_PARAMS:
		break;
	}
	return g_string_free(s, FALSE);
}

static void append_line(GString *s, const McWfdParams *p, McWfdParam which)
{
	g_autofree char *v = mc_wfd_param_format(p, which);

	if (param_is_bare(which))
		g_string_append_printf(s, "%s\r\n", param_names[which]);
	else
		g_string_append_printf(s, "%s: %s\r\n", param_names[which], v);
}

char *mc_wfd_params_format(const McWfdParams *p)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < MC_WFD_N_PARAMS; i++)
		if (MC_WFD_HAS(p, i))
			append_line(s, p, i);
	for (guint i = 0; p->unknown && i < p->unknown->len; i++)
		g_string_append_printf(s, "%s\r\n", (const char *)p->unknown->pdata[i]);
	return g_string_free(s, FALSE);
}

char *mc_wfd_params_format_reply(const McWfdParams *p, const char *const *names)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; names && names[i]; i++) {
		McWfdParam which;

		if (mc_wfd_param_from_name(names[i], &which) && MC_WFD_HAS(p, which))
			append_line(s, p, which);
		else
			g_string_append_printf(s, "%s: none\r\n", names[i]);
	}
	return g_string_free(s, FALSE);
}

char *mc_wfd_names_format(const char *const *names)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; names && names[i]; i++)
		g_string_append_printf(s, "%s\r\n", names[i]);
	return g_string_free(s, FALSE);
}

GStrv mc_wfd_names_parse(const char *body, gsize len, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *s = body, *end = body + len, *line;
	GError *err = NULL;
	gsize n;

	while (next_line(&s, end, &line, &n, &err)) {
		if (!n)
			continue;
		if (!valid_name(line, n)) {
			g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_SYNTAX,
				    "line \"%.*s\" is not a parameter name",
				    (int)MIN(n, TOKEN_SHOWN), line);
			return NULL;
		}
		g_ptr_array_add(names, g_strndup(line, n));
	}
	if (err) {
		g_propagate_error(error, err);
		return NULL;
	}
	g_ptr_array_add(names, NULL);
	g_ptr_array_set_free_func(names, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

/* ---- Negotiation ------------------------------------------------------- */

guint32 mc_wfd_source_mask(McWfdTable table, guint8 max_level)
{
	guint8 top = mc_wfd_level_highest(max_level);
	guint32 mask = 0;
	guint n;
	const McWfdResolution *e = table_entries(table, &n);

	for (guint i = 0; i < n; i++) {
		guint8 need = e[i].interlaced ? 0 : mc_wfd_resolution_min_level(&e[i]);

		if (need && need <= top)
			mask |= 1U << i;
	}
	return mask;
}

void mc_wfd_source_caps_init(McWfdSourceCaps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->profiles = MC_WFD_PROFILE_CBP | MC_WFD_PROFILE_CHP;
	caps->max_level = MC_WFD_LEVEL_4_2;
	caps->cea = mc_wfd_source_mask(MC_WFD_CEA, caps->max_level);
	caps->vesa = mc_wfd_source_mask(MC_WFD_VESA, caps->max_level);
	caps->hh = mc_wfd_source_mask(MC_WFD_HH, caps->max_level);
	caps->audio_formats = 1U << MC_WFD_AUDIO_LPCM | 1U << MC_WFD_AUDIO_AAC;
}

static guint32 codec_mask(const McWfdH264Codec *c, McWfdTable table)
{
	switch (table) {
	case MC_WFD_CEA: return c->cea;
	case MC_WFD_VESA: return c->vesa;
	case MC_WFD_HH: return c->hh;
	}
	return 0;
}

static guint32 source_mask(const McWfdSourceCaps *src, McWfdTable table)
{
	switch (table) {
	case MC_WFD_CEA: return src->cea;
	case MC_WFD_VESA: return src->vesa;
	case MC_WFD_HH: return src->hh;
	}
	return 0;
}

/*
 * Whether the sink's entry c and the source can both carry r in one of
 * profiles: a profile of both, the mode in both masks (and the table's),
 * its level within both.
 */
static gboolean feasible(const McWfdSourceCaps *src, const McWfdH264Codec *c,
			 const McWfdResolution *r, guint8 profiles)
{
	guint8 need = mc_wfd_resolution_min_level(r);
	guint32 bit = 1U << r->bit;

	return !r->interlaced && (c->profile & src->profiles & profiles) && need &&
	       need <= mc_wfd_level_highest(c->level) &&
	       need <= mc_wfd_level_highest(src->max_level) &&
	       (codec_mask(c, r->table) & source_mask(src, r->table) &
		mc_wfd_table_mask(r->table) & bit);
}

static gboolean sink_has(const McWfdSourceCaps *src, const McWfdVideoFormats *v,
			 const McWfdResolution *r)
{
	for (guint i = 0; i < MIN(v->n_codecs, MC_WFD_MAX_CODECS); i++)
		if (feasible(src, &v->codecs[i], r, 0xff))
			return TRUE;
	return FALSE;
}

/*
 * The sink's native mode: bits 2:0 the table, 7:3 the bit. NULL if no
 * entry, and for 00: CEA 640x480p60 by the grammar, but what sinks leave
 * when they do not say (section 3.3's TV, libwds, miraclecast).
 */
static const McWfdResolution *native_resolution(const McWfdVideoFormats *v)
{
	guint table = v->native & 7;

	if (!v->native || table >= MC_WFD_N_TABLES)
		return NULL;
	return mc_wfd_resolution(table, v->native >> 3);
}

static gboolean native_size(const McWfdResolution *r, const McWfdResolution *native)
{
	return native && r->width == native->width && r->height == native->height;
}

/*
 * The native mode first, then the other rates of its size (the panel's
 * own pixels: 1080p30 before 1360x768p60 on a 1080p60 TV whose level stops
 * at 4.1), then by pixel rate.
 */
static gint compare_modes(gconstpointer a, gconstpointer b, gpointer data)
{
	const McWfdResolution *x = *(const McWfdResolution *const *)a;
	const McWfdResolution *y = *(const McWfdResolution *const *)b;
	const McWfdResolution *native = data;
	guint64 px = (guint64)x->width * x->height * x->refresh;
	guint64 py = (guint64)y->width * y->height * y->refresh;

	if (x == native || y == native)
		return x == native ? -1 : 1;
	if (native_size(x, native) != native_size(y, native))
		return native_size(x, native) ? -1 : 1;
	if (px != py)
		return px > py ? -1 : 1;
	if (x->refresh != y->refresh)
		return x->refresh > y->refresh ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return (gint)x->bit - (gint)y->bit;
}

GPtrArray *mc_wfd_common_modes(const McWfdSourceCaps *src, const McWfdParams *sink)
{
	GPtrArray *modes = g_ptr_array_new();
	const McWfdVideoFormats *v = &sink->video_formats;

	if (!MC_WFD_HAS(sink, MC_WFD_VIDEO_FORMATS) || v->none)
		return modes;
	for (guint t = 0; t < MC_WFD_N_TABLES; t++) {
		guint n;
		const McWfdResolution *e = table_entries(t, &n);

		for (guint i = 0; i < n; i++)
			if (sink_has(src, v, &e[i]))
				g_ptr_array_add(modes, (gpointer)&e[i]);
	}
	g_ptr_array_sort_with_data(modes, compare_modes, (gpointer)native_resolution(v));
	return modes;
}

/* The entry and profile for r: the preferred profile first, then the other. */
static gboolean choose_codec(const McWfdSourceCaps *src, const McWfdVideoFormats *v,
			     const McWfdResolution *r, McWfdChoice *choice)
{
	guint8 first = src->prefer_chp ? MC_WFD_PROFILE_CHP : MC_WFD_PROFILE_CBP;
	guint8 order[] = { first, first ^ (MC_WFD_PROFILE_CBP | MC_WFD_PROFILE_CHP) };

	for (guint k = 0; k < G_N_ELEMENTS(order); k++)
		for (guint i = 0; i < MIN(v->n_codecs, MC_WFD_MAX_CODECS); i++)
			if (feasible(src, &v->codecs[i], r, order[k])) {
				choice->profile = order[k];
				choice->codec_index = i;
				return TRUE;
			}
	return FALSE;
}

/* Whether the sink lists format f (with its 48 kHz stereo mode if stereo). */
static gboolean sink_lists(const McWfdAudioCodecs *a, McWfdAudioFormat f, gboolean stereo)
{
	for (guint i = 0; i < MIN(a->n_codecs, MC_WFD_MAX_AUDIO_CODECS); i++)
		if (a->codecs[i].format == f &&
		    (!stereo || (a->codecs[i].modes & mc_wfd_audio_stereo_48k(f))))
			return TRUE;
	return FALSE;
}

static void choose_audio(const McWfdSourceCaps *src, const McWfdParams *sink,
			 McWfdChoice *choice)
{
	McWfdAudioFormat order[MC_WFD_AUDIO_FORMATS] = {
		src->prefer_lpcm ? MC_WFD_AUDIO_LPCM : MC_WFD_AUDIO_AAC,
		src->prefer_lpcm ? MC_WFD_AUDIO_AAC : MC_WFD_AUDIO_LPCM,
		MC_WFD_AUDIO_AC3,
	};
	guint formats = src->audio_formats & ((1U << MC_WFD_AUDIO_FORMATS) - 1);
	McWfdAudioFormat f;

	choice->audio = FALSE;
	if (!formats || !MC_WFD_HAS(sink, MC_WFD_AUDIO_CODECS) || !sink->audio_codecs.n_codecs)
		return;
	choice->audio = TRUE;
	/* a format of both in 48 kHz stereo, then a format of both in other modes */
	for (guint stereo = 2; stereo-- > 0;)
		for (guint k = 0; k < G_N_ELEMENTS(order); k++)
			if ((formats & 1U << order[k]) &&
			    sink_lists(&sink->audio_codecs, order[k], stereo)) {
				f = order[k];
				goto found;
			}
	/* only formats the source does not send: LPCM, mandatory in every audio sink */
	f = MC_WFD_AUDIO_LPCM;
	for (guint k = 0; !(formats & 1U << f) && k < G_N_ELEMENTS(order); k++)
		f = order[k];
found:
	choice->audio_format = f;
	choice->audio_mode = mc_wfd_audio_stereo_48k(f);
}

gboolean mc_wfd_choose(const McWfdSourceCaps *src, const McWfdParams *sink,
		       const McWfdResolution *want, McWfdChoice *choice, GError **error)
{
	g_autoptr(GPtrArray) modes = NULL;
	const McWfdResolution *r = NULL;

	memset(choice, 0, sizeof(*choice));
	if (!MC_WFD_HAS(sink, MC_WFD_VIDEO_FORMATS)) {
		g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_MISSING,
			    "wfd_video_formats: the sink did not give it");
		return FALSE;
	}
	if (sink->video_formats.none) {
		g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH,
			    "wfd_video_formats: none, the sink takes no video");
		return FALSE;
	}
	modes = mc_wfd_common_modes(src, sink);
	for (guint i = 0; want && i < modes->len; i++) {
		const McWfdResolution *m = modes->pdata[i];

		if (m->table == want->table && m->bit == want->bit)
			r = m;
	}
	if (want && !r) {
		g_autofree char *name = mc_wfd_resolution_name(want);

		g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH,
			    "wfd_video_formats: %s (%s bit %u) is not a mode both the sink and "
			    "the source have", name, mc_wfd_table_name(want->table), want->bit);
		return FALSE;
	}
	if (!r && modes->len)
		r = modes->pdata[0];
	if (r && choose_codec(src, &sink->video_formats, r, choice)) {
		choice->resolution = r;
		choice->level = mc_wfd_resolution_min_level(r);
	} else {
		/* R26: the mandatory mode every sink takes */
		choice->resolution = mc_wfd_resolution(MC_WFD_CEA, 0);
		choice->profile = MC_WFD_PROFILE_CBP;
		choice->level = MC_WFD_LEVEL_3_1;
		choice->codec_index = 0;
	}
	choose_audio(src, sink, choice);
	return TRUE;
}

void mc_wfd_params_set_choice(McWfdParams *m4, const McWfdChoice *choice)
{
	McWfdVideoFormats *v = &m4->video_formats;
	McWfdH264Codec *c = &v->codecs[0];
	const McWfdResolution *r = choice->resolution;
	guint32 bit = 1U << r->bit;

	memset(v, 0, sizeof(*v));
	v->n_codecs = 1;
	c->profile = choice->profile;
	c->level = choice->level;
	c->cea = r->table == MC_WFD_CEA ? bit : 0;
	c->vesa = r->table == MC_WFD_VESA ? bit : 0;
	c->hh = r->table == MC_WFD_HH ? bit : 0;
	c->max_hres = c->max_vres = -1;
	MC_WFD_SET(m4, MC_WFD_VIDEO_FORMATS);

	memset(&m4->audio_codecs, 0, sizeof(m4->audio_codecs));
	if (choice->audio) {
		m4->audio_codecs.n_codecs = 1;
		m4->audio_codecs.codecs[0].format = choice->audio_format;
		m4->audio_codecs.codecs[0].modes = choice->audio_mode;
	}
	MC_WFD_SET(m4, MC_WFD_AUDIO_CODECS);
}

G_GNUC_PRINTF(3, 4)
static gboolean m4_error(GError **error, gint code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_propagate_error(error, g_error_new_valist(MC_WFD_ERROR, code, fmt, ap));
	va_end(ap);
	return FALSE;
}

static gboolean one_bit(guint64 v)
{
	return v && !(v & (v - 1));
}

gboolean mc_wfd_choice_from_params(const McWfdParams *m4, McWfdChoice *choice, GError **error)
{
	const McWfdVideoFormats *v = &m4->video_formats;
	const McWfdH264Codec *c = &v->codecs[0];
	const McWfdAudioCodecs *a = &m4->audio_codecs;
	const McWfdResolution *r;
	g_autofree char *name = NULL;
	McWfdTable table;
	guint32 mask;
	guint8 need;

	memset(choice, 0, sizeof(*choice));
	if (!MC_WFD_HAS(m4, MC_WFD_VIDEO_FORMATS))
		return m4_error(error, MC_WFD_ERROR_MISSING, "wfd_video_formats: not in the M4");
	if (v->none || v->n_codecs != 1)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: %u codec entries, an M4 has exactly one",
				v->none ? 0 : v->n_codecs);
	if (v->native || v->preferred_display_mode)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: starts \"%02X %02X\", an M4's starts \"00 00\"",
				v->native, v->preferred_display_mode);
	if (c->profile != MC_WFD_PROFILE_CBP && c->profile != MC_WFD_PROFILE_CHP)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: profile %02X is not exactly one of 01 (CBP), "
				"02 (CHP)", c->profile);
	if (!mc_wfd_level_name(c->level))
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: level %02X is not exactly one of 01 (3.1) to "
				"10 (4.2)", c->level);
	if (__builtin_popcount(c->cea) + __builtin_popcount(c->vesa) +
	    __builtin_popcount(c->hh) != 1)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: masks CEA %08X VESA %08X HH %08X, an M4 sets "
				"exactly one bit", c->cea, c->vesa, c->hh);
	table = c->cea ? MC_WFD_CEA : c->vesa ? MC_WFD_VESA : MC_WFD_HH;
	mask = codec_mask(c, table);
	r = mc_wfd_resolution(table, g_bit_nth_lsf(mask, -1));
	if (!r)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: %s mask %08X: the bit has no entry",
				mc_wfd_table_name(table), mask);
	name = mc_wfd_resolution_name(r);
	if (r->interlaced)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: %s mask %08X is %s, interlaced",
				mc_wfd_table_name(table), mask, name);
	need = mc_wfd_resolution_min_level(r);
	if (!need || need > c->level)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: level %s is too low for %s (it needs %s)",
				mc_wfd_level_name(c->level), name,
				need ? mc_wfd_level_name(need) : "more than 4.2");
	if (c->max_hres >= 0 || c->max_vres >= 0)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_video_formats: max hres and vres are not \"none none\"");
	if (!MC_WFD_HAS(m4, MC_WFD_AUDIO_CODECS))
		return m4_error(error, MC_WFD_ERROR_MISSING, "wfd_audio_codecs: not in the M4");
	if (a->n_codecs > 1)
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_audio_codecs: %u codecs, an M4 has one or none", a->n_codecs);
	if (a->n_codecs && (!one_bit(a->codecs[0].modes) || a->codecs[0].latency))
		return m4_error(error, MC_WFD_ERROR_RANGE,
				"wfd_audio_codecs: %s %08X %02X, an M4 sets one mode bit and "
				"latency 00", mc_wfd_audio_format_name(a->codecs[0].format),
				a->codecs[0].modes, a->codecs[0].latency);
	choice->resolution = r;
	choice->profile = c->profile;
	choice->level = c->level;
	choice->codec_index = 0;
	choice->audio = a->n_codecs == 1;
	if (choice->audio) {
		choice->audio_format = a->codecs[0].format;
		choice->audio_mode = a->codecs[0].modes;
	}
	return TRUE;
}

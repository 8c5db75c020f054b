// SPDX-License-Identifier: GPL-2.0-only
/*
 * H.264 encoders for Wi-Fi Display: the candidates in order of preference,
 * the choice among those this machine has, and each one's settings.
 */
#include <gio/gio.h>

#include "mc-encoder.h"

/* Sets a property if this version of the element has it (by string). */
static void set_arg(GstElement *e, const char *name, const char *value)
{
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), name))
		gst_util_set_object_arg(G_OBJECT(e), name, value);
	else
		g_debug("%s: no property %s", GST_ELEMENT_NAME(e), name);
}

static void set_uint(GstElement *e, const char *name, guint value)
{
	char v[16];

	g_snprintf(v, sizeof(v), "%u", value);
	set_arg(e, name, v);
}

/* Sets a property that the element takes while playing; FALSE if it has none such. */
static gboolean set_uint_playing(GstElement *e, const char *name, guint value)
{
	GParamSpec *p = g_object_class_find_property(G_OBJECT_GET_CLASS(e), name);

	if (!p || !(p->flags & GST_PARAM_MUTABLE_PLAYING)) {
		g_debug("%s: property %s cannot change while playing", GST_ELEMENT_NAME(e), name);
		return FALSE;
	}
	set_uint(e, name, value);
	return TRUE;
}

static gboolean cbp(const McVideoConfig *c)
{
	return c->profile == MC_H264_CBP;
}

#define X264_VBV_MS	1000
#define X264_CRF	10

static void configure_x264(GstElement *e, const McVideoConfig *c)
{
	g_autofree char *options = NULL;

	/*
	 * Constant quality (CRF X264_CRF) capped by a VBV at the bitrate,
	 * X264_VBV_MS deep, counted in time (pace_x264()): a screen that
	 * moves at the mode's rate gets at most the bitrate, as CBR would; a
	 * change after a still spell gets the bits of the time since the
	 * last, up to the VBV's depth; a still screen costs next to nothing.
	 * (CBR, counted in frames of the mode's rate, starves each change of
	 * a desktop that changes a few times a second.)
	 */
	set_arg(e, "pass", "qual");
	set_uint(e, "quantizer", X264_CRF);
	set_uint(e, "bitrate", c->bitrate_kbps);
	set_uint(e, "vbv-buf-capacity", X264_VBV_MS);
	set_arg(e, "tune", "zerolatency");
	set_arg(e, "speed-preset", "superfast");
	set_uint(e, "bframes", 0);
	set_uint(e, "key-int-max", c->gop);
	set_uint(e, "ref", 1);
	set_arg(e, "cabac", cbp(c) ? "false" : "true");
	set_arg(e, "byte-stream", "true");
	options = g_strdup_printf("level=%u:repeat-headers=1%s", c->level,
				  cbp(c) ? ":8x8dct=0" : "");
	set_arg(e, "option-string", options);
}

/* The bitrate and the VBV's depth as configure_x264() set them; pace_x264() goes on from there. */
static gboolean rate_x264(GstElement *e, const McVideoConfig *c)
{
	g_object_set(e, "bitrate", c->bitrate_kbps, "vbv-buf-capacity", X264_VBV_MS, NULL);
	return TRUE;
}

static void configure_openh264(GstElement *e, const McVideoConfig *c)
{
	set_arg(e, "rate-control", "bitrate");
	set_uint(e, "bitrate", c->bitrate_kbps * 1000);
	set_uint(e, "max-bitrate", c->bitrate_kbps * 1000);
	set_uint(e, "gop-size", c->gop);
	set_arg(e, "usage-type", "screen");
	set_arg(e, "complexity", "low");
	set_arg(e, "enable-frame-skip", "false");
	set_arg(e, "slice-mode", "n-slices");
	set_uint(e, "num-slices", 1);
}

static gboolean rate_openh264(GstElement *e, const McVideoConfig *c)
{
	guint now = 0;

	/*
	 * Each frame takes what changed; a target over the ceiling fails: down,
	 * the target goes first, up the ceiling.
	 */
	g_object_get(e, "bitrate", &now, NULL);
	if (c->bitrate_kbps * 1000 < now)
		return set_uint_playing(e, "bitrate", c->bitrate_kbps * 1000) &&
		       set_uint_playing(e, "max-bitrate", c->bitrate_kbps * 1000);
	return set_uint_playing(e, "max-bitrate", c->bitrate_kbps * 1000) &&
	       set_uint_playing(e, "bitrate", c->bitrate_kbps * 1000);
}

/* The two VA-API plugins name the same settings differently. */
static void configure_va_names(GstElement *e, const McVideoConfig *c, const char *gop,
			       const char *bframes, const char *refs)
{
	set_arg(e, "rate-control", "cbr");
	set_uint(e, "bitrate", c->bitrate_kbps);
	set_uint(e, gop, c->gop);
	set_uint(e, bframes, 0);
	set_uint(e, refs, 1);
	set_uint(e, "num-slices", 1);
	set_arg(e, "cabac", cbp(c) ? "false" : "true");
	set_arg(e, "dct8x8", cbp(c) ? "false" : "true");
}

static void configure_vaapi(GstElement *e, const McVideoConfig *c)
{
	configure_va_names(e, c, "keyframe-period", "max-bframes", "refs");
}

static void configure_va(GstElement *e, const McVideoConfig *c)
{
	configure_va_names(e, c, "key-int-max", "b-frames", "ref-frames");
}

/* va, vaapi and nvenc: "bitrate" in kbit/s, taken while playing by recent versions */
static gboolean rate_kbps(GstElement *e, const McVideoConfig *c)
{
	return set_uint_playing(e, "bitrate", c->bitrate_kbps);
}

static void configure_nvenc(GstElement *e, const McVideoConfig *c)
{
	set_arg(e, "rc-mode", "cbr");
	set_uint(e, "bitrate", c->bitrate_kbps);
	set_uint(e, "gop-size", c->gop);
	set_uint(e, "bframes", 0);
	set_arg(e, "zerolatency", "true");
	set_arg(e, "preset", "low-latency-hq");
}

static void configure_v4l2(GstElement *e, const McVideoConfig *c)
{
	g_autofree char *s = NULL;
	GstStructure *controls;

	/* V4L2 controls: CBR (mode 1), constrained baseline (1) or high (4) */
	s = g_strdup_printf("controls,video_bitrate_mode=1,video_bitrate=%u,"
			    "video_gop_size=%u,h264_i_frame_period=%u,video_b_frames=0,"
			    "h264_profile=%u,repeat_sequence_header=1",
			    c->bitrate_kbps * 1000, c->gop, c->gop, cbp(c) ? 1 : 4);
	controls = gst_structure_from_string(s, NULL);
	if (controls && g_object_class_find_property(G_OBJECT_GET_CLASS(e), "extra-controls"))
		g_object_set(e, "extra-controls", controls, NULL);
	if (controls)
		gst_structure_free(controls);
}

/*
 * The element hands its extra controls to the device as soon as they are
 * set while it is open; a driver that refuses a new bitrate while
 * streaming says so only in GStreamer's log.
 */
static gboolean rate_v4l2(GstElement *e, const McVideoConfig *c)
{
	if (!g_object_class_find_property(G_OBJECT_GET_CLASS(e), "extra-controls"))
		return FALSE;
	configure_v4l2(e, c);
	return TRUE;
}

/* x264enc's largest bitrate, kbit/s */
#define X264_MAX_KBPS	2048000

/*
 * x264 refills its VBV by the bitrate's share of one frame of the nominal
 * rate, a frame. A desktop's frames come when it changes, each standing
 * for the time since the last: the VBV's rate is scaled so a frame gets
 * that time's bits, and its capacity scaled back so the buffer stays
 * X264_VBV_MS of the bitrate. While the screen moves at the mode's rate
 * nothing changes. (A variable frame rate would do it, but makes x264
 * hold each frame until the next one comes.)
 */
static void pace_x264(GstElement *e, const McVideoConfig *c, GstClockTime interval)
{
	GstClockTime frame = gst_util_uint64_scale(GST_SECOND, c->fps_d, c->fps_n);
	guint64 rate = gst_util_uint64_scale(c->bitrate_kbps, MIN(interval, GST_SECOND),
					     frame);
	guint now;

	rate = CLAMP(rate, c->bitrate_kbps, X264_MAX_KBPS);
	g_object_get(e, "bitrate", &now, NULL);
	if (now != rate)	/* each change costs a reconfiguration */
		g_object_set(e, "bitrate", (guint)rate, "vbv-buf-capacity",
			     (guint)MAX(1, X264_VBV_MS * c->bitrate_kbps / rate), NULL);
}

static const McEncoderInfo encoders[] = {
	{ "v4l2", "v4l2h264enc", TRUE, configure_v4l2, NULL, rate_v4l2 },
	{ "va", "vah264enc", TRUE, configure_va, NULL, rate_kbps },
	{ "vaapi", "vaapih264enc", TRUE, configure_vaapi, NULL, rate_kbps },
	{ "nvenc", "nvh264enc", TRUE, configure_nvenc, NULL, rate_kbps },
	{ "x264", "x264enc", FALSE, configure_x264, pace_x264, rate_x264 },
	{ "openh264", "openh264enc", FALSE, configure_openh264, NULL, rate_openh264 },
};

static const McEncoderInfo *const encoder_list[] = {
	&encoders[0], &encoders[1], &encoders[2], &encoders[3], &encoders[4], &encoders[5],
	NULL,
};

const McEncoderInfo *const *mc_encoder_all(void)
{
	return encoder_list;
}

GstElement *mc_gst_make(const char *factory, GError **error)
{
	GstElement *e = gst_element_factory_make(factory, NULL);

	if (!e)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "GStreamer element %s is not installed", factory);
	return e;
}

gboolean mc_encoder_factory_exists(const char *factory, gpointer data G_GNUC_UNUSED)
{
	g_autoptr(GstElementFactory) f = gst_element_factory_find(factory);

	return f != NULL;
}

const McEncoderInfo *mc_encoder_choose(const char *name, McEncoderAvailable available,
				       gpointer data, GError **error)
{
	g_autoptr(GString) known = g_string_new(NULL);
	const McEncoderInfo *const *e;
	gboolean any = !name || !g_strcmp0(name, "auto");

	if (!available)
		available = mc_encoder_factory_exists;
	for (e = encoder_list; *e; e++) {
		g_string_append_printf(known, "%s%s", known->len ? ", " : "", (*e)->name);
		if (!any && g_strcmp0(name, (*e)->name) && g_strcmp0(name, (*e)->factory))
			continue;
		if (available((*e)->factory, data))
			return *e;
		if (!any) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "encoder %s: GStreamer element %s is not installed",
				    (*e)->name, (*e)->factory);
			return NULL;
		}
	}
	if (any)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no H.264 encoder: none of %s is installed", known->str);
	else
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "unknown encoder \"%s\" (auto, %s)", name, known->str);
	return NULL;
}

/* Annex A: MaxMBPS, MaxFS (macroblocks), MaxBR (kbit/s, Baseline/Main). */
static const struct {
	guint level, max_mbps, max_fs, max_br;
} levels[] = {
	{ 31, 108000, 3600, 14000 },
	{ 32, 216000, 5120, 20000 },
	{ 40, 245760, 8192, 20000 },
	{ 41, 245760, 8192, 50000 },
	{ 42, 522240, 8704, 50000 },
};

guint mc_h264_min_level(guint width, guint height, guint fps_n, guint fps_d)
{
	guint64 fs = (guint64)((width + 15) / 16) * ((height + 15) / 16);
	guint i;

	if (!fps_d)
		return 0;
	for (i = 0; i < G_N_ELEMENTS(levels); i++)
		if (fs <= levels[i].max_fs &&
		    fs * fps_n <= (guint64)levels[i].max_mbps * fps_d)
			return levels[i].level;
	return 0;
}

guint mc_h264_max_bitrate_kbps(guint level, McH264Profile profile)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(levels); i++)
		if (levels[i].level == level)
			return profile == MC_H264_CHP ? levels[i].max_br * 5 / 4 :
							levels[i].max_br;
	return 0;
}

const char *mc_h264_profile_name(McH264Profile profile)
{
	return profile == MC_H264_CHP ? "constrained-high" : "constrained-baseline";
}

const char *mc_h264_level_name(guint level)
{
	switch (level) {
	case 31: return "3.1";
	case 32: return "3.2";
	case 40: return "4";
	case 41: return "4.1";
	case 42: return "4.2";
	default: return NULL;
	}
}

gboolean mc_video_config_validate(const McVideoConfig *c, GError **error)
{
	guint min, max;

	if (!c->width || !c->height || !c->fps_n || !c->fps_d || !c->gop) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "video %ux%u at %u/%u fps, GOP %u: nothing may be 0",
			    c->width, c->height, c->fps_n, c->fps_d, c->gop);
		return FALSE;
	}
	if (!mc_h264_level_name(c->level)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "H.264 level_idc %u is none of Wi-Fi Display's (31, 32, 40, 41, 42)",
			    c->level);
		return FALSE;
	}
	min = mc_h264_min_level(c->width, c->height, c->fps_n, c->fps_d);
	if (!min || min > c->level) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%ux%u at %u/%u fps needs H.264 level %s, more than %s",
			    c->width, c->height, c->fps_n, c->fps_d,
			    min ? mc_h264_level_name(min) : "5 or higher",
			    mc_h264_level_name(c->level));
		return FALSE;
	}
	max = mc_h264_max_bitrate_kbps(c->level, c->profile);
	if (!c->bitrate_kbps || c->bitrate_kbps > max) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "bitrate %u kbit/s: level %s %s allows 1 to %u",
			    c->bitrate_kbps, mc_h264_level_name(c->level),
			    mc_h264_profile_name(c->profile), max);
		return FALSE;
	}
	return TRUE;
}

GstElement *mc_encoder_make(const McEncoderInfo *info, const McVideoConfig *config,
			    GError **error)
{
	GstElement *e;

	if (!mc_video_config_validate(config, error))
		return NULL;
	e = gst_element_factory_make(info->factory, NULL);
	if (!e) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "encoder %s: cannot make GStreamer element %s", info->name,
			    info->factory);
		return NULL;
	}
	info->configure(e, config);
	return e;
}

/*
 * Constrained High is High without B-frames (which every encoder here is
 * told): encoders that do not name it (x264enc) make "high", whose SPS
 * lacks only constraint_set4/5 and which a CHP decoder plays.
 */
GstCaps *mc_encoder_output_caps(const McVideoConfig *c)
{
	GstCaps *caps = gst_caps_new_simple("video/x-h264",
					    "stream-format", G_TYPE_STRING, "byte-stream",
					    "alignment", G_TYPE_STRING, "au",
					    "width", G_TYPE_INT, (int)c->width,
					    "height", G_TYPE_INT, (int)c->height,
					    "framerate", GST_TYPE_FRACTION, (int)c->fps_n,
					    (int)c->fps_d, NULL);
	GValue list = G_VALUE_INIT, v = G_VALUE_INIT;

	gst_value_list_init(&list, 2);
	g_value_init(&v, G_TYPE_STRING);
	g_value_set_string(&v, mc_h264_profile_name(c->profile));
	gst_value_list_append_value(&list, &v);
	if (c->profile == MC_H264_CHP) {
		g_value_set_string(&v, "high");
		gst_value_list_append_value(&list, &v);
	}
	g_value_unset(&v);
	if (c->profile == MC_H264_CHP)
		gst_caps_set_value(caps, "profile", &list);
	else
		gst_caps_set_simple(caps, "profile", G_TYPE_STRING,
				    mc_h264_profile_name(c->profile), NULL);
	g_value_unset(&list);
	return caps;
}

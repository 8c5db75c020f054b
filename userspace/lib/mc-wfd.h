/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wi-Fi Display's domain: the wfd_* parameters of the RTSP bodies (parsed
 * and written), the CEA, VESA and HH resolution tables with their kernel
 * timings, and the negotiation a source does from a sink's M3 reply (the
 * mode, the H.264 profile and level, the audio codec) to the M4 it sets.
 *
 * Parsing is lenient where real sinks differ from the specification (upper
 * or lower case hex, LF or CRLF, spaces after commas, unknown parameters
 * kept) and strict about each known parameter's grammar: a malformed one
 * fails with an error naming the parameter and the offending token.
 * Writing is canonical: upper case hex, one space between fields, ", "
 * between list items, "none" where the grammar has it, CRLF line ends.
 */
#ifndef MC_WFD_H
#define MC_WFD_H

#include <glib.h>

#include "mc-encoder.h"
#include "miracast.h"

G_BEGIN_DECLS

#define MC_WFD_ERROR (mc_wfd_error_quark())

typedef enum {
	MC_WFD_ERROR_SYNTAX,	/* a value does not follow the parameter's grammar */
	MC_WFD_ERROR_RANGE,	/* well-formed, out of range (port 0, bit without entry in M4) */
	MC_WFD_ERROR_MISSING,	/* a mandatory parameter is absent */
	MC_WFD_ERROR_NO_MATCH,	/* negotiation: nothing in common */
} McWfdError;

GQuark mc_wfd_error_quark(void);

/* ---- Resolution tables ------------------------------------------------ */

typedef enum { MC_WFD_CEA, MC_WFD_VESA, MC_WFD_HH } McWfdTable;

#define MC_WFD_N_TABLES 3

typedef struct {
	McWfdTable table;
	guint bit;		/* index in the table's mask */
	guint width, height;
	guint refresh;		/* Hz, nominal */
	gboolean interlaced;
} McWfdResolution;

/* Entries of the R1 table: 17, 30, 12. */
guint mc_wfd_table_size(McWfdTable table);
/* The bits with an entry: 0x1FFFF, 0x3FFFFFFF, 0xFFF. */
guint32 mc_wfd_table_mask(McWfdTable table);
/* NULL when the bit has no entry (beyond the R1 table, or table unknown). */
const McWfdResolution *mc_wfd_resolution(McWfdTable table, guint bit);
/* The progressive entry of that size and rate, or NULL. */
const McWfdResolution *mc_wfd_resolution_find(guint width, guint height, guint refresh);
/* "CEA", "VESA", "HH" ("?" for anything else). */
const char *mc_wfd_table_name(McWfdTable table);
/* "1280x720p30", "1920x1080i60"; newly allocated. */
char *mc_wfd_resolution_name(const McWfdResolution *r);

/*
 * The kernel timing of a progressive entry: CEA-861's for CEA, the pixel
 * clock scaled by 1001/1000 where CEA-861's base rate is 59.94 Hz so that
 * clock * 1000 / (htotal * vtotal) is exactly the nominal rate (640x480p60:
 * 25200 kHz, 720x480p60: 27027 kHz); CVT (not reduced blanking) for VESA
 * and HH, its horizontal blanking kept where CVT's 8-pixel granularity
 * narrows the width (854), its clock the one of the nominal rate (CVT's
 * 250 kHz steps miss it by up to 2 % in small modes). Sync polarities as
 * DRM_MODE_FLAG_[PN][HV]SYNC; type 0. FALSE for interlaced entries (and NULL).
 */
gboolean mc_wfd_resolution_timing(const McWfdResolution *r, struct miracast_mode *mode);
/* The entry a kernel mode is (same size, refresh rounded equal, progressive), or NULL. */
const McWfdResolution *mc_wfd_resolution_from_mode(const struct miracast_mode *mode);

/* ---- H.264 profiles and levels --------------------------------------- */

#define MC_WFD_PROFILE_CBP	0x01	/* Constrained Baseline */
#define MC_WFD_PROFILE_CHP	0x02	/* Constrained High */

#define MC_WFD_LEVEL_3_1	0x01
#define MC_WFD_LEVEL_3_2	0x02
#define MC_WFD_LEVEL_4_0	0x04
#define MC_WFD_LEVEL_4_1	0x08
#define MC_WFD_LEVEL_4_2	0x10

/*
 * The encoder's level is H.264's level_idc (McVideoConfig.level: 31, 32,
 * 40, 41, 42); McH264Level names that number. 0: not exactly one known bit.
 */
typedef guint McH264Level;
McH264Level mc_wfd_level_to_h264(guint8 wfd_level_bit);
/* The WFD level bit of a level_idc, 0 if none. */
guint8 mc_wfd_level_from_h264(McH264Level level);
/* MC_H264_CHP for MC_WFD_PROFILE_CHP, MC_H264_CBP otherwise. */
McH264Profile mc_wfd_profile_to_h264(guint8 wfd_profile_bit);
guint8 mc_wfd_profile_from_h264(McH264Profile profile);
/* The highest bit of a level bitmap (a sink's entry may set several), 0 if none. */
guint8 mc_wfd_level_highest(guint8 levels);
/* The lowest WFD level bit whose limits carry the entry, 0 if none does (1920x1200). */
guint8 mc_wfd_resolution_min_level(const McWfdResolution *r);
/* "CBP", "CHP" (one bit); "3.1", "4.2" (one bit); NULL otherwise. */
const char *mc_wfd_profile_name(guint8 wfd_profile_bit);
const char *mc_wfd_level_name(guint8 wfd_level_bit);

/* ---- Parameters ------------------------------------------------------ */

/* One H.264 entry of wfd_video_formats (and of wfd_preferred_display_mode). */
typedef struct {
	guint8 profile, level;		/* bitmaps: MC_WFD_PROFILE_*, MC_WFD_LEVEL_* */
	guint32 cea, vesa, hh;		/* raw masks, as received */
	guint8 latency;			/* units of 5 ms, 0: unspecified */
	guint16 min_slice_size, slice_enc_params;
	guint8 frame_rate_control;
	gint max_hres, max_vres;	/* -1: "none" */
} McWfdH264Codec;

#define MC_WFD_MAX_CODECS 16

typedef struct {
	gboolean none;			/* "none" (audio-only sink) */
	guint8 native, preferred_display_mode;
	guint n_codecs;
	McWfdH264Codec codecs[MC_WFD_MAX_CODECS];
} McWfdVideoFormats;

typedef enum { MC_WFD_AUDIO_LPCM, MC_WFD_AUDIO_AAC, MC_WFD_AUDIO_AC3 } McWfdAudioFormat;

#define MC_WFD_AUDIO_FORMATS 3
#define MC_WFD_MAX_AUDIO_CODECS 8

/* The 48 kHz 16-bit stereo mode bit of a format: LPCM 0x2, AAC 0x1, AC3 0x1. */
guint32 mc_wfd_audio_stereo_48k(McWfdAudioFormat format);
/* "LPCM", "AAC", "AC3". */
const char *mc_wfd_audio_format_name(McWfdAudioFormat format);

typedef struct {
	McWfdAudioFormat format;
	guint32 modes;			/* bitmap, see the reference's table */
	guint8 latency;			/* units of 5 ms */
} McWfdAudioCodec;

typedef struct {
	guint n_codecs;			/* 0: "none" */
	McWfdAudioCodec codecs[MC_WFD_MAX_AUDIO_CODECS];
} McWfdAudioCodecs;

/* One entry of wfd_3d_video_formats: as McWfdH264Codec, a 64-bit 3D mask for the three. */
typedef struct {
	guint8 profile, level;
	guint64 capability;		/* stereoscopic mode/resolution bitmap */
	guint8 latency;
	guint16 min_slice_size, slice_enc_params;
	guint8 frame_rate_control;
	gint max_hres, max_vres;	/* -1: "none" */
} McWfd3dCodec;

typedef struct {
	gboolean none;
	guint8 native, preferred_display_mode;
	guint n_codecs;
	McWfd3dCodec codecs[MC_WFD_MAX_CODECS];
} McWfd3dVideoFormats;

/* wfd_content_protection: none | HDCP2.0 port=N | HDCP2.1 port=N */
typedef enum { MC_WFD_HDCP_NONE, MC_WFD_HDCP_2_0, MC_WFD_HDCP_2_1 } McWfdHdcp;

typedef struct {
	McWfdHdcp hdcp;
	guint16 port;			/* 1..65535 unless none */
} McWfdContentProtection;

/*
 * wfd_display_edid: none | <blocks:hex4> <payload|none>. edid holds
 * block_count * 128 bytes, or is NULL when the payload is "none" (always
 * so for block_count 0, "not available now"). Owned by the params.
 */
typedef struct {
	gboolean none;
	guint block_count;		/* 0..256 */
	guint8 *edid;
} McWfdDisplayEdid;

/* wfd_coupled_sink: none | <status:hex2> <mac:hex12|none> */
typedef struct {
	gboolean none;
	guint8 status;			/* 0 not coupled, 1 coupled, 2 teardown coupling */
	gboolean has_mac;		/* FALSE: "none" */
	guint8 mac[6];
} McWfdCoupledSink;

typedef enum {
	MC_WFD_TRIGGER_SETUP,
	MC_WFD_TRIGGER_PLAY,
	MC_WFD_TRIGGER_PAUSE,
	MC_WFD_TRIGGER_TEARDOWN,
} McWfdTrigger;

/* "SETUP", ... */
const char *mc_wfd_trigger_name(McWfdTrigger trigger);

/*
 * wfd_presentation_URL: <url0> <url1>, each "none" (NULL here) or a URL
 * starting with "rtsp://" (no spaces; the path is not checked here). The
 * strings are owned by the params.
 */
typedef struct {
	char *url0, *url1;
} McWfdPresentationUrl;

/* wfd_client_rtp_ports: <profile> <port0> <port1> mode=play */
typedef enum { MC_WFD_RTP_UDP, MC_WFD_RTP_TCP } McWfdRtpProfile;

/* "RTP/AVP/UDP;unicast", "RTP/AVP/TCP;unicast" */
const char *mc_wfd_rtp_profile_name(McWfdRtpProfile profile);

typedef struct {
	McWfdRtpProfile profile;
	guint16 port0;			/* the primary sink's RTP port, never 0 */
	guint16 port1;			/* the coupled secondary sink's, 0: none (Q13) */
} McWfdClientRtpPorts;

typedef enum { MC_WFD_ROUTE_PRIMARY, MC_WFD_ROUTE_SECONDARY } McWfdRoute;

/* wfd_I2C: none | <port> */
typedef struct {
	gboolean none;
	guint16 port;
} McWfdI2c;

/* wfd_av_format_change_timing: <PTS:hex10> <DTS:hex10>, 33 bits each */
typedef struct {
	guint64 pts, dts;
} McWfdAvFormatChangeTiming;

/* wfd_preferred_display_mode: the timing fields, then an H.264 entry */
typedef struct {
	guint32 p_clock;		/* hex6, units of 10 kHz */
	guint16 h, hb, hspol_hsoff, hsw;
	guint16 v, vb, vspol_vsoff, vsw;
	guint8 vbs3d, s3d_modes, p_depth;
	McWfdH264Codec codec;
} McWfdPreferredDisplayMode;

/* UIBC: categories, input types and paths, in the grammar's order */
typedef enum { MC_WFD_UIBC_GENERIC, MC_WFD_UIBC_HIDC } McWfdUibcCategory;

#define MC_WFD_UIBC_CATEGORIES 2

typedef enum {
	MC_WFD_UIBC_KEYBOARD,
	MC_WFD_UIBC_MOUSE,
	MC_WFD_UIBC_SINGLE_TOUCH,
	MC_WFD_UIBC_MULTI_TOUCH,
	MC_WFD_UIBC_JOYSTICK,
	MC_WFD_UIBC_CAMERA,
	MC_WFD_UIBC_GESTURE,
	MC_WFD_UIBC_REMOTE_CONTROL,
} McWfdUibcType;

#define MC_WFD_UIBC_TYPES 8

typedef enum {
	MC_WFD_UIBC_INFRARED,
	MC_WFD_UIBC_USB,
	MC_WFD_UIBC_BT,
	MC_WFD_UIBC_ZIGBEE,
	MC_WFD_UIBC_WIFI,
	MC_WFD_UIBC_NO_SP,
} McWfdUibcPath;

#define MC_WFD_UIBC_PATHS 6

typedef struct {
	McWfdUibcType type;
	McWfdUibcPath path;
} McWfdUibcHidc;

/*
 * wfd_uibc_capability: none | input_category_list=...;generic_cap_list=...;
 * hidc_cap_list=...;port=... Each list keeps the order received; an empty
 * list is "none"; an item listed twice is an error (so the arrays suffice).
 */
typedef struct {
	gboolean none;
	guint n_categories;
	McWfdUibcCategory categories[MC_WFD_UIBC_CATEGORIES];
	guint n_generic;
	McWfdUibcType generic[MC_WFD_UIBC_TYPES];
	guint n_hidc;
	McWfdUibcHidc hidc[MC_WFD_UIBC_TYPES * MC_WFD_UIBC_PATHS];
	gint port;			/* -1: "none" */
} McWfdUibcCapability;

/* wfd_connector_type: none | <hex2> (05 HDMI, ...) */
typedef struct {
	gboolean none;
	guint8 type;
} McWfdConnectorType;

typedef enum {
	MC_WFD_VIDEO_FORMATS,
	MC_WFD_AUDIO_CODECS,
	MC_WFD_3D_VIDEO_FORMATS,
	MC_WFD_CONTENT_PROTECTION,
	MC_WFD_DISPLAY_EDID,
	MC_WFD_COUPLED_SINK,
	MC_WFD_TRIGGER_METHOD,
	MC_WFD_PRESENTATION_URL,
	MC_WFD_CLIENT_RTP_PORTS,
	MC_WFD_ROUTE,
	MC_WFD_I2C,
	MC_WFD_AV_FORMAT_CHANGE_TIMING,
	MC_WFD_PREFERRED_DISPLAY_MODE,
	MC_WFD_UIBC_CAPABILITY,
	MC_WFD_UIBC_SETTING,
	MC_WFD_STANDBY_RESUME_CAPABILITY,
	MC_WFD_STANDBY,
	MC_WFD_CONNECTOR_TYPE,
	MC_WFD_IDR_REQUEST,
	MC_WFD_N_PARAMS
} McWfdParam;

/*
 * Every parameter a text/parameters body can carry; a member means
 * something only when its bit is in present. An all-zero McWfdParams is
 * an initialised empty one (g_auto(McWfdParams) works).
 */
typedef struct {
	guint64 present;	/* 1 << McWfdParam */
	McWfdVideoFormats video_formats;
	McWfdAudioCodecs audio_codecs;
	McWfd3dVideoFormats video_formats_3d;
	McWfdContentProtection content_protection;
	McWfdDisplayEdid display_edid;
	McWfdCoupledSink coupled_sink;
	McWfdTrigger trigger_method;
	McWfdPresentationUrl presentation_url;
	McWfdClientRtpPorts client_rtp_ports;
	McWfdRoute route;
	McWfdI2c i2c;
	McWfdAvFormatChangeTiming av_format_change_timing;
	McWfdPreferredDisplayMode preferred_display_mode;
	McWfdUibcCapability uibc_capability;
	gboolean uibc_setting;			/* TRUE: enable */
	gboolean standby_resume_capability;	/* TRUE: supported, FALSE: none */
	McWfdConnectorType connector_type;
	/* wfd_standby and wfd_idr_request are bare: their bit says it all */
	/*
	 * "name: value" or bare "name" lines of other parameters, in order
	 * (vendor extensions such as microsoft_cursor, wfd2_*); NULL when
	 * there are none. Owned (g_free'd strings).
	 */
	GPtrArray *unknown;
} McWfdParams;

/* "wfd_video_formats"; NULL for an unknown value. */
const char *mc_wfd_param_name(McWfdParam p);
/* Exact and case-sensitive, as the specification spells them ("wfd_I2C"). */
gboolean mc_wfd_param_from_name(const char *name, McWfdParam *p);

#define MC_WFD_HAS(params, p)	(((params)->present >> (p)) & 1)
#define MC_WFD_SET(params, p)	((params)->present |= G_GUINT64_CONSTANT(1) << (p))

void mc_wfd_params_init(McWfdParams *p);
/* Frees owned memory (EDID, URLs, unknown) and re-inits. */
void mc_wfd_params_clear(McWfdParams *p);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(McWfdParams, mc_wfd_params_clear)
/* dst (initialised, cleared first) becomes a deep copy of src. */
void mc_wfd_params_copy(McWfdParams *dst, const McWfdParams *src);
/* Same parameters present with the same canonical values, same unknown lines. */
gboolean mc_wfd_params_equal(const McWfdParams *a, const McWfdParams *b);
/* Replaces wfd_presentation_URL with copies of url0, url1 (NULL: none). */
void mc_wfd_params_set_presentation_url(McWfdParams *p, const char *url0, const char *url1);

/*
 * Parses a text/parameters body into p (which should be empty: parameters
 * add to it): "name: value" lines, CRLF or LF, bare names for
 * wfd_idr_request and wfd_standby (and unknown bare names); empty lines
 * are skipped. Lenient as R18 says: upper or lower case hex, extra spaces
 * between fields and after commas, unknown parameters kept in ->unknown.
 * Strict about each known parameter's grammar: a malformed one fails the
 * whole parse with MC_WFD_ERROR_SYNTAX or _RANGE naming it. A known
 * parameter given twice is an error (SYNTAX). body need not be
 * NUL-terminated; a NUL or another control character in it is an error.
 * On failure p holds what was parsed before the error (clear it).
 */
gboolean mc_wfd_params_parse(McWfdParams *p, const char *body, gsize len, GError **error);
/*
 * Parses one known parameter's value into p (sets its present bit;
 * replaces it if present; keeps it on failure). A control character in
 * value is an error, as in a body.
 */
gboolean mc_wfd_param_parse(McWfdParams *p, McWfdParam which, const char *value,
			    GError **error);
/*
 * The value as the source or sink writes it (canonical: upper case hex,
 * ", " between list items, "none" where the grammar has it), newly
 * allocated; NULL if absent. "" for the bare parameters.
 */
char *mc_wfd_param_format(const McWfdParams *p, McWfdParam which);
/*
 * A body of "name: value\r\n" lines (bare names alone) for the present
 * parameters, in McWfdParam order, then the unknown ones. "" if empty.
 */
char *mc_wfd_params_format(const McWfdParams *p);
/*
 * A sink's reply to a GET_PARAMETER for names: "name: value\r\n" for each
 * name, in the order asked; "name: none" for what p lacks or does not know
 * (Q15: unknown parameters are answered "none", never with an error).
 */
char *mc_wfd_params_format_reply(const McWfdParams *p, const char *const *names);

/* A GET_PARAMETER body: each name followed by CRLF. */
char *mc_wfd_names_format(const char *const *names);
/*
 * Its parse: one name a line, CRLF or LF, surrounding spaces and empty
 * lines ignored; an empty body gives an empty array. A line that is no
 * name (a ':', a space inside, a control character) fails with SYNTAX.
 */
GStrv mc_wfd_names_parse(const char *body, gsize len, GError **error);

/* ---- Negotiation (the source's side) ---------------------------------- */

typedef struct {
	guint8 profiles;	/* MC_WFD_PROFILE_* the encoder produces */
	guint8 max_level;	/* the highest MC_WFD_LEVEL_* bit it produces */
	gboolean prefer_chp;	/* CHP over CBP when both are common */
	guint32 cea, vesa, hh;	/* the modes the source offers */
	guint audio_formats;	/* 1 << McWfdAudioFormat the source sends; 0: none */
	gboolean prefer_lpcm;	/* LPCM over AAC when both are common (AAC otherwise) */
} McWfdSourceCaps;

/*
 * CBP|CHP, level 4.2, CBP preferred, every progressive R1 mode whose
 * minimum level is at most 4.2 (all but 1920x1200), LPCM|AAC, AAC preferred.
 */
void mc_wfd_source_caps_init(McWfdSourceCaps *caps);
/* The progressive R1 modes of table whose minimum level is at most max_level. */
guint32 mc_wfd_source_mask(McWfdTable table, guint8 max_level);

typedef struct {
	const McWfdResolution *resolution;
	guint8 profile, level;	/* one bit each; level: the lowest the mode needs */
	guint codec_index;	/* the sink's entry it came from */
	gboolean audio;		/* FALSE: the sink takes none, or the source sends none */
	McWfdAudioFormat audio_format;
	guint32 audio_mode;	/* one bit: LPCM 48k stereo = 0x2, AAC 48k stereo = 0x1 */
} McWfdChoice;

/*
 * The modes the sink and the source both have (the sink's masks ANDed
 * with the table masks, Q14; progressive only; the level the mode needs
 * within both the source's and some sink entry sharing a profile with the
 * source), best first: the sink's native mode first when it is one of
 * them (a native byte 00 says nothing: sinks leave it so), then the
 * native's size at other rates, then by width * height * refresh
 * descending (then refresh, table, bit).
 * These are what the display's connector shows. Empty when the sink has
 * no wfd_video_formats or "none". Of const McWfdResolution *, not owned.
 */
GPtrArray *mc_wfd_common_modes(const McWfdSourceCaps *src, const McWfdParams *sink);

/*
 * want == NULL: the best common mode; want != NULL: that mode, which must
 * be common (else MC_WFD_ERROR_NO_MATCH). No common mode at all: CEA
 * 640x480p60 CBP 3.1 from entry 0 (R26). The sink without
 * wfd_video_formats: MC_WFD_ERROR_MISSING; with "none": NO_MATCH.
 * Profile: CBP unless prefer_chp and an entry with CHP has the mode (or
 * CHP is all the entries having it share with the source); the entry is
 * the first that has the mode in that profile.
 * Audio, always 48 kHz stereo: a format the sink lists with that mode,
 * by prefer_lpcm; else a format the source sends that the sink lists
 * (with other modes only); else LPCM, mandatory in audio sinks (or the
 * source's preferred format if it sends no LPCM). No audio only
 * when the sink lists none, has no wfd_audio_codecs, or audio_formats is 0.
 */
gboolean mc_wfd_choose(const McWfdSourceCaps *src, const McWfdParams *sink,
		       const McWfdResolution *want, McWfdChoice *choice, GError **error);

/*
 * Sets an M4's wfd_video_formats ("00 00 <profile> <level> <one bit> ...
 * 00 0000 0000 00 none none", R22-R24) and wfd_audio_codecs ("<fmt>
 * <one bit> 00" or "none", R27) from the choice.
 */
void mc_wfd_params_set_choice(McWfdParams *m4, const McWfdChoice *choice);

/*
 * The choice an M4 carries (what a sink reads): FALSE with a clear error
 * (MISSING, or RANGE) if the M4 breaks R22-R24/R27: no or several codec
 * entries, native or preferred display mode not 00, several profile or
 * level bits, several mode bits or a bit without entry, interlaced, a
 * level too low for the mode, several audio codecs or mode bits, a latency.
 */
gboolean mc_wfd_choice_from_params(const McWfdParams *m4, McWfdChoice *choice, GError **error);

G_END_DECLS

#endif /* MC_WFD_H */

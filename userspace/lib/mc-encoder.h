/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * H.264 encoders for Wi-Fi Display: which one this machine has, and each
 * configured as sinks expect (docs/media.md): Constrained Baseline or
 * Constrained High at the negotiated level, no B-frames, CBR, a periodic
 * IDR, Annex B byte stream.
 */
#ifndef MC_ENCODER_H
#define MC_ENCODER_H

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum {
	MC_H264_CBP,		/* Constrained Baseline: profile_idc 66, constraint 0xC0 */
	MC_H264_CHP,		/* Constrained High: profile_idc 100, constraint 0x0C */
} McH264Profile;

typedef struct {
	guint width, height;
	guint fps_n, fps_d;
	McH264Profile profile;
	guint level;		/* level_idc: 31, 32, 40, 41 or 42 */
	guint bitrate_kbps;
	guint gop;		/* frames from one periodic IDR to the next */
} McVideoConfig;

typedef struct {
	const char *name;	/* what --encoder takes: "x264" */
	const char *factory;	/* the GStreamer element: "x264enc" */
	gboolean hardware;
	void (*configure)(GstElement *encoder, const McVideoConfig *config);
	/*
	 * Optional: the frame the encoder gets next stands for interval (the
	 * time since the one before), for rate control that counts in frames
	 * of the nominal rate. From the streaming thread, before the frame.
	 */
	void (*pace)(GstElement *encoder, const McVideoConfig *config, GstClockTime interval);
	/*
	 * Makes the encoder, playing, send config's bitrate from its next
	 * frames: FALSE when it cannot while playing. An encoder with pace
	 * must be given the new bitrate there too.
	 */
	gboolean (*rate)(GstElement *encoder, const McVideoConfig *config);
} McEncoderInfo;

/* Every encoder known, in order of preference (hardware first). */
const McEncoderInfo *const *mc_encoder_all(void);

/* Whether the element factory exists: the default availability test. */
typedef gboolean (*McEncoderAvailable)(const char *factory, gpointer data);
gboolean mc_encoder_factory_exists(const char *factory, gpointer data);

/*
 * The encoder to use: the one named (NULL or "auto": the first available
 * in order of preference). NULL with error set when the named one is
 * unknown or missing, or when none is available.
 */
const McEncoderInfo *mc_encoder_choose(const char *name, McEncoderAvailable available,
				       gpointer data, GError **error);

/* A new encoder element configured for config, or NULL with error set. */
GstElement *mc_encoder_make(const McEncoderInfo *info, const McVideoConfig *config,
			    GError **error);

/*
 * What the encoder must output: video/x-h264, Annex B, whole access
 * units, the profile, size and rate of config.
 */
GstCaps *mc_encoder_output_caps(const McVideoConfig *config);

/* The SPS's profile string ("constrained-baseline"), and "4.1" for 41. */
const char *mc_h264_profile_name(McH264Profile profile);
const char *mc_h264_level_name(guint level);

/*
 * The lowest Wi-Fi Display level (31..42) whose Annex A limits carry
 * width x height at fps_n/fps_d (macroblocks per frame and per second),
 * or 0 when none does.
 */
guint mc_h264_min_level(guint width, guint height, guint fps_n, guint fps_d);

/* Annex A MaxBR of the level in kbit/s (High profile: x 1.25), or 0. */
guint mc_h264_max_bitrate_kbps(guint level, McH264Profile profile);

/* A new GStreamer element, or NULL with error naming the missing one. */
GstElement *mc_gst_make(const char *factory, GError **error);

/* Checks config: a WFD level that carries the mode, a bitrate within it. */
gboolean mc_video_config_validate(const McVideoConfig *config, GError **error);

G_END_DECLS

#endif /* MC_ENCODER_H */

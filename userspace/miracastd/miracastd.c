// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracastd: the daemon side of a miracast display. It owns the device's
 * context, announces the sink's modes, and streams what the display shows
 * as H.264 in MPEG2-TS over RTP.
 *
 * This version streams to an address given with --stream-to (a receiver
 * reached without RTSP); the Wi-Fi Display RTSP session comes on top.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gio.h>
#include <gst/gst.h>

#include <drm_mode.h>

#include "mc-client.h"
#include "mc-device.h"
#include "mc-frame.h"
#include "mc-stream.h"

typedef struct {
	GMainLoop *loop;
	McClient *client;
	McStream *stream;
	struct miracast_mode mode;	/* the sink's (announced) */
	char *host;
	guint16 port;
	char *encoder;
	guint bitrate_kbps;
	McAudioCodec audio;
	char *audio_source;
	int status;
} Daemon;

/* CEA-861 timings of the modes --mode takes. */
static const struct {
	const char *name;
	struct miracast_mode mode;
} modes[] = {
	{ "640x480@60", { 25175, 640, 656, 752, 800, 480, 490, 492, 525, 0xa, 0 } },
	{ "1280x720@30", { 74250, 1280, 3040, 3080, 3300, 720, 725, 730, 750, 0x5, 0 } },
	{ "1280x720@60", { 74250, 1280, 1390, 1430, 1650, 720, 725, 730, 750, 0x5, 0 } },
	{ "1920x1080@30", { 74250, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0x5, 0 } },
	{ "1920x1080@60", { 148500, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0x5, 0 } },
};

static gboolean find_mode(const char *name, struct miracast_mode *mode)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(modes); i++) {
		if (!strcmp(name, modes[i].name)) {
			*mode = modes[i].mode;
			mode->type = DRM_MODE_TYPE_PREFERRED;
			return TRUE;
		}
	}
	return FALSE;
}

/* The mode's refresh rate, rounded, and exactly as a fraction. */
static guint mode_fps(const struct miracast_mode *m)
{
	return (guint)(((guint64)m->clock * 1000 + (guint64)m->htotal * m->vtotal / 2) /
		       ((guint64)m->htotal * m->vtotal));
}

static void mode_rate(const struct miracast_mode *m, guint *num, guint *den)
{
	guint64 n = (guint64)m->clock * 1000, d = (guint64)m->htotal * m->vtotal, a = n, b = d;

	while (b) {
		guint64 t = a % b;

		a = b;
		b = t;
	}
	*num = (guint)(n / a);
	*den = (guint)(d / a);
}

static void daemon_quit(Daemon *d, int status)
{
	if (status && !d->status)
		d->status = status;
	g_main_loop_quit(d->loop);
}

/* The display lit up, or changed mode: a stream for it. */
static void on_mode(Daemon *d, const struct miracast_event_mode *ev)
{
	McStreamConfig c = {
		.client = d->client,
		.host = d->host,
		.port = d->port,
		.encoder = d->encoder,
		.audio = d->audio,
		.audio_source = d->audio_source,
		.video = {
			.width = ev->mode.hdisplay,
			.height = ev->mode.vdisplay,
			.profile = MC_H264_CBP,
			.gop = mode_fps(&ev->mode),	/* an IDR a second */
		},
	};
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&d->stream, mc_stream_free);
	mode_rate(&ev->mode, &c.video.fps_n, &c.video.fps_d);
	c.video.level = mc_h264_min_level(c.video.width, c.video.height, c.video.fps_n,
					  c.video.fps_d);
	if (!c.video.level) {
		g_warning("mode %ux%u@%u is beyond H.264 level 4.2: not streamed",
			  c.video.width, c.video.height, mode_fps(&ev->mode));
		return;
	}
	c.video.bitrate_kbps = MIN(d->bitrate_kbps,
				   mc_h264_max_bitrate_kbps(c.video.level, c.video.profile));
	d->stream = mc_stream_new(&c, &error);
	if (!d->stream) {
		g_warning("cannot stream %ux%u@%u: %s", c.video.width, c.video.height,
			  mode_fps(&ev->mode), error->message);
		return;
	}
	g_message("streaming %ux%u@%u to %s:%u with %s, level %s, %u kbit/s",
		  c.video.width, c.video.height, mode_fps(&ev->mode), d->host, d->port,
		  mc_stream_get_encoder(d->stream)->name, mc_h264_level_name(c.video.level),
		  c.video.bitrate_kbps);
}

static void on_frame(Daemon *d, const McMessage *m)
{
	g_autoptr(GError) error = NULL;
	GstVideoInfo info;
	GstBuffer *b;

	if (!d->stream) {
		mc_client_queue_completion(d->client, m->id, MIRACAST_STATUS_SUCCESS);
		return;
	}
	b = mc_frame_wrap(d->client, m, &info, &error);
	if (!b) {
		g_warning("%s", error->message);
		mc_client_queue_completion(d->client, m->id, MIRACAST_STATUS_INVALID_PARAMETER);
		return;
	}
	/* the buffer's release completes the message */
	if (!mc_stream_push(d->stream, b, &info, &error)) {
		g_warning("stream failed: %s", error->message);
		g_clear_pointer(&d->stream, mc_stream_free);
	}
}

static void on_message(Daemon *d, const McMessage *m)
{
	switch (mc_message_event_type(m)) {
	case MIRACAST_EVENT_FRAME:
		on_frame(d, m);
		return;
	case MIRACAST_EVENT_MODE:
		if (mc_message_mode(m))
			on_mode(d, mc_message_mode(m));
		break;
	case MIRACAST_EVENT_DISABLE:
		g_message("display switched off");
		g_clear_pointer(&d->stream, mc_stream_free);
		break;
	case MIRACAST_EVENT_BUFFER_GONE:
		mc_client_buffer_gone(d->client, mc_message_buffer_gone(m));
		break;
	case MIRACAST_EVENT_STANDBY:
	case MIRACAST_EVENT_RESUME:
		break;
	default:
		g_warning("message %" G_GUINT64_FORMAT " of unknown kind (%u bytes)", m->id,
			  m->in_size);
		break;
	}
	mc_client_queue_completion(d->client, m->id, MIRACAST_STATUS_SUCCESS);
}

static gboolean on_kernel(int fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer data)
{
	Daemon *d = data;
	g_autoptr(GError) error = NULL;
	const McMessage *m;
	gssize n, i;

	while ((n = mc_client_read(d->client, &m, &error)) > 0) {
		for (i = 0; i < n; i++)
			on_message(d, &m[i]);
		if (mc_client_flush_completions(d->client, NULL, &error) < 0)
			break;
	}
	if (error) {
		g_warning("%s", error->message);
		daemon_quit(d, 1);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data)
{
	Daemon *d = data;

	g_message("stopping");
	daemon_quit(d, 0);
	return G_SOURCE_CONTINUE;
}

static gboolean parse_host_port(const char *s, char **host, guint16 *port, GError **error)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	guint64 p;

	if (!colon || colon == s || !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &p,
								  NULL)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--stream-to takes HOST:PORT, not \"%s\"", s ? s : "");
		return FALSE;
	}
	*host = g_strndup(s, colon - s);
	*port = (guint16)p;
	return TRUE;
}

/* The first /dev/miracastN, or the one asked for. */
static char *pick_device(const char *wanted, GError **error)
{
	g_autoptr(GPtrArray) devices = NULL;

	if (wanted)
		return g_strdup(wanted);
	devices = mc_device_list("/sys", error);
	if (!devices)
		return NULL;
	if (!devices->len) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no miracast device: is miracast.ko loaded?");
		return NULL;
	}
	return g_strdup(((McDevice *)devices->pdata[0])->dev_node);
}

static gboolean start(Daemon *d, const char *dev_node, GError **error)
{
	struct miracast_start_session s = {
		.current_bitrate = (guint64)d->bitrate_kbps * 1000,
		.local_max_bitrate = (guint64)d->bitrate_kbps * 1000,
		.remote_max_bitrate = (guint64)d->bitrate_kbps * 1000,
	};

	d->client = mc_client_open(dev_node, error);
	if (!d->client || !mc_client_create_context(d->client, NULL, NULL, error) ||
	    !mc_client_start_session(d->client, &s, error) ||
	    !mc_client_monitor_arrival(d->client, DRM_MODE_CONNECTOR_HDMIA, NULL, 0, &d->mode,
				       1, 0, 0, error))
		return FALSE;
	g_unix_fd_add(mc_client_get_fd(d->client), G_IO_IN, on_kernel, d);
	g_message("%s: session started, sink %ux%u@%u", dev_node, d->mode.hdisplay,
		  d->mode.vdisplay, mode_fps(&d->mode));
	return TRUE;
}

static void stop(Daemon *d)
{
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&d->stream, mc_stream_free);
	if (!d->client)
		return;
	if (!mc_client_monitor_departure(d->client, &error) ||
	    !mc_client_stop_session(d->client, &error) ||
	    !mc_client_destroy_context(d->client, &error))
		g_warning("%s", error->message);
	g_clear_pointer(&d->client, mc_client_unref);
}

int main(int argc, char **argv)
{
	g_autofree char *stream_to = NULL, *device = NULL, *mode = NULL, *encoder = NULL;
	g_autofree char *audio = NULL, *audio_source = NULL;
	g_autofree char *dev_node = NULL;
	gint bitrate = 8000;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "stream-to", 0, 0, G_OPTION_ARG_STRING, &stream_to,
		  "Stream to an RTP receiver at HOST:PORT, without RTSP", "HOST:PORT" },
		{ "device", 'd', 0, G_OPTION_ARG_FILENAME, &device,
		  "The device to serve (default: the first /dev/miracastN)", "NODE" },
		{ "mode", 'm', 0, G_OPTION_ARG_STRING, &mode,
		  "The sink's mode: 640x480@60, 1280x720@30, 1280x720@60, 1920x1080@30 "
		  "(default) or 1920x1080@60", "MODE" },
		{ "encoder", 'e', 0, G_OPTION_ARG_STRING, &encoder,
		  "H.264 encoder: auto (default), v4l2, va, vaapi, nvenc, x264, openh264",
		  "NAME" },
		{ "bitrate", 'b', 0, G_OPTION_ARG_INT, &bitrate,
		  "Video bitrate in kbit/s (default 8000, at most the level's)", "KBPS" },
		{ "audio", 'a', 0, G_OPTION_ARG_STRING, &audio,
		  "Audio: aac (AAC-LC 48 kHz stereo) or none (default)", "CODEC" },
		{ "audio-source", 0, 0, G_OPTION_ARG_STRING, &audio_source,
		  "Where the sound comes from: auto (default: PipeWire, PulseAudio, ALSA, "
		  "else silence), pipewire, pulse, alsa, test (silence)", "SOURCE" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- stream a miracast display");
	g_autoptr(GError) error = NULL;
	Daemon d = { 0 };

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	g_option_context_set_description(ctx,
		"Owns the context of a miracast display (miracast.ko), announces the sink's\n"
		"mode and streams what the display shows as H.264 in MPEG2-TS over RTP.\n"
		"SIGTERM or SIGINT stop it cleanly: the sink departs, the display disconnects.\n");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("miracastd %s\n", MC_VERSION);
		return 0;
	}
	if (!stream_to) {
		fprintf(stderr, "miracastd: give --stream-to HOST:PORT (the Wi-Fi Display "
			"RTSP session is not in this version)\n");
		return 2;
	}
	if (!parse_host_port(stream_to, &d.host, &d.port, &error) ||
	    (mode && !find_mode(mode, &d.mode))) {
		fprintf(stderr, "miracastd: %s\n",
			error ? error->message : "unknown --mode (see --help)");
		return 2;
	}
	if (!mode)
		find_mode("1920x1080@30", &d.mode);
	if (bitrate < 100 || bitrate > 62500) {
		fprintf(stderr, "miracastd: --bitrate %d: 100 to 62500 kbit/s\n", bitrate);
		return 2;
	}
	d.bitrate_kbps = bitrate;
	if (!audio || !strcmp(audio, "none")) {
		d.audio = MC_AUDIO_NONE;
	} else if (!strcmp(audio, "aac")) {
		d.audio = MC_AUDIO_AAC;
	} else {
		fprintf(stderr, "miracastd: --audio %s: aac or none\n", audio);
		return 2;
	}
	d.audio_source = g_strdup(audio_source);
	d.encoder = g_strdup(encoder);
	if (!mc_encoder_choose(encoder, NULL, NULL, &error)) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		return 2;
	}

	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	dev_node = pick_device(device, &error);
	if (!dev_node || !start(&d, dev_node, &error)) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		stop(&d);
		return 1;
	}
	g_main_loop_run(d.loop);
	stop(&d);
	g_main_loop_unref(d.loop);
	g_free(d.host);
	g_free(d.encoder);
	g_free(d.audio_source);
	return d.status;
}

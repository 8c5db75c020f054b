// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracastd: the daemon side of a miracast display. It owns the device's
 * context, announces the sink's modes, and streams what the display shows
 * as H.264 in MPEG2-TS over RTP.
 *
 * Sinks come as Wi-Fi Display sessions (RTSP, session.c): they connect to
 * its RTSP port, or it connects to them (miracastctl connect); or a display
 * streams to a fixed receiver given with --stream-to, without RTSP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gio.h>
#include <gst/gst.h>

#include <drm_mode.h>

#include "mc-dhcp.h"
#include "mc-device.h"
#include "mc-frame.h"
#include "miracastd.h"

static const char * const state_names[] = {
	[STATE_IDLE] = "idle", [STATE_NEGOTIATING] = "negotiating", [STATE_WAITING] = "waiting",
	[STATE_STREAMING] = "streaming", [STATE_STANDBY] = "standby", [STATE_FAILED] = "failed",
};
static const char * const audio_names[] = {
	[MC_AUDIO_NONE] = "none", [MC_AUDIO_AAC] = "aac", [MC_AUDIO_LPCM] = "lpcm",
};

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
			return TRUE;
		}
	}
	return FALSE;
}

/* The mode's refresh rate, exactly as a fraction. */
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

/* "1280x720@30", or "640x480@59.94" */
static char *mode_name(guint width, guint height, guint fps_n, guint fps_d)
{
	if (fps_d == 1)
		return g_strdup_printf("%ux%u@%u", width, height, fps_n);
	return g_strdup_printf("%ux%u@%.2f", width, height, (double)fps_n / fps_d);
}

char *kernel_mode_name(const struct miracast_mode *m)
{
	guint n, d;

	mode_rate(m, &n, &d);
	return mode_name(m->hdisplay, m->vdisplay, n, d);
}

/* Ends the display's stream, keeping its figures. */
static void end_stream(Display *dp)
{
	McStatsSummary sum;

	if (!dp->stream)
		return;
	mc_stream_get_stats(dp->stream, &sum);
	mc_stream_end(g_steal_pointer(&dp->stream), &dp->rtp);
	dp->sent += sum.sent;
	dp->dropped += sum.dropped;
	dp->repeated += sum.repeated;
}

void display_fail(Display *dp, const char *fmt, ...)
{
	va_list ap;

	end_stream(dp);
	g_free(dp->failure);
	va_start(ap, fmt);
	dp->failure = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	dp->state = STATE_FAILED;
	g_warning("%s: %s", dp->name, dp->failure);
}

/* What the display is doing when it does not stream. */
static State idle_state(Display *dp)
{
	if (!dp->context)
		return dp->wfd || dp->connecting ? STATE_NEGOTIATING : STATE_IDLE;
	if (dp->lit && (dp->asleep || (dp->wfd && dp->have_choice && !dp->playing &&
				       mc_wfd_source_get_state(dp->wfd) >=
				       MC_WFD_SOURCE_PAUSED)))
		return STATE_STANDBY;
	if (dp->wfd && !dp->have_choice)
		return STATE_NEGOTIATING;
	return STATE_WAITING;
}

/*
 * The stream the display needs now: the kernel's mode to a fixed receiver,
 * the negotiated format to a sink that plays. FALSE: none.
 */
static gboolean stream_config(Display *dp, McStreamConfig *c)
{
	Daemon *d = dp->d;

	if (!dp->context || !dp->lit || dp->asleep || !dp->playing)
		return FALSE;
	memset(c, 0, sizeof(*c));
	c->client = dp->client;
	c->host = dp->host;
	c->port = dp->port;
	c->socket = dp->udp;
	c->encoder = d->encoder;
	c->audio_source = d->audio_source;
	c->rtp_from = &dp->rtp;
	if (dp->fixed) {
		c->video.width = dp->mode.hdisplay;
		c->video.height = dp->mode.vdisplay;
		c->video.profile = MC_H264_CBP;
		mode_rate(&dp->mode, &c->video.fps_n, &c->video.fps_d);
		c->video.level = mc_h264_min_level(c->video.width, c->video.height,
						   c->video.fps_n, c->video.fps_d);
		c->audio = d->audio;
	} else {
		const McWfdChoice *w = &dp->choice;

		if (!dp->have_choice)
			return FALSE;
		c->video.width = w->resolution->width;
		c->video.height = w->resolution->height;
		c->video.fps_n = w->resolution->refresh;
		c->video.fps_d = 1;
		c->video.profile = mc_wfd_profile_to_h264(w->profile);
		c->video.level = mc_wfd_level_to_h264(w->level);
		c->audio = !w->audio ? MC_AUDIO_NONE :
			   w->audio_format == MC_WFD_AUDIO_AAC ? MC_AUDIO_AAC : MC_AUDIO_LPCM;
	}
	c->video.gop = (c->video.fps_n + c->video.fps_d / 2) / MAX(c->video.fps_d, 1);
	if (c->video.level)
		c->video.bitrate_kbps = MIN(d->bitrate_kbps,
					    mc_h264_max_bitrate_kbps(c->video.level,
								     c->video.profile));
	return TRUE;
}

/* Starts, rebuilds or ends the stream as the display and its sink are now. */
void display_update_stream(Display *dp)
{
	McStreamConfig c;
	g_autoptr(GError) error = NULL;
	g_autofree char *name = NULL;

	if (!stream_config(dp, &c)) {
		end_stream(dp);
		dp->state = idle_state(dp);
		return;
	}
	if (dp->stream && !memcmp(&c.video, &dp->video, sizeof(c.video)) &&
	    c.audio == dp->audio)
		return;
	end_stream(dp);
	name = mode_name(c.video.width, c.video.height, c.video.fps_n, c.video.fps_d);
	if (!c.video.level) {
		display_fail(dp, "mode %s is beyond H.264 level 4.2: not streamed", name);
		return;
	}
	dp->stream = mc_stream_new(&c, &error);
	if (!dp->stream) {
		display_fail(dp, "cannot stream %s: %s", name, error->message);
		return;
	}
	dp->video = c.video;
	dp->audio = c.audio;
	dp->state = STATE_STREAMING;
	g_clear_pointer(&dp->failure, g_free);
	g_message("%s: streaming %s to %s:%u with %s, %s level %s, %u kbit/s, audio %s",
		  dp->name, name, dp->host, dp->port, mc_stream_get_encoder(dp->stream)->name,
		  mc_h264_profile_name(c.video.profile), mc_h264_level_name(c.video.level),
		  c.video.bitrate_kbps, audio_names[c.audio]);
}

static void on_frame(Display *dp, const McMessage *m)
{
	g_autoptr(GError) error = NULL;
	GstVideoInfo info;
	GstBuffer *b;

	if (!dp->stream) {
		mc_client_queue_completion(dp->client, m->id, MIRACAST_STATUS_SUCCESS);
		return;
	}
	b = mc_frame_wrap(dp->client, m, &info, &error);
	if (!b) {
		g_warning("%s: %s", dp->name, error->message);
		mc_client_queue_completion(dp->client, m->id, MIRACAST_STATUS_INVALID_PARAMETER);
		return;
	}
	/* the buffer's release completes the message */
	if (!mc_stream_push(dp->stream, b, &info, &error))
		display_fail(dp, "the stream failed: %s", error->message);
}

static void on_message(Display *dp, const McMessage *m)
{
	switch (mc_message_event_type(m)) {
	case MIRACAST_EVENT_FRAME:
		on_frame(dp, m);
		return;
	case MIRACAST_EVENT_MODE:
		if (!mc_message_mode(m))
			break;
		dp->mode = mc_message_mode(m)->mode;
		dp->lit = TRUE;
		session_kernel_mode(dp);
		display_update_stream(dp);
		break;
	case MIRACAST_EVENT_DISABLE:
		g_message("%s: display switched off", dp->name);
		dp->lit = FALSE;
		display_update_stream(dp);
		break;
	case MIRACAST_EVENT_BUFFER_GONE:
		mc_client_buffer_gone(dp->client, mc_message_buffer_gone(m));
		break;
	case MIRACAST_EVENT_STANDBY:
	case MIRACAST_EVENT_RESUME:
		dp->asleep = mc_message_event_type(m) == MIRACAST_EVENT_STANDBY;
		session_standby(dp, dp->asleep);
		display_update_stream(dp);
		break;
	default:
		g_warning("%s: message %" G_GUINT64_FORMAT " of unknown kind (%u bytes)",
			  dp->name, m->id, m->in_size);
		break;
	}
	mc_client_queue_completion(dp->client, m->id, MIRACAST_STATUS_SUCCESS);
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

/* The device nodes asked for, or else every /dev/miracastN there is. */
static GStrv find_devices(char **wanted, GError **error)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autoptr(GPtrArray) devices = NULL;
	guint i;

	if (wanted && wanted[0])
		return g_strdupv(wanted);
	devices = mc_device_list("/sys", error);
	if (!devices)
		return NULL;
	if (!devices->len) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no miracast device: is miracast.ko loaded?");
		return NULL;
	}
	for (i = 0; i < devices->len; i++)
		g_strv_builder_add(b, ((McDevice *)devices->pdata[i])->dev_node);
	return g_strv_builder_end(b);
}

/* The sink departs, the session stops, the context goes. */

static void display_free(Display *dp);

static gboolean on_kernel(int fd G_GNUC_UNUSED, GIOCondition cond G_GNUC_UNUSED, gpointer data)
{
	Display *dp = data;
	Daemon *d = dp->d;
	g_autoptr(GError) error = NULL;
	const McMessage *m;
	gssize n, i;

	while ((n = mc_client_read(dp->client, &m, &error)) > 0) {
		for (i = 0; i < n; i++)
			on_message(dp, &m[i]);
		if (mc_client_flush_completions(dp->client, NULL, &error) < 0)
			break;
	}
	if (!error)
		return G_SOURCE_CONTINUE;
	/* the device is gone or broken: this display ends */
	g_warning("%s: %s", dp->name, error->message);
	dp->watch = 0;
	g_ptr_array_remove(d->displays, dp);
	if (!d->displays->len)
		daemon_quit(d, 1);
	return G_SOURCE_REMOVE;
}

/*
 * Once a second: the kernel's chunk records (FRAME_START, FRAME_DROPPED).
 * A frame it dropped was replaced by a newer one before the daemon read
 * it; records lost to overflow mean the daemon fell behind: as Windows
 * asks, an IDR frame.
 */
static gboolean on_chunks(gpointer data)
{
	Display *dp = data;
	struct miracast_chunk_report r[64];
	g_autoptr(GError) error = NULL;
	gint n, i;

	while ((n = mc_client_get_chunks(dp->client, r, G_N_ELEMENTS(r), 0, &error)) > 0) {
		for (i = 0; i < n; i++)
			if (r[i].type == MIRACAST_CHUNK_FRAME_DROPPED)
				dp->replaced++;
		if (n < (gint)G_N_ELEMENTS(r))
			break;
	}
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
		g_message("%s: chunk records lost: an IDR frame", dp->name);
		if (dp->stream)
			mc_stream_request_idr(dp->stream);
	} else if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		g_debug("%s: chunk records: %s", dp->name, error->message);
	}
	return G_SOURCE_CONTINUE;
}

/*
 * The sink arrives: a context, its session, the monitor with dp->modes
 * (and the EDID, if any); the connector is connected from then on.
 */
gboolean display_announce(Display *dp, guint32 link_type, const guint8 *edid, gsize edid_size,
			  GError **error)
{
	struct miracast_start_session s = {
		.current_bitrate = (guint64)dp->d->bitrate_kbps * 1000,
		.local_max_bitrate = (guint64)dp->d->bitrate_kbps * 1000,
		.remote_max_bitrate = (guint64)dp->d->bitrate_kbps * 1000,
	};

	if (!dp->context) {
		if (!mc_client_create_context(dp->client, NULL, NULL, error)) {
			g_prefix_error(error, "%s: ", dp->dev_node);
			return FALSE;
		}
		dp->context = TRUE;
		if (!mc_client_start_session(dp->client, &s, error)) {
			g_prefix_error(error, "%s: ", dp->dev_node);
			display_release(dp, G_MAXUINT32);
			return FALSE;
		}
		dp->watch = g_unix_fd_add(mc_client_get_fd(dp->client), G_IO_IN, on_kernel, dp);
		dp->chunks = g_timeout_add_seconds(1, on_chunks, dp);
	}
	if (!mc_client_monitor_arrival(dp->client, link_type, edid, edid_size,
				       (struct miracast_mode *)dp->modes->data, dp->modes->len,
				       0, 0, error)) {
		g_prefix_error(error, "%s: ", dp->dev_node);
		/* with its context: a retry without the EDID may follow */
		return FALSE;
	}
	dp->state = idle_state(dp);
	return TRUE;
}

/*
 * The sink goes: the stream stops, the session ends (with an error
 * reported to the kernel unless reason is G_MAXUINT32), the monitor
 * departs, the context goes; the connector is disconnected.
 */
void display_release(Display *dp, guint32 reason)
{
	g_autoptr(GError) error = NULL;

	dp->lit = FALSE;
	end_stream(dp);
	if (dp->watch)
		g_source_remove(dp->watch);
	if (dp->chunks)
		g_source_remove(dp->chunks);
	dp->watch = dp->chunks = 0;
	if (!dp->client || !dp->context)
		return;
	if (reason != G_MAXUINT32 &&
	    !mc_client_report_status(dp->client, reason, MIRACAST_STATUS_UNSUCCESSFUL, &error)) {
		g_debug("%s: %s", dp->name, error->message);
		g_clear_error(&error);
	}
	/* after an error the session is stopped already; DESTROY departs anyway */
	if (reason == G_MAXUINT32 && (!mc_client_monitor_departure(dp->client, &error) ||
				      !mc_client_stop_session(dp->client, &error))) {
		g_debug("%s: %s", dp->name, error->message);
		g_clear_error(&error);
	}
	if (!mc_client_destroy_context(dp->client, &error))
		g_warning("%s: %s", dp->name, error->message);
	dp->context = FALSE;
}

static void display_free(Display *dp)
{
	session_free(dp);
	display_release(dp, G_MAXUINT32);
	if (dp->client)
		mc_client_unref(dp->client);
	g_array_unref(dp->modes);
	g_ptr_array_unref(dp->disconnect_calls);
	g_free(dp->name);
	g_free(dp->dev_node);
	g_free(dp->host);
	g_free(dp->failure);
	g_free(dp);
}

/* A display of dev_node: fixed to a receiver at target, or (NULL) for sinks. */
static gboolean display_open(Daemon *d, const char *dev_node, const char *target,
			     GError **error)
{
	Display *dp = g_new0(Display, 1);

	dp->d = d;
	dp->name = g_path_get_basename(dev_node);
	dp->dev_node = g_strdup(dev_node);
	dp->modes = g_array_new(FALSE, FALSE, sizeof(struct miracast_mode));
	dp->disconnect_calls = g_ptr_array_new();
	dp->client = mc_client_open(dev_node, error);	/* its errors name the node */
	if (!dp->client) {
		display_free(dp);
		return FALSE;
	}
	g_ptr_array_add(d->displays, dp);
	if (!target) {
		g_message("%s: waiting for a sink", dev_node);
		return TRUE;
	}
	dp->fixed = TRUE;
	dp->playing = TRUE;
	if (!parse_host_port(target, &dp->host, &dp->port, error))
		return FALSE;
	g_array_append_vals(dp->modes, d->modes->data, d->modes->len);
	if (!display_announce(dp, DRM_MODE_CONNECTOR_HDMIA, NULL, 0, error))
		return FALSE;
	g_message("%s: session started, sink at %s:%u, %u mode%s, %s preferred", dev_node,
		  dp->host, dp->port, d->modes->len, d->modes->len == 1 ? "" : "s",
		  kernel_mode_name(&g_array_index(d->modes, struct miracast_mode, 0)));
	return TRUE;
}

Display *daemon_free_display(Daemon *d)
{
	for (guint i = 0; i < d->displays->len; i++) {
		Display *dp = d->displays->pdata[i];

		if (!dp->fixed && !dp->wfd && !dp->connecting && !dp->context)
			return dp;
	}
	return NULL;
}

/* Once stopping, it quits when no session is left. */
void daemon_check_stopped(Daemon *d)
{
	if (!d->stopping)
		return;
	for (guint i = 0; i < d->displays->len; i++) {
		Display *dp = d->displays->pdata[i];

		if (dp->wfd || dp->connecting)
			return;
	}
	if (p2p_busy(d->p2p))	/* its group is being removed */
		return;
	daemon_quit(d, 0);
}

static gboolean on_stop_timeout(gpointer data)
{
	daemon_quit(data, 0);
	return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data)
{
	Daemon *d = data;

	if (d->stopping)
		return G_SOURCE_CONTINUE;
	g_message("stopping");
	d->stopping = TRUE;
	/* sinks are told (TEARDOWN, 2 s at most), then it quits */
	for (guint i = 0; i < d->displays->len; i++)
		session_teardown(d->displays->pdata[i]);
	p2p_update(d->p2p);	/* no longer available */
	g_timeout_add_seconds(3, on_stop_timeout, d);
	daemon_check_stopped(d);
	return G_SOURCE_CONTINUE;
}

static void set_ms(GKeyFile *kf, const char *group, const char *key, guint us)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_key_file_set_string(kf, group, key, g_ascii_formatd(buf, sizeof(buf), "%.1f",
							      us / 1000.0));
}

/* A display's group of the status reply (docs/control.md). */
static void describe(Display *dp, GKeyFile *kf)
{
	const char *g = dp->name;
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_autoptr(GStrvBuilder) sink = g_strv_builder_new();
	g_auto(GStrv) sink_modes = NULL;
	McStatsSummary sum = { 0 };

	g_key_file_set_string(kf, g, "device", dp->dev_node);
	g_key_file_set_string(kf, g, "state", state_names[dp->state]);
	if (dp->fixed) {
		g_autofree char *target = g_strdup_printf("%s:%u", dp->host, dp->port);

		g_key_file_set_string(kf, g, "sink", target);
	} else {
		g_key_file_set_string(kf, g, "sink", dp->host && dp->state != STATE_IDLE ?
				      dp->host : "none");
	}
	for (guint i = 0; dp->context && i < dp->modes->len; i++) {
		g_autofree char *name = kernel_mode_name(&g_array_index(dp->modes,
									struct miracast_mode, i));

		g_strv_builder_add(sink, name);
	}
	sink_modes = g_strv_builder_end(sink);
	g_key_file_set_string_list(kf, g, "sink_modes", (const char * const *)sink_modes,
				   g_strv_length(sink_modes));
	if (dp->lit) {
		g_autofree char *mode = kernel_mode_name(&dp->mode);

		g_key_file_set_string(kf, g, "mode", mode);
	}
	if (dp->failure)
		g_key_file_set_string(kf, g, "failure", dp->failure);
	session_describe(dp, kf);
	if (dp->stream) {
		const McEncoderInfo *enc = mc_stream_get_encoder(dp->stream);

		g_key_file_set_string(kf, g, "encoder", enc->name);
		g_key_file_set_string(kf, g, "encoder_element", enc->factory);
		g_key_file_set_string(kf, g, "profile", mc_h264_profile_name(dp->video.profile));
		g_key_file_set_string(kf, g, "level", mc_h264_level_name(dp->video.level));
		g_key_file_set_uint64(kf, g, "target_kbps", dp->video.bitrate_kbps);
		g_key_file_set_string(kf, g, "audio", audio_names[dp->audio]);
		mc_stream_get_stats(dp->stream, &sum);
		g_key_file_set_string(kf, g, "fps",
				      g_ascii_formatd(buf, sizeof(buf), "%.2f", sum.fps));
		g_key_file_set_uint64(kf, g, "bitrate_kbps", sum.bitrate_kbps);
		g_key_file_set_uint64(kf, g, "latency_frames", sum.samples);
		set_ms(kf, g, "latency_p50_ms", sum.latency_p50_us);
		set_ms(kf, g, "latency_p99_ms", sum.latency_p99_us);
		set_ms(kf, g, "encode_p50_ms", sum.encode_p50_us);
		set_ms(kf, g, "encode_p99_ms", sum.encode_p99_us);
	}
	g_key_file_set_uint64(kf, g, "frames_sent", dp->sent + sum.sent);
	g_key_file_set_uint64(kf, g, "frames_dropped", dp->dropped + sum.dropped);
	g_key_file_set_uint64(kf, g, "frames_repeated", dp->repeated + sum.repeated);
	g_key_file_set_uint64(kf, g, "frames_replaced", dp->replaced);
}

static gboolean request_status(Daemon *d, char **argv, GKeyFile *reply, GError **error)
{
	g_autoptr(GStrvBuilder) names = g_strv_builder_new();
	g_auto(GStrv) list = NULL;
	guint i;

	if (argv[1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "status takes no arguments");
		return FALSE;
	}
	g_key_file_set_string(reply, "miracastd", "version", MC_VERSION);
	if (d->rtsp)
		g_key_file_set_uint64(reply, "miracastd", "rtsp_port", d->rtsp_port);
	for (i = 0; i < d->displays->len; i++) {
		Display *dp = d->displays->pdata[i];

		g_strv_builder_add(names, dp->name);
		describe(dp, reply);
	}
	list = g_strv_builder_end(names);
	g_key_file_set_string_list(reply, "miracastd", "displays", (const char * const *)list,
				   g_strv_length(list));
	if (d->p2p)
		p2p_describe(d->p2p, reply);
	return TRUE;
}

/* "list": the Wi-Fi Display sinks nearby. */
static gboolean request_list(Daemon *d, char **argv, GKeyFile *reply, GError **error)
{
	if (argv[1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "list takes no arguments");
		return FALSE;
	}
	if (!d->p2p) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "miracastd runs without Wi-Fi Direct (no --wpa-ctrl): sinks are "
			    "reached by address");
		return FALSE;
	}
	p2p_list(d->p2p, reply);
	return TRUE;
}

/*
 * "connect [--pin PIN] TARGET": a nearby sink's name (words joined by a
 * blank) or P2P address over Wi-Fi Direct, else HOST[:PORT] over IP;
 * answered once the sink plays, or the session failed.
 */
static gboolean request_connect(Daemon *d, char **argv, GError **error)
{
	const char *pin = NULL;
	g_autofree char *target = NULL;
	g_autoptr(GError) local = NULL;
	McControlCall *call;
	guint first = 1;

	if (argv[1] && !strcmp(argv[1], "--pin")) {
		pin = argv[2];
		first = pin ? 3 : 2;
	}
	if (!argv[first] || (!d->p2p && (pin || argv[first + 1]))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, d->p2p ?
			    "connect takes [--pin PIN] NAME|ADDRESS, or HOST[:PORT]" :
			    "connect takes HOST[:PORT] (no Wi-Fi Direct: miracastd runs without "
			    "--wpa-ctrl)");
		return FALSE;
	}
	if (d->stopping) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "miracastd is stopping");
		return FALSE;
	}
	target = g_strjoinv(" ", argv + first);
	call = mc_control_defer(d->control);
	if (d->p2p && p2p_connect(d->p2p, target, pin, &call, &local))
		return TRUE;
	/* not a sink nearby: a host, if it can be one */
	if ((!local || g_error_matches(local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) && !pin &&
	    !argv[first + 1]) {
		g_clear_error(&local);
		if (session_connect(d, target, call, &local))
			return TRUE;
	}
	mc_control_call_finish(call, NULL, local);
	return TRUE;
}

/* "disconnect [DISPLAY]": answered once the session has ended. */
static gboolean request_disconnect(Daemon *d, char **argv, GError **error)
{
	Display *dp = NULL;
	guint i, n = 0;

	if (argv[1] && argv[2]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "disconnect takes at most a display's name");
		return FALSE;
	}
	for (i = 0; i < d->displays->len; i++) {
		Display *x = d->displays->pdata[i];

		if (argv[1] ? !strcmp(argv[1], x->name) : x->wfd != NULL) {
			dp = x;
			n++;
		}
	}
	if (!argv[1] && n > 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%u displays have a sink: name one", n);
		return FALSE;
	}
	if (!dp && argv[1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no display %s", argv[1]);
		return FALSE;
	}
	if (!dp) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no display has a sink");
		return FALSE;
	}
	if (dp->fixed) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "%s streams to a fixed receiver (--stream-to): stop miracastd instead",
			    dp->name);
		return FALSE;
	}
	if (!dp->wfd) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s has no sink",
			    dp->name);
		return FALSE;
	}
	g_ptr_array_add(dp->disconnect_calls, mc_control_defer(d->control));
	session_teardown(dp);
	return TRUE;
}

static gboolean on_request(char **argv, guint uid, GKeyFile *reply, gpointer data,
			   GError **error)
{
	Daemon *d = data;

	if (!strcmp(argv[0], "status"))
		return request_status(d, argv, reply, error);
	if (!strcmp(argv[0], "list"))
		return request_list(d, argv, reply, error);
	if (strcmp(argv[0], "connect") && strcmp(argv[0], "disconnect")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "unknown request \"%s\" (known: status, list, connect, disconnect)",
			    argv[0]);
		return FALSE;
	}
	/* who may change what shows on a display: root, or the daemon's own user */
	if (uid != 0 && uid != getuid()) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "%s: only root may do that", argv[0]);
		return FALSE;
	}
	if (!strcmp(argv[0], "connect"))
		return request_connect(d, argv, error);
	return request_disconnect(d, argv, error);
}

int main(int argc, char **argv)
{
	g_auto(GStrv) stream_to = NULL, device = NULL, nodes = NULL, mode = NULL;
	g_autofree char *encoder = NULL, *control = NULL;
	g_autofree char *audio = NULL, *audio_source = NULL, *wpa_ctrl = NULL;
	gint go_intent = 7;
	gint bitrate = 8000, rtsp_port = 7236, session_timeout = MC_WFD_DEFAULT_SESSION_TIMEOUT;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "stream-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stream_to,
		  "Stream a display to an RTP receiver at HOST:PORT, without RTSP; once per "
		  "display", "HOST:PORT" },
		{ "device", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &device,
		  "A device to serve, once per device (default: the /dev/miracastN there are, "
		  "in order)", "NODE" },
		{ "rtsp-port", 'p', 0, G_OPTION_ARG_INT, &rtsp_port,
		  "Wait for Wi-Fi Display sinks on this TCP port (default 7236; 0: only "
		  "miracastctl connect)", "PORT" },
		{ "session-timeout", 0, 0, G_OPTION_ARG_INT, &session_timeout,
		  "The RTSP session timeout announced to sinks, in s (default 30; keepalives "
		  "every timeout - 5 s; 6 to 60)", "S" },
		{ "mode", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &mode,
		  "A mode of the --stream-to receivers: 640x480@60, 1280x720@30, 1280x720@60, "
		  "1920x1080@30 (default) or 1920x1080@60; once per mode, the first preferred",
		  "MODE" },
		{ "encoder", 'e', 0, G_OPTION_ARG_STRING, &encoder,
		  "H.264 encoder: auto (default), v4l2, va, vaapi, nvenc, x264, openh264",
		  "NAME" },
		{ "bitrate", 'b', 0, G_OPTION_ARG_INT, &bitrate,
		  "Video bitrate in kbit/s (default 8000, at most the level's)", "KBPS" },
		{ "audio", 'a', 0, G_OPTION_ARG_STRING, &audio,
		  "Audio: auto (default: what the sink takes, AAC first; none to --stream-to "
		  "receivers), aac (AAC-LC 48 kHz stereo), lpcm (LPCM 48 kHz 16-bit stereo) "
		  "or none", "CODEC" },
		{ "audio-source", 0, 0, G_OPTION_ARG_STRING, &audio_source,
		  "Where the sound comes from: auto (default: PipeWire, PulseAudio, ALSA, "
		  "else silence), pipewire, pulse, alsa, test (silence)", "SOURCE" },
		{ "wpa-ctrl", 'w', 0, G_OPTION_ARG_FILENAME, &wpa_ctrl,
		  "Wi-Fi Direct: wpa_supplicant's control socket (its P2P device's, or the "
		  "global one) or its ctrl_interface directory", "PATH" },
		{ "go-intent", 0, 0, G_OPTION_ARG_INT, &go_intent,
		  "Wi-Fi Direct: the GO intent, 0 (the sink owns the group) to 15 (the source "
		  "does; default 7)", "N" },
		{ "control-socket", 0, 0, G_OPTION_ARG_FILENAME, &control,
		  "Answer miracastctl on this unix socket (default " MC_CONTROL_SOCKET ")",
		  "PATH" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- stream miracast displays");
	g_autoptr(GError) error = NULL;
	Daemon d = { 0 };
	guint i, n_targets;

	/* run by the DHCP client of a Wi-Fi Direct group (mc-dhcp.h) */
	if (mc_dhcp_script_main(argc, argv))
		return 0;
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	g_option_context_set_description(ctx,
		"Serves miracast displays (miracast.ko): a Wi-Fi Display sink that connects\n"
		"to the RTSP port (or that miracastctl connect reaches) gets a free display;\n"
		"the capabilities it announces become the display's modes, and what the\n"
		"display shows is streamed to it as H.264 in MPEG2-TS over RTP. The n-th\n"
		"--stream-to fixes the n-th display to a receiver without RTSP instead.\n"
		"miracastctl status shows them. SIGTERM or SIGINT stop it cleanly: the\n"
		"sessions are torn down, the displays disconnect.\n");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("miracastd %s\n", MC_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "miracastd: unexpected argument \"%s\"\n", argv[1]);
		return 2;
	}
	n_targets = stream_to ? g_strv_length(stream_to) : 0;
	if (device && g_strv_length(device) < n_targets) {
		fprintf(stderr, "miracastd: %u --device for %u --stream-to: give one each\n",
			g_strv_length(device), n_targets);
		return 2;
	}
	if (rtsp_port < 0 || rtsp_port > 65535) {
		fprintf(stderr, "miracastd: --rtsp-port %d: 0 to 65535\n", rtsp_port);
		return 2;
	}
	if (session_timeout < 6 || session_timeout > 60) {
		fprintf(stderr, "miracastd: --session-timeout %d: 6 to 60 s\n", session_timeout);
		return 2;
	}
	if (go_intent < 0 || go_intent > 15) {
		fprintf(stderr, "miracastd: --go-intent %d: 0 to 15\n", go_intent);
		return 2;
	}
	if (wpa_ctrl && !rtsp_port) {
		fprintf(stderr, "miracastd: --wpa-ctrl needs the RTSP port: sinks found by "
			"Wi-Fi Direct connect to it\n");
		return 2;
	}
	d.rtsp_port = rtsp_port;
	d.session_timeout = session_timeout;
	mc_wfd_source_caps_init(&d.caps);
	for (i = 0; i < n_targets; i++) {
		g_autofree char *host = NULL;
		guint16 port;

		if (!parse_host_port(stream_to[i], &host, &port, &error)) {
			fprintf(stderr, "miracastd: %s\n", error->message);
			return 2;
		}
	}
	d.modes = g_array_new(FALSE, FALSE, sizeof(struct miracast_mode));
	for (i = 0; !i || (mode && mode[i]); i++) {
		struct miracast_mode m;

		if (!find_mode(mode ? mode[i] : "1920x1080@30", &m)) {
			fprintf(stderr, "miracastd: unknown --mode %s (see --help)\n", mode[i]);
			g_array_unref(d.modes);
			return 2;
		}
		m.type = i ? 0 : DRM_MODE_TYPE_PREFERRED;
		g_array_append_val(d.modes, m);
	}
	if (bitrate < 100 || bitrate > 62500) {
		fprintf(stderr, "miracastd: --bitrate %d: 100 to 62500 kbit/s\n", bitrate);
		return 2;
	}
	d.bitrate_kbps = bitrate;
	/* sinks get what they take (Q3: never none when they take any) */
	if (!audio || !strcmp(audio, "auto")) {
		d.audio = MC_AUDIO_NONE;
	} else if (!strcmp(audio, "none")) {
		d.audio = MC_AUDIO_NONE;
		d.caps.audio_formats = 0;
	} else if (!strcmp(audio, "aac")) {
		d.audio = MC_AUDIO_AAC;
	} else if (!strcmp(audio, "lpcm")) {
		d.audio = MC_AUDIO_LPCM;
		d.caps.prefer_lpcm = TRUE;
	} else {
		fprintf(stderr, "miracastd: --audio %s: auto, aac, lpcm or none\n", audio);
		return 2;
	}
	d.audio_source = g_strdup(audio_source);
	d.encoder = g_strdup(encoder);
	if (!mc_encoder_choose(encoder, NULL, NULL, &error)) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		return 2;
	}

	d.loop = g_main_loop_new(NULL, FALSE);
	d.displays = g_ptr_array_new_with_free_func((GDestroyNotify)display_free);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	d.control = mc_control_listen(control ? control : MC_CONTROL_SOCKET, on_request, &d,
				      &error);
	if (d.control)
		nodes = find_devices(device, &error);
	if (nodes && g_strv_length(nodes) < n_targets)
		g_set_error(&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "%u --stream-to but %u miracast device%s", n_targets,
			    g_strv_length(nodes), g_strv_length(nodes) == 1 ? "" : "s");
	for (i = 0; !error && nodes[i]; i++)
		display_open(&d, nodes[i], i < n_targets ? stream_to[i] : NULL, &error);
	if (!error && d.rtsp_port && nodes[n_targets])
		session_listen(&d, &error);
	if (!error && wpa_ctrl && !d.rtsp)
		g_set_error(&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "--wpa-ctrl: no display is left for Wi-Fi Direct sinks");
	if (!error && wpa_ctrl)
		d.p2p = p2p_new(&d, wpa_ctrl, go_intent);
	if (error) {
		fprintf(stderr, "miracastd: %s\n", error->message);
		d.status = 1;
	} else {
		if (d.rtsp)
			g_message("waiting for Wi-Fi Display sinks on TCP port %u", d.rtsp_port);
		g_main_loop_run(d.loop);
	}
	if (d.rtsp) {
		g_socket_service_stop(d.rtsp);
		g_socket_listener_close(G_SOCKET_LISTENER(d.rtsp));
		g_object_unref(d.rtsp);
	}
	/* before the control: the displays answer their deferred requests */
	g_ptr_array_unref(d.displays);
	p2p_free(d.p2p);
	g_clear_pointer(&d.control, mc_control_free);
	g_array_unref(d.modes);
	g_main_loop_unref(d.loop);
	g_free(d.encoder);
	g_free(d.audio_source);
	return d.status;
}

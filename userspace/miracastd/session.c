// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Wi-Fi Display session of a display (docs/wfd.md): the sink's RTSP
 * connection (mc-rtsp), the source's state machine (mc-wfd-source) driven
 * by the main loop's clock, and what the session means for the kernel
 * (the monitor arrives with the sink's modes, departs at the end; errors
 * are reported) and for the stream (it flows while the sink plays).
 */
#include <drm_mode.h>

#include "miracastd.h"

static void schedule(Display *dp);

static gboolean on_timer(gpointer data)
{
	Display *dp = data;

	dp->wfd_timer = 0;
	mc_wfd_source_tick(dp->wfd, g_get_monotonic_time());
	schedule(dp);
	return G_SOURCE_REMOVE;
}

/* The machine's next deadline, on the main loop. */
static void schedule(Display *dp)
{
	gint64 t, now;

	if (dp->wfd_timer)
		g_source_remove(dp->wfd_timer);
	dp->wfd_timer = 0;
	if (!dp->wfd)
		return;
	t = mc_wfd_source_next_deadline(dp->wfd);
	if (t == G_MAXINT64)
		return;
	now = g_get_monotonic_time();
	dp->wfd_timer = g_timeout_add(t > now ? (guint)((t - now + 999) / 1000) : 0, on_timer, dp);
}

static void on_send(GstRTSPMessage *message, gpointer data)
{
	Display *dp = data;
	g_autoptr(GError) error = NULL;

	/* a broken connection is reported by its watch */
	if (dp->rtsp && !mc_rtsp_send(dp->rtsp, message, &error))
		g_warning("%s: %s", dp->name, error->message);
}

/* DRM_MODE_CONNECTOR_* of a wfd_connector_type */
static guint32 link_type(const McWfdParams *sink)
{
	static const guint32 types[] = {
		[0x00] = DRM_MODE_CONNECTOR_VGA,
		[0x01] = DRM_MODE_CONNECTOR_SVIDEO,
		[0x02] = DRM_MODE_CONNECTOR_Composite,
		[0x03] = DRM_MODE_CONNECTOR_Component,
		[0x04] = DRM_MODE_CONNECTOR_DVID,
		[0x05] = DRM_MODE_CONNECTOR_HDMIA,
		[0x06] = DRM_MODE_CONNECTOR_LVDS,
		[0x0a] = DRM_MODE_CONNECTOR_DisplayPort,
	};
	guint8 t = sink->connector_type.type;

	if (!MC_WFD_HAS(sink, MC_WFD_CONNECTOR_TYPE) || sink->connector_type.none)
		return DRM_MODE_CONNECTOR_Unknown;
	if (t < G_N_ELEMENTS(types) && (types[t] || t == 0))
		return types[t];
	return DRM_MODE_CONNECTOR_Unknown;
}

/*
 * M3 is answered: the display's connector gets the modes the sink and the
 * source have in common (the negotiated one preferred), and its EDID.
 */
static gboolean on_capabilities(const McWfdParams *sink, const McWfdChoice *choice,
				gpointer data, GError **error)
{
	Display *dp = data;
	g_autoptr(GPtrArray) common = mc_wfd_common_modes(&dp->d->caps, sink);
	g_autoptr(GError) edid_error = NULL;
	const McWfdDisplayEdid *edid = &sink->display_edid;
	g_autofree char *chosen = mc_wfd_resolution_name(choice->resolution);
	guint i;

	g_array_set_size(dp->modes, 0);
	if (!g_ptr_array_find(common, choice->resolution, NULL))
		g_ptr_array_add(common, (gpointer)choice->resolution);	/* R26's 640x480 */
	for (i = 0; i < common->len; i++) {
		const McWfdResolution *r = common->pdata[i];
		struct miracast_mode m;

		if (!mc_wfd_resolution_timing(r, &m))
			continue;
		m.type = r == choice->resolution ? DRM_MODE_TYPE_PREFERRED : 0;
		g_array_append_val(dp->modes, m);
		if (dp->modes->len == 256)	/* the kernel's limit */
			break;
	}
	g_message("%s: the sink at %s takes %u mode%s; %s %s level %s, audio %s", dp->name,
		  dp->host, dp->modes->len, dp->modes->len == 1 ? "" : "s", chosen,
		  mc_wfd_profile_name(choice->profile), mc_wfd_level_name(choice->level),
		  choice->audio ? mc_wfd_audio_format_name(choice->audio_format) : "none");
	if (MC_WFD_HAS(sink, MC_WFD_DISPLAY_EDID) && !edid->none && edid->edid &&
	    display_announce(dp, link_type(sink), edid->edid, edid->block_count * 128,
			     &edid_error))
		return TRUE;
	if (edid_error)
		g_message("%s: the sink's EDID is not taken (%s): its modes only", dp->name,
			  edid_error->message);
	return display_announce(dp, link_type(sink), NULL, 0, error);
}

static void on_format(const McWfdChoice *choice, gpointer data)
{
	Display *dp = data;
	g_autofree char *name = mc_wfd_resolution_name(choice->resolution);

	dp->choice = *choice;
	dp->have_choice = TRUE;
	g_message("%s: the sink takes %s %s level %s, audio %s", dp->name, name,
		  mc_wfd_profile_name(choice->profile), mc_wfd_level_name(choice->level),
		  choice->audio ? mc_wfd_audio_format_name(choice->audio_format) : "none");
	display_update_stream(dp);
}

static void finish_connect(Display *dp, const GError *error)
{
	g_autoptr(GKeyFile) kf = NULL;

	if (!dp->connect_call)
		return;
	if (!error) {
		g_autofree char *mode = mc_wfd_resolution_name(dp->choice.resolution);

		kf = g_key_file_new();
		g_key_file_set_string(kf, "connect", "display", dp->name);
		g_key_file_set_string(kf, "connect", "sink", dp->host);
		g_key_file_set_string(kf, "connect", "mode", mode);
	}
	mc_control_call_finish(dp->connect_call, kf, error);
	dp->connect_call = NULL;
}

static void on_play(guint16 rtp_port, gpointer data)
{
	Display *dp = data;

	dp->port = rtp_port;
	dp->playing = TRUE;
	g_message("%s: the sink plays: RTP to %s:%u from port %u", dp->name, dp->host, rtp_port,
		  dp->server_port);
	display_update_stream(dp);
	finish_connect(dp, NULL);
}

static void on_pause(gpointer data)
{
	Display *dp = data;

	dp->playing = FALSE;
	display_update_stream(dp);
}

static void on_idr(gpointer data)
{
	Display *dp = data;

	if (dp->stream) {
		g_message("%s: the sink asks for an IDR frame", dp->name);
		mc_stream_request_idr(dp->stream);
	}
}

static gboolean free_machine(gpointer data)
{
	mc_wfd_source_free(data);
	return G_SOURCE_REMOVE;
}

/* How an end is reported to the kernel (REPORT_STATUS), G_MAXUINT32: not at all. */
static guint32 end_reason(McWfdSourceEnd end)
{
	switch (end) {
	case MC_WFD_SOURCE_END_TEARDOWN:
	case MC_WFD_SOURCE_END_CLOSED:
		return MIRACAST_SESSION_SINK_DISCONNECT_REQUEST;
	case MC_WFD_SOURCE_END_TIMEOUT:
		return MIRACAST_SESSION_MISSING_KEEPALIVE;
	case MC_WFD_SOURCE_END_PROTOCOL:
		return MIRACAST_SESSION_CRITICAL_ERROR;
	case MC_WFD_SOURCE_END_MODE_CHANGE:
		return MIRACAST_SESSION_SINK_FAILED_MODE_CHANGE;
	default:
		return G_MAXUINT32;
	}
}

static void on_ended(McWfdSourceEnd end, const char *message, gpointer data)
{
	Display *dp = data;
	gboolean error = end != MC_WFD_SOURCE_END_LOCAL && end != MC_WFD_SOURCE_END_TEARDOWN;
	g_autoptr(GError) failure = NULL;
	GKeyFile *kf;
	guint i;

	if (error)
		g_warning("%s: session with %s ended: %s", dp->name, dp->host, message);
	else
		g_message("%s: session with %s ended: %s", dp->name, dp->host, message);
	dp->playing = FALSE;
	dp->keepalives += mc_wfd_source_get_keepalives(dp->wfd);
	display_release(dp, end_reason(end));
	g_free(dp->failure);
	dp->failure = error ? g_strdup(message) : NULL;
	failure = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
	finish_connect(dp, failure);
	kf = g_key_file_new();
	g_key_file_set_string(kf, "disconnect", "display", dp->name);
	g_key_file_set_string(kf, "disconnect", "ended", message);
	for (i = 0; i < dp->disconnect_calls->len; i++)
		mc_control_call_finish(dp->disconnect_calls->pdata[i], kf, NULL);
	g_key_file_unref(kf);
	g_ptr_array_set_size(dp->disconnect_calls, 0);
	/* the last reply still goes out; the machine is freed out of its call */
	mc_rtsp_close(g_steal_pointer(&dp->rtsp));
	g_idle_add(free_machine, g_steal_pointer(&dp->wfd));
	g_clear_object(&dp->udp);
	dp->have_choice = FALSE;
	dp->state = STATE_IDLE;
	p2p_session_ended(dp->d->p2p, dp);
	daemon_check_stopped(dp->d);
}

static const McWfdSourceFuncs funcs = {
	.send = on_send,
	.capabilities = on_capabilities,
	.format = on_format,
	.play = on_play,
	.pause = on_pause,
	.idr = on_idr,
	.ended = on_ended,
};

static void on_rtsp_message(McRtsp *rtsp G_GNUC_UNUSED, GstRTSPMessage *message, gpointer data)
{
	Display *dp = data;

	if (g_getenv("MIRACASTD_DEBUG_RTSP")) {
		g_autofree char *what = mc_rtsp_describe(message);

		g_message("%s: <- %s", dp->name, what);
	}
	mc_wfd_source_receive(dp->wfd, message, g_get_monotonic_time());
	schedule(dp);
}

static void on_rtsp_closed(McRtsp *rtsp G_GNUC_UNUSED, const GError *error, gpointer data)
{
	Display *dp = data;

	mc_wfd_source_closed(dp->wfd, error, g_get_monotonic_time());
	schedule(dp);
}

gboolean session_begin(Display *dp, GSocketConnection *conn, GError **error)
{
	static const McRtspFuncs rtsp_funcs = {
		.message = on_rtsp_message,
		.closed = on_rtsp_closed,
	};
	McWfdSourceConfig config = {
		.caps = dp->d->caps,
		.session_timeout = dp->d->session_timeout,
	};

	dp->rtsp = mc_rtsp_new(conn, &rtsp_funcs, dp, error);
	if (!dp->rtsp)
		return FALSE;
	/* on the address the sink reaches */
	dp->udp = mc_rtsp_rtp_socket(mc_rtsp_get_local_address(dp->rtsp), &dp->server_port,
				     error);
	if (!dp->udp) {
		g_clear_pointer(&dp->rtsp, mc_rtsp_free);
		return FALSE;
	}
	config.local_address = mc_rtsp_get_local_address(dp->rtsp);
	config.server_port = dp->server_port;
	g_free(dp->host);
	dp->host = g_strdup(mc_rtsp_get_peer_address(dp->rtsp));
	dp->wfd = mc_wfd_source_new(&config, &funcs, dp);
	dp->rtp.valid = FALSE;	/* a new sink: new RTP numbering */
	dp->state = STATE_NEGOTIATING;
	g_clear_pointer(&dp->failure, g_free);
	g_message("%s: a sink at %s:%u, session from %s", dp->name, dp->host,
		  mc_rtsp_get_peer_port(dp->rtsp), config.local_address);
	mc_wfd_source_start(dp->wfd, g_get_monotonic_time());
	schedule(dp);
	p2p_session_started(dp->d->p2p, dp, config.local_address);
	return TRUE;
}

/* The link to the sink is gone (its Wi-Fi Direct group): the session ends as if it closed. */
void session_link_lost(Display *dp, const char *why)
{
	g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "%s",
					      why);

	if (!dp->wfd)
		return;
	mc_wfd_source_closed(dp->wfd, error, g_get_monotonic_time());
	schedule(dp);
}

/* Drops the session at once (the daemon is going, or the device). */
void session_free(Display *dp)
{
	g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED,
					      "miracastd stops");

	if (dp->connecting) {
		g_cancellable_cancel(dp->connecting);
		g_clear_object(&dp->connecting);
	}
	finish_connect(dp, error);
	for (guint i = 0; i < dp->disconnect_calls->len; i++)
		mc_control_call_finish(dp->disconnect_calls->pdata[i], NULL, error);
	g_ptr_array_set_size(dp->disconnect_calls, 0);
	if (dp->wfd_timer)
		g_source_remove(dp->wfd_timer);
	dp->wfd_timer = 0;
	g_clear_pointer(&dp->rtsp, mc_rtsp_free);
	g_clear_pointer(&dp->wfd, mc_wfd_source_free);
	g_clear_object(&dp->udp);
}

void session_teardown(Display *dp)
{
	if (!dp->wfd)
		return;
	mc_wfd_source_teardown(dp->wfd, g_get_monotonic_time());
	schedule(dp);
}

/* The display's new mode: the sink is asked for it when it is one of its own. */
void session_kernel_mode(Display *dp)
{
	const McWfdResolution *r = mc_wfd_resolution_from_mode(&dp->mode);
	g_autoptr(GError) error = NULL;
	g_autofree char *name = kernel_mode_name(&dp->mode);

	if (!dp->wfd || !dp->have_choice || r == dp->choice.resolution)
		return;
	if (!r || !mc_wfd_source_set_mode(dp->wfd, r, g_get_monotonic_time(), &error)) {
		g_autofree char *sent = mc_wfd_resolution_name(dp->choice.resolution);

		g_message("%s: %s is not one of the sink's modes: scaled into %s", dp->name, name,
			  sent);
		return;
	}
	g_message("%s: the display is now %s: asking the sink for it", dp->name, name);
	schedule(dp);
}

void session_standby(Display *dp, gboolean asleep)
{
	if (!dp->wfd)
		return;
	mc_wfd_source_standby(dp->wfd, asleep, g_get_monotonic_time());
	schedule(dp);
}

void session_describe(Display *dp, GKeyFile *kf)
{
	const char *g = dp->name;
	guint keepalives = dp->keepalives;

	if (dp->wfd) {
		g_key_file_set_string(kf, g, "rtsp_state",
				      mc_wfd_source_state_name(mc_wfd_source_get_state(dp->wfd)));
		g_key_file_set_string(kf, g, "session_id", mc_wfd_source_get_session_id(dp->wfd));
		g_key_file_set_uint64(kf, g, "session_timeout_s",
				      mc_wfd_source_get_session_timeout(dp->wfd));
		keepalives += mc_wfd_source_get_keepalives(dp->wfd);
	}
	if (dp->have_choice) {
		g_autofree char *mode = mc_wfd_resolution_name(dp->choice.resolution);

		g_key_file_set_string(kf, g, "negotiated", mode);
		g_key_file_set_string(kf, g, "negotiated_audio",
				      dp->choice.audio ?
				      mc_wfd_audio_format_name(dp->choice.audio_format) : "none");
	}
	if (!dp->fixed)
		g_key_file_set_uint64(kf, g, "keepalives", keepalives);
}

/* ---- Sinks that connect (the Wi-Fi Display way) ---- */

static gboolean on_incoming(GSocketService *service G_GNUC_UNUSED, GSocketConnection *conn,
			    GObject *source G_GNUC_UNUSED, gpointer data)
{
	Daemon *d = data;
	Display *dp = d->stopping ? NULL : daemon_free_display(d);
	g_autoptr(GError) error = NULL;

	if (!dp) {
		/* a second sink while every display has one (R46): closed */
		g_message("a sink connected while no display is free: refused");
		return TRUE;
	}
	if (!session_begin(dp, conn, &error))
		g_warning("%s: %s", dp->name, error->message);
	return TRUE;
}

gboolean session_listen(Daemon *d, GError **error)
{
	d->rtsp = g_socket_service_new();
	if (!g_socket_listener_add_inet_port(G_SOCKET_LISTENER(d->rtsp), d->rtsp_port, NULL,
					     error)) {
		g_prefix_error(error, "RTSP port %u: ", d->rtsp_port);
		return FALSE;
	}
	g_signal_connect(d->rtsp, "incoming", G_CALLBACK(on_incoming), d);
	g_socket_service_start(d->rtsp);
	return TRUE;
}

/* ---- Sinks the source connects to (miracastctl connect) ---- */

static void on_connected(GObject *client, GAsyncResult *res, gpointer data)
{
	Display *dp = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) conn =
		g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(client), res, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;		/* the display went: dp with it */
	g_clear_object(&dp->connecting);
	if (conn && session_begin(dp, conn, &error))
		return;
	g_message("%s: %s", dp->name, error->message);
	dp->state = STATE_IDLE;
	finish_connect(dp, error);
	daemon_check_stopped(dp->d);
}

gboolean session_connect(Daemon *d, const char *target, McControlCall *call, GError **error)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	Display *dp = daemon_free_display(d);

	if (!dp) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
			    "no display is free (each has a sink, or streams with --stream-to)");
		return FALSE;
	}
	g_socket_client_set_timeout(client, 10);
	/* a sink is reached directly: no proxy (nor the settings that name one) */
	g_socket_client_set_enable_proxy(client, FALSE);
	dp->connecting = g_cancellable_new();
	dp->connect_call = call;
	dp->state = STATE_NEGOTIATING;
	g_free(dp->host);
	dp->host = g_strdup(target);
	g_message("%s: connecting to a sink at %s", dp->name, target);
	g_socket_client_connect_to_host_async(client, target, 7236, dp->connecting, on_connected,
					      dp);
	return TRUE;
}

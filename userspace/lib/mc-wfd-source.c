// SPDX-License-Identifier: GPL-2.0-only
/*
 * The source side of a Wi-Fi Display session: RTSP M1-M16 as a state
 * machine fed with messages and time.
 */
#include <string.h>

#include "mc-rtsp.h"
#include "mc-wfd-source.h"

#define WFD_URI		"rtsp://localhost/wfd1.0"
#define WFD_REQUIRE	"org.wfa.wfd1.0"
#define WFD_METHODS	"SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER"
#define WFD_PUBLIC	WFD_REQUIRE ", " WFD_METHODS
#define STREAM_PATH	"/wfd1.0/streamid=0"

/* What a request of the source was, to handle its reply. */
typedef enum {
	REQ_M1,
	REQ_M3,
	REQ_M4,		/* the first negotiation */
	REQ_M4_MODE,	/* a new mode */
	REQ_SETUP,	/* M5 triggers */
	REQ_PLAY,
	REQ_PAUSE,
	REQ_TEARDOWN,
	REQ_STANDBY,	/* M12 wfd_standby */
	REQ_KEEPALIVE,	/* M16 */
} Request;

static const char * const request_names[] = {
	[REQ_M1] = "OPTIONS (M1)",
	[REQ_M3] = "GET_PARAMETER (M3)",
	[REQ_M4] = "SET_PARAMETER (M4)",
	[REQ_M4_MODE] = "SET_PARAMETER (M4, new mode)",
	[REQ_SETUP] = "SET_PARAMETER (M5 SETUP)",
	[REQ_PLAY] = "SET_PARAMETER (M5 PLAY)",
	[REQ_PAUSE] = "SET_PARAMETER (M5 PAUSE)",
	[REQ_TEARDOWN] = "SET_PARAMETER (M5 TEARDOWN)",
	[REQ_STANDBY] = "SET_PARAMETER (M12 wfd_standby)",
	[REQ_KEEPALIVE] = "GET_PARAMETER (M16 keepalive)",
};

typedef struct {
	guint cseq;
	Request kind;
	gint64 deadline;
} Pending;

/* What the sink must do next, and by when (besides answering requests). */
typedef enum {
	WAIT_NOTHING,
	WAIT_M2,	/* its OPTIONS */
	WAIT_SETUP,	/* its SETUP after the M5 SETUP trigger */
	WAIT_PLAY,	/* its PLAY after SETUP */
	WAIT_TEARDOWN,	/* its TEARDOWN after the M5 TEARDOWN trigger */
} Wait;

struct _McWfdSource {
	McWfdSourceFuncs funcs;
	gpointer data;
	McWfdSourceCaps caps;
	char *local_address;
	guint16 server_port;
	guint timeout;			/* s */
	char *session_id;

	McWfdSourceState state;
	guint cseq;			/* the last the source used */
	GArray *pending;		/* Pending, in the order sent */
	gboolean m1_done, m2_done;
	Wait wait;
	gint64 wait_deadline;
	gint64 next_keepalive;		/* 0: no keepalives (no session yet) */
	guint keepalives;

	McWfdParams sink;		/* its M3 reply */
	gboolean have_sink;
	McWfdChoice choice;		/* accepted */
	gboolean have_choice;
	McWfdChoice offered;		/* in the M4 in flight */
	gboolean retried;		/* the conservative M4 after a 303 */
	const McWfdResolution *wanted;	/* a mode to set once the M4 in flight is answered */
	gboolean sessioned;		/* SETUP answered: Session id valid */
	guint16 rtp_port;
	gboolean standby;		/* the display sleeps */
};

const char *mc_wfd_source_state_name(McWfdSourceState state)
{
	static const char * const names[] = {
		[MC_WFD_SOURCE_OPTIONS] = "options",
		[MC_WFD_SOURCE_CAPABILITIES] = "capabilities",
		[MC_WFD_SOURCE_NEGOTIATING] = "negotiating",
		[MC_WFD_SOURCE_SETUP] = "setup",
		[MC_WFD_SOURCE_READY] = "ready",
		[MC_WFD_SOURCE_PLAYING] = "playing",
		[MC_WFD_SOURCE_PAUSED] = "paused",
		[MC_WFD_SOURCE_STANDBY] = "standby",
		[MC_WFD_SOURCE_TEARING_DOWN] = "tearing-down",
		[MC_WFD_SOURCE_ENDED] = "ended",
	};

	return state < G_N_ELEMENTS(names) ? names[state] : "?";
}

McWfdSource *mc_wfd_source_new(const McWfdSourceConfig *config, const McWfdSourceFuncs *funcs,
			       gpointer data)
{
	McWfdSource *s = g_new0(McWfdSource, 1);

	s->funcs = *funcs;
	s->data = data;
	s->caps = config->caps;
	s->local_address = g_strdup(config->local_address);
	s->server_port = config->server_port;
	s->timeout = config->session_timeout ? MAX(config->session_timeout, 6)
					     : MC_WFD_DEFAULT_SESSION_TIMEOUT;
	s->session_id = config->session_id ? g_strdup(config->session_id)
					   : g_strdup_printf("%08X", g_random_int());
	s->pending = g_array_new(FALSE, FALSE, sizeof(Pending));
	s->state = MC_WFD_SOURCE_OPTIONS;
	return s;
}

void mc_wfd_source_free(McWfdSource *s)
{
	if (!s)
		return;
	mc_wfd_params_clear(&s->sink);
	g_array_unref(s->pending);
	g_free(s->local_address);
	g_free(s->session_id);
	g_free(s);
}

static void end(McWfdSource *s, McWfdSourceEnd how, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void end(McWfdSource *s, McWfdSourceEnd how, const char *fmt, ...)
{
	g_autofree char *message = NULL;
	va_list ap;

	if (s->state == MC_WFD_SOURCE_ENDED)
		return;
	/*
	 * ending a teardown the source asked for is what it asked for, however
	 * it ends (a keepalive or a new mode still in flight included)
	 */
	if (s->state == MC_WFD_SOURCE_TEARING_DOWN)
		how = MC_WFD_SOURCE_END_LOCAL;
	va_start(ap, fmt);
	message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	s->state = MC_WFD_SOURCE_ENDED;
	g_array_set_size(s->pending, 0);
	s->wait = WAIT_NOTHING;
	s->next_keepalive = 0;
	s->funcs.ended(how, message, s->data);
}

static const char *session_header(McWfdSource *s)
{
	return s->sessioned ? s->session_id : NULL;
}

/* Sends a request of the source and waits for its reply. */
static void request(McWfdSource *s, Request kind, GstRTSPMethod method, const char *uri,
		    const char *body, gint64 now)
{
	Pending p = { .cseq = ++s->cseq, .kind = kind, .deadline = now + MC_WFD_REPLY_TIMEOUT_US };
	GstRTSPMessage *m = mc_rtsp_request_new(method, uri, p.cseq, session_header(s), body);

	if (kind == REQ_M1)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_REQUIRE, WFD_REQUIRE);
	g_array_append_val(s->pending, p);
	s->funcs.send(m, s->data);
	gst_rtsp_message_free(m);
}

static void set_parameter(McWfdSource *s, Request kind, const McWfdParams *params, gint64 now)
{
	g_autofree char *body = mc_wfd_params_format(params);

	request(s, kind, GST_RTSP_SET_PARAMETER, WFD_URI, body, now);
}

static void trigger(McWfdSource *s, Request kind, McWfdTrigger method, gint64 now)
{
	g_auto(McWfdParams) m5 = { 0 };

	m5.trigger_method = method;
	MC_WFD_SET(&m5, MC_WFD_TRIGGER_METHOD);
	set_parameter(s, kind, &m5, now);
}

static void reply(McWfdSource *s, GstRTSPStatusCode code, GstRTSPMessage *req, const char *body)
{
	GstRTSPMessage *m = mc_rtsp_reply_new(code, req, session_header(s), body);

	s->funcs.send(m, s->data);
	gst_rtsp_message_free(m);
}

static void wait_for(McWfdSource *s, Wait what, gint64 deadline)
{
	s->wait = what;
	s->wait_deadline = deadline;
}

/* ---- Negotiation ---- */

static void send_m4(McWfdSource *s, Request kind, const McWfdChoice *choice, gint64 now)
{
	g_auto(McWfdParams) m4 = { 0 };
	g_autofree char *url = g_strdup_printf("rtsp://%s" STREAM_PATH, s->local_address);

	s->offered = *choice;
	mc_wfd_params_set_choice(&m4, choice);
	mc_wfd_params_set_presentation_url(&m4, url, NULL);
	m4.client_rtp_ports = s->sink.client_rtp_ports;	/* echoed (R30) */
	MC_WFD_SET(&m4, MC_WFD_CLIENT_RTP_PORTS);
	set_parameter(s, kind, &m4, now);
	s->state = kind == REQ_M4 ? MC_WFD_SOURCE_NEGOTIATING : s->state;
}

static void send_m3(McWfdSource *s, gint64 now)
{
	static const char * const names[] = {
		"wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports",
		"wfd_display_edid", "wfd_connector_type", "wfd_standby_resume_capability",
		"wfd_content_protection", "wfd_coupled_sink", "wfd_uibc_capability", NULL,
	};
	g_autofree char *body = mc_wfd_names_format(names);

	s->state = MC_WFD_SOURCE_CAPABILITIES;
	wait_for(s, WAIT_NOTHING, 0);
	request(s, REQ_M3, GST_RTSP_GET_PARAMETER, WFD_URI, body, now);
}

/* M3 is sent once M1 is answered and the sink's M2 has come, in either order. */
static void options_done(McWfdSource *s, gint64 now)
{
	if (s->state != MC_WFD_SOURCE_OPTIONS)
		return;
	if (s->m1_done && s->m2_done)
		send_m3(s, now);
	else if (s->m1_done)
		wait_for(s, WAIT_M2, now + MC_WFD_REPLY_TIMEOUT_US);
}

static void on_capabilities(McWfdSource *s, GstRTSPMessage *m, gint64 now)
{
	g_autoptr(GError) error = NULL;
	McWfdChoice choice;
	const char *body;
	gsize len;

	body = mc_rtsp_get_body(m, &len);
	if (!mc_wfd_params_parse(&s->sink, body ? body : "", len, &error)) {
		end(s, MC_WFD_SOURCE_END_PROTOCOL, "the sink's capabilities (M3 reply): %s",
		    error->message);
		return;
	}
	s->have_sink = TRUE;
	if (!MC_WFD_HAS(&s->sink, MC_WFD_CLIENT_RTP_PORTS)) {
		end(s, MC_WFD_SOURCE_END_PROTOCOL,
		    "the sink's capabilities (M3 reply) lack wfd_client_rtp_ports");
		return;
	}
	if (s->sink.client_rtp_ports.profile != MC_WFD_RTP_UDP) {
		end(s, MC_WFD_SOURCE_END_PROTOCOL, "the sink wants RTP over %s: only UDP is sent",
		    mc_wfd_rtp_profile_name(s->sink.client_rtp_ports.profile));
		return;
	}
	if (!mc_wfd_choose(&s->caps, &s->sink, NULL, &choice, &error)) {
		end(s, MC_WFD_SOURCE_END_PROTOCOL, "no format in common with the sink: %s",
		    error->message);
		return;
	}
	if (!s->funcs.capabilities(&s->sink, &choice, s->data, &error)) {
		end(s, MC_WFD_SOURCE_END_REFUSED, "%s", error->message);
		return;
	}
	if (s->state == MC_WFD_SOURCE_CAPABILITIES)
		send_m4(s, REQ_M4, &choice, now);
}

/* The 640x480p60 CBP 3.1 that every sink must take, with its mandatory LPCM. */
static void conservative(McWfdSource *s, McWfdChoice *c)
{
	const McWfdAudioCodecs *a = &s->sink.audio_codecs;

	memset(c, 0, sizeof(*c));
	c->resolution = mc_wfd_resolution(MC_WFD_CEA, 0);
	c->profile = MC_WFD_PROFILE_CBP;
	c->level = MC_WFD_LEVEL_3_1;
	c->audio = MC_WFD_HAS(&s->sink, MC_WFD_AUDIO_CODECS) && a->n_codecs &&
		   s->caps.audio_formats;
	c->audio_format = MC_WFD_AUDIO_LPCM;
	c->audio_mode = mc_wfd_audio_stereo_48k(MC_WFD_AUDIO_LPCM);
}

static void mode_change(McWfdSource *s, gint64 now)
{
	McWfdChoice c;
	g_autoptr(GError) error = NULL;
	const McWfdResolution *r = s->wanted;

	s->wanted = NULL;
	if (!r || r == s->choice.resolution)
		return;
	if (!mc_wfd_choose(&s->caps, &s->sink, r, &c, &error)) {
		end(s, MC_WFD_SOURCE_END_MODE_CHANGE, "mode change: %s", error->message);
		return;
	}
	send_m4(s, REQ_M4_MODE, &c, now);
}

static gboolean m4_in_flight(McWfdSource *s)
{
	for (guint i = 0; i < s->pending->len; i++) {
		Request k = g_array_index(s->pending, Pending, i).kind;

		if (k == REQ_M4 || k == REQ_M4_MODE)
			return TRUE;
	}
	return FALSE;
}

static void on_format_accepted(McWfdSource *s, gint64 now)
{
	s->choice = s->offered;
	s->have_choice = TRUE;
	s->funcs.format(&s->choice, s->data);
	if (s->state == MC_WFD_SOURCE_ENDED)
		return;
	if (s->state == MC_WFD_SOURCE_NEGOTIATING) {
		s->state = MC_WFD_SOURCE_SETUP;
		trigger(s, REQ_SETUP, MC_WFD_TRIGGER_SETUP, now);
	}
	if (s->wanted && !m4_in_flight(s) && s->state != MC_WFD_SOURCE_TEARING_DOWN)
		mode_change(s, now);
}

/* ---- Replies to the source's requests ---- */

static void on_reply(McWfdSource *s, GstRTSPMessage *m, gint64 now)
{
	GstRTSPStatusCode code = GST_RTSP_STS_INVALID;
	g_autofree char *what = mc_rtsp_describe(m);
	Pending p;
	guint cseq, i;

	gst_rtsp_message_parse_response(m, &code, NULL, NULL);
	if (!mc_rtsp_get_cseq(m, &cseq)) {
		g_debug("wfd: a reply without CSeq ignored: %s", what);
		return;
	}
	for (i = 0; i < s->pending->len; i++)
		if (g_array_index(s->pending, Pending, i).cseq == cseq)
			break;
	if (i == s->pending->len) {
		g_debug("wfd: a reply to no request ignored: %s", what);
		return;
	}
	p = g_array_index(s->pending, Pending, i);
	g_array_remove_index(s->pending, i);

	switch (p.kind) {
	case REQ_KEEPALIVE:
		/* any reply is a sign of life (Q9) */
		s->keepalives++;
		return;
	case REQ_PLAY:
	case REQ_PAUSE:
	case REQ_TEARDOWN:
	case REQ_STANDBY:
		if (code != GST_RTSP_STS_OK)
			g_message("wfd: the sink answered %s with %s", request_names[p.kind], what);
		if (p.kind == REQ_STANDBY && code != GST_RTSP_STS_OK &&
		    s->state == MC_WFD_SOURCE_STANDBY)
			trigger(s, REQ_PAUSE, MC_WFD_TRIGGER_PAUSE, now);
		return;
	default:
		break;
	}
	if (code != GST_RTSP_STS_OK && p.kind == REQ_M4 && code == GST_RTSP_STS_SEE_OTHER &&
	    !s->retried) {
		McWfdChoice c;

		/* a 303 to M4: once more with what every sink must take */
		s->retried = TRUE;
		conservative(s, &c);
		g_message("wfd: the sink refused the format (%s): trying 640x480p60", what);
		send_m4(s, REQ_M4, &c, now);
		return;
	}
	if (code != GST_RTSP_STS_OK) {
		end(s, p.kind == REQ_M4_MODE ? MC_WFD_SOURCE_END_MODE_CHANGE
					     : MC_WFD_SOURCE_END_PROTOCOL,
		    "the sink answered %s with %s", request_names[p.kind], what);
		return;
	}
	switch (p.kind) {
	case REQ_M1:
		s->m1_done = TRUE;
		options_done(s, now);
		break;
	case REQ_M3:
		on_capabilities(s, m, now);
		break;
	case REQ_M4:
	case REQ_M4_MODE:
		on_format_accepted(s, now);
		break;
	case REQ_SETUP:
		/* sinks may send their SETUP before this reply; or the session is ending */
		if (s->state == MC_WFD_SOURCE_SETUP)
			wait_for(s, WAIT_SETUP, now + MC_WFD_REPLY_TIMEOUT_US);
		break;
	default:
		break;
	}
}

/* ---- The sink's requests ---- */

static gboolean session_matches(McWfdSource *s, GstRTSPMessage *m)
{
	g_autofree char *id = mc_rtsp_get_session(m);

	/* a missing Session is tolerated (old dongles omit it) */
	return !id || (s->sessioned && !strcmp(id, s->session_id));
}

static void on_setup(McWfdSource *s, GstRTSPMessage *m, const char *uri, gint64 now)
{
	GstRTSPTransport *t = NULL;
	char *value = NULL;
	g_autofree char *transport = NULL, *session = NULL;
	guint16 port, port2 = 0;
	GstRTSPMessage *r;

	if (s->state != MC_WFD_SOURCE_SETUP && s->state != MC_WFD_SOURCE_READY) {
		reply(s, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, m, NULL);
		return;
	}
	if (!g_str_has_suffix(uri, STREAM_PATH)) {
		reply(s, GST_RTSP_STS_NOT_FOUND, m, NULL);
		return;
	}
	if (gst_rtsp_message_get_header(m, GST_RTSP_HDR_TRANSPORT, &value, 0) != GST_RTSP_OK ||
	    gst_rtsp_transport_new(&t) != GST_RTSP_OK)
		value = NULL;
	if (!value || gst_rtsp_transport_parse(value, t) != GST_RTSP_OK ||
	    t->trans != GST_RTSP_TRANS_RTP || t->profile != GST_RTSP_PROFILE_AVP ||
	    t->lower_transport != GST_RTSP_LOWER_TRANS_UDP || t->client_port.min > 65535) {
		if (t)
			gst_rtsp_transport_free(t);
		g_message("wfd: SETUP with an unsupported Transport \"%s\"", value ? value : "");
		reply(s, GST_RTSP_STS_UNSUPPORTED_TRANSPORT, m, NULL);
		return;
	}
	/* no client_port: the one of the capabilities (Q12) */
	port = t->client_port.min > 0 ? t->client_port.min : s->sink.client_rtp_ports.port0;
	if (t->client_port.max > t->client_port.min && t->client_port.max <= 65535)
		port2 = t->client_port.max;
	gst_rtsp_transport_free(t);
	s->rtp_port = port;
	s->sessioned = TRUE;
	transport = port2 ? g_strdup_printf("RTP/AVP/UDP;unicast;client_port=%u-%u;"
					    "server_port=%u-%u", port, port2, s->server_port,
					    s->server_port + 1)
			  : g_strdup_printf("RTP/AVP/UDP;unicast;client_port=%u;server_port=%u",
					    port, s->server_port);
	session = g_strdup_printf("%s;timeout=%u", s->session_id, s->timeout);
	r = mc_rtsp_reply_new(GST_RTSP_STS_OK, m, session, NULL);
	gst_rtsp_message_add_header(r, GST_RTSP_HDR_TRANSPORT, transport);
	s->funcs.send(r, s->data);
	gst_rtsp_message_free(r);
	s->state = MC_WFD_SOURCE_READY;
	wait_for(s, WAIT_PLAY, now + MC_WFD_REPLY_TIMEOUT_US);
	s->next_keepalive = now + (gint64)(s->timeout - 5) * G_USEC_PER_SEC;
}

static void on_play(McWfdSource *s, GstRTSPMessage *m, gint64 now G_GNUC_UNUSED)
{
	GstRTSPMessage *r;

	switch (s->state) {
	case MC_WFD_SOURCE_READY:
	case MC_WFD_SOURCE_PAUSED:
	case MC_WFD_SOURCE_PLAYING:
	case MC_WFD_SOURCE_STANDBY:
		break;
	default:
		reply(s, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, m, NULL);
		return;
	}
	r = mc_rtsp_reply_new(GST_RTSP_STS_OK, m, s->session_id, NULL);
	gst_rtsp_message_add_header(r, GST_RTSP_HDR_RANGE, "npt=now-");
	s->funcs.send(r, s->data);
	gst_rtsp_message_free(r);
	if (s->wait == WAIT_PLAY)
		wait_for(s, WAIT_NOTHING, 0);
	if (s->standby) {
		/* the display sleeps: RTP starts when it wakes (M5 PLAY then) */
		s->state = MC_WFD_SOURCE_STANDBY;
	} else if (s->state != MC_WFD_SOURCE_PLAYING) {
		s->state = MC_WFD_SOURCE_PLAYING;
		s->funcs.play(s->rtp_port, s->data);
	}
}

static void on_pause(McWfdSource *s, GstRTSPMessage *m)
{
	if (s->state != MC_WFD_SOURCE_PLAYING && s->state != MC_WFD_SOURCE_PAUSED &&
	    s->state != MC_WFD_SOURCE_STANDBY) {
		reply(s, GST_RTSP_STS_METHOD_NOT_VALID_IN_THIS_STATE, m, NULL);
		return;
	}
	if (s->state == MC_WFD_SOURCE_PLAYING) {
		s->funcs.pause(s->data);
		s->state = MC_WFD_SOURCE_PAUSED;
	}
	reply(s, GST_RTSP_STS_OK, m, NULL);
}

static void on_teardown(McWfdSource *s, GstRTSPMessage *m)
{
	GstRTSPMessage *r;

	/* RTP stops before the reply (R45) */
	if (s->state == MC_WFD_SOURCE_PLAYING)
		s->funcs.pause(s->data);
	r = mc_rtsp_reply_new(GST_RTSP_STS_OK, m, session_header(s), NULL);
	gst_rtsp_message_add_header(r, GST_RTSP_HDR_CONNECTION, "close");
	s->funcs.send(r, s->data);
	gst_rtsp_message_free(r);
	end(s, MC_WFD_SOURCE_END_TEARDOWN, "the sink tore the session down");
}

static void on_sink_set_parameter(McWfdSource *s, GstRTSPMessage *m)
{
	g_auto(McWfdParams) p = { 0 };
	g_autoptr(GError) error = NULL;
	const char *body;
	gsize len;

	body = mc_rtsp_get_body(m, &len);
	if (!mc_wfd_params_parse(&p, body ? body : "", len, &error)) {
		g_message("wfd: the sink's SET_PARAMETER: %s", error->message);
		reply(s, GST_RTSP_STS_BAD_REQUEST, m, NULL);
		return;
	}
	/* unknown parameters, wfd_route, wfd_connector_type, UIBC: taken note of (R43) */
	reply(s, GST_RTSP_STS_OK, m, NULL);
	if (MC_WFD_HAS(&p, MC_WFD_STANDBY) && s->state == MC_WFD_SOURCE_PLAYING) {
		/* the sink sleeps: RTP stops until it PLAYs again */
		s->funcs.pause(s->data);
		s->state = MC_WFD_SOURCE_PAUSED;
	}
	if (MC_WFD_HAS(&p, MC_WFD_IDR_REQUEST) && s->state == MC_WFD_SOURCE_PLAYING)
		s->funcs.idr(s->data);
}

static void on_sink_get_parameter(McWfdSource *s, GstRTSPMessage *m)
{
	g_auto(McWfdParams) none = { 0 };
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL;
	g_autofree char *body = NULL;
	const char *text;
	gsize len;

	text = mc_rtsp_get_body(m, &len);
	names = mc_wfd_names_parse(text ? text : "", len, &error);
	if (!names) {
		g_message("wfd: the sink's GET_PARAMETER: %s", error->message);
		reply(s, GST_RTSP_STS_BAD_REQUEST, m, NULL);
		return;
	}
	/* a source has nothing to tell: "none" to each (an empty body is a keepalive) */
	body = names[0] ? mc_wfd_params_format_reply(&none, (const char * const *)names) : NULL;
	reply(s, GST_RTSP_STS_OK, m, body);
}

static void on_request(McWfdSource *s, GstRTSPMessage *m, gint64 now)
{
	GstRTSPMethod method = GST_RTSP_INVALID;
	GstRTSPMessage *r;
	const char *uri = NULL;
	guint cseq;

	gst_rtsp_message_parse_request(m, &method, &uri, NULL);
	if (!mc_rtsp_get_cseq(m, &cseq)) {
		reply(s, GST_RTSP_STS_BAD_REQUEST, m, NULL);
		return;
	}
	if (method != GST_RTSP_OPTIONS && method != GST_RTSP_SETUP && !session_matches(s, m)) {
		reply(s, GST_RTSP_STS_SESSION_NOT_FOUND, m, NULL);
		return;
	}
	switch (method) {
	case GST_RTSP_OPTIONS:
		r = mc_rtsp_reply_new(GST_RTSP_STS_OK, m, session_header(s), NULL);
		gst_rtsp_message_add_header(r, GST_RTSP_HDR_PUBLIC, WFD_PUBLIC);
		s->funcs.send(r, s->data);
		gst_rtsp_message_free(r);
		if (!s->m2_done) {
			s->m2_done = TRUE;
			if (s->wait == WAIT_M2)
				wait_for(s, WAIT_NOTHING, 0);
			options_done(s, now);
		}
		break;
	case GST_RTSP_SETUP:
		on_setup(s, m, uri ? uri : "", now);
		break;
	case GST_RTSP_PLAY:
		on_play(s, m, now);
		break;
	case GST_RTSP_PAUSE:
		on_pause(s, m);
		break;
	case GST_RTSP_TEARDOWN:
		on_teardown(s, m);
		break;
	case GST_RTSP_SET_PARAMETER:
		on_sink_set_parameter(s, m);
		break;
	case GST_RTSP_GET_PARAMETER:
		on_sink_get_parameter(s, m);
		break;
	default:
		r = mc_rtsp_reply_new(GST_RTSP_STS_METHOD_NOT_ALLOWED, m, session_header(s), NULL);
		gst_rtsp_message_add_header(r, GST_RTSP_HDR_ALLOW, WFD_METHODS);
		s->funcs.send(r, s->data);
		gst_rtsp_message_free(r);
		break;
	}
}

/* ---- The caller's side ---- */

void mc_wfd_source_start(McWfdSource *s, gint64 now)
{
	request(s, REQ_M1, GST_RTSP_OPTIONS, "*", NULL, now);
}

void mc_wfd_source_receive(McWfdSource *s, GstRTSPMessage *m, gint64 now)
{
	if (s->state == MC_WFD_SOURCE_ENDED)
		return;
	if (m->type == GST_RTSP_MESSAGE_RESPONSE)
		on_reply(s, m, now);
	else if (m->type == GST_RTSP_MESSAGE_REQUEST)
		on_request(s, m, now);
}

void mc_wfd_source_closed(McWfdSource *s, const GError *error, gint64 now G_GNUC_UNUSED)
{
	if (error)
		end(s, MC_WFD_SOURCE_END_CLOSED, "the connection to the sink broke: %s",
		    error->message);
	else
		end(s, MC_WFD_SOURCE_END_CLOSED, "the sink closed the connection");
}

static const char * const wait_names[] = {
	[WAIT_M2] = "send its OPTIONS (M2)",
	[WAIT_SETUP] = "SETUP (M6) after the trigger",
	[WAIT_PLAY] = "PLAY (M7) after SETUP",
	[WAIT_TEARDOWN] = "TEARDOWN (M8) after the trigger",
};

void mc_wfd_source_tick(McWfdSource *s, gint64 now)
{
	guint i;

	if (s->state == MC_WFD_SOURCE_ENDED)
		return;
	for (i = 0; i < s->pending->len; i++) {
		Pending *p = &g_array_index(s->pending, Pending, i);

		if (now >= p->deadline) {
			end(s, MC_WFD_SOURCE_END_TIMEOUT, "the sink did not answer %s (CSeq %u) "
			    "within %d s", request_names[p->kind], p->cseq,
			    (int)(MC_WFD_REPLY_TIMEOUT_US / G_USEC_PER_SEC));
			return;
		}
	}
	if (s->wait != WAIT_NOTHING && now >= s->wait_deadline) {
		if (s->wait == WAIT_TEARDOWN)
			end(s, MC_WFD_SOURCE_END_LOCAL, "the sink did not send TEARDOWN within "
			    "2 s: the connection is closed");
		else
			end(s, MC_WFD_SOURCE_END_TIMEOUT, "the sink did not %s in time",
			    wait_names[s->wait]);
		return;
	}
	if (s->next_keepalive && now >= s->next_keepalive) {
		request(s, REQ_KEEPALIVE, GST_RTSP_GET_PARAMETER, WFD_URI, NULL, now);
		s->next_keepalive = now + (gint64)(s->timeout - 5) * G_USEC_PER_SEC;
	}
}

gint64 mc_wfd_source_next_deadline(McWfdSource *s)
{
	gint64 t = G_MAXINT64;
	guint i;

	if (s->state == MC_WFD_SOURCE_ENDED)
		return t;
	for (i = 0; i < s->pending->len; i++)
		t = MIN(t, g_array_index(s->pending, Pending, i).deadline);
	if (s->wait != WAIT_NOTHING)
		t = MIN(t, s->wait_deadline);
	if (s->next_keepalive)
		t = MIN(t, s->next_keepalive);
	return t;
}

gboolean mc_wfd_source_set_mode(McWfdSource *s, const McWfdResolution *r, gint64 now,
				GError **error)
{
	g_autoptr(GPtrArray) common = NULL;

	if (!s->have_sink) {
		g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_MISSING,
			    "the sink's capabilities are not known yet");
		return FALSE;
	}
	common = mc_wfd_common_modes(&s->caps, &s->sink);
	if (!g_ptr_array_find(common, r, NULL)) {
		g_autofree char *name = mc_wfd_resolution_name(r);

		g_set_error(error, MC_WFD_ERROR, MC_WFD_ERROR_NO_MATCH,
			    "the sink does not take %s", name);
		return FALSE;
	}
	s->wanted = r;
	if (s->have_choice && !m4_in_flight(s) && s->state != MC_WFD_SOURCE_ENDED &&
	    s->state != MC_WFD_SOURCE_TEARING_DOWN)
		mode_change(s, now);
	return TRUE;
}

void mc_wfd_source_standby(McWfdSource *s, gboolean standby, gint64 now)
{
	g_auto(McWfdParams) m12 = { 0 };

	if (s->standby == standby)
		return;
	s->standby = standby;
	if (standby && s->state == MC_WFD_SOURCE_PLAYING) {
		s->funcs.pause(s->data);
		s->state = MC_WFD_SOURCE_STANDBY;
		if (s->sink.standby_resume_capability) {
			MC_WFD_SET(&m12, MC_WFD_STANDBY);
			set_parameter(s, REQ_STANDBY, &m12, now);
		} else {
			trigger(s, REQ_PAUSE, MC_WFD_TRIGGER_PAUSE, now);
		}
	} else if (!standby && (s->state == MC_WFD_SOURCE_STANDBY ||
				s->state == MC_WFD_SOURCE_PAUSED)) {
		/* the sink PLAYs in answer: RTP resumes then, from an IDR frame */
		s->state = MC_WFD_SOURCE_PAUSED;
		trigger(s, REQ_PLAY, MC_WFD_TRIGGER_PLAY, now);
	}
}

void mc_wfd_source_teardown(McWfdSource *s, gint64 now)
{
	switch (s->state) {
	case MC_WFD_SOURCE_ENDED:
	case MC_WFD_SOURCE_TEARING_DOWN:
		return;
	case MC_WFD_SOURCE_OPTIONS:
	case MC_WFD_SOURCE_CAPABILITIES:
	case MC_WFD_SOURCE_NEGOTIATING:
		/* nothing to tear down yet */
		end(s, MC_WFD_SOURCE_END_LOCAL, "the session was stopped before it was set up");
		return;
	case MC_WFD_SOURCE_PLAYING:
		s->funcs.pause(s->data);
		break;
	default:
		break;
	}
	s->state = MC_WFD_SOURCE_TEARING_DOWN;
	trigger(s, REQ_TEARDOWN, MC_WFD_TRIGGER_TEARDOWN, now);
	s->next_keepalive = 0;
	wait_for(s, WAIT_TEARDOWN, now + MC_WFD_TEARDOWN_TIMEOUT_US);
}

McWfdSourceState mc_wfd_source_get_state(McWfdSource *s)
{
	return s->state;
}

const McWfdParams *mc_wfd_source_get_sink(McWfdSource *s)
{
	return s->have_sink ? &s->sink : NULL;
}

const McWfdChoice *mc_wfd_source_get_choice(McWfdSource *s)
{
	return s->have_choice ? &s->choice : NULL;
}

const char *mc_wfd_source_get_session_id(McWfdSource *s)
{
	return s->session_id;
}

guint mc_wfd_source_get_session_timeout(McWfdSource *s)
{
	return s->timeout;
}

guint16 mc_wfd_source_get_rtp_port(McWfdSource *s)
{
	return s->rtp_port;
}

guint mc_wfd_source_get_keepalives(McWfdSource *s)
{
	return s->keepalives;
}

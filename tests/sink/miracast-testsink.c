// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast-testsink: a Wi-Fi Display sink for tests and demonstrations
 * (docs/testsink.md). It plays the sink's side of the RTSP session (M1-M16)
 * against a source as one of several real or misbehaving sinks
 * (sink-profiles.c), receives and decodes the stream (sink-media.c), checks
 * both as a strict sink would, and ends with a summary of key=value lines.
 *
 *   miracast-testsink --connect HOST[:PORT] | --listen [ADDR:]PORT | --p2p CTRL [options]
 *
 * Exit status: 0 when the session went as the profile intends (a faithful
 * sink: PLAY reached, pictures decoded, every check passed, torn down by
 * either side), 1 otherwise, 2 for bad options.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "mc-dhcp.h"
#include "mc-rtsp.h"
#include "mc-wfd.h"
#include "sink-check.h"
#include "sink-media.h"
#include "sink-p2p.h"
#include "sink-profiles.h"

#define WFD_URI			"rtsp://localhost/wfd1.0"
#define WFD_REQUIRE		"org.wfa.wfd1.0"
#define SINK_PUBLIC		WFD_REQUIRE ", GET_PARAMETER, SET_PARAMETER"
#define STREAM_PATH		"/wfd1.0/streamid=0"
#define DEFAULT_PORT		7236
#define DEFAULT_RTP_PORT	19000
#define DEFAULT_TIMEOUT		60	/* s, RTSP's default when the SETUP reply has none */
#define REPLY_TIMEOUT_S		5	/* for each request of the sink */
#define WATCHDOG_GRACE_S	5	/* the session dies timeout + this after the last M16 */
#define PLAY_WITHIN_S		30	/* from connecting to PLAY */
#define ABORT_WITHIN_S		5	/* broken-params: the source gives up within */
#define CONNECT_RETRY_S		10	/* --connect retries a refused connection so long */
#define P2P_CONNECT_RETRY_S	30	/* --p2p: and an unreachable one, the link being new */
#define P2P_CONNECT_TIMEOUT_S	5	/* each attempt (a SYN may go unanswered) */
#define CONNECT_RETRY_MS	200
#define LINGER_MS		1500	/* after the end: does RTP stop? */
#define DRAIN_MS		10000	/* and the decoder catch up, at most */
#define CODE_SYNTAX		415	/* 303 bodies: a parameter that does not parse */
#define CODE_RANGE		457	/* one outside what the sink has or the grammar allows */

typedef struct {
	char *connect, *listen, *profile, *snapshot_dir, *stats, *log;
	char *p2p, *p2p_pin;
	gint rtp_port, snapshot_every, keepalive_delay, p2p_go_intent;
	gdouble duration, idr_request_after, vanish_after, drop_after;
	gboolean pattern, list_profiles, verbose, p2p_unavailable, p2p_dhcp;
} Options;

/* The sink's own requests. */
typedef enum { REQ_M2, REQ_SETUP, REQ_PLAY, REQ_PAUSE, REQ_TEARDOWN, REQ_IDR } Request;

static const char *const request_labels[] = {
	[REQ_M2] = "M2", [REQ_SETUP] = "M6", [REQ_PLAY] = "M7", [REQ_PAUSE] = "M9",
	[REQ_TEARDOWN] = "M8", [REQ_IDR] = "M13",
};

typedef enum {
	ENDED_NOT,
	ENDED_SOURCE_TEARDOWN,	/* M5 TEARDOWN from the source */
	ENDED_SINK_TEARDOWN,	/* --duration, or SIGINT/SIGTERM */
	ENDED_SOURCE_CLOSED,	/* TCP closed by the source without a teardown */
	ENDED_WATCHDOG,		/* no M16 for timeout + 5 s */
	ENDED_SINK_DROPPED,	/* the drop profile closed TCP */
	ENDED_SINK_ERROR,	/* the sink gave up: see result */
	ENDED_GROUP_REMOVED,	/* --p2p: the P2P group went away under the session */
} Ended;

static const char *const ended_names[] = {
	[ENDED_NOT] = "-", [ENDED_SOURCE_TEARDOWN] = "source-teardown",
	[ENDED_SINK_TEARDOWN] = "sink-teardown", [ENDED_SOURCE_CLOSED] = "source-closed",
	[ENDED_WATCHDOG] = "watchdog", [ENDED_SINK_DROPPED] = "sink-dropped",
	[ENDED_SINK_ERROR] = "sink-error", [ENDED_GROUP_REMOVED] = "group-removed",
};

typedef enum { ST_NEGOTIATING, ST_SETUP, ST_READY, ST_PLAYING, ST_PAUSED, ST_ENDING, ST_DONE }
	State;

typedef struct _Sink Sink;

typedef struct {
	Sink *sink;
	guint cseq;
	Request kind;
	guint timer;
} Pending;

/* An M16 reply the late-keepalive profile holds back. */
typedef struct {
	Sink *sink;
	GstRTSPMessage *request;
	gint64 received;
	guint timer;
} LateReply;

struct _Sink {
	Options opt;
	const SinkProfile *profile;
	McWfdParams caps;		/* the profile's answers, parsed */
	GMainLoop *loop;
	GSocketListener *listener;
	McRtsp *rtsp;
	McRtsp *closed_rtsp;		/* freed at the end: its callback may be running */
	SinkMedia *media;
	guint16 rtp_port;
	FILE *log;
	gint64 t0;
	SinkP2p *p2p;			/* --p2p */
	GSocketClient *client;		/* connecting to the source */
	char *connect_spec;
	gint64 connect_until;
	guint t_connect;
	gboolean quitting;

	State state;
	Ended ended;
	guint next_cseq;
	GList *pending;			/* of Pending */
	GList *late;			/* of LateReply */
	gboolean got_request;
	guint source_cseq;		/* the last of the source's requests */
	gboolean vanished;
	GPtrArray *failures;		/* char *, in order */

	gboolean have_m4;
	McWfdParams m4;			/* the last M4 accepted (merged) */
	McWfdChoice choice;
	guint m4_count, mode_changes, standbys;
	guint duplicate_cseq;		/* messages of the source with two CSeq headers */
	char *url, *session;
	guint timeout;			/* s, from the SETUP reply */
	gboolean played;
	gint64 play_us, end_us;
	guint keepalives, late_replies_sent;
	gint64 last_keepalive_us, max_keepalive_interval_us;

	guint t_watchdog, t_duration, t_idr, t_misbehave, t_deadline, t_linger, t_signal[2];
	SinkCheck m1, m2, m3, m4_check, setup, m16, cseq, session_check, replies;
};

static void end_session(Sink *s, Ended how, gboolean teardown);

static gint64 now_us(void)
{
	return g_get_monotonic_time();
}

/* ---- Log --------------------------------------------------------------- */

G_GNUC_PRINTF(2, 3)
static void note(Sink *s, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (s->log)
		fprintf(s->log, "%8" G_GINT64_FORMAT " #   %s\n", (now_us() - s->t0) / 1000, text);
	if (s->opt.verbose)
		g_printerr("miracast-testsink: %s\n", text);
}

G_GNUC_PRINTF(2, 3)
static void sink_fail(Sink *s, const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(s->failures, text);
	g_printerr("miracast-testsink: %s\n", text);
	if (s->log)
		fprintf(s->log, "%8" G_GINT64_FORMAT " !   %s\n", (now_us() - s->t0) / 1000, text);
}

static void log_line(Sink *s, gint64 ms, const char *dir, const char *label, const char *text)
{
	if (s->log)
		fprintf(s->log, "%8" G_GINT64_FORMAT " %s %-3s %s\n", ms, dir, label, text);
	if (s->opt.verbose)
		g_printerr("%8" G_GINT64_FORMAT " %s %-3s %s\n", ms, dir, label, text);
}

/* First line (with CSeq and Session), then the body's lines. dir: "<" in, ">" out. */
static void log_message(Sink *s, const char *dir, const char *label, GstRTSPMessage *m)
{
	gint64 ms = (now_us() - s->t0) / 1000;
	g_autofree char *session = mc_rtsp_get_session(m);
	g_autofree char *first = NULL;
	g_auto(GStrv) lines = NULL;
	GstRTSPMethod method;
	GstRTSPStatusCode code;
	const char *uri = NULL, *reason = NULL, *body;
	guint cseq = 0;
	gsize len;

	if (!s->log && !s->opt.verbose)
		return;
	if (!mc_rtsp_get_cseq(m, &cseq))
		cseq = G_MAXUINT;
	if (m->type == GST_RTSP_MESSAGE_REQUEST &&
	    gst_rtsp_message_parse_request(m, &method, &uri, NULL) == GST_RTSP_OK)
		first = g_strdup_printf("%s %s RTSP/1.0", gst_rtsp_method_as_text(method), uri);
	else if (gst_rtsp_message_parse_response(m, &code, &reason, NULL) == GST_RTSP_OK)
		first = g_strdup_printf("RTSP/1.0 %d %s", code, reason ? reason : "");
	else
		first = g_strdup("?");
	if (cseq != G_MAXUINT || session) {
		g_autofree char *line = g_strdup_printf("%s  [CSeq %d%s%s]", first,
							 cseq == G_MAXUINT ? -1 : (int)cseq,
							 session ? ", Session " : "",
							 session ? session : "");

		log_line(s, ms, dir, label, line);
	} else {
		log_line(s, ms, dir, label, first);
	}
	body = mc_rtsp_get_body(m, &len);
	if (!body)
		return;
	{
		g_autofree char *text = g_strndup(body, len);

		lines = g_strsplit(text, "\n", -1);
	}
	for (guint i = 0; lines[i]; i++) {
		g_autofree char *line = g_strdup_printf("    %s", g_strchomp(lines[i]));

		if (lines[i][0] || lines[i + 1])
			log_line(s, ms, dir, "", line);
	}
}

/* ---- Sending ------------------------------------------------------------ */

static void send_message(Sink *s, GstRTSPMessage *m, const char *label)
{
	g_autoptr(GError) error = NULL;

	log_message(s, ">", label, m);
	if (s->rtsp && !mc_rtsp_send(s->rtsp, m, &error))
		sink_fail(s, "%s", error->message);
	gst_rtsp_message_free(m);
}

static void reply(Sink *s, GstRTSPMessage *req, GstRTSPStatusCode code, const char *body,
		  const char *label)
{
	send_message(s, mc_rtsp_reply_new(code, req, s->session, body), label);
}

static gboolean on_reply_timeout(gpointer data)
{
	Pending *p = data;
	Sink *s = p->sink;
	Request kind = p->kind;

	p->timer = 0;
	s->pending = g_list_remove(s->pending, p);
	g_free(p);
	sink_fail(s, "the source did not answer %s within %d s", request_labels[kind],
		  REPLY_TIMEOUT_S);
	end_session(s, ENDED_SINK_ERROR, FALSE);
	return G_SOURCE_REMOVE;
}

/* A request of the sink, waiting for its reply. */
static void request(Sink *s, Request kind, GstRTSPMethod method, const char *uri,
		    const char *session, const char *body, const char *transport)
{
	Pending *p = g_new0(Pending, 1);
	GstRTSPMessage *m;

	p->sink = s;
	p->kind = kind;
	p->cseq = s->next_cseq++;
	m = mc_rtsp_request_new(method, uri, p->cseq, session, body);
	if (kind == REQ_M2)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_REQUIRE, WFD_REQUIRE);
	if (transport)
		gst_rtsp_message_add_header(m, GST_RTSP_HDR_TRANSPORT, transport);
	p->timer = g_timeout_add_seconds(REPLY_TIMEOUT_S, on_reply_timeout, p);
	s->pending = g_list_append(s->pending, p);
	send_message(s, m, request_labels[kind]);
}

static void send_m2(Sink *s)
{
	request(s, REQ_M2, GST_RTSP_OPTIONS, "*", NULL, NULL, NULL);
}

static void send_play(Sink *s)
{
	sink_media_play(s->media, now_us());
	request(s, REQ_PLAY, GST_RTSP_PLAY, s->url, s->session, NULL, NULL);
}

/* ---- Timers ------------------------------------------------------------- */

static void clear_timer(guint *id)
{
	if (*id)
		g_source_remove(*id);
	*id = 0;
}

static gboolean on_watchdog(gpointer data)
{
	Sink *s = data;

	s->t_watchdog = 0;
	sink_fail(s, "no M16 keepalive for %u s (session timeout %u s + %d): the session is "
		  "dead", s->timeout + WATCHDOG_GRACE_S, s->timeout, WATCHDOG_GRACE_S);
	end_session(s, ENDED_WATCHDOG, TRUE);
	return G_SOURCE_REMOVE;
}

static void arm_watchdog(Sink *s)
{
	clear_timer(&s->t_watchdog);
	if (!s->vanished)
		s->t_watchdog = g_timeout_add_seconds(s->timeout + WATCHDOG_GRACE_S, on_watchdog,
						      s);
}

static gboolean on_deadline(gpointer data)
{
	Sink *s = data;

	s->t_deadline = 0;
	if (s->profile->behaviour == SINK_BROKEN_PARAMS)
		sink_fail(s, "the source did not give up within %d s of the malformed M3 reply",
			  ABORT_WITHIN_S);
	else if (s->vanished)
		sink_fail(s, "the source kept the session %u s after the sink stopped answering",
			  s->timeout + 2 * WATCHDOG_GRACE_S);
	else
		sink_fail(s, "no PLAY within %d s of connecting", PLAY_WITHIN_S);
	end_session(s, ENDED_SINK_ERROR, FALSE);
	return G_SOURCE_REMOVE;
}

static void arm_deadline(Sink *s, guint seconds)
{
	clear_timer(&s->t_deadline);
	s->t_deadline = g_timeout_add_seconds(seconds, on_deadline, s);
}

static gboolean on_duration(gpointer data)
{
	Sink *s = data;

	s->t_duration = 0;
	note(s, "--duration: the sink tears the session down");
	end_session(s, ENDED_SINK_TEARDOWN, TRUE);
	return G_SOURCE_REMOVE;
}

static gboolean on_idr_request(gpointer data)
{
	Sink *s = data;
	g_auto(McWfdParams) m13 = { 0 };
	g_autofree char *body = NULL;

	s->t_idr = 0;
	MC_WFD_SET(&m13, MC_WFD_IDR_REQUEST);
	body = mc_wfd_params_format(&m13);
	sink_media_idr_requested(s->media, now_us());
	request(s, REQ_IDR, GST_RTSP_SET_PARAMETER, WFD_URI, s->session, body, NULL);
	return G_SOURCE_REMOVE;
}

static gboolean on_misbehave(gpointer data)
{
	Sink *s = data;

	s->t_misbehave = 0;
	if (s->profile->behaviour == SINK_DROP) {
		note(s, "--drop-after: the sink closes the connection without TEARDOWN");
		g_clear_pointer(&s->rtsp, mc_rtsp_free);
		end_session(s, ENDED_SINK_DROPPED, FALSE);
	} else {
		note(s, "--vanish-after: the sink stops answering");
		s->vanished = TRUE;
		clear_timer(&s->t_watchdog);
		clear_timer(&s->t_duration);
		clear_timer(&s->t_idr);
		arm_deadline(s, s->timeout + 2 * WATCHDOG_GRACE_S);
	}
	return G_SOURCE_REMOVE;
}

static guint timer_ms(gdouble seconds, GSourceFunc func, Sink *s)
{
	return g_timeout_add(MAX((guint)(seconds * 1000), 1), func, s);
}

/* PLAY answered for the first time: the timers of the options start. */
static void started(Sink *s)
{
	s->played = TRUE;
	s->play_us = now_us();
	clear_timer(&s->t_deadline);
	if (s->opt.duration > 0)
		s->t_duration = timer_ms(s->opt.duration, on_duration, s);
	if (s->opt.idr_request_after >= 0)
		s->t_idr = timer_ms(s->opt.idr_request_after, on_idr_request, s);
	if (s->profile->behaviour == SINK_DROP)
		s->t_misbehave = timer_ms(s->opt.drop_after, on_misbehave, s);
	if (s->profile->behaviour == SINK_VANISH)
		s->t_misbehave = timer_ms(s->opt.vanish_after, on_misbehave, s);
}

/* ---- The end ------------------------------------------------------------- */

static void quit_loop(gpointer data)
{
	Sink *s = data;

	g_main_loop_quit(s->loop);
}

/* The end of the run: with --p2p the group goes first (R9); then the summary. */
static void quit(Sink *s)
{
	if (s->quitting)
		return;
	s->quitting = TRUE;
	clear_timer(&s->t_connect);
	if (s->p2p)
		sink_p2p_remove_group(s->p2p, quit_loop, s);
	else
		quit_loop(s);
}

/* After the end: RTP should stop, and the decoder finish what came (a slow machine). */
static gboolean on_linger(gpointer data)
{
	Sink *s = data;
	gint64 after = (now_us() - s->end_us) / 1000;

	if (after < LINGER_MS || (!sink_media_drained(s->media) && after < DRAIN_MS))
		return G_SOURCE_CONTINUE;
	s->t_linger = 0;
	quit(s);
	return G_SOURCE_REMOVE;
}

static void free_late(LateReply *l)
{
	clear_timer(&l->timer);
	gst_rtsp_message_free(l->request);
	g_free(l);
}

static void free_pending(Pending *p)
{
	clear_timer(&p->timer);
	g_free(p);
}

/* The connection is over: what is queued goes, RTP must stop, the summary follows. */
static void finish(Sink *s)
{
	if (s->state == ST_DONE)
		return;
	s->state = ST_DONE;
	s->end_us = now_us();
	if (s->rtsp) {
		mc_rtsp_close(s->rtsp);
		s->rtsp = NULL;
	}
	g_list_free_full(g_steal_pointer(&s->pending), (GDestroyNotify)free_pending);
	g_list_free_full(g_steal_pointer(&s->late), (GDestroyNotify)free_late);
	clear_timer(&s->t_deadline);
	sink_media_ended(s->media, now_us());
	note(s, "the session ended: %s", ended_names[s->ended]);
	s->t_linger = g_timeout_add(LINGER_MS / 3, on_linger, s);
}

/* Ends the session how (the first reason stays), with a TEARDOWN if asked and possible. */
static void end_session(Sink *s, Ended how, gboolean teardown)
{
	if (s->ended == ENDED_NOT)
		s->ended = how;
	if (s->state == ST_ENDING || s->state == ST_DONE)
		return;
	clear_timer(&s->t_watchdog);
	clear_timer(&s->t_duration);
	clear_timer(&s->t_idr);
	clear_timer(&s->t_misbehave);
	clear_timer(&s->t_deadline);
	if (teardown && s->session && s->rtsp && !s->vanished) {
		s->state = ST_ENDING;
		request(s, REQ_TEARDOWN, GST_RTSP_TEARDOWN, s->url, s->session, NULL, NULL);
		return;
	}
	finish(s);
}

/* ---- The source's requests ------------------------------------------------ */

/* The parameter an mc-wfd error names ("wfd_audio_codecs: ..."), or fallback. */
static const char *error_param(const GError *error, const char *fallback)
{
	const char *colon = strchr(error->message, ':');
	g_autofree char *name = colon ? g_strndup(error->message, colon - error->message)
				      : NULL;
	McWfdParam p;

	return name && mc_wfd_param_from_name(name, &p) ? mc_wfd_param_name(p) : fallback;
}

/* One line of a 303 body, and the reason for the summary. */
static void refuse(GString *body, GString *why, const char *param, guint code, const char *text)
{
	g_string_append_printf(body, "%s: %u\r\n", param, code);
	g_string_append_printf(why, "%s%s", why->len ? "; " : "", text);
}

/* The sink's entry that has the choice's mode in its profile, within its level. */
static gboolean video_advertised(const McWfdParams *caps, const McWfdChoice *c, GString *why)
{
	const McWfdVideoFormats *v = &caps->video_formats;
	const McWfdResolution *r = c->resolution;
	g_autofree char *mode = mc_wfd_resolution_name(r);
	gboolean has_mode = FALSE, has_profile = FALSE;

	for (guint i = 0; !v->none && i < v->n_codecs; i++) {
		const McWfdH264Codec *e = &v->codecs[i];
		guint32 mask = r->table == MC_WFD_CEA ? e->cea : r->table == MC_WFD_VESA ? e->vesa
										 : e->hh;

		if (!(mask & 1u << r->bit))
			continue;
		has_mode = TRUE;
		if (!(e->profile & c->profile))
			continue;
		has_profile = TRUE;
		if (c->level <= mc_wfd_level_highest(e->level))
			return TRUE;
	}
	if (!has_mode)
		g_string_printf(why, "wfd_video_formats: %s (%s bit %u) was not advertised", mode,
				mc_wfd_table_name(r->table), r->bit);
	else if (!has_profile)
		g_string_printf(why, "wfd_video_formats: %s was not advertised in %s", mode,
				mc_wfd_profile_name(c->profile));
	else
		g_string_printf(why, "wfd_video_formats: level %s is above the sink's for %s",
				mc_wfd_level_name(c->level), mode);
	return FALSE;
}

static gboolean audio_advertised(const McWfdParams *caps, const McWfdChoice *c, GString *why)
{
	const McWfdAudioCodecs *a = &caps->audio_codecs;

	if (!a->n_codecs && c->audio) {
		g_string_printf(why, "wfd_audio_codecs: %s, but the sink takes no audio",
				mc_wfd_audio_format_name(c->audio_format));
		return FALSE;
	}
	if (a->n_codecs && !c->audio) {
		g_string_printf(why, "wfd_audio_codecs: none, but the sink offered audio (R28)");
		return FALSE;
	}
	for (guint i = 0; c->audio && i < a->n_codecs; i++)
		if (a->codecs[i].format == c->audio_format && (a->codecs[i].modes & c->audio_mode))
			return TRUE;
	if (!c->audio)
		return TRUE;
	g_string_printf(why, "wfd_audio_codecs: %s %08X was not offered",
			mc_wfd_audio_format_name(c->audio_format), c->audio_mode);
	return FALSE;
}

/* rtsp://<the source's address>[:port]/wfd1.0/streamid=0 (R29) */
static gboolean url_valid(Sink *s, const McWfdPresentationUrl *u, GString *why)
{
	const char *peer = mc_rtsp_get_peer_address(s->rtsp);
	const char *host = u->url0 && g_str_has_prefix(u->url0, "rtsp://") ? u->url0 + 7 : NULL;
	const char *rest = host ? host + strcspn(host, ":/") : NULL;

	if (rest && *rest == ':') {
		rest++;
		rest += strspn(rest, "0123456789");
	}
	if (!u->url0 || !host || strcmp(rest, STREAM_PATH) ||
	    strncmp(host, peer, strcspn(host, ":/")) || strlen(peer) != strcspn(host, ":/")) {
		g_string_printf(why, "wfd_presentation_URL: %s is not rtsp://%s%s",
				u->url0 ? u->url0 : "none", peer, STREAM_PATH);
		return FALSE;
	}
	if (u->url1) {
		g_string_printf(why, "wfd_presentation_URL: a secondary sink's URL %s", u->url1);
		return FALSE;
	}
	return TRUE;
}

/* M4: the format the source sets, checked against the grammar and what the sink offered. */
static void on_m4(Sink *s, GstRTSPMessage *req, const McWfdParams *p)
{
	g_auto(McWfdParams) m4 = { 0 };
	g_autoptr(GString) body = g_string_new(NULL);
	g_autoptr(GString) why = g_string_new(NULL);
	g_autoptr(GString) one = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	const McWfdClientRtpPorts *ports = &m4.client_rtp_ports;
	g_autofree char *mode = NULL;
	McWfdChoice c;

	s->m4_count++;
	if (s->profile->behaviour == SINK_BROKEN_PARAMS)
		sink_fail(s, "the source sent an M4 after a malformed M3 reply");
	/* a new M4 may carry only what changes: the rest stays as the last one set it */
	if (s->have_m4)
		mc_wfd_params_copy(&m4, &s->m4);
	for (guint i = 0; i < MC_WFD_N_PARAMS; i++) {
		g_autofree char *value = MC_WFD_HAS(p, i) ? mc_wfd_param_format(p, i) : NULL;

		if (value)
			mc_wfd_param_parse(&m4, i, value, NULL);
	}
	if (!mc_wfd_choice_from_params(&m4, &c, &error)) {
		refuse(body, why, error_param(error, "wfd_video_formats"), CODE_RANGE,
		       error->message);
	} else {
		if (!video_advertised(&s->caps, &c, one))
			refuse(body, why, "wfd_video_formats", CODE_RANGE, one->str);
		if (!audio_advertised(&s->caps, &c, one))
			refuse(body, why, "wfd_audio_codecs", CODE_RANGE, one->str);
	}
	if (!MC_WFD_HAS(&m4, MC_WFD_PRESENTATION_URL) ||
	    !url_valid(s, &m4.presentation_url, one))
		refuse(body, why, "wfd_presentation_URL", CODE_RANGE,
		       MC_WFD_HAS(&m4, MC_WFD_PRESENTATION_URL) ? one->str :
		       "wfd_presentation_URL: not in the M4");
	if (!MC_WFD_HAS(&m4, MC_WFD_CLIENT_RTP_PORTS) || ports->profile != MC_WFD_RTP_UDP ||
	    ports->port0 != s->rtp_port || ports->port1) {
		g_autofree char *value = mc_wfd_param_format(&m4, MC_WFD_CLIENT_RTP_PORTS);

		g_string_printf(one, "wfd_client_rtp_ports: %s, not the sink's RTP/AVP/UDP;unicast "
				"%u 0 mode=play", value ? value : "missing", s->rtp_port);
		refuse(body, why, "wfd_client_rtp_ports", CODE_RANGE, one->str);
	}
	if (body->len) {
		reply(s, req, GST_RTSP_STS_SEE_OTHER, body->str, "M4");
		sink_check_fail(&s->m4_check, "M4 refused: %s", why->str);
		return;
	}
	reply(s, req, GST_RTSP_STS_OK, NULL, "M4");
	sink_check_pass(&s->m4_check);
	if (s->have_m4 && (c.resolution != s->choice.resolution || c.profile != s->choice.profile))
		s->mode_changes++;
	mc_wfd_params_copy(&s->m4, &m4);
	s->choice = c;
	s->have_m4 = TRUE;
	sink_media_expect(s->media, &c, now_us());
	mode = mc_wfd_resolution_name(c.resolution);
	note(s, "format: %s %s %s, audio %s", mode, mc_wfd_profile_name(c.profile),
	     mc_wfd_level_name(c.level), c.audio ? mc_wfd_audio_format_name(c.audio_format)
						 : "none");
}

/* M5: answered, then the sink sends what it triggers. */
static void on_trigger(Sink *s, GstRTSPMessage *req, McWfdTrigger t)
{
	g_autofree char *transport = NULL;

	if (t == MC_WFD_TRIGGER_TEARDOWN) {
		reply(s, req, GST_RTSP_STS_OK, NULL, "M5");
		end_session(s, ENDED_SOURCE_TEARDOWN, TRUE);
		return;
	}
	if ((t == MC_WFD_TRIGGER_SETUP && (!s->have_m4 || s->session)) ||
	    (t != MC_WFD_TRIGGER_SETUP && !s->session) || s->state == ST_ENDING) {
		reply(s, req, GST_RTSP_STS_NOT_ACCEPTABLE, NULL, "M5");
		sink_fail(s, "wfd_trigger_method: %s %s", mc_wfd_trigger_name(t),
			  s->session ? "while a session exists" : "before a format was set and "
			  "a session was set up");
		return;
	}
	reply(s, req, GST_RTSP_STS_OK, NULL, "M5");
	switch (t) {
	case MC_WFD_TRIGGER_SETUP:
		g_free(s->url);
		s->url = g_strdup(s->m4.presentation_url.url0);
		transport = g_strdup_printf("RTP/AVP/UDP;unicast;client_port=%u", s->rtp_port);
		s->state = ST_SETUP;
		request(s, REQ_SETUP, GST_RTSP_SETUP, s->url, NULL, NULL, transport);
		break;
	case MC_WFD_TRIGGER_PLAY:
		send_play(s);
		break;
	case MC_WFD_TRIGGER_PAUSE:
		request(s, REQ_PAUSE, GST_RTSP_PAUSE, s->url, s->session, NULL, NULL);
		break;
	case MC_WFD_TRIGGER_TEARDOWN:
		break;
	}
}

static gboolean on_late_reply(gpointer data)
{
	LateReply *l = data;
	Sink *s = l->sink;

	l->timer = 0;
	s->late = g_list_remove(s->late, l);
	s->late_replies_sent++;
	note(s, "the M16 reply, %" G_GINT64_FORMAT " ms late", (now_us() - l->received) / 1000);
	send_message(s, mc_rtsp_reply_new(GST_RTSP_STS_OK, l->request, s->session, NULL), "M16");
	free_late(l);
	return G_SOURCE_REMOVE;
}

/* M16: answered (late by the late-keepalive profile); it keeps the session alive. */
static void on_keepalive(Sink *s, GstRTSPMessage *req, const char *uri)
{
	g_autofree char *session = mc_rtsp_get_session(req);
	gint64 now = now_us();
	LateReply *l;

	s->keepalives++;
	if (s->last_keepalive_us)
		s->max_keepalive_interval_us = MAX(s->max_keepalive_interval_us,
						   now - s->last_keepalive_us);
	s->last_keepalive_us = now;
	if (!s->session)
		sink_check_fail(&s->m16, "an M16 before SETUP");
	else if (strcmp(uri, WFD_URI))
		sink_check_fail(&s->m16, "an M16 for %s, not " WFD_URI, uri);
	else
		sink_check_pass(&s->m16);
	arm_watchdog(s);
	if (s->profile->behaviour != SINK_LATE_KEEPALIVE) {
		send_message(s, mc_rtsp_reply_new(GST_RTSP_STS_OK, req,
						  s->profile->flags & SINK_M16_NO_SESSION ? NULL :
						  s->session, NULL), "M16");
		return;
	}
	l = g_new0(LateReply, 1);
	l->sink = s;
	l->received = now;
	gst_rtsp_message_copy(req, &l->request);
	l->timer = g_timeout_add(s->opt.keepalive_delay, on_late_reply, l);
	s->late = g_list_append(s->late, l);
	note(s, "the M16 reply is held back %d ms", s->opt.keepalive_delay);
}

/* M3: the profile's answers. */
static void on_m3(Sink *s, GstRTSPMessage *req, const char *uri, const char *body, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = mc_wfd_names_parse(body, len, &error);
	g_autofree char *answer = NULL;
	static const char *const mandatory[] = {
		"wfd_video_formats", "wfd_audio_codecs", "wfd_client_rtp_ports",
	};

	if (!names) {
		reply(s, req, GST_RTSP_STS_BAD_REQUEST, NULL, "M3");
		sink_fail(s, "M3: %s", error->message);
		return;
	}
	if (strcmp(uri, WFD_URI))
		sink_check_fail(&s->m3, "M3 for %s, not " WFD_URI, uri);
	for (guint i = 0; i < G_N_ELEMENTS(mandatory); i++)
		if (!g_strv_contains((const char *const *)names, mandatory[i]))
			sink_check_fail(&s->m3, "M3 does not ask for %s", mandatory[i]);
	sink_check_pass(&s->m3);
	answer = sink_profile_m3_reply(s->profile, (const char *const *)names, s->rtp_port);
	reply(s, req, GST_RTSP_STS_OK, answer, "M3");
	if (s->profile->behaviour == SINK_BROKEN_PARAMS &&
	    g_strv_contains((const char *const *)names, "wfd_video_formats"))
		arm_deadline(s, ABORT_WITHIN_S);
}

/* What a request of the source is: "M1", "M3", "M16", "M4", "M5", "M12", or "M?". */
static const char *request_label(GstRTSPMethod method, gsize body_len, const McWfdParams *p)
{
	switch (method) {
	case GST_RTSP_OPTIONS:
		return "M1";
	case GST_RTSP_GET_PARAMETER:
		return body_len ? "M3" : "M16";
	case GST_RTSP_SET_PARAMETER:
		if (MC_WFD_HAS(p, MC_WFD_TRIGGER_METHOD))
			return "M5";
		if (MC_WFD_HAS(p, MC_WFD_STANDBY))
			return "M12";
		return "M4";
	default:
		return "M?";
	}
}

/* The source's requests: CSeq by one, Session once there is one (without ;timeout). */
/* Two CSeq headers in a message of the source: receivers take one of them (reported only). */
static void count_duplicate_cseq(Sink *s, GstRTSPMessage *m)
{
	char *second = NULL;

	if (gst_rtsp_message_get_header(m, GST_RTSP_HDR_CSEQ, &second, 1) == GST_RTSP_OK)
		s->duplicate_cseq++;
}

static void check_request_headers(Sink *s, GstRTSPMessage *req, GstRTSPMethod method)
{
	g_autofree char *session = mc_rtsp_get_session(req);
	char *raw = NULL;
	guint cseq;

	count_duplicate_cseq(s, req);
	if (!mc_rtsp_get_cseq(req, &cseq))
		sink_check_fail(&s->cseq, "a request of the source without CSeq");
	else if (cseq != s->source_cseq + 1)
		sink_check_fail(&s->cseq, "the source's CSeq went from %u to %u", s->source_cseq,
				cseq);
	else
		sink_check_pass(&s->cseq);
	s->source_cseq = cseq;
	if (!s->session || method == GST_RTSP_OPTIONS)
		return;
	gst_rtsp_message_get_header(req, GST_RTSP_HDR_SESSION, &raw, 0);
	if (!session)
		sink_check_fail(&s->session_check, "a %s without Session after SETUP",
				gst_rtsp_method_as_text(method));
	else if (strcmp(session, s->session))
		sink_check_fail(&s->session_check, "Session %s, not %s", session, s->session);
	else if (strchr(raw, ';'))
		sink_check_fail(&s->session_check, "\"Session: %s\" in a request (Q10)", raw);
	else
		sink_check_pass(&s->session_check);
}

static void on_m1(Sink *s, GstRTSPMessage *req, const char *uri)
{
	GstRTSPMessage *r = mc_rtsp_reply_new(GST_RTSP_STS_OK, req, s->session, NULL);
	char *require = NULL;

	gst_rtsp_message_get_header(req, GST_RTSP_HDR_REQUIRE, &require, 0);
	if (s->got_request)
		sink_check_fail(&s->m1, "OPTIONS again, or after other requests");
	else if (strcmp(uri, "*") || !require || !strstr(require, WFD_REQUIRE))
		sink_check_fail(&s->m1, "M1 is not OPTIONS * with Require: " WFD_REQUIRE);
	else
		sink_check_pass(&s->m1);
	gst_rtsp_message_add_header(r, GST_RTSP_HDR_PUBLIC, SINK_PUBLIC);
	send_message(s, r, "M1");
	if (!(s->profile->flags & SINK_EARLY_M2) && !s->m2.seen)
		send_m2(s);
}

static void on_set_parameter(Sink *s, GstRTSPMessage *req, const McWfdParams *p,
			     const GError *error)
{
	g_autofree char *body = NULL;

	if (error) {
		body = g_strdup_printf("%s: %u\r\n", error_param(error, "wfd_video_formats"),
				       error->code == MC_WFD_ERROR_SYNTAX ? CODE_SYNTAX
									  : CODE_RANGE);
		reply(s, req, GST_RTSP_STS_SEE_OTHER, body, "M4");
		sink_check_fail(&s->m4_check, "SET_PARAMETER: %s", error->message);
		return;
	}
	if (MC_WFD_HAS(p, MC_WFD_TRIGGER_METHOD)) {
		on_trigger(s, req, p->trigger_method);
	} else if (MC_WFD_HAS(p, MC_WFD_STANDBY)) {
		reply(s, req, GST_RTSP_STS_OK, NULL, "M12");
		s->standbys++;
		if (s->state == ST_PLAYING)
			s->state = ST_PAUSED;
		sink_media_pause(s->media, now_us());
		note(s, "standby: waiting for a PLAY trigger");
	} else if (MC_WFD_HAS(p, MC_WFD_VIDEO_FORMATS) || MC_WFD_HAS(p, MC_WFD_AUDIO_CODECS) ||
		   MC_WFD_HAS(p, MC_WFD_PRESENTATION_URL) ||
		   MC_WFD_HAS(p, MC_WFD_CLIENT_RTP_PORTS)) {
		on_m4(s, req, p);
	} else {
		reply(s, req, GST_RTSP_STS_OK, NULL, "M4");
	}
}

static void on_request(Sink *s, GstRTSPMessage *req)
{
	g_auto(McWfdParams) params = { 0 };
	g_autoptr(GError) error = NULL;
	GstRTSPMethod method = GST_RTSP_INVALID;
	const char *uri = NULL, *label;
	const char *body;
	gsize len;

	gst_rtsp_message_parse_request(req, &method, &uri, NULL);
	uri = uri ? uri : "";
	body = mc_rtsp_get_body(req, &len);
	if (method == GST_RTSP_SET_PARAMETER)
		mc_wfd_params_parse(&params, body ? body : "", len, &error);
	label = request_label(method, len, &params);
	log_message(s, "<", label, req);
	if (s->vanished) {
		note(s, "not answered: the sink has vanished");
		return;
	}
	check_request_headers(s, req, method);
	switch (method) {
	case GST_RTSP_OPTIONS:
		on_m1(s, req, uri);
		break;
	case GST_RTSP_GET_PARAMETER:
		if (len)
			on_m3(s, req, uri, body, len);
		else
			on_keepalive(s, req, uri);
		break;
	case GST_RTSP_SET_PARAMETER:
		on_set_parameter(s, req, &params, error);
		break;
	default:
		reply(s, req, GST_RTSP_STS_METHOD_NOT_ALLOWED, NULL, label);
		sink_fail(s, "the source sent %s, a method a sink does not take",
			  gst_rtsp_method_as_text(method));
		break;
	}
	s->got_request = TRUE;
}

/* ---- Replies to the sink's requests ----------------------------------------- */

/* The Public header of the M2 reply lists every method a WFD source takes (R15). */
static void check_m2(Sink *s, GstRTSPMessage *m, GstRTSPStatusCode code)
{
	static const char *const methods[] = {
		WFD_REQUIRE, "SETUP", "TEARDOWN", "PLAY", "PAUSE", "GET_PARAMETER",
		"SET_PARAMETER",
	};
	g_autoptr(GString) all = g_string_new(NULL);
	g_auto(GStrv) items = NULL;
	char *value = NULL;

	if (code != GST_RTSP_STS_OK) {
		sink_check_fail(&s->m2, "M2 answered %d", code);
		return;
	}
	/* GStreamer's parser makes one header of each comma-separated item */
	for (guint i = 0; gst_rtsp_message_get_header(m, GST_RTSP_HDR_PUBLIC, &value, i) ==
	     GST_RTSP_OK; i++)
		g_string_append_printf(all, "%s,", value);
	items = g_strsplit(all->str, ",", -1);
	for (guint i = 0; items[i]; i++)
		g_strstrip(items[i]);
	for (guint i = 0; i < G_N_ELEMENTS(methods); i++)
		if (!g_strv_contains((const char *const *)items, methods[i])) {
			sink_check_fail(&s->m2, "the M2 reply's Public lacks %s", methods[i]);
			return;
		}
	sink_check_pass(&s->m2);
}

/* SETUP answered: Session with its timeout, the Transport with our port (R34). */
static gboolean on_setup_reply(Sink *s, GstRTSPMessage *m)
{
	g_autofree char *port = g_strdup_printf("client_port=%u", s->rtp_port);
	char *raw = NULL, *transport = NULL;
	const char *timeout;

	s->session = mc_rtsp_get_session(m);
	if (!s->session) {
		sink_check_fail(&s->setup, "the SETUP reply has no Session");
		return FALSE;
	}
	gst_rtsp_message_get_header(m, GST_RTSP_HDR_SESSION, &raw, 0);
	timeout = strstr(raw, "timeout=");
	s->timeout = timeout ? (guint)g_ascii_strtoull(timeout + 8, NULL, 10) : 0;
	if (!s->timeout) {
		sink_check_fail(&s->setup, "the SETUP reply's Session has no timeout: %s", raw);
		s->timeout = DEFAULT_TIMEOUT;
	}
	gst_rtsp_message_get_header(m, GST_RTSP_HDR_TRANSPORT, &transport, 0);
	if (!transport || !strstr(transport, port) || !strstr(transport, "server_port="))
		sink_check_fail(&s->setup, "the SETUP reply's Transport %s lacks %s or "
				"server_port", transport ? transport : "(none)", port);
	else
		sink_check_pass(&s->setup);
	note(s, "session %s, timeout %u s", s->session, s->timeout);
	return TRUE;
}

static void on_reply(Sink *s, GstRTSPMessage *m)
{
	GstRTSPStatusCode code = GST_RTSP_STS_INVALID;
	GList *l;
	Pending *p = NULL;
	Request kind;
	guint cseq;

	gst_rtsp_message_parse_response(m, &code, NULL, NULL);
	if (mc_rtsp_get_cseq(m, &cseq))
		for (l = s->pending; l && !p; l = l->next)
			if (((Pending *)l->data)->cseq == cseq)
				p = l->data;
	log_message(s, "<", p ? request_labels[p->kind] : "M?", m);
	count_duplicate_cseq(s, m);
	if (!p) {
		sink_check_fail(&s->replies, "a reply whose CSeq answers no request of the sink");
		return;
	}
	kind = p->kind;
	s->pending = g_list_remove(s->pending, p);
	free_pending(p);
	if (s->vanished)
		return;
	if (kind == REQ_M2) {
		check_m2(s, m, code);
		return;
	}
	if (code != GST_RTSP_STS_OK) {
		sink_check_fail(&s->replies, "the source answered %s with %d",
				request_labels[kind], code);
		if (kind != REQ_IDR)
			end_session(s, ENDED_SINK_ERROR, FALSE);
		return;
	}
	sink_check_pass(&s->replies);
	switch (kind) {
	case REQ_SETUP:
		if (!on_setup_reply(s, m)) {
			end_session(s, ENDED_SINK_ERROR, FALSE);
			return;
		}
		s->state = ST_READY;
		s->last_keepalive_us = now_us();
		arm_watchdog(s);
		send_play(s);
		break;
	case REQ_PLAY:
		if (s->state == ST_ENDING)
			break;
		s->state = ST_PLAYING;
		if (!s->played)
			started(s);
		note(s, "playing");
		break;
	case REQ_PAUSE:
		if (s->state == ST_PLAYING)
			s->state = ST_PAUSED;
		sink_media_pause(s->media, now_us());
		break;
	case REQ_TEARDOWN:
		finish(s);
		break;
	default:
		break;
	}
}

static void on_message(McRtsp *rtsp G_GNUC_UNUSED, GstRTSPMessage *m, gpointer data)
{
	Sink *s = data;

	if (s->state == ST_DONE)
		return;
	if (m->type == GST_RTSP_MESSAGE_REQUEST)
		on_request(s, m);
	else if (m->type == GST_RTSP_MESSAGE_RESPONSE)
		on_reply(s, m);
}

static void on_closed(McRtsp *rtsp G_GNUC_UNUSED, const GError *error, gpointer data)
{
	Sink *s = data;

	s->closed_rtsp = s->rtsp;
	s->rtsp = NULL;
	note(s, "the source closed the connection%s%s", error ? ": " : "",
	     error ? error->message : "");
	if (s->state == ST_ENDING)
		sink_fail(s, "the source closed the connection without answering TEARDOWN");
	end_session(s, ENDED_SOURCE_CLOSED, FALSE);
	finish(s);
}

static const McRtspFuncs rtsp_funcs = { .message = on_message, .closed = on_closed };

static gboolean start_rtsp(Sink *s, GSocketConnection *connection)
{
	g_autoptr(GError) error = NULL;

	s->rtsp = mc_rtsp_new(connection, &rtsp_funcs, s, &error);
	if (!s->rtsp) {
		g_printerr("miracast-testsink: %s\n", error->message);
		return FALSE;
	}
	note(s, "connected to %s port %u", mc_rtsp_get_peer_address(s->rtsp),
	     mc_rtsp_get_peer_port(s->rtsp));
	arm_deadline(s, PLAY_WITHIN_S);
	/* before the source's M1 arrives, let alone is answered */
	if (s->profile->flags & SINK_EARLY_M2)
		send_m2(s);
	return TRUE;
}

static void on_accept(GObject *object, GAsyncResult *result, gpointer data)
{
	Sink *s = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) c =
		g_socket_listener_accept_finish(G_SOCKET_LISTENER(object), result, NULL, &error);

	g_socket_listener_close(s->listener);
	if (!c || !start_rtsp(s, c)) {
		if (error)
			sink_fail(s, "accept: %s", error->message);
		quit(s);
	}
}

/* --listen [ADDR:]PORT: prints listening=ADDR:PORT once it listens. */
static gboolean listen_on(Sink *s, const char *spec, GError **error)
{
	const char *colon = strrchr(spec, ':');
	g_autofree char *host = colon ? g_strndup(spec, colon - spec) : g_strdup("0.0.0.0");
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GSocketAddress) effective = NULL;
	guint64 port;

	if (!g_ascii_string_to_unsigned(colon ? colon + 1 : spec, 10, 0, 65535, &port, error))
		return FALSE;
	address = g_inet_socket_address_new_from_string(host, (guint)port);
	if (!address) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s is not an IP address", host);
		return FALSE;
	}
	s->listener = g_socket_listener_new();
	if (!g_socket_listener_add_address(s->listener, address, G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
		return FALSE;
	printf("listening=%s:%u\n", host,
	       g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective)));
	fflush(stdout);
	g_socket_listener_accept_async(s->listener, NULL, on_accept, s);
	return TRUE;
}

/* ---- Connecting, and Wi-Fi Direct ------------------------------------------------ */

static void connect_attempt(Sink *s);

static gboolean on_connect_retry(gpointer data)
{
	Sink *s = data;

	s->t_connect = 0;
	connect_attempt(s);
	return G_SOURCE_REMOVE;
}

/* The source may not listen yet; over a new P2P link, not be reachable yet. */
static gboolean worth_retrying(Sink *s, const GError *e)
{
	return g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	       (s->p2p && (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
			   g_error_matches(e, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
			   g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)));
}

static void on_connected(GObject *object, GAsyncResult *result, gpointer data)
{
	Sink *s = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) c =
		g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(object), result, &error);

	if (s->quitting)
		return;
	/* the client's timeout was for connecting: the session may be quiet for longer */
	if (c)
		g_socket_set_timeout(g_socket_connection_get_socket(c), 0);
	if (c && start_rtsp(s, c))
		return;
	if (!c && worth_retrying(s, error) && now_us() < s->connect_until) {
		s->t_connect = g_timeout_add(CONNECT_RETRY_MS, on_connect_retry, s);
		return;
	}
	sink_fail(s, "cannot connect to %s: %s", s->connect_spec,
		  error ? error->message : "not over IP");
	quit(s);
}

static void connect_attempt(Sink *s)
{
	g_socket_client_connect_to_host_async(s->client, s->connect_spec, DEFAULT_PORT, NULL,
					      on_connected, s);
}

/* To the source's RTSP server at HOST[:PORT], retried for retry_s while it is refused. */
static void connect_to(Sink *s, const char *spec, guint retry_s)
{
	s->client = g_socket_client_new();
	/* straight to the source (the proxy resolver would also load GSettings) */
	g_socket_client_set_enable_proxy(s->client, FALSE);
	if (s->p2p)
		g_socket_client_set_timeout(s->client, P2P_CONNECT_TIMEOUT_S);
	s->connect_spec = g_strdup(spec);
	s->connect_until = now_us() + retry_s * G_USEC_PER_SEC;
	note(s, "connecting to %s", spec);
	connect_attempt(s);
}

static void p2p_note(const char *text, gpointer data)
{
	note(data, "p2p: %s", text);
}

/* --p2p: the group is up; the sink opens RTSP to the source, as WFD has it. */
static void p2p_ready(const char *address, guint16 port, gpointer data)
{
	Sink *s = data;
	g_autofree char *spec = g_strdup_printf("%s:%u", address, port);

	connect_to(s, spec, P2P_CONNECT_RETRY_S);
}

static void p2p_failed(const char *why, gpointer data)
{
	Sink *s = data;

	if (s->state == ST_DONE || s->quitting) {
		note(s, "p2p: %s", why);
		return;
	}
	sink_fail(s, "%s", why);
	if (s->rtsp) {
		end_session(s, ENDED_GROUP_REMOVED, FALSE);
		finish(s);
		return;
	}
	quit(s);
}

static const SinkP2pFuncs p2p_funcs = {
	.note = p2p_note, .ready = p2p_ready, .failed = p2p_failed,
};

static gboolean on_signal(gpointer data)
{
	Sink *s = data;

	note(s, "interrupted: the sink tears the session down");
	if (!s->rtsp) {
		sink_fail(s, "interrupted before a source connected");
		quit(s);
		return G_SOURCE_CONTINUE;
	}
	end_session(s, ENDED_SINK_TEARDOWN, TRUE);
	return G_SOURCE_CONTINUE;
}

/* ---- The summary ---------------------------------------------------------- */

/* Whether the session ended as the profile means it to. */
static void judge_end(Sink *s)
{
	SinkBehaviour b = s->profile->behaviour;
	gboolean source_ended = s->ended == ENDED_SOURCE_CLOSED ||
				s->ended == ENDED_SOURCE_TEARDOWN;

	if (b == SINK_BROKEN_PARAMS) {
		if (!s->m3.seen)
			sink_fail(s, "the source never asked for the capabilities (M3)");
		else if (!s->m4_count && !source_ended && s->ended != ENDED_SINK_ERROR)
			sink_fail(s, "the session ended by %s, not by the source giving up",
				  ended_names[s->ended]);
		return;
	}
	if (!s->played) {
		sink_fail(s, "the session never reached PLAY");
		return;
	}
	switch (b) {
	case SINK_FAITHFUL:
		if (s->ended == ENDED_SOURCE_CLOSED)
			sink_fail(s, "the source closed the connection without a teardown");
		break;
	case SINK_LATE_KEEPALIVE:
		if (!s->keepalives)
			sink_fail(s, "no M16 came to be answered late");
		else if (s->late_replies_sent && s->ended != ENDED_SINK_ERROR)
			sink_fail(s, "the source took an M16 reply %d ms late and went on",
				  s->opt.keepalive_delay);
		else if (!source_ended && s->ended != ENDED_SINK_ERROR)
			sink_fail(s, "the session ended by %s, not by the source",
				  ended_names[s->ended]);
		break;
	case SINK_VANISH:
		if (!s->vanished)
			sink_fail(s, "the session ended before the sink vanished");
		else if (s->ended != ENDED_SOURCE_CLOSED && s->ended != ENDED_SINK_ERROR)
			sink_fail(s, "the session ended by %s, not by the source closing it",
				  ended_names[s->ended]);
		break;
	case SINK_DROP:
		if (s->ended != ENDED_SINK_DROPPED)
			sink_fail(s, "the session ended by %s before the sink dropped it",
				  ended_names[s->ended]);
		break;
	case SINK_BROKEN_PARAMS:
		break;
	}
}

static int summary(Sink *s)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) checks = g_string_new(NULL);
	g_autofree char *mode = s->have_m4 ? mc_wfd_resolution_name(s->choice.resolution) : NULL;
	gboolean rtsp = s->got_request;
	gboolean ok;

	judge_end(s);
	sink_check_report(&s->m1, "m1_ok", rtsp, checks, s->failures);
	sink_check_report(&s->m2, "m2_ok", rtsp, checks, s->failures);
	sink_check_report(&s->m3, "m3_ok", rtsp, checks, s->failures);
	sink_check_report(&s->m4_check, "m4_ok", rtsp, checks, s->failures);
	sink_check_report(&s->setup, "setup_ok", rtsp, checks, s->failures);
	sink_check_report(&s->m16, "m16_ok", rtsp, checks, s->failures);
	sink_check_report(&s->cseq, "cseq_ok", rtsp, checks, s->failures);
	sink_check_report(&s->session_check, "session_ok", rtsp, checks, s->failures);
	sink_check_report(&s->replies, "replies_ok", rtsp, checks, s->failures);
	g_string_append_printf(out, "profile=%s\n", s->profile->name);
	g_string_append(out, "result=@\n");	/* filled in below */
	g_string_append_printf(out, "ended_by=%s\n", ended_names[s->ended]);
	g_string_append_printf(out, "mode=%s\n", mode ? mode : "-");
	g_string_append_printf(out, "video_profile=%s\n", s->have_m4 ?
			       mc_wfd_profile_name(s->choice.profile) : "-");
	g_string_append_printf(out, "video_level=%s\n", s->have_m4 ?
			       mc_wfd_level_name(s->choice.level) : "-");
	g_string_append_printf(out, "audio=%s\n", !s->have_m4 ? "-" : !s->choice.audio ? "none" :
			       mc_wfd_audio_format_name(s->choice.audio_format));
	g_string_append_printf(out, "rtp_port=%u\n", s->rtp_port);
	g_string_append_printf(out, "session=%s\n", s->session ? s->session : "-");
	g_string_append_printf(out, "session_timeout_s=%u\n", s->session ? s->timeout : 0);
	g_string_append_printf(out, "m4_count=%u\n", s->m4_count);
	g_string_append_printf(out, "mode_changes=%u\n", s->mode_changes);
	g_string_append_printf(out, "standbys=%u\n", s->standbys);
	g_string_append_printf(out, "keepalives=%u\n", s->keepalives);
	g_string_append_printf(out, "keepalive_max_interval_ms=%" G_GINT64_FORMAT "\n",
			       s->max_keepalive_interval_us / 1000);
	g_string_append_printf(out, "late_replies_sent=%u\n", s->late_replies_sent);
	g_string_append_printf(out, "duplicate_cseq=%u\n", s->duplicate_cseq);
	g_string_append_printf(out, "played_s=%.1f\n", s->played ?
			       (s->end_us - s->play_us) / 1e6 : 0.0);
	sink_media_summary(s->media, s->played, out, s->failures);
	g_string_append(out, checks->str);
	if (s->p2p)
		sink_p2p_summary(s->p2p, out);
	ok = !s->failures->len;
	{
		g_autoptr(GString) result = g_string_new(ok ? "ok" : NULL);
		gsize at = strstr(out->str, "result=@") - out->str + strlen("result=");

		for (guint i = 0; i < s->failures->len; i++)
			g_string_append_printf(result, "%s%s", i ? "; " : "",
					       (const char *)s->failures->pdata[i]);
		g_strdelimit(result->str, "\n", ' ');
		g_string_erase(out, at, 1);
		g_string_insert(out, at, result->str);
	}
	fputs(out->str, stdout);
	fflush(stdout);
	if (s->opt.stats) {
		g_autoptr(GError) error = NULL;

		if (!g_file_set_contents(s->opt.stats, out->str, -1, &error))
			g_printerr("miracast-testsink: %s\n", error->message);
	}
	return ok ? 0 : 1;
}

/* ---- Options ----------------------------------------------------------------- */

static void list_profiles(void)
{
	for (guint i = 0; sink_profiles[i]; i++)
		printf("%-18s %s\n", sink_profiles[i]->name, sink_profiles[i]->about);
}

G_GNUC_PRINTF(1, 2)
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("miracast-testsink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (--help)\n", stderr);
	return 2;
}

/* An option only one behaviour takes (-1: not given) given with another profile. */
static gboolean misplaced(gdouble value, SinkBehaviour b, const Sink *s)
{
	return value >= 0 && s->profile->behaviour != b;
}

static int parse_options(Sink *s, int *argc, char ***argv)
{
	Options *o = &s->opt;
	const GOptionEntry entries[] = {
		{ "connect", 'c', 0, G_OPTION_ARG_STRING, &o->connect,
		  "Connect to the source's RTSP server (port 7236 by default)", "HOST[:PORT]" },
		{ "listen", 'l', 0, G_OPTION_ARG_STRING, &o->listen,
		  "Wait for the source to connect (prints listening=ADDR:PORT)", "[ADDR:]PORT" },
		{ "p2p", 0, 0, G_OPTION_ARG_FILENAME, &o->p2p,
		  "Be found and connected to over Wi-Fi Direct through this wpa_supplicant (its "
		  "control socket or directory), then connect to the source", "CTRL" },
		{ "p2p-pin", 0, 0, G_OPTION_ARG_STRING, &o->p2p_pin,
		  "--p2p: show this PIN to the source (default: push button)", "PIN" },
		{ "p2p-go-intent", 0, 0, G_OPTION_ARG_INT, &o->p2p_go_intent,
		  "--p2p: the GO intent, 0-15 (default 15)", "N" },
		{ "p2p-unavailable", 0, 0, G_OPTION_ARG_NONE, &o->p2p_unavailable,
		  "--p2p: advertise no session available (not to be offered)", NULL },
		{ "p2p-dhcp", 0, 0, G_OPTION_ARG_NONE, &o->p2p_dhcp,
		  "As group owner, give addresses by DHCP only (dnsmasq), not in EAPOL-Key",
		  NULL },
		{ "profile", 'p', 0, G_OPTION_ARG_STRING, &o->profile,
		  "The sink to be (default tv-1080p)", "NAME" },
		{ "list-profiles", 0, 0, G_OPTION_ARG_NONE, &o->list_profiles,
		  "List the profiles", NULL },
		{ "rtp-port", 0, 0, G_OPTION_ARG_INT, &o->rtp_port,
		  "UDP port for RTP (default: the profile's, 19000; 0: any free one)", "N" },
		{ "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &o->duration,
		  "Tear the session down S s after PLAY (0: wait for the source)", "S" },
		{ "idr-request-after", 0, 0, G_OPTION_ARG_DOUBLE, &o->idr_request_after,
		  "Send wfd_idr_request (M13) S s after PLAY", "S" },
		{ "snapshot-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->snapshot_dir,
		  "Write decoded pictures there as frame-NNNNNN.png", "DIR" },
		{ "snapshot-every", 0, 0, G_OPTION_ARG_INT, &o->snapshot_every,
		  "Every N-th picture, from the first (default 30)", "N" },
		{ "pattern", 0, 0, G_OPTION_ARG_NONE, &o->pattern,
		  "The pictures are the end-to-end pattern: read their numbers and PSNR", NULL },
		{ "keepalive-delay", 0, 0, G_OPTION_ARG_INT, &o->keepalive_delay,
		  "late-keepalive: answer M16 so late (default 7000)", "MS" },
		{ "vanish-after", 0, 0, G_OPTION_ARG_DOUBLE, &o->vanish_after,
		  "vanish: stop answering S s after PLAY (default 10)", "S" },
		{ "drop-after", 0, 0, G_OPTION_ARG_DOUBLE, &o->drop_after,
		  "drop: close the connection S s after PLAY (default 10)", "S" },
		{ "stats", 0, 0, G_OPTION_ARG_FILENAME, &o->stats,
		  "Write the summary to FILE too", "FILE" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &o->log,
		  "Log every RTSP message to FILE (ms since start)", "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		  "Say what happens on stderr", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- a Wi-Fi Display sink for tests");
	g_autoptr(GError) error = NULL;

	o->rtp_port = -1;
	o->snapshot_every = 30;
	o->keepalive_delay = -1;
	o->idr_request_after = o->vanish_after = o->drop_after = -1;
	o->p2p_go_intent = -1;
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Plays the sink's side of a Wi-Fi Display session "
				     "(docs/testsink.md) and prints a summary of key=value lines.");
	if (!g_option_context_parse(ctx, argc, argv, &error))
		return usage_error("%s", error->message);
	if (o->list_profiles)
		return 0;
	s->profile = sink_profile_find(o->profile ? o->profile : "tv-1080p");
	if (!s->profile)
		return usage_error("no profile %s: --list-profiles", o->profile);
	if (!!o->connect + !!o->listen + !!o->p2p != 1)
		return usage_error("one of --connect, --listen and --p2p");
	if (!o->p2p && (o->p2p_pin || o->p2p_go_intent >= 0 || o->p2p_unavailable || o->p2p_dhcp))
		return usage_error("--p2p-pin, --p2p-go-intent, --p2p-unavailable, --p2p-dhcp go "
				   "with --p2p");
	if (o->p2p_go_intent > 15)
		return usage_error("--p2p-go-intent: 0 to 15");
	if (o->p2p_pin && ((strlen(o->p2p_pin) != 4 && strlen(o->p2p_pin) != 8) ||
			   strspn(o->p2p_pin, "0123456789") != strlen(o->p2p_pin)))
		return usage_error("--p2p-pin: 4 or 8 digits");
	if (o->p2p_go_intent < 0)
		o->p2p_go_intent = 15;
	if (*argc > 1)
		return usage_error("%s: an argument of what?", (*argv)[1]);
	if (o->rtp_port > 65535 || o->snapshot_every < 1 || o->duration < 0)
		return usage_error("--rtp-port, --snapshot-every or --duration out of range");
	if (misplaced(o->keepalive_delay, SINK_LATE_KEEPALIVE, s) ||
	    misplaced(o->vanish_after, SINK_VANISH, s) || misplaced(o->drop_after, SINK_DROP, s))
		return usage_error("--keepalive-delay, --vanish-after and --drop-after go with "
				   "the late-keepalive, vanish and drop profiles");
	if (o->rtp_port < 0)
		o->rtp_port = s->profile->rtp_port ? s->profile->rtp_port : DEFAULT_RTP_PORT;
	if (o->keepalive_delay < 0)
		o->keepalive_delay = 7000;
	if (o->vanish_after < 0)
		o->vanish_after = 10;
	if (o->drop_after < 0)
		o->drop_after = 10;
	return -1;
}

/* The profile's answers as the capabilities M4 is checked against. */
static gboolean load_caps(Sink *s)
{
	g_autofree char *body = sink_profile_capabilities(s->profile, s->rtp_port);
	g_autoptr(GError) error = NULL;

	if (mc_wfd_params_parse(&s->caps, body, strlen(body), &error))
		return TRUE;
	if (s->profile->behaviour == SINK_BROKEN_PARAMS)
		return TRUE;
	g_printerr("miracast-testsink: profile %s: %s\n", s->profile->name, error->message);
	return FALSE;
}

int main(int argc, char **argv)
{
	static Sink sink;
	Sink *s = &sink;
	g_autoptr(GError) error = NULL;
	SinkMediaConfig media = { 0 };
	int status;

	/* run by the DHCP client of --p2p-dhcp */
	if (mc_dhcp_script_main(argc, argv))
		return 0;

	s->t0 = now_us();
	s->failures = g_ptr_array_new_with_free_func(g_free);
	gst_init(&argc, &argv);
	status = parse_options(s, &argc, &argv);
	if (status >= 0) {
		if (!status)
			list_profiles();
		return status;
	}
	if (s->opt.log) {
		s->log = fopen(s->opt.log, "w");
		if (!s->log) {
			g_printerr("miracast-testsink: %s: %s\n", s->opt.log, g_strerror(errno));
			return 2;
		}
		setvbuf(s->log, NULL, _IOLBF, 0);
	}
	if (s->opt.snapshot_dir && g_mkdir_with_parents(s->opt.snapshot_dir, 0755)) {
		g_printerr("miracast-testsink: %s: %s\n", s->opt.snapshot_dir, g_strerror(errno));
		return 2;
	}
	media.port = s->opt.rtp_port;
	media.snapshot_dir = s->opt.snapshot_dir;
	media.snapshot_every = s->opt.snapshot_every;
	media.pattern = s->opt.pattern;
	media.verbose = s->opt.verbose;
	s->media = sink_media_new(&media, &error);
	if (!s->media) {
		g_printerr("miracast-testsink: %s\n", error->message);
		return 1;
	}
	s->rtp_port = sink_media_get_port(s->media);
	if (!load_caps(s))
		return 1;
	s->next_cseq = s->profile->flags & SINK_EARLY_M2 ? 0 : 1;
	s->loop = g_main_loop_new(NULL, FALSE);
	s->t_signal[0] = g_unix_signal_add(SIGINT, on_signal, s);
	s->t_signal[1] = g_unix_signal_add(SIGTERM, on_signal, s);
	if (s->opt.listen) {
		if (!listen_on(s, s->opt.listen, &error)) {
			g_printerr("miracast-testsink: --listen %s: %s\n", s->opt.listen,
				   error->message);
			return 2;
		}
	} else if (s->opt.p2p) {
		SinkP2pConfig config = {
			.ctrl = s->opt.p2p,
			.pin = s->opt.p2p_pin,
			.go_intent = (guint)s->opt.p2p_go_intent,
			.unavailable = s->opt.p2p_unavailable,
			.dhcp = s->opt.p2p_dhcp,
		};

		s->p2p = sink_p2p_new(&config, &p2p_funcs, s);
	} else {
		connect_to(s, s->opt.connect, CONNECT_RETRY_S);
	}
	g_main_loop_run(s->loop);
	status = summary(s);
	g_source_remove(s->t_signal[0]);
	g_source_remove(s->t_signal[1]);
	clear_timer(&s->t_linger);
	clear_timer(&s->t_connect);
	sink_p2p_free(s->p2p);
	if (s->client)
		g_object_unref(s->client);
	g_free(s->connect_spec);
	mc_rtsp_free(s->rtsp);
	mc_rtsp_free(s->closed_rtsp);
	if (s->listener)
		g_object_unref(s->listener);
	sink_media_free(s->media);
	mc_wfd_params_clear(&s->caps);
	mc_wfd_params_clear(&s->m4);
	g_free(s->url);
	g_free(s->session);
	g_ptr_array_unref(s->failures);
	g_main_loop_unref(s->loop);
	if (s->log)
		fclose(s->log);
	return status;
}

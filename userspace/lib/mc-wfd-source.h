/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The source side of a Wi-Fi Display session (docs/wfd.md): RTSP M1-M16 as
 * a state machine. It owns no socket and no clock: the caller feeds it the
 * sink's messages and the time (CLOCK_MONOTONIC µs, g_get_monotonic_time()),
 * sends what it asks to send, and calls mc_wfd_source_tick() at
 * mc_wfd_source_next_deadline(). So tests drive it with a fake clock.
 *
 * The flow: M1 OPTIONS when started; the sink's M2 answered; M3 asks the
 * sink's capabilities; the caller hears them with the best common choice
 * (and announces the monitor); M4 sets the choice; M5 triggers SETUP; the
 * sink's M6 SETUP and M7 PLAY are answered and RTP may flow. Then M16
 * keepalives every session timeout - 5 s, the sink's M13 IDR requests,
 * PAUSE, standby, new modes by M4, and the teardown from either side.
 * Every request of the source must be answered within 5 s.
 *
 * Callbacks run from within the calls below. None may free the source;
 * after ended() only mc_wfd_source_free() may be called.
 */
#ifndef MC_WFD_SOURCE_H
#define MC_WFD_SOURCE_H

#include <gst/rtsp/rtsp.h>

#include "mc-wfd.h"

G_BEGIN_DECLS

#define MC_WFD_REPLY_TIMEOUT_US		(5 * G_USEC_PER_SEC)
#define MC_WFD_TEARDOWN_TIMEOUT_US	(2 * G_USEC_PER_SEC)
#define MC_WFD_DEFAULT_SESSION_TIMEOUT	30	/* s, announced in the SETUP reply */

typedef struct _McWfdSource McWfdSource;

typedef enum {
	MC_WFD_SOURCE_OPTIONS,		/* M1 sent, waiting for its reply and the sink's M2 */
	MC_WFD_SOURCE_CAPABILITIES,	/* M3 sent */
	MC_WFD_SOURCE_NEGOTIATING,	/* M4 sent */
	MC_WFD_SOURCE_SETUP,		/* M5 SETUP sent, waiting for the sink's SETUP */
	MC_WFD_SOURCE_READY,		/* SETUP answered, waiting for PLAY */
	MC_WFD_SOURCE_PLAYING,
	MC_WFD_SOURCE_PAUSED,		/* by the sink: PAUSE or its own standby */
	MC_WFD_SOURCE_STANDBY,		/* by the source: the display sleeps */
	MC_WFD_SOURCE_TEARING_DOWN,	/* M5 TEARDOWN sent, waiting for the sink's TEARDOWN */
	MC_WFD_SOURCE_ENDED,
} McWfdSourceState;

const char *mc_wfd_source_state_name(McWfdSourceState state);

typedef enum {
	MC_WFD_SOURCE_END_LOCAL,	/* mc_wfd_source_teardown() has finished */
	MC_WFD_SOURCE_END_TEARDOWN,	/* the sink sent TEARDOWN */
	MC_WFD_SOURCE_END_CLOSED,	/* the sink closed the connection */
	MC_WFD_SOURCE_END_TIMEOUT,	/* the sink did not answer or act in time */
	MC_WFD_SOURCE_END_PROTOCOL,	/* the sink refused the session or broke the protocol */
	MC_WFD_SOURCE_END_MODE_CHANGE,	/* the sink refused a new mode */
	MC_WFD_SOURCE_END_REFUSED,	/* the caller refused the sink (capabilities()) */
} McWfdSourceEnd;

typedef struct {
	/* A message for the sink (transfer none). */
	void (*send)(GstRTSPMessage *message, gpointer data);
	/*
	 * The sink's M3 reply and the choice M4 will set (the best common
	 * mode). The caller announces the monitor; FALSE with error set
	 * refuses the sink (END_REFUSED).
	 */
	gboolean (*capabilities)(const McWfdParams *sink, const McWfdChoice *choice,
				 gpointer data, GError **error);
	/* The sink accepted a format (M4): the stream has it from now on. */
	void (*format)(const McWfdChoice *choice, gpointer data);
	/* RTP to the sink's port may flow, from an IDR frame on (PLAY answered). */
	void (*play)(guint16 rtp_port, gpointer data);
	/* RTP must stop (PAUSE, standby, teardown). */
	void (*pause)(gpointer data);
	/* The sink asks for an IDR frame (M13). */
	void (*idr)(gpointer data);
	/* The session is over; nothing follows. */
	void (*ended)(McWfdSourceEnd end, const char *message, gpointer data);
} McWfdSourceFuncs;

typedef struct {
	McWfdSourceCaps caps;
	const char *local_address;	/* the source's, in wfd_presentation_URL */
	guint16 server_port;		/* the UDP port RTP leaves from (SETUP reply) */
	guint session_timeout;		/* s; 0: MC_WFD_DEFAULT_SESSION_TIMEOUT; at least 6 */
	const char *session_id;		/* NULL: 8 random hex digits */
} McWfdSourceConfig;

McWfdSource *mc_wfd_source_new(const McWfdSourceConfig *config, const McWfdSourceFuncs *funcs,
			       gpointer data);
void mc_wfd_source_free(McWfdSource *source);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McWfdSource, mc_wfd_source_free)

/* Sends M1: call once the connection to the sink is up. */
void mc_wfd_source_start(McWfdSource *source, gint64 now);
/* A message from the sink (transfer none). */
void mc_wfd_source_receive(McWfdSource *source, GstRTSPMessage *message, gint64 now);
/* The connection to the sink is gone (error NULL: it closed it). */
void mc_wfd_source_closed(McWfdSource *source, const GError *error, gint64 now);
/* Runs what is due at now. */
void mc_wfd_source_tick(McWfdSource *source, gint64 now);
/* When mc_wfd_source_tick() is next due; G_MAXINT64 if never. */
gint64 mc_wfd_source_next_deadline(McWfdSource *source);

/*
 * The display's mode changed to r: M4 with it once the first negotiation
 * is done (now, or when the M4 in flight is answered). FALSE with error
 * set if the sink does not have r.
 */
gboolean mc_wfd_source_set_mode(McWfdSource *source, const McWfdResolution *r, gint64 now,
				GError **error);
/* The display sleeps (DPMS off) or wakes: RTP stops, the sink is told. */
void mc_wfd_source_standby(McWfdSource *source, gboolean standby, gint64 now);
/* Ends the session: M5 TEARDOWN, then ended() at the sink's TEARDOWN or 2 s later. */
void mc_wfd_source_teardown(McWfdSource *source, gint64 now);

McWfdSourceState mc_wfd_source_get_state(McWfdSource *source);
/* The sink's M3 reply; NULL before it came. */
const McWfdParams *mc_wfd_source_get_sink(McWfdSource *source);
/* The format the sink accepted last; NULL before one was. */
const McWfdChoice *mc_wfd_source_get_choice(McWfdSource *source);
/* The session id and its timeout in s; the sink's RTP port (0 before SETUP). */
const char *mc_wfd_source_get_session_id(McWfdSource *source);
guint mc_wfd_source_get_session_timeout(McWfdSource *source);
guint16 mc_wfd_source_get_rtp_port(McWfdSource *source);
/* Keepalives (M16) sent and answered. */
guint mc_wfd_source_get_keepalives(McWfdSource *source);

G_END_DECLS

#endif /* MC_WFD_SOURCE_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * miracastd's parts: the displays and their kernel side (miracastd.c), the
 * Wi-Fi Display session of a display (session.c).
 */
#ifndef MIRACASTD_H
#define MIRACASTD_H

#include <gio/gio.h>

#include "mc-client.h"
#include "mc-control.h"
#include "mc-rtsp.h"
#include "mc-stream.h"
#include "mc-wfd-source.h"

typedef struct _Daemon Daemon;
typedef struct _P2p P2p;

typedef enum {
	STATE_IDLE,		/* no sink: the display is disconnected */
	STATE_NEGOTIATING,	/* a sink's RTSP session is being set up */
	STATE_WAITING,		/* the sink is announced; nothing streams yet */
	STATE_STREAMING,
	STATE_STANDBY,		/* the display is lit but asleep (DPMS), or the sink paused */
	STATE_FAILED,		/* it is lit but its stream failed */
} State;

/* One display: a device, the sink it shows on, its stream. */
typedef struct {
	Daemon *d;
	char *name;		/* "miracast0" */
	char *dev_node;
	McClient *client;
	gboolean context;	/* the kernel context exists */
	guint watch;		/* the kernel fd's source, while there is a context */
	guint chunks;		/* the timer reading the kernel's chunk records */
	GArray *modes;		/* announced to the kernel: struct miracast_mode */
	State state;
	gboolean lit;		/* the CRTC is on, in mode */
	gboolean asleep;	/* DPMS off */
	struct miracast_mode mode;
	char *failure;		/* why the stream or the last session failed */

	/* where the stream goes */
	gboolean fixed;		/* --stream-to: a receiver without RTSP */
	char *host;
	guint16 port;
	gboolean playing;	/* the sink takes RTP now */

	/* the Wi-Fi Display session, when there is one */
	McRtsp *rtsp;
	McWfdSource *wfd;
	guint wfd_timer;
	GSocket *udp;		/* RTP leaves from it, */
	guint16 server_port;	/* this port (the SETUP reply's server_port) */
	GCancellable *connecting;	/* "connect": the TCP connection to the sink */
	McWfdChoice choice;	/* what the sink accepted */
	gboolean have_choice;
	McControlCall *connect_call;	/* "connect": answered once it plays, or fails */
	GPtrArray *disconnect_calls;	/* McControlCall: answered when it ends */
	guint keepalives;		/* of the sessions that ended */

	McStream *stream;
	McRtpPosition rtp;	/* where the last stream to this sink got to */
	McVideoConfig video;	/* the stream's, while streaming */
	McAudioCodec audio;
	/* the figures of the streams that ended */
	guint64 sent, dropped, repeated;
	guint64 replaced;	/* frames the kernel replaced by newer ones (latest wins) */
} Display;

struct _Daemon {
	GMainLoop *loop;
	GPtrArray *displays;	/* Display */
	McControl *control;
	GSocketService *rtsp;	/* sinks connect here */
	guint16 rtsp_port;
	GArray *modes;		/* --mode: the fixed sinks', struct miracast_mode */
	McWfdSourceCaps caps;	/* what the source offers sinks */
	guint session_timeout;
	char *encoder;
	guint bitrate_kbps;
	McAudioCodec audio;	/* of fixed sinks */
	char *audio_source;
	P2p *p2p;		/* Wi-Fi Direct (--wpa-ctrl), or NULL */
	gboolean stopping;	/* SIGTERM: sessions are torn down, then it quits */
	int status;
};

/* miracastd.c */
gboolean display_announce(Display *dp, guint32 link_type, const guint8 *edid, gsize edid_size,
			  GError **error);
void display_release(Display *dp, guint32 reason);
void display_update_stream(Display *dp);
void display_fail(Display *dp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void daemon_check_stopped(Daemon *d);
Display *daemon_free_display(Daemon *d);
char *kernel_mode_name(const struct miracast_mode *m);

/* session.c: the Wi-Fi Display session of a display */
gboolean session_begin(Display *dp, GSocketConnection *conn, GError **error);
void session_free(Display *dp);
void session_teardown(Display *dp);
void session_kernel_mode(Display *dp);
void session_standby(Display *dp, gboolean asleep);
void session_describe(Display *dp, GKeyFile *kf);
gboolean session_listen(Daemon *d, GError **error);
gboolean session_connect(Daemon *d, const char *target, McControlCall *call, GError **error);
void session_link_lost(Display *dp, const char *why);

/* p2p.c: Wi-Fi Direct through wpa_supplicant */
P2p *p2p_new(Daemon *d, const char *ctrl, guint go_intent);
void p2p_free(P2p *p);
void p2p_list(P2p *p, GKeyFile *kf);
gboolean p2p_connect(P2p *p, const char *target, const char *pin, McControlCall **call,
		     GError **error);
void p2p_session_started(P2p *p, Display *dp, const char *local_address);
void p2p_session_ended(P2p *p, Display *dp);
gboolean p2p_busy(P2p *p);
void p2p_update(P2p *p);
void p2p_describe(P2p *p, GKeyFile *kf);

#endif /* MIRACASTD_H */

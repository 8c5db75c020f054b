/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sinks miracast-testsink can be: each a table entry with what it
 * answers to the source's M3 (its capabilities, as real sinks write them)
 * and how it behaves. docs/testsink.md describes each one.
 */
#ifndef SINK_PROFILES_H
#define SINK_PROFILES_H

#include <glib.h>

G_BEGIN_DECLS

/* What a profile does besides answering like a sink, and what it expects the source to do. */
typedef enum {
	SINK_FAITHFUL,		/* a sink that works: the session plays and is torn down */
	SINK_BROKEN_PARAMS,	/* its M3 reply is malformed: the source must give up, no M4 */
	SINK_LATE_KEEPALIVE,	/* answers M16 late: the source must end the session */
	SINK_VANISH,		/* stops answering while playing: the source must end it */
	SINK_DROP,		/* closes TCP while playing, no TEARDOWN: RTP must stop */
} SinkBehaviour;

/* Quirks of the RTSP exchange (real sinks' habits). */
#define SINK_EARLY_M2		(1u << 0)	/* M2 with CSeq 0 on connecting, before M1 */
#define SINK_M16_NO_SESSION	(1u << 1)	/* M16 replies without Session */
#define SINK_LF_ONLY		(1u << 2)	/* the M3 reply's body lines end in LF */
#define SINK_EDID		(1u << 3)	/* wfd_display_edid: sink_profile_edid()'s */

#define SINK_MAX_PARAMS		16

typedef struct {
	const char *name;
	const char *about;		/* one line, for --list-profiles */
	SinkBehaviour behaviour;
	guint flags;
	guint16 rtp_port;		/* its usual RTP port (0: 19000) */
	/*
	 * Its answers to M3, "name: value" as it writes them. A name asked
	 * that has no line here is answered "none"; wfd_client_rtp_ports is
	 * the sink's RTP port, wfd_display_edid none unless SINK_EDID.
	 */
	const char *params[SINK_MAX_PARAMS];
	/* Lines it adds to its M3 reply although nobody asked (vendor extensions). */
	const char *unasked[SINK_MAX_PARAMS];
} SinkProfile;

/* NULL-terminated, in the order --list-profiles shows them. */
extern const SinkProfile *const sink_profiles[];

const SinkProfile *sink_profile_find(const char *name);

/*
 * The profile's answer to M3's name (newly allocated, without line end),
 * "name: none" when it has none.
 */
char *sink_profile_answer(const SinkProfile *p, const char *name, guint16 rtp_port);

/*
 * The whole body of its M3 reply: an answer for each name asked, in that
 * order, then its unasked lines; CRLF line ends (LF with SINK_LF_ONLY).
 */
char *sink_profile_m3_reply(const SinkProfile *p, const char *const *names, guint16 rtp_port);

/*
 * Its capabilities as one text/parameters body (CRLF), every answer it
 * has (the RTP port included), for mc_wfd_params_parse().
 */
char *sink_profile_capabilities(const SinkProfile *p, guint16 rtp_port);

/*
 * The EDID of SINK_EDID profiles: one 128-byte EDID 1.3 block of a 1080p60
 * television ("TESTSINK TV"), checksum included. Its timings are the
 * modes its wfd_video_formats sets: 1920x1080p60 (preferred) and
 * 1280x720p60 in detailed timings, 640x480, 800x600 and 1024x768 at 60 Hz
 * established, 1280x1024, 1280x720 and 1920x1080 at 60 Hz standard.
 */
void sink_profile_edid(guint8 edid[128]);

G_END_DECLS

#endif /* SINK_PROFILES_H */

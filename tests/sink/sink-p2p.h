/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * miracast-testsink's Wi-Fi Direct (docs/testsink.md): the sink's side of
 * P2P through its wpa_supplicant's control interface, as a television does
 * it. It advertises itself as a primary sink (a WFD IE), listens to be
 * found, accepts a source's push button or PIN connection, sets up the
 * group's IPv4 address (from the EAPOL-Key allocation), and says where the
 * source's RTSP server is. The group is removed at the end.
 */
#ifndef SINK_P2P_H
#define SINK_P2P_H

#include <glib.h>

/* The group owner's address, as the supplicants' ip_addr_go sets it. */
#define SINK_P2P_GO_ADDRESS	"192.168.49.1"
#define SINK_P2P_GO_PREFIX	24

typedef struct {
	const char *ctrl;	/* the supplicant's control socket, or its directory */
	const char *pin;	/* the PIN this sink shows; NULL: push button */
	guint go_intent;	/* 0-15 */
	gboolean unavailable;	/* advertise session availability 00 */
	/*
	 * As GO, give addresses by DHCP only (dnsmasq on the group's
	 * interface), not in EAPOL-Key, as many televisions do.
	 */
	gboolean dhcp;
} SinkP2pConfig;

typedef struct _SinkP2p SinkP2p;

typedef struct {
	/* What happens, one line at a time, for the sink's log. */
	void (*note)(const char *text, gpointer data);
	/* The group is up with addresses: the source's RTSP server is at address:port. */
	void (*ready)(const char *address, guint16 port, gpointer data);
	/*
	 * Wi-Fi Direct failed, or the group went away (removed, the
	 * supplicant gone): why. Called once; nothing follows but the
	 * summary and sink_p2p_remove_group().
	 */
	void (*failed)(const char *why, gpointer data);
} SinkP2pFuncs;

/* Starts at once, on the thread-default main context. */
SinkP2p *sink_p2p_new(const SinkP2pConfig *config, const SinkP2pFuncs *funcs, gpointer data);
/*
 * Removes the group, if there is one (P2P_GROUP_REMOVE), and calls done
 * once the supplicant has answered, or at once without a group.
 */
void sink_p2p_remove_group(SinkP2p *p2p, void (*done)(gpointer data), gpointer data);
/* The summary's p2p_* lines, appended to out. */
void sink_p2p_summary(SinkP2p *p2p, GString *out);
void sink_p2p_free(SinkP2p *p2p);

#endif /* SINK_P2P_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A client of wpa_supplicant's control interface (docs/wifi-direct.md), on
 * the thread-default GLib main context: the socket protocol spoken
 * directly (unix datagrams; libwpa_client's requests block for up to 10 s
 * and it exports hostap's internal symbols), one socket for requests and
 * one ATTACHed for events, as wpa_cli does.
 *
 * The supplicant may come and go: the client connects when it can (at
 * once, then every second), PINGs it every few seconds, attaches again
 * when it was detached, and reports each coming and going.
 */
#ifndef MC_WPA_H
#define MC_WPA_H

#include <gio/gio.h>

G_BEGIN_DECLS

/* A request's reply waits at most this long; then the supplicant is taken for gone. */
#define MC_WPA_REQUEST_TIMEOUT_MS	5000
/* Replies and events are read into buffers this large (wpa_cli's 4096 is too small for P2P_PEER). */
#define MC_WPA_MAX_MESSAGE		16384

typedef struct _McWpa McWpa;

typedef struct {
	/*
	 * One event line, as received (size bytes, not NUL-terminated):
	 * "<3>P2P-DEVICE-FOUND ...", or "IFNAME=p2p-wlan0-0 <3>..." on the
	 * global socket. mc_wpa_event_parse() (mc-p2p.h) reads it.
	 */
	void (*event)(McWpa *wpa, const char *line, gsize size, gpointer data);
	/*
	 * The supplicant is reachable (up TRUE: connected and attached) or no
	 * longer (up FALSE, why says how it went: it terminated, stopped
	 * answering, its socket vanished). Requests pending then fail.
	 */
	void (*state)(McWpa *wpa, gboolean up, const GError *why, gpointer data);
} McWpaFuncs;

/*
 * A client of the control socket at path: a socket (an interface's, such
 * as /run/wpa_supplicant/p2p-dev-wlan0, or the global one given with -g),
 * or a ctrl_interface directory, where the P2P device's socket
 * (p2p-dev-*) is used, else the only one there. The client's own sockets
 * are made in client_dir (NULL: the system's temporary directory) and
 * removed by mc_wpa_free(). Never fails: a supplicant that is not there is
 * waited for.
 */
McWpa *mc_wpa_new(const char *path, const char *client_dir, const McWpaFuncs *funcs,
		  gpointer data);
/*
 * Detaches, closes and removes the client's sockets; pending requests are
 * cancelled (their callbacks may come after, from the main context; no
 * McWpaFuncs callback does).
 */
void mc_wpa_free(McWpa *wpa);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McWpa, mc_wpa_free)

gboolean mc_wpa_is_up(McWpa *wpa);
/* The socket in use ("/run/wpa_supplicant/p2p-dev-wlan0"), NULL while none. */
const char *mc_wpa_get_socket(McWpa *wpa);
/* Its interface, the socket's file name ("p2p-dev-wlan0"; "global" for -g's). */
const char *mc_wpa_get_interface(McWpa *wpa);

/*
 * Sends command (such as "P2P_FIND type=social") and calls back with its
 * reply. Requests go out one at a time, in order. The reply "FAIL",
 * "FAIL-<reason>" or "UNKNOWN COMMAND" is an error naming the command and
 * the reply; so are the supplicant being down, a timeout, and cancellation.
 */
void mc_wpa_request(McWpa *wpa, const char *command, GCancellable *cancellable,
		    GAsyncReadyCallback callback, gpointer data);
/* The reply (its trailing newline removed), or NULL with error set. wpa may be freed already. */
char *mc_wpa_request_finish(McWpa *wpa, GAsyncResult *result, GError **error);

/*
 * For the unit tests: the reply timeout, the period of the connection
 * attempts and that of the PINGs, in ms, from then on (0: the default,
 * MC_WPA_REQUEST_TIMEOUT_MS, 1 s and 5 s).
 */
void mc_wpa_set_timeouts(guint request_ms, guint retry_ms, guint ping_ms);

G_END_DECLS

#endif /* MC_WPA_H */

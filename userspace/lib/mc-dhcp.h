/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A DHCP client on a P2P group interface (docs/wifi-direct.md), for a group
 * owner that gives addresses by DHCP only, not in EAPOL-Key: busybox's
 * udhcpc or ISC's dhclient, whichever the machine has, runs in the
 * foreground (renewing the lease while the group lasts) with the calling
 * program itself as its script. Run so (MC_DHCP_SCRIPT in its
 * environment), the program's mc_dhcp_script_main() prints the lease on
 * one line to its standard output, which the client shares with ours, and
 * it exits; the lease is then handed to the caller, who puts the address
 * on the interface (mc-link).
 */
#ifndef MC_DHCP_H
#define MC_DHCP_H

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _McDhcpClient McDhcpClient;

/* A lease (and each renewal): the address, its prefix length, the router (or the server), or NULL. */
typedef void (*McDhcpBound)(const char *address, guint prefix, const char *router,
			    gpointer data);

/* Starts the client on ifname; NULL with error set if none is installed or it cannot start. */
McDhcpClient *mc_dhcp_client_start(const char *ifname, McDhcpBound bound, gpointer data,
				   GError **error);
/* Stops it (the lease is not released); no callback follows. */
void mc_dhcp_client_stop(McDhcpClient *client);

/*
 * First thing in main(): when the program runs as the DHCP client's
 * script, prints the lease (if the client has one) and returns TRUE: the
 * program exits 0. FALSE otherwise.
 */
gboolean mc_dhcp_script_main(int argc, char **argv);

/* "255.255.255.0" or "24" -> 24; 0 if neither. */
guint mc_dhcp_mask_prefix(const char *mask);

G_END_DECLS

#endif /* MC_DHCP_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wi-Fi Direct (docs/wifi-direct.md): sinks are found, connected to and
 * addressed through wpa_supplicant's control interface (mc-wpa), and the
 * sink then opens its RTSP session to the source's port, as Wi-Fi Display
 * has it. The source advertises its WFD Device Information (available
 * while a display is free), lists the sinks it may offer (R7), forms the
 * group by push button or PIN with either side as group owner, addresses
 * it (as GO: itself 192.168.49.1, the peer by EAPOL-Key IP allocation or
 * DHCP from dnsmasq; as client: the address the GO allocated), and removes
 * the group when the session ends (R9). While a group is up, the link's
 * station figures (nl80211) are read once a second and set the encoder's
 * bitrate (mc-link's policy).
 */
#include <string.h>

#include "mc-dhcp.h"
#include "mc-link.h"
#include "mc-p2p.h"
#include "mc-wpa.h"
#include "miracastd.h"

#define GO_ADDRESS		"192.168.49.1"
#define GO_PREFIX		24
#define EAPOL_FIRST		"192.168.49.100"
#define EAPOL_LAST		"192.168.49.199"
#define DHCP_RANGE		"192.168.49.200,192.168.49.250,255.255.255.0,1h"
#define MAX_THROUGHPUT_MBPS	50
#define FIND_S			10	/* each P2P_FIND; it starts again while idle (peers anew) */
#define PROV_DISC_S		15	/* the sink answers provision discovery */
#define FORMATION_S		45	/* GO negotiation and group formation (a PIN is typed) */
#define RTSP_WAIT_S		30	/* the sink opens its RTSP session once the group is up */
#define DHCP_S			15	/* a GO's DHCP server gives us an address */

typedef enum {
	P2P_DOWN,		/* no supplicant */
	P2P_IDLE,		/* discovering */
	P2P_PROVISIONING,	/* provision discovery sent */
	P2P_FORMING,		/* P2P_CONNECT sent: GO negotiation, group formation */
	P2P_ADDRESSING,		/* the group is up, its DHCP server asked for an address */
	P2P_GROUP,		/* the group is up: waiting for the sink's RTSP session */
	P2P_SESSION,		/* a display's session runs over the group */
	P2P_REMOVING,		/* P2P_GROUP_REMOVE sent */
} P2pState;

static const char * const state_names[] = {
	[P2P_DOWN] = "no wpa_supplicant", [P2P_IDLE] = "discovering",
	[P2P_PROVISIONING] = "provision discovery", [P2P_FORMING] = "forming a group",
	[P2P_ADDRESSING] = "asking for an address (DHCP)",
	[P2P_GROUP] = "group up, waiting for the sink", [P2P_SESSION] = "session",
	[P2P_REMOVING] = "removing the group",
};

struct _P2p {
	Daemon *d;
	McWpa *wpa;
	GCancellable *cancel;		/* every request's: no callback after p2p_free() */
	guint go_intent;
	GHashTable *peers;		/* P2P device address -> McP2pPeer */
	P2pState state;
	gboolean advertised_available;	/* what the WFD IE says now */
	gboolean setup_done;

	/* the sink being connected, or in the group */
	char peer[18];
	char *peer_name;
	char *pin;			/* NULL: push button */
	McControlCall *call;		/* "connect", until a display takes it */
	gint64 started;			/* connect's time (µs, monotonic) */
	guint timer;			/* the current step's timeout */

	/* the group */
	char *group_if;
	gboolean go;
	guint freq;
	char *local_ip;
	char *peer_ip;
	GSubprocess *dhcp;		/* dnsmasq, as GO */
	McDhcpClient *dhcp_client;	/* as client of a GO that gives no address in EAPOL-Key */
	Display *dp;			/* the session's display */
	double group_s;			/* connect -> group started, s */

	/* the link */
	guint link_timer;
	McLinkRate rate;
	McLinkStation station;
	gboolean have_station;
	McStream *rated;		/* the stream the rate was last set on */
	guint rated_kbps;
};

static void request(P2p *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void go_idle(P2p *p);

static void peer_free(gpointer data)
{
	mc_p2p_peer_clear(data);
	g_free(data);
}

static double since(gint64 t)
{
	return (g_get_monotonic_time() - t) / 1e6;
}

/* A request whose failure is only logged (the events tell what follows). */
static void on_reply(GObject *object G_GNUC_UNUSED, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *reply = mc_wpa_request_finish(NULL, res, &error);

	if (!reply && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_warning("wifi: %s", error->message);
	(void)data;	/* p: freed when cancelled */
}

static void request(P2p *p, const char *fmt, ...)
{
	g_autofree char *cmd = NULL;
	va_list ap;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_debug("wpa_supplicant <- %s", cmd);
	mc_wpa_request(p->wpa, cmd, p->cancel, on_reply, p);
}

/* ---- The WFD IE: available while a display is free (R3, R4) ---- */

static void advertise(P2p *p)
{
	McWfdDeviceInfo info = {
		.type = MC_WFD_DEV_SOURCE,
		.port = p->d->rtsp_port,
		.max_throughput = MAX_THROUGHPUT_MBPS,
	};
	gboolean available = !p->d->stopping && daemon_free_display(p->d) &&
			     p->state != P2P_SESSION;
	g_autofree char *subelem = NULL;

	if (p->state == P2P_DOWN || (p->setup_done && available == p->advertised_available))
		return;
	info.availability = available ? MC_WFD_AVAILABLE : MC_WFD_NOT_AVAILABLE;
	subelem = mc_wfd_device_info_to_subelem(&info);
	request(p, "WFD_SUBELEM_SET 0 %s", subelem);
	p->advertised_available = available;
	g_message("wifi: the source is %savailable (WFD device info %s)", available ? "" : "not ",
		  subelem);
}

/* ---- Steps and their timeouts ---- */

static gboolean on_step_timeout(gpointer data);

static void step(P2p *p, P2pState state, guint timeout_s)
{
	p->state = state;
	if (p->timer)
		g_source_remove(p->timer);
	p->timer = timeout_s ? g_timeout_add_seconds(timeout_s, on_step_timeout, p) : 0;
}

static void finish_call(P2p *p, const char *message)
{
	g_autoptr(GError) error = NULL;

	if (!p->call)
		return;
	error = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
	mc_control_call_finish(g_steal_pointer(&p->call), NULL, error);
}

/* The pending "connect" fails with message; the group, if any, goes. */
static void fail(P2p *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void fail(P2p *p, const char *fmt, ...)
{
	g_autofree char *message = NULL;
	va_list ap;

	va_start(ap, fmt);
	message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_warning("wifi: %s", message);
	finish_call(p, message);
	if (p->group_if && p->state != P2P_REMOVING) {
		request(p, "P2P_GROUP_REMOVE %s", p->group_if);
		step(p, P2P_REMOVING, 10);
		return;
	}
	if (p->state == P2P_PROVISIONING || p->state == P2P_FORMING)
		request(p, "P2P_CANCEL");
	if (p->state != P2P_DOWN && !p->group_if)
		go_idle(p);
}

static gboolean on_step_timeout(gpointer data)
{
	P2p *p = data;

	p->timer = 0;
	switch (p->state) {
	case P2P_PROVISIONING:
		fail(p, "%s did not answer provision discovery in %d s", p->peer_name,
		     PROV_DISC_S);
		break;
	case P2P_FORMING:
		fail(p, "no group with %s within %d s", p->peer_name, FORMATION_S);
		break;
	case P2P_ADDRESSING:
		fail(p, "no address from %s's DHCP server within %d s", p->peer_name, DHCP_S);
		break;
	case P2P_GROUP:
		fail(p, "%s did not open its RTSP session within %d s of the group", p->peer_name,
		     RTSP_WAIT_S);
		break;
	case P2P_REMOVING:
		g_warning("wifi: the group %s was not removed: taken for gone", p->group_if);
		go_idle(p);
		break;
	default:
		break;
	}
	return G_SOURCE_REMOVE;
}

/* ---- The group ---- */

static void stop_dhcp(P2p *p)
{
	g_clear_pointer(&p->dhcp_client, mc_dhcp_client_stop);
	if (!p->dhcp)
		return;
	g_subprocess_send_signal(p->dhcp, SIGTERM);
	g_clear_object(&p->dhcp);
}

/* As GO: a DHCP server for sinks that do not ask for an address in EAPOL-Key. */
static void start_dhcp(P2p *p)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *iface = g_strdup_printf("--interface=%s", p->group_if);
	g_autofree char *leases = g_strdup_printf("--dhcp-leasefile=%s/miracastd-%s.leases",
						  g_get_tmp_dir(), p->group_if);
	g_autofree char *path = g_find_program_in_path("dnsmasq");

	if (!path) {
		g_message("wifi: no dnsmasq: addresses only by EAPOL-Key IP allocation");
		return;
	}
	p->dhcp = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
				   G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, path,
				   "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
				   "--no-resolv", "--no-hosts", iface, "--bind-interfaces",
				   "--except-interface=lo", "--dhcp-range=" DHCP_RANGE,
				   leases, "--pid-file=", "--no-ping", NULL);
	if (!p->dhcp)
		g_warning("wifi: cannot start dnsmasq: %s", error->message);
}

static void link_stop(P2p *p)
{
	if (p->link_timer)
		g_source_remove(p->link_timer);
	p->link_timer = 0;
	p->have_station = FALSE;
	p->rated = NULL;
}

/* Once a second: the station's figures, and the bitrate they allow. */
static gboolean on_link(gpointer data)
{
	P2p *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) stations = mc_link_get_stations(p->group_if, &error);
	McStream *stream = p->dp && p->state == P2P_SESSION ? p->dp->stream : NULL;
	guint kbps;

	if (!stations) {
		g_debug("wifi: %s", error->message);
		return G_SOURCE_CONTINUE;
	}
	p->have_station = stations->len > 0;
	if (!p->have_station)
		return G_SOURCE_CONTINUE;
	/* a P2P group of a sink and its source: one station */
	p->station = g_array_index(stations, McLinkStation, 0);
	mc_link_rate_update(&p->rate, &p->station);
	if (!stream)
		return G_SOURCE_CONTINUE;
	kbps = MIN(p->rate.kbps, p->dp->video.bitrate_kbps);
	if (stream == p->rated && kbps == p->rated_kbps)
		return G_SOURCE_CONTINUE;
	if (mc_stream_set_bitrate(stream, kbps)) {
		g_message("wifi: link %u kbit/s%s, %.0f%% retries, %u lost: video at %u kbit/s",
			  p->rate.link_kbps, p->rate.link_busy ? "" : " (idle)",
			  p->rate.retry_ratio * 100, p->rate.failed, kbps);
		p->rated_kbps = kbps;
	}
	p->rated = stream;
	return G_SOURCE_CONTINUE;
}

static void forget_group(P2p *p)
{
	link_stop(p);
	stop_dhcp(p);
	g_clear_pointer(&p->group_if, g_free);
	g_clear_pointer(&p->local_ip, g_free);
	g_clear_pointer(&p->peer_ip, g_free);
	p->dp = NULL;
}

/* Back to discovering (or to waiting for the supplicant). */
static void go_idle(P2p *p)
{
	gboolean down = p->state == P2P_DOWN;

	forget_group(p);
	step(p, down ? P2P_DOWN : P2P_IDLE, 0);
	if (p->d->stopping) {	/* the group it waited for is gone */
		daemon_check_stopped(p->d);
		return;
	}
	if (down)
		return;
	advertise(p);
	request(p, "P2P_FIND %d type=social", FIND_S);
}

/* The group's address is on: the sink's session comes next, the link is watched. */
static void wait_rtsp(P2p *p)
{
	step(p, P2P_GROUP, RTSP_WAIT_S);
	mc_link_rate_init(&p->rate, p->d->bitrate_kbps);
	if (!p->link_timer)
		p->link_timer = g_timeout_add_seconds(1, on_link, p);
}

static gboolean set_address(P2p *p, const char *address, guint prefix)
{
	g_autoptr(GError) error = NULL;

	if (!mc_link_flush_addresses(p->group_if, &error) ||
	    !mc_link_add_address(p->group_if, address, prefix, &error)) {
		fail(p, "group %s: %s", p->group_if, error->message);
		return FALSE;
	}
	g_free(p->local_ip);
	p->local_ip = g_strdup(address);
	return TRUE;
}

/* The DHCP client's lease (and each renewal) */
static void on_lease(const char *address, guint prefix, const char *router, gpointer data)
{
	P2p *p = data;

	if (!p->group_if || !g_strcmp0(address, p->local_ip))
		return;
	if (!set_address(p, address, prefix ? prefix : GO_PREFIX))
		return;
	g_free(p->peer_ip);
	p->peer_ip = g_strdup(router);
	g_message("wifi: %s/%u from the group owner's DHCP server %s: waiting for the RTSP "
		  "session", address, prefix, router ? router : "?");
	if (p->state == P2P_ADDRESSING)
		wait_rtsp(p);
}

static void on_group_started(P2p *p, const McWpaEvent *e)
{
	const char *ifname = mc_wpa_event_word(e, 0), *role = mc_wpa_event_word(e, 1);
	const char *freq = mc_wpa_event_get(e, "freq");
	g_autoptr(GError) error = NULL;
	const char *address;

	if (!ifname || !role || (strcmp(role, "GO") && strcmp(role, "client"))) {
		g_warning("wifi: P2P-GROUP-STARTED without an interface and role");
		return;
	}
	if (p->state != P2P_FORMING) {
		/* not ours (a sink that invited us, a persistent group): not taken */
		g_message("wifi: a group %s (%s) nobody asked for: removed", ifname, role);
		request(p, "P2P_GROUP_REMOVE %s", ifname);
		return;
	}
	forget_group(p);
	p->group_if = g_strdup(ifname);
	p->go = !strcmp(role, "GO");
	p->freq = freq ? (guint)g_ascii_strtoull(freq, NULL, 10) : 0;
	p->group_s = since(p->started);
	address = p->go ? GO_ADDRESS : mc_wpa_event_get(e, "ip_addr");
	if (!address) {
		/* a GO that serves DHCP only */
		g_message("wifi: group %s with %s is up after %.2f s: the sink is GO; asking it for an "
			  "address by DHCP", ifname, p->peer_name, p->group_s);
		p->dhcp_client = mc_dhcp_client_start(ifname, on_lease, p, &error);
		if (!p->dhcp_client) {
			fail(p, "group %s: %s", ifname, error->message);
			return;
		}
		step(p, P2P_ADDRESSING, DHCP_S);
		return;
	}
	if (!set_address(p, address, p->go ? GO_PREFIX :
			 mc_dhcp_mask_prefix(mc_wpa_event_get(e, "ip_mask"))))
		return;
	if (!p->go)
		p->peer_ip = g_strdup(mc_wpa_event_get(e, "go_ip_addr"));
	else
		start_dhcp(p);
	g_message("wifi: group %s with %s is up after %.2f s: %s, %s on %u MHz, waiting for its "
		  "RTSP session", ifname, p->peer_name, p->group_s,
		  p->go ? "the source is GO" : "the sink is GO", address, p->freq);
	wait_rtsp(p);
}

static void on_group_removed(P2p *p, const McWpaEvent *e)
{
	const char *ifname = mc_wpa_event_word(e, 0), *reason = mc_wpa_event_get(e, "reason");
	Display *dp = p->dp;

	if (!p->group_if || g_strcmp0(ifname, p->group_if))
		return;
	g_message("wifi: group %s removed (%s)", ifname, reason ? reason : "no reason given");
	if (p->state == P2P_REMOVING) {
		go_idle(p);
		return;
	}
	if (dp && p->state == P2P_SESSION) {
		forget_group(p);
		go_idle(p);
		session_link_lost(dp, "the Wi-Fi Direct group ended");
		return;
	}
	forget_group(p);
	fail(p, "the group with %s ended (%s)", p->peer_name, reason ? reason : "?");
}

/* ---- Peers ---- */

static void on_peer_reply(GObject *object G_GNUC_UNUSED, GAsyncResult *res, gpointer data)
{
	P2p *p = data;
	g_autoptr(GError) error = NULL;
	g_autofree char *reply = mc_wpa_request_finish(NULL, res, &error);
	McP2pPeer peer = { 0 }, *old;

	if (!reply) {	/* cancelled: p is gone */
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("wifi: P2P_PEER: %s", error->message);
		return;
	}
	if (!mc_p2p_peer_from_reply(reply, strlen(reply), &peer, &error)) {
		g_message("wifi: a peer's description is not taken: %s", error->message);
		return;
	}
	old = g_hash_table_lookup(p->peers, peer.address);
	if (!old) {		/* lost meanwhile */
		mc_p2p_peer_clear(&peer);
		return;
	}
	mc_p2p_peer_clear(old);
	*old = peer;
}

static void on_device_found(P2p *p, const McWpaEvent *e)
{
	g_autoptr(GError) error = NULL;
	McP2pPeer *peer = g_new0(McP2pPeer, 1);
	g_autofree char *command = NULL;

	if (!mc_p2p_peer_from_event(e, peer, &error)) {
		g_message("wifi: a peer is not taken: %s", error->message);
		peer_free(peer);
		return;
	}
	if (!g_hash_table_contains(p->peers, peer->address))
		g_message("wifi: found %s (%s)%s%s", peer->address, peer->name,
			  peer->has_wfd ? ", " : ", no Wi-Fi Display",
			  peer->has_wfd ? mc_wfd_device_type_name(peer->wfd.device_info.type) : "");
	g_hash_table_replace(p->peers, g_strdup(peer->address), peer);
	/* the whole WFD IE and the signal */
	command = g_strdup_printf("P2P_PEER %s", peer->address);
	mc_wpa_request(p->wpa, command, p->cancel, on_peer_reply, p);
}

static McP2pPeer *find_peer(P2p *p, const char *target, guint *n_named)
{
	char address[18];
	GHashTableIter it;
	McP2pPeer *peer, *named = NULL;

	*n_named = 0;
	if (mc_p2p_parse_address(target, address))
		return g_hash_table_lookup(p->peers, address);
	g_hash_table_iter_init(&it, p->peers);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&peer)) {
		if (!g_strcmp0(peer->name, target)) {
			named = peer;
			(*n_named)++;
		}
	}
	return named;
}

/* ---- Events ---- */

static gboolean is_our_peer(P2p *p, const McWpaEvent *e)
{
	const char *a = mc_wpa_event_get(e, "p2p_dev_addr");
	char address[18];

	if (!a)
		a = mc_wpa_event_word(e, 0);
	return a && mc_p2p_parse_address(a, address) && !strcmp(address, p->peer);
}

static void connect_peer(P2p *p)
{
	g_message("wifi: GO negotiation with %s (intent %u)", p->peer_name, p->go_intent);
	step(p, P2P_FORMING, FORMATION_S);
	if (p->pin)
		request(p, "P2P_CONNECT %s %s keypad go_intent=%u", p->peer, p->pin, p->go_intent);
	else
		request(p, "P2P_CONNECT %s pbc go_intent=%u", p->peer, p->go_intent);
}

static void on_event(McWpa *wpa G_GNUC_UNUSED, const char *line, gsize size, gpointer data)
{
	P2p *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(McWpaEvent) e = mc_wpa_event_parse(line, size, &error);
	const char *n;

	if (!e) {
		g_debug("wifi: an event is not taken: %s", error->message);
		return;
	}
	n = e->name;
	g_debug("wpa_supplicant -> %.*s", (int)size, line);
	if (!strcmp(n, "P2P-DEVICE-FOUND")) {
		on_device_found(p, e);
	} else if (!strcmp(n, "P2P-DEVICE-LOST")) {
		const char *a = mc_wpa_event_get(e, "p2p_dev_addr");
		char address[18];

		if (a && mc_p2p_parse_address(a, address))
			g_hash_table_remove(p->peers, address);
	} else if (!strcmp(n, "P2P-FIND-STOPPED")) {
		if (p->state == P2P_IDLE)
			request(p, "P2P_FIND %d type=social", FIND_S);
	} else if (!strcmp(n, "P2P-PROV-DISC-PBC-RESP") || !strcmp(n, "P2P-PROV-DISC-ENTER-PIN")) {
		if (p->state == P2P_PROVISIONING && is_our_peer(p, e))
			connect_peer(p);
	} else if (!strcmp(n, "P2P-PROV-DISC-SHOW-PIN")) {
		if (p->state == P2P_PROVISIONING && is_our_peer(p, e))
			fail(p, "%s wants to type a PIN shown here: not supported (its own PIN, "
			     "or push button)", p->peer_name);
	} else if (!strcmp(n, "P2P-PROV-DISC-FAILURE")) {
		if (p->state == P2P_PROVISIONING && is_our_peer(p, e))
			fail(p, "%s refused provision discovery (status %s)", p->peer_name,
			     mc_wpa_event_get(e, "status") ? mc_wpa_event_get(e, "status") : "?");
	} else if (!strcmp(n, "P2P-GO-NEG-SUCCESS")) {
		g_message("wifi: GO negotiation done: the source is %s",
			  g_strcmp0(mc_wpa_event_get(e, "role"), "GO") ? "client" : "GO");
	} else if (!strcmp(n, "P2P-GO-NEG-FAILURE") || !strcmp(n, "P2P-GROUP-FORMATION-FAILURE")) {
		if (p->state == P2P_FORMING)
			fail(p, "%s with %s failed (status %s)", n, p->peer_name,
			     mc_wpa_event_get(e, "status") ? mc_wpa_event_get(e, "status") : "?");
	} else if (!strcmp(n, "P2P-GROUP-STARTED")) {
		on_group_started(p, e);
	} else if (!strcmp(n, "P2P-GROUP-REMOVED")) {
		on_group_removed(p, e);
	} else if (!strcmp(n, "AP-STA-CONNECTED") && p->go && p->group_if) {
		const char *ip = mc_wpa_event_get(e, "ip_addr");

		if (ip) {
			g_free(p->peer_ip);
			p->peer_ip = g_strdup(ip);
		}
		g_message("wifi: %s joined the group%s%s", mc_wpa_event_word(e, 0),
			  ip ? " with " : "", ip ? ip : "");
	} else if (!strcmp(n, "AP-STA-DISCONNECTED") && p->go && p->group_if) {
		g_message("wifi: %s left the group", mc_wpa_event_word(e, 0));
	}
}

/* The supplicant came: the source's WFD IE, EAPOL-Key addresses for a group it owns, a search. */
static void setup(P2p *p)
{
	step(p, P2P_IDLE, 0);
	p->setup_done = FALSE;
	request(p, "SET wifi_display 1");
	advertise(p);
	p->setup_done = TRUE;
	request(p, "SET ip_addr_go " GO_ADDRESS);
	request(p, "SET ip_addr_mask 255.255.255.0");
	request(p, "SET ip_addr_start " EAPOL_FIRST);
	request(p, "SET ip_addr_end " EAPOL_LAST);
	request(p, "P2P_FIND %d type=social", FIND_S);
}

static void on_state(McWpa *wpa, gboolean up, const GError *why, gpointer data)
{
	P2p *p = data;
	Display *dp = p->dp;

	if (up) {
		g_message("wifi: wpa_supplicant at %s", mc_wpa_get_socket(wpa));
		setup(p);
		return;
	}
	g_warning("wifi: wpa_supplicant is gone: %s", why ? why->message : "?");
	g_hash_table_remove_all(p->peers);
	if (p->group_if) {
		g_autoptr(GError) error = NULL;

		/* a killed supplicant leaves its group's interface behind */
		if (!mc_link_flush_addresses(p->group_if, &error))
			g_debug("wifi: %s", error->message);
	}
	forget_group(p);
	step(p, P2P_DOWN, 0);
	finish_call(p, "wpa_supplicant went away during the connection");
	if (dp)
		session_link_lost(dp, "wpa_supplicant went away");
	if (p->d->stopping)	/* no group left to wait for */
		daemon_check_stopped(p->d);
}

/* ---- What the daemon asks ---- */

P2p *p2p_new(Daemon *d, const char *ctrl, guint go_intent)
{
	static const McWpaFuncs funcs = { .event = on_event, .state = on_state };
	P2p *p = g_new0(P2p, 1);

	p->d = d;
	p->go_intent = go_intent;
	p->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, peer_free);
	p->state = P2P_DOWN;
	p->cancel = g_cancellable_new();
	g_message("wifi: Wi-Fi Direct through wpa_supplicant at %s (GO intent %u)", ctrl,
		  go_intent);
	p->wpa = mc_wpa_new(ctrl, NULL, &funcs, p);
	return p;
}

void p2p_free(P2p *p)
{
	g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "miracastd stops");

	if (!p)
		return;
	if (p->call)
		mc_control_call_finish(g_steal_pointer(&p->call), NULL, error);
	if (p->timer)
		g_source_remove(p->timer);
	forget_group(p);
	g_cancellable_cancel(p->cancel);
	g_clear_pointer(&p->wpa, mc_wpa_free);
	g_object_unref(p->cancel);
	g_hash_table_unref(p->peers);
	g_free(p->peer_name);
	g_free(p->pin);
	g_free(p);
}

static char *peer_capabilities(const McP2pPeer *peer)
{
	const McWfdDeviceInfo *i = &peer->wfd.device_info;

	return g_strdup_printf("%s, port %u, %u Mbit/s%s%s%s",
			       mc_wfd_device_type_name(i->type), i->port, i->max_throughput,
			       i->content_protection ? ", HDCP" : "",
			       i->audio_unsupported ? ", no audio" : "",
			       peer->wfd.has_ext_capability &&
			       (peer->wfd.ext_capability & MC_WFD_EXT_UIBC) ? ", UIBC" : "");
}

/* "list": the sinks a source may offer (R7), and how many others are about. */
void p2p_list(P2p *p, GKeyFile *kf)
{
	g_autoptr(GStrvBuilder) names = g_strv_builder_new();
	g_auto(GStrv) list = NULL;
	GHashTableIter it;
	McP2pPeer *peer;
	guint others = 0;

	g_key_file_set_string(kf, "wifi", "state", state_names[p->state]);
	g_hash_table_iter_init(&it, p->peers);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&peer)) {
		g_autofree char *caps = NULL;

		if (!peer->has_wfd || !mc_wfd_device_info_is_offerable(&peer->wfd.device_info)) {
			others++;
			continue;
		}
		g_strv_builder_add(names, peer->address);
		caps = peer_capabilities(peer);
		g_key_file_set_string(kf, peer->address, "name", peer->name ? peer->name : "");
		g_key_file_set_string(kf, peer->address, "wfd", caps);
		if (peer->level != G_MININT)
			g_key_file_set_integer(kf, peer->address, "signal_dbm", peer->level);
		g_key_file_set_string(kf, peer->address, "methods",
				      (peer->config_methods & 0x0080) ?
				      ((peer->config_methods & 0x0108) ? "pbc, pin" : "pbc") :
				      "pin");
	}
	list = g_strv_builder_end(names);
	g_key_file_set_string_list(kf, "wifi", "sinks", (const char * const *)list,
				   g_strv_length(list));
	g_key_file_set_integer(kf, "wifi", "other_devices", others);
}

/*
 * "connect TARGET [PIN]": a nearby sink by P2P address or name. FALSE with
 * error NOT_FOUND when no sink of that name or address is about (the
 * caller may try TARGET as a host), with another error when it cannot be.
 */
gboolean p2p_connect(P2p *p, const char *target, const char *pin, McControlCall **call,
		     GError **error)
{
	guint n_named;
	McP2pPeer *peer = find_peer(p, target, &n_named);

	if (!peer) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no sink %s nearby", target);
		return FALSE;
	}
	if (n_named > 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%u devices are named %s: give the address", n_named, target);
		return FALSE;
	}
	if (!peer->has_wfd || !mc_wfd_device_info_is_offerable(&peer->wfd.device_info)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "%s (%s) %s", peer->name, peer->address,
			    !peer->has_wfd ? "is no Wi-Fi Display device" :
			    peer->wfd.device_info.availability != MC_WFD_AVAILABLE ?
			    "says it is not available for a session" : "is no sink");
		return FALSE;
	}
	if (p->state != P2P_IDLE) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "Wi-Fi Direct is busy: %s",
			    state_names[p->state]);
		return FALSE;
	}
	if (!daemon_free_display(p->d)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "no display is free");
		return FALSE;
	}
	if (pin && (strlen(pin) < 4 || strlen(pin) > 8 || strspn(pin, "0123456789") != strlen(pin))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "PIN \"%s\": 4 to 8 digits", pin);
		return FALSE;
	}
	memcpy(p->peer, peer->address, sizeof(p->peer));
	g_free(p->peer_name);
	p->peer_name = g_strdup_printf("%s (%s)", peer->name, peer->address);
	g_free(p->pin);
	p->pin = g_strdup(pin);
	p->call = g_steal_pointer(call);
	p->started = g_get_monotonic_time();
	g_message("wifi: connecting to %s by %s", p->peer_name, pin ? "PIN" : "push button");
	request(p, "P2P_STOP_FIND");
	/* "display": the sink is asked to show a PIN, which the user types here */
	request(p, "P2P_PROV_DISC %s %s", p->peer, pin ? "display" : "pbc");
	step(p, P2P_PROVISIONING, PROV_DISC_S);
	return TRUE;
}

/* A sink opened an RTSP session: over our group, it is the one connect waits for. */
void p2p_session_started(P2p *p, Display *dp, const char *local_address)
{
	if (!p || p->state != P2P_GROUP || g_strcmp0(local_address, p->local_ip))
		return;
	g_message("wifi: %s's session is on %s", p->peer_name, dp->name);
	p->dp = dp;
	step(p, P2P_SESSION, 0);
	if (p->call && !dp->connect_call)
		dp->connect_call = g_steal_pointer(&p->call);
	advertise(p);
}

/* A display's session ended: its group goes (R9), the source is available again (R4). */
void p2p_session_ended(P2p *p, Display *dp)
{
	if (!p)
		return;
	if (p->dp != dp || p->state != P2P_SESSION) {
		advertise(p);
		return;
	}
	p->dp = NULL;
	g_message("wifi: removing the group %s", p->group_if);
	request(p, "P2P_GROUP_REMOVE %s", p->group_if);
	step(p, P2P_REMOVING, 10);
	link_stop(p);
}

/* A group is being removed: the daemon waits for it before it quits. */
gboolean p2p_busy(P2p *p)
{
	return p && p->state == P2P_REMOVING;
}

/* The source's availability follows the displays (a session began elsewhere, the daemon stops). */
void p2p_update(P2p *p)
{
	if (p)
		advertise(p);
}

/* "status": the link. */
void p2p_describe(P2p *p, GKeyFile *kf)
{
	const char *g = "wifi";

	g_key_file_set_string(kf, g, "state", state_names[p->state]);
	if (mc_wpa_get_socket(p->wpa))
		g_key_file_set_string(kf, g, "wpa_supplicant", mc_wpa_get_socket(p->wpa));
	g_key_file_set_string(kf, g, "available", p->advertised_available ? "yes" : "no");
	if (p->state >= P2P_PROVISIONING && p->peer_name)
		g_key_file_set_string(kf, g, "peer", p->peer_name);
	if (!p->group_if)
		return;
	g_key_file_set_string(kf, g, "group", p->group_if);
	g_key_file_set_string(kf, g, "role", p->go ? "GO" : "client");
	g_key_file_set_uint64(kf, g, "freq_mhz", p->freq);
	g_key_file_set_string(kf, g, "address", p->local_ip ? p->local_ip : "?");
	g_key_file_set_string(kf, g, "peer_address", p->peer_ip ? p->peer_ip : "?");
	{
		char buf[G_ASCII_DTOSTR_BUF_SIZE];

		g_key_file_set_string(kf, g, "group_s",
				      g_ascii_formatd(buf, sizeof(buf), "%.2f", p->group_s));
	}
	if (!p->have_station)
		return;
	g_key_file_set_uint64(kf, g, "tx_bitrate_kbps", p->station.tx_bitrate_kbps);
	if (p->station.signal_dbm != G_MININT)
		g_key_file_set_integer(kf, g, "signal_dbm", p->station.signal_dbm);
	g_key_file_set_uint64(kf, g, "tx_packets", p->station.tx_packets);
	g_key_file_set_uint64(kf, g, "tx_retries", p->station.tx_retries);
	g_key_file_set_uint64(kf, g, "tx_failed", p->station.tx_failed);
	g_key_file_set_uint64(kf, g, "link_kbps", p->rate.link_kbps);
	g_key_file_set_uint64(kf, g, "video_kbps", p->rate.kbps);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast-testsink's Wi-Fi Direct (see sink-p2p.h): an McWpa client of
 * the sink's wpa_supplicant (its P2P device socket), every command, reply
 * and event noted.
 *
 * The sink advertises itself (SET wifi_display 1, WFD_SUBELEM_SET 0) and
 * stays in P2P_LISTEN: on its listen channel it answers every probe of a
 * searching source at once, and a source's provision discovery and GO
 * negotiation frames reach it there; a P2P_FIND would take it off the
 * channel for its search phases (and start with a scan), only to find
 * devices a sink does nothing with. A source's request is accepted as a
 * television's user would:
 *
 *   P2P-PROV-DISC-PBC-REQ   P2P_CONNECT <src> pbc auth go_intent=N
 *   P2P-PROV-DISC-SHOW-PIN  P2P_CONNECT <src> <PIN> display auth go_intent=N
 *   P2P-PROV-DISC-ENTER-PIN P2P_CONNECT <src> <PIN> keypad auth go_intent=N
 *   P2P-GO-NEG-REQUEST      the same without auth: the source was told
 *                           "not ready" and waits for the sink to start
 *                           the negotiation
 *
 * Once the group is up, its IPv4 addresses come from the allocation in
 * EAPOL-Key (ip_addr_go... in the group owner's supplicant): as GO the sink
 * takes SINK_P2P_GO_ADDRESS and learns the source's from AP-STA-CONNECTED;
 * as client both come in P2P-GROUP-STARTED.
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mc-dhcp.h"
#include "mc-link.h"
#include "mc-p2p.h"
#include "mc-wpa.h"
#include "sink-p2p.h"

#define WFD_PORT		7236	/* advertised, and the source's when it says none */
#define WFD_THROUGHPUT		50	/* Mbit/s */
#define GROUP_WITHIN_S		120	/* from the start to a group */
#define STATION_WITHIN_S	15	/* GO: from the group to the source's address */

typedef enum {
	P2P_STARTING,	/* waiting for the supplicant, advertising */
	P2P_LISTENING,	/* for a source */
	P2P_GROUP,	/* the group is up, the source's address awaited */
	P2P_READY,	/* RTSP may go */
	P2P_OVER,	/* failed, or the group went away */
} P2pState;

struct _SinkP2p {
	char *ctrl, *pin;
	guint go_intent;
	gboolean unavailable, dhcp;
	SinkP2pFuncs funcs;
	gpointer data;

	McWpa *wpa;
	GCancellable *cancel;
	P2pState state;
	gint64 t_listen, t_group;	/* monotonic, us; 0: not yet */
	GHashTable *ports;		/* P2P device address -> the RTSP port of its WFD IE */
	char source[18];		/* the source's P2P device address; "": none yet */
	gboolean authorized;		/* a P2P_CONNECT went out for it */
	char *ifname;			/* the group's interface */
	gboolean go, group_gone;
	char *source_ip;
	guint16 port;
	guint timer;
	GSubprocess *dnsmasq;		/* --p2p-dhcp, as GO */
	McDhcpClient *dhcp_client;	/* --p2p-dhcp, as client */
	char *leases;			/* its lease file */
	char station[18];		/* GO: the source's interface address */
	guint lease_poll;
	void (*done)(gpointer data);	/* sink_p2p_remove_group()'s */
	gpointer done_data;
};

static gint64 now_us(void)
{
	return g_get_monotonic_time();
}

G_GNUC_PRINTF(2, 3)
static void note(SinkP2p *p, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p->funcs.note(text, p->data);
}

static void clear_timer(SinkP2p *p)
{
	if (p->timer)
		g_source_remove(p->timer);
	p->timer = 0;
}

/* The end of Wi-Fi Direct, but for the group's removal: why goes to the sink. */
G_GNUC_PRINTF(2, 3)
static void over(SinkP2p *p, const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	if (p->state == P2P_OVER)
		return;
	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p->state = P2P_OVER;
	clear_timer(p);
	p->funcs.failed(why, p->data);
}

/* ---- Requests ------------------------------------------------------------ */

/* A reply (NULL with error set); the first line is noted already. */
typedef void (*ReplyFunc)(SinkP2p *p, const char *command, const char *reply,
			  const GError *error);

typedef struct {
	SinkP2p *p2p;
	GCancellable *cancel;	/* the client's: cancelled, p2p is gone */
	char *command;
	ReplyFunc then;
} Request;

static void on_reply(GObject *object G_GNUC_UNUSED, GAsyncResult *result, gpointer data)
{
	Request *r = data;
	SinkP2p *p = r->p2p;
	g_autoptr(GError) error = NULL;
	g_autofree char *reply = NULL;

	if (!g_cancellable_is_cancelled(r->cancel)) {
		reply = mc_wpa_request_finish(p->wpa, result, &error);
		if (reply) {
			const char *nl = strchr(reply, '\n');
			int first = nl ? (int)(nl - reply) : (int)strlen(reply);

			note(p, "> %s: %.*s%s", r->command, first, reply, nl ? " ..." : "");
		} else {
			note(p, "> %s: %s", r->command, error->message);
		}
		if (r->then)
			r->then(p, r->command, reply, error);
	}
	g_object_unref(r->cancel);
	g_free(r->command);
	g_free(r);
}

G_GNUC_PRINTF(3, 4)
static void request(SinkP2p *p, ReplyFunc then, const char *fmt, ...)
{
	Request *r = g_new0(Request, 1);
	va_list ap;

	va_start(ap, fmt);
	r->command = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->p2p = p;
	r->cancel = g_object_ref(p->cancel);
	r->then = then;
	mc_wpa_request(p->wpa, r->command, p->cancel, on_reply, r);
}

/*
 * A command that must succeed for Wi-Fi Direct to go on (the supplicant
 * gone meanwhile is waited for: all is done again when it is back).
 */
static void must(SinkP2p *p, const char *command, const char *reply G_GNUC_UNUSED,
		 const GError *error)
{
	if (error && mc_wpa_is_up(p->wpa))
		over(p, "wpa_supplicant: %s: %s", command, error->message);
}

/* ---- Advertising and listening ------------------------------------------ */

static gboolean on_no_group(gpointer data)
{
	SinkP2p *p = data;

	p->timer = 0;
	if (!p->t_listen)
		over(p, "wpa_supplicant at %s: not listening within %d s", p->ctrl, GROUP_WITHIN_S);
	else
		over(p, "no P2P group within %d s: no source connected", GROUP_WITHIN_S);
	return G_SOURCE_REMOVE;
}

static void on_listening(SinkP2p *p, const char *command, const char *reply,
			 const GError *error)
{
	must(p, command, reply, error);
	if (error || p->state != P2P_STARTING)
		return;
	p->state = P2P_LISTENING;
	if (!p->t_listen)
		p->t_listen = now_us();
	note(p, "listening as a primary sink%s, %s, GO intent %u",
	     p->unavailable ? " (session not available)" : "",
	     p->pin ? "PIN" : "push button", p->go_intent);
}

/* SET wifi_display 1, our Device Information (R1, R2), P2P_LISTEN. */
static void advertise(SinkP2p *p)
{
	McWfdDeviceInfo info = {
		.type = MC_WFD_DEV_PRIMARY_SINK,
		.availability = p->unavailable ? MC_WFD_NOT_AVAILABLE : MC_WFD_AVAILABLE,
		.port = WFD_PORT,
		.max_throughput = WFD_THROUGHPUT,
	};
	g_autofree char *subelem = mc_wfd_device_info_to_subelem(&info);

	p->state = P2P_STARTING;
	/*
	 * Addresses in EAPOL-Key from a group it owns, or (--p2p-dhcp) none:
	 * said each time, the supplicant keeps what the last sink set.
	 */
	request(p, must, "SET ip_addr_go " SINK_P2P_GO_ADDRESS);
	request(p, must, "SET ip_addr_mask 255.255.255.0");
	request(p, must, "SET ip_addr_start %s", p->dhcp ? "0.0.0.0" : "192.168.49.100");
	request(p, must, "SET ip_addr_end %s", p->dhcp ? "0.0.0.0" : "192.168.49.199");
	request(p, must, "SET wifi_display 1");
	request(p, must, "WFD_SUBELEM_SET 0 %s", subelem);
	request(p, on_listening, "P2P_LISTEN");
}

/* After a failed attempt: forget the source, listen again. */
static void listen_again(SinkP2p *p)
{
	p->source[0] = 0;
	p->authorized = FALSE;
	if (p->state == P2P_LISTENING) {
		p->state = P2P_STARTING;
		request(p, on_listening, "P2P_LISTEN");
	}
}

/* ---- A source's request --------------------------------------------------- */

static void on_connect_reply(SinkP2p *p, const char *command, const char *reply,
			     const GError *error)
{
	if (error && p->state == P2P_LISTENING) {
		note(p, "wpa_supplicant refused %s: listening again", command);
		listen_again(p);
	}
	(void)reply;
}

/* P2P_CONNECT peer how [auth] go_intent=N: how is "pbc" or "<PIN> display|keypad". */
static void accept_source(SinkP2p *p, const char *peer, const char *how, gboolean auth)
{
	if (p->unavailable)
		note(p, "%s asks for a session though this sink advertises none available", peer);
	g_strlcpy(p->source, peer, sizeof(p->source));
	p->authorized = TRUE;
	request(p, on_connect_reply, "P2P_CONNECT %s %s%s go_intent=%u", peer, how,
		auth ? " auth" : "", p->go_intent);
}

/* A provision discovery or GO negotiation request from a source. */
static void on_source_request(SinkP2p *p, const McWpaEvent *ev)
{
	const char *name = ev->name;
	const char *word = mc_wpa_event_word(ev, 0);
	gboolean go_neg = !strcmp(name, "P2P-GO-NEG-REQUEST");
	g_autofree char *how = NULL;
	char peer[18];

	if (!word || !mc_p2p_parse_address(word, peer)) {
		note(p, "%s without a peer address: ignored", name);
		return;
	}
	if (p->state != P2P_LISTENING) {
		note(p, "%s from %s while %s: ignored", name, peer,
		     p->state == P2P_STARTING ? "not listening yet" : "in a group");
		return;
	}
	if (p->authorized && !strcmp(peer, p->source)) {
		if (go_neg)
			note(p, "%s from %s, already accepted: the methods differ?", name, peer);
		return;
	}
	if (!strcmp(name, "P2P-PROV-DISC-PBC-REQ")) {
		if (p->pin) {
			note(p, "%s asks for push button; this sink shows a PIN: ignored", peer);
			return;
		}
		how = g_strdup("pbc");
	} else if (!strcmp(name, "P2P-PROV-DISC-SHOW-PIN") ||
		   !strcmp(name, "P2P-PROV-DISC-ENTER-PIN")) {
		if (!p->pin) {
			note(p, "%s asks for a PIN; this sink uses push button: ignored", peer);
			return;
		}
		/* SHOW-PIN: the source types what the sink shows; ENTER-PIN: the reverse */
		gboolean show = !strcmp(name, "P2P-PROV-DISC-SHOW-PIN");

		how = g_strdup_printf("%s %s", p->pin, show ? "display" : "keypad");
	} else {
		/* 4: push button; 5: registrar-specified, the source shows the PIN */
		const char *id = mc_wpa_event_get(ev, "dev_passwd_id");

		if (!p->pin)
			how = g_strdup("pbc");
		else
			how = g_strdup_printf("%s %s", p->pin,
					      id && !strcmp(id, "5") ? "keypad" : "display");
	}
	accept_source(p, peer, how, !go_neg);
}

static void on_formation_failed(SinkP2p *p, const McWpaEvent *ev)
{
	if (p->state != P2P_LISTENING)
		return;
	note(p, "%s: listening again", ev->name);
	listen_again(p);
}

/* P2P-DEVICE-FOUND: a source's RTSP port, for later. */
static void on_device_found(SinkP2p *p, const McWpaEvent *ev)
{
	g_autoptr(GError) error = NULL;
	McP2pPeer peer = { 0 };

	if (!mc_p2p_peer_from_event(ev, &peer, &error)) {
		note(p, "P2P-DEVICE-FOUND: %s", error->message);
		return;
	}
	if (peer.has_wfd) {
		const McWfdDeviceInfo *info = &peer.wfd.device_info;

		note(p, "found %s '%s': WFD %s, port %u", peer.address, peer.name ? peer.name : "",
		     mc_wfd_device_type_name(info->type), info->port);
		if (info->port)
			g_hash_table_insert(p->ports, g_strdup(peer.address),
					    GUINT_TO_POINTER(info->port));
	} else {
		note(p, "found %s '%s': no WFD IE", peer.address, peer.name ? peer.name : "");
	}
	mc_p2p_peer_clear(&peer);
}

/* ---- The group ------------------------------------------------------------- */

/* The prefix length of a dotted netmask, or -1. */
static int mask_prefix(const char *mask)
{
	struct in_addr a;
	guint32 bits, inverted;

	if (!mask || inet_pton(AF_INET, mask, &a) != 1)
		return -1;
	bits = ntohl(a.s_addr);
	inverted = ~bits;
	if (inverted & (inverted + 1))
		return -1;
	return 32 - __builtin_popcount(inverted);
}

static gboolean is_ipv4(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1;
}

static void on_peer_reply(SinkP2p *p, const char *command G_GNUC_UNUSED, const char *reply,
			  const GError *error G_GNUC_UNUSED)
{
	g_autoptr(GError) e = NULL;
	McP2pPeer peer = { 0 };
	gpointer known = g_hash_table_lookup(p->ports, p->source);
	const char *from = "the default";

	if (p->state != P2P_GROUP)
		return;
	p->port = WFD_PORT;
	if (reply && !mc_p2p_peer_from_reply(reply, strlen(reply), &peer, &e))
		note(p, "P2P_PEER %s: %s", p->source, e->message);
	if (peer.has_wfd && peer.wfd.has_device_info && peer.wfd.device_info.port) {
		p->port = peer.wfd.device_info.port;
		from = "its WFD IE";
	} else if (known) {
		p->port = GPOINTER_TO_UINT(known);
		from = "its P2P-DEVICE-FOUND";
	}
	mc_p2p_peer_clear(&peer);
	p->state = P2P_READY;
	note(p, "the source %s is %s, RTSP port %u (%s); the group took %.1f s", p->source,
	     p->source_ip, p->port, from, (p->t_group - p->t_listen) / 1e6);
	p->funcs.ready(p->source_ip, p->port, p->data);
}

/* Both addresses known: the source's RTSP port, from what it advertised. */
static void source_known(SinkP2p *p)
{
	clear_timer(p);
	if (p->source[0])
		request(p, on_peer_reply, "P2P_PEER %s", p->source);
	else
		on_peer_reply(p, NULL, NULL, NULL);
}

static gboolean on_no_station(gpointer data)
{
	SinkP2p *p = data;

	p->timer = 0;
	over(p, "no AP-STA-CONNECTED with ip_addr= within %d s of the group: the source took "
	     "no address in EAPOL-Key (it may want DHCP, which this sink does not serve)",
	     STATION_WITHIN_S);
	return G_SOURCE_REMOVE;
}

static gboolean start_dhcp_server(SinkP2p *p);

/* --p2p-dhcp, as client: the source's lease; the source is its router (or server) */
static void on_lease(const char *address, guint prefix, const char *router, gpointer data)
{
	SinkP2p *p = data;
	g_autoptr(GError) error = NULL;

	if (p->source_ip || p->state != P2P_GROUP)
		return;
	if (!router) {
		over(p, "a DHCP lease of %s without the server's address", address);
		return;
	}
	if (!mc_link_add_address(p->ifname, address, prefix ? prefix : 24, &error)) {
		over(p, "%s: %s", p->ifname, error->message);
		return;
	}
	note(p, "%s: %s/%u leased by DHCP from %s", p->ifname, address, prefix, router);
	p->source_ip = g_strdup(router);
	source_known(p);
}

static void on_group_started(SinkP2p *p, const McWpaEvent *ev)
{
	const char *ifname = mc_wpa_event_word(ev, 0);
	const char *role = mc_wpa_event_word(ev, 1);
	g_autoptr(GError) error = NULL;

	if (!ifname || !role) {
		over(p, "P2P-GROUP-STARTED without an interface and role");
		return;
	}
	if (p->ifname) {
		note(p, "another group (%s): ignored", ifname);
		return;
	}
	p->ifname = g_strdup(ifname);
	p->go = !strcmp(role, "GO");
	p->t_group = now_us();
	p->state = P2P_GROUP;
	clear_timer(p);
	note(p, "group %s started, this sink is %s, %.1f s after listening", ifname,
	     p->go ? "GO" : "client", (p->t_group - p->t_listen) / 1e6);
	if (p->go) {
		if (!mc_link_add_address(ifname, SINK_P2P_GO_ADDRESS, SINK_P2P_GO_PREFIX, &error)) {
			over(p, "%s: %s", ifname, error->message);
			return;
		}
		note(p, "%s: %s/%d", ifname, SINK_P2P_GO_ADDRESS, SINK_P2P_GO_PREFIX);
		if (p->dhcp && !start_dhcp_server(p))
			return;
		if (p->source_ip)
			source_known(p);
		else
			p->timer = g_timeout_add_seconds(STATION_WITHIN_S, on_no_station, p);
	} else {
		const char *go_dev = mc_wpa_event_get(ev, "go_dev_addr");
		const char *ip = mc_wpa_event_get(ev, "ip_addr");
		const char *go_ip = mc_wpa_event_get(ev, "go_ip_addr");
		int prefix = mask_prefix(mc_wpa_event_get(ev, "ip_mask"));

		if (go_dev && !mc_p2p_parse_address(go_dev, p->source))
			p->source[0] = 0;
		if (p->dhcp) {
			/* as a TV that asks by DHCP, whatever EAPOL-Key gave */
			p->dhcp_client = mc_dhcp_client_start(ifname, on_lease, p, &error);
			if (!p->dhcp_client)
				over(p, "%s: %s", ifname, error->message);
			else
				note(p, "%s: asking the source's DHCP server for an address%s", ifname,
				     ip ? " (not taking EAPOL-Key's)" : "");
			return;
		}
		if (!is_ipv4(ip) || !is_ipv4(go_ip) || prefix < 0) {
			over(p, "the source, GO of %s, gave no address in EAPOL-Key (no ip_addr=, "
			     "ip_mask=, go_ip_addr= in P2P-GROUP-STARTED): it may serve DHCP, "
			     "which this sink does not use", ifname);
			return;
		}
		if (!mc_link_add_address(ifname, ip, (guint)prefix, &error)) {
			over(p, "%s: %s", ifname, error->message);
			return;
		}
		note(p, "%s: %s/%d", ifname, ip, prefix);
		p->source_ip = g_strdup(go_ip);
		source_known(p);
	}
}

/* --p2p-dhcp: the source's lease, once dnsmasq wrote it ("expiry mac ip name id" lines) */
static gboolean on_lease_poll(gpointer data)
{
	SinkP2p *p = data;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!p->station[0] || p->source_ip || !g_file_get_contents(p->leases, &text, NULL, NULL))
		return G_SOURCE_CONTINUE;
	lines = g_strsplit(text, "\n", 0);
	for (guint i = 0; lines[i]; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], " ", 0);

		if (g_strv_length(f) >= 3 && !g_ascii_strcasecmp(f[1], p->station) && is_ipv4(f[2])) {
			p->source_ip = g_strdup(f[2]);
			note(p, "the source %s leased %s by DHCP", p->station, f[2]);
			p->lease_poll = 0;
			if (p->state == P2P_GROUP && p->go)
				source_known(p);
			return G_SOURCE_REMOVE;
		}
	}
	return G_SOURCE_CONTINUE;
}

static gboolean start_dhcp_server(SinkP2p *p)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *iface = g_strdup_printf("--interface=%s", p->ifname);
	g_autofree char *leasefile = NULL;

	p->leases = g_strdup_printf("%s/testsink-%s-%d.leases", g_get_tmp_dir(), p->ifname,
				    (int)getpid());
	leasefile = g_strdup_printf("--dhcp-leasefile=%s", p->leases);
	p->dnsmasq = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
				      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "dnsmasq",
				      "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
				      "--no-resolv", "--no-hosts", iface, "--bind-interfaces",
				      "--except-interface=lo",
				      "--dhcp-range=192.168.49.100,192.168.49.199,255.255.255.0,1h",
				      leasefile, "--pid-file=", "--no-ping", NULL);
	if (!p->dnsmasq) {
		over(p, "cannot start dnsmasq: %s", error->message);
		return FALSE;
	}
	note(p, "%s: a DHCP server (dnsmasq), no addresses in EAPOL-Key", p->ifname);
	p->lease_poll = g_timeout_add(100, on_lease_poll, p);
	return TRUE;
}

/* GO: a station joined (a copy on the P2P device's socket), with its address. */
static void on_station(SinkP2p *p, const McWpaEvent *ev)
{
	const char *dev = mc_wpa_event_get(ev, "p2p_dev_addr");
	const char *ip = mc_wpa_event_get(ev, "ip_addr");
	char peer[18] = "";

	if (dev && !mc_p2p_parse_address(dev, peer))
		peer[0] = 0;
	if (p->source[0] && peer[0] && strcmp(peer, p->source)) {
		note(p, "a station that is not the source (%s): ignored", peer);
		return;
	}
	if (!is_ipv4(ip)) {
		const char *station = mc_wpa_event_word(ev, 0);

		note(p, "the source associated without an address from EAPOL-Key");
		if (p->dnsmasq && station && mc_p2p_parse_address(station, p->station))
			on_lease_poll(p);
		return;
	}
	if (p->source_ip)
		return;
	if (!p->source[0] && peer[0])
		g_strlcpy(p->source, peer, sizeof(p->source));
	p->source_ip = g_strdup(ip);
	if (p->state == P2P_GROUP && p->go)
		source_known(p);
}

static void on_group_removed(SinkP2p *p, const McWpaEvent *ev)
{
	const char *ifname = mc_wpa_event_word(ev, 0);
	const char *reason = mc_wpa_event_get(ev, "reason");

	if (!ifname || !p->ifname || strcmp(ifname, p->ifname))
		return;
	p->group_gone = TRUE;
	over(p, "the P2P group %s was removed (reason %s)", ifname, reason ? reason : "not given");
}

/* ---- The supplicant --------------------------------------------------------- */

static void on_event(McWpa *wpa G_GNUC_UNUSED, const char *line, gsize size, gpointer data)
{
	SinkP2p *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(McWpaEvent) ev = mc_wpa_event_parse(line, size, &error);
	gsize n = size;
	const char *name;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	note(p, "< %.*s", (int)n, line);
	if (!ev) {
		note(p, "an event that does not parse: %s", error->message);
		return;
	}
	name = ev->name;
	if (!strcmp(name, "P2P-GROUP-REMOVED"))
		on_group_removed(p, ev);
	if (p->state == P2P_OVER)
		return;
	if (!strcmp(name, "P2P-DEVICE-FOUND"))
		on_device_found(p, ev);
	else if (!strcmp(name, "P2P-PROV-DISC-PBC-REQ") ||
		 !strcmp(name, "P2P-PROV-DISC-SHOW-PIN") ||
		 !strcmp(name, "P2P-PROV-DISC-ENTER-PIN") || !strcmp(name, "P2P-GO-NEG-REQUEST"))
		on_source_request(p, ev);
	else if (!strcmp(name, "P2P-GO-NEG-FAILURE") ||
		 !strcmp(name, "P2P-GROUP-FORMATION-FAILURE"))
		on_formation_failed(p, ev);
	else if (!strcmp(name, "P2P-GROUP-STARTED"))
		on_group_started(p, ev);
	else if (!strcmp(name, "AP-STA-CONNECTED"))
		on_station(p, ev);
}

static void on_state(McWpa *wpa, gboolean up, const GError *why, gpointer data)
{
	SinkP2p *p = data;

	if (!up) {
		note(p, "wpa_supplicant is gone%s%s", why ? ": " : "", why ? why->message : "");
		if (p->state == P2P_GROUP || p->state == P2P_READY)
			over(p, "the sink's wpa_supplicant went away with the group: %s",
			     why ? why->message : "");
		else if (p->state != P2P_OVER)
			p->state = P2P_STARTING;
		return;
	}
	note(p, "wpa_supplicant: %s", mc_wpa_get_socket(wpa));
	if (p->state == P2P_STARTING)
		advertise(p);
}

static const McWpaFuncs wpa_funcs = { .event = on_event, .state = on_state };

SinkP2p *sink_p2p_new(const SinkP2pConfig *config, const SinkP2pFuncs *funcs, gpointer data)
{
	SinkP2p *p = g_new0(SinkP2p, 1);

	p->ctrl = g_strdup(config->ctrl);
	p->pin = g_strdup(config->pin);
	p->go_intent = config->go_intent;
	p->unavailable = config->unavailable;
	p->dhcp = config->dhcp;
	p->funcs = *funcs;
	p->data = data;
	p->cancel = g_cancellable_new();
	p->ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->state = P2P_STARTING;
	p->timer = g_timeout_add_seconds(GROUP_WITHIN_S, on_no_group, p);
	note(p, "Wi-Fi Direct through %s", p->ctrl);
	p->wpa = mc_wpa_new(p->ctrl, NULL, &wpa_funcs, p);
	return p;
}

/* ---- The end ----------------------------------------------------------------- */

static gboolean call_done(gpointer data)
{
	SinkP2p *p = data;
	void (*done)(gpointer data) = p->done;

	p->done = NULL;
	done(p->done_data);
	return G_SOURCE_REMOVE;
}

static void on_group_remove_reply(SinkP2p *p, const char *command G_GNUC_UNUSED,
				  const char *reply G_GNUC_UNUSED,
				  const GError *error G_GNUC_UNUSED)
{
	call_done(p);
}

void sink_p2p_remove_group(SinkP2p *p, void (*done)(gpointer data), gpointer data)
{
	g_return_if_fail(!p->done);
	p->done = done;
	p->done_data = data;
	clear_timer(p);
	p->state = P2P_OVER;
	if (!p->ifname || p->group_gone || !mc_wpa_is_up(p->wpa)) {
		g_idle_add(call_done, p);
		return;
	}
	note(p, "removing the group %s", p->ifname);
	request(p, on_group_remove_reply, "P2P_GROUP_REMOVE %s", p->ifname);
}

void sink_p2p_summary(SinkP2p *p, GString *out)
{
	g_string_append_printf(out, "p2p_role=%s\n", !p->ifname ? "-" : p->go ? "GO" : "client");
	g_string_append_printf(out, "p2p_method=%s\n", p->pin ? "pin" : "pbc");
	if (p->t_group)
		g_string_append_printf(out, "p2p_group_s=%.1f\n", (p->t_group - p->t_listen) / 1e6);
	else
		g_string_append(out, "p2p_group_s=-\n");
	g_string_append_printf(out, "p2p_group=%s\n", p->ifname ? p->ifname : "-");
	g_string_append_printf(out, "p2p_source=%s\n", p->source[0] ? p->source : "-");
	g_string_append_printf(out, "p2p_source_ip=%s\n", p->source_ip ? p->source_ip : "-");
	g_string_append_printf(out, "p2p_rtsp_port=%u\n", p->port);
}

void sink_p2p_free(SinkP2p *p)
{
	if (!p)
		return;
	g_cancellable_cancel(p->cancel);
	clear_timer(p);
	if (p->lease_poll)
		g_source_remove(p->lease_poll);
	mc_dhcp_client_stop(p->dhcp_client);
	if (p->dnsmasq) {
		g_subprocess_send_signal(p->dnsmasq, SIGTERM);
		g_object_unref(p->dnsmasq);
	}
	if (p->leases)
		unlink(p->leases);
	g_free(p->leases);
	mc_wpa_free(p->wpa);
	g_object_unref(p->cancel);
	g_hash_table_unref(p->ports);
	g_free(p->ctrl);
	g_free(p->pin);
	g_free(p->ifname);
	g_free(p->source_ip);
	g_free(p);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Wi-Fi link to a sink (mc-link.h): nl80211's station figures, the
 * IPv4 addresses of an interface over rtnetlink, and the bitrate policy.
 *
 * Every call opens its own netlink socket, asks, and waits for the whole
 * answer (netlink answers in microseconds); a receive timeout bounds the
 * wait should the kernel never answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/nl80211.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "mc-link.h"

#define NL_TIMEOUT_S	2

/* --- netlink plumbing --- */

static GIOErrorEnum io_error_from_nl(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return G_IO_ERROR_NOT_FOUND;
	case NLE_PERM:
		return G_IO_ERROR_PERMISSION_DENIED;
	case NLE_OPNOTSUPP:
	case NLE_AF_NOSUPPORT:
	case NLE_PROTO_MISMATCH:
		return G_IO_ERROR_NOT_SUPPORTED;
	case NLE_EXIST:
		return G_IO_ERROR_EXISTS;
	case NLE_INVAL:
	case NLE_RANGE:
		return G_IO_ERROR_INVALID_ARGUMENT;
	case NLE_AGAIN:
		return G_IO_ERROR_TIMED_OUT;
	case NLE_BUSY:
		return G_IO_ERROR_BUSY;
	default:
		return G_IO_ERROR_FAILED;
	}
}

static void set_nl_error(GError **error, const char *ifname, const char *what, int nlerr)
{
	g_set_error(error, G_IO_ERROR, io_error_from_nl(nlerr), "%s: %s: %s", ifname, what,
		    nlerr == -NLE_AGAIN ? "no answer from the kernel" : nl_geterror(nlerr));
}

static int ifindex_of(const char *ifname, GError **error)
{
	unsigned int index = ifname ? if_nametoindex(ifname) : 0;

	if (!index) {
		int err = ifname ? errno : EINVAL;

		if (err == ENODEV || err == ENXIO)
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "%s: no such interface", ifname);
		else
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s: %s",
				    ifname ? ifname : "(null)", g_strerror(err));
		return 0;
	}
	return (int)index;
}

/* A connected socket whose receives give up after NL_TIMEOUT_S. */
static struct nl_sock *open_socket(int protocol, const char *ifname, GError **error)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		set_nl_error(error, ifname, "netlink", -NLE_NOMEM);
		return NULL;
	}
	err = nl_connect(sk, protocol);
	if (err < 0) {
		set_nl_error(error, ifname, "netlink", err);
		nl_socket_free(sk);
		return NULL;
	}
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		set_nl_error(error, ifname, "netlink", -nl_syserr2nlerr(errno));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

typedef struct {
	gboolean done;
	int error;		/* a dump's error (NLMSG_DONE's errno), as a libnl code */
	void *data;		/* the valid messages' callback's */
} Reply;

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	Reply *reply = arg;
	int err;

	/* the kernel puts a failed dump's errno in its NLMSG_DONE */
	if (nlmsg_datalen(hdr) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(hdr), sizeof(err));
		if (err < 0)
			reply->error = -nl_syserr2nlerr(-err);
	}
	reply->done = TRUE;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	Reply *reply = arg;

	(void)msg;
	reply->done = TRUE;
	return NL_STOP;
}

/*
 * Sends msg (freeing it) and takes the answer up to its NLMSG_DONE or
 * acknowledgement, valid getting every message in between: 0 or a negative
 * libnl error code (-NLE_AGAIN: no answer in time).
 */
static int transact(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t valid,
		    void *data)
{
	Reply reply = { .data = data };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &reply);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &reply);
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, data);

	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (err >= 0 && !reply.done) {
		err = nl_recvmsgs_report(sk, cb);
		if (err == 0)		/* nothing came: the receive timed out */
			err = -NLE_AGAIN;
	}
	nl_cb_put(cb);
	if (err < 0)
		return err;
	return reply.error;
}

/* --- nl80211 stations --- */

static struct nla_policy sta_policy[NL80211_STA_INFO_MAX + 1] = {
	[NL80211_STA_INFO_INACTIVE_TIME] = { .type = NLA_U32 },
	[NL80211_STA_INFO_TX_BYTES] = { .type = NLA_U32 },
	[NL80211_STA_INFO_TX_BYTES64] = { .type = NLA_U64 },
	[NL80211_STA_INFO_TX_PACKETS] = { .type = NLA_U32 },
	[NL80211_STA_INFO_TX_RETRIES] = { .type = NLA_U32 },
	[NL80211_STA_INFO_TX_FAILED] = { .type = NLA_U32 },
	[NL80211_STA_INFO_SIGNAL] = { .type = NLA_U8 },
	[NL80211_STA_INFO_TX_BITRATE] = { .type = NLA_NESTED },
	[NL80211_STA_INFO_RX_BITRATE] = { .type = NLA_NESTED },
	[NL80211_STA_INFO_EXPECTED_THROUGHPUT] = { .type = NLA_U32 },
};

static struct nla_policy rate_policy[NL80211_RATE_INFO_MAX + 1] = {
	[NL80211_RATE_INFO_BITRATE] = { .type = NLA_U16 },
	[NL80211_RATE_INFO_BITRATE32] = { .type = NLA_U32 },
};

/* A nested rate info's bitrate in kbit/s (nl80211 gives 100 kbit/s units): 0 if none. */
static guint32 rate_kbps(struct nlattr *nested)
{
	struct nlattr *ri[NL80211_RATE_INFO_MAX + 1];
	guint64 units = 0;

	if (!nested || nla_parse_nested(ri, NL80211_RATE_INFO_MAX, nested, rate_policy) < 0)
		return 0;
	if (ri[NL80211_RATE_INFO_BITRATE32])
		units = nla_get_u32(ri[NL80211_RATE_INFO_BITRATE32]);
	else if (ri[NL80211_RATE_INFO_BITRATE])
		units = nla_get_u16(ri[NL80211_RATE_INFO_BITRATE]);
	return (guint32)MIN(units * 100, G_MAXUINT32);
}

static int on_station(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1], *si[NL80211_STA_INFO_MAX + 1];
	GArray *stations = arg;
	McLinkStation st = { .signal_dbm = G_MININT };
	const guint8 *mac;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NL80211_ATTR_MAX, NULL) < 0 ||
	    !tb[NL80211_ATTR_MAC] || nla_len(tb[NL80211_ATTR_MAC]) < 6 ||
	    !tb[NL80211_ATTR_STA_INFO] ||
	    nla_parse_nested(si, NL80211_STA_INFO_MAX, tb[NL80211_ATTR_STA_INFO],
			     sta_policy) < 0)
		return NL_SKIP;

	mac = nla_data(tb[NL80211_ATTR_MAC]);
	g_snprintf(st.address, sizeof(st.address), "%02x:%02x:%02x:%02x:%02x:%02x",
		   mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);

	st.tx_bitrate_kbps = rate_kbps(si[NL80211_STA_INFO_TX_BITRATE]);
	st.has_tx_bitrate = st.tx_bitrate_kbps > 0;
	st.rx_bitrate_kbps = rate_kbps(si[NL80211_STA_INFO_RX_BITRATE]);
	if (si[NL80211_STA_INFO_EXPECTED_THROUGHPUT]) {
		st.expected_throughput_kbps = nla_get_u32(si[NL80211_STA_INFO_EXPECTED_THROUGHPUT]);
		st.has_expected = TRUE;
	}
	if (si[NL80211_STA_INFO_TX_PACKETS])
		st.tx_packets = nla_get_u32(si[NL80211_STA_INFO_TX_PACKETS]);
	if (si[NL80211_STA_INFO_TX_RETRIES]) {
		st.tx_retries = nla_get_u32(si[NL80211_STA_INFO_TX_RETRIES]);
		st.has_retries = TRUE;
	}
	if (si[NL80211_STA_INFO_TX_FAILED]) {
		st.tx_failed = nla_get_u32(si[NL80211_STA_INFO_TX_FAILED]);
		st.has_failed = TRUE;
	}
	if (si[NL80211_STA_INFO_TX_BYTES64])
		st.tx_bytes = nla_get_u64(si[NL80211_STA_INFO_TX_BYTES64]);
	else if (si[NL80211_STA_INFO_TX_BYTES])
		st.tx_bytes = nla_get_u32(si[NL80211_STA_INFO_TX_BYTES]);
	if (si[NL80211_STA_INFO_SIGNAL])
		st.signal_dbm = (gint8)nla_get_u8(si[NL80211_STA_INFO_SIGNAL]);
	if (si[NL80211_STA_INFO_INACTIVE_TIME])
		st.inactive_ms = nla_get_u32(si[NL80211_STA_INFO_INACTIVE_TIME]);

	g_array_append_val(stations, st);
	return NL_OK;
}

GArray *mc_link_get_stations(const char *ifname, GError **error)
{
	g_autoptr(GArray) stations = NULL;
	struct nl_sock *sk;
	struct nl_msg *msg;
	int ifindex, family, err;

	ifindex = ifindex_of(ifname, error);
	if (!ifindex)
		return NULL;
	sk = open_socket(NETLINK_GENERIC, ifname, error);
	if (!sk)
		return NULL;

	family = genl_ctrl_resolve(sk, "nl80211");
	if (family < 0) {
		set_nl_error(error, ifname, "nl80211", family);
		nl_socket_free(sk);
		return NULL;
	}

	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
				 NL80211_CMD_GET_STATION, 0) ||
	    nla_put_u32(msg, NL80211_ATTR_IFINDEX, (guint32)ifindex) < 0) {
		nlmsg_free(msg);
		set_nl_error(error, ifname, "nl80211", -NLE_NOMEM);
		nl_socket_free(sk);
		return NULL;
	}

	stations = g_array_new(FALSE, TRUE, sizeof(McLinkStation));
	err = transact(sk, msg, on_station, stations);
	nl_socket_free(sk);
	if (err < 0) {
		set_nl_error(error, ifname, "nl80211 stations", err);
		return NULL;
	}
	return g_steal_pointer(&stations);
}

/* --- IPv4 addresses --- */

gboolean mc_link_add_address(const char *ifname, const char *address, guint prefix,
			     GError **error)
{
	struct in_addr in, brd;
	struct rtnl_addr *addr = NULL;
	struct nl_addr *local = NULL, *bcast = NULL;
	struct nl_msg *msg = NULL;
	struct nl_sock *sk;
	int ifindex, err;

	if (!address || prefix > 32 || inet_pton(AF_INET, address, &in) != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: not an IPv4 address: %s/%u", ifname ? ifname : "(null)",
			    address ? address : "(null)", prefix);
		return FALSE;
	}
	ifindex = ifindex_of(ifname, error);
	if (!ifindex)
		return FALSE;

	/* the broadcast address, as "ip address add ... broadcast +" puts it */
	brd.s_addr = in.s_addr | htonl(prefix < 32 ? G_MAXUINT32 >> prefix : 0);
	addr = rtnl_addr_alloc();
	local = nl_addr_build(AF_INET, &in, sizeof(in));
	bcast = nl_addr_build(AF_INET, &brd, sizeof(brd));
	err = addr && local && bcast ? 0 : -NLE_NOMEM;
	if (!err) {
		nl_addr_set_prefixlen(local, (int)prefix);
		rtnl_addr_set_ifindex(addr, ifindex);
		rtnl_addr_set_family(addr, AF_INET);
		rtnl_addr_set_prefixlen(addr, (int)prefix);
		err = rtnl_addr_set_local(addr, local);
	}
	if (!err && prefix < 31)
		err = rtnl_addr_set_broadcast(addr, bcast);
	if (!err)
		err = rtnl_addr_build_add_request(addr, NLM_F_REPLACE, &msg);
	nl_addr_put(bcast);
	nl_addr_put(local);
	rtnl_addr_put(addr);
	if (err < 0) {
		set_nl_error(error, ifname, "adding an address", err);
		return FALSE;
	}

	sk = open_socket(NETLINK_ROUTE, ifname, error);
	if (!sk) {
		nlmsg_free(msg);
		return FALSE;
	}
	err = transact(sk, msg, NULL, NULL);
	nl_socket_free(sk);
	if (err < 0 && err != -NLE_EXIST) {
		set_nl_error(error, ifname, "adding an address", err);
		return FALSE;
	}
	return TRUE;
}

typedef struct {
	int ifindex;
	GPtrArray *addrs;	/* struct rtnl_addr */
} AddrDump;

static void take_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *addr = (struct rtnl_addr *)obj;
	AddrDump *dump = arg;

	if (rtnl_addr_get_family(addr) == AF_INET &&
	    rtnl_addr_get_ifindex(addr) == dump->ifindex) {
		nl_object_get(obj);
		g_ptr_array_add(dump->addrs, addr);
	}
}

static int on_addr(struct nl_msg *msg, void *arg)
{
	nl_msg_parse(msg, take_addr, arg);
	return NL_OK;
}

static void addr_free(gpointer addr)
{
	rtnl_addr_put(addr);
}

gboolean mc_link_flush_addresses(const char *ifname, GError **error)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	AddrDump dump;
	struct nl_sock *sk;
	struct nl_msg *msg;
	int err;

	dump.ifindex = ifindex_of(ifname, error);
	if (!dump.ifindex)
		return FALSE;
	sk = open_socket(NETLINK_ROUTE, ifname, error);
	if (!sk)
		return FALSE;

	msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		set_nl_error(error, ifname, "listing addresses", -NLE_NOMEM);
		nl_socket_free(sk);
		return FALSE;
	}
	dump.addrs = g_ptr_array_new_with_free_func(addr_free);
	err = transact(sk, msg, on_addr, &dump);
	if (err < 0)
		set_nl_error(error, ifname, "listing addresses", err);

	for (guint i = 0; err == 0 && i < dump.addrs->len; i++) {
		err = rtnl_addr_build_delete_request(dump.addrs->pdata[i], 0, &msg);
		if (!err)
			err = transact(sk, msg, NULL, NULL);
		/* gone already (with its primary, say) */
		if (err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
			err = 0;
		if (err < 0)
			set_nl_error(error, ifname, "removing an address", err);
	}
	g_ptr_array_unref(dump.addrs);
	nl_socket_free(sk);
	return err == 0;
}

/* --- the bitrate policy --- */

/* What the station's link allows in kbit/s, 0: no figure, no cap. */
static guint link_allowance(const McLinkStation *st)
{
	guint64 rate = 0;

	if (st->has_tx_bitrate && st->tx_bitrate_kbps)
		rate = st->tx_bitrate_kbps;
	else if (st->has_expected && st->expected_throughput_kbps)
		rate = st->expected_throughput_kbps;
	return (guint)MIN(rate * MC_LINK_SHARE_PERCENT / 100, G_MAXUINT);
}

static guint clamp_rate(const McLinkRate *rate, guint64 kbps)
{
	guint floor = MIN(MC_LINK_MIN_KBPS, rate->max_kbps);

	kbps = MIN(kbps, rate->max_kbps);
	return (guint)MAX(kbps, floor);
}

void mc_link_rate_init(McLinkRate *rate, guint max_kbps)
{
	memset(rate, 0, sizeof(*rate));
	rate->max_kbps = max_kbps;
	rate->level = max_kbps;
	rate->kbps = max_kbps;
	rate->last.signal_dbm = G_MININT;
}

gboolean mc_link_rate_update(McLinkRate *rate, const McLinkStation *station)
{
	const McLinkStation *last = &rate->last;
	guint old = rate->kbps;
	guint64 level = rate->level;
	gboolean busy = FALSE;

	rate->link_kbps = link_allowance(station);
	rate->retry_ratio = 0;
	rate->failed = 0;

	/*
	 * A second is judged on what its counters moved by; the first one,
	 * and one whose counters went back (a new association, a wrap),
	 * only sets the start.
	 */
	if (rate->have_last && station->tx_packets >= last->tx_packets &&
	    (!station->has_retries || !last->has_retries ||
	     station->tx_retries >= last->tx_retries) &&
	    (!station->has_failed || !last->has_failed ||
	     station->tx_failed >= last->tx_failed)) {
		guint32 packets = station->tx_packets - last->tx_packets;
		gboolean trouble;

		busy = packets >= MC_LINK_BUSY_PACKETS;
		if (station->has_retries && last->has_retries)
			rate->retry_ratio = (double)(station->tx_retries - last->tx_retries) /
					    MAX(packets, 1);
		if (station->has_failed && last->has_failed)
			rate->failed = station->tx_failed - last->tx_failed;

		trouble = rate->failed > 0 || rate->retry_ratio > 0.2;
		if (trouble) {
			/* from what was sent: a cap above it is no excuse */
			level = MIN(level, rate->kbps);
			level -= level / 4;
			rate->calm = 0;
		} else if (++rate->calm >= MC_LINK_CALM_S) {
			level += MAX(level / 10, 1);
			rate->calm = 0;
		}
	}
	rate->level = clamp_rate(rate, level);
	/*
	 * The link's rate caps what is sent only while it carries traffic:
	 * an idle link reports the rate of its last management frame.
	 */
	rate->link_busy = busy;
	if (busy && rate->link_kbps)
		rate->kbps = clamp_rate(rate, MIN(rate->level, rate->link_kbps));
	else
		rate->kbps = rate->level;
	rate->last = *station;
	rate->have_last = TRUE;
	return rate->kbps != old;
}

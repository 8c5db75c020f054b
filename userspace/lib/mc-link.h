/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Wi-Fi link to a sink (docs/wifi-direct.md): its station figures
 * from nl80211 (libnl-genl), the IPv4 address of a P2P group interface
 * (rtnetlink, libnl-route), and the encoder bitrate those figures allow,
 * reassessed once a second as Windows' data-rate notifications do.
 */
#ifndef MC_LINK_H
#define MC_LINK_H

#include <gio/gio.h>

G_BEGIN_DECLS

/* One station's nl80211 figures (NL80211_CMD_GET_STATION); 0 when the driver gives none. */
typedef struct {
	char address[18];		/* the peer's interface address, lower case */
	guint32 tx_bitrate_kbps;	/* the last unicast rate (NL80211_STA_INFO_TX_BITRATE) */
	guint32 rx_bitrate_kbps;
	guint32 expected_throughput_kbps;	/* the rate control's estimate, if any */
	guint32 tx_packets, tx_retries, tx_failed;
	guint64 tx_bytes;
	int signal_dbm;			/* G_MININT: unknown */
	guint32 inactive_ms;
	gboolean has_tx_bitrate, has_retries, has_failed, has_expected;
} McLinkStation;

/*
 * The stations of interface ifname (the P2P group's netdev): a GArray of
 * McLinkStation (empty when nobody is associated). NULL with error set if
 * the interface does not exist or nl80211 refuses.
 */
GArray *mc_link_get_stations(const char *ifname, GError **error);

/* Puts address/prefix ("192.168.49.1", 24) on ifname (already there: fine). */
gboolean mc_link_add_address(const char *ifname, const char *address, guint prefix,
			     GError **error);
/* Takes every IPv4 address off ifname (one that is gone: fine). */
gboolean mc_link_flush_addresses(const char *ifname, GError **error);

/*
 * The bitrate policy: fed once a second with the station's figures, it
 * says what the encoder should send. Its level starts at the configured
 * bitrate, backs off by a quarter (of what was sent) when a second shows
 * failures or retries over a fifth of the packets, and climbs back by a
 * tenth after MC_LINK_CALM_S calm seconds, never above the configured
 * bitrate nor below MC_LINK_MIN_KBPS. What is sent is the level, capped
 * by what the link allows while it carries traffic (MC_LINK_BUSY_PACKETS
 * a second: an idle link reports the rate of its management frames):
 * MC_LINK_SHARE_PERCENT of its tx rate (802.11 overhead, retransmissions,
 * and the sound).
 */
#define MC_LINK_MIN_KBPS	500
#define MC_LINK_SHARE_PERCENT	50
#define MC_LINK_CALM_S		5
#define MC_LINK_BUSY_PACKETS	10

typedef struct {
	guint max_kbps;		/* the configured bitrate (the level's cap applied) */
	guint level;		/* where the back-offs and climbs have got to */
	guint kbps;		/* what the encoder should send now */
	guint calm;		/* seconds without trouble */
	gboolean have_last;
	McLinkStation last;	/* the previous second's figures */
	/* the last second's, for status: */
	guint link_kbps;	/* what the link allows */
	gboolean link_busy;	/* it carried traffic: its rate caps */
	double retry_ratio;	/* retries per packet sent */
	guint failed;		/* packets lost */
} McLinkRate;

void mc_link_rate_init(McLinkRate *rate, guint max_kbps);
/* Takes a second's figures; TRUE when rate->kbps changed. */
gboolean mc_link_rate_update(McLinkRate *rate, const McLinkStation *station);

G_END_DECLS

#endif /* MC_LINK_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Wi-Fi Direct as wpa_supplicant speaks it (docs/wifi-direct.md), without
 * any socket: the WFD information element's subelements (Device
 * Information and the others a peer advertises), the control interface's
 * event lines, and the peers they describe. Everything a peer or the
 * supplicant sends is checked; bad input is an error naming what is wrong.
 */
#ifndef MC_P2P_H
#define MC_P2P_H

#include <glib.h>

G_BEGIN_DECLS

/* ---- The WFD IE (vendor IE, OUI 50:6F:9A type 0x0A): subelements ---- */

typedef enum {
	MC_WFD_DEV_SOURCE = 0,
	MC_WFD_DEV_PRIMARY_SINK = 1,
	MC_WFD_DEV_SECONDARY_SINK = 2,
	MC_WFD_DEV_DUAL_ROLE = 3,	/* source or primary sink */
} McWfdDeviceType;

/* Session availability (Device Information bits 5:4) */
#define MC_WFD_NOT_AVAILABLE	0
#define MC_WFD_AVAILABLE	1

/* The Device Information subelement (ID 0): a 16-bit bitmap, a port, a throughput. */
typedef struct {
	McWfdDeviceType type;		/* bits 1:0 */
	gboolean coupled_source;	/* bit 2: coupled sink operation (source) */
	gboolean coupled_sink;		/* bit 3: coupled sink operation (sink) */
	guint availability;		/* bits 5:4: 0 not available, 1 available, 2-3 reserved */
	gboolean service_discovery;	/* bit 6 */
	gboolean tdls_preferred;	/* bit 7: preferred connectivity TDLS (0: P2P) */
	gboolean content_protection;	/* bit 8: HDCP 2.x */
	gboolean time_sync;		/* bit 9: 802.1AS */
	gboolean audio_unsupported;	/* bit 10: primary sink without audio */
	gboolean audio_only;		/* bit 11: audio-only source */
	gboolean tdls_persistent;	/* bit 12 */
	gboolean tdls_reinvoke;		/* bit 13 */
	guint16 reserved;		/* bits 15:14 as received (kept, never set by us) */
	guint16 port;			/* session management control port (TCP, RTSP) */
	guint16 max_throughput;		/* Mbit/s */
} McWfdDeviceInfo;

/* The bitmap of info (reserved bits included). */
guint16 mc_wfd_device_info_bits(const McWfdDeviceInfo *info);
/* The fields of a bitmap, port and throughput. */
void mc_wfd_device_info_set_bits(McWfdDeviceInfo *info, guint16 bits, guint16 port,
				 guint16 max_throughput);
/*
 * The argument of "WFD_SUBELEM_SET 0": the 2-byte length (0006) and the
 * 6-byte body, in lower-case hex: "000600101c440032" (R2). Newly allocated.
 */
char *mc_wfd_device_info_to_subelem(const McWfdDeviceInfo *info);
/*
 * A P2P-DEVICE-FOUND event's wfd_dev_info value: "0x" and exactly 12 hex
 * digits, bitmap(4) port(4) throughput(4) (R8), either case.
 */
gboolean mc_wfd_device_info_parse(const char *value, McWfdDeviceInfo *info, GError **error);
/* "primary sink", "source", ... */
const char *mc_wfd_device_type_name(McWfdDeviceType type);
/*
 * Whether a source may offer a peer with this Device Information as a
 * target: a primary sink or dual-role device whose session is available
 * (R7).
 */
gboolean mc_wfd_device_info_is_offerable(const McWfdDeviceInfo *info);

/* Subelement IDs (the reference's table) */
enum {
	MC_WFD_SUBELEM_DEVICE_INFO = 0,
	MC_WFD_SUBELEM_ASSOCIATED_BSSID = 1,
	MC_WFD_SUBELEM_COUPLED_SINK = 6,
	MC_WFD_SUBELEM_EXT_CAPABILITY = 7,
	MC_WFD_SUBELEM_SESSION_INFO = 9,
	MC_WFD_SUBELEM_ALT_MAC = 10,
	MC_WFD_SUBELEM_R2_DEVICE_INFO = 11,
};

/* Extended Capability (ID 7) bits */
#define MC_WFD_EXT_UIBC			0x0001
#define MC_WFD_EXT_I2C			0x0002
#define MC_WFD_EXT_PREFERRED_MODE	0x0004
#define MC_WFD_EXT_STANDBY_RESUME	0x0008
#define MC_WFD_EXT_TDLS_PERSISTENT	0x0010
#define MC_WFD_EXT_TDLS_BSSID		0x0020

/* What a peer's subelements (P2P_PEER's wfd_subelems) say. */
typedef struct {
	gboolean has_device_info;	/* mandatory in a WFD IE: FALSE, parse error */
	McWfdDeviceInfo device_info;
	gboolean has_bssid;
	guint8 bssid[6];
	gboolean has_coupled_sink;
	guint8 coupled_status;		/* bits 1:0 */
	guint8 coupled_address[6];
	gboolean has_ext_capability;
	guint16 ext_capability;
	gboolean has_alt_mac;
	guint8 alt_mac[6];
	gboolean has_r2;
	guint16 r2_device_info;
	guint n_session_devices;	/* descriptors in a GO's Session Information */
	guint n_unknown;		/* subelements of other IDs (skipped) */
} McWfdSubelems;

/*
 * Parses a concatenation of subelements (ID(1) length(2, big-endian)
 * body), as "WFD_SUBELEM_GET all" and P2P_PEER's wfd_subelems= give them.
 * A subelement of a known ID with the wrong length, a truncated one, or no
 * Device Information are errors; unknown IDs are counted and skipped.
 */
gboolean mc_wfd_subelems_parse(const guint8 *data, gsize size, McWfdSubelems *out,
			       GError **error);
/* The same from hex text (either case, an even number of digits, no "0x"). */
gboolean mc_wfd_subelems_parse_hex(const char *hex, McWfdSubelems *out, GError **error);

/* ---- Control interface events ---- */

/*
 * One event line of wpa_supplicant's control interface:
 *   [IFNAME=<ifname> ]<level>NAME word... key=value key='quoted value' key="quoted value"
 * (the level is "<3>" and the like; IFNAME= comes on the global socket).
 * Values are unquoted; words are the arguments that are not key=value,
 * in order (the peer's address of P2P-DEVICE-FOUND, the interface and role
 * of P2P-GROUP-STARTED).
 */
typedef struct {
	char *ifname;		/* NULL without an IFNAME= prefix */
	int level;		/* -1 without one */
	char *name;		/* "P2P-DEVICE-FOUND" */
	GPtrArray *words;	/* char * */
	GHashTable *values;	/* char * -> char *; the first of a repeated key wins */
} McWpaEvent;

/*
 * Parses size bytes of line (a datagram: not NUL-terminated, may end in a
 * newline). An empty line, NUL bytes, an unterminated quote, or a name
 * that is not upper-case letters, digits and '-' are errors.
 */
McWpaEvent *mc_wpa_event_parse(const char *line, gsize size, GError **error);
void mc_wpa_event_free(McWpaEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McWpaEvent, mc_wpa_event_free)
/* The value of key, or NULL. */
const char *mc_wpa_event_get(const McWpaEvent *event, const char *key);
/* The i-th word, or NULL. */
const char *mc_wpa_event_word(const McWpaEvent *event, guint i);

/* A P2P peer, as P2P-DEVICE-FOUND and P2P_PEER describe it. */
typedef struct {
	char address[18];	/* P2P device address, "42:00:00:00:01:00" (lower case) */
	char *name;		/* device_name, UTF-8 (invalid bytes replaced) */
	char *pri_dev_type;	/* "7-0050F204-1", or NULL */
	guint16 config_methods;	/* WPS config methods */
	guint8 dev_capab, group_capab;
	int level;		/* signal, dBm; G_MININT: unknown */
	gboolean has_wfd;	/* the peer sent a WFD IE */
	McWfdSubelems wfd;	/* its subelements (device_info at least) */
} McP2pPeer;

void mc_p2p_peer_clear(McP2pPeer *peer);
/*
 * From a P2P-DEVICE-FOUND event: the address (word 0, or p2p_dev_addr=),
 * name=, pri_dev_type=, config_methods=, dev_capab=, group_capab=, and
 * wfd_dev_info= (the Device Information only). Errors name the field.
 */
gboolean mc_p2p_peer_from_event(const McWpaEvent *event, McP2pPeer *peer, GError **error);
/*
 * From the reply to "P2P_PEER <addr>": the address on the first line, then
 * key=value lines (device_name, pri_dev_type, config_methods, dev_capab,
 * group_capab, level, wfd_subelems, ...). Replaces what peer had.
 */
gboolean mc_p2p_peer_from_reply(const char *reply, gsize size, McP2pPeer *peer,
				GError **error);

/* "aa:bb:cc:dd:ee:ff", either case: TRUE and the lower-case form in out (18 bytes). */
gboolean mc_p2p_parse_address(const char *s, char out[18]);

G_END_DECLS

#endif /* MC_P2P_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wi-Fi Direct as wpa_supplicant speaks it (see mc-p2p.h): the WFD
 * subelements, the control interface's event lines, and the peers they
 * describe. All of it comes from a peer or from the supplicant: every
 * token is read within its own length, and every error names the field
 * and quotes the token.
 */
#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>

#include "mc-p2p.h"

/* ---- Errors ------------------------------------------------------------ */

#define TOKEN_SHOWN 48	/* longer tokens are cut in messages */

/*
 * A token for messages: quoted and cut, with any byte but printable ASCII
 * (NUL included) written as \xNN. Newly allocated.
 */
static char *shown(const char *s, gsize n)
{
	GString *t = g_string_new("\"");

	for (gsize i = 0; i < MIN(n, TOKEN_SHOWN); i++) {
		guchar c = (guchar)s[i];

		if (c == '"' || c == '\\')
			g_string_append_printf(t, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			g_string_append_c(t, (char)c);
		else
			g_string_append_printf(t, "\\x%02x", c);
	}
	g_string_append(t, n > TOKEN_SHOWN ? "\"..." : "\"");
	return g_string_free(t, FALSE);
}

/* Sets error to 'field "token": what is wrong' and returns FALSE. */
G_GNUC_PRINTF(5, 6)
static gboolean bad(GError **error, const char *field, const char *token, gsize n,
		    const char *fmt, ...)
{
	g_autofree char *t = shown(token, n);
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: %s", field, t, msg);
	return FALSE;
}

/* The value of n hex digits at s (n <= 8), or -1 if one is not a hex digit. */
static gint64 hex_value(const char *s, gsize n)
{
	guint32 v = 0;

	for (gsize i = 0; i < n; i++) {
		int d = g_ascii_xdigit_value(s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (guint32)d;
	}
	return v;
}

/* ---- Device Information ------------------------------------------------ */

#define BIT_IF(flag, n)		((flag) ? 1u << (n) : 0u)
#define DEVINFO_RESERVED	0xc000

guint16 mc_wfd_device_info_bits(const McWfdDeviceInfo *info)
{
	return (guint16)((info->type & 0x3) |
			 BIT_IF(info->coupled_source, 2) |
			 BIT_IF(info->coupled_sink, 3) |
			 (info->availability & 0x3) << 4 |
			 BIT_IF(info->service_discovery, 6) |
			 BIT_IF(info->tdls_preferred, 7) |
			 BIT_IF(info->content_protection, 8) |
			 BIT_IF(info->time_sync, 9) |
			 BIT_IF(info->audio_unsupported, 10) |
			 BIT_IF(info->audio_only, 11) |
			 BIT_IF(info->tdls_persistent, 12) |
			 BIT_IF(info->tdls_reinvoke, 13) |
			 (info->reserved & DEVINFO_RESERVED));
}

void mc_wfd_device_info_set_bits(McWfdDeviceInfo *info, guint16 bits, guint16 port,
				 guint16 max_throughput)
{
	info->type = bits & 0x3;
	info->coupled_source = !!(bits & 1u << 2);
	info->coupled_sink = !!(bits & 1u << 3);
	info->availability = bits >> 4 & 0x3;
	info->service_discovery = !!(bits & 1u << 6);
	info->tdls_preferred = !!(bits & 1u << 7);
	info->content_protection = !!(bits & 1u << 8);
	info->time_sync = !!(bits & 1u << 9);
	info->audio_unsupported = !!(bits & 1u << 10);
	info->audio_only = !!(bits & 1u << 11);
	info->tdls_persistent = !!(bits & 1u << 12);
	info->tdls_reinvoke = !!(bits & 1u << 13);
	/* kept in place: bits() gives them back as they came */
	info->reserved = bits & DEVINFO_RESERVED;
	info->port = port;
	info->max_throughput = max_throughput;
}

char *mc_wfd_device_info_to_subelem(const McWfdDeviceInfo *info)
{
	return g_strdup_printf("0006%04x%04x%04x", mc_wfd_device_info_bits(info), info->port,
			       info->max_throughput);
}

gboolean mc_wfd_device_info_parse(const char *value, McWfdDeviceInfo *info, GError **error)
{
	gsize n = strlen(value);
	gint64 bits, port, tput;

	if (n < 2 || value[0] != '0' || value[1] != 'x')
		return bad(error, "wfd_dev_info", value, n, "\"0x\" and 12 hex digits expected");
	if (n != 14 || (bits = hex_value(value + 2, 4)) < 0 ||
	    (port = hex_value(value + 6, 4)) < 0 || (tput = hex_value(value + 10, 4)) < 0)
		return bad(error, "wfd_dev_info", value, n, "12 hex digits expected");
	mc_wfd_device_info_set_bits(info, (guint16)bits, (guint16)port, (guint16)tput);
	return TRUE;
}

const char *mc_wfd_device_type_name(McWfdDeviceType type)
{
	switch (type) {
	case MC_WFD_DEV_SOURCE:
		return "source";
	case MC_WFD_DEV_PRIMARY_SINK:
		return "primary sink";
	case MC_WFD_DEV_SECONDARY_SINK:
		return "secondary sink";
	case MC_WFD_DEV_DUAL_ROLE:
		return "dual role";
	}
	return "unknown";
}

gboolean mc_wfd_device_info_is_offerable(const McWfdDeviceInfo *info)
{
	return (info->type == MC_WFD_DEV_PRIMARY_SINK || info->type == MC_WFD_DEV_DUAL_ROLE) &&
	       info->availability == MC_WFD_AVAILABLE;
}

/* ---- Subelements ------------------------------------------------------- */

#define SESSION_DESCRIPTOR	24	/* its length byte (23) and what it counts */

/* The subelements read here, with their body's length (0: Session Information's n * 24). */
static const struct {
	const char *name;
	guint16 length;
} subelem_kinds[] = {
	[MC_WFD_SUBELEM_DEVICE_INFO] = { "Device Information", 6 },
	[MC_WFD_SUBELEM_ASSOCIATED_BSSID] = { "Associated BSSID", 6 },
	[MC_WFD_SUBELEM_COUPLED_SINK] = { "Coupled Sink Information", 7 },
	[MC_WFD_SUBELEM_EXT_CAPABILITY] = { "Extended Capability", 2 },
	[MC_WFD_SUBELEM_SESSION_INFO] = { "Session Information", 0 },
	[MC_WFD_SUBELEM_ALT_MAC] = { "Alternative MAC Address", 6 },
	[MC_WFD_SUBELEM_R2_DEVICE_INFO] = { "R2 Device Information", 2 },
};

/* The error of the subelement of n (> 0) bytes at offset, quoting them in hex. */
G_GNUC_PRINTF(5, 6)
static gboolean bad_subelem(GError **error, gsize offset, const guint8 *data, gsize n,
			    const char *fmt, ...)
{
	g_autofree char *field = NULL;
	g_autofree char *msg = NULL;
	GString *hex = g_string_new(NULL);
	va_list ap;

	for (gsize i = 0; i < n && hex->len <= TOKEN_SHOWN; i++)
		g_string_append_printf(hex, "%02x", data[i]);
	if (data[0] < G_N_ELEMENTS(subelem_kinds) && subelem_kinds[data[0]].name)
		field = g_strdup_printf("subelement %u (%s) at offset %" G_GSIZE_FORMAT, data[0],
					subelem_kinds[data[0]].name, offset);
	else
		field = g_strdup_printf("subelement %u at offset %" G_GSIZE_FORMAT, data[0],
					offset);
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	bad(error, field, hex->str, 2 * n, "%s", msg);
	g_string_free(hex, TRUE);
	return FALSE;
}

static guint16 be16(const guint8 *p)
{
	return (guint16)(p[0] << 8 | p[1]);
}

/* Checks a known subelement's length and takes its body into s. */
static gboolean take_subelem(McWfdSubelems *s, gsize offset, const guint8 *sub, guint16 len,
			     GError **error)
{
	guint id = sub[0];
	const guint8 *body = sub + 3;
	guint16 want = subelem_kinds[id].length;

	if (want && len != want)
		return bad_subelem(error, offset, sub, 3u + len, "length %u, %u expected", len,
				   want);
	switch (id) {
	case MC_WFD_SUBELEM_DEVICE_INFO:
		s->has_device_info = TRUE;
		mc_wfd_device_info_set_bits(&s->device_info, be16(body), be16(body + 2),
					    be16(body + 4));
		break;
	case MC_WFD_SUBELEM_ASSOCIATED_BSSID:
		s->has_bssid = TRUE;
		memcpy(s->bssid, body, 6);
		break;
	case MC_WFD_SUBELEM_COUPLED_SINK:
		s->has_coupled_sink = TRUE;
		s->coupled_status = body[0] & 0x3;
		memcpy(s->coupled_address, body + 1, 6);
		break;
	case MC_WFD_SUBELEM_EXT_CAPABILITY:
		s->has_ext_capability = TRUE;
		s->ext_capability = be16(body);
		break;
	case MC_WFD_SUBELEM_SESSION_INFO:
		if (len % SESSION_DESCRIPTOR)
			return bad_subelem(error, offset, sub, 3u + len,
					   "length %u, a multiple of %u expected", len,
					   SESSION_DESCRIPTOR);
		for (guint i = 0; i < len / SESSION_DESCRIPTOR; i++) {
			guint8 n = body[i * SESSION_DESCRIPTOR];

			if (n != SESSION_DESCRIPTOR - 1)
				return bad_subelem(error, offset, sub, 3u + len,
						   "descriptor %u: length %u, %u expected", i, n,
						   SESSION_DESCRIPTOR - 1);
		}
		s->n_session_devices = len / SESSION_DESCRIPTOR;
		break;
	case MC_WFD_SUBELEM_ALT_MAC:
		s->has_alt_mac = TRUE;
		memcpy(s->alt_mac, body, 6);
		break;
	case MC_WFD_SUBELEM_R2_DEVICE_INFO:
		s->has_r2 = TRUE;
		s->r2_device_info = be16(body);
		break;
	}
	return TRUE;
}

gboolean mc_wfd_subelems_parse(const guint8 *data, gsize size, McWfdSubelems *out,
			       GError **error)
{
	McWfdSubelems s;
	guint32 seen = 0;
	gsize pos = 0;

	memset(&s, 0, sizeof(s));	/* padding too, for callers that compare with memcmp() */
	while (pos < size) {
		const guint8 *sub = data + pos;
		gsize left = size - pos;
		guint id;
		guint16 len;

		if (left < 3)
			return bad_subelem(error, pos, sub, left, "truncated header");
		id = sub[0];
		len = be16(sub + 1);
		if (len > left - 3)
			return bad_subelem(error, pos, sub, left,
					   "length %u, only %" G_GSIZE_FORMAT " bytes follow", len,
					   left - 3);
		if (id < G_N_ELEMENTS(subelem_kinds) && subelem_kinds[id].name) {
			if (seen & 1u << id)
				return bad_subelem(error, pos, sub, 3u + len, "given twice");
			seen |= 1u << id;
			if (!take_subelem(&s, pos, sub, len, error))
				return FALSE;
		} else {
			s.n_unknown++;
		}
		pos += 3u + len;
	}
	if (!s.has_device_info) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "no Device Information subelement (ID 0) in %" G_GSIZE_FORMAT
			    " bytes", size);
		return FALSE;
	}
	*out = s;
	return TRUE;
}

gboolean mc_wfd_subelems_parse_hex(const char *hex, McWfdSubelems *out, GError **error)
{
	gsize n = strlen(hex);
	g_autofree guint8 *bytes = g_malloc(n / 2 + 1);

	if (n % 2)
		return bad(error, "wfd_subelems", hex, n, "an odd number of hex digits");
	for (gsize i = 0; i < n / 2; i++) {
		gint64 v = hex_value(hex + 2 * i, 2);

		if (v < 0)
			return bad(error, "wfd_subelems", hex, n,
				   "not hex at offset %" G_GSIZE_FORMAT, 2 * i);
		bytes[i] = (guint8)v;
	}
	if (!mc_wfd_subelems_parse(bytes, n / 2, out, error)) {
		g_prefix_error(error, "wfd_subelems: ");
		return FALSE;
	}
	return TRUE;
}

/* ---- Event lines ------------------------------------------------------- */

static const char *token_end(const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (gsize)(end - p));

	return sp ? sp : end;
}

/* The length of the key if a key=value token starts at p, else 0. */
static gsize key_length(const char *p, const char *end)
{
	const char *k = p;

	while (k < end && (g_ascii_isalnum(*k) || *k == '_'))
		k++;
	return k > p && k < end && *k == '=' ? (gsize)(k - p) : 0;
}

/*
 * The closing quote of a value quoted with q whose text starts at p: the
 * first q followed by the end of the line or by spaces and a key=value
 * token (a device name may hold the quote itself). NULL if there is none.
 */
static const char *closing_quote(const char *p, const char *end, char q)
{
	for (; (p = memchr(p, q, (gsize)(end - p))); p++) {
		const char *next = p + 1;

		while (next < end && *next == ' ')
			next++;
		if (next == end || (next > p + 1 && key_length(next, end)))
			return p;
	}
	return NULL;
}

static void insert_first(GHashTable *values, char *key, char *value)
{
	if (g_hash_table_contains(values, key)) {
		g_free(key);
		g_free(value);
		return;
	}
	g_hash_table_insert(values, key, value);
}

static gboolean is_name_char(char c)
{
	return g_ascii_isupper(c) || g_ascii_isdigit(c) || c == '-';
}

/* The arguments after the name: words, key=value and key='quoted value'. */
static gboolean event_arguments(McWpaEvent *ev, const char *p, const char *end, GError **error)
{
	while (p < end) {
		const char *v, *v_end;
		gsize klen;

		if (*p == ' ') {
			p++;
			continue;
		}
		klen = key_length(p, end);
		if (!klen) {
			v_end = token_end(p, end);
			g_ptr_array_add(ev->words, g_strndup(p, (gsize)(v_end - p)));
			p = v_end;
			continue;
		}
		v = p + klen + 1;
		if (v < end && (*v == '\'' || *v == '"')) {
			v_end = closing_quote(v + 1, end, *v);
			if (!v_end) {
				g_autofree char *key = g_strndup(p, klen);

				return bad(error, key, v, (gsize)(end - v), "unterminated quote");
			}
			insert_first(ev->values, g_strndup(p, klen),
				     g_strndup(v + 1, (gsize)(v_end - v - 1)));
			p = v_end + 1;
		} else {
			v_end = token_end(v, end);
			insert_first(ev->values, g_strndup(p, klen),
				     g_strndup(v, (gsize)(v_end - v)));
			p = v_end;
		}
	}
	return TRUE;
}

McWpaEvent *mc_wpa_event_parse(const char *line, gsize size, GError **error)
{
	g_autoptr(McWpaEvent) ev = NULL;
	const char *p = line, *end, *name_end, *nul;

	if (size && line[size - 1] == '\n')
		size--;
	if (!size) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "empty event line");
		return NULL;
	}
	end = line + size;
	nul = memchr(line, '\0', size);
	if (nul) {
		bad(error, "event", line, size, "NUL byte at offset %" G_GSIZE_FORMAT,
		    (gsize)(nul - line));
		return NULL;
	}

	ev = g_new0(McWpaEvent, 1);
	ev->level = -1;
	ev->words = g_ptr_array_new_with_free_func(g_free);
	ev->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	if (size > 7 && !memcmp(p, "IFNAME=", 7)) {
		const char *if_end = token_end(p + 7, end);

		if (if_end == p + 7 || if_end == end) {
			bad(error, "event", line, size, "IFNAME= without an interface or an event");
			return NULL;
		}
		ev->ifname = g_strndup(p + 7, (gsize)(if_end - p - 7));
		p = if_end + 1;
	}
	if (p < end && *p == '<') {
		if (end - p < 3 || !g_ascii_isdigit(p[1]) || p[2] != '>') {
			bad(error, "event level", p, (gsize)(token_end(p, end) - p),
			    "'<', a digit and '>' expected");
			return NULL;
		}
		ev->level = p[1] - '0';
		p += 3;
	}
	name_end = token_end(p, end);
	if (name_end == p) {
		bad(error, "event", line, size, "no event name");
		return NULL;
	}
	for (const char *c = p; c < name_end; c++) {
		if (!is_name_char(*c)) {
			bad(error, "event name", p, (gsize)(name_end - p),
			    "upper-case letters, digits and '-' expected");
			return NULL;
		}
	}
	ev->name = g_strndup(p, (gsize)(name_end - p));
	if (!event_arguments(ev, name_end, end, error))
		return NULL;
	return g_steal_pointer(&ev);
}

void mc_wpa_event_free(McWpaEvent *event)
{
	if (!event)
		return;
	g_free(event->ifname);
	g_free(event->name);
	if (event->words)
		g_ptr_array_unref(event->words);
	if (event->values)
		g_hash_table_unref(event->values);
	g_free(event);
}

const char *mc_wpa_event_get(const McWpaEvent *event, const char *key)
{
	return g_hash_table_lookup(event->values, key);
}

const char *mc_wpa_event_word(const McWpaEvent *event, guint i)
{
	return i < event->words->len ? event->words->pdata[i] : NULL;
}

/* ---- Peers ------------------------------------------------------------- */

gboolean mc_p2p_parse_address(const char *s, char out[18])
{
	char a[18];

	for (guint i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !g_ascii_isxdigit(s[i]))
			return FALSE;
		a[i] = g_ascii_tolower(s[i]);
	}
	if (s[17])
		return FALSE;
	a[17] = '\0';
	memcpy(out, a, sizeof(a));
	return TRUE;
}

void mc_p2p_peer_clear(McP2pPeer *peer)
{
	g_free(peer->name);
	g_free(peer->pri_dev_type);
	memset(peer, 0, sizeof(*peer));
	peer->level = G_MININT;
}

/* "0x" and 1 to digits hex digits, as wpa_supplicant prints with "0x%x". */
static gboolean hex_number(const char *field, const char *value, gsize digits, guint32 *out,
			   GError **error)
{
	gsize n = strlen(value);
	gint64 v;

	if (n < 3 || n > 2 + digits || value[0] != '0' || value[1] != 'x' ||
	    (v = hex_value(value + 2, n - 2)) < 0)
		return bad(error, field, value, n, "\"0x\" and 1 to %" G_GSIZE_FORMAT
			   " hex digits expected", digits);
	*out = (guint32)v;
	return TRUE;
}

/* A decimal number of 1 to 5 digits up to 65535 at *p, which is moved past it. */
static gboolean u16_decimal(const char **p, const char *end)
{
	guint v = 0;
	const char *s = *p;

	while (s < end && g_ascii_isdigit(*s) && s - *p < 5)
		v = v * 10 + (guint)(*s++ - '0');
	if (s == *p || v > G_MAXUINT16 || (s < end && g_ascii_isdigit(*s)))
		return FALSE;
	*p = s;
	return TRUE;
}

/* WPS's primary device type as wpa_supplicant prints it: "7-0050F204-1". */
static gboolean dev_type_valid(const char *value)
{
	const char *p = value, *end = value + strlen(value);

	if (!u16_decimal(&p, end) || p == end || *p++ != '-' || end - p < 9 ||
	    hex_value(p, 8) < 0 || p[8] != '-')
		return FALSE;
	p += 9;
	return u16_decimal(&p, end) && p == end;
}

/* The value of key as hex_number(), if there is one (*out is kept otherwise). */
static gboolean optional_hex(GHashTable *values, const char *key, gsize digits, guint32 *out,
			     GError **error)
{
	const char *v = g_hash_table_lookup(values, key);

	return !v || hex_number(key, v, digits, out, error);
}

/* The fields P2P-DEVICE-FOUND and P2P_PEER share. */
static gboolean peer_fields(McP2pPeer *peer, GHashTable *values, GError **error)
{
	const char *v = g_hash_table_lookup(values, "pri_dev_type");
	guint32 methods = 0, dev_capab = 0, group_capab = 0;

	if (v && !dev_type_valid(v))
		return bad(error, "pri_dev_type", v, strlen(v),
			   "category-OUI-subcategory expected");
	if (!optional_hex(values, "config_methods", 4, &methods, error) ||
	    !optional_hex(values, "dev_capab", 2, &dev_capab, error) ||
	    !optional_hex(values, "group_capab", 2, &group_capab, error))
		return FALSE;
	v = g_hash_table_lookup(values, "level");
	if (v) {
		gint64 level;

		/* dBm as nl80211 gives it, a signed byte */
		if (!g_ascii_string_to_signed(v, 10, G_MININT8, G_MAXINT8, &level, NULL))
			return bad(error, "level", v, strlen(v), "dBm from -128 to 127 expected");
		peer->level = (int)level;
	}
	peer->pri_dev_type = g_strdup(g_hash_table_lookup(values, "pri_dev_type"));
	peer->config_methods = (guint16)methods;
	peer->dev_capab = (guint8)dev_capab;
	peer->group_capab = (guint8)group_capab;
	return TRUE;
}

/* Fills peer from a P2P-DEVICE-FOUND event; peer is cleared. */
static gboolean peer_from_event(McP2pPeer *peer, const McWpaEvent *event, GError **error)
{
	const char *field = "p2p_dev_addr";
	const char *v = mc_wpa_event_get(event, field);

	/*
	 * The first word is the address of the frame's sender (a GO's interface
	 * address when it was found in a group): p2p_dev_addr= is the device's.
	 */
	if (!v) {
		field = "address";
		v = mc_wpa_event_word(event, 0);
	}
	if (!v) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "%s: no peer address", event->name);
		return FALSE;
	}
	if (!mc_p2p_parse_address(v, peer->address))
		return bad(error, field, v, strlen(v), "a MAC address expected");
	v = mc_wpa_event_get(event, "name");
	peer->name = g_utf8_make_valid(v ? v : "", -1);
	if (!peer_fields(peer, event->values, error))
		return FALSE;
	v = mc_wpa_event_get(event, "wfd_dev_info");
	if (v) {
		if (!mc_wfd_device_info_parse(v, &peer->wfd.device_info, error))
			return FALSE;
		peer->has_wfd = peer->wfd.has_device_info = TRUE;
	}
	return TRUE;
}

/* Replaces *peer by p if ok, else frees p; returns ok. */
static gboolean peer_replace(McP2pPeer *peer, McP2pPeer *p, gboolean ok)
{
	if (!ok) {
		mc_p2p_peer_clear(p);
		return FALSE;
	}
	mc_p2p_peer_clear(peer);
	*peer = *p;
	return TRUE;
}

gboolean mc_p2p_peer_from_event(const McWpaEvent *event, McP2pPeer *peer, GError **error)
{
	McP2pPeer p = { .level = G_MININT };

	return peer_replace(peer, &p, peer_from_event(&p, event, error));
}

/* Fills peer from the reply to P2P_PEER: the address line, then key=value lines. */
static gboolean peer_from_reply(McP2pPeer *peer, const char *reply, gsize size, GError **error)
{
	g_autoptr(GHashTable) values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							     g_free);
	const char *end, *line, *eol, *nul;
	g_autofree char *address = NULL;
	const char *v;

	if (!size || *reply == '\n') {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "P2P_PEER reply: no peer address");
		return FALSE;
	}
	nul = memchr(reply, '\0', size);
	if (nul)
		return bad(error, "P2P_PEER reply", reply, size,
			   "NUL byte at offset %" G_GSIZE_FORMAT, (gsize)(nul - reply));
	end = reply + size;
	eol = memchr(reply, '\n', size);
	if (!eol)
		eol = end;
	address = g_strndup(reply, (gsize)(eol - reply));
	if (!mc_p2p_parse_address(address, peer->address))
		return bad(error, "address", address, strlen(address), "a MAC address expected");

	for (line = eol; line < end; line = eol) {
		gsize klen;

		line++;
		eol = memchr(line, '\n', (gsize)(end - line));
		if (!eol)
			eol = end;
		if (eol == line)
			continue;
		klen = key_length(line, eol);
		if (!klen)
			return bad(error, "P2P_PEER reply line", line, (gsize)(eol - line),
				   "key=value expected");
		insert_first(values, g_strndup(line, klen),
			     g_strndup(line + klen + 1, (gsize)(eol - line - klen - 1)));
	}

	v = g_hash_table_lookup(values, "device_name");
	peer->name = g_utf8_make_valid(v ? v : "", -1);
	if (!peer_fields(peer, values, error))
		return FALSE;
	v = g_hash_table_lookup(values, "wfd_subelems");
	if (v) {
		if (!mc_wfd_subelems_parse_hex(v, &peer->wfd, error))
			return FALSE;
		peer->has_wfd = TRUE;
	}
	return TRUE;
}

gboolean mc_p2p_peer_from_reply(const char *reply, gsize size, McP2pPeer *peer,
				GError **error)
{
	McP2pPeer p = { .level = G_MININT };

	return peer_replace(peer, &p, peer_from_reply(&p, reply, size, error));
}

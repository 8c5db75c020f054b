// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of Wi-Fi Direct's parsers (mc-p2p.h): the WFD Device
 * Information bits and the reference's worked examples, which peers a
 * source offers (R7), wfd_dev_info values (R8), subelement lists, the
 * control interface's event lines as wpa_supplicant writes them, and the
 * peers of P2P-DEVICE-FOUND and of P2P_PEER's reply. Malformed input is
 * an error that names the field and quotes the token.
 */
#include <string.h>

#include <gio/gio.h>

#include "mc-p2p.h"

/* A real P2P-DEVICE-FOUND line from the lab. */
#define SINK_FOUND								\
	"<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 p2p_dev_addr=42:00:00:00:01:00 "	\
	"pri_dev_type=7-0050F204-1 name='lab-wfd-sink' config_methods=0x188 "	\
	"dev_capab=0x25 group_capab=0x0 wfd_dev_info=0x00111c440032 new=1"

/* Its Device Information subelement, with the ID byte. */
#define SINK_INFO "00000600111c440032"

/* P2P_PEER's reply for that sink, as wpa_supplicant writes it. */
#define SINK_PEER_REPLY								\
	"42:00:00:00:01:00\n"							\
	"pri_dev_type=7-0050F204-1\n"						\
	"device_name=lab-wfd-sink\n"						\
	"manufacturer=\n"							\
	"model_name=\n"								\
	"model_number=\n"							\
	"serial_number=\n"							\
	"config_methods=0x188\n"						\
	"dev_capab=0x25\n"							\
	"group_capab=0x0\n"							\
	"level=-30\n"								\
	"listen_freq=2437\n"							\
	"wfd_subelems=" SINK_INFO "\n"

/* A bad input (size bytes, or up to the NUL if 0), and what its error says. */
typedef struct {
	const char *text;
	gsize size;
	const char *message;
} BadText;

static gsize text_size(const BadText *bad)
{
	return bad->size ? bad->size : strlen(bad->text);
}

static void assert_invalid(const GError *error, const char *expected)
{
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_test_message("-> %s", error->message);
	g_assert_nonnull(strstr(error->message, expected));
}

/* ---- Device Information ------------------------------------------------ */

static void test_bits(void)
{
	static const struct {
		guint16 bits;
		gsize offset;	/* of the gboolean it sets */
	} flags[] = {
		{ 0x0004, G_STRUCT_OFFSET(McWfdDeviceInfo, coupled_source) },
		{ 0x0008, G_STRUCT_OFFSET(McWfdDeviceInfo, coupled_sink) },
		{ 0x0040, G_STRUCT_OFFSET(McWfdDeviceInfo, service_discovery) },
		{ 0x0080, G_STRUCT_OFFSET(McWfdDeviceInfo, tdls_preferred) },
		{ 0x0100, G_STRUCT_OFFSET(McWfdDeviceInfo, content_protection) },
		{ 0x0200, G_STRUCT_OFFSET(McWfdDeviceInfo, time_sync) },
		{ 0x0400, G_STRUCT_OFFSET(McWfdDeviceInfo, audio_unsupported) },
		{ 0x0800, G_STRUCT_OFFSET(McWfdDeviceInfo, audio_only) },
		{ 0x1000, G_STRUCT_OFFSET(McWfdDeviceInfo, tdls_persistent) },
		{ 0x2000, G_STRUCT_OFFSET(McWfdDeviceInfo, tdls_reinvoke) },
	};
	McWfdDeviceInfo info;

	/* each flag alone, both ways */
	for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
		McWfdDeviceInfo set = { 0 };

		G_STRUCT_MEMBER(gboolean, &set, flags[i].offset) = TRUE;
		g_assert_cmphex(mc_wfd_device_info_bits(&set), ==, flags[i].bits);
		mc_wfd_device_info_set_bits(&info, flags[i].bits, 0, 0);
		g_assert_true(G_STRUCT_MEMBER(gboolean, &info, flags[i].offset));
		g_assert_cmpuint(info.type, ==, MC_WFD_DEV_SOURCE);
		g_assert_cmpuint(info.availability, ==, 0);
		g_assert_cmphex(info.reserved, ==, 0);
		for (guint j = 0; j < G_N_ELEMENTS(flags); j++)
			if (j != i)
				g_assert_false(G_STRUCT_MEMBER(gboolean, &info, flags[j].offset));
	}
	/* the fields of more than one bit */
	for (guint t = 0; t < 4; t++) {
		McWfdDeviceInfo set = { .type = t };

		g_assert_cmphex(mc_wfd_device_info_bits(&set), ==, t);
		mc_wfd_device_info_set_bits(&info, (guint16)t, 0, 0);
		g_assert_cmpuint(info.type, ==, t);
	}
	for (guint a = 0; a < 4; a++) {
		McWfdDeviceInfo set = { .availability = a };

		g_assert_cmphex(mc_wfd_device_info_bits(&set), ==, a << 4);
		mc_wfd_device_info_set_bits(&info, (guint16)(a << 4), 0, 0);
		g_assert_cmpuint(info.availability, ==, a);
	}
	mc_wfd_device_info_set_bits(&info, 0xc000, 0, 0);
	g_assert_cmphex(info.reserved, ==, 0xc000);
	g_assert_cmpuint(info.type, ==, 0);

	/* every bitmap, with a port and a throughput */
	for (guint bits = 0; bits <= 0xffff; bits++) {
		mc_wfd_device_info_set_bits(&info, (guint16)bits, 7236, (guint16)(bits ^ 0x5a5a));
		g_assert_cmphex(mc_wfd_device_info_bits(&info), ==, bits);
		g_assert_cmpuint(info.port, ==, 7236);
		g_assert_cmpuint(info.max_throughput, ==, bits ^ 0x5a5a);
	}
}

static void test_examples(void)
{
	McWfdDeviceInfo info = { 0 };
	McWfdSubelems s;
	g_autofree char *source = NULL;
	g_autofree char *sink = NULL;
	g_autofree char *hdcp = NULL;

	/* the source of section 2.7 (R2, R3) */
	g_assert_true(mc_wfd_device_info_parse("0x00101c440032", &info, NULL));
	g_assert_cmpuint(info.type, ==, MC_WFD_DEV_SOURCE);
	g_assert_cmpuint(info.availability, ==, MC_WFD_AVAILABLE);
	g_assert_false(info.coupled_source || info.coupled_sink || info.content_protection ||
		       info.time_sync);
	g_assert_cmpuint(info.port, ==, 7236);
	g_assert_cmpuint(info.max_throughput, ==, 50);
	g_assert_false(mc_wfd_device_info_is_offerable(&info));
	source = mc_wfd_device_info_to_subelem(&info);
	g_assert_cmpstr(source, ==, "000600101c440032");
	/* in a session: bits 5:4 cleared (R4) */
	info.availability = MC_WFD_NOT_AVAILABLE;
	g_free(source);
	source = mc_wfd_device_info_to_subelem(&info);
	g_assert_cmpstr(source, ==, "000600001c440032");

	/* the primary sink: its subelement with the ID byte, as WFD_SUBELEM_GET all has it */
	g_assert_true(mc_wfd_subelems_parse_hex("00000600111c4400c8", &s, NULL));
	g_assert_true(s.has_device_info);
	g_assert_cmpuint(s.device_info.type, ==, MC_WFD_DEV_PRIMARY_SINK);
	g_assert_cmpuint(s.device_info.availability, ==, MC_WFD_AVAILABLE);
	g_assert_cmpuint(s.device_info.port, ==, 7236);
	g_assert_cmpuint(s.device_info.max_throughput, ==, 200);
	g_assert_true(mc_wfd_device_info_is_offerable(&s.device_info));
	sink = mc_wfd_device_info_to_subelem(&s.device_info);
	g_assert_cmpstr(sink, ==, "000600111c4400c8");

	/* the sink with HDCP, upper-case digits too */
	g_assert_true(mc_wfd_device_info_parse("0x01111C440032", &info, NULL));
	g_assert_cmphex(mc_wfd_device_info_bits(&info), ==, 0x0111);
	g_assert_cmpuint(info.type, ==, MC_WFD_DEV_PRIMARY_SINK);
	g_assert_true(info.content_protection);
	g_assert_true(mc_wfd_device_info_is_offerable(&info));
	hdcp = mc_wfd_device_info_to_subelem(&info);
	g_assert_cmpstr(hdcp, ==, "000601111c440032");

	g_assert_cmpstr(mc_wfd_device_type_name(MC_WFD_DEV_SOURCE), ==, "source");
	g_assert_cmpstr(mc_wfd_device_type_name(MC_WFD_DEV_PRIMARY_SINK), ==, "primary sink");
	g_assert_cmpstr(mc_wfd_device_type_name(MC_WFD_DEV_SECONDARY_SINK), ==, "secondary sink");
	g_assert_cmpstr(mc_wfd_device_type_name(MC_WFD_DEV_DUAL_ROLE), ==, "dual role");
}

/* R7: a primary sink or a dual-role device, available. */
static void test_offerable(void)
{
	for (guint type = 0; type < 4; type++) {
		for (guint avail = 0; avail < 4; avail++) {
			McWfdDeviceInfo info;
			gboolean want = (type == 1 || type == 3) && avail == 1;

			mc_wfd_device_info_set_bits(&info, (guint16)(avail << 4 | type), 7236, 50);
			g_assert_cmpint(mc_wfd_device_info_is_offerable(&info), ==, want);
			/* other bits do not matter */
			mc_wfd_device_info_set_bits(&info, (guint16)(0xffcc | avail << 4 | type),
						    0, 0);
			g_assert_cmpint(mc_wfd_device_info_is_offerable(&info), ==, want);
		}
	}
}

/*
 * The hex values wpa_supplicant passes on: wfd_dev_info, "0x" and 12 hex
 * digits, nothing else (R8); wfd_subelems, pairs of hex digits.
 */
static void test_hex_malformed(void)
{
	static const struct {
		const char *field, *value, *message;
	} bad[] = {
		{ "wfd_dev_info", "0x0011", "wfd_dev_info \"0x0011\": 12 hex digits expected" },
		{ "wfd_dev_info", "0x00111c44003", "12 hex digits expected" },
		{ "wfd_dev_info", "0x00111c4400320", "12 hex digits expected" },
		{ "wfd_dev_info", "00111c440032",
		  "wfd_dev_info \"00111c440032\": \"0x\" and 12 hex digits" },
		{ "wfd_dev_info", "0X00111c440032", "\"0x\" and 12 hex digits" },
		{ "wfd_dev_info", "0x00111g440032",
		  "wfd_dev_info \"0x00111g440032\": 12 hex digits expected" },
		{ "wfd_dev_info", "0x00111c44003 ", "12 hex digits expected" },
		{ "wfd_dev_info", "0x00111c440032 ", "12 hex digits expected" },
		{ "wfd_dev_info", "0x00111c440032x", "12 hex digits expected" },
		{ "wfd_dev_info", "0x-0111c440032", "12 hex digits expected" },
		{ "wfd_dev_info", " 0x00111c440032", "\"0x\" and 12" },
		{ "wfd_dev_info", "0x", "12 hex digits expected" },
		{ "wfd_dev_info", "", "wfd_dev_info \"\"" },
		{ "wfd_subelems", "00000600111c44003",
		  "wfd_subelems \"00000600111c44003\": an odd number" },
		{ "wfd_subelems", "00000600111c44003g", "not hex at offset 16" },
		{ "wfd_subelems", "0x000600111c440032", "not hex at offset 0" },
		{ "wfd_subelems", SINK_INFO " ", "odd number" },
		{ "wfd_subelems", SINK_INFO "  ", "not hex at offset 18" },
		{ "wfd_subelems", "-0000600111c440032", "not hex at offset 0" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		McWfdSubelems s = { .device_info.port = 1234 };
		g_autoptr(GError) error = NULL;

		/* nothing changes */
		if (!strcmp(bad[i].field, "wfd_dev_info"))
			g_assert_false(mc_wfd_device_info_parse(bad[i].value, &s.device_info,
								&error));
		else
			g_assert_false(mc_wfd_subelems_parse_hex(bad[i].value, &s, &error));
		assert_invalid(error, bad[i].message);
		g_assert_cmpuint(s.device_info.port, ==, 1234);
	}
}

/* ---- Subelements ------------------------------------------------------- */

static GBytes *unhex(const char *hex)
{
	gsize n = strlen(hex) / 2;
	guint8 *b = g_malloc(n + 1);

	for (gsize i = 0; i < n; i++)
		b[i] = (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
				g_ascii_xdigit_value(hex[2 * i + 1]));
	return g_bytes_new_take(b, n);
}

/* Parses hex both as bytes and as text: the same outcome. */
static gboolean parse_both(const char *hex, McWfdSubelems *s, GError **error)
{
	g_autoptr(GBytes) bytes = unhex(hex);
	McWfdSubelems again;
	gboolean ok;
	gsize n;
	const guint8 *data = g_bytes_get_data(bytes, &n);

	memset(s, 0, sizeof(*s));
	memset(&again, 0, sizeof(again));
	ok = mc_wfd_subelems_parse(data, n, s, NULL);
	g_assert_cmpint(mc_wfd_subelems_parse_hex(hex, &again, error), ==, ok);
	if (ok)
		g_assert_cmpmem(s, sizeof(*s), &again, sizeof(again));
	return ok;
}

static void test_subelems(void)
{
	static const guint8 bssid[] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const guint8 coupled[] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	static const guint8 alt[] = { 0x46, 0x00, 0x00, 0x00, 0x01, 0x00 };
	McWfdSubelems s;

	g_assert_true(parse_both("0b00020001"		/* R2 device info */
				 SINK_INFO
				 "010006021122334455"	/* BSSID */
				 "0200030102ff"		/* audio formats: unknown here */
				 "060007050a0b0c0d0e0f"	/* coupled sink: status 1 */
				 "0700020011"		/* extended capability */
				 "080000"			/* local IP, empty: unknown */
				 "0a0006460000000100"	/* alternative MAC */
				 "ff0001aa", &s, NULL));
	g_assert_true(s.has_device_info);
	g_assert_cmphex(mc_wfd_device_info_bits(&s.device_info), ==, 0x0011);
	g_assert_true(s.has_bssid);
	g_assert_cmpmem(s.bssid, 6, bssid, 6);
	g_assert_true(s.has_coupled_sink);
	g_assert_cmpuint(s.coupled_status, ==, 1);
	g_assert_cmpmem(s.coupled_address, 6, coupled, 6);
	g_assert_true(s.has_ext_capability);
	g_assert_cmphex(s.ext_capability, ==, MC_WFD_EXT_UIBC | MC_WFD_EXT_TDLS_PERSISTENT);
	g_assert_true(s.has_alt_mac);
	g_assert_cmpmem(s.alt_mac, 6, alt, 6);
	g_assert_true(s.has_r2);
	g_assert_cmphex(s.r2_device_info, ==, 0x0001);
	g_assert_cmpuint(s.n_session_devices, ==, 0);
	g_assert_cmpuint(s.n_unknown, ==, 3);

	/* device info alone, upper case */
	g_assert_true(parse_both("00000600101C440032", &s, NULL));
	g_assert_false(s.has_bssid || s.has_coupled_sink || s.has_ext_capability ||
		       s.has_alt_mac || s.has_r2);
	g_assert_cmpuint(s.n_unknown, ==, 0);
	g_assert_cmpuint(s.device_info.port, ==, 7236);
}

/* A GO's Session Information: descriptors of 1 + 23 bytes. */
static void test_session_info(void)
{
/* a descriptor with its length byte: device, BSSID, device info, throughput, coupled sink */
#define DESCRIPTOR(len, dev) len dev "000000000000" "0011" "0032" "00" "000000000000"
	McWfdSubelems s;
	g_autoptr(GError) error = NULL;

	g_assert_true(parse_both(SINK_INFO "090030" DESCRIPTOR("17", "420000000100")
				 DESCRIPTOR("17", "420000000200"), &s, NULL));
	g_assert_cmpuint(s.n_session_devices, ==, 2);
	g_assert_true(parse_both(SINK_INFO "090018" DESCRIPTOR("17", "420000000100"), &s, NULL));
	g_assert_cmpuint(s.n_session_devices, ==, 1);
	g_assert_true(parse_both(SINK_INFO "090000", &s, NULL));
	g_assert_cmpuint(s.n_session_devices, ==, 0);

	/* a descriptor whose length byte is not 23 */
	g_assert_false(parse_both(SINK_INFO "090030" DESCRIPTOR("17", "420000000100")
				  DESCRIPTOR("16", "420000000200"), &s, &error));
	assert_invalid(error, "descriptor 1: length 22, 23 expected");
	g_clear_error(&error);
	g_assert_false(parse_both(SINK_INFO "090018" DESCRIPTOR("18", "420000000100"), &s, &error));
	assert_invalid(error, "descriptor 0: length 24, 23 expected");
	g_clear_error(&error);
	/* not a multiple of 24 */
	g_assert_false(parse_both(SINK_INFO "090019" DESCRIPTOR("17", "420000000100") "00", &s,
				  &error));
	assert_invalid(error, "subelement 9 (Session Information) at offset 9");
	assert_invalid(error, "length 25, a multiple of 24 expected");
	g_clear_error(&error);
	/* a descriptor without its length byte */
	g_assert_false(parse_both(SINK_INFO "090017" DESCRIPTOR("", "420000000100"), &s, &error));
	assert_invalid(error, "length 23, a multiple of 24 expected");
#undef DESCRIPTOR
}

static void test_subelems_malformed(void)
{
	static const struct {
		const char *hex, *message;
	} bad[] = {
		/* truncated */
		{ SINK_INFO "01",
		  "subelement 1 (Associated BSSID) at offset 9 \"01\": truncated header" },
		{ SINK_INFO "0100", "truncated header" },
		{ "0000", "truncated header" },
		{ "00000600111c4400", "subelement 0 (Device Information) at offset 0 "
				      "\"00000600111c4400\": length 6, only 5 bytes follow" },
		{ SINK_INFO "ff0004aabbcc",
		  "subelement 255 at offset 9 \"ff0004aabbcc\": length 4, only 3" },
		{ SINK_INFO "01ffff", "length 65535, only 0 bytes follow" },
		/* the wrong length for the ID */
		{ "00000500111c4400", "subelement 0 (Device Information) at offset 0 "
				      "\"00000500111c4400\": length 5, 6 expected" },
		{ "00000700111c44003200", "length 7, 6 expected" },
		{ SINK_INFO "0100050211223344", "subelement 1 (Associated BSSID)" },
		{ SINK_INFO "01000702112233445566", "length 7, 6 expected" },
		{ SINK_INFO "060006000a0b0c0d0e", "subelement 6 (Coupled Sink Information)" },
		{ SINK_INFO "06000800000000000000ff", "length 8, 7 expected" },
		{ SINK_INFO "07000100", "subelement 7 (Extended Capability)" },
		{ SINK_INFO "070003000000", "length 3, 2 expected" },
		{ SINK_INFO "0a00050000000000", "subelement 10 (Alternative MAC Address)" },
		{ SINK_INFO "0a000700000000000000", "length 7, 6 expected" },
		{ SINK_INFO "0b000100", "subelement 11 (R2 Device Information)" },
		{ SINK_INFO "0b0000", "length 0, 2 expected" },
		/* twice */
		{ SINK_INFO "00000600101c440032", "given twice" },
		{ SINK_INFO "0700020001" "0700020001", "subelement 7" },
		/* no Device Information */
		{ "", "no Device Information subelement (ID 0) in 0 bytes" },
		{ "010006021122334455", "no Device Information subelement (ID 0)" },
		{ "ff0001aa", "no Device Information" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		McWfdSubelems s;
		g_autoptr(GError) error = NULL;

		g_test_message("%s", bad[i].hex);
		g_assert_false(parse_both(bad[i].hex, &s, &error));
		assert_invalid(error, bad[i].message);
		g_assert_true(g_str_has_prefix(error->message, "wfd_subelems: "));
	}
}

/* ---- Event lines ------------------------------------------------------- */

static McWpaEvent *parse_event(const char *line)
{
	g_autoptr(GError) error = NULL;
	McWpaEvent *ev = mc_wpa_event_parse(line, strlen(line), &error);

	g_assert_no_error(error);
	g_assert_nonnull(ev);
	return ev;
}

static void test_event(void)
{
	g_autoptr(McWpaEvent) ev = parse_event(SINK_FOUND "\n");

	g_assert_null(ev->ifname);
	g_assert_cmpint(ev->level, ==, 3);
	g_assert_cmpstr(ev->name, ==, "P2P-DEVICE-FOUND");
	g_assert_cmpuint(ev->words->len, ==, 1);
	g_assert_cmpstr(mc_wpa_event_word(ev, 0), ==, "42:00:00:00:01:00");
	g_assert_null(mc_wpa_event_word(ev, 1));
	g_assert_cmpuint(g_hash_table_size(ev->values), ==, 8);
	g_assert_cmpstr(mc_wpa_event_get(ev, "name"), ==, "lab-wfd-sink");
	g_assert_cmpstr(mc_wpa_event_get(ev, "pri_dev_type"), ==, "7-0050F204-1");
	g_assert_cmpstr(mc_wpa_event_get(ev, "wfd_dev_info"), ==, "0x00111c440032");
	g_assert_cmpstr(mc_wpa_event_get(ev, "new"), ==, "1");
	g_assert_null(mc_wpa_event_get(ev, "level"));
}

static void test_event_group_started(void)
{
	g_autoptr(McWpaEvent) client = parse_event(
		"<3>P2P-GROUP-STARTED p2p-wlan0-0 client ssid=\"DIRECT-U7\" freq=2437 "
		"psk=5cd6f9 go_dev_addr=42:00:00:00:01:00 ip_addr=192.168.49.100 "
		"ip_mask=255.255.255.0 go_ip_addr=192.168.49.1");
	g_autoptr(McWpaEvent) go = parse_event(
		"<3>P2P-GROUP-STARTED p2p-wlan1-0 GO ssid=\"DIRECT U7 \"x\"\" freq=2437 "
		"passphrase=\"5s4d Uw'xo\" go_dev_addr=42:00:00:00:01:00");
	g_autoptr(McWpaEvent) sta = parse_event(
		"IFNAME=p2p-wlan0-0 <3>AP-STA-CONNECTED 46:00:00:00:00:00 "
		"p2p_dev_addr=42:00:00:00:00:00 ip_addr=192.168.49.100");

	g_assert_cmpstr(mc_wpa_event_word(client, 0), ==, "p2p-wlan0-0");
	g_assert_cmpstr(mc_wpa_event_word(client, 1), ==, "client");
	g_assert_cmpstr(mc_wpa_event_get(client, "ssid"), ==, "DIRECT-U7");
	g_assert_cmpstr(mc_wpa_event_get(client, "go_ip_addr"), ==, "192.168.49.1");
	g_assert_cmpuint(g_hash_table_size(client->values), ==, 7);

	g_assert_cmpstr(mc_wpa_event_word(go, 1), ==, "GO");
	g_assert_cmpstr(mc_wpa_event_get(go, "ssid"), ==, "DIRECT U7 \"x\"");
	g_assert_cmpstr(mc_wpa_event_get(go, "passphrase"), ==, "5s4d Uw'xo");
	g_assert_cmpstr(mc_wpa_event_get(go, "go_dev_addr"), ==, "42:00:00:00:01:00");

	g_assert_cmpstr(sta->ifname, ==, "p2p-wlan0-0");
	g_assert_cmpint(sta->level, ==, 3);
	g_assert_cmpstr(sta->name, ==, "AP-STA-CONNECTED");
	g_assert_cmpstr(mc_wpa_event_word(sta, 0), ==, "46:00:00:00:00:00");
	g_assert_cmpstr(mc_wpa_event_get(sta, "ip_addr"), ==, "192.168.49.100");
}

static void test_event_quotes(void)
{
	static const struct {
		const char *line, *name, *after;
	} cases[] = {
		{ "<3>P2P-DEVICE-FOUND name='Living Room TV' new=1", "Living Room TV", "1" },
		{ "<3>P2P-DEVICE-FOUND name='Bob's TV' new=1", "Bob's TV", "1" },
		{ "<3>P2P-DEVICE-FOUND name='it's 'quoted'' new=1", "it's 'quoted'", "1" },
		{ "<3>P2P-DEVICE-FOUND name='a' b' new=1", "a' b", "1" },
		{ "<3>P2P-DEVICE-FOUND name='x 'y' z' new=1", "x 'y' z", "1" },
		{ "<3>P2P-DEVICE-FOUND name='TV'", "TV", NULL },
		{ "<3>P2P-DEVICE-FOUND name='TV'\n", "TV", NULL },
		{ "<3>P2P-DEVICE-FOUND name='TV'  ", "TV", NULL },
		{ "<3>P2P-DEVICE-FOUND name=''", "", NULL },
		{ "<3>P2P-DEVICE-FOUND name='' new=1", "", "1" },
		{ "<3>P2P-DEVICE-FOUND name='''", "'", NULL },
		{ "<3>P2P-DEVICE-FOUND name='  ' new=1", "  ", "1" },
		{ "<3>P2P-DEVICE-FOUND name=\"it's\" new=1", "it's", "1" },
		{ "<3>P2P-DEVICE-FOUND name='a=b c=d'  new=", "a=b c=d", "" },
		{ "<3>P2P-DEVICE-FOUND name='caf\xc3\xa9 \xff' new=0", "caf\xc3\xa9 \xff", "0" },
		{ "<3>P2P-DEVICE-FOUND name=x'y new=1", "x'y", "1" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *shown = g_strescape(cases[i].line, NULL);
		g_autoptr(McWpaEvent) ev = NULL;

		g_test_message("%s", shown);
		ev = parse_event(cases[i].line);
		g_assert_cmpstr(mc_wpa_event_get(ev, "name"), ==, cases[i].name);
		g_assert_cmpstr(mc_wpa_event_get(ev, "new"), ==, cases[i].after);
		g_assert_cmpuint(ev->words->len, ==, 0);
	}
}

static void test_event_forms(void)
{
	g_autoptr(McWpaEvent) bare = parse_event("P2P-GROUP-FORMATION-SUCCESS");
	g_autoptr(McWpaEvent) ifname = parse_event("IFNAME=p2p-dev-wlan0 CTRL-EVENT-SCAN-STARTED ");
	g_autoptr(McWpaEvent) level = parse_event("<4>CTRL-EVENT-TERMINATING\n");
	g_autoptr(McWpaEvent) repeated = parse_event(
		"<3>P2P-GO-NEG-SUCCESS role=client freq=2437 role=GO empty= x  y freq=1");
	static const char datagram[] = "<3>P2P-FIND-STOPPED\nignored";
	g_autoptr(McWpaEvent) sized = mc_wpa_event_parse(datagram, 20, NULL);

	g_assert_null(bare->ifname);
	g_assert_cmpint(bare->level, ==, -1);
	g_assert_cmpstr(bare->name, ==, "P2P-GROUP-FORMATION-SUCCESS");
	g_assert_cmpuint(bare->words->len, ==, 0);
	g_assert_cmpuint(g_hash_table_size(bare->values), ==, 0);

	g_assert_cmpstr(ifname->ifname, ==, "p2p-dev-wlan0");
	g_assert_cmpint(ifname->level, ==, -1);
	g_assert_cmpstr(ifname->name, ==, "CTRL-EVENT-SCAN-STARTED");

	g_assert_cmpint(level->level, ==, 4);
	g_assert_cmpstr(level->name, ==, "CTRL-EVENT-TERMINATING");

	/* the first of a repeated key wins; an empty value is a value */
	g_assert_cmpstr(mc_wpa_event_get(repeated, "role"), ==, "client");
	g_assert_cmpstr(mc_wpa_event_get(repeated, "freq"), ==, "2437");
	g_assert_cmpstr(mc_wpa_event_get(repeated, "empty"), ==, "");
	g_assert_cmpuint(g_hash_table_size(repeated->values), ==, 3);
	g_assert_cmpuint(repeated->words->len, ==, 2);
	g_assert_cmpstr(mc_wpa_event_word(repeated, 0), ==, "x");
	g_assert_cmpstr(mc_wpa_event_word(repeated, 1), ==, "y");

	/* a datagram is not NUL-terminated: size bytes only */
	g_assert_nonnull(sized);
	g_assert_cmpstr(sized->name, ==, "P2P-FIND-STOPPED");
	g_assert_cmpuint(sized->words->len, ==, 0);
}

static void test_event_malformed(void)
{
	static const BadText bad[] = {
		{ "", 0, "empty event line" },
		{ "\n", 1, "empty event line" },
		{ "<3>P2P-FIND-STOPPED\0x", 21, "NUL byte at offset 19" },
		{ "\0", 1, "NUL byte at offset 0" },
		{ "<3>P2P-DEVICE-FOUND name='lab-wfd-sink new=1", 0,
		  "name \"'lab-wfd-sink new=1\": unterminated quote" },
		{ "<3>P2P-DEVICE-FOUND name='lab' x new=1", 0, "unterminated quote" },
		{ "<3>P2P-GROUP-STARTED p2p-wlan0-0 GO ssid=\"DIRECT", 0, "ssid" },
		{ "<3>P2P-DEVICE-FOUND name='", 0, "unterminated quote" },
		{ "<3>p2p-device-found 42:00:00:00:01:00", 0,
		  "event name \"p2p-device-found\": upper-case letters, digits and '-' expected" },
		{ "<3>P2P_DEVICE_FOUND", 0, "event name" },
		{ "<3>Trying to associate", 0, "event name \"Trying\"" },
		{ "<3>", 0, "no event name" },
		{ "<3> P2P-FIND-STOPPED", 0, "no event name" },
		{ " P2P-FIND-STOPPED", 0, "no event name" },
		{ "<3", 0, "event level \"<3\"" },
		{ "<>P2P-FIND-STOPPED", 0, "event level" },
		{ "<33>P2P-FIND-STOPPED", 0, "event level \"<33>P2P-FIND-STOPPED\"" },
		{ "<x>P2P-FIND-STOPPED", 0, "'<', a digit and '>' expected" },
		{ "IFNAME=p2p-wlan0-0", 0, "IFNAME= without" },
		{ "IFNAME= <3>P2P-FIND-STOPPED", 0, "IFNAME= without" },
		{ "IFNAME=wlan0 ", 0, "no event name" },
		{ "IFNAME=wlan0 <3>", 0, "no event name" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(McWpaEvent) ev = mc_wpa_event_parse(bad[i].text, text_size(&bad[i]),
							      &error);

		g_assert_null(ev);
		assert_invalid(error, bad[i].message);
		g_assert_true(g_utf8_validate(error->message, -1, NULL));
	}
}

/* ---- Peers ------------------------------------------------------------- */

static void test_address(void)
{
	char out[18] = "unchanged";

	g_assert_true(mc_p2p_parse_address("42:00:00:00:01:00", out));
	g_assert_cmpstr(out, ==, "42:00:00:00:01:00");
	g_assert_true(mc_p2p_parse_address("AA:bb:Cc:0D:eE:FF", out));
	g_assert_cmpstr(out, ==, "aa:bb:cc:0d:ee:ff");
	memcpy(out, "unchanged", 10);
	g_assert_false(mc_p2p_parse_address("", out));
	g_assert_false(mc_p2p_parse_address("42:00:00:00:01", out));
	g_assert_false(mc_p2p_parse_address("42:00:00:00:01:0", out));
	g_assert_false(mc_p2p_parse_address("42:00:00:00:01:000", out));
	g_assert_false(mc_p2p_parse_address("42:00:00:00:01:00 ", out));
	g_assert_false(mc_p2p_parse_address("42-00-00-00-01-00", out));
	g_assert_false(mc_p2p_parse_address("4200:00:00:01:00:", out));
	g_assert_false(mc_p2p_parse_address("g2:00:00:00:01:00", out));
	g_assert_false(mc_p2p_parse_address("FAIL", out));
	g_assert_cmpstr(out, ==, "unchanged");
}

static void test_peer_from_event(void)
{
	g_autoptr(McWpaEvent) ev = parse_event(SINK_FOUND);
	g_autoptr(McWpaEvent) source = parse_event(
		"<3>P2P-DEVICE-FOUND 46:00:00:00:00:00 p2p_dev_addr=42:00:00:00:00:00 "
		"pri_dev_type=1-0050F204-1 name='Bob's \xff TV' config_methods=0xffff "
		"dev_capab=0xff group_capab=0xab wfd_dev_info=0x00101C440032 new=0");
	g_autoptr(McWpaEvent) legacy = parse_event(
		"<3>P2P-DEVICE-FOUND 02:AA:BB:CC:DD:EE config_methods=0x8");
	McP2pPeer peer = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert_true(mc_p2p_peer_from_event(ev, &peer, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(peer.address, ==, "42:00:00:00:01:00");
	g_assert_cmpstr(peer.name, ==, "lab-wfd-sink");
	g_assert_cmpstr(peer.pri_dev_type, ==, "7-0050F204-1");
	g_assert_cmphex(peer.config_methods, ==, 0x188);
	g_assert_cmphex(peer.dev_capab, ==, 0x25);
	g_assert_cmphex(peer.group_capab, ==, 0);
	g_assert_cmpint(peer.level, ==, G_MININT);
	g_assert_true(peer.has_wfd);
	g_assert_true(peer.wfd.has_device_info);
	g_assert_cmpuint(peer.wfd.device_info.type, ==, MC_WFD_DEV_PRIMARY_SINK);
	g_assert_cmpuint(peer.wfd.device_info.port, ==, 7236);
	g_assert_true(mc_wfd_device_info_is_offerable(&peer.wfd.device_info));
	g_assert_false(peer.wfd.has_bssid);

	/* replaces what peer had; p2p_dev_addr= is the device's address */
	g_assert_true(mc_p2p_peer_from_event(source, &peer, NULL));
	g_assert_cmpstr(peer.address, ==, "42:00:00:00:00:00");
	g_assert_cmpstr(peer.name, ==, "Bob's \xef\xbf\xbd TV");
	g_assert_true(g_utf8_validate(peer.name, -1, NULL));
	g_assert_cmphex(peer.config_methods, ==, 0xffff);
	g_assert_cmphex(peer.dev_capab, ==, 0xff);
	g_assert_cmphex(peer.group_capab, ==, 0xab);
	g_assert_cmpuint(peer.wfd.device_info.type, ==, MC_WFD_DEV_SOURCE);
	g_assert_false(mc_wfd_device_info_is_offerable(&peer.wfd.device_info));

	/* no WFD IE, no name, the first word as the address */
	g_assert_true(mc_p2p_peer_from_event(legacy, &peer, NULL));
	g_assert_cmpstr(peer.address, ==, "02:aa:bb:cc:dd:ee");
	g_assert_cmpstr(peer.name, ==, "");
	g_assert_null(peer.pri_dev_type);
	g_assert_cmphex(peer.config_methods, ==, 0x8);
	g_assert_cmphex(peer.dev_capab, ==, 0);
	g_assert_false(peer.has_wfd);
	g_assert_false(peer.wfd.has_device_info);
	mc_p2p_peer_clear(&peer);
	g_assert_null(peer.name);
	g_assert_cmpint(peer.level, ==, G_MININT);
}

static void test_peer_event_malformed(void)
{
	static const struct {
		const char *line, *message;
	} bad[] = {
		{ "<3>P2P-DEVICE-FOUND name='x'", "P2P-DEVICE-FOUND: no peer address" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01",
		  "address \"42:00:00:00:01\": a MAC address" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 p2p_dev_addr=42:00:00:00:01:00x",
		  "p2p_dev_addr \"42:00:00:00:01:00x\"" },
		{ SINK_FOUND " config_methods=0x0", NULL },	/* repeated: first wins */
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 config_methods=188",
		  "config_methods \"188\": \"0x\" and 1 to 4 hex digits expected" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 config_methods=0x",
		  "config_methods \"0x\"" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 config_methods=0x10000",
		  "config_methods \"0x10000\"" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 config_methods=0x18g",
		  "config_methods \"0x18g\"" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 config_methods=",
		  "config_methods \"\"" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 dev_capab=0x100",
		  "dev_capab \"0x100\": \"0x\" and 1 to 2 hex digits expected" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 group_capab=-0x1", "group_capab" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 pri_dev_type=7-0050F204",
		  "pri_dev_type \"7-0050F204\": category-OUI-subcategory expected" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 pri_dev_type=65536-0050F204-1",
		  "pri_dev_type" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 pri_dev_type=7-0050F2041-1",
		  "pri_dev_type" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 pri_dev_type=7-0050F204-1-",
		  "pri_dev_type" },
		{ "<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 wfd_dev_info=0x0011",
		  "wfd_dev_info \"0x0011\": 12 hex digits expected" },
	};
	g_autoptr(McWpaEvent) keep = parse_event(SINK_FOUND);

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(McWpaEvent) ev = parse_event(bad[i].line);
		g_autoptr(GError) error = NULL;
		McP2pPeer peer = { 0 };

		g_assert_true(mc_p2p_peer_from_event(keep, &peer, NULL));
		if (!bad[i].message) {
			g_assert_true(mc_p2p_peer_from_event(ev, &peer, NULL));
			g_assert_cmphex(peer.config_methods, ==, 0x188);
		} else {
			/* an error leaves peer as it was */
			g_assert_false(mc_p2p_peer_from_event(ev, &peer, &error));
			assert_invalid(error, bad[i].message);
			g_assert_cmpstr(peer.name, ==, "lab-wfd-sink");
		}
		mc_p2p_peer_clear(&peer);
	}
}

static void test_peer_from_reply(void)
{
	static const char reply[] = SINK_PEER_REPLY;
	static const char crowded[] =
		"42:00:00:00:02:00\n"
		"pri_dev_type=10-0050F204-5\n"
		"device_name=[Phone] Bob's = \xc3\xa9\xfe\n"
		"config_methods=0x188\n"
		"dev_capab=0x25\n"
		"group_capab=0x0\n"
		"level=-100\n"
		"\n"
		"device_name=second\n"
		"wfd_subelems=0b00020001" "00000600131c440032" "0700020001" "0a0006460000000200";
	McP2pPeer peer = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert_true(mc_p2p_peer_from_reply(reply, sizeof(reply) - 1, &peer, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(peer.address, ==, "42:00:00:00:01:00");
	g_assert_cmpstr(peer.name, ==, "lab-wfd-sink");
	g_assert_cmpstr(peer.pri_dev_type, ==, "7-0050F204-1");
	g_assert_cmphex(peer.config_methods, ==, 0x188);
	g_assert_cmphex(peer.dev_capab, ==, 0x25);
	g_assert_cmphex(peer.group_capab, ==, 0);
	g_assert_cmpint(peer.level, ==, -30);
	g_assert_true(peer.has_wfd);
	g_assert_true(peer.wfd.has_device_info);
	g_assert_cmphex(mc_wfd_device_info_bits(&peer.wfd.device_info), ==, 0x0011);
	g_assert_true(mc_wfd_device_info_is_offerable(&peer.wfd.device_info));

	/* replaces: no trailing newline, invalid UTF-8, more subelements */
	g_assert_true(mc_p2p_peer_from_reply(crowded, sizeof(crowded) - 1, &peer, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(peer.address, ==, "42:00:00:00:02:00");
	g_assert_cmpstr(peer.name, ==, "[Phone] Bob's = \xc3\xa9\xef\xbf\xbd");
	g_assert_cmpstr(peer.pri_dev_type, ==, "10-0050F204-5");
	g_assert_cmpint(peer.level, ==, -100);
	g_assert_cmpuint(peer.wfd.device_info.type, ==, MC_WFD_DEV_DUAL_ROLE);
	g_assert_true(peer.wfd.has_r2 && peer.wfd.has_ext_capability && peer.wfd.has_alt_mac);

	/* a peer without a WFD IE, level unknown */
	g_assert_true(mc_p2p_peer_from_reply("02:00:00:00:00:01\ndevice_name=old\n", 34, &peer,
					     NULL));
	g_assert_cmpstr(peer.name, ==, "old");
	g_assert_false(peer.has_wfd);
	g_assert_null(peer.pri_dev_type);
	g_assert_cmpint(peer.level, ==, G_MININT);
	mc_p2p_peer_clear(&peer);
}

static void test_peer_reply_malformed(void)
{
	static const BadText bad[] = {
		{ "", 0, "P2P_PEER reply: no peer address" },
		{ "\ndevice_name=x\n", 0, "no peer address" },
		{ "FAIL\n", 0, "address \"FAIL\": a MAC address expected" },
		{ "42:00:00:00:01:00 \n", 0, "address \"42:00:00:00:01:00 \"" },
		{ "42:00:00:00:01:00\nconfig_methods=0x188\0\n", 39, "NUL byte at offset 38" },
		{ "42:00:00:00:01:00\nconfig_methods=392\n", 0, "config_methods \"392\"" },
		{ "42:00:00:00:01:00\nconfig_methods=0x188 \n", 0, "config_methods \"0x188 \"" },
		{ "42:00:00:00:01:00\ndev_capab=0x255\n", 0, "dev_capab \"0x255\"" },
		{ "42:00:00:00:01:00\nlevel=-129\n", 0, "level \"-129\": dBm" },
		{ "42:00:00:00:01:00\nlevel=30dBm\n", 0, "level \"30dBm\"" },
		{ "42:00:00:00:01:00\nlevel=\n", 0, "level \"\"" },
		{ "42:00:00:00:01:00\nwfd_subelems=000600111c440032\n", 0,
		  "wfd_subelems: subelement 0 (Device Information) at offset 0 "
		  "\"000600111c440032\": length 1536, only 5 bytes follow" },
		{ "42:00:00:00:01:00\nwfd_subelems=00000600111c44003\n", 0,
		  "wfd_subelems \"00000600111c44003\": an odd number" },
		{ "42:00:00:00:01:00\nwfd_subelems=\n", 0, "no Device Information" },
		{ "42:00:00:00:01:00\ndevice name=x\n", 0,
		  "P2P_PEER reply line \"device name=x\"" },
		{ "42:00:00:00:01:00\n=x\n", 0, "key=value expected" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		McP2pPeer peer = { 0 };

		g_assert_true(mc_p2p_peer_from_reply(SINK_PEER_REPLY, strlen(SINK_PEER_REPLY),
						     &peer, NULL));
		g_assert_false(mc_p2p_peer_from_reply(bad[i].text, text_size(&bad[i]), &peer,
						      &error));
		assert_invalid(error, bad[i].message);
		g_assert_cmpstr(peer.address, ==, "42:00:00:00:01:00");
		g_assert_cmpint(peer.level, ==, -30);
		mc_p2p_peer_clear(&peer);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/p2p/device-info/bits", test_bits);
	g_test_add_func("/p2p/device-info/examples", test_examples);
	g_test_add_func("/p2p/device-info/offerable", test_offerable);
	g_test_add_func("/p2p/hex/malformed", test_hex_malformed);
	g_test_add_func("/p2p/subelems/valid", test_subelems);
	g_test_add_func("/p2p/subelems/session-info", test_session_info);
	g_test_add_func("/p2p/subelems/malformed", test_subelems_malformed);
	g_test_add_func("/p2p/event/device-found", test_event);
	g_test_add_func("/p2p/event/group-started", test_event_group_started);
	g_test_add_func("/p2p/event/quotes", test_event_quotes);
	g_test_add_func("/p2p/event/forms", test_event_forms);
	g_test_add_func("/p2p/event/malformed", test_event_malformed);
	g_test_add_func("/p2p/peer/address", test_address);
	g_test_add_func("/p2p/peer/event", test_peer_from_event);
	g_test_add_func("/p2p/peer/event-malformed", test_peer_event_malformed);
	g_test_add_func("/p2p/peer/reply", test_peer_from_reply);
	g_test_add_func("/p2p/peer/reply-malformed", test_peer_reply_malformed);
	return g_test_run();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of what wpa_supplicant sends (mc-p2p.h): the input is
 * an event line, a P2P_PEER reply, or WFD subelements, as bytes or hex.
 *
 *   - an event that parses has a valid name, level and words, keys of
 *     word characters each found again by mc_wpa_event_get(); the same
 *     line with a newline appended parses to the same event;
 *   - a peer, from that event or from the bytes as a reply, has a
 *     lower-case 17-character address that parses to itself, a UTF-8
 *     name, a level in range, and Device Information that round-trips;
 *   - Device Information, however it was read, gives the same bitmap
 *     back through set_bits()/bits(), its subelement, and wfd_dev_info;
 *   - subelements parse the same from their bytes and from their hex.
 *
 * Any broken promise aborts. Memory is freed on every path (LeakSanitizer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc-p2p.h"

#include "fuzz-check.h"

static gboolean same_device_info(const McWfdDeviceInfo *a, const McWfdDeviceInfo *b)
{
	return mc_wfd_device_info_bits(a) == mc_wfd_device_info_bits(b) && a->port == b->port &&
	       a->max_throughput == b->max_throughput;
}

static void check_device_info(const McWfdDeviceInfo *info)
{
	guint16 bits = mc_wfd_device_info_bits(info);
	g_autofree char *sub = mc_wfd_device_info_to_subelem(info);
	g_autofree char *with_id = g_strconcat("00", sub, NULL);
	g_autofree char *value = g_strconcat("0x", sub + 4, NULL);
	McWfdDeviceInfo again;
	McWfdSubelems s;

	mc_wfd_device_info_set_bits(&again, bits, info->port, info->max_throughput);
	CHECK(same_device_info(&again, info));
	CHECK(again.type == info->type && again.availability == info->availability &&
	      again.content_protection == info->content_protection &&
	      again.reserved == info->reserved);
	CHECK(info->type <= MC_WFD_DEV_DUAL_ROLE && info->availability <= 3);
	CHECK(!(info->reserved & 0x3fff));
	CHECK(mc_wfd_device_info_is_offerable(info) ==
	      ((info->type == MC_WFD_DEV_PRIMARY_SINK || info->type == MC_WFD_DEV_DUAL_ROLE) &&
	       info->availability == MC_WFD_AVAILABLE));
	CHECK(strcmp(mc_wfd_device_type_name(info->type), "unknown"));

	CHECK(strlen(sub) == 16 && g_str_has_prefix(sub, "0006"));
	CHECK(mc_wfd_subelems_parse_hex(with_id, &s, NULL));
	CHECK(s.has_device_info && same_device_info(&s.device_info, info));
	CHECK(!s.has_bssid && !s.n_unknown && !s.n_session_devices);
	CHECK(mc_wfd_device_info_parse(value, &again, NULL));
	CHECK(same_device_info(&again, info));
}

static void check_peer(const McP2pPeer *peer)
{
	char again[18];

	CHECK(strlen(peer->address) == 17);
	for (guint i = 0; i < 17; i++)
		CHECK(!g_ascii_isupper(peer->address[i]));
	CHECK(mc_p2p_parse_address(peer->address, again) && !strcmp(again, peer->address));
	CHECK(peer->name && g_utf8_validate(peer->name, -1, NULL));
	CHECK(peer->level == G_MININT || (peer->level >= -128 && peer->level <= 127));
	CHECK(!peer->has_wfd || peer->wfd.has_device_info);
	if (peer->has_wfd)
		check_device_info(&peer->wfd.device_info);
}

static gboolean word_chars(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_')
			return FALSE;
	return TRUE;
}

static void check_event(const McWpaEvent *ev)
{
	GHashTableIter iter;
	gpointer key, value;

	CHECK(ev->name && *ev->name);
	for (const char *c = ev->name; *c; c++)
		CHECK(g_ascii_isupper(*c) || g_ascii_isdigit(*c) || *c == '-');
	CHECK(ev->level >= -1 && ev->level <= 9);
	CHECK(!ev->ifname || (*ev->ifname && !strchr(ev->ifname, ' ')));
	for (guint i = 0; i < ev->words->len; i++) {
		const char *w = mc_wpa_event_word(ev, i);

		CHECK(w && *w && !strchr(w, ' '));
	}
	CHECK(!mc_wpa_event_word(ev, ev->words->len));
	g_hash_table_iter_init(&iter, ev->values);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		CHECK(*(char *)key && word_chars(key));
		CHECK(mc_wpa_event_get(ev, key) == value);
	}
}

static gboolean same_event(const McWpaEvent *a, const McWpaEvent *b)
{
	GHashTableIter iter;
	gpointer key, value;

	if (g_strcmp0(a->ifname, b->ifname) || a->level != b->level || strcmp(a->name, b->name) ||
	    a->words->len != b->words->len ||
	    g_hash_table_size(a->values) != g_hash_table_size(b->values))
		return FALSE;
	for (guint i = 0; i < a->words->len; i++)
		if (strcmp(mc_wpa_event_word(a, i), mc_wpa_event_word(b, i)))
			return FALSE;
	g_hash_table_iter_init(&iter, a->values);
	while (g_hash_table_iter_next(&iter, &key, &value))
		if (g_strcmp0(value, mc_wpa_event_get(b, key)))
			return FALSE;
	return TRUE;
}

static void fuzz_event(const char *line, size_t size)
{
	g_autoptr(McWpaEvent) ev = mc_wpa_event_parse(line, size, NULL);
	McP2pPeer peer = { 0 };

	if (!size || line[size - 1] != '\n') {
		g_autofree char *nl = g_malloc(size + 1);
		g_autoptr(McWpaEvent) again = NULL;

		memcpy(nl, line, size);
		nl[size] = '\n';
		again = mc_wpa_event_parse(nl, size + 1, NULL);
		CHECK(!ev == !again);
		CHECK(!ev || same_event(ev, again));
	}
	if (!ev)
		return;
	check_event(ev);
	if (mc_p2p_peer_from_event(ev, &peer, NULL))
		check_peer(&peer);
	mc_p2p_peer_clear(&peer);
}

static void fuzz_subelems(const uint8_t *data, size_t size)
{
	GString *hex = g_string_sized_new(2 * size + 1);
	McWfdSubelems s, again;
	gboolean ok;

	/* compared whole: padding included */
	memset(&s, 0, sizeof(s));
	memset(&again, 0, sizeof(again));
	ok = mc_wfd_subelems_parse(data, size, &s, NULL);
	for (size_t i = 0; i < size; i++)
		g_string_append_printf(hex, i % 2 ? "%02X" : "%02x", data[i]);
	CHECK(ok == mc_wfd_subelems_parse_hex(hex->str, &again, NULL));
	g_string_free(hex, TRUE);
	if (!ok)
		return;
	CHECK(s.has_device_info);
	CHECK(!memcmp(&s, &again, sizeof(s)));
	CHECK(9 * !!s.has_device_info + 24 * s.n_session_devices + 3 * s.n_unknown <= size);
	check_device_info(&s.device_info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	g_autofree char *string = g_strndup(text, size);
	McP2pPeer peer = { 0 };
	McWfdDeviceInfo info;
	McWfdSubelems s;

	fuzz_event(text, size);

	if (mc_p2p_peer_from_reply(text, size, &peer, NULL))
		check_peer(&peer);
	mc_p2p_peer_clear(&peer);

	fuzz_subelems(data, size);
	if (mc_wfd_subelems_parse_hex(string, &s, NULL))
		check_device_info(&s.device_info);

	if (mc_wfd_device_info_parse(string, &info, NULL)) {
		g_autofree char *sub = mc_wfd_device_info_to_subelem(&info);
		g_autofree char *lower = g_ascii_strdown(string, -1);

		CHECK(strlen(string) == 14 && !strcmp(lower + 2, sub + 4));
		check_device_info(&info);
	}
	return 0;
}

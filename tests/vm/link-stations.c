// SPDX-License-Identifier: GPL-2.0-only
/*
 * The link calls (mc-link.h) against a real interface, for the lab:
 *   link-stations IFACE [SECONDS]    its stations' figures (once a second
 *                                    for SECONDS, with what the bitrate
 *                                    policy makes of them from 8000 kbit/s)
 *   link-stations --add IFACE ADDRESS PREFIX
 *   link-stations --flush IFACE
 * Exit status 1 with the error on stderr when a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc-link.h"

static void print_station(const McLinkStation *st)
{
	printf("station %s tx_bitrate %u%s rx_bitrate %u expected %u%s tx_packets %u "
	       "tx_retries %u%s tx_failed %u%s tx_bytes %" G_GUINT64_FORMAT, st->address,
	       st->tx_bitrate_kbps, st->has_tx_bitrate ? "" : "(none)", st->rx_bitrate_kbps,
	       st->expected_throughput_kbps, st->has_expected ? "" : "(none)", st->tx_packets,
	       st->tx_retries, st->has_retries ? "" : "(none)", st->tx_failed,
	       st->has_failed ? "" : "(none)", st->tx_bytes);
	if (st->signal_dbm != G_MININT)
		printf(" signal %d", st->signal_dbm);
	else
		printf(" signal (none)");
	printf(" inactive_ms %u\n", st->inactive_ms);
}

static int stations(const char *ifname, guint seconds)
{
	McLinkRate rate;

	mc_link_rate_init(&rate, 8000);
	for (guint i = 0; i <= seconds; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GArray) list = mc_link_get_stations(ifname, &error);

		if (!list) {
			fprintf(stderr, "link-stations: %s\n", error->message);
			return 1;
		}
		printf("%s: %u station(s)\n", ifname, list->len);
		for (guint j = 0; j < list->len; j++)
			print_station(&g_array_index(list, McLinkStation, j));
		if (list->len) {
			const McLinkStation *first = &g_array_index(list, McLinkStation, 0);
			gboolean changed = mc_link_rate_update(&rate, first);

			printf("rate %u kbit/s%s link %u retry_ratio %.3f failed %u calm %u\n",
			       rate.kbps, changed ? " (changed)" : "", rate.link_kbps,
			       rate.retry_ratio, rate.failed, rate.calm);
		}
		fflush(stdout);
		if (i < seconds)
			g_usleep(G_USEC_PER_SEC);
	}
	return 0;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	gboolean ok;

	if (argc == 5 && !strcmp(argv[1], "--add")) {
		ok = mc_link_add_address(argv[2], argv[3], (guint)atoi(argv[4]), &error);
	} else if (argc == 3 && !strcmp(argv[1], "--flush")) {
		ok = mc_link_flush_addresses(argv[2], &error);
	} else if ((argc == 2 || argc == 3) && argv[1][0] != '-') {
		return stations(argv[1], argc == 3 ? (guint)atoi(argv[2]) : 0);
	} else {
		fprintf(stderr, "usage: link-stations IFACE [SECONDS] | --add IFACE ADDRESS PREFIX"
			" | --flush IFACE\n");
		return 2;
	}
	if (!ok)
		fprintf(stderr, "link-stations: %s\n", error->message);
	return ok ? 0 : 1;
}

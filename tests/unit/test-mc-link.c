// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the Wi-Fi link (mc-link.h): the bitrate policy, fed
 * made-up seconds of station figures; the nl80211 station query's errors;
 * the IPv4 address calls on the loopback of a network namespace of their
 * own (when the tests may make one).
 */
#include <ifaddrs.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "mc-link.h"

/* A station sending at tx_mbps that has sent packets so far, retries and failed of them. */
static McLinkStation station(guint tx_mbps, guint32 packets, guint32 retries, guint32 failed)
{
	McLinkStation st = {
		.address = "02:00:00:00:01:00",
		.tx_bitrate_kbps = tx_mbps * 1000,
		.has_tx_bitrate = tx_mbps > 0,
		.tx_packets = packets,
		.tx_retries = retries,
		.tx_failed = failed,
		.has_retries = TRUE,
		.has_failed = TRUE,
		.signal_dbm = -40,
	};

	return st;
}

/*
 * Feeds seconds of 1000 clean packets each from packets onwards; the
 * figures of the last one in *st. Returns how many changed the rate.
 */
static guint calm_seconds(McLinkRate *rate, McLinkStation *st, guint seconds)
{
	guint changes = 0;

	for (guint i = 0; i < seconds; i++) {
		st->tx_packets += 1000;
		st->tx_retries += 10;
		changes += mc_link_rate_update(rate, st);
	}
	return changes;
}

/* A second of 1000 packets, failed of them lost: TRUE when it changed the rate. */
static gboolean lossy_second(McLinkRate *rate, McLinkStation *st, guint32 failed)
{
	st->tx_packets += 1000;
	st->tx_failed += failed;
	return mc_link_rate_update(rate, st);
}

/* 8000 kbit/s over a fast link, backed off to 6000 by a lost packet. */
static void backed_off(McLinkRate *rate, McLinkStation *st)
{
	*st = station(144, 1000, 0, 0);
	mc_link_rate_init(rate, 8000);
	g_assert_false(mc_link_rate_update(rate, st));
	g_assert_true(lossy_second(rate, st, 1));
	g_assert_cmpuint(rate->kbps, ==, 6000);
}

static void test_start(void)
{
	McLinkRate rate;
	McLinkStation st = station(144, 100, 0, 0);

	mc_link_rate_init(&rate, 8000);
	g_assert_cmpuint(rate.kbps, ==, 8000);
	g_assert_cmpuint(rate.max_kbps, ==, 8000);
	/* 144 Mbit/s allows 72: the configured bitrate stands */
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 8000);
	g_assert_cmpuint(rate.link_kbps, ==, 72000);

	/* a 6.5 Mbit/s link allows 3250 kbit/s once it carries traffic */
	mc_link_rate_init(&rate, 8000);
	st = station(0, 100, 0, 0);
	st.tx_bitrate_kbps = 6500;
	st.has_tx_bitrate = TRUE;
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.link_kbps, ==, 3250);
	g_assert_true(lossy_second(&rate, &st, 0));
	g_assert_true(rate.link_busy);
	g_assert_cmpuint(rate.kbps, ==, 3250);
	/* and it stays capped however calm the seconds, while the level climbs back */
	g_assert_cmpuint(calm_seconds(&rate, &st, 3 * MC_LINK_CALM_S), ==, 0);
	g_assert_cmpuint(rate.kbps, ==, 3250);
	g_assert_cmpuint(rate.level, ==, 8000);
	/* a slower link lowers it at once */
	st.tx_bitrate_kbps = 2000;
	g_assert_true(lossy_second(&rate, &st, 0));
	g_assert_cmpuint(rate.kbps, ==, 1000);
	/* an idle second (its rate is the management frames'): the level, uncapped */
	st.tx_packets += MC_LINK_BUSY_PACKETS - 1;
	g_assert_true(mc_link_rate_update(&rate, &st));
	g_assert_false(rate.link_busy);
	g_assert_cmpuint(rate.kbps, ==, 8000);
	/* trouble under a cap backs off from what was sent, not from the level */
	g_assert_true(lossy_second(&rate, &st, 0));
	g_assert_cmpuint(rate.kbps, ==, 1000);
	g_assert_true(lossy_second(&rate, &st, 2));
	g_assert_cmpuint(rate.level, ==, 750);
	g_assert_cmpuint(rate.kbps, ==, 750);
}

static void test_backoff_failures(void)
{
	McLinkRate rate;
	McLinkStation st;

	/* one lost packet in a second: a quarter off */
	backed_off(&rate, &st);
	g_assert_cmpuint(rate.failed, ==, 1);
	g_assert_cmpuint(rate.calm, ==, 0);
	/* again */
	g_assert_true(lossy_second(&rate, &st, 5));
	g_assert_cmpuint(rate.kbps, ==, 4500);
	g_assert_cmpuint(rate.failed, ==, 5);
	/* the failures of the past do not count again */
	g_assert_false(lossy_second(&rate, &st, 0));
	g_assert_cmpuint(rate.kbps, ==, 4500);
	g_assert_cmpuint(rate.failed, ==, 0);
}

static void test_backoff_retries(void)
{
	McLinkRate rate;
	McLinkStation st = station(144, 1000, 50, 0);

	mc_link_rate_init(&rate, 8000);
	mc_link_rate_update(&rate, &st);
	/* a fifth of the packets retried is still fine */
	st.tx_packets += 1000;
	st.tx_retries += 200;
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpfloat_with_epsilon(rate.retry_ratio, 0.2, 1e-9);
	g_assert_cmpuint(rate.calm, ==, 1);
	/* more is not */
	st.tx_packets += 1000;
	st.tx_retries += 201;
	g_assert_true(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 6000);
	g_assert_cmpfloat_with_epsilon(rate.retry_ratio, 0.201, 1e-9);
	g_assert_cmpuint(rate.calm, ==, 0);
	/* retries when nothing went out: trouble too */
	st.tx_retries += 3;
	g_assert_true(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 4500);
}

static void test_climb(void)
{
	McLinkRate rate;
	McLinkStation st;

	backed_off(&rate, &st);

	/* calm seconds short of MC_LINK_CALM_S change nothing */
	g_assert_cmpuint(calm_seconds(&rate, &st, MC_LINK_CALM_S - 1), ==, 0);
	g_assert_cmpuint(rate.kbps, ==, 6000);
	g_assert_cmpuint(rate.calm, ==, MC_LINK_CALM_S - 1);
	/* a troubled one starts the count again */
	g_assert_true(lossy_second(&rate, &st, 1));
	g_assert_cmpuint(rate.kbps, ==, 4500);
	g_assert_cmpuint(calm_seconds(&rate, &st, MC_LINK_CALM_S - 1), ==, 0);
	g_assert_cmpuint(rate.kbps, ==, 4500);
	/* the MC_LINK_CALM_S-th calm second climbs a tenth */
	g_assert_cmpuint(calm_seconds(&rate, &st, 1), ==, 1);
	g_assert_cmpuint(rate.kbps, ==, 4950);
	g_assert_cmpuint(rate.calm, ==, 0);
	/* and the next climb takes as many calm seconds again */
	g_assert_cmpuint(calm_seconds(&rate, &st, MC_LINK_CALM_S - 1), ==, 0);
	g_assert_cmpuint(calm_seconds(&rate, &st, 1), ==, 1);
	g_assert_cmpuint(rate.kbps, ==, 5445);
}

static void test_ceiling(void)
{
	McLinkRate rate;
	McLinkStation st;

	backed_off(&rate, &st);
	/* 6000, 6600, 7260, 7986, then 8000, never above */
	calm_seconds(&rate, &st, 4 * MC_LINK_CALM_S);
	g_assert_cmpuint(rate.kbps, ==, 8000);
	g_assert_cmpuint(calm_seconds(&rate, &st, 5 * MC_LINK_CALM_S), ==, 0);
	g_assert_cmpuint(rate.kbps, ==, 8000);
}

static void test_floor(void)
{
	McLinkRate rate;
	McLinkStation st = station(144, 1000, 0, 0);

	mc_link_rate_init(&rate, 8000);
	mc_link_rate_update(&rate, &st);
	/* every second loses packets: down to MC_LINK_MIN_KBPS, not below */
	for (guint i = 0; i < 30; i++)
		lossy_second(&rate, &st, 10);
	g_assert_cmpuint(rate.kbps, ==, MC_LINK_MIN_KBPS);

	/* nor below it when the link allows less */
	mc_link_rate_init(&rate, 8000);
	st = station(0, 1000, 0, 0);
	st.tx_bitrate_kbps = 600;
	st.has_tx_bitrate = TRUE;
	mc_link_rate_update(&rate, &st);
	lossy_second(&rate, &st, 0);
	g_assert_cmpuint(rate.link_kbps, ==, 300);
	g_assert_cmpuint(rate.kbps, ==, MC_LINK_MIN_KBPS);

	/* a configured bitrate under the floor stays the ceiling */
	mc_link_rate_init(&rate, 300);
	st = station(144, 1000, 0, 0);
	mc_link_rate_update(&rate, &st);
	g_assert_false(lossy_second(&rate, &st, 1));
	g_assert_cmpuint(rate.kbps, ==, 300);
}

static void test_counter_reset(void)
{
	McLinkRate rate;
	McLinkStation st = station(144, 500000, 90000, 700);

	mc_link_rate_init(&rate, 8000);
	mc_link_rate_update(&rate, &st);
	calm_seconds(&rate, &st, 2);
	g_assert_cmpuint(rate.calm, ==, 2);
	/* a new association: the counters start again; no trouble read into it */
	st = station(144, 300, 120, 3);
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 8000);
	g_assert_cmpuint(rate.failed, ==, 0);
	g_assert_cmpfloat(rate.retry_ratio, ==, 0);
	/* and the next second is judged from there */
	g_assert_true(lossy_second(&rate, &st, 1));
	g_assert_cmpuint(rate.kbps, ==, 6000);

	/* a wrapped failure counter alone */
	st.tx_packets += 1000;
	st.tx_failed = 0;
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 6000);
	g_assert_cmpuint(rate.failed, ==, 0);

	/* a wrapped packet counter with retries going on */
	st.tx_packets = G_MAXUINT32 - 100;
	mc_link_rate_update(&rate, &st);
	st.tx_packets = 900;
	st.tx_retries += 100;
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 6000);
}

static void test_no_tx_bitrate(void)
{
	McLinkRate rate;
	McLinkStation st = station(0, 1000, 0, 0);

	/* no rate and no estimate: no cap */
	mc_link_rate_init(&rate, 20000);
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 20000);
	g_assert_cmpuint(rate.link_kbps, ==, 0);
	/* a station without retry or failure figures is never in trouble */
	st.has_retries = st.has_failed = FALSE;
	st.tx_retries = 5000;
	st.tx_failed = 5000;
	g_assert_false(mc_link_rate_update(&rate, &st));
	st.tx_packets += 10;
	st.tx_retries += 5000;
	st.tx_failed += 5000;
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_cmpuint(rate.kbps, ==, 20000);
}

static void test_expected_throughput(void)
{
	McLinkRate rate;
	McLinkStation st = station(0, 1000, 0, 0);

	/* without a tx bitrate the rate control's estimate caps it */
	st.expected_throughput_kbps = 12000;
	st.has_expected = TRUE;
	mc_link_rate_init(&rate, 8000);
	g_assert_false(mc_link_rate_update(&rate, &st));
	g_assert_true(lossy_second(&rate, &st, 0));
	g_assert_cmpuint(rate.link_kbps, ==, 6000);
	g_assert_cmpuint(rate.kbps, ==, 6000);

	/* a tx bitrate, when there is one, wins */
	st.tx_bitrate_kbps = 26000;
	st.has_tx_bitrate = TRUE;
	g_assert_true(lossy_second(&rate, &st, 0));
	g_assert_cmpuint(rate.link_kbps, ==, 13000);
	g_assert_cmpuint(rate.kbps, ==, 8000);
}

static void test_stations_no_interface(void)
{
	g_autoptr(GError) error = NULL;
	GArray *stations = mc_link_get_stations("mcnosuch0", &error);

	g_assert_null(stations);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "mcnosuch0"));

	g_clear_error(&error);
	g_assert_false(mc_link_add_address("mcnosuch0", "192.168.49.1", 24, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "mcnosuch0"));
	g_clear_error(&error);
	g_assert_false(mc_link_flush_addresses("mcnosuch0", &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "mcnosuch0"));
}

static void test_stations_not_wireless(void)
{
	g_autoptr(GError) error = NULL;
	GArray *stations = mc_link_get_stations("lo", &error);

	/* nl80211 knows no "lo" (or there is no nl80211 at all) */
	g_assert_null(stations);
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "lo: "));
	g_test_message("%s", error->message);
}

static int by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* The IPv4 addresses on ifname, "a.b.c.d/n" sorted, space-separated. */
static char *addresses(const char *ifname)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
	struct ifaddrs *ifas, *ifa;

	g_assert_cmpint(getifaddrs(&ifas), ==, 0);
	for (ifa = ifas; ifa; ifa = ifa->ifa_next) {
		char addr[INET_ADDRSTRLEN];
		guint32 mask;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET ||
		    strcmp(ifa->ifa_name, ifname))
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, addr,
			  sizeof(addr));
		mask = ntohl(((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr.s_addr);
		g_ptr_array_add(list, g_strdup_printf("%s/%d", addr,
						      mask ? 32 - __builtin_ctz(mask) : 0));
	}
	freeifaddrs(ifas);
	g_ptr_array_sort(list, by_string);
	g_ptr_array_add(list, NULL);
	return g_strjoinv(" ", (char **)list->pdata);
}

static gboolean may_unshare(void)
{
	g_autofree char *status = NULL;
	const char *cap;
	guint64 eff;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return FALSE;
	cap = strstr(status, "CapEff:");
	if (!cap || sscanf(cap, "CapEff: %" G_GINT64_MODIFIER "x", &eff) != 1)
		return FALSE;
	return (eff & (1ULL << CAP_SYS_ADMIN)) && (eff & (1ULL << CAP_NET_ADMIN));
}

/* Runs in a child: a network namespace of its own, its loopback down and bare. */
static void addresses_in_netns(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *list = NULL;

	g_assert_cmpint(unshare(CLONE_NEWNET), ==, 0);
	list = addresses("lo");
	g_assert_cmpstr(list, ==, "");
	g_clear_pointer(&list, g_free);

	g_assert_true(mc_link_add_address("lo", "192.168.49.1", 24, &error));
	g_assert_no_error(error);
	/* already there: fine */
	g_assert_true(mc_link_add_address("lo", "192.168.49.1", 24, &error));
	g_assert_no_error(error);
	g_assert_true(mc_link_add_address("lo", "192.168.49.7", 24, &error));
	g_assert_true(mc_link_add_address("lo", "10.1.2.3", 8, &error));
	g_assert_true(mc_link_add_address("lo", "172.16.0.1", 32, &error));
	g_assert_no_error(error);
	list = addresses("lo");
	g_assert_cmpstr(list, ==, "10.1.2.3/8 172.16.0.1/32 192.168.49.1/24 192.168.49.7/24");
	g_clear_pointer(&list, g_free);

	/* 192.168.49.7 is a secondary: it goes with its primary, which is fine */
	g_assert_true(mc_link_flush_addresses("lo", &error));
	g_assert_no_error(error);
	list = addresses("lo");
	g_assert_cmpstr(list, ==, "");
	g_clear_pointer(&list, g_free);
	/* nothing to take off */
	g_assert_true(mc_link_flush_addresses("lo", &error));
	g_assert_no_error(error);

	g_assert_false(mc_link_add_address("lo", "192.168.49.300", 24, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	g_assert_false(mc_link_add_address("lo", "192.168.49.1", 33, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void test_addresses(void)
{
	if (!may_unshare()) {
		g_test_skip("no network namespace of our own (CAP_SYS_ADMIN, CAP_NET_ADMIN)");
		return;
	}
	if (g_test_subprocess()) {
		addresses_in_netns();
		return;
	}
	g_test_trap_subprocess(NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/link/rate/start", test_start);
	g_test_add_func("/link/rate/backoff-failures", test_backoff_failures);
	g_test_add_func("/link/rate/backoff-retries", test_backoff_retries);
	g_test_add_func("/link/rate/climb", test_climb);
	g_test_add_func("/link/rate/ceiling", test_ceiling);
	g_test_add_func("/link/rate/floor", test_floor);
	g_test_add_func("/link/rate/counter-reset", test_counter_reset);
	g_test_add_func("/link/rate/no-tx-bitrate", test_no_tx_bitrate);
	g_test_add_func("/link/rate/expected-throughput", test_expected_throughput);
	g_test_add_func("/link/stations/no-interface", test_stations_no_interface);
	g_test_add_func("/link/stations/not-wireless", test_stations_not_wireless);
	g_test_add_func("/link/addresses", test_addresses);
	return g_test_run();
}

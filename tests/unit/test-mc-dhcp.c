// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the DHCP client's script side (mc-dhcp.h): what a program
 * run as udhcpc's or dhclient's script prints, from the environment each
 * gives it, and the prefix of a mask. (The client itself runs against a
 * real DHCP server in the lab: tests/vm/guest-wifi.sh.)
 */
#include <stdlib.h>

#include "mc-dhcp.h"

static void test_mask(void)
{
	g_assert_cmpuint(mc_dhcp_mask_prefix("255.255.255.0"), ==, 24);
	g_assert_cmpuint(mc_dhcp_mask_prefix("255.255.0.0"), ==, 16);
	g_assert_cmpuint(mc_dhcp_mask_prefix("255.255.255.255"), ==, 32);
	g_assert_cmpuint(mc_dhcp_mask_prefix("24"), ==, 24);
	g_assert_cmpuint(mc_dhcp_mask_prefix("99"), ==, 32);
	g_assert_cmpuint(mc_dhcp_mask_prefix(""), ==, 0);
	g_assert_cmpuint(mc_dhcp_mask_prefix(NULL), ==, 0);
	g_assert_cmpuint(mc_dhcp_mask_prefix("fe80::1"), ==, 0);
	g_assert_cmpuint(mc_dhcp_mask_prefix("mask"), ==, 0);
}

/* Runs mc_dhcp_script_main(argv) in a child with env (NAME=VALUE, ...) and returns its status. */
static void script(const char *const *env, const char *arg)
{
	char *argv[] = { "prog", (char *)arg, NULL };

	for (guint i = 0; env[i]; i++) {
		g_auto(GStrv) kv = g_strsplit(env[i], "=", 2);

		g_setenv(kv[0], kv[1], TRUE);
	}
	exit(mc_dhcp_script_main(arg ? 2 : 1, argv) ? 0 : 3);
}

static void test_not_script(void)
{
	if (g_test_subprocess()) {
		g_unsetenv("MC_DHCP_SCRIPT");
		script((const char *[]){ "ip=192.168.49.200", NULL }, "bound");
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();	/* 3: not run as a script */
	g_test_trap_assert_stdout("");
}

static void test_udhcpc_bound(void)
{
	if (g_test_subprocess())
		script((const char *[]){ "MC_DHCP_SCRIPT=1", "ip=192.168.49.200",
					 "subnet=255.255.255.0", "router=192.168.49.1",
					 "serverid=192.168.49.1", NULL }, "bound");
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("mc-dhcp-lease 192.168.49.200 24 192.168.49.1 192.168.49.1\n");
}

static void test_udhcpc_other(void)
{
	/* deconfig, leasefail, nak: nothing to report */
	if (g_test_subprocess())
		script((const char *[]){ "MC_DHCP_SCRIPT=1", NULL }, "deconfig");
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("");
}

static void test_dhclient_bound(void)
{
	if (g_test_subprocess())
		script((const char *[]){ "MC_DHCP_SCRIPT=1", "reason=BOUND",
					 "new_ip_address=10.1.2.3", "new_subnet_mask=255.255.0.0",
					 "new_dhcp_server_identifier=10.1.0.1", NULL }, NULL);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("mc-dhcp-lease 10.1.2.3 16 - 10.1.0.1\n");
}

static void test_dhclient_preinit(void)
{
	if (g_test_subprocess())
		script((const char *[]){ "MC_DHCP_SCRIPT=1", "reason=PREINIT", NULL }, NULL);
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stdout("");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/mask", test_mask);
	g_test_add_func("/dhcp/not-script", test_not_script);
	g_test_add_func("/dhcp/udhcpc-bound", test_udhcpc_bound);
	g_test_add_func("/dhcp/udhcpc-other", test_udhcpc_other);
	g_test_add_func("/dhcp/dhclient-bound", test_dhclient_bound);
	g_test_add_func("/dhcp/dhclient-preinit", test_dhclient_preinit);
	return g_test_run();
}

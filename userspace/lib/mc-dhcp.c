// SPDX-License-Identifier: GPL-2.0-only
/*
 * A DHCP client on a P2P group interface (mc-dhcp.h): udhcpc or dhclient
 * with the calling program as its script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mc-dhcp.h"

#define SCRIPT_ENV	"MC_DHCP_SCRIPT"
#define LEASE_TAG	"mc-dhcp-lease"

struct _McDhcpClient {
	GSubprocess *process;
	GDataInputStream *out;
	GCancellable *cancel;
	McDhcpBound bound;
	gpointer data;
	char *ifname;
};

/* "255.255.255.0" or "24" -> 24; 0 if neither */
static guint prefix_of(const char *mask)
{
	GInetAddress *a;
	guint n = 0;

	if (!mask || !*mask)
		return 0;
	if (strspn(mask, "0123456789") == strlen(mask))
		return MIN((guint)g_ascii_strtoull(mask, NULL, 10), 32);
	a = g_inet_address_new_from_string(mask);
	if (!a || g_inet_address_get_family(a) != G_SOCKET_FAMILY_IPV4) {
		g_clear_object(&a);
		return 0;
	}
	for (guint i = 0; i < 4; i++)
		n += __builtin_popcount(g_inet_address_to_bytes(a)[i]);
	g_object_unref(a);
	return n;
}

guint mc_dhcp_mask_prefix(const char *mask)
{
	return prefix_of(mask);
}

/* The script's part: one line from udhcpc's or dhclient's environment. */
gboolean mc_dhcp_script_main(int argc, char **argv)
{
	const char *reason, *ip, *mask, *router, *server;

	if (!g_getenv(SCRIPT_ENV))
		return FALSE;
	reason = g_getenv("reason");		/* dhclient */
	if (reason) {
		if (strcmp(reason, "BOUND") && strcmp(reason, "RENEW") &&
		    strcmp(reason, "REBIND") && strcmp(reason, "REBOOT"))
			return TRUE;
		ip = g_getenv("new_ip_address");
		mask = g_getenv("new_subnet_mask");
		router = g_getenv("new_routers");
		server = g_getenv("new_dhcp_server_identifier");
	} else {				/* udhcpc: "bound", "renew" */
		if (argc < 2 || (strcmp(argv[1], "bound") && strcmp(argv[1], "renew")))
			return TRUE;
		ip = g_getenv("ip");
		mask = g_getenv("subnet") ? g_getenv("subnet") : g_getenv("mask");
		router = g_getenv("router");
		server = g_getenv("serverid");
	}
	if (ip)
		printf(LEASE_TAG " %s %u %s %s\n", ip, prefix_of(mask),
		       router && *router ? router : "-", server && *server ? server : "-");
	fflush(stdout);
	return TRUE;
}

static void read_line(McDhcpClient *c);

static void on_line(GObject *stream, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(stream),
								     res, NULL, &error);
	McDhcpClient *c = data;
	g_auto(GStrv) w = NULL;
	char *router;

	if (!line)	/* cancelled (c is gone), or the client ended */
		return;
	w = g_strsplit(line, " ", 0);
	if (g_strv_length(w) == 5 && !strcmp(w[0], LEASE_TAG) &&
	    g_hostname_is_ip_address(w[1])) {
		router = strcmp(w[3], "-") ? w[3] : strcmp(w[4], "-") ? w[4] : NULL;
		c->bound(w[1], (guint)g_ascii_strtoull(w[2], NULL, 10), router, c->data);
	}
	read_line(c);
}

static void read_line(McDhcpClient *c)
{
	g_data_input_stream_read_line_async(c->out, G_PRIORITY_DEFAULT, c->cancel, on_line, c);
}

McDhcpClient *mc_dhcp_client_start(const char *ifname, McDhcpBound bound, gpointer data,
			      GError **error)
{
	g_autoptr(GSubprocessLauncher) launcher =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					  G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_autofree char *self = g_file_read_link("/proc/self/exe", error);
	g_autofree char *udhcpc = g_find_program_in_path("udhcpc");
	g_autofree char *busybox = g_find_program_in_path("busybox");
	g_autofree char *dhclient = g_find_program_in_path("dhclient");
	g_autofree char *leases = NULL, *pid = NULL;
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) argv = NULL;
	McDhcpClient *c;
	GSubprocess *p;

	if (!self)
		return NULL;
	g_subprocess_launcher_setenv(launcher, SCRIPT_ENV, "1", TRUE);
	if (udhcpc || busybox) {
		/* foreground, renewing; tries every second for 10 s */
		if (!udhcpc)
			g_strv_builder_add(b, busybox);
		g_strv_builder_add_many(b, udhcpc ? udhcpc : "udhcpc", "-f", "-t", "10", "-T", "1",
					"-i", ifname, "-s", self, NULL);
	} else if (dhclient) {
		leases = g_strdup_printf("%s/mc-dhcp-%s-%d.leases", g_get_tmp_dir(), ifname,
					 (int)getpid());
		pid = g_strdup_printf("%s/mc-dhcp-%s-%d.pid", g_get_tmp_dir(), ifname, (int)getpid());
		g_strv_builder_add_many(b, dhclient, "-4", "-d", "-sf", self, "-lf", leases, "-pf",
					pid, ifname, NULL);
	} else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no DHCP client (udhcpc, busybox or dhclient) to ask the group owner "
			    "for an address");
		return NULL;
	}
	argv = g_strv_builder_end(b);
	p = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, error);
	if (!p)
		return NULL;
	c = g_new0(McDhcpClient, 1);
	c->process = p;
	c->out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p));
	c->cancel = g_cancellable_new();
	c->bound = bound;
	c->data = data;
	c->ifname = g_strdup(ifname);
	read_line(c);
	return c;
}

void mc_dhcp_client_stop(McDhcpClient *c)
{
	if (!c)
		return;
	g_cancellable_cancel(c->cancel);
	g_subprocess_send_signal(c->process, SIGTERM);
	g_object_unref(c->process);
	g_object_unref(c->out);
	g_object_unref(c->cancel);
	g_free(c->ifname);
	g_free(c);
}

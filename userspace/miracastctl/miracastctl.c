// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracastctl: command-line control and status of miracast displays.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mc-device.h"

#define EXIT_USAGE 2

static const char *plural(guint n)
{
	return n == 1 ? "" : "s";
}

static void print_connector(const McDrmConnector *conn)
{
	g_print("  connector %s: %s, %u mode%s\n", conn->name,
		mc_connector_status_to_string(conn->status),
		conn->modes->len, plural(conn->modes->len));
	for (guint i = 0; i < conn->modes->len; i++) {
		const McDrmMode *mode = g_ptr_array_index(conn->modes, i);

		g_print("    %s: %ux%u @ %u Hz%s\n", mode->name, mode->width,
			mode->height, mode->refresh,
			mode->preferred ? " (preferred)" : "");
	}
}

/* Print one device; FALSE if its DRM card could not be described. */
static gboolean print_device(const McDevice *dev)
{
	g_autoptr(McDrmInfo) info = NULL;
	g_autoptr(GError) error = NULL;

	g_print("%s: %s (platform %s)", dev->name, dev->dev_node,
		dev->platform_device);
	if (!dev->drm_node) {
		g_print(", no DRM card\n");
		return TRUE;
	}
	g_print(", DRM %s", dev->drm_node);
	info = mc_drm_describe(dev->drm_node, &error);
	if (!info) {
		g_print(" (unavailable)\n");
		g_printerr("miracastctl: %s: %s\n", dev->name, error->message);
		return FALSE;
	}
	g_print(" driver %s %d.%d.%d\n", info->driver, info->version_major,
		info->version_minor, info->version_patchlevel);
	g_print("  %u CRTC%s, %u plane%s\n", info->n_crtcs,
		plural(info->n_crtcs), info->n_planes, plural(info->n_planes));
	for (guint i = 0; i < info->connectors->len; i++)
		print_connector(g_ptr_array_index(info->connectors, i));
	return TRUE;
}

static int cmd_list(const char *sysfs_root)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) devices = mc_device_list(sysfs_root, &error);
	int status = EXIT_SUCCESS;

	if (!devices) {
		g_printerr("miracastctl: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (devices->len == 0)
		g_print("no miracast devices\n");
	for (guint i = 0; i < devices->len; i++)
		if (!print_device(g_ptr_array_index(devices, i)))
			status = EXIT_FAILURE;
	return status;
}

static int usage_error(const char *message)
{
	g_printerr("miracastctl: %s\n"
		   "Try 'miracastctl --help' for more information.\n", message);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	g_autofree char *sysfs_root = NULL;
	gboolean version = FALSE;
	const GOptionEntry entries[] = {
		{ "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &sysfs_root,
		  "Look for devices under DIR instead of /sys", "DIR" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "Print the version and exit", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) context = g_option_context_new("COMMAND");
	g_autoptr(GError) error = NULL;
	g_autofree char *message = NULL;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_summary(context,
		"Inspect miracast displays.\n\n"
		"Commands:\n"
		"  list    Show every miracast device and its DRM state");
	if (!g_option_context_parse(context, &argc, &argv, &error))
		return usage_error(error->message);
	if (version) {
		g_print("miracastctl %s\n", MC_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc < 2)
		return usage_error("missing command");
	if (strcmp(argv[1], "list") != 0) {
		message = g_strdup_printf("unknown command '%s'", argv[1]);
		return usage_error(message);
	}
	if (argc > 2)
		return usage_error("too many arguments");
	return cmd_list(sysfs_root ? sysfs_root : "/sys");
}

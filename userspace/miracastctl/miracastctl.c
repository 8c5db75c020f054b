// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracastctl: command-line control and status of miracast displays.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mc-control.h"
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

static int cmd_devices(const char *sysfs_root)
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

/* key of group, or "?" when the daemon did not say */
static char *get(GKeyFile *kf, const char *group, const char *key)
{
	char *v = g_key_file_get_string(kf, group, key, NULL);

	return v ? v : g_strdup("?");
}

static void print_display(GKeyFile *kf, const char *g)
{
	g_autofree char *device = get(kf, g, "device"), *state = get(kf, g, "state");
	g_autofree char *sink = get(kf, g, "sink");
	g_auto(GStrv) sink_modes = g_key_file_get_string_list(kf, g, "sink_modes", NULL, NULL);
	g_autofree char *sink_mode = sink_modes ? g_strjoinv(", ", sink_modes) : g_strdup("?");
	g_autofree char *failure = g_key_file_get_string(kf, g, "failure", NULL);
	g_autofree char *mode = g_key_file_get_string(kf, g, "mode", NULL);

	g_autofree char *negotiated = g_key_file_get_string(kf, g, "negotiated", NULL);
	g_autofree char *rtsp = g_key_file_get_string(kf, g, "rtsp_state", NULL);

	g_print("%s (%s): %s, to %s\n", g, device, state, sink);
	g_print("  mode %s (sink %s)\n", mode ? mode : "off", sink_mode);
	if (rtsp || negotiated) {
		g_autofree char *audio = get(kf, g, "negotiated_audio");
		g_autofree char *ka = get(kf, g, "keepalives");
		g_autofree char *timeout = get(kf, g, "session_timeout_s");

		g_print("  session %s, negotiated %s, audio %s, %s keepalives (timeout %s s)\n",
			rtsp ? rtsp : "ended", negotiated ? negotiated : "?", audio, ka, timeout);
	}
	if (failure)
		g_print("  failure: %s\n", failure);
	if (g_key_file_has_key(kf, g, "encoder", NULL)) {
		g_autofree char *enc = get(kf, g, "encoder"), *el = get(kf, g, "encoder_element");
		g_autofree char *profile = get(kf, g, "profile"), *level = get(kf, g, "level");
		g_autofree char *target = get(kf, g, "target_kbps"), *audio = get(kf, g, "audio");
		g_autofree char *fps = get(kf, g, "fps"), *rate = get(kf, g, "bitrate_kbps");
		g_autofree char *p50 = get(kf, g, "latency_p50_ms");
		g_autofree char *p99 = get(kf, g, "latency_p99_ms");
		g_autofree char *e50 = get(kf, g, "encode_p50_ms");
		g_autofree char *e99 = get(kf, g, "encode_p99_ms");
		g_autofree char *n = get(kf, g, "latency_frames");

		g_print("  encoder %s (%s), %s level %s, audio %s\n", enc, el, profile, level,
			audio);
		g_print("  %s fps, %s kbit/s (target %s)\n", fps, rate, target);
		g_print("  latency p50 %s ms, p99 %s ms (flip to first packet, last %s frames)\n",
			p50, p99, n);
		g_print("  encoding p50 %s ms, p99 %s ms\n", e50, e99);
	}
	{
		g_autofree char *sent = get(kf, g, "frames_sent");
		g_autofree char *dropped = get(kf, g, "frames_dropped");
		g_autofree char *repeated = get(kf, g, "frames_repeated");
		g_autofree char *replaced = get(kf, g, "frames_replaced");

		g_print("  frames: %s sent, %s dropped, %s repeated, %s replaced\n", sent, dropped,
			repeated, replaced);
	}
}

/* The Wi-Fi Direct part of the status, when miracastd has one. */
static void print_wifi(GKeyFile *kf)
{
	const char *g = "wifi";
	g_autofree char *state = get(kf, g, "state"), *avail = get(kf, g, "available");
	g_autofree char *wpa = get(kf, g, "wpa_supplicant");
	g_autofree char *peer = g_key_file_get_string(kf, g, "peer", NULL);
	g_autofree char *group = g_key_file_get_string(kf, g, "group", NULL);

	g_print("wifi: %s, %s, wpa_supplicant %s\n", state,
		!strcmp(avail, "yes") ? "available" : "not available", wpa);
	if (peer)
		g_print("  peer %s\n", peer);
	if (group) {
		g_autofree char *role = get(kf, g, "role"), *freq = get(kf, g, "freq_mhz");
		g_autofree char *addr = get(kf, g, "address"), *paddr = get(kf, g, "peer_address");
		g_autofree char *secs = get(kf, g, "group_s");

		g_print("  group %s, the source is %s, %s MHz, %s -> %s (formed in %s s)\n", group,
			role, freq, addr, paddr, secs);
	}
	if (g_key_file_has_key(kf, g, "tx_bitrate_kbps", NULL)) {
		g_autofree char *tx = get(kf, g, "tx_bitrate_kbps"), *sig = get(kf, g, "signal_dbm");
		g_autofree char *pk = get(kf, g, "tx_packets"), *re = get(kf, g, "tx_retries");
		g_autofree char *fa = get(kf, g, "tx_failed"), *lk = get(kf, g, "link_kbps");
		g_autofree char *vk = get(kf, g, "video_kbps");

		g_print("  link: tx %s kbit/s, signal %s dBm, %s packets, %s retries, %s failed\n",
			tx, sig, pk, re, fa);
		g_print("  the link allows %s kbit/s: video at %s kbit/s\n", lk, vk);
	}
}

static int cmd_status(const char *socket_path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = mc_control_request(socket_path, "status", &error);
	g_auto(GStrv) displays = NULL;
	g_autofree char *version = NULL;

	if (!kf) {
		g_printerr("miracastctl: %s\n", error->message);
		return EXIT_FAILURE;
	}
	version = get(kf, "miracastd", "version");
	displays = g_key_file_get_string_list(kf, "miracastd", "displays", NULL, NULL);
	if (g_key_file_has_group(kf, "wifi"))
		print_wifi(kf);
	if (!displays || !displays[0]) {
		g_print("miracastd %s: no displays\n", version);
		return EXIT_SUCCESS;
	}
	for (guint i = 0; displays[i]; i++) {
		if (!g_key_file_has_group(kf, displays[i])) {
			g_printerr("miracastctl: miracastd's reply lacks display %s\n",
				   displays[i]);
			return EXIT_FAILURE;
		}
		print_display(kf, displays[i]);
	}
	return EXIT_SUCCESS;
}

/* "list": the Wi-Fi Display sinks nearby. */
static int cmd_list(const char *socket_path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = mc_control_request(socket_path, "list", &error);
	g_auto(GStrv) sinks = NULL;
	g_autofree char *state = NULL, *others = NULL;

	if (!kf) {
		g_printerr("miracastctl: %s\n", error->message);
		return EXIT_FAILURE;
	}
	sinks = g_key_file_get_string_list(kf, "wifi", "sinks", NULL, NULL);
	state = get(kf, "wifi", "state");
	others = get(kf, "wifi", "other_devices");
	g_print("%u sink%s nearby (wifi: %s; %s other device%s)\n", sinks ? g_strv_length(sinks) : 0,
		plural(sinks ? g_strv_length(sinks) : 0), state, others,
		strcmp(others, "1") ? "s" : "");
	for (guint i = 0; sinks && sinks[i]; i++) {
		g_autofree char *name = get(kf, sinks[i], "name"), *wfd = get(kf, sinks[i], "wfd");
		g_autofree char *methods = get(kf, sinks[i], "methods");
		g_autofree char *signal = get(kf, sinks[i], "signal_dbm");

		g_print("  %s  %s: %s; %s; signal %s dBm\n", sinks[i], name, wfd, methods, signal);
	}
	return EXIT_SUCCESS;
}

/* "connect [--pin PIN] TARGET": the sink's session, until it plays (or fails). */
static int cmd_connect(const char *socket_path, const char *target, const char *pin)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *request = pin ? g_strdup_printf("connect --pin %s %s", pin, target) :
				   g_strdup_printf("connect %s", target);
	/* Wi-Fi Direct (a PIN is typed), TCP, then up to five request/reply rounds */
	g_autoptr(GKeyFile) kf = mc_control_request_wait(socket_path, request, 120, &error);
	g_autofree char *display = NULL, *mode = NULL;

	if (!kf) {
		g_printerr("miracastctl: connect %s: %s\n", target, error->message);
		return EXIT_FAILURE;
	}
	display = get(kf, "connect", "display");
	mode = get(kf, "connect", "mode");
	g_print("%s: streaming to %s, %s\n", display, target, mode);
	return EXIT_SUCCESS;
}

/* "disconnect [DISPLAY]": the session's teardown, until it ended. */
static int cmd_disconnect(const char *socket_path, const char *display)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *request = display ? g_strdup_printf("disconnect %s", display)
					   : g_strdup("disconnect");
	g_autoptr(GKeyFile) kf = mc_control_request_wait(socket_path, request, 10, &error);
	g_autofree char *name = NULL, *ended = NULL;

	if (!kf) {
		g_printerr("miracastctl: disconnect: %s\n", error->message);
		return EXIT_FAILURE;
	}
	name = get(kf, "disconnect", "display");
	ended = get(kf, "disconnect", "ended");
	g_print("%s: disconnected (%s)\n", name, ended);
	return EXIT_SUCCESS;
}

static int usage_error(const char *message)
{
	g_printerr("miracastctl: %s\n"
		   "Try 'miracastctl --help' for more information.\n", message);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	g_autofree char *sysfs_root = NULL, *control = NULL, *pin = NULL;
	gboolean version = FALSE;
	const GOptionEntry entries[] = {
		{ "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &sysfs_root,
		  "Look for devices under DIR instead of /sys", "DIR" },
		{ "control-socket", 0, 0, G_OPTION_ARG_FILENAME, &control,
		  "miracastd's socket (default " MC_CONTROL_SOCKET ")", "PATH" },
		{ "pin", 0, 0, G_OPTION_ARG_STRING, &pin,
		  "connect: the PIN the sink shows (Wi-Fi Direct; else push button)", "PIN" },
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
		"Inspect and control miracast displays.\n\n"
		"Commands:\n"
		"  devices              Show every miracast device and its DRM state\n"
		"  list                 Show the Wi-Fi Display sinks nearby (Wi-Fi Direct):\n"
		"                       address, name, capabilities, signal\n"
		"  status               Show what miracastd streams: per display its state,\n"
		"                       sink, modes, encoder, rate, bitrate, latency and\n"
		"                       dropped frames; the Wi-Fi Direct group and link\n"
		"  connect [--pin PIN] NAME|ADDRESS\n"
		"                       Connect to a nearby sink by Wi-Fi Direct (push\n"
		"                       button, or the PIN it shows) on a free display\n"
		"  connect HOST[:PORT]  Have miracastd reach a Wi-Fi Display sink over IP\n"
		"                       (RTSP port 7236 by default) on a free display;\n"
		"                       both return once the sink plays\n"
		"  disconnect [DISPLAY] Tear the display's session down (the only one\n"
		"                       when no display is named)");
	if (!g_option_context_parse(context, &argc, &argv, &error))
		return usage_error(error->message);
	if (version) {
		g_print("miracastctl %s\n", MC_VERSION);
		return EXIT_SUCCESS;
	}
	if (argc < 2)
		return usage_error("missing command");
	if (!strcmp(argv[1], "connect")) {
		g_autofree char *target = NULL;

		if (argc < 3)
			return usage_error("connect takes [--pin PIN] NAME|ADDRESS or HOST[:PORT]");
		/* a name may be several words */
		target = g_strjoinv(" ", argv + 2);
		return cmd_connect(control ? control : MC_CONTROL_SOCKET, target, pin);
	}
	if (pin)
		return usage_error("--pin is for connect");
	if (!strcmp(argv[1], "disconnect")) {
		if (argc > 3)
			return usage_error("disconnect takes at most a display");
		return cmd_disconnect(control ? control : MC_CONTROL_SOCKET, argv[2]);
	}
	if (strcmp(argv[1], "list") && strcmp(argv[1], "status") && strcmp(argv[1], "devices")) {
		message = g_strdup_printf("unknown command '%s'", argv[1]);
		return usage_error(message);
	}
	if (argc > 2)
		return usage_error("too many arguments");
	if (!strcmp(argv[1], "status"))
		return cmd_status(control ? control : MC_CONTROL_SOCKET);
	if (!strcmp(argv[1], "list"))
		return cmd_list(control ? control : MC_CONTROL_SOCKET);
	return cmd_devices(sysfs_root ? sysfs_root : "/sys");
}

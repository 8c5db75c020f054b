// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding miracast devices in sysfs and describing their DRM cards.
 */
#include "mc-device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

G_DEFINE_QUARK(mc-error-quark, mc_error)

/* Parse "<prefix>N" where N is a decimal number without leading zeros. */
static gboolean parse_index(const char *name, const char *prefix, guint *index)
{
	const char *s;
	guint64 n;

	if (!g_str_has_prefix(name, prefix))
		return FALSE;
	s = name + strlen(prefix);
	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT, &n, NULL))
		return FALSE;
	*index = n;
	return TRUE;
}

/* The lowest numbered "cardM" entry in <device_dir>/drm, if any. */
static char *find_drm_card(const char *device_dir)
{
	g_autofree char *path = g_build_filename(device_dir, "drm", NULL);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *entry;
	char *card = NULL;
	guint best = 0, n;

	if (!dir)
		return NULL;
	while ((entry = g_dir_read_name(dir))) {
		if (!parse_index(entry, "card", &n) || (card && n >= best))
			continue;
		g_free(card);
		card = g_strdup(entry);
		best = n;
	}
	return card;
}

static McDevice *device_new(const char *misc_dir, const char *name,
			    guint index)
{
	g_autofree char *link = g_build_filename(misc_dir, name, "device", NULL);
	g_autofree char *target = realpath(link, NULL);
	McDevice *dev;

	if (!target) {
		g_debug("skipping %s: cannot resolve %s: %s",
			name, link, g_strerror(errno));
		return NULL;
	}
	dev = g_new0(McDevice, 1);
	dev->index = index;
	dev->name = g_strdup(name);
	dev->dev_node = g_strconcat("/dev/", name, NULL);
	dev->platform_device = g_path_get_basename(target);
	dev->drm_card = find_drm_card(target);
	if (dev->drm_card)
		dev->drm_node = g_strconcat("/dev/dri/", dev->drm_card, NULL);
	return dev;
}

void mc_device_free(McDevice *dev)
{
	if (!dev)
		return;
	g_free(dev->name);
	g_free(dev->dev_node);
	g_free(dev->platform_device);
	g_free(dev->drm_card);
	g_free(dev->drm_node);
	g_free(dev);
}

static gint compare_index(gconstpointer a, gconstpointer b)
{
	const McDevice *da = *(McDevice *const *)a;
	const McDevice *db = *(McDevice *const *)b;

	return (da->index > db->index) - (da->index < db->index);
}

GPtrArray *mc_device_list(const char *sysfs_root, GError **error)
{
	g_autofree char *misc_dir =
		g_build_filename(sysfs_root, "class", "misc", NULL);
	g_autoptr(GPtrArray) devices =
		g_ptr_array_new_with_free_func((GDestroyNotify)mc_device_free);
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) dir = g_dir_open(misc_dir, 0, &local);
	const char *name;
	guint index;

	if (!dir) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return g_steal_pointer(&devices);
		g_set_error_literal(error, MC_ERROR, MC_ERROR_SYSFS,
				    local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(dir))) {
		McDevice *dev;

		if (!parse_index(name, "miracast", &index))
			continue;
		dev = device_new(misc_dir, name, index);
		if (dev)
			g_ptr_array_add(devices, dev);
	}
	g_ptr_array_sort(devices, compare_index);
	return g_steal_pointer(&devices);
}

const char *mc_connector_status_to_string(McConnectorStatus status)
{
	switch (status) {
	case MC_CONNECTOR_CONNECTED:
		return "connected";
	case MC_CONNECTOR_DISCONNECTED:
		return "disconnected";
	default:
		return "unknown";
	}
}

/* Set an MC_ERROR_DRM error from errno and return FALSE. */
static gboolean drm_error(GError **error, const char *drm_node,
			  const char *what)
{
	int err = errno;

	g_set_error(error, MC_ERROR, MC_ERROR_DRM, "%s: %s: %s",
		    drm_node, what, g_strerror(err));
	return FALSE;
}

static void mode_free(McDrmMode *mode)
{
	g_free(mode->name);
	g_free(mode);
}

static McDrmMode *mode_new(const drmModeModeInfo *info)
{
	McDrmMode *mode = g_new0(McDrmMode, 1);

	mode->name = g_strndup(info->name, sizeof(info->name));
	mode->width = info->hdisplay;
	mode->height = info->vdisplay;
	mode->refresh = info->vrefresh;
	mode->preferred = !!(info->type & DRM_MODE_TYPE_PREFERRED);
	return mode;
}

static void connector_free(McDrmConnector *conn)
{
	g_free(conn->name);
	g_ptr_array_unref(conn->modes);
	g_free(conn);
}

static McConnectorStatus connector_status(drmModeConnection connection)
{
	switch (connection) {
	case DRM_MODE_CONNECTED:
		return MC_CONNECTOR_CONNECTED;
	case DRM_MODE_DISCONNECTED:
		return MC_CONNECTOR_DISCONNECTED;
	default:
		return MC_CONNECTOR_UNKNOWN;
	}
}

static McDrmConnector *connector_new(const drmModeConnector *info)
{
	McDrmConnector *conn = g_new0(McDrmConnector, 1);
	const char *type = drmModeGetConnectorTypeName(info->connector_type);

	conn->name = g_strdup_printf("%s-%u", type ? type : "Unknown",
				     info->connector_type_id);
	conn->status = connector_status(info->connection);
	conn->modes = g_ptr_array_new_with_free_func((GDestroyNotify)mode_free);
	for (int i = 0; i < info->count_modes; i++)
		g_ptr_array_add(conn->modes, mode_new(&info->modes[i]));
	return conn;
}

static gboolean describe_version(int fd, const char *drm_node,
				 McDrmInfo *info, GError **error)
{
	drmVersionPtr ver = drmGetVersion(fd);

	if (!ver)
		return drm_error(error, drm_node, "not a DRM device");
	info->driver = g_strndup(ver->name, ver->name_len);
	info->version_major = ver->version_major;
	info->version_minor = ver->version_minor;
	info->version_patchlevel = ver->version_patchlevel;
	drmFreeVersion(ver);
	return TRUE;
}

static gboolean describe_resources(int fd, const char *drm_node,
				   McDrmInfo *info, GError **error)
{
	drmModeRes *res = drmModeGetResources(fd);

	if (!res)
		return drm_error(error, drm_node, "cannot get KMS resources");
	info->n_crtcs = res->count_crtcs;
	for (int i = 0; i < res->count_connectors; i++) {
		/* Probes the connector, so the status is current. */
		drmModeConnector *conn =
			drmModeGetConnector(fd, res->connectors[i]);

		if (!conn) {
			drm_error(error, drm_node, "cannot get connector");
			drmModeFreeResources(res);
			return FALSE;
		}
		g_ptr_array_add(info->connectors, connector_new(conn));
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	return TRUE;
}

static gboolean describe_planes(int fd, const char *drm_node,
				McDrmInfo *info, GError **error)
{
	drmModePlaneRes *planes;

	/* Without this, primary and cursor planes are not reported. */
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1))
		return drm_error(error, drm_node,
				 "cannot enable universal planes");
	planes = drmModeGetPlaneResources(fd);
	if (!planes)
		return drm_error(error, drm_node, "cannot get planes");
	info->n_planes = planes->count_planes;
	drmModeFreePlaneResources(planes);
	return TRUE;
}

McDrmInfo *mc_drm_describe(const char *drm_node, GError **error)
{
	g_autoptr(McDrmInfo) info = g_new0(McDrmInfo, 1);
	gboolean ok;
	int fd;

	fd = open(drm_node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		g_set_error(error, MC_ERROR, MC_ERROR_OPEN,
			    "cannot open %s: %s", drm_node, g_strerror(err));
		return NULL;
	}
	info->connectors =
		g_ptr_array_new_with_free_func((GDestroyNotify)connector_free);
	ok = describe_version(fd, drm_node, info, error) &&
	     describe_resources(fd, drm_node, info, error) &&
	     describe_planes(fd, drm_node, info, error);
	close(fd);
	return ok ? g_steal_pointer(&info) : NULL;
}

void mc_drm_info_free(McDrmInfo *info)
{
	if (!info)
		return;
	g_free(info->driver);
	g_clear_pointer(&info->connectors, g_ptr_array_unref);
	g_free(info);
}

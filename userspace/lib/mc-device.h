/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding miracast devices in sysfs and describing their DRM cards.
 */
#ifndef MC_DEVICE_H
#define MC_DEVICE_H

#include <glib.h>

G_BEGIN_DECLS

#define MC_ERROR (mc_error_quark())

typedef enum {
	MC_ERROR_SYSFS,	/* sysfs could not be read */
	MC_ERROR_OPEN,	/* a device node could not be opened */
	MC_ERROR_DRM,	/* a DRM query failed */
} McError;

GQuark mc_error_quark(void);

/* A miracast platform device and the nodes that belong to it. */
typedef struct {
	guint index;		/* N of /dev/miracastN */
	char *name;		/* "miracast0" */
	char *dev_node;		/* "/dev/miracast0" */
	char *platform_device;	/* "miracast.0" or e.g. "soc:miracast@0" */
	char *drm_card;		/* "card0", or NULL if there is none */
	char *drm_node;		/* "/dev/dri/card0", or NULL */
} McDevice;

void mc_device_free(McDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDevice, mc_device_free)

/*
 * Enumerate <sysfs_root>/class/misc/miracastN, sorted by N. Returns an
 * array owning its McDevice elements, empty if there are none, or NULL
 * with @error set if the misc class directory cannot be read.
 */
GPtrArray *mc_device_list(const char *sysfs_root, GError **error);

typedef enum {
	MC_CONNECTOR_CONNECTED,
	MC_CONNECTOR_DISCONNECTED,
	MC_CONNECTOR_UNKNOWN,
} McConnectorStatus;

const char *mc_connector_status_to_string(McConnectorStatus status);

typedef struct {
	char *name;		/* "1920x1080" */
	guint width;
	guint height;
	guint refresh;		/* Hz */
	gboolean preferred;
} McDrmMode;

typedef struct {
	char *name;		/* "Virtual-1" */
	McConnectorStatus status;
	GPtrArray *modes;	/* McDrmMode */
} McDrmConnector;

typedef struct {
	char *driver;
	int version_major;
	int version_minor;
	int version_patchlevel;
	GPtrArray *connectors;	/* McDrmConnector */
	guint n_crtcs;
	guint n_planes;		/* all planes, primary and cursor included */
} McDrmInfo;

/* Query the KMS state of a DRM card node such as "/dev/dri/card0". */
McDrmInfo *mc_drm_describe(const char *drm_node, GError **error);
void mc_drm_info_free(McDrmInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDrmInfo, mc_drm_info_free)

G_END_DECLS

#endif /* MC_DEVICE_H */

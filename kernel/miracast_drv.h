/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * miracast.ko: a DRM/KMS display whose frames travel as messages to a
 * userspace daemon that streams them to a Miracast (Wi-Fi Display) sink.
 *
 * Object lifetime: struct miracast_device embeds the drm_device and is
 * allocated with devm_drm_dev_alloc(), so everything in it lives until the
 * last drm_dev_put(). Each open file of /dev/miracastN holds such a reference,
 * which keeps the structure valid after the platform device is unbound; code
 * reached from those files brackets its work with drm_dev_enter()/exit().
 */
#ifndef MIRACAST_DRV_H
#define MIRACAST_DRV_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/miscdevice.h>
#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_encoder.h>
#include <drm/drm_plane.h>

#include "uapi/miracast.h"
#include "miracast_msg.h"

#define MIRACAST_DRIVER_NAME	"miracast"
#define MIRACAST_MAX_INSTANCES	8

/* Sizes the mode configuration accepts (WFD tops out at 4096x2304). */
#define MIRACAST_MIN_SIZE	64
#define MIRACAST_MAX_SIZE	4096
/* Windows rejects modes under 23.9 Hz; drm_mode_vrefresh() rounds to Hz. */
#define MIRACAST_MIN_VREFRESH	24

/* The limits of MONITOR_ARRIVAL. */
#define MIRACAST_MAX_EDID_SIZE	32768
#define MIRACAST_MAX_MODES	256

/* Entries of one COMPLETE_BATCH. */
#define MIRACAST_MAX_BATCH	1024

/* What the daemon reported of the sink's monitor, under monitor.lock. */
struct miracast_monitor_state {
	struct mutex lock;	/* everything below; connected is also read alone */
	bool connected;
	u32 link_type;
	u32 width_mm, height_mm;
	void *edid;		/* raw EDID or NULL */
	u32 edid_size;
	struct miracast_mode *modes;
	u32 mode_count;
};

struct miracast_plane {
	struct drm_plane base;
};

struct miracast_device {
	struct drm_device drm;
	/* index N of /dev/miracastN */
	int index;

	struct miracast_plane *primary;
	struct drm_crtc crtc;
	/* vblank, emulated at the mode's refresh rate */
	struct hrtimer vblank_timer;
	ktime_t vblank_period;
	struct drm_encoder encoder;
	struct drm_connector connector;

	struct miscdevice misc;
	char misc_name[16];

	/* the daemon's context and its messages */
	struct miracast_context ctx;
	struct miracast_monitor_state monitor;
	struct miracast_caps caps;

	/* statistics shown in debugfs */
	atomic_t open_files;
	atomic64_t plane_updates;
	atomic64_t chunks[MIRACAST_CHUNK_SENT + 1];
	atomic64_t session_errors;

	/* debugfs test hook (miracast_debugfs.c) */
	struct miracast_test *test;
};

static inline struct miracast_device *to_miracast_device(struct drm_device *drm)
{
	return container_of(drm, struct miracast_device, drm);
}

/* miracast_kms.c */
int miracast_kms_init(struct miracast_device *mdev);
enum drm_connector_status miracast_connector_status(struct miracast_device *mdev);
int miracast_monitor_arrival(struct miracast_device *mdev, const void __user *in,
			     u32 in_size);
void miracast_monitor_departure(struct miracast_device *mdev);

/* miracast_cdev.c */
int miracast_cdev_register(struct miracast_device *mdev);
void miracast_cdev_unregister(struct miracast_device *mdev);

/* miracast_debugfs.c */
int miracast_test_init(struct miracast_device *mdev);
void miracast_debugfs_init(struct drm_minor *minor);

#endif /* MIRACAST_DRV_H */

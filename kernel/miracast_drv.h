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
#include <linux/poll.h>
#include <linux/xarray.h>
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
/* Windows rejects modes under 23.9 Hz (drm_mode_vrefresh() rounds to Hz). */
#define MIRACAST_MIN_VREFRESH_MHZ	23900

/* The limits of MONITOR_ARRIVAL. */
#define MIRACAST_MAX_EDID_SIZE	32768
#define MIRACAST_MAX_MODES	256

/* The smallest max_message_size: a frame with all its damage rectangles fits. */
#define MIRACAST_MIN_MESSAGE_SIZE	512

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

/* The cursor plane: ARGB8888 up to this size; the daemon composites it. */
#define MIRACAST_CURSOR_SIZE	64
#define MIRACAST_CURSOR_MAX	256

/* Kernel chunk records the queue holds (caps.max_chunks). */
#define MIRACAST_MAX_CHUNKS	256
#define MIRACAST_FRAME_NUMBER_MASK	GENMASK_ULL(39, 0)
#define MIRACAST_MAX_DEADLINE_MS	5000

struct miracast_frame;

struct miracast_frame_stats {
	u64 sent;		/* FRAME messages accepted */
	u64 not_sent;		/* no session, no room or no memory */
	u64 completed;		/* completed by the daemon */
	u64 cancelled;		/* cancelled (session end, withdrawal) */
	u64 dropped_unread;	/* withdrawn unread: a newer frame came */
	u64 dropped_late;	/* the deadline released the next flip */
	u64 flips_gated;	/* flips that waited for the daemon */
	u64 flips_deadline;	/* ... and were released by the deadline */
	u64 exported;		/* dma-bufs made for GET_BUFFER_FD */
	u64 chunks_lost;	/* chunk queue overflows */
};

/* miracast_frame.c's state */
struct miracast_frames {
	spinlock_t lock;		/* all below but buffers; irq-safe (vblank timer) */
	struct miracast_frame *last;	/* the newest frame (a reference) */
	struct miracast_frame *gate;	/* the frame the parked flip waits for */
	struct drm_pending_vblank_event *parked;
	bool parked_gated;		/* the parked flip waits for gate */
	ktime_t deadline;
	u64 number;			/* of the last frame, commit side only */
	struct miracast_frame_stats stats;

	/* kernel chunk records for GET_CHUNKS, a ring */
	struct miracast_chunk_report chunks[MIRACAST_MAX_CHUNKS];
	unsigned int chunk_head, chunk_count;
	u64 chunk_first;		/* how many records were ever consumed or lost */
	bool chunk_reset;		/* records were lost: tell the daemon once */
	wait_queue_head_t chunk_wq;

	/* buffer_id -> struct miracast_fb */
	struct xarray buffers;
	u32 next_buffer_id;
	struct mutex export_lock;	/* the buffers' dma-bufs and their freeing */
};

struct miracast_device {
	struct drm_device drm;
	/* index N of /dev/miracastN */
	int index;

	struct miracast_plane *primary;
	struct miracast_plane *cursor;
	struct drm_crtc crtc;
	/* vblank, emulated at the mode's refresh rate */
	struct hrtimer vblank_timer;
	ktime_t vblank_period;
	bool vblank_on;			/* the timer runs on (READ/WRITE_ONCE) */
	struct drm_encoder encoder;
	struct drm_connector connector;

	struct miscdevice misc;
	char misc_name[16];

	/* frames, flip gating, buffers, chunk records */
	struct miracast_frames frames;

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

/* miracast_frame.c */
int miracast_frames_init(struct miracast_device *mdev);
struct drm_framebuffer *miracast_fb_create(struct drm_device *drm, struct drm_file *file,
					   const struct drm_mode_fb_cmd2 *mode_cmd);
void miracast_frame_flush(struct miracast_device *mdev, struct drm_atomic_state *state);
void miracast_frame_vblank(struct miracast_device *mdev);
void miracast_frame_disable(struct miracast_device *mdev);
void miracast_frame_send_event(struct miracast_device *mdev,
			       struct drm_pending_vblank_event *event);
int miracast_buffer_get_fd(struct miracast_device *mdev, struct file *file,
			   struct miracast_buffer_fd *args, struct file **dmabuf_file);
void miracast_frames_reset(struct miracast_device *mdev);
__poll_t miracast_chunks_poll(struct miracast_device *mdev, struct file *file,
			      poll_table *wait);
int miracast_chunks_get(struct miracast_device *mdev, struct file *file,
			struct miracast_get_chunks *args);
void miracast_frames_stats(struct miracast_device *mdev, struct miracast_frame_stats *st);

/* miracast_cdev.c */
int miracast_cdev_register(struct miracast_device *mdev);
void miracast_cdev_unregister(struct miracast_device *mdev);

/* miracast_debugfs.c */
int miracast_test_init(struct miracast_device *mdev);
void miracast_debugfs_init(struct drm_minor *minor);

#endif /* MIRACAST_DRV_H */

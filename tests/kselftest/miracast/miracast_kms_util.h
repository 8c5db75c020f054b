/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KMS helpers of the miracast kselftests: a display (card fd, CRTC,
 * connector, planes) lit with dumb buffers through atomic commits, and a
 * daemon side (context, session, frame messages).
 */
#ifndef MIRACAST_KMS_UTIL_H
#define MIRACAST_KMS_UTIL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/dma-buf.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "miracast_util.h"
#include "miracast.h"

/* Property id of name on a KMS object, or 0. */
static inline uint32_t mc_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0;
	uint32_t i;

	props = drmModeObjectGetProperties(fd, obj, type);
	if (!props)
		return 0;
	for (i = 0; i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

/* A plane's "type" property, or -1. */
static inline uint64_t mc_plane_type(int fd, uint32_t plane)
{
	drmModeObjectPropertiesPtr props;
	uint64_t type = (uint64_t)-1;
	uint32_t i, id = mc_prop_id(fd, plane, DRM_MODE_OBJECT_PLANE, "type");

	props = drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	for (i = 0; props && i < props->count_props; i++)
		if (props->props[i] == id)
			type = props->prop_values[i];
	drmModeFreeObjectProperties(props);
	return type;
}

/* 640x480@60 (DMT). */
static inline drmModeModeInfo mc_mode_640x480(void)
{
	drmModeModeInfo m = {
		.clock = 25175,
		.hdisplay = 640, .hsync_start = 656, .hsync_end = 752, .htotal = 800,
		.vdisplay = 480, .vsync_start = 490, .vsync_end = 492, .vtotal = 525,
		.vrefresh = 60,
		.flags = DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC,
		.type = DRM_MODE_TYPE_USERDEF,
		.name = "640x480",
	};
	return m;
}

/* CEA-861 1920x1080@60 (VIC 16). */
static inline drmModeModeInfo mc_mode_1080p(void)
{
	drmModeModeInfo m = {
		.clock = 148500,
		.hdisplay = 1920, .hsync_start = 2008, .hsync_end = 2052, .htotal = 2200,
		.vdisplay = 1080, .vsync_start = 1084, .vsync_end = 1089, .vtotal = 1125,
		.vrefresh = 60,
		.flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC,
		.type = DRM_MODE_TYPE_USERDEF,
		.name = "1920x1080",
	};
	return m;
}

/* A dumb buffer with a framebuffer, mapped. */
struct mc_buf {
	uint32_t fb, handle, pitch, format, width, height;
	size_t size;
	uint8_t *map;
};

struct mc_display {
	int fd;
	uint32_t crtc, connector, primary, cursor, mode_blob;
};

/* Opens the card of /dev/miracastI as an atomic client; 0 or -errno. */
static inline int mc_display_open(struct mc_display *d, int index)
{
	drmModePlaneResPtr planes;
	drmModeResPtr res;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->fd = mc_open_card(index);
	if (d->fd < 0)
		return -errno;
	if (drmSetClientCap(d->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(d->fd, DRM_CLIENT_CAP_ATOMIC, 1))
		return -errno;
	res = drmModeGetResources(d->fd);
	if (!res)
		return -errno;
	if (res->count_crtcs != 1 || res->count_connectors != 1) {
		drmModeFreeResources(res);
		return -ENODEV;
	}
	d->crtc = res->crtcs[0];
	d->connector = res->connectors[0];
	drmModeFreeResources(res);
	planes = drmModeGetPlaneResources(d->fd);
	if (!planes)
		return -errno;
	for (i = 0; i < planes->count_planes; i++) {
		uint64_t type = mc_plane_type(d->fd, planes->planes[i]);

		if (type == DRM_PLANE_TYPE_PRIMARY)
			d->primary = planes->planes[i];
		else if (type == DRM_PLANE_TYPE_CURSOR)
			d->cursor = planes->planes[i];
	}
	drmModeFreePlaneResources(planes);
	return d->primary && d->cursor ? 0 : -ENODEV;
}

/* A w x h buffer of format, mapped and filled with zeros; 0 or -errno. */
static inline int mc_buf_create(int fd, struct mc_buf *b, uint32_t w, uint32_t h,
				uint32_t format)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	struct drm_mode_create_dumb create = {
		.width = w, .height = h, .bpp = format == DRM_FORMAT_RGB565 ? 16 : 32,
	};
	struct drm_mode_map_dumb map = { 0 };

	memset(b, 0, sizeof(*b));
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	handles[0] = create.handle;
	pitches[0] = create.pitch;
	if (drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, &b->fb, 0))
		return -errno;
	map.handle = create.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return -errno;
	b->map = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	b->handle = create.handle;
	b->pitch = create.pitch;
	b->size = create.size;
	b->format = format;
	b->width = w;
	b->height = h;
	return 0;
}

static inline void mc_buf_destroy(int fd, struct mc_buf *b)
{
	struct drm_mode_destroy_dumb destroy = { .handle = b->handle };

	if (b->map)
		munmap(b->map, b->size);
	if (b->fb)
		drmModeRmFB(fd, b->fb);
	if (b->handle)
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	memset(b, 0, sizeof(*b));
}

/* Fills a buffer with a pattern that differs for every byte and every seed. */
static inline void mc_buf_fill(struct mc_buf *b, unsigned int seed)
{
	size_t i;

	for (i = 0; i < b->size; i++)
		b->map[i] = (uint8_t)(i * 7 + (i >> 11) * 13 + seed * 31);
}

static inline void mc_add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
			  const char *name, uint64_t value)
{
	drmModeAtomicAddProperty(req, obj, mc_prop_id(fd, obj, type, name), value);
}

/* Puts buf on plane at (x, y), full size. */
static inline void mc_add_plane(drmModeAtomicReqPtr req, struct mc_display *d,
				uint32_t plane, const struct mc_buf *b, int x, int y)
{
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", b ? b->fb : 0);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", b ? d->crtc : 0);
	if (!b)
		return;
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)b->width << 16);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)b->height << 16);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", (uint64_t)(int64_t)x);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", (uint64_t)(int64_t)y);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", b->width);
	mc_add(req, d->fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", b->height);
}

/* Lights the display up in mode with buf on the primary plane; 0 or -errno. */
static inline int mc_light_mode(struct mc_display *d, const struct mc_buf *b,
				const drmModeModeInfo *mode, uint32_t flags)
{
	drmModeAtomicReqPtr req;
	int ret;

	if (d->mode_blob)
		drmModeDestroyPropertyBlob(d->fd, d->mode_blob);
	d->mode_blob = 0;
	if (drmModeCreatePropertyBlob(d->fd, mode, sizeof(*mode), &d->mode_blob))
		return -errno;
	req = drmModeAtomicAlloc();
	mc_add(req, d->fd, d->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", d->crtc);
	mc_add(req, d->fd, d->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", d->mode_blob);
	mc_add(req, d->fd, d->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	mc_add_plane(req, d, d->primary, b, 0, 0);
	ret = drmModeAtomicCommit(d->fd, req, flags | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return ret;
}

/* Lights the display up in 640x480 with buf on the primary plane; 0 or -errno. */
static inline int mc_light(struct mc_display *d, const struct mc_buf *b, uint32_t flags)
{
	drmModeModeInfo mode = mc_mode_640x480();

	return mc_light_mode(d, b, &mode, flags);
}

/* Switches the display off; 0 or -errno. */
static inline int mc_dark(struct mc_display *d)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	mc_add(req, d->fd, d->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	mc_add(req, d->fd, d->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	mc_add(req, d->fd, d->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	mc_add_plane(req, d, d->primary, NULL, 0, 0);
	mc_add_plane(req, d, d->cursor, NULL, 0, 0);
	ret = drmModeAtomicCommit(d->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return ret;
}

static inline void mc_display_close(struct mc_display *d)
{
	if (d->fd < 0)
		return;
	if (d->mode_blob)
		drmModeDestroyPropertyBlob(d->fd, d->mode_blob);
	close(d->fd);
	d->fd = -1;
}

static int mc_flips;
static unsigned int mc_flip_seq;

static inline void mc_flip_handler(int fd, unsigned int seq, unsigned int sec,
				   unsigned int usec, unsigned int crtc, void *data)
{
	(void)fd, (void)sec, (void)usec, (void)crtc, (void)data;
	mc_flip_seq = seq;
	mc_flips++;
}

/* Waits up to timeout_ms for one flip event; returns how many came (0 or 1). */
static inline int mc_wait_flip(int fd, int timeout_ms)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = mc_flip_handler };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	mc_flips = 0;
	if (poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	drmHandleEvent(fd, &ev);
	return mc_flips;
}

/* Waits for count vblanks to pass; 0 or -errno. */
static inline int mc_wait_vblanks(int fd, unsigned int count)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = count } };

	return drmWaitVBlank(fd, &vbl) ? -errno : 0;
}

/* The daemon side: a started context on /dev/miracastI; the fd or -errno. */
static inline int mc_daemon_open(int index)
{
	struct miracast_create_context cc = { 0 };
	struct miracast_start_session ss = { 0 };
	int d = mc_open(index);

	if (d < 0)
		return -errno;
	if (ioctl(d, MIRACAST_IOC_CREATE_CONTEXT, &cc) ||
	    ioctl(d, MIRACAST_IOC_START_SESSION, &ss) ||
	    fcntl(d, F_SETFL, O_NONBLOCK)) {
		int err = errno;

		close(d);
		return -err;
	}
	return d;
}

static inline int mc_complete(int d, uint64_t id, uint32_t status)
{
	struct miracast_completion c = { .id = id, .status = status };

	return ioctl(d, MIRACAST_IOC_COMPLETE, &c) ? -errno : 0;
}

/* A frame message as read. */
struct mc_frame {
	uint64_t id;			/* the message's */
	struct miracast_event_frame f;
	struct miracast_rect rects[MIRACAST_FRAME_MAX_RECTS];
};

/*
 * The next message of type (MIRACAST_EVENT_*); other kinds are completed
 * and skipped. Copies up to size bytes of its payload into out and returns
 * its id (not completed), or 0 with errno set.
 */
static inline uint64_t mc_next_of(struct mc_reader *r, uint32_t type, void *out, size_t size)
{
	struct miracast_msg_header *h;
	const struct miracast_event *ev;

	for (;;) {
		h = mc_next_msg(r);
		if (!h)
			return 0;
		ev = (const void *)(h + 1);
		if (h->in_size >= sizeof(*ev) && ev->type == type)
			break;
		mc_complete(r->fd, h->id, MIRACAST_STATUS_SUCCESS);
	}
	memset(out, 0, size);
	memcpy(out, ev, h->in_size < size ? h->in_size : size);
	return h->id;
}

static inline int mc_next_frame(struct mc_reader *r, struct mc_frame *fr)
{
	fr->id = mc_next_of(r, MIRACAST_EVENT_FRAME, &fr->f,
			    sizeof(fr->f) + sizeof(fr->rects));
	return fr->id ? 0 : -errno;
}

/* GET_BUFFER_FD: the fd or -errno. */
static inline int mc_buffer_fd(int d, uint64_t buffer_id, uint32_t flags, uint64_t *size)
{
	struct miracast_buffer_fd b = { .buffer_id = buffer_id, .flags = flags };

	if (ioctl(d, MIRACAST_IOC_GET_BUFFER_FD, &b))
		return -errno;
	if (size)
		*size = b.size;
	return b.fd;
}

/* GET_CHUNKS into c[n]: how many, or -errno. */
static inline int mc_get_chunks(int d, struct miracast_chunk_report *c, uint32_t n,
				uint32_t timeout_ms)
{
	struct miracast_get_chunks g = {
		.chunks_ptr = (uintptr_t)c, .count = n, .timeout_ms = timeout_ms,
		.entry_size = sizeof(*c),
	};

	if (ioctl(d, MIRACAST_IOC_GET_CHUNKS, &g))
		return -errno;
	return g.returned;
}

/* MONITOR_ARRIVAL of a sink (no EDID) whose one, preferred mode is m; 0 or -errno. */
static inline int mc_arrive(int d, const drmModeModeInfo *m)
{
	struct {
		struct miracast_monitor mon;
		struct miracast_mode mode;
	} in = {
		.mon = { .link_type = DRM_MODE_CONNECTOR_HDMIA, .mode_count = 1 },
		.mode = {
			m->clock, m->hdisplay, m->hsync_start, m->hsync_end, m->htotal,
			m->vdisplay, m->vsync_start, m->vsync_end, m->vtotal,
			m->flags, DRM_MODE_TYPE_PREFERRED,
		},
	};
	struct miracast_io_control io = {
		.opcode = MIRACAST_IOCTL_MONITOR_ARRIVAL,
		.in_ptr = (uintptr_t)&in, .in_size = sizeof(in),
	};

	return ioctl(d, MIRACAST_IOC_IO_CONTROL, &io) ? -errno : 0;
}

/*
 * Maps the primary buffer of frame f through its dma-buf, read-only, and
 * begins a CPU read access; *fd and *size receive the dma-buf and the
 * mapping's length. The mapping, or NULL with errno set.
 */
static inline uint8_t *mc_map_frame(int d, const struct mc_frame *f, int *fd, size_t *size)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	uint64_t len = 0;
	void *map;

	*fd = mc_buffer_fd(d, f->f.primary.buffer_id, O_CLOEXEC, &len);
	if (*fd < 0) {
		errno = -*fd;
		return NULL;
	}
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, *fd, 0);
	if (map == MAP_FAILED || ioctl(*fd, DMA_BUF_IOCTL_SYNC, &sync)) {
		int err = errno;

		if (map != MAP_FAILED)
			munmap(map, len);
		close(*fd);
		errno = err;
		return NULL;
	}
	*size = len;
	return map;
}

/* Ends the CPU access begun by mc_map_frame and unmaps. */
static inline void mc_unmap_frame(int fd, uint8_t *map, size_t size)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ };

	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	munmap(map, size);
	close(fd);
}

/* Sets the frame deadline parameter (ms); 0 or -1. */
static inline int mc_set_deadline(unsigned int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", ms);
	return mc_sysfs_write("/sys/module/miracast/parameters/frame_deadline_ms", v);
}

#endif /* MIRACAST_KMS_UTIL_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DRM side of a miracast display: identity, objects, the primary plane,
 * mode validation and atomic commits with flip events.
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kselftest_harness.h"
#include "miracast_kms_util.h"

FIXTURE(kms) {
	int fd;
	uint32_t crtc, connector, plane, cursor;
	uint32_t fb[2];
	uint32_t handle[2];
};

static uint32_t create_fb(struct __test_metadata *_metadata, int fd,
			  uint32_t w, uint32_t h, uint32_t format, uint32_t *handle)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	struct drm_mode_create_dumb create = {
		.width = w, .height = h, .bpp = format == DRM_FORMAT_RGB565 ? 16 : 32,
	};
	uint32_t fb = 0;

	ASSERT_EQ(0, drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create));
	handles[0] = create.handle;
	pitches[0] = create.pitch;
	ASSERT_EQ(0, drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, &fb, 0))
		TH_LOG("ADDFB2: %s", strerror(errno));
	*handle = create.handle;
	return fb;
}

FIXTURE_SETUP(kms)
{
	drmModeResPtr res;
	drmModePlaneResPtr planes;
	uint32_t i;

	self->fd = mc_open_card(0);
	ASSERT_LE(0, self->fd) TH_LOG("DRM card of miracast0: %s", strerror(errno));
	ASSERT_EQ(0, drmSetClientCap(self->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1));
	ASSERT_EQ(0, drmSetClientCap(self->fd, DRM_CLIENT_CAP_ATOMIC, 1));
	res = drmModeGetResources(self->fd);
	ASSERT_NE(NULL, res);
	ASSERT_EQ(1, res->count_crtcs);
	ASSERT_EQ(1, res->count_connectors);
	self->crtc = res->crtcs[0];
	self->connector = res->connectors[0];
	drmModeFreeResources(res);
	planes = drmModeGetPlaneResources(self->fd);
	ASSERT_NE(NULL, planes);
	ASSERT_EQ(2, planes->count_planes);
	for (i = 0; i < planes->count_planes; i++) {
		uint64_t type = mc_plane_type(self->fd, planes->planes[i]);

		if (type == DRM_PLANE_TYPE_PRIMARY)
			self->plane = planes->planes[i];
		else if (type == DRM_PLANE_TYPE_CURSOR)
			self->cursor = planes->planes[i];
	}
	drmModeFreePlaneResources(planes);
	ASSERT_NE(0, self->plane);
	ASSERT_NE(0, self->cursor);
	self->fb[0] = create_fb(_metadata, self->fd, 640, 480, DRM_FORMAT_XRGB8888,
				&self->handle[0]);
	self->fb[1] = create_fb(_metadata, self->fd, 640, 480, DRM_FORMAT_XRGB8888,
				&self->handle[1]);
}

FIXTURE_TEARDOWN(kms)
{
	close(self->fd);
}

/* Builds an atomic request lighting the display up with fb and mode. */
static drmModeAtomicReqPtr enable_req(int fd, FIXTURE_DATA(kms) *self,
				      uint32_t fb, uint32_t mode_blob)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t p = self->plane;

	drmModeAtomicAddProperty(req, self->connector,
				 mc_prop_id(fd, self->connector, DRM_MODE_OBJECT_CONNECTOR,
					 "CRTC_ID"), self->crtc);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(fd, self->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"),
				 mode_blob);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(fd, self->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
#define PLANE_PROP(name, v) \
	drmModeAtomicAddProperty(req, p, mc_prop_id(fd, p, DRM_MODE_OBJECT_PLANE, name), v)
	PLANE_PROP("FB_ID", fb);
	PLANE_PROP("CRTC_ID", self->crtc);
	PLANE_PROP("SRC_X", 0);
	PLANE_PROP("SRC_Y", 0);
	PLANE_PROP("SRC_W", 640 << 16);
	PLANE_PROP("SRC_H", 480 << 16);
	PLANE_PROP("CRTC_X", 0);
	PLANE_PROP("CRTC_Y", 0);
	PLANE_PROP("CRTC_W", 640);
	PLANE_PROP("CRTC_H", 480);
#undef PLANE_PROP
	return req;
}

/* Builds an atomic request switching the display off. */
static drmModeAtomicReqPtr disable_req(int fd, FIXTURE_DATA(kms) *self)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	drmModeAtomicAddProperty(req, self->connector,
				 mc_prop_id(fd, self->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"),
				 0);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(fd, self->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"), 0);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(fd, self->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 0);
	drmModeAtomicAddProperty(req, self->plane,
				 mc_prop_id(fd, self->plane, DRM_MODE_OBJECT_PLANE, "FB_ID"), 0);
	drmModeAtomicAddProperty(req, self->plane,
				 mc_prop_id(fd, self->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID"), 0);
	return req;
}

static int commit_mode(int fd, FIXTURE_DATA(kms) *self, drmModeModeInfo *mode,
		       uint32_t flags)
{
	drmModeAtomicReqPtr req;
	uint32_t blob;
	int ret;

	ret = drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob);
	if (ret)
		return ret;
	req = enable_req(fd, self, self->fb[0], blob);
	/* libdrm returns -errno */
	ret = drmModeAtomicCommit(fd, req, flags, NULL);
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(fd, blob);
	return ret;
}

static int flips;

static void flip_handler(int fd, unsigned int seq, unsigned int sec,
			 unsigned int usec, void *data)
{
	flips++;
}

/* Waits for one flip-complete event on fd; returns 1 when it came. */
static int wait_flip(int fd)
{
	drmEventContext ev = {
		.version = 2,
		.page_flip_handler = flip_handler,
	};
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	flips = 0;
	if (poll(&pfd, 1, 5000) != 1)
		return 0;
	drmHandleEvent(fd, &ev);
	return flips;
}

TEST_F(kms, identity)
{
	drmVersionPtr v = drmGetVersion(self->fd);
	uint64_t cap = 0;

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("miracast", v->name);
	EXPECT_EQ(0, v->version_major);
	EXPECT_EQ(1, v->version_minor);
	drmFreeVersion(v);
	ASSERT_EQ(0, drmGetCap(self->fd, DRM_CAP_DUMB_BUFFER, &cap));
	EXPECT_EQ(1, cap);
	ASSERT_EQ(0, drmGetCap(self->fd, DRM_CAP_PRIME, &cap));
	EXPECT_EQ(DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT, cap);
}

TEST_F(kms, objects)
{
	drmModeResPtr res = drmModeGetResources(self->fd);
	drmModeConnectorPtr c;
	drmModeEncoderPtr e;

	ASSERT_NE(NULL, res);
	EXPECT_EQ(1, res->count_encoders);
	EXPECT_EQ(64, res->min_width);
	EXPECT_EQ(64, res->min_height);
	EXPECT_EQ(4096, res->max_width);
	EXPECT_EQ(4096, res->max_height);

	c = drmModeGetConnector(self->fd, self->connector);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_CONNECTOR_VIRTUAL, c->connector_type);
	EXPECT_EQ(DRM_MODE_DISCONNECTED, c->connection);
	EXPECT_EQ(0, c->count_modes);
	ASSERT_EQ(1, c->count_encoders);
	EXPECT_EQ(res->encoders[0], c->encoders[0]);

	e = drmModeGetEncoder(self->fd, res->encoders[0]);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(DRM_MODE_ENCODER_VIRTUAL, e->encoder_type);
	EXPECT_EQ(1, e->possible_crtcs);
	drmModeFreeEncoder(e);
	drmModeFreeConnector(c);
	drmModeFreeResources(res);
}

TEST_F(kms, primary_plane)
{
	drmModePlanePtr p = drmModeGetPlane(self->fd, self->plane);
	uint32_t i, xrgb = 0, argb = 0, rgb565 = 0;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p->possible_crtcs);
	EXPECT_EQ(3, p->count_formats);
	for (i = 0; i < p->count_formats; i++) {
		xrgb |= p->formats[i] == DRM_FORMAT_XRGB8888;
		argb |= p->formats[i] == DRM_FORMAT_ARGB8888;
		rgb565 |= p->formats[i] == DRM_FORMAT_RGB565;
	}
	EXPECT_TRUE(xrgb);
	EXPECT_TRUE(argb);
	EXPECT_TRUE(rgb565);
	drmModeFreePlane(p);
	EXPECT_NE(0, mc_prop_id(self->fd, self->plane, DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS"));
	EXPECT_NE(0, mc_prop_id(self->fd, self->plane, DRM_MODE_OBJECT_PLANE, "IN_FORMATS"));
}

TEST_F(kms, cursor_plane)
{
	drmModePlanePtr p = drmModeGetPlane(self->fd, self->cursor);
	uint64_t w = 0, h = 0;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p->possible_crtcs);
	ASSERT_EQ(1, p->count_formats);
	EXPECT_EQ(DRM_FORMAT_ARGB8888, p->formats[0]);
	drmModeFreePlane(p);
	ASSERT_EQ(0, drmGetCap(self->fd, DRM_CAP_CURSOR_WIDTH, &w));
	ASSERT_EQ(0, drmGetCap(self->fd, DRM_CAP_CURSOR_HEIGHT, &h));
	EXPECT_EQ(64, w);
	EXPECT_EQ(64, h);
}

TEST_F(kms, modeset_and_flip)
{
	drmModeModeInfo mode = mc_mode_640x480();
	long long updates = mc_state_num(0, "plane_updates");
	drmModeAtomicReqPtr req;
	drmModeCrtcPtr crtc;

	/* Userspace may light up a disconnected connector with a mode of its own. */
	ASSERT_EQ(0, commit_mode(self->fd, self, &mode,
				 DRM_MODE_ATOMIC_ALLOW_MODESET | DRM_MODE_PAGE_FLIP_EVENT));
	ASSERT_EQ(1, wait_flip(self->fd));
	EXPECT_EQ(updates + 1, mc_state_num(0, "plane_updates"));
	crtc = drmModeGetCrtc(self->fd, self->crtc);
	ASSERT_NE(NULL, crtc);
	EXPECT_TRUE(crtc->mode_valid);
	EXPECT_EQ(640, crtc->mode.hdisplay);
	EXPECT_EQ(self->fb[0], crtc->buffer_id);
	drmModeFreeCrtc(crtc);

	/* A page flip to the other buffer, with its event. */
	ASSERT_EQ(0, drmModePageFlip(self->fd, self->crtc, self->fb[1],
				     DRM_MODE_PAGE_FLIP_EVENT, NULL));
	ASSERT_EQ(1, wait_flip(self->fd));
	EXPECT_EQ(updates + 2, mc_state_num(0, "plane_updates"));

	/* And off again. */
	req = disable_req(self->fd, self);
	EXPECT_EQ(0, drmModeAtomicCommit(self->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		TH_LOG("disable: %s", strerror(errno));
	drmModeAtomicFree(req);
	crtc = drmModeGetCrtc(self->fd, self->crtc);
	ASSERT_NE(NULL, crtc);
	EXPECT_FALSE(crtc->mode_valid);
	drmModeFreeCrtc(crtc);
	EXPECT_EQ(updates + 2, mc_state_num(0, "plane_updates"));
}

TEST_F(kms, mode_validation)
{
	drmModeModeInfo mode = mc_mode_640x480();
	const uint32_t test = DRM_MODE_ATOMIC_ALLOW_MODESET | DRM_MODE_ATOMIC_TEST_ONLY;

	EXPECT_EQ(0, commit_mode(self->fd, self, &mode, test));

	/* Under 23.9 Hz, as on Windows: a 640x480 at 10 Hz. */
	mode.clock = 25175 / 6;
	mode.vrefresh = 10;
	EXPECT_EQ(-EINVAL, commit_mode(self->fd, self, &mode, test));

	/* 23.85 Hz: under 23.9, though it rounds to 24 Hz. */
	mode = mc_mode_640x480();
	mode.clock = 10017;
	mode.vrefresh = 24;
	EXPECT_EQ(-EINVAL, commit_mode(self->fd, self, &mode, test));

	/* 23.976 Hz (a film rate) is accepted. */
	mode = mc_mode_640x480();
	mode.clock = 10070;
	mode.vrefresh = 24;
	EXPECT_EQ(0, commit_mode(self->fd, self, &mode, test));

	/* No clock. */
	mode = mc_mode_640x480();
	mode.clock = 0;
	EXPECT_EQ(-EINVAL, commit_mode(self->fd, self, &mode, test));

	/* Stereo. */
	mode = mc_mode_640x480();
	mode.flags |= DRM_MODE_FLAG_3D_FRAME_PACKING;
	EXPECT_EQ(-EINVAL, commit_mode(self->fd, self, &mode, test));

	/* Wider than the display can be. */
	mode = mc_mode_640x480();
	mode.hdisplay = 4104;
	mode.hsync_start = 4110;
	mode.hsync_end = 4120;
	mode.htotal = 4200;
	mode.clock = 4200 * 525 * 60 / 1000;
	EXPECT_EQ(-EINVAL, commit_mode(self->fd, self, &mode, test));
}

TEST_F(kms, crtc_needs_primary_plane)
{
	drmModeModeInfo mode = mc_mode_640x480();
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob;

	ASSERT_EQ(0, drmModeCreatePropertyBlob(self->fd, &mode, sizeof(mode), &blob));
	drmModeAtomicAddProperty(req, self->connector,
				 mc_prop_id(self->fd, self->connector, DRM_MODE_OBJECT_CONNECTOR,
					 "CRTC_ID"), self->crtc);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(self->fd, self->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"),
				 blob);
	drmModeAtomicAddProperty(req, self->crtc,
				 mc_prop_id(self->fd, self->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
	EXPECT_EQ(-EINVAL, drmModeAtomicCommit(self->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET |
					       DRM_MODE_ATOMIC_TEST_ONLY, NULL));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(self->fd, blob);
}

TEST_F(kms, commit_each_format)
{
	static const uint32_t formats[] = {
		DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB565,
	};
	drmModeModeInfo mode = mc_mode_640x480();
	drmModeAtomicReqPtr req;
	uint32_t handle, fb, blob;
	unsigned int i;

	ASSERT_EQ(0, drmModeCreatePropertyBlob(self->fd, &mode, sizeof(mode), &blob));
	for (i = 0; i < 3; i++) {
		fb = create_fb(_metadata, self->fd, 640, 480, formats[i], &handle);
		req = enable_req(self->fd, self, fb, blob);
		flips = 0;
		EXPECT_EQ(0, drmModeAtomicCommit(self->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET |
						 DRM_MODE_PAGE_FLIP_EVENT, NULL))
			TH_LOG("format %.4s", (char *)&formats[i]);
		EXPECT_EQ(1, wait_flip(self->fd));
		drmModeAtomicFree(req);
	}
	drmModeDestroyPropertyBlob(self->fd, blob);
}

TEST_F(kms, unsupported_format_rejected)
{
	drmModeModeInfo mode = mc_mode_640x480();
	drmModeAtomicReqPtr req;
	uint32_t handle, fb, blob;

	fb = create_fb(_metadata, self->fd, 640, 480, DRM_FORMAT_XBGR8888, &handle);
	ASSERT_EQ(0, drmModeCreatePropertyBlob(self->fd, &mode, sizeof(mode), &blob));
	req = enable_req(self->fd, self, fb, blob);
	EXPECT_EQ(-EINVAL, drmModeAtomicCommit(self->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET |
					       DRM_MODE_ATOMIC_TEST_ONLY, NULL));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(self->fd, blob);
	drmModeRmFB(self->fd, fb);
}

/* Period of mc_mode_640x480() in microseconds: htotal * vtotal / clock. */
#define PERIOD_US	(800.0 * 525 * 1000 / 25175)

static uint64_t usec(unsigned int sec, unsigned int us)
{
	return sec * 1000000ULL + us;
}

/*
 * Consecutive vblanks: the sequence advances by the number of frame periods
 * between their kernel timestamps (microsecond rounding allowed), so a
 * late timer shows as a skipped count, never as a wrong timestamp.
 */
static void expect_vblank_series(struct __test_metadata *_metadata,
				 const unsigned int *seq, const uint64_t *t, int n)
{
	int i;

	for (i = 1; i < n; i++) {
		unsigned int frames = seq[i] - seq[i - 1];
		double err = (double)(t[i] - t[i - 1]) - frames * PERIOD_US;

		EXPECT_LE(1, frames) TH_LOG("vblank %d: sequence %u after %u", i, seq[i], seq[i - 1]);
		EXPECT_TRUE(err > -2.0 && err < 2.0)
			TH_LOG("vblank %d: %u frames in %llu us (%.1f us off)", i, frames,
			       (unsigned long long)(t[i] - t[i - 1]), err);
	}
}

TEST_F(kms, vblank_sequence_and_timestamps)
{
	drmModeModeInfo mode = mc_mode_640x480();
	unsigned int seq[12];
	uint64_t t[12];
	int i;

	/* No vblank without an active CRTC. */
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = 1 } };

	EXPECT_NE(0, drmWaitVBlank(self->fd, &vbl));
	ASSERT_EQ(0, commit_mode(self->fd, self, &mode, DRM_MODE_ATOMIC_ALLOW_MODESET));
	for (i = 0; i < 12; i++) {
		memset(&vbl, 0, sizeof(vbl));
		vbl.request.type = DRM_VBLANK_RELATIVE;
		vbl.request.sequence = 1;
		ASSERT_EQ(0, drmWaitVBlank(self->fd, &vbl)) TH_LOG("%s", strerror(errno));
		seq[i] = vbl.reply.sequence;
		t[i] = usec(vbl.reply.tval_sec, vbl.reply.tval_usec);
	}
	expect_vblank_series(_metadata, seq, t, 12);
}

static unsigned int flip_seq;
static uint64_t flip_time;

static void flip_handler2(int fd, unsigned int seq, unsigned int sec, unsigned int us,
			  unsigned int crtc_id, void *data)
{
	flip_seq = seq;
	flip_time = usec(sec, us);
	flips++;
}

TEST_F(kms, flip_events_carry_vblank_sequence_and_time)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = flip_handler2 };
	drmModeModeInfo mode = mc_mode_640x480();
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	unsigned int seq[8];
	uint64_t t[8];
	drmVBlank vbl;
	int i;

	ASSERT_EQ(0, commit_mode(self->fd, self, &mode, DRM_MODE_ATOMIC_ALLOW_MODESET));
	for (i = 0; i < 8; i++) {
		flips = 0;
		ASSERT_EQ(0, drmModePageFlip(self->fd, self->crtc, self->fb[i & 1],
					     DRM_MODE_PAGE_FLIP_EVENT, NULL));
		/* one flip at a time: a second one now is refused */
		if (i == 0)
			EXPECT_EQ(-EBUSY, drmModePageFlip(self->fd, self->crtc, self->fb[1],
							  DRM_MODE_PAGE_FLIP_EVENT, NULL));
		ASSERT_EQ(1, poll(&pfd, 1, 5000));
		drmHandleEvent(self->fd, &ev);
		ASSERT_EQ(1, flips);
		seq[i] = flip_seq;
		t[i] = flip_time;
	}
	expect_vblank_series(_metadata, seq, t, 8);

	/* The flip completed at the vblank the counter reports. */
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 0;
	ASSERT_EQ(0, drmWaitVBlank(self->fd, &vbl));
	EXPECT_LE(seq[7], vbl.reply.sequence);
}

/*
 * Reads the next message of the daemon fd: its event type, and completes
 * it. Frames are not display events: they are completed and skipped.
 */
static int next_event(struct mc_reader *r, struct miracast_event_mode *ev)
{
	struct miracast_completion c = { 0 };
	struct miracast_msg_header *h;

	do {
		h = mc_next_msg(r);
		if (!h)
			return -errno;
		memset(ev, 0, sizeof(*ev));
		memcpy(ev, h + 1, h->in_size < sizeof(*ev) ? h->in_size : sizeof(*ev));
		c.id = h->id;
		if (ioctl(r->fd, MIRACAST_IOC_COMPLETE, &c) || h->in_size != ev->hdr.size)
			return -1;
	} while (ev->hdr.type == MIRACAST_EVENT_FRAME);
	return ev->hdr.type;
}

TEST_F(kms, display_events_reach_the_daemon)
{
	struct miracast_create_context cc = { 0 };
	struct miracast_start_session ss = { 0 };
	drmModeModeInfo mode = mc_mode_640x480();
	uint32_t dpms = mc_prop_id(self->fd, self->connector, DRM_MODE_OBJECT_CONNECTOR, "DPMS");
	struct miracast_event_mode ev;
	drmModeAtomicReqPtr req;
	int d = mc_open(0);
	struct mc_reader *r = mc_reader_new(d);

	ASSERT_LE(0, d);
	ASSERT_NE(NULL, r);
	r->wait_ms = 0;	/* display events are sent by the (blocking) commits */
	ASSERT_NE(0, dpms);
	ASSERT_EQ(0, fcntl(d, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, ioctl(d, MIRACAST_IOC_CREATE_CONTEXT, &cc));
	ASSERT_EQ(0, ioctl(d, MIRACAST_IOC_START_SESSION, &ss));

	/* A modeset tells the mode. */
	ASSERT_EQ(0, commit_mode(self->fd, self, &mode, DRM_MODE_ATOMIC_ALLOW_MODESET));
	ASSERT_EQ(MIRACAST_EVENT_MODE, next_event(r, &ev));
	EXPECT_EQ(sizeof(ev), ev.hdr.size);
	EXPECT_EQ(25175, ev.mode.clock);
	EXPECT_EQ(640, ev.mode.hdisplay);
	EXPECT_EQ(800, ev.mode.htotal);
	EXPECT_EQ(480, ev.mode.vdisplay);
	EXPECT_EQ(525, ev.mode.vtotal);
	EXPECT_EQ(DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC, ev.mode.flags);
	EXPECT_EQ(-EAGAIN, next_event(r, &ev));

	/* DPMS off and on: standby and resume, in the same mode. */
	ASSERT_EQ(0, drmModeConnectorSetProperty(self->fd, self->connector, dpms,
						 DRM_MODE_DPMS_OFF));
	EXPECT_EQ(MIRACAST_EVENT_STANDBY, next_event(r, &ev));
	EXPECT_EQ(sizeof(ev.hdr), ev.hdr.size);
	ASSERT_EQ(0, drmModeConnectorSetProperty(self->fd, self->connector, dpms,
						 DRM_MODE_DPMS_ON));
	EXPECT_EQ(MIRACAST_EVENT_RESUME, next_event(r, &ev));

	/* A page flip changes no mode. */
	ASSERT_EQ(0, drmModePageFlip(self->fd, self->crtc, self->fb[1],
				     DRM_MODE_PAGE_FLIP_EVENT, NULL));
	ASSERT_EQ(1, wait_flip(self->fd));
	EXPECT_EQ(-EAGAIN, next_event(r, &ev));

	/* Switched off: the mode is gone. */
	req = disable_req(self->fd, self);
	ASSERT_EQ(0, drmModeAtomicCommit(self->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL));
	drmModeAtomicFree(req);
	EXPECT_EQ(MIRACAST_EVENT_DISABLE, next_event(r, &ev));
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));

	/* Without a session nobody is told, and nothing is kept. */
	close(d);
	free(r);
	ASSERT_EQ(0, commit_mode(self->fd, self, &mode, DRM_MODE_ATOMIC_ALLOW_MODESET));
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
}

TEST_F(kms, dumb_buffer_mmap)
{
	struct drm_mode_map_dumb map = { .handle = self->handle[0] };
	uint32_t *pixels;

	ASSERT_EQ(0, drmIoctl(self->fd, DRM_IOCTL_MODE_MAP_DUMB, &map));
	pixels = mmap(NULL, 640 * 480 * 4, PROT_READ | PROT_WRITE, MAP_SHARED,
		      self->fd, map.offset);
	ASSERT_NE(MAP_FAILED, pixels);
	pixels[0] = 0x00ff8040;
	pixels[640 * 480 - 1] = 0x00102030;
	EXPECT_EQ(0x00ff8040, pixels[0]);
	munmap(pixels, 640 * 480 * 4);
}

TEST_HARNESS_MAIN

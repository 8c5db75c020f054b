// SPDX-License-Identifier: GPL-2.0-only
/*
 * Frames as messages: what a FRAME tells, the pixels behind it through
 * dma-bufs, damage, the cursor, buffers going away, flip gating with its
 * deadline, latest-wins drops, the kernel's chunk records, and a daemon
 * killed mid-stream.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "miracast_kms_util.h"

#define FRAME_SIZE(n)	(sizeof(struct miracast_event_frame) + (n) * sizeof(struct miracast_rect))

FIXTURE(frame) {
	struct mc_display disp;
	struct mc_buf buf[3];
	struct mc_reader *r;
	int d;
};

FIXTURE_SETUP(frame)
{
	int i;

	ASSERT_EQ(0, mc_display_open(&self->disp, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mc_buf_create(self->disp.fd, &self->buf[i], 640, 480,
					   DRM_FORMAT_XRGB8888));
		mc_buf_fill(&self->buf[i], i);
	}
	self->d = mc_daemon_open(0);
	ASSERT_LE(0, self->d) TH_LOG("daemon side: %s", strerror(-self->d));
	self->r = mc_reader_new(self->d);
	ASSERT_NE(NULL, self->r);
	ASSERT_EQ(0, mc_set_deadline(100));
}

FIXTURE_TEARDOWN(frame)
{
	int i;

	if (self->d >= 0)
		close(self->d);
	free(self->r);
	mc_dark(&self->disp);
	for (i = 0; i < 3; i++)
		mc_buf_destroy(self->disp.fd, &self->buf[i]);
	mc_display_close(&self->disp);
	mc_set_deadline(100);
}

static int flip(FIXTURE_DATA(frame) *self, int i)
{
	return drmModePageFlip(self->disp.fd, self->disp.crtc, self->buf[i].fb,
			       DRM_MODE_PAGE_FLIP_EVENT, NULL);
}

/* Commits buf i with damage clips (n rectangles, or none); 0 or -errno. */
static int commit_damage(FIXTURE_DATA(frame) *self, int i, const struct drm_mode_rect *clips,
			 int n)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int ret;

	if (n && drmModeCreatePropertyBlob(self->disp.fd, clips, n * sizeof(*clips), &blob))
		return -errno;
	mc_add(req, self->disp.fd, self->disp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID",
	       self->buf[i].fb);
	mc_add(req, self->disp.fd, self->disp.primary, DRM_MODE_OBJECT_PLANE,
	       "FB_DAMAGE_CLIPS", blob);
	ret = drmModeAtomicCommit(self->disp.fd, req, 0, NULL);
	drmModeAtomicFree(req);
	if (blob)
		drmModeDestroyPropertyBlob(self->disp.fd, blob);
	return ret;
}

static long long frames_state(const char *key)
{
	return mc_state_num(0, key);
}

TEST_F(frame, describes_the_commit)
{
	struct mc_frame a, b, c;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	EXPECT_EQ(MIRACAST_EVENT_FRAME, a.f.hdr.type);
	EXPECT_EQ(FRAME_SIZE(1), a.f.hdr.size);
	EXPECT_LE(1, a.f.frame);
	EXPECT_NE(0, a.f.primary.buffer_id);
	EXPECT_EQ(DRM_FORMAT_XRGB8888, a.f.primary.format);
	EXPECT_EQ(DRM_FORMAT_MOD_LINEAR, a.f.primary.modifier);
	EXPECT_EQ(640, a.f.primary.width);
	EXPECT_EQ(480, a.f.primary.height);
	EXPECT_EQ(self->buf[0].pitch, a.f.primary.pitch);
	EXPECT_EQ(0, a.f.primary.offset);
	EXPECT_EQ(0, a.f.primary.crtc_x);
	EXPECT_EQ(0, a.f.primary.crtc_y);
	EXPECT_EQ(0, a.f.primary.src_x);
	EXPECT_EQ(0, a.f.primary.src_y);
	EXPECT_EQ(640, a.f.primary.src_w);
	EXPECT_EQ(480, a.f.primary.src_h);
	EXPECT_EQ(0, a.f.cursor.buffer_id);
	EXPECT_EQ(0, a.f.flags);
	/* no clips: everything is damaged */
	ASSERT_EQ(1, a.f.rect_count);
	EXPECT_EQ(0, a.rects[0].x1);
	EXPECT_EQ(0, a.rects[0].y1);
	EXPECT_EQ(640, a.rects[0].x2);
	EXPECT_EQ(480, a.rects[0].y2);
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));

	/* The next buffer: the next frame number, another id. */
	ASSERT_EQ(0, flip(self, 1));
	ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	EXPECT_EQ(a.f.frame + 1, b.f.frame);
	EXPECT_NE(a.f.primary.buffer_id, b.f.primary.buffer_id);
	/* shown from the vblank after the commit: the flip's, or one before */
	EXPECT_LE(b.f.vblank_seq, mc_flip_seq);
	EXPECT_NE(0, b.f.vblank_ns);
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));

	/* The first buffer again: the same id. */
	ASSERT_EQ(0, flip(self, 0));
	ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	ASSERT_EQ(0, mc_next_frame(self->r, &c));
	EXPECT_EQ(b.f.frame + 1, c.f.frame);
	EXPECT_EQ(a.f.primary.buffer_id, c.f.primary.buffer_id);
	EXPECT_LT(b.f.vblank_seq, c.f.vblank_seq);
	EXPECT_LT(b.f.vblank_ns, c.f.vblank_ns);
	ASSERT_EQ(0, mc_complete(self->d, c.id, MIRACAST_STATUS_SUCCESS));
}

FIXTURE(pixels) {
	struct mc_display disp;
	struct mc_buf buf;
	struct mc_reader *r;
	int d;
};

FIXTURE_VARIANT(pixels) {
	uint32_t format;
	uint32_t cpp;
};

FIXTURE_VARIANT_ADD(pixels, xrgb8888) { .format = DRM_FORMAT_XRGB8888, .cpp = 4 };
FIXTURE_VARIANT_ADD(pixels, argb8888) { .format = DRM_FORMAT_ARGB8888, .cpp = 4 };
FIXTURE_VARIANT_ADD(pixels, rgb565) { .format = DRM_FORMAT_RGB565, .cpp = 2 };

FIXTURE_SETUP(pixels)
{
	ASSERT_EQ(0, mc_display_open(&self->disp, 0));
	ASSERT_EQ(0, mc_buf_create(self->disp.fd, &self->buf, 640, 480, variant->format));
	self->d = mc_daemon_open(0);
	ASSERT_LE(0, self->d);
	self->r = mc_reader_new(self->d);
	ASSERT_NE(NULL, self->r);
}

FIXTURE_TEARDOWN(pixels)
{
	close(self->d);
	free(self->r);
	mc_dark(&self->disp);
	mc_buf_destroy(self->disp.fd, &self->buf);
	mc_display_close(&self->disp);
}

/* Draw, commit, read the frame, map its dma-buf: every byte as drawn. */
TEST_F(pixels, match_through_the_dmabuf)
{
	struct mc_frame f;
	size_t size, bytes;
	uint8_t *map;
	int fd;

	mc_buf_fill(&self->buf, variant->format);
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf, 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &f));
	EXPECT_EQ(variant->format, f.f.primary.format);
	ASSERT_EQ(self->buf.pitch, f.f.primary.pitch);
	EXPECT_LE(640 * variant->cpp, f.f.primary.pitch);

	map = mc_map_frame(self->d, &f, &fd, &size);
	ASSERT_NE(NULL, map) TH_LOG("map the frame: %s", strerror(errno));
	bytes = (size_t)f.f.primary.pitch * f.f.primary.height;
	ASSERT_LE(bytes, size);
	EXPECT_EQ(0, memcmp(map + f.f.primary.offset, self->buf.map, bytes));

	/* The same memory, not a copy: a change shows through the mapping. */
	self->buf.map[12345] ^= 0xff;
	EXPECT_EQ(self->buf.map[12345], map[12345]);
	mc_unmap_frame(fd, map, size);
	ASSERT_EQ(0, mc_complete(self->d, f.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, one_dmabuf_per_buffer)
{
	struct mc_frame a, b;
	struct stat s1, s2, s3;
	int fd1, fd2, fd3;
	void *map;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	ASSERT_EQ(0, flip(self, 1));
	ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));

	fd1 = mc_buffer_fd(self->d, a.f.primary.buffer_id, O_CLOEXEC, NULL);
	fd2 = mc_buffer_fd(self->d, a.f.primary.buffer_id, 0, NULL);
	fd3 = mc_buffer_fd(self->d, b.f.primary.buffer_id, 0, NULL);
	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	ASSERT_EQ(0, fstat(fd1, &s1));
	ASSERT_EQ(0, fstat(fd2, &s2));
	ASSERT_EQ(0, fstat(fd3, &s3));
	EXPECT_EQ(s1.st_ino, s2.st_ino);
	EXPECT_NE(s1.st_ino, s3.st_ino);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd1, F_GETFD));
	EXPECT_EQ(0, fcntl(fd2, F_GETFD));
	/* the daemon reads, it never writes */
	EXPECT_EQ(O_RDONLY, fcntl(fd1, F_GETFL) & O_ACCMODE);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd1, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EACCES, errno);
	close(fd1);
	close(fd2);
	close(fd3);
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, buffer_fd_errors)
{
	struct miracast_buffer_fd bad = { 0 };
	struct mc_frame a;
	int other;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, 0xfffffff0, 0, NULL));
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, a.f.primary.buffer_id | 1ULL << 32, 0, NULL));
	/* a buffer no frame has shown stays private to its client */
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, a.f.primary.buffer_id + 1, 0, NULL));
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, a.f.primary.buffer_id + 2, 0, NULL));
	EXPECT_EQ(-EINVAL, mc_buffer_fd(self->d, a.f.primary.buffer_id, O_NONBLOCK, NULL));
	bad.buffer_id = a.f.primary.buffer_id;
	bad.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(self->d, MIRACAST_IOC_GET_BUFFER_FD, &bad));
	EXPECT_EQ(EINVAL, errno);

	/* only the context's owner */
	other = mc_open(0);
	ASSERT_LE(0, other);
	EXPECT_EQ(-EPERM, mc_buffer_fd(other, a.f.primary.buffer_id, 0, NULL));
	close(other);
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	close(self->d);
	self->d = mc_open(0);
	EXPECT_EQ(-ENOTCONN, mc_buffer_fd(self->d, a.f.primary.buffer_id, 0, NULL));
}

TEST_F(frame, buffer_gone_after_the_last_frame)
{
	struct miracast_event_buffer_gone gone;
	struct mc_frame a, b;
	uint64_t id;
	drmModeFBPtr fb;

	ASSERT_EQ(0, mc_set_deadline(20));
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[2], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	/* the next flip is released by the deadline: a is held on */
	ASSERT_EQ(0, flip(self, 0));
	ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));

	/* Removed by its client, the buffer lives while a frame holds it. */
	ASSERT_EQ(0, drmModeRmFB(self->disp.fd, self->buf[2].fb));
	fb = drmModeGetFB(self->disp.fd, self->buf[2].fb);
	EXPECT_NE(NULL, fb);
	drmModeFreeFB(fb);
	self->r->wait_ms = 0;
	EXPECT_EQ(0, mc_next_of(self->r, MIRACAST_EVENT_BUFFER_GONE, &gone, sizeof(gone)));
	EXPECT_EQ(EAGAIN, errno);
	self->r->wait_ms = 5000;

	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	id = mc_next_of(self->r, MIRACAST_EVENT_BUFFER_GONE, &gone, sizeof(gone));
	ASSERT_NE(0, id);
	EXPECT_EQ(sizeof(gone), gone.hdr.size);
	EXPECT_EQ(a.f.primary.buffer_id, gone.buffer_id);
	EXPECT_EQ(0, mc_complete(self->d, id, MIRACAST_STATUS_SUCCESS));
	EXPECT_EQ(NULL, drmModeGetFB(self->disp.fd, self->buf[2].fb));
	EXPECT_EQ(-ENOENT, mc_buffer_fd(self->d, gone.buffer_id, 0, NULL));
	self->buf[2].fb = 0;
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, damage_is_the_clips_given)
{
	const struct drm_mode_rect clips[3] = {
		{ 0, 0, 16, 16 }, { 100, 200, 300, 220 }, { 600, 400, 640, 480 },
	};
	struct mc_frame a, b;
	int i;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	ASSERT_EQ(0, commit_damage(self, 0, clips, 3));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	EXPECT_EQ(FRAME_SIZE(3), b.f.hdr.size);
	EXPECT_EQ(0, b.f.flags);
	ASSERT_EQ(3, b.f.rect_count);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(clips[i].x1, b.rects[i].x1);
		EXPECT_EQ(clips[i].y1, b.rects[i].y1);
		EXPECT_EQ(clips[i].x2, b.rects[i].x2);
		EXPECT_EQ(clips[i].y2, b.rects[i].y2);
	}
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, many_clips_become_their_bounding_box)
{
	struct drm_mode_rect clips[20];
	struct mc_frame a, b;
	int i;

	for (i = 0; i < 20; i++)
		clips[i] = (struct drm_mode_rect){ 10 + i * 20, 30 + i, 20 + i * 20, 40 + i * 2 };
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	ASSERT_EQ(0, commit_damage(self, 0, clips, 20));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	EXPECT_EQ(MIRACAST_FRAME_DAMAGE_MERGED, b.f.flags);
	ASSERT_EQ(1, b.f.rect_count);
	EXPECT_EQ(10, b.rects[0].x1);
	EXPECT_EQ(30, b.rects[0].y1);
	EXPECT_EQ(400, b.rects[0].x2);
	EXPECT_EQ(78, b.rects[0].y2);
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, cursor_travels_with_the_frame)
{
	struct mc_buf cur;
	struct mc_frame a, b, c;
	drmModeAtomicReqPtr req;
	int fd;

	ASSERT_EQ(0, mc_buf_create(self->disp.fd, &cur, 64, 64, DRM_FORMAT_ARGB8888));
	mc_buf_fill(&cur, 9);
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));

	/* A cursor-only commit: no damage on the primary, the cursor's place. */
	req = drmModeAtomicAlloc();
	mc_add_plane(req, &self->disp, self->disp.cursor, &cur, 100, 50);
	ASSERT_EQ(0, drmModeAtomicCommit(self->disp.fd, req, 0, NULL));
	drmModeAtomicFree(req);
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	EXPECT_EQ(MIRACAST_FRAME_CURSOR_CHANGED, b.f.flags);
	EXPECT_EQ(0, b.f.rect_count);
	EXPECT_EQ(a.f.primary.buffer_id, b.f.primary.buffer_id);
	EXPECT_NE(0, b.f.cursor.buffer_id);
	EXPECT_EQ(DRM_FORMAT_ARGB8888, b.f.cursor.format);
	EXPECT_EQ(100, b.f.cursor.crtc_x);
	EXPECT_EQ(50, b.f.cursor.crtc_y);
	EXPECT_EQ(64, b.f.cursor.src_w);
	EXPECT_EQ(64, b.f.cursor.src_h);
	fd = mc_buffer_fd(self->d, b.f.cursor.buffer_id, 0, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));

	/* Partly off the display: clipped. */
	req = drmModeAtomicAlloc();
	mc_add_plane(req, &self->disp, self->disp.cursor, &cur, 620, -10);
	ASSERT_EQ(0, drmModeAtomicCommit(self->disp.fd, req, 0, NULL));
	drmModeAtomicFree(req);
	ASSERT_EQ(0, mc_next_frame(self->r, &c));
	EXPECT_EQ(620, c.f.cursor.crtc_x);
	EXPECT_EQ(0, c.f.cursor.crtc_y);
	EXPECT_EQ(0, c.f.cursor.src_x);
	EXPECT_EQ(10, c.f.cursor.src_y);
	EXPECT_EQ(20, c.f.cursor.src_w);
	EXPECT_EQ(54, c.f.cursor.src_h);
	ASSERT_EQ(0, mc_complete(self->d, c.id, MIRACAST_STATUS_SUCCESS));

	/* Larger than the cursor can be. */
	mc_dark(&self->disp);
	mc_buf_destroy(self->disp.fd, &cur);
	ASSERT_EQ(0, mc_buf_create(self->disp.fd, &cur, 512, 64, DRM_FORMAT_ARGB8888));
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	req = drmModeAtomicAlloc();
	mc_add_plane(req, &self->disp, self->disp.cursor, &cur, 0, 0);
	EXPECT_EQ(-EINVAL, drmModeAtomicCommit(self->disp.fd, req, DRM_MODE_ATOMIC_TEST_ONLY,
					       NULL));
	drmModeAtomicFree(req);
	mc_buf_destroy(self->disp.fd, &cur);
}

TEST_F(frame, flip_waits_for_the_previous_frame)
{
	long long gated = frames_state("flips_gated");
	struct mc_frame a, b;

	ASSERT_EQ(0, mc_set_deadline(5000));
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));

	/* The daemon reads buffer 0: the flip away from it waits. */
	ASSERT_EQ(0, flip(self, 1));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	ASSERT_EQ(0, mc_wait_vblanks(self->disp.fd, 3));
	EXPECT_EQ(0, mc_wait_flip(self->disp.fd, 0));
	EXPECT_EQ(gated + 1, frames_state("flips_gated"));

	/* Done with it: the flip completes at the next vblank. */
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	EXPECT_EQ(1, mc_wait_flip(self->disp.fd, 4000));
	EXPECT_LT(b.f.vblank_seq, mc_flip_seq);
	ASSERT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

/* A daemon thread that finishes frame a a while after the client moved on. */
struct late_reader {
	int card, d;
	uint64_t id;
	int flips_seen;		/* flip events readable before a was completed */
};

static void *complete_later(void *arg)
{
	struct late_reader *lr = arg;
	struct pollfd pfd = { .fd = lr->card, .events = POLLIN };

	usleep(300 * 1000);
	lr->flips_seen = poll(&pfd, 1, 0);
	mc_complete(lr->d, lr->id, MIRACAST_STATUS_SUCCESS);
	return NULL;
}

/*
 * A legacy cursor update waits for the flip before it, as on any atomic
 * driver; that flip stays gated by the frame the daemon reads, and the
 * daemon's completion, not the deadline, lets both through.
 */
TEST_F(frame, cursor_update_after_a_gated_flip)
{
	long long late = frames_state("frames_dropped_late");
	struct late_reader lr = { .card = self->disp.fd, .d = self->d };
	struct mc_frame a, c;
	pthread_t t;

	ASSERT_EQ(0, mc_set_deadline(5000));
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, flip(self, 1));
	lr.id = a.id;
	ASSERT_EQ(0, pthread_create(&t, NULL, complete_later, &lr));
	ASSERT_EQ(0, drmModeSetCursor(self->disp.fd, self->disp.crtc, self->buf[2].handle,
				      64, 64));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, lr.flips_seen) TH_LOG("the flip went through while a was read");
	EXPECT_EQ(1, mc_wait_flip(self->disp.fd, 1000));
	EXPECT_EQ(late, frames_state("frames_dropped_late"));

	/* the flip's frame was not read: the cursor's withdrew it */
	ASSERT_EQ(0, mc_next_frame(self->r, &c));
	EXPECT_NE(a.f.primary.buffer_id, c.f.primary.buffer_id);
	EXPECT_NE(0, c.f.cursor.buffer_id);
	EXPECT_TRUE(c.f.flags & MIRACAST_FRAME_CURSOR_CHANGED);
	ASSERT_EQ(0, mc_complete(self->d, c.id, MIRACAST_STATUS_SUCCESS));
	drmModeSetCursor(self->disp.fd, self->disp.crtc, 0, 0, 0);
}

TEST_F(frame, deadline_releases_the_flip)
{
	long long late = frames_state("frames_dropped_late");
	struct miracast_chunk_report ch[64];
	struct mc_frame a, b;
	int i, n, dropped = 0;

	ASSERT_EQ(0, mc_set_deadline(30));
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, flip(self, 1));
	/* a hung daemon: the flip completes all the same */
	EXPECT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	EXPECT_EQ(late + 1, frames_state("frames_dropped_late"));
	n = mc_get_chunks(self->d, ch, 64, 0);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++)
		if (ch[i].type == MIRACAST_CHUNK_FRAME_DROPPED) {
			EXPECT_EQ(MIRACAST_CHUNK_ID(a.f.frame, 0), ch[i].chunk_id);
			dropped++;
		}
	EXPECT_EQ(1, dropped);
	/* its late completion is still accepted */
	EXPECT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	ASSERT_EQ(0, mc_next_frame(self->r, &b));
	EXPECT_EQ(0, mc_complete(self->d, b.id, MIRACAST_STATUS_SUCCESS));
}

TEST_F(frame, latest_wins)
{
	long long dropped = frames_state("frames_dropped_unread");
	struct miracast_chunk_report ch[64];
	struct mc_frame last;
	uint64_t first = 0;
	int i, n, starts = 0, drops = 0;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	/* The daemon reads nothing: no flip waits, older frames make way. */
	for (i = 1; i <= 4; i++) {
		ASSERT_EQ(0, flip(self, i % 3));
		ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	}
	ASSERT_EQ(0, mc_next_frame(self->r, &last));
	/* only the newest was left to read */
	self->r->wait_ms = 0;
	EXPECT_EQ(-EAGAIN, mc_next_frame(self->r, &(struct mc_frame){ 0 }));
	EXPECT_EQ(dropped + 4, frames_state("frames_dropped_unread"));

	n = mc_get_chunks(self->d, ch, 64, 0);
	ASSERT_LE(9, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, MIRACAST_CHUNK_PART(ch[i].chunk_id));
		if (ch[i].type == MIRACAST_CHUNK_FRAME_START) {
			if (!starts++)
				first = MIRACAST_CHUNK_FRAME(ch[i].chunk_id);
			EXPECT_EQ(first + starts - 1, MIRACAST_CHUNK_FRAME(ch[i].chunk_id));
		} else if (ch[i].type == MIRACAST_CHUNK_FRAME_DROPPED) {
			EXPECT_EQ(first + drops, MIRACAST_CHUNK_FRAME(ch[i].chunk_id));
			drops++;
		}
	}
	EXPECT_EQ(5, starts);
	EXPECT_EQ(4, drops);
	EXPECT_EQ(first + 4, last.f.frame);
}

TEST_F(frame, chunk_queue)
{
	struct miracast_chunk_report ch[8];
	struct miracast_get_chunks g = { .chunks_ptr = (uintptr_t)ch, .count = 8,
					 .entry_size = sizeof(ch[0]) };
	struct pollfd pfd = { .fd = self->d, .events = POLLPRI };
	struct mc_frame a;
	int other;

	/* empty: no wait, or a bounded one */
	EXPECT_EQ(-ETIMEDOUT, mc_get_chunks(self->d, ch, 8, 0));
	EXPECT_EQ(-ETIMEDOUT, mc_get_chunks(self->d, ch, 8, 20));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-EINVAL, mc_get_chunks(self->d, ch, 0, 0));
	g.entry_size = 16;
	EXPECT_EQ(-1, ioctl(self->d, MIRACAST_IOC_GET_CHUNKS, &g));
	EXPECT_EQ(EINVAL, errno);
	g.entry_size = sizeof(ch[0]);
	g.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->d, MIRACAST_IOC_GET_CHUNKS, &g));
	EXPECT_EQ(EINVAL, errno);
	other = mc_open(0);
	ASSERT_LE(0, other);
	EXPECT_EQ(-EPERM, mc_get_chunks(other, ch, 8, 0));
	close(other);

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_TRUE(pfd.revents & POLLPRI);
	g.reserved = 0;
	g.timeout_ms = 1000;
	ASSERT_EQ(0, ioctl(self->d, MIRACAST_IOC_GET_CHUNKS, &g));
	ASSERT_EQ(1, g.returned);
	EXPECT_EQ(0, g.remaining);
	EXPECT_EQ(MIRACAST_CHUNK_FRAME_START, ch[0].type);
	EXPECT_EQ(MIRACAST_CHUNK_ID(a.f.frame, 0), ch[0].chunk_id);
	/* a bad destination loses nothing */
	ASSERT_EQ(0, flip(self, 1));
	ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	g.chunks_ptr = 8;
	EXPECT_EQ(-1, ioctl(self->d, MIRACAST_IOC_GET_CHUNKS, &g));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_LE(1, mc_get_chunks(self->d, ch, 8, 0));
	EXPECT_EQ(MIRACAST_CHUNK_FRAME_START, ch[0].type);
	EXPECT_EQ(MIRACAST_CHUNK_ID(a.f.frame + 1, 0), ch[0].chunk_id);
	ASSERT_EQ(0, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));

	/* destroying the context ends a waiter */
	close(self->d);
	self->d = mc_open(0);
	EXPECT_EQ(-ENOTCONN, mc_get_chunks(self->d, ch, 8, 0));
}

TEST_F(frame, chunk_overflow_is_reported_once)
{
	struct miracast_chunk_report ch[300];
	int i, n;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	/* two records per unread frame: FRAME_START and FRAME_DROPPED */
	for (i = 1; i <= 140; i++) {
		ASSERT_EQ(0, flip(self, i % 2));
		ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	}
	EXPECT_LE(1, frames_state("chunk_overflows"));
	EXPECT_EQ(-ECONNRESET, mc_get_chunks(self->d, ch, 300, 0));
	n = mc_get_chunks(self->d, ch, 300, 0);
	/* what came after the reset */
	EXPECT_LT(0, n);
	EXPECT_GT(256, n);
	EXPECT_EQ(-ETIMEDOUT, mc_get_chunks(self->d, ch, 300, 0));
}

TEST_F(frame, no_daemon_no_frames)
{
	long long not_sent;
	int i;

	close(self->d);
	self->d = -1;
	not_sent = frames_state("frames_not_sent");
	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, flip(self, i % 2));
		EXPECT_EQ(1, mc_wait_flip(self->disp.fd, 5000));
	}
	EXPECT_EQ(not_sent + 4, frames_state("frames_not_sent"));
	EXPECT_EQ(0, frames_state("outstanding"));
}

TEST_F(frame, stop_releases_the_buffers)
{
	struct mc_frame a;

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[2], 0));
	ASSERT_EQ(0, mc_next_frame(self->r, &a));
	ASSERT_EQ(0, mc_dark(&self->disp));
	ASSERT_EQ(0, drmModeRmFB(self->disp.fd, self->buf[2].fb));
	EXPECT_NE(NULL, drmModeGetFB(self->disp.fd, self->buf[2].fb));
	ASSERT_EQ(0, ioctl(self->d, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(NULL, drmModeGetFB(self->disp.fd, self->buf[2].fb));
	EXPECT_EQ(-ENOENT, mc_complete(self->d, a.id, MIRACAST_STATUS_SUCCESS));
	self->buf[2].fb = 0;
}

/* A daemon that streams (reads and completes every frame) until killed. */
static void streaming_daemon(int ready)
{
	drmModeModeInfo mode = mc_mode_640x480();
	struct pollfd pfd = { .events = POLLIN };
	struct mc_reader *r;
	struct mc_frame f;
	int d = mc_daemon_open(0);

	if (d < 0 || mc_arrive(d, &mode))
		_exit(1);
	r = mc_reader_new(d);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	pfd.fd = d;
	for (;;) {
		poll(&pfd, 1, 1000);
		while (mc_next_frame(r, &f) == 0)
			mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS);
	}
}

TEST_F(frame, daemon_killed_mid_stream)
{
	drmModeConnectorPtr c;
	int p[2], i, status;
	pid_t pid;
	char x;

	close(self->d);
	self->d = -1;
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		streaming_daemon(p[1]);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &x, 1));
	close(p[0]);
	c = drmModeGetConnector(self->disp.fd, self->disp.connector);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_CONNECTED, c->connection);
	drmModeFreeConnector(c);

	ASSERT_EQ(0, mc_light(&self->disp, &self->buf[0], 0));
	for (i = 1; i <= 40; i++) {
		if (i == 20) {
			ASSERT_EQ(0, kill(pid, SIGKILL));
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
		}
		ASSERT_EQ(0, flip(self, i % 3)) TH_LOG("flip %d", i);
		ASSERT_EQ(1, mc_wait_flip(self->disp.fd, 5000)) TH_LOG("flip %d", i);
	}
	c = drmModeGetConnector(self->disp.fd, self->disp.connector);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_DISCONNECTED, c->connection);
	drmModeFreeConnector(c);
	EXPECT_EQ(0, frames_state("outstanding"));
	EXPECT_STREQ("none", mc_state(0, "context", (char[32]){ 0 }, 32));
}

TEST_HARNESS_MAIN

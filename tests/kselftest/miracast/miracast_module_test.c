// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetime of miracast.ko and its devices: unloading while in use,
 * load/unload cycles, the "instances" parameter (independent displays),
 * unbinding a device from under open files, mapped buffers and parked
 * flips, and the fbdev emulation. Needs root and $MIRACAST_KO; leaves the
 * module loaded with its default parameters.
 */
#include <ctype.h>
#include <dirent.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "miracast_kms_util.h"

#define PLATFORM_DRIVER	"/sys/bus/platform/drivers/miracast"

FIXTURE(module) {
	int unused;
};

FIXTURE_SETUP(module)
{
	ASSERT_NE(NULL, getenv("MIRACAST_KO")) TH_LOG("set MIRACAST_KO to miracast.ko");
	ASSERT_EQ(0, getuid()) TH_LOG("needs root");
	if (!mc_module_loaded())
		ASSERT_EQ(0, mc_module_load(""));
}

FIXTURE_TEARDOWN(module)
{
	/* Back to one device with default parameters, whatever happened. */
	if (!mc_exists("/dev/miracast0") || mc_exists("/dev/miracast1")) {
		mc_module_unload();
		mc_module_load("");
	}
}

static void expect_devices(struct __test_metadata *_metadata, int n)
{
	char path[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/miracast%d", i);
		EXPECT_TRUE(mc_exists(path)) TH_LOG("%s missing", path);
		EXPECT_LE(0, mc_card_index(i)) TH_LOG("no DRM card for %s", path);
	}
	snprintf(path, sizeof(path), "/dev/miracast%d", n);
	EXPECT_FALSE(mc_exists(path)) TH_LOG("%s should not exist", path);
}

TEST_F(module, unload_refused_while_open)
{
	int fd, card;

	fd = mc_open(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, mc_module_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(mc_module_loaded());
	close(fd);

	/* The DRM card pins the module as well. */
	card = mc_open_card(0);
	ASSERT_LE(0, card);
	EXPECT_EQ(-1, mc_module_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(card);

	EXPECT_EQ(0, mc_module_unload()) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(mc_module_loaded());
	EXPECT_FALSE(mc_exists("/dev/miracast0"));
	ASSERT_EQ(0, mc_module_load(""));
	expect_devices(_metadata, 1);
}

TEST_F_TIMEOUT(module, load_unload_cycles, 300)
{
	int i, card;

	for (i = 0; i < 10; i++) {
		card = mc_card_index(0);
		ASSERT_LE(0, card);
		ASSERT_EQ(0, mc_module_unload()) TH_LOG("cycle %d: %s", i, strerror(errno));
		EXPECT_FALSE(mc_exists("/dev/miracast0"));
		EXPECT_FALSE(mc_exists(MC_SYSFS_MISC "/miracast0"));
		EXPECT_FALSE(mc_exists(PLATFORM_DRIVER));
		EXPECT_FALSE(mc_exists("/sys/devices/platform/miracast.0"));
		ASSERT_EQ(0, mc_module_load("")) TH_LOG("cycle %d: %s", i, strerror(errno));
		expect_devices(_metadata, 1);
		/* Each life of the device is a working one. */
		EXPECT_EQ(0, mc_state_num(0, "open_files"));
	}
}

TEST_F(module, instances_parameter)
{
	int i, fd[3];

	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load("instances=3"));
	expect_devices(_metadata, 3);
	/* Three separate displays, each with its own card and state. */
	EXPECT_NE(mc_card_index(0), mc_card_index(1));
	EXPECT_NE(mc_card_index(1), mc_card_index(2));
	for (i = 0; i < 3; i++) {
		fd[i] = mc_open(i);
		ASSERT_LE(0, fd[i]);
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, mc_state_num(i, "open_files"));
	for (i = 0; i < 3; i++)
		close(fd[i]);
	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load(""));
	expect_devices(_metadata, 1);
}

TEST_F(module, instances_out_of_range)
{
	static const char * const bad[] = {
		"instances=0", "instances=9", "instances=-1", "instances=many",
	};
	unsigned int i;

	ASSERT_EQ(0, mc_module_unload());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, mc_module_load(bad[i])) TH_LOG("%s loaded", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i], strerror(errno));
		EXPECT_FALSE(mc_module_loaded());
	}
	ASSERT_EQ(0, mc_module_load("instances=8"));
	expect_devices(_metadata, 8);
	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load(""));
}

TEST_F(module, unbind_with_open_files)
{
	struct miracast_caps caps;
	drmModeResPtr res;
	int fd, card;

	fd = mc_open(0);
	ASSERT_LE(0, fd);
	card = mc_open_card(0);
	ASSERT_LE(0, card);

	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/unbind", "miracast.0"))
		TH_LOG("unbind: %s", strerror(errno));
	EXPECT_FALSE(mc_exists("/dev/miracast0"));
	EXPECT_FALSE(mc_exists(MC_SYSFS_MISC "/miracast0"));

	/* The files stay valid; the device behind them is gone. */
	EXPECT_EQ(-1, ioctl(fd, MIRACAST_IOC_QUERY_CAPS, &caps));
	EXPECT_EQ(ENODEV, errno);
	res = drmModeGetResources(card);
	EXPECT_EQ(NULL, res);
	EXPECT_EQ(ENODEV, errno);
	drmModeFreeResources(res);
	/* Unloading waits for them. */
	EXPECT_EQ(-1, mc_module_unload());
	close(fd);
	close(card);

	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/bind", "miracast.0"))
		TH_LOG("bind: %s", strerror(errno));
	expect_devices(_metadata, 1);
	fd = mc_open(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, MIRACAST_IOC_QUERY_CAPS, &caps));
	close(fd);
}

TEST_F(module, unbind_cancels_a_running_session)
{
	struct miracast_create_context c = { 0 };
	struct miracast_start_session st = { 0 };
	struct pollfd pfd;
	char buf[256];
	int fd;

	fd = mc_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	ASSERT_EQ(0, ioctl(fd, MIRACAST_IOC_START_SESSION, &st));
	ASSERT_EQ(0, mc_test_send(0, 5, 16, 16, 0));
	ASSERT_LT(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(5, mc_state_num(0, "outstanding"));

	/*
	 * Every message is cancelled; the device's test hook warns in the
	 * kernel log, which fails the run, if any callback did not run once.
	 */
	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/unbind", "miracast.0"));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	EXPECT_EQ(-1, ioctl(fd, MIRACAST_IOC_START_SESSION, &st));
	EXPECT_EQ(ENODEV, errno);
	close(fd);

	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/bind", "miracast.0"));
	expect_devices(_metadata, 1);
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(0, mc_state_num(0, "sent"));
	fd = mc_open(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	close(fd);
}

/* One display of a device: its card lit with a buffer, its daemon side. */
struct display {
	struct mc_display disp;
	struct mc_buf buf[2];
	struct mc_reader *r;
	int d;
};

static int display_open(struct display *x, int index)
{
	int i, ret;

	ret = mc_display_open(&x->disp, index);
	for (i = 0; !ret && i < 2; i++) {
		ret = mc_buf_create(x->disp.fd, &x->buf[i], 640, 480, DRM_FORMAT_XRGB8888);
		if (!ret)
			mc_buf_fill(&x->buf[i], 10 * index + i);
	}
	if (ret)
		return ret;
	x->d = mc_daemon_open(index);
	if (x->d < 0)
		return x->d;
	x->r = mc_reader_new(x->d);
	return x->r ? 0 : -ENOMEM;
}

static void display_close(struct display *x)
{
	int i;

	if (x->d >= 0)
		close(x->d);
	free(x->r);
	for (i = 0; i < 2; i++)
		mc_buf_destroy(x->disp.fd, &x->buf[i]);
	mc_display_close(&x->disp);
}

static int connection(struct display *x)
{
	drmModeConnectorPtr c = drmModeGetConnector(x->disp.fd, x->disp.connector);
	int status = c ? (int)c->connection : -1;

	drmModeFreeConnector(c);
	return status;
}

/* Whether the frame's buffer, seen through its dma-buf, holds buf's pixels. */
static bool frame_shows(struct display *x, const struct mc_frame *f, const struct mc_buf *b)
{
	size_t size;
	uint8_t *map;
	bool same;
	int fd;

	map = mc_map_frame(x->d, f, &fd, &size);
	if (!map)
		return false;
	same = size >= b->size && !memcmp(map + f->f.primary.offset, b->map, b->size);
	mc_unmap_frame(fd, map, size);
	return same;
}

TEST_F_TIMEOUT(module, instances_are_independent_displays, 120)
{
	drmModeModeInfo mode = mc_mode_640x480();
	struct display x[3];
	struct mc_frame f;
	int i;

	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load("instances=3"));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, display_open(&x[i], i)) TH_LOG("display %d", i);

	/* A sink arrives on the second display only. */
	ASSERT_EQ(0, mc_arrive(x[1].d, &mode));
	EXPECT_EQ(DRM_MODE_DISCONNECTED, connection(&x[0]));
	EXPECT_EQ(DRM_MODE_CONNECTED, connection(&x[1]));
	EXPECT_EQ(DRM_MODE_DISCONNECTED, connection(&x[2]));

	/* Each display's frames reach its own daemon, with its own pixels. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, mc_light(&x[i].disp, &x[i].buf[0], 0)) TH_LOG("display %d", i);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mc_next_frame(x[i].r, &f)) TH_LOG("display %d", i);
		EXPECT_TRUE(frame_shows(&x[i], &f, &x[i].buf[0])) TH_LOG("display %d", i);
		EXPECT_EQ(0, mc_complete(x[i].d, f.id, MIRACAST_STATUS_SUCCESS));
		EXPECT_EQ(1, mc_state_num(i, "frames_sent"));
	}

	/* The second daemon goes; the others stream on. */
	close(x[1].d);
	x[1].d = -1;
	EXPECT_EQ(DRM_MODE_DISCONNECTED, connection(&x[1]));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drmModePageFlip(x[i].disp.fd, x[i].disp.crtc, x[i].buf[1].fb,
					     DRM_MODE_PAGE_FLIP_EVENT, NULL));
		EXPECT_EQ(1, mc_wait_flip(x[i].disp.fd, 5000)) TH_LOG("display %d", i);
		if (i == 1)
			continue;
		ASSERT_EQ(0, mc_next_frame(x[i].r, &f)) TH_LOG("display %d", i);
		EXPECT_TRUE(frame_shows(&x[i], &f, &x[i].buf[1])) TH_LOG("display %d", i);
		EXPECT_EQ(0, mc_complete(x[i].d, f.id, MIRACAST_STATUS_SUCCESS));
		EXPECT_EQ(2, mc_state_num(i, "frames_sent"));
	}
	EXPECT_EQ(1, mc_state_num(1, "frames_sent"));
	EXPECT_EQ(1, mc_state_num(1, "frames_not_sent"));

	for (i = 0; i < 3; i++) {
		mc_dark(&x[i].disp);
		display_close(&x[i]);
	}
	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load(""));
}

TEST_F(module, unbind_with_everything_open)
{
	struct display x;
	struct mc_frame f;
	uint8_t *map;
	size_t size;
	int fd;

	ASSERT_EQ(0, mc_set_deadline(5000));
	ASSERT_EQ(0, display_open(&x, 0));
	ASSERT_EQ(0, mc_light(&x.disp, &x.buf[0], 0));
	ASSERT_EQ(0, mc_next_frame(x.r, &f));
	map = mc_map_frame(x.d, &f, &fd, &size);
	ASSERT_NE(NULL, map);
	/* The next flip waits for f, which the daemon holds on to. */
	ASSERT_EQ(0, drmModePageFlip(x.disp.fd, x.disp.crtc, x.buf[1].fb,
				     DRM_MODE_PAGE_FLIP_EVENT, NULL));
	EXPECT_EQ(0, mc_wait_flip(x.disp.fd, 200));

	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/unbind", "miracast.0"));
	/* The parked flip completes; the client is not left waiting. */
	EXPECT_EQ(1, mc_wait_flip(x.disp.fd, 1000));
	/* The mapping stays valid and shows what was drawn. */
	EXPECT_EQ(0, memcmp(map + f.f.primary.offset, x.buf[0].map, x.buf[0].size));
	EXPECT_EQ(-ENODEV, mc_complete(x.d, f.id, MIRACAST_STATUS_SUCCESS));
	EXPECT_EQ(-ENODEV, mc_buffer_fd(x.d, f.f.primary.buffer_id, 0, NULL));
	EXPECT_EQ(-ENODEV, mc_get_chunks(x.d, (struct miracast_chunk_report[1]){ 0 }, 1, 0));
	EXPECT_EQ(-ENODEV, mc_light(&x.disp, &x.buf[1], 0));
	EXPECT_EQ(-1, mc_module_unload());

	mc_unmap_frame(fd, map, size);
	display_close(&x);
	ASSERT_EQ(0, mc_sysfs_write(PLATFORM_DRIVER "/bind", "miracast.0"));
	expect_devices(_metadata, 1);
	/* A new life: a working display. */
	ASSERT_EQ(0, display_open(&x, 0));
	ASSERT_EQ(0, mc_light(&x.disp, &x.buf[1], 0));
	ASSERT_EQ(0, mc_next_frame(x.r, &f));
	EXPECT_TRUE(frame_shows(&x, &f, &x.buf[1]));
	mc_dark(&x.disp);
	display_close(&x);
	mc_set_deadline(100);
}

/* The fbdev (in /sys/class/graphics) of the first display, or -1. */
static int miracast_fb(void)
{
	struct dirent *e;
	char path[300], name[64];
	int index = -1;
	DIR *dir;
	FILE *f;

	dir = opendir("/sys/class/graphics");
	if (!dir)
		return -1;
	while (index < 0 && (e = readdir(dir))) {
		if (strncmp(e->d_name, "fb", 2) || !isdigit((unsigned char)e->d_name[2]))
			continue;
		snprintf(path, sizeof(path), "/sys/class/graphics/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, "miracastdrmfb", 13))
			index = atoi(e->d_name + 2);
		fclose(f);
	}
	closedir(dir);
	return index;
}

#define LINE	(640 * 4)

/*
 * With no DRM master, the fbdev emulation lights the display up when a sink
 * arrives (the console shows on it), and what is written to /dev/fbN
 * reaches the daemon as frames.
 */
TEST_F_TIMEOUT(module, fbdev_shows_on_the_sink, 60)
{
	drmModeModeInfo mode = mc_mode_640x480();
	struct miracast_event_mode m;
	static uint8_t band[80 * LINE];
	uint8_t *map;
	struct mc_reader *r;
	struct mc_frame f;
	char path[32];
	size_t size;
	int d, fb, fd, y;
	uint64_t id;

	if (!mc_exists("/sys/class/graphics"))
		SKIP(return, "this kernel has no fbdev (CONFIG_FB)");
	ASSERT_EQ(0, mc_module_unload());
	ASSERT_EQ(0, mc_module_load(""));
	EXPECT_EQ(-1, miracast_fb()) TH_LOG("an fbdev before any sink");

	d = mc_daemon_open(0);
	ASSERT_LE(0, d);
	r = mc_reader_new(d);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mc_arrive(d, &mode));
	id = mc_next_of(r, MIRACAST_EVENT_MODE, &m, sizeof(m));
	ASSERT_NE(0, id) TH_LOG("no modeset from the fbdev emulation: %s", strerror(errno));
	EXPECT_EQ(640, m.mode.hdisplay);
	EXPECT_EQ(480, m.mode.vdisplay);
	EXPECT_EQ(0, mc_complete(d, id, MIRACAST_STATUS_SUCCESS));
	fb = miracast_fb();
	ASSERT_LE(0, fb);
	/* the console is on it; its cursor need not blink meanwhile */
	mc_sysfs_write("/sys/class/graphics/fbcon/cursor_blink", "0");
	r->wait_ms = 200;
	while (mc_next_frame(r, &f) == 0)
		EXPECT_EQ(0, mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS));
	r->wait_ms = 5000;

	/*
	 * A band of known pixels written to the bottom of the fbdev... (in
	 * one write: 6.1's fbdev damages nothing for a write of exactly one
	 * whole line)
	 */
	snprintf(path, sizeof(path), "/dev/fb%d", fb);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	for (y = 400; y < 480; y++)
		memset(band + (y - 400) * LINE, y, LINE);
	ASSERT_EQ((ssize_t)sizeof(band), pwrite(fd, band, sizeof(band), 400 * LINE));
	close(fd);

	/* ...arrives as a damaged frame showing it. */
	for (;;) {
		ASSERT_EQ(0, mc_next_frame(r, &f));
		/* the frame whose damage covers the band */
		if (f.f.rect_count == 1 && f.rects[0].y1 <= 400 && f.rects[0].y2 == 480)
			break;
		EXPECT_EQ(0, mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS));
	}
	EXPECT_EQ(DRM_FORMAT_XRGB8888, f.f.primary.format);
	EXPECT_EQ(640, f.f.primary.width);
	ASSERT_EQ(LINE, f.f.primary.pitch);
	map = mc_map_frame(d, &f, &fd, &size);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(0, memcmp(map + f.f.primary.offset + 400 * LINE, band, sizeof(band)));
	mc_unmap_frame(fd, map, size);
	EXPECT_EQ(0, mc_complete(d, f.id, MIRACAST_STATUS_SUCCESS));
	close(d);
	free(r);
	mc_sysfs_write("/sys/class/graphics/fbcon/cursor_blink", "1");

	/* The buffer the daemon was given does not pin the module. */
	EXPECT_EQ(0, mc_module_unload()) TH_LOG("unload: %s", strerror(errno));
	ASSERT_EQ(0, mc_module_load(""));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetime of miracast.ko and its devices: unloading while in use,
 * load/unload cycles, the "instances" parameter, and unbinding a device
 * from under open files. Needs root and $MIRACAST_KO; leaves the module
 * loaded with its default parameters.
 */
#include <poll.h>
#include <sys/ioctl.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kselftest_harness.h"
#include "miracast_util.h"
#include "miracast.h"

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

TEST_HARNESS_MAIN

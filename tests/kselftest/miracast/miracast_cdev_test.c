// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/miracastN: the node, its place in sysfs, opening and closing it,
 * ioctls it does not know, and its debugfs state.
 */
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "miracast_util.h"

#define MISC_MAJOR	10

TEST(devnode)
{
	unsigned int maj, min;
	struct stat st;
	char buf[32];
	FILE *f;

	ASSERT_EQ(0, stat("/dev/miracast0", &st)) TH_LOG("%s", strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));

	f = fopen(MC_SYSFS_MISC "/miracast0/dev", "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	ASSERT_EQ(2, sscanf(buf, "%u:%u", &maj, &min));
	EXPECT_EQ(major(st.st_rdev), maj);
	EXPECT_EQ(minor(st.st_rdev), min);
}

TEST(sysfs_topology)
{
	char link[PATH_MAX];
	ssize_t n;

	n = readlink(MC_SYSFS_MISC "/miracast0/device", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("miracast.0", strrchr(link, '/') + 1);

	n = readlink(MC_SYSFS_MISC "/miracast0/device/driver", link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("miracast", strrchr(link, '/') + 1);

	EXPECT_LE(0, mc_card_index(0));
	EXPECT_EQ(-1, mc_card_index(1));
	EXPECT_FALSE(mc_exists("/dev/miracast1"));
}

TEST(open_close)
{
	int i, fd;

	ASSERT_EQ(0, mc_state_num(0, "open_files"));
	for (i = 0; i < 100; i++) {
		fd = mc_open(0);
		ASSERT_LE(0, fd) TH_LOG("open #%d: %s", i, strerror(errno));
		ASSERT_EQ(1, mc_state_num(0, "open_files"));
		ASSERT_EQ(0, close(fd));
	}
	EXPECT_EQ(0, mc_state_num(0, "open_files"));

	/* A stream, not a file: no seeking. */
	fd = mc_open(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

TEST(two_opens)
{
	int a, b;

	a = mc_open(0);
	ASSERT_LE(0, a);
	b = mc_open(0);
	ASSERT_LE(0, b);
	EXPECT_EQ(2, mc_state_num(0, "open_files"));
	EXPECT_EQ(-1, ioctl(a, _IO('M', 0)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(b, _IO('M', 0)));
	EXPECT_EQ(ENOTTY, errno);
	close(a);
	EXPECT_EQ(1, mc_state_num(0, "open_files"));
	EXPECT_EQ(-1, ioctl(b, _IO('M', 0)));
	EXPECT_EQ(ENOTTY, errno);
	close(b);
	EXPECT_EQ(0, mc_state_num(0, "open_files"));
}

TEST(unknown_ioctl)
{
	static const unsigned long cmds[] = {
		0,
		_IO('M', 0),
		_IOR('M', 1, __u32),
		_IOWR('M', 0xff, __u64),
		_IOW('M', 0x7f, char[4096]),
		_IOWR('d', 0x00, char[64]),	/* DRM_IOCTL_VERSION's number */
		0xdeadbeef,
		~0ul,
	};
	__u64 arg[512] = { 0 };
	unsigned int i;
	int fd;

	fd = mc_open(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], arg)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
		/* A bad pointer changes nothing: the command is unknown. */
		EXPECT_EQ(-1, ioctl(fd, cmds[i], (void *)8));
		EXPECT_EQ(ENOTTY, errno);
	}
	close(fd);
}

TEST(debugfs_state)
{
	char buf[64];

	ASSERT_NE(NULL, mc_state(0, "device", buf, sizeof(buf)))
		TH_LOG("no %s/N/miracast_state (is debugfs mounted?)", MC_DEBUGFS_DRI);
	EXPECT_STREQ("/dev/miracast0", buf);
	ASSERT_NE(NULL, mc_state(0, "connector", buf, sizeof(buf)));
	EXPECT_STREQ("disconnected", buf);
	EXPECT_EQ(0, mc_state_num(0, "open_files"));
	EXPECT_LE(0, mc_state_num(0, "plane_updates"));
	EXPECT_EQ(NULL, mc_state(0, "no_such_key", buf, sizeof(buf)));
}

TEST(unprivileged_open)
{
	pid_t pid;
	int status;

	/* Mode 0660 root:root without udev: "nobody" may not open it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(mc_open(0) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* The udev rule gives the node to group "video": its members may open it. */
TEST(video_group_may_open)
{
	const gid_t video = 44;	/* Debian's fixed gid of "video" */
	pid_t pid;
	int status;

	ASSERT_EQ(0, chown("/dev/miracast0", 0, video));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgroups(1, &video) || setgid(video) || setuid(65534))
			_exit(2);
		fd = mc_open(0);
		_exit(fd >= 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	chown("/dev/miracast0", 0, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN

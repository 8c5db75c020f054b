/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the miracast kselftests: finding a device's nodes,
 * reading its debugfs state, loading and unloading the module.
 */
#ifndef MIRACAST_UTIL_H
#define MIRACAST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "miracast.h"

#define MC_SYSFS_MISC	"/sys/class/misc"
#define MC_DEBUGFS_DRI	"/sys/kernel/debug/dri"

/* Index of /dev/dri/cardN of the display behind /dev/miracastI, or -1. */
static inline int mc_card_index(int index)
{
	char path[PATH_MAX];
	struct dirent *de;
	int card = -1;
	DIR *dir;

	snprintf(path, sizeof(path), MC_SYSFS_MISC "/miracast%d/device/drm", index);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (sscanf(de->d_name, "card%d", &card) == 1)
			break;
		card = -1;
	}
	closedir(dir);
	return card;
}

/* Opens /dev/dri/cardN of /dev/miracastI. */
static inline int mc_open_card(int index)
{
	char path[64];
	int card = mc_card_index(index);

	if (card < 0) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/dri/card%d", card);
	return open(path, O_RDWR | O_CLOEXEC);
}

static inline int mc_open(int index)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/miracast%d", index);
	return open(path, O_RDWR | O_CLOEXEC);
}

/*
 * Value of "key: value" in the debugfs state of /dev/miracastI, as a
 * string copied into buf; returns buf, or NULL if absent.
 */
static inline char *mc_state(int index, const char *key, char *buf, size_t size)
{
	char path[PATH_MAX], line[256];
	size_t klen = strlen(key);
	char *found = NULL;
	FILE *f;
	int card = mc_card_index(index);

	if (card < 0)
		return NULL;
	snprintf(path, sizeof(path), MC_DEBUGFS_DRI "/%d/miracast_state", card);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + klen + 2) >= size)
			break;
		strcpy(buf, line + klen + 2);
		found = buf;
		break;
	}
	fclose(f);
	return found;
}

static inline long long mc_state_num(int index, const char *key)
{
	char buf[64];

	if (!mc_state(index, key, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static inline int mc_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* finit_module() of $MIRACAST_KO with the given parameters. */
static inline int mc_module_load(const char *params)
{
	const char *ko = getenv("MIRACAST_KO");
	int fd, ret, saved;

	if (!ko) {
		errno = EINVAL;
		return -1;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, params, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

static inline int mc_module_unload(void)
{
	return syscall(__NR_delete_module, "miracast", O_NONBLOCK);
}

static inline int mc_module_loaded(void)
{
	return mc_exists("/sys/module/miracast");
}

/* Writes a string to a sysfs attribute. */
static inline int mc_sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int saved;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* Path of a debugfs file of /dev/miracastI's DRM minor. */
static inline int mc_debugfs_path(int index, const char *name, char *path, size_t size)
{
	int card = mc_card_index(index);

	if (card < 0)
		return -1;
	snprintf(path, size, MC_DEBUGFS_DRI "/%d/%s", card, name);
	return 0;
}

/*
 * The test hook: "send COUNT IN OUT SEED" or "reset". Returns 0 or -errno
 * of the write.
 */
static inline int mc_test_cmd(int index, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int mc_test_cmd(int index, const char *fmt, ...)
{
	char path[PATH_MAX], cmd[128];
	va_list ap;
	int fd, ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (mc_debugfs_path(index, "miracast_test", path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, cmd, strlen(cmd)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static inline int mc_test_send(int index, unsigned int count, unsigned int in_size,
			       unsigned int out_size, unsigned int seed)
{
	return mc_test_cmd(index, "send %u %u %u %u", count, in_size, out_size, seed);
}

/* One message the test hook sent, as its callback saw it. */
struct mc_test_rec {
	unsigned int index;
	int ret;
	unsigned int calls;
	unsigned int status;
	unsigned long long info;
	char ctx[16];
	char out[72];
};

/*
 * Reads the test hook's records into recs (up to max); returns how many
 * there are (possibly more than max), or -1. *refused gets the refusals.
 */
static inline int mc_test_results(int index, struct mc_test_rec *recs, int max,
				  unsigned long long *refused)
{
	char path[PATH_MAX], line[256];
	struct mc_test_rec r;
	int n = 0;
	FILE *f;

	if (mc_debugfs_path(index, "miracast_test", path, sizeof(path)))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		memset(&r, 0, sizeof(r));
		if (refused && sscanf(line, "refused %llu", refused) == 1)
			continue;
		if (sscanf(line, "%u ret %d calls %u status %x info %llu ctx %15s out %71s",
			   &r.index, &r.ret, &r.calls, &r.status, &r.info, r.ctx, r.out) < 6)
			continue;
		if (n < max)
			recs[n] = r;
		n++;
	}
	fclose(f);
	return n;
}

/*
 * Hands out the messages of a daemon fd one at a time: read() returns
 * several back to back.
 */
struct mc_reader {
	int fd;
	int wait_ms;			/* for a message to come (5000) */
	size_t len, off;
	unsigned char buf[1 << 17] __attribute__((aligned(8)));
};

static inline struct mc_reader *mc_reader_new(int fd)
{
	struct mc_reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->fd = fd;
		r->wait_ms = 5000;
	}
	return r;
}

/* The next message (valid until the next call), or NULL with errno set. */
static inline struct miracast_msg_header *mc_next_msg(struct mc_reader *r)
{
	struct miracast_msg_header *h;

	if (r->off >= r->len) {
		ssize_t n = read(r->fd, r->buf, sizeof(r->buf));

		if (n < 0 && errno == EAGAIN && r->wait_ms) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

			if (poll(&pfd, 1, r->wait_ms) == 1)
				n = read(r->fd, r->buf, sizeof(r->buf));
			else
				errno = EAGAIN;
		}
		if (n <= 0) {
			if (n == 0)
				errno = ENODATA;
			return NULL;
		}
		r->len = n;
		r->off = 0;
	}
	h = (struct miracast_msg_header *)(r->buf + r->off);
	r->off += MIRACAST_MSG_SIZE(h->in_size);
	return h;
}

#endif /* MIRACAST_UTIL_H */

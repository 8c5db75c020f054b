// SPDX-License-Identifier: GPL-2.0-only
/*
 * The message contract of /dev/miracastN: the context's lifecycle, every
 * ioctl in every wrong state, messages held before START_SESSION and
 * cancelled during and after STOP_SESSION, read() and poll(), completions
 * (single and batched) with their status blocks, cancellation by stop,
 * destroy, close and SIGKILL, exactly once, and the limits. The kernel's
 * sends come from the debugfs test hook, which also reports what each
 * callback received.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kselftest_harness.h"
#include "miracast_util.h"
#include "miracast.h"

#define CANCELLED	MIRACAST_STATUS_CANCELLED

/* An address nothing is mapped at, hidden from the compiler's checks. */
static char *volatile bad_ptr = (char *)16;
#define MAX_RECS	4096

struct msgbuf {
	struct miracast_msg_header hdr;
	unsigned char payload[4096];
};

static long long param(const char *name)
{
	char path[128], buf[32];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/miracast/parameters/%s", name);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	fclose(f);
	return strtoll(buf, NULL, 10);
}

static int create(int fd)
{
	struct miracast_create_context c = { 0 };

	return ioctl(fd, MIRACAST_IOC_CREATE_CONTEXT, &c) ? -errno : 0;
}

static int start(int fd)
{
	struct miracast_start_session s = { .current_bitrate = 10000000 };

	return ioctl(fd, MIRACAST_IOC_START_SESSION, &s) ? -errno : 0;
}

static int simple(int fd, unsigned long cmd)
{
	return ioctl(fd, cmd) ? -errno : 0;
}

static int complete(int fd, uint64_t id, uint32_t status, const void *out, uint32_t size)
{
	struct miracast_completion c = {
		.id = id, .status = status, .out_ptr = (uintptr_t)out, .out_size = size,
	};

	return ioctl(fd, MIRACAST_IOC_COMPLETE, &c) ? -errno : 0;
}

static int io_control(int fd, uint32_t opcode, const void *in, uint32_t in_size,
		      void *out, uint32_t out_size, uint32_t *returned)
{
	struct miracast_io_control c = {
		.opcode = opcode,
		.in_ptr = (uintptr_t)in, .in_size = in_size,
		.out_ptr = (uintptr_t)out, .out_size = out_size,
	};
	int ret = ioctl(fd, MIRACAST_IOC_IO_CONTROL, &c) ? -errno : 0;

	if (returned)
		*returned = c.bytes_returned;
	return ret;
}

/* Reads one batch of messages; returns the ids (up to max) and their count. */
static int read_ids(int fd, uint64_t *ids, int max)
{
	static char buf[1 << 16];
	ssize_t n = read(fd, buf, sizeof(buf));
	ssize_t off = 0;
	int count = 0;

	if (n < 0)
		return -errno;
	while (off < n) {
		struct miracast_msg_header *h = (void *)(buf + off);

		if (count < max)
			ids[count] = h->id;
		count++;
		off += MIRACAST_MSG_SIZE(h->in_size);
	}
	return count;
}

static int state_of(int fd)
{
	struct miracast_state st;
	uint32_t len = 0;

	if (io_control(fd, MIRACAST_IOCTL_GET_STATE, NULL, 0, &st, sizeof(st), &len))
		return -1;
	return len == sizeof(st) ? (int)st.context_state : -1;
}

FIXTURE(ctx) {
	int fd;
	struct mc_test_rec recs[MAX_RECS];
};

FIXTURE_SETUP(ctx)
{
	self->fd = mc_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("/dev/miracast0: %s", strerror(errno));
	ASSERT_EQ(0, mc_test_cmd(0, "reset"));
	ASSERT_EQ(0, mc_state_num(0, "outstanding"));
}

FIXTURE_TEARDOWN(ctx)
{
	close(self->fd);
	/* nothing may outlive the context: every callback ran once */
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(mc_state_num(0, "sent"), mc_state_num(0, "callbacks"));
	EXPECT_EQ(0, mc_test_cmd(0, "reset"));
}

/* Every remembered message had its callback exactly once with status. */
static void expect_all_ended(struct __test_metadata *_metadata,
			     FIXTURE_DATA(ctx) *self, int expect_n, unsigned int status)
{
	int i, n = mc_test_results(0, self->recs, MAX_RECS, NULL);

	ASSERT_EQ(expect_n, n);
	for (i = 0; i < n && i < MAX_RECS; i++) {
		EXPECT_EQ(1, self->recs[i].calls) TH_LOG("message %u", self->recs[i].index);
		EXPECT_EQ(status, self->recs[i].status) TH_LOG("message %u", self->recs[i].index);
		if (status == CANCELLED)
			EXPECT_EQ(0, self->recs[i].info);
		EXPECT_STREQ("process", self->recs[i].ctx);
	}
}

TEST_F(ctx, query_caps)
{
	struct miracast_caps a, b;
	unsigned int i;

	/* No context needed; the caps never change. */
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_QUERY_CAPS, &a));
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_QUERY_CAPS, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(MIRACAST_ABI_VERSION, a.abi_version);
	EXPECT_EQ(0, a.flags);
	EXPECT_EQ(param("max_outstanding"), a.max_outstanding);
	EXPECT_EQ(param("max_message_size"), a.max_in_size);
	EXPECT_EQ(param("max_output_size"), a.max_out_size);
	EXPECT_EQ(1024, a.max_batch);
	EXPECT_EQ(256, a.max_chunks);
	for (i = 0; i < sizeof(a.reserved) / sizeof(a.reserved[0]); i++)
		EXPECT_EQ(0, a.reserved[i]);
}

TEST_F(ctx, struct_sizes_are_versioned)
{
	unsigned char big[sizeof(struct miracast_caps) + 32];
	struct miracast_caps caps;
	unsigned char small[16];
	unsigned int i;

	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_QUERY_CAPS, &caps));
	/* An older, shorter structure gets its part... */
	ASSERT_EQ(0, ioctl(self->fd, _IOR(MIRACAST_IOC_MAGIC, 0x00, char[16]), small));
	EXPECT_EQ(0, memcmp(small, &caps, sizeof(small)));
	/* ...a newer, longer one ours and zeros. */
	memset(big, 0xa5, sizeof(big));
	ASSERT_EQ(0, ioctl(self->fd, _IOR(MIRACAST_IOC_MAGIC, 0x00, char[sizeof(big)]), big));
	EXPECT_EQ(0, memcmp(big, &caps, sizeof(caps)));
	for (i = sizeof(caps); i < sizeof(big); i++)
		EXPECT_EQ(0, big[i]);
	/* Input beyond what we know must be zero. */
	memset(big, 0, sizeof(big));
	big[sizeof(struct miracast_create_context) + 3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(MIRACAST_IOC_MAGIC, 0x01, char[sizeof(big)]), big));
	EXPECT_EQ(E2BIG, errno);
	/* The wrong direction is another ioctl. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(MIRACAST_IOC_MAGIC, 0x00, struct miracast_caps), &caps));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MIRACAST_IOC_MAGIC, 0x0a)));
	EXPECT_EQ(ENOTTY, errno);
	/* A bad pointer is EFAULT. */
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_QUERY_CAPS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ctx, create_returns_the_connector)
{
	struct miracast_create_context c = { 0 };
	drmModeResPtr res;
	int card = mc_open_card(0);

	ASSERT_LE(0, card);
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	res = drmModeGetResources(card);
	ASSERT_NE(NULL, res);
	EXPECT_EQ(res->connectors[0], c.connector_id);
	drmModeFreeResources(res);
	EXPECT_EQ(mc_card_index(0), (int)c.drm_minor);
	EXPECT_EQ(MIRACAST_CONTEXT_CREATED, state_of(self->fd));
	close(card);
}

TEST_F(ctx, create_errors)
{
	struct miracast_create_context c = { .flags = 1 };
	int other = mc_open(0);

	ASSERT_LE(0, other);
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.reserved[4] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, create(self->fd));
	EXPECT_EQ(-EALREADY, create(self->fd));
	/* One owner per device. */
	EXPECT_EQ(-EBUSY, create(other));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_EQ(0, create(other));
	EXPECT_EQ(-EBUSY, create(self->fd));
	close(other);
	/* Closing the owner frees the device. */
	EXPECT_EQ(0, create(self->fd));
}

TEST_F(ctx, calls_without_a_context)
{
	struct miracast_chunk_report chunk = { .type = MIRACAST_CHUNK_SENT };
	struct miracast_session_status st = { 0 };
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	char buf[64];

	EXPECT_EQ(-ENOTCONN, start(self->fd));
	EXPECT_EQ(-ENOTCONN, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(-ENOTCONN, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_EQ(-ENOTCONN, io_control(self->fd, MIRACAST_IOCTL_GET_STATE, NULL, 0,
					buf, sizeof(buf), NULL));
	EXPECT_EQ(-ENOTCONN, complete(self->fd, 1, 0, NULL, 0));
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &chunk));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_STATUS, &st));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
	/* The kernel's sends are refused and no callback runs. */
	ASSERT_EQ(0, mc_test_send(0, 3, 8, 8, 0));
	EXPECT_EQ(0, mc_test_results(0, self->recs, MAX_RECS, NULL));
}

TEST_F(ctx, calls_from_a_foreign_file)
{
	struct miracast_session_status st = { 0 };
	uint64_t id;
	char buf[256];
	int other = mc_open(0);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 8, 8, 0));
	EXPECT_EQ(-EPERM, start(other));
	EXPECT_EQ(-EPERM, simple(other, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(-EPERM, simple(other, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_EQ(-1, ioctl(other, MIRACAST_IOC_REPORT_STATUS, &st));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, read(other, buf, sizeof(buf)));
	EXPECT_EQ(EPERM, errno);

	/* Only the file that read a message may complete it. */
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	EXPECT_EQ(-EPERM, complete(other, id, 0, NULL, 0));
	close(other);
	EXPECT_EQ(0, complete(self->fd, id, 0, NULL, 0));
	expect_all_ended(_metadata, self, 1, 0);
}

TEST_F(ctx, lifecycle_order)
{
	struct miracast_chunk_report chunk = { .type = MIRACAST_CHUNK_SENT };
	struct miracast_monitor mon = { 0 };

	ASSERT_EQ(0, create(self->fd));
	/* Before START: no monitor, no chunks, no STOP twice. */
	EXPECT_EQ(-EBADFD, io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, &mon,
				      sizeof(mon), NULL, 0, NULL));
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &chunk));
	EXPECT_EQ(EBADFD, errno);
	ASSERT_EQ(0, start(self->fd));
	EXPECT_EQ(MIRACAST_CONTEXT_STARTED, state_of(self->fd));
	EXPECT_EQ(-EBADFD, start(self->fd));
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &chunk));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(MIRACAST_CONTEXT_STOPPED, state_of(self->fd));
	EXPECT_EQ(-EBADFD, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(-EBADFD, start(self->fd));
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &chunk));
	EXPECT_EQ(EBADFD, errno);
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_EQ(-ENOTCONN, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	/* And again, from the start. */
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
}

TEST_F(ctx, start_session_validates)
{
	struct miracast_start_session s = { .session_info = 4 };

	ASSERT_EQ(0, create(self->fd));
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_START_SESSION, &s));
	EXPECT_EQ(EINVAL, errno);
	s.session_info = MIRACAST_SESSION_MONITOR_CONNECTED;
	s.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_START_SESSION, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved[0] = 0;
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_START_SESSION, &s));
}

TEST_F(ctx, held_until_start)
{
	struct msgbuf m[3];
	char buf[sizeof(m)];
	ssize_t n, off = 0;
	int i;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 3, 16, 0, 10));
	EXPECT_EQ(3, mc_state_num(0, "held"));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, start(self->fd));
	EXPECT_EQ(0, mc_state_num(0, "held"));
	n = read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(3 * MIRACAST_MSG_SIZE(16), n);
	for (i = 0; i < 3; i++) {
		struct miracast_msg_header *h = (void *)(buf + off);
		unsigned char *p = (unsigned char *)(h + 1);

		EXPECT_EQ(16, h->in_size);
		EXPECT_EQ(0, h->out_size);
		if (i)
			EXPECT_LT(((struct miracast_msg_header *)(buf))->id, h->id);
		/* message k's byte j is (seed + k + j) & 255: in order */
		EXPECT_EQ((10 + i) & 255, p[0]);
		EXPECT_EQ((10 + i + 15) & 255, p[15]);
		off += MIRACAST_MSG_SIZE(16);
	}
}

TEST_F(ctx, read_payload_and_padding)
{
	static const unsigned int sizes[] = { 0, 1, 7, 8, 13, 4000 };
	static char buf[1 << 16];
	unsigned int i, j;
	ssize_t n, off = 0;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, mc_test_send(0, 1, sizes[i], 4, 100 + i));
	memset(buf, 0xee, sizeof(buf));
	n = read(self->fd, buf, sizeof(buf));
	for (i = 0; i < 6; i++) {
		struct miracast_msg_header *h = (void *)(buf + off);
		unsigned char *p = (unsigned char *)(h + 1);

		ASSERT_LT(off, n);
		EXPECT_EQ(sizes[i], h->in_size);
		EXPECT_EQ(4, h->out_size);
		EXPECT_EQ(0, h->flags);
		EXPECT_EQ(0, h->reserved);
		EXPECT_NE(0, h->id);
		for (j = 0; j < sizes[i]; j++)
			ASSERT_EQ((100 + i + j) & 255, p[j]) TH_LOG("message %u byte %u", i, j);
		for (; j < ((sizes[i] + 7) & ~7U); j++)
			ASSERT_EQ(0, p[j]) TH_LOG("message %u padding byte %u", i, j);
		off += MIRACAST_MSG_SIZE(sizes[i]);
	}
	EXPECT_EQ(off, n);
}

TEST_F(ctx, read_whole_messages_only)
{
	char buf[2 * MIRACAST_MSG_SIZE(32) + 20];
	ssize_t n;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 4, 32, 0, 0));
	n = read(self->fd, buf, sizeof(buf));
	EXPECT_EQ(2 * MIRACAST_MSG_SIZE(32), n);
	/* Too small for the next one: EINVAL, and nothing is lost. */
	EXPECT_EQ(-1, read(self->fd, buf, MIRACAST_MSG_SIZE(32) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->fd, buf, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(2, mc_state_num(0, "readable"));
	n = read(self->fd, buf, sizeof(buf));
	EXPECT_EQ(2 * MIRACAST_MSG_SIZE(32), n);
	EXPECT_EQ(0, mc_state_num(0, "readable"));
}

TEST_F(ctx, read_into_bad_memory_loses_nothing)
{
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ids[4];

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 2, 8, 0, 0));
	EXPECT_EQ(-1, read(self->fd, page, 4096));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->fd, bad_ptr, 4096));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(2, mc_state_num(0, "readable"));
	EXPECT_EQ(2, read_ids(self->fd, ids, 4));
	EXPECT_LT(ids[0], ids[1]);
	munmap(page, 4096);
}

static void *send_later(void *arg)
{
	usleep(200 * 1000);
	mc_test_send(0, 1, 8, 0, 0);
	return NULL;
}

TEST_F(ctx, blocking_read_and_poll)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	pthread_t thread;
	uint64_t id;
	char buf[64];

	ASSERT_EQ(0, create(self->fd));
	/* Held messages do not make the file readable. */
	ASSERT_EQ(0, mc_test_send(0, 1, 8, 0, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, start(self->fd));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* A blocked reader and a poller wake up for a new message. */
	ASSERT_EQ(0, pthread_create(&thread, NULL, send_later, NULL));
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	pthread_join(thread, NULL);
	ASSERT_EQ(0, pthread_create(&thread, NULL, send_later, NULL));
	EXPECT_EQ(1, read_ids(self->fd, &id, 1));
	pthread_join(thread, NULL);

	/* After STOP nothing more comes: end of file, and hang-up. */
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLHUP, pfd.revents);
}

static void *destroy_later(void *arg)
{
	usleep(200 * 1000);
	ioctl(*(int *)arg, MIRACAST_IOC_DESTROY_CONTEXT);
	return NULL;
}

TEST_F(ctx, destroy_wakes_a_blocked_reader)
{
	pthread_t thread;
	char buf[64];

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, pthread_create(&thread, NULL, destroy_later, &self->fd));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
	pthread_join(thread, NULL);
}

TEST_F(ctx, complete_with_output)
{
	unsigned char out[24];
	uint64_t id;
	int i;

	for (i = 0; i < 24; i++)
		out[i] = 0xa0 + i;
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 8, 32, 0));
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	EXPECT_EQ(1, mc_state_num(0, "outstanding"));
	ASSERT_EQ(0, complete(self->fd, id, MIRACAST_STATUS_SUCCESS, out, 24));
	ASSERT_EQ(1, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(1, self->recs[0].calls);
	EXPECT_EQ(0, self->recs[0].status);
	EXPECT_EQ(24, self->recs[0].info);
	EXPECT_STREQ("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7", self->recs[0].out);
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
}

TEST_F(ctx, complete_passes_the_status_through)
{
	static const uint32_t statuses[] = {
		MIRACAST_STATUS_NOT_SUPPORTED, MIRACAST_STATUS_UNSUCCESSFUL,
		MIRACAST_STATUS_TIMEOUT, MIRACAST_STATUS_CANCELLED,
	};
	unsigned char out[4] = { 1, 2, 3, 4 };
	uint64_t ids[4];
	int i;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 4, 0, 8, 0));
	ASSERT_EQ(4, read_ids(self->fd, ids, 4));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, complete(self->fd, ids[i], statuses[i], NULL, 0));
	ASSERT_EQ(4, mc_test_results(0, self->recs, MAX_RECS, NULL));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(statuses[i], self->recs[i].status);
		EXPECT_EQ(0, self->recs[i].info);
	}
	/* A warning may carry bytes, an error may not; PENDING is no end. */
	ASSERT_EQ(0, mc_test_send(0, 3, 0, 8, 0));
	ASSERT_EQ(3, read_ids(self->fd, ids, 3));
	EXPECT_EQ(-EINVAL, complete(self->fd, ids[0], MIRACAST_STATUS_NOT_SUPPORTED, out, 4));
	EXPECT_EQ(-EINVAL, complete(self->fd, ids[0], MIRACAST_STATUS_PENDING, NULL, 0));
	EXPECT_EQ(0, complete(self->fd, ids[0], MIRACAST_STATUS_BUFFER_OVERFLOW, out, 4));
	EXPECT_EQ(0, complete(self->fd, ids[1], MIRACAST_STATUS_SUCCESS, out, 4));
	EXPECT_EQ(0, complete(self->fd, ids[2], MIRACAST_STATUS_SUCCESS, NULL, 0));
	ASSERT_EQ(7, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(MIRACAST_STATUS_BUFFER_OVERFLOW, self->recs[4].status);
	EXPECT_EQ(4, self->recs[4].info);
	EXPECT_STREQ("01020304", self->recs[4].out);
}

TEST_F(ctx, output_overflow_is_refused)
{
	unsigned char out[64] = { 7 };
	uint64_t id;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, 16, 0));
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	EXPECT_EQ(-EMSGSIZE, complete(self->fd, id, 0, out, 17));
	/* still outstanding, and completable */
	EXPECT_EQ(1, mc_state_num(0, "outstanding"));
	ASSERT_EQ(1, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(0, self->recs[0].calls);
	EXPECT_EQ(0, complete(self->fd, id, 0, out, 16));
	expect_all_ended(_metadata, self, 1, 0);
	EXPECT_EQ(16, self->recs[0].info);
}

TEST_F(ctx, complete_from_bad_memory_loses_nothing)
{
	uint64_t id;
	char out[8] = { 0 };

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, 8, 0));
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	EXPECT_EQ(-EFAULT, complete(self->fd, id, 0, (void *)8, 8));
	EXPECT_EQ(1, mc_state_num(0, "outstanding"));
	EXPECT_EQ(0, complete(self->fd, id, 0, out, 8));
	expect_all_ended(_metadata, self, 1, 0);
}

TEST_F(ctx, late_duplicate_and_unknown_completions)
{
	long long late = mc_state_num(0, "late_completions");
	uint64_t ids[2], id;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 2, 0, 0, 0));
	ASSERT_EQ(2, mc_state_num(0, "readable"));
	/* not read yet: not completable (ids count accepted sends) */
	EXPECT_EQ(-ENOENT, complete(self->fd, (uint64_t)mc_state_num(0, "sent"), 0, NULL, 0));
	ASSERT_EQ(2, read_ids(self->fd, ids, 2));
	id = ids[0];
	EXPECT_EQ(0, complete(self->fd, id, 0, NULL, 0));
	EXPECT_EQ(-ENOENT, complete(self->fd, id, 0, NULL, 0));
	EXPECT_EQ(-ENOENT, complete(self->fd, 0, 0, NULL, 0));
	EXPECT_EQ(-ENOENT, complete(self->fd, ~0ULL, 0, NULL, 0));
	EXPECT_EQ(late + 4, mc_state_num(0, "late_completions"));
	/* A completion that lost against a cancellation. */
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(-ENOENT, complete(self->fd, ids[1], 0, NULL, 0));
	ASSERT_EQ(2, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(1, self->recs[0].calls);
	EXPECT_EQ(0, self->recs[0].status);
	EXPECT_EQ(1, self->recs[1].calls);
	EXPECT_EQ(CANCELLED, self->recs[1].status);
}

TEST_F(ctx, complete_checks_its_fields)
{
	struct miracast_completion c = { 0 };
	uint64_t id;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, 0, 0));
	ASSERT_EQ(1, read_ids(self->fd, &id, 1));
	c.id = id;
	c.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_COMPLETE, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, c.result);
	c.reserved = 0;
	c.result = 0;
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_COMPLETE, &c));
	EXPECT_EQ(0, c.result);
}

TEST_F(ctx, batch_complete_reports_each_entry)
{
	struct miracast_completion e[6];
	struct miracast_complete_batch b = {
		.entries_ptr = (uintptr_t)e, .count = 6, .entry_size = sizeof(e[0]),
	};
	unsigned char out[8] = { 0x55, 0x66 };
	uint64_t ids[3];

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 3, 0, 4, 0));
	ASSERT_EQ(3, read_ids(self->fd, ids, 3));
	memset(e, 0, sizeof(e));
	e[0] = (struct miracast_completion){ .id = ids[0], .out_ptr = (uintptr_t)out, .out_size = 2 };
	e[1] = (struct miracast_completion){ .id = ids[0] };		/* duplicate */
	e[2] = (struct miracast_completion){ .id = 12345678 };		/* unknown */
	e[3] = (struct miracast_completion){ .id = ids[1], .out_ptr = (uintptr_t)out, .out_size = 5 };
	e[4] = (struct miracast_completion){ .id = ids[2], .reserved = 1 };
	e[5] = (struct miracast_completion){ .id = ids[2], .status = MIRACAST_STATUS_UNSUCCESSFUL };
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(2, b.completed);
	EXPECT_EQ(0, e[0].result);
	EXPECT_EQ(-ENOENT, e[1].result);
	EXPECT_EQ(-ENOENT, e[2].result);
	EXPECT_EQ(-EMSGSIZE, e[3].result);
	EXPECT_EQ(-EINVAL, e[4].result);
	EXPECT_EQ(0, e[5].result);
	ASSERT_EQ(3, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(1, self->recs[0].calls);
	EXPECT_STREQ("5566", self->recs[0].out);
	EXPECT_EQ(0, self->recs[1].calls);	/* the oversized one waits */
	EXPECT_EQ(MIRACAST_STATUS_UNSUCCESSFUL, self->recs[2].status);
	EXPECT_EQ(0, complete(self->fd, ids[1], 0, NULL, 0));
}

TEST_F(ctx, batch_complete_limits)
{
	static struct miracast_completion e[1025];
	struct miracast_complete_batch b = {
		.entries_ptr = (uintptr_t)e, .count = 0, .entry_size = sizeof(e[0]),
	};

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.count = 1025;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.count = 1;
	b.entry_size = 16;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.entry_size = sizeof(e[0]);
	b.entries_ptr = 8;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(EFAULT, errno);
	/* 1024 entries are fine, each unknown */
	b.entries_ptr = (uintptr_t)e;
	b.count = 1024;
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_COMPLETE_BATCH, &b));
	EXPECT_EQ(0, b.completed);
	EXPECT_EQ(-ENOENT, e[1023].result);
}

TEST_F(ctx, stop_cancels_everything_once)
{
	uint64_t ids[6];

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 4, 8, 8, 0));
	ASSERT_EQ(4, read_ids(self->fd, ids, 6));
	/* two completed, two read and not completed, two never read */
	ASSERT_EQ(0, mc_test_send(0, 2, 8, 8, 0));
	ASSERT_EQ(0, complete(self->fd, ids[0], 0, NULL, 0));
	ASSERT_EQ(0, complete(self->fd, ids[1], 0, NULL, 0));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(-ENOENT, complete(self->fd, ids[2], 0, NULL, 0));
	ASSERT_EQ(6, mc_test_results(0, self->recs, MAX_RECS, NULL));
	EXPECT_EQ(0, self->recs[0].status);
	EXPECT_EQ(0, self->recs[1].status);
	for (int i = 2; i < 6; i++) {
		EXPECT_EQ(1, self->recs[i].calls);
		EXPECT_EQ(CANCELLED, self->recs[i].status);
		EXPECT_EQ(0, self->recs[i].info);
	}
}

TEST_F(ctx, sends_after_stop_are_cancelled_at_once)
{
	long long cancelled = mc_state_num(0, "cancelled");

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	/* accepted, never delivered, each callback already run */
	ASSERT_EQ(0, mc_test_send(0, 5, 8, 8, 0));
	expect_all_ended(_metadata, self, 5, CANCELLED);
	EXPECT_EQ(cancelled + 5, mc_state_num(0, "cancelled"));
	EXPECT_EQ(0, mc_state_num(0, "readable"));
}

TEST_F(ctx, stop_before_start_cancels_held)
{
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 3, 8, 8, 0));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	expect_all_ended(_metadata, self, 3, CANCELLED);
	EXPECT_EQ(0, mc_state_num(0, "held"));
}

TEST_F(ctx, destroy_cancels_and_refuses)
{
	unsigned long long refused = 0;
	uint64_t ids[3];
	long long sent;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 3, 8, 8, 0));
	ASSERT_EQ(3, read_ids(self->fd, ids, 3));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	expect_all_ended(_metadata, self, 3, CANCELLED);
	/* without a context the kernel's sends fail: no callback */
	sent = mc_state_num(0, "sent");
	ASSERT_EQ(0, mc_test_send(0, 2, 8, 8, 0));
	EXPECT_EQ(3, mc_test_results(0, self->recs, MAX_RECS, &refused));
	EXPECT_EQ(2, refused);
	EXPECT_EQ(sent, mc_state_num(0, "sent"));
	EXPECT_EQ(-ENOTCONN, complete(self->fd, ids[0], 0, NULL, 0));
}

TEST_F(ctx, close_cancels)
{
	uint64_t ids[4];

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 4, 8, 8, 0));
	ASSERT_EQ(4, read_ids(self->fd, ids, 4));
	close(self->fd);
	expect_all_ended(_metadata, self, 4, CANCELLED);
	EXPECT_STREQ("none", mc_state(0, "context", (char[16]){ 0 }, 16));
	self->fd = mc_open(0);
	EXPECT_EQ(0, create(self->fd));
}

TEST_F(ctx, sigkill_of_the_daemon_cancels)
{
	int pipefd[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = mc_open(0);
		uint64_t ids[8];

		close(pipefd[0]);
		if (fd < 0 || create(fd) || start(fd) || write(pipefd[1], "s", 1) != 1)
			_exit(1);
		while (read_ids(fd, ids, 8) >= 0 && write(pipefd[1], "r", 1) == 1)
			;
		_exit(2);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));	/* the child started its session */
	ASSERT_EQ('s', c);
	ASSERT_EQ(0, mc_test_send(0, 4, 64, 64, 0));
	ASSERT_EQ(1, read(pipefd[0], &c, 1));	/* the child read messages */
	ASSERT_EQ(0, mc_test_send(0, 4, 64, 64, 0));
	usleep(100 * 1000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	expect_all_ended(_metadata, self, 8, CANCELLED);
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(0, create(self->fd));
	close(pipefd[0]);
}

TEST_F(ctx, limit_outstanding)
{
	long long max = param("max_outstanding");
	unsigned long long refused = 0;
	uint64_t ids[64];
	int n;

	ASSERT_LT(0, max);
	ASSERT_GE(MAX_RECS, max);
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, max + 10, 0, 0, 0));
	EXPECT_EQ(max, mc_test_results(0, self->recs, MAX_RECS, &refused));
	EXPECT_EQ(10, refused);
	EXPECT_EQ(max, mc_state_num(0, "outstanding"));
	/* completing makes room again */
	n = read_ids(self->fd, ids, 64);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, complete(self->fd, ids[0], 0, NULL, 0));
	ASSERT_EQ(0, mc_test_send(0, 2, 0, 0, 0));
	EXPECT_EQ(max + 1, mc_test_results(0, self->recs, MAX_RECS, &refused));
	EXPECT_EQ(11, refused);
}

TEST_F(ctx, limit_sizes)
{
	unsigned long long refused = 0;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, param("max_message_size") + 1, 0, 0));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, param("max_output_size") + 1, 0));
	EXPECT_EQ(0, mc_test_results(0, self->recs, MAX_RECS, &refused));
	EXPECT_EQ(2, refused);
	/* the largest is fine, and fits the documented read buffer */
	ASSERT_EQ(0, mc_test_send(0, 1, param("max_message_size"), 0, 0));
	EXPECT_EQ(1, mc_test_results(0, self->recs, MAX_RECS, NULL));
}

TEST_F(ctx, ids_are_never_reused)
{
	uint64_t a, b;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, 0, 0));
	ASSERT_EQ(1, read_ids(self->fd, &a, 1));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 1, 0, 0, 0));
	ASSERT_EQ(1, read_ids(self->fd, &b, 1));
	EXPECT_LT(a, b);
	/* the old id means nothing in the new context */
	EXPECT_EQ(-ENOENT, complete(self->fd, a, 0, NULL, 0));
}

/* One EDID-less monitor with two modes. */
struct arrival {
	struct miracast_monitor hdr;
	struct miracast_mode modes[2];
};

static struct arrival two_modes(void)
{
	struct arrival a = {
		.hdr = { .link_type = DRM_MODE_CONNECTOR_HDMIA, .mode_count = 2,
			 .width_mm = 600, .height_mm = 340 },
		.modes = {
			{ 148500, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125,
			  DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC, DRM_MODE_TYPE_PREFERRED },
			{ 74250, 1280, 1390, 1430, 1650, 720, 725, 730, 750,
			  DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_PVSYNC, 0 },
		},
	};
	return a;
}

static drmModeConnectorPtr connector(int card)
{
	drmModeResPtr res = drmModeGetResources(card);
	drmModeConnectorPtr c = res ? drmModeGetConnector(card, res->connectors[0]) : NULL;

	drmModeFreeResources(res);
	return c;
}

TEST_F(ctx, monitor_arrival_and_departure)
{
	struct arrival a = two_modes();
	drmModeConnectorPtr c;
	int card = mc_open_card(0);

	ASSERT_LE(0, card);
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, &a, sizeof(a),
				NULL, 0, NULL));
	c = connector(card);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_CONNECTED, c->connection);
	ASSERT_EQ(2, c->count_modes);
	EXPECT_EQ(1920, c->modes[0].hdisplay);
	EXPECT_TRUE(c->modes[0].type & DRM_MODE_TYPE_PREFERRED);
	EXPECT_EQ(60, c->modes[0].vrefresh);
	EXPECT_EQ(1280, c->modes[1].hdisplay);
	EXPECT_EQ(600, c->mmWidth);
	drmModeFreeConnector(c);
	EXPECT_STREQ("connected", mc_state(0, "connector", (char[32]){ 0 }, 32));

	/* STOP is no departure; DEPARTURE is. */
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	EXPECT_STREQ("connected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_MONITOR_DEPARTURE, NULL, 0,
				NULL, 0, NULL));
	c = connector(card);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_DISCONNECTED, c->connection);
	EXPECT_EQ(0, c->count_modes);
	drmModeFreeConnector(c);
	close(card);
}

/* A socket that receives the kernel's uevents. */
static int uevent_socket(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return fd;
}

/* Waits for a hotplug uevent of /dev/dri/cardN: 1 when it came. */
static int hotplug_seen(int sock, int card)
{
	char buf[4096], devname[32];
	ssize_t n;

	snprintf(devname, sizeof(devname), "DEVNAME=dri/card%d", card);
	while ((n = recv(sock, buf, sizeof(buf) - 1, 0)) > 0) {
		int hotplug = 0, ours = 0, change = 0;
		ssize_t off = 0;

		buf[n] = '\0';
		while (off < n) {
			const char *kv = buf + off;

			change |= !strcmp(kv, "ACTION=change");
			hotplug |= !strcmp(kv, "HOTPLUG=1");
			ours |= !strcmp(kv, devname);
			off += strlen(kv) + 1;
		}
		if (change && hotplug && ours)
			return 1;
	}
	return 0;
}

TEST_F(ctx, arrival_and_departure_send_hotplug_uevents)
{
	struct arrival a = two_modes();
	int sock = uevent_socket();

	ASSERT_LE(0, sock);
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, &a, sizeof(a),
				NULL, 0, NULL));
	EXPECT_EQ(1, hotplug_seen(sock, mc_card_index(0)));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_EQ(1, hotplug_seen(sock, mc_card_index(0)));
	close(sock);
}

TEST_F(ctx, destroy_reports_departure)
{
	struct arrival a = two_modes();

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, &a, sizeof(a),
				NULL, 0, NULL));
	EXPECT_STREQ("connected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));
	EXPECT_STREQ("disconnected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	/* and closing the file does too */
	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, &a, sizeof(a),
				NULL, 0, NULL));
	close(self->fd);
	EXPECT_STREQ("disconnected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	self->fd = mc_open(0);
}

TEST_F(ctx, monitor_arrival_validates)
{
	struct arrival a;
	unsigned char edid[sizeof(struct miracast_monitor) + 128];
	struct miracast_monitor *h = (void *)edid;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
#define ARRIVE(p, size) io_control(self->fd, MIRACAST_IOCTL_MONITOR_ARRIVAL, p, size, NULL, 0, NULL)
	a = two_modes();
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a) - 1));		/* size mismatch */
	EXPECT_EQ(-EINVAL, ARRIVE(&a, 4));			/* short header */
	a.hdr.mode_count = 0;
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a.hdr)));		/* nothing at all */
	a = two_modes();
	a.hdr.mode_count = 257;
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	a = two_modes();
	a.modes[1].hsync_start = 1000;				/* inside the picture */
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	a = two_modes();
	a.modes[0].flags |= DRM_MODE_FLAG_3D_FRAME_PACKING;	/* stereo */
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	a = two_modes();
	a.modes[0].clock = 0;
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	a = two_modes();
	a.hdr.link_type = 1000;
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	a = two_modes();
	a.hdr.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ARRIVE(&a, sizeof(a)));
	/* an EDID that is not one */
	memset(edid, 0, sizeof(edid));
	h->edid_size = 128;
	memset(edid + sizeof(*h), 0x42, 128);
	EXPECT_EQ(-EINVAL, ARRIVE(edid, sizeof(edid)));
	h->edid_size = 100;
	EXPECT_EQ(-EINVAL, ARRIVE(edid, sizeof(edid)));
	a = two_modes();
	EXPECT_EQ(-EFAULT, ARRIVE((void *)8, sizeof(a)));
#undef ARRIVE
	EXPECT_STREQ("disconnected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	EXPECT_EQ(-EOPNOTSUPP, io_control(self->fd, 99, NULL, 0, NULL, 0, NULL));
}

TEST_F(ctx, get_state)
{
	struct miracast_state st;
	uint32_t len;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 2, 0, 0, 0));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_GET_STATE, NULL, 0, &st,
				sizeof(st), &len));
	EXPECT_EQ(sizeof(st), len);
	EXPECT_EQ(MIRACAST_CONTEXT_CREATED, st.context_state);
	EXPECT_EQ(2, st.held);
	EXPECT_EQ(2, st.outstanding);
	EXPECT_EQ(0, st.readable);
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, io_control(self->fd, MIRACAST_IOCTL_GET_STATE, NULL, 0, &st, 8, &len));
	EXPECT_EQ(8, len);
	EXPECT_EQ(MIRACAST_CONTEXT_STARTED, st.context_state);
	EXPECT_EQ(-EINVAL, io_control(self->fd, MIRACAST_IOCTL_GET_STATE, &st, 4, &st,
				      sizeof(st), NULL));
}

TEST_F(ctx, report_chunk)
{
	struct miracast_chunk_report r = {
		.chunk_id = MIRACAST_CHUNK_ID(7, 0),
		.type = MIRACAST_CHUNK_ENCODE_COMPLETE,
		.processing_time_us = 4000, .encode_rate_kbps = 8000,
	};
	long long encode = mc_state_num(0, "chunks_encode");

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &r));
	EXPECT_EQ(encode + 1, mc_state_num(0, "chunks_encode"));
	r.type = MIRACAST_CHUNK_FRAME_START;		/* the kernel's own */
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &r));
	EXPECT_EQ(EINVAL, errno);
	r.type = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &r));
	EXPECT_EQ(EINVAL, errno);
	r.type = MIRACAST_CHUNK_SENT;
	r.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_CHUNK, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(7, MIRACAST_CHUNK_FRAME(MIRACAST_CHUNK_ID(7, 3)));
	EXPECT_EQ(3, MIRACAST_CHUNK_PART(MIRACAST_CHUNK_ID(7, 3)));
}

TEST_F(ctx, report_status_ends_the_session)
{
	struct miracast_session_status st = {
		.reason = MIRACAST_SESSION_MISSING_KEEPALIVE, .status = 0xC00000B5,
	};
	long long errors = mc_state_num(0, "session_errors");

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 3, 8, 8, 0));
	st.reason = 6;
	EXPECT_EQ(-1, ioctl(self->fd, MIRACAST_IOC_REPORT_STATUS, &st));
	EXPECT_EQ(EINVAL, errno);
	st.reason = MIRACAST_SESSION_MISSING_KEEPALIVE;
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_REPORT_STATUS, &st));
	EXPECT_EQ(errors + 1, mc_state_num(0, "session_errors"));
	EXPECT_EQ(MIRACAST_CONTEXT_STOPPED, state_of(self->fd));
	expect_all_ended(_metadata, self, 3, CANCELLED);
	/* reporting again is logged, and changes nothing */
	EXPECT_EQ(0, ioctl(self->fd, MIRACAST_IOC_REPORT_STATUS, &st));
}

struct racer {
	int fd;
	uint64_t first;
	int count;
	int completed;
};

static void *complete_all(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; i < r->count; i++)
		if (!complete(r->fd, r->first + i, 0, NULL, 0))
			r->completed++;
	return NULL;
}

TEST_F(ctx, completion_races_stop_exactly_once)
{
	struct racer r = { .fd = self->fd };
	long long late = mc_state_num(0, "late_completions");
	uint64_t ids[200];
	pthread_t thread;
	int i, n, got = 0, ok = 0, cancelled = 0;

	ASSERT_EQ(0, create(self->fd));
	ASSERT_EQ(0, start(self->fd));
	ASSERT_EQ(0, mc_test_send(0, 200, 16, 16, 0));
	while (got < 200 && (n = read_ids(self->fd, ids + got, 200 - got)) > 0)
		got += n;
	ASSERT_EQ(200, got);
	r.first = ids[0];
	r.count = 200;
	ASSERT_EQ(0, pthread_create(&thread, NULL, complete_all, &r));
	usleep(1000);
	ASSERT_EQ(0, simple(self->fd, MIRACAST_IOC_STOP_SESSION));
	pthread_join(thread, NULL);

	ASSERT_EQ(200, mc_test_results(0, self->recs, MAX_RECS, NULL));
	for (i = 0; i < 200; i++) {
		EXPECT_EQ(1, self->recs[i].calls);
		ok += self->recs[i].status == 0;
		cancelled += self->recs[i].status == CANCELLED;
	}
	EXPECT_EQ(r.completed, ok);
	EXPECT_EQ(200, ok + cancelled);
	EXPECT_EQ(late + 200 - r.completed, mc_state_num(0, "late_completions"));
	TH_LOG("%d completed, %d cancelled", ok, cancelled);
}

TEST_HARNESS_MAIN

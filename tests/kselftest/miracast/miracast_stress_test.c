// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress of the message contract: 8 threads, 800,000 messages. Four
 * threads make the kernel send (the debugfs test hook's "flood"), three
 * daemon threads read, check and complete them in batches, and one thread
 * keeps stopping, destroying and re-creating the context underneath.
 * At the end every accepted message had exactly one callback, with the
 * output it was given or cancelled, and the counters balance exactly.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "miracast_util.h"
#include "miracast.h"

#define SENDERS		4
#define READERS		3
#define PER_SENDER	200000
#define CHUNK		200

struct flood {
	long long accepted, refused, callbacks, cancelled, bad;
};

static int flood_stats(struct flood *f)
{
	char path[PATH_MAX], line[256];
	int found = 0;
	FILE *file;

	if (mc_debugfs_path(0, "miracast_test", path, sizeof(path)))
		return -1;
	file = fopen(path, "re");
	if (!file)
		return -1;
	while (fgets(line, sizeof(line), file))
		if (sscanf(line, "flood accepted %lld refused %lld callbacks %lld cancelled %lld bad %lld",
			   &f->accepted, &f->refused, &f->callbacks, &f->cancelled, &f->bad) == 5)
			found = 1;
	fclose(file);
	return found ? 0 : -1;
}

struct shared {
	int fd;
	atomic_int senders_left;
	atomic_int stop_readers;
	atomic_llong completed, late, corrupt, messages_read, transitions;
};

static void *sender(void *arg)
{
	struct shared *sh = arg;
	int i;

	for (i = 0; i < PER_SENDER / CHUNK; i++)
		if (mc_test_cmd(0, "flood %d 24 16", CHUNK))
			break;
	atomic_fetch_sub(&sh->senders_left, 1);
	return NULL;
}

static int payload_ok(const struct miracast_msg_header *h)
{
	const unsigned char *p = (const unsigned char *)(h + 1);
	uint64_t serial;
	unsigned int i;

	if (h->in_size != 24 || h->out_size != 16)
		return 0;
	memcpy(&serial, p, sizeof(serial));
	for (i = 8; i < h->in_size; i++)
		if (p[i] != (unsigned char)(serial + i))
			return 0;
	return 1;
}

static void *reader(void *arg)
{
	static _Thread_local char buf[1 << 16];
	static _Thread_local struct miracast_completion e[1024];
	struct shared *sh = arg;
	struct pollfd pfd = { .fd = sh->fd, .events = POLLIN };
	unsigned int seed = (unsigned int)(uintptr_t)&pfd;

	while (!atomic_load(&sh->stop_readers)) {
		struct miracast_complete_batch b = {
			.entries_ptr = (uintptr_t)e, .entry_size = sizeof(e[0]),
		};
		ssize_t n, off = 0;
		unsigned int i;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = read(sh->fd, buf, sizeof(buf));
		if (n <= 0)
			continue;	/* between contexts, or another reader won */
		while (off < n && b.count < 1024) {
			struct miracast_msg_header *h = (void *)(buf + off);
			struct miracast_completion *c = &e[b.count++];

			memset(c, 0, sizeof(*c));
			c->id = h->id;
			if (!payload_ok(h))
				atomic_fetch_add(&sh->corrupt, 1);
			if (rand_r(&seed) % 10 == 0) {
				c->status = MIRACAST_STATUS_UNSUCCESSFUL;
			} else {
				/* the output repeats the input: the callback checks it */
				c->out_ptr = (uintptr_t)(h + 1);
				c->out_size = h->out_size;
			}
			off += MIRACAST_MSG_SIZE(h->in_size);
		}
		atomic_fetch_add(&sh->messages_read, b.count);
		if (ioctl(sh->fd, MIRACAST_IOC_COMPLETE_BATCH, &b))
			continue;	/* the context went away: all cancelled */
		for (i = 0; i < b.count; i++)
			if (e[i].result == -ENOENT)
				atomic_fetch_add(&sh->late, 1);
		atomic_fetch_add(&sh->completed, b.completed);
	}
	return NULL;
}

static void cycle_context(int fd, int stop_first)
{
	struct miracast_create_context c = { 0 };
	struct miracast_start_session s = { 0 };

	if (stop_first)
		ioctl(fd, MIRACAST_IOC_STOP_SESSION);
	ioctl(fd, MIRACAST_IOC_DESTROY_CONTEXT);
	ioctl(fd, MIRACAST_IOC_CREATE_CONTEXT, &c);
	ioctl(fd, MIRACAST_IOC_START_SESSION, &s);
}

static void *chaos(void *arg)
{
	struct shared *sh = arg;
	unsigned int seed = 1;

	while (atomic_load(&sh->senders_left)) {
		usleep(rand_r(&seed) % 20000);
		cycle_context(sh->fd, rand_r(&seed) & 1);
		atomic_fetch_add(&sh->transitions, 1);
	}
	return NULL;
}

FIXTURE(stress) {
	int fd;
};

FIXTURE_SETUP(stress)
{
	self->fd = mc_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
}

FIXTURE_TEARDOWN(stress)
{
	close(self->fd);
}

TEST_F_TIMEOUT(stress, eight_threads_exactly_once, 1800)
{
	pthread_t senders[SENDERS], readers[READERS], chaos_thread;
	long long sent0 = mc_state_num(0, "sent");
	long long callbacks0 = mc_state_num(0, "callbacks");
	long long completed0 = mc_state_num(0, "completed");
	long long cancelled0 = mc_state_num(0, "cancelled");
	struct shared sh = { .fd = self->fd, .senders_left = SENDERS };
	struct flood f0, f;
	int i;

	ASSERT_EQ(0, flood_stats(&f0));
	cycle_context(self->fd, 0);
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&readers[i], NULL, reader, &sh));
	for (i = 0; i < SENDERS; i++)
		ASSERT_EQ(0, pthread_create(&senders[i], NULL, sender, &sh));
	ASSERT_EQ(0, pthread_create(&chaos_thread, NULL, chaos, &sh));
	for (i = 0; i < SENDERS; i++)
		pthread_join(senders[i], NULL);
	pthread_join(chaos_thread, NULL);
	/* let the daemon drain what is left, then end the context */
	for (i = 0; i < 200 && mc_state_num(0, "outstanding"); i++)
		usleep(10000);
	atomic_store(&sh.stop_readers, 1);
	for (i = 0; i < READERS; i++)
		pthread_join(readers[i], NULL);
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_DESTROY_CONTEXT));

	ASSERT_EQ(0, flood_stats(&f));
	f.accepted -= f0.accepted;
	f.refused -= f0.refused;
	f.callbacks -= f0.callbacks;
	f.cancelled -= f0.cancelled;
	f.bad -= f0.bad;
	TH_LOG("%d messages: accepted %lld, refused %lld (limit), completed %lld, cancelled %lld, late completions %lld, context cycles %lld",
	       SENDERS * PER_SENDER, f.accepted, f.refused, (long long)sh.completed,
	       f.cancelled, (long long)sh.late, (long long)sh.transitions);

	EXPECT_EQ(SENDERS * PER_SENDER, f.accepted + f.refused);
	EXPECT_LT(0, f.accepted);
	/* exactly once: every accepted message had one callback, none more */
	EXPECT_EQ(f.accepted, f.callbacks);
	EXPECT_EQ(0, f.bad);
	EXPECT_EQ(0, sh.corrupt);
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(f.accepted, mc_state_num(0, "sent") - sent0);
	EXPECT_EQ(f.accepted, mc_state_num(0, "callbacks") - callbacks0);
	/* each ended one way: completed by a reader, or cancelled */
	EXPECT_EQ(sh.completed, mc_state_num(0, "completed") - completed0);
	EXPECT_EQ(f.cancelled, mc_state_num(0, "cancelled") - cancelled0);
	EXPECT_EQ(f.accepted, sh.completed + f.cancelled);
	EXPECT_LT(0, sh.completed);
	EXPECT_LT(0, f.cancelled);
}

TEST_HARNESS_MAIN

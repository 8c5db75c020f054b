// SPDX-License-Identifier: GPL-2.0-only
/*
 * 100,000 random calls on /dev/miracastN: ioctl numbers (ours, near ours,
 * anything), sizes and directions, arguments that are NULL, unmapped,
 * kernel addresses, read-only or garbage, reads of random sizes, with the
 * kernel sending messages in between. The device must refuse it all
 * cleanly (the lab fails the run on any kernel warning) and work after.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "miracast_util.h"
#include "miracast.h"

#define ITERATIONS	100000
#define GARBAGE		8192

static const unsigned long valid_cmds[] = {
	MIRACAST_IOC_QUERY_CAPS, MIRACAST_IOC_CREATE_CONTEXT, MIRACAST_IOC_START_SESSION,
	MIRACAST_IOC_STOP_SESSION, MIRACAST_IOC_DESTROY_CONTEXT, MIRACAST_IOC_IO_CONTROL,
	MIRACAST_IOC_COMPLETE, MIRACAST_IOC_COMPLETE_BATCH, MIRACAST_IOC_REPORT_CHUNK,
	MIRACAST_IOC_REPORT_STATUS,
};

struct arena {
	unsigned char *garbage;		/* random bytes, rewritten as we go */
	unsigned char *readonly;	/* a read-only page */
	unsigned char *edge;		/* the last 16 bytes before an unmapped page */
};

static uint64_t rnd(unsigned int *seed)
{
	return ((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 11) ^ rand_r(seed);
}

/* Fills the garbage with bytes, or with small, plausible values. */
static void scramble(struct arena *a, unsigned int *seed)
{
	unsigned int i, words = 64;
	uint32_t *w = (uint32_t *)a->garbage;

	if (rand_r(seed) & 1) {
		for (i = 0; i < words; i++)
			w[i] = rand_r(seed);
		return;
	}
	for (i = 0; i < words; i++) {
		switch (rand_r(seed) % 6) {
		case 0:
			w[i] = 0;
			break;
		case 1:
			w[i] = rand_r(seed) % 8;
			break;
		case 2:
			w[i] = rand_r(seed) % 4096;
			break;
		case 3:	/* a user pointer into the garbage itself, low half */
			w[i] = (uint32_t)(uintptr_t)(a->garbage + GARBAGE / 2);
			break;
		case 4:	/* its high half */
			w[i] = (uint32_t)((uintptr_t)(a->garbage + GARBAGE / 2) >> 32);
			break;
		default:
			w[i] = rand_r(seed);
		}
	}
}

static void *pick_arg(struct arena *a, unsigned int *seed)
{
	switch (rand_r(seed) % 8) {
	case 0:
		return NULL;
	case 1:
		return (void *)16;
	case 2:
		return (void *)0xffff888000000000ULL;	/* kernel memory */
	case 3:
		return a->readonly;
	case 4:
		return a->edge;
	default:
		scramble(a, seed);
		return a->garbage;
	}
}

static unsigned long pick_cmd(unsigned int *seed)
{
	unsigned int r = rand_r(seed) % 10;

	if (r < 4)
		return valid_cmds[rand_r(seed) % (sizeof(valid_cmds) / sizeof(valid_cmds[0]))];
	if (r < 8)	/* our magic: any number, direction and size */
		return _IOC(rand_r(seed) % 4, MIRACAST_IOC_MAGIC, rand_r(seed) % 16,
			    rand_r(seed) % 320);
	return (unsigned int)rnd(seed);
}

FIXTURE(fuzz) {
	int fd, foreign;
	struct arena a;
};

FIXTURE_SETUP(fuzz)
{
	self->fd = mc_open(0);
	ASSERT_LE(0, self->fd);
	self->foreign = mc_open(0);
	ASSERT_LE(0, self->foreign);
	self->a.garbage = malloc(GARBAGE);
	ASSERT_NE(NULL, self->a.garbage);
	self->a.readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->a.readonly);
	self->a.edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->a.edge);
	ASSERT_EQ(0, munmap(self->a.edge + 4096, 4096));
	self->a.edge += 4096 - 16;
	ASSERT_EQ(0, mc_test_cmd(0, "reset"));
}

FIXTURE_TEARDOWN(fuzz)
{
	close(self->fd);
	close(self->foreign);
	free(self->a.garbage);
}

TEST_F_TIMEOUT(fuzz, random_calls, 1800)
{
	struct miracast_create_context c = { 0 };
	struct miracast_start_session s = { 0 };
	struct miracast_completion done = { 0 };
	struct mc_test_rec rec;
	unsigned int seed = 20261128, i, ok = 0, fails = 0;
	unsigned char buf[1024];
	int errors[256] = { 0 };
	int fd, ret;

	for (i = 0; i < ITERATIONS; i++) {
		unsigned int what = rand_r(&seed) % 100;

		fd = what % 7 ? self->fd : self->foreign;
		if (what < 80) {
			ret = ioctl(fd, pick_cmd(&seed), pick_arg(&self->a, &seed));
		} else if (what < 90) {
			fcntl(fd, F_SETFL, O_NONBLOCK);
			ret = read(fd, rand_r(&seed) & 1 ? (void *)pick_arg(&self->a, &seed) :
				       (void *)buf, rand_r(&seed) % 600);
		} else if (what < 95) {
			ret = mc_test_cmd(0, "send %u %u %u %u", 1 + rand_r(&seed) % 4,
					  rand_r(&seed) % 300, rand_r(&seed) % 64, i);
		} else {
			/* reach every state now and then */
			ioctl(self->fd, MIRACAST_IOC_CREATE_CONTEXT, &c);
			ret = ioctl(self->fd, MIRACAST_IOC_START_SESSION, &s);
		}
		if (ret < 0) {
			fails++;
			errors[errno & 255]++;
		} else {
			ok++;
		}
	}
	TH_LOG("%u calls: %u succeeded, %u failed (EINVAL %d, EFAULT %d, ENOTTY %d, ENOTCONN %d, EPERM %d, EBADFD %d, E2BIG %d, ENOENT %d, EAGAIN %d)",
	       ITERATIONS, ok, fails, errors[EINVAL], errors[EFAULT], errors[ENOTTY],
	       errors[ENOTCONN], errors[EPERM], errors[EBADFD], errors[E2BIG],
	       errors[ENOENT], errors[EAGAIN]);
	EXPECT_LT(0, ok);
	EXPECT_LT(0, fails);

	/* The device works afterwards, with nothing left behind. */
	close(self->fd);
	close(self->foreign);
	EXPECT_EQ(0, mc_state_num(0, "outstanding"));
	EXPECT_EQ(mc_state_num(0, "sent"), mc_state_num(0, "callbacks"));
	EXPECT_STREQ("disconnected", mc_state(0, "connector", (char[32]){ 0 }, 32));
	ASSERT_EQ(0, mc_test_cmd(0, "reset"));

	self->fd = mc_open(0);
	self->foreign = mc_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_CREATE_CONTEXT, &c));
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_START_SESSION, &s));
	ASSERT_EQ(0, mc_test_send(0, 1, 8, 8, 5));
	ASSERT_EQ(MIRACAST_MSG_SIZE(8), read(self->fd, buf, sizeof(buf)));
	done.id = ((struct miracast_msg_header *)buf)->id;
	done.out_ptr = (uintptr_t)(buf + sizeof(struct miracast_msg_header));
	done.out_size = 8;
	ASSERT_EQ(0, ioctl(self->fd, MIRACAST_IOC_COMPLETE, &done));
	ASSERT_EQ(1, mc_test_results(0, &rec, 1, NULL));
	EXPECT_EQ(1, rec.calls);
	EXPECT_EQ(0, rec.status);
	EXPECT_STREQ("05060708090a0b0c", rec.out);
}

TEST_HARNESS_MAIN

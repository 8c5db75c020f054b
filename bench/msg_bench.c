// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmarks of the message contract, with their baselines measured in the
 * same run (in the lab guest, as root, miracast.ko loaded, debugfs mounted):
 *
 * 1. round trip kernel -> daemon -> callback (the debugfs hook "pingpong"
 *    times each message from send to callback while a daemon thread reads
 *    and completes), against a ping-pong between two processes over pipes;
 * 2. the daemon's throughput with a full queue (the kernel sent 256
 *    messages): whole batches read and completed with COMPLETE_BATCH,
 *    against one message per read() and one COMPLETE; the time to drain
 *    the queue is measured, not the sending.
 *
 *   msg_bench [ROUNDTRIPS]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "miracast.h"

#define PAYLOAD		64
#define QUEUE		256	/* messages per throughput round: the default limit */
#define ROUNDS		200

static char debugfs_test[128];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "msg_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void hook(const char *cmd)
{
	int fd = open(debugfs_test, O_WRONLY);

	if (fd < 0 || write(fd, cmd, strlen(cmd)) < 0)
		die(cmd);
	close(fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Pipe ping-pong between two processes; p50 and p99 in microseconds. */
static void pipe_pingpong(int n, double *p50, double *p99)
{
	int to_child[2], to_parent[2];
	char buf[PAYLOAD] = { 0 };
	double *t = calloc(n, sizeof(*t));
	pid_t pid;
	int i;

	if (!t || pipe(to_child) || pipe(to_parent))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], buf, sizeof(buf)) == sizeof(buf))
			if (write(to_parent[1], buf, sizeof(buf)) != sizeof(buf))
				break;
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		if (write(to_child[1], buf, sizeof(buf)) != sizeof(buf) ||
		    read(to_parent[0], buf, sizeof(buf)) != sizeof(buf))
			die("pipe ping-pong");
		t[i] = now_us() - t0;
	}
	close(to_child[1]);
	close(to_parent[0]);
	waitpid(pid, NULL, 0);
	qsort(t, n, sizeof(*t), cmp_double);
	*p50 = t[n / 2];
	*p99 = t[n * 99 / 100];
	free(t);
}

struct daemon {
	int fd;
	int batched;
	long handled;
};

/* Reads and completes until the context goes away. */
static void *daemon_thread(void *arg)
{
	static struct miracast_completion e[64];
	static char buf[1 << 16];
	struct daemon *d = arg;
	ssize_t n;

	while ((n = read(d->fd, buf, sizeof(buf))) > 0) {
		struct miracast_complete_batch b = {
			.entries_ptr = (uintptr_t)e, .entry_size = sizeof(e[0]),
		};
		ssize_t off = 0;

		while (off < n) {
			struct miracast_msg_header *h = (void *)(buf + off);

			e[b.count++] = (struct miracast_completion){
				.id = h->id, .out_ptr = (uintptr_t)(h + 1), .out_size = h->out_size,
			};
			off += MIRACAST_MSG_SIZE(h->in_size);
		}
		if (b.count == 1 ? ioctl(d->fd, MIRACAST_IOC_COMPLETE, &e[0]) :
				   ioctl(d->fd, MIRACAST_IOC_COMPLETE_BATCH, &b))
			die("complete");
		d->handled += b.count;
	}
	return NULL;
}

static int open_session(void)
{
	struct miracast_create_context c = { 0 };
	struct miracast_start_session s = { 0 };
	int fd = open("/dev/miracast0", O_RDWR);

	if (fd < 0 || ioctl(fd, MIRACAST_IOC_CREATE_CONTEXT, &c) ||
	    ioctl(fd, MIRACAST_IOC_START_SESSION, &s))
		die("/dev/miracast0 session");
	return fd;
}

static void message_roundtrip(int n, double *p50, double *p99)
{
	struct daemon d = { .fd = open_session() };
	unsigned long long p50_ns = 0, p99_ns = 0;
	char cmd[64], line[256];
	pthread_t thread;
	FILE *f;

	if (pthread_create(&thread, NULL, daemon_thread, &d))
		die("pthread_create");
	snprintf(cmd, sizeof(cmd), "pingpong %d %d %d", n, PAYLOAD, PAYLOAD);
	hook(cmd);
	ioctl(d.fd, MIRACAST_IOC_DESTROY_CONTEXT);	/* the reader stops */
	pthread_join(thread, NULL);
	close(d.fd);

	f = fopen(debugfs_test, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "pingpong count %*u p50_ns %llu p99_ns %llu", &p50_ns, &p99_ns);
	if (f)
		fclose(f);
	if (!p50_ns)
		die("no pingpong figures");
	*p50 = p50_ns / 1e3;
	*p99 = p99_ns / 1e3;
}

/* Drains a full queue of QUEUE messages; returns the microseconds it took. */
static double drain(int fd, int batched)
{
	static struct miracast_completion e[64];
	static char buf[1 << 16];
	size_t size = batched ? sizeof(buf) : MIRACAST_MSG_SIZE(PAYLOAD);
	long left = QUEUE;
	char cmd[64];
	double t0;

	snprintf(cmd, sizeof(cmd), "flood %d %d %d", QUEUE, PAYLOAD, PAYLOAD);
	hook(cmd);
	t0 = now_us();
	while (left > 0) {
		struct miracast_complete_batch b = {
			.entries_ptr = (uintptr_t)e, .entry_size = sizeof(e[0]),
		};
		ssize_t n = read(fd, buf, size), off = 0;

		if (n <= 0)
			die("read");
		while (off < n) {
			struct miracast_msg_header *h = (void *)(buf + off);

			e[b.count++] = (struct miracast_completion){
				.id = h->id, .out_ptr = (uintptr_t)(h + 1), .out_size = h->out_size,
			};
			off += MIRACAST_MSG_SIZE(h->in_size);
		}
		if (batched ? ioctl(fd, MIRACAST_IOC_COMPLETE_BATCH, &b) :
			      ioctl(fd, MIRACAST_IOC_COMPLETE, &e[0]))
			die("complete");
		left -= b.count;
	}
	return now_us() - t0;
}

/*
 * Messages per second the daemon handles with a full queue, one at a time
 * and batched; rounds alternate so that drift touches both alike, and the
 * median round counts.
 */
static void throughput(double *single, double *batched)
{
	double t[2][ROUNDS];
	int fd = open_session();
	int round, mode;

	for (round = 0; round < ROUNDS; round++)
		for (mode = 0; mode < 2; mode++)
			t[mode][round] = drain(fd, mode);
	close(fd);
	for (mode = 0; mode < 2; mode++)
		qsort(t[mode], ROUNDS, sizeof(double), cmp_double);
	*single = QUEUE / (t[0][ROUNDS / 2] / 1e6);
	*batched = QUEUE / (t[1][ROUNDS / 2] / 1e6);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	double pipe50, pipe99, msg50, msg99, single, batch;
	int card = -1;
	char path[96];

	for (card = 0; card < 64; card++) {
		snprintf(path, sizeof(path), "/sys/class/misc/miracast0/device/drm/card%d", card);
		if (!access(path, F_OK))
			break;
	}
	snprintf(debugfs_test, sizeof(debugfs_test),
		 "/sys/kernel/debug/dri/%d/miracast_test", card);

	pipe_pingpong(n, &pipe50, &pipe99);
	message_roundtrip(n, &msg50, &msg99);
	throughput(&single, &batch);

	printf("round trip, %d x %d B:\n", n, PAYLOAD);
	printf("  kernel -> daemon -> callback   p50 %8.1f us   p99 %8.1f us\n", msg50, msg99);
	printf("  pipe ping-pong (baseline)      p50 %8.1f us   p99 %8.1f us\n", pipe50, pipe99);
	printf("  ratio                          p50 %8.2f x    p99 %8.2f x   (target p50 <= 1.5 x)\n",
	       msg50 / pipe50, msg99 / pipe99);
	printf("daemon throughput, queue of %d, median of %d alternating rounds:\n",
	       QUEUE, ROUNDS);
	printf("  one message per read/COMPLETE (baseline) %10.0f msg/s\n", single);
	printf("  batched read + COMPLETE_BATCH            %10.0f msg/s\n", batch);
	printf("  ratio                                    %10.2f x     (target >= 3 x)\n",
	       batch / single);
	return 0;
}

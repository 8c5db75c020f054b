// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: debugfs, under the DRM minor's directory
 * (/sys/kernel/debug/dri/N/):
 *
 * miracast_state  the context, the monitor and the message counters
 * miracast_test   a test hook: makes the kernel send messages and shows
 *                 what each one's callback received, so that tests check
 *                 the contract from userspace.
 *
 * miracast_test takes one command per write:
 *   send COUNT IN_SIZE OUT_SIZE SEED   send COUNT messages; byte i of
 *                                      the k-th one's input (k from 0) is
 *                                      (SEED+k+i)&255
 *   flood COUNT IN_SIZE OUT_SIZE       send COUNT messages remembered only
 *                                      in counters (for stress tests); the
 *                                      input starts with a 64-bit serial,
 *                                      byte i >= 8 is (serial+i)&255, and
 *                                      the callback checks that the output
 *                                      repeats the input's first bytes
 *   pingpong COUNT IN_SIZE OUT_SIZE    send COUNT messages one at a time,
 *                                      each after the previous callback,
 *                                      and time send -> callback (benchmark)
 *   reset                              forget messages whose callback ran
 * and reads back one line per message still remembered:
 *   <k> id <id|-> ret <send_message's return> calls <callbacks run>
 *       status <0x...> info <bytes> ctx <process|atomic> out <hex of up to
 *       32 output bytes>
 * followed by "refused <n>" (sends refused since the last reset) and
 * "flood accepted <n> refused <n> callbacks <n> cancelled <n> bad <n>"
 * (bad: a callback whose status block or output did not match), and
 * "pingpong count <n> p50_ns <t> p99_ns <t> max_ns <t>" after a pingpong.
 */

#include <linux/debugfs.h>
#include <linux/preempt.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "miracast_drv.h"

#define MIRACAST_TEST_MAX_COUNT		1000000
#define MIRACAST_TEST_OUT_SHOWN		32

struct miracast_test {
	struct mutex lock;	/* the list, against concurrent commands */
	spinlock_t cb_lock;	/* the results, written by callbacks */
	struct list_head msgs;
	u32 next_index;
	u64 refused;
	/* flood messages: counted, then freed by their callback */
	atomic64_t flood_serial;
	atomic64_t flood_accepted, flood_refused, flood_callbacks;
	atomic64_t flood_cancelled, flood_bad;
	/* the last pingpong's round trips */
	u32 pingpong_count;
	u64 pingpong_p50, pingpong_p99, pingpong_max;
};

struct miracast_test_msg {
	struct list_head node;
	struct miracast_test *test;
	u32 index;
	int ret;
	u32 calls;
	bool process_ctx;
	struct miracast_io_status iosb;
	u32 in_size, out_size;
	u8 *in, *out;		/* both in this allocation */
};

static const char *miracast_ctx_state_name(enum miracast_ctx_state state)
{
	static const char * const names[] = {
		[MIRACAST_CTX_NONE] = "none",
		[MIRACAST_CTX_CREATED] = "created",
		[MIRACAST_CTX_STARTED] = "started",
		[MIRACAST_CTX_STOPPED] = "stopped",
		[MIRACAST_CTX_DEAD] = "dead",
	};

	return names[state];
}

static int miracast_state_show(struct seq_file *m, void *unused)
{
	struct miracast_device *mdev = m->private;
	struct miracast_msg_stats st;
	struct miracast_frame_stats fs;
	unsigned int outstanding, held, pending;

	miracast_context_stats(&mdev->ctx, &st, &outstanding, &held, &pending);
	seq_printf(m, "device: /dev/%s\n", mdev->misc_name);
	seq_printf(m, "connector: %s\n",
		   drm_get_connector_status_name(miracast_connector_status(mdev)));
	seq_printf(m, "context: %s\n", miracast_ctx_state_name(READ_ONCE(mdev->ctx.state)));
	seq_printf(m, "open_files: %d\n", atomic_read(&mdev->open_files));
	seq_printf(m, "plane_updates: %lld\n",
		   (long long)atomic64_read(&mdev->plane_updates));
	seq_printf(m, "sent: %llu\n", st.sent);
	seq_printf(m, "refused: %llu\n", st.refused);
	seq_printf(m, "delivered: %llu\n", st.delivered);
	seq_printf(m, "completed: %llu\n", st.completed);
	seq_printf(m, "cancelled: %llu\n", st.cancelled);
	seq_printf(m, "callbacks: %llu\n", st.callbacks);
	seq_printf(m, "late_completions: %llu\n", st.late);
	seq_printf(m, "withdrawn: %llu\n", st.withdrawn);
	seq_printf(m, "outstanding: %u\n", outstanding);
	seq_printf(m, "held: %u\n", held);
	seq_printf(m, "readable: %u\n", pending);
	seq_printf(m, "chunks_color_convert: %lld\n",
		   (long long)atomic64_read(&mdev->chunks[MIRACAST_CHUNK_COLOR_CONVERT_COMPLETE]));
	seq_printf(m, "chunks_encode: %lld\n",
		   (long long)atomic64_read(&mdev->chunks[MIRACAST_CHUNK_ENCODE_COMPLETE]));
	seq_printf(m, "chunks_sent: %lld\n",
		   (long long)atomic64_read(&mdev->chunks[MIRACAST_CHUNK_SENT]));
	seq_printf(m, "session_errors: %lld\n",
		   (long long)atomic64_read(&mdev->session_errors));
	miracast_frames_stats(mdev, &fs);
	seq_printf(m, "frames_sent: %llu\n", fs.sent);
	seq_printf(m, "frames_not_sent: %llu\n", fs.not_sent);
	seq_printf(m, "frames_completed: %llu\n", fs.completed);
	seq_printf(m, "frames_cancelled: %llu\n", fs.cancelled);
	seq_printf(m, "frames_dropped_unread: %llu\n", fs.dropped_unread);
	seq_printf(m, "frames_dropped_late: %llu\n", fs.dropped_late);
	seq_printf(m, "flips_gated: %llu\n", fs.flips_gated);
	seq_printf(m, "flips_deadline: %llu\n", fs.flips_deadline);
	seq_printf(m, "buffers_exported: %llu\n", fs.exported);
	seq_printf(m, "chunk_overflows: %llu\n", fs.chunks_lost);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(miracast_state);

static void miracast_test_callback(void *cb_ctx, const struct miracast_io_status *iosb)
{
	struct miracast_test_msg *msg = cb_ctx;
	struct miracast_test *test = msg->test;
	bool process_ctx = in_task() && !irqs_disabled() && !in_atomic();

	/* The contract says callbacks may sleep: prove it under lockdep. */
	might_sleep();

	spin_lock(&test->cb_lock);
	msg->calls++;
	msg->iosb = *iosb;
	msg->process_ctx = process_ctx;
	spin_unlock(&test->cb_lock);
}

static void miracast_flood_callback(void *cb_ctx, const struct miracast_io_status *iosb)
{
	struct miracast_test_msg *msg = cb_ctx;
	struct miracast_test *test = msg->test;
	bool bad;

	might_sleep();
	if (iosb->status == (s32)MIRACAST_STATUS_CANCELLED) {
		bad = iosb->information;
		atomic64_inc(&test->flood_cancelled);
	} else {
		bad = iosb->information > msg->out_size ||
		      memcmp(msg->out, msg->in, min_t(u64, iosb->information, msg->in_size));
	}
	if (bad)
		atomic64_inc(&test->flood_bad);
	atomic64_inc(&test->flood_callbacks);
	kfree(msg);
}

/* Between two sends of a long command: true when the writer was killed. */
static bool miracast_test_yield(void)
{
	cond_resched();
	return fatal_signal_pending(current);
}

/* A test message with room for its input and output, in one allocation. */
static struct miracast_test_msg *miracast_test_msg_alloc(struct miracast_test *test,
							 u32 in_size, u32 out_size)
{
	struct miracast_test_msg *msg;

	msg = kzalloc(sizeof(*msg) + in_size + out_size, GFP_KERNEL);
	if (!msg)
		return NULL;
	msg->test = test;
	msg->in_size = in_size;
	msg->out_size = out_size;
	msg->in = (u8 *)(msg + 1);
	msg->out = msg->in + in_size;
	return msg;
}

static int miracast_test_send(struct miracast_device *mdev, u32 count, u32 in_size,
			      u32 out_size, u32 seed)
{
	struct miracast_test *test = mdev->test;
	struct miracast_test_msg *msg;
	u32 i, j;
	int ret;

	if (!count || count > MIRACAST_TEST_MAX_COUNT ||
	    in_size > SZ_16M || out_size > SZ_16M)
		return -EINVAL;

	for (i = 0; i < count; i++) {
		msg = miracast_test_msg_alloc(test, in_size, out_size);
		if (!msg)
			return -ENOMEM;
		msg->ret = -EINPROGRESS;
		for (j = 0; j < in_size; j++)
			msg->in[j] = seed + i + j;
		/* on the list first: the callback may run before send returns */
		mutex_lock(&test->lock);
		msg->index = test->next_index++;
		list_add_tail(&msg->node, &test->msgs);
		mutex_unlock(&test->lock);

		/* once accepted, msg is the callback's and reset's: hands off */
		ret = miracast_send_message(&mdev->ctx, msg->in, in_size, msg->out,
					    out_size, miracast_test_callback, msg);
		if (ret != -EINPROGRESS) {
			/* never accepted: no callback will run */
			mutex_lock(&test->lock);
			list_del(&msg->node);
			test->refused++;
			mutex_unlock(&test->lock);
			kfree(msg);
		}
		if (miracast_test_yield())
			return -EINTR;
	}
	return 0;
}

static int miracast_test_flood(struct miracast_device *mdev, u32 count, u32 in_size,
			       u32 out_size)
{
	struct miracast_test *test = mdev->test;
	struct miracast_test_msg *msg;
	u64 serial;
	u32 i, j;
	int ret;

	if (!count || count > MIRACAST_TEST_MAX_COUNT || in_size < sizeof(serial) ||
	    in_size > SZ_1M || out_size > SZ_1M)
		return -EINVAL;

	for (i = 0; i < count; i++) {
		msg = miracast_test_msg_alloc(test, in_size, out_size);
		if (!msg)
			return -ENOMEM;
		serial = atomic64_inc_return(&test->flood_serial);
		memcpy(msg->in, &serial, sizeof(serial));
		for (j = sizeof(serial); j < in_size; j++)
			msg->in[j] = serial + j;

		ret = miracast_send_message(&mdev->ctx, msg->in, in_size, msg->out,
					    out_size, miracast_flood_callback, msg);
		if (ret == -EINPROGRESS) {
			atomic64_inc(&test->flood_accepted);
		} else {
			atomic64_inc(&test->flood_refused);
			kfree(msg);
		}
		if (miracast_test_yield())
			return -EINTR;
	}
	return 0;
}

/* One round trip; freed by whichever of the callback and the waiter is last. */
struct miracast_pingpong {
	refcount_t ref;
	struct completion done;
	struct miracast_io_status iosb;
	u8 buf[];		/* input, then output */
};

static void miracast_pingpong_put(struct miracast_pingpong *pp)
{
	if (refcount_dec_and_test(&pp->ref))
		kvfree(pp);
}

static void miracast_pingpong_callback(void *cb_ctx, const struct miracast_io_status *iosb)
{
	struct miracast_pingpong *pp = cb_ctx;

	pp->iosb = *iosb;
	complete(&pp->done);
	miracast_pingpong_put(pp);
}

static int miracast_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int miracast_test_pingpong(struct miracast_device *mdev, u32 count, u32 in_size,
				  u32 out_size)
{
	struct miracast_test *test = mdev->test;
	struct miracast_pingpong *pp;
	u64 *times, t0;
	u32 i;
	int ret = 0;

	if (!count || count > MIRACAST_TEST_MAX_COUNT || in_size > SZ_1M || out_size > SZ_1M)
		return -EINVAL;
	times = kvmalloc_array(count, sizeof(*times), GFP_KERNEL);
	if (!times)
		return -ENOMEM;

	for (i = 0; i < count; i++) {
		pp = kvzalloc(struct_size(pp, buf, in_size + out_size), GFP_KERNEL);
		if (!pp) {
			ret = -ENOMEM;
			break;
		}
		refcount_set(&pp->ref, 2);
		init_completion(&pp->done);
		t0 = ktime_get_ns();
		ret = miracast_send_message(&mdev->ctx, pp->buf, in_size, pp->buf + in_size,
					    out_size, miracast_pingpong_callback, pp);
		if (ret != -EINPROGRESS) {
			kvfree(pp);
			break;
		}
		ret = wait_for_completion_interruptible(&pp->done);
		times[i] = ktime_get_ns() - t0;
		if (!ret && pp->iosb.status)
			ret = -ECANCELED;
		miracast_pingpong_put(pp);
		if (ret)
			break;
	}
	if (i) {
		sort(times, i, sizeof(*times), miracast_u64_cmp, NULL);
		mutex_lock(&test->lock);
		test->pingpong_count = i;
		test->pingpong_p50 = times[i / 2];
		test->pingpong_p99 = times[min(i - 1, i * 99 / 100)];
		test->pingpong_max = times[i - 1];
		mutex_unlock(&test->lock);
	}
	kvfree(times);
	return ret;
}

/* Frees the messages whose callback ran; all of them when everything ended. */
static void miracast_test_forget(struct miracast_test *test, bool all)
{
	struct miracast_test_msg *msg, *tmp;

	mutex_lock(&test->lock);
	list_for_each_entry_safe(msg, tmp, &test->msgs, node) {
		spin_lock(&test->cb_lock);
		if (!all && !msg->calls) {
			spin_unlock(&test->cb_lock);
			continue;
		}
		spin_unlock(&test->cb_lock);
		list_del(&msg->node);
		kfree(msg);
	}
	test->refused = 0;
	mutex_unlock(&test->lock);
}

static ssize_t miracast_test_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct miracast_device *mdev = file_inode(file)->i_private;
	u32 count, in_size, out_size, seed;
	char buf[96];
	int ret = -EINVAL;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sscanf(buf, "send %u %u %u %u", &count, &in_size, &out_size, &seed) == 4) {
		ret = miracast_test_send(mdev, count, in_size, out_size, seed);
	} else if (sscanf(buf, "pingpong %u %u %u", &count, &in_size, &out_size) == 3) {
		ret = miracast_test_pingpong(mdev, count, in_size, out_size);
	} else if (sscanf(buf, "flood %u %u %u", &count, &in_size, &out_size) == 3) {
		ret = miracast_test_flood(mdev, count, in_size, out_size);
	} else if (sysfs_streq(buf, "reset")) {
		miracast_test_forget(mdev->test, false);
		ret = 0;
	}
	return ret ? ret : len;
}

static int miracast_test_show(struct seq_file *m, void *unused)
{
	struct miracast_device *mdev = m->private;
	struct miracast_test *test = mdev->test;
	struct miracast_test_msg *msg;
	u32 calls, shown;
	struct miracast_io_status iosb;
	bool process_ctx;

	mutex_lock(&test->lock);
	list_for_each_entry(msg, &test->msgs, node) {
		spin_lock(&test->cb_lock);
		calls = msg->calls;
		iosb = msg->iosb;
		process_ctx = msg->process_ctx;
		spin_unlock(&test->cb_lock);

		shown = min_t(u64, iosb.information, MIRACAST_TEST_OUT_SHOWN);
		shown = min(shown, msg->out_size);
		seq_printf(m, "%u ret %d calls %u status %#010x info %llu ctx %s out %*phN\n",
			   msg->index, msg->ret, calls, (u32)iosb.status, iosb.information,
			   calls ? (process_ctx ? "process" : "atomic") : "-",
			   shown, msg->out);
	}
	seq_printf(m, "refused %llu\n", test->refused);
	seq_printf(m, "flood accepted %lld refused %lld callbacks %lld cancelled %lld bad %lld\n",
		   (long long)atomic64_read(&test->flood_accepted),
		   (long long)atomic64_read(&test->flood_refused),
		   (long long)atomic64_read(&test->flood_callbacks),
		   (long long)atomic64_read(&test->flood_cancelled),
		   (long long)atomic64_read(&test->flood_bad));
	if (test->pingpong_count)
		seq_printf(m, "pingpong count %u p50_ns %llu p99_ns %llu max_ns %llu\n",
			   test->pingpong_count, test->pingpong_p50, test->pingpong_p99,
			   test->pingpong_max);
	mutex_unlock(&test->lock);
	return 0;
}

static int miracast_test_open(struct inode *inode, struct file *file)
{
	return single_open(file, miracast_test_show, inode->i_private);
}

static const struct file_operations miracast_test_fops = {
	.owner = THIS_MODULE,
	.open = miracast_test_open,
	.read = seq_read,
	.write = miracast_test_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static void miracast_test_fini(struct drm_device *drm, void *data)
{
	struct miracast_test *test = data;
	struct miracast_test_msg *msg;

	/* the context was killed before this: every callback ran, once */
	list_for_each_entry(msg, &test->msgs, node)
		WARN_ONCE(msg->calls != 1, "miracast: test message %u had %u callbacks\n",
			  msg->index, msg->calls);
	miracast_test_forget(test, true);
}

int miracast_test_init(struct miracast_device *mdev)
{
	struct miracast_test *test;
	int ret;

	test = drmm_kzalloc(&mdev->drm, sizeof(*test), GFP_KERNEL);
	if (!test)
		return -ENOMEM;
	ret = drmm_mutex_init(&mdev->drm, &test->lock);
	if (ret)
		return ret;
	spin_lock_init(&test->cb_lock);
	INIT_LIST_HEAD(&test->msgs);
	mdev->test = test;
	return drmm_add_action_or_reset(&mdev->drm, miracast_test_fini, test);
}

void miracast_debugfs_init(struct drm_minor *minor)
{
	struct miracast_device *mdev = to_miracast_device(minor->dev);

	debugfs_create_file("miracast_state", 0444, minor->debugfs_root, mdev,
			    &miracast_state_fops);
	debugfs_create_file("miracast_test", 0600, minor->debugfs_root, mdev,
			    &miracast_test_fops);
}

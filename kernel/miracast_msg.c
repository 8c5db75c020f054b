// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: the message engine (see miracast_msg.h).
 *
 * A message is on exactly one of the context's lists (held, pending,
 * delivered) or in the hands of one thread: the sender that cancels it at
 * once, a reader copying it out (it stays on "delivered", marked busy), a
 * completer (taken off the lists) or a canceller (spliced onto its own
 * list). Whoever takes it off the lists ends it, so it ends once.
 */

#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "uapi/miracast.h"
#include "miracast_msg.h"

/* Messages one read() returns at most. */
#define MIRACAST_READ_BATCH	64

struct miracast_msg {
	struct list_head node;
	u64 id;
	const void *in;
	void *out;
	u32 in_size;
	u32 out_size;
	miracast_send_message_cb cb;
	void *cb_ctx;
	bool busy;		/* a reader is copying it out */
	bool cancelled;		/* cancelled while busy: the reader ends it */
};

void miracast_context_init(struct miracast_context *ctx, u32 max_outstanding,
			   u32 max_in_size, u32 max_out_size)
{
	mutex_init(&ctx->class_lock);
	spin_lock_init(&ctx->lock);
	ctx->state = MIRACAST_CTX_NONE;
	INIT_LIST_HEAD(&ctx->held);
	INIT_LIST_HEAD(&ctx->pending);
	INIT_LIST_HEAD(&ctx->delivered);
	init_waitqueue_head(&ctx->read_wq);
	init_waitqueue_head(&ctx->idle_wq);
	ctx->next_id = 1;
	ctx->max_outstanding = max_outstanding;
	ctx->max_in_size = max_in_size;
	ctx->max_out_size = max_out_size;
}

static void miracast_msg_call(struct miracast_msg *msg, u32 status, u32 information)
{
	const struct miracast_io_status iosb = {
		.status = (s32)status,
		.information = information,
	};

	msg->cb(msg->cb_ctx, &iosb);
}

/*
 * Runs a message's callback with MIRACAST_STATUS_CANCELLED, without any
 * lock, then accounts for it and frees it. unbusy: the message was busy in
 * this thread's hands.
 */
static void miracast_msg_cancel(struct miracast_context *ctx, struct miracast_msg *msg,
				bool unbusy)
{
	miracast_msg_call(msg, MIRACAST_STATUS_CANCELLED, 0);

	spin_lock(&ctx->lock);
	ctx->outstanding--;
	ctx->stats.callbacks++;
	ctx->stats.cancelled++;
	if (unbusy && !--ctx->busy)
		wake_up_all(&ctx->idle_wq);
	spin_unlock(&ctx->lock);
	kfree(msg);
}

static void miracast_cancel_list(struct miracast_context *ctx, struct list_head *list)
{
	struct miracast_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, list, node) {
		list_del(&msg->node);
		miracast_msg_cancel(ctx, msg, false);
	}
}

static int miracast_refuse(struct miracast_context *ctx, int err)
{
	spin_lock(&ctx->lock);
	ctx->stats.refused++;
	spin_unlock(&ctx->lock);
	return err;
}

/* Whether the context takes a message now: 0 or the error. Under lock. */
static int miracast_accepts(struct miracast_context *ctx)
{
	switch (ctx->state) {
	case MIRACAST_CTX_NONE:
		return -ENOTCONN;
	case MIRACAST_CTX_DEAD:
		return -ENODEV;
	default:
		return ctx->outstanding < ctx->max_outstanding ? 0 : -ENOBUFS;
	}
}

int miracast_send_message_id(struct miracast_context *ctx,
			     const void *in, u32 in_size, void *out, u32 out_size,
			     miracast_send_message_cb cb, void *cb_ctx, u64 *id)
{
	enum miracast_ctx_state state;
	struct miracast_msg *msg;
	int ret;

	might_sleep();

	if (!cb || (in_size && !in) || (out_size && !out))
		return miracast_refuse(ctx, -EINVAL);
	if (in_size > ctx->max_in_size || out_size > ctx->max_out_size)
		return miracast_refuse(ctx, -EMSGSIZE);
	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	if (!msg)
		return miracast_refuse(ctx, -ENOMEM);
	msg->in = in;
	msg->in_size = in_size;
	msg->out = out;
	msg->out_size = out_size;
	msg->cb = cb;
	msg->cb_ctx = cb_ctx;

	spin_lock(&ctx->lock);
	ret = miracast_accepts(ctx);
	if (ret) {
		ctx->stats.refused++;
		spin_unlock(&ctx->lock);
		kfree(msg);
		return ret;
	}
	state = ctx->state;
	msg->id = ctx->next_id++;
	if (id)
		*id = msg->id;
	ctx->outstanding++;
	ctx->stats.sent++;
	if (state == MIRACAST_CTX_CREATED) {
		list_add_tail(&msg->node, &ctx->held);
		ctx->n_held++;
	} else if (state == MIRACAST_CTX_STARTED) {
		list_add_tail(&msg->node, &ctx->pending);
		ctx->n_pending++;
	}
	spin_unlock(&ctx->lock);

	/* msg may be completed and freed from here on, unless stopped */
	if (state == MIRACAST_CTX_STOPPED)
		miracast_msg_cancel(ctx, msg, false);
	else if (state == MIRACAST_CTX_STARTED)
		wake_up_interruptible(&ctx->read_wq);
	return -EINPROGRESS;
}

int miracast_send_message(struct miracast_context *ctx,
			  const void *in, u32 in_size, void *out, u32 out_size,
			  miracast_send_message_cb cb, void *cb_ctx)
{
	return miracast_send_message_id(ctx, in, in_size, out, out_size, cb, cb_ctx,
					NULL);
}

static struct miracast_msg *miracast_find(struct list_head *list, u64 id)
{
	struct miracast_msg *msg;

	/* the newest messages are at the tail */
	list_for_each_entry_reverse(msg, list, node)
		if (msg->id == id)
			return msg;
	return NULL;
}

int miracast_message_withdraw(struct miracast_context *ctx, u64 id)
{
	struct miracast_msg *msg;

	might_sleep();

	spin_lock(&ctx->lock);
	msg = miracast_find(&ctx->pending, id);
	if (msg) {
		ctx->n_pending--;
	} else {
		msg = miracast_find(&ctx->held, id);
		if (msg)
			ctx->n_held--;
	}
	if (msg) {
		list_del(&msg->node);
		ctx->stats.withdrawn++;
		/* a stop or destroy waits for its callback */
		ctx->busy++;
	}
	spin_unlock(&ctx->lock);

	if (!msg)
		return -ENOENT;
	miracast_msg_cancel(ctx, msg, true);
	return 0;
}

/*
 * Takes every message off the lists onto list for cancellation; busy ones
 * are marked and left to their reader. Called with lock held.
 */
static void miracast_take_all(struct miracast_context *ctx, struct list_head *list)
{
	struct miracast_msg *msg, *tmp;

	list_splice_tail_init(&ctx->held, list);
	list_splice_tail_init(&ctx->pending, list);
	list_for_each_entry_safe(msg, tmp, &ctx->delivered, node) {
		if (msg->busy)
			msg->cancelled = true;
		else
			list_move_tail(&msg->node, list);
	}
	ctx->n_held = 0;
	ctx->n_pending = 0;
}

static bool miracast_idle(struct miracast_context *ctx)
{
	bool idle;

	spin_lock(&ctx->lock);
	idle = !ctx->busy;
	spin_unlock(&ctx->lock);
	return idle;
}

/*
 * Moves the context to state, cancels everything outstanding and returns
 * when no message is in any thread's hands. Called with lock held; returns
 * with it released.
 */
static void miracast_cancel_all(struct miracast_context *ctx,
				enum miracast_ctx_state state)
	__releases(&ctx->lock)
{
	LIST_HEAD(cancel);

	ctx->state = state;
	if (state == MIRACAST_CTX_NONE || state == MIRACAST_CTX_DEAD)
		ctx->owner = NULL;
	miracast_take_all(ctx, &cancel);
	spin_unlock(&ctx->lock);

	wake_up_all(&ctx->read_wq);
	miracast_cancel_list(ctx, &cancel);
	wait_event(ctx->idle_wq, miracast_idle(ctx));
}

/* 0 if file owns the context, else the error its callers return. */
static int miracast_check_owner(struct miracast_context *ctx, struct file *file)
{
	if (ctx->state == MIRACAST_CTX_DEAD)
		return -ENODEV;
	if (ctx->owner == file)
		return 0;
	return ctx->owner ? -EPERM : -ENOTCONN;
}

int miracast_context_check(struct miracast_context *ctx, struct file *file)
{
	int ret;

	spin_lock(&ctx->lock);
	ret = miracast_check_owner(ctx, file);
	spin_unlock(&ctx->lock);
	return ret;
}

int miracast_context_create(struct miracast_context *ctx, struct file *file)
{
	int ret = 0;

	lockdep_assert_held(&ctx->class_lock);
	spin_lock(&ctx->lock);
	if (ctx->state == MIRACAST_CTX_DEAD) {
		ret = -ENODEV;
	} else if (ctx->owner == file) {
		ret = -EALREADY;
	} else if (ctx->owner) {
		ret = -EBUSY;
	} else {
		ctx->state = MIRACAST_CTX_CREATED;
		ctx->owner = file;
	}
	spin_unlock(&ctx->lock);
	return ret;
}

int miracast_context_start(struct miracast_context *ctx, struct file *file)
{
	int ret;

	lockdep_assert_held(&ctx->class_lock);
	spin_lock(&ctx->lock);
	ret = miracast_check_owner(ctx, file);
	if (!ret && ctx->state != MIRACAST_CTX_CREATED)
		ret = -EBADFD;
	if (!ret) {
		/* what was held is delivered now, before anything newer */
		list_splice_tail_init(&ctx->held, &ctx->pending);
		ctx->n_pending += ctx->n_held;
		ctx->n_held = 0;
		ctx->state = MIRACAST_CTX_STARTED;
	}
	spin_unlock(&ctx->lock);
	if (!ret)
		wake_up_interruptible(&ctx->read_wq);
	return ret;
}

/* STOP_SESSION and DESTROY_CONTEXT: cancel everything, move to state. */
static int miracast_context_end(struct miracast_context *ctx, struct file *file,
				enum miracast_ctx_state state)
{
	int ret;

	lockdep_assert_held(&ctx->class_lock);
	spin_lock(&ctx->lock);
	ret = miracast_check_owner(ctx, file);
	if (!ret && state == MIRACAST_CTX_STOPPED && ctx->state == MIRACAST_CTX_STOPPED)
		ret = -EBADFD;
	if (ret) {
		spin_unlock(&ctx->lock);
		return ret;
	}
	miracast_cancel_all(ctx, state);
	return 0;
}

int miracast_context_stop(struct miracast_context *ctx, struct file *file)
{
	return miracast_context_end(ctx, file, MIRACAST_CTX_STOPPED);
}

int miracast_context_destroy(struct miracast_context *ctx, struct file *file)
{
	return miracast_context_end(ctx, file, MIRACAST_CTX_NONE);
}

/* The device is going away: cancel everything and refuse what follows. */
void miracast_context_kill(struct miracast_context *ctx)
{
	lockdep_assert_held(&ctx->class_lock);
	spin_lock(&ctx->lock);
	miracast_cancel_all(ctx, MIRACAST_CTX_DEAD);
}

bool miracast_context_owned_by(struct miracast_context *ctx, struct file *file)
{
	bool owned;

	spin_lock(&ctx->lock);
	owned = ctx->owner == file;
	spin_unlock(&ctx->lock);
	return owned;
}

enum miracast_ctx_state miracast_context_state(struct miracast_context *ctx,
					       struct file *file)
{
	enum miracast_ctx_state state;

	spin_lock(&ctx->lock);
	state = ctx->owner == file ? ctx->state : MIRACAST_CTX_NONE;
	spin_unlock(&ctx->lock);
	return state;
}

/* >0 messages to read, 0 end of the session, -EAGAIN wait, else an error. */
static int miracast_read_ready(struct miracast_context *ctx, struct file *file)
{
	int ret = miracast_check_owner(ctx, file);

	if (ret)
		return ret;
	if (ctx->n_pending)
		return 1;
	return ctx->state == MIRACAST_CTX_STOPPED ? 0 : -EAGAIN;
}

static bool miracast_read_wait_done(struct miracast_context *ctx, struct file *file)
{
	int ret;

	spin_lock(&ctx->lock);
	ret = miracast_read_ready(ctx, file);
	spin_unlock(&ctx->lock);
	return ret != -EAGAIN;
}

/* Header, payload and padding of one message, in one user-access window. */
static int miracast_copy_msg(char __user *buf, const struct miracast_msg *msg)
{
	static const u8 zeros[8];
	size_t pad = MIRACAST_MSG_SIZE(msg->in_size) - sizeof(struct miracast_msg_header) -
		     msg->in_size;
	struct miracast_msg_header __user *hdr = (void __user *)buf;
	char __user *payload = buf + sizeof(*hdr);

	if (!user_access_begin(buf, MIRACAST_MSG_SIZE(msg->in_size)))
		return -EFAULT;
	unsafe_put_user(msg->id, &hdr->id, efault);
	unsafe_put_user(msg->in_size, &hdr->in_size, efault);
	unsafe_put_user(msg->out_size, &hdr->out_size, efault);
	unsafe_put_user(0, &hdr->flags, efault);
	unsafe_put_user(0, &hdr->reserved, efault);
	unsafe_copy_to_user(payload, msg->in, msg->in_size, efault);
	unsafe_copy_to_user(payload + msg->in_size, zeros, pad, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

ssize_t miracast_context_read(struct miracast_context *ctx, struct file *file,
			      char __user *buf, size_t count)
{
	struct miracast_msg *batch[MIRACAST_READ_BATCH];
	struct miracast_msg *msg, *tmp;
	unsigned int n = 0, done = 0, i;
	size_t size = 0, len;
	LIST_HEAD(cancel);
	int ret;

	spin_lock(&ctx->lock);
	while ((ret = miracast_read_ready(ctx, file)) == -EAGAIN) {
		spin_unlock(&ctx->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ctx->read_wq,
					       miracast_read_wait_done(ctx, file));
		if (ret)
			return ret;
		spin_lock(&ctx->lock);
	}
	if (ret <= 0) {
		spin_unlock(&ctx->lock);
		return ret;
	}

	/* Whole messages, as many as fit; they stay visible to cancellation. */
	list_for_each_entry_safe(msg, tmp, &ctx->pending, node) {
		len = MIRACAST_MSG_SIZE(msg->in_size);
		if (n == MIRACAST_READ_BATCH || len > count - size)
			break;
		size += len;
		msg->busy = true;
		list_move_tail(&msg->node, &ctx->delivered);
		batch[n++] = msg;
	}
	ctx->n_pending -= n;
	ctx->busy += n;
	spin_unlock(&ctx->lock);
	if (!n)
		return -EINVAL;

	for (size = 0; done < n; done++) {
		if (miracast_copy_msg(buf + size, batch[done]))
			break;
		size += MIRACAST_MSG_SIZE(batch[done]->in_size);
	}

	spin_lock(&ctx->lock);
	for (i = n; i-- > 0;) {
		msg = batch[i];
		msg->busy = false;
		if (msg->cancelled) {
			list_move(&msg->node, &cancel);
		} else if (i >= done) {
			/* not copied: back to the front, in order */
			list_move(&msg->node, &ctx->pending);
			ctx->n_pending++;
		} else {
			ctx->stats.delivered++;
		}
	}
	ctx->busy -= n;
	if (!ctx->busy)
		wake_up_all(&ctx->idle_wq);
	spin_unlock(&ctx->lock);

	if (done < n)
		wake_up_interruptible(&ctx->read_wq);
	miracast_cancel_list(ctx, &cancel);
	return done ? size : -EFAULT;
}

__poll_t miracast_context_poll(struct miracast_context *ctx, struct file *file,
			       poll_table *wait)
{
	__poll_t mask = 0;
	int ret;

	poll_wait(file, &ctx->read_wq, wait);
	spin_lock(&ctx->lock);
	ret = miracast_read_ready(ctx, file);
	spin_unlock(&ctx->lock);
	if (ret > 0)
		mask |= EPOLLIN | EPOLLRDNORM;
	else if (ret == 0)
		mask |= EPOLLHUP;
	else if (ret != -EAGAIN)
		mask |= EPOLLERR | EPOLLHUP;
	return mask;
}

/* NTSTATUS severity "error": such a completion carries no output. */
static bool miracast_status_is_error(u32 status)
{
	return (status >> 30) == 3;
}

/*
 * A taken message whose output could not be copied: back on the list if
 * the session still runs, else cancelled.
 */
static void miracast_requeue(struct miracast_context *ctx, struct file *file,
			     struct miracast_msg *msg)
{
	bool requeue;

	spin_lock(&ctx->lock);
	requeue = ctx->state == MIRACAST_CTX_STARTED && ctx->owner == file;
	if (requeue) {
		list_add(&msg->node, &ctx->delivered);
		if (!--ctx->busy)
			wake_up_all(&ctx->idle_wq);
	}
	spin_unlock(&ctx->lock);
	if (!requeue)
		miracast_msg_cancel(ctx, msg, true);
}

/* The checks of one completion that need no lock; 0 or -EINVAL. */
static int miracast_completion_valid(const struct miracast_completion *c)
{
	if (c->result || c->reserved || c->status == MIRACAST_STATUS_PENDING ||
	    (c->out_size && miracast_status_is_error(c->status)))
		return -EINVAL;
	return 0;
}

/*
 * Completes n messages, setting each entry's result. The messages are
 * taken off the list under one lock hold, their outputs copied and their
 * callbacks run without it, and their ends accounted under one more.
 */
void miracast_context_complete(struct miracast_context *ctx, struct file *file,
			       struct miracast_completion *c, unsigned int n)
{
	struct miracast_msg *taken[MIRACAST_COMPLETE_MAX];
	struct miracast_msg *msg, *iter;
	unsigned int i, ended = 0;
	int owner;

	if (WARN_ON_ONCE(n > MIRACAST_COMPLETE_MAX))
		n = MIRACAST_COMPLETE_MAX;
	for (i = 0; i < n; i++)
		c[i].result = miracast_completion_valid(&c[i]);

	spin_lock(&ctx->lock);
	owner = miracast_check_owner(ctx, file);
	for (i = 0; i < n; i++) {
		taken[i] = NULL;
		if (c[i].result)
			continue;
		if (owner) {
			c[i].result = owner;
			continue;
		}
		msg = NULL;
		list_for_each_entry(iter, &ctx->delivered, node) {
			if (iter->id == c[i].id && !iter->busy) {
				msg = iter;
				break;
			}
		}
		if (!msg) {
			/* late (cancelled), duplicate, unknown or not read yet */
			ctx->stats.late++;
			c[i].result = -ENOENT;
		} else if (c[i].out_size > msg->out_size) {
			c[i].result = -EMSGSIZE;
		} else {
			list_del(&msg->node);
			ctx->busy++;
			taken[i] = msg;
		}
	}
	spin_unlock(&ctx->lock);

	for (i = 0; i < n; i++) {
		msg = taken[i];
		if (!msg)
			continue;
		if (c[i].out_size &&
		    copy_from_user(msg->out, u64_to_user_ptr(c[i].out_ptr), c[i].out_size)) {
			c[i].result = -EFAULT;
			taken[i] = NULL;
			miracast_requeue(ctx, file, msg);
			continue;
		}
		miracast_msg_call(msg, c[i].status, c[i].out_size);
		ended++;
	}
	if (!ended)
		return;

	spin_lock(&ctx->lock);
	ctx->outstanding -= ended;
	ctx->stats.callbacks += ended;
	ctx->stats.completed += ended;
	ctx->busy -= ended;
	if (!ctx->busy)
		wake_up_all(&ctx->idle_wq);
	spin_unlock(&ctx->lock);
	for (i = 0; i < n; i++)
		kfree(taken[i]);
}

void miracast_context_stats(struct miracast_context *ctx,
			    struct miracast_msg_stats *stats,
			    unsigned int *outstanding, unsigned int *held,
			    unsigned int *pending)
{
	spin_lock(&ctx->lock);
	*stats = ctx->stats;
	*outstanding = ctx->outstanding;
	*held = ctx->n_held;
	*pending = ctx->n_pending;
	spin_unlock(&ctx->lock);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The message engine: the Linux form of Windows' DxgkCbMiracastSendMessage
 * and DXGKCB_MIRACAST_SEND_MESSAGE_CALLBACK.
 *
 * A device has one context slot. A daemon's file creates the context,
 * starts and stops its session and destroys it (or closes the file). The
 * kernel sends messages into the context with miracast_send_message(); the
 * daemon read()s them and completes them; each accepted message's callback
 * runs exactly once, with the daemon's status and output or with
 * MIRACAST_STATUS_CANCELLED.
 *
 * Locking: class_lock (mutex) serialises create, start, stop, destroy,
 * IO_CONTROL and unbind, like Windows' "Miracast class". lock (spinlock)
 * guards the state, the owner, the message lists and the counters; it is
 * never held while user memory is touched or a callback runs. A message
 * that a reader is copying out, or that a completer has taken, is "busy":
 * cancellation leaves it to that thread, and stop/destroy wait until no
 * message is busy, so no callback runs after they return.
 */
#ifndef MIRACAST_MSG_H
#define MIRACAST_MSG_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

struct file;

/* IO_STATUS_BLOCK: status is an NTSTATUS, information the output bytes. */
struct miracast_io_status {
	s32 status;
	u64 information;
};

/*
 * Runs once per accepted message, in process context (it may sleep), with
 * no engine lock held, possibly concurrently with other callbacks and
 * possibly before miracast_send_message() has returned. iosb is valid only
 * during the call.
 */
typedef void (*miracast_send_message_cb)(void *cb_ctx,
					 const struct miracast_io_status *iosb);

enum miracast_ctx_state {
	MIRACAST_CTX_NONE,	/* no context: sends are refused */
	MIRACAST_CTX_CREATED,	/* sends are held until the session starts */
	MIRACAST_CTX_STARTED,	/* sends are delivered */
	MIRACAST_CTX_STOPPED,	/* sends complete at once, cancelled */
	MIRACAST_CTX_DEAD,	/* the device is gone */
};

struct miracast_msg_stats {
	u64 sent;		/* accepted: -EINPROGRESS returned */
	u64 refused;		/* send_message returned an error */
	u64 delivered;		/* read() by the daemon */
	u64 completed;		/* completed by the daemon */
	u64 cancelled;		/* ended with MIRACAST_STATUS_CANCELLED */
	u64 callbacks;		/* callbacks that have returned */
	u64 late;		/* completions refused with -ENOENT */
	u64 withdrawn;		/* taken back unread by their sender */
};

struct miracast_context {
	struct mutex class_lock;	/* the "Miracast class" calls */

	spinlock_t lock;		/* everything below */
	enum miracast_ctx_state state;
	struct file *owner;
	struct list_head held;		/* sent before the session started */
	struct list_head pending;	/* waiting for read() */
	struct list_head delivered;	/* read, waiting for completion */
	unsigned int outstanding;	/* accepted, callback not returned */
	unsigned int n_held, n_pending;
	unsigned int busy;		/* messages being copied or completed */
	u64 next_id;
	struct miracast_msg_stats stats;

	wait_queue_head_t read_wq;
	wait_queue_head_t idle_wq;

	/* limits, fixed when the device is created */
	u32 max_outstanding, max_in_size, max_out_size;
};

void miracast_context_init(struct miracast_context *ctx, u32 max_outstanding,
			   u32 max_in_size, u32 max_out_size);

int miracast_send_message(struct miracast_context *ctx,
			  const void *in, u32 in_size, void *out, u32 out_size,
			  miracast_send_message_cb cb, void *cb_ctx);

/* The same, telling the message's id (written before any callback runs). */
int miracast_send_message_id(struct miracast_context *ctx,
			     const void *in, u32 in_size, void *out, u32 out_size,
			     miracast_send_message_cb cb, void *cb_ctx, u64 *id);

/*
 * Takes back message id if nobody has read it yet: its callback has run
 * with MIRACAST_STATUS_CANCELLED when this returns 0. -ENOENT when it was
 * read, completed or cancelled already. May sleep.
 */
int miracast_message_withdraw(struct miracast_context *ctx, u64 id);

/* Lifecycle, called with class_lock held. */
int miracast_context_create(struct miracast_context *ctx, struct file *file);
int miracast_context_start(struct miracast_context *ctx, struct file *file);
int miracast_context_stop(struct miracast_context *ctx, struct file *file);
int miracast_context_destroy(struct miracast_context *ctx, struct file *file);
void miracast_context_kill(struct miracast_context *ctx);

/* 0 if file owns the context, else -ENOTCONN, -EPERM or -ENODEV. */
int miracast_context_check(struct miracast_context *ctx, struct file *file);
bool miracast_context_owned_by(struct miracast_context *ctx, struct file *file);
enum miracast_ctx_state miracast_context_state(struct miracast_context *ctx,
					       struct file *file);

/* The daemon's side, without class_lock. */
ssize_t miracast_context_read(struct miracast_context *ctx, struct file *file,
			      char __user *buf, size_t count);
__poll_t miracast_context_poll(struct miracast_context *ctx, struct file *file,
			       poll_table *wait);
/* Completions handled under one lock hold at most. */
#define MIRACAST_COMPLETE_MAX	32

struct miracast_completion;
void miracast_context_complete(struct miracast_context *ctx, struct file *file,
			       struct miracast_completion *c, unsigned int n);

void miracast_context_stats(struct miracast_context *ctx,
			    struct miracast_msg_stats *stats,
			    unsigned int *outstanding, unsigned int *held,
			    unsigned int *pending);

#endif /* MIRACAST_MSG_H */

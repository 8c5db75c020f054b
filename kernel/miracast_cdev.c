// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: /dev/miracastN, the daemon's side of the device.
 *
 * Each open file keeps the device structure alive with a drm_dev_get();
 * after the platform device is unbound its calls return -ENODEV and its
 * release still frees what it holds. The ioctls are those of
 * uapi/miracast.h; every structure is size-checked against the ioctl
 * number and its reserved fields must be zero.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "miracast_drv.h"

struct miracast_file {
	struct miracast_device *mdev;
};

static bool miracast_zeroed(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

static int miracast_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx: the device cannot be unregistered here. */
	struct miracast_device *mdev = container_of(file->private_data,
						    struct miracast_device, misc);
	struct miracast_file *mfile;

	mfile = kzalloc(sizeof(*mfile), GFP_KERNEL);
	if (!mfile)
		return -ENOMEM;

	mfile->mdev = mdev;
	drm_dev_get(&mdev->drm);
	atomic_inc(&mdev->open_files);
	file->private_data = mfile;
	return stream_open(inode, file);
}

/* DESTROY_CONTEXT and release: cancel everything, the monitor departs. */
static int miracast_destroy(struct miracast_device *mdev, struct file *file)
{
	int ret;

	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_destroy(&mdev->ctx, file);
	if (!ret)
		miracast_monitor_departure(mdev);
	mutex_unlock(&mdev->ctx.class_lock);
	/* GET_CHUNKS waiters return */
	if (!ret)
		miracast_frames_reset(mdev);
	return ret;
}

static int miracast_release(struct inode *inode, struct file *file)
{
	struct miracast_file *mfile = file->private_data;
	struct miracast_device *mdev = mfile->mdev;
	int idx;

	if (drm_dev_enter(&mdev->drm, &idx)) {
		if (miracast_context_owned_by(&mdev->ctx, file))
			miracast_destroy(mdev, file);
		drm_dev_exit(idx);
	}
	atomic_dec(&mdev->open_files);
	kfree(mfile);
	drm_dev_put(&mdev->drm);
	return 0;
}

static ssize_t miracast_read(struct file *file, char __user *buf, size_t count,
			     loff_t *ppos)
{
	struct miracast_file *mfile = file->private_data;

	return miracast_context_read(&mfile->mdev->ctx, file, buf, count);
}

static __poll_t miracast_poll(struct file *file, poll_table *wait)
{
	struct miracast_file *mfile = file->private_data;

	return miracast_context_poll(&mfile->mdev->ctx, file, wait) |
	       miracast_chunks_poll(mfile->mdev, file, wait);
}

static int miracast_ioc_query_caps(struct miracast_device *mdev, struct file *file,
				   void *data)
{
	struct miracast_caps *caps = data;

	*caps = mdev->caps;
	return 0;
}

static int miracast_ioc_create_context(struct miracast_device *mdev, struct file *file,
				       void *data)
{
	struct miracast_create_context *args = data;
	int ret;

	if (args->flags || !miracast_zeroed(args->reserved, sizeof(args->reserved)))
		return -EINVAL;
	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_create(&mdev->ctx, file);
	mutex_unlock(&mdev->ctx.class_lock);
	if (ret)
		return ret;
	miracast_frames_reset(mdev);
	args->connector_id = mdev->connector.base.id;
	args->drm_minor = mdev->drm.primary->index;
	return 0;
}

static int miracast_ioc_start_session(struct miracast_device *mdev, struct file *file,
				      void *data)
{
	struct miracast_start_session *args = data;
	const u32 known = MIRACAST_SESSION_MONITOR_CONNECTED |
			  MIRACAST_SESSION_REDUCED_MODE_LIST;
	int ret;

	if ((args->session_info & ~known) ||
	    !miracast_zeroed(args->reserved, sizeof(args->reserved)))
		return -EINVAL;
	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_start(&mdev->ctx, file);
	mutex_unlock(&mdev->ctx.class_lock);
	if (!ret)
		drm_dbg_driver(&mdev->drm, "session started: %llu bit/s, info %#x\n",
			       args->current_bitrate, args->session_info);
	return ret;
}

static int miracast_ioc_stop_session(struct miracast_device *mdev, struct file *file,
				     void *data)
{
	int ret;

	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_stop(&mdev->ctx, file);
	mutex_unlock(&mdev->ctx.class_lock);
	return ret;
}

static int miracast_ioc_destroy_context(struct miracast_device *mdev, struct file *file,
					void *data)
{
	return miracast_destroy(mdev, file);
}

static int miracast_get_state(struct miracast_device *mdev, struct file *file,
			      struct miracast_io_control *args)
{
	static const u32 states[MIRACAST_CTX_DEAD + 1] = {
		[MIRACAST_CTX_CREATED] = MIRACAST_CONTEXT_CREATED,
		[MIRACAST_CTX_STARTED] = MIRACAST_CONTEXT_STARTED,
		[MIRACAST_CTX_STOPPED] = MIRACAST_CONTEXT_STOPPED,
	};
	struct miracast_state st = {
		.monitor_connected = READ_ONCE(mdev->monitor.connected),
	};
	struct miracast_msg_stats stats;
	u32 len = min_t(u32, args->out_size, sizeof(st));

	if (args->in_size)
		return -EINVAL;
	st.context_state = states[miracast_context_state(&mdev->ctx, file)];
	miracast_context_stats(&mdev->ctx, &stats, &st.outstanding, &st.held,
			       &st.readable);
	if (copy_to_user(u64_to_user_ptr(args->out_ptr), &st, len))
		return -EFAULT;
	args->bytes_returned = len;
	return 0;
}

static int miracast_ioc_io_control(struct miracast_device *mdev, struct file *file,
				   void *data)
{
	struct miracast_io_control *args = data;
	const void __user *in = u64_to_user_ptr(args->in_ptr);
	enum miracast_ctx_state state;
	int ret;

	if (args->flags || args->bytes_returned ||
	    !miracast_zeroed(args->reserved, sizeof(args->reserved)))
		return -EINVAL;

	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		goto out;
	state = miracast_context_state(&mdev->ctx, file);
	switch (args->opcode) {
	case MIRACAST_IOCTL_MONITOR_ARRIVAL:
		/* after the session started, as on Windows */
		ret = state == MIRACAST_CTX_STARTED ?
		      miracast_monitor_arrival(mdev, in, args->in_size) : -EBADFD;
		break;
	case MIRACAST_IOCTL_MONITOR_DEPARTURE:
		ret = args->in_size || args->out_size ? -EINVAL : 0;
		if (!ret)
			miracast_monitor_departure(mdev);
		break;
	case MIRACAST_IOCTL_GET_STATE:
		ret = miracast_get_state(mdev, file, args);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
out:
	mutex_unlock(&mdev->ctx.class_lock);
	return ret;
}

static int miracast_ioc_complete(struct miracast_device *mdev, struct file *file,
				 void *data)
{
	struct miracast_completion *c = data;

	miracast_context_complete(&mdev->ctx, file, c, 1);
	return c->result;
}

static int miracast_ioc_complete_batch(struct miracast_device *mdev, struct file *file,
				       void *data)
{
	struct miracast_complete_batch *args = data;
	char __user *entries = u64_to_user_ptr(args->entries_ptr);
	const size_t esize = args->entry_size;
	const bool same_size = esize == sizeof(struct miracast_completion);
	bool newer[MIRACAST_COMPLETE_MAX];
	struct miracast_completion *chunk;
	u32 i, j, n;
	int ret;

	if (!args->count || args->count > MIRACAST_MAX_BATCH || args->completed ||
	    args->reserved || esize < sizeof(*chunk) || esize % sizeof(u64))
		return -EINVAL;
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		return ret;

	chunk = kmalloc_array(MIRACAST_COMPLETE_MAX, sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	for (i = 0; i < args->count; i += n) {
		n = min_t(u32, args->count - i, MIRACAST_COMPLETE_MAX);
		/* entries of our size: one copy each way for the whole chunk */
		if (same_size && copy_from_user(chunk, entries + i * esize, n * esize)) {
			ret = -EFAULT;
			goto out;
		}
		for (j = 0; j < n; j++) {
			newer[j] = false;
			if (same_size)
				continue;
			ret = copy_struct_from_user(&chunk[j], sizeof(*chunk),
						    entries + (i + j) * esize, esize);
			if (ret == -EFAULT)
				goto out;
			/* E2BIG: fields of a newer UAPI are set; not completed */
			newer[j] = ret;
			chunk[j].result = ret;
		}

		miracast_context_complete(&mdev->ctx, file, chunk, n);

		for (j = 0; j < n; j++) {
			if (newer[j])
				chunk[j].result = -E2BIG;
			if (!chunk[j].result)
				args->completed++;
		}
		if (same_size && copy_to_user(entries + i * esize, chunk, n * esize)) {
			ret = -EFAULT;
			goto out;
		}
		for (j = 0; j < n && !same_size; j++) {
			if (put_user(chunk[j].result, (s32 __user *)(entries + (i + j) * esize +
					offsetof(struct miracast_completion, result)))) {
				ret = -EFAULT;
				goto out;
			}
		}
	}
	ret = 0;
out:
	kfree(chunk);
	return ret;
}

static int miracast_ioc_report_chunk(struct miracast_device *mdev, struct file *file,
				     void *data)
{
	struct miracast_chunk_report *r = data;
	int ret;

	if (r->reserved)
		return -EINVAL;
	switch (r->type) {
	case MIRACAST_CHUNK_COLOR_CONVERT_COMPLETE:
	case MIRACAST_CHUNK_ENCODE_COMPLETE:
	case MIRACAST_CHUNK_SENT:
		break;
	default:
		/* FRAME_START and FRAME_DROPPED come from the kernel only */
		return -EINVAL;
	}
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		return ret;
	if (miracast_context_state(&mdev->ctx, file) != MIRACAST_CTX_STARTED)
		return -EBADFD;
	atomic64_inc(&mdev->chunks[r->type]);
	return 0;
}

static int miracast_ioc_report_status(struct miracast_device *mdev, struct file *file,
				      void *data)
{
	static const char * const reasons[] = {
		[MIRACAST_SESSION_CRITICAL_ERROR] = "critical error",
		[MIRACAST_SESSION_MISSING_KEEPALIVE] = "missing keep-alive",
		[MIRACAST_SESSION_SINK_DISCONNECT_REQUEST] = "sink asked to disconnect",
		[MIRACAST_SESSION_INSUFFICIENT_BANDWIDTH] = "insufficient bandwidth",
		[MIRACAST_SESSION_SINK_FAILED_MODE_CHANGE] = "sink failed a mode change",
		[MIRACAST_SESSION_COMPANION_DRIVER_DISCONNECT] = "companion driver disconnect",
	};
	struct miracast_session_status *st = data;
	int ret;

	if (st->reason >= ARRAY_SIZE(reasons) ||
	    !miracast_zeroed(st->reserved, sizeof(st->reserved)))
		return -EINVAL;

	mutex_lock(&mdev->ctx.class_lock);
	ret = miracast_context_check(&mdev->ctx, file);
	if (!ret) {
		atomic64_inc(&mdev->session_errors);
		dev_warn_ratelimited(mdev->drm.dev, "session error: %s (status %#010x)\n",
				     reasons[st->reason], st->status);
		/* an error always ends the session */
		if (miracast_context_state(&mdev->ctx, file) != MIRACAST_CTX_STOPPED)
			ret = miracast_context_stop(&mdev->ctx, file);
	}
	mutex_unlock(&mdev->ctx.class_lock);
	return ret;
}

/*
 * GET_BUFFER_FD: the fd is reserved by the handler and installed only once
 * the structure naming it has reached userspace.
 */
struct miracast_ioctl_call {
	union miracast_ioctl_data {
		struct miracast_caps caps;
		struct miracast_create_context create;
		struct miracast_start_session start;
		struct miracast_io_control io_control;
		struct miracast_completion completion;
		struct miracast_complete_batch batch;
		struct miracast_chunk_report chunk;
		struct miracast_session_status status;
		struct miracast_buffer_fd buffer_fd;
		struct miracast_get_chunks get_chunks;
	} data;
	int install_fd;
	struct file *install_file;
};

static int miracast_ioc_get_buffer_fd(struct miracast_device *mdev, struct file *file,
				      void *data)
{
	struct miracast_ioctl_call *call = container_of(data, struct miracast_ioctl_call,
							data.buffer_fd);
	int ret;

	ret = miracast_buffer_get_fd(mdev, file, &call->data.buffer_fd, &call->install_file);
	if (!ret)
		call->install_fd = call->data.buffer_fd.fd;
	return ret;
}

static int miracast_ioc_get_chunks(struct miracast_device *mdev, struct file *file,
				   void *data)
{
	return miracast_chunks_get(mdev, file, data);
}

typedef int (*miracast_ioctl_fn)(struct miracast_device *mdev, struct file *file,
				 void *data);

static const struct miracast_ioctl_desc {
	unsigned int cmd;
	miracast_ioctl_fn fn;
	bool copy_out_on_error;
} miracast_ioctls[] = {
#define MIRACAST_IOCTL(name, fn, out_on_error) \
	[_IOC_NR(MIRACAST_IOC_##name)] = { MIRACAST_IOC_##name, fn, out_on_error }
	MIRACAST_IOCTL(QUERY_CAPS, miracast_ioc_query_caps, false),
	MIRACAST_IOCTL(CREATE_CONTEXT, miracast_ioc_create_context, false),
	MIRACAST_IOCTL(START_SESSION, miracast_ioc_start_session, false),
	MIRACAST_IOCTL(STOP_SESSION, miracast_ioc_stop_session, false),
	MIRACAST_IOCTL(DESTROY_CONTEXT, miracast_ioc_destroy_context, false),
	MIRACAST_IOCTL(IO_CONTROL, miracast_ioc_io_control, false),
	MIRACAST_IOCTL(COMPLETE, miracast_ioc_complete, true),
	MIRACAST_IOCTL(COMPLETE_BATCH, miracast_ioc_complete_batch, false),
	MIRACAST_IOCTL(REPORT_CHUNK, miracast_ioc_report_chunk, false),
	MIRACAST_IOCTL(REPORT_STATUS, miracast_ioc_report_status, false),
	MIRACAST_IOCTL(GET_BUFFER_FD, miracast_ioc_get_buffer_fd, false),
	MIRACAST_IOCTL(GET_CHUNKS, miracast_ioc_get_chunks, false),
#undef MIRACAST_IOCTL
};

/*
 * Dispatch on the ioctl's number and direction; its size may differ from
 * ours: a shorter structure is zero-extended, a longer one must have zeros
 * beyond ours.
 */
static long miracast_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct miracast_file *mfile = file->private_data;
	struct miracast_device *mdev = mfile->mdev;
	void __user *uarg = (void __user *)arg;
	const struct miracast_ioctl_desc *desc;
	struct miracast_ioctl_call call;
	size_t usize, ksize;
	unsigned int nr;
	long ret;
	int idx;

	nr = _IOC_NR(cmd);
	if (_IOC_TYPE(cmd) != MIRACAST_IOC_MAGIC || nr >= ARRAY_SIZE(miracast_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(miracast_ioctls));
	desc = &miracast_ioctls[nr];
	if (!desc->fn || _IOC_DIR(cmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;
	usize = _IOC_SIZE(cmd);
	ksize = _IOC_SIZE(desc->cmd);
	if (!ksize != !usize)
		return -ENOTTY;

	memset(&call, 0, sizeof(call));
	call.install_fd = -1;
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(&call.data, ksize, uarg, usize);
		if (ret)
			return ret;
	}

	if (!drm_dev_enter(&mdev->drm, &idx))
		return -ENODEV;
	ret = desc->fn(mdev, file, &call.data);
	drm_dev_exit(idx);

	if ((_IOC_DIR(cmd) & _IOC_READ) && (!ret || desc->copy_out_on_error)) {
		if (copy_to_user(uarg, &call.data, min(usize, ksize)) ||
		    (usize > ksize && clear_user(uarg + ksize, usize - ksize)))
			ret = -EFAULT;
	}
	if (call.install_file) {
		if (ret) {
			put_unused_fd(call.install_fd);
			fput(call.install_file);
		} else {
			fd_install(call.install_fd, call.install_file);
		}
	}
	return ret;
}

static const struct file_operations miracast_fops = {
	.owner = THIS_MODULE,
	.open = miracast_open,
	.release = miracast_release,
	.read = miracast_read,
	.poll = miracast_poll,
	.unlocked_ioctl = miracast_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

int miracast_cdev_register(struct miracast_device *mdev)
{
	struct miscdevice *misc = &mdev->misc;

	snprintf(mdev->misc_name, sizeof(mdev->misc_name), "miracast%d", mdev->index);
	misc->minor = MISC_DYNAMIC_MINOR;
	misc->name = mdev->misc_name;
	misc->fops = &miracast_fops;
	misc->parent = mdev->drm.dev;
	/* The daemon runs as a member of group "video" (see the udev rule). */
	misc->mode = 0660;

	return misc_register(misc);
}

/* No new opens; open files see -ENODEV; every message is cancelled. */
void miracast_cdev_unregister(struct miracast_device *mdev)
{
	misc_deregister(&mdev->misc);
	mutex_lock(&mdev->ctx.class_lock);
	miracast_context_kill(&mdev->ctx);
	miracast_monitor_departure(mdev);
	mutex_unlock(&mdev->ctx.class_lock);
	miracast_frames_reset(mdev);
}

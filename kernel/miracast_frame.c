// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: frames as messages, without a pixel copied.
 *
 * Every commit that changes the primary or the cursor plane of a lit CRTC
 * becomes a FRAME message naming the buffers shown. The message holds a
 * reference on their framebuffers (and so on their GEM objects) until the
 * daemon completes it; the daemon maps the buffers through dma-bufs that
 * GET_BUFFER_FD exports once per buffer.
 *
 * Flip gating: the flip event of commit N is parked until the frame of
 * commit N-1 is completed, since only then may the client draw into that
 * buffer again, or until the deadline (module parameter frame_deadline_ms)
 * has passed, so a stuck daemon cannot freeze the client; such a frame is
 * counted as dropped. A frame the daemon has not read yet when the next one
 * comes is withdrawn instead (latest wins) and counted as dropped.
 *
 * Locking: frames->lock (spinlock, irq-safe: the vblank timer takes it)
 * guards last, gate, parked, the done/late flags of frames, the chunk
 * queue and the counters. It is never held with dev->event_lock or the
 * message engine's lock. Commits are serialised by the atomic helpers, so
 * miracast_frame_flush() never runs twice at once on a device.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_atomic.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_vblank.h>

#include "miracast_drv.h"

static unsigned int frame_deadline_ms = 100;

static int miracast_deadline_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, MIRACAST_MAX_DEADLINE_MS);
}

static const struct kernel_param_ops miracast_deadline_ops = {
	.set = miracast_deadline_set,
	.get = param_get_uint,
};

module_param_cb(frame_deadline_ms, &miracast_deadline_ops, &frame_deadline_ms, 0644);
MODULE_PARM_DESC(frame_deadline_ms,
		 "How long a flip waits for the daemon to finish the previous frame, in ms (1-5000, default 100)");

struct miracast_frame {
	struct kref ref;
	struct miracast_device *mdev;
	struct drm_framebuffer *fbs[2];	/* primary, cursor: held by the message */
	u64 msg_id;
	bool done;			/* the message ended (under frames->lock) */
	bool late;			/* the deadline released the next flip */
	struct miracast_event_frame *ev;	/* follows this structure */
};

struct miracast_fb {
	struct drm_framebuffer base;	/* first: drm_gem_fb_destroy() frees it */
	u32 id;				/* the buffer_id the daemon sees */
	bool announced;			/* a frame has named it */
	struct dma_buf *dmabuf;		/* exported once, under export_lock */
};

static_assert(offsetof(struct miracast_fb, base) == 0);

static struct miracast_fb *to_miracast_fb(struct drm_framebuffer *fb)
{
	return container_of(fb, struct miracast_fb, base);
}

static void miracast_frame_free(struct kref *ref)
{
	kfree(container_of(ref, struct miracast_frame, ref));
}

static void miracast_frame_put(struct miracast_frame *f)
{
	if (f)
		kref_put(&f->ref, miracast_frame_free);
}

/* Queues a kernel chunk record; frames->lock held. */
static void miracast_chunk_add(struct miracast_frames *fr, u32 type, u64 frame)
{
	struct miracast_chunk_report *c;

	if (fr->chunk_count == MIRACAST_MAX_CHUNKS) {
		/* As Windows: everything queued is lost, the daemon is told. */
		fr->chunk_first += fr->chunk_count;
		fr->chunk_head = 0;
		fr->chunk_count = 0;
		fr->chunk_reset = true;
		fr->stats.chunks_lost++;
		return;
	}
	c = &fr->chunks[(fr->chunk_head + fr->chunk_count) % MIRACAST_MAX_CHUNKS];
	*c = (struct miracast_chunk_report) {
		.chunk_id = MIRACAST_CHUNK_ID(frame, 0),
		.type = type,
	};
	fr->chunk_count++;
}

static void miracast_chunk_report(struct miracast_frames *fr, u32 type, u64 frame)
{
	unsigned long flags;

	spin_lock_irqsave(&fr->lock, flags);
	miracast_chunk_add(fr, type, frame);
	spin_unlock_irqrestore(&fr->lock, flags);
	wake_up_interruptible(&fr->chunk_wq);
}

static void miracast_frame_release_fbs(struct miracast_frame *f)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f->fbs); i++) {
		if (f->fbs[i])
			drm_framebuffer_put(f->fbs[i]);
		f->fbs[i] = NULL;
	}
}

/* The message's callback: the daemon is done with the frame's buffers. */
static void miracast_frame_done(void *cb_ctx, const struct miracast_io_status *iosb)
{
	struct miracast_frame *f = cb_ctx;
	struct miracast_frames *fr = &f->mdev->frames;

	miracast_frame_release_fbs(f);

	spin_lock_irq(&fr->lock);
	f->done = true;
	if ((u32)iosb->status == MIRACAST_STATUS_CANCELLED)
		fr->stats.cancelled++;
	else
		fr->stats.completed++;
	spin_unlock_irq(&fr->lock);

	miracast_frame_put(f);
}

static void miracast_frame_plane(struct miracast_frame_plane *p,
				 const struct drm_plane_state *state)
{
	struct drm_framebuffer *fb = state->fb;
	struct miracast_fb *mfb = to_miracast_fb(fb);

	WRITE_ONCE(mfb->announced, true);
	*p = (struct miracast_frame_plane) {
		.buffer_id = mfb->id,
		.modifier = fb->modifier,
		.format = fb->format->format,
		.width = fb->width,
		.height = fb->height,
		.pitch = fb->pitches[0],
		.offset = fb->offsets[0],
		.crtc_x = state->dst.x1,
		.crtc_y = state->dst.y1,
		.src_x = state->src.x1 >> 16,
		.src_y = state->src.y1 >> 16,
		.src_w = drm_rect_width(&state->src) >> 16,
		.src_h = drm_rect_height(&state->src) >> 16,
	};
}

static bool miracast_plane_shows(const struct drm_plane_state *state)
{
	return state && state->fb && state->visible;
}

static unsigned int miracast_damage_count(const struct drm_plane_state *old,
					  const struct drm_plane_state *new)
{
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect rect;
	unsigned int n = 0;

	drm_atomic_helper_damage_iter_init(&iter, old, new);
	drm_atomic_for_each_plane_damage(&iter, &rect)
		n++;
	return n;
}

static void miracast_damage_fill(struct miracast_event_frame *ev,
				 const struct drm_plane_state *old,
				 struct drm_plane_state *new, unsigned int n)
{
	struct miracast_rect *rects = MIRACAST_FRAME_RECTS(ev);
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect rect;
	unsigned int i = 0;

	if (n > MIRACAST_FRAME_MAX_RECTS) {
		drm_atomic_helper_damage_merged(old, new, &rect);
		rects[0] = (struct miracast_rect) { rect.x1, rect.y1, rect.x2, rect.y2 };
		ev->rect_count = 1;
		ev->flags |= MIRACAST_FRAME_DAMAGE_MERGED;
		return;
	}
	drm_atomic_helper_damage_iter_init(&iter, old, new);
	drm_atomic_for_each_plane_damage(&iter, &rect) {
		if (i == n)
			break;
		rects[i++] = (struct miracast_rect) { rect.x1, rect.y1, rect.x2, rect.y2 };
	}
	ev->rect_count = i;
}

/*
 * Builds the frame of a commit, or returns NULL when the commit changed
 * neither plane, the CRTC is dark, or memory ran out (counted). A commit
 * that lights the CRTC up (a modeset, DPMS on) damages everything; one
 * that has the primary plane in it, what its damage clips say (no clips:
 * everything); one with the cursor alone, nothing of the primary.
 */
static struct miracast_frame *miracast_frame_build(struct miracast_device *mdev,
						   struct drm_atomic_state *state)
{
	struct drm_plane *primary = &mdev->primary->base, *cursor = &mdev->cursor->base;
	struct drm_plane_state *pnew = drm_atomic_get_new_plane_state(state, primary);
	struct drm_plane_state *cnew = drm_atomic_get_new_plane_state(state, cursor);
	struct drm_crtc *crtc = &mdev->crtc;
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	bool lit = crtc_state && drm_atomic_crtc_needs_modeset(crtc_state);
	struct miracast_frames *fr = &mdev->frames;
	struct miracast_event_frame *ev;
	struct miracast_frame *f;
	unsigned int n = 0;
	ktime_t vblank_time;
	size_t size;

	if ((!pnew && !cnew && !lit) || !crtc->state->active ||
	    !miracast_plane_shows(primary->state))
		return NULL;

	if (lit)
		n = 1;
	else if (pnew)
		n = miracast_damage_count(drm_atomic_get_old_plane_state(state, primary), pnew);
	size = sizeof(*ev) + sizeof(struct miracast_rect) *
	       min_t(unsigned int, n, MIRACAST_FRAME_MAX_RECTS);
	f = kzalloc(sizeof(*f) + size, GFP_KERNEL);
	if (!f) {
		spin_lock_irq(&fr->lock);
		fr->stats.not_sent++;
		spin_unlock_irq(&fr->lock);
		return NULL;
	}
	kref_init(&f->ref);
	f->mdev = mdev;
	ev = (struct miracast_event_frame *)(f + 1);
	f->ev = ev;
	ev->hdr.type = MIRACAST_EVENT_FRAME;
	ev->hdr.size = size;
	ev->frame = ++fr->number & MIRACAST_FRAME_NUMBER_MASK;

	/* It is shown from the vblank after the last one. */
	ev->vblank_seq = drm_crtc_vblank_count_and_time(crtc, &vblank_time) + 1;
	ev->vblank_ns = ktime_to_ns(ktime_add(vblank_time, mdev->vblank_period));

	miracast_frame_plane(&ev->primary, primary->state);
	f->fbs[0] = primary->state->fb;
	drm_framebuffer_get(f->fbs[0]);
	if (miracast_plane_shows(cursor->state)) {
		miracast_frame_plane(&ev->cursor, cursor->state);
		f->fbs[1] = cursor->state->fb;
		drm_framebuffer_get(f->fbs[1]);
	}
	if (cnew)
		ev->flags |= MIRACAST_FRAME_CURSOR_CHANGED;
	if (lit) {
		MIRACAST_FRAME_RECTS(ev)[0] = (struct miracast_rect) {
			ev->primary.src_x, ev->primary.src_y,
			ev->primary.src_x + ev->primary.src_w,
			ev->primary.src_y + ev->primary.src_h,
		};
		ev->rect_count = 1;
	} else if (pnew && n) {
		miracast_damage_fill(ev, drm_atomic_get_old_plane_state(state, primary),
				     pnew, n);
	}
	return f;
}

/* Sends a built frame; the message owns f's first reference. */
static bool miracast_frame_send(struct miracast_device *mdev, struct miracast_frame *f)
{
	struct miracast_frames *fr = &mdev->frames;
	int ret;

	ret = miracast_send_message_id(&mdev->ctx, f->ev, f->ev->hdr.size, NULL, 0,
				       miracast_frame_done, f, &f->msg_id);
	if (ret == -EINPROGRESS) {
		spin_lock_irq(&fr->lock);
		fr->stats.sent++;
		miracast_chunk_add(fr, MIRACAST_CHUNK_FRAME_START, f->ev->frame);
		spin_unlock_irq(&fr->lock);
		wake_up_interruptible(&fr->chunk_wq);
		return true;
	}

	/* No daemon (or no room): nobody holds the buffers. */
	miracast_frame_release_fbs(f);
	spin_lock_irq(&fr->lock);
	f->done = true;
	fr->stats.not_sent++;
	spin_unlock_irq(&fr->lock);
	miracast_frame_put(f);
	return false;
}

/*
 * The CRTC's atomic_flush: the commit's frame goes to the daemon, the one
 * before it is withdrawn if unread, and the flip event is parked until
 * that one is done.
 */
void miracast_frame_flush(struct miracast_device *mdev, struct drm_atomic_state *state)
{
	struct drm_crtc *crtc = &mdev->crtc;
	struct miracast_frames *fr = &mdev->frames;
	struct drm_pending_vblank_event *event = crtc->state->event;
	struct miracast_frame *f, *prev = NULL, *old_gate = NULL;
	bool withdrawn = false, lit;

	/* The vblank runs from here on: frames can tell when they show. */
	lit = drm_crtc_vblank_get(crtc) == 0;

	f = lit ? miracast_frame_build(mdev, state) : NULL;
	if (f) {
		kref_get(&f->ref);	/* for fr->last */
		spin_lock_irq(&fr->lock);
		prev = fr->last;
		fr->last = f;
		spin_unlock_irq(&fr->lock);
		miracast_frame_send(mdev, f);
	}
	if (prev && !miracast_message_withdraw(&mdev->ctx, prev->msg_id)) {
		withdrawn = true;
		miracast_chunk_report(fr, MIRACAST_CHUNK_FRAME_DROPPED, prev->ev->frame);
	}

	/*
	 * A new frame releases the buffers of the one before: its flip waits
	 * for that one while the daemon still reads it. A commit without an
	 * event (a legacy cursor update, which the helpers do not make wait
	 * for the previous flip) leaves the gate of a parked flip alone.
	 */
	spin_lock_irq(&fr->lock);
	if (withdrawn)
		fr->stats.dropped_unread++;
	if (f && event) {
		old_gate = fr->gate;
		fr->gate = NULL;
		if (prev && !prev->done) {
			fr->gate = prev;
			prev = NULL;
		}
	}
	spin_unlock_irq(&fr->lock);
	miracast_frame_put(old_gate);
	miracast_frame_put(prev);

	if (!event) {
		if (lit)
			drm_crtc_vblank_put(crtc);
		return;
	}
	crtc->state->event = NULL;
	if (!lit) {
		/* dark: the flip is done now */
		spin_lock_irq(&crtc->dev->event_lock);
		drm_crtc_send_vblank_event(crtc, event);
		spin_unlock_irq(&crtc->dev->event_lock);
		return;
	}

	/* The event keeps the vblank reference until it is sent. */
	spin_lock_irq(&fr->lock);
	swap(fr->parked, event);
	fr->parked_gated = !!f;
	fr->deadline = ktime_add_ms(ktime_get(), READ_ONCE(frame_deadline_ms));
	if (f && fr->gate)
		fr->stats.flips_gated++;
	spin_unlock_irq(&fr->lock);
	/* commits wait for the previous flip: nothing was parked */
	if (WARN_ON(event))
		miracast_frame_send_event(mdev, event);
}

/* Sends a flip event parked with a vblank reference. */
void miracast_frame_send_event(struct miracast_device *mdev,
			       struct drm_pending_vblank_event *event)
{
	struct drm_crtc *crtc = &mdev->crtc;
	unsigned long flags;

	spin_lock_irqsave(&crtc->dev->event_lock, flags);
	drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irqrestore(&crtc->dev->event_lock, flags);
	drm_crtc_vblank_put(crtc);
}

/*
 * From the vblank timer, after drm_crtc_handle_vblank(): the parked flip
 * completes at this vblank if the frame it waits for is done or late.
 */
void miracast_frame_vblank(struct miracast_device *mdev)
{
	struct miracast_frames *fr = &mdev->frames;
	struct drm_pending_vblank_event *event = NULL;
	unsigned long flags;
	bool dropped = false;

	spin_lock_irqsave(&fr->lock, flags);
	if (fr->parked && fr->parked_gated) {
		if (fr->gate && !fr->gate->done && !fr->gate->late &&
		    ktime_after(ktime_get(), fr->deadline)) {
			fr->gate->late = true;
			fr->stats.dropped_late++;
			fr->stats.flips_deadline++;
			miracast_chunk_add(fr, MIRACAST_CHUNK_FRAME_DROPPED, fr->gate->ev->frame);
			dropped = true;
		}
		if (!fr->gate || fr->gate->done || fr->gate->late)
			swap(event, fr->parked);
	} else if (fr->parked) {
		swap(event, fr->parked);
	}
	spin_unlock_irqrestore(&fr->lock, flags);

	if (dropped)
		wake_up_interruptible(&fr->chunk_wq);
	if (event)
		miracast_frame_send_event(mdev, event);
}

/* The CRTC goes dark: a parked flip completes now. */
void miracast_frame_disable(struct miracast_device *mdev)
{
	struct miracast_frames *fr = &mdev->frames;
	struct drm_pending_vblank_event *event = NULL;

	spin_lock_irq(&fr->lock);
	swap(event, fr->parked);
	spin_unlock_irq(&fr->lock);
	if (event)
		miracast_frame_send_event(mdev, event);
}

/* Buffers: framebuffers with an id the daemon can ask a dma-buf for. */

static void miracast_buffer_gone_done(void *cb_ctx, const struct miracast_io_status *iosb)
{
	kfree(cb_ctx);
}

static void miracast_fb_destroy(struct drm_framebuffer *fb)
{
	struct miracast_device *mdev = to_miracast_device(fb->dev);
	struct miracast_fb *mfb = to_miracast_fb(fb);
	struct miracast_event_buffer_gone *ev;
	struct dma_buf *dmabuf;

	xa_erase(&mdev->frames.buffers, mfb->id);
	/* miracast_frames_reset() may be looking at it */
	mutex_lock(&mdev->frames.export_lock);
	dmabuf = mfb->dmabuf;
	mfb->dmabuf = NULL;
	mutex_unlock(&mdev->frames.export_lock);
	if (dmabuf)
		dma_buf_put(dmabuf);
	if (READ_ONCE(mfb->announced)) {
		ev = kzalloc(sizeof(*ev), GFP_KERNEL);
		if (ev) {
			ev->hdr.type = MIRACAST_EVENT_BUFFER_GONE;
			ev->hdr.size = sizeof(*ev);
			ev->buffer_id = mfb->id;
			if (miracast_send_message(&mdev->ctx, ev, sizeof(*ev), NULL, 0,
						  miracast_buffer_gone_done, ev) != -EINPROGRESS)
				kfree(ev);
		}
	}
	drm_gem_fb_destroy(fb);
}

static const struct drm_framebuffer_funcs miracast_fb_funcs = {
	.destroy = miracast_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = drm_atomic_helper_dirtyfb,
};

struct drm_framebuffer *miracast_fb_create(struct drm_device *drm, struct drm_file *file,
					   const struct drm_mode_fb_cmd2 *mode_cmd)
{
	struct miracast_device *mdev = to_miracast_device(drm);
	struct miracast_fb *mfb;
	int ret;

	mfb = kzalloc(sizeof(*mfb), GFP_KERNEL);
	if (!mfb)
		return ERR_PTR(-ENOMEM);
	ret = drm_gem_fb_init_with_funcs(drm, &mfb->base, file, mode_cmd, &miracast_fb_funcs);
	if (ret) {
		kfree(mfb);
		return ERR_PTR(ret);
	}
	/* ids come round again only after 2^32 framebuffers */
	ret = xa_alloc_cyclic(&mdev->frames.buffers, &mfb->id, mfb, xa_limit_32b,
			      &mdev->frames.next_buffer_id, GFP_KERNEL);
	if (ret < 0) {
		drm_framebuffer_put(&mfb->base);
		return ERR_PTR(ret);
	}
	return &mfb->base;
}

/* The dma-buf of a GEM object: its own when it has one, else a new one. */
static struct dma_buf *miracast_export(struct drm_gem_object *obj)
{
	struct dma_buf *dmabuf = NULL;

	if (obj->import_attach) {
		dmabuf = obj->import_attach->dmabuf;
		get_dma_buf(dmabuf);
		return dmabuf;
	}
	mutex_lock(&obj->dev->object_name_lock);
	if (obj->dma_buf) {
		dmabuf = obj->dma_buf;
		get_dma_buf(dmabuf);
	}
	mutex_unlock(&obj->dev->object_name_lock);
	if (dmabuf)
		return dmabuf;
	/* not stored in obj->dma_buf: this one belongs to the framebuffer */
	return drm_gem_prime_export(obj, O_RDONLY);
}

/* GET_BUFFER_FD; the fd is installed by the caller once args are copied out. */
int miracast_buffer_get_fd(struct miracast_device *mdev, struct file *file,
			   struct miracast_buffer_fd *args, struct file **dmabuf_file)
{
	struct miracast_frames *fr = &mdev->frames;
	struct miracast_fb *mfb;
	struct dma_buf *dmabuf;
	int ret, fd;

	if ((args->flags & ~O_CLOEXEC) || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		return ret;
	if (!args->buffer_id || args->buffer_id > U32_MAX)
		return -ENOENT;

	xa_lock(&fr->buffers);
	mfb = xa_load(&fr->buffers, args->buffer_id);
	if (mfb && (!READ_ONCE(mfb->announced) ||
		    !kref_get_unless_zero(&mfb->base.base.refcount)))
		mfb = NULL;
	xa_unlock(&fr->buffers);
	if (!mfb)
		return -ENOENT;

	mutex_lock(&fr->export_lock);
	if (!mfb->dmabuf) {
		dmabuf = miracast_export(mfb->base.obj[0]);
		if (IS_ERR(dmabuf)) {
			ret = PTR_ERR(dmabuf);
			goto out;
		}
		mfb->dmabuf = dmabuf;
		fr->stats.exported++;
	}
	dmabuf = mfb->dmabuf;
	fd = get_unused_fd_flags(args->flags);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	get_dma_buf(dmabuf);
	args->fd = fd;
	args->size = dmabuf->size;
	*dmabuf_file = dmabuf->file;
	ret = 0;
out:
	mutex_unlock(&fr->export_lock);
	drm_framebuffer_put(&mfb->base);
	return ret;
}

/* Chunks */

/*
 * A context begins or ends: its chunk records go (GET_CHUNKS waiters
 * return), and so does what it knew of the buffers. The dma-bufs kept for
 * it are released, for each holds the module: kept for the fbdev's
 * framebuffer, which lives as long as the device, one would make the
 * module impossible to unload. The next context is told of buffers anew.
 */
void miracast_frames_reset(struct miracast_device *mdev)
{
	struct miracast_frames *fr = &mdev->frames;
	struct miracast_fb *mfb;
	unsigned long index;

	spin_lock_irq(&fr->lock);
	fr->chunk_first += fr->chunk_count;
	fr->chunk_head = 0;
	fr->chunk_count = 0;
	fr->chunk_reset = false;
	spin_unlock_irq(&fr->lock);
	wake_up_all(&fr->chunk_wq);

	/* miracast_fb_destroy() takes export_lock before it frees */
	mutex_lock(&fr->export_lock);
	xa_for_each(&fr->buffers, index, mfb) {
		WRITE_ONCE(mfb->announced, false);
		if (mfb->dmabuf)
			dma_buf_put(mfb->dmabuf);
		mfb->dmabuf = NULL;
	}
	mutex_unlock(&fr->export_lock);
}

static bool miracast_chunks_ready(struct miracast_device *mdev, struct file *file)
{
	struct miracast_frames *fr = &mdev->frames;
	bool ready;

	if (!miracast_context_owned_by(&mdev->ctx, file))
		return true;
	spin_lock_irq(&fr->lock);
	ready = fr->chunk_count || fr->chunk_reset;
	spin_unlock_irq(&fr->lock);
	return ready;
}

__poll_t miracast_chunks_poll(struct miracast_device *mdev, struct file *file,
			      poll_table *wait)
{
	poll_wait(file, &mdev->frames.chunk_wq, wait);
	if (miracast_context_owned_by(&mdev->ctx, file) && miracast_chunks_ready(mdev, file))
		return EPOLLPRI;
	return 0;
}

int miracast_chunks_get(struct miracast_device *mdev, struct file *file,
			struct miracast_get_chunks *args)
{
	struct miracast_frames *fr = &mdev->frames;
	struct miracast_chunk_report *buf;
	unsigned int n, i;
	u64 first;
	long left;
	int ret;

	if (!args->count || args->entry_size != sizeof(*buf) || args->reserved)
		return -EINVAL;
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		return ret;

	left = wait_event_interruptible_timeout(fr->chunk_wq,
						miracast_chunks_ready(mdev, file),
						msecs_to_jiffies(args->timeout_ms));
	if (left < 0)
		return left;
	ret = miracast_context_check(&mdev->ctx, file);
	if (ret)
		return ret;

	n = min_t(u32, args->count, MIRACAST_MAX_CHUNKS);
	buf = kcalloc(n, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	spin_lock_irq(&fr->lock);
	if (fr->chunk_reset) {
		fr->chunk_reset = false;
		spin_unlock_irq(&fr->lock);
		kfree(buf);
		return -ECONNRESET;
	}
	n = min(n, fr->chunk_count);
	for (i = 0; i < n; i++)
		buf[i] = fr->chunks[(fr->chunk_head + i) % MIRACAST_MAX_CHUNKS];
	first = fr->chunk_first;
	spin_unlock_irq(&fr->lock);

	if (!n) {
		kfree(buf);
		return -ETIMEDOUT;
	}
	if (copy_to_user(u64_to_user_ptr(args->chunks_ptr), buf, n * sizeof(*buf))) {
		kfree(buf);
		return -EFAULT;	/* the records stay queued */
	}
	kfree(buf);

	/* Consume what was copied, unless an overflow emptied the queue meanwhile. */
	spin_lock_irq(&fr->lock);
	if (fr->chunk_first == first) {
		fr->chunk_head = (fr->chunk_head + n) % MIRACAST_MAX_CHUNKS;
		fr->chunk_count -= n;
		fr->chunk_first += n;
	}
	args->remaining = fr->chunk_count;
	spin_unlock_irq(&fr->lock);
	args->returned = n;
	return 0;
}

void miracast_frames_stats(struct miracast_device *mdev, struct miracast_frame_stats *st)
{
	struct miracast_frames *fr = &mdev->frames;

	spin_lock_irq(&fr->lock);
	*st = fr->stats;
	spin_unlock_irq(&fr->lock);
}

static void miracast_frames_fini(struct drm_device *drm, void *data)
{
	struct miracast_frames *fr = data;

	WARN_ON(fr->parked);
	miracast_frame_put(fr->last);
	miracast_frame_put(fr->gate);
	WARN_ON(!xa_empty(&fr->buffers));
	xa_destroy(&fr->buffers);
}

int miracast_frames_init(struct miracast_device *mdev)
{
	struct miracast_frames *fr = &mdev->frames;
	int ret;

	spin_lock_init(&fr->lock);
	init_waitqueue_head(&fr->chunk_wq);
	xa_init_flags(&fr->buffers, XA_FLAGS_ALLOC1);
	ret = drmm_mutex_init(&mdev->drm, &fr->export_lock);
	if (ret)
		return ret;
	return drmm_add_action_or_reset(&mdev->drm, miracast_frames_fini, fr);
}

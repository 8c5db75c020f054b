// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: mode configuration, primary and cursor planes, CRTC, encoder
 * and the virtual connector that stands for the Miracast sink.
 *
 * The connector is disconnected until the daemon reports a monitor; the
 * modes then come from what the sink advertised.
 */

#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_plane_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "miracast_compat.h"
#include "miracast_drv.h"

/* What the daemon's colour conversion takes; alpha is ignored on the primary. */
static const u32 miracast_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_RGB565,
};

/* The daemon composites the cursor over the frame: it needs alpha. */
static const u32 miracast_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
};

static const u64 miracast_plane_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID
};

/*
 * The frame message is built once per commit in the CRTC's atomic_flush;
 * the planes only count their updates.
 */
static void miracast_plane_helper_atomic_update(struct drm_plane *plane,
						struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct miracast_device *mdev = to_miracast_device(plane->dev);

	if (new_state->fb && new_state->visible)
		atomic64_inc(&mdev->plane_updates);
}

static const struct drm_plane_helper_funcs miracast_primary_plane_helper_funcs = {
	.prepare_fb = drm_gem_plane_helper_prepare_fb,
	.atomic_check = drm_plane_helper_atomic_check,
	.atomic_update = miracast_plane_helper_atomic_update,
};

static int miracast_cursor_plane_helper_atomic_check(struct drm_plane *plane,
						     struct drm_atomic_state *state)
{
	struct drm_plane_state *new_state = drm_atomic_get_new_plane_state(state, plane);
	struct drm_crtc_state *crtc_state = NULL;
	int ret;

	if (new_state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state, new_state->crtc);
	ret = drm_atomic_helper_check_plane_state(new_state, crtc_state,
						  DRM_PLANE_NO_SCALING,
						  DRM_PLANE_NO_SCALING, true, true);
	if (ret || !new_state->fb)
		return ret;
	if (new_state->crtc_w > MIRACAST_CURSOR_MAX || new_state->crtc_h > MIRACAST_CURSOR_MAX)
		return -EINVAL;
	return 0;
}

static const struct drm_plane_helper_funcs miracast_cursor_plane_helper_funcs = {
	.prepare_fb = drm_gem_plane_helper_prepare_fb,
	.atomic_check = miracast_cursor_plane_helper_atomic_check,
	.atomic_update = miracast_plane_helper_atomic_update,
};

static const struct drm_plane_funcs miracast_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

/* The mode's field rate in mHz, as drm_mode_vrefresh() counts it, unrounded. */
static u64 miracast_mode_vrefresh_mhz(const struct drm_display_mode *mode)
{
	u64 num = (u64)mode->clock * 1000000, den = (u64)mode->htotal * mode->vtotal;

	if (!den)
		return 0;
	if (mode->flags & DRM_MODE_FLAG_INTERLACE)
		num *= 2;
	if (mode->flags & DRM_MODE_FLAG_DBLSCAN)
		den *= 2;
	if (mode->vscan > 1)
		den *= mode->vscan;
	return div64_u64(num, den);
}

static enum drm_mode_status miracast_crtc_helper_mode_valid(struct drm_crtc *crtc,
							    const struct drm_display_mode *mode)
{
	if (mode->clock <= 0)
		return MODE_CLOCK_LOW;
	if (mode->flags & DRM_MODE_FLAG_3D_MASK)
		return MODE_NO_STEREO;
	if (mode->hdisplay > MIRACAST_MAX_SIZE || mode->vdisplay > MIRACAST_MAX_SIZE)
		return MODE_BAD;
	if (miracast_mode_vrefresh_mhz(mode) < MIRACAST_MIN_VREFRESH_MHZ)
		return MODE_BAD_VVALUE;
	return MODE_OK;
}

static int miracast_crtc_helper_atomic_check(struct drm_crtc *crtc,
					     struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);

	/*
	 * The planes stay out of commits that do not name them: a frame's
	 * damage is what the commit changed (see miracast_frame.c).
	 */
	return miracast_check_crtc_primary_plane(crtc_state);
}

static void miracast_event_done(void *cb_ctx, const struct miracast_io_status *iosb)
{
	kfree(cb_ctx);
}

/*
 * Tells the daemon what became of the display. Without a session nobody
 * listens, and the event is dropped.
 */
static void miracast_send_event(struct miracast_device *mdev, u32 type,
				const struct drm_display_mode *mode)
{
	struct miracast_event_mode *ev;
	size_t size = mode ? sizeof(*ev) : sizeof(ev->hdr);
	int ret;

	ev = kzalloc(size, GFP_KERNEL);
	if (!ev)
		return;
	ev->hdr.type = type;
	ev->hdr.size = size;
	if (mode) {
		ev->mode = (struct miracast_mode) {
			.clock = mode->clock,
			.hdisplay = mode->hdisplay, .hsync_start = mode->hsync_start,
			.hsync_end = mode->hsync_end, .htotal = mode->htotal,
			.vdisplay = mode->vdisplay, .vsync_start = mode->vsync_start,
			.vsync_end = mode->vsync_end, .vtotal = mode->vtotal,
			.flags = mode->flags & (DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NHSYNC |
						DRM_MODE_FLAG_PVSYNC | DRM_MODE_FLAG_NVSYNC |
						DRM_MODE_FLAG_INTERLACE),
			.type = mode->type & DRM_MODE_TYPE_PREFERRED,
		};
	}
	ret = miracast_send_message(&mdev->ctx, ev, size, NULL, 0, miracast_event_done, ev);
	if (ret != -EINPROGRESS) {
		drm_dbg_driver(&mdev->drm, "display event %u not sent: %d\n", type, ret);
		kfree(ev);
	}
}

static void miracast_crtc_helper_atomic_enable(struct drm_crtc *crtc,
					       struct drm_atomic_state *state)
{
	struct drm_crtc_state *old = drm_atomic_get_old_crtc_state(state, crtc);
	struct miracast_device *mdev = to_miracast_device(crtc->dev);

	drm_crtc_vblank_on(crtc);
	/* DPMS on: only "active" changed */
	if (old->enable && !old->active && !crtc->state->mode_changed)
		miracast_send_event(mdev, MIRACAST_EVENT_RESUME, NULL);
	else
		miracast_send_event(mdev, MIRACAST_EVENT_MODE, &crtc->state->adjusted_mode);
}

static void miracast_crtc_helper_atomic_disable(struct drm_crtc *crtc,
						struct drm_atomic_state *state)
{
	struct miracast_device *mdev = to_miracast_device(crtc->dev);

	miracast_frame_disable(mdev);
	drm_crtc_vblank_off(crtc);
	/* a mode change is announced by atomic_enable */
	if (!crtc->state->enable)
		miracast_send_event(mdev, MIRACAST_EVENT_DISABLE, NULL);
	else if (!crtc->state->active)
		miracast_send_event(mdev, MIRACAST_EVENT_STANDBY, NULL);
}

/* The commit's frame goes to the daemon; its flip completes at a vblank. */
static void miracast_crtc_helper_atomic_flush(struct drm_crtc *crtc,
					      struct drm_atomic_state *state)
{
	miracast_frame_flush(to_miracast_device(crtc->dev), state);
}

static const struct drm_crtc_helper_funcs miracast_crtc_helper_funcs = {
	.mode_valid = miracast_crtc_helper_mode_valid,
	.atomic_check = miracast_crtc_helper_atomic_check,
	.atomic_flush = miracast_crtc_helper_atomic_flush,
	.atomic_enable = miracast_crtc_helper_atomic_enable,
	.atomic_disable = miracast_crtc_helper_atomic_disable,
};

static enum hrtimer_restart miracast_vblank_timer(struct hrtimer *timer)
{
	struct miracast_device *mdev = container_of(timer, struct miracast_device,
						    vblank_timer);

	/*
	 * Forward first, as hardware updates its counters before raising the
	 * interrupt: the timestamp below is then the expiry just passed. A
	 * late timer (overrun) is accounted for by the vblank core from the
	 * timestamps.
	 */
	if (!READ_ONCE(mdev->vblank_on))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, mdev->vblank_period);
	drm_crtc_handle_vblank(&mdev->crtc);
	miracast_frame_vblank(mdev);
	return READ_ONCE(mdev->vblank_on) ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

static int miracast_crtc_enable_vblank(struct drm_crtc *crtc)
{
	struct miracast_device *mdev = to_miracast_device(crtc->dev);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];

	drm_calc_timestamping_constants(crtc, &crtc->mode);
	mdev->vblank_period = ns_to_ktime(vblank->framedur_ns);
	WRITE_ONCE(mdev->vblank_on, true);
	hrtimer_start(&mdev->vblank_timer, mdev->vblank_period, HRTIMER_MODE_REL);
	return 0;
}

/*
 * Called with the vblank core's spinlocks held, which the timer's
 * drm_crtc_handle_vblank() takes too: waiting here for a running timer
 * (hrtimer_cancel()) would deadlock both CPUs. The timer stops itself
 * instead, seeing vblank_on cleared.
 */
static void miracast_crtc_disable_vblank(struct drm_crtc *crtc)
{
	struct miracast_device *mdev = to_miracast_device(crtc->dev);

	WRITE_ONCE(mdev->vblank_on, false);
	hrtimer_try_to_cancel(&mdev->vblank_timer);
}

/* The device goes: no timer may run on. Process context, no lock held. */
static void miracast_vblank_fini(struct drm_device *drm, void *data)
{
	struct miracast_device *mdev = data;

	WRITE_ONCE(mdev->vblank_on, false);
	hrtimer_cancel(&mdev->vblank_timer);
}

static bool miracast_crtc_get_vblank_timestamp(struct drm_crtc *crtc, int *max_error,
					       ktime_t *vblank_time, bool in_vblank_irq)
{
	struct miracast_device *mdev = to_miracast_device(crtc->dev);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];

	if (!READ_ONCE(vblank->enabled)) {
		*vblank_time = ktime_get();
		return true;
	}
	/*
	 * The timer was forwarded before the vblank was handled: the vblank
	 * happened one period before its next expiry.
	 */
	*vblank_time = ktime_sub(READ_ONCE(mdev->vblank_timer.node.expires),
				 mdev->vblank_period);
	return true;
}

static const struct drm_crtc_funcs miracast_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = miracast_crtc_enable_vblank,
	.disable_vblank = miracast_crtc_disable_vblank,
	.get_vblank_timestamp = miracast_crtc_get_vblank_timestamp,
};

enum drm_connector_status miracast_connector_status(struct miracast_device *mdev)
{
	/* A monitor is only ever reported by a daemon's session. */
	return READ_ONCE(mdev->monitor.connected) ? connector_status_connected :
						     connector_status_disconnected;
}

static bool miracast_mode_ok(const struct miracast_mode *m)
{
	const u32 flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NHSYNC |
			  DRM_MODE_FLAG_PVSYNC | DRM_MODE_FLAG_NVSYNC |
			  DRM_MODE_FLAG_INTERLACE;

	return m->clock && m->hdisplay && m->vdisplay &&
	       m->hdisplay <= m->hsync_start && m->hsync_start <= m->hsync_end &&
	       m->hsync_end < m->htotal &&
	       m->vdisplay <= m->vsync_start && m->vsync_start <= m->vsync_end &&
	       m->vsync_end < m->vtotal &&
	       !(m->flags & ~flags) && !(m->type & ~DRM_MODE_TYPE_PREFERRED);
}

static struct drm_display_mode *
miracast_mode_create(struct drm_device *drm, const struct miracast_mode *m)
{
	struct drm_display_mode *mode = drm_mode_create(drm);

	if (!mode)
		return NULL;
	mode->clock = m->clock;
	mode->hdisplay = m->hdisplay;
	mode->hsync_start = m->hsync_start;
	mode->hsync_end = m->hsync_end;
	mode->htotal = m->htotal;
	mode->vdisplay = m->vdisplay;
	mode->vsync_start = m->vsync_start;
	mode->vsync_end = m->vsync_end;
	mode->vtotal = m->vtotal;
	mode->flags = m->flags;
	mode->type = DRM_MODE_TYPE_DRIVER | m->type;
	drm_mode_set_name(mode);
	return mode;
}

static void miracast_monitor_clear(struct miracast_monitor_state *mon)
{
	kfree(mon->edid);
	kfree(mon->modes);
	mon->edid = NULL;
	mon->modes = NULL;
	mon->edid_size = 0;
	mon->mode_count = 0;
	WRITE_ONCE(mon->connected, false);
}

/*
 * MONITOR_ARRIVAL: struct miracast_monitor, the EDID padded to 8 bytes,
 * the modes. Everything is checked before anything changes.
 */
int miracast_monitor_arrival(struct miracast_device *mdev, const void __user *in,
			     u32 in_size)
{
	struct miracast_monitor_state *mon = &mdev->monitor;
	struct miracast_monitor hdr;
	struct miracast_mode *modes = NULL;
	void *edid = NULL;
	size_t edid_room, need;
	u32 i;
	int ret;

	if (in_size < sizeof(hdr))
		return -EINVAL;
	if (copy_from_user(&hdr, in, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved[0] || hdr.reserved[1] ||
	    hdr.link_type > DRM_MODE_CONNECTOR_USB ||
	    hdr.edid_size > MIRACAST_MAX_EDID_SIZE || hdr.edid_size % EDID_LENGTH ||
	    hdr.mode_count > MIRACAST_MAX_MODES || (!hdr.edid_size && !hdr.mode_count))
		return -EINVAL;
	edid_room = ALIGN(hdr.edid_size, 8);
	need = sizeof(hdr) + edid_room + (size_t)hdr.mode_count * sizeof(*modes);
	if (in_size != need)
		return -EINVAL;

	if (hdr.edid_size) {
		edid = memdup_user(in + sizeof(hdr), hdr.edid_size);
		if (IS_ERR(edid))
			return PTR_ERR(edid);
		ret = -EINVAL;
		if (hdr.edid_size != (((u8 *)edid)[0x7e] + 1) * EDID_LENGTH ||
		    !drm_edid_is_valid(edid))
			goto err;
	}
	if (hdr.mode_count) {
		modes = memdup_user(in + sizeof(hdr) + edid_room,
				    hdr.mode_count * sizeof(*modes));
		if (IS_ERR(modes)) {
			ret = PTR_ERR(modes);
			modes = NULL;
			goto err;
		}
		ret = -EINVAL;
		for (i = 0; i < hdr.mode_count; i++)
			if (!miracast_mode_ok(&modes[i]))
				goto err;
	}

	mutex_lock(&mon->lock);
	miracast_monitor_clear(mon);
	mon->edid = edid;
	mon->edid_size = hdr.edid_size;
	mon->modes = modes;
	mon->mode_count = hdr.mode_count;
	mon->link_type = hdr.link_type;
	mon->width_mm = hdr.width_mm;
	mon->height_mm = hdr.height_mm;
	WRITE_ONCE(mon->connected, true);
	mutex_unlock(&mon->lock);

	drm_kms_helper_hotplug_event(&mdev->drm);
	return 0;

err:
	kfree(modes);
	kfree(edid);
	return ret;
}

/* MONITOR_DEPARTURE, and the departure every context destroy reports. */
void miracast_monitor_departure(struct miracast_device *mdev)
{
	struct miracast_monitor_state *mon = &mdev->monitor;
	bool was_connected;

	mutex_lock(&mon->lock);
	was_connected = mon->connected;
	miracast_monitor_clear(mon);
	mutex_unlock(&mon->lock);

	if (was_connected)
		drm_kms_helper_hotplug_event(&mdev->drm);
}

static int miracast_connector_helper_get_modes(struct drm_connector *connector)
{
	struct miracast_device *mdev = to_miracast_device(connector->dev);
	struct miracast_monitor_state *mon = &mdev->monitor;
	struct drm_display_mode *mode;
	int count = 0;
	u32 i;

	mutex_lock(&mon->lock);
	drm_connector_update_edid_property(connector, mon->edid);
	if (mon->edid)
		count += drm_add_edid_modes(connector, mon->edid);
	for (i = 0; i < mon->mode_count; i++) {
		mode = miracast_mode_create(connector->dev, &mon->modes[i]);
		if (!mode)
			break;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	if (mon->width_mm && mon->height_mm) {
		connector->display_info.width_mm = mon->width_mm;
		connector->display_info.height_mm = mon->height_mm;
	}
	mutex_unlock(&mon->lock);
	return count;
}

static void miracast_monitor_fini(struct drm_device *drm, void *data)
{
	struct miracast_monitor_state *mon = data;

	miracast_monitor_clear(mon);
}

static int miracast_connector_helper_detect_ctx(struct drm_connector *connector,
						struct drm_modeset_acquire_ctx *ctx,
						bool force)
{
	return miracast_connector_status(to_miracast_device(connector->dev));
}

static const struct drm_connector_helper_funcs miracast_connector_helper_funcs = {
	.get_modes = miracast_connector_helper_get_modes,
	.detect_ctx = miracast_connector_helper_detect_ctx,
};

static const struct drm_connector_funcs miracast_connector_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/*
 * The CRTC is lit before the planes are updated, so a modeset's MODE
 * message precedes its first frame and frames find the vblank running;
 * atomic_flush runs on dark CRTCs too, to complete their flips.
 */
static void miracast_atomic_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_fake_vblank(state);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_vblanks(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs miracast_mode_config_helper_funcs = {
	.atomic_commit_tail = miracast_atomic_commit_tail,
};

static const struct drm_mode_config_funcs miracast_mode_config_funcs = {
	.fb_create = miracast_fb_create,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int miracast_kms_init(struct miracast_device *mdev)
{
	struct drm_device *drm = &mdev->drm;
	struct drm_connector *connector = &mdev->connector;
	struct drm_encoder *encoder = &mdev->encoder;
	struct miracast_plane *primary, *cursor;
	struct drm_crtc *crtc = &mdev->crtc;
	int ret;

	ret = drmm_mutex_init(drm, &mdev->monitor.lock);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(drm, miracast_monitor_fini, &mdev->monitor);
	if (ret)
		return ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = MIRACAST_MIN_SIZE;
	drm->mode_config.min_height = MIRACAST_MIN_SIZE;
	drm->mode_config.max_width = MIRACAST_MAX_SIZE;
	drm->mode_config.max_height = MIRACAST_MAX_SIZE;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.cursor_width = MIRACAST_CURSOR_SIZE;
	drm->mode_config.cursor_height = MIRACAST_CURSOR_SIZE;
	drm->mode_config.funcs = &miracast_mode_config_funcs;
	drm->mode_config.helper_private = &miracast_mode_config_helper_funcs;

	ret = miracast_frames_init(mdev);
	if (ret)
		return ret;

	primary = drmm_universal_plane_alloc(drm, struct miracast_plane, base, 0,
					     &miracast_plane_funcs,
					     miracast_plane_formats,
					     ARRAY_SIZE(miracast_plane_formats),
					     miracast_plane_modifiers,
					     DRM_PLANE_TYPE_PRIMARY, NULL);
	if (IS_ERR(primary))
		return PTR_ERR(primary);
	drm_plane_helper_add(&primary->base, &miracast_primary_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&primary->base);
	mdev->primary = primary;

	cursor = drmm_universal_plane_alloc(drm, struct miracast_plane, base, 0,
					    &miracast_plane_funcs,
					    miracast_cursor_formats,
					    ARRAY_SIZE(miracast_cursor_formats),
					    miracast_plane_modifiers,
					    DRM_PLANE_TYPE_CURSOR, NULL);
	if (IS_ERR(cursor))
		return PTR_ERR(cursor);
	drm_plane_helper_add(&cursor->base, &miracast_cursor_plane_helper_funcs);
	mdev->cursor = cursor;

	ret = drmm_crtc_init_with_planes(drm, crtc, &primary->base, &cursor->base,
					 &miracast_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(crtc, &miracast_crtc_helper_funcs);
	miracast_hrtimer_setup(&mdev->vblank_timer, miracast_vblank_timer);
	ret = drmm_add_action_or_reset(drm, miracast_vblank_fini, mdev);
	if (ret)
		return ret;

	ret = drmm_encoder_init(drm, encoder, NULL, DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	encoder->possible_crtcs = drm_crtc_mask(crtc);

	ret = drmm_connector_init(drm, connector, &miracast_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;
	drm_connector_helper_add(connector, &miracast_connector_helper_funcs);
	connector->polled = DRM_CONNECTOR_POLL_HPD;

	ret = drm_connector_attach_encoder(connector, encoder);
	if (ret)
		return ret;

	ret = drm_vblank_init(drm, 1);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: mode configuration, primary plane, CRTC, encoder and the
 * virtual connector that stands for the Miracast sink.
 *
 * The connector is disconnected until the daemon reports a monitor; the
 * modes then come from what the sink advertised.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_plane_helper.h>
#include <drm/drm_probe_helper.h>

#include "miracast_compat.h"
#include "miracast_drv.h"

static const u32 miracast_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
};

static const u64 miracast_plane_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID
};

static void miracast_primary_plane_helper_atomic_update(struct drm_plane *plane,
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
	.atomic_update = miracast_primary_plane_helper_atomic_update,
};

static const struct drm_plane_funcs miracast_primary_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

static enum drm_mode_status miracast_crtc_helper_mode_valid(struct drm_crtc *crtc,
							    const struct drm_display_mode *mode)
{
	if (mode->clock <= 0)
		return MODE_CLOCK_LOW;
	if (mode->flags & DRM_MODE_FLAG_3D_MASK)
		return MODE_NO_STEREO;
	if (mode->hdisplay > MIRACAST_MAX_SIZE || mode->vdisplay > MIRACAST_MAX_SIZE)
		return MODE_BAD;
	if (drm_mode_vrefresh(mode) < MIRACAST_MIN_VREFRESH)
		return MODE_BAD_VVALUE;
	return MODE_OK;
}

static int miracast_crtc_helper_atomic_check(struct drm_crtc *crtc,
					     struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state = drm_atomic_get_new_crtc_state(state, crtc);
	int ret;

	ret = miracast_check_crtc_primary_plane(crtc_state);
	if (ret)
		return ret;

	return drm_atomic_add_affected_planes(state, crtc);
}

static const struct drm_crtc_helper_funcs miracast_crtc_helper_funcs = {
	.mode_valid = miracast_crtc_helper_mode_valid,
	.atomic_check = miracast_crtc_helper_atomic_check,
};

static const struct drm_crtc_funcs miracast_crtc_funcs = {
	.reset = drm_atomic_helper_crtc_reset,
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
};

enum drm_connector_status miracast_connector_status(struct miracast_device *mdev)
{
	/* A monitor is only ever reported by a daemon's session. */
	return connector_status_disconnected;
}

static int miracast_connector_helper_get_modes(struct drm_connector *connector)
{
	return 0;
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

static const struct drm_mode_config_funcs miracast_mode_config_funcs = {
	.fb_create = drm_gem_fb_create_with_dirty,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

int miracast_kms_init(struct miracast_device *mdev)
{
	struct drm_device *drm = &mdev->drm;
	struct drm_connector *connector = &mdev->connector;
	struct drm_encoder *encoder = &mdev->encoder;
	struct miracast_plane *primary;
	struct drm_crtc *crtc = &mdev->crtc;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = MIRACAST_MIN_SIZE;
	drm->mode_config.min_height = MIRACAST_MIN_SIZE;
	drm->mode_config.max_width = MIRACAST_MAX_SIZE;
	drm->mode_config.max_height = MIRACAST_MAX_SIZE;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &miracast_mode_config_funcs;

	primary = drmm_universal_plane_alloc(drm, struct miracast_plane, base, 0,
					     &miracast_primary_plane_funcs,
					     miracast_plane_formats,
					     ARRAY_SIZE(miracast_plane_formats),
					     miracast_plane_modifiers,
					     DRM_PLANE_TYPE_PRIMARY, NULL);
	if (IS_ERR(primary))
		return PTR_ERR(primary);
	drm_plane_helper_add(&primary->base, &miracast_primary_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(&primary->base);
	mdev->primary = primary;

	ret = drmm_crtc_init_with_planes(drm, crtc, &primary->base, NULL,
					 &miracast_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(crtc, &miracast_crtc_helper_funcs);

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

	drm_mode_config_reset(drm);
	return 0;
}

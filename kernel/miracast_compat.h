/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels miracast.ko builds on (6.1 and newer),
 * kept in one place so that no function carries version checks.
 */
#ifndef MIRACAST_COMPAT_H
#define MIRACAST_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/version.h>
#include <drm/drm_atomic_helper.h>

/* 6.3 renamed the "CRTC needs its primary plane" check. */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
static inline int miracast_check_crtc_primary_plane(struct drm_crtc_state *crtc_state)
{
	return drm_atomic_helper_check_crtc_primary_plane(crtc_state);
}
#else
static inline int miracast_check_crtc_primary_plane(struct drm_crtc_state *crtc_state)
{
	return drm_atomic_helper_check_crtc_state(crtc_state, false);
}
#endif

/*
 * platform_driver.remove returns int up to 6.2, has a void twin .remove_new
 * from 6.3 and returns void itself from 6.11. The driver writes a void
 * function and names it with these two macros.
 */
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define MIRACAST_DEFINE_REMOVE(fn)
#define MIRACAST_REMOVE(fn)		.remove = (fn)
#elif KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define MIRACAST_DEFINE_REMOVE(fn)
#define MIRACAST_REMOVE(fn)		.remove_new = (fn)
#else
#define MIRACAST_DEFINE_REMOVE(fn)					\
static int fn##_int(struct platform_device *pdev)			\
{									\
	fn(pdev);							\
	return 0;							\
}

#define MIRACAST_REMOVE(fn)		.remove = fn##_int
#endif

/* 6.14 dropped drm_driver.date; 6.1 warns when it is missing. */
#if KERNEL_VERSION(6, 14, 0) <= LINUX_VERSION_CODE
#define MIRACAST_DRIVER_DATE(d)
#else
#define MIRACAST_DRIVER_DATE(d)		.date = (d),
#endif

/* 6.13 added hrtimer_setup(); hrtimer_init() went away after it. */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
static inline void miracast_hrtimer_setup(struct hrtimer *timer,
					  enum hrtimer_restart (*fn)(struct hrtimer *))
{
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
}
#else
static inline void miracast_hrtimer_setup(struct hrtimer *timer,
					  enum hrtimer_restart (*fn)(struct hrtimer *))
{
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer->function = fn;
}
#endif

/* 6.13 made symbol namespaces strings. */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define MIRACAST_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS("DMA_BUF")
#else
#define MIRACAST_IMPORT_NS_DMA_BUF()	MODULE_IMPORT_NS(DMA_BUF)
#endif

/*
 * fbdev emulation: drm_fbdev_generic_setup() (6.1, its own header from
 * 6.2), drm_fbdev_shmem_setup() (6.11), the DRM client setup with the
 * driver's fbdev_probe (6.13; its header moved to drm/clients/ in 6.15).
 */
#if KERNEL_VERSION(6, 15, 0) <= LINUX_VERSION_CODE
#include <drm/clients/drm_client_setup.h>
#include <drm/drm_fbdev_shmem.h>
#define MIRACAST_FBDEV_DRIVER_OPS	DRM_FBDEV_SHMEM_DRIVER_OPS,
#define miracast_fbdev_setup(drm, bpp)	drm_client_setup_with_color_mode(drm, bpp)
#elif KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#include <drm/drm_client_setup.h>
#include <drm/drm_fbdev_shmem.h>
#define MIRACAST_FBDEV_DRIVER_OPS	DRM_FBDEV_SHMEM_DRIVER_OPS,
#define miracast_fbdev_setup(drm, bpp)	drm_client_setup_with_color_mode(drm, bpp)
#elif KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#include <drm/drm_fbdev_shmem.h>
#define MIRACAST_FBDEV_DRIVER_OPS
#define miracast_fbdev_setup(drm, bpp)	drm_fbdev_shmem_setup(drm, bpp)
#elif KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#include <drm/drm_fbdev_generic.h>
#define MIRACAST_FBDEV_DRIVER_OPS
#define miracast_fbdev_setup(drm, bpp)	drm_fbdev_generic_setup(drm, bpp)
#else
#include <drm/drm_fb_helper.h>
#define MIRACAST_FBDEV_DRIVER_OPS
#define miracast_fbdev_setup(drm, bpp)	drm_fbdev_generic_setup(drm, bpp)
#endif

#endif /* MIRACAST_COMPAT_H */

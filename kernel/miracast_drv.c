// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: module, platform driver and DRM device.
 *
 * A device tree node compatible with "linux,miracast" binds one display per
 * node. Without any such node (x86 machines, boards without the overlay) the
 * module registers "instances" platform devices of its own.
 */

#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>

#include "miracast_compat.h"
#include "miracast_drv.h"

#define MIRACAST_COMPATIBLE	"linux,miracast"

static unsigned int instances = 1;
module_param(instances, uint, 0444);
MODULE_PARM_DESC(instances,
		 "Displays to create when no device tree node describes one (1-"
		 __stringify(MIRACAST_MAX_INSTANCES) ", default 1)");

static unsigned int max_outstanding = 256;
module_param(max_outstanding, uint, 0444);
MODULE_PARM_DESC(max_outstanding,
		 "Messages sent to the daemon and not yet completed, per device (1-65536, default 256)");

static unsigned int max_message_size = 65536;
module_param(max_message_size, uint, 0444);
MODULE_PARM_DESC(max_message_size,
		 "Largest message payload, bytes (512-16777216, default 65536)");

static unsigned int max_output_size = 65536;
module_param(max_output_size, uint, 0444);
MODULE_PARM_DESC(max_output_size,
		 "Largest output a completion carries back, bytes (0-16777216, default 65536)");

static bool fbdev = true;
module_param(fbdev, bool, 0444);
MODULE_PARM_DESC(fbdev, "Emulate an fbdev, so the console shows on the sink (default on)");

static DEFINE_IDA(miracast_ida);
static struct platform_device *miracast_fallback[MIRACAST_MAX_INSTANCES];

DEFINE_DRM_GEM_FOPS(miracast_drm_fops);

static const struct drm_driver miracast_drm_driver = {
	.driver_features	= DRIVER_MODESET | DRIVER_GEM | DRIVER_ATOMIC,
	.fops			= &miracast_drm_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	MIRACAST_FBDEV_DRIVER_OPS
	.debugfs_init		= miracast_debugfs_init,
	.name			= MIRACAST_DRIVER_NAME,
	.desc			= "Miracast (Wi-Fi Display) sink as a display",
	MIRACAST_DRIVER_DATE("20261128")
	.major			= 0,
	.minor			= 1,
	.patchlevel		= 0,
};

static void miracast_release_index(void *data)
{
	ida_free(&miracast_ida, (int)(uintptr_t)data);
}

static int miracast_probe(struct platform_device *pdev)
{
	struct miracast_device *mdev;
	struct drm_device *drm;
	int ret;

	mdev = devm_drm_dev_alloc(&pdev->dev, &miracast_drm_driver,
				  struct miracast_device, drm);
	if (IS_ERR(mdev))
		return PTR_ERR(mdev);
	drm = &mdev->drm;

	ret = ida_alloc_max(&miracast_ida, MIRACAST_MAX_INSTANCES - 1, GFP_KERNEL);
	if (ret < 0)
		return ret == -ENOSPC ? -EBUSY : ret;
	mdev->index = ret;
	ret = devm_add_action_or_reset(&pdev->dev, miracast_release_index,
				       (void *)(uintptr_t)mdev->index);
	if (ret)
		return ret;

	/* Buffers come from shmem or PRIME imports; any address will do. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;

	miracast_context_init(&mdev->ctx, max_outstanding, max_message_size,
			      max_output_size);
	mdev->caps = (struct miracast_caps) {
		.abi_version = MIRACAST_ABI_VERSION,
		.max_outstanding = max_outstanding,
		.max_in_size = max_message_size,
		.max_out_size = max_output_size,
		.max_batch = MIRACAST_MAX_BATCH,
		.max_chunks = MIRACAST_MAX_CHUNKS,
	};

	ret = miracast_kms_init(mdev);
	if (ret)
		return ret;

	ret = miracast_test_init(mdev);
	if (ret)
		return ret;

	ret = drm_dev_register(drm, 0);
	if (ret)
		return ret;

	ret = miracast_cdev_register(mdev);
	if (ret) {
		drm_dev_unregister(drm);
		return ret;
	}

	if (fbdev)
		miracast_fbdev_setup(drm, 32);

	platform_set_drvdata(pdev, mdev);
	drm_info(drm, "/dev/%s ready\n", mdev->misc_name);
	return 0;
}

static void miracast_remove(struct platform_device *pdev)
{
	struct miracast_device *mdev = platform_get_drvdata(pdev);
	struct drm_device *drm = &mdev->drm;

	/* No new daemon; open files now see -ENODEV. */
	miracast_cdev_unregister(mdev);
	drm_dev_unplug(drm);
	drm_atomic_helper_shutdown(drm);
}

MIRACAST_DEFINE_REMOVE(miracast_remove)

static void miracast_shutdown(struct platform_device *pdev)
{
	struct miracast_device *mdev = platform_get_drvdata(pdev);

	if (mdev)
		drm_atomic_helper_shutdown(&mdev->drm);
}

static const struct of_device_id miracast_of_match[] = {
	{ .compatible = MIRACAST_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, miracast_of_match);

static struct platform_driver miracast_platform_driver = {
	.driver = {
		.name = MIRACAST_DRIVER_NAME,
		.of_match_table = miracast_of_match,
	},
	.probe = miracast_probe,
	MIRACAST_REMOVE(miracast_remove),
	.shutdown = miracast_shutdown,
};

static bool miracast_described_by_of(void)
{
	struct device_node *np;

	for_each_compatible_node(np, NULL, MIRACAST_COMPATIBLE) {
		if (of_device_is_available(np)) {
			of_node_put(np);
			return true;
		}
	}
	return false;
}

static void miracast_unregister_fallback(void)
{
	int i;

	for (i = ARRAY_SIZE(miracast_fallback) - 1; i >= 0; i--) {
		platform_device_unregister(miracast_fallback[i]);
		miracast_fallback[i] = NULL;
	}
}

static int miracast_register_fallback(void)
{
	struct platform_device *pdev;
	unsigned int i;

	for (i = 0; i < instances; i++) {
		pdev = platform_device_register_simple(MIRACAST_DRIVER_NAME, i,
						       NULL, 0);
		if (IS_ERR(pdev)) {
			miracast_unregister_fallback();
			return PTR_ERR(pdev);
		}
		miracast_fallback[i] = pdev;
	}
	return 0;
}

static int __init miracast_init(void)
{
	int ret;

	if (instances < 1 || instances > MIRACAST_MAX_INSTANCES) {
		pr_err("miracast: instances=%u is out of range 1-%d\n",
		       instances, MIRACAST_MAX_INSTANCES);
		return -EINVAL;
	}
	if (max_outstanding < 1 || max_outstanding > 65536 ||
	    max_message_size < MIRACAST_MIN_MESSAGE_SIZE || max_message_size > SZ_16M ||
	    max_output_size > SZ_16M) {
		pr_err("miracast: max_outstanding, max_message_size or max_output_size out of range\n");
		return -EINVAL;
	}

	ret = platform_driver_register(&miracast_platform_driver);
	if (ret)
		return ret;

	if (miracast_described_by_of())
		return 0;

	ret = miracast_register_fallback();
	if (ret)
		platform_driver_unregister(&miracast_platform_driver);
	return ret;
}

static void __exit miracast_exit(void)
{
	miracast_unregister_fallback();
	platform_driver_unregister(&miracast_platform_driver);
}

module_init(miracast_init);
module_exit(miracast_exit);

MODULE_DESCRIPTION("Miracast (Wi-Fi Display) sink as a DRM/KMS display");
MODULE_AUTHOR("The linux-miracast authors");
MODULE_LICENSE("GPL");
MIRACAST_IMPORT_NS_DMA_BUF();

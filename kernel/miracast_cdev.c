// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: /dev/miracastN, the daemon's side of the device.
 *
 * Each open file keeps the device structure alive with a drm_dev_get();
 * after the platform device is unbound its ioctls return -ENODEV and its
 * release still frees what it holds.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "miracast_drv.h"

struct miracast_file {
	struct miracast_device *mdev;
};

static int miracast_cdev_open(struct inode *inode, struct file *file)
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

static int miracast_cdev_release(struct inode *inode, struct file *file)
{
	struct miracast_file *mfile = file->private_data;
	struct miracast_device *mdev = mfile->mdev;

	atomic_dec(&mdev->open_files);
	kfree(mfile);
	drm_dev_put(&mdev->drm);
	return 0;
}

static long miracast_cdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct miracast_file *mfile = file->private_data;
	struct drm_device *drm = &mfile->mdev->drm;
	long ret;
	int idx;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	/* The message contract's ioctls are dispatched here. */
	ret = -ENOTTY;

	drm_dev_exit(idx);
	return ret;
}

static const struct file_operations miracast_cdev_fops = {
	.owner = THIS_MODULE,
	.open = miracast_cdev_open,
	.release = miracast_cdev_release,
	.unlocked_ioctl = miracast_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

int miracast_cdev_register(struct miracast_device *mdev)
{
	struct miscdevice *misc = &mdev->misc;

	snprintf(mdev->misc_name, sizeof(mdev->misc_name), "miracast%d", mdev->index);
	misc->minor = MISC_DYNAMIC_MINOR;
	misc->name = mdev->misc_name;
	misc->fops = &miracast_cdev_fops;
	misc->parent = mdev->drm.dev;
	/* The daemon runs as a member of group "video" (see the udev rule). */
	misc->mode = 0660;

	return misc_register(misc);
}

void miracast_cdev_unregister(struct miracast_device *mdev)
{
	misc_deregister(&mdev->misc);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracast.ko: debugfs view of a device's state, under the DRM minor's
 * directory (/sys/kernel/debug/dri/N/miracast_state).
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_file.h>

#include "miracast_drv.h"

static int miracast_state_show(struct seq_file *m, void *unused)
{
	struct miracast_device *mdev = m->private;

	seq_printf(m, "device: /dev/%s\n", mdev->misc_name);
	seq_printf(m, "connector: %s\n",
		   drm_get_connector_status_name(miracast_connector_status(mdev)));
	seq_printf(m, "open_files: %d\n", atomic_read(&mdev->open_files));
	seq_printf(m, "plane_updates: %lld\n",
		   (long long)atomic64_read(&mdev->plane_updates));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(miracast_state);

void miracast_debugfs_init(struct drm_minor *minor)
{
	struct miracast_device *mdev = to_miracast_device(minor->dev);

	debugfs_create_file("miracast_state", 0444, minor->debugfs_root, mdev,
			    &miracast_state_fops);
}

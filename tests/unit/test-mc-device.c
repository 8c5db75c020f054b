// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of device discovery (fake sysfs trees) and of miracastctl.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "mc-device.h"
#include "run-ctl.h"

/* Each test gets an empty directory to build a fake sysfs tree in. */
typedef struct {
	char *root;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GError) error = NULL;

	f->root = g_dir_make_tmp("mc-sysfs-XXXXXX", &error);
	g_assert_no_error(error);
}

static int remove_entry(const char *path,
			const struct stat *sb G_GNUC_UNUSED,
			int flag G_GNUC_UNUSED,
			struct FTW *ftw G_GNUC_UNUSED)
{
	return remove(path);
}

static void fixture_teardown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_assert_cmpint(nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS),
			==, 0);
	g_free(f->root);
}

static void make_dir(const char *root, const char *rel)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);

	g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
}

static void make_link(const char *root, const char *rel, const char *target)
{
	g_autofree char *path = g_build_filename(root, rel, NULL);

	g_assert_cmpint(symlink(target, path), ==, 0);
}

/*
 * Add class/misc/<name>, a directory whose "device" link points at
 * <root>/<devpath>, and create <devpath>/drm/<entry> for each of the
 * NULL-terminated entries.  A NULL devpath gives a device without link.
 */
G_GNUC_NULL_TERMINATED
static void add_misc(const char *root, const char *name,
		     const char *devpath, ...)
{
	g_autofree char *dir = g_build_filename("class/misc", name, NULL);
	g_autofree char *link = g_build_filename(dir, "device", NULL);
	g_autofree char *target = NULL;
	const char *entry;
	va_list ap;

	make_dir(root, dir);
	if (!devpath)
		return;
	target = g_build_filename("../../..", devpath, NULL);
	make_link(root, link, target);
	va_start(ap, devpath);
	while ((entry = va_arg(ap, const char *))) {
		g_autofree char *drm = g_build_filename(devpath, "drm", entry,
							NULL);
		make_dir(root, drm);
	}
	va_end(ap);
}

static GPtrArray *list_ok(const Fixture *f, guint expected_len)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *devices = mc_device_list(f->root, &error);

	g_assert_no_error(error);
	g_assert_nonnull(devices);
	g_assert_cmpuint(devices->len, ==, expected_len);
	return devices;
}

static void assert_device(GPtrArray *devices, guint i, guint index,
			  const char *platform, const char *card)
{
	const McDevice *dev = g_ptr_array_index(devices, i);
	g_autofree char *name = g_strdup_printf("miracast%u", index);
	g_autofree char *node = g_strdup_printf("/dev/miracast%u", index);
	g_autofree char *drm = card ? g_strconcat("/dev/dri/", card, NULL)
				    : NULL;

	g_assert_cmpuint(dev->index, ==, index);
	g_assert_cmpstr(dev->name, ==, name);
	g_assert_cmpstr(dev->dev_node, ==, node);
	g_assert_cmpstr(dev->platform_device, ==, platform);
	g_assert_cmpstr(dev->drm_card, ==, card);
	g_assert_cmpstr(dev->drm_node, ==, drm);
}

static void test_no_class_misc(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = list_ok(f, 0);
}

static void test_only_other_misc(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	add_misc(f->root, "fuse", NULL, NULL);
	devices = list_ok(f, 0);
}

static void test_single(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	add_misc(f->root, "miracast0", "devices/platform/miracast.0",
		 "card0", "renderD128", NULL);
	add_misc(f->root, "fuse", NULL, NULL);
	devices = list_ok(f, 1);
	assert_device(devices, 0, 0, "miracast.0", "card0");
}

static void test_no_drm(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	add_misc(f->root, "miracast1", "devices/platform/miracast.1", NULL);
	make_dir(f->root, "devices/platform/miracast.1");
	devices = list_ok(f, 1);
	assert_device(devices, 0, 1, "miracast.1", NULL);
}

static void test_render_node_only(Fixture *f,
				  gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	add_misc(f->root, "miracast0", "devices/platform/miracast.0",
		 "renderD128", "card0-Virtual-1", NULL);
	devices = list_ok(f, 1);
	assert_device(devices, 0, 0, "miracast.0", NULL);
}

static void test_numeric_order(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	add_misc(f->root, "miracast10", "devices/platform/miracast.10",
		 "card10", NULL);
	add_misc(f->root, "miracast2", "devices/platform/miracast.2",
		 "card2", NULL);
	add_misc(f->root, "miracast1", "devices/platform/miracast.1",
		 "card1", NULL);
	devices = list_ok(f, 3);
	assert_device(devices, 0, 1, "miracast.1", "card1");
	assert_device(devices, 1, 2, "miracast.2", "card2");
	assert_device(devices, 2, 10, "miracast.10", "card10");
}

static void test_ignored_names(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	const char *bad[] = { "miracastX", "miracast", "miracast1a",
			      "miracast-1", "miracast01", "xmiracast3" };
	g_autoptr(GPtrArray) devices = NULL;

	make_dir(f->root, "devices/platform/miracast.0/drm/card0");
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		add_misc(f->root, bad[i], "devices/platform/miracast.0", NULL);
	add_misc(f->root, "miracast5", "devices/platform/miracast.5",
		 "card3", NULL);
	devices = list_ok(f, 1);
	assert_device(devices, 0, 5, "miracast.5", "card3");
}

static void test_bad_device_link(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GPtrArray) devices = NULL;

	/* miracast3's link dangles, miracast4 has none. */
	add_misc(f->root, "miracast3", "devices/platform/miracast.3", NULL);
	add_misc(f->root, "miracast4", NULL, NULL);
	add_misc(f->root, "miracast0", "devices/platform/miracast.0",
		 "card0", NULL);
	devices = list_ok(f, 1);
	assert_device(devices, 0, 0, "miracast.0", "card0");
}

/* The real layout: class entries and device links are relative symlinks. */
static void test_sysfs_layout(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	const char *dev = "devices/platform/soc/soc:miracast@0";
	g_autofree char *misc = g_build_filename(dev, "misc/miracast0", NULL);
	g_autofree char *link = g_build_filename(misc, "device", NULL);
	g_autofree char *card = g_build_filename(dev, "drm/card1", NULL);
	g_autoptr(GPtrArray) devices = NULL;

	make_dir(f->root, misc);
	make_dir(f->root, card);
	make_link(f->root, link, "../../../soc:miracast@0");
	make_dir(f->root, "class/misc");
	make_link(f->root, "class/misc/miracast0",
		  "../../devices/platform/soc/soc:miracast@0/misc/miracast0");
	devices = list_ok(f, 1);
	assert_device(devices, 0, 0, "soc:miracast@0", "card1");
}

static void test_unreadable_class(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *path = g_build_filename(f->root, "class/misc", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) devices = NULL;

	make_dir(f->root, "class");
	g_assert_true(g_file_set_contents(path, "", 0, NULL));
	devices = mc_device_list(f->root, &error);
	g_assert_null(devices);
	g_assert_error(error, MC_ERROR, MC_ERROR_SYSFS);
	g_assert_nonnull(strstr(error->message, path));
}

static void test_drm_missing_node(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *node = g_build_filename(f->root, "card0", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(McDrmInfo) info = mc_drm_describe(node, &error);

	g_assert_null(info);
	g_assert_error(error, MC_ERROR, MC_ERROR_OPEN);
	g_assert_nonnull(strstr(error->message, node));
	g_assert_nonnull(strstr(error->message, g_strerror(ENOENT)));
}

static void test_drm_not_drm(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(McDrmInfo) info = mc_drm_describe("/dev/null", &error);

	g_assert_null(info);
	g_assert_error(error, MC_ERROR, MC_ERROR_DRM);
	g_assert_nonnull(strstr(error->message, "/dev/null"));
}

static void test_status_strings(void)
{
	g_assert_cmpstr(mc_connector_status_to_string(MC_CONNECTOR_CONNECTED),
			==, "connected");
	g_assert_cmpstr(mc_connector_status_to_string(
				MC_CONNECTOR_DISCONNECTED), ==, "disconnected");
	g_assert_cmpstr(mc_connector_status_to_string(MC_CONNECTOR_UNKNOWN),
			==, "unknown");
}

static int run_list(const Fixture *f, char **out, char **err)
{
	return run_ctl(out, err, "--sysfs-root", f->root, "devices", NULL);
}

static void test_ctl_no_devices(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *out = NULL, *err = NULL;

	g_assert_cmpint(run_list(f, &out, &err), ==, 0);
	g_assert_cmpstr(out, ==, "no miracast devices\n");
	g_assert_cmpstr(err, ==, "");
}

static void test_ctl_no_drm(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *out = NULL, *err = NULL;

	add_misc(f->root, "miracast1", "devices/platform/miracast.1", NULL);
	make_dir(f->root, "devices/platform/miracast.1");
	g_assert_cmpint(run_list(f, &out, &err), ==, 0);
	g_assert_cmpstr(out, ==,
		"miracast1: /dev/miracast1 (platform miracast.1), no DRM card\n");
	g_assert_cmpstr(err, ==, "");
}

/* A card node that cannot be opened is reported, the rest still listed. */
static void test_ctl_drm_unavailable(Fixture *f,
				     gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *out = NULL, *err = NULL;

	add_misc(f->root, "miracast0", "devices/platform/miracast.0",
		 "card999", NULL);
	add_misc(f->root, "miracast1", "devices/platform/miracast.1", NULL);
	make_dir(f->root, "devices/platform/miracast.1");
	g_assert_cmpint(run_list(f, &out, &err), ==, 1);
	g_assert_cmpstr(out, ==,
		"miracast0: /dev/miracast0 (platform miracast.0), "
		"DRM /dev/dri/card999 (unavailable)\n"
		"miracast1: /dev/miracast1 (platform miracast.1), no DRM card\n");
	g_assert_nonnull(strstr(err, "miracast0: cannot open /dev/dri/card999"));
}

static void test_ctl_sysfs_error(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autofree char *path = g_build_filename(f->root, "class/misc", NULL);
	g_autofree char *out = NULL, *err = NULL;

	make_dir(f->root, "class");
	g_assert_true(g_file_set_contents(path, "", 0, NULL));
	g_assert_cmpint(run_list(f, &out, &err), ==, 1);
	g_assert_cmpstr(out, ==, "");
	g_assert_nonnull(strstr(err, path));
}

static void test_ctl_usage(void)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autofree char *out2 = NULL, *err2 = NULL;
	g_autofree char *out3 = NULL, *err3 = NULL;

	g_assert_cmpint(run_ctl(&out, &err, "frobnicate", NULL), ==, 2);
	g_assert_nonnull(strstr(err, "unknown command 'frobnicate'"));
	g_assert_cmpstr(out, ==, "");
	g_assert_cmpint(run_ctl(&out2, &err2, NULL), ==, 2);
	g_assert_nonnull(strstr(err2, "missing command"));
	g_assert_cmpint(run_ctl(&out3, &err3, "--no-such-option", "devices",
				NULL), ==, 2);
}

static void test_ctl_version_help(void)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autofree char *out2 = NULL, *err2 = NULL;

	g_assert_cmpint(run_ctl(&out, &err, "--version", NULL), ==, 0);
	g_assert_cmpstr(out, ==, "miracastctl " MC_VERSION "\n");
	g_assert_cmpint(run_ctl(&out2, &err2, "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(out2, "--sysfs-root=DIR"));
	g_assert_nonnull(strstr(out2, "list"));
}

#define ADD_FIXTURE_TEST(path, func) \
	g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	ADD_FIXTURE_TEST("/device/list/no-class-misc", test_no_class_misc);
	ADD_FIXTURE_TEST("/device/list/only-other-misc", test_only_other_misc);
	ADD_FIXTURE_TEST("/device/list/single", test_single);
	ADD_FIXTURE_TEST("/device/list/no-drm", test_no_drm);
	ADD_FIXTURE_TEST("/device/list/render-node-only",
			 test_render_node_only);
	ADD_FIXTURE_TEST("/device/list/numeric-order", test_numeric_order);
	ADD_FIXTURE_TEST("/device/list/ignored-names", test_ignored_names);
	ADD_FIXTURE_TEST("/device/list/bad-device-link", test_bad_device_link);
	ADD_FIXTURE_TEST("/device/list/sysfs-layout", test_sysfs_layout);
	ADD_FIXTURE_TEST("/device/list/unreadable-class",
			 test_unreadable_class);
	ADD_FIXTURE_TEST("/drm/describe/missing-node", test_drm_missing_node);
	g_test_add_func("/drm/describe/not-drm", test_drm_not_drm);
	g_test_add_func("/drm/status-strings", test_status_strings);
	ADD_FIXTURE_TEST("/miracastctl/list/no-devices", test_ctl_no_devices);
	ADD_FIXTURE_TEST("/miracastctl/list/no-drm", test_ctl_no_drm);
	ADD_FIXTURE_TEST("/miracastctl/list/drm-unavailable",
			 test_ctl_drm_unavailable);
	ADD_FIXTURE_TEST("/miracastctl/list/sysfs-error", test_ctl_sysfs_error);
	g_test_add_func("/miracastctl/usage", test_ctl_usage);
	g_test_add_func("/miracastctl/version-help", test_ctl_version_help);

	return g_test_run();
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the kernel client's parts that need no kernel: the
 * MONITOR_ARRIVAL payload, the checks on the kernel's messages, and the
 * errors of opening something that is not a miracast device. The client
 * against the real module is tested in the lab (tests/vm/client-test.c).
 */
#include <string.h>

#include <gio/gio.h>

#include "mc-client.h"

static const struct miracast_mode mode_1080p = {
	148500, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0x5, 0x8,
};

static void test_arrival_modes_only(void)
{
	struct miracast_mode modes[2] = { mode_1080p, mode_1080p };
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) p = NULL;
	struct miracast_monitor mon;
	const guint8 *data;
	gsize size;

	modes[1].hdisplay = 1280;
	p = mc_monitor_arrival_payload(11, NULL, 0, modes, 2, 600, 340, &error);
	g_assert_no_error(error);
	data = g_bytes_get_data(p, &size);
	g_assert_cmpuint(size, ==, sizeof(mon) + 2 * sizeof(struct miracast_mode));
	memcpy(&mon, data, sizeof(mon));
	g_assert_cmpuint(mon.link_type, ==, 11);
	g_assert_cmpuint(mon.edid_size, ==, 0);
	g_assert_cmpuint(mon.mode_count, ==, 2);
	g_assert_cmpuint(mon.width_mm, ==, 600);
	g_assert_cmpuint(mon.height_mm, ==, 340);
	g_assert_cmpuint(mon.flags, ==, 0);
	g_assert_true(memcmp(data + sizeof(mon), modes, sizeof(modes)) == 0);
}

static void test_arrival_with_edid(void)
{
	guint8 edid[256];
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) p = NULL;
	const guint8 *data;
	gsize size;

	memset(edid, 0xa5, sizeof(edid));
	p = mc_monitor_arrival_payload(11, edid, sizeof(edid), &mode_1080p, 1, 0, 0, &error);
	g_assert_no_error(error);
	data = g_bytes_get_data(p, &size);
	g_assert_cmpuint(size, ==, sizeof(struct miracast_monitor) + 256 +
			 sizeof(struct miracast_mode));
	g_assert_true(memcmp(data + sizeof(struct miracast_monitor), edid, 256) == 0);
	g_assert_true(memcmp(data + sizeof(struct miracast_monitor) + 256, &mode_1080p,
			     sizeof(mode_1080p)) == 0);
}

static void test_arrival_refused(void)
{
	static guint8 edid[32768 + 128];
	static struct miracast_mode modes[257];
	GBytes *p;
	GError *error = NULL;

	p = mc_monitor_arrival_payload(11, edid, 100, NULL, 0, 0, 0, &error);
	g_assert_null(p);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, "multiple of 128"));
	g_clear_error(&error);
	p = mc_monitor_arrival_payload(11, edid, sizeof(edid), NULL, 0, 0, 0, &error);
	g_assert_null(p);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	p = mc_monitor_arrival_payload(11, NULL, 128, NULL, 0, 0, 0, &error);
	g_assert_null(p);
	g_clear_error(&error);
	p = mc_monitor_arrival_payload(11, NULL, 0, modes, 257, 0, 0, &error);
	g_assert_null(p);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, "256 modes"));
	g_clear_error(&error);
	p = mc_monitor_arrival_payload(11, NULL, 0, modes, 256, 0, 0, &error);
	g_assert_no_error(error);
	g_bytes_unref(p);
}

/* A frame message with n rectangles, as the kernel lays it out. */
static McMessage frame_message(guint64 *storage, guint n, guint32 claimed_size)
{
	struct miracast_event_frame f = {
		.hdr = { MIRACAST_EVENT_FRAME, claimed_size },
		.frame = 7,
		.rect_count = n,
	};
	struct miracast_rect *r = (void *)((guint8 *)storage + sizeof(f));
	guint i;

	memcpy(storage, &f, sizeof(f));
	for (i = 0; i < n; i++)
		r[i] = (struct miracast_rect){ (gint32)i, 0, (gint32)i + 10, 20 };
	return (McMessage){ .id = 1, .in_size = sizeof(f) + n * sizeof(*r),
			    .in = (const guint8 *)storage };
}

static void test_frame_checks(void)
{
	guint64 storage[(sizeof(struct miracast_event_frame) + 17 * 16) / 8 + 1];
	const struct miracast_event_frame *f;
	const struct miracast_rect *rects = NULL;
	McMessage m;

	m = frame_message(storage, 3, sizeof(struct miracast_event_frame) + 3 * 16);
	f = mc_message_frame(&m, &rects);
	g_assert_nonnull(f);
	g_assert_cmpuint(f->frame, ==, 7);
	g_assert_cmpint(rects[2].x1, ==, 2);
	g_assert_cmpint(rects[2].x2, ==, 12);
	g_assert_cmpuint(mc_message_event_type(&m), ==, MIRACAST_EVENT_FRAME);
	g_assert_null(mc_message_mode(&m));
	g_assert_cmpuint(mc_message_buffer_gone(&m), ==, 0);

	/* the size the event claims must be what its rectangles take */
	m = frame_message(storage, 3, sizeof(struct miracast_event_frame) + 2 * 16);
	g_assert_null(mc_message_frame(&m, NULL));
	/* more rectangles than the kernel ever sends */
	m = frame_message(storage, 17, sizeof(struct miracast_event_frame) + 17 * 16);
	g_assert_null(mc_message_frame(&m, NULL));
	/* a payload shorter than its event */
	m = frame_message(storage, 0, sizeof(struct miracast_event_frame));
	m.in_size = 100;
	g_assert_cmpuint(mc_message_event_type(&m), ==, 0);
	g_assert_null(mc_message_frame(&m, NULL));
	/* not an event at all */
	m.in_size = 4;
	g_assert_cmpuint(mc_message_event_type(&m), ==, 0);
}

static void test_other_events(void)
{
	struct miracast_event_mode mode = {
		.hdr = { MIRACAST_EVENT_MODE, sizeof(mode) }, .mode = mode_1080p,
	};
	struct miracast_event_buffer_gone gone = {
		.hdr = { MIRACAST_EVENT_BUFFER_GONE, sizeof(gone) }, .buffer_id = 42,
	};
	McMessage m = { .id = 1, .in_size = sizeof(mode), .in = (const guint8 *)&mode };

	g_assert_nonnull(mc_message_mode(&m));
	g_assert_cmpuint(mc_message_mode(&m)->mode.hdisplay, ==, 1920);
	g_assert_null(mc_message_frame(&m, NULL));
	m = (McMessage){ .id = 2, .in_size = sizeof(gone), .in = (const guint8 *)&gone };
	g_assert_cmpuint(mc_message_buffer_gone(&m), ==, 42);
	m.in_size = 8;
	g_assert_cmpuint(mc_message_buffer_gone(&m), ==, 0);
}

static void test_open_errors(void)
{
	GError *error = NULL;

	g_assert_null(mc_client_open("/nonexistent/miracast0", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "/nonexistent/miracast0: open"));
	g_clear_error(&error);

	/* a file that answers no ioctl: the caps cannot be read */
	g_assert_null(mc_client_open("/dev/null", &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "/dev/null: QUERY_CAPS"));
	g_clear_error(&error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/arrival/modes-only", test_arrival_modes_only);
	g_test_add_func("/client/arrival/with-edid", test_arrival_with_edid);
	g_test_add_func("/client/arrival/refused", test_arrival_refused);
	g_test_add_func("/client/message/frame-checks", test_frame_checks);
	g_test_add_func("/client/message/other-events", test_other_events);
	g_test_add_func("/client/open-errors", test_open_errors);
	return g_test_run();
}

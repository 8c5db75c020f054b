// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel client (userspace/lib/mc-client.c) against the real module,
 * in the lab guest as root: a session, a client drawing on the display,
 * frames read in batches, their pixels through the dma-buf cache, buffers
 * going away, chunk records, completions in batches, the stop, and frames
 * as zero-copy GstBuffers through a real conversion.
 */
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "mc-client.h"
#include "mc-frame.h"
#include "miracast_kms_util.h"

typedef struct {
	McClient *client;
	struct mc_display disp;
	struct mc_buf buf[2];
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	struct miracast_start_session start = { .current_bitrate = 10000000 };
	g_autoptr(GError) error = NULL;
	guint32 connector = 0, minor = 0;
	int i;

	f->client = mc_client_open("/dev/miracast0", &error);
	g_assert_no_error(error);
	g_assert_true(mc_client_create_context(f->client, &connector, &minor, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(connector, !=, 0);
	g_assert_true(mc_client_start_session(f->client, &start, &error));
	g_assert_cmpint(mc_display_open(&f->disp, 0), ==, 0);
	for (i = 0; i < 2; i++) {
		g_assert_cmpint(mc_buf_create(f->disp.fd, &f->buf[i], 640, 480,
					      DRM_FORMAT_XRGB8888), ==, 0);
		mc_buf_fill(&f->buf[i], 3 + i);
	}
}

static void fixture_teardown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	int i;

	mc_dark(&f->disp);
	for (i = 0; i < 2; i++)
		mc_buf_destroy(f->disp.fd, &f->buf[i]);
	mc_display_close(&f->disp);
	mc_client_unref(f->client);
}

/* Waits for what the kernel sends and returns the first message of type. */
static McMessage next_of(McClient *client, guint32 type)
{
	struct pollfd pfd = { .fd = mc_client_get_fd(client), .events = POLLIN };
	g_autoptr(GError) error = NULL;
	const McMessage *m;
	gssize n, i;
	McMessage found = { 0 };

	while (!found.id) {
		g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
		n = mc_client_read(client, &m, &error);
		g_assert_no_error(error);
		for (i = 0; i < n; i++) {
			if (!found.id && mc_message_event_type(&m[i]) == type)
				found = m[i];
			else
				mc_client_queue_completion(client, m[i].id,
							   MIRACAST_STATUS_SUCCESS);
		}
	}
	/* the payload lives in the client's buffer until the next read */
	found.in = g_memdup2(found.in, found.in_size);
	return found;
}

static void test_frames_and_buffers(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	drmModeModeInfo mode = mc_mode_640x480();
	struct miracast_mode m = {
		mode.clock, mode.hdisplay, mode.hsync_start, mode.hsync_end, mode.htotal,
		mode.vdisplay, mode.vsync_start, mode.vsync_end, mode.vtotal, mode.flags,
		DRM_MODE_TYPE_PREFERRED,
	};
	const struct miracast_event_frame *fr;
	g_autoptr(GError) error = NULL;
	McBuffer *b0, *again, *b1;
	McMessage msg, msg2;
	guint not_found = 9;

	g_assert_true(mc_client_monitor_arrival(f->client, DRM_MODE_CONNECTOR_HDMIA, NULL, 0,
						&m, 1, 0, 0, &error));
	g_assert_no_error(error);

	g_assert_cmpint(mc_light(&f->disp, &f->buf[0], 0), ==, 0);
	msg = next_of(f->client, MIRACAST_EVENT_FRAME);
	fr = mc_message_frame(&msg, NULL);
	g_assert_nonnull(fr);
	g_assert_cmpuint(fr->primary.width, ==, 640);

	/* first sight: exported and mapped; then from the cache */
	b0 = mc_client_get_buffer(f->client, fr->primary.buffer_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(b0->size, >=, f->buf[0].size);
	g_assert_true(mc_buffer_begin_read(b0, &error));
	g_assert_true(memcmp(b0->data + fr->primary.offset, f->buf[0].map, f->buf[0].size) == 0);
	g_assert_true(mc_buffer_end_read(b0, &error));
	again = mc_client_get_buffer(f->client, fr->primary.buffer_id, &error);
	g_assert_true(again == b0);
	mc_buffer_unref(again);
	g_assert_cmpuint(mc_client_cached_buffers(f->client), ==, 1);
	mc_client_queue_completion(f->client, msg.id, MIRACAST_STATUS_SUCCESS);
	g_assert_cmpint(mc_client_flush_completions(f->client, &not_found, &error), >=, 1);
	g_assert_no_error(error);
	g_assert_cmpuint(not_found, ==, 0);
	g_free((gpointer)msg.in);

	/* the next buffer */
	g_assert_cmpint(drmModePageFlip(f->disp.fd, f->disp.crtc, f->buf[1].fb,
					DRM_MODE_PAGE_FLIP_EVENT, NULL), ==, 0);
	g_assert_cmpint(mc_wait_flip(f->disp.fd, 5000), ==, 1);
	msg2 = next_of(f->client, MIRACAST_EVENT_FRAME);
	fr = mc_message_frame(&msg2, NULL);
	g_assert_nonnull(fr);
	b1 = mc_client_get_buffer(f->client, fr->primary.buffer_id, &error);
	g_assert_no_error(error);
	g_assert_true(b1 != b0);
	g_assert_true(memcmp(b1->data + fr->primary.offset, f->buf[1].map, f->buf[1].size) == 0);
	g_assert_cmpuint(mc_client_cached_buffers(f->client), ==, 2);
	g_assert_true(mc_client_complete(f->client, msg2.id, MIRACAST_STATUS_SUCCESS, NULL, 0,
					 &error));
	/* a second completion: the kernel no longer knows it */
	g_assert_false(mc_client_complete(f->client, msg2.id, MIRACAST_STATUS_SUCCESS, NULL, 0,
					  &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_free((gpointer)msg2.in);

	/* buffer 0 goes: the cache forgets it, our reference still maps it */
	g_assert_cmpint(drmModeRmFB(f->disp.fd, f->buf[0].fb), ==, 0);
	f->buf[0].fb = 0;
	msg = next_of(f->client, MIRACAST_EVENT_BUFFER_GONE);
	g_assert_cmpuint(mc_message_buffer_gone(&msg), ==, b0->id);
	mc_client_buffer_gone(f->client, b0->id);
	g_assert_cmpuint(mc_client_cached_buffers(f->client), ==, 1);
	g_assert_true(memcmp(b0->data, f->buf[0].map, f->buf[0].size) == 0);
	mc_buffer_unref(b0);
	g_assert_true(mc_client_complete(f->client, msg.id, MIRACAST_STATUS_SUCCESS, NULL, 0,
					 &error));
	g_free((gpointer)msg.in);

	/* destroying the context empties the cache */
	g_assert_true(mc_client_destroy_context(f->client, &error));
	g_assert_cmpuint(mc_client_cached_buffers(f->client), ==, 0);
	g_assert_true(memcmp(b1->data, f->buf[1].map, f->buf[1].size) == 0);
	mc_buffer_unref(b1);
}

static void test_chunks_and_stop(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	struct miracast_chunk_report rec[16];
	g_autoptr(GError) error = NULL;
	const McMessage *m;
	McMessage msg;
	gint n, i, starts = 0;
	gssize r;

	g_assert_cmpint(mc_light(&f->disp, &f->buf[0], 0), ==, 0);
	msg = next_of(f->client, MIRACAST_EVENT_FRAME);
	n = mc_client_get_chunks(f->client, rec, G_N_ELEMENTS(rec), 1000, &error);
	g_assert_no_error(error);
	for (i = 0; i < n; i++)
		starts += rec[i].type == MIRACAST_CHUNK_FRAME_START;
	g_assert_cmpint(starts, >=, 1);
	g_assert_true(mc_client_report_chunk(f->client, MIRACAST_CHUNK_ENCODE_COMPLETE,
					     ((const struct miracast_event_frame *)msg.in)->frame,
					     0, 1500, 8000, &error));
	g_assert_no_error(error);
	g_assert_cmpint(mc_client_get_chunks(f->client, rec, 1, 0, &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_clear_error(&error);

	/* the stop cancels the frame; reading then ends */
	g_assert_true(mc_client_stop_session(f->client, &error));
	g_assert_false(mc_client_complete(f->client, msg.id, MIRACAST_STATUS_SUCCESS, NULL, 0,
					  &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error(&error);
	r = mc_client_read(f->client, &m, &error);
	g_assert_cmpint(r, ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
	g_free((gpointer)msg.in);
}

static void test_status_ends_the_session(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GError) error = NULL;
	struct miracast_state st;

	g_assert_true(mc_client_get_state(f->client, &st, &error));
	g_assert_cmpuint(st.context_state, ==, MIRACAST_CONTEXT_STARTED);
	g_assert_true(mc_client_report_status(f->client, MIRACAST_SESSION_MISSING_KEEPALIVE,
					      0xc00000b5, &error));
	g_assert_true(mc_client_get_state(f->client, &st, &error));
	g_assert_cmpuint(st.context_state, ==, MIRACAST_CONTEXT_STOPPED);
	/* a second start is refused */
	g_assert_false(mc_client_start_session(f->client,
					       &(struct miracast_start_session){ 0 }, &error));
	g_assert_error(error, G_IO_ERROR, g_io_error_from_errno(EBADFD));
}

static guint outstanding(McClient *client)
{
	g_autoptr(GError) error = NULL;
	struct miracast_state st;

	g_assert_true(mc_client_get_state(client, &st, &error));
	return st.outstanding;
}

/* A solid red frame, wrapped without a copy and converted to I420. */
static void test_frame_as_gstbuffer(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GError) error = NULL;
	GstElement *pipe, *src, *sink;
	GstVideoMeta *meta;
	GstVideoInfo info;
	GstSample *sample;
	GstMapInfo map;
	GstBuffer *gb;
	McMessage msg;
	guint i, y;

	for (i = 0; i < f->buf[0].size / 4; i++)
		((guint32 *)f->buf[0].map)[i] = 0x00ff0000;	/* XRGB red */
	g_assert_cmpint(mc_light(&f->disp, &f->buf[0], 0), ==, 0);
	msg = next_of(f->client, MIRACAST_EVENT_FRAME);
	g_assert_cmpint(mc_client_flush_completions(f->client, NULL, &error), >=, 0);
	g_assert_cmpuint(outstanding(f->client), ==, 1);

	gb = mc_frame_wrap(f->client, &msg, &info, &error);
	g_assert_no_error(error);
	g_free((gpointer)msg.in);
	meta = gst_buffer_get_video_meta(gb);
	g_assert_nonnull(meta);
	g_assert_cmpint(meta->format, ==, GST_VIDEO_FORMAT_BGRx);
	g_assert_cmpuint(meta->width, ==, 640);
	g_assert_cmpuint(meta->height, ==, 480);
	g_assert_cmpint(meta->stride[0], ==, (gint)f->buf[0].pitch);
	/* the client's pixels themselves, not a copy */
	g_assert_true(gst_buffer_map(gb, &map, GST_MAP_READ));
	g_assert_true(memcmp(map.data, f->buf[0].map, map.size) == 0);
	gst_buffer_unmap(gb, &map);

	pipe = gst_parse_launch("appsrc name=src format=time ! videoconvert ! "
				"video/x-raw,format=I420 ! appsink name=sink sync=false", &error);
	g_assert_no_error(error);
	src = gst_bin_get_by_name(GST_BIN(pipe), "src");
	sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
	{
		g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);

		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, 60, 1, NULL);
		g_object_set(src, "caps", caps, NULL);
	}
	g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), gb), ==, GST_FLOW_OK);
	gst_app_src_end_of_stream(GST_APP_SRC(src));
	sample = gst_app_sink_pull_sample(GST_APP_SINK(sink));
	g_assert_nonnull(sample);
	g_assert_true(gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ));
	/* BT.601 limited range: red is Y 81 */
	for (y = 0; y < 480; y += 37)
		g_assert_cmpint(abs((int)map.data[y * 640 + y] - 81), <=, 2);
	gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
	gst_sample_unref(sample);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(src);
	gst_object_unref(sink);
	gst_object_unref(pipe);

	/* the pipeline let the frame go: the kernel's message is completed */
	g_assert_cmpuint(outstanding(f->client), ==, 0);
}

/*
 * The sanitizers' settings travel with the binary into the guest: GLib's
 * quark table, replaced unfreed once GStreamer registers many quarks, is
 * allocated in GLib's constructor (see tests/unit/lsan.supp).
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=1:fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:_dl_init\n";
}

int main(int argc, char **argv)
{
	int ret;

	/* the lab guest's home is read-only: keep GStreamer's registry in /tmp */
	if (!g_getenv("GST_REGISTRY"))
		g_setenv("GST_REGISTRY", "/tmp/miracast-client-test-registry.bin", TRUE);
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add("/lab/client/frames-and-buffers", Fixture, NULL, fixture_setup,
		   test_frames_and_buffers, fixture_teardown);
	g_test_add("/lab/client/chunks-and-stop", Fixture, NULL, fixture_setup,
		   test_chunks_and_stop, fixture_teardown);
	g_test_add("/lab/client/status-ends-the-session", Fixture, NULL, fixture_setup,
		   test_status_ends_the_session, fixture_teardown);
	g_test_add("/lab/client/frame-as-gstbuffer", Fixture, NULL, fixture_setup,
		   test_frame_as_gstbuffer, fixture_teardown);
	ret = g_test_run();
	gst_deinit();
	return ret;
}

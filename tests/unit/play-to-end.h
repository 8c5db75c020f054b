/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' way of running a finite GStreamer pipeline into an
 * appsink and looking at every buffer it gets.
 */
#ifndef PLAY_TO_END_H
#define PLAY_TO_END_H

#include <glib.h>
#include <gst/app/gstappsink.h>

typedef void (*PlayToEndFunc)(const guint8 *data, gsize size, gpointer user_data);

/* Plays pipe until sink's EOS, gives each buffer to fn, then stops and frees pipe. */
static inline void play_to_end(GstElement *pipe, GstElement *sink, PlayToEndFunc fn,
			       gpointer user_data)
{
	GstSample *sample;

	g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
		GstMapInfo map;
		GstBuffer *b = gst_sample_get_buffer(sample);

		g_assert_true(gst_buffer_map(b, &map, GST_MAP_READ));
		fn(map.data, map.size, user_data);
		gst_buffer_unmap(b, &map);
		gst_sample_unref(sample);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);
}

#endif /* PLAY_TO_END_H */

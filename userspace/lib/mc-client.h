/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel client: one daemon's side of /dev/miracastN (docs/uapi.md,
 * docs/client.md). A McClient owns the file, the device's context while it
 * holds one, and a cache of the dma-bufs of the buffers frames name.
 *
 * Threads: a McClient is used from one thread (the daemon's main loop),
 * except mc_client_complete(), mc_client_report_chunk(),
 * mc_client_ref()/unref() and mc_buffer_unref(), which any thread may call
 * (a GStreamer streaming thread releasing a frame's buffer).
 */
#ifndef MC_CLIENT_H
#define MC_CLIENT_H

#include <glib.h>

#include "miracast.h"

G_BEGIN_DECLS

typedef struct _McClient McClient;

/* A message as read: valid until the next mc_client_read(). */
typedef struct {
	guint64 id;
	guint32 in_size;
	guint32 out_size;	/* room for the completion's output */
	const guint8 *in;	/* in_size bytes */
} McMessage;

/* A buffer named by frames: its dma-buf, mapped read-only. */
typedef struct {
	guint64 id;
	int fd;			/* the dma-buf, owned by the McBuffer */
	const guint8 *data;	/* size bytes, PROT_READ, MAP_SHARED */
	gsize size;
} McBuffer;

/*
 * Opens a device node such as "/dev/miracast0" and queries its caps. The
 * file is non-blocking and close-on-exec. The client is reference-counted
 * (atomically): frames still out in a pipeline keep it, and so the file
 * and its context, alive.
 */
McClient *mc_client_open(const char *dev_node, GError **error);
McClient *mc_client_ref(McClient *client);
void mc_client_unref(McClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McClient, mc_client_unref)

int mc_client_get_fd(McClient *client);
const struct miracast_caps *mc_client_get_caps(McClient *client);

/* The context and its session; each maps onto the ioctl of that name. */
gboolean mc_client_create_context(McClient *client, guint32 *connector_id,
				  guint32 *drm_minor, GError **error);
gboolean mc_client_start_session(McClient *client, const struct miracast_start_session *start,
				 GError **error);
gboolean mc_client_stop_session(McClient *client, GError **error);
/* Also drops the buffer cache: the next context is told of buffers anew. */
gboolean mc_client_destroy_context(McClient *client, GError **error);

/*
 * The sink's monitor: its link type (DRM_MODE_CONNECTOR_*), its EDID (or
 * NULL), its modes, its size in mm (0 if unknown).
 */
gboolean mc_client_monitor_arrival(McClient *client, guint32 link_type,
				   const guint8 *edid, gsize edid_size,
				   const struct miracast_mode *modes, guint n_modes,
				   guint32 width_mm, guint32 height_mm, GError **error);
gboolean mc_client_monitor_departure(McClient *client, GError **error);
gboolean mc_client_get_state(McClient *client, struct miracast_state *state,
			     GError **error);

/*
 * Reads what is queued, without waiting. *messages points into the
 * client's buffer until the next call. Returns how many (0: nothing now),
 * or -1 with error set; G_IO_ERROR_CLOSED once a stopped session has
 * nothing left.
 */
gssize mc_client_read(McClient *client, const McMessage **messages, GError **error);

/*
 * Completes one message now. G_IO_ERROR_NOT_FOUND when the kernel no longer
 * knows it (cancelled meanwhile): not an error for a caller that raced a
 * stop.
 */
gboolean mc_client_complete(McClient *client, guint64 id, guint32 status,
			    const void *out, guint32 out_size, GError **error);

/*
 * Completions without output, queued and sent together by
 * mc_client_flush_completions() (COMPLETE_BATCH; also when the queue holds
 * caps.max_batch). Returns how many the kernel ended, or -1 with error set
 * when the call itself failed. Entries the kernel no longer knew are
 * counted in *not_found (may be NULL).
 */
void mc_client_queue_completion(McClient *client, guint64 id, guint32 status);
gint mc_client_flush_completions(McClient *client, guint *not_found, GError **error);

/*
 * The buffer behind buffer_id, a new reference: exported and mapped on
 * first sight, then from the cache. mc_client_buffer_gone() (for
 * BUFFER_GONE) drops the cache's reference; the mapping lives until the
 * last user's unref.
 */
McBuffer *mc_client_get_buffer(McClient *client, guint64 buffer_id, GError **error);
void mc_client_buffer_gone(McClient *client, guint64 buffer_id);
guint mc_client_cached_buffers(McClient *client);
McBuffer *mc_buffer_ref(McBuffer *buffer);
void mc_buffer_unref(McBuffer *buffer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McBuffer, mc_buffer_unref)

/* Begins or ends a CPU read of the buffer (DMA_BUF_IOCTL_SYNC). */
gboolean mc_buffer_begin_read(McBuffer *buffer, GError **error);
gboolean mc_buffer_end_read(McBuffer *buffer, GError **error);

/* Statistics and errors back to the kernel. */
gboolean mc_client_report_chunk(McClient *client, guint32 type, guint64 frame, guint32 part,
				guint32 processing_time_us, guint32 encode_rate_kbps,
				GError **error);
/*
 * The kernel's chunk records, oldest first, waiting up to timeout_ms for
 * the first. Returns how many, or -1 with error set: G_IO_ERROR_TIMED_OUT
 * when none came, G_IO_ERROR_CONNECTION_CLOSED once after records were
 * lost (ask the encoder for an IDR frame).
 */
gint mc_client_get_chunks(McClient *client, struct miracast_chunk_report *records, guint n,
			  guint timeout_ms, GError **error);
gboolean mc_client_report_status(McClient *client, guint32 reason, guint32 status,
				 GError **error);

/*
 * The kernel's own messages. mc_message_event_type() is 0 for a message
 * that is not one (or is malformed); mc_message_frame() checks a FRAME's
 * sizes and returns it with its rectangles, or NULL.
 */
guint32 mc_message_event_type(const McMessage *message);
const struct miracast_event_frame *mc_message_frame(const McMessage *message,
						    const struct miracast_rect **rects);
const struct miracast_event_mode *mc_message_mode(const McMessage *message);
guint64 mc_message_buffer_gone(const McMessage *message);

/*
 * MONITOR_ARRIVAL's input (header, EDID padded to 8, modes): built for
 * mc_client_monitor_arrival(); exposed for tests. NULL with error set on
 * a bad EDID size or too many modes.
 */
GBytes *mc_monitor_arrival_payload(guint32 link_type, const guint8 *edid, gsize edid_size,
				   const struct miracast_mode *modes, guint n_modes,
				   guint32 width_mm, guint32 height_mm, GError **error);

G_END_DECLS

#endif /* MC_CLIENT_H */

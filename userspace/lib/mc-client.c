// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel client: /dev/miracastN's ioctls with GError, the messages
 * read in batches, completions sent in batches, and the dma-buf cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <gio/gio.h>

#include "mc-client.h"

/* Room for many messages per read(); at least one of the largest. */
#define READ_BUFFER_MIN	(64 * 1024)

struct _McClient {
	int fd;
	char *dev_node;
	struct miracast_caps caps;

	guint8 *rbuf;
	gsize rbuf_size;
	GArray *messages;	/* McMessage, into rbuf */

	GArray *completions;	/* struct miracast_completion, queued */
	GHashTable *buffers;	/* guint64 id -> McBuffer (a reference) */
};

static gboolean set_errno(GError **error, int err, const char *what, const char *dev_node)
{
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s: %s: %s",
		    dev_node, what, g_strerror(err));
	return FALSE;
}

static gboolean client_ioctl(McClient *client, unsigned long request, void *arg,
			     const char *what, GError **error)
{
	int ret;

	do {
		ret = ioctl(client->fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return set_errno(error, errno, what, client->dev_node);
	return TRUE;
}

McClient *mc_client_open(const char *dev_node, GError **error)
{
	g_autoptr(McClient) client = g_atomic_rc_box_new0(McClient);

	client->fd = -1;
	client->dev_node = g_strdup(dev_node);
	client->messages = g_array_new(FALSE, FALSE, sizeof(McMessage));
	client->completions = g_array_new(FALSE, TRUE, sizeof(struct miracast_completion));
	client->buffers = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
						(GDestroyNotify)mc_buffer_unref);

	client->fd = open(dev_node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (client->fd < 0) {
		set_errno(error, errno, "open", dev_node);
		return NULL;
	}
	if (!client_ioctl(client, MIRACAST_IOC_QUERY_CAPS, &client->caps, "QUERY_CAPS", error))
		return NULL;
	if (client->caps.abi_version != MIRACAST_ABI_VERSION) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "%s: kernel ABI version %u, this program speaks %u", dev_node,
			    client->caps.abi_version, MIRACAST_ABI_VERSION);
		return NULL;
	}
	client->rbuf_size = MAX(READ_BUFFER_MIN, MIRACAST_MSG_SIZE(client->caps.max_in_size));
	client->rbuf = g_malloc(client->rbuf_size);
	return g_steal_pointer(&client);
}

static void client_clear(gpointer data)
{
	McClient *client = data;

	g_hash_table_unref(client->buffers);
	g_array_unref(client->completions);
	g_array_unref(client->messages);
	g_free(client->rbuf);
	if (client->fd >= 0)
		close(client->fd);
	g_free(client->dev_node);
}

McClient *mc_client_ref(McClient *client)
{
	return g_atomic_rc_box_acquire(client);
}

void mc_client_unref(McClient *client)
{
	if (client)
		g_atomic_rc_box_release_full(client, client_clear);
}

int mc_client_get_fd(McClient *client)
{
	return client->fd;
}

const struct miracast_caps *mc_client_get_caps(McClient *client)
{
	return &client->caps;
}

gboolean mc_client_create_context(McClient *client, guint32 *connector_id,
				  guint32 *drm_minor, GError **error)
{
	struct miracast_create_context cc = { 0 };

	if (!client_ioctl(client, MIRACAST_IOC_CREATE_CONTEXT, &cc, "CREATE_CONTEXT", error))
		return FALSE;
	if (connector_id)
		*connector_id = cc.connector_id;
	if (drm_minor)
		*drm_minor = cc.drm_minor;
	return TRUE;
}

gboolean mc_client_start_session(McClient *client, const struct miracast_start_session *start,
				 GError **error)
{
	struct miracast_start_session s = *start;

	return client_ioctl(client, MIRACAST_IOC_START_SESSION, &s, "START_SESSION", error);
}

gboolean mc_client_stop_session(McClient *client, GError **error)
{
	return client_ioctl(client, MIRACAST_IOC_STOP_SESSION, NULL, "STOP_SESSION", error);
}

gboolean mc_client_destroy_context(McClient *client, GError **error)
{
	g_hash_table_remove_all(client->buffers);
	g_array_set_size(client->completions, 0);
	return client_ioctl(client, MIRACAST_IOC_DESTROY_CONTEXT, NULL, "DESTROY_CONTEXT",
			    error);
}

GBytes *mc_monitor_arrival_payload(guint32 link_type, const guint8 *edid, gsize edid_size,
				   const struct miracast_mode *modes, guint n_modes,
				   guint32 width_mm, guint32 height_mm, GError **error)
{
	struct miracast_monitor mon = {
		.link_type = link_type,
		.edid_size = (guint32)edid_size,
		.mode_count = n_modes,
		.width_mm = width_mm,
		.height_mm = height_mm,
	};
	gsize edid_padded = (edid_size + 7) & ~(gsize)7;
	gsize size;
	guint8 *p;

	if (edid_size % 128 || edid_size > 32768 || (edid_size && !edid)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "an EDID is a multiple of 128 bytes up to 32768, not %zu", edid_size);
		return NULL;
	}
	if (n_modes > 256 || (n_modes && !modes)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "at most 256 modes, not %u", n_modes);
		return NULL;
	}
	size = sizeof(mon) + edid_padded + n_modes * sizeof(*modes);
	p = g_malloc0(size);
	memcpy(p, &mon, sizeof(mon));
	if (edid_size)
		memcpy(p + sizeof(mon), edid, edid_size);
	if (n_modes)
		memcpy(p + sizeof(mon) + edid_padded, modes, n_modes * sizeof(*modes));
	return g_bytes_new_take(p, size);
}

static gboolean io_control(McClient *client, guint32 opcode, const void *in, gsize in_size,
			   void *out, gsize out_size, const char *what, GError **error)
{
	struct miracast_io_control io = {
		.opcode = opcode,
		.in_ptr = (guintptr)in,
		.in_size = (guint32)in_size,
		.out_ptr = (guintptr)out,
		.out_size = (guint32)out_size,
	};

	return client_ioctl(client, MIRACAST_IOC_IO_CONTROL, &io, what, error);
}

gboolean mc_client_monitor_arrival(McClient *client, guint32 link_type,
				   const guint8 *edid, gsize edid_size,
				   const struct miracast_mode *modes, guint n_modes,
				   guint32 width_mm, guint32 height_mm, GError **error)
{
	g_autoptr(GBytes) in = mc_monitor_arrival_payload(link_type, edid, edid_size, modes,
							  n_modes, width_mm, height_mm, error);
	gsize size;
	const void *data;

	if (!in)
		return FALSE;
	data = g_bytes_get_data(in, &size);
	return io_control(client, MIRACAST_IOCTL_MONITOR_ARRIVAL, data, size, NULL, 0,
			  "MONITOR_ARRIVAL", error);
}

gboolean mc_client_monitor_departure(McClient *client, GError **error)
{
	return io_control(client, MIRACAST_IOCTL_MONITOR_DEPARTURE, NULL, 0, NULL, 0,
			  "MONITOR_DEPARTURE", error);
}

gboolean mc_client_get_state(McClient *client, struct miracast_state *state, GError **error)
{
	memset(state, 0, sizeof(*state));
	return io_control(client, MIRACAST_IOCTL_GET_STATE, NULL, 0, state, sizeof(*state),
			  "GET_STATE", error);
}

gssize mc_client_read(McClient *client, const McMessage **messages, GError **error)
{
	gssize n;
	gsize off = 0;

	g_array_set_size(client->messages, 0);
	*messages = NULL;
	do {
		n = read(client->fd, client->rbuf, client->rbuf_size);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		set_errno(error, errno, "read", client->dev_node);
		return -1;
	}
	if (n == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED,
			    "%s: the session is stopped and nothing is left", client->dev_node);
		return -1;
	}
	while (off + sizeof(struct miracast_msg_header) <= (gsize)n) {
		struct miracast_msg_header h;
		McMessage m;

		memcpy(&h, client->rbuf + off, sizeof(h));
		if (off + MIRACAST_MSG_SIZE(h.in_size) > (gsize)n)
			break;
		m = (McMessage) {
			.id = h.id,
			.in_size = h.in_size,
			.out_size = h.out_size,
			.in = client->rbuf + off + sizeof(h),
		};
		g_array_append_val(client->messages, m);
		off += MIRACAST_MSG_SIZE(h.in_size);
	}
	if (off != (gsize)n) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "%s: read returned %zd bytes, %zu of them whole messages",
			    client->dev_node, n, off);
		return -1;
	}
	*messages = (const McMessage *)(void *)client->messages->data;
	return client->messages->len;
}

gboolean mc_client_complete(McClient *client, guint64 id, guint32 status,
			    const void *out, guint32 out_size, GError **error)
{
	struct miracast_completion c = {
		.id = id,
		.status = status,
		.out_ptr = (guintptr)out,
		.out_size = out_size,
	};

	return client_ioctl(client, MIRACAST_IOC_COMPLETE, &c, "COMPLETE", error);
}

void mc_client_queue_completion(McClient *client, guint64 id, guint32 status)
{
	struct miracast_completion c = { .id = id, .status = status };

	g_array_append_val(client->completions, c);
	if (client->completions->len >= client->caps.max_batch) {
		g_autoptr(GError) error = NULL;

		if (mc_client_flush_completions(client, NULL, &error) < 0)
			g_warning("%s", error->message);
	}
}

gint mc_client_flush_completions(McClient *client, guint *not_found, GError **error)
{
	struct miracast_complete_batch b = {
		.entries_ptr = (guintptr)client->completions->data,
		.count = client->completions->len,
		.entry_size = sizeof(struct miracast_completion),
	};
	struct miracast_completion *c = (void *)client->completions->data;
	guint i, missing = 0;
	gboolean ok;

	if (not_found)
		*not_found = 0;
	if (!b.count)
		return 0;
	ok = client_ioctl(client, MIRACAST_IOC_COMPLETE_BATCH, &b, "COMPLETE_BATCH", error);
	for (i = 0; ok && i < b.count; i++) {
		if (c[i].result == -ENOENT)
			missing++;
		else if (c[i].result)
			g_warning("%s: COMPLETE_BATCH: message %" G_GUINT64_FORMAT ": %s",
				  client->dev_node, (guint64)c[i].id, g_strerror(-c[i].result));
	}
	g_array_set_size(client->completions, 0);
	if (!ok)
		return -1;
	if (not_found)
		*not_found = missing;
	return b.completed;
}

static void buffer_clear(gpointer data)
{
	McBuffer *buffer = data;

	if (buffer->data)
		munmap((void *)buffer->data, buffer->size);
	if (buffer->fd >= 0)
		close(buffer->fd);
}

McBuffer *mc_buffer_ref(McBuffer *buffer)
{
	return g_atomic_rc_box_acquire(buffer);
}

void mc_buffer_unref(McBuffer *buffer)
{
	if (buffer)
		g_atomic_rc_box_release_full(buffer, buffer_clear);
}

McBuffer *mc_client_get_buffer(McClient *client, guint64 buffer_id, GError **error)
{
	struct miracast_buffer_fd req = { .buffer_id = buffer_id, .flags = O_CLOEXEC };
	McBuffer *buffer = g_hash_table_lookup(client->buffers, &buffer_id);
	void *map;

	if (buffer)
		return mc_buffer_ref(buffer);
	if (!client_ioctl(client, MIRACAST_IOC_GET_BUFFER_FD, &req, "GET_BUFFER_FD", error))
		return NULL;
	map = mmap(NULL, req.size, PROT_READ, MAP_SHARED, req.fd, 0);
	if (map == MAP_FAILED) {
		int err = errno;

		close(req.fd);
		set_errno(error, err, "mmap of a frame's buffer", client->dev_node);
		return NULL;
	}
	buffer = g_atomic_rc_box_new0(McBuffer);
	buffer->id = buffer_id;
	buffer->fd = req.fd;
	buffer->data = map;
	buffer->size = req.size;
	g_hash_table_insert(client->buffers, &buffer->id, buffer);
	return mc_buffer_ref(buffer);
}

void mc_client_buffer_gone(McClient *client, guint64 buffer_id)
{
	g_hash_table_remove(client->buffers, &buffer_id);
}

guint mc_client_cached_buffers(McClient *client)
{
	return g_hash_table_size(client->buffers);
}

static gboolean buffer_sync(McBuffer *buffer, guint64 flags, GError **error)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };
	int ret;

	do {
		ret = ioctl(buffer->fd, DMA_BUF_IOCTL_SYNC, &sync);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0)
		return set_errno(error, errno, "DMA_BUF_IOCTL_SYNC", "dma-buf");
	return TRUE;
}

gboolean mc_buffer_begin_read(McBuffer *buffer, GError **error)
{
	return buffer_sync(buffer, DMA_BUF_SYNC_START, error);
}

gboolean mc_buffer_end_read(McBuffer *buffer, GError **error)
{
	return buffer_sync(buffer, DMA_BUF_SYNC_END, error);
}

gboolean mc_client_report_chunk(McClient *client, guint32 type, guint64 frame, guint32 part,
				guint32 processing_time_us, guint32 encode_rate_kbps,
				GError **error)
{
	struct miracast_chunk_report r = {
		.chunk_id = MIRACAST_CHUNK_ID(frame, part),
		.type = type,
		.processing_time_us = processing_time_us,
		.encode_rate_kbps = encode_rate_kbps,
	};

	return client_ioctl(client, MIRACAST_IOC_REPORT_CHUNK, &r, "REPORT_CHUNK", error);
}

gint mc_client_get_chunks(McClient *client, struct miracast_chunk_report *records, guint n,
			  guint timeout_ms, GError **error)
{
	struct miracast_get_chunks g = {
		.chunks_ptr = (guintptr)records,
		.count = n,
		.timeout_ms = timeout_ms,
		.entry_size = sizeof(*records),
	};

	if (!client_ioctl(client, MIRACAST_IOC_GET_CHUNKS, &g, "GET_CHUNKS", error))
		return -1;
	return g.returned;
}

gboolean mc_client_report_status(McClient *client, guint32 reason, guint32 status,
				 GError **error)
{
	struct miracast_session_status s = { .reason = reason, .status = status };

	return client_ioctl(client, MIRACAST_IOC_REPORT_STATUS, &s, "REPORT_STATUS", error);
}

guint32 mc_message_event_type(const McMessage *message)
{
	struct miracast_event ev;

	if (message->in_size < sizeof(ev))
		return 0;
	memcpy(&ev, message->in, sizeof(ev));
	if (ev.size < sizeof(ev) || ev.size > message->in_size)
		return 0;
	return ev.type;
}

const struct miracast_event_frame *mc_message_frame(const McMessage *message,
						    const struct miracast_rect **rects)
{
	const struct miracast_event_frame *f = (const void *)message->in;

	if (mc_message_event_type(message) != MIRACAST_EVENT_FRAME ||
	    message->in_size < sizeof(*f) || f->rect_count > MIRACAST_FRAME_MAX_RECTS ||
	    f->hdr.size != sizeof(*f) + f->rect_count * sizeof(struct miracast_rect))
		return NULL;
	if (rects)
		*rects = MIRACAST_FRAME_RECTS(f);
	return f;
}

const struct miracast_event_mode *mc_message_mode(const McMessage *message)
{
	if (mc_message_event_type(message) != MIRACAST_EVENT_MODE ||
	    message->in_size < sizeof(struct miracast_event_mode))
		return NULL;
	return (const void *)message->in;
}

guint64 mc_message_buffer_gone(const McMessage *message)
{
	const struct miracast_event_buffer_gone *g = (const void *)message->in;

	if (mc_message_event_type(message) != MIRACAST_EVENT_BUFFER_GONE ||
	    message->in_size < sizeof(*g))
		return 0;
	return g->buffer_id;
}

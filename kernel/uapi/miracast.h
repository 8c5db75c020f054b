/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * miracast.h: the interface between miracast.ko and its daemon, over
 * /dev/miracastN. docs/uapi.md explains it; in short:
 *
 *   QUERY_CAPS                      what the device can do (never changes)
 *   CREATE_CONTEXT                  this file owns the device's one context
 *   START_SESSION                   the sink session runs: held messages flow
 *   read()                          messages from the kernel, whole, in order
 *   COMPLETE / COMPLETE_BATCH       a message's status block and output bytes
 *   IO_CONTROL                      synchronous requests (monitor arrival...)
 *   REPORT_CHUNK / REPORT_STATUS    per-frame statistics, session errors
 *   STOP_SESSION                    every outstanding message is cancelled
 *   DESTROY_CONTEXT (or close())    the monitor departs, the context is freed
 *
 * It reproduces Windows' WDDM Miracast contract (DxgkCbMiracastSendMessage
 * and its completion callback): status values are NTSTATUS numbers.
 *
 * Every structure has a fixed layout on 32- and 64-bit userspace: __u64 for
 * pointers, explicit padding, reserved fields that must be zero. Structures
 * grow at their end; the ioctl number carries their size, and the kernel
 * accepts a shorter (older) structure, zero-filling what it lacks, and a
 * longer one whose extra bytes are zero (E2BIG otherwise).
 */
#ifndef _UAPI_MIRACAST_H
#define _UAPI_MIRACAST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MIRACAST_ABI_VERSION		1

/*
 * Status values: Windows' NTSTATUS numbers. Success and informational
 * values have the top bit clear; MIRACAST_NT_SUCCESS() tells them apart.
 */
#define MIRACAST_STATUS_SUCCESS				0x00000000U
#define MIRACAST_STATUS_TIMEOUT				0x00000102U
#define MIRACAST_STATUS_PENDING				0x00000103U
#define MIRACAST_STATUS_BUFFER_OVERFLOW			0x80000005U
#define MIRACAST_STATUS_UNSUCCESSFUL			0xC0000001U
#define MIRACAST_STATUS_INVALID_PARAMETER		0xC000000DU
#define MIRACAST_STATUS_NO_MEMORY			0xC0000017U
#define MIRACAST_STATUS_BUFFER_TOO_SMALL		0xC0000023U
#define MIRACAST_STATUS_INSUFFICIENT_RESOURCES		0xC000009AU
#define MIRACAST_STATUS_INSTANCE_NOT_AVAILABLE		0xC00000ABU
#define MIRACAST_STATUS_NOT_SUPPORTED			0xC00000BBU
#define MIRACAST_STATUS_CANCELLED			0xC0000120U
#define MIRACAST_STATUS_INVALID_DEVICE_STATE		0xC0000184U
#define MIRACAST_STATUS_CONNECTION_RESET		0xC000020DU
#define MIRACAST_STATUS_DEVICE_INSUFFICIENT_RESOURCES	0xC0000468U
#define MIRACAST_STATUS_RESOURCE_IN_USE			0xC0000708U

#define MIRACAST_NT_SUCCESS(status)	((__s32)(status) >= 0)

/* QUERY_CAPS */
#define MIRACAST_CAP_HDCP		0x00000001U

struct miracast_caps {
	__u32 abi_version;		/* MIRACAST_ABI_VERSION */
	__u32 flags;			/* MIRACAST_CAP_* */
	__u32 max_outstanding;		/* messages sent and not yet completed */
	__u32 max_in_size;		/* largest message payload read() returns */
	__u32 max_out_size;		/* largest output a completion may carry */
	__u32 max_batch;		/* entries per COMPLETE_BATCH */
	__u32 max_chunk_private_data_size;
	__u32 max_chunks;		/* records the kernel's chunk queue holds */
	__u32 reserved[8];
};

/* CREATE_CONTEXT: flags in (zero), the rest out */
struct miracast_create_context {
	__u32 flags;
	__u32 connector_id;		/* the DRM connector of the sink */
	__u32 drm_minor;		/* /dev/dri/cardN */
	__u32 reserved[5];
};

/* START_SESSION: what the daemon learnt while starting the session */
#define MIRACAST_SESSION_MONITOR_CONNECTED		0x00000001U
#define MIRACAST_SESSION_REDUCED_MODE_LIST		0x00000002U

struct miracast_start_session {
	__u64 current_bitrate;		/* bit/s suggested for the encoder */
	__u64 local_max_bitrate;
	__u64 remote_max_bitrate;
	__u32 session_info;		/* MIRACAST_SESSION_* */
	__u32 reserved[5];
};

/*
 * read() returns whole messages, back to back, each a header followed by
 * in_size payload bytes and zero padding to a multiple of 8 bytes
 * (MIRACAST_MSG_SIZE()). A buffer too small for the next message gets
 * EINVAL and loses nothing: a buffer of sizeof(struct miracast_msg_header)
 * + caps.max_in_size always fits one.
 */
struct miracast_msg_header {
	__u64 id;			/* never 0, never reused */
	__u32 in_size;			/* payload bytes following */
	__u32 out_size;			/* room for the completion's output */
	__u32 flags;			/* zero for now */
	__u32 reserved;
};

#define MIRACAST_MSG_SIZE(in_size) \
	(sizeof(struct miracast_msg_header) + (((in_size) + 7U) & ~7U))

/*
 * COMPLETE: ends message id with status (NTSTATUS) and out_size bytes from
 * out_ptr, which become the message's output; out_size is the status
 * block's "information" and may not exceed the message's out_size
 * (EMSGSIZE, and the message stays outstanding). result is set to 0 or
 * to the negative errno of this entry, in batches too.
 */
struct miracast_completion {
	__u64 id;
	__u64 out_ptr;
	__u32 out_size;
	__u32 status;
	__s32 result;			/* out */
	__u32 reserved;
};

/* COMPLETE_BATCH: count entries at entries_ptr, each processed in order */
struct miracast_complete_batch {
	__u64 entries_ptr;		/* struct miracast_completion[count] */
	__u32 count;
	__u32 completed;		/* out: entries whose result is 0 */
	__u32 entry_size;		/* sizeof(struct miracast_completion) */
	__u32 reserved;
};

/*
 * IO_CONTROL: a synchronous request to the kernel, after START_SESSION.
 * in_ptr/in_size and out_ptr/out_size are the opcode's buffers;
 * bytes_returned tells how much of out the kernel wrote.
 */
#define MIRACAST_IOCTL_MONITOR_ARRIVAL		1
#define MIRACAST_IOCTL_MONITOR_DEPARTURE	2
#define MIRACAST_IOCTL_GET_STATE		3

struct miracast_io_control {
	__u32 opcode;			/* MIRACAST_IOCTL_* */
	__u32 flags;
	__u64 in_ptr;
	__u64 out_ptr;
	__u32 in_size;
	__u32 out_size;
	__u32 bytes_returned;		/* out */
	__u32 reserved[3];
};

/*
 * MONITOR_ARRIVAL's input: this header, then edid_size bytes of EDID (or
 * none) padded with zeros to a multiple of 8, then mode_count modes. The
 * connector becomes connected with the EDID's modes and the listed ones.
 */
struct miracast_mode {
	__u32 clock;			/* kHz */
	__u16 hdisplay, hsync_start, hsync_end, htotal;
	__u16 vdisplay, vsync_start, vsync_end, vtotal;
	__u32 flags;			/* DRM_MODE_FLAG_* (no stereo) */
	__u32 type;			/* DRM_MODE_TYPE_PREFERRED or 0 */
};

struct miracast_monitor {
	__u32 link_type;		/* DRM_MODE_CONNECTOR_*: the sink's link to the monitor */
	__u32 flags;
	__u32 edid_size;		/* 0, or a multiple of 128 up to 32768 */
	__u32 mode_count;		/* up to 256 */
	__u32 width_mm, height_mm;
	__u32 reserved[2];
};

/*
 * What the kernel's messages carry: a payload that starts with struct
 * miracast_event. The display's own events need no output (out_size 0);
 * complete them with MIRACAST_STATUS_SUCCESS once handled.
 */
#define MIRACAST_EVENT_MODE		1	/* lit up with a (new) mode */
#define MIRACAST_EVENT_STANDBY		2	/* DPMS off: the sink goes to standby */
#define MIRACAST_EVENT_RESUME		3	/* DPMS on again, in the same mode */
#define MIRACAST_EVENT_DISABLE		4	/* switched off, the mode is gone */

struct miracast_event {
	__u32 type;			/* MIRACAST_EVENT_* */
	__u32 size;			/* of the whole payload, this header included */
};

struct miracast_event_mode {
	struct miracast_event hdr;
	struct miracast_mode mode;	/* the CRTC's mode, as MONITOR_ARRIVAL's */
	__u32 reserved;
};

/*
 * FRAME: what the display shows from its next vblank on. Sent for every
 * commit that changes the primary or the cursor plane while the CRTC is
 * on. The frame holds its buffers until the message is completed: a flip
 * that replaces a frame's buffer is not reported done before then (or
 * before the deadline, see docs/uapi.md), so the client cannot draw into
 * a buffer the daemon is still reading. A frame still unread when a newer
 * one comes is withdrawn (cancelled) and counted as dropped.
 *
 * A plane's buffer_id is 0 when the plane is off. GET_BUFFER_FD turns a
 * buffer_id into a dma-buf; BUFFER_GONE tells when the id is dead.
 * Damage rectangles are in the primary buffer's coordinates, inside its
 * source rectangle; more than MIRACAST_FRAME_MAX_RECTS become their
 * bounding box (MIRACAST_FRAME_DAMAGE_MERGED). A commit that only moves
 * the cursor has rect_count 0.
 */
#define MIRACAST_EVENT_FRAME		5
#define MIRACAST_EVENT_BUFFER_GONE	6

#define MIRACAST_FRAME_MAX_RECTS	16
#define MIRACAST_FRAME_DAMAGE_MERGED	0x00000001U
#define MIRACAST_FRAME_CURSOR_CHANGED	0x00000002U

struct miracast_rect {
	__s32 x1, y1;			/* top left, included */
	__s32 x2, y2;			/* bottom right, excluded */
};

struct miracast_frame_plane {
	__u64 buffer_id;		/* 0: the plane shows nothing */
	__u64 modifier;			/* DRM_FORMAT_MOD_LINEAR */
	__u32 format;			/* DRM_FORMAT_* fourcc */
	__u32 width, height;		/* of the buffer, in pixels */
	__u32 pitch, offset;		/* bytes */
	__s32 crtc_x, crtc_y;		/* where the source lands on the display */
	__u32 src_x, src_y;		/* the buffer's pixels shown, */
	__u32 src_w, src_h;		/* starting at src_x, src_y */
	__u32 reserved;
};

struct miracast_event_frame {
	struct miracast_event hdr;
	__u64 frame;			/* frame number, 1 on: chunk ids' 40 bits */
	__u64 vblank_ns;		/* CLOCK_MONOTONIC time of the vblank ... */
	__u64 vblank_seq;		/* ... and its sequence, as flip events have */
	struct miracast_frame_plane primary;
	struct miracast_frame_plane cursor;
	__u32 flags;			/* MIRACAST_FRAME_* */
	__u32 rect_count;		/* struct miracast_rect that follow */
};

/* The damaged rectangles after a FRAME (no flexible member: C++ has none). */
#define MIRACAST_FRAME_RECTS(ev) \
	((struct miracast_rect *)((struct miracast_event_frame *)(ev) + 1))

/* BUFFER_GONE: the buffer's framebuffer is destroyed; its id is dead. */
struct miracast_event_buffer_gone {
	struct miracast_event hdr;
	__u64 buffer_id;
};

/*
 * GET_BUFFER_FD: a read-only dma-buf of a buffer a FRAME has named. Every
 * call returns a new fd of the same dma-buf; the daemon maps it once and
 * keeps it until BUFFER_GONE (or until its context ends: the next context
 * is told of every buffer anew). flags: O_CLOEXEC or 0.
 */
struct miracast_buffer_fd {
	__u64 buffer_id;
	__u32 flags;
	__s32 fd;			/* out */
	__u64 size;			/* out: of the dma-buf, in bytes */
	__u32 reserved[4];
};

/*
 * GET_CHUNKS: the kernel's chunk records (FRAME_START, FRAME_DROPPED), as
 * Windows' GetNextChunkData: up to count records at chunks_ptr, oldest
 * first. Waits up to timeout_ms for the first one (0: never waits).
 * Errors: ETIMEDOUT when none came; ECONNRESET once after records were
 * lost to overflow (the queue holds max_chunks; the daemon should send an
 * IDR), then only newer records are returned.
 */
struct miracast_get_chunks {
	__u64 chunks_ptr;		/* struct miracast_chunk_report[count] */
	__u32 count;
	__u32 returned;			/* out */
	__u32 timeout_ms;
	__u32 remaining;		/* out: records still queued */
	__u32 entry_size;		/* sizeof(struct miracast_chunk_report) */
	__u32 reserved;
};

/* GET_STATE's output */
#define MIRACAST_CONTEXT_CREATED	1
#define MIRACAST_CONTEXT_STARTED	2
#define MIRACAST_CONTEXT_STOPPED	3

struct miracast_state {
	__u32 context_state;		/* MIRACAST_CONTEXT_* */
	__u32 monitor_connected;
	__u32 outstanding;		/* accepted, callback not run yet */
	__u32 held;			/* waiting for START_SESSION */
	__u32 readable;			/* queued for read() */
	__u32 reserved[3];
};

/*
 * REPORT_CHUNK: the daemon's stages of a frame, as Windows' chunk records;
 * GET_CHUNKS returns the kernel's, in the same structure.
 * id = frame number (40 bits) << 24 | part (24 bits, the last part is 0).
 */
#define MIRACAST_CHUNK_COLOR_CONVERT_COMPLETE	1
#define MIRACAST_CHUNK_ENCODE_COMPLETE		2
#define MIRACAST_CHUNK_FRAME_START		3	/* kernel only */
#define MIRACAST_CHUNK_FRAME_DROPPED		4	/* kernel only */
#define MIRACAST_CHUNK_SENT			5

#define MIRACAST_CHUNK_ID(frame, part) \
	((((__u64)(frame) & 0xffffffffffULL) << 24) | ((__u64)(part) & 0xffffffU))
#define MIRACAST_CHUNK_FRAME(id)	((id) >> 24)
#define MIRACAST_CHUNK_PART(id)		((id) & 0xffffffU)

struct miracast_chunk_report {
	__u64 chunk_id;
	__u32 type;			/* MIRACAST_CHUNK_* from the daemon */
	__u32 processing_time_us;
	__u32 encode_rate_kbps;
	__u32 reserved;
};

/* REPORT_STATUS: a session error; the kernel stops the session */
#define MIRACAST_SESSION_CRITICAL_ERROR			0
#define MIRACAST_SESSION_MISSING_KEEPALIVE		1
#define MIRACAST_SESSION_SINK_DISCONNECT_REQUEST	2
#define MIRACAST_SESSION_INSUFFICIENT_BANDWIDTH		3
#define MIRACAST_SESSION_SINK_FAILED_MODE_CHANGE	4
#define MIRACAST_SESSION_COMPANION_DRIVER_DISCONNECT	5

struct miracast_session_status {
	__u32 reason;			/* MIRACAST_SESSION_* */
	__u32 status;			/* NTSTATUS, for the log */
	__u32 reserved[2];
};

#define MIRACAST_IOC_MAGIC	0xB8

#define MIRACAST_IOC_QUERY_CAPS \
	_IOR(MIRACAST_IOC_MAGIC, 0x00, struct miracast_caps)
#define MIRACAST_IOC_CREATE_CONTEXT \
	_IOWR(MIRACAST_IOC_MAGIC, 0x01, struct miracast_create_context)
#define MIRACAST_IOC_START_SESSION \
	_IOW(MIRACAST_IOC_MAGIC, 0x02, struct miracast_start_session)
#define MIRACAST_IOC_STOP_SESSION \
	_IO(MIRACAST_IOC_MAGIC, 0x03)
#define MIRACAST_IOC_DESTROY_CONTEXT \
	_IO(MIRACAST_IOC_MAGIC, 0x04)
#define MIRACAST_IOC_IO_CONTROL \
	_IOWR(MIRACAST_IOC_MAGIC, 0x05, struct miracast_io_control)
#define MIRACAST_IOC_COMPLETE \
	_IOWR(MIRACAST_IOC_MAGIC, 0x06, struct miracast_completion)
#define MIRACAST_IOC_COMPLETE_BATCH \
	_IOWR(MIRACAST_IOC_MAGIC, 0x07, struct miracast_complete_batch)
#define MIRACAST_IOC_REPORT_CHUNK \
	_IOW(MIRACAST_IOC_MAGIC, 0x08, struct miracast_chunk_report)
#define MIRACAST_IOC_REPORT_STATUS \
	_IOW(MIRACAST_IOC_MAGIC, 0x09, struct miracast_session_status)
#define MIRACAST_IOC_GET_BUFFER_FD \
	_IOWR(MIRACAST_IOC_MAGIC, 0x0a, struct miracast_buffer_fd)
#define MIRACAST_IOC_GET_CHUNKS \
	_IOWR(MIRACAST_IOC_MAGIC, 0x0b, struct miracast_get_chunks)

#endif /* _UAPI_MIRACAST_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The UAPI header has one layout everywhere: this file compiles only if
 * every structure has the sizes and offsets below. It is built as C and as
 * C++, for 64-bit and for 32-bit x86 (where __u64 is 4-byte aligned, so a
 * missing explicit padding would show).
 */
#include <stddef.h>

#include "miracast.h"

#ifndef __cplusplus
#include <assert.h>
#endif

#define SIZE(type, n)	static_assert(sizeof(struct type) == (n), "size of " #type)
#define AT(type, field, n) \
	static_assert(offsetof(struct type, field) == (n), "offset of " #type "." #field)

SIZE(miracast_caps, 64);
AT(miracast_caps, max_chunk_private_data_size, 24);
AT(miracast_caps, max_chunks, 28);
AT(miracast_caps, reserved, 32);

SIZE(miracast_create_context, 32);
AT(miracast_create_context, drm_minor, 8);

SIZE(miracast_start_session, 48);
AT(miracast_start_session, remote_max_bitrate, 16);
AT(miracast_start_session, session_info, 24);

SIZE(miracast_msg_header, 24);
AT(miracast_msg_header, in_size, 8);
AT(miracast_msg_header, reserved, 20);

SIZE(miracast_completion, 32);
AT(miracast_completion, out_ptr, 8);
AT(miracast_completion, out_size, 16);
AT(miracast_completion, status, 20);
AT(miracast_completion, result, 24);

SIZE(miracast_complete_batch, 24);
AT(miracast_complete_batch, count, 8);
AT(miracast_complete_batch, entry_size, 16);

SIZE(miracast_io_control, 48);
AT(miracast_io_control, in_ptr, 8);
AT(miracast_io_control, out_ptr, 16);
AT(miracast_io_control, in_size, 24);
AT(miracast_io_control, bytes_returned, 32);

SIZE(miracast_mode, 28);
AT(miracast_mode, hdisplay, 4);
AT(miracast_mode, vtotal, 18);
AT(miracast_mode, flags, 20);

SIZE(miracast_monitor, 32);
AT(miracast_monitor, mode_count, 12);
AT(miracast_monitor, reserved, 24);

SIZE(miracast_event, 8);
SIZE(miracast_event_mode, 40);
AT(miracast_event_mode, mode, 8);

SIZE(miracast_rect, 16);
SIZE(miracast_frame_plane, 64);
AT(miracast_frame_plane, modifier, 8);
AT(miracast_frame_plane, format, 16);
AT(miracast_frame_plane, pitch, 28);
AT(miracast_frame_plane, crtc_x, 36);
AT(miracast_frame_plane, src_w, 52);
AT(miracast_frame_plane, reserved, 60);
SIZE(miracast_event_frame, 168);
AT(miracast_event_frame, frame, 8);
AT(miracast_event_frame, vblank_ns, 16);
AT(miracast_event_frame, vblank_seq, 24);
AT(miracast_event_frame, primary, 32);
AT(miracast_event_frame, cursor, 96);
AT(miracast_event_frame, flags, 160);
AT(miracast_event_frame, rect_count, 164);
SIZE(miracast_event_buffer_gone, 16);
AT(miracast_event_buffer_gone, buffer_id, 8);

SIZE(miracast_buffer_fd, 40);
AT(miracast_buffer_fd, flags, 8);
AT(miracast_buffer_fd, fd, 12);
AT(miracast_buffer_fd, size, 16);
AT(miracast_buffer_fd, reserved, 24);

SIZE(miracast_get_chunks, 32);
AT(miracast_get_chunks, count, 8);
AT(miracast_get_chunks, returned, 12);
AT(miracast_get_chunks, timeout_ms, 16);
AT(miracast_get_chunks, remaining, 20);
AT(miracast_get_chunks, entry_size, 24);

SIZE(miracast_state, 32);
SIZE(miracast_chunk_report, 24);
AT(miracast_chunk_report, type, 8);
SIZE(miracast_session_status, 16);

static_assert(MIRACAST_MSG_SIZE(0) == 24 && MIRACAST_MSG_SIZE(1) == 32 &&
	      MIRACAST_MSG_SIZE(8) == 32 && MIRACAST_MSG_SIZE(9) == 40, "message size");
static_assert(MIRACAST_CHUNK_ID(0xffffffffffULL, 0xffffff) == ~0ULL, "chunk id");
static_assert(MIRACAST_NT_SUCCESS(MIRACAST_STATUS_PENDING) &&
	      !MIRACAST_NT_SUCCESS(MIRACAST_STATUS_CANCELLED), "NT_SUCCESS");

int main(void)
{
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * text/parameters bodies that the unit tests and the fuzzers share, as
 * string literals: alone, or concatenated into a whole RTSP message.
 */
#ifndef WFD_BODIES_H
#define WFD_BODIES_H

/* Section 3.3's M3 reply: a typical 1080p TV (365 bytes, CRLF lines). */
#define WFD_M3_REPLY_1080P_TV							\
	"wfd_video_formats: 00 00 02 10 0001FFFF 1FFFFFFF 00000FFF 00 0000 0000 10 none none\r\n" \
	"wfd_audio_codecs: LPCM 00000002 00, AAC 00000001 00\r\n"		\
	"wfd_client_rtp_ports: RTP/AVP/UDP;unicast 19000 0 mode=play\r\n"	\
	"wfd_content_protection: none\r\n"					\
	"wfd_display_edid: none\r\n"						\
	"wfd_coupled_sink: none\r\n"						\
	"wfd_uibc_capability: none\r\n"						\
	"wfd_standby_resume_capability: none\r\n"				\
	"wfd_connector_type: 05\r\n"

#endif

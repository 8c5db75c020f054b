/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * miracastd's control socket (docs/control.md): a unix stream socket; a
 * client sends one request, a line of words, and reads the reply, a
 * GKeyFile, until the daemon closes the connection. A reply with an
 * [error] group carries the failure's message.
 */
#ifndef MC_CONTROL_H
#define MC_CONTROL_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define MC_CONTROL_SOCKET	"/run/miracastd.sock"
#define MC_CONTROL_MAX_REQUEST	256	/* bytes, the newline included */

typedef struct _McControl McControl;

/*
 * Answers the request argv (split at blanks, at least one word) of a
 * client running as uid: fills reply, or sets error.
 */
typedef gboolean (*McControlHandler)(char **argv, guint uid, GKeyFile *reply, gpointer data,
				     GError **error);

/*
 * Listens on path (replacing a socket nobody listens on; failing if a
 * daemon does) from the thread-default main context. Anyone may connect:
 * the handler decides from the uid what a client may do.
 */
McControl *mc_control_listen(const char *path, McControlHandler handler, gpointer data,
			     GError **error);
/*
 * A reply that comes later. Inside the handler only: mc_control_defer()
 * takes the request's reply over; the handler returns TRUE (its reply is
 * ignored) and mc_control_call_finish() answers once the outcome is
 * known, with reply or error. Every deferred call must be finished before
 * mc_control_free().
 */
typedef struct _McControlCall McControlCall;

McControlCall *mc_control_defer(McControl *control);
void mc_control_call_finish(McControlCall *call, GKeyFile *reply, const GError *error);

/* Stops listening and removes the socket. */
void mc_control_free(McControl *control);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McControl, mc_control_free)

/*
 * Sends request to the daemon at path and returns its reply; NULL with
 * error set when nobody listens there ("miracastd is not running"), on a
 * broken reply, or with the daemon's [error] message.
 */
GKeyFile *mc_control_request(const char *path, const char *request, GError **error);
/* The same, waiting up to timeout_s for the reply (a deferred one). */
GKeyFile *mc_control_request_wait(const char *path, const char *request, guint timeout_s,
				  GError **error);

G_END_DECLS

#endif /* MC_CONTROL_H */

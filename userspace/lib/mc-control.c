// SPDX-License-Identifier: GPL-2.0-only
/*
 * miracastd's control socket (mc-control.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "mc-control.h"

/* How long a client may take to send its request, or read the reply. */
#define CLIENT_TIMEOUT_S	5
/* The largest reply a client takes. */
#define MAX_REPLY		(1 << 20)

struct _McControl {
	GSocketService *service;
	GCancellable *cancel;	/* cancelled when the control goes */
	char *path;
	McControlHandler handler;
	gpointer data;
	struct _McControlCall *current;	/* the client being answered */
};

/* One connection: its request as it comes, then the reply going out. */
typedef struct _McControlCall {
	McControl *control;	/* valid while cancel is not cancelled */
	GCancellable *cancel;
	GSocketConnection *conn;
	guint uid;
	char request[MC_CONTROL_MAX_REQUEST];
	gsize len;
	gboolean overlong;	/* the rest is read and dropped after the reply */
	gboolean deferred;	/* mc_control_defer(): answered later */
	char *reply;
} Client;

static void client_free(Client *c)
{
	g_object_unref(c->cancel);
	g_object_unref(c->conn);
	g_free(c->reply);
	g_free(c);
}

static void on_closed(GObject *stream, GAsyncResult *res, gpointer data)
{
	g_io_stream_close_finish(G_IO_STREAM(stream), res, NULL);
	client_free(data);
}

static void close_client(Client *c)
{
	g_io_stream_close_async(G_IO_STREAM(c->conn), G_PRIORITY_DEFAULT, NULL, on_closed, c);
}

static void drain(Client *c);

static void on_drained(GObject *stream, GAsyncResult *res, gpointer data)
{
	if (g_input_stream_read_finish(G_INPUT_STREAM(stream), res, NULL) > 0)
		drain(data);
	else
		close_client(data);
}

/*
 * What is left of an overlong request: closing a unix socket with unread
 * data resets the connection, and the client would not see the reply.
 */
static void drain(Client *c)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(c->conn)),
				  c->request, sizeof(c->request), G_PRIORITY_DEFAULT, c->cancel,
				  on_drained, c);
}

static void on_written(GObject *stream, GAsyncResult *res, gpointer data)
{
	Client *c = data;

	if (g_output_stream_write_all_finish(G_OUTPUT_STREAM(stream), res, NULL, NULL) &&
	    c->overlong &&
	    g_socket_shutdown(g_socket_connection_get_socket(c->conn), FALSE, TRUE, NULL))
		drain(c);
	else
		close_client(c);
}

/* The reply to the request in c->request (len bytes, no newline). */
static GKeyFile *answer(Client *c, GError **error)
{
	g_autoptr(GKeyFile) reply = g_key_file_new();
	g_auto(GStrv) words = NULL;
	GStrvBuilder *b = g_strv_builder_new();
	guint i;

	if (memchr(c->request, 0, c->len) || !g_utf8_validate(c->request, c->len, NULL)) {
		g_strv_builder_unref(b);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "the request is not text");
		return NULL;
	}
	c->request[c->len] = 0;
	words = g_strsplit_set(c->request, " \t\r", -1);
	for (i = 0; words[i]; i++)
		if (*words[i])
			g_strv_builder_add(b, words[i]);
	g_strfreev(words);
	words = g_strv_builder_end(b);
	g_strv_builder_unref(b);
	if (!words[0]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "empty request");
		return NULL;
	}
	c->control->current = c;
	if (!c->control->handler(words, c->uid, reply, c->control->data, error))
		g_clear_pointer(&reply, g_key_file_unref);
	c->control->current = NULL;
	return g_steal_pointer(&reply);
}

static void send_reply(Client *c, GKeyFile *kf, const GError *failure)
{
	g_autoptr(GKeyFile) error_kf = NULL;
	gsize len;

	if (!kf) {
		kf = error_kf = g_key_file_new();
		g_key_file_set_string(kf, "error", "message", failure->message);
	}
	c->reply = g_key_file_to_data(kf, &len, NULL);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(c->conn)),
					c->reply, len, G_PRIORITY_DEFAULT, c->cancel,
					on_written, c);
}

static void reply(Client *c, GError *failure)
{
	g_autoptr(GKeyFile) kf = NULL;
	g_autoptr(GError) error = NULL;

	if (!failure)
		kf = answer(c, &error);
	if (c->deferred)
		return;
	send_reply(c, kf, failure ? failure : error);
}

McControlCall *mc_control_defer(McControl *control)
{
	g_return_val_if_fail(control->current, NULL);
	control->current->deferred = TRUE;
	return control->current;
}

void mc_control_call_finish(McControlCall *call, GKeyFile *reply, const GError *error)
{
	send_reply(call, reply, error);
}

static void read_more(Client *c);

static void on_read(GObject *stream, GAsyncResult *res, gpointer data)
{
	Client *c = data;
	g_autoptr(GError) error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(stream), res, &error);
	char *nl;

	if (n < 0) {	/* gone, too slow, or the daemon stops: no reply */
		close_client(c);
		return;
	}
	nl = memchr(c->request + c->len, '\n', n);
	c->len += n;
	if (nl) {
		c->len = nl - c->request;
		reply(c, NULL);
	} else if (n == 0) {	/* the request without its newline */
		reply(c, NULL);
	} else if (c->len == sizeof(c->request) - 1) {
		error = g_error_new(G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "request longer than %u bytes",
				    MC_CONTROL_MAX_REQUEST - 1);
		c->overlong = TRUE;
		reply(c, error);
	} else {
		read_more(c);
	}
}

static void read_more(Client *c)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(c->conn)),
				  c->request + c->len, sizeof(c->request) - 1 - c->len,
				  G_PRIORITY_DEFAULT, c->cancel, on_read, c);
}

static gboolean on_incoming(GSocketService *service G_GNUC_UNUSED, GSocketConnection *conn,
			    GObject *source G_GNUC_UNUSED, gpointer data)
{
	McControl *control = data;
	GSocket *sock = g_socket_connection_get_socket(conn);
	g_autoptr(GCredentials) cred = g_socket_get_credentials(sock, NULL);
	Client *c;

	if (!cred || g_credentials_get_unix_user(cred, NULL) == (uid_t)-1)
		return TRUE;	/* nobody to answer */
	c = g_new0(Client, 1);
	c->control = control;
	c->cancel = g_object_ref(control->cancel);
	c->conn = g_object_ref(conn);
	c->uid = g_credentials_get_unix_user(cred, NULL);
	g_socket_set_timeout(sock, CLIENT_TIMEOUT_S);
	read_more(c);
	return TRUE;
}

static GSocketConnection *connect_to(const char *path, guint timeout_s, GError **error)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);

	g_socket_client_set_timeout(client, timeout_s);
	g_socket_client_set_enable_proxy(client, FALSE);
	return g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, error);
}

McControl *mc_control_listen(const char *path, McControlHandler handler, gpointer data,
			     GError **error)
{
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(McControl) control = NULL;
	GSocketConnection *other;

	if (g_file_test(path, G_FILE_TEST_EXISTS)) {
		other = connect_to(path, CLIENT_TIMEOUT_S, NULL);
		if (other) {
			g_object_unref(other);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "%s: another miracastd listens there", path);
			return NULL;
		}
		unlink(path);	/* left by a daemon that died */
	}
	control = g_new0(McControl, 1);
	control->service = g_socket_service_new();
	control->cancel = g_cancellable_new();
	control->handler = handler;
	control->data = data;
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(control->service), addr,
					   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
					   NULL, NULL, error)) {
		g_prefix_error(error, "control socket %s: ", path);
		return NULL;
	}
	control->path = g_strdup(path);
	/* who may do what is the handler's to say */
	if (chmod(path, 0666) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "control socket %s: %s", path, g_strerror(errno));
		return NULL;
	}
	g_signal_connect(control->service, "incoming", G_CALLBACK(on_incoming), control);
	g_socket_service_start(control->service);
	return g_steal_pointer(&control);
}

void mc_control_free(McControl *control)
{
	if (!control)
		return;
	if (control->service) {
		g_socket_service_stop(control->service);
		g_socket_listener_close(G_SOCKET_LISTENER(control->service));
		g_object_unref(control->service);
	}
	g_cancellable_cancel(control->cancel);
	g_object_unref(control->cancel);
	if (control->path)
		unlink(control->path);
	g_free(control->path);
	g_free(control);
}

GKeyFile *mc_control_request(const char *path, const char *request, GError **error)
{
	return mc_control_request_wait(path, request, CLIENT_TIMEOUT_S, error);
}

GKeyFile *mc_control_request_wait(const char *path, const char *request, guint timeout_s,
				  GError **error)
{
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GByteArray) data = g_byte_array_new();
	g_autofree char *line = g_strconcat(request, "\n", NULL);
	g_autofree char *message = NULL;
	g_autoptr(GError) err = NULL;
	GInputStream *in;
	char buf[4096];
	gssize n;

	if (strlen(line) > MC_CONTROL_MAX_REQUEST || strchr(request, '\n')) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "a request is one line of at most %u bytes",
			    MC_CONTROL_MAX_REQUEST - 1);
		return NULL;
	}
	conn = connect_to(path, timeout_s, &err);
	if (!conn) {
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
		    g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "miracastd is not running (nothing listens on %s)", path);
		else
			g_set_error(error, err->domain, err->code, "%s: %s", path, err->message);
		return NULL;
	}
	if (!g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), line,
				       strlen(line), NULL, NULL, error))
		return NULL;
	in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	while ((n = g_input_stream_read(in, buf, sizeof(buf), NULL, error)) > 0) {
		if (data->len + n > MAX_REPLY) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "miracastd's reply is longer than %u bytes", MAX_REPLY);
			return NULL;
		}
		g_byte_array_append(data, (const guint8 *)buf, n);
	}
	if (n < 0)
		return NULL;
	if (!g_key_file_load_from_data(kf, (const char *)data->data, data->len,
				       G_KEY_FILE_NONE, &err)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "miracastd's reply is broken: %s", err->message);
		return NULL;
	}
	message = g_key_file_get_string(kf, "error", "message", NULL);
	if (message) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "miracastd: %s", message);
		return NULL;
	}
	return g_steal_pointer(&kf);
}

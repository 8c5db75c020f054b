// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of miracastd's control socket (mc-control.h) and of
 * miracastctl status against it: requests and replies, the daemon's
 * errors, the caller's uid, a socket left by a dead daemon, a second
 * daemon, overlong requests, and the error when nobody listens.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gio/gunixsocketaddress.h>

#include "mc-control.h"
#include "run-ctl.h"

typedef struct {
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	char *path;
	GMutex lock;
	GCond cond;
	gboolean ready;
	GError *error;		/* of listening */
} Server;

static gboolean handler(char **argv, guint uid, GKeyFile *reply, gpointer data G_GNUC_UNUSED,
			GError **error)
{
	if (!strcmp(argv[0], "status")) {
		const char * const displays[] = { "miracast0" };
		const char * const sink_modes[] = { "1920x1080@30", "1280x720@30" };

		g_key_file_set_string(reply, "miracastd", "version", "9.9");
		g_key_file_set_string_list(reply, "miracastd", "displays", displays, 1);
		g_key_file_set_string(reply, "miracast0", "device", "/dev/miracast0");
		g_key_file_set_string(reply, "miracast0", "state", "streaming");
		g_key_file_set_string(reply, "miracast0", "sink", "10.0.0.2:5004");
		g_key_file_set_string_list(reply, "miracast0", "sink_modes", sink_modes, 2);
		g_key_file_set_string(reply, "miracast0", "mode", "1280x720@30");
		g_key_file_set_string(reply, "miracast0", "encoder", "x264");
		g_key_file_set_string(reply, "miracast0", "encoder_element", "x264enc");
		g_key_file_set_string(reply, "miracast0", "profile", "constrained-baseline");
		g_key_file_set_string(reply, "miracast0", "level", "3.1");
		g_key_file_set_string(reply, "miracast0", "fps", "29.97");
		g_key_file_set_string(reply, "miracast0", "latency_p50_ms", "12.5");
		g_key_file_set_string(reply, "miracast0", "latency_p99_ms", "40.0");
		g_key_file_set_uint64(reply, "miracast0", "frames_dropped", 3);
		g_key_file_set_uint64(reply, "miracast0", "frames_replaced", 0);
		return TRUE;
	}
	if (!strcmp(argv[0], "echo")) {	/* the words as the daemon got them */
		g_key_file_set_string_list(reply, "echo", "words", (const char * const *)argv,
					   g_strv_length(argv));
		g_key_file_set_uint64(reply, "echo", "uid", uid);
		return TRUE;
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown request \"%s\"",
		    argv[0]);
	return FALSE;
}

static gpointer serve(gpointer data)
{
	Server *s = data;
	McControl *control;

	g_main_context_push_thread_default(s->ctx);
	control = mc_control_listen(s->path, handler, s, &s->error);
	g_mutex_lock(&s->lock);
	s->ready = TRUE;
	g_cond_signal(&s->cond);
	g_mutex_unlock(&s->lock);
	if (control)
		g_main_loop_run(s->loop);
	mc_control_free(control);
	g_main_context_pop_thread_default(s->ctx);
	return NULL;
}

/* A daemon's control socket at path, served from a thread. */
static Server *server_start(const char *path)
{
	Server *s = g_new0(Server, 1);

	s->ctx = g_main_context_new();
	s->loop = g_main_loop_new(s->ctx, FALSE);
	s->path = g_strdup(path);
	g_mutex_init(&s->lock);
	g_cond_init(&s->cond);
	s->thread = g_thread_new("control", serve, s);
	g_mutex_lock(&s->lock);
	while (!s->ready)
		g_cond_wait(&s->cond, &s->lock);
	g_mutex_unlock(&s->lock);
	return s;
}

static gboolean quit_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void server_stop(Server *s)
{
	/* from within the loop: a quit before it runs would be lost */
	GSource *idle = g_idle_source_new();

	g_source_set_callback(idle, quit_loop, s->loop, NULL);
	g_source_attach(idle, s->ctx);
	g_source_unref(idle);
	g_thread_join(s->thread);
	g_main_loop_unref(s->loop);
	g_main_context_unref(s->ctx);
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->cond);
	g_clear_error(&s->error);
	g_free(s->path);
	g_free(s);
}

static char *socket_path(void)
{
	g_autofree char *dir = g_dir_make_tmp("mc-control-XXXXXX", NULL);

	g_assert_nonnull(dir);
	return g_build_filename(dir, "miracastd.sock", NULL);
}

static void remove_socket(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
}

/* Sends text as it is, returns the reply. */
static char *raw_request(const char *path, const char *text)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GError) error = NULL;
	char buf[4096];
	gsize len = 0;
	gssize n;

	conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &error);
	g_assert_no_error(error);
	g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), text,
				  strlen(text), NULL, NULL, &error);
	g_assert_no_error(error);
	while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)),
					buf + len, sizeof(buf) - 1 - len, NULL, &error)) > 0)
		len += n;
	g_assert_no_error(error);
	buf[len] = 0;
	return g_strdup(buf);
}

static void test_not_running(void)
{
	g_autofree char *path = socket_path();
	g_autoptr(GError) error = NULL;
	GKeyFile *kf = mc_control_request(path, "status", &error);

	g_assert_null(kf);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
	g_assert_nonnull(strstr(error->message, "miracastd is not running"));
	g_assert_nonnull(strstr(error->message, path));
	remove_socket(path);
}

static void test_requests(void)
{
	g_autofree char *path = socket_path();
	Server *s = server_start(path);
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = NULL;
	g_auto(GStrv) words = NULL;
	g_autofree char *state = NULL;
	struct stat st;

	g_assert_no_error(s->error);
	/* anyone may connect: the handler decides */
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0666);

	kf = mc_control_request(path, "status", &error);
	g_assert_no_error(error);
	state = g_key_file_get_string(kf, "miracast0", "state", NULL);
	g_assert_cmpstr(state, ==, "streaming");
	g_clear_pointer(&kf, g_key_file_unref);

	/* split at blanks, the caller's uid */
	kf = mc_control_request(path, "  echo\tone  two ", &error);
	g_assert_no_error(error);
	words = g_key_file_get_string_list(kf, "echo", "words", NULL, NULL);
	g_assert_cmpuint(g_strv_length(words), ==, 3);
	g_assert_cmpstr(words[1], ==, "one");
	g_assert_cmpstr(words[2], ==, "two");
	g_assert_cmpuint(g_key_file_get_uint64(kf, "echo", "uid", NULL), ==, getuid());
	g_clear_pointer(&kf, g_key_file_unref);

	/* the daemon's errors reach the caller */
	kf = mc_control_request(path, "frobnicate", &error);
	g_assert_null(kf);
	g_assert_nonnull(strstr(error->message, "unknown request \"frobnicate\""));
	g_clear_error(&error);
	kf = mc_control_request(path, "   ", &error);
	g_assert_null(kf);
	g_assert_nonnull(strstr(error->message, "empty request"));
	g_clear_error(&error);
	{
		g_autofree char *big = g_strnfill(MC_CONTROL_MAX_REQUEST, 'x');

		/* refused before it goes */
		kf = mc_control_request(path, big, &error);
		g_assert_null(kf);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
		g_clear_error(&error);
		/* a client that sends it anyway gets the daemon's error */
		big[MC_CONTROL_MAX_REQUEST - 1] = '\n';
		g_autofree char *r = raw_request(path, big);

		g_assert_nonnull(strstr(r, "[error]\nmessage=request longer than 255 bytes"));
	}
	server_stop(s);
	/* the socket went with the daemon */
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	remove_socket(path);
}

static void test_second_daemon(void)
{
	g_autofree char *path = socket_path();
	Server *s = server_start(path);
	g_autoptr(GError) error = NULL;
	McControl *second = mc_control_listen(path, handler, NULL, &error);

	g_assert_null(second);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
	g_assert_nonnull(strstr(error->message, "another miracastd listens there"));
	server_stop(s);
	remove_socket(path);
}

static void test_stale_socket(void)
{
	g_autofree char *path = socket_path();
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	g_autoptr(GKeyFile) kf = NULL;
	g_autoptr(GError) error = NULL;
	Server *s;
	int fd;

	/* a daemon that died left its socket */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
	close(fd);
	g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

	s = server_start(path);
	g_assert_no_error(s->error);
	kf = mc_control_request(path, "status", &error);
	g_assert_no_error(error);
	server_stop(s);
	remove_socket(path);
}

static void test_ctl_status(void)
{
	g_autofree char *path = socket_path();
	g_autofree char *out = NULL, *err = NULL;
	Server *s;

	/* nobody listens: a clear error, exit status 1 */
	g_assert_cmpint(run_ctl(&out, &err, "--control-socket", path, "status", NULL), ==, 1);
	g_assert_cmpstr(out, ==, "");
	g_assert_nonnull(strstr(err, "miracastd is not running"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	s = server_start(path);
	g_assert_cmpint(run_ctl(&out, &err, "--control-socket", path, "status", NULL), ==, 0);
	g_assert_cmpstr(err, ==, "");
	g_assert_nonnull(strstr(out, "miracast0 (/dev/miracast0): streaming, to 10.0.0.2:5004\n"));
	g_assert_nonnull(strstr(out, "  mode 1280x720@30 (sink 1920x1080@30, 1280x720@30)\n"));
	g_assert_nonnull(strstr(out, "  encoder x264 (x264enc), constrained-baseline level 3.1"));
	g_assert_nonnull(strstr(out, "  latency p50 12.5 ms, p99 40.0 ms"));
	/* what the daemon did not say shows as such */
	g_assert_nonnull(strstr(out, "  frames: ? sent, 3 dropped, ? repeated, 0 replaced\n"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(run_ctl(&out, &err, "--control-socket", path, "status", "extra", NULL), ==,
			2);
	server_stop(s);
	remove_socket(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/control/not-running", test_not_running);
	g_test_add_func("/control/requests", test_requests);
	g_test_add_func("/control/second-daemon", test_second_daemon);
	g_test_add_func("/control/stale-socket", test_stale_socket);
	g_test_add_func("/control/miracastctl-status", test_ctl_status);
	return g_test_run();
}

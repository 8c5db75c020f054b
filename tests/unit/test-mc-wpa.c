// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the wpa_supplicant client (mc-wpa.h): against a fake
 * supplicant in the test, on unix datagram sockets in a temporary directory
 * (it answers, records the commands, sends events to the attached, holds
 * its replies, stops answering, goes and comes back, reopens its socket,
 * terminates), and against the real wpa_supplicant on the wired driver
 * over lo.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "mc-wpa.h"

/* The client's timeouts in these tests (mc_wpa_set_timeouts()). */
#define REQUEST_MS	600
#define RETRY_MS	20
#define PING_MS		100
/* The longest wait for anything. */
#define WAIT_US		(5 * G_USEC_PER_SEC)

/* STATUS's reply, its last newline removed */
#define STATUS		"wpa_state=DISCONNECTED\naddress=02:00:00:00:00:01"

static gboolean nop(gpointer data G_GNUC_UNUSED)
{
	return G_SOURCE_CONTINUE;
}

static void iterate(void)
{
	GSource *wake = g_timeout_source_new(5);

	g_source_set_callback(wake, nop, NULL, NULL);
	g_source_attach(wake, NULL);
	g_main_context_iteration(NULL, TRUE);
	g_source_destroy(wake);
	g_source_unref(wake);
}

/* Runs the main context for ms. */
static void spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;

	while (g_get_monotonic_time() < end)
		iterate();
}

#define WAIT_UNTIL(cond)							\
	do {									\
		gint64 end_ = g_get_monotonic_time() + WAIT_US;			\
										\
		while (!(cond)) {						\
			if (g_get_monotonic_time() > end_)			\
				g_error("%s:%d: no %s", __FILE__, __LINE__, #cond); \
			iterate();						\
		}								\
	} while (0)

/* ---- The fake supplicant ---- */

typedef struct {
	struct sockaddr_un addr;
	socklen_t len;
} Peer;

typedef struct {
	Peer to;
	char *reply;
} Held;

typedef struct {
	char *path;
	char *ifname;		/* IFNAME's reply; NULL: a global socket */
	int fd;
	GSource *source;
	GPtrArray *commands;	/* every datagram received */
	GArray *monitors;	/* of Peer: the ATTACHed */
	gboolean mute;		/* records, answers nothing */
	gboolean hold;		/* keeps its replies, but to PING, ATTACH and DETACH */
	GArray *held;		/* of Held */
	guint events;		/* TEST-EVENTs sent */
} Fake;

static gboolean same_peer(const Peer *a, const Peer *b)
{
	return a->len == b->len && !memcmp(&a->addr, &b->addr, a->len);
}

/* Sends line to every monitor; like the supplicant, drops those that cannot receive. */
static void fake_event(Fake *f, const char *line)
{
	guint i = 0;

	while (i < f->monitors->len) {
		Peer *p = &g_array_index(f->monitors, Peer, i);

		if (sendto(f->fd, line, strlen(line), MSG_DONTWAIT, (struct sockaddr *)&p->addr,
			   p->len) < 0 && (errno == ENOENT || errno == EPERM ||
					   errno == ECONNREFUSED))
			g_array_remove_index(f->monitors, i);
		else
			i++;
	}
}

static char *fake_answer(Fake *f, const char *cmd, const Peer *from)
{
	guint i;

	/* the global socket's way to an interface: here, all of them are one */
	if (g_str_has_prefix(cmd, "IFNAME=") && strchr(cmd, ' '))
		cmd = strchr(cmd, ' ') + 1;
	if (!strcmp(cmd, "PING"))
		return g_strdup("PONG\n");
	if (!strcmp(cmd, "ATTACH")) {
		g_array_append_val(f->monitors, *from);
		return g_strdup("OK\n");
	}
	if (!strcmp(cmd, "DETACH")) {
		for (i = 0; i < f->monitors->len; i++) {
			if (same_peer(&g_array_index(f->monitors, Peer, i), from)) {
				g_array_remove_index(f->monitors, i);
				return g_strdup("OK\n");
			}
		}
		return g_strdup("FAIL\n");
	}
	if (!strcmp(cmd, "IFNAME"))
		return f->ifname ? g_strdup_printf("%s\n", f->ifname) :
				   g_strdup("UNKNOWN COMMAND\n");
	if (g_str_has_prefix(cmd, "ECHO "))
		return g_strdup_printf("%s\n", cmd + 5);
	if (g_str_has_prefix(cmd, "EVENTS ")) {
		for (i = atoi(cmd + 7); i; i--) {
			g_autofree char *line = g_strdup_printf("<3>TEST-EVENT %u", f->events++);

			fake_event(f, line);
		}
		return g_strdup("OK\n");
	}
	if (!strcmp(cmd, "STATUS"))
		return g_strdup(STATUS "\n");
	if (!strcmp(cmd, "FAIL"))
		return g_strdup("FAIL\n");
	if (g_str_has_prefix(cmd, "BUSY"))
		return g_strdup("FAIL-BUSY\n");
	if (g_str_has_prefix(cmd, "BIG ")) {
		/* atoi(...) - 1 'x', and a newline */
		char *reply = g_strnfill(atoi(cmd + 4), 'x');

		reply[strlen(reply) - 1] = '\n';
		return reply;
	}
	return g_strdup("UNKNOWN COMMAND\n");
}

static void fake_send(Fake *f, const Peer *to, const char *reply)
{
	/* to a client gone, it fails: so it does for the supplicant */
	(void)sendto(f->fd, reply, strlen(reply), MSG_DONTWAIT, (struct sockaddr *)&to->addr,
		     to->len);
}

static gboolean fake_in(int fd, GIOCondition cond G_GNUC_UNUSED, gpointer data)
{
	Fake *f = data;
	Peer from = { .len = sizeof(from.addr) };
	char buf[8192];
	char *reply;
	gssize n;

	n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from.addr, &from.len);
	if (n < 0)
		return G_SOURCE_CONTINUE;
	buf[n] = '\0';
	g_ptr_array_add(f->commands, g_strdup(buf));
	if (f->mute)
		return G_SOURCE_CONTINUE;
	reply = fake_answer(f, buf, &from);
	if (f->hold && strcmp(buf, "PING") && strcmp(buf, "ATTACH") && strcmp(buf, "DETACH")) {
		Held h = { from, reply };

		g_array_append_val(f->held, h);
		return G_SOURCE_CONTINUE;
	}
	fake_send(f, &from, reply);
	g_free(reply);
	return G_SOURCE_CONTINUE;
}

static void fake_open(Fake *f)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	g_assert_cmpuint(strlen(f->path), <, sizeof(addr.sun_path));
	strcpy(addr.sun_path, f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	g_assert_cmpint(f->fd, >=, 0);
	g_assert_cmpint(bind(f->fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	f->source = g_unix_fd_source_new(f->fd, G_IO_IN);
	g_source_set_callback(f->source, G_SOURCE_FUNC(fake_in), f, NULL);
	g_source_attach(f->source, NULL);
}

/* The supplicant goes: its socket is closed and removed. */
static void fake_close(Fake *f)
{
	if (f->fd < 0)
		return;
	g_source_destroy(f->source);
	g_clear_pointer(&f->source, g_source_unref);
	close(f->fd);
	f->fd = -1;
	g_unlink(f->path);
}

/* A supplicant at path; ifname NULL: its global socket. */
static Fake *fake_new(const char *path, const char *ifname)
{
	Fake *f = g_new0(Fake, 1);

	f->path = g_strdup(path);
	f->ifname = g_strdup(ifname);
	f->commands = g_ptr_array_new_with_free_func(g_free);
	f->monitors = g_array_new(FALSE, FALSE, sizeof(Peer));
	f->held = g_array_new(FALSE, FALSE, sizeof(Held));
	fake_open(f);
	return f;
}

/* Sends the replies held. */
static void fake_release(Fake *f)
{
	guint i;

	for (i = 0; i < f->held->len; i++) {
		Held *h = &g_array_index(f->held, Held, i);

		fake_send(f, &h->to, h->reply);
		g_free(h->reply);
	}
	g_array_set_size(f->held, 0);
}

/* Drops the replies held. */
static void fake_drop_held(Fake *f)
{
	guint i;

	for (i = 0; i < f->held->len; i++)
		g_free(g_array_index(f->held, Held, i).reply);
	g_array_set_size(f->held, 0);
	f->hold = FALSE;
}

/* As the supplicant after a send failed with EAGAIN: a new socket at the path, monitors kept. */
static void fake_reopen(Fake *f)
{
	fake_close(f);
	fake_open(f);
}

/* The supplicant exits: its socket and its monitors are gone. */
static void fake_exit(Fake *f)
{
	fake_close(f);
	g_array_set_size(f->monitors, 0);
}

static void fake_terminate(Fake *f)
{
	fake_event(f, "<3>CTRL-EVENT-TERMINATING ");
	fake_exit(f);
}

static void fake_free(Fake *f)
{
	f->hold = FALSE;
	fake_release(f);
	fake_close(f);
	g_free(f->path);
	g_free(f->ifname);
	g_ptr_array_unref(f->commands);
	g_array_unref(f->monitors);
	g_array_unref(f->held);
	g_free(f);
}

static guint fake_count(Fake *f, const char *command)
{
	guint i, n = 0;

	for (i = 0; i < f->commands->len; i++)
		n += !strcmp(f->commands->pdata[i], command);
	return n;
}

/* The commands but those the client sends of itself. */
static GPtrArray *fake_user_commands(Fake *f)
{
	static const char * const own[] = { "PING", "ATTACH", "DETACH", "IFNAME", NULL };
	GPtrArray *user = g_ptr_array_new();
	guint i;

	for (i = 0; i < f->commands->len; i++)
		if (!g_strv_contains(own, f->commands->pdata[i]))
			g_ptr_array_add(user, f->commands->pdata[i]);
	return user;
}

/* ---- The client under test ---- */

typedef struct {
	char *dir;		/* temporary */
	char *ctrl;		/* dir/ctrl: the supplicant's */
	char *clients;		/* dir/clients: the client's sockets */
} Env;

static void env_init(Env *e)
{
	GError *error = NULL;

	e->dir = g_dir_make_tmp("test-mc-wpa-XXXXXX", &error);
	g_assert_no_error(error);
	e->ctrl = g_build_filename(e->dir, "ctrl", NULL);
	e->clients = g_build_filename(e->dir, "clients", NULL);
	g_assert_cmpint(g_mkdir(e->clients, 0700), ==, 0);
}

static char *env_path(Env *e, const char *name)
{
	g_mkdir(e->ctrl, 0700);
	return g_build_filename(e->ctrl, name, NULL);
}

static guint count_clients(Env *e)
{
	GDir *dir = g_dir_open(e->clients, 0, NULL);
	const char *name;
	guint n = 0;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir))) {
		g_assert_true(g_str_has_prefix(name, "mc_wpa_"));
		n++;
	}
	g_dir_close(dir);
	return n;
}

static void remove_tree(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *sub = g_build_filename(path, name, NULL);

			remove_tree(sub);
		}
		g_dir_close(dir);
	}
	g_remove(path);
}

/* Checks that the client left nothing behind. */
static void env_clear(Env *e)
{
	g_assert_cmpuint(count_clients(e), ==, 0);
	remove_tree(e->dir);
	g_free(e->dir);
	g_free(e->ctrl);
	g_free(e->clients);
}

typedef struct {
	McWpa *wpa;		/* NULL once freed */
	GPtrArray *events;
	guint ups;
	guint downs;
	GError *why;		/* the last down's */
	gboolean free_on_up;	/* state(TRUE) frees the client */
	gboolean free_on_down;
	guint free_on_event;	/* the event that frees the client (1: the first) */
} Rec;

static void on_event(McWpa *wpa, const char *line, gsize size, gpointer data)
{
	Rec *rec = data;

	g_assert_true(wpa == rec->wpa);
	g_assert_cmpuint(size, >, 0);
	g_ptr_array_add(rec->events, g_strndup(line, size));
	if (rec->events->len == rec->free_on_event)
		g_clear_pointer(&rec->wpa, mc_wpa_free);
}

static void on_state(McWpa *wpa, gboolean up, const GError *why, gpointer data)
{
	Rec *rec = data;

	g_assert_true(wpa == rec->wpa);
	g_assert_cmpint(mc_wpa_is_up(wpa), ==, up);
	if (up) {
		g_assert_null(why);
		g_assert_nonnull(mc_wpa_get_socket(wpa));
		g_assert_nonnull(mc_wpa_get_interface(wpa));
		rec->ups++;
		if (rec->free_on_up)
			g_clear_pointer(&rec->wpa, mc_wpa_free);
		return;
	}
	g_assert_nonnull(why);
	g_assert_null(mc_wpa_get_socket(wpa));
	rec->downs++;
	g_clear_error(&rec->why);
	rec->why = g_error_copy(why);
	if (rec->free_on_down)
		g_clear_pointer(&rec->wpa, mc_wpa_free);
}

static const McWpaFuncs funcs = { .event = on_event, .state = on_state };

static void rec_start(Rec *rec, Env *e, const char *path)
{
	memset(rec, 0, sizeof(*rec));
	rec->events = g_ptr_array_new_with_free_func(g_free);
	rec->wpa = mc_wpa_new(path, e->clients, &funcs, rec);
}

static void rec_clear(Rec *rec)
{
	g_clear_pointer(&rec->wpa, mc_wpa_free);
	g_ptr_array_unref(rec->events);
	g_clear_error(&rec->why);
}

typedef struct {
	McWpa *wpa;
	guint calls;
	guint seq;		/* the order of the callbacks */
	char *reply;
	GError *error;
	Rec *free_rec;		/* the callback frees its client */
} Res;

static guint done_seq;

static void on_done(GObject *source, GAsyncResult *result, gpointer data)
{
	Res *res = data;

	g_assert_null(source);
	res->calls++;
	res->seq = done_seq++;
	res->reply = mc_wpa_request_finish(res->wpa, result, &res->error);
	g_assert_true(!res->reply != !res->error);
	if (res->free_rec)
		g_clear_pointer(&res->free_rec->wpa, mc_wpa_free);
}

static Res *request(McWpa *wpa, const char *command, GCancellable *cancellable)
{
	Res *res = g_new0(Res, 1);

	res->wpa = wpa;
	mc_wpa_request(wpa, command, cancellable, on_done, res);
	return res;
}

static void res_free(Res *res)
{
	g_assert_cmpuint(res->calls, ==, 1);
	g_free(res->reply);
	g_clear_error(&res->error);
	g_free(res);
}

/* Sends command, waits for the reply and checks it. */
static void check_request(McWpa *wpa, const char *command, const char *reply)
{
	Res *res = request(wpa, command, NULL);

	WAIT_UNTIL(res->calls);
	g_assert_no_error(res->error);
	g_assert_cmpstr(res->reply, ==, reply);
	res_free(res);
}

static void check_error(Res *res, gint code, const char *message)
{
	WAIT_UNTIL(res->calls);
	g_assert_null(res->reply);
	g_assert_error(res->error, G_IO_ERROR, code);
	if (message)
		g_assert_cmpstr(res->error->message, ==, message);
	res_free(res);
}

/* A fake supplicant at ctrl/name (NULL: a global socket, dir/global), and a client of it, up. */
static Fake *setup(Env *e, Rec *rec, const char *name)
{
	g_autofree char *path = NULL;
	Fake *f;

	env_init(e);
	path = name ? env_path(e, name) : g_build_filename(e->dir, "global", NULL);
	f = fake_new(path, name);
	rec_start(rec, e, path);
	WAIT_UNTIL(rec->ups == 1);
	return f;
}

static void teardown(Env *e, Rec *rec, Fake *f)
{
	rec_clear(rec);
	fake_free(f);
	env_clear(e);
}

/* ---- The tests ---- */

/* The socket appears after the client started; it is used, and removed at the end. */
static void test_connect_later(void)
{
	Env e;
	Rec rec;
	Fake *f;
	g_autofree char *path = NULL;

	env_init(&e);
	path = g_build_filename(e.ctrl, "p2p-dev-wlan0", NULL);
	rec_start(&rec, &e, path);
	spin(5 * RETRY_MS);
	g_assert_cmpuint(rec.ups, ==, 0);
	g_assert_false(mc_wpa_is_up(rec.wpa));
	g_assert_null(mc_wpa_get_socket(rec.wpa));
	g_assert_null(mc_wpa_get_interface(rec.wpa));
	g_assert_cmpuint(count_clients(&e), ==, 0);

	g_free(env_path(&e, "p2p-dev-wlan0"));
	f = fake_new(path, "p2p-dev-wlan0");
	WAIT_UNTIL(rec.ups == 1);
	g_assert_true(mc_wpa_is_up(rec.wpa));
	g_assert_cmpstr(mc_wpa_get_socket(rec.wpa), ==, path);
	g_assert_cmpstr(mc_wpa_get_interface(rec.wpa), ==, "p2p-dev-wlan0");
	g_assert_cmpuint(f->commands->len, >=, 2);
	g_assert_cmpstr(f->commands->pdata[0], ==, "IFNAME");
	g_assert_cmpstr(f->commands->pdata[1], ==, "ATTACH");
	g_assert_cmpuint(f->monitors->len, ==, 1);
	g_assert_cmpuint(count_clients(&e), ==, 2);

	/* the reply's last newline goes, the others stay */
	check_request(rec.wpa, "STATUS", STATUS);
	check_request(rec.wpa, "ECHO two lines\n", "two lines\n");

	g_clear_pointer(&rec.wpa, mc_wpa_free);
	g_assert_cmpuint(count_clients(&e), ==, 0);
	WAIT_UNTIL(fake_count(f, "DETACH") == 1);
	g_assert_cmpuint(f->monitors->len, ==, 0);
	g_assert_cmpuint(rec.downs, ==, 0);
	teardown(&e, &rec, f);
}

/* A directory: the P2P device's socket, else the only one, else the client waits. */
static void test_directory(void)
{
	g_autofree char *wlan0 = NULL, *p2p0 = NULL, *p2p1 = NULL, *wlan1 = NULL, *file = NULL;
	Fake *f_wlan0, *f_p2p0, *f_p2p1, *f_wlan1;
	Env e;
	Rec rec;

	env_init(&e);
	wlan0 = env_path(&e, "wlan0");
	p2p0 = env_path(&e, "p2p-dev-wlan0");
	p2p1 = env_path(&e, "p2p-dev-wlan1");
	wlan1 = env_path(&e, "wlan1");
	file = env_path(&e, "p2p-dev-not-a-socket");
	g_assert_true(g_file_set_contents(file, "", 0, NULL));

	/* the only socket */
	f_wlan0 = fake_new(wlan0, "wlan0");
	rec_start(&rec, &e, e.ctrl);
	WAIT_UNTIL(rec.ups == 1);
	g_assert_cmpstr(mc_wpa_get_socket(rec.wpa), ==, wlan0);
	g_assert_cmpstr(mc_wpa_get_interface(rec.wpa), ==, "wlan0");
	rec_clear(&rec);

	/* two, neither the P2P device's: it waits; then the P2P device's comes */
	f_wlan1 = fake_new(wlan1, "wlan1");
	rec_start(&rec, &e, e.ctrl);
	spin(5 * RETRY_MS);
	g_assert_cmpuint(rec.ups, ==, 0);
	g_assert_null(mc_wpa_get_socket(rec.wpa));
	f_p2p1 = fake_new(p2p1, "p2p-dev-wlan1");
	WAIT_UNTIL(rec.ups == 1);
	g_assert_cmpstr(mc_wpa_get_socket(rec.wpa), ==, p2p1);
	g_assert_cmpstr(mc_wpa_get_interface(rec.wpa), ==, "p2p-dev-wlan1");
	rec_clear(&rec);

	/* two P2P devices: the first by name */
	f_p2p0 = fake_new(p2p0, "p2p-dev-wlan0");
	rec_start(&rec, &e, e.ctrl);
	WAIT_UNTIL(rec.ups == 1);
	g_assert_cmpstr(mc_wpa_get_interface(rec.wpa), ==, "p2p-dev-wlan0");
	rec_clear(&rec);
	fake_free(f_p2p0);
	fake_free(f_p2p1);
	fake_free(f_wlan1);

	/*
	 * The P2P device's socket comes while the client waits for wlan0's
	 * first reply: it goes there instead.
	 */
	f_wlan0->hold = TRUE;
	g_ptr_array_set_size(f_wlan0->commands, 0);
	rec_start(&rec, &e, e.ctrl);
	WAIT_UNTIL(f_wlan0->held->len == 1);
	g_assert_cmpstr(f_wlan0->commands->pdata[0], ==, "IFNAME");
	f_p2p0 = fake_new(p2p0, "p2p-dev-wlan0");
	fake_release(f_wlan0);
	WAIT_UNTIL(rec.ups == 1);
	g_assert_cmpstr(mc_wpa_get_socket(rec.wpa), ==, p2p0);
	g_assert_cmpuint(fake_count(f_wlan0, "ATTACH"), ==, 0);
	g_assert_cmpuint(count_clients(&e), ==, 2);
	rec_clear(&rec);
	fake_free(f_p2p0);
	fake_free(f_wlan0);
	env_clear(&e);
}

/* Requests go out one at a time, in order, each matched with its reply. */
static void test_order(void)
{
	Res *res[8];
	Env e;
	Rec rec;
	Fake *f;
	guint i;

	f = setup(&e, &rec, "wlan0");
	f->hold = TRUE;
	for (i = 0; i < G_N_ELEMENTS(res); i++) {
		g_autofree char *command = g_strdup_printf("ECHO %u", i);

		res[i] = request(rec.wpa, command, NULL);
	}
	for (i = 0; i < G_N_ELEMENTS(res); i++) {
		g_autoptr(GPtrArray) user = NULL;
		g_autofree char *command = g_strdup_printf("ECHO %u", i);

		WAIT_UNTIL(f->held->len == 1);
		spin(2 * RETRY_MS);	/* nothing more goes out before the reply */
		user = fake_user_commands(f);
		g_assert_cmpuint(user->len, ==, i + 1);
		g_assert_cmpstr(user->pdata[i], ==, command);
		g_assert_cmpuint(f->held->len, ==, 1);
		fake_release(f);
	}
	for (i = 0; i < G_N_ELEMENTS(res); i++) {
		g_autofree char *reply = g_strdup_printf("%u", i);

		WAIT_UNTIL(res[i]->calls);
		g_assert_no_error(res[i]->error);
		g_assert_cmpstr(res[i]->reply, ==, reply);
		g_assert_cmpuint(res[i]->seq, ==, res[0]->seq + i);
	}
	for (i = 0; i < G_N_ELEMENTS(res); i++)
		res_free(res[i]);
	g_assert_cmpuint(rec.downs, ==, 0);
	teardown(&e, &rec, f);
}

/* FAIL, FAIL-<reason>, UNKNOWN COMMAND and the client's own errors. */
static void test_errors(void)
{
	g_autofree char *path = NULL, *big = NULL, *long_command = NULL;
	Env e;
	Rec rec;
	Fake *f;

	env_init(&e);
	path = env_path(&e, "p2p-dev-wlan0");
	rec_start(&rec, &e, path);
	/* not up yet */
	check_error(request(rec.wpa, "STATUS", NULL), G_IO_ERROR_NOT_CONNECTED,
		    "STATUS: wpa_supplicant is not connected");

	f = fake_new(path, "p2p-dev-wlan0");
	WAIT_UNTIL(rec.ups == 1);
	check_error(request(rec.wpa, "FAIL", NULL), G_IO_ERROR_FAILED, "FAIL: FAIL");
	check_error(request(rec.wpa, "BUSY type=social", NULL), G_IO_ERROR_FAILED,
		    "BUSY: FAIL-BUSY");
	/* arguments stay out of the message (they may hold a PIN) */
	check_error(request(rec.wpa, "P2P_PEERS 12345670", NULL), G_IO_ERROR_NOT_SUPPORTED,
		    "P2P_PEERS: UNKNOWN COMMAND");
	check_error(request(rec.wpa, "IFNAME=p2p-wlan0-0 WPS_PIN any 12345670", NULL),
		    G_IO_ERROR_NOT_SUPPORTED, "WPS_PIN: UNKNOWN COMMAND");

	/* a reply larger than wpa_cli's buffer, and one larger than ours */
	big = g_strnfill(MC_WPA_MAX_MESSAGE - 1, 'x');
	check_request(rec.wpa, "BIG " G_STRINGIFY(MC_WPA_MAX_MESSAGE), big);
	check_error(request(rec.wpa, "BIG 20000", NULL), G_IO_ERROR_MESSAGE_TOO_LARGE, NULL);
	long_command = g_strdup_printf("ECHO %4096d", 1);
	check_error(request(rec.wpa, long_command, NULL), G_IO_ERROR_INVALID_ARGUMENT, NULL);
	check_request(rec.wpa, "ECHO still there", "still there");
	g_assert_cmpuint(rec.downs, ==, 0);
	teardown(&e, &rec, f);
}

/* Events as received: an interface's socket's, and the global socket's with and without IFNAME=. */
static void test_events(void)
{
	static const char * const found =
		"<3>P2P-DEVICE-FOUND 42:00:00:00:01:00 p2p_dev_addr=42:00:00:00:01:00 "
		"pri_dev_type=7-0050F204-1 name='TV' config_methods=0x188 dev_capab=0x25 "
		"group_capab=0x0 wfd_dev_info=0x00111c440032 new=1";
	static const char * const sta =
		"IFNAME=p2p-wlan0-0 <3>AP-STA-CONNECTED 42:00:00:00:01:00 "
		"p2p_dev_addr=42:00:00:00:01:00 ip_addr=192.168.49.100";
	g_autofree char *path = NULL, *global = NULL;
	Env e;
	Rec rec, grec;
	Fake *f, *g;

	env_init(&e);
	path = env_path(&e, "p2p-dev-wlan0");
	global = g_build_filename(e.dir, "global", NULL);
	f = fake_new(path, "p2p-dev-wlan0");
	g = fake_new(global, NULL);
	rec_start(&rec, &e, path);
	rec_start(&grec, &e, global);
	WAIT_UNTIL(rec.ups == 1 && grec.ups == 1);
	g_assert_cmpstr(mc_wpa_get_interface(grec.wpa), ==, "global");
	g_assert_cmpstr(mc_wpa_get_socket(grec.wpa), ==, global);

	fake_event(f, found);
	fake_event(g, found);
	fake_event(g, sta);
	WAIT_UNTIL(rec.events->len == 1 && grec.events->len == 2);
	g_assert_cmpstr(rec.events->pdata[0], ==, found);
	g_assert_cmpstr(grec.events->pdata[0], ==, found);
	g_assert_cmpstr(grec.events->pdata[1], ==, sta);

	/* requests on the global socket */
	check_request(grec.wpa, "IFNAME=wlan0 STATUS", STATUS);
	spin(2 * PING_MS);
	g_assert_cmpuint(rec.events->len, ==, 1);
	g_assert_cmpuint(grec.events->len, ==, 2);
	g_assert_cmpuint(rec.downs + grec.downs, ==, 0);
	rec_clear(&rec);
	rec_clear(&grec);
	fake_free(f);
	fake_free(g);
	env_clear(&e);
}

/* Events, the probes' PONGs and the replies interleave. */
static void test_interleaved(void)
{
	GPtrArray *results = g_ptr_array_new();
	gint64 end;
	Env e;
	Rec rec;
	Fake *f;
	guint i;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	/* events sent while a request is handled, before its reply */
	for (i = 0; i < 10; i++) {
		g_ptr_array_add(results, request(rec.wpa, "EVENTS 3", NULL));
		g_ptr_array_add(results, request(rec.wpa, "STATUS", NULL));
	}
	/* and for three PING periods, events and requests at every turn */
	end = g_get_monotonic_time() + 3 * PING_MS * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < end) {
		g_autofree char *line = g_strdup_printf("<3>TEST-EVENT %u", f->events++);

		fake_event(f, line);
		if (results->len < 200)
			g_ptr_array_add(results, request(rec.wpa, "EVENTS 1", NULL));
		iterate();
	}
	for (i = 0; i < results->len; i++) {
		Res *res = results->pdata[i];

		WAIT_UNTIL(res->calls);
		g_assert_no_error(res->error);
		g_assert_cmpstr(res->reply, ==, i < 20 && i % 2 ? STATUS : "OK");
		res_free(res);
	}
	WAIT_UNTIL(rec.events->len == f->events);
	for (i = 0; i < rec.events->len; i++) {
		g_autofree char *line = g_strdup_printf("<3>TEST-EVENT %u", i);

		g_assert_cmpstr(rec.events->pdata[i], ==, line);
	}
	g_assert_cmpuint(fake_count(f, "PING"), >=, 2);
	g_assert_cmpuint(rec.downs, ==, 0);
	g_assert_cmpuint(rec.ups, ==, 1);
	g_ptr_array_unref(results);
	teardown(&e, &rec, f);
}

/* A supplicant that stops answering: requests fail, down; it answers again: up. */
static void test_timeout(void)
{
	Res *a, *b;
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	f->mute = TRUE;
	a = request(rec.wpa, "ECHO a", NULL);
	b = request(rec.wpa, "P2P_FIND type=social", NULL);
	WAIT_UNTIL(a->calls && b->calls);
	g_assert_error(a->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_assert_error(b->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_assert_cmpstr(a->error->message, ==,
			"ECHO: no reply to ECHO in " G_STRINGIFY(REQUEST_MS) " ms");
	g_assert_true(g_str_has_prefix(b->error->message, "P2P_FIND: "));
	res_free(a);
	res_free(b);
	g_assert_cmpuint(rec.downs, ==, 1);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_assert_false(mc_wpa_is_up(rec.wpa));
	check_error(request(rec.wpa, "STATUS", NULL), G_IO_ERROR_NOT_CONNECTED, NULL);

	f->mute = FALSE;
	WAIT_UNTIL(rec.ups == 2);
	check_request(rec.wpa, "ECHO back", "back");
	/* the sockets of the attempts that failed are gone */
	g_assert_cmpuint(count_clients(&e), ==, 2);
	teardown(&e, &rec, f);
}

/* CTRL-EVENT-TERMINATING: down at once, up when the supplicant is back. */
static void test_terminating(void)
{
	Res *res;
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	f->hold = TRUE;
	res = request(rec.wpa, "ECHO pending", NULL);
	WAIT_UNTIL(f->held->len == 1);
	fake_terminate(f);
	WAIT_UNTIL(rec.downs == 1);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
	g_assert_cmpuint(rec.events->len, ==, 1);
	g_assert_cmpstr(rec.events->pdata[0], ==, "<3>CTRL-EVENT-TERMINATING ");
	check_error(res, G_IO_ERROR_CONNECTION_CLOSED, "ECHO: wpa_supplicant terminated");
	spin(3 * RETRY_MS);
	g_assert_cmpuint(rec.ups, ==, 1);

	fake_drop_held(f);
	fake_open(f);
	WAIT_UNTIL(rec.ups == 2);
	check_request(rec.wpa, "ECHO again", "again");
	teardown(&e, &rec, f);
}

/*
 * On the global socket, CTRL-EVENT-TERMINATING names an interface, which
 * may go alone: the client stays up while the supplicant answers.
 */
static void test_terminating_global(void)
{
	static const char * const terminating = "IFNAME=p2p-wlan0-0 <3>CTRL-EVENT-TERMINATING ";
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, NULL);
	fake_event(f, terminating);
	spin(REQUEST_MS + PING_MS);
	g_assert_cmpuint(rec.events->len, ==, 1);
	g_assert_cmpuint(rec.downs, ==, 0);

	/* the supplicant going: it answers no more */
	f->mute = TRUE;
	fake_event(f, terminating);
	WAIT_UNTIL(rec.downs == 1);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	fake_exit(f);
	f->mute = FALSE;
	fake_open(f);
	WAIT_UNTIL(rec.ups == 2);
	teardown(&e, &rec, f);
}

/* The socket vanishes without a word: the PINGs find it; it comes back. */
static void test_vanish(void)
{
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	fake_exit(f);
	WAIT_UNTIL(rec.downs == 1);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	spin(3 * RETRY_MS);
	g_assert_cmpuint(count_clients(&e), ==, 0);
	fake_open(f);
	WAIT_UNTIL(rec.ups == 2);
	check_request(rec.wpa, "ECHO back", "back");
	teardown(&e, &rec, f);
}

/*
 * The supplicant detached the client without a word: it reopened its
 * socket (as it does when a send fails with EAGAIN), or the client's event
 * socket lost its path. The client attaches again.
 */
static void test_detached(void)
{
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	fake_reopen(f);
	fake_event(f, "<3>LOST");
	g_assert_cmpuint(f->monitors->len, ==, 0);	/* EPERM: detached */
	WAIT_UNTIL(rec.ups == 2);
	g_assert_cmpuint(rec.downs, ==, 1);
	g_assert_cmpuint(f->monitors->len, ==, 1);
	fake_event(f, "<3>AGAIN");
	WAIT_UNTIL(rec.events->len == 1);
	g_assert_cmpstr(rec.events->pdata[0], ==, "<3>AGAIN");
	g_assert_cmpuint(count_clients(&e), ==, 2);

	/*
	 * The event socket's path removed (ENOENT: detached at once); the
	 * request socket works still: the PING on the event socket finds it.
	 */
	g_assert_cmpint(g_unlink(g_array_index(f->monitors, Peer, 0).addr.sun_path), ==, 0);
	fake_event(f, "<3>LOST");
	g_assert_cmpuint(f->monitors->len, ==, 0);
	WAIT_UNTIL(rec.ups == 3);
	g_assert_cmpuint(rec.downs, ==, 2);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_assert_true(strstr(rec.why->message, "PING on the event socket"));
	fake_event(f, "<3>AGAIN");
	WAIT_UNTIL(rec.events->len == 2);
	g_assert_cmpstr(rec.events->pdata[1], ==, "<3>AGAIN");
	g_assert_cmpuint(count_clients(&e), ==, 2);
	teardown(&e, &rec, f);
}

/* Cancelling a request queued, sent, or before it was made. */
static void test_cancel(void)
{
	g_autoptr(GCancellable) c1 = g_cancellable_new();
	g_autoptr(GCancellable) c2 = g_cancellable_new();
	g_autoptr(GCancellable) c3 = g_cancellable_new();
	g_autoptr(GPtrArray) user = NULL;
	Res *a, *b, *c, *d;
	Env e;
	Rec rec;
	Fake *f;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	/* queued behind a: it never goes out */
	f->hold = TRUE;
	a = request(rec.wpa, "ECHO a", NULL);
	b = request(rec.wpa, "ECHO b", c1);
	WAIT_UNTIL(f->held->len == 1);
	g_cancellable_cancel(c1);
	check_error(b, G_IO_ERROR_CANCELLED, "ECHO: cancelled");
	g_assert_cmpuint(a->calls, ==, 0);
	fake_release(f);
	WAIT_UNTIL(a->calls);
	g_assert_cmpstr(a->reply, ==, "a");
	res_free(a);

	/* sent: its reply, when it comes, is not taken for the next one's */
	c = request(rec.wpa, "ECHO c", c2);
	d = request(rec.wpa, "ECHO d", NULL);
	WAIT_UNTIL(f->held->len == 1);
	g_cancellable_cancel(c2);
	check_error(c, G_IO_ERROR_CANCELLED, "ECHO: cancelled");
	g_assert_cmpuint(d->calls, ==, 0);
	fake_release(f);
	WAIT_UNTIL(f->held->len == 1);
	fake_release(f);
	WAIT_UNTIL(d->calls);
	g_assert_no_error(d->error);
	g_assert_cmpstr(d->reply, ==, "d");
	res_free(d);

	/* cancelled before */
	f->hold = FALSE;
	g_cancellable_cancel(c3);
	check_error(request(rec.wpa, "ECHO e", c3), G_IO_ERROR_CANCELLED, NULL);
	check_request(rec.wpa, "ECHO f", "f");
	user = fake_user_commands(f);
	g_assert_false(g_ptr_array_find_with_equal_func(user, "ECHO b", g_str_equal, NULL));
	g_assert_cmpuint(rec.downs, ==, 0);
	teardown(&e, &rec, f);
}

/* Freed with requests pending: they are cancelled, nothing else is called. */
static void test_free_pending(void)
{
	Res *res[3];
	Env e;
	Rec rec;
	Fake *f;
	guint i;

	f = setup(&e, &rec, "p2p-dev-wlan0");
	f->hold = TRUE;
	for (i = 0; i < G_N_ELEMENTS(res); i++)
		res[i] = request(rec.wpa, "ECHO pending", NULL);
	WAIT_UNTIL(f->held->len == 1);
	fake_event(f, "<3>UNREAD");	/* in the client's socket, not read yet */
	g_clear_pointer(&rec.wpa, mc_wpa_free);
	g_assert_cmpuint(count_clients(&e), ==, 0);
	for (i = 0; i < G_N_ELEMENTS(res); i++)
		check_error(res[i], G_IO_ERROR_CANCELLED,
			    "ECHO: cancelled: the client was freed");
	fake_release(f);
	WAIT_UNTIL(fake_count(f, "DETACH") == 1);
	spin(2 * PING_MS);
	g_assert_cmpuint(rec.events->len, ==, 0);
	g_assert_cmpuint(rec.ups, ==, 1);
	g_assert_cmpuint(rec.downs, ==, 0);
	teardown(&e, &rec, f);
}

/* The client freed from its own callbacks. */
static void test_free_in_callback(void)
{
	g_autofree char *path = NULL;
	Res *a, *b;
	Env e;
	Rec rec;
	Fake *f;

	env_init(&e);
	path = env_path(&e, "p2p-dev-wlan0");
	f = fake_new(path, "p2p-dev-wlan0");

	/* state(TRUE) */
	rec_start(&rec, &e, path);
	rec.free_on_up = TRUE;
	WAIT_UNTIL(!rec.wpa);
	g_assert_cmpuint(count_clients(&e), ==, 0);
	fake_event(f, "<3>AFTER");
	spin(2 * PING_MS);
	g_assert_cmpuint(rec.ups, ==, 1);
	g_assert_cmpuint(rec.events->len, ==, 0);
	rec_clear(&rec);

	/* a request's callback, another request pending */
	rec_start(&rec, &e, path);
	WAIT_UNTIL(rec.ups == 1);
	a = request(rec.wpa, "ECHO a", NULL);
	a->free_rec = &rec;
	b = request(rec.wpa, "ECHO b", NULL);
	WAIT_UNTIL(!rec.wpa);
	g_assert_cmpstr(a->reply, ==, "a");
	check_error(b, G_IO_ERROR_CANCELLED, NULL);
	res_free(a);
	rec_clear(&rec);

	/* an event, more of them queued */
	rec_start(&rec, &e, path);
	rec.free_on_event = 2;
	WAIT_UNTIL(rec.ups == 1);
	fake_event(f, "<3>ONE");
	fake_event(f, "<3>TWO");
	fake_event(f, "<3>THREE");
	WAIT_UNTIL(!rec.wpa);
	spin(2 * PING_MS);
	g_assert_cmpuint(rec.events->len, ==, 2);
	rec_clear(&rec);

	/* state(FALSE), a request pending */
	rec_start(&rec, &e, path);
	rec.free_on_down = TRUE;
	WAIT_UNTIL(rec.ups == 1);
	f->hold = TRUE;
	a = request(rec.wpa, "ECHO a", NULL);
	WAIT_UNTIL(f->held->len == 1);
	fake_terminate(f);
	WAIT_UNTIL(!rec.wpa);
	check_error(a, G_IO_ERROR_CONNECTION_CLOSED, NULL);
	fake_drop_held(f);
	fake_open(f);
	spin(5 * RETRY_MS);
	g_assert_cmpuint(rec.ups, ==, 1);
	g_assert_cmpuint(rec.downs, ==, 1);
	g_assert_cmpuint(f->monitors->len, ==, 0);
	teardown(&e, &rec, f);
}

/* ---- The real wpa_supplicant ---- */

static void no_orphan(gpointer data G_GNUC_UNUSED)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void on_exited(GObject *source, GAsyncResult *result, gpointer data)
{
	g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
	*(gboolean *)data = TRUE;
}

typedef struct {
	GSubprocess *proc;
	gboolean exited;
} Supplicant;

/* wpa_supplicant on lo (wired driver): the interface's socket in ctrl, the global one at global. */
static void supplicant_start(Supplicant *s, const char *exe, const char *ctrl, const char *global,
			     const char *log)
{
	g_autoptr(GSubprocessLauncher) launcher =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					  G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	GError *error = NULL;

	g_subprocess_launcher_set_child_setup(launcher, no_orphan, NULL, NULL);
	s->exited = FALSE;
	s->proc = g_subprocess_launcher_spawn(launcher, &error, exe, "-i", "lo", "-D", "wired",
					      "-C", ctrl, "-g", global, "-f", log, NULL);
	g_assert_no_error(error);
	g_subprocess_wait_async(s->proc, NULL, on_exited, &s->exited);
}

static void supplicant_stop(Supplicant *s)
{
	if (!s->proc)
		return;
	if (!s->exited)
		g_subprocess_send_signal(s->proc, SIGTERM);
	WAIT_UNTIL(s->exited);
	g_clear_object(&s->proc);
}

static char *find_supplicant(void)
{
	char *exe = g_find_program_in_path("wpa_supplicant");

	if (!exe && g_file_test("/usr/sbin/wpa_supplicant", G_FILE_TEST_IS_EXECUTABLE))
		exe = g_strdup("/usr/sbin/wpa_supplicant");
	return exe;
}

static void check_real_events(Rec *rec, guint from, const char *prefix)
{
	g_autofree char *added = g_strdup_printf("%s<3>CTRL-EVENT-NETWORK-ADDED 0", prefix);
	g_autofree char *removed = g_strdup_printf("%s<3>CTRL-EVENT-NETWORK-REMOVED 0", prefix);
	gboolean seen_added = FALSE, seen_removed = FALSE;
	guint i;

	for (i = from; i < rec->events->len; i++) {
		seen_added |= !strcmp(rec->events->pdata[i], added);
		seen_removed |= seen_added && !strcmp(rec->events->pdata[i], removed);
	}
	g_assert_true(seen_added);
	g_assert_true(seen_removed);
}

/*
 * Against wpa_supplicant itself: its interface socket found in its
 * directory and its global socket, requests, errors and events on both,
 * its termination and its return.
 */
static void test_real_supplicant(void)
{
	g_autofree char *exe = find_supplicant();
	g_autofree char *global = NULL, *log = NULL;
	Supplicant s = { 0 };
	Rec rec, grec;
	guint from;
	Env e;

	if (!exe) {
		g_test_skip("wpa_supplicant is not installed (Debian package wpasupplicant)");
		return;
	}
	if (geteuid() != 0) {
		g_test_skip("wpa_supplicant's wired driver needs root (a raw socket on lo)");
		return;
	}
	env_init(&e);
	global = g_build_filename(e.dir, "global", NULL);
	log = g_build_filename(e.dir, "wpa_supplicant.log", NULL);
	supplicant_start(&s, exe, e.ctrl, global, log);
	rec_start(&rec, &e, e.ctrl);
	rec_start(&grec, &e, global);
	WAIT_UNTIL((rec.ups == 1 && grec.ups == 1) || s.exited);
	if (s.exited) {
		g_autofree char *text = NULL;

		g_file_get_contents(log, &text, NULL, NULL);
		g_error("wpa_supplicant exited: %s", text ? text : "(no log)");
	}
	g_assert_cmpstr(mc_wpa_get_interface(rec.wpa), ==, "lo");
	g_assert_cmpstr(mc_wpa_get_interface(grec.wpa), ==, "global");

	check_request(rec.wpa, "PING", "PONG");
	check_request(grec.wpa, "PING", "PONG");
	check_request(grec.wpa, "INTERFACES", "lo");
	check_error(request(rec.wpa, "RECONFIGURE", NULL), G_IO_ERROR_FAILED,
		    "RECONFIGURE: FAIL");
	check_error(request(rec.wpa, "P2P_PEERS", NULL), G_IO_ERROR_NOT_SUPPORTED,
		    "P2P_PEERS: UNKNOWN COMMAND");
	{
		Res *status = request(rec.wpa, "STATUS", NULL);
		Res *gstatus = request(grec.wpa, "IFNAME=lo STATUS", NULL);

		WAIT_UNTIL(status->calls && gstatus->calls);
		g_assert_no_error(status->error);
		g_assert_no_error(gstatus->error);
		g_assert_true(g_str_has_prefix(status->reply, "wpa_state="));
		g_assert_true(g_str_has_prefix(gstatus->reply, "wpa_state="));
		res_free(status);
		res_free(gstatus);
	}

	/* events: on lo's socket as they are, on the global one with IFNAME=lo */
	from = rec.events->len;
	check_request(rec.wpa, "ADD_NETWORK", "0");
	check_request(rec.wpa, "REMOVE_NETWORK 0", "OK");
	WAIT_UNTIL(rec.events->len >= from + 2 && grec.events->len >= 2);
	check_real_events(&rec, from, "");
	check_real_events(&grec, 0, "IFNAME=lo ");

	/* through a few PING periods, attached still */
	spin(3 * PING_MS);
	g_assert_cmpuint(rec.downs + grec.downs, ==, 0);

	/* it terminates: down; the global socket's client finds it by its probe */
	g_subprocess_send_signal(s.proc, SIGTERM);
	WAIT_UNTIL(rec.downs == 1 && grec.downs == 1);
	g_assert_error(rec.why, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
	g_assert_cmpstr(g_ptr_array_index(rec.events, rec.events->len - 1), ==,
			"<3>CTRL-EVENT-TERMINATING ");
	WAIT_UNTIL(s.exited);
	supplicant_stop(&s);

	/* and comes back */
	supplicant_start(&s, exe, e.ctrl, global, log);
	WAIT_UNTIL(rec.ups == 2 && grec.ups == 2);
	check_request(rec.wpa, "IFNAME", "lo");
	check_request(grec.wpa, "IFNAME=lo IFNAME", "lo");

	rec_clear(&rec);
	rec_clear(&grec);
	supplicant_stop(&s);
	g_unlink(log);
	env_clear(&e);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	mc_wpa_set_timeouts(REQUEST_MS, RETRY_MS, PING_MS);
	g_test_add_func("/wpa/connect-later", test_connect_later);
	g_test_add_func("/wpa/directory", test_directory);
	g_test_add_func("/wpa/order", test_order);
	g_test_add_func("/wpa/errors", test_errors);
	g_test_add_func("/wpa/events", test_events);
	g_test_add_func("/wpa/interleaved", test_interleaved);
	g_test_add_func("/wpa/timeout", test_timeout);
	g_test_add_func("/wpa/terminating", test_terminating);
	g_test_add_func("/wpa/terminating-global", test_terminating_global);
	g_test_add_func("/wpa/vanish", test_vanish);
	g_test_add_func("/wpa/detached", test_detached);
	g_test_add_func("/wpa/cancel", test_cancel);
	g_test_add_func("/wpa/free-pending", test_free_pending);
	g_test_add_func("/wpa/free-in-callback", test_free_in_callback);
	g_test_add_func("/wpa/real-supplicant", test_real_supplicant);
	return g_test_run();
}

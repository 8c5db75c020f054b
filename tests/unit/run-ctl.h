/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' way of running miracastctl (the sanitized build that
 * MIRACASTCTL_PATH names).
 */
#ifndef RUN_CTL_H
#define RUN_CTL_H

#include <stdarg.h>
#include <sys/wait.h>

#include <glib.h>

/* Run miracastctl with the given NULL-terminated arguments. */
G_GNUC_NULL_TERMINATED
static inline int run_ctl(char **out, char **err, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	const char *arg;
	va_list ap;
	int status;

	g_ptr_array_add(argv, MIRACASTCTL_PATH);
	va_start(ap, err);
	while ((arg = va_arg(ap, const char *)))
		g_ptr_array_add(argv, (char *)arg);
	va_end(ap);
	g_ptr_array_add(argv, NULL);

	g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT,
		     NULL, NULL, out, err, &status, &error);
	g_assert_no_error(error);
	if (**err)
		g_test_message("miracastctl stderr: %s", *err);
	g_assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#endif /* RUN_CTL_H */

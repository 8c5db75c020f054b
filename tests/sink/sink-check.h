/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One of miracast-testsink's checks: not made yet ("-"), passed ("yes") or
 * failed ("no"), with the first failure's reason.
 */
#ifndef SINK_CHECK_H
#define SINK_CHECK_H

#include <stdarg.h>

#include <glib.h>

typedef struct {
	gboolean seen;
	char *problem;		/* the first failure, or NULL */
} SinkCheck;

static inline void sink_check_pass(SinkCheck *c)
{
	c->seen = TRUE;
}

G_GNUC_PRINTF(2, 3)
static inline void sink_check_fail(SinkCheck *c, const char *fmt, ...)
{
	va_list ap;

	c->seen = TRUE;
	if (c->problem)
		return;
	va_start(ap, fmt);
	c->problem = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static inline void sink_check_clear(SinkCheck *c)
{
	g_clear_pointer(&c->problem, g_free);
	c->seen = FALSE;
}

/*
 * Appends "key=yes|no|-" to out and the failure's reason to failures (of
 * char *); "-" whatever it says when it did not apply (applies FALSE).
 */
static inline void sink_check_report(const SinkCheck *c, const char *key, gboolean applies,
				     GString *out, GPtrArray *failures)
{
	const char *word = !applies ? "-" : c->problem ? "no" : c->seen ? "yes" : "-";

	g_string_append_printf(out, "%s=%s\n", key, word);
	if (applies && c->problem)
		g_ptr_array_add(failures, g_strdup(c->problem));
}

#endif /* SINK_CHECK_H */

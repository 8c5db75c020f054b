/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzzers' assertion: a broken promise prints where and aborts, so
 * that libFuzzer keeps the input as a crash.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)								\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();						\
		}								\
	} while (0)

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_WARN_COUNT_H
#define _IOMMU_TESTS_WARN_COUNT_H

#include <kunit/test.h>

/* How many WARNs the kernel has taken since boot (/sys/kernel/warn_count) */
int kernel_warn_count(struct kunit *test);

/*
 * Every suite's init calls this: the case fails if, by the end of its
 * cleanup, the kernel WARNed (lockdep reports included) other than the
 * number of times the case announced with kunit_expect_warns().
 */
void kunit_watch_warns(struct kunit *test);

/* The case is about to WARN @n times on purpose. */
void kunit_expect_warns(struct kunit *test, int n);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_WARN_COUNT_H
#define _IOMMU_TESTS_WARN_COUNT_H

#include <kunit/test.h>
#include <linux/debug_locks.h>

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

/*
 * Skips the case when lockdep's assertions are no-ops: lockdep is off, or
 * turned itself off after an earlier report.
 */
static inline void kunit_skip_without_lockdep(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_PROVE_LOCKING))
		kunit_skip(test, "needs CONFIG_PROVE_LOCKING");
	if (!debug_locks)
		kunit_skip(test, "lockdep turned itself off after an earlier report");
}

#endif

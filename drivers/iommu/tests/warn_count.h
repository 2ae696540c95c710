/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_WARN_COUNT_H
#define _IOMMU_TESTS_WARN_COUNT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/debug_locks.h>

/* How many WARNs the kernel has taken since boot (/sys/kernel/warn_count) */
int kernel_warn_count(struct kunit *test);

/*
 * Every suite's init calls this: the case fails if, by the end of its
 * cleanup, the kernel WARNed (lockdep reports included) other than
 * @expected times, 0 unless the case says otherwise.
 */
void kunit_watch_warns(struct kunit *test);

/* The watch, a named resource of the case */
#define WARN_WATCH_NAME "warn_watch"
struct warn_watch {
	struct kunit_resource res;
	struct kunit *test;
	int start;
	int expected;
};

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

/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_FAILSLAB_H
#define _IOMMU_TESTS_FAILSLAB_H

#include <kunit/test.h>

/* Past this many allocations, a fail-nth sweep is taken not to end */
#define FAIL_NTH_MAX	1000

/*
 * Until the case ends, current->fail_nth fails sleeping allocations too,
 * and silently; the case is skipped without failslab in debugfs.
 */
void kunit_failslab_for_fail_nth(struct kunit *test);

#endif

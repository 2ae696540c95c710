/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_WARN_EXPECT_H
#define _IOMMU_TESTS_WARN_EXPECT_H

#include <kunit/test.h>

/*
 * The case is about to WARN @n times on purpose: the watch of its suite
 * (kunit_watch_warns()) expects them. For a kernel without
 * kunit_warning_suppress(), whose WARNs all count in warn_count.
 */
void kunit_expect_warns(struct kunit *test, int n);

#endif

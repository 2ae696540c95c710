/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_WARN_COUNT_H
#define _IOMMU_TESTS_WARN_COUNT_H

#include <kunit/test.h>

/* How many WARNs the kernel has taken since boot (/sys/kernel/warn_count) */
int kernel_warn_count(struct kunit *test);

#endif

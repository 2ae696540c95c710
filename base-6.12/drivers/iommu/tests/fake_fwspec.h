/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _IOMMU_TESTS_FAKE_FWSPEC_H
#define _IOMMU_TESTS_FAKE_FWSPEC_H

#include "fake_iommu.h"

/*
 * A fwspec built on the side, as firmware code does, for @fake's fwnode
 * and the one ID @id; the test aborts when that fails.
 */
static inline struct iommu_fwspec *fake_fwspec_with_id(struct kunit *test,
						       struct fake_iommu *fake,
						       u32 id)
{
	struct iommu_fwspec *fwspec = iommu_fwspec_alloc(&fake->fwnode);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fwspec);
	if (iommu_fwspec_append_ids(fwspec, &id, 1)) {
		iommu_fwspec_dealloc(fwspec);
		KUNIT_FAIL_AND_ABORT(test, "iommu_fwspec_append_ids() failed");
	}
	return fwspec;
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake IOMMU driver for the KUnit tests: a real iommu_device registered
 * with the core on a fake fwnode, with knobs to make its callbacks fail and
 * counters of what the core asked of it.
 */
#ifndef _IOMMU_TESTS_FAKE_IOMMU_H
#define _IOMMU_TESTS_FAKE_IOMMU_H

#include <kunit/test.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>

struct fake_iommu {
	/* get/put on it count references, so leaks show in fwnode_refs */
	struct fwnode_handle fwnode;
	int fwnode_refs;
	struct iommu_device iommu;

	/* knobs */
	int probe_error;		/* probe_device fails with this */

	/* what the core did */
	int probe_calls;
	int release_calls;
	bool probe_unlocked;	/* a probe_device ran without the lock */
};

/* The fake driver, and a second driver the core must tell apart from it. */
extern const struct iommu_ops fake_iommu_ops;
extern const struct iommu_ops fake_other_iommu_ops;

/*
 * A fake IOMMU instance, registered with @ops (NULL: never registered) and
 * unregistered when the test ends.
 */
struct fake_iommu *fake_iommu_create(struct kunit *test,
				     const struct iommu_ops *ops);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the locking contract of the fwspec built on the side:
 * iommu_fwspec_add_ids(), which changes the device's fwspec, asserts
 * iommu_probe_device_lock with lockdep, while building a fwspec on its own
 * takes no lock, as it touches nothing shared. How the cases see a WARN,
 * and when the suite is skipped: iommu_lockdep_kunit.c.
 */
#include <kunit/test.h>
#include <linux/mutex.h>

#include "../iommu-priv.h"
#include "fake_iommu.h"
#include "warn_count.h"
#include "warn_expect.h"

struct fwspec_lockdep_test {
	struct fake_iommu *smmu;
	struct device *dev;
};

static int fwspec_lockdep_test_init(struct kunit *test)
{
	struct fwspec_lockdep_test *t;

	kunit_skip_without_lockdep(test);
	kunit_watch_warns(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->smmu = fake_iommu_create(test, &fake_iommu_ops);
	t->dev = fake_kunit_endpoint(test, "fwspec-lockdep-endpoint");
	test->priv = t;
	return 0;
}

static void lockdep_fwspec_add_ids_needs_lock(struct kunit *test)
{
	struct fwspec_lockdep_test *t = test->priv;
	int before = kernel_warn_count(test);
	const u32 id = 1;

	mutex_lock(&iommu_probe_device_lock);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_init(t->dev, &t->smmu->fwnode), 0);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_add_ids(t->dev, &id, 1), 0);
	mutex_unlock(&iommu_probe_device_lock);
	KUNIT_EXPECT_EQ(test, kernel_warn_count(test), before);

	kunit_expect_warns(test, 1);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_add_ids(t->dev, &id, 1), 0);
	KUNIT_EXPECT_EQ_MSG(test, kernel_warn_count(test), before + 1,
			    "iommu_fwspec_add_ids() did not assert the lock");
}

/* Building a fwspec on the side needs no lock: nothing shared is touched. */
static void lockdep_fwspec_alloc_append_need_no_lock(struct kunit *test)
{
	struct fwspec_lockdep_test *t = test->priv;
	struct iommu_fwspec *fwspec;
	int before = kernel_warn_count(test);
	const u32 id = 2;

	fwspec = iommu_fwspec_alloc(&t->smmu->fwnode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fwspec);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, &id, 1), 0);
	iommu_fwspec_dealloc(fwspec);
	KUNIT_EXPECT_EQ(test, kernel_warn_count(test), before);
}

static struct kunit_case iommu_fwspec_lockdep_test_cases[] = {
	KUNIT_CASE(lockdep_fwspec_add_ids_needs_lock),
	KUNIT_CASE(lockdep_fwspec_alloc_append_need_no_lock),
	{}
};

static struct kunit_suite iommu_fwspec_lockdep_test_suite = {
	.name = "iommu_fwspec_lockdep",
	.init = fwspec_lockdep_test_init,
	.test_cases = iommu_fwspec_lockdep_test_cases,
};

kunit_test_suite(iommu_fwspec_lockdep_test_suite);

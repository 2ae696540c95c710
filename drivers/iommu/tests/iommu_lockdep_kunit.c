// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the locking contract around dev->iommu: the functions that
 * change it assert, with lockdep, that iommu_probe_device_lock is held. Each
 * case calls one of them without the lock and checks that its assertion
 * fired, then with the lock and checks that it stayed quiet.
 *
 * A case runs each call in a kunit_warning_suppress() block and counts the
 * WARNs it took there: one without the lock, none with it. A suppressed
 * WARN prints no backtrace, so a judge of the whole log sees none of the
 * ones provoked on purpose, and it does not count in warn_count, so the
 * watch every suite keeps (kunit_watch_warns()) still fails a case on any
 * other WARN, in any task.
 * A fired assertion changes nothing for later cases; the suite is skipped
 * when lockdep is off, or has turned itself off after an earlier report
 * (debug_locks == 0), since the assertions are then no-ops.
 */
#include <kunit/test.h>
#include <linux/mutex.h>

#include "../iommu-priv.h"
#include "fake_iommu.h"
#include "warn_count.h"

struct lockdep_test {
	struct fake_iommu *smmu;
	struct device *dev;
};

static int lockdep_test_init(struct kunit *test)
{
	struct lockdep_test *t;

	kunit_skip_without_lockdep(test);
	kunit_watch_warns(test);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->smmu = fake_iommu_create(test, &fake_iommu_ops);
	t->dev = fake_kunit_endpoint(test, "lockdep-endpoint");
	test->priv = t;
	return 0;
}

/* dev_iommu_get(), through iommu_fwspec_init() */
static void lockdep_fwspec_init_needs_lock(struct kunit *test)
{
	struct lockdep_test *t = test->priv;

	kunit_warning_suppress(test) {
		mutex_lock(&iommu_probe_device_lock);
		KUNIT_EXPECT_EQ(test, iommu_fwspec_init(t->dev, &t->smmu->fwnode), 0);
		mutex_unlock(&iommu_probe_device_lock);
		KUNIT_EXPECT_EQ_MSG(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 0,
				    "dev_iommu_get() warned with the lock held");
	}

	fake_dev_iommu_free(t->dev);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, iommu_fwspec_init(t->dev, &t->smmu->fwnode), 0);
		KUNIT_EXPECT_EQ_MSG(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 1,
				    "dev_iommu_get() did not assert the lock");
	}
}

static void lockdep_priv_set_needs_lock(struct kunit *test)
{
	struct lockdep_test *t = test->priv;

	kunit_warning_suppress(test) {
		mutex_lock(&iommu_probe_device_lock);
		KUNIT_EXPECT_EQ(test, iommu_fwspec_init(t->dev, &t->smmu->fwnode), 0);
		dev_iommu_priv_set(t->dev, t);
		mutex_unlock(&iommu_probe_device_lock);
		KUNIT_EXPECT_EQ_MSG(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 0,
				    "dev_iommu_priv_set() warned with the lock held");
	}

	kunit_warning_suppress(test) {
		dev_iommu_priv_set(t->dev, NULL);
		KUNIT_EXPECT_EQ_MSG(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 1,
				    "dev_iommu_priv_set() did not assert the lock");
	}
}

static struct kunit_case iommu_lockdep_test_cases[] = {
	KUNIT_CASE(lockdep_fwspec_init_needs_lock),
	KUNIT_CASE(lockdep_priv_set_needs_lock),
	{}
};

static struct kunit_suite iommu_lockdep_test_suite = {
	.name = "iommu_lockdep",
	.init = lockdep_test_init,
	.test_cases = iommu_lockdep_test_cases,
};

kunit_test_suite(iommu_lockdep_test_suite);

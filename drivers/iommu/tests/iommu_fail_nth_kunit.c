// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fail-nth sweep (failslab.c) over iommu_fwspec_init(): with the Nth
 * slab allocation of this task made to fail, for N = 1, 2, ... until the
 * call no longer reaches an Nth allocation, every failing call must return
 * -ENOMEM and leave no half-built fwspec, give back every reference it took
 * on the IOMMU's fwnode, and WARN not.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "../iommu-priv.h"
#include "failslab.h"
#include "fake_iommu.h"
#include "warn_count.h"

static int fail_nth_test_init(struct kunit *test)
{
	kunit_watch_warns(test);
	kunit_failslab_for_fail_nth(test);
	return 0;
}

/*
 * The older entry point, which drivers still call from probe_device: a
 * failure returns -ENOMEM and the core's cleanup of a failed probe
 * (dev_iommu_free()) gives everything back.
 */
static void fail_nth_fwspec_init(struct kunit *test)
{
	struct fake_iommu *fake = fake_iommu_create(test, &fake_iommu_ops);
	int warns = kernel_warn_count(test);
	int n, ret, failed_runs = 0;

	for (n = 1; n <= FAIL_NTH_MAX; n++) {
		struct device *dev = kunit_device_register(test, "fwspec-fail-nth-init");
		bool injected;

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
		mutex_lock(&iommu_probe_device_lock);
		current->fail_nth = n;
		ret = iommu_fwspec_init(dev, &fake->fwnode);
		injected = !current->fail_nth;
		current->fail_nth = 0;
		mutex_unlock(&iommu_probe_device_lock);

		if (injected) {
			failed_runs++;
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "failure %d", n);
			KUNIT_EXPECT_NULL_MSG(test, dev_iommu_fwspec_get(dev),
					      "half a fwspec after failure %d", n);
		} else {
			KUNIT_EXPECT_EQ(test, ret, 0);
			KUNIT_EXPECT_NOT_NULL(test, dev_iommu_fwspec_get(dev));
		}
		fake_dev_iommu_free(dev);
		kunit_device_unregister(test, dev);
		KUNIT_EXPECT_EQ_MSG(test, fake->fwnode_refs, 0,
				    "fwnode references leaked, failure %d", n);
		if (!injected || test->status == KUNIT_FAILURE)
			break;
	}
	KUNIT_EXPECT_EQ(test, kernel_warn_count(test), warns);
	/* dev->iommu and the fwspec */
	KUNIT_EXPECT_EQ(test, failed_runs, 2);
}

static struct kunit_case iommu_fail_nth_test_cases[] = {
	KUNIT_CASE(fail_nth_fwspec_init),
	{}
};

static struct kunit_suite iommu_fail_nth_test_suite = {
	.name = "iommu_fail_nth",
	.init = fail_nth_test_init,
	.test_cases = iommu_fail_nth_test_cases,
};

kunit_test_suite(iommu_fail_nth_test_suite);

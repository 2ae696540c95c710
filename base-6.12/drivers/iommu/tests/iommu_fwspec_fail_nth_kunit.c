// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fail-nth sweeps (failslab.c) over the fwspec built on the side: over
 * configure+probe, of_iommu_configure() on a fresh endpoint of the DT
 * overlay (iommu_of_kunit.dtso), with the Nth slab allocation of this task
 * made to fail, for N = 1, 2, ... until the path no longer reaches an Nth
 * allocation. Every failing run must return an error and leave the device
 * without dev->iommu or a group, or, where the core does without the
 * allocation, succeed in full; every run, failing or not, must give back
 * every reference it took on the IOMMU's DT node once the endpoint is
 * gone, and none may WARN. And a failed append must leave the fwspec as it
 * was.
 */
#include <kunit/of.h>
#include <kunit/test.h>
#include <linux/of.h>
#include <linux/of_iommu.h>
#include <linux/platform_device.h>
#include <linux/sched.h>

#include "../iommu-priv.h"
#include "failslab.h"
#include "fake_iommu.h"
#include "warn_count.h"

/* The IDs of the endpoint the sweep configures */
static const u32 ep_many_ids[] = { 0x11, 0x12, 0x13 };

struct fwspec_fail_nth_test {
	struct fake_iommu *a;
	struct device_node *ep;
};

static int fwspec_fail_nth_test_init(struct kunit *test)
{
	struct fwspec_fail_nth_test *t;
	struct device_node *np;

	kunit_watch_warns(test);
	kunit_failslab_for_fail_nth(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, iommu_of_kunit), 0);
	np = of_find_node_by_path("/fwspec-iommu-a");
	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);
	t->a = fake_iommu_create_of(test, &fake_iommu_ops, np);
	t->a->expect_ids = ep_many_ids;
	t->a->expect_num_ids = ARRAY_SIZE(ep_many_ids);
	/* Three entries: the fwspec is allocated and grown three times */
	t->ep = of_find_node_by_path("/fwspec-endpoints/fwspec-ep-many");
	KUNIT_ASSERT_NOT_NULL(test, t->ep);
	of_node_put_kunit(test, t->ep);
	test->priv = t;
	return 0;
}

/* A run that succeeded has the whole fwspec of /fwspec-ep-many, in order */
static void expect_ep_many_ids(struct kunit *test, struct device *dev, int n)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);

	KUNIT_ASSERT_NOT_NULL_MSG(test, fwspec, "run %d: success without a fwspec", n);
	KUNIT_EXPECT_EQ_MSG(test, fwspec->num_ids, ARRAY_SIZE(ep_many_ids), "run %d", n);
	if (fwspec->num_ids == ARRAY_SIZE(ep_many_ids))
		KUNIT_EXPECT_MEMEQ_MSG(test, fwspec->ids, ep_many_ids,
				       sizeof(ep_many_ids), "run %d", n);
}

static void fail_nth_configure_and_probe(struct kunit *test)
{
	struct fwspec_fail_nth_test *t = test->priv;
	unsigned int refs = kref_read(&t->a->np->kobj.kref);
	int warns = kernel_warn_count(test);
	int n, ret, failed_runs = 0, tolerated = 0;

	for (n = 1; n <= FAIL_NTH_MAX; n++) {
		struct platform_device *pdev;
		struct device *dev;
		bool injected;

		pdev = fake_endpoint_add(t->ep, "fwspec-fail-nth", n);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
		dev = &pdev->dev;

		current->fail_nth = n;
		ret = of_iommu_configure(dev, t->ep, NULL);
		injected = !current->fail_nth;
		current->fail_nth = 0;

		if (injected && !ret) {
			/*
			 * The core does without some allocations (the sysfs
			 * link between device and IOMMU, for one): then the
			 * device must be probed in full all the same.
			 */
			failed_runs++;
			tolerated++;
			KUNIT_EXPECT_NOT_NULL_MSG(test, dev->iommu_group,
						  "failure %d: success without a group", n);
			expect_ep_many_ids(test, dev, n);
		} else if (injected) {
			failed_runs++;
			KUNIT_EXPECT_NULL_MSG(test, dev->iommu,
					      "dev->iommu left after failure %d", n);
			KUNIT_EXPECT_NULL_MSG(test, dev->iommu_group,
					      "group left after failure %d", n);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "run %d, nothing injected", n);
			KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
			expect_ep_many_ids(test, dev, n);
		}

		platform_device_unregister(pdev);
		KUNIT_EXPECT_EQ_MSG(test, kref_read(&t->a->np->kobj.kref), refs,
				    "IOMMU node references leaked, failure %d", n);
		KUNIT_EXPECT_EQ_MSG(test, kernel_warn_count(test), warns,
				    "a WARN fired when allocation %d failed", n);
		if (!injected || test->status == KUNIT_FAILURE)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, n, FAIL_NTH_MAX, "the sweep did not end");
	expect_locked(test, t->a);
	/* alloc, three appends, dev->iommu, the group device: at least six */
	KUNIT_EXPECT_GE(test, failed_runs - tolerated, 6);
	kunit_info(test, "configure+probe made %d allocations, %d of them optional",
		   failed_runs, tolerated);
}

/* A failed append leaves the fwspec as it was, ready for a retry. */
static void fail_nth_append_ids_keeps_ids(struct kunit *test)
{
	struct fake_iommu *fake = fake_iommu_create(test, NULL);
	const u32 ids[] = { 1, 2, 3, 4 };
	struct iommu_fwspec *fwspec;
	int ret;

	fwspec = iommu_fwspec_alloc(&fake->fwnode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fwspec);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids, 2), 0);

	current->fail_nth = 1;
	ret = iommu_fwspec_append_ids(fwspec, ids + 2, 2);
	current->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 2);
	KUNIT_EXPECT_MEMEQ(test, fwspec->ids, ids, 2 * sizeof(*ids));

	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids + 2, 2), 0);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 4);
	KUNIT_EXPECT_MEMEQ(test, fwspec->ids, ids, sizeof(ids));
	iommu_fwspec_dealloc(fwspec);
	KUNIT_EXPECT_EQ(test, fake->fwnode_refs, 0);
}

static struct kunit_case iommu_fwspec_fail_nth_test_cases[] = {
	KUNIT_CASE(fail_nth_append_ids_keeps_ids),
	KUNIT_CASE_SLOW(fail_nth_configure_and_probe),
	{}
};

static struct kunit_suite iommu_fwspec_fail_nth_test_suite = {
	.name = "iommu_fwspec_fail_nth",
	.init = fwspec_fail_nth_test_init,
	.test_cases = iommu_fwspec_fail_nth_test_cases,
};

kunit_test_suite(iommu_fwspec_fail_nth_test_suite);

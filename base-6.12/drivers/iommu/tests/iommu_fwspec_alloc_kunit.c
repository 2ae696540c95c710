// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for a struct iommu_fwspec built on the side, as firmware code
 * does (iommu_fwspec_alloc/append_ids/dealloc), and handed to the core with
 * iommu_probe_device_fwspec(); and for its IDs in an allocation of their
 * own, which keeps a fwspec in place when the device's grows.
 *
 * As in iommu_fwspec_kunit.c, the fake instances' fwnodes count their
 * references and the devices are KUnit devices, which the core never probes.
 */
#include <kunit/test.h>
#include <linux/device.h>

#include "../iommu-priv.h"
#include "fake_fwspec.h"
#include "warn_count.h"

struct fwspec_alloc_test {
	struct fake_iommu *smmu;	/* registered with the core */
	struct fake_iommu *absent;	/* never registered */
	struct device *dev;
};

static int fwspec_alloc_test_init(struct kunit *test)
{
	struct fwspec_alloc_test *t;

	kunit_watch_warns(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->smmu = fake_iommu_create(test, &fake_iommu_ops);
	t->absent = fake_iommu_create(test, NULL);
	t->dev = fake_kunit_endpoint(test, "fwspec-alloc-endpoint");
	test->priv = t;
	return 0;
}

static void fwspec_alloc_records_fwnode(struct kunit *test)
{
	struct fwspec_alloc_test *t = test->priv;
	struct iommu_fwspec *fwspec;

	fwspec = iommu_fwspec_alloc(&t->smmu->fwnode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fwspec);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 0);
	KUNIT_EXPECT_EQ(test, fwspec->flags, 0);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);

	iommu_fwspec_dealloc(fwspec);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);
	/* Building a fwspec never touches the device */
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
}

/*
 * NULL and error pointers, which callers pass on from iommu_fwspec_alloc(),
 * are no fwspec: freeing them touches nothing (a real fwspec alongside
 * keeps its reference and its IDs), and WARNs not (the suite's watch).
 */
static void fwspec_dealloc_null_and_err_ptr(struct kunit *test)
{
	struct fwspec_alloc_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 4);

	iommu_fwspec_dealloc(NULL);
	iommu_fwspec_dealloc(ERR_PTR(-ENOMEM));
	iommu_fwspec_dealloc(ERR_PTR(-EPROBE_DEFER));
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 1);
	KUNIT_EXPECT_EQ(test, fwspec->ids[0], 4);

	iommu_fwspec_dealloc(fwspec);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);
}

/*
 * The IDs grow in an allocation of their own: the fwspec itself stays where
 * it is, on the side and once installed in dev->iommu, where drivers may
 * hold a pointer to it across a later iommu_fwspec_add_ids().
 */
static void fwspec_append_ids_keeps_fwspec_in_place(struct kunit *test)
{
	struct fwspec_alloc_test *t = test->priv;
	struct iommu_fwspec *fwspec, *installed;
	u32 ids[3] = { 5, 6, 7 }, many[40];
	unsigned int i;

	fwspec = iommu_fwspec_alloc(&t->smmu->fwnode);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fwspec);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids, 1), 0);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids + 1, 2), 0);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids, 0), 0);
	KUNIT_EXPECT_EQ(test, iommu_fwspec_append_ids(fwspec, ids, -1), -EINVAL);
	KUNIT_ASSERT_EQ(test, fwspec->num_ids, 3);
	KUNIT_EXPECT_MEMEQ(test, fwspec->ids, ids, sizeof(ids));
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	iommu_fwspec_dealloc(fwspec);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);

	/*
	 * Installed: growing it keeps dev_iommu_fwspec_get() the same. Past
	 * four IDs, a fwspec with its IDs inline would outgrow the 32-byte
	 * slab object it started in, and krealloc() would move it.
	 */
	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	installed = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, installed);
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = 100 + i;
	KUNIT_ASSERT_EQ(test, fake_fwspec_add_ids_locked(t->dev, many, 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test, fake_fwspec_add_ids_locked(t->dev, many + 1, 2), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test,
			fake_fwspec_add_ids_locked(t->dev, many + 3,
						   ARRAY_SIZE(many) - 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test, installed->num_ids, ARRAY_SIZE(many));
	KUNIT_EXPECT_MEMEQ(test, installed->ids, many, sizeof(many));
}

/* Ownership passes even on failure: nothing leaks, dev->iommu untouched. */
static void probe_fwspec_unregistered_iommu_defers(struct kunit *test)
{
	struct fwspec_alloc_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->absent, 9);

	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 1);

	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec),
			-EPROBE_DEFER);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 0);
}

static void probe_fwspec_null_and_err_ptr(struct kunit *test)
{
	struct fwspec_alloc_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, ERR_PTR(-ENOMEM)),
			-ENOMEM);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
}

static struct kunit_case iommu_fwspec_alloc_test_cases[] = {
	KUNIT_CASE(fwspec_alloc_records_fwnode),
	KUNIT_CASE(fwspec_dealloc_null_and_err_ptr),
	KUNIT_CASE(fwspec_append_ids_keeps_fwspec_in_place),
	KUNIT_CASE(probe_fwspec_unregistered_iommu_defers),
	KUNIT_CASE(probe_fwspec_null_and_err_ptr),
	{}
};

static struct kunit_suite iommu_fwspec_alloc_test_suite = {
	.name = "iommu_fwspec_alloc",
	.init = fwspec_alloc_test_init,
	.test_cases = iommu_fwspec_alloc_test_cases,
};

kunit_test_suite(iommu_fwspec_alloc_test_suite);

MODULE_DESCRIPTION("KUnit tests for iommu_fwspec built on the side");
MODULE_LICENSE("GPL");

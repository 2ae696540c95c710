// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for struct iommu_fwspec: the description firmware code builds,
 * in the device (iommu_fwspec_init/add_ids), of which IOMMU translates it
 * and with which IDs.
 *
 * Fake IOMMU instances (fake_iommu.c) are registered with the core on fake
 * fwnodes whose get/put count references, so the tests see exactly what the
 * fwspec code takes and gives back. The devices are KUnit devices: they sit
 * on the KUnit bus, which the IOMMU core never probes, so only the fwspec
 * code under test touches their dev->iommu.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/mutex.h>

#include "../iommu-priv.h"
#include "fake_iommu.h"
#include "warn_count.h"

struct fwspec_test {
	struct fake_iommu *smmu;	/* registered with the core */
	struct fake_iommu *other;	/* registered, with another driver */
	struct fake_iommu *absent;	/* never registered */
	struct device *dev;
};

static int fwspec_test_init(struct kunit *test)
{
	struct fwspec_test *t;

	kunit_watch_warns(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->smmu = fake_iommu_create(test, &fake_iommu_ops);
	t->other = fake_iommu_create(test, &fake_other_iommu_ops);
	t->absent = fake_iommu_create(test, NULL);

	t->dev = fake_kunit_endpoint(test, "fwspec-endpoint");
	test->priv = t;
	return 0;
}

static void fwspec_init_records_fwnode(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);

	fwspec = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, fwspec);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 0);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void fwspec_init_unregistered_iommu_defers(struct kunit *test)
{
	struct fwspec_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, fake_fwspec_init_locked(t->dev, t->absent),
			-EPROBE_DEFER);
	KUNIT_EXPECT_NULL(test, dev_iommu_fwspec_get(t->dev));
	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 0);
}

static void fwspec_init_twice_same_iommu_keeps_fwspec(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *first;
	const u32 id = 7;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_ASSERT_EQ(test, fake_fwspec_add_ids_locked(t->dev, &id, 1), 0);
	first = dev_iommu_fwspec_get(t->dev);

	KUNIT_EXPECT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), first);
	KUNIT_EXPECT_EQ(test, first->num_ids, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void fwspec_init_other_driver_rejected(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_EQ(test, fake_fwspec_init_locked(t->dev, t->other), -EINVAL);

	fwspec = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, fwspec);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	KUNIT_EXPECT_EQ(test, t->other->fwnode_refs, 0);
}

static void fwspec_add_ids_one(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;
	const u32 id = 0x42;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_ASSERT_EQ(test, fake_fwspec_add_ids_locked(t->dev, &id, 1), 0);

	fwspec = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_EQ(test, fwspec->num_ids, 1);
	KUNIT_EXPECT_EQ(test, fwspec->ids[0], 0x42);
}

/* Growth reallocates the fwspec: earlier IDs must survive, in order. */
static void fwspec_add_ids_many_keeps_order(struct kunit *test)
{
	const unsigned int chunks[] = { 1, 2, 61, 500, 436 };
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;
	unsigned int i, c, next = 0;
	u32 *ids;

	ids = kunit_kmalloc_array(test, 1000, sizeof(*ids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ids);
	for (i = 0; i < 1000; i++)
		ids[i] = 0xabc00000 + i * 3;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		KUNIT_ASSERT_EQ(test,
				fake_fwspec_add_ids_locked(t->dev, &ids[next],
							   chunks[c]), 0);
		next += chunks[c];
		KUNIT_ASSERT_EQ(test, dev_iommu_fwspec_get(t->dev)->num_ids, next);
	}
	KUNIT_ASSERT_EQ(test, next, 1000);

	fwspec = dev_iommu_fwspec_get(t->dev);
	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_EQ_MSG(test, fwspec->ids[i], ids[i], "id %u", i);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void fwspec_add_zero_ids(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	const u32 id = 3;

	KUNIT_ASSERT_EQ(test, fake_fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_EQ(test, fake_fwspec_add_ids_locked(t->dev, &id, 0), 0);
	KUNIT_EXPECT_EQ(test, dev_iommu_fwspec_get(t->dev)->num_ids, 0);
}

static void fwspec_add_ids_without_fwspec_fails(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	const u32 id = 1;

	KUNIT_EXPECT_EQ(test, fake_fwspec_add_ids_locked(t->dev, &id, 1), -EINVAL);
	KUNIT_EXPECT_NULL(test, dev_iommu_fwspec_get(t->dev));
}

static struct kunit_case iommu_fwspec_test_cases[] = {
	KUNIT_CASE(fwspec_init_records_fwnode),
	KUNIT_CASE(fwspec_init_unregistered_iommu_defers),
	KUNIT_CASE(fwspec_init_twice_same_iommu_keeps_fwspec),
	KUNIT_CASE(fwspec_init_other_driver_rejected),
	KUNIT_CASE(fwspec_add_ids_one),
	KUNIT_CASE(fwspec_add_ids_many_keeps_order),
	KUNIT_CASE(fwspec_add_zero_ids),
	KUNIT_CASE(fwspec_add_ids_without_fwspec_fails),
	{}
};

static struct kunit_suite iommu_fwspec_test_suite = {
	.name = "iommu_fwspec",
	.init = fwspec_test_init,
	.test_cases = iommu_fwspec_test_cases,
};

kunit_test_suite(iommu_fwspec_test_suite);

MODULE_DESCRIPTION("KUnit tests for iommu_fwspec");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for struct iommu_fwspec: the description firmware code builds
 * of which IOMMU translates a device and with which IDs, on its own
 * (iommu_fwspec_alloc/append_ids/dealloc, then iommu_probe_device_fwspec)
 * or, as drivers that build it in probe_device still do, in the device
 * (iommu_fwspec_init/add_ids).
 *
 * Fake IOMMU instances (fake_iommu.c) are registered with the core on fake
 * fwnodes whose get/put count references, so the tests see exactly what the
 * fwspec code takes and gives back. The devices are KUnit devices: they sit
 * on the KUnit bus, which the IOMMU core never probes, so only the fwspec
 * code under test touches their dev->iommu.
 */
#include <kunit/device.h>
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

	t->dev = kunit_device_register(test, "fwspec-endpoint");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_dev_iommu_free,
							t->dev), 0);
	test->priv = t;
	return 0;
}

/* Firmware code calls iommu_fwspec_init() under iommu_probe_device_lock. */
static int fwspec_init_locked(struct device *dev, struct fake_iommu *fake)
{
	int ret;

	mutex_lock(&iommu_probe_device_lock);
	ret = iommu_fwspec_init(dev, &fake->fwnode);
	mutex_unlock(&iommu_probe_device_lock);
	return ret;
}

static int fwspec_add_ids_locked(struct device *dev, const u32 *ids, int num)
{
	int ret;

	mutex_lock(&iommu_probe_device_lock);
	ret = iommu_fwspec_add_ids(dev, ids, num);
	mutex_unlock(&iommu_probe_device_lock);
	return ret;
}

static void fwspec_init_records_fwnode(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);

	fwspec = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, fwspec);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, &t->smmu->fwnode);
	KUNIT_EXPECT_EQ(test, fwspec->num_ids, 0);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void fwspec_init_unregistered_iommu_defers(struct kunit *test)
{
	struct fwspec_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, fwspec_init_locked(t->dev, t->absent),
			-EPROBE_DEFER);
	KUNIT_EXPECT_NULL(test, dev_iommu_fwspec_get(t->dev));
	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 0);
}

static void fwspec_init_twice_same_iommu_keeps_fwspec(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *first;
	const u32 id = 7;

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, &id, 1), 0);
	first = dev_iommu_fwspec_get(t->dev);

	KUNIT_EXPECT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), first);
	KUNIT_EXPECT_EQ(test, first->num_ids, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void fwspec_init_other_driver_rejected(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec;

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_EQ(test, fwspec_init_locked(t->dev, t->other), -EINVAL);

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

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, &id, 1), 0);

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

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, &ids[next],
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

	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	KUNIT_EXPECT_EQ(test, fwspec_add_ids_locked(t->dev, &id, 0), 0);
	KUNIT_EXPECT_EQ(test, dev_iommu_fwspec_get(t->dev)->num_ids, 0);
}

static void fwspec_add_ids_without_fwspec_fails(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	const u32 id = 1;

	KUNIT_EXPECT_EQ(test, fwspec_add_ids_locked(t->dev, &id, 1), -EINVAL);
	KUNIT_EXPECT_NULL(test, dev_iommu_fwspec_get(t->dev));
}

static void fwspec_alloc_records_fwnode(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
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

/* Error paths pass the result of iommu_fwspec_alloc() unchecked: no crash. */
/*
 * NULL and error pointers, which callers pass on from iommu_fwspec_alloc(),
 * are no fwspec: freeing them touches nothing (a real fwspec alongside
 * keeps its reference and its IDs), and WARNs not (the suite's watch).
 */
static void fwspec_dealloc_null_and_err_ptr(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
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
	struct fwspec_test *t = test->priv;
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
	KUNIT_ASSERT_EQ(test, fwspec_init_locked(t->dev, t->smmu), 0);
	installed = dev_iommu_fwspec_get(t->dev);
	KUNIT_ASSERT_NOT_NULL(test, installed);
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = 100 + i;
	KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, many, 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, many + 1, 2), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test, fwspec_add_ids_locked(t->dev, many + 3,
						    ARRAY_SIZE(many) - 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), installed);
	KUNIT_ASSERT_EQ(test, installed->num_ids, ARRAY_SIZE(many));
	KUNIT_EXPECT_MEMEQ(test, installed->ids, many, sizeof(many));
}

/* Ownership passes even on failure: nothing leaks, dev->iommu untouched. */
static void probe_fwspec_unregistered_iommu_defers(struct kunit *test)
{
	struct fwspec_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->absent, 9);

	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 1);

	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec),
			-EPROBE_DEFER);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
	KUNIT_EXPECT_EQ(test, t->absent->fwnode_refs, 0);
}

static void probe_fwspec_null_and_err_ptr(struct kunit *test)
{
	struct fwspec_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, ERR_PTR(-ENOMEM)),
			-ENOMEM);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
}

static struct kunit_case iommu_fwspec_test_cases[] = {
	KUNIT_CASE(fwspec_alloc_records_fwnode),
	KUNIT_CASE(fwspec_dealloc_null_and_err_ptr),
	KUNIT_CASE(fwspec_append_ids_keeps_fwspec_in_place),
	KUNIT_CASE(probe_fwspec_unregistered_iommu_defers),
	KUNIT_CASE(probe_fwspec_null_and_err_ptr),
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

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake IOMMU driver of the KUnit tests. Its instances are found by the
 * core like any other, through their fwnode; devices probed by it join a
 * group of their own and get an identity default domain that accepts every
 * attach.
 */
#include <kunit/resource.h>
#include <linux/mutex.h>

#include "fake_iommu.h"

static struct fwnode_handle *fake_fwnode_get(struct fwnode_handle *fwnode)
{
	container_of(fwnode, struct fake_iommu, fwnode)->fwnode_refs++;
	return fwnode;
}

static void fake_fwnode_put(struct fwnode_handle *fwnode)
{
	container_of(fwnode, struct fake_iommu, fwnode)->fwnode_refs--;
}

static const struct fwnode_operations fake_fwnode_ops = {
	.get = fake_fwnode_get,
	.put = fake_fwnode_put,
};

static struct fake_iommu *to_fake(struct device *dev)
{
	return container_of(dev_iommu_fwspec_get(dev)->iommu_fwnode,
			    struct fake_iommu, fwnode);
}

static struct iommu_device *fake_probe_device(struct device *dev)
{
	struct fake_iommu *fake = to_fake(dev);

	fake->probe_calls++;
	if (!mutex_is_locked(&iommu_probe_device_lock))
		fake->probe_unlocked = true;
	if (fake->probe_error)
		return ERR_PTR(fake->probe_error);
	return &fake->iommu;
}

static void fake_release_device(struct device *dev)
{
	to_fake(dev)->release_calls++;
}

static int fake_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	return 0;
}

static const struct iommu_domain_ops fake_identity_ops = {
	.attach_dev = fake_attach_dev,
};

static struct iommu_domain fake_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &fake_identity_ops,
};

/* The core tells drivers apart by their ops: two copies, two drivers. */
#define FAKE_IOMMU_OPS {					\
	.owner = THIS_MODULE,					\
	.probe_device = fake_probe_device,			\
	.release_device = fake_release_device,			\
	.device_group = generic_single_device_group,		\
	.default_domain = &fake_identity_domain,		\
	.identity_domain = &fake_identity_domain,		\
}

const struct iommu_ops fake_iommu_ops = FAKE_IOMMU_OPS;
const struct iommu_ops fake_other_iommu_ops = FAKE_IOMMU_OPS;

static void fake_iommu_unregister(void *data)
{
	struct fake_iommu *fake = data;

	iommu_device_unregister(&fake->iommu);
	iommu_device_sysfs_remove(&fake->iommu);
}

static atomic_t fake_iommu_ids = ATOMIC_INIT(0);

struct fake_iommu *fake_iommu_create(struct kunit *test,
				     const struct iommu_ops *ops)
{
	struct fake_iommu *fake;

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	fwnode_init(&fake->fwnode, &fake_fwnode_ops);
	if (!ops)
		return fake;

	/* iommu_device_link() needs the sysfs device */
	KUNIT_ASSERT_EQ(test, iommu_device_sysfs_add(&fake->iommu, NULL, NULL,
						     "fake-iommu.%d",
						     atomic_inc_return(&fake_iommu_ids)), 0);
	/* No hwdev: the core then keeps the fwnode set here */
	fake->iommu.fwnode = &fake->fwnode;
	if (iommu_device_register(&fake->iommu, ops, NULL)) {
		iommu_device_sysfs_remove(&fake->iommu);
		KUNIT_FAIL_AND_ABORT(test, "iommu_device_register() failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_iommu_unregister,
							fake), 0);
	return fake;
}

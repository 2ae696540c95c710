// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for iommu_probe_device_fwspec(): firmware code hands the
 * fwspec it built to the core, which installs it and probes the device with
 * the fake IOMMU driver (fake_iommu.c). The endpoints are platform devices,
 * so the core's bus notifier releases them from the IOMMU when they go.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/platform_device.h>

#include "fake_fwspec.h"
#include "warn_count.h"

struct probe_test {
	struct fake_iommu *smmu;
	struct platform_device *pdev;
	struct device *dev;
};

static void unregister_pdev(void *data)
{
	platform_device_unregister(data);
}

static int probe_test_init(struct kunit *test)
{
	static atomic_t ids = ATOMIC_INIT(0);
	struct probe_test *t;

	kunit_watch_warns(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->smmu = fake_iommu_create(test, &fake_iommu_ops);

	/* Added before the fwspec exists: the core's own probe finds none */
	t->pdev = platform_device_register_simple("fwspec-probe-endpoint",
						  atomic_inc_return(&ids), NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->pdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_pdev,
							t->pdev), 0);
	t->dev = &t->pdev->dev;
	KUNIT_ASSERT_NULL(test, t->dev->iommu);
	test->priv = t;
	return 0;
}

static void probe_fwspec_installs_and_joins_group(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 0x10);

	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec), 0);

	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), fwspec);
	KUNIT_EXPECT_NOT_NULL(test, t->dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->smmu->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->finalize_calls, 1);
	expect_locked(test, t->smmu);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static void probe_fwspec_failure_frees_fwspec(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 0x11);

	t->smmu->probe_error = -EIO;
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec), -EIO);

	KUNIT_EXPECT_EQ(test, t->smmu->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->finalize_calls, 0);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
	KUNIT_EXPECT_NULL(test, t->dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);
	expect_locked(test, t->smmu);
}

/* A driver probing again (after a deferral, say) must not probe twice. */
static void probe_fwspec_probed_device_is_noop(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *first = fake_fwspec_with_id(test, t->smmu, 0x12);
	struct iommu_fwspec *again;
	struct iommu_group *group;

	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(t->dev, first), 0);
	group = t->dev->iommu_group;

	again = fake_fwspec_with_id(test, t->smmu, 0x13);
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, again), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(t->dev), first);
	KUNIT_EXPECT_EQ(test, first->ids[0], 0x12);
	KUNIT_EXPECT_PTR_EQ(test, t->dev->iommu_group, group);
	KUNIT_EXPECT_EQ(test, t->smmu->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->finalize_calls, 1);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
	expect_locked(test, t->smmu);
}

static void probe_fwspec_release_frees_everything(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 0x14);

	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec), 0);

	/* Take the device away now rather than at the end of the test */
	kunit_release_action(test, unregister_pdev, t->pdev);
	KUNIT_EXPECT_EQ(test, t->smmu->release_calls, 1);
	expect_locked(test, t->smmu);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);
}

/*
 * An IOMMU driver going away releases the devices it translates, under the
 * lock that probe holds, so that no probe runs against it meanwhile; a
 * probe after that finds no IOMMU and defers.
 */
static void probe_fwspec_unregister_releases_under_lock(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 0x17);

	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec), 0);

	fake_iommu_unregister(t->smmu);
	KUNIT_EXPECT_EQ(test, t->smmu->release_calls, 1);
	expect_locked(test, t->smmu);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
	KUNIT_EXPECT_NULL(test, t->dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);

	fwspec = fake_fwspec_with_id(test, t->smmu, 0x18);
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(t->dev, fwspec),
			-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, t->smmu->probe_calls, 1);
	KUNIT_EXPECT_NULL(test, t->dev->iommu);
}

/*
 * A device the bus walk cannot see, as one being removed is (device_del()
 * takes it off its bus's list before the bus notifier releases it), is
 * released all the same when its IOMMU unregisters: the instance keeps a
 * list of the devices it probed. Here the device is on the KUnit bus,
 * which the IOMMU core does not walk.
 */
static void probe_fwspec_unregister_releases_device_off_the_buses(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *fwspec = fake_fwspec_with_id(test, t->smmu, 0x19);
	struct device *dev;

	dev = fake_kunit_endpoint(test, "fwspec-off-the-buses");
	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(dev, fwspec), 0);
	KUNIT_ASSERT_NOT_NULL(test, dev->iommu_group);

	fake_iommu_unregister(t->smmu);
	KUNIT_EXPECT_EQ(test, t->smmu->release_calls, 1);
	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 0);
	expect_locked(test, t->smmu);
}

static void release_unbound_dev(struct device *dev)
{
}

static void put_unbound_dev(void *data)
{
	fake_dev_iommu_free(data);
	put_device(data);
}

/*
 * Firmware code may configure a device before it is added to its bus: the
 * fwspec is installed and the bus notifier probes the device later. A
 * second configuration before that keeps the first fwspec.
 */
static void probe_fwspec_not_on_bus_installs_only(struct kunit *test)
{
	struct probe_test *t = test->priv;
	struct iommu_fwspec *first = fake_fwspec_with_id(test, t->smmu, 0x15);
	struct iommu_fwspec *again;
	struct device *dev;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->release = release_unbound_dev;
	KUNIT_ASSERT_EQ(test, dev_set_name(dev, "fwspec-unbound"), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_unbound_dev,
							dev), 0);

	KUNIT_ASSERT_EQ(test, iommu_probe_device_fwspec(dev, first), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(dev), first);
	KUNIT_EXPECT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->smmu->probe_calls, 0);
	KUNIT_EXPECT_EQ(test, t->smmu->finalize_calls, 0);

	again = fake_fwspec_with_id(test, t->smmu, 0x16);
	KUNIT_EXPECT_EQ(test, iommu_probe_device_fwspec(dev, again), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(dev), first);
	KUNIT_EXPECT_EQ(test, first->ids[0], 0x15);
	KUNIT_EXPECT_EQ(test, t->smmu->fwnode_refs, 1);
}

static struct kunit_case iommu_probe_test_cases[] = {
	KUNIT_CASE(probe_fwspec_installs_and_joins_group),
	KUNIT_CASE(probe_fwspec_failure_frees_fwspec),
	KUNIT_CASE(probe_fwspec_probed_device_is_noop),
	KUNIT_CASE(probe_fwspec_release_frees_everything),
	KUNIT_CASE(probe_fwspec_unregister_releases_under_lock),
	KUNIT_CASE(probe_fwspec_unregister_releases_device_off_the_buses),
	KUNIT_CASE(probe_fwspec_not_on_bus_installs_only),
	{}
};

static struct kunit_suite iommu_probe_test_suite = {
	.name = "iommu_probe",
	.init = probe_test_init,
	.test_cases = iommu_probe_test_cases,
};

kunit_test_suite(iommu_probe_test_suite);

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the OF path end to end: of_dma_configure() and
 * of_iommu_configure() on the endpoints of a DT overlay
 * (iommu_of_kunit.dtso), whose IOMMU nodes carry fake IOMMU instances
 * (fake_iommu.c). of_dma_configure() folds every IOMMU error except
 * -EPROBE_DEFER into "no IOMMU"; the cases that check an error code call
 * of_iommu_configure(), which of_dma_configure() calls, directly.
 */
#include <kunit/of.h>
#include <kunit/test.h>
#include <linux/device/driver.h>
#include <linux/of.h>
#include <linux/of_device.h>
#include <linux/of_iommu.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>

#include "fake_iommu.h"
#include "warn_count.h"

struct of_test {
	struct fake_iommu *a, *b, *other, *cells0, *cells2;
	struct fake_iommu *disabled, *late, *legacy;
};

static struct fake_iommu *fake_on(struct kunit *test, const char *path,
				  const struct iommu_ops *ops)
{
	struct device_node *np = of_find_node_by_path(path);

	KUNIT_ASSERT_NOT_NULL_MSG(test, np, "%s is not in the overlay", path);
	of_node_put_kunit(test, np);
	return fake_iommu_create_of(test, ops, np);
}

static int of_test_init(struct kunit *test)
{
	struct of_test *t;

	kunit_watch_warns(test);
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, iommu_of_kunit), 0);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->a = fake_on(test, "/fwspec-iommu-a", &fake_iommu_ops);
	t->b = fake_on(test, "/fwspec-iommu-b", &fake_iommu_ops);
	t->other = fake_on(test, "/fwspec-iommu-other", &fake_other_iommu_ops);
	t->cells0 = fake_on(test, "/fwspec-iommu-cells0", &fake_iommu_ops);
	t->cells2 = fake_on(test, "/fwspec-iommu-cells2", &fake_iommu_ops);
	/* Registered, so only the node's status can make the core refuse it */
	t->disabled = fake_on(test, "/fwspec-iommu-disabled", &fake_iommu_ops);
	t->late = fake_on(test, "/fwspec-iommu-late", NULL);
	t->legacy = fake_on(test, "/fwspec-iommu-legacy", &fake_legacy_iommu_ops);
	test->priv = t;
	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(unregister_pdev, platform_device_unregister,
			    struct platform_device *);

/*
 * A new platform device for endpoint node @name of the overlay. Where the
 * IOMMU core configures a device it probes (on its addition, or when its
 * IOMMU registers), this one is configured already; elsewhere it is when a
 * driver binds, through of_dma_configure(), which the cases call: it
 * returns at once for a device configured before. Either way, the cases
 * check what configuring it did.
 */
static struct device *endpoint(struct kunit *test, const char *name)
{
	struct platform_device *pdev;
	struct device_node *np;
	char path[64];

	snprintf(path, sizeof(path), "/fwspec-endpoints/%s", name);
	np = of_find_node_by_path(path);
	KUNIT_ASSERT_NOT_NULL_MSG(test, np, "%s is not in the overlay", path);
	of_node_put_kunit(test, np);
	pdev = fake_endpoint_add(np, "fwspec-of-ep", PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_pdev,
							pdev), 0);
	return &pdev->dev;
}

static unsigned int node_refs(struct fake_iommu *fake)
{
	return kref_read(&fake->np->kobj.kref);
}

static void expect_ids(struct kunit *test, struct device *dev,
		       struct fake_iommu *fake, const u32 *ids,
		       unsigned int num_ids)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, fwspec);
	KUNIT_EXPECT_PTR_EQ(test, fwspec->iommu_fwnode, fake_iommu_fwnode(fake));
	KUNIT_ASSERT_EQ(test, fwspec->num_ids, num_ids);
	for (i = 0; i < num_ids; i++)
		KUNIT_EXPECT_EQ_MSG(test, fwspec->ids[i], ids[i], "ids[%u]", i);
}

static void of_one_entry_probes_device(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-one");
	const u32 ids[] = { 0x10 };

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	expect_ids(test, dev, t->a, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->a->xlate_calls, 1);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, t->a->group_calls, 1);
	expect_locked(test, t->a);
}

static void of_entries_on_one_iommu_keep_order(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-many");
	const u32 ids[] = { 0x11, 0x12, 0x13 };

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	expect_ids(test, dev, t->a, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_EQ(test, t->a->xlate_calls, 3);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 1);
	expect_locked(test, t->a);
}

/*
 * A device has one fwspec and so one IOMMU: entries on two instances of the
 * same driver go into the fwspec of the first, which the driver probes.
 */
static void of_entries_on_two_instances_share_fwspec(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-two-instances");
	const u32 ids[] = { 0x14, 0x15 };
	unsigned int b_refs = node_refs(t->b);

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	expect_ids(test, dev, t->a, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_EQ(test, t->a->xlate_calls, 1);
	KUNIT_EXPECT_EQ(test, t->b->xlate_calls, 1);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, t->b->probe_calls, 0);
	KUNIT_EXPECT_EQ(test, node_refs(t->b), b_refs);
}

/* Entries on two different drivers: refused, and nothing is left behind. */
static void of_entries_on_two_drivers_rejected(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-two-drivers");
	unsigned int a_refs = node_refs(t->a);

	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL),
			-EINVAL);

	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->other->xlate_calls, 0);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 0);
	KUNIT_EXPECT_EQ(test, node_refs(t->a), a_refs);
}

/*
 * Each cell of an "iommus" specifier is one ID to the fake driver.
 * (Not a parameterised case: the core's "Adding to iommu group" messages,
 * printed between the results, stop kunit.py from parsing those.)
 */
static void expect_cells_become_ids(struct kunit *test, const char *name,
				    struct fake_iommu *fake, const u32 *ids,
				    unsigned int num_ids)
{
	struct device *dev = endpoint(test, name);

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	expect_ids(test, dev, fake, ids, num_ids);
	KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
}

static void of_iommu_cells_0_no_ids(struct kunit *test)
{
	struct of_test *t = test->priv;

	expect_cells_become_ids(test, "fwspec-ep-cells0", t->cells0, NULL, 0);
}

static void of_iommu_cells_1_one_id(struct kunit *test)
{
	struct of_test *t = test->priv;
	const u32 ids[] = { 0x10 };

	expect_cells_become_ids(test, "fwspec-ep-one", t->a, ids, 1);
}

static void of_iommu_cells_2_two_ids(struct kunit *test)
{
	struct of_test *t = test->priv;
	const u32 ids[] = { 0x20, 0x21 };

	expect_cells_become_ids(test, "fwspec-ep-cells2", t->cells2, ids, 2);
}

static void of_disabled_iommu_is_no_iommu(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-disabled");
	unsigned int refs = node_refs(t->disabled);

	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->disabled->xlate_calls, 0);
	KUNIT_EXPECT_EQ(test, node_refs(t->disabled), refs);
}

/*
 * Until its IOMMU registers, the endpoint's probe is deferred; the driver
 * core's policy decides for how long, so the case expects what
 * driver_deferred_probe_check_state() says (-EPROBE_DEFER while the
 * deferral window after boot is open). Once the IOMMU is there, the
 * endpoint is configured, by the registration or at its next probe.
 */
static void of_unregistered_iommu_defers_then_probes(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-late");
	unsigned int refs = node_refs(t->late);
	const u32 ids[] = { 0x31 };
	int deferred = driver_deferred_probe_check_state(dev);

	if (deferred == -EPROBE_DEFER)
		KUNIT_EXPECT_EQ(test, of_dma_configure(dev, dev->of_node, true),
				-EPROBE_DEFER);
	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL),
			deferred);
	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_EQ(test, node_refs(t->late), refs);

	KUNIT_ASSERT_EQ(test, fake_iommu_register(t->late, &fake_iommu_ops), 0);
	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);
	expect_ids(test, dev, t->late, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->late->probe_calls, 1);
}

static void of_iommu_map_translates_id(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-map");
	const u32 ids[] = { 0x103 };
	u32 id = 0x3;

	KUNIT_ASSERT_EQ(test, of_dma_configure_id(dev, dev->of_node, true, &id),
			0);

	expect_ids(test, dev, t->a, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
	expect_locked(test, t->a);
}

/* A driver that still implements only ops->of_xlate() keeps working. */
static void of_legacy_of_xlate_still_works(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-legacy");
	const u32 ids[] = { 0x32 };

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);

	expect_ids(test, dev, t->legacy, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_NOT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->legacy->xlate_calls, 1);
	KUNIT_EXPECT_EQ(test, t->legacy->probe_calls, 1);
	expect_locked(test, t->legacy);
}

/*
 * A failure leaves the device as it was, so that a later configure starts
 * afresh: the knob is set before the endpoint is added, in case the core
 * configures it then, and the cases count the calls of their own
 * configure.
 */
static void of_xlate_failure_leaves_device_alone(struct kunit *test)
{
	struct of_test *t = test->priv;
	unsigned int refs = node_refs(t->a);
	struct device *dev;
	int xlates;

	t->a->xlate_error = -EIO;
	dev = endpoint(test, "fwspec-ep-many");
	xlates = t->a->xlate_calls;
	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL), -EIO);

	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_EQ(test, t->a->xlate_calls, xlates + 1);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 0);
	KUNIT_EXPECT_EQ(test, node_refs(t->a), refs);
}

static void of_legacy_xlate_failure_leaves_device_alone(struct kunit *test)
{
	struct of_test *t = test->priv;
	unsigned int refs = node_refs(t->legacy);
	struct device *dev;

	t->legacy->xlate_error = -EIO;
	dev = endpoint(test, "fwspec-ep-legacy");
	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL), -EIO);

	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_EQ(test, t->legacy->probe_calls, 0);
	KUNIT_EXPECT_EQ(test, node_refs(t->legacy), refs);
}

static void of_probe_failure_leaves_device_alone(struct kunit *test)
{
	struct of_test *t = test->priv;
	unsigned int refs = node_refs(t->a);
	struct device *dev;
	int probes;

	t->a->probe_error = -ENOSPC;
	dev = endpoint(test, "fwspec-ep-one");
	probes = t->a->probe_calls;
	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL),
			-ENOSPC);

	KUNIT_EXPECT_NULL(test, dev->iommu);
	KUNIT_EXPECT_NULL(test, dev->iommu_group);
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, probes + 1);
	KUNIT_EXPECT_EQ(test, node_refs(t->a), refs);
	expect_locked(test, t->a);
}

/* Probing again, as after a deferral elsewhere, keeps what was set up. */
static void of_configure_twice_is_noop(struct kunit *test)
{
	struct of_test *t = test->priv;
	struct device *dev = endpoint(test, "fwspec-ep-one");
	const u32 ids[] = { 0x10 };
	struct iommu_fwspec *fwspec;
	unsigned int refs;

	KUNIT_ASSERT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);
	fwspec = dev_iommu_fwspec_get(dev);
	refs = node_refs(t->a);

	KUNIT_EXPECT_EQ(test, of_dma_configure(dev, dev->of_node, true), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev_iommu_fwspec_get(dev), fwspec);
	expect_ids(test, dev, t->a, ids, ARRAY_SIZE(ids));
	KUNIT_EXPECT_EQ(test, t->a->probe_calls, 1);
	KUNIT_EXPECT_EQ(test, node_refs(t->a), refs);
}

static void of_no_iommus_property_is_no_iommu(struct kunit *test)
{
	struct device *dev = endpoint(test, "fwspec-ep-no-iommu");

	KUNIT_EXPECT_EQ(test, of_iommu_configure(dev, dev->of_node, NULL),
			-ENODEV);
	KUNIT_EXPECT_NULL(test, dev->iommu);
}

static struct kunit_case iommu_of_test_cases[] = {
	KUNIT_CASE(of_one_entry_probes_device),
	KUNIT_CASE(of_entries_on_one_iommu_keep_order),
	KUNIT_CASE(of_entries_on_two_instances_share_fwspec),
	KUNIT_CASE(of_entries_on_two_drivers_rejected),
	KUNIT_CASE(of_iommu_cells_0_no_ids),
	KUNIT_CASE(of_iommu_cells_1_one_id),
	KUNIT_CASE(of_iommu_cells_2_two_ids),
	KUNIT_CASE(of_disabled_iommu_is_no_iommu),
	KUNIT_CASE(of_unregistered_iommu_defers_then_probes),
	KUNIT_CASE(of_iommu_map_translates_id),
	KUNIT_CASE(of_legacy_of_xlate_still_works),
	KUNIT_CASE(of_xlate_failure_leaves_device_alone),
	KUNIT_CASE(of_legacy_xlate_failure_leaves_device_alone),
	KUNIT_CASE(of_probe_failure_leaves_device_alone),
	KUNIT_CASE(of_configure_twice_is_noop),
	KUNIT_CASE(of_no_iommus_property_is_no_iommu),
	{}
};

static struct kunit_suite iommu_of_test_suite = {
	.name = "iommu_of",
	.init = of_test_init,
	.test_cases = iommu_of_test_cases,
};

kunit_test_suite(iommu_of_test_suite);

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake IOMMU driver for the KUnit tests: a real iommu_device registered
 * with the core, on a fake fwnode or on a DT node, with knobs to make its
 * callbacks fail and counters of what the core asked of it.
 */
#ifndef _IOMMU_TESTS_FAKE_IOMMU_H
#define _IOMMU_TESTS_FAKE_IOMMU_H

#include <kunit/test.h>
#include <linux/fwnode.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/of.h>

struct fake_iommu {
	/* get/put on it count references, so leaks show in fwnode_refs */
	struct fwnode_handle fwnode;
	int fwnode_refs;
	/* the DT node the instance is on, instead of fwnode; or NULL */
	struct device_node *np;
	struct iommu_device iommu;
	bool registered;
	struct list_head node;		/* in fake_iommus */

	/* knobs */
	int probe_error;		/* probe_device fails with this */
	int xlate_error;		/* its xlate fails with this */
	/* probe_device sleeps up to this long, to widen race windows */
	unsigned int probe_delay_us;
	/*
	 * When set, every device probed must have exactly these IDs, in
	 * this order: a probe of a fwspec still being built is a breach.
	 */
	const u32 *expect_ids;
	unsigned int expect_num_ids;

	/* what the core did */
	int probe_calls;
	int release_calls;
	int finalize_calls;
	int group_calls;
	int xlate_calls;
	/* callbacks that ran without iommu_probe_device_lock, the last one */
	int unlocked_calls;
	const char *unlocked_op;
	/*
	 * Breaches of what the core promises a driver, the first one: two
	 * probe_device calls at once, a second probe of a probed device,
	 * probe_finalize for a device not probed (or whose probe failed) or
	 * twice per probe, release_device of a device not probed, a probe
	 * of an incomplete fwspec.
	 */
	spinlock_t lock;		/* the counters, breaches, probing */
	int breaches;
	const char *breach;
	int probing;			/* probe_device calls running now */
};

/* What the fake driver keeps of a device it probed (dev_iommu_priv) */
struct fake_endpoint {
	struct fake_iommu *fake;
	bool finalized;
};

/* The fake driver's callbacks; fake_iommu_ops.c makes drivers of them. */
struct iommu_device *fake_probe_device(struct device *dev);
void fake_probe_finalize(struct device *dev);
void fake_release_device(struct device *dev);
struct iommu_group *fake_device_group(struct device *dev);
int fake_of_xlate(struct device *dev, const struct of_phandle_args *args);
/* An xlate of the instance @args names, counted: its xlate_error */
int fake_xlate_counted(const struct of_phandle_args *args, const char *op);

/* In fake_iommu_ops.c, which defines fake_identity_domain before */
#define FAKE_IOMMU_OPS						\
	.owner = THIS_MODULE,					\
	.probe_device = fake_probe_device,			\
	.probe_finalize = fake_probe_finalize,			\
	.release_device = fake_release_device,			\
	.device_group = fake_device_group,			\
	.default_domain = &fake_identity_domain,		\
	.identity_domain = &fake_identity_domain

/*
 * The fake driver; a second driver the core must tell apart from it; and a
 * third that implements only ops->of_xlate(), which drivers not converted
 * to a newer interface keep.
 */
extern const struct iommu_ops fake_iommu_ops;
extern const struct iommu_ops fake_other_iommu_ops;
extern const struct iommu_ops fake_legacy_iommu_ops;

/*
 * A fake IOMMU instance, registered with @ops (NULL: not registered) and
 * unregistered when the test ends.
 */
struct fake_iommu *fake_iommu_create(struct kunit *test,
				     const struct iommu_ops *ops);

/* The same on DT node @np: the core finds it through of_fwnode_handle(np). */
struct fake_iommu *fake_iommu_create_of(struct kunit *test,
					const struct iommu_ops *ops,
					struct device_node *np);

/* Register or unregister an instance made by one of the above. */
int fake_iommu_register(struct fake_iommu *fake, const struct iommu_ops *ops);
void fake_iommu_unregister(struct fake_iommu *fake);

/*
 * A new platform device named @name.@id for endpoint node @np, added to the
 * platform bus; platform_device_unregister() it when done. ERR_PTR on
 * failure. Unlike the overlay's own devices there can be any number of
 * them, so each run of a test can start from a device never configured.
 */
struct platform_device *fake_endpoint_add(struct device_node *np,
					  const char *name, int id);

/*
 * A device on the KUnit bus, which the IOMMU core neither walks nor
 * watches, for the fwspec code alone to configure; whatever it is left
 * with in dev->iommu is freed when the test ends.
 */
struct device *fake_kunit_endpoint(struct kunit *test, const char *name);

/*
 * Free whatever a test left in dev->iommu, under iommu_probe_device_lock,
 * as the core's release of the device would. A void * argument, so that it
 * can be a KUnit action too.
 */
void fake_dev_iommu_free(void *dev);

/*
 * iommu_fwspec_init() and iommu_fwspec_add_ids() under
 * iommu_probe_device_lock, as firmware code calls them
 */
int fake_fwspec_init_locked(struct device *dev, struct fake_iommu *fake);
int fake_fwspec_add_ids_locked(struct device *dev, const u32 *ids, int num);

/* The core kept its contract with @fake (struct fake_iommu, breaches). */
static inline void expect_no_breach(struct kunit *test, struct fake_iommu *fake)
{
	KUNIT_EXPECT_EQ_MSG(test, fake->breaches, 0, "%s", fake->breach);
}

/*
 * Every callback the core made into @fake held iommu_probe_device_lock, and
 * none broke the contract.
 */
static inline void expect_locked(struct kunit *test, struct fake_iommu *fake)
{
	KUNIT_EXPECT_EQ_MSG(test, fake->unlocked_calls, 0,
			    "%s ran without iommu_probe_device_lock",
			    fake->unlocked_op);
	expect_no_breach(test, fake);
}

/* The fwnode the core knows the instance by. */
struct fwnode_handle *fake_iommu_fwnode(struct fake_iommu *fake);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake IOMMU driver of the KUnit tests. Its instances are found by the
 * core like any other, through their fwnode; devices probed by it join the
 * instance's one group and get an identity default domain that accepts
 * every attach. Every callback notes whether it ran with iommu_probe_device_lock
 * held, which is what the core promises drivers on the probe path, and
 * whether the core kept the rest of its contract with drivers: one probe
 * of a device at a time and none of a device probed already, one
 * probe_finalize per successful probe and none after a failed one, and a
 * release only of what it probed (see struct fake_iommu).
 */
#include <kunit/device.h>
#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../iommu-priv.h"
#include "fake_iommu.h"

static LIST_HEAD(fake_iommus);
static DEFINE_SPINLOCK(fake_iommus_lock);

/* The race suite's threads call into the fake at once: count under its lock */
static void fake_count(struct fake_iommu *fake, int *counter, int by)
{
	spin_lock(&fake->lock);
	*counter += by;
	spin_unlock(&fake->lock);
}

static struct fwnode_handle *fake_fwnode_get(struct fwnode_handle *fwnode)
{
	struct fake_iommu *fake = container_of(fwnode, struct fake_iommu, fwnode);

	fake_count(fake, &fake->fwnode_refs, 1);
	return fwnode;
}

static void fake_fwnode_put(struct fwnode_handle *fwnode)
{
	struct fake_iommu *fake = container_of(fwnode, struct fake_iommu, fwnode);

	fake_count(fake, &fake->fwnode_refs, -1);
}

static const struct fwnode_operations fake_fwnode_ops = {
	.get = fake_fwnode_get,
	.put = fake_fwnode_put,
};

struct fwnode_handle *fake_iommu_fwnode(struct fake_iommu *fake)
{
	return fake->np ? of_fwnode_handle(fake->np) : &fake->fwnode;
}

struct platform_device *fake_endpoint_add(struct device_node *np,
					  const char *name, int id)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_alloc(name, id);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	/* The platform device puts its node when it goes */
	device_set_node(&pdev->dev, of_fwnode_handle(of_node_get(np)));
	ret = platform_device_add(pdev);
	if (ret) {
		platform_device_put(pdev);
		return ERR_PTR(ret);
	}
	return pdev;
}

struct device *fake_kunit_endpoint(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_dev_iommu_free,
							dev), 0);
	return dev;
}

int fake_fwspec_init_locked(struct device *dev, struct fake_iommu *fake)
{
	int ret;

	mutex_lock(&iommu_probe_device_lock);
	ret = iommu_fwspec_init(dev, &fake->fwnode);
	mutex_unlock(&iommu_probe_device_lock);
	return ret;
}

int fake_fwspec_add_ids_locked(struct device *dev, const u32 *ids, int num)
{
	int ret;

	mutex_lock(&iommu_probe_device_lock);
	ret = iommu_fwspec_add_ids(dev, ids, num);
	mutex_unlock(&iommu_probe_device_lock);
	return ret;
}

void fake_dev_iommu_free(void *data)
{
	struct device *dev = data;

	mutex_lock(&iommu_probe_device_lock);
	if (dev->iommu)
		dev_iommu_free(dev);
	mutex_unlock(&iommu_probe_device_lock);
}

static struct fake_iommu *fake_from_fwnode(struct fwnode_handle *fwnode)
{
	struct fake_iommu *fake, *found = NULL;

	spin_lock(&fake_iommus_lock);
	list_for_each_entry(fake, &fake_iommus, node) {
		if (fake_iommu_fwnode(fake) == fwnode) {
			found = fake;
			break;
		}
	}
	spin_unlock(&fake_iommus_lock);
	return found;
}

/*
 * lockdep knows whether this task holds the lock; without lockdep the best
 * we can say is that somebody does.
 */
static void fake_note_lock(struct fake_iommu *fake, const char *op)
{
	bool held;

	if (IS_ENABLED(CONFIG_LOCKDEP))
		held = lockdep_is_held(&iommu_probe_device_lock);
	else
		held = mutex_is_locked(&iommu_probe_device_lock);
	if (!held) {
		spin_lock(&fake->lock);
		fake->unlocked_calls++;
		fake->unlocked_op = op;
		spin_unlock(&fake->lock);
	}
}

static struct fake_iommu *to_fake(struct device *dev)
{
	return fake_from_fwnode(dev_iommu_fwspec_get(dev)->iommu_fwnode);
}

static void fake_breach(struct fake_iommu *fake, const char *what)
{
	spin_lock(&fake->lock);
	if (!fake->breaches++)
		fake->breach = what;
	spin_unlock(&fake->lock);
}

static bool fake_ids_complete(struct fake_iommu *fake, struct iommu_fwspec *fwspec)
{
	return fwspec->num_ids == fake->expect_num_ids &&
	       !memcmp(fwspec->ids, fake->expect_ids,
		       fake->expect_num_ids * sizeof(*fwspec->ids));
}

struct iommu_device *fake_probe_device(struct device *dev)
{
	struct fake_iommu *fake = to_fake(dev);
	struct fake_endpoint *ep;
	bool concurrent;

	fake_count(fake, &fake->probe_calls, 1);
	fake_note_lock(fake, "probe_device");
	spin_lock(&fake->lock);
	concurrent = fake->probing++;
	spin_unlock(&fake->lock);
	if (concurrent)
		fake_breach(fake, "two probe_device calls ran at once");
	if (dev_iommu_priv_get(dev))
		fake_breach(fake, "probe_device of a device probed already");
	if (fake->expect_ids && !fake_ids_complete(fake, dev_iommu_fwspec_get(dev)))
		fake_breach(fake, "probe_device of a device whose fwspec is incomplete");
	if (fake->probe_delay_us)
		usleep_range(1, 1 + get_random_u32_below(fake->probe_delay_us));

	ep = fake->probe_error ? NULL : kzalloc(sizeof(*ep), GFP_KERNEL);
	spin_lock(&fake->lock);
	fake->probing--;
	spin_unlock(&fake->lock);
	if (!ep)
		return ERR_PTR(fake->probe_error ?: -ENOMEM);
	ep->fake = fake;
	dev_iommu_priv_set(dev, ep);
	return &fake->iommu;
}

void fake_probe_finalize(struct device *dev)
{
	struct fake_endpoint *ep = dev_iommu_priv_get(dev);

	if (!ep) {
		/* Not ours, or its probe failed: nobody to count it on */
		WARN(1, "fake-iommu: probe_finalize of %s, which it did not probe\n",
		     dev_name(dev));
		return;
	}
	fake_count(ep->fake, &ep->fake->finalize_calls, 1);
	if (ep->finalized)
		fake_breach(ep->fake, "probe_finalize twice for one probe");
	ep->finalized = true;
}

void fake_release_device(struct device *dev)
{
	struct fake_endpoint *ep = dev_iommu_priv_get(dev);
	struct fake_iommu *fake = to_fake(dev);

	fake_count(fake, &fake->release_calls, 1);
	fake_note_lock(fake, "release_device");
	if (!ep)
		fake_breach(fake, "release_device of a device not probed");
	dev_iommu_priv_set(dev, NULL);
	kfree(ep);
}

struct iommu_group *fake_device_group(struct device *dev)
{
	struct fake_iommu *fake = to_fake(dev);

	fake_count(fake, &fake->group_calls, 1);
	fake_note_lock(fake, "device_group");
	return generic_single_device_group(dev);
}

int fake_xlate_counted(const struct of_phandle_args *args, const char *op)
{
	struct fake_iommu *fake = fake_from_fwnode(of_fwnode_handle(args->np));

	fake_count(fake, &fake->xlate_calls, 1);
	fake_note_lock(fake, op);
	return fake->xlate_error;
}

/* Each cell of the specifier is one ID. */
int fake_of_xlate(struct device *dev, const struct of_phandle_args *args)
{
	return fake_xlate_counted(args, "of_xlate") ?:
	       iommu_fwspec_add_ids(dev, args->args, args->args_count);
}

static atomic_t fake_iommu_ids = ATOMIC_INIT(0);

int fake_iommu_register(struct fake_iommu *fake, const struct iommu_ops *ops)
{
	int ret;

	/* iommu_device_link() needs the sysfs device */
	ret = iommu_device_sysfs_add(&fake->iommu, NULL, NULL, "fake-iommu.%d",
				     atomic_inc_return(&fake_iommu_ids));
	if (ret)
		return ret;
	/* No hwdev: the core then keeps the fwnode set here */
	fake->iommu.fwnode = fake_iommu_fwnode(fake);
	ret = iommu_device_register(&fake->iommu, ops, NULL);
	if (ret) {
		iommu_device_sysfs_remove(&fake->iommu);
		return ret;
	}
	fake->registered = true;
	return 0;
}

void fake_iommu_unregister(struct fake_iommu *fake)
{
	if (!fake->registered)
		return;
	iommu_device_unregister(&fake->iommu);
	iommu_device_sysfs_remove(&fake->iommu);
	fake->registered = false;
}

static void fake_iommu_destroy(void *data)
{
	struct fake_iommu *fake = data;

	fake_iommu_unregister(fake);
	spin_lock(&fake_iommus_lock);
	list_del(&fake->node);
	spin_unlock(&fake_iommus_lock);
}

struct fake_iommu *fake_iommu_create_of(struct kunit *test,
					const struct iommu_ops *ops,
					struct device_node *np)
{
	struct fake_iommu *fake;

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	fwnode_init(&fake->fwnode, &fake_fwnode_ops);
	spin_lock_init(&fake->lock);
	fake->np = np;
	spin_lock(&fake_iommus_lock);
	list_add(&fake->node, &fake_iommus);
	spin_unlock(&fake_iommus_lock);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_iommu_destroy,
							fake), 0);
	if (ops)
		KUNIT_ASSERT_EQ_MSG(test, fake_iommu_register(fake, ops), 0,
				    "registering the fake IOMMU failed");
	return fake;
}

struct fake_iommu *fake_iommu_create(struct kunit *test,
				     const struct iommu_ops *ops)
{
	return fake_iommu_create_of(test, ops, NULL);
}

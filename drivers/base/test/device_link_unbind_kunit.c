// SPDX-License-Identifier: GPL-2.0
/*
 * Two unbinds of one supplier while its consumer's driver is being unbound.
 *
 * The first unbind of the supplier finds the managed link to the consumer
 * active: it marks the link "supplier unbind", drops the supplier's device
 * lock and waits for the consumer's, which a third thread holds while the
 * consumer's driver is being removed. The second unbind of the supplier must
 * not take the free device lock as a sign that the consumer is gone: it
 * must wait for the consumer's driver too, and the supplier's driver may go
 * only after it.
 *
 * The consumer's remove() blocks until the test lets it go, so the order of
 * events does not depend on timing: the case waits until the link says
 * "supplier unbind" before it starts the second unbind, and until that
 * unbind either removes the supplier's driver (the defect) or sleeps on a
 * lock for a while (fixed) before it lets the consumer's remove() finish.
 *
 * The second case adds a consumer whose probe the first unbind's "supplier
 * unbind" mark turns away. It has no driver, but its links status stays
 * "probing" (device_links_check_suppliers() sets it before it defers): the
 * second unbind must not count it as a consumer still to unbind, or it loops
 * on it for ever. On a uniprocessor kernel such a loop never lets the case
 * run again; the run's timeout ends it.
 */
#include <kunit/platform_device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#define DL_TIMEOUT_MS	10000	/* for what must happen; never reached when it does */
#define DL_ASLEEP_MS	100	/* the second unbind sleeps this long: it waits */

struct dl_test {
	struct platform_device *supplier;
	struct platform_device *consumer;
	struct completion consumer_removing;
	struct completion consumer_may_go;
	struct completion supplier_removed;
	bool consumer_removed;
	bool consumer_gone_before_supplier;
};

/* The platform drivers find the test through their devices' platform data */
static struct dl_test *dl_test_of(struct platform_device *pdev)
{
	return *(struct dl_test **)dev_get_platdata(&pdev->dev);
}

static int dl_probe(struct platform_device *pdev)
{
	return 0;
}

static void dl_supplier_remove(struct platform_device *pdev)
{
	struct dl_test *t = dl_test_of(pdev);

	t->consumer_gone_before_supplier = READ_ONCE(t->consumer_removed);
	complete(&t->supplier_removed);
}

static void dl_consumer_remove(struct platform_device *pdev)
{
	struct dl_test *t = dl_test_of(pdev);

	/* Only the consumer the unbinds are about blocks */
	if (pdev != t->consumer)
		return;
	complete(&t->consumer_removing);
	wait_for_completion_timeout(&t->consumer_may_go,
				    msecs_to_jiffies(DL_TIMEOUT_MS));
	WRITE_ONCE(t->consumer_removed, true);
}

static struct platform_driver dl_supplier_driver = {
	.probe = dl_probe,
	.remove = dl_supplier_remove,
	.driver.name = "dl-unbind-supplier",
};

static struct platform_driver dl_consumer_driver = {
	.probe = dl_probe,
	.remove = dl_consumer_remove,
	.driver.name = "dl-unbind-consumer",
};

struct dl_unbind {
	struct device *dev;
	struct task_struct *task;
	struct completion done;
};

static int dl_unbind_fn(void *data)
{
	struct dl_unbind *u = data;

	device_release_driver(u->dev);
	complete(&u->done);
	return 0;
}

static void dl_unbind_start(struct kunit *test, struct dl_unbind *u,
			    struct device *dev, const char *name)
{
	u->dev = dev;
	init_completion(&u->done);
	u->task = kthread_create(dl_unbind_fn, u, "%s", name);
	if (IS_ERR(u->task)) {
		KUNIT_FAIL(test, "cannot start %s: %pe", name, u->task);
		u->task = NULL;
		dl_unbind_fn(u);
		return;
	}
	get_task_struct(u->task);
	wake_up_process(u->task);
}

static void dl_unbind_finish(struct kunit *test, struct dl_unbind *u)
{
	KUNIT_EXPECT_TRUE_MSG(test,
			      wait_for_completion_timeout(&u->done,
							  msecs_to_jiffies(DL_TIMEOUT_MS)),
			      "the unbind of %s did not finish", dev_name(u->dev));
	if (u->task)
		put_task_struct(u->task);
}

/* Wait until @u removes the supplier's driver or sleeps on a lock for a while */
static void dl_unbind_wait_blocked(struct dl_test *t, struct dl_unbind *u)
{
	unsigned long end = jiffies + msecs_to_jiffies(DL_TIMEOUT_MS);
	unsigned long asleep_since = jiffies;

	while (u->task && time_before(jiffies, end) &&
	       !completion_done(&t->supplier_removed)) {
		usleep_range(500, 1000);
		if (!(READ_ONCE(u->task->__state) & TASK_UNINTERRUPTIBLE))
			asleep_since = jiffies;
		else if (time_after(jiffies, asleep_since + msecs_to_jiffies(DL_ASLEEP_MS)))
			break;
	}
}

/* The drivers are registered: the device is bound when it is added */
static struct platform_device *dl_add_device(struct kunit *test,
					     struct dl_test *t,
					     const char *name)
{
	struct platform_device *pdev;

	pdev = kunit_platform_device_alloc(test, name, PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, platform_device_add_data(pdev, &t, sizeof(t)), 0);
	KUNIT_ASSERT_EQ(test, kunit_platform_device_add(test, pdev), 0);
	KUNIT_ASSERT_NOT_NULL(test, pdev->dev.driver);
	return pdev;
}

static struct dl_test *dl_test_alloc(struct kunit *test)
{
	struct dl_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	init_completion(&t->consumer_removing);
	init_completion(&t->consumer_may_go);
	init_completion(&t->supplier_removed);

	KUNIT_ASSERT_EQ(test, kunit_platform_driver_register(test, &dl_supplier_driver), 0);
	KUNIT_ASSERT_EQ(test, kunit_platform_driver_register(test, &dl_consumer_driver), 0);
	t->supplier = dl_add_device(test, t, dl_supplier_driver.driver.name);
	return t;
}

/* As an IOMMU driver links an endpoint to itself */
static struct device_link *dl_link(struct kunit *test, struct dl_test *t,
				   struct platform_device *consumer)
{
	struct device_link *link;

	link = device_link_add(&consumer->dev, &t->supplier->dev,
			       DL_FLAG_AUTOREMOVE_SUPPLIER);
	KUNIT_ASSERT_NOT_NULL(test, link);
	return link;
}

/*
 * Unbind the consumer, whose remove() then blocks, and start the first
 * unbind of the supplier; return once it has marked @link "supplier unbind"
 * and waits for the consumer.
 */
static void dl_first_unbinds_start(struct kunit *test, struct dl_test *t,
				   struct device_link *link,
				   struct dl_unbind *unbind_consumer,
				   struct dl_unbind *unbind_supplier)
{
	unsigned long end;

	dl_unbind_start(test, unbind_consumer, &t->consumer->dev, "dl-consumer");
	KUNIT_EXPECT_TRUE(test,
			  wait_for_completion_timeout(&t->consumer_removing,
						      msecs_to_jiffies(DL_TIMEOUT_MS)));

	dl_unbind_start(test, unbind_supplier, &t->supplier->dev, "dl-supplier/0");
	/* The consumer is still bound, so the link cannot be dropped yet */
	end = jiffies + msecs_to_jiffies(DL_TIMEOUT_MS);
	while (READ_ONCE(link->status) != DL_STATE_SUPPLIER_UNBIND &&
	       time_before(jiffies, end))
		usleep_range(500, 1000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(link->status), DL_STATE_SUPPLIER_UNBIND);
}

/* Let the consumer's remove() finish; every unbind must then end */
static void dl_unbinds_finish(struct kunit *test, struct dl_test *t,
			      struct dl_unbind *unbind_consumer,
			      struct dl_unbind unbind_supplier[2])
{
	complete(&t->consumer_may_go);
	dl_unbind_finish(test, unbind_consumer);
	dl_unbind_finish(test, &unbind_supplier[0]);
	dl_unbind_finish(test, &unbind_supplier[1]);

	KUNIT_EXPECT_TRUE(test, completion_done(&t->supplier_removed));
	KUNIT_EXPECT_TRUE_MSG(test, t->consumer_gone_before_supplier,
			      "the supplier's driver was removed while its consumer's was still bound");
	KUNIT_EXPECT_NULL(test, t->supplier->dev.driver);
	KUNIT_EXPECT_NULL(test, t->consumer->dev.driver);
}

static void dl_concurrent_supplier_unbind_waits_for_consumer(struct kunit *test)
{
	struct dl_unbind unbind_consumer, unbind_supplier[2];
	struct device_link *link;
	struct dl_test *t;

	t = dl_test_alloc(test);
	t->consumer = dl_add_device(test, t, dl_consumer_driver.driver.name);
	link = dl_link(test, t, t->consumer);
	KUNIT_ASSERT_EQ(test, READ_ONCE(link->status), DL_STATE_ACTIVE);

	/* From here on the threads use @t: no assertion may end the case early */
	dl_first_unbinds_start(test, t, link, &unbind_consumer, &unbind_supplier[0]);

	dl_unbind_start(test, &unbind_supplier[1], &t->supplier->dev, "dl-supplier/1");
	dl_unbind_wait_blocked(t, &unbind_supplier[1]);

	dl_unbinds_finish(test, t, &unbind_consumer, unbind_supplier);
}

static void dl_turned_away_consumer_does_not_hold_supplier(struct kunit *test)
{
	struct dl_unbind unbind_consumer, unbind_supplier[2];
	struct device_link *link, *turned_away_link;
	struct platform_device *turned_away;
	struct dl_test *t;

	t = dl_test_alloc(test);
	/*
	 * Linked first, so the first supplier unbind marks its link before it
	 * waits for the bound consumer's
	 */
	turned_away = dl_add_device(test, t, dl_consumer_driver.driver.name);
	device_release_driver(&turned_away->dev);
	turned_away_link = dl_link(test, t, turned_away);
	KUNIT_ASSERT_EQ(test, READ_ONCE(turned_away_link->status), DL_STATE_AVAILABLE);
	t->consumer = dl_add_device(test, t, dl_consumer_driver.driver.name);
	link = dl_link(test, t, t->consumer);
	KUNIT_ASSERT_EQ(test, READ_ONCE(link->status), DL_STATE_ACTIVE);

	dl_first_unbinds_start(test, t, link, &unbind_consumer, &unbind_supplier[0]);
	KUNIT_EXPECT_EQ(test, READ_ONCE(turned_away_link->status),
			DL_STATE_SUPPLIER_UNBIND);

	/* Its probe is deferred and leaves it "probing" with no driver */
	KUNIT_EXPECT_LE(test, device_attach(&turned_away->dev), 0);
	KUNIT_EXPECT_NULL(test, turned_away->dev.driver);
	KUNIT_EXPECT_EQ(test, turned_away->dev.links.status, DL_DEV_PROBING);

	dl_unbind_start(test, &unbind_supplier[1], &t->supplier->dev, "dl-supplier/1");
	dl_unbind_wait_blocked(t, &unbind_supplier[1]);

	dl_unbinds_finish(test, t, &unbind_consumer, unbind_supplier);
}

static struct kunit_case device_link_unbind_cases[] = {
	KUNIT_CASE_SLOW(dl_concurrent_supplier_unbind_waits_for_consumer),
	KUNIT_CASE_SLOW(dl_turned_away_consumer_does_not_hold_supplier),
	{}
};

static struct kunit_suite device_link_unbind_suite = {
	.name = "device_link_unbind",
	.test_cases = device_link_unbind_cases,
};

kunit_test_suite(device_link_unbind_suite);

MODULE_DESCRIPTION("KUnit test: concurrent unbinds of a device link's supplier");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * device_link_add() and a consumer whose device_del() has started.
 *
 * device_del() marks the device dead, then purges its links. A link added
 * after the purge would outlive the consumer: nothing deletes it, and its
 * sysfs device ("supplier--consumer") keeps the name that the link of the
 * next device of the consumer's name then needs. kill_device() is the
 * first step of device_del(): the case takes that step alone, which leaves
 * the consumer as device_del() leaves it before the purge, and asks for a
 * link to it, stateless and managed.
 */
#include <kunit/platform_device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/platform_device.h>

static const u32 dl_add_flags[] = {
	DL_FLAG_STATELESS,
	DL_FLAG_AUTOREMOVE_SUPPLIER,
};

static void dl_add_flags_desc(const u32 *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *flags & DL_FLAG_STATELESS ? "stateless" : "managed");
}

KUNIT_ARRAY_PARAM(dl_add_flags, dl_add_flags, dl_add_flags_desc);

static struct platform_device *dl_add_device(struct kunit *test, const char *name)
{
	struct platform_device *pdev;

	pdev = kunit_platform_device_alloc(test, name, PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, kunit_platform_device_add(test, pdev), 0);
	return pdev;
}

static void dl_add_refuses_consumer_being_deleted(struct kunit *test)
{
	const u32 *flags = test->param_value;
	struct platform_device *supplier, *consumer;
	bool killed;

	supplier = dl_add_device(test, "dl-add-supplier");
	consumer = dl_add_device(test, "dl-add-consumer");

	device_lock(&consumer->dev);
	killed = kill_device(&consumer->dev);
	device_unlock(&consumer->dev);
	KUNIT_ASSERT_TRUE(test, killed);

	/* The consumer's unregistration at cleanup purges a link made here */
	KUNIT_EXPECT_NULL_MSG(test, device_link_add(&consumer->dev, &supplier->dev, *flags),
			      "a link to a consumer that is being deleted");
}

static struct kunit_case device_link_add_cases[] = {
	KUNIT_CASE_PARAM(dl_add_refuses_consumer_being_deleted, dl_add_flags_gen_params),
	{}
};

static struct kunit_suite device_link_add_suite = {
	.name = "device_link_add",
	.test_cases = device_link_add_cases,
};

kunit_test_suite(device_link_add_suite);

MODULE_DESCRIPTION("KUnit test of device_link_add() with a consumer being deleted");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a test sees that a WARN fired: every WARN, whatever prints it,
 * increments the kernel's warn_count (kernel/panic.c), which the kernel
 * shows in /sys/kernel/warn_count. KUnit runs before user space mounts
 * sysfs, so the attribute is read through its kobject.
 *
 * Each case of every suite is watched from its init to the end of its
 * cleanup: a WARN the case did not expect fails it, and so does an
 * expected one that did not come.
 */
#include <kunit/resource.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "warn_count.h"

/* warn_count, or a negative errno; safe in a case's cleanup */
static int read_warn_count(void)
{
	struct kobj_attribute *attr;
	struct kernfs_node *kn;
	int count, ret;
	char *buf;

	/*
	 * sysfs_emit() wants a whole page; kmalloc() of PAGE_SIZE is naturally
	 * aligned.
	 */
	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kn = kernfs_find_and_get(kernel_kobj->sd, "warn_count");
	if (!kn) {
		kfree(buf);
		return -ENOENT;
	}
	/* A sysfs file's kernfs node points at its attribute */
	attr = container_of(kn->priv, struct kobj_attribute, attr);
	attr->show(kernel_kobj, attr, buf);
	kernfs_put(kn);
	ret = kstrtoint(strim(buf), 10, &count);
	kfree(buf);
	return ret ? ret : count;
}

int kernel_warn_count(struct kunit *test)
{
	int count = read_warn_count();

	KUNIT_ASSERT_GE_MSG(test, count, 0, "cannot read /sys/kernel/warn_count");
	return count;
}

static void warn_watch_check(struct kunit_resource *res)
{
	struct warn_watch *w = res->data;
	int count = read_warn_count();

	KUNIT_EXPECT_GE_MSG(w->test, count, 0, "cannot read /sys/kernel/warn_count");
	if (count >= 0)
		KUNIT_EXPECT_EQ_MSG(w->test, count - w->start, w->expected,
				    "WARNs during the case (see the log), against the expected ones");
}

void kunit_watch_warns(struct kunit *test)
{
	struct warn_watch *w;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->test = test;
	w->start = kernel_warn_count(test);
	/*
	 * Added before anything the case sets up, so released after all of
	 * it: it sees the WARNs of the whole cleanup too.
	 */
	KUNIT_ASSERT_EQ(test, kunit_add_named_resource(test, NULL, warn_watch_check,
						       &w->res, WARN_WATCH_NAME, w), 0);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a test sees that a WARN fired: every WARN, whatever prints it,
 * increments the kernel's warn_count (kernel/panic.c), which the kernel
 * shows in /sys/kernel/warn_count. KUnit runs before user space mounts
 * sysfs, so the attribute is read through its kobject.
 */
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "warn_count.h"

int kernel_warn_count(struct kunit *test)
{
	struct kobj_attribute *attr;
	struct kernfs_node *kn;
	char *buf;
	int count;

	/*
	 * sysfs_emit() wants a whole page; kmalloc() of PAGE_SIZE is naturally
	 * aligned.
	 */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	kn = kernfs_find_and_get(kernel_kobj->sd, "warn_count");
	KUNIT_ASSERT_NOT_NULL_MSG(test, kn, "/sys/kernel/warn_count is missing");
	/* A sysfs file's kernfs node points at its attribute */
	attr = container_of(kn->priv, struct kobj_attribute, attr);
	attr->show(kernel_kobj, attr, buf);
	kernfs_put(kn);
	KUNIT_ASSERT_EQ(test, kstrtoint(strim(buf), 10, &count), 0);
	kunit_kfree(test, buf);
	return count;
}

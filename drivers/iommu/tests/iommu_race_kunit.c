// SPDX-License-Identifier: GPL-2.0-only
/*
 * The race of the cover letter: endpoints are configured from their DT
 * nodes (of_iommu_configure(), as their drivers' probes do) while their
 * IOMMU driver registers, and so probes the bus itself. Before the fwspec
 * was built on the side, the two could both work on one dev->iommu.
 *
 * Each round, kthreads add fresh endpoints behind the fake IOMMU on
 * /fwspec-iommu-late and configure them, retrying while the probe is
 * deferred, as the driver core would; the test registers the IOMMU at a
 * random moment meanwhile. When the threads are done, every endpoint must
 * be in a group with a complete fwspec. Then the endpoints go and the IOMMU
 * unregisters, and the next round starts. The run is bounded by rounds and
 * by time; across it, no WARN may fire (lockdep reports included), lockdep
 * must stay on, and the IOMMU node's references must come back.
 */
#include <kunit/of.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/device/driver.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/of.h>
#include <linux/of_iommu.h>
#include <linux/platform_device.h>
#include <linux/random.h>

#include "fake_iommu.h"
#include "warn_count.h"

#define RACE_THREADS	4
#define RACE_DEVICES	8	/* per thread and round */
#define RACE_ROUNDS	40
#define RACE_SECONDS	5
#define RACE_ATTEMPTS	100000	/* configure calls per device, at most */

struct race_test;

struct race_thread {
	struct race_test *t;
	struct completion done;
	int first_id;
	struct platform_device *pdev[RACE_DEVICES];
	int deferrals;
	/* what went wrong, for the test to report: 0 or an errno */
	int bad_ret;
	const char *bad_what;
};

struct race_test {
	struct fake_iommu *iommu;
	struct device_node *ep;
	int deferred;		/* what a deferral looks like now */
	struct race_thread threads[RACE_THREADS];
};

static void race_bad(struct race_thread *rt, const char *what, int ret)
{
	if (!rt->bad_what) {
		rt->bad_what = what;
		rt->bad_ret = ret;
	}
}

static void race_configure(struct race_thread *rt, struct device *dev)
{
	struct race_test *t = rt->t;
	struct iommu_fwspec *fwspec;
	int attempt, ret;

	for (attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
		ret = of_iommu_configure(dev, t->ep, NULL);
		if (ret != -EPROBE_DEFER && ret != t->deferred)
			break;
		if (dev->iommu) {
			race_bad(rt, "a deferred configure left dev->iommu", ret);
			return;
		}
		rt->deferrals++;
		cond_resched();
	}
	fwspec = dev_iommu_fwspec_get(dev);
	if (ret)
		race_bad(rt, "of_iommu_configure() failed", ret);
	else if (!fwspec || fwspec->iommu_fwnode != fake_iommu_fwnode(t->iommu) ||
		 fwspec->num_ids != 1 || fwspec->ids[0] != 0x31)
		race_bad(rt, "the fwspec is not the one in the DT", 0);
	else if (!dev->iommu_group)
		race_bad(rt, "configured but not in a group", 0);
}

static int race_thread_fn(void *data)
{
	struct race_thread *rt = data;
	int i;

	for (i = 0; i < RACE_DEVICES && !rt->bad_what; i++) {
		rt->pdev[i] = fake_endpoint_add(rt->t->ep, "fwspec-race",
						rt->first_id + i);
		if (IS_ERR(rt->pdev[i])) {
			race_bad(rt, "adding an endpoint failed", PTR_ERR(rt->pdev[i]));
			rt->pdev[i] = NULL;
			break;
		}
		race_configure(rt, &rt->pdev[i]->dev);
	}
	complete(&rt->done);
	return 0;
}

static int race_test_init(struct kunit *test)
{
	struct device_node *np;
	struct race_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, of_overlay_apply_kunit(test, iommu_of_kunit), 0);
	np = of_find_node_by_path("/fwspec-iommu-late");
	KUNIT_ASSERT_NOT_NULL(test, np);
	of_node_put_kunit(test, np);
	t->iommu = fake_iommu_create_of(test, NULL, np);
	t->ep = of_find_node_by_path("/fwspec-ep-late");
	KUNIT_ASSERT_NOT_NULL(test, t->ep);
	of_node_put_kunit(test, t->ep);
	test->priv = t;
	return 0;
}

/* One round; false when it went wrong (the expectations say how). */
static bool race_round(struct kunit *test, int round)
{
	struct race_test *t = test->priv;
	struct task_struct *task;
	int i, j;

	for (i = 0; i < RACE_THREADS; i++) {
		struct race_thread *rt = &t->threads[i];

		memset(rt, 0, sizeof(*rt));
		rt->t = t;
		rt->first_id = (round * RACE_THREADS + i) * RACE_DEVICES + 1;
		init_completion(&rt->done);
		task = kthread_run(race_thread_fn, rt, "iommu-race/%d", i);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	}

	/* Anywhere from before the first endpoint to after the last */
	usleep_range(1, 1 + get_random_u32_below(2000));
	KUNIT_EXPECT_EQ(test, fake_iommu_register(t->iommu, &fake_iommu_ops), 0);

	for (i = 0; i < RACE_THREADS; i++) {
		struct race_thread *rt = &t->threads[i];

		wait_for_completion(&rt->done);
		KUNIT_EXPECT_NULL_MSG(test, rt->bad_what,
				      "round %d, thread %d: %s (%d)", round, i,
				      rt->bad_what, rt->bad_ret);
		for (j = 0; j < RACE_DEVICES; j++)
			if (rt->pdev[j])
				platform_device_unregister(rt->pdev[j]);
	}
	fake_iommu_unregister(t->iommu);
	return test->status != KUNIT_FAILURE;
}

static void race_configure_vs_iommu_register(struct kunit *test)
{
	struct race_test *t = test->priv;
	unsigned long end = jiffies + RACE_SECONDS * HZ;
	unsigned int refs = kref_read(&t->iommu->np->kobj.kref);
	int warns = kernel_warn_count(test);
	struct platform_device *pdev;
	int round, deferrals = 0;

	/* Past the deferral window after boot, the driver core says -ENODEV */
	pdev = fake_endpoint_add(t->ep, "fwspec-race", 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	t->deferred = driver_deferred_probe_check_state(&pdev->dev);
	platform_device_unregister(pdev);
	/* Then every retry would log a warning, by the hundred thousand */
	if (t->deferred != -EPROBE_DEFER)
		kunit_skip(test, "no deferred probe now (%d): %s", t->deferred,
			   "needs CONFIG_MODULES, within deferred_probe_timeout of boot");

	for (round = 0; round < RACE_ROUNDS && time_before(jiffies, end); round++) {
		if (!race_round(test, round))
			break;
		for (int i = 0; i < RACE_THREADS; i++)
			deferrals += t->threads[i].deferrals;
	}

	KUNIT_EXPECT_EQ_MSG(test, kernel_warn_count(test), warns,
			    "the kernel WARNed during the race (see the log)");
	KUNIT_EXPECT_TRUE_MSG(test, debug_locks || !IS_ENABLED(CONFIG_LOCKDEP),
			      "lockdep reported a problem and turned itself off");
	KUNIT_EXPECT_EQ(test, kref_read(&t->iommu->np->kobj.kref), refs);
	KUNIT_EXPECT_GT_MSG(test, deferrals, 0,
			    "the IOMMU never registered after an endpoint: no race was run");
	kunit_info(test, "%d rounds of %d threads x %d endpoints, %d deferrals\n",
		   round, RACE_THREADS, RACE_DEVICES, deferrals);
}

static struct kunit_case iommu_race_test_cases[] = {
	KUNIT_CASE_SLOW(race_configure_vs_iommu_register),
	{}
};

static struct kunit_suite iommu_race_test_suite = {
	.name = "iommu_fwspec_race",
	.init = race_test_init,
	.test_cases = iommu_race_test_cases,
};

kunit_test_suite(iommu_race_test_suite);

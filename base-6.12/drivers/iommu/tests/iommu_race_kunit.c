// SPDX-License-Identifier: GPL-2.0-only
/*
 * The race of the cover letter, and its mirror: firmware code hands
 * endpoints' fwspecs to the core, as of_iommu_configure() and the ACPI code
 * do (iommu_fwspec_alloc(), iommu_fwspec_append_ids() per firmware entry,
 * iommu_probe_device_fwspec()), while their IOMMU registers or unregisters
 * and so walks the bus itself. Before the fwspec was built on the side the
 * two could both work on one dev->iommu.
 *
 * Each round, kthreads add fresh platform endpoints behind a fake IOMMU
 * and configure them, retrying while the probe is deferred, as the driver
 * core would; meanwhile the test changes the IOMMU's registration at random
 * moments, by the case's parameter: it registers, it unregisters, or it
 * registers and unregisters again. The fake driver sleeps a little in
 * probe_device, so that a probe not serialised against the IOMMU's own bus
 * walk overlaps it, and records every breach of the core's contract with
 * it: two probes at once, a second probe of a device, a probe of a fwspec
 * without all its IDs, a probe_finalize without a probe or twice, a release
 * of what it did not probe (fake_iommu.c).
 *
 * After each round, with the IOMMU registered, every endpoint is in a
 * group with its whole fwspec and was finalized once; with the IOMMU gone,
 * none has dev->iommu or a group and every probe was released. No WARN may
 * fire (the suite's watch, lockdep included), and the fake IOMMU's fwnode
 * references must come back. The rounds take a few seconds; nothing
 * depends on the driver core's deferred-probe timeout.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/platform_device.h>
#include <linux/random.h>

#include "fake_fwspec.h"
#include "warn_count.h"

#define RACE_THREADS	4
#define RACE_DEVICES	8	/* per thread and round */
#define RACE_ROUNDS	40
#define RACE_SECONDS	3	/* per case */
#define RACE_ATTEMPTS	100000	/* configure calls per device, at most */
#define RACE_PROBE_US	200	/* the fake driver's probe_device sleeps up to this */

/* The IDs of every endpoint, one firmware entry each */
static const u32 race_ids[] = { 0x31, 0x32, 0x33, 0x34 };

enum race_kind {
	RACE_REGISTER,			/* unregistered at first, registers */
	RACE_UNREGISTER,		/* registered at first, unregisters */
	RACE_REGISTER_UNREGISTER,	/* registers, then unregisters */
};

struct race_test;

struct race_thread {
	struct race_test *t;
	struct completion done;
	int first_id;
	struct platform_device *pdev[RACE_DEVICES];
	int ret[RACE_DEVICES];
	int deferrals;
	/* what went wrong, for the test to report: 0 or an errno */
	int bad_ret;
	const char *bad_what;
};

struct race_test {
	struct fake_iommu *iommu;
	/* the IOMMU's registration will not change again this round */
	bool settled;
	struct race_thread threads[RACE_THREADS];
};

static void race_bad(struct race_thread *rt, const char *what, int ret)
{
	if (!rt->bad_what) {
		rt->bad_what = what;
		rt->bad_ret = ret;
	}
}

/* What firmware code does for one endpoint, until it is not deferred */
static int race_configure(struct race_thread *rt, struct device *dev)
{
	struct race_test *t = rt->t;
	struct iommu_fwspec *fwspec;
	int attempt, i, ret = -EPROBE_DEFER;

	for (attempt = 0; attempt < RACE_ATTEMPTS; attempt++) {
		bool settled = READ_ONCE(t->settled);

		fwspec = iommu_fwspec_alloc(&t->iommu->fwnode);
		if (IS_ERR(fwspec)) {
			race_bad(rt, "iommu_fwspec_alloc() failed", PTR_ERR(fwspec));
			return PTR_ERR(fwspec);
		}
		for (i = 0, ret = 0; i < ARRAY_SIZE(race_ids) && !ret; i++) {
			ret = iommu_fwspec_append_ids(fwspec, &race_ids[i], 1);
			cond_resched();
		}
		if (ret) {
			iommu_fwspec_dealloc(fwspec);
			race_bad(rt, "iommu_fwspec_append_ids() failed", ret);
			return ret;
		}
		ret = iommu_probe_device_fwspec(dev, fwspec);
		if (ret != -EPROBE_DEFER)
			break;
		if (dev->iommu) {
			race_bad(rt, "a deferred probe left dev->iommu", ret);
			return ret;
		}
		rt->deferrals++;
		/* Unregistered for good: deferred is the answer */
		if (settled)
			break;
		cond_resched();
	}
	if (ret && ret != -EPROBE_DEFER)
		race_bad(rt, "iommu_probe_device_fwspec() failed", ret);
	return ret;
}

static int race_thread_fn(void *data)
{
	struct race_thread *rt = data;
	int i;

	for (i = 0; i < RACE_DEVICES && !rt->bad_what; i++) {
		rt->pdev[i] = fake_endpoint_add(NULL, "fwspec-race", rt->first_id + i);
		if (IS_ERR(rt->pdev[i])) {
			race_bad(rt, "adding an endpoint failed", PTR_ERR(rt->pdev[i]));
			rt->pdev[i] = NULL;
			break;
		}
		rt->ret[i] = race_configure(rt, &rt->pdev[i]->dev);
	}
	complete(&rt->done);
	return 0;
}

static int race_test_init(struct kunit *test)
{
	struct race_test *t;

	kunit_watch_warns(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->iommu = fake_iommu_create(test, NULL);
	t->iommu->probe_delay_us = RACE_PROBE_US;
	t->iommu->expect_ids = race_ids;
	t->iommu->expect_num_ids = ARRAY_SIZE(race_ids);
	test->priv = t;
	return 0;
}

/* Anywhere from before the first endpoint to after the last */
static void race_pause(void)
{
	usleep_range(1, 1 + get_random_u32_below(2000));
}

/* An endpoint as the round left it, with the IOMMU @registered or not */
static void race_check_endpoint(struct kunit *test, struct race_thread *rt,
				int j, bool registered)
{
	struct device *dev = &rt->pdev[j]->dev;
	struct fake_endpoint *ep = dev_iommu_priv_get(dev);

	if (registered) {
		KUNIT_EXPECT_EQ_MSG(test, rt->ret[j], 0, "%s", dev_name(dev));
		KUNIT_EXPECT_NOT_NULL_MSG(test, dev->iommu_group, "%s", dev_name(dev));
		KUNIT_EXPECT_TRUE_MSG(test, ep && ep->finalized,
				      "%s: probed and never finalized", dev_name(dev));
	} else {
		KUNIT_EXPECT_NULL_MSG(test, dev->iommu,
				      "%s: dev->iommu after its IOMMU went", dev_name(dev));
		KUNIT_EXPECT_NULL_MSG(test, dev->iommu_group,
				      "%s: in a group after its IOMMU went", dev_name(dev));
	}
}

/* One round; false when it went wrong (the expectations say how). */
static bool race_round(struct kunit *test, enum race_kind kind, int round)
{
	struct race_test *t = test->priv;
	struct fake_iommu *fake = t->iommu;
	struct task_struct *task;
	bool registered;
	int i, j, started;

	if (kind == RACE_UNREGISTER)
		KUNIT_ASSERT_EQ(test, fake_iommu_register(fake, &fake_iommu_ops), 0);
	WRITE_ONCE(t->settled, false);
	/*
	 * No assertion from here until every thread started is done: an
	 * assertion ends the case, and KUnit frees what the threads use.
	 */
	for (started = 0; started < RACE_THREADS; started++) {
		struct race_thread *rt = &t->threads[started];

		memset(rt, 0, sizeof(*rt));
		rt->t = t;
		rt->first_id = (round * RACE_THREADS + started) * RACE_DEVICES + 1;
		init_completion(&rt->done);
		task = kthread_run(race_thread_fn, rt, "iommu-race/%d", started);
		if (IS_ERR(task)) {
			KUNIT_FAIL(test, "round %d: thread %d did not start: %pe",
				   round, started, task);
			break;
		}
	}

	if (started == RACE_THREADS) {
		race_pause();
		if (kind != RACE_UNREGISTER)
			KUNIT_EXPECT_EQ(test, fake_iommu_register(fake, &fake_iommu_ops), 0);
		if (kind != RACE_REGISTER) {
			race_pause();
			fake_iommu_unregister(fake);
		}
	}
	registered = fake->registered;
	WRITE_ONCE(t->settled, true);

	for (i = 0; i < started; i++) {
		struct race_thread *rt = &t->threads[i];

		wait_for_completion(&rt->done);
		KUNIT_EXPECT_NULL_MSG(test, rt->bad_what,
				      "round %d, thread %d: %s (%d)", round, i,
				      rt->bad_what, rt->bad_ret);
		for (j = 0; j < RACE_DEVICES; j++)
			if (rt->pdev[j])
				race_check_endpoint(test, rt, j, registered);
	}
	for (i = 0; i < started; i++)
		for (j = 0; j < RACE_DEVICES; j++)
			if (t->threads[i].pdev[j])
				platform_device_unregister(t->threads[i].pdev[j]);
	fake_iommu_unregister(fake);

	/* Every probe released, every successful one finalized once */
	KUNIT_EXPECT_EQ_MSG(test, fake->release_calls, fake->probe_calls, "round %d", round);
	KUNIT_EXPECT_EQ_MSG(test, fake->finalize_calls, fake->probe_calls, "round %d", round);
	/* What the driver saw, not whether lockdep saw the lock held */
	expect_no_breach(test, fake);
	return test->status != KUNIT_FAILURE;
}

static const enum race_kind race_kinds[] = {
	RACE_REGISTER, RACE_UNREGISTER, RACE_REGISTER_UNREGISTER,
};

static void race_kind_desc(const enum race_kind *kind, char *desc)
{
	static const char * const names[] = {
		[RACE_REGISTER] = "configure vs register",
		[RACE_UNREGISTER] = "configure vs unregister",
		[RACE_REGISTER_UNREGISTER] = "configure vs register and unregister",
	};

	strscpy(desc, names[*kind], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(race_kind, race_kinds, race_kind_desc);

static void race_configure_vs_iommu_registration(struct kunit *test)
{
	const enum race_kind *kind = test->param_value;
	struct race_test *t = test->priv;
	unsigned long start = jiffies, end = start + RACE_SECONDS * HZ;
	int round, deferrals = 0, probes = 0;

	for (round = 0; round < RACE_ROUNDS && time_before(jiffies, end); round++) {
		if (!race_round(test, *kind, round)) {
			/* for make bench-mutate's time to kill */
			kunit_info(test, "failed in round %d, %u ms into the case\n", round,
				   jiffies_to_msecs(jiffies - start));
			break;
		}
		for (int i = 0; i < RACE_THREADS; i++)
			deferrals += t->threads[i].deferrals;
		probes += t->iommu->probe_calls;
		t->iommu->probe_calls = 0;
		t->iommu->release_calls = 0;
		t->iommu->finalize_calls = 0;
	}

	KUNIT_EXPECT_TRUE_MSG(test, debug_locks || !IS_ENABLED(CONFIG_LOCKDEP),
			      "lockdep reported a problem and turned itself off");
	KUNIT_EXPECT_EQ(test, t->iommu->fwnode_refs, 0);
	KUNIT_EXPECT_GT_MSG(test, deferrals, 0,
			    "no endpoint ever waited for its IOMMU: no race was run");
	KUNIT_EXPECT_GT_MSG(test, probes, 0, "no endpoint was ever probed");
	kunit_info(test, "%d rounds of %d threads x %d endpoints, %d deferrals, %d probes\n",
		   round, RACE_THREADS, RACE_DEVICES, deferrals, probes);
}

static struct kunit_case iommu_race_test_cases[] = {
	KUNIT_CASE_PARAM_ATTR(race_configure_vs_iommu_registration,
			      race_kind_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite iommu_race_test_suite = {
	.name = "iommu_race",
	.init = race_test_init,
	.test_cases = iommu_race_test_cases,
};

kunit_test_suite(iommu_race_test_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * Storms on the devices behind an IOMMU, with the real IOMMU driver: the
 * endpoints' drivers are unbound and bound, the endpoints removed and
 * rescanned, and the IOMMU driver itself unbound and bound or loaded, all
 * at once from several threads. Each storm must do work: every kind of
 * operation it runs must complete at least one cycle per second of storm
 * (STORM_FLOOR), in up to STORM_EXTEND times the storm's time more on a
 * slow machine. Whatever the storm, afterwards every endpoint must be back
 * in an IOMMU group with its driver, its DMA must go through the IOMMU and
 * work (a virtio-blk disk filled by the host with a known pattern reads
 * back byte-identical, see iommu_probe_utils.h), the kernel log must hold
 * no new report of the list in kernel_reports.h, and kmemleak (when the
 * kernel has it) must find no leak from IOMMU, OF or ACPI code.
 *
 * Boot the machine with deferred_probe_timeout=-1: with the default, an
 * endpoint rescanned while the IOMMU's driver is unbound binds without the
 * IOMMU once the timeout has passed, by the driver core's policy, and the
 * checks rightly fail.
 *
 * The endpoints are the virtio PCI devices; the IOMMU is SMMUv3,
 * virtio-iommu, intel-iommu or amd-iommu. The tests unbind and remove
 * every virtio PCI device of the machine, its disks included, so they only
 * run when STORM_DISPOSABLE=1 says the machine is a throw-away VM (the
 * suite's QEMU guests, which run from an initramfs). Environment:
 *   STORM_DISPOSABLE  1: the machine may lose its virtio devices
 *   IOMMU_MODULE      the IOMMU driver's module (arm_smmu_v3, virtio_iommu; empty: built in)
 *   EXPECT_ENDPOINTS  virtio PCI endpoints the machine has (unset or
 *                     empty: those found, and a machine not set up for the
 *                     checks, not root, without the pattern disk or with an
 *                     endpoint the IOMMU does not translate, is SKIP; the
 *                     load race, which starts before the IOMMU driver is
 *                     there, needs it)
 *   STORM_THREADS     threads per storm (default 4, at most 16)
 *   STORM_IOMMU_THREADS  threads that unbind and bind the IOMMU (default:
 *                     STORM_THREADS)
 *   STORM_SECONDS     length of each storm (default 3)
 *   STORM_TRIALS      load races in iommu_driver_load_race (default 1)
 *   STORM_TRIAL_MS    the storm of one load race, before the load and again
 *                     after it (default: STORM_SECONDS)
 *   STORM_SETTLE      seconds allowed to get back to normal (default 30)
 *   STORM_STALL       seconds a storm or a check may run past its plan
 *                     before it is reported as stalled (default 60)
 *   STORM_INJECT_WARN log a fake WARNING during each storm (to test the
 *                     kernel log check)
 *   STORM_INJECT_IDLE storm threads that do nothing (to test the floor)
 *   STORM_INJECT_NO_UNLOAD  trials that do not unload the IOMMU driver (to
 *                     test that a trial after the first is a real one)
 *   STORM_INJECT_STALL a storm thread that waits in the kernel and never
 *                     comes back (to test the stall report)
 *
 * load.iommu_driver_load_race must run before anything loads the IOMMU
 * driver: it loads the module at a random moment of an endpoint storm. It
 * is SKIP when the driver is loaded already. kselftest_harness's own
 * options pick tests: -r load.iommu_driver_load_race runs it alone, -v
 * endpoint_bind_unbind one storm. Each trial after the first puts the
 * machine back as it booted first: the driver unloaded, every endpoint a
 * new device waiting for it in deferred probe.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include "../kselftest_harness.h"
#include "iommu_modload.h"
#include "iommu_probe_utils.h"

#define PCI_DRIVER	"/sys/bus/pci/drivers/virtio-pci"
#define VIRTIO_DEVICES	"/sys/bus/virtio/devices"
#define VIRTIO_IOMMU_DRIVER "/sys/bus/virtio/drivers/virtio_iommu"
#define VIRTIO_ID_IOMMU	23
#define MAX_THREADS	16
#define STORM_FLOOR	1	/* completed cycles per second of storm, per kind */
/*
 * A storm that has not done that work in its time goes on until it has,
 * for at most this many times its time: a slow machine (a sanitizer under
 * emulation) gets the time, the work asked for stays the same, and an idle
 * kind still does none.
 */
#define STORM_EXTEND	3

static int env_int(const char *name, int def, int max)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : def;

	return n < 1 ? def : n > max ? max : n;
}

static unsigned int rnd(unsigned int below)
{
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = rand();
	return r % below;
}

enum storm_kind {
	STORM_BIND,		/* endpoint driver unbind/bind, or probe if unbound */
	STORM_REMOVE,		/* endpoint remove/rescan */
	STORM_IOMMU_REBIND,	/* IOMMU driver unbind/bind */
};

struct storm {
	struct endpoints ep;	/* as found before the storm */
	char iommu_dev[32];	/* virtio-iommu's virtio device, or "" */
	atomic_bool stop;
	atomic_long cycles[3];	/* completed cycles, per kind */
	atomic_long probes;	/* probes asked for by bind threads, not cycles */
	atomic_long failed_binds;	/* IOMMU binds refused */
	bool ran[3];		/* the kinds the last storm ran */
	/*
	 * and for how long, in all: the time planned, since a slow host
	 * does not make an idle storm
	 */
	int ms;
	int wall_ms;		/* how long they took, in all */
	int extra_ms;		/* of which past their time, to do the work */
	int load_ms;		/* how long the module loads took, in all */
	struct timespec end;	/* when it ended */
	/*
	 * Threads that unbind and bind the IOMMU driver; two or more also
	 * race each other's unbind of the one device in the driver core.
	 */
	int iommu_threads;
	struct storm_thread *first_thread;	/* for STORM_INJECT_STALL */
};

struct storm_thread {
	struct storm *s;
	enum storm_kind kind;
	pthread_t tid;
};

/* Bind virtio-iommu when it has no driver: 0, or the bind's error */
static int iommu_bind_if_unbound(struct storm *s)
{
	char path[256];

	snprintf(path, sizeof(path), VIRTIO_IOMMU_DRIVER "/%s", s->iommu_dev);
	if (!access(path, F_OK))
		return 0;
	return sysfs_write(VIRTIO_IOMMU_DRIVER "/bind", s->iommu_dev);
}

/*
 * A thread whose endpoint is away (another thread removed it) tries again
 * at once. Waiting instead gives the vCPUs to the other threads' probes and
 * removes, and QEMU 7.2 then crashes within seconds (a vCPU's MMIO access
 * dispatched to no memory region), before the kernel is tested.
 */
static void storm_one(struct storm *s, enum storm_kind kind)
{
	const char *dev = s->ep.name[rnd(s->ep.total)];
	char path[256];

	switch (kind) {
	case STORM_BIND:
		/*
		 * An endpoint whose probe waits for its IOMMU has no driver to
		 * unbind: ask for a probe of it instead, which runs (and is
		 * deferred again) while the IOMMU driver may be registering.
		 * That is no unbind/bind cycle: it is counted apart.
		 */
		if (!pci_has(dev, "driver")) {
			if (!sysfs_write("/sys/bus/pci/drivers_probe", dev))
				s->probes++;
			break;
		}
		/*
		 * Fails when another thread got there first: fine. An unbind
		 * that succeeded is a cycle: the endpoint is bound again by
		 * this bind or, first, by another thread's probe of it.
		 */
		if (!sysfs_write(PCI_DRIVER "/unbind", dev)) {
			s->cycles[kind]++;
			sysfs_write(PCI_DRIVER "/bind", dev);
		}
		break;
	case STORM_REMOVE:
		/*
		 * A remove that succeeded is a cycle: the endpoint comes back
		 * with this thread's rescan or, first, another thread's. A
		 * rescan waits for every other thread's remove and rescan:
		 * one asked to stop leaves it to storm_restore().
		 */
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", dev);
		if (!sysfs_write(path, "1")) {
			s->cycles[kind]++;
			if (!s->stop)
				sysfs_write("/sys/bus/pci/rescan", "1");
		}
		break;
	case STORM_IOMMU_REBIND:
		/*
		 * A bind that failed left virtio-iommu without a driver: no
		 * unbind can succeed after it, so bind it again, or the storm
		 * would go idle. Counted apart: it is no cycle.
		 */
		if (!sysfs_write(VIRTIO_IOMMU_DRIVER "/unbind", s->iommu_dev)) {
			if (!sysfs_write(VIRTIO_IOMMU_DRIVER "/bind", s->iommu_dev))
				s->cycles[kind]++;
			else
				s->failed_binds++;
		} else if (iommu_bind_if_unbound(s)) {
			s->failed_binds++;
		}
		usleep(rnd(20000));
		break;
	}
}

/*
 * A storm or a check that never comes back is a kernel bug that the
 * hung-task panic does not always show: block I/O waits (blk_wait_io()) and
 * killable waits, a partition scan's first read among them, are exempt from
 * the detector, and the test would sit silent until the machine's watchdog
 * kills it. A phase still running STORM_STALL seconds after its plan is
 * reported instead, with the kernel stacks of this test's threads and of
 * every task in D state, and the test fails there.
 */
enum stall_phase { STALL_STORM, STALL_CHECKS, STALL_KMEMLEAK, STALL_LOAD, STALL_UNLOAD };

static const char *const stall_phase_names[] = {
	[STALL_STORM] = "the storm", [STALL_CHECKS] = "the checks of the endpoints",
	[STALL_KMEMLEAK] = "the kmemleak scan", [STALL_LOAD] = "loading the IOMMU driver",
	[STALL_UNLOAD] = "unloading the IOMMU driver",
};

struct stall {
	atomic_long deadline;	/* CLOCK_MONOTONIC seconds; 0: no phase runs */
	atomic_int phase;
	int grace;
};

static struct stall stall;

static long now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static void stall_arm(enum stall_phase phase, int planned_s)
{
	stall.phase = phase;
	stall.deadline = now_s() + planned_s + stall.grace;
}

static void stall_disarm(void)
{
	stall.deadline = 0;
}

/* "# " and each line of @path, which is a kernel stack (/proc/.../stack) */
static void stall_print_stack(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "#     %s", line);
	fclose(f);
}

/* Every task in D state, with its kernel stack; this process's threads too */
static void stall_print_tasks(void)
{
	char path[600], stat[512], *state;
	struct dirent *p, *t;
	DIR *procs, *tasks;
	FILE *f;

	procs = opendir("/proc");
	if (!procs)
		return;
	while ((p = readdir(procs))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks))) {
			if (t->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", p->d_name, t->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			state = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
			fclose(f);
			if (!state || (state[2] != 'D' && atoi(p->d_name) != getpid()))
				continue;
			state[3] = '\0';	/* "(comm) S": the rest is figures */
			fprintf(stderr, "# task %s %s\n", t->d_name, strchr(stat, '('));
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stack",
				 p->d_name, t->d_name);
			stall_print_stack(path);
		}
		closedir(tasks);
	}
	closedir(procs);
}

static void *stall_watch(void *arg)
{
	long deadline;

	for (;;) {
		sleep(1);
		deadline = stall.deadline;
		if (!deadline || now_s() <= deadline)
			continue;
		fprintf(stderr, "# stalled: %s still runs %d s after its plan; %s:\n",
			stall_phase_names[stall.phase], stall.grace, "the tasks that wait");
		stall_print_tasks();
		fflush(stderr);
		/*
		 * The test cannot end on its own: fail it from here. A thread
		 * blocked for good can still keep the process from exiting; the
		 * report above is then what the machine's watchdog shows.
		 */
		_exit(KSFT_FAIL);
	}
	return NULL;
}

static void stall_start(void)
{
	pthread_t tid;

	stall.grace = env_int("STORM_STALL", 60, 3600);
	if (!pthread_create(&tid, NULL, stall_watch, NULL))
		pthread_detach(tid);
}

/*
 * STORM_INJECT_STALL: wait in the kernel, killable, for longer than any
 * grace, as a thread does that waits for an I/O that never completes. A
 * vfork()ed child that sleeps keeps its parent in such a wait.
 */
static void storm_inject_stall(void)
{
	struct timespec t = { .tv_sec = 7200 };

	if (!vfork()) {
		syscall(SYS_nanosleep, &t, NULL);
		_exit(0);
	}
}

static void *storm_thread_fn(void *arg)
{
	struct storm_thread *t = arg;
	bool idle = getenv("STORM_INJECT_IDLE");

	if (getenv("STORM_INJECT_STALL") && t == t->s->first_thread)
		storm_inject_stall();
	while (!t->s->stop) {
		if (idle)
			usleep(1000);
		else
			storm_one(t->s, t->kind);
	}
	return NULL;
}

/* The virtio device of virtio-iommu, if there is one */
static void find_virtio_iommu(char *name, size_t size)
{
	char path[512], buf[32];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	name[0] = '\0';
	dir = opendir(VIRTIO_DEVICES);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VIRTIO_DEVICES "/%s/device", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && strtoul(buf, NULL, 16) == VIRTIO_ID_IOMMU)
			snprintf(name, size, "%.31s", d->d_name);
		fclose(f);
	}
	closedir(dir);
}

/* Put back what a storm may have left undone: devices, drivers */
static void storm_restore(struct storm *s)
{
	int i;

	sysfs_write("/sys/bus/pci/rescan", "1");
	if (s->iommu_dev[0])
		iommu_bind_if_unbound(s);
	for (i = 0; i < s->ep.total; i++)
		if (!pci_has(s->ep.name[i], "driver"))
			sysfs_write("/sys/bus/pci/drivers_probe", s->ep.name[i]);
}

/*
 * Whether the checks can pass here before any storm. A machine that says
 * what it has (EXPECT_ENDPOINTS) is set up for them, and what is missing
 * fails the checks; elsewhere it is the reason for a SKIP, in @why.
 */
static bool storm_machine_set_up(const struct endpoints *ep, char *why, size_t size)
{
	const char *expect = getenv("EXPECT_ENDPOINTS");
	char disk[32], reason[256];
	unsigned int bad_line;

	if (expect && *expect)
		return true;
	if (geteuid()) {
		snprintf(why, size, "needs root: it unbinds drivers and removes devices");
		return false;
	}
	if (disk_pattern_check(disk, sizeof(disk), &bad_line)) {
		snprintf(why, size, "no /dev/vd* reads back the pattern the checks need %s",
			 "(iommu_probe_utils.h; set EXPECT_ENDPOINTS where it should)");
		return false;
	}
	if (endpoints_translated(ep, reason, sizeof(reason)) != ep->total) {
		snprintf(why, size, "an endpoint's DMA does not go through an IOMMU: %s",
			 reason);
		return false;
	}
	return true;
}

/* What both fixtures hold: the storm, and how the machine was found */
struct storm_env {
	struct storm s;
	struct timespec t0;
	int kmsg;
	int threads, seconds, settle;
	const char *module;
};

static void storm_env_setup(struct __test_metadata *_metadata, struct storm_env *e)
{
	const char *disposable = getenv("STORM_DISPOSABLE");
	char why[512];

	clock_gettime(CLOCK_MONOTONIC, &e->t0);
	e->kmsg = kmsg_open();
	if (!disposable || strcmp(disposable, "1"))
		SKIP(return, "%s: set STORM_DISPOSABLE=1 in a throw-away VM",
		     "unbinds and removes this machine's virtio devices");
	e->threads = env_int("STORM_THREADS", 4, MAX_THREADS);
	e->seconds = env_int("STORM_SECONDS", 3, 3600);
	e->settle = env_int("STORM_SETTLE", 30, 3600);
	e->module = getenv("IOMMU_MODULE");
	memset(&e->s, 0, sizeof(e->s));
	e->s.iommu_threads = env_int("STORM_IOMMU_THREADS", e->threads, MAX_THREADS);
	endpoints_scan(&e->s.ep);
	if (!e->s.ep.total)
		SKIP(return, "no virtio PCI endpoints");
	if (!storm_machine_set_up(&e->s.ep, why, sizeof(why)))
		SKIP(return, "%s", why);
	find_virtio_iommu(e->s.iommu_dev, sizeof(e->s.iommu_dev));
	stall_start();
}

static void storm_env_teardown(struct __test_metadata *_metadata, struct storm_env *e)
{
	struct timespec t1;

	if (e->kmsg >= 0)
		close(e->kmsg);
	/* the scenario's time, storm and checks, for whoever tabulates runs */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("time: %.1f s", t1.tv_sec - e->t0.tv_sec +
	       (t1.tv_nsec - e->t0.tv_nsec) / 1e9);
}

/*
 * The load race has a fixture of its own, defined first so that it runs
 * first: it needs the IOMMU driver not loaded yet, and the storms load it.
 */
FIXTURE(load) {
	struct storm_env e;
};

FIXTURE_SETUP(load)
{
	storm_env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(load)
{
	storm_env_teardown(_metadata, &self->e);
}

FIXTURE(storm) {
	struct storm_env e;
};

/* The storms differ only in what they storm */
FIXTURE_VARIANT(storm) {
	enum storm_kind kinds[3];
	int nkinds;
};

/* a: endpoint drivers unbound and bound from several threads */
FIXTURE_VARIANT_ADD(storm, endpoint_bind_unbind) {
	.kinds = { STORM_BIND },
	.nkinds = 1,
};

/* b: endpoints removed and the bus rescanned from several threads */
FIXTURE_VARIANT_ADD(storm, endpoint_remove_rescan) {
	.kinds = { STORM_REMOVE },
	.nkinds = 1,
};

/* c: the IOMMU driver unbound and bound while both endpoint storms run */
FIXTURE_VARIANT_ADD(storm, iommu_unbind_bind_under_storm) {
	.kinds = { STORM_BIND, STORM_REMOVE, STORM_IOMMU_REBIND },
	.nkinds = 3,
};

FIXTURE_SETUP(storm)
{
	storm_env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(storm)
{
	storm_env_teardown(_metadata, &self->e);
}

static int ms_since(const struct timespec *t0, const struct timespec *t1)
{
	return (t1->tv_sec - t0->tv_sec) * 1000 + (t1->tv_nsec - t0->tv_nsec) / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	nanosleep(&t, NULL);
}

/* The kernel command line has deferred_probe_timeout=-1 (see the top) */
static bool deferred_probe_waits(void)
{
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	return strstr(cmdline, "deferred_probe_timeout=-1");
}

/* What a kind of storm did: its cycles, and a bind thread's probes */
static long storm_work(struct storm *s, int kind)
{
	return s->cycles[kind] + (kind == STORM_BIND ? s->probes : 0);
}

/*
 * A kind of this storm is short of STORM_FLOOR a second of the storms'
 * time so far, @ms in all: the test's total, as storm_check_work() counts
 * it, so that a trial of the load race goes on only for what the trials
 * before it left undone
 */
static bool storm_short_of_work(struct storm *s, const enum storm_kind *kinds,
				int nkinds, int ms)
{
	int i;

	for (i = 0; i < nkinds; i++)
		if (storm_work(s, kinds[i]) * 1000 < (long)STORM_FLOOR * ms)
			return true;
	return false;
}

/*
 * Run @kinds storms at once, @threads threads each, for @ms; with @module,
 * load it at a random moment of the first @ms and storm @ms more after it.
 * A storm short of its work goes on for up to STORM_EXTEND times @ms more.
 */
static void storm_run(struct storm *s, const enum storm_kind *kinds, int nkinds,
		      int threads, int ms, const char *module)
{
	struct storm_thread t[3 * MAX_THREADS];
	int i, n = 0, delay = 0, extra = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* the load's delay, the load, the storm after it and its extension */
	stall_arm(STALL_STORM, (2 + STORM_EXTEND) * ms / 1000 + 1);
	s->stop = false;
	s->first_thread = &t[0];
	for (i = 0; i < nkinds; i++)
		s->ran[kinds[i]] = true;
	for (i = 0; i < nkinds * threads; i++) {
		t[n].s = s;
		t[n].kind = kinds[i % nkinds];
		if (t[n].kind == STORM_IOMMU_REBIND && i / nkinds >= s->iommu_threads)
			continue;
		if (!pthread_create(&t[n].tid, NULL, storm_thread_fn, &t[n]))
			n++;
	}
	if (module) {
		struct timespec l0, l1;

		delay = rnd(ms);
		sleep_ms(delay);
		clock_gettime(CLOCK_MONOTONIC, &l0);
		load_module(module);
		clock_gettime(CLOCK_MONOTONIC, &l1);
		s->load_ms += ms_since(&l0, &l1);
	}
	if (getenv("STORM_INJECT_WARN"))
		sysfs_write("/dev/kmsg", "WARNING: injected by iommu_probe_storm\n");
	sleep_ms(ms);
	while (extra < STORM_EXTEND * ms &&
	       storm_short_of_work(s, kinds, nkinds, s->ms + delay + ms)) {
		sleep_ms(100);
		extra += 100;
	}
	s->stop = true;
	for (i = 0; i < n; i++)
		pthread_join(t[i].tid, NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->end);
	stall_disarm();
	s->ms += delay + ms;
	s->extra_ms += extra;
	s->wall_ms += ms_since(&t0, &s->end);
}

static const char *const kind_names[] = {
	[STORM_BIND] = "bind/unbind", [STORM_REMOVE] = "remove/rescan",
	[STORM_IOMMU_REBIND] = "iommu unbind/bind",
};

/*
 * The storms did work: every kind ran STORM_FLOOR cycles a second of their
 * planned time (a bind thread's probe of an endpoint that has no driver
 * counts as one), within STORM_EXTEND times that time more
 */
static void storm_check_work(struct __test_metadata *_metadata, struct storm *s)
{
	int kind;

	TH_LOG("cycles in %d s, %d ms of wall time: %s %ld, %s %ld, %s %ld; %s",
	       (s->ms + 500) / 1000, s->wall_ms,
	       kind_names[STORM_BIND], s->cycles[STORM_BIND],
	       kind_names[STORM_REMOVE], s->cycles[STORM_REMOVE],
	       kind_names[STORM_IOMMU_REBIND], s->cycles[STORM_IOMMU_REBIND],
	       s->extra_ms ? "past the storms' time to do them" : "in the storms' time");
	if (s->extra_ms)
		TH_LOG("%d ms past the storms' time", s->extra_ms);
	TH_LOG("probes of endpoints without a driver, asked by bind threads: %ld", s->probes);
	if (s->failed_binds)
		TH_LOG("IOMMU binds refused (another thread bound first, or a probe failed): %ld",
		       s->failed_binds);
	for (kind = 0; kind < 3; kind++) {
		long work = storm_work(s, kind);

		if (!s->ran[kind])
			continue;
		EXPECT_GE(work * 1000, (long)STORM_FLOOR * s->ms) {
			TH_LOG("%s: %ld cycles for a storm of %d ms (and %d ms more), %s",
			       kind_names[kind], work, s->ms, s->extra_ms,
			       "under 1 a second: an idle storm");
		}
	}
}

/*
 * Everything back in order after a storm: groups, drivers, DMA through the
 * IOMMU, kernel log. False, when something is not.
 */
static bool storm_check_endpoints(struct __test_metadata *_metadata, struct storm *s,
				  int kmsg, int settle)
{
	char excerpt[4096], disk[32], why[256];
	const char *expect = getenv("EXPECT_ENDPOINTS");
	int want = expect ? atoi(expect) : s->ep.total;
	unsigned int bad_line = 0;
	bool ready, report;
	struct endpoints ep;
	int translated, ret;

	stall_arm(STALL_CHECKS, settle);
	storm_restore(s);
	ready = endpoints_wait_ready(&ep, want, settle);
	EXPECT_TRUE(ready) {
		TH_LOG("%d/%d endpoints ready (%d before, %d expected) after %d s; not ready: %s",
		       ep.ready, ep.total, s->ep.total, want, settle, ep.missing);
		if (!deferred_probe_waits())
			TH_LOG("no deferred_probe_timeout=-1 on the kernel command line: %s",
			       "an endpoint may have bound without its IOMMU");
	}
	translated = endpoints_translated(&ep, why, sizeof(why));
	EXPECT_EQ(ep.total, translated) {
		TH_LOG("%s", why);
	}
	ret = disk_pattern_check(disk, sizeof(disk), &bad_line);
	EXPECT_EQ(0, ret) {
		if (ret < 0)
			TH_LOG("no /dev/vd* holds the pattern: the disk is gone or unreadable");
		else
			TH_LOG("%s: line %u of the pattern reads back wrong", disk, bad_line);
	}
	report = kmsg_has_report(kmsg, excerpt, sizeof(excerpt));
	stall_disarm();
	EXPECT_FALSE(report) {
		TH_LOG("kernel log report:\n%s", excerpt);
	}
	return ready && translated == ep.total && !ret && !report;
}

/* No leak from IOMMU, OF or ACPI code since the kernel booted */
static void storm_check_leaks(struct __test_metadata *_metadata, struct storm *s)
{
	char excerpt[4096];
	int ret, all = 0;

	stall_arm(STALL_KMEMLEAK, 0);
	ret = kmemleak_ours(excerpt, sizeof(excerpt), &s->end, &all);
	stall_disarm();
	if (ret < 0)
		TH_LOG("no kmemleak (CONFIG_DEBUG_KMEMLEAK, debugfs): leaks not checked");
	else
		TH_LOG("kmemleak: %d unreferenced objects, %d from IOMMU, OF or ACPI code",
		       all, ret);
	EXPECT_LE(ret, 0) {
		TH_LOG("%d leaked objects from IOMMU, OF or ACPI code:\n%s", ret, excerpt);
	}
}

static void storm_check(struct __test_metadata *_metadata, struct storm *s,
			int kmsg, int settle)
{
	storm_check_work(_metadata, s);
	storm_check_endpoints(_metadata, s, kmsg, settle);
	storm_check_leaks(_metadata, s);
}

static bool module_loaded(const char *module)
{
	char path[256], name[128];

	modname(module, name, sizeof(name));
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !access(path, F_OK);
}

/* The tests after the load race need the IOMMU driver: load it if it is not */
static int iommu_driver_load(const char *module)
{
	int ret;

	if (!module || !*module || module_loaded(module))
		return 0;
	stall_arm(STALL_LOAD, 0);
	ret = load_module(module);
	stall_disarm();
	return ret;
}

/*
 * The machine as it booted, for one more load race: the IOMMU driver
 * unloaded and every endpoint a new device, waiting for it in deferred
 * probe. Each PCI device the IOMMU probed holds a reference on its module:
 * virtio-iommu's unbind releases them all; SMMUv3 cannot be unbound, so
 * every PCI device still in an IOMMU group (the host bridge's function
 * too) is removed before the module is, and comes back with the rescan.
 */
static int iommu_driver_unload(struct storm *s, const char *module)
{
	char name[128], path[512];
	struct dirent *d;
	DIR *dir;

	if (getenv("STORM_INJECT_NO_UNLOAD"))
		return 0;
	if (s->iommu_dev[0] && sysfs_write(VIRTIO_IOMMU_DRIVER "/unbind", s->iommu_dev))
		return -errno;
	dir = opendir(PCI_DEVICES);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		bool endpoint = pci_read_hex(d->d_name, "vendor") == VIRTIO_VENDOR &&
				pci_read_hex(d->d_name, "device") != VIRTIO_IOMMU_DEVICE;

		if (d->d_name[0] == '.' || (!endpoint && !pci_has(d->d_name, "iommu_group")))
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", d->d_name);
		sysfs_write(path, "1");
	}
	closedir(dir);
	modname(module, name, sizeof(name));
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return sysfs_write("/sys/bus/pci/rescan", "1");
}

/*
 * d: the IOMMU driver loads while its endpoints, waiting for it in deferred
 * probe, are probed again and removed and rescanned; STORM_TRIALS times,
 * each storm STORM_TRIAL_MS long before the load (which comes at a random
 * moment of it) and as long again after it. Each trial must leave the
 * endpoints working and the kernel log clean; the first that does not ends
 * the test. Leaks are counted once, after the last.
 */
TEST_F_TIMEOUT(load, iommu_driver_load_race, 600)
{
	const enum storm_kind kinds[] = { STORM_BIND, STORM_REMOVE };
	struct storm_env *e = &self->e;
	int trials = env_int("STORM_TRIALS", 1, 100000);
	int ms = env_int("STORM_TRIAL_MS", e->seconds * 1000, 3600 * 1000);
	struct timespec t0, t1, u0, u1;
	int i, ret, unload_ms = 0;
	struct endpoints ep;

	if (!e->module || !*e->module)
		SKIP(return, "IOMMU_MODULE is not set: the IOMMU driver is built in");
	if (module_loaded(e->module))
		SKIP(return, "%s is loaded already: the race is with its first load",
		     e->module);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < trials; i++) {
		if (i) {
			clock_gettime(CLOCK_MONOTONIC, &u0);
			stall_arm(STALL_UNLOAD, 0);
			ret = iommu_driver_unload(&e->s, e->module);
			stall_disarm();
			clock_gettime(CLOCK_MONOTONIC, &u1);
			unload_ms += ms_since(&u0, &u1);
			ASSERT_EQ(0, ret) {
				TH_LOG("trial %d: unloading %s: %s", i + 1, e->module,
				       strerror(-ret));
			}
			/* else the load below would race nothing */
			ASSERT_FALSE(module_loaded(e->module)) {
				TH_LOG("trial %d: %s is still loaded", i + 1, e->module);
			}
			endpoints_scan(&ep);
			ASSERT_EQ(0, ep.ready) {
				TH_LOG("trial %d: %d endpoints bound before %s loads",
				       i + 1, ep.ready, e->module);
			}
		}
		storm_run(&e->s, kinds, 2, e->threads, ms, e->module);
		ASSERT_TRUE(module_loaded(e->module)) {
			TH_LOG("trial %d: %s did not load", i + 1, e->module);
		}
		if (!storm_check_endpoints(_metadata, &e->s, e->kmsg, e->settle)) {
			struct timespec up;

			/* the uptime, for the time a mutation takes to be seen */
			clock_gettime(CLOCK_BOOTTIME, &up);
			TH_LOG("trial %d of %d failed, at %ld s of uptime", i + 1, trials,
			       (long)up.tv_sec);
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("load races: %d of %d in %d ms: storms %d ms (%d planned, loads %d), unloads %d ms",
	       i, trials, ms_since(&t0, &t1), e->s.wall_ms, e->s.ms, e->s.load_ms,
	       unload_ms);
	storm_check_work(_metadata, &e->s);
	storm_check_leaks(_metadata, &e->s);
}

/*
 * Each variant's storm, STORM_SECONDS long; then every endpoint must be
 * back, with its driver and its DMA translated and working, the kernel log
 * clean and no leak found.
 */
TEST_F_TIMEOUT(storm, endpoints_work_after, 600)
{
	struct storm_env *e = &self->e;
	int i;

	ASSERT_EQ(0, iommu_driver_load(e->module));
	for (i = 0; i < variant->nkinds; i++)
		if (variant->kinds[i] == STORM_IOMMU_REBIND && !e->s.iommu_dev[0])
			SKIP(return, "no virtio-iommu: %s cannot be unbound",
			     "SMMUv3 (suppress_bind_attrs), intel-iommu or amd-iommu");
	storm_run(&e->s, variant->kinds, variant->nkinds, e->threads, e->seconds * 1000, NULL);
	storm_check(_metadata, &e->s, e->kmsg, e->settle);
}

TEST_HARNESS_MAIN

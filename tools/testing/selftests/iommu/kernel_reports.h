/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel log reports that fail a test whatever else it checked, on arm64
 * and x86: one POSIX extended regular expression per line, each after an
 * example of the line it is there for. A tool that judges a machine's
 * console or a KUnit log by the same list reads it from here, and can test
 * its judge against every example.
 */
#ifndef IOMMU_KERNEL_REPORTS_H
#define IOMMU_KERNEL_REPORTS_H

#define KERNEL_REPORTS \
	/* e.g. WARNING: CPU: 1 PID: 7 at drivers/iommu/iommu.c:634 f+0x1/0x2 */ \
	"WARNING:|" \
	/* e.g. BUG: sleeping function called from invalid context at mutex.c:585 */ \
	"BUG:|" \
	/* e.g. kernel BUG at drivers/iommu/iommu.c:99! */ \
	"kernel BUG|" \
	/* e.g. Oops: general protection fault, probably for non-canonical address */ \
	"Oops|" \
	/* e.g. Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP */ \
	"Internal error:|" \
	/* e.g. Unable to handle kernel paging request at virtual address dead000000000108 */ \
	"Unable to handle kernel|" \
	/* e.g. general protection fault, maybe for address 0x1: 0000 [#1] */ \
	"general protection fault|" \
	/* e.g. Kernel panic - not syncing: Fatal exception */ \
	"Kernel panic|" \
	/* e.g. Call Trace: */ \
	"Call [Tt]race:|" \
	/* e.g. CPU: 0 UID: 0 PID: 71 Comm: iommu_probe_sto Not tainted 6.12.117 #1 */ \
	"CPU: [0-9]+ (UID: [0-9]+ )?PID: [0-9]+ Comm: |" \
	/* e.g. BUG: KASAN: slab-use-after-free in iommu_deinit_device+0x1/0x2 */ \
	"KASAN|" \
	/* e.g. BUG: KCSAN: data-race in iommu_probe_device / iommu_release_device */ \
	"KCSAN: |" \
	/* e.g. UBSAN: array-index-out-of-bounds in drivers/iommu/of_iommu.c:42:3 */ \
	"UBSAN: |" \
	/* e.g. WARNING: possible circular locking dependency detected */ \
	"possible circular locking|" \
	/* e.g. WARNING: possible recursive locking detected */ \
	"possible recursive locking|" \
	/* e.g. WARNING: inconsistent lock state */ \
	"inconsistent lock state|" \
	/* e.g. WARNING: suspicious RCU usage */ \
	"suspicious RCU usage|" \
	/* e.g. refcount_t: underflow; use-after-free. */ \
	"refcount_t: |" \
	/* e.g. list_del corruption, ffff000004a0c018->next is LIST_POISON1 (dead000000000100) */ \
	"list_(add|del) corruption|" \
	/* e.g. rcu: INFO: rcu_preempt self-detected stall on CPU */ \
	"rcu: INFO: rcu_[a-z]+ (self-)?detected stall|" \
	/* e.g. rcu: INFO: rcu_sched detected stalls on CPUs/tasks: */ \
	"detected stalls on CPUs|" \
	/* e.g. INFO: task kworker/0:1:12 blocked for more than 120 seconds. */ \
	"INFO: task .* blocked for more than|" \
	/* e.g. irq 25: nobody cared (try booting with the irqpoll option) */ \
	"irq [0-9]+: nobody cared|" \
	/* e.g. watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [iommu_probe_sto:71] */ \
	"soft lockup|" \
	/* e.g. Watchdog detected hard LOCKUP on cpu 1 */ \
	"hard LOCKUP"

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest smoke test: load the IOMMU driver named by IOMMU_MODULE (from the
 * kernel command line), then check that an IOMMU registered, that every
 * virtio PCI endpoint joined an IOMMU group and has its driver bound, and
 * that DMA through the IOMMU works: the virtio-blk disk the host filled with
 * a known pattern reads back byte-identical.
 *
 * The endpoints' drivers defer their probe until the IOMMU driver is there,
 * so the checks wait (bounded) for the deferred probes to finish.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include "kselftest.h"
#include "iommu/iommu_modload.h"
#include "iommu/iommu_probe_utils.h"

#define WAIT_SECONDS	20

int main(void)
{
	const char *module = getenv("IOMMU_MODULE");
	unsigned int bad_line = 0;
	struct endpoints ep;
	char disk[32] = "";
	int ret, iommus;

	ksft_print_header();
	ksft_set_plan(4);

	if (!module || !*module)
		ksft_exit_fail_msg("IOMMU_MODULE is not set on the kernel command line\n");
	ret = load_module(module);
	ksft_test_result(ret == 0, "load_module %s%s%s\n", module,
			 ret ? ": " : "", ret ? strerror(-ret) : "");

	if (!endpoints_wait_ready(&ep, 1, WAIT_SECONDS))
		ksft_print_msg("%d of %d virtio endpoints ready after %d s; first not ready: %s\n",
			       ep.ready, ep.total, WAIT_SECONDS,
			       ep.missing[0] ? ep.missing : "none found");
	iommus = count_dir("/sys/class/iommu");
	ksft_test_result(iommus > 0, "iommu_registered (%d in /sys/class/iommu)\n", iommus);
	ksft_test_result(ep.total > 0 && ep.ready == ep.total,
			 "endpoints_in_iommu_groups (%d of %d)\n", ep.ready, ep.total);

	ret = disk_pattern_check(disk, sizeof(disk), &bad_line);
	if (ret < 0)
		ksft_test_result_fail("dma_read_pattern: no /dev/vd* holds the pattern\n");
	else
		ksft_test_result(ret == 0, "dma_read_pattern (%s, %d lines%s)\n", disk,
				 PATTERN_LINES, ret ? ", mismatch" : "");
	if (ret > 0)
		ksft_print_msg("first bad line: %u\n", bad_line);
	ksft_finished();
}

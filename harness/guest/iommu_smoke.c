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
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "modload.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define VIRTIO_VENDOR	0x1af4
/* virtio-iommu-pci itself: the IOMMU, not an endpoint behind it */
#define VIRTIO_IOMMU_DEVICE	0x1057
#define WAIT_SECONDS	20

/* Must match the pattern the host writes (harness/smoke.sh). */
#define DISK		"/dev/vda"
#define PATTERN_LINES	2048
#define PATTERN_FMT	"iommu-fwspec dma pattern %08u\n"
#define PATTERN_LEN	34

static unsigned int read_hex(const char *dev, const char *attr)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static bool has_link(const char *dev, const char *link)
{
	char path[512];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, link);
	return access(path, F_OK) == 0;
}

/*
 * Count the virtio endpoints, and those of them in an IOMMU group with a
 * driver bound. Names the first endpoint that is not ready in @missing.
 */
static int count_endpoints(int *ready, char *missing, size_t size)
{
	struct dirent *d;
	int total = 0;
	DIR *dir;

	*ready = 0;
	missing[0] = '\0';
	dir = opendir(PCI_DEVICES);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' ||
		    read_hex(d->d_name, "vendor") != VIRTIO_VENDOR ||
		    read_hex(d->d_name, "device") == VIRTIO_IOMMU_DEVICE)
			continue;
		total++;
		if (has_link(d->d_name, "iommu_group") && has_link(d->d_name, "driver"))
			(*ready)++;
		else if (!missing[0])
			snprintf(missing, size, "%.64s (group %s, driver %s)", d->d_name,
				 has_link(d->d_name, "iommu_group") ? "yes" : "no",
				 has_link(d->d_name, "driver") ? "yes" : "no");
	}
	closedir(dir);
	return total;
}

static int count_iommus(void)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/iommu");
	int n = 0;

	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static bool wait_for_endpoints(int *total, int *ready, char *missing, size_t size)
{
	time_t end = time(NULL) + WAIT_SECONDS;

	do {
		*total = count_endpoints(ready, missing, size);
		if (*total && *ready == *total)
			return true;
		usleep(100 * 1000);
	} while (time(NULL) < end);
	return false;
}

static int check_disk_pattern(unsigned int *bad_line)
{
	char want[PATTERN_LEN + 1], got[PATTERN_LEN];
	unsigned int i;
	int fd, ret = 0;

	for (i = 0; i < WAIT_SECONDS * 10 && access(DISK, F_OK); i++)
		usleep(100 * 1000);
	fd = open(DISK, O_RDONLY);
	if (fd < 0)
		return -1;
	for (i = 0; i < PATTERN_LINES; i++) {
		snprintf(want, sizeof(want), PATTERN_FMT, i);
		if (read(fd, got, PATTERN_LEN) != PATTERN_LEN ||
		    memcmp(got, want, PATTERN_LEN)) {
			*bad_line = i;
			ret = 1;
			break;
		}
	}
	close(fd);
	return ret;
}

int main(void)
{
	const char *module = getenv("IOMMU_MODULE");
	int ret, total, ready, iommus;
	unsigned int bad_line = 0;
	char missing[256];

	ksft_print_header();
	ksft_set_plan(4);

	if (!module || !*module)
		ksft_exit_fail_msg("IOMMU_MODULE is not set on the kernel command line\n");
	ret = load_module(module);
	ksft_test_result(ret == 0, "load_module %s%s%s\n", module,
			 ret ? ": " : "", ret ? strerror(-ret) : "");

	if (!wait_for_endpoints(&total, &ready, missing, sizeof(missing)))
		ksft_print_msg("%d of %d virtio endpoints ready after %d s; first not ready: %s\n",
			       ready, total, WAIT_SECONDS, missing[0] ? missing : "none found");
	iommus = count_iommus();
	ksft_test_result(iommus > 0, "iommu_registered (%d in /sys/class/iommu)\n", iommus);
	ksft_test_result(total > 0 && ready == total,
			 "endpoints_in_iommu_groups (%d of %d)\n", ready, total);

	ret = check_disk_pattern(&bad_line);
	if (ret < 0)
		ksft_test_result_fail("dma_read_pattern: %s did not appear\n", DISK);
	else
		ksft_test_result(ret == 0, "dma_read_pattern (%d lines%s)\n",
				 PATTERN_LINES, ret ? ", mismatch" : "");
	if (ret > 0)
		ksft_print_msg("first bad line: %u\n", bad_line);
	ksft_finished();
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IOMMU probe tests look at in a guest: the virtio PCI endpoints
 * behind the IOMMU (every virtio PCI device but virtio-iommu itself), whether
 * they are in an IOMMU group with their driver bound, whether their DMA
 * really goes through the IOMMU, DMA itself (a virtio-blk disk that the
 * host filled with a known pattern, read with O_DIRECT), new reports in the
 * kernel log and leaks (kmemleak).
 */
#ifndef IOMMU_PROBE_UTILS_H
#define IOMMU_PROBE_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel_reports.h"

#define PCI_DEVICES		"/sys/bus/pci/devices"
#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_IOMMU_DEVICE	0x1057	/* virtio-iommu-pci: the IOMMU */
#define VIRTIO_F_ACCESS_PLATFORM 33	/* the device's DMA goes through the platform's IOMMU */
#define MAX_ENDPOINTS		16

/* The disk pattern: PATTERN_LINES lines of PATTERN_LEN bytes, from the host */
#define PATTERN_LINES		2048
#define PATTERN_FMT		"iommu-fwspec dma pattern %08u\n"
#define PATTERN_LEN		34

static inline int sysfs_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(value), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, value, len);
	ret = ret == len ? 0 : ret < 0 ? -errno : -EIO;
	close(fd);
	return ret;
}

static inline unsigned int pci_read_hex(const char *dev, const char *attr)
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

static inline bool pci_has(const char *dev, const char *link)
{
	char path[512];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, link);
	return access(path, F_OK) == 0;
}

/*
 * The virtio device of virtio PCI endpoint @dev, in @name: there once
 * virtio-pci's probe of @dev is done (its "driver" link is there from the
 * start of the probe).
 */
static inline bool pci_virtio_child(const char *dev, char *name, size_t size)
{
	char path[512];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s", dev);
	dir = opendir(path);
	while (dir && !found && (d = readdir(dir))) {
		if (!strncmp(d->d_name, "virtio", 6) &&
		    d->d_name[6] >= '0' && d->d_name[6] <= '9') {
			snprintf(name, size, "%.31s", d->d_name);
			found = true;
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

struct endpoints {
	int total;
	int ready;		/* in an IOMMU group, driver bound and probed */
	char name[MAX_ENDPOINTS][32];
	char missing[192];	/* the first one not ready, and why */
};

/* The virtio PCI endpoints present now, and how many of them are ready */
static inline void endpoints_scan(struct endpoints *ep)
{
	char child[32];
	struct dirent *d;
	DIR *dir;

	memset(ep, 0, sizeof(*ep));
	dir = opendir(PCI_DEVICES);
	if (!dir)
		return;
	while ((d = readdir(dir)) && ep->total < MAX_ENDPOINTS) {
		if (d->d_name[0] == '.' ||
		    pci_read_hex(d->d_name, "vendor") != VIRTIO_VENDOR ||
		    pci_read_hex(d->d_name, "device") == VIRTIO_IOMMU_DEVICE)
			continue;
		snprintf(ep->name[ep->total++], sizeof(ep->name[0]), "%.31s", d->d_name);
		if (pci_has(d->d_name, "iommu_group") && pci_has(d->d_name, "driver") &&
		    pci_virtio_child(d->d_name, child, sizeof(child)))
			ep->ready++;
		else if (!ep->missing[0])
			snprintf(ep->missing, sizeof(ep->missing),
				 "%.31s (iommu group: %s, driver: %s, virtio device: %s)",
				 d->d_name, pci_has(d->d_name, "iommu_group") ? "yes" : "no",
				 pci_has(d->d_name, "driver") ? "yes" : "no",
				 pci_virtio_child(d->d_name, child, sizeof(child)) ? "yes" : "no");
	}
	closedir(dir);
}

/*
 * Wait up to @seconds for at least @want endpoints, all ready. Polled every
 * 10 ms: the endpoints are usually ready within a few ms of the storm's
 * end, and every load race waits here once.
 */
static inline bool endpoints_wait_ready(struct endpoints *ep, int want, int seconds)
{
	time_t end = time(NULL) + seconds;

	do {
		endpoints_scan(ep);
		if (ep->total >= want && ep->total && ep->ready == ep->total)
			return true;
		usleep(10 * 1000);
	} while (time(NULL) < end);
	return false;
}

/*
 * Does the DMA of endpoint @dev go through its IOMMU? Its virtio device
 * must have negotiated VIRTIO_F_ACCESS_PLATFORM: without it, the rings and
 * buffers are at guest-physical addresses that QEMU does not translate, so
 * DMA works whatever the IOMMU does. And its IOMMU group's domain must
 * translate (DMA, DMA-FQ), not pass through (identity). False, with the
 * reason in @why, when not.
 */
static inline bool endpoint_dma_translated(const char *dev, char *why, size_t size)
{
	char path[512], child[32], features[128] = "", type[32] = "";
	FILE *f;

	if (!pci_virtio_child(dev, child, sizeof(child))) {
		snprintf(why, size, "%s: no virtio device (driver not bound)", dev);
		return false;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s/features", dev, child);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(features, sizeof(features), f))
			features[0] = '\0';
		fclose(f);
	}
	if (strlen(features) <= VIRTIO_F_ACCESS_PLATFORM ||
	    features[VIRTIO_F_ACCESS_PLATFORM] != '1') {
		snprintf(why, size, "%s: VIRTIO_F_ACCESS_PLATFORM not negotiated: %s",
			 dev, "its DMA bypasses the IOMMU (QEMU: iommu_platform=on)");
		return false;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group/type", dev);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(type, sizeof(type), f))
			type[0] = '\0';
		fclose(f);
	}
	type[strcspn(type, "\n")] = '\0';
	if (strcmp(type, "DMA") && strcmp(type, "DMA-FQ")) {
		snprintf(why, size, "%s: IOMMU group type '%s', not DMA or DMA-FQ",
			 dev, type);
		return false;
	}
	return true;
}

/* How many of @ep's endpoints DMA through the IOMMU; the first that does not in @why */
static inline int endpoints_translated(const struct endpoints *ep, char *why, size_t size)
{
	char reason[256];
	int i, n = 0;

	why[0] = '\0';
	for (i = 0; i < ep->total; i++) {
		if (endpoint_dma_translated(ep->name[i], reason, sizeof(reason)))
			n++;
		else if (!why[0])
			snprintf(why, size, "%s", reason);
	}
	return n;
}

/*
 * Leaks from IOMMU, OF or ACPI code since the last call: kmemleak scans
 * now, and every unreferenced object whose allocation backtrace has one of
 * those in it is a leak. kmemleak does not report an object younger than
 * its minimum age (5 s), so the scan waits until the work of interest,
 * which ended at @since (CLOCK_MONOTONIC), is older than that; nor one
 * whose contents changed since the scan before (it takes the first scan
 * that sees an object to record its checksum), so it scans twice. Returns how
 * many leaks, with the first ones in @excerpt, and in @all how many
 * unreferenced objects the scan found in all; -1 when there is no
 * kmemleak (debugfs at /sys/kernel/debug). The objects found are cleared,
 * so that the next call reports only new ones.
 */
#define KMEMLEAK		"/sys/kernel/debug/kmemleak"
#define KMEMLEAK_OURS		"iommu|viommu|smmu|of_|acpi|fwspec|viot|iort"
#define KMEMLEAK_MIN_AGE_MS	5500

static inline int kmemleak_ours(char *excerpt, size_t size, const struct timespec *since,
				int *all)
{
	struct timespec now;
	long waited_ms;
	char line[512], obj[2048] = "";
	size_t used = 0, olen = 0;
	bool ours = false, backtrace = false;
	int leaks = 0;
	regex_t re;
	FILE *f;

	excerpt[0] = '\0';
	if (access(KMEMLEAK, W_OK))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	waited_ms = (now.tv_sec - since->tv_sec) * 1000 +
		    (now.tv_nsec - since->tv_nsec) / 1000000;
	if (waited_ms < KMEMLEAK_MIN_AGE_MS)
		usleep((KMEMLEAK_MIN_AGE_MS - waited_ms) * 1000);
	if (sysfs_write(KMEMLEAK, "scan") || sysfs_write(KMEMLEAK, "scan"))
		return -1;
	f = fopen(KMEMLEAK, "r");
	if (!f || regcomp(&re, KMEMLEAK_OURS, REG_EXTENDED | REG_NOSUB)) {
		if (f)
			fclose(f);
		return -1;
	}
	/* One object per "unreferenced object" line, up to the next one */
	for (;;) {
		bool more = fgets(line, sizeof(line), f);

		if (more && !strncmp(line, "unreferenced object", 19))
			(*all)++;
		if (!more || !strncmp(line, "unreferenced object", 19)) {
			if (ours) {
				leaks++;
				if (used < size) {
					snprintf(excerpt + used, size - used, "%s", obj);
					used = strlen(excerpt);
				}
			}
			if (!more)
				break;
			ours = false;
			backtrace = false;
			olen = 0;
			obj[0] = '\0';
		}
		/* "  backtrace (crc ...):", then a "    function+off/len" a line */
		if (!strncmp(line, "  backtrace", 11))
			backtrace = true;
		else if (backtrace && !regexec(&re, line, 0, NULL, 0))
			ours = true;
		if (olen < sizeof(obj)) {
			snprintf(obj + olen, sizeof(obj) - olen, "%s", line);
			olen = strlen(obj);
		}
	}
	fclose(f);
	regfree(&re);
	sysfs_write(KMEMLEAK, "clear");
	return leaks;
}

static inline int count_dir(const char *path)
{
	struct dirent *d;
	DIR *dir = opendir(path);
	int n = 0;

	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/*
 * Find the disk with the pattern among /dev/vd[a-z] (names change when
 * endpoints are removed and rescanned) and read all of it with O_DIRECT, so
 * that the data comes by DMA through the IOMMU, not from the page cache.
 * Returns 0 when it reads back byte-identical, 1 on a mismatch (the first
 * bad line in *@bad_line), -1 when no disk holds the pattern.
 */
static inline int disk_pattern_check(char *disk, size_t size, unsigned int *bad_line)
{
	const size_t len = PATTERN_LINES * PATTERN_LEN;
	char want[PATTERN_LEN + 1], path[32];
	int ret = -1, fd;
	unsigned int i;
	char *buf, c;

	if (posix_memalign((void **)&buf, 4096, (len + 4095) & ~4095UL))
		return -1;
	for (c = 'a'; c <= 'z' && ret < 0; c++) {
		snprintf(path, sizeof(path), "/dev/vd%c", c);
		fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (pread(fd, buf, (len + 4095) & ~4095UL, 0) >= (ssize_t)len) {
			snprintf(want, sizeof(want), PATTERN_FMT, 0);
			if (!memcmp(buf, want, 16)) {
				snprintf(disk, size, "%s", path);
				ret = 0;
				for (i = 0; i < PATTERN_LINES && !ret; i++) {
					snprintf(want, sizeof(want), PATTERN_FMT, i);
					if (memcmp(buf + i * PATTERN_LEN, want, PATTERN_LEN)) {
						*bad_line = i;
						ret = 1;
					}
				}
			}
		}
		close(fd);
	}
	free(buf);
	return ret;
}

/* A reader of the kernel log from now on (-1 when there is no /dev/kmsg) */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Read what the kernel logged since kmsg_open(); true when it has a report.
 * The report's first line and up to 30 following lines go to @excerpt.
 */
static inline bool kmsg_has_report(int fd, char *excerpt, size_t size)
{
	char rec[1024];
	int lines = -1;
	size_t used = 0;
	regex_t bad;
	ssize_t n;

	if (fd < 0 || regcomp(&bad, KERNEL_REPORTS, REG_EXTENDED | REG_NOSUB))
		return false;
	excerpt[0] = '\0';
	for (;;) {
		char *msg;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (lines < 0 && !regexec(&bad, msg, 0, NULL, 0))
			lines = 0;
		if (lines >= 0 && lines++ < 30 && used < size) {
			snprintf(excerpt + used, size - used, "%s", msg);
			used = strlen(excerpt);
		}
	}
	regfree(&bad);
	return lines >= 0;
}

#endif

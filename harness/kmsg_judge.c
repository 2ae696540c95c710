// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' kernel log judge, kmsg_has_report() of
 * tools/testing/selftests/iommu/iommu_probe_utils.h, run on the host for
 * the harness's own tests: a few lines of an ordinary boot, then each
 * argument, are fed to it as /dev/kmsg records (a SOCK_SEQPACKET socket
 * keeps one record per read, as /dev/kmsg does). Prints "report" and the
 * excerpt, or "clean"; exits 0, or 2 when it cannot run.
 *
 *   kmsg_judge [LINE...]
 */
#define _GNU_SOURCE	/* O_DIRECT, in iommu_probe_utils.h */
#include <sys/socket.h>

#include "iommu/iommu_probe_utils.h"

static const char *const boot[] = {
	"Booting Linux on physical CPU 0x0000000000 [0x000f0510]",
	"kasan: KernelAddressSanitizer initialized (generic)",
	"virtio-pci 0000:00:02.0: enabling device (0000 -> 0003)",
	"iommu: Default domain type: Translated",
};

static int record(int fd, int seq, const char *msg)
{
	char rec[1024];
	int len = snprintf(rec, sizeof(rec), "6,%d,%d,-;%s\n", seq, seq * 1000, msg);

	return send(fd, rec, len, 0) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	char excerpt[4096];
	int sv[2], i, seq = 0;
	bool bad;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)) {
		perror("kmsg_judge: socketpair");
		return 2;
	}
	for (i = 0; i < (int)(sizeof(boot) / sizeof(boot[0])); i++)
		if (record(sv[1], seq++, boot[i]))
			return 2;
	for (i = 1; i < argc; i++)
		if (record(sv[1], seq++, argv[i]))
			return 2;
	close(sv[1]);
	bad = kmsg_has_report(sv[0], excerpt, sizeof(excerpt));
	printf("%s\n%s", bad ? "report" : "clean", bad ? excerpt : "");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test guests: mount the pseudo filesystems, run every program
 * in /tests in name order, say how they ended and power the machine off.
 *
 * The programs inherit the environment the kernel gives init: any NAME=value
 * on the kernel command line (IOMMU_MODULE=arm_smmu_v3, say). TEST_ARGS, if
 * set, is their command line, its arguments separated by commas
 * (TEST_ARGS=-r,load.iommu_driver_load_race: a kselftest_harness test's own
 * option to run that one test). Their KTAP goes
 * to the console, where the host collects it. The guests boot with
 * loglevel=5, so only kernel warnings and worse interleave with the KTAP;
 * the whole kernel log is printed once the programs have run. The last
 * line, "guest-init: done ...", tells the host that the guest finished
 * rather than died.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TESTS_DIR "/tests"
#define MAX_ARGS 16

static void mount_fs(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		printf("guest-init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* argv of a program: its path, then TEST_ARGS split at its commas */
static void test_argv(const char *path, char **argv)
{
	static char args[512];
	const char *env = getenv("TEST_ARGS");
	char *a, *save = NULL;
	int n = 0;

	argv[n++] = (char *)path;
	snprintf(args, sizeof(args), "%s", env ? env : "");
	for (a = strtok_r(args, ",", &save); a && n < MAX_ARGS; a = strtok_r(NULL, ",", &save))
		argv[n++] = a;
	argv[n] = NULL;
}

static int run(const char *path)
{
	char *argv[MAX_ARGS + 1];
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("guest-init: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		test_argv(path, argv);
		execv(path, argv);
		printf("guest-init: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		printf("guest-init: %s killed by signal %d\n", path, WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static void print_kernel_log(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf = size > 0 ? malloc(size) : NULL;
	int len = buf ? klogctl(3, buf, size) : -1;	/* SYSLOG_ACTION_READ_ALL */

	printf("guest-init: kernel log begin\n");
	if (len > 0)
		fwrite(buf, 1, len, stdout);
	printf("guest-init: kernel log end\n");
	free(buf);
}

int main(void)
{
	struct dirent **names;
	int n, i, failed = 0, ran = 0;
	char path[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("devtmpfs", "/dev", "devtmpfs");
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");	/* kmemleak */

	n = scandir(TESTS_DIR, &names, NULL, by_name);
	if (n < 0)
		printf("guest-init: %s: %s\n", TESTS_DIR, strerror(errno));
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", TESTS_DIR, names[i]->d_name);
			printf("guest-init: running %s\n", path);
			if (run(path)) {
				printf("guest-init: %s failed\n", path);
				failed++;
			}
			ran++;
		}
		free(names[i]);
	}
	print_kernel_log();
	printf("guest-init: done: %d programs, %d failed\n", ran, failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}

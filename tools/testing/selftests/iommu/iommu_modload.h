/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load a kernel module by name, dependencies first, from modules.dep: the
 * test guests have no modprobe. Returns 0 when the module is (or already was)
 * loaded, -errno otherwise.
 */
#ifndef IOMMU_MODLOAD_H
#define IOMMU_MODLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static void modname(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i + 1 < size && base[i] && strcmp(&base[i], ".ko"); i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[i] = '\0';
}

static int insmod(const char *dir, const char *rel)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret && errno != EEXIST ? -errno : 0;
	close(fd);
	return ret;
}

static int load_module(const char *name)
{
	char dir[256], line[4096], want[128], have[128];
	struct utsname uts;
	int ret = -ENOENT;
	FILE *dep;

	uname(&uts);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", uts.release);
	snprintf(line, sizeof(line), "%s/modules.dep", dir);
	dep = fopen(line, "r");
	if (!dep)
		return -errno;
	modname(name, want, sizeof(want));
	while (fgets(line, sizeof(line), dep)) {
		char *colon = strchr(line, ':'), *deps[64], *tok;
		int n = 0;

		if (!colon)
			continue;
		*colon = '\0';
		modname(line, have, sizeof(have));
		if (strcmp(have, want))
			continue;
		for (tok = strtok(colon + 1, "\n "); tok && n < 64; tok = strtok(NULL, "\n "))
			deps[n++] = tok;
		/* modules.dep lists the deepest dependency last */
		ret = 0;
		while (n-- && !ret)
			ret = insmod(dir, deps[n]);
		if (!ret)
			ret = insmod(dir, line);
		break;
	}
	fclose(dep);
	return ret;
}

#endif

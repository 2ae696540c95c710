/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load a kernel module by name, dependencies first, from modules.dep: the
 * test guests have no modprobe. Returns 0 when the module is (or already was)
 * loaded, -errno otherwise.
 *
 * Distribution and CI root filesystems install modules compressed
 * (.ko.xz, .ko.zst, .ko.gz); those are handed to the kernel as they are,
 * which decompresses them itself when built with CONFIG_MODULE_DECOMPRESS
 * (finit_module() fails with EOPNOTSUPP otherwise).
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

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4	/* include/uapi/linux/module.h */
#endif

/* the length of a module file name without ".ko" and any compression suffix */
static size_t modname_len(const char *base)
{
	const char *ko = strstr(base, ".ko");

	while (ko && ko[3] && ko[3] != '.')
		ko = strstr(ko + 1, ".ko");
	return ko ? (size_t)(ko - base) : strlen(base);
}

/* finit_module() flags for the module file PATH: a compressed one says so */
static int modfile_flags(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strncmp(base + modname_len(base), ".ko.", 4) ? 0 : MODULE_INIT_COMPRESSED_FILE;
}

static void modname(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i + 1 < size && i < modname_len(base); i++)
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
	ret = syscall(SYS_finit_module, fd, "", modfile_flags(path));
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

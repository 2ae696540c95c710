// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' module file naming, modname() and modfile_flags() of
 * tools/testing/selftests/iommu/iommu_modload.h, run on the host for the
 * harness's own tests (nothing is loaded): for each argument, a module
 * file's path as modules.dep gives it, prints the module's name and the
 * finit_module() flags the file is loaded with.
 *
 *   modname_judge PATH...
 */
#include "iommu/iommu_modload.h"

int main(int argc, char **argv)
{
	char name[128];
	int i;

	for (i = 1; i < argc; i++) {
		modname(argv[i], name, sizeof(name));
		printf("%s %s %d\n", argv[i], name, modfile_flags(argv[i]));
	}
	return 0;
}

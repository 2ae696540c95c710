// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake IOMMU driver's ops (fake_iommu.c): its one domain, an identity
 * domain that accepts every attach, and three copies of its callbacks,
 * which the core tells apart as three drivers. Two build the fwspec on the
 * side (ops->of_xlate_fwspec), the third as drivers not yet converted do,
 * in the device (ops->of_xlate).
 */
#include "fake_iommu.h"

static int fake_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	return 0;
}

static const struct iommu_domain_ops fake_identity_ops = {
	.attach_dev = fake_attach_dev,
};

static struct iommu_domain fake_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &fake_identity_ops,
};

static int fake_of_xlate_fwspec(struct iommu_fwspec *fwspec, struct device *dev,
				const struct of_phandle_args *args)
{
	return fake_xlate_counted(args, "of_xlate_fwspec") ?:
	       iommu_fwspec_append_ids(fwspec, args->args, args->args_count);
}

const struct iommu_ops fake_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate_fwspec = fake_of_xlate_fwspec,
};

const struct iommu_ops fake_other_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate_fwspec = fake_of_xlate_fwspec,
};

const struct iommu_ops fake_legacy_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate = fake_of_xlate,
};

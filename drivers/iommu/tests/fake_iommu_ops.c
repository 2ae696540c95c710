// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake IOMMU driver's ops (fake_iommu.c): its one domain, an identity
 * domain that accepts every attach, and three copies of its callbacks,
 * which the core tells apart as three drivers.
 */
#include "fake_iommu.h"

static int fake_attach_dev(struct iommu_domain *domain, struct device *dev,
			   struct iommu_domain *old)
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

const struct iommu_ops fake_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate = fake_of_xlate,
};

const struct iommu_ops fake_other_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate = fake_of_xlate,
};

const struct iommu_ops fake_legacy_iommu_ops = {
	FAKE_IOMMU_OPS,
	.of_xlate = fake_of_xlate,
};

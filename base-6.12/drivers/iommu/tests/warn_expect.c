// SPDX-License-Identifier: GPL-2.0-only
#include <kunit/resource.h>

#include "warn_count.h"
#include "warn_expect.h"

void kunit_expect_warns(struct kunit *test, int n)
{
	struct kunit_resource *res;

	res = kunit_find_named_resource(test, WARN_WATCH_NAME);
	KUNIT_ASSERT_NOT_NULL_MSG(test, res, "the suite's init does not watch WARNs");
	((struct warn_watch *)res->data)->expected += n;
	kunit_put_resource(res);
}

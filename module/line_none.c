// SPDX-License-Identifier: GPL-2.0
/*
 * Any other kernel: the module builds, so that DKMS reports a clear load
 * failure instead of a compile error, but it refuses to load.
 */
#include "compat.h"

#if !defined(AM_FE_VMA_MERGE) && !defined(AM_FE_VMA_MODIFY)
#include "anonmerge.h"

const struct am_line *const am_this_line;
#endif

// SPDX-License-Identifier: GPL-2.0
/* The one place the module's trace events are instantiated. */
#include "anonmerge.h"

#define CREATE_TRACE_POINTS
#include "anonmerge_trace.h"

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portable core's view of the operating system. The core is compiled
 * into the kernel module and, for tests, fuzzing and benchmarks, into
 * userspace against liburcu. This is the one place that tells the two apart;
 * core logic includes only this header and uses kernel names throughout.
 */
#ifndef _PFL_OS_H
#define _PFL_OS_H

#ifdef __KERNEL__
#include "os_kernel.h"
#else
#include "os_user.h"
#endif

#endif /* _PFL_OS_H */

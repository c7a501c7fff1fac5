/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's compiler annotations, for userland code in kernel style. */
#ifndef _PFL_COMPILER_H
#define _PFL_COMPILER_H

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* _PFL_COMPILER_H */

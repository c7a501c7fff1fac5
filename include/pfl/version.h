/* SPDX-License-Identifier: GPL-2.0 */
/* The version of pfl, shared by the module and its tools. */
#ifndef _PFL_VERSION_H
#define _PFL_VERSION_H

#define PFL_VERSION "0.1.0"

#endif /* _PFL_VERSION_H */

# SPDX-License-Identifier: GPL-2.0
#
# pfl top-level Makefile.
#
#   make                 pflctl, and pfl.ko for the running kernel (KDIR)
#   make module KDIR=..  pfl.ko for the kernel tree at KDIR
#   make vm-modules      pfl.ko for each VM kernel (6.1, 6.12)
#   make deps            install packages, fetch VM kernels (scripts/deps.sh)
#   make unit            host unit tests of the core (ASan + UBSan)
#   make check           everything: deps, build, unit, checkpatch, VM tests
#   make demo            boot a VM, load pfl, show it filtering traffic
#   make bench           benchmarks (see Documentation/benchmarks.md)

PFL_CACHE ?= $(HOME)/.cache/pfl
export PFL_CACHE
VM_KERNELS ?= 6.1 6.12
KDIR ?= /lib/modules/$(shell uname -r)/build
B := build

CC ?= gcc
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE \
	-Iinclude -Iinclude/uapi -Iuserland/lib
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
HARNESS_DIR := $(PFL_CACHE)/ksrc/tools/testing/selftests

KMOD_SRCS := Kbuild $(wildcard kmod/*.[ch] core/*.[ch] include/*/*.h \
	include/uapi/linux/*.h)
CORE_SRCS := $(filter-out core/os_kernel.h,$(wildcard core/*.c))

LIB_SRCS := $(wildcard userland/lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
PFLCTL_SRCS := $(wildcard userland/pflctl/*.c)
PFLCTL_OBJS := $(PFLCTL_SRCS:%.c=$(B)/%.o)
USER_HDRS := $(wildcard userland/*/*.h include/*/*.h include/uapi/linux/*.h)

UNIT_SRCS := $(wildcard selftests/core/*_test.c)
UNIT_BINS := $(UNIT_SRCS:selftests/core/%.c=$(B)/unit/%)
UNIT_CORE_OBJS := $(CORE_SRCS:core/%.c=$(B)/unit/core/%.o)

.PHONY: all userland module vm-modules deps unit check checkpatch demo \
	bench clean vm-check
.DELETE_ON_ERROR:

all: userland
	@if [ -d "$(KDIR)" ]; then $(MAKE) --no-print-directory module; \
	else echo "pfl: no kernel tree at $(KDIR); pfl.ko not built" \
		"(make module KDIR=..., or make vm-modules)"; fi

# --- userland -----------------------------------------------------------

userland: $(B)/bin/pflctl

$(B)/userland/%.o: userland/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/lib/libpfl.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/pflctl: $(PFLCTL_OBJS) $(B)/lib/libpfl.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $$(pkg-config --libs libmnl)

# --- kernel module ------------------------------------------------------
#
# Kbuild writes objects next to their sources, so each kernel gets its own
# directory that mirrors the sources as symlinks: one source tree, as many
# builds as kernels, none in the way of another.

define kmod_build
	@mkdir -p $(1)
	@cp -rsf $(CURDIR)/Kbuild $(CURDIR)/kmod $(CURDIR)/core \
		$(CURDIR)/include $(1)/
	$(MAKE) -C $(2) M=$(CURDIR)/$(1) modules
endef

module:
	$(call kmod_build,$(B)/kmod,$(KDIR))

vm-modules: $(VM_KERNELS:%=$(B)/kmod-%/pfl.ko)

$(B)/kmod-%/pfl.ko: $(KMOD_SRCS)
	$(call kmod_build,$(B)/kmod-$*,$(PFL_CACHE)/kernels/$*/build)

# --- tests --------------------------------------------------------------

deps:
	scripts/deps.sh

$(B)/unit/core/%.o: core/%.c $(wildcard core/*.h) include/uapi/linux/pfl.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -Icore -c -o $@ $<

$(B)/unit/%: selftests/core/%.c $(UNIT_CORE_OBJS) $(wildcard selftests/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -Wno-missing-prototypes -Wno-sign-compare -Icore \
		-I$(HARNESS_DIR) -o $@ $< $(UNIT_CORE_OBJS) -lurcu -lurcu-common \
		-lpthread

unit: $(UNIT_BINS)
	scripts/run-tests unit $(UNIT_BINS)

checkpatch:
	scripts/checkpatch.sh

# All in-guest selftests of one kernel run in one boot.
vm-check: userland vm-modules
	scripts/run-tests vm $(VM_KERNELS)

check: deps
	$(MAKE) --no-print-directory userland vm-modules $(UNIT_BINS)
	scripts/run-tests all $(VM_KERNELS)

demo: deps
	$(MAKE) --no-print-directory userland vm-modules
	scripts/vm --kernel 6.12 -- scripts/demo.sh

clean:
	rm -rf $(B)

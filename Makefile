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
#                        (Debian's kernels and the debug kernel)
#   make check-quick     host tests and the 6.12 guest suite (edit-test loop)
#   make conf-check      the pfl.conf compiler's golden tests
#   make debug-kernel    build the KASAN/lockdep/kmemleak kernel (KCSAN=1:
#                        the KCSAN flavour); cached in $(PFL_CACHE)/kernels
#   make demo            boot a VM, load pfl, show it filtering traffic
#   make bench           benchmarks (see Documentation/benchmarks.md)
#   make bench-icount    instructions per packet under callgrind
#                        (build/bench/icount.json; Documentation/testing.md)
#   make icount-check    the same, small, against bench/icount-budgets

PFL_CACHE ?= $(HOME)/.cache/pfl
export PFL_CACHE
VM_KERNELS ?= 6.1 6.12
# The kernels make check tests on: Debian's and pfl's debug kernel.
CHECK_KERNELS := $(VM_KERNELS) debug
KDIR ?= /lib/modules/$(shell uname -r)/build
B := build

CC ?= gcc
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE \
	-Iinclude -Iinclude/uapi -Iuserland/lib -Iuserland/conf
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
# The harness ends each test with _exit(): selftests/core/lsan_exit.c
# checks for leaks there.
UNIT_LDFLAGS := -Wl,--wrap=_exit
HARNESS_DIR := $(PFL_CACHE)/ksrc/tools/testing/selftests

KMOD_SRCS := Kbuild $(wildcard kmod/*.[ch] core/*.[ch] include/*/*.h \
	include/uapi/linux/*.h)
CORE_SRCS := $(filter-out core/os_kernel.h,$(wildcard core/*.c))

LIB_SRCS := $(wildcard userland/lib/*.c userland/conf/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
PFLCTL_SRCS := $(wildcard userland/pflctl/*.c)
PFLCTL_OBJS := $(PFLCTL_SRCS:%.c=$(B)/%.o)
USER_HDRS := $(wildcard userland/*/*.h include/*/*.h include/uapi/linux/*.h)

# The core, as userspace sees it, goes into libpfl too: pflctl -n runs the
# module's own validator.
LIB_CORE_OBJS := $(CORE_SRCS:core/%.c=$(B)/libcore/%.o)

UNIT_SRCS := $(wildcard selftests/core/*_test.c)
UNIT_BINS := $(UNIT_SRCS:selftests/core/%.c=$(B)/unit/%)
UNIT_CORE_OBJS := $(CORE_SRCS:core/%.c=$(B)/unit/core/%.o)

# libFuzzer targets (clang): selftests/fuzz/*_fuzz.c, linked with the core
# and the userland library, all instrumented.
FUZZ_SRCS := $(wildcard selftests/fuzz/*_fuzz.c)
FUZZ_BINS := $(FUZZ_SRCS:selftests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -Iinclude \
	-Iinclude/uapi -Iuserland/lib -Iuserland/conf -Icore

.PHONY: all userland module vm-modules deps unit tsan check check-quick \
	checkpatch demo bench bench-icount icount-check clean vm-check fuzz \
	conf-check debug-kernel
.DELETE_ON_ERROR:

all: userland
	@if [ -d "$(KDIR)" ]; then $(MAKE) --no-print-directory module; \
	else echo "pfl: no kernel tree at $(KDIR); pfl.ko not built" \
		"(make module KDIR=..., or make vm-modules)"; fi

# --- userland -----------------------------------------------------------

userland: $(B)/bin/pflctl $(B)/bin/pfl-nlfuzz

$(B)/userland/%.o: userland/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/libcore/%.o: core/%.c $(wildcard core/*.h) $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Icore -c -o $@ $<

$(B)/lib/libpfl.a: $(LIB_OBJS) $(LIB_CORE_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/pflctl: $(PFLCTL_OBJS) $(B)/lib/libpfl.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $$(pkg-config --libs libmnl) -lurcu \
		-lurcu-common -lpthread

# The netlink fuzzer the in-guest selftests run (selftests/nlfuzz).
$(B)/bin/pfl-nlfuzz: selftests/nlfuzz/nlfuzz.c $(B)/lib/libpfl.a $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(B)/lib/libpfl.a \
		$$(pkg-config --libs libmnl) -lurcu -lurcu-common -lpthread

# --- kernel module ------------------------------------------------------
#
# Kbuild writes objects next to their sources, so each kernel gets its own
# directory that mirrors the sources as symlinks: one source tree, as many
# builds as kernels, none in the way of another. No BTF for the module:
# Debian's 6.12 headers ship a vmlinux that would make kbuild want pahole.

define kmod_build
	@mkdir -p $(1)
	@cp -rsf $(CURDIR)/Kbuild $(CURDIR)/kmod $(CURDIR)/core \
		$(CURDIR)/include $(1)/
	$(MAKE) -C $(2) M=$(CURDIR)/$(1) CONFIG_DEBUG_INFO_BTF_MODULES= modules
endef

module:
	$(call kmod_build,$(B)/kmod,$(KDIR))

vm-modules: $(VM_KERNELS:%=$(B)/kmod-%/pfl.ko)

$(B)/kmod-%/pfl.ko: $(KMOD_SRCS) $(PFL_CACHE)/kernels/%/.complete
	$(call kmod_build,$(B)/kmod-$*,$(PFL_CACHE)/kernels/$*/build)

# --- tests --------------------------------------------------------------

deps:
	scripts/deps.sh

$(B)/unit/core/%.o: core/%.c $(wildcard core/*.h) include/uapi/linux/pfl.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -Icore -c -o $@ $<

# selftests/core/*.c that are not *_test.c are helpers linked into every
# unit test (test stubs of the glue, the reference evaluator...).
UNIT_HELPER_OBJS := $(patsubst selftests/core/%.c,$(B)/unit/helpers/%.o,\
	$(filter-out $(UNIT_SRCS),$(wildcard selftests/core/*.c)))

$(B)/unit/helpers/%.o: selftests/core/%.c $(wildcard core/*.h selftests/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -Wno-sign-compare -Icore -c -o $@ $<

# pflctl's pfl.conf compiler, for the helpers' rulesets from text
# (selftests/core/conf_rules.h).
UNIT_CONF_OBJS := $(patsubst userland/conf/%.c,$(B)/unit/conf/%.o,\
	$(wildcard userland/conf/*.c))

$(B)/unit/conf/%.o: userland/conf/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -c -o $@ $<

$(B)/unit/%: selftests/core/%.c $(UNIT_CORE_OBJS) $(UNIT_HELPER_OBJS) \
		$(UNIT_CONF_OBJS) $(wildcard selftests/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) $(UNIT_LDFLAGS) -Wno-missing-prototypes \
		-Wno-sign-compare -Icore -I$(HARNESS_DIR) -o $@ $< $(UNIT_CORE_OBJS) $(UNIT_HELPER_OBJS) \
		$(UNIT_CONF_OBJS) -lurcu -lurcu-common -lpthread

# The codec round trip (selftests/core/nl_codec_test.c) also links
# libpfl's netlink side, sanitized like the rest.
UNIT_NL_OBJS := $(B)/unit/lib/nl_rule.o $(B)/unit/lib/pfl_nl.o

$(B)/unit/lib/%.o: userland/lib/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) -c -o $@ $<

$(B)/unit/nl_codec_test: selftests/core/nl_codec_test.c $(UNIT_CORE_OBJS) \
		$(UNIT_HELPER_OBJS) $(UNIT_NL_OBJS) $(UNIT_CONF_OBJS) \
		$(wildcard selftests/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN) $(UNIT_LDFLAGS) -Wno-missing-prototypes \
		-Wno-sign-compare -Icore -I$(HARNESS_DIR) -o $@ $< $(UNIT_CORE_OBJS) $(UNIT_HELPER_OBJS) \
		$(UNIT_NL_OBJS) $(UNIT_CONF_OBJS) $$(pkg-config --libs libmnl) -lurcu \
		-lurcu-common -lpthread

# The reference evaluator and rulesets from pfl.conf text
# (selftests/core/ref_eval.c, conf_rules.c) go into every target.
FUZZ_HELPERS := selftests/core/ref_eval.c selftests/core/conf_rules.c

$(B)/fuzz/%: selftests/fuzz/%.c $(CORE_SRCS) $(LIB_SRCS) $(USER_HDRS) \
		$(FUZZ_HELPERS) $(wildcard selftests/core/*.h core/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS) $(LIB_SRCS) $(FUZZ_HELPERS) \
		$$(pkg-config --libs libmnl) -lurcu -lurcu-common -lpthread

fuzz: $(FUZZ_BINS)

# Core microbenchmarks: the core at -O2, no sanitizers.
$(B)/bench/micro: bench/micro.c $(LIB_CORE_OBJS) $(wildcard core/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Wno-missing-prototypes -Icore -o $@ $< \
		$(LIB_CORE_OBJS) -lurcu -lurcu-common -lpthread

# Instruction counts of the packet path under callgrind (bench/icount.c):
# the core again with -DPFL_USER_KERNEL_LIKE (per-CPU adds as cheap as the
# kernel's, fixed hash seeds: core/os_user.h), linked with pflctl's pfl.conf
# compiler for its ruleset. scripts/bench-icount runs it and reads the
# counts; its --check (the bench-icount lane of make check) holds them to
# bench/icount-budgets.
ICOUNT_CORE_OBJS := $(CORE_SRCS:core/%.c=$(B)/bench/icount-core/%.o)
CONF_OBJS := $(filter $(B)/userland/conf/%,$(LIB_OBJS))

$(B)/bench/icount-core/%.o: core/%.c $(wildcard core/*.h) $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -DPFL_USER_KERNEL_LIKE -Icore -c -o $@ $<

$(B)/bench/icount: bench/icount.c $(ICOUNT_CORE_OBJS) $(CONF_OBJS) \
		$(wildcard core/*.h) selftests/core/pkt_build.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -DPFL_USER_KERNEL_LIKE -Icore -Iselftests/core \
		-o $@ $< $(ICOUNT_CORE_OBJS) $(CONF_OBJS) -lurcu -lurcu-common \
		-lpthread

bench-icount: $(B)/bench/icount
	scripts/bench-icount --json $(B)/bench/icount.json

# The small configuration against the budgets, as the lane make check runs.
icount-check: $(B)/bench/icount
	scripts/run-tests icount

bench: userland vm-modules $(B)/bench/micro bench-icount
	$(B)/bench/micro -j $(B)/bench/micro.json
	scripts/bench/run --kernel $(or $(KERNEL),6.12) --smp $(or $(SMP),2)

unit: $(UNIT_BINS)
	scripts/run-tests unit $(UNIT_BINS)

# The multi-threaded unit tests again under ThreadSanitizer (clang), with
# liburcu's grace periods made visible to it (core/os_user.h).
TSAN_TESTS := state_test xstate_test stateful_test table_test nat_pool_test nat_test \
	queue_rate_test
TSAN_BINS := $(TSAN_TESTS:%=$(B)/tsan/%)
TSAN_FLAGS := -O1 -g -fsanitize=thread -std=gnu11 -D_GNU_SOURCE -Iinclude \
	-Iinclude/uapi -Icore -Iuserland/conf -Wno-unused-command-line-argument
TSAN_CORE_OBJS := $(CORE_SRCS:core/%.c=$(B)/tsan/core/%.o)
# ThreadSanitizer has no leak checker: the _exit() wrapper stays out.
TSAN_HELPER_OBJS := $(patsubst selftests/core/%.c,$(B)/tsan/helpers/%.o,\
	$(filter-out $(UNIT_SRCS) selftests/core/lsan_exit.c,\
	$(wildcard selftests/core/*.c)))

TSAN_CONF_OBJS := $(patsubst userland/conf/%.c,$(B)/tsan/conf/%.o,\
	$(wildcard userland/conf/*.c))

$(B)/tsan/conf/%.o: userland/conf/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	clang $(TSAN_FLAGS) -c -o $@ $<

$(B)/tsan/core/%.o: core/%.c $(wildcard core/*.h) include/uapi/linux/pfl.h
	@mkdir -p $(@D)
	clang $(TSAN_FLAGS) -c -o $@ $<

$(B)/tsan/helpers/%.o: selftests/core/%.c $(wildcard core/*.h selftests/core/*.h)
	@mkdir -p $(@D)
	clang $(TSAN_FLAGS) -c -o $@ $<

$(B)/tsan/%: selftests/core/%.c $(TSAN_CORE_OBJS) $(TSAN_HELPER_OBJS) \
		$(TSAN_CONF_OBJS)
	@mkdir -p $(@D)
	clang $(TSAN_FLAGS) -I$(HARNESS_DIR) -o $@ $< $(TSAN_CORE_OBJS) \
		$(TSAN_HELPER_OBJS) $(TSAN_CONF_OBJS) -lurcu -lurcu-common \
		-lpthread

.SECONDARY: $(TSAN_CORE_OBJS) $(TSAN_HELPER_OBJS) $(TSAN_CONF_OBJS)

tsan: $(TSAN_BINS)
	scripts/run-tests tsan $(TSAN_BINS)

checkpatch:
	scripts/checkpatch.sh

# All in-guest selftests of one kernel run in one boot.
vm-check: userland vm-modules
	scripts/run-tests vm $(VM_KERNELS)

debug-kernel:
	scripts/debug-kernel $(if $(KCSAN),--kcsan)

# The debug kernel (27 minutes to build when it is not cached) builds in
# the background while everything else is tested; the lanes that need it
# start when it is ready (scripts/run-tests: lanes side by side on every
# CPU, a time table at the end, build/logs/times.json).
CHECK_BUILD := userland vm-modules $(UNIT_BINS) $(TSAN_BINS) $(FUZZ_BINS) \
	$(B)/bench/micro $(B)/bench/icount $(B)/man/pflctl.8 $(B)/man/pfl.conf.5

check: deps
	@mkdir -p $(B)/logs
	scripts/run-tests background-kernel debug
	$(MAKE) --no-print-directory -j$(shell nproc) $(CHECK_BUILD)
	scripts/run-tests all $(CHECK_KERNELS)

# The edit-test loop: host lanes and the 6.12 guest suite, under 10 minutes.
check-quick: deps
	$(MAKE) --no-print-directory -j$(shell nproc) $(CHECK_BUILD) VM_KERNELS=6.12
	scripts/run-tests quick 6.12

# The corpus's pass rate printed too (its last test fails when it drops).
conf-check: userland
	scripts/run-tests conf; rc=$$?; \
	grep -h '^# [0-9]* of [0-9]* files' $(B)/logs/conf-corpus.log; \
	exit $$rc

demo: deps
	$(MAKE) --no-print-directory userland vm-modules
	scripts/vm --kernel 6.12 -- scripts/demo.sh

clean:
	rm -rf $(B)

# --- install, DKMS, packages (Documentation/install.md) -----------------
#
# make install puts pflctl, its man pages, the systemd unit, bash
# completion and an example /etc/pfl.conf (only when there is none: an
# operator's ruleset is never overwritten) under DESTDIR; make uninstall
# removes what install put there and nothing else (an /etc/pfl.conf the
# operator changed stays).
# The module is DKMS's to build and install: make dkms-install.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PFL_VERSION := $(shell sed -n 's/^#define PFL_VERSION "\(.*\)"/\1/p' include/pfl/version.h)
INSTALL ?= install

.PHONY: install uninstall dkms-install dkms-uninstall man install-check deb

# The man pages, generated from their Markdown (scripts/md2mdoc).
MAN_PAGES := $(B)/man/pflctl.8 $(B)/man/pfl.conf.5

$(B)/man/%: Documentation/%.md scripts/md2mdoc
	@mkdir -p $(@D)
	scripts/md2mdoc $< >$@

man: $(MAN_PAGES)

install: $(B)/bin/pflctl $(MAN_PAGES)
	$(INSTALL) -D -m 755 $(B)/bin/pflctl $(DESTDIR)$(SBINDIR)/pflctl
	$(INSTALL) -D -m 644 $(B)/man/pflctl.8 $(DESTDIR)$(MANDIR)/man8/pflctl.8
	$(INSTALL) -D -m 644 $(B)/man/pfl.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/pfl.conf.5
	mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/pfl.service \
		>$(DESTDIR)$(UNITDIR)/pfl.service
	chmod 644 $(DESTDIR)$(UNITDIR)/pfl.service
	$(INSTALL) -D -m 644 packaging/pflctl.bash \
		$(DESTDIR)$(BASHCOMPDIR)/pflctl
	[ -e $(DESTDIR)$(SYSCONFDIR)/pfl.conf ] || \
		$(INSTALL) -D -m 600 packaging/pfl.conf \
			$(DESTDIR)$(SYSCONFDIR)/pfl.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pflctl $(DESTDIR)$(UNITDIR)/pfl.service \
		$(DESTDIR)$(BASHCOMPDIR)/pflctl \
		$(DESTDIR)$(MANDIR)/man8/pflctl.8 \
		$(DESTDIR)$(MANDIR)/man5/pfl.conf.5
	cmp -s packaging/pfl.conf $(DESTDIR)$(SYSCONFDIR)/pfl.conf && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/pfl.conf || true

# The module's sources into /usr/src/pfl-VERSION, then dkms builds and
# installs it for the running kernel and, from then on, every new one.
DKMS_SRCS := dkms.conf Kbuild kmod core include

dkms-install:
	rm -rf $(DESTDIR)/usr/src/pfl-$(PFL_VERSION)
	mkdir -p $(DESTDIR)/usr/src/pfl-$(PFL_VERSION)
	cp -r $(DKMS_SRCS) $(DESTDIR)/usr/src/pfl-$(PFL_VERSION)/
	$(if $(DESTDIR),,dkms install pfl/$(PFL_VERSION))

dkms-uninstall:
	-dkms remove pfl/$(PFL_VERSION) --all
	rm -rf /usr/src/pfl-$(PFL_VERSION)

# Debian packages pflctl and pfl-dkms (debian/), built from a copy of the
# tree in $(B)/deb so that nothing lands outside build/: the .debs are
# $(B)/deb/*.deb.
DEB_DIR := $(B)/deb/pfl-$(PFL_VERSION)

deb:
	rm -rf $(B)/deb && mkdir -p $(DEB_DIR)
	tar -C $(CURDIR) --exclude=./$(B) --exclude=./.git --exclude=./.ci \
		-cf - . | tar -C $(DEB_DIR) -xf -
	cd $(DEB_DIR) && dpkg-buildpackage -us -uc -b
	@ls $(B)/deb/*.deb

# The install lane of make check alone (selftests/install/run.sh).
install-check: userland
	scripts/run-tests install

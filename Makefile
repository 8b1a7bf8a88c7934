# SPDX-License-Identifier: GPL-2.0
#
# oticket: paravirtual spinlocks for over-committed KVM guests.
#
#   make deps     install the Debian packages everything needs (root)
#   make          stage the 6.12.y base, apply patches/, build bzImage+modules
#   make test     every test, ending "N passed, N failed"
#   make bench    the quick vbench sweep (tools/vbench/bench.conf), <= 15 min
#   make bench-full  the full matrix (tools/vbench/bench-full.conf)
#   make bench-host  the host module kvm_oticket on and off, and 1, 2 and 4
#                 guests at once
#   make lock-soak  release check: locktorture, every lock mode, ~70 min
#   make export   format-patch series + cover letter, checkpatch --strict
#
# KSRC=/path/to/linux-6.12.y builds against another base tree.
# TESTBED_MODE=auto|nested|direct chooses how guests run (default auto).

TOP	:= $(CURDIR)
BUILD	?= $(TOP)/build
BIN	:= $(BUILD)/bin
export BUILD KSRC

CFLAGS_TOOLS := -O2 -g -Wall -Wextra -Wno-format-truncation -Wno-missing-field-initializers -static

.PHONY: all kernel deps check-deps tools selftests initramfs wlimage test bench bench-full bench-host export soak lock-soak clean
all: kernel

deps:
	@tools/build/deps --install

# The README's commands install what is missing, then go on.
check-deps:
	@tools/build/deps --check 2>/dev/null || tools/build/deps --install

kernel: check-deps
	@tools/build/stage
	@tools/build/kbuild

TESTBED_SRC := tools/testbed/testbed.c tools/testbed/tb.c tools/testbed/tb.h
$(BIN)/testbed: $(TESTBED_SRC)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testbed/testbed.c tools/testbed/tb.c

$(BIN)/otest: tools/testing/otest.c tools/testbed/tb.c tools/testbed/tb.h
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testing/otest.c tools/testbed/tb.c

VBENCH_SRC := tools/vbench/vbench.c tools/vbench/vbres.c tools/vbench/vbres.h \
	      tools/vbench/vbstat.c tools/vbench/vbstat.h tools/testbed/tb.c tools/testbed/tb.h
$(BIN)/vbench: $(VBENCH_SRC)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/vbench/vbench.c tools/vbench/vbres.c \
		tools/vbench/vbstat.c tools/testbed/tb.c -lm

# vbench's unit tests: statistics, result parsing, JSON Lines, resume
$(BIN)/vbstat_test: tools/testing/vbench/vbstat_test.c tools/vbench/vbstat.c tools/vbench/vbstat.h
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testing/vbench/vbstat_test.c tools/vbench/vbstat.c -lm
$(BIN)/vbres_test: tools/testing/vbench/vbres_test.c tools/vbench/vbres.c tools/vbench/vbres.h
	@mkdir -p $(BIN)
	$(CC) -O1 -g -Wall -Wextra -Wno-format-truncation -Wno-missing-field-initializers \
		-fsanitize=address,undefined -fno-sanitize-recover=all -o $@ tools/testing/vbench/vbres_test.c \
		tools/vbench/vbres.c -lm

# the sweep machinery against a fake testbed: precision, shards, merge
$(BIN)/vbfake: tools/testing/vbench/vbfake.c
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testing/vbench/vbfake.c -lm
$(BIN)/vbench_test: tools/testing/vbench/vbench_test.c tools/vbench/vbres.c tools/vbench/vbres.h
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testing/vbench/vbench_test.c tools/vbench/vbres.c -lm

$(BIN)/tbsoak: tools/testbed/tbsoak.c tools/testbed/tb.c tools/testbed/tb.h
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ tools/testbed/tbsoak.c tools/testbed/tb.c

# The oticket slow paths in userspace, under ASan and UBSan.
OTK_SRC := tools/testing/oticket/otkstress.c kernel/locking/oticket.h \
	   kernel/locking/oticket_events.h include/linux/oticket.h
$(BIN)/otkstress: $(OTK_SRC)
	@mkdir -p $(BIN)
	$(CC) -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-pthread -o $@ tools/testing/oticket/otkstress.c

tools: $(BIN)/testbed $(BIN)/otest $(BIN)/tbsoak $(BIN)/otkstress $(BIN)/vbench \
	$(BIN)/vbstat_test $(BIN)/vbres_test $(BIN)/vbfake $(BIN)/vbench_test

# Testbed reliability soak (not part of make test): SOAK="--boots 8 --starts 4"
soak: initramfs $(BIN)/tbsoak
	@$(BIN)/tbsoak $(SOAK)

# Upstream's KVM selftest, static, from the staged tree: a canary for the
# nested KVM in level 2.
selftests: kernel
	@tools/build/selftests

initramfs: kernel tools selftests wlimage
	@tools/testbed/mkinitramfs

# The gmake and perf workloads' disk: make, gcc, binutils, libc headers and
# perf from this machine's packages, and the generated source tree.
wlimage:
	@mkdir -p $(BUILD)/testbed && tools/vbench/mkwlimage $(BUILD)/testbed/wl.img

test: check-deps $(BIN)/otest $(BIN)/testbed $(BIN)/otkstress $(BIN)/vbench \
	$(BIN)/vbstat_test $(BIN)/vbres_test $(BIN)/simtest $(BIN)/vbfake $(BIN)/vbench_test
	@$(BIN)/otest

# Release check of the lock slow paths (not part of make test, ~70 min):
# every mode, 3 lock types, 1x/2x/4x over-commit, SOAK_SECS (70) per type.
lock-soak: initramfs $(BIN)/otest
	@$(BIN)/otest --lock-soak

bench: initramfs $(BIN)/vbench
	@$(BIN)/vbench sweep --config tools/vbench/bench.conf $(BENCH)

bench-full: initramfs $(BIN)/vbench
	@$(BIN)/vbench sweep --config tools/vbench/bench-full.conf $(BENCH)

# Host cooperation: the opportunistic modes with and without kvm_oticket at
# 2x and 4x vCPU over-commit, then 1, 2 and 4 two-vCPU guests at once.
BENCH_HOST_MODES := pvqspinlock,oticket,oqspin,pvqspinlock+host,oticket+host,oqspin+host
BENCH_HOST_VMS_MODES := pvqspinlock,oticket+host,oqspin+host
bench-host: initramfs $(BIN)/vbench
	@$(BIN)/vbench sweep --modes $(BENCH_HOST_MODES) --vcpus 4,8; a=$$?; \
	$(BIN)/vbench sweep --modes $(BENCH_HOST_VMS_MODES) --vcpus 2 --vms 1,2,4; b=$$?; \
	[ $$a = 0 ] && [ $$b = 0 ]

export: kernel
	@tools/build/export

clean:
	rm -rf $(BUILD)/obj $(BUILD)/src $(BUILD)/bin $(BUILD)/guest-bin $(BUILD)/selftests $(BUILD)/testbed $(BUILD)/modroot $(BUILD)/export $(BUILD)/export-git $(BUILD)/sim

include tools/sim/sim.mk

# SPDX-License-Identifier: GPL-2.0
#
# otsim, the simulator (tools/sim/), included by the top-level Makefile.
#
# The guest side is compiled from the staged tree ($(BUILD)/src, made by
# tools/build/stage: rsync and patch, no kernel build): a directory of
# symbolic links, $(BUILD)/sim/kinc, names exactly the kernel files used;
# everything else they include comes from tools/sim/shim/.  The guest
# object is linked once per simulated VM with its global symbols renamed,
# so that every VM has its own kernel statics.

SIM_DIR    := tools/sim
SIM_OBJ    := $(BUILD)/sim/obj
SIM_KINC   := $(BUILD)/sim/kinc
SIM_KSRC   := $(BUILD)/src
SIM_NVMS   := 8

# staged-tree file : where the guest code includes it from
SIM_KFILES := \
	arch/x86/include/asm/qspinlock.h:asm/qspinlock.h \
	arch/x86/include/asm/spinlock.h:asm/spinlock.h \
	include/asm-generic/qspinlock.h:asm-generic/qspinlock.h \
	include/asm-generic/qspinlock_types.h:asm-generic/qspinlock_types.h \
	include/linux/hash.h:linux/hash.h \
	include/linux/oticket.h:linux/oticket.h \
	include/uapi/linux/kvm_para.h:uapi/linux/kvm_para.h \
	arch/x86/include/uapi/asm/kvm_para.h:uapi/asm/kvm_para.h \
	arch/x86/kernel/kvm_pvlock.c:arch/x86/kernel/kvm_pvlock.c \
	arch/x86/include/asm/kvm_pvlock.h:asm/kvm_pvlock.h \
	include/uapi/linux/kvm_oticket.h:uapi/linux/kvm_oticket.h \
	kernel/locking/qspinlock.c:kernel/locking/qspinlock.c \
	kernel/locking/qspinlock_paravirt.h:kernel/locking/qspinlock_paravirt.h \
	kernel/locking/qspinlock_stat.h:kernel/locking/qspinlock_stat.h \
	kernel/locking/lock_events.h:kernel/locking/lock_events.h \
	kernel/locking/lock_events_list.h:kernel/locking/lock_events_list.h \
	kernel/locking/mcs_spinlock.h:kernel/locking/mcs_spinlock.h \
	virt/kvm/oticket/kvm_oticket_stats.h:virt/kvm/oticket/kvm_oticket_stats.h
# ours: every file of this repository's kernel/locking/ (they change)
SIM_OURS_KFILES = $(foreach f,$(wildcard kernel/locking/*),$(f):$(f))

# SIM_OURS=0: upstream's modes only (pvqspinlock, qspinlock, tas)
SIM_OURS   ?= 1
SIM_GUEST  := kvm qspinlock kstubs $(if $(filter 1,$(SIM_OURS)),oticket kvm_pvlock,oqs_stub)
SIM_HOST   := engine host workload params otsim
SIM_HDRS   := $(wildcard $(SIM_DIR)/*.h $(SIM_DIR)/shim/*.h $(SIM_DIR)/shim/*/*.h \
		$(SIM_DIR)/shim/*/*/*.h)
SIM_CFLAGS := -O2 -g -D_GNU_SOURCE -fno-strict-aliasing -Wall
# as the kernel: no red zone (inline asm may call), no FP/SIMD registers
SIM_GFLAGS := $(SIM_CFLAGS) -mno-red-zone -mgeneral-regs-only \
	      -I$(SIM_DIR)/shim -I$(SIM_KINC) -Wno-unused-function \
	      -Wno-unused-variable -Wno-address-of-packed-member
SIM_HFLAGS := $(SIM_CFLAGS) -Wextra -Wno-unused-parameter -I$(SIM_DIR) -I$(SIM_KINC)

.PHONY: stage sim
stage: check-deps
	@tools/build/stage

# The links to the staged tree; a tree without one of the files is refused.
$(SIM_KINC)/.stamp: $(SIM_KSRC)/.oticket-stamp $(SIM_KSRC)/.oticket-overlay $(SIM_DIR)/sim.mk
	@rm -rf $(SIM_KINC)/kernel/locking
	@for m in $(SIM_KFILES) $(SIM_OURS_KFILES); do \
		src=$(SIM_KSRC)/$${m%%:*}; dst=$(SIM_KINC)/$${m##*:}; \
		if [ ! -f "$$src" ]; then \
			echo "otsim: the staged tree has no $${m%%:*} (run tools/build/stage)" >&2; \
			exit 1; \
		fi; \
		mkdir -p $$(dirname $$dst) && ln -sfn $$(cd $$(dirname $$src) && pwd)/$$(basename $$src) $$dst; \
	done
	@touch $@

$(SIM_KSRC)/.oticket-stamp:
	@echo "otsim: no staged tree in $(SIM_KSRC): run 'make stage' (tools/build/stage)" >&2; exit 1

$(SIM_OBJ)/g_%.o: $(SIM_DIR)/guest/%.c $(SIM_KINC)/.stamp $(SIM_HDRS) $(SIM_KSRC)/.oticket-overlay
	@mkdir -p $(SIM_OBJ)
	$(CC) $(SIM_GFLAGS) -c $< -o $@

$(SIM_OBJ)/guest.o: $(patsubst %,$(SIM_OBJ)/g_%.o,$(SIM_GUEST))
	$(LD) -r -o $@ $^

# one copy per VM: every global symbol X of the guest becomes X__vmN
$(SIM_OBJ)/guest-vm%.o: $(SIM_OBJ)/guest.o
	@nm -g --defined-only $< | awk '{ print $$3, $$3 "__vm$*" }' > $@.syms
	objcopy --redefine-syms=$@.syms $< $@

$(SIM_OBJ)/h_%.o: $(SIM_DIR)/%.c $(SIM_HDRS) $(SIM_KINC)/.stamp
	@mkdir -p $(SIM_OBJ)
	$(CC) $(SIM_HFLAGS) -c $< -o $@

$(BIN)/otsim: $(patsubst %,$(SIM_OBJ)/h_%.o,$(SIM_HOST)) \
	      $(patsubst %,$(SIM_OBJ)/guest-vm%.o,$(shell seq 0 $$(($(SIM_NVMS) - 1))))
	@mkdir -p $(BIN)
	$(CC) -static -o $@ $^ -lm

# the simulator's checks, run by otest (make test) after "make sim"
$(BIN)/simtest: tools/testing/sim/simtest.c
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< -lm

sim: stage
	@$(MAKE) --no-print-directory $(BIN)/otsim

# The 80-pCPU table and plots (tools/sim/bench-sim.conf), ~10 min on 2 cores.
# Run it under the shared lock on a shared machine: flock /work/heavy.lock make bench-sim
.PHONY: bench-sim
bench-sim: sim $(BIN)/vbench
	@$(BIN)/vbench sweep --config tools/sim/bench-sim.conf $(BENCH)

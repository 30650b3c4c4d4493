# memdesc kernel: one entry point for building, running, testing and debugging.
#
#   make            kernel ELF (build/kernel.elf)
#   make iso        bootable GRUB ISO (build/memdesc.iso)
#   make run        boot it in QEMU with virtio-balloon + QMP, serial on stdio
#   make test       host tests + KTAP suites in QEMU + QMP end-to-end tests
#   make host-test  host unit tests only (ASan + UBSan)
#   make tsan       the concurrent host suites under ThreadSanitizer (clang)
#   make fuzz       libFuzzer targets (clang), FUZZ_S=60 seconds each
#   make fuzz-compare  their execs/s, FUZZ_OLD=rev against this tree (docs/benchmarks.md)
#   make bench-compare the host benchmarks, BENCH_OLD=rev against this tree (docs/benchmarks.md)
#   make ktest      in-kernel KTAP suites only (SUITES=all|a,b)
#   make debug      QEMU stopped at reset + gdb with symbols, break at kmain
#   make bench      host + QEMU benchmarks: a table, JSON lines in build/bench/
#   make sim        host simulation: MEM=64G SCENARIO=standard, compaction figures
#   make clean
#
# Variables: O=build dir, V=1 verbose, CC/CROSS_COMPILE, CI=true (-Werror),
# ARGS="kernel command line" for run, UEFI=1 for run (OVMF), MEM=512M,
# SMP=2 for run/debug (CPUs; multi-threaded TCG, one host thread each),
# DEMO=0 for run (skip the guided mm tour typed into the shell after boot),
# GDB_BATCH=1 for debug (gdb -batch: backtrace at kmain, then quit),
# LOCK_CHECKS=0: the kernel without the lock checker (kernel/lockdep.h; make
# bench boots such a kernel, every other target the checked one),
# LOCK_STAT=0: the kernel without the mm locks' statistics (mm/lock_stat.h;
# make bench boots such a kernel: four RDTSC per order-0 pair cost TCG
# about 100-250 ns of 210-270; every other target has them),
# TRACE=0: the mm event trace's sites compiled out (mm/trace.h; for the
# A/B figure of what a disabled trace costs, docs/trace.md),
# UBSAN=1: the kernel built with -fsanitize=undefined (kernel/ubsan.c reports
# each site once; O defaults to build/ubsan).

override MAKEFLAGS += -rR --no-print-directory

UBSAN ?= 0
LOCK_CHECKS ?= 1
LOCK_STAT ?= 1
TRACE ?= 1
ifeq ($(UBSAN),1)
O ?= build/ubsan
endif
O ?= build
V ?= 0
CI ?=
UEFI ?= 0
DEMO ?= 1
MEM ?= 512M
SMP ?= 2
VMEM ?=
ARGS ?=
SUITES ?= all

ifneq ($(filter default undefined,$(origin CC)),)
CC := $(CROSS_COMPILE)gcc
endif
LD := $(CROSS_COMPILE)ld
NM := $(CROSS_COMPILE)nm
HOSTCC ?= gcc
PYTHON ?= python3

ifeq ($(V),1)
Q :=
else
Q := @
endif
comma := ,

GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN += -Werror
endif

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fstack-protector-strong -mstack-protector-guard=global -fno-asynchronous-unwind-tables -fno-common \
	-fno-strict-aliasing -I. $(WARN) -MMD -MP
KCFLAGS += -DLOCK_CHECKS=$(LOCK_CHECKS) -DMM_LOCK_STAT=$(LOCK_STAT) -DMM_TRACE=$(TRACE)
ifeq ($(UBSAN),1)
KCFLAGS += -fsanitize=undefined -DCONFIG_UBSAN
endif
KASFLAGS := -D__ASSEMBLY__ -I. -MMD -MP -fno-pic -fno-pie
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T boot/kernel.ld

HOSTCFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -pthread -I. $(WARN) -MMD -MP -DMM_PLATFORM_HOST

# Every C and assembly file of the kernel image (tests included: KTAP suites
# are part of the kernel). tests/ but tests/workload/, tools/ and bench/ are
# host-only.
KDIRS := boot arch/x86_64 kernel kernel/mm monitor lib drivers drivers/virtio mm tests/workload
KSRCS := $(sort $(foreach d,$(KDIRS),$(wildcard $(d)/*.c $(d)/*.S)))
KOBJS := $(patsubst %,$(O)/k/%.o,$(KSRCS))

# Every source that runs both in the kernel and on the host, tests included,
# listed once: lib/, mm/, the pure kernel/ and arch/ parsers, the virtqueue, the balloon
# core (every drivers/virtio/balloon*.c but the PCI transport, the simulated
# device and the tests), virtio-mem's config checks, the simulated device and the whole-workload suites
# of tests/workload/. The host runner, the benchmarks, the simulation and the
# fuzz targets are all made from this list.
BALLOON_CORE := $(filter-out %_pci.c %_sim.c %_test.c,$(wildcard drivers/virtio/balloon*.c))
HOSTABLE := $(wildcard lib/*.c mm/*.c tests/workload/*.c) \
	$(wildcard kernel/cmdline*.c kernel/multiboot*.c arch/x86_64/madt*.c) \
	$(wildcard drivers/virtio/virtqueue*.c) \
	$(BALLOON_CORE) drivers/virtio/balloon_sim.c drivers/virtio/balloon_test.c \
	drivers/virtio/virtio_mem.c drivers/virtio/virtio_mem_test.c

# The host runner: HOSTABLE over tests/host/ (mm_platform.c is the platform).
# The string and printf modules enter through tests/host/lib_shim.c (renamed,
# so libc and ASan keep their own versions).
HOST_SHIMMED := lib/string.c lib/printf.c lib/string_test.c lib/printf_test.c
HOSTSRCS := $(filter-out $(HOST_SHIMMED),$(HOSTABLE)) $(wildcard tests/host/*.c)
HOSTOBJS := $(patsubst %,$(O)/host/%.o,$(HOSTSRCS))

# The ThreadSanitizer runner ($(O)/tsan/host-test): the host runner's
# sources without the unit tests but the concurrent suites (TSANSUITES,
# tests/host/smp_*_test.c), rebuilt with clang -fsanitize=thread (no ASan:
# the two do not mix) into $(O)/tsan/. `make tsan` runs those suites; the
# tsan stage of `make test` too (tools/testrun.py), failing on any report.
TSANCC ?= clang
TSANCFLAGS := $(filter-out -fsanitize=address$(comma)undefined,$(HOSTCFLAGS)) -fsanitize=thread \
	-DMM_HOST_ARENA_BYTES='(1UL << 34)'
TSANTESTS := $(wildcard tests/host/smp_*_test.c)
TSANSUITES := $(subst $(eval) ,$(comma),$(patsubst tests/host/%_test.c,%,$(TSANTESTS)))
TSANSRCS := $(filter-out %_test.c,$(HOSTSRCS)) $(TSANTESTS)
TSANOBJS := $(patsubst %,$(O)/tsan/obj/%.o,$(TSANSRCS))
TSAN := $(O)/tsan/host-test

# The host benchmarks (bench/*.c): -O2 and no sanitizers, since the timed code
# must be the code that ships; without the lock assertions (MM_LOCK_CHECKS=0,
# mm/platform.h), which `make test` runs everywhere else. They link mm/ and lib/ without the tests and
# the test framework; lib/string.c and lib/printf.c enter renamed through
# bench/lib_shim.c (libc keeps memcpy, snprintf...: see tests/host/lib_shim.c).
# Built with clang when the kernel is.
BENCHCC ?= $(if $(findstring clang,$(CC)),$(CC),$(HOSTCC))
BENCHCFLAGS := -std=gnu11 -O2 -g -fno-omit-frame-pointer -I. $(WARN) -MMD -MP \
	-DMM_PLATFORM_HOST -DMM_LOCK_CHECKS=0 -DMM_LOCK_STAT=0 -DMM_HOST_SMP=0 -DMM_TRACE=$(TRACE)
BENCHSRCS := $(filter-out bench/smp_%.c,$(wildcard bench/*.c)) \
	$(filter-out $(HOST_SHIMMED) lib/ktest.c %_test.c,$(filter lib/% mm/%,$(HOSTABLE))) \
	tests/host/mm_platform.c tests/host/mm_testing.c tests/host/panic.c
BENCHOBJS := $(patsubst %,$(O)/bench/obj/%.o,$(BENCHSRCS))
BENCH := $(O)/bench/host_bench

# The SMP host benchmark (bench/smp_order0_bench.c): the harness
# (bench/host_bench.c) and mm/ rebuilt with MM_HOST_SMP=1 (pthreads as CPUs,
# ticket locks) into $(O)/bench-smp/, the rest as host_bench.
SMPBENCHCFLAGS := $(filter-out -DMM_HOST_SMP=0,$(BENCHCFLAGS)) -DMM_HOST_SMP=1 -pthread
SMPBENCHSRCS := bench/host_bench.c bench/lib_shim.c bench/smp_order0_bench.c \
	$(filter-out bench/%,$(BENCHSRCS))
SMPBENCHOBJS := $(patsubst %,$(O)/bench-smp/obj/%.o,$(SMPBENCHSRCS))
SMPBENCH := $(O)/bench/smp_order0_bench

# The host simulation (sim/sim.c): the benchmark build of mm/ without data.
SIMOBJS := $(O)/bench/obj/sim/sim.c.o $(O)/bench/obj/bench/lib_shim.c.o \
	$(filter-out $(O)/bench/obj/bench/%,$(BENCHOBJS))
SIM := $(O)/sim
SCENARIO ?= standard
SIMMEM ?= $(if $(filter command line,$(origin MEM)),$(MEM),1G)

ISO := $(O)/memdesc.iso
KERNEL := $(O)/kernel.elf

.PHONY: all kernel iso run test host-test tsan ktest debug bench sim clean deps
all: kernel
kernel: $(KERNEL)

$(O)/k/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) $(if $(filter kernel/version.c,$<),-DKERNEL_GIT_REV='"$(GIT_REV)"') -c $< -o $@

$(O)/k/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# Two links: the first image's text symbols become the second's .ksymtab,
# which sits last in the image so no other symbol moves (checked).
$(O)/ksyms-empty.S: tools/gensyms.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gensyms.py --empty $@
$(O)/ksyms-empty.o: $(O)/ksyms-empty.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@
$(O)/kernel.pass1.elf: $(KOBJS) $(O)/ksyms-empty.o boot/kernel.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(O)/ksyms-empty.o
$(O)/ksyms.S: $(O)/kernel.pass1.elf tools/gensyms.py
	$(Q)$(NM) -n $< > $(O)/kernel.pass1.nm
	$(Q)$(PYTHON) tools/gensyms.py $(O)/kernel.pass1.nm $@
$(O)/ksyms.o: $(O)/ksyms.S
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@
$(KERNEL): $(O)/kernel.pass1.elf $(O)/ksyms.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(O)/ksyms.o
	$(Q)$(NM) -n $@ > $(O)/kernel.nm
	$(Q)$(PYTHON) tools/gensyms.py --check $(O)/kernel.pass1.nm $(O)/kernel.nm

$(O)/host/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -c $< -o $@

$(O)/host-test: $(HOSTOBJS)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $(HOSTOBJS)

$(O)/tsan/obj/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TSANCC  $<")
	$(Q)$(TSANCC) $(TSANCFLAGS) -c $< -o $@

$(TSAN): $(TSANOBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(TSANCC) $(TSANCFLAGS) -o $@ $(TSANOBJS)

$(O)/bench/obj/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHCC $<")
	$(Q)$(BENCHCC) $(BENCHCFLAGS) -c $< -o $@


$(SIM): $(SIMOBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(BENCHCC) $(BENCHCFLAGS) -o $@ $(SIMOBJS) -lm

$(BENCH): $(BENCHOBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(BENCHCC) $(BENCHCFLAGS) -o $@ $(BENCHOBJS) -lm

$(O)/bench-smp/obj/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHCC $< (SMP)")
	$(Q)$(BENCHCC) $(SMPBENCHCFLAGS) -c $< -o $@

$(SMPBENCH): $(SMPBENCHOBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(BENCHCC) $(SMPBENCHCFLAGS) -o $@ $(SMPBENCHOBJS) -lm

deps:
	$(Q)tools/deps.sh

iso: $(ISO)
$(ISO): $(KERNEL) boot/grub.cfg.in tools/mkiso.sh
	$(Q)tools/mkiso.sh $(KERNEL) $@ $(ARGS)

host-test: $(O)/host-test
	$(Q)$(O)/host-test $(SUITES)

# halt_on_error: a report fails the run (exit status 66); the known races
# left to their owners are in tests/host/tsan.supp.
TSAN_RUN_OPTIONS := halt_on_error=1 second_deadlock_stack=1 suppressions=tests/host/tsan.supp
tsan: $(TSAN)
	$(Q)TSAN_OPTIONS="$(TSAN_RUN_OPTIONS) $(TSAN_OPTIONS)" $(TSAN) $(TSANSUITES)

ktest: deps $(KERNEL)
	$(Q)$(PYTHON) tools/testrun.py --kernel-only --suites $(SUITES)

test: deps
	$(Q)$(MAKE) kernel $(O)/host-test $(TSAN) $(BENCH) $(SMPBENCH) $(SIM)
	$(Q)$(MAKE) UBSAN=1 O=$(O)/ubsan kernel
	$(Q)$(PYTHON) tools/testrun.py

run: deps $(KERNEL)
	$(Q)$(PYTHON) tools/run.py --mem $(MEM) --smp $(SMP) $(if $(VMEM),--vmem $(VMEM)) \
		$(if $(filter 1,$(UEFI)),--uefi) \
		$(if $(filter 0,$(DEMO)),--no-demo,--demo) -- $(ARGS)

debug: deps $(KERNEL)
	$(Q)$(PYTHON) tools/run.py --mem $(MEM) --smp $(SMP) --debug $(if $(filter 1,$(GDB_BATCH)),--gdb-batch) -- $(ARGS)

# Benchmarks never run in `make test` (timed things do not assert speed);
# tests/qemu/test_bench.py only checks that the harness runs (--quick).
# The QEMU benchmarks boot a kernel without the lock checks and the lock
# statistics (LOCK_CHECKS=0 LOCK_STAT=0, in $(O)/nochecks); everything else
# runs with them.
bench: deps
	$(Q)$(MAKE) kernel $(BENCH) $(SMPBENCH)
	$(Q)$(MAKE) LOCK_CHECKS=0 LOCK_STAT=0 O=$(O)/nochecks kernel
	$(Q)O=$(O) KERNEL=$(abspath $(O))/nochecks/kernel.elf $(PYTHON) tools/bench.py

# libFuzzer targets (tests/fuzz/fuzz_*.c): the host objects rebuilt with
# clang and -fsanitize=fuzzer-no-link (coverage for the fuzzer), linked once
# per target with libFuzzer's main. tests/host/main.c is left out (libFuzzer
# has the main); tests/fuzz/fuzz_common.c supplies ktest_write and helpers,
# the other tests/fuzz/*.c (not fuzz_*.c) the targets' checkers.
# `make fuzz FUZZ_S=60` runs each target for FUZZ_S seconds on a copy of its
# corpus (tests/fuzz/corpus/NAME -> $(O)/fuzz/corpus/NAME).
# FUZZ_NOCOV: built with the sanitizers but without coverage. The invariant
# checkers: the fuzzer learns nothing from their loops, and their comparison
# hooks (trace-cmp) cost most of an mm target's time. The unit tests: linked
# in, never run by a target, yet each of their counters would be scanned
# after every input.
# FUZZ_EDGE: edge coverage without trace-cmp: the page allocator core, whose
# comparisons are between its own state (flags, orders, list links), not
# with input bytes, and whose hooks cost half of every mm target's time;
# the balloon driver and its simulated device, whose device answers come
# from fuzz_balloon's script, which compares each lie with the honest value
# itself (under trace-cmp: the fuzzer sees the same operands there).
# trace-cmp stays where input bytes reach comparisons (FUZZ_CMP and the
# rest): the targets, the parsers (argv, cmdline, multiboot, physmem, the
# fault_inject spec) and mslab (object sizes).
# FUZZ_OWN (NAME=source): input bytes reach the source's comparisons only in
# its own target: fuzz_NAME links a second build of it with trace-cmp
# ($(O)/fuzz/cmp/), the other targets the FUZZ_EDGE one (under the balloon
# the xarray's and virtqueue's hooks cost a third of the time).
FUZZCC ?= clang
FUZZ_S ?= 60
FUZZCFLAGS := $(filter-out -fsanitize=address$(comma)undefined,$(HOSTCFLAGS)) \
	-fsanitize=address,undefined
FUZZCOV := -fsanitize=fuzzer-no-link
FUZZTARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_common.c,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZCHECKERS := $(filter-out tests/fuzz/fuzz_%,$(wildcard tests/fuzz/*.c))
FUZZ_NOCOV := mm/check.c mm/check_log.c mm/mslab_check.c mm/slab_check.c \
	mm/test_pattern.c $(FUZZCHECKERS) $(filter %_test.c,$(HOSTSRCS))
FUZZOBJS := $(patsubst %,$(O)/fuzz/obj/%.o,$(filter-out tests/host/main.c,$(HOSTSRCS)) \
	tests/fuzz/fuzz_common.c $(FUZZCHECKERS))
FUZZBINS := $(patsubst %,$(O)/fuzz/fuzz_%,$(FUZZTARGETS))

$(patsubst %,$(O)/fuzz/obj/%.o,$(FUZZ_NOCOV)): FUZZCOV :=
FUZZ_CMP := mm/bootmem.c mm/fault_inject.c mm/mslab.c mm/physmem.c
FUZZ_EDGE := $(filter-out $(FUZZ_NOCOV) $(FUZZ_CMP) %_test.c,$(filter mm/%,$(HOSTABLE))) \
	lib/pagecopy.c lib/xarray.c drivers/virtio/virtqueue.c $(BALLOON_CORE) \
	drivers/virtio/balloon_sim.c tests/host/mm_platform.c
$(patsubst %,$(O)/fuzz/obj/%.o,$(FUZZ_EDGE)): FUZZCOV := \
	-fsanitize-coverage=inline-8bit-counters,indirect-calls,pc-table

$(O)/fuzz/obj/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZCC) $(FUZZCFLAGS) $(FUZZCOV) -c $< -o $@

$(O)/fuzz/fuzz_%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.c.o $(FUZZOBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZOBJS)

$(O)/fuzz/cmp/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $< (trace-cmp)")
	$(Q)$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

FUZZ_OWN := xarray=lib/xarray.c virtqueue=drivers/virtio/virtqueue.c
fuzz_own_name = $(word 1,$(subst =, ,$(1)))
fuzz_own_src = $(word 2,$(subst =, ,$(1)))
define fuzz_own_rule
$(O)/fuzz/fuzz_$(1): $(O)/fuzz/obj/tests/fuzz/fuzz_$(1).c.o $(O)/fuzz/cmp/$(2).o $(FUZZOBJS)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(FUZZCC) $$(FUZZCFLAGS) -fsanitize=fuzzer -o $$@ $$< $(O)/fuzz/cmp/$(2).o \
		$$(filter-out $(O)/fuzz/obj/$(2).o,$$(FUZZOBJS))
endef
$(foreach p,$(FUZZ_OWN),$(eval $(call fuzz_own_rule,$(call fuzz_own_name,$(p)),$(call fuzz_own_src,$(p)))))

.SECONDARY: $(FUZZTARGETS:%=$(O)/fuzz/obj/tests/fuzz/fuzz_%.c.o) $(FUZZOBJS) \
	$(foreach p,$(FUZZ_OWN),$(O)/fuzz/cmp/$(call fuzz_own_src,$(p)).o)
.PHONY: fuzz fuzz-build fuzz-compare
fuzz-build: $(FUZZBINS)

fuzz: fuzz-build
	$(Q)$(PYTHON) tools/fuzz.py --build $(O) --seconds $(FUZZ_S) $(FUZZTARGETS)

# The fixed-protocol speed comparison of docs/benchmarks.md ("Fuzzing speed"):
# FUZZ_OLD's targets against this tree's, FUZZ_S seconds each (default 5).
FUZZ_OLD ?= af3780d
fuzz-compare:
	$(Q)nice $(PYTHON) tools/fuzz_compare.py --build $(O) --old $(FUZZ_OLD) \
		--seconds $(if $(filter command line,$(origin FUZZ_S)),$(FUZZ_S),5)

# The same for the host benchmarks (docs/benchmarks.md, "Host benchmarks, old
# against new"): BENCH_OLD's host_bench against this tree's, 3 full runs each.
BENCH_OLD ?= d67972b
.PHONY: bench-compare
bench-compare:
	$(Q)nice $(PYTHON) tools/bench_compare.py --build $(O) --old $(BENCH_OLD)

# make sim MEM=64G SCENARIO=standard: compaction figures on a simulated machine,
# the map before and after in $(SIMDATA) and, when /usr/bin/python3 has
# matplotlib, pictures of it beside the data (tools/plots.py).
SIMDATA := $(O)/sim-data/$(SCENARIO)-$(SIMMEM).json
sim: $(SIM)
	@mkdir -p $(dir $(SIMDATA))
	$(Q)$(SIM) --mem $(SIMMEM) --scenario $(SCENARIO) --data $(SIMDATA)
	$(Q)if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then \
		/usr/bin/python3 tools/plots.py sim $(SIMDATA) || echo "sim: plotting failed"; \
	else echo "sim: no pictures (/usr/bin/python3 without matplotlib: make deps)"; fi

clean:
	rm -rf $(O)

-include $(KOBJS:.o=.d) $(HOSTOBJS:.o=.d) $(TSANOBJS:.o=.d) $(FUZZOBJS:.o=.d) $(foreach p,$(FUZZ_OWN),$(O)/fuzz/cmp/$(call fuzz_own_src,$(p)).d) $(FUZZTARGETS:%=$(O)/fuzz/obj/tests/fuzz/fuzz_%.c.d) $(BENCHOBJS:.o=.d) $(SMPBENCHOBJS:.o=.d) $(SIMOBJS:.o=.d)

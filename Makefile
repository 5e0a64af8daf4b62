# Strata — the one entry point.
#
#   make run              build and boot Strata in QEMU (BOARD=virt | sifive_u)
#   make run-uboot        boot OpenSBI -> U-Boot -> Strata from a FAT disk (virt)
#   make check            every test: host unit tests, fuzz smoke runs, QEMU boots
#   make bench            benchmarks (host allocator figures, in-guest counts)
#   make gdb              QEMU halted with its gdb stub, gdb-multiarch attached
#   make image BOARD=...  the kernel image for U-Boot's booti (build/strata.img)
#   make disk             a fresh build/disk.img (make run keeps what was written to it)
#   make stress           the slow variants of the tests
#
# Missing Debian packages are installed by scripts/deps.sh first.

BOARD ?= virt
SMP ?= 1
MEM ?= 128M
# Kernel command line words for make run / run-uboot, e.g.
#   make run ARGS='init=echo -- "two  words"'
# Passed through the environment, so any quotes reach the kernel as typed.
ARGS ?=
export ARGS

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= clang
B := build
comma := ,
# V=1 shows every command.
Q := $(if $(V),,@)

# ---------------------------------------------------------------- kernel
KARCH := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
KCFLAGS := $(KARCH) -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-common \
	-fno-omit-frame-pointer -fno-stack-protector -fno-pie -fno-builtin \
	-Wall -Wextra -Werror -I. -MMD -MP
# KDEBUG=NAME[,NAME...] turns on kernel debug facilities (off by default):
#   ptewatch  log every change to a leaf PTE and every page-table page freed in a
#             space with live threads, and walk the page table when a thread dies
#             of a page fault (kernel/ptewatch.h)
# A change of KDEBUG rebuilds the kernel (build/kdebug.stamp).
KDEBUG ?=
KDEBUG_DEFS := $(foreach d,$(subst $(comma), ,$(KDEBUG)),-DKDEBUG_$(shell echo $(d) | tr a-z A-Z)=1)
KLDFLAGS := $(KARCH) -nostdlib -static -no-pie -Wl,--no-warn-rwx-segments \
	-Wl,-T,kernel/kernel.ld -Wl,--gc-sections

# mm/ and lib/ top-level files are freestanding and shared with host tests;
# lib/str.c and lib/memops.c are the kernel's own string functions and memcpy & co.
# (the host has libc's).
SHARED_SRCS := $(wildcard mm/*.c) $(wildcard lib/*.c)
KERNEL_SRCS := $(wildcard kernel/*.c) $(wildcard kernel/*.S) $(SHARED_SRCS)
KERNEL_OBJS := $(patsubst %,$(B)/k/%.o,$(KERNEL_SRCS))

KERNEL := $(B)/strata.elf
IMAGE := $(B)/strata.img

all: $(KERNEL) $(IMAGE)

# Rewritten only when KDEBUG changes, so that a change rebuilds every kernel object.
KDEBUG_STAMP := $(B)/kdebug.stamp
$(shell mkdir -p $(B); [ -f $(KDEBUG_STAMP) ] && \
	[ "$$(cat $(KDEBUG_STAMP))" = "$(KDEBUG_DEFS)" ] || echo "$(KDEBUG_DEFS)" >$(KDEBUG_STAMP))

$(B)/k/%.c.o: %.c $(KDEBUG_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.S.o: %.S $(KDEBUG_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(KERNEL): $(KERNEL_OBJS) kernel/kernel.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(KLDFLAGS) $(KERNEL_OBJS) -o $@

# Flat image for U-Boot booti: starts with the RISC-V image header.
$(IMAGE): $(KERNEL)
	@echo "  IMAGE   $@"
	$(Q)$(OBJCOPY) -O binary $< $@

image: $(IMAGE)

# ---------------------------------------------------------------- user space
# Each directory user/NAME with .c files is one program, build/user/NAME.elf,
# linked with the user runtime (lib/user) and the freestanding lib/ files.
UCFLAGS := $(KCFLAGS)
# Kernel debug switches are the kernel's only (user objects do not depend on the stamp).
KCFLAGS += $(KDEBUG_DEFS)
ULDFLAGS := $(KARCH) -nostdlib -static -no-pie -Wl,--no-relax -Wl,-T,user/user.ld
ULIB_SRCS := $(wildcard lib/user/*.c) $(wildcard lib/user/*.S) \
	lib/fmt.c lib/str.c lib/memops.c lib/strutil.c lib/error.c lib/elf.c lib/cpio.c lib/vmmap.c \
	lib/radix.c lib/partition.c lib/virtq.c lib/sdcard.c lib/replace.c
ULIB_OBJS := $(patsubst %,$(B)/u/%.o,$(ULIB_SRCS))
USER_PROGS := $(sort $(patsubst user/%/,%,$(dir $(wildcard user/*/*.c))))
USER_ELFS := $(patsubst %,$(B)/user/%.elf,$(USER_PROGS))

$(B)/u/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  UCC     $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(B)/u/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  UAS     $<"
	$(Q)$(CC) $(UCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Libraries some programs link besides ULIB: LIBS_NAME for user/NAME.
# lib/user/fsdisk/ is the disk side of the file server (page cache, ext2 volume).
EXT2_SRCS := $(wildcard lib/ext2/*.c)
EXT2_OBJS := $(patsubst %,$(B)/u/%.o,$(EXT2_SRCS))
FSDISK_OBJS := $(patsubst %,$(B)/u/%.o,$(wildcard lib/user/fsdisk/*.c)) $(EXT2_OBJS)
LIBS_fs := $(FSDISK_OBJS)
LIBS_fsdisktest := $(FSDISK_OBJS)
LIBS_fsdiskbench := $(FSDISK_OBJS)

define user_prog
$(B)/user/$(1).elf: $(patsubst %,$(B)/u/%.o,$(wildcard user/$(1)/*.c)) $(LIBS_$(1)) $(ULIB_OBJS) user/user.ld
	@mkdir -p $$(dir $$@)
	@echo "  ULD     $$@"
	$(Q)$(CC) $(ULDFLAGS) $(patsubst %,$(B)/u/%.o,$(wildcard user/$(1)/*.c)) $(LIBS_$(1)) $(ULIB_OBJS) -o $$@
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog,$(p))))

# Each directory user/c/NAME with .c files is a C program using picolibc,
# build/user/NAME.elf (NAME must not also be a user/NAME program): rv64gc,
# lp64d (picolibc's rv64imafdc/lp64d multilib), linked with our own start-up
# code and glue (lib/libc: crt0.S, fork.S, *.c) and lib/libc/strata.ld instead of
# picolibc's crt0 and picolibc.ld. It may include lib/user/syscall.h.
# fdopen, fclose and setenv are wrapped by lib/libc/stdio.c (see there).
# picolibc's <time.h> declares CLOCK_MONOTONIC, the CPU-time clocks and
# clock_gettime only where the system says it has them (LIBC_POSIX);
# lib/libc/time.c and cputime.c implement them.
LIBC_ARCH := -march=rv64gc -mabi=lp64d -mcmodel=medany
LIBC_POSIX := -D_GNU_SOURCE -D_POSIX_MONOTONIC_CLOCK=200809L -D_POSIX_TIMERS=200809L \
	-D_POSIX_CPUTIME=200809L -D_POSIX_THREAD_CPUTIME=200809L
LIBC_CFLAGS := --specs=picolibc.specs $(LIBC_ARCH) -std=gnu11 $(LIBC_POSIX) -O2 -g -fno-common \
	-Wall -Wextra -Werror -I. -Ilib/libc/include -MMD -MP
LIBC_LDFLAGS := --specs=picolibc.specs $(LIBC_ARCH) -nostartfiles -static -no-pie \
	-T lib/libc/strata.ld -Wl,--gc-sections -Wl,--wrap=fdopen,--wrap=fclose,--wrap=setenv
# malloc and friends are Strata's own (lib/libc/malloc.c on lib/alloc), not picolibc's.
LIBC_RT_SRCS := lib/libc/crt0.S lib/libc/fork.S lib/libc/sigtramp.S $(wildcard lib/libc/*.c) \
	lib/user/msgbytes.c lib/error.c lib/memops.c lib/alloc/alloc.c
LIBC_RT_OBJS := $(patsubst %,$(B)/c/%.o,$(LIBC_RT_SRCS))
C_PROGS := $(sort $(patsubst user/c/%/,%,$(dir $(wildcard user/c/*/*.c))))
C_ELFS := $(patsubst %,$(B)/user/%.elf,$(C_PROGS))

$(B)/c/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CCC     $<"
	$(Q)$(CC) $(LIBC_CFLAGS) -c $< -o $@

$(B)/c/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CAS     $<"
	$(Q)$(CC) $(LIBC_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

define c_prog
$(B)/user/$(1).elf: $(patsubst %,$(B)/c/%.o,$(wildcard user/c/$(1)/*.c)) $(LIBC_RT_OBJS) lib/libc/strata.ld
	@mkdir -p $$(dir $$@)
	@echo "  CLD     $$@"
	$(Q)$(CC) $(LIBC_LDFLAGS) $(LIBC_RT_OBJS) $(patsubst %,$(B)/c/%.o,$(wildcard user/c/$(1)/*.c)) -o $$@
endef
$(foreach p,$(C_PROGS),$(eval $(call c_prog,$(p))))
USER_ELFS += $(C_ELFS)

# The allocator benchmark once more with picolibc's malloc, for comparison:
# the same source (MALLOCBENCH_PICOLIBC names the allocator in its figures)
# linked without lib/libc/malloc.c and lib/alloc, so picolibc's comes in.
PICO_MALLOC_RT_OBJS := $(filter-out $(B)/c/lib/libc/malloc.c.o $(B)/c/lib/alloc/alloc.c.o,$(LIBC_RT_OBJS))
$(B)/c/mallocbench-picolibc.o: user/c/mallocbench/main.c
	@mkdir -p $(dir $@)
	@echo "  CCC     $< (picolibc malloc)"
	$(Q)$(CC) $(LIBC_CFLAGS) -DMALLOCBENCH_PICOLIBC -c $< -o $@

$(B)/user/mallocbench-picolibc.elf: $(B)/c/mallocbench-picolibc.o $(B)/c/user/c/mallocbench/mix.c.o \
		$(PICO_MALLOC_RT_OBJS) lib/libc/strata.ld
	@mkdir -p $(dir $@)
	@echo "  CLD     $@"
	$(Q)$(CC) $(LIBC_LDFLAGS) $(PICO_MALLOC_RT_OBJS) $(B)/c/mallocbench-picolibc.o \
		$(B)/c/user/c/mallocbench/mix.c.o -o $@
USER_ELFS += $(B)/user/mallocbench-picolibc.elf

# The initrd for make run (root = user/root) holds only what runs before fs
# can load programs from the disk: root, the servers, and the clients root
# runs itself (test=NAME, server=NAME); every other program is in /bin on
# the disk. The full one (every program) is for U-Boot boots, which have no
# data disk yet; the one for in-guest tests (root = user/utest) and the one
# for benchmarks hold every program too, under its own name.
INITRD := $(B)/initrd.cpio
INITRD_FULL := $(B)/initrd-full.cpio
TEST_INITRD := $(B)/initrd-test.cpio
BOOT_PROGS := con mem proc fs blk blktest fsdisktest fsdiskbench srvcheck
BOOT_ELFS := $(patsubst %,$(B)/user/%.elf,$(BOOT_PROGS))

$(INITRD): $(BOOT_ELFS) $(B)/user/root.elf scripts/mkinitrd.sh
	@echo "  CPIO    $@"
	$(Q)scripts/mkinitrd.sh $@ $(B)/user/root.elf $(BOOT_ELFS)

$(INITRD_FULL): $(USER_ELFS) scripts/mkinitrd.sh
	@echo "  CPIO    $@"
	$(Q)scripts/mkinitrd.sh $@ $(B)/user/root.elf $(USER_ELFS)

$(TEST_INITRD): $(USER_ELFS) scripts/mkinitrd.sh
	@echo "  CPIO    $@"
	$(Q)scripts/mkinitrd.sh $@ $(B)/user/utest.elf $(USER_ELFS)

BENCH_INITRD := $(B)/initrd-bench.cpio
$(BENCH_INITRD): $(USER_ELFS) scripts/mkinitrd.sh
	@echo "  CPIO    $@"
	$(Q)scripts/mkinitrd.sh $@ $(B)/user/bench.elf $(USER_ELFS)

initrd: $(INITRD) $(INITRD_FULL) $(TEST_INITRD) $(BENCH_INITRD)
all: initrd

# lib/ext2/ (the file server's on-disk library) is freestanding too: built
# here for the target alone, so a break shows before the server links it,
# and shared with host tests and fuzzers.
all: $(EXT2_OBJS)

# The disk (virt): build/disk-base.img is made from the programs by
# scripts/mkdisk.sh (GPT: an ext2 root with /bin holding every program, and
# swap) and remade when they change. build/disk.img, the disk `make run`
# boots with, is a copy made only when it is missing, so what the system
# writes to it stays from run to run; `make disk` replaces it with a fresh
# copy on purpose. Tests boot with copies of their own.
DISK_BASE := $(B)/disk-base.img
DISK := $(B)/disk.img

$(DISK_BASE): $(USER_ELFS) scripts/mkdisk.sh
	@echo "  DISK    $@"
	$(Q)scripts/mkdisk.sh $@ $(B)/rootfs $(USER_ELFS)

$(DISK): | $(DISK_BASE)
	@echo "  DISK    $@ (new)"
	$(Q)cp $(DISK_BASE) $@

disk: $(DISK_BASE)
	@echo "  DISK    $(DISK) (replaced)"
	$(Q)cp $(DISK_BASE) $(DISK)

all: $(DISK_BASE) $(DISK)

# ---------------------------------------------------------------- host tests
HOST_SRCS := $(filter-out lib/str.c lib/memops.c,$(SHARED_SRCS)) $(EXT2_SRCS) lib/alloc/alloc.c
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -DSTRATA_HOST -fno-omit-frame-pointer
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_HDRS := $(wildcard mm/*.h lib/*.h lib/ext2/*.h lib/alloc/*.h tests/host/*.h)
HOST_TESTS := $(patsubst tests/host/%.c,$(B)/host/%,$(wildcard tests/host/test_*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
BENCHES := $(patsubst tests/bench/%.c,$(B)/bench/%,$(wildcard tests/bench/bench_*.c))

$(B)/host/%: tests/host/%.c $(HOST_SRCS) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN) $< $(HOST_SRCS) -o $@

$(B)/fuzz/%: tests/fuzz/%.c $(HOST_SRCS) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN) -fsanitize=fuzzer $< $(HOST_SRCS) -o $@

$(B)/bench/%: tests/bench/%.c $(HOST_SRCS) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -DSTRATA_HOST $< $(HOST_SRCS) -o $@

# The page replacement simulator (tools/pagesim), on lib/replace.c as mem uses it.
$(B)/host/pagesim: tools/pagesim/main.c lib/replace.c lib/replace.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. tools/pagesim/main.c lib/replace.c -o $@
all: $(B)/host/pagesim

host-tests: $(HOST_TESTS)
fuzzers: $(FUZZERS)

# ---------------------------------------------------------------- commands
deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory all host-tests fuzzers
	@scripts/check.sh

stress: deps
	@$(MAKE) --no-print-directory all host-tests fuzzers
	@STRESS=1 scripts/check.sh

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCHES)
	@scripts/bench.sh

run: deps
	@$(MAKE) --no-print-directory all
	INITRD=$(INITRD) DISK=$(DISK) scripts/qemu.sh $(BOARD) $(SMP) $(MEM) $(KERNEL) "$$ARGS"

run-uboot: deps
	@$(MAKE) --no-print-directory all
	scripts/uboot-disk.sh $(IMAGE) $(B)/uboot-disk.img "$$ARGS" $(INITRD_FULL)
	scripts/qemu.sh uboot $(SMP) $(MEM) $(B)/uboot-disk.img

gdb: deps
	@$(MAKE) --no-print-directory all
	INITRD=$(INITRD) DISK=$(DISK) scripts/gdb.sh $(BOARD) $(SMP) $(MEM) $(KERNEL)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

.PHONY: all image initrd disk host-tests fuzzers deps check stress bench run run-uboot gdb format clean

-include $(shell find $(B) -name '*.d' 2>/dev/null)

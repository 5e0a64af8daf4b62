/*
 * The boot sequence, on the boot hart:
 *   1. read the device tree (through the boot direct map),
 *   2. build the frame allocator over usable RAM,
 *   3. build the kernel page table and switch to it,
 *   4. console on the UART, interrupt controller, timer (each checked:
 *      a platform without one gets a line saying so and a power-off),
 *   5. start the other harts, print the banner, read the wall clock (RTC),
 *      run self-tests if asked.
 */
#include "kernel/arch.h"
#include "kernel/board.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/irq.h"
#include "kernel/kvm.h"
#include "kernel/panic.h"
#include "kernel/rootload.h"
#include "kernel/rtc.h"
#include "kernel/sbi.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/shutdown.h"
#include "kernel/space.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "lib/error.h"
#include "lib/fdt.h"
#include "lib/fmt.h"
#include "lib/str.h"
#include "mm/physmap.h"

#define DTB_MAX_SIZE (1u << 20)

struct platform platform;
extern char boot_stack[], boot_stack_top[];

void kmain(unsigned long hartid, paddr_t dtb_pa);

bool boot_arg_uint(const char *key, uint64_t *out)
{
	size_t n = strlen(key);

	for (const char *s = platform.bootargs; *s;) {
		while (*s == ' ')
			s++;
		if (strncmp(s, key, n) == 0 && s[n] == '=' && s[n + 1] >= '0' && s[n + 1] <= '9') {
			uint64_t v = 0;
			for (s += n + 1; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (uint64_t)(*s - '0');
			*out = v;
			return true;
		}
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

bool boot_arg_present(const char *word)
{
	size_t n = strlen(word);

	for (const char *s = platform.bootargs; *s;) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - s) == n && strncmp(s, word, n) == 0)
			return true;
		s = e;
	}
	return false;
}

/*
 * A platform that lacks something the kernel needs: one line saying what,
 * then power off (never a hang, never a panic).
 */
static void __attribute__((noreturn)) boot_fail(const char *what, const char *why)
{
	kprintf("strata: cannot boot: %s: %s\n", what, why);
	machine_exit(EXIT_FAIL);
}

static size_t read_platform(paddr_t dtb_pa)
{
	static char err[256];
	struct fdt f;

	if (dtb_pa == 0 || dtb_pa >= DIRECT_MAX_PA)
		boot_fail("device tree", "no device tree address in a1");
	const void *blob = pa_to_kva(dtb_pa);
	if (fdt_open(&f, blob, DTB_MAX_SIZE, err, sizeof(err)) != ERR_OK)
		boot_fail("device tree", err);
	if (dt_platform_parse(blob, f.size, &platform, err, sizeof(err)) != ERR_OK)
		boot_fail("device tree", err);
	return f.size;
}

static void print_range(const char *label, paddr_t b, paddr_t e, const char *what)
{
	kprintf("  %-9s [%#012lx - %#012lx) %6lu KiB%s%s\n", label, b, e, (e - b) >> 10,
		what ? "  " : "", what ? what : "");
}

static void print_frames(void)
{
	struct buddy_stats s;

	frames_get_stats(&s);
	kprintf("frames: %zu free pages (%zu MiB), fragmentation %u/1000\n", s.free_pages,
		s.free_pages >> 8, s.frag_permille);
	for (int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		if (s.free_blocks[o])
			kprintf("  order %2d (%7zu KiB): %zu free\n", o, (size_t)4 << o,
				s.free_blocks[o]);
	}
}

static void print_banner(const struct board *b)
{
	kprintf("machine: %s (%s, board: %s)\n", platform.model, platform.compatible, b->name);
	kprintf("firmware: SBI %ld.%ld; console: %s\n", (sbi_spec_version() >> 24) & 0x7f,
		sbi_spec_version() & 0xffffff, console_name());
	kprintf("harts: boot hart %u; online:", this_hart()->hartid);
	for (unsigned i = 0; i < nharts; i++) {
		if (harts[i].online)
			kprintf(" %u", harts[i].hartid);
	}
	kprintf("\n");
	const struct plat_hart *h = dt_platform_hart(&platform, this_hart()->hartid);
	kprintf("timebase: %lu Hz; timer: %s, %d Hz\n", platform.timebase_hz, timer_name(),
		TIMER_HZ);
	kprintf("isa: %s; mmu: %s (using sv39), %u ASID bits\n", h ? h->isa : "?",
		h ? h->mmu_type : "?", kvm_asid_bits());
	kprintf("bootargs: \"%s\"\n", platform.bootargs);
	kprintf("memory:\n");
	for (unsigned i = 0; i < platform.nmem; i++)
		print_range("ram", platform.mem[i].base,
			    platform.mem[i].base + platform.mem[i].size, NULL);
	unsigned n;
	const struct reserved_area *r = frames_reserved(&n);
	for (unsigned i = 0; i < n; i++)
		print_range("reserved", r[i].base, r[i].end, r[i].what);
	print_frames();
}

/*
 * The console UART: the one stdout-path names, else the first Strata
 * drives. Without one the kernel can still speak through the SBI console,
 * long enough to say what is missing.
 */
static int init_console(char *err, size_t errlen)
{
	const struct plat_device *u = &platform.uart;
	int e;

	if (!u->present) {
		if (platform.stdout_compatible[0])
			fmt_snprintf(
			    err, errlen,
			    "no UART it can drive: stdout-path %s is \"%s\" (Strata drives "
			    "ns16550a and sifive,uart0); said through the SBI console",
			    platform.stdout_path, platform.stdout_compatible);
		else
			fmt_snprintf(err, errlen,
				     "no UART in the device tree (Strata drives ns16550a and "
				     "sifive,uart0); said through the SBI console");
		return ERR_NOENT;
	}
	if ((e = kvm_map_device(u->base, u->size ? u->size : 0x1000)) != ERR_OK) {
		fmt_snprintf(err, errlen, "cannot map the UART at %#lx: %s", u->base, err_name(e));
		return e;
	}
	if (!console_use_uart(u, DIRECT_VA(u->base))) {
		fmt_snprintf(err, errlen, "no driver for UART \"%s\"", u->compatible);
		return ERR_NOENT;
	}
	return ERR_OK;
}

void kmain(unsigned long hartid, paddr_t dtb_pa)
{
	static char err[256];
	struct hart *self = this_hart();

	self->hartid = (uint32_t)hartid;
	self->stack_base = (uint64_t)(uintptr_t)boot_stack;
	self->stack_top = (uint64_t)(uintptr_t)boot_stack_top;
	self->online = 1;
	trap_init_hart();
	sbi_init();
	kprintf("\nStrata booting on hart %lu\n", hartid);

	physmap_offset = DIRECT_BASE; /* the boot page table maps it already */
	size_t dtb_size = read_platform(dtb_pa);
	if (frames_init(&platform, dtb_pa, dtb_size, err, sizeof(err)) != ERR_OK)
		boot_fail("memory", err);
	int e = kvm_init();
	if (e != ERR_OK)
		boot_fail("kernel page table", err_name(e));
	kmalloc_init(&kernel_page_source);
	shutdown_init(); /* first: a failure below then exits with status 1 on virt */
	if (init_console(err, sizeof(err)) != ERR_OK)
		boot_fail("console", err);
	if (plic_init(err, sizeof(err)) != ERR_OK)
		boot_fail("interrupt controller", err);
	uint64_t asid_bits = kvm_asid_bits();
	if (boot_arg_uint("asid_bits", &asid_bits) && asid_bits > kvm_asid_bits())
		asid_bits = kvm_asid_bits(); /* tests may force fewer, never more */
	space_init((unsigned)asid_bits);

	if (timer_init(err, sizeof(err)) != ERR_OK)
		boot_fail("timer", err);
	csr_set(sie, SIE_SSIE);
	timer_init_hart();
	plic_init_hart();
	arch_intr_on();
	smp_start_secondaries();
	print_banner(board_lookup(&platform));
	rtc_init();

	if (boot_arg_present("selftest")) {
		int failed = selftest_run();
		if (failed || !platform.has_initrd)
			machine_exit(failed ? EXIT_FAIL : EXIT_PASS);
	}
	arch_intr_off();
	bkl_lock();
	/* Nothing could ever run: say so (rootload_start did) and power off, never idle. */
	if (rootload_start() != 0) {
		kprintf("strata: powering off\n");
		machine_exit(EXIT_FAIL);
	}
	scheduler_loop();
}

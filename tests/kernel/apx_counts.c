// SPDX-License-Identifier: GPL-2.0-only
/*
 * apx_counts: do the kernel's apx_* vCPU stats (CONFIG_KVM_APX_COUNT) move
 * as kernel-patches/README.md, "Expected counts per exit", says, with the
 * guest's stand-in APX (CONFIG_KVM_APX_STANDIN) on and off?
 *
 * A real-mode guest gets its XCR0 (KVM_SET_XCRS, and XSETBV in the guest),
 * then exits to userspace with OUT in a loop.  For each strategy and for the stand-in bits set ("on")
 * and clear ("off") in the guest's XCR0, the stats are read around N loop
 * exits; every apx_* delta must be the table's per-exit value times the
 * exits KVM counted (interrupt exits included: they leave the fastpath
 * loop like the OUTs).  Runs inside scripts/vmtest in place of exitbench:
 *
 *	scripts/vmtest cond-swap --exitbench build/tests/kernel/apx_counts
 *
 * so it takes exitbench's "run --out FILE" and writes a results file with
 * the labels vmtest checks.  Exit 0 if every count matches, 1 if not, 2 on
 * bad usage, 77 (a skip) if the kernel has no stand-in or no counters.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEM	0x10000
#define GUEST_CODE	0x1000
#define GUEST_XCR0	0x500
#define PORT_READY	0x80
#define PORT_LOOP	0x81
#define MAX_STRATEGIES	16

enum { ST_STORES, ST_LOADS, ST_CLEARS, ST_XSETBV, ST_PATH, ST_DISPATCH, ST_EXITS, NR_ST };
static const char *const stat_names[NR_ST] = {
	"apx_egpr_stores", "apx_egpr_loads", "apx_egpr_clears", "apx_xsetbv",
	"apx_path_switches", "apx_dispatch", "exits",
};

/*
 * 16-bit guest: ECX = 0, EDX:EAX = the u64 at GUEST_XCR0, XSETBV, OUT to
 * PORT_READY, then OUT to PORT_LOOP forever.
 */
static const uint8_t guest_code[] = {
	0x66, 0x31, 0xc9,			/* xor %ecx, %ecx */
	0x66, 0xa1, 0x00, 0x05,			/* mov 0x500, %eax */
	0x66, 0x8b, 0x16, 0x04, 0x05,		/* mov 0x504, %edx */
	0x0f, 0x01, 0xd1,			/* xsetbv */
	0xe6, PORT_READY,			/* out %al, $0x80 */
	0xe6, PORT_LOOP,			/* 1: out %al, $0x81 */
	0xeb, 0xfc,				/* jmp 1b */
};

struct vm {
	int fd, vcpu, stats;
	struct kvm_run *run;
	uint8_t *mem;
	uint64_t off[NR_ST];	/* stats data offsets, 0 = absent */
};

static void __attribute__((format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("apx_counts: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int read_param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kvm/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/sys/module/kvm/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static uint64_t xgetbv0(void)
{
	uint32_t a, d;

	asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return ((uint64_t)d << 32) | a;
}

static void stats_open(struct vm *vm)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs;

	vm->stats = ioctl(vm->vcpu, KVM_GET_STATS_FD, NULL);
	if (vm->stats < 0)
		die("KVM_GET_STATS_FD: %s", strerror(errno));
	if (pread(vm->stats, &h, sizeof(h), 0) != sizeof(h))
		die("cannot read the stats header");
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs || pread(vm->stats, descs, h.num_desc * dsz, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsz))
		die("cannot read the stats descriptors");
	for (uint32_t i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);

		for (int s = 0; s < NR_ST; s++)
			if (!strcmp(d->name, stat_names[s]) && d->size == 1)
				vm->off[s] = h.data_offset + d->offset;
	}
	free(descs);
}

static void stats_read(struct vm *vm, uint64_t *v)
{
	for (int s = 0; s < NR_ST; s++)
		if (pread(vm->stats, &v[s], 8, vm->off[s]) != 8)
			die("cannot read stat %s", stat_names[s]);
}

static void vm_create(struct vm *vm, int kvm, uint64_t xcr0)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_xcrs xcrs = { 0 };
	int n = 100;

	vm->fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	vm->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memcpy(vm->mem + GUEST_CODE, guest_code, sizeof(guest_code));
	memcpy(vm->mem + GUEST_XCR0, &xcr0, sizeof(xcr0));
	r.memory_size = GUEST_MEM;
	r.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU: %s", strerror(errno));
	vm->run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		       PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run: %s", strerror(errno));
	/* XSETBV needs CPUID.XSAVE (for CR4.OSXSAVE) and the XCR0 bits. */
	cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
	if (!cpuid)
		die("out of memory");
	cpuid->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid))
		die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	if (ioctl(vm->vcpu, KVM_SET_CPUID2, cpuid))
		die("KVM_SET_CPUID2: %s", strerror(errno));
	free(cpuid);
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS: %s", strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.cr4 |= 1u << 18;	/* OSXSAVE */
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS (CR4.OSXSAVE): %s", strerror(errno));
	regs.rip = GUEST_CODE;
	regs.rflags = 2;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS: %s", strerror(errno));
	/*
	 * Also set XCR0 from here: QEMU 7.2's TCG does not intercept a
	 * nested guest's XSETBV (KVM never sees it, its XCR0 stays at the
	 * reset value), and KVM_SET_XCRS takes the same path in KVM
	 * (__kvm_set_xcr()).  The guest's XSETBV of the same value then
	 * changes nothing; on hardware it exits as usual.
	 */
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = xcr0;
	if (ioctl(vm->vcpu, KVM_SET_XCRS, &xcrs))
		die("KVM_SET_XCRS(%#llx): %s", (unsigned long long)xcr0, strerror(errno));
	stats_open(vm);
}

static void vm_destroy(struct vm *vm)
{
	close(vm->stats);
	close(vm->vcpu);
	close(vm->fd);
	munmap(vm->mem, GUEST_MEM);
}

/* One KVM_RUN that must end in an OUT to @port. */
static void vcpu_run_to(struct vm *vm, int port)
{
	if (ioctl(vm->vcpu, KVM_RUN, 0))
		die("KVM_RUN: %s", strerror(errno));
	if (vm->run->exit_reason != KVM_EXIT_IO || vm->run->io.port != port)
		die("guest stopped with exit reason %u (port %#x), expected OUT to %#x%s",
		    vm->run->exit_reason, vm->run->io.port, port,
		    port == PORT_READY ? ": did XSETBV fault?" : "");
}

/*
 * The README's table, per loop exit: stores, loads, clears, XSETBVs,
 * path switches (0 in a steady loop), dispatch (1 in the switchable
 * kernel).  @g/@h: guest and host XCR0, @m the stand-in mask.
 */
static void expected(const char *s, int on, uint64_t g, uint64_t h, uint64_t m,
		     int switchable, uint64_t *e)
{
	uint64_t early = g | m | (m ? 0x6 : 0);	/* plus SSE and YMM */
	int differ = g != h;

	memset(e, 0, sizeof(*e) * ST_EXITS);
	e[ST_DISPATCH] = switchable;
	e[ST_XSETBV] = 2 * differ;
	/* Every store is followed by a clear. */
	if (!strcmp(s, "cond-swap") || !strcmp(s, "dual-exit")) {
		e[ST_STORES] = e[ST_LOADS] = e[ST_CLEARS] = on;
	} else if (!strcmp(s, "xcr0-first")) {
		/* The host's XCR0 after every VM-exit, the guest's if it differs. */
		e[ST_STORES] = e[ST_LOADS] = e[ST_CLEARS] = 1;
		e[ST_XSETBV] = 1 + differ;
	} else if (!strcmp(s, "early-xcr0")) {
		e[ST_STORES] = e[ST_LOADS] = e[ST_CLEARS] = on;
		e[ST_XSETBV] = on ? 2 * differ : 2 + 2 * (early != h);
	}
}

struct result {
	char name[64], strategy[32], reason[256];
	int ok;
	uint64_t delta[NR_ST];
};

static int measure(int kvm, const char *s, int on, uint64_t h, uint64_t m,
		   uint64_t supported, int switchable, int loops,
		   struct result *res)
{
	uint64_t g = on ? (h & supported) | m : (h & supported) & ~m;
	uint64_t a[NR_ST], b[NR_ST], e[NR_ST];
	struct vm vm;
	int len = 0;

	snprintf(res->name, sizeof(res->name), "apx_counts %s %s", s, on ? "on" : "off");
	snprintf(res->strategy, sizeof(res->strategy), "%s", s);
	vm_create(&vm, kvm, g);
	for (int i = 0; i < ST_EXITS; i++)
		if (!vm.off[i]) {
			vm_destroy(&vm);
			snprintf(res->reason, sizeof(res->reason),
				 "no %s stat: kernel without CONFIG_KVM_APX_COUNT", stat_names[i]);
			return 77;
		}
	vcpu_run_to(&vm, PORT_READY);
	stats_read(&vm, a);
	for (int i = 0; i < loops; i++)
		vcpu_run_to(&vm, PORT_LOOP);
	stats_read(&vm, b);
	vm_destroy(&vm);
	expected(s, on, g, h, m, switchable, e);
	res->ok = 1;
	for (int i = 0; i < NR_ST; i++)
		res->delta[i] = b[i] - a[i];
	for (int i = 0; i < ST_EXITS; i++) {
		if (res->delta[i] == e[i] * res->delta[ST_EXITS])
			continue;
		res->ok = 0;
		len += snprintf(res->reason + len, sizeof(res->reason) - len,
				"%s%s %llu over %llu exits, expected %llu per exit",
				len ? "; " : "", stat_names[i],
				(unsigned long long)res->delta[i],
				(unsigned long long)res->delta[ST_EXITS],
				(unsigned long long)e[i]);
		if (len >= (int)sizeof(res->reason))
			break;
	}
	printf("%-12s %-3s G=%#-6llx H=%#-6llx exits %-6llu", s, on ? "on" : "off",
	       (unsigned long long)g, (unsigned long long)h,
	       (unsigned long long)res->delta[ST_EXITS]);
	for (int i = 0; i < ST_EXITS; i++)
		printf(" %s %llu", stat_names[i] + 4, (unsigned long long)res->delta[i]);
	printf(" %s\n", res->ok ? "ok" : "MISMATCH");
	return res->ok ? 0 : 1;
}

/* The XCR0 bits KVM offers guests: KVM_GET_SUPPORTED_CPUID's 0xD.0. */
static uint64_t kvm_supported_xcr0(int kvm)
{
	int n = 100;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	uint64_t x = 0;

	if (!c)
		die("out of memory");
	c->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c))
		die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (unsigned int i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			x = ((uint64_t)c->entries[i].edx << 32) | c->entries[i].eax;
	free(c);
	return x;
}

static const char *flavor(void)
{
	if (!access("/sys/module/kvm_amd", F_OK))
		return "svm";
	if (!access("/sys/module/kvm_intel", F_OK))
		return "vmx";
	return "unknown";
}

static int tcg(void)
{
	unsigned int a, b, c, d;
	char sig[13] = { 0 };

	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	return !strcmp(sig, "TCGTCGTCGTCG");
}

static void write_results(const char *out, const char *strategy, int switchable,
			  char **names, int nnames, struct result *r, int nr)
{
	char tmp[4096];
	FILE *f;

	if (!out)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "{\"tool\": \"apx_counts\", \"kvm\": {\"flavor\": \"%s\", "
		"\"emulated\": %s, \"strategy\": \"%s\"}", flavor(),
		tcg() ? "\"tcg\"" : "null", strategy);
	if (switchable) {
		fprintf(f, ", \"switch\": {\"strategies\": [");
		for (int i = 0; i < nnames; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", names[i]);
		fprintf(f, "]}");
	}
	fprintf(f, ", \"results\": [");
	for (int i = 0; i < nr; i++) {
		fprintf(f, "%s\n {\"test\": \"%s\", \"strategy\": \"%s\", "
			"\"strategy_requested\": \"%s\", \"status\": \"%s\"",
			i ? "," : "", r[i].name, r[i].strategy, r[i].strategy,
			r[i].ok ? "ok" : "failed");
		if (!r[i].ok)
			fprintf(f, ", \"reason\": \"%s\"", r[i].reason);
		for (int s = 0; s < NR_ST; s++)
			fprintf(f, ", \"%s\": %llu", stat_names[s],
				(unsigned long long)r[i].delta[s]);
		fprintf(f, "}");
	}
	fprintf(f, "\n]}\n");
	if (fclose(f) || rename(tmp, out))
		die("cannot write %s: %s", out, strerror(errno));
}

int main(int argc, char **argv)
{
	char strategy[64], standin[64], *names[MAX_STRATEGIES], *list = NULL;
	struct result res[2 * MAX_STRATEGIES];
	const char *out = NULL;
	int loops = 1000, nnames = 0, nr = 0, rc = 0, switchable, kvm;
	unsigned long long m;
	uint64_t h, supported;
	char name[32];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "run"))
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: apx_counts [run] [--out FILE] [--strategies a,b] [--exits N]\n"
			     "(exitbench's --cpu and --rounds are accepted and ignored)");
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "apx_counts: error: %s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--out"))
			out = argv[++i];
		else if (!strcmp(argv[i], "--strategies"))
			list = argv[++i];
		else if (!strcmp(argv[i], "--exits"))
			loops = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpu") || !strcmp(argv[i], "--rounds"))
			i++;
		else {
			fprintf(stderr, "apx_counts: error: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (loops <= 0) {
		fprintf(stderr, "apx_counts: error: --exits must be a positive number\n");
		return 2;
	}
	if (read_param("apx_strategy", strategy, sizeof(strategy)))
		die("no /sys/module/kvm/parameters/apx_strategy: not an exitbench kernel");
	if (read_param("apx_standin", standin, sizeof(standin)) ||
	    sscanf(standin, "%31s %llx", name, &m) != 2) {
		printf("apx_counts: SKIP: apx_standin is '%s': kernel without the stand-in\n",
		       standin);
		return 77;
	}
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm: %s", strerror(errno));
	supported = kvm_supported_xcr0(kvm);
	h = xgetbv0();
	if (list) {
		for (char *t = strtok(list, ","); t && nnames < MAX_STRATEGIES; t = strtok(NULL, ","))
			names[nnames++] = t;
		switchable = 1;
	} else {
		names[nnames++] = strategy;
		switchable = 0;
	}
	printf("apx_counts: strategy %s, stand-in %s %#llx, host XCR0 %#llx, %d loop exits each\n",
	       strategy, name, m, (unsigned long long)h, loops);
	for (int i = 0; i < nnames; i++) {
		char got[64];

		if (switchable) {
			if (write_param("apx_strategy", names[i]) ||
			    read_param("apx_strategy", got, sizeof(got)) ||
			    strcmp(got, names[i]))
				die("cannot select strategy %s through apx_strategy", names[i]);
		}
		for (int on = 0; on <= 1; on++) {
			int r = measure(kvm, names[i], on, h, m, supported, switchable,
					loops, &res[nr++]);

			if (r == 77) {
				printf("apx_counts: SKIP: %s\n", res[nr - 1].reason);
				return 77;
			}
			rc |= r;
		}
	}
	write_results(out, switchable ? "switchable" : strategy, switchable, names,
		      nnames, res, nr);
	if (out)
		printf("results: %s\n", out);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM and vCPU creation on raw KVM ioctls.  The long-mode set-up follows
 * what was measured to work on every flavor here (DESIGN.md section 5):
 * 2 MB identity pages, CR0=0x80050033, CR4 PAE|OSFXSR|OSXMMEXCPT|OSXSAVE
 * (no PCIDE: KVM_SET_SREGS rejects it on PVM), EFER=0xd01, a busy 64-bit
 * TSS, an unusable LDT, and KVM_SET_CPUID2 before KVM_SET_SREGS.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm.h"

extern const unsigned char eb_guest_image[];
extern const size_t eb_guest_image_size;

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)	/* every level: CPL3 tests need it */
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)
#define PAGE_2M		(2ull << 20)

#define X86_CR0_PE	(1ull << 0)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_OSFXSR	(1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_OSXSAVE	(1ull << 18)
#define GUEST_CR0	0x80050033ull	/* PG WP NE ET MP PE */
#define GUEST_EFER	0xd01ull	/* NXE LMA LME SCE */
#define RFLAGS_FIXED	(1ull << 1)
#define RFLAGS_IOPL3	(3ull << 12)	/* CPL3 port I/O reaches KVM */

#define APIC_BASE_BSP	(1ull << 8)
#define APIC_BASE_EXTD	(1ull << 10)
#define APIC_BASE_EN	(1ull << 11)

#define CPUID_1_ECX_XSAVE	(1u << 26)

static int __attribute__((format(printf, 3, 4)))
vm_fail(struct eb_vm *vm, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(vm->err))
		snprintf(vm->err + n, sizeof(vm->err) - n, ": %s",
			 strerror(err));
	return -err;
}

/* The structures passed match what the ioctl numbers encode. */
_Static_assert(sizeof(struct kvm_regs) == _IOC_SIZE(KVM_SET_REGS), "kvm_regs");
_Static_assert(sizeof(struct kvm_sregs) == _IOC_SIZE(KVM_SET_SREGS), "kvm_sregs");
_Static_assert(sizeof(struct kvm_xcrs) == _IOC_SIZE(KVM_SET_XCRS), "kvm_xcrs");
_Static_assert(sizeof(struct kvm_cpuid2) == _IOC_SIZE(KVM_SET_CPUID2), "kvm_cpuid2");
_Static_assert(sizeof(struct kvm_userspace_memory_region) ==
	       _IOC_SIZE(KVM_SET_USER_MEMORY_REGION), "memory region");
_Static_assert(sizeof(struct kvm_device_attr) ==
	       _IOC_SIZE(KVM_SET_DEVICE_ATTR), "kvm_device_attr");
/* The mailbox must leave its second half to the APX area. */
_Static_assert(sizeof(struct eb_mailbox) <= 0x800, "mailbox too big");

/* ioctl() that names itself on failure. */
#define VM_IOCTL(vm, fd, req, arg)					\
	({								\
		int r_ = ioctl((fd), (req), (arg));			\
		r_ < 0 ? vm_fail((vm), errno, "%s", #req) : r_;		\
	})

const char *kvm_dev_path(const char *opt)
{
	const char *env = getenv(EB_KVM_DEV_ENV);

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return EB_DEFAULT_KVM_DEV;
}

/*
 * Dynamically enabled XSAVE features (AMX tile data, XCR0 bit 18) are left
 * out of KVM_GET_SUPPORTED_CPUID until the VMM asks for guest permission
 * (Documentation/arch/x86/xstate.rst, ARCH_REQ_XCOMP_GUEST_PERM), as QEMU
 * does.  Without it a guest cannot load the host's XCR0 on an AMX host, so
 * `--xcr0 host` would make KVM switch XCR0 around every exit.  Asking
 * for the highest supported feature grants it and every lower one; a host
 * without dynamic features refuses, which changes nothing.
 */
#define EB_ARCH_GET_XCOMP_SUPP		0x1021
#define EB_ARCH_REQ_XCOMP_GUEST_PERM	0x1025

static void kvm_request_dynamic_xstate(void)
{
	uint64_t supp = 0;
	int bit;

	if (syscall(SYS_arch_prctl, EB_ARCH_GET_XCOMP_SUPP, &supp) || !supp)
		return;
	bit = 63 - __builtin_clzll(supp);
	if (bit >= 18)		/* XTILEDATA, the first dynamic feature */
		(void)syscall(SYS_arch_prctl, EB_ARCH_REQ_XCOMP_GUEST_PERM, bit);
}

int kvm_open(const char *dev, char *err, size_t errlen)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	int e, ver;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open %s: %s%s", dev, strerror(e),
			 e == ENOENT ? " (is KVM enabled and the module loaded?)" :
			 e == EACCES ? " (need root or the kvm group)" : "");
		return -e;
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		e = ver < 0 ? errno : EINVAL;
		snprintf(err, errlen, "%s: KVM_GET_API_VERSION gave %d, want %d",
			 dev, ver, KVM_API_VERSION);
		close(fd);
		return -e;
	}
	kvm_request_dynamic_xstate();
	return fd;
}

int kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out)
{
	int nent = 64;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      nent * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
			*out = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG || nent >= 4096)
			return -errno;
		nent *= 2;
	}
}

const struct kvm_cpuid_entry2 *kvm_cpuid_find(const struct kvm_cpuid2 *c,
					      uint32_t fn, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static void vm_build_page_tables(struct eb_vm *vm)
{
	uint64_t *pml4 = vm_gpa_to_hva(vm, EB_GPA_PML4);
	uint64_t *pdpt = vm_gpa_to_hva(vm, EB_GPA_PDPT);
	uint64_t *pd_low = vm_gpa_to_hva(vm, EB_GPA_PD_LOW);
	uint64_t *pd_high = vm_gpa_to_hva(vm, EB_GPA_PD_HIGH);
	const uint64_t dir = PTE_P | PTE_RW | PTE_US;
	const uint64_t big = PTE_P | PTE_RW | PTE_US | PTE_PS;

	pml4[0] = EB_GPA_PDPT | dir;
	pdpt[0] = EB_GPA_PD_LOW | dir;
	pdpt[3] = EB_GPA_PD_HIGH | dir;
	/* RAM only: a stray access elsewhere is a #PF the guest reports. */
	for (uint64_t a = 0; a < vm->ram_size; a += PAGE_2M)
		pd_low[a / PAGE_2M] = a | big;
	pd_high[(EB_GPA_MMIO_USER - (3ull << 30)) / PAGE_2M] =
		EB_GPA_MMIO_USER | big | PTE_PCD | PTE_PWT;
	pd_high[(EB_GPA_LAPIC - (3ull << 30)) / PAGE_2M] =
		EB_GPA_LAPIC | big | PTE_PCD | PTE_PWT;
}

/* Segment descriptor: type, S, DPL, P, L, DB, G; flat base and limit. */
static uint64_t seg_desc(unsigned int type, unsigned int dpl, int l, int db)
{
	return 0xffffull | (0xfull << 48) | ((uint64_t)type << 40) |
	       (1ull << 44) | ((uint64_t)dpl << 45) | (1ull << 47) |
	       ((uint64_t)l << 53) | ((uint64_t)db << 54) | (1ull << 55);
}

static void vm_build_descriptor_tables(struct eb_vm *vm)
{
	uint64_t *gdt = vm_gpa_to_hva(vm, EB_GPA_GDT);
	uint64_t *idt = vm_gpa_to_hva(vm, EB_GPA_IDT);
	uint8_t *tss = vm_gpa_to_hva(vm, EB_GPA_TSS);
	const struct eb_image_header *h = vm_image_header(vm);
	uint64_t rsp0 = EB_GPA_STACK_EXC_TOP;

	gdt[EB_SEL_CODE0 >> 3] = seg_desc(11, 0, 1, 0);
	gdt[EB_SEL_DATA0 >> 3] = seg_desc(3, 0, 0, 1);
	gdt[EB_SEL_DATA3 >> 3] = seg_desc(3, 3, 0, 1);
	gdt[EB_SEL_CODE3 >> 3] = seg_desc(11, 3, 1, 0);
	/* 64-bit TSS (busy, type 11), base in two halves. */
	gdt[EB_SEL_TSS >> 3] = (EB_TSS_LIMIT & 0xffff) |
			       ((EB_GPA_TSS & 0xffffff) << 16) |
			       (0x8bull << 40) |
			       ((uint64_t)(EB_TSS_LIMIT >> 16) << 48) |
			       (((EB_GPA_TSS >> 24) & 0xff) << 56);
	gdt[(EB_SEL_TSS >> 3) + 1] = EB_GPA_TSS >> 32;
	memcpy(tss + 4, &rsp0, sizeof(rsp0));	/* RSP0 */
	/* I/O bitmap: all zero (every port allowed), then the 0xff byte. */
	*(uint16_t *)(tss + 102) = EB_TSS_IOMAP_OFFSET;
	memset(tss + EB_TSS_IOMAP_OFFSET, 0, 65536 / 8);
	tss[EB_TSS_LIMIT] = 0xff;

	/* 64-bit interrupt gates (type 14), DPL0, one stub per vector. */
	for (int v = 0; v < 256; v++) {
		uint64_t fn = h->vector_stubs + v * h->vector_stride;

		idt[2 * v] = (fn & 0xffff) | ((uint64_t)EB_SEL_CODE0 << 16) |
			     (0x8eull << 40) | ((fn >> 16) << 48);
		idt[2 * v + 1] = fn >> 32;
	}
}

const struct eb_image_header *vm_image_header(struct eb_vm *vm)
{
	return vm_gpa_to_hva(vm, EB_GPA_IMAGE);
}

int vm_load_guest(struct eb_vm *vm)
{
	const struct eb_image_header *h;

	if (eb_guest_image_size < sizeof(*h) ||
	    eb_guest_image_size > EB_IMAGE_MAX) {
		snprintf(vm->err, sizeof(vm->err),
			 "embedded guest image has a bad size (%zu bytes)",
			 eb_guest_image_size);
		return -ENOEXEC;
	}
	memcpy(vm_gpa_to_hva(vm, EB_GPA_IMAGE), eb_guest_image,
	       eb_guest_image_size);
	h = vm_image_header(vm);
	if (h->magic != EB_IMAGE_MAGIC || h->abi_version != EB_ABI_VERSION ||
	    h->image_end > EB_GPA_IMAGE + EB_IMAGE_MAX || h->vector_stride < 8) {
		snprintf(vm->err, sizeof(vm->err),
			 "embedded guest image: bad header (magic %#x, ABI %u, host ABI %u)",
			 h->magic, h->abi_version, EB_ABI_VERSION);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * Give the guest what KVM supports.  x2APIC is always emulated by the
 * in-kernel LAPIC; it must be in CPUID for the APIC base EXTD bit.
 *
 * PVM's KVM_GET_SUPPORTED_CPUID leaves XSAVE out of leaf 1 while its leaf
 * 0xD offers XCR0 state components: then XSAVE is added (and recorded in
 * vm->cpuid_fixups) when the host CPU has it, so XSETBV can be measured.
 */
static int vcpu_set_cpuid(struct eb_vm *vm)
{
	const struct kvm_cpuid_entry2 *d;
	struct kvm_cpuid_entry2 *e;
	unsigned int a, b, c, dx;
	bool tsc_deadline;
	int r;

	r = kvm_get_supported_cpuid(vm->kvm_fd, &vm->cpuid);
	if (r)
		return vm_fail(vm, -r, "KVM_GET_SUPPORTED_CPUID");
	d = kvm_cpuid_find(vm->cpuid, 0xd, 0);
	__cpuid_count(1, 0, a, b, c, dx);
	/*
	 * The in-kernel LAPIC emulates the TSC-deadline timer on any host,
	 * but KVM_GET_SUPPORTED_CPUID reports it only since commit
	 * 9be4ec35d668 (Dec 2024); on older kernels (6.1, the 6.12 base)
	 * KVM_CAP_TSC_DEADLINE_TIMER is how userspace learns it (api.rst).
	 */
	tsc_deadline = vm->has_irqchip &&
		       ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
			     KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	for (uint32_t i = 0; i < vm->cpuid->nent; i++) {
		e = &vm->cpuid->entries[i];
		if (e->function != 1)
			continue;
		e->ecx |= 1u << 21;	/* x2APIC */
		if (tsc_deadline)
			e->ecx |= 1u << 24;
		e->ebx &= 0x00ffffff;	/* initial APIC id 0 */
		if (!(e->ecx & CPUID_1_ECX_XSAVE) && d && (d->eax & 3) == 3 &&
		    (c & CPUID_1_ECX_XSAVE)) {
			e->ecx |= CPUID_1_ECX_XSAVE;
			snprintf(vm->cpuid_fixups, sizeof(vm->cpuid_fixups),
				 "XSAVE added to leaf 1: KVM_GET_SUPPORTED_CPUID lacks it but its leaf 0xd offers XCR0 %#x",
				 d->eax);
		}
	}
	r = VM_IOCTL(vm, vm->vcpu_fd, KVM_SET_CPUID2, vm->cpuid);
	return r < 0 ? r : 0;
}

static bool vm_guest_has_xsave(struct eb_vm *vm)
{
	const struct kvm_cpuid_entry2 *e = kvm_cpuid_find(vm->cpuid, 1, 0);

	return e && (e->ecx & CPUID_1_ECX_XSAVE);
}

/* XCR0 of the host, as the host kernel runs (XGETBV is fine at CPL3). */
static uint64_t host_xcr0(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	__cpuid_count(1, 0, a, b, c, d);
	if (!(c & (1u << 27)))		/* OSXSAVE */
		return 0;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The guest XCR0 every test starts from: what the guest CPUID offers,
 * limited to what the host has enabled and to the user states a guest
 * kernel would enable (x87, SSE, AVX, AVX-512: mask 0xe7).
 */
static uint64_t vm_default_xcr0(struct eb_vm *vm)
{
	const struct kvm_cpuid_entry2 *d = kvm_cpuid_find(vm->cpuid, 0xd, 0);

	if (!vm_guest_has_xsave(vm) || !d)
		return 0;
	return ((uint64_t)d->edx << 32 | d->eax) & host_xcr0() & 0xe7;
}

/*
 * A zero guest TSC offset makes guest and host TSC readings comparable,
 * which the one-way split of user exits needs.  Best effort.
 */
static void vcpu_zero_tsc_offset(struct eb_vm *vm)
{
	uint64_t zero = 0;
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&zero,
	};

	if (ioctl(vm->vcpu_fd, KVM_HAS_DEVICE_ATTR, &attr))
		return;
	vm->tsc_offset_zeroed = !ioctl(vm->vcpu_fd, KVM_SET_DEVICE_ATTR, &attr);
}

int vm_create(struct eb_vm *vm, const char *kvm_dev)
{
	struct kvm_userspace_memory_region region;
	int r, mmap_size;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->stats_fd = -1;
	vm->evfd_pio = vm->evfd_mmio = -1;
	vm->kvm_dev = kvm_dev;

	r = kvm_open(kvm_dev, vm->err, sizeof(vm->err));
	if (r < 0)
		return r;
	vm->kvm_fd = r;

	r = VM_IOCTL(vm, vm->kvm_fd, KVM_CREATE_VM, 0);
	if (r < 0)
		goto err;
	vm->vm_fd = r;

	vm->ram_size = EB_GUEST_RAM_SIZE;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		r = vm_fail(vm, errno, "mmap of %zu bytes of guest RAM",
			    vm->ram_size);
		goto err;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	r = VM_IOCTL(vm, vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (r < 0)
		goto err;

	/* In-kernel PIC, IOAPIC and LAPIC: needed by hlt, pio_kernel, ... */
	r = VM_IOCTL(vm, vm->vm_fd, KVM_CREATE_IRQCHIP, 0);
	if (r < 0)
		goto err;
	vm->has_irqchip = true;

	r = VM_IOCTL(vm, vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (r < 0)
		goto err;
	vm->vcpu_fd = r;

	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		r = vm_fail(vm, errno ? errno : EINVAL, "KVM_GET_VCPU_MMAP_SIZE");
		goto err;
	}
	vm->run_size = mmap_size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		r = vm_fail(vm, errno, "mmap of kvm_run");
		goto err;
	}

	r = vcpu_set_cpuid(vm);
	if (r)
		goto err;
	r = vm_load_guest(vm);
	if (r)
		goto err;
	vm_build_page_tables(vm);
	vm_build_descriptor_tables(vm);
	vcpu_zero_tsc_offset(vm);
	vcpu_stats_open(vm);	/* optional: the exit-count check */
	vm_ioeventfd_setup(vm);	/* optional: the *_ioeventfd tests */
	vm->xcr0_default = vm_default_xcr0(vm);
	r = vcpu_reset(vm, 0, false);
	if (r)
		goto err;
	return 0;
err:
	vm_destroy(vm);
	return r;
}

void vm_destroy(struct eb_vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->stats_fd >= 0)
		close(vm->stats_fd);
	vm_ioeventfd_close(vm);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm->cpuid);
	vm->run = NULL;
	vm->ram = NULL;
	vm->cpuid = NULL;
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = vm->stats_fd = -1;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int dpl,
		int l, int db)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = dpl, .db = db, .s = 1, .l = l, .g = 1,
	};
}

int vcpu_reset(struct eb_vm *vm, int cpl, bool x2apic)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	const struct eb_image_header *h = vm_image_header(vm);
	struct kvm_xcrs xcrs;
	int r;

	r = VM_IOCTL(vm, vm->vcpu_fd, KVM_GET_SREGS, &sregs);
	if (r < 0)
		return r;

	sregs.cr0 = GUEST_CR0;
	sregs.cr3 = EB_GPA_PML4;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (vm_guest_has_xsave(vm))
		sregs.cr4 |= X86_CR4_OSXSAVE;
	sregs.efer = GUEST_EFER;
	sregs.apic_base = EB_GPA_LAPIC | APIC_BASE_EN | APIC_BASE_BSP |
			  (x2apic ? APIC_BASE_EXTD : 0);

	if (cpl == 3) {
		seg(&sregs.cs, EB_SEL_CODE3, 11, 3, 1, 0);
		seg(&sregs.ds, EB_SEL_DATA3, 3, 3, 0, 1);
	} else {
		seg(&sregs.cs, EB_SEL_CODE0, 11, 0, 1, 0);
		seg(&sregs.ds, EB_SEL_DATA0, 3, 0, 0, 1);
	}
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;

	sregs.tr = (struct kvm_segment){
		.base = EB_GPA_TSS, .limit = EB_TSS_LIMIT, .selector = EB_SEL_TSS,
		.type = 11, .present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .unusable = 1 };
	sregs.gdt.base = EB_GPA_GDT;
	sregs.gdt.limit = 7 * 8 - 1;
	sregs.idt.base = EB_GPA_IDT;
	sregs.idt.limit = 256 * 16 - 1;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));

	memset(&regs, 0, sizeof(regs));
	regs.rip = h->entry;
	regs.rsp = cpl == 3 ? EB_GPA_STACK3_TOP : EB_GPA_STACK0_TOP;
	regs.rflags = RFLAGS_FIXED | (cpl == 3 ? RFLAGS_IOPL3 : 0);
	r = VM_IOCTL(vm, vm->vcpu_fd, KVM_SET_REGS, &regs);
	if (r < 0)
		return r;

	r = VM_IOCTL(vm, vm->vcpu_fd, KVM_SET_SREGS, &sregs);
	if (r < 0)
		return r;

	/* Load the XCR0 the test wants, then read back what KVM holds. */
	vm->xcr0 = 0;
	if ((sregs.cr4 & X86_CR4_OSXSAVE) && vm->xcr0_default) {
		memset(&xcrs, 0, sizeof(xcrs));
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = vm->xcr0_default;
		r = VM_IOCTL(vm, vm->vcpu_fd, KVM_SET_XCRS, &xcrs);
		if (r < 0)
			return r;
	}
	if ((sregs.cr4 & X86_CR4_OSXSAVE) &&
	    !ioctl(vm->vcpu_fd, KVM_GET_XCRS, &xcrs)) {
		for (uint32_t i = 0; i < xcrs.nr_xcrs; i++)
			if (xcrs.xcrs[i].xcr == 0)
				vm->xcr0 = xcrs.xcrs[i].value;
	}
	return 0;
}

int vcpu_get_tsc_khz(struct eb_vm *vm)
{
	int r = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);

	return r > 0 ? r : (r < 0 ? -errno : -ENODATA);
}

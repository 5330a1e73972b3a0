// SPDX-License-Identifier: GPL-2.0-only
#include <cpuid.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostinfo.h"
#include "kvm.h"

/* Read the first line of @path into @buf without the newline; 0 or -1. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

static bool dir_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void probe_cpu(struct eb_host *h)
{
	unsigned int a, b, c, d, fam, mod;
	FILE *f;
	char line[512];

	__cpuid(0, a, b, c, d);
	memcpy(h->cpu_vendor, &b, 4);
	memcpy(h->cpu_vendor + 4, &d, 4);
	memcpy(h->cpu_vendor + 8, &c, 4);
	h->cpu_vendor[12] = '\0';

	/* SDM Vol. 2A, CPUID leaf 1: display family and model. */
	__cpuid(1, a, b, c, d);
	fam = (a >> 8) & 0xf;
	mod = (a >> 4) & 0xf;
	if (fam == 0xf)
		fam += (a >> 20) & 0xff;
	if (fam == 0x6 || fam >= 0xf)
		mod |= ((a >> 16) & 0xf) << 4;
	h->family = fam;
	/* SDM: CPUID.1:ECX[31] is "hypervisor present"; signature at 0x40000000. */
	if (c & (1u << 31)) {
		unsigned int sig[3];

		__cpuid(0x40000000, a, sig[0], sig[1], sig[2]);
		memcpy(h->hypervisor, sig, 12);
		h->hypervisor[12] = '\0';
		if (!strcmp(h->hypervisor, "TCGTCGTCGTCG"))
			h->emulated = "tcg";
	}
	h->model = mod;
	h->stepping = a & 0xf;

	strcpy(h->cpu_model_name, "unknown");
	strcpy(h->microcode, "unknown");
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 1 + (v[1] == ' ');
		v[strcspn(v, "\n")] = '\0';
		if (!strncmp(line, "model name", 10))
			snprintf(h->cpu_model_name, sizeof(h->cpu_model_name),
				 "%s", v);
		else if (!strncmp(line, "microcode", 9))
			snprintf(h->microcode, sizeof(h->microcode), "%s", v);
		else if (line[0] == '\n')
			break;	/* first CPU only */
	}
	fclose(f);
}

/* Record every parameter of /sys/module/<mod>/parameters. */
static void probe_params(struct eb_host *h, const char *mod)
{
	char dir[128], path[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && h->nparams < EB_MAX_PARAMS) {
		struct eb_param *p = &h->params[h->nparams];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_line(path, p->value, sizeof(p->value)))
			continue;	/* unreadable (mode 0200): skip */
		if (snprintf(p->name, sizeof(p->name), "%s.%s", mod,
			     de->d_name) >= (int)sizeof(p->name))
			continue;
		h->nparams++;
	}
	closedir(d);
}

static int param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct eb_param *)a)->name,
		      ((const struct eb_param *)b)->name);
}

void hostinfo_probe(struct eb_host *h)
{
	static const struct {
		const char *module;
		enum eb_flavor flavor;
	} mods[] = {
		{ "kvm_intel", EB_FLAVOR_VMX },
		{ "kvm_amd", EB_FLAVOR_SVM },
		{ "kvm_pvm", EB_FLAVOR_PVM },
	};
	char path[128], name[sizeof(h->hostname)] = "";
	struct utsname u;

	memset(h, 0, sizeof(*h));
	/*
	 * Into a local first: with UBSan's recoverable null checks, GCC 12
	 * follows a path where h (hostname is its first member) is NULL and
	 * stops -Werror builds with -Wnonnull on gethostname().
	 */
	if (gethostname(name, sizeof(name) - 1))
		strcpy(name, "unknown");
	snprintf(h->hostname, sizeof(h->hostname), "%s", name);
	if (!uname(&u)) {
		snprintf(h->kernel_release, sizeof(h->kernel_release), "%s",
			 u.release);
		snprintf(h->kernel_version, sizeof(h->kernel_version), "%s",
			 u.version);
	}
	probe_cpu(h);

	/*
	 * PVM is checked last on purpose: a PVM host may also have
	 * kvm_intel loaded without VMX hardware; the /sys/module entry of
	 * a module that drives /dev/kvm is what counts, and kvm_pvm is
	 * only present when it does.
	 */
	h->flavor = EB_FLAVOR_UNKNOWN;
	h->flavor_source = "none";
	for (unsigned int i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", mods[i].module);
		if (dir_exists(path)) {
			h->flavor = mods[i].flavor;
			snprintf(h->kvm_module, sizeof(h->kvm_module), "%s",
				 mods[i].module);
			h->flavor_source = "sysfs";
		}
	}
	if (h->flavor == EB_FLAVOR_UNKNOWN) {
		/* No /sys (minimal initramfs): guess from the vendor. */
		if (!strcmp(h->cpu_vendor, "GenuineIntel"))
			h->flavor = EB_FLAVOR_VMX;
		else if (!strcmp(h->cpu_vendor, "AuthenticAMD") ||
			 !strcmp(h->cpu_vendor, "HygonGenuine"))
			h->flavor = EB_FLAVOR_SVM;
		if (h->flavor != EB_FLAVOR_UNKNOWN)
			h->flavor_source = "cpuid-vendor";
	}

	if (read_line("/sys/module/kvm/parameters/apx_strategy", h->strategy,
		      sizeof(h->strategy)) || !h->strategy[0])
		strcpy(h->strategy, "unknown");

	probe_params(h, "kvm");
	if (h->kvm_module[0])
		probe_params(h, h->kvm_module);
	qsort(h->params, h->nparams, sizeof(h->params[0]), param_cmp);
}

static uint32_t tsc_khz_from_cpuid(struct eb_vm *vm, const char **src)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int a, b, c, d;

	/* Hypervisor timing leaf (VMware/KVM convention): EAX = TSC kHz. */
	e = kvm_cpuid_find(vm->cpuid, 0x40000010, 0);
	if (e && e->eax) {
		*src = "cpuid-0x40000010";
		return e->eax;
	}
	/* SDM: TSC Hz = ECX * EBX / EAX of leaf 0x15 (crystal clock). */
	__cpuid(0, a, b, c, d);
	if (a >= 0x15) {
		__cpuid(0x15, a, b, c, d);
		if (a && b && c) {
			*src = "cpuid-0x15";
			return (uint32_t)((uint64_t)c * b / a / 1000);
		}
	}
	return 0;
}

/*
 * Which mitigation MSRs the guest may write, as KVM decides it
 * (guest_has_spec_ctrl_msr(), guest_has_pred_cmd_msr() in arch/x86/kvm):
 * Intel's CPUID.7:EDX[26] gives both; AMD's 0x80000008:EBX has IBPB
 * (bit 12) for PRED_CMD and IBRS, STIBP or SSBD (14, 15, 24) for
 * SPEC_CTRL.  Without them the write would be a #GP, not an exit.
 */
static void guest_mitigation_msrs(struct eb_host *h, struct eb_vm *vm)
{
	const struct kvm_cpuid_entry2 *l7 = kvm_cpuid_find(vm->cpuid, 7, 0);
	const struct kvm_cpuid_entry2 *x8 = kvm_cpuid_find(vm->cpuid,
							   0x80000008, 0);
	bool intel = l7 && (l7->edx & (1u << 26));
	uint32_t amd = x8 ? x8->ebx : 0;

	h->guest_spec_ctrl = intel ||
			     (amd & ((1u << 14) | (1u << 15) | (1u << 24)));
	h->guest_pred_cmd = intel || (amd & (1u << 12));
}

void hostinfo_probe_vm(struct eb_host *h, struct eb_vm *vm)
{
	const struct kvm_cpuid_entry2 *e;
	char buf[64];
	int khz;

	e = kvm_cpuid_find(vm->cpuid, 1, 0);
	h->guest_x2apic = e && (e->ecx & (1u << 21));
	h->guest_tsc_deadline = e && (e->ecx & (1u << 24));
	h->guest_xsave = e && (e->ecx & (1u << 26)) && vm->xcr0;
	h->guest_xcr0 = vm->xcr0;
	h->irqchip = vm->has_irqchip;
	guest_mitigation_msrs(h, vm);
	h->ioeventfd = vm->evfd_pio >= 0 && vm->evfd_mmio >= 0;
	snprintf(h->ioeventfd_err, sizeof(h->ioeventfd_err), "%s",
		 vm->ioeventfd_err);
	h->tsc_offset_zeroed = vm->tsc_offset_zeroed;
	memcpy(h->cpuid_fixups, vm->cpuid_fixups, sizeof(h->cpuid_fixups));

	khz = vcpu_get_tsc_khz(vm);
	if (khz > 0) {
		h->tsc_khz = khz;
		h->tsc_khz_source = "KVM_GET_TSC_KHZ";
		return;
	}
	h->tsc_khz = tsc_khz_from_cpuid(vm, &h->tsc_khz_source);
	if (h->tsc_khz)
		return;
	if (!read_line("/sys/devices/system/cpu/cpu0/tsc_freq_khz", buf,
		       sizeof(buf)) && atoi(buf) > 0) {
		h->tsc_khz = atoi(buf);
		h->tsc_khz_source = "sysfs-tsc_freq_khz";
	}
}

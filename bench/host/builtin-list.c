// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench list: the tests, the flavors each supports, and what will be
 * skipped on this host and why.  Works without /dev/kvm (then it says so
 * and judges from the KVM flavor alone).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kvm.h"
#include "table.h"
#include "testlist.h"
#include "apx/apx.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: exitbench list [--all] [--kvm-dev PATH]\n"
"\n"
"List the exit tests, the KVM flavors (vmx, svm, pvm) each supports, and\n"
"what runs or is skipped on this host, and why.\n"
"\n"
"  --all            also list the test-only tests used by the test suite\n"
"  --kvm-dev PATH   KVM device to probe (default $" EB_KVM_DEV_ENV " or " EB_DEFAULT_KVM_DEV ")\n"
"  -h, --help       this help\n"
"\n"
"Exit status: 0 listed (also when KVM is absent: the list says so),\n"
"2 bad usage.\n");
}

static const char *flavors_of(const struct eb_test *t, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int f = 0; f < EB_FLAVOR_COUNT; f++) {
		if (!t->mode[f].supported)
			continue;
		if (buf[0])
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, eb_flavor_name(f), len - strlen(buf) - 1);
	}
	return buf;
}

/*
 * "KVM exits: vmx every, svm none" where a test does not simply exit on
 * every iteration everywhere: what run checks against KVM's counter.
 */
static void print_exits(const struct eb_test *t)
{
	char line[96] = "KVM exits per iteration:";
	const char *sep = " ";
	bool all_every = true;

	for (int f = 0; f < EB_FLAVOR_COUNT; f++) {
		const struct eb_flavor_mode *m = &t->mode[f];

		if (!m->supported || m->emulated || t->id == EB_T_NOP)
			continue;
		all_every &= m->exits == EB_EXITS_EVERY;
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "%s%s %s", sep, eb_flavor_name(f),
			 eb_exits_name(m->exits));
		sep = ", ";
	}
	if (!all_every)
		table_wrap(stdout, "    ", line, 4);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "kvm-dev", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	struct eb_host host;
	struct eb_vm vm;
	bool all = false, have_vm;
	char buf[256], fl[32], first[64];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'k':
			dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return EB_EXIT_OK;
		default:
			return eb_usage_error("list", argv, c);
		}
	}
	if (optind < argc) {
		eb_error("list: unexpected argument '%s'", argv[optind]);
		return EB_EXIT_USAGE;
	}

	hostinfo_probe(&host);
	dev = kvm_dev_path(dev);
	have_vm = !vm_create(&vm, dev);
	if (have_vm)
		hostinfo_probe_vm(&host, &vm);

	printf("KVM flavor here: %s (from %s), strategy %s\n",
	       eb_flavor_name(host.flavor), host.flavor_source, host.strategy);
	if (!have_vm)
		table_wrap(stdout, "No VM could be created:", vm.err, 2);
	else
		printf("guest: irqchip %s, x2APIC %s, TSC-deadline %s, XSAVE %s (XCR0 %#llx)\n",
		       host.irqchip ? "yes" : "no",
		       host.guest_x2apic ? "yes" : "no",
		       host.guest_tsc_deadline ? "yes" : "no",
		       host.guest_xsave ? "yes" : "no",
		       (unsigned long long)host.guest_xcr0);
	if (host.flavor == EB_FLAVOR_PVM)
		table_wrap(stdout, "",
			   "PVM: no VMX/SVM here, so no hardware VM exit exists. Guest "
			   "CPL3 code runs natively: port I/O and MMIO (to the VMM and to "
			   "in-kernel devices) are timed there, each access trapping (#GP, "
			   "#PF) into KVM, which emulates it. Guest CPL0 is "
			   "software-emulated (thousands of cycles per instruction: "
			   "'exitbench run' reports this host's empty CPL0 loop): CPUID, MSR, "
			   "XSETBV, HLT and APIC tests only work there, and their numbers "
			   "are labelled 'emulated' (cpl 0e); the loop cost (nop at CPL0) "
			   "is reported beside them. CPUID at CPL3 would go to the outer "
			   "hypervisor, not KVM. Hypercalls cannot be measured: "
			   "VMCALL/VMMCALL at CPL0 hang the vCPU and KVM refuses them from "
			   "CPL3. No number here is a VMX/SVM exit cost; use "
			   "scripts/vmtest (svm under QEMU) or real hardware for those.", 0);

	{
		struct apx_info apx;
		struct apx_plan plan;
		struct apx_standin sd;

		putchar('\n');
		if (!apx_probe(have_vm ? vm.kvm_fd : -1, NULL, &apx)) {
			apx_standin_probe(&apx, &sd);
			apx_plan_make(&apx, &sd, APX_REQ_AUTO, &plan);
			apx_info_print(&apx, &plan, stdout);
		}
	}

	printf("\n%-18s %-12s %s\n", "test", "flavors", "here");
	for (unsigned int i = 0; i < eb_tests_count; i++) {
		const struct eb_test *t = &eb_tests[i];
		const char *why;

		if (t->hidden && !all)
			continue;
		why = eb_test_skip_reason(t, &host, buf, sizeof(buf));
		if (!why && !have_vm)
			why = "no VM (see above)";
		snprintf(first, sizeof(first), "%-18s %-12s ", t->name,
			 flavors_of(t, fl, sizeof(fl)));
		if (why) {
			char line[320];

			snprintf(line, sizeof(line), "skip: %s", why);
			table_wrap(stdout, first, line, 32);
		} else {
			const struct eb_flavor_mode *m = &t->mode[host.flavor];

			snprintf(fl, sizeof(fl), "runs at CPL%d%s", m->cpl,
				 m->emulated ? ", emulated" : "");
			table_wrap(stdout, first, fl, 32);
		}
		table_wrap(stdout, "    ", t->desc, 4);
		print_exits(t);
	}
	if (have_vm)
		vm_destroy(&vm);
	return EB_EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * APX detection and the choice of guest modes and guest XCR0.
 *
 * Facts come from three places that can disagree, so all three are kept:
 * the host CPU (CPUID executed here), the host kernel (XCR0 as loaded for
 * this process, read with XGETBV: allowed at CPL3 once CR4.OSXSAVE is set,
 * SDM vol. 2 "XGETBV"), and KVM (KVM_GET_SUPPORTED_CPUID, which on kvm_pvm
 * under-reports: it drops CPUID.1:ECX.XSAVE while still offering XCR0 bits
 * in leaf 0xD).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cpuid.h>
#include <linux/kvm.h>

#include "apx.h"

#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_7_1_EDX_APX_F	(1u << 21)

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return ((uint64_t)hi << 32) | lo;
}

static const struct kvm_cpuid_entry2 *
cpuid_find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != idx)
			continue;
		return e;
	}
	return NULL;
}

/* KVM_GET_SUPPORTED_CPUID, growing the array until KVM stops saying E2BIG. */
static struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd, int *err)
{
	for (uint32_t n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c;

		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c) {
			*err = -ENOMEM;
			return NULL;
		}
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		*err = -errno;
		free(c);
		if (*err != -E2BIG)
			return NULL;
	}
	return NULL;
}

static void probe_host(struct apx_info *info)
{
	unsigned int a, b, c, d, max = __get_cpuid_max(0, NULL);

	__cpuid(1, a, b, c, d);
	info->host_osxsave = c & CPUID_1_ECX_OSXSAVE;
	if (info->host_osxsave)
		info->host_xcr0 = xgetbv0();
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		/* subleaf 1 exists when CPUID.(7,0).EAX >= 1 */
		if (a >= 1) {
			__cpuid_count(7, 1, a, b, c, d);
			info->host_apx_f = d & CPUID_7_1_EDX_APX_F;
		}
	}
	if (max >= 0xd) {
		__cpuid_count(0xd, 0, a, b, c, d);
		info->host_xcr0_supported = ((uint64_t)d << 32) | a;
		__cpuid_count(0xd, 19, a, b, c, d);
		info->host_apx_size = a;
		info->host_apx_offset = b;
	}
}

static void probe_kvm(int kvm_fd, const struct kvm_cpuid2 *supported,
		      struct apx_info *info)
{
	struct kvm_cpuid2 *own = NULL;
	const struct kvm_cpuid_entry2 *e;
	int r;

	if (!supported) {
		own = kvm_supported_cpuid(kvm_fd, &info->kvm_err);
		if (!own)
			return;
		supported = own;
	}
	info->kvm_ok = true;
	info->kvm_err = 0;
	e = cpuid_find(supported, 1, 0);
	info->kvm_xsave = e && (e->ecx & CPUID_1_ECX_XSAVE);
	e = cpuid_find(supported, 7, 1);
	info->kvm_apx_f = e && (e->edx & CPUID_7_1_EDX_APX_F);
	e = cpuid_find(supported, 0xd, 0);
	if (e)
		info->kvm_xcr0 = ((uint64_t)e->edx << 32) | e->eax;
	e = cpuid_find(supported, 0xd, 19);
	if (e) {
		info->kvm_apx_size = e->eax;
		info->kvm_apx_offset = e->ebx;
	}
	r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	info->kvm_xsave2_size = r > 0 ? r : 0;
	info->kvm_xcrs = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
	free(own);
}

int apx_probe(int kvm_fd, const struct kvm_cpuid2 *supported,
	      struct apx_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kvm_err = -ENODEV;
	if (__get_cpuid_max(0, NULL) < 1)
		return -ENODEV;
	probe_host(info);
	if (kvm_fd >= 0)
		probe_kvm(kvm_fd, supported, info);
	return 0;
}

bool apx_guest_possible(const struct apx_info *info, char *why, size_t len)
{
	const char *r = NULL;

	if (!info->host_apx_f)
		r = "host CPU lacks APX (CPUID.(7,1):EDX[21] clear)";
	else if (!(info->host_xcr0 & APX_XCR0_APX))
		r = "host kernel has not enabled APX (XCR0 bit 19 clear)";
	else if (!info->kvm_ok)
		r = "KVM's supported CPUID is unavailable";
	else if (!info->kvm_apx_f)
		r = "KVM does not offer APX to guests (supported CPUID.(7,1):EDX[21] clear)";
	else if (!(info->kvm_xcr0 & APX_XCR0_APX))
		r = "KVM does not offer XCR0 bit 19 to guests (supported CPUID.(0xD,0))";
	else if (info->kvm_apx_size != 128)
		r = "KVM reports no 128-byte APX XSAVE component (CPUID.(0xD,19))";
	if (why && len)
		snprintf(why, len, "%s", r ? r : "host, kernel and KVM offer APX");
	return !r;
}

int apx_standin_parse(const char *s, char *name, size_t len, uint64_t *mask)
{
	const char *sp = strchr(s, ' ');
	char n[32], rest[2];
	unsigned long long m;

	if (!strcmp(s, "off"))
		return 1;
	/* "<name> 0x<mask>", one space, nothing after it */
	if (!sp || strncmp(sp + 1, "0x", 2) ||
	    sscanf(s, "%31[a-z0-9_-] 0x%llx %1s", n, &m, rest) != 2 || !m ||
	    strlen(n) != (size_t)(sp - s))
		return -EINVAL;
	snprintf(name, len, "%s", n);
	*mask = m;
	return 0;
}

void apx_standin_probe(const struct apx_info *info, struct apx_standin *sd)
{
	const char *env = getenv(APX_STANDIN_PARAM_ENV);
	uint64_t allowed = info->kvm_ok ? info->kvm_xcr0 : info->host_xcr0;
	char buf[96] = "";
	size_t n;
	FILE *f;
	int r;

	memset(sd, 0, sizeof(*sd));
	snprintf(sd->path, sizeof(sd->path), "%s",
		 env && *env ? env : APX_STANDIN_PARAM);
	f = fopen(sd->path, "r");
	if (!f) {
		snprintf(sd->why, sizeof(sd->why),
			 "%.200s: %s (kernel without the stand-in)", sd->path,
			 strerror(errno));
		return;
	}
	sd->present = true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	r = apx_standin_parse(buf, sd->name, sizeof(sd->name), &sd->mask);
	if (r == 1) {
		snprintf(sd->why, sizeof(sd->why),
			 "%.200s reads \"off\" (stand-in not usable on this host)",
			 sd->path);
	} else if (r) {
		snprintf(sd->why, sizeof(sd->why),
			 "%.200s reads \"%.60s\", not \"off\" or \"<name> 0x<mask>\"",
			 sd->path, buf);
	} else if (sd->mask & (APX_XCR0_X87 | APX_XCR0_APX)) {
		snprintf(sd->why, sizeof(sd->why),
			 "%.200s: mask %#llx includes x87 or APX state", sd->path,
			 (unsigned long long)sd->mask);
	} else if ((sd->mask & info->host_xcr0 & allowed) != sd->mask) {
		snprintf(sd->why, sizeof(sd->why),
			 "%.200s: mask %#llx is not in both the host XCR0 %#llx and KVM's %#llx",
			 sd->path, (unsigned long long)sd->mask,
			 (unsigned long long)info->host_xcr0,
			 (unsigned long long)allowed);
	} else {
		sd->usable = true;
	}
}

int apx_standin_xcr0(const struct apx_info *info, const struct apx_standin *sd,
		     bool on, uint64_t *xcr0)
{
	uint64_t allowed = info->kvm_ok ? info->kvm_xcr0 : info->host_xcr0;
	uint64_t x = (info->host_xcr0 & allowed & ~APX_XCR0_APX) | APX_XCR0_X87;

	if (!sd || !sd->usable)
		return -EINVAL;
	if (on) {
		x |= sd->mask;
	} else {
		x &= ~sd->mask;
		/* AVX-512 state needs AVX (SDM "XSETBV"): it goes too */
		if (sd->mask & APX_XCR0_AVX)
			x &= ~APX_XCR0_AVX512;
	}
	*xcr0 = x;
	return 0;
}

static const char *const request_names[] = {
	[APX_REQ_AUTO] = "auto",
	[APX_REQ_OFF] = "off",
	[APX_REQ_ON] = "on",
	[APX_REQ_BOTH] = "both",
	[APX_REQ_STANDIN] = "standin",
};

int apx_parse_request(const char *s, enum apx_request *req)
{
	for (size_t i = 0; i < sizeof(request_names) / sizeof(request_names[0]); i++) {
		if (s && !strcmp(s, request_names[i])) {
			*req = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *apx_request_name(enum apx_request req)
{
	return (unsigned int)req < 5 ? request_names[req] : "?";
}

static void plan_standin(const struct apx_standin *sd, enum apx_request req,
			 struct apx_plan *plan)
{
	plan->request = req;
	plan->standin = true;
	plan->sd = *sd;
	plan->run_off = true;
	plan->run_on = req != APX_REQ_OFF;
	if (req == APX_REQ_OFF)
		snprintf(plan->on_skipped, sizeof(plan->on_skipped),
			 "not requested (--apx off)");
}

void apx_plan_make(const struct apx_info *info, const struct apx_standin *sd,
		   enum apx_request req, struct apx_plan *plan)
{
	char why[160];
	bool ok = apx_guest_possible(info, why, sizeof(why));
	bool sok = sd && sd->usable;

	memset(plan, 0, sizeof(*plan));
	if (sd)
		plan->sd = *sd;
	if (req == APX_REQ_STANDIN) {
		if (sok) {
			plan_standin(sd, req, plan);
			return;
		}
		plan->request = req;
		plan->refuse = true;
		snprintf(plan->on_skipped, sizeof(plan->on_skipped),
			 "the kernel has no usable APX stand-in: %.400s",
			 sd ? sd->why : "not probed");
		return;
	}
	/* No real APX, but the kernel's stand-in: it is what "APX" means. */
	if (!ok && sok && (req == APX_REQ_AUTO || req == APX_REQ_OFF)) {
		plan_standin(sd, req, plan);
		return;
	}
	plan->request = req;
	plan->run_off = req != APX_REQ_ON;
	plan->run_on = ok && req != APX_REQ_OFF;
	if (req == APX_REQ_OFF)
		snprintf(plan->on_skipped, sizeof(plan->on_skipped),
			 "not requested (--apx off)");
	else if (!ok)
		snprintf(plan->on_skipped, sizeof(plan->on_skipped), "%s", why);
	/* Asked explicitly for an "on" number we cannot measure: refuse. */
	plan->refuse = !ok && (req == APX_REQ_ON || req == APX_REQ_BOTH);
	if (plan->refuse && sok) {
		size_t l = strlen(plan->on_skipped);

		snprintf(plan->on_skipped + l, sizeof(plan->on_skipped) - l,
			 " (the kernel's stand-in %s: --apx standin)", sd->name);
	}
}

int apx_parse_xcr0_mode(const char *s, enum apx_xcr0_mode *mode)
{
	if (s && !strcmp(s, "host"))
		*mode = APX_XCR0_HOST;
	else if (s && !strcmp(s, "reduced"))
		*mode = APX_XCR0_REDUCED;
	else
		return -EINVAL;
	return 0;
}

const char *apx_xcr0_mode_name(enum apx_xcr0_mode mode)
{
	return mode == APX_XCR0_REDUCED ? "reduced" : "host";
}

int apx_guest_xcr0(const struct apx_info *info, bool apx_on,
		   enum apx_xcr0_mode mode, uint64_t *xcr0, bool *differs,
		   char *why, size_t len)
{
	/* What KVM lets a guest load; without KVM facts assume the host's. */
	uint64_t allowed = info->kvm_ok ? info->kvm_xcr0 : info->host_xcr0;
	uint64_t x = info->host_xcr0 & allowed & ~APX_XCR0_APX;
	static const uint64_t drop[] = {
		APX_XCR0_AVX512 | APX_XCR0_AMX, APX_XCR0_AVX, APX_XCR0_SSE,
	};

	if (why && len)
		why[0] = '\0';
	if (apx_on && !apx_guest_possible(info, why, len))
		return -EINVAL;
	/* x87 state is architecturally always enabled (XCR0[0] = 1). */
	x |= APX_XCR0_X87;
	if (mode == APX_XCR0_REDUCED) {
		size_t i;

		/* AVX-512 and AVX state depend on AVX, AVX on SSE: drop top down */
		for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
			if (x & drop[i]) {
				x &= ~drop[i];
				if (drop[i] == APX_XCR0_AVX)
					x &= ~(APX_XCR0_AVX512 | APX_XCR0_AMX);
				break;
			}
		}
		if (i == sizeof(drop) / sizeof(drop[0])) {
			if (why && len)
				snprintf(why, len, "host XCR0 %#llx has no state to leave out",
					 (unsigned long long)info->host_xcr0);
			return -EOPNOTSUPP;
		}
	}
	if (apx_on)
		x |= APX_XCR0_APX;
	*xcr0 = x;
	*differs = x != info->host_xcr0;
	return 0;
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

const char *apx_mode_name(const struct apx_plan *plan, bool on)
{
	if (plan && plan->standin)
		return on ? "standin" : "standin-off";
	return on ? "on" : "off";
}

json_t *apx_standin_json(const struct apx_standin *sd, bool used)
{
	json_t *j;

	if (!sd->path[0])
		return json_null();
	j = json_pack("{s:s, s:b, s:b, s:b}", "param", sd->path,
		      "present", sd->present, "usable", sd->usable,
		      "used", used);
	if (sd->usable) {
		json_object_set_new(j, "name", json_string(sd->name));
		json_object_set_new(j, "mask", hex64(sd->mask));
	} else {
		json_object_set_new(j, "why", json_string(sd->why));
	}
	return j;
}

json_t *apx_info_to_json(const struct apx_info *info,
			 const struct apx_plan *plan)
{
	char why[160];
	bool ok = apx_guest_possible(info, why, sizeof(why));
	json_t *kvm, *root, *modes;

	if (info->kvm_ok)
		kvm = json_pack("{s:b, s:b, s:b, s:o, s:b, s:i, s:i, s:i, s:b}",
				"available", 1,
				"apx_f", info->kvm_apx_f,
				"xsave", info->kvm_xsave,
				"supported_xcr0", hex64(info->kvm_xcr0),
				"supported_xcr0_apx", !!(info->kvm_xcr0 & APX_XCR0_APX),
				"xsave_apx_size", (int)info->kvm_apx_size,
				"xsave_apx_offset", (int)info->kvm_apx_offset,
				"xsave2_size", info->kvm_xsave2_size,
				"xcrs", info->kvm_xcrs);
	else
		kvm = json_pack("{s:b, s:s}", "available", 0,
				"error", strerror(-info->kvm_err));
	root = json_pack("{s:{s:b, s:b, s:o, s:b, s:o, s:i, s:i}, s:o, s:b, s:s}",
			 "host",
			 "apx_f", info->host_apx_f,
			 "osxsave", info->host_osxsave,
			 "xcr0", hex64(info->host_xcr0),
			 "xcr0_apx", !!(info->host_xcr0 & APX_XCR0_APX),
			 "xcr0_supported", hex64(info->host_xcr0_supported),
			 "xsave_apx_size", (int)info->host_apx_size,
			 "xsave_apx_offset", (int)info->host_apx_offset,
			 "kvm", kvm,
			 "guest_apx_possible", ok,
			 "guest_apx_reason", why);
	if (!root || !plan)
		return root;
	modes = json_array();
	if (plan->run_off)
		json_array_append_new(modes, json_string(apx_mode_name(plan, false)));
	if (plan->run_on)
		json_array_append_new(modes, json_string(apx_mode_name(plan, true)));
	json_object_set_new(root, "standin", apx_standin_json(&plan->sd,
							      plan->standin));
	json_object_set_new(root, "request", json_string(apx_request_name(plan->request)));
	json_object_set_new(root, "modes", modes);
	if (!plan->run_on)
		json_object_set_new(root, "on_skipped", json_string(plan->on_skipped));
	return root;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void apx_info_print(const struct apx_info *info, const struct apx_plan *plan,
		    FILE *out)
{
	char why[160];
	bool ok = apx_guest_possible(info, why, sizeof(why));

	fprintf(out, "APX (Intel advanced performance extensions, R16-R31):\n");
	fprintf(out, "  host CPU   APX_F %s; XSAVE component 19: %u bytes at %u\n",
		yes_no(info->host_apx_f), info->host_apx_size, info->host_apx_offset);
	if (info->host_osxsave)
		fprintf(out, "  host XCR0  %#llx (APX bit 19 %s; CPU offers %#llx)\n",
			(unsigned long long)info->host_xcr0,
			info->host_xcr0 & APX_XCR0_APX ? "set" : "clear",
			(unsigned long long)info->host_xcr0_supported);
	else
		fprintf(out, "  host XCR0  unreadable (CR4.OSXSAVE clear)\n");
	if (info->kvm_ok) {
		fprintf(out, "  KVM        APX_F %s; supported XCR0 %#llx (bit 19 %s)\n",
			yes_no(info->kvm_apx_f), (unsigned long long)info->kvm_xcr0,
			info->kvm_xcr0 & APX_XCR0_APX ? "set" : "clear");
		fprintf(out, "             XSAVE component 19: %u bytes at %u\n",
			info->kvm_apx_size, info->kvm_apx_offset);
		fprintf(out, "             CPUID.1 XSAVE %s; KVM_GET_XSAVE2 %d bytes; "
			"KVM_GET_XCRS %s\n", yes_no(info->kvm_xsave),
			info->kvm_xsave2_size, yes_no(info->kvm_xcrs));
		if (!info->kvm_xsave && info->kvm_xcr0 > 1)
			fprintf(out, "             (XSAVE under-reported: leaf 0xD offers "
				"XCR0 bits)\n");
	} else {
		fprintf(out, "  KVM        supported CPUID unavailable: %s\n",
			strerror(-info->kvm_err));
	}
	fprintf(out, "  guest APX  %s: %s\n", ok ? "possible" : "not possible", why);
	for (int m = APX_XCR0_HOST; m <= APX_XCR0_REDUCED; m++) {
		char reason[160];
		uint64_t x;
		bool d;

		if (apx_guest_xcr0(info, false, m, &x, &d, reason, sizeof(reason)))
			fprintf(out, "  --xcr0 %-7s impossible: %s\n",
				apx_xcr0_mode_name(m), reason);
		else
			fprintf(out, "  --xcr0 %-7s guest XCR0 %#llx: %s\n",
				apx_xcr0_mode_name(m), (unsigned long long)x,
				d ? "differs from the host's: KVM switches XCR0"
				  : "same as the host's: no XCR0 switch");
	}
	if (plan && plan->sd.usable)
		fprintf(out, "  stand-in   %s %#llx (%s): --apx standin\n",
			plan->sd.name, (unsigned long long)plan->sd.mask,
			plan->sd.path);
	else if (plan && plan->sd.present)
		fprintf(out, "  stand-in   not usable (--apx standin says why)\n");
	else if (plan && plan->sd.path[0])
		fprintf(out, "  stand-in   none (no %s)\n", plan->sd.path);
	if (plan)
		fprintf(out, "  --apx %-4s runs: %s%s%s%s%s\n",
			apx_request_name(plan->request),
			plan->run_off ? apx_mode_name(plan, false) : "",
			plan->run_off && plan->run_on ? ", " : "",
			plan->run_on ? apx_mode_name(plan, true) : "",
			plan->run_on ? "" : "\n             on skipped: ",
			plan->run_on ? "" : plan->on_skipped);
}

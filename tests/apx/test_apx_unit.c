// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the APX dimension's host logic: mode planning, guest XCR0
 * choice, the register-integrity comparison and the uABI (XSAVE) parser.
 * Output is TAP.  Host facts are made up here, so APX hosts are covered
 * on this machine, which has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "apx.h"
#include "regcheck.h"
#include "apx_run.h"

static int ntests, nfailed;

__attribute__((format(printf, 2, 3)))
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		nfailed++;
}

/* A non-APX host like this one: AVX-512 XCR0, KVM answers. */
static struct apx_info plain_host(void)
{
	return (struct apx_info) {
		.host_osxsave = true, .host_xcr0 = 0xe7,
		.host_xcr0_supported = 0xe7,
		.kvm_ok = true, .kvm_xcr0 = 0xe7, .kvm_xsave2_size = 4096,
		.kvm_xcrs = true,
	};
}

/* An APX host (Diamond Rapids-like) with an APX-enabled kernel and KVM. */
static struct apx_info apx_host(void)
{
	struct apx_info i = plain_host();

	i.host_apx_f = i.kvm_apx_f = true;
	i.host_xcr0 = i.host_xcr0_supported = i.kvm_xcr0 = 0x800e7;
	i.host_apx_size = i.kvm_apx_size = 128;
	i.host_apx_offset = i.kvm_apx_offset = 0xa80;
	return i;
}

static void test_parse(void)
{
	enum apx_request r = APX_REQ_OFF;
	enum apx_xcr0_mode m = APX_XCR0_REDUCED;

	ok(!apx_parse_request("both", &r) && r == APX_REQ_BOTH, "parse --apx both");
	ok(!apx_parse_request("auto", &r) && r == APX_REQ_AUTO, "parse --apx auto");
	ok(apx_parse_request("yes", &r) == -EINVAL, "reject --apx yes");
	ok(apx_parse_request("", &r) == -EINVAL, "reject --apx ''");
	ok(!apx_parse_xcr0_mode("host", &m) && m == APX_XCR0_HOST, "parse --xcr0 host");
	ok(apx_parse_xcr0_mode("full", &m) == -EINVAL, "reject --xcr0 full");
}

static void test_plan(void)
{
	struct apx_info plain = plain_host(), apx = apx_host(), i;
	struct apx_plan p;
	char why[160];

	apx_plan_make(&plain, NULL, APX_REQ_AUTO, &p);
	ok(p.run_off && !p.run_on && !p.refuse &&
	   strstr(p.on_skipped, "CPUID.(7,1):EDX[21]"),
	   "auto without APX runs off only, reason names APX_F: %s", p.on_skipped);
	apx_plan_make(&plain, NULL, APX_REQ_ON, &p);
	ok(p.refuse && !p.run_on && !p.run_off, "--apx on without APX refuses");
	apx_plan_make(&plain, NULL, APX_REQ_BOTH, &p);
	ok(p.refuse && !p.run_on, "--apx both without APX refuses");
	apx_plan_make(&plain, NULL, APX_REQ_OFF, &p);
	ok(p.run_off && !p.run_on && !p.refuse, "--apx off runs off");
	apx_plan_make(&apx, NULL, APX_REQ_AUTO, &p);
	ok(p.run_off && p.run_on && !p.refuse, "auto on an APX host runs both");
	apx_plan_make(&apx, NULL, APX_REQ_ON, &p);
	ok(!p.run_off && p.run_on && !p.refuse, "--apx on on an APX host runs on only");

	/* each missing piece is named, in the order a user must fix them */
	i = apx;
	i.host_xcr0 &= ~APX_XCR0_APX;
	apx_guest_possible(&i, why, sizeof(why));
	ok(strstr(why, "host kernel") != NULL, "APX CPU, kernel without APX: %s", why);
	i = apx;
	i.kvm_apx_f = false;
	ok(!apx_guest_possible(&i, why, sizeof(why)) && strstr(why, "KVM does not offer APX"),
	   "KVM without APX_F: %s", why);
	i = apx;
	i.kvm_xcr0 = 0xe7;
	ok(!apx_guest_possible(&i, why, sizeof(why)) && strstr(why, "XCR0 bit 19"),
	   "KVM without XCR0[19]: %s", why);
	i = apx;
	i.kvm_ok = false;
	ok(!apx_guest_possible(&i, why, sizeof(why)), "no KVM facts: APX not assumed");
}

static void expect_xcr0(const struct apx_info *i, bool on, enum apx_xcr0_mode m,
			int want_ret, uint64_t want, bool want_differs,
			const char *what)
{
	uint64_t x = 0;
	bool d = !want_differs;
	char why[160];
	int r = apx_guest_xcr0(i, on, m, &x, &d, why, sizeof(why));

	if (want_ret)
		ok(r == want_ret, "%s: error %d (%s)", what, r, why);
	else
		ok(!r && x == want && d == want_differs,
		   "%s: xcr0 %#llx (want %#llx), switch %d", what,
		   (unsigned long long)x, (unsigned long long)want, d);
}

static void test_xcr0(void)
{
	struct apx_info plain = plain_host(), apx = apx_host(), i;

	expect_xcr0(&plain, false, APX_XCR0_HOST, 0, 0xe7, false, "host XCR0 = host's");
	expect_xcr0(&plain, false, APX_XCR0_REDUCED, 0, 0x7, true, "reduced drops AVX-512");
	expect_xcr0(&plain, true, APX_XCR0_HOST, -EINVAL, 0, false, "apx on without APX");
	i = plain;
	i.host_xcr0 = i.kvm_xcr0 = 0x207;	/* AVX + PKRU, no AVX-512 */
	expect_xcr0(&i, false, APX_XCR0_REDUCED, 0, 0x203, true, "reduced drops AVX");
	i.host_xcr0 = i.kvm_xcr0 = 0x3;
	expect_xcr0(&i, false, APX_XCR0_REDUCED, 0, 0x1, true, "reduced drops SSE");
	i.host_xcr0 = i.kvm_xcr0 = 0x1;
	expect_xcr0(&i, false, APX_XCR0_REDUCED, -EOPNOTSUPP, 0, false, "x87-only host");
	i = plain;
	i.kvm_xcr0 = 0x7;	/* KVM withholds AVX-512: host mode cannot match */
	expect_xcr0(&i, false, APX_XCR0_HOST, 0, 0x7, true, "KVM narrower than host");
	expect_xcr0(&apx, true, APX_XCR0_HOST, 0, 0x800e7, false, "APX on, host XCR0: no switch");
	expect_xcr0(&apx, false, APX_XCR0_HOST, 0, 0xe7, true, "APX off on APX host: XCR0 switch");
	expect_xcr0(&apx, true, APX_XCR0_REDUCED, 0, 0x80007, true, "APX on, reduced");
}

static void fill_report(struct eb_regcheck_report *rep, unsigned int test,
			uint64_t iter, uint64_t mask)
{
	memset(rep, 0, sizeof(*rep));
	rep->test_id = test;
	rep->iteration = iter;
	rep->checked = mask;
	for (unsigned int r = 0; r < EB_NR_GPRS; r++)
		if (mask & (1ull << r))
			rep->actual[r] = eb_regcheck_pattern(test, iter, r);
}

/* The kernel's stand-in: parameter syntax, plans, guest XCR0 per mode. */
static void test_standin(void)
{
	struct apx_info plain = plain_host(), apx = apx_host();
	struct apx_standin sd = { .usable = true, .name = "avx512", .mask = 0xe0 };
	struct apx_standin avx = { .usable = true, .name = "avx", .mask = 0x4 };
	struct apx_standin none = { .present = true, .why = "reads off" };
	struct apx_plan p;
	enum apx_request r;
	uint64_t m = 0, x = 0;
	char name[32];

	ok(!apx_parse_request("standin", &r) && r == APX_REQ_STANDIN, "parse --apx standin");
	ok(!apx_standin_parse("avx512 0xe0", name, sizeof(name), &m) &&
	   !strcmp(name, "avx512") && m == 0xe0, "parse 'avx512 0xe0'");
	ok(apx_standin_parse("off", name, sizeof(name), &m) == 1, "parse 'off'");
	ok(apx_standin_parse("avx 4", name, sizeof(name), &m) == -EINVAL, "reject 'avx 4'");
	ok(apx_standin_parse("avx 0x0", name, sizeof(name), &m) == -EINVAL, "reject mask 0");
	ok(apx_standin_parse("avx  0x4", name, sizeof(name), &m) == -EINVAL, "reject two spaces");
	ok(apx_standin_parse("avx 0x4 x", name, sizeof(name), &m) == -EINVAL, "reject trailing text");
	ok(apx_standin_parse("0x4", name, sizeof(name), &m) == -EINVAL, "reject a mask alone");

	apx_plan_make(&plain, &sd, APX_REQ_STANDIN, &p);
	ok(p.standin && p.run_off && p.run_on && !p.refuse, "--apx standin runs off and on");
	ok(!strcmp(apx_mode_name(&p, true), "standin") &&
	   !strcmp(apx_mode_name(&p, false), "standin-off"), "stand-in result keys");
	apx_plan_make(&plain, &none, APX_REQ_STANDIN, &p);
	ok(p.refuse && strstr(p.on_skipped, "reads off"), "no stand-in: refuse, say why");
	apx_plan_make(&plain, NULL, APX_REQ_STANDIN, &p);
	ok(p.refuse, "stand-in never probed: refuse");
	apx_plan_make(&plain, &sd, APX_REQ_AUTO, &p);
	ok(p.standin && p.run_off && p.run_on, "auto without APX takes the stand-in");
	apx_plan_make(&plain, &sd, APX_REQ_OFF, &p);
	ok(p.standin && p.run_off && !p.run_on, "off with a stand-in kernel: stand-in off");
	apx_plan_make(&apx, &sd, APX_REQ_AUTO, &p);
	ok(!p.standin && p.run_on, "auto with real APX takes real APX");
	apx_plan_make(&plain, &sd, APX_REQ_ON, &p);
	ok(p.refuse && strstr(p.on_skipped, "--apx standin"), "--apx on points at standin: %s",
	   p.on_skipped);
	ok(!strcmp(apx_mode_name(NULL, true), "on"), "no plan: on");

	ok(!apx_standin_xcr0(&plain, &sd, true, &x) && x == 0xe7, "avx512 on: %#llx",
	   (unsigned long long)x);
	ok(!apx_standin_xcr0(&plain, &sd, false, &x) && x == 0x7, "avx512 off: %#llx",
	   (unsigned long long)x);
	ok(!apx_standin_xcr0(&plain, &avx, false, &x) && x == 0x3,
	   "avx off drops AVX-512 with it: %#llx", (unsigned long long)x);
	ok(apx_standin_xcr0(&plain, &none, true, &x) == -EINVAL, "unusable stand-in: no XCR0");
}

static void test_pattern(void)
{
	/* distinct over registers, neighbouring iterations and tests */
	enum { T = 3, I = 3 };
	uint64_t v[T * I * EB_NR_GPRS];
	size_t n = 0, dup = 0;

	for (unsigned int t = 1; t <= T; t++)
		for (uint64_t it = 1000; it < 1000 + I; it++)
			for (unsigned int r = 0; r < EB_NR_GPRS; r++)
				v[n++] = eb_regcheck_pattern(t, it, r);
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			dup += v[a] == v[b];
	ok(dup == 0, "pattern distinct over %zu (test, iteration, register)", n);
}

static void test_regcheck(void)
{
	const uint64_t all = ~0ull >> 32 & ~(1ull << EB_GPR_RSP);
	struct eb_regcheck_report rep;
	struct regcheck_mismatch m[4];
	struct eb_apx_area *area;
	size_t n = 0;
	int r;

	fill_report(&rep, 2, 77, all);
	ok(regcheck_compare(&rep, m, 4, &n) == 0 && n == 0, "intact registers: no mismatch");

	rep.actual[17] ^= 1ull << 40;		/* r17 flipped */
	rep.actual[3] = eb_regcheck_pattern(2, 76, 3);	/* rbx: stale */
	r = regcheck_compare(&rep, m, 4, &n);
	ok(r == 2 && n == 2, "two corrupted registers found (%d)", r);
	ok(m[0].reg == 3 && !strcmp(regcheck_reg_name(m[0].reg), "rbx") &&
	   m[0].expected == eb_regcheck_pattern(2, 77, 3) &&
	   m[0].actual == eb_regcheck_pattern(2, 76, 3) &&
	   m[0].iteration == 77 && m[0].test_id == 2,
	   "rbx record: expected %#llx actual %#llx",
	   (unsigned long long)m[0].expected, (unsigned long long)m[0].actual);
	ok(m[1].reg == 17 && m[1].actual == (eb_regcheck_pattern(2, 77, 17) ^ (1ull << 40)),
	   "r17 record names r17 and its flipped value");

	/* a register not marked as checked is not judged */
	fill_report(&rep, 2, 5, 1ull << 0);
	rep.actual[9] = 0xdead;
	n = 0;
	ok(regcheck_compare(&rep, m, 4, &n) == 0, "unchecked register ignored");
	rep.checked |= 1ull << EB_GPR_RSP;
	ok(regcheck_compare(&rep, m, 4, &n) == -EINVAL, "report claiming RSP rejected");

	/* more mismatches than room: all counted, only @max stored */
	fill_report(&rep, 1, 0, all);
	for (unsigned int i = 16; i < 32; i++)
		rep.actual[i] = 0;
	n = 0;
	ok(regcheck_compare(&rep, m, 4, &n) == 16 && n == 16, "16 zeroed EGPRs counted, 4 kept");

	area = calloc(1, sizeof(*area));
	area->checked_exits = 100;
	area->bad_exits = 1;
	area->nreports = 1;
	fill_report(&area->reports[0], 4, 9, all);
	area->reports[0].actual[10] = 42;
	n = 0;
	ok(regcheck_area(area, m, 4, &n) == 1 && m[0].reg == 10 && m[0].actual == 42,
	   "area: r10 = 42 reported");
	area->reports[0].actual[10] = eb_regcheck_pattern(4, 9, 10);
	n = 0;
	ok(regcheck_area(area, m, 4, &n) == -EINVAL, "area: bad exit without a bad register rejected");
	/* the live-EGPR report comes on top of the bad checked exits */
	area->bad_exits = 0;
	area->live_bad = 1;
	fill_report(&area->reports[0], 4, EB_REGCHECK_ITER_LIVE, 0xffffull << 16);
	area->reports[0].actual[31] = 0;
	n = 0;
	ok(regcheck_area(area, m, 4, &n) == 1 && m[0].reg == 31 &&
	   m[0].iteration == EB_REGCHECK_ITER_LIVE, "area: live r31 lost reported");
	area->live_bad = 0;
	ok(regcheck_area(area, m, 4, &n) == -EINVAL, "area: report without a bad exit rejected");
	area->nreports = EB_REGCHECK_MAX_REPORTS + 1;
	ok(regcheck_area(area, m, 4, &n) == -EINVAL, "area: too many reports rejected");
	free(area);
	ok(sizeof(struct eb_apx_area) <= EB_APX_BYTES, "APX area fits its half page (%zu)",
	   sizeof(struct eb_apx_area));
}

static void test_uabi(void)
{
	enum { OFF = 0xa80, SIZE = 4096 };
	unsigned char *x = calloc(1, SIZE);
	uint64_t e[16], bv = EB_XCR0_APX | 3;
	unsigned long long v[EB_NR_GPRS] = { 0 };
	struct regcheck_mismatch m[2];
	struct kvm_regs regs = { .rax = 1, .rbx = 4, .rsp = 5, .r15 = 16 };
	size_t n = 0;

	for (unsigned int i = 0; i < 16; i++)
		v[16 + i] = eb_regcheck_pattern(0, 3, 16 + i);
	memcpy(x + OFF, &v[16], 128);
	memcpy(x + 512, &bv, 8);
	ok(!regcheck_xsave_egprs(x, SIZE, OFF, e) && !memcmp(e, &v[16], 128),
	   "XSAVE component 19 read at its CPUID offset");
	ok(regcheck_compare_values(0, 3, 0xffffull << 16, v, "KVM_GET_XSAVE2", m, 2, &n) == 0,
	   "uABI EGPRs match the pattern");
	bv = 3;		/* XSTATE_BV[19] clear: init state, i.e. zero */
	memcpy(x + 512, &bv, 8);
	ok(!regcheck_xsave_egprs(x, SIZE, OFF, e) && e[0] == 0 && e[15] == 0,
	   "XSTATE_BV[19] clear reads as zero");
	ok(regcheck_xsave_egprs(x, SIZE, SIZE - 64, e) == -EINVAL, "component past buffer rejected");
	ok(regcheck_xsave_egprs(x, SIZE, 0, e) == -EINVAL, "offset 0 (no APX) rejected");
	regcheck_regs_to_array(&regs, e);
	ok(e[0] == 1 && e[3] == 4 && e[4] == 5 && e[15] == 16, "KVM_GET_REGS in encoding order");
	free(x);
}

static void test_json(void)
{
	struct apx_info plain = plain_host();
	struct apx_plan p;
	struct regcheck_mismatch m = {
		.test_id = 2, .iteration = 5, .reg = 20,
		.expected = 0xeb00000000000001ull, .actual = 0, .where = "guest",
	};
	json_t *j, *a;
	char *s;

	apx_plan_make(&plain, NULL, APX_REQ_AUTO, &p);
	j = apx_info_to_json(&plain, &p);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ok(s && strstr(s, "\"xcr0\":\"0xe7\"") && strstr(s, "\"modes\":[\"off\"]") &&
	   strstr(s, "\"on_skipped\":\"host CPU lacks APX") &&
	   strstr(s, "\"guest_apx_possible\":false"), "apx JSON: %s", s ? s : "(null)");
	free(s);
	json_decref(j);
	a = regcheck_to_json(&m, 1, "cpuid");
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	ok(s && !strcmp(s, "[{\"actual\":\"0x0\",\"expected\":\"0xeb00000000000001\","
		     "\"iteration\":5,\"register\":\"r20\",\"test\":\"cpuid\",\"where\":\"guest\"}]"),
	   "mismatch JSON: %s", s ? s : "(null)");
	free(s);
	json_decref(a);
}

/* The real probe on this machine: internal consistency, not values. */
static void test_probe(void)
{
	struct apx_info i;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	ok(apx_probe(fd, NULL, &i) == 0, "probe this host");
	ok(!i.host_osxsave || ((i.host_xcr0 & 1) &&
			       !(i.host_xcr0 & ~i.host_xcr0_supported)),
	   "host XCR0 %#llx has x87 and is within CPUID.(0xD,0) %#llx",
	   (unsigned long long)i.host_xcr0, (unsigned long long)i.host_xcr0_supported);
	ok(i.host_apx_f == (i.host_apx_size == 128) || !i.host_apx_f,
	   "APX_F implies a 128-byte component 19 (size %u)", i.host_apx_size);
	if (fd >= 0)
		ok(i.kvm_ok && i.kvm_xsave2_size >= 4096 && (i.kvm_xcr0 & 1),
		   "KVM facts read: XSAVE2 %d bytes, XCR0 %#llx", i.kvm_xsave2_size,
		   (unsigned long long)i.kvm_xcr0);
	else
		printf("ok %d - # SKIP KVM facts: /dev/kvm not openable\n", ++ntests);
	apx_info_print(&i, NULL, stderr);
	if (fd >= 0)
		close(fd);
}

/* Each command's APX part, and the verdict on made-up outcomes. */
static void test_run(void)
{
	struct apx_run ar;
	struct apx_cmd c;
	struct apx_outcome *o = calloc(1, sizeof(*o));
	char buf[256], err[256];
	const char *why;
	json_t *e;
	char *s;

	apx_run_init(&ar);
	ar.info = plain_host();
	apx_plan_make(&ar.info, NULL, APX_REQ_AUTO, &ar.plan);
	ar.pvm = true;
	ar.xcr0_mode = APX_XCR0_REDUCED;
	apx_run_cmd(&ar, false, 0, 1000, &c);
	ok(c.want_xcr0 == 0x7 && !c.xgetbv && !c.regcheck && !c.on,
	   "PVM CPL0, reduced: XCR0 0x7, no XGETBV, no checked pass by default");
	apx_run_cmd(&ar, false, 3, 1000, &c);
	ok(c.xgetbv, "PVM CPL3: XGETBV allowed");
	ar.check_egprs = 1;
	ar.corrupt = true;
	ar.corrupt_reg = 3;
	apx_run_cmd(&ar, false, 3, 1000, &c);
	ok(c.regcheck && c.uabi && c.corrupt && c.corrupt_at == 1002,
	   "corruption lands on the 3rd checked exit after 1000 timed ones (%llu)",
	   (unsigned long long)c.corrupt_at);

	/* clean outcome */
	ar.corrupt = false;
	apx_run_cmd(&ar, false, 3, 0, &c);
	memset(o, 0, sizeof(*o));
	o->xcrs_read = true;
	o->kvm_xcr0 = c.want_xcr0;
	o->uabi_done = true;
	o->area.regcheck_status = EB_RC_DONE;
	o->area.checked_exits = 10;
	e = json_object();
	why = apx_run_result(&ar, &c, o, "nop", e, buf, sizeof(buf));
	s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	ok(!why && strstr(s, "\"kvm_vcpu\":\"0x7\"") && strstr(s, "\"status\":\"ok\"") &&
	   strstr(s, "proxy for the XSETBV"), "clean outcome passes: %s", s);
	free(s);
	json_decref(e);

	/* KVM holds another XCR0 than asked */
	o->kvm_xcr0 = 0xe7;
	e = json_object();
	why = apx_run_result(&ar, &c, o, "nop", e, buf, sizeof(buf));
	ok(why && strstr(why, "KVM_GET_XCRS") && strstr(why, "0xe7"), "XCR0 mismatch fails: %s",
	   why ? why : "(passed)");
	json_decref(e);
	o->kvm_xcr0 = c.want_xcr0;

	/* the guest refused APX */
	o->area.guest_status = EB_APX_GUEST_XCR0_OFF;
	e = json_object();
	why = apx_run_result(&ar, &c, o, "nop", e, buf, sizeof(buf));
	ok(why && strstr(why, "XCR0 does not have bit 19"), "guest refusal fails: %s",
	   why ? why : "(passed)");
	json_decref(e);
	o->area.guest_status = 0;

	/* the uABI ioctl failed */
	snprintf(o->uabi_err, sizeof(o->uabi_err), "KVM_GET_REGS: Bad address");
	e = json_object();
	why = apx_run_result(&ar, &c, o, "nop", e, buf, sizeof(buf));
	ok(why && strstr(why, "uABI check"), "uABI error fails: %s", why ? why : "(passed)");
	json_decref(e);

	/* APX-off guest on an APX host: the note says why XCR0 differs */
	apx_run_init(&ar);
	ar.info = apx_host();
	apx_plan_make(&ar.info, NULL, APX_REQ_AUTO, &ar.plan);
	apx_run_cmd(&ar, false, 0, 0, &c);
	memset(o, 0, sizeof(*o));
	e = json_object();
	apx_run_result(&ar, &c, o, "nop", e, buf, sizeof(buf));
	s = json_dumps(e, JSON_COMPACT);
	ok(c.want_xcr0 == 0xe7 && strstr(s, "APX bit only"), "APX-off guest on APX host: %s", s);
	free(s);
	json_decref(e);

	/* refusals at prepare time: the CLI's exit 2 */
	apx_run_init(&ar);
	ar.request = APX_REQ_ON;
	/* no KVM facts (fd -1): APX is never assumed, whatever the CPU */
	ok(apx_run_prepare(&ar, -1, false, err, sizeof(err)) == -EPERM,
	   "--apx on without KVM's word: -EPERM (%s)", err);
	free(o);
}

int main(void)
{
	test_parse();
	test_plan();
	test_xcr0();
	test_standin();
	test_pattern();
	test_regcheck();
	test_uabi();
	test_json();
	test_run();
	test_probe();
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""contrib/lava/exitbench-lava on real results files, with a stand-in
lava-test-case on PATH that records each call.

- rows.awk (the JSON reader for busybox ramdisks) gives the rows and
  medians Python's json gives, under every awk found (gawk, mawk,
  busybox awk), for exitbench's own files and a json.dump() copy;
- each test becomes one case, its measurement the mean of the runs'
  medians, with units cycles; skipped tests are 'skip' without one;
  a failed or timed-out test is 'fail' without one;
- with a baseline the verdicts are gate's: a case fails exactly when
  gate's TAP line for the row says 'not ok' (pvm-a -> pvm-b: the empty
  loop went 48 -> 60 cycles, a real regression), and with baseline
  = candidate everything passes;
- without a baseline every measured test passes, with a note;
- one baseline file against two runs is a 'gate' failure, not a crash;
- bad usage exits 2 with one 'exitbench-lava: error:' line;
- RUNS runs are made with 'exitbench run --out run-N.json ARGS', and
  --repeat N reaches them only when set (a stand-in exitbench records
  its arguments);
- the same under busybox sh, the ramdisk's shell.

With --kvm (suite kvm): two fresh baseline runs and the helper's own
two runs on this machine's /dev/kvm, gated; the cases are checked
against the run files and gate's verdicts as above.

usage: lava_helper_test.py TOP EXITBENCH [--kvm]
"""
import gzip
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, skip  # noqa: E402

FAKE = """#!/bin/sh
printf '%s\\n' "$*" >> "$LTC_LOG"
"""
# A stand-in 'exitbench run': records its arguments, writes REF to --out.
FAKE_BENCH = """#!/bin/sh
printf '%s\\n' "$*" >> "$BENCH_LOG"
while [ $# -gt 0 ]; do
	[ "$1" = --out ] && gzip -dc "$BENCH_REF" > "$2"
	shift
done
"""


def load(path):
    with (gzip.open if path.endswith('.gz') else open)(path, 'rt') as f:
        return json.load(f)


def rows(doc):
    out = []
    for r in doc['results']:
        med = r['cycles']['median'] if r['status'] == 'ok' else None
        out.append((r['test'], r.get('apx', 'off'), r.get('xcr0', 'host'),
                    r.get('strategy', ''), r['status'], med))
    return out


def case_name(t, apx, xcr0, strat):
    n = t
    if apx != 'off':
        n += '-apx-' + apx
    if xcr0 != 'host':
        n += '-xcr0-' + xcr0
    if strat:
        n += '-' + strat
    return n


def expected(files):
    """name -> (status set, [medians of ok runs])"""
    exp = {}
    for f in files:
        for t, apx, xcr0, strat, status, med in rows(load(f)):
            st, meds = exp.setdefault(case_name(t, apx, xcr0, strat),
                                      (set(), []))
            st.add(status)
            if med is not None:
                meds.append(med)
    return exp


class Helper:
    def __init__(self, top, bench, work, shell):
        self.cmd = shell + \
            [os.path.join(top, 'contrib', 'lava', 'exitbench-lava'),
             '--exitbench', bench]
        self.work = tempfile.mkdtemp(dir=work)
        self.n = 0
        bindir = os.path.join(self.work, 'bin')
        os.makedirs(bindir, exist_ok=True)
        fake = os.path.join(bindir, 'lava-test-case')
        with open(fake, 'w') as f:
            f.write(FAKE)
        os.chmod(fake, 0o755)
        self.env = dict(os.environ, PATH=bindir + ':' + os.environ['PATH'])

    def run(self, *args):
        """Run the helper; return (rc, stdout+stderr, {case: (result, m, units)})."""
        self.n += 1
        log = os.path.join(self.work, f'calls-{self.n}.log')
        out = os.path.join(self.work, f'out-{self.n}')
        env = dict(self.env, LTC_LOG=log)
        p = subprocess.run(self.cmd + ['--out', out] + list(args), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        cases = {}
        if os.path.exists(log):
            for line in open(log):
                w = line.split()
                opt = dict(zip(w[1::2], w[2::2]))
                check(w[0] not in cases, f'case {w[0]} reported once')
                cases[w[0]] = (opt.get('--result'), opt.get('--measurement'),
                               opt.get('--units'))
        return p.returncode, p.stdout, cases, out


def check_cases(cases, files, verdicts, what):
    exp = expected(files)
    for name, (status, meds) in exp.items():
        got = cases.get(name)
        if not check(got is not None, f'{what}: case {name} reported'):
            continue
        result, meas, units = got
        if status - {'ok', 'skipped'}:
            check(result == 'fail' and meas is None,
                  f'{what}: {name} failed in a run: fail, no measurement '
                  f'(got {got})')
        elif not meds:
            check(result == 'skip' and meas is None,
                  f'{what}: {name} skipped: skip, no measurement (got {got})')
        else:
            mean = sum(meds) / len(meds)
            check(units == 'cycles' and meas is not None and
                  abs(float(meas) - mean) <= 0.05,
                  f'{what}: {name} measurement {meas} = mean {mean} of '
                  f'{meds}, units cycles ({units})')
            want = verdicts.get(name, 'pass')
            check(result == want, f'{what}: {name} {result}, want {want}')


def gate_verdicts(bench, base, cands):
    """Per case name, from gate's own TAP."""
    args = [bench, 'gate', '--tap']
    for b in base:
        args += ['-b', b]
    for c in cands:
        args += ['-c', c]
    p = subprocess.run(args, stdout=subprocess.PIPE, text=True)
    v = {}
    for line in p.stdout.splitlines():
        if not line.startswith(('ok ', 'not ok ')):
            continue
        body = line.split(' - ', 1)[1]
        t, apx, xcr0 = body.split(':')[0].split()
        v[case_name(t, apx[4:], xcr0[5:], '')] = \
            'fail' if line.startswith('not') else 'pass'
    return p.returncode, v


LOCATION = ("min", "p1", "p5", "p25", "median", "p75", "p95", "p99", "max",
            "mean")


def shifted(doc, pct):
    """@doc with every run of every test @pct% slower, in whole TSC ticks,
    every statistic the loader checks kept consistent (raw included)."""
    d = copy.deepcopy(doc)
    k = 1e6 / d["host"]["tsc_khz"]
    for r in d["results"]:
        if r["status"] != "ok":
            continue
        tick = (r.get("tsc_tick") or {}).get("per_exit") or 1
        delta = int(round(pct / 100 * r["cycles"]["median"] / tick) * tick)
        stats = [r["cycles"]] + [x["cycles"] for x in r.get("runs", [])]
        for c in stats:
            for key in LOCATION:
                c[key] += delta
            c["median_ci"] = [v + delta for v in c["median_ci"]]
        if r.get("ns"):
            for key in LOCATION:
                r["ns"][key] += delta * k
            r["ns"]["median_ci"] = [v + delta * k for v in r["ns"]["median_ci"]]
        if "raw" in r:
            r["raw"] = [v + int(delta * r.get("batch", 1)) for v in r["raw"]]
        if r.get("net_median_cycles") is not None:
            r["net_median_cycles"] += delta
        br = r.get("between_runs")
        if br and br.get("mean_of_medians") is not None:
            br["mean_of_medians"] += delta
            if br.get("ci"):
                br["ci"] = [v + delta for v in br["ci"]]
    return d


def kvm_mode(top, bench):
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        skip('/dev/kvm is not usable here')
    work = tempfile.mkdtemp(prefix='lab-lava-kvm-')
    args = ['--samples', '300', '--tests', 'nop,pio_kernel,hypercall']
    try:
        bases = []
        for i in (1, 2):
            f = os.path.join(work, f'base-{i}.json')
            p = subprocess.run([bench, 'run', '--out', f] + args,
                               stdout=subprocess.DEVNULL)
            check(p.returncode == 0, f'baseline run {i}: exit 0')
            bases.append(f)
        h = Helper(top, bench, work, [])
        rc, out, cases, odir = h.run('--runs', '2', '--baseline',
                                     ' '.join(bases), '--', *args)
        check(rc == 0, f'helper exits 0 ({rc}): {out[-400:]}')
        runs = [os.path.join(odir, f'run-{i}.json') for i in (1, 2)]
        for i in (1, 2):
            check(cases.get(f'run-{i}', (None,))[0] == 'pass', f'run-{i} passes')
        grc, v = gate_verdicts(bench, bases, runs)
        check(cases.get('gate', (None,))[0] == ('pass' if grc == 0 else 'fail'),
              f'the gate case follows gate\'s exit status {grc}')
        check_cases(cases, runs, v, 'kvm')
        check('hypercall' not in cases or cases['hypercall'][0] in ('skip', 'pass'),
              'hypercall: skipped here (PVM) or measured')
        print(f'kvm: {len(cases)} cases checked')
    finally:
        shutil.rmtree(work)
    return finish()


def main(top, bench):
    ref = os.path.join(top, 'results', 'reference')
    a = os.path.join(ref, 'pvm-a.json.gz')
    b = os.path.join(ref, 'pvm-b.json.gz')
    sw = os.path.join(ref, 'tcg-switchable.json.gz')
    ra = os.path.join(ref, 'pvm-repeat-a.json.gz')
    awk_script = os.path.join(top, 'contrib', 'lava', 'rows.awk')
    work = tempfile.mkdtemp(prefix='lab-lava-')
    try:
        # A json.dump() copy of pvm-a (other indentation, key order kept
        # sorted differently) with one test timed out and one failed.
        doc = load(a)
        doc['results'][1].update(status='timeout', reason='watchdog')
        del doc['results'][1]['cycles']
        doc['results'][3].update(status='failed', reason='exit mismatch')
        del doc['results'][3]['cycles']
        broken = os.path.join(work, 'broken.json')
        with open(broken, 'w') as f:
            json.dump(doc, f, indent=4)
        slow = os.path.join(work, 'slow.json')
        with open(slow, 'w') as f:
            json.dump(shifted(load(ra), 30), f, indent=1)

        awks = [[x] for x in ('gawk', 'mawk') if shutil.which(x)]
        if shutil.which('busybox'):
            awks.append(['busybox', 'awk'])
        check(awks, 'an awk to test rows.awk with')
        for awk in awks:
            for f in (a, sw, broken):
                p = subprocess.run(awk + ['-f', awk_script, f],
                                   stdout=subprocess.PIPE, text=True)
                got = [tuple(line.split('\t')) for line in
                       p.stdout.splitlines()]
                want = [(t, x, y, s, st, '' if m is None else repr(float(m)))
                        for t, x, y, s, st, m in rows(load(f))]
                check(p.returncode == 0 and got == want,
                      f'{" ".join(awk)} rows.awk {os.path.basename(f)}: '
                      f'{len(got)} rows match json ({len(want)})')

        shells = [[]]
        if shutil.which('busybox'):
            shells.append(['busybox', 'sh'])
        for shell in shells:
            h = Helper(top, bench, work, shell)
            tag = ' '.join(shell) or 'sh'

            # Single runs: no between-run spread, so no verdict (gate 2):
            # the gate case is 'unknown', each test a measured pass.
            rc, out, cases, _ = h.run('--results', b, '--baseline', a)
            grc, v = gate_verdicts(bench, [a], [b])
            check(rc == 0, f'{tag}: gated single run exits 0 ({rc}): {out[-300:]}')
            check(grc == 2 and 'unresolved' in out and
                  cases.get('gate', (None,))[0] == 'unknown',
                  f'{tag}: single runs: gate unresolved, case unknown '
                  f'({grc}, {cases.get("gate")})')
            check_cases(cases, [b], v, f'{tag} a->b')

            # Five real runs against the same runs made 30% slower.
            rc, out, cases, _ = h.run('--results', slow, '--baseline', ra)
            grc, v = gate_verdicts(bench, [ra], [slow])
            check(rc == 0, f'{tag}: gated repeated runs exit 0 ({rc}): {out[-300:]}')
            check(grc == 1 and 'fail' in v.values(),
                  f'{tag}: gate finds the +30% regression ({grc})')
            check(cases.get('gate', (None,))[0] == 'fail',
                  f'{tag}: the gate case fails with it')
            check_cases(cases, [slow], v, f'{tag} a->a+30%')

            rc, out, cases, _ = h.run('--results', f'{a} {b}',
                                      '--baseline', f'{a} {b}')
            grc, v = gate_verdicts(bench, [a, b], [a, b])
            check(rc == 0 and grc == 0 and
                  cases.get('gate', (None,))[0] == 'pass',
                  f'{tag}: two runs gated against themselves pass '
                  f'(rc {rc}, gate {grc}, {cases.get("gate")})')
            check_cases(cases, [a, b], v, f'{tag} ab->ab')

            rc, out, cases, _ = h.run('--results', f'{a} {broken}')
            check(rc == 0 and 'no baseline' in out and 'gate' not in cases,
                  f'{tag}: no baseline: a note and no gate case')
            check_cases(cases, [a, broken], {}, f'{tag} no baseline')

            rc, out, cases, _ = h.run('--results', f'{a} {b}',
                                      '--baseline', a)
            check(rc == 0 and cases.get('gate', (None,))[0] == 'fail' and
                  '1 baseline, 2 runs' in out,
                  f'{tag}: 1 baseline vs 2 runs: gate case fails, says why')

            rc, out, cases, _ = h.run('--results', b, '--baseline',
                                      os.path.join(work, 'missing.json'))
            check(rc == 0 and cases.get('baseline', (None,))[0] == 'fail',
                  f'{tag}: an unreadable baseline is a failed case')

            fake = os.path.join(h.work, 'fake-exitbench')
            with open(fake, 'w') as f:
                f.write(FAKE_BENCH)
            os.chmod(fake, 0o755)
            blog = os.path.join(h.work, 'bench.log')
            for repeat in ([], ['--repeat', '4'], ['--repeat', '']):
                if os.path.exists(blog):
                    os.unlink(blog)
                h.env.update(BENCH_LOG=blog, BENCH_REF=a)
                rc, out, cases, odir = h.run('--exitbench', fake, '--runs', '2',
                                             *repeat, '--', '--tests', 'nop')
                calls = open(blog).read().splitlines() if os.path.exists(blog) else []
                want = [f'run --out {odir}/run-{i}.json' +
                        (' --repeat 4' if '4' in repeat else '') + ' --tests nop'
                        for i in (1, 2)]
                check(rc == 0 and calls == want,
                      f'{tag}: {repeat}: exitbench called as {want} ({calls})')
                check(cases.get('run-1', (None,))[0] == 'pass' and
                      cases.get('run-2', (None,))[0] == 'pass',
                      f'{tag}: {repeat}: run-1 and run-2 pass')
                check_cases(cases, [os.path.join(odir, 'run-1.json'),
                                    os.path.join(odir, 'run-2.json')],
                            {}, f'{tag} {repeat}')

            for args in (['--runs', '0'], ['--repeat', 'x'], ['--bogus'],
                         ['--runs']):
                rc, out, cases, _ = h.run(*args)
                lines = out.strip().splitlines()
                check(rc == 2 and len(lines) == 1 and
                      lines[0].startswith('exitbench-lava: error: '),
                      f'{tag}: {args}: exit 2, one error line ({rc}: {out!r})')
    finally:
        shutil.rmtree(work)
    return finish()


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[3] == '--kvm':
        sys.exit(kvm_mode(sys.argv[1], sys.argv[2]))
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))

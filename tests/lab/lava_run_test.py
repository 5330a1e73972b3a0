#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""contrib/lava/jobs/qemu-tcg.yaml through Debian's lava-dispatcher
(lava-run: no lava-server, no worker daemon, no init-system change).

1. contrib/lava/qemu/mkramdisk: Debian's stock kernel (scripts/vmtest's
   cache) and a busybox + exitbench + kvm-amd ramdisk;
2. two baseline runs of the job's RUN_ARGS with scripts/vmtest stock
   (the same kernel, QEMU and CPU model: gate accepts them);
3. the job, with file:// URLs for kernel and ramdisk, the baselines
   appended to the ramdisk as LAVA overlays and named in BASELINE, and
   the test definition from a git copy of this tree's contrib/lava;
   the derived job is validated with LAVA's schema first;
4. LAVA's log: the job passed, run-1 and run-2 passed, a gate case,
   and one case per test with units cycles whose measurement is the
   mean of the medians in the two run tables exitbench printed, and
   whose result is gate's verdict from its TAP lines in the log.
The numbers are emulator cycles: only the plumbing is checked.

usage: lava_run_test.py TOP EXITBENCH
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, skip  # noqa: E402

try:
    import yaml
    from lava_common import schemas
except ImportError as e:
    skip(f"LAVA's schemas are not importable ({e}): apt-get install lava-common")


def sh(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def log_entries(path):
    """lava-run's log: one YAML mapping per line."""
    for line in open(path):
        line = line.strip()
        if line.startswith('- '):
            line = line[2:]
        try:
            d = yaml.safe_load(line)
        except yaml.YAMLError:
            continue
        if isinstance(d, dict) and 'lvl' in d:
            yield d


def main(top, bench):
    for prog in ('lava-run', 'qemu-system-x86_64', 'git', 'cpio'):
        if not shutil.which(prog):
            skip(f'{prog} not found (apt-get install --no-install-recommends '
                 'lava-dispatcher qemu-system-x86 git cpio)')
    if os.geteuid() != 0:
        skip('lava-run needs root (it writes /var/lib/lava/dispatcher)')
    lava = os.path.join(top, 'contrib', 'lava')
    work = tempfile.mkdtemp(prefix='lab-lava-run-')
    keep = False
    try:
        with open(os.path.join(lava, 'jobs', 'qemu-tcg.yaml')) as f:
            job = yaml.safe_load(f)
        tdef = job['actions'][2]['test']['definitions'][0]
        run_args = tdef['parameters']['RUN_ARGS'].split()
        tests = run_args[run_args.index('--tests') + 1].split(',')

        img = os.path.join(work, 'img')
        p = sh([os.path.join(lava, 'qemu', 'mkramdisk'), '--exitbench', bench, img])
        if not check(p.returncode == 0, f'mkramdisk: {p.stdout[-500:]}'):
            return finish()

        bases = []
        for i in (1, 2):
            f = os.path.join(work, f'base-{i}.json')
            # --cpu 1 comes from vmtest itself; the rest is the job's.
            args = [a for j, a in enumerate(run_args)
                    if a != '--cpu' and (j == 0 or run_args[j - 1] != '--cpu')]
            cmd = [os.path.join(top, 'scripts', 'vmtest'), 'stock', '--out', f,
                   '--exitbench', bench, '--timeout', '240', '--'] + args
            # QEMU 7.2 TCG sometimes stops the stock kernel's VM for good
            # (README "TCG caveats"): an emulator hang, retried once, as
            # tests/vmtest/stock_test.py does.
            for attempt in (1, 2):
                p = sh(cmd)
                if p.returncode == 0 or 'ran out while the VM was running' not in p.stdout:
                    break
                print(f'retry: the baseline VM hung on attempt {attempt}: '
                      f'{p.stdout.strip().splitlines()[-1]}')
                m = re.search(r'logs in (/tmp/vmtest\.\w+)', p.stdout)
                if m:
                    shutil.rmtree(m.group(1), ignore_errors=True)
            if not check(p.returncode == 0 and os.path.isfile(f),
                         f'vmtest baseline {i}: {p.stdout[-500:]}'):
                return finish()
            bases.append(f)

        repo = os.path.join(work, 'repo')
        shutil.copytree(lava, os.path.join(repo, 'contrib', 'lava'))
        for cmd in (['git', 'init', '-q', '-b', 'main'], ['git', 'add', '-A'],
                    ['git', '-c', 'user.name=lab', '-c', 'user.email=lab@localhost',
                     'commit', '-qm', 'contrib/lava']):
            p = sh(cmd, cwd=repo)
            check(p.returncode == 0, f'{cmd}: {p.stdout}')

        deploy = job['actions'][0]['deploy']['images']
        deploy['kernel']['url'] = 'file://' + os.path.join(img, 'vmlinux')
        deploy['ramdisk']['url'] = 'file://' + os.path.join(img, 'ramdisk.cpio')
        for i, f in enumerate(bases, 1):
            deploy['ramdisk']['overlays'][f'baseline{i}'] = {
                'url': 'file://' + f, 'format': 'file',
                'path': f'/tmp/baseline-{i}.json'}
        tdef['repository'] = repo
        # 4 tests x 300 samples x 2 runs take ~10 s in the VM; a hung VM
        # should not cost the template's 30 minutes.
        job['actions'][2]['test']['timeout'] = {'minutes': 8}
        tdef['parameters']['BASELINE'] = '/tmp/baseline-1.json /tmp/baseline-2.json'
        try:
            schemas.validate(job, strict=True)
            check(True, '')
        except Exception as e:  # voluptuous.Invalid
            check(False, f'derived job is valid: {e}')
        jobfile = os.path.join(work, 'job.yaml')
        with open(jobfile, 'w') as f:
            yaml.safe_dump(job, f)

        log = os.path.join(work, 'lava.log')
        job_id = str(90000 + os.getpid() % 10000)
        for attempt in (1, 2):
            with open(log, 'w') as f:
                p = subprocess.run(['timeout', '1200', 'lava-run', '--job-id', job_id,
                                    '--output-dir', os.path.join(work, 'out'),
                                    '--device', os.path.join(lava, 'qemu', 'device.yaml'),
                                    jobfile], stdout=f, stderr=subprocess.STDOUT)
            cases, target, errors = {}, [], []
            for d in log_entries(log):
                if d['lvl'] == 'target':
                    target.append(str(d['msg']))
                elif d['lvl'] == 'error':
                    errors.append(str(d['msg']))
                elif d['lvl'] == 'results' and isinstance(d['msg'], dict):
                    m = d['msg']
                    cases[(m.get('definition'), m.get('case'))] = m
            # The same emulator hang inside the job ends in LAVA's test
            # timeout; one retry, said out loud.
            if p.returncode == 0 or not any('timed out' in e.lower() for e in errors):
                break
            print(f'retry: the job timed out on attempt {attempt}: {errors[-1:]}')
        check(p.returncode == 0, f'lava-run exits 0 ({p.returncode})')
        job_result = cases.get(('lava', 'job'), {}).get('result')
        check(job_result == 'pass', f'the job passed ({job_result}; {errors[-3:]})')
        ours = {c: m for (dfn, c), m in cases.items() if dfn == '0_exitbench'}
        for c in ('run-1', 'run-2'):
            check(ours.get(c, {}).get('result') == 'pass', f'{c} passed: {ours.get(c)}')
        check('gate' in ours, 'a gate case')

        # The run tables (median column) and gate's TAP, from the console.
        medians, verdicts = {t: [] for t in tests}, {}
        for line in target:
            w = line.split()
            if len(w) >= 3 and w[0] in medians and re.match(r'^[0-9.]+$', w[2]):
                medians[w[0]].append(float(w[2]))
            m = re.match(r'^(not )?ok \d+ - (\S+) apx=off xcr0=host:', line)
            if m:
                verdicts[m.group(2)] = 'fail' if m.group(1) else 'pass'
        for t in tests:
            m = ours.get(t)
            if not check(m, f'case {t} reported'):
                continue
            meds = medians[t]
            check(len(meds) == 2, f'{t}: two run tables in the log ({meds})')
            if meds:
                mean = sum(meds) / len(meds)
                # The table prints integers above 100 cycles: +-0.5 each.
                check(m.get('units') == 'cycles' and
                      abs(float(m.get('measurement', 'nan')) - mean) <= 0.5,
                      f'{t}: measurement {m.get("measurement")} ~ mean {mean} '
                      f'of the run tables {meds}, units cycles')
            check(m.get('result') == verdicts.get(t),
                  f'{t}: result {m.get("result")} = gate\'s {verdicts.get(t)}')
            print(f'{t}: {m.get("result")} {m.get("measurement")} {m.get("units")}')
        keep = bool(sys.modules['checks'].failures)
    finally:
        if keep:
            print(f'kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == '__main__':
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))

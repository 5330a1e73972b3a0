#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""contrib/lkp-tests' exitbench program on real results files.

parse: every line is lkp's 'key: value' (no extra space, a number),
each value is the number of the row and field it names in the file it
came from, every ok row has its median, a skipped one 'skip: 1' and no
cycles; several files give each key once per file (lkp's per-iteration
arrays); RESULT_ROOT/exitbench.N.json are read in run order when no
file is named; bad input is one 'exitbench.parse: error:' line, exit 2.

With --kvm EXITBENCH (suite kvm): programs/exitbench/run makes two
fresh runs on this machine's /dev/kvm into TMP_RESULT_ROOT, and parse
turns them into lines that are checked the same way; a strategy the
kernel does not report ends run with one error line and status 1.

usage: lkp_test.py TOP [--kvm EXITBENCH]
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, skip  # noqa: E402

LINE = re.compile(r'^([A-Za-z0-9_.+-]+): (-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)$')
FIELDS = {
    'median_cycles': lambda r: r['cycles']['median'],
    'net_cycles': lambda r: r['net_median_cycles'],
    'loop_cycles': lambda r: r['overhead_cycles'],
    'p1_cycles': lambda r: r['cycles']['p1'],
    'p99_cycles': lambda r: r['cycles']['p99'],
    'median_ns': lambda r: r['ns']['median'],
}


def load(path):
    with (gzip.open if path.endswith('.gz') else open)(path, 'rt') as f:
        return json.load(f)


def row_names(doc):
    """name -> [rows] (interleaved files repeat a name per round)."""
    out = {}
    for r in doc['results']:
        n = r['test']
        if r.get('apx', 'off') != 'off':
            n += '.apx-' + r['apx']
        if r.get('xcr0', 'host') != 'host':
            n += '.xcr0-' + r['xcr0']
        if r.get('strategy'):
            n += '.' + r['strategy']
        out.setdefault(n, []).append(r)
    return out


def parse(top, args, env=None):
    prog = os.path.join(top, 'contrib', 'lkp-tests', 'programs',
                        'exitbench', 'parse')
    return subprocess.run([prog] + args, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)


def check_one(top, path, lines, what):
    """lines: parse's output for this one file."""
    names = row_names(load(path))
    seen = {}
    for line in lines:
        m = LINE.match(line)
        if not check(m, f'{what}: lkp format: {line!r}'):
            continue
        key, val = m.group(1), float(m.group(2))
        seen[key] = seen.get(key, 0) + 1
        name, metric = key.rsplit('.', 1)
        rows = names.get(name)
        if not check(rows, f'{what}: {key}: a row named {name}'):
            continue
        # Rows sharing a name (rounds) are printed in file order.
        r = rows[(seen[key] - 1) % len(rows)]
        if metric in FIELDS:
            check(r['status'] == 'ok' and val == float(FIELDS[metric](r)),
                  f'{what}: {key} = {val}, file {FIELDS[metric](r)}')
        elif metric == 'emulated':
            check(r.get('emulated') is True and val == 1,
                  f'{what}: {key}: the row is emulated')
        elif metric in ('skip', 'fail', 'timeout'):
            want = {'skip': 'skipped', 'fail': 'failed'}.get(metric, metric)
            check(r['status'] == want and val == 1,
                  f'{what}: {key}: status {r["status"]}')
        else:
            check(False, f'{what}: {key}: unknown metric')
    for name, rows in names.items():
        for r in rows:
            if r['status'] == 'ok':
                check(seen.get(name + '.median_cycles', 0) == len(rows),
                      f'{what}: {name}.median_cycles once per row')
            if r['status'] == 'skipped':
                check(not any(k.startswith(name + '.') and
                              k.endswith('_cycles') for k in seen),
                      f'{what}: skipped {name}: no cycles')
    return seen


def files_mode(top):
    ref = os.path.join(top, 'results', 'reference')
    files = [os.path.join(ref, f) for f in
             ('pvm-a.json.gz', 'pvm-b.json.gz', 'tcg-switchable.json.gz')]
    per = {}
    for f in files:
        p = parse(top, [f])
        check(p.returncode == 0 and not p.stderr,
              f'parse {f}: exit 0, quiet ({p.returncode}: {p.stderr})')
        per[f] = p.stdout.splitlines()
        check(per[f], f'parse {f}: lines')
        seen = check_one(top, f, per[f], os.path.basename(f))
        print(f'{os.path.basename(f)}: {len(per[f])} lines, '
              f'{len(seen)} keys checked')
    skipped = [k for k in per[files[0]] if k.endswith('.skip: 1')]
    check(skipped, 'pvm-a has a skipped test (hypercall) and says so')
    check(any(line.endswith('.emulated: 1') for line in per[files[0]]),
          'pvm-a\'s emulated CPL0 rows say so')

    # Repeated runs through RESULT_ROOT, in run order (2 before 10).
    root = tempfile.mkdtemp(prefix='lab-lkp-')
    try:
        shutil.copy(files[1], os.path.join(root, 'exitbench.10.json.gz'))
        shutil.copy(files[0], os.path.join(root, 'exitbench.2.json.gz'))
        p = parse(top, [], dict(os.environ, RESULT_ROOT=root))
        check(p.returncode == 0 and
              p.stdout.splitlines() == per[files[0]] + per[files[1]],
              'RESULT_ROOT: runs 2 and 10, in that order, each key once per run')
        bad = os.path.join(root, 'exitbench.3.json')
        with open(bad, 'w') as f:
            json.dump({'schema': 'something-else/1'}, f)
        for args, env in (([bad], None), ([os.path.join(root, 'none.json')], None),
                          ([], {k: v for k, v in os.environ.items()
                                if k != 'RESULT_ROOT'})):
            p = parse(top, args, env)
            err = p.stderr.strip().splitlines()
            check(p.returncode == 2 and len(err) == 1 and
                  err[0].startswith('exitbench.parse: error: ') and not p.stdout,
                  f'parse {args}: exit 2, one error line ({p.returncode}: {p.stderr!r})')
    finally:
        shutil.rmtree(root)


def kvm_mode(top, bench):
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        skip('/dev/kvm is not usable here')
    run = os.path.join(top, 'contrib', 'lkp-tests', 'programs', 'exitbench', 'run')
    tmp = tempfile.mkdtemp(prefix='lab-lkp-run-')
    try:
        env = {k: v for k, v in os.environ.items() if k != 'LKP_SRC'}
        env.update(TMP_RESULT_ROOT=tmp, exitbench_bin=bench, runs='2',
                   test='nop,pio_kernel,hypercall', samples='300')
        p = subprocess.run([run], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        check(p.returncode == 0, f'run: exit 0 ({p.returncode}): {p.stdout[-500:]}')
        files = [os.path.join(tmp, f'exitbench.{i}.json') for i in (1, 2)]
        check(all(os.path.isfile(f) for f in files), 'run: two results files')
        if all(os.path.isfile(f) for f in files):
            p = parse(top, [], dict(os.environ, RESULT_ROOT=tmp))
            check(p.returncode == 0, f'parse: exit 0 ({p.stderr})')
            out = p.stdout.splitlines()
            n1 = len([x for x in parse(top, [files[0]]).stdout.splitlines()])
            check_one(top, files[0], out[:n1], 'fresh run 1')
            check_one(top, files[1], out[n1:], 'fresh run 2')
            check(sum(line.startswith('pio_kernel.median_cycles: ')
                      for line in out) == 2,
                  'pio_kernel.median_cycles once per run')
            print(f'fresh runs: {len(out)} lines checked')
        env.update(strategy='no-such-strategy', runs='1')
        p = subprocess.run([run], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        lines = p.stdout.strip().splitlines()
        check(p.returncode == 1 and len(lines) == 1 and
              lines[0].startswith('exitbench: error: the kernel reports strategy'),
              f'run with a strategy the kernel lacks: one error line, exit 1 '
              f'({p.returncode}: {p.stdout!r})')
    finally:
        shutil.rmtree(tmp)


def main(argv):
    if len(argv) == 2:
        files_mode(argv[1])
    elif len(argv) == 4 and argv[2] == '--kvm':
        kvm_mode(argv[1], argv[3])
    else:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    return finish()


if __name__ == '__main__':
    sys.exit(main(sys.argv))

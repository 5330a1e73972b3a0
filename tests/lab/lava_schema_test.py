#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validate contrib/lava with LAVA's own schemas (Debian's lava-common):
the test definition (lava_common.schemas.test.testdef), every job
template (lava_common.schemas.validate, strict, as lava-server does on
submission) and the device dictionary lava-run uses.  Then what the
schemas leave out: a job's test definition path exists in the tree and
every parameter a job sets is one the definition declares (LAVA would
pass an unknown one silently).  Broken copies must be refused, so the
validation is known to bite.

usage: lava_schema_test.py TOP
"""
import copy
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, skip  # noqa: E402

try:
    import yaml
    import voluptuous
    from lava_common import schemas
    from lava_common.schemas import device as device_schema
    from lava_common.schemas.test import testdef as testdef_schema
except ImportError as e:
    skip(f"LAVA's schemas are not importable ({e}): "
         "apt-get install lava-common (python3 /usr/bin/python3)")


def valid(fn, data):
    try:
        fn(data)
        return None
    except voluptuous.Invalid as e:
        return str(e)


def main(top):
    lava = os.path.join(top, 'contrib', 'lava')
    with open(os.path.join(lava, 'exitbench.yaml')) as f:
        tdef = yaml.safe_load(f)
    err = valid(testdef_schema.validate, tdef)
    check(err is None, f'exitbench.yaml: {err}')
    declared = set(tdef.get('params', {}))
    check('REPEAT' in declared and tdef['params']['REPEAT'] == '',
          'REPEAT is declared and unset by default')

    jobs = sorted(glob.glob(os.path.join(lava, 'jobs', '*.yaml')))
    check(len(jobs) >= 2, f'two job templates or more, found {len(jobs)}')
    for path in jobs:
        name = os.path.basename(path)
        with open(path) as f:
            job = yaml.safe_load(f)
        err = valid(lambda d: schemas.validate(d, strict=True), job)
        check(err is None, f'{name}: {err}')
        print(f'{name}: {"valid" if err is None else err}')
        for action in job['actions']:
            for d in action.get('test', {}).get('definitions', []):
                check(os.path.isfile(os.path.join(top, d['path'])),
                      f'{name}: definition {d["path"]} exists')
                unknown = set(d.get('parameters', {})) - declared
                check(not unknown, f'{name}: parameters {sorted(unknown)} '
                      'are not declared in exitbench.yaml')

    with open(os.path.join(lava, 'qemu', 'device.yaml')) as f:
        dev = yaml.safe_load(f)
    err = valid(device_schema.validate, dev)
    check(err is None, f'qemu/device.yaml: {err}')

    # The schemas must refuse broken copies, or the checks above say
    # nothing.
    with open(jobs[0]) as f:
        job = yaml.safe_load(f)
    bad = copy.deepcopy(job)
    del bad['timeouts']
    check(valid(lambda d: schemas.validate(d, strict=True), bad),
          'a job without timeouts is refused')
    bad = copy.deepcopy(job)
    bad['actions'][-1]['test']['definitions'][0]['name'] = 'no spaces'
    check(valid(lambda d: schemas.validate(d, strict=True), bad),
          'a definition name with a space is refused')
    bad = copy.deepcopy(tdef)
    bad['metadata']['format'] = 'Lava-Test Test Definition 2.0'
    check(valid(testdef_schema.validate, bad),
          'a test definition with a wrong format is refused')
    return finish()


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""contrib/ci/gitlab-ci.yml (README "A GitLab CI job"): the file is valid
YAML with the jobs the README describes, the JUnit is a report of the
gate job, every exitbench option it uses exists, and the gate job's own
script, run by bash on synthetic runs, fails on a regression, passes an
A/A pair and writes JUnit that parses.

Usage: gitlab_ci_test.py EXITBENCH MKRESULTS CI_YML
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from checks import check, finish

EXITBENCH, MKRESULTS, YML = map(os.path.abspath, sys.argv[1:4])


def main():
    try:
        import yaml
    except ImportError:
        print("SKIP: python3-yaml is not installed")
        return 77
    with open(YML) as f:
        doc = yaml.safe_load(f)
    for job in ("exitbench:baseline", "exitbench:candidate", "exitbench:gate"):
        check(job in doc, f"job {job} defined")
    gate = doc["exitbench:gate"]
    check(gate["artifacts"]["reports"]["junit"] == "gate.xml" and
          gate["artifacts"]["when"] == "always",
          "the gate's JUnit is shown by GitLab, also when the job fails")
    check(doc["exitbench:baseline"]["artifacts"]["expire_in"] == "never",
          "the baseline is kept as an artifact")
    check(int(doc["variables"]["RUNS"]) >= 2,
          "at least 2 runs per side (fewer is unresolved)")
    check(doc[".exitbench-runner"]["tags"] == ["exitbench-pinned"],
          "measurements run on the pinned runner")

    # Every option of every exitbench command line exists in its --help.
    for job in ("exitbench:baseline", "exitbench:candidate", "exitbench:gate"):
        for line in doc[job]["script"]:
            m = re.search(r"\$EXITBENCH (\w+)(.*)", line, re.S)
            if not m:
                continue
            helptext = subprocess.run([EXITBENCH, m.group(1), "--help"],
                                      capture_output=True, text=True).stdout
            for opt in re.findall(r"(--[a-z-]+)", m.group(2)):
                check(opt in helptext, f"{job}: {m.group(1)} {opt} exists")

    d = tempfile.mkdtemp(prefix="eb-gitlab-")
    try:
        mk = lambda name, *a: subprocess.run(
            [MKRESULTS, name, "--runs", "4", *a], cwd=d, check=True)
        mk("baseline.json", "--seed", "1", "--emulated", "hlt")
        mk("slow.json", "--seed", "2", "--strategy", "cond-swap",
           "--shift", "cpuid=40", "--emulated", "hlt", "--shift", "hlt=3000")
        mk("same.json", "--seed", "3", "--strategy", "cond-swap",
           "--emulated", "hlt")
        env = dict(os.environ, **{k: str(v) for k, v in doc["variables"].items()})
        env["EXITBENCH"] = EXITBENCH

        def gate_job(cand, **extra):
            shutil.copy(os.path.join(d, cand), os.path.join(d, "candidate.json"))
            if os.path.exists(os.path.join(d, "gate.xml")):
                os.unlink(os.path.join(d, "gate.xml"))
            script = "set -eu\n" + "\n".join(gate["script"])
            return subprocess.run(["bash", "-c", script], cwd=d, text=True,
                                  capture_output=True, env=dict(env, **extra))

        p = gate_job("slow.json")
        check(p.returncode == 1, f"regression fails the job: {p.returncode} "
              f"{p.stdout} {p.stderr}")
        suite = ET.parse(os.path.join(d, "gate.xml")).getroot()[0]
        names = [tc.get("name") for tc in suite.iter("testcase")]
        check(names and not any(n.startswith("hlt") for n in names),
              f"--skip-emulated leaves the emulated hlt out: {names}")
        check(suite.get("failures") == "3", "junit: the 3 cpuid rows fail")
        p = gate_job("same.json")
        check(p.returncode == 0, f"A/A passes: {p.returncode} {p.stderr}")
        p = gate_job("slow.json", GATE_EXCLUDE="cpuid")
        check(p.returncode == 0, f"GATE_EXCLUDE=cpuid passes: {p.stderr}")
        p = gate_job("slow.json", GATE_TESTS="cpuid,pio-user")
        suite = ET.parse(os.path.join(d, "gate.xml")).getroot()[0]
        check(p.returncode == 1 and suite.get("tests") == "4",
              f"GATE_TESTS selects 4 rows: {suite.get('tests')}")
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())

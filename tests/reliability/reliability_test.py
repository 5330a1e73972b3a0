#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""What README.md's "Reliability: what is guaranteed" promises for output
files, interruptions, arguments and CPU locks (issue 16), one case each.

usage: reliability_test.py EXITBENCH REFERENCE_DIR CASE

Cases without KVM (suite cli): paths, stdout, replace, interrupt,
loader-temp, enospc-compare, numbers, args.  With /dev/kvm (suite kvm):
run-out, enospc-run, interrupt-run, cpulock.
"""
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

EXE = os.path.abspath(sys.argv[1])
REF = os.path.abspath(sys.argv[2])
CASE = sys.argv[3]
BASE = os.path.join(REF, "pvm-a.json.gz")
CAND = os.path.join(REF, "pvm-b.json.gz")
PAUSE = "EXITBENCH_TEST_PAUSE_BEFORE_LINK"
NO_TMPFILE = "EXITBENCH_TEST_NO_TMPFILE"
# Generous: the 2-core machine may be loaded by other builds.
SLOW = 120


def env_with(extra=None, drop=()):
    e = dict(os.environ)
    for k in drop:
        e.pop(k, None)
    e.update(extra or {})
    return e


def run(*args, env=None, cwd=None, drop=()):
    return subprocess.run([EXE, *args], capture_output=True, env=env_with(env, drop),
                          cwd=cwd, timeout=SLOW)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def err_lines(p):
    return p.stderr.decode(errors="replace").strip().splitlines()


def one_line_error(p, status, *needles, stdout_ok=False):
    lines = err_lines(p)
    if p.returncode != status:
        fail(f"exit status {p.returncode}, want {status}; stderr={lines!r}")
    if len(lines) != 1 or not lines[0].startswith("exitbench: error: "):
        fail(f"want one 'exitbench: error:' line, got {lines!r}")
    for n in needles:
        if n not in lines[0]:
            fail(f"{n!r} not in {lines[0]!r}")
    if p.stdout and not stdout_ok:
        fail(f"unexpected stdout: {p.stdout[:200]!r}")
    return lines[0]


def listing(d):
    return sorted(os.listdir(d))


def need_kvm():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip("needs a usable /dev/kvm")


def is_results(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    return doc.get("schema", "").startswith("exitbench-")


# ---- output paths -------------------------------------------------------

def special_targets(d):
    """Name -> (path, check-unchanged) for every kind of path refused."""
    t = {}
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    t["FIFO"] = (fifo, lambda: stat.S_ISFIFO(os.lstat(fifo).st_mode))
    dev = os.path.join(d, "null")
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        t["character device"] = (dev, lambda: stat.S_ISCHR(os.lstat(dev).st_mode))
    except PermissionError:
        print("note: mknod not permitted; character device case left out")
    victim = os.path.join(d, "victim.txt")
    with open(victim, "w") as f:
        f.write("precious\n")
    link = os.path.join(d, "link")
    os.symlink("victim.txt", link)
    t["symbolic link"] = (link, lambda: os.readlink(link) == "victim.txt" and
                          open(victim).read() == "precious\n")
    dangling = os.path.join(d, "dangling")
    os.symlink("nowhere.txt", dangling)
    t["symbolic link "] = (dangling, lambda: os.path.islink(dangling) and
                           not os.path.exists(os.path.join(d, "nowhere.txt")))
    sub = os.path.join(d, "sub")
    os.mkdir(sub)
    t["directory"] = (sub, lambda: os.path.isdir(sub) and not os.listdir(sub))
    t["directory "] = (sub + "/", lambda: not os.listdir(sub))
    return t


def refusals(d, targets):
    """(output path, expected words) that must be refused."""
    cases = [(p, [kind.strip()]) for kind, (p, _) in targets.items()]
    cases[-1] = (cases[-1][0], ["names a directory"])
    cases += [
        ("", ["empty output path"]),
        (os.path.join(d, "x" * 300), ["file name too long"]),
        (os.path.join(d, *(["y" * 200] * 25), "r.json"), ["output path too long"]),
        (os.path.join(d, "no", "such", "r.json"), ["does not exist"]),
        ("/proc/exitbench-test.out", ["cannot create a file in /proc"]),
    ]
    return cases


def case_paths():
    with tempfile.TemporaryDirectory() as d:
        checks = special_targets(d)
        before = listing(d)
        for path, words in refusals(d, checks):
            for args in (["compare", "-o", path, BASE, CAND],
                         ["gate", "-b", BASE, "-c", CAND, "--junit", path]):
                one_line_error(run(*args), 2, *words)
        for kind, (path, unchanged) in checks.items():
            if not unchanged():
                fail(f"the {kind.strip()} {path} was changed")
        if listing(d) != before:
            fail(f"files appeared: {set(listing(d)) - set(before)}")
        # plot writes its .dat and .gp files the same way.
        plots = os.path.join(d, "plots")
        os.mkdir(plots)
        os.symlink("../victim.txt", os.path.join(plots, "overview.dat"))
        p = run("plot", "--no-render", "--out", plots, BASE, CAND)
        line = err_lines(p)[-1] if err_lines(p) else ""
        if p.returncode == 0 or "overview.dat: is a symbolic link" not in line:
            fail(f"plot wrote through a symlink: {p.returncode} {err_lines(p)}")
        if not checks["symbolic link"][1]():
            fail("plot changed the file a symlink points to")
        print(f"paths ok: {len(refusals(d, checks))} kinds refused by compare -o and "
              "gate --junit, a symlink by plot")


def case_stdout():
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "c.txt")
        p = run("compare", "-o", f, BASE, CAND)
        q = run("compare", "-o", "-", BASE, CAND, cwd=d)
        if p.returncode or q.returncode or q.stdout != open(f, "rb").read():
            fail(f"compare -o - differs from -o FILE: {q.returncode} {err_lines(q)}")
        g = run("gate", "-b", BASE, "-c", CAND, "--junit", "-", cwd=d)
        # single runs: exit 2, unresolved (the run-level statistics)
        if g.returncode not in (0, 1, 2) or not g.stdout.startswith(b"<?xml"):
            fail(f"gate --junit - did not put JUnit on stdout: {g.stdout[:80]!r}")
        if not any(l.startswith("exitbench gate:") for l in err_lines(g)):
            fail(f"gate --junit -: the summary is not on stderr: {err_lines(g)}")
        if listing(d) != ["c.txt"]:
            fail(f"'-' created files: {listing(d)}")
        print("stdout ok: compare -o - and gate --junit - write to stdout, no file '-'")


def case_replace():
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "c.json")
        with open(f, "w") as o:
            o.write("old\n")
        ino = os.stat(f).st_ino
        for tmpfile in ("0", "1"):
            p = run("compare", "--format", "json", "-o", f, BASE, CAND,
                    env={NO_TMPFILE: tmpfile})
            if p.returncode:
                fail(f"compare -o over a regular file: {err_lines(p)}")
            json.load(open(f))
            if os.stat(f).st_ino == ino:
                fail("the file was rewritten in place, not replaced")
            ino = os.stat(f).st_ino
        if listing(d) != ["c.json"]:
            fail(f"left behind: {listing(d)}")
        print("replace ok: a regular file is replaced by rename, with and without O_TMPFILE")


SIGS = [signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT,
        signal.SIGPIPE, signal.SIGUSR2, signal.SIGALRM, signal.SIGKILL]


def default_signals():
    # Whatever the harness ignores (nohup, a CI runner), the child must not.
    for sig in SIGS[:-1]:
        signal.signal(sig, signal.SIG_DFL)


def start_paused(args, env, cwd):
    """Start exitbench with the pause hook; return it once it pauses."""
    p = subprocess.Popen([EXE, *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env_with(env), cwd=cwd,
                         preexec_fn=default_signals)
    deadline = time.monotonic() + SLOW
    line = b""
    while b"pausing" not in line:
        line = p.stderr.readline()
        if not line and p.poll() is not None:
            fail(f"{args[0]} ended before pausing: {p.returncode}")
        if time.monotonic() > deadline:
            p.kill()
            fail(f"{args[0]} never paused")
    return p


def interrupt(args_for, what):
    """Kill a writer paused before linking: nothing complete may be left."""
    sigs = SIGS
    for tmpfile in ("0", "1"):
        for sig in sigs:
            with tempfile.TemporaryDirectory() as d:
                target = os.path.join(d, "out.json")
                with open(target, "w") as o:
                    o.write("old\n")
                p = start_paused(args_for(target), {PAUSE: "60", NO_TMPFILE: tmpfile}, d)
                p.send_signal(sig)
                p.wait(timeout=SLOW)
                p.stderr.close()
                if p.returncode != -sig:
                    fail(f"{what}, {sig.name}: exit {p.returncode}, want -{int(sig)}")
                if open(target).read() != "old\n":
                    fail(f"{what}, {sig.name}: the target was replaced")
                left = [f for f in listing(d) if f != "out.json"]
                if tmpfile == "0" or sig != signal.SIGKILL:
                    how = "without" if tmpfile == "1" else "with"
                    if left:
                        fail(f"{what}, {sig.name}, {how} O_TMPFILE: left {left}")
                    continue
                # SIGKILL with a named temporary: it stays, and is refused.
                if len(left) != 1 or not left[0].startswith(".exitbench-tmp."):
                    fail(f"{what}, SIGKILL without O_TMPFILE: left {left}")
                tmp = os.path.join(d, left[0])
                for path in (tmp, os.path.join(d, "renamed.json")):
                    if path != tmp:
                        os.rename(tmp, path)
                    one_line_error(run("show", path), 2, "unfinished exitbench temporary")
                    try:
                        json.load(open(path, "rb"))
                        fail(f"{what}: a killed writer's temporary parses as JSON")
                    except ValueError:
                        pass
    print(f"interrupt ok: {what}: {len(sigs)} signals x O_TMPFILE on/off")


def case_interrupt():
    interrupt(lambda t: ["compare", "--format", "json", "-o", t, BASE, CAND],
              "compare -o")


def case_loader_temp():
    with tempfile.TemporaryDirectory() as d:
        doc = subprocess.run(["gzip", "-dc", BASE], capture_output=True,
                             check=True).stdout
        for name in ("x.json.tmp.AbC123", ".exitbench-tmp.123.0"):
            with open(os.path.join(d, name), "wb") as o:
                o.write(doc)
            one_line_error(run("show", os.path.join(d, name)), 2,
                           "unfinished exitbench temporary", "its name")
        nul = os.path.join(d, "nul.json")
        with open(nul, "wb") as o:
            o.write(b"\0" + doc[1:])
        one_line_error(run("show", nul), 2, "begins with a NUL byte")
        ok = os.path.join(d, "ok.json")
        with open(ok, "wb") as o:
            o.write(doc)
        if run("show", ok).returncode:
            fail("the same content under an ordinary name was refused")
        print("loader-temp ok: refused by name (two patterns) and by content")


def tiny_tmpfs(d):
    """A 16 KiB tmpfs at @d, filled; skips where mounting is not allowed."""
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", d],
                       capture_output=True, text=True)
    if p.returncode:
        skip(f"cannot mount a tmpfs to fill ({p.stderr.strip()})")
    try:
        with open(os.path.join(d, "fill"), "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass


def with_full_disk(body):
    with tempfile.TemporaryDirectory() as d:
        tiny_tmpfs(d)
        try:
            body(d)
        finally:
            subprocess.run(["umount", d], check=False)


def case_enospc_compare():
    def body(d):
        out = os.path.join(d, "c.json")
        one_line_error(run("compare", "--format", "json", "-o", out, BASE, CAND),
                       1, "No space left on device")
        if listing(d) != ["fill"]:
            fail(f"left on the full disk: {listing(d)}")
    with_full_disk(body)
    print("enospc-compare ok: 'No space left on device', nothing left")


def case_numbers():
    bad = {"--samples": ["010", "0x10", " 5", "+5", "5 ", "-1", "1e3", ""],
           "--warmup": ["00", "07"], "--batch": ["08"], "--seed": ["010", "-1"],
           "--rounds": ["02"], "--cpu": ["01", "+1", " 1", "0x1"],
           "--timeout": ["0x10", "inf", " 5", "nan"],
           "--precision": ["0x1p-4%", " 1%"], "--max-time": ["1e400"]}
    for opt, values in bad.items():
        for v in values:
            one_line_error(run("run", opt, v, "--kvm-dev", "/nonexistent"), 2, opt)
    for opt, v in (("--trials", "010"), ("--blocks", "010"),
                   ("--block-samples", "0100"), ("--cpu", "01")):
        one_line_error(run("selftest", opt, v, "--kvm-dev", "/nonexistent"), 2, opt)
    # Accepted forms reach the next step (here: the missing KVM device).
    for opt, v in (("--samples", "10"), ("--seed", "0x10"), ("--seed", "0"),
                   ("--timeout", "2.5"), ("--cpu", "0"), ("--warmup", "0")):
        p = run("run", opt, v, "--kvm-dev", "/nonexistent", "--out", "-")
        if p.returncode == 2 and opt in p.stderr.decode():
            fail(f"{opt} {v} refused: {err_lines(p)}")
    # --raw beyond what a results file may hold (the loader's bound):
    # refused before measuring, not written and then refused by show.
    one_line_error(run("run", "--raw", "--samples", "1000000",
                       "--kvm-dev", "/nonexistent"), 2, "more than the")
    print("numbers ok: leading zeros, signs, spaces, hex, inf/nan refused")


def case_args():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        one_line_error(run("run", "--tests", "nop,nop", "--out", out), 2,
                       "'nop' given twice")
        one_line_error(run("run", "--tests", "pio_user,nop,pio_user", "--out", out),
                       2, "'pio_user' given twice")
        one_line_error(run("selftest", "--tests", "cpuid,cpuid", "--out", out), 2,
                       "'cpuid' given twice")
        bad = os.fsencode(d) + b"/r\xff.json"
        for args, needle in (([b"--kvm-dev", b"/dev/kvm\xff"], "--kvm-dev"),
                             ([b"--out", bad], "--out"),
                             ([b"--out=" + bad], "--out"),
                             ([b"--events", b"cycles\xc0\x80"], "--events")):
            p = subprocess.run([os.fsencode(EXE), b"run", b"--tests", b"nop",
                                *args], capture_output=True, timeout=SLOW, cwd=d)
            one_line_error(p, 2, needle, "not valid UTF-8")
        p = subprocess.run([EXE, "run", "--tests", "nop", "--out", out],
                           capture_output=True, timeout=SLOW,
                           env=env_with({"EXITBENCH_KVM_DEV": "/dev/kvm\udcff"}))
        one_line_error(p, 2, "KVM device path", "not valid UTF-8")
        if listing(d):
            fail(f"files left: {listing(d)}")
        print("args ok: duplicate tests and non-UTF-8 arguments refused, no file")


# ---- with KVM -------------------------------------------------------------

RUN = ["run", "--tests", "nop", "--samples", "50", "--warmup", "10", "--cpu", "none"]


def case_run_out():
    need_kvm()
    with tempfile.TemporaryDirectory() as d:
        checks = special_targets(d)
        for path, words in refusals(d, checks):
            # Refused before any VM exists: no table, nothing measured.
            one_line_error(run(*RUN, "--out", path), 2, *words)
            one_line_error(run("selftest", "--out", path), 2, *words)
        for kind, (path, unchanged) in checks.items():
            if not unchanged():
                fail(f"run changed the {kind.strip()} {path}")
        p = run(*RUN, "--out", "-", cwd=d)
        if p.returncode:
            fail(f"run --out -: {err_lines(p)}")
        doc = json.loads(p.stdout)
        if "config" not in doc or doc["config"]["tests"] != ["nop"]:
            fail(f"run --out -: no config: {sorted(doc)}")
        if "results: -" not in p.stderr.decode():
            fail("run --out -: the table did not go to stderr")
        if os.path.exists(os.path.join(d, "-")):
            fail("run --out - created a file named '-'")
        out = os.path.join(d, "r.json")
        with open(out, "w") as o:
            o.write("old\n")
        p = run(*RUN, "--out", out)
        if p.returncode or not is_results(out):
            fail(f"run --out over a regular file: {err_lines(p)}")
        print("run-out ok: refusals before measuring, '-' is stdout, replace works")


def case_enospc_run():
    need_kvm()

    def body(d):
        p = run(*RUN, "--raw", "--out", os.path.join(d, "r.json"))
        lines = [l for l in err_lines(p) if "error" in l]
        if p.returncode != 1 or len(lines) != 1 or \
                "No space left on device" not in lines[0]:
            fail(f"run on a full disk: {p.returncode} {lines}")
        if listing(d) != ["fill"]:
            fail(f"left on the full disk: {listing(d)}")
    with_full_disk(body)
    print("enospc-run ok: 'No space left on device', nothing left")


def case_interrupt_run():
    need_kvm()
    interrupt(lambda t: [*RUN, "--out", t], "run --out")


def online_cpus():
    return sorted(os.sched_getaffinity(0))


def case_cpulock():
    need_kvm()
    with tempfile.TemporaryDirectory() as d:
        locks = os.path.join(d, "locks")
        env = {"EXITBENCH_LOCK_DIR": locks}
        drop = ("EXITBENCH_WAIT",)
        cpu = str(online_cpus()[-1])
        base = ["run", "--tests", "nop", "--samples", "50", "--warmup", "10"]
        os.environ.pop("EXITBENCH_WAIT", None)
        h = start_paused([*base, "--cpu", cpu, "--out", os.path.join(d, "h.json")],
                         {**env, PAUSE: "300"}, d)
        try:
            one_line_error(run(*base, "--cpu", cpu, "--out", os.path.join(d, "b.json"),
                                     env=env, drop=drop), 2,
                                 f"CPU {cpu} is in use by another exitbench",
                                 f"pid {h.pid} (exitbench run", "--wait")
            one_line_error(run("selftest", "--cpu", cpu, "--tests", "cpuid",
                               env=env, drop=drop), 2, f"pid {h.pid}")
            # auto passes over the held CPU, or refuses when it is the only one.
            p = run(*base, "--cpu", "auto", "--out", os.path.join(d, "a.json"),
                    env=env, drop=drop)
            if len(online_cpus()) > 1:
                pl = json.load(open(os.path.join(d, "a.json")))["noise"]["placement"]
                if p.returncode or str(pl["cpu"]) == cpu:
                    fail(f"--cpu auto took the held CPU {cpu}: {pl}")
                if pl["cpu_lock"]["path"] != os.path.join(locks, f"cpu{pl['cpu']}.lock"):
                    fail(f"cpu_lock not recorded: {pl}")
            else:
                one_line_error(p, 2, "every allowed CPU is in use")
            # --cpu none takes no lock.
            p = run(*base, "--cpu", "none", "--out", os.path.join(d, "n.json"),
                    env=env, drop=drop)
            if p.returncode:
                fail(f"--cpu none refused: {err_lines(p)}")
            # --wait blocks until the holder dies (SIGKILL: the kernel drops it).
            w = subprocess.Popen([EXE, *base, "--cpu", cpu, "--wait", "--out",
                                  os.path.join(d, "w.json")], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=env_with(env, drop))
            line = ""
            for _ in range(10):
                line = w.stderr.readline().decode()
                if not line or "waiting (--wait)" in line:
                    break
            if "waiting (--wait)" not in line or f"pid {h.pid}" not in line:
                fail(f"--wait did not say whom it waits for: {line!r}")
            time.sleep(1)
            if w.poll() is not None:
                fail("--wait did not wait")
        finally:
            h.kill()
            h.wait()
        w.stderr.read()
        if w.wait(timeout=SLOW):
            fail(f"the waiting run failed: {w.returncode}")
        if os.path.exists(os.path.join(d, "h.json")):
            fail("the killed holder's results appeared")
        p = run(*base, "--cpu", cpu, "--out", os.path.join(d, "c.json"), env=env, drop=drop)
        if p.returncode:
            fail(f"the lock outlived its holder: {err_lines(p)}")
        print(f"cpulock ok: CPU {cpu}: refused naming pid {h.pid}, auto passes over, "
              "none and --wait work, the lock dies with its holder")


CASES = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        fail(f"unknown case {CASE}")
    CASES[CASE]()

# SPDX-License-Identifier: GPL-2.0-only
"""What the tests/lab scripts share: counted checks (one line per
failure, a summary, the exit status) and the meson skip status."""
import sys

SKIP = 77
failures = 0


def check(cond, what):
    """Record one assertion; a failed one prints 'FAIL: what'."""
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}")
    return cond


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def finish():
    """The summary line and the exit status (1 if any check failed)."""
    if failures:
        print(f"{failures} check(s) failed")
        return 1
    print("all checks passed")
    return 0

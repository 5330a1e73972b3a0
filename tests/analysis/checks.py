# SPDX-License-Identifier: GPL-2.0-only
"""What every analysis test script shares: it counts failed checks, prints
each failure on one line, and ends with a summary and its exit status."""

failures = 0


def check(cond, what):
    """Record one assertion; a failed one prints 'FAIL: what'."""
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}")


def finish():
    """The summary line and the script's exit status (1 if any check failed)."""
    if failures:
        print(f"{failures} check(s) failed")
        return 1
    print("all checks passed")
    return 0

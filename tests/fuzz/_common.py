"""Shared bits of the fuzz harnesses: atheris setup and the finding rules.

FUZZ_AVOID_KNOWN=1 makes the harnesses steer around the defects this
fuzzing already reported (RESULTS.md F1-F3), so a long run can look past
them; CI leaves it unset, so a reported defect that is still there fails
the stage.  (The ../shared/repros defects are fixed on main and are not
steered around.)
"""
import os
import sys

import atheris

AVOID_KNOWN = os.environ.get("FUZZ_AVOID_KNOWN") == "1"  # also steers around RESULTS.md findings

# The exceptions a hostile input may cleanly raise; anything else (SystemError,
# AssertionError from _debug_info, a crash) is a finding.
CLEAN = (ValueError, TypeError, OverflowError, MemoryError, NotImplementedError)


class Finding(AssertionError):
    """Raised by a harness for a wrong result; atheris reports it as a crash."""


def check_invariants(obj):
    """obj._debug_info() (and each column's, for a Table) must not raise."""
    info = getattr(obj, "_debug_info", None)
    if info is not None:
        try:
            info()
        except Exception as e:  # noqa: BLE001 -- any failure is the finding
            raise Finding(f"{type(obj).__name__}._debug_info(): {e!r}") from e
    for col in getattr(obj, "_columns", ()) or ():
        check_invariants(col)


def main(test_one_input):
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

"""Shared test setup.  Tests import the *installed* compactcol (never the
source folder); the header says which one was imported."""

import os

import compactcol
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
# Under the sanitizers everything runs ~10x slower: fewer examples.
settings.register_profile("sanitize", max_examples=25, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header(config):
    return f"compactcol {compactcol.__version__} from {os.path.dirname(compactcol.__file__)}"


# ---- shared helpers for the Array tests -------------------------------------
# tests/ is not a package and runs under --import-mode=importlib, so helpers
# cannot be imported from a module; they are handed out as fixtures.

import pytest  # noqa: E402


def _snapshot(a):
    """Everything "unchanged" means (BAD_INPUTS.md): contents (with value
    types), dtype, validity bitmap and length; checks the invariants too."""
    a._debug_info()
    items = [(type(x).__name__, repr(x)) for x in a]
    return items, a.dtype, a._validity(), len(a)


@pytest.fixture
def snapshot():
    """snapshot(a) -> a comparable picture of the array's observable state."""
    return _snapshot


@pytest.fixture
def assert_unchanged():
    """assert_unchanged(a, before): a is exactly as `before` (a snapshot)."""
    def check(a, before):
        after = _snapshot(a)
        assert after == before, f"array changed by a failed operation: {before} -> {after}"
    return check


@pytest.fixture(autouse=True)
def _never_leave_allocation_failures_armed():
    """A test that arms _debug_fail_alloc must disarm it; this makes sure a
    forgotten or interrupted one cannot leak into the next test."""
    yield
    compactcol._core._debug_fail_alloc(0)


# ---- CI installs every optional peer: a test skipped for a missing one fails the run ----
# Locally, tests that need pyarrow / pandas / polars / duckdb / dask skip
# cleanly when the package is missing; under CI=true (set by the CI runner)
# such a skip means .ci/run's install step lost a package, so it counts.

_missing_peers = []


def _note_missing_peer(report):
    if report.skipped and os.environ.get("CI") == "true":
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "could not import" in reason:
            _missing_peers.append(f"{report.nodeid}: {reason}")


def pytest_collectreport(report):
    _note_missing_peer(report)


def pytest_runtest_logreport(report):
    _note_missing_peer(report)


def pytest_sessionfinish(session, exitstatus):
    if _missing_peers and exitstatus == 0:
        print("\nCI=true: tests skipped because an optional peer is not installed "
              "(pip install '.[test]' should bring it):")
        for line in sorted(set(_missing_peers)):
            print("  " + line)
        session.exitstatus = 1

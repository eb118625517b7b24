"""Reference-leak runner, after CPython's ``regrtest -R warmup:repeat``.

Not a test module (pytest does not collect it: the name does not match
test_*.py).  Needs a debug CPython (sys.gettotalrefcount), e.g. Debian's
python3.11-dbg, with compactcol built for it importable; .ci/refleak sets
all of that up and runs this.

For each test module, in a fresh child interpreter: import pytest, then run
the module with pytest.main() in-process ``warmup + repeat`` times.  After
every run the runner clears the caches regrtest's dash_R clears (warnings
registries, re, typing, linecache, struct, ABC caches, the type cache ...),
collects garbage and records sys.gettotalrefcount(),
sys.getallocatedblocks() and the number of open file descriptors.  The
deltas of the last ``repeat`` runs decide, with CPython's rule: references
or memory blocks leak when they grew in *every* repeat run (delta >= 1
each time); file descriptors leak when any repeat delta is non-zero.

Release-built extensions (the NumPy / pyarrow / pandas wheels) do not count
their Py_INCREF/Py_DECREF in the debug interpreter's total, so references
drift where they run (NumPy's own np.arange(10): +9 a call); where such a
package was loaded, growing references alone give "ok (refs?)" (shown, not
failed; --strict-refs fails them) and memory blocks decide.

Hypothesis runs under a profile "refleak": derandomized (same examples every
run), no example database, few examples (--examples, default 10), so every
repetition runs the same code.

    python tests/refleak.py [-R 3:3] [--examples N] [--json FILE] [--per-test] [MODULE ...]

MODULE is a test file name or stem (test_pool, test_pool.py); none = every
tests/test_*.py.  Exit status: 0 clean, 1 a leak or a failing test run,
2 usage / environment problem.
"""

import argparse
import gc
from abc import ABCMeta
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


# ---- child: one module, warmup + repeat runs ----------------------------------

def _fd_count():
    try:
        return len(os.listdir("/proc/self/fd")) - 1   # minus listdir's own fd
    except OSError:
        return 0


def _abc_snapshot():
    """The collections.abc registries before the first run (as dash_R)."""
    import collections.abc
    from inspect import isabstract
    from _abc import _get_dump
    abcs = {}
    for name in collections.abc.__all__:
        abc = getattr(collections.abc, name)
        if not isabstract(abc):
            continue
        for obj in abc.__subclasses__() + [abc]:
            if isinstance(obj, ABCMeta):   # not every subclass is an ABCMeta
                abcs[obj] = _get_dump(obj)[0]
    return abcs


_HYPOTHESIS_CACHES = [
    ("hypothesis.strategies._internal.utils", "_STRATEGY_CACHE"),
    ("hypothesis.internal.conjecture.providers", "CONSTANTS_CACHE"),
    ("hypothesis.internal.conjecture.data", "POOLED_CONSTRAINTS_CACHE"),
    # unbounded: one tag per strategy label; a strategy built inside a test
    # (data.draw(st.lists(...)) in a state machine rule) has a new label
    # each run: +60..96 refs a run in the *_model state machines
    ("hypothesis.internal.conjecture.data", "STRUCTURAL_COVERAGE_CACHE"),
    ("hypothesis.internal.lambda_sources", "LAMBDA_DIGEST_DESCRIPTION_CACHE"),
    ("hypothesis.internal.lambda_sources", "AST_LAMBDAS_CACHE"),
]


def _cleanup(saved):
    """regrtest's dash_R_cleanup + clear_caches, for the modules loaded."""
    import collections.abc
    import copyreg
    from inspect import isabstract
    filters, dispatch, pic, abcs = saved
    warnings.filters[:] = filters
    copyreg.dispatch_table.clear()
    copyreg.dispatch_table.update(dispatch)
    sys.path_importer_cache.clear()
    sys.path_importer_cache.update(pic)
    try:
        import zipimport
        zipimport._zip_directory_cache.clear()
    except ImportError:
        pass
    for name in collections.abc.__all__:
        abc = getattr(collections.abc, name)
        if not isabstract(abc):
            continue
        for obj in abc.__subclasses__() + [abc]:
            # extension types derived from an ABC (pyarrow's KeyValueMetadata
            # is a Mapping) need not be ABCMeta instances
            if not isinstance(obj, ABCMeta):
                continue
            for ref in abcs.get(obj, set()):
                if ref() is not None:
                    obj.register(ref())
            obj._abc_caches_clear()
    for mod in list(sys.modules.values()):
        if hasattr(mod, "__warningregistry__"):
            try:
                del mod.__warningregistry__
            except (AttributeError, TypeError):
                pass
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    m = sys.modules
    if "re" in m:
        m["re"].purge()
    if "_strptime" in m:
        m["_strptime"]._regex_cache.clear()
    if "urllib.parse" in m:
        m["urllib.parse"].clear_cache()
    if "linecache" in m:
        m["linecache"].clearcache()
    if "mimetypes" in m:
        m["mimetypes"]._default_mime_types()
    if "filecmp" in m:
        m["filecmp"]._cache.clear()
    if "struct" in m:
        m["struct"]._clearcache()
    if "doctest" in m:
        m["doctest"].master = None
    if "ctypes" in m:
        m["ctypes"]._reset_cache()
    if "typing" in m:
        for f in m["typing"]._cleanups:
            f()
    # Hypothesis' bounded caches (1024 strategies, ...) keep filling for
    # dozens of runs; a stateful test adds ~10 strategies per run and per
    # example: cleared like re's cache, else every state machine "leaks"
    # (a pure-Python RuleBasedStateMachine: +1440 refs per run)
    for modname, attr in _HYPOTHESIS_CACHES:
        cache = getattr(m.get(modname), attr, None)
        if cache is None:
            continue
        if hasattr(cache, "clear"):
            cache.clear()
        elif hasattr(getattr(cache, "cache", None), "clear"):
            cache.cache.clear()
    sys._clear_type_cache()
    for _ in range(3):   # support.gc_collect
        gc.collect()


class _Outcomes:
    """A pytest plugin counting the outcomes of one run."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed += 1
            if len(self.failures) < 5:
                self.failures.append(report.nodeid)
        elif report.skipped:
            self.skipped += 1
        elif report.when == "call":
            self.passed += 1

    def pytest_collectreport(self, report):
        if report.failed:
            self.failed += 1
            self.failures.append(report.nodeid or "<collection>")
        elif report.skipped:
            self.skipped += 1


def _register_profile(examples):
    from hypothesis import HealthCheck, settings
    settings.register_profile(
        "refleak", max_examples=examples, derandomize=True, database=None,
        deadline=None, print_blob=False, suppress_health_check=list(HealthCheck))
    os.environ["HYPOTHESIS_PROFILE"] = "refleak"   # tests/conftest.py loads it


# Release-built extensions (the NumPy, pyarrow, pandas wheels) do not count
# their Py_INCREF/Py_DECREF in the debug interpreter's reference total, so
# sys.gettotalrefcount() drifts wherever they create or free objects: NumPy's
# own np.arange(10) is +9 refs a call, pyarrow's own pa.array(capsules)
# round trip +6, np.asarray(ndarray) -1; memory blocks are counted right.
# Hypothesis' small native module is one too, but its drift nets to zero
# (a pure-Python state machine measures 0 refs a run).
_DRIFT_IGNORED = {"hypothesis"}


def _release_built_packages():
    import sysconfig
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    pkgs = set()
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if f.endswith((".so", ".pyd")) and not f.endswith(suffix):
            pkgs.add(name.split(".")[0])
    return sorted(pkgs - _DRIFT_IGNORED)


class _Collect:
    def __init__(self):
        self.ids = []

    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]


def child(path, warmup, repeat, examples, out, pytest_args, per_test=False):
    import pytest
    _register_profile(examples)
    base = ["-p", "no:cacheprovider", "-q", "--import-mode=importlib",
            "-p", "no:randomly", *pytest_args]
    if per_test:   # one unit per test id: collect them first
        col = _Collect()
        pytest.main([path, "--collect-only", "-qq", *base], plugins=[col])
        rootdir = os.path.dirname(os.path.dirname(path))
        # per test function: a parametrized one runs all its cases together
        funcs = list(dict.fromkeys(nodeid.split("[")[0] for nodeid in col.ids))
        units = [(nodeid, [os.path.join(rootdir, nodeid), *base]) for nodeid in funcs]
    else:
        units = [(None, [path, *base])]
    outcomes = _Outcomes()
    saved = (warnings.filters[:], __import__("copyreg").dispatch_table.copy(),
             sys.path_importer_cache.copy(), _abc_snapshot())
    getallocatedblocks = sys.getallocatedblocks
    gettotalrefcount = sys.gettotalrefcount
    quickened = getattr(sys, "_getquickenedcount", lambda: 0)
    rep_range = list(range(warmup + repeat))
    # Nothing measured may stay alive between two measurements (regrtest
    # preallocates for the same reason): each run's record goes straight to
    # the file, one JSON line, and only the last totals are kept.
    with open(out, "w") as f:
        for unit, args in units:
            _cleanup(saved)
            refs0, blocks0, fds0 = gettotalrefcount(), getallocatedblocks() - quickened(), _fd_count()
            for i in rep_range:
                outcomes.reset()
                t0 = time.monotonic()
                # a copy: pytest.main prepends the ini's addopts to the list it
                # is given, in place, which would grow it (+3 refs) every run
                rc = int(pytest.main(list(args), plugins=[outcomes]))
                secs = time.monotonic() - t0
                _cleanup(saved)
                # read immediately after the garbage collection
                blocks = getallocatedblocks() - quickened()
                refs = gettotalrefcount()
                fds = _fd_count()
                rec = {"rc": rc, "secs": round(secs, 2), "refs": refs - refs0,
                       "blocks": blocks - blocks0, "fds": fds - fds0,
                       "passed": outcomes.passed, "failed": outcomes.failed,
                       "skipped": outcomes.skipped, "failures": outcomes.failures}
                if unit:
                    rec["test"] = unit
                f.write(json.dumps(rec) + "\n")
                f.flush()
                print(f"\n[refleak] {unit or os.path.basename(path)} run {i + 1}/{len(rep_range)}: "
                      f"rc={rc} refs {rec['refs']:+d} blocks {rec['blocks']:+d} "
                      f"fds {rec['fds']:+d} ({secs:.1f}s)", flush=True)
                del rec
                refs0, blocks0, fds0 = refs, blocks, fds
        f.write(json.dumps({"meta": True, "release_exts": _release_built_packages()}) + "\n")


# ---- parent: every module in its own child, then the table ----------------------

def verdict(runs, warmup, nruns, returncode, drift=()):
    """(verdict, reasons) for one module's runs.  drift: the release-built
    extension packages loaded, which make the reference total drift."""
    if returncode == "interrupted":
        return "INTERRUPTED", [f"stopped after {len(runs)} of {nruns} runs (timeout?)"]
    if returncode != 0 or len(runs) != nruns:
        return "CRASHED", [f"the child exited with {returncode} after {len(runs)} of "
                           f"{nruns} runs (see its log)"]
    rcs = {r["rc"] for r in runs}
    if rcs <= {5} or all(r["passed"] == 0 and r["failed"] == 0 for r in runs):
        return "skipped", ["no test ran (missing optional peer?)"]
    tracked = runs[warmup:]
    reasons = []
    notes = []
    if all(r["refs"] >= 1 for r in tracked):
        if drift:
            notes.append(f"references grew {[r['refs'] for r in tracked]} but release-built "
                         f"{', '.join(drift)} ran, whose refcounting the debug total does not "
                         "see: not counted (memory blocks did not grow); --strict-refs counts it")
        else:
            reasons.append(f"leaked references {[r['refs'] for r in tracked]}")
    if all(r["blocks"] >= 1 for r in tracked):
        reasons.append(f"leaked memory blocks {[r['blocks'] for r in tracked]}")
    if any(r["fds"] for r in tracked):
        reasons.append(f"leaked file descriptors {[r['fds'] for r in tracked]}")
    failed = [r for r in runs if r["rc"] not in (0, 5)]
    if failed:
        reasons.append(f"tests failed in {len(failed)} of {len(runs)} runs: "
                       f"{', '.join(failed[0]['failures'][:3])}")
    if failed and len(reasons) == 1:
        return "TESTS FAILED", reasons
    if reasons:
        return "LEAK", reasons + notes
    return ("ok (refs?)" if notes else "ok"), notes


def _module_paths(names):
    if not names:
        return sorted(os.path.join(TESTS_DIR, f) for f in os.listdir(TESTS_DIR)
                      if f.startswith("test_") and f.endswith(".py"))
    paths = []
    for n in names:
        p = n if n.endswith(".py") else n + ".py"
        if not os.path.isabs(p) and os.path.dirname(p) == "":
            p = os.path.join(TESTS_DIR, p)
        if not os.path.isfile(p):
            sys.exit(f"refleak: no such test module: {n}")
        paths.append(os.path.abspath(p))
    return paths


def _fmt(xs):
    return "[" + ", ".join(str(x) for x in xs) + "]"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="test modules (default: all tests/test_*.py)")
    ap.add_argument("-R", dest="huntrleaks", default="3:3", metavar="WARMUP:REPEAT")
    ap.add_argument("--examples", type=int, default=10, help="Hypothesis max_examples")
    ap.add_argument("--log-dir", help="keep each module's pytest output here "
                    "(default: a temp dir, printed for modules that did not pass)")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--pytest-args", default="", help="extra pytest arguments (one string)")
    ap.add_argument("--per-test", action="store_true",
                    help="measure every test function of the modules on its own (to narrow a leak)")
    ap.add_argument("--strict-refs", action="store_true",
                    help="count growing references as a leak even where release-built "
                    "extensions (NumPy, pyarrow) ran")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    ns = ap.parse_args(argv)
    try:
        warmup, repeat = (int(x) for x in ns.huntrleaks.split(":"))
        assert warmup >= 0 and repeat >= 1
    except (ValueError, AssertionError):
        ap.error("-R takes WARMUP:REPEAT, e.g. 3:3")
    if not hasattr(sys, "gettotalrefcount"):
        print(f"refleak: {sys.executable} is not a debug build (no sys.gettotalrefcount); "
              "use python3.11-dbg / a --with-pydebug CPython", file=sys.stderr)
        return 2
    if ns.child:
        child(ns.child, warmup, repeat, ns.examples, ns.child_out, ns.pytest_args.split(),
              ns.per_test)
        return 0

    import compactcol   # fail early, and say which build is measured
    print(f"refleak: -R {warmup}:{repeat}, Hypothesis max_examples={ns.examples}, "
          f"{sys.executable} {sys.version.split()[0]}, compactcol from "
          f"{os.path.dirname(compactcol.__file__)}", flush=True)
    log_dir = ns.log_dir or tempfile.mkdtemp(prefix="refleak-logs.")
    os.makedirs(log_dir, exist_ok=True)
    results = []
    interrupted = False
    t_all = time.monotonic()
    for path in _module_paths(ns.modules):
        name = os.path.basename(path)[:-3]
        log = os.path.join(log_dir, name + ".log")
        out = os.path.join(log_dir, name + ".json")
        if os.path.exists(out):
            os.remove(out)
        t0 = time.monotonic()
        if interrupted:
            results.append({"module": name, "runs": [], "verdict": "NOT RUN",
                            "reasons": ["interrupted (timeout?) before it started"],
                            "secs": 0, "log": log})
            continue
        try:
            with open(log, "w") as f:
                proc = subprocess.run(
                    [sys.executable, "-X", "faulthandler", os.path.abspath(__file__),
                     "--child", path, "--child-out", out, "-R", f"{warmup}:{repeat}",
                     "--examples", str(ns.examples), "--pytest-args", ns.pytest_args,
                     *(["--per-test"] if ns.per_test else [])],
                    stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            returncode = proc.returncode
        except KeyboardInterrupt:   # timeout --signal=INT: report what ran
            interrupted = True
            returncode = "interrupted"
        runs = []
        if os.path.exists(out):
            with open(out) as f:
                runs = [json.loads(line) for line in f if line.strip()]
        meta = next((r for r in runs if r.get("meta")), {})
        runs = [r for r in runs if not r.get("meta")]
        drift = [] if ns.strict_refs else meta.get("release_exts", [])
        secs = time.monotonic() - t0
        if ns.per_test:
            by_test = {}
            for r in runs:
                by_test.setdefault(r["test"], []).append(r)
            units = list(by_test.items()) or [(name, [])]
        else:
            units = [(name, runs)]
        for unit, uruns in units:
            rc = returncode if (unit == units[-1][0]) else 0
            v, reasons = verdict(uruns, warmup, warmup + repeat, rc, drift)
            results.append({"module": unit, "runs": uruns, "verdict": v, "reasons": reasons,
                            "secs": round(secs, 1), "log": log})
            tracked = uruns[warmup:]
            print(f"  {unit:<28} {v:<12} refs {_fmt([r['refs'] for r in tracked])} "
                  f"blocks {_fmt([r['blocks'] for r in tracked])}  {secs:.0f}s", flush=True)

    print(f"\nrefleak -R {warmup}:{repeat} (deltas of the {repeat} tracked runs; "
          f"warm-up runs in brackets), {time.monotonic() - t_all:.0f}s")
    head = f"{'module':<28} {'tests':>9} {'ref deltas':<30} {'block deltas':<30} {'fd':<8} verdict"
    print(head)
    print("-" * len(head))
    for r in results:
        runs = r["runs"]
        if runs:
            w, t = runs[:warmup], runs[warmup:]
            refs = f"{_fmt([x['refs'] for x in t])} ({_fmt([x['refs'] for x in w])})"
            blocks = f"{_fmt([x['blocks'] for x in t])} ({_fmt([x['blocks'] for x in w])})"
            fds = _fmt([x["fds"] for x in t])
            tests = f"{runs[-1]['passed']}p/{runs[-1]['skipped']}s"
        else:
            refs = blocks = fds = tests = "-"
        print(f"{r['module']:<28} {tests:>9} {refs:<30} {blocks:<30} {fds:<8} {r['verdict']}")
    bad = [r for r in results if r["verdict"] not in ("ok", "ok (refs?)", "skipped")]
    for r in results:
        if r["verdict"] == "ok (refs?)":
            print(f"\n{r['module']}: {r['verdict']}: " + "; ".join(r["reasons"]))
    for r in bad:
        if r["verdict"] == "NOT RUN":
            continue
        print(f"\n{r['module']}: {r['verdict']}: " + "; ".join(r["reasons"]) + f"  (log: {r['log']})")
    if ns.json:
        with open(ns.json, "w") as f:
            json.dump(results, f, indent=1)
    print(f"\nrefleak: {len(results)} modules, {sum(r['verdict'].startswith('ok') for r in results)} ok, "
          f"{sum(r['verdict'] == 'skipped' for r in results)} skipped, {len(bad)} flagged")
    if interrupted:
        print("refleak: interrupted; the modules after the one running were not run")
        return 3
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

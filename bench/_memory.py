"""What the benchmarks share: the resident set as the OS reports it,
glibc's malloc_trim before a baseline, and (memory_bench, temporal_bench)
the report's header of what the run was made on.  Imported by scripts run from bench/ (it is on their
sys.path as their own folder)."""

import os


def rss_bytes() -> int:
    """Resident set now: /proc/self/statm's resident pages x page size."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def malloc_trim() -> bool:
    """glibc's malloc_trim(0): hands the free memory that making the input
    left in the heap back to the OS, so the build cannot reuse pages that
    are resident already and the RSS growth counts every page it touches.
    False where there is no glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
        return True
    except (OSError, AttributeError):
        return False


def module_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return "not installed"


def have_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


def trim_line(no_trim: bool, trims: set, where: str = "child") -> str:
    """The report line saying whether every child trimmed before its baseline."""
    how = ("off (--no-trim)" if no_trim else "yes" if trims == {True}
           else "not available here" if trims == {False} else "in some children only")
    return f"- baseline: glibc `malloc_trim(0)` before it in every {where}: {how}"


class Run:
    """When and on what a bench ran: made at its start, `header()` at its end
    gives the report's first lines (date, versions, the extension built,
    machine and load, the command, the wall time)."""

    def __init__(self, script: str, argv):
        import datetime
        import hashlib
        import sys
        import time

        import compactcol

        self.wall0 = time.perf_counter()
        self.load0 = os.getloadavg()
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.core = compactcol._core.__file__
        self.package = os.path.dirname(compactcol.__file__)
        with open(self.core, "rb") as f:
            self.digest = hashlib.sha256(f.read()).hexdigest()[:12]
        self.built = datetime.datetime.fromtimestamp(os.path.getmtime(self.core)).strftime(
            "%Y-%m-%d %H:%M:%S")
        self.command = f"python bench/{script}" + "".join(
            f" {a}" for a in (sys.argv[1:] if argv is None else argv))

    def elapsed(self) -> float:
        import time
        return time.perf_counter() - self.wall0

    def log(self, msg: str) -> None:
        import sys
        print(f"[{self.elapsed():6.1f}s] {msg}", file=sys.stderr, flush=True)

    def header(self, title: str, sizes: str) -> list:
        import platform
        load1 = os.getloadavg()
        return [
            f"# {title}", "",
            f"- date: {self.started:%Y-%m-%d %H:%M:%S} UTC",
            f"- python: {platform.python_implementation()} {platform.python_version()}; "
            f"numpy {module_version('numpy')}; pyarrow {module_version('pyarrow')}; "
            f"pandas {module_version('pandas')}",
            f"- compactcol: {module_version('compactcol')} from {self.package}",
            f"- extension: {self.core} (modified {self.built}, sha256 {self.digest})",
            f"- machine: {platform.machine()}, {len(os.sched_getaffinity(0))} usable core(s); "
            f"load average at start {' '.join(f'{x:.2f}' for x in self.load0)}, "
            f"at end {' '.join(f'{x:.2f}' for x in load1)}",
            f"- command: {self.command}",
            f"- {sizes}; wall time {self.elapsed():.0f} s",
        ]

"""What the memory benchmarks (memory_bench, strings_bench, table_bench)
share: the resident set as the OS reports it, and glibc's malloc_trim
before a baseline.  Imported by scripts run from bench/ (it is on their
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

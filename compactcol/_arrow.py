"""Arrow import machinery: a container, or ``(names, columns, rows)`` for
a table-like source, from any producer of the Arrow PyCapsule interface
(pyarrow, Polars, DuckDB, nanoarrow, ...).  The public ``from_arrow`` that
makes the latter a ``Table`` lives in ``_table``, above this module."""

from . import _core


def import_arrow(obj, what, copy=False):
    """A container, or (names, columns, rows) for a struct / record-batch source.

    Numbers and 'u'/'U' strings share the producer's buffers (zero-copy)
    unless ``copy``; a stream of several chunks is appended in C into one
    container per column (copied)."""
    copy = bool(copy)
    if hasattr(obj, "__arrow_c_array__"):
        schema, array = obj.__arrow_c_array__()
        return _core._from_arrow_array(schema, array, copy)
    if hasattr(obj, "__arrow_c_stream__"):
        return _core._from_arrow_stream(obj.__arrow_c_stream__(), copy)
    raise TypeError(
        f"{what}: {type(obj).__name__} does not export the Arrow "
        "PyCapsule interface (__arrow_c_array__ or __arrow_c_stream__)")

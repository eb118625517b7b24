"""Arrow import machinery: a container, or ``(names, columns, rows)`` for
a table-like source, from any producer of the Arrow PyCapsule interface
(pyarrow, Polars, DuckDB, nanoarrow, ...).  The public ``from_arrow`` that
makes the latter a ``Table`` lives in ``_table``, above this module."""

from . import _core


def import_arrow(obj, what):
    """A container, or (names, columns, rows) for a struct / record-batch source.

    A stream's chunks are appended in C into one container per column."""
    if hasattr(obj, "__arrow_c_array__"):
        schema, array = obj.__arrow_c_array__()
        return _core._from_arrow_array(schema, array)
    if hasattr(obj, "__arrow_c_stream__"):
        return _core._from_arrow_stream(obj.__arrow_c_stream__())
    raise TypeError(
        f"{what}: {type(obj).__name__} does not export the Arrow "
        "PyCapsule interface (__arrow_c_array__ or __arrow_c_stream__)")

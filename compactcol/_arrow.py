"""``compactcol.from_arrow``: import from any producer of the Arrow
PyCapsule interface (pyarrow, Polars, DuckDB, nanoarrow, ...)."""

from . import _core
from ._core import Array, CategoricalArray, StringArray


def from_arrow(obj):
    """The compactcol container for an Arrow array (or chunked array /
    stream of arrays): integers, floats and bools become an ``Array``,
    strings and large strings a ``StringArray``, string dictionaries a
    ``CategoricalArray``; nulls make it nullable.  A table-like object (a
    struct array or a stream of record batches: ``pyarrow.Table``,
    ``polars.DataFrame``, a DuckDB result) becomes a ``Table``.

    The data is copied (and validated while copied: offsets, UTF-8, buffer
    counts), so the result owns its memory and the producer's buffers are
    released at once.  Unsupported types raise ``TypeError``, malformed
    input ``ValueError``.

    >>> import pyarrow as pa                                # doctest: +SKIP
    >>> from_arrow(pa.array(["a", None]))                   # doctest: +SKIP
    StringArray(['a', None], nullable=True)
    """
    result = import_arrow(obj, "compactcol.from_arrow")
    if isinstance(result, tuple):
        from ._table import Table
        return Table._from_columns(*result)
    return result


def import_arrow(obj, what):
    """A container, or (names, columns, rows) for a struct / record-batch source."""
    if hasattr(obj, "__arrow_c_array__"):
        schema, array = obj.__arrow_c_array__()
        return _core._from_arrow_array(schema, array)
    if hasattr(obj, "__arrow_c_stream__"):
        chunks = _core._from_arrow_stream(obj.__arrow_c_stream__())
        if not isinstance(chunks[0], tuple):
            return _concatenate(chunks)
        names = chunks[0][0]
        return (names, [_concatenate([c[1][i] for c in chunks]) for i in range(len(names))],
                sum(c[2] for c in chunks))
    raise TypeError(
        f"{what}: {type(obj).__name__} does not export the Arrow "
        "PyCapsule interface (__arrow_c_array__ or __arrow_c_stream__)")


def _concatenate(parts):
    """One container from the chunks of a stream (nullable if any is)."""
    first = parts[0]
    if len(parts) == 1:
        return first
    nullable = any(p.nullable for p in parts)
    if isinstance(first, CategoricalArray):
        out = CategoricalArray(pool=first.pool, nullable=nullable)
    elif isinstance(first, StringArray):
        out = StringArray(nullable=nullable)
    else:
        out = Array(first.dtype, nullable=nullable)
    for part in parts:
        out.extend(part)
    return out

"""``compactcol.from_arrow``: import from any producer of the Arrow
PyCapsule interface (pyarrow, Polars, DuckDB, nanoarrow, ...)."""

from . import _core
from ._core import Array, CategoricalArray, StringArray


def from_arrow(obj):
    """The compactcol container for an Arrow array (or chunked array /
    stream of arrays): integers, floats and bools become an ``Array``,
    strings and large strings a ``StringArray``, string dictionaries a
    ``CategoricalArray``; nulls make it nullable.

    The data is copied (and validated while copied: offsets, UTF-8, buffer
    counts), so the result owns its memory and the producer's buffers are
    released at once.  Unsupported types raise ``TypeError``, malformed
    input ``ValueError``.

    >>> import pyarrow as pa                                # doctest: +SKIP
    >>> from_arrow(pa.array(["a", None]))                   # doctest: +SKIP
    StringArray(['a', None], nullable=True)
    """
    if hasattr(obj, "__arrow_c_array__"):
        schema, array = obj.__arrow_c_array__()
        return _core._from_arrow_array(schema, array)
    if hasattr(obj, "__arrow_c_stream__"):
        return _concatenate(_core._from_arrow_stream(obj.__arrow_c_stream__()))
    raise TypeError(
        f"compactcol.from_arrow: {type(obj).__name__} does not export the Arrow "
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

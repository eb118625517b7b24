"""``compactcol.array(values, dtype=None)``: pick the container from the values."""

import datetime
import decimal

from ._core import DTYPES, Array, BinaryArray, StringArray
from ._record import decimal_spec, temporal_spec

_BUFFER_DTYPES = {
    "b": "int8", "h": "int16", "i": "int32", "q": "int64", "l": "int64",
    "B": "uint8", "H": "uint16", "I": "uint32", "Q": "uint64", "L": "uint64",
    "f": "float32", "d": "float64", "?": "bool",
}


def _buffer_dtype(values):
    """The dtype of a 1-D numeric buffer (NumPy array, array.array, ...), or None."""
    try:
        view = memoryview(values)
    except (TypeError, ValueError):  # NumPy's datetime64 refuses a buffer with ValueError
        return None
    with view:
        fmt = view.format.lstrip("@=<|")
        if view.ndim != 1 or fmt not in _BUFFER_DTYPES:
            return None
        if fmt in "lL" and view.itemsize != 8:
            return {"l": "int32", "L": "uint32"}[fmt]
        return _BUFFER_DTYPES[fmt]


def _infer_dtype(items):
    """(dtype, nullable) for a list of Python values, as NumPy would choose:
    all bools -> bool, ints (and bools) -> adaptive 'int' (uint64 when a value
    only fits that), any float -> float64; None anywhere -> nullable."""
    kinds = set()
    nullable = False
    big_unsigned = False
    for x in items:
        if x is None:
            nullable = True
        elif isinstance(x, bool):
            kinds.add(bool)
        elif isinstance(x, int):
            kinds.add(int)
            if x > 0x7FFF_FFFF_FFFF_FFFF:
                big_unsigned = True
        elif isinstance(x, float):
            kinds.add(float)
        elif isinstance(x, str):
            kinds.add(str)
        elif isinstance(x, bytes):
            kinds.add(bytes)
        elif isinstance(x, (datetime.date, datetime.timedelta, datetime.time)):
            kinds.add(datetime.date)  # the temporal kinds, told apart below
        elif isinstance(x, decimal.Decimal):
            kinds.add(decimal.Decimal)
        else:
            raise TypeError(
                f"compactcol.array: cannot infer a dtype for {type(x).__name__} "
                f"values ({x!r}); pass dtype=")
    if datetime.date in kinds:
        spec = temporal_spec([x for x in items if x is not None], "compactcol.array")
        if len(kinds) > 1 or spec is None:
            raise TypeError(f"compactcol.array: {sorted({type(x).__name__ for x in items} - {'NoneType'})}"
                            f" mixed; pass dtype=")
        return spec, nullable
    if decimal.Decimal in kinds:
        if not kinds <= {decimal.Decimal, int}:
            raise TypeError(f"compactcol.array: {sorted({type(x).__name__ for x in items} - {'NoneType'})}"
                            f" mixed; pass dtype=")
        return decimal_spec([x for x in items if x is not None]), nullable
    if str in kinds or bytes in kinds:
        if len(kinds) > 1:
            raise TypeError(f"compactcol.array: {' and '.join(sorted(k.__name__ for k in kinds))} "
                            f"mixed; pass dtype=")
        return ("str" if str in kinds else "bytes"), nullable
    if float in kinds:
        return "float64", nullable
    if int in kinds:
        return ("uint64" if big_unsigned else "int"), nullable
    if bool in kinds:
        return "bool", nullable
    return "float64", nullable  # empty or all None: NumPy's default


def array(values, dtype=None):
    """Build the right compactcol container for ``values``.

    >>> array([1, 2, 3]).dtype          # adaptive int, narrowest width
    'int8'
    >>> array([1.5, None]).nullable
    True

    >>> array(['a', None])              # strs -> StringArray
    StringArray(['a', None], nullable=True)

    ``dtype`` skips inference (``'str'`` for a StringArray, ``'bytes'`` for a
    BinaryArray, which all-bytes values also give).  A NumPy array
    or other 1-D numeric buffer keeps its dtype and is copied at memcpy
    speed.
    """
    if isinstance(values, StringArray) and dtype in (None, "str"):
        return StringArray(values, nullable=values.nullable)
    if isinstance(values, Array):
        return Array(dtype or (values.dtype if not values.adaptive else "int"),
                     values, nullable=values.nullable)
    if dtype is None:
        dtype = _buffer_dtype(values)
        if dtype is None:  # e.g. a big-endian NumPy array: its dtype names it
            kind = getattr(getattr(values, "dtype", None), "kind", None)
            name = getattr(getattr(values, "dtype", None), "name", None)
            name = "date32" if name == "datetime64[D]" else name  # NumPy's days
            dtype = name if name in DTYPES else None
            if dtype is not None and kind in ("M", "m"):  # NaT is None
                return Array(dtype, values, nullable=bool((values != values).any()))  # NaT
        if dtype is not None:
            return Array(dtype, values)
    items = values if isinstance(values, (list, tuple)) else list(values)
    if dtype is None:
        dtype, nullable = _infer_dtype(items)
    else:
        nullable = any(x is None for x in items)
    if dtype == "str":
        return StringArray(items, nullable=nullable)
    if dtype == "bytes":
        return BinaryArray(items, nullable=nullable)
    return Array(dtype, items, nullable=nullable)

"""NumPy glue, imported lazily: ``import compactcol`` never imports NumPy."""


def _numpy():
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - exercised without numpy
        raise ImportError(
            "this conversion needs NumPy, which is not installed "
            "(pip install numpy)") from exc
    return numpy


def _null_mask(a, np):
    """Boolean mask, True where a holds None."""
    bits = np.frombuffer(a._validity(), dtype=np.uint8)
    valid = np.unpackbits(bits, bitorder="little", count=len(a)).astype(bool)
    return ~valid


#: the temporal dtypes' NumPy types: date32 (4-byte days) widens to NumPy's
#: 8-byte datetime64[D] in a copy; a time of day is its timedelta since midnight
_NUMPY_TEMPORAL = {"date32": "datetime64[D]", "time64[us]": "timedelta64[us]",
                   "time64[ns]": "timedelta64[ns]"}


def _temporal_to_numpy(a, na_value, np):
    """A datetime64 / timedelta64 array of a temporal Array: a read-only
    view of a snapshot of its buffer (the Array copies before its next
    write, as for an Arrow export) unless it is date32 or has nulls, which
    are NaT (or na_value) in a copy."""
    from ._core import _array_ticks

    days = a.dtype == "date32"  # 4-byte days: NumPy's are 8 bytes, a copy
    ticks = np.asarray(_array_ticks(a))
    target = np.dtype(_numpy_temporal_name(a.dtype))
    values = ticks.astype(target) if days else ticks.view(target)
    if a.null_count:
        if not days:
            values = values.copy()
        values[_null_mask(a, np)] = np.datetime64("NaT") if na_value is None else na_value
    return values


def _numpy_temporal_name(dtype):
    """The NumPy dtype name of ours: zones dropped (NumPy has none; the
    instants are UTC), date32 -> datetime64[D], time64 -> timedelta64."""
    name = dtype.split(",")[0] + "]" if "," in dtype else dtype
    return _NUMPY_TEMPORAL.get(name, name)


def temporal_scalar(v, dtype):
    """A NumPy datetime64 / timedelta64 scalar or pandas' NaT as the int ticks
    of our temporal `dtype`, or None for NaT.  No rounding: a value with a
    finer part than the unit, or beyond its range, raises."""
    if type(v).__name__ == "NaTType":  # pandas.NaT
        return None
    np = _numpy()
    target = np.dtype(_numpy_temporal_name(dtype))
    if np.isnat(v):
        return None
    if v.dtype.kind != target.kind:
        raise TypeError(f"expected {'datetime64' if target.kind == 'M' else 'timedelta64'} "
                        f"for {dtype}, got {v.dtype} ({v!r})")
    converted = v.astype(target)
    if converted.astype(v.dtype) != v:
        raise ValueError(f"{v!r} does not fit {dtype} exactly (a finer part, or out of range)")
    return int(converted.astype("int64"))


def temporal_from_numpy(values, dtype, nullable):
    """A NumPy datetime64 / timedelta64 array as an Array of our temporal
    `dtype` (NaT -> None), or None when values is of another kind.  Checked
    as temporal_scalar checks one value, in vectorised NumPy."""
    np = _numpy()
    from . import _core

    if values.dtype.kind not in "mM":
        return None
    target = np.dtype(_numpy_temporal_name(dtype))
    if values.dtype.kind != target.kind:
        raise TypeError(f"expected {'datetime64' if target.kind == 'M' else 'timedelta64'} "
                        f"values for {dtype}, got a {values.dtype} array")
    values = np.ascontiguousarray(values).reshape(-1)
    nat = np.isnat(values)
    converted = values.astype(target)
    lossy = (converted.astype(values.dtype) != values) & ~nat
    if lossy.any():
        i = int(np.flatnonzero(lossy)[0])
        raise ValueError(f"item {i}: {values[i]!r} does not fit {dtype} exactly (a finer part, "
                         f"or out of range)")
    if nat.any() and not nullable:
        raise TypeError(f"item {int(np.flatnonzero(nat)[0])}: NaT in an array that is not "
                        f"nullable (create it with nullable=True to store None)")
    ticks = converted.view("int64")
    if nat.any():
        ticks = np.where(nat, 0, ticks)
    out = _core.Array(dtype, ticks, nullable=nullable)
    for i in np.flatnonzero(nat):
        out[int(i)] = None
    return out


def array_dunder_array(a, dtype=None, copy=None):
    """``Array.__array__``: NumPy's protocol, as ``to_numpy()``."""
    np = _numpy()
    values = array_to_numpy(a)
    if dtype is not None and np.dtype(dtype) != values.dtype:
        if copy is False:
            raise ValueError(f"Array('{a.dtype}'): a {np.dtype(dtype)} array needs a copy")
        return values.astype(dtype)
    return values.copy() if copy else values


def array_to_numpy(a, na_value=None):
    """``Array.to_numpy``: zero-copy without nulls; nulls become NaN (floats)
    or ``na_value`` (required for the other dtypes) in a copy; the temporal
    dtypes give datetime64 / timedelta64, their nulls NaT; decimals an object
    array of Decimal (a copy)."""
    np = _numpy()
    if a.dtype.startswith(("datetime64", "timedelta64", "date32", "time64")):
        return _temporal_to_numpy(a, na_value, np)
    if a.dtype.startswith("decimal128"):  # NumPy has no decimal: Decimal objects, as pyarrow
        out = np.empty(len(a), dtype=object)
        out[:] = a.tolist() if na_value is None else [na_value if v is None else v for v in a]
        return out
    if a.null_count == 0:
        return np.frombuffer(a, dtype=np.dtype(a.dtype))
    values = np.array(a, copy=True)
    mask = _null_mask(a, np)
    if na_value is None:
        if values.dtype.kind != "f":
            raise ValueError(
                f"Array('{a.dtype}').to_numpy: the array holds {a.null_count} "
                f"None value(s) and {a.dtype} has no NaN; pass na_value=")
        na_value = np.nan
    values[mask] = na_value
    return values


def _pack_strings(a, dtype, np, keep_nulls=True):
    """A StringArray as a StringDType array, packed in C from the UTF-8
    bytes (compactcol._numpy_ext) when it was built; nulls as '' unless
    keep_nulls (then dtype needs na_object)."""
    try:
        from . import _numpy_ext
    except ImportError:  # built without NumPy headers: through str objects
        values = a if keep_nulls else ("" if s is None else s for s in a)
        return np.fromiter(values, dtype=dtype, count=len(a))
    validity = a._validity() if keep_nulls else None  # a null holds no bytes: reads ''
    return _numpy_ext.utf8_to_stringdtype(a.data, a.offsets, validity, len(a), dtype)


def strings_to_numpy(a):
    """``StringArray.to_numpy``: NumPy 2's variable-width ``StringDType``
    (``na_object=None`` when the array is nullable), packed in C, so no str
    object is made; an object array on NumPy 1.x.  A copy: NumPy's string
    storage is not Arrow's."""
    np = _numpy()
    dtypes = getattr(np, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "StringDType"):
        return np.array(a.tolist(), dtype=object)
    return _pack_strings(a, dtypes.StringDType(na_object=None) if a.nullable
                         else dtypes.StringDType(), np)


def bytes_to_numpy(a):
    """``BinaryArray.to_numpy``: an object array of bytes (None for nulls).
    NumPy's fixed-width ``S`` dtype would pad every value to the longest and
    drop trailing NUL bytes, so it is not used.  A copy."""
    np = _numpy()
    out = np.empty(len(a), dtype=object)
    out[:] = a.tolist()
    return out


def _na_for(na_value, name):
    return na_value.get(name) if isinstance(na_value, dict) else na_value


def _unicode_column(name, col, is_category, na, np):
    """A str or category column as fixed-width 'U' values (as wide as the
    longest string or na), nulls as na (required when there are nulls)."""
    strings = col.categories if is_category else col
    if col.null_count and na is None:
        raise ValueError(f"Table.to_numpy: column {name!r} holds {col.null_count} None "
                         f"value(s); pass na_value= (a str, or a dict by column)")
    longest = int(np.asarray(strings.lengths()).max(initial=0))  # a null's length reads 0
    width = max(longest, len(na) if col.null_count else 0, 1)
    values = _pack_strings(strings, np.dtypes.StringDType(), np, keep_nulls=False)
    values = values.astype(f"U{width}")
    if is_category:
        codes = np.asarray(col.codes)  # -1 is None
        values = values[codes] if len(values) else np.zeros(len(codes), f"U{width}")
        nulls = codes < 0
    else:
        nulls = _null_mask(col, np) if col.null_count else None
    if col.null_count:
        values[nulls] = na
    return values


def table_to_numpy(t, na_value=None):
    """``Table.to_numpy``: a structured array, one field per column (a copy).

    Numbers keep their dtype; str and category columns become fixed-width
    'U' fields as wide as their longest string (StringDType cannot be a
    structured field); bytes columns object fields of bytes.  Nulls: NaN in float columns; elsewhere na_value
    (one value, or a dict by column name) or ValueError."""
    np = _numpy()
    columns = []
    for (name, spec, *_), col in zip(t._schema.fields, t._columns):
        na = _na_for(na_value, name)
        base = spec.rstrip("?")
        if base in ("str", "category"):
            columns.append((name, _unicode_column(name, col, base == "category", na, np)))
            continue
        if base == "bytes":  # an object field of bytes (None for nulls)
            columns.append((name, bytes_to_numpy(col)))
            continue
        try:
            columns.append((name, array_to_numpy(col, na)))
        except ValueError as exc:
            raise ValueError(f"Table.to_numpy: column {name!r}: {exc}") from None
    out = np.empty(len(t), dtype=[(name, v.dtype) for name, v in columns])
    for name, v in columns:
        out[name] = v
    return out

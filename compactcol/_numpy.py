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


def array_to_numpy(a, na_value=None):
    """``Array.to_numpy``: zero-copy without nulls; nulls become NaN (floats)
    or ``na_value`` (required for the other dtypes) in a copy."""
    np = _numpy()
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


def strings_to_numpy(a):
    """``StringArray.to_numpy``: NumPy 2's variable-width ``StringDType``
    (``na_object=None`` when the array is nullable), an object array on
    NumPy 1.x.  A copy: NumPy's string storage is not Arrow's."""
    np = _numpy()
    dtypes = getattr(np, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "StringDType"):
        return np.array(a.tolist(), dtype=object)
    dtype = dtypes.StringDType(na_object=None) if a.nullable else dtypes.StringDType()
    return np.fromiter(a, dtype=dtype, count=len(a))

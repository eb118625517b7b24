"""pandas glue, imported lazily: ``import compactcol`` never imports pandas."""

import importlib


def _pandas():
    try:
        # by name: pandas ships no type stubs, and none are needed here
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            "this conversion needs pandas, which is not installed "
            "(pip install pandas)") from exc


def categorical_to_pandas(c):
    """``CategoricalArray.to_pandas``: a ``pandas.Categorical`` over a
    snapshot of the array's codes (one byte a row up to 127 categories):
    pandas trusts its codes to stay within its categories, and a later write
    to ``c`` (a new category, a None) copies the codes first, so it never
    reaches pandas.  pandas validates the codes (a code written through
    ``c.codes`` that is not in the pool raises ValueError)."""
    pd = _pandas()
    import numpy as np

    # pandas' default Index of strs (``str`` from pandas 3), as Arrow's
    # dictionary conversion gives it
    categories = pd.Index(c.categories.tolist())
    return pd.Categorical.from_codes(np.asarray(c.codes.copy()), categories=categories)


def _copy_on_write(pd):
    """True if pandas copies a block before writing it while a Series
    shares it: always from pandas 3, by option before."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return getattr(pd.options.mode, "copy_on_write", False) is True


def _na_free(values):
    """values with pandas' missing markers (None, NaN, pd.NA, NaT) as None."""
    pd = _pandas()
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values]


def column_from_pandas(name, series, table_from_columns, copy=False):
    """The compactcol column container for one pandas Series.

    NumPy-backed numbers: unless ``copy``, an Array sharing the NumPy
    array's memory when it is contiguous, aligned and native-order and
    pandas has Copy-on-Write (always from pandas 3): the Array holds the
    buffer and the Series, so a later write to the DataFrame copies its
    block first, and the Array's first write copies.  Otherwise one copy of
    the buffer (a NaN stays a float NaN, as in NumPy).  NumPy bools
    are always copied: a NumPy bool byte may hold any non-zero value for
    True, ours are 0 or 1.  Categoricals of str: the categories become a
    pool, the codes are copied.  Everything else (str, object, pandas'
    nullable Int64/Float64/boolean, ArrowDtype) goes through Arrow when
    pyarrow is installed (zero-copy as ``from_arrow`` unless ``copy``), and
    through a list otherwise.  (A Series that
    Arrow makes a struct, one of dicts, comes back as what
    ``table_from_columns`` -- the caller's ``Table._from_columns`` -- makes
    of it, as ``compactcol.from_arrow`` would.)"""
    pd = _pandas()
    import numpy as np

    from . import _core
    from ._arrow import import_arrow

    what = f"Table.from_pandas: column {name!r} ({series.dtype})"
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        if not all(isinstance(c, str) for c in categories):
            raise TypeError(f"{what}: a category column needs str categories")
        codes = _core.Array("int", np.asarray(series.cat.codes))
        return _core._categorical_from_state(_core.StringPool(categories), codes,
                                             bool(series.isna().any()))
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        if dtype.name not in _core.DTYPES:
            raise TypeError(f"{what}: no compactcol dtype holds {dtype.name}")
        values = series.to_numpy()
        if not copy and dtype.kind != "b" and _copy_on_write(pd):
            # the Series is kept with the memory: pandas then copies the
            # DataFrame's block before writing it, so the Table never sees it
            shared = _core._array_share_buffer(dtype.name, values, series)
            if shared is not None:
                return shared
        return _core.Array(dtype.name, values)
    try:
        pa = importlib.import_module("pyarrow")
    except ImportError:
        return _column_from_list(what, dtype, _na_free(series.tolist()))
    try:
        result = import_arrow(pa.array(series, from_pandas=True), "compactcol.from_arrow", copy)
        return table_from_columns(*result) if isinstance(result, tuple) else result
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError) as exc:
        raise TypeError(f"{what}: {exc}") from exc


def _column_from_list(what, dtype, values):
    """The no-pyarrow path: str (or None) values, or a pandas nullable number dtype."""
    import numpy as np

    from . import _core

    nullable = None in values
    if all(v is None or isinstance(v, str) for v in values):
        return _core.StringArray(values, nullable=nullable)
    base = getattr(dtype, "numpy_dtype", None)
    if isinstance(base, np.dtype) and base.name in _core.DTYPES:
        return _core.Array(base.name, values, nullable=nullable)
    raise TypeError(f"{what}: a column holds one of int, float, bool or str")


# ---- Table.to_pandas ----------------------------------------------------------
#
# The dtype rule: each column gets the dtype `pa.table(t).to_pandas()` gives it
# (pyarrow's default conversion, which is also what pandas itself infers from
# the values: pandas 3's default `str` for strings, float64 with NaN for a
# number column holding nulls, object for bools with nulls or bytes), except
# where compactcol keeps more than that: a category column stays a
# pd.Categorical, and dates and times of day stay ArrowDtype (docs/temporal.md).
# pyarrow is needed only where pandas itself stores the column in Arrow memory.

_ARROW_EXTRA = "pip install 'compactcol[arrow]'"


def _pyarrow_for(name, spec):
    """pyarrow, or an ImportError naming the column that needs it."""
    try:
        return importlib.import_module("pyarrow")
    except ImportError as exc:
        raise ImportError(f"Table.to_pandas: column {name!r} ({spec}) needs pyarrow, "
                          f"which is not installed: {_ARROW_EXTRA}") from exc


def _str_dtype(pd, np):
    """pandas' default dtype for strings: ``str`` from pandas 3 (Arrow storage
    when pyarrow is installed, Python's otherwise), object before."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.StringDtype(na_value=np.nan)
    return None


def _masked(col, pd, np):
    """pandas' own nullable array (Int8 ... UInt64, Float32 / Float64,
    boolean) over a copy of the values and the validity: NumPy-backed,
    exact, no pyarrow needed.  A copy, not a read-only view: pandas writes
    a masked array's values in place (``df.loc[i, c] = v``), and the mask
    costs O(n) anyway."""
    from ._numpy import _null_mask
    values = np.frombuffer(col.copy(), dtype=np.dtype(col.dtype)).copy()
    mask = _null_mask(col, np) if col.null_count else np.zeros(len(col), dtype=bool)
    kind = values.dtype.kind
    cls = pd.arrays.BooleanArray if kind == "b" else (
        pd.arrays.FloatingArray if kind == "f" else pd.arrays.IntegerArray)
    return cls(values, mask)


def _column_to_pandas(name, spec, col, pd, np, backend):
    """One column's values for the DataFrame, by the rule above."""
    base = spec.rstrip("?")
    if base == "category":
        return col.to_pandas()
    if base == "str":
        if backend == "numpy_nullable":  # pandas' StringDtype, pd.NA for nulls
            return pd.array(np.array(col.tolist(), dtype=object), dtype=pd.StringDtype())
        try:
            pa = importlib.import_module("pyarrow")
        except ImportError:  # pandas' own string storage, from the Python strs
            values = np.array(col.tolist(), dtype=object)
            dtype = _str_dtype(pd, np)
            return values if dtype is None else pd.array(values, dtype=dtype)
        # Arrow's conversion, exactly as pa.table(t).to_pandas(): pandas'
        # default string dtype over the snapshot's string bytes (shared; pandas
        # makes large_string offsets, a copy of the offsets only)
        return pa.array(col).to_pandas()
    if base == "bytes":  # an object column of bytes (None for nulls), as pandas has
        return col.to_numpy()
    if base.startswith("datetime64[") and ", " in base:
        # a time zone: pandas' datetime64[unit, tz], through Arrow
        return _pyarrow_for(name, spec).array(col).to_pandas()
    if base.startswith(("datetime64", "timedelta64")):
        # NumPy's own types: a snapshot view, nulls as NaT (a copy)
        return col.to_numpy()
    if base.startswith(("date32", "time64", "decimal128")):
        # NumPy has no date, time-of-day or decimal type: pandas' ArrowDtype
        # (pyarrow's default would be object columns: a Python object a value)
        return _pyarrow_for(name, spec).array(col).to_pandas(types_mapper=pd.ArrowDtype)
    if backend == "numpy_nullable":
        return _masked(col, pd, np)
    if col.null_count == 0:
        # a snapshot, like every Arrow hand-off: a copy shares the buffer
        # (O(1)), so NumPy's view of it is read-only and the table's next
        # write to the column copies first
        return np.asarray(col.copy())
    from ._numpy import _null_mask
    mask = _null_mask(col, np)
    values = np.frombuffer(col.copy(), dtype=np.dtype(col.dtype))
    if values.dtype.kind == "b":  # True / False / None, as pandas infers them
        out = values.astype(object)
        out[mask] = None
        return out
    # NaN for the nulls: floats keep their width, integers become float64
    # (as pandas and pyarrow do; integers beyond 2**53 lose precision)
    out = values.astype(values.dtype if values.dtype.kind == "f" else np.float64)
    out[mask] = np.nan
    return out


def table_to_pandas(table, dtype_backend=None):
    """``Table.to_pandas``: a DataFrame, one column per field (see the rule
    above and docs/interop.md), with the table's rows as a RangeIndex (a
    table without columns keeps its length).  ``dtype_backend`` as pandas'
    own (``read_csv``, ``convert_dtypes``): None for the default rule,
    'numpy_nullable' for pandas' nullable dtypes, 'pyarrow' for ArrowDtype."""
    if dtype_backend not in (None, "numpy_nullable", "pyarrow"):
        raise ValueError(f"Table.to_pandas: dtype_backend must be None, 'numpy_nullable' or "
                         f"'pyarrow', not {dtype_backend!r}")
    try:
        import numpy as np
    except ImportError as exc:
        raise ImportError("Table.to_pandas needs NumPy and pandas, which are not installed "
                          "(pip install pandas)") from exc
    pd = _pandas()
    if dtype_backend == "pyarrow":
        try:
            pa = importlib.import_module("pyarrow")
        except ImportError as exc:
            raise ImportError(f"Table.to_pandas(dtype_backend='pyarrow') needs pyarrow, which "
                              f"is not installed: {_ARROW_EXTRA}") from exc
        return pa.table(table).to_pandas(types_mapper=pd.ArrowDtype)
    data = {name: _column_to_pandas(name, spec, col, pd, np, dtype_backend)
            for (name, spec, *_), col in zip(table._schema.fields, table._columns)}
    # (no columns: an empty object Index, as pyarrow's, not an empty RangeIndex)
    columns = None if data else pd.Index([], dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(table)), columns=columns, copy=False)

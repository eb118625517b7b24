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

    categories = pd.Index(c.categories.tolist(), dtype=object)
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

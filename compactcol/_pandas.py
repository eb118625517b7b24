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
    """``CategoricalArray.to_pandas``: a ``pandas.Categorical`` over the
    array's codes.  The codes are handed over through NumPy without a copy;
    pandas keeps them as they are when its own choice of code width (by the
    number of categories) is the width they already have, and casts them in
    a copy otherwise.  pandas validates the codes (a code written through
    ``c.codes`` that is not in the pool raises ValueError)."""
    pd = _pandas()
    import numpy as np

    categories = pd.Index(c.categories.tolist(), dtype=object)
    return pd.Categorical.from_codes(np.asarray(c.codes), categories=categories)

"""``compact=True`` on imports (``Table.from_arrow``, ``Table.from_pandas``,
``compactcol.from_arrow``): each column in the smallest of our types that
holds the same values, by the rules ``Table.from_records`` infers with."""

from . import _core

#: a str column becomes 'category' when it holds at most this many distinct
#: values, and at most half as many as it has non-null values (the rule of
#: Table.from_records, which sees only its first rows; here the whole column)
CATEGORY_MAX_DISTINCT = 255
#: strings interned per step while deciding: a column with many distinct
#: values is given up after at most this many more than the limit
_CATEGORY_STEP = 1 << 16

_INTEGER_DTYPES = frozenset({"int8", "int16", "int32", "int64",
                             "uint8", "uint16", "uint32", "uint64"})


def _as_category(strings):
    """A CategoricalArray of strings, or None when the rule says 'str'.
    Codes are built a step at a time, so a column of unique strings costs
    one step's interning before it is given up, not a pool of the whole."""
    present = len(strings) - strings.null_count
    if present == 0:
        return None
    category = _core.CategoricalArray(nullable=strings.nullable)
    for start in range(0, len(strings), _CATEGORY_STEP):
        category.extend(strings[start:start + _CATEGORY_STEP])
        if len(category.pool) > CATEGORY_MAX_DISTINCT:
            return None
    if 2 * len(category.pool) > present:
        return None
    return category


def compact_column(column):
    """column, or a smaller container with equal values: a str column by
    the category rule (else with 32-bit offsets when it was imported with
    64-bit ones, as pandas' and Polars' strings are), an integer column as an adaptive 'int' (the
    narrowest width its values fit, widening on later writes).  Floats,
    bools and categories are kept; so is a uint64 column with a value
    above int64's range (the widest adaptive width)."""
    if type(column) is _core.StringArray:
        category = _as_category(column)
        if category is not None:
            return category
        # the copy takes 64-bit offsets again only if its bytes need them
        return _core.StringArray(column, nullable=column.nullable) if column.large else column
    if type(column) is _core.Array and not column.adaptive and column.dtype in _INTEGER_DTYPES:
        try:
            return _core.Array("int", column, nullable=column.nullable)
        except OverflowError:
            return column
    return column


def compact_columns(columns):
    return [compact_column(c) for c in columns]

"""compactcol: compact typed containers for Python.

Unboxed numeric arrays and UTF-8 string containers that behave like
``list`` and ``dict`` and hand their memory to NumPy, memoryview and Arrow
without a copy.  See the README.
"""

from collections.abc import MutableSequence as _MutableSequence
import typing as _typing

try:
    from ._core import DTYPES, Array, BinaryArray, CategoricalArray, StringArray, StringPool
except ModuleNotFoundError as _exc:  # pragma: no cover -- what a source checkout shows
    import os as _os

    _here = _os.path.dirname(_os.path.abspath(__file__))
    if _exc.name != __name__ + "._core" or not _os.path.exists(
            _os.path.join(_here, _os.pardir, "meson.build")):
        raise
    raise ImportError(
        f"compactcol was imported from its source folder ({_here}), which has no compiled "
        f"extension: run Python from another directory so that the installed package is "
        f"found, or use the `compactcol` command (`compactcol demo`)") from _exc
from ._infer import array
from ._strdict import StrDict
from ._record import DTYPE_MARKERS as _DTYPE_MARKERS, Decimal, Duration, Record, Time, Timestamp
from ._table import Table, from_arrow, open  # noqa: A004 -- compactcol.open, as io.open
from ._files import save

# dtypes usable as Record annotations: `price: compactcol.float32`.  A type
# checker sees each as the Python type of its values (`qty: compactcol.int32`
# is `qty: int`; tests/typing/stubtest-allowlist.txt lists them for
# stubtest); the calls (compactcol.Timestamp("ns"), compactcol.Decimal(12, 2))
# go in Annotated[datetime, compactcol.Timestamp("ns")] in type-checked code.
if _typing.TYPE_CHECKING:
    import builtins as _builtins
    from typing import TypeAlias as _TypeAlias

    Category: _TypeAlias = str
    int8: _TypeAlias = int
    int16: _TypeAlias = int
    int32: _TypeAlias = int
    int64: _TypeAlias = int
    uint8: _TypeAlias = int
    uint16: _TypeAlias = int
    uint32: _TypeAlias = int
    uint64: _TypeAlias = int
    float32: _TypeAlias = float
    float64: _TypeAlias = float
    bool: _TypeAlias = _builtins.bool
else:
    from ._record import Category
    int8 = _DTYPE_MARKERS["int8"]
    int16 = _DTYPE_MARKERS["int16"]
    int32 = _DTYPE_MARKERS["int32"]
    int64 = _DTYPE_MARKERS["int64"]
    uint8 = _DTYPE_MARKERS["uint8"]
    uint16 = _DTYPE_MARKERS["uint16"]
    uint32 = _DTYPE_MARKERS["uint32"]
    uint64 = _DTYPE_MARKERS["uint64"]
    float32 = _DTYPE_MARKERS["float32"]
    float64 = _DTYPE_MARKERS["float64"]
    bool = _DTYPE_MARKERS["bool"]  # noqa: A001 -- compactcol.bool, as numpy.bool

__version__ = "0.1.0"
# open and save are used as compactcol.open / compactcol.save; they stay out
# of __all__ so that `from compactcol import *` does not hide the built-in open.
__all__ = [
    "Array", "StringArray", "BinaryArray", "StringPool", "CategoricalArray", "StrDict", "array",
    "from_arrow", "Table", "Record", "Category", "Timestamp", "Duration", "Time", "Decimal",
    "DTYPES", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "bool",
    "__version__",
]

_MutableSequence.register(Array)
_MutableSequence.register(StringArray)
_MutableSequence.register(BinaryArray)
_MutableSequence.register(CategoricalArray)
# Table is deliberately not registered as a Sequence: consumers such as
# polars.DataFrame(table) would then read it row by row instead of through
# its Arrow stream.

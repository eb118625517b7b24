"""compactcol: compact typed containers for Python.

Unboxed numeric arrays and UTF-8 string containers that behave like
``list`` and ``dict`` and hand their memory to NumPy, memoryview and Arrow
without a copy.  See the README.
"""

from collections.abc import MutableSequence as _MutableSequence

from ._core import DTYPES, Array, CategoricalArray, StringArray, StringPool
from ._arrow import from_arrow
from ._infer import array
from ._strdict import StrDict

__version__ = "0.1.0"
__all__ = [
    "Array", "StringArray", "StringPool", "CategoricalArray", "StrDict", "array", "from_arrow",
    "DTYPES",
    "__version__",
]

_MutableSequence.register(Array)
_MutableSequence.register(StringArray)
_MutableSequence.register(CategoricalArray)

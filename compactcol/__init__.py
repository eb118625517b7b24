"""compactcol: compact typed containers for Python.

Unboxed numeric arrays that behave like ``list`` and hand their memory to
NumPy, memoryview and (soon) Arrow without a copy.  See the README.
"""

from collections.abc import MutableSequence as _MutableSequence

from ._core import DTYPES, Array
from ._infer import array

__version__ = "0.1.0"
__all__ = ["Array", "array", "DTYPES", "__version__"]

_MutableSequence.register(Array)

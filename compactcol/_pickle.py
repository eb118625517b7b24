"""Pickle reconstructors.

Their import paths (``compactcol._pickle.<name>``) are recorded in every pickle
and must never change; the frozen pickles in ``tests/data/`` hold them to it.
"""

from . import _core


def array_from_state(dtype, adaptive, nullable, byteorder, length, data, validity):
    """Rebuild an ``Array`` from the state its ``__reduce_ex__`` produced."""
    return _core._array_from_state(dtype, adaptive, nullable, byteorder, length,
                                   data, validity)


def strarray_from_state(nullable, byteorder, length, data, offsets, validity):
    """Rebuild a ``StringArray`` from the state its ``__reduce_ex__`` produced."""
    return _core._strarray_from_state(nullable, byteorder, length, data, offsets,
                                      validity)


def pool_from_state(strings):
    """Rebuild a ``StringPool`` from its strings (a ``StringArray``)."""
    return _core._pool_from_strings(strings)


def categorical_from_state(pool, codes, nullable):
    """Rebuild a ``CategoricalArray`` from its pool and codes (validated)."""
    return _core._categorical_from_state(pool, codes, nullable)


def strdict_from_state(cls, value_dtype, keys, values):
    """Rebuild a ``StrDict`` (or subclass) from its keys (a ``StringArray``)
    and values (an ``Array``, ``StringArray`` or list); validated."""
    if not (isinstance(cls, type) and issubclass(cls, _core.StrDict)):
        raise ValueError(f"StrDict pickle state: {cls!r} is not a StrDict class")
    d = cls(value_dtype)
    d._load(keys, values)
    return d

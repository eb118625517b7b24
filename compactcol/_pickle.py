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


def binarray_from_state(nullable, byteorder, length, data, offsets, validity):
    """Rebuild a ``BinaryArray`` from the state its ``__reduce_ex__`` produced
    (StringArray's state format; the bytes are not UTF-8 checked)."""
    return _core._binarray_from_state(nullable, byteorder, length, data, offsets,
                                      validity)


def pool_from_state(strings):
    """Rebuild a ``StringPool`` from its strings (a ``StringArray``): the
    format of pickles made before 0.1 moved the arena out of band."""
    return _core._pool_from_strings(strings)


def pool_from_buffers(nullable, byteorder, length, data, offsets, validity):
    """Rebuild a ``StringPool`` from its arena's buffers (a StringArray state,
    validated as one; then each string interned again, duplicates refused)."""
    strings = _core._strarray_from_state(nullable, byteorder, length, data, offsets, validity)
    return _core._pool_from_strings(strings)


def strdict_from_buffers(cls, value_dtype, keys_state, values):
    """Rebuild a ``StrDict`` whose keys come as a StringArray state (the
    arena's buffers, out of band at protocol 5) and values as the values
    container's own pickle state -- ``(array_from_state, args)`` or
    ``(strarray_from_state, args)`` -- or, for object values and in pickles
    made before 0.1.1, as a container."""
    if not isinstance(keys_state, tuple):
        raise TypeError(f"StrDict pickle state: keys must be a StringArray state (a tuple), "
                        f"not {type(keys_state).__name__}")
    if isinstance(values, tuple):
        if (len(values) != 2 or values[0] not in (array_from_state, strarray_from_state)
                or not isinstance(values[1], tuple)):
            raise TypeError("StrDict pickle state: values must be a container or the "
                            "pickle state of an Array or StringArray")
        values = values[0](*values[1])
    return strdict_from_state(cls, value_dtype, _core._strarray_from_state(*keys_state), values)


def categorical_from_state(pool, codes, nullable):
    """Rebuild a ``CategoricalArray`` from its pool and codes (validated)."""
    return _core._categorical_from_state(pool, codes, nullable)


def strdict_from_state(cls, value_dtype, keys, values):
    """Rebuild a ``StrDict`` (or subclass) from its keys (a ``StringArray``)
    and values (an ``Array``, ``StringArray`` or list); validated."""
    if not (isinstance(cls, type) and issubclass(cls, _core.StrDict)):
        raise TypeError(f"StrDict pickle state: {cls!r} is not a StrDict class")
    d = cls(value_dtype)
    d._load(keys, values)
    return d

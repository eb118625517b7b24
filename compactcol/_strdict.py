"""``compactcol.StrDict``: the Python half of the string-keyed dict.

The storage and every hot path (``d[k]``, ``d[k] = v``, ``del``, ``in``,
``get``, ``pop``, ``increment``, iteration, ``StrDict.count``) are C, in
``_core.StrDict``; this class adds what is not hot: the views, ``==`` with
any mapping, ``|``, ``update`` (all or nothing, through a staging dict),
``fromkeys``, ``most_common`` and the repr.
"""

from __future__ import annotations

import heapq
import threading
import datetime
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import _core

#: the value type of a StrDict: StrDict('int64') is a StrDict[int]
V = TypeVar("V")

if TYPE_CHECKING:
    from typing import TypeAlias

    from _typeshed import SupportsKeysAndGetItem
    from typing_extensions import Self

    from ._core import _DateDType, _DatetimeDType, _FloatDType, _IntDType, _TimeDType, _TimedeltaDType

    #: what a StrDict is built or updated from: a mapping or (key, value) pairs
    _Pairs: TypeAlias = SupportsKeysAndGetItem[str, V] | Iterable[tuple[str, V]]

_REPR_THRESHOLD = 1000
_REPR_EDGE = 3
_REPR_RUNNING: set = set()  # (id, thread) of the StrDicts whose repr is being made
_MISSING = object()


class StrDictKeys(KeysView):
    __slots__ = ()

    def __reversed__(self):
        return reversed(list(self._mapping))


class StrDictValues(ValuesView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._iter_values()

    def __reversed__(self):
        return reversed(list(self))


class StrDictItems(ItemsView):
    __slots__ = ()

    def __iter__(self):
        return self._mapping._iter_items()

    def __contains__(self, item):
        try:
            key, value = item
        except (TypeError, ValueError):
            return False
        v = self._mapping.get(key, _MISSING)
        return v is not _MISSING and (v is value or v == value)

    def __reversed__(self):
        return reversed(list(self))


def _infer_value_dtype(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "str"
    return "object"


def _fill(target, other, kwargs):
    """target[k] = v for every pair of other (a mapping, an object with
    keys(), or an iterable of pairs), then of kwargs, as dict.update reads
    them."""
    if isinstance(other, Mapping) or hasattr(other, "keys"):
        for key in other.keys():
            target[key] = other[key]
    else:
        for i, pair in enumerate(other):
            # dict's rule: not a sequence -> TypeError; a sequence of
            # another length than 2 (a str too) -> ValueError
            try:
                items = tuple(pair)
            except TypeError as exc:
                raise TypeError(f"StrDict.update: item {i} is not a (key, value) pair: "
                                f"{pair!r}") from exc
            if len(items) != 2:
                raise ValueError(f"StrDict.update: item {i} has length {len(items)}; "
                                 f"a (key, value) pair has 2: {pair!r}")
            target[items[0]] = items[1]
    for key, value in kwargs.items():
        target[key] = value


class StrDict(_core.StrDict[V]):
    """StrDict(value_dtype='int64', items=(), **kwargs)

    A ``dict`` from ``str`` to values that stores its keys as UTF-8 in one
    arena with a table of integer ids (no ``str`` object per key) and its
    values unboxed: ``value_dtype`` is any ``Array`` dtype, ``'str'`` or
    ``'object'``.  Insertion order, views, ``|``, ``popitem`` and the
    ``RuntimeError`` on a size change during iteration behave as for
    ``dict``.  Counting: ``d.increment(key)``, ``StrDict.count(tokens)``,
    ``d.most_common(n)``.

    >>> d = StrDict('int64', {'a': 1}); d['b'] = 2; list(d.items())
    [('a', 1), ('b', 2)]
    """

    __slots__ = ()

    # The value type follows a literal value dtype, as Array's item type
    # does: StrDict() and StrDict('int32') are StrDict[int], 'str' a
    # StrDict[str], 'object' and any other dtype a StrDict[Any].
    @overload
    def __init__(self: StrDict[int], value_dtype: _IntDType = "int64",
                 items: _Pairs[int | None] = (), **kwargs: int | None) -> None: ...
    @overload
    def __init__(self: StrDict[float], value_dtype: _FloatDType,
                 items: _Pairs[float | None] = (), **kwargs: float | None) -> None: ...
    @overload
    def __init__(self: StrDict[bool], value_dtype: Literal["bool"],
                 items: _Pairs[bool | None] = (), **kwargs: bool | None) -> None: ...
    @overload
    def __init__(self: StrDict[str], value_dtype: Literal["str"],
                 items: _Pairs[str | None] = (), **kwargs: str | None) -> None: ...
    @overload
    def __init__(self: StrDict[datetime.datetime], value_dtype: _DatetimeDType,
                 items: _Pairs[Any] = (), **kwargs: Any) -> None: ...
    @overload
    def __init__(self: StrDict[datetime.timedelta], value_dtype: _TimedeltaDType,
                 items: _Pairs[Any] = (), **kwargs: Any) -> None: ...
    @overload
    def __init__(self: StrDict[datetime.date], value_dtype: _DateDType,
                 items: _Pairs[Any] = (), **kwargs: Any) -> None: ...
    @overload
    def __init__(self: StrDict[datetime.time], value_dtype: _TimeDType,
                 items: _Pairs[Any] = (), **kwargs: Any) -> None: ...
    @overload
    def __init__(self: StrDict[Any], value_dtype: object,
                 items: _Pairs[Any] = (), **kwargs: Any) -> None: ...
    def __init__(self, value_dtype="int64", items=(), **kwargs):
        # value_dtype and items may be given by keyword, so they cannot be
        # keys given as keywords (pass those in items)
        if not (items or kwargs):
            return
        if len(self):  # __init__ called again on a filled dict: as update
            self.update(items, **kwargs)
            return
        # straight into the new dict, without update's staging copy: building
        # holds no second copy of the pairs (issue 14); a failure leaves it
        # empty, as it was
        try:
            _fill(self, items, kwargs)
        except BaseException:
            self.clear()
            raise

    # ---- views -----------------------------------------------------------------------

    def keys(self) -> KeysView[str]:
        return StrDictKeys(self)

    def values(self) -> ValuesView[V]:
        return StrDictValues(self)

    def items(self) -> ItemsView[str, V]:
        return StrDictItems(self)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self))

    # ---- bulk ------------------------------------------------------------------------

    def update(self, other: _Pairs[V] = (), /, **kwargs: V) -> None:
        """Add every pair of a mapping or an iterable of pairs, then the
        keyword arguments.  All or nothing: the pairs are checked into a
        staging dict first, so a bad key or value changes nothing."""
        staging = _core.StrDict(self.value_dtype)
        _fill(staging, other, kwargs)
        self._merge(staging)

    def __ior__(self, other: _Pairs[V]) -> Self:
        self.update(other)
        return self

    def __or__(self, other: Mapping[str, V]) -> Self:
        if not isinstance(other, Mapping):
            return NotImplemented
        new = self.copy()
        new.update(other)
        return new

    def __ror__(self, other: Mapping[str, V]) -> Self:
        if not isinstance(other, Mapping):
            return NotImplemented
        new: Self = type(self)(self.value_dtype, other)
        new.update(self)
        return new

    @classmethod
    def fromkeys(cls, keys: Iterable[str], value: Any = None, value_dtype: Any = None) -> StrDict[Any]:
        """A new StrDict with every key set to value; value_dtype defaults
        to what value is (None and other objects: 'object')."""
        d = cls(value_dtype or _infer_value_dtype(value))
        d.update((key, value) for key in keys)
        return d

    # ---- counting ------------------------------------------------------------------------

    @overload
    @classmethod
    def count(cls, iterable: Iterable[str], value_dtype: _IntDType = "int64") -> StrDict[int]: ...
    @overload
    @classmethod
    def count(cls, iterable: Iterable[str], value_dtype: _FloatDType) -> StrDict[float]: ...
    @overload
    @classmethod
    def count(cls, iterable: Iterable[str], value_dtype: object) -> StrDict[Any]: ...
    @classmethod
    def count(cls, iterable, value_dtype="int64"):
        """A StrDict mapping each str of iterable to how often it occurs,
        like ``collections.Counter(iterable)`` (counted in C)."""
        d = cls("int64")
        d._count(iterable)
        if value_dtype != "int64":
            d = cls(value_dtype, d)
        return d

    def most_common(self, n: int | None = None) -> list[tuple[str, V]]:
        """The n pairs with the largest values (all if n is None), largest
        first, ties in insertion order, as ``Counter.most_common``."""
        if n is None:
            return sorted(self.items(), key=itemgetter(1), reverse=True)
        return heapq.nlargest(n, self.items(), key=itemgetter(1))

    # ---- comparison and repr -------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(self) != len(other):
            return False
        for key, value in self.items():
            theirs = other.get(key, _MISSING) if hasattr(other, "get") else _MISSING
            if theirs is _MISSING or not (theirs is value or theirs == value):
                return False
        return True

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        # a StrDict that holds itself shows as {...} there, as a dict does
        key = (id(self), threading.get_ident())
        if key in _REPR_RUNNING:
            return "{...}"
        _REPR_RUNNING.add(key)
        try:
            return self._repr()
        finally:
            _REPR_RUNNING.discard(key)

    def _repr(self):
        n = len(self)
        if n > _REPR_THRESHOLD:
            head = [f"{k!r}: {v!r}" for k, v in islice(self.items(), _REPR_EDGE)]
            tail = list(self.items())[-_REPR_EDGE:]
            body = ", ".join(head + ["..."] + [f"{k!r}: {v!r}" for k, v in tail])
            return f"StrDict({self.value_dtype!r}, {{{body}}}, length={n})"
        body = ", ".join(f"{k!r}: {v!r}" for k, v in self.items())
        return f"StrDict({self.value_dtype!r}, {{{body}}})"

    def __deepcopy__(self, memo: Any) -> Self:
        import copy

        new: Self = type(self)(self.value_dtype)
        memo[id(self)] = new
        if self.value_dtype == "object":
            new.update((k, copy.deepcopy(v, memo)) for k, v in self.items())
        else:
            new.update(self)
        return new


MutableMapping.register(StrDict)

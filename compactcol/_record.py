"""Record classes: annotations become a typed schema.

``class Trade(compactcol.Record)`` with annotated fields is turned by
:class:`RecordMeta` into a class whose instances store their fields unboxed
(the C side, ``_core._record_setup``, gives the class its layout and one
descriptor per field).  Row views of a :class:`compactcol.Table` are
instances of the same class, so methods and properties defined on it work
on rows too.
"""

from __future__ import annotations

import collections.abc
import datetime
import decimal
import re
import sys
import types
import typing

from . import _core

__all__ = ["Record", "Category", "RecordMeta", "spec_of", "record_class_for"]

_MISSING = object()


class Category:
    """Annotation for a dictionary-encoded ``str`` field (a CategoricalArray column).

    >>> class Trade(Record):
    ...     symbol: Category
    """

    def __new__(cls, *args, **kwargs):
        raise TypeError("compactcol.Category is an annotation, not a value type; store a str")


class DType:
    """An Array dtype usable as an annotation: ``compactcol.int32``, ``compactcol.float32``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"compactcol.{self.name}"

    def __reduce__(self):
        return (DType, (self.name,))

    # ``compactcol.int32 | None`` (SPEC 2.6), as ``int | None`` is for a type
    def __or__(self, other):
        return typing.Optional[self] if other is None or other is type(None) else NotImplemented

    def __ror__(self, other):
        return self.__or__(other)


DTYPE_MARKERS = {name: DType(name) for name in _core.DTYPES}

_ALIASES = {"float": "float64", "string": "str", "categorical": "category", "binary": "bytes"}
#: the datetime types' columns, in microseconds as Python's own types count
TEMPORAL_SPECS = {datetime.datetime: "datetime64[us]", datetime.date: "date32",
                  datetime.timedelta: "timedelta64[us]", datetime.time: "time64[us]"}
_UNITS = ("s", "ms", "us", "ns")


def _unit(unit, kind, units=_UNITS):
    if unit not in units:
        raise ValueError(f"compactcol.{kind}: unit {unit!r} is not one of {', '.join(units)}")
    return unit


def zone_name(tzinfo):
    """Arrow's name for a datetime's tzinfo: an IANA key, 'UTC', a fixed
    offset '+05:30'; None for a naive datetime.  A tzinfo of another kind
    (dateutil, a custom class) keeps its instants under 'UTC'."""
    if tzinfo is None:
        return None
    if tzinfo is datetime.timezone.utc:
        return "UTC"
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)  # zoneinfo, pytz
    if isinstance(key, str):
        return key
    if isinstance(tzinfo, datetime.timezone):
        minutes, seconds = divmod(int(tzinfo.utcoffset(None).total_seconds()), 60)
        if not seconds:
            return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return "UTC"


def temporal_spec(present, where):
    """The column type for non-None values all of one datetime type (aware
    datetimes: the zone they share, 'UTC' when they differ), or None."""
    for python_type, spec in TEMPORAL_SPECS.items():  # datetime before its base, date
        if not all(isinstance(v, python_type) for v in present):
            continue
        if python_type is datetime.date and any(isinstance(v, datetime.datetime) for v in present):
            return None
        if python_type is datetime.datetime:
            zones = {zone_name(v.tzinfo) for v in present}
            if None in zones and len(zones) > 1:
                raise TypeError(f"{where}: naive and tz-aware datetimes mixed (pass schema=)")
            if None not in zones:
                return f"datetime64[us, {zones.pop() if len(zones) == 1 else 'UTC'}]"
        return spec
    return None


#: a timestamp dtype with a time zone, as pandas names it
_ZONED = re.compile(r"datetime64\[(s|ms|us|ns), [^\]]+\]")
#: a decimal128 with its precision and scale, as pyarrow names it
_DECIMAL = re.compile(r"decimal128\(\s*(\d+)\s*,\s*(\d+)\s*\)")

#: a plain ``decimal.Decimal`` annotation: 38 digits, 9 after the point
#: (BigQuery's NUMERIC), enough for money and rates; cc.Decimal(p, s) says
#: otherwise
DECIMAL_DEFAULT = "decimal128(38, 9)"


def decimal_spec(present):
    """``decimal128(38, s)`` for values that are Decimals (ints allowed
    among them), s the most digits after the point any finite one has (its
    exponent, trailing zeros included, as pyarrow reads it); None if they
    are not.  38 digits leave room for larger values in later rows."""
    if not any(isinstance(v, decimal.Decimal) for v in present):
        return None
    if not all(isinstance(v, (decimal.Decimal, int)) and not isinstance(v, bool) for v in present):
        return None
    places = max((-v.as_tuple().exponent for v in present
                  if isinstance(v, decimal.Decimal) and v.is_finite()), default=0)
    return f"decimal128(38, {min(max(places, 0), 38)})"


def Decimal(precision: int = 38, scale: int = 0) -> DType:  # noqa: N802 -- a type, as compactcol.Category
    """An exact decimal field (``decimal.Decimal``): Arrow
    ``decimal128(precision, scale)``, up to 38 digits of which ``scale`` are
    after the point, stored as a 16-byte integer.  A value with more digits
    after the point raises ValueError, one with more digits in all
    OverflowError: nothing is rounded.  ``decimal.Decimal`` alone means
    ``Decimal(38, 9)``."""
    name = f"decimal128({precision}, {scale})"
    _core.Array(name)  # a bad precision or scale raises here, not at the first row
    return DType(name)


def Timestamp(unit: str = "us", tz: str | None = None) -> DType:  # noqa: N802 -- a type, as compactcol.Category
    """A timestamp field (``datetime.datetime``) in the given unit: ticks
    since 1970-01-01 as int64, Arrow ``timestamp[unit]``, NumPy
    ``datetime64[unit]``.  ``datetime.datetime`` alone means ``'us'``.
    With ``tz`` ('UTC', '+05:30', an IANA name such as 'Europe/Paris') the
    field takes aware datetimes, stores their UTC instants and gives them
    back in that zone (Arrow ``timestamp[unit, tz]``, pandas
    ``datetime64[unit, tz]``)."""
    unit = _unit(unit, "Timestamp")
    if tz is None:
        return DType(f"datetime64[{unit}]")
    name = f"datetime64[{unit}, {tz}]"
    _core.Array(name)  # an unknown zone raises here, not at the first row
    return DType(name)


def Duration(unit: str = "us") -> DType:  # noqa: N802
    """A duration field (``datetime.timedelta``): Arrow ``duration[unit]``,
    NumPy ``timedelta64[unit]``."""
    return DType(f"timedelta64[{_unit(unit, 'Duration')}]")


def Time(unit: str = "us") -> DType:  # noqa: N802
    """A time-of-day field (``datetime.time``): Arrow ``time64[unit]``."""
    return DType(f"time64[{_unit(unit, 'Time', ('us', 'ns'))}]")
# 'int' is adaptive, as Array('int'): int8 widening to int64 as the values need
_BASE_SPECS = set(_core.DTYPES) | {"int", "str", "bytes", "category"}


def _base_spec(t, where):
    if t is int:
        return "int"
    if t is float:
        return "float64"
    if t is bool:
        return "bool"
    if t is str:
        return "str"
    if t is bytes:
        return "bytes"
    if t is Category:
        return "category"
    if t in TEMPORAL_SPECS:
        return TEMPORAL_SPECS[t]
    if t is decimal.Decimal:
        return DECIMAL_DEFAULT
    if isinstance(t, DType):
        return t.name
    if isinstance(t, str):
        name = _ALIASES.get(t, t)
        if name in _BASE_SPECS or _ZONED.fullmatch(name):  # 'datetime64[us, UTC]'
            return name
        if m := _DECIMAL.fullmatch(name):  # 'decimal128(12,2)' -> 'decimal128(12, 2)'
            return f"decimal128({int(m[1])}, {int(m[2])})"
    name = getattr(t, "name", None) or getattr(t, "__name__", None)
    if type(t).__module__.startswith("numpy") or getattr(t, "__module__", "").startswith("numpy"):
        if name in _BASE_SPECS:  # np.dtype('int32'), np.int32
            return name
    raise (ValueError if isinstance(t, str) else TypeError)(
        f"{where}: unsupported type {t!r} (use int, float, bool, str, bytes, compactcol.Category, "
        f"datetime.datetime / date / timedelta / time, decimal.Decimal, "
        f"an Array dtype such as compactcol.int32 or 'int32', or X | None for nullable)"
    )


def spec_of_column(column, nullable=None) -> str:
    """The schema spec of a column container (an adaptive Array is 'int'),
    nullable as the column is unless told."""
    if isinstance(column, _core.CategoricalArray):
        base = "category"
    elif isinstance(column, _core.StringArray):
        base = "str"
    elif isinstance(column, _core.BinaryArray):
        base = "bytes"
    else:
        base = "int" if column.adaptive else column.dtype
    return base + ("?" if (column.nullable if nullable is None else nullable) else "")


def _unannotated(annotation, where):
    """``Annotated[T, marker]`` -> the marker (an Array dtype such as
    ``compactcol.Timestamp('ns')``, ``compactcol.Category``) in place of T,
    kept nullable if T is ``X | None``: the form a type checker accepts,
    where a call such as ``compactcol.Decimal(12, 2)`` is no annotation."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return annotation
    inner, *metadata = typing.get_args(annotation)
    markers = [m for m in metadata if isinstance(m, DType) or m is Category]
    if len(markers) > 1:
        raise TypeError(f"{where}: {annotation!r}: more than one compactcol dtype")
    if not markers:
        return inner
    if typing.get_origin(inner) in (typing.Union, types.UnionType) and type(None) in typing.get_args(inner):
        return typing.Optional[markers[0]]
    return markers[0]


def spec_of(annotation, where: str = "schema") -> str:
    """The schema spec of a type: ``int`` -> ``'int'`` (adaptive), ``float | None`` -> ``'float64?'``,
    ``'str?'`` -> ``'str?'``, ``compactcol.Category`` -> ``'category'``,
    ``Annotated[datetime, compactcol.Timestamp('ns')]`` -> ``'datetime64[ns]'``."""
    annotation = _unannotated(annotation, where)
    if isinstance(annotation, str):
        nullable = annotation.endswith("?")
        return _base_spec(annotation[:-1] if nullable else annotation, where) + ("?" if nullable else "")
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            raise TypeError(f"{where}: {annotation!r}: only X | None unions are supported")
        return _base_spec(rest[0], where) + "?"
    return _base_spec(annotation, where)


def _is_classvar(annotation) -> bool:
    return annotation is typing.ClassVar or typing.get_origin(annotation) is typing.ClassVar


def _own_fields(name, ns, outer):
    """(name, spec[, default]) for the annotations of a class body; pops the defaults.
    String annotations are evaluated in the class's module, the scope that
    defines the class (outer: that frame's locals) and the class body."""
    annotations = ns.get("__annotations__", {})
    module = sys.modules.get(ns.get("__module__", ""), None)
    globalns = dict(vars(module)) if module else {}
    globalns.update(outer)
    globalns.setdefault("Category", Category)
    fields = []
    for fname, ann in annotations.items():
        if isinstance(ann, str):
            try:
                ann = eval(ann, globalns, dict(ns))  # from __future__ import annotations
            except Exception:
                pass  # a plain spec string such as 'int32?' stays a string
        if _is_classvar(ann):
            continue
        spec = spec_of(ann, f"{name}.{fname}")
        default = ns.pop(fname, _MISSING)
        fields.append((fname, spec) if default is _MISSING else (fname, spec, default))
    return fields


def _signature(cls):
    """inspect.Signature of a Record class's constructor: its fields in
    order, as annotated (the schema spec for a class built from a schema)."""
    import inspect

    annotations = {}
    for klass in reversed(cls.__mro__):
        annotations.update(klass.__dict__.get("__annotations__", {}))
    params = []
    for field in cls.__compactcol_schema__.fields:
        default = field[2] if len(field) > 2 else inspect.Parameter.empty
        params.append(inspect.Parameter(field[0], inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        default=default,
                                        annotation=annotations.get(field[0], field[1])))
    # a required field may follow one with a default (a nullable field
    # defaults to None), which a def could not say: not validated
    return inspect.Signature(params, __validate_parameters__=False)


@typing.dataclass_transform(eq_default=True, order_default=False, kw_only_default=False)
class RecordMeta(type):
    """Metaclass of Record: reads the annotations and lays the class out."""

    @property
    def __signature__(cls):
        # inspect.signature(Trade) and help(Trade): Trade(id: int, ...)
        return _signature(cls)

    def __new__(mcls, name, bases, ns, **kwargs):
        if ns.get("__slots__", ()) not in ((), []):
            raise TypeError(f"{name}: a Record stores its fields itself; declare them as "
                            f"annotations, not __slots__")
        ns["__slots__"] = ()
        outer = sys._getframe(1).f_locals if hasattr(sys, "_getframe") else {}
        own = _own_fields(name, ns, outer)
        inherited = []
        for base in bases:
            schema = getattr(base, "__compactcol_schema__", None)
            if schema is not None:
                inherited = list(schema.fields)
                break
        names = {f[0] for f in own}
        fields = [f for f in inherited if f[0] not in names] + own
        cls = super().__new__(mcls, name, bases, ns, **kwargs)
        _lay_out(cls, _core.Schema(fields))
        return cls


def _lay_out(cls, schema):
    """Gives cls its fields: namedtuple's class attributes (``_fields``,
    ``_field_defaults``), which pandas and other libraries read to name the
    columns of rows, then the C layout and one descriptor per field (a field
    of the same name wins, as it does over ``as_dict``)."""
    cls._fields = schema.names
    cls._field_defaults = {f[0]: f[2] for f in schema.fields if len(f) > 2}
    _core._record_setup(cls, schema)


class Record(_core.RecordBase, metaclass=RecordMeta):
    """Base class of typed records: annotations declare the fields.

    >>> class Trade(Record):
    ...     id: int
    ...     symbol: Category
    ...     price: float
    ...     note: str | None = None
    >>> t = Trade(1, "AAPL", 1.5)
    >>> t.price, t["symbol"], t[0], t.as_dict()["note"]
    (1.5, 'AAPL', 1, None)

    Instances store numbers unboxed (five int64 fields take 64 bytes), have no
    ``__dict__`` and are not tracked by the garbage collector.  They compare,
    print and pickle like dataclasses; ``tuple(r)`` and ``r.as_dict()`` give
    the values.  Rows of a :class:`Table` are instances of the same class.

    Like a namedtuple, a Record is a ``collections.abc.Sequence`` of its
    values with ``_fields``, ``_field_defaults``, ``_asdict()`` and
    ``_replace()``, so ``pd.DataFrame(rows)`` names the columns.
    """

    if typing.TYPE_CHECKING:
        _fields: typing.ClassVar[tuple[str, ...]]
        _field_defaults: typing.ClassVar[dict[str, typing.Any]]

    def _asdict(self) -> dict[str, typing.Any]:
        """The fields as a dict, in order (namedtuple's name for as_dict)."""
        return _core.RecordBase.as_dict(self)

    def _replace(self, /, **changes: typing.Any) -> typing.Self:
        """A new standalone record with the given fields changed (a row of a
        Table stays as it is), as namedtuple._replace and dataclasses.replace."""
        return type(self)(**{**_core.RecordBase.as_dict(self), **changes})


# A Sequence of its values, as a namedtuple is: pandas names a frame's
# columns from the rows' _fields only for Sequences (is_named_tuple), and
# sequence patterns (match row: case [id, price]) match.
collections.abc.Sequence.register(Record)


def _generated_reduce(self):
    return (_generated_record, (self.__compactcol_schema__.fields, tuple(self)))


def _generated_record(fields, values):
    return record_class_for(tuple(fields))(*values)


_generated: dict = {}


def record_class_for(fields: tuple, name: str = "Row"):
    """The generated Record class of a dict schema (one per distinct schema)."""
    schema = _core.Schema(fields)
    # keyed by the normalised fields: ('s', 'str?') and ('s', 'str?', None)
    # (as a pickle records it) are one schema and must give one class
    key = (tuple(schema.fields), name)
    if key in _generated:
        return _generated[key]
    ns = {"__slots__": (), "__module__": __name__, "__qualname__": name,
          "__reduce__": _generated_reduce, "_compactcol_generated": True}
    cls = type.__new__(RecordMeta, name, (Record,), ns)
    _lay_out(cls, schema)
    if len(_generated) < 1024:
        _generated[key] = cls
    return cls


def extend_record_class(base, fields: tuple):
    """A subclass of the Record class `base` with `fields` (base's fields first)."""
    # the user's class it grew from: a pickle names that one (this subclass
    # cannot be found by name) and extends it again on loading
    root = getattr(base, "_compactcol_extends", base)
    ns = {"__slots__": (), "__module__": base.__module__, "__qualname__": base.__qualname__,
          "_compactcol_extends": root}
    if getattr(base, "_compactcol_generated", False):
        return record_class_for(fields)
    cls = type.__new__(RecordMeta, base.__name__, (base,), ns)
    _lay_out(cls, _core.Schema(fields))
    return cls

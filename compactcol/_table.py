"""compactcol.Table: the drop-in for a list of records.

The C type (``_core.Table``) stores one typed column per field and does the
row work (append, extend, insert, pop, del, indexing, iteration, sort, take);
this facade resolves schemas, infers them, and adds the column-level and
conversion methods whose cost is not per row.
"""

from __future__ import annotations

import importlib
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, SupportsIndex, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import Buffer

from . import _core
from ._compact import CATEGORY_MAX_DISTINCT, compact_column, compact_columns
from ._record import Record, record_class_for, temporal_spec, decimal_spec, extend_record_class, spec_of, spec_of_column

__all__ = ["Table"]

#: the record class of a Table: Table[Trade] iterates Trade rows
R = TypeVar("R", bound=Record)

#: rows looked at by Table.from_records to infer a schema
INFER_ROWS = 1000


def _resolve(schema):
    """(Schema, Record class) for a Record subclass, a {name: type} dict or a Schema."""
    if isinstance(schema, type) and issubclass(schema, Record):
        if schema is Record:
            raise TypeError("Table(Record): give a Record subclass with annotated fields")
        return schema.__compactcol_schema__, schema
    if isinstance(schema, _core.Schema):
        cls = record_class_for(schema.fields)
        return cls.__compactcol_schema__, cls
    if isinstance(schema, Mapping):
        fields = []
        for name, t in schema.items():
            if not isinstance(name, str):
                raise TypeError(f"Table: column names must be str, not {type(name).__name__} ({name!r})")
            fields.append((name, spec_of(t, f"Table: field {name!r}")))
        cls = record_class_for(tuple(fields))
        return cls.__compactcol_schema__, cls
    raise TypeError(f"Table(schema): expected a Record subclass or a dict of field types, "
                    f"not {type(schema).__name__}")


def _column_container(spec, values):
    nullable = spec.endswith("?")
    base = spec.rstrip("?")
    if base == "str":
        return _core.StringArray(values, nullable=nullable)
    if base == "bytes":
        return _core.BinaryArray(values, nullable=nullable)
    if base == "category":
        return _core.CategoricalArray(values, nullable=nullable)
    return _core.Array(base, values, nullable=nullable)


def _field_names(row):
    if isinstance(row, Mapping):
        return list(row)
    if isinstance(row, Record):
        return list(row.__compactcol_schema__.names)
    fields = getattr(row, "_fields", None) or getattr(row, "__dataclass_fields__", None)
    if fields is not None:
        return list(fields)
    raise TypeError(f"Table.from_records: cannot infer field names from a {type(row).__name__}; "
                    f"pass schema=")


def _value_of(row, name):
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _infer_spec(name, values):
    """The spec for one field from the values seen in the first rows."""
    present = [v for v in values if v is not None]
    nullable = "?" if len(present) < len(values) else ""
    kinds = {type(v) for v in present}
    if not present:
        return "str?"
    if kinds <= {bool}:
        return "bool" + nullable
    if kinds <= {int}:
        return "int" + nullable  # adaptive: as narrow as the values allow
    if kinds <= {int, float}:
        return "float64" + nullable
    spec = temporal_spec(present, f"Table.from_records: field {name!r}") or decimal_spec(present)
    if spec:
        return spec + nullable
    if kinds <= {str}:
        distinct = len(set(present))
        if distinct <= CATEGORY_MAX_DISTINCT and 2 * distinct <= len(present):
            return "category" + nullable
        return "str" + nullable
    if kinds <= {bytes}:
        return "bytes" + nullable
    raise TypeError(f"Table.from_records: field {name!r} holds {sorted(k.__name__ for k in kinds)}; "
                    f"a column takes one of int, float, bool, str, bytes, datetime, date, "
                    f"timedelta, time or Decimal (pass schema=)")


def _unique(names, columns):
    """zip(names, columns), refusing a repeated name (RT5) -- a dict would drop it."""
    seen = set()
    for n in names:
        if n in seen:
            raise ValueError(f"Table: duplicate column name {n!r}")
        seen.add(n)
    return zip(names, columns)


def infer_schema(rows, declared=None) -> dict:
    """{name: spec} inferred from rows (see Table.from_records for the rules);
    the fields in declared ({name: spec}) keep their spec."""
    if not rows:
        raise ValueError("Table.from_records: no rows to infer a schema from; pass schema=")
    declared = declared or {}
    names = _field_names(rows[0])
    return {n: declared[n] if n in declared else _infer_spec(n, [_value_of(r, n) for r in rows])
            for n in names}


#: rows given to one Table.extend after the sampled ones, when the records
#: are not a list: a row that needs a column widened is found in its batch,
#: the rows before it are kept, and only a batch is held at once (4,096
#: dicts of 20 fields: a few MB; larger batches measured no faster)
_BATCH = 1 << 12
#: the prefix of a container's message about its one value
_ITEM_PREFIX = re.compile(r"^.*?item 0: ")


def _at(error, row, field):
    """error, carrying row (the index in the user's records) and field as
    Table.extend's errors do."""
    error.row, error.field = row, field
    return error


def _fit_error(spec, value):
    """The exception a column of spec raises for value, or None if it takes it."""
    try:
        _column_container(spec, [value])
    except (TypeError, ValueError, OverflowError) as e:
        return e
    return None


class _Build:
    """Table.from_records past the schema: extend the table batch by batch,
    widening an inferred column when a row needs it (a None: nullable; a
    float in an 'int' column: 'float64'), else raising the error that says
    which schema= takes the row."""

    def __init__(self, table, declared, sampled):
        self.table = table
        self.declared = declared
        self.sampled = sampled
        self.records = None  # all of them when they are a list: the suggestion looks ahead

    def run(self, head, it):
        start = 0
        batch = head
        while batch:
            self.extend(batch, start)
            start += len(batch)
            batch = list(itertools.islice(it, _BATCH))
        return self.table

    def extend(self, batch, start):
        """Table.extend(batch), widening a column each time a row needs it:
        the error carries the failing row's position in the batch and its
        field (``.row``, ``.field``), so the rows before it go in, the column
        is widened and the rest is tried again."""
        pos = 0
        while pos < len(batch):
            part = batch[pos:] if pos else batch
            try:
                self.table.extend(part)
                return
            except Exception as e:  # noqa: BLE001 -- widened, or raised again below
                k = getattr(e, "row", None)
                if not isinstance(k, int) or not 0 <= k < len(part):
                    raise  # not about one row (a commit refused, the iterator's own error)
                if k:
                    # the rows before it converted; again (a row's own code may
                    # answer differently the second time) they may need widening
                    self.extend(part[:k], start + pos)
                self._widen_or_raise(part[k], start + pos + k, e)
                pos += k  # that row again, into the widened table

    def _widen_or_raise(self, row, index, error):
        """Widen the column that refused row (error.field), or raise the error
        naming the row (index in the user's records), the field and the
        override; error is the table's, about the row at error.row of the
        batch, with a message saying Table.extend and counting from the batch."""
        name = getattr(error, "field", None)
        spec = self.table.schema.get(name) if isinstance(name, str) else None
        if spec is not None:
            try:
                value = _value_of(row, name)
            except Exception:  # noqa: BLE001 -- the row's own code: the error below
                problem = None
            else:
                problem = _fit_error(spec, value)
            if problem is not None:
                base = spec.rstrip("?")
                if name not in self.declared:
                    if value is None:
                        self._replace(name, spec + "?")
                        return
                    if base == "int" and isinstance(value, float):
                        self._replace(name, "float64" + spec[len(base):])
                        return
                raise _at(self._error(name, spec, value, index, problem), index, name) from None
        # the row itself (its shape, an unknown key, the user's own exception),
        # or a value its column takes on its own: the table's message, renumbered
        prefix = f"Table.extend: row {error.row}"
        message = str(error)
        if type(error) in (TypeError, ValueError, OverflowError) and message.startswith(prefix):
            raise _at(type(error)(f"Table.from_records: row {index}{message[len(prefix):]}"),
                      index, name) from None
        error.add_note(f"Table.from_records: row {index}")
        raise _at(error, index, name)

    def _replace(self, name, spec):
        """The column of name as spec: nullable, or int -> float64; O(n) once."""
        table = self.table
        specs = table.schema
        i = list(specs).index(name)
        column = table._columns[i]
        if spec.rstrip("?") == "float64":
            new = _core.Array("float64", column, nullable=spec.endswith("?"))
        else:
            from ._files import _exact
            new = _exact(column, True, adaptive=getattr(column, "adaptive", False))
        specs[name] = spec
        s, record_class = _resolve(specs)
        columns = table._columns
        table._replace_columns(s, record_class, columns[:i] + (new,) + columns[i + 1:])

    def _error(self, name, spec, value, index, problem):
        reason = _ITEM_PREFIX.sub("", str(problem))
        if value is None:
            reason = f"None in a non-nullable {spec} field"
        if name in self.declared:
            how = f"schema= declares it {spec!r}"
        else:
            how = f"{spec!r} was inferred from the first {self.sampled:,} rows"
        fix = self._suggest(name, spec, value)
        if fix is None:
            kinds = sorted({type(v).__name__ for v in self._values(name, value) if v is not None})
            advice = (f"no one column type holds {' and '.join(kinds)} values together: "
                      f"convert them first" if len(kinds) > 1 else
                      f"these {kinds[0]} values do not fit one column type (as "
                      f"inferring them all would say): convert them first")
        else:
            advice = f"pass schema={{{name!r}: {fix!r}}}"
            if name not in self.declared:
                advice += " (the other fields are still inferred)"
        return type(problem)(f"Table.from_records: row {index}, field {name!r}: {reason}; "
                             f"{how}; {advice}")

    def _values(self, name, value):
        if self.records is not None:
            return [_value_of(r, name) for r in self.records]
        return self.table.column(name).tolist() + [value]

    def _suggest(self, name, spec, value):
        """A spec whose column takes the field's values (all of them when the
        records are a list; else those so far and value), or None.  O(n), once."""
        values = self._values(name, value)
        nullable = "?" if spec.endswith("?") or any(v is None for v in values) else ""
        candidates = []
        if value is None:
            candidates.append(spec.rstrip("?") + "?")
        try:
            candidates.append(_infer_spec(name, values).rstrip("?") + nullable)
        except TypeError:
            pass
        if any(isinstance(v, int) and not isinstance(v, bool) for v in values):
            candidates += ["int" + nullable, "float64" + nullable]  # bools and ints: 'int'
        for c in candidates:
            try:
                _column_container(c, values)
            except (TypeError, ValueError, OverflowError):
                continue
            return c
        return None


def _rows_equal(view, other) -> bool:
    if isinstance(other, Mapping):
        return view.as_dict() == dict(other)
    if isinstance(other, Record):
        return tuple(view) == tuple(other) and list(view.__compactcol_schema__.names) == list(
            other.__compactcol_schema__.names)
    if isinstance(other, (tuple, list)):
        return tuple(view) == tuple(other)
    return view == other


def _ints_made_adaptive(fields, columns, now):
    """(fields, columns) of a pickle made when an ``int`` annotation meant
    'int64': where the Record class now says 'int' (adaptive) and the pickle
    'int64', the column becomes adaptive (its buffer kept: it widens from
    int64, so it never needs to), so such pickles still load."""
    from ._files import _exact
    fields, columns = list(fields), list(columns)
    for i, (old, new) in enumerate(zip(fields, now)):
        if (isinstance(old, tuple) and len(old) == len(new) and old[0] == new[0]
                and old[2:] == new[2:] and isinstance(old[1], str)
                and old[1].replace("int64", "int", 1) == new[1] and new[1].rstrip("?") == "int"
                and i < len(columns) and isinstance(columns[i], _core.Array)):
            fields[i] = new
            columns[i] = _exact(columns[i], columns[i].nullable, adaptive=True)
    return tuple(fields), tuple(columns)


def _table_from_state(cls, fields, record_class, columns, rows=None):
    if not (isinstance(cls, type) and issubclass(cls, _core.Table)):
        raise TypeError(f"Table pickle state: {cls!r} is not a Table class")
    if record_class is not None and not (isinstance(record_class, type) and
                                         issubclass(record_class, Record)):
        raise TypeError(f"Table pickle state: {record_class!r} is not a Record class")
    if not isinstance(fields, tuple):
        raise TypeError(f"Table pickle state: fields must be a tuple, not {type(fields).__name__}")
    schema = record_class.__compactcol_schema__ if record_class is not None else _core.Schema(fields)
    if record_class is None:
        record_class = record_class_for(tuple(schema.fields))
        schema = record_class.__compactcol_schema__
    elif tuple(schema.fields) != tuple(fields):
        fields, columns = _ints_made_adaptive(fields, tuple(columns), tuple(schema.fields))
        n = len(schema.fields)
        if tuple(fields) != tuple(schema.fields):
            if tuple(fields[:n]) != tuple(schema.fields) or len(fields) == n:
                raise ValueError(f"Table pickle: {record_class.__qualname__} now has other "
                                 f"fields")
            # the table had columns added to the class (Table.add_column)
            record_class = extend_record_class(record_class, tuple(fields))
            schema = record_class.__compactcol_schema__
    return _core.Table.__new__(cls, schema, record_class, columns, rows)


class Table(_core.Table, Generic[R]):  # type: ignore[misc]
    """A list of records stored as one typed column per field.

    >>> class Trade(Record):
    ...     id: int
    ...     symbol: Category
    ...     price: float
    >>> trades = Table(Trade)            # or Table({'id': 'int64', 'symbol': 'category', ...})
    >>> trades.append({'id': 1, 'symbol': 'AAPL', 'price': 1.5})
    >>> trades.extend([(2, 'MSFT', 2.0), Trade(3, 'AAPL', 1.25)])
    >>> trades[0].price, trades[-1].symbol, len(trades)
    (1.5, 'AAPL', 3)
    >>> trades['price']                  # the column itself, zero-copy
    Array('float64', [1.5, 2.0, 1.25])

    Rows are accepted as Record instances, dicts, tuples, dataclasses,
    namedtuples or any object with the fields as attributes; they come back
    as views (instances of the Record class) that read and write the table.
    A failing append/extend/insert changes nothing and names the row and
    the field, in its message and as the error's ``row`` (the position in
    the call's input; 0 for append/insert) and ``field`` attributes.
    """

    __slots__ = ()

    def __new__(cls, schema, rows=None):
        s, record_class = _resolve(schema)
        return super().__new__(cls, s, record_class)

    @overload
    def __init__(self, schema: type[R], rows: Iterable[Any] | None = None) -> None: ...
    @overload
    def __init__(self: Table[Any], schema: Mapping[str, Any] | _core.Schema,
                 rows: Iterable[Any] | None = None) -> None: ...
    def __init__(self, schema, rows=None):
        if rows is not None:
            self.extend(rows)

    if TYPE_CHECKING:  # the rows are instances of the record class (the C base says Any)
        def __iter__(self) -> Iterator[R]: ...
        @overload
        def __getitem__(self, key: SupportsIndex, /) -> R: ...
        @overload
        def __getitem__(self, key: slice, /) -> Table[R]: ...
        @overload
        def __getitem__(self, key: str, /) -> Any: ...
        def __getitem__(self, key: Any, /) -> Any: ...
        def pop(self, i: SupportsIndex = -1, /) -> R: ...
        @property
        def record_class(self) -> type[R]: ...

    # ---- schema ----

    @property
    def schema(self) -> dict:
        """{name: type} -- the Array dtype name, 'str' or 'category', '?' when nullable."""
        return {f[0]: f[1] for f in self._schema.fields}

    @property
    def nbytes(self) -> int:
        """Payload bytes of every column (values, offsets, validity, codes and categories)."""
        return sum(c.nbytes for c in self._columns)

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + sum(sys.getsizeof(c) for c in self._columns)

    def add_column(self, name: str, values, dtype=None) -> None:
        """Append a column (copied from values, one per row); dtype inferred when None.

        The rows become instances of a subclass of the record class with the new field.
        """
        if not isinstance(name, str):
            raise TypeError(f"Table.add_column: name must be a str, not {type(name).__name__}")
        if name in self.columns:
            raise ValueError(f"Table.add_column: there is already a column {name!r}")
        values = list(values) if not hasattr(values, "__len__") else values
        spec = spec_of(dtype, f"Table.add_column({name!r})") if dtype is not None else \
            _infer_spec(name, list(values))
        column = _column_container(spec, values)
        if len(column) != len(self):
            raise ValueError(f"Table.add_column: {len(column)} values for {len(self)} rows")
        fields = tuple(self._schema.fields) + ((name, spec),)
        cls = extend_record_class(self.record_class, fields)
        self._replace_columns(cls.__compactcol_schema__, cls, self._columns + (column,))

    def drop_column(self, name: str) -> None:
        """Remove a column; rows become instances of a generated Record class."""
        self._check_name(name, "drop_column")
        keep = [i for i, n in enumerate(self.columns) if n != name]
        fields = tuple(self._schema.fields[i] for i in keep)
        cls = record_class_for(fields)
        self._replace_columns(cls.__compactcol_schema__, cls, tuple(self._columns[i] for i in keep))

    def rename(self, mapping: Mapping) -> None:
        """Rename columns ({old: new}); rows become instances of a generated Record class."""
        for old in mapping:
            self._check_name(old, "rename")
        fields = tuple((mapping.get(f[0], f[0]),) + tuple(f[1:]) for f in self._schema.fields)
        cls = record_class_for(fields)
        self._replace_columns(cls.__compactcol_schema__, cls, self._columns)

    def _check_name(self, name, what):
        if name not in self.columns:
            raise KeyError(f"Table.{what}: {name!r} is not a column (the columns are {self.columns})")

    # ---- new tables ----

    def filter(self, mask_or_predicate: Callable[[R], object] | Iterable[object] | Buffer) -> Table[R]:
        """Rows where mask (one bool per row) is true, or predicate(row) is true, as a new Table."""
        if callable(mask_or_predicate):
            pred = mask_or_predicate
            return self._filter_mask([bool(pred(r)) for r in self])
        return self._filter_mask(mask_or_predicate)

    def copy(self) -> Table[R]:
        """A new Table with copies of the columns: O(1) per column.

        The copies share the columns' buffers (copy-on-write): whichever
        table writes first copies what it changes, the other keeps its values.
        """
        columns = tuple(c.copy() for c in self._columns)
        return _core.Table.__new__(type(self), self._schema, self.record_class, columns, len(self))

    __copy__ = copy

    def __deepcopy__(self, memo) -> Table[R]:
        return self.copy()

    # ---- conversion ----

    def to_dicts(self) -> list:
        """The rows as a list of dicts (what the table replaces)."""
        names = self.columns
        return [dict(zip(names, values)) for values in zip(*(c.tolist() for c in self._columns))]

    def to_records(self) -> list:
        """The rows as a list of standalone Record instances."""
        cls = self.record_class
        if not self.columns:
            return [cls() for _ in range(len(self))]
        return [cls(*values) for values in zip(*(c.tolist() for c in self._columns))]

    @classmethod
    def from_records(cls, records, schema=None) -> "Table":
        """A Table of the records (dicts, dataclasses, namedtuples, Records ...).

        The first 1,000 rows decide the fields' types: bools -> 'bool',
        ints -> 'int' (adaptive: int8 widening to int64 as the values
        need), ints and floats -> 'float64', strs -> 'str', or 'category'
        when they hold at most 255 distinct values and at most half as many
        distinct values as rows, bytes -> 'bytes', datetimes, dates,
        timedeltas, times and Decimals their types; a None among them makes
        the field nullable.  A later row widens an inferred field where the
        sampled rows would have given the wider type: a None makes it
        nullable, a float makes an 'int' field 'float64' (a one-time O(n)
        copy of that column).  ``schema=`` a dict naming some of the fields
        declares those and infers the rest (``schema={'dep_time':
        'float64?'}``); naming every field, a Record class or a Schema
        declares them all and nothing is inferred.  A row that fits neither
        raises, naming the row, the field, the value and the ``schema=`` that
        takes it; no table is returned.  See docs/table.md.
        """
        if schema is not None and not isinstance(schema, Mapping):
            return cls(schema, records)  # a Record class or a Schema: as declared
        it = iter(records)
        head = list(itertools.islice(it, INFER_ROWS))
        names = None
        if head:
            try:
                names = _field_names(head[0])
            except TypeError:
                if schema is None:
                    raise
        if names is None:
            if schema is None:
                return cls(infer_schema(head))  # no rows: raises
            return cls(schema, itertools.chain(head, it))  # rows by position: as declared
        if schema is not None and all(n in schema for n in names):
            table = cls(schema)  # every field declared (more are filled by default)
            declared = set(table.schema)
        else:
            overrides = schema or {}
            unknown = [k for k in overrides if k not in names]
            if unknown:
                raise ValueError(f"Table.from_records: schema= names "
                                 f"{', '.join(map(repr, unknown))}, which the records do not have "
                                 f"(their fields are {names}); give every field, or only some of "
                                 f"these to infer the rest")
            specs = {n: spec_of(t, f"Table.from_records: schema field {n!r}")
                     for n, t in overrides.items()}
            table = cls(infer_schema(head, specs))
            declared = set(specs)
        build = _Build(table, declared, len(head))
        if isinstance(records, (list, tuple)):  # one extend, as fast as Table(schema, rows)
            build.records = records
            build.extend(records, 0)
            return build.table
        return build.run(head, it)

    @classmethod
    def _from_columns(cls, names, columns, rows=None) -> "Table":
        """A Table adopting fresh column containers (all of one length, and
        of `rows` when given: a table without columns still has rows)."""
        s, record_class = _resolve({n: spec_of_column(c) for n, c in _unique(names, columns)})
        return _core.Table.__new__(cls, s, record_class, tuple(columns), rows)

    @classmethod
    def from_arrow(cls, obj, *, copy=False, compact=False) -> "Table":
        """A Table from any table-like producer of the Arrow PyCapsule interface.

        ``pyarrow.Table`` / ``RecordBatch`` / ``RecordBatchReader``,
        ``polars.DataFrame``, a DuckDB relation, nanoarrow ...: each field
        becomes a column (ints, floats, bools -> Array; string, large_string,
        string_view -> 'str'; binary, large_binary, binary_view -> 'bytes';
        dictionaries of strings -> 'category'; a field
        with nulls is nullable).

        Zero-copy by default: number and string/large_string columns of a
        single batch share the producer's buffers (validated: O(n) over
        string offsets and UTF-8, O(1) for numbers) until their first write,
        which copies; the producer's batch is released when the last column
        sharing it goes.  Bools, string views, dictionaries and a stream of
        several batches are copied.  ``copy=True`` copies everything; O(n).

        ``compact=True`` trades that for memory, in an O(n) pass: integer
        columns become adaptive 'int' (the narrowest width their values
        fit) and str columns 'category' by ``from_records``' rule (at most
        255 distinct values, at most half as many as non-null values);
        those are copies, the other columns are imported as without it.

        >>> import pyarrow as pa                                 # doctest: +SKIP
        >>> Table.from_arrow(pa.table({"id": [1, 2], "name": ["a", None]}))  # doctest: +SKIP
        Table(Row, [Row(id=1, name='a'), Row(id=2, name=None)], length=2)
        """
        from ._arrow import import_arrow
        result = import_arrow(obj, "Table.from_arrow", copy)
        if not isinstance(result, tuple):
            raise TypeError(f"Table.from_arrow: expected a table (a struct array or a stream "
                            f"of record batches), got a plain array; use compactcol.from_arrow")
        names, columns, rows = result
        return cls._from_columns(names, compact_columns(columns) if compact else columns, rows)

    def save(self, path) -> None:
        """Write the table to path as an uncompressed Arrow IPC file (Feather v2).

        pyarrow writes the columns' own buffers (no copy on our side); the
        schema metadata records the field specs so 'category', nullable and
        widths come back exactly.  The file is written under a temporary
        name and moved over path.  O(n).  Needs pyarrow.  See docs/files.md.

        >>> Table({"id": "int64"}, [(1,)]).save("trades.arrow")        # doctest: +SKIP
        """
        from ._files import save
        save(self, path)

    @classmethod
    def open(cls, path, *, lazy=True) -> "Table":
        """The table in the Arrow IPC file (Feather v2) at path, memory-mapped.

        Any IPC file: written by ``Table.save``, pyarrow, Polars or DuckDB;
        compressed ones (lz4, zstd) are decompressed into memory.  The table
        is never written back to the file.  A path that is not an IPC file
        raises ValueError, a column type no Table holds TypeError.  Needs
        pyarrow.

        Opening costs O(number of columns), whatever the file's size: each
        column is read through the import of ``Table.from_arrow`` (numbers
        shared with the map in O(1), strings checked in O(n) without a copy,
        bools unpacked) at its first use -- ``t.column(name)`` / ``t[name]``
        reads that column, anything else every column.  A damaged column
        raises there, naming the column, and at every later use.
        ``lazy=False`` reads every column now.  See docs/files.md.

        >>> Table.open("trades.arrow")                                  # doctest: +SKIP
        """
        from ._files import open_file
        return open_file(path, cls, "Table.open", want_table=True, lazy=lazy)

    @classmethod
    def from_pandas(cls, df, *, copy=False, compact=False) -> "Table":
        """A Table with the DataFrame's columns (the index is not a column).

        NumPy numbers and bools keep their dtype (NaN stays NaN); pandas'
        nullable dtypes (Int64, Float64, boolean) and columns with None give
        nullable columns; str and object columns of str become 'str', object
        columns of bytes 'bytes',
        ``pd.Categorical`` of str 'category'.  Other dtypes (datetimes,
        mixed objects) raise TypeError naming the column.

        Zero-copy by default: a contiguous, native-order NumPy number column
        shares the NumPy array's memory, with pandas' Copy-on-Write (always
        from pandas 3; otherwise it is copied): the Table's first write to
        the column copies, so the DataFrame keeps its values, and a later
        write to the DataFrame copies its block, so the Table keeps its
        values.  Arrow-backed columns go through ``from_arrow``.  NumPy
        bools are copied (NumPy lets a True byte be any non-zero value; ours
        are 0 or 1), as are categoricals' codes.  ``copy=True`` copies every
        column; O(n).  ``compact=True``: integer columns as adaptive 'int'
        and str columns as 'category' by ``from_records``' rule, as in
        ``from_arrow``.
        """
        from ._pandas import column_from_pandas
        names = list(df.columns)
        for n in names:
            if not isinstance(n, str):
                raise TypeError(f"Table.from_pandas: column names must be str, not "
                                f"{type(n).__name__} ({n!r})")
        pairs = list(_unique(names, range(len(names))))
        columns = [column_from_pandas(n, df.iloc[:, i], Table._from_columns, copy) for n, i in pairs]
        return cls._from_columns(names, compact_columns(columns) if compact else columns, len(df))

    def to_numpy(self, na_value=None):
        """A NumPy structured array, one field per column (a copy; O(n)).

        Numbers keep their dtype; str and category columns become
        fixed-width 'U' fields as wide as their longest string (NumPy's
        StringDType cannot be a structured field).  Nulls become NaN in float
        columns; in the others ``na_value`` (one value, or a dict by column
        name) is written, and without it a column with nulls raises
        ValueError, as ``Array.to_numpy`` does.

        >>> Table({"id": "int32", "name": "str"}, [(1, "ada")]).to_numpy()  # doctest: +SKIP
        array([(1, 'ada')], dtype=[('id', '<i4'), ('name', '<U3')])
        """
        from ._numpy import table_to_numpy
        return table_to_numpy(self, na_value)

    def to_arrow(self):
        """A pyarrow.Table sharing the columns' buffers (through __arrow_c_stream__).

        It is a snapshot: a later write to the table copies what it touches first,
        so the pyarrow table keeps its values."""
        pa = importlib.import_module("pyarrow")
        return pa.table(self)

    # ``pd.DataFrame(t)`` (docs/interop.md, "DataFrames"): pandas' constructor
    # (3.1) reads any iterable that is not a dict or ndarray-like as
    # ``list(data)``, so it sees our rows; they are namedtuple-like (_record.py),
    # which names the columns, but the dtypes are inferred from Python values.
    # Neither ``__arrow_c_stream__`` nor ``__dataframe__`` is read there, a
    # Mapping or Sequence Table would change what Polars reads, and an
    # ``__array__`` gives unnamed columns: ``to_pandas`` keeps the dtypes.
    def to_pandas(self, *, dtype_backend=None):
        """A pandas.DataFrame with the dtypes ``pa.table(t).to_pandas()`` gives
        (pandas' own defaults: ``str`` strings from pandas 3, float64 with NaN
        for numbers with nulls, object for bools with nulls and bytes), except
        that dates, times of day and decimals are ``ArrowDtype(date32 / time64 /
        decimal128)``;
        categories are ``pd.Categorical``, timestamps and durations
        datetime64 / timedelta64 (nulls NaT).  The table is docs/interop.md's.
        Numbers, bools, categories and str need NumPy and pandas only; a
        column that needs pyarrow without it raises ImportError naming the
        column.  ``dtype_backend='numpy_nullable'`` gives pandas' nullable
        dtypes (Int8 ... UInt64, Float32/64, boolean, string: exact, and
        ``Table.from_pandas`` gives the table back), ``'pyarrow'`` ArrowDtype
        columns, as pandas' own ``dtype_backend``.

        The frame is a snapshot: numeric columns without nulls share the
        columns' buffers (read-only), and a later write to the table copies
        what it touches first, so the frame keeps its values."""
        from ._pandas import table_to_pandas
        return table_to_pandas(self, dtype_backend)

    # ---- Python protocols ----

    def __eq__(self, other):
        if isinstance(other, _core.Table):
            return self.schema == other.schema and all(
                a == b for a, b in zip(self._columns, other._columns)) and len(self) == len(other)
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and all(_rows_equal(r, o) for r, o in zip(self, other))
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        name = self.record_class.__qualname__
        n = len(self)
        shown = [repr(self[i]) for i in range(min(n, 3))]
        if n > 6:
            shown.append("...")
            shown += [repr(self[i]) for i in range(n - 3, n)]
        else:
            shown += [repr(self[i]) for i in range(3, n)]
        rows = ",\n  ".join(shown)
        body = f"[\n  {rows},\n]" if shown else "[]"
        return f"Table({name}, {body}, length={n})"

    def __reduce_ex__(self, protocol):
        rc = self.record_class
        rc = None if getattr(rc, "_compactcol_generated", False) else getattr(rc, "_compactcol_extends", rc)
        return (_table_from_state, (type(self), self._schema.fields, rc, self._columns, len(self)))


def from_arrow(obj, *, copy=False, compact=False):
    """The compactcol container for an Arrow array (or chunked array /
    stream of arrays): integers, floats and bools become an ``Array``,
    strings and large strings a ``StringArray``, string dictionaries a
    ``CategoricalArray``; nulls make it nullable.  A table-like object (a
    struct array or a stream of record batches: ``pyarrow.Table``,
    ``polars.DataFrame``, a DuckDB result) becomes a ``Table``.

    Zero-copy by default: numbers and strings / large strings share the
    producer's buffers -- O(1) for numbers; strings are validated (offsets,
    UTF-8) in O(n) without a copy of their bytes -- and the producer's array
    is released when the last container (or export) sharing it goes.  The
    first write to the container copies, so the producer never sees it.
    Bools (bit-packed in Arrow), string views, dictionaries and a stream of
    several chunks are copied (and validated while copied).  ``copy=True``
    copies everything and releases the producer's buffers at once.
    ``compact=True``: integers as an adaptive 'int' Array, strings as a
    CategoricalArray by ``Table.from_records``' rule (see
    ``Table.from_arrow``).  Unsupported types raise ``TypeError``,
    malformed input ``ValueError``.

    >>> import pyarrow as pa                                # doctest: +SKIP
    >>> from_arrow(pa.array(["a", None]))                   # doctest: +SKIP
    StringArray(['a', None], nullable=True)
    """
    from ._arrow import import_arrow
    result = import_arrow(obj, "compactcol.from_arrow", copy)
    if isinstance(result, tuple):
        names, columns, rows = result
        return Table._from_columns(names, compact_columns(columns) if compact else columns, rows)
    return compact_column(result) if compact else result


def open(path):  # noqa: A001 -- compactcol.open, as io.open
    """The container saved at path (an Arrow IPC file / Feather v2), memory-mapped.

    A file written by ``save`` comes back as what was saved (a ``Table``,
    an ``Array`` of the same dtype, adaptive or not, a ``StringArray``, a
    ``CategoricalArray``); any other IPC file (pyarrow, Polars) as a
    ``Table``.  See ``Table.open`` and docs/files.md.

    >>> compactcol.open("ids.arrow")                                # doctest: +SKIP
    Array('int', [1, 2, 3])
    """
    from ._files import open_file
    return open_file(path, Table, "compactcol.open")

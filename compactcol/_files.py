"""Files: containers saved as Arrow IPC files (Feather v2) and opened again
through a memory map.

``save`` writes what the container's own Arrow export gives (zero-copy on
our side) with pyarrow's IPC writer, uncompressed, and a small JSON in the
schema metadata (key ``b"compactcol"``) recording which container it was
and what Arrow cannot say: an adaptive ``Array('int')``, a nullable column
that holds no null, the field specs of a Table.  ``open_file`` maps the
file, reads it with pyarrow and builds the container through the same
import as ``from_arrow``; a file without our metadata (pyarrow, Polars,
DuckDB wrote it) is read as a table.

This module sits below ``_table``: it never imports it (the Table class is
handed in), so the two do not form an import cycle.
"""

import importlib
import json
import os
import threading

from . import _core
from ._record import spec_of_column

#: the schema metadata key holding what the container needs to come back exactly
META_KEY = b"compactcol"
#: the format of that metadata; a newer one is refused with a message
META_VERSION = 1
#: the column name of a one-column file saved from an Array / StringArray / CategoricalArray
VALUES = "values"

_KINDS = {_core.Array: "Array", _core.StringArray: "StringArray",
          _core.BinaryArray: "BinaryArray", _core.CategoricalArray: "CategoricalArray"}


def _pyarrow(what):
    try:
        return importlib.import_module("pyarrow")
    except ImportError as exc:
        raise ImportError(f"{what} needs pyarrow (>= 14) to read and write Arrow IPC files: "
                          f"pip install 'compactcol[arrow]'") from exc


def _kind_of(obj):
    for cls, kind in _KINDS.items():
        if isinstance(obj, cls):
            return kind
    return None


def _metadata_and_table(pa, obj, what):
    """(the JSON metadata dict, a pyarrow.Table sharing obj's buffers)."""
    if isinstance(obj, _core.Table):
        meta = {"version": META_VERSION, "kind": "Table", "rows": len(obj),
                "fields": [[f[0], f[1]] for f in obj._schema.fields]}
        return meta, pa.table(obj)
    kind = _kind_of(obj)
    if kind is None:
        raise TypeError(f"{what}: expected a Table, Array, StringArray, BinaryArray or "
                        f"CategoricalArray, "
                        f"not {type(obj).__name__}")
    meta = {"version": META_VERSION, "kind": kind, "nullable": bool(obj.nullable)}
    if kind == "Array":
        meta["dtype"] = obj.dtype
        meta["adaptive"] = bool(obj.adaptive)
    return meta, pa.table({VALUES: pa.array(obj)})


def _null_codes_zeroed(pa, table):
    """table with the dictionary indices under nulls set to 0.

    A CategoricalArray stores a null as the code -1 (and clears its
    validity bit); Arrow leaves the value under a null undefined, but
    Polars reads it and refuses the file ("the dictionary key must fit in a
    usize").  Only such columns are touched: their codes are copied (1 byte
    a row, usually), the dictionary and the validity bitmap are shared."""
    pc = importlib.import_module("pyarrow.compute")
    for i, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type) or table.column(i).null_count == 0:
            continue
        chunks = []
        for chunk in table.column(i).chunks:
            idx = chunk.indices
            if chunk.null_count and len(chunk.dictionary):
                filled = pc.fill_null(idx, 0)
                idx = pa.Array.from_buffers(idx.type, len(idx), [idx.buffers()[0], filled.buffers()[1]],
                                            null_count=idx.null_count, offset=0) if idx.offset == 0 \
                    else pc.if_else(pc.is_valid(idx), filled, pa.scalar(None, idx.type))
            chunks.append(pa.DictionaryArray.from_arrays(idx, chunk.dictionary))
        table = table.set_column(i, field, pa.chunked_array(chunks, field.type))
    return table


def save(obj, path) -> None:
    """Write obj to path as an uncompressed Arrow IPC file (Feather v2).

    The file is written next to path under a temporary name and then moved
    over it, so a container still mapped from an older file at that path
    keeps reading the old (unlinked) file, and a failed write leaves path
    as it was.  O(n): the bytes are written once, from the container's own
    buffers.
    """
    what = f"{type(obj).__name__}.save"
    pa = _pyarrow(what)
    # through a symlink to its target, as open(path, "w") writes
    path = os.path.realpath(os.fspath(path))
    tmp = f"{path}.{os.getpid()}-{threading.get_ident()}.tmp"
    meta, table = _metadata_and_table(pa, obj, what)
    try:
        table = _null_codes_zeroed(pa, table)
        table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
        options = pa.ipc.IpcWriteOptions(compression=None)
        with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, table.schema, options=options) as w:
            w.write_table(table)
        table = None  # releases the export: the container can change again
        os.replace(tmp, path)
    except BaseException:
        # not left in this frame for a traceback to keep: it pins the container
        table = None
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(pa, path, what):
    """(pyarrow.Table, copied) from the file at path, memory-mapped.

    ``copied`` is True when some buffer of the table is not inside the map:
    pyarrow decompressed it (an lz4 / zstd file) or moved it into memory."""
    source = pa.memory_map(path, "r")  # OSError (FileNotFoundError, ...) as it comes
    with source:
        size = source.size()
        base = source.read_buffer(size).address if size else 0  # no copy: a view of the map
        source.seek(0)
        try:
            reader = pa.ipc.open_file(source)
        except (pa.ArrowInvalid, OSError) as exc:
            reader = _stream_reader(pa, source)  # the IPC stream format (.arrows) reads too
            if reader is None:
                raise ValueError(f"{what}: {path!r} is not an Arrow IPC file (Feather v2): "
                                 f"{exc}") from exc
        table = reader.read_all()
    return table, not _all_in(table, base, size)


def _stream_reader(pa, source):
    """A reader of the IPC stream format over source, or None if it is not one."""
    source.seek(0)
    try:
        return pa.ipc.open_stream(source)
    except (pa.ArrowInvalid, OSError):
        return None


def _all_in(table, base, size):
    """Whether every buffer of every column lies in [base, base + size)."""
    for column in table.columns:
        for chunk in column.chunks:
            for arr in _with_children(chunk):
                for buf in arr.buffers():
                    if buf is not None and buf.size and not (
                            base <= buf.address and buf.address + buf.size <= base + size):
                        return False
    return True


def _with_children(arr):
    yield arr
    dictionary = getattr(arr, "dictionary", None)
    if dictionary is not None:
        yield from _with_children(dictionary)


def _metadata(schema, path, what):
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{what}: {path!r} has unreadable compactcol metadata: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("version") != META_VERSION:
        raise ValueError(f"{what}: {path!r} has compactcol metadata of another version "
                         f"({meta.get('version') if isinstance(meta, dict) else meta!r}); "
                         f"this compactcol reads version {META_VERSION}")
    return meta


def _exact(column, nullable, adaptive=False):
    """column as the saved container: nullable / adaptive as recorded.

    Arrow says neither (a nullable column without nulls comes back not
    nullable, an adaptive Array as its stored width), so such a column is
    rebuilt from its state: a copy of that column.  Only an Array of signed
    ints can be adaptive; adaptive is ignored for any other column."""
    adaptive = adaptive and isinstance(column, _core.Array) and column.dtype in _SIGNED
    if column.nullable == nullable and getattr(column, "adaptive", adaptive) == adaptive:
        return column
    _, state = column.__reduce_ex__(5)
    if isinstance(column, _core.Array):
        dtype, _, _, byteorder, length, data, validity = state
        return _core._array_from_state(dtype, adaptive, nullable, byteorder, length, data, validity)
    if isinstance(column, _core.StringArray):
        return _core._strarray_from_state(nullable, *state[1:])
    if isinstance(column, _core.BinaryArray):
        return _core._binarray_from_state(nullable, *state[1:])
    pool, codes, _ = state
    return _core._categorical_from_state(pool, codes, nullable)


_SIGNED = ("int8", "int16", "int32", "int64")


def _column_nullable(spec):
    return spec.endswith("?")


def _column_adaptive(spec):
    """A saved 'int' / 'int?' field: an adaptive column, saved at its width."""
    return spec.rstrip("?") == "int"


def open_file(path, table_cls, what="compactcol.open", want_table=False, lazy=True):
    """The container saved at path (a table_cls for a file that is not ours).

    table_cls is the Table facade (handed in: this module does not import
    ``_table``).  With want_table, a one-column file of ours is a Table too.
    A table's columns are read at their first use unless lazy is false
    (see _deferred_table)."""
    pa = _pyarrow(what)
    path = os.fspath(path)
    table, _copied = _read(pa, path, what)
    meta = _metadata(table.schema, path, what)
    try:
        if meta is not None and meta.get("kind") != "Table" and not want_table:
            return _container(table, meta, path, what)
        if lazy:
            return _deferred_table(pa, table, meta, table_cls, what)
        result = table_cls.from_arrow(table)
    except TypeError as exc:
        raise TypeError(f"{exc} (in {path!r})") from exc
    if meta is not None and meta.get("kind") == "Table":
        result = _exact_table(result, meta, table_cls)
    return result


def _deferred_table(pa, table, meta, table_cls, what):
    """A table_cls over the pyarrow table whose columns are read at their
    first use (src/table_deferred.c), in O(number of columns) now.

    The schema comes from the file's types and null counts (and, for a
    file of ours, the saved specs' nullability), which pyarrow knows from
    the metadata without reading a value: a column's type is checked by
    importing an empty array of it, so a type no Table holds raises here,
    as from_arrow does.  What only a full read can find (bad offsets or
    UTF-8, an index outside its dictionary) raises at the first use.  A
    dictionary with a null word is read now: only its values say whether
    the column is nullable."""
    from ._arrow import import_arrow
    names = table.column_names
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"Table: duplicate column name {name!r}")
        seen.add(name)
    saved = {}
    if meta is not None and meta.get("kind") == "Table":
        saved = {f[0]: f[1] for f in meta.get("fields", ()) if isinstance(f, (list, tuple)) and len(f) >= 2}
        if not names and isinstance(meta.get("rows"), int):
            return table_cls._from_columns([], [], meta["rows"])
    specs, columns, deferred = {}, [], []
    for name, column in zip(names, table.columns):
        nullable = column.null_count > 0 or _column_nullable(saved.get(name, ""))
        adaptive = _column_adaptive(saved.get(name, "")) and pa.types.is_signed_integer(column.type)
        if not _defers(pa, column):
            col = import_arrow(column, what)
            col = _exact(col, nullable or col.nullable, adaptive)
            specs[name] = spec_of_column(col)
            columns.append(col)
            deferred.append(None)
            continue
        empty = import_arrow(pa.chunked_array([], type=column.type), what)
        specs[name] = ("int" + ("?" if nullable else "") if adaptive
                       else spec_of_column(empty, nullable))
        columns.append(None)
        deferred.append((column.__arrow_c_stream__(), nullable, adaptive))
    shaped = table_cls(specs)  # the Schema and Record class of these specs
    return _core.Table.__new__(table_cls, shaped._schema, shaped.record_class, tuple(columns),
                               table.num_rows, tuple(deferred))


def _defers(pa, column):
    """Whether column's import can wait for its first use (see _deferred_table)."""
    t = column.type
    if not pa.types.is_dictionary(t):
        return True
    strings = (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
               or getattr(pa.types, "is_string_view", lambda _: False)(t.value_type))
    return (strings and pa.types.is_integer(t.index_type)
            and all(chunk.dictionary.null_count == 0 for chunk in column.chunks))


def _container(table, meta, path, what):
    from ._arrow import import_arrow
    if table.num_columns != 1:
        raise ValueError(f"{what}: {path!r} says it holds a {meta.get('kind')} but has "
                         f"{table.num_columns} columns")
    column = import_arrow(table.column(0), what)
    kind = meta.get("kind")
    expected = {"Array": _core.Array, "StringArray": _core.StringArray,
                "BinaryArray": _core.BinaryArray,
                "CategoricalArray": _core.CategoricalArray}.get(kind)
    if expected is None or not isinstance(column, expected):
        raise ValueError(f"{what}: {path!r} says it holds a {kind} but its column is "
                         f"{table.schema.field(0).type}")
    return _exact(column, bool(meta.get("nullable")), bool(meta.get("adaptive")))


def _exact_table(result, meta, table_cls):
    """result with the saved field specs (nullable columns without nulls)."""
    saved = [tuple(f) for f in meta.get("fields", ())]
    now = [(f[0], f[1]) for f in result._schema.fields]
    rows = meta.get("rows")
    if not saved and not now and isinstance(rows, int) and rows != len(result):
        # a batch of no columns is written without its length: the metadata keeps it
        return table_cls._from_columns([], [], rows)
    if saved == now:
        return result
    if [n for n, _ in saved] != [n for n, _ in now]:
        return result  # the file was changed by another writer: trust what it holds
    columns = tuple(_exact(c, _column_nullable(spec), _column_adaptive(spec))
                    for c, (_, spec) in zip(result._columns, saved))
    schema = table_cls(dict(saved))  # the schema and record class of the saved specs
    result._replace_columns(schema._schema, schema.record_class, columns)
    return result

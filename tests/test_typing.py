"""Type checking (issue 16): mypy reads Record classes, the dtype markers,
Table[Trade] and the containers' item types as tests/typing/example.py
expects; C methods and Record classes have runtime signatures."""

import datetime
import decimal
import inspect
import json
import os
import pydoc
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Annotated, Optional

import pytest

import compactcol as cc

EXAMPLE = Path(__file__).parent / "typing" / "example.py"


def _expectations():
    """{line: ('T', type) or ('E', error code)} from the example's comments."""
    out = {}
    for n, line in enumerate(EXAMPLE.read_text().splitlines(), 1):
        m = re.search(r"# ([TE]): (.+)$", line)
        if m:
            out[n] = (m[1], m[2].strip())
    return out


def test_mypy_reads_the_example(tmp_path):
    pytest.importorskip("mypy")
    # From an empty cwd, so mypy sees only the installed package.
    r = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--show-error-codes",
                        "--config-file", str(EXAMPLE.parent / "mypy.ini"), str(EXAMPLE)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "cache")})
    got = {}
    for line in r.stdout.splitlines():
        m = re.match(r'.*example\.py:(\d+): note: Revealed type is "(.*)"$', line)
        if m:
            got[int(m[1])] = ("T", m[2])
            continue
        m = re.match(r".*example\.py:(\d+): error: .*\[([\w-]+)\]$", line)
        if m:
            assert int(m[1]) not in got, line
            got[int(m[1])] = ("E", m[2])
        elif ": error:" in line:
            pytest.fail(f"unexpected mypy error: {line}\n{r.stdout}{r.stderr}")
    assert got == _expectations(), r.stdout + r.stderr
    assert len(got) >= 25


def _basedpyright():
    """The basedpyright command installed beside this Python, or None."""
    exe = Path(sys.executable).with_name("basedpyright")
    return str(exe) if exe.exists() else shutil.which("basedpyright")


def test_pyright_reads_the_example(tmp_path):
    """basedpyright (pyright with its Node runtime in the wheel) agrees with
    mypy on every reveal_type and reports errors exactly on the E: lines; its
    strictest mode finds nothing else (but the example's unused results)."""
    exe = _basedpyright()
    if exe is None:
        pytest.skip("basedpyright is not installed")
    # From a copy in an empty directory, so it sees only the installed package.
    shutil.copy(EXAMPLE, tmp_path / "example.py")
    (tmp_path / "pyrightconfig.json").write_text(
        '{"typeCheckingMode": "all", "reportUnusedCallResult": false}')
    r = subprocess.run([exe, "--pythonpath", sys.executable, "--outputjson", "example.py"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    report = json.loads(r.stdout)
    got = {}
    for d in report["generalDiagnostics"]:
        line = d["range"]["start"]["line"] + 1
        m = re.search(r' is "([^"]*)"$', d["message"])
        if d["severity"] == "information" and d["message"].startswith("Type of ") and m:
            got[line] = ("T", m[1])
        elif d["severity"] == "error" and line not in got:
            got[line] = ("E",)
        else:
            pytest.fail(f"unexpected pyright diagnostic: {d}")
    # pyright names types without their module: datetime, not datetime.datetime
    want = {n: ("T", re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", v)) if k == "T" else ("E",)
            for n, (k, v) in _expectations().items()}
    assert got == want, r.stdout


def test_example_runs(tmp_path):
    r = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr


def test_annotated_markers_give_the_dtype():
    class Tick(cc.Record):
        at: Annotated[datetime.datetime, cc.Timestamp("ns")]
        amount: Annotated[decimal.Decimal, cc.Decimal(12, 2)]
        symbol: Annotated[str, cc.Category]
        qty: Annotated[int, cc.int32]
        when: Annotated[Optional[datetime.datetime], cc.Timestamp("ms", tz="UTC")] = None
        plain: Annotated[float, "a note compactcol ignores"] = 0.0

    assert Tick.__compactcol_schema__.fields == (
        ("at", "datetime64[ns]"), ("amount", "decimal128(12, 2)"), ("symbol", "category"),
        ("qty", "int32"), ("when", "datetime64[ms, UTC]?", None), ("plain", "float64", 0.0))
    t = cc.Table(Tick, [(datetime.datetime(2024, 1, 2), decimal.Decimal("1.50"), "A", 3)])
    assert t.schema["at"] == "datetime64[ns]" and t[0].amount == decimal.Decimal("1.50")
    with pytest.raises(TypeError, match="more than one"):
        class Bad(cc.Record):
            x: Annotated[int, cc.int32, cc.int64]


def test_record_signature():
    class Trade(cc.Record):
        id: int
        qty: cc.int32
        note: str | None = None

    sig = inspect.signature(Trade)
    assert list(sig.parameters) == ["id", "qty", "note"]
    assert sig.parameters["id"].annotation is int
    assert sig.parameters["qty"].annotation is cc.int32
    assert sig.parameters["note"].default is None
    assert sig.parameters["id"].default is inspect.Parameter.empty
    assert sig.bind(1, qty=2)  # as the constructor takes them
    assert Trade(1, qty=2) == Trade(1, 2, None)

    class Sub(Trade):
        extra: float = 0.0
    assert list(inspect.signature(Sub).parameters) == ["id", "qty", "note", "extra"]
    assert "Trade(id: int, qty: compactcol.int32, note: str | None = None)" in pydoc.render_doc(
        Trade, renderer=pydoc.plaintext)

    # a class built from a dict schema shows the schema's types
    row_class = cc.Table({"a": "int32", "b": "str?"}).record_class
    assert str(inspect.signature(row_class)) == "(a: 'int32', b: 'str?' = None)"
    t = cc.Table(Trade)
    t.add_column("z", [])
    assert list(inspect.signature(t.record_class).parameters) == ["id", "qty", "note", "z"]
    assert str(inspect.signature(cc.Record)) == "()"

    # a nullable field defaults to None, so a required field may follow it
    class Late(cc.Record):
        a: int | None
        b: int
    assert str(inspect.signature(Late)) == "(a: int | None = None, b: int)"
    assert inspect.signature(Late).bind(b=2).arguments == {"b": 2}


@pytest.mark.parametrize("method, text", [
    (cc.Array.append, "(self, x, /)"),
    (cc.Array.pop, "(self, i=-1, /)"),
    (cc.Array.sort, "(self, /, *, key=None, reverse=False)"),
    (cc.StringArray.append, "(self, s, /)"),
    (cc.BinaryArray.extend, "(self, values, /)"),
    (cc.CategoricalArray.append, None),
    (cc.StringPool.intern, None),
    (cc.StrDict.get, "(self, key, default=None, /)"),
    (cc.Table.append, "(self, row, /)"),
    (cc.Table.sort, "(self, /, by=None, *, reverse=False, key=None)"),
    (cc.Table.pop, "(self, i=-1, /)"),
    (cc.Record.as_dict, "(self, /)"),
])
def test_c_methods_have_signatures(method, text):
    sig = inspect.signature(method)
    if text is not None:
        assert str(sig) == text


def _public_callables():
    """(name, callable) for every public function of compactcol and every
    public method of its public classes."""
    for name in cc.__all__:
        obj = getattr(cc, name)
        if not isinstance(obj, type):
            if callable(obj):
                yield name, obj
            continue
        for attr in dir(obj):
            member = getattr(obj, attr)
            if attr.startswith("_") or not callable(member) or isinstance(member, type):
                continue
            yield f"{name}.{attr}", member


def test_every_public_method_has_a_signature():
    missing = []
    for name, obj in _public_callables():
        try:
            inspect.signature(obj)
        except ValueError:
            # Argument Clinic's form for a default that is no value:
            # pydoc shows it, inspect.signature cannot evaluate it
            if "=<unrepresentable>" not in (getattr(obj, "__text_signature__", None) or ""):
                missing.append(name)
    assert missing == []


def test_strdict_pop_text_signature():
    assert cc.StrDict.pop.__text_signature__ == "($self, key, default=<unrepresentable>, /)"
    assert "KeyError" in cc.StrDict.pop.__doc__


def test_strdict_class_getitem():
    alias = cc.StrDict[int]
    assert isinstance(alias, types.GenericAlias) and alias.__origin__ is cc.StrDict
    assert alias.__args__ == (int,)
    d = alias("int32", {"a": 1})
    assert type(d) is cc.StrDict and d["a"] == 1


def test_table_class_getitem():
    class Trade(cc.Record):
        id: int

    alias = cc.Table[Trade]
    t = alias(Trade, [(1,)])
    assert type(t) is cc.Table and t[0].id == 1

"""The interop page's examples run as written (docs/interop.md): every
```python block, dedented, executed in order in one namespace."""

import re
import textwrap
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^([ \t]*)```python\n(.*?)^\1```", re.S | re.M)


def blocks(page):
    return [textwrap.dedent(m.group(2)) for m in BLOCK.finditer((DOCS / page).read_text())]


def test_interop_page_examples_run():
    for peer in ("numpy", "pyarrow", "pandas", "polars", "duckdb"):
        pytest.importorskip(peer)
    found = blocks("interop.md")
    assert len(found) >= 4, "the interop page lost its examples"
    namespace = {}
    for code in found:
        exec(compile(code, "docs/interop.md", "exec"), namespace)

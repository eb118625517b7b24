"""Every example in README.md and docs/*.md runs, and its shown output is
checked, with Sybil (https://sybil.readthedocs.io).

Each page is one Sybil document: its examples run in page order in one
namespace, so a later block may use what an earlier one defined.  A
```python block is doctest when it starts with ``>>>`` (its output is
compared, with ELLIPSIS and NORMALIZE_WHITESPACE) and plain code otherwise
(it must run without raising).  An HTML comment ``<!-- skip: next "reason" -->``
skips the next example, with that reason; ``<!-- invisible-code-block: python``
… ``-->`` runs set-up code the reader does not see.

Pages live outside tests/, which CI's ``pytest`` (testpaths = ["tests"])
walks; so this module collects them itself, one test item per example
(``docs/array.md:line:12``).  Running one item first runs the examples
above it on its page, once, so items can be selected alone (``-k``).  The
examples import the installed compactcol, like every test.
"""

import atexit
import doctest
import os
import shutil
import tempfile
import unittest
from pathlib import Path

import pytest

sybil = pytest.importorskip("sybil")
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

SYBIL = sybil.Sybil(
    parsers=[
        PythonCodeBlockParser(
            doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
        SkipParser(),
    ],
    path=str(ROOT),
)


class _Page:
    """One parsed page and how far its examples have run."""

    def __init__(self, path):
        self.document = SYBIL.parse(path)
        self.examples = list(self.document.examples())
        self.done = 0          # examples[:done] have been evaluated
        # examples that write files (files.md) write them here, not in the
        # directory pytest runs in
        self.cwd = tempfile.mkdtemp(prefix="compactcol-docs-")
        atexit.register(shutil.rmtree, self.cwd, True)

    def run_to(self, index):
        """Run the examples before `index` (once each, their own failures
        are their own items' business), then example `index`, in the
        page's own working directory."""
        here = os.getcwd()
        os.chdir(self.cwd)
        try:
            self._run_to(index)
        finally:
            os.chdir(here)

    def _run_to(self, index):
        while self.done < index:
            example = self.examples[self.done]
            self.done += 1
            try:
                example.evaluate()
            except (Exception, unittest.SkipTest):
                pass
        self.done = index + 1
        self.examples[index].evaluate()


_pages = {}


def _page(path):
    if path not in _pages:
        _pages[path] = _Page(path)
    return _pages[path]


def _cases():
    for path in PAGES:
        page = _page(path)
        name = path.relative_to(ROOT).as_posix()
        for i, example in enumerate(page.examples):
            yield pytest.param(path, i, id=f"{name}:line:{example.line}")


CASES = list(_cases())
_pages.clear()  # parse afresh at run time: a fresh namespace per session


def test_every_page_is_collected():
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"README.md", "docs/array.md", "docs/table.md", "docs/interop.md"} <= names
    assert len(CASES) >= 100, "the pages lost their examples"


@pytest.mark.parametrize(("path", "index"), CASES)
def test_doc_example(path, index):
    try:
        _page(path).run_to(index)
    except unittest.SkipTest as skip:
        pytest.skip(str(skip))

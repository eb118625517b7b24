"""The layout rules of the source tree, checked (msgspec keeps a test like
this): what docs/internals.md says about the layers holds in the files.

- every C file opens with its design comment;
- src/core/ includes nothing of Python or of the binding;
- owned memory goes through the allocator seam (no raw malloc/free);
- a length change of a container goes through the core's splice /
  delete_strided / repeat only from the sequence layer and the Table's
  column engine;
- calls between binding files form cycles only inside one feature group
  (the file name's prefix: array_*, strarray_*, table_*, ...);
- the Python modules import each other without cycles, counting the
  imports made inside functions.

The checks read the checkout next to this file; from an installed copy of
the tests without the sources they skip.
"""
import ast
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
CORE = os.path.join(SRC, "core")
PACKAGE = os.path.join(ROOT, "compactcol")

if not os.path.isdir(CORE) or not os.path.isdir(PACKAGE):
    pytest.skip("the source tree is not next to the tests", allow_module_level=True)


def c_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith((".c", ".h")))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def code_only(text):
    """The C text without comments and string literals."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def strongly_connected(edges):
    """The components with more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


# ---- C ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", c_files(SRC) + c_files(CORE), ids=os.path.basename)
def test_every_c_file_opens_with_its_design_comment(path):
    text = read(path)
    assert text.startswith("/* " + os.path.basename(path) + " -- "), (
        f"{path} must open with '/* {os.path.basename(path)} -- <what it is and why>'")


@pytest.mark.parametrize("path", c_files(CORE), ids=os.path.basename)
def test_the_core_includes_only_the_core_and_the_c_library(path):
    for included in re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', read(path), re.M):
        assert "Python" not in included and "numpy" not in included, (path, included)
        if not included.endswith(".h") or "/" in included:
            continue
        local = os.path.exists(os.path.join(CORE, included))
        assert local or included in C_LIBRARY, f"{path} includes {included}"


C_LIBRARY = {"assert.h", "errno.h", "float.h", "limits.h", "math.h", "stdarg.h", "stdbool.h",
             "stdatomic.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h",
             "sanitizer/asan_interface.h"}


def test_owned_memory_goes_through_the_allocator_seam():
    raw = re.compile(r"(?<![\w.>])(malloc|calloc|realloc|free)\s*\(")
    offenders = []
    for path in c_files(SRC) + c_files(CORE):
        if os.path.basename(path) == "alloc_py.c":
            continue
        for line_no, line in enumerate(code_only(read(path)).splitlines(), 1):
            if raw.search(line):
                offenders.append(f"{os.path.basename(path)}:{line_no}: {line.strip()}")
    assert not offenders, "raw allocation outside src/alloc_py.c:\n" + "\n".join(offenders)


def test_length_changes_go_through_the_sequence_layer_only():
    """splice / delete_strided / repeat change a container's length: in the
    binding only seq.c calls them (a Table's columns change length through
    the core's cc_columns), so the Table-column refusal and the export
    checks sit in one place."""
    call = re.compile(r"\bcc_(numarray|strarray)_(splice|delete_strided|repeat)\s*\(")
    callers = {os.path.basename(p) for p in binding_sources() if call.search(code_only(read(p)))}
    assert callers <= {"seq.c"}, f"length changes outside seq.c: {sorted(callers - {'seq.c'})}"


def binding_sources():
    return [p for p in c_files(SRC) if p.endswith(".c")]


def defined_functions(text):
    """Names of the non-static functions and objects a C file defines."""
    names = set(re.findall(r"^(?!static\b)[A-Za-z_][\w \*]*?\b(\w+)\s*\([^;{}]*\)\s*\{", text, re.M))
    names |= set(re.findall(r"^(?!static\b|extern\b)[A-Za-z_][\w \*]*?\b(\w+)\s*(?:\[\w*\])?\s*=\s*\{",
                            text, re.M))
    return names


def call_graph():
    code = {os.path.basename(p): code_only(read(p)) for p in binding_sources()}
    owner = {}
    for name, text in code.items():
        for f in defined_functions(text):
            owner.setdefault(f, name)
    edges = {}
    for name, text in code.items():
        used = set(re.findall(r"\b\w+\b", text))
        edges[name] = {owner[f] for f in used & owner.keys() if owner[f] != name}
    return edges


def feature_group(filename):
    return filename.split("_")[0].split(".")[0]


def test_binding_files_form_cycles_only_inside_a_feature_group():
    mixed = [c for c in strongly_connected(call_graph()) if len({feature_group(f) for f in c}) > 1]
    assert not mixed, f"calls between feature groups go both ways: {mixed}"


# ---- Python ----------------------------------------------------------------------------------


def imported_modules(path):
    """The compactcol modules a module imports, anywhere in it (function-level too)."""
    tree = ast.parse(read(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("compactcol."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("compactcol."):
                    found.add(alias.name.split(".")[1])
    return found


def test_python_modules_import_without_cycles():
    modules = {f[:-3]: os.path.join(PACKAGE, f) for f in os.listdir(PACKAGE) if f.endswith(".py")}
    edges = {m: imported_modules(p) & modules.keys() - {m} for m, p in modules.items()}
    assert not strongly_connected(edges), f"import cycles: {strongly_connected(edges)}"


# ---- the numbers issue 12 reports: `python tests/test_source_layout.py` ---------------------

LIST_METHODS = ("pop", "insert", "remove", "clear", "extend", "append", "reverse", "sort", "copy",
                "index", "count", "ass_subscript", "inplace_concat", "inplace_repeat")


def layout_report():
    lines = {name: sum(read(p).count("\n") for p in c_files(folder))
             for name, folder in (("binding", SRC), ("core", CORE))}
    implementations = {}
    for group in ("array", "strarray", "categorical"):
        texts = [code_only(read(p)) for p in binding_sources() if feature_group(os.path.basename(p)) == group]
        found = {m for m in LIST_METHODS for t in texts
                 if re.search(r"^[A-Za-z_][\w \*]*\b(?:array|strarray|categorical|cat)_%s\s*\([^;{}]*\)\s*\{"
                              % m, t, re.M)}
        implementations[group] = len(found)
    kind_branches = sum(len(re.findall(r"(==|!=)\s*FIELD_|case\s+FIELD_", code_only(read(p))))
                        for p in c_files(SRC))
    mixed = [c for c in strongly_connected(call_graph()) if len({feature_group(f) for f in c}) > 1]
    modules = {f[:-3]: os.path.join(PACKAGE, f) for f in os.listdir(PACKAGE) if f.endswith(".py")}
    py_cycles = strongly_connected({m: imported_modules(p) & modules.keys() - {m}
                                    for m, p in modules.items()})
    print(f"binding lines (src/*.c, src/*.h): {lines['binding']}")
    print(f"core lines (src/core/*):          {lines['core']}")
    print(f"binding / core:                   {lines['binding'] / lines['core']:.2f}")
    seq_text = read(os.path.join(SRC, "seq.c"))
    shared = sum(bool(re.search(r"^\w[\w \*]*\bseq_%s\(" % m, seq_text, re.M)) for m in LIST_METHODS)
    print(f"list methods written once in seq.c for every sequence type: {shared} of {len(LIST_METHODS)}")
    print("list methods a sequence type still writes itself: "
          + ", ".join(f"{g} {n}" for g, n in implementations.items()))
    print(f"field-kind branches outside the core: {kind_branches}")
    print(f"call cycles across feature groups: {mixed or 'none'}; Python import cycles: {py_cycles or 'none'}")


if __name__ == "__main__":
    layout_report()

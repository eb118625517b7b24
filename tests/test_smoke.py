"""A first pass over Array: the basics every other test builds on."""

import compactcol
from compactcol import Array


def test_imported_the_built_package():
    assert compactcol._core.__file__.endswith((".so", ".pyd"))


def test_adaptive_widening_and_list_behaviour():
    a = Array("int", [1, 2, 3])
    assert a.dtype == "int8" and a.adaptive
    a.append(300)
    assert a.dtype == "int16"
    assert a == [1, 2, 3, 300]
    assert a[-1] == 300 and a[1:3] == [2, 3]
    a[1:3] = [7, 8, 9]
    assert a.tolist() == [1, 7, 8, 9, 300]

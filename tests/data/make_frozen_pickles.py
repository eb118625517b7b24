"""Writes the frozen pickles that tests/test_array_pickle.py loads.

Run once per pickle format version (never again for v1: the point of the
files is that they were written by an old compactcol and must keep loading):

    python tests/data/make_frozen_pickles.py

Writes, next to this script:
  array_v1.pickle           dict name -> Array, pickle protocol 2
  array_v1_p5.pickle        the same dict, protocol 5, buffers in-band
  array_v1_expected.json    name -> {dtype, adaptive, nullable, values}; floats
                            as float.hex() strings so NaN, inf and -0.0 survive
"""

import json
import os
import pickle
import sys

import compactcol
from compactcol import Array

HERE = os.path.dirname(os.path.abspath(__file__))


def cases():
    c = {
        "int8": Array("int8", [-128, -1, 0, 1, 127]),
        "int16": Array("int16", [-32768, -2, 0, 300, 32767]),
        "int32": Array("int32", [-2**31, -3, 0, 70000, 2**31 - 1]),
        "int64": Array("int64", [-2**63, -4, 0, 2**40, 2**63 - 1]),
        "uint8": Array("uint8", [0, 1, 128, 255]),
        "uint16": Array("uint16", [0, 1, 40000, 65535]),
        "uint32": Array("uint32", [0, 1, 2**31, 2**32 - 1]),
        "uint64": Array("uint64", [0, 1, 2**63, 2**64 - 1]),
        "float32": Array("float32", [0.0, -0.0, 0.5, -1.5, 3.4028234663852886e38,
                                     float("inf"), float("-inf"), float("nan")]),
        "float64": Array("float64", [0.0, -0.0, 0.1, -2.5e-300, 1.7976931348623157e308,
                                     5e-324, float("inf"), float("-inf"), float("nan")]),
        "bool": Array("bool", [True, False, False, True, True]),
        "empty_int64": Array("int64"),
        "empty_float32": Array("float32"),
        "empty_bool": Array("bool"),
        "empty_adaptive": Array("int"),
        "empty_nullable": Array("int32", nullable=True),
        "adaptive_int8": Array("int", [-128, 0, 127]),
        "adaptive_int16": Array("int", [-1, 300, -32768]),
        "adaptive_int32": Array("int", [1, -70000, 2**31 - 1]),
        "adaptive_int64": Array("int", [1, 2**40, -2**63]),
        "nullable_int8": Array("int8", [None, 1, None, -128, 127, None, 0, 5, None], nullable=True),
        "nullable_uint64": Array("uint64", [2**64 - 1, None], nullable=True),
        "nullable_float64": Array("float64", [1.5, None, float("nan"), None, -0.0], nullable=True),
        "nullable_bool": Array("bool", [True, None, False], nullable=True),
        "nullable_adaptive": Array("int", [None, 1000, None], nullable=True),
        "nullable_all_null": Array("int16", [None] * 17, nullable=True),
        "nullable_no_null": Array("float32", [1.0, 2.0], nullable=True),
        "long_int64": Array("int64", range(-500, 1500)),
        "sliced": Array("int32", range(100))[3:90:7],
    }
    assert {a.dtype for a in c.values()} >= set(compactcol.DTYPES)
    return c


def checked(c):
    """The arrays must hold what they were built from (floats: as struct
    would store them), so the JSON is not just the implementation's echo."""
    import math
    import struct
    for name, a in c.items():
        for x in a:
            if isinstance(x, float) and not math.isnan(x) and a.dtype == "float32":
                assert struct.unpack("f", struct.pack("f", x))[0] == x, name
    assert list(c["int64"]) == [-2**63, -4, 0, 2**40, 2**63 - 1]
    assert list(c["nullable_int8"]) == [None, 1, None, -128, 127, None, 0, 5, None]
    assert list(c["sliced"]) == list(range(100))[3:90:7]
    assert list(c["uint64"]) == [0, 1, 2**63, 2**64 - 1]
    return c


def encode(x):
    if isinstance(x, float):
        return {"float": x.hex()}
    return x


def main():
    c = checked(cases())
    with open(os.path.join(HERE, "array_v1.pickle"), "wb") as f:
        pickle.dump(c, f, protocol=2)
    with open(os.path.join(HERE, "array_v1_p5.pickle"), "wb") as f:
        pickle.dump(c, f, protocol=5)
    expected = {name: {"dtype": a.dtype, "adaptive": a.adaptive, "nullable": a.nullable,
                       "values": [encode(x) for x in a]}
                for name, a in c.items()}
    with open(os.path.join(HERE, "array_v1_expected.json"), "w") as f:
        json.dump({"written_by": f"compactcol {compactcol.__version__}, "
                                 f"Python {sys.version.split()[0]}, {sys.byteorder}-endian",
                   "arrays": expected}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

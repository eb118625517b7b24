"""F2 (fuzz_unpickle): an Array pickle state whose dtype AND byteorder are
both un-encodable str -> SystemError instead of the UnicodeEncodeError /
ValueError.

parse_state (src/array_buffer.c) calls PyUnicode_AsUTF8AndSize(dtype) and
then PyUnicode_AsUTF8(byteorder) before checking the first result, so the
second call runs with the first exception set.  Expected (BAD_INPUTS
PK4/PK5): ValueError (UnicodeEncodeError is one) or TypeError.
Run: python F2_state_two_surrogates_systemerror.py
"""
from compactcol import _pickle

try:
    _pickle.array_from_state("\ud800", False, False, "\udfff", 0, b"", None)
except SystemError as e:
    print("DEFECT: SystemError:", e)
except (ValueError, TypeError) as e:
    print("ok:", type(e).__name__, e)

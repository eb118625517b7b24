"""F1 (fuzz_from_arrow): compactcol.from_arrow of a 'u' array whose
`buffers` pointer is NULL and null_count != 0 -> SIGSEGV (NULL read).

collect_strings (src/arrow_import.c) calls cc_strarray_init(out,
has_nulls(a)) before check_shape(a, 3); has_nulls reads a->buffers[0].
Expected (BAD_INPUTS AR5): ValueError "no buffers", the array released once.
Same for 'U'.  Run: python F1_null_buffers_with_nulls.py (tests/fuzz on
sys.path for _arrowgen).  Exit 139 = the defect.
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import compactcol
from _arrowgen import Producer, Source

P = Producer()
s = P.schema(b"u")
a = P.array(length=1, offset=0, null_count=1, buffers=[], no_buffers=True)


try:
    print(compactcol.from_arrow(Source(P, s, a)))
except ValueError as e:
    print("ok:", e)

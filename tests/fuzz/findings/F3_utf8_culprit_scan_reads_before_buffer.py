"""F3 (fuzz_from_arrow): compactcol.from_arrow of a 'u' array with
non-monotonic offsets and non-UTF-8 data -> heap-buffer-overflow READ
before the producer's data buffer (ASan; silently reads foreign memory
without it).

cc_strarray_append_arrow (src/core/cc_strarray_scan.c) copies
[offsets[0], offsets[n]) and, when that is not valid UTF-8, looks for the
culprit with cc_utf8_valid(data + OFF(i), OFF(i+1) - OFF(i)) for every i
-- before the offsets are checked (the CHECK_AT pass comes after), so a
negative or decreasing offset reads outside the data.  Expected (BAD_INPUTS
SA5/SA6): ValueError, no out-of-bounds read.
Run under the ASan build (.ci/fuzz stage, or .ci/sanitize's preload):
python F3_utf8_culprit_scan_reads_before_buffer.py
"""
import os, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import compactcol
from _arrowgen import Producer, Source

P = Producer()
s = P.schema(b"u")
offsets = P.block(struct.pack("<3i", 0, -3, 2))
data = P.block(b"\xff\xff")
a = P.array(length=2, offset=0, null_count=0, buffers=[None, offsets, data])


try:
    print(compactcol.from_arrow(Source(P, s, a)))
except ValueError as e:
    print("ok:", e)

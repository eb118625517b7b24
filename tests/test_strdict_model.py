"""StrDict against a dict model: a hypothesis state machine over every
mutating method, for each kind of value storage, with keys that mix ASCII,
non-ASCII, empty, astral-plane and NUL-containing strings."""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from compactcol import StrDict

KEYS = st.one_of(
    st.sampled_from(["", "a", "b", "é", "ß", "中文", "\U0001F600", "a\x00b", "key", "Key"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)

VALUES = {
    "int64": st.integers(-(2**63), 2**63 - 1),
    "int": st.integers(-(2**63), 2**63 - 1),
    "float64": st.floats(allow_nan=False),
    "str": st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    "object": st.one_of(st.none(), st.integers(), st.text(max_size=3), st.tuples(st.integers())),
}


def machine_for(value_dtype):
    values = VALUES[value_dtype]

    class StrDictMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.d = StrDict(value_dtype)
            self.model = {}

        @rule(k=KEYS, v=values)
        def setitem(self, k, v):
            self.d[k] = v
            self.model[k] = v

        @rule(k=KEYS)
        def delitem(self, k):
            if k in self.model:
                del self.d[k]
                del self.model[k]
            else:
                with pytest.raises(KeyError):
                    del self.d[k]

        @rule(k=KEYS)
        def pop(self, k):
            assert self.d.pop(k, "absent") == self.model.pop(k, "absent")

        @precondition(lambda self: self.model)
        @rule()
        def popitem(self):
            assert self.d.popitem() == self.model.popitem()

        @rule(k=KEYS, v=values)
        def setdefault(self, k, v):
            assert self.d.setdefault(k, v) == self.model.setdefault(k, v)

        @rule(pairs=st.lists(st.tuples(KEYS, values), max_size=6), use_or=st.booleans())
        def update(self, pairs, use_or):
            if use_or:
                self.d |= dict(pairs)
            else:
                self.d.update(pairs)
            self.model.update(pairs)

        @rule(pairs=st.lists(st.tuples(KEYS, values), max_size=4), bad_at=st.integers(0, 4))
        def update_failing_midway(self, pairs, bad_at):
            bad = list(pairs)
            bad.insert(min(bad_at, len(bad)), (5, 1))  # a non-str key
            with pytest.raises(TypeError):
                self.d.update(bad)

        @rule()
        def clear(self):
            self.d.clear()
            self.model.clear()

        @precondition(lambda self: value_dtype in ("int64", "int", "float64", "object"))
        @rule(k=KEYS, by=st.integers(-5, 5))
        def increment(self, k, by):
            if value_dtype == "object" and not isinstance(self.model.get(k, 0), int):
                return
            new = self.model.get(k, 0) + by
            if value_dtype in ("int64", "int") and not -(2**63) <= new < 2**63:
                with pytest.raises(OverflowError):
                    self.d.increment(k, by)
                return
            self.d.increment(k, by)
            self.model[k] = new

        @rule(k=KEYS)
        def lookups(self, k):
            assert (k in self.d) == (k in self.model)
            assert self.d.get(k, "absent") == self.model.get(k, "absent")

        @rule()
        def copy_is_equal_and_independent(self):
            c = self.d.copy()
            assert c == self.model and list(c.items()) == list(self.model.items())
            c["copy-only"] = next(iter(self.model.values()), None) if value_dtype == "object" else (
                "x" if value_dtype == "str" else 1)
            assert "copy-only" not in self.d or "copy-only" in self.model

        @invariant()
        def agrees(self):
            info = self.d._debug_info()
            assert info["length"] == len(self.model) == len(self.d)
            assert info["tombstones"] <= max(32, info["length"])  # compaction follows
            assert list(self.d.items()) == list(self.model.items())
            assert list(self.d.values()) == list(self.model.values())
            assert list(reversed(self.d)) == list(reversed(self.model))

    StrDictMachine.__name__ = f"StrDictMachine_{value_dtype}"
    return StrDictMachine


TestInt64 = machine_for("int64").TestCase
TestAdaptiveInt = machine_for("int").TestCase
TestFloat64 = machine_for("float64").TestCase
TestStr = machine_for("str").TestCase
TestObject = machine_for("object").TestCase

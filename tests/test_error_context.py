"""Where a conversion failed is passed down to it as a value (conv_where in
src/binding.h) and the message is formatted once, at the failure: these tests
pin the prefixes and the notes that come out of it, for the containers, the
Table and a Record class alike."""
import pytest

import compactcol as cc


class IndexRaises:
    def __index__(self):
        raise ValueError("boom")


class FloatRaises:
    def __float__(self):
        raise KeyError("k")


def notes(excinfo):
    return getattr(excinfo.value, "__notes__", [])


def test_our_messages_name_container_call_item_and_field():
    a = cc.Array("int8")
    with pytest.raises(OverflowError, match=r"^Array\('int8'\)\.extend: item 1: 300 is out of range for int8 \[-128, 127\]$"):
        a.extend([1, 300])
    t = cc.Table({"id": "int8", "name": "str"})
    with pytest.raises(TypeError, match=r"^Table\.extend: row 1, field 'name': expected str, got int \(5\)$"):
        t.extend([(1, "a"), (2, 5)])
    with pytest.raises(OverflowError, match=r"^Table\.append: field 'id': 300 is out of range for int8 \[-128, 127\]$"):
        t.append((300, "x"))
    assert len(a) == 0 and len(t) == 0


def test_user_code_keeps_its_exception_and_gains_a_note_naming_where():
    a = cc.Array("int8")
    with pytest.raises(ValueError) as e:
        a.append(IndexRaises())
    assert str(e.value) == "boom"
    assert notes(e) == ["while converting Array('int8').append"]
    with pytest.raises(KeyError) as e:
        cc.Array("float64").extend([1.0, FloatRaises()])
    assert notes(e) == ["while converting Array('float64').extend: item 1"]

    t = cc.Table({"id": "int8", "name": "str"})
    with pytest.raises(ValueError) as e:
        t.append({"id": IndexRaises(), "name": "x"})
    assert str(e.value) == "boom"
    assert notes(e) == ["while converting Table.append: field 'id'"]
    with pytest.raises(ValueError) as e:
        t.extend([(1, "a"), (IndexRaises(), "b")])
    assert notes(e) == ["while converting Table.extend: row 1, field 'id'"]
    assert len(t) == 0 and len(a) == 0


def test_strdict_names_its_value_type_call_and_key():
    d = cc.StrDict("int8")
    with pytest.raises(TypeError, match=r"^StrDict\('int8'\)\.__setitem__: key 'k': expected int, got str \('x'\)$"):
        d["k"] = "x"
    with pytest.raises(OverflowError, match=r"^StrDict\('int8'\)\.setdefault: key 'z': 1000 is out of range for int8"):
        d.setdefault("z", 1000)
    with pytest.raises(TypeError, match=r"^StrDict\('str'\)\.__setitem__: key 'k': expected str, got int \(5\)$"):
        cc.StrDict("str")["k"] = 5
    assert len(d) == 0


def test_record_init_names_the_record_class_and_field():
    class Trade(cc.Record):
        qty: cc.int16
    with pytest.raises(OverflowError, match=r"^Trade\.__init__: field 'qty': 99999 is out of range for int16"):
        Trade(qty=99999)


@pytest.mark.parametrize("make, call, where", [
    (cc.StringArray, lambda s: s.append("\ud800"), "StringArray.append: "),
    (cc.StringArray, lambda s: s.extend(["a", "\ud800"]), "StringArray.extend: item 1: "),
    (lambda: cc.Table({"s": "str"}), lambda t: t.append(("\ud800",)), "Table.append: field 's': "),
])
def test_lone_surrogate_reason_names_where(make, call, where):
    # UnicodeEncodeError cannot be re-raised with a new message (its
    # constructor takes five arguments): the place goes into its reason.
    c = make()
    with pytest.raises(UnicodeEncodeError) as e:
        call(c)
    assert e.value.reason == where + "surrogates not allowed"
    assert len(c) == 0


def test_table_take_and_filter_name_the_table_not_a_stand_in_array():
    t = cc.Table({"a": "int64"}, [(1,), (2,)])
    with pytest.raises(TypeError, match=r"^Table\.take: item 1: expected int, got str \('x'\)$"):
        t.take([0, "x"])
    with pytest.raises(TypeError, match=r"^Table\.filter: item 0: expected bool \(or 0/1\), got str"):
        t.filter(["x", 1])
    with pytest.raises(TypeError, match=r"^Table\.take: expected an iterable, got int$"):
        t.take(5)
    assert t.to_dicts() == [{"a": 1}, {"a": 2}]


def test_a_long_strdict_key_is_cut_in_the_message():
    d = cc.StrDict("int8")
    with pytest.raises(OverflowError) as e:
        d["k" * 10_000] = 300
    assert len(str(e.value)) < 200 and "key 'kkkk" in str(e.value) and "..." in str(e.value)
    assert len(d) == 0

"""The web page's JSON codec: parsing with validation into defined errors, and encoding."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from parley.protocol import web


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type":"signin","name":"alice"}', web.SignIn("alice")),
        ('{"type":"signin","name":"a","password":"p","req":3}', web.SignIn("a", "p", 3)),
        ('{"type":"signup","name":"a","password":"p"}', web.SignUp("a", "p")),
        ('{"type":"resume","token":"t"}', web.Resume("t")),
        ('{"type":"say","room":"dev","text":"hi\\nthere"}', web.Say("dev", "hi\nthere")),
        ('{"type":"dm","to":"bob","text":"x"}', web.Dm("bob", "x")),
        ('{"type":"typing","room":"dev","text":""}', web.TypingNow("dev", "")),
        ('{"type":"join","room":"dev","key":"k"}', web.Join("dev", "k")),
        ('{"type":"leave","room":"dev"}', web.Leave("dev")),
        ('{"type":"topic","room":"dev","topic":"t"}', web.SetTopic("dev", "t")),
        (
            '{"type":"history","target":"@bob","after":97,"count":5}',
            web.HistoryRequest("@bob", after=97, count=5),
        ),
        ('{"type":"read","target":"dev","id":130}', web.Read("dev", 130)),
        ('{"type":"who"}', web.Who()),
        ('{"type":"rooms","req":0}', web.Rooms(0)),
        ('{"type":"mode","room":"d","change":"+o","name":"b"}', web.Mode("d", "+o", "b")),
        ('{"type":"kick","room":"d","name":"b","reason":"r"}', web.Kick("d", "b", "r")),
        ('{"type":"invite","room":"d","name":"b"}', web.Invite("d", "b")),
        ('{"type":"signout"}', web.SignOut()),
        ('{"type":"ping","extra":"ignored"}', web.Ping()),
    ],
)
def test_parse_each_type(text: str, expected: object) -> None:
    assert web.parse_client(text) == expected
    assert web.parse_client(text.encode()) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_message"),
        (b"\xff\xfe", "bad_message"),
        ("[1]", "bad_message"),
        ('{"name":"x"}', "bad_message"),
        ('{"type":5}', "bad_message"),
        ('{"type":"fly"}', "unknown_type"),
        ('{"type":"say","room":"dev"}', "bad_message"),
        ('{"type":"say","room":"dev","text":5}', "bad_message"),
        ('{"type":"say","room":"d\\nx","text":"t"}', "bad_message"),
        ('{"type":"say","room":"dev","text":"a\\u0000b"}', "bad_message"),
        ('{"type":"say","room":"dev","text":"\\ud800"}', "bad_message"),
        ('{"type":"read","target":"dev","id":-1}', "bad_message"),
        ('{"type":"read","target":"dev","id":true}', "bad_message"),
        ('{"type":"read","target":"dev","id":1.5}', "bad_message"),
        ('{"type":"ping","req":"1"}', "bad_message"),
        ('{"type":"ping","x":NaN}', "bad_message"),
        ('{"type":"signin","name":"' + "n" * 40 + '"}', "too_long"),
        ('{"type":"say","room":"dev","text":"' + "t" * 4001 + '"}', "too_long"),
        ("[" * 100_000, "bad_message"),
    ],
)
def test_bad_messages_are_values(text: str | bytes, code: str) -> None:
    parsed = web.parse_client(text)
    assert isinstance(parsed, web.BadMessage)
    assert parsed.code == code


def test_a_bad_message_keeps_its_req() -> None:
    parsed = web.parse_client('{"type":"fly","req":7}')
    assert isinstance(parsed, web.BadMessage) and parsed.req == 7


@given(st.binary(max_size=300))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    web.parse_client(data)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@given(st.sampled_from(sorted(web.TYPES)), st.dictionaries(st.text(max_size=8), _json))
def test_parse_never_raises_on_shapes(kind: str, fields: dict[str, object]) -> None:
    parsed = web.parse_client(json.dumps({**fields, "type": kind}))
    assert isinstance(parsed, web.BadMessage) or type(parsed).__name__


def test_encode_escapes_markup_and_keeps_unicode() -> None:
    data = web.encode({"type": "message", "text": '</script> & "é" \u2028'})
    text = data.decode()
    assert "<" not in text and ">" not in text and "&" not in text
    assert "é" in text
    assert json.loads(text)["text"] == '</script> & "é" \u2028'


def test_hello_ok_error_bye() -> None:
    assert json.loads(web.hello()) == {
        "type": "hello",
        "version": 1,
        "server": "parley",
        "max_text": 4000,
        "max_name": 32,
    }
    assert web.ok(3, ids=[1]) == b'{"type":"ok","req":3,"ids":[1]}'
    assert web.ok(None) == b'{"type":"ok"}'
    error = json.loads(web.error(4, "throttled", "Wait", 2.0))
    assert error == {
        "type": "error",
        "req": 4,
        "code": "throttled",
        "message": "Wait",
        "retry_after": 2.0,
    }
    assert json.loads(web.bye("server shutting down"))["reason"] == "server shutting down"


def test_encode_replaces_lone_surrogates() -> None:
    assert web.encode({"text": "a\ud800"}) == b'{"text":"a?"}'  # always valid UTF-8


@given(st.none() | st.integers(0, web.MAX_REQ), st.lists(st.integers(1, 2**62), max_size=20))
def test_the_ok_template_writes_what_the_encoder_writes(req: int | None, ids: list[int]) -> None:
    assert web.ok_ids(req, ids) == web.ok(req, ids=ids)


_WORDS = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["dev", "#dev", "hi there", "tab\there", "x" * 34, "x" * 4001, "", "\x00", "é", "a\nb"]
)


@given(
    st.fixed_dictionaries(
        {"type": st.just("say")},
        optional={
            "room": _WORDS | st.integers(),
            "text": _WORDS | st.none(),
            "req": st.none() | st.booleans() | st.integers(-3, 2**54) | st.text(max_size=3),
            "extra": st.integers(),
        },
    )
)
def test_the_plain_say_reads_as_the_table_does(value: dict[str, object]) -> None:
    said = web.plain_say(value)
    assert said is None or said == web._parse_value(value)


def test_the_plain_say_is_taken_for_the_usual_line() -> None:
    value = {"type": "say", "room": "dev", "text": "hello there", "req": 7}
    assert web.plain_say(value) == web.Say("dev", "hello there", 7)
    assert web.plain_say({**value, "text": "tab\there"}) is None  # the table reads that one


# orjson reads page messages where it is installed; the standard decoder is the fallback and
# judges what orjson refuses. These hold the two readings equal: the same values (`repr`
# tells 1 from 1.0 and keeps key order) for integers that fit 64 bits (orjson reads a longer
# one as a float, where the standard decoder keeps an int), and the same parsed messages
# (and errors) for everything, long integers too: no field of a page message takes either.
_I64 = 2**63
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-_I64, _I64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_texts = st.one_of(
    st.builds(lambda value, ascii_: json.dumps(value, ensure_ascii=ascii_), _values, st.booleans()),
    st.builds(
        lambda value, escape: (
            json.dumps({"type": "say", "room": "lobby", "text": value})
            .replace('"text": "', '"text": "' + escape)
            .encode()
        ),
        st.text(max_size=20),
        st.sampled_from(["", "\\ud800", "\\udfff x", "\\ud83d\\ude00", "\\u0000"]),
    ),
    st.just(b"\xef\xbb\xbf{}"),
)


@pytest.mark.skipif(web._fast_loads is None, reason="orjson is not installed")
@given(_texts)
def test_orjson_reads_what_the_standard_decoder_reads(data: str | bytes) -> None:
    assert repr(web._decode(data)) == repr(web._standard_decode(data))


_long_integers = st.builds(
    lambda field, number: json.dumps(
        {"type": "history" if field != "id" else "read", "target": "dev", field: number}
    ),
    st.sampled_from(["req", "after", "before", "count", "id", "extra"]),
    st.integers(min_value=_I64 - 10) | st.integers(max_value=-_I64 + 10),
)


@pytest.mark.skipif(web._fast_loads is None, reason="orjson is not installed")
@given(_texts | _long_integers | st.binary(max_size=200))
def test_messages_parse_the_same_without_orjson(data: str | bytes) -> None:
    fast = web.parse_client(data)
    saved, web._fast_loads = web._fast_loads, None
    try:
        assert web.parse_client(data) == fast
    finally:
        web._fast_loads = saved

"""The web door's own frame header is the one websockets writes for the same payload."""

from __future__ import annotations

from hypothesis import given, strategies as st
from websockets.frames import Frame, Opcode

from parley.server.doors.web_socket import frame


@given(st.sampled_from([0, 1, 125, 126, 127, 65535, 65536, 70000]) | st.integers(0, 3000))
def test_a_text_frame_is_what_websockets_serializes(length: int) -> None:
    payload = bytes(i % 251 for i in range(length))
    assert frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False)

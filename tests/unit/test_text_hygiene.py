"""Text from attendees: what counts as empty, what is refused, what a frame may carry."""

from __future__ import annotations

import pytest

from server.protocol import ProtocolError, clean_text, decode_frame


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\ufeff \u00ad", "\u3164\u3164", "\u2800", "\U000e0041\U000e0042", " \u200d\n"],
    ids=["zwsp", "bom-shy", "hangul-filler", "braille-blank", "tags", "zwj-newline"],
)
def test_text_of_invisible_characters_is_empty(text: str):
    """A question made only of characters that show nothing is refused as empty."""
    with pytest.raises(ProtocolError) as exc:
        clean_text(text, 280, multiline=True)
    assert exc.value.code == "empty_text"
    assert clean_text(text.replace("\n", ""), 80, required=False) == ""


def test_line_separators_are_refused_in_one_line_text():
    """U+2028 and U+2029 would break a name over lines: refused."""
    for ch in "\u2028\u2029":
        with pytest.raises(ProtocolError) as exc:
            clean_text(f"Ida{ch}Holm", 80)
        assert exc.value.code == "bad_characters"


def test_a_binary_frame_with_a_lone_surrogate_is_refused():
    """Bytes ED A0 80 are not UTF-8: bad_characters, never a string that cannot be sent back."""
    with pytest.raises(ProtocolError) as exc:
        decode_frame(b'{"type": "ping", "id": "\xed\xa0\x80"}')
    assert exc.value.code == "bad_characters"


def test_the_frame_limit_counts_bytes_not_characters():
    """16,000 emoji are 64,000 bytes: over a 16 KiB limit (before: 16,000 characters passed)."""
    emoji = '{"type": "ping", "x": "' + "😀" * 4090 + '"}'
    assert len(emoji) < 16 * 1024 < len(emoji.encode())
    with pytest.raises(ProtocolError) as exc:
        decode_frame(emoji)
    assert exc.value.code == "too_large"
    assert decode_frame('{"type": "ping", "x": "' + "æ" * 8000 + '"}')["type"] == "ping"

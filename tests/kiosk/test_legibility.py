"""The hall's legibility goal, measured on the real app as bench/legibility does: from
120x34 up a 200-character question on screen is in block letters at least 3 rows high,
and larger screens never get smaller letters."""

from __future__ import annotations

from bench.legibility import QUESTION, measure


async def test_a_200_character_question_is_in_block_letters_from_120x34():
    assert len(QUESTION) == 200
    small, large = await measure((120, 34)), await measure((240, 67))
    assert small.question_rows >= 3 and large.question_rows >= small.question_rows
    assert small.title_rows >= 3 and large.title_rows >= small.title_rows
    assert large.break_countdown_rows > small.break_countdown_rows
    # In block letters a line holds whole words of the question, never all of it.
    assert 0 < large.question_line_chars < len(QUESTION)

"""Block letters: the faces cover Danish, the text wraps between words and fits its box, and
what no face can draw falls back to normal text, the whole of it."""

from __future__ import annotations

import pytest

from kiosk.bigtype import ELLIPSIS, clean, faces, fit, height_of

DANISH = "æøåÆØÅéÉüÜ–—«»„“”‘’'\"?!:.,;/()-+%&@€…0123456789"
QUESTION = (
    "Hvordan når vi de unge, der ikke selv søger hjælp – og hvem har ansvaret i kommunen, "
    "når skolen ikke ser dem, og forældrene ikke ved, hvad de skal gøre? Hvad gør I så?"
)


def test_every_face_draws_danish_and_the_programmes_punctuation():
    """At least two sizes of block letters, 3 and 5 rows among them, each with every
    character of a Danish programme."""
    rows = [f.rows for f in faces()]
    assert rows[:3] == [3, 4, 5] and rows == sorted(rows)
    for face in faces():
        missing = [c for c in DANISH if c not in face.glyphs]
        assert not missing, (face.name, face.scale, missing)


@pytest.mark.parametrize("ch", list("ÆØÅæøå"))
def test_a_letter_is_drawn_with_ink_in_its_own_cell(ch):
    face = next(f for f in faces() if f.rows == 5)
    drawn = face.draw(ch)
    assert len(drawn) == 5 and all(len(r) == face.cols for r in drawn)
    assert any(c != " " for r in drawn for c in r)
    assert face.draw(ch) != face.draw("a")


def test_a_larger_box_gets_larger_letters_and_never_a_broken_word():
    sizes = [(80, 12), (120, 24), (200, 36), (240, 50)]
    fitted = [fit(QUESTION, w, h) for w, h in sizes]
    rows = [f.rows for f in fitted]
    assert rows == sorted(rows) and rows[-1] >= 5, rows
    words = set(clean(QUESTION).split())
    for (w, h), f in zip(sizes, fitted, strict=True):
        if f.face is None:
            continue
        assert height_of(f.face, len(f.lines)) <= h
        for line in f.lines:
            assert len(line) * f.face.cols <= w
            assert set(line.split()) <= words, line  # whole words only
        assert " ".join(f.lines) == clean(QUESTION)  # nothing left out


def test_the_goal_200_characters_in_block_letters_at_120_columns():
    """A 200-character question in a 116x24 box (the question's stage at 120x34) is drawn
    in letters at least 3 rows high."""
    text = (QUESTION + " " + QUESTION)[:200]
    assert fit(text, 116, 24).rows >= 3


@pytest.mark.parametrize(
    "text",
    ["Hvad med 😀?", "שלום עליכם", "q\u0308 med prik", "Ja \u200b nej", "漢字"],
    ids=["emoji", "rtl", "combining", "zero-width", "cjk"],
)
def test_a_character_no_face_has_makes_the_whole_text_normal(text):
    f = fit(text, 200, 40)
    assert f.face is None and f.rows == 1
    assert " ".join(f.lines) == clean(text)  # all of it, no letter left out


def test_combining_marks_that_compose_are_drawn():
    """An é typed as e and a combining accent is the é of the font."""
    f = fit("Café e\u0301n", 200, 40)
    assert f.face is not None and f.lines == ("Café én",)


def test_a_word_too_long_for_a_line_is_normal_text_cut_with_an_ellipsis():
    f = fit("x" * 280, 80, 5)
    assert f.face is None and f.lines == ("x" * 79 + ELLIPSIS,)
    f = fit("ord " * 200, 40, 3)
    assert f.face is None and len(f.lines) == 3 and f.lines[-1].endswith(ELLIPSIS)
    assert all(len(line) <= 40 for line in f.lines)


def test_nothing_to_draw_and_no_room():
    assert fit("", 80, 10).lines == ()
    assert fit("Hej", 0, 10).lines == () and fit("Hej", 80, 0).lines == ()
    assert fit("   \n\t ", 80, 10).lines == ()

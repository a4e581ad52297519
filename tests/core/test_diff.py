from core import diff


def _read(pieces):
    return "".join(piece.text for piece in pieces)


def test_words_at_the_end_of_a_text_are_not_glued_to_the_next_piece():
    pieces = diff.words("Doe een zelftest.", "Doe een zelftest in de ochtend.")
    assert "zelftest.in" not in _read(pieces).replace(" ", "", 0)
    assert [p.kind for p in pieces] == ["same", "removed", "added"]
    assert _read(pieces) == "Doe een zelftest. zelftest in de ochtend."
    shorter = diff.words("a b c", "a b")
    assert _read(shorter) == "a b c"  # "a b" then the removed "c", with a space between


def test_the_same_text_has_no_change():
    assert not diff.changed(diff.words("one two", "one two"))
    assert diff.changed(diff.words("one two", "one three"))

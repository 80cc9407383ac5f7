"""Label names: normalisation, the naming rule, and fuzzing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.labels.names import LABEL_MAX_LENGTH, InvalidLabel, label_argument, normalise_label


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("smile", "smile"),
        ("Smile", "smile"),
        ("  SAD ", "sad"),
        ("upside-down", "upside-down"),
        ("happy_2", "happy_2"),
        ("ｓｍｉｌｅ", "smile"),  # full-width letters fold to ASCII under NFKC
        ("Straße", "strasse"),
        ("lächeln", "lächeln"),
        ("улыбка", "улыбка"),
        ("笑顔", "笑顔"),
        ("मुस्कान", "मुस्कान"),  # Devanagari with combining vowel signs
        ("x" * LABEL_MAX_LENGTH, "x" * LABEL_MAX_LENGTH),
    ],
)
def test_valid_labels_normalise(raw: str, expected: str) -> None:
    assert normalise_label(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "x" * (LABEL_MAX_LENGTH + 1),
        "x" * 10_000,
        "smile'; DROP TABLE samples; --",
        "a\x00b",
        "a\nb",
        "\u202esmile",  # right-to-left override
        "smi\u200ble",  # zero-width space
        "😀",
        "smile!",
        "a.b",
    ],
)
def test_invalid_labels_are_refused(raw: str) -> None:
    with pytest.raises(InvalidLabel):
        normalise_label(raw)


def test_spaces_get_a_hyphenated_hint() -> None:
    with pytest.raises(InvalidLabel) as caught:
        normalise_label("Happy Face")
    assert caught.value.hint == "happy-face"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/label smile", "smile"),
        ("/label@SmileyBot smile", "smile"),
        ("/LABEL  happy face ", "happy face"),
        ("/label", ""),
        ("/label@OtherBot smile", None),
        ("/labels", None),
        ("label smile", None),
        (None, None),
    ],
)
def test_label_argument(text: str | None, expected: str | None) -> None:
    assert label_argument(text, "SmileyBot") == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_normalised_labels_always_obey_the_rule(raw: str) -> None:
    try:
        label = normalise_label(raw)
    except InvalidLabel:
        return
    assert 1 <= len(label) <= LABEL_MAX_LENGTH
    assert label == normalise_label(label)  # idempotent
    for char in label:
        category = unicodedata.category(char)
        assert category[0] in "LM" or category == "Nd" or char in "-_"

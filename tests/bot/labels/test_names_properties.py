"""Properties of label parsing under hostile text: what tests/bot/labels/test_names.py leaves out.

That file fuzzes ``normalise_label`` with short arbitrary text; these properties aim at the
characters attackers use (control, zero-width and direction characters, SQL metacharacters,
emoji, very long input) and cover ``label_argument``, the suggested fix and the echo of
refused input.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.labels.names import LABEL_MAX_LENGTH, InvalidLabel, label_argument, normalise_label
from bot.texts.formats import SHOWN_MAX_CHARACTERS, shown

# Characters that must never be part of a label: control characters, zero-width and
# direction formatting characters, separators, SQL and shell metacharacters, emoji.
HOSTILE = (
    "\x00\x07\x1b\x7f\x85\t\n\r\x0b\x0c"
    "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
    " \u00a0\u2028\u2029\u3000"
    "'\";%\\*/=()<>@#!?.,:`$|&"
    "😀👩🏽\U000e0041"
    "\ufe0f\u034f\u3164\uffa0\u115f\u180b\U000e0100"  # letters and marks no font shows
)
# Cc control, Cf format (zero-width, bidi), Z* separators, Co/Cs/Cn: never in a label.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn"})
SAFE = "abcxyzäßçñ日本ДЖ0123456789-_"

hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE), st.sampled_from(SAFE), st.characters()),
    max_size=80,
)
long_text = st.builds(
    lambda unit, times: unit * times, st.text(min_size=1, max_size=3), st.integers(1, 5000)
)
valid_label = st.text(alphabet=SAFE, min_size=2, max_size=LABEL_MAX_LENGTH - 1)
whitespace = st.text(alphabet=" \t\n\u00a0\u2003\u3000", min_size=1, max_size=3)

PROPERTY = settings(max_examples=100, deadline=None)


@PROPERTY
@given(st.one_of(hostile_text, long_text))
def test_normalise_label_returns_a_clean_stable_label_or_refuses(raw: str) -> None:
    try:
        label = normalise_label(raw)
    except InvalidLabel as refused:
        assert refused.raw == raw
        if refused.hint is not None:
            assert normalise_label(refused.hint) == refused.hint  # the suggestion is valid
        return
    assert 1 <= len(label) <= LABEL_MAX_LENGTH
    assert normalise_label(label) == label
    assert not any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in label)


@PROPERTY
@given(label=valid_label, char=st.sampled_from(HOSTILE), at=st.integers(1, LABEL_MAX_LENGTH))
def test_a_hostile_character_inside_a_label_makes_it_invalid(
    label: str, char: str, at: int
) -> None:
    at = min(at, len(label) - 1)  # strictly inside: outer whitespace is merely trimmed
    with pytest.raises(InvalidLabel):
        normalise_label(label[:at] + char + label[at:])


@PROPERTY
@given(st.one_of(hostile_text, long_text), st.sampled_from(["SmileyBot", "smileybot"]))
def test_label_argument_never_raises_and_returns_none_or_a_trimmed_argument(
    text: str, username: str
) -> None:
    argument = label_argument(text, username)
    assert argument is None or argument == argument.strip()


@PROPERTY
@given(
    argument=st.one_of(hostile_text, long_text),
    addressee=st.sampled_from(["", "@SmileyBot", "@smileybot", "@SMILEYBOT"]),
    separator=whitespace,
    command=st.sampled_from(["/label", "/LABEL", "/Label"]),
)
def test_label_argument_finds_the_argument_of_a_label_command_for_this_bot(
    argument: str, addressee: str, separator: str, command: str
) -> None:
    text = command + addressee + separator + argument
    assert label_argument(text, "SmileyBot") == argument.strip()
    assert label_argument(command + "@OtherBot" + separator + argument, "SmileyBot") is None


@PROPERTY
@given(st.one_of(hostile_text, long_text))
def test_echoed_input_is_short_and_shows_no_control_or_direction_character(raw: str) -> None:
    echo = shown(raw)
    assert len(echo) <= SHOWN_MAX_CHARACTERS + 1  # plus the ellipsis
    assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in echo)
    if len(raw) <= SHOWN_MAX_CHARACTERS:
        assert len(echo) == len(raw)  # one mark per hidden character, nothing lost

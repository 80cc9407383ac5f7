"""The buttons of the confused pairs under a training chart: most confused first, ids only."""

import pytest

from bot.labels.corrections import CALLBACK_DATA_MAX_BYTES
from bot.training.confusion_pairs import MAX_PAIRS, decode_pair, encode_pair, pair_keyboard
from model.job import Misclassified


def wrong(sample_id: int, true: int, predicted: int) -> Misclassified:
    names = ("smile", "sad", "neutral")
    return Misclassified(sample_id, true, predicted, names[true], names[predicted])


def test_one_button_per_pair_most_confused_first() -> None:
    items = [wrong(1, 1, 2), wrong(2, 0, 1), wrong(3, 1, 2), wrong(4, 2, 1), wrong(5, 1, 2)]
    keyboard = pair_keyboard(7, items, "en")
    assert keyboard is not None
    buttons = [button for row in keyboard.inline_keyboard for button in row]
    assert [button.text for button in buttons] == [
        "sad → neutral (3)",
        "neutral → sad (1)",
        "smile → sad (1)",
    ]
    assert decode_pair(str(buttons[0].callback_data)) == (7, 1, 2)
    assert max(len(row) for row in keyboard.inline_keyboard) == 2
    # A German reader sees the built-in labels' German names; the data stays ids.
    german = pair_keyboard(7, items, "de")
    assert german is not None
    assert german.inline_keyboard[0][0].text == "traurig → neutral (3)"
    assert german.inline_keyboard[0][0].callback_data == buttons[0].callback_data


def test_no_confusion_no_buttons_and_never_too_many() -> None:
    assert pair_keyboard(7, [], "en") is None
    many = [wrong(i, i % 3, (i + 1 + i // 3 % 2) % 3) for i in range(30)]
    keyboard = pair_keyboard(7, many, "en")
    assert keyboard is not None
    assert sum(len(row) for row in keyboard.inline_keyboard) <= MAX_PAIRS


def test_the_callback_data_fits_and_other_data_is_refused() -> None:
    assert len(encode_pair(2**63 - 1, 9, 9).encode()) <= CALLBACK_DATA_MAX_BYTES
    with pytest.raises(ValueError):
        decode_pair("fix:1:2")

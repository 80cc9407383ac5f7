"""How numbers are written in English and German, and how /set reads them."""

from __future__ import annotations

import pytest

from bot.texts import t
from bot.texts.numbers import (
    NO_BREAK_SPACE,
    decimal,
    number,
    parse_decimal,
    percent,
    seconds,
    style,
    whole,
)


def test_german_writes_a_decimal_comma_and_english_a_point() -> None:
    assert decimal(0.4123, "en", 3) == "0.412"
    assert decimal(0.4123, "de", 3) == "0,412"
    assert decimal(-1.5, "de", 1) == "-1,5"
    assert decimal(1234.56, "de", 1) == "1.234,6"
    assert decimal(1234.56, "en", 1) == "1,234.6"
    assert decimal(3.0, "de", 0) == "3"


def test_seconds_have_one_decimal() -> None:
    assert seconds(7.94, "en") == "7.9"
    assert seconds(7.94, "de") == "7,9"
    assert seconds(12, "de") == "12,0"
    assert t("train.finished", "de", seconds=seconds(7.94, "de")) == "Training fertig nach 7,9 s."
    assert t("train.finished", "en", seconds=seconds(7.94, "en")) == "Training finished in 7.9 s."


def test_a_german_percentage_has_a_no_break_space_before_its_sign() -> None:
    assert percent(0.92, "en") == "92%"
    assert percent(0.92, "de") == "92\u00a0%" == "92" + NO_BREAK_SPACE + "%"
    assert percent(0.92, "de-AT") == "92\u00a0%"
    assert percent(0.92, "fr") == "92%"  # no French texts: English, numbers included
    assert percent(0.925, "en") == "92%"  # halves round to even, like Python's round()
    assert percent(0.926, "en") == "93%"


def test_only_all_or_nothing_shows_as_100_or_0_percent() -> None:
    assert percent(1.0, "de") == "100\u00a0%"
    assert percent(0.0, "de") == "0\u00a0%"
    assert percent(0.999, "en") == "99%"
    assert percent(0.995, "de") == "99\u00a0%"
    assert percent(0.001, "en") == "1%"
    assert percent(0.004, "en") == "1%"
    assert percent(0.994, "en") == "99%"


def test_whole_numbers_group_their_thousands() -> None:
    assert whole(1234, "en") == "1,234"
    assert whole(1234, "de") == "1.234"
    assert whole(1234567, "de") == "1.234.567"
    assert whole(-1234, "de") == "-1.234"
    assert whole(999, "de") == "999"


def test_t_groups_the_thousands_of_whole_numbers_but_not_of_text() -> None:
    assert t("labels.line", "de", label="smile", count=1234).endswith("1.234")
    assert t("labels.line", "en", label="smile", count=1234).endswith("1,234")
    assert t("stats.unknown_user", "de", id="1234567").endswith(" 1234567")


def test_number_is_as_short_as_it_is_exact_and_never_in_exponent_form() -> None:
    assert number(1e-05, "en") == "0.00001"
    assert number(1e-05, "de") == "0,00001"
    assert number(0.001, "de") == "0,001"
    assert number(0.2, "de") == "0,2"
    assert number(1.0, "de") == "1"
    assert number(50, "en") == "50"
    assert number(2500.5, "de") == "2.500,5"


def test_each_language_has_its_marks() -> None:
    assert style("de").decimal_mark == "," and style("en").decimal_mark == "."
    assert style(None) == style("en")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0,001", 0.001), ("0.001", 0.001), (" 0,5 ", 0.5), ("1", 1.0), ("1e-3", 0.001), (",5", 0.5)],
)
def test_a_decimal_comma_or_point_is_read(raw: str, value: float) -> None:
    assert parse_decimal(raw) == value


@pytest.mark.parametrize("raw", ["0,0,1", "1.000,5", "1,000.5", "", "abc", "0,,1"])
def test_thousands_separators_and_other_text_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(raw)
